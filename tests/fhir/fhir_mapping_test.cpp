// FHIR R4 -> patient description: the mapping file and every field of docs/fhir-mapping.md,
// unmapped codes, the as-of date, and what stays unknown.
#include <gtest/gtest.h>

#include "core/sha256.hpp"
#include "fhir/fhir_screen.hpp"
#include "fhir_test_util.hpp"

namespace oligoscreen::test {
namespace {

using detail::FhirTable;

const char* kPrimaryProfile =
    R"("meta":{"profile":["http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-primary-cancer-condition"]})";
const char* kSecondaryProfile =
    R"("meta":{"profile":["http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-secondary-cancer-condition"]})";

std::string primary(const std::string& extra = "", const std::string& id = "prim") {
  return R"({"resourceType":"Condition","id":")" + id + "\"," + kPrimaryProfile +
         R"(,"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"remission"}]},)"
         R"("onsetDateTime":"2021-03-10","bodySite":[{"text":"uterus"}],)"
         R"("extension":[{"url":"http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior",)"
         R"("valueCodeableConcept":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/icd-o-3","code":"8890/3"}]}}])" +
         extra + "}";
}

std::string lesion(const std::string& id, const std::string& site_json, const std::string& onset = "2024-05-02",
                   const std::string& status = "active", const std::string& extra = "") {
  return R"({"resourceType":"Condition","id":")" + id + "\"," + kSecondaryProfile +
         R"(,"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":")" +
         status + R"("}]},"onsetDateTime":")" + onset + "\"," + site_json + extra + "}";
}

std::string lung_site() {
  return R"("bodySite":[{"coding":[{"system":"http://snomed.info/sct","code":"39607008"}]}])";
}

std::string obs(const std::string& system, const std::string& code, const std::string& date, const std::string& value,
                const std::string& extra = "") {
  return R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":")" + system + R"(","code":")" +
         code + R"("}]},"effectiveDateTime":")" + date + "\"," + value + extra + "}";
}
const std::string kLoinc = "http://loinc.org";
const std::string kOligo = "http://oligoscreen.example/fhir/CodeSystem/oligoscreen";
const std::string kSnomed = "http://snomed.info/sct";

// ---- The mapping file -------------------------------------------------------------------------

TEST(FhirMapping, LoadsWithItsOwnHash) {
  const auto& m = mapping();
  EXPECT_EQ(m.id, "sarcoma-sbrt-fhir");
  EXPECT_EQ(m.sha256, detail::sha256_hex(file_bytes(source_path("rules/sarcoma-sbrt/mappings/fhir.yaml"))));
  EXPECT_EQ(m.imaging_window_days, 42);
}

TEST(FhirMapping, ExactPrefixAndNullEntries) {
  const auto& m = mapping();
  const std::string icdo3 = "http://terminology.hl7.org/CodeSystem/icd-o-3";
  const auto* v = m.lookup(FhirTable::Histology, icdo3, "8890/3");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->text, "leiomyosarcoma");
  EXPECT_EQ(m.lookup(FhirTable::Histology, icdo3, "8805/3"), nullptr);
  // Prefix: ICD-O-3 topography C34.1 (upper lobe) is lung; C41.2 beats the bone prefixes.
  EXPECT_EQ(m.lookup(FhirTable::LesionSite, icdo3, "C34.1")->text, "lung");
  EXPECT_EQ(m.lookup(FhirTable::LesionSite, icdo3, "C41.2")->text, "spine");
  // ATC: the catch-all says "not anticancer" for every other code; L01 says anticancer.
  EXPECT_TRUE(m.lookup(FhirTable::SystemicTherapy, "http://www.whocc.no/atc", "L01XE11")->b);
  EXPECT_FALSE(m.lookup(FhirTable::SystemicTherapy, "http://www.whocc.no/atc", "N02BE01")->b);
  // A known code that says nothing: Null.
  EXPECT_EQ(m.lookup(FhirTable::Sex, "http://hl7.org/fhir/administrative-gender", "unknown")->kind,
            detail::FhirValue::Kind::Null);
  // Unknown system: nothing.
  EXPECT_EQ(m.lookup(FhirTable::Histology, "http://example.org/local", "8890/3"), nullptr);
}

std::string load_errors(const std::string& yaml) {
  detail::Diagnostics d;
  d.add_source("m.yaml", yaml);
  auto m = detail::load_fhir_mapping("m.yaml", yaml, rules().schema, d);
  EXPECT_EQ(m, nullptr);
  return d.render_brief();
}

