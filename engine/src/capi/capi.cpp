// The C API (oligoscreen/oligoscreen.h). Every entry point checks its pointers, then runs its
// body inside one catch boundary: nothing thrown ever crosses into the host.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <thread>
#include <vector>

#include "capi/capi_internal.hpp"
#include "core/log.hpp"
#include "oligoscreen/oligoscreen.h"

namespace {

using namespace oligoscreen::detail;

constexpr unsigned kKnownFlags = OLIGOSCREEN_EXPLAIN | OLIGOSCREEN_NO_WHAT_IF | OLIGOSCREEN_STRICT;

// A copy the host frees with oligoscreen_string_free (malloc/free on both sides).
char* dup_string(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (!p) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

template <class F>
int guarded(F&& body) noexcept {
  try {
    api_fault_point();
    return body();
  } catch (const std::bad_alloc&) {
    log(LogLevel::Error, "out of memory");
    return OLIGOSCREEN_E_NO_MEMORY;
  } catch (...) {
    log(LogLevel::Error, "internal error caught at the API boundary");
    return OLIGOSCREEN_E_INTERNAL;
  }
}

int load(const char* dir, oligoscreen_rules** out, char** error) {
  *out = nullptr;
  if (error) *error = nullptr;
  std::string diagnostics;
  auto model = load_rules_for_api(dir, diagnostics);
  if (!model) {
    if (error) *error = dup_string(diagnostics);
    return OLIGOSCREEN_E_RULES;
  }
  *out = new oligoscreen_rules{std::move(model)};
  return OLIGOSCREEN_OK;
}

int assess_one(const oligoscreen_rules* rules, const char* json, size_t length, unsigned flags, char** result) {
  *result = nullptr;
  auto scratch = std::make_unique<CaseResult>();
  std::string out;
  bool ok = screen_json(*rules->model, std::string_view(json, length), case_options(flags), *scratch, out);
  *result = dup_string(out);
  return ok ? OLIGOSCREEN_OK : OLIGOSCREEN_E_INPUT;
}

// Severity order of per-patient failures for the batch's return code.
int worse(int a, int b) {
  auto rank = [](int c) {
    switch (c) {
      case OLIGOSCREEN_OK:
        return 0;
      case OLIGOSCREEN_E_INPUT:
        return 1;
      default:
        return 2;
    }
  };
  return rank(b) > rank(a) ? b : a;
}

}  // namespace

extern "C" {

OLIGOSCREEN_API const char* oligoscreen_version(void) {
  return OLIGOSCREEN_VERSION_STRING;
}

OLIGOSCREEN_API int oligoscreen_abi_version(void) {
  return OLIGOSCREEN_ABI_VERSION;
}

OLIGOSCREEN_API int oligoscreen_rules_default(oligoscreen_rules** out, char** error) {
  if (error) *error = nullptr;
  if (!out) return OLIGOSCREEN_E_INVALID_ARGUMENT;
  *out = nullptr;
  return guarded([&] { return load(nullptr, out, error); });
}

OLIGOSCREEN_API int oligoscreen_rules_load(const char* dir, oligoscreen_rules** out, char** error) {
  if (error) *error = nullptr;
  if (out) *out = nullptr;
  if (!dir || !out) return OLIGOSCREEN_E_INVALID_ARGUMENT;
  return guarded([&] { return load(dir, out, error); });
}

OLIGOSCREEN_API void oligoscreen_rules_free(oligoscreen_rules* rules) {
  delete rules;
}

OLIGOSCREEN_API int oligoscreen_rules_info(const oligoscreen_rules* rules, oligoscreen_ruleset_info* info) {
  if (!rules || !info) return OLIGOSCREEN_E_INVALID_ARGUMENT;
  if (info->size < offsetof(oligoscreen_ruleset_info, sha256) + sizeof info->sha256) {
    return OLIGOSCREEN_E_INVALID_ARGUMENT;
  }
  return guarded([&] {
    const auto& m = *rules->model;
    info->id = m.manifest.id.c_str();
    info->version = m.manifest.version.c_str();
    info->sha256 = m.sha256.c_str();
    return OLIGOSCREEN_OK;
  });
}

OLIGOSCREEN_API int oligoscreen_assess(const oligoscreen_rules* rules, const char* patient_json, size_t length,
                                       char** result_json) {
  return oligoscreen_assess_with(rules, patient_json, length, 0u, result_json);
}

OLIGOSCREEN_API int oligoscreen_assess_with(const oligoscreen_rules* rules, const char* patient_json, size_t length,
                                            unsigned flags, char** result_json) {
  if (result_json) *result_json = nullptr;
  if (!rules || !patient_json || !result_json || (flags & ~kKnownFlags) != 0) return OLIGOSCREEN_E_INVALID_ARGUMENT;
  return guarded([&] { return assess_one(rules, patient_json, length, flags, result_json); });
}

OLIGOSCREEN_API int oligoscreen_assess_batch(const oligoscreen_rules* rules, const char* const* patients_json,
                                             const size_t* lengths, size_t count, unsigned flags, unsigned threads,
                                             char** results_json, int* statuses) {
  if (!rules || (flags & ~kKnownFlags) != 0) return OLIGOSCREEN_E_INVALID_ARGUMENT;
  if (count > 0 && (!patients_json || !lengths || !results_json || !statuses)) return OLIGOSCREEN_E_INVALID_ARGUMENT;
  for (size_t i = 0; i < count; ++i) {
    results_json[i] = nullptr;
    statuses[i] = OLIGOSCREEN_E_INTERNAL;
  }
  for (size_t i = 0; i < count; ++i) {
    if (!patients_json[i]) return OLIGOSCREEN_E_INVALID_ARGUMENT;
  }
  return guarded([&] {
    const CaseOptions opt = case_options(flags);
    std::atomic<size_t> next{0};
    // Each worker takes the next index; result i goes to slot i, so the order is the input's.
    auto work = [&]() noexcept {
      std::unique_ptr<CaseResult> scratch;
      std::string out;
      for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
        statuses[i] = guarded([&] {
          if (!scratch) scratch = std::make_unique<CaseResult>();
          bool ok = screen_json(*rules->model, std::string_view(patients_json[i], lengths[i]), opt, *scratch, out);
          results_json[i] = dup_string(out);
          return ok ? OLIGOSCREEN_OK : OLIGOSCREEN_E_INPUT;
        });
        if (statuses[i] != OLIGOSCREEN_OK && statuses[i] != OLIGOSCREEN_E_INPUT) scratch.reset();
      }
    };
    size_t want = threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : threads;
    want = std::min(want, count);
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < want; ++t) {
      try {
        helpers.emplace_back(work);
      } catch (const std::exception&) {
        break;  // fewer threads than asked: the ones we have finish the work
      }
    }
    work();
    for (auto& h : helpers) h.join();
    int rc = OLIGOSCREEN_OK;
    size_t errors = 0;
    for (size_t i = 0; i < count; ++i) {
      rc = worse(rc, statuses[i]);
      errors += statuses[i] != OLIGOSCREEN_OK;
    }
    if (log_enabled(LogLevel::Info)) {
      log(LogLevel::Info, "batch: " + std::to_string(count) + " patients, " + std::to_string(count - errors) +
                              " results, " + std::to_string(errors) + " errors, " + std::to_string(helpers.size() + 1) +
                              " threads");
    }
    return rc;
  });
}

