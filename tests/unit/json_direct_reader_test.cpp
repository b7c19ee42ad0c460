// The JSON Lines fast lane (patient/json_direct_reader.hpp): for every record it either falls
// back or fills the Patient exactly as read_json + read_patient do. Differential over plain
// records of two schemas, hand-picked edge cases, limits, and seeded byte mutations.
#include "patient/json_direct_reader.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "api/screen.hpp"
#include "json/json_reader.hpp"
#include "patient/patient_reader.hpp"

namespace oligoscreen::test_patient {
detail::Schema make_test_schema();  // patient_reader_test.cpp
}  // namespace oligoscreen::test_patient

namespace oligoscreen::detail {
namespace {

std::string pos_text(Pos p) {
  return std::to_string(p.line) + ":" + std::to_string(p.col) + "@" + std::to_string(p.offset);
}

// Everything a Value holds, with list and record pointers as indices into p.items (so that
// an unlinked or misplaced pointer shows).
std::string value_text(const Patient& p, const Value& v) {
  std::string s = std::to_string(static_cast<int>(v.kind)) + "/" + std::to_string(v.hint) + "/" +
                  std::to_string(v.enum_id) + "/" + std::to_string(v.aux) + "/" + (v.why ? "why" : "-") + ":";
  switch (v.kind) {
    case VKind::Unknown:
      break;
    case VKind::Bool:
      s += v.b ? "true" : "false";
      break;
    case VKind::Number: {
      char buf[8];
      std::memcpy(buf, &v.num, 8);
      s += std::to_string(v.num) + "#" + std::string(buf, 8);  // bit pattern: -0 differs from 0
      break;
    }
    case VKind::Text:
      s += "'" + std::string(v.text.p, v.text.n) + "'";
      break;
    case VKind::Date:
      s += std::to_string(v.date.lo) + ".." + std::to_string(v.date.hi);
      break;
    case VKind::Enum:
      s += std::to_string(v.e);
      break;
    case VKind::List:
      s += "items@" + std::to_string(v.list.items - p.items.data()) + "x" + std::to_string(v.list.count);
      break;
    case VKind::Record:
      s += "fields@" + std::to_string(v.rec.fields - p.items.data());  // (shares its bytes with e)
      break;
  }
  return s;
}

std::string patient_text(const Patient& p) {
  std::string s = "id=" + p.id + (p.has_id ? "(has)" : "(none)") + " start=" + pos_text(p.start) + "\n";
  for (size_t i = 0; i < p.values.size(); ++i) {
    s += "v" + std::to_string(i) + " " + value_text(p, p.values[i]) + " at " + pos_text(p.value_pos[i]) + "\n";
  }
  s += "items " + std::to_string(p.items.size()) + "/" + std::to_string(p.item_pos.size()) + "\n";
  for (size_t i = 0; i < p.items.size() && i < p.item_pos.size(); ++i) {
    s += "i" + std::to_string(i) + " " + value_text(p, p.items[i]) + " at " + pos_text(p.item_pos[i]) + "\n";
  }
  for (const PatientWarning& w : p.warnings) {
    s += "w " + w.code + " " + w.field + " " + w.message + " at " + pos_text(w.pos) + "\n";
  }
  return s;
}

struct Outcome {
  bool direct_ok = false;
  bool general_ok = false;  // read_json and read_patient without error
  bool general_warned = false;
};

const Schema& sarcoma_schema();

// The cache each test's schema is read with (a test's schema is alive until its end, and the
// next test's schema may take its address: each test starts a new cache).
DirectReadCache& test_cache() {
  static std::unique_ptr<DirectReadCache> cache;
  static std::string test;
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string name = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "";
  if (cache == nullptr || name != test) {
    cache = std::make_unique<DirectReadCache>();
    test = name;
  }
  return *cache;
}

// Runs the direct reader without and with the test's cache (record shapes, enum texts, taught
// by the records read before in the test) and the general path on `text`: with or without the
// cache the direct reader must give the same answer, and when it says Ok, the general one
// must succeed with the same Patient.
Outcome differ(const Schema& schema, std::string_view text, uint32_t line = 7, bool strict = false,
               const JsonLimits& limits = {}) {
  Outcome o;
  ReadOptions ro;
  ro.strict = strict;
  ro.json = true;
  Patient direct;
  direct.reset(3);  // stale contents must not leak into the result
  direct.id = "stale";
  o.direct_ok = read_patient_json_direct(schema, text, line, limits, ro, direct) == DirectRead::Ok;
  DirectReadCache& cache = &schema == &sarcoma_schema() ? *[] {
    static DirectReadCache sarcoma;  // the schema is static
    return &sarcoma;
  }()
                                                        : test_cache();
  Patient cached;
  cached.reset(5);
  cached.id = "stale";
  const bool cached_ok = read_patient_json_direct(schema, text, line, limits, ro, cached, &cache) == DirectRead::Ok;
  EXPECT_EQ(cached_ok, o.direct_ok) << "the cache changed the answer: " << text;
  if (cached_ok && o.direct_ok) {
    EXPECT_EQ(patient_text(cached), patient_text(direct)) << "the cache changed the Patient: " << text;
  }

  Doc doc;
  JsonError err;
  Patient general;
  std::vector<InputError> errors;
  if (read_json(text, limits, doc, err, line) && doc.node(doc.root()).is_map()) {
    o.general_ok = read_patient(schema, doc, doc.root(), ro, general, errors);
    o.general_warned = !general.warnings.empty();
  }
  if (o.direct_ok) {
    EXPECT_TRUE(o.general_ok) << "fast lane accepted a record the general path rejects: " << text << "\n"
                              << (errors.empty() ? err.message : errors.front().message);
    if (o.general_ok) {
      EXPECT_EQ(patient_text(direct), patient_text(general)) << text;
    }
  }
  return o;
}

const Schema& sarcoma_schema() {
  static const std::shared_ptr<RuleSetModel> model = [] {
    Diagnostics d;
    return load_embedded_rules(d);
  }();
  return model->schema;
}

// The test schema plus a nested group (trial.arm.code, trial.arm.open, trial.site), a List of
// Enum subfield (lesions[].tags) and an unbounded text field (note).
Schema rich_schema() {
  Schema s = test_patient::make_test_schema();
  auto add = [&s](std::string path, FieldType type) -> FieldDef& {
    FieldDef f;
    f.path = path;
    for (size_t start = 0;;) {
      const size_t dot = path.find('.', start);
      f.segments.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    f.type = type;
    f.slot = static_cast<uint32_t>(s.fields.size());
    s.fields.push_back(std::move(f));
    return s.fields.back();
  };
  add("trial.arm.code", FieldType::Text);
  add("trial.arm.open", FieldType::Boolean);
  add("trial.site", FieldType::Enum).enum_id = 2;
  add("note", FieldType::Text);
  add("seen_on", FieldType::Date);
  s.groups.push_back("trial");
  FieldDef& lesions = s.fields[10];
  FieldDef tags;
  tags.path = "tags";
  tags.segments = {"tags"};
  tags.type = FieldType::List;
  tags.of = ListOf::Enum;
  tags.enum_id = 3;
  tags.max_items = 3;
  lesions.fields.push_back(tags);
  return s;
}

// Records of the generator's shape (shared/bench/gen.py), verbatim.
const char* const kGenRecords[] = {
    R"({"id":"R0000001","age":8,"sex":"male","histology":"rhabdomyosarcoma","grade":3,"ecog":0,"life_expectancy_months":18,"primary":{"site":"trunk wall","diagnosed":"2020-07-03","controlled":true},"history":{"polymetastatic":false,"oligometastatic":false},"metastases":{"diagnosed":"2020-08-11"},"systemic_therapy":{"active":false},"imaging":["ct_chest_abdomen_pelvis","pet_ct","mri_local"],"lesions":[{"site":"spine","size_mm":8,"status":"progressing","treatable":true}]})",
    R"({"id":"R0000002","age":30,"sex":"male","histology":"ewing_sarcoma","ecog":0,"life_expectancy_months":24,"primary":{"site":"tibia","diagnosed":"2019-09-13","controlled":true,"treatment_completed":"2019-12-06"},"history":{"polymetastatic":false,"oligometastatic":true},"metastases":{"diagnosed":"2022-07-24"},"systemic_therapy":{"active":true,"agent":"vincristine+irinotecan"},"imaging":["pet_ct","mri_spine","bone_scan"],"lesions":[{"site":"spine","size_mm":12,"status":"progressing","treatable":true}]})",
    R"({"id":"R0000003","age":77,"sex":"male","histology":"liposarcoma_dedifferentiated","grade":3,"ecog":0,"life_expectancy_months":3,"primary":{"site":"thigh","diagnosed":"2024-03-24","controlled":false,"treatment_completed":"2024-09-27"},"history":{"polymetastatic":false,"oligometastatic":false},"metastases":{"diagnosed":"2025-06-10"},"systemic_therapy":{"active":false},"imaging":["ct_chest_abdomen_pelvis"],"lesions":[{"site":"lung","size_mm":11,"status":"new","treatable":true}]})",
    R"({"id":"R9","age":61,"histology":"leiomyosarcoma","ecog":1,"primary":{"site":"uterus","diagnosed":"2021-05","controlled":true},"history":null,"imaging":[],"lesions":[]})",
    R"(  { "id" : 12345 , "age" : null, "lesions" : [ { "site" : "lung" , "size_mm" : 7.25 } , {"site":"liver","treatable":null} ] }	)",
};

// Plain records of the rich schema, built from a fixed-seed generator: random subsets of the
// fields in random order, random (JSON Lines) whitespace, nulls, nested groups, lists.
class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}

