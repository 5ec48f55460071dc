#include "api/forecasts.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <vector>

#include <pqxx/result>

#include "printmon/proto/time.hpp"
#include "printmon/supply/forecast.hpp"

namespace printmon::cloud::api {
namespace {

constexpr const char* kSupplyHistory = "api_supply_history";
// The readings a device's supply forecasts read: its last 180 days (a cartridge rarely lasts
// longer; the page rate needs 8 weeks), oldest first. Only the readings around a change of the
// levels and one in six of the others: the forecast needs the times at which a level changes
// step, and the page counter at those times and week by week, not every hourly reading. Not
// before the tenant's raw horizon (V0013: at least 3 months of raw readings, enough for the
// page rate's 8 weeks and the current cartridge's slope).
constexpr const char* kSupplyHistorySql =
    "SELECT extract(epoch FROM r.polled_at)::bigint AS at, r.supply_levels, r.total FROM ("
    "SELECT polled_at, supply_levels, total, "
    "supply_levels IS DISTINCT FROM lag(supply_levels) OVER w AS changed, "
    "supply_levels IS DISTINCT FROM lead(supply_levels) OVER w AS changes_next, "
    "row_number() OVER w AS rn, count(*) OVER () AS n FROM readings "
    "WHERE tenant_id = $1::uuid AND device_id = $2::uuid AND polled_at >= "
    "greatest((SELECT max(polled_at) FROM readings WHERE tenant_id = $1::uuid "
    "AND device_id = $2::uuid) - interval '180 days', pm_raw_horizon($1::uuid)) WINDOW w AS (ORDER "
    "BY polled_at, reading_id)) r "
    "WHERE r.changed OR r.changes_next OR r.rn % 6 = 0 OR r.rn = r.n ORDER BY r.polled_at";

// The supplies of a device's newest reading, as the device answer has them.
constexpr const char* kLatestSupplies = "api_latest_supplies";
constexpr const char* kLatestSuppliesSql =
    "SELECT snapshot -> 'supplies' FROM device_latest WHERE tenant_id = $1::uuid "
    "AND device_id = $2::uuid";

/// A supply as supply_levels and the snapshot name it (the cloud's identity of a supply).
struct Key {
    std::string type;
    std::string color;
    std::string description;
    bool operator==(const Key&) const = default;
};

std::string member(const rapidjson::Value& v, const char* name) {
    const auto it = v.FindMember(name);
    if (it == v.MemberEnd() || !it->value.IsString()) return {};
    return {it->value.GetString(), it->value.GetStringLength()};
}

Key key_of(const rapidjson::Value& v) {
    return {member(v, "type"), member(v, "color"), member(v, "description")};
}

/// One reading of the history: its time, page counter and the percent of each supply.
struct Row {
    std::int64_t at = 0;
    std::optional<std::int64_t> pages;
    std::vector<std::pair<Key, int>> levels;
};

std::vector<Row> history(pqxx::transaction_base& tx, const std::string& tenant,
                         const std::string& device) {
    std::vector<Row> out;
    for (const auto& r : tx.exec_prepared(kSupplyHistory, tenant, device)) {
        Row row;
        row.at = r[0].as<std::int64_t>();
        if (!r[2].is_null()) row.pages = r[2].as<std::int64_t>();
        if (!r[1].is_null()) {
            rapidjson::Document levels;
            levels.Parse(r[1].c_str(), r[1].size());
            if (!levels.HasParseError() && levels.IsArray()) {
                for (const auto& s : levels.GetArray()) {
                    if (!s.IsObject()) continue;
                    const auto pct = s.FindMember("level_percent");
                    if (pct == s.MemberEnd() || !pct->value.IsInt()) continue;
                    row.levels.emplace_back(key_of(s), pct->value.GetInt());
                }
            }
        }
        out.push_back(std::move(row));
    }
    return out;
}

std::string rfc3339(std::int64_t unix_seconds) {
    return proto::format_rfc3339(std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(unix_seconds))));
}

