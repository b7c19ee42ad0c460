#include "patient/scalar_parse.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

#include "core/date.hpp"
#include "core/utf8.hpp"

namespace oligoscreen::detail::scalar {

namespace {

constexpr size_t kQuoteMax = 64;  // bytes of a value echoed in a message

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

inline char lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  }
  return true;
}

bool is_integer_text(std::string_view s) {
  bool integral = false;
  return is_decimal(s, &integral) && integral;
}

// "got text '54'", "got '0x10'", "got 12" (a JSON token is echoed as written, unquoted).
void append_got(std::string& out, std::string_view text, Lexical lex) {
  out += ", got ";
  if (lex == Lexical::Token) {
    out.append(text.substr(0, kQuoteMax));
    if (text.size() > kQuoteMax) out += "...";
  } else {
    if (lex == Lexical::Quoted) out += "text ";
    append_quoted(out, text);
  }
}

#define OLIGO_COLD [[gnu::cold, gnu::noinline]]

OLIGO_COLD void type_error(ScalarError& err, std::string_view expected, std::string_view text, Lexical lex) {
  err.kind = "type";
  err.message.assign(expected);
  append_got(err.message, text, lex);
}

// Range message for a number (see the header for the wording).
OLIGO_COLD void range_error(ScalarError& err, const FieldDef& f, std::string_view written) {
  err.kind = "range";
  std::string& m = err.message;
  m.clear();
  m.append(written.substr(0, kQuoteMax));
  if (f.min && f.max) {
    if (!f.min_exclusive && !f.max_exclusive && *f.min >= 0) {
      m += " is outside ";
      append_number(m, *f.min);
      m += '-';
      append_number(m, *f.max);
    } else {
      m += " is outside ";
      m += f.min_exclusive ? '(' : '[';
      append_number(m, *f.min);
      m += ", ";
      append_number(m, *f.max);
      m += f.max_exclusive ? ')' : ']';
    }
  } else if (f.min) {
    m += f.min_exclusive ? " is not greater than " : " is less than ";
    append_number(m, *f.min);
  } else if (f.max) {
    m += f.max_exclusive ? " is not less than " : " is greater than ";
    append_number(m, *f.max);
  }
}

OLIGO_COLD bool check_encoding_slow(std::string_view text, ScalarError& err) {
  const size_t bad = first_bad_byte(text);
  if (bad == std::string_view::npos) return true;
  err.kind = "encoding";
  err.has_offset = true;
  err.offset = static_cast<uint32_t>(bad);
  if (text[bad] == '\0') {
    err.message = "NUL byte not allowed";
  } else {
    err.message = "invalid UTF-8 (";
    err.message.append(utf8_error_reason(text, bad));
    err.message += ')';
  }
  return false;
}

inline bool check_encoding(std::string_view text, ScalarError& err) {
  return ascii_without_nul(text) || check_encoding_slow(text, err);
}

OLIGO_COLD bool enum_miss(const EnumDef& e, int enum_id, std::string_view text, Value& out, ScalarError& err);

bool lookup_enum(const Schema& schema, int enum_id, std::string_view text, Lexical lex, Value& out, ScalarError& err,
                 const SchemaIndex* index) {
  if (enum_id < 0 || static_cast<size_t>(enum_id) >= schema.enums.size()) {
    err.kind = "type";
    err.message = "field has no enum (schema error)";
    return false;
  }
  const EnumDef& e = schema.enums[static_cast<size_t>(enum_id)];
  if (lex == Lexical::Token) {
    type_error(err, "expected one of the allowed values", text, lex);
    return false;
  }
  if (index == nullptr) index = &SchemaIndex::of(schema);
  const int idx = index->find_enum(schema, static_cast<size_t>(enum_id), text);
  if (idx < 0) return enum_miss(e, enum_id, text, out, err);
  out = Value::enumerated(static_cast<uint16_t>(enum_id), static_cast<uint32_t>(idx));
  return true;
}

// Not in the index: a scan makes sure (the index can only miss), else the enum error.
bool enum_miss(const EnumDef& e, int enum_id, std::string_view text, Value& out, ScalarError& err) {
  const int idx = e.index_of(text);
  if (idx >= 0) {
    out = Value::enumerated(static_cast<uint16_t>(enum_id), static_cast<uint32_t>(idx));
    return true;
  }
  err.kind = "enum";
  std::string& m = err.message;
  m.clear();
  append_quoted(m, text);
  m += " is not an allowed value";
  DidYouMean dym(text);
  for (const auto& v : e.values) dym.offer(v);
  if (!dym.best().empty()) {
    m += " (did you mean '";
    m.append(dym.best());
    m += "'?)";
  }
  m += "; allowed: ";
  for (size_t i = 0; i < e.values.size(); ++i) {
    if (i != 0) m += ", ";
    m += e.values[i];
  }
  return false;
}

}  // namespace

