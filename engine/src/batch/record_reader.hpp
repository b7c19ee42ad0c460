// Cutting one input file (JSON Lines or CSV) into records, chunk by chunk, in bounded memory.
//
// JSON Lines: records end at '\n'; a line of only spaces, tabs and CR is blank (counted, not a
// record); a line longer than the limit (its bytes without the '\n', a CR included) is one
// `limit` error row and reading resumes after its newline. CSV: RFC 4180 records through
// CsvSplitter (quoted line breaks; an unterminated quote is one error row and never swallows
// the rest of the file); a record longer than the limit (its bytes with its line end) is one
// `limit` error row, and reading resumes after it (CsvSplitter::split says where); the first
// record is the header (a header without an id column is a file error). Every record gives
// exactly one record or error row, whatever the read sizes. Parsing is left to the workers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "batch/batch.hpp"
#include "batch/chunk.hpp"
#include "patient/csv_reader.hpp"
#include "rules/schema.hpp"

namespace oligoscreen::detail {

class RecordReader {
 public:
  // `read_block`: bytes asked of each read(2); tests make it small so that buffer refills
  // fall anywhere in a record.
  RecordReader(const Schema& schema, size_t max_record_bytes, bool strict, size_t read_block = 1u << 20);
  ~RecordReader();
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // Opens `path` ("-" = standard input) and decides its format (`format`, else the extension
  // .jsonl/.ndjson/.json or .csv, else the first non-blank byte: '{' JSON Lines, else CSV).
  // False with `stats.error` set when it cannot be opened or read.
  bool open(const std::string& path, BatchInputFormat format, FileStats& stats);

  // Appends records to `chunk` (which must belong to this file) until it holds `max_records`
  // records or `max_bytes` bytes, or the input ends. Returns false when the input is
  // exhausted or failed (then stats.error is set for a read error or an unusable header).
  bool fill(Chunk& chunk, size_t max_records, size_t max_bytes, FileStats& stats);

  [[nodiscard]] bool csv() const { return csv_; }
  [[nodiscard]] const std::shared_ptr<const CsvHeader>& header() const { return header_; }
  [[nodiscard]] uint64_t bytes_consumed() const { return consumed_; }
  // Size of the file when it is a regular file, else 0.
  [[nodiscard]] uint64_t size() const { return size_; }

 private:
  // Reads up to `want` bytes (0: the read block) after end_; false on a read error. Unless
  // `keep`, first moves the unconsumed bytes to the front of the buffer.
  bool refill(FileStats& stats, bool keep = false, size_t want = 0);
  void close();
  bool fill_jsonl(Chunk& c, size_t max_records, size_t max_bytes, FileStats& stats);
  bool cut_jsonl(Chunk& c, size_t max_records, size_t max_bytes, FileStats& stats);
  [[nodiscard]] size_t chunk_read_size(const Chunk& c, size_t max_records, size_t max_bytes) const;
  bool fill_csv(Chunk& c, size_t max_records, size_t max_bytes, FileStats& stats);
  void add_record(Chunk& c, size_t begin, size_t end, uint32_t line);
  void add_error(Chunk& c, InputError e, uint32_t line);

  const Schema& schema_;
  size_t max_;
  bool strict_;
  size_t block_;
  int fd_ = -1;
  bool own_fd_ = false;
  bool csv_ = false;
  bool eof_ = false;
  bool failed_ = false;
  std::string buf_;
  size_t begin_ = 0, end_ = 0;
  uint64_t consumed_ = 0;  // bytes before buf_[begin_]
  uint64_t size_ = 0;
  uint32_t line_ = 1;
  uint64_t record_ = 0;
  bool skipping_ = false;  // JSONL: the rest of an over-long line
  bool in_chunk_ = false;  // JSONL: buf_ is the chunk's text, records are cut in place
  // JSONL: up to this much left over from the last read is copied into the chunk, which then
  // reads the rest itself; more (after sniffing the format) is cut where it is.
  static constexpr size_t kDirectTail = 64u << 10;
  bool have_header_ = false;
  CsvSplitter splitter_;
  std::vector<std::string_view> cells_;
  std::shared_ptr<const CsvHeader> header_;
};

}  // namespace oligoscreen::detail
