// Compiled fast-tier programs with inlined definitions (eval/fast_compile.cpp): a reference to
// a small definition, or to one referenced only once, is compiled in place of a `Def`
// instruction; a shared definition with a loop stays a memoized call. Inlining must never
// change a value: when the inlined instructions bail out on an unknown, the general tier
// evaluates the expression with Kleene logic. Built on the mini rule set of
// tests/diagnostics/base with the criteria replaced.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "api/screen.hpp"
#include "eval/evaluator.hpp"
#include "rules/loader.hpp"

namespace oligoscreen::detail {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

const char* kCriteria = R"(criteria:
  adult:
    title: Adult
    expr: age >= adult_age
    evidence: [trial2020]
  few_lesions:
    title: 1 to 5 lesions
    expr: lesion_count >= 1 and lesion_count <= max_lesions
    evidence: [review2021]
  fit:
    title: ECOG 0-2
    expr: ecog <= 2
    evidence: [trial2020]
  fit_or_adult:
    title: Fit or adult
    expr: fit or adult
    evidence: [trial2020]
  fit_and_adult:
    title: Fit and adult
    expr: fit and adult
    evidence: [trial2020]
  lung_and_fit:
    title: A lung lesion, fit
    expr: any_lung and fit
    evidence: [trial2020]
  lung_and_adult:
    title: A lung lesion, adult
    expr: any_lung and adult
    evidence: [trial2020]
  lung_or_fit:
    title: A lung lesion, or fit
    expr: any_lung or fit
    evidence: [trial2020]
  fit_and_lung:
    title: Fit, a lung lesion
    expr: fit and any_lung
    evidence: [trial2020]
  fit_and_synchronous:
    title: Fit, synchronous metastases
    expr: fit and synchronous
    evidence: [review2021]
  unfit_or_synchronous:
    title: Not fit, or synchronous metastases
    expr: not fit or synchronous
    evidence: [review2021]
  fit_adult_few:
    title: Fit, adult, 1 to 5 lesions
    expr: fit_and_adult and few_lesions
    evidence: [trial2020]
  visceral_lesion:
    title: Some lesion at a visceral site (a parameter's list)
    expr: any(lesions, l, l.site in visceral_sites)
    evidence: [review2021]
  seen_site:
    title: Some lesion at a site the staging looked at (an enum-list field)
    expr: any(lesions, l, l.site in staged_sites)
    evidence: [review2021]
  all_visceral:
    title: Every lesion at a visceral site
    expr: all(lesions, l, l.site in visceral_sites)
    evidence: [review2021]
  all_lung:
    title: Every lesion in the lung
    expr: all(lesions, l, l.site == "lung")
    evidence: [review2021]
  late_and_fit:
    title: Metastases after the window, fit
    expr: late_metastases and fit
    evidence: [review2021]
  no_lung_unfit:
    title: No lung lesion, not fit
    expr: not any_lung and not (ecog <= 2)
    evidence: [trial2020]
  some_non_visceral:
    title: Some lesion outside the visceral sites
    expr: any(lesions, l, not (l.site in visceral_sites))
    evidence: [review2021]
  some_unstaged:
    title: Some lesion at a site the staging did not look at (an enum-list field)
    expr: any(lesions, l, not (l.site in staged_sites))
    evidence: [review2021]
  too_many:
    title: More lesions than the maximum
    expr: count(lesions) > max_lesions
    evidence: [review2021]
  unknown_ecog:
    title: ECOG not recorded
    expr: not known(ecog)
    evidence: [trial2020]
  fit_else_unconfirmed:
    title: Fit, else not confirmed (the literal unknown)
    expr: if ecog <= 2 then true else unknown
    evidence: [trial2020]
)";

const char* kFacts = R"(facts:
  lesion_count:
    title: Number of lesions
    expr: count(lesions)
    evidence: [review2021]
  synchronous:
    title: Metastases diagnosed within the window after the primary
    expr: metastases.diagnosed <= add_months(primary.diagnosed, window_months)
    evidence: [review2021]
  late_metastases:
    title: Metastases diagnosed after the window (used once, four instructions)
    expr: metastases.diagnosed > add_months(primary.diagnosed, window_months)
    evidence: [review2021]
  metastases_first:
    title: Metastases diagnosed before the primary (two date fields)
    expr: metastases.diagnosed < primary.diagnosed
    evidence: [review2021]
  any_lung:
    title: Some lesion in the lung
    # Written so that it stays a loop: a plain `l.site == "lung"` body compiles to one
    # ListEnum instruction (then inlined as a tiny definition).
    expr: any(lesions, l, not (l.site != "lung"))
    evidence: [review2021]
)";

