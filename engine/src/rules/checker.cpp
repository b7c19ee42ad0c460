#include "rules/checker.hpp"

#include "eval/specialize.hpp"

#include <algorithm>
#include <set>

namespace oligoscreen::detail {

size_t edit_distance(std::string_view a, std::string_view b) {
  if (a.size() > 64 || b.size() > 64) return 99;
  // Optimal string alignment: a swap of two adjacent letters ("lnug" for "lung") costs 1.
  std::vector<size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], before[j - 2] + 1);
    }
    std::swap(before, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  size_t best = 99;
  const std::string* pick = nullptr;
  for (const auto& c : candidates) {
    size_t dist = edit_distance(word, c);
    size_t limit = word.size() <= 4 ? 1 : (word.size() <= 8 ? 2 : 3);
    if (dist <= limit && dist < best) {
      best = dist;
      pick = &c;
    }
  }
  return pick ? " (did you mean '" + *pick + "'?)" : std::string();
}

// The code lists of trees and outputs are enums named "tree:ID" / "output:ID"; people read
// "codes of tree 'ID'".
static std::string enum_label(const std::string& name) {
  size_t colon = name.find(':');
  if (colon == std::string::npos) return "enum " + name;
  return "codes of " + name.substr(0, colon) + " '" + name.substr(colon + 1) + "'";
}

// "a value of enum site" / "a code of tree 'ID'".
static std::string member_label(const std::string& name) {
  size_t colon = name.find(':');
  if (colon == std::string::npos) return "a value of enum " + name;
  return "a code of " + name.substr(0, colon) + " '" + name.substr(colon + 1) + "'";
}

std::string type_name(const RuleSetModel& m, const Type& t) {
  auto kind_name = [&](Type::Kind k, uint16_t enum_id) -> std::string {
    switch (k) {
      case Type::Any:
        return "unknown";
      case Type::Bool:
        return "boolean";
      case Type::Number:
        return "number";
      case Type::Text:
        return "text";
      case Type::Date:
        return "date";
      case Type::Enum:
        return enum_id < m.schema.enums.size() ? enum_label(m.schema.enums[enum_id].name) : "enum";
      case Type::List:
        return "list";
      case Type::Record:
        return "record";
      case Type::Error:
        return "error";
    }
    return "?";
  };
  if (t.kind == Type::List) return "list of " + kind_name(t.elem, t.enum_id);
  return kind_name(t.kind, t.enum_id);
}

namespace {

Type field_type(const FieldDef& f) {
  switch (f.type) {
    case FieldType::Boolean:
      return Type::of(Type::Bool);
    case FieldType::Integer:
    case FieldType::Number:
      return Type::of(Type::Number);
    case FieldType::Text:
      return Type::of(Type::Text);
    case FieldType::Date:
      return Type::of(Type::Date);
    case FieldType::Enum: {
      Type t = Type::of(Type::Enum);
      t.enum_id = static_cast<uint16_t>(f.enum_id);
      return t;
    }
    case FieldType::List: {
      Type t = Type::of(Type::List);
      if (f.of == ListOf::Enum) {
        t.elem = Type::Enum;
        t.enum_id = static_cast<uint16_t>(f.enum_id);
      } else {
        t.elem = Type::Record;
        t.record_slot = f.slot;
      }
      return t;
    }
  }
  return Type::of(Type::Error);
}

Type elem_type(const Type& list) {
  Type t = Type::of(list.elem);
  t.enum_id = list.enum_id;
  t.record_slot = list.record_slot;
  return t;
}

class Checker {
 public:
  Checker(RuleSetModel& m, Diagnostics& d, const std::set<std::string>& broken = {})
      : m_(m), d_(d), broken_(broken), state_(m.defs.size(), 0) {}

  void run() {
    for (uint32_t i = 0; i < m_.defs.size(); ++i) check_def(i);
    for (auto& c : m_.constraints) {
      reads_.clear();
      deps_.clear();
      direct_slots_ = 0;
      check_bool(c.when, "constraint '" + c.id + "'");
      std::sort(deps_.begin(), deps_.end());
      deps_.erase(std::unique(deps_.begin(), deps_.end()), deps_.end());
      c.deps = deps_;
      c.direct_slots = direct_slots_;
    }
    for (auto& w : m_.warnings) {
      reads_.clear();
      check_bool(w.when, "warning '" + w.code + "'");
    }
  }

