#include "printmon/supply/forecast.hpp"

#include <algorithm>
#include <cmath>

#include "printmon/supply/cartridge.hpp"

namespace printmon::supply {
namespace {

constexpr double kDay = 86400.0;
// Rationale for the constants: chosen on bench/forecast with a tuning seed, then measured on
// another seed (docs/benchmarks.md, "Supply forecast").
/// Spread multiplier of the rate and level uncertainties (about a 1.7-sigma band).
constexpr double kZ = 1.7;
/// Smallest relative uncertainty of a rate: usage next month is never known to better than this.
constexpr double kMinRateSpread = 0.08;
/// Uncertainty of a cartridge's yield when only the nominal capacity is known.
constexpr double kNominalYieldSpread = 0.3;
/// The page rate needs whole weeks (weekends), the level rate a few days between two steps.
constexpr double kMinPageSpanDays = 7;
constexpr double kMinStepSpanDays = 1;
/// Weeks of page history the rate reads: recent enough to follow a change of use.
constexpr int kRateWeeks = 8;
/// Theil-Sen over every pair is quadratic; 1 % steps give ~100 steps a cartridge.
constexpr std::size_t kMaxSteps = 200;

/// The level left its previous step: the true level passed `value` between the last reading at
/// the old step and the first at the new one (`at`, their midpoint).
struct Step {
    double at = 0;     ///< days
    double value = 0;  ///< percent
    std::optional<double> pages;
};

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    double m = *mid;
    if (v.size() % 2 == 0) m = (m + *std::max_element(v.begin(), mid)) / 2;
    return m;
}

/// Robust line through (x, y): Theil-Sen slope, median intercept, and the residuals' robust
/// standard deviation (1.4826 MAD).
struct Line {
    double slope = 0;
    double intercept = 0;
    double sigma = 0;
    double sxx = 0;  ///< sum of squared x deviations, for the slope's standard error
};

Line robust_line(const std::vector<double>& x, const std::vector<double>& y) {
    Line l;
    std::vector<double> slopes;
    for (std::size_t i = 0; i < x.size(); ++i) {
        for (std::size_t j = i + 1; j < x.size(); ++j) {
            if (x[j] != x[i]) slopes.push_back((y[j] - y[i]) / (x[j] - x[i]));
        }
    }
    l.slope = median(slopes);
    std::vector<double> b;
    b.reserve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) b.push_back(y[i] - l.slope * x[i]);
    l.intercept = median(b);
    std::vector<double> res;
    double mean = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        res.push_back(std::abs(y[i] - l.intercept - l.slope * x[i]));
        mean += x[i];
    }
    mean /= static_cast<double>(x.size());
    for (const double v : x) l.sxx += (v - mean) * (v - mean);
    l.sigma = 1.4826 * median(res);
    return l;
}

/// Page rate (pages a day) over the last whole weeks of counter history, and the weekly totals'
/// coefficient of variation: weekends and idle weeks are inside each week, not noise around it.
struct PageRate {
    double per_day = 0;
    double cv = 0;
};

std::optional<PageRate> page_rate(const std::vector<LevelPoint>& h, std::size_t end, double now) {
    // The counter's current epoch: a counter going backwards (a reset) starts it again.
    std::vector<std::pair<double, double>> pts;
    for (std::size_t i = 0; i < end; ++i) {
        if (!h[i].pages) continue;
        const auto p = static_cast<double>(*h[i].pages);
        if (!pts.empty() && p < pts.back().second) pts.clear();
        pts.emplace_back(static_cast<double>(h[i].at) / kDay, p);
    }
    if (pts.size() < 2 || pts.back().first - pts.front().first < kMinPageSpanDays) {
        return std::nullopt;
    }
    // Counter value at time t: the last reading at or before it.
    const auto at = [&pts](double t) {
        auto it = std::upper_bound(pts.begin(), pts.end(), t,
                                   [](double v, const auto& p) { return v < p.first; });
        if (it == pts.begin()) return pts.front().second;
        return std::prev(it)->second;
    };
    const double last = std::min(now, pts.back().first);
    const int weeks = std::min(kRateWeeks, static_cast<int>((last - pts.front().first) / 7));
    std::vector<double> totals;
    totals.reserve(static_cast<std::size_t>(std::max(weeks, 0)));
    for (int w = 0; w < weeks; ++w) {
        totals.push_back(at(last - 7.0 * w) - at(last - 7.0 * (w + 1)));
    }
    double sum = 0;
    for (const double t : totals) sum += t;
    const double mean = sum / static_cast<double>(weeks);
    if (mean <= 0) return std::nullopt;
    double var = 0;
    for (const double t : totals) var += (t - mean) * (t - mean);
    const double sd = weeks > 1 ? std::sqrt(var / (weeks - 1)) : mean * 0.5;
    return PageRate{mean / 7.0, sd / mean};
}

