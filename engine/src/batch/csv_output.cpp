// CSV output of a batch: header, cell escaping and rows (result-format.md "CSV").
#include "batch/csv_output.hpp"

#include <charconv>

#include "batch/batch.hpp"

namespace oligoscreen::detail {

void append_csv_cell(std::string_view cell, std::string& out) {
  bool prefix = false;
  bool quote = false;
  if (!cell.empty()) {
    const char c0 = cell.front();
    prefix = c0 == '=' || c0 == '+' || c0 == '-' || c0 == '@' || c0 == '\t' || c0 == '\r';
    quote = c0 == '\t' || c0 == '\r';
  }
  if (!quote) {
    for (char ch : cell) {
      if (ch == ',' || ch == '"' || ch == '\n' || ch == '\r') {
        quote = true;
        break;
      }
    }
  }
  if (!quote) {
    if (prefix) out += '\'';
    out.append(cell);
    return;
  }
  out += '"';
  if (prefix) out += '\'';
  for (char ch : cell) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

namespace {
std::string column_name(const OutputDef& o) {
  size_t dot = o.key.rfind('.');
  return dot == std::string::npos ? o.key : o.key.substr(dot + 1);
}
}  // namespace

std::vector<uint32_t> batch_csv_columns(const RuleSetModel& m) {
  // The column order result-format.md fixes for the outputs it names, then any other output.
  static constexpr const char* kSpecOrder[] = {"state", "estro_eortc", "omd_definition", "sbrt", "oligorare"};
  std::vector<uint32_t> cols;
  std::vector<bool> used(m.outputs.size(), false);
  for (const char* name : kSpecOrder) {
    for (uint32_t o = 0; o < m.outputs.size(); ++o) {
      if (!used[o] && column_name(m.outputs[o]) == name) {
        cols.push_back(o);
        used[o] = true;
        break;
      }
    }
  }
  for (uint32_t o = 0; o < m.outputs.size(); ++o) {
    if (!used[o]) cols.push_back(o);
  }
  return cols;
}

std::string batch_csv_header(const RuleSetModel& m, bool source_column) {
  std::string h = "id";
  for (uint32_t o : batch_csv_columns(m)) {
    h += ',';
    append_csv_cell(column_name(m.outputs[o]), h);
  }
  h += ",missing,error,ruleset_sha256";
  if (source_column) h += ",source";
  h += '\n';
  return h;
}

namespace {

// Appends field_path(schema, ref) without building it.
void append_field_path(const Schema& schema, FieldRef ref, std::string& out) {
  const uint32_t slot = ref_slot(ref);
  if (slot >= schema.fields.size()) {
    out += '?';
    return;
  }
  const FieldDef& f = schema.fields[slot];
  out += f.path;
  if (const uint32_t elem1 = ref_elem1(ref); elem1 != 0) {
    char buf[16];
    buf[0] = '[';
    char* end = std::to_chars(buf + 1, buf + sizeof buf - 1, elem1 - 1).ptr;
    *end++ = ']';
    out.append(buf, static_cast<size_t>(end - buf));
  }
  if (const uint32_t sub1 = ref_sub1(ref); sub1 != 0) {
    out += '.';
    if (sub1 - 1 < f.fields.size()) {
      out += f.fields[sub1 - 1].path;
    } else {
      out += '?';
    }
  }
}

}  // namespace

CsvRowWriter::CsvRowWriter(const RuleSetModel& m) : m_(m), columns_(batch_csv_columns(m)) {
  for (uint32_t o : columns_) {
    auto& cells = code_cells_.emplace_back();
    for (const auto& code : m.schema.enums[m.outputs[o].enum_id].values) {
      std::string cell(1, ',');
      append_csv_cell(code, cell);
      cells.push_back(std::move(cell));
    }
    no_codes_ += ',';
  }
  set_source({});
}

void CsvRowWriter::set_source(std::string_view source) {
  tail_.assign(1, ',');
  tail_ += m_.sha256;
  if (!source.empty()) {
    tail_ += ',';
    append_csv_cell(source, tail_);
  }
  tail_ += '\n';
}

void CsvRowWriter::row(const std::string* id, const Assessment* a, const std::vector<InputError>& errors,
                       std::string& out) {
  append_csv_cell(id ? std::string_view(*id) : std::string_view(), out);
  if (a) {
    for (size_t c = 0; c < columns_.size(); ++c) out += code_cells_[c][a->outputs[columns_[c]].code];
    out += ',';
    scratch_.clear();
    for (const auto& mf : a->missing) {
      if (!scratch_.empty()) scratch_ += ';';
      append_field_path(m_.schema, mf.ref, scratch_);
    }
    append_csv_cell(scratch_, out);
    out += ',';
  } else {
    out += no_codes_;
    out.append(",,", 2);
    if (!errors.empty()) {
      scratch_ = errors.front().kind;
      scratch_.append(": ", 2);
      scratch_ += errors.front().message;
      append_csv_cell(scratch_, out);
    }
  }
  out += tail_;
}

}  // namespace oligoscreen::detail