TEST(FhirMapping, RejectsValuesTheSchemaDoesNotKnow) {
  std::string head = "id: x\nversion: '1'\nsystems: {icdo3: http://terminology.hl7.org/CodeSystem/icd-o-3}\n";
  EXPECT_NE(load_errors(head + "tables:\n  histology:\n    icdo3: {\"8890/3\": leiomyosarkoma}\n")
                .find("m.yaml:6:23: error: 'leiomyosarkoma' is not a value of histology"),
            std::string::npos);
  EXPECT_NE(load_errors(head + "tables:\n  histologies: {}\n").find("unknown table 'histologies'"), std::string::npos);
  EXPECT_NE(load_errors(head + "tables:\n  histology:\n    snomed: {}\n").find("unknown code-system alias 'snomed'"),
            std::string::npos);
  EXPECT_NE(load_errors(head + "tables:\n  ecog:\n    icdo3: {x: 5}\n").find("expected an integer from 0 to 4"),
            std::string::npos);
  EXPECT_NE(load_errors(head + "tables:\n  observation:\n    icdo3: {x: weight}\n").find("not an observation kind"),
            std::string::npos);
  EXPECT_NE(load_errors(head + "colour: blue\n").find("unknown key 'colour'"), std::string::npos);
}

// ---- The Bundle ------------------------------------------------------------------------------------

TEST(FhirBundle, NotABundleIsATypeErrorAtTheValue) {
  auto m = map_bundle(R"({"resourceType":"Patient"})");
  ASSERT_FALSE(m->ok);
  EXPECT_EQ(m->fhir.errors.at(0).kind, "type");
  EXPECT_EQ(m->fhir.errors.at(0).field, "resourceType");
  EXPECT_EQ(m->fhir.errors.at(0).pos.col, 17u);
  m = map_bundle(R"({"resourceType":"Bundle","type":"transaction","entry":[]})");
  ASSERT_FALSE(m->ok);
  EXPECT_EQ(m->fhir.errors.at(0).field, "type");
  m = map_bundle(R"({"resourceType":"Bundle","type":"collection","entry":{}})");
  ASSERT_FALSE(m->ok);
  EXPECT_EQ(m->fhir.errors.at(0).field, "entry");
}

TEST(FhirBundle, MalformedJsonKeepsTheReadersKind) {
  auto m = map_bundle(R"({"resourceType":"Bundle",})");
  ASSERT_FALSE(m->ok);
  EXPECT_EQ(m->fhir.errors.at(0).kind, "syntax");
  m = map_bundle(R"({"resourceType":"Bundle","resourceType":"Bundle"})");
  EXPECT_EQ(m->fhir.errors.at(0).kind, "duplicate_key");
}

TEST(FhirBundle, LimitsAreThoseOfABundle) {
  // Deeper than a patient description (32) but within 64: accepted.
  std::string deep =
      R"({"resourceType":"Bundle","type":"collection","x":)" + std::string(50, '[') + std::string(50, ']') + "}";
  EXPECT_TRUE(map_bundle(deep)->ok);
  std::string too_deep =
      R"({"resourceType":"Bundle","type":"collection","x":)" + std::string(70, '[') + std::string(70, ']') + "}";
  auto m = map_bundle(too_deep);
  ASSERT_FALSE(m->ok);
  EXPECT_EQ(m->fhir.errors.at(0).kind, "limit");
  detail::FhirOptions small;
  small.max_bytes = 100;
  detail::FhirPatient p;
  EXPECT_FALSE(detail::read_fhir_bundle(mapping(), bundle({primary()}), small, p));
  EXPECT_EQ(p.errors.at(0).kind, "limit");
}

TEST(FhirBundle, EmptyBundleLeavesEverythingUnknown) {
  auto m = map_bundle(bundle({}));
  ASSERT_TRUE(m->ok);
  EXPECT_EQ(m->fhir.json, R"({"id":"CASE-1"})");
  EXPECT_TRUE(m->warned("fhir_no_as_of_date", "assessed_on"));
}

// ---- Fields ----------------------------------------------------------------------------------------

TEST(FhirFields, IdFromTheBundleIdentifierElseThePatient) {
  EXPECT_EQ((*map_bundle(bundle({R"({"resourceType":"Patient","id":"p7"})"})))["id"], "CASE-1");
  EXPECT_EQ((*map_bundle(bundle({R"({"resourceType":"Patient","id":"p7"})"}, "")))["id"], "p7");
}

