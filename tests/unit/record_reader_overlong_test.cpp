// Batch record cutting at the record-size limit (catalogue C9): an over-long line or record is
// one `limit` error row with its record number and physical line, and every record after it is
// read exactly once, wherever the buffer refills fall. The limit is small here (32 bytes) and
// the reads are cut into blocks of 1 byte upwards, so every refill position is exercised.
#include "batch/record_reader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "api/screen.hpp"

namespace oligoscreen::detail {
namespace {

constexpr size_t kMax = 32;
// Read sizes: every refill position for short inputs, and the production block.
const std::vector<size_t> kBlocks = {1, 2, 3, 4, 5, 7, 11, 16, 31, 32, 33, 40, 63, 64, 65, 100, 257, 1u << 20};

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

class RecordReaderOverlong : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics d;
    model_ = load_embedded_rules(d);
    ASSERT_TRUE(model_) << d.render();
    char tmpl[] = "/tmp/oligoscreen-reader-test-XXXXXX";
    const int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    ::close(fd);
    path_ = tmpl;
  }
  void TearDown() override { std::remove(path_.c_str()); }

  // Every record and error row the reader cuts from `text`, one per line:
  //   "<record>@<line> R <record bytes>" or "<record>@<line> E <kind> <line>:<col> <message>",
  // then "blank <n>" and, if any, "file error <message>".
  std::string cut(const std::string& text, BatchInputFormat format, size_t block, size_t max = kMax,
                  size_t chunk_records = 3) {
    write_input(text);
    RecordReader reader(model_->schema, max, false, block);
    FileStats stats;
    std::string out;
    if (!reader.open(path_, format, stats)) return "open failed: " + stats.error;
    Chunk c;
    uint64_t blank = 0;
    for (bool more = true; more;) {
      c.reset();
      more = reader.fill(c, chunk_records, 1u << 30, stats);
      blank += c.blank_lines;
      for (const RawRecord& r : c.records) {
        out += std::to_string(r.record) + "@" + std::to_string(r.line);
        if (r.split_error >= 0) {
          const InputError& e = c.split_errors[static_cast<size_t>(r.split_error)];
          out += " E " + e.kind + " " + std::to_string(e.pos.line) + ":" + std::to_string(e.pos.col) + " " + e.message;
        } else {
          const std::string_view rec = std::string_view(c.text).substr(r.offset, r.len);
          out += " R " + escape(rec);
          if (reader.csv()) check_one_csv_record(rec, max);
        }
        out += "\n";
      }
    }
    out += "blank " + std::to_string(blank) + "\n";
    if (!stats.error.empty()) out += "file error " + stats.error + "\n";
    return out;
  }

