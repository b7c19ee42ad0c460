// FileSink::write_pieces (batch output written with writev): the pieces land one after the
// other, in order, however many there are (more than IOV_MAX go in several calls) and whatever
// their sizes (empty ones included), interleaved with write(); a writev that returns part-way
// resumes inside the piece where it stopped; a failure is reported as write() reports it and
// fails the commit.
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "batch/output_file.hpp"
#include "file_bytes.hpp"

namespace oligoscreen::detail {
namespace {

namespace fs = std::filesystem;

using test::file_bytes;

TEST(FileSinkPieces, ManyPiecesOfEverySizeInOrder) {
  const fs::path out = fs::temp_directory_path() / ("opieces-" + std::to_string(::getpid()) + ".jsonl");
  fs::remove(out);
  // Distinct bytes per piece, so that a piece dropped, repeated or moved shows.
  std::mt19937 rng(11);
  std::vector<std::string> texts;
  std::string expected = "head\n";
  for (size_t i = 0; i < 3 * IOV_MAX + 17; ++i) {
    const size_t len = i % 97 == 0 ? 0 : rng() % (i % 5 == 0 ? 5000 : 64);
    std::string t(len, static_cast<char>('a' + i % 26));
    if (len > 0) t[0] = static_cast<char>('A' + i % 26);
    texts.push_back(std::move(t));
  }
  std::vector<std::string_view> pieces(texts.begin(), texts.end());
  FileSink sink;
  std::string error;
  ASSERT_TRUE(sink.open(out.string(), {}, error)) << error;
  ASSERT_TRUE(sink.write("head\n"));
  for (const auto& t : texts) expected += t;
  ASSERT_TRUE(sink.write_pieces(pieces.data(), pieces.size())) << sink.error();
  ASSERT_TRUE(sink.write("tail\n"));
  expected += "tail\n";
  ASSERT_TRUE(sink.write_pieces(pieces.data(), 1));  // one piece
  expected += texts[0];
  ASSERT_TRUE(sink.write_pieces(pieces.data(), 0));  // none
  ASSERT_TRUE(sink.commit()) << sink.error();
  const std::string got = file_bytes(out);
  fs::remove(out);
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected);
}

TEST(FileSinkPieces, AFailedWriteFailsLaterWritesAndTheCommit) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this machine";
  FileSink sink;
  std::string error;
  ASSERT_TRUE(sink.open("/dev/full", {}, error)) << error;
  const std::string_view pieces[] = {"a", "bc"};
  EXPECT_FALSE(sink.write_pieces(pieces, 2));
  EXPECT_EQ(sink.error(), "write failed: No space left on device");
  EXPECT_FALSE(sink.write("y"));
  EXPECT_FALSE(sink.write_pieces(pieces, 1));
  EXPECT_FALSE(sink.commit());
}

std::atomic<int> g_interrupts{0};
extern "C" void count_interrupt(int) {
  g_interrupts.fetch_add(1);
}

// A writev into a full pipe that a signal interrupts returns the bytes it wrote so far (or
// EINTR when none): the rest of that piece and the pieces after it must follow, in order.
// The pipe holds one page; the reader interrupts the blocked writer twice before it drains
// the pipe, so at least one writev returns early (the order of events does not change what
// is asserted, only how often the partial path runs).
TEST(FileSinkPieces, AnInterruptedWriteResumesWhereItStopped) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::fcntl(fds[1], F_SETPIPE_SZ, 4096);
  struct sigaction sa = {};
  struct sigaction old = {};
  sa.sa_handler = count_interrupt;  // no SA_RESTART: the blocked writev returns
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(::sigaction(SIGUSR1, &sa, &old), 0);
  g_interrupts = 0;

  std::mt19937 rng(5);
  std::vector<std::string> texts;
  std::string expected;
  for (size_t i = 0; i < 400; ++i) {
    std::string t(rng() % 700, static_cast<char>('a' + i % 26));
    if (!t.empty()) t[0] = static_cast<char>('A' + i % 26);
    expected += t;
    texts.push_back(std::move(t));
  }
  std::vector<std::string_view> pieces(texts.begin(), texts.end());

  const pthread_t writer = ::pthread_self();
  std::string got;
  std::thread reader([&] {
    for (int i = 0; i < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ::pthread_kill(writer, SIGUSR1);
    }
    char buf[8192];
    for (;;) {
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
  });
  FileSink sink;
  std::string error;
  const bool opened = sink.open("/proc/self/fd/" + std::to_string(fds[1]), {}, error);
  ::close(fds[1]);  // the sink has its own descriptor of the pipe
  bool wrote = false, committed = false;
  if (opened) {
    wrote = sink.write_pieces(pieces.data(), pieces.size());
    committed = sink.commit();
  }
  reader.join();
  ::close(fds[0]);
  ::sigaction(SIGUSR1, &old, nullptr);
  ASSERT_TRUE(opened) << error;
  EXPECT_TRUE(wrote) << sink.error();
  EXPECT_TRUE(committed) << sink.error();
  EXPECT_GE(g_interrupts.load(), 1);
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected);
}

}  // namespace
}  // namespace oligoscreen::detail
