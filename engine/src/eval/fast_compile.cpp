// Compiles root expressions into fast-tier programs (eval/fast_prog.hpp).
#include <algorithm>
#include <cmath>
#include <vector>

#include "eval/fast_ops.hpp"
#include "eval/fast_prog.hpp"
#include "eval/native_programs.hpp"

namespace oligoscreen::detail {
namespace {

class Compiler {
 public:
  explicit Compiler(const RuleSetModel& m) : m_(m), def_refs_(m.defs.size(), 0) {
    for (const HotNode& h : m.hot) {
      if (h.op == Op::Def && h.index < def_refs_.size()) ++def_refs_[h.index];
    }
  }

  // Appends the program of `root` to `out`; false (and `out` unchanged) when some node is
  // outside what the fast tier handles.
  bool compile(uint32_t root, std::vector<FastOp>& out) {
    ops_.clear();
    var_slots_.clear();
    depth_ = max_depth_ = loops_ = 0;
    kleene_ = root < m_.hot.size() && m_.hot[root].type == Type::Bool;
    const bool ok = emit(root);
    kleene_ = false;
    if (!ok || max_depth_ >= kFastStack) return false;  // one cell spare: a condition list's bit set
    out.insert(out.end(), ops_.begin(), ops_.end());
    out.push_back(make(FCode::End));
    return true;
  }

 private:
  // Index of a load instruction by kind (kind_of's kinds): Bool, Number, Enum, Date.
  static int load_index(VKind k) {
    switch (k) {
      case VKind::Bool:
        return 0;
      case VKind::Number:
        return 1;
      case VKind::Enum:
        return 2;
      default:
        return 3;
    }
  }

  static bool kind_of(Type::Kind t, VKind& k) {
    switch (t) {
      case Type::Bool:
        k = VKind::Bool;
        return true;
      case Type::Number:
        k = VKind::Number;
        return true;
      case Type::Enum:
        k = VKind::Enum;
        return true;
      case Type::Date:
        k = VKind::Date;
        return true;
      default:
        return false;
    }
  }

  void push(FastOp op, int effect) {
    ops_.push_back(op);
    depth_ += effect;
    if (depth_ > max_depth_) max_depth_ = depth_;
  }
  static FastOp make(FCode c, uint32_t a = 0, uint8_t kind = 0, uint16_t var = 0) {
    FastOp op;
    op.code = c;
    op.a = a;
    op.kind = kind;
    op.var = var;
    return op;
  }

  // A list source for count/loops: a field or a parameter. `param` set for a parameter.
  bool list_source(uint32_t node, uint32_t& index, bool& param) const {
    const HotNode& n = m_.hot[node];
    if (n.op == Op::Field) {
      index = n.index;
      param = false;
      return true;
    }
    if (n.op == Op::Param) {
      index = n.index;
      param = true;
      return true;
    }
    return false;
  }

  bool binary(const HotNode& n, FCode c) {
    if (!emit(n.a) || !emit(n.b)) return false;
    push(make(c), -1);
    return true;
  }

  // A comparison `a <op> b`; with b a constant, one instruction comparing with it (and with a
  // as well a number field or a list length, one instruction for all); two date fields, one.
  bool comparison(const HotNode& n, FCode c) {
    const size_t at = ops_.size();
    if (!emit(n.a)) return false;
    const size_t mid = ops_.size();
    if (!emit(n.b)) return false;
    const auto op = static_cast<uint8_t>(n.op);
    const bool one_a = mid == at + 1, one_b = ops_.size() == mid + 1;
    if (one_b && ops_[mid].code == FCode::Const) {
      const double k = ops_[mid].k;
      if (one_a && (ops_[at].code == FCode::FieldN || (ops_[at].code == FCode::Count && ops_[at].var == 0))) {
        FastOp f = make(ops_[at].code == FCode::FieldN ? FCode::FieldCmpK : FCode::CountCmpK, ops_[at].a, op);
        f.k = k;
        ops_.resize(at);
        depth_ -= 2;
        push(f, 1);
        return true;
      }
      ops_[mid].code = FCode::CmpK;
      ops_[mid].kind = op;
      --depth_;
      return true;
    }
    if (one_a && one_b && ops_[at].code == FCode::FieldD && ops_[mid].code == FCode::FieldD && ops_[mid].a <= 0xFFFF) {
      const uint32_t x = ops_[at].a, y = ops_[mid].a;
      ops_.resize(at);
      depth_ -= 2;
      push(make(FCode::DateCmp, x, op, static_cast<uint16_t>(y)), 1);
      return true;
    }
    push(make(c), -1);
    return true;
  }