class FastPrograms : public ::testing::Test {
 protected:
  void SetUp() override {
    Files files;
    for (const auto& e :
         std::filesystem::directory_iterator(std::string(OLIGOSCREEN_TEST_DATA) + "/diagnostics/base")) {
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      std::string name = e.path().filename().string();
      if (name == "criteria.yaml") ss.str(kCriteria);
      if (name == "facts.yaml") ss.str(kFacts);
      if (name == "parameters.yaml") {
        ss << "  visceral_sites:\n    value: [lung, liver]\n    enum: site\n    evidence: [review2021]\n";
      }
      if (name == "schema.yaml") ss << "  - {path: staged_sites, type: list, of: enum, enum: site}\n";
      files.emplace_back(name, ss.str());
    }
    MemoryRuleFiles mem("mem", files);
    Diagnostics d;
    m_ = load_rule_set(mem, d);
    ASSERT_TRUE(m_) << d.render();  // warnings only: some definitions are not used by an output
  }

  // The instructions of the compiled program of a definition's expression.
  std::vector<FastOp> program(const char* def) const {
    const int d = m_->find_def(def);
    EXPECT_GE(d, 0) << def;
    const HotNode& root = m_->hot[m_->def_hot[static_cast<size_t>(d)].root];
    return {m_->fast_ops.begin() + root.prog_first, m_->fast_ops.begin() + root.prog_first + root.prog_len};
  }

  static size_t count(const std::vector<FastOp>& ops, FCode code) {
    size_t n = 0;
    for (const auto& op : ops) n += op.code == code ? 1 : 0;
    return n;
  }

  // A definition's value for a case (YAML flow-mapping entries after the id), the general
  // tier checking every definition the fast tier computes: "true", "false" or "unknown".
  std::string value(const char* def, const std::string& fields) {
    CaseResult r;
    r.scratch.main.verify_fast = true;
    CaseOptions opt;
    opt.explain = true;
    screen_case(*m_, "t.yaml", "{id: T, " + fields + "}", CaseFormat::Yaml, opt, r);
    EXPECT_TRUE(r.ok) << (r.errors.empty() ? "" : r.errors[0].message);
    EXPECT_EQ(r.scratch.main.fast_mismatches, 0U) << fields;
    // The trace without verification (programs with their inlined definitions, memo hits)
    // gives every definition the same value.
    CaseResult fast;
    screen_case(*m_, "t.yaml", "{id: T, " + fields + "}", CaseFormat::Yaml, opt, fast);
    EXPECT_EQ(fast.assessment.defs.size(), r.assessment.defs.size());
    for (size_t d = 0; d < fast.assessment.defs.size() && d < r.assessment.defs.size(); ++d) {
      const Value& a = fast.assessment.defs[d].value;
      const Value& b = r.assessment.defs[d].value;
      EXPECT_EQ(a.kind, b.kind) << m_->defs[d].id << " " << fields;
      if (a.kind == VKind::Bool && b.kind == VKind::Bool) {
        EXPECT_EQ(a.b, b.b) << m_->defs[d].id << " " << fields;
      }
      if (a.kind == VKind::Number && b.kind == VKind::Number) {
        EXPECT_EQ(a.num, b.num) << m_->defs[d].id << " " << fields;
      }
      EXPECT_EQ(fast.assessment.defs[d].why, r.assessment.defs[d].why) << m_->defs[d].id << " " << fields;
    }
    EvalState s;
    prepare_state(*m_, s);
    Evaluator ev(*m_, r.patient, s);
    const Value v = ev.def(static_cast<uint32_t>(m_->find_def(def)));
    const int d = m_->find_def(def);
    const Value& traced = r.assessment.defs[static_cast<size_t>(d)].value;
    EXPECT_EQ(traced.kind, v.kind) << def << " " << fields;
    if (v.kind == VKind::Unknown) return "unknown";
    EXPECT_EQ(v.kind, VKind::Bool);
    EXPECT_EQ(traced.b, v.b);
    return v.b ? "true" : "false";
  }

  std::shared_ptr<RuleSetModel> m_;
};

