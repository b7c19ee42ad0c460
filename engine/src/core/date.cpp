#include "core/date.hpp"

#include <charconv>

namespace oligoscreen::detail {

// Howard Hinnant's civil-date algorithms (public domain description).
int32_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void civil_from_days(int32_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2 ? 1 : 0;
}

unsigned days_in_month(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2) {
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[m - 1];
}

static bool parse_digits(std::string_view s, int& out) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::optional<DateRange> parse_date(std::string_view t) {
  if (t.size() != 7 && t.size() != 10) return std::nullopt;
  if (t[4] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (!parse_digits(t.substr(0, 4), y) || !parse_digits(t.substr(5, 2), m)) return std::nullopt;
  if (y < 1000 || m < 1 || m > 12) return std::nullopt;
  if (t.size() == 7) {
    DateRange r;
    r.lo = days_from_civil(y, static_cast<unsigned>(m), 1);
    r.hi = days_from_civil(y, static_cast<unsigned>(m), days_in_month(y, static_cast<unsigned>(m)));
    return r;
  }
  if (t[7] != '-' || !parse_digits(t.substr(8, 2), d)) return std::nullopt;
  if (d < 1 || static_cast<unsigned>(d) > days_in_month(y, static_cast<unsigned>(m))) return std::nullopt;
  int32_t day = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return DateRange{day, day};
}

int32_t add_months_day(int32_t day, int32_t months) {
  int y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(day, y, m, d);
  int64_t total = static_cast<int64_t>(y) * 12 + (m - 1) + months;
  int ny = static_cast<int>(total >= 0 ? total / 12 : (total - 11) / 12);
  auto nm = static_cast<unsigned>(total - static_cast<int64_t>(ny) * 12 + 1);
  unsigned dim = days_in_month(ny, nm);
  return days_from_civil(ny, nm, d > dim ? dim : d);
}

DateRange add_months(DateRange r, int32_t months) {
  return DateRange{add_months_day(r.lo, months), add_months_day(r.hi, months)};
}

std::string format_day(int32_t day) {
  int y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(day, y, m, d);
  char buf[16];
  auto put2 = [](char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  auto [end, ec] = std::to_chars(buf, buf + 6, y);
  (void)ec;
  std::string out(buf, end);
  char tail[6] = {'-', 0, 0, '-', 0, 0};
  put2(tail + 1, m);
  put2(tail + 4, d);
  out.append(tail, 6);
  return out;
}

std::string format_date(DateRange r) {
  if (r.lo == r.hi) return format_day(r.lo);
  int y1 = 0, y2 = 0;
  unsigned m1 = 0, d1 = 0, m2 = 0, d2 = 0;
  civil_from_days(r.lo, y1, m1, d1);
  civil_from_days(r.hi, y2, m2, d2);
  if (y1 == y2 && m1 == m2 && d1 == 1 && d2 == days_in_month(y2, m2)) {
    return format_day(r.lo).substr(0, 7);
  }
  return format_day(r.lo) + ".." + format_day(r.hi);
}

}  // namespace oligoscreen::detail
