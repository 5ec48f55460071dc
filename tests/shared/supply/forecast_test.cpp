#include <catch2/catch.hpp>

#include <cmath>

#include "printmon/supply/cartridge.hpp"
#include "printmon/supply/forecast.hpp"

using namespace printmon::supply;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kT0 = 1767571200;  // 2026-01-05, a Monday

/// Hourly readings of a toner falling `per_day` percent a day (on every day, or on weekdays
/// only), shown in `step` steps as the step above the true level; pages at `pages_per_percent`.
std::vector<LevelPoint> falling(double start, double per_day, int step, int days,
                                bool weekdays_only = false, double pages_per_percent = 0) {
    std::vector<LevelPoint> out;
    double level = start;
    std::int64_t pages = 1000;
    for (std::int64_t h = 0; h < days * 24; ++h) {
        const std::int64_t t = kT0 + h * 3600;
        const int weekday = static_cast<int>(((t / kDay) + 3) % 7);
        if (!weekdays_only || weekday < 5) {
            const double fall = per_day / 24 * (weekdays_only ? 7.0 / 5 : 1.0);
            level -= fall;
            pages += static_cast<std::int64_t>(std::llround(fall * pages_per_percent));
        }
        LevelPoint p;
        p.at = t;
        const int shown = level <= 0 ? 0 : static_cast<int>(std::ceil(level / step)) * step;
        p.level_percent = shown;
        if (pages_per_percent > 0) p.pages = pages;
        out.push_back(p);
    }
    return out;
}

ForecastInput input_of(std::vector<LevelPoint> h) {
    ForecastInput in;
    in.history = std::move(h);
    return in;
}

}  // namespace

TEST_CASE("a cartridge change is a rise of the shared threshold or a new serial", "[supply]") {
    CHECK(is_cartridge_change(5, 100));
    CHECK(is_cartridge_change(40, 40 + kCartridgeJumpPercent));
    CHECK_FALSE(is_cartridge_change(40, 40 + kCartridgeJumpPercent - 1));
    CHECK_FALSE(is_cartridge_change(40, 60));  // a 20 % step device flickering
    CHECK_FALSE(is_cartridge_change(std::nullopt, 100));
    CHECK_FALSE(is_cartridge_change(80, 70));
    CHECK(is_cartridge_change(50, 50, "A1", "B2"));
    CHECK(is_cartridge_change(std::nullopt, std::nullopt, "A1", "B2"));
    CHECK_FALSE(is_cartridge_change(50, 48, "A1", "A1"));
    CHECK_FALSE(is_cartridge_change(50, 48, "", "B2"));  // the serial was not known before
}

TEST_CASE("the current cartridge starts after the last swap", "[supply]") {
    auto h = falling(60, 2, 10, 20);
    const auto first = h.size();
    auto second = falling(100, 2, 10, 10);
    for (auto& p : second) p.at += 20 * kDay;
    h.insert(h.end(), second.begin(), second.end());
    CHECK(current_cartridge_start(h) == first);
    CHECK(current_cartridge_start(h, first) == 0);  // before the swap
    // A serial change with no level at all.
    std::vector<LevelPoint> s(4);
    for (std::size_t i = 0; i < s.size(); ++i) {
        s[i].at = kT0 + static_cast<std::int64_t>(i) * kDay;
        s[i].some_remaining = true;
        s[i].serial = i < 2 ? "A" : "B";
    }
    CHECK(current_cartridge_start(s) == 2);
    // The forecast reads only the new cartridge: right after a swap there is nothing to fit.
    const auto f = forecast(input_of(
        std::vector<LevelPoint>(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(first) + 24)));
    CHECK(f.since == first);
    CHECK(f.status == ForecastStatus::not_enough_data);
}

TEST_CASE("coarse steps: the step times give the rate", "[supply]") {
    for (const int step : {1, 10, 20}) {
        INFO("step " << step);
        // 100 % at 2 % a day: empty on day 50. Forecast on day 36: 14 days left.
        const auto f = forecast(input_of(falling(100, 2, step, 36)));
        REQUIRE(f.status == ForecastStatus::ok);
        CHECK(f.method == "levels");
        CHECK(f.days == Approx(14).margin(step == 20 ? 2.5 : 1.0));
        CHECK(f.days_low <= f.days);
        CHECK(f.days_high >= f.days);
        CHECK(f.days_low <= 14.0);
        CHECK(f.days_high >= 14.0);
    }
}

TEST_CASE("weekends idle: the rate is per calendar day", "[supply]") {
    // 1.4 % a calendar day, all of it on weekdays: empty after ~71 days.
    const auto f = forecast(input_of(falling(100, 1.4, 10, 57, true)));
    REQUIRE(f.status == ForecastStatus::ok);
    CHECK(f.days == Approx(100 / 1.4 - 57).margin(2.5));
}

TEST_CASE("page counters: pages per percent and the page rate", "[supply]") {
    const auto f = forecast(input_of(falling(100, 2, 10, 36, true, 80)));
    REQUIRE(f.status == ForecastStatus::ok);
    CHECK(f.method == "pages");
    CHECK(f.days == Approx(14).margin(1.5));
    CHECK(f.days_low <= 14.0);
    CHECK(f.days_high >= 14.0);
}

