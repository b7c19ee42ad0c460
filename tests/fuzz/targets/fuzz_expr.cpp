// Fuzz target: the rule-language parser, the checker of one stand-alone expression against
// the embedded rule set (names, types, enums), and, when it checks, its evaluation against a
// patient with every field unknown (three-valued logic must never trap). All of it runs on a
// 128 KiB stack: deep recursion is a finding (a 4 KiB `a or a or ...` chain once was).
#include <cstddef>
#include <cstdint>
#include <string>

#include "eval/evaluator.hpp"
#include "expr/parser.hpp"
#include "fuzz_support.hpp"
#include "patient/patient.hpp"
#include "rules/checker.hpp"

namespace {

constexpr size_t kMaxInput = 8192;  // twice the expression length limit

void run(oligoscreen::detail::RuleSetModel& m, const std::string& src) {
  using namespace oligoscreen::detail;
  const size_t pool_size = m.pool.size();
  ParseIssue issue;
  uint32_t root = parse_expression(src, m.pool, issue);
  if (root == kNone) {
    if (issue.message.empty() || issue.offset > src.size()) __builtin_trap();
  } else {
    Diagnostics diags;
    diags.add_source("<expr>", src);
    check_standalone(m, root, "<expr>", src, diags);
    (void)diags.render();
    if (!diags.has_errors()) {
      Patient p;
      p.reset(m.schema.fields.size());
      p.link();
      EvalState state;
      prepare_state(m, state);
      Evaluator ev(m, p, state);
      (void)ev.eval(root);
    }
  }
  m.pool.resize(pool_size);  // the model is shared by every run: leave it as loaded
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace oligoscreen::detail;
  if (size > kMaxInput) return 0;
  RuleSetModel& m = oligoscreen::fuzz::embedded_model();
  std::string src(oligoscreen::fuzz::as_text(data, size));
  oligoscreen::fuzz::on_small_stack([&] { run(m, src); });
  return 0;
}
