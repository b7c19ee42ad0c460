// oligoscreen batch INPUT… : a registry (JSON Lines or CSV) screened into JSON Lines or CSV,
// in input order, with a progress line on a terminal and a summary at the end.
#include <cxxopts.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "batch/batch.hpp"
#include "batch/output_file.hpp"
#include "cli_common.hpp"
#include "tools.hpp"

namespace oligoscreen::cli {

namespace {

constexpr const char* kUsageLine =
    "usage: oligoscreen batch INPUT... [-o OUTPUT] [--format jsonl|csv] [--input-format jsonl|csv]\n"
    "                         [--threads N] [--summary FILE] [--explain] [--what-if|--no-what-if]\n"
    "                         [--strict] [--quiet] [--rules DIR] [--log-level LEVEL]\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "oligoscreen batch: %s\n%s", message.c_str(), kUsageLine);
  return kUsage;
}

std::string with_commas(uint64_t n) {
  std::string d = std::to_string(n), out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}

// The progress line: at most four updates a second, on stderr, rewritten in place.
class ProgressLine {
 public:
  explicit ProgressLine(bool on) : on_(on) {}
  void update(const detail::BatchProgress& p) {
    if (!on_ || p.seconds - last_ < 0.25) return;
    last_ = p.seconds;
    double rate = p.seconds > 0 ? static_cast<double>(p.records) / p.seconds : 0;
    std::string s =
        "\r\033[K" + with_commas(p.records) + " records, " + with_commas(static_cast<uint64_t>(rate)) + " records/s";
    if (p.bytes_total > 0 && p.bytes_done <= p.bytes_total) {
      double frac = static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total);
      char buf[64];
      std::snprintf(buf, sizeof buf, ", %.0f%%", frac * 100);
      s += buf;
      if (frac > 0.001) {
        auto left = static_cast<long>(p.seconds * (1 - frac) / frac);
        std::snprintf(buf, sizeof buf, ", %ld:%02ld left", left / 60, left % 60);
        s += buf;
      }
    }
    std::fputs(s.c_str(), stderr);
    std::fflush(stderr);
    shown_ = true;
  }
  void clear() {
    if (shown_) std::fputs("\r\033[K", stderr);
    shown_ = false;
  }

 private:
  bool on_;
  bool shown_ = false;
  double last_ = 0;
};

bool write_summary_file(const std::string& path, const std::string& json, const std::vector<std::string>& inputs) {
  detail::FileSink f;
  std::string error;
  if (!f.open(path, inputs, error)) {
    std::fprintf(stderr, "oligoscreen batch: --summary: %s\n", error.c_str());
    return false;
  }
  if (!f.write(json) || !f.commit()) {
    std::fprintf(stderr, "oligoscreen batch: --summary '%s': %s\n", path.c_str(), f.error().c_str());
    return false;
  }
  return true;
}

}  // namespace

