// The shortcuts of assess() change nothing: the early cutoff of the counterfactual
// re-evaluation, the per-slot choice of constraints to re-check, and the skipping of strict
// constraints that cannot hold give the same result, byte for byte, as the exhaustive
// reference (MissingScratch::exhaustive), on every rule-test patient with one or two facts
// removed (what-if and trace on). The outcome memo of the counterfactual re-evaluation
// (tested values that give every definition reading the field the same value share an
// outcome) is checked the same way, and on a rule set built to catch a memo keyed too coarsely;
// so is the keeping of a monotone definition's known value, on rule sets built to catch a
// definition kept when it is not monotone or when a definition it references changes, and the
// third round (an output re-decided only when its rules read the field; list subfields read
// through known(); fixed references), on rule sets built to catch each made unsound.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "api/screen.hpp"
#include "assess/assessment.hpp"
#include "result/json_result.hpp"
#include "rule_test_cases.hpp"
#include "rules/loader.hpp"
#include "yaml/yaml_reader.hpp"

namespace oligoscreen::detail {
namespace {

using test_support::relinked_copy;
using test_support::rule_test_patients;

// Indices into p.values (top-level facts) and p.items (list items' subfields) of every known
// fact, as removals: index < values.size() is a value, the rest items.
std::vector<size_t> known_facts(const Patient& p) {
  std::vector<size_t> out;
  for (size_t i = 0; i < p.values.size(); ++i) {
    if (p.values[i].kind != VKind::Unknown) out.push_back(i);
  }
  for (size_t i = 0; i < p.items.size(); ++i) {
    const Value& v = p.items[i];
    if (v.kind != VKind::Unknown && v.kind != VKind::Record && v.kind != VKind::List)
      out.push_back(p.values.size() + i);
  }
  return out;
}

void remove_fact(Patient& p, size_t fact) {
  if (fact < p.values.size()) {
    p.values[fact] = Value{};
  } else {
    p.items[fact - p.values.size()] = Value{};
  }
}

// `shared`: a scratch reused from earlier assessments (else a fresh one).
std::string result_json(const RuleSetModel& m, const Patient& p, bool exhaustive, size_t& missing,
                        uint64_t* memo_hits = nullptr, uint64_t* kept_defs = nullptr, AssessScratch* shared = nullptr) {
  AssessScratch fresh;
  AssessScratch& scratch = shared ? *shared : fresh;
  scratch.missing.exhaustive = exhaustive;
  scratch.missing.memo_hits = scratch.missing.kept_defs = 0;
  Assessment a;
  AssessOptions ao;
  ao.what_if = true;
  ao.explain = true;
  assess(m, p, ao, scratch, a);
  missing += a.missing.size();
  if (memo_hits) *memo_hits += scratch.missing.memo_hits;
  if (kept_defs) *kept_defs += scratch.missing.kept_defs;
  if (!a.contradictions.empty()) return "contradiction " + std::to_string(a.contradictions.size());
  RenderOptions ro;
  ro.explain = true;
  ro.what_if = true;
  std::string out;
  render_result_json(m, p, a, ro, out);
  return out;
}

TEST(AssessShortcuts, GiveTheExhaustiveResultWithOneOrTwoFactsRemoved) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  auto cases = rule_test_patients(*m);
  ASSERT_GT(cases.size(), 50U);
  size_t variants = 0, missing = 0;
  uint64_t memo_hits = 0, reference_memo_hits = 0, kept = 0, reference_kept = 0;
  for (const auto& c : cases) {
    const Patient& original = c->patient;
    const std::vector<size_t> facts = known_facts(original);
    auto check = [&](const std::vector<size_t>& removed) {
      Patient p = relinked_copy(original);
      for (size_t f : removed) remove_fact(p, f);
      size_t found = 0;
      const std::string fast = result_json(*m, p, false, found, &memo_hits, &kept);
      const std::string reference = result_json(*m, p, true, missing, &reference_memo_hits, &reference_kept);
      ASSERT_EQ(fast, reference) << "removed " << removed.size() << " facts, first " << removed.front();
      ++variants;
    };
    for (size_t i = 0; i < facts.size(); ++i) {
      check({facts[i]});
      if (i + 1 < facts.size()) check({facts[i], facts[i + 1]});
      if (i + 3 < facts.size()) check({facts[i], facts[i + 3]});
    }
  }
  EXPECT_GT(variants, 1000U);
  EXPECT_GT(missing, 1000U);   // the analysis had work to do
  EXPECT_GT(memo_hits, 100U);  // the outcome memo was taken
  EXPECT_EQ(reference_memo_hits, 0U);
  EXPECT_GT(kept, 100U);  // monotone definitions kept their known values
  EXPECT_EQ(reference_kept, 0U);
}

// One scratch reused across every patient, as a batch worker does: the per-rule-set caches of
// the analysis (the walk cache of keeps_main, the per-slot tables) hold nothing a patient
// decides, so every result is still the exhaustive reference's.
TEST(AssessShortcuts, ScratchReusedAcrossPatientsGivesTheExhaustiveResult) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  auto cases = rule_test_patients(*m);
  AssessScratch shared;
  size_t variants = 0, missing = 0;
  uint64_t kept = 0;
  for (const auto& c : cases) {
    const std::vector<size_t> facts = known_facts(c->patient);
    for (size_t i = 0; i + 1 < facts.size(); ++i) {
      Patient p = relinked_copy(c->patient);
      remove_fact(p, facts[i]);
      remove_fact(p, facts[i + 1]);
      size_t found = 0;
      const std::string fast = result_json(*m, p, false, found, nullptr, &kept, &shared);
      const std::string reference = result_json(*m, p, true, missing);
      ASSERT_EQ(fast, reference) << "removed facts " << facts[i] << " and " << facts[i + 1];
      ++variants;
    }
  }
  EXPECT_GT(variants, 500U);
  EXPECT_GT(missing, 500U);
}

