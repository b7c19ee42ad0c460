// The batch summary (result-format.md "Batch summary"): JSON for --summary, text for stderr.
#include <cmath>
#include <cstdio>

#include "batch/batch.hpp"
#include "json/json_writer.hpp"
#include "oligoscreen/version.hpp"

namespace oligoscreen::detail {

namespace {

const std::string& output_id(const RuleSetModel& m, size_t o) {
  return m.defs[m.output_defs[o]].id;
}

double rate(const BatchStats& s) {
  return s.seconds > 0 ? static_cast<double>(s.records) / s.seconds : 0.0;
}

std::string thousands(uint64_t n) {
  std::string d = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}

}  // namespace

std::string batch_summary_json(const RuleSetModel& m, const BatchStats& s) {
  std::string out;
  JsonWriter w(out, true);
  w.begin_object();
  w.key("records").integer(static_cast<int64_t>(s.records));
  w.key("results").integer(static_cast<int64_t>(s.results));
  w.key("errors").integer(static_cast<int64_t>(s.errors));
  w.key("records_check").boolean(s.records == s.results + s.errors);
  w.key("blank_lines").integer(static_cast<int64_t>(s.blank_lines));
  for (size_t o = 0; o < m.outputs.size(); ++o) {
    w.key("by_" + output_id(m, o)).begin_object();
    const auto& codes = m.schema.enums[m.outputs[o].enum_id].values;
    for (size_t c = 0; c < codes.size(); ++c) w.key(codes[c]).integer(static_cast<int64_t>(s.by_output[o][c]));
    w.end_object();
  }
  w.key("errors_by_kind").begin_object();
  for (const auto& [kind, n] : s.errors_by_kind) w.key(kind).integer(static_cast<int64_t>(n));
  w.end_object();
  w.key("duplicate_ids").begin_object();
  w.key("count").integer(static_cast<int64_t>(s.duplicate_ids));
  w.key("first").begin_array();
  for (const auto& id : s.duplicate_first) w.string(id);
  w.end_array();
  w.end_object();
  w.key("files").begin_array();
  for (const auto& f : s.files) {
    w.begin_object();
    w.key("name").string(f.name);
    if (!f.format.empty()) w.key("format").string(f.format);
    w.key("records").integer(static_cast<int64_t>(f.records));
    w.key("errors").integer(static_cast<int64_t>(f.errors));
    w.key("blank_lines").integer(static_cast<int64_t>(f.blank_lines));
    if (!f.error.empty()) {
      w.key("file_error").begin_object();
      w.key("kind").string(f.error_kind);
      w.key("message").string(f.error);
      w.end_object();
    }
    if (!f.warnings.empty()) {
      w.key("warnings").begin_array();
      for (const auto& x : f.warnings) w.string(x);
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
  w.key("seconds").number(std::round(s.seconds * 1000) / 1000);
  w.key("records_per_second").number(std::round(rate(s)));
  w.key("provenance").begin_object();
  w.key("ruleset").begin_object();
  w.key("id").string(m.manifest.id);
  w.key("version").string(m.manifest.version);
  w.key("sha256").string(m.sha256);
  w.end_object();
  w.key("engine").begin_object();
  w.key("version").string(OLIGOSCREEN_VERSION_STRING);
  w.end_object();
  w.end_object();
  if (s.write_failed) w.key("write_error").string(s.write_error);
  w.key("complete").boolean(s.complete);
  w.end_object();
  out += '\n';
  return out;
}

std::string batch_summary_text(const RuleSetModel& m, const BatchStats& s) {
  std::string t;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.2f s, %s records/s", s.seconds, thousands(static_cast<uint64_t>(rate(s))).c_str());
  t += "batch: " + thousands(s.records) + " records = " + thousands(s.results) + " results + " + thousands(s.errors) +
       " error rows" + (s.records == s.results + s.errors ? " (checked)" : " (MISMATCH)") + ", " + buf + "\n";
  for (size_t o = 0; o < m.outputs.size(); ++o) {
    const auto& codes = m.schema.enums[m.outputs[o].enum_id].values;
    std::string line;
    for (size_t c = 0; c < codes.size(); ++c) {
      if (s.by_output[o][c] == 0) continue;
      line += (line.empty() ? "" : ", ") + codes[c] + " " + thousands(s.by_output[o][c]);
    }
    t += "  " + output_id(m, o) + ": " + (line.empty() ? "-" : line) + "\n";
  }
  if (!s.errors_by_kind.empty()) {
    std::string line;
    for (const auto& [kind, n] : s.errors_by_kind) line += (line.empty() ? "" : ", ") + kind + " " + thousands(n);
    t += "  errors by kind: " + line + "\n";
  }
  if (s.duplicate_ids > 0) {
    std::string names;
    for (const auto& id : s.duplicate_first) names += (names.empty() ? "" : ", ") + id;
    t += "  duplicate ids: " + thousands(s.duplicate_ids) + " (" + names +
         (s.duplicate_ids > s.duplicate_first.size() ? ", ..." : "") + ")\n";
  }
  if (s.blank_lines > 0) t += "  blank lines skipped: " + thousands(s.blank_lines) + "\n";
  for (const auto& f : s.files) {
    if (!f.error.empty()) t += "  " + f.name + ": FILE ERROR (" + f.error_kind + "): " + f.error + "\n";
    for (const auto& w : f.warnings) t += "  " + f.name + ": warning: " + w + "\n";
  }
  t += "  rule set: " + m.manifest.id + " " + m.manifest.version + ", sha256 " + m.sha256 + "\n";
  if (s.write_failed)
    t += "  OUTPUT INCOMPLETE: " + s.write_error + "\n";
  else if (!s.complete)
    t += "  incomplete: some inputs could not be read\n";
  return t;
}

}  // namespace oligoscreen::detail