  // `x and y` / `x or y`: the jump after x skips y when x decides (FCode::AndJump). Else, when
  // x may be an unknown 0.5 (it holds a DefB that gives one), x stays on the stack and a Join
  // combines it with y (Kleene); otherwise x (1 for `and`, 0 for `or`) is popped and y is the
  // value.
  bool short_circuit(const HotNode& n, FCode jump) {
    const size_t from = ops_.size();
    if (!emit(n.a)) return false;
    bool join = false;
    for (size_t i = from; i < ops_.size(); ++i) join = join || (ops_[i].code == FCode::DefB && ops_[i].var != 0);
    const size_t at = ops_.size();
    push(make(jump, 0, join ? 1 : 0), join ? 0 : -1);
    if (!emit(n.b)) return false;
    const bool one_def = ops_.size() == at + 2 && ops_[at + 1].code == FCode::DefB;
    if (join) push(make(FCode::Join, 0, static_cast<uint8_t>(n.op)), -1);
    ops_[at].a = static_cast<uint32_t>(ops_.size() - at - 1);
    ops_[at].mask = reads(n.b);
    ops_[at].var = one_def ? 1 : 0;
    return true;
  }

  // Can the value of the ops emitted for node `x` since `at` be negated by a flag on the last
  // of them? Only when that instruction runs on every path through x's code and computes a
  // boolean the flag negates (FCode, kNegate).
  bool negatable(uint32_t x, size_t at) const {
    if (ops_.size() <= at) return false;
    const FCode c = ops_.back().code;
    if (ops_.size() == at + 1) {
      return c == FCode::FieldB || c == FCode::DefB || c == FCode::KnownField || c == FCode::KnownSub ||
             c == FCode::KnownDef || c == FCode::ListEnum;
    }
    return m_.hot[x].op == Op::In && (c == FCode::InMask || c == FCode::InField);
  }

  // The top-level slots an operand may read, as a slot mask (all bits when it cannot tell).
  uint64_t reads(uint32_t node) const {
    if (node == kNone || node >= m_.hot.size()) return 0;
    const HotNode& n = m_.hot[node];
    switch (n.op) {
      case Op::Literal:
      case Op::Param:
        return 0;
      case Op::Field:
        return slot_bit(n.index);
      case Op::Var:
        return var_mask(n.index);
      case Op::Def:
        return n.index < m_.def_slot_mask.size() ? m_.def_slot_mask[n.index] : ~uint64_t{0};
      case Op::CmpConst:
        return (n.c == kNone ? slot_bit(n.index) : var_mask(n.c)) | reads(n.a);
      default:
        break;
    }
    uint64_t r = reads(n.a) | reads(n.b) | reads(n.c);
    if (n.op == Op::ListLit || n.op == Op::Call) {
      for (uint32_t i = 0; i < n.args_count; ++i) r |= reads(m_.hot_args[n.args_first + i]);
    }
    return r;
  }

  uint64_t var_mask(uint32_t var) const { return var < var_slots_.size() ? var_slots_[var] : ~uint64_t{0}; }

  bool emit(uint32_t node) {
    if (node == kNone || node >= m_.hot.size()) return false;
    const HotNode& n = m_.hot[node];
    const bool kleene = kleene_;
    struct Restore {
      bool& flag;
      bool value;
      ~Restore() { flag = value; }
    } restore{kleene_, kleene};
    kleene_ = kleene && (n.op == Op::Not || n.op == Op::And || n.op == Op::Or || n.op == Op::Def);
    return emit_node(n, kleene);
  }