TEST_F(FastPrograms, SmallAndSingleUseDefinitionsAreInlined) {
  // `fit or adult`: `ecog <= 2` and `age >= adult_age` (the parameter folded in: one
  // instruction each), each used by several criteria, compiled in place.
  auto ops = program("fit_or_adult");
  EXPECT_EQ(count(ops, FCode::Def) + count(ops, FCode::DefB), 0U);
  EXPECT_EQ(count(ops, FCode::FieldCmpK), 2U);
  EXPECT_EQ(count(ops, FCode::Param), 0U);
  EXPECT_EQ(ops.size(), 3U);  // FieldCmpK OrJump FieldCmpK: no instruction combines them
  // `lesion_count` (one instruction) is inlined at both of its uses, each fused with its
  // comparison.
  ops = program("few_lesions");
  EXPECT_EQ(count(ops, FCode::Def) + count(ops, FCode::DefB), 0U);
  EXPECT_EQ(count(ops, FCode::CountCmpK), 2U);
  EXPECT_EQ(count(ops, FCode::Count), 0U);
  // `fit_and_adult` and `few_lesions` (three instructions each) are tiny: inlined too.
  ops = program("fit_adult_few");
  EXPECT_EQ(count(ops, FCode::Def) + count(ops, FCode::DefB) + count(ops, FCode::DefInline), 0U);
  EXPECT_EQ(ops.size(), 7U);
}

TEST_F(FastPrograms, ASingleUseDefinitionIsInlinedBehindItsMemo) {
  // `late_metastases` (four instructions: two date loads, the months added, the comparison)
  // is used only here: inlined behind a DefInline that takes its memoized value when there is
  // one.
  auto ops = program("late_and_fit");
  EXPECT_EQ(count(ops, FCode::DefInline), 1U);
  EXPECT_EQ(count(ops, FCode::Def) + count(ops, FCode::DefB), 0U);
  ASSERT_FALSE(ops.empty());
  EXPECT_EQ(ops[0].code, FCode::DefInline);
  EXPECT_EQ(ops[0].loop.len, 4U);
  EXPECT_EQ(count(ops, FCode::AddMonthsK), 1U);  // the parameter's months folded in
  const std::string dates = "primary: {diagnosed: 2024-01-15}, ecog: 1, metastases: {diagnosed: ";
  EXPECT_EQ(value("late_and_fit", dates + "2024-07-16}"), "true");
  EXPECT_EQ(value("late_and_fit", dates + "2024-07-15}"), "false");
  EXPECT_EQ(value("late_and_fit", dates + "2024-07}"), "unknown");  // a month only: either way
  EXPECT_EQ(value("late_and_fit", "ecog: 1, metastases: {diagnosed: 2024-07-16}"), "unknown");
  EXPECT_EQ(value("late_and_fit", "ecog: 3, metastases: {diagnosed: 2024-07-16}"), "false");
}

// `not x` folds into x's instruction when that is a boolean load, a `known`, a membership or
// an enum loop (FCode's kNegate); otherwise it stays a Not instruction.
TEST_F(FastPrograms, NegationFoldsIntoTheInstructionItNegates) {
  auto ops = program("no_lung_unfit");
  EXPECT_EQ(count(ops, FCode::Not), 1U);  // `not (ecog <= 2)`: a comparison keeps its Not
  ASSERT_EQ(count(ops, FCode::DefB), 1U);
  EXPECT_NE(ops[0].kind & kNegate, 0);  // `not any_lung`
  const std::string lung = "lesions: [{site: lung}]";
  EXPECT_EQ(value("no_lung_unfit", "ecog: 3, lesions: [{site: bone}]"), "true");
  EXPECT_EQ(value("no_lung_unfit", "ecog: 3, " + lung), "false");
  EXPECT_EQ(value("no_lung_unfit", "ecog: 1, lesions: [{site: bone}]"), "false");
  EXPECT_EQ(value("no_lung_unfit", "lesions: [{site: bone}]"), "unknown");
  EXPECT_EQ(value("no_lung_unfit", lung), "false");  // false and unknown
  ops = program("unknown_ecog");
  ASSERT_EQ(ops.size(), 1U);
  EXPECT_EQ(ops[0].code, FCode::KnownField);
  EXPECT_NE(ops[0].kind & kNegate, 0);
  EXPECT_EQ(value("unknown_ecog", "age: 60"), "true");
  EXPECT_EQ(value("unknown_ecog", "ecog: 0"), "false");
  // A negated membership in a loop body: a loop (not one ListEnum instruction).
  ops = program("some_non_visceral");
  EXPECT_EQ(count(ops, FCode::ListEnum), 0U);
  EXPECT_EQ(count(ops, FCode::Not), 0U);
  EXPECT_EQ(value("some_non_visceral", "lesions: [{site: lung}, {site: bone}]"), "true");
  EXPECT_EQ(value("some_non_visceral", "lesions: [{site: lung}, {site: liver}]"), "false");
  EXPECT_EQ(value("some_non_visceral", "lesions: []"), "false");
  EXPECT_EQ(value("some_non_visceral", "age: 60"), "unknown");
  ops = program("some_unstaged");
  EXPECT_EQ(count(ops, FCode::InField), 1U);
  EXPECT_EQ(count(ops, FCode::Not), 0U);
  const std::string lesions = "lesions: [{site: bone}, {site: liver}]";
  EXPECT_EQ(value("some_unstaged", lesions + ", staged_sites: [liver]"), "true");
  EXPECT_EQ(value("some_unstaged", lesions + ", staged_sites: [liver, bone]"), "false");
  EXPECT_EQ(value("some_unstaged", lesions), "unknown");
}

