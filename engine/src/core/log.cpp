#include "core/log.hpp"

#include <atomic>
#include <mutex>
#include <string>

namespace oligoscreen::detail {

namespace {

struct Sink {
  std::mutex mu;  // held while the sink runs: calls never overlap, and set_log_sink waits for them
  LogFn fn = nullptr;
  void* user = nullptr;
  std::atomic<int> min_level{static_cast<int>(LogLevel::Off)};
};

Sink& sink() {
  static Sink s;  // constructed on first use: usable before anything else is set up
  return s;
}

thread_local bool t_in_sink = false;

}  // namespace

bool set_log_sink(LogFn fn, LogLevel min_level, void* user_data) {
  if (t_in_sink) return false;
  Sink& s = sink();
  std::lock_guard<std::mutex> lock(s.mu);
  s.fn = fn;
  s.user = user_data;
  s.min_level.store(fn ? static_cast<int>(min_level) : static_cast<int>(LogLevel::Off), std::memory_order_relaxed);
  return true;
}

bool log_enabled(LogLevel level) {
  return level != LogLevel::Off && static_cast<int>(level) >= sink().min_level.load(std::memory_order_relaxed);
}

void log(LogLevel level, std::string_view message) {
  if (!log_enabled(level) || t_in_sink) return;
  try {
    std::string text(message);  // the sink gets a NUL-terminated copy
    Sink& s = sink();
    std::lock_guard<std::mutex> lock(s.mu);
    if (!s.fn || static_cast<int>(level) < s.min_level.load(std::memory_order_relaxed)) return;
    t_in_sink = true;
    s.fn(static_cast<int>(level), text.c_str(), s.user);
    t_in_sink = false;
  } catch (...) {
    // Logging is diagnostics only: a message that cannot be built or delivered is dropped.
    t_in_sink = false;
  }
}

void log_patient(LogLevel level, std::string_view message) {
  log(level > LogLevel::Debug ? LogLevel::Debug : level, message);
}

}  // namespace oligoscreen::detail