  std::string record() {
    std::vector<std::string> members;
    members.push_back(
        kv("id", pick({"\"P1\"", "\"a b c\"", "\"x/y:z,{}[]\"", "42", "\"" + std::string(40, 'q') + "\""})));
    maybe(members, "age", {"0", "120", "54", "-0", "null", "7"});
    maybe(members, "ecog", {"0", "4", "2", "null"});
    maybe(members, "life_expectancy_months", {"0", "600", "12.5", "0.0001", "599.999", "12345678901234", "null"});
    maybe(members, "histology", {"\"leiomyosarcoma\"", "\"osteosarcoma\"", "null"});
    maybe(members, "primary",
          {group({{"site", {"\"thigh\"", "\"\"", "null"}},
                  {"diagnosed", {"\"2020-02-29\"", "\"2021-12\"", "\"1999-01-01\"", "null"}},
                  {"controlled", {"true", "false", "null"}}}),
           "null", "{}"});
    maybe(members, "systemic_therapy", {group({{"active", {"true", "false"}}}), "null"});
    maybe(members, "imaging", {"[]", list({"\"ct_chest\"", "\"pet_ct\"", "\"chest_xray\""}, 4), "null"});
    maybe(members, "lesions", {"[]", lesions(), lesions(), "null"});
    maybe(members, "trial",
          {"{\"arm\":" + group({{"code", {"\"A1\"", "null"}}, {"open", {"true", "null"}}}) + sep() +
               ",\"site\":\"bone\"}",
           "{\"arm\":null}", "{\"site\":\"pleura\"" + sep() + "}", "null"});
    maybe(members, "note", {"\"free text with 'quotes' and ~^`|\"", "\"\"", "null"});
    maybe(members, "seen_on", {"\"2024-02\"", "\"2023-06-30\"", "null"});
    shuffle(members);
    return ws() + "{" + ws() + join(members) + ws() + "}" + ws();
  }