OLIGOSCREEN_API int oligoscreen_report(const oligoscreen_rules* rules, const char* patient_json, size_t length,
                                       int format, unsigned flags, char** report) {
  if (report) *report = nullptr;
  if (!rules || !patient_json || !report || (flags & ~kKnownFlags) != 0) return OLIGOSCREEN_E_INVALID_ARGUMENT;
  if (format != OLIGOSCREEN_FORMAT_TEXT && format != OLIGOSCREEN_FORMAT_MARKDOWN && format != OLIGOSCREEN_FORMAT_HTML) {
    return OLIGOSCREEN_E_INVALID_ARGUMENT;
  }
  return guarded([&] {
    std::string out;
    bool ok = report_json(*rules->model, std::string_view(patient_json, length), format, case_options(flags), out);
    *report = dup_string(out);
    return ok ? OLIGOSCREEN_OK : OLIGOSCREEN_E_INPUT;
  });
}

OLIGOSCREEN_API void oligoscreen_string_free(char* s) {
  std::free(s);
}

OLIGOSCREEN_API int oligoscreen_set_log_callback(oligoscreen_log_fn callback, int min_level, void* user_data) {
  if (min_level < OLIGOSCREEN_LOG_TRACE || min_level > OLIGOSCREEN_LOG_OFF) return OLIGOSCREEN_E_INVALID_ARGUMENT;
  return guarded([&] {
    return set_log_sink(callback, static_cast<LogLevel>(min_level), user_data) ? OLIGOSCREEN_OK
                                                                               : OLIGOSCREEN_E_INVALID_ARGUMENT;
  });
}

}  // extern "C"
