#include "guided.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <unistd.h>

#include "cli_common.hpp"
#include "core/date.hpp"
#include "json/json_writer.hpp"

namespace oligoscreen::cli {

using namespace oligoscreen::detail;
namespace fs = std::filesystem;

namespace {

std::string yaml_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string scalar_yaml(const RuleSetModel& m, const Value& v) {
  switch (v.kind) {
    case VKind::Bool:
      return v.b ? "true" : "false";
    case VKind::Number:
      return format_number(v.num);
    case VKind::Text:
      return yaml_quote(v.str());
    case VKind::Date:
      return format_date(DateRange{v.date.lo, v.date.hi});
    case VKind::Enum:
      return m.schema.enums[v.enum_id].values[v.e];
    case VKind::List: {
      std::string s = "[";
      for (uint32_t i = 0; i < v.list.count; ++i) s += (i ? ", " : "") + scalar_yaml(m, v.list.items[i]);
      return s + "]";
    }
    default:
      return "null";
  }
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

// An answer as a YAML scalar (or flow list for a list of values); empty when it holds
// characters a plain scalar may not (the reader then checks type, range and allowed values).
std::string answer_yaml(const FieldDef& f, const std::string& answer) {
  if (f.type == FieldType::Text) return yaml_quote(answer);
  auto plain = [](const std::string& s) {
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
             c == '.' || c == '+';
    });
  };
  if (f.type == FieldType::List) {
    std::string out = "[";
    std::string item;
    bool any = false;
    for (size_t i = 0; i <= answer.size(); ++i) {
      char c = i < answer.size() ? answer[i] : ',';
      if (c == ',' || c == ' ') {
        if (!item.empty()) {
          if (!plain(item)) return "";
          out += (any ? ", " : "") + item;
          any = true;
          item.clear();
        }
      } else {
        item += c;
      }
    }
    return out + "]";
  }
  return plain(answer) ? answer : "";
}

struct Session {
  Session(const RuleSetModel& model, const GuidedOptions& o, std::string file)
      : m(model), opt(o), label(std::move(file)) {}

  const RuleSetModel& m;
  const GuidedOptions& opt;
  std::string label;
  std::map<FieldRef, std::string> answers;
  std::unique_ptr<CaseResult> result = std::make_unique<CaseResult>();
  std::string yaml;  // the case as screened last (after the first answer)

  void say(const std::string& s) const { std::fputs(s.c_str(), stderr); }

  bool read_line(std::string& out) const {
    if (!std::getline(std::cin, out)) {
      if (!stdin_tty_) say("\n");
      return false;
    }
    out = trim(out);
    if (!stdin_tty_) say(out + "\n");  // piped answers are echoed, so the transcript reads as a dialogue
    return true;
  }
  bool stdin_tty_ = ::isatty(STDIN_FILENO) == 1;

  void screen_text(std::string_view text, CaseFormat fmt, CaseResult& into) const {
    CaseOptions c = opt.screen;
    c.explain = true;
    screen_case(m, label, text, fmt, c, into);
  }

  std::string output_line(const CaseResult& r) const {
    std::string s;
    for (uint32_t o = 0; o < m.outputs.size(); ++o) {
      s += (o ? ", " : "") + m.defs[m.output_defs[o]].id + " " +
           m.schema.enums[m.outputs[o].enum_id].values[r.assessment.outputs[o].code];
    }
    return s;
  }

  const FieldDef& field_def(FieldRef r) const {
    const FieldDef& f = m.schema.fields[ref_slot(r)];
    return ref_sub1(r) != 0 ? f.fields[ref_sub1(r) - 1] : f;
  }

  // The question for one missing field: what it is, what it accepts, what it would change.
  void ask(const MissingField& mf, size_t left) const {
    const FieldDef& f = field_def(mf.ref);
    std::string path = field_path(m.schema, mf.ref);
    std::string s = "\n" + path + (f.description.empty() ? "" : " - " + f.description) + "\n";
    s += "  allowed: " + field_domain_text(m, f) + "\n";
    if (!f.unknown_means.empty()) s += "  unknown means: " + f.unknown_means + "\n";
    if (mf.imprecise) s += "  known to the month only: the exact day decides\n";
    for (const auto& w : mf.what_if) s += "  " + what_if_text(m, mf, w, " -> ") + "\n";
    if (mf.what_if.empty()) {
      std::string affects;
      for (uint32_t o : mf.affects) affects += (affects.empty() ? "" : ", ") + m.defs[m.output_defs[o]].id;
      s += "  could change: " + affects + "\n";
    }
    s += "(" + std::to_string(left) + (left == 1 ? " question that matters" : " questions that matter") +
         "; empty line to stop) " + path + "? ";
    say(s);
  }

