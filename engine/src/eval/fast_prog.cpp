// Runs fast-tier programs (eval/fast_prog.hpp). Every instruction either produces exactly the
// value the general tier would, or bails out (false) before anything is stored.
#include "eval/fast_prog.hpp"

#include <algorithm>
#include <cmath>

#include "core/date.hpp"
#include "eval/evaluator.hpp"
#include "eval/fast_ops.hpp"

namespace oligoscreen::detail {
namespace {

struct LoopFrame {
  const Value* items;
  uint32_t count, i;
  double acc;
  uint32_t var;
};

using fastop::cmp;
using fastop::enum_k;
using fastop::field_cmp_k;
using fastop::take;

}  // namespace

bool Evaluator::run_native_checked(bool (*native)(Evaluator&, double&), uint32_t first, double& out) {
  double native_out = 0;
  const bool native_ok = native(*this, native_out);
  const bool ok = interpret(first, out);
  ++s_.native_runs;
  const bool same_value = native_out == out || (std::isnan(native_out) && std::isnan(out));
  if (native_ok != ok || (ok && !same_value)) ++s_.native_mismatches;
  return ok;
}

// Every slot at once, the first time a short-circuit needs one (one pass over the values is
// cheaper than a call per slot): afterwards checked_slots has every bit, so may_skip reads
// vague_slots alone. Bits of slots the schema does not have are classified as not vague.
bool Evaluator::classify_slots(uint64_t mask) {
  auto vague = [](const Value& v) {
    return v.kind == VKind::Unknown || (v.kind == VKind::Date && v.date.lo != v.date.hi);
  };
  const auto nslots = static_cast<uint32_t>(m_.schema.fields.size());
  uint64_t found = 0;
  for (uint32_t slot = 0; slot < nslots; ++slot) {
    const Value& v = values_[slot];
    bool is_vague = vague(v);
    if (v.kind == VKind::List) {
      const auto nsub = static_cast<uint32_t>(m_.schema.fields[slot].fields.size());
      for (uint32_t e = 0; e < v.list.count && !is_vague; ++e) {
        const Value& item = v.list.items[e];
        if (item.kind != VKind::Record) {
          is_vague = vague(item);
          continue;
        }
        for (uint32_t k = 0; k < nsub && !is_vague; ++k) is_vague = vague(item.rec.fields[k]);
      }
    }
    if (is_vague) found |= slot_bit(slot);
  }
  s_.checked_slots = ~uint64_t{0};
  s_.vague_slots = found;
  return (mask & found) == 0;
}

// The interpreter: direct-threaded dispatch (each instruction jumps straight to the next
// one's handler through a table of label addresses, a GNU extension that GCC and Clang
// support; every program ends with FCode::End).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#if defined(__clang__)
#pragma GCC diagnostic ignored "-Wgnu-label-as-value"
#endif
bool Evaluator::interpret(uint32_t first, double& out) {
  static const void* const kHandlers[] = {
      // in FCode order
      &&FieldB,    &&FieldN,      &&FieldE,    &&FieldD,  &&Sub,        &&Var,         &&Param,     &&Def,
      &&DefB,      &&Const,       &&FieldCmpK, &&SubCmpK, &&FieldEnumK, &&SubEnumK,    &&CmpK,      &&DateCmp,
      &&CountCmpK, &&Not,         &&Neg,       &&Add,     &&Sub2,       &&Mul,         &&Div,       &&Lt,
      &&Le,        &&Gt,          &&Ge,        &&Eq,      &&Ne,         &&InMask,      &&InField,   &&KnownField,
      &&KnownSub,  &&KnownDef,    &&Count,     &&Loop,    &&LoopEnd,    &&DaysBetween, &&AddMonths, &&AddMonthsK,
      &&AddDays,   &&JumpIfFalse, &&Jump,      &&AndJump, &&OrJump,     &&Join,        &&DefInline, &&SetBit,
      &&ExitIf,    &&Bail,        &&ListEnum,  &&End};
  static_assert(sizeof kHandlers / sizeof kHandlers[0] == static_cast<size_t>(FCode::End) + 1);

  double stack[kFastStack];
  LoopFrame loops[kFastLoops];
  double* sp = stack;
  LoopFrame* lp = loops;
  const Value* values = values_;
  const FastOp* pc = m_.fast_ops.data() + first;
  Value held;

#define OLIGO_DISPATCH() goto* kHandlers[static_cast<uint8_t>(pc->code)]
#define OLIGO_NEXT()  \
  do {                \
    ++pc;             \
    OLIGO_DISPATCH(); \
  } while (0)
  // A definition's value, evaluated when not memoized (its own loops may have used the same
  // variable numbers: the enclosing loops' bindings are restored).
#define OLIGO_DEF_VALUE(d, v)                                                    \
  if (s_.done[d] == s_.generation) {                                             \
    v = &s_.cache[d];                                                            \
  } else {                                                                       \
    held = def(d);                                                               \
    for (LoopFrame* f = loops; f != lp; ++f) s_.items[f->var] = f->items + f->i; \
    v = &held;                                                                   \
  }

  OLIGO_DISPATCH();

FieldB : {
  const Value& v = values[pc->a];
  if (v.kind != VKind::Bool) return false;
  *sp++ = (v.b != ((pc->kind & kNegate) != 0)) ? 1 : 0;
  OLIGO_NEXT();
}
FieldN : {
  const Value& v = values[pc->a];
  if (v.kind != VKind::Number) return false;
  *sp++ = v.num;
  OLIGO_NEXT();
}
FieldE : {
  const Value& v = values[pc->a];
  if (v.kind != VKind::Enum) return false;
  *sp++ = v.e;
  OLIGO_NEXT();
}
FieldD : {
  const Value& v = values[pc->a];
  if (v.kind != VKind::Date || v.date.lo != v.date.hi) return false;
  *sp++ = v.date.lo;
  OLIGO_NEXT();
}
Sub : {
  const Value* rec = s_.items[pc->var];
  if (rec->kind != VKind::Record || !take(rec->rec.fields[pc->a], pc->kind, *sp)) return false;
  ++sp;
  OLIGO_NEXT();
}
Var:
  if (!take(*s_.items[pc->var], pc->kind, *sp)) return false;
  ++sp;
  OLIGO_NEXT();
Param:
  if (!take(m_.params[pc->a].value, pc->kind, *sp)) return false;
  ++sp;
  OLIGO_NEXT();
Def : {
  const Value* v;
  OLIGO_DEF_VALUE(pc->a, v)
  if (!take(*v, pc->kind, *sp)) return false;
  ++sp;
  OLIGO_NEXT();
}
DefB : {
  const Value* v;
  OLIGO_DEF_VALUE(pc->a, v)
  if (v->kind != VKind::Bool) {
    // Unknown: where only Kleene logic reads the cell, 0.5 (negated or not). The general tier
    // reads the definition through the same def() (its probes, once), then goes on.
    if (v->kind != VKind::Unknown || pc->var == 0) return false;
    *sp++ = 0.5;
    OLIGO_NEXT();
  }
  *sp++ = (v->b != ((pc->kind & kNegate) != 0)) ? 1 : 0;
  OLIGO_NEXT();
}
Const:
  *sp++ = pc->k;
  OLIGO_NEXT();
FieldCmpK:
  if (!field_cmp_k(values[pc->a], *pc, *sp)) return false;
  ++sp;
  OLIGO_NEXT();
SubCmpK : {
  const Value* rec = s_.items[pc->a >> 16];
  if (rec->kind != VKind::Record || !field_cmp_k(rec->rec.fields[pc->a & 0xFFFFU], *pc, *sp)) return false;
  ++sp;
  OLIGO_NEXT();
}
FieldEnumK:
  if (!enum_k(values[pc->a], *pc, *sp)) return false;
  ++sp;
  OLIGO_NEXT();
SubEnumK : {
  const Value* rec = s_.items[pc->a >> 16];
  if (rec->kind != VKind::Record || !enum_k(rec->rec.fields[pc->a & 0xFFFFU], *pc, *sp)) return false;
  ++sp;
  OLIGO_NEXT();
}
CmpK:
  sp[-1] = cmp(pc->kind, sp[-1], pc->k);
  OLIGO_NEXT();
DateCmp : {
  const Value& x = values[pc->a];
  const Value& y = values[pc->var];
  if (x.kind != VKind::Date || x.date.lo != x.date.hi || y.kind != VKind::Date || y.date.lo != y.date.hi) {
    return false;
  }
  *sp++ = cmp(pc->kind, x.date.lo, y.date.lo);
  OLIGO_NEXT();
}
CountCmpK : {
  const Value& l = values[pc->a];
  if (l.kind != VKind::List) return false;
  *sp++ = cmp(pc->kind, l.list.count, pc->k);
  OLIGO_NEXT();
}
Not:
  sp[-1] = 1 - sp[-1];
  OLIGO_NEXT();
Neg:
  sp[-1] = -sp[-1];
  OLIGO_NEXT();
Add:
  --sp;
  sp[-1] += sp[0];
  OLIGO_NEXT();
Sub2:
  --sp;
  sp[-1] -= sp[0];
  OLIGO_NEXT();
Mul:
  --sp;
  sp[-1] *= sp[0];
  OLIGO_NEXT();
Div:
  --sp;
  if (sp[0] == 0) return false;  // unknown in the general tier
  sp[-1] /= sp[0];
  OLIGO_NEXT();
Lt:
  --sp;
  sp[-1] = sp[-1] < sp[0] ? 1 : 0;
  OLIGO_NEXT();
Le:
  --sp;
  sp[-1] = sp[-1] <= sp[0] ? 1 : 0;
  OLIGO_NEXT();
Gt:
  --sp;
  sp[-1] = sp[-1] > sp[0] ? 1 : 0;
  OLIGO_NEXT();
Ge:
  --sp;
  sp[-1] = sp[-1] >= sp[0] ? 1 : 0;
  OLIGO_NEXT();
Eq:
  --sp;
  sp[-1] = sp[-1] == sp[0] ? 1 : 0;
  OLIGO_NEXT();
Ne:
  --sp;
  sp[-1] = sp[-1] != sp[0] ? 1 : 0;
  OLIGO_NEXT();
InMask : {
  const auto e = static_cast<uint32_t>(sp[-1]);
  const bool in = e < 64 && ((pc->mask >> e) & 1U);
  sp[-1] = (in != ((pc->kind & kNegate) != 0)) ? 1 : 0;
  OLIGO_NEXT();
}
InField : {
  const Value& l = values[pc->a];
  if (l.kind != VKind::List) return false;
  const auto e = static_cast<uint32_t>(sp[-1]);
  bool found = false;
  for (uint32_t i = 0; i < l.list.count; ++i) {
    const Value& item = l.list.items[i];
    if (item.kind != VKind::Enum) return false;
    found = found || item.e == e;
  }
  sp[-1] = (found != ((pc->kind & kNegate) != 0)) ? 1 : 0;
  OLIGO_NEXT();
}
KnownField:
  *sp++ = ((values[pc->a].kind != VKind::Unknown) != ((pc->kind & kNegate) != 0)) ? 1 : 0;
  OLIGO_NEXT();
KnownSub : {
  const Value* rec = s_.items[pc->var];
  const bool known = rec->kind == VKind::Record && rec->rec.fields[pc->a].kind != VKind::Unknown;
  *sp++ = (known != ((pc->kind & kNegate) != 0)) ? 1 : 0;
  OLIGO_NEXT();
}
KnownDef : {
  const Value* v;
  OLIGO_DEF_VALUE(pc->a, v)
  *sp++ = (v->known() != ((pc->kind & kNegate) != 0)) ? 1 : 0;
  OLIGO_NEXT();
}
Count : {
  const Value& l = pc->var ? m_.params[pc->a].value : values[pc->a];
  if (l.kind != VKind::List) return false;
  *sp++ = l.list.count;
  OLIGO_NEXT();
}
Loop : {
  const Value& l = pc->loop.list ? m_.params[pc->a].value : values[pc->a];
  if (l.kind != VKind::List) return false;
  const auto fn = static_cast<Fn>(pc->kind);
  if (l.list.count == 0) {
    if (fn == Fn::Min || fn == Fn::Max) return false;  // unknown
    *sp++ = fn == Fn::All ? 1 : 0;
    pc += pc->loop.len + 1;  // past the body and its LoopEnd
    OLIGO_NEXT();
  }
  *lp++ = LoopFrame{l.list.items, l.list.count, 0, fn == Fn::All ? 1.0 : 0.0, pc->var};
  s_.items[pc->var] = l.list.items;
  OLIGO_NEXT();
}
LoopEnd : {
  LoopFrame& f = lp[-1];
  const double x = *--sp;
  switch (static_cast<Fn>(pc->kind)) {
    case Fn::All:
      f.acc = (f.acc != 0 && x != 0) ? 1 : 0;
      break;
    case Fn::Any:
      f.acc = (f.acc != 0 || x != 0) ? 1 : 0;
      break;
    case Fn::CountIf:
      f.acc += x != 0 ? 1 : 0;
      break;
    case Fn::Sum:
      f.acc += x;
      break;
    case Fn::Min:
      f.acc = f.i == 0 ? x : std::min(f.acc, x);
      break;
    case Fn::Max:
      f.acc = f.i == 0 ? x : std::max(f.acc, x);
      break;
    default:
      return false;
  }
  if (++f.i < f.count) {
    s_.items[pc->var] = f.items + f.i;
    pc -= pc->a + 1;  // back to the body's first op (the dispatch's ++pc lands there)
  } else {
    *sp++ = f.acc;
    --lp;
  }
  OLIGO_NEXT();
}
DaysBetween:
  --sp;
  sp[-1] = sp[0] - sp[-1];
  OLIGO_NEXT();
AddMonths:
AddDays : {
  --sp;
  const auto amount = static_cast<int32_t>(std::trunc(std::clamp(sp[0], -1e6, 1e6)));
  const auto d = static_cast<int32_t>(sp[-1]);
  sp[-1] = pc->code == FCode::AddMonths ? plus_months(d, amount) : d + amount;
  OLIGO_NEXT();
}
AddMonthsK:
  sp[-1] = plus_months(static_cast<int32_t>(sp[-1]), static_cast<int32_t>(pc->a));
  OLIGO_NEXT();
JumpIfFalse:
  if (*--sp == 0) pc += pc->a;
  OLIGO_NEXT();
Jump:
  pc += pc->a;
  OLIGO_NEXT();
AndJump:
  if (sp[-1] == 0) {
    // `false and y` is false whatever y is; while y may read a vague slot the general tier
    // evaluates the expression instead, recording the probes; unless y is one definition
    // read, which the general tier would evaluate through def(): so is it here.
    if (!may_skip(pc->mask)) {
      if (pc->var == 0) return false;
      const Value* v;
      OLIGO_DEF_VALUE(pc[1].a, v)
      static_cast<void>(v);
    }
    pc += pc->a;
  } else if (pc->kind == 0) {
    --sp;
  }
  OLIGO_NEXT();
OrJump:
  if (sp[-1] == 1) {
    if (!may_skip(pc->mask)) {
      if (pc->var == 0) return false;
      const Value* v;
      OLIGO_DEF_VALUE(pc[1].a, v)
      static_cast<void>(v);
    }
    pc += pc->a;
  } else if (pc->kind == 0) {
    --sp;
  }
  OLIGO_NEXT();
Join:
  --sp;
  sp[-1] = static_cast<Op>(pc->kind) == Op::And ? std::min(sp[-1], sp[0]) : std::max(sp[-1], sp[0]);
  OLIGO_NEXT();
DefInline:
  if (s_.done[pc->a] == s_.generation) {
    if (!take(s_.cache[pc->a], pc->kind, *sp)) return false;
    ++sp;
    pc += pc->loop.len;
  }
  OLIGO_NEXT();
SetBit:
  // An unknown condition (0.5) does not hold, as for the one-by-one evaluation it replaces.
  if (*--sp == 1) sp[-1] += pc->k;
  OLIGO_NEXT();
Bail:
  return false;
ExitIf:
  if (*--sp != 0) {
    if (sp[0] != 1) return false;  // unknown
    out = pc->k;
    return true;
  }
  OLIGO_NEXT();
ListEnum : {
  const Value& l = values[pc->a & 0xFFFFU];
  if (l.kind != VKind::List) return false;
  const uint32_t sub = pc->a >> 16;
  bool any = false, all = true;
  for (uint32_t i = 0; i < l.list.count; ++i) {
    const Value& rec = l.list.items[i];
    if (rec.kind != VKind::Record) return false;
    const Value& v = rec.rec.fields[sub];
    if (v.kind != VKind::Enum || v.enum_id != pc->var) return false;
    const bool in = v.e < 64 && ((pc->mask >> v.e) & 1U);
    any = any || in;
    all = all && in;
  }
  const bool x = static_cast<Fn>(pc->kind & ~kNegate) == Fn::Any ? any : all;
  *sp++ = (x != ((pc->kind & kNegate) != 0)) ? 1 : 0;
  OLIGO_NEXT();
}
End:
  out = stack[0];
  return true;
#undef OLIGO_DEF_VALUE
#undef OLIGO_NEXT
#undef OLIGO_DISPATCH
}
#pragma GCC diagnostic pop

void Evaluator::eval_all_defs() {
  const auto n = static_cast<uint32_t>(m_.def_hot.size());
  for (uint32_t d = 0; d < n; ++d) {
    if (s_.done[d] == s_.generation) continue;
    const RuleSetModel::DefHot& hot = m_.def_hot[d];
    if ((hot.kind == DefKind::Criterion || hot.kind == DefKind::Fact) && hot.root != kNone && !s_.verify_fast) {
      const HotNode& root = m_.hot[hot.root];
      double x;
      if (root.prog_len != 0) {
        // Bailed out: the general tier, without running the program a second time in def().
        if (!(run_prog(root, x) && store_fast(d, x))) memo(d, eval(hot.root));
        continue;
      }
    }
    def(d);
  }
}

}  // namespace oligoscreen::detail
