// Strict JSON reader: the Doc it builds, positions, and every error pinned to kind,
// line:col and message (reliability catalogue P7, P8, P10, J1-J3, A2, A3).
#include "json/json_reader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>

#include "core/utf8.hpp"

namespace oligoscreen::detail {
namespace {

// "kind line:col message" of the error, or "ok".
std::string error_of(std::string_view text, const JsonLimits& limits = {}, uint32_t first_line = 1) {
  Doc doc;
  JsonError err;
  if (read_json(text, limits, doc, err, first_line)) return "ok";
  EXPECT_TRUE(doc.empty()) << "a failed parse leaves the Doc empty";
  return err.kind + " " + std::to_string(err.pos.line) + ":" + std::to_string(err.pos.col) + " " + err.message;
}

uint32_t offset_of(std::string_view text, std::string_view error) {
  Doc doc;
  JsonError err;
  EXPECT_FALSE(read_json(text, {}, doc, err)) << error;
  return err.pos.offset;
}

std::string at(const Doc& doc, uint32_t i) {
  const Pos p = doc.node(i).pos;
  return std::to_string(p.line) + ":" + std::to_string(p.col);
}

// Every node's position agrees with utf8_position (the fast incremental columns are right).
void expect_positions_consistent(std::string_view text, const Doc& doc, uint32_t first_line = 1) {
  for (uint32_t i = 1; i < doc.size(); ++i) {
    Pos expected = utf8_position(text, doc.node(i).pos.offset);
    expected.line += first_line - 1;
    EXPECT_EQ(doc.node(i).pos.line, expected.line) << "node " << i;
    EXPECT_EQ(doc.node(i).pos.col, expected.col) << "node " << i;
  }
}

// ---------------------------------------------------------------- valid documents

TEST(JsonReader, PatientRecordRoundTrip) {
  const std::string text =
      "{\n"
      "  \"id\": \"TB-2024-017\",\n"
      "  \"age\": 54,\n"
      "  \"life_expectancy_months\": 24.5,\n"
      "  \"primary\": {\"site\": \"uterus\", \"controlled\": true, \"diagnosed\": \"2021-03-10\"},\n"
      "  \"history\": null,\n"
      "  \"imaging\": [\"ct_chest_abdomen_pelvis\", \"pet_ct\"],\n"
      "  \"lesions\": [\n"
      "    {\"site\": \"lung\", \"size_mm\": 14, \"status\": \"new\", \"treatable\": false},\n"
      "    {\"site\": \"lung\", \"size_mm\": 9e0}\n"
      "  ]\n"
      "}\n";
  Doc doc;
  JsonError err;
  ASSERT_TRUE(read_json(text, {}, doc, err)) << err.message;
  const uint32_t root = doc.root();
  ASSERT_TRUE(doc.node(root).is_map());
  EXPECT_EQ(doc.node(root).count, 7u);
  EXPECT_EQ(at(doc, root), "1:1");

  const auto entries = doc.entries(root);
  ASSERT_EQ(entries.size(), 7u);
  EXPECT_EQ(doc.node(entries[0].key).text, "id");
  EXPECT_EQ(doc.node(entries[0].key).style, ScalarStyle::Quoted);
  EXPECT_EQ(at(doc, entries[0].key), "2:3");
  EXPECT_EQ(doc.node(entries[0].value).text, "TB-2024-017");
  EXPECT_EQ(doc.node(entries[0].value).style, ScalarStyle::Quoted);
  EXPECT_EQ(at(doc, entries[0].value), "2:9");

  const uint32_t age = doc.find(root, "age");
  EXPECT_EQ(doc.node(age).text, "54");
  EXPECT_EQ(doc.node(age).style, ScalarStyle::Plain);
  EXPECT_EQ(at(doc, age), "3:10");
  EXPECT_EQ(doc.node(doc.find(root, "life_expectancy_months")).text, "24.5");

  const uint32_t primary = doc.find(root, "primary");
  EXPECT_EQ(at(doc, primary), "5:14");
  const uint32_t controlled = doc.find(primary, "controlled");
  EXPECT_EQ(doc.node(controlled).text, "true");
  EXPECT_EQ(doc.node(controlled).style, ScalarStyle::Plain);
  EXPECT_EQ(at(doc, controlled), "5:47");

  const uint32_t history = doc.find(root, "history");
  EXPECT_TRUE(doc.node(history).is_null());
  EXPECT_EQ(at(doc, history), "6:14");

  const uint32_t imaging = doc.find(root, "imaging");
  ASSERT_TRUE(doc.node(imaging).is_seq());
  const auto items = doc.items(imaging);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(doc.node(items[1]).text, "pet_ct");
  EXPECT_EQ(at(doc, items[1]), "7:42");

  const uint32_t lesions = doc.find(root, "lesions");
  const auto lesion_items = doc.items(lesions);
  ASSERT_EQ(lesion_items.size(), 2u);
  EXPECT_EQ(at(doc, lesion_items[0]), "9:5");
  const uint32_t treatable = doc.find(lesion_items[0], "treatable");
  EXPECT_EQ(doc.node(treatable).text, "false");
  EXPECT_EQ(at(doc, treatable), "9:67");
  EXPECT_EQ(doc.node(doc.find(lesion_items[1], "size_mm")).text, "9e0");  // as written
  EXPECT_EQ(doc.find(lesion_items[1], "status"), 0u);
  expect_positions_consistent(text, doc);
}

TEST(JsonReader, FirstLineOffsetsEveryPosition) {
  const std::string text = R"({"id":"R1","ecog":x})";
  EXPECT_EQ(error_of(text, {}, 18), "syntax 18:19 invalid literal 'x'");
  Doc doc;
  JsonError err;
  ASSERT_TRUE(read_json("{\"id\":\"R1\",\n\"age\":7}", {}, doc, err, 41));
  EXPECT_EQ(at(doc, doc.root()), "41:1");
  EXPECT_EQ(at(doc, doc.find(doc.root(), "age")), "42:7");
  EXPECT_EQ(doc.node(doc.find(doc.root(), "age")).pos.offset, 18u);
  EXPECT_EQ(error_of("{\n\"a\":1,\n\"a\":2}", {}, 100), "duplicate_key 102:1 duplicate key \"a\" (first at 101:1)");
}

TEST(JsonReader, TopLevelScalarsAndArraysAreAccepted) {
  // The reader accepts any JSON value; callers that need an object check the root's kind.
  Doc doc;
  JsonError err;
  ASSERT_TRUE(read_json(" [1, \"a\", null] ", {}, doc, err));
  EXPECT_TRUE(doc.node(doc.root()).is_seq());
  EXPECT_EQ(doc.node(doc.root()).count, 3u);
  ASSERT_TRUE(read_json("42", {}, doc, err));
  EXPECT_EQ(doc.node(doc.root()).text, "42");
  EXPECT_EQ(doc.size(), 2u);
  ASSERT_TRUE(read_json("\"s\"", {}, doc, err));
  EXPECT_EQ(doc.node(doc.root()).text, "s");
  ASSERT_TRUE(read_json("null", {}, doc, err));
  EXPECT_TRUE(doc.node(doc.root()).is_null());
  ASSERT_TRUE(read_json("\t\r\n false \n", {}, doc, err));
  EXPECT_EQ(doc.node(doc.root()).text, "false");
  EXPECT_EQ(at(doc, doc.root()), "2:2");
  ASSERT_TRUE(read_json("{}", {}, doc, err));
  EXPECT_EQ(doc.node(doc.root()).count, 0u);
  EXPECT_EQ(doc.node(doc.root()).first, 0u);
  ASSERT_TRUE(read_json("[[],{},[[]]]", {}, doc, err));
  EXPECT_EQ(doc.node(doc.root()).count, 3u);
}

TEST(JsonReader, NumbersKeepTheirText) {
  for (const char* n : {"0", "-0", "7", "-12", "14.5", "0.001", "1e5", "1E+5", "2.5e-3", "-0.0e0",
                        "123456789012345678901234", "1e308", "1.7976931348623157e308", "1e-400", "4.9e-324"}) {
    Doc doc;
    JsonError err;
    const std::string text = std::string("[") + n + "]";  // outlives the Doc's views
    ASSERT_TRUE(read_json(text, {}, doc, err)) << n << ": " << err.message;
    const DocNode& v = doc.node(doc.node(doc.root()).first);
    EXPECT_EQ(v.text, n);
    EXPECT_EQ(v.kind, DocKind::Scalar);
    EXPECT_EQ(v.style, ScalarStyle::Plain);
  }
}

TEST(JsonReader, StringsViewTheInputUnlessEscaped) {
  const std::string text = R"(["plain", "tab\tquote\"slash\/", "é\u00e9\ud83d\ude00", "nul\u0000x", ""])";
  Doc doc;
  JsonError err;
  ASSERT_TRUE(read_json(text, {}, doc, err)) << err.message;
  const auto items = doc.items(doc.root());
  ASSERT_EQ(items.size(), 5u);
  const std::string_view plain = doc.node(items[0]).text;
  EXPECT_EQ(plain, "plain");
  EXPECT_EQ(plain.data(), text.data() + 2);  // a view into the input
  EXPECT_EQ(doc.node(items[1]).text, "tab\tquote\"slash/");
  EXPECT_EQ(doc.node(items[2]).text, "\xC3\xA9\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(doc.node(items[3]).text, std::string_view("nul\0x", 5));
  EXPECT_EQ(doc.node(items[4]).text, "");
  EXPECT_EQ(at(doc, items[1]), "1:11");
  const std::string all = R"(["\b\f\n\r\t\\\"\/"])";
  ASSERT_TRUE(read_json(all, {}, doc, err));
  EXPECT_EQ(doc.node(doc.node(doc.root()).first).text, "\b\f\n\r\t\\\"/");
}

