// Engine parts of the batch: CSV cells, the duplicate-id set, record cutting and ordering.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "api/screen.hpp"
#include "batch/batch.hpp"
#include "batch/id_set.hpp"

namespace oligoscreen::detail {
namespace {

std::string cell(std::string_view s) {
  std::string out;
  append_csv_cell(s, out);
  return out;
}

TEST(BatchCsvCell, PlainTextIsWrittenAsIs) {
  EXPECT_EQ(cell("R-17"), "R-17");
}

TEST(BatchCsvCell, FormulaStartsArePrefixed) {
  EXPECT_EQ(cell("=1+1"), "'=1+1");
  EXPECT_EQ(cell("+1"), "'+1");
  EXPECT_EQ(cell("-1"), "'-1");
  EXPECT_EQ(cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(cell("\tx"), "\"'\tx\"");
  EXPECT_EQ(cell("\rx"), "\"'\rx\"");
}

TEST(BatchCsvCell, QuotesCommasQuotesAndLineBreaks) {
  EXPECT_EQ(cell("a,b"), "\"a,b\"");
  EXPECT_EQ(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(cell("a\nb"), "\"a\nb\"");
  EXPECT_EQ(cell("=a,b"), "\"'=a,b\"");
  EXPECT_EQ(cell(""), "");
}

TEST(BatchIdSet, CountsRepeatsAndGrows) {
  IdSet s(4);  // 16 slots: grows several times below
  for (uint64_t i = 0; i < 1000; ++i) EXPECT_TRUE(s.insert(i * 0x9E3779B97F4A7C15ULL));
  for (uint64_t i = 0; i < 1000; ++i) EXPECT_FALSE(s.insert(i * 0x9E3779B97F4A7C15ULL));
  EXPECT_EQ(s.size(), 1000u);
  EXPECT_TRUE(s.insert(0) || true);
  EXPECT_FALSE(s.insert(0));
}

TEST(BatchIdSet, WritesEachPageBeforeReadingIt) {
  // Two pages of slots (2^10); hashes below 2^29 land on slot `hash & 1023`. The first access
  // to a page must be a write (IdSet's header says why): count the pages it wrote.
  IdSet s(10);
  ASSERT_EQ(IdSet::kPageSlots, 512u);
  EXPECT_EQ(s.pages_touched(), 0u);
  EXPECT_TRUE(s.insert(511));  // last slot of page 0
  EXPECT_EQ(s.pages_touched(), 1u);
  EXPECT_TRUE(s.insert(511 + 1024));  // same slot: probes on into page 1
  EXPECT_EQ(s.pages_touched(), 2u);
  EXPECT_FALSE(s.insert(511 + 1024));
  EXPECT_TRUE(s.insert(1023 + 2048));  // last slot of page 1, then wraps to slot 0 of page 0
  EXPECT_TRUE(s.insert(1023 + 4096));
  EXPECT_FALSE(s.insert(1023 + 4096));
  EXPECT_FALSE(s.insert(511));
  EXPECT_EQ(s.size(), 4u);
  EXPECT_EQ(s.pages_touched(), 2u);
}

// The VmFlags line of the mapping of /proc/self/smaps that holds `addr` ("" when none does).
std::string vm_flags_of(const void* addr) {
  std::FILE* f = std::fopen("/proc/self/smaps", "r");
  if (f == nullptr) return "";
  const auto a = reinterpret_cast<uintptr_t>(addr);
  char line[512];
  bool inside = false;
  std::string flags;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned long lo = 0, hi = 0;
    if (std::sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && std::strchr(line, '-') < std::strchr(line, ' ')) {
      inside = a >= lo && a < hi;
    } else if (inside && std::strncmp(line, "VmFlags:", 8) == 0) {
      flags = line;
      break;
    }
  }
  std::fclose(f);
  return flags;
}

TEST(BatchIdSet, ALargeTableIsMappedOnHugePageBoundariesAndAdvised) {
  IdSet small(10);  // 8 KiB: calloc
  EXPECT_FALSE(small.huge_page_mapped());
  IdSet s(18);  // 2 MiB
  ASSERT_TRUE(s.huge_page_mapped());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(s.table()) % IdSet::kHugePage, 0u);
  const void* first = s.table();
  for (uint64_t i = 1; i <= (1u << 17) + 1; ++i) ASSERT_TRUE(s.insert(i * 0x9E3779B97F4A7C15ULL));  // grows once
  EXPECT_NE(s.table(), first);
  ASSERT_TRUE(s.huge_page_mapped());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(s.table()) % IdSet::kHugePage, 0u);
  for (uint64_t i = 1; i <= (1u << 17) + 1; ++i) ASSERT_FALSE(s.insert(i * 0x9E3779B97F4A7C15ULL));
  const std::string flags = vm_flags_of(s.table());
  ASSERT_FALSE(flags.empty()) << "the table is in no mapping of /proc/self/smaps";
  if (access("/sys/kernel/mm/transparent_hugepage", F_OK) != 0) GTEST_SKIP() << "no transparent huge pages here";
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
}

TEST(BatchIdSet, PrefetchLeavesTheSetAsItWas) {
  IdSet s(10);
  s.prefetch(7);  // page not written yet: nothing to load
  EXPECT_EQ(s.pages_touched(), 0u);
  EXPECT_EQ(s.size(), 0u);
  EXPECT_TRUE(s.insert(7));
  s.prefetch(7);
  s.prefetch(0);
  s.prefetch(8);
  EXPECT_EQ(s.size(), 1u);
  EXPECT_FALSE(s.insert(7));
  EXPECT_TRUE(s.insert(8));
}

class StringSink : public OutputSink {
 public:
  bool write(std::string_view d) override {
    out += d;
    return fail_after < 0 || static_cast<long>(out.size()) <= fail_after;
  }
  [[nodiscard]] std::string error() const override { return "test failure"; }
  std::string out;
  long fail_after = -1;
};

class BatchRun : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics d;
    model = load_embedded_rules(d);
    ASSERT_TRUE(model) << d.render();
    char tmpl[] = "/tmp/oligoscreen-batch-test-XXXXXX";
    int fd = mkstemps(tmpl, 0);
    ASSERT_GE(fd, 0);
    ::close(fd);
    path = std::string(tmpl) + ".jsonl";
    std::rename(tmpl, path.c_str());
  }
  void TearDown() override { std::remove(path.c_str()); }
  void write_input(const std::string& text) {
    FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  std::shared_ptr<RuleSetModel> model;
  std::string path;
};