bool is_decimal(std::string_view s, bool* integral_form) {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n || !is_digit(s[i])) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (i < n && is_digit(s[i])) ++i;
  }
  bool integral = true;
  if (i < n && s[i] == '.') {
    integral = false;
    ++i;
    if (i >= n || !is_digit(s[i])) return false;
    while (i < n && is_digit(s[i])) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    integral = false;
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= n || !is_digit(s[i])) return false;
    while (i < n && is_digit(s[i])) ++i;
  }
  if (i != n) return false;
  if (integral_form != nullptr) *integral_form = integral;
  return true;
}

DecimalStatus parse_decimal(std::string_view s, double& out) {
  if (!is_decimal(s)) return DecimalStatus::NotDecimal;
  double v = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (res.ec == std::errc::result_out_of_range) return DecimalStatus::OutOfRange;
  if (res.ec != std::errc() || res.ptr != s.data() + s.size() || !std::isfinite(v)) {
    return DecimalStatus::NotDecimal;
  }
  out = v;
  return DecimalStatus::Ok;
}

size_t first_bad_byte(std::string_view s) {
  const size_t bad = utf8_invalid_offset(s);
  // NUL is valid UTF-8 but never valid patient data.
  const void* nul = s.empty() ? nullptr : std::memchr(s.data(), '\0', bad == std::string_view::npos ? s.size() : bad);
  if (nul != nullptr) return static_cast<size_t>(static_cast<const char*>(nul) - s.data());
  return bad;
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1U : 0U;
  return n;
}

int edit_distance(std::string_view a, std::string_view b, int cap) {
  const auto la = static_cast<int>(a.size());
  const auto lb = static_cast<int>(b.size());
  if (la - lb > cap || lb - la > cap) return cap + 1;
  if (la >= 63 || lb >= 63) return a == b ? 0 : cap + 1;
  int prev[64];
  int cur[64];
  for (int j = 0; j <= lb; ++j) prev[j] = j;
  for (int i = 1; i <= la; ++i) {
    cur[0] = i;
    int row_min = cur[0];
    for (int j = 1; j <= lb; ++j) {
      const int sub = prev[j - 1] + (a[static_cast<size_t>(i - 1)] == b[static_cast<size_t>(j - 1)] ? 0 : 1);
      const int del = prev[j] + 1;
      const int ins = cur[j - 1] + 1;
      int m = sub < del ? sub : del;
      m = m < ins ? m : ins;
      cur[j] = m;
      row_min = m < row_min ? m : row_min;
    }
    if (row_min > cap) return cap + 1;
    for (int j = 0; j <= lb; ++j) prev[j] = cur[j];
  }
  return prev[lb] > cap ? cap + 1 : prev[lb];
}

void DidYouMean::offer(std::string_view candidate) {
  if (candidate.empty() || candidate == word_) return;
  const int d = edit_distance(word_, candidate, 2);
  if (d <= 2 && d < best_d_ && static_cast<size_t>(d) < word_.size()) {
    best_d_ = d;
    best_ = candidate;
  }
}

void append_clean(std::string& out, std::string_view value, size_t max_bytes) {
  size_t i = 0;
  const size_t n = value.size();
  while (i < n) {
    const Utf8Step st = utf8_step(value, i);
    if (i + st.length > max_bytes) {
      out += "...";
      break;
    }
    if (!st.valid || value[i] == '\0') {
      out += '?';
    } else {
      out.append(value.substr(i, st.length));
    }
    i += st.length;
  }
}

void append_quoted(std::string& out, std::string_view value) {
  out += '\'';
  append_clean(out, value, kQuoteMax);
  out += '\'';
}

void append_number(std::string& out, double v) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