TEST(JsonReader, ColumnsCountCodePoints) {
  const std::string text = "{\"naïve 😀\": \"é\", \"b\": [1, x]}";
  EXPECT_EQ(error_of(text), "syntax 1:27 invalid literal 'x'");
  const std::string ok = "{\"ä\":\"ö\",\n \"ü😀\":\"€\", \"k\":1}";
  Doc doc;
  JsonError err;
  ASSERT_TRUE(read_json(ok, {}, doc, err, 3));
  EXPECT_EQ(at(doc, doc.find(doc.root(), "k")), "4:16");  // the value 1
  expect_positions_consistent(ok, doc, 3);
}

TEST(JsonReader, CrLfLineEndings) {
  const std::string text = "{\r\n  \"a\": 1,\r\n  \"b\": ?\r\n}";
  EXPECT_EQ(error_of(text), "syntax 3:8 expected a value");
  Doc doc;
  JsonError err;
  ASSERT_TRUE(read_json("{\r\n\"a\":\r\n1}", {}, doc, err));
  EXPECT_EQ(at(doc, doc.find(doc.root(), "a")), "3:1");
}

TEST(JsonReader, DocIsClearedAndReused) {
  Doc doc;
  JsonError err;
  ASSERT_TRUE(read_json(R"({"a":[1,2,3]})", {}, doc, err));
  EXPECT_EQ(doc.size(), 7u);  // 6 nodes and the sentinel
  ASSERT_TRUE(read_json(R"({"b":"\n"})", {}, doc, err));
  EXPECT_EQ(doc.size(), 4u);
  EXPECT_EQ(doc.node(doc.find(doc.root(), "b")).text, "\n");
  EXPECT_EQ(doc.find(doc.root(), "a"), 0u);
  EXPECT_FALSE(read_json(R"({"b":1,})", {}, doc, err));
  EXPECT_TRUE(doc.empty());
  ASSERT_TRUE(read_json("[true]", {}, doc, err));
  EXPECT_EQ(doc.node(doc.node(doc.root()).first).text, "true");
}

