#include "api/params.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "printmon/proto/time.hpp"
#include "printmon/proto/utf8.hpp"
#include "printmon/proto/uuid.hpp"

namespace printmon::cloud::api {
namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 5> kAlwaysKnown = {"limit", "offset", "format", "lang",
                                                          "tenant"};

std::optional<year_month_day> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    const auto digits = [](std::string_view part, auto& out) {
        if (!std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return false;
        }
        return std::from_chars(part.data(), part.data() + part.size(), out).ec == std::errc{};
    };
    if (!digits(text.substr(0, 4), y) || !digits(text.substr(5, 2), m) ||
        !digits(text.substr(8, 2), d)) {
        return std::nullopt;
    }
    const year_month_day ymd{year{y}, month{m}, day{d}};
    if (!ymd.ok() || y < 1970) return std::nullopt;
    return ymd;
}

// C0 controls, DEL, and C1 controls (U+0080..U+009F, encoded C2 80..C2 9F). Valid UTF-8 only.
bool has_control_characters(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20U || c == 0x7fU) return true;
        if (c == 0xC2U && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9FU) {
            return true;
        }
    }
    return false;
}

std::string format_date(year_month_day ymd) {
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

}  // namespace

net::HttpError invalid_parameter(std::string_view name, std::string_view why) {
    return net::HttpError(400, "invalid_parameter", fmt::format("{}: {}", name, why));
}

bool is_iso_date(std::string_view text) { return parse_date(text).has_value(); }

std::optional<year_month_day> parse_iso_date(std::string_view text) { return parse_date(text); }

std::string today_utc() { return format_date(year_month_day{floor<days>(system_clock::now())}); }

std::string add_days(const std::string& date, int n) {
    return format_date(year_month_day{sys_days{*parse_date(date)} + days{n}});
}

std::string week_start(const std::string& date) {
    const sys_days d{*parse_date(date)};
    const weekday wd{d};
    return format_date(year_month_day{d - (wd - Monday)});
}

std::string month_start(const std::string& date) {
    const auto ymd = *parse_date(date);
    return format_date(ymd.year() / ymd.month() / day{1});
}

std::string add_months(const std::string& date, int n) {
    const auto ymd = *parse_date(date);
    return format_date(year_month_day{ymd.year() / ymd.month() / day{1}} + months{n});
}

Params::Params(const net::Request& request, const std::vector<std::string_view>& known)
    : request_(request) {
    for (const auto& [name, value] : request.query) {
        const bool ok = std::find(known.begin(), known.end(), name) != known.end() ||
                        std::find(std::begin(kAlwaysKnown), std::end(kAlwaysKnown), name) !=
                            std::end(kAlwaysKnown);
        if (!ok) {
            throw net::HttpError(
                400, "unknown_parameter",
                fmt::format("unknown query parameter '{}'",
                            name.substr(0, std::min<std::size_t>(64, name.size()))));
        }
    }
    const auto format = choice("format", {"json", "csv", "xlsx"}, "");
    if (format.empty()) {
        // Rationale: a browser download link cannot set ?format= on a redirect it follows, but
        // it sends Accept; JSON anywhere in the list keeps the API's default.
        const auto accept = request.header("Accept");
        const auto has = [&](std::string_view type) {
            return accept && accept->find(type) != std::string_view::npos;
        };
        if (!has("application/json")) {
            if (has(kXlsxMediaType)) {
                format_ = Format::xlsx;
            } else if (has("text/csv")) {
                format_ = Format::csv;
            }
        }
    } else {
        format_ = format == "csv" ? Format::csv : format == "xlsx" ? Format::xlsx : Format::json;
    }
    lang_ = choice("lang", {"en", "ru"}, "en") == "ru" ? Lang::ru : Lang::en;
}

std::optional<std::string_view> Params::raw(std::string_view name) const {
    return request_.query_param(name);
}

std::optional<std::string> Params::text(std::string_view name, std::size_t max_chars) const {
    const auto value = raw(name);
    if (!value) return std::nullopt;
    if (value->empty()) throw invalid_parameter(name, "must not be empty");
    // Limits are in characters as a user counts them: 200 Cyrillic letters are 400 bytes.
    const auto chars = proto::utf8_length(*value);
    if (!chars) {
        throw invalid_parameter(name, "is not valid UTF-8 (percent-encode the UTF-8 bytes)");
    }
    if (*chars > max_chars) {
        throw invalid_parameter(name, fmt::format("longer than {} characters", max_chars));
    }
    if (has_control_characters(*value)) {
        throw invalid_parameter(name, "control characters are not allowed");
    }
    return std::string(*value);
}

