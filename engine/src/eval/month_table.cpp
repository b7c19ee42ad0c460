#include "eval/month_table.hpp"

#include <array>

#include "core/date.hpp"

namespace oligoscreen::detail {
namespace {

constexpr int kFirstYear = 1900;
constexpr int kMonths = 300 * 12;  // January 1900 .. December 2199

// days_from_civil (core/date.cpp) for the first of a month, at compile time.
constexpr int32_t first_of_month(int y, unsigned m) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

// kStart[i]: the first day of month i (0: January 1900); kStart[kMonths]: 1 January 2200.
constexpr std::array<int32_t, kMonths + 1> kStart = [] {
  std::array<int32_t, kMonths + 1> a{};
  for (int i = 0; i <= kMonths; ++i) a[i] = first_of_month(kFirstYear + i / 12, static_cast<unsigned>(i % 12) + 1);
  return a;
}();

}  // namespace

int32_t add_months_table(int32_t day, int32_t months) {
  const int64_t offset = static_cast<int64_t>(day) - kStart[0];
  if (offset < 0 || day >= kStart[kMonths]) return add_months_day(day, months);
  // 4800 months in every 146097 days: the estimate is the month or one off.
  auto i = static_cast<int32_t>(offset * 4800 / 146097);
  if (i >= kMonths) i = kMonths - 1;
  while (kStart[i] > day) --i;
  while (kStart[i + 1] <= day) ++i;
  const int64_t j = static_cast<int64_t>(i) + months;
  if (j < 0 || j >= kMonths) return add_months_day(day, months);
  const int32_t d = day - kStart[i];                   // day of month, from 0
  const int32_t last = kStart[j + 1] - kStart[j] - 1;  // last day of the target month, from 0
  return kStart[j] + (d < last ? d : last);
}

}  // namespace oligoscreen::detail
