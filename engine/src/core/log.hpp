// The library's one logging sink: process-wide, thread-safe, off by default. Nothing in the
// library writes to stdout or stderr; hosts choose where messages go (the C API's log
// callback; the CLI may install its own).
#pragma once

#include <string_view>

namespace oligoscreen::detail {

enum class LogLevel : int { Trace = 0, Debug = 1, Info = 2, Warn = 3, Error = 4, Off = 5 };

using LogFn = void (*)(int level, const char* message, void* user_data);

// Replaces the sink. Returns false (and changes nothing) when called from inside a sink call.
// After it returns, the previous sink is never called again.
bool set_log_sink(LogFn fn, LogLevel min_level, void* user_data);

// Whether a message at `level` would reach the sink (cheap; check before formatting).
bool log_enabled(LogLevel level);

// A message that contains no patient data (rule-set ids, counts, error kinds).
void log(LogLevel level, std::string_view message);

// A message that may contain patient data (values, ids, error messages quoting the input):
// delivered at most at debug level, whatever `level` says, so that it never reaches a sink
// set to info or above.
void log_patient(LogLevel level, std::string_view message);

}  // namespace oligoscreen::detail
