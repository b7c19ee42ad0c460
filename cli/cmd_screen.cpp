// oligoscreen screen CASE… : one report (or JSON result) per case, then an overview line each.
#include <cxxopts.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "api/screen.hpp"
#include "cli_common.hpp"
#include "fhir_input.hpp"
#include "guided.hpp"
#include "result/report.hpp"
#include "tools.hpp"

namespace oligoscreen::cli {

namespace fs = std::filesystem;

namespace {

// Expands folders into their case files (sorted), keeping the order given otherwise.
std::vector<std::string> expand_cases(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::error_code ec;
    if (a != "-" && fs::is_directory(a, ec)) {
      std::vector<std::string> found;
      for (const auto& e : fs::directory_iterator(a, ec)) {
        auto ext = e.path().extension().string();
        if (e.is_regular_file(ec) && (ext == ".yaml" || ext == ".yml" || ext == ".json"))
          found.push_back(e.path().string());
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(a);
    }
  }
  return out;
}

std::string overview_line(const detail::RuleSetModel& m, const std::string& file, const detail::CaseResult& r) {
  if (!r.ok) {
    std::string kind = r.errors.empty() ? "error" : r.errors.front().kind;
    return file + ": not screened (" + std::to_string(r.errors.size()) + " input error" +
           (r.errors.size() == 1 ? "" : "s") + ", first: " + kind + ")";
  }
  std::string s = r.patient.id + " (" + file + "):";
  for (uint32_t o = 0; o < m.outputs.size(); ++o) {
    const auto& res = r.assessment.outputs[o];
    s += " " + m.defs[m.output_defs[o]].id + "=" + m.schema.enums[m.outputs[o].enum_id].values[res.code];
  }
  if (!r.assessment.missing.empty()) {
    s += " missing:";
    for (size_t i = 0; i < r.assessment.missing.size(); ++i) {
      s += (i ? ", " : " ") + detail::field_path(m.schema, r.assessment.missing[i].ref);
    }
  }
  return s;
}

}  // namespace

int tool_screen(int argc, char** argv) {
  cxxopts::Options opts("oligoscreen screen", "Screen tumour-board cases for oligometastatic disease and SBRT.");
  opts.custom_help("[options]");
  opts.positional_help("CASE... (files, folders, or - for standard input)");
  // clang-format off
  opts.add_options()
    ("format", "output: text, markdown, html or json", cxxopts::value<std::string>()->default_value("text"))
    ("explain", "add the full trace: every criterion, its rule, the values read and where")
    ("what-if", "answer what each missing field would change (default)")
    ("no-what-if", "leave out the what-if answers")
    ("ask", "guided mode: ask for each missing field that matters, then offer to save the case")
    ("strict", "unknown fields are errors, not warnings")
    ("rules", "load the rule set from DIR instead of the built-in one", cxxopts::value<std::string>())
    ("pretty", "indent JSON for people")
    ("from", "read each input as: fhir (a FHIR R4 Bundle; docs/fhir-mapping.md)", cxxopts::value<std::string>())
    ("as-of", "with --from fhir: the assessment date YYYY-MM-DD (default: the metastasis diagnosis date)", cxxopts::value<std::string>())
    ("log-level", "stderr log level: trace, debug, info, warn, error, off", cxxopts::value<std::string>()->default_value("warn"))
    ("h,help", "show this help")
    ("cases", "", cxxopts::value<std::vector<std::string>>());
  // clang-format on
  opts.parse_positional({"cases"});
  cxxopts::ParseResult args;
  try {
    args = opts.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::fprintf(stderr, "oligoscreen screen: %s\nRun 'oligoscreen screen --help' for the options.\n", e.what());
    return kUsage;
  }
  if (args.count("help")) {
    std::printf("%s\n", opts.help().c_str());
    std::printf(
        "Examples:\n"
        "  oligoscreen screen examples/cases/lms-lung-metachronous.yaml\n"
        "      the tumour-board report of one case on the terminal\n"
        "  oligoscreen screen --format markdown cases/this-week/ > minutes.md\n"
        "      every case of a folder, one report each and an overview, for the minutes\n"
        "  oligoscreen screen --ask examples/cases/lms-missing-ecog-and-therapy.yaml\n"
        "      ask for the missing data that would change a verdict, then save the completed case\n"
        "  oligoscreen screen --explain case.yaml\n"
        "      the full trace: every criterion, its rule, the values read (file:line:col)\n"
        "\n"
        "Reads YAML or JSON (by extension; for '-', JSON when it starts with '{').\n"
        "A blank case to fill in: 'oligoscreen template > case.yaml'.\n"
        "Colour and symbols only on a terminal, and never when NO_COLOR is set.\n"
        "Exit codes: 0 every case screened, 1 a case could not be read (an error is\n"
        "reported for it), 2 usage, 3 rules error, 4 I/O failure, 5 internal error.\n");
    return kOk;
  }
  if (!set_log_level(args["log-level"].as<std::string>())) {
    std::fprintf(stderr, "oligoscreen screen: unknown --log-level '%s'\n", args["log-level"].as<std::string>().c_str());
    return kUsage;
  }
  if (!args.count("cases")) {
    std::fprintf(stderr, "oligoscreen screen: no case given\nusage: oligoscreen screen [options] CASE...\n");
    return kUsage;
  }
  std::string format = args["format"].as<std::string>();
  if (format != "text" && format != "markdown" && format != "html" && format != "json") {
    std::fprintf(stderr, "oligoscreen screen: --format must be text, markdown, html or json (not '%s')\n",
                 format.c_str());
    return kUsage;
  }
  if (args.count("what-if") && args.count("no-what-if")) {
    std::fprintf(stderr, "oligoscreen screen: --what-if and --no-what-if contradict each other\n");
    return kUsage;
  }
  auto rules = load_rules(args.count("rules") ? args["rules"].as<std::string>() : "");
  if (!rules) return kRulesError;
  // FHIR input (cli/fhir_input.hpp): --from fhir [--as-of DATE].
  std::optional<FhirInput> fhir;
  if (int rc = open_fhir_input(args.count("from") ? args["from"].as<std::string>() : "",
                               args.count("as-of") ? args["as-of"].as<std::string>() : "",
                               args.count("rules") ? args["rules"].as<std::string>() : "", *rules, fhir)) {
    return rc;
  }
  FhirInput* fhir_in = fhir ? &*fhir : nullptr;
  if (fhir_in && args.count("ask")) {
    std::fprintf(stderr, "oligoscreen screen: --ask does not take --from fhir\n");
    return kUsage;
  }

  detail::CaseOptions copt;
  copt.strict = args.count("strict") > 0;
  copt.what_if = args.count("no-what-if") == 0;
  bool explain = args.count("explain") > 0;
  std::vector<std::string> cases = expand_cases(args["cases"].as<std::vector<std::string>>());
  if (cases.empty()) {
    std::fprintf(stderr, "oligoscreen screen: no case files found\n");
    return kIoError;
  }

  if (args.count("ask")) {
    if (cases.size() != 1) {
      std::fprintf(stderr, "oligoscreen screen: --ask takes exactly one case\n");
      return kUsage;
    }
    GuidedOptions g;
    g.screen = copt;
    g.json = format == "json";
    g.pretty = args.count("pretty") > 0;
    g.report.format = format == "markdown" ? detail::ReportFormat::Markdown
                      : format == "html"   ? detail::ReportFormat::Html
                                           : detail::ReportFormat::Text;
    g.report.colour = format == "text" && colour_allowed();
    g.report.unicode = g.report.colour;
    g.report.explain = explain;
    g.report.case_file = cases.front();
    return run_guided(*rules, cases.front(), g);
  }

  int status = kOk;
  std::vector<std::string> overview;
  auto result = std::make_unique<detail::CaseResult>();
  if (format == "html" && cases.size() > 1 &&
      !write_stdout(detail::html_page_begin("oligoscreen: " + std::to_string(cases.size()) + " cases"))) {
    return kIoError;
  }
  for (const auto& file : cases) {
    auto text = read_input(file);
    if (!text) {
      status = std::max(status, static_cast<int>(kIoError));
      overview.push_back(file + ": cannot be read");
      continue;
    }
    std::string label = file == "-" ? "<stdin>" : file;
    auto fmt = detail::detect_case_format(file, *text);
    std::string out;
    if (format == "json") {
      copt.explain = explain;
      screen_input(*rules, fhir_in, label, *text, fmt, copt, *result);
      // With several cases each result names its file (spec/cli.md), as batch does with several inputs.
      detail::case_json(*rules, *result, copt, args.count("pretty") > 0, cases.size() > 1 ? label : "", out);
      finish_json(fhir_in, args.count("pretty") > 0, out);
      out += '\n';
    } else {
      copt.explain = true;  // the report shows paths and checklists
      screen_input(*rules, fhir_in, label, *text, fmt, copt, *result);
      detail::ReportOptions ro;
      ro.format = format == "markdown" ? detail::ReportFormat::Markdown
                  : format == "html"   ? detail::ReportFormat::Html
                                       : detail::ReportFormat::Text;
      ro.colour = format == "text" && colour_allowed();
      ro.unicode = ro.colour;
      ro.explain = explain;
      ro.case_file = label;
      ro.standalone = !(format == "html" && cases.size() > 1);
      if (result->ok) {
        out += detail::render_report(*rules, result->patient, result->assessment, ro);
      } else {
        out += detail::render_error_report(*rules, label, result->errors, ro);
      }
      if (cases.size() > 1 && format != "html") out += "\n";
    }
    if (!result->ok) status = std::max(status, static_cast<int>(kInputErrors));
    overview.push_back(overview_line(*rules, label, *result));
    if (!write_stdout(out)) {
      std::fprintf(stderr, "oligoscreen screen: cannot write the output\n");
      return kIoError;
    }
  }
  if (cases.size() > 1 && format == "html") {
    std::string o = "<section class=case>\n<h2>Overview (" + std::to_string(cases.size()) + " cases)</h2>\n<ul>\n";
    for (const auto& l : overview) {
      o += "<li>";
      for (char c : l) o += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
      o += "</li>\n";
    }
    o += "</ul>\n</section>\n" + detail::html_page_end();
    if (!write_stdout(o)) return kIoError;
  }
  if (cases.size() > 1 && format != "json" && format != "html") {
    std::string o = format == "markdown" ? "\n## Overview (" + std::to_string(cases.size()) + " cases)\n\n"
                                         : "OVERVIEW (" + std::to_string(cases.size()) + " cases)\n";
    for (const auto& l : overview) o += (format == "markdown" ? "- " : "  ") + l + "\n";
    if (!write_stdout(o)) return kIoError;
  }
  return status;
}

}  // namespace oligoscreen::cli