std::string_view expected_phrase(const FieldDef& f, BoolSyntax bools) {
  switch (f.type) {
    case FieldType::Boolean:
      return bools == BoolSyntax::Csv ? "expected true/false, yes/no or 1/0" : "expected true or false";
    case FieldType::Integer:
      return "expected an integer";
    case FieldType::Number:
      return "expected a number";
    case FieldType::Text:
      return f.record_id ? "expected text or an integer" : "expected text";
    case FieldType::Date:
      return "expected a date";
    case FieldType::Enum:
      return "expected one of the allowed values";
    case FieldType::List:
      return f.of == ListOf::Record ? "expected a list of mappings" : "expected a list";
  }
  return "expected a value";
}

namespace {

OLIGO_COLD void length_error(ScalarError& err, const FieldDef& f, size_t len) {
  err.kind = "range";
  std::string& m = err.message;
  m = "length ";
  append_number(m, static_cast<double>(len));
  if (f.max_length != 0) {
    m += " is outside ";
    append_number(m, f.min_length);
    m += '-';
    append_number(m, f.max_length);
    m += " characters";
  } else {
    m += " is less than the minimum of ";
    append_number(m, f.min_length);
    m += " characters";
  }
}

// Integer and Number fields beyond small_integer: the full grammar, and the errors. YAML and
// CSV numbers are plain decimals (spec/patient-format.md: `14`, `14.5`): an exponent is the
// JSON number grammar's alone.
[[gnu::noinline]] bool convert_decimal(const FieldDef& f, std::string_view text, Lexical lex, BoolSyntax bools,
                                       double& v, ScalarError& err) {
  const bool exponent = lex == Lexical::Bare && text.find_first_of("eE") != std::string_view::npos;
  const DecimalStatus st = lex == Lexical::Quoted || exponent ? DecimalStatus::NotDecimal : parse_decimal(text, v);
  if (st == DecimalStatus::NotDecimal) {
    type_error(err, expected_phrase(f, bools), text, lex);
    return false;
  }
  if (st == DecimalStatus::OutOfRange) {
    err.kind = "range";
    err.message.assign(text.substr(0, kQuoteMax));
    const size_t e = text.find_first_of("eE");
    const bool tiny = e != std::string_view::npos && e + 1 < text.size() && text[e + 1] == '-';
    err.message += tiny ? " is too small to represent" : " is too large";
    return false;
  }
  if (f.type == FieldType::Integer && std::floor(v) != v) {
    err.kind = "type";
    err.message.assign(text.substr(0, kQuoteMax));
    err.message += " must be a whole number";
    return false;
  }
  return true;
}

}  // namespace

bool convert_scalar(const Schema& schema, const FieldDef& f, std::string_view text, Lexical lex, BoolSyntax bools,
                    TextStore& texts, Value& out, ScalarError& err, const SchemaIndex* index) {
  if (!check_encoding(text, err)) return false;
  switch (f.type) {
    case FieldType::Boolean: {
      if (lex != Lexical::Quoted) {
        if (text == "true") {
          out = Value::boolean(true);
          return true;
        }
        if (text == "false") {
          out = Value::boolean(false);
          return true;
        }
        if (bools == BoolSyntax::Csv) {
          if (iequals(text, "true") || iequals(text, "yes") || text == "1") {
            out = Value::boolean(true);
            return true;
          }
          if (iequals(text, "false") || iequals(text, "no") || text == "0") {
            out = Value::boolean(false);
            return true;
          }
        }
      }
      type_error(err, expected_phrase(f, bools), text, lex);
      return false;
    }
    case FieldType::Integer:
    case FieldType::Number: {
      double v = 0;
      if ((lex == Lexical::Quoted || !small_integer(text, v)) && !convert_decimal(f, text, lex, bools, v, err)) {
        return false;
      }
      if (!in_range(f, v)) {
        range_error(err, f, text);
        return false;
      }
      out = Value::number(v);
      return true;
    }
    case FieldType::Text: {
      if (lex == Lexical::Token && !(f.record_id && is_integer_text(text))) {
        type_error(err, expected_phrase(f, bools), text, lex);
        return false;
      }
      const size_t len = (f.min_length != 0 || f.max_length != 0) ? utf8_length(text) : 0;
      if (len < f.min_length || (f.max_length != 0 && len > f.max_length)) {
        length_error(err, f, len);
        return false;
      }
      out = Value::string(texts.keep(text));
      return true;
    }
    case FieldType::Date: {
      if (lex == Lexical::Token) {
        type_error(err, expected_phrase(f, bools), text, lex);
        return false;
      }
      DateRange fast;
      if (fast_date(text, fast)) {
        out = Value::date_range(fast.lo, fast.hi);
        return true;
      }
      const auto d = parse_date(text);
      if (!d) {
        err.kind = "date";
        err.message.clear();
        append_quoted(err.message, text);
        err.message += " is not a valid date (YYYY-MM-DD or YYYY-MM)";
        return false;
      }
      out = Value::date_range(d->lo, d->hi);
      return true;
    }
    case FieldType::Enum:
      return lookup_enum(schema, f.enum_id, text, lex, out, err, index);
    case FieldType::List:
      type_error(err, expected_phrase(f, bools), text, lex);
      return false;
  }
  type_error(err, "expected a value", text, lex);
  return false;
}

