// Translates a rule set's fast-tier programs into C++ (eval/native_programs.hpp): one function
// per program, one block per instruction, each block the interpreter's handler for that
// instruction (eval/fast_prog.cpp) with the operands written in as constants and the stack
// cells as locals (a well-formed program has the same stack depth and the same enclosing loops
// at an instruction along every path that reaches it, which the translation checks).
#include "native_codegen.hpp"

#include <cinttypes>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "eval/native_programs.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {
namespace {

// The stack depth and the enclosing loops (their Loop instructions) before an instruction.
struct At {
  int depth = -1;
  std::vector<uint32_t> loops;
};

std::string num(double k) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", k);
  std::string s = buf;
  if (s == "inf") return "std::numeric_limits<double>::infinity()";
  if (s == "-inf") return "-std::numeric_limits<double>::infinity()";
  if (s.find("nan") != std::string::npos) return "std::numeric_limits<double>::quiet_NaN()";
  return s;
}

std::string u32(uint32_t v) {
  return std::to_string(v) + "u";
}

std::string u64(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64 "ull", v);
  return buf;
}

const char* boolean(bool b) {
  return b ? "true" : "false";
}

std::string cell(int d) {
  return "s" + std::to_string(d);
}

// fastop::cmp with the operator written in.
std::string compare(uint8_t op, const std::string& x, const std::string& k) {
  const char* o = "!=";
  switch (static_cast<Op>(op)) {
    case Op::Lt:
      o = "<";
      break;
    case Op::Le:
      o = "<=";
      break;
    case Op::Gt:
      o = ">";
      break;
    case Op::Ge:
      o = ">=";
      break;
    case Op::Eq:
      o = "==";
      break;
    default:
      break;
  }
  return "((" + x + ") " + o + " (" + k + ") ? 1.0 : 0.0)";
}

// Per definition, the first instruction of its program when a translated program of more
// than one instruction evaluates it (a fact or criterion: def() runs that program first, so a
// translation reading the definition calls the program's translation directly); else kNone.
std::vector<uint32_t> direct_programs(const RuleSetModel& m, const std::set<uint32_t>& translated) {
  std::vector<uint32_t> out(m.def_hot.size(), kNone);
  for (size_t d = 0; d < m.def_hot.size(); ++d) {
    const RuleSetModel::DefHot& def = m.def_hot[d];
    if (def.kind != DefKind::Fact && def.kind != DefKind::Criterion) continue;
    if (def.root == kNone || def.root >= m.hot.size()) continue;
    const HotNode& root = m.hot[def.root];
    if (root.prog_len < 2 || translated.count(root.prog_first) == 0) continue;
    out[d] = root.prog_first;
  }
  return out;
}

class Program {
 public:
  Program(const std::vector<FastOp>& ops, uint32_t first, uint32_t end, const std::vector<uint32_t>* direct = nullptr)
      : ops_(ops), first_(first), end_(end), direct_(direct) {}

