// A5 / acceptance 3: 8 threads share one rule set and assess 10,000 cases each through the C
// API; every result is byte-identical to the single-threaded run of the same inputs. The
// batch call, which runs its own threads, must agree too. Built again under ThreadSanitizer
// by .ci/steps/30-tsan.sh.
// usage: concurrency_test [THREADS [CASES_PER_THREAD]]   (default 8 and 10000)
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "oligoscreen/oligoscreen.h"

namespace fs = std::filesystem;

namespace {

// The example cases (JSON twins) in turn, plus unreadable inputs (error results) every 97th.
std::vector<std::string> make_inputs(size_t n) {
  std::vector<std::string> bodies;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(OLIGOSCREEN_SOURCE_DIR) / "examples/cases/json")) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    auto brace = s.find('{');
    bodies.push_back(s.substr(brace + 1));  // everything after the opening brace
  }
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (i % 97 == 13) {
      out.push_back("{\"id\":\"X-" + std::to_string(i) + "\",\"age\":");  // truncated
    } else {
      // The case as is, its text varied by leading whitespace (the result must not change).
      out.push_back("{" + std::string(i % 7, ' ') + bodies[i % bodies.size()]);
    }
  }
  return out;
}

std::string assess(const oligoscreen_rules* rules, const std::string& in, unsigned flags) {
  char* r = nullptr;
  int rc = oligoscreen_assess_with(rules, in.data(), in.size(), flags, &r);
  std::string s = std::to_string(rc) + ":" + (r ? r : "(null)");
  oligoscreen_string_free(r);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned threads = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 8;
  const size_t per_thread = argc > 2 ? static_cast<size_t>(std::atol(argv[2])) : 10000;
  oligoscreen_rules* rules = nullptr;
  if (oligoscreen_rules_default(&rules, nullptr) != OLIGOSCREEN_OK) return 1;
  const std::vector<std::string> inputs = make_inputs(per_thread);
  auto flags_of = [](size_t i) { return i % 5 == 0 ? unsigned{OLIGOSCREEN_EXPLAIN} : 0u; };

  // Single-threaded reference.
  std::vector<std::string> reference;
  reference.reserve(per_thread);
  for (size_t i = 0; i < per_thread; ++i) reference.push_back(assess(rules, inputs[i], flags_of(i)));

  // Each thread walks all inputs from its own starting point, so that different threads
  // assess different cases at the same moment.
  std::atomic<size_t> mismatches{0}, done{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t k = 0; k < per_thread; ++k) {
        size_t i = (k + t * per_thread / threads) % per_thread;
        if (assess(rules, inputs[i], flags_of(i)) != reference[i]) mismatches.fetch_add(1);
        done.fetch_add(1);
      }
    });
  }
  for (auto& th : pool) th.join();

  // The batch call on the same inputs (its own threads), in input order.
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& s : inputs) {
    ptrs.push_back(s.data());
    lens.push_back(s.size());
  }
  std::vector<char*> results(per_thread, nullptr);
  std::vector<int> statuses(per_thread, 0);
  int brc = oligoscreen_assess_batch(rules, ptrs.data(), lens.data(), per_thread, 0, threads, results.data(),
                                     statuses.data());
  size_t batch_mismatches = 0;
  for (size_t i = 0; i < per_thread; ++i) {
    std::string got = std::to_string(statuses[i]) + ":" + (results[i] ? results[i] : "(null)");
    // The batch runs without flags: compare against the reference only where flags were 0.
    if (flags_of(i) == 0 && got != reference[i]) ++batch_mismatches;
    oligoscreen_string_free(results[i]);
  }
  oligoscreen_rules_free(rules);
  std::printf(
      "concurrency: %u threads x %zu assessments = %zu, mismatches %zu; batch (%zu, status %d) mismatches %zu\n",
      threads, per_thread, done.load(), mismatches.load(), per_thread, brc, batch_mismatches);
  return mismatches == 0 && batch_mismatches == 0 && done == threads * per_thread && brc == OLIGOSCREEN_E_INPUT ? 0 : 1;
}
