// Catalogue cases that need the process itself (a global locale, in-process state); the
// catalogue runner (run_catalogue.py) reads these results by test-name prefix "Hostile.<id>_".
#include <gtest/gtest.h>
#include <pthread.h>

#include <clocale>
#include <locale>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/screen.hpp"
#include "oligoscreen/oligoscreen.h"
#include "rules/loader.hpp"

namespace oligoscreen::detail {
namespace {

// Sets the C and C++ global locales to German for the scope (decimal comma, '.' grouping).
class GermanLocale {
 public:
  GermanLocale() {
    try {
      std::locale::global(std::locale("de_DE.UTF-8"));
      ok_ = true;
    } catch (const std::runtime_error&) {
      ok_ = false;
    }
    if (ok_) std::setlocale(LC_ALL, "de_DE.UTF-8");
  }
  ~GermanLocale() {
    std::locale::global(std::locale::classic());
    std::setlocale(LC_ALL, "C");
  }
  GermanLocale(const GermanLocale&) = delete;
  GermanLocale& operator=(const GermanLocale&) = delete;
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  bool ok_ = false;
};

std::vector<std::pair<std::string, std::string>> rules_with(const std::string& file, const std::string& from,
                                                            const std::string& to) {
  auto files = embedded_rule_files();
  for (auto& f : files) {
    if (f.first != file) continue;
    auto at = f.second.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) f.second.replace(at, from.size(), to);
  }
  return files;
}

double param_value(const std::vector<std::pair<std::string, std::string>>& files, const std::string& id) {
  MemoryRuleFiles mem("r", files);
  Diagnostics diags;
  auto m = load_rule_set(mem, diags);
  EXPECT_TRUE(m) << diags.render_brief();
  if (!m) return -1;
  int i = m->find_param(id);
  EXPECT_GE(i, 0);
  return i < 0 ? -1 : m->params[static_cast<size_t>(i)].value.num;
}

std::string screen_json(const RuleSetModel& m, const std::string& text) {
  auto r = std::make_unique<CaseResult>();
  CaseOptions opt;
  opt.explain = true;
  screen_case(m, "c.yaml", text, CaseFormat::Yaml, opt, *r);
  std::string out;
  case_json(m, *r, opt, false, "c.yaml", out);
  return out;
}

// R20 / reliability §1.3 item 5: yaml-cpp's conversions follow the global locale (1.234 would
// read as 1234); the engine parses numbers with from_chars, so the locale changes nothing.
TEST(Hostile, R20_GermanGlobalLocaleKeepsThresholdValue) {
  auto files = rules_with("parameters.yaml", "    value: 50\n", "    value: 1.234\n");
  const double in_c = param_value(files, "supported_max_size_mm");
  GermanLocale de;
  ASSERT_TRUE(de.ok()) << "the de_DE.UTF-8 locale is not installed (scripts/install-deps.sh generates it)";
  EXPECT_EQ(param_value(files, "supported_max_size_mm"), 1.234);
  EXPECT_EQ(in_c, 1.234);
}

// R20, the output side: the same case gives byte-identical JSON (numbers included) under
// the German global locale, also with a decimal value in the case.
TEST(Hostile, R20_GermanGlobalLocaleSameResultBytes) {
  Diagnostics diags;
  auto m = load_embedded_rules(diags);
  ASSERT_TRUE(m);
  const std::string text =
      "id: L1\nage: 54\nhistology: leiomyosarcoma\necog: 1\nlife_expectancy_months: 24.5\n"
      "primary: {diagnosed: 2021-03-10, controlled: true}\nmetastases: {diagnosed: 2024-05-02}\n"
      "history: {polymetastatic: false, oligometastatic: false}\nsystemic_therapy: {active: false}\n"
      "imaging: [pet_ct]\nlesions: [{site: lung, size_mm: 14.5, status: new, treatable: true}]\n";
  const std::string in_c = screen_json(*m, text);
  GermanLocale de;
  ASSERT_TRUE(de.ok()) << "the de_DE.UTF-8 locale is not installed";
  EXPECT_EQ(screen_json(*m, text), in_c);
  EXPECT_NE(in_c.find("14.5"), std::string::npos);
}

// A9: the C API on a host thread with a 128 KiB stack (musl's default; x4 under ASan, whose
// frames are larger), with inputs at and beyond the nesting limits: a result or a depth
// error, never an overflow.
TEST(Hostile, A9_CApiOnA128KiBStackWithMaximumDepthInputs) {
  struct Run {
    std::vector<std::string> inputs;
    std::vector<int> codes;
    std::vector<std::string> outputs;
  } run;
  auto nest = [](size_t n) { return std::string(n, '[') + std::string(n, ']'); };
  auto repeat = [](const std::string& x, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += x;
    return out;
  };
  run.inputs = {"{\"id\":\"A9\",\"age\":54,\"x\":" + nest(30) + "}", "{\"id\":\"A9\",\"x\":" + nest(40) + "}",
                "{\"id\":\"A9\",\"x\":" + std::string(100000, '[') + "}",
                "{\"id\":\"A9\",\"lesions\":[" + repeat("{\"a\":", 20000) + "1]}"};
  size_t stack = 128u << 10;
#if defined(__SANITIZE_ADDRESS__)
  stack *= 4;
#endif
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, stack), 0);
  pthread_t t;
  auto body = [](void* p) -> void* {
    auto* r = static_cast<Run*>(p);
    oligoscreen_rules* rules = nullptr;
    char* error = nullptr;
    if (oligoscreen_rules_default(&rules, &error) != OLIGOSCREEN_OK) return nullptr;
    for (const auto& in : r->inputs) {
      char* out = nullptr;
      r->codes.push_back(oligoscreen_assess_with(rules, in.data(), in.size(), OLIGOSCREEN_EXPLAIN, &out));
      r->outputs.emplace_back(out ? out : "");
      oligoscreen_string_free(out);
    }
    oligoscreen_rules_free(rules);
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&t, &attr, body, &run), 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
  ASSERT_EQ(run.codes.size(), 4u);
  EXPECT_EQ(run.codes[0], OLIGOSCREEN_OK) << run.outputs[0].substr(0, 300);
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(run.codes[i], OLIGOSCREEN_E_INPUT) << i;
    EXPECT_NE(run.outputs[i].find("nesting too deep (limit 32)"), std::string::npos) << run.outputs[i].substr(0, 300);
  }
}

}  // namespace
}  // namespace oligoscreen::detail