// The embedded-style mini rule set of tests/diagnostics/base with `edits` (file, from, to)
// applied.
std::shared_ptr<RuleSetModel> mini_rule_set(const std::vector<std::array<std::string, 3>>& edits) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(OLIGOSCREEN_TEST_DATA) + "/diagnostics/base")) {
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    for (const auto& [file, from, to] : edits) {
      if (e.path().filename() != file) continue;
      const size_t at = text.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      if (at != std::string::npos) text.replace(at, from.size(), to);
    }
    files.emplace_back(e.path().filename().string(), text);
  }
  MemoryRuleFiles mem("mem", files);
  Diagnostics d;
  auto m = load_rule_set(mem, d);
  EXPECT_TRUE(m) << d.render();
  return m;
}

const char* kAgeMissing = R"(id: memo
ecog: 1
on_therapy: false
primary: {diagnosed: 2020-01-10}
metastases: {diagnosed: 2022-03-01}
lesions: [{site: lung, size_mm: 12}]
)";

// `patient` assessed with the shortcuts and exhaustively: the same result, the memo taken at
// least `min_hits` times, and the what-if conditions of its one missing field.
void check_memo(const RuleSetModel& m, const char* patient, uint64_t min_hits, const std::vector<std::string>& when) {
  CaseResult r;
  screen_case(m, "memo.yaml", patient, CaseFormat::Yaml, CaseOptions{}, r);
  ASSERT_TRUE(r.ok) << (r.errors.empty() ? "" : r.errors[0].message);
  size_t missing = 0;
  uint64_t hits = 0, reference_hits = 0;
  const std::string fast = result_json(m, r.patient, false, missing, &hits);
  const std::string reference = result_json(m, r.patient, true, missing, &reference_hits);
  EXPECT_EQ(fast, reference);
  EXPECT_GE(hits, min_hits);
  EXPECT_EQ(reference_hits, 0U);
  AssessScratch scratch;
  Assessment a;
  assess(m, r.patient, AssessOptions{}, scratch, a);
  ASSERT_EQ(a.missing.size(), 1U);
  std::vector<std::string> got;
  for (const auto& w : a.missing[0].what_if) got.push_back(w.when);
  EXPECT_EQ(got, when);
}

