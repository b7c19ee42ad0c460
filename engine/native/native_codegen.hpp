// The translation of a rule set's fast-tier programs into C++ source (eval/native_programs.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

// A C++ translation unit defining native_program_table() for `m`'s programs: every program
// that is well formed (the same stack depth and loops at each instruction on every path) gets a
// function; `translated` (optional) receives their number.
std::string generate_native_programs(const RuleSetModel& m, uint32_t* translated = nullptr);

}  // namespace oligoscreen::detail
