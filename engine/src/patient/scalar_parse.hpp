// Strict scalar conversion shared by the patient readers (Doc: YAML/JSON; CSV). Everything
// here lives in detail::scalar (names like append_number exist elsewhere in detail).
//
// One place decides what text is a boolean, a number, a date, an enum value or text, and
// words every message, so that the YAML, JSON and CSV readers agree byte for byte.
//
// Message conventions (the reader prefixes "<field path>: "):
//   type     "expected an integer, got text '54'"      (quoted text where a number belongs)
//            "expected an integer, got '0x10'"          (bare text outside the grammar)
//            "expected true or false, got 'yes'"        (YAML/JSON booleans)
//            "expected true/false, yes/no or 1/0, got 'maybe'"   (CSV booleans)
//            "expected text, got 12"                    (JSON token in a text field)
//            "expected a date, got 2023"                (JSON token in a date field)
//            "expected one of the allowed values, got 3"   (JSON token in an enum field)
//            "14.5 must be a whole number"              (integer fields)
//   range    "7 is outside 0-4"                 both bounds inclusive (and min >= 0)
//            "0 is outside (0, 500]"            otherwise both bounds: interval notation
//            "-3 is less than 0" / "0 is not greater than 0"     only a minimum
//            "700 is greater than 600" / "600 is not less than 600"  only a maximum
//            "1e999 is too large"               not representable as a finite double
//            "length 130 is outside 1-128 characters"   text length (code points)
//   date     "'2023-02-30' is not a valid date (YYYY-MM-DD or YYYY-MM)"
//   enum     "'lnug' is not an allowed value (did you mean 'lung'?); allowed: lung, pleura, ..."
//   encoding "invalid UTF-8 (overlong encoding)" / "NUL byte not allowed"; offset = byte index
// Values are echoed as written, in single quotes when they are text, cut to 64 bytes ("...").
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.hpp"
#include "eval/value.hpp"
#include "patient/patient.hpp"
#include "patient/schema_index.hpp"
#include "rules/schema.hpp"

namespace oligoscreen::detail::scalar {

// How a scalar was written, in the terms the typing rules need.
enum class Lexical : uint8_t {
  Bare,    // YAML plain scalar, or a CSV cell: read as whatever the field's type needs
  Token,   // JSON number / true / false token: never text
  Quoted,  // YAML quoted or block scalar, JSON string: always text
};

// Which spellings a boolean may take.
enum class BoolSyntax : uint8_t {
  Strict,  // YAML and JSON: `true` / `false` only (unquoted)
  Csv,     // CSV: true/false, yes/no, 1/0, ASCII case-insensitive
};

struct ScalarError {
  const char* kind = "";  // result-format kind: "type", "range", "date", "enum", "encoding"
  std::string message;    // without the field path
  bool has_offset = false;
  uint32_t offset = 0;  // encoding: byte index of the bad byte within the scalar's text
};

// True when s matches -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (the JSON number
// grammar; YAML and CSV patient values take it without the exponent). Sets `integral_form`
// when s has neither a fraction nor an exponent.
bool is_decimal(std::string_view s, bool* integral_form = nullptr);

enum class DecimalStatus : uint8_t { Ok, NotDecimal, OutOfRange };
// Grammar check, then std::from_chars (locale-independent). OutOfRange: overflow or underflow
// of a double (1e999, 1e-400).
DecimalStatus parse_decimal(std::string_view s, double& out);

// Byte index of the first byte that is invalid UTF-8 or NUL, or npos.
size_t first_bad_byte(std::string_view s);
// Number of code points of valid UTF-8 text.
size_t utf8_length(std::string_view s);

// Levenshtein distance, or cap + 1 when it exceeds cap (cheap exit; no allocation for words up
// to 63 bytes; longer words are never close).
int edit_distance(std::string_view a, std::string_view b, int cap);

// Finds the closest candidate for a misspelling: distance <= 2 and smaller than the word's
// length; ties go to the earliest candidate. Use: start(), offer() each candidate, best().
class DidYouMean {
 public:
  explicit DidYouMean(std::string_view word) : word_(word) {}
  void offer(std::string_view candidate);
  [[nodiscard]] std::string_view best() const { return best_; }

