// The FHIR mapping file loader (fhir/mapping) under one mistake at a time: each row is a
// whole small mapping file and the exact first diagnostic (file:line:col and message) it must
// give; none loads. Then the lookup rules (exact beats prefix, longest prefix first, the `*`
// catch-all, null entries) on a small valid file, and loading the mapping of a rule-set folder.
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>

#include "api/screen.hpp"
#include "core/sha256.hpp"
#include "fhir/mapping.hpp"

namespace oligoscreen::detail {
namespace {

const Schema& schema() {
  static std::shared_ptr<RuleSetModel> m = [] {
    Diagnostics d;
    auto r = load_embedded_rules(d);
    if (!r) ADD_FAILURE() << d.render();
    return r;
  }();
  return m->schema;
}

// A valid head: id, version and two code systems.
const std::string kHead = "id: m\nversion: '1'\nsystems: {icdo3: http://icdo3, local: http://local}\n";

struct Case {
  const char* name;
  std::string yaml;
  const char* first;  // the first line of the rendered diagnostics
};

// Every row is one mistake; line numbers count kHead's three lines.
const Case kCases[] = {
    {"NotAMapping", "- a\n- b\n", "m.yaml:1:1: error: the FHIR mapping must be a mapping"},
    {"EmptyFile", "", "m.yaml:1:1: error: empty YAML document"},
    {"MissingId", "version: '1'\n", "m.yaml:1:1: error: missing 'id'"},
    {"IdNotText", "id: [a]\nversion: '1'\n", "m.yaml:1:5: error: 'id' must be a non-empty text"},
    {"EmptyVersion", "id: m\nversion: ''\n", "m.yaml:2:10: error: 'version' must be a non-empty text"},
    {"SystemUrlNotText", "id: m\nversion: '1'\nsystems: {icdo3: {}}\n",
     "m.yaml:3:18: error: 'system URL' must be a non-empty text"},
    {"UnknownParameter", kHead + "parameters: {window: 3}\n", "m.yaml:4:14: error: unknown parameter 'window'"},
    {"WindowOutOfRange", kHead + "parameters: {imaging_window_days: 3651}\n",
     "m.yaml:4:35: error: expected an integer from 0 to 3650"},
    {"WindowNotInteger", kHead + "parameters: {imaging_window_days: 4.5}\n",
     "m.yaml:4:35: error: expected an integer from 0 to 3650"},
    {"WindowQuoted", kHead + "parameters: {imaging_window_days: '42'}\n",
     "m.yaml:4:35: error: expected an integer from 0 to 3650"},
    {"UnknownProfileRole", kHead + "profiles: {tertiary_cancer_condition: [http://p]}\n",
     "m.yaml:4:12: error: unknown profile role 'tertiary_cancer_condition'"},
    {"ProfilesNotAList", kHead + "profiles: {primary_cancer_condition: http://p}\n",
     "m.yaml:4:38: error: expected a list of URLs"},
    {"SecondaryProfileNotText", kHead + "profiles: {secondary_cancer_condition: [[http://p]]}\n",
     "m.yaml:4:41: error: 'URL' must be a non-empty text"},
    {"UnknownExtensionRole", kHead + "extensions: {lesion_colour: http://e}\n",
     "m.yaml:4:14: error: unknown extension role 'lesion_colour'"},
    {"ExtensionNotText", kHead + "extensions: {histology: [http://e]}\n",
     "m.yaml:4:25: error: 'histology' must be a non-empty text"},
    {"UnknownUnitTable", kHead + "units: {weight_kg: {kg: 1}}\n", "m.yaml:4:9: error: unknown unit table 'weight_kg'"},
    {"ZeroUnitFactor", kHead + "units: {size_mm: {mm: 1, cm: 0}}\n",
     "m.yaml:4:30: error: a unit factor must be a positive number"},
    {"TextUnitFactor", kHead + "units: {life_expectancy_months: {a: twelve}}\n",
     "m.yaml:4:37: error: a unit factor must be a positive number"},
    {"TableNotAMapping", kHead + "tables:\n  histology: [a]\n",
     "m.yaml:5:14: error: a table maps code-system aliases to code: value entries"},
    {"SystemEntriesNotAMapping", kHead + "tables:\n  sex:\n    local: [female]\n",
     "m.yaml:6:12: error: expected code: value entries"},
    {"ValueNotScalar", kHead + "tables:\n  grade:\n    local: {g1: [1]}\n",
     "m.yaml:6:17: error: a table value must be a scalar or null"},
    {"BoolTableWithText", kHead + "tables:\n  primary_condition:\n    icdo3: {'8890/3': yes}\n",
     "m.yaml:6:23: error: expected true, false or null"},
    {"BoolTableWithQuotedTrue", kHead + "tables:\n  systemic_therapy:\n    local: {L01: 'true'}\n",
     "m.yaml:6:18: error: expected true, false or null"},
    {"GradeOutOfRange", kHead + "tables:\n  grade:\n    local: {g4: 4}\n",
     "m.yaml:6:17: error: expected an integer from 1 to 3"},
    {"LesionStatusNotInSchema", kHead + "tables:\n  lesion_status:\n    local: {x: growing}\n",
     "m.yaml:6:16: error: 'growing' is not a value of lesions[].status"},
    {"LesionSiteNotInSchema", kHead + "tables:\n  lesion_site:\n    icdo3: {'C71*': brain_stem}\n",
     "m.yaml:6:21: error: 'brain_stem' is not a value of lesions[].site"},
};

class FhirMappingMistake : public testing::TestWithParam<Case> {};

TEST_P(FhirMappingMistake, IsAnErrorAtItsPosition) {
  const Case& c = GetParam();
  Diagnostics d;
  d.add_source("m.yaml", c.yaml);
  auto m = load_fhir_mapping("m.yaml", c.yaml, schema(), d);
  EXPECT_EQ(m, nullptr);
  std::string brief = d.render_brief();
  EXPECT_EQ(brief.substr(0, brief.find('\n')), c.first) << brief;
}

INSTANTIATE_TEST_SUITE_P(Rows, FhirMappingMistake, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

TEST(FhirMappingLoad, ReportsEveryMistakeOfTheFileNotOnlyTheFirst) {
  std::string yaml = kHead + "colour: blue\nparameters: {window: 3}\nunits: {weight_kg: {}}\n";
  Diagnostics d;
  EXPECT_EQ(load_fhir_mapping("m.yaml", yaml, schema(), d), nullptr);
  EXPECT_EQ(d.render_brief(),
            "m.yaml:4:1: error: unknown key 'colour' in the FHIR mapping\n"
            "m.yaml:5:14: error: unknown parameter 'window'\n"
            "m.yaml:6:9: error: unknown unit table 'weight_kg'\n");
}

// A rule set whose schema lacks the enum a table feeds (a centre's own rule set): every such
// table is an error at its name; tables of booleans and integers do not need the schema.
TEST(FhirMappingLoad, EnumTablesNeedTheirEnumInTheSchema) {
  std::string yaml = kHead +
                     "tables:\n  histology: {}\n  ecog: {}\n  sex: {}\n  imaging: {}\n  lesion_site: {}\n"
                     "  lesion_status: {}\n";
  Diagnostics d;
  EXPECT_EQ(load_fhir_mapping("m.yaml", yaml, Schema{}, d), nullptr);
  const std::string tail = ", which the rule set's schema does not declare as an enum\n";
  EXPECT_EQ(d.render_brief(), "m.yaml:5:3: error: table 'histology' feeds histology" + tail +
                                  "m.yaml:7:3: error: table 'sex' feeds sex" + tail +
                                  "m.yaml:8:3: error: table 'imaging' feeds imaging" + tail +
                                  "m.yaml:9:3: error: table 'lesion_site' feeds lesions[].site" + tail +
                                  "m.yaml:10:3: error: table 'lesion_status' feeds lesions[].status" + tail);
}

TEST(FhirMappingLoad, YamlErrorsComeFromTheYamlReader) {
  Diagnostics d;
  EXPECT_EQ(load_fhir_mapping("m.yaml", "id: a\nid: b\n", schema(), d), nullptr);
  EXPECT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.items().at(0).pos.line, 2u);
}

// A small valid file: its values, units and lookup rules.
const std::string kValid = kHead +
                           "parameters: {imaging_window_days: 0}\n"
                           "profiles:\n"
                           "  primary_cancer_condition: [http://p1, http://p2]\n"
                           "  secondary_cancer_condition: [http://s1]\n"
                           "extensions:\n"
                           "  histology: http://e/h\n"
                           "  lesion_site: http://e/s\n"
                           "  lesion_treatable: http://e/t\n"
                           "  primary_treatment_completed: http://e/c\n"
                           "units: {size_mm: {mm: 1, cm: 10}, life_expectancy_months: {mo: 1, a: 12}}\n"
                           "tables:\n"
                           "  lesion_site:\n"
                           "    icdo3: {'C4*': bone, 'C41*': bone, 'C41.2': spine, 'C34*': lung}\n"
                           "  systemic_therapy:\n"
                           "    local: {'*': false, 'L01*': true, 'L01XX': null}\n"
                           "  ecog:\n"
                           "    local: {e0: 0, e4: 4}\n"
                           "  observation:\n"
                           "    local: {o1: lesion_size}\n";

std::shared_ptr<const FhirMapping> load_valid() {
  Diagnostics d;
  auto m = load_fhir_mapping("m.yaml", kValid, schema(), d);
  EXPECT_NE(m, nullptr) << d.render();
  EXPECT_EQ(d.error_count(), 0u);
  return m;
}

TEST(FhirMappingLoad, ValidFileKeepsEveryPartAndItsHash) {
  auto m = load_valid();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->id, "m");
  EXPECT_EQ(m->version, "1");
  EXPECT_EQ(m->sha256, sha256_hex(kValid));
  EXPECT_EQ(m->imaging_window_days, 0);
  EXPECT_EQ(m->primary_profiles, (std::vector<std::string>{"http://p1", "http://p2"}));
  EXPECT_EQ(m->secondary_profiles, (std::vector<std::string>{"http://s1"}));
  EXPECT_EQ(m->ext_histology, "http://e/h");
  EXPECT_EQ(m->ext_lesion_site, "http://e/s");
  EXPECT_EQ(m->ext_lesion_treatable, "http://e/t");
  EXPECT_EQ(m->ext_primary_treatment_completed, "http://e/c");
  EXPECT_EQ(m->size_mm_units.at("cm"), 10.0);
  EXPECT_EQ(m->life_expectancy_units.at("a"), 12.0);
  EXPECT_EQ(m->tables.size(), static_cast<size_t>(FhirTable::kCount));
}

TEST(FhirMappingLoad, ExactBeatsPrefixAndTheLongestPrefixWins) {
  auto m = load_valid();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->lookup(FhirTable::LesionSite, "http://icdo3", "C41.2")->text, "spine");
  EXPECT_EQ(m->lookup(FhirTable::LesionSite, "http://icdo3", "C41.3")->text, "bone");
  EXPECT_EQ(m->lookup(FhirTable::LesionSite, "http://icdo3", "C40.0")->text, "bone");
  EXPECT_EQ(m->lookup(FhirTable::LesionSite, "http://icdo3", "C34.1")->text, "lung");
  EXPECT_EQ(m->lookup(FhirTable::LesionSite, "http://icdo3", "C71.0"), nullptr);
  // A system with no entries in this table, and a table with no entries at all.
  EXPECT_EQ(m->lookup(FhirTable::LesionSite, "http://local", "C34.1"), nullptr);
  EXPECT_EQ(m->lookup(FhirTable::Histology, "http://icdo3", "8890/3"), nullptr);
}