  bool emit_node(const HotNode& n, bool kleene) {
    VKind k = VKind::Unknown;
    switch (n.op) {
      case Op::Literal: {
        FastOp op = make(FCode::Const);
        switch (n.lit_kind) {
          case VKind::Number:
            op.k = n.num;
            break;
          case VKind::Bool:
            op.k = n.flag ? 1 : 0;
            break;
          case VKind::Enum:
            op.k = n.en.e;
            break;
          case VKind::Date: {
            const Value& d = m_.hot_lits[n.lit];
            if (d.date.lo != d.date.hi) return false;
            op.k = d.date.lo;
            break;
          }
          case VKind::Unknown:  // `if x then true else unknown`: compiled, bails when reached
            op = make(FCode::Bail);
            break;
          default:
            return false;
        }
        push(op, 1);
        return true;
      }
      case Op::Field: {
        if (!kind_of(n.type, k)) return false;
        static constexpr FCode kLoad[] = {FCode::FieldB, FCode::FieldN, FCode::FieldE, FCode::FieldD};
        push(make(kLoad[load_index(k)], n.index), 1);
        return true;
      }
      case Op::SubField:
        if (!kind_of(n.type, k) || m_.hot[n.a].op != Op::Var) return false;
        push(make(FCode::Sub, n.index, static_cast<uint8_t>(k), static_cast<uint16_t>(m_.hot[n.a].index)), 1);
        return true;
      case Op::Var:
        if (!kind_of(n.type, k)) return false;
        push(make(FCode::Var, 0, static_cast<uint8_t>(k), static_cast<uint16_t>(n.index)), 1);
        return true;
      case Op::Param: {
        if (!kind_of(n.type, k)) return false;
        // Parameters are constants of the rule set: a value of the kind wanted is folded in.
        FastOp op = make(FCode::Const);
        if (!fastop::take(m_.params[n.index].value, static_cast<uint8_t>(k), op.k)) {
          op = make(FCode::Param, n.index, static_cast<uint8_t>(k));  // bails when run
        }
        push(op, 1);
        return true;
      }
      case Op::Def:
        if (!kind_of(n.type, k)) return false;
        if (inline_def(n.index, k)) return true;
        push(k == VKind::Bool ? make(FCode::DefB, n.index, 0, kleene ? 1 : 0)
                              : make(FCode::Def, n.index, static_cast<uint8_t>(k)),
             1);
        return true;
      case Op::Not: {
        const size_t at = ops_.size();
        if (n.type != Type::Bool || !emit(n.a)) return false;
        if (negatable(n.a, at)) {
          ops_.back().kind ^= kNegate;
        } else {
          push(make(FCode::Not), 0);
        }
        return true;
      }
      case Op::Neg:
        if (n.type != Type::Number || !emit(n.a)) return false;
        push(make(FCode::Neg), 0);
        return true;
      // Short-circuit: `false and x` is false and `true or x` true whatever x is, unknown
      // included (Kleene), so the right operand may be skipped. While probes are recorded (the
      // main assessment) only when x reads no unknown field: the general tier would evaluate x
      // and record the thresholds an unknown field is compared with, which the missing-data
      // analysis tests (the jump carries the slots x may read).
      case Op::And:
        return short_circuit(n, FCode::AndJump);
      case Op::Or:
        return short_circuit(n, FCode::OrJump);
      case Op::Add:
        return n.type == Type::Number && binary(n, FCode::Add);
      case Op::Sub:
        return n.type == Type::Number && binary(n, FCode::Sub2);
      case Op::Mul:
        return n.type == Type::Number && binary(n, FCode::Mul);
      case Op::Div:
        return n.type == Type::Number && binary(n, FCode::Div);
      case Op::Eq:
      case Op::Ne:
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge: {
        bool ordered = n.operand_type == Type::Number || n.operand_type == Type::Date;
        bool equality = n.operand_type == Type::Enum || n.operand_type == Type::Bool;
        if (!ordered && !(equality && (n.op == Op::Eq || n.op == Op::Ne))) return false;
        static constexpr FCode kCmp[] = {FCode::Eq, FCode::Ne, FCode::Lt, FCode::Le, FCode::Gt, FCode::Ge};
        return comparison(n, kCmp[static_cast<int>(n.op) - static_cast<int>(Op::Eq)]);
      }
      case Op::CmpConst: {
        bool sub = n.c != kNone;
        FastOp op;
        if (n.lit_kind == VKind::Number) {
          op = make(sub ? FCode::SubCmpK : FCode::FieldCmpK, n.index, static_cast<uint8_t>(n.cmp));
          op.k = n.num;
        } else if (n.lit_kind == VKind::Enum && (n.cmp == Op::Eq || n.cmp == Op::Ne)) {
          op = make(sub ? FCode::SubEnumK : FCode::FieldEnumK, n.index, static_cast<uint8_t>(n.cmp));
          op.mask = (static_cast<uint64_t>(n.en.enum_id) << 32) | n.en.e;
        } else {
          return false;
        }
        if (sub) {
          // Subfield ops carry the variable in the upper half of `a`.
          if (n.c > 0xFFFF || n.index > 0xFFFF) return false;
          op.a = (n.c << 16) | n.index;
        }
        push(op, 1);
        return true;
      }
      case Op::In: {
        if (n.operand_type != Type::Enum) return false;
        const HotNode& list = m_.hot[n.b];
        if (list.op == Op::Field) {  // an enum-list field
          if (!emit(n.a)) return false;
          push(make(FCode::InField, list.index), 0);
          return true;
        }
        uint64_t mask = 0;
        if (list.op == Op::Param) {  // a parameter: a constant list of enum values
          const Value& v = m_.params[list.index].value;
          if (v.kind != VKind::List) return false;
          for (uint32_t i = 0; i < v.list.count; ++i) {
            const Value& item = v.list.items[i];
            if (item.kind != VKind::Enum || item.e >= 64) return false;
            mask |= uint64_t{1} << item.e;
          }
        } else {
          if (list.op != Op::ListLit) return false;
          for (uint32_t i = 0; i < list.args_count; ++i) {
            const HotNode& item = m_.hot[m_.hot_args[list.args_first + i]];
            if (item.op != Op::Literal || item.lit_kind != VKind::Enum || item.en.e >= 64) return false;
            mask |= uint64_t{1} << item.en.e;
          }
        }
        if (!emit(n.a)) return false;
        FastOp op = make(FCode::InMask);
        op.mask = mask;
        push(op, 0);
        return true;
      }
      case Op::If: {
        if (!emit(n.a)) return false;
        size_t jf = ops_.size();
        push(make(FCode::JumpIfFalse), -1);
        if (!emit(n.b)) return false;
        size_t j = ops_.size();
        push(make(FCode::Jump), -1);  // the else branch pushes the same cell again
        ops_[jf].a = static_cast<uint32_t>(ops_.size() - jf - 1);
        if (!emit(n.c)) return false;
        ops_[j].a = static_cast<uint32_t>(ops_.size() - j - 1);
        return true;
      }
      case Op::Call:
        return call(n);
      default:
        return false;
    }
  }

