// Fuzz target: the JSON Lines path of a batch (split at LF, read one JSON value per line,
// screen it, render the result or error result). Every error names its physical line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "json/json_reader.hpp"

namespace {
constexpr size_t kMaxInput = 64u << 10;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace oligoscreen::detail;
  if (size > kMaxInput) return 0;
  const RuleSetModel& m = oligoscreen::fuzz::embedded_model();
  std::string_view text = oligoscreen::fuzz::as_text(data, size);
  static CaseResult* r = new CaseResult();
  CaseOptions opt;
  opt.what_if = (size % 2) == 0;
  JsonLimits limits;
  std::string out;
  uint32_t line = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view rec = text.substr(pos, end - pos);
    if (!rec.empty() && rec.back() == '\r') rec.remove_suffix(1);
    pos = end + 1;
    ++line;
    if (rec.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
    JsonError err;
    out.clear();
    if (!read_json(rec, limits, r->doc, err, line)) {
      if (err.kind.empty() || err.message.empty() || err.pos.line != line) __builtin_trap();
      continue;
    }
    screen_doc(m, "fuzz.jsonl", r->doc, r->doc.root(), true, opt, *r);
    if (!r->ok && r->errors.empty()) __builtin_trap();
    for (const auto& e : r->errors) {
      if (e.pos.valid() && e.pos.line != line) __builtin_trap();  // one line, one record
    }
    case_json(m, *r, opt, false, "fuzz.jsonl", out);
  }
  return 0;
}
