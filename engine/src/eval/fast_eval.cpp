// The fast tier of evaluation: plain booleans, numbers, enum indices and days, for the
// common case where every value a definition reads is known. Anything else bails out (false)
// and the general tier (evaluator.cpp) evaluates the definition with Kleene logic, unknown
// sets and what-if probes. Both tiers give the same value whenever the fast one succeeds
// (checked in tests with EvalState::verify_fast).
#include <algorithm>
#include <cmath>

#include "core/date.hpp"
#include "eval/evaluator.hpp"

namespace oligoscreen::detail {

const Value& Evaluator::field_value(uint32_t slot) const {
  return values_[slot];
}

const Value* Evaluator::sub_value(uint32_t var, uint32_t sub) const {
  const Value& rec = s_.vars[var];
  if (rec.kind != VKind::Record) return nullptr;
  return &rec.rec.fields[sub];
}

bool Evaluator::fast_list(uint32_t node, const Value*& items, uint32_t& count) {
  const HotNode& n = m_.hot[node];
  const Value* v = nullptr;
  if (n.op == Op::Field) {
    v = &field_value(n.index);
  } else if (n.op == Op::Param) {
    v = &m_.params[n.index].value;
  }
  if (!v || v->kind != VKind::List) return false;
  items = v->list.items;
  count = v->list.count;
  return true;
}

bool Evaluator::fast_def(uint32_t d, Value& out) {
  out = (s_.done[d] == s_.generation) ? s_.cache[d] : def(d);
  return out.kind != VKind::Unknown;
}

bool Evaluator::fast_bool(uint32_t node, bool& out) {
  const HotNode& n = m_.hot[node];
  switch (n.op) {
    case Op::Literal:
      if (n.lit_kind != VKind::Bool) return false;
      out = n.flag;
      return true;
    case Op::Field: {
      const Value& v = field_value(n.index);
      if (v.kind != VKind::Bool) return false;
      out = v.b;
      return true;
    }
    case Op::SubField: {
      const Value* v = sub_value(m_.hot[n.a].index, n.index);
      if (!v || v->kind != VKind::Bool) return false;
      out = v->b;
      return true;
    }
    case Op::Var: {
      const Value& v = s_.vars[n.index];
      if (v.kind != VKind::Bool) return false;
      out = v.b;
      return true;
    }
    case Op::Param: {
      const Value& v = m_.params[n.index].value;
      if (v.kind != VKind::Bool) return false;
      out = v.b;
      return true;
    }
    case Op::Def: {
      Value v;
      if (!fast_def(n.index, v) || v.kind != VKind::Bool) return false;
      out = v.b;
      return true;
    }
    case Op::Not: {
      bool x;
      if (!fast_bool(n.a, x)) return false;
      out = !x;
      return true;
    }
    case Op::And:
    case Op::Or: {
      bool x, y;  // both sides, like the general tier (no short-circuit)
      if (!fast_bool(n.a, x) || !fast_bool(n.b, y)) return false;
      out = n.op == Op::And ? (x && y) : (x || y);
      return true;
    }
    case Op::CmpConst: {
      const Value* v = n.c == kNone ? &field_value(n.index) : sub_value(n.c, n.index);
      if (!v) return false;
      if (v->kind == VKind::Number && n.lit_kind == VKind::Number) {
        double x = v->num, c = n.num;
        switch (n.cmp) {
          case Op::Lt:
            out = x < c;
            return true;
          case Op::Le:
            out = x <= c;
            return true;
          case Op::Gt:
            out = x > c;
            return true;
          case Op::Ge:
            out = x >= c;
            return true;
          case Op::Eq:
            out = x == c;
            return true;
          case Op::Ne:
            out = x != c;
            return true;
          default:
            return false;
        }
      }
      if (v->kind == VKind::Enum && n.lit_kind == VKind::Enum && (n.cmp == Op::Eq || n.cmp == Op::Ne)) {
        out = (v->e == n.en.e) == (n.cmp == Op::Eq);
        return true;
      }
      return false;
    }
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
      int c = 0;  // -1, 0, 1
      bool equality_only = false;
      switch (n.operand_type) {
        case Type::Number: {
          double x, y;
          if (!fast_num(n.a, x) || !fast_num(n.b, y)) return false;
          c = x < y ? -1 : (x > y ? 1 : 0);
          break;
        }
        case Type::Date: {
          int32_t x, y;
          if (!fast_day(n.a, x) || !fast_day(n.b, y)) return false;
          c = x < y ? -1 : (x > y ? 1 : 0);
          break;
        }
        case Type::Enum: {
          uint32_t x, y;
          if (!fast_enum(n.a, x) || !fast_enum(n.b, y)) return false;
          c = x == y ? 0 : 1;
          equality_only = true;
          break;
        }
        case Type::Bool: {
          bool x, y;
          if (!fast_bool(n.a, x) || !fast_bool(n.b, y)) return false;
          c = x == y ? 0 : 1;
          equality_only = true;
          break;
        }
        default:
          return false;
      }
      switch (n.op) {
        case Op::Eq:
          out = c == 0;
          return true;
        case Op::Ne:
          out = c != 0;
          return true;
        case Op::Lt:
          out = c < 0;
          return !equality_only;
        case Op::Le:
          out = c <= 0;
          return !equality_only;
        case Op::Gt:
          out = c > 0;
          return !equality_only;
        case Op::Ge:
          out = c >= 0;
          return !equality_only;
        default:
          return false;
      }
    }
    case Op::In: {
      if (n.operand_type != Type::Enum) return false;
      uint32_t x;
      if (!fast_enum(n.a, x)) return false;
      const HotNode& list = m_.hot[n.b];
      if (list.op == Op::ListLit) {
        bool found = false;
        const uint32_t* args = m_.hot_args.data() + list.args_first;
        for (uint32_t i = 0; i < list.args_count; ++i) {
          uint32_t y;
          if (!fast_enum(args[i], y)) return false;
          found = found || x == y;
        }
        out = found;
        return true;
      }
      const Value* items;
      uint32_t count;
      if (!fast_list(n.b, items, count)) return false;
      out = false;
      for (uint32_t i = 0; i < count; ++i) {
        if (items[i].kind != VKind::Enum) return false;
        if (items[i].e == x) out = true;
      }
      return true;
    }
    case Op::If: {
      bool c;
      if (!fast_bool(n.a, c)) return false;
      return fast_bool(c ? n.b : n.c, out);
    }
    case Op::Call: {
      const uint32_t* args = m_.hot_args.data() + n.args_first;
      switch (n.fn) {
        case Fn::Known:
          out = eval(args[0]).known();
          return true;
        case Fn::IsTrue: {
          Value v = eval(args[0]);
          out = v.kind == VKind::Bool && v.b;
          return true;
        }
        case Fn::All:
        case Fn::Any: {
          const Value* items;
          uint32_t count;
          if (!fast_list(args[0], items, count)) return false;
          uint32_t var = m_.hot[args[1]].index;
          Value saved = s_.vars[var];
          bool acc = n.fn == Fn::All;
          bool ok = true;
          for (uint32_t i = 0; i < count && ok; ++i) {
            s_.vars[var] = items[i];
            bool x = false;
            ok = fast_bool(args[2], x);
            if (ok) acc = n.fn == Fn::All ? (acc && x) : (acc || x);  // x is unset when !ok
          }
          s_.vars[var] = saved;
          if (!ok) return false;
          out = acc;
          return true;
        }
        default:
          return false;
      }
    }
    default:
      return false;
  }
}

