#include "assess/assessment.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/date.hpp"
#include "json/json_writer.hpp"

namespace oligoscreen::detail {
namespace {

std::vector<FieldRef> to_vec(const USet* s) {
  if (!s) return {};
  return std::vector<FieldRef>(s->refs, s->refs + s->size);
}

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

// The codes of every output under the current state (unknown -> the unknown code, marked).
using Outcome = std::vector<uint32_t>;
constexpr uint32_t kUnknownMark = 0x80000000U;

Outcome outcome_of(const RuleSetModel& m, Evaluator& ev, std::vector<uint64_t>* possible = nullptr) {
  Outcome o(m.outputs.size());
  if (possible) possible->assign(m.outputs.size(), ~uint64_t{0});
  for (size_t i = 0; i < m.outputs.size(); ++i) {
    Value v = ev.def(m.output_defs[i]);
    o[i] = v.kind == VKind::Enum ? v.e : (m.outputs[i].unknown_code | kUnknownMark);
    if (possible && v.kind != VKind::Enum && v.hint == kPossibleCodes) (*possible)[i] = v.codes;
  }
  return o;
}

bool violates_constraints(const RuleSetModel& m, Evaluator& ev) {
  for (const auto& c : m.constraints) {
    Value v = ev.expr(c.when);
    if (v.kind == VKind::Bool && v.b) return true;
  }
  return false;
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

class MissingAnalysis {
 public:
  MissingAnalysis(const RuleSetModel& m, const Patient& p, const AssessOptions& opt, AssessScratch& s,
                  const Outcome& base, const std::vector<const USet*>& unknown_why)
      : m_(m), p_(p), opt_(opt), s_(s), base_(base), unknown_why_(unknown_why) {}

  void run(std::vector<MissingField>& out) {
    collect();
    for (const auto& c : candidates_) analyse(c, out);
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

  void collect() {
    const Schema& sc = m_.schema;
    for (const auto& f : sc.fields) {
      if (f.informational || f.record_id || f.type == FieldType::Text) continue;
      const Value& v = p_.values[f.slot];
      FieldRef r = make_ref(f.slot);
      if (v.kind == VKind::Unknown) {
        candidates_.push_back({r, &f, v});
      } else if (v.kind == VKind::Date && v.date.lo != v.date.hi && in_unknown_output(r)) {
        candidates_.push_back({r, &f, v});
      } else if (v.kind == VKind::List && f.of == ListOf::Record) {
        for (uint32_t e = 0; e < v.list.count; ++e) {
          const Value& rec = v.list.items[e];
          for (uint32_t k = 0; k < f.fields.size(); ++k) {
            const FieldDef& sub = f.fields[k];
            if (sub.informational || sub.type == FieldType::Text) continue;
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
  }

  // Outcome with one fact overridden; nullopt when the value contradicts the constraints.
  std::optional<Outcome> try_value(FieldRef r, const Value& v) {
    Override ov;
    ov.active = true;
    ov.ref = r;
    ov.value = v;
    prepare_state(m_, s_.counterfactual);
    Evaluator ev(m_, p_, s_.counterfactual, &ov);
    if (violates_constraints(m_, ev)) return std::nullopt;
    return outcome_of(m_, ev, &last_possible_);
  }

  void note_changes(const Outcome& o, std::vector<uint8_t>& changed) {
    for (size_t i = 0; i < o.size(); ++i) {
      if (o[i] != base_[i]) changed[i] = 1;
    }
  }

  std::vector<std::pair<uint32_t, uint32_t>> changes(const Outcome& o) const {
    std::vector<std::pair<uint32_t, uint32_t>> out;
    for (size_t i = 0; i < o.size(); ++i) {
      if (o[i] != base_[i]) out.emplace_back(static_cast<uint32_t>(i), o[i] & ~kUnknownMark);
    }
    return out;
  }

  // Codes still possible per change, over the tested values [first, last] of one group.
  void fill_possible(WhatIf& w, const std::vector<size_t>& members) const {
    for (const auto& [o, code] : w.changes) {
      uint64_t poss = ~uint64_t{0};
      if (code == m_.outputs[o].unknown_code) {
        poss = 0;
        for (size_t k : members) poss |= tested_possible_[k][o];
      }
      w.possible.push_back(poss);
    }
  }

  void analyse(const Candidate& c, std::vector<MissingField>& out) {
    MissingField mf;
    mf.ref = c.ref;
    mf.imprecise = c.current.kind == VKind::Date;
    std::vector<uint8_t> changed(m_.outputs.size(), 0);
    const FieldDef& f = *c.field;
    std::string path = field_path(m_.schema, c.ref);
    // Test values and how to name the groups they form.
    std::vector<std::pair<Value, Outcome>> tested;
    enum class Naming { Discrete, Ordered, None } naming = Naming::None;
    std::vector<double> points;
    std::vector<Probe> probes;
    for (const auto& pr : s_.main.probes) {
      if (pr.field == c.ref) probes.push_back(pr);
    }
    tested_possible_.clear();
    auto test = [&](const Value& v) {
      if (auto o = try_value(c.ref, v)) {
        note_changes(*o, changed);
        tested.emplace_back(v, std::move(*o));
        tested_possible_.push_back(last_possible_);
      }
    };
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
        std::vector<double> kept;
        for (double x : points) {
          if (f.min && (x < *f.min || (f.min_exclusive && x == *f.min))) continue;
          if (f.max && (x > *f.max || (f.max_exclusive && x == *f.max))) continue;
          kept.push_back(x);
        }
        points = kept;
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
          single_items_.resize(e.values.size());
          for (uint32_t i = 0; i < e.values.size(); ++i) {
            single_items_[i] = Value::enumerated(static_cast<uint16_t>(f.enum_id), i);
            test(Value::list_of(&single_items_[i], 1));
          }
        }
        break;
      }
      case FieldType::Text: break;
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
      if (naming == Naming::Discrete) discrete(f, path, tested, mf);
      if (naming == Naming::Ordered) ordered(f, path, tested, probes, mf);
    }
    out.push_back(std::move(mf));
  }

  std::string value_name(const FieldDef& f, const Value& v) const {
    if (v.kind == VKind::Bool) return v.b ? "true" : "false";
    if (v.kind == VKind::Enum) return m_.schema.enums[static_cast<size_t>(f.enum_id)].values[v.e];
    return "?";
  }

  void discrete(const FieldDef& f, const std::string& path, const std::vector<std::pair<Value, Outcome>>& tested,
                MissingField& mf) {
    std::vector<bool> used(tested.size(), false);
    for (size_t i = 0; i < tested.size(); ++i) {
      if (used[i]) continue;
      std::vector<size_t> group{i};
      for (size_t j = i + 1; j < tested.size(); ++j) {
        if (!used[j] && tested[j].second == tested[i].second) group.push_back(j);
      }
      for (size_t g : group) used[g] = true;
      auto ch = changes(tested[i].second);
      if (ch.empty()) continue;
      WhatIf w;
      if (group.size() == 1) {
        w.when = path + " == " + value_name(f, tested[i].first);
      } else {
        w.when = path + " in [";
        for (size_t k = 0; k < group.size(); ++k) {
          if (k) w.when += ", ";
          w.when += value_name(f, tested[group[k]].first);
        }
        w.when += "]";
      }
      w.changes = std::move(ch);
      fill_possible(w, group);
      mf.what_if.push_back(std::move(w));
    }
  }

  void ordered(const FieldDef& f, const std::string& path, const std::vector<std::pair<Value, Outcome>>& tested,
               const std::vector<Probe>& probes, MissingField& mf) {
    if (tested.empty()) return;
    auto x_of = [](const Value& v) { return v.kind == VKind::Date ? static_cast<double>(v.date.lo) : v.num; };
    // Runs of equal outcomes over the sorted test points.
    struct Run {
      size_t first, last;
    };
    std::vector<Run> runs;
    for (size_t i = 0; i < tested.size(); ++i) {
      if (!runs.empty() && tested[runs.back().last].second == tested[i].second) {
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
      double p = x_of(tested[runs[k].last].first);
      double q = x_of(tested[runs[k + 1].first].first);
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
      auto ch = changes(tested[runs[k].first].second);
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
        w.when = path + " == " + format_value_for(f, x_of(tested[runs[k].first].first));
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
  const Outcome& base_;
  const std::vector<const USet*>& unknown_why_;
  std::vector<Candidate> candidates_;
  std::vector<Value> single_items_;
  std::vector<uint64_t> last_possible_;                 // of the last try_value
  std::vector<std::vector<uint64_t>> tested_possible_;  // parallel to analyse()'s `tested`
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

void assess(const RuleSetModel& m, const Patient& p, const AssessOptions& opt, AssessScratch& scratch, Assessment& out) {
  out.outputs.clear();
  out.defs.clear();
  out.paths.clear();
  out.missing.clear();
  out.warnings.clear();
  out.cited.clear();
  out.contradictions.clear();

  EvalState& s = scratch.main;
  prepare_state(m, s);
  s.record_probes = true;
  Evaluator ev(m, p, s);

  // Facts that contradict each other make the case an error, never a verdict.
  for (const auto& c : m.constraints) {
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
  if (!out.contradictions.empty()) return;

  // With the trace asked for, every definition, in declaration order: nothing skipped. Without
  // it, the outputs (below) evaluate exactly the definitions they depend on; the others cannot
  // change any output, reason or warning.
  if (opt.explain) {
    for (uint32_t d = 0; d < m.defs.size(); ++d) ev.def(d);
  }

  Outcome base(m.outputs.size());
  std::vector<const USet*> unknown_why(m.outputs.size(), nullptr);
  out.outputs.resize(m.outputs.size());
  for (uint32_t o = 0; o < m.outputs.size(); ++o) {
    const OutputDef& od = m.outputs[o];
    OutputResult& r = out.outputs[o];
    Value v = ev.def(m.output_defs[o]);
    r.known = v.kind == VKind::Enum;
    r.code = r.known ? v.e : od.unknown_code;
    base[o] = r.known ? v.e : (od.unknown_code | kUnknownMark);
    if (!r.known) {
      unknown_why[o] = v.why;
      r.why = to_vec(v.why);
      if (v.hint == kPossibleCodes) r.possible = v.codes;
    }
    r.decided_rule = s.decided_rule[o];
    if (od.form != OutputForm::Verdict) continue;
    uint64_t bit = r.code < 64 ? (uint64_t{1} << r.code) : 0;
    for (const auto& rd : od.reasons) {
      if (!(rd.for_mask & bit)) continue;
      Value w = ev.expr(rd.when);
      if (w.kind == VKind::Bool && w.b) r.reasons.push_back({o, &rd, nullptr});
    }
    // Presumptions the verdict rests on, stated with it.
    for (uint32_t d = 0; d < m.defs.size(); ++d) {
      const Def& def = m.defs[d];
      if (def.presumes.empty() || !m.output_deps[o][d]) continue;
      bool presumed = std::any_of(def.presumes.begin(), def.presumes.end(),
                                  [&](uint32_t slot) { return p.values[slot].kind == VKind::Unknown; });
      if (presumed) r.reasons.push_back({o, nullptr, &def});
    }
    for (const auto& se : od.site_evidence) {
      Value w = ev.expr(se.when);
      if (w.kind == VKind::Bool && w.b) {
        for (uint32_t e : se.evidence) {
          if (std::find(r.evidence.begin(), r.evidence.end(), e) == r.evidence.end()) r.evidence.push_back(e);
        }
      }
    }
    for (const auto& nd : od.notes) {
      Value w = ev.expr(nd.when);
      if (w.kind == VKind::Bool && w.b) r.notes.push_back({o, &nd, nullptr});
    }
  }

  for (const auto& pw : p.warnings) out.warnings.push_back({pw.code, pw.field, pw.message});
  for (const auto& wd : m.warnings) {
    Value w = ev.expr(wd.when);
    if (w.kind == VKind::Bool && w.b) out.warnings.push_back({wd.code, wd.field, wd.message});
  }

  // Evidence the result cites.
  for (const auto& r : out.outputs) {
    out.cited.insert(out.cited.end(), r.evidence.begin(), r.evidence.end());
    for (const auto* list : {&r.reasons, &r.notes}) {
      for (const auto& ro : *list) {
        const auto& ev_ids = ro.def ? ro.def->evidence : ro.presumption->evidence;
        out.cited.insert(out.cited.end(), ev_ids.begin(), ev_ids.end());
      }
    }
  }
  if (opt.explain) {
    out.defs.resize(m.defs.size());
    for (uint32_t d = 0; d < m.defs.size(); ++d) {
      DefResult& dr = out.defs[d];
      dr.value = s.cache[d];
      if (dr.value.kind == VKind::Unknown) dr.why = to_vec(dr.value.why);
      dr.value.why = nullptr;
      const Def& def = m.defs[d];
      dr.presumed = std::any_of(def.presumes.begin(), def.presumes.end(),
                                [&](uint32_t slot) { return p.values[slot].kind == VKind::Unknown; });
      if (def.kind == DefKind::Criterion || def.kind == DefKind::Fact) {
        out.cited.insert(out.cited.end(), def.evidence.begin(), def.evidence.end());
      }
    }
    out.paths = s.tree_paths;
  }
  std::sort(out.cited.begin(), out.cited.end());
  out.cited.erase(std::unique(out.cited.begin(), out.cited.end()), out.cited.end());
  out.rules_reached = s.rules_reached;
  out.tree_branches_reached = s.tree_nodes_reached;

  MissingAnalysis ma(m, p, opt, scratch, base, unknown_why);
  ma.run(out.missing);
}

}  // namespace oligoscreen::detail