  Type standalone(uint32_t root, std::string_view file, std::string_view source) {
    std::fill(state_.begin(), state_.end(), uint8_t{2});  // the rule set itself is already checked
    ExprRef ref;
    ref.root = root;
    ref.source = std::string(source);
    ref.origin.file = std::string(file);
    ref.where.kind = DocKind::Scalar;
    ref.where.style = ScalarStyle::Plain;
    ref.where.pos = Pos{1, 1, 0};
    cur_ = &ref;
    Type t = expr(root);
    cur_ = nullptr;
    return t;
  }

 private:
  void error_at(uint32_t offset, std::string msg) {
    if (!cur_) return;
    std::string_view src = cur_->source;
    offset = std::min<uint32_t>(offset, static_cast<uint32_t>(src.size()));
    d_.error(cur_->origin.file, scalar_pos_at(cur_->where, src.substr(0, offset)), std::move(msg));
  }
  void error(uint32_t node, std::string msg) {
    const ExprNode& n = m_.pool[node];
    error_at(n.at != kNone ? n.at : n.begin, std::move(msg));
  }

  void check_def(uint32_t i) {
    if (state_[i] == 2) return;
    if (state_[i] == 1) return;  // reported by the referencing expression
    state_[i] = 1;
    stack_.push_back(i);
    Def& def = m_.defs[i];
    std::vector<uint32_t> saved_reads = std::move(reads_);
    std::vector<uint32_t> saved_deps = std::move(deps_);
    const uint64_t saved_direct = direct_slots_;
    const ExprRef* saved_cur = cur_;
    reads_.clear();
    deps_.clear();
    direct_slots_ = 0;
    switch (def.kind) {
      case DefKind::Fact:
      case DefKind::Criterion: {
        Type t = check_expr(def.expr);
        if (def.kind == DefKind::Criterion && t.kind != Type::Bool && t.kind != Type::Any && t.kind != Type::Error) {
          cur_ = &def.expr;
          error(def.expr.root,
                "criterion '" + def.id + "' must be a boolean, but its expression is " + type_name(m_, t));
        }
        def.type = t;
        break;
      }
      case DefKind::Tree: {
        TreeDef& tree = m_.trees[def.extra];
        for (auto& node : tree.nodes) check_bool(node.ask, "tree question '" + node.id + "'");
        def.type = Type::of(Type::Enum);
        def.type.enum_id = tree.enum_id;
        break;
      }
      case DefKind::Output: {
        OutputDef& out = m_.outputs[def.extra];
        for (auto& rule : out.rules) {
          if (rule.when.present()) check_bool(rule.when, "decision rule '" + rule.id + "'");
          if (rule.value.present()) check_value_rule(out, rule);
        }
        for (auto& r : out.reasons) check_bool(r.when, "reason '" + r.code + "'");
        for (auto& s : out.site_evidence) check_bool(s.when, "site evidence condition");
        for (auto& n : out.notes) check_bool(n.when, "note '" + n.code + "'");
        def.type = Type::of(Type::Enum);
        def.type.enum_id = out.enum_id;
        break;
      }
    }
    std::sort(reads_.begin(), reads_.end());
    reads_.erase(std::unique(reads_.begin(), reads_.end()), reads_.end());
    std::sort(deps_.begin(), deps_.end());
    deps_.erase(std::unique(deps_.begin(), deps_.end()), deps_.end());
    def.field_reads = reads_;
    def.deps = deps_;
    def.direct_slots = direct_slots_;
    reads_ = std::move(saved_reads);
    deps_ = std::move(saved_deps);
    direct_slots_ = saved_direct;
    // The referencing definition reads what this one reads.
    reads_.insert(reads_.end(), def.field_reads.begin(), def.field_reads.end());
    cur_ = saved_cur;
    stack_.pop_back();
    state_[i] = 2;
  }

  Type check_expr(const ExprRef& e) {
    if (!e.present()) return Type::of(Type::Error);
    const ExprRef* saved = cur_;
    cur_ = &e;
    Type t = expr(e.root);
    cur_ = saved;
    return t;
  }

  void check_bool(const ExprRef& e, const std::string& what) {
    if (!e.present()) return;
    const ExprRef* saved = cur_;
    cur_ = &e;
    Type t = expr(e.root);
    if (t.kind != Type::Bool && t.kind != Type::Any && t.kind != Type::Error) {
      error(e.root, what + " must be a boolean, but the expression is " + type_name(m_, t));
    }
    cur_ = saved;
  }

