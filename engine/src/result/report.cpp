#include "result/report.hpp"

#include <algorithm>
#include <iterator>

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

std::string output_code_label(const RuleSetModel& m, uint32_t output, uint32_t code) {
  const std::string& c = m.schema.enums[m.outputs[output].enum_id].values[code];
  for (const auto& t : m.trees) {
    for (const auto& leaf : t.leaves) {
      if (leaf.code == c && !leaf.label.empty()) return leaf.label;
    }
  }
  return humanize(c);
}

std::string possible_codes_text(const RuleSetModel& m, uint32_t output, uint64_t possible) {
  std::string out;
  const auto& codes = m.schema.enums[m.outputs[output].enum_id].values;
  uint32_t unknown = m.outputs[output].unknown_code;
  for (uint32_t i = 0; i < codes.size() && i < 64; ++i) {
    if (((possible >> i) & 1U) == 0 || i == unknown) continue;
    if (!out.empty()) out += " or ";
    out += output_code_label(m, output, i);
  }
  return out;
}

std::string field_domain_text(const RuleSetModel& m, const FieldDef& f) {
  auto range = [&]() {
    std::string s;
    if (f.min && f.max) {
      s = format_number(*f.min) + "-" + format_number(*f.max);
    } else if (f.min) {
      s = (f.min_exclusive ? "over " : "at least ") + format_number(*f.min);
    } else if (f.max) {
      s = "at most " + format_number(*f.max);
    }
    if (f.min_exclusive && f.min && f.max) s = "over " + format_number(*f.min) + ", up to " + format_number(*f.max);
    return s;
  };
  std::string unit = f.unit.empty() ? "" : " " + f.unit;
  switch (f.type) {
    case FieldType::Boolean:
      return "true or false";
    case FieldType::Integer:
      return "a whole number " + range() + unit;
    case FieldType::Number:
      return "a number " + range() + unit;
    case FieldType::Text:
      return "text";
    case FieldType::Date:
      return "a date YYYY-MM-DD (or YYYY-MM)";
    case FieldType::Enum:
    case FieldType::List: {
      if (f.enum_id < 0) return f.type == FieldType::List ? "a list" : "text";
      const auto& vals = m.schema.enums[static_cast<size_t>(f.enum_id)].values;
      std::string s = f.type == FieldType::List ? "a list of: " : "one of: ";
      for (size_t i = 0; i < vals.size(); ++i) s += (i ? ", " : "") + vals[i];
      return s;
    }
  }
  return "";
}

std::string what_if_text(const RuleSetModel& m, const MissingField& mf, const WhatIf& w, std::string_view arrow) {
  std::string path = field_path(m.schema, mf.ref);
  std::string when = w.when;
  // "path == v" -> "v"; "path in [a, b]" -> "a or b"; "path <= 2" -> "<= 2"; "a and b" keeps both sides.
  auto strip = [&](std::string s) {
    if (s.rfind(path + " ", 0) == 0) s = s.substr(path.size() + 1);
    if (s.rfind("== ", 0) == 0) s = s.substr(3);
    if (s.rfind("in [", 0) == 0 && s.back() == ']') {
      s = s.substr(4, s.size() - 5);
      std::string o;
      for (size_t i = 0; i < s.size(); ++i) {
        if (s.compare(i, 2, ", ") == 0) {
          o += " or ";
          ++i;
        } else {
          o += s[i];
        }
      }
      s = o;
    }
    return s;
  };
  size_t and_pos = when.find(" and " + path + " ");
  if (and_pos != std::string::npos) {
    when = strip(when.substr(0, and_pos)) + " and " + strip(when.substr(and_pos + 5));
  } else {
    when = strip(when);
  }
  std::string s = when + std::string(arrow);
  for (size_t i = 0; i < w.changes.size(); ++i) {
    auto [o, code] = w.changes[i];
    if (i) s += "; ";
    s += m.defs[m.output_defs[o]].id + " ";
    uint64_t poss = i < w.possible.size() ? w.possible[i] : ~uint64_t{0};
    std::string alternatives = poss != ~uint64_t{0} ? possible_codes_text(m, o, poss) : "";
    s += alternatives.empty() ? output_code_label(m, o, code) : alternatives;
  }
  return s;
}

