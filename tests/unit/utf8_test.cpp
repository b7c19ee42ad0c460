// UTF-8 validation (Unicode Table 3-7) and line/column positions.
#include "core/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace oligoscreen::detail {
namespace {

constexpr size_t npos = std::string_view::npos;

TEST(Utf8, ValidText) {
  EXPECT_EQ(utf8_invalid_offset(""), npos);
  EXPECT_EQ(utf8_invalid_offset("plain ASCII, longer than eight bytes"), npos);
  EXPECT_EQ(utf8_invalid_offset(std::string("nul \0 inside", 12)), npos);
  EXPECT_EQ(utf8_invalid_offset("\xC2\x80 \xDF\xBF \xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xEF\xBF\xBF"), npos);
  EXPECT_EQ(utf8_invalid_offset("\xF0\x90\x80\x80 \xF4\x8F\xBF\xBF"), npos);  // U+10000, U+10FFFF
  EXPECT_EQ(utf8_invalid_offset("Großhadern – 😀"), npos);
}

TEST(Utf8, InvalidOffsetsAndReasons) {
  struct Case {
    std::string text;
    size_t offset;
    std::string_view reason;
  };
  const Case cases[] = {
      {"ab\xFF", 2, "invalid byte 0xFF"},
      {"\xF5\x80\x80\x80", 0, "invalid byte 0xF5"},
      {"x\x80", 1, "unexpected continuation byte"},
      {"\xC0\xAF", 0, "overlong encoding"},  // '/' overlong
      {"\xC1\xBF", 0, "overlong encoding"},
      {"\xE0\x80\xAF", 0, "overlong encoding"},
      {"\xF0\x80\x80\xAF", 0, "overlong encoding"},
      {"ok \xED\xA0\x80", 3, "UTF-16 surrogate"},  // U+D800
      {"\xED\xBF\xBF", 0, "UTF-16 surrogate"},     // U+DFFF
      {"\xF4\x90\x80\x80", 0, "code point above U+10FFFF"},
      {"\xE2\x82", 0, "truncated sequence"},   // end of text
      {"\xE2\x82x", 0, "truncated sequence"},  // ASCII inside
      {"\xC3", 0, "truncated sequence"},
      {"abcdefgh\xC3(", 8, "truncated sequence"},  // after the 8-byte fast path
      {"\xF0\x9F\x98", 0, "truncated sequence"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(utf8_invalid_offset(c.text), c.offset) << c.reason;
    EXPECT_EQ(utf8_error_reason(c.text, c.offset), c.reason);
  }
}

TEST(Utf8, StepMaximalSubparts) {
  EXPECT_EQ(utf8_step("a", 0).length, 1);
  EXPECT_TRUE(utf8_step("\xF0\x9F\x98\x80", 0).valid);
  EXPECT_EQ(utf8_step("\xF0\x9F\x98\x80", 0).length, 4);
  // Truncated sequences: the whole valid prefix is one subpart.
  EXPECT_FALSE(utf8_step("\xF0\x9F\x98x", 0).valid);
  EXPECT_EQ(utf8_step("\xF0\x9F\x98x", 0).length, 3);
  EXPECT_EQ(utf8_step("\xE2\x82", 0).length, 2);
  // A second byte outside the allowed range: the lead byte alone.
  EXPECT_EQ(utf8_step("\xE0\x80\x80", 0).length, 1);
  EXPECT_EQ(utf8_step("\xED\xA0\x80", 0).length, 1);
  EXPECT_EQ(utf8_step("\xC0\xAF", 0).length, 1);
  EXPECT_EQ(utf8_step("\x80", 0).length, 1);
}

Pos pos(std::string_view text, size_t offset) {
  return utf8_position(text, offset);
}

TEST(Utf8, Positions) {
  const std::string text = "ab\ncd\r\nxé😀z\n";
  EXPECT_EQ(pos(text, 0).line, 1u);
  EXPECT_EQ(pos(text, 0).col, 1u);
  EXPECT_EQ(pos(text, 2).col, 3u);  // the '\n' itself ends line 1
  EXPECT_EQ(pos(text, 2).line, 1u);
  EXPECT_EQ(pos(text, 3).line, 2u);
  EXPECT_EQ(pos(text, 3).col, 1u);
  EXPECT_EQ(pos(text, 5).col, 3u);  // '\r' is the last column of its line
  const size_t z = text.find('z');
  EXPECT_EQ(pos(text, z).line, 3u);
  EXPECT_EQ(pos(text, z).col, 4u);  // x é 😀 z: code points, not bytes
  EXPECT_EQ(pos(text, z).offset, z);
  EXPECT_EQ(pos(text, text.size()).line, 4u);
  EXPECT_EQ(pos(text, text.size()).col, 1u);
  EXPECT_EQ(pos(text, 1000).offset, text.size());  // clamped
}

TEST(Utf8, PositionsWithInvalidBytes) {
  // Each maximal invalid subpart counts as one column, as one U+FFFD would.
  const std::string text = "\xFF\xFE\xE2\x82x";
  EXPECT_EQ(pos(text, 4).col, 4u);
  // An offset inside a sequence: the sequence counts once.
  EXPECT_EQ(pos("\xC3\xA9x", 1).col, 2u);
  // A lone CR does not end a line.
  EXPECT_EQ(pos("a\rb", 2).line, 1u);
  EXPECT_EQ(pos("a\rb", 2).col, 3u);
}

}  // namespace
}  // namespace oligoscreen::detail
