// Compact results for a caller that renders many (the batch worker): the rule set's fragments
// looked up once rather than per result.
#pragma once

#include <string>

#include "assess/assessment.hpp"
#include "patient/patient.hpp"
#include "result/json_result.hpp"
#include "result/result_fragments.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

// render_result_compact with `f` = result_fragments(m) of the calling thread: the same bytes.
void render_result_compact_with(const RuleSetModel& m, const ResultFragments& f, const Patient& p, const Assessment& a,
                                const RenderOptions& opt, std::string& out);

}  // namespace oligoscreen::detail
