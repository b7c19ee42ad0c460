// Patient reader (YAML / JSON Doc -> Patient): patient-format.md and reliability §5 P1-P11.
#include "patient/patient_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/date.hpp"
#include "json/json_reader.hpp"
#include "patient/scalar_parse.hpp"
#include "yaml/yaml_reader.hpp"

namespace oligoscreen::test_patient {

using namespace oligoscreen::detail;
using namespace oligoscreen::detail::scalar;

namespace {

FieldDef field(std::string path, FieldType type) {
  FieldDef f;
  f.path = std::move(path);
  size_t start = 0;
  for (;;) {
    size_t dot = f.path.find('.', start);
    f.segments.push_back(f.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  f.type = type;
  return f;
}

EnumDef make_enum(std::string name, std::vector<std::string> values) {
  EnumDef e;
  e.name = std::move(name);
  e.descriptions.assign(values.size(), "");
  e.values = std::move(values);
  return e;
}

}  // namespace

// The test schema, mirroring patient-format.md (shared with csv_reader_test.cpp).
// Slots: 0 id, 1 age, 2 ecog, 3 life_expectancy_months, 4 histology, 5 primary.site,
// 6 primary.diagnosed, 7 primary.controlled, 8 systemic_therapy.active, 9 imaging, 10 lesions.
Schema make_test_schema() {
  Schema s;
  s.enums.push_back(make_enum("histology", {"leiomyosarcoma", "synovial_sarcoma", "osteosarcoma"}));
  s.enums.push_back(make_enum("imaging", {"ct_chest", "ct_chest_abdomen_pelvis", "pet_ct", "chest_xray"}));
  s.enums.push_back(make_enum("site", {"lung", "pleura", "bone", "liver", "malignant_effusion"}));
  s.enums.push_back(make_enum("status", {"new", "progressing", "stable", "responding"}));

  FieldDef id = field("id", FieldType::Text);
  id.record_id = true;
  id.required = true;
  id.min_length = 1;
  id.max_length = 128;
  s.fields.push_back(id);
  FieldDef age = field("age", FieldType::Integer);
  age.min = 0;
  age.max = 120;
  s.fields.push_back(age);
  FieldDef ecog = field("ecog", FieldType::Integer);
  ecog.min = 0;
  ecog.max = 4;
  s.fields.push_back(ecog);
  FieldDef le = field("life_expectancy_months", FieldType::Number);
  le.min = 0;
  le.max = 600;
  s.fields.push_back(le);
  FieldDef hist = field("histology", FieldType::Enum);
  hist.enum_id = 0;
  s.fields.push_back(hist);
  s.fields.push_back(field("primary.site", FieldType::Text));
  s.fields.push_back(field("primary.diagnosed", FieldType::Date));
  s.fields.push_back(field("primary.controlled", FieldType::Boolean));
  s.fields.push_back(field("systemic_therapy.active", FieldType::Boolean));
  FieldDef imaging = field("imaging", FieldType::List);
  imaging.of = ListOf::Enum;
  imaging.enum_id = 1;
  s.fields.push_back(imaging);
  FieldDef lesions = field("lesions", FieldType::List);
  lesions.of = ListOf::Record;
  lesions.max_items = 5;
  FieldDef site = field("site", FieldType::Enum);
  site.enum_id = 2;
  site.required = true;
  FieldDef size = field("size_mm", FieldType::Number);
  size.min = 0;
  size.min_exclusive = true;
  size.max = 500;
  FieldDef status = field("status", FieldType::Enum);
  status.enum_id = 3;
  FieldDef treatable = field("treatable", FieldType::Boolean);
  lesions.fields = {site, size, status, treatable};
  s.fields.push_back(lesions);
  for (size_t i = 0; i < s.fields.size(); ++i) s.fields[i].slot = static_cast<uint32_t>(i);
  s.record_id_slot = 0;
  s.groups = {"primary", "systemic_therapy"};
  return s;
}

namespace {

enum Slot : uint32_t { kId, kAge, kEcog, kLife, kHist, kPSite, kPDiag, kPCtrl, kSysAct, kImaging, kLesions };

struct Result {
  bool ok = false;
  Patient p;
  std::vector<InputError> errors;
};

class PatientReaderTest : public ::testing::Test {
 protected:
  Schema schema = make_test_schema();
  std::string text;  // keeps the source alive while the Doc views it
  Doc doc;

  Result yaml(std::string_view src, bool strict = false) {
    text = src;
    Diagnostics diags;
    Result r;
    const bool parsed = read_yaml("case.yaml", text, YamlLimits{}, doc, diags);
    EXPECT_TRUE(parsed) << diags.render_brief();
    if (!parsed) return r;
    ReadOptions opt;
    opt.strict = strict;
    r.ok = read_patient(schema, doc, doc.root(), opt, r.p, r.errors);
    EXPECT_EQ(r.ok, r.errors.empty());
    return r;
  }

  Result json(std::string_view src, bool strict = false) {
    text = src;
    JsonError err;
    Result r;
    const bool parsed = read_json(text, JsonLimits{}, doc, err);
    EXPECT_TRUE(parsed) << err.message;
    if (!parsed) return r;
    ReadOptions opt;
    opt.strict = strict;
    opt.json = true;
    r.ok = read_patient(schema, doc, doc.root(), opt, r.p, r.errors);
    EXPECT_EQ(r.ok, r.errors.empty());
    return r;
  }

  // Exactly one error, with these kind, field, message and position.
  static void expect_one(const Result& r, std::string_view kind, std::string_view field, std::string_view message,
                         uint32_t line, uint32_t col) {
    std::string all;
    for (const auto& e : r.errors) all += e.kind + " | " + e.message + "\n";
    ASSERT_EQ(r.errors.size(), 1U) << all;
    const InputError& e = r.errors[0];
    EXPECT_EQ(e.kind, kind);
    EXPECT_EQ(e.field, field);
    EXPECT_EQ(e.message, message);
    EXPECT_EQ(e.pos.line, line);
    EXPECT_EQ(e.pos.col, col);
  }
};

constexpr std::string_view kFullCase =
    "id: TB-2024-017\n"
    "age: 54\n"
    "life_expectancy_months: 24.5\n"
    "histology: leiomyosarcoma\n"
    "ecog: 1\n"
    "primary:\n"
    "  site: uterus\n"
    "  diagnosed: 2021-03\n"
    "  controlled: true\n"
    "systemic_therapy:\n"
    "  active: false\n"
    "imaging: [ct_chest_abdomen_pelvis, pet_ct]\n"
    "lesions:\n"
    "  - {site: lung, size_mm: 14, status: new, treatable: true}\n"
    "  - {site: bone, status: stable}\n";

}  // namespace

// ---------------------------------------------------------------- valid input

TEST_F(PatientReaderTest, ReadsEveryTypeAndLinksLists) {
  Result r = yaml(kFullCase);
  ASSERT_TRUE(r.ok) << r.errors[0].message;
  const Patient& p = r.p;
  EXPECT_TRUE(p.has_id);
  EXPECT_EQ(p.id, "TB-2024-017");
  ASSERT_EQ(p.values.size(), schema.fields.size());
  EXPECT_EQ(p.values[kId].kind, VKind::Text);
  EXPECT_EQ(p.values[kId].str(), "TB-2024-017");
  EXPECT_EQ(p.values[kAge].kind, VKind::Number);
  EXPECT_EQ(p.values[kAge].num, 54.0);
  EXPECT_EQ(p.values[kLife].num, 24.5);
  EXPECT_EQ(p.values[kHist].kind, VKind::Enum);
  EXPECT_EQ(p.values[kHist].enum_id, 0);
  EXPECT_EQ(p.values[kHist].e, 0U);
  EXPECT_EQ(p.values[kEcog].num, 1.0);
  EXPECT_EQ(p.values[kPSite].str(), "uterus");
  ASSERT_EQ(p.values[kPDiag].kind, VKind::Date);
  EXPECT_EQ(p.values[kPDiag].date.lo, days_from_civil(2021, 3, 1));
  EXPECT_EQ(p.values[kPDiag].date.hi, days_from_civil(2021, 3, 31));
  EXPECT_EQ(p.values[kPCtrl].kind, VKind::Bool);
  EXPECT_TRUE(p.values[kPCtrl].b);
  EXPECT_FALSE(p.values[kSysAct].b);
  EXPECT_EQ(p.values[kSysAct].kind, VKind::Bool);

  const Value& img = p.values[kImaging];
  ASSERT_EQ(img.kind, VKind::List);
  ASSERT_EQ(img.list.count, 2U);
  EXPECT_EQ(img.list.items, p.items.data() + img.aux);
  EXPECT_EQ(img.list.items[0].e, 1U);
  EXPECT_EQ(img.list.items[1].e, 2U);

  const Value& les = p.values[kLesions];
  ASSERT_EQ(les.kind, VKind::List);
  ASSERT_EQ(les.list.count, 2U);
  const Value& l0 = les.list.items[0];
  const Value& l1 = les.list.items[1];
  ASSERT_EQ(l0.kind, VKind::Record);
  ASSERT_EQ(l1.kind, VKind::Record);
  EXPECT_EQ(l0.aux, make_ref(kLesions, 1));
  EXPECT_EQ(l1.aux, make_ref(kLesions, 2));
  EXPECT_EQ(l0.rec.fields[0].e, 0U);  // lung
  EXPECT_EQ(l0.rec.fields[1].num, 14.0);
  EXPECT_EQ(l0.rec.fields[2].e, 0U);  // new
  EXPECT_TRUE(l0.rec.fields[3].b);
  EXPECT_EQ(l1.rec.fields[0].e, 2U);  // bone
  EXPECT_TRUE(l1.rec.fields[1].is_unknown());
  EXPECT_EQ(l1.rec.fields[2].e, 2U);  // stable
  EXPECT_TRUE(l1.rec.fields[3].is_unknown());

  // Positions: the value nodes.
  EXPECT_EQ(p.value_pos[kAge].line, 2U);
  EXPECT_EQ(p.value_pos[kAge].col, 6U);
  EXPECT_EQ(p.value_pos[kPDiag].line, 8U);
  EXPECT_EQ(p.value_pos[kPDiag].col, 14U);
  const auto size_index = static_cast<size_t>(l0.rec.fields + 1 - p.items.data());
  EXPECT_EQ(p.item_pos[size_index].line, 14U);
  EXPECT_EQ(p.item_pos[size_index].col, 27U);
  EXPECT_FALSE(p.item_pos[size_index + 4].valid());  // lesion 1 size_mm: unknown
  EXPECT_TRUE(p.warnings.empty());
}

TEST_F(PatientReaderTest, ReuseResetsEverything) {
  Patient p;
  std::vector<InputError> errors;
  text = std::string(kFullCase);
  Diagnostics diags;
  ASSERT_TRUE(read_yaml("a", text, YamlLimits{}, doc, diags));
  ASSERT_TRUE(read_patient(schema, doc, doc.root(), ReadOptions{}, p, errors));
  std::string second = "id: B\nfoo: 1\n";
  ASSERT_TRUE(read_yaml("b", second, YamlLimits{}, doc, diags));
  ASSERT_TRUE(read_patient(schema, doc, doc.root(), ReadOptions{}, p, errors));
  EXPECT_EQ(p.id, "B");
  EXPECT_TRUE(p.items.empty());
  EXPECT_TRUE(p.values[kAge].is_unknown());
  EXPECT_TRUE(p.values[kLesions].is_unknown());
  ASSERT_EQ(p.warnings.size(), 1U);
}

TEST_F(PatientReaderTest, IntegerIdIsItsDecimalText) {
  Result r = json(R"({"id": 12345})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.p.id, "12345");
  EXPECT_EQ(r.p.values[kId].str(), "12345");
  r = yaml("id: 00123\n");  // a YAML plain scalar in a text field is text, as written
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.p.id, "00123");
  r = json(R"({"id": 1.5})");
  expect_one(r, "type", "id", "id: expected text or an integer, got 1.5", 1, 8);
}

// ---------------------------------------------------------------- P1 / P2: absent and null

TEST_F(PatientReaderTest, P1AbsentFieldsAreUnknown) {
  Result r = yaml("id: A\n");
  ASSERT_TRUE(r.ok);
  for (size_t s = 1; s < schema.fields.size(); ++s) {
    EXPECT_TRUE(r.p.values[s].is_unknown()) << schema.fields[s].path;
    EXPECT_FALSE(r.p.value_pos[s].valid());
  }
}

TEST_F(PatientReaderTest, P2NullIsUnknownNeverFalseOrZero) {
  Result r = yaml("id: A\necog: null\nage: ~\nprimary:\n  controlled:\n  diagnosed: null\nlesions: null\n");
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.p.values[kEcog].is_unknown());
  EXPECT_TRUE(r.p.values[kAge].is_unknown());
  EXPECT_TRUE(r.p.values[kPCtrl].is_unknown());
  EXPECT_TRUE(r.p.values[kPDiag].is_unknown());
  EXPECT_TRUE(r.p.values[kLesions].is_unknown());
  r = json(R"({"id":"A","ecog":null,"primary":{"controlled":null},"lesions":null})");
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.p.values[kEcog].is_unknown());
  EXPECT_TRUE(r.p.values[kPCtrl].is_unknown());
  EXPECT_TRUE(r.p.values[kLesions].is_unknown());
}

TEST_F(PatientReaderTest, P2EmptyAndUnknownStringsAreErrors) {
  Result r = yaml("id: A\necog: ''\n");
  expect_one(r, "type", "ecog", "ecog: expected an integer, got text ''", 2, 7);
  r = yaml("id: A\nprimary:\n  controlled: unknown\n");
  expect_one(r, "type", "primary.controlled", "primary.controlled: expected true or false, got 'unknown'", 3, 15);
  r = yaml("id: A\nhistology: NA\n");
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].kind, "enum");
}