std::optional<std::string> Params::uuid(std::string_view name) const {
    const auto value = raw(name);
    if (!value) return std::nullopt;
    if (!proto::is_uuid(*value)) throw invalid_parameter(name, "must be a lower-case UUID");
    return std::string(*value);
}

std::optional<std::string> Params::date(std::string_view name) const {
    const auto value = raw(name);
    if (!value) return std::nullopt;
    if (!is_iso_date(*value)) throw invalid_parameter(name, "must be a date YYYY-MM-DD");
    return std::string(*value);
}

std::optional<TimeArg> Params::time(std::string_view name) const {
    const auto value = raw(name);
    if (!value) return std::nullopt;
    if (is_iso_date(*value)) return TimeArg{std::string(*value), true};
    const auto tp = proto::parse_rfc3339(*value);
    if (!tp || *tp < system_clock::time_point{} ||
        *tp >= system_clock::time_point{sys_days{year{2200} / 1 / 1}}) {
        throw invalid_parameter(name, "must be an RFC 3339 time or a date YYYY-MM-DD");
    }
    return TimeArg{proto::format_rfc3339(*tp, proto::TimePrecision::milliseconds), false};
}

std::optional<bool> Params::boolean(std::string_view name) const {
    const auto value = raw(name);
    if (!value) return std::nullopt;
    if (*value == "true" || *value == "1" || value->empty()) return true;
    if (*value == "false" || *value == "0") return false;
    throw invalid_parameter(name, "must be true or false");
}

std::optional<long long> Params::integer(std::string_view name, long long min,
                                         long long max) const {
    const auto value = raw(name);
    if (!value) return std::nullopt;
    long long n = 0;
    const auto end = value->data() + value->size();
    const auto [ptr, ec] = std::from_chars(value->data(), end, n);
    if (value->empty() || ec != std::errc{} || ptr != end) {
        throw invalid_parameter(name, "must be an integer");
    }
    if (n < min || n > max) {
        throw invalid_parameter(name, fmt::format("must be between {} and {}", min, max));
    }
    return n;
}

std::string Params::choice(std::string_view name, std::initializer_list<std::string_view> allowed,
                           std::string_view fallback) const {
    const auto value = raw(name);
    if (!value) return std::string(fallback);
    if (std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
        std::string list;
        for (const auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        throw invalid_parameter(name, "must be one of " + list);
    }
    return std::string(*value);
}

Page Params::page() const {
    Page p;
    // A file (CSV, XLSX) is the whole list by default: a spreadsheet of the first 100 devices
    // is not what "export" means. Pages of JSON stay small.
    if (format_ != Format::json) {
        p.limit = integer("limit", 1, kMaxExportLimit).value_or(kMaxExportLimit);
    } else {
        p.limit = integer("limit", 1, kMaxLimit).value_or(kDefaultLimit);
    }
    p.offset = integer("offset", 0, kMaxOffset).value_or(0);
    return p;
}

PeriodArg Params::period() const {
    PeriodArg period;
    period.kind = choice("period", {"day", "week", "month", "custom"}, "month");
    if (period.kind == "custom") {
        const auto from = date("from");
        const auto to = date("to");
        if (!from || !to) throw invalid_parameter("period", "custom needs from= and to= dates");
        if (*to < *from) throw invalid_parameter("to", "is before from");
        if (sys_days{*parse_date(*to)} - sys_days{*parse_date(*from)} > days{3660}) {
            throw invalid_parameter("to", "a custom period spans at most 10 years");
        }
        period.from = *from;
        period.to = *to;
        return period;
    }
    if (raw("from") || raw("to")) throw invalid_parameter("from", "only with period=custom");
    period.date = date("date");
    return period;
}

DayRange period_days(const PeriodArg& period, const std::string& today) {
    if (period.kind == "custom") return {period.from, add_days(period.to, 1)};
    const std::string at = period.date.value_or(today);
    if (period.kind == "day") return {at, add_days(at, 1)};
    if (period.kind == "week") {
        const auto start = week_start(at);
        return {start, add_days(start, 7)};
    }
    const auto start = month_start(at);
    return {start, add_months(start, 1)};
}

}  // namespace printmon::cloud::api
