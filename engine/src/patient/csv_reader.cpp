#include "patient/csv_reader.hpp"

#include <cstdint>
#include <cstring>

#include "patient/scalar_parse.hpp"

namespace oligoscreen::detail {

using namespace scalar;  // NOLINT(google-build-using-namespace): the readers' shared toolkit

namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";

uint32_t count_newlines(const char* p, size_t n) {
  uint32_t lines = 0;
  const char* end = p + n;
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (nl == nullptr) break;
    ++lines;
    p = static_cast<const char*>(nl) + 1;
  }
  return lines;
}

// How far a record whose limit falls inside a quoted field is read on to find its end.
constexpr size_t kQuotedLookahead = 8;

enum class Tail { End, Invalid, NeedMore };

// Reads on from buf[from], inside a quoted field, to the record's end as RFC 4180 has it,
// without keeping anything. End: `end` is after the record's line end (or at size at EOF).
// Invalid: the text is no RFC 4180 record continuation (a quote inside an unquoted field, a
// byte after a closing quote other than , CR LF, a bare CR, EOF inside the quote), or it does
// not end before `bound`. NeedMore: buf ends first (!eof, size < bound).
Tail quoted_tail(const char* buf, size_t size, size_t from, size_t bound, bool eof, size_t& end) {
  enum { kQuoted, kAfterQuote, kCellStart, kUnquoted } st = kQuoted;
  const size_t lim = size < bound ? size : bound;
  size_t i = from;
  auto line_end = [&](size_t at) -> int {  // 1 = End, 0 = Invalid, -1 = undecided (buffer end)
    if (buf[at] == '\n') {
      end = at + 1;
      return 1;
    }
    if (at + 1 == lim) return -1;
    if (buf[at + 1] != '\n') return 0;
    end = at + 2;
    return 1;
  };
  while (i < lim) {
    if (st == kQuoted) {
      const void* q = std::memchr(buf + i, '"', lim - i);
      if (q == nullptr) {
        i = lim;
        break;
      }
      i = static_cast<size_t>(static_cast<const char*>(q) - buf) + 1;
      st = kAfterQuote;
      continue;
    }
    const char c = buf[i];
    if (st == kCellStart) {
      st = c == '"' ? kQuoted : kUnquoted;
      if (c == '"') ++i;
      continue;
    }
    if (st == kAfterQuote && c == '"') {  // "" inside the quote
      st = kQuoted;
      ++i;
      continue;
    }
    if (c == ',') {
      st = kCellStart;
      ++i;
      continue;
    }
    if (c == '\n' || c == '\r') {
      const int e = line_end(i);
      if (e == 1) return Tail::End;
      if (e == 0) return Tail::Invalid;
      break;  // a CR at the buffer's end
    }
    if (st == kAfterQuote || c == '"') return Tail::Invalid;
    ++i;  // unquoted text
  }
  if (lim == size && eof) {
    if (st == kQuoted) return Tail::Invalid;
    end = size;  // the last record, without a line break (a CR at the very end included)
    return Tail::End;
  }
  return lim == bound ? Tail::Invalid : Tail::NeedMore;
}

}  // namespace

CsvSplitter::CsvSplitter(size_t max_record_bytes) : max_(max_record_bytes < 2 ? 2 : max_record_bytes) {}