TEST(FhirFields, AgeAtTheAsOfDateAndSex) {
  auto m =
      map_bundle(bundle({R"({"resourceType":"Patient","birthDate":"1970-05-03","gender":"female"})"}), "2024-05-02");
  EXPECT_EQ((*m)["age"], "53");  // the day before the 54th birthday
  EXPECT_EQ((*m)["sex"], "female");
  EXPECT_EQ((*m)["assessed_on"], "2024-05-02");
  m = map_bundle(bundle({R"({"resourceType":"Patient","birthDate":"1970-05-02","gender":"unknown"})"}), "2024-05-02");
  EXPECT_EQ((*m)["age"], "54");
  EXPECT_EQ((*m)["sex"], "<absent>");  // known to say nothing: no warning
  EXPECT_TRUE(m->fhir.warnings.empty()) << m->warnings_text();
  // A birth month that straddles the birthday: unknown, reported.
  m = map_bundle(bundle({R"({"resourceType":"Patient","birthDate":"1970-05"})"}), "2024-05-15");
  EXPECT_EQ((*m)["age"], "<absent>");
  EXPECT_TRUE(m->warned("fhir_imprecise_date", "age"));
  m = map_bundle(bundle({R"({"resourceType":"Patient","birthDate":"1970"})"}), "2024-05-15");
  EXPECT_EQ((*m)["age"], "<absent>");
  EXPECT_TRUE(m->warned("fhir_imprecise_date", "age"));
}

TEST(FhirFields, PrimaryCancer) {
  std::string tc =
      R"(,"extension":[{"url":"http://oligoscreen.example/fhir/StructureDefinition/primary-treatment-completed","valueDate":"2021-05-28"}])";
  auto m = map_bundle(bundle({primary()}), "2024-05-02");
  EXPECT_EQ((*m)["histology"], "leiomyosarcoma");
  EXPECT_EQ((*m)["primary.site"], "uterus");
  EXPECT_EQ((*m)["primary.diagnosed"], "2021-03-10");
  EXPECT_EQ((*m)["primary.controlled"], "true");  // clinicalStatus remission
  EXPECT_EQ((*m)["primary.treatment_completed"], "<absent>");
  // The treatment-completed extension (a second extension array would be a duplicate key: the
  // test builds the primary without the histology extension).
  std::string p2 =
      std::string(R"({"resourceType":"Condition",)") + kPrimaryProfile + R"(,"onsetDateTime":"2021-03")" + tc + "}";
  m = map_bundle(bundle({p2}), "2024-05-02");
  EXPECT_EQ((*m)["primary.treatment_completed"], "2021-05-28");
  EXPECT_EQ((*m)["primary.diagnosed"], "2021-03");  // month precision is kept
  EXPECT_EQ((*m)["histology"], "<absent>");
  EXPECT_EQ((*m)["primary.controlled"], "<absent>");
}

TEST(FhirFields, PrimaryControlFromStatusThenExplicitObservation) {
  std::string rec = primary();
  rec.replace(rec.find("remission"), 9, "recurrence");
  EXPECT_EQ((*map_bundle(bundle({rec}), "2024-05-02"))["primary.controlled"], "false");
  std::string active = primary();
  active.replace(active.find("remission"), 9, "active");
  auto m = map_bundle(bundle({active}), "2024-05-02");
  EXPECT_EQ((*m)["primary.controlled"], "<absent>");
  EXPECT_TRUE(m->fhir.warnings.empty()) << m->warnings_text();
  m = map_bundle(bundle({active, obs(kOligo, "primary-controlled", "2024-04-01", R"("valueBoolean":true)")}),
                 "2024-05-02");
  EXPECT_EQ((*m)["primary.controlled"], "true");
}

