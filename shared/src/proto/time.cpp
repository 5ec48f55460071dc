#include "printmon/proto/time.hpp"

#include <array>
#include <cstdint>
#include <cstdio>

namespace printmon::proto {
namespace {

using std::chrono::system_clock;

/// Reads exactly `count` decimal digits at `pos`, advancing it.
std::optional<int> read_digits(std::string_view text, std::size_t& pos, std::size_t count) {
    if (pos + count > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const char c = text[pos + i];
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    pos += count;
    return value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

}  // namespace

std::string format_rfc3339(system_clock::time_point tp, TimePrecision precision) {
    using namespace std::chrono;
    const auto ms_point = floor<milliseconds>(tp);
    const auto day = floor<days>(ms_point);
    year_month_day ymd{day};
    if (ymd.year() < year{0}) {
        ymd = year{0} / January / 1;
    } else if (ymd.year() > year{9999}) {
        ymd = year{9999} / December / 31;
    }
    const hh_mm_ss hms{ms_point - day};
    std::array<char, 40> buffer{};
    const int year_value = static_cast<int>(ymd.year());
    const auto month_value = static_cast<unsigned>(ymd.month());
    const auto day_value = static_cast<unsigned>(ymd.day());
    const auto hours_value = static_cast<int>(hms.hours().count());
    const auto minutes_value = static_cast<int>(hms.minutes().count());
    const auto seconds_value = static_cast<int>(hms.seconds().count());
    int written = 0;
    if (precision == TimePrecision::milliseconds) {
        written = std::snprintf(buffer.data(), buffer.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                                year_value, month_value, day_value, hours_value, minutes_value,
                                seconds_value, static_cast<int>(hms.subseconds().count()));
    } else {
        written = std::snprintf(buffer.data(), buffer.size(), "%04d-%02u-%02uT%02d:%02d:%02dZ",
                                year_value, month_value, day_value, hours_value, minutes_value,
                                seconds_value);
    }
    return {buffer.data(), static_cast<std::size_t>(written > 0 ? written : 0)};
}

std::optional<system_clock::time_point> parse_rfc3339(std::string_view text) {
    using namespace std::chrono;
    std::size_t pos = 0;
    const auto y = read_digits(text, pos, 4);
    if (!y || !expect(text, pos, '-')) return std::nullopt;
    const auto mo = read_digits(text, pos, 2);
    if (!mo || !expect(text, pos, '-')) return std::nullopt;
    const auto d = read_digits(text, pos, 2);
    if (!d || !(expect(text, pos, 'T') || expect(text, pos, 't'))) return std::nullopt;
    const auto h = read_digits(text, pos, 2);
    if (!h || !expect(text, pos, ':')) return std::nullopt;
    const auto mi = read_digits(text, pos, 2);
    if (!mi || !expect(text, pos, ':')) return std::nullopt;
    const auto s = read_digits(text, pos, 2);
    if (!s) return std::nullopt;

    const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)},
                             day{static_cast<unsigned>(*d)}};
    if (!ymd.ok() || *h > 23 || *mi > 59 || *s > 59) {
        return std::nullopt;
    }
    // system_clock counts nanoseconds in 64 bits: about 1678..2261. Dates outside (a year
    // 9999 "forever", a year 0001) are refused here instead of overflowing (UB) below.
    if (ymd.year() < year{1678} || ymd.year() > year{2261}) return std::nullopt;

    nanoseconds fraction{0};
    if (expect(text, pos, '.')) {
        std::int64_t digits = 0;
        std::int64_t scale = 1'000'000'000;
        const std::size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            // Digits past nanoseconds are accepted and dropped: system_clock cannot hold them.
            if (scale > 1) {
                scale /= 10;
                digits += (text[pos] - '0') * scale;
            }
            ++pos;
        }
        if (pos == start) return std::nullopt;
        fraction = nanoseconds{digits};
    }

    minutes offset{0};
    if (expect(text, pos, 'Z') || expect(text, pos, 'z')) {
        // UTC
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        const bool negative = text[pos] == '-';
        ++pos;
        const auto oh = read_digits(text, pos, 2);
        if (!oh || !expect(text, pos, ':')) return std::nullopt;
        const auto om = read_digits(text, pos, 2);
        if (!om || *oh > 23 || *om > 59) return std::nullopt;
        offset = hours{*oh} + minutes{*om};
        if (negative) offset = -offset;
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) {
        return std::nullopt;
    }

    const auto local = sys_days{ymd} + hours{*h} + minutes{*mi} + seconds{*s} + fraction;
    return time_point_cast<system_clock::duration>(local - offset);
}

}  // namespace printmon::proto