// An output whose rules read the field themselves is the memo's only source: it is re-decided
// per tested value (its code read again), although no definition it references changed.
TEST(AssessShortcuts, OutputReadingTheFieldItselfIsReDecided) {
  auto m = mini_rule_set({{"outputs.yaml", "when: not adult or", "when: age < 18 or"},
                          {"outputs.yaml", "when: adult and", "when: age >= 18 and"},
                          {"outputs.yaml", "when: not adult\n", "when: age < 18\n"}});
  ASSERT_TRUE(m);
  check_memo(*m, kAgeMissing, 1, {"age < 18", "age >= 18"});
}

// Two criteria read `age` with different thresholds (18 and 80): the tested values 17..19 and
// 79..81 give them the value pairs (F,T) (T,T) (T,T) (T,T) (T,F) (T,F). The memo may reuse an
// outcome only when both agree: keyed on one of them, `age >= 80` would come out eligible.
TEST(AssessShortcuts, OutcomeMemoNeedsEverySourceToAgree) {
  auto m = mini_rule_set({{"criteria.yaml", "  few_lesions:",
                           "  under_80:\n    title: Under 80\n    group: eligibility\n    expr: age < 80\n"
                           "    evidence: [trial2020]\n  few_lesions:"},
                          {"outputs.yaml", "when: not adult or", "when: not adult or not under_80 or"},
                          {"outputs.yaml", "when: adult and", "when: adult and under_80 and"}});
  ASSERT_TRUE(m);
  // 19, 79 and 81 reuse the outcomes of 18, 18 and 80.
  check_memo(*m, kAgeMissing, 3, {"age < 18", "age >= 18 and age < 80", "age >= 80"});
}

// `adult` is known (true) while age is unknown, through is_true(), which is not monotone: a
// tested age under 18 makes it false. Kept as known, age would change nothing.
TEST(AssessShortcuts, IsTrueIsNotMonotone) {
  auto m = mini_rule_set({{"criteria.yaml", "expr: age >= adult_age", "expr: not is_true(age < adult_age)"}});
  ASSERT_TRUE(m);
  check_memo(*m, kAgeMissing, 0, {"age < 18"});
}

// `adult` reads age itself and is known (true) while age is unknown, but through `age_seen`
// (known(age), not monotone), which a tested age changes: `adult` must be re-evaluated.
TEST(AssessShortcuts, MonotoneDefinitionKeepsItsValueOnlyWhenItsReferencesDo) {
  auto m = mini_rule_set({{"facts.yaml", "  synchronous:",
                           "  age_seen:\n    title: Age recorded\n    expr: known(age)\n"
                           "    evidence: [review2021]\n  synchronous:"},
                          {"criteria.yaml", "expr: age >= adult_age", "expr: not age_seen or age >= adult_age"}});
  ASSERT_TRUE(m);
  check_memo(*m, kAgeMissing, 0, {"age < 18"});
}

const char* kEcogMissing = R"(id: memo
age: 40
on_therapy: false
primary: {diagnosed: 2020-01-10}
metastases: {diagnosed: 2022-03-01}
lesions: [{site: lung, size_mm: 12}]
)";

// `fit` is known (true) while ECOG is unknown, through the branch `known(ecog)` takes; a tested
// ECOG takes the other branch. The condition reads ECOG, so it does not decide which branch is
// read.
TEST(AssessShortcuts, BranchChosenByTheFieldItselfIsNotPruned) {
  auto m = mini_rule_set({{"criteria.yaml", "expr: ecog <= 2", "expr: if known(ecog) then ecog <= 2 else true"}});
  ASSERT_TRUE(m);
  check_memo(*m, kEcogMissing, 0, {"ecog > 2"});
}

