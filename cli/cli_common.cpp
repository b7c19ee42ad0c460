#include "cli_common.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include "api/screen.hpp"
#include "rules/loader.hpp"

namespace oligoscreen::cli {

std::optional<std::string> read_input(const std::string& path, size_t max_bytes) {
  std::string out;
  if (path == "-") {
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        std::fprintf(stderr, "oligoscreen: cannot read standard input: %s\n", std::strerror(errno));
        return std::nullopt;
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
      if (out.size() > max_bytes) {
        std::fprintf(stderr, "oligoscreen: standard input is larger than %zu bytes\n", max_bytes);
        return std::nullopt;
      }
    }
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "oligoscreen: cannot open '%s': %s\n", path.c_str(), std::strerror(errno));
    return std::nullopt;
  }
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  if (size < 0) {
    std::fprintf(stderr, "oligoscreen: cannot read '%s'\n", path.c_str());
    return std::nullopt;
  }
  if (static_cast<size_t>(size) > max_bytes) {
    std::fprintf(stderr, "oligoscreen: '%s' is larger than %zu bytes\n", path.c_str(), max_bytes);
    return std::nullopt;
  }
  in.seekg(0);
  out.resize(static_cast<size_t>(size));
  in.read(out.data(), size);
  if (!in) {
    std::fprintf(stderr, "oligoscreen: cannot read '%s'\n", path.c_str());
    return std::nullopt;
  }
  return out;
}

std::shared_ptr<const detail::RuleSetModel> load_rules(const std::string& dir, bool quiet_warnings) {
  detail::Diagnostics diags;
  std::shared_ptr<detail::RuleSetModel> m;
  if (dir.empty()) {
    m = detail::load_embedded_rules(diags);
  } else {
    detail::DirRuleFiles files(dir);
    m = detail::load_rule_set(files, diags);
  }
  if (!m) {
    std::string text = diags.render();
    std::fputs(text.c_str(), stderr);
    std::fprintf(stderr, "oligoscreen: the rule set %s did not load (%zu error%s)\n",
                 dir.empty() ? "compiled into this binary" : ("in '" + dir + "'").c_str(), diags.error_count(),
                 diags.error_count() == 1 ? "" : "s");
    return nullptr;
  }
  if (!quiet_warnings && diags.warning_count() > 0) std::fputs(diags.render().c_str(), stderr);
  return m;
}

bool set_log_level(const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") return false;
  // Never the default logger (it writes to stdout): a named stderr logger.
  static auto logger = spdlog::stderr_color_mt("oligoscreen");
  logger->set_level(lvl);
  logger->set_pattern("oligoscreen: %l: %v");
  return true;
}

bool stdout_is_tty() {
  return ::isatty(STDOUT_FILENO) == 1;
}
bool stderr_is_tty() {
  return ::isatty(STDERR_FILENO) == 1;
}
bool colour_allowed() {
  const char* nc = std::getenv("NO_COLOR");
  return stdout_is_tty() && (nc == nullptr || nc[0] == '\0');
}

bool write_stdout(std::string_view data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(STDOUT_FILENO, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace oligoscreen::cli