// The literal `unknown` compiles to an instruction that bails out when reached: the general
// tier then gives unknown.
TEST_F(FastPrograms, TheUnknownLiteralBailsOutWhereItIsReached) {
  const auto ops = program("fit_else_unconfirmed");
  ASSERT_FALSE(ops.empty());
  EXPECT_EQ(count(ops, FCode::Bail), 1U);
  EXPECT_EQ(value("fit_else_unconfirmed", "ecog: 1"), "true");
  EXPECT_EQ(value("fit_else_unconfirmed", "ecog: 3"), "unknown");
  EXPECT_EQ(value("fit_else_unconfirmed", "age: 60"), "unknown");
}

// Comparisons with a constant, of a list's length with a constant and of two date fields are
// single instructions.
TEST_F(FastPrograms, ComparisonsFuseWithTheirOperands) {
  auto ops = program("too_many");
  ASSERT_EQ(ops.size(), 1U);
  EXPECT_EQ(ops[0].code, FCode::CountCmpK);
  EXPECT_EQ(value("too_many", "lesions: [{site: lung}]"), "false");
  EXPECT_EQ(value("too_many",
                  "lesions: [{site: lung}, {site: lung}, {site: lung}, {site: lung}, {site: lung}, "
                  "{site: lung}]"),
            "true");
  EXPECT_EQ(value("too_many", "age: 60"), "unknown");
  ops = program("metastases_first");
  ASSERT_EQ(ops.size(), 1U);
  EXPECT_EQ(ops[0].code, FCode::DateCmp);
  const std::string primary = "primary: {diagnosed: 2024-01-15}, metastases: {diagnosed: ";
  EXPECT_EQ(value("metastases_first", primary + "2024-01-14}"), "true");
  EXPECT_EQ(value("metastases_first", primary + "2024-01-15}"), "false");
  EXPECT_EQ(value("metastases_first", primary + "2024-01}"), "unknown");  // either way
  EXPECT_EQ(value("metastases_first", primary + "2023-12}"), "true");     // every day of it
  EXPECT_EQ(value("metastases_first", "metastases: {diagnosed: 2024-01-14}"), "unknown");
}

TEST_F(FastPrograms, MembershipInAParameterOrAnEnumListFieldIsCompiled) {
  auto ops = program("visceral_lesion");  // the loop and its `in PARAM` body: one instruction
  EXPECT_EQ(count(ops, FCode::ListEnum), 1U);
  EXPECT_EQ(count(ops, FCode::Loop), 0U);
  ops = program("seen_site");
  EXPECT_EQ(count(ops, FCode::InField), 1U);
  const std::string lesions = "lesions: [{site: bone}, {site: liver}]";
  EXPECT_EQ(value("visceral_lesion", lesions), "true");
  EXPECT_EQ(value("visceral_lesion", "lesions: [{site: bone}]"), "false");
  EXPECT_EQ(value("seen_site", lesions + ", staged_sites: [liver]"), "true");
  EXPECT_EQ(value("seen_site", lesions + ", staged_sites: [lung]"), "false");
  EXPECT_EQ(value("seen_site", lesions + ", staged_sites: []"), "false");
  EXPECT_EQ(value("seen_site", lesions), "unknown");  // the list not recorded
}

