#include "assess/assessment.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <span>

#include "core/date.hpp"
#include "json/json_writer.hpp"

namespace oligoscreen::detail {
namespace {

constexpr uint64_t kNotStrict = ~uint64_t{0};  // strict_slots(): not of the strict form

bool set_has_slot(const USet* s, uint32_t slot) {
  if (!s) return false;
  for (uint32_t i = 0; i < s->size; ++i) {
    if (ref_slot(s->refs[i]) == slot) return true;
  }
  return false;
}

bool set_has(const USet* s, FieldRef r) {
  if (!s) return false;
  for (uint32_t i = 0; i < s->size; ++i) {
    if (s->refs[i] == r) return true;
  }
  return false;
}

// The codes of every output under the current state (unknown -> the unknown code, marked),
// and per output the codes still possible (~0 when decided), appended to `codes`/`possible`.
constexpr uint32_t kUnknownMark = 0x80000000U;

void append_outcome(const RuleSetModel& m, Evaluator& ev, std::vector<uint32_t>& codes,
                    std::vector<uint64_t>& possible) {
  for (size_t i = 0; i < m.outputs.size(); ++i) {
    Value v = ev.def(m.output_defs[i]);
    codes.push_back(v.kind == VKind::Enum ? v.e : (m.outputs[i].unknown_code | kUnknownMark));
    possible.push_back(v.kind != VKind::Enum && v.hint == kPossibleCodes ? v.codes : ~uint64_t{0});
  }
}

// A constraint whose condition is strict in the fields it reads (ConstraintDef::strict_slots)
// is unknown, so does not hold, while one of them is unknown. With probes recorded (the main
// assessment with the missing-data analysis), only when every such field is one no output
// reads: evaluating it would record probes on those fields alone, and nothing tests them.
bool cannot_hold(const RuleSetModel& m, const ConstraintDef& c, const Value* values, bool probes) {
  uint64_t unknown = 0;
  for (uint64_t bits = c.strict_slots; bits != 0; bits &= bits - 1) {
    const auto slot = static_cast<uint32_t>(__builtin_ctzll(bits));
    if (values[slot].kind == VKind::Unknown) unknown |= uint64_t{1} << slot;
  }
  if (unknown == 0 || !probes) return unknown != 0;
  for (; unknown != 0; unknown &= unknown - 1) {
    if (m.slot_affects_outputs[static_cast<uint32_t>(__builtin_ctzll(unknown))]) return false;
  }
  return true;
}

// Fills ConstraintDef::strict_slots: the slots a condition reads when it is built only of
// fields (below slot 63), parameters, literals, comparisons, arithmetic and date arithmetic,
// each unknown when an operand is; 0 otherwise.
uint64_t strict_slots(const RuleSetModel& m, uint32_t node) {
  const ExprNode& n = m.pool[node];
  auto both = [&](uint64_t a) -> uint64_t {
    if (a == kNotStrict) return kNotStrict;
    const uint64_t b = strict_slots(m, n.b);
    return b == kNotStrict ? kNotStrict : a | b;
  };
  switch (n.op) {
    case Op::Literal:
    case Op::Param:
      return 0;
    case Op::Field:
      return n.index < 63 ? uint64_t{1} << n.index : kNotStrict;
    case Op::Neg:
      return strict_slots(m, n.a);
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
      return both(strict_slots(m, n.a));
    case Op::Call: {
      if (n.fn != Fn::AddMonths && n.fn != Fn::AddDays && n.fn != Fn::DaysBetween) return kNotStrict;
      uint64_t r = 0;
      for (uint32_t a : n.args) {
        const uint64_t x = strict_slots(m, a);
        if (x == kNotStrict) return kNotStrict;
        r |= x;
      }
      return r;
    }
    default:
      return kNotStrict;
  }
}

// `slots`: only the constraints that may read one of these slots (the others held in the main
// assessment, whose facts the caller has left as they were).
// `exhaustive`: every constraint, evaluated (tests: the reference for the shortcuts).
bool violates_constraints(const RuleSetModel& m, Evaluator& ev, const Value* values, uint64_t slots, bool exhaustive) {
  for (const auto& c : m.constraints) {
    if (!exhaustive && ((c.slot_mask & slots) == 0 || cannot_hold(m, c, values, false))) continue;
    Value v = ev.expr(c.when);
    if (v.kind == VKind::Bool && v.b) return true;
  }
  return false;
}

// Whether an expression is monotone in the facts it reads: every operator gives a known
// value only when every way of giving its unknown or imprecise operands values gives that
// same value (Kleene connectives, comparisons and arithmetic strict in an unknown, date
// ranges compared as ranges). known() and is_true() are not: they turn unknown into a
// known value that a fact given a value can change.
bool monotone_expr(const RuleSetModel& m, uint32_t node) {
  if (node == kNone) return true;
  const ExprNode& n = m.pool[node];
  if (n.op == Op::Name || n.op == Op::Member || n.op == Op::CmpConst) return false;
  if (n.op == Op::Call && (n.fn == Fn::Known || n.fn == Fn::IsTrue)) return false;
  if (!monotone_expr(m, n.a) || !monotone_expr(m, n.b) || !monotone_expr(m, n.c)) return false;
  for (uint32_t a : n.args) {
    if (!monotone_expr(m, a)) return false;
  }
  return true;
}

// A value that stays as it is under a monotone definition when a fact it reads is given a
// value: known and precise.
bool known_precise(const Value& v) {
  return v.kind == VKind::Bool || v.kind == VKind::Number || v.kind == VKind::Enum ||
         (v.kind == VKind::Date && v.date.lo == v.date.hi);
}

// Whether an expression has a condition that can leave part of it unread (`if`, `and`, `or`).
bool has_condition(const RuleSetModel& m, uint32_t node) {
  if (node == kNone) return false;
  const ExprNode& n = m.pool[node];
  if (n.op == Op::If || n.op == Op::And || n.op == Op::Or) return true;
  if (has_condition(m, n.a) || has_condition(m, n.b) || has_condition(m, n.c)) return true;
  return std::any_of(n.args.begin(), n.args.end(), [&](uint32_t a) { return has_condition(m, a); });
}

// slot_bit of the fields an expression reads itself (not through definitions); every slot
// for a name the checker did not resolve.
uint64_t field_slots(const RuleSetModel& m, uint32_t node) {
  if (node == kNone) return 0;
  const ExprNode& n = m.pool[node];
  if (n.op == Op::Name || n.op == Op::Member) return ~uint64_t{0};
  uint64_t r = n.op == Op::Field ? slot_bit(n.index) : 0;
  r |= field_slots(m, n.a) | field_slots(m, n.b) | field_slots(m, n.c);
  for (uint32_t a : n.args) r |= field_slots(m, a);
  return r;
}

// AssessScratch's evidence masks for this rule set (once per rule set and scratch).
void index_citations(const RuleSetModel& m, AssessScratch& s) {
  if (s.cite_of == &m && s.cite_sha == m.sha256 && s.cite_reason.size() == m.outputs.size()) return;
  const uint32_t words = static_cast<uint32_t>((m.evidence.size() + 63) / 64);
  s.cite_words = words;
  s.cite_masks.clear();
  auto add = [&](const std::vector<uint32_t>& ids) {
    const size_t at = s.cite_masks.size();
    s.cite_masks.resize(at + words, 0);
    for (uint32_t e : ids) s.cite_masks[at + e / 64] |= uint64_t{1} << (e % 64);
  };
  auto entry = [&]() { return static_cast<uint32_t>(s.cite_masks.size() / (words == 0 ? 1 : words)); };
  s.cite_reason.assign(m.outputs.size(), 0);
  s.cite_note.assign(m.outputs.size(), 0);
  s.cite_site.assign(m.outputs.size(), 0);
  for (size_t o = 0; o < m.outputs.size(); ++o) {
    const OutputDef& od = m.outputs[o];
    s.cite_reason[o] = entry();
    for (const auto& rd : od.reasons) add(rd.evidence);
    s.cite_note[o] = entry();
    for (const auto& nd : od.notes) add(nd.evidence);
    s.cite_site[o] = entry();
    for (const auto& se : od.site_evidence) add(se.evidence);
  }
  s.cite_def = entry();
  for (const auto& d : m.defs) add(d.evidence);
  s.cite_defs = entry();
  add(m.defs_evidence);
  s.cite_bits.assign(words, 0);
  s.cite_of = &m;
  s.cite_sha = m.sha256;
}

struct Candidate {
  FieldRef ref;
  const FieldDef* field;
  Value current;  // the field's value (unknown, or an imprecise date)
};

std::string format_value_for(const FieldDef& f, double x) {
  if (f.type == FieldType::Date) return format_day(static_cast<int32_t>(x));
  return format_number(x);
}

// MissingScratch::walks entries: 0 not walked yet; 1 + taint() when the node's walk evaluates
// nothing; kWalkEvaluates when it would evaluate a condition (then walked per candidate).
constexpr uint8_t kWalkEvaluates = 4;

class MissingAnalysis {
 public:
  MissingAnalysis(const RuleSetModel& m, const Patient& p, const AssessOptions& opt, AssessScratch& s)
      : m_(m),
        p_(p),
        opt_(opt),
        s_(s),
        ms_(s.missing),
        n_(m.outputs.size()),
        base_(s.missing.base),
        unknown_why_(s.missing.unknown_why) {}