  // Replaces the input file's content with `text`.
  void write_input(const std::string& text) {
    FILE* f = std::fopen(path_.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }

  // The worker splits each record's bytes again: they must hold exactly one whole record.
  static void check_one_csv_record(std::string_view rec, size_t max) {
    CsvSplitter s(max);
    s.set_skip_bom(false);
    std::vector<std::string_view> cells;
    const CsvSplit r = s.split(rec.data(), rec.size(), 0, true, cells);
    EXPECT_EQ(r.status, CsvStatus::Record) << escape(rec);
    EXPECT_EQ(r.next, rec.size()) << "more than one record in the bytes of one: " << escape(rec);
  }

  // `expected` for every block size.
  void expect_cut(const std::string& text, BatchInputFormat format, const std::string& expected) {
    for (size_t block : kBlocks) {
      EXPECT_EQ(cut(text, format, block), expected) << "read block " << block << ", input " << escape(text);
    }
  }

  std::shared_ptr<RuleSetModel> model_;
  std::string path_;
};

std::string limit_error(uint32_t line, uint32_t col, const char* extra = "") {
  return "E limit " + std::to_string(line) + ":" + std::to_string(col) + " record longer than the limit of " +
         std::to_string(kMax) + " bytes" + extra;
}

// ---------------------------------------------------------------- CSV

constexpr std::string_view kHead = "id,age\n";

TEST_F(RecordReaderOverlong, CsvLongLineIsOneErrorAndTheNextRecordIsRead) {
  // B's line is far longer than the limit and than most read blocks (the C9 defect: its tail
  // was read as a record, swallowing C).
  for (size_t len : {kMax * 3, kMax * 40}) {
    const std::string text = std::string(kHead) + "A,1\nB," + std::string(len, 'x') + "\nC,3\nD,4\n";
    expect_cut(text, BatchInputFormat::Csv,
               "1@2 R A,1\\n\n"
               "2@3 " +
                   limit_error(3, kMax + 1) +
                   "\n"
                   "3@4 R C,3\\n\n"
                   "4@5 R D,4\\n\n"
                   "blank 0\n");
  }
}

TEST_F(RecordReaderOverlong, CsvLimitCountsTheRecordWithItsLineEnd) {
  for (const std::string eol : {"\n", "\r\n"}) {
    for (size_t total = kMax - 2; total <= kMax + 2; ++total) {  // record bytes with the line end
      const std::string rec = "B," + std::string(total - 2 - eol.size(), 'x') + eol;
      ASSERT_EQ(rec.size(), total);
      const std::string text = std::string(kHead) + rec + "C,3" + eol;
      const std::string b = total <= kMax ? "R " + escape(rec) : limit_error(2, kMax + 1);
      expect_cut(text, BatchInputFormat::Csv, "1@2 " + b + "\n2@3 R C,3" + escape(eol) + "\nblank 0\n");
    }
  }
}

TEST_F(RecordReaderOverlong, CsvLongLastLineWithoutLineEnd) {
  for (size_t len = kMax - 4; len <= kMax + 40; len += 4) {
    const std::string last = "B," + std::string(len - 2, 'x');
    const std::string b = len <= kMax ? "R " + last : limit_error(3, kMax + 1);
    expect_cut(std::string(kHead) + "A,1\n" + last, BatchInputFormat::Csv, "1@2 R A,1\\n\n2@3 " + b + "\nblank 0\n");
  }
}

TEST_F(RecordReaderOverlong, CsvLongLineThenBlankLinesAndCrLf) {
  const std::string text = std::string(kHead) + "A,1\r\nB," + std::string(100, 'x') + "\r\n\r\n\nC,3\r\n";
  expect_cut(text, BatchInputFormat::Csv,
             "1@2 R A,1\\r\\n\n"
             "2@3 " +
                 limit_error(3, kMax + 1) +
                 "\n"
                 "3@6 R C,3\\r\\n\n"
                 "blank 2\n");
}

TEST_F(RecordReaderOverlong, CsvTwoLongLinesInARow) {
  const std::string text = std::string(kHead) + "B," + std::string(70, 'x') + "\nC," + std::string(45, 'y') + "\nD,4\n";
  expect_cut(text, BatchInputFormat::Csv,
             "1@2 " + limit_error(2, kMax + 1) +
                 "\n"
                 "2@3 " +
                 limit_error(3, kMax + 1) +
                 "\n"
                 "3@4 R D,4\\n\n"
                 "blank 0\n");
}

TEST_F(RecordReaderOverlong, CsvQuotedFieldWithLineBreaksIsOneRecordEvenWhenTooLong) {
  // A closed quoted field whose line breaks make the record longer than the limit: one error
  // (at the limit), and reading resumes after the whole record, not inside the quote.
  const std::string field = "\"line one\nline \"\"two\"\"\nline three, longer than the rest\nend\"";
  const std::string text = std::string(kHead) + "A,1\nB," + field + "\nC,3\n";
  // The limit falls on B's 3rd physical line: B starts at line 3, its text "B,\"line one\n"
  // (12 bytes) and "line \"\"two\"\"\n" (13) leave 7 bytes of the third line, so column 8.
  expect_cut(text, BatchInputFormat::Csv,
             "1@2 R A,1\\n\n"
             "2@3 " +
                 limit_error(5, 8) +
                 "\n"
                 "3@7 R C,3\\n\n"
                 "blank 0\n");
}

TEST_F(RecordReaderOverlong, CsvQuotedRecordThatEndsAtEndOfInput) {
  const std::string text = std::string(kHead) + "B,\"" + std::string(20, 'q') + "\n" + std::string(20, 'r') + "\"";
  expect_cut(text, BatchInputFormat::Csv, "1@2 " + limit_error(3, 9) + "\nblank 0\n");
}

TEST_F(RecordReaderOverlong, CsvUnterminatedQuoteInALongInputResumesAfterItsFirstLine) {
  // The quote never closes as RFC 4180 allows (a bare quote later, or the end of the input):
  // taken for a stray quote, as for a short input (C2/C11).
  std::string rows;
  for (int i = 0; i < 10; ++i) rows += "R" + std::to_string(i) + ",1\n";
  const std::string text = std::string(kHead) + "B,\"oops\n" + rows + "E,\"x\"y\n";
  std::string expected = "1@2 E limit 2:3 record longer than the limit of 32 bytes (unterminated quoted field?)\n";
  for (int i = 0; i < 10; ++i) {
    expected += std::to_string(i + 2) + "@" + std::to_string(i + 3) + " R R" + std::to_string(i) + ",1\\n\n";
  }
  expected += "12@13 E syntax 13:6 unexpected character after a closing quote\nblank 0\n";
  expect_cut(text, BatchInputFormat::Csv, expected);
  // Without a bare quote: the end of the input inside the quote.
  std::string expected_eof = "1@2 E limit 2:3 record longer than the limit of 32 bytes (unterminated quoted field?)\n";
  for (int i = 0; i < 10; ++i) {
    expected_eof += std::to_string(i + 2) + "@" + std::to_string(i + 3) + " R R" + std::to_string(i) + ",1\\n\n";
  }
  expect_cut(std::string(kHead) + "B,\"oops\n" + rows, BatchInputFormat::Csv, expected_eof + "blank 0\n");
}

TEST_F(RecordReaderOverlong, CsvQuotedRecordBeyondTheLookaheadIsTakenForAnUnterminatedQuote) {
  // The lookahead for a quoted record's end is bounded (8 x the limit): a longer one is
  // reported like an unterminated quote, and its inner lines are read as records.
  const std::string text =
      std::string(kHead) + "B,\"" + std::string(20, 'q') + "\n" + std::string(8 * kMax, 'r') + "\"\nC,3\n";
  expect_cut(text, BatchInputFormat::Csv,
             "1@2 E limit 2:3 record longer than the limit of 32 bytes (unterminated quoted field?)\n"
             "2@3 " +
                 limit_error(3, kMax + 1) +
                 "\n"
                 "3@4 R C,3\\n\n"
                 "blank 0\n");
}

TEST_F(RecordReaderOverlong, CsvLongLinesAtEveryOffset) {
  // Records of every length around the limit, in one file; every block size. Cross-checked
  // against the whole file read at once, and by the one-record-per-row check in cut().
  std::string text(kHead);
  std::string expected;
  uint32_t line = 2;
  uint64_t record = 0;
  for (size_t len = 3; len <= 3 * kMax; ++len) {
    text += "R," + std::string(len - 3, 'z') + "\n";
    expected += std::to_string(++record) + "@" + std::to_string(line);
    expected += len <= kMax ? " R R," + std::string(len - 3, 'z') + "\\n\n" : " " + limit_error(line, kMax + 1) + "\n";
    ++line;
    if (len % 2 == 0) {  // a short record after every other one
      text += "S," + std::to_string(len) + "\n";
      expected += std::to_string(++record) + "@" + std::to_string(line++) + " R S," + std::to_string(len) + "\\n\n";
    }
  }
  expect_cut(text, BatchInputFormat::Csv, expected + "blank 0\n");
}

// ---------------------------------------------------------------- JSON Lines

std::string jline(size_t len) {  // a JSON object line of exactly `len` bytes (len >= 12)
  return "{\"id\":\"" + std::string(len - 9, 'j') + "\"}";
}

TEST_F(RecordReaderOverlong, JsonlLimitCountsTheLineWithoutItsNewline) {
  for (const std::string eol : {"\n", "\r\n"}) {
    for (size_t len = kMax - 2; len <= kMax + 2; ++len) {  // line bytes without the '\n' (a CR included)
      const std::string l = jline(len - (eol.size() - 1)) + eol;
      const std::string text = "{\"id\":\"A\"}" + eol + l + "{\"id\":\"C\"}" + eol;
      const std::string b = len <= kMax ? "R " + escape(l.substr(0, l.size() - 1))
                                        : "E limit 2:1 record longer than the limit of 32 bytes";
      const std::string cr = eol.size() == 2 ? "\\r" : "";
      expect_cut(text, BatchInputFormat::Jsonl,
                 "1@1 R {\"id\":\"A\"}" + cr + "\n2@2 " + b + "\n3@3 R {\"id\":\"C\"}" + cr + "\nblank 0\n");
    }
  }
}

TEST_F(RecordReaderOverlong, JsonlLongLinesAcrossRefills) {
  const std::string text =
      "{\"id\":\"A\"}\n" + jline(kMax * 40) + "\n\n" + jline(kMax + 1) + "\n{\"id\":\"C\"}\n" + jline(kMax * 3);
  expect_cut(text, BatchInputFormat::Jsonl,
             "1@1 R {\"id\":\"A\"}\n"
             "2@2 E limit 2:1 record longer than the limit of 32 bytes\n"
             "3@4 E limit 4:1 record longer than the limit of 32 bytes\n"
             "4@5 R {\"id\":\"C\"}\n"
             "5@6 E limit 6:1 record longer than the limit of 32 bytes\n"
             "blank 1\n");
}

TEST_F(RecordReaderOverlong, JsonlLastLineWithoutNewlineAtTheLimit) {
  for (size_t len = kMax - 1; len <= kMax + 1; ++len) {
    const std::string b = len <= kMax ? "R " + jline(len) : "E limit 2:1 record longer than the limit of 32 bytes";
    expect_cut("{\"id\":\"A\"}\n" + jline(len), BatchInputFormat::Jsonl,
               "1@1 R {\"id\":\"A\"}\n2@2 " + b + "\nblank 0\n");
  }
}

// ---------------------------------------------------------------- JSON Lines cut in the chunk
// JSON Lines records are cut in the chunk's own text (read there by the thread that screens
// them); what is left over from a larger read (the format sniffed from the first megabyte) is
// cut where it is first. Either way every record comes out once, in order, with its line.

TEST_F(RecordReaderOverlong, JsonlSniffedReadIsCutThenTheChunksReadThemselves) {
  std::string text, expected;
  for (int i = 1; i <= 6000; ++i) {  // ~170 KB: more than a chunk takes over from a sniffed read
    const std::string rec = "{\"id\":\"R" + std::to_string(i) + "\",\"age\":" + std::to_string(i % 90) + "}";
    text += rec + (i % 1000 == 0 ? "\n\n" : "\n");
  }
  int line = 1;
  for (int i = 1; i <= 6000; ++i) {
    expected += std::to_string(i) + "@" + std::to_string(line) + " R {\"id\":\"R" + std::to_string(i) +
                "\",\"age\":" + std::to_string(i % 90) + "}\n";
    line += i % 1000 == 0 ? 2 : 1;
  }
  expected += "blank 6\n";
  EXPECT_EQ(cut(text, BatchInputFormat::Auto, 1u << 20, 1u << 20, 64), expected);  // sniffed: 1 MB first read
  EXPECT_EQ(cut(text, BatchInputFormat::Jsonl, 1u << 20, 1u << 20, 64), expected);
  EXPECT_EQ(cut(text, BatchInputFormat::Jsonl, 100, 1u << 20, 7), expected);
}

TEST_F(RecordReaderOverlong, JsonlSkippedLineIsNotKeptInTheChunk) {
  // A 4 MB line over a 32-byte limit, read 4 KB at a time: its bytes are dropped as they are
  // skipped, so the chunk's buffer stays near one read, not the line's size.
  const std::string text = "{\"id\":\"A\"}\n" + jline(4u << 20) + "\n{\"id\":\"C\"}\n";
  write_input(text);
  RecordReader reader(model_->schema, kMax, false, 4096);
  FileStats stats;
  ASSERT_TRUE(reader.open(path_, BatchInputFormat::Jsonl, stats));
  Chunk c;
  std::string got;
  size_t largest = 0;
  for (bool more = true; more;) {
    c.reset();
    more = reader.fill(c, 64, 1u << 30, stats);
    largest = std::max(largest, c.text.size());
    for (const RawRecord& r : c.records) {
      got += std::to_string(r.record) + "@" + std::to_string(r.line) +
             (r.split_error >= 0 ? " E" : " R " + std::string(c.text, r.offset, r.len)) + "\n";
    }
  }
  EXPECT_EQ(got, "1@1 R {\"id\":\"A\"}\n2@2 E\n3@3 R {\"id\":\"C\"}\n");
  EXPECT_LT(largest, size_t{256} << 10) << "the skipped line was kept in the chunk";
  EXPECT_EQ(reader.bytes_consumed(), text.size());
}

TEST_F(RecordReaderOverlong, ChunkReusedForJsonlThenCsvHoldsOnlyItsOwnRecords) {
  // A chunk's text is never cleared (its size is its capacity): a CSV fill after a JSON Lines
  // fill of the same chunk must still see only its own records' bytes.
  Chunk c;
  FileStats stats;
  {
    write_input("{\"id\":\"J1\",\"age\":70}\n{\"id\":\"J2\",\"age\":71}\n");
    RecordReader reader(model_->schema, 1u << 20, false);
    ASSERT_TRUE(reader.open(path_, BatchInputFormat::Jsonl, stats));
    reader.fill(c, 64, 1u << 30, stats);
    ASSERT_EQ(c.records.size(), 2u);
    EXPECT_EQ(std::string(c.text, c.records[1].offset, c.records[1].len), "{\"id\":\"J2\",\"age\":71}");
  }
  c.reset();
  {
    write_input("id,age\nC1,5\nC2,6\n");
    RecordReader reader(model_->schema, 1u << 20, false);
    ASSERT_TRUE(reader.open(path_, BatchInputFormat::Csv, stats));
    reader.fill(c, 64, 1u << 30, stats);
    ASSERT_EQ(c.records.size(), 2u);
    EXPECT_EQ(std::string(c.text, c.records[0].offset, c.records[0].len), "C1,5\n");
    EXPECT_EQ(std::string(c.text, c.records[1].offset, c.records[1].len), "C2,6\n");
    EXPECT_EQ(c.text_size, 10u);
  }
}

// ---------------------------------------------------------------- production sizes

TEST_F(RecordReaderOverlong, CsvLineOverTwoMebibytesAtTheDefaultLimit) {
  // The catalogue's C9 input at its own size (default limit and read block): cheap enough here.
  const std::string text = std::string(kHead) + "A,1\nB," + std::string(3u << 20, 'x') + "\nC,3\n";
  EXPECT_EQ(cut(text, BatchInputFormat::Csv, 1u << 20, 1u << 20, 256),
            "1@2 R A,1\\n\n"
            "2@3 E limit 3:1048577 record longer than the limit of 1048576 bytes\n"
            "3@4 R C,3\\n\n"
            "blank 0\n");
}

}  // namespace
}  // namespace oligoscreen::detail
