// Rows of a batch's CSV output (result-format.md "CSV"): the rule set's cells (codes, the
// ruleset hash) escaped once, then each row is mostly copying.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "assess/assessment.hpp"
#include "patient/patient.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

class CsvRowWriter {
 public:
  explicit CsvRowWriter(const RuleSetModel& m);

  // The value of the `source` column for the rows that follow (empty: no such column).
  void set_source(std::string_view source);

  // One row with its '\n': a result (`a` non-null) or an error row (`a` null; `errors` may
  // be empty). `id` is null when the record has none.
  void row(const std::string* id, const Assessment* a, const std::vector<InputError>& errors, std::string& out);

 private:
  const RuleSetModel& m_;
  std::vector<uint32_t> columns_;
  std::vector<std::vector<std::string>> code_cells_;  // per column, per code: ',' + the cell
  std::string no_codes_;                              // ',' per column (error rows)
  std::string tail_;                                  // ',' + ruleset_sha256 [',' + source], '\n'
  std::string scratch_;
};

}  // namespace oligoscreen::detail