TEST(FhirMappingLoad, CatchAllAndNullEntries) {
  auto m = load_valid();
  ASSERT_NE(m, nullptr);
  const FhirValue* v = m->lookup(FhirTable::SystemicTherapy, "http://local", "N02BE01");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->kind, FhirValue::Kind::Bool);
  EXPECT_FALSE(v->b);
  EXPECT_TRUE(m->lookup(FhirTable::SystemicTherapy, "http://local", "L01XE11")->b);
  EXPECT_EQ(m->lookup(FhirTable::SystemicTherapy, "http://local", "L01XX")->kind, FhirValue::Kind::Null);
  EXPECT_EQ(m->lookup(FhirTable::Ecog, "http://local", "e4")->i, 4);
  EXPECT_EQ(m->lookup(FhirTable::Observation, "http://local", "o1")->text, "lesion_size");
}

TEST(FhirMappingLoad, KnowsSystemOnlyWhereTheTableHasEntriesForIt) {
  auto m = load_valid();
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->knows_system(FhirTable::LesionSite, "http://icdo3"));
  EXPECT_FALSE(m->knows_system(FhirTable::LesionSite, "http://local"));
  EXPECT_TRUE(m->knows_system(FhirTable::SystemicTherapy, "http://local"));
  EXPECT_FALSE(m->knows_system(FhirTable::Histology, "http://icdo3"));
}