bool convert_enum_item(const Schema& schema, int enum_id, std::string_view text, Lexical lex, Value& out,
                       ScalarError& err, const SchemaIndex* index) {
  if (!check_encoding(text, err)) return false;
  return lookup_enum(schema, enum_id, text, lex, out, err, index);
}

void add_error(std::vector<InputError>& errors, const char* kind, std::string field, Pos pos,
               std::string_view message) {
  InputError e;
  e.kind = kind;
  e.pos = pos;
  e.message.reserve(field.size() + 2 + message.size());
  if (!field.empty()) {
    e.message = field;
    e.message += ": ";
  }
  e.message.append(message);
  e.field = std::move(field);
  errors.push_back(std::move(e));
}

void add_scalar_error(std::vector<InputError>& errors, std::string field, Pos pos, const ScalarError& se,
                      uint32_t offset_base) {
  add_error(errors, se.kind, std::move(field), pos, se.message);
  if (se.has_offset) {
    errors.back().has_offset = true;
    errors.back().pos.offset = offset_base + se.offset;
  }
}

void add_limit_error(std::vector<InputError>& errors, std::string field, Pos pos, size_t count, size_t limit) {
  std::string m;
  append_number(m, static_cast<double>(count));
  m += " items, more than the limit of ";
  append_number(m, static_cast<double>(limit < 0xFFFEU ? limit : 0xFFFEU));
  add_error(errors, "limit", std::move(field), pos, m);
}

void check_required(const Schema& schema, const SlotSet& present, Pos pos, std::vector<InputError>& errors) {
  for (const FieldDef& f : schema.fields) {
    if (f.slot >= kMaxSlots || present.test(f.slot)) continue;
    if (f.record_id || static_cast<int>(f.slot) == schema.record_id_slot) {
      add_error(errors, "missing_id", f.path, pos, "missing (required)");
    } else if (f.required) {
      add_error(errors, "missing_field", f.path, pos, "missing (required)");
    }
  }
}

std::string unknown_message(std::string_view noun, std::string_view path, std::string_view prefix,
                            std::string_view suggestion) {
  std::string m = "unknown ";
  m.append(noun);
  m += " '";
  append_clean(m, path, 256);
  m += '\'';
  if (!suggestion.empty()) {
    m += " (did you mean '";
    m.append(prefix);
    m.append(suggestion);
    m += "'?)";
  }
  return m;
}

SchemaIndex::KeyHit scan_key(const Schema& schema, const FieldDef* prefix, size_t depth, std::string_view key) {
  SchemaIndex::KeyHit hit;  // not in the index: unknown, as a scan confirms
  for (const FieldDef& f : schema.fields) {
    if (!under_group(f, prefix, depth) || f.segments[depth] != key) continue;
    if (f.segments.size() == depth + 1) {
      hit.field = &f;
      break;
    }
    if (hit.group == nullptr) hit.group = &f;
  }
  return hit;
}

int scan_sub(const FieldDef& f, std::string_view key) {
  for (size_t s = 0; s < f.fields.size() && s < kMaxSlots - 1; ++s) {
    if (f.fields[s].path == key) return static_cast<int>(s);  // not in the index: scan to be sure
  }
  return -1;
}

uint32_t append_record_items(Patient& out, uint32_t slot, uint32_t count, uint32_t k) {
  const auto base = static_cast<uint32_t>(out.items.size());
  const uint32_t subs = base + count;
  out.items.resize(static_cast<size_t>(subs) + static_cast<size_t>(count) * k);
  out.item_pos.resize(out.items.size());
  for (uint32_t i = 0; i < count; ++i) {
    Value rec;
    rec.kind = VKind::Record;
    rec.aux = make_ref(slot, i + 1);
    rec.e = subs + i * k;
    out.items[base + i] = rec;
  }
  return base;
}

}  // namespace oligoscreen::detail::scalar
