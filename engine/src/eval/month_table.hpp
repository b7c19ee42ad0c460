// add_months_day (core/date.hpp) by table: the day number of the first of every month from
// January 1900 to December 2199, so that adding months to a date is a few lookups instead of
// two calendar conversions. Same result for every input: dates or results outside the table
// go to add_months_day itself.
#pragma once

#include <cstdint>

namespace oligoscreen::detail {

int32_t add_months_table(int32_t day, int32_t months);

}  // namespace oligoscreen::detail
