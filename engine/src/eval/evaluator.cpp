#include "eval/evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/date.hpp"
#include "eval/fast_ops.hpp"

namespace oligoscreen::detail {

void prepare_state(const RuleSetModel& m, EvalState& s) {
  s.arena.reset();
  if (s.cache.size() != m.defs.size()) {
    s.cache.assign(m.defs.size(), Value{});
    s.done.assign(m.defs.size(), 0);
    s.generation = 0;
  }
  if (++s.generation == 0) {  // wrapped: forget every stale entry
    std::fill(s.done.begin(), s.done.end(), 0U);
    s.generation = 1;
  }
  if (s.vars.size() < std::max<uint32_t>(m.max_vars, 1)) s.vars.assign(std::max<uint32_t>(m.max_vars, 1), Value{});
  static const Value kNoItem;  // unknown: a program reading it outside a loop would bail out
  if (s.items.size() < s.vars.size()) s.items.assign(s.vars.size(), &kNoItem);
  s.probes.clear();
  s.checked_slots = s.vague_slots = 0;
  s.tree_paths.resize(m.trees.size());
  for (auto& p : s.tree_paths) p.clear();
  s.decided_rule.assign(m.outputs.size(), -1);
  s.rules_reached.assign(m.outputs.size(), 0);
  s.tree_nodes_reached.assign(m.trees.size(), 0);
}

Evaluator::Evaluator(const RuleSetModel& m, const Patient& p, EvalState& s, const Value* values)
    : m_(m), s_(s), values_(values ? values : p.values.data()) {}

const USet* Evaluator::single(FieldRef r) {
  auto* u = static_cast<USet*>(s_.arena.allocate(sizeof(USet)));
  u->size = 1;
  u->refs[0] = r;
  return u;
}

const USet* Evaluator::merge(const USet* a, const USet* b) {
  if (!a || a->size == 0) return b;
  if (!b || b->size == 0 || a == b) return a;
  // Common case: b is a subset of a (or the reverse): reuse.
  size_t bytes = sizeof(USet) + sizeof(FieldRef) * (a->size + b->size);
  auto* u = static_cast<USet*>(s_.arena.allocate(bytes));
  uint32_t i = 0, j = 0, n = 0;
  while (i < a->size || j < b->size) {
    FieldRef next;
    if (j >= b->size || (i < a->size && ref_order(a->refs[i]) < ref_order(b->refs[j]))) {
      next = a->refs[i++];
    } else if (i >= a->size || ref_order(b->refs[j]) < ref_order(a->refs[i])) {
      next = b->refs[j++];
    } else {
      next = a->refs[i++];
      ++j;
    }
    u->refs[n++] = next;
  }
  u->size = n;
  if (n == a->size) return a;
  if (n == b->size) return b;
  return u;
}

static uint64_t code_mask(const Value& v) {
  if (v.kind == VKind::Enum) return v.e < 64 ? (uint64_t{1} << v.e) : ~uint64_t{0};
  if (v.kind == VKind::Unknown && v.hint == kPossibleCodes) return v.codes;
  return ~uint64_t{0};
}

static const USet* why_of(const Value& v) {
  if (v.kind == VKind::Unknown) return v.why;
  if (v.kind == VKind::Date && v.date.lo != v.date.hi) return v.why;
  return nullptr;
}

Value Evaluator::unknown_of(const Value& a, const Value& b) {
  return Value::unknown(merge(why_of(a), why_of(b)));
}

bool Evaluator::same_known(const Value& a, const Value& b) const {
  if (a.kind != b.kind || a.kind == VKind::Unknown) return false;
  switch (a.kind) {
    case VKind::Bool:
      return a.b == b.b;
    case VKind::Number:
      return a.num == b.num;
    case VKind::Enum:
      return a.enum_id == b.enum_id && a.e == b.e;
    case VKind::Date:
      return a.date.lo == b.date.lo && a.date.hi == b.date.hi;
    case VKind::Text:
      return a.str() == b.str();
    default:
      return false;
  }
}

Value Evaluator::kand(const Value& a, const Value& b) {
  if ((a.kind == VKind::Bool && !a.b) || (b.kind == VKind::Bool && !b.b)) return Value::boolean(false);
  if (a.kind == VKind::Bool && b.kind == VKind::Bool) return Value::boolean(true);
  return unknown_of(a, b);
}

Value Evaluator::kor(const Value& a, const Value& b) {
  if ((a.kind == VKind::Bool && a.b) || (b.kind == VKind::Bool && b.b)) return Value::boolean(true);
  if (a.kind == VKind::Bool && b.kind == VKind::Bool) return Value::boolean(false);
  return unknown_of(a, b);
}

Value Evaluator::load_field(uint32_t slot) {
  FieldRef r = make_ref(slot);
  Value v = values_[slot];
  if (v.kind == VKind::Unknown) {
    Value u = Value::unknown(single(r));
    FieldType t = m_.schema.fields[slot].type;
    if (t == FieldType::Date) {
      u.hint = kShiftDate;
      u.shift.months = 0;
      u.shift.days = 0;
    } else if (t == FieldType::Integer || t == FieldType::Number) {
      u.hint = kShiftNumber;
      u.delta = 0;
    }
    return u;
  }
  if (v.kind == VKind::Date && v.date.lo != v.date.hi) v.why = single(r);
  return v;
}

Value Evaluator::load_sub(const Value& rec, uint32_t sub) {
  if (rec.kind != VKind::Record) return Value::unknown(rec.why);
  FieldRef r = rec.aux | ((sub + 1) << 16);
  Value v = rec.rec.fields[sub];
  if (v.kind == VKind::Unknown) {
    Value u = Value::unknown(single(r));
    const FieldDef& f = m_.schema.fields[ref_slot(r)].fields[sub];
    if (f.type == FieldType::Integer || f.type == FieldType::Number) {
      u.hint = kShiftNumber;
      u.delta = 0;
    } else if (f.type == FieldType::Date) {
      u.hint = kShiftDate;
      u.shift.months = 0;
      u.shift.days = 0;
    }
    return u;
  }
  if (v.kind == VKind::Date && v.date.lo != v.date.hi) v.why = single(r);
  return v;
}

void Evaluator::probe(const Value& u, const Value& k, Op op, bool unknown_on_left) {
  if (!s_.record_probes || !u.why || u.why->size != 1) return;
  if (u.hint != kShiftDate && u.hint != kShiftNumber) return;
  if (!unknown_on_left) {
    switch (op) {  // k op u  ==  u op' k
      case Op::Lt:
        op = Op::Gt;
        break;
      case Op::Le:
        op = Op::Ge;
        break;
      case Op::Gt:
        op = Op::Lt;
        break;
      case Op::Ge:
        op = Op::Le;
        break;
      default:
        break;
    }
  }
  bool closed_upper = (op == Op::Lt || op == Op::Ge);
  FieldRef f = u.why->refs[0];
  if (u.hint == kShiftNumber && k.kind == VKind::Number) {
    s_.probes.push_back({f, k.num - u.delta, closed_upper});
  } else if (u.hint == kShiftDate && k.kind == VKind::Date) {
    for (int32_t day : {k.date.lo, k.date.hi}) {
      int32_t t = add_months_table(day - u.shift.days, -u.shift.months);
      s_.probes.push_back({f, static_cast<double>(t), closed_upper});
      if (k.date.lo == k.date.hi) break;
    }
  }
}

Value Evaluator::compare(Op op, const Value& a, const Value& b) {
  if (a.kind == VKind::Unknown || b.kind == VKind::Unknown) {
    if (a.kind == VKind::Unknown && b.kind != VKind::Unknown) probe(a, b, op, true);
    if (b.kind == VKind::Unknown && a.kind != VKind::Unknown) probe(b, a, op, false);
    return unknown_of(a, b);
  }
  if (a.kind == VKind::Number && b.kind == VKind::Number) {
    switch (op) {
      case Op::Lt:
        return Value::boolean(a.num < b.num);
      case Op::Le:
        return Value::boolean(a.num <= b.num);
      case Op::Gt:
        return Value::boolean(a.num > b.num);
      case Op::Ge:
        return Value::boolean(a.num >= b.num);
      default:
        break;
    }
  }
  if (a.kind == VKind::Date && b.kind == VKind::Date) {
    int32_t alo = a.date.lo, ahi = a.date.hi, blo = b.date.lo, bhi = b.date.hi;
    int r = 2;  // 0 false, 1 true, 2 undecided
    switch (op) {
      case Op::Lt:
        r = ahi < blo ? 1 : (alo >= bhi ? 0 : 2);
        break;
      case Op::Le:
        r = ahi <= blo ? 1 : (alo > bhi ? 0 : 2);
        break;
      case Op::Gt:
        r = alo > bhi ? 1 : (ahi <= blo ? 0 : 2);
        break;
      case Op::Ge:
        r = alo >= bhi ? 1 : (ahi < blo ? 0 : 2);
        break;
      default:
        break;
    }
    if (r == 2) return unknown_of(a, b);
    return Value::boolean(r == 1);
  }
  return Value::unknown();
}

Value Evaluator::equal(const Value& a, const Value& b, bool negate) {
  if (a.kind == VKind::Unknown || b.kind == VKind::Unknown) {
    if (a.kind == VKind::Unknown && b.kind != VKind::Unknown) probe(a, b, Op::Eq, true);
    if (b.kind == VKind::Unknown && a.kind != VKind::Unknown) probe(b, a, Op::Eq, false);
    return unknown_of(a, b);
  }
  bool eq = false;
  if (a.kind == VKind::Date && b.kind == VKind::Date) {
    if (a.date.hi < b.date.lo || b.date.hi < a.date.lo) {
      eq = false;
    } else if (a.date.lo == a.date.hi && b.date.lo == b.date.hi) {
      eq = true;
    } else {
      return unknown_of(a, b);
    }
  } else {
    eq = same_known(a, b);
  }
  return Value::boolean(negate ? !eq : eq);
}

Value Evaluator::membership(const Value& x, const Value& list) {
  if (list.kind == VKind::Unknown || x.kind == VKind::Unknown) return unknown_of(x, list);
  if (list.kind != VKind::List) return Value::unknown();
  const USet* why = nullptr;
  bool any_unknown = false;
  for (uint32_t i = 0; i < list.list.count; ++i) {
    Value r = equal(x, list.list.items[i], false);
    if (r.kind == VKind::Bool && r.b) return Value::boolean(true);
    if (r.kind == VKind::Unknown) {
      any_unknown = true;
      why = merge(why, r.why);
    }
  }
  if (any_unknown) return Value::unknown(why);
  return Value::boolean(false);
}

Value Evaluator::arith(uint32_t node, const Value& a, const Value& b) {
  Op op = m_.hot[node].op;
  if (a.kind == VKind::Number && b.kind == VKind::Number) {
    switch (op) {
      case Op::Add:
        return Value::number(a.num + b.num);
      case Op::Sub:
        return Value::number(a.num - b.num);
      case Op::Mul:
        return Value::number(a.num * b.num);
      case Op::Div:
        if (b.num == 0) return Value::unknown();  // as CQL: division by zero is null
        return Value::number(a.num / b.num);
      default:
        break;
    }
  }
  Value u = unknown_of(a, b);
  // Keep the affine form (field + constant) so that what-if can find thresholds.
  if (a.kind == VKind::Unknown && a.hint == kShiftNumber && b.kind == VKind::Number &&
      (op == Op::Add || op == Op::Sub)) {
    u.hint = kShiftNumber;
    u.delta = op == Op::Add ? a.delta + b.num : a.delta - b.num;
  } else if (b.kind == VKind::Unknown && b.hint == kShiftNumber && a.kind == VKind::Number && op == Op::Add) {
    u.hint = kShiftNumber;
    u.delta = b.delta + a.num;
  }
  return u;
}

Value Evaluator::list_fn(uint32_t node) {
  const HotNode& n = m_.hot[node];
  const uint32_t* args = m_.hot_args.data() + n.args_first;
  Value list = eval(args[0]);
  if (list.kind != VKind::List) return Value::unknown(list.why);
  uint32_t var = m_.hot[args[1]].index;
  Value saved = s_.vars[var];
  const USet* why = nullptr;
  bool any_unknown = false, any_true = false, any_false = false;
  uint32_t count = 0;
  double acc = 0;
  bool have = false;
  for (uint32_t i = 0; i < list.list.count; ++i) {
    s_.vars[var] = list.list.items[i];
    Value r = eval(args[2]);
    if (r.kind == VKind::Unknown) {
      any_unknown = true;
      why = merge(why, r.why);
      continue;
    }
    switch (n.fn) {
      case Fn::CountIf:
      case Fn::All:
      case Fn::Any:
        if (r.kind == VKind::Bool) {
          if (r.b) {
            any_true = true;
            ++count;
          } else {
            any_false = true;
          }
        }
        break;
      case Fn::Min:
        acc = have ? std::min(acc, r.num) : r.num;
        have = true;
        break;
      case Fn::Max:
        acc = have ? std::max(acc, r.num) : r.num;
        have = true;
        break;
      case Fn::Sum:
        acc += r.num;
        have = true;
        break;
      default:
        break;
    }
  }
  s_.vars[var] = saved;
  switch (n.fn) {
    case Fn::CountIf:
      return any_unknown ? Value::unknown(why) : Value::number(count);
    case Fn::All:
      if (any_false) return Value::boolean(false);
      return any_unknown ? Value::unknown(why) : Value::boolean(true);
    case Fn::Any:
      if (any_true) return Value::boolean(true);
      return any_unknown ? Value::unknown(why) : Value::boolean(false);
    case Fn::Min:
    case Fn::Max:
      if (any_unknown || !have) return Value::unknown(why);
      return Value::number(acc);
    case Fn::Sum:
      return any_unknown ? Value::unknown(why) : Value::number(acc);
    default:
      return Value::unknown();
  }
}

Value Evaluator::call(uint32_t node) {
  const HotNode& n = m_.hot[node];
  const uint32_t* args = m_.hot_args.data() + n.args_first;
  switch (n.fn) {
    case Fn::Known:
      return Value::boolean(eval(args[0]).known());
    case Fn::IsTrue: {
      Value v = eval(args[0]);
      return Value::boolean(v.kind == VKind::Bool && v.b);
    }
    case Fn::AddMonths:
    case Fn::AddDays: {
      Value d = eval(args[0]);
      Value k = eval(args[1]);
      if (k.kind != VKind::Number) return unknown_of(d, k);
      auto amount = static_cast<int32_t>(std::trunc(std::clamp(k.num, -1e6, 1e6)));
      if (d.kind == VKind::Unknown) {
        Value u = Value::unknown(d.why);
        if (d.hint == kShiftDate) {
          u.hint = kShiftDate;
          u.shift = d.shift;
          if (n.fn == Fn::AddMonths) {
            u.shift.months += amount;
          } else {
            u.shift.days += amount;
          }
        }
        return u;
      }
      if (d.kind != VKind::Date) return Value::unknown();
      if (n.fn == Fn::AddMonths) {
        return Value::date_range(plus_months(d.date.lo, amount), plus_months(d.date.hi, amount), d.why);
      }
      return Value::date_range(d.date.lo + amount, d.date.hi + amount, d.why);
    }
    case Fn::DaysBetween: {
      Value a = eval(args[0]);
      Value b = eval(args[1]);
      if (a.kind == VKind::Date && b.kind == VKind::Date && a.date.lo == a.date.hi && b.date.lo == b.date.hi) {
        return Value::number(static_cast<double>(b.date.lo) - a.date.lo);
      }
      return unknown_of(a, b);
    }
    case Fn::Count: {
      Value l = eval(args[0]);
      if (l.kind != VKind::List) return Value::unknown(l.why);
      return Value::number(l.list.count);
    }
    default:
      return list_fn(node);
  }
}

Value Evaluator::eval(uint32_t node) {
  const HotNode& n = m_.hot[node];
  switch (n.op) {
    case Op::Literal:
      switch (n.lit_kind) {
        case VKind::Number:
          return Value::number(n.num);
        case VKind::Bool:
          return Value::boolean(n.flag);
        case VKind::Enum:
          return Value::enumerated(n.en.enum_id, n.en.e);
        default:
          return m_.hot_lits[n.lit];
      }
    case Op::Field: {
      const Value& v = values_[n.index];
      // Fast path: a known, precise value.
      if (v.kind != VKind::Unknown && (v.kind != VKind::Date || v.date.lo == v.date.hi)) return v;
      return load_field(n.index);
    }
    case Op::SubField:
      return load_sub(eval(n.a), n.index);
    case Op::Var:
      return s_.vars[n.index];
    case Op::Param:
      return m_.params[n.index].value;
    case Op::Def:
      if (s_.done[n.index] == s_.generation) return s_.cache[n.index];
      return def(n.index);
    case Op::Not: {
      Value v = eval(n.a);
      if (v.kind == VKind::Bool) return Value::boolean(!v.b);
      return Value::unknown(why_of(v));
    }
    case Op::Neg: {
      Value v = eval(n.a);
      if (v.kind == VKind::Number) return Value::number(-v.num);
      return Value::unknown(why_of(v));
    }
    case Op::And: {
      Value a = eval(n.a);
      Value b = eval(n.b);  // no short-circuit: the trace and unknown sets stay complete
      return kand(a, b);
    }
    case Op::Or: {
      Value a = eval(n.a);
      Value b = eval(n.b);
      return kor(a, b);
    }
    case Op::Eq:
    case Op::Ne: {
      Value a = eval(n.a);
      Value b = eval(n.b);
      return equal(a, b, n.op == Op::Ne);
    }
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
      Value a = eval(n.a);
      Value b = eval(n.b);
      return compare(n.op, a, b);
    }
    case Op::In: {
      Value a = eval(n.a);
      Value b = eval(n.b);
      return membership(a, b);
    }
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div: {
      Value a = eval(n.a);
      Value b = eval(n.b);
      return arith(node, a, b);
    }
    case Op::If: {
      Value c = eval(n.a);
      if (c.kind == VKind::Bool) return eval(c.b ? n.b : n.c);
      Value a = eval(n.b);
      Value b = eval(n.c);
      if (same_known(a, b)) return a;
      Value u = Value::unknown(merge(c.why, merge(why_of(a), why_of(b))));
      uint64_t mask = code_mask(a) | code_mask(b);
      if (mask != ~uint64_t{0}) {
        u.hint = kPossibleCodes;
        u.codes = mask;
      }
      return u;
    }
    case Op::ListLit: {
      auto* items = static_cast<Value*>(s_.arena.allocate(sizeof(Value) * std::max<size_t>(n.args_count, 1)));
      const uint32_t* args = m_.hot_args.data() + n.args_first;
      for (uint32_t i = 0; i < n.args_count; ++i) new (&items[i]) Value(eval(args[i]));
      return Value::list_of(items, n.args_count);
    }
    case Op::Call:
      return call(node);
    case Op::CmpConst:
      return compare_const(n);
    case Op::Name:
    case Op::Member:
      break;  // resolved at load time
  }
  return Value::unknown();
}

