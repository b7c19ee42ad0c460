// A small, fast JSON writer appending to a std::string (results, summaries, error rows).
//
// Output is always valid UTF-8 and valid JSON when the calls are balanced:
//  - strings: '"' and '\\' escaped, \b \f \n \r \t as such, the other control characters
//    below U+0020 as \u00XX (lower-case hex); everything else, including U+007F, U+2028 and
//    U+2029, passed through as is; each maximal invalid UTF-8 subpart replaced by U+FFFD.
//  - numbers: format_number() below; never locale-dependent.
// Compact by default (no insignificant whitespace). Pretty mode indents by 2 spaces with
// one member or element per line and ": " after keys, like JSON.stringify(v, null, 2).
//
// Call contract (checked by assert in debug builds): inside an object, key() precedes each
// value; end_object()/end_array() close the innermost open container. Commas are inserted
// automatically. Several top-level values may be written in sequence; the writer adds
// nothing between them (callers write '\n' themselves for JSON Lines).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace oligoscreen::detail {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out, bool pretty = false) : out_(out), pretty_(pretty) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  // Non-finite values (which JSON cannot represent) are written as null.
  JsonWriter& number(double value);
  JsonWriter& integer(int64_t value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  // Appends `json`, which the caller guarantees to be one complete, valid JSON value (for
  // example a pre-serialised fragment), as the next value.
  JsonWriter& raw(std::string_view json);
  // Continues an object whose '{' and at least one member the caller has already written to
  // the output itself: the next key() is preceded by a comma. Its closing '}' is the
  // caller's too (end_object() writes it, or the caller stops using the writer).
  JsonWriter& resume_object();

  // Number of open containers.
  [[nodiscard]] uint32_t depth() const { return depth_; }

 private:
  static constexpr uint8_t kHasItems = 1;
  static constexpr uint8_t kObject = 2;

  uint8_t& level(uint32_t d) { return d < small_.size() ? small_[d] : big_[d - small_.size()]; }
  void before_value();
  void open(char c, uint8_t flags);
  void close(char c, bool object);
  void newline_indent(uint32_t depth);

  std::string& out_;
  bool pretty_ = false;
  bool after_key_ = false;
  uint32_t depth_ = 0;
  std::array<uint8_t, 32> small_{};  // per open container: kHasItems | kObject
  std::vector<uint8_t> big_;         // levels beyond 32 (rare)
};

// Appends s as a JSON string literal (with the quotes), escaped as described above.
void append_json_string(std::string& out, std::string_view s);

// Same, without the quotes: what goes between them. Escaping is per character, so for pieces
// that each end on a character boundary the body of a concatenation is the concatenation of
// the bodies.
void append_json_string_body(std::string& out, std::string_view s);

// Shortest round-trip decimal form of v, laid out exactly as ECMAScript Number::toString
// (JavaScript's String(v)): 2 -> "2", 2.5 -> "2.5", 0.1 -> "0.1", 123456789012 ->
// "123456789012", 1e21 -> "1e+21", 1e-7 -> "1e-7", 0.000001 -> "0.000001", -0 -> "0",
// NaN -> "NaN", infinities -> "Infinity" / "-Infinity". Integral values never get ".0".
// Digits come from std::to_chars, so the result never depends on the locale.
std::string format_number(double v);

// Same as format_number, appended to out.
void append_number(std::string& out, double v);

}  // namespace oligoscreen::detail