CsvSplit CsvSplitter::split(const char* buf, size_t size, size_t pos, bool eof, std::vector<std::string_view>& cells,
                            uint32_t first_line) {
  CsvSplit r;
  r.next = pos;
  cells.clear();
  spans_.clear();
  cell_pos_.clear();
  scratch_.clear();
  if (pos > size) pos = size;

  if (skipping_) {  // the rest of an over-long line, already reported and counted
    const void* nl = std::memchr(buf + pos, '\n', size - pos);
    if (nl == nullptr) {
      if (eof) skipping_ = false;
      r.status = CsvStatus::NeedMore;
      r.next = size;
      return r;
    }
    skipping_ = false;
    pos = static_cast<size_t>(static_cast<const char*>(nl) - buf) + 1;
    r.next = pos;
  }
  r.begin = pos;

  size_t start = pos;
  if (at_start_) {
    const size_t avail = size - pos;
    if (avail < 3 && !eof && std::memcmp(buf + pos, kBom, avail) == 0) {
      r.status = CsvStatus::NeedMore;
      return r;
    }
    if (avail >= 3 && std::memcmp(buf + pos, kBom, 3) == 0) start = pos + 3;
  }
  if (start == size) {
    r.status = CsvStatus::NeedMore;
    if (eof) r.next = size;
    return r;
  }

  // Blank lines.
  if (buf[start] == '\n' || buf[start] == '\r') {
    size_t end = 0;
    if (buf[start] == '\n') {
      end = start + 1;
    } else if (start + 1 < size && buf[start + 1] == '\n') {
      end = start + 2;
    } else if (start + 1 == size) {
      if (!eof) {
        r.status = CsvStatus::NeedMore;
        return r;
      }
      end = size;  // a lone CR at the very end
    }
    if (end != 0) {
      at_start_ = false;
      r.status = CsvStatus::Blank;
      r.next = end;
      r.lines = 1;
      return r;
    }
  }

  // Only a byte past the limit decides: a last record of exactly max_ bytes (no line end) is
  // within it.
  const bool window_limited = size - start > max_;
  const size_t limit_end = window_limited ? start + max_ : size;
  uint32_t line = 1;
  size_t line_start = start;

  auto col_of = [&](size_t at) { return static_cast<uint32_t>(at - line_start + 1); };
  auto make_error = [&](const char* kind, uint32_t at_line, uint32_t col, size_t at, const char* message) {
    r.status = CsvStatus::Error;
    r.error = InputError{};
    r.error.kind = kind;
    r.error.pos = Pos{first_line + at_line - 1, col, static_cast<uint32_t>(at - start)};
    r.error.message = message;
  };
  // Ends an erroneous record after the physical line holding byte `from`; may ask for more data.
  auto finish_error_at_line_end = [&](size_t from) {
    const void* nl = std::memchr(buf + from, '\n', size - from);
    if (nl != nullptr) {
      r.next = static_cast<size_t>(static_cast<const char*>(nl) - buf) + 1;
      r.lines = count_newlines(buf + pos, r.next - pos);
    } else if (eof) {
      r.next = size;
      r.lines = count_newlines(buf + pos, size - pos) + 1;
    } else if (!window_limited) {
      r = CsvSplit{};
      r.status = CsvStatus::NeedMore;
      r.next = pos;
      return;
    } else {
      skipping_ = true;
      r.next = size;
      r.lines = count_newlines(buf + pos, size - pos) + 1;
    }
    at_start_ = false;
  };
  // The record did not end within buf[start..limit_end); `resume` is where a quoted field
  // open at limit_end goes on (its text, or its undecided last quote).
  auto incomplete = [&](bool in_quotes, uint32_t quote_line, uint32_t quote_col, size_t quote_at, size_t resume) {
    if (!window_limited && !eof) {
      r.status = CsvStatus::NeedMore;
      r.next = pos;
      return;
    }
    if (!window_limited) {  // eof inside a quoted field: a truncated record
      make_error("syntax", 1, quote_line == 1 ? quote_col : 1, quote_line == 1 ? quote_at : start,
                 "truncated record: unterminated quoted field");
      finish_error_at_line_end(start);
      return;
    }
    size_t tail_end = 0;
    if (in_quotes) {
      const size_t look = max_ <= SIZE_MAX / kQuotedLookahead ? max_ * kQuotedLookahead : SIZE_MAX;
      const size_t bound = look < SIZE_MAX - start ? start + look : SIZE_MAX;
      switch (quoted_tail(buf, size, resume, bound, eof, tail_end)) {
        case Tail::NeedMore:
          r.status = CsvStatus::NeedMore;
          r.next = pos;
          return;
        case Tail::Invalid:
          tail_end = 0;
          break;
        case Tail::End:
          break;
      }
    }
    make_error("limit", line, col_of(limit_end), limit_end, "");
    r.error.message = "record longer than the limit of ";
    append_number(r.error.message, static_cast<double>(max_));
    r.error.message += " bytes";
    if (tail_end != 0) {  // a long quoted record that ends well: one error, read on after it
      r.next = tail_end;
      r.lines = count_newlines(buf + pos, tail_end - pos) + (buf[tail_end - 1] == '\n' ? 0U : 1U);
      at_start_ = false;
    } else if (in_quotes && std::memchr(buf + start, '\n', limit_end - start) != nullptr) {
      // Most likely an unterminated quote: resume after the record's first line.
      r.error.message += " (unterminated quoted field?)";
      r.error.pos = Pos{first_line, quote_line == 1 ? quote_col : 1, 0};
      finish_error_at_line_end(start);
    } else {
      finish_error_at_line_end(limit_end);
    }
  };
  auto finish_record = [&](size_t next) {
    r.status = CsvStatus::Record;
    r.next = next;
    r.lines = line;
    at_start_ = false;
    cells.reserve(spans_.size());
    for (const Span& s : spans_) {
      cells.emplace_back(s.in_scratch ? std::string_view(scratch_).substr(s.begin, s.len)
                                      : std::string_view(buf + s.begin, s.len));
    }
  };
  // At a line end candidate buf[at] ('\n' or '\r'): true when the record ends there (r done or
  // NeedMore/Error set); sets `ended`.
  auto end_of_line = [&](size_t at) -> bool {
    if (buf[at] == '\n') {
      finish_record(at + 1);
      return true;
    }
    // '\r'
    if (at + 1 < size && buf[at + 1] == '\n') {
      if (at + 1 == limit_end) {  // the LF of the CRLF is one byte over the limit
        incomplete(false, 0, 0, 0, 0);
        return true;
      }
      finish_record(at + 2);
      return true;
    }
    if (at + 1 == size) {
      if (!eof) {
        r.status = CsvStatus::NeedMore;
        r.next = pos;
        return true;
      }
      finish_record(size);
      return true;
    }
    make_error("syntax", line, col_of(at), at, "bare carriage return (line breaks must be LF or CRLF)");
    finish_error_at_line_end(at);
    return true;
  };

  size_t i = start;
  for (;;) {  // one cell per iteration
    CsvCellPos cp{line, col_of(i), static_cast<uint32_t>(i - start), false};
    if (i < limit_end && buf[i] == '"') {
      cp.quoted = true;
      const size_t open = i;
      const uint32_t open_line = line;
      const uint32_t open_col = cp.col;
      ++i;
      size_t seg = i;
      bool escaped = false;
      const size_t scratch_begin = scratch_.size();
      size_t close = 0;
      for (;;) {
        const void* q = std::memchr(buf + i, '"', limit_end - i);
        const size_t stop = q != nullptr ? static_cast<size_t>(static_cast<const char*>(q) - buf) : limit_end;
        // Track physical lines inside the quoted text.
        for (const char* p = buf + i; p < buf + stop;) {
          const void* nl = std::memchr(p, '\n', static_cast<size_t>(buf + stop - p));
          if (nl == nullptr) break;
          ++line;
          p = static_cast<const char*>(nl) + 1;
          line_start = static_cast<size_t>(p - buf);
        }
        if (q == nullptr) {
          incomplete(true, open_line, open_col, open, limit_end);
          return r;
        }
        if (stop + 1 < limit_end && buf[stop + 1] == '"') {  // "" -> "
          scratch_.append(buf + seg, stop + 1 - seg);
          escaped = true;
          i = stop + 2;
          seg = i;
          continue;
        }
        if (stop + 1 == limit_end && (window_limited || !eof)) {
          // Cannot tell a closing quote from the first half of "" yet.
          incomplete(true, open_line, open_col, open, stop);
          return r;
        }
        close = stop;
        break;
      }
      if (escaped) {
        scratch_.append(buf + seg, close - seg);
        spans_.push_back({scratch_begin, scratch_.size() - scratch_begin, true});
      } else {
        spans_.push_back({open + 1, close - open - 1, false});
      }
      cell_pos_.push_back(cp);
      const size_t k = close + 1;
      if (k == size) {  // eof here (checked above)
        finish_record(size);
        return r;
      }
      if (buf[k] == ',') {
        i = k + 1;
        continue;
      }
      if (buf[k] == '\n' || buf[k] == '\r') {
        end_of_line(k);
        return r;
      }
      make_error("syntax", line, col_of(k), k, "unexpected character after a closing quote");
      finish_error_at_line_end(k);
      return r;
    }
    // Unquoted cell.
    size_t j = i;
    while (j < limit_end) {
      const char c = buf[j];
      if (c == ',' || c == '\n' || c == '\r' || c == '"') break;
      ++j;
    }
    if (j == limit_end) {
      if (window_limited || !eof) {
        incomplete(false, 0, 0, 0, 0);
        return r;
      }
      spans_.push_back({i, j - i, false});
      cell_pos_.push_back(cp);
      finish_record(size);  // last line without a line break
      return r;
    }
    if (buf[j] == '"') {
      make_error("syntax", line, col_of(j), j, "quote inside an unquoted field");
      finish_error_at_line_end(j);
      return r;
    }
    spans_.push_back({i, j - i, false});
    cell_pos_.push_back(cp);
    if (buf[j] == ',') {
      i = j + 1;
      continue;
    }
    end_of_line(j);
    return r;
  }
}

