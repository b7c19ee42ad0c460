// The tumour-board report: one case in plain text (with or without colour and symbols),
// Markdown or self-contained HTML. Layout follows the rule set: outputs in order, criteria
// by group, tree paths in words, evidence per site, what is missing, provenance.
#pragma once

#include <string>

#include "assess/assessment.hpp"
#include "patient/patient.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

enum class ReportFormat { Text, Markdown, Html };

struct ReportOptions {
  ReportFormat format = ReportFormat::Text;
  bool colour = false;   // ANSI colour (text only)
  bool unicode = false;  // ✓ ✗ → symbols; otherwise plain ASCII
  bool explain = false;  // add the full criteria trace
  std::string case_file; // shown in the trace with positions
};

std::string render_report(const RuleSetModel& m, const Patient& p, const Assessment& a, const ReportOptions& opt);
std::string render_error_report(const RuleSetModel& m, const std::string& file, const std::vector<InputError>& errors,
                                const ReportOptions& opt);

// Human label of a code ("metachronous_oligorecurrence" -> "metachronous oligorecurrence").
std::string humanize(std::string_view code);

}  // namespace oligoscreen::detail