 private:
  std::string_view word_;
  std::string_view best_;
  int best_d_ = 3;
};

// Appends 'value' (single quotes, cut to 64 bytes at a code point boundary followed by "...";
// invalid UTF-8 bytes become '?', so a message is always valid UTF-8).
void append_quoted(std::string& out, std::string_view value);
// Appends value cut to max_bytes (then "..."), invalid UTF-8 and NUL bytes replaced by '?'.
void append_clean(std::string& out, std::string_view value, size_t max_bytes);
// Appends a double in shortest round-trip form (std::to_chars; "7", "0.5", "1e+20").
void append_number(std::string& out, double v);

// Converts the text of one scalar to a Value of a scalar-typed field (Boolean, Integer,
// Number, Text, Date, Enum; `f` may be a record subfield). Text is copied into `texts` and the
// Value points at the copy. The record_id field also accepts an integer (Bare or Token) as its
// decimal text. Checks encoding first (for every type), then type, then range/length.
// Returns false and fills `err` when the value breaks the contract. Never throws (bad_alloc
// aside). `index`: SchemaIndex::of(schema) when the caller has it at hand (else looked up).
bool convert_scalar(const Schema& schema, const FieldDef& f, std::string_view text, Lexical lex, BoolSyntax bools,
                    TextStore& texts, Value& out, ScalarError& err, const SchemaIndex* index = nullptr);

// Converts one item of a List of Enum (enum `enum_id`).
bool convert_enum_item(const Schema& schema, int enum_id, std::string_view text, Lexical lex, Value& out,
                       ScalarError& err, const SchemaIndex* index = nullptr);

// ---------------------------------------------------------------- fast paths
// Each gives the result of the general function above for the inputs it accepts, and
// returns false (nothing written) for all others, which then go the general way.

// Does v lie within f's bounds?
inline bool in_range(const FieldDef& f, double v) {
  if (f.min && (f.min_exclusive ? !(v > *f.min) : !(v >= *f.min))) return false;
  if (f.max && (f.max_exclusive ? !(v < *f.max) : !(v <= *f.max))) return false;
  return true;
}

// Integer-form decimals of at most 15 digits, -?(0|[1-9][0-9]{0,14}): exact as doubles, so
// the result equals parse_decimal's.
inline bool small_integer(std::string_view s, double& out) {
  const size_t n = s.size();
  size_t i = (n != 0 && s[0] == '-') ? 1 : 0;
  const size_t digits = n - i;
  if (digits == 0 || digits > 15 || (s[i] == '0' && digits != 1)) return false;
  uint64_t v = 0;
  for (; i < n; ++i) {
    const unsigned d = static_cast<unsigned char>(s[i]) - unsigned{'0'};
    if (d > 9) return false;
    v = v * 10 + d;
  }
  const auto x = static_cast<double>(v);
  out = s[0] == '-' ? -x : x;
  return true;
}

// "YYYY-MM-DD" with a valid day: the common case of parse_date, with the same result.
inline bool fast_date(std::string_view t, DateRange& out) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  unsigned v[8];
  static constexpr size_t kAt[8] = {0, 1, 2, 3, 5, 6, 8, 9};
  for (size_t i = 0; i < 8; ++i) {
    v[i] = static_cast<unsigned char>(t[kAt[i]]) - unsigned{'0'};
    if (v[i] > 9) return false;
  }
  const int y = static_cast<int>(v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3]);
  const unsigned m = v[4] * 10 + v[5];
  const unsigned d = v[6] * 10 + v[7];
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return false;
  out.lo = out.hi = days_from_civil(y, m, d);
  return true;
}

// convert_enum_item for text known to be valid UTF-8 without NUL, when the value is in the index.
inline bool convert_clean_enum(const Schema& schema, const SchemaIndex& index, int enum_id, std::string_view text,
                               Lexical lex, Value& out) {
  if (lex == Lexical::Token || enum_id < 0) return false;
  const int idx = index.find_enum(schema, static_cast<size_t>(enum_id), text);
  if (idx < 0) return false;
  out = Value::enumerated(static_cast<uint16_t>(enum_id), static_cast<uint32_t>(idx));
  return true;
}

// convert_scalar (BoolSyntax::Strict) for text known to be valid UTF-8 without NUL: the
// successful conversions that need no more than a glance (no errors, no CSV booleans).
inline bool convert_clean(const Schema& schema, const SchemaIndex& index, const FieldDef& f, std::string_view text,
                          Lexical lex, TextStore& texts, Value& out) {
  switch (f.type) {
    case FieldType::Boolean:
      if (lex == Lexical::Quoted) return false;
      if (text == "true") {
        out = Value::boolean(true);
        return true;
      }
      if (text == "false") {
        out = Value::boolean(false);
        return true;
      }
      return false;
    case FieldType::Integer:
    case FieldType::Number: {
      double v = 0;
      if (lex == Lexical::Quoted || !small_integer(text, v) || !in_range(f, v)) return false;
      out = Value::number(v);
      return true;
    }
    case FieldType::Text:
      if (lex == Lexical::Token || f.min_length != 0 || f.max_length != 0) return false;
      out = Value::string(texts.keep(text));
      return true;
    case FieldType::Date: {
      DateRange d;
      if (lex == Lexical::Token || !fast_date(text, d)) return false;
      out = Value::date_range(d.lo, d.hi);
      return true;
    }
    case FieldType::Enum:
      return convert_clean_enum(schema, index, f.enum_id, text, lex, out);
    case FieldType::List:
      return false;
  }
  return false;
}

