#include "json/json_writer.hpp"

#include <bit>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/utf8.hpp"

namespace oligoscreen::detail {

namespace {

// 0: copy as is; 1: needs an escape; 2: first byte of a non-ASCII sequence (validate).
constexpr std::array<uint8_t, 256> make_escape_table() {
  std::array<uint8_t, 256> t{};
  for (size_t c = 0; c < 0x20; ++c) t[c] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  for (size_t c = 0x80; c < 0x100; ++c) t[c] = 2;
  return t;
}
constexpr std::array<uint8_t, 256> kEscape = make_escape_table();

// Writes the ECMAScript form of a finite, non-zero v into buf (at least 40 bytes); returns
// the end.
char* write_finite(char* buf, double v) {
  char* w = buf;
  // Integral values below 2^53 in magnitude: exact integer digits (the common case).
  if (std::fabs(v) < 9007199254740992.0 && v == std::trunc(v)) {
    return std::to_chars(w, w + 40, static_cast<int64_t>(v)).ptr;
  }
  char sci[40];
  const auto r = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific);
  const char* p = sci;
  if (*p == '-') {
    *w++ = '-';
    ++p;
  }
  // sci is "d[.ddd]e[+-]XX": collect digits and the exponent.
  char digits[24];
  int k = 0;
  while (p < r.ptr && *p != 'e') {
    if (*p != '.') digits[k++] = *p;
    ++p;
  }
  ++p;  // 'e'
  const bool neg_exp = *p == '-';
  ++p;  // sign
  int e = 0;
  while (p < r.ptr) e = e * 10 + (*p++ - '0');
  if (neg_exp) e = -e;
  const int n = e + 1;  // ECMAScript n: value = 0.d1d2..dk x 10^n
  if (k <= n && n <= 21) {
    std::memcpy(w, digits, static_cast<size_t>(k));
    w += k;
    for (int z = 0; z < n - k; ++z) *w++ = '0';
  } else if (0 < n && n <= 21) {
    std::memcpy(w, digits, static_cast<size_t>(n));
    w += n;
    *w++ = '.';
    std::memcpy(w, digits + n, static_cast<size_t>(k - n));
    w += k - n;
  } else if (-6 < n && n <= 0) {
    *w++ = '0';
    *w++ = '.';
    for (int z = 0; z < -n; ++z) *w++ = '0';
    std::memcpy(w, digits, static_cast<size_t>(k));
    w += k;
  } else {
    *w++ = digits[0];
    if (k > 1) {
      *w++ = '.';
      std::memcpy(w, digits + 1, static_cast<size_t>(k - 1));
      w += k - 1;
    }
    *w++ = 'e';
    *w++ = n - 1 >= 0 ? '+' : '-';
    w = std::to_chars(w, w + 8, n - 1 >= 0 ? n - 1 : -(n - 1)).ptr;
  }
  return w;
}

// Bit 7 of byte k set when byte k of the little-endian word x may need attention: '"', '\\',
// below U+0020, or non-ASCII. The lowest set bit is exact (higher ones may be false
// positives from borrows), which is all the scan below uses.
inline uint64_t special_bytes(uint64_t x) {
  constexpr uint64_t k01 = 0x0101010101010101ULL;
  constexpr uint64_t k80 = 0x8080808080808080ULL;
  const uint64_t quote = x ^ (k01 * '"');
  const uint64_t backslash = x ^ (k01 * '\\');
  return (x | ((x - k01 * 0x20) & ~x) | ((quote - k01) & ~quote) | ((backslash - k01) & ~backslash)) & k80;
}

// Index of the first byte at or after i that needs escaping or validation, or n.
inline size_t next_special(const char* p, size_t i, size_t n) {
  if constexpr (std::endian::native == std::endian::little) {
    for (; i + 8 <= n; i += 8) {
      uint64_t x;
      std::memcpy(&x, p + i, 8);
      const uint64_t m = special_bytes(x);
      if (m != 0) return i + static_cast<size_t>(std::countr_zero(m) >> 3);
    }
  }
  for (; i < n; ++i) {
    if (kEscape[static_cast<unsigned char>(p[i])] != 0) return i;
  }
  return n;
}

}  // namespace