TEST(JsonReader, LargeObjectsWithoutDuplicates) {
  // More keys than the linear scan handles, nested, plus an inner object re-using names.
  std::string text = "{";
  for (int i = 0; i < 1000; ++i) {
    if (i) text += ",";
    text += "\"k" + std::to_string(i) + "\":";
    text += i == 500 ? "{\"k1\":1,\"k2\":2}" : "0";
  }
  text += "}";
  Doc doc;
  JsonError err;
  ASSERT_TRUE(read_json(text, {}, doc, err)) << err.message;
  EXPECT_EQ(doc.node(doc.root()).count, 1000u);
  EXPECT_EQ(doc.node(doc.find(doc.root(), "k999")).text, "0");
  EXPECT_TRUE(doc.node(doc.find(doc.root(), "k500")).is_map());
  // Same keys in sibling objects are fine.
  EXPECT_EQ(error_of(R"([{"a":1,"b":2},{"a":1,"b":2}])"), "ok");
  EXPECT_EQ(error_of(R"({"a":{"a":{"a":1}}})"), "ok");
}

// ---------------------------------------------------------------- P7: duplicate keys

TEST(JsonReader, DuplicateKeys) {
  EXPECT_EQ(error_of(R"({"a":1,"a":2})"), "duplicate_key 1:8 duplicate key \"a\" (first at 1:2)");
  EXPECT_EQ(error_of(R"({"age": 54, "sex": "male", "age": 60})"),
            "duplicate_key 1:28 duplicate key \"age\" (first at 1:2)");
  // Compared after unescaping.
  EXPECT_EQ(error_of(R"({"ab":1,"\u0061b":2})"), "duplicate_key 1:9 duplicate key \"ab\" (first at 1:2)");
  // Long keys (beyond the 8-byte head) and keys sharing a head.
  EXPECT_EQ(error_of(R"({"life_expectancy_months":1,"life_expectancy_monthz":2})"), "ok");
  EXPECT_EQ(error_of(R"({"life_expectancy_months":1,"life_expectancy_months":2})"),
            "duplicate_key 1:29 duplicate key \"life_expectancy_months\" (first at 1:2)");
  // Quotes in the key are escaped in the message.
  EXPECT_EQ(error_of(R"({"a\"b":1,"a\"b":2})"), "duplicate_key 1:11 duplicate key \"a\\\"b\" (first at 1:2)");
}

