// The value semantics of fast-tier program instructions shared by the program interpreter
// (eval/fast_prog.cpp) and the evaluator's inline path for one-instruction programs
// (Evaluator::run): a stack cell is a double (booleans 0/1, enum indexes, day numbers).
#pragma once

#include <cstdint>

#include "eval/value.hpp"
#include "expr/ast.hpp"

namespace oligoscreen::detail::fastop {

// A known, precise value of kind `want` as a stack cell.
inline bool take(const Value& v, uint8_t want, double& out) {
  if (static_cast<uint8_t>(v.kind) != want) return false;
  switch (v.kind) {
    case VKind::Number:
      out = v.num;
      return true;
    case VKind::Bool:
      out = v.b ? 1 : 0;
      return true;
    case VKind::Enum:
      out = v.e;
      return true;
    case VKind::Date:
      if (v.date.lo != v.date.hi) return false;
      out = v.date.lo;
      return true;
    default:
      return false;
  }
}

inline double cmp(uint8_t op, double x, double k) {
  switch (static_cast<Op>(op)) {
    case Op::Lt:
      return x < k ? 1 : 0;
    case Op::Le:
      return x <= k ? 1 : 0;
    case Op::Gt:
      return x > k ? 1 : 0;
    case Op::Ge:
      return x >= k ? 1 : 0;
    case Op::Eq:
      return x == k ? 1 : 0;
    default:
      return x != k ? 1 : 0;
  }
}

// `field <cmp> k` on a number field (FieldCmpK); false: not a number (bail out).
inline bool field_cmp_k(const Value& v, const FastOp& op, double& out) {
  if (v.kind != VKind::Number) return false;
  out = cmp(op.kind, v.num, op.k);
  return true;
}

// `field ==|!= k` on an enum field or subfield (FieldEnumK, SubEnumK); false: not a value of
// the instruction's enum (bail out).
inline bool enum_k(const Value& v, const FastOp& op, double& out) {
  if (v.kind != VKind::Enum || v.enum_id != (op.mask >> 32)) return false;
  const bool eq = v.e == static_cast<uint32_t>(op.mask);
  out = (eq == (static_cast<Op>(op.kind) == Op::Eq)) ? 1 : 0;
  return true;
}

// A one-instruction program over top-level fields (`age >= 18`, `flag_a`, `kind == "x"`,
// `known(extra)`, `count(lesions) > 5`), run without entering the interpreter: 1 with `out`
// set, 0 where the interpreter would bail out, -1 when `op` is not such an instruction.
inline int run_single(const FastOp& op, const Value* values, double& out) {
  const bool negate = (op.kind & kNegate) != 0;
  switch (op.code) {
    case FCode::FieldCmpK:
      return field_cmp_k(values[op.a], op, out) ? 1 : 0;
    case FCode::FieldB: {
      const Value& v = values[op.a];
      if (v.kind != VKind::Bool) return 0;
      out = (v.b != negate) ? 1 : 0;
      return 1;
    }
    case FCode::FieldN:
      return take(values[op.a], static_cast<uint8_t>(VKind::Number), out) ? 1 : 0;
    case FCode::FieldE:
      return take(values[op.a], static_cast<uint8_t>(VKind::Enum), out) ? 1 : 0;
    case FCode::FieldD:
      return take(values[op.a], static_cast<uint8_t>(VKind::Date), out) ? 1 : 0;
    case FCode::FieldEnumK:
      return enum_k(values[op.a], op, out) ? 1 : 0;
    case FCode::KnownField:
      out = ((values[op.a].kind != VKind::Unknown) != negate) ? 1 : 0;
      return 1;
    case FCode::CountCmpK: {
      const Value& l = values[op.a];
      if (l.kind != VKind::List) return 0;
      out = cmp(op.kind, l.list.count, op.k);
      return 1;
    }
    default:
      return -1;
  }
}

}  // namespace oligoscreen::detail::fastop