TEST_F(PatientReaderTest, AbsentNullAndEmptyLesionsDiffer) {
  Result absent = yaml("id: A\n");
  EXPECT_TRUE(absent.p.values[kLesions].is_unknown());
  Result null = yaml("id: A\nlesions: null\n");
  EXPECT_TRUE(null.p.values[kLesions].is_unknown());
  Result empty = yaml("id: A\nlesions: []\n");
  ASSERT_TRUE(empty.ok);
  ASSERT_EQ(empty.p.values[kLesions].kind, VKind::List);
  EXPECT_EQ(empty.p.values[kLesions].list.count, 0U);
  EXPECT_TRUE(empty.p.value_pos[kLesions].valid());
}

TEST_F(PatientReaderTest, NullOrAbsentGroupLeavesItsFieldsUnknown) {
  Result r = yaml("id: A\nprimary: null\nsystemic_therapy:\n");
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.p.values[kPDiag].is_unknown());
  EXPECT_TRUE(r.p.values[kPCtrl].is_unknown());
  EXPECT_TRUE(r.p.values[kSysAct].is_unknown());
  r = yaml("id: A\nprimary: yes\n");
  expect_one(r, "type", "primary", "primary: expected a mapping, got 'yes'", 2, 10);
  r = yaml("id: A\nprimary: [1]\n");
  expect_one(r, "type", "primary", "primary: expected a mapping, got a list", 2, 10);
}

