// The rule language under hostile and unusual expressions: every syntax and type mistake is
// reported with its own message (checked here by substring), and every well-typed expression
// checks and evaluates against patients with all, some and no data known (the evaluator's
// three-valued paths). Table-driven, so each row can fail on its own.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/screen.hpp"
#include "eval/evaluator.hpp"
#include "expr/parser.hpp"
#include "rules/checker.hpp"

namespace oligoscreen::detail {
namespace {

struct Row {
  const char* expr;
  const char* error;  // nullptr: must parse, check and evaluate
};

const Row kRows[] = {
    // Syntax.
    {"", "expected an expression"},
    {"age >", "expected an expression"},
    {"(age > 1", "')'"},
    {"age > 1)", "after the end of the expression"},
    {"age = 1", "use '=='"},
    {"!known(age)", "use 'not'"},
    {"known(age) & known(ecog)", "use 'and'"},
    {"known(age) | known(ecog)", "use 'or'"},
    {"age < 1 < 2", "comparisons do not chain"},
    {"\"open", "unterminated string"},
    {"age > 01", "leading zeros"},
    {"age > 1.", "decimal point"},
    {"age > 1e999", "out of range"},
    {"metastases.diagnosed > @2024-13-01", "invalid date"},
    {"metastases.diagnosed > @2024", "invalid date"},
    {"age > 1 \xC3\xA9", "non-ASCII"},
    {"any(lesions, 1, true)", "variable name"},
    {"[1, [2]]", "single values"},
    {"if known(age) then 1", "else"},
    {"age >= # a comment", "expected an expression"},  // '#' starts a comment
    // Names and types.
    {"agee > 1", "unknown name 'agee'"},
    {"cnt(lesions)", "unknown function"},
    {"count(lesions, l)", "takes 3 arguments"},
    {"not age", "'not' needs a boolean"},
    {"-histology", "unary '-' needs a number"},
    {"age + histology == 1", "arithmetic needs numbers"},
    {"age and known(ecog)", "'and' needs booleans"},
    {"known(age) or ecog", "'or' needs booleans"},
    {"if age then 1 else 2", "'if' needs a boolean"},
    {"histology == \"leiomyosarcomma\"", "did you mean 'leiomyosarcoma'"},
    {"histology == 3", "different types"},
    {"age < \"x\"", "cannot order"},
    {"lesions == lesions", "cannot compare lists or records"},
    {"age in 3", "right side of 'in' must be a list"},
    {"add_months(age, 1) > metastases.diagnosed", "add_months"},
    {"days_between(age, 1) > 0", "days_between"},
    {"primary.site == \"thigh\"", "informational"},
    // Well-typed: each evaluates on the three patients below.
    {"age >= 18 and ecog <= 2", nullptr},
    {"not (age < 18) or is_true(primary.controlled)", nullptr},
    {"-age + 2 * 3 - 4 / 2 > 0", nullptr},
    {"age / 0 > 1", nullptr},
    {"histology in [\"leiomyosarcoma\", \"synovial_sarcoma\"]", nullptr},
    {"histology != \"leiomyosarcoma\"", nullptr},
    {"\"lung\" in [\"lung\", \"bone\"]", nullptr},
    {"count(lesions) <= 5 and count(lesions, l, l.site == \"lung\") >= 1", nullptr},
    {"all(lesions, l, l.treatable) or any(lesions, l, l.size_mm > 50)", nullptr},
    {"min(lesions, l, l.size_mm) < max(lesions, l, l.size_mm) + sum(lesions, l, l.size_mm)", nullptr},
    {"known(primary.diagnosed) and known(lesions)", nullptr},
    {"metastases.diagnosed <= add_months(primary.diagnosed, 6)", nullptr},
    {"metastases.diagnosed > add_days(primary.diagnosed, -30)", nullptr},
    {"days_between(primary.diagnosed, metastases.diagnosed) > 180", nullptr},
    {"metastases.diagnosed == @2024-05", nullptr},
    {"metastases.diagnosed != @2024-05-02", nullptr},
    {"if known(ecog) then ecog <= 2 else unknown", nullptr},
    {"if age > 60 then \"old\" else \"young\"", nullptr},
    {"unknown and false", nullptr},
    {"unknown or true", nullptr},
    {"[age, ecog, 3]", nullptr},
    {"any(imaging, m, m in adequate_staging)", nullptr},
    {"count(lesions, l, l.status in [\"new\", \"progressing\"]) > 0", nullptr},
    {"age >= 1 == true", nullptr},
    {"sum(lesions, l, l.size_mm) / count(lesions) > 10", nullptr},
};

const char* kPatients[] = {
    // everything known
    "id: P1\nage: 54\nhistology: leiomyosarcoma\necog: 1\nprimary: {diagnosed: 2021-03-10, controlled: true}\n"
    "metastases: {diagnosed: 2024-05-02}\nimaging: [pet_ct]\n"
    "lesions: [{site: lung, size_mm: 14, status: new, treatable: true}, {site: bone, size_mm: 60, status: stable, "
    "treatable: false}]\n",
    // month precision and some unknowns
    "id: P2\nage: 17\nhistology: synovial_sarcoma\nprimary: {diagnosed: 2023-11}\nmetastases: {diagnosed: 2024-05}\n"
    "lesions: [{site: lung}, {site: liver, size_mm: 8}]\n",
    // nothing but the id; an empty lesion list
    "id: P3\nlesions: []\n",
};

class ExprTable : public ::testing::TestWithParam<Row> {
 protected:
  static void SetUpTestSuite() {
    Diagnostics diags;
    model_ = load_embedded_rules(diags);
    ASSERT_TRUE(model_) << diags.render_brief();
  }
  static void TearDownTestSuite() { model_.reset(); }
  static std::shared_ptr<RuleSetModel> model_;
};
std::shared_ptr<RuleSetModel> ExprTable::model_;

TEST_P(ExprTable, ReportsOrEvaluates) {
  RuleSetModel& m = *model_;
  const Row row = GetParam();
  const std::string src = row.expr;
  const size_t pool_size = m.pool.size();
  ParseIssue issue;
  uint32_t root = parse_expression(src, m.pool, issue);
  std::string messages = issue.message;
  if (root != kNone) {
    Diagnostics diags;
    diags.add_source("<expr>", src);
    check_standalone(m, root, "<expr>", src, diags);
    messages = diags.render_brief();
    if (!diags.has_errors()) {
      EXPECT_EQ(row.error, nullptr) << src << " was accepted";
      for (const char* text : kPatients) {
        auto r = std::make_unique<CaseResult>();
        CaseOptions opt;
        screen_case(m, "p.yaml", text, CaseFormat::Yaml, opt, *r);
        ASSERT_TRUE(r->errors.empty()) << text;
        EvalState state;
        prepare_state(m, state);
        Evaluator ev(m, r->patient, state);
        Value v = ev.eval(root);
        EXPECT_LE(static_cast<int>(v.kind), static_cast<int>(VKind::Record)) << src;  // a valid value
      }
    }
  }
  m.pool.resize(pool_size);
  if (row.error != nullptr) {
    EXPECT_NE(messages.find(row.error), std::string::npos) << src << " -> " << messages;
  } else {
    EXPECT_TRUE(messages.empty() || messages.find("error") == std::string::npos) << src << " -> " << messages;
  }
}

INSTANTIATE_TEST_SUITE_P(Hostile, ExprTable, ::testing::ValuesIn(kRows));

}  // namespace
}  // namespace oligoscreen::detail
