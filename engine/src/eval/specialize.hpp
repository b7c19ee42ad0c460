// Load-time specialisation of checked expressions for faster evaluation. Semantics are
// unchanged: a specialised node falls back to the general path whenever a value is unknown.
#pragma once

#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

// Builds m.hot (the evaluation form of m.pool), turning `field <cmp> literal` and
// `literal <cmp> field` (numbers and enums; fields and list-item subfields) into CmpConst
// nodes. Must run again whenever nodes are added to the pool (rules eval).
void specialize(RuleSetModel& m);

}  // namespace oligoscreen::detail