  void run(std::vector<MissingField>& out) {
    index_rule_set();
    collect();
    // With two candidates or more, each one's tested values are kept (flat) for the joint test.
    const bool joint_test = candidates_.size() >= 2;
    ms_.tested_all.clear();
    ms_.tested_from.assign(1, 0);
    for (const auto& c : candidates_) {
      analyse(c, out);
      if (!joint_test) continue;
      ms_.tested_all.insert(ms_.tested_all.end(), ms_.tested.begin(), ms_.tested.end());
      ms_.tested_from.push_back(static_cast<uint32_t>(ms_.tested_all.size()));
    }
    if (joint_test) joint(out);
    std::stable_sort(out.begin(), out.end(), [](const MissingField& a, const MissingField& b) {
      if (a.affects.size() != b.affects.size()) return a.affects.size() > b.affects.size();
      return ref_order(a.ref) < ref_order(b.ref);
    });
  }

 private:
  bool in_unknown_output(FieldRef r) const {
    for (const USet* w : unknown_why_) {
      if (set_has(w, r)) return true;
    }
    return false;
  }

  // MissingScratch::monotone, value_slots and the collect plan for this rule set.
  void index_rule_set() {
    if (ms_.monotone_of == &m_ && ms_.monotone.size() == m_.defs.size() && ms_.monotone_sha == m_.sha256 &&
        ms_.walk_pool == m_.pool.size()) {
      return;
    }
    ms_.monotone.assign(m_.defs.size(), 0);
    ms_.value_slots.assign(m_.defs.size(), 0);
    for (uint32_t d = 0; d < m_.defs.size(); ++d) {
      const Def& def = m_.defs[d];
      const bool expr_def = def.kind == DefKind::Fact || def.kind == DefKind::Criterion;
      ms_.monotone[d] = expr_def && def.expr.present() && monotone_expr(m_, def.expr.root) ? 1 : 0;
      if (expr_def && def.expr.present() && has_condition(m_, def.expr.root)) ms_.monotone[d] |= 2;
      ms_.value_slots[d] = def.direct_slots;
      if (def.kind == DefKind::Output) {
        uint64_t slots = 0;
        for (const DecideRule& rule : m_.outputs[def.extra].rules) {
          if (rule.when.present()) slots |= field_slots(m_, rule.when.root);
          if (rule.value.present()) slots |= field_slots(m_, rule.value.root);
        }
        ms_.value_slots[d] = slots & def.direct_slots;
      }
    }
    ms_.collect_slots.clear();
    ms_.collect_subs.clear();
    ms_.collect_from.assign(1, 0);
    for (const auto& f : m_.schema.fields) {
      if (f.informational || f.record_id || f.type == FieldType::Text) continue;
      // A field no output depends on cannot change a verdict: nothing to try.
      if (!m_.slot_affects_outputs[f.slot]) continue;
      ms_.collect_slots.push_back(f.slot);
      if (f.type == FieldType::List && f.of == ListOf::Record) {
        for (uint32_t k = 0; k < f.fields.size(); ++k) {
          const FieldDef& sub = f.fields[k];
          if (!sub.informational && sub.type != FieldType::Text) ms_.collect_subs.push_back(k);
        }
      }
      ms_.collect_from.push_back(static_cast<uint32_t>(ms_.collect_subs.size()));
    }
    ms_.collect_low = 0;
    ms_.collect_index.assign(63, 0);
    ms_.collect_high_from = static_cast<uint32_t>(ms_.collect_slots.size());
    for (uint32_t i = 0; i < ms_.collect_slots.size(); ++i) {
      const uint32_t slot = ms_.collect_slots[i];
      if (slot < 63) {
        ms_.collect_low |= slot_bit(slot);
        ms_.collect_index[slot] = i;
      } else if (ms_.collect_high_from == ms_.collect_slots.size()) {
        ms_.collect_high_from = i;
      }
    }
    // Per output, the definitions it depends on, in id order (joint()).
    ms_.output_deps.clear();
    ms_.output_deps_from.assign(1, 0);
    for (uint32_t o = 0; o < n_; ++o) {
      for (uint32_t d = 0; d < m_.defs.size(); ++d) {
        if (m_.output_deps[o][d]) ms_.output_deps.push_back(d);
      }
      ms_.output_deps_from.push_back(static_cast<uint32_t>(ms_.output_deps.size()));
    }
    // Per subfield of a list of records, per output: whether the output's rules read it
    // (rules_read; evaluation-free, so a function of the rule set alone).
    ms_.rules_read_from.assign(m_.schema.fields.size(), kNone);
    ms_.rules_read.clear();
    ms_.var_taint.assign(m_.max_vars, 0);
    Evaluator ev(m_, p_, s_.counterfactual);
    for (const auto& f : m_.schema.fields) {
      if (f.type != FieldType::List || f.of != ListOf::Record) continue;
      ms_.rules_read_from[f.slot] = static_cast<uint32_t>(ms_.rules_read.size());
      slot_ = f.slot;
      for (uint32_t k = 0; k < f.fields.size(); ++k) {
        sub1_ = k + 1;
        for (uint32_t o = 0; o < n_; ++o) ms_.rules_read.push_back(rules_read(ev, o) ? 1 : 0);
      }
    }
    slot_ = sub1_ = 0;
    // Per slot: the outputs that may depend on it, the constraints that may read it.
    const size_t slots = m_.defs_reading_slot.size();
    ms_.slot_outputs.clear();
    ms_.slot_constraints.clear();
    ms_.slot_outputs_from.assign(1, 0);
    ms_.slot_constraints_from.assign(1, 0);
    for (uint32_t slot = 0; slot < slots; ++slot) {
      const uint64_t bit = slot_bit(slot);
      for (uint32_t o = 0; o < n_; ++o) {
        if (m_.def_slot_mask[m_.output_defs[o]] & bit) ms_.slot_outputs.push_back(o);
      }
      for (uint32_t i = 0; i < m_.constraints.size(); ++i) {
        if (m_.constraints[i].slot_mask & bit) ms_.slot_constraints.push_back(i);
      }
      ms_.slot_outputs_from.push_back(static_cast<uint32_t>(ms_.slot_outputs.size()));
      ms_.slot_constraints_from.push_back(static_cast<uint32_t>(ms_.slot_constraints.size()));
    }
    // The walk cache: one key per top-level slot, and per subfield of a list of records.
    ms_.walk_key_from.assign(slots, 0);
    uint32_t keys = 0;
    for (uint32_t slot = 0; slot < slots; ++slot) {
      ms_.walk_key_from[slot] = keys;
      keys += 1;
      for (const auto& f : m_.schema.fields) {
        if (f.slot == slot && f.type == FieldType::List && f.of == ListOf::Record) {
          keys += static_cast<uint32_t>(f.fields.size());
        }
      }
    }
    ms_.walk_block.assign(keys, kNone);
    ms_.walks.clear();
    ms_.walk_pool = m_.pool.size();
    ms_.monotone_of = &m_;
    ms_.monotone_sha = m_.sha256;
  }

  // Whether definition d, which reads the candidate's slot itself, keeps the main assessment's
  // value under every tested value, given that every definition it references keeps its value:
  // either it is monotone and the main assessment gave it a known, precise value, or its
  // expression, along the path its known conditions take, does not read the candidate (see
  // taint; then also when the main assessment did not evaluate it: settle() leaves it to be
  // evaluated on demand, to the value the main assessment would have given it). Not in the
  // exhaustive reference.
  bool keeps_main(Evaluator& ev, uint32_t d) {
    const EvalState& main = s_.main;
    if (ms_.exhaustive) return false;
    const bool evaluated = main.done[d] == main.generation;
    if (evaluated && (ms_.monotone[d] & 1) != 0 && known_precise(main.cache[d])) return true;
    // Reading a top-level field itself without a condition, it reads it along every path.
    if (sub1_ == 0 && (ms_.monotone[d] & 2) == 0) return false;
    const Def& def = m_.defs[d];
    if ((def.kind != DefKind::Fact && def.kind != DefKind::Criterion) || !def.expr.present()) return false;
    uint32_t& block = ms_.walk_block[ms_.walk_key_from[slot_] + sub1_];
    if (block == kNone) {
      block = static_cast<uint32_t>(ms_.walks.size());
      ms_.walks.resize(ms_.walks.size() + m_.pool.size(), 0);
    }
    walks_ = ms_.walks.data() + block;
    return taint(ev, def.expr.root, false) == 0;
  }