  void check_value_rule(OutputDef& out, DecideRule& rule) {
    const ExprRef* saved = cur_;
    cur_ = &rule.value;
    Type t = expr(rule.value.root);
    const EnumDef& codes = m_.schema.enums[out.enum_id];
    if (t.kind == Type::Text) {
      error(rule.value.root, "a decision value must be a code; use 'then: CODE' for a fixed code");
    } else if (t.kind == Type::Enum) {
      const EnumDef& from = m_.schema.enums[t.enum_id];
      rule.value_map.assign(from.values.size(), kNone);
      for (size_t i = 0; i < from.values.size(); ++i) {
        int idx = codes.index_of(from.values[i]);
        if (idx < 0) {
          std::string owner = enum_label(from.name);
          if (owner.starts_with("codes of ")) owner = owner.substr(9);
          error(rule.value.root, "value '" + from.values[i] + "' of " + owner + " is not a code of this output" +
                                     did_you_mean(from.values[i], codes.values));
        } else {
          rule.value_map[i] = static_cast<uint32_t>(idx);
        }
      }
    } else if (t.kind != Type::Error && t.kind != Type::Any) {
      error(rule.value.root, "a decision value must be a code, but the expression is " + type_name(m_, t));
    }
    cur_ = saved;
  }

  // Converts a text literal (or a list literal of them) to values of enum `id`.
  bool coerce_enum(uint32_t node, uint16_t id) {
    ExprNode& n = m_.pool[node];
    const EnumDef& e = m_.schema.enums[id];
    if (n.op == Op::Literal && n.lit.kind == VKind::Text) {
      int idx = e.index_of(n.text);
      if (idx < 0) {
        error(node, "'" + n.text + "' is not " + member_label(e.name) + did_you_mean(n.text, e.values));
        n.type = Type::of(Type::Error);
        return false;
      }
      n.lit = Value::enumerated(id, static_cast<uint32_t>(idx));
      n.type = Type::of(Type::Enum);
      n.type.enum_id = id;
      return true;
    }
    if (n.op == Op::ListLit) {
      bool ok = true;
      for (uint32_t a : n.args) ok = coerce_enum(a, id) && ok;
      n.type = Type::of(Type::List);
      n.type.elem = Type::Enum;
      n.type.enum_id = id;
      return ok;
    }
    return false;
  }

  static bool is_text_literal(const ExprNode& n) { return n.op == Op::Literal && n.lit.kind == VKind::Text; }
  static bool is_text_list_literal(const RuleSetModel& m, const ExprNode& n) {
    if (n.op != Op::ListLit) return false;
    return std::all_of(n.args.begin(), n.args.end(), [&](uint32_t a) { return is_text_literal(m.pool[a]); });
  }

  Type set(uint32_t node, Type t) {
    m_.pool[node].type = t;
    return t;
  }

  std::vector<std::string> all_names() const {
    std::vector<std::string> out;
    for (const auto& f : m_.schema.fields) out.push_back(f.path);
    for (const auto& g : m_.schema.groups) out.push_back(g);
    for (const auto& p : m_.params) out.push_back(p.id);
    for (const auto& d : m_.defs) out.push_back(d.id);
    for (const auto& [name, type] : scope_) out.push_back(name);
    return out;
  }

  Type resolve_name(uint32_t node) {
    ExprNode& n = m_.pool[node];
    const std::string name = n.text;
    for (size_t i = scope_.size(); i-- > 0;) {
      if (scope_[i].first == name) {
        n.op = Op::Var;
        n.index = static_cast<uint32_t>(i);
        return set(node, scope_[i].second);
      }
    }
    int slot = m_.schema.find(name);
    if (slot >= 0) return resolve_field(node, static_cast<uint32_t>(slot));
    int p = m_.find_param(name);
    if (p >= 0) {
      n.op = Op::Param;
      n.index = static_cast<uint32_t>(p);
      return set(node, m_.params[static_cast<size_t>(p)].type);
    }
    int d = m_.find_def(name);
    if (d >= 0) return resolve_def(node, static_cast<uint32_t>(d));
    if (m_.schema.is_group(name)) {
      error(node, "'" + name + "' is a group of fields: name one of its fields ('" + name + ".…')");
      return set(node, Type::of(Type::Error));
    }
    if (name == "count" || name == "all" || name == "any" || name == "known" || name == "min" || name == "max") {
      error(node, "'" + name + "' is a function: call it with arguments, e.g. " + name + "(…)");
      return set(node, Type::of(Type::Error));
    }
    if (broken_.count(name) == 0) error(node, "unknown name '" + name + "'" + did_you_mean(name, all_names()));
    return set(node, Type::of(Type::Error));
  }

