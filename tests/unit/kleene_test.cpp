// Kleene three-valued logic of the evaluator: kand/kor truth tables with unknown sets, set
// unions, and unknown-set propagation through expressions evaluated against a case (the mini
// rule set of tests/diagnostics/base).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/screen.hpp"
#include "eval/evaluator.hpp"
#include "eval/specialize.hpp"
#include "expr/parser.hpp"
#include "rules/checker.hpp"
#include "rules/loader.hpp"
#include "rules/schema.hpp"

namespace oligoscreen::detail {
namespace {

std::shared_ptr<RuleSetModel> mini_rules() {
  Diagnostics d;
  DirRuleFiles files(std::string(OLIGOSCREEN_TEST_DATA) + "/diagnostics/base");
  auto m = load_rule_set(files, d);
  EXPECT_TRUE(m) << d.render();
  return m;
}

class Kleene : public ::testing::Test {
 protected:
  void SetUp() override {
    m_ = mini_rules();
    ASSERT_TRUE(m_);
    r_ = std::make_unique<CaseResult>();
    CaseOptions opt;
    opt.what_if = false;
    // ecog and on_therapy unrecorded; the second lesion has no size.
    const char* text =
        "id: K-1\nage: 60\nprimary: {diagnosed: 2024-01}\nmetastases: {diagnosed: 2024-07-15}\n"
        "lesions:\n  - {site: lung, size_mm: 12}\n  - {site: liver}\n";
    screen_case(*m_, "k.yaml", text, CaseFormat::Yaml, opt, *r_);
    ASSERT_TRUE(r_->ok);
    prepare_state(*m_, state_);
    ev_ = std::make_unique<Evaluator>(*m_, r_->patient, state_);
  }

  // Evaluates `src`; `why` receives the unknown set as field paths.
  Value eval(const std::string& src, std::vector<std::string>* why = nullptr) {
    ParseIssue issue;
    uint32_t root = parse_expression(src, m_->pool, issue);
    EXPECT_NE(root, kNone) << issue.message;
    Diagnostics d;
    d.add_source("<t>", src);
    check_standalone(*m_, root, "<t>", src, d);
    EXPECT_FALSE(d.has_errors()) << d.render();
    specialize(*m_);  // the new nodes need their evaluation form
    Value v = ev_->eval(root);
    if (why) *why = paths(v.why);
    return v;
  }

  std::vector<std::string> paths(const USet* s) const {
    std::vector<std::string> out;
    if (s) {
      for (uint32_t i = 0; i < s->size; ++i) out.push_back(field_path(m_->schema, s->refs[i]));
    }
    return out;
  }

  FieldRef slot(const char* path) { return make_ref(static_cast<uint32_t>(m_->schema.find(path))); }