// `field <cmp> constant`, the commonest criterion shape: compared in place when the field is
// known and not overridden; otherwise the general path (unknown sets, probes, dates).
Value Evaluator::compare_const(const HotNode& n) {
  const Value* v = nullptr;
  if (n.c == kNone) {
    v = &values_[n.index];
  } else {
    const Value& rec = s_.vars[n.c];
    if (rec.kind == VKind::Record) v = &rec.rec.fields[n.index];
  }
  if (v && v->kind == VKind::Number && n.lit_kind == VKind::Number) {
    double x = v->num, c = n.num;
    switch (n.cmp) {
      case Op::Lt:
        return Value::boolean(x < c);
      case Op::Le:
        return Value::boolean(x <= c);
      case Op::Gt:
        return Value::boolean(x > c);
      case Op::Ge:
        return Value::boolean(x >= c);
      case Op::Eq:
        return Value::boolean(x == c);
      case Op::Ne:
        return Value::boolean(x != c);
      default:
        break;
    }
  }
  if (v && v->kind == VKind::Enum && n.lit_kind == VKind::Enum && v->enum_id == n.en.enum_id) {
    if (n.cmp == Op::Eq) return Value::boolean(v->e == n.en.e);
    if (n.cmp == Op::Ne) return Value::boolean(v->e != n.en.e);
  }
  Value a = eval(n.a);
  Value k = n.lit_kind == VKind::Number ? Value::number(n.num) : Value::enumerated(n.en.enum_id, n.en.e);
  if (n.cmp == Op::Eq || n.cmp == Op::Ne) return equal(a, k, n.cmp == Op::Ne);
  return compare(n.cmp, a, k);
}