  Type resolve_field(uint32_t node, uint32_t slot) {
    ExprNode& n = m_.pool[node];
    const FieldDef& f = m_.schema.fields[slot];
    if (f.informational) {
      error(node, "field '" + f.path + "' is informational: rules may not read it");
    }
    n.op = Op::Field;
    n.index = slot;
    reads_.push_back(make_ref(slot));
    direct_slots_ |= slot_bit(slot);
    return set(node, field_type(f));
  }

  Type resolve_def(uint32_t node, uint32_t d) {
    ExprNode& n = m_.pool[node];
    n.op = Op::Def;
    n.index = d;
    Def& def = m_.defs[d];
    def.used = true;
    if (state_[d] == 1) {
      std::string path;
      bool on = false;
      for (uint32_t s : stack_) {
        if (s == d) on = true;
        if (on) path += m_.defs[s].id + " -> ";
      }
      path += def.id;
      // One report per cycle, however many of its references close it.
      if (cycles_.insert(path).second) error(node, "cyclic reference: " + path);
      return set(node, Type::of(Type::Error));
    }
    deps_.push_back(d);
    check_def(d);
    return set(node, def.type);
  }

  Type member(uint32_t node) {
    ExprNode& n = m_.pool[node];
    const ExprNode& obj = m_.pool[n.a];
    if (obj.op == Op::Name) {
      // A dotted field path: `primary.diagnosed`.
      bool bound = std::any_of(scope_.begin(), scope_.end(), [&](const auto& s) { return s.first == obj.text; });
      if (!bound) {
        std::string path = obj.text + "." + n.text;
        int slot = m_.schema.find(path);
        if (slot >= 0) return resolve_field(node, static_cast<uint32_t>(slot));
        if (broken_.count(path)) return set(node, Type::of(Type::Error));
        if (m_.schema.is_group(obj.text)) {
          std::vector<std::string> cands;
          for (const auto& f : m_.schema.fields) {
            if (f.segments.size() == 2 && f.segments[0] == obj.text) cands.push_back(f.path);
          }
          error_at(n.at, "unknown field '" + path + "'" + did_you_mean(path, cands));
          return set(node, Type::of(Type::Error));
        }
      }
    }
    Type ot = expr(n.a);
    if (ot.kind == Type::Error) return set(node, ot);
    if (ot.kind == Type::Record) {
      const FieldDef& list = m_.schema.fields[ot.record_slot];
      for (size_t i = 0; i < list.fields.size(); ++i) {
        if (list.fields[i].path == n.text) {
          n.op = Op::SubField;
          n.index = static_cast<uint32_t>(i);
          reads_.push_back(make_ref(ot.record_slot, 0, static_cast<uint32_t>(i + 1)));
          direct_slots_ |= slot_bit(ot.record_slot);
          return set(node, field_type(list.fields[i]));
        }
      }
      if (broken_.count(list.path + "." + n.text)) return set(node, Type::of(Type::Error));
      std::vector<std::string> cands;
      for (const auto& f : list.fields) cands.push_back(f.path);
      error_at(n.at, "a " + list.path + " item has no field '" + n.text + "'" + did_you_mean(n.text, cands));
      return set(node, Type::of(Type::Error));
    }
    if (obj.op == Op::Name || obj.op == Op::Field || obj.op == Op::Var) {
      error_at(n.at, "unknown name '" + obj.text + "." + n.text + "'");
    } else {
      error_at(n.at, "'.' applies to a list item or a field group, not to " + type_name(m_, ot));
    }
    return set(node, Type::of(Type::Error));
  }

  bool numeric(const Type& t) { return t.kind == Type::Number || t.kind == Type::Any; }