 private:
  std::string ws() {
    static const char* const kWs[] = {"", "", "", " ", "\t", "  ", "\r"};
    return kWs[rng_() % 7];
  }
  std::string sep() { return ws(); }
  std::string kv(const std::string& k, const std::string& v) { return "\"" + k + "\"" + ws() + ":" + ws() + v; }
  std::string pick(const std::vector<std::string>& options) { return options[rng_() % options.size()]; }
  void maybe(std::vector<std::string>& members, const std::string& k, const std::vector<std::string>& options) {
    if (rng_() % 4 != 0) members.push_back(kv(k, pick(options)));
  }
  void shuffle(std::vector<std::string>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng_() % i]);
  }
  std::string join(const std::vector<std::string>& parts) {
    std::string s;
    for (size_t i = 0; i < parts.size(); ++i) s += (i == 0 ? "" : ws() + "," + ws()) + parts[i];
    return s;
  }
  std::string group(const std::vector<std::pair<std::string, std::vector<std::string>>>& fields) {
    std::vector<std::string> members;
    for (const auto& [k, options] : fields) maybe(members, k, options);
    shuffle(members);
    return "{" + ws() + join(members) + ws() + "}";
  }
  std::string list(const std::vector<std::string>& options, size_t max) {
    std::vector<std::string> items;
    for (size_t n = rng_() % (max + 1), i = 0; i < n; ++i) items.push_back(pick(options));
    return "[" + ws() + join(items) + ws() + "]";
  }
  std::string lesions() {
    std::vector<std::string> items;
    for (size_t n = 1 + rng_() % 4, i = 0; i < n; ++i) {
      std::vector<std::string> members{kv("site", pick({"\"lung\"", "\"malignant_effusion\"", "\"bone\""}))};
      maybe(members, "size_mm", {"0.5", "500", "12", "null"});
      maybe(members, "status", {"\"new\"", "\"stable\"", "null"});
      maybe(members, "treatable", {"true", "false", "null"});
      maybe(members, "tags", {"[]", list({"\"new\"", "\"responding\""}, 3), "null"});
      shuffle(members);
      items.push_back("{" + ws() + join(members) + ws() + "}");
    }
    return "[" + ws() + join(items) + ws() + "]";
  }

  std::mt19937 rng_;
};

TEST(JsonDirectReader, GeneratorRecordsTakeTheFastLaneAndMatch) {
  for (const char* text : kGenRecords) {
    const Outcome o = differ(sarcoma_schema(), text);
    EXPECT_TRUE(o.direct_ok) << text;
    EXPECT_TRUE(o.general_ok) << text;
  }
}

TEST(JsonDirectReader, PlainRecordsOfEveryFieldTypeMatch) {
  const Schema schema = rich_schema();
  Gen gen(20240611);
  size_t fast = 0;
  size_t valid = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string text = gen.record();
    const Outcome o = differ(schema, text, 1 + static_cast<uint32_t>(i), i % 2 == 0);
    valid += o.general_ok ? 1 : 0;
    fast += o.direct_ok ? 1 : 0;
    // Every valid generated record is plain: the fast lane must take it.
    if (o.general_ok && !o.general_warned) {
      EXPECT_TRUE(o.direct_ok) << text;
    }
  }
  EXPECT_GT(valid, 1000U);
  EXPECT_EQ(fast, valid);
}

