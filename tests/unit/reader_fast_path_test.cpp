// The JSON batch reading fast paths (issue 5): inline string scanning, the Doc's `clean`
// flag, and the patient reader's convert_clean. Each must give what the general path gives.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.hpp"
#include "json/json_reader.hpp"
#include "patient/patient_reader.hpp"
#include "patient/scalar_parse.hpp"
#include "patient/schema_index.hpp"
#include "yaml/yaml_reader.hpp"

namespace oligoscreen::test_patient {
detail::Schema make_test_schema();  // patient_reader_test.cpp
}  // namespace oligoscreen::test_patient

namespace oligoscreen::detail {
namespace {

using scalar::BoolSyntax;
using scalar::Lexical;

std::string pos_of(Pos p) {
  return std::to_string(p.line) + ":" + std::to_string(p.col);
}

// Every node's position is the one utf8_position gives for its offset.
void expect_positions(std::string_view text, const Doc& doc, uint32_t first_line) {
  for (uint32_t i = 1; i < doc.size(); ++i) {
    Pos expected = utf8_position(text, doc.node(i).pos.offset);
    expected.line += first_line - 1;
    EXPECT_EQ(pos_of(doc.node(i).pos), pos_of(expected)) << "node " << i << " in " << text;
  }
}

std::string error_of(std::string_view text, uint32_t first_line = 1) {
  Doc doc;
  JsonError err;
  if (read_json(text, {}, doc, err, first_line)) return "ok";
  return err.kind + " " + pos_of(err.pos) + " " + err.message;
}

TEST(JsonFastPath, CleanMarksTokensAndEscapeFreeStringsOnly) {
  const std::string text = R"(["plain", "é中😀", "a\u0000b", "\u006cung", 12, -0.5e3, true, false, null, ""])";
  Doc doc;
  JsonError err;
  ASSERT_TRUE(read_json(text, {}, doc, err)) << err.message;
  const auto items = doc.items(doc.root());
  ASSERT_EQ(items.size(), 10U);
  const bool expected[] = {true, true, false, false, true, true, true, true, false, true};
  for (size_t i = 0; i < items.size(); ++i) EXPECT_EQ(doc.node(items[i]).clean, expected[i]) << "item " << i;
  EXPECT_EQ(doc.node(items[3]).text, "lung");
}

TEST(JsonFastPath, YamlNodesAreNeverClean) {
  const std::string text = "a: lung\nb: 12\nc: \"x\"\n";
  Doc doc;
  Diagnostics diags;
  ASSERT_TRUE(read_yaml("t.yaml", text, YamlLimits{}, doc, diags)) << diags.render_brief();
  for (uint32_t i = 1; i < doc.size(); ++i) EXPECT_FALSE(doc.node(i).clean) << "node " << i;
}

// Strings whose closing quote lies in the last 7 bytes of the text take the byte-wise path.
TEST(JsonFastPath, StringsAtTheEndOfTheText) {
  for (const std::string text : {"\"\"", "\"a\"", "\"abcdef\"", "\"abcdefg\"", "\"abcdefghijklmno\"", "[\"é\"]",
                                 "{\"k\":\"v\"}", "{\"key\":\"€€\"}"}) {
    Doc doc;
    JsonError err;
    ASSERT_TRUE(read_json(text, {}, doc, err)) << text << ": " << err.message;
    expect_positions(text, doc, 1);
  }
  EXPECT_EQ(error_of("\"abc"), "syntax 1:1 unterminated string");
  EXPECT_EQ(error_of("{\"k\":\"abcdefghij"), "syntax 1:6 unterminated string");
  EXPECT_EQ(error_of("{\"é\":\"a\tb\"}"), "syntax 1:8 control character U+0009 in string (must be escaped)");
  EXPECT_EQ(error_of("{\"k\":\"abcdefgh\x01\"}"), "syntax 1:15 control character U+0001 in string (must be escaped)");
  EXPECT_EQ(error_of("{\"k\":\"ab\xC3\"}"), "encoding 1:9 invalid UTF-8 (truncated sequence)");
}

// Positions (columns count code points) after multi-byte keys and values on later lines.
TEST(JsonFastPath, PositionsAfterMultiByteTextOnLaterLines) {
  const std::string text =
      "{\"naïve\": \"日本語のテキスト\",\n"
      "  \"😀😀\": [\"é\", 1, \"abcdefghijklmnopé\"],\n"
      "\t\"k\": {\"ü\": true, \"x\": \"€\"}, \"last\": \"z\"}";
  Doc doc;
  JsonError err;
  ASSERT_TRUE(read_json(text, {}, doc, err, 7)) << err.message;
  expect_positions(text, doc, 7);
  EXPECT_EQ(pos_of(doc.node(doc.find(doc.root(), "last")).pos), "9:38");
  EXPECT_EQ(error_of("{\"é😀\": \"日本\",\n \"é😀\": 1}", 3), "duplicate_key 4:2 duplicate key \"é😀\" (first at 3:2)");
  EXPECT_EQ(error_of("{\"日本\": \"語語語語語語語語\",\n  \"x\": tru}", 5), "syntax 6:8 invalid literal 'tru'");
}

// ---------------------------------------------------------------- convert_clean

bool same_value(const Value& a, const Value& b) {
  if (a.kind != b.kind || a.enum_id != b.enum_id || a.why != b.why || a.aux != b.aux) return false;
  switch (a.kind) {
    case VKind::Bool:
      return a.b == b.b;
    case VKind::Number:
      return std::memcmp(&a.num, &b.num, sizeof a.num) == 0;
    case VKind::Enum:
      return a.e == b.e;
    case VKind::Date:
      return a.date.lo == b.date.lo && a.date.hi == b.date.hi;
    case VKind::Text:
      return std::string_view(a.text.p, a.text.n) == std::string_view(b.text.p, b.text.n);
    default:
      return true;
  }
}

// For every field of the test schema (subfields included) and many texts: whenever
// convert_clean accepts, convert_scalar accepts with the same Value.
TEST(ConvertClean, AgreesWithConvertScalar) {
  const Schema schema = test_patient::make_test_schema();
  const SchemaIndex& index = SchemaIndex::of(schema);
  std::vector<const FieldDef*> fields;
  for (const FieldDef& f : schema.fields) {
    fields.push_back(&f);
    for (const FieldDef& sf : f.fields) fields.push_back(&sf);
  }
  const char* texts[] = {"true",
                         "false",
                         "True",
                         "1",
                         "0",
                         "-0",
                         "00",
                         "007",
                         "12",
                         "-3",
                         "121",
                         "120",
                         "4",
                         "5",
                         "14.5",
                         "1e3",
                         "999999999999999",
                         "9999999999999999",
                         "-",
                         "",
                         "2021-03-01",
                         "2021-02-29",
                         "2020-02-29",
                         "2021-13-01",
                         "0999-01-01",
                         "2021-03",
                         "lung",
                         "lun",
                         "lungs",
                         "Lung",
                         "lung ",
                         "pet_ct",
                         "leiomyosarcoma",
                         "leiomyosarcomaa",
                         "é",
                         "TB-2024-017",
                         "x"};
  size_t accepted = 0;
  for (const FieldDef* f : fields) {
    for (const char* t : texts) {
      for (Lexical lex : {Lexical::Token, Lexical::Quoted, Lexical::Bare}) {
        TextStore fast_texts;
        TextStore slow_texts;
        Value fast;
        Value slow;
        scalar::ScalarError se;
        if (!scalar::convert_clean(schema, index, *f, t, lex, fast_texts, fast)) continue;
        ++accepted;
        ASSERT_TRUE(scalar::convert_scalar(schema, *f, t, lex, BoolSyntax::Strict, slow_texts, slow, se, &index))
            << f->path << " '" << t << "': " << se.message;
        EXPECT_TRUE(same_value(fast, slow)) << f->path << " '" << t << "'";
      }
    }
    for (const char* t : texts) {
      for (Lexical lex : {Lexical::Token, Lexical::Quoted, Lexical::Bare}) {
        Value fast;
        Value slow;
        scalar::ScalarError se;
        if (f->enum_id < 0 || !scalar::convert_clean_enum(schema, index, f->enum_id, t, lex, fast)) continue;
        ++accepted;
        ASSERT_TRUE(scalar::convert_enum_item(schema, f->enum_id, t, lex, slow, se, &index)) << t;
        EXPECT_TRUE(same_value(fast, slow)) << f->path << " '" << t << "'";
      }
    }
  }
  EXPECT_GT(accepted, 40U);
}

// What convert_clean leaves to the general path, so that its errors (and CSV's booleans)
// stay the general path's.
TEST(ConvertClean, DeclinesErrorsAndNearMisses) {
  const Schema schema = test_patient::make_test_schema();
  const SchemaIndex& index = SchemaIndex::of(schema);
  auto declines = [&](size_t slot, std::string_view text, Lexical lex) {
    TextStore texts;
    Value v;
    return !scalar::convert_clean(schema, index, schema.fields[slot], text, lex, texts, v);
  };
  EXPECT_TRUE(declines(4, "leiomyosarcomaa", Lexical::Quoted));  // enum near miss
  EXPECT_TRUE(declines(4, "Leiomyosarcoma", Lexical::Quoted));
  EXPECT_TRUE(declines(4, "leiomyosarcoma", Lexical::Token));
  EXPECT_TRUE(declines(1, "54", Lexical::Quoted));    // quoted number
  EXPECT_TRUE(declines(1, "121", Lexical::Token));    // out of range
  EXPECT_TRUE(declines(1, "54.0", Lexical::Token));   // beyond small integers
  EXPECT_TRUE(declines(0, "TB-1", Lexical::Quoted));  // id has a length limit
  EXPECT_TRUE(declines(0, "17", Lexical::Token));     // integer id
  EXPECT_TRUE(declines(6, "2021-03", Lexical::Quoted));
  EXPECT_TRUE(declines(6, "2021-02-30", Lexical::Quoted));
  EXPECT_TRUE(declines(7, "yes", Lexical::Bare));
  EXPECT_TRUE(declines(7, "true", Lexical::Quoted));
  EXPECT_FALSE(declines(7, "true", Lexical::Token));
  EXPECT_FALSE(declines(5, "uterus", Lexical::Quoted));
}

// The same case written with and without escapes reads to the same Patient; positions are
// the nodes' positions either way.
TEST(ConvertClean, EscapedAndPlainTextReadAlike) {
  const Schema schema = test_patient::make_test_schema();
  const std::string plain =
      "{\"id\":\"é-1\",\"age\":54,\"histology\":\"leiomyosarcoma\",\"primary\":{\"site\":\"uté\","
      "\"diagnosed\":\"2021-03-01\",\"controlled\":true},\"imaging\":[\"pet_ct\"],"
      "\"lesions\":[{\"site\":\"lung\",\"size_mm\":14,\"status\":\"new\"}]}";
  const std::string escaped =
      "{\"id\":\"\\u00e9-1\",\"age\":54,\"histology\":\"leiomyo\\u0073arcoma\",\"primary\":{\"site\":\"ut\\u00e9\","
      "\"diagnosed\":\"2021\\u002d03-01\",\"controlled\":true},\"imaging\":[\"pet\\u005fct\"],"
      "\"lesions\":[{\"site\":\"\\u006cung\",\"size_mm\":14,\"status\":\"new\"}]}";
  ReadOptions opt;
  opt.json = true;
  Doc d1;
  Doc d2;
  JsonError err;
  ASSERT_TRUE(read_json(plain, {}, d1, err)) << err.message;
  ASSERT_TRUE(read_json(escaped, {}, d2, err)) << err.message;
  Patient p1;
  Patient p2;
  std::vector<InputError> e1;
  std::vector<InputError> e2;
  ASSERT_TRUE(read_patient(schema, d1, d1.root(), opt, p1, e1)) << e1.front().message;
  ASSERT_TRUE(read_patient(schema, d2, d2.root(), opt, p2, e2)) << e2.front().message;
  ASSERT_EQ(p1.values.size(), p2.values.size());
  for (size_t i = 0; i < p1.values.size(); ++i) EXPECT_TRUE(same_value(p1.values[i], p2.values[i])) << "slot " << i;
  ASSERT_EQ(p1.items.size(), p2.items.size());
  for (size_t i = 0; i < p1.items.size(); ++i) {
    if (p1.items[i].kind == VKind::Record) continue;  // pointers into each Patient
    EXPECT_TRUE(same_value(p1.items[i], p2.items[i])) << "item " << i;
  }
  EXPECT_EQ(p1.id, p2.id);
  for (size_t i = 0; i < p1.value_pos.size(); ++i) {
    if (!p1.value_pos[i].valid()) continue;
    EXPECT_EQ(pos_of(p1.value_pos[i]), pos_of(utf8_position(plain, p1.value_pos[i].offset))) << "slot " << i;
  }
}

}  // namespace
}  // namespace oligoscreen::detail
