// Batch screening of registries (JSON Lines or CSV) into JSON Lines or CSV, streaming, in
// parallel and in input order (shared/spec/cli.md `batch`, result-format.md).
//
// Contract:
//  - every input record gives exactly one output row (a result or an error result), in input
//    order, whatever the number of threads: the output bytes depend only on the inputs, the
//    rule set and the options;
//  - memory is bounded: records move through a fixed pool of chunks (3 per thread), each
//    holding at most `chunk_records` records, so peak memory does not grow with the input;
//  - a record's JSON Lines row is byte-identical to `screen --format json` on the same record
//    with the same options (the trace's positions are lines of the batch file);
//  - an input that cannot be opened or read, or a CSV header without an id column, is a file
//    error (FileStats::error): its records are not read, the other inputs are;
//  - the first failed write stops the run: nothing more is written and `complete` is false.
// The library never writes to stdout/stderr: rows go to an OutputSink, progress to a callback.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/screen.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

enum class BatchInputFormat { Auto, Jsonl, Csv };
enum class BatchOutputFormat { Jsonl, Csv };

struct BatchOptions {
  unsigned threads = 1;
  BatchInputFormat input_format = BatchInputFormat::Auto;  // Auto: by extension, else by content
  BatchOutputFormat output_format = BatchOutputFormat::Jsonl;
  bool strict = false;
  bool explain = false;                // JSON Lines only
  bool what_if = false;                // JSON Lines only
  bool source_key = false;             // results carry "source" (several inputs)
  size_t max_record_bytes = 1u << 20;  // a longer line or CSV record is a `limit` error row
  size_t chunk_records = 64;           // a chunk's output (~0.7 MB of JSON Lines) stays in the core's cache
  size_t chunk_bytes = 256u << 10;
  size_t duplicate_names = 10;  // how many duplicate ids the summary names
};

// Where rows go. write() returns false on failure (with error() saying why); the batch stops.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual bool write(std::string_view data) = 0;
  // The pieces one after the other: the same as write() of each in turn, which is what this
  // default does.
  virtual bool write_pieces(const std::string_view* pieces, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (!write(pieces[i])) return false;
    }
    return true;
  }
  [[nodiscard]] virtual std::string error() const = 0;
};

struct BatchInput {
  std::string path;   // "-" = standard input
  std::string label;  // the name in `source` and in the summary
};

struct FileStats {
  std::string name;
  uint64_t records = 0;
  uint64_t errors = 0;
  uint64_t blank_lines = 0;
  std::string format;                 // "jsonl" | "csv" (empty when the file could not be opened)
  std::string error;                  // file error (cannot open/read; CSV header unusable); empty if none
  std::string error_kind;             // "io" | a result-format error kind (missing_id, duplicate_key, ...)
  std::vector<std::string> warnings;  // header warnings (unknown columns)
};

struct BatchStats {
  uint64_t records = 0;  // data records read (every one written as a result or an error row)
  uint64_t results = 0;
  uint64_t errors = 0;
  uint64_t blank_lines = 0;
  std::vector<std::vector<uint64_t>> by_output;  // [output][code] counts over results
  std::map<std::string, uint64_t> errors_by_kind;
  uint64_t duplicate_ids = 0;                // records whose id an earlier record already had
  std::vector<std::string> duplicate_first;  // the first distinct duplicated ids, in order
  std::vector<FileStats> files;
  bool write_failed = false;
  std::string write_error;
  bool complete = false;  // every input read and every row written
  double seconds = 0;
  [[nodiscard]] bool file_errors() const;
};

struct BatchProgress {
  uint64_t records = 0;      // rows written so far
  uint64_t bytes_done = 0;   // input bytes behind those rows (all inputs)
  uint64_t bytes_total = 0;  // sum of the inputs' sizes; 0 when unknown (a pipe among them)
  double seconds = 0;
};

// Runs the batch on `threads` threads (with one, the calling thread; with more, new threads while
// the calling thread waits). `progress` (optional) is called after each chunk is written, by
// whichever thread wrote it, never by two at once.
// Never throws for bad input (std::bad_alloc aside).
BatchStats run_batch(const RuleSetModel& m, const std::vector<BatchInput>& inputs, const BatchOptions& opt,
                     OutputSink& sink, const std::function<void(const BatchProgress&)>& progress = {});

// The CSV header line (with '\n') for the rule set's outputs: id, each output's column
// (the last segment of its key), missing, error, ruleset_sha256 (and source when asked).
// Outputs named in result-format.md's header come in its order (state, estro_eortc,
// omd_definition, sbrt, oligorare), any other output after them in declaration order.
std::string batch_csv_header(const RuleSetModel& m, bool source_column);

// The outputs in CSV column order (indices into m.outputs).
std::vector<uint32_t> batch_csv_columns(const RuleSetModel& m);

// Appends `cell` to `out` as one CSV cell: a leading = + - @ TAB or CR is prefixed with '\''
// (spreadsheet formula injection); quoted (RFC 4180) when it holds , " CR or LF or was prefixed
// with a leading TAB/CR.
void append_csv_cell(std::string_view cell, std::string& out);

// The summary as JSON (keys of result-format.md "Batch summary"), with a trailing newline.
std::string batch_summary_json(const RuleSetModel& m, const BatchStats& s);

// The summary for people (stderr), several lines.
std::string batch_summary_text(const RuleSetModel& m, const BatchStats& s);

}  // namespace oligoscreen::detail
