// Decision trees and decision-rule chains evaluated over all paths: an unknown question whose
// branches end in the same leaf (or code) is known; otherwise the result is unknown with the
// fields that would decide it. Rule sets are built in memory from the mini rule set of
// tests/diagnostics/base with the tree and outputs replaced.
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
#include "rules/schema.hpp"

namespace oligoscreen::detail {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

Files mini_files() {
  Files out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(OLIGOSCREEN_TEST_DATA) + "/diagnostics/base")) {
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    out.emplace_back(e.path().filename().string(), ss.str());
  }
  return out;
}

void replace(Files& files, const std::string& name, const std::string& text) {
  for (auto& [n, t] : files) {
    if (n == name) t = text;
  }
}

// The age question leads to the same node either way; therapy and fitness decide the leaf.
const char* kTree = R"(trees:
  timing:
    title: Test tree
    evidence: [review2021]
    root: age_q
    nodes:
      age_q:
        question: Adult?
        ask: age >= 18
        evidence: [review2021]
        yes: {label: adult, next: therapy_q}
        no: {label: minor, next: therapy_q}
      therapy_q:
        question: On therapy?
        ask: on_therapy
        evidence: [review2021]
        yes: {label: on therapy, leaf: progression}
        no: {label: off therapy, next: fit_q}
      fit_q:
        question: Fit?
        ask: ecog <= 2
        evidence: [review2021]
        yes: {label: fit, leaf: progression}
        no: {label: unfit, leaf: recurrence}
    leaves:
      progression: {label: progression, evidence: [review2021]}
      recurrence: {label: recurrence, evidence: [review2021]}
)";

// `same`: both rules give `yes`, so an unknown first condition cannot change the code.
const char* kOutputs = R"(outputs:
  - id: state
    key: state
    form: code
    title: State
    codes: [progression, recurrence, unknown]
    unknown: unknown
    decide:
      - id: state_from_tree
        when: true
        value: timing
        evidence: [review2021]
  - id: eligibility
    key: eligibility
    form: verdict
    title: Eligibility
    codes: [eligible, not_eligible, indeterminate]
    unknown: indeterminate
    decide:
      - id: not_eligible
        when: not adult or not few_lesions or not fit
        then: not_eligible
        evidence: [trial2020]
      - id: eligible
        when: adult and few_lesions and fit
        then: eligible
        evidence: [trial2020]
      - id: undecided
        otherwise: indeterminate
        evidence: [trial2020]
  - id: same
    key: same
    form: code
    title: Same code on every path
    codes: [yes, no, unknown]
    unknown: unknown
    decide:
      - id: same_if_fit
        when: fit
        then: yes
        evidence: [trial2020]
      - id: same_otherwise
        otherwise: yes
        evidence: [trial2020]
)";

class AllPaths : public ::testing::Test {
 protected:
  void SetUp() override {
    Files files = mini_files();
    replace(files, "tree.yaml", kTree);
    replace(files, "outputs.yaml", kOutputs);
    MemoryRuleFiles mem("mem", files);
    Diagnostics d;
    m_ = load_rule_set(mem, d);
    ASSERT_TRUE(m_) << d.render();  // warnings only: the fact `synchronous` is no longer used
  }

  // Screens a case given as YAML flow-mapping entries after the id.
  void screen(const std::string& fields) {
    r_ = std::make_unique<CaseResult>();
    CaseOptions opt;
    opt.what_if = false;
    std::string text = "{id: T, lesions: [{site: lung, size_mm: 10}], " + fields + "}";
    screen_case(*m_, "t.yaml", text, CaseFormat::Yaml, opt, *r_);
    ASSERT_TRUE(r_->ok) << (r_->errors.empty() ? "" : r_->errors[0].message);
  }

  // The tree's value: its leaf code, or "unknown [fields]".
  std::string tree() {
    EvalState s;
    prepare_state(*m_, s);
    Evaluator ev(*m_, r_->patient, s);
    Value v = ev.def(static_cast<uint32_t>(m_->find_def("timing")));
    if (v.known()) return m_->schema.enums[v.enum_id].values[v.e];
    return "unknown " + why(v.why);
  }

  // The tree's recorded path ("node:answer ...", answer 0 no, 1 yes, 2 unknown) and the
  // branches marked reached (bit 2n + answer), as the trace and coverage get them.
  std::string path(uint64_t* reached = nullptr) {
    EvalState s;
    prepare_state(*m_, s);
    Evaluator ev(*m_, r_->patient, s);
    ev.def(static_cast<uint32_t>(m_->find_def("timing")));
    std::string out;
    for (const TreeStep& step : s.tree_paths[0]) {
      out += (out.empty() ? "" : " ") + m_->trees[0].nodes[step.node].id + ":" + std::to_string(step.answer);
    }
    if (reached) *reached = s.tree_nodes_reached[0];
    return out;
  }