/// Days to one decimal: the range is wider than that.
double tenth(double days) { return std::round(days * 10) / 10; }

/// A day count of `f` as answers show it: to a tenth when ok, 0 when empty, none otherwise.
rapidjson::Value shown_days(const supply::Forecast& f, double days) {
    if (f.status == supply::ForecastStatus::ok) return rapidjson::Value(tenth(days));
    if (f.status == supply::ForecastStatus::empty) return rapidjson::Value(0.0);
    return rapidjson::Value(rapidjson::kNullType);
}

/// The forecast input of the supply `supply` (a snapshot's supply object) from `rows`; none for
/// a receptacle (waste toner fills up, it does not run out).
std::optional<supply::ForecastInput> input_of(const rapidjson::Value& supply,
                                              const std::vector<Row>& rows) {
    const auto cls = supply.FindMember("class");
    if (cls != supply.MemberEnd() && cls->value.IsString() &&
        std::string_view(cls->value.GetString()) == "receptacle") {
        return std::nullopt;
    }
    const Key key = key_of(supply);
    supply::ForecastInput in;
    for (const auto& row : rows) {
        supply::LevelPoint p;
        p.at = row.at;
        p.pages = row.pages;
        for (const auto& [k, pct] : row.levels) {
            if (k == key) p.level_percent = pct;
        }
        in.history.push_back(p);
    }
    const auto unit = member(supply, "unit");
    const auto max = supply.FindMember("max");
    if (unit == "impressions" && max != supply.MemberEnd() && max->value.IsInt64() &&
        max->value.GetInt64() > 0) {
        in.capacity_pages = max->value.GetInt64();
    }
    if (const auto left = supply.FindMember("pages_remaining");
        left != supply.MemberEnd() && left->value.IsInt64() && left->value.GetInt64() >= 0) {
        in.pages_remaining = left->value.GetInt64();
    }
    const auto state = member(supply, "state");
    if (!in.history.empty() && !in.history.back().level_percent) {
        in.history.back().some_remaining = state == "some_remaining";
        in.history.back().empty = state == "empty";
    }
    return in;
}

void add_forecast(rapidjson::Value& supply, const std::vector<Row>& rows,
                  rapidjson::Document::AllocatorType& alloc) {
    const auto in = input_of(supply, rows);
    if (!in) {
        supply.AddMember("forecast", rapidjson::Value(rapidjson::kNullType), alloc);
        return;
    }
    rapidjson::Value f(rapidjson::kObjectType);
    const auto r = supply::forecast(*in);
    const auto str = [&alloc](const std::string& s) {
        return rapidjson::Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), alloc);
    };
    f.AddMember("status", rapidjson::StringRef(supply::to_string(r.status)), alloc);
    f.AddMember("days_to_empty", shown_days(r, r.days), alloc);
    f.AddMember("days_low", shown_days(r, r.days_low), alloc);
    f.AddMember("days_high", shown_days(r, r.days_high), alloc);
    f.AddMember("method", r.method.empty() ? rapidjson::Value() : str(r.method), alloc);
    f.AddMember("reason", r.reason.empty() ? rapidjson::Value() : str(r.reason), alloc);
    if (in->history.empty()) {
        f.AddMember("as_of", rapidjson::Value(), alloc);
        f.AddMember("cartridge_since", rapidjson::Value(), alloc);
    } else {
        f.AddMember("as_of", str(rfc3339(in->history.back().at)), alloc);
        // The first reading after the last change; unknown when no change is in the history.
        f.AddMember("cartridge_since",
                    r.since == 0 ? rapidjson::Value() : str(rfc3339(in->history[r.since].at)),
                    alloc);
    }
    supply.AddMember("forecast", f, alloc);
}

}  // namespace

void prepare_forecast_statements(pqxx::connection& conn) {
    conn.prepare(kSupplyHistory, kSupplyHistorySql);
    conn.prepare(kLatestSupplies, kLatestSuppliesSql);
}

