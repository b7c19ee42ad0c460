#include "core/source.hpp"

#include <algorithm>

namespace oligoscreen::detail {

void Diagnostics::add_source(std::string file, std::string text) {
  for (auto& [name, body] : sources_) {
    if (name == file) {
      body = std::move(text);
      return;
    }
  }
  sources_.emplace_back(std::move(file), std::move(text));
}

void Diagnostics::error(std::string_view file, Pos pos, std::string message) {
  items_.push_back({Severity::Error, std::string(file), pos, std::move(message)});
  ++errors_;
}

void Diagnostics::warning(std::string_view file, Pos pos, std::string message) {
  items_.push_back({Severity::Warning, std::string(file), pos, std::move(message)});
  ++warnings_;
}

void Diagnostics::note(std::string_view file, Pos pos, std::string message) {
  items_.push_back({Severity::Note, std::string(file), pos, std::move(message)});
}

std::string format_location(std::string_view file, Pos pos) {
  std::string out(file);
  if (pos.valid()) {
    out += ':';
    out += std::to_string(pos.line);
    out += ':';
    out += std::to_string(pos.col);
  }
  return out;
}

std::string_view Diagnostics::line_of(std::string_view file, uint32_t line) const {
  for (const auto& [name, body] : sources_) {
    if (name != file) continue;
    std::string_view text = body;
    uint32_t current = 1;
    size_t start = 0;
    while (current < line) {
      size_t nl = text.find('\n', start);
      if (nl == std::string_view::npos) return {};
      start = nl + 1;
      ++current;
    }
    size_t end = text.find('\n', start);
    std::string_view out = text.substr(start, end == std::string_view::npos ? text.size() - start : end - start);
    if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
    return out;
  }
  return {};
}

static const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "note";
  }
  return "error";
}

std::string Diagnostics::render_brief() const {
  std::string out;
  for (const auto& d : items_) {
    out += format_location(d.file, d.pos);
    out += ": ";
    out += severity_name(d.severity);
    out += ": ";
    out += d.message;
    out += '\n';
  }
  return out;
}

std::string Diagnostics::render() const {
  std::string out;
  for (const auto& d : items_) {
    out += format_location(d.file, d.pos);
    out += ": ";
    out += severity_name(d.severity);
    out += ": ";
    out += d.message;
    out += '\n';
    if (!d.pos.valid()) continue;
    std::string_view src = line_of(d.file, d.pos.line);
    if (src.empty()) continue;
    out += "  ";
    out += src;
    out += "\n  ";
    // The caret sits under the column; tabs are kept so that it lines up.
    uint32_t col = std::max<uint32_t>(d.pos.col, 1);
    for (uint32_t i = 1; i < col && i - 1 < src.size(); ++i) out += (src[i - 1] == '\t') ? '\t' : ' ';
    out += "^\n";
  }
  return out;
}

}  // namespace oligoscreen::detail
