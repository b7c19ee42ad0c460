// Civil dates as day numbers, and month arithmetic with month-end clamping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oligoscreen::detail {

// Days since 1970-01-01 in the proleptic Gregorian calendar.
int32_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(int32_t z, int& y, unsigned& m, unsigned& d);
unsigned days_in_month(int y, unsigned m);

// A date known to the day (lo == hi) or to the month (lo..hi = first..last day).
struct DateRange {
  int32_t lo = 0;
  int32_t hi = 0;
  [[nodiscard]] bool precise() const { return lo == hi; }
};

// Parses "YYYY-MM-DD" or "YYYY-MM" (years 1000-9999). Returns nullopt when the text is not
// one of these forms or names an impossible date (2023-02-30).
std::optional<DateRange> parse_date(std::string_view text);

// Adds calendar months to one day, clamping to the last day of a shorter month
// (2024-08-31 + 6 months = 2025-02-28).
int32_t add_months_day(int32_t day, int32_t months);
// Interval form: monotone, so the bounds map to the bounds.
DateRange add_months(DateRange d, int32_t months);

// "YYYY-MM-DD", or "YYYY-MM" for a whole-month range.
std::string format_date(DateRange d);
std::string format_day(int32_t day);

}  // namespace oligoscreen::detail