TEST(JsonDirectReader, EdgeCasesFallBackOrMatch) {
  const Schema schema = rich_schema();
  struct Case {
    const char* text;
    bool fast;  // expected to take the fast lane
  };
  const Case cases[] = {
      {R"({"id":"a"})", true},
      {R"({"id":"a","age":-0})", true},
      {R"({"id":"a","life_expectancy_months":1e2})", false},  // exponent
      {R"({"id":"a","life_expectancy_months":0.5})", true},
      {R"({"id":"a","age":14.5})", false},  // not a whole number
      {R"({"id":"a","age":121})", false},   // range
      {R"({"id":"a","age":"54"})", false},  // text where a number belongs
      {R"({"id":"a","age":054})", false},   // leading zero
      {R"({"id":"a","age":5a})", false},    // junk
      {R"({"id":"a","age":tru})", false},   // literal
      {R"({"id":"a","primary":{"controlled":truex}})", false},
      {R"({"id":"a\u0062"})", false},         // escape
      {R"({"id":"a\"b"})", false},            // escape
      {"{\"id\":\"caf\xC3\xA9\"}", false},    // non-ASCII
      {"\xEF\xBB\xBF{\"id\":\"a\"}", false},  // BOM
      {"{\"id\":\"a\xFF\"}", false},          // invalid UTF-8
      {"{\"id\":\"a\tb\"}", false},           // control character
      {"{\"id\":\"a\",\n\"age\":3}", false},  // newline
      {R"({"id":"a","agee":3})", false},      // unknown key: warning
      {R"({"id":"a","primary":{"sitee":"x"}})", false},
      {R"({"id":"a","lesions":[{"site":"lung","sizemm":3}]})", false},
      {R"({"id":"a","id":"b"})", false},  // duplicate keys
      {R"({"id":"a","age":null,"age":3})", false},
      {R"({"id":"a","primary":null,"primary":{}})", false},
      {R"({"id":"a","trial":{"arm":{},"arm":null}})", false},
      // A group met again right after one of its later fields (the key guess names that
      // field, not the group's first): still a duplicate.
      {R"({"id":"a","primary":{"site":"x"},"primary":{}})", false},
      {R"({"id":"a","primary":{"diagnosed":"2020-01-01","controlled":true},"primary":null})", false},
      {R"({"id":"a","trial":{"arm":{"code":"x"},"arm":{}}})", false},
      {R"({"id":"a","trial":{"arm":{"open":true},"site":"bone","arm":null}})", false},
      {R"({"id":"a","lesions":[{"site":"lung","site":"bone"}]})", false},
      {R"({"age":3})", false},                                 // missing id
      {R"({"id":""})", false},                                 // id too short
      {R"({"id":"a","lesions":[{"size_mm":3}]})", false},      // missing required subfield
      {R"({"id":"a","lesions":[{},{},{},{},{},{}]})", false},  // over max_items (and missing site)
      {R"({"id":"a","lesions":[{"site":"lung","tags":["new","new","new","new"]}]})", false},
      {R"({"id":"a","lesions":[{"site":"lung","tags":["new","new","new"]}]})", true},
      {R"({"id":"a","imaging":["ct_chest",]})", false},  // trailing comma
      {R"({"id":"a",})", false},
      {R"({"id":"a"} x)", false},  // trailing garbage
      {R"({"id":"a"}{})", false},
      {R"([{"id":"a"}])", false},  // not a mapping
      {R"("a")", false},
      {"", false},
      {"   ", false},
      {R"({"id":"a","imaging":"ct_chest"})", false},  // type mismatch
      {R"({"id":"a","imaging":[3]})", false},
      {R"({"id":"a","imaging":[null]})", false},
      {R"({"id":"a","primary":[]})", false},
      {R"({"id":"a","lesions":{}})", false},
      {R"({"id":"a","lesions":[null]})", false},
      {R"({"id":"a","lesions":[[]]})", false},
      {R"({"id":"a","histology":"leiomyosarcom"})", false},           // enum
      {R"({"id":"a","primary":{"diagnosed":"2021-02-29"}})", false},  // date
      {R"({"id":"a","primary":{"diagnosed":"2021-02"}})", true},
      {R"({"id":"a","primary":{"controlled":"true"}})", false},
      {R"({"id":"a","lesions":[{"site":"lung","size_mm":0}]})", false},  // exclusive minimum
      {R"({"id":"a","lesions":[{"site":"lung","size_mm":500.0}]})", true},
      {R"({"id":"a","lesions":[{"site":"lung"},{"site":"bone","tags":["new"]}],"imaging":["pet_ct"]})", true},
      {R"({"id":"a","lesions":[{"site":"lung"}{"site":"bone"}]})", false},  // missing comma
      {R"({"id":"a","lesions":[{"site":"lung"},]})", false},
      {R"({"id":"a","lesions":[{"site":"lung"})", false},  // unterminated
      {R"({"id":"a","trial":{"arm":{"code":"x","open":false},"site":"liver"}})", true},
      {R"({"id":"a","trial":{"arm":"x"}})", false},
      {R"({"id":"a","note":"x","seen_on":"2024-13-01"})", false},
      {R"({"id":"a","age":1234567890123456789012})", false},  // range, general conversion
      {R"({"id":"a","life_expectancy_months":100000000000000000000000000000000})", false},
  };
  for (const Case& c : cases) {
    for (const bool strict : {false, true}) {
      const Outcome o = differ(schema, c.text, 3, strict);
      EXPECT_EQ(o.direct_ok, c.fast) << c.text;
    }
  }
}

