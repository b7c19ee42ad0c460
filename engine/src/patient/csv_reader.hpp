// Registry CSV: record splitting (RFC 4180), header mapping and one record -> Patient.
//
// The contract is shared/spec/patient-format.md ("CSV (registry)"); scalar typing and the
// wording of value messages are shared with the YAML/JSON reader (patient/scalar_parse.hpp).
// CSV-specific wording:
//   syntax  "expected 18 fields, found 17"                      (column count, C1)
//           "truncated record: unterminated quoted field"       (C2, C11; at the record's first line)
//           "quote inside an unquoted field"                    (at the quote)
//           "unexpected character after a closing quote"        (at that character)
//           "bare carriage return (line breaks must be LF or CRLF)"
//   limit   "record longer than the limit of 1048576 bytes"     (C9)
//   type    "imaging[1]: empty item", "lesions[0]: expected 4 sub-fields
//            (site:size_mm:status:treatable), found 3"
//   header  missing_id "id: missing column (the record identifier)";
//           duplicate_key "age: duplicate column (columns 2 and 5)";
//           warning unknown_field "unknown column 'agee' (did you mean 'age'?)"
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "patient/patient.hpp"
#include "patient/patient_reader.hpp"
#include "rules/schema.hpp"

namespace oligoscreen::detail {

enum class CsvStatus { Record, Blank, NeedMore, Error };

struct CsvSplit {
  CsvStatus status = CsvStatus::NeedMore;
  size_t begin = 0;    // Record, Blank, Error: where this record starts (see CsvSplitter::split)
  size_t next = 0;     // where the next call starts (see CsvSplitter::split)
  uint32_t lines = 0;  // physical lines consumed from begin to next
  InputError error;    // Error only
};

// Where a cell starts, relative to its record: line 1 = the record's first physical line; col
// = 1-based byte column (a leading BOM not counted); offset = bytes from the record's start
// (after a BOM); quoted = the cell was written in quotes (its text starts one byte later).
struct CsvCellPos {
  uint32_t line = 1;
  uint32_t col = 1;
  uint32_t offset = 0;
  bool quoted = false;
};

class CsvSplitter {
 public:
  explicit CsvSplitter(size_t max_record_bytes = 1u << 20);

  // Splits one CSV record starting at `pos` in buf[0..size). The first call of a splitter
  // skips a UTF-8 BOM at `pos`. `begin` is where the record (or blank line, or erroneous
  // record) starts: `pos`, or later when the call first skipped the rest of an over-long line
  // (see Error). The record's bytes are buf[begin..next) (a BOM included): callers that keep
  // them must start at `begin`, never at `pos`.
  //  - Record: `cells` holds the record's cells (views into buf or into this splitter, valid
  //    until the next call or until buf changes), cell_positions() their positions; `next` is
  //    after the record's line end (LF or CRLF; or size at EOF for a last line without one),
  //    `lines` the physical lines it took (quoted line breaks included).
  //  - Blank: an empty line (LF or CRLF); next/lines skip it. Not a record.
  //  - NeedMore: no complete record in buf[pos..size) and !eof: keep buf[next..size), append
  //    more and call again with pos at the same byte (next == pos, except while skipping the
  //    rest of an over-long line, when the skipped bytes are consumed: next == size). With eof
  //    and nothing left (pos == size), NeedMore means the input is exhausted.
  //  - Error: `error` (kind syntax or limit; field empty; pos.line = first_line + the line
  //    within the record, pos.col = byte column, pos.offset = bytes from the record start).
  //    Unterminated quote at EOF: "truncated record" named at the record's first line, `next`
  //    after that first physical line (the rest of the input is read again as records). A
  //    quote inside an unquoted field, or a byte other than , CR LF after a closing quote:
  //    `next` after the physical line holding the mistake. A record (line end included) longer
  //    than max_record_bytes: kind limit, `next` after the line where the limit was reached;
  //    when that line's end is not in the buffer yet, next == size, lines counts that line,
  //    and the following calls skip up to its end before reading on. When the limit falls
  //    inside a quoted field, the record is read on (NeedMore, bounded by 8 x
  //    max_record_bytes): if it ends as RFC 4180 allows within that bound, the error is the
  //    limit error at the limit and `next` is after the whole record (a long quoted field
  //    with line breaks is one error, not one per line); otherwise the quote is taken for an
  //    unterminated one: when the record had a line break before the limit, the message ends
  //    " (unterminated quoted field?)", pos is the quote's and `next` is after the record's
  //    first line; else `next` is as above. The limit is decided only with a byte past it in
  //    buf (or at eof), so where buf happens to end never changes what is read.
  // `lines` is always the number of physical lines from the line of `begin` up to `next` (the
  // line end of a skipped over-long line was counted with its error), so a caller that adds
  // them up knows the physical line of every record.
  CsvSplit split(const char* buf, size_t size, size_t pos, bool eof, std::vector<std::string_view>& cells,
                 uint32_t first_line = 1);

