#pragma once
// Query parameters of the analytics API, validated before they reach SQL: every route lists
// the parameters it knows (others are a 400, so a typo never silently widens a query), and each
// value is checked against its type. Failures throw net::HttpError 400 "invalid_parameter".

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "printmon/net/http.hpp"

namespace printmon::cloud::api {

/// Page size bounds: larger pages are refused rather than clamped (the client learns the cap).
inline constexpr long long kDefaultLimit = 100;
inline constexpr long long kMaxLimit = 1000;
inline constexpr long long kMaxOffset = 10'000'000;

struct Page {
    long long limit = kDefaultLimit;
    long long offset = 0;
};

/// A half-open range of the tenant's local days [from, to), as ISO dates.
struct DayRange {
    std::string from;  ///< "2026-11-01"
    std::string to;    ///< exclusive
};

/// A time parameter as given: an exact instant (RFC 3339 with its offset, normalised to UTC), or
/// a date, which means the tenant's local midnight and is resolved only once the tenant's zone
/// is known (after the refresh of a read).
struct TimeArg {
    std::string text;  ///< RFC 3339 UTC, or "YYYY-MM-DD" when is_date
    bool is_date = false;
};

/// ?period= as given and checked: day, week or month around `date` (none: today, which only
/// the tenant's zone tells), or custom from..to (inclusive dates).
struct PeriodArg {
    std::string kind;
    std::optional<std::string> date;
    std::string from;  ///< custom only
    std::string to;    ///< custom only, inclusive
};

/// The days of a period; `today` is today's date in the tenant's zone.
DayRange period_days(const PeriodArg& period, const std::string& today);

class Params {
  public:
    /// Throws 400 for a parameter outside `known` (the paging/format ones are always known).
    Params(const net::Request& request, const std::vector<std::string_view>& known);

    /// Free text up to `max_chars`, without control characters.
    std::optional<std::string> text(std::string_view name, std::size_t max_chars = 200) const;
    std::optional<std::string> uuid(std::string_view name) const;
    /// "YYYY-MM-DD".
    std::optional<std::string> date(std::string_view name) const;
    /// RFC 3339 (an instant), or a date (the tenant's local midnight, resolved later).
    std::optional<TimeArg> time(std::string_view name) const;
    std::optional<bool> boolean(std::string_view name) const;
    std::optional<long long> integer(std::string_view name, long long min, long long max) const;
    /// One of `allowed`, else `fallback`.
    std::string choice(std::string_view name, std::initializer_list<std::string_view> allowed,
                       std::string_view fallback) const;
    Page page() const;
    /// CSV when ?format=csv or the client accepts text/csv (and not JSON first).
    bool csv() const { return csv_; }
    /// ?period=day|week|month|custom with date= (default today) or from=/to= (inclusive dates).
    PeriodArg period() const;

  private:
    std::optional<std::string_view> raw(std::string_view name) const;
    const net::Request& request_;
    bool csv_ = false;
};

/// 400 invalid_parameter.
net::HttpError invalid_parameter(std::string_view name, std::string_view why);

/// Whether `text` is a real calendar date "YYYY-MM-DD" (years 1970..9999).
bool is_iso_date(std::string_view text);

/// Day arithmetic on ISO dates (valid input assumed).
std::string add_days(const std::string& date, int days);
/// Monday of the ISO week, first of the month.
std::string week_start(const std::string& date);
std::string month_start(const std::string& date);
std::string add_months(const std::string& date, int months);

}  // namespace printmon::cloud::api
