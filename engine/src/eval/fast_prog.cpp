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

bool Evaluator::vague_slot(uint32_t slot) const {
  auto vague = [](const Value& v) {
    return v.kind == VKind::Unknown || (v.kind == VKind::Date && v.date.lo != v.date.hi);
  };
  const Value& v = values_[slot];
  if (vague(v)) return true;
  if (v.kind != VKind::List) return false;
  size_t nsub = m_.schema.fields[slot].fields.size();
  for (uint32_t e = 0; e < v.list.count; ++e) {
    const Value& item = v.list.items[e];
    if (item.kind != VKind::Record) {
      if (vague(item)) return true;
      continue;
    }
    for (size_t k = 0; k < nsub; ++k) {
      if (vague(item.rec.fields[k])) return true;
    }
  }
  return false;
}

bool Evaluator::classify_slots(uint64_t mask) {
  uint64_t need = mask & ~s_.checked_slots;
  while (need) {
    auto bit = static_cast<uint32_t>(__builtin_ctzll(need));
    need &= need - 1;
    bool vague = false;
    auto nslots = static_cast<uint32_t>(m_.schema.fields.size());
    if (bit < 63) {
      vague = bit < nslots && vague_slot(bit);
    } else {
      for (uint32_t slot = 63; slot < nslots && !vague; ++slot) vague = vague_slot(slot);
    }
    s_.checked_slots |= uint64_t{1} << bit;
    if (vague) s_.vague_slots |= uint64_t{1} << bit;
  }
  return (mask & s_.vague_slots) == 0;
}

inline bool Evaluator::may_skip(uint64_t mask) {
  if (!s_.record_probes) return true;
  if ((mask & ~s_.checked_slots) == 0) return (mask & s_.vague_slots) == 0;
  return classify_slots(mask);
}

