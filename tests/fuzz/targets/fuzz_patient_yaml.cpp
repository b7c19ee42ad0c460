// Fuzz target: one patient case in YAML, read and assessed end to end (strict YAML reader,
// schema-driven patient reader, assessment with what-if, JSON result or error result).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"

namespace {
constexpr size_t kMaxInput = 64u << 10;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace oligoscreen::detail;
  if (size > kMaxInput) return 0;
  const RuleSetModel& m = oligoscreen::fuzz::embedded_model();
  static CaseResult* r = new CaseResult();  // reused across runs, as the batch path does
  CaseOptions opt;
  opt.explain = (size % 2) == 0;
  screen_case(m, "fuzz.yaml", oligoscreen::fuzz::as_text(data, size), CaseFormat::Yaml, opt, *r);
  if (!r->ok && r->errors.empty()) __builtin_trap();  // an error result always says why
  std::string out;
  case_json(m, *r, opt, false, "fuzz.yaml", out);
  return 0;
}
