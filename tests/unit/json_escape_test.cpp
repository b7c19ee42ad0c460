// append_json_string scans eight bytes at a time; it must write exactly what a byte-by-byte
// escaper following json_writer.hpp writes, wherever the special bytes fall in the words.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/utf8.hpp"
#include "json/json_writer.hpp"

namespace oligoscreen::detail {
namespace {

std::string reference_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const Utf8Step st = utf8_step(s, i);
      if (st.valid) {
        out.append(s.substr(i, st.length));
      } else {
        out += "\xEF\xBF\xBD";
      }
      i += st.length;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out + "\"";
}

TEST(JsonEscape, MatchesBytewiseReference) {
  // Mostly plain ASCII with special bytes sprinkled at every position of a word, and UTF-8
  // sequences (valid, truncated, overlong, surrogates) across word boundaries.
  const std::string pieces[] = {"\"",
                                "\\",
                                "\x01",
                                "\x1f",
                                "\n",
                                "\t",
                                " ",
                                "\x7f",
                                "\xC3\xA9",
                                "\xE2\x89\xA5",
                                "\xF0\x9F\x98\x80",
                                "\xE2\x80\xA8",
                                "\xFF",
                                "\xC3",
                                "\xE2\x82",
                                "\xED\xA0\x80",
                                "\xC0\xAF",
                                "\x80",
                                std::string(1, '\0'),
                                "!",
                                "#",
                                "[",
                                "]",
                                "~",
                                "\x21\x23"};
  std::mt19937 rng(7);
  size_t checked = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const size_t len = rng() % 40;
    while (s.size() < len) {
      if (rng() % 4 == 0) {
        s += pieces[rng() % std::size(pieces)];
      } else {
        s += static_cast<char>('a' + rng() % 26);
      }
    }
    std::string out = "x";
    append_json_string(out, s);
    ASSERT_EQ(out, "x" + reference_escape(s)) << round;
    std::string body;
    append_json_string_body(body, s);
    ASSERT_EQ("\"" + body + "\"", reference_escape(s)) << round;
    ++checked;
  }
  // Every single byte at every offset of a 24-byte ASCII text.
  for (int b = 0; b < 256; ++b) {
    for (size_t at = 0; at < 24; ++at) {
      std::string s(24, 'k');
      s[at] = static_cast<char>(b);
      std::string out;
      append_json_string(out, s);
      ASSERT_EQ(out, reference_escape(s)) << b << " at " << at;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 20000U + 256U * 24U);
}

}  // namespace
}  // namespace oligoscreen::detail