TEST(JsonReader, DuplicateKeysInNestedObjects) {
  EXPECT_EQ(error_of(R"({"primary":{"site":"x","controlled":true,"site":"y"}})"),
            "duplicate_key 1:42 duplicate key \"site\" (first at 1:13)");
  EXPECT_EQ(error_of(R"({"lesions":[{"site":"lung"},{"site":"bone","size_mm":3,"size_mm":4}]})"),
            "duplicate_key 1:56 duplicate key \"size_mm\" (first at 1:44)");
  // The outer key repeated after an inner object closed.
  EXPECT_EQ(error_of(R"({"a":{"b":1},"b":2,"a":3})"), "duplicate_key 1:20 duplicate key \"a\" (first at 1:2)");
  EXPECT_EQ(error_of("{\"a\":1,\n \"b\":{\"c\":1},\n \"a\":2}"),
            "duplicate_key 3:2 duplicate key \"a\" (first at 1:2)");
}

TEST(JsonReader, DuplicateKeysInLargeObjects) {
  std::string text = "{";
  for (int i = 0; i < 200; ++i) text += "\"key" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  std::string dup = text + "\"key150\":0}";
  const auto col = std::to_string(text.size() + 1);
  EXPECT_EQ(error_of(dup), "duplicate_key 1:" + col + " duplicate key \"key150\" (first at 1:" +
                               std::to_string(text.find("\"key150\"") + 1) + ")");
  // A duplicate of one of the first 16 keys, found through the hash table.
  EXPECT_EQ(error_of(text + "\"key3\":0}"), "duplicate_key 1:" + col + " duplicate key \"key3\" (first at 1:" +
                                                std::to_string(text.find("\"key3\"") + 1) + ")");
  text.back() = '}';
  EXPECT_EQ(error_of(text), "ok");
}

// ---------------------------------------------------------------- P8: strict RFC 8259

TEST(JsonReader, NonFiniteNumbersRejected) {
  EXPECT_EQ(error_of(R"({"age":NaN})"), "syntax 1:8 NaN and Infinity are not allowed in JSON");
  EXPECT_EQ(error_of(R"({"age":Infinity})"), "syntax 1:8 NaN and Infinity are not allowed in JSON");
  EXPECT_EQ(error_of(R"({"age":-Infinity})"), "syntax 1:8 NaN and Infinity are not allowed in JSON");
  EXPECT_EQ(error_of("[nan]"), "syntax 1:2 NaN and Infinity are not allowed in JSON");
  EXPECT_EQ(error_of("[-inf]"), "syntax 1:2 NaN and Infinity are not allowed in JSON");
}

TEST(JsonReader, NumberGrammar) {
  EXPECT_EQ(error_of(R"({"ecog":01})"), "syntax 1:9 leading zeros are not allowed in numbers");
  EXPECT_EQ(error_of("[-01]"), "syntax 1:2 leading zeros are not allowed in numbers");
  EXPECT_EQ(error_of("[00]"), "syntax 1:2 leading zeros are not allowed in numbers");
  EXPECT_EQ(error_of("[+1]"), "syntax 1:2 '+' is not allowed before a number");
  EXPECT_EQ(error_of("[.5]"), "syntax 1:2 a number must start with a digit");
  EXPECT_EQ(error_of("[5.]"), "syntax 1:4 expected a digit after '.'");
  EXPECT_EQ(error_of("[1.e5]"), "syntax 1:4 expected a digit after '.'");
  EXPECT_EQ(error_of("[1e]"), "syntax 1:4 expected a digit in the exponent");
  EXPECT_EQ(error_of("[1e+]"), "syntax 1:5 expected a digit in the exponent");
  EXPECT_EQ(error_of("[-]"), "syntax 1:3 expected a digit after '-'");
  EXPECT_EQ(error_of("[- 1]"), "syntax 1:3 expected a digit after '-'");
  EXPECT_EQ(error_of("[0x10]"), "syntax 1:2 invalid number");
  EXPECT_EQ(error_of("[1.5.3]"), "syntax 1:2 invalid number");
  EXPECT_EQ(error_of("[12abc]"), "syntax 1:2 invalid number");
  EXPECT_EQ(error_of("[1,5 ,]"), "syntax 1:6 trailing comma before ']'");
  EXPECT_EQ(error_of("5."), "syntax 1:3 expected a digit after '.'");
  EXPECT_EQ(error_of("-"), "syntax 1:2 expected a digit after '-'");
}