std::string html_page_begin(std::string_view title) {
  std::string t;
  for (char c : title) {
    if (c == '&')
      t += "&amp;";
    else if (c == '<')
      t += "&lt;";
    else if (c == '>')
      t += "&gt;";
    else
      t += c;
  }
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>" +
         t +
         "</title>\n<style>\n"
         "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:62em;margin:1.5em auto;"
         "padding:0 1em;color:#111;line-height:1.35;font-size:15px}\n"
         "h1{font-size:1.35em;margin:0 0 .2em}h2{font-size:1.05em;border-bottom:1px solid #bbb;margin:1.1em 0 .4em;"
         "padding-bottom:.1em}h3{font-size:.95em;margin:.6em 0 .2em}\n"
         "p{margin:.3em 0}ul{margin:.2em 0;padding-left:1.4em}ul.checks{list-style:none;padding-left:.4em}ul.checks "
         "li{padding-left:1.3em;text-indent:-1.3em}"
         "li.sub{list-style:circle;margin-left:1.4em}\n"
         "table{border-collapse:collapse;font-size:.8em;width:100%;margin:.3em 0}td,th{border:1px solid #bbb;"
         "padding:.15em .35em;vertical-align:top;text-align:left}th{background:#eee}\n"
         ".mk{display:inline-block;width:1.1em;font-weight:bold}.ok{color:#060}.no{color:#a00}.unk{color:#a50}\n"
         ".verdict{font-weight:bold;padding:.05em .4em;border:2px solid #333;border-radius:3px}\n"
         ".meta{color:#444;font-size:.9em}.notice{border-top:1px solid #bbb;margin-top:1.5em;padding-top:.4em;"
         "font-weight:bold}\nsection.case+section.case{border-top:3px double #888;margin-top:2em}\n"
         "@media print{body{margin:0;max-width:none;font-size:10.5pt}h2,h3{break-after:avoid}"
         "table,ul.checks{break-inside:avoid}section.case+section.case{break-before:page;border:0}}\n"
         "</style>\n</head>\n<body>\n";
}

std::string html_page_end() {
  return "</body>\n</html>\n";
}