// `any`/`all` over records whose body tests one enum subfield (`== K`, `in [...]`, `in PARAM`)
// compile to one ListEnum instruction, with the loop's values (the list unknown: the program
// bails out and the general tier gives unknown).
TEST_F(FastPrograms, AnEnumMembershipLoopIsOneInstruction) {
  for (const char* def : {"visceral_lesion", "all_visceral", "all_lung"}) {
    auto ops = program(def);
    EXPECT_EQ(ops.size(), 1U) << def;
    ASSERT_FALSE(ops.empty());
    EXPECT_EQ(ops[0].code, FCode::ListEnum) << def;
  }
  EXPECT_EQ(count(program("seen_site"), FCode::ListEnum), 0U);  // an enum-list field: a loop
  EXPECT_EQ(value("all_visceral", "lesions: [{site: lung}, {site: liver}]"), "true");
  EXPECT_EQ(value("all_visceral", "lesions: [{site: lung}, {site: bone}]"), "false");
  EXPECT_EQ(value("all_visceral", "lesions: []"), "true");
  EXPECT_EQ(value("visceral_lesion", "lesions: []"), "false");
  EXPECT_EQ(value("all_lung", "lesions: [{site: lung}, {site: lung}]"), "true");
  EXPECT_EQ(value("all_lung", "lesions: [{site: lung}, {site: liver}]"), "false");
  EXPECT_EQ(value("all_lung", "age: 60"), "unknown");  // the list not recorded
}

TEST_F(FastPrograms, ASharedDefinitionWithALoopStaysACall) {
  // `any_lung` loops over the lesions and is used twice: computed once, through the memo.
  for (const char* def : {"lung_and_fit", "lung_and_adult"}) {
    auto ops = program(def);
    EXPECT_EQ(count(ops, FCode::DefB), 1U) << def;
    EXPECT_EQ(count(ops, FCode::Loop), 0U) << def;
  }
}

TEST_F(FastPrograms, InlinedDefinitionsKeepKleeneLogic) {
  const std::string lesions = "lesions: [{site: lung, size_mm: 10}]";
  // ecog unknown: the inlined `ecog <= 2` bails out; `unknown or true` is still true.
  EXPECT_EQ(value("fit_or_adult", "age: 60, " + lesions), "true");
  EXPECT_EQ(value("fit_and_adult", "age: 60, " + lesions), "unknown");
  EXPECT_EQ(value("fit_and_adult", "age: 10, " + lesions), "false");
  EXPECT_EQ(value("fit_or_adult", "age: 10, " + lesions), "unknown");
  EXPECT_EQ(value("fit_or_adult", "age: 10, ecog: 3, " + lesions), "false");
  EXPECT_EQ(value("fit_and_adult", "age: 60, ecog: 1, " + lesions), "true");
  // The lesion list unknown: counts are unknown, and the loop definition too.
  EXPECT_EQ(value("few_lesions", "age: 60"), "unknown");
  EXPECT_EQ(value("lung_and_fit", "age: 60, ecog: 3"), "false");
  EXPECT_EQ(value("lung_and_adult", "age: 60"), "unknown");
  EXPECT_EQ(value("lung_and_adult", "age: 60, lesions: [{site: bone}]"), "false");
  EXPECT_EQ(value("lung_and_adult", "age: 60, " + lesions), "true");
  EXPECT_EQ(value("fit_adult_few", "age: 60, ecog: 1, " + lesions), "true");
  EXPECT_EQ(value("fit_adult_few", "age: 60, " + lesions), "unknown");
  EXPECT_EQ(value("fit_adult_few", "age: 60, ecog: 4, lesions: []"), "false");
}