// ---------------------------------------------------------------- P3: ranges

TEST_F(PatientReaderTest, P3OutOfRange) {
  expect_one(yaml("id: A\necog: 7\n"), "range", "ecog", "ecog: 7 is outside 0-4", 2, 7);
  expect_one(yaml("id: A\nage: -3\n"), "range", "age", "age: -3 is outside 0-120", 2, 6);
  expect_one(yaml("id: A\nage: 250\n"), "range", "age", "age: 250 is outside 0-120", 2, 6);
  expect_one(yaml("id: A\nlife_expectancy_months: 600.5\n"), "range", "life_expectancy_months",
             "life_expectancy_months: 600.5 is outside 0-600", 2, 25);
  expect_one(yaml("id: A\nlesions:\n  - {site: lung, size_mm: 0}\n"), "range", "lesions[0].size_mm",
             "lesions[0].size_mm: 0 is outside (0, 500]", 3, 27);
  expect_one(yaml("id: A\nlesions:\n  - {site: lung}\n  - {site: lung, size_mm: 1000000}\n"), "range",
             "lesions[1].size_mm", "lesions[1].size_mm: 1000000 is outside (0, 500]", 4, 27);
  // Bounds themselves are inside.
  Result r = yaml("id: A\necog: 4\nage: 0\nlesions: [{site: lung, size_mm: 500}]\n");
  EXPECT_TRUE(r.ok);
}

