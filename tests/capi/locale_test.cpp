// A8 / acceptance 5: a host that sets std::locale::global to German (decimal comma, thousands
// dot) gets byte-identical results, for rules loaded before and after the switch.
#include <gtest/gtest.h>

#include <clocale>
#include <filesystem>
#include <fstream>
#include <locale>
#include <sstream>
#include <string>
#include <vector>

#include "oligoscreen/oligoscreen.h"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> cases() {
  std::vector<std::string> out;
  // Fractional numbers, so that a locale-dependent reader or writer would show.
  out.emplace_back(R"({"id":"L-1","age":40,"ecog":1,"lesions":[{"site":"lung","size_mm":12.5,"status":"new"}]})");
  out.emplace_back(R"({"id":"L-2","age":40.5})");  // an error message that quotes a number
  std::vector<fs::path> files;
  for (const char* dir : {"/examples/cases", "/examples/cases/json"}) {
    for (const auto& e : fs::directory_iterator(fs::path(OLIGOSCREEN_SOURCE_DIR + std::string(dir)))) {
      if (e.path().extension() == ".json") files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  return out;
}

std::vector<std::string> assess_all(const std::vector<std::string>& inputs) {
  oligoscreen_rules* rules = nullptr;
  EXPECT_EQ(oligoscreen_rules_load(OLIGOSCREEN_SOURCE_DIR "/rules/sarcoma-sbrt", &rules, nullptr), OLIGOSCREEN_OK);
  std::vector<std::string> out;
  for (const auto& in : inputs) {
    for (unsigned flags : {0u, unsigned{OLIGOSCREEN_EXPLAIN}}) {
      char* r = nullptr;
      oligoscreen_assess_with(rules, in.data(), in.size(), flags, &r);
      out.emplace_back(r ? r : "(null)");
      oligoscreen_string_free(r);
    }
  }
  oligoscreen_rules_free(rules);
  return out;
}

TEST(Locale, GermanHostLocaleGivesIdenticalResults) {
  auto inputs = cases();
  ASSERT_GT(inputs.size(), 3u);
  auto reference = assess_all(inputs);
  std::locale german;
  try {
    german = std::locale("de_DE.UTF-8");
  } catch (const std::runtime_error&) {
    FAIL() << "the de_DE.UTF-8 locale is missing: run scripts/install-deps.sh (localedef)";
  }
  std::locale previous = std::locale::global(german);  // also sets the C locale (named locale)
  ASSERT_NE(std::setlocale(LC_ALL, nullptr), nullptr);
  EXPECT_EQ(std::string(std::setlocale(LC_NUMERIC, nullptr)), "de_DE.UTF-8");
  auto german_results = assess_all(inputs);
  std::locale::global(previous);
  ASSERT_EQ(reference.size(), german_results.size());
  for (size_t i = 0; i < reference.size(); ++i) EXPECT_EQ(reference[i], german_results[i]) << "input " << i / 2;
  // The fractional values are in the trace, written with a point.
  EXPECT_NE(reference[1].find("\"lesions[0].size_mm\":12.5"), std::string::npos);
  EXPECT_NE(reference[2].find("40.5"), std::string::npos);
}

}  // namespace