inline bool Evaluator::run(const HotNode& root, double& out) {
  if (root.prog_len == 1) {
    const int r = fastop::run_single(m_.fast_ops[root.prog_first], values_, out);
    if (r >= 0) return r == 1;
  }
  return run_prog(root, out);
}

Value Evaluator::root(uint32_t node) {
  const HotNode& n = m_.hot[node];
  double x;
  if (n.prog_len == 0 || (n.type != Type::Bool && n.type != Type::Number) || !run(n, x)) return eval(node);
  if (n.type == Type::Bool && x != 0 && x != 1) return eval(node);  // unknown (FCode::DefB)
  Value v = n.type == Type::Bool ? Value::boolean(x != 0) : Value::number(x);
  if (s_.verify_fast && !same_known(eval(node), v)) ++s_.fast_mismatches;
  return v;
}

namespace {

// A compiled program's result `x` as a value of the definition's type; false for a type
// programs do not produce, and for a boolean that is unknown (0.5, FCode::DefB).
bool program_value(const RuleSetModel::DefHot& def, double x, Value& out) {
  switch (def.type) {
    case Type::Bool:
      if (x != 0 && x != 1) return false;
      out = Value::boolean(x != 0);
      return true;
    case Type::Number:
      out = Value::number(x);
      return true;
    case Type::Enum:
      out = Value::enumerated(def.enum_id, static_cast<uint32_t>(x));
      return true;
    case Type::Date:
      out = Value::date_range(static_cast<int32_t>(x), static_cast<int32_t>(x));
      return true;
    default:
      return false;
  }
}

}  // namespace