TEST(JsonDirectReader, FallsBackNearEveryJsonLimit) {
  const Schema schema = rich_schema();
  const std::string text = R"({"id":"a","lesions":[{"site":"lung","tags":["new"]}],"primary":{"site":"thigh"}})";
  EXPECT_TRUE(differ(schema, text).direct_ok);
  for (uint32_t depth = 0; depth < 6; ++depth) {
    JsonLimits l;
    l.max_depth = depth;
    const Outcome o = differ(schema, text, 1, false, l);
    EXPECT_EQ(o.direct_ok, depth >= 4) << "max_depth " << depth;
  }
  JsonLimits bytes;
  bytes.max_bytes = text.size() - 1;
  EXPECT_FALSE(differ(schema, text, 1, false, bytes).direct_ok);
  JsonLimits nodes;
  nodes.max_nodes = 12;
  EXPECT_FALSE(differ(schema, text, 1, false, nodes).direct_ok);
  JsonLimits strings;
  strings.max_string_bytes = 4;
  EXPECT_FALSE(differ(schema, text, 1, false, strings).direct_ok);
}

// Strings are scanned many bytes at a time: a byte that is not plain must stop the scan
// wherever it sits in a long key or text, and a plain one (DEL too) must not.
TEST(JsonDirectReader, EveryByteAtEveryOffsetOfALongString) {
  const Schema schema = rich_schema();
  const std::string text(40, 'q');
  for (size_t at = 0; at <= text.size(); ++at) {
    for (const char b : {'"', '\\', '\x1F', '\t', '\x80', '\xFF', '\x7F', 'z'}) {
      std::string note = text;
      note.insert(at, 1, b);
      const bool plain = b == '\x7F' || b == 'z';
      const std::string rec = R"({"id":"a","note":")" + note + R"("})";
      EXPECT_EQ(differ(schema, rec).direct_ok, plain) << at << " " << static_cast<int>(b);
    }
  }
}

// The key memo's guess is checked on the bytes as written: after a record that teaches it
// which key follows "id", a key that differs from that name in one byte (of the name, its
// closing quote or the colon), or is one byte longer or shorter, must not be taken for it.
// Short, 8-15 byte and long names, with and without 16 bytes after the name.
TEST(JsonDirectReader, KeyGuessesAreCheckedOnEveryByte) {
  const Schema schema = rich_schema();
  const std::string pad = R"(,"note":")" + std::string(20, 'z') + R"("})";
  const std::pair<std::string, std::string> keys[] = {
      {"age", "3"}, {"histology", R"("osteosarcoma")"}, {"life_expectancy_months", "12"}};
  const size_t at = std::strlen(R"({"id":"a",")");
  size_t checked = 0;
  for (const auto& [name, value] : keys) {
    for (const bool padded : {false, true}) {
      const std::string plain = R"({"id":"a",")" + name + "\":" + value + (padded ? pad : "}");
      std::vector<std::string> variants;
      for (size_t i = 0; i < name.size() + 2; ++i) {
        for (const char b : {'x', '"', '\\', '\x01', '\x80', ' ', 'A'}) {
          if (plain[at + i] == b) continue;
          std::string v = plain;
          v[at + i] = b;
          variants.push_back(v);
        }
      }
      variants.push_back(std::string(plain).insert(at + name.size(), "x"));
      variants.push_back(std::string(plain).erase(at + name.size() - 1, 1));
      for (const std::string& v : variants) {
        ASSERT_TRUE(differ(schema, plain).direct_ok) << plain;  // (re)teaches the memo
        EXPECT_FALSE(differ(schema, v).direct_ok) << v;
        ++checked;
      }
      // Whitespace before the colon: not the guess's bytes, but the same key.
      std::string spaced = plain;
      spaced.insert(at + name.size() + 1, " ");
      EXPECT_TRUE(differ(schema, spaced).direct_ok) << spaced;
    }
  }
  EXPECT_GT(checked, 300U);
}