TEST_CASE("\"some remaining\": pages since a known swap against the capacity", "[supply]") {
    std::vector<LevelPoint> h;
    std::int64_t pages = 0;
    for (int d = 0; d < 30; ++d) {
        LevelPoint p;
        p.at = kT0 + d * kDay;
        p.some_remaining = true;
        p.serial = d < 10 ? "OLD" : "NEW";
        p.pages = pages;
        pages += 100;
        h.push_back(p);
    }
    ForecastInput in = input_of(h);
    // Without the capacity the honest answer is none.
    auto f = forecast(in);
    CHECK(f.status == ForecastStatus::not_enough_data);
    CHECK(f.reason == "no level, only \"some remaining\"");
    in.capacity_pages = 5000;  // 1,900 printed since the swap: 3,100 left at 100 a day
    f = forecast(in);
    REQUIRE(f.status == ForecastStatus::ok);
    CHECK(f.method == "pages");
    CHECK(f.days == Approx(31).margin(0.5));
    CHECK(f.days_low < 31);
    CHECK(f.days_high > 31);
    // No known swap: the pages since the cartridge went in are unknown.
    for (auto& p : in.history) p.serial.clear();
    CHECK(forecast(in).status == ForecastStatus::not_enough_data);
}

TEST_CASE("the device's own count of pages left: days at the page rate", "[supply]") {
    // A drum with no level at all, 100 pages a day on every day for four weeks.
    std::vector<LevelPoint> h;
    for (int d = 0; d < 28; ++d) {
        LevelPoint p;
        p.at = kT0 + d * kDay;
        p.pages = 20000 + 100 * d;
        h.push_back(p);
    }
    ForecastInput in = input_of(h);
    CHECK(forecast(in).reason == "no level reported");
    in.pages_remaining = 4200;
    auto f = forecast(in);
    REQUIRE(f.status == ForecastStatus::ok);
    CHECK(f.method == "device_pages");
    CHECK(f.days == Approx(42).margin(0.01));
    CHECK(f.days_low <= 42);
    CHECK(f.days_high >= 42);
    // It wins over the level steps of the same unit, whose percentage is coarser.
    auto levelled = falling(100, 2, 10, 36, false, 50);
    ForecastInput both = input_of(levelled);
    both.pages_remaining = 1000;
    f = forecast(both);
    CHECK(f.method == "device_pages");
    CHECK(f.days == Approx(10).margin(0.5));  // 1,000 pages at 100 a day
    // None left: due now.
    in.pages_remaining = 0;
    CHECK(forecast(in).status == ForecastStatus::empty);
    // None left but a level above 0 for the same unit: the count is no count, the level's
    // method answers.
    both.pages_remaining = 0;
    f = forecast(both);
    REQUIRE(f.status == ForecastStatus::ok);
    CHECK(f.method == "pages");
    // Without a page rate the count alone says nothing about days.
    for (auto& p : in.history) p.pages.reset();
    in.pages_remaining = 4200;
    CHECK(forecast(in).status == ForecastStatus::not_enough_data);
}

TEST_CASE("not enough data, and empty", "[supply]") {
    CHECK(forecast(ForecastInput{}).status == ForecastStatus::not_enough_data);
    // One step only (20 % steps, 3 days in).
    auto f = forecast(input_of(falling(100, 2, 20, 12)));
    CHECK(f.status == ForecastStatus::not_enough_data);
    CHECK(f.reason == "fewer than two level steps");
    // A level that never falls.
    f = forecast(input_of(falling(50, 0, 10, 30)));
    CHECK(f.status == ForecastStatus::not_enough_data);
    // Unknown levels only.
    std::vector<LevelPoint> unknown(3);
    for (std::size_t i = 0; i < unknown.size(); ++i) unknown[i].at = kT0 + static_cast<long>(i);
    CHECK(forecast(input_of(unknown)).reason == "no level reported");
    // Level 0 is empty.
    f = forecast(input_of(falling(10, 2, 10, 6)));
    CHECK(f.status == ForecastStatus::empty);
    CHECK(std::string(to_string(f.status)) == "empty");
}

TEST_CASE("a burst does not make the forecast jump", "[supply]") {
    auto h = falling(100, 1.5, 10, 40);
    // A one-day burst of 12 points on day 20 (everything after it shifted down).
    for (auto& p : h) {
        if (p.at >= kT0 + 20 * kDay && *p.level_percent > 0) {
            p.level_percent = std::max(10, *p.level_percent - 10);
        }
    }
    const auto f = forecast(input_of(h));
    REQUIRE(f.status == ForecastStatus::ok);
    // Truth: 100 - 60 - 12 = 28 % left at 1.5 %/day, 18.7 days; the last two readings say never.
    CHECK(f.days == Approx(18.7).margin(4));
}

TEST_CASE("readings after `now` are not read", "[supply]") {
    ForecastInput in = input_of(falling(100, 2, 10, 45));
    in.now = kT0 + 36 * kDay;
    const auto f = forecast(in);
    REQUIRE(f.status == ForecastStatus::ok);
    CHECK(f.days == Approx(14).margin(1.0));
}