const Value& Evaluator::memo(uint32_t d, const Value& v) {
  s_.cache[d] = v;
  s_.done[d] = s_.generation;
  return s_.cache[d];
}

bool Evaluator::store_fast(uint32_t d, double x) {
  if (!program_value(m_.def_hot[d], x, s_.cache[d])) return false;
  s_.done[d] = s_.generation;
  return true;
}

// A fact or criterion without a compiled program, through the tree-walking fast tier; false
// when it bails out.
bool Evaluator::walk_fast(const RuleSetModel::DefHot& def, Value& out) {
  switch (def.type) {
    case Type::Bool: {
      bool b;
      if (!fast_bool(def.root, b)) return false;
      out = Value::boolean(b);
      return true;
    }
    case Type::Number: {
      double x;
      if (!fast_num(def.root, x)) return false;
      out = Value::number(x);
      return true;
    }
    case Type::Enum: {
      uint32_t e;
      if (!fast_enum(def.root, e)) return false;
      out = Value::enumerated(def.enum_id, e);
      return true;
    }
    case Type::Date: {
      int32_t day;
      if (!fast_day(def.root, day)) return false;
      out = Value::date_range(day, day);
      return true;
    }
    default:
      return false;
  }
}

Value Evaluator::def(uint32_t d) {
  if (s_.done[d] == s_.generation) return s_.cache[d];
  const RuleSetModel::DefHot& def = m_.def_hot[d];
  switch (def.kind) {
    case DefKind::Tree:
      return memo(d, tree(def.extra));
    case DefKind::Output:
      return memo(d, decide(def.extra));
    case DefKind::Fact:
    case DefKind::Criterion:
      break;
  }
  if (def.root == kNone) return memo(d, Value::unknown());
  // The fast tier first (the compiled program, else the tree-walking fast tier), each tried
  // once; the general tier when it bails out.
  // Both write the value straight into the memo, only when they succeed.
  const HotNode& root = m_.hot[def.root];
  double x;
  Value& cached = s_.cache[d];
  if (root.prog_len != 0 ? run(root, x) && program_value(def, x, cached) : walk_fast(def, cached)) {
    s_.done[d] = s_.generation;
    if (s_.verify_fast && !same_known(eval(def.root), cached)) ++s_.fast_mismatches;
    return cached;
  }
  return memo(d, eval(def.root));
}

