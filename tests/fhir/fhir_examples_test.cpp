// examples/fhir: every Bundle maps to the same result as its YAML twin (acceptance 1).
//
// Byte-for-byte: the result JSON of the Bundle, without the mapping's own warnings (first in
// `warnings`) and provenance.mapping, equals the result JSON of the twin; and the verdicts are
// the ones each example documents.
#include <gtest/gtest.h>

#include "fhir/fhir_screen.hpp"
#include "fhir_test_util.hpp"

namespace oligoscreen::test {
namespace {

struct Example {
  const char* name;
  const char* as_of;  // "" = the default (metastasis diagnosis date)
  const char* state;
  const char* estro_eortc;
  const char* omd_definition;
  const char* sbrt;
  const char* oligorare;
  size_t fhir_warnings;
};

const Example kExamples[] = {
    {"lms-lung-metachronous", "", "metachronous_oligorecurrence", "metachronous_oligorecurrence", "met", "supported",
     "potentially_eligible", 0},
    {"ups-lung-synchronous", "", "synchronous_omd", "synchronous_omd", "met", "consider", "not_eligible", 0},
    {"ddlps-repeat-oligoprogression", "", "repeat_oligoprogression", "repeat_oligoprogression", "met", "consider",
     "potentially_eligible", 0},
    {"ewing-induced-oligopersistence", "", "induced_oligopersistence", "induced_oligopersistence", "met", "consider",
     "potentially_eligible", 0},
    {"ups-polymetastatic", "", "polymetastatic", "not_applicable", "not_met", "not_eligible", "not_eligible", 0},
    {"dsrct-peritoneal-not-oligometastatic", "", "not_oligometastatic", "not_applicable", "not_met", "not_eligible",
     "not_eligible", 0},
    {"no-metastases-restaging", "2024-07-01", "no_metastatic_disease", "not_applicable", "not_met", "not_eligible",
     "not_eligible", 0},
    {"lms-missing-data", "", "oligometastatic_unclassified", "unknown", "met", "indeterminate", "indeterminate", 1},
};

std::string output(const detail::RuleSetModel& m, const detail::CaseResult& r, const std::string& id) {
  for (size_t o = 0; o < m.outputs.size(); ++o) {
    if (m.defs[m.output_defs[o]].id == id) {
      return m.schema.enums[m.outputs[o].enum_id].values[r.assessment.outputs[o].code];
    }
  }
  return "<no output " + id + ">";
}

class FhirExamples : public ::testing::TestWithParam<Example> {};

TEST_P(FhirExamples, MapToTheSameResultAsTheYamlTwin) {
  const Example& ex = GetParam();
  std::string base = source_path(std::string("examples/fhir/") + ex.name);
  std::string bundle_text = file_bytes(base + ".bundle.json");
  std::string yaml_text = file_bytes(base + ".yaml");
  ASSERT_FALSE(bundle_text.empty());
  ASSERT_FALSE(yaml_text.empty());

  detail::CaseOptions copt;
  detail::FhirOptions fopt;
  if (*ex.as_of) fopt.as_of = detail::parse_as_of(ex.as_of);
  detail::FhirPatient f;
  auto fr = std::make_unique<detail::CaseResult>();
  detail::screen_fhir(rules(), mapping(), bundle_text, fopt, copt, f, *fr);
  ASSERT_TRUE(fr->ok) << (fr->errors.empty() ? "" : fr->errors[0].message);
  auto yr = std::make_unique<detail::CaseResult>();
  detail::screen_case(rules(), base + ".yaml", yaml_text, detail::CaseFormat::Yaml, copt, *yr);
  ASSERT_TRUE(yr->ok) << (yr->errors.empty() ? "" : yr->errors[0].message);

  ASSERT_EQ(f.warnings.size(), ex.fhir_warnings);
  for (size_t i = 0; i < f.warnings.size(); ++i) EXPECT_EQ(fr->assessment.warnings[i].code.rfind("fhir_", 0), 0u);
  fr->assessment.warnings.erase(fr->assessment.warnings.begin(),
                                fr->assessment.warnings.begin() + static_cast<long>(f.warnings.size()));
  std::string a, b;
  detail::case_json(rules(), *fr, copt, false, "", a);
  detail::case_json(rules(), *yr, copt, false, "", b);
  EXPECT_EQ(a, b) << "patient read from the Bundle: " << f.json;

  EXPECT_EQ(output(rules(), *fr, "state"), ex.state);
  EXPECT_EQ(output(rules(), *fr, "estro_eortc"), ex.estro_eortc);
  EXPECT_EQ(output(rules(), *fr, "omd_definition"), ex.omd_definition);
  EXPECT_EQ(output(rules(), *fr, "sbrt"), ex.sbrt);
  EXPECT_EQ(output(rules(), *fr, "oligorare"), ex.oligorare);
}

INSTANTIATE_TEST_SUITE_P(Examples, FhirExamples, ::testing::ValuesIn(kExamples),
                         [](const ::testing::TestParamInfo<Example>& param_info) {
                           std::string n = param_info.param.name;
                           for (char& c : n) c = c == '-' ? '_' : c;
                           return n;
                         });

TEST(FhirExamplesDefaults, TheAsOfDateSelectsTheEcog) {
  // lms-lung-metachronous carries ECOG 2 (40 days before), 1 (7 days before) and 2 (41 days
  // after the metastasis diagnosis): the default as-of date picks 1, a later one picks 2.
  std::string text = file_bytes(source_path("examples/fhir/lms-lung-metachronous.bundle.json"));
  EXPECT_EQ((*map_bundle(text))["ecog"], "1");
  EXPECT_EQ((*map_bundle(text, "2024-06-12"))["ecog"], "2");
  EXPECT_EQ((*map_bundle(text, "2024-06-12"))["assessed_on"], "2024-06-12");
}

}  // namespace
}  // namespace oligoscreen::test
