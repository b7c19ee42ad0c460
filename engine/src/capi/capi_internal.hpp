// What the C and C++ APIs share: the rule-set handle, one-case screening to JSON or report,
// and the test hook that proves the API boundary catches everything.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "api/screen.hpp"
#include "rules/ruleset_model.hpp"

struct oligoscreen_rules {
  std::shared_ptr<const oligoscreen::detail::RuleSetModel> model;
};

namespace oligoscreen::detail {

// Test-only: when set, every API entry point calls it first inside its catch boundary (a test
// makes it throw to reach OLIGOSCREEN_E_INTERNAL / _E_NO_MEMORY). Hidden: not part of the ABI.
extern std::atomic<void (*)()> g_api_fault_hook;
inline void api_fault_point() {
  if (auto* f = g_api_fault_hook.load(std::memory_order_relaxed)) f();
}

// Options of the C flags (OLIGOSCREEN_EXPLAIN, _NO_WHAT_IF, _STRICT).
CaseOptions case_options(unsigned flags);

// Screens one JSON case and renders its result or error result (no trailing newline).
// Returns true for a result, false for an error result. Throws only std::bad_alloc.
bool screen_json(const RuleSetModel& m, std::string_view json, const CaseOptions& opt, CaseResult& scratch,
                 std::string& out);

// The tumour-board report of one JSON case, as `screen --format text|markdown|html` writes it
// to a pipe. True for a report, false for an error report.
bool report_json(const RuleSetModel& m, std::string_view json, int format, const CaseOptions& opt, std::string& out);

// Loads the embedded rule set (dir empty) or a folder; null with the rendered diagnostics.
std::shared_ptr<const RuleSetModel> load_rules_for_api(const char* dir, std::string& diagnostics);

}  // namespace oligoscreen::detail
