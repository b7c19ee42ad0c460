// Word-at-a-time byte classification shared by the JSON readers (json_reader.cpp and the
// patient reader's JSON Lines fast lane).
#pragma once

#include <cstdint>

namespace oligoscreen::detail {

// Bytes of a string that need a closer look: '"', '\\', < 0x20, >= 0x80. Returns a mask with
// the high bit set in (at least) the first such byte of the 8 little-endian bytes in v,
// and no bit below it.
inline uint64_t special_bytes(uint64_t v) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const uint64_t q = v ^ (kOnes * '"');
  const uint64_t b = v ^ (kOnes * '\\');
  const uint64_t has_quote = (q - kOnes) & ~q;
  const uint64_t has_bs = (b - kOnes) & ~b;
  const uint64_t has_ctl = (v - kOnes * 0x20) & ~v;
  return (has_quote | has_bs | has_ctl | v) & kHigh;
}

}  // namespace oligoscreen::detail