  uint64_t branch(const char* node, int answer) const {
    for (uint32_t i = 0; i < m_->trees[0].nodes.size(); ++i) {
      if (m_->trees[0].nodes[i].id == node) return uint64_t{1} << (2 * i + static_cast<uint32_t>(answer));
    }
    return 0;
  }

  std::string why(const USet* s) const {
    std::string out = "[";
    for (uint32_t i = 0; s && i < s->size; ++i) out += (i ? ", " : "") + field_path(m_->schema, s->refs[i]);
    return out + "]";
  }

  // An output's code, with "?[fields]" appended when it is unknown.
  std::string output(const char* id) {
    int o = m_->find_output(id);
    const OutputResult& res = r_->assessment.outputs[static_cast<size_t>(o)];
    std::string code = m_->schema.enums[m_->outputs[static_cast<size_t>(o)].enum_id].values[res.code];
    if (res.known) return code;
    std::string out = code + "?[";
    for (size_t i = 0; i < res.why.size(); ++i) out += (i ? ", " : "") + field_path(m_->schema, res.why[i]);
    return out + "]";
  }

  std::shared_ptr<RuleSetModel> m_;
  std::unique_ptr<CaseResult> r_;
};

TEST_F(AllPaths, KnownAnswersFollowOnePath) {
  screen("age: 60, ecog: 3, on_therapy: false");
  EXPECT_EQ(tree(), "recurrence");
  screen("age: 60, ecog: 1, on_therapy: false");
  EXPECT_EQ(tree(), "progression");
}

// Known answers are recorded one after another; the first unknown one is recorded and ends
// the path (the branches below it are evaluated, not recorded); only known answers mark a
// branch reached.
TEST_F(AllPaths, ThePathRecordsKnownAnswersUpToTheFirstUnknown) {
  uint64_t reached = 0;
  screen("age: 60, ecog: 3, on_therapy: false");
  EXPECT_EQ(path(&reached), "age_q:1 therapy_q:0 fit_q:0");
  EXPECT_EQ(reached, branch("age_q", 1) | branch("therapy_q", 0) | branch("fit_q", 0));
  screen("age: 10, on_therapy: true");
  EXPECT_EQ(path(&reached), "age_q:0 therapy_q:1");
  EXPECT_EQ(reached, branch("age_q", 0) | branch("therapy_q", 1));
  screen("age: 60, ecog: 3");
  EXPECT_EQ(path(&reached), "age_q:1 therapy_q:2");
  EXPECT_EQ(reached, branch("age_q", 1) | branch("fit_q", 0));
  screen("ecog: 3, on_therapy: false");
  EXPECT_EQ(path(&reached), "age_q:2");
  EXPECT_EQ(reached, branch("therapy_q", 0) | branch("fit_q", 0));
}

TEST_F(AllPaths, AnUnknownQuestionWhoseBranchesMeetIsKnown) {
  // age unknown: both branches go to therapy_q.
  screen("ecog: 3, on_therapy: false");
  EXPECT_EQ(tree(), "recurrence");
  // on_therapy unknown, but fit: both branches end in `progression`.
  screen("age: 60, ecog: 1");
  EXPECT_EQ(tree(), "progression");
  EXPECT_EQ(output("state"), "progression");
  // on therapy: the unknown fitness question is never asked.
  screen("age: 60, on_therapy: true");
  EXPECT_EQ(tree(), "progression");
}

TEST_F(AllPaths, DifferentLeavesAreUnknownWithTheDecidingFields) {
  screen("age: 60, ecog: 3");
  EXPECT_EQ(tree(), "unknown [on_therapy]");
  EXPECT_EQ(output("state"), "unknown?[on_therapy]");
  screen("age: 60");
  EXPECT_EQ(tree(), "unknown [ecog, on_therapy]");
  // The age question is unknown too, but it never decides: it is not in the set.
  screen("");
  EXPECT_EQ(tree(), "unknown [ecog, on_therapy]");
  screen("age: 60, on_therapy: false");
  EXPECT_EQ(tree(), "unknown [ecog]");
}

TEST_F(AllPaths, DecisionRulesAreFollowedOverAllPaths) {
  // Not adult: the first rule is true whatever ecog is.
  screen("age: 12");
  EXPECT_EQ(output("eligibility"), "not_eligible");
  // Adult, ecog unknown: the first two rules are unknown; the paths give different codes.
  screen("age: 60");
  EXPECT_EQ(output("eligibility"), "indeterminate?[ecog]");
  screen("age: 60, ecog: 1");
  EXPECT_EQ(output("eligibility"), "eligible");
  screen("ecog: 1");
  EXPECT_EQ(output("eligibility"), "indeterminate?[age]");
  // Both paths of an unknown rule give the same code: known.
  screen("age: 60");
  EXPECT_EQ(output("same"), "yes");
}

}  // namespace
}  // namespace oligoscreen::detail
