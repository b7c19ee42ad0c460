// "The library never writes to stdout/stderr": the engine's entry points, fed hostile rule
// files and cases (errors, warnings, limits), leave both descriptors untouched. Everything
// it has to say goes into Diagnostics and results.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/screen.hpp"
#include "rules/loader.hpp"

namespace oligoscreen::detail {
namespace {

// Redirects fds 1 and 2 into a temporary file for the scope; captured() returns what arrived.
class CaptureStdio {
 public:
  CaptureStdio() : file_(std::tmpfile()) {
    std::fflush(stdout);
    std::fflush(stderr);
    saved_out_ = dup(1);
    saved_err_ = dup(2);
    dup2(fileno(file_), 1);
    dup2(fileno(file_), 2);
  }
  ~CaptureStdio() {
    restore();
    std::fclose(file_);
  }
  CaptureStdio(const CaptureStdio&) = delete;
  CaptureStdio& operator=(const CaptureStdio&) = delete;
  std::string captured() {
    restore();
    std::string out;
    std::rewind(file_);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, file_)) > 0) out.append(buf, n);
    return out;
  }

 private:
  void restore() {
    if (saved_out_ < 0) return;
    std::fflush(stdout);
    std::fflush(stderr);
    dup2(saved_out_, 1);
    dup2(saved_err_, 2);
    close(saved_out_);
    close(saved_err_);
    saved_out_ = saved_err_ = -1;
  }
  FILE* file_;
  int saved_out_ = -1, saved_err_ = -1;
};

TEST(SilentLibrary, HostileRulesAndCasesWriteNothingToStdio) {
  CaptureStdio capture;
  size_t errors = 0;
  {
    Diagnostics diags;
    auto m = load_embedded_rules(diags);
    ASSERT_TRUE(m);
    for (const std::string& bad : {std::string("[[[[[["), std::string("a: &x 1\nb: *x\n"), std::string("\xff"),
                                   std::string("facts:\n  x: {expr: 'nosuch and', evidence: [nosuch]}\n")}) {
      auto files = embedded_rule_files();
      for (auto& f : files) {
        if (f.first == "facts.yaml") f.second = bad;
      }
      MemoryRuleFiles mem("r", std::move(files));
      Diagnostics d;
      errors += load_rule_set(mem, d) == nullptr ? d.error_count() : 0;
    }
    auto r = std::make_unique<CaseResult>();
    for (const std::string& text : {std::string("id: a\nage: 250\necgo: 1\n"), std::string("{\"id\":1,\"id\":2}"),
                                    std::string("id: b\nlesions: [{site: lungs}]\n"), std::string(2u << 20, '[')}) {
      screen_case(*m, "c", text, detect_case_format("c", text), CaseOptions{}, *r);
      errors += r->errors.size();
    }
  }
  EXPECT_EQ(capture.captured(), "");
  EXPECT_GE(errors, 8u);  // the inputs did produce errors, reported through the API only
}

}  // namespace
}  // namespace oligoscreen::detail