  // False when the instructions are not a well-formed program (then it gets no translation).
  bool analyse() {
    at_.assign(end_ - first_ + 1, At{});
    std::vector<uint32_t> work;
    if (!reach(first_, At{0, {}}, work)) return false;
    while (!work.empty()) {
      const uint32_t pc = work.back();
      work.pop_back();
      const At a = at_[pc - first_];
      const FastOp& op = ops_[pc];
      const int d = a.depth;
      auto next = [&](uint32_t to, int depth, std::vector<uint32_t> loops) {
        return reach(to, At{depth, std::move(loops)}, work);
      };
      auto target = [&](uint32_t to) {
        targets_.insert(to);
        return to;
      };
      bool ok = true;
      switch (op.code) {
        case FCode::FieldB:
        case FCode::FieldN:
        case FCode::FieldE:
        case FCode::FieldD:
        case FCode::Sub:
        case FCode::Var:
        case FCode::Param:
        case FCode::Def:
        case FCode::DefB:
        case FCode::Const:
        case FCode::FieldCmpK:
        case FCode::SubCmpK:
        case FCode::FieldEnumK:
        case FCode::SubEnumK:
        case FCode::DateCmp:
        case FCode::CountCmpK:
        case FCode::KnownField:
        case FCode::KnownSub:
        case FCode::KnownDef:
        case FCode::Count:
        case FCode::ListEnum:
          ok = next(pc + 1, d + 1, a.loops);
          break;
        case FCode::CmpK:
        case FCode::Not:
        case FCode::Neg:
        case FCode::InMask:
        case FCode::InField:
        case FCode::AddMonthsK:
          ok = d >= 1 && next(pc + 1, d, a.loops);
          break;
        case FCode::Add:
        case FCode::Sub2:
        case FCode::Mul:
        case FCode::Div:
        case FCode::Lt:
        case FCode::Le:
        case FCode::Gt:
        case FCode::Ge:
        case FCode::Eq:
        case FCode::Ne:
        case FCode::DaysBetween:
        case FCode::AddMonths:
        case FCode::AddDays:
        case FCode::SetBit:
          ok = d >= 2 && next(pc + 1, d - 1, a.loops);
          break;
        case FCode::ExitIf:
        case FCode::JumpIfFalse:
          ok = d >= 1 && next(pc + 1, d - 1, a.loops);
          if (ok && op.code == FCode::JumpIfFalse) ok = next(target(pc + 1 + op.a), d - 1, a.loops);
          break;
        case FCode::Jump:
          ok = next(target(pc + 1 + op.a), d, a.loops);
          break;
        case FCode::AndJump:
        case FCode::OrJump:
          ok = d >= 1 && next(target(pc + 1 + op.a), d, a.loops) && next(pc + 1, op.kind != 0 ? d : d - 1, a.loops);
          if (ok && op.var != 0) ok = pc + 1 < end_ && ops_[pc + 1].code == FCode::DefB;
          break;
        case FCode::Join:
          ok = d >= 2 && next(pc + 1, d - 1, a.loops);
          break;
        case FCode::DefInline:
          ok = next(target(pc + 1 + op.loop.len), d + 1, a.loops) && next(pc + 1, d, a.loops);
          break;
        case FCode::Loop: {
          const uint32_t loop_end = pc + op.loop.len + 1;
          if (loop_end >= end_ || ops_[loop_end].code != FCode::LoopEnd || ops_[loop_end].a != op.loop.len)
            return false;
          std::vector<uint32_t> inside = a.loops;
          inside.push_back(pc);
          ok = next(target(pc + 1), d, inside) && next(target(loop_end + 1), d + 1, a.loops);
          break;
        }
        case FCode::LoopEnd: {
          if (a.loops.empty() || d < 1) return false;
          const uint32_t loop = a.loops.back();
          if (loop + 1 + ops_[loop].loop.len != pc) return false;
          std::vector<uint32_t> outside(a.loops.begin(), a.loops.end() - 1);
          ok = next(target(loop + 1), d - 1, a.loops) && next(pc + 1, d, outside);
          break;
        }
        case FCode::Bail:
          break;
        case FCode::End:
          if (pc != end_) return false;
          break;
      }
      if (!ok) return false;
    }
    for (const At& a : at_) max_depth_ = std::max(max_depth_, a.depth + 1);
    return true;
  }