const Value& Evaluator::def_native(uint32_t d, bool (*native)(Evaluator&, double&)) {
  if (s_.verify_fast || s_.verify_native) {  // tests: def() compares the tiers
    def(d);
    return s_.cache[d];
  }
  double x;
  Value& cached = s_.cache[d];
  if (native(*this, x) && program_value(m_.def_hot[d], x, cached)) {
    s_.done[d] = s_.generation;
    return cached;
  }
  return memo(d, eval(m_.def_hot[d].root));
}

// Known answers lead along one path, followed here in a loop; from the first answer that is
// not known, tree_step takes both branches (recursively).
Value Evaluator::tree(uint32_t t) {
  auto& path = s_.tree_paths[t];
  path.clear();
  const TreeDef& tree = m_.trees[t];
  if (tree.nodes.empty()) return Value::unknown();
  uint32_t ni = tree.root;
  for (uint32_t depth = 0;; ++depth) {
    if (depth > tree.nodes.size()) return Value::unknown();  // cannot happen: the loader rejects cycles
    const TreeNodeDef& node = tree.nodes[ni];
    Value c = expr(node.ask);
    if (c.kind != VKind::Bool) return tree_step(t, ni, depth, c);
    // Every answer so far is known: the path is recorded.
    path.push_back({ni, static_cast<uint8_t>(c.b ? 1 : 0)});
    if (ni < 32) s_.tree_nodes_reached[t] |= uint64_t{1} << (2 * ni + (c.b ? 1 : 0));
    const TreeBranch& br = c.b ? node.yes : node.no;
    if (br.leaf != kNone) return Value::enumerated(tree.enum_id, br.leaf);
    ni = br.next;
  }
}