// The first reading of the cartridge in use at history[end - 1].
std::size_t cartridge_start(const std::vector<LevelPoint>& history, std::size_t end) {
    std::size_t start = 0;
    std::optional<int> last_percent;
    const std::string* last_serial = nullptr;
    for (std::size_t i = 0; i < end; ++i) {
        const auto& p = history[i];
        if (is_cartridge_change(last_percent, p.level_percent,
                                last_serial != nullptr ? *last_serial : std::string_view(),
                                p.serial)) {
            start = i;
        }
        if (p.level_percent) last_percent = p.level_percent;
        if (!p.serial.empty()) last_serial = &p.serial;
    }
    return start;
}

/// Coefficient of variation of the level's weekly falls over the last whole weeks of `steps`
/// (joined by straight lines); none below two weeks.
std::optional<double> weekly_cv(const std::vector<Step>& steps) {
    const auto level_at = [&steps](double t) {
        auto it = std::lower_bound(steps.begin(), steps.end(), t,
                                   [](const Step& s, double v) { return s.at < v; });
        if (it == steps.begin()) return it->value;
        if (it == steps.end()) return steps.back().value;
        const auto& a = *std::prev(it);
        return a.value + (it->value - a.value) * (t - a.at) / (it->at - a.at);
    };
    const double last = steps.back().at;
    const int weeks = std::min(kRateWeeks, static_cast<int>((last - steps.front().at) / 7));
    if (weeks < 2) return std::nullopt;
    std::vector<double> falls;
    double sum = 0;
    for (int w = 0; w < weeks; ++w) {
        falls.push_back(level_at(last - 7.0 * (w + 1)) - level_at(last - 7.0 * w));
        sum += falls.back();
    }
    const double mean = sum / weeks;
    if (mean <= 0) return std::nullopt;
    double var = 0;
    for (const double f : falls) var += (f - mean) * (f - mean);
    return std::sqrt(var / (weeks - 1)) / mean;
}

Forecast no_answer(std::size_t since, std::string reason) {
    Forecast f;
    f.status = ForecastStatus::not_enough_data;
    f.since = since;
    f.reason = std::move(reason);
    return f;
}

/// Days for `remaining` (with its range) at `rate`, whose relative spread over a horizon of m
/// weeks shrinks as 1/sqrt(m): idle weeks average out over a long horizon, not over a short one.
void finish(Forecast& f, double remaining, double remaining_lo, double remaining_hi, double per_day,
            double rate_spread_week) {
    f.status = ForecastStatus::ok;
    f.days = std::max(0.0, remaining / per_day);
    const double weeks = std::max(1.0, f.days / 7);
    const double spread =
        std::min(0.9, std::max(kMinRateSpread, kZ * rate_spread_week / std::sqrt(weeks)));
    f.days_low = std::max(0.0, remaining_lo / (per_day * (1 + spread)));
    f.days_high = std::max(f.days, remaining_hi / (per_day * (1 - spread)));
    f.days_low = std::min(f.days_low, f.days);
}

}  // namespace

const char* to_string(ForecastStatus status) {
    switch (status) {
        case ForecastStatus::ok:
            return "ok";
        case ForecastStatus::empty:
            return "empty";
        case ForecastStatus::not_enough_data:
            break;
    }
    return "not_enough_data";
}

