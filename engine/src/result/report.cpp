#include "result/report.hpp"

#include <algorithm>

#include "core/date.hpp"
#include "json/json_writer.hpp"
#include "oligoscreen/version.hpp"
#include "result/json_result.hpp"

namespace oligoscreen::detail {

std::string humanize(std::string_view code) {
  std::string out(code);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

namespace {

std::string value_text(const RuleSetModel& m, const Value& v) {
  switch (v.kind) {
    case VKind::Unknown: return "unknown";
    case VKind::Bool: return v.b ? "yes" : "no";
    case VKind::Number: return format_number(v.num);
    case VKind::Text: return std::string(v.str());
    case VKind::Date: return format_date(DateRange{v.date.lo, v.date.hi});
    case VKind::Enum: return humanize(m.schema.enums[v.enum_id].values[v.e]);
    case VKind::List: {
      std::string out;
      for (uint32_t i = 0; i < v.list.count; ++i) {
        if (i) out += ", ";
        out += value_text(m, v.list.items[i]);
      }
      return out.empty() ? "none" : out;
    }
    case VKind::Record: return "(record)";
  }
  return "";
}

// Field path for people: "lesions[1].size_mm" -> "lesion 2 size_mm".
std::string human_path(const RuleSetModel& m, FieldRef r) {
  uint32_t slot = ref_slot(r);
  const FieldDef& f = m.schema.fields[slot];
  if (ref_elem1(r) == 0) return f.path;
  std::string base = f.path;
  if (base.size() > 1 && base.back() == 's') base.pop_back();
  std::string out = base + " " + std::to_string(ref_elem1(r));
  if (ref_sub1(r) != 0) out += " " + f.fields[ref_sub1(r) - 1].path;
  return out;
}

class Writer {
 public:
  Writer(const RuleSetModel& m, const Patient& p, const Assessment& a, const ReportOptions& o)
      : m_(m), p_(p), a_(a), o_(o) {}

  std::string run() {
    if (html()) begin_html();
    case_line();
    outputs();
    missing();
    warnings();
    if (o_.explain) trace();
    provenance();
    if (html()) end_html();
    return out_;
  }

 private:
  bool md() const { return o_.format == ReportFormat::Markdown; }
  bool html() const { return o_.format == ReportFormat::Html; }
  bool text() const { return o_.format == ReportFormat::Text; }

  std::string esc(std::string_view s) const {
    if (!html()) return std::string(s);
    std::string out;
    for (char c : s) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
      }
    }
    return out;
  }

  std::string colour(std::string_view s, const char* code) const {
    if (!text() || !o_.colour) return std::string(s);
    return std::string("\x1b[") + code + "m" + std::string(s) + "\x1b[0m";
  }
  std::string bold(std::string_view s) const {
    if (md()) return "**" + std::string(s) + "**";
    if (html()) return "<strong>" + esc(s) + "</strong>";
    return colour(s, "1");
  }
  std::string mark(int r) const {  // 1 true, 0 false, 2 unknown
    if (html()) return r == 1 ? "<span class=ok>&#10003;</span>" : r == 0 ? "<span class=no>&#10007;</span>" : "<span class=unk>?</span>";
    if (o_.unicode || md()) {
      std::string s = r == 1 ? "✓" : r == 0 ? "✗" : "?";
      return colour(s, r == 1 ? "32" : r == 0 ? "31" : "33");
    }
    return r == 1 ? "[x]" : r == 0 ? "[ ]" : "[?]";
  }
  std::string arrow() const {
    if (html()) return " &rarr; ";
    return (o_.unicode || md()) ? " → " : " -> ";
  }

  void heading(std::string_view title) {
    if (md()) {
      out_ += "\n### " + std::string(title) + "\n\n";
    } else if (html()) {
      close_list();
      out_ += "<h2>" + esc(title) + "</h2>\n";
    } else {
      out_ += "\n" + colour(std::string(title), "1;4") + "\n";
    }
  }
  void line(const std::string& s) {  // s is already escaped for html
    if (html()) {
      close_list();
      out_ += "<p>" + s + "</p>\n";
    } else {
      out_ += s + "\n";
    }
  }
  void item(const std::string& s, int level = 0) {
    if (html()) {
      if (!in_list_) out_ += "<ul>\n";
      in_list_ = true;
      out_ += "<li>" + s + "</li>\n";
    } else if (md()) {
      out_ += std::string(static_cast<size_t>(level) * 2, ' ') + "- " + s + "\n";
    } else {
      out_ += std::string(2 + static_cast<size_t>(level) * 2, ' ') + s + "\n";
    }
  }
  void close_list() {
    if (in_list_) out_ += "</ul>\n";
    in_list_ = false;
  }

  void begin_html() {
    out_ +=
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>oligoscreen: " +
        esc(p_.id) +
        "</title>\n<style>\n"
        "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60em;margin:2em auto;padding:0 1em;"
        "color:#111;line-height:1.4}\nh1{font-size:1.4em;margin-bottom:.2em}h2{font-size:1.1em;border-bottom:1px solid "
        "#ccc;margin-top:1.4em}\ntable{border-collapse:collapse;font-size:.85em;width:100%}td,th{border:1px solid "
        "#bbb;padding:.25em .4em;vertical-align:top;text-align:left}\nth{background:#f0f0f0}.ok{color:#070}.no{color:"
        "#b00}.unk{color:#a60}\n.verdict{font-size:1.1em;padding:.3em .6em;border:2px solid #333;display:inline-block}"
        "\n.notice{border-top:1px solid #ccc;margin-top:2em;font-size:.9em;color:#333}\n"
        "@media print{body{margin:0;max-width:none}h2{break-after:avoid}table{break-inside:avoid}}\n"
        "</style>\n</head>\n<body>\n";
  }
  void end_html() {
    close_list();
    out_ += "</body>\n</html>\n";
  }

  int field_slot(std::string_view path) const { return m_.schema.find(path); }

  void case_line() {
    std::string s = "Case " + p_.id;
    for (const char* f : {"histology", "age", "ecog"}) {
      int slot = field_slot(f);
      if (slot < 0) continue;
      const Value& v = p_.values[static_cast<size_t>(slot)];
      std::string label = std::string(f) == "ecog" ? "ECOG" : std::string(f);
      std::string val = value_text(m_, v);
      if (std::string(f) == "histology") {
        s += " | " + val;
      } else {
        s += " | " + label + " " + val;
      }
    }
    if (md()) {
      out_ += "## " + s + "\n";
    } else if (html()) {
      out_ += "<h1>" + esc(s) + "</h1>\n";
    } else {
      out_ += colour(s, "1") + "\n";
    }
    out_ += (html() ? "<p>" : "") + esc("Rule set " + m_.manifest.id + " " + m_.manifest.version + ": " + m_.manifest.title) +
            (html() ? "</p>\n" : "\n");
  }

  std::string code_label(uint32_t o, uint32_t code) const {
    const std::string& c = m_.schema.enums[m_.outputs[o].enum_id].values[code];
    // A tree leaf with this code has a label written by the rule authors.
    for (const auto& t : m_.trees) {
      for (const auto& leaf : t.leaves) {
        if (leaf.code == c) return leaf.label;
      }
    }
    return humanize(c);
  }

  std::string possible_codes(uint32_t o) const {
    const OutputResult& r = a_.outputs[o];
    if (r.known || r.possible == ~uint64_t{0}) return "";
    std::string out;
    const auto& codes = m_.schema.enums[m_.outputs[o].enum_id].values;
    for (size_t i = 0; i < codes.size() && i < 64; ++i) {
      if ((r.possible >> i) & 1U) {
        if (!out.empty()) out += " or ";
        out += code_label(o, static_cast<uint32_t>(i));
      }
    }
    return out;
  }

  // Trees read by an output, directly or through facts.
  std::vector<uint32_t> trees_of(uint32_t o) const {
    std::vector<uint32_t> out;
    for (uint32_t d = 0; d < m_.defs.size(); ++d) {
      if (m_.defs[d].kind == DefKind::Tree && m_.output_deps[o][d]) out.push_back(d);
    }
    return out;
  }

  void tree_path(uint32_t d) {
    const Def& def = m_.defs[d];
    const TreeDef& tree = m_.trees[def.extra];
    // The path is recomputed from the trace kept by the assessment.
    if (def.extra >= path_cache_.size()) return;
    const auto& path = path_cache_[def.extra];
    if (path.empty()) return;
    std::string s;
    for (const auto& step : path) {
      const TreeNodeDef& node = tree.nodes[step.node];
      if (!s.empty()) s += arrow();
      if (step.answer == 2) {
        s += "? " + node.question + " (not known)";
      } else {
        s += step.answer == 1 ? node.yes.label : node.no.label;
      }
    }
    item(esc("Path: ") + esc(s));
  }

  void criteria_group(const std::string& group) {
    for (uint32_t d = 0; d < m_.defs.size(); ++d) {
      const Def& def = m_.defs[d];
      if (def.kind != DefKind::Criterion || def.group != group) continue;
      int r = 2;
      const Value& v = def_values_[d];
      if (v.kind == VKind::Bool) r = v.b ? 1 : 0;
      std::string vals;
      for (FieldRef f : def.field_reads) {
        uint32_t slot = ref_slot(f);
        const FieldDef& fd = m_.schema.fields[slot];
        const Value& pv = p_.values[slot];
        if (ref_sub1(f) != 0) {
          if (pv.kind != VKind::List) continue;
          std::string sub = fd.fields[ref_sub1(f) - 1].path;
          std::string list;
          for (uint32_t e = 0; e < pv.list.count; ++e) {
            if (e) list += ", ";
            list += value_text(m_, pv.list.items[e].rec.fields[ref_sub1(f) - 1]);
          }
          if (!vals.empty()) vals += "; ";
          vals += fd.path + " " + sub + ": " + (list.empty() ? "none" : list);
          continue;
        }
        if (fd.type == FieldType::List && fd.of == ListOf::Record) {
          if (!vals.empty()) vals += "; ";
          vals += fd.path + ": " + (pv.kind == VKind::List ? std::to_string(pv.list.count) : std::string("unknown"));
          continue;
        }
        if (!vals.empty()) vals += "; ";
        vals += fd.path + ": " + value_text(m_, pv);
      }
      std::string s = mark(r) + " " + esc(def.title);
      if (def.derived) s += esc(" (derived)");
      if (!vals.empty()) s += esc("  [" + vals + "]");
      bool presumed = std::any_of(def.presumes.begin(), def.presumes.end(),
                                  [&](uint32_t slot) { return p_.values[slot].kind == VKind::Unknown; });
      if (presumed) s += esc("  (presumed: " + def.presumption + ")");
      item(s);
    }
  }

  std::string evidence_flags(const EvidenceDef& e) const {
    std::string f;
    f += e.sarcoma_specific ? "sarcoma" : "not sarcoma-specific (indirect)";
    if (!e.metastatic_setting) f += ", not metastatic (indirect)";
    f += e.in_review ? ", in review" : ", not in review";
    if (!e.verified) f += ", unverified";
    return f;
  }

  std::string figure(const EvidenceDef& e, std::string_view key) const {
    for (const auto& [k, v] : e.figures) {
      if (k == key) return v;
    }
    return "-";
  }

  void evidence_table(const std::vector<uint32_t>& ids) {
    if (ids.empty()) return;
    static const char* kCols[] = {"patients", "local_control", "survival", "dose", "toxicity"};
    if (html()) {
      close_list();
      out_ += "<table>\n<tr><th>study</th><th>design</th><th>level</th><th>n</th><th>local control</th>"
              "<th>survival</th><th>dose</th><th>toxicity</th><th>directness</th></tr>\n";
      for (uint32_t id : ids) {
        const auto& e = m_.evidence[id];
        out_ += "<tr><td>" + esc(e.id) + "</td><td>" + esc(e.design) + "</td><td>" + esc(e.level) + "</td>";
        for (const char* c : kCols) out_ += "<td>" + esc(figure(e, c)) + "</td>";
        out_ += "<td>" + esc(evidence_flags(e)) + "</td></tr>\n";
      }
      out_ += "</table>\n";
      return;
    }
    if (md()) {
      out_ += "\n| study | design | level | n | local control | survival | dose | toxicity | directness |\n"
              "|---|---|---|---|---|---|---|---|---|\n";
      for (uint32_t id : ids) {
        const auto& e = m_.evidence[id];
        out_ += "| " + e.id + " | " + e.design + " | " + e.level;
        for (const char* c : kCols) out_ += " | " + figure(e, c);
        out_ += " | " + evidence_flags(e) + " |\n";
      }
      out_ += "\n";
      return;
    }
    for (uint32_t id : ids) {
      const auto& e = m_.evidence[id];
      item(e.id + " - " + e.design + ", level " + e.level + ", n=" + figure(e, "patients") + " (" + evidence_flags(e) +
           ")");
      item("LC " + figure(e, "local_control") + "; OS " + figure(e, "survival"), 2);
      item("dose " + figure(e, "dose") + "; toxicity " + figure(e, "toxicity"), 2);
    }
  }

  std::string reason_text(const ReasonOut& r) const {
    if (r.def) return r.def->text + cite(r.def->evidence);
    return r.presumption->presumption + cite(r.presumption->evidence);
  }
  std::string cite(const std::vector<uint32_t>& ids) const {
    if (ids.empty()) return "";
    std::string s = " [";
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i) s += ", ";
      s += m_.evidence[ids[i]].id;
    }
    return s + "]";
  }

  void outputs() {
    def_values_.assign(m_.defs.size(), Value{});
    path_cache_ = a_.paths;
    if (!a_.defs.empty()) {
      for (size_t d = 0; d < a_.defs.size(); ++d) def_values_[d] = a_.defs[d].value;
    }
    std::vector<std::string> groups_shown;
    for (uint32_t o = 0; o < m_.outputs.size(); ++o) {
      const OutputDef& od = m_.outputs[o];
      const OutputResult& r = a_.outputs[o];
      const Def& def = m_.defs[m_.output_defs[o]];
      heading(def.title);
      std::string verdict = code_label(o, r.code);
      std::string poss = possible_codes(o);
      std::string s = bold(esc(verdict));
      if (!poss.empty()) s += esc("  (could be " + poss + ")");
      if (html() && od.form == OutputForm::Verdict) s = "<span class=verdict>" + s + "</span>";
      line(s);
      for (uint32_t t : trees_of(o)) {
        if (std::find(trees_shown_.begin(), trees_shown_.end(), t) != trees_shown_.end()) continue;
        trees_shown_.push_back(t);
        tree_path(t);
      }
      // Criteria groups this output rests on, each shown once.
      for (uint32_t d = 0; d < m_.defs.size(); ++d) {
        const Def& cd = m_.defs[d];
        if (cd.kind != DefKind::Criterion || cd.group.empty() || !m_.output_deps[o][d]) continue;
        if (std::find(groups_shown.begin(), groups_shown.end(), cd.group) != groups_shown.end()) continue;
        groups_shown.push_back(cd.group);
        criteria_group(cd.group);
      }
      close_list();
      if (od.form != OutputForm::Verdict) continue;
      for (const auto& ro : r.reasons) item(esc(reason_text(ro)));
      close_list();
      if (!r.evidence.empty()) {
        line(bold(esc("Evidence for SBRT at the sites present")));
        evidence_table(r.evidence);
        close_list();
      }
      if (!r.notes.empty()) {
        line(bold(esc("Notes")));
        for (const auto& ro : r.notes) item(esc(reason_text(ro)));
        close_list();
      }
    }
  }

  void missing() {
    heading("What is missing");
    if (a_.missing.empty()) {
      line(esc("Nothing that would change a verdict."));
      return;
    }
    for (const auto& mf : a_.missing) {
      std::string affects;
      for (uint32_t o : mf.affects) {
        if (!affects.empty()) affects += ", ";
        affects += m_.defs[m_.output_defs[o]].id;
      }
      std::string what = human_path(m_, mf.ref);
      if (mf.imprecise) what += " (known to the month only: the exact day decides)";
      item(bold(esc(what)) + esc(" - could change " + affects));
      for (const auto& w : mf.what_if) {
        std::string s = w.when + ":";
        for (const auto& [o, code] : w.changes) s += " " + m_.defs[m_.output_defs[o]].id + " " + humanize(m_.schema.enums[m_.outputs[o].enum_id].values[code]) + ";";
        if (!s.empty() && s.back() == ';') s.pop_back();
        item(esc(s), 1);
      }
    }
    close_list();
  }

  void warnings() {
    if (a_.warnings.empty()) return;
    heading("Warnings");
    for (const auto& w : a_.warnings) item(esc(w.message + (w.field.empty() ? "" : " (" + w.field + ")")));
    close_list();
  }

  void trace() {
    heading("Trace: every criterion and fact");
    for (uint32_t d = 0; d < m_.defs.size() && d < a_.defs.size(); ++d) {
      const Def& def = m_.defs[d];
      if (def.kind != DefKind::Criterion && def.kind != DefKind::Fact) continue;
      const DefResult& r = a_.defs[d];
      std::string res = r.value.kind == VKind::Bool ? (r.value.b ? "true" : "false")
                        : r.value.kind == VKind::Unknown ? "unknown"
                                                         : value_text(m_, r.value);
      item(bold(esc(def.id)) + esc(" = " + res + "  (" + (def.kind == DefKind::Fact ? "fact" : "criterion") + ")"));
      item(esc("rule: " + def.expr.source + "  [" + format_location(def.expr.origin.file, def.expr.origin.pos) + "]"), 1);
      for (FieldRef f : def.field_reads) {
        uint32_t slot = ref_slot(f);
        const FieldDef& fd = m_.schema.fields[slot];
        const Value& pv = p_.values[slot];
        if (ref_sub1(f) == 0) {
          if (fd.type == FieldType::List && fd.of == ListOf::Record) continue;
          Pos pos = p_.value_pos[slot];
          item(esc("read " + fd.path + " = " + value_text(m_, pv) +
                   (pos.valid() ? "  (" + format_location(o_.case_file, pos) + ")" : "")),
               1);
          continue;
        }
        if (pv.kind != VKind::List) continue;
        uint32_t sub = ref_sub1(f) - 1;
        for (uint32_t e = 0; e < pv.list.count; ++e) {
          const Value* fv = pv.list.items[e].rec.fields + sub;
          auto idx = static_cast<size_t>(fv - p_.items.data());
          Pos pos = idx < p_.item_pos.size() ? p_.item_pos[idx] : Pos{};
          item(esc("read " + field_path(m_.schema, make_ref(slot, e + 1, sub + 1)) + " = " + value_text(m_, *fv) +
                   (pos.valid() ? "  (" + format_location(o_.case_file, pos) + ")" : "")),
               1);
        }
      }
      if (!r.why.empty()) {
        std::string w;
        for (FieldRef f : r.why) w += (w.empty() ? "" : ", ") + field_path(m_.schema, f);
        item(esc("unknown because of: " + w), 1);
      }
      if (r.presumed) item(esc("presumption: " + def.presumption), 1);
      item(esc("evidence:" + cite(def.evidence)), 1);
    }
    close_list();
  }

  void provenance() {
    heading("Provenance");
    line(esc("Rule set " + m_.manifest.id + " " + m_.manifest.version + " (sha256 " + m_.sha256.substr(0, 12) +
             "); oligoscreen " + OLIGOSCREEN_VERSION_STRING));
    if (html()) {
      out_ += "<p class=notice>" + esc(kDecisionSupportNotice) + "</p>\n";
    } else {
      out_ += "\n" + std::string(kDecisionSupportNotice) + "\n";
    }
  }

  const RuleSetModel& m_;
  const Patient& p_;
  const Assessment& a_;
  const ReportOptions& o_;
  std::string out_;
  bool in_list_ = false;
  std::vector<Value> def_values_;
  std::vector<std::vector<TreeStep>> path_cache_;
  std::vector<uint32_t> trees_shown_;
};

}  // namespace

std::string render_report(const RuleSetModel& m, const Patient& p, const Assessment& a, const ReportOptions& opt) {
  Writer w(m, p, a, opt);
  return w.run();
}

std::string render_error_report(const RuleSetModel& m, const std::string& file, const std::vector<InputError>& errors,
                                const ReportOptions& opt) {
  std::string out;
  bool html = opt.format == ReportFormat::Html;
  if (html) out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>oligoscreen: error</title></head>\n<body>\n<pre>\n";
  for (const auto& e : errors) {
    std::string loc = format_location(file, e.pos);
    if (e.has_offset && !e.pos.valid()) loc = file + ": byte " + std::to_string(e.pos.offset);
    out += loc + ": error: " + e.message + " [" + e.kind + (e.field.empty() ? "" : ", " + e.field) + "]\n";
  }
  out += "The case could not be screened (rule set " + m.manifest.id + " " + m.manifest.version + ", sha256 " +
         m.sha256.substr(0, 12) + ").\n";
  if (html) out += "</pre>\n</body>\n</html>\n";
  return out;
}

}  // namespace oligoscreen::detail