  std::string emit(const std::string& name) const {
    std::string out = "bool " + name + "(Evaluator& ev, double& out) {\n";
    out += "  [[maybe_unused]] const Value* const V = NativeAccess::values(ev);\n";
    out += "  [[maybe_unused]] const RuleSetModel& M = NativeAccess::model(ev);\n";
    out += "  [[maybe_unused]] EvalState& S = NativeAccess::state(ev);\n";
    out += "  [[maybe_unused]] Value held;\n";
    for (int d = 0; d < max_depth_ + 1; ++d) out += "  [[maybe_unused]] double " + cell(d) + " = 0;\n";
    for (uint32_t pc = first_; pc <= end_; ++pc) {
      if (ops_[pc].code != FCode::Loop || at_[pc - first_].depth < 0) continue;
      const std::string l = "l" + std::to_string(pc);
      out += "  const Value* " + l + "_items = nullptr;\n  uint32_t " + l + "_count = 0, " + l + "_i = 0;\n  double " +
             l + "_acc = 0;\n";
    }
    for (uint32_t pc = first_; pc <= end_; ++pc) {
      const At& a = at_[pc - first_];
      if (a.depth < 0) continue;  // unreachable
      if (targets_.count(pc) != 0) out += "p" + std::to_string(pc) + ":\n";
      out += "  {  // " + std::to_string(pc) + "\n" + instruction(pc, a) + "  }\n";
    }
    out += "}\n";
    return out;
  }

 private:
  bool reach(uint32_t pc, At a, std::vector<uint32_t>& work) {
    if (pc < first_ || pc > end_ || a.depth > 64) return false;
    At& have = at_[pc - first_];
    if (have.depth < 0) {
      have = std::move(a);
      work.push_back(pc);
      return true;
    }
    return have.depth == a.depth && have.loops == a.loops;
  }

  static std::string loop_var(uint32_t loop_pc, const char* part) { return "l" + std::to_string(loop_pc) + part; }

  // OLIGO_DEF_VALUE: definition `d`'s value in `v`, evaluated when not memoized, after which
  // the enclosing loops' bindings are restored.
  // A definition with a translated program (direct_programs) is evaluated through it.
  std::string def_value(uint32_t d, const At& a) const {
    std::string s = "    const Value* v;\n    if (S.done[" + u32(d) + "] == S.generation) {\n      v = &S.cache[" +
                    u32(d) + "];\n    } else {\n";
    const bool direct = direct_ && d < direct_->size() && (*direct_)[d] != kNone;
    if (direct) {
      s += "      v = &NativeAccess::def_native(ev, " + u32(d) + ", &np" + std::to_string((*direct_)[d]) + ");\n";
    } else {
      s += "      held = ev.def(" + u32(d) + ");\n";
    }
    for (uint32_t loop : a.loops) {
      s += "      S.items[" + u32(ops_[loop].var) + "] = " + loop_var(loop, "_items") + " + " + loop_var(loop, "_i") +
           ";\n";
    }
    return s + (direct ? "    }\n" : "      v = &held;\n    }\n");
  }

