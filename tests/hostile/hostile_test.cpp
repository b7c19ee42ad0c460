// Catalogue cases that need the process itself (a global locale, in-process state); the
// catalogue runner (run_catalogue.py) reads these results by test-name prefix "Hostile.<id>_".
#include <gtest/gtest.h>

#include <clocale>
#include <locale>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/screen.hpp"
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

}  // namespace
}  // namespace oligoscreen::detail
