// Fuzz target: registry CSV (record splitter, header mapping, record reader, assessment).
//
// Oracles besides "no crash": the splitter always makes progress; an error always has a
// message and a line inside the input; splitting the whole buffer at once and splitting it
// as it arrives in 7-byte pieces (as a streaming reader does) give the same records, errors
// and line numbers; a second pass with a 200-byte record limit exercises the limit path.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "patient/csv_reader.hpp"
#include "result/json_result.hpp"

namespace {

using namespace oligoscreen::detail;

constexpr size_t kMaxInput = 64u << 10;

struct Event {
  CsvStatus status;
  uint32_t line;  // physical line where the record or error starts
  std::string message;
  bool operator==(const Event&) const = default;
};

uint32_t count_lines(std::string_view t) {
  uint32_t n = 1;
  for (char c : t) n += c == '\n';
  return n;
}

// Splits text, feeding `chunk` more bytes whenever the splitter asks (0 = all at once).
// Calls on_record for each record. Returns the events.
template <class F>
std::vector<Event> split_all(std::string_view text, size_t max_record, size_t chunk, F&& on_record) {
  CsvSplitter splitter(max_record);
  std::vector<Event> events;
  std::vector<std::string_view> cells;
  size_t pos = 0;
  size_t avail = chunk == 0 ? text.size() : std::min(chunk, text.size());
  uint32_t line = 1;
  const uint32_t total_lines = count_lines(text);
  for (size_t guard = 0;; ++guard) {
    if (guard > 4 * text.size() + 16) __builtin_trap();  // no progress
    bool eof = avail == text.size();
    cells.clear();
    CsvSplit s = splitter.split(text.data(), avail, pos, eof, cells, line);
    if (s.status == CsvStatus::NeedMore) {
      if (eof) {
        if (pos != text.size()) __builtin_trap();  // input left over at EOF
        break;
      }
      if (s.next != pos && s.next != avail) __builtin_trap();
      line += s.lines;  // non-zero only while skipping the rest of an over-long line
      pos = s.next;
      avail = std::min(text.size(), avail + chunk);
      continue;
    }
    if (s.next <= pos && s.status != CsvStatus::Error) __builtin_trap();
    if (s.status == CsvStatus::Error) {
      if (s.error.message.empty() || s.error.pos.line < line || s.error.pos.line > total_lines) __builtin_trap();
      events.push_back({s.status, line, s.error.message});
    } else if (s.status == CsvStatus::Record) {
      events.push_back({s.status, line, {}});
      on_record(cells, splitter.cell_positions(), line);
    }
    if (s.next < pos || s.next > avail) __builtin_trap();
    if (s.next == pos) __builtin_trap();
    line += s.lines;
    pos = s.next;
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  const RuleSetModel& m = oligoscreen::fuzz::embedded_model();
  std::string_view text = oligoscreen::fuzz::as_text(data, size);

  CsvHeader header;
  bool have_header = false, header_ok = false;
  Patient patient;
  AssessScratch scratch;
  Assessment assessment;
  std::vector<InputError> errors;
  std::vector<PatientWarning> warnings;
  std::string out;
  uint32_t record = 0;
  auto on_record = [&](const std::vector<std::string_view>& cells, const std::vector<CsvCellPos>& pos, uint32_t line) {
    if (!have_header) {
      have_header = true;
      InputError err;
      header_ok = header.parse(m.schema, cells, err, warnings, (size % 3) == 0, &pos, line);
      if (!header_ok && err.message.empty()) __builtin_trap();
      return;
    }
    if (!header_ok) return;
    ++record;
    errors.clear();
    ReadOptions ro;
    RenderOptions render;
    out.clear();
    bool ok = read_patient_csv(m.schema, header, cells, line, ro, patient, errors, &pos);
    if (ok) {
      AssessOptions ao;
      ao.what_if = (record % 2) == 1;
      assess(m, patient, ao, scratch, assessment);
      errors = assessment.contradictions;  // a contradiction makes the record an error result
      ok = errors.empty();
      if (ok) render_result_json(m, patient, assessment, render, out);
    }
    if (!ok) {
      if (errors.empty()) __builtin_trap();
      for (const auto& e : errors) {
        if (e.pos.valid() && e.pos.line < line) __builtin_trap();
      }
      render_error_json(m, patient.has_id ? &patient.id : nullptr, record, line, errors, render, out);
    }
  };
  auto whole = split_all(text, 1u << 20, 0, on_record);
  auto ignore = [](const std::vector<std::string_view>&, const std::vector<CsvCellPos>&, uint32_t) {};
  auto pieces = split_all(text, 1u << 20, 7, ignore);
  if (whole != pieces) __builtin_trap();  // streaming must not change what is read
  (void)split_all(text, 200, 0, ignore);
  return 0;
}
