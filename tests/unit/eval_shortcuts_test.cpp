// Shortcuts of the evaluator that must give exactly what the plain computation gives:
// add_months by month table (eval/month_table.hpp) against the calendar conversion
// (add_months_day), and the classification of slots as vague (EvalState::vague_slots, read by
// the short-circuits and by the missing-data analysis) against a scan of every value.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/screen.hpp"
#include "assess/assessment.hpp"
#include "core/date.hpp"
#include "eval/month_table.hpp"
#include "rule_test_cases.hpp"

namespace oligoscreen::detail {
namespace {

using test_support::relinked_copy;
using test_support::rule_test_patients;

// Every day from October 1899 to March 2200 (both ends of the table and beyond), plus and
// minus month counts that stay inside, cross the month ends and leave the table.
TEST(MonthTable, AgreesWithTheCalendarOnEveryDay) {
  const int32_t from = days_from_civil(1899, 10, 1), to = days_from_civil(2200, 3, 31);
  const std::vector<int32_t> months = {-3700, -3600, -1200, -25, -24, -13, -12, -11, -6, -3,   -2,   -1,  0,
                                       1,     2,     3,     6,   11,  12,  13,  24,  25, 1200, 3599, 3600};
  uint64_t checked = 0, wrong = 0;
  std::string first;
  for (int32_t day = from; day <= to; ++day) {
    for (int32_t k : months) {
      const int32_t want = add_months_day(day, k), got = add_months_table(day, k);
      ++checked;
      if (got == want) continue;
      if (wrong++ == 0) first = format_day(day) + " + " + std::to_string(k) + " months: " + format_day(got);
    }
  }
  EXPECT_EQ(wrong, 0U) << first;
  EXPECT_GT(checked, 2000000U);
  // Far outside the table.
  for (int32_t day : {-800000, -1, 0, 200000, 900000}) {
    for (int32_t k : {-1000000, -7, 0, 5, 1000000}) EXPECT_EQ(add_months_table(day, k), add_months_day(day, k));
  }
}

bool vague(const Value& v) {
  return v.kind == VKind::Unknown || (v.kind == VKind::Date && v.date.lo != v.date.hi);
}

// slot_bit of every slot holding an unknown or imprecise value, itself or in a list item or
// an item's subfield.
uint64_t scan(const RuleSetModel& m, const Patient& p) {
  uint64_t out = 0;
  for (uint32_t slot = 0; slot < p.values.size(); ++slot) {
    const Value& v = p.values[slot];
    bool any = vague(v);
    if (v.kind == VKind::List) {
      for (uint32_t e = 0; e < v.list.count; ++e) {
        const Value& item = v.list.items[e];
        any = any || vague(item);
        if (item.kind != VKind::Record) continue;
        for (size_t k = 0; k < m.schema.fields[slot].fields.size(); ++k) any = any || vague(item.rec.fields[k]);
      }
    }
    if (any) out |= slot_bit(slot);
  }
  return out;
}

// Every rule-test patient, each with one fact removed and each with one subfield of one list
// item removed: once the main pass has classified the slots, every slot is classified, and
// exactly the vague ones are marked vague.
TEST(SlotClassification, MarksExactlyTheVagueSlots) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  const auto cases = rule_test_patients(*m);
  ASSERT_GT(cases.size(), 50U);
  uint64_t classified = 0, with_vague_items = 0;
  auto check = [&](const Patient& p) {
    AssessScratch scratch;
    AssessOptions ao;
    Assessment a;
    assess(*m, p, ao, scratch, a);
    if (scratch.main.checked_slots == 0) return;
    ++classified;
    EXPECT_EQ(scratch.main.checked_slots, ~uint64_t{0}) << p.id;
    EXPECT_EQ(scratch.main.vague_slots, scan(*m, p)) << p.id;
  };
  for (const auto& c : cases) {
    check(c->patient);
    for (size_t i = 0; i < c->patient.values.size(); ++i) {
      if (c->patient.values[i].kind == VKind::Unknown) continue;
      Patient p = relinked_copy(c->patient);
      p.values[i] = Value{};
      check(p);
    }
    for (size_t i = 0; i < c->patient.items.size(); ++i) {
      if (c->patient.items[i].kind == VKind::Record || vague(c->patient.items[i])) continue;
      Patient p = relinked_copy(c->patient);
      p.items[i] = Value{};  // a subfield of a list item (or a scalar list's item)
      if (scan(*m, p) != scan(*m, c->patient)) ++with_vague_items;
      check(p);
    }
  }
  EXPECT_GT(classified, 500U);
  EXPECT_GT(with_vague_items, 50U);
}

}  // namespace
}  // namespace oligoscreen::detail
