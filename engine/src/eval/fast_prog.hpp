// Fast-tier programs: every root expression (a fact, criterion, rule condition, reason,
// constraint, ...) whose whole tree the fast tier handles is compiled once, at load time, into a
// flat postfix program (FastOp, expr/ast.hpp) that Evaluator runs without recursion or Values.
// A program bails out exactly where the fast tier does (an unknown, an imprecise date, a
// division by zero, an empty min/max); the general tier then evaluates the expression.
#pragma once

#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

// Stack cells a program may need at most (deeper expressions get no program).
inline constexpr int kFastStack = 32;
// Nested count/all/any/... loops a program may hold at most.
inline constexpr int kFastLoops = 8;

// Fills m.fast_ops and the prog_first/prog_len of every root node of m.hot.
void compile_fast_programs(RuleSetModel& m);

}  // namespace oligoscreen::detail