  Type expr(uint32_t node) {
    ExprNode& n0 = m_.pool[node];
    switch (n0.op) {
      case Op::Literal:
        return n0.type;
      case Op::Name:
        return resolve_name(node);
      case Op::Member:
        return member(node);
      case Op::Field:
      case Op::SubField:
      case Op::Var:
      case Op::Param:
      case Op::Def:
        return n0.type;  // already resolved (shared sub-expressions do not occur)
      case Op::Not: {
        Type t = expr(n0.a);
        if (t.kind != Type::Bool && t.kind != Type::Any && t.kind != Type::Error) {
          error(node, "'not' needs a boolean, got " + type_name(m_, t));
        }
        return set(node, Type::of(Type::Bool));
      }
      case Op::Neg: {
        Type t = expr(n0.a);
        if (!numeric(t) && t.kind != Type::Error) error(node, "unary '-' needs a number, got " + type_name(m_, t));
        return set(node, Type::of(Type::Number));
      }
      case Op::And:
      case Op::Or: {
        const char* name = n0.op == Op::And ? "and" : "or";
        uint32_t a = n0.a, b = n0.b;
        Type ta = expr(a);
        Type tb = expr(b);
        for (auto [t, side] : {std::pair{ta, a}, std::pair{tb, b}}) {
          if (t.kind != Type::Bool && t.kind != Type::Any && t.kind != Type::Error) {
            error(side, std::string("'") + name + "' needs booleans, got " + type_name(m_, t));
          }
        }
        return set(node, Type::of(Type::Bool));
      }
      case Op::Eq:
      case Op::Ne:
        return equality(node);
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge: {
        uint32_t a = n0.a, b = n0.b;
        Type ta = expr(a);
        Type tb = expr(b);
        if (ta.kind == Type::Error || tb.kind == Type::Error) return set(node, Type::of(Type::Bool));
        bool ok = (numeric(ta) && numeric(tb)) ||
                  ((ta.kind == Type::Date || ta.kind == Type::Any) && (tb.kind == Type::Date || tb.kind == Type::Any));
        if (!ok) {
          error(node, "cannot order " + type_name(m_, ta) + " and " + type_name(m_, tb) +
                          " (ordering applies to numbers and dates)");
        }
        return set(node, Type::of(Type::Bool));
      }
      case Op::In:
        return membership(node);
      case Op::Add:
      case Op::Sub:
      case Op::Mul:
      case Op::Div: {
        uint32_t a = n0.a, b = n0.b;
        Type ta = expr(a);
        Type tb = expr(b);
        if (ta.kind != Type::Error && tb.kind != Type::Error && (!numeric(ta) || !numeric(tb))) {
          std::string hint =
              (ta.kind == Type::Date || tb.kind == Type::Date) ? " (use add_months or add_days for dates)" : "";
          error(node, "arithmetic needs numbers, got " + type_name(m_, ta) + " and " + type_name(m_, tb) + hint);
        }
        return set(node, Type::of(Type::Number));
      }
      case Op::If: {
        uint32_t c = n0.a, a = n0.b, b = n0.c;
        Type tc = expr(c);
        if (tc.kind != Type::Bool && tc.kind != Type::Any && tc.kind != Type::Error) {
          error(c, "'if' needs a boolean condition, got " + type_name(m_, tc));
        }
        Type ta = expr(a);
        Type tb = expr(b);
        return set(node, unify(a, ta, b, tb, "the branches of 'if'"));
      }
      case Op::ListLit: {
        Type elem = Type::of(Type::Any);
        uint32_t first = kNone;
        std::vector<uint32_t> args = n0.args;
        for (uint32_t item : args) {
          Type t = expr(item);
          if (t.kind == Type::List || t.kind == Type::Record) {
            error(item, "list items must be single values");
            continue;
          }
          if (first == kNone) {
            first = item;
            elem = t;
          } else {
            elem = unify(first, elem, item, t, "list items");
          }
        }
        Type lt = Type::of(Type::List);
        lt.elem = elem.kind;
        lt.enum_id = elem.enum_id;
        return set(node, lt);
      }
      case Op::Call:
        return call(node);
      case Op::CmpConst:
        return n0.type;  // evaluation form only; never in a checked pool
    }
    return Type::of(Type::Error);
  }