  std::string header() const {
    std::string h = "Completed with 'oligoscreen screen --ask' from " + label + ".\nAnswered:";
    for (const auto& [ref, text] : answers) h += " " + field_path(m.schema, ref) + " = " + text + ";";
    if (!answers.empty()) h.pop_back();
    return h;
  }

  // Questions until nothing that matters is missing, the user stops, or input ends.
  void questions() {
    for (int rounds = 0; rounds < 200; ++rounds) {
      const auto& missing = result->assessment.missing;
      const MissingField* next = nullptr;
      size_t askable = 0;
      for (const auto& mf : missing) {
        const FieldDef& f = field_def(mf.ref);
        if (f.type == FieldType::List && f.of == ListOf::Record) continue;  // whole lists: in the file
        if (!next) next = &mf;
        ++askable;
      }
      for (const auto& mf : missing) {
        const FieldDef& f = field_def(mf.ref);
        if (f.type == FieldType::List && f.of == ListOf::Record && rounds == 0) {
          say("\n" + field_path(m.schema, mf.ref) + " is not recorded: list every item in the case file (" +
              (f.description.empty() ? f.path : f.description) + ")\n");
        }
      }
      if (!next) {
        say(missing.empty() ? "\nNothing that would change a verdict is missing.\n"
                            : "\nNothing more can be asked here.\n");
        return;
      }
      ask(*next, askable);
      std::string line;
      if (!read_line(line) || line.empty()) {
        say("\nStopped: " + std::to_string(askable) + " field" + (askable == 1 ? "" : "s") +
            " that could change a verdict still missing.\n");
        return;
      }
      FieldRef ref = next->ref;
      const FieldDef& f = field_def(ref);
      std::string y = answer_yaml(f, line);
      if (y.empty()) {
        say("  not a valid answer: use the allowed values (letters, digits, '-', '_' or '.')\n");
        continue;
      }
      auto saved = answers;
      answers[ref] = y;
      std::string text = case_yaml(m, result->patient, answers, header());
      auto trial = std::make_unique<CaseResult>();
      screen_text(text, CaseFormat::Yaml, *trial);
      if (!trial->ok) {
        for (const auto& e : trial->errors) say("  not accepted: " + e.message + "\n");
        answers = saved;
        continue;
      }
      std::string before = output_line(*result);
      std::string after = output_line(*trial);
      say(before == after ? "  no verdict changed\n" : "  now: " + after + "\n");
      result = std::move(trial);
      yaml = std::move(text);
    }
  }

  std::string render(const CaseResult& r) const {
    std::string out;
    if (opt.json) {
      case_json(m, r, opt.screen, opt.pretty, "", out);
      return out + "\n";
    }
    if (!r.ok) return render_error_report(m, label, r.errors, opt.report);
    return render_report(m, r.patient, r.assessment, opt.report);
  }

  // Offers to write the completed case; returns an exit code.
  int offer_to_write(const std::string& file) {
    if (answers.empty()) return kOk;
    fs::path def = file;
    std::string stem = def.stem().string();
    def.replace_filename(stem + "-completed.yaml");
    for (int tries = 0; tries < 5; ++tries) {
      say("\nWrite the completed case to a new file? path [" + def.string() + "], or 'no': ");
      std::string line;
      if (!read_line(line) || line == "no" || line == "n") {
        say("Not written.\n");
        return kOk;
      }
      fs::path target = line.empty() ? def : fs::path(line);
      std::error_code ec;
      if (fs::exists(target, ec)) {
        say("'" + target.string() + "' exists: overwrite it? [y/N] ");
        std::string yes;
        if (!read_line(yes)) {
          say("Not written.\n");
          return kOk;
        }
        if (yes != "y" && yes != "yes") continue;
      }
      std::ofstream out(target, std::ios::binary | std::ios::trunc);
      out << yaml;
      out.close();
      if (!out) {
        std::fprintf(stderr, "oligoscreen screen --ask: cannot write '%s'\n", target.string().c_str());
        return kIoError;
      }
      // The written file must screen to the result shown.
      auto check = std::make_unique<CaseResult>();
      CaseOptions c = opt.screen;
      c.explain = true;  // as the session screened
      screen_case(m, label, yaml, CaseFormat::Yaml, c, *check);
      std::string a, b;
      case_json(m, *check, c, false, "", a);
      case_json(m, *result, c, false, "", b);
      if (a != b) {
        std::fprintf(stderr, "oligoscreen screen --ask: internal error: '%s' does not screen to the same result\n",
                     target.string().c_str());
        return kInternal;
      }
      say("Wrote " + target.string() + " (it screens to the result above).\n");
      return kOk;
    }
    say("Not written.\n");
    return kOk;
  }
};

// Field order for writing: schema order, with every field of one group (first path segment)
// kept together at the place of the group's first field.
std::vector<uint32_t> write_order(const Schema& sc) {
  std::vector<uint32_t> order(sc.fields.size());
  std::vector<size_t> rank(sc.fields.size());
  for (uint32_t i = 0; i < sc.fields.size(); ++i) {
    order[i] = i;
    rank[i] = i;
    for (uint32_t j = 0; j < i; ++j) {
      if (sc.fields[j].segments.front() == sc.fields[i].segments.front()) {
        rank[i] = rank[j];
        break;
      }
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return rank[a] < rank[b]; });
  return order;
}

}  // namespace