TEST_F(BatchRun, EveryRecordGivesOneRowInOrderWhateverTheChunkSize) {
  std::string text;
  for (int i = 0; i < 50; ++i) {
    text += i % 7 == 3 ? "{\"id\": \"B" + std::to_string(i) + "\", \"age\": }\n"
                       : "{\"id\": \"B" + std::to_string(i) + "\", \"lesions\": []}\n";
    if (i % 10 == 0) text += "\n";
  }
  write_input(text);
  std::string first;
  for (size_t chunk : {1u, 3u, 64u}) {
    for (unsigned threads : {1u, 3u}) {
      BatchOptions opt;
      opt.threads = threads;
      opt.chunk_records = chunk;
      StringSink sink;
      BatchStats s = run_batch(*model, {{path, "in"}}, opt, sink);
      EXPECT_EQ(s.records, 50u);
      EXPECT_EQ(s.errors, 7u);
      EXPECT_EQ(s.results + s.errors, s.records);
      EXPECT_EQ(s.blank_lines, 5u);
      EXPECT_TRUE(s.complete);
      if (first.empty()) first = sink.out;
      EXPECT_EQ(sink.out, first) << "chunk " << chunk << " threads " << threads;
    }
  }
  EXPECT_EQ(std::count(first.begin(), first.end(), '\n'), 50);
}

// Regression: a worker used to mark its chunk done itself, before the pipeline's locked
// handover; the writer could then write, reset and recycle the chunk, and the handover marked
// the refilled chunk done before any worker had screened it (records read as garbage, crashes).
// Tiny chunks on several threads make such a window likely to be hit; every run must give
// exactly the one-thread bytes.
TEST_F(BatchRun, TinyChunksOnSeveralThreadsGiveTheOneThreadBytes) {
  std::string text;
  const char* sites[] = {"lung", "liver", "bone", "spine"};
  for (int i = 0; i < 20000; ++i) {
    text += "{\"id\":\"S" + std::to_string(i) + "\",\"age\":" + std::to_string(20 + i % 60) +
            ",\"ecog\":" + std::to_string(i % 4) + ",\"lesions\":[{\"site\":\"" + sites[i % 4] +
            "\",\"size_mm\":" + std::to_string(5 + i % 70) + "}]}\n";
  }
  write_input(text);
  BatchOptions one;
  one.threads = 1;
  StringSink reference;
  BatchStats s1 = run_batch(*model, {{path, "in"}}, one, reference);
  ASSERT_EQ(s1.records, 20000u);
  ASSERT_EQ(s1.errors, 0u);
  for (size_t chunk : {1u, 2u, 1u}) {
    BatchOptions opt;
    opt.threads = 3;
    opt.chunk_records = chunk;
    StringSink sink;
    BatchStats s = run_batch(*model, {{path, "in"}}, opt, sink);
    EXPECT_EQ(s.records, 20000u) << "chunk " << chunk;
    EXPECT_EQ(s.errors, 0u) << "chunk " << chunk;
    EXPECT_TRUE(sink.out == reference.out) << "chunk " << chunk << ": output differs from one thread's";
  }
}