  [[nodiscard]] const std::vector<CsvCellPos>& cell_positions() const { return cell_pos_; }

  // Whether the next call skips a UTF-8 BOM at `pos` (true for a new splitter). A splitter
  // that re-splits single records already cut from a file turns it off, so that every record
  // is read alike whichever splitter reads it.
  void set_skip_bom(bool skip) { at_start_ = skip; }

 private:
  struct Span {
    size_t begin;  // in buf, or in scratch_ when in_scratch
    size_t len;
    bool in_scratch;
  };
  size_t max_;
  bool at_start_ = true;
  bool skipping_ = false;
  std::string scratch_;  // cells with "" escapes, unescaped
  std::vector<Span> spans_;
  std::vector<CsvCellPos> cell_pos_;
};

// Column mapping from the header record.
class CsvHeader {
 public:
  // Maps each header cell (a dotted field path; any order) to a top-level field of `schema`.
  // Returns false with `error` set (a file error) when the record-id column is missing
  // (kind missing_id) or a name appears twice (kind duplicate_key, at the second). Unknown
  // columns are ignored with one warning each (code unknown_field), or with `strict` a file
  // error (kind unknown_field). A leading BOM on the first name is ignored. `positions`
  // (from CsvSplitter::cell_positions) and `first_line` place the errors.
  bool parse(const Schema& schema, const std::vector<std::string_view>& cells, InputError& error,
             std::vector<PatientWarning>& warnings, bool strict = false,
             const std::vector<CsvCellPos>* positions = nullptr, uint32_t first_line = 1);

  [[nodiscard]] size_t columns() const { return slots_.size(); }
  // Slot of the field read from column c, or -1 for an ignored column.
  [[nodiscard]] int slot(size_t c) const { return slots_[c]; }
  [[nodiscard]] int id_column() const { return id_column_; }

 private:
  std::vector<int> slots_;
  int id_column_ = -1;
};

// Reads one record's cells into `out` (reset to the schema's slots) and appends every error
// found. Empty cell -> unknown. Scalars as in the YAML reader except booleans (true/false,
// yes/no, 1/0, case-insensitive) and that a CSV cell is never "quoted text" for typing (CSV
// quotes only protect commas). List of Enum: items separated by ';'. List of Record: records
// separated by ';', subfields by ':' in schema order, an empty subfield unknown. For both, an
// empty cell is an unknown list and the single word `none` an empty list (unless `none` is
// one of the enum's values). Wrong column count: one syntax error and nothing else is read.
// Invalid UTF-8 or NUL in a read cell: kind encoding with has_offset (bytes from the record
// start). Errors carry the field path and pos {line = first_line + line within the record,
// col = byte column of the cell (list items: of the item), offset}; `positions` from
// CsvSplitter::cell_positions() (without it, col is 0). Calls out.link(). Returns true when
// no error was appended.
bool read_patient_csv(const Schema& schema, const CsvHeader& header, const std::vector<std::string_view>& cells,
                      uint32_t first_line, const ReadOptions& opt, Patient& out, std::vector<InputError>& errors,
                      const std::vector<CsvCellPos>* positions = nullptr);

}  // namespace oligoscreen::detail