std::string case_yaml(const RuleSetModel& m, const Patient& p, const std::map<FieldRef, std::string>& answers,
                      const std::string& header) {
  std::string out;
  size_t start = 0;
  while (start <= header.size() && !header.empty()) {
    size_t nl = header.find('\n', start);
    std::string l = header.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    out += "# " + l + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  std::vector<std::string> open;
  for (uint32_t slot : write_order(m.schema)) {
    const FieldDef& f = m.schema.fields[slot];
    const Value& v = p.values[slot];
    auto ans = answers.find(make_ref(slot));
    std::string value;
    if (ans != answers.end()) {
      value = " " + ans->second;
    } else if (slot == static_cast<uint32_t>(m.schema.record_id_slot) && p.has_id) {
      value = " " + yaml_quote(p.id);
    } else if (v.kind == VKind::Unknown) {
      continue;
    } else if (f.type == FieldType::List && f.of == ListOf::Record) {
      if (v.list.count == 0) {
        value = " []";
      } else {
        for (uint32_t e = 0; e < v.list.count; ++e) {
          std::string item;
          for (uint32_t k = 0; k < f.fields.size(); ++k) {
            auto sub = answers.find(make_ref(slot, e + 1, k + 1));
            const Value& sv = v.list.items[e].rec.fields[k];
            std::string sval;
            if (sub != answers.end()) {
              sval = sub->second;
            } else if (sv.kind != VKind::Unknown) {
              sval = scalar_yaml(m, sv);
            } else {
              continue;
            }
            item += (item.empty() ? "" : ", ") + f.fields[k].path + ": " + sval;
          }
          value += "\n" + std::string(2 * (f.segments.size() - 1) + 2, ' ') + "- {" + item + "}";
        }
      }
    } else {
      value = " " + scalar_yaml(m, v);
    }
    // Open the groups of this field's path, closing those it leaves.
    size_t common = 0;
    while (common < open.size() && common + 1 < f.segments.size() && open[common] == f.segments[common]) ++common;
    open.resize(common);
    for (size_t i = common; i + 1 < f.segments.size(); ++i) {
      out += std::string(2 * i, ' ') + f.segments[i] + ":\n";
      open.push_back(f.segments[i]);
    }
    out += std::string(2 * (f.segments.size() - 1), ' ') + f.segments.back() + ":" + value + "\n";
  }
  return out;
}

int run_guided(const RuleSetModel& m, const std::string& file, const GuidedOptions& opt) {
  if (file == "-") {
    std::fprintf(stderr, "oligoscreen screen --ask: the case must be a file (standard input carries the answers)\n");
    return kUsage;
  }
  auto text = read_input(file);
  if (!text) return kIoError;
  Session s(m, opt, file);
  s.screen_text(*text, detect_case_format(file, *text), *s.result);
  if (!s.result->ok) {
    std::string out = s.render(*s.result);
    if (!write_stdout(out)) return kIoError;
    std::fprintf(stderr, "oligoscreen screen --ask: correct the errors above first\n");
    return kInputErrors;
  }
  s.say("Screening " + file + ": " + s.output_line(*s.result) + "\n");
  s.questions();
  std::string out = s.render(*s.result);
  std::fflush(stderr);
  if (!write_stdout(out)) {
    std::fprintf(stderr, "oligoscreen screen: cannot write the output\n");
    return kIoError;
  }
  return s.offer_to_write(file);
}

}  // namespace oligoscreen::cli
