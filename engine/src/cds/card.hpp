// CDS Hooks cards (CDS Hooks 1.0 / 2.0 "Card" object) from one screening result.
//
// Contract (tested field by field in tests/cds):
//  - exactly the members uuid, summary, detail, indicator, source, links (links only when an
//    evidence entry has a DOI); no JSON null anywhere; every string valid UTF-8;
//  - summary: at most 139 characters (code points), cut with "…" when longer;
//  - indicator: "info" when the SBRT verdict is decided (supported, consider, not_eligible)
//    and the data raised no warning; "warning" when it is indeterminate, the input could not
//    be screened, or the FHIR mapping or the rules warned. Never "critical": decision support;
//  - detail: GitHub-flavoured Markdown: the tumour-board report (checklists, reasons, what is
//    missing, evidence, warnings) of result/report.hpp;
//  - source: {label: "oligoscreen <ruleset id> <version>", topic: Coding}; no url;
//  - links: one "absolute" link per cited evidence entry with a DOI (https://doi.org/...);
//  - uuid: deterministic, an RFC 9562 version-8 UUID from SHA-256 of the hook instance, the
//    service id and the result JSON: the same request gives the same bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/screen.hpp"

namespace oligoscreen::detail {

// Topic of every card (a Coding).
inline constexpr std::string_view kCardTopicSystem = "http://oligoscreen.example/fhir/CodeSystem/cds-card-topic";

// Appends one card object to `w`'s output for a screening result. `result_json` is the
// result as case_json rendered it (hashed into the uuid).
void write_result_card(const RuleSetModel& m, const CaseResult& r, std::string_view hook_instance,
                       std::string_view result_json, class JsonWriter& w);

// A card that says which data the service needs (no usable prefetch). `why` is one sentence.
void write_data_needed_card(const RuleSetModel& m, std::string_view hook_instance, std::string_view why,
                            class JsonWriter& w);

// RFC 9562 version-8 UUID (lower-case 8-4-4-4-12) from the SHA-256 of `name`.
std::string hash_uuid(std::string_view name);

// `s` cut to at most `max_chars` code points, ending in "…" when cut.
std::string cut_chars(std::string_view s, size_t max_chars);

}  // namespace oligoscreen::detail