  // A reference to a fact or criterion whose expression the fast tier handles: its
  // instructions in place of a `Def` call, when it is tiny (at most kInlineTiny instructions,
  // no loop: recomputed wherever used) or referenced only here (then behind a `DefInline`
  // that takes the memoized value instead when there is one: the trace and the
  // counterfactual re-assessments have most definitions memoized). Never inside a loop body
  // (its loops could rebind the loop's variable). The value is the same: the definition's
  // expression is deterministic, and when the inlined instructions bail out, so does this
  // program and the general tier evaluates it (through the memo). False: nothing emitted.
  bool inline_def(uint32_t d, VKind kind) {
    if (d >= m_.def_hot.size() || loops_ != 0 || inline_depth_ == kMaxInlineDepth) return false;
    const RuleSetModel::DefHot& def = m_.def_hot[d];
    if ((def.kind != DefKind::Fact && def.kind != DefKind::Criterion) || def.root == kNone) return false;
    const size_t at = ops_.size();
    const int depth = depth_, max_depth = max_depth_;
    const size_t vars = var_slots_.size();
    ++inline_depth_;
    const bool ok = emit(def.root);
    --inline_depth_;
    const size_t len = ops_.size() - at;
    bool has_loop = false;
    for (size_t i = at; i < ops_.size(); ++i) has_loop = has_loop || ops_[i].code == FCode::Loop;
    if (ok && len <= kInlineTiny && !has_loop) return true;
    if (ok && def_refs_[d] <= 1 && len <= kInlineOnce) {
      FastOp head = make(FCode::DefInline, d, static_cast<uint8_t>(kind));
      head.loop.len = static_cast<uint32_t>(len);
      head.loop.list = 0;
      ops_.insert(ops_.begin() + static_cast<std::ptrdiff_t>(at), head);
      return true;
    }
    ops_.resize(at);
    depth_ = depth;
    max_depth_ = max_depth;
    if (var_slots_.size() > vars) var_slots_.resize(vars);
    return false;
  }