// A reason that reads `age` does not make the output a reader of age: its code comes from its
// rules, which read `adult` only, so `adult` is the memo's one source and the tested ages 18
// and 19 share an outcome.
TEST(AssessShortcuts, ReasonReadingTheFieldLeavesTheOutputToItsRules) {
  auto m = mini_rule_set({{"outputs.yaml", "when: not adult\n", "when: age < 18\n"}});
  ASSERT_TRUE(m);
  check_memo(*m, kAgeMissing, 1, {"age < 18", "age >= 18"});
}

const char* kSizeMissing = R"(id: memo
age: 40
ecog: 1
on_therapy: false
primary: {diagnosed: 2020-01-10}
metastases: {diagnosed: 2022-03-01}
lesions: [{site: lung}]
)";

// The output's rules read the missing subfield themselves (not through a definition): the
// output is re-decided per tested size. Left to its references, it would keep `indeterminate`.
TEST(AssessShortcuts, OutputRulesReadingASubfieldAreReDecided) {
  auto m = mini_rule_set({{"outputs.yaml", "when: not adult or not few_lesions or not fit\n",
                           "when: not adult or not few_lesions or not fit or any(lesions, l, l.size_mm > 50)\n"},
                          {"outputs.yaml", "when: adult and few_lesions and fit\n",
                           "when: adult and few_lesions and fit and not any(lesions, l, l.size_mm > 50)\n"}});
  ASSERT_TRUE(m);
  check_memo(*m, kSizeMissing, 0, {"lesions[0].size_mm <= 50", "lesions[0].size_mm > 50"});
}

// known() of a subfield reads it (a tested size makes it true, and the output eligible);
// known() of the list does not (the list stays known whatever its items' sizes). The tested
// sizes come from a reason's comparison, which does not decide the code.
TEST(AssessShortcuts, KnownOfASubfieldReadsIt) {
  auto m = mini_rule_set({{"outputs.yaml", "when: not adult or not few_lesions or not fit\n",
                           "when: not known(lesions) or any(lesions, l, not known(l.size_mm))\n"},
                          {"outputs.yaml", "when: not adult\n", "when: any(lesions, l, l.size_mm > 50)\n"}});
  ASSERT_TRUE(m);
  check_memo(*m, kSizeMissing, 0, {"any value of lesions[0].size_mm"});
}

// `small` reads the size and references `lesion_count` (which reads the list, not its sizes:
// fixed) and `sized` (known() of the size: not fixed, a tested size makes it true). `small` is
// re-evaluated with `sized` as each tested size leaves it; taken for the main assessment's
// `false`, the size would change nothing.
TEST(AssessShortcuts, ReferenceThatReadsTheSubfieldIsNotFixed) {
  auto m = mini_rule_set({{"criteria.yaml", "  fit:",
                           "  sized:\n    title: Sized\n    group: eligibility\n"
                           "    expr: all(lesions, l, known(l.size_mm))\n    evidence: [trial2020]\n"
                           "  small:\n    title: Small\n    group: eligibility\n"
                           "    expr: lesion_count >= 1 and sized and all(lesions, l, l.size_mm <= 30)\n"
                           "    evidence: [trial2020]\n  fit:"},
                          {"outputs.yaml", "when: not adult or", "when: not small or not adult or"},
                          {"outputs.yaml", "when: adult and", "when: small and adult and"}});
  ASSERT_TRUE(m);
  check_memo(*m, kSizeMissing, 0, {"lesions[0].size_mm <= 30"});
}

// With the same rule set without `sized`, `small`'s references are fixed (`lesion_count` reads
// the list, not its sizes): it is the memo's one source, and tested sizes share outcomes.
TEST(AssessShortcuts, FixedReferenceLetsTheMemoRunForASubfield) {
  auto m = mini_rule_set({{"criteria.yaml", "  fit:",
                           "  small:\n    title: Small\n    group: eligibility\n"
                           "    expr: lesion_count >= 1 and all(lesions, l, l.size_mm <= 30)\n"
                           "    evidence: [trial2020]\n  fit:"},
                          {"outputs.yaml", "when: not adult or", "when: not small or not adult or"},
                          {"outputs.yaml", "when: adult and", "when: small and adult and"}});
  ASSERT_TRUE(m);
  check_memo(*m, kSizeMissing, 1, {"lesions[0].size_mm <= 30", "lesions[0].size_mm > 30"});
}