TEST(JsonReader, NumberOutOfRange) {
  EXPECT_EQ(error_of(R"({"size_mm":1e400})"), "syntax 1:12 number out of range");
  EXPECT_EQ(error_of("[-1e400]"), "syntax 1:2 number out of range");
  EXPECT_EQ(error_of("[1.8e308]"), "syntax 1:2 number out of range");
  EXPECT_EQ(error_of("[0.000000000001e320]"), "ok");  // 1e308
  EXPECT_EQ(error_of("[100e306]"), "ok");             // 1e308
  EXPECT_EQ(error_of("[1000e306]"), "syntax 1:2 number out of range");
  EXPECT_EQ(error_of("[1e99999999999999999999]"), "syntax 1:2 number out of range");
  EXPECT_EQ(error_of("[" + std::string(309, '9') + "]"), "syntax 1:2 number out of range");
  EXPECT_EQ(error_of("[" + std::string(308, '9') + "]"), "ok");
  // Underflow is not an error: the value is 0 or subnormal.
  EXPECT_EQ(error_of("[1e-400]"), "ok");
  EXPECT_EQ(error_of("[-1e-99999999999999999999]"), "ok");
  EXPECT_EQ(error_of("[0e99999]"), "ok");
}

TEST(JsonReader, TrailingCommas) {
  EXPECT_EQ(error_of(R"({"a":1,})"), "syntax 1:7 trailing comma before '}'");
  EXPECT_EQ(error_of("{\"a\":1,\n}"), "syntax 1:7 trailing comma before '}'");
  EXPECT_EQ(error_of("[1,2,]"), "syntax 1:5 trailing comma before ']'");
  EXPECT_EQ(error_of("[,]"), "syntax 1:2 expected a value");
  EXPECT_EQ(error_of("{,}"), "syntax 1:2 expected a string key or '}'");
  EXPECT_EQ(error_of("[1,,2]"), "syntax 1:4 expected a value");
}

TEST(JsonReader, CommentsRejected) {
  EXPECT_EQ(error_of("// note\n{}"), "syntax 1:1 comments are not allowed in JSON");
  EXPECT_EQ(error_of("{\"a\":1 /* x */}"), "syntax 1:8 comments are not allowed in JSON");
  EXPECT_EQ(error_of("{\"a\":1, // x\n\"b\":2}"), "syntax 1:9 comments are not allowed in JSON");
  EXPECT_EQ(error_of("{\"a\":/*x*/1}"), "syntax 1:6 comments are not allowed in JSON");
  EXPECT_EQ(error_of("{\"a\"/*x*/:1}"), "syntax 1:5 comments are not allowed in JSON");
  EXPECT_EQ(error_of("{} // trailing"), "syntax 1:4 comments are not allowed in JSON");
  EXPECT_EQ(error_of("[1]#x"), "syntax 1:4 unexpected content after the JSON value");
}

TEST(JsonReader, QuotingRules) {
  EXPECT_EQ(error_of("{'id':'x'}"), "syntax 1:2 single-quoted strings are not allowed (use double quotes)");
  EXPECT_EQ(error_of("{\"id\":'x'}"), "syntax 1:7 single-quoted strings are not allowed (use double quotes)");
  EXPECT_EQ(error_of("{id:1}"), "syntax 1:2 expected a string key or '}'");
  EXPECT_EQ(error_of("{\"a\":1,b:2}"), "syntax 1:8 expected a string key after ','");
  EXPECT_EQ(error_of("{\"sex\":male}"), "syntax 1:8 invalid literal 'male'");
  EXPECT_EQ(error_of("[True]"), "syntax 1:2 invalid literal 'True'");
  EXPECT_EQ(error_of("[nul]"), "syntax 1:2 invalid literal 'nul'");
  EXPECT_EQ(error_of("[truex]"), "syntax 1:2 invalid literal 'truex'");
  EXPECT_EQ(error_of("[" + std::string(40, 'z') + "]"), "syntax 1:2 invalid literal '" + std::string(32, 'z') + "...'");
}

