// oligoscreen template [--example NAME]: a blank case generated from the rule set's schema
// (every field with a comment: what it is, allowed values, units, what unknown means), or one
// of the example cases embedded at build time.
#include <cxxopts.hpp>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "cli_common.hpp"
#include "result/report.hpp"
#include "tools.hpp"

namespace oligoscreen::cli {

const std::vector<std::pair<std::string, std::string>>& embedded_examples();  // generated

namespace {

using namespace oligoscreen::detail;

// `text` as comment lines of at most ~96 columns, each starting with `indent` + "# ".
std::string comment(const std::string& indent, const std::string& text) {
  std::string out, line;
  size_t start = 0;
  while (start < text.size()) {
    size_t sp = text.find(' ', start);
    std::string word = text.substr(start, sp == std::string::npos ? std::string::npos : sp - start);
    start = sp == std::string::npos ? text.size() : sp + 1;
    if (word.empty()) continue;
    if (!line.empty() && indent.size() + 2 + line.size() + 1 + word.size() > 96) {
      out += indent + "# " + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out += indent + "# " + line + "\n";
  return out;
}

std::string describe(const RuleSetModel& m, const FieldDef& f) {
  std::string s = f.description.empty() ? f.path : f.description;
  if (!s.empty() && s.back() != '.') s += ".";
  if (f.required) s += " Required.";
  s += " Allowed: " + field_domain_text(m, f) + ".";
  if (f.type == FieldType::Text && f.max_length > 0) s += " At most " + std::to_string(f.max_length) + " characters.";
  if (!f.unknown_means.empty()) {
    s += " Left empty: " + f.unknown_means;
  } else if (!f.required) {
    s += " Left empty: not recorded.";
  }
  if (f.informational) s += " (Informational: no verdict reads it.)";
  return s;
}

// An example value for a record subfield, within its allowed range.
std::string example_value(const RuleSetModel& m, const FieldDef& f) {
  switch (f.type) {
    case FieldType::Boolean:
      return "true";
    case FieldType::Integer:
    case FieldType::Number: {
      double x = 10;
      if (f.min && (x < *f.min || (f.min_exclusive && x <= *f.min))) x = *f.min + 1;
      if (f.max && x > *f.max) x = *f.max;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", x);
      return buf;
    }
    case FieldType::Date:
      return "2024-01-31";
    case FieldType::Enum:
      return f.enum_id >= 0 ? m.schema.enums[static_cast<size_t>(f.enum_id)].values.front() : "x";
    default:
      return "\"text\"";
  }
}

std::string blank_case(const RuleSetModel& m) {
  std::string out;
  out += comment("", "A case for oligoscreen, rule set " + m.manifest.id + " " + m.manifest.version +
                         ": fill in what is known and screen it with 'oligoscreen screen FILE'.");
  out += comment("",
                 "Leave a value empty when it is not known: empty means not recorded, never no or zero. "
                 "Dates are YYYY-MM-DD, or YYYY-MM when only the month is known.");
  std::vector<std::string> open;
  for (const auto& f : m.schema.fields) {
    // Groups of the path (primary.diagnosed -> "primary:").
    size_t common = 0;
    while (common < open.size() && common + 1 < f.segments.size() && open[common] == f.segments[common]) ++common;
    open.resize(common);
    for (size_t i = common; i + 1 < f.segments.size(); ++i) {
      out += "\n" + std::string(2 * i, ' ') + f.segments[i] + ":\n";
      open.push_back(f.segments[i]);
    }
    std::string indent(2 * (f.segments.size() - 1), ' ');
    if (f.segments.size() == 1) out += "\n";
    out += comment(indent, describe(m, f));
    out += indent + f.segments.back() + ":\n";
    if (f.type == FieldType::List && f.of == ListOf::Record) {
      std::string item;
      for (const auto& sub : f.fields) item += (item.empty() ? "" : ", ") + sub.path + ": " + example_value(m, sub);
      out += comment(indent + "  ", "One line per item; an empty list [] means none. For example:");
      out += indent + "  # - {" + item + "}\n";
      for (const auto& sub : f.fields) out += comment(indent + "  ", sub.path + ": " + describe(m, sub));
    }
  }
  return out;
}

}  // namespace

int tool_template(int argc, char** argv) {
  cxxopts::Options opts("oligoscreen template", "Print a blank case to fill in, or one of the bundled examples.");
  opts.custom_help("[--example NAME] [--rules DIR]");
  // clang-format off
  opts.add_options()
    ("example", "print the bundled example NAME (file name, with or without extension)", cxxopts::value<std::string>())
    ("list", "list the bundled examples")
    ("rules", "the blank case of the rule set in DIR instead of the built-in one", cxxopts::value<std::string>())
    ("log-level", "stderr log level: trace, debug, info, warn, error, off", cxxopts::value<std::string>()->default_value("warn"))
    ("h,help", "show this help");
  // clang-format on
  cxxopts::ParseResult args;
  try {
    args = opts.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::fprintf(stderr, "oligoscreen template: %s\nRun 'oligoscreen template --help' for the options.\n", e.what());
    return kUsage;
  }
  if (args.count("help")) {
    std::printf("%s\n", opts.help().c_str());
    std::printf(
        "Examples:\n"
        "  oligoscreen template > case.yaml              a blank case, every field explained\n"
        "  oligoscreen template --example lms-lung-metachronous > case.yaml\n"
        "\n"
        "Bundled examples:\n");
    for (const auto& [name, text] : embedded_examples()) std::printf("  %s\n", name.c_str());
    return kOk;
  }
  if (!set_log_level(args["log-level"].as<std::string>())) {
    std::fprintf(stderr, "oligoscreen template: unknown --log-level '%s'\n",
                 args["log-level"].as<std::string>().c_str());
    return kUsage;
  }
  if (!args.unmatched().empty()) {
    std::fprintf(stderr, "oligoscreen template: unexpected argument '%s'\n", args.unmatched().front().c_str());
    return kUsage;
  }
  if (args.count("list")) {
    std::string out;
    for (const auto& [name, text] : embedded_examples()) out += name + "\n";
    return write_stdout(out) ? kOk : kIoError;
  }
  if (args.count("example")) {
    std::string want = args["example"].as<std::string>();
    for (const auto& [name, text] : embedded_examples()) {
      auto dot = name.rfind('.');
      if (name == want || name.substr(0, dot) == want) return write_stdout(text) ? kOk : kIoError;
    }
    std::fprintf(stderr, "oligoscreen template: no bundled example '%s'; the examples are:\n", want.c_str());
    for (const auto& [name, text] : embedded_examples()) std::fprintf(stderr, "  %s\n", name.c_str());
    return kUsage;
  }
  auto rules = load_rules(args.count("rules") ? args["rules"].as<std::string>() : "");
  if (!rules) return kRulesError;
  return write_stdout(blank_case(*rules)) ? kOk : kIoError;
}

}  // namespace oligoscreen::cli