  bool call(const HotNode& n) {
    const uint32_t* args = m_.hot_args.data() + n.args_first;
    switch (n.fn) {
      case Fn::Count: {
        uint32_t index;
        bool param;
        if (n.args_count != 1 || !list_source(args[0], index, param)) return false;
        push(make(FCode::Count, index, 0, param ? 1 : 0), 1);
        return true;
      }
      case Fn::CountIf:
      case Fn::All:
      case Fn::Any:
      case Fn::Sum:
      case Fn::Min:
      case Fn::Max: {
        uint32_t index;
        bool param;
        if (n.args_count != 3 || !list_source(args[0], index, param)) return false;
        const HotNode& var = m_.hot[args[1]];
        if (var.op != Op::Var || var.index > 0xFFFF) return false;
        bool wants_bool = n.fn == Fn::CountIf || n.fn == Fn::All || n.fn == Fn::Any;
        if (m_.hot[args[2]].type != (wants_bool ? Type::Bool : Type::Number)) return false;
        if (loops_ == kFastLoops) return false;
        size_t at = ops_.size();
        const int depth_before = depth_;
        if (var_slots_.size() <= var.index) var_slots_.resize(var.index + 1, 0);
        if (!param) var_slots_[var.index] |= slot_bit(index);  // every list this variable runs over
        FastOp op = make(FCode::Loop, index, static_cast<uint8_t>(n.fn), static_cast<uint16_t>(var.index));
        op.loop.list = param ? 1 : 0;
        push(op, 0);
        ++loops_;
        if (!emit(args[2])) return false;
        --loops_;
        auto body = static_cast<uint32_t>(ops_.size() - at - 1);
        FastOp fused;
        if (!param && enum_membership(at + 1, body, var.index, index, n.fn, fused)) {
          ops_.resize(at);
          depth_ = depth_before;
          push(fused, 1);
          return true;
        }
        ops_[at].loop.len = body;
        push(make(FCode::LoopEnd, body, static_cast<uint8_t>(n.fn), static_cast<uint16_t>(var.index)), 0);
        return true;
      }
      case Fn::Known: {
        if (n.args_count != 1) return false;
        const HotNode& x = m_.hot[args[0]];
        if (x.op == Op::Field) {
          push(make(FCode::KnownField, x.index), 1);
        } else if (x.op == Op::Def) {
          push(make(FCode::KnownDef, x.index), 1);
        } else if (x.op == Op::SubField && m_.hot[x.a].op == Op::Var && m_.hot[x.a].index <= 0xFFFF) {
          push(make(FCode::KnownSub, x.index, 0, static_cast<uint16_t>(m_.hot[x.a].index)), 1);
        } else {
          return false;
        }
        return true;
      }
      case Fn::IsTrue:
        // A program that does not bail out computes a known value, and is_true of a known
        // boolean is that boolean; where the argument would be unknown, the program bails out.
        if (n.args_count != 1 || m_.hot[args[0]].type != Type::Bool) return false;
        return emit(args[0]);
      case Fn::DaysBetween:
        if (n.args_count != 2 || m_.hot[args[0]].type != Type::Date || m_.hot[args[1]].type != Type::Date) return false;
        if (!emit(args[0]) || !emit(args[1])) return false;
        push(make(FCode::DaysBetween), -1);
        return true;
      case Fn::AddMonths:
      case Fn::AddDays:
        if (n.args_count != 2 || m_.hot[args[0]].type != Type::Date || m_.hot[args[1]].type != Type::Number) {
          return false;
        }
        if (!emit(args[0])) return false;
        {
          const size_t mid = ops_.size();
          if (!emit(args[1])) return false;
          if (n.fn == Fn::AddMonths && ops_.size() == mid + 1 && ops_[mid].code == FCode::Const) {
            // A constant number of months: folded in (the amount as the general tier takes it).
            const double months = ops_[mid].k;
            ops_[mid] = make(FCode::AddMonthsK);
            ops_[mid].a = static_cast<uint32_t>(static_cast<int32_t>(std::trunc(std::clamp(months, -1e6, 1e6))));
            --depth_;
            return true;
          }
        }
        push(make(n.fn == Fn::AddMonths ? FCode::AddMonths : FCode::AddDays), -1);
        return true;
      default:
        return false;
    }
  }