  Type unify(uint32_t a, Type ta, uint32_t b, Type tb, const char* what) {
    if (ta.kind == Type::Error || tb.kind == Type::Error) return Type::of(Type::Error);
    if (ta.kind == Type::Any) return tb;
    if (tb.kind == Type::Any) return ta;
    if (ta.kind == Type::Enum && is_text_literal(m_.pool[b])) {
      coerce_enum(b, ta.enum_id);
      return ta;
    }
    if (tb.kind == Type::Enum && is_text_literal(m_.pool[a])) {
      coerce_enum(a, tb.enum_id);
      return tb;
    }
    if (ta == tb) return ta;
    error(b, std::string(what) + " have different types: " + type_name(m_, ta) + " and " + type_name(m_, tb));
    return Type::of(Type::Error);
  }

  Type equality(uint32_t node) {
    uint32_t a = m_.pool[node].a, b = m_.pool[node].b;
    Type ta = expr(a);
    Type tb = expr(b);
    if (ta.kind == Type::Error || tb.kind == Type::Error) return set(node, Type::of(Type::Bool));
    if (ta.kind == Type::List || tb.kind == Type::List || ta.kind == Type::Record || tb.kind == Type::Record) {
      error(node, "cannot compare lists or records with '=='; use 'in', any() or count()");
      return set(node, Type::of(Type::Bool));
    }
    if (ta.kind == Type::Enum && tb.kind == Type::Enum && ta.enum_id != tb.enum_id) {
      error(node, "cannot compare " + type_name(m_, ta) + " with " + type_name(m_, tb));
      return set(node, Type::of(Type::Bool));
    }
    if (ta.kind == Type::Enum && tb.kind == Type::Text && !is_text_literal(m_.pool[b])) {
      error(node, "cannot compare " + type_name(m_, ta) + " with text");
      return set(node, Type::of(Type::Bool));
    }
    unify(a, ta, b, tb, "the two sides of a comparison");
    return set(node, Type::of(Type::Bool));
  }

  Type membership(uint32_t node) {
    uint32_t a = m_.pool[node].a, b = m_.pool[node].b;
    Type ta = expr(a);
    Type tb = expr(b);
    if (ta.kind == Type::Error || tb.kind == Type::Error) return set(node, Type::of(Type::Bool));
    if (tb.kind != Type::List && tb.kind != Type::Any) {
      error(b, "the right side of 'in' must be a list, got " + type_name(m_, tb));
      return set(node, Type::of(Type::Bool));
    }
    if (tb.kind == Type::Any) return set(node, Type::of(Type::Bool));
    if (ta.kind == Type::Enum && is_text_list_literal(m_, m_.pool[b])) {
      coerce_enum(b, ta.enum_id);
      return set(node, Type::of(Type::Bool));
    }
    if (tb.elem == Type::Enum && is_text_literal(m_.pool[a])) {
      coerce_enum(a, tb.enum_id);
      return set(node, Type::of(Type::Bool));
    }
    Type et = elem_type(tb);
    if (et.kind == Type::Any || ta.kind == Type::Any) return set(node, Type::of(Type::Bool));
    if (!(et == ta) && !(et.kind == ta.kind && et.kind != Type::Enum && et.kind != Type::Record)) {
      error(node, "cannot look for " + type_name(m_, ta) + " in a " + type_name(m_, tb));
    }
    return set(node, Type::of(Type::Bool));
  }

