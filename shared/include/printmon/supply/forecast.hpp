#pragma once
// Days-to-empty forecast of one supply from its level history (docs/cloud-api.md, "Forecast"):
// robust to coarse levels (it fits the times at which the level changes step, not the raw
// readings), weekends and idle weeks (rates over whole weeks), page-based when page counters
// exist. Pure functions, no I/O: the cloud API and the benchmark (bench/forecast) call it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace printmon::supply {

/// One reading of one supply.
struct LevelPoint {
    std::int64_t at = 0;                ///< Unix seconds
    std::optional<int> level_percent;   ///< a real percentage, when the device reports one
    bool some_remaining = false;        ///< no percentage, but the device says "some remaining"
    bool empty = false;                 ///< the device says empty (state or level 0)
    std::optional<std::int64_t> pages;  ///< the device's page counter at that reading
    std::string serial;                 ///< the supply's serial, empty when unknown
};

/// What the forecast reads: readings in time order; where the current cartridge starts is found
/// here (is_cartridge_change), so earlier readings may be passed too (their page counts still
/// tell the device's print volume).
struct ForecastInput {
    std::vector<LevelPoint> history;
    /// Pages a cartridge prints (prtMarkerSuppliesMaxCapacity when its unit is impressions).
    std::optional<std::int64_t> capacity_pages;
    /// Time of the forecast (Unix seconds); the last reading's time when absent.
    std::optional<std::int64_t> now;
    /// Pages the unit has left as the device itself counts them, at the last reading (a
    /// snapshot supply's pages_remaining: Brother's drums, belt, fuser): when the page rate is
    /// known, the days are this count at that rate (method "device_pages").
    std::optional<std::int64_t> pages_remaining;
};

/// Revision of forecast()'s answers. The cloud keeps forecasts between readings (V0022) and
/// recomputes those of another revision: bump it with any change that moves an answer (a
/// constant, the method, what counts as a cartridge change).
inline constexpr int kForecastRevision = 1;

enum class ForecastStatus { ok, empty, not_enough_data };

/// Days to empty from `now` with a range meant to hold the true date 8 times in 10 (measured by
/// bench/forecast, docs/benchmarks.md), or why there is no answer.
struct Forecast {
    ForecastStatus status = ForecastStatus::not_enough_data;
    double days = 0;      ///< best estimate
    double days_low = 0;  ///< range, days_low <= days <= days_high
    double days_high = 0;
    /// "device_pages" (the device's own count of pages left), "pages" (page counters) or
    /// "levels" (level steps); empty if none
    std::string method;
    std::string reason;     ///< why not_enough_data, e.g. "fewer than two level steps"
    std::size_t since = 0;  ///< index in history of the current cartridge's first reading
};

/// Index of the first reading of the current cartridge: the reading after the last change
/// (is_cartridge_change between a reading and the previous one reporting the same kind of
/// value), 0 when none. Only the readings before index `end` count.
std::size_t current_cartridge_start(const std::vector<LevelPoint>& history,
                                    std::size_t end = static_cast<std::size_t>(-1));

/// The forecast of `input` (see the header comment and docs/cloud-api.md for the method).
Forecast forecast(const ForecastInput& input);

/// "ok", "empty", "not_enough_data".
const char* to_string(ForecastStatus status);

}  // namespace printmon::supply