  // Whether an expression's value may change under the candidate's tested values, the
  // definitions it references keeping the main assessment's values: 0 it cannot; 1 it may;
  // 2 (a list of records, or one of its items) only the candidate subfield of its items may.
  // A condition (of `if`, or one operand of `and`/`or`) that does not read the candidate has
  // the same value under every tested value: evaluated once (`ev`: the main assessment's
  // values), its known value prunes what it makes unread (the branch not taken; the other
  // operand of a false `and` or true `or`). `bound`: inside a list function's body, where
  // nothing is evaluated. `static_walk_`: nothing is evaluated at all; where a condition would
  // be, `walk_evaluates_` is set and the condition prunes nothing. Outside list functions'
  // bodies, the walk of a node that evaluates nothing is a function of the rule set, the
  // candidate's slot and subfield, and the node: cached in MissingScratch::walks (`walks_`, the
  // candidate's block), so that only the conditions are evaluated per candidate.
  uint8_t taint(Evaluator& ev, uint32_t node, bool bound) {
    if (node == kNone) return 0;
    if (!bound && !static_walk_) {
      uint8_t& walk = walks_[node];
      if (walk == 0) {
        static_walk_ = true;
        walk_evaluates_ = false;
        const uint8_t t = taint(ev, node, false);
        static_walk_ = false;
        walk = walk_evaluates_ ? kWalkEvaluates : static_cast<uint8_t>(1 + t);
      }
      if (walk != kWalkEvaluates) return walk - 1;
    }
    const ExprNode& n = m_.pool[node];
    switch (n.op) {
      case Op::Literal:
      case Op::Param:
      case Op::Def:
        return 0;
      case Op::Field:
        return n.index != slot_ ? 0 : (sub1_ != 0 ? 2 : 1);
      case Op::Var:
        return n.index < ms_.var_taint.size() ? ms_.var_taint[n.index] : 1;
      case Op::SubField: {
        const uint8_t t = taint(ev, n.a, bound);
        return t == 2 ? (n.index + 1 == sub1_ ? 1 : 0) : t;
      }
      case Op::If: {
        const uint8_t c = taint(ev, n.a, bound);
        if (c == 0 && !bound) {
          if (static_walk_) {
            walk_evaluates_ = true;
          } else {
            const Value v = ev.eval(n.a);
            if (v.kind == VKind::Bool) return taint(ev, v.b ? n.b : n.c, bound) != 0 ? 1 : 0;
          }
        }
        return (c | taint(ev, n.b, bound) | taint(ev, n.c, bound)) != 0 ? 1 : 0;
      }
      case Op::And:
      case Op::Or: {
        const uint8_t a = taint(ev, n.a, bound), b = taint(ev, n.b, bound);
        if (a == 0 && b == 0) return 0;
        if ((a != 0 && b != 0) || bound) return 1;
        if (static_walk_) {
          walk_evaluates_ = true;
          return 1;
        }
        const Value v = ev.eval(a != 0 ? n.b : n.a);
        return v.kind == VKind::Bool && v.b == (n.op == Op::Or) ? 0 : 1;
      }
      case Op::Call:
        switch (n.fn) {
          case Fn::Known: {
            const uint8_t t = taint(ev, n.args[0], bound);
            return t == 1 ? 1 : 0;  // a list or record stays known whatever its items' subfields
          }
          case Fn::Count: {
            const uint8_t t = taint(ev, n.args[0], bound);
            return t == 1 ? 1 : 0;  // the items' subfields do not count
          }
          case Fn::CountIf:
          case Fn::All:
          case Fn::Any:
          case Fn::Min:
          case Fn::Max:
          case Fn::Sum: {
            const uint8_t list = taint(ev, n.args[0], bound);
            if (list == 1) return 1;
            const uint32_t var = m_.pool[n.args[1]].index;
            if (var >= ms_.var_taint.size()) return 1;
            const uint8_t saved = ms_.var_taint[var];
            ms_.var_taint[var] = list;
            const uint8_t body = taint(ev, n.args[2], true);
            ms_.var_taint[var] = saved;
            return body != 0 ? 1 : 0;
          }
          default:
            break;
        }
        break;
      case Op::Name:
      case Op::Member:
      case Op::CmpConst:
        return 1;
      default:
        break;
    }
    uint8_t t = taint(ev, n.a, bound) | taint(ev, n.b, bound) | taint(ev, n.c, bound);
    for (uint32_t a : n.args) t |= taint(ev, a, bound);
    return t != 0 ? 1 : 0;
  }

  // The candidates, in schema order: the fields of the collect plan (index_rule_set) that are
  // unknown, or imprecise dates an undecided output depends on; list items' subfields alike.
  // A slot the main assessment classified as holding nothing unknown or imprecise, itself or
  // in its items (EvalState::checked_slots, vague_slots), has none (not skipped in the
  // exhaustive reference).
  void collect() {
    const uint64_t clear = ms_.exhaustive ? 0 : s_.main.checked_slots & ~s_.main.vague_slots;
    // The plan's slots under 63 by their bits (slot order is schema order), then the others.
    for (uint64_t bits = ms_.collect_low & ~clear; bits != 0; bits &= bits - 1) {
      collect_field(ms_.collect_index[static_cast<uint32_t>(__builtin_ctzll(bits))]);
    }
    for (size_t i = ms_.collect_high_from; i < ms_.collect_slots.size(); ++i) {
      if ((clear & slot_bit(ms_.collect_slots[i])) == 0) collect_field(i);
    }
  }

  // collect() for the plan's field i.
  void collect_field(size_t i) {
    const FieldDef& f = m_.schema.fields[ms_.collect_slots[i]];
    const Value& v = p_.values[f.slot];
    FieldRef r = make_ref(f.slot);
    if (v.kind == VKind::Unknown) {
      candidates_.push_back({r, &f, v});
    } else if (v.kind == VKind::Date && v.date.lo != v.date.hi && in_unknown_output(r)) {
      candidates_.push_back({r, &f, v});
    } else if (v.kind == VKind::List && f.of == ListOf::Record) {
      const uint32_t* subs = ms_.collect_subs.data();
      for (uint32_t e = 0; e < v.list.count; ++e) {
        const Value& rec = v.list.items[e];
        for (uint32_t j = ms_.collect_from[i]; j < ms_.collect_from[i + 1]; ++j) {
          const uint32_t k = subs[j];
          const FieldDef& sub = f.fields[k];
          const Value& sv = rec.rec.fields[k];
          FieldRef sr = make_ref(f.slot, e + 1, k + 1);
          if (sv.kind == VKind::Unknown ||
              (sv.kind == VKind::Date && sv.date.lo != sv.date.hi && in_unknown_output(sr))) {
            candidates_.push_back({sr, &sub, sv});
          }
        }
      }
    }
  }

  // Sets up the counterfactual state for one candidate field: the patient's values, copied
  // so that one fact can be replaced, and the main evaluation's memo, of which only the
  // definitions that may depend on the field's slot are re-evaluated per tested value.
  void begin_candidate(FieldRef r) {
    EvalState& cf = s_.counterfactual;
    const EvalState& main = s_.main;
    prepare_state(m_, cf);
    cf.cache = main.cache;
    cf.done = main.done;
    cf.generation = main.generation;
    cf.record_probes = false;
    cf.verify_fast = main.verify_fast;
    if (ms_.stale.size() != m_.defs.size()) ms_.stale.assign(m_.defs.size(), 0);
    std::vector<Value>& values = ms_.values;
    values.assign(p_.values.begin(), p_.values.end());
    slot_ = ref_slot(r);
    sub1_ = ref_sub1(r);
    patched_ = &values[slot_];
    find_sources();
    if (ref_sub1(r) != 0) {
      // lesions[e].k: copy the list and that record's subfields, and point the copy at them.
      const Value& list = p_.values[slot_];
      uint32_t e = ref_elem1(r) - 1;
      ms_.items.assign(list.list.items, list.list.items + list.list.count);
      const Value& rec = ms_.items[e];
      uint32_t nsub = static_cast<uint32_t>(m_.schema.fields[slot_].fields.size());
      ms_.subs.assign(rec.rec.fields, rec.rec.fields + nsub);
      ms_.items[e].rec.fields = ms_.subs.data();
      values[slot_].list.items = ms_.items.data();
      patched_ = &ms_.subs[ref_sub1(r) - 1];
    }
  }

