#include "rules/doc_access.hpp"

#include <charconv>
#include <cmath>

#include "rules/checker.hpp"

namespace oligoscreen::detail {

std::optional<double> parse_decimal(std::string_view t) {
  size_t i = 0;
  auto digit = [&](size_t k) { return k < t.size() && t[k] >= '0' && t[k] <= '9'; };
  if (i < t.size() && t[i] == '-') ++i;
  if (!digit(i)) return std::nullopt;
  if (t[i] == '0' && digit(i + 1)) return std::nullopt;  // no leading zeros (YAML 1.1 octal)
  while (digit(i)) ++i;
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digit(i)) return std::nullopt;
    while (digit(i)) ++i;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digit(i)) return std::nullopt;
    while (digit(i)) ++i;
  }
  if (i != t.size()) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

void DocAccess::check_keys(uint32_t map, const std::vector<std::string>& allowed, std::string_view where) {
  for (const auto& e : doc_.entries(map)) {
    std::string_view key = doc_.node(e.key).text;
    bool ok = false;
    for (const auto& a : allowed) ok = ok || a == key;
    if (!ok) {
      error(e.key, "unknown key '" + std::string(key) + "' in " + std::string(where) + did_you_mean(key, allowed));
    }
  }
}

uint32_t DocAccess::get(uint32_t map, std::string_view key, bool required, std::string_view what) {
  uint32_t v = doc_.find(map, key);
  if (v != 0 && doc_.node(v).is_null()) v = 0;
  if (v == 0 && required) {
    error(map, std::string(what) + ": missing required key '" + std::string(key) + "'");
  }
  return v;
}

bool DocAccess::expect_map(uint32_t node, std::string_view what) {
  if (doc_.node(node).is_map()) return true;
  error(node, std::string(what) + " must be a mapping (key: value)");
  return false;
}

bool DocAccess::expect_seq(uint32_t node, std::string_view what) {
  if (doc_.node(node).is_seq()) return true;
  error(node, std::string(what) + " must be a list");
  return false;
}

std::optional<std::string> DocAccess::text(uint32_t node, std::string_view what) {
  const DocNode& n = doc_.node(node);
  if (!n.is_scalar()) {
    error(node, std::string(what) + " must be text");
    return std::nullopt;
  }
  return std::string(n.text);
}

std::optional<bool> DocAccess::boolean(uint32_t node, std::string_view what) {
  const DocNode& n = doc_.node(node);
  if (n.is_scalar() && n.style == ScalarStyle::Plain) {
    if (n.text == "true") return true;
    if (n.text == "false") return false;
  }
  error(node, std::string(what) + " must be true or false" +
                  (n.is_scalar() ? ", not '" + std::string(n.text) + "'" : std::string()));
  return std::nullopt;
}

std::optional<double> DocAccess::number(uint32_t node, std::string_view what) {
  const DocNode& n = doc_.node(node);
  if (n.is_scalar() && n.style == ScalarStyle::Plain) {
    if (auto v = parse_decimal(n.text)) return v;
    error(node, std::string(what) + ": '" + std::string(n.text) +
                    "' is not a plain decimal number (no octal, hex, '+', '.nan' or '.inf')");
    return std::nullopt;
  }
  error(node, std::string(what) + " must be a number" +
                  (n.is_scalar() ? ", not the text '" + std::string(n.text) + "'" : std::string()));
  return std::nullopt;
}

std::optional<std::vector<std::string>> DocAccess::text_list(uint32_t node, std::string_view what) {
  const DocNode& n = doc_.node(node);
  if (!n.is_seq()) {
    error(node, std::string(what) + " must be a list");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (uint32_t item : doc_.items(node)) {
    if (auto t = text(item, what)) {
      out.push_back(*t);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::string> DocAccess::ident(uint32_t node, std::string_view what, bool allow_dash) {
  auto t = text(node, what);
  if (!t) return std::nullopt;
  bool ok = !t->empty() && ((*t)[0] >= 'a' && (*t)[0] <= 'z');
  for (char c : *t) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (allow_dash && c == '-'));
  }
  if (!ok) {
    error(node, std::string(what) + " '" + *t + "' must be lower case letters, digits and '_'" +
                    (allow_dash ? " or '-'" : "") + ", starting with a letter");
    return std::nullopt;
  }
  return t;
}

}  // namespace oligoscreen::detail