  std::string instruction(uint32_t pc, const At& a) const {
    const FastOp& op = ops_[pc];
    const int d = a.depth;
    const std::string push = cell(d), top = d >= 1 ? cell(d - 1) : "", below = d >= 2 ? cell(d - 2) : "";
    auto set_push = [&](const std::string& x) { return "    " + push + " = " + x + ";\n"; };
    const char* negate = boolean((op.kind & kNegate) != 0);
    auto neg_push = [&](const std::string& x) {
      return "    " + push + " = ((" + x + ") != " + negate + ") ? 1.0 : 0.0;\n";
    };
    auto neg_top = [&](const std::string& x) {
      return "    " + top + " = ((" + x + ") != " + negate + ") ? 1.0 : 0.0;\n";
    };
    const std::string k = num(op.k);
    const std::string kind = std::to_string(op.kind) + "u";
    switch (op.code) {
      case FCode::FieldB:
        return "    const Value& v = V[" + u32(op.a) + "];\n    if (v.kind != VKind::Bool) return false;\n" +
               neg_push("v.b");
      case FCode::FieldN:
        return "    const Value& v = V[" + u32(op.a) + "];\n    if (v.kind != VKind::Number) return false;\n" +
               set_push("v.num");
      case FCode::FieldE:
        return "    const Value& v = V[" + u32(op.a) + "];\n    if (v.kind != VKind::Enum) return false;\n" +
               set_push("v.e");
      case FCode::FieldD:
        return "    const Value& v = V[" + u32(op.a) +
               "];\n    if (v.kind != VKind::Date || v.date.lo != v.date.hi) return false;\n" + set_push("v.date.lo");
      case FCode::Sub:
        return "    const Value* rec = S.items[" + u32(op.var) +
               "];\n    if (rec->kind != VKind::Record || !fastop::take(rec->rec.fields[" + u32(op.a) + "], " + kind +
               ", " + push + ")) return false;\n";
      case FCode::Var:
        return "    if (!fastop::take(*S.items[" + u32(op.var) + "], " + kind + ", " + push + ")) return false;\n";
      case FCode::Param:
        return "    if (!fastop::take(M.params[" + u32(op.a) + "].value, " + kind + ", " + push + ")) return false;\n";
      case FCode::Def:
        return def_value(op.a, a) + "    if (!fastop::take(*v, " + kind + ", " + push + ")) return false;\n";
      case FCode::DefB:
        if (op.var != 0) {
          return def_value(op.a, a) +
                 "    if (v->kind != VKind::Bool) {\n      if (v->kind != VKind::Unknown) return false;\n      " +
                 push + " = 0.5;\n    } else {\n  " + neg_push("v->b") + "    }\n";
        }
        return def_value(op.a, a) + "    if (v->kind != VKind::Bool) return false;\n" + neg_push("v->b");
      case FCode::Const:
        return set_push(k);
      case FCode::FieldCmpK:
        return "    const Value& v = V[" + u32(op.a) + "];\n    if (v.kind != VKind::Number) return false;\n" +
               set_push(compare(op.kind, "v.num", k));
      case FCode::SubCmpK:
        return "    const Value* rec = S.items[" + u32(op.a >> 16) +
               "];\n    if (rec->kind != VKind::Record) return false;\n    const Value& v = rec->rec.fields[" +
               u32(op.a & 0xFFFFU) + "];\n    if (v.kind != VKind::Number) return false;\n" +
               set_push(compare(op.kind, "v.num", k));
      case FCode::FieldEnumK:
      case FCode::SubEnumK: {
        std::string s;
        if (op.code == FCode::FieldEnumK) {
          s = "    const Value& v = V[" + u32(op.a) + "];\n";
        } else {
          s = "    const Value* rec = S.items[" + u32(op.a >> 16) +
              "];\n    if (rec->kind != VKind::Record) return false;\n    const Value& v = rec->rec.fields[" +
              u32(op.a & 0xFFFFU) + "];\n";
        }
        const auto enum_id = static_cast<uint32_t>(op.mask >> 32);
        const auto value = static_cast<uint32_t>(op.mask);
        const bool want_eq = static_cast<Op>(op.kind) == Op::Eq;
        return s + "    if (v.kind != VKind::Enum || v.enum_id != " + u32(enum_id) + ") return false;\n" + "    " +
               push + " = ((v.e == " + u32(value) + ") == " + boolean(want_eq) + ") ? 1.0 : 0.0;\n";
      }
      case FCode::CmpK:
        return "    " + top + " = " + compare(op.kind, top, k) + ";\n";
      case FCode::DateCmp:
        return "    const Value& x = V[" + u32(op.a) + "];\n    const Value& y = V[" + u32(op.var) +
               "];\n    if (x.kind != VKind::Date || x.date.lo != x.date.hi || y.kind != VKind::Date || y.date.lo != "
               "y.date.hi) return false;\n" +
               set_push(compare(op.kind, "static_cast<double>(x.date.lo)", "static_cast<double>(y.date.lo)"));
      case FCode::CountCmpK:
        return "    const Value& l = V[" + u32(op.a) + "];\n    if (l.kind != VKind::List) return false;\n" +
               set_push(compare(op.kind, "static_cast<double>(l.list.count)", k));
      case FCode::Not:
        return "    " + top + " = 1 - " + top + ";\n";
      case FCode::Neg:
        return "    " + top + " = -" + top + ";\n";
      case FCode::Add:
        return "    " + below + " += " + top + ";\n";
      case FCode::Sub2:
        return "    " + below + " -= " + top + ";\n";
      case FCode::Mul:
        return "    " + below + " *= " + top + ";\n";
      case FCode::Div:
        return "    if (" + top + " == 0) return false;\n    " + below + " /= " + top + ";\n";
      case FCode::Lt:
        return "    " + below + " = " + below + " < " + top + " ? 1.0 : 0.0;\n";
      case FCode::Le:
        return "    " + below + " = " + below + " <= " + top + " ? 1.0 : 0.0;\n";
      case FCode::Gt:
        return "    " + below + " = " + below + " > " + top + " ? 1.0 : 0.0;\n";
      case FCode::Ge:
        return "    " + below + " = " + below + " >= " + top + " ? 1.0 : 0.0;\n";
      case FCode::Eq:
        return "    " + below + " = " + below + " == " + top + " ? 1.0 : 0.0;\n";
      case FCode::Ne:
        return "    " + below + " = " + below + " != " + top + " ? 1.0 : 0.0;\n";
      case FCode::InMask:
        return "    const auto e = static_cast<uint32_t>(" + top + ");\n    const bool in = e < 64 && ((" +
               u64(op.mask) + " >> e) & 1U);\n" + neg_top("in");
      case FCode::InField:
        return "    const Value& l = V[" + u32(op.a) +
               "];\n    if (l.kind != VKind::List) return false;\n    const auto e = static_cast<uint32_t>(" + top +
               ");\n    bool found = false;\n    for (uint32_t i = 0; i < l.list.count; ++i) {\n      const Value& "
               "item = "
               "l.list.items[i];\n      if (item.kind != VKind::Enum) return false;\n      found = found || item.e == "
               "e;\n    }\n" +
               neg_top("found");
      case FCode::KnownField:
        return neg_push("V[" + u32(op.a) + "].kind != VKind::Unknown");
      case FCode::KnownSub:
        return "    const Value* rec = S.items[" + u32(op.var) +
               "];\n    const bool known = rec->kind == VKind::Record && rec->rec.fields[" + u32(op.a) +
               "].kind != VKind::Unknown;\n" + neg_push("known");
      case FCode::KnownDef:
        return def_value(op.a, a) + neg_push("v->known()");
      case FCode::Count:
        return std::string("    const Value& l = ") +
               (op.var ? "M.params[" + u32(op.a) + "].value" : "V[" + u32(op.a) + "]") +
               ";\n    if (l.kind != VKind::List) return false;\n" + set_push("l.list.count");
      case FCode::Loop: {
        const auto fn = static_cast<Fn>(op.kind);
        const std::string l = "l" + std::to_string(pc);
        std::string s = std::string("    const Value& l = ") +
                        (op.loop.list ? "M.params[" + u32(op.a) + "].value" : "V[" + u32(op.a) + "]") +
                        ";\n    if (l.kind != VKind::List) return false;\n    if (l.list.count == 0) {\n";
        if (fn == Fn::Min || fn == Fn::Max) {
          s += "      return false;\n";
        } else {
          s += "      " + push + " = " + (fn == Fn::All ? "1" : "0") + ";\n      goto p" +
               std::to_string(pc + op.loop.len + 2) + ";\n";
        }
        s += "    }\n    " + l + "_items = l.list.items;\n    " + l + "_count = l.list.count;\n    " + l +
             "_i = 0;\n    " + l + "_acc = " + (fn == Fn::All ? "1.0" : "0.0") + ";\n    S.items[" + u32(op.var) +
             "] = l.list.items;\n";
        return s;
      }
      case FCode::LoopEnd: {
        const uint32_t loop = a.loops.back();
        const std::string acc = loop_var(loop, "_acc"), i = loop_var(loop, "_i");
        std::string s = "    const double x = " + top + ";\n";
        switch (static_cast<Fn>(op.kind)) {
          case Fn::All:
            s += "    " + acc + " = (" + acc + " != 0 && x != 0) ? 1 : 0;\n";
            break;
          case Fn::Any:
            s += "    " + acc + " = (" + acc + " != 0 || x != 0) ? 1 : 0;\n";
            break;
          case Fn::CountIf:
            s += "    " + acc + " += x != 0 ? 1 : 0;\n";
            break;
          case Fn::Sum:
            s += "    " + acc + " += x;\n";
            break;
          case Fn::Min:
            s += "    " + acc + " = " + i + " == 0 ? x : std::min(" + acc + ", x);\n";
            break;
          case Fn::Max:
            s += "    " + acc + " = " + i + " == 0 ? x : std::max(" + acc + ", x);\n";
            break;
          default:
            return "    return false;\n";
        }
        s += "    if (++" + i + " < " + loop_var(loop, "_count") + ") {\n      S.items[" + u32(op.var) +
             "] = " + loop_var(loop, "_items") + " + " + i + ";\n      goto p" + std::to_string(loop + 1) +
             ";\n    }\n    " + top + " = " + acc + ";\n";
        return s;
      }
      case FCode::DaysBetween:
        return "    " + below + " = " + top + " - " + below + ";\n";
      case FCode::AddMonths:
      case FCode::AddDays:
        return "    const auto amount = static_cast<int32_t>(std::trunc(std::clamp(" + top +
               ", -1e6, 1e6)));\n    const auto day = static_cast<int32_t>(" + below + ");\n    " + below + " = " +
               (op.code == FCode::AddMonths ? "NativeAccess::plus_months(ev, day, amount)" : "day + amount") + ";\n";
      case FCode::AddMonthsK:
        return "    " + top + " = NativeAccess::plus_months(ev, static_cast<int32_t>(" + top +
               "), static_cast<int32_t>(" + u32(op.a) + "));\n";
      case FCode::JumpIfFalse:
        return "    if (" + top + " == 0) goto p" + std::to_string(pc + 1 + op.a) + ";\n";
      case FCode::Jump:
        return "    goto p" + std::to_string(pc + 1 + op.a) + ";\n";
      case FCode::AndJump:
      case FCode::OrJump: {
        // y one definition read (var 1): evaluated as the general tier would, instead of bailing out.
        std::string cannot_skip = "      return false;\n";
        if (op.var != 0) cannot_skip = "    {\n" + def_value(ops_[pc + 1].a, a) + "    static_cast<void>(v);\n    }\n";
        return "    if (" + top + (op.code == FCode::AndJump ? " == 0" : " == 1") +
               ") {\n      if (!NativeAccess::may_skip(ev, " + u64(op.mask) + ")) {\n" + cannot_skip +
               "      }\n      goto p" + std::to_string(pc + 1 + op.a) + ";\n    }\n";
      }
      case FCode::Join:
        return "    " + below + " = " + (static_cast<Op>(op.kind) == Op::And ? "std::min(" : "std::max(") + below +
               ", " + top + ");\n";
      case FCode::DefInline:
        return "    if (S.done[" + u32(op.a) + "] == S.generation) {\n      if (!fastop::take(S.cache[" + u32(op.a) +
               "], " + kind + ", " + push + ")) return false;\n      goto p" + std::to_string(pc + 1 + op.loop.len) +
               ";\n    }\n";
      case FCode::SetBit:
        return "    if (" + top + " == 1) " + below + " += " + k + ";\n";
      case FCode::ExitIf:
        return "    if (" + top + " != 0) {\n      if (" + top + " != 1) return false;\n      out = " + k +
               ";\n      return true;\n    }\n";
      case FCode::Bail:
        return "    return false;\n";
      case FCode::ListEnum: {
        const bool any = static_cast<Fn>(op.kind & ~kNegate) == Fn::Any;
        return "    const Value& l = V[" + u32(op.a & 0xFFFFU) +
               "];\n    if (l.kind != VKind::List) return false;\n    bool any = false, all = true;\n    for (uint32_t "
               "i = "
               "0; i < l.list.count; ++i) {\n      const Value& rec = l.list.items[i];\n      if (rec.kind != "
               "VKind::Record) return false;\n      const Value& v = rec.rec.fields[" +
               u32(op.a >> 16) + "];\n      if (v.kind != VKind::Enum || v.enum_id != " + u32(op.var) +
               ") return false;\n      const bool in = v.e < 64 && ((" + u64(op.mask) +
               " >> v.e) & 1U);\n      any = any || in;\n      all = all && in;\n    }\n" +
               neg_push(any ? "any" : "all");
      }
      case FCode::End:
        return "    out = s0;\n    return true;\n";
    }
    return "    return false;\n";
  }

