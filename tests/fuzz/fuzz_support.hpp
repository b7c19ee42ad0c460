// Shared plumbing of the fuzz targets: the embedded rule set, loaded once per process.
//
// Contract of every target: LLVMFuzzerTestOneInput never crashes, leaks, hangs or exhausts
// memory for any input up to its size cap; inputs over the cap are ignored (return 0), so
// that the fuzzer spends its time on inputs the engine accepts for reading at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "api/screen.hpp"
#include "core/source.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::fuzz {

// The rule set compiled into the binary. Aborts when it does not load (a build defect, not
// a finding). Mutable only for the expression target, which restores the pool after each run.
inline detail::RuleSetModel& embedded_model() {
  static std::shared_ptr<detail::RuleSetModel> m = [] {
    detail::Diagnostics diags;
    auto loaded = detail::load_embedded_rules(diags);
    if (!loaded) std::abort();
    return loaded;
  }();
  return *m;
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace oligoscreen::fuzz