// The interpreter, inlined into run_prog (one program) and eval_all_defs (every definition's
// program in turn, without a call per definition).
[[gnu::always_inline]] inline bool Evaluator::exec(const HotNode& root, double& out) {
  double stack[kFastStack];
  LoopFrame loops[kFastLoops];
  double* sp = stack;
  LoopFrame* lp = loops;
  const Value* values = values_;
  const FastOp* pc = m_.fast_ops.data() + root.prog_first;
  const FastOp* end = pc + root.prog_len;
  for (; pc != end; ++pc) {
    const FastOp& op = *pc;
    switch (op.code) {
      case FCode::Field:
        if (!take(values[op.a], op.kind, *sp)) return false;
        ++sp;
        break;
      case FCode::Sub: {
        const Value* rec = s_.items[op.var];
        if (rec->kind != VKind::Record || !take(rec->rec.fields[op.a], op.kind, *sp)) return false;
        ++sp;
        break;
      }
      case FCode::Var:
        if (!take(*s_.items[op.var], op.kind, *sp)) return false;
        ++sp;
        break;
      case FCode::Param:
        if (!take(m_.params[op.a].value, op.kind, *sp)) return false;
        ++sp;
        break;
      case FCode::Def: {
        if (s_.done[op.a] == s_.generation) {
          if (!take(s_.cache[op.a], op.kind, *sp)) return false;
        } else {
          Value v = def(op.a);
          // The definition's own loops may have used the same variable numbers.
          for (LoopFrame* f = loops; f != lp; ++f) s_.items[f->var] = f->items + f->i;
          if (!take(v, op.kind, *sp)) return false;
        }
        ++sp;
        break;
      }
      case FCode::Const:
        *sp++ = op.k;
        break;
      case FCode::FieldCmpK:
        if (!field_cmp_k(values[op.a], op, *sp)) return false;
        ++sp;
        break;
      case FCode::SubCmpK: {
        const Value* rec = s_.items[op.a >> 16];
        if (rec->kind != VKind::Record || !field_cmp_k(rec->rec.fields[op.a & 0xFFFFU], op, *sp)) return false;
        ++sp;
        break;
      }
      case FCode::FieldEnumK:
      case FCode::SubEnumK: {
        const Value* v;
        if (op.code == FCode::FieldEnumK) {
          v = &values[op.a];
        } else {
          const Value* rec = s_.items[op.a >> 16];
          if (rec->kind != VKind::Record) return false;
          v = &rec->rec.fields[op.a & 0xFFFFU];
        }
        if (!enum_k(*v, op, *sp)) return false;
        ++sp;
        break;
      }
      case FCode::Not:
        sp[-1] = 1 - sp[-1];
        break;
      case FCode::And:
        --sp;
        sp[-1] = (sp[-1] != 0 && sp[0] != 0) ? 1 : 0;
        break;
      case FCode::Or:
        --sp;
        sp[-1] = (sp[-1] != 0 || sp[0] != 0) ? 1 : 0;
        break;
      case FCode::Neg:
        sp[-1] = -sp[-1];
        break;
      case FCode::Add:
        --sp;
        sp[-1] += sp[0];
        break;
      case FCode::Sub2:
        --sp;
        sp[-1] -= sp[0];
        break;
      case FCode::Mul:
        --sp;
        sp[-1] *= sp[0];
        break;
      case FCode::Div:
        --sp;
        if (sp[0] == 0) return false;  // unknown in the general tier
        sp[-1] /= sp[0];
        break;
      case FCode::Lt:
        --sp;
        sp[-1] = sp[-1] < sp[0] ? 1 : 0;
        break;
      case FCode::Le:
        --sp;
        sp[-1] = sp[-1] <= sp[0] ? 1 : 0;
        break;
      case FCode::Gt:
        --sp;
        sp[-1] = sp[-1] > sp[0] ? 1 : 0;
        break;
      case FCode::Ge:
        --sp;
        sp[-1] = sp[-1] >= sp[0] ? 1 : 0;
        break;
      case FCode::Eq:
        --sp;
        sp[-1] = sp[-1] == sp[0] ? 1 : 0;
        break;
      case FCode::Ne:
        --sp;
        sp[-1] = sp[-1] != sp[0] ? 1 : 0;
        break;
      case FCode::InMask: {
        auto e = static_cast<uint32_t>(sp[-1]);
        sp[-1] = (e < 64 && ((op.mask >> e) & 1U)) ? 1 : 0;
        break;
      }
      case FCode::InField: {
        const Value& l = values[op.a];
        if (l.kind != VKind::List) return false;
        const auto e = static_cast<uint32_t>(sp[-1]);
        bool found = false;
        for (uint32_t i = 0; i < l.list.count; ++i) {
          const Value& item = l.list.items[i];
          if (item.kind != VKind::Enum) return false;
          found = found || item.e == e;
        }
        sp[-1] = found ? 1 : 0;
        break;
      }
      case FCode::KnownField:
        *sp++ = values[op.a].kind != VKind::Unknown ? 1 : 0;
        break;
      case FCode::KnownSub: {
        const Value* rec = s_.items[op.var];
        *sp++ = (rec->kind == VKind::Record && rec->rec.fields[op.a].kind != VKind::Unknown) ? 1 : 0;
        break;
      }
      case FCode::KnownDef: {
        bool known = true;
        if (s_.done[op.a] == s_.generation) {
          known = s_.cache[op.a].known();
        } else {
          known = def(op.a).known();
          for (LoopFrame* f = loops; f != lp; ++f) s_.items[f->var] = f->items + f->i;
        }
        *sp++ = known ? 1 : 0;
        break;
      }
      case FCode::Count: {
        const Value& l = op.var ? m_.params[op.a].value : values[op.a];
        if (l.kind != VKind::List) return false;
        *sp++ = l.list.count;
        break;
      }
      case FCode::Loop: {
        const Value& l = op.loop.list ? m_.params[op.a].value : values[op.a];
        if (l.kind != VKind::List) return false;
        auto fn = static_cast<Fn>(op.kind);
        if (l.list.count == 0) {
          if (fn == Fn::Min || fn == Fn::Max) return false;  // unknown
          *sp++ = fn == Fn::All ? 1 : 0;
          pc += op.loop.len + 1;  // past the body and its LoopEnd
          break;
        }
        *lp++ = LoopFrame{l.list.items, l.list.count, 0, fn == Fn::All ? 1.0 : 0.0, op.var};
        s_.items[op.var] = l.list.items;
        break;
      }
      case FCode::LoopEnd: {
        LoopFrame& f = lp[-1];
        double x = *--sp;
        switch (static_cast<Fn>(op.kind)) {
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
          s_.items[op.var] = f.items + f.i;
          pc -= op.a + 1;  // back to the body's first op (the loop's ++pc lands there)
        } else {
          *sp++ = f.acc;
          --lp;
        }
        break;
      }
      case FCode::DaysBetween:
        --sp;
        sp[-1] = sp[0] - sp[-1];
        break;
      case FCode::AddMonths:
      case FCode::AddDays: {
        --sp;
        auto amount = static_cast<int32_t>(std::trunc(std::clamp(sp[0], -1e6, 1e6)));
        auto d = static_cast<int32_t>(sp[-1]);
        sp[-1] = op.code == FCode::AddMonths ? add_months_day(d, amount) : d + amount;
        break;
      }
      case FCode::JumpIfFalse:
        if (*--sp == 0) pc += op.a;
        break;
      case FCode::Jump:
        pc += op.a;
        break;
      case FCode::AndJump:
        if (sp[-1] == 0 && may_skip(op.mask)) pc += op.a;
        break;
      case FCode::OrJump:
        if (sp[-1] != 0 && may_skip(op.mask)) pc += op.a;
        break;
      case FCode::ListEnum: {
        const Value& l = values[op.a & 0xFFFFU];
        if (l.kind != VKind::List) return false;
        const uint32_t sub = op.a >> 16;
        bool any = false, all = true;
        for (uint32_t i = 0; i < l.list.count; ++i) {
          const Value& rec = l.list.items[i];
          if (rec.kind != VKind::Record) return false;
          const Value& v = rec.rec.fields[sub];
          if (v.kind != VKind::Enum || v.enum_id != op.var) return false;
          const bool in = v.e < 64 && ((op.mask >> v.e) & 1U);
          any = any || in;
          all = all && in;
        }
        *sp++ = (static_cast<Fn>(op.kind) == Fn::Any ? any : all) ? 1 : 0;
        break;
      }
      case FCode::DefInline:
        if (s_.done[op.a] == s_.generation) {
          if (!take(s_.cache[op.a], op.kind, *sp)) return false;
          ++sp;
          pc += op.loop.len;
        }
        break;
    }
  }
  out = stack[0];
  return true;
}

bool Evaluator::run_prog(const HotNode& root, double& out) {
  return exec(root, out);
}

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
        if (!(exec(root, x) && store_fast(d, x))) memo(d, eval(hot.root));
        continue;
      }
    }
    def(d);
  }
}

}  // namespace oligoscreen::detail