TEST(FhirFields, UnmappedHistologyIsReportedNeverGuessed) {
  std::string p = primary();
  p.replace(p.find("8890/3"), 6, "8805/3");
  auto m = map_bundle(bundle({p}), "2024-05-02");
  EXPECT_EQ((*m)["histology"], "<absent>");
  ASSERT_TRUE(m->warned("fhir_unmapped_code", "histology")) << m->warnings_text();
  EXPECT_NE(m->fhir.warnings[0].message.find("icd-o-3|8805/3"), std::string::npos);
  // Two codings that disagree: a conflict, unknown.
  std::string c = primary();
  c.replace(
      c.find(R"({"system":"http://terminology.hl7.org/CodeSystem/icd-o-3","code":"8890/3"})"),
      std::string(R"({"system":"http://terminology.hl7.org/CodeSystem/icd-o-3","code":"8890/3"})").size(),
      R"({"system":"http://terminology.hl7.org/CodeSystem/icd-o-3","code":"8890/3"},{"system":"http://terminology.hl7.org/CodeSystem/icd-o-3","code":"9040/3"})");
  m = map_bundle(bundle({c}), "2024-05-02");
  EXPECT_EQ((*m)["histology"], "<absent>");
  EXPECT_TRUE(m->warned("fhir_conflict", "histology"));
}

TEST(FhirFields, TwoPrimariesAreAmbiguous) {
  auto m = map_bundle(bundle({primary(), primary("", "prim2")}), "2024-05-02");
  EXPECT_EQ((*m)["histology"], "<absent>");
  EXPECT_TRUE(m->warned("fhir_ambiguous", "histology"));
}

TEST(FhirFields, EcogMostRecentOnOrBeforeTheAsOfDate) {
  std::vector<std::string> r = {
      obs(kLoinc, "89247-1", "2024-03-01", R"("valueInteger":2)"),
      obs(kLoinc, "89247-1", "2024-04-25T10:00:00+02:00", R"("valueInteger":1)"),
      obs(kLoinc, "89247-1", "2024-06-12",
          R"("valueCodeableConcept":{"coding":[{"system":"http://loinc.org","code":"LA9625-0"}]})"),
      R"({"resourceType":"Observation","status":"preliminary","code":{"coding":[{"system":"http://loinc.org","code":"89247-1"}]},"effectiveDateTime":"2024-05-01","valueInteger":4})",
  };
  EXPECT_EQ((*map_bundle(bundle(r), "2024-05-02"))["ecog"], "1");
  EXPECT_EQ((*map_bundle(bundle(r), "2024-04-24"))["ecog"], "2");
  EXPECT_EQ((*map_bundle(bundle(r), "2024-06-12"))["ecog"], "3");  // LA9625-0
  EXPECT_EQ((*map_bundle(bundle(r), "2024-01-01"))["ecog"], "<absent>");
  // Default as-of date: the metastasis diagnosis date (the lesion's onset).
  r.push_back(lesion("m1", lung_site(), "2024-05-02"));
  auto m = map_bundle(bundle(r));
  EXPECT_EQ((*m)["assessed_on"], "2024-05-02");
  EXPECT_EQ((*m)["ecog"], "1");
}

TEST(FhirFields, SameDayObservationsThatDisagreeAreUnknown) {
  auto m = map_bundle(bundle({obs(kLoinc, "89247-1", "2024-04-25", R"("valueInteger":1)"),
                              obs(kLoinc, "89247-1", "2024-04-25", R"("valueInteger":2)")}),
                      "2024-05-02");
  EXPECT_EQ((*m)["ecog"], "<absent>");
  EXPECT_TRUE(m->warned("fhir_conflict", "ecog"));
  // Agreeing duplicates are fine.
  m = map_bundle(bundle({obs(kLoinc, "89247-1", "2024-04-25", R"("valueInteger":1)"),
                         obs(kLoinc, "89247-1", "2024-04-25", R"("valueInteger":1)")}),
                 "2024-05-02");
  EXPECT_EQ((*m)["ecog"], "1");
}

TEST(FhirFields, UnusableObservationValues) {
  // Both of the most recent date are unusable (not an integer; an unknown answer code): unknown,
  // each reported; the older usable one does not stand in for them.
  auto m = map_bundle(
      bundle({obs(kLoinc, "89247-1", "2024-03-01", R"("valueInteger":0)"),
              obs(kLoinc, "89247-1", "2024-04-25", R"("valueInteger":1.5)"),
              obs(kLoinc, "89247-1", "2024-04-25",
                  R"("valueCodeableConcept":{"coding":[{"system":"http://loinc.org","code":"LA0000-0"}]})")}),
      "2024-05-02");
  EXPECT_EQ((*m)["ecog"], "<absent>");
  EXPECT_TRUE(m->warned("fhir_unusable_value", "ecog"));
  EXPECT_TRUE(m->warned("fhir_unmapped_code", "ecog"));
  // No effective date: not placed in time, not used.
  m = map_bundle(
      bundle(
          {R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"89247-1"}]},"valueInteger":1})"}),
      "2024-05-02");
  EXPECT_EQ((*m)["ecog"], "<absent>");
  EXPECT_TRUE(m->warned("fhir_unusable_value", "ecog"));
}

TEST(FhirFields, LifeExpectancyGradeAndHistory) {
  auto m = map_bundle(bundle({obs(kOligo, "life-expectancy", "2024-04-30", R"("valueQuantity":{"value":2,"code":"a"})"),
                              obs(kOligo, "fnclcc-grade", "2021-03-10",
                                  R"("valueCodeableConcept":{"coding":[{"system":")" + kOligo + R"(","code":"G3"}]})"),
                              obs(kOligo, "history-polymetastatic", "2024-05-02", R"("valueBoolean":false)"),
                              obs(kOligo, "history-oligometastatic", "2024-05-02", R"("valueBoolean":true)")}),
                      "2024-05-02");
  EXPECT_EQ((*m)["life_expectancy_months"], "24");
  EXPECT_EQ((*m)["grade"], "3");
  EXPECT_EQ((*m)["history.polymetastatic"], "false");
  EXPECT_EQ((*m)["history.oligometastatic"], "true");
  m = map_bundle(bundle({obs(kOligo, "life-expectancy", "2024-04-30", R"("valueQuantity":{"value":2,"code":"wk"})")}),
                 "2024-05-02");
  EXPECT_EQ((*m)["life_expectancy_months"], "<absent>");
  EXPECT_TRUE(m->warned("fhir_unusable_value", "life_expectancy_months"));
}

TEST(FhirFields, LesionsSiteSizeStatusTreatable) {
  std::string treatable =
      R"(,"extension":[{"url":"http://oligoscreen.example/fhir/StructureDefinition/lesion-treatable","valueBoolean":true}])";
  std::vector<std::string> r = {
      lesion("m1", lung_site(), "2024-05-02", "active", treatable),
      lesion("m2",
             R"("bodySite":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/icd-o-3","code":"C34.1"}]}])"),
      lesion("m3", R"("code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"C79.51"}]})"),
      lesion(
          "m4",
          R"("extension":[{"url":"http://oligoscreen.example/fhir/StructureDefinition/lesion-site","valueCodeableConcept":{"coding":[{"system":")" +
              kOligo + R"(","code":"peritoneal_dissemination"}]}}])"),
      obs(kLoinc, "21889-1", "2024-05-02",
          R"("component":[{"code":{"coding":[{"system":"http://loinc.org","code":"33729-5"}]},"valueQuantity":{"value":0.5,"code":"cm"}},{"code":{"coding":[{"system":"http://loinc.org","code":"33728-7"}]},"valueQuantity":{"value":1.4,"code":"cm"}}])",
          R"(,"focus":[{"reference":"Condition/m1"}])"),
      obs(kLoinc, "21889-1", "2024-05-02", R"("valueQuantity":{"value":9,"code":"mm"})",
          R"(,"focus":[{"reference":"Condition/m2"}])"),
      obs(kLoinc, "97509-4", "2024-05-02",
          R"("valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"271299001"}]})",
          R"(,"focus":[{"reference":"Condition/m2"}])"),
      obs(kOligo, "lesion-status", "2024-05-02",
          R"("valueCodeableConcept":{"coding":[{"system":")" + kOligo + R"(","code":"new"}]})",
          R"(,"focus":[{"reference":"Condition/m1"}])"),
      obs(kOligo, "lesion-treatable", "2024-05-02", R"("valueBoolean":false)",
          R"(,"focus":[{"reference":"Condition/m3"}])"),
  };
  auto m = map_bundle(bundle(r));
  EXPECT_EQ((*m)["metastases.diagnosed"], "2024-05-02");
  EXPECT_EQ((*m)["lesions"], "<list:4>");
  EXPECT_EQ((*m)["lesions.0.site"], "lung");
  EXPECT_EQ((*m)["lesions.0.size_mm"], "14");  // 1.4 cm, the largest dimension component
  EXPECT_EQ((*m)["lesions.0.status"], "new");
  EXPECT_EQ((*m)["lesions.0.treatable"], "true");
  EXPECT_EQ((*m)["lesions.1.site"], "lung");  // ICD-O-3 topography C34.1
  EXPECT_EQ((*m)["lesions.1.size_mm"], "9");
  EXPECT_EQ((*m)["lesions.1.status"], "progressing");
  EXPECT_EQ((*m)["lesions.1.treatable"], "<absent>");
  EXPECT_EQ((*m)["lesions.2.site"], "bone");  // ICD-10 C79.51
  EXPECT_EQ((*m)["lesions.2.treatable"], "false");
  EXPECT_EQ((*m)["lesions.3.site"], "peritoneal_dissemination");
  EXPECT_TRUE(m->fhir.warnings.empty()) << m->warnings_text();
}

