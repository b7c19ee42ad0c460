// Rule-set file access (rules/rule_files): a name that is empty, absolute, uses '\' or climbs
// out with '..' is refused by both the folder and the in-memory sources before anything is
// read, with the same message; a folder refuses a symbolic link that leaves it and a file over
// its size limit; trailing slashes of the folder do not change the names diagnostics use.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "rules/loader.hpp"

namespace oligoscreen::detail {
namespace {

namespace fs = std::filesystem;

struct BadName {
  const char* rel;
  const char* error;
};

const BadName kBadNames[] = {
    {"", "empty file name"},
    {"/etc/passwd", "'/etc/passwd': file names must be relative to the rule set folder"},
    {"facts\\x.yaml", "'facts\\x.yaml': file names must be relative to the rule set folder"},
    {"../x.yaml", "'../x.yaml': '..' may not leave the rule set folder"},
    {"tests/../../x.yaml", "'tests/../../x.yaml': '..' may not leave the rule set folder"},
};

TEST(RuleFiles, UnsafeNamesAreRefusedByEverySource) {
  DirRuleFiles dir("/nonexistent-rules");
  MemoryRuleFiles mem("mem", {{"", "x"}, {"../x.yaml", "x"}});
  for (const auto& b : kBadNames) {
    std::string out = "untouched", error;
    EXPECT_FALSE(dir.read(b.rel, out, error)) << b.rel;
    EXPECT_EQ(error, b.error);
    error.clear();
    EXPECT_FALSE(mem.read(b.rel, out, error)) << b.rel;
    EXPECT_EQ(error, b.error);
    EXPECT_EQ(out, "untouched");
  }
}

TEST(RuleFiles, MemorySourceReadsAndListsOneFolderLevel) {
  MemoryRuleFiles mem("r", {{"tests/b.yaml", "B"}, {"tests/a.yaml", "A"}, {"tests/sub/c.yaml", "C"}, {"x.yaml", "X"}});
  std::string out, error;
  ASSERT_TRUE(mem.read("tests/a.yaml", out, error)) << error;
  EXPECT_EQ(out, "A");
  EXPECT_FALSE(mem.read("tests/z.yaml", out, error));
  EXPECT_EQ(error, "cannot read 'r/tests/z.yaml': no such file");
  EXPECT_EQ(mem.list("tests"), (std::vector<std::string>{"tests/a.yaml", "tests/b.yaml"}));
  EXPECT_TRUE(mem.list("none").empty());
}

class DirRuleFilesTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("orules-" + std::to_string(::getpid()) + "-" +
                                        testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tests");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(DirRuleFilesTest, TrailingSlashesDoNotChangeTheNames) {
  DirRuleFiles files(dir_.string() + "///");
  EXPECT_EQ(files.label(), dir_.string());
  EXPECT_EQ(files.display("facts.yaml"), dir_.string() + "/facts.yaml");
}

TEST_F(DirRuleFilesTest, SizeLimitAndMissingFile) {
  std::ofstream(dir_ / "big.yaml") << std::string(65, 'x');
  DirRuleFiles files(dir_.string(), 64);
  std::string out, error;
  EXPECT_FALSE(files.read("big.yaml", out, error));
  EXPECT_EQ(error, "'" + dir_.string() + "/big.yaml' is too large (65 bytes, limit 64)");
  EXPECT_FALSE(files.read("small.yaml", out, error));
  EXPECT_EQ(error, "cannot read '" + dir_.string() + "/small.yaml': no such file");
  std::ofstream(dir_ / "small.yaml") << std::string(64, 'y');
  ASSERT_TRUE(files.read("small.yaml", out, error)) << error;
  EXPECT_EQ(out, std::string(64, 'y'));
}

TEST_F(DirRuleFilesTest, ASymbolicLinkOutOfTheFolderIsRefused) {
  fs::create_symlink("/etc/hostname", dir_ / "escape.yaml");
  DirRuleFiles files(dir_.string());
  std::string out, error;
  EXPECT_FALSE(files.read("escape.yaml", out, error));
  EXPECT_EQ(error, "'escape.yaml' resolves outside the rule set folder (symbolic link?)");
  EXPECT_TRUE(out.empty());
}

TEST_F(DirRuleFilesTest, ListsOnlyYamlFilesSorted) {
  for (const char* n : {"b.yml", "a.yaml", "notes.txt"}) std::ofstream(dir_ / "tests" / n) << "x";
  fs::create_directory(dir_ / "tests" / "dir.yaml");
  DirRuleFiles files(dir_.string());
  EXPECT_EQ(files.list("tests"), (std::vector<std::string>{"tests/a.yaml", "tests/b.yml"}));
  EXPECT_TRUE(files.list("missing").empty());
}

}  // namespace
}  // namespace oligoscreen::detail