namespace {

// Display width of UTF-8 text (code points; the report's symbols are one column wide).
size_t width(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
  return n;
}

std::string pad(std::string s, size_t w) {
  size_t n = width(s);
  if (n < w) s.append(w - n, ' ');
  return s;
}

std::string capitalize(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

// A figure cut to its first clause and at most `max` columns (ASCII "..." marks a cut).
std::string clip(const std::string& s, size_t max) {
  size_t end = s.size();
  for (const char* stop : {"; ", " ("}) {
    size_t p = s.find(stop);
    if (p != std::string::npos && p > 0) end = std::min(end, p);
  }
  std::string out = s.substr(0, end);
  bool cut = end < s.size();
  if (width(out) > max) {
    size_t keep = 0, cols = 0;
    while (keep < out.size() && cols < max - 3) {
      ++keep;
      while (keep < out.size() && (static_cast<unsigned char>(out[keep]) & 0xC0U) == 0x80U) ++keep;
      ++cols;
    }
    // Cut at a word boundary when one is not too far back.
    size_t space = out.rfind(' ', keep);
    if (space != std::string::npos && space * 3 > keep) keep = space;
    out = out.substr(0, keep);
    while (!out.empty() && (out.back() == ' ' || out.back() == ',')) out.pop_back();
    cut = true;
  }
  return cut ? out + "..." : out;
}

class Writer {
 public:
  Writer(const RuleSetModel& m, const Patient& p, const Assessment& a, const ReportOptions& o)
      : m_(m), p_(p), a_(a), o_(o) {}

  std::string run() {
    if (html()) begin_html();
    case_line();
    std::vector<uint32_t> order = display_order();
    for (uint32_t o : order) output_section(o);
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
  bool symbols() const { return !text() || o_.unicode; }

  // ---- formatting primitives

  std::string esc(std::string_view s) const {
    if (!html()) return std::string(s);
    std::string out;
    for (char c : s) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        default:
          out += c;
      }
    }
    return out;
  }
  // Markdown table cells: no pipes, no line breaks.
  static std::string cell(std::string s) {
    std::string out;
    for (char c : s) {
      if (c == '|') {
        out += "\\|";
      } else if (c == '\n') {
        out += ' ';
      } else {
        out += c;
      }
    }
    return out;
  }
  std::string colour(std::string_view s, const char* code) const {
    if (!text() || !o_.colour) return std::string(s);
    return std::string("\x1b[") + code + "m" + std::string(s) + "\x1b[0m";
  }
  std::string bold(std::string_view s) const {  // s is plain text
    if (md()) return "**" + std::string(s) + "**";
    if (html()) return "<strong>" + esc(s) + "</strong>";
    return colour(s, "1");
  }
  std::string mark(int r) const {  // 1 true, 0 false, 2 unknown
    if (html()) {
      return r == 1   ? "<span class=\"mk ok\">&#10003;</span>"
             : r == 0 ? "<span class=\"mk no\">&#10007;</span>"
                      : "<span class=\"mk unk\">?</span>";
    }
    if (symbols()) {
      std::string s = r == 1 ? "✓" : r == 0 ? "✗" : "?";
      return colour(s, r == 1 ? "32" : r == 0 ? "31" : "33");
    }
    return r == 1 ? "[+]" : r == 0 ? "[-]" : "[?]";
  }
  std::string arrow() const {
    if (html()) return " &rarr; ";
    return symbols() ? " → " : " -> ";
  }
  std::string dash() const { return symbols() ? " — " : " - "; }

  void heading(std::string_view title, std::string_view value_html = "") {
    close_list();
    if (md()) {
      out_ += "\n### " + std::string(title) + (value_html.empty() ? "" : ": " + std::string(value_html)) + "\n\n";
    } else if (html()) {
      out_ += "<h2>" + esc(title) + (value_html.empty() ? "" : ": " + std::string(value_html)) + "</h2>\n";
    } else {
      std::string t(title);
      std::transform(t.begin(), t.end(), t.begin(), [](char c) { return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c; });
      out_ += "\n" + colour(t, "1") + (value_html.empty() ? "" : ": " + std::string(value_html)) + "\n";
    }
  }
  void line(const std::string& s) {  // s already escaped for html
    close_list();
    if (html()) {
      out_ += "<p>" + s + "</p>\n";
    } else if (md()) {
      out_ += s + "\n\n";
    } else {
      out_ += "  " + s + "\n";
    }
  }
  void sublabel(const std::string& s) {  // plain text
    close_list();
    if (html()) {
      out_ += "<h3>" + esc(s) + "</h3>\n";
    } else if (md()) {
      out_ += "*" + s + "*\n\n";
    } else {
      out_ += "  " + s + ":\n";
    }
  }
  void item(const std::string& s, int level = 0, bool bullet = true) {  // s already escaped
    if (html()) {
      if (!in_list_) out_ += "<ul>\n";
      in_list_ = true;
      out_ += "<li" + std::string(level > 0 ? " class=sub" : "") + ">" + s + "</li>\n";
    } else if (md()) {
      in_list_ = true;
      out_ += std::string(static_cast<size_t>(level) * 2, ' ') + "- " + s + "\n";
    } else {
      out_ += std::string(4 + static_cast<size_t>(level) * 2, ' ') + (bullet ? "- " : "") + s + "\n";
    }
  }
  void check_item(int r, const std::string& s) {  // s already escaped
    if (html()) {
      if (!in_list_) out_ += "<ul class=checks>\n";
      in_list_ = true;
      out_ += "<li>" + mark(r) + " " + s + "</li>\n";
    } else if (md()) {
      in_list_ = true;
      out_ += "- " + mark(r) + " " + s + "\n";
    } else {
      out_ += "    " + mark(r) + " " + s + "\n";
    }
  }
  void close_list() {
    if (!in_list_) return;
    if (html()) out_ += "</ul>\n";
    if (md()) out_ += "\n";
    in_list_ = false;
  }

  void begin_html() { out_ += o_.standalone ? html_page_begin("oligoscreen: " + p_.id) : "<section class=case>\n"; }
  void end_html() {
    close_list();
    out_ += o_.standalone ? html_page_end() : "</section>\n";
  }

  // ---- values

  std::string value_text(const Value& v) const {
    switch (v.kind) {
      case VKind::Unknown:
        return "not recorded";
      case VKind::Bool:
        return v.b ? "yes" : "no";
      case VKind::Number:
        return format_number(v.num);
      case VKind::Text:
        return std::string(v.str());
      case VKind::Date:
        return format_date(DateRange{v.date.lo, v.date.hi});
      case VKind::Enum:
        return humanize(m_.schema.enums[v.enum_id].values[v.e]);
      case VKind::List: {
        std::string out;
        for (uint32_t i = 0; i < v.list.count; ++i) {
          if (i) out += ", ";
          out += value_text(v.list.items[i]);
        }
        return out.empty() ? "none" : out;
      }
      case VKind::Record:
        return "(record)";
    }
    return "";
  }
  // A derived value (fact, tree, output) for people; unknown is "unknown", not "not recorded".
  std::string derived_text(const Value& v) const {
    if (v.kind == VKind::Unknown) return "unknown";
    if (v.kind == VKind::Bool) return v.b ? "true" : "false";
    return value_text(v);
  }

  // "lesions[1].size_mm" -> "lesion 2 size_mm"; "ecog" -> "ecog".
  std::string human_path(FieldRef r) const {
    uint32_t slot = ref_slot(r);
    const FieldDef& f = m_.schema.fields[slot];
    if (ref_elem1(r) == 0) return f.path;
    std::string base = f.path;
    if (base.size() > 1 && base.back() == 's') base.pop_back();
    std::string out = base + " " + std::to_string(ref_elem1(r));
    if (ref_sub1(r) != 0) out += " " + f.fields[ref_sub1(r) - 1].path;
    return out;
  }
  const FieldDef& field_def(FieldRef r) const {
    const FieldDef& f = m_.schema.fields[ref_slot(r)];
    return ref_sub1(r) != 0 ? f.fields[ref_sub1(r) - 1] : f;
  }

  const Value& def_value(uint32_t d) const {
    static const Value kUnknown;
    return d < a_.defs.size() ? a_.defs[d].value : kUnknown;
  }
  static int tri(const Value& v) { return v.kind == VKind::Bool ? (v.b ? 1 : 0) : 2; }

  // ---- case line

  void case_line() {
    std::string s = p_.id;
    for (const char* f : {"histology", "age", "ecog"}) {
      int slot = m_.schema.find(f);
      if (slot < 0) continue;
      const Value& v = p_.values[static_cast<size_t>(slot)];
      std::string label = std::string(f) == "ecog" ? "ECOG" : std::string(f);
      std::string val = value_text(v);
      if (std::string(f) == "histology" && v.kind != VKind::Unknown) {
        const auto& e = m_.schema.enums[v.enum_id];
        val = e.descriptions.size() > v.e && !e.descriptions[v.e].empty() ? e.descriptions[v.e] : val;
        s += " | " + val;
      } else {
        s += " | " + label + " " + val;
      }
    }
    if (md()) {
      out_ += "## Case " + s + "\n\n";
    } else if (html()) {
      out_ += "<h1>Case " + esc(s) + "</h1>\n";
    } else {
      out_ += colour("Case " + s, "1") + "\n";
    }
    std::string meta = "Tumour-board screen, rule set " + m_.manifest.id + " " + m_.manifest.version;
    int assessed = m_.schema.find("assessed_on");
    if (assessed >= 0 && p_.values[static_cast<size_t>(assessed)].kind != VKind::Unknown) {
      meta += ", assessed " + value_text(p_.values[static_cast<size_t>(assessed)]);
    }
    if (html()) {
      out_ += "<p class=meta>" + esc(meta) + "</p>\n";
    } else if (md()) {
      out_ += meta + "\n";
    } else {
      out_ += meta + "\n";
    }
  }

  // ---- outputs

  // The first tree each output rests on (kNone when none).
  uint32_t tree_of(uint32_t o) const {
    for (uint32_t d = 0; d < m_.defs.size(); ++d) {
      if (m_.defs[d].kind == DefKind::Tree && m_.output_deps[o][d]) return d;
    }
    return kNone;
  }

  // Classification outputs (resting on a tree, codes only) first, then the others, each
  // part in declaration order.
  std::vector<uint32_t> display_order() const {
    std::vector<uint32_t> first, rest;
    for (uint32_t o = 0; o < m_.outputs.size(); ++o) {
      bool cls = m_.outputs[o].form == OutputForm::Code && tree_of(o) != kNone;
      (cls ? first : rest).push_back(o);
    }
    first.insert(first.end(), rest.begin(), rest.end());
    return first;
  }

  std::string verdict_text(uint32_t o) const {
    const OutputResult& r = a_.outputs[o];
    std::string v = output_code_label(m_, o, r.code);
    if (!r.known && r.possible != ~uint64_t{0}) {
      std::string poss = possible_codes_text(m_, o, r.possible);
      if (!poss.empty()) v += " (could be " + poss + ")";
    }
    return v;
  }
  std::string verdict_markup(uint32_t o) const {
    const OutputResult& r = a_.outputs[o];
    std::string v = verdict_text(o);
    if (html()) return "<span class=verdict>" + esc(v) + "</span>";
    if (md()) return "**" + v + "**";
    const char* c = !r.known ? "33;1" : "1";
    return colour(v, c);
  }

  void output_section(uint32_t o) {
    const Def& def = m_.defs[m_.output_defs[o]];
    const OutputDef& od = m_.outputs[o];
    uint32_t tree = od.form == OutputForm::Code ? tree_of(o) : kNone;
    if (tree != kNone) {
      // Classification outputs sharing a tree form one section headed by the tree.
      if (std::find(trees_shown_.begin(), trees_shown_.end(), tree) != trees_shown_.end()) return;
      trees_shown_.push_back(tree);
      heading(m_.defs[tree].title);
      for (uint32_t o2 = o; o2 < m_.outputs.size(); ++o2) {
        if (m_.outputs[o2].form != OutputForm::Code || tree_of(o2) != tree) continue;
        std::string t = m_.defs[m_.output_defs[o2]].title;
        line(esc(t) + ": " + (o2 == o ? verdict_markup(o2) : esc(verdict_text(o2))));
      }
      tree_path(tree);
      close_list();
      return;
    }
    heading(def.title, verdict_markup(o));
    // Criteria groups this output rests on that no earlier section showed.
    std::vector<std::string> groups;
    for (uint32_t d = 0; d < m_.defs.size(); ++d) {
      const Def& cd = m_.defs[d];
      if (cd.kind != DefKind::Criterion || cd.group.empty() || !m_.output_deps[o][d]) continue;
      if (std::find(groups_shown_.begin(), groups_shown_.end(), cd.group) != groups_shown_.end()) continue;
      groups_shown_.push_back(cd.group);
      groups.push_back(cd.group);
    }
    for (const auto& g : groups) {
      if (groups.size() > 1) sublabel(group_label(o, g));
      criteria_group(g);
    }
    close_list();
    if (od.form != OutputForm::Verdict) return;
    const OutputResult& r = a_.outputs[o];
    if (!r.reasons.empty()) {
      sublabel("Reasons");
      for (const auto& ro : r.reasons) item(esc(reason_text(ro)));
      close_list();
    }
    if (!r.evidence.empty()) {
      sublabel("Evidence at the sites present");
      evidence_table(r.evidence);
    }
    if (!r.notes.empty()) {
      sublabel("Notes (histology, prognosis; they do not change the verdict)");
      for (const auto& ro : r.notes) item(esc(reason_text(ro)));
      close_list();
    }
  }

  // "sbrt_eligibility" under output sbrt -> "Eligibility"; a remainder naming a code of the
  // output -> "Conditions for <code>".
  std::string group_label(uint32_t o, const std::string& group) const {
    const std::string& id = m_.defs[m_.output_defs[o]].id;
    std::string rest = group.rfind(id + "_", 0) == 0 ? group.substr(id.size() + 1) : group;
    const auto& codes = m_.schema.enums[m_.outputs[o].enum_id].values;
    for (uint32_t i = 0; i < codes.size(); ++i) {
      if (codes[i] == rest) return "Conditions for " + output_code_label(m_, o, i);
    }
    return capitalize(humanize(rest));
  }

  void tree_path(uint32_t d) {
    const Def& def = m_.defs[d];
    if (def.extra >= a_.paths.size()) return;
    const TreeDef& tree = m_.trees[def.extra];
    const auto& path = a_.paths[def.extra];
    if (path.empty()) return;
    std::string s;
    for (const auto& step : path) {
      const TreeNodeDef& node = tree.nodes[step.node];
      if (!s.empty()) s += arrow();
      if (step.answer == 2) {
        s += esc("? not known: " + node.question);
      } else {
        const TreeBranch& b = step.answer == 1 ? node.yes : node.no;
        s += esc(b.label);
        if (b.leaf != kNone && b.leaf < tree.leaves.size()) s += arrow() + bold(tree.leaves[b.leaf].label);
      }
    }
    line(esc("Path: ") + s);
  }

  // Values a criterion rests on: the facts, trees and outputs it names, and the fields it reads
  // itself (not through them).
  std::string criterion_values(const Def& def) const {
    std::vector<std::string> parts;
    std::vector<FieldRef> via;
    for (uint32_t dep : def.deps) {
      const Def& dd = m_.defs[dep];
      via.insert(via.end(), dd.field_reads.begin(), dd.field_reads.end());
      parts.push_back(dd.id + " " + derived_text(def_value(dep)));
    }
    for (FieldRef f : def.field_reads) {
      if (std::find(via.begin(), via.end(), f) != via.end()) continue;
      uint32_t slot = ref_slot(f);
      const FieldDef& fd = m_.schema.fields[slot];
      const Value& pv = p_.values[slot];
      if (ref_sub1(f) != 0) {
        std::string sub = fd.fields[ref_sub1(f) - 1].path;
        std::string list;
        if (pv.kind == VKind::List) {
          for (uint32_t e = 0; e < pv.list.count; ++e) {
            if (e) list += ", ";
            list += value_text(pv.list.items[e].rec.fields[ref_sub1(f) - 1]);
          }
        }
        parts.push_back(fd.path + " " + sub + " " +
                        (pv.kind != VKind::List ? "not recorded"
                         : list.empty()         ? "none"
                                                : list));
        continue;
      }
      if (fd.type == FieldType::List && fd.of == ListOf::Record) {
        // The count only when no subfield of the list is shown.
        bool subs = std::any_of(def.field_reads.begin(), def.field_reads.end(),
                                [&](FieldRef g) { return ref_slot(g) == slot && ref_sub1(g) != 0; });
        if (subs && pv.kind == VKind::List) continue;
        parts.push_back(fd.path + " " +
                        (pv.kind == VKind::List ? std::to_string(pv.list.count) : std::string("not recorded")));
        continue;
      }
      parts.push_back(fd.path + " " + value_text(pv));
    }
    std::string s;
    for (const auto& p : parts) s += (s.empty() ? "" : "; ") + p;
    return s;
  }

  void criteria_group(const std::string& group) {
    for (uint32_t d = 0; d < m_.defs.size(); ++d) {
      const Def& def = m_.defs[d];
      if (def.kind != DefKind::Criterion || def.group != group) continue;
      std::string s = esc(def.title);
      std::string vals = criterion_values(def);
      if (!vals.empty()) s += esc(" [" + vals + "]");
      bool presumed = d < a_.defs.size() && a_.defs[d].presumed;
      if (presumed) s += esc(" (presumed)");
      check_item(tri(def_value(d)), s);
    }
  }

  // ---- evidence

  // "S" sarcoma-specific or "I" indirect; "R" in the review; "U" unverified.
  static std::string flags_short(const EvidenceDef& e) {
    std::string f = e.sarcoma_specific && e.metastatic_setting ? "S" : "I";
    if (e.in_review) f += " R";
    if (!e.verified) f += " U";
    return f;
  }
  static std::string flags_long(const EvidenceDef& e) {
    std::string f;
    if (e.sarcoma_specific && e.metastatic_setting) {
      f = "sarcoma-specific";
    } else {
      f = "indirect (";
      if (!e.sarcoma_specific) f += "not sarcoma";
      if (!e.metastatic_setting) f += std::string(e.sarcoma_specific ? "" : ", ") + "not metastatic";
      f += ")";
    }
    f += e.in_review ? ", in review" : ", not in review";
    if (!e.verified) f += ", unverified";
    return f;
  }
  static std::string figure(const EvidenceDef& e, std::string_view key) {
    for (const auto& [k, v] : e.figures) {
      if (k == key) return v;
    }
    return "-";
  }
  // The leading count of a "patients" figure ("15 treated with SBRT (...)" -> "15").
  static std::string leading_count(const std::string& s) {
    size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > 0 ? s.substr(0, i) : clip(s, 6);
  }

  void evidence_table(const std::vector<uint32_t>& ids) {
    struct Col {
      const char* key;
      const char* head;
    };
    static constexpr Col kCols[] = {{"patients", "n"},
                                    {"local_control", "local control"},
                                    {"survival", "survival"},
                                    {"dose", "dose"},
                                    {"toxicity", "toxicity"}};
    // Compact: figures cut to their first clause (`oligoscreen rules show ID` has the full text).
    if (html()) {
      close_list();
      out_ += "<table>\n<tr><th>study</th><th>design</th><th>level</th>";
      for (const auto& c : kCols) out_ += "<th>" + std::string(c.head) + "</th>";
      out_ += "<th>evidence is</th></tr>\n";
      for (uint32_t id : ids) {
        const auto& e = m_.evidence[id];
        out_ += "<tr><td>" + esc(e.id) + "</td><td>" + esc(clip(e.design, 34)) + "</td><td>" + esc(e.level) + "</td>";
        out_ += "<td>" + esc(leading_count(figure(e, "patients"))) + "</td>";
        for (size_t i = 1; i < std::size(kCols); ++i) out_ += "<td>" + esc(clip(figure(e, kCols[i].key), 34)) + "</td>";
        out_ += "<td>" + esc(flags_long(e)) + "</td></tr>\n";
      }
      out_ +=
          "</table>\n<p class=meta>Figures cut to their first clause; the full entry: oligoscreen rules show "
          "STUDY.</p>\n";
      return;
    }
    if (md()) {
      close_list();
      out_ += "| study | design | level |";
      for (const auto& c : kCols) out_ += std::string(" ") + c.head + " |";
      out_ += " evidence is |\n|---|---|---|---|---|---|---|---|---|\n";
      for (uint32_t id : ids) {
        const auto& e = m_.evidence[id];
        out_ += "| " + cell(e.id) + " | " + cell(clip(e.design, 34)) + " | " + cell(e.level) + " | " +
                cell(leading_count(figure(e, "patients"))) + " |";
        for (size_t i = 1; i < std::size(kCols); ++i) out_ += " " + cell(clip(figure(e, kCols[i].key), 34)) + " |";
        out_ += " " + cell(flags_long(e)) + " |\n";
      }
      out_ += "\nFigures cut to their first clause; the full entry: `oligoscreen rules show STUDY`.\n\n";
      return;
    }
    // Text: one line per study, figures cut to their first clause (full text: markdown or html).
    // Every column of policy.md §5 (local control, survival, dose, toxicity, design and level).
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"study", "design", "level", "n", "local control", "survival", "dose", "toxicity", ""});
    for (uint32_t id : ids) {
      const auto& e = m_.evidence[id];
      rows.push_back({e.id, clip(e.design, 18), e.level, leading_count(figure(e, "patients")),
                      clip(figure(e, "local_control"), 20), clip(figure(e, "survival"), 20),
                      clip(figure(e, "dose"), 20), clip(figure(e, "toxicity"), 18), flags_short(e)});
    }
    std::vector<size_t> w(rows[0].size(), 0);
    for (const auto& r : rows) {
      for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], width(r[i]));
    }
    for (size_t k = 0; k < rows.size(); ++k) {
      std::string s = "    ";
      for (size_t i = 0; i < rows[k].size(); ++i) s += i + 1 < rows[k].size() ? pad(rows[k][i], w[i] + 2) : rows[k][i];
      while (!s.empty() && s.back() == ' ') s.pop_back();
      out_ += (k == 0 ? colour(s, "2") : s) + "\n";
    }
    out_ +=
        "    (S sarcoma-specific, I indirect, R in the review, U unverified; figures cut to their first "
        "clause: 'oligoscreen rules show STUDY' for the full entry)\n";
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

  // ---- what is missing

  void missing() {
    heading("What is missing");
    if (a_.missing.empty()) {
      line(esc("Nothing that would change a verdict."));
      return;
    }
    line(esc("Most consequential first; each answer and the verdicts it would give:"));
    for (size_t i = 0; i < a_.missing.size(); ++i) {
      const MissingField& mf = a_.missing[i];
      std::string affects;
      for (uint32_t o : mf.affects) affects += (affects.empty() ? "" : ", ") + m_.defs[m_.output_defs[o]].id;
      std::string what = human_path(mf.ref);
      if (mf.imprecise) what += " (known to the month only: the exact day decides)";
      const FieldDef& fd = field_def(mf.ref);
      std::string head = bold(std::to_string(i + 1) + ". " + what);
      if (!fd.description.empty()) head += esc(dash() + fd.description);
      head += esc("; could change " + affects);
      item(head, 0, false);
      if (mf.what_if.empty()) {
        item(esc("any value: " + field_domain_text(m_, fd)), 1);
      }
      for (const auto& w : mf.what_if) {
        std::string a = symbols() && !html() ? " → " : html() ? " \x01 " : " -> ";
        std::string t = esc(what_if_text(m_, mf, w, a));
        if (html()) {
          size_t p = t.find(" \x01 ");
          if (p != std::string::npos) t.replace(p, 3, " &rarr; ");
        }
        item(t, 1);
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

  // ---- the full trace

  std::string where(Pos pos) const { return pos.valid() ? "  (" + format_location(o_.case_file, pos) + ")" : ""; }

  void trace_reads(const Def& def) {
    std::vector<uint32_t> shown_lists;
    for (FieldRef f : def.field_reads) {
      uint32_t slot = ref_slot(f);
      const FieldDef& fd = m_.schema.fields[slot];
      const Value& pv = p_.values[slot];
      if (ref_sub1(f) == 0) {
        if (fd.type == FieldType::List && fd.of == ListOf::Record) {
          item(esc("read " + fd.path + " = " +
                   (pv.kind == VKind::List ? std::to_string(pv.list.count) + " item(s)" : std::string("not recorded")) +
                   where(p_.value_pos[slot])),
               1);
          continue;
        }
        item(esc("read " + fd.path + " = " + value_text(pv) + where(p_.value_pos[slot])), 1);
        continue;
      }
      if (pv.kind != VKind::List) {
        if (std::find(shown_lists.begin(), shown_lists.end(), slot) == shown_lists.end()) {
          shown_lists.push_back(slot);
          item(esc("read " + fd.path + " = not recorded" + where(p_.value_pos[slot])), 1);
        }
        continue;
      }
      uint32_t sub = ref_sub1(f) - 1;
      for (uint32_t e = 0; e < pv.list.count; ++e) {
        const Value* fv = pv.list.items[e].rec.fields + sub;
        auto idx = static_cast<size_t>(fv - p_.items.data());
        Pos pos = idx < p_.item_pos.size() ? p_.item_pos[idx] : Pos{};
        item(
            esc("read " + field_path(m_.schema, make_ref(slot, e + 1, sub + 1)) + " = " + value_text(*fv) + where(pos)),
            1);
      }
    }
  }

  static std::string one_line(const std::string& s) {
    std::string out;
    bool space = false;
    for (char c : s) {
      if (c == '\n' || c == ' ' || c == '\t') {
        space = true;
        continue;
      }
      if (space && !out.empty()) out += ' ';
      space = false;
      out += c;
    }
    return out;
  }

  void trace() {
    heading("Trace: every fact and criterion, the values read and where");
    for (uint32_t d = 0; d < m_.defs.size() && d < a_.defs.size(); ++d) {
      const Def& def = m_.defs[d];
      if (def.kind != DefKind::Criterion && def.kind != DefKind::Fact) continue;
      const DefResult& r = a_.defs[d];
      std::string kind = def.kind == DefKind::Fact ? "fact" : "criterion";
      item(bold(def.id) + esc(" = " + derived_text(r.value) + "  (" + kind + ")"), 0, false);
      item(esc("rule: " + one_line(def.expr.source) + "  [" +
               format_location(def.expr.origin.file, def.expr.origin.pos) + "]"),
           1);
      trace_reads(def);
      if (!r.why.empty()) {
        std::string w;
        for (FieldRef f : r.why) w += (w.empty() ? "" : ", ") + field_path(m_.schema, f);
        item(esc("unknown because of: " + w), 1);
      }
      if (r.presumed) item(esc("presumption: " + def.presumption), 1);
      item(esc("evidence:" + (def.evidence.empty() ? std::string(" none") : cite(def.evidence))), 1);
    }
    close_list();
    sublabel("Decisions");
    for (uint32_t o = 0; o < m_.outputs.size(); ++o) {
      const OutputDef& od = m_.outputs[o];
      const OutputResult& r = a_.outputs[o];
      std::string s = m_.defs[m_.output_defs[o]].id + " = " + m_.schema.enums[od.enum_id].values[r.code];
      if (r.decided_rule >= 0 && static_cast<size_t>(r.decided_rule) < od.rules.size()) {
        const DecideRule& dr = od.rules[static_cast<size_t>(r.decided_rule)];
        s += "  by rule " + dr.id + "  [" + format_location(dr.origin.file, dr.origin.pos) + "]" + cite(dr.evidence);
      } else {
        std::string w;
        for (FieldRef f : r.why) w += (w.empty() ? "" : ", ") + field_path(m_.schema, f);
        s += "  (undecided" + (w.empty() ? std::string() : ": unknown because of " + w) + ")";
      }
      item(esc(s));
    }
    close_list();
  }

  void provenance() {
    heading("Provenance");
    std::string s = "Rule set " + m_.manifest.id + " " + m_.manifest.version + " (sha256 " + m_.sha256.substr(0, 12) +
                    "); oligoscreen " + OLIGOSCREEN_VERSION_STRING;
    line(esc(s));
    if (html()) {
      out_ += "<p class=notice>" + esc(kDecisionSupportNotice) + "</p>\n";
    } else if (md()) {
      out_ += "*" + std::string(kDecisionSupportNotice) + "*\n";
    } else {
      out_ += "\n" + colour(kDecisionSupportNotice, "1") + "\n";
    }
  }

  const RuleSetModel& m_;
  const Patient& p_;
  const Assessment& a_;
  const ReportOptions& o_;
  std::string out_;
  bool in_list_ = false;
  std::vector<uint32_t> trees_shown_;
  std::vector<std::string> groups_shown_;
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
  bool md = opt.format == ReportFormat::Markdown;
  auto esc = [&](const std::string& s) {
    if (!html) return s;
    std::string o;
    for (char c : s) {
      if (c == '&')
        o += "&amp;";
      else if (c == '<')
        o += "&lt;";
      else if (c == '>')
        o += "&gt;";
      else
        o += c;
    }
    return o;
  };
  if (html) {
    out += opt.standalone ? html_page_begin("oligoscreen: " + file + " not screened") : "<section class=case>\n";
    out += "<h1>" + esc(file) + ": not screened</h1>\n<pre style=\"white-space:pre-wrap\">\n";
  }
  if (md) out += "## " + file + ": not screened\n\n```\n";
  for (const auto& e : errors) {
    std::string loc = format_location(file, e.pos);
    if (e.has_offset && !e.pos.valid()) loc = file + ": byte " + std::to_string(e.pos.offset);
    out += esc(loc + ": error: " + e.message + " [" + e.kind + (e.field.empty() ? "" : ", " + e.field) + "]") + "\n";
  }
  if (md) out += "```\n\n";
  if (html) out += "</pre>\n<p>";
  out += esc("The case could not be screened: correct the file and screen it again (rule set " + m.manifest.id + " " +
             m.manifest.version + ", sha256 " + m.sha256.substr(0, 12) + "; oligoscreen " + OLIGOSCREEN_VERSION_STRING +
             ").");
  out += html ? "</p>\n" + (opt.standalone ? html_page_end() : std::string("</section>\n")) : "\n";
  return out;
}

}  // namespace oligoscreen::detail