// A boolean definition read through its memo (`any_lung`, shared, with a loop) is 0.5 when
// unknown, where only `and`/`or`/`not` lead from it to the program's value: Kleene logic
// decides in the program (a Join after y when x may be unknown), and where the value stays
// unknown the general tier evaluates the expression.
TEST_F(FastPrograms, AnUnknownDefinitionTakesPartInKleeneLogic) {
  auto ops = program("lung_or_fit");
  ASSERT_EQ(ops.size(), 4U);  // DefB OrJump FieldCmpK Join
  EXPECT_EQ(ops[0].code, FCode::DefB);
  EXPECT_EQ(ops[0].var, 1U);
  EXPECT_EQ(ops[1].code, FCode::OrJump);
  EXPECT_EQ(ops[1].kind, 1U);
  EXPECT_EQ(ops[3].code, FCode::Join);
  // `fit and any_lung`: x is never unknown in the program: no Join; y one definition read.
  ops = program("fit_and_lung");
  ASSERT_EQ(ops.size(), 3U);
  EXPECT_EQ(ops[1].code, FCode::AndJump);
  EXPECT_EQ(ops[1].kind, 0U);
  EXPECT_EQ(ops[1].var, 1U);
  // The lesion list unknown: `any_lung` is unknown.
  EXPECT_EQ(value("lung_or_fit", "age: 60, ecog: 1"), "true");
  EXPECT_EQ(value("lung_or_fit", "age: 60, ecog: 3"), "unknown");
  EXPECT_EQ(value("lung_and_fit", "age: 60, ecog: 1"), "unknown");
  EXPECT_EQ(value("lung_and_fit", "age: 60, ecog: 3"), "false");
  EXPECT_EQ(value("fit_and_lung", "age: 60, ecog: 3"), "false");
  EXPECT_EQ(value("fit_and_lung", "age: 60, ecog: 1"), "unknown");
  EXPECT_EQ(value("no_lung_unfit", "age: 60, ecog: 1"), "false");
  EXPECT_EQ(value("no_lung_unfit", "age: 60, ecog: 3"), "unknown");
  // Known lesions: the same values as before.
  EXPECT_EQ(value("lung_or_fit", "ecog: 3, lesions: [{site: lung}]"), "true");
  EXPECT_EQ(value("lung_or_fit", "ecog: 3, lesions: [{site: bone}]"), "false");
  EXPECT_EQ(value("fit_and_lung", "ecog: 1, lesions: [{site: lung}]"), "true");
}

// A short-circuit that may not skip y (y reads an unknown field: the general tier records the
// values it is compared with for the what-if analysis) evaluates y when y is one definition
// read, as the general tier does, instead of bailing out: the same probes either way.
TEST_F(FastPrograms, ADefinitionASkipWouldLeaveOutIsEvaluatedForItsProbes) {
  for (const char* def : {"fit_and_synchronous", "unfit_or_synchronous"}) {
    // x, the jump, DefB `synchronous` (four instructions, used twice: not inlined).
    auto ops = program(def);
    ASSERT_GE(ops.size(), 3U) << def;
    EXPECT_EQ(ops[ops.size() - 2].var, 1U) << def;
    EXPECT_EQ(ops.back().code, FCode::DefB) << def;
  }
  auto general = std::make_shared<RuleSetModel>(*m_);
  for (HotNode& h : general->hot) h.prog_first = h.prog_len = 0;
  for (const char* def : {"fit_and_synchronous", "unfit_or_synchronous"}) {
    CaseResult r;
    CaseOptions opt;
    screen_case(*m_, "t.yaml", "{id: T, ecog: 3, primary: {diagnosed: 2024-01-15}}", CaseFormat::Yaml, opt, r);
    ASSERT_TRUE(r.ok);
    auto run = [&](const RuleSetModel& m, std::vector<Probe>& probes) {
      EvalState s;
      prepare_state(m, s);
      s.record_probes = true;
      Evaluator ev(m, r.patient, s);
      const Value v = ev.def(static_cast<uint32_t>(m.find_def(def)));
      probes = s.probes;
      return v;
    };
    std::vector<Probe> fast, slow;
    const Value a = run(*m_, fast);
    const Value b = run(*general, slow);
    ASSERT_EQ(a.kind, VKind::Bool) << def;
    ASSERT_EQ(b.kind, VKind::Bool) << def;
    EXPECT_EQ(a.b, b.b) << def;
    ASSERT_EQ(fast.size(), slow.size()) << def;
    ASSERT_FALSE(fast.empty()) << def;
    for (size_t i = 0; i < fast.size(); ++i) {
      EXPECT_EQ(fast[i].field, slow[i].field) << def;
      EXPECT_EQ(fast[i].at, slow[i].at) << def;
      EXPECT_EQ(fast[i].closed_upper, slow[i].closed_upper) << def;
    }
  }
}

}  // namespace
}  // namespace oligoscreen::detail