TEST_F(PatientReaderTest, IntegersMustBeWhole) {
  Result r = yaml("id: A\nage: 14.0\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.p.values[kAge].num, 14.0);
  expect_one(yaml("id: A\nage: 14.5\n"), "type", "age", "age: 14.5 must be a whole number", 2, 6);
}

// spec/patient-format.md: YAML and CSV numbers are plain decimals; the exponent belongs to the
// JSON number grammar only.
TEST_F(PatientReaderTest, ExponentsAreJsonOnly) {
  expect_one(yaml("id: A\nage: 1e1\n"), "type", "age", "age: expected an integer, got '1e1'", 2, 6);
  expect_one(yaml("id: A\nlife_expectancy_months: 2.4E1\n"), "type", "life_expectancy_months",
             "life_expectancy_months: expected a number, got '2.4E1'", 2, 25);
  Result r = json(R"({"id":"A","age":1e1,"life_expectancy_months":2.4E1})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.p.values[kAge].num, 10.0);
  r = yaml("id: A\nage: '1e1'\n");
  EXPECT_FALSE(r.ok);
}

// ---------------------------------------------------------------- number grammar (R15 / P8)

TEST_F(PatientReaderTest, NumberGrammarIsStrict) {
  for (const char* bad : {"010", "0x10", "+5", ".5", "5.", ".nan", ".inf", "-.inf", "1,5", "1_000", "' 5'", "5e", "1e1",
                          "Infinity", "NaN", "--1", "0b1", "1.5.2"}) {
    Result r = yaml(std::string("id: A\nlife_expectancy_months: ") + bad + "\n");
    ASSERT_EQ(r.errors.size(), 1U) << bad;
    EXPECT_EQ(r.errors[0].kind, "type") << bad;
    EXPECT_TRUE(r.p.values[kLife].is_unknown());
  }
  expect_one(yaml("id: A\nlife_expectancy_months: 0x10\n"), "type", "life_expectancy_months",
             "life_expectancy_months: expected a number, got '0x10'", 2, 25);
  const std::string huge = "1" + std::string(400, '0');  // beyond a double, without an exponent
  expect_one(yaml("id: A\nlife_expectancy_months: " + huge + "\n"), "range", "life_expectancy_months",
             "life_expectancy_months: " + huge.substr(0, 64) + " is too large", 2, 25);
  Result r = json(R"({"id":"A","life_expectancy_months":1.5e1})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.p.values[kLife].num, 15.0);
  r = yaml("id: A\nlife_expectancy_months: -0\n");
  ASSERT_TRUE(r.ok);
}

TEST_F(PatientReaderTest, QuotedNumberIsATypeError) {
  expect_one(yaml("id: A\nage: '54'\n"), "type", "age", "age: expected an integer, got text '54'", 2, 6);
  expect_one(json(R"({"id":"A","age":"54"})"), "type", "age", "age: expected an integer, got text '54'", 1, 17);
  expect_one(json(R"({"id":"A","age":true})"), "type", "age", "age: expected an integer, got true", 1, 17);
  expect_one(yaml("id: A\nage: [54]\n"), "type", "age", "age: expected an integer, got a list", 2, 6);
  expect_one(yaml("id: A\nage: {a: 1}\n"), "type", "age", "age: expected an integer, got a mapping", 2, 6);
}

TEST_F(PatientReaderTest, JsonNumbersAndTokens) {
  Result r = json(R"({"id":"A","age":54,"life_expectancy_months":2.4e1,"primary":{"controlled":false}})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.p.values[kAge].num, 54.0);
  EXPECT_EQ(r.p.values[kLife].num, 24.0);
  EXPECT_FALSE(r.p.values[kPCtrl].b);
  expect_one(json(R"({"id":"A","primary":{"site":12}})"), "type", "primary.site", "primary.site: expected text, got 12",
             1, 29);
  expect_one(json(R"({"id":"A","histology":3})"), "type", "histology",
             "histology: expected one of the allowed values, got 3", 1, 23);
  expect_one(json(R"({"id":"A","primary":{"diagnosed":2021}})"), "type", "primary.diagnosed",
             "primary.diagnosed: expected a date, got 2021", 1, 34);
  expect_one(json(R"({"id":"A","primary":{"controlled":"true"}})"), "type", "primary.controlled",
             "primary.controlled: expected true or false, got text 'true'", 1, 35);
}

// ---------------------------------------------------------------- booleans (R16)

TEST_F(PatientReaderTest, BooleansOnlyTrueFalse) {
  for (const char* bad : {"yes", "no", "on", "off", "y", "n", "True", "FALSE", "1", "0"}) {
    Result r = yaml(std::string("id: A\nprimary:\n  controlled: ") + bad + "\n");
    ASSERT_EQ(r.errors.size(), 1U) << bad;
    EXPECT_EQ(r.errors[0].kind, "type");
    EXPECT_EQ(r.errors[0].message, std::string("primary.controlled: expected true or false, got '") + bad + "'");
    EXPECT_TRUE(r.p.values[kPCtrl].is_unknown());
  }
  expect_one(yaml("id: A\nprimary:\n  controlled: \"true\"\n"), "type", "primary.controlled",
             "primary.controlled: expected true or false, got text 'true'", 3, 15);
}

// ---------------------------------------------------------------- P5 / dates

TEST_F(PatientReaderTest, P5ImpossibleDate) {
  expect_one(yaml("id: A\nprimary:\n  diagnosed: 2023-02-30\n"), "date", "primary.diagnosed",
             "primary.diagnosed: '2023-02-30' is not a valid date (YYYY-MM-DD or YYYY-MM)", 3, 14);
  for (const char* bad : {"2023-13", "2023", "23-01-01", "2023-1-1", "2023-01-01T00:00", "0999-01-01"}) {
    Result r = yaml(std::string("id: A\nprimary:\n  diagnosed: '") + bad + "'\n");
    ASSERT_EQ(r.errors.size(), 1U) << bad;
    EXPECT_EQ(r.errors[0].kind, "date") << bad;
  }
  Result r = yaml("id: A\nprimary:\n  diagnosed: '2024-02-29'\n");  // quoted dates are fine
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.p.values[kPDiag].date.lo, days_from_civil(2024, 2, 29));
  EXPECT_EQ(r.p.values[kPDiag].date.hi, r.p.values[kPDiag].date.lo);
}

// ---------------------------------------------------------------- P9: enums

TEST_F(PatientReaderTest, P9UnknownEnumValue) {
  expect_one(yaml("id: A\nlesions:\n  - {site: lnug}\n"), "enum", "lesions[0].site",
             "lesions[0].site: 'lnug' is not an allowed value (did you mean 'lung'?); allowed: lung, pleura, bone, "
             "liver, malignant_effusion",
             3, 12);
  expect_one(yaml("id: A\nhistology: sarcoma\n"), "enum", "histology",
             "histology: 'sarcoma' is not an allowed value; allowed: leiomyosarcoma, synovial_sarcoma, osteosarcoma", 2,
             12);
  expect_one(yaml("id: A\nimaging: [ct_chest, petct]\n"), "enum", "imaging[1]",
             "imaging[1]: 'petct' is not an allowed value (did you mean 'pet_ct'?); allowed: ct_chest, "
             "ct_chest_abdomen_pelvis, pet_ct, chest_xray",
             2, 21);
}

// ---------------------------------------------------------------- lists

TEST_F(PatientReaderTest, ListShapes) {
  expect_one(yaml("id: A\nimaging: pet_ct\n"), "type", "imaging", "imaging: expected a list, got 'pet_ct'", 2, 10);
  expect_one(yaml("id: A\nimaging: [pet_ct, null]\n"), "type", "imaging[1]",
             "imaging[1]: expected one of the allowed values, got null", 2, 19);
  expect_one(yaml("id: A\nlesions: {site: lung}\n"), "type", "lesions",
             "lesions: expected a list of mappings, got a mapping", 2, 10);
  expect_one(yaml("id: A\nlesions: [lung]\n"), "type", "lesions[0]", "lesions[0]: expected a mapping, got 'lung'", 2,
             11);
  Result r = yaml("id: A\nlesions: [null, {site: bone}]\n");
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].message, "lesions[0]: expected a mapping, got null");
  // The layout stays consistent after an error.
  ASSERT_EQ(r.p.values[kLesions].list.count, 2U);
  EXPECT_EQ(r.p.values[kLesions].list.items[1].rec.fields[0].e, 2U);
}

TEST_F(PatientReaderTest, MissingRequiredSubfield) {
  Result r = yaml("id: A\nlesions:\n  - {site: lung}\n  - {size_mm: 3}\n  - {site: null}\n");
  ASSERT_EQ(r.errors.size(), 2U);
  EXPECT_EQ(r.errors[0].kind, "missing_field");
  EXPECT_EQ(r.errors[0].field, "lesions[1].site");
  EXPECT_EQ(r.errors[0].message, "lesions[1].site: missing (required)");
  EXPECT_EQ(r.errors[0].pos.line, 4U);  // the lesion's mapping
  EXPECT_EQ(r.errors[0].pos.col, 5U);
  EXPECT_EQ(r.errors[1].field, "lesions[2].site");
}

TEST_F(PatientReaderTest, P10MaxItemsIsALimitError) {
  expect_one(yaml("id: A\nlesions: [{site: lung}, {site: lung}, {site: lung}, {site: lung}, {site: lung}, {site: "
                  "lung}]\n"),
             "limit", "lesions", "lesions: 6 items, more than the limit of 5", 2, 10);
  Result r = yaml("id: A\nlesions: [{site: lung}, {site: lung}, {site: lung}, {site: lung}, {site: lung}]\n");
  EXPECT_TRUE(r.ok);
}

// ---------------------------------------------------------------- ids

TEST_F(PatientReaderTest, MissingId) {
  Result r = yaml("age: 5\n");
  expect_one(r, "missing_id", "id", "id: missing (required)", 1, 1);
  EXPECT_FALSE(r.p.has_id);
  expect_one(yaml("id: null\nage: 5\n"), "missing_id", "id", "id: missing (required)", 1, 1);
  expect_one(yaml("id: ''\n"), "range", "id", "id: length 0 is outside 1-128 characters", 1, 5);
  expect_one(yaml("id: " + std::string(129, 'x') + "\n"), "range", "id", "id: length 129 is outside 1-128 characters",
             1, 5);
  // Length counts code points, not bytes: 128 two-byte characters are fine.
  std::string wide;
  for (int i = 0; i < 128; ++i) wide += "\xC3\xA9";
  EXPECT_TRUE(yaml("id: " + wide + "\n").ok);
}

TEST_F(PatientReaderTest, NonMappingCase) {
  Result r = json("[1, 2]");
  expect_one(r, "type", "", "expected a mapping of patient fields, got a list", 1, 1);
}

// ---------------------------------------------------------------- P11: unknown keys

TEST_F(PatientReaderTest, P11UnknownKeysWarn) {
  Result r = yaml("id: A\nprimray:\n  site: x\nprimary:\n  sitee: y\nlesions:\n  - {site: lung, siez_mm: 3}\nzzz: 1\n");
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.p.warnings.size(), 4U);
  EXPECT_EQ(r.p.warnings[0].code, "unknown_field");
  EXPECT_EQ(r.p.warnings[0].field, "primray");
  EXPECT_EQ(r.p.warnings[0].message, "unknown field 'primray' (did you mean 'primary'?)");
  EXPECT_EQ(r.p.warnings[0].pos.line, 2U);
  EXPECT_EQ(r.p.warnings[0].pos.col, 1U);
  EXPECT_EQ(r.p.warnings[1].field, "primary.sitee");
  EXPECT_EQ(r.p.warnings[1].message, "unknown field 'primary.sitee' (did you mean 'primary.site'?)");
  EXPECT_EQ(r.p.warnings[2].field, "lesions[0].siez_mm");
  EXPECT_EQ(r.p.warnings[2].message, "unknown field 'lesions[0].siez_mm' (did you mean 'lesions[0].size_mm'?)");
  EXPECT_EQ(r.p.warnings[3].message, "unknown field 'zzz'");
  EXPECT_TRUE(r.p.values[kPSite].is_unknown());  // never read from the misspelt key
}

