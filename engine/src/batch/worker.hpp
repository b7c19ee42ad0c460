// Screening the records of one chunk into output rows (JSON Lines or CSV) and summary facts.
// One ChunkWorker per thread: its Doc, Patient, Assessment and scratch are reused, so that
// once warm a record allocates (almost) nothing.
#pragma once

#include <string>
#include <vector>

#include "api/screen.hpp"
#include "batch/batch.hpp"
#include "batch/chunk.hpp"
#include "batch/csv_output.hpp"
#include "patient/csv_reader.hpp"
#include "patient/json_direct_reader.hpp"
#include "result/compact_result.hpp"
#include "result/json_result.hpp"

namespace oligoscreen::detail {

class ChunkWorker {
 public:
  // `fragments`: m's result fragments (JSON Lines output), which must outlive the writing of
  // every chunk this worker screens: a chunk's splices point into them.
  ChunkWorker(const RuleSetModel& m, const BatchOptions& opt, const ResultFragments* fragments);

  // Screens every record of `c` into c.out / c.splices / c.info / c.ids / c.codes. `source` is the
  // value of the "source" key (empty: none). Never touches c.done: the pipeline sets it under
  // its lock, since a chunk seen done is written, reset and refilled at once.
  void run(Chunk& c, const std::string& source);

 private:
  void screen_jsonl(std::string_view text, uint32_t line);
  void screen_csv(const CsvHeader& header, std::string_view text, uint32_t line);
  void assess_read(bool read_ok);
  void emit(Chunk& c, const RawRecord& r);
  // Room in c.out for its records at `bytes` / `records` per record (capped), so that a pooled
  // chunk's buffer is allocated once rather than grown by copying.
  void reserve_output(Chunk& c, uint64_t bytes, uint64_t records);

  const RuleSetModel& m_;
  const BatchOptions& opt_;
  CaseOptions copt_;
  RenderOptions ro_;
  CaseResult cr_;
  CsvSplitter splitter_;
  std::vector<std::string_view> cells_;
  CsvRowWriter csv_;
  DirectReadCache direct_cache_;  // for m_.schema, which outlives the worker
  const ResultFragments* fragments_;
  uint64_t out_bytes_ = 0;  // output written so far, for reserve_output()
  uint64_t out_records_ = 0;
  static constexpr uint64_t kMaxReserve = 32u << 20;
};

// FNV-1a, 64 bits: the duplicate-id check keeps only this hash of each id.
uint64_t batch_id_hash(std::string_view id);

}  // namespace oligoscreen::detail
