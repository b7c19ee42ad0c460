#include "eval/specialize.hpp"

#include "eval/fast_prog.hpp"

namespace oligoscreen::detail {

static bool is_comparison(Op op) {
  return op == Op::Eq || op == Op::Ne || op == Op::Lt || op == Op::Le || op == Op::Gt || op == Op::Ge;
}

static Op mirror(Op op) {
  switch (op) {
    case Op::Lt:
      return Op::Gt;
    case Op::Le:
      return Op::Ge;
    case Op::Gt:
      return Op::Lt;
    case Op::Ge:
      return Op::Le;
    default:
      return op;
  }
}

static void put_constant(HotNode& h, const Value& v, std::vector<Value>& lits) {
  h.lit_kind = v.kind;
  switch (v.kind) {
    case VKind::Number:
      h.num = v.num;
      break;
    case VKind::Bool:
      h.flag = v.b;
      break;
    case VKind::Enum:
      h.en.e = v.e;
      h.en.enum_id = v.enum_id;
      break;
    default:
      h.lit = static_cast<uint32_t>(lits.size());
      lits.push_back(v);
  }
}

void specialize(RuleSetModel& m) {
  m.def_hot.clear();
  for (const auto& d : m.defs) m.def_hot.push_back({d.kind, d.type.kind, d.type.enum_id, d.expr.root, d.extra});
  m.hot.assign(m.pool.size(), HotNode{});
  m.hot_args.clear();
  m.hot_lits.clear();
  auto field_like = [&](uint32_t i) {
    const ExprNode& n = m.pool[i];
    return n.op == Op::Field || (n.op == Op::SubField && m.pool[n.a].op == Op::Var);
  };
  auto constant = [&](uint32_t i) {
    const ExprNode& n = m.pool[i];
    return n.op == Op::Literal && (n.lit.kind == VKind::Number || n.lit.kind == VKind::Enum);
  };
  for (size_t i = 0; i < m.pool.size(); ++i) {
    const ExprNode& n = m.pool[i];
    HotNode& h = m.hot[i];
    h.op = n.op;
    h.fn = n.fn;
    h.type = n.type.kind;
    if (n.a != kNone) h.operand_type = m.pool[n.a].type.kind;
    h.a = n.a;
    h.b = n.b;
    h.c = n.c;
    h.index = n.index;
    h.args_first = static_cast<uint32_t>(m.hot_args.size());
    h.args_count = static_cast<uint32_t>(n.args.size());
    m.hot_args.insert(m.hot_args.end(), n.args.begin(), n.args.end());
    if (n.op == Op::Literal) {
      // Text literals point at the pool's strings, which no longer move.
      put_constant(h, n.lit.kind == VKind::Text ? Value::string(n.text) : n.lit, m.hot_lits);
      continue;
    }
    if (!is_comparison(n.op) || n.a == kNone || n.b == kNone) continue;
    uint32_t field = kNone, lit = kNone;
    Op cmp = n.op;
    if (field_like(n.a) && constant(n.b)) {
      field = n.a;
      lit = n.b;
    } else if (constant(n.a) && field_like(n.b)) {
      field = n.b;
      lit = n.a;
      cmp = mirror(n.op);
    }
    if (field == kNone) continue;
    // `field <cmp> constant`: the field's slot (or subfield and variable) inline.
    const ExprNode& f = m.pool[field];
    h.op = Op::CmpConst;
    h.cmp = cmp;
    h.a = field;
    h.index = f.index;
    h.c = f.op == Op::SubField ? m.pool[f.a].index : kNone;
    put_constant(h, m.pool[lit].lit, m.hot_lits);
  }
  compile_fast_programs(m);
}

}  // namespace oligoscreen::detail
