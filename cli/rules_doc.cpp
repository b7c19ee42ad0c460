#include "rules_doc.hpp"

#include <cxxopts.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "core/source.hpp"
#include "oligoscreen/version.hpp"
#include "result/report.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::cli {

using namespace oligoscreen::detail;

namespace {

// One line, table-safe: newlines and runs of spaces folded, pipes escaped.
std::string flat(const std::string& s, bool table = false) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    if (table && c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string code(const std::string& s) {
  return "`" + flat(s) + "`";
}

std::string ids(const RuleSetModel& m, const std::vector<uint32_t>& ev) {
  std::string s;
  for (uint32_t e : ev) s += (s.empty() ? "" : ", ") + m.evidence[e].id;
  return s.empty() ? "-" : s;
}

std::string where(const Origin& o) {
  return format_location(o.file, o.pos);
}

std::string kind_name(DefKind k) {
  switch (k) {
    case DefKind::Fact:
      return "fact";
    case DefKind::Criterion:
      return "criterion";
    case DefKind::Tree:
      return "tree";
    case DefKind::Output:
      return "output";
  }
  return "";
}

// The outputs that depend on definition `d`.
std::string used_by(const RuleSetModel& m, uint32_t d) {
  std::string s;
  for (uint32_t o = 0; o < m.outputs.size(); ++o) {
    if (m.output_deps[o][d] && m.output_defs[o] != d) s += (s.empty() ? "" : ", ") + m.defs[m.output_defs[o]].id;
  }
  return s;
}

std::string flags(const EvidenceDef& e) {
  std::string f = e.sarcoma_specific ? "sarcoma-specific" : "not sarcoma-specific";
  f += e.metastatic_setting ? ", metastatic setting" : ", not metastatic";
  f += e.in_review ? ", in the review" : ", not in the review";
  f += e.verified ? ", verified" : ", unverified";
  return f;
}

std::string identifier(const EvidenceDef& e) {
  if (!e.doi.empty()) return "doi:" + e.doi;
  if (!e.pmid.empty()) return "PMID " + e.pmid;
  if (!e.registry.empty()) return e.registry;
  return e.url;
}

void tree_words(const RuleSetModel& m, const TreeDef& t, uint32_t node, int depth, std::string& out) {
  const TreeNodeDef& n = t.nodes[node];
  std::string ind(static_cast<size_t>(depth) * 2, ' ');
  out += ind + "- **" + flat(n.question) + "** (" + code(n.ask.source) + ")\n";
  for (int yes = 1; yes >= 0; --yes) {
    const TreeBranch& b = yes ? n.yes : n.no;
    out += ind + "  - " + (yes ? "yes" : "no") + ": " + flat(b.label);
    if (b.leaf != kNone) {
      out += " → **" + t.leaves[b.leaf].label + "** (`" + t.leaves[b.leaf].code + "`)\n";
    } else {
      out += "\n";
      tree_words(m, t, b.next, depth + 2, out);
    }
  }
}

std::string def_section(const RuleSetModel& m, uint32_t d, const std::string& h) {
  const Def& def = m.defs[d];
  std::string out = h + " `" + def.id + "` (" + kind_name(def.kind) + ")\n\n";
  if (!def.title.empty()) out += flat(def.title) + "\n\n";
  if (def.kind == DefKind::Fact || def.kind == DefKind::Criterion) {
    out += "- rule: " + code(def.expr.source) + "\n";
    if (!def.group.empty()) out += "- group: `" + def.group + "`\n";
    if (def.derived) out += "- derived from the sources, not quoted\n";
    if (!def.presumption.empty()) out += "- presumption when not recorded: " + flat(def.presumption) + "\n";
  }
  if (def.kind == DefKind::Tree) {
    const TreeDef& t = m.trees[def.extra];
    out += "Asked from the top; each answer leads to the next question or to a state:\n\n";
    tree_words(m, t, t.root, 0, out);
    out += "\n";
  }
  if (def.kind == DefKind::Output) {
    const OutputDef& od = m.outputs[def.extra];
    const auto& codes = m.schema.enums[od.enum_id].values;
    out += "- JSON key: `" + od.key + "`; " + (od.form == OutputForm::Verdict ? "verdict" : "code") + "; codes: ";
    for (size_t i = 0; i < codes.size(); ++i) out += (i ? ", " : "") + std::string("`") + codes[i] + "`";
    out += " (undecided: `" + codes[od.unknown_code] + "`)\n\nDecided by the first rule that holds:\n\n";
    out += "| rule | when | then | evidence |\n|---|---|---|---|\n";
    for (const auto& r : od.rules) {
      std::string then = r.then_code != kNone ? "`" + codes[r.then_code] + "`" : "the value of " + code(r.value.source);
      out += "| `" + r.id + "` | " + (r.otherwise ? std::string("otherwise") : code(flat(r.when.source, true))) +
             " | " + then + " | " + ids(m, r.evidence) + " |\n";
    }
    if (!od.reasons.empty()) {
      out += "\nReasons given with the verdict:\n\n| code | for | when | text | evidence |\n|---|---|---|---|---|\n";
      for (const auto& r : od.reasons) {
        std::string fr;
        for (size_t i = 0; i < codes.size() && i < 64; ++i) {
          if ((r.for_mask >> i) & 1U) fr += (fr.empty() ? "" : ", ") + codes[i];
        }
        out += "| `" + r.code + "` | " + fr + " | " + code(flat(r.when.source, true)) + " | " + flat(r.text, true) +
               " | " + ids(m, r.evidence) + " |\n";
      }
    }
    if (!od.site_evidence.empty()) {
      out += "\nEvidence listed per site present:\n\n| when | evidence |\n|---|---|\n";
      for (const auto& s : od.site_evidence)
        out += "| " + code(flat(s.when.source, true)) + " | " + ids(m, s.evidence) + " |\n";
    }
    if (!od.notes.empty()) {
      out += "\nNotes (they do not change the verdict):\n\n| code | when | text | evidence |\n|---|---|---|---|\n";
      for (const auto& r : od.notes) {
        out += "| `" + r.code + "` | " + code(flat(r.when.source, true)) + " | " + flat(r.text, true) + " | " +
               ids(m, r.evidence) + " |\n";
      }
    }
    out += "\n";
  }
  out += "- evidence: " + ids(m, def.evidence) + "\n";
  std::string u = used_by(m, d);
  if (def.kind != DefKind::Output && !u.empty()) out += "- used by: " + u + "\n";
  out += "- defined at " + where(def.origin) + "\n";
  return out;
}

std::string param_section(const RuleSetModel& m, const ParamDef& p) {
  std::string out = "### `" + p.id + "` (parameter)\n\n";
  out += "- value: `" + flat(p.source_text) + "`" + (p.unit.empty() ? "" : " " + p.unit) + "\n";
  if (!p.description.empty()) out += "- " + flat(p.description) + "\n";
  out += "- evidence: " + ids(m, p.evidence) + "\n- defined at " + where(p.origin) + "\n";
  return out;
}

std::string evidence_section(const RuleSetModel& m, const EvidenceDef& e) {
  (void)m;
  std::string out = "### `" + e.id + "` (evidence)\n\n" + flat(e.citation) + "\n\n";
  out += "- " + identifier(e) + "\n- design: " + flat(e.design) + " (level " + e.level + ")\n- " + flags(e) + "\n";
  if (!e.sites.empty()) {
    out += "- sites:";
    for (const auto& s : e.sites) out += " " + s;
    out += "\n";
  }
  for (const auto& [k, v] : e.figures) out += "- " + humanize(k) + ": " + flat(v) + "\n";
  if (!e.note.empty()) out += "- note: " + flat(e.note) + "\n";
  out += "- defined at " + where(e.origin) + "\n";
  return out;
}

std::string reference(const RuleSetModel& m) {
  std::string out;
  out += "# Clinical rules reference: " + m.manifest.id + " " + m.manifest.version + "\n\n";
  out +=
      "<!-- Generated by `oligoscreen rules doc` from the rule set built into oligoscreen; do not edit.\n"
      "     Regenerate: cmake --build --preset default --target rules-reference -->\n\n";
  out += flat(m.manifest.title) + "\n\n";
  out += "- rule set `" + m.manifest.id + "` version " + m.manifest.version + ", status " + m.manifest.status +
         ", last review " + m.manifest.last_review + "\n";
  out += "- sha256 `" + m.sha256 + "`\n\n";
  if (!m.manifest.description.empty()) out += flat(m.manifest.description) + "\n\n";
  out +=
      "Contents: [outputs](#outputs), [criteria](#criteria), [classification tree](#classification-tree), "
      "[facts](#facts), [parameters](#parameters), [evidence](#evidence).\n\n";

  out += "## Outputs\n\nIn the order of the result.\n\n";
  for (uint32_t o = 0; o < m.outputs.size(); ++o) out += def_section(m, m.output_defs[o], "###") + "\n";

  out += "## Criteria\n\nBy group; each criterion is true, false or unknown (three-valued logic).\n\n";
  std::vector<std::string> groups;
  for (const auto& d : m.defs) {
    if (d.kind == DefKind::Criterion && std::find(groups.begin(), groups.end(), d.group) == groups.end()) {
      groups.push_back(d.group);
    }
  }
  for (const auto& g : groups) {
    out += "### Group `" + (g.empty() ? std::string("(none)") : g) +
           "`\n\n| criterion | title | rule | evidence |\n"
           "|---|---|---|---|\n";
    for (const auto& d : m.defs) {
      if (d.kind != DefKind::Criterion || d.group != g) continue;
      out += "| `" + d.id + "` | " + flat(d.title, true) + (d.derived ? " (derived)" : "") + " | " +
             code(flat(d.expr.source, true)) + " | " + ids(m, d.evidence) + " |\n";
    }
    out += "\n";
  }

  out += "## Classification tree\n\n";
  for (uint32_t d = 0; d < m.defs.size(); ++d) {
    if (m.defs[d].kind == DefKind::Tree) out += def_section(m, d, "###") + "\n";
  }

  out +=
      "## Facts\n\nDerived from the case, used by the criteria and the tree.\n\n| fact | title | rule | evidence |\n"
      "|---|---|---|---|\n";
  for (const auto& d : m.defs) {
    if (d.kind != DefKind::Fact) continue;
    out += "| `" + d.id + "` | " + flat(d.title, true) + " | " + code(flat(d.expr.source, true)) + " | " +
           ids(m, d.evidence) + " |\n";
  }

  out +=
      "\n## Parameters\n\nA centre may change them in its own copy of the rules; the result then carries that "
      "copy's hash.\n\n| parameter | value | description | evidence |\n|---|---|---|---|\n";
  for (const auto& p : m.params) {
    out += "| `" + p.id + "` | `" + flat(p.source_text, true) + "`" + (p.unit.empty() ? "" : " " + p.unit) + " | " +
           flat(p.description, true) + " | " + ids(m, p.evidence) + " |\n";
  }

  out +=
      "\n## Evidence\n\n| id | study | design | level | sarcoma | metastatic | in review | verified | "
      "identifier |\n|---|---|---|---|---|---|---|---|---|\n";
  auto yn = [](bool b) { return std::string(b ? "yes" : "no"); };
  for (const auto& e : m.evidence) {
    out += "| `" + e.id + "` | " + flat(e.citation, true) + " | " + flat(e.design, true) + " | " + e.level + " | " +
           yn(e.sarcoma_specific) + " | " + yn(e.metastatic_setting) + " | " + yn(e.in_review) + " | " +
           yn(e.verified) + " | " + flat(identifier(e), true) + " |\n";
  }
  out += "\nThese rules support, and do not replace, the judgement of a multidisciplinary tumour board.\n";
  return out;
}

std::string listing(const RuleSetModel& m) {
  std::string out = "Rule set " + m.manifest.id + " " + m.manifest.version + " (sha256 " + m.sha256.substr(0, 12) +
                    "). Run 'oligoscreen rules show ID' for one entry.\n";
  for (DefKind k : {DefKind::Output, DefKind::Criterion, DefKind::Tree, DefKind::Fact}) {
    out += "\n" + (k == DefKind::Criterion ? std::string("criteria") : kind_name(k) + "s") + ":\n";
    for (const auto& d : m.defs) {
      if (d.kind == k) out += "  " + d.id + (d.group.empty() ? "" : " [" + d.group + "]") + "\n";
    }
  }
  out += "\nparameters:\n";
  for (const auto& p : m.params) out += "  " + p.id + "\n";
  out += "\nevidence:\n";
  for (const auto& e : m.evidence) out += "  " + e.id + "\n";
  return out;
}

// A folder holding a rule set (its manifest), as opposed to an entry id.
bool is_rule_set_dir(const std::string& arg) {
  std::error_code ec;
  return std::filesystem::is_regular_file(std::filesystem::path(arg) / "manifest.yaml", ec);
}

}  // namespace

int rules_show(int argc, char** argv) {
  cxxopts::Options opts("oligoscreen rules show",
                        "Print a criterion, fact, tree, output, parameter or evidence entry.");
  opts.positional_help("[DIR] [ID...]");
  opts.add_options()("rules", "rule set folder (default: built in)", cxxopts::value<std::string>())(
      "log-level", "stderr log level: trace, debug, info, warn, error, off",
      cxxopts::value<std::string>()->default_value("warn"))("h,help", "show this help")(
      "id", "", cxxopts::value<std::vector<std::string>>());
  opts.parse_positional({"id"});
  cxxopts::ParseResult args;
  try {
    args = opts.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::fprintf(stderr, "oligoscreen rules show: %s\n", e.what());
    return kUsage;
  }
  if (args.count("help")) {
    std::printf(
        "%s\nExamples:\n  oligoscreen rules show              every id, by kind\n"
        "  oligoscreen rules show sbrt_ecog     one criterion in words\n"
        "  oligoscreen rules show estro_eortc_tree\n"
        "  oligoscreen rules show my-rules/ sbrt   an entry of the rule set in a folder\n",
        opts.help().c_str());
    return kOk;
  }
  if (!set_log_level(args["log-level"].as<std::string>())) {
    std::fprintf(stderr, "oligoscreen rules show: unknown --log-level '%s'\n",
                 args["log-level"].as<std::string>().c_str());
    return kUsage;
  }
  // spec/cli.md: `rules show [DIR|ID]`: a first argument that is a folder names the rule set; so
  // does one with a '/' (no id has one), so that a wrong folder is a rules error, not an unknown id.
  std::vector<std::string> wanted;
  if (args.count("id")) wanted = args["id"].as<std::vector<std::string>>();
  std::string dir = args.count("rules") ? args["rules"].as<std::string>() : "";
  if (dir.empty() && !wanted.empty() &&
      (is_rule_set_dir(wanted.front()) || wanted.front().find('/') != std::string::npos)) {
    dir = wanted.front();
    wanted.erase(wanted.begin());
  }
  auto m = load_rules(dir);
  if (!m) return kRulesError;
  if (wanted.empty()) return write_stdout(listing(*m)) ? kOk : kIoError;
  std::string out;
  for (const auto& id : wanted) {
    if (!out.empty()) out += "\n";
    if (int d = m->find_def(id); d >= 0) {
      out += def_section(*m, static_cast<uint32_t>(d), "##");
    } else if (int p = m->find_param(id); p >= 0) {
      out += param_section(*m, m->params[static_cast<size_t>(p)]);
    } else if (int e = m->find_evidence(id); e >= 0) {
      out += evidence_section(*m, m->evidence[static_cast<size_t>(e)]);
    } else {
      std::fprintf(stderr,
                   "oligoscreen rules show: no criterion, fact, tree, output, parameter or evidence '%s' "
                   "(run 'oligoscreen rules show' for the list)\n",
                   id.c_str());
      return kUsage;
    }
  }
  return write_stdout(out) ? kOk : kIoError;
}

int rules_doc(int argc, char** argv) {
  cxxopts::Options opts("oligoscreen rules doc", "Write the rule set's reference as Markdown.");
  opts.add_options()("rules", "rule set folder (default: built in)", cxxopts::value<std::string>())(
      "o,output", "write to FILE instead of standard output", cxxopts::value<std::string>())(
      "log-level", "stderr log level: trace, debug, info, warn, error, off",
      cxxopts::value<std::string>()->default_value("warn"))("h,help", "show this help")("dir", "",
                                                                                        cxxopts::value<std::string>());
  opts.parse_positional({"dir"});
  opts.positional_help("[DIR]");
  cxxopts::ParseResult args;
  try {
    args = opts.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::fprintf(stderr, "oligoscreen rules doc: %s\n", e.what());
    return kUsage;
  }
  if (args.count("help")) {
    std::printf("%s\nExample:\n  oligoscreen rules doc -o docs/clinical-rules-reference.md\n", opts.help().c_str());
    return kOk;
  }
  if (!set_log_level(args["log-level"].as<std::string>())) {
    std::fprintf(stderr, "oligoscreen rules doc: unknown --log-level '%s'\n",
                 args["log-level"].as<std::string>().c_str());
    return kUsage;
  }
  if (!args.unmatched().empty()) {
    std::fprintf(stderr, "oligoscreen rules doc: unexpected argument '%s' (one rule set folder: DIR or --rules DIR)\n",
                 args.unmatched().front().c_str());
    return kUsage;
  }
  if (args.count("dir") && args.count("rules")) {
    std::fprintf(stderr, "oligoscreen rules doc: give the rule set folder once (DIR or --rules DIR)\n");
    return kUsage;
  }
  // spec/cli.md: `rules doc [DIR]`, like check and test; --rules DIR is the same.
  auto m = load_rules(args.count("dir")     ? args["dir"].as<std::string>()
                      : args.count("rules") ? args["rules"].as<std::string>()
                                            : "");
  if (!m) return kRulesError;
  std::string text = reference(*m);
  if (!args.count("output")) return write_stdout(text) ? kOk : kIoError;
  std::string path = args["output"].as<std::string>();
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) {
    std::fprintf(stderr, "oligoscreen rules doc: cannot write '%s'\n", path.c_str());
    return kIoError;
  }
  return kOk;
}

}  // namespace oligoscreen::cli