  std::shared_ptr<RuleSetModel> m_;
  std::unique_ptr<CaseResult> r_;
  EvalState state_;
  std::unique_ptr<Evaluator> ev_;
};

enum class K { F, T, U };
Value of(K k, const USet* why = nullptr) {
  return k == K::U ? Value::unknown(why) : Value::boolean(k == K::T);
}
K kind(const Value& v) {
  return v.is_unknown() ? K::U : (v.b ? K::T : K::F);
}

TEST_F(Kleene, AndTruthTableIsExhaustive) {
  const K all[] = {K::T, K::F, K::U};
  for (K a : all) {
    for (K b : all) {
      K want = (a == K::F || b == K::F) ? K::F : (a == K::U || b == K::U) ? K::U : K::T;
      EXPECT_EQ(kind(ev_->kand(of(a), of(b))), want) << int(a) << " and " << int(b);
    }
  }
}

TEST_F(Kleene, OrTruthTableIsExhaustive) {
  const K all[] = {K::T, K::F, K::U};
  for (K a : all) {
    for (K b : all) {
      K want = (a == K::T || b == K::T) ? K::T : (a == K::U || b == K::U) ? K::U : K::F;
      EXPECT_EQ(kind(ev_->kor(of(a), of(b))), want) << int(a) << " or " << int(b);
    }
  }
}

TEST_F(Kleene, AndOfTwoUnknownsUnitesTheirSets) {
  const USet* e = ev_->single(slot("ecog"));
  const USet* t = ev_->single(slot("on_therapy"));
  Value v = ev_->kand(of(K::U, t), of(K::U, e));
  ASSERT_TRUE(v.is_unknown());
  EXPECT_EQ(paths(v.why), (std::vector<std::string>{"ecog", "on_therapy"}));  // sorted by schema order
  Value w = ev_->kor(of(K::U, e), of(K::U, t));
  EXPECT_EQ(paths(w.why), (std::vector<std::string>{"ecog", "on_therapy"}));
}

TEST_F(Kleene, ADecidingOperandDropsTheOthersSet) {
  const USet* e = ev_->single(slot("ecog"));
  Value f = ev_->kand(of(K::F), of(K::U, e));
  EXPECT_FALSE(f.is_unknown());
  EXPECT_EQ(f.why, nullptr);
  Value t = ev_->kor(of(K::U, e), of(K::T));
  EXPECT_TRUE(t.known() && t.b);
  // A non-deciding known operand keeps the unknown side's set.
  Value u = ev_->kand(of(K::T), of(K::U, e));
  EXPECT_EQ(paths(u.why), std::vector<std::string>{"ecog"});
  Value o = ev_->kor(of(K::F), of(K::U, e));
  EXPECT_EQ(paths(o.why), std::vector<std::string>{"ecog"});
}

TEST_F(Kleene, MergeIsASortedDuplicateFreeUnion) {
  const USet* a = ev_->merge(ev_->single(slot("on_therapy")), ev_->single(slot("ecog")));
  const USet* b = ev_->merge(a, ev_->single(slot("ecog")));
  EXPECT_EQ(paths(b), (std::vector<std::string>{"ecog", "on_therapy"}));
  EXPECT_EQ(paths(ev_->merge(nullptr, a)), paths(a));
  EXPECT_EQ(paths(ev_->merge(a, nullptr)), paths(a));
}

TEST_F(Kleene, ExpressionsCarryTheFieldsThatLeftThemUnknown) {
  std::vector<std::string> why;
  EXPECT_TRUE(eval("ecog <= 2 and age >= 18", &why).is_unknown());
  EXPECT_EQ(why, std::vector<std::string>{"ecog"});
  Value f = eval("false and ecog <= 2", &why);
  EXPECT_TRUE(f.known() && !f.b);
  EXPECT_TRUE(why.empty());
  EXPECT_TRUE(eval("ecog <= 2 or on_therapy", &why).is_unknown());
  EXPECT_EQ(why, (std::vector<std::string>{"ecog", "on_therapy"}));
  EXPECT_TRUE(eval("all(lesions, l, l.size_mm <= 50)", &why).is_unknown());
  EXPECT_EQ(why, std::vector<std::string>{"lesions[1].size_mm"});
  EXPECT_TRUE(eval("metastases.diagnosed <= add_months(primary.diagnosed, 6)", &why).is_unknown());
  EXPECT_EQ(why, std::vector<std::string>{"primary.diagnosed"});
  Value decided = eval("metastases.diagnosed <= add_months(primary.diagnosed, 7)", &why);
  EXPECT_TRUE(decided.known() && decided.b);
}

TEST_F(Kleene, NothingIsSkippedByShortCircuit) {
  // `false and X` is false, yet X is still evaluated: its definition is in the cache.
  int fit = m_->find_def("fit");
  ASSERT_GE(fit, 0);
  Value v = eval("false and fit");
  EXPECT_TRUE(v.known() && !v.b);
  EXPECT_TRUE(state_.done[static_cast<size_t>(fit)]);
}

TEST_F(Kleene, KnownAndIsTrueAreNeverUnknown) {
  EXPECT_TRUE(eval("known(ecog)").known());
  EXPECT_FALSE(eval("known(ecog)").b);
  EXPECT_TRUE(eval("is_true(ecog <= 2)").known());
  EXPECT_FALSE(eval("is_true(ecog <= 2)").b);
  EXPECT_TRUE(eval("is_true(ecog <= 2 or age > 18)").b);
}

}  // namespace
}  // namespace oligoscreen::detail