int tool_batch(int argc, char** argv) {
  cxxopts::Options opts("oligoscreen batch", "Screen a registry (JSON Lines or CSV), one result row per record.");
  opts.custom_help("[options]");
  opts.positional_help("INPUT... (files, or - for standard input)");
  // clang-format off
  opts.add_options()
    ("o,output", "write the results to FILE (default: standard output)", cxxopts::value<std::string>())
    ("format", "output: jsonl or csv", cxxopts::value<std::string>()->default_value("jsonl"))
    ("input-format", "input: jsonl or csv (default: by extension, else by content)", cxxopts::value<std::string>())
    ("threads", "worker threads (default: all cores)", cxxopts::value<std::string>())
    ("summary", "also write the summary as JSON to FILE", cxxopts::value<std::string>())
    ("explain", "add the full criteria trace to each result (JSON Lines only)")
    ("what-if", "add the what-if answers for missing fields (JSON Lines only)")
    ("no-what-if", "leave out the what-if answers (default)")
    ("strict", "unknown fields and columns are errors, not warnings")
    ("quiet", "no progress line and no summary on stderr")
    ("rules", "load the rule set from DIR instead of the built-in one", cxxopts::value<std::string>())
    ("log-level", "stderr log level: trace, debug, info, warn, error, off", cxxopts::value<std::string>()->default_value("warn"))
    ("h,help", "show this help")
    ("inputs", "", cxxopts::value<std::vector<std::string>>());
  // clang-format on
  opts.parse_positional({"inputs"});
  cxxopts::ParseResult args;
  try {
    args = opts.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    return usage_error(e.what());
  }
  if (args.count("help")) {
    std::printf("%s\n", opts.help().c_str());
    std::printf(
        "Examples:\n"
        "  oligoscreen batch registry.csv -o results.jsonl --summary summary.json\n"
        "  oligoscreen batch registry.jsonl --format csv > results.csv\n"
        "  sqlite3 -csv -header registry.db 'select * from patients' | oligoscreen batch - --format csv\n"
        "\n"
        "Reads JSON Lines or CSV (by extension, or --input-format; for '-', JSON Lines when it\n"
        "starts with '{'). Every record gives one row, a result or an error row, in input order.\n"
        "Exit codes: 0 every record gave a result, 1 some records are error rows (the output is\n"
        "complete), 2 usage, 3 rules error, 4 I/O failure (an input could not be read, a CSV\n"
        "header has no id column, or the output could not be written).\n");
    return kOk;
  }
  if (!set_log_level(args["log-level"].as<std::string>())) {
    return usage_error("unknown --log-level '" + args["log-level"].as<std::string>() + "'");
  }
  if (!args.count("inputs")) return usage_error("no input given");
  std::vector<std::string> inputs = args["inputs"].as<std::vector<std::string>>();

  detail::BatchOptions bo;
  std::string format = args["format"].as<std::string>();
  if (format == "jsonl") {
    bo.output_format = detail::BatchOutputFormat::Jsonl;
  } else if (format == "csv") {
    bo.output_format = detail::BatchOutputFormat::Csv;
  } else {
    return usage_error("--format must be jsonl or csv (not '" + format + "')");
  }
  if (args.count("input-format")) {
    std::string f = args["input-format"].as<std::string>();
    if (f == "jsonl") {
      bo.input_format = detail::BatchInputFormat::Jsonl;
    } else if (f == "csv") {
      bo.input_format = detail::BatchInputFormat::Csv;
    } else {
      return usage_error("--input-format must be jsonl or csv (not '" + f + "')");
    }
  }
  if (args.count("what-if") && args.count("no-what-if")) {
    return usage_error("--what-if and --no-what-if contradict each other");
  }
  bo.explain = args.count("explain") > 0;
  bo.what_if = args.count("what-if") > 0;
  if (bo.output_format == detail::BatchOutputFormat::Csv && (bo.explain || bo.what_if)) {
    return usage_error("--explain and --what-if need JSON Lines output (CSV has no room for them)");
  }
  unsigned hw = std::thread::hardware_concurrency();
  bo.threads = hw == 0 ? 1 : hw;
  if (args.count("threads")) {
    const std::string t = args["threads"].as<std::string>();
    char* end = nullptr;
    long n = std::strtol(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0' || n < 1 || n > 1024) {
      return usage_error("--threads must be a whole number from 1 to 1024 (not '" + t + "')");
    }
    bo.threads = static_cast<unsigned>(n);
  }
  bo.strict = args.count("strict") > 0;
  bo.source_key = inputs.size() > 1;
  const bool quiet = args.count("quiet") > 0;

  auto rules = load_rules(args.count("rules") ? args["rules"].as<std::string>() : "");
  if (!rules) return kRulesError;

  std::vector<detail::BatchInput> batch_inputs;
  for (const auto& in : inputs) batch_inputs.push_back({in, in == "-" ? "<stdin>" : in});

  const std::string out_path = args.count("output") ? args["output"].as<std::string>() : "";
  detail::FileSink sink;
  std::string error;
  if (!sink.open(out_path, inputs, error)) {
    std::fprintf(stderr, "oligoscreen batch: %s\n", error.c_str());
    return kIoError;
  }
  if (args.count("summary") && !out_path.empty() && args["summary"].as<std::string>() == out_path) {
    sink.abort();
    return usage_error("--summary and -o name the same file");
  }

  bool header_ok = true;
  if (bo.output_format == detail::BatchOutputFormat::Csv) {
    header_ok = sink.write(detail::batch_csv_header(*rules, bo.source_key));
  }
  ProgressLine progress(!quiet && stderr_is_tty());
  detail::BatchStats stats;
  if (header_ok) {
    stats =
        detail::run_batch(*rules, batch_inputs, bo, sink, [&](const detail::BatchProgress& p) { progress.update(p); });
  } else {
    stats.files.resize(batch_inputs.size());
    for (size_t i = 0; i < batch_inputs.size(); ++i) stats.files[i].name = batch_inputs[i].label;
    stats.by_output.resize(rules->outputs.size());
    for (size_t o = 0; o < rules->outputs.size(); ++o) {
      stats.by_output[o].assign(rules->schema.enums[rules->outputs[o].enum_id].values.size(), 0);
    }
    stats.write_failed = true;
    stats.write_error = sink.error();
  }
  progress.clear();
  if (!stats.write_failed) {
    if (!sink.commit()) {
      stats.write_failed = true;
      stats.write_error = sink.error();
      stats.complete = false;
    }
  } else {
    sink.abort();
  }

  for (const auto& f : stats.files) {
    if (!f.error.empty()) std::fprintf(stderr, "oligoscreen batch: %s: %s\n", f.name.c_str(), f.error.c_str());
  }
  if (stats.write_failed) {
    std::fprintf(stderr, "oligoscreen batch: cannot write the output%s%s: %s\n", out_path.empty() ? "" : " to ",
                 out_path.c_str(), stats.write_error.c_str());
  }
  if (!quiet) std::fputs(detail::batch_summary_text(*rules, stats).c_str(), stderr);
  bool summary_ok = true;
  if (args.count("summary")) {
    summary_ok =
        write_summary_file(args["summary"].as<std::string>(), detail::batch_summary_json(*rules, stats), inputs);
  }
  if (stats.write_failed || stats.file_errors() || !summary_ok) return kIoError;
  if (stats.errors > 0) return kInputErrors;
  return kOk;
}

}  // namespace oligoscreen::cli