TEST(FhirMappingLoad, TableNamesAreTheYamlNames) {
  EXPECT_EQ(table_name(FhirTable::PrimaryCondition), "primary_condition");
  EXPECT_EQ(table_name(FhirTable::LesionSite), "lesion_site");
  EXPECT_EQ(table_name(FhirTable::SystemicTherapy), "systemic_therapy");
}

// A rule-set folder in a fresh temporary directory, removed at the end.
class FhirMappingFolder : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("oligoscreen-mapping-" + std::to_string(::getpid()) + "-" +
                                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::filesystem::path dir_;
};

TEST_F(FhirMappingFolder, MissingFileSaysWhichFileAndWhy) {
  Diagnostics d;
  EXPECT_EQ(load_fhir_mapping_for(dir_.string(), schema(), d), nullptr);
  std::string file = dir_.string() + "/mappings/fhir.yaml";
  EXPECT_EQ(d.render_brief(),
            file + ": error: no FHIR mapping for this rule set: cannot read '" + file + "': no such file\n");
}

TEST_F(FhirMappingFolder, LoadsTheFolderCopyWithItsOwnHashAndPositions) {
  const std::string* embedded = embedded_fhir_mapping_text();
  ASSERT_NE(embedded, nullptr);
  std::filesystem::create_directories(dir_ / "mappings");
  { std::ofstream(dir_ / "mappings" / "fhir.yaml", std::ios::binary) << *embedded; }
  Diagnostics d;
  auto m = load_fhir_mapping_for(dir_.string(), schema(), d);
  ASSERT_NE(m, nullptr) << d.render();
  EXPECT_EQ(m->sha256, sha256_hex(*embedded));
  Diagnostics e;
  auto from_binary = load_fhir_mapping_for("", schema(), e);
  ASSERT_NE(from_binary, nullptr);
  EXPECT_EQ(m->sha256, from_binary->sha256);

  // A mistake in the folder copy is reported against the folder's file, with its source line.
  { std::ofstream(dir_ / "mappings" / "fhir.yaml", std::ios::binary) << kHead << "colour: blue\n"; }
  Diagnostics f;
  EXPECT_EQ(load_fhir_mapping_for(dir_.string(), schema(), f), nullptr);
  std::string file = dir_.string() + "/mappings/fhir.yaml";
  EXPECT_EQ(f.render(), file + ":4:1: error: unknown key 'colour' in the FHIR mapping\n  colour: blue\n  ^\n");
}

}  // namespace
}  // namespace oligoscreen::detail
