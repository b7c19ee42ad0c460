// Fuzz target: oligoscreen_assess through the C API (shared/reliability A1-A3, A6, A7): any
// bytes with any length and flag combination give OLIGOSCREEN_OK with a result or
// OLIGOSCREEN_E_INPUT with an error result, never another code, never a crash; the result is
// a NUL-terminated JSON object with provenance. The first byte selects the flags.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "oligoscreen/oligoscreen.h"

namespace {
constexpr size_t kMaxInput = 64u << 10;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput || size == 0) return 0;
  static oligoscreen_rules* rules = [] {
    oligoscreen_rules* r = nullptr;
    char* error = nullptr;
    if (oligoscreen_rules_default(&r, &error) != OLIGOSCREEN_OK) std::abort();
    return r;
  }();
  const unsigned flags = data[0] & (OLIGOSCREEN_EXPLAIN | OLIGOSCREEN_NO_WHAT_IF | OLIGOSCREEN_STRICT);
  // The patient bytes in their own allocation, not NUL-terminated: ASan sees any over-read.
  std::vector<char> patient(data + 1, data + size);
  char* out = nullptr;
  int rc = oligoscreen_assess_with(rules, patient.empty() ? "" : patient.data(), patient.size(), flags, &out);
  if (rc != OLIGOSCREEN_OK && rc != OLIGOSCREEN_E_INPUT) __builtin_trap();
  if (out == nullptr || out[0] != '{' || std::strstr(out, "\"provenance\"") == nullptr) __builtin_trap();
  oligoscreen_string_free(out);
  return 0;
}