  // The candidate's sources: the definitions that may depend on its slot and read it
  // themselves. Every other definition's value under a tested value is a function of the
  // fields it reads (not the slot) and of the definitions it references, so the outcome under
  // a tested value is a function of the sources' values: two tested values that give every
  // source the same value (identical()) give the same outcome, and one that gives every
  // source the main assessment's value gives the main assessment's outcome. The memo holds
  // when the sources can be evaluated before anything else is settled (they reference no
  // definition that may depend on the slot) and so can the constraints that may read the
  // slot (they read no such definition); not in the exhaustive reference.
  void find_sources() {
    const uint64_t bit = slot_bit(slot_);
    std::vector<uint32_t>& sources = ms_.sources;
    sources.clear();
    ms_.source_values.clear();
    memo_ = !ms_.exhaustive;
    sources_as_main_ = memo_;
    const EvalState& main = s_.main;
    if (ms_.keep.size() != m_.defs.size()) {
      ms_.keep.assign(m_.defs.size(), 0);
      ms_.direct.assign(m_.defs.size(), 0);
      ms_.fixed.assign(m_.defs.size(), 0);
    }
    const uint32_t stamp = ++ms_.keep_stamp;
    if (stamp == 0) {  // wrapped: forget every mark
      for (auto* marks : {&ms_.keep, &ms_.direct, &ms_.fixed}) std::fill(marks->begin(), marks->end(), 0U);
      return find_sources();
    }
    ms_.var_taint.assign(m_.max_vars, 0);
    Evaluator ev(m_, p_, s_.counterfactual, ms_.values.data());
    // ms_.stale, under a stamp of its own (settle() takes a new one per tested value): == `ref`
    // when a definition references one that is not fixed.
    if (ms_.stale.size() != m_.defs.size()) ms_.stale.assign(m_.defs.size(), 0);
    if (++ms_.stamp == 0) {
      std::fill(ms_.stale.begin(), ms_.stale.end(), 0U);
      ms_.stamp = 1;
    }
    const uint32_t ref = ms_.stamp;
    ms_.settle_defs.clear();
    // In dependency order, so that every reference is marked before the definitions reading it.
    for (uint32_t d : m_.defs_reading_slot[slot_]) {
      const bool direct = reads_itself(ev, d);
      if (direct) {
        ms_.direct[d] = stamp;
        if (keeps_main(ev, d)) ms_.keep[d] = stamp;
      }
      // A definition that reads the candidate only through definitions that do, or keeps the
      // main assessment's value, and whose references are all fixed, is fixed: no source.
      const bool ref_may_change = ms_.stale[d] == ref;
      if ((!direct || ms_.keep[d] == stamp) && !ref_may_change) {
        ms_.fixed[d] = stamp;
        if (direct) ++ms_.kept_defs;
        if (ms_.exhaustive) ms_.settle_defs.push_back(d);
        continue;
      }
      ms_.settle_defs.push_back(d);
      for (uint32_t e : m_.def_dependants[d]) ms_.stale[e] = ref;
      if (!direct) continue;
      sources.push_back(d);
      // A source the main assessment did not evaluate would be evaluated for every tested value
      // to key the memo, where settle() leaves it to be evaluated when an output reads it.
      memo_ = memo_ && !ref_may_change && main.done[d] == main.generation;
    }
    auto may_change = [&](uint32_t e) { return (m_.def_slot_mask[e] & bit) != 0 && ms_.fixed[e] != stamp; };
    slot_constraints_ = {ms_.slot_constraints.data() + ms_.slot_constraints_from[slot_],
                         ms_.slot_constraints.data() + ms_.slot_constraints_from[slot_ + 1]};
    for (uint32_t i : slot_constraints_) {
      const ConstraintDef& c = m_.constraints[i];
      memo_ = memo_ && std::none_of(c.deps.begin(), c.deps.end(), may_change);
    }
    sources_as_main_ = sources_as_main_ && memo_;
    slot_outputs_ = {ms_.slot_outputs.data() + ms_.slot_outputs_from[slot_],
                     ms_.slot_outputs.data() + ms_.slot_outputs_from[slot_ + 1]};
  }

  // Whether definition d's value reads the candidate itself, not through a definition it
  // references: its value_slots hold the slot, and, for a list subfield, an output's rules
  // read that subfield (taint, without evaluating anything). An output that does not keeps
  // the main assessment's code as long as the definitions it references keep their values.
  // The exhaustive reference re-evaluates every dependant anyway.
  bool reads_itself(Evaluator& ev, uint32_t d) {
    if ((ms_.value_slots[d] & slot_bit(slot_)) == 0) return false;
    if (sub1_ == 0 || m_.defs[d].kind != DefKind::Output) return true;
    const uint32_t from = ms_.rules_read_from[slot_];
    if (from == kNone) return rules_read(ev, m_.defs[d].extra);
    return ms_.rules_read[from + (sub1_ - 1) * n_ + m_.defs[d].extra] != 0;
  }

  // Whether output o's rules read the candidate (taint, without evaluating anything).
  bool rules_read(Evaluator& ev, uint32_t o) {
    for (const DecideRule& rule : m_.outputs[o].rules) {
      if (taint(ev, rule.when.present() ? rule.when.root : kNone, true) != 0) return true;
      if (taint(ev, rule.value.present() ? rule.value.root : kNone, true) != 0) return true;
    }
    return false;
  }

  // Whether the patched value contradicts a constraint that may read the slot (the others
  // held in the main assessment; a strict one with an unknown field cannot hold). The
  // exhaustive reference evaluates every constraint.
  bool violates(Evaluator& ev) const {
    if (ms_.exhaustive) return violates_constraints(m_, ev, ms_.values.data(), slot_bit(slot_), true);
    for (uint32_t i : slot_constraints_) {
      const ConstraintDef& c = m_.constraints[i];
      if (cannot_hold(m_, c, ms_.values.data(), false)) continue;
      const Value v = ev.expr(c.when);
      if (v.kind == VKind::Bool && v.b) return true;
    }
    return false;
  }

  // Appends the outcome under the settled counterfactual state: an output whose definition
  // settle() did not re-evaluate (it does not read the slot, and no definition it references
  // came out different) keeps the main assessment's code and possible codes, as its
  // definition keeps the main assessment's value; the exhaustive reference reads every output.
  void append_slot_outcome(Evaluator& ev) {
    if (ms_.exhaustive) {
      append_outcome(m_, ev, ms_.codes, ms_.possible);
      return;
    }
    const size_t at = ms_.codes.size();
    ms_.codes.insert(ms_.codes.end(), base_.begin(), base_.end());
    ms_.possible.insert(ms_.possible.end(), ms_.base_possible.begin(), ms_.base_possible.end());
    for (uint32_t o : slot_outputs_) {
      const uint32_t od = m_.output_defs[o];
      if (ms_.direct[od] != ms_.keep_stamp && ms_.stale[od] != ms_.stamp) continue;
      const Value v = ev.def(od);
      ms_.codes[at + o] = v.kind == VKind::Enum ? v.e : (m_.outputs[o].unknown_code | kUnknownMark);
      ms_.possible[at + o] = v.kind != VKind::Enum && v.hint == kPossibleCodes ? v.codes : ~uint64_t{0};
    }
  }

  // Tests the candidate's fact set to `v`: appends `v` and its outcome to the tested values,
  // unless the value contradicts the constraints (then nothing is appended).
  void try_value(const Value& v) {
    EvalState& cf = s_.counterfactual;
    for (auto& path : cf.tree_paths) path.clear();
    cf.probes.clear();
    *patched_ = v;
    Evaluator ev(m_, p_, cf, ms_.values.data());
    if (memo_) {
      try_memo(ev, v);
      return;
    }
    settle(ev, false);
    if (violates(ev)) return;
    ms_.tested.push_back(v);
    append_slot_outcome(ev);
    note_changes();
  }