TEST_F(PatientReaderTest, P11StrictMakesThemErrors) {
  Result r = yaml("id: A\nprimray: {}\n", true);
  expect_one(r, "unknown_field", "primray", "unknown field 'primray' (did you mean 'primary'?)", 2, 1);
  EXPECT_TRUE(r.p.warnings.empty());
}

// ---------------------------------------------------------------- every error, not the first

TEST_F(PatientReaderTest, ReportsEveryError) {
  Result r =
      yaml("age: 250\necog: x\nprimary:\n  diagnosed: 2023-02-30\n  controlled: yes\nlesions:\n  - {size_mm: 0}\n");
  ASSERT_EQ(r.errors.size(), 7U);
  EXPECT_EQ(r.errors[0].field, "age");
  EXPECT_EQ(r.errors[1].field, "ecog");
  EXPECT_EQ(r.errors[2].field, "primary.diagnosed");
  EXPECT_EQ(r.errors[3].field, "primary.controlled");
  EXPECT_EQ(r.errors[4].field, "lesions[0].size_mm");
  EXPECT_EQ(r.errors[5].field, "lesions[0].site");
  EXPECT_EQ(r.errors[6].kind, "missing_id");
}

// ---------------------------------------------------------------- encoding

TEST_F(PatientReaderTest, EncodingErrorsCarryAnOffset) {
  // read_yaml / read_json refuse invalid UTF-8 themselves; a Doc from another source may
  // still hold it (the C API), so the reader checks too. Build such a Doc by hand.
  doc.clear();
  DocNode map;
  map.kind = DocKind::Mapping;
  map.pos = Pos{1, 1, 0};
  const uint32_t m = doc.add(map);
  DocNode k1;
  k1.kind = DocKind::Scalar;
  k1.text = "id";
  k1.pos = Pos{1, 1, 0};
  DocNode v1;
  v1.kind = DocKind::Scalar;
  v1.style = ScalarStyle::Quoted;
  v1.text = doc.keep("ab\xFF");
  v1.pos = Pos{1, 5, 4};
  const uint32_t a = doc.add(k1);
  const uint32_t b = doc.add(v1);
  doc.node_mut(a).next = b;
  doc.node_mut(m).first = a;
  doc.node_mut(m).count = 1;
  Patient p;
  std::vector<InputError> errors;
  EXPECT_FALSE(read_patient(schema, doc, m, ReadOptions{}, p, errors));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].kind, "encoding");
  EXPECT_EQ(errors[0].field, "id");
  EXPECT_TRUE(errors[0].has_offset);
  EXPECT_EQ(errors[0].pos.offset, 7U);  // 4 (the quote) + 1 + 2
  EXPECT_EQ(errors[0].message, "id: invalid UTF-8 (invalid byte 0xFF)");
}