// "expected an integer" / "expected a number" / ... / "expected a list": what a field of this
// type holds, for type errors about containers and nulls ("expected a date, got a list").
std::string_view expected_phrase(const FieldDef& f, BoolSyntax bools);

// ---------------------------------------------------------------- shared by the readers

inline constexpr size_t kMaxSlots = 256;  // a FieldRef holds the slot in 8 bits
using SlotSet = std::bitset<kMaxSlots>;

// Appends an error whose message is "<field>: <message>" ("<message>" when field is empty).
void add_error(std::vector<InputError>& errors, const char* kind, std::string field, Pos pos, std::string_view message);
// Appends the error of a failed conversion; for encoding errors sets has_offset and
// pos.offset = offset_base + se.offset.
void add_scalar_error(std::vector<InputError>& errors, std::string field, Pos pos, const ScalarError& se,
                      uint32_t offset_base);
// "<field>: N items, more than the limit of M" (kind limit).
void add_limit_error(std::vector<InputError>& errors, std::string field, Pos pos, size_t count, size_t limit);
// Required top-level fields not in `present`: the record id -> missing_id, others ->
// missing_field, message "<path>: missing (required)", at `pos` (the case or record).
void check_required(const Schema& schema, const SlotSet& present, Pos pos, std::vector<InputError>& errors);
// "unknown <noun> '<path>' (did you mean '<prefix><suggestion>'?)"; without the parenthesis when
// suggestion is empty. `path` is cleaned (invalid UTF-8 -> '?').
std::string unknown_message(std::string_view noun, std::string_view path, std::string_view prefix,
                            std::string_view suggestion);
// Appends `count` Record items for elements of list field `slot` (aux = make_ref(slot, i + 1),
// e = first subfield) followed by count * k unknown subfield Values (positions invalid).
// Returns the index of the first Record item; subfields of element i start at
// base + count + i * k.
uint32_t append_record_items(Patient& out, uint32_t slot, uint32_t count, uint32_t k);
// Does field f lie under the group whose path is prefix->segments[0..depth)?
inline bool under_group(const FieldDef& f, const FieldDef* prefix, size_t depth) {
  if (f.segments.size() <= depth) return false;
  for (size_t i = 0; i < depth; ++i) {
    if (f.segments[i] != prefix->segments[i]) return false;
  }
  return true;
}
// The field or group that mapping key `key` names (as SchemaIndex::find_key: a mapping at
// `scope` whose keys are segment `depth` of the paths under prefix->segments[0..depth)):
// field `guess` first (keys tend to come in schema order), then the index, then a scan of
// the schema. Neither field nor group set: an unknown key.
SchemaIndex::KeyHit scan_key(const Schema& schema, const FieldDef* prefix, size_t depth, std::string_view key);
inline SchemaIndex::KeyHit lookup_key(const Schema& schema, const SchemaIndex& index, size_t guess,
                                      const FieldDef* prefix, size_t depth, uint32_t scope, std::string_view key) {
  SchemaIndex::KeyHit hit;
  if (index.match_key(schema, guess, prefix, depth, key, hit) ||
      index.find_key(schema, scope, prefix, depth, key, hit)) {
    return hit;
  }
  return scan_key(schema, prefix, depth, key);
}
// The index of the subfield of List of Record `f` that key `key` names (subfield `guess`
// first, then the index, then a scan), or -1.
int scan_sub(const FieldDef& f, std::string_view key);
inline int lookup_sub(const SchemaIndex& index, const FieldDef& f, size_t guess, std::string_view key) {
  if (SchemaIndex::match_sub(f, guess, key)) return static_cast<int>(guess);
  const int sub = index.find_sub(f, key);
  return sub >= 0 ? sub : scan_sub(f, key);
}
// Does the list hold more than its max_items (or more than a FieldRef element can name)?
inline bool too_many_items(const FieldDef& f, size_t count) {
  return count > f.max_items || count >= 0xFFFFU;
}

}  // namespace oligoscreen::detail::scalar
