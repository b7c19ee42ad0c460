// JSON writer: structure, escaping, number forms (ECMAScript Number::toString), and that
// the output is always valid UTF-8 and valid JSON.
#include "json/json_writer.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "core/utf8.hpp"
#include "json/json_reader.hpp"

namespace oligoscreen::detail {
namespace {

std::string json_quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonWriter, CompactStructureAndCommas) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("id").string("TB-2024-017");
  w.key("age").integer(54);
  w.key("size").number(14.5);
  w.key("ok").boolean(true);
  w.key("no").boolean(false);
  w.key("none").null();
  w.key("list").begin_array().integer(1).number(2).begin_object().end_object().begin_array().end_array().end_array();
  w.key("nested").begin_object().key("a").begin_object().key("b").integer(-1).end_object().end_object();
  w.key("raw").raw(R"({"pre":[1]})");
  w.end_object();
  EXPECT_EQ(w.depth(), 0u);
  EXPECT_EQ(out, R"({"id":"TB-2024-017","age":54,"size":14.5,"ok":true,"no":false,"none":null,)"
                 R"("list":[1,2,{},[]],"nested":{"a":{"b":-1}},"raw":{"pre":[1]}})");
  Doc doc;
  JsonError err;
  EXPECT_TRUE(read_json(out, {}, doc, err)) << err.message;
}

TEST(JsonWriter, AppendsToExistingText) {
  std::string out = "prefix ";
  JsonWriter w(out);
  w.begin_array().string("a").end_array();
  EXPECT_EQ(out, R"(prefix ["a"])");
  // Several top-level values in sequence: nothing is inserted between them.
  JsonWriter w2(out);
  w2.integer(1);
  w2.integer(2);
  EXPECT_EQ(out, R"(prefix ["a"]12)");
}

TEST(JsonWriter, PrettyMode) {
  std::string out;
  JsonWriter w(out, true);
  w.begin_object();
  w.key("id").string("R1");
  w.key("reasons").begin_array();
  w.begin_object().key("code").string("age_unknown").key("evidence").begin_array().string("x").end_array().end_object();
  w.end_array();
  w.key("warnings").begin_array().end_array();
  w.key("empty").begin_object().end_object();
  w.end_object();
  EXPECT_EQ(out,
            "{\n"
            "  \"id\": \"R1\",\n"
            "  \"reasons\": [\n"
            "    {\n"
            "      \"code\": \"age_unknown\",\n"
            "      \"evidence\": [\n"
            "        \"x\"\n"
            "      ]\n"
            "    }\n"
            "  ],\n"
            "  \"warnings\": [],\n"
            "  \"empty\": {}\n"
            "}");
}

TEST(JsonWriter, DeepNesting) {
  std::string out;
  JsonWriter w(out);
  for (int i = 0; i < 100; ++i) w.begin_array();
  EXPECT_EQ(w.depth(), 100u);
  w.integer(1).integer(2);
  for (int i = 0; i < 100; ++i) w.end_array();
  EXPECT_EQ(out, std::string(100, '[') + "1,2" + std::string(100, ']'));
}

