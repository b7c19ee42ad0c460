// Fast-tier programs decide with Kleene logic where a boolean definition they read is unknown
// (FCode::DefB's 0.5, Join): `false and unknown` is false, `true or unknown` true, and an
// unknown condition of a condition list does not hold. The results must be exactly those of
// the general tier alone: the bundled rule set with every program removed is the reference,
// on every rule-test patient and on variants with one or two facts removed (unknowns of every
// kind), full JSON with the trace and the what-if analysis.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "api/screen.hpp"
#include "assess/assessment.hpp"
#include "result/json_result.hpp"
#include "rule_test_cases.hpp"

namespace oligoscreen::detail {
namespace {

using test_support::for_each_with_facts_removed;
using test_support::rule_test_patients;

// `m` without fast-tier programs: every definition, decision and condition list through the
// general tier (and the tree-walking fast tier, which bails out on any unknown).
std::shared_ptr<RuleSetModel> without_programs(const RuleSetModel& m) {
  auto g = std::make_shared<RuleSetModel>(m);
  for (HotNode& h : g->hot) h.prog_first = h.prog_len = 0;
  for (OutputDef& od : g->outputs) {
    od.decision_first = od.decision_len = 0;
    for (ConditionsProgram& p : od.reasons_for_code) p.len = 0;
    od.site_evidence_prog.len = 0;
    od.notes_prog.len = 0;
  }
  g->warnings_prog.len = 0;
  g->native_programs.clear();
  return g;
}

std::string screen(const RuleSetModel& m, const Patient& p) {
  AssessScratch scratch;
  AssessOptions ao;
  ao.what_if = true;
  ao.explain = true;
  Assessment a;
  assess(m, p, ao, scratch, a);
  RenderOptions ro;
  ro.explain = true;
  ro.what_if = true;
  std::string json;
  render_result_json(m, p, a, ro, json);
  return json;
}

TEST(KleenePrograms, ResultsEqualThoseOfTheGeneralTierAlone) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  const auto general = without_programs(*m);
  const auto cases = rule_test_patients(*m);
  ASSERT_GT(cases.size(), 50U);
  size_t variants = 0;
  for (const auto& c : cases) {
    auto check = [&](const Patient& p) {
      EXPECT_EQ(screen(*m, p), screen(*general, p)) << p.id;
      ++variants;
    };
    for_each_with_facts_removed(c->patient, 5, check);
  }
  EXPECT_GT(variants, 1000U);
}

}  // namespace
}  // namespace oligoscreen::detail