TEST_F(PatientReaderTest, NulInTextIsAnEncodingError) {
  Result r = json("{\"id\":\"A\",\"primary\":{\"site\":\"a\\u0000b\"}}");
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].kind, "encoding");
  EXPECT_EQ(r.errors[0].message, "primary.site: NUL byte not allowed");
}

// ---------------------------------------------------------------- helpers

TEST(ScalarParse, DecimalGrammar) {
  for (const char* ok : {"0", "-0", "14", "14.5", "1e5", "1E+5", "1.5e-3", "-12.25"}) EXPECT_TRUE(is_decimal(ok)) << ok;
  for (const char* bad : {"", "-", "01", "+1", ".5", "5.", "1e", "1e+", "0x1", "1,5", " 1", "1 ", "nan", "inf"}) {
    EXPECT_FALSE(is_decimal(bad)) << bad;
  }
  double v = 0;
  EXPECT_EQ(parse_decimal("1.234", v), DecimalStatus::Ok);
  EXPECT_EQ(v, 1.234);
  EXPECT_EQ(parse_decimal("1e400", v), DecimalStatus::OutOfRange);
}

TEST(ScalarParse, EditDistanceAndSuggestions) {
  EXPECT_EQ(edit_distance("lnug", "lung", 2), 2);
  EXPECT_EQ(edit_distance("kitten", "sitting", 5), 3);
  EXPECT_EQ(edit_distance("abc", "xyzw", 2), 3);
  DidYouMean d("primray");
  d.offer("age");
  d.offer("primary");
  EXPECT_EQ(d.best(), "primary");
  DidYouMean none("x");
  none.offer("id");
  EXPECT_EQ(none.best(), "");
}

TEST(SchemaFieldPath, Forms) {
  const Schema s = make_test_schema();
  EXPECT_EQ(field_path(s, make_ref(kEcog)), "ecog");
  EXPECT_EQ(field_path(s, make_ref(kLesions, 2, 2)), "lesions[1].size_mm");
  EXPECT_EQ(field_path(s, make_ref(kLesions, 2)), "lesions[1]");
  EXPECT_EQ(field_path(s, make_ref(kPDiag)), "primary.diagnosed");
  EXPECT_EQ(field_path(s, make_ref(200)), "?");
}

}  // namespace oligoscreen::test_patient