TEST(JsonReader, StructuralErrors) {
  EXPECT_EQ(error_of(""), "syntax 1:1 expected a value");
  EXPECT_EQ(error_of("   \n  "), "syntax 2:3 expected a value");
  EXPECT_EQ(error_of("{"), "syntax 1:2 expected a string key or '}'");
  EXPECT_EQ(error_of("["), "syntax 1:2 expected a value");
  EXPECT_EQ(error_of("]"), "syntax 1:1 expected a value");
  EXPECT_EQ(error_of("{\"a\"}"), "syntax 1:5 expected ':' after object key");
  EXPECT_EQ(error_of("{\"a\" 1}"), "syntax 1:6 expected ':' after object key");
  EXPECT_EQ(error_of("{\"a\":}"), "syntax 1:6 expected a value");
  EXPECT_EQ(error_of("{\"a\":"), "syntax 1:6 expected a value");
  EXPECT_EQ(error_of("{\"a\":1"), "syntax 1:7 expected ',' or '}' after object member");
  EXPECT_EQ(error_of("{\"a\":1 \"b\":2}"), "syntax 1:8 expected ',' or '}' after object member");
  EXPECT_EQ(error_of("{\"a\":1]"), "syntax 1:7 expected ',' or '}' after object member");
  EXPECT_EQ(error_of("[1 2]"), "syntax 1:4 expected ',' or ']' after array element");
  EXPECT_EQ(error_of("[1}"), "syntax 1:3 expected ',' or ']' after array element");
  EXPECT_EQ(error_of("[\"a\" \"b\"]"), "syntax 1:6 expected ',' or ']' after array element");
  EXPECT_EQ(error_of("\"foo\","), "syntax 1:6 unexpected content after the JSON value");
  EXPECT_EQ(error_of(","), "syntax 1:1 expected a value");
  EXPECT_EQ(error_of("\xEF\xBB\xBF{}"), "syntax 1:1 byte order mark not allowed");
  EXPECT_EQ(error_of("{\"a\":1}\x01"), "syntax 1:8 unexpected content after the JSON value");
}

// J2: one JSON value per record.
TEST(JsonReader, TwoObjectsOnOneLine) {
  EXPECT_EQ(error_of(R"({"id":"R1"} {"id":"R2"})"), "syntax 1:13 unexpected content after the JSON value");
  EXPECT_EQ(error_of(R"({"id":"R1"}{"id":"R2"})"), "syntax 1:12 unexpected content after the JSON value");
  EXPECT_EQ(error_of("1 2"), "syntax 1:3 unexpected content after the JSON value");
}

// ---------------------------------------------------------------- strings

TEST(JsonReader, ControlCharactersInStrings) {
  EXPECT_EQ(error_of("[\"a\tb\"]"), "syntax 1:4 control character U+0009 in string (must be escaped)");
  EXPECT_EQ(error_of("[\"a\nb\"]"), "syntax 1:4 control character U+000A in string (must be escaped)");
  EXPECT_EQ(error_of(std::string("[\"a\0\"]", 6)), "syntax 1:4 control character U+0000 in string (must be escaped)");
  EXPECT_EQ(error_of("[\"\\n\x1F\"]"), "syntax 1:5 control character U+001F in string (must be escaped)");
  EXPECT_EQ(error_of("{\"k\x7F\":1}"), "ok");  // DEL is not a control character in JSON
}

