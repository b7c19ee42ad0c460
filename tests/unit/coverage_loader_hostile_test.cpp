// The rule-set loader under single-point mistakes in a real rule set: each row edits one
// embedded file (the first occurrence of `from` becomes `to`) and names a text the
// diagnostics must contain. Every mistake is a load error with a position; none crashes,
// none loads. Table-driven, so each row can fail on its own.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "api/screen.hpp"
#include "rules/loader.hpp"

namespace oligoscreen::detail {
namespace {

struct Edit {
  const char* file;
  const char* from;
  const char* to;
  const char* expect;  // a substring of the rendered diagnostics
};

const Edit kEdits[] = {
    // manifest
    {"manifest.yaml", "status: active", "status: live", "must be draft, active or retired"},
    {"manifest.yaml", "version: 1.0.1", "version: 1.0", "not a semantic version"},
    {"manifest.yaml", "last_review: 2026-11-28", "last_review: 2026-02-30", "last_review must be a date"},
    {"manifest.yaml", "id: sarcoma-sbrt", "id: Sarcoma_SBRT", "id"},
    {"manifest.yaml", "files: [schema.yaml,", "files: [manifest.yaml, schema.yaml,", "may not list itself"},
    {"manifest.yaml", "files: [schema.yaml,", "files: [schema.yaml, schema.yaml,", "listed twice"},
    {"manifest.yaml", "files: [schema.yaml,", "files: [nosuch.yaml, schema.yaml,", "nosuch.yaml"},
    {"manifest.yaml", "tests: tests", "tests: [tests]", "tests"},
    // schema
    {"schema.yaml", "    type: integer\n    min: 0\n    max: 4", "    type: integr\n    min: 0\n    max: 4", "integer"},
    {"schema.yaml", "    min: 0\n    max: 4", "    min: 5\n    max: 4", "ecog"},
    {"schema.yaml", "  - path: ecog", "  - path: Ecog", "lower-case names"},
    {"schema.yaml", "  - path: ecog", "  - path: a.b.ecog", "at most one group"},
    {"schema.yaml", "  - path: ecog", "  - path: age", "duplicate field"},
    {"schema.yaml", "    values: [female, male, other]", "    values: [female, male, female]", "duplicate value"},
    {"schema.yaml", "    values: [female, male, other]", "    values: []", "has no values"},
    {"schema.yaml", "    type: text\n    required: true", "    type: number\n    required: true",
     "record_id field must be text"},
    {"schema.yaml", "    of: enum", "    of: number", "'of' must be 'enum' or 'record'"},
    // parameters
    {"parameters.yaml", "    value: 6\n", "    value: [1, two]\n", "same type"},
    {"parameters.yaml", "  max_lesions:", "  age:", "already the name of a patient field"},
    {"parameters.yaml", "    value: 6\n", "    vaule: 6\n", "missing required key 'value'"},
    // evidence
    {"evidence.yaml", "    pmid: \"32388150\"\n    doi: 10.1016/j.radonc.2020.04.003\n", "",
     "needs one of doi, registry, pmid or url"},
    {"evidence.yaml", "  lievens2020:", "  guckenberger2020:", "duplicate"},
    // facts and criteria
    {"facts.yaml", "    expr: count(lesions)", "    expr: [count(lesions)]", "an expression must be text"},
    {"facts.yaml", "    expr: count(lesions)\n", "", "lesion_count"},
    {"facts.yaml", "    evidence: [lievens2020]", "    evidence: []", "cites no evidence (the list is empty)"},
    {"facts.yaml", "    evidence: [lievens2020]", "    evidence: lievens2020", "evidence must be a list"},
    {"facts.yaml", "facts:", "factz:", "factz"},
    {"facts.yaml", "facts:\n", "- facts\n", "unexpected ':'"},
    {"definition.yaml", "criteria:", "? [criteria]\n: x\ncriteria:", "mapping keys must be plain text"},
    // outputs and trees
    {"verdicts.yaml", "    form: verdict", "    form: prose", "form must be 'code' or 'verdict'"},
    {"verdicts.yaml", "        then: not_eligible", "        then: excluded", "not a code of this output"},
    {"verdicts.yaml", "      - id: sbrt_indeterminate\n        otherwise: indeterminate",
     "      - id: sbrt_indeterminate\n        then: indeterminate", "needs 'when' (or 'otherwise')"},
    {"verdicts.yaml", "    codes: [supported, consider, not_eligible, indeterminate]",
     "    codes: [supported, consider, not_eligible, indeterminate, supported]", "duplicate code"},
    {"classification.yaml", "    root: earlier_polymetastatic", "    root: nowhere", "nowhere"},
    {"classification.yaml", "next: induced_on_therapy}", "next: earlier_polymetastatic}", "loops back"},
    {"classification.yaml", "        ask: history.polymetastatic", "        ask: age", "boolean"},
    {"classification.yaml", "        yes: {label: repeat OMD, next: repeat_on_therapy}",
     "        yes: {label: repeat OMD, next: repeat_on_therapy, leaf: x}", "exactly one of 'next'"},
};

class LoaderTable : public ::testing::TestWithParam<Edit> {};

TEST_P(LoaderTable, RejectsWithAPreciseDiagnostic) {
  const Edit& e = GetParam();
  auto files = embedded_rule_files();
  bool edited = false;
  for (auto& f : files) {
    if (f.first != e.file) continue;
    auto at = f.second.find(e.from);
    ASSERT_NE(at, std::string::npos) << e.file << ": " << e.from;
    f.second.replace(at, std::string(e.from).size(), e.to);
    edited = true;
  }
  ASSERT_TRUE(edited) << e.file;
  MemoryRuleFiles mem("r", std::move(files));
  Diagnostics diags;
  auto m = load_rule_set(mem, diags);
  EXPECT_EQ(m, nullptr) << e.from << " -> " << e.to;
  EXPECT_TRUE(diags.has_errors());
  const std::string text = diags.render_brief();
  EXPECT_NE(text.find(e.expect), std::string::npos) << e.from << " -> " << e.to << "\n" << text;
  for (const auto& d : diags.items()) {
    if (d.severity == Severity::Error && d.file.find(".yaml") != std::string::npos && d.file != "r/manifest.yaml") {
      EXPECT_TRUE(d.pos.valid() || d.message.find("is never") != std::string::npos) << d.file << ": " << d.message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Hostile, LoaderTable, ::testing::ValuesIn(kEdits));

}  // namespace
}  // namespace oligoscreen::detail
