// Strict, diagnosing accessors over a parsed rule file (one Doc): typed scalars, closed key
// sets with did-you-mean, required keys reported at the parent mapping.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/doc.hpp"
#include "core/source.hpp"

namespace oligoscreen::detail {

class DocAccess {
 public:
  DocAccess(const Doc& doc, std::string file, Diagnostics& diags) : doc_(doc), file_(std::move(file)), d_(diags) {}

  [[nodiscard]] const Doc& doc() const { return doc_; }
  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] const DocNode& node(uint32_t i) const { return doc_.node(i); }
  [[nodiscard]] Pos pos(uint32_t i) const { return doc_.node(i).pos; }
  Diagnostics& diags() { return d_; }

  void error(uint32_t node, std::string msg) { d_.error(file_, doc_.node(node).pos, std::move(msg)); }
  void warning(uint32_t node, std::string msg) { d_.warning(file_, doc_.node(node).pos, std::move(msg)); }

  // Every key of `map` must be in `allowed`; reports the others with a did-you-mean.
  void check_keys(uint32_t map, const std::vector<std::string>& allowed, std::string_view where);
  // Value of `key`, or 0. When `required` and absent (or null), reports at the mapping.
  uint32_t get(uint32_t map, std::string_view key, bool required = false, std::string_view what = {});

  bool expect_map(uint32_t node, std::string_view what);
  bool expect_seq(uint32_t node, std::string_view what);

  // Scalars. Each reports a type error at the value and returns nullopt when it is not of
  // the expected form.
  std::optional<std::string> text(uint32_t node, std::string_view what);
  std::optional<bool> boolean(uint32_t node, std::string_view what);
  std::optional<double> number(uint32_t node, std::string_view what);
  std::optional<std::vector<std::string>> text_list(uint32_t node, std::string_view what);
  // An identifier: [a-z][a-z0-9_]* (or with '-' when allow_dash).
  std::optional<std::string> ident(uint32_t node, std::string_view what, bool allow_dash = false);

 private:
  const Doc& doc_;
  std::string file_;
  Diagnostics& d_;
};

// Strict decimal number grammar shared by rule files: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
std::optional<double> parse_decimal(std::string_view text);

}  // namespace oligoscreen::detail