  // A loop body `x.sub == K` (SubEnumK) or `x.sub in SET` (Sub, InMask) of an `any`/`all`
  // over the records of list field `list`, as one ListEnum instruction; false: other body.
  bool enum_membership(size_t first, uint32_t len, uint32_t var, uint32_t list, Fn fn, FastOp& out) const {
    if (fn != Fn::Any && fn != Fn::All) return false;
    if (list > 0xFFFF || list >= m_.schema.fields.size()) return false;
    const FieldDef& lf = m_.schema.fields[list];
    uint32_t sub = 0;
    uint64_t mask = 0;
    if (len == 1 && ops_[first].code == FCode::SubEnumK && (ops_[first].a >> 16) == var &&
        static_cast<Op>(ops_[first].kind) == Op::Eq) {
      const uint32_t k = static_cast<uint32_t>(ops_[first].mask);
      if (k >= 64) return false;
      sub = ops_[first].a & 0xFFFFU;
      mask = uint64_t{1} << k;
    } else if (len == 2 && ops_[first].code == FCode::Sub && ops_[first].var == var &&
               ops_[first].kind == static_cast<uint8_t>(VKind::Enum) && ops_[first + 1].code == FCode::InMask &&
               ops_[first + 1].kind == 0) {
      sub = ops_[first].a;
      mask = ops_[first + 1].mask;
    } else {
      return false;
    }
    if (sub >= lf.fields.size() || lf.fields[sub].type != FieldType::Enum || lf.fields[sub].enum_id < 0) return false;
    const auto enum_id = static_cast<uint32_t>(lf.fields[sub].enum_id);
    // SubEnumK names its enum: it must be the subfield's.
    if (len == 1 && (ops_[first].mask >> 32) != enum_id) return false;
    out = make(FCode::ListEnum, list | (sub << 16), static_cast<uint8_t>(fn), static_cast<uint16_t>(enum_id));
    out.mask = mask;
    return true;
  }

  static constexpr size_t kInlineTiny = 3;   // instructions of a definition inlined wherever used
  static constexpr size_t kInlineOnce = 64;  // ... of one referenced once
  static constexpr int kMaxInlineDepth = 8;  // definitions inlined within each other

