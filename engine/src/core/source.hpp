// Source positions and diagnostics shared by every reader and the rule loader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace oligoscreen::detail {

// A position in a text file. 1-based when valid; line == 0 means "no position".
struct Pos {
  uint32_t line = 0;
  uint32_t col = 0;
  uint32_t offset = 0;  // byte offset from the start of the text (0-based)
  [[nodiscard]] bool valid() const { return line != 0; }
};

enum class Severity : uint8_t { Error, Warning, Note };

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string file;
  Pos pos;
  std::string message;
};

// Collects every mistake of one load (never only the first). Keeps the text of each
// file it has seen so that rendering can show the offending line and a caret.
class Diagnostics {
 public:
  void add_source(std::string file, std::string text);
  void error(std::string_view file, Pos pos, std::string message);
  void warning(std::string_view file, Pos pos, std::string message);
  void note(std::string_view file, Pos pos, std::string message);

  [[nodiscard]] bool has_errors() const { return errors_ > 0; }
  [[nodiscard]] size_t error_count() const { return errors_; }
  [[nodiscard]] size_t warning_count() const { return warnings_; }
  [[nodiscard]] const std::vector<Diagnostic>& items() const { return items_; }

  // "file:line:col: error: message\n  <source line>\n  <caret>\n" for each item, in order.
  [[nodiscard]] std::string render() const;
  // Only the first line of each item ("file:line:col: error: message").
  [[nodiscard]] std::string render_brief() const;

 private:
  [[nodiscard]] std::string_view line_of(std::string_view file, uint32_t line) const;
  std::vector<std::pair<std::string, std::string>> sources_;
  std::vector<Diagnostic> items_;
  size_t errors_ = 0;
  size_t warnings_ = 0;
};

// Formats "file:line:col" (or "file" when pos is invalid).
std::string format_location(std::string_view file, Pos pos);

}  // namespace oligoscreen::detail
