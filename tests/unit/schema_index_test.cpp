// SchemaIndex (patient/schema_index.hpp): hash lookups that never answer differently from the
// linear scans they replace, even when the Schema changes under a cached index.
#include "patient/schema_index.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "json/json_reader.hpp"
#include "patient/patient_reader.hpp"

namespace oligoscreen::test_patient {

using namespace oligoscreen::detail;

Schema make_test_schema();  // patient_reader_test.cpp

namespace {

enum Slot : uint32_t { kId, kAge, kEcog, kLife, kHist, kPSite, kPDiag, kPCtrl, kSysAct, kImaging, kLesions };

struct Read {
  bool ok = false;
  Patient p;
  std::vector<InputError> errors;
  std::string text;
  Doc doc;
};

void read(const Schema& schema, std::string_view json, Read& r) {
  r.text = json;
  JsonError err;
  ASSERT_TRUE(read_json(r.text, JsonLimits{}, r.doc, err)) << err.message;
  ReadOptions opt;
  opt.json = true;
  r.errors.clear();
  r.ok = read_patient(schema, r.doc, r.doc.root(), opt, r.p, r.errors);
}

std::string messages(const Read& r) {
  std::string all;
  for (const auto& e : r.errors) all += e.kind + " | " + e.message + "\n";
  for (const auto& w : r.p.warnings) all += w.code + " | " + w.message + "\n";
  return all;
}

}  // namespace

TEST(SchemaIndex, FindsKeysSubfieldsAndEnumValues) {
  const Schema s = make_test_schema();
  const SchemaIndex& ix = SchemaIndex::of(s);
  SchemaIndex::KeyHit hit;
  ASSERT_TRUE(ix.find_key(s, SchemaIndex::kTopScope, nullptr, 0, "ecog", hit));
  EXPECT_EQ(hit.field, &s.fields[kEcog]);
  ASSERT_TRUE(ix.find_key(s, SchemaIndex::kTopScope, nullptr, 0, "primary", hit));
  ASSERT_NE(hit.group, nullptr);
  EXPECT_EQ(hit.group->segments[0], "primary");
  const uint32_t primary = hit.child_scope;
  const FieldDef* group = hit.group;
  ASSERT_TRUE(ix.find_key(s, primary, group, 1, "controlled", hit));
  EXPECT_EQ(hit.field, &s.fields[kPCtrl]);
  // A key of another group's mapping, or a whole path, is not a key of this mapping.
  EXPECT_FALSE(ix.find_key(s, primary, group, 1, "active", hit));
  EXPECT_FALSE(ix.find_key(s, SchemaIndex::kTopScope, nullptr, 0, "primary.site", hit));
  EXPECT_FALSE(ix.find_key(s, SchemaIndex::kTopScope, nullptr, 0, "", hit));
  EXPECT_EQ(ix.find_sub(s.fields[kLesions], "status"), 2);
  EXPECT_EQ(ix.find_sub(s.fields[kLesions], "stat"), -1);
  EXPECT_EQ(ix.find_sub(s.fields[kAge], "status"), -1);  // not a list of records
  EXPECT_EQ(ix.find_enum(s, 1, "ct_chest_abdomen_pelvis"), 1);
  EXPECT_EQ(ix.find_enum(s, 1, "ct_chest"), 0);
  EXPECT_EQ(ix.find_enum(s, 1, "ct_chest_abdomen_pelvi"), -1);
  EXPECT_EQ(ix.find_enum(s, 1, std::string_view("pet_ct\0", 7)), -1);
  EXPECT_EQ(ix.find_enum(s, 99, "pet_ct"), -1);
}

TEST(SchemaIndex, KeysInAnyOrderReadAlike) {
  const Schema s = make_test_schema();
  Read in_order;
  Read shuffled;
  read(s,
       R"({"id":"A","age":54,"ecog":1,"life_expectancy_months":24.5,"histology":"osteosarcoma",)"
       R"("primary":{"site":"femur","diagnosed":"2021-03-04","controlled":true},"systemic_therapy":{"active":false},)"
       R"("imaging":["pet_ct","ct_chest"],"lesions":[{"site":"lung","size_mm":14,"status":"new","treatable":true}]})",
       in_order);
  read(s,
       R"({"lesions":[{"treatable":true,"status":"new","size_mm":14,"site":"lung"}],"imaging":["pet_ct","ct_chest"],)"
       R"("systemic_therapy":{"active":false},"primary":{"controlled":true,"diagnosed":"2021-03-04","site":"femur"},)"
       R"("histology":"osteosarcoma","life_expectancy_months":24.5,"ecog":1,"age":54,"id":"A"})",
       shuffled);
  ASSERT_TRUE(in_order.ok) << messages(in_order);
  ASSERT_TRUE(shuffled.ok) << messages(shuffled);
  ASSERT_EQ(in_order.p.values.size(), shuffled.p.values.size());
  for (size_t i = 0; i < in_order.p.values.size(); ++i) {
    EXPECT_EQ(in_order.p.values[i].kind, shuffled.p.values[i].kind) << i;
  }
  EXPECT_EQ(shuffled.p.values[kPSite].str(), "femur");
  EXPECT_EQ(shuffled.p.values[kHist].e, 2U);
  EXPECT_EQ(shuffled.p.values[kLesions].list.items[0].rec.fields[2].e, 0U);  // status new
}

// A cached index whose Schema changed in place (or was replaced by another at the same
// address) must not change any answer: hits are checked against the schema, misses rescanned.
TEST(SchemaIndex, StaleIndexNeverChangesAnAnswer) {
  Schema s = make_test_schema();
  Read r;
  read(s, R"({"id":"A","ecog":1,"histology":"osteosarcoma","primary":{"site":"femur"}})", r);
  ASSERT_TRUE(r.ok) << messages(r);  // the index of `s` is now cached for this thread

  s.fields[kEcog].path = "ps";
  s.fields[kEcog].segments = {"ps"};
  s.fields[kPSite].path = "origin.site";
  s.fields[kPSite].segments = {"origin", "site"};
  s.enums[0].values[2] = "chondrosarcoma";
  s.fields[kLesions].fields[0].path = "location";

  read(s, R"({"id":"A","ps":1,"histology":"chondrosarcoma","origin":{"site":"femur"}})", r);
  ASSERT_TRUE(r.ok) << messages(r);
  EXPECT_EQ(r.p.values[kEcog].num, 1.0);
  EXPECT_EQ(r.p.values[kHist].e, 2U);
  EXPECT_EQ(r.p.values[kPSite].str(), "femur");

  read(s, R"({"id":"A","ecog":1,"histology":"osteosarcoma","primary":{"site":"femur"}})", r);
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.errors.size(), 1U) << messages(r);
  EXPECT_EQ(r.errors[0].kind, "enum");
  ASSERT_EQ(r.p.warnings.size(), 2U) << messages(r);
  EXPECT_EQ(r.p.warnings[0].field, "ecog");
  EXPECT_EQ(r.p.warnings[1].field, "primary.site");  // primary is still a group
  EXPECT_TRUE(r.p.values[kEcog].is_unknown());