  // try_value with the outcome memo (see find_sources): the sources and the constraints
  // first; the rest only when the sources' values are new.
  void try_memo(Evaluator& ev, const Value& v) {
    EvalState& cf = s_.counterfactual;
    const std::vector<uint32_t>& sources = ms_.sources;
    const size_t ns = sources.size();
    // The slot constraints read only fixed definitions (see find_sources): checked before the
    // sources are evaluated, a contradicting value costs no source evaluation.
    if (violates(ev)) return;
    for (uint32_t d : sources) cf.done[d] = 0;
    for (uint32_t d : sources) ev.def(d);
    // Kept: the value, its sources' values, and its outcome (codes and possible, per output).
    const Value* cache = cf.cache.data();
    const size_t k = ms_.tested.size();
    ms_.tested.push_back(v);
    for (uint32_t d : sources) ms_.source_values.push_back(cache[d]);
    const Value* mine = ms_.source_values.data() + k * ns;
    if (sources_as_main_ && same_sources_as_main()) {
      ++ms_.memo_hits;
      ms_.codes.insert(ms_.codes.end(), base_.begin(), base_.end());
      ms_.possible.insert(ms_.possible.end(), ms_.base_possible.begin(), ms_.base_possible.end());
      return;
    }
    for (size_t j = 0; j < k; ++j) {
      const Value* theirs = ms_.source_values.data() + j * ns;
      size_t i = 0;
      while (i < ns && identical(mine[i], theirs[i])) ++i;
      if (i < ns) continue;
      ++ms_.memo_hits;
      ms_.codes.resize(ms_.codes.size() + n_);
      ms_.possible.resize(ms_.possible.size() + n_);
      std::copy_n(ms_.codes.data() + j * n_, n_, ms_.codes.data() + k * n_);
      std::copy_n(ms_.possible.data() + j * n_, n_, ms_.possible.data() + k * n_);
      return;
    }
    settle(ev, true);
    append_slot_outcome(ev);
    note_changes();
  }

  // Every source evaluated by the main assessment has the main assessment's value.
  bool same_sources_as_main() const {
    const Value* cache = s_.counterfactual.cache.data();
    const Value* main = s_.main.cache.data();
    for (uint32_t d : ms_.sources) {
      if (!identical(cache[d], main[d])) return false;
    }
    return true;
  }

  // Marks the outputs the last tested value changes.
  void note_changes() {
    const uint32_t* o = codes_of(ms_.tested.size() - 1);
    for (size_t i = 0; i < n_; ++i) {
      if (o[i] != base_[i]) ms_.changed[i] = 1;
    }
  }

  // Brings the counterfactual memo up to date for the patched value, with early cutoff: the
  // definitions that may depend on the candidate's slot and are not fixed (MissingScratch::
  // settle_defs; a fixed one keeps its value under every tested value), in dependency order, are re-evaluated
  // only when they read the slot themselves or a definition they reference came out different
  // from the main assessment; the others keep the main assessment's value (a definition's value
  // is a function of the fields it reads and the values of the definitions it references).
  // Definitions the main assessment did not evaluate are left to be evaluated on demand.
  // `sources_done`: the sources have been evaluated already for this value (try_memo).
  void settle(Evaluator& ev, bool sources_done) {
    EvalState& cf = s_.counterfactual;
    const EvalState& main = s_.main;
    std::vector<uint32_t>& stale_mark = ms_.stale;
    if (++ms_.stamp == 0) {  // wrapped: forget every stale mark
      std::fill(stale_mark.begin(), stale_mark.end(), 0U);
      ms_.stamp = 1;
    }
    const uint32_t stamp = ms_.stamp;
    for (uint32_t d : ms_.settle_defs) {
      const bool direct = ms_.direct[d] == ms_.keep_stamp;
      // A direct reader whose references all kept their values keeps its own when monotone.
      const bool stale = ms_.exhaustive || stale_mark[d] == stamp || (direct && ms_.keep[d] != ms_.keep_stamp);
      if (!stale) {
        cf.cache[d] = main.cache[d];
        cf.done[d] = main.done[d];
        continue;
      }
      if (direct && sources_done) {
        if (main.done[d] != main.generation || !identical(cf.cache[d], main.cache[d])) {
          for (uint32_t e : m_.def_dependants[d]) stale_mark[e] = stamp;
        }
        continue;
      }
      cf.done[d] = 0;
      if (main.done[d] != main.generation || !identical(ev.def(d), main.cache[d])) {
        // Its dependants come later in the list: each is re-evaluated when reached.
        for (uint32_t e : m_.def_dependants[d]) stale_mark[e] = stamp;
      }
    }
  }

  const uint32_t* codes_of(size_t k) const { return ms_.codes.data() + k * n_; }
  bool same_outcome(size_t a, size_t b) const { return std::equal(codes_of(a), codes_of(a) + n_, codes_of(b)); }

  std::vector<std::pair<uint32_t, uint32_t>> changes(size_t k) const {
    std::vector<std::pair<uint32_t, uint32_t>> out;
    const uint32_t* o = codes_of(k);
    for (size_t i = 0; i < n_; ++i) {
      if (o[i] != base_[i]) out.emplace_back(static_cast<uint32_t>(i), o[i] & ~kUnknownMark);
    }
    return out;
  }

  // Codes still possible per change, over the tested values `members` of one group.
  void fill_possible(WhatIf& w, const std::vector<size_t>& members) const {
    for (const auto& [o, code] : w.changes) {
      uint64_t poss = ~uint64_t{0};
      if (code == m_.outputs[o].unknown_code) {
        poss = 0;
        for (size_t k : members) poss |= ms_.possible[k * n_ + o];
      }
      w.possible.push_back(poss);
    }
  }

  void analyse(const Candidate& c, std::vector<MissingField>& out) {
    MissingField mf;
    mf.ref = c.ref;
    mf.imprecise = c.current.kind == VKind::Date;
    std::vector<uint8_t>& changed = ms_.changed;
    changed.assign(n_, 0);
    const FieldDef& f = *c.field;
    // Test values and how to name the groups they form.
    ms_.tested.clear();
    ms_.codes.clear();
    ms_.possible.clear();
    enum class Naming { Discrete, Ordered, None } naming = Naming::None;
    std::vector<double>& points = ms_.points;
    points.clear();
    std::vector<Probe>& probes = ms_.probes;
    probes.clear();
    for (const auto& pr : s_.main.probes) {
      if (pr.field == c.ref) probes.push_back(pr);
    }
    begin_candidate(c.ref);
    auto test = [&](const Value& v) { try_value(v); };
    switch (f.type) {
      case FieldType::Boolean:
        naming = Naming::Discrete;
        test(Value::boolean(false));
        test(Value::boolean(true));
        break;
      case FieldType::Enum: {
        naming = Naming::Discrete;
        const EnumDef& e = m_.schema.enums[static_cast<size_t>(f.enum_id)];
        for (uint32_t i = 0; i < e.values.size(); ++i) test(Value::enumerated(static_cast<uint16_t>(f.enum_id), i));
        break;
      }
      case FieldType::Integer:
      case FieldType::Number: {
        bool small = f.type == FieldType::Integer && f.min && f.max && (*f.max - *f.min) <= 10;
        naming = Naming::Ordered;
        if (small) {
          for (double x = *f.min; x <= *f.max; x += 1) points.push_back(x);
        } else {
          double step_base = f.type == FieldType::Integer ? 1.0 : 0.0;
          for (const auto& pr : probes) {
            double step = step_base > 0 ? step_base : std::max(std::fabs(pr.at) * 1e-6, 1e-6);
            double t = f.type == FieldType::Integer ? std::ceil(pr.at) : pr.at;
            for (double x : {t - step, t, t + step}) {
              if (f.type == FieldType::Integer && pr.at != t && x == t - step) continue;
              points.push_back(x);
            }
          }
        }
        std::sort(points.begin(), points.end());
        points.erase(std::unique(points.begin(), points.end()), points.end());
        std::erase_if(points, [&](double x) {
          return (f.min && (x < *f.min || (f.min_exclusive && x == *f.min))) ||
                 (f.max && (x > *f.max || (f.max_exclusive && x == *f.max)));
        });
        for (double x : points) test(Value::number(x));
        break;
      }
      case FieldType::Date: {
        naming = Naming::Ordered;
        if (c.current.kind == VKind::Date) {
          for (int32_t d = c.current.date.lo; d <= c.current.date.hi; ++d) points.push_back(d);
        } else {
          for (const auto& pr : probes) {
            for (double x : {pr.at - 1, pr.at, pr.at + 1}) points.push_back(x);
          }
          std::sort(points.begin(), points.end());
          points.erase(std::unique(points.begin(), points.end()), points.end());
        }
        for (double x : points) {
          auto d = static_cast<int32_t>(x);
          test(Value::date_range(d, d));
        }
        break;
      }
      case FieldType::List: {
        // A whole unknown list is listed without what-if: find whether any value matters.
        test(Value::list_of(nullptr, 0));
        if (f.of == ListOf::Enum) {
          const EnumDef& e = m_.schema.enums[static_cast<size_t>(f.enum_id)];
          ms_.single_items.resize(e.values.size());
          for (uint32_t i = 0; i < e.values.size(); ++i) {
            ms_.single_items[i] = Value::enumerated(static_cast<uint16_t>(f.enum_id), i);
            test(Value::list_of(&ms_.single_items[i], 1));
          }
        }
        break;
      }
      case FieldType::Text:
        break;
    }
    // Outputs left unknown by this field count too (joint unknowns, no threshold found).
    for (size_t i = 0; i < unknown_why_.size(); ++i) {
      const USet* w = unknown_why_[i];
      bool hit = f.type == FieldType::List ? set_has_slot(w, ref_slot(c.ref)) || set_has(w, c.ref) : set_has(w, c.ref);
      if (hit) changed[i] = 1;
    }
    for (uint32_t i = 0; i < changed.size(); ++i) {
      if (changed[i]) mf.affects.push_back(i);
    }
    if (mf.affects.empty()) return;
    if (opt_.what_if && f.type != FieldType::List) {
      std::string path = field_path(m_.schema, c.ref);
      if (naming == Naming::Discrete) discrete(f, path, mf);
      if (naming == Naming::Ordered) ordered(f, path, probes, mf);
    }
    out.push_back(std::move(mf));
  }