TEST(JsonWriter, Escaping) {
  EXPECT_EQ(json_quoted(""), R"("")");
  EXPECT_EQ(json_quoted("plain"), R"("plain")");
  EXPECT_EQ(json_quoted("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(json_quoted("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(json_quoted(std::string("\0\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(json_quoted("\x7f"), "\"\x7f\"");
  EXPECT_EQ(json_quoted("≥ 18 😀 é"), "\"≥ 18 😀 é\"");                                  // UTF-8 as is
  EXPECT_EQ(json_quoted("\xE2\x80\xA8\xE2\x80\xA9"), "\"\xE2\x80\xA8\xE2\x80\xA9\"");  // U+2028/9 valid JSON
  EXPECT_EQ(json_quoted("long text without anything to escape at all"),
            R"("long text without anything to escape at all")");
}

TEST(JsonWriter, InvalidUtf8BecomesReplacementCharacters) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(json_quoted("a\xFF"
                        "b"),
            "\"a" + fffd + "b\"");
  EXPECT_EQ(json_quoted("\xFF\xFE"), "\"" + fffd + fffd + "\"");             // one per byte
  EXPECT_EQ(json_quoted("\xE2\x82x"), "\"" + fffd + "x\"");                  // maximal subpart: one
  EXPECT_EQ(json_quoted("\xF0\x9F\x98"), "\"" + fffd + "\"");                // truncated at the end
  EXPECT_EQ(json_quoted("\xC0\xAF"), "\"" + fffd + fffd + "\"");             // overlong
  EXPECT_EQ(json_quoted("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");  // surrogate
  EXPECT_EQ(json_quoted("é\xC3"), "\"é" + fffd + "\"");
}

TEST(JsonWriter, OutputIsAlwaysValidUtf8AndJson) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> len(0, 40);
  Doc doc;
  JsonError err;
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    const int n = len(rng);
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(byte(rng)));
    std::string out;
    JsonWriter w(out);
    w.begin_object().key(s).string(s).end_object();
    ASSERT_EQ(utf8_invalid_offset(out), std::string_view::npos);
    ASSERT_TRUE(read_json(out, {}, doc, err)) << err.message;
    const DocNode& key = doc.node(doc.node(doc.root()).first);
    const DocNode& value = doc.node(key.next);
    EXPECT_EQ(key.text, value.text);
    if (utf8_invalid_offset(s) == std::string_view::npos) {
      EXPECT_EQ(value.text, s);  // exact round trip
    }
  }
}

TEST(JsonWriter, NumberForms) {
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(-0.0), "0");
  EXPECT_EQ(format_number(2), "2");
  EXPECT_EQ(format_number(2.5), "2.5");
  EXPECT_EQ(format_number(14.5), "14.5");
  EXPECT_EQ(format_number(-3.25), "-3.25");
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_number(123456789012.0), "123456789012");
  EXPECT_EQ(format_number(100000), "100000");
  EXPECT_EQ(format_number(1e20), "100000000000000000000");
  EXPECT_EQ(format_number(1e21), "1e+21");
  EXPECT_EQ(format_number(1.5e21), "1.5e+21");
  EXPECT_EQ(format_number(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(format_number(9223372036854775808.0), "9223372036854776000");  // as JavaScript
  EXPECT_EQ(format_number(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(format_number(0.000001), "0.000001");
  EXPECT_EQ(format_number(1e-7), "1e-7");
  EXPECT_EQ(format_number(1.5e-10), "1.5e-10");
  EXPECT_EQ(format_number(-1e-7), "-1e-7");
  EXPECT_EQ(format_number(123.456), "123.456");
  EXPECT_EQ(format_number(1234.5e-2), "12.345");
  EXPECT_EQ(format_number(5e-324), "5e-324");
  EXPECT_EQ(format_number(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(format_number(std::nan("")), "NaN");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(JsonWriter, NumbersInDocuments) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  w.number(0.1).number(1e21).number(1e-7).number(123456789012.0).number(-0.0).number(14.5);
  w.number(std::nan("")).number(std::numeric_limits<double>::infinity());
  w.integer(0).integer(-5).integer(INT64_MAX).integer(INT64_MIN);
  w.end_array();
  EXPECT_EQ(out, "[0.1,1e+21,1e-7,123456789012,0,14.5,null,null,0,-5,9223372036854775807,-9223372036854775808]");
  Doc doc;
  JsonError err;
  EXPECT_TRUE(read_json(out, {}, doc, err)) << err.message;
}

TEST(JsonWriter, NumbersRoundTrip) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    if (!std::isfinite(v)) continue;
    const std::string s = format_number(v);
    double back = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), back);
    ASSERT_EQ(r.ec, std::errc()) << s;
    ASSERT_EQ(r.ptr, s.data() + s.size()) << s;
    ASSERT_EQ(back, v) << s;
    ASSERT_EQ(s.find(".0e"), std::string::npos) << s;
  }
  for (double v : {0.5, 1.0, 3.0, 10.0, 99.99, 1e15, 1e16, 1e17, 2e-6, 7e-7}) {
    const std::string s = format_number(v);
    double back = 0;
    std::from_chars(s.data(), s.data() + s.size(), back);
    EXPECT_EQ(back, v) << s;
  }
}

TEST(JsonWriter, LocaleIndependent) {
  const char* old = std::setlocale(LC_ALL, nullptr);
  const std::string saved = old ? old : "C";
  if (std::setlocale(LC_ALL, "de_DE.UTF-8") == nullptr && std::setlocale(LC_ALL, "de_DE") == nullptr) {
    GTEST_SKIP() << "no de_DE locale installed";
  }
  EXPECT_EQ(format_number(1.234), "1.234");
  EXPECT_EQ(format_number(1234567.0), "1234567");
  std::setlocale(LC_ALL, saved.c_str());
}

}  // namespace
}  // namespace oligoscreen::detail