  read(s, R"({"id":"A","lesions":[{"location":"lung","site":"bone"}]})", r);
  ASSERT_TRUE(r.ok) << messages(r);
  ASSERT_EQ(r.p.warnings.size(), 1U) << messages(r);
  EXPECT_EQ(r.p.warnings[0].field, "lesions[0].site");
  EXPECT_EQ(r.p.values[kLesions].list.items[0].rec.fields[0].e, 0U);  // lung
}

TEST(TextStore, KeepsCopiesStableAndReusesMemory) {
  TextStore t;
  const std::string_view a = t.keep("alpha");
  const std::string big(10000, 'x');
  const std::string_view b = t.keep(big);
  std::vector<std::string_view> many;
  for (int i = 0; i < 2000; ++i) many.push_back(t.keep("value-" + std::to_string(i)));
  EXPECT_EQ(a, "alpha");
  EXPECT_EQ(b, big);
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(many[static_cast<size_t>(i)], "value-" + std::to_string(i));
  EXPECT_EQ(t.keep("").size(), 0U);
  EXPECT_NE(t.keep("").data(), nullptr);
  t.clear();
  const std::string_view c = t.keep("gamma");
  EXPECT_EQ(c, "gamma");
  EXPECT_EQ(c.data(), a.data());  // the first block is reused
}

}  // namespace oligoscreen::test_patient