  // Fields that can change an output only together with other unknown fields: two unknown
  // conditions of a conjunction (neither alone can make it true) leave the output where it
  // is whichever value either takes alone. For each output, the candidates behind its
  // unknown definitions (their unknown sets) are tested jointly, every combination of their
  // tested values, when there are at most kJointFields of them and kJointCombinations
  // combinations; a field whose value changes the output in some combination (with the
  // others fixed) is listed as affecting it. Its what-if still lists single-field changes.
  static constexpr size_t kJointFields = 4;
  static constexpr size_t kJointCombinations = 64;

  void joint(std::vector<MissingField>& out) {
    const EvalState& main = s_.main;
    std::vector<size_t>& suspects = ms_.suspects;
    for (uint32_t o = 0; o < n_; ++o) {
      suspects.clear();
      auto suspect = [&](const USet* why) {
        for (uint32_t k = 0; why && k < why->size; ++k) {
          for (size_t c = 0; c < candidates_.size(); ++c) {
            // Whole lists are not tested jointly: their tested values point into storage the
            // next list candidate reuses, and a whole unknown list has no what-if anyway.
            if (candidates_[c].ref != why->refs[k] || candidates_[c].field->type == FieldType::List) continue;
            if (std::find(suspects.begin(), suspects.end(), c) == suspects.end()) suspects.push_back(c);
          }
        }
      };
      suspect(unknown_why_[o]);
      for (uint32_t j = ms_.output_deps_from[o]; j < ms_.output_deps_from[o + 1]; ++j) {
        const uint32_t d = ms_.output_deps[j];
        if (main.done[d] != main.generation) continue;
        const Value& v = main.cache[d];
        if (v.kind == VKind::Unknown || (v.kind == VKind::Date && v.date.lo != v.date.hi)) suspect(v.why);
      }
      if (suspects.size() < 2 || suspects.size() > kJointFields) continue;
      bool missing_some = false;
      size_t combinations = 1;
      for (size_t c : suspects) {
        missing_some = missing_some || !affects(out, candidates_[c].ref, o);
        combinations *= std::max<size_t>(tested_count(c), 1);
      }
      if (!missing_some || combinations > kJointCombinations) continue;
      joint_output(o, suspects, combinations, out);
    }
  }

  // Values tested for candidate c (kept with two candidates or more).
  size_t tested_count(size_t c) const { return ms_.tested_from[c + 1] - ms_.tested_from[c]; }

  static const MissingField* find_field(const std::vector<MissingField>& out, FieldRef r) {
    for (const auto& mf : out) {
      if (mf.ref == r) return &mf;
    }
    return nullptr;
  }
  static bool affects(const std::vector<MissingField>& out, FieldRef r, uint32_t o) {
    const MissingField* mf = find_field(out, r);
    return mf && std::find(mf->affects.begin(), mf->affects.end(), o) != mf->affects.end();
  }

  void joint_output(uint32_t o, const std::vector<size_t>& suspects, size_t combinations,
                    std::vector<MissingField>& out) {
    // codes[k]: output o under combination k (mixed radix over the suspects' tested values);
    // kNone when the combination contradicts the constraints.
    std::vector<uint32_t>& codes = ms_.joint_codes;
    codes.assign(combinations, kNone);
    std::vector<size_t>& digit = ms_.digits;
    digit.assign(suspects.size(), 0);
    for (size_t k = 0; k < combinations; ++k) {
      size_t rest = k;
      bool any_value = true;
      for (size_t i = 0; i < suspects.size(); ++i) {
        const size_t n = tested_count(suspects[i]);
        any_value = any_value && n > 0;
        digit[i] = n ? rest % n : 0;
        rest = n ? rest / n : rest;
      }
      if (!any_value) continue;
      codes[k] = evaluate_patched(o, suspects, digit);
    }
    // A suspect changes o when two combinations that differ only in its value give different
    // codes, one of them not the main assessment's.
    size_t stride = 1;
    for (size_t i = 0; i < suspects.size(); ++i) {
      const size_t n = tested_count(suspects[i]);
      bool changes = false;
      for (size_t k = 0; k < combinations && !changes && n > 1; ++k) {
        const size_t mine = (k / stride) % n;
        for (size_t v = mine + 1; v < n && !changes; ++v) {
          const size_t other = k + (v - mine) * stride;
          const uint32_t a = codes[k], b = codes[other];
          changes = a != kNone && b != kNone && a != b && (a != base_[o] || b != base_[o]);
        }
      }
      stride *= std::max<size_t>(n, 1);
      if (changes) add_affects(out, candidates_[suspects[i]], o);
    }
  }

  // Output o's code (unknown: marked) with every suspect set to its `digit`-th tested value;
  // kNone when that contradicts the constraints. A fresh evaluation of a patched copy.
  uint32_t evaluate_patched(uint32_t o, const std::vector<size_t>& suspects, const std::vector<size_t>& digit) {
    std::vector<Value>& values = ms_.values;
    values.assign(p_.values.begin(), p_.values.end());
    // List subfields: the list's items and each patched record's subfields, copied once.
    // Copies of patched lists and records; the slots are reused across records (their
    // capacity kept) and sized first, so that pointers into them stay valid.
    std::vector<std::vector<Value>>& copies = ms_.joint_copies;
    if (copies.size() < 2 * suspects.size()) copies.resize(2 * suspects.size());
    size_t used = 0;
    for (size_t i = 0; i < suspects.size(); ++i) {
      const FieldRef r = candidates_[suspects[i]].ref;
      const Value& v = ms_.tested_all[ms_.tested_from[suspects[i]] + digit[i]];
      const uint32_t slot = ref_slot(r);
      if (ref_sub1(r) == 0) {
        values[slot] = v;
        continue;
      }
      Value& list = values[slot];
      if (list.list.items == p_.values[slot].list.items) {
        std::vector<Value>& copy = copies[used++];
        copy.assign(list.list.items, list.list.items + list.list.count);
        list.list.items = copy.data();
      }
      auto* items = const_cast<Value*>(list.list.items);
      Value& rec = items[ref_elem1(r) - 1];
      const size_t nsub = m_.schema.fields[slot].fields.size();
      const Value* original = p_.values[slot].list.items[ref_elem1(r) - 1].rec.fields;
      if (rec.rec.fields == original) {
        std::vector<Value>& copy = copies[used++];
        copy.assign(original, original + nsub);
        rec.rec.fields = copy.data();
      }
      const_cast<Value*>(rec.rec.fields)[ref_sub1(r) - 1] = v;
    }
    EvalState& cf = s_.counterfactual;
    prepare_state(m_, cf);
    cf.record_probes = false;
    Evaluator ev(m_, p_, cf, values.data());
    if (violates_constraints(m_, ev, values.data(), ~uint64_t{0}, ms_.exhaustive)) return kNone;
    const Value v = ev.def(m_.output_defs[o]);
    return v.kind == VKind::Enum ? v.e : (m_.outputs[o].unknown_code | kUnknownMark);
  }

  void add_affects(std::vector<MissingField>& out, const Candidate& c, uint32_t o) {
    for (auto& mf : out) {
      if (mf.ref != c.ref) continue;
      if (std::find(mf.affects.begin(), mf.affects.end(), o) == mf.affects.end()) {
        mf.affects.insert(std::upper_bound(mf.affects.begin(), mf.affects.end(), o), o);
      }
      return;
    }
    MissingField mf;
    mf.ref = c.ref;
    mf.imprecise = c.current.kind == VKind::Date;
    mf.affects.push_back(o);
    out.push_back(std::move(mf));
  }

  std::string value_name(const FieldDef& f, const Value& v) const {
    if (v.kind == VKind::Bool) return v.b ? "true" : "false";
    if (v.kind == VKind::Enum) return m_.schema.enums[static_cast<size_t>(f.enum_id)].values[v.e];
    return "?";
  }