Value Evaluator::tree_node(uint32_t t, uint32_t ni, uint32_t depth) {
  const TreeDef& tree = m_.trees[t];
  if (depth > tree.nodes.size()) return Value::unknown();  // cannot happen: the loader rejects cycles
  return tree_step(t, ni, depth, expr(tree.nodes[ni].ask));
}

Value Evaluator::tree_step(uint32_t t, uint32_t ni, uint32_t depth, const Value& c) {
  const TreeDef& tree = m_.trees[t];
  const TreeNodeDef& node = tree.nodes[ni];
  auto& path = s_.tree_paths[t];
  bool recording = path.empty() || path.back().answer != 2;
  auto follow = [&](const TreeBranch& br) -> Value {
    if (br.leaf != kNone) return Value::enumerated(tree.enum_id, br.leaf);
    return tree_node(t, br.next, depth + 1);
  };
  if (c.kind == VKind::Bool) {
    if (recording) path.push_back({ni, static_cast<uint8_t>(c.b ? 1 : 0)});
    if (ni < 32) s_.tree_nodes_reached[t] |= uint64_t{1} << (2 * ni + (c.b ? 1 : 0));
    return follow(c.b ? node.yes : node.no);
  }
  if (recording) path.push_back({ni, 2});
  // Both answers lead to the same node or leaf: the question cannot decide, and its fields
  // are not among those that would.
  if (node.yes.next == node.no.next && node.yes.leaf == node.no.leaf) return follow(node.yes);
  Value a = follow(node.yes);
  Value b = follow(node.no);
  if (same_known(a, b)) return a;
  Value u = Value::unknown(merge(c.why, merge(why_of(a), why_of(b))));
  u.hint = kPossibleCodes;
  u.codes = code_mask(a) | code_mask(b);
  return u;
}