void append_json_string_body(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* p = s.data();
  const size_t n = s.size();
  size_t run = 0;  // start of the pending run of bytes copied as is
  size_t i = next_special(p, 0, n);
  while (i < n) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (kEscape[c] == 2) {
      const Utf8Step st = utf8_step(s, i);
      if (!st.valid) {
        out.append(p + run, i - run);
        out.append("\xEF\xBF\xBD", 3);
        run = i + st.length;
      }
      i = next_special(p, i + st.length, n);
      continue;
    }
    out.append(p + run, i - run);
    switch (c) {
      case '"':
        out.append("\\\"", 2);
        break;
      case '\\':
        out.append("\\\\", 2);
        break;
      case '\b':
        out.append("\\b", 2);
        break;
      case '\f':
        out.append("\\f", 2);
        break;
      case '\n':
        out.append("\\n", 2);
        break;
      case '\r':
        out.append("\\r", 2);
        break;
      case '\t':
        out.append("\\t", 2);
        break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(esc, 6);
      }
    }
    run = i + 1;
    i = next_special(p, run, n);
  }
  out.append(p + run, n - run);
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  append_json_string_body(out, s);
  out.push_back('"');
}

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out.append("NaN");
  } else if (std::isinf(v)) {
    out.append(v > 0 ? "Infinity" : "-Infinity");
  } else if (v == 0) {
    out.push_back('0');  // also -0
  } else {
    char buf[48];
    char* end = write_finite(buf, v);
    out.append(buf, static_cast<size_t>(end - buf));
  }
}

std::string format_number(double v) {
  std::string s;
  append_number(s, v);
  return s;
}

void JsonWriter::newline_indent(uint32_t depth) {
  out_.push_back('\n');
  out_.append(static_cast<size_t>(depth) * 2, ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  uint8_t& lv = level(depth_ - 1);
  assert((lv & kObject) == 0 && "JsonWriter: value inside an object without key()");
  if (lv & kHasItems) out_.push_back(',');
  lv |= kHasItems;
  if (pretty_) newline_indent(depth_);
}

void JsonWriter::open(char c, uint8_t flags) {
  before_value();
  out_.push_back(c);
  if (depth_ >= small_.size()) {
    big_.resize(depth_ - small_.size() + 1);
  }
  level(depth_) = flags;
  ++depth_;
}

void JsonWriter::close(char c, [[maybe_unused]] bool object) {
  assert(depth_ > 0 && !after_key_ && "JsonWriter: unbalanced end");
  const uint8_t lv = level(depth_ - 1);
  assert(((lv & kObject) != 0) == object && "JsonWriter: mismatched end");
  --depth_;
  if (pretty_ && (lv & kHasItems)) newline_indent(depth_);
  out_.push_back(c);
}

JsonWriter& JsonWriter::begin_object() {
  open('{', kObject);
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  close('}', true);
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  open('[', 0);
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  close(']', false);
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  assert(depth_ > 0 && !after_key_ && (level(depth_ - 1) & kObject) && "JsonWriter: key() outside an object");
  uint8_t& lv = level(depth_ - 1);
  if (lv & kHasItems) out_.push_back(',');
  lv |= kHasItems;
  if (pretty_) newline_indent(depth_);
  append_json_string(out_, name);
  out_.push_back(':');
  if (pretty_) out_.push_back(' ');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  before_value();
  append_json_string(out_, value);
  return *this;
}

JsonWriter& JsonWriter::number(double value) {
  before_value();
  if (std::isfinite(value)) {
    append_number(out_, value);
  } else {
    out_.append("null");
  }
  return *this;
}

JsonWriter& JsonWriter::integer(int64_t value) {
  before_value();
  char buf[24];
  char* end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out_.append(buf, static_cast<size_t>(end - buf));
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  before_value();
  out_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_.append("null");
  return *this;
}

JsonWriter& JsonWriter::resume_object() {
  assert(!after_key_ && "JsonWriter: resume_object() after key()");
  if (depth_ >= small_.size()) big_.resize(depth_ - small_.size() + 1);
  level(depth_) = kObject | kHasItems;
  ++depth_;
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_.append(json);
  return *this;
}

}  // namespace oligoscreen::detail