  void discrete(const FieldDef& f, const std::string& path, MissingField& mf) {
    const std::vector<Value>& tested = ms_.tested;
    std::vector<bool> used(tested.size(), false);
    for (size_t i = 0; i < tested.size(); ++i) {
      if (used[i]) continue;
      std::vector<size_t> group{i};
      for (size_t j = i + 1; j < tested.size(); ++j) {
        if (!used[j] && same_outcome(j, i)) group.push_back(j);
      }
      for (size_t g : group) used[g] = true;
      auto ch = changes(i);
      if (ch.empty()) continue;
      WhatIf w;
      if (group.size() == 1) {
        w.when = path + " == " + value_name(f, tested[i]);
      } else {
        w.when = path + " in [";
        for (size_t k = 0; k < group.size(); ++k) {
          if (k) w.when += ", ";
          w.when += value_name(f, tested[group[k]]);
        }
        w.when += "]";
      }
      w.changes = std::move(ch);
      fill_possible(w, group);
      mf.what_if.push_back(std::move(w));
    }
  }

  void ordered(const FieldDef& f, const std::string& path, const std::vector<Probe>& probes, MissingField& mf) {
    const std::vector<Value>& tested = ms_.tested;
    if (tested.empty()) return;
    auto x_of = [](const Value& v) { return v.kind == VKind::Date ? static_cast<double>(v.date.lo) : v.num; };
    // Runs of equal outcomes over the sorted test points.
    struct Run {
      size_t first, last;
    };
    std::vector<Run> runs;
    for (size_t i = 0; i < tested.size(); ++i) {
      if (!runs.empty() && same_outcome(runs.back().last, i)) {
        runs.back().last = i;
      } else {
        runs.push_back({i, i});
      }
    }
    // Boundary between run k and k+1: ("<= p" | "> p") or ("< q" | ">= q").
    struct Bound {
      std::string below, above;
    };
    std::vector<Bound> bounds;
    for (size_t k = 0; k + 1 < runs.size(); ++k) {
      double p = x_of(tested[runs[k].last]);
      double q = x_of(tested[runs[k + 1].first]);
      int mode = 0;  // 1: closed upper at q; 2: closed lower at p
      for (const auto& pr : probes) {
        if (pr.at == q && pr.closed_upper) mode = 1;
        if (pr.at == p && !pr.closed_upper && mode == 0) mode = 2;
      }
      if (mode == 0) mode = (f.type == FieldType::Date || f.type == FieldType::Integer) ? 2 : 1;
      if (mode == 1) {
        bounds.push_back({path + " < " + format_value_for(f, q), path + " >= " + format_value_for(f, q)});
      } else {
        bounds.push_back({path + " <= " + format_value_for(f, p), path + " > " + format_value_for(f, p)});
      }
    }
    for (size_t k = 0; k < runs.size(); ++k) {
      auto ch = changes(runs[k].first);
      if (ch.empty()) continue;
      WhatIf w;
      std::string lower = k > 0 ? bounds[k - 1].above : "";
      std::string upper = k + 1 < runs.size() ? bounds[k].below : "";
      if (!lower.empty() && !upper.empty()) {
        w.when = lower + " and " + upper;
      } else if (!lower.empty()) {
        w.when = lower;
      } else if (!upper.empty()) {
        w.when = upper;
      } else {
        w.when = "any value of " + path;
      }
      if (runs[k].first == runs[k].last && k > 0 && k + 1 < runs.size()) {
        w.when = path + " == " + format_value_for(f, x_of(tested[runs[k].first]));
      }
      w.changes = std::move(ch);
      std::vector<size_t> members;
      for (size_t i = runs[k].first; i <= runs[k].last; ++i) members.push_back(i);
      fill_possible(w, members);
      mf.what_if.push_back(std::move(w));
    }
  }

