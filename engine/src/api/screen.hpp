// Screening one case: text (YAML or JSON) -> patient -> assessment -> JSON result.
// The one path shared by `screen`, `rules test`, the C API and (per record) `batch`.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "assess/assessment.hpp"
#include "core/doc.hpp"
#include "patient/patient.hpp"
#include "rules/loader.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

// The rule set compiled into the binary (generated from rules/sarcoma-sbrt by CMake).
const std::vector<std::pair<std::string, std::string>>& embedded_rule_files();
const char* embedded_rules_label();
std::shared_ptr<RuleSetModel> load_embedded_rules(Diagnostics& diags);

enum class CaseFormat { Yaml, Json };

// "json" for names ending .json, "yaml" for .yaml/.yml; for other names and "-", JSON when
// the first non-blank character is '{', else YAML (spec/cli.md).
CaseFormat detect_case_format(std::string_view name, std::string_view text);

struct CaseOptions {
  bool strict = false;
  bool explain = false;
  bool what_if = true;
  size_t max_bytes = 1u << 20;
};

// Everything one screening produced. Reused across cases by one thread.
struct CaseResult {
  bool ok = false;  // false: an error result (errors non-empty)
  std::vector<InputError> errors;
  Patient patient;
  Assessment assessment;
  Doc doc;
  AssessScratch scratch;
  uint32_t first_line = 1;
};

// Reads `text` as one case and assesses it. Never throws for bad input.
void screen_case(const RuleSetModel& m, std::string_view file, std::string_view text, CaseFormat format,
                 const CaseOptions& opt, CaseResult& out);

// Assesses a case already read into a Doc node (rule tests read patients inline).
void screen_doc(const RuleSetModel& m, std::string_view file, const Doc& doc, uint32_t node, bool json,
                const CaseOptions& opt, CaseResult& out);

// Assesses out.patient, read without error: out.ok, or the contradictions as out.errors (the
// tail of screen_doc, for readers that fill the Patient themselves).
void assess_read_patient(const RuleSetModel& m, const CaseOptions& opt, CaseResult& out);

// The JSON for a CaseResult (result or error result), without trailing newline.
void case_json(const RuleSetModel& m, const CaseResult& r, const CaseOptions& opt, bool pretty, std::string_view source,
               std::string& out);

}  // namespace oligoscreen::detail
