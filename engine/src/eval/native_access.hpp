// What the native programs (eval/native_programs.hpp) reach inside the Evaluator: the same
// state the interpreter's instruction handlers use, nothing more.
#pragma once

#include <cstdint>

#include "eval/evaluator.hpp"

namespace oligoscreen::detail {

struct NativeAccess {
  static const Value* values(const Evaluator& ev) { return ev.values_; }
  static const RuleSetModel& model(const Evaluator& ev) { return ev.m_; }
  static EvalState& state(Evaluator& ev) { return ev.s_; }
  static int32_t plus_months(Evaluator& ev, int32_t day, int32_t months) { return ev.plus_months(day, months); }
  static bool may_skip(Evaluator& ev, uint64_t mask) { return ev.may_skip(mask); }
  static const Value& def_native(Evaluator& ev, uint32_t d, bool (*native)(Evaluator&, double&)) {
    return ev.def_native(d, native);
  }
};

}  // namespace oligoscreen::detail
