// OLIGOSCREEN_E_NO_MEMORY from real allocation failures: this binary replaces the global
// operator new (which the shared library uses too) with one that fails the n-th allocation,
// and sweeps n = 1, 2, ... over loading the rule set and assessing a case until a run needs no
// failure. Every run must end in OLIGOSCREEN_OK or OLIGOSCREEN_E_NO_MEMORY, with no output on
// failure and no leak (under ASan/LSan), and the library must work afterwards.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "oligoscreen/oligoscreen.h"

namespace {
std::atomic<long> g_countdown{-1};  // -1: never fail; otherwise fail when it reaches 0
std::atomic<long> g_failed{0};

void* allocate(std::size_t n) {
  long c = g_countdown.load(std::memory_order_relaxed);
  if (c >= 0) {
    if (g_countdown.fetch_sub(1) == 0) {
      g_failed.fetch_add(1);
      throw std::bad_alloc();
    }
  }
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t n) {
  return allocate(n);
}
void* operator new[](std::size_t n) {
  return allocate(n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
// The whole family is replaced, so that every new is matched by its delete (ASan checks).
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return allocate(n);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
  return operator new(n, t);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void* operator new(std::size_t n, std::align_val_t a) {
  void* p = allocate(0);  // counts as one allocation
  std::free(p);
  std::size_t al = static_cast<std::size_t>(a);
  p = std::aligned_alloc(al, (n + al - 1) / al * al);
  if (!p) throw std::bad_alloc();
  return p;
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return operator new(n, a);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace {

const char kCase[] =
    R"({"id":"T-1","age":40,"ecog":1,"histology":"leiomyosarcoma","lesions":[{"site":"lung","size_mm":12}]})";

// Runs `step` failing allocation n for n = 0, 1, ... (stride grows so large sweeps stay short).
// Returns the number of runs, or -1 on a wrong status.
template <class Step>
long sweep(const char* what, Step step) {
  long runs = 0, oom = 0;
  for (long n = 0;; n += 1 + n / 16) {
    g_failed = 0;
    g_countdown = n;
    int rc = step();
    g_countdown = -1;
    ++runs;
    if (rc == OLIGOSCREEN_E_NO_MEMORY) {
      ++oom;
      continue;
    }
    if (rc != OLIGOSCREEN_OK) {
      std::fprintf(stderr, "%s: allocation %ld failed -> status %d (want OK or E_NO_MEMORY)\n", what, n, rc);
      return -1;
    }
    if (g_failed == 0) break;  // this run needed fewer than n allocations: done
  }
  std::printf("%s: %ld runs, %ld ended in OLIGOSCREEN_E_NO_MEMORY, the rest OK\n", what, runs, oom);
  return oom > 0 ? runs : -1;  // at least one failure must have been reached
}

}  // namespace

int main() {
  long a = sweep("rules_default", [] {
    oligoscreen_rules* r = nullptr;
    char* error = nullptr;
    int rc = oligoscreen_rules_default(&r, &error);
    if (rc != OLIGOSCREEN_OK && rc != OLIGOSCREEN_E_NO_MEMORY && error) std::fprintf(stderr, "%s", error);
    if (rc != OLIGOSCREEN_OK && r != nullptr) return -100;
    oligoscreen_rules_free(r);
    oligoscreen_string_free(error);
    return rc;
  });
  oligoscreen_rules* rules = nullptr;
  if (oligoscreen_rules_default(&rules, nullptr) != OLIGOSCREEN_OK) return 1;
  long b = sweep("assess", [rules] {
    char* out = nullptr;
    int rc = oligoscreen_assess(rules, kCase, sizeof kCase - 1, &out);
    if (rc != OLIGOSCREEN_OK && out != nullptr) return -100;
    oligoscreen_string_free(out);
    return rc;
  });
  char* out = nullptr;
  int rc = oligoscreen_assess(rules, kCase, sizeof kCase - 1, &out);
  bool works = rc == OLIGOSCREEN_OK && out != nullptr;
  oligoscreen_string_free(out);
  oligoscreen_rules_free(rules);
  if (a < 0 || b < 0 || !works) return 1;
  std::printf("capi_oom_test: passed\n");
  return 0;
}