TEST(FhirFields, ReferencesResolveByFullUrl) {
  std::string b = R"({"resourceType":"Bundle","type":"searchset","entry":[)"
                  R"({"fullUrl":"urn:uuid:0b5e","resource":)" +
                  lesion("m1", lung_site()) +
                  "},"
                  R"({"resource":)" +
                  obs(kLoinc, "21889-1", "2024-05-02", R"("valueQuantity":{"value":12,"code":"mm"})",
                      R"(,"focus":[{"reference":"urn:uuid:0b5e"}])") +
                  "}]}";
  auto m = map_bundle(b);
  EXPECT_EQ((*m)["lesions.0.size_mm"], "12");
}

TEST(FhirFields, AnUnmappableLesionSiteLeavesTheWholeListUnknown) {
  auto m = map_bundle(
      bundle({lesion("m1", lung_site()),
              lesion("m2", R"("bodySite":[{"coding":[{"system":"http://snomed.info/sct","code":"1234567"}]}])")}));
  EXPECT_EQ((*m)["lesions"], "<absent>");
  EXPECT_TRUE(m->warned("fhir_unmapped_code", "lesions[1].site")) << m->warnings_text();
  EXPECT_TRUE(m->warned("fhir_incomplete_list", "lesions"));
}

TEST(FhirFields, WhichSecondaryCancersArePresentAtTheAsOfDate) {
  std::vector<std::string> r = {
      lesion("m1", lung_site(), "2024-05-02"),
      lesion("old", lung_site(), "2022-01-10", "resolved"),
      lesion("abated", lung_site(), "2023-01-10", "active", R"(,"abatementDateTime":"2023-06-01")"),
      lesion("later", lung_site(), "2024-09-01"),
      R"({"resourceType":"Condition","id":"err",)" + std::string(kSecondaryProfile) +
          R"(,"verificationStatus":{"coding":[{"code":"entered-in-error"}]},"clinicalStatus":{"coding":[{"code":"active"}]},"onsetDateTime":"2024-05-01",)" +
          lung_site() + "}",
  };
  auto m = map_bundle(bundle(r), "2024-05-02");
  EXPECT_EQ((*m)["lesions"], "<list:1>");
  // Without an as-of date, the latest onset is the metastasis date, and the as-of date.
  m = map_bundle(bundle(r));
  EXPECT_EQ((*m)["metastases.diagnosed"], "2024-09-01");
  EXPECT_EQ((*m)["lesions"], "<list:2>");
  // An explicit observation of the metastasis date wins over the onsets.
  r.push_back(obs(kOligo, "metastatic-state-diagnosed", "2024-05-02", R"("valueDateTime":"2024-05-02")"));
  m = map_bundle(bundle(r));
  EXPECT_EQ((*m)["metastases.diagnosed"], "2024-05-02");
  EXPECT_EQ((*m)["lesions"], "<list:1>");
}

TEST(FhirFields, NoLesionsOnlyWhenAnObservationSaysSo) {
  EXPECT_EQ((*map_bundle(bundle({primary()}), "2024-05-02"))["lesions"], "<absent>");
  auto m =
      map_bundle(bundle({obs(kOligo, "metastatic-disease", "2024-05-01", R"("valueBoolean":false)")}), "2024-05-02");
  EXPECT_EQ((*m)["lesions"], "<list:0>");
  m = map_bundle(bundle({obs(kOligo, "metastatic-disease", "2024-05-01", R"("valueBoolean":false)"),
                         lesion("m1", lung_site(), "2024-04-01")}),
                 "2024-05-02");
  EXPECT_EQ((*m)["lesions"], "<absent>");
  EXPECT_TRUE(m->warned("fhir_conflict", "lesions"));
}

std::string med(const std::string& type, const std::string& system, const std::string& code, const std::string& status,
                const std::string& timing) {
  return R"({"resourceType":")" + type + R"(","status":")" + status +
         R"(","medicationCodeableConcept":{"coding":[{"system":")" + system + R"(","code":")" + code +
         R"("}],"text":")" + code + "\"}," + timing + "}";
}
const std::string kAtc = "http://www.whocc.no/atc";

TEST(FhirFields, SystemicTherapyActiveOnTheMetastasisDiagnosisDate) {
  std::string l = lesion("m1", lung_site(), "2024-05-02");
  // Active statement covering the date: true, with the agent.
  auto m = map_bundle(bundle(
      {l, med("MedicationStatement", kAtc, "L01CX01", "active", R"("effectivePeriod":{"start":"2024-01-01"})")}));
  EXPECT_EQ((*m)["systemic_therapy.active"], "true");
  EXPECT_EQ((*m)["systemic_therapy.agent"], "L01CX01");
  // Ended before the date, and no statement that there is none: unknown, not false.
  m = map_bundle(bundle({l, med("MedicationStatement", kAtc, "L01CX01", "completed",
                                R"("effectivePeriod":{"start":"2023-01-01","end":"2023-06-01"})")}));
  EXPECT_EQ((*m)["systemic_therapy"], "<absent>");
  // ... with the observation: false.
  m = map_bundle(bundle({l, obs(kOligo, "systemic-therapy-active", "2024-05-02", R"("valueBoolean":false)"),
                         med("MedicationStatement", kAtc, "L01CX01", "completed",
                             R"("effectivePeriod":{"start":"2023-01-01","end":"2023-06-01"})")}));
  EXPECT_EQ((*m)["systemic_therapy.active"], "false");
  // A non-anticancer ATC drug never counts; an unmapped non-ATC code is reported.
  m = map_bundle(
      bundle({l, med("MedicationStatement", kAtc, "C09AA05", "active", R"("effectivePeriod":{"start":"2015-01-01"})"),
              med("MedicationStatement", "http://www.nlm.nih.gov/research/umls/rxnorm", "1234", "active",
                  R"("effectivePeriod":{"start":"2024-01-01"})")}));
  EXPECT_EQ((*m)["systemic_therapy"], "<absent>");
  EXPECT_TRUE(m->warned("fhir_unmapped_code", "systemic_therapy.active")) << m->warnings_text();
  // MedicationRequest with bounds; MedicationAdministration on the day.
  m = map_bundle(
      bundle({l, med("MedicationRequest", kAtc, "L01EX03", "active",
                     R"("dosageInstruction":[{"timing":{"repeat":{"boundsPeriod":{"start":"2024-02-01"}}}}])")}));
  EXPECT_EQ((*m)["systemic_therapy.active"], "true");
  m = map_bundle(bundle({l, med("MedicationAdministration", kAtc, "L01DB01", "completed",
                                R"("effectiveDateTime":"2024-05-02T08:00:00Z")")}));
  EXPECT_EQ((*m)["systemic_therapy.active"], "true");
  // An observation saying none while a drug was active: conflict, unknown.
  m = map_bundle(
      bundle({l, obs(kOligo, "systemic-therapy-active", "2024-05-02", R"("valueBoolean":false)"),
              med("MedicationStatement", kAtc, "L01CX01", "active", R"("effectivePeriod":{"start":"2024-01-01"})")}));
  EXPECT_EQ((*m)["systemic_therapy"], "<absent>");
  EXPECT_TRUE(m->warned("fhir_conflict", "systemic_therapy.active"));
  // Medication resolved through medicationReference.
  m = map_bundle(bundle(
      {l,
       R"({"resourceType":"Medication","id":"pz","code":{"coding":[{"system":"http://www.whocc.no/atc","code":"L01EX03"}],"text":"pazopanib"}})",
       R"({"resourceType":"MedicationStatement","status":"active","medicationReference":{"reference":"Medication/pz"},"effectivePeriod":{"start":"2024-03-01"}})"}));
  EXPECT_EQ((*m)["systemic_therapy.agent"], "pazopanib");
  // ... also as an absolute reference, as a FHIR server writes it.
  m = map_bundle(bundle(
      {l,
       R"({"resourceType":"Medication","id":"pz","code":{"coding":[{"system":"http://www.whocc.no/atc","code":"L01EX03"}],"text":"pazopanib"}})",
       R"({"resourceType":"MedicationStatement","status":"active","medicationReference":{"reference":"https://ehr.example/fhir/Medication/pz"},"effectivePeriod":{"start":"2024-03-01"}})"}));
  EXPECT_EQ((*m)["systemic_therapy.agent"], "pazopanib");
}

std::string imaging_study(const std::string& system, const std::string& code, const std::string& date) {
  return R"({"resourceType":"ImagingStudy","status":"available","started":")" + date +
         R"(","procedureCode":[{"coding":[{"system":")" + system + R"(","code":")" + code + R"("}]}]})";
}

TEST(FhirFields, ImagingInTheStagingWindow) {
  std::string l = lesion("m1", lung_site(), "2024-05-02");
  auto m = map_bundle(bundle(
      {l, imaging_study(kOligo, "pet_ct", "2024-04-28"), imaging_study(kLoinc, "24627-2", "2024-04-20"),
       imaging_study(kOligo, "mri_brain", "2023-01-01"),
       R"({"resourceType":"Procedure","status":"completed","code":{"coding":[{"system":"http://snomed.info/sct","code":"387713003"}]},"performedDateTime":"2024-04-29"})"}));
  EXPECT_EQ((*m)["imaging"], "<list:2>");
  EXPECT_EQ((*m)["imaging.0"], "ct_chest");  // schema order
  EXPECT_EQ((*m)["imaging.1"], "pet_ct");
  EXPECT_TRUE(m->fhir.warnings.empty()) << m->warnings_text();
  // An imaging procedure whose code is not mapped: the list is unknown, reported.
  m = map_bundle(bundle(
      {l, imaging_study(kOligo, "pet_ct", "2024-04-28"),
       R"({"resourceType":"Procedure","status":"completed","category":{"coding":[{"system":"http://snomed.info/sct","code":"363679005"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"1111111"}]},"performedDateTime":"2024-04-29"})"}));
  EXPECT_EQ((*m)["imaging"], "<absent>");
  EXPECT_TRUE(m->warned("fhir_unmapped_code", "imaging"));
  EXPECT_TRUE(m->warned("fhir_incomplete_list", "imaging"));
}

// ---- Through the engine ------------------------------------------------------------------------

TEST(FhirScreen, ResultCarriesTheMappingHashAndWarningsFirst) {
  std::string p = primary();
  p.replace(p.find("8890/3"), 6, "8805/3");
  detail::FhirPatient f;
  detail::CaseResult r;
  detail::screen_fhir(rules(), mapping(), bundle({p, lesion("m1", lung_site())}), detail::FhirOptions{},
                      detail::CaseOptions{}, f, r);
  ASSERT_TRUE(r.ok);
  ASSERT_FALSE(r.assessment.warnings.empty());
  EXPECT_EQ(r.assessment.warnings.front().code, "fhir_unmapped_code");
  std::string json;
  detail::case_json(rules(), r, detail::CaseOptions{}, false, "", json);
  detail::add_mapping_provenance(mapping(), false, json);
  EXPECT_NE(
      json.find(R"("mapping":{"id":"sarcoma-sbrt-fhir","version":"1.0.0","sha256":")" + mapping().sha256 + "\"}}}"),
      std::string::npos);
  detail::JsonError err;
  detail::Doc d;
  EXPECT_TRUE(detail::read_json(json, detail::JsonLimits{}, d, err));
  std::string pretty;
  detail::case_json(rules(), r, detail::CaseOptions{}, true, "", pretty);
  detail::add_mapping_provenance(mapping(), true, pretty);
  EXPECT_TRUE(detail::read_json(pretty, detail::JsonLimits{}, d, err)) << err.message;
  EXPECT_NE(pretty.find("    \"mapping\": {\n      \"id\": \"sarcoma-sbrt-fhir\""), std::string::npos);
}

TEST(FhirScreen, ErrorsOfTheGeneratedDescriptionHaveNoPosition) {
  // ECOG 5 ("dead") as valueInteger passes the mapping and fails the patient reader's range.
  detail::FhirPatient f;
  detail::CaseResult r;
  detail::screen_fhir(rules(), mapping(), bundle({obs(kLoinc, "89247-1", "2024-04-01", R"("valueInteger":5)")}),
                      detail::FhirOptions{detail::parse_as_of("2024-05-02")}, detail::CaseOptions{}, f, r);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.errors.at(0).kind, "range");
  EXPECT_EQ(r.errors.at(0).field, "ecog");
  EXPECT_FALSE(r.errors.at(0).pos.valid());
}

TEST(FhirAsOf, OnlyFullDates) {
  EXPECT_TRUE(detail::parse_as_of("2024-05-02"));
  EXPECT_FALSE(detail::parse_as_of("2024-05"));
  EXPECT_FALSE(detail::parse_as_of("2024-02-30"));
  EXPECT_FALSE(detail::parse_as_of("02.05.2024"));
}

}  // namespace
}  // namespace oligoscreen::test