  const RuleSetModel& m_;
  const Patient& p_;
  const AssessOptions& opt_;
  AssessScratch& s_;
  MissingScratch& ms_;
  const size_t n_;  // outputs
  const std::vector<uint32_t>& base_;
  const std::vector<const USet*>& unknown_why_;
  std::vector<Candidate> candidates_;
  uint32_t slot_ = 0;             // of the candidate
  uint32_t sub1_ = 0;             // of the candidate: its subfield (1-based; 0 for a top-level field)
  Value* patched_ = nullptr;      // in ms_: the value under test
  bool memo_ = false;             // the outcome memo holds for the candidate (find_sources)
  bool sources_as_main_ = false;  // and the main assessment evaluated every source
  std::span<const uint32_t> slot_outputs_, slot_constraints_;  // of the candidate's slot
  uint8_t* walks_ = nullptr;     // keeps_main: the candidate's block of MissingScratch::walks
  bool static_walk_ = false;     // taint() evaluates nothing
  bool walk_evaluates_ = false;  // a static walk met a condition it would evaluate
};

}  // namespace

std::vector<std::vector<uint8_t>> output_dependencies(const RuleSetModel& m) {
  std::vector<std::vector<uint8_t>> out(m.outputs.size(), std::vector<uint8_t>(m.defs.size(), 0));
  for (size_t o = 0; o < m.outputs.size(); ++o) {
    std::vector<uint32_t> stack{m.output_defs[o]};
    auto& seen = out[o];
    while (!stack.empty()) {
      uint32_t d = stack.back();
      stack.pop_back();
      if (seen[d]) continue;
      seen[d] = 1;
      for (uint32_t dep : m.defs[d].deps) stack.push_back(dep);
    }
  }
  return out;
}

void index_slot_dependants(RuleSetModel& m) {
  size_t nslots = m.schema.fields.size();
  std::vector<std::vector<uint8_t>> reads(m.defs.size());  // per def: slots read, transitively
  std::vector<uint8_t> state(m.defs.size(), 0);
  // Depth-first over `deps` (the checker has rejected cycles); field_reads holds the fields a
  // definition reads itself, deps what it references.
  auto visit = [&](auto& self, uint32_t d) -> const std::vector<uint8_t>& {
    if (state[d]) return reads[d];
    state[d] = 1;
    std::vector<uint8_t> r(nslots, 0);
    for (FieldRef f : m.defs[d].field_reads) r[ref_slot(f)] = 1;
    for (uint32_t dep : m.defs[d].deps) {
      const auto& rd = self(self, dep);
      for (size_t i = 0; i < nslots; ++i) r[i] |= rd[i];
    }
    reads[d] = std::move(r);
    return reads[d];
  };
  m.defs_reading_slot.assign(nslots, {});
  m.slot_affects_outputs.assign(nslots, 0);
  m.def_slot_mask.assign(m.defs.size(), 0);
  for (uint32_t d = 0; d < m.defs.size(); ++d) {
    const auto& r = visit(visit, d);
    for (size_t i = 0; i < nslots; ++i) {
      if (!r[i]) continue;
      m.def_slot_mask[d] |= slot_bit(static_cast<uint32_t>(i));
    }
  }
  // Dependency order (post-order over `deps`): a counterfactual re-evaluation settles every
  // definition a def references before the def itself.
  std::vector<uint8_t> placed(m.defs.size(), 0);
  auto place = [&](auto& self, uint32_t d) -> void {
    if (placed[d]) return;
    placed[d] = 1;
    for (uint32_t dep : m.defs[d].deps) self(self, dep);
    for (size_t i = 0; i < nslots; ++i) {
      if (reads[d][i]) m.defs_reading_slot[i].push_back(d);
    }
  };
  for (uint32_t d = 0; d < m.defs.size(); ++d) place(place, d);
  for (uint32_t od : m.output_defs) {
    for (size_t i = 0; i < nslots; ++i) m.slot_affects_outputs[i] |= reads[od][i];
  }
  m.def_dependants.assign(m.defs.size(), {});
  for (uint32_t d = 0; d < m.defs.size(); ++d) {
    for (uint32_t dep : m.defs[d].deps) m.def_dependants[dep].push_back(d);
  }
  for (ConstraintDef& c : m.constraints) {
    c.slot_mask = c.direct_slots;
    for (uint32_t d : c.deps) c.slot_mask |= m.def_slot_mask[d];
    const uint64_t strict = c.when.present() ? strict_slots(m, c.when.root) : kNotStrict;
    c.strict_slots = strict == kNotStrict ? 0 : strict;
  }
  m.output_presuming_defs.assign(m.outputs.size(), {});
  for (size_t o = 0; o < m.outputs.size(); ++o) {
    for (uint32_t d = 0; d < m.defs.size(); ++d) {
      if (!m.defs[d].presumes.empty() && m.output_deps[o][d]) m.output_presuming_defs[o].push_back(d);
    }
  }
  m.defs_evidence.clear();
  for (const Def& def : m.defs) {
    if (def.kind == DefKind::Criterion || def.kind == DefKind::Fact) {
      m.defs_evidence.insert(m.defs_evidence.end(), def.evidence.begin(), def.evidence.end());
    }
  }
  std::sort(m.defs_evidence.begin(), m.defs_evidence.end());
  m.defs_evidence.erase(std::unique(m.defs_evidence.begin(), m.defs_evidence.end()), m.defs_evidence.end());
}

void assess(const RuleSetModel& m, const Patient& p, const AssessOptions& opt, AssessScratch& scratch,
            Assessment& out) {
  // Per-output results are reset in place (their vectors keep their capacity across records).
  out.outputs.resize(m.outputs.size());
  for (auto& r : out.outputs) {
    r.code = 0;
    r.known = false;
    r.possible = ~uint64_t{0};
    r.why.clear();
    r.reasons.clear();
    r.notes.clear();
    r.evidence.clear();
    r.decided_rule = -1;
  }
  if (!opt.explain) out.defs.clear();
  out.paths.clear();
  out.missing.clear();
  out.warnings.clear();
  out.cited.clear();
  out.contradictions.clear();

  index_citations(m, scratch);
  // Evidence the result cites: marked per reason, note, presumption and site evidence entry.
  uint64_t* cite = scratch.cite_bits.data();
  const uint32_t words = scratch.cite_words;
  auto mark = [&](uint32_t entry) {
    const uint64_t* mask = scratch.cite_masks.data() + size_t{entry} * words;
    if (words == 1) {
      cite[0] |= mask[0];
      return;
    }
    for (uint32_t w = 0; w < words; ++w) cite[w] |= mask[w];
  };

  EvalState& s = scratch.main;
  prepare_state(m, s);
  // Probes (the thresholds unknown fields were compared with) feed only the missing-data
  // analysis; without it, short-circuits may skip any operand.
  s.record_probes = opt.missing;
  Evaluator ev(m, p, s);

  // Facts that contradict each other make the case an error, never a verdict.
  for (const auto& c : m.constraints) {
    if (!scratch.missing.exhaustive && cannot_hold(m, c, p.values.data(), s.record_probes)) continue;
    Value v = ev.expr(c.when);
    if (v.kind == VKind::Bool && v.b) {
      InputError e;
      e.kind = "contradiction";
      e.field = c.field;
      if (c.field_slot != kNone) e.pos = p.value_pos[c.field_slot];
      e.message = c.message;
      out.contradictions.push_back(std::move(e));
    }
  }
  if (!out.contradictions.empty()) {
    out.outputs.clear();
    out.defs.clear();
    return;
  }

  // With the trace asked for, every definition, in declaration order: nothing skipped. Without
  // it, the outputs (below) evaluate exactly the definitions they depend on; the others cannot
  // change any output, reason or warning.
  if (opt.explain) {
    ev.eval_all_defs();
  }

  std::vector<uint32_t>& base = scratch.missing.base;
  base.assign(m.outputs.size(), 0);
  std::vector<uint64_t>& base_possible = scratch.missing.base_possible;
  base_possible.assign(m.outputs.size(), ~uint64_t{0});
  std::vector<const USet*>& unknown_why = scratch.missing.unknown_why;
  unknown_why.assign(m.outputs.size(), nullptr);
  for (uint32_t o = 0; o < m.outputs.size(); ++o) {
    const OutputDef& od = m.outputs[o];
    OutputResult& r = out.outputs[o];
    Value v = ev.def(m.output_defs[o]);
    r.known = v.kind == VKind::Enum;
    r.code = r.known ? v.e : od.unknown_code;
    base[o] = r.known ? v.e : (od.unknown_code | kUnknownMark);
    if (!r.known) {
      unknown_why[o] = v.why;
      if (v.why) r.why.assign(v.why->refs, v.why->refs + v.why->size);
      if (v.hint == kPossibleCodes) r.possible = v.codes;
      base_possible[o] = r.possible;
    }
    r.decided_rule = s.decided_rule[o];
    if (od.form != OutputForm::Verdict) continue;
    uint64_t bit = r.code < 64 ? (uint64_t{1} << r.code) : 0;
    // Each list of conditions as one program when all of them are known (else one by one).
    uint64_t holds = 0;
    if (r.code < od.reasons_for_code.size() && ev.conditions(od.reasons_for_code[r.code], holds)) {
      for (; holds != 0; holds &= holds - 1) {
        const auto i = static_cast<uint32_t>(__builtin_ctzll(holds));
        r.reasons.push_back({o, &od.reasons[i], nullptr});
        mark(scratch.cite_reason[o] + i);
      }
    } else {
      for (uint32_t i = 0; i < od.reasons.size(); ++i) {
        const ReasonDef& rd = od.reasons[i];
        if (!(rd.for_mask & bit)) continue;
        Value w = ev.expr(rd.when);
        if (w.kind == VKind::Bool && w.b) {
          r.reasons.push_back({o, &rd, nullptr});
          mark(scratch.cite_reason[o] + i);
        }
      }
    }
    // Presumptions the verdict rests on, stated with it.
    for (uint32_t d : m.output_presuming_defs[o]) {
      const Def& def = m.defs[d];
      bool presumed = std::any_of(def.presumes.begin(), def.presumes.end(),
                                  [&](uint32_t slot) { return p.values[slot].kind == VKind::Unknown; });
      if (presumed) {
        r.reasons.push_back({o, nullptr, &def});
        mark(scratch.cite_def + d);
      }
    }
    auto add_site_evidence = [&](uint32_t i) {
      for (uint32_t e : od.site_evidence[i].evidence) {
        if (std::find(r.evidence.begin(), r.evidence.end(), e) == r.evidence.end()) r.evidence.push_back(e);
      }
      mark(scratch.cite_site[o] + i);
    };
    if (ev.conditions(od.site_evidence_prog, holds)) {
      for (; holds != 0; holds &= holds - 1) add_site_evidence(static_cast<uint32_t>(__builtin_ctzll(holds)));
    } else {
      for (uint32_t i = 0; i < od.site_evidence.size(); ++i) {
        Value w = ev.expr(od.site_evidence[i].when);
        if (w.kind == VKind::Bool && w.b) add_site_evidence(i);
      }
    }
    if (ev.conditions(od.notes_prog, holds)) {
      for (; holds != 0; holds &= holds - 1) {
        const auto i = static_cast<uint32_t>(__builtin_ctzll(holds));
        r.notes.push_back({o, &od.notes[i], nullptr});
        mark(scratch.cite_note[o] + i);
      }
    } else {
      for (uint32_t i = 0; i < od.notes.size(); ++i) {
        Value w = ev.expr(od.notes[i].when);
        if (w.kind == VKind::Bool && w.b) {
          r.notes.push_back({o, &od.notes[i], nullptr});
          mark(scratch.cite_note[o] + i);
        }
      }
    }
  }

  for (const auto& pw : p.warnings) out.warnings.push_back({pw.code, pw.field, pw.message});
  uint64_t warned = 0;
  if (ev.conditions(m.warnings_prog, warned)) {
    for (; warned != 0; warned &= warned - 1) {
      const WarningDef& wd = m.warnings[__builtin_ctzll(warned)];
      out.warnings.push_back({wd.code, wd.field, wd.message});
    }
  } else {
    for (const auto& wd : m.warnings) {
      Value w = ev.expr(wd.when);
      if (w.kind == VKind::Bool && w.b) out.warnings.push_back({wd.code, wd.field, wd.message});
    }
  }

  if (opt.explain) {
    // Every definition's value; the result's vectors are reused across records.
    const size_t ndefs = m.defs.size();
    out.defs.resize(ndefs);
    const Value* cache = s.cache.data();
    for (size_t d = 0; d < ndefs; ++d) {
      DefResult& dr = out.defs[d];
      dr.value = cache[d];
      dr.why.clear();
      if (dr.value.kind == VKind::Unknown && dr.value.why) {
        dr.why.assign(dr.value.why->refs, dr.value.why->refs + dr.value.why->size);
      }
      dr.value.why = nullptr;
      dr.presumed = false;
      for (uint32_t slot : m.defs[d].presumes) dr.presumed = dr.presumed || p.values[slot].kind == VKind::Unknown;
    }
    mark(scratch.cite_defs);
    out.paths = s.tree_paths;
  }
  // In id order, each once; the marks cleared for the next assessment.
  for (uint32_t w = 0; w < words; ++w) {
    for (uint64_t bits = cite[w]; bits != 0; bits &= bits - 1) {
      out.cited.push_back(w * 64 + static_cast<uint32_t>(__builtin_ctzll(bits)));
    }
    cite[w] = 0;
  }
  // Coverage bits: handed over (prepare_state refills the state's vectors).
  out.rules_reached.swap(s.rules_reached);
  out.tree_branches_reached.swap(s.tree_nodes_reached);

  if (!opt.missing) return;
  MissingAnalysis ma(m, p, opt, scratch);
  ma.run(out.missing);
}

}  // namespace oligoscreen::detail
