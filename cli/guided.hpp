// Guided mode (`screen --ask`): ask for the missing fields that matter, most consequential
// first, re-screening after each answer; then offer to save the completed case.
//
// Prompts and progress go to stderr, answers come from stdin one line each (a terminal is
// not needed: answers may be piped). An empty line or end of input stops the questions.
// Each answer is checked by the same strict reader as a case file (an invalid answer is
// asked again). The completed case is written only to a path that does not exist, unless
// overwriting is confirmed; the written file screens to the result shown.
#pragma once

#include <map>
#include <string>

#include "api/screen.hpp"
#include "result/report.hpp"

namespace oligoscreen::cli {

struct GuidedOptions {
  detail::CaseOptions screen;
  detail::ReportOptions report;  // the final report (format, colour)
  bool json = false;             // the final result as JSON instead of a report
  bool pretty = false;
};

int run_guided(const detail::RuleSetModel& m, const std::string& file, const GuidedOptions& opt);

// The case `p` as YAML in schema order (unknown values left out), with `answers` (raw YAML
// scalars or flow lists keyed by field) in place of the patient's values. `header` is written
// first as comment lines.
std::string case_yaml(const detail::RuleSetModel& m, const detail::Patient& p,
                      const std::map<detail::FieldRef, std::string>& answers, const std::string& header);

}  // namespace oligoscreen::cli
