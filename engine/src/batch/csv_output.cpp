// CSV output of a batch: header and cell escaping (result-format.md "CSV").
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

}  // namespace oligoscreen::detail