  const RuleSetModel& m_;
  std::vector<uint32_t> def_refs_;  // per def: expression nodes referring to it
  int inline_depth_ = 0;
  std::vector<FastOp> ops_;
  std::vector<uint64_t> var_slots_;  // per bound variable: the slots of the lists it runs over
  int depth_ = 0, max_depth_ = 0, loops_ = 0;
  // Whether the value of the node being emitted reaches the program's boolean value through
  // `not`, `and`, `or` (and inlined definitions) alone: then an unknown boolean definition may
  // be a 0.5 cell (FCode::DefB).
  bool kleene_ = false;
};

// Per output with rules, its decision program (OutputDef::decision_first): each condition's
// program in rule order, followed by "true: the rule's index is the value" (ExitIf);
// `otherwise` (and the end of the list) gives its index directly.
void compile_decisions(RuleSetModel& m) {
  auto make = [](FCode c, size_t i) {
    FastOp op;
    op.code = c;
    op.k = static_cast<double>(i);
    return op;
  };
  std::vector<FastOp> ops;
  for (OutputDef& od : m.outputs) {
    od.decision_first = od.decision_len = 0;
    ops.clear();
    bool ok = !od.rules.empty(), closed = false;
    for (size_t i = 0; i < od.rules.size() && ok && !closed; ++i) {
      const DecideRule& r = od.rules[i];
      if (r.otherwise) {
        ops.push_back(make(FCode::Const, i));
        closed = true;
        break;
      }
      const HotNode* h = r.when.present() && r.when.root < m.hot.size() ? &m.hot[r.when.root] : nullptr;
      if (h == nullptr || h->prog_len == 0 || h->type != Type::Bool) {
        ok = false;
        break;
      }
      const auto first = m.fast_ops.begin() + h->prog_first;
      ops.insert(ops.end(), first, first + h->prog_len);  // relative jumps stay valid
      ops.push_back(make(FCode::ExitIf, i));
    }
    if (!ok) continue;
    if (!closed) ops.push_back(make(FCode::Const, od.rules.size()));
    od.decision_first = static_cast<uint32_t>(m.fast_ops.size());
    od.decision_len = static_cast<uint32_t>(ops.size());
    m.fast_ops.insert(m.fast_ops.end(), ops.begin(), ops.end());
    m.fast_ops.push_back(make(FCode::End, 0));
  }
}

// The conditions `whens[i]` (selected by `take(i)`) as one program (ConditionsProgram): the
// empty set, then each condition's program and a SetBit of its bit.
template <typename Take>
ConditionsProgram compile_conditions(RuleSetModel& m, const std::vector<const ExprRef*>& whens, Take take) {
  ConditionsProgram p;
  if (whens.size() > ConditionsProgram::kMaxConditions) return p;
  std::vector<FastOp> ops(1);  // a Const 0
  for (size_t i = 0; i < whens.size(); ++i) {
    if (!take(i)) continue;
    const ExprRef& w = *whens[i];
    const HotNode* h = w.present() && w.root < m.hot.size() ? &m.hot[w.root] : nullptr;
    if (h == nullptr || h->prog_len == 0 || h->type != Type::Bool) return p;
    const auto first = m.fast_ops.begin() + h->prog_first;
    ops.insert(ops.end(), first, first + h->prog_len);
    FastOp set;
    set.code = FCode::SetBit;
    set.k = static_cast<double>(uint64_t{1} << i);
    ops.push_back(set);
  }
  FastOp end;
  end.code = FCode::End;
  ops.push_back(end);
  p.first = static_cast<uint32_t>(m.fast_ops.size());
  p.len = static_cast<uint32_t>(ops.size() - 1);
  m.fast_ops.insert(m.fast_ops.end(), ops.begin(), ops.end());
  return p;
}

template <typename Item>
std::vector<const ExprRef*> whens_of(const std::vector<Item>& items) {
  std::vector<const ExprRef*> out;
  for (const Item& x : items) out.push_back(&x.when);
  return out;
}

void compile_condition_lists(RuleSetModel& m) {
  auto all = [](size_t) { return true; };
  for (OutputDef& od : m.outputs) {
    const auto reasons = whens_of(od.reasons);
    od.reasons_for_code.clear();
    const size_t codes = od.enum_id < m.schema.enums.size() ? m.schema.enums[od.enum_id].values.size() : 0;
    for (size_t code = 0; code < codes && code < 64; ++code) {
      od.reasons_for_code.push_back(
          compile_conditions(m, reasons, [&](size_t i) { return ((od.reasons[i].for_mask >> code) & 1U) != 0; }));
    }
    od.site_evidence_prog = compile_conditions(m, whens_of(od.site_evidence), all);
    od.notes_prog = compile_conditions(m, whens_of(od.notes), all);
  }
  m.warnings_prog = compile_conditions(m, whens_of(m.warnings), all);
}

}  // namespace

void compile_fast_programs(RuleSetModel& m) {
  m.fast_ops.clear();
  // Roots: nodes no other node refers to (definitions, rule conditions, reasons, ...).
  std::vector<uint8_t> referenced(m.hot.size(), 0);
  auto mark = [&](uint32_t i) {
    if (i < referenced.size()) referenced[i] = 1;
  };
  for (const HotNode& h : m.hot) {
    mark(h.a);
    mark(h.b);
    if (h.op != Op::CmpConst) mark(h.c);  // CmpConst: c is a variable number
    if (h.op == Op::ListLit || h.op == Op::Call) {
      for (uint32_t i = 0; i < h.args_count; ++i) mark(m.hot_args[h.args_first + i]);
    }
  }
  Compiler c(m);
  for (size_t i = 0; i < m.hot.size(); ++i) {
    HotNode& h = m.hot[i];
    h.prog_first = h.prog_len = 0;
    if (referenced[i]) continue;
    auto first = static_cast<uint32_t>(m.fast_ops.size());
    if (!c.compile(static_cast<uint32_t>(i), m.fast_ops)) continue;
    h.prog_first = first;
    h.prog_len = static_cast<uint32_t>(m.fast_ops.size()) - first - 1;  // without its End
  }
  compile_decisions(m);
  compile_condition_lists(m);
  attach_native_programs(m);
}

}  // namespace oligoscreen::detail
