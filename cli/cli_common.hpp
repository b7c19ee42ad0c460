// Shared plumbing of the command-line tools: exit codes, input, rule loading, logging.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/ruleset_model.hpp"

namespace oligoscreen::cli {

// Exit codes of spec/cli.md, for every command.
enum Exit : int {
  kOk = 0,
  kInputErrors = 1,
  kUsage = 2,
  kRulesError = 3,
  kIoError = 4,
  kInternal = 5,
};

// A usage mistake: the tool prints `message` and its usage line, then exits 2.
struct UsageError {
  std::string message;
};

// Reads a whole file ("-" = standard input). Returns nullopt and prints a message on failure.
std::optional<std::string> read_input(const std::string& path, size_t max_bytes = 64u << 20);

// Loads --rules DIR or the embedded rule set; prints every diagnostic (errors and warnings
// at --log-level) to stderr. Null on failure.
std::shared_ptr<const detail::RuleSetModel> load_rules(const std::string& dir, bool quiet_warnings = true);

// Sets the stderr logger of the CLI ("trace", "debug", "info", "warn", "error", "off").
bool set_log_level(const std::string& level);

// Whether stdout/stderr are terminals (for colour and progress).
bool stdout_is_tty();
bool stderr_is_tty();
bool colour_allowed();

// Writes all of `data` to stdout; false on error (closed pipe, disk full).
bool write_stdout(std::string_view data);

}  // namespace oligoscreen::cli
