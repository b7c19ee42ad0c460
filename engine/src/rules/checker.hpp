// Load-time checking of expressions: name resolution against the schema, parameters and
// definitions; static types; enum literals; reference cycles. Reports every mistake.
#pragma once

#include <set>
#include <string>

#include "core/source.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

// Resolves and type-checks every expression of `m` (defs in dependency order, then trees,
// outputs, reasons, warnings, constraints). Fills Def::type, deps, field_reads and used.
// Names in `broken` were declared but failed to load (already reported): references to them
// are typed as errors without a second report.
void check_rule_set(RuleSetModel& m, Diagnostics& diags, const std::set<std::string>& broken = {});

// Checks one stand-alone expression (for `rules eval`) and rebuilds the evaluation form of
// the pool so that it can be evaluated. Returns its type; errors go to diags under `file`
// with positions relative to the expression text (line 1).
Type check_standalone(RuleSetModel& m, uint32_t root, std::string_view file, std::string_view source,
                      Diagnostics& diags);

std::string type_name(const RuleSetModel& m, const Type& t);

// Levenshtein distance capped at 3 (for did-you-mean).
size_t edit_distance(std::string_view a, std::string_view b);
// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace oligoscreen::detail