std::string page_forecasts(pqxx::transaction_base& tx, const std::string& tenant,
                           const pqxx::result& rows) {
    std::vector<std::string> devices;
    const auto column = rows.column_number("device_id");
    for (const auto& row : rows) {
        std::string id = row[column].c_str();
        if (std::find(devices.begin(), devices.end(), id) == devices.end()) {
            devices.push_back(std::move(id));
        }
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartArray();
    const auto days = [&w](const supply::Forecast& f, double d) { shown_days(f, d).Accept(w); };
    for (const auto& device : devices) {
        const auto latest = tx.exec_prepared(kLatestSupplies, tenant, device);
        if (latest.empty() || latest[0][0].is_null()) continue;
        std::vector<Key> seen;
        for (const auto& f : supply_forecasts(tx, tenant, device, latest[0][0].c_str())) {
            // Two supplies a device names alike share one history (the cloud's identity of a
            // supply); one forecast each, or the join would repeat the list's rows.
            const Key key{f.type, f.color, f.description};
            if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
            seen.push_back(key);
            w.StartObject();
            w.Key("device_id");
            w.String(device.c_str(), static_cast<rapidjson::SizeType>(device.size()));
            w.Key("type");
            w.String(f.type.c_str(), static_cast<rapidjson::SizeType>(f.type.size()));
            w.Key("color");
            w.String(f.color.c_str(), static_cast<rapidjson::SizeType>(f.color.size()));
            w.Key("description");
            w.String(f.description.c_str(), static_cast<rapidjson::SizeType>(f.description.size()));
            w.Key("forecast_status");
            w.String(supply::to_string(f.forecast.status));
            w.Key("days_to_empty");
            days(f.forecast, f.forecast.days);
            w.Key("days_low");
            days(f.forecast, f.forecast.days_low);
            w.Key("days_high");
            days(f.forecast, f.forecast.days_high);
            w.Key("pages_remaining");
            if (f.pages_remaining) {
                w.Int64(*f.pages_remaining);
            } else {
                w.Null();
            }
            w.EndObject();
        }
    }
    w.EndArray();
    return {buffer.GetString(), buffer.GetSize()};
}

std::vector<SupplyForecast> supply_forecasts(pqxx::transaction_base& tx, const std::string& tenant,
                                             const std::string& device, std::string_view supplies) {
    rapidjson::Document doc;
    doc.Parse(supplies.data(), supplies.size());
    std::vector<SupplyForecast> out;
    if (doc.HasParseError() || !doc.IsArray()) return out;
    const auto rows = history(tx, tenant, device);
    for (const auto& s : doc.GetArray()) {
        if (!s.IsObject()) continue;
        const auto in = input_of(s, rows);
        if (!in) continue;
        SupplyForecast f;
        const Key key = key_of(s);
        f.type = key.type;
        f.color = key.color;
        f.description = key.description;
        const auto pct = s.FindMember("level_percent");
        if (pct != s.MemberEnd() && pct->value.IsInt()) f.level_percent = pct->value.GetInt();
        f.forecast = supply::forecast(*in);
        f.pages_remaining = in->pages_remaining;
        if (!in->history.empty()) {
            f.as_of = in->history.back().at;
            if (f.forecast.since != 0) f.since = in->history[f.forecast.since].at;
        }
        out.push_back(std::move(f));
    }
    return out;
}

std::string supplies_with_forecasts(pqxx::transaction_base& tx, const std::string& tenant,
                                    const std::string& device, std::string_view supplies) {
    rapidjson::Document doc;
    doc.Parse(supplies.data(), supplies.size());
    if (doc.HasParseError() || !doc.IsArray()) return std::string(supplies);
    const auto rows = history(tx, tenant, device);
    for (auto& s : doc.GetArray()) {
        if (s.IsObject()) add_forecast(s, rows, doc.GetAllocator());
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    doc.Accept(w);
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace printmon::cloud::api
