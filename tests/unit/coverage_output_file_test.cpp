// The batch output sink (batch/output_file) against its contract: a regular file is written
// through a temporary file beside it and renamed on commit (keeping the replaced file's mode);
// abort, destruction and every failure leave the target as it was and no temporary behind;
// devices are written directly and never replaced; inputs and directories are refused; each
// failure says what failed and why.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "batch/output_file.hpp"
#include "file_bytes.hpp"

namespace oligoscreen::detail {
namespace {

namespace fs = std::filesystem;

using test::file_bytes;

void put(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// A fresh, short-named directory per test (a socket path must fit in sun_path).
class FileSinkTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("osink-" + std::to_string(::getpid()) + "-" + std::to_string(++counter_));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // Names of the entries of dir_, sorted.
  [[nodiscard]] std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  fs::path dir_;
  static inline int counter_ = 0;
};

TEST_F(FileSinkTest, NewFileAppearsOnlyOnCommitWithTheUmaskMode) {
  const fs::path out = dir_ / "out.jsonl";
  mode_t old_mask = ::umask(027);
  FileSink sink;
  std::string error;
  bool opened = sink.open(out.string(), {}, error);
  ::umask(old_mask);
  ASSERT_TRUE(opened) << error;
  EXPECT_TRUE(sink.atomic());
  EXPECT_TRUE(sink.write("{\"a\":1}\n"));
  EXPECT_TRUE(sink.write(""));
  EXPECT_FALSE(fs::exists(out));
  auto during = entries();
  ASSERT_EQ(during.size(), 1u);
  EXPECT_EQ(during[0].rfind(".out.jsonl.tmp-", 0), 0u) << during[0];
  ASSERT_TRUE(sink.commit()) << sink.error();
  EXPECT_FALSE(sink.atomic());
  EXPECT_EQ(file_bytes(out), "{\"a\":1}\n");
  EXPECT_EQ(entries(), std::vector<std::string>{"out.jsonl"});
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST_F(FileSinkTest, ReplacedFileKeepsItsModeAndIsUntouchedUntilCommit) {
  const fs::path out = dir_ / "out.csv";
  put(out, "old\n");
  ASSERT_EQ(::chmod(out.c_str(), 0604), 0);
  FileSink sink;
  std::string error;
  ASSERT_TRUE(sink.open(out.string(), {}, error)) << error;
  EXPECT_TRUE(sink.write("new\n"));
  EXPECT_EQ(file_bytes(out), "old\n");
  ASSERT_TRUE(sink.commit()) << sink.error();
  EXPECT_EQ(file_bytes(out), "new\n");
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0604u);
  EXPECT_EQ(entries(), std::vector<std::string>{"out.csv"});
}

TEST_F(FileSinkTest, AbortAndDestructionLeaveTheTargetAndNoTemporary) {
  const fs::path out = dir_ / "out.csv";
  put(out, "old\n");
  {
    FileSink sink;
    std::string error;
    ASSERT_TRUE(sink.open(out.string(), {}, error)) << error;
    EXPECT_TRUE(sink.write("half"));
    sink.abort();
    EXPECT_FALSE(sink.write("more"));
  }
  {
    FileSink sink;
    std::string error;
    ASSERT_TRUE(sink.open(out.string(), {}, error)) << error;
    EXPECT_TRUE(sink.write("half"));
  }  // destroyed without commit
  EXPECT_EQ(file_bytes(out), "old\n");
  EXPECT_EQ(entries(), std::vector<std::string>{"out.csv"});
}

TEST_F(FileSinkTest, RelativePathGetsItsTemporaryInTheWorkingDirectory) {
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  FileSink sink;
  std::string error;
  bool opened = sink.open("rel.jsonl", {}, error);
  bool written = opened && sink.write("x\n") && sink.commit();
  fs::current_path(cwd);
  ASSERT_TRUE(opened) << error;
  EXPECT_TRUE(written) << sink.error();
  EXPECT_EQ(file_bytes(dir_ / "rel.jsonl"), "x\n");
  EXPECT_EQ(entries(), std::vector<std::string>{"rel.jsonl"});
}

TEST_F(FileSinkTest, AnInputIsRefusedUnderAnyOfItsNames) {
  const fs::path in = dir_ / "in.csv";
  const fs::path link = dir_ / "link.csv";
  put(in, "id\nA\n");
  fs::create_hard_link(in, link);
  FileSink sink;
  std::string error;
  EXPECT_FALSE(sink.open(link.string(), {"/nonexistent/other.csv", in.string()}, error));
  EXPECT_EQ(error, "'" + link.string() + "' is also an input: refusing to overwrite it");
  EXPECT_EQ(file_bytes(in), "id\nA\n");
}

TEST_F(FileSinkTest, ADirectoryIsRefused) {
  FileSink sink;
  std::string error;
  EXPECT_FALSE(sink.open(dir_.string(), {}, error));
  EXPECT_EQ(error, "'" + dir_.string() + "' is a directory");
}

TEST_F(FileSinkTest, NoTemporaryBesideAMissingDirectory) {
  const std::string out = (dir_ / "missing" / "out.jsonl").string();
  FileSink sink;
  std::string error;
  EXPECT_FALSE(sink.open(out, {}, error));
  EXPECT_EQ(error, "cannot create a temporary file beside '" + out + "': No such file or directory");
  EXPECT_FALSE(sink.write("x"));
}

TEST_F(FileSinkTest, RenameFailureKeepsWhatIsThereAndRemovesTheTemporary) {
  const fs::path out = dir_ / "out.jsonl";
  FileSink sink;
  std::string error;
  ASSERT_TRUE(sink.open(out.string(), {}, error)) << error;
  EXPECT_TRUE(sink.write("x\n"));
  fs::create_directory(out);  // the target became a directory meanwhile
  EXPECT_FALSE(sink.commit());
  EXPECT_EQ(sink.error(), "cannot rename the output into '" + out.string() + "': Is a directory");
  EXPECT_TRUE(fs::is_directory(out));
  EXPECT_EQ(entries(), std::vector<std::string>{"out.jsonl"});
}

TEST_F(FileSinkTest, ADeviceIsWrittenDirectlyAndNeverReplaced) {
  FileSink sink;
  std::string error;
  ASSERT_TRUE(sink.open("/dev/null", {}, error)) << error;
  EXPECT_FALSE(sink.atomic());
  EXPECT_TRUE(sink.write("discarded\n"));
  EXPECT_TRUE(sink.commit()) << sink.error();
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(FileSinkTest, AFailedWriteFailsEveryLaterWriteAndTheCommit) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this machine";
  FileSink sink;
  std::string error;
  ASSERT_TRUE(sink.open("/dev/full", {}, error)) << error;
  EXPECT_FALSE(sink.write("x"));
  EXPECT_EQ(sink.error(), "write failed: No space left on device");
  EXPECT_FALSE(sink.write("y"));
  EXPECT_FALSE(sink.commit());
  EXPECT_EQ(sink.error(), "write failed: No space left on device");
}

TEST_F(FileSinkTest, ASocketThatCannotBeOpenedSaysWhy) {
  const fs::path sock = dir_ / "s";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.string().size(), sizeof(addr.sun_path));
  std::strncpy(addr.sun_path, sock.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0) << std::strerror(errno);
  FileSink sink;
  std::string error;
  EXPECT_FALSE(sink.open(sock.string(), {}, error));
  EXPECT_EQ(error, "cannot open '" + sock.string() + "': No such device or address");
  ::close(fd);
  EXPECT_EQ(entries(), std::vector<std::string>{"s"});
}

TEST_F(FileSinkTest, StandardOutputIsNeitherReplacedNorClosed) {
  for (const char* path : {"", "-"}) {
    FileSink sink;
    std::string error;
    ASSERT_TRUE(sink.open(path, {}, error)) << error;
    EXPECT_FALSE(sink.atomic());
    EXPECT_TRUE(sink.commit());
    EXPECT_NE(::fcntl(STDOUT_FILENO, F_GETFD), -1) << "standard output was closed";
  }
}

}  // namespace
}  // namespace oligoscreen::detail