// ---------------------------------------------------------------- header

bool CsvHeader::parse(const Schema& schema, const std::vector<std::string_view>& cells, InputError& error,
                      std::vector<PatientWarning>& warnings, bool strict, const std::vector<CsvCellPos>* positions,
                      uint32_t first_line) {
  slots_.assign(cells.size(), -1);
  id_column_ = -1;
  auto pos_of = [&](size_t c) {
    if (positions == nullptr || c >= positions->size()) return Pos{first_line, 0, 0};
    const CsvCellPos& p = (*positions)[c];
    return Pos{first_line + p.line - 1, p.col, p.offset};
  };
  auto name_of = [&](size_t c) {
    std::string_view n = cells[c];
    if (c == 0 && n.size() >= 3 && n.substr(0, 3) == kBom) n.remove_prefix(3);
    return n;
  };
  for (size_t c = 0; c < cells.size(); ++c) {
    const std::string_view name = name_of(c);
    for (size_t d = 0; d < c; ++d) {
      if (name_of(d) != name) continue;
      error = InputError{};
      error.kind = "duplicate_key";
      append_clean(error.field, name, 256);
      error.pos = pos_of(c);
      error.message = error.field + ": duplicate column (columns ";
      append_number(error.message, static_cast<double>(d + 1));
      error.message += " and ";
      append_number(error.message, static_cast<double>(c + 1));
      error.message += ')';
      return false;
    }
    const int slot = schema.find(name);
    if (slot >= 0) {
      slots_[c] = slot;
      const FieldDef& f = schema.fields[static_cast<size_t>(slot)];
      if (f.record_id || slot == schema.record_id_slot) id_column_ = static_cast<int>(c);
      continue;
    }
    DidYouMean dym(name);
    for (const FieldDef& f : schema.fields) dym.offer(f.path);
    std::string m = unknown_message("column", name, "", dym.best());
    std::string field;
    append_clean(field, name, 256);
    if (strict) {
      error = InputError{};
      error.kind = "unknown_field";
      error.field = std::move(field);
      error.pos = pos_of(c);
      error.message = std::move(m);
      return false;
    }
    warnings.push_back(PatientWarning{"unknown_field", std::move(field), std::move(m), pos_of(c)});
  }
  if (id_column_ < 0 && schema.record_id_slot >= 0) {
    error = InputError{};
    error.kind = "missing_id";
    error.field = schema.fields[static_cast<size_t>(schema.record_id_slot)].path;
    error.pos = Pos{first_line, 1, 0};
    error.message = error.field + ": missing column (the record identifier)";
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- records

namespace {

struct CsvRecordReader {
  const Schema& schema;
  const ReadOptions& opt;
  Patient& out;
  std::vector<InputError>& errors;
  uint32_t first_line;
  const std::vector<CsvCellPos>* positions;
  SlotSet present;

  // Position of byte `at` of cell c's text (lists: items inside the cell).
  [[nodiscard]] Pos pos_at(size_t c, size_t at) const {
    if (positions == nullptr || c >= positions->size()) return Pos{first_line, 0, 0};
    const CsvCellPos& p = (*positions)[c];
    const uint32_t q = p.quoted ? 1U : 0U;
    return Pos{first_line + p.line - 1, p.col + q + static_cast<uint32_t>(at),
               p.offset + q + static_cast<uint32_t>(at)};
  }

  // Converts `text` (non-empty) for field f; on error reports it under `ref`'s path.
  bool convert(const FieldDef& f, std::string_view text, FieldRef ref, Pos pos, Value& v) {
    ScalarError se;
    if (convert_scalar(schema, f, text, Lexical::Bare, BoolSyntax::Csv, out.texts, v, se)) return true;
    add_scalar_error(errors, field_path(schema, ref), pos, se, pos.offset);
    return false;
  }

  void read_cell(const FieldDef& f, size_t c, std::string_view text) {
    if (text.empty()) return;  // unknown
    present.set(f.slot);
    const FieldRef ref = make_ref(f.slot);
    const Pos pos = pos_at(c, 0);
    if (f.type != FieldType::List) {
      Value v;
      if (!convert(f, text, ref, pos, v)) return;
      out.values[f.slot] = v;
      out.value_pos[f.slot] = pos;
      if (f.record_id) {
        out.id.assign(text);
        out.has_id = true;
      }
      return;
    }
    const bool none_is_value = f.of == ListOf::Enum && f.enum_id >= 0 &&
                               static_cast<size_t>(f.enum_id) < schema.enums.size() &&
                               schema.enums[static_cast<size_t>(f.enum_id)].index_of("none") >= 0;
    if (text == "none" && !none_is_value) {
      out.values[f.slot] = Value::list_of(nullptr, 0, static_cast<uint32_t>(out.items.size()));
      out.value_pos[f.slot] = pos;
      return;
    }
    size_t count = 1;
    for (char ch : text) count += ch == ';' ? 1U : 0U;
    if (too_many_items(f, count)) {
      add_limit_error(errors, field_path(schema, ref), pos, count, f.max_items);
      return;
    }
    const auto n = static_cast<uint32_t>(count);
    if (f.of == ListOf::Record) {
      read_records(f, c, text, n);
    } else {
      read_enum_items(f, c, text, n);
    }
    out.value_pos[f.slot] = pos;
  }

  void read_enum_items(const FieldDef& f, size_t c, std::string_view text, uint32_t n) {
    const auto first = static_cast<uint32_t>(out.items.size());
    size_t at = 0;
    for (uint32_t i = 0; i < n; ++i) {
      size_t end = text.find(';', at);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view item = text.substr(at, end - at);
      const Pos pos = pos_at(c, at);
      const FieldRef ref = make_ref(f.slot, i + 1);
      Value v;
      Pos vpos;
      if (item.empty()) {
        add_error(errors, "type", field_path(schema, ref), pos, "empty item");
      } else {
        ScalarError se;
        if (convert_enum_item(schema, f.enum_id, item, Lexical::Bare, v, se)) {
          vpos = pos;
        } else {
          add_scalar_error(errors, field_path(schema, ref), pos, se, pos.offset);
        }
      }
      out.items.push_back(v);
      out.item_pos.push_back(vpos);
      at = end + 1;
    }
    out.values[f.slot] = Value::list_of(nullptr, n, first);
  }

  void read_records(const FieldDef& f, size_t c, std::string_view text, uint32_t n) {
    const auto k = static_cast<uint32_t>(f.fields.size());
    const uint32_t base = append_record_items(out, f.slot, n, k);
    size_t at = 0;
    for (uint32_t i = 0; i < n; ++i) {
      size_t end = text.find(';', at);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view rec = text.substr(at, end - at);
      const Pos rec_pos = pos_at(c, at);
      size_t parts = 1;
      for (char ch : rec) parts += ch == ':' ? 1U : 0U;
      if (parts != k) {
        std::string m = "expected ";
        append_number(m, k);
        m += " sub-fields (";
        for (uint32_t s = 0; s < k; ++s) {
          if (s != 0) m += ':';
          m += f.fields[s].path;
        }
        m += "), found ";
        append_number(m, static_cast<double>(parts));
        add_error(errors, "type", field_path(schema, make_ref(f.slot, i + 1)), rec_pos, m);
        at = end + 1;
        continue;
      }
      out.item_pos[base + i] = rec_pos;
      const uint32_t subs = base + n + i * k;
      size_t sat = at;
      for (uint32_t s = 0; s < k; ++s) {
        size_t send = text.find(':', sat);
        if (send == std::string_view::npos || send > end) send = end;
        const std::string_view part = text.substr(sat, send - sat);
        const FieldDef& sf = f.fields[s];
        const FieldRef ref = make_ref(f.slot, i + 1, s + 1);
        const Pos pos = pos_at(c, sat);
        if (part.empty()) {
          if (sf.required) add_error(errors, "missing_field", field_path(schema, ref), pos, "missing (required)");
        } else if (sf.type == FieldType::List) {
          add_error(errors, "type", field_path(schema, ref), pos, "lists inside CSV lesion records are not supported");
        } else {
          Value v;
          if (convert(sf, part, ref, pos, v)) {
            out.items[subs + s] = v;
            out.item_pos[subs + s] = pos;
          }
        }
        sat = send + 1;
      }
      at = end + 1;
    }
    out.values[f.slot] = Value::list_of(nullptr, n, base);
  }
};

}  // namespace

bool read_patient_csv(const Schema& schema, const CsvHeader& header, const std::vector<std::string_view>& cells,
                      uint32_t first_line, const ReadOptions& opt, Patient& out, std::vector<InputError>& errors,
                      const std::vector<CsvCellPos>* positions) {
  const size_t errors_before = errors.size();
  out.reset(schema.fields.size());
  out.start = Pos{first_line, 1, 0};
  if (cells.size() != header.columns()) {
    std::string m = "expected ";
    append_number(m, static_cast<double>(header.columns()));
    m += " fields, found ";
    append_number(m, static_cast<double>(cells.size()));
    add_error(errors, "syntax", "", Pos{first_line, 1, 0}, m);
    out.link();
    return false;
  }
  CsvRecordReader r{schema, opt, out, errors, first_line, positions, {}};
  for (size_t c = 0; c < cells.size(); ++c) {
    const int slot = header.slot(c);
    if (slot < 0 || static_cast<size_t>(slot) >= schema.fields.size()) continue;
    r.read_cell(schema.fields[static_cast<size_t>(slot)], c, cells[c]);
  }
  check_required(schema, r.present, out.start, errors);
  out.link();
  return errors.size() == errors_before;
}

}  // namespace oligoscreen::detail
