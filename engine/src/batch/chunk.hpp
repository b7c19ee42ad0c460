// A chunk: consecutive records of one input file, read by the reader, screened by one
// worker, written by the writer. Chunks are pooled and reused, so their buffers stop growing
// once warm.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "patient/csv_reader.hpp"
#include "patient/patient.hpp"
#include "result/compact_result.hpp"

namespace oligoscreen::detail {

struct RawRecord {
  uint32_t offset = 0;  // bytes in Chunk::text
  uint32_t len = 0;
  uint32_t line = 0;         // physical line where the record starts
  uint64_t record = 0;       // 1-based data record number within its file
  int32_t split_error = -1;  // index in Chunk::split_errors: the record could not be cut out
};

// What the writer needs of each screened record for the summary.
struct RecordInfo {
  bool ok = false;
  bool has_id = false;
  uint32_t id_offset = 0;  // in Chunk::ids
  uint32_t id_len = 0;
  uint64_t id_hash = 0;
  uint32_t kind_offset = 0;  // error kind, in Chunk::ids
  uint32_t kind_len = 0;
};

// Cache-line aligned (two lines: the adjacent-line prefetcher fetches pairs): a chunk's fields
// are written per record by the thread screening it, and must not share a line with another
// chunk or with anything another thread reads.
struct alignas(128) Chunk {
  uint64_t seq = 0;
  uint32_t file = 0;  // input index
  bool csv = false;
  std::shared_ptr<const CsvHeader> header;  // CSV only
  // The records' bytes (RawRecord::offset/len). Its size is its usable capacity, not the bytes
  // in use: it is never cleared, so that reading into it does not first zero it.
  std::string text;
  size_t text_size = 0;  // bytes of `text` in use when records are copied in (CSV)
  std::vector<RawRecord> records;
  std::vector<InputError> split_errors;
  uint64_t bytes_end = 0;  // input bytes consumed up to the end of this chunk (all inputs)
  bool last_of_file = false;
  uint64_t blank_lines = 0;  // blank lines skipped while filling this chunk

  // Filled by the worker.
  // The output: `out` with `splices` (constant stretches of the batch's result fragments)
  // inserted at their offsets.
  std::string out;
  std::vector<OutSplice> splices;
  std::vector<RecordInfo> info;
  std::string ids;              // ids and error kinds of RecordInfo
  std::vector<uint32_t> codes;  // per result, one code per output (results only, in order)
  bool done = false;            // screened: set by the pipeline under its lock only (batch.cpp)
  unsigned owner = ~0u;         // the thread whose chunk it is: only that thread screens it

  void reset() {
    text_size = 0;
    records.clear();
    split_errors.clear();
    header.reset();
    bytes_end = 0;
    last_of_file = false;
    blank_lines = 0;
    out.clear();
    splices.clear();
    info.clear();
    ids.clear();
    codes.clear();
    done = false;
  }
};

}  // namespace oligoscreen::detail