  const std::vector<FastOp>& ops_;
  uint32_t first_, end_;
  const std::vector<uint32_t>* direct_;
  std::vector<At> at_;
  std::set<uint32_t> targets_;
  int max_depth_ = 0;
};

}  // namespace

std::string generate_native_programs(const RuleSetModel& m, uint32_t* translated) {
  const std::vector<FastOp>& ops = m.fast_ops;
  std::string body, table, declarations;
  uint32_t count = 0;
  // The well-formed programs first (a translation may call another's), then their translations.
  std::vector<std::pair<uint32_t, uint32_t>> programs;  // first, end
  std::set<uint32_t> well_formed;
  for (uint32_t first = 0; first < ops.size();) {
    uint32_t end = first;
    while (end < ops.size() && ops[end].code != FCode::End) ++end;
    if (end == ops.size()) break;
    if (Program(ops, first, end).analyse()) {
      programs.emplace_back(first, end);
      well_formed.insert(first);
    }
    first = end + 1;
  }
  const std::vector<uint32_t> direct = direct_programs(m, well_formed);
  for (const auto& [first, end] : programs) {
    Program p(ops, first, end, &direct);
    p.analyse();
    const std::string name = "np" + std::to_string(first);
    declarations += "bool " + name + "(Evaluator& ev, double& out);\n";
    body += p.emit(name) + "\n";
    table += "    {" + std::to_string(first) + "u, &" + name + "},\n";
    ++count;
  }
  if (!declarations.empty()) body = declarations + "\n" + body;
  if (translated) *translated = count;
  std::string out =
      "// Generated by oligoscreen_progc from the bundled rule set's fast-tier programs\n"
      "// (eval/native_programs.hpp). Do not edit.\n"
      "#include <algorithm>\n#include <cmath>\n#include <cstdint>\n#include <limits>\n\n"
      "#include \"eval/fast_ops.hpp\"\n#include \"eval/native_access.hpp\"\n#include \"eval/native_programs.hpp\"\n"
      "#include \"rules/ruleset_model.hpp\"\n\n"
      "namespace oligoscreen::detail {\nnamespace {\n\n"
      "#if defined(__GNUC__)\n#pragma GCC diagnostic push\n#pragma GCC diagnostic ignored "
      "\"-Wunused-label\"\n#endif\n\n";
  out += body;
  out += "#if defined(__GNUC__)\n#pragma GCC diagnostic pop\n#endif\n\n";
  if (count == 0) {
    out +=
        "}  // namespace\n\nconst NativeProgramTable& native_program_table() {\n  static const NativeProgramTable "
        "t{};\n  return t;\n}\n";
  } else {
    out += "const NativeProgramTable::Entry kEntries[] = {\n" + table + "};\n\n}  // namespace\n\n";
    out += "const NativeProgramTable& native_program_table() {\n  static const NativeProgramTable t{" +
           u64(native_fingerprint(m)) + ", " + u32(static_cast<uint32_t>(ops.size())) + ", kEntries, " + u32(count) +
           "};\n  return t;\n}\n";
  }
  out += "\n}  // namespace oligoscreen::detail\n";
  return out;
}

}  // namespace oligoscreen::detail