TEST_F(BatchRun, AWriteFailureStopsTheRunAndIsNotComplete) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "{\"id\": \"W" + std::to_string(i) + "\", \"lesions\": []}\n";
  write_input(text);
  BatchOptions opt;
  opt.threads = 2;
  opt.chunk_records = 16;
  StringSink sink;
  sink.fail_after = 10000;
  BatchStats s = run_batch(*model, {{path, "in"}}, opt, sink);
  EXPECT_TRUE(s.write_failed);
  EXPECT_FALSE(s.complete);
  EXPECT_LT(s.records, 2000u);
}

// Catalogue C9 at a small limit: an over-long CSV line or JSON line whose end is beyond the
// reader's first 1 MiB block is one limit error row, and the record after it is screened (it
// was lost: the line's tail was taken for part of it). Every position of the line across the
// block end, up to the one where the whole window is read before the limit is decided.
TEST_F(BatchRun, AnOverLongLineAcrossTheReadBlockIsOneErrorRowAndTheNextRecordIsScreened) {
  constexpr size_t kBlock = 1u << 20;
  constexpr size_t kLimit = 64;
  for (bool csv : {true, false}) {
    for (size_t before_block_end : {1u, 64u, 65u, 66u, 100u, 199u, 200u, 201u, 500u}) {
      const std::string head = csv ? "id,age\n" : "";
      auto row = [&](const std::string& id) { return csv ? id + ",54\n" : "{\"id\":\"" + id + "\"}\n"; };
      // A, blank lines (cheap: not records) up to where B starts, B, C.
      const size_t start = kBlock - before_block_end;
      std::string text = head + row("A");
      text.append(start - text.size(), '\n');
      const uint64_t records = 3;
      const auto b_line = static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n')) + 1;
      const std::string long_line =
          csv ? "B," + std::string(300, 'x') + "\n" : "{\"id\":\"B" + std::string(300, 'x') + "\"}\n";
      text += long_line + row("C");
      write_input(text);
      BatchOptions opt;
      opt.input_format = csv ? BatchInputFormat::Csv : BatchInputFormat::Jsonl;
      opt.max_record_bytes = kLimit;
      StringSink sink;
      BatchStats s = run_batch(*model, {{path, "in"}}, opt, sink);
      const std::string what = std::string(csv ? "csv" : "jsonl") + ", line starts " +
                               std::to_string(before_block_end) + " bytes before the block end";
      EXPECT_EQ(s.records, records) << what;
      EXPECT_EQ(s.results + s.errors, s.records) << what;
      EXPECT_EQ(s.errors_by_kind["limit"], 1u) << what;
      EXPECT_EQ(s.blank_lines, start - head.size() - row("A").size()) << what;
      EXPECT_TRUE(s.complete) << what;
      // The last two rows: the limit error for B (its record number and line), then C.
      ASSERT_GE(sink.out.size(), 2u);
      const size_t last = sink.out.rfind('\n', sink.out.size() - 2);
      const size_t prev = sink.out.rfind('\n', last - 1);
      ASSERT_NE(prev, std::string::npos) << what;
      const std::string b_row = sink.out.substr(prev + 1, last - prev);
      const std::string c_row = sink.out.substr(last + 1);
      EXPECT_NE(b_row.find("\"kind\":\"limit\""), std::string::npos) << what << ": " << b_row;
      EXPECT_NE(b_row.find("\"record\":" + std::to_string(records - 1) + ","), std::string::npos)
          << what << ": " << b_row;
      EXPECT_NE(b_row.find("\"line\":" + std::to_string(b_line) + ","), std::string::npos) << what << ": " << b_row;
      EXPECT_NE(c_row.find("\"id\":\"C\""), std::string::npos) << what << ": " << c_row;
      EXPECT_EQ(std::count(sink.out.begin(), sink.out.end(), '\n'), static_cast<long>(records)) << what;
    }
  }
}

TEST_F(BatchRun, AnInputThatCannotBeOpenedIsAFileError) {
  BatchOptions opt;
  StringSink sink;
  BatchStats s = run_batch(*model, {{"/nonexistent/x.jsonl", "x"}}, opt, sink);
  ASSERT_EQ(s.files.size(), 1u);
  EXPECT_EQ(s.files[0].error_kind, "io");
  EXPECT_FALSE(s.complete);
  EXPECT_TRUE(sink.out.empty());
}

}  // namespace
}  // namespace oligoscreen::detail