Value Evaluator::rule_value(uint32_t o, uint32_t i) {
  const OutputDef& out = m_.outputs[o];
  const DecideRule& rule = out.rules[i];
  if (rule.then_code != kNone) return Value::enumerated(out.enum_id, rule.then_code);
  // `value: some_definition` (the commonest form): its memo, as root() would give it.
  const HotNode* vn = rule.value.present() ? &m_.hot[rule.value.root] : nullptr;
  Value v = vn && vn->op == Op::Def ? (s_.done[vn->index] == s_.generation ? s_.cache[vn->index] : def(vn->index))
                                    : expr(rule.value);
  if (v.kind == VKind::Enum) {
    uint32_t mapped = v.e < rule.value_map.size() ? rule.value_map[v.e] : kNone;
    if (mapped == kNone) return Value::unknown();
    return Value::enumerated(out.enum_id, mapped);
  }
  Value u = Value::unknown(why_of(v));
  if (v.kind == VKind::Unknown && v.hint == kPossibleCodes) {
    uint64_t mask = 0;
    for (size_t k = 0; k < rule.value_map.size() && k < 64; ++k) {
      if ((v.codes >> k) & 1U) {
        uint32_t mapped = rule.value_map[k];
        mask |= mapped < 64 ? (uint64_t{1} << mapped) : ~uint64_t{0};
      }
    }
    u.hint = kPossibleCodes;
    u.codes = mask;
  }
  return u;
}

