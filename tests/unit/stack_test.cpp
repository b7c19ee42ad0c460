// Stack safety (reliability README §1.3 item 8, §4 "No unbounded recursion"): the worst-case
// inputs the limits allow — YAML and JSON nested to the configured depth, the longest and the
// most deeply nested expression, a whole rule set and a case — load, check and evaluate on a
// thread with a 128 KiB stack (musl's default), and inputs beyond the limits fail cleanly
// there. A stack overflow crashes the test binary, so every test can fail.
//
// Sanitizer builds use several times more stack per frame (redzones), so under ASan the
// thread gets 4x the size; the release-build figure is the one the claim is about.
#include <gtest/gtest.h>
#include <pthread.h>

#include <functional>
#include <memory>
#include <string>

#include "api/screen.hpp"
#include "eval/evaluator.hpp"
#include "expr/parser.hpp"
#include "json/json_reader.hpp"
#include "rules/checker.hpp"
#include "rules/loader.hpp"
#include "yaml/yaml_reader.hpp"

namespace oligoscreen::detail {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kScale = 4;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr size_t kScale = 4;
#else
constexpr size_t kScale = 1;
#endif
#else
constexpr size_t kScale = 1;
#endif
constexpr size_t kSmallStack = 128u << 10;

// Runs fn on a new thread whose stack is `bytes` (times kScale under ASan).
void on_small_stack(const std::function<void()>& fn, size_t bytes = kSmallStack) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, bytes * kScale), 0);
  pthread_t t;
  auto* heap_fn = new std::function<void()>(fn);
  ASSERT_EQ(pthread_create(
                &t, &attr,
                [](void* p) -> void* {
                  std::unique_ptr<std::function<void()>> f(static_cast<std::function<void()>*>(p));
                  (*f)();
                  return nullptr;
                },
                heap_fn),
            0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
}

std::string repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

struct YamlOutcome {
  bool ok = false;
  std::string brief;
};

YamlOutcome read_yaml_on_small_stack(const std::string& text, size_t stack = kSmallStack) {
  YamlOutcome r;
  on_small_stack(
      [&] {
        auto doc = std::make_unique<Doc>();
        Diagnostics diags;
        r.ok = read_yaml("t.yaml", text, YamlLimits{}, *doc, diags);
        r.brief = diags.render_brief();
      },
      stack);
  return r;
}

TEST(StackSafety, YamlFlowAtDepthLimitLoads) {
  const uint32_t limit = YamlLimits{}.max_depth;
  auto r = read_yaml_on_small_stack(repeat("[", limit) + repeat("]", limit));
  EXPECT_TRUE(r.ok) << r.brief;
}

TEST(StackSafety, YamlBlockAtDepthLimitLoads) {
  const uint32_t limit = YamlLimits{}.max_depth;
  std::string text;
  for (uint32_t i = 0; i < limit; ++i) text += std::string(2 * i, ' ') + "k" + std::to_string(i) + ":\n";
  text += std::string(2 * limit, ' ') + "x\n";
  text.erase(text.rfind('\n', text.size() - 2) + 1);  // the last key holds a scalar, not a map
  text += std::string(2 * (limit - 1), ' ') + "k: x\n";
  auto r = read_yaml_on_small_stack(text);
  EXPECT_TRUE(r.ok) << r.brief;
}

TEST(StackSafety, YamlBeyondDepthLimitFailsCleanly) {
  const uint32_t limit = YamlLimits{}.max_depth;
  auto r = read_yaml_on_small_stack(repeat("[", limit + 1) + repeat("]", limit + 1));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.brief, "t.yaml:1:" + std::to_string(limit + 1) + ": error: nesting too deep (limit 32)\n");
}

// R2: the depth guard stops yaml-cpp's recursion long before its own limit of 500, so even a
// 64 KiB stack survives 10,000 nested brackets (yaml-cpp alone segfaults there at depth 499).
TEST(StackSafety, YamlHostileNestingOn64KiBStack) {
  for (const char* open : {"[", "{"}) {
    auto r = read_yaml_on_small_stack(repeat(open, 10000), 64u << 10);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.brief.find("nesting too deep (limit 32)"), std::string::npos) << r.brief;
  }
  auto r = read_yaml_on_small_stack(repeat("- ", 3000) + "x\n", 64u << 10);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.brief.find("nesting too deep (limit 32)"), std::string::npos) << r.brief;
}

TEST(StackSafety, JsonAtAndBeyondDepthLimit) {
  const uint32_t limit = JsonLimits{}.max_depth;
  bool at_ok = false, beyond_ok = true, hostile_ok = true;
  JsonError at_err, beyond_err;
  on_small_stack([&] {
    Doc doc;
    at_ok = read_json(repeat("[", limit) + repeat("]", limit), JsonLimits{}, doc, at_err);
    beyond_ok = read_json(repeat("[", limit + 1) + repeat("]", limit + 1), JsonLimits{}, doc, beyond_err);
    JsonError e;
    hostile_ok = read_json(repeat("{\"a\":", 100000), JsonLimits{}, doc, e);
  });
  EXPECT_TRUE(at_ok) << at_err.message;
  EXPECT_FALSE(beyond_ok);
  EXPECT_EQ(beyond_err.message, "nesting too deep (limit 32)");
  EXPECT_FALSE(hostile_ok);
}

