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
/// CSV/XLSX answers: the whole list by default, up to this many rows (~10 MB of CSV).
inline constexpr long long kMaxExportLimit = 100'000;
inline constexpr long long kMaxOffset = 10'000'000;

/// Answer format of a list: ?format=json|csv|xlsx, or the Accept header when not given.
enum class Format { json, csv, xlsx };

/// Language of the column titles of CSV and XLSX exports (?lang=en|ru, default en). JSON field
/// names never change.
enum class Lang { en, ru };

/// Media type of an .xlsx workbook.
inline constexpr std::string_view kXlsxMediaType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

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

    /// Free text of 1..`max_chars` characters (Unicode code points, not bytes), valid UTF-8,
    /// without control characters (C0, DEL, C1).
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
    /// ?format=, else CSV or XLSX when the client accepts only that (not JSON), else JSON.
    Format format() const { return format_; }
    Lang lang() const { return lang_; }
    /// ?period=day|week|month|custom with date= (default today) or from=/to= (inclusive dates).
    PeriodArg period() const;

  private:
    std::optional<std::string_view> raw(std::string_view name) const;
    const net::Request& request_;
    Format format_ = Format::json;
    Lang lang_ = Lang::en;
};

/// 400 invalid_parameter.
net::HttpError invalid_parameter(std::string_view name, std::string_view why);

/// Whether `text` is a real calendar date "YYYY-MM-DD" (years 1970..9999).
bool is_iso_date(std::string_view text);
/// The date of `text` when is_iso_date(text).
std::optional<std::chrono::year_month_day> parse_iso_date(std::string_view text);
/// Today's UTC date, "YYYY-MM-DD".
std::string today_utc();

/// Day arithmetic on ISO dates (valid input assumed).
std::string add_days(const std::string& date, int days);
/// Monday of the ISO week, first of the month.
std::string week_start(const std::string& date);
std::string month_start(const std::string& date);
std::string add_months(const std::string& date, int months);

}  // namespace printmon::cloud::api