// The element plan of a List of Record (the subfield keys of the last element read the
// general way, in order) is checked on every key: after elements that teach it one order,
// elements in another order, with a key renamed by one byte, a key missing or extra, a key
// repeated, a value of the wrong type, must fall back or match; plain valid ones must still
// take the fast lane. As the first element, between taught elements, and as the last.
TEST(JsonDirectReader, ElementPlansAreCheckedOnEveryKey) {
  const Schema schema = rich_schema();
  const std::string taught = R"({"site":"lung","size_mm":12,"status":"new","treatable":true})";
  const std::string elements[] = {
      taught,
      R"({"size_mm":12,"site":"lung","status":"new","treatable":true})",
      R"({"treatable":true,"status":"new","size_mm":12,"site":"lung"})",
      R"({"site":"lung","size_mx":12,"status":"new","treatable":true})",
      R"({"site":"lung","size_mm":12,"statu":"new","treatable":true})",
      R"({"site":"lung","status":"new","treatable":true})",
      R"({"size_mm":12,"status":"new","treatable":true})",
      R"({"site":"lung","size_mm":12,"status":"new"})",
      R"({"site":"lung","size_mm":12,"status":"new","treatable":true,"tags":["new"]})",
      R"({"site":"lung","size_mm":12,"status":"new","treatable":true,"site":"bone"})",
      R"({"site":"lung","size_mm":12,"size_mm":12,"treatable":true})",
      R"({"site":"lung","size_mm":"12","status":"new","treatable":true})",
      R"({"site":null,"size_mm":12,"status":"new","treatable":true})",
      R"({"site":"lung","size_mm":null,"status":"new","treatable":true})",
      R"({"site" :"lung", "size_mm":12 ,"status":"new","treatable":true })",
      R"({})",
  };
  size_t fast = 0;
  size_t slow = 0;
  for (const std::string& e : elements) {
    for (int where = 0; where < 3; ++where) {
      const std::string list = where == 0   ? e + "," + taught
                               : where == 1 ? taught + "," + e + "," + taught
                                            : taught + "," + e;
      const std::string text = R"({"id":"a","lesions":[)" + list + "]}";
      ASSERT_TRUE(differ(schema, R"({"id":"a","lesions":[)" + taught + "]}").direct_ok);  // teaches the plan
      const Outcome o = differ(schema, text);
      EXPECT_EQ(o.direct_ok, o.general_ok && !o.general_warned) << text;
      (o.direct_ok ? fast : slow) += 1;
    }
  }
  EXPECT_GT(fast, 20U);
  EXPECT_GT(slow, 10U);
  // Every byte of a taught element replaced, with the plan taught before each.
  for (size_t i = 1; i + 1 < taught.size(); ++i) {
    for (const char b : {'x', '"', ',', ':', '}', ' ', '\\', '\x80'}) {
      std::string e = taught;
      if (e[i] == b) continue;
      e[i] = b;
      ASSERT_TRUE(differ(schema, R"({"id":"a","lesions":[)" + taught + "]}").direct_ok);
      const std::string text = R"({"id":"a","lesions":[)" + taught + "," + e + "]}";
      const Outcome o = differ(schema, text);
      if (o.general_ok && !o.general_warned && static_cast<unsigned char>(b) < 0x80 && b != '\\') {
        EXPECT_TRUE(o.direct_ok) << text;
      }
    }
  }
}

// Seeded byte mutations of valid records: insertions, deletions and replacements with the
// bytes that matter to JSON. Whatever the fast lane accepts must match.
TEST(JsonDirectReader, MutatedRecordsFallBackOrMatch) {
  const Schema rich = rich_schema();
  Gen gen(7);
  std::mt19937 rng(12345);
  static const char kBytes[] = "\"\\{}[],: \t\r\n0123456789-+.eEtfnulasx_\x80\xC3\xA9\xFF";
  size_t fast = 0;
  for (int i = 0; i < 4000; ++i) {
    const bool sarcoma = i % 4 == 0;
    std::string text = sarcoma ? kGenRecords[static_cast<size_t>(i / 4) % std::size(kGenRecords)] : gen.record();
    for (unsigned edits = 1 + rng() % 3; edits != 0 && !text.empty(); --edits) {
      const size_t at = rng() % text.size();
      const char b = kBytes[rng() % (sizeof(kBytes) - 1)];
      switch (rng() % 3) {
        case 0:
          text[at] = b;
          break;
        case 1:
          text.insert(at, 1, b);
          break;
        default:
          text.erase(at, 1 + rng() % 4);
      }
    }
    fast += differ(sarcoma ? sarcoma_schema() : rich, text, 5, i % 3 == 0).direct_ok ? 1 : 0;
  }
  EXPECT_GT(fast, 0U);  // some mutations keep a record plain (a value's digits, a text's letters)
}

}  // namespace
}  // namespace oligoscreen::detail

