// OLIGOSCREEN_E_INTERNAL: a fault injected inside every C API entry point (through the
// library's hidden test hook, so this binary links the static engine) comes back as the
// internal-error code, never as an exception or a crash, and the library stays usable.
#include <gtest/gtest.h>

#include <stdexcept>

#include "capi/capi_internal.hpp"
#include "oligoscreen/oligoscreen.h"

namespace {

const char kCase[] = R"({"id":"T-1","age":40})";

void throw_logic_error() {
  throw std::logic_error("injected");
}
void throw_int() {
  throw 42;
}

class Fault : public ::testing::TestWithParam<void (*)()> {
 protected:
  void SetUp() override { ASSERT_EQ(oligoscreen_rules_default(&rules_, nullptr), OLIGOSCREEN_OK); }
  void TearDown() override {
    oligoscreen::detail::g_api_fault_hook.store(nullptr);
    oligoscreen_rules_free(rules_);
  }
  void inject() { oligoscreen::detail::g_api_fault_hook.store(GetParam()); }
  oligoscreen_rules* rules_ = nullptr;
};

TEST_P(Fault, EveryEntryPointReturnsInternal) {
  inject();
  oligoscreen_rules* r = nullptr;
  char* s = nullptr;
  EXPECT_EQ(oligoscreen_rules_default(&r, &s), OLIGOSCREEN_E_INTERNAL);
  EXPECT_EQ(r, nullptr);
  EXPECT_EQ(s, nullptr);
  EXPECT_EQ(oligoscreen_rules_load(OLIGOSCREEN_SOURCE_DIR "/rules/sarcoma-sbrt", &r, &s), OLIGOSCREEN_E_INTERNAL);
  EXPECT_EQ(r, nullptr);
  oligoscreen_ruleset_info info{};
  info.size = sizeof info;
  EXPECT_EQ(oligoscreen_rules_info(rules_, &info), OLIGOSCREEN_E_INTERNAL);
  EXPECT_EQ(oligoscreen_assess(rules_, kCase, sizeof kCase - 1, &s), OLIGOSCREEN_E_INTERNAL);
  EXPECT_EQ(s, nullptr);
  EXPECT_EQ(oligoscreen_assess_with(rules_, kCase, sizeof kCase - 1, OLIGOSCREEN_EXPLAIN, &s), OLIGOSCREEN_E_INTERNAL);
  EXPECT_EQ(s, nullptr);
  EXPECT_EQ(oligoscreen_report(rules_, kCase, sizeof kCase - 1, OLIGOSCREEN_FORMAT_TEXT, 0, &s),
            OLIGOSCREEN_E_INTERNAL);
  EXPECT_EQ(s, nullptr);
  const char* in[2] = {kCase, kCase};
  size_t len[2] = {sizeof kCase - 1, sizeof kCase - 1};
  char* out[2] = {nullptr, nullptr};
  int st[2] = {0, 0};
  EXPECT_EQ(oligoscreen_assess_batch(rules_, in, len, 2, 0, 2, out, st), OLIGOSCREEN_E_INTERNAL);
  EXPECT_EQ(out[0], nullptr);
  EXPECT_EQ(out[1], nullptr);
  EXPECT_EQ(st[0], OLIGOSCREEN_E_INTERNAL);
  EXPECT_EQ(oligoscreen_set_log_callback(nullptr, OLIGOSCREEN_LOG_OFF, nullptr), OLIGOSCREEN_E_INTERNAL);

  // The fault gone, the same rule set works again.
  oligoscreen::detail::g_api_fault_hook.store(nullptr);
  EXPECT_EQ(oligoscreen_assess(rules_, kCase, sizeof kCase - 1, &s), OLIGOSCREEN_OK);
  oligoscreen_string_free(s);
}

INSTANTIATE_TEST_SUITE_P(Thrown, Fault, ::testing::Values(&throw_logic_error, &throw_int));

// bad_alloc thrown anywhere inside maps to the out-of-memory code (the real allocation
// failures are in capi_oom_test).
TEST(FaultNoMemory, BadAllocIsNoMemory) {
  oligoscreen_rules* rules = nullptr;
  ASSERT_EQ(oligoscreen_rules_default(&rules, nullptr), OLIGOSCREEN_OK);
  oligoscreen::detail::g_api_fault_hook.store(+[] { throw std::bad_alloc(); });
  char* s = nullptr;
  EXPECT_EQ(oligoscreen_assess(rules, kCase, sizeof kCase - 1, &s), OLIGOSCREEN_E_NO_MEMORY);
  EXPECT_EQ(s, nullptr);
  oligoscreen::detail::g_api_fault_hook.store(nullptr);
  oligoscreen_rules_free(rules);
}

}  // namespace