bool Evaluator::fast_num(uint32_t node, double& out) {
  const HotNode& n = m_.hot[node];
  switch (n.op) {
    case Op::Literal:
      if (n.lit_kind != VKind::Number) return false;
      out = n.num;
      return true;
    case Op::Field: {
      const Value& v = field_value(n.index);
      if (v.kind != VKind::Number) return false;
      out = v.num;
      return true;
    }
    case Op::SubField: {
      const Value* v = sub_value(m_.hot[n.a].index, n.index);
      if (!v || v->kind != VKind::Number) return false;
      out = v->num;
      return true;
    }
    case Op::Var:
      if (s_.vars[n.index].kind != VKind::Number) return false;
      out = s_.vars[n.index].num;
      return true;
    case Op::Param: {
      const Value& v = m_.params[n.index].value;
      if (v.kind != VKind::Number) return false;
      out = v.num;
      return true;
    }
    case Op::Def: {
      Value v;
      if (!fast_def(n.index, v) || v.kind != VKind::Number) return false;
      out = v.num;
      return true;
    }
    case Op::Neg: {
      double x;
      if (!fast_num(n.a, x)) return false;
      out = -x;
      return true;
    }
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div: {
      double x, y;
      if (!fast_num(n.a, x) || !fast_num(n.b, y)) return false;
      switch (n.op) {
        case Op::Add:
          out = x + y;
          return true;
        case Op::Sub:
          out = x - y;
          return true;
        case Op::Mul:
          out = x * y;
          return true;
        default:
          if (y == 0) return false;  // unknown in the general tier
          out = x / y;
          return true;
      }
    }
    case Op::If: {
      bool c;
      if (!fast_bool(n.a, c)) return false;
      return fast_num(c ? n.b : n.c, out);
    }
    case Op::Call: {
      const uint32_t* args = m_.hot_args.data() + n.args_first;
      switch (n.fn) {
        case Fn::Count: {
          const Value* items;
          uint32_t count;
          if (!fast_list(args[0], items, count)) return false;
          out = count;
          return true;
        }
        case Fn::CountIf:
        case Fn::Min:
        case Fn::Max:
        case Fn::Sum: {
          const Value* items;
          uint32_t count;
          if (!fast_list(args[0], items, count)) return false;
          if ((n.fn == Fn::Min || n.fn == Fn::Max) && count == 0) return false;  // unknown
          uint32_t var = m_.hot[args[1]].index;
          Value saved = s_.vars[var];
          double acc = 0;
          bool ok = true;
          for (uint32_t i = 0; i < count && ok; ++i) {
            s_.vars[var] = items[i];
            if (n.fn == Fn::CountIf) {
              bool x = false;
              ok = fast_bool(args[2], x);
              acc += ok && x ? 1 : 0;
            } else {
              double x = 0;
              ok = fast_num(args[2], x);
              if (n.fn == Fn::Sum) acc += x;
              if (n.fn == Fn::Min) acc = i == 0 ? x : std::min(acc, x);
              if (n.fn == Fn::Max) acc = i == 0 ? x : std::max(acc, x);
            }
          }
          s_.vars[var] = saved;
          if (!ok) return false;
          out = acc;
          return true;
        }
        case Fn::DaysBetween: {
          int32_t x, y;
          if (!fast_day(args[0], x) || !fast_day(args[1], y)) return false;
          out = static_cast<double>(y) - x;
          return true;
        }
        default:
          return false;
      }
    }
    default:
      return false;
  }
}

