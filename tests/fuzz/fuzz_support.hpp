// Shared plumbing of the fuzz targets: the embedded rule set, loaded once per process.
//
// Contract of every target: LLVMFuzzerTestOneInput never crashes, leaks, hangs or exhausts
// memory for any input up to its size cap; inputs over the cap are ignored (return 0), so
// that the fuzzer spends its time on inputs the engine accepts for reading at all.
#pragma once

#include <pthread.h>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
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

// Runs fn on a thread with a small stack (128 KiB, x4 under ASan whose frames are larger), so
// that unbounded recursion is a finding even though the fuzzer's own thread has 8 MiB.
inline void on_small_stack(const std::function<void()>& fn) {
  size_t bytes = 128u << 10;
#if defined(__SANITIZE_ADDRESS__)
  bytes *= 4;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  bytes *= 4;
#endif
#endif
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, bytes);
  pthread_t t;
  auto body = [](void* p) -> void* {
    (*static_cast<const std::function<void()>*>(p))();
    return nullptr;
  };
  if (pthread_create(&t, &attr, body, const_cast<std::function<void()>*>(&fn)) != 0) std::abort();
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace oligoscreen::fuzz