  Type call(uint32_t node) {
    ExprNode& n = m_.pool[node];
    const std::string name = n.text;
    std::vector<uint32_t> args = n.args;
    auto arity = [&](size_t want) {
      if (args.size() != want) {
        error(node, name + "() takes " + std::to_string(want) + " argument" + (want == 1 ? "" : "s") + ", got " +
                        std::to_string(args.size()));
        return false;
      }
      return true;
    };
    auto want = [&](uint32_t arg, Type::Kind k, const char* what) {
      Type t = expr(arg);
      if (t.kind != k && t.kind != Type::Any && t.kind != Type::Error) {
        error(arg, name + "() needs " + what + ", got " + type_name(m_, t));
        return Type::of(Type::Error);
      }
      return t;
    };
    if (name == "known" || name == "is_true") {
      m_.pool[node].fn = name == "known" ? Fn::Known : Fn::IsTrue;
      if (!arity(1)) return set(node, Type::of(Type::Bool));
      if (name == "is_true") {
        want(args[0], Type::Bool, "a boolean");
      } else {
        expr(args[0]);
      }
      return set(node, Type::of(Type::Bool));
    }
    if (name == "add_months" || name == "add_days") {
      m_.pool[node].fn = name == "add_months" ? Fn::AddMonths : Fn::AddDays;
      if (!arity(2)) return set(node, Type::of(Type::Date));
      want(args[0], Type::Date, "a date");
      want(args[1], Type::Number, "a number");
      return set(node, Type::of(Type::Date));
    }
    if (name == "days_between") {
      m_.pool[node].fn = Fn::DaysBetween;
      if (!arity(2)) return set(node, Type::of(Type::Number));
      want(args[0], Type::Date, "a date");
      want(args[1], Type::Date, "a date");
      return set(node, Type::of(Type::Number));
    }
    bool is_list_fn =
        name == "count" || name == "all" || name == "any" || name == "min" || name == "max" || name == "sum";
    if (!is_list_fn) {
      static const std::vector<std::string> kFns = {"count", "all",     "any",        "min",      "max",         "sum",
                                                    "known", "is_true", "add_months", "add_days", "days_between"};
      error(node, "unknown function '" + name + "'" + did_you_mean(name, kFns));
      for (uint32_t a : args) expr(a);
      return set(node, Type::of(Type::Error));
    }
    if (name == "count" && args.size() == 1) {
      m_.pool[node].fn = Fn::Count;
      want(args[0], Type::List, "a list");
      return set(node, Type::of(Type::Number));
    }
    if (args.size() != 3) {
      error(node, name + "() takes 3 arguments (list, variable, expression), got " + std::to_string(args.size()) +
                      (name == "count" ? " (or 1: count(list))" : ""));
      return set(node, Type::of(Type::Error));
    }
    Type lt = want(args[0], Type::List, "a list as its first argument");
    const ExprNode& var = m_.pool[args[1]];
    if (var.op != Op::Name) {
      error(args[1], name + "() needs a variable name as its second argument");
      return set(node, Type::of(Type::Error));
    }
    scope_.emplace_back(var.text, lt.kind == Type::List ? elem_type(lt) : Type::of(Type::Any));
    m_.pool[args[1]].index = static_cast<uint32_t>(scope_.size() - 1);
    m_.pool[args[1]].op = Op::Var;
    m_.max_vars = std::max<uint32_t>(m_.max_vars, static_cast<uint32_t>(scope_.size()));
    Type body = expr(args[2]);
    scope_.pop_back();
    Fn fn = Fn::None;
    Type result = Type::of(Type::Number);
    Type::Kind body_kind = Type::Number;
    if (name == "count") fn = Fn::CountIf, body_kind = Type::Bool;
    if (name == "all") fn = Fn::All, body_kind = Type::Bool, result = Type::of(Type::Bool);
    if (name == "any") fn = Fn::Any, body_kind = Type::Bool, result = Type::of(Type::Bool);
    if (name == "min") fn = Fn::Min;
    if (name == "max") fn = Fn::Max;
    if (name == "sum") fn = Fn::Sum;
    m_.pool[node].fn = fn;
    if (body.kind != body_kind && body.kind != Type::Any && body.kind != Type::Error) {
      error(args[2], name + "() needs " + (body_kind == Type::Bool ? "a boolean condition" : "a number") +
                         " as its third argument, got " + type_name(m_, body));
    }
    return set(node, result);
  }

  RuleSetModel& m_;
  Diagnostics& d_;
  std::set<std::string> broken_;  // a copy: the constructor's default argument is a temporary
  const ExprRef* cur_ = nullptr;
  std::vector<uint8_t> state_;
  std::vector<uint32_t> stack_;
  std::set<std::string> cycles_;  // cycles reported (as "a -> b -> a")
  std::vector<uint32_t> reads_;
  std::vector<uint32_t> deps_;
  uint64_t direct_slots_ = 0;  // slot_bit of the fields the definition being checked reads itself
  std::vector<std::pair<std::string, Type>> scope_;
};

}  // namespace

void check_rule_set(RuleSetModel& m, Diagnostics& diags, const std::set<std::string>& broken) {
  Checker c(m, diags, broken);
  c.run();
}

Type check_standalone(RuleSetModel& m, uint32_t root, std::string_view file, std::string_view source,
                      Diagnostics& diags) {
  Checker c(m, diags);
  Type t = c.standalone(root, file, source);
  specialize(m);  // the new nodes need their evaluation form
  return t;
}

}  // namespace oligoscreen::detail
