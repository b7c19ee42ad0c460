// Rendering an assessment as the JSON result of spec/result-format.md (and error results).
#pragma once

#include <string>
#include <vector>

#include "assess/assessment.hpp"
#include "patient/patient.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

struct RenderOptions {
  bool pretty = false;
  bool explain = false;  // write the trace (`criteria`, `paths`, `decisions`)
  bool what_if = true;   // write `what_if` under each missing field
  std::string source;    // non-empty: a "source" key (batch with several inputs)
};

// The sentence every result carries (safety rule 6).
extern const char* const kDecisionSupportNotice;

// One result object, without a trailing newline.
void render_result_json(const RuleSetModel& m, const Patient& p, const Assessment& a, const RenderOptions& opt,
                        std::string& out);

// An error result: `record` counts from 1, `line` is where the record starts.
void render_error_json(const RuleSetModel& m, const std::string* id, uint32_t record, uint32_t line,
                       const std::vector<InputError>& errors, const RenderOptions& opt, std::string& out);

// The same results written through JsonWriter alone (what the functions above do for pretty
// output); compact output must be byte-identical to these, which tests check.
void render_result_json_generic(const RuleSetModel& m, const Patient& p, const Assessment& a, const RenderOptions& opt,
                                std::string& out);
void render_error_json_generic(const RuleSetModel& m, const std::string* id, uint32_t record, uint32_t line,
                               const std::vector<InputError>& errors, const RenderOptions& opt, std::string& out);

// Compact output from the rule set's pre-rendered fragments (compact_result.cpp); `opt.pretty`
// is ignored.
void render_result_compact(const RuleSetModel& m, const Patient& p, const Assessment& a, const RenderOptions& opt,
                           std::string& out);
void render_error_compact(const RuleSetModel& m, const std::string* id, uint32_t record, uint32_t line,
                          const std::vector<InputError>& errors, const RenderOptions& opt, std::string& out);

// Writes `v` (a patient value or a rule value) as JSON.
void write_value_json(const RuleSetModel& m, const Value& v, class JsonWriter& w);

}  // namespace oligoscreen::detail
