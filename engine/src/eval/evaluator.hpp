// Evaluates a rule set against one patient: Kleene logic, unknown sets, trees and decisions
// over all paths, memoized definitions, and (for what-if) threshold probes.
#pragma once

#include <cstdint>
#include <vector>

#include "core/date.hpp"
#include "eval/arena.hpp"
#include "eval/month_table.hpp"
#include "eval/value.hpp"
#include "patient/patient.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

// A value a field was compared with while it was unknown (or imprecise): a candidate
// boundary for the what-if analysis. `closed_upper`: the boundary belongs to the upper side
// (x < t | x >= t); otherwise to the lower side (x <= t | x > t).
struct Probe {
  FieldRef field;
  double at;  // number, or day number for dates
  bool closed_upper;
};

struct TreeStep {
  uint32_t node;
  uint8_t answer;  // 0 false, 1 true, 2 unknown
};

// Per-evaluation working memory. Reused across records by one thread.
struct EvalState {
  Arena arena;
  std::vector<Value> cache;    // per def
  std::vector<uint32_t> done;  // per def: == generation when cache holds this assessment's value
  uint32_t generation = 0;
  std::vector<Value> vars;          // bound variables
  std::vector<const Value*> items;  // bound variables of fast-tier programs: the current item
  std::vector<Probe> probes;
  std::vector<std::vector<TreeStep>> tree_paths;  // per tree
  std::vector<int32_t> decided_rule;              // per output: matched rule, -1 when unknown
  std::vector<uint64_t> rules_reached;            // per output: bit per rule (coverage)
  std::vector<uint64_t> tree_nodes_reached;       // per tree: bit per node (coverage; first 64)
  bool record_probes = false;
  // Slot masks (slot_bit) of the slots classified so far in this assessment, and of those
  // among them whose value is unknown or imprecise (directly or in a list item): while probes
  // are recorded, a short-circuit skips only an operand that reads none of the latter.
  uint64_t checked_slots = 0, vague_slots = 0;
  // Tests: evaluate every definition the fast tier handled through the general tier too,
  // and count disagreements here (must stay 0).
  bool verify_fast = false;
  uint32_t fast_mismatches = 0;
  // Tests: run every native program (eval/native_programs.hpp) and the interpreter on the
  // same instructions, keep the interpreter's result, and count the runs and disagreements.
  bool verify_native = false;
  uint32_t native_runs = 0, native_mismatches = 0;
  // Recent add_months_day results (a pure function; the same date plus the same months
  // recurs across the conditions of a case). An all-zero entry is valid: day 0 plus 0 months.
  struct MonthSum {
    int32_t day = 0, months = 0, result = 0;
  };
  MonthSum month_sums[8];
};

class Evaluator {
 public:
  // `values`: the top-level field values to read, one per schema slot; by default the
  // patient's. A counterfactual re-assessment passes a patched copy (one fact changed), so
  // that both tiers run unchanged on it.
  Evaluator(const RuleSetModel& m, const Patient& p, EvalState& s, const Value* values = nullptr);

  Value def(uint32_t d);
  // Every definition, in declaration order (the trace): the same values as def(d) for each d.
  void eval_all_defs();
  // The conditions of `p` that are true (bit i: condition i), each as expr() gives it: a
  // condition expr() finds unknown does not hold. False when the program bails out (some
  // condition it cannot decide: the caller then takes expr() of each), or there is none.
  bool conditions(const ConditionsProgram& p, uint64_t& holds);
  Value eval(uint32_t node);
  Value expr(const ExprRef& e) { return e.present() ? root(e.root) : Value::unknown(); }

  // Kleene helpers, exposed for tests.
  Value kand(const Value& a, const Value& b);
  Value kor(const Value& a, const Value& b);

  const USet* single(FieldRef r);
  const USet* merge(const USet* a, const USet* b);

 private:
  Value load_field(uint32_t slot);
  Value load_sub(const Value& rec, uint32_t sub);
  Value compare(Op op, const Value& a, const Value& b);
  Value compare_const(const HotNode& n);
  Value equal(const Value& a, const Value& b, bool negate);
  Value membership(const Value& x, const Value& list);
  Value arith(uint32_t node, const Value& a, const Value& b);
  Value call(uint32_t node);
  Value list_fn(uint32_t node);
  Value tree(uint32_t t);
  Value tree_node(uint32_t t, uint32_t n, uint32_t depth);
  Value tree_step(uint32_t t, uint32_t n, uint32_t depth, const Value& answer);  // node n answered
  Value decide(uint32_t o);
  Value decide_from(uint32_t o, uint32_t i);
  Value rule_value(uint32_t o, uint32_t i);
  void probe(const Value& unknown_side, const Value& known_side, Op op, bool unknown_on_left);
  Value unknown_of(const Value& a, const Value& b);
  bool same_known(const Value& a, const Value& b) const;