TEST(JsonReader, EscapeErrors) {
  EXPECT_EQ(error_of(R"(["a\x"])"), "syntax 1:4 invalid escape '\\x' in string");
  EXPECT_EQ(error_of(R"(["\'"])"), "syntax 1:3 invalid escape '\\'' in string");
  EXPECT_EQ(error_of("[\"\\\x01\"]"), "syntax 1:3 invalid escape in string");
  EXPECT_EQ(error_of(R"(["\u12"])"), "syntax 1:3 invalid \\u escape (expected 4 hex digits)");
  EXPECT_EQ(error_of(R"(["\uZZZZ"])"), "syntax 1:3 invalid \\u escape (expected 4 hex digits)");
  EXPECT_EQ(error_of(R"(["\U0041"])"), "syntax 1:3 invalid escape '\\U' in string");
  EXPECT_EQ(error_of(R"(["\ud800\u12"])"), "syntax 1:9 invalid \\u escape (expected 4 hex digits)");
}

TEST(JsonReader, LoneSurrogateEscapes) {
  EXPECT_EQ(error_of(R"(["\ud800"])"), "encoding 1:3 unpaired surrogate \\uD800");
  EXPECT_EQ(error_of(R"(["ab\uDBFFx"])"), "encoding 1:5 unpaired surrogate \\uDBFF");
  EXPECT_EQ(error_of(R"(["\udc00"])"), "encoding 1:3 unpaired surrogate \\uDC00");
  EXPECT_EQ(error_of(R"(["\ud800\u0041"])"), "encoding 1:3 unpaired surrogate \\uD800");
  EXPECT_EQ(error_of(R"(["\ud800\ud800"])"), "encoding 1:3 unpaired surrogate \\uD800");
  EXPECT_EQ(error_of(R"(["\ude00\ud83d"])"), "encoding 1:3 unpaired surrogate \\uDE00");
  EXPECT_EQ(error_of(R"({"k\ud800":1})"), "encoding 1:4 unpaired surrogate \\uD800");
  EXPECT_EQ(error_of(R"(["\ud83d\ude00"])"), "ok");
  EXPECT_EQ(error_of(R"(["\uDBFF\uDFFF"])"), "ok");  // U+10FFFF
}

TEST(JsonReader, UnterminatedStrings) {
  EXPECT_EQ(error_of("[\"abc"), "syntax 1:2 unterminated string");
  EXPECT_EQ(error_of("{\"id\":\"R1"), "syntax 1:7 unterminated string");
  EXPECT_EQ(error_of("[\"abc\\"), "syntax 1:2 unterminated string");
  EXPECT_EQ(error_of("[\"abc\\\""), "syntax 1:2 unterminated string");
  EXPECT_EQ(error_of("{\"id"), "syntax 1:2 unterminated string");
  EXPECT_EQ(error_of("\"0123456789abcdef"), "syntax 1:1 unterminated string");  // past the 8-byte scan
}

// ---------------------------------------------------------------- A3: encoding

TEST(JsonReader, InvalidUtf8IsAnEncodingErrorWithItsOffset) {
  EXPECT_EQ(error_of("{\"id\":\"R\xFF\"}"), "encoding 1:9 invalid UTF-8 (invalid byte 0xFF)");
  EXPECT_EQ(offset_of("{\"id\":\"R\xFF\"}", "0xFF"), 8u);
  EXPECT_EQ(error_of("[\"\xC0\xAF\"]"), "encoding 1:3 invalid UTF-8 (overlong encoding)");
  EXPECT_EQ(error_of("[\"\xE0\x80\xAF\"]"), "encoding 1:3 invalid UTF-8 (overlong encoding)");
  EXPECT_EQ(error_of("[\"\xED\xA0\x80\"]"), "encoding 1:3 invalid UTF-8 (UTF-16 surrogate)");
  EXPECT_EQ(error_of("[\"\xF4\x90\x80\x80\"]"), "encoding 1:3 invalid UTF-8 (code point above U+10FFFF)");
  EXPECT_EQ(error_of("[\"\xE2\x82\"]"), "encoding 1:3 invalid UTF-8 (truncated sequence)");
  EXPECT_EQ(error_of("[\"é\x80\"]"), "encoding 1:4 invalid UTF-8 (unexpected continuation byte)");
  EXPECT_EQ(offset_of("[\"é\x80\"]", "continuation"), 4u);
  // In a key, in an escaped string, and outside strings.
  EXPECT_EQ(error_of("{\"k\xFE\":1}"), "encoding 1:4 invalid UTF-8 (invalid byte 0xFE)");
  EXPECT_EQ(error_of("[\"\\n\xFE\"]"), "encoding 1:5 invalid UTF-8 (invalid byte 0xFE)");
  EXPECT_EQ(error_of("[1,\xFF]"), "encoding 1:4 invalid UTF-8 (invalid byte 0xFF)");
  EXPECT_EQ(error_of("{}\xFF"), "encoding 1:3 invalid UTF-8 (invalid byte 0xFF)");
  // Invalid UTF-8 wins over an earlier syntax or duplicate-key error.
  EXPECT_EQ(error_of("{\"a\":x, \"b\":\"\xFF\"}"), "encoding 1:14 invalid UTF-8 (invalid byte 0xFF)");
  EXPECT_EQ(error_of("{\"a\":1,\"a\":\"\xC3\"}"), "encoding 1:13 invalid UTF-8 (truncated sequence)");
  EXPECT_EQ(error_of("\n\n[\"\xFF\"]", {}, 5), "encoding 7:3 invalid UTF-8 (invalid byte 0xFF)");
  // Valid non-ASCII outside strings is a syntax error.
  EXPECT_EQ(error_of("{\"a\":\xE2\x80\x9Cx\xE2\x80\x9D}"), "syntax 1:6 expected a value");
  EXPECT_EQ(error_of("[\"Großhadern – 😀\"]"), "ok");
}

// ---------------------------------------------------------------- P10 and limits

TEST(JsonReader, DeepNestingIsALimitError) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of(std::string(10000, '[')), "limit 1:33 nesting too deep (limit 32)");
  std::string objects;
  for (int i = 0; i < 10000; ++i) objects += "{\"a\":";
  EXPECT_EQ(error_of(objects), "limit 1:161 nesting too deep (limit 32)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  // Exactly at the limit is fine; one more is not.
  EXPECT_EQ(error_of(std::string(32, '[') + std::string(32, ']')), "ok");
  EXPECT_EQ(error_of(std::string(33, '[') + std::string(33, ']')), "limit 1:33 nesting too deep (limit 32)");
  JsonLimits deep;
  deep.max_depth = 1000;
  EXPECT_EQ(error_of(std::string(1000, '[') + std::string(1000, ']'), deep), "ok");
  EXPECT_EQ(error_of(std::string(1001, '['), deep), "limit 1:1001 nesting too deep (limit 1000)");
  JsonLimits flat;
  flat.max_depth = 0;
  EXPECT_EQ(error_of("[]", flat), "limit 1:1 nesting too deep (limit 0)");
  EXPECT_EQ(error_of("1", flat), "ok");
}

TEST(JsonReader, NodeLimit) {
  JsonLimits limits;
  limits.max_nodes = 5;
  EXPECT_EQ(error_of("[1,2,3,4]", limits), "ok");  // 5 nodes
  EXPECT_EQ(error_of("[1,2,3,4,5]", limits), "limit 1:10 too many values (limit 5)");
  EXPECT_EQ(error_of("{\"a\":1,\"b\":2,\"c\":3}", limits),
            "limit 1:14 too many values (limit 5)");  // key "c"
  // A 10^6-element lesion array: over the default byte cap, and over the node cap when
  // the byte cap is raised.
  std::string big = "{\"lesions\":[";
  for (int i = 0; i < 1000000; ++i) big += i ? ",{}" : "{}";
  big += "]}";
  EXPECT_EQ(error_of(big), "limit 1:1 JSON text too large (" + std::to_string(big.size()) + " bytes, limit 1048576)");
  JsonLimits wide;
  wide.max_bytes = 8u << 20;
  EXPECT_EQ(error_of(big, wide), "limit 1:" + std::to_string(13 + 3 * 99997) + " too many values (limit 100000)");
}

TEST(JsonReader, SizeAndStringLimits) {
  JsonLimits limits;
  limits.max_bytes = 10;
  EXPECT_EQ(error_of("[1,2,3,45]", limits), "ok");
  EXPECT_EQ(error_of("[1,2,3,456]", limits), "limit 1:1 JSON text too large (11 bytes, limit 10)");
  EXPECT_EQ(error_of("[1,2,3,456]", limits, 9), "limit 9:1 JSON text too large (11 bytes, limit 10)");
  // Size is checked before encoding.
  EXPECT_EQ(error_of("[\"\xFF\",2,3,456]", limits).substr(0, 5), "limit");

  JsonLimits strings;
  strings.max_string_bytes = 4;
  EXPECT_EQ(error_of(R"(["abcd"])", strings), "ok");
  EXPECT_EQ(error_of(R"(["abcde"])", strings), "limit 1:2 string too long (limit 4 bytes)");
  EXPECT_EQ(error_of(R"(["ab\ncd"])", strings), "limit 1:2 string too long (limit 4 bytes)");
  EXPECT_EQ(error_of(R"(["\u00e9\u00e9"])", strings), "ok");  // 4 decoded bytes
  EXPECT_EQ(error_of(R"({"abcde":1})", strings), "limit 1:2 string too long (limit 4 bytes)");
  const std::string huge = "[\"" + std::string((64u << 10) + 1, 'x') + "\"]";
  EXPECT_EQ(error_of(huge), "limit 1:2 string too long (limit 65536 bytes)");
}

// A2: the input is a view with an explicit length; nothing past it is read.
TEST(JsonReader, ReadsOnlyTheGivenBytes) {
  const std::string buffer = "{\"a\":1}GARBAGE";
  Doc doc;
  JsonError err;
  EXPECT_TRUE(read_json(std::string_view(buffer.data(), 7), {}, doc, err));
  EXPECT_FALSE(read_json(std::string_view(buffer.data(), 6), {}, doc, err));
  EXPECT_EQ(err.message, "expected ',' or '}' after object member");
  // Exact-size heap buffers, so that ASan catches any read past the end.
  for (const char* text : {"\"abcdefgh", "[1.5e", "{\"k\":tru", "\"\\u00", "\"\\ud800\\u", "-", "\"\xE2\x82", "nul"}) {
    const size_t n = std::strlen(text);
    std::unique_ptr<char[]> exact(new char[n]);
    std::memcpy(exact.get(), text, n);
    EXPECT_FALSE(read_json(std::string_view(exact.get(), n), {}, doc, err)) << text;
  }
  EXPECT_FALSE(read_json(std::string_view(), {}, doc, err));
}

TEST(JsonReader, PositionsConsistentOnAMessyDocument) {
  const std::string text =
      "\r\n [ {\"é\" : \"😀😀\", \"x\":[1 ,\t2,{ }] } ,\n\n  \"ü\\n\",  -0.5e+3 , true,null ,\n"
      "[[ \"€\" ]]\r\n]  ";
  Doc doc;
  JsonError err;
  ASSERT_TRUE(read_json(text, {}, doc, err, 7)) << err.message;
  expect_positions_consistent(text, doc, 7);
  EXPECT_EQ(doc.node(doc.root()).count, 6u);
}

}  // namespace
}  // namespace oligoscreen::detail