// The constraints of the embedded rule set built only of field comparisons are recognised as
// strict (and only those): the ones the shortcut may skip.
TEST(AssessShortcuts, StrictConstraintsAreTheFieldComparisons) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  size_t strict = 0;
  for (const auto& c : m->constraints) {
    if (c.strict_slots == 0) continue;
    ++strict;
    // Every strict slot is one the constraint reads, and it reads no definition.
    EXPECT_EQ(c.strict_slots & ~c.slot_mask, 0U) << c.id;
    EXPECT_TRUE(c.deps.empty()) << c.id;
  }
  EXPECT_GT(strict, 2U);
  for (const auto& c : m->constraints) {
    if (c.id == "primary_treatment_after_assessment") {
      const int tc = m->schema.find("primary.treatment_completed");
      const int on = m->schema.find("assessed_on");
      ASSERT_GE(tc, 0);
      ASSERT_GE(on, 0);
      EXPECT_EQ(c.strict_slots, slot_bit(static_cast<uint32_t>(tc)) | slot_bit(static_cast<uint32_t>(on)));
    }
  }
}

// `is_true(e)` compiles to e's program (a program that does not bail out has a known value):
// the SBRT `supported` rule, built around is_true, runs compiled.
TEST(AssessShortcuts, IsTrueConditionsAreCompiled) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  const int sbrt = m->find_output("sbrt");
  ASSERT_GE(sbrt, 0);
  bool found = false;
  for (const auto& rule : m->outputs[static_cast<size_t>(sbrt)].rules) {
    if (rule.id != "sbrt_supported") continue;
    found = true;
    ASSERT_TRUE(rule.when.present());
    EXPECT_GT(m->hot[rule.when.root].prog_len, 0U);
  }
  EXPECT_TRUE(found);
}

// `adult` reads age only when on_therapy is false: its walk evaluates that condition, so only
// the parts of the walk that evaluate nothing are cached. Assessed with one scratch, first a
// patient on therapy (ecog and age missing: the condition prunes the branch reading age, and
// adult keeps its value), then one off therapy (the branch reading age is taken: adult is
// re-evaluated per tested age, and age decides the verdict). Both as the exhaustive reference.
TEST(AssessShortcuts, WalkCacheKeepsNothingThePatientDecides) {
  auto m = mini_rule_set(
      {{"criteria.yaml", "expr: age >= adult_age", "expr: if on_therapy then ecog <= 1 else age >= adult_age"}});
  ASSERT_TRUE(m);
  std::string on_therapy = kAgeMissing;
  on_therapy.replace(on_therapy.find("on_therapy: false"), 17, "on_therapy: true");
  on_therapy.erase(on_therapy.find("ecog: 1\n"), 8);
  AssessScratch shared;
  for (const std::string& text : {on_therapy, std::string(kAgeMissing)}) {
    CaseResult r;
    screen_case(*m, "walk.yaml", text, CaseFormat::Yaml, CaseOptions{}, r);
    ASSERT_TRUE(r.ok) << (r.errors.empty() ? "" : r.errors[0].message);
    size_t missing = 0;
    const std::string fast = result_json(*m, r.patient, false, missing, nullptr, nullptr, &shared);
    const std::string reference = result_json(*m, r.patient, true, missing);
    EXPECT_EQ(fast, reference) << text;
  }
  // Off therapy, age is what is missing, and it decides.
  CaseResult r;
  screen_case(*m, "walk.yaml", kAgeMissing, CaseFormat::Yaml, CaseOptions{}, r);
  ASSERT_TRUE(r.ok);
  AssessScratch scratch;
  Assessment a;
  assess(*m, r.patient, AssessOptions{}, scratch, a);
  ASSERT_EQ(a.missing.size(), 1U);
  EXPECT_FALSE(a.missing[0].affects.empty());
}

}  // namespace
}  // namespace oligoscreen::detail
