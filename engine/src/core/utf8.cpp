#include "core/utf8.hpp"

#include <cstring>

namespace oligoscreen::detail {

namespace {

inline unsigned char byte_at(std::string_view s, size_t i) {
  return static_cast<unsigned char>(s[i]);
}

// Range the second byte must fall in for lead byte c (Unicode Table 3-7), and the number of
// continuation bytes after the lead. need == 0 for a byte that can never lead.
struct Lead {
  uint8_t need;
  uint8_t lo;
  uint8_t hi;
};

inline Lead lead_of(unsigned char c) {
  if (c < 0xC2) return {0, 0, 0};  // ASCII handled by callers; 80..BF continuation; C0/C1 overlong
  if (c < 0xE0) return {1, 0x80, 0xBF};
  if (c < 0xF0) return {2, c == 0xE0 ? uint8_t{0xA0} : uint8_t{0x80}, c == 0xED ? uint8_t{0x9F} : uint8_t{0xBF}};
  if (c < 0xF5) return {3, c == 0xF0 ? uint8_t{0x90} : uint8_t{0x80}, c == 0xF4 ? uint8_t{0x8F} : uint8_t{0xBF}};
  return {0, 0, 0};
}

}  // namespace

Utf8Step utf8_step(std::string_view s, size_t i) {
  const unsigned char c = byte_at(s, i);
  if (c < 0x80) return {1, true};
  const Lead lead = lead_of(c);
  if (lead.need == 0) return {1, false};
  if (i + 1 >= s.size()) return {1, false};
  const unsigned char c1 = byte_at(s, i + 1);
  if (c1 < lead.lo || c1 > lead.hi) return {1, false};
  for (uint8_t k = 2; k <= lead.need; ++k) {
    if (i + k >= s.size()) return {k, false};
    const unsigned char ck = byte_at(s, i + k);
    if (ck < 0x80 || ck > 0xBF) return {k, false};
  }
  return {static_cast<uint8_t>(lead.need + 1), true};
}

size_t utf8_invalid_offset(std::string_view s) {
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // ASCII fast path, 8 bytes at a time.
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if ((word & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    if (byte_at(s, i) < 0x80) {
      ++i;
      continue;
    }
    const Utf8Step st = utf8_step(s, i);
    if (!st.valid) return i;
    i += st.length;
  }
  return std::string_view::npos;
}

std::string_view utf8_error_reason(std::string_view s, size_t offset) {
  if (offset >= s.size()) return "truncated sequence";
  const unsigned char c = byte_at(s, offset);
  if (c < 0x80) return "valid";
  if (c <= 0xBF) return "unexpected continuation byte";
  if (c == 0xC0 || c == 0xC1) return "overlong encoding";
  if (c >= 0xF5) {
    static constexpr std::string_view kNames[] = {"invalid byte 0xF5", "invalid byte 0xF6", "invalid byte 0xF7",
                                                  "invalid byte 0xF8", "invalid byte 0xF9", "invalid byte 0xFA",
                                                  "invalid byte 0xFB", "invalid byte 0xFC", "invalid byte 0xFD",
                                                  "invalid byte 0xFE", "invalid byte 0xFF"};
    return kNames[c - 0xF5];
  }
  const Lead lead = lead_of(c);
  if (offset + 1 >= s.size()) return "truncated sequence";
  const unsigned char c1 = byte_at(s, offset + 1);
  if (c1 >= 0x80 && c1 <= 0xBF && (c1 < lead.lo || c1 > lead.hi)) {
    if (c == 0xED) return "UTF-16 surrogate";
    if (c == 0xF4) return "code point above U+10FFFF";
    return "overlong encoding";  // E0 or F0
  }
  if (utf8_step(s, offset).valid) return "valid";
  return "truncated sequence";
}

Pos utf8_position(std::string_view text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  const std::string_view before = text.substr(0, offset);
  const size_t last_nl = before.rfind('\n');
  const size_t line_start = last_nl == std::string_view::npos ? 0 : last_nl + 1;
  uint32_t line = 1;
  for (size_t i = 0; i < line_start; ++i) line += text[i] == '\n' ? 1U : 0U;
  uint32_t col = 1;
  size_t i = line_start;
  while (i < offset) {
    if (byte_at(text, i) < 0x80) {
      ++i;
    } else {
      const Utf8Step st = utf8_step(text, i);
      i += st.length;
    }
    ++col;
  }
  Pos p;
  p.line = line;
  p.col = col;
  p.offset = static_cast<uint32_t>(offset);
  return p;
}

}  // namespace oligoscreen::detail