namespace oligoscreen::detail {
namespace {

std::string join_members(const std::vector<std::string>& m) {
  std::string s;
  for (size_t i = 0; i < m.size(); ++i) s += (i == 0 ? "" : ",") + m[i];
  return s;
}

// Variants of a mapping's members at every position: dropped, swapped with the next, moved to
// the end, repeated, renamed by one byte, null, of the wrong type; plus the members unchanged.
std::vector<std::vector<std::string>> member_variants(const std::vector<std::string>& m) {
  std::vector<std::vector<std::string>> out{m};
  for (size_t i = 0; i < m.size(); ++i) {
    auto v = m;
    v.erase(v.begin() + static_cast<ptrdiff_t>(i));
    out.push_back(v);
    if (i + 1 < m.size()) {
      v = m;
      std::swap(v[i], v[i + 1]);
      out.push_back(v);
    }
    v = m;
    v.push_back(m[i]);
    v.erase(v.begin() + static_cast<ptrdiff_t>(i));
    out.push_back(v);
    v = m;
    v.insert(v.begin() + static_cast<ptrdiff_t>(i), m[i]);
    out.push_back(v);
    const size_t colon = m[i].find("\":");
    v = m;
    v[i][colon - 1] = static_cast<char>(v[i][colon - 1] ^ 0x20);  // last byte of the name
    out.push_back(v);
    v = m;
    v[i].insert(colon, "x");  // one byte longer
    out.push_back(v);
    for (const char* value : {"null", "7", "\"x\"", "true", "[]", "{}"}) {
      v = m;
      v[i] = m[i].substr(0, colon + 2) + value;
      out.push_back(v);
    }
  }
  return out;
}

// After a record that teaches the record shape (its mappings' key sequences and enum texts),
// records that diverge from it at every position of the record, of a group, of a nested
// group and of a list element, and lists of other lengths, must read as without the cache
// (differ() compares with and without it, and with the general path); every plain valid one
// takes the fast lane. Then every byte of the taught record replaced by each of 8 bytes.
TEST(JsonDirectReader, RecordShapesAreCheckedOnEveryKey) {
  const Schema schema = rich_schema();
  const std::vector<std::string> top = {
      R"("id":"P1")",
      R"("age":54)",
      R"("ecog":2)",
      R"("life_expectancy_months":12.5)",
      R"("histology":"leiomyosarcoma")",
      R"("primary":{"site":"thigh","diagnosed":"2020-02-29","controlled":true})",
      R"("systemic_therapy":{"active":false})",
      R"("imaging":["ct_chest","pet_ct"])",
      R"("lesions":[{"site":"lung","size_mm":12,"status":"new","treatable":true,"tags":["new"]},{"site":"bone","size_mm":0.5,"status":"stable","treatable":false}])",
      R"("trial":{"arm":{"code":"A1","open":true},"site":"bone"})",
      R"("note":"n")",
      R"("seen_on":"2024-02")",
  };
  const std::string taught = "{" + join_members(top) + "}";
  const auto with = [&top](size_t i, const std::string& member) {
    auto m = top;
    m[i] = member;
    return "{" + join_members(m) + "}";
  };
  std::vector<std::string> records;
  for (const auto& v : member_variants(top)) records.push_back("{" + join_members(v) + "}");
  for (const auto& v : member_variants({R"("site":"thigh")", R"("diagnosed":"2020-02-29")", R"("controlled":true)"})) {
    records.push_back(with(5, R"("primary":{)" + join_members(v) + "}"));
  }
  for (const auto& v : member_variants({R"("arm":{"code":"A1","open":true})", R"("site":"bone")"})) {
    records.push_back(with(9, R"("trial":{)" + join_members(v) + "}"));
  }
  for (const auto& v : member_variants({R"("code":"A1")", R"("open":true)"})) {
    records.push_back(with(9, R"("trial":{"arm":{)" + join_members(v) + R"(},"site":"bone"})"));
  }
  const std::string element = R"({"site":"lung","size_mm":12,"status":"new","treatable":true,"tags":["new"]})";
  for (const auto& v : member_variants(
           {R"("site":"lung")", R"("size_mm":12)", R"("status":"new")", R"("treatable":true)", R"("tags":["new"])"})) {
    const std::string e = "{" + join_members(v) + "}";
    records.push_back(with(8, R"("lesions":[)" + e + "]"));
    records.push_back(with(8, R"("lesions":[)" + element + "," + e + "]"));
  }
  for (const char* lesions : {"[]", "null", "[{}]"}) records.push_back(with(8, std::string(R"("lesions":)") + lesions));
  records.push_back(with(8, R"("lesions":[)" + element + "," + element + "," + element + "]"));
  for (const char* imaging : {"[]", R"(["ct_chest"])", R"(["pet_ct","chest_xray","ct_chest"])", R"(["pet_ct","x"])",
                              R"(["pet_ct" ,"ct_chest"])", R"(["pet_ct",1])"}) {
    records.push_back(with(7, std::string(R"("imaging":)") + imaging));
  }
  for (const char* value : {R"("leiomyosarcoma")", R"("osteosarcoma")", R"("leiomyosarcom")", R"("leiomyosarcomaa")",
                            R"("Leiomyosarcoma")", R"("leiomyosarcoma\u0020")", R"("leiomyosarcoma" )"}) {
    records.push_back(with(4, std::string(R"("histology":)") + value));
  }
  records.push_back("{}");
  records.push_back(taught.substr(0, taught.size() - 1) + R"(,"unknown":1})");
  records.push_back(taught.substr(0, taught.size() - 1) + R"( })");
  records.push_back(" " + taught);
  size_t fast = 0;
  size_t slow = 0;
  for (const std::string& text : records) {
    ASSERT_TRUE(differ(schema, taught).direct_ok);  // (re)teaches the shape
    const Outcome o = differ(schema, text);
    if (text.find('\\') == std::string::npos) {
      EXPECT_EQ(o.direct_ok, o.general_ok && !o.general_warned) << text;
    }
    (o.direct_ok ? fast : slow) += 1;
  }
  EXPECT_GT(fast, 100U);
  EXPECT_GT(slow, 50U);
  for (size_t i = 0; i < taught.size(); ++i) {
    for (const char b : {'x', '"', ',', ':', '}', ' ', '\\', '\x80'}) {
      std::string text = taught;
      if (text[i] == b) continue;
      text[i] = b;
      ASSERT_TRUE(differ(schema, taught).direct_ok);
      const Outcome o = differ(schema, text);
      if (o.general_ok && !o.general_warned && static_cast<unsigned char>(b) < 0x80 && b != '\\') {
        EXPECT_TRUE(o.direct_ok) << text;
      }
    }
  }
}

// Records the generator writes, in turn, with absent keys varying: each read as without the
// cache (differ()), and all on the fast lane.
TEST(JsonDirectReader, ShapesLearnedFromVaryingRecordsMatch) {
  for (int round = 0; round < 3; ++round) {
    for (const char* text : kGenRecords) EXPECT_TRUE(differ(sarcoma_schema(), text).direct_ok) << text;
  }
  const Schema schema = rich_schema();
  Gen gen(99);
  for (int i = 0; i < 2000; ++i) differ(schema, gen.record(), 1 + static_cast<uint32_t>(i));
}

// Decimals read as they are scanned (at most 15 digits: m / 10^k) and the longer ones given
// to convert_scalar: each must read as the general path reads it (from_chars), bit for bit,
// in a Number field and in an Integer field (a fraction there only when it is whole).
TEST(JsonDirectReader, DecimalsMatchTheGeneralPath) {
  std::mt19937 rng(5);
  const auto digits = [&rng](size_t n, bool lead) {
    std::string d;
    for (size_t i = 0; i < n; ++i) d += static_cast<char>('0' + (i == 0 && lead ? 1 + rng() % 9 : rng() % 10));
    return d;
  };
  const std::string base = kGenRecords[0];
  const size_t at = base.find(R"("life_expectancy_months":)");
  ASSERT_NE(at, std::string::npos);
  const size_t end = base.find(',', at);
  size_t fast = 0;
  for (int i = 0; i < 6000; ++i) {
    const size_t whole = rng() % 4;  // 0: "0."
    const size_t frac = 1 + rng() % 17;
    std::string num = (whole == 0 ? "0" : std::to_string(1 + rng() % 599).substr(0, whole)) + "." + digits(frac, false);
    if (i % 7 == 0) num = "-" + num;
    if (i % 11 == 0) num = digits(1, true) + "." + std::string(rng() % 16, '0');
    const std::string text = base.substr(0, at) + R"("life_expectancy_months":)" + num + base.substr(end);
    const Outcome o = differ(sarcoma_schema(), text);
    EXPECT_EQ(o.direct_ok, o.general_ok) << num;
    fast += o.direct_ok ? 1 : 0;
  }
  EXPECT_GT(fast, 3000U);
  const size_t age = base.find(R"("age":)");
  const size_t age_end = base.find(',', age);
  for (const char* num : {"2.0", "2.5", "0.0", "-0.0", "120.00", "120.01", "7.000000000000001", "99.99999999999999",
                          "-1.0", "119.999999999999999", "1.0000000000000000"}) {
    const std::string text = base.substr(0, age) + R"("age":)" + num + base.substr(age_end);
    const Outcome o = differ(sarcoma_schema(), text);
    EXPECT_EQ(o.direct_ok, o.general_ok) << num;
  }
}

// Enum texts cached by their exact bytes (two per set of a hash of up to their first 8 bytes,
// up to 47 bytes long, compared by memcmp near the record's end): after each value of every
// enum of the sarcoma schema is taught, the values of the same enum, and the taught text one
// byte off, shorter, longer or unclosed, in the middle and at the end of the record, read as
// without the cache (differ()), the valid ones on the fast lane.
TEST(JsonDirectReader, EnumTextsAreCheckedOnEveryByte) {
  const Schema& schema = sarcoma_schema();
  const std::string head = R"({"id":"R1","age":8,"sex":"male","histology":)";
  const std::string tail =
      R"(,"ecog":0,"life_expectancy_months":18,"imaging":["pet_ct"],"lesions":[{"site":"spine","size_mm":8,"status":"new","treatable":true}]})";
  const auto records = [&](const std::string& histology, const std::string& modality) {
    return std::vector<std::string>{
        head + histology + tail,
        R"({"id":"R1","age":8,"sex":"male","ecog":0,"imaging":[)" + modality + R"(],"histology":)" + histology + "}",
        R"({"id":"R1","imaging":["pet_ct",)" + modality + "," + modality + "]}",
        R"({"id":"R1","imaging":[)" + modality + "]}",
    };
  };
  for (const char* e : {"histology", "imaging_modality"}) {
    const EnumDef* def = nullptr;
    for (const EnumDef& d : schema.enums) def = d.name == e ? &d : def;
    ASSERT_NE(def, nullptr) << e;
    const auto& values = def->values;
    ASSERT_GT(values.size(), 10U);
    for (const std::string& taught : values) {
      const bool hist = std::string(e) == "histology";
      const auto of = [&](const std::string& v) {
        return hist ? records("\"" + v + "\"", "\"pet_ct\"") : records("\"leiomyosarcoma\"", "\"" + v + "\"");
      };
      std::vector<std::string> texts;
      for (const std::string& v : values) texts.push_back(v);
      for (size_t i = 0; i < taught.size(); ++i) {
        std::string v = taught;
        v[i] = static_cast<char>(v[i] ^ 0x01);
        texts.push_back(v);
      }
      texts.push_back(taught.substr(0, taught.size() - 1));
      texts.push_back(taught + "x");
      texts.push_back(taught + "\" ");
      for (const std::string& t : of(taught)) ASSERT_TRUE(differ(schema, t).direct_ok) << t;
      for (const std::string& v : texts) {
        for (const std::string& t : of(v)) {
          const Outcome o = differ(schema, t);
          EXPECT_EQ(o.direct_ok, o.general_ok && !o.general_warned) << t;
        }
      }
    }
  }
}

}  // namespace
}  // namespace oligoscreen::detail
