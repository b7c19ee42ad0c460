// Assessment::cited, built by assess() from per-rule-set evidence masks (AssessScratch), is
// exactly the evidence its result cites: the union, in id order, each id once, of every
// output's site evidence, its reasons', presumptions' and notes' evidence, and with the trace
// every definition's. Checked on every rule-test patient and on each with one fact removed,
// with and without the trace, one scratch reused throughout (the marks must be cleared).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "api/screen.hpp"
#include "assess/assessment.hpp"
#include "rule_test_cases.hpp"

namespace oligoscreen::detail {
namespace {

using test_support::relinked_copy;
using test_support::rule_test_patients;

std::vector<uint32_t> expected_citations(const RuleSetModel& m, const Assessment& a, bool explain) {
  std::vector<uint32_t> out;
  auto add = [&](const std::vector<uint32_t>& ids) { out.insert(out.end(), ids.begin(), ids.end()); };
  for (const auto& r : a.outputs) {
    add(r.evidence);
    for (const auto* list : {&r.reasons, &r.notes}) {
      for (const auto& ro : *list) add(ro.def ? ro.def->evidence : ro.presumption->evidence);
    }
  }
  if (explain) {
    for (const auto& d : m.defs) add(d.evidence);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

TEST(AssessCitations, AreTheEvidenceOfWhatTheResultStates) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  const auto cases = rule_test_patients(*m);
  ASSERT_GT(cases.size(), 50U);
  AssessScratch scratch;
  Assessment a;
  uint64_t checked = 0, with_notes = 0, with_presumptions = 0, with_site_evidence = 0;
  std::vector<size_t> sizes;
  auto check = [&](const Patient& p) {
    for (bool explain : {false, true}) {
      AssessOptions ao;
      ao.explain = explain;
      ao.missing = !explain;  // the citations do not depend on it; halves the test's time
      assess(*m, p, ao, scratch, a);
      if (!a.contradictions.empty()) continue;
      ++checked;
      for (const auto& r : a.outputs) {
        with_notes += r.notes.empty() ? 0 : 1;
        with_site_evidence += r.evidence.empty() ? 0 : 1;
        with_presumptions += std::count_if(r.reasons.begin(), r.reasons.end(),
                                           [](const ReasonOut& ro) { return ro.presumption != nullptr; });
      }
      ASSERT_EQ(a.cited, expected_citations(*m, a, explain)) << p.id << (explain ? " (explain)" : "");
      sizes.push_back(a.cited.size());
    }
  };
  for (const auto& c : cases) {
    check(c->patient);
    for (size_t i = 0; i < c->patient.values.size(); ++i) {
      if (c->patient.values[i].kind == VKind::Unknown) continue;
      Patient p = relinked_copy(c->patient);
      p.values[i] = Value{};
      check(p);
    }
  }
  EXPECT_GT(checked, 1000U);
  EXPECT_GT(with_notes, 100U);
  EXPECT_GT(with_presumptions, 100U);
  EXPECT_GT(with_site_evidence, 100U);
  // Results citing different amounts of evidence (not one list for every result).
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  EXPECT_GT(sizes.size(), 4U);
}

}  // namespace
}  // namespace oligoscreen::detail
