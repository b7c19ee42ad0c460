// The tumour-board report: one case in plain text (with or without colour and symbols),
// Markdown or self-contained printable HTML. Layout follows the rule set, with no clinical
// content of its own: classification outputs (those resting on a tree) first with the tree
// path in words, then the other outputs in declaration order with their criteria by group,
// reasons, per-site evidence and notes; then what is missing (most consequential first,
// with the verdicts each answer would give), warnings, the optional full trace, provenance
// and the decision-support notice.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "assess/assessment.hpp"
#include "patient/patient.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

enum class ReportFormat { Text, Markdown, Html };

struct ReportOptions {
  ReportFormat format = ReportFormat::Text;
  bool colour = false;     // ANSI colour (text only)
  bool unicode = false;    // ✓ ✗ → symbols in text; otherwise plain ASCII
  bool explain = false;    // add the full trace (needs an assessment made with explain)
  std::string case_file;   // named in the trace with file:line:col positions
  bool standalone = true;  // HTML: a whole page; false: one <section> for html_page_begin/end
};

// A self-contained HTML page around several reports rendered with standalone = false.
std::string html_page_begin(std::string_view title);
std::string html_page_end();

// The assessment must have been made with AssessOptions::explain (the report shows the
// values behind each criterion and the tree path). Deterministic: same input, same bytes.
std::string render_report(const RuleSetModel& m, const Patient& p, const Assessment& a, const ReportOptions& opt);

// A case that could not be read: every error with file:line:col, kind and field.
std::string render_error_report(const RuleSetModel& m, const std::string& file, const std::vector<InputError>& errors,
                                const ReportOptions& opt);

// Human label of a code ("metachronous_oligorecurrence" -> "metachronous oligorecurrence").
std::string humanize(std::string_view code);

// The label of an output's code: the tree leaf label when a tree has a leaf with this code,
// otherwise the humanized code.
std::string output_code_label(const RuleSetModel& m, uint32_t output, uint32_t code);

// The codes in `possible` (bit i = code i) as "a or b or c", with output_code_label.
std::string possible_codes_text(const RuleSetModel& m, uint32_t output, uint64_t possible);

// What a schema field accepts, for people: "yes or no", "0-4 (ECOG)", "YYYY-MM-DD or YYYY-MM",
// "one of: a, b, c".
std::string field_domain_text(const RuleSetModel& m, const FieldDef& f);

// A what-if answer in words: "<= 2 -> sbrt: consider; oligorare: potentially eligible"
// (the field's path is dropped from `when`; an output left undecided lists its possible codes).
std::string what_if_text(const RuleSetModel& m, const MissingField& mf, const WhatIf& w, std::string_view arrow);

}  // namespace oligoscreen::detail
