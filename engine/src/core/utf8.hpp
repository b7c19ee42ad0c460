// UTF-8 validation and source positions, shared by the JSON, YAML and CSV readers and the
// JSON writer.
//
// "Valid" means well-formed UTF-8 as defined by Unicode (Table 3-7 of the core spec) and
// RFC 3629: no overlong forms, no UTF-16 surrogates (U+D800..U+DFFF), nothing above
// U+10FFFF, no truncated sequence. NUL and other control characters are valid UTF-8; the
// readers decide about them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/source.hpp"

namespace oligoscreen::detail {

// One step of decoding at s[i] (i < s.size()).
//  - valid:   `length` (1-4) is the length of the well-formed sequence at s[i].
//  - invalid: `length` (>= 1) is the length of the maximal subpart (the bytes that start
//             like a valid sequence before it breaks), i.e. the bytes that one U+FFFD
//             replaces under the Unicode "substitution of maximal subparts" practice.
struct Utf8Step {
  uint8_t length = 1;
  bool valid = true;
};
Utf8Step utf8_step(std::string_view s, size_t i);

// Byte offset of the first byte that is not part of a well-formed sequence, or npos when
// the whole of s is valid UTF-8. ASCII runs are checked eight bytes at a time.
size_t utf8_invalid_offset(std::string_view s);

// True when every byte of s is ASCII and none is NUL: the common case of patient data, valid
// UTF-8 with nothing a reader rejects. Eight bytes at a time.
inline bool ascii_without_nul(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const char* p = s.data();
  size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    if ((((v - kOnes) & ~v) | v) & kHigh) return false;  // a zero byte, or a byte >= 0x80
  }
  for (; n != 0; ++p, --n) {
    if (static_cast<unsigned char>(static_cast<unsigned char>(*p) - 1U) >= 0x7FU) return false;
  }
  return true;
}

// Why the bytes at s[offset] are not valid UTF-8 (for messages), e.g. "overlong encoding",
// "UTF-16 surrogate", "code point above U+10FFFF", "truncated sequence",
// "unexpected continuation byte", "invalid byte 0xFF". Returns "valid" when they are valid.
std::string_view utf8_error_reason(std::string_view s, size_t offset);

// Position of byte `offset` of `text` (offset > text.size() is clamped to text.size()).
//  - line: 1 + the number of '\n' before offset (a lone '\r' does not end a line; in
//    "\r\n" the '\r' is the last column of its line).
//  - col:  1 + the number of UTF-8 code points between the start of the line and offset,
//    so a character after "é" on a line is at col 2, not 3. An invalid sequence counts as one
//    column per maximal subpart (as one U+FFFD would); a sequence that straddles `offset`
//    counts as one column.
//  - offset: the byte offset itself.
Pos utf8_position(std::string_view text, size_t offset);

}  // namespace oligoscreen::detail