// The rule language: the deepest nesting, the longest operator chain and the longest
// expression the parser allows are parsed, checked against the real rule set and evaluated
// (every field unknown) on 128 KiB; one step beyond each is a clean parse error. (Found here:
// a 4 KiB chain `a or a or ...` made a 1,000-level tree whose checking overflowed a 128 KiB
// stack; the parser now bounds the tree's height, ExprLimits::max_height.)
TEST(StackSafety, ExpressionsAtTheLimits) {
  Diagnostics load_diags;
  auto m = load_embedded_rules(load_diags);
  ASSERT_TRUE(m) << load_diags.render_brief();
  const ExprLimits limits;
  struct Case {
    std::string src;
    bool parses;
  };
  // Nesting counts each parenthesised sub-expression, `not` and `if`, so the deepest accepted
  // input is found by growing it until the parser refuses it.
  auto deepest = [&](const std::function<std::string(uint32_t)>& make) {
    uint32_t n = 1;
    for (;; ++n) {
      std::vector<ExprNode> pool;
      ParseIssue issue;
      if (parse_expression(make(n), pool, issue, limits) == kNone) break;
    }
    return n - 1;
  };
  auto parens = [](uint32_t n) { return repeat("(", n) + "ecog >= 1" + repeat(")", n); };
  auto nots = [](uint32_t n) { return repeat("not ", n) + "known(ecog)"; };
  auto ifs = [](uint32_t n) { return repeat("if known(age) then ", n) + "true" + repeat(" else false", n); };
  std::vector<Case> cases;
  for (const auto& make : {std::function<std::string(uint32_t)>(parens), std::function<std::string(uint32_t)>(nots),
                           std::function<std::string(uint32_t)>(ifs)}) {
    uint32_t d = deepest(make);
    ASSERT_GE(d, limits.max_depth / 4) << make(1);
    cases.push_back({make(d), true});
    cases.push_back({make(d + 1), false});
  }
  // The longest operator chain the height limit allows, and one operand more.
  auto chain = [](uint32_t n) {
    std::string s = "age >= 1";
    for (uint32_t i = 1; i < n; ++i) s += " or age >= 1";
    return s;
  };
  uint32_t longest_chain = deepest(chain);
  ASSERT_GE(longest_chain, limits.max_height / 2);
  cases.push_back({chain(longest_chain), true});
  cases.push_back({chain(longest_chain + 1), false});
  // The longest expression the length limit allows (a flat list), and one byte more.
  std::string longest = "ecog in [1";
  while (longest.size() + 4 <= limits.max_length) longest += ", 1";
  longest += "]";
  cases.push_back({longest, true});
  cases.push_back({longest + repeat(" ", limits.max_length + 1 - longest.size()), false});

  for (const auto& c : cases) {
    bool parsed = false, checked = false;
    std::string issue_text;
    on_small_stack([&] {
      const size_t pool_size = m->pool.size();
      ParseIssue issue;
      uint32_t root = parse_expression(c.src, m->pool, issue, limits);
      parsed = root != kNone;
      issue_text = issue.message;
      if (parsed) {
        Diagnostics diags;
        diags.add_source("<expr>", c.src);
        check_standalone(*m, root, "<expr>", c.src, diags);
        checked = !diags.has_errors();
        issue_text = diags.render_brief();
        if (checked) {
          Patient p;
          p.reset(m->schema.fields.size());
          p.link();
          EvalState state;
          prepare_state(*m, state);
          Evaluator ev(*m, p, state);
          (void)ev.eval(root);
        }
      }
      m->pool.resize(pool_size);
    });
    EXPECT_EQ(parsed, c.parses) << c.src.substr(0, 80) << ": " << issue_text;
    if (c.parses) {
      EXPECT_TRUE(checked) << c.src.substr(0, 80) << ": " << issue_text;
    } else {
      EXPECT_FALSE(issue_text.empty());
    }
  }
}

// A whole rule set loads, and a case is screened with explanation and what-if, on 128 KiB.
TEST(StackSafety, LoadRulesAndScreenOnSmallStack) {
  bool loaded = false, screened = false;
  on_small_stack([&] {
    Diagnostics diags;
    auto m = load_embedded_rules(diags);
    loaded = m != nullptr;
    if (!m) return;
    auto r = std::make_unique<CaseResult>();
    CaseOptions opt;
    opt.explain = true;
    const std::string nested = repeat("[", 30) + repeat("]", 30);
    screen_case(*m, "c.yaml",
                "id: S1\nage: 54\nhistology: leiomyosarcoma\necog: 1\nprimary: {diagnosed: 2021-03}\n"
                "metastases: {diagnosed: 2024-05-02}\nimaging: [pet_ct]\nlesions: [{site: lung, size_mm: 14}]\n",
                CaseFormat::Yaml, opt, *r);
    std::string out;
    case_json(*m, *r, opt, false, "c.yaml", out);
    screened = r->ok && !out.empty();
    screen_case(*m, "c.json", "{\"id\":\"S2\",\"notes\":" + nested + "}", CaseFormat::Json, opt, *r);
    case_json(*m, *r, opt, false, "c.json", out);
  });
  EXPECT_TRUE(loaded);
  EXPECT_TRUE(screened);
}

}  // namespace
}  // namespace oligoscreen::detail
