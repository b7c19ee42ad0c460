// oligoscreen rules check|test|show|doc|eval
#include <cxxopts.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "api/screen.hpp"
#include "cli_common.hpp"
#include "core/date.hpp"
#include "eval/evaluator.hpp"
#include "eval/specialize.hpp"
#include "expr/parser.hpp"
#include "json/json_writer.hpp"
#include "rules/checker.hpp"
#include "rules/doc_access.hpp"
#include "rules/loader.hpp"
#include "rules_doc.hpp"
#include "tools.hpp"
#include "yaml/yaml_reader.hpp"

namespace oligoscreen::cli {
namespace {

using namespace oligoscreen::detail;

void rules_usage(FILE* out) {
  std::fprintf(out,
               "usage: oligoscreen rules <action> [options]\n"
               "\n"
               "actions:\n"
               "  check [DIR]            load and check a rule set; print its id, version, hash and counts\n"
               "  test [DIR]             run the rule set's test cases; report pass/fail and coverage\n"
               "  show [DIR] [ID]        print a criterion, fact, tree, output, parameter or evidence entry\n"
               "  doc [DIR] [-o FILE]    write the rule set's reference as Markdown\n"
               "  eval EXPR [--case FILE] [--rules DIR]\n"
               "                         type-check and evaluate one expression; first line: the value\n"
               "\n"
               "Without DIR (or --rules DIR) the rule set built into oligoscreen is used.\n"
               "Every action takes --log-level LEVEL (stderr; default warn).\n"
               "Exit codes: 0 ok, 1 test failures, 2 usage, 3 rules error, 4 I/O failure.\n");
}

// Applies --log-level (every command takes it, spec/cli.md); false after printing a usage error.
bool apply_log_level(const cxxopts::ParseResult& args, const char* tool) {
  const std::string level = args["log-level"].as<std::string>();
  if (set_log_level(level)) return true;
  std::fprintf(stderr, "%s: unknown --log-level '%s'\n", tool, level.c_str());
  return false;
}

// The rule set folder of `rules check|test`: DIR or --rules DIR (spec/cli.md), at most once, and
// nothing else positional. False after printing a usage error.
bool rule_set_folder(const cxxopts::ParseResult& args, const char* tool, std::string& dir) {
  if (!args.unmatched().empty()) {
    std::fprintf(stderr, "%s: unexpected argument '%s' (one rule set folder: DIR or --rules DIR)\n", tool,
                 args.unmatched().front().c_str());
    return false;
  }
  if (args.count("dir") && args.count("rules")) {
    std::fprintf(stderr, "%s: give the rule set folder once (DIR or --rules DIR)\n", tool);
    return false;
  }
  dir = args.count("dir") ? args["dir"].as<std::string>() : args.count("rules") ? args["rules"].as<std::string>() : "";
  return true;
}

std::shared_ptr<RuleSetModel> load_mutable(const std::string& dir, Diagnostics& diags) {
  if (dir.empty()) return load_embedded_rules(diags);
  DirRuleFiles files(dir);
  return load_rule_set(files, diags);
}

int rules_check(int argc, char** argv) {
  cxxopts::Options opts("oligoscreen rules check", "Load and check a rule set, reporting every mistake.");
  opts.add_options()("h,help", "show this help")("log-level", "stderr log level",
                                                 cxxopts::value<std::string>()->default_value("warn"))(
      "rules", "rule set folder (the same as DIR; default: built in)", cxxopts::value<std::string>())(
      "dir", "", cxxopts::value<std::string>());
  opts.parse_positional({"dir"});
  opts.positional_help("[DIR]");
  cxxopts::ParseResult args;
  try {
    args = opts.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::fprintf(stderr, "oligoscreen rules check: %s\n", e.what());
    return kUsage;
  }
  if (args.count("help")) {
    std::printf("%s\n", opts.help().c_str());
    return kOk;
  }
  if (!apply_log_level(args, "oligoscreen rules check")) return kUsage;
  std::string dir;
  if (!rule_set_folder(args, "oligoscreen rules check", dir)) return kUsage;
  Diagnostics diags;
  auto m = load_mutable(dir, diags);
  std::string label = dir.empty() ? std::string(embedded_rules_label()) + " (built in)" : dir;
  if (!m) {
    std::fputs(diags.render().c_str(), stdout);
    std::printf("%s: %zu error%s, %zu warning%s\n", label.c_str(), diags.error_count(),
                diags.error_count() == 1 ? "" : "s", diags.warning_count(), diags.warning_count() == 1 ? "" : "s");
    return kRulesError;
  }
  std::fputs(diags.render().c_str(), stdout);
  size_t facts = 0, criteria = 0, nodes = 0, leaves = 0, rules = 0;
  for (const auto& d : m->defs) {
    facts += d.kind == DefKind::Fact;
    criteria += d.kind == DefKind::Criterion;
  }
  for (const auto& t : m->trees) {
    nodes += t.nodes.size();
    leaves += t.leaves.size();
  }
  for (const auto& o : m->outputs) rules += o.rules.size();
  std::printf("%s: ok\n", label.c_str());
  std::printf("  id        %s\n  version   %s\n  status    %s\n  title     %s\n  sha256    %s\n",
              m->manifest.id.c_str(), m->manifest.version.c_str(), m->manifest.status.c_str(),
              m->manifest.title.c_str(), m->sha256.c_str());
  std::printf(
      "  counts    %zu fields, %zu parameters, %zu evidence entries, %zu facts, %zu criteria,\n"
      "            %zu tree%s (%zu questions, %zu leaves), %zu outputs (%zu decision rules), %zu warnings, "
      "%zu constraints\n",
      m->schema.fields.size(), m->params.size(), m->evidence.size(), facts, criteria, m->trees.size(),
      m->trees.size() == 1 ? "" : "s", nodes, leaves, m->outputs.size(), rules, m->warnings.size(),
      m->constraints.size());
  std::printf("  warnings  %zu\n", diags.warning_count());
  return kOk;
}

// Prints a value as `rules eval` does: true, false, unknown, 2.5, 2024-08-31, 2024-08, [a, b].
std::string eval_text(const RuleSetModel& m, const Value& v) {
  switch (v.kind) {
    case VKind::Unknown:
      return "unknown";
    case VKind::Bool:
      return v.b ? "true" : "false";
    case VKind::Number:
      return format_number(v.num);
    case VKind::Text:
      return std::string(v.str());
    case VKind::Date:
      return format_date(DateRange{v.date.lo, v.date.hi});
    case VKind::Enum:
      return m.schema.enums[v.enum_id].values[v.e];
    case VKind::List: {
      std::string s = "[";
      for (uint32_t i = 0; i < v.list.count; ++i) {
        if (i) s += ", ";
        s += eval_text(m, v.list.items[i]);
      }
      return s + "]";
    }
    case VKind::Record:
      return "(record)";
  }
  return "";
}

int rules_eval(int argc, char** argv) {
  cxxopts::Options opts("oligoscreen rules eval", "Type-check and evaluate one expression of the rule language.");
  opts.add_options()("case", "evaluate against this case (YAML or JSON)", cxxopts::value<std::string>())(
      "rules", "rule set folder (default: built in)", cxxopts::value<std::string>())("h,help", "show this help")(
      "log-level", "stderr log level", cxxopts::value<std::string>()->default_value("warn"))(
      "expr", "", cxxopts::value<std::string>());
  opts.parse_positional({"expr"});
  opts.positional_help("EXPR");
  cxxopts::ParseResult args;
  try {
    args = opts.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::fprintf(stderr, "oligoscreen rules eval: %s\n", e.what());
    return kUsage;
  }
  if (args.count("help")) {
    std::printf("%s\n", opts.help().c_str());
    std::printf(
        "Examples:\n  oligoscreen rules eval 'false and unknown'\n"
        "  oligoscreen rules eval 'add_months(@2024-08-31, 6)'\n"
        "  oligoscreen rules eval 'synchronous' --case examples/cases/lms-lung-metachronous.yaml\n"
        "\nPrints the value on the first line, then its type and, when unknown, the fields it needs.\n");
    return kOk;
  }
  if (!apply_log_level(args, "oligoscreen rules eval")) return kUsage;
  if (!args.count("expr")) {
    std::fprintf(stderr,
                 "oligoscreen rules eval: no expression given\nusage: oligoscreen rules eval EXPR [--case FILE] "
                 "[--rules DIR]\n");
    return kUsage;
  }
  // One string positional (a vector option would split the expression at its commas); further
  // words are joined with spaces: `rules eval age '>=' 18`.
  std::string expr = args["expr"].as<std::string>();
  for (const auto& part : args.unmatched()) expr += " " + part;
  Diagnostics diags;
  auto m = load_mutable(args.count("rules") ? args["rules"].as<std::string>() : "", diags);
  if (!m) {
    std::fputs(diags.render().c_str(), stderr);
    return kRulesError;
  }
  Diagnostics ediags;
  ediags.add_source("<expr>", expr);
  ParseIssue issue;
  uint32_t root = parse_expression(expr, m->pool, issue);
  if (root == kNone) {
    ediags.error("<expr>", Pos{1, issue.offset + 1, issue.offset}, issue.message);
    std::fputs(ediags.render().c_str(), stderr);
    return kUsage;
  }
  Type t = check_standalone(*m, root, "<expr>", expr, ediags);
  if (ediags.has_errors()) {
    std::fputs(ediags.render().c_str(), stderr);
    return kUsage;
  }
  specialize(*m);  // the new nodes need their evaluation form
  auto result = std::make_unique<CaseResult>();
  result->patient.reset(m->schema.fields.size());
  if (args.count("case")) {
    std::string file = args["case"].as<std::string>();
    auto text = read_input(file);
    if (!text) return kIoError;
    CaseOptions copt;
    copt.what_if = false;
    screen_case(*m, file, *text, detect_case_format(file, *text), copt, *result);
    if (!result->ok) {
      for (const auto& e : result->errors) {
        std::fprintf(stderr, "%s: error: %s [%s]\n", format_location(file, e.pos).c_str(), e.message.c_str(),
                     e.kind.c_str());
      }
      return kInputErrors;
    }
  }
  EvalState state;
  prepare_state(*m, state);
  Evaluator ev(*m, result->patient, state);
  Value v = ev.eval(root);
  std::string out = eval_text(*m, v) + "\n";
  out += "type: " + type_name(*m, t) + "\n";
  if (v.kind == VKind::Unknown) {
    out += "unknown because of: [";
    if (v.why) {
      for (uint32_t i = 0; i < v.why->size; ++i) out += (i ? ", " : "") + field_path(m->schema, v.why->refs[i]);
    }
    out += "]\n";
  }
  return write_stdout(out) ? kOk : kIoError;
}

// ---- rules test ----

struct Coverage {
  std::vector<uint8_t> crit;  // per def: bit0 true, bit1 false, bit2 unknown
  std::vector<uint64_t> rules;
  std::vector<uint64_t> branches;
};

std::vector<std::string> code_list(DocAccess& a, uint32_t n) {
  std::vector<std::string> out;
  if (!n) return out;
  if (auto v = a.text_list(n, "list")) out = *v;
  return out;
}

int rules_test(int argc, char** argv) {
  cxxopts::Options opts("oligoscreen rules test", "Run the test cases that travel with a rule set.");
  opts.add_options()("h,help", "show this help")("v,verbose", "print every case, not only failures")(
      "log-level", "stderr log level", cxxopts::value<std::string>()->default_value("warn"))(
      "rules", "rule set folder (the same as DIR; default: built in)", cxxopts::value<std::string>())(
      "dir", "", cxxopts::value<std::string>());
  opts.parse_positional({"dir"});
  opts.positional_help("[DIR]");
  cxxopts::ParseResult args;
  try {
    args = opts.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::fprintf(stderr, "oligoscreen rules test: %s\n", e.what());
    return kUsage;
  }
  if (args.count("help")) {
    std::printf("%s\n", opts.help().c_str());
    return kOk;
  }
  if (!apply_log_level(args, "oligoscreen rules test")) return kUsage;
  std::string dir;
  if (!rule_set_folder(args, "oligoscreen rules test", dir)) return kUsage;
  bool verbose = args.count("verbose") > 0;
  Diagnostics diags;
  std::unique_ptr<RuleFiles> files;
  if (dir.empty()) {
    files = std::make_unique<MemoryRuleFiles>(embedded_rules_label(), embedded_rule_files());
  } else {
    files = std::make_unique<DirRuleFiles>(dir);
  }
  auto m = load_rule_set(*files, diags);
  if (!m) {
    std::fputs(diags.render().c_str(), stderr);
    return kRulesError;
  }
  std::string tests_dir = m->manifest.tests_dir.empty() ? "tests" : m->manifest.tests_dir;
  auto test_files = files->list(tests_dir);
  if (test_files.empty()) {
    std::fprintf(stderr, "oligoscreen rules test: no test files in %s\n", files->display(tests_dir).c_str());
    return kInputErrors;
  }
  Coverage cov;
  cov.crit.assign(m->defs.size(), 0);
  cov.rules.assign(m->outputs.size(), 0);
  cov.branches.assign(m->trees.size(), 0);
  size_t passed = 0, failed = 0;
  auto result = std::make_unique<CaseResult>();
  for (const auto& rel : test_files) {
    std::string text, err;
    std::string name = files->display(rel);
    if (!files->read(rel, text, err)) {
      std::printf("FAIL %s: %s\n", name.c_str(), err.c_str());
      ++failed;
      continue;
    }
    Diagnostics td;
    td.add_source(name, text);
    Doc doc;
    if (!read_yaml(name, text, YamlLimits{}, doc, td) || doc.empty()) {
      std::fputs(td.render().c_str(), stdout);
      std::printf("FAIL %s: the test file could not be read\n", name.c_str());
      ++failed;
      continue;
    }
    DocAccess a(doc, name, td);
    uint32_t cases = a.get(doc.root(), "cases", true, "test file");
    if (!cases || !a.expect_seq(cases, "cases")) {
      std::fputs(td.render().c_str(), stdout);
      ++failed;
      continue;
    }
    for (uint32_t c : doc.items(cases)) {
      std::vector<std::string> problems;
      std::string cname = "(unnamed)";
      if (!a.expect_map(c, "a test case")) {
        ++failed;
        continue;
      }
      a.check_keys(c, {"name", "patient", "expect", "note"}, "a test case");
      if (uint32_t n = a.get(c, "name")) {
        if (auto v = a.text(n, "name")) cname = *v;
      }
      uint32_t patient = a.get(c, "patient", true, "test case");
      uint32_t expect = a.get(c, "expect", true, "test case");
      std::string where = format_location(name, doc.node(c).pos);
      if (!patient || !expect || !doc.node(expect).is_map()) {
        problems.push_back("needs 'patient' and an 'expect' mapping");
      } else {
        CaseOptions copt;
        copt.explain = true;
        copt.what_if = false;
        screen_doc(*m, name, doc, patient, false, copt, *result);
        uint32_t want_error = a.get(expect, "error");
        if (want_error) {
          std::string kind(doc.node(want_error).text);
          std::string field;
          if (uint32_t f = a.get(expect, "field")) field = std::string(doc.node(f).text);
          if (result->ok) {
            problems.push_back("expected an error of kind " + kind + ", got a result");
          } else {
            bool found = std::any_of(result->errors.begin(), result->errors.end(), [&](const InputError& e) {
              return e.kind == kind && (field.empty() || e.field == field);
            });
            if (!found) {
              std::string got;
              for (const auto& e : result->errors)
                got += (got.empty() ? "" : "; ") + e.kind + " " + e.field + ": " + e.message;
              problems.push_back("expected error " + kind + (field.empty() ? "" : " on " + field) + ", got " + got);
            }
          }
        } else if (!result->ok) {
          std::string got;
          for (const auto& e : result->errors)
            got += (got.empty() ? "" : "; ") + e.kind + " " + e.field + ": " + e.message;
          problems.push_back("unexpected input error: " + got);
        } else {
          const Assessment& as = result->assessment;
          for (const auto& e : doc.entries(expect)) {
            std::string key(doc.node(e.key).text);
            if (key == "missing" || key == "reasons" || key == "warnings" || key == "error" || key == "field") continue;
            int o = m->find_output(key);
            if (o < 0) {
              problems.push_back("unknown expectation '" + key + "'");
              continue;
            }
            std::string want(doc.node(e.value).text);
            const auto& codes = m->schema.enums[m->outputs[static_cast<size_t>(o)].enum_id].values;
            std::string got = codes[as.outputs[static_cast<size_t>(o)].code];
            if (want != got) problems.push_back(key + ": expected " + want + ", got " + got);
          }
          if (uint32_t mn = a.get(expect, "missing"); mn || doc.find(expect, "missing")) {
            std::set<std::string> want;
            for (const auto& s : code_list(a, mn)) want.insert(s);
            std::set<std::string> got;
            for (const auto& mf : as.missing) got.insert(field_path(m->schema, mf.ref));
            if (want != got) {
              std::string w, g;
              for (const auto& s : want) w += (w.empty() ? "" : ", ") + s;
              for (const auto& s : got) g += (g.empty() ? "" : ", ") + s;
              problems.push_back("missing: expected [" + w + "], got [" + g + "]");
            }
          }
          if (uint32_t rn = a.get(expect, "reasons")) {
            std::set<std::string> got;
            for (const auto& o : as.outputs) {
              for (const auto& r : o.reasons) got.insert(r.def ? r.def->code : "presumption_" + r.presumption->id);
              for (const auto& r : o.notes) got.insert(r.def->code);
            }
            for (const auto& s : code_list(a, rn)) {
              if (!got.count(s)) problems.push_back("reason " + s + " expected, not given");
            }
          }
          if (uint32_t wn = a.get(expect, "warnings"); wn || doc.find(expect, "warnings")) {
            std::multiset<std::string> want, got;
            for (const auto& s : code_list(a, wn)) want.insert(s);
            for (const auto& w : as.warnings) got.insert(w.code);
            if (want != got) problems.push_back("warnings differ");
          }
          for (size_t d = 0; d < as.defs.size(); ++d) {
            const Value& v = as.defs[d].value;
            cov.crit[d] |= v.kind == VKind::Unknown ? 4 : (v.kind == VKind::Bool ? (v.b ? 1 : 2) : 0);
          }
          for (size_t o = 0; o < as.rules_reached.size(); ++o) cov.rules[o] |= as.rules_reached[o];
          for (size_t t = 0; t < as.tree_branches_reached.size(); ++t) cov.branches[t] |= as.tree_branches_reached[t];
        }
      }
      if (td.has_errors()) {
        std::fputs(td.render().c_str(), stdout);
        problems.push_back("malformed test case");
      }
      if (problems.empty()) {
        ++passed;
        if (verbose) std::printf("PASS %s  %s\n", where.c_str(), cname.c_str());
      } else {
        ++failed;
        std::printf("FAIL %s  %s\n", where.c_str(), cname.c_str());
        for (const auto& p : problems) std::printf("       %s\n", p.c_str());
      }
    }
  }
  // Coverage.
  size_t crit_total = 0, crit_full = 0;
  std::vector<std::string> partial;
  for (size_t d = 0; d < m->defs.size(); ++d) {
    if (m->defs[d].kind != DefKind::Criterion) continue;
    ++crit_total;
    // A criterion that reads only presumed fields (through known()) cannot be unknown.
    const Def& cd = m->defs[d];
    bool never_unknown =
        !cd.presumes.empty() && std::all_of(cd.field_reads.begin(), cd.field_reads.end(), [&](FieldRef r) {
          return std::find(cd.presumes.begin(), cd.presumes.end(), ref_slot(r)) != cd.presumes.end();
        });
    uint8_t want = never_unknown ? 3 : 7;
    if ((cov.crit[d] & want) == want) {
      ++crit_full;
    } else {
      std::string miss;
      if (!(cov.crit[d] & 1)) miss += " true";
      if (!(cov.crit[d] & 2)) miss += " false";
      if (!(cov.crit[d] & 4)) miss += " unknown";
      partial.push_back(m->defs[d].id + " never" + miss);
    }
  }
  size_t br_total = 0, br_hit = 0;
  std::vector<std::string> missed_branches;
  for (size_t t = 0; t < m->trees.size(); ++t) {
    const auto& tree = m->trees[t];
    for (size_t n = 0; n < tree.nodes.size() && n < 32; ++n) {
      for (int ans = 0; ans < 2; ++ans) {
        ++br_total;
        if ((cov.branches[t] >> (2 * n + ans)) & 1U) {
          ++br_hit;
        } else {
          missed_branches.push_back(tree.nodes[n].id + (ans ? " yes" : " no"));
        }
      }
    }
  }
  size_t rule_total = 0, rule_hit = 0;
  std::vector<std::string> missed_rules;
  for (size_t o = 0; o < m->outputs.size(); ++o) {
    for (size_t r = 0; r < m->outputs[o].rules.size() && r < 64; ++r) {
      ++rule_total;
      if ((cov.rules[o] >> r) & 1U) {
        ++rule_hit;
      } else {
        missed_rules.push_back(m->outputs[o].rules[r].id);
      }
    }
  }
  auto pct = [](size_t a, size_t b) {
    return b == 0 ? 100.0 : 100.0 * static_cast<double>(a) / static_cast<double>(b);
  };
  std::printf(
      "\ncoverage: criteria reaching true, false and unknown %zu/%zu (%.0f%%); tree branches %zu/%zu (%.0f%%); "
      "decision rules %zu/%zu (%.0f%%)\n",
      crit_full, crit_total, pct(crit_full, crit_total), br_hit, br_total, pct(br_hit, br_total), rule_hit, rule_total,
      pct(rule_hit, rule_total));
  for (const auto& p : partial) std::printf("  criterion %s\n", p.c_str());
  for (const auto& b : missed_branches) std::printf("  tree branch %s never taken\n", b.c_str());
  for (const auto& r : missed_rules) std::printf("  decision rule %s never decided\n", r.c_str());
  std::printf("%zu passed, %zu failed\n", passed, failed);
  return failed == 0 ? kOk : kInputErrors;
}

}  // namespace

int tool_rules(int argc, char** argv) {
  if (argc < 2) {
    rules_usage(stderr);
    return kUsage;
  }
  std::string action = argv[1];
  if (action == "--help" || action == "-h" || action == "help") {
    rules_usage(stdout);
    return kOk;
  }
  std::string name = "oligoscreen rules " + action;
  argv[1] = name.data();
  if (action == "check") return rules_check(argc - 1, argv + 1);
  if (action == "test") return rules_test(argc - 1, argv + 1);
  if (action == "eval") return rules_eval(argc - 1, argv + 1);
  if (action == "show") return rules_show(argc - 1, argv + 1);
  if (action == "doc") return rules_doc(argc - 1, argv + 1);
  std::fprintf(stderr, "oligoscreen rules: unknown action '%s'\n\n", action.c_str());
  rules_usage(stderr);
  return kUsage;
}

}  // namespace oligoscreen::cli