Value Evaluator::decide_from(uint32_t o, uint32_t i) {
  const OutputDef& out = m_.outputs[o];
  if (i >= out.rules.size()) return Value::unknown();
  const DecideRule& rule = out.rules[i];
  if (rule.otherwise) {
    if (i < 64) s_.rules_reached[o] |= uint64_t{1} << i;
    return rule_value(o, i);
  }
  Value c = expr(rule.when);
  if (c.kind == VKind::Bool) {
    if (c.b) {
      if (i < 64) s_.rules_reached[o] |= uint64_t{1} << i;
      return rule_value(o, i);
    }
    return decide_from(o, i + 1);
  }
  Value a = rule_value(o, i);
  Value b = decide_from(o, i + 1);
  if (same_known(a, b)) return a;
  Value u = Value::unknown(merge(c.why, merge(why_of(a), why_of(b))));
  u.hint = kPossibleCodes;
  u.codes = code_mask(a) | code_mask(b);
  return u;
}

bool Evaluator::conditions(const ConditionsProgram& p, uint64_t& holds) {
  double bits = 0;
  if (p.len == 0 || s_.verify_fast || !run_ops(p.first, bits)) return false;
  holds = static_cast<uint64_t>(bits);
  return true;
}

Value Evaluator::decide(uint32_t o) {
  uint64_t before = s_.rules_reached[o];
  // The decision program when every condition it meets is known (the same conditions, in the
  // same order, as decide_from); else rule by rule with Kleene logic.
  const OutputDef& od = m_.outputs[o];
  double first_rule = 0;
  Value v;
  if (od.decision_len != 0 && !s_.verify_fast && run_ops(od.decision_first, first_rule)) {
    const auto i = static_cast<uint32_t>(first_rule);
    if (i < od.rules.size()) {
      if (i < 64) s_.rules_reached[o] |= uint64_t{1} << i;
      v = rule_value(o, i);
    } else {
      v = Value::unknown();
    }
  } else {
    v = decide_from(o, 0);
  }
  // The matched rule, when exactly one rule decided on a determinate path.
  uint64_t reached = s_.rules_reached[o] & ~before;
  if (v.kind != VKind::Unknown && reached != 0 && (reached & (reached - 1)) == 0) {
    s_.decided_rule[o] = static_cast<int32_t>(__builtin_ctzll(reached));
  } else if (v.kind != VKind::Unknown) {
    s_.decided_rule[o] = -2;  // several rules, same code
  }
  return v;
}

}  // namespace oligoscreen::detail
