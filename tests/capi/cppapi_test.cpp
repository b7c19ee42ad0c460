// The C++ API against the shared library: typed access agrees with the JSON result, which is
// the C API's; errors; provenance; the hash follows the rule set's content.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "oligoscreen/oligoscreen.h"
#include "oligoscreen/oligoscreen.hpp"

#include "file_bytes.hpp"

namespace fs = std::filesystem;

namespace {

using oligoscreen::test::file_bytes;

std::string c_api_json(std::string_view json, unsigned flags) {
  oligoscreen_rules* rules = nullptr;
  EXPECT_EQ(oligoscreen_rules_default(&rules, nullptr), OLIGOSCREEN_OK);
  char* out = nullptr;
  oligoscreen_assess_with(rules, json.data(), json.size(), flags, &out);
  std::string s = out ? out : "";
  oligoscreen_string_free(out);
  oligoscreen_rules_free(rules);
  return s;
}

const fs::path kCase = fs::path(OLIGOSCREEN_SOURCE_DIR) / "examples/cases/asps-brain-lung.json";

TEST(CppApi, VersionAndInfo) {
  EXPECT_EQ(oligoscreen::version(), OLIGOSCREEN_VERSION_STRING);
  auto rules = oligoscreen::RuleSet::default_rules();
  auto info = rules->info();
  EXPECT_EQ(info.id, "sarcoma-sbrt");
  EXPECT_EQ(info.sha256.size(), 64u);
}

TEST(CppApi, AssessJsonIsTheCApiResult) {
  auto rules = oligoscreen::RuleSet::default_rules();
  std::string json = file_bytes(kCase);
  EXPECT_EQ(rules->assess_json(json), c_api_json(json, 0));
  oligoscreen::AssessOptions explain;
  explain.explain = true;
  EXPECT_EQ(rules->assess_json(json, explain), c_api_json(json, OLIGOSCREEN_EXPLAIN));
  oligoscreen::AssessOptions plain;
  plain.what_if = false;
  EXPECT_EQ(rules->assess_json(json, plain), c_api_json(json, OLIGOSCREEN_NO_WHAT_IF));
}

TEST(CppApi, TypedAccessAgreesWithTheJson) {
  auto rules = oligoscreen::RuleSet::default_rules();
  std::string json = file_bytes(kCase);
  oligoscreen::Assessment a = rules->assess(json);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.json(), rules->assess_json(json));
  EXPECT_EQ(a.id(), "TB-2024-009");
  ASSERT_NE(a.verdict("sbrt"), nullptr);
  EXPECT_NE(a.json().find("\"sbrt\":{\"verdict\":\"" + a.verdict("sbrt")->code + "\""), std::string::npos);
  ASSERT_NE(a.verdict("state"), nullptr);
  EXPECT_NE(a.json().find("\"state\":\"" + a.verdict("state")->code + "\""), std::string::npos);
  EXPECT_EQ(a.verdict("no-such-output"), nullptr);
  for (const auto& v : a.verdicts()) EXPECT_FALSE(v.code.empty()) << v.output;
  EXPECT_FALSE(a.criteria().empty());
  for (const auto& c : a.criteria()) EXPECT_FALSE(c.result.empty()) << c.id;
  EXPECT_EQ(a.provenance().ruleset.sha256, rules->info().sha256);
  EXPECT_EQ(a.provenance().engine_version, oligoscreen::version());
  oligoscreen::Assessment copy = a;  // value semantics
  EXPECT_EQ(copy.json(), a.json());
}

TEST(CppApi, MissingDataIsUnknownNeverCoerced) {
  auto rules = oligoscreen::RuleSet::default_rules();
  oligoscreen::Assessment a = rules->assess(R"({"id":"T-1"})");
  ASSERT_TRUE(a.ok());
  ASSERT_NE(a.verdict("sbrt"), nullptr);
  EXPECT_FALSE(a.verdict("sbrt")->known);
  EXPECT_NE(a.verdict("sbrt")->code, "supported");
  EXPECT_FALSE(a.missing().empty());
  for (const auto& m : a.missing()) EXPECT_FALSE(m.affects.empty()) << m.path;
}

TEST(CppApi, UnreadableInputIsAnErrorAssessment) {
  auto rules = oligoscreen::RuleSet::default_rules();
  oligoscreen::Assessment a = rules->assess("{\"id\":\"\xff\"}");
  EXPECT_FALSE(a.ok());
  ASSERT_FALSE(a.errors().empty());
  EXPECT_EQ(a.errors().front().kind, "encoding");
  EXPECT_EQ(a.errors().front().offset, 7);
  EXPECT_TRUE(a.verdicts().empty());
  EXPECT_NE(a.json().find("\"error\""), std::string::npos);
  oligoscreen::Assessment t = rules->assess(R"({"id":"T-1","age":)");
  ASSERT_FALSE(t.errors().empty());
  EXPECT_EQ(t.errors().front().kind, "syntax");
}

TEST(CppApi, LoadErrorsThrowWithEveryDiagnostic) {
  try {
    (void)oligoscreen::RuleSet::load(std::string(OLIGOSCREEN_TEST_DIR) + "/broken-rules");
    FAIL() << "no exception";
  } catch (const oligoscreen::Error& e) {
    EXPECT_EQ(e.code(), OLIGOSCREEN_E_RULES);
    EXPECT_NE(std::string(e.what()).find("missing required key 'version'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("missing.yaml"), std::string::npos);
  }
}

TEST(CppApi, Report) {
  auto rules = oligoscreen::RuleSet::default_rules();
  std::string md = rules->report(file_bytes(kCase), oligoscreen::ReportFormat::Markdown);
  EXPECT_NE(md.find("TB-2024-009"), std::string::npos);
}

// A10: every result carries the rule set's hash, and one changed byte changes it.
TEST(CppApi, HashFollowsTheRuleContent) {
  fs::path tmp = fs::temp_directory_path() / ("oligoscreen-hash-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::copy(fs::path(OLIGOSCREEN_SOURCE_DIR) / "rules/sarcoma-sbrt", tmp, fs::copy_options::recursive);
  auto original = oligoscreen::RuleSet::load(tmp.string());
  std::string manifest = file_bytes(tmp / "manifest.yaml");
  auto at = manifest.find("title:");
  ASSERT_NE(at, std::string::npos);
  manifest.insert(at + 8, "X");  // one more byte in the title (after `title: "`)
  std::ofstream(tmp / "manifest.yaml", std::ios::binary) << manifest;
  auto edited = oligoscreen::RuleSet::load(tmp.string());
  fs::remove_all(tmp);
  EXPECT_NE(original->info().sha256, edited->info().sha256);
  std::string json = file_bytes(kCase);
  EXPECT_NE(edited->assess_json(json).find(edited->info().sha256), std::string::npos);
}

}  // namespace