  // The fast tier (eval/fast_eval.cpp): known values only. Each returns false as soon as it
  // meets what it does not handle (an unknown, an imprecise date, text, a missing list); the
  // definition is then evaluated by the general, three-valued tier. When it returns true the
  // value equals the general tier's.
  bool fast_bool(uint32_t node, bool& out);
  bool fast_num(uint32_t node, double& out);
  bool fast_enum(uint32_t node, uint32_t& out);
  bool fast_day(uint32_t node, int32_t& out);
  bool fast_list(uint32_t node, const Value*& items, uint32_t& count);
  bool fast_def(uint32_t d, Value& out);
  // A field, subfield, variable, parameter or definition node's value (`held` keeps a
  // definition's); null for any other node, or a definition the fast tier left unknown.
  const Value* leaf_value(const HotNode& n, Value& held);
  // A root expression: its fast-tier program when it has one and it succeeds, else eval().
  Value root(uint32_t node);
  // Fast-tier programs (eval/fast_prog.cpp): false when the program bails out. `run` takes
  // one-instruction programs inline and hands the others to `run_prog`.
  bool run(const HotNode& root, double& out);
  bool run_prog(const HotNode& root, double& out) { return run_ops(root.prog_first, out); }
  // The program starting at fast_ops[first]: its native translation when the rule set has
  // one, else the interpreter (`interpret`).
  bool run_ops(uint32_t first, double& out);
  bool interpret(uint32_t first, double& out);
  bool run_native_checked(bool (*native)(Evaluator&, double&), uint32_t first, double& out);
  // def(d) for a fact or criterion that is not memoized and whose compiled program (of more
  // than one instruction) has the native translation `native`: the same value and side
  // effects, without def()'s dispatch. The memo entry is returned.
  const Value& def_native(uint32_t d, bool (*native)(Evaluator&, double&));
  int32_t plus_months(int32_t day, int32_t months);  // add_months_day through s_.month_sums and the table
  // Memoizes a compiled fact's or criterion's program result `x` as a value of its type;
  // false (nothing stored) for a type programs do not produce.
  bool store_fast(uint32_t d, double x);
  const Value& memo(uint32_t d, const Value& v);  // stores d's value for this assessment
  bool walk_fast(const RuleSetModel::DefHot& def, Value& out);
  // Whether a short-circuit may skip an operand reading the slots `mask` (see EvalState).
  bool may_skip(uint64_t mask);
  bool classify_slots(uint64_t mask);  // may_skip, classifying every slot (once per assessment)
  const Value& field_value(uint32_t slot) const;
  const Value* sub_value(uint32_t var, uint32_t sub) const;

  friend struct NativeAccess;  // the native programs (eval/native_access.hpp)

  const RuleSetModel& m_;
  EvalState& s_;
  const Value* values_;
};

inline int32_t Evaluator::plus_months(int32_t day, int32_t months) {
  EvalState::MonthSum& e = s_.month_sums[(static_cast<uint32_t>(day) ^ (static_cast<uint32_t>(months) * 5U)) & 7U];
  if (e.day != day || e.months != months) e = {day, months, add_months_table(day, months)};
  return e.result;
}

inline bool Evaluator::may_skip(uint64_t mask) {
  if (!s_.record_probes) return true;
  if ((mask & ~s_.checked_slots) == 0) return (mask & s_.vague_slots) == 0;
  return classify_slots(mask);
}

inline bool Evaluator::run_ops(uint32_t first, double& out) {
  if (!m_.native_programs.empty()) {
    if (bool (*native)(Evaluator&, double&) = m_.native_programs[first]) {
      if (!s_.verify_native) return native(*this, out);
      return run_native_checked(native, first, out);
    }
  }
  return interpret(first, out);
}

// Resets `s` for a new assessment of `m`.
void prepare_state(const RuleSetModel& m, EvalState& s);

}  // namespace oligoscreen::detail
