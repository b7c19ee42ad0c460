// FileSink::write_pieces (batch output written with writev): the pieces land one after the
// other, in order, however many there are (more than IOV_MAX go in several calls) and whatever
// their sizes (empty ones included), interleaved with write(); a failure is reported as write()
// reports it and fails the commit.
#include <limits.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "batch/output_file.hpp"

namespace oligoscreen::detail {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

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
  const std::string got = slurp(out);
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

}  // namespace
}  // namespace oligoscreen::detail