std::size_t current_cartridge_start(const std::vector<LevelPoint>& history, std::size_t end) {
    return cartridge_start(history, std::min(end, history.size()));
}

Forecast forecast(const ForecastInput& input) {
    const auto& h = input.history;
    if (h.empty()) return no_answer(0, "no readings");
    const std::int64_t now_s = input.now.value_or(h.back().at);
    std::size_t end = 0;  // readings at or before now
    while (end < h.size() && h[end].at <= now_s) ++end;
    if (end == 0) return no_answer(0, "no readings");
    const std::size_t since = cartridge_start(h, end);
    const double now = static_cast<double>(now_s) / kDay;

    // The level steps of the current cartridge. The level only falls: a small rise (sensor
    // noise, a shaken cartridge) is ignored, so falling back to the same step is no new step.
    std::vector<Step> steps;
    std::optional<int> level;  // lowest step so far
    int step_size = 0;         // smallest fall seen: the device's resolution
    std::size_t at_level = 0;  // last reading at `level`
    bool some_remaining = false;
    for (std::size_t i = since; i < end; ++i) {
        const auto& p = h[i];
        if (p.empty || (p.level_percent && *p.level_percent <= 0)) {
            Forecast f;
            f.status = ForecastStatus::empty;
            f.since = since;
            return f;
        }
        some_remaining = some_remaining || p.some_remaining;
        if (!p.level_percent) continue;
        const int v = *p.level_percent;
        if (level && v < *level) {
            const auto& a = h[at_level];
            Step s;
            s.at = (static_cast<double>(a.at) + static_cast<double>(p.at)) / 2 / kDay;
            s.value = v;
            if (a.pages && p.pages && *p.pages >= *a.pages) {
                s.pages = (static_cast<double>(*a.pages) + static_cast<double>(*p.pages)) / 2;
            }
            steps.push_back(s);
            step_size = step_size == 0 ? *level - v : std::min(step_size, *level - v);
        }
        if (!level || v <= *level) {
            level = v;
            at_level = i;
        }
    }
    if (steps.size() > kMaxSteps) {  // keep the first and last, thin evenly between
        std::vector<Step> thin;
        for (std::size_t k = 0; k < kMaxSteps; ++k) {
            thin.push_back(steps[k * (steps.size() - 1) / (kMaxSteps - 1)]);
        }
        steps = std::move(thin);
    }
    // A device reporting L shows the true level in (L - step, L]: step 1 % when only one fall.
    const double step = std::clamp(step_size == 0 ? 1 : step_size, 1, 50);
    const double floor_level = level ? std::max(0.0, *level - step) : 0.0;
    const double ceil_level = level ? *level : 0.0;

    const auto rate = page_rate(h, end, now);
    const std::optional<double> pages_now = [&]() -> std::optional<double> {
        for (std::size_t i = end; i-- > since;) {
            if (h[i].pages) return static_cast<double>(*h[i].pages);
        }
        return std::nullopt;
    }();

    Forecast f;
    f.since = since;

    // The device's own count of the pages the unit has left: nothing to estimate but the page
    // rate, so it comes first. None left is a unit due now, unless the same unit reports a
    // level above 0: then the count says nothing (a model that fills it with 0) and the
    // level's methods below answer.
    const bool count_contradicted =
        input.pages_remaining && *input.pages_remaining == 0 && level && *level > 0;
    if (input.pages_remaining && *input.pages_remaining >= 0 && rate && !count_contradicted) {
        f.method = "device_pages";
        if (*input.pages_remaining == 0) {
            f.status = ForecastStatus::empty;
            return f;
        }
        const auto left = static_cast<double>(*input.pages_remaining);
        finish(f, left, left, left, rate->per_day, rate->cv);
        return f;
    }

    // Page-based: pages per percent from the steps' page counts (or the nominal capacity), the
    // level now from the last step and the pages printed since, the days from the page rate.
    std::vector<double> sp;
    std::vector<double> sv;
    for (const auto& s : steps) {
        if (s.pages) {
            sp.push_back(*s.pages);
            sv.push_back(s.value);
        }
    }
    if (level && rate && pages_now) {
        double per_percent = 0;
        double k_spread = kNominalYieldSpread;
        if (sp.size() >= 2 && sp.back() > sp.front() && sv.front() > sv.back()) {
            const Line l = robust_line(sv, sp);  // pages as a function of the level
            per_percent = -l.slope;
            if (per_percent > 0) {
                const double se = l.sxx > 0 ? l.sigma / std::sqrt(l.sxx) : per_percent;
                k_spread = std::max(0.03, kZ * se / per_percent);
            }
        }
        if (per_percent <= 0 && input.capacity_pages && *input.capacity_pages > 0) {
            per_percent = static_cast<double>(*input.capacity_pages) / 100.0;
            k_spread = kNominalYieldSpread;
        }
        if (per_percent > 0) {
            double lvl = (floor_level + ceil_level) / 2;
            double lvl_lo = floor_level;
            double lvl_hi = ceil_level;
            if (!sp.empty() && *pages_now >= sp.back()) {
                const double used = (*pages_now - sp.back()) / per_percent;
                lvl = std::clamp(sv.back() - used, floor_level, ceil_level);
                lvl_lo = std::clamp(lvl - used * k_spread - 0.5, floor_level, ceil_level);
                lvl_hi = std::clamp(lvl + used * k_spread + 0.5, floor_level, ceil_level);
            }
            f.method = "pages";
            finish(f, lvl * per_percent, lvl_lo * per_percent * (1 - k_spread),
                   lvl_hi * per_percent * (1 + k_spread), rate->per_day, rate->cv);
            return f;
        }
    }

    // Level-based: a robust line through the step times, anchored at the last step.
    if (steps.size() >= 2 && steps.back().at - steps.front().at >= kMinStepSpanDays) {
        std::vector<double> x;
        std::vector<double> y;
        for (const auto& s : steps) {
            x.push_back(s.at);
            y.push_back(s.value);
        }
        const Line l = robust_line(x, y);
        const double per_day = -l.slope;
        if (per_day > 0) {
            const double lvl = std::clamp(steps.back().value - per_day * (now - steps.back().at),
                                          floor_level, ceil_level);
            const double slack = l.sigma + step / 4;
            const double se = l.sxx > 0 ? l.sigma / std::sqrt(l.sxx) : per_day;
            // The weekly spread of the rate: the level's falls week by week (the steps joined
            // by straight lines) when the steps span two weeks or more, else the slope's error.
            double week_spread = 7 * se / per_day;
            if (const auto cv = weekly_cv(steps)) week_spread = std::max(week_spread, *cv);
            f.method = "levels";
            finish(f, lvl, std::clamp(lvl - slack, floor_level, ceil_level),
                   std::clamp(lvl + slack, floor_level, ceil_level), per_day, week_spread);
            return f;
        }
        return no_answer(since, "the level does not fall");
    }

    // "Some remaining" only: pages printed since a known cartridge change against its capacity.
    if (!level && some_remaining && since > 0 && input.capacity_pages && rate && pages_now) {
        std::optional<double> start;
        for (std::size_t i = since; i < end && !start; ++i) {
            if (h[i].pages) start = static_cast<double>(*h[i].pages);
        }
        if (start && *pages_now >= *start) {
            const auto cap = static_cast<double>(*input.capacity_pages);
            const double used = *pages_now - *start;
            f.method = "pages";
            finish(f, std::max(0.0, cap - used),
                   std::max(0.0, cap * (1 - kNominalYieldSpread) - used),
                   std::max(0.0, cap * (1 + kNominalYieldSpread) - used), rate->per_day, rate->cv);
            return f;
        }
    }
    if (!level) {
        return no_answer(
            since, some_remaining ? "no level, only \"some remaining\"" : "no level reported");
    }
    return no_answer(since, "fewer than two level steps");
}

}  // namespace printmon::supply