const Value* Evaluator::leaf_value(const HotNode& n, Value& held) {
  switch (n.op) {
    case Op::Field:
      return &field_value(n.index);
    case Op::SubField:
      return sub_value(m_.hot[n.a].index, n.index);
    case Op::Var:
      return &s_.vars[n.index];
    case Op::Param:
      return &m_.params[n.index].value;
    case Op::Def:
      return fast_def(n.index, held) ? &held : nullptr;
    default:
      return nullptr;
  }
}

bool Evaluator::fast_enum(uint32_t node, uint32_t& out) {
  const HotNode& n = m_.hot[node];
  const Value* v = nullptr;
  Value held;
  switch (n.op) {
    case Op::Literal:
      if (n.lit_kind != VKind::Enum) return false;
      out = n.en.e;
      return true;
    case Op::Field:
    case Op::SubField:
    case Op::Var:
    case Op::Param:
    case Op::Def:
      v = leaf_value(n, held);
      break;
    case Op::If: {
      bool c;
      if (!fast_bool(n.a, c)) return false;
      return fast_enum(c ? n.b : n.c, out);
    }
    default:
      return false;
  }
  if (!v || v->kind != VKind::Enum) return false;
  out = v->e;
  return true;
}

bool Evaluator::fast_day(uint32_t node, int32_t& out) {
  const HotNode& n = m_.hot[node];
  const Value* v = nullptr;
  Value held;
  switch (n.op) {
    case Op::Literal:
      if (n.lit_kind != VKind::Date) return false;
      v = &m_.hot_lits[n.lit];
      break;
    case Op::Field:
    case Op::SubField:
    case Op::Var:
    case Op::Param:
    case Op::Def:
      v = leaf_value(n, held);
      break;
    case Op::Call: {
      if (n.fn != Fn::AddMonths && n.fn != Fn::AddDays) return false;
      const uint32_t* args = m_.hot_args.data() + n.args_first;
      int32_t d;
      double k;
      if (!fast_day(args[0], d) || !fast_num(args[1], k)) return false;
      auto amount = static_cast<int32_t>(std::trunc(std::clamp(k, -1e6, 1e6)));
      out = n.fn == Fn::AddMonths ? plus_months(d, amount) : d + amount;
      return true;
    }
    case Op::If: {
      bool c;
      if (!fast_bool(n.a, c)) return false;
      return fast_day(c ? n.b : n.c, out);
    }
    default:
      return false;
  }
  if (!v || v->kind != VKind::Date || v->date.lo != v->date.hi) return false;
  out = v->date.lo;
  return true;
}

}  // namespace oligoscreen::detail
