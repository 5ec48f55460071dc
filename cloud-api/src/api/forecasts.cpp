#include "api/forecasts.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <vector>

#include <pqxx/result>
#include <pqxx/transaction>

#include "printmon/db/array.hpp"
#include "printmon/db/connection.hpp"
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

// The supplies of the newest reading of each device of $2 (a uuid array), with the kept
// forecasts (V0022) when they are current (pm_forecast_current: of the device's present history
// generation, of that newest reading, of this forecast revision ($3) and at most a day old).
constexpr const char* kKeptForecasts = "api_kept_forecasts";
constexpr const char* kKeptForecastsSql =
    "SELECT l.device_id::text, (l.snapshot -> 'supplies')::text, f.forecasts::text "
    "FROM device_latest l JOIN devices d ON d.tenant_id = l.tenant_id "
    "AND d.device_id = l.device_id "
    "LEFT JOIN device_forecasts f ON f.tenant_id = l.tenant_id AND f.device_id = l.device_id "
    "AND pm_forecast_current(f.history_gen, f.reading_id, f.algo, f.computed_at, d.history_gen, "
    "l.reading_id, $3::integer) "
    "WHERE l.tenant_id = $1::uuid AND l.device_id = ANY($2::uuid[])";

// The leader's work list of one tenant: devices in service with supplies whose kept forecasts
// are missing or not current (V0022's pm_forecast_current), those never computed first, then the
// oldest.
constexpr const char* kStaleForecasts = "api_stale_forecasts";
constexpr const char* kStaleForecastsSql =
    "SELECT l.device_id::text, d.history_gen, l.reading_id::text, "
    "(l.snapshot -> 'supplies')::text FROM device_latest l "
    "JOIN devices d ON d.tenant_id = l.tenant_id AND d.device_id = l.device_id "
    "LEFT JOIN device_forecasts f ON f.tenant_id = l.tenant_id AND f.device_id = l.device_id "
    "WHERE l.tenant_id = $1::uuid AND d.retired_at IS NULL "
    "AND jsonb_typeof(l.snapshot -> 'supplies') = 'array' "
    "AND l.snapshot -> 'supplies' <> '[]'::jsonb AND NOT coalesce(pm_forecast_current("
    "f.history_gen, f.reading_id, f.algo, f.computed_at, d.history_gen, l.reading_id, "
    "$2::integer), false) "
    "ORDER BY f.computed_at NULLS FIRST, l.device_id LIMIT $3::bigint";

// Keeps a device's forecasts as computed from the generation and reading the work list named.
constexpr const char* kKeepForecasts = "api_keep_forecasts";
constexpr const char* kKeepForecastsSql =
    "INSERT INTO device_forecasts (tenant_id, device_id, history_gen, reading_id, algo, "
    "computed_at, forecasts) VALUES ($1::uuid, $2::uuid, $3::bigint, $4::uuid, $5::integer, "
    "now(), $6::jsonb) ON CONFLICT (tenant_id, device_id) DO UPDATE SET "
    "history_gen = EXCLUDED.history_gen, reading_id = EXCLUDED.reading_id, algo = EXCLUDED.algo, "
    "computed_at = EXCLUDED.computed_at, forecasts = EXCLUDED.forecasts";

// The leader's sweep: every tenant, in a fixed order.
constexpr const char* kForecastTenants = "api_forecast_tenants";
constexpr const char* kForecastTenantsSql =
    "SELECT tenant_id::text FROM tenants ORDER BY tenant_id";

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

/// Whether `supply` is one a forecast is made for: an object that is no receptacle.
bool consumed(const rapidjson::Value& supply) {
    if (!supply.IsObject()) return false;
    const auto cls = supply.FindMember("class");
    return cls == supply.MemberEnd() || !cls->value.IsString() ||
           std::string_view(cls->value.GetString()) != "receptacle";
}

std::optional<std::int64_t> int64_member(const rapidjson::Value& v, const char* name) {
    const auto it = v.FindMember(name);
    if (it == v.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
    return it->value.GetInt64();
}

/// The forecast of one consumed supply of a snapshot from the device's `rows`.
SupplyForecast forecast_of(const rapidjson::Value& s, const std::vector<Row>& rows) {
    SupplyForecast f;
    const Key key = key_of(s);
    f.type = key.type;
    f.color = key.color;
    f.description = key.description;
    const auto pct = s.FindMember("level_percent");
    if (pct != s.MemberEnd() && pct->value.IsInt()) f.level_percent = pct->value.GetInt();
    const auto in = input_of(s, rows);
    if (!in) return f;  // not reached: callers pass consumed supplies only
    f.forecast = supply::forecast(*in);
    f.pages_remaining = in->pages_remaining;
    if (!in->history.empty()) {
        f.as_of = in->history.back().at;
        if (f.forecast.since != 0) f.since = in->history[f.forecast.since].at;
    }
    return f;
}

/// The forecasts of the snapshot supplies `doc` (an array) computed from the readings; the
/// history is read only when some supply is consumed.
DeviceForecasts computed(pqxx::transaction_base& tx, const std::string& tenant,
                         const std::string& device, const rapidjson::Value& doc) {
    DeviceForecasts out(doc.Size());
    const auto& items = doc.GetArray();
    if (std::none_of(items.begin(), items.end(), consumed)) return out;
    const auto rows = history(tx, tenant, device);
    for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
        if (consumed(doc[i])) out[i] = forecast_of(doc[i], rows);
    }
    return out;
}

std::optional<supply::ForecastStatus> parse_status(std::string_view s) {
    for (const auto st : {supply::ForecastStatus::ok, supply::ForecastStatus::empty,
                          supply::ForecastStatus::not_enough_data}) {
        if (s == supply::to_string(st)) return st;
    }
    return std::nullopt;
}

/// The kept form of a device's forecasts (device_forecasts.forecasts): an array aligned with
/// the snapshot's supplies, null where DeviceForecasts has none. Doubles as RapidJSON writes
/// them (shortest round-trip form), so a kept forecast reads back to the same number.
std::string encode(const DeviceForecasts& forecasts) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    const auto text = [&w](const char* key, const std::string& s) {
        w.Key(key);
        w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
    };
    const auto number = [&w](const char* key, double v) {
        w.Key(key);
        w.Double(v);
    };
    const auto maybe = [&w](const char* key, const std::optional<std::int64_t>& v) {
        w.Key(key);
        if (v) {
            w.Int64(*v);
        } else {
            w.Null();
        }
    };
    w.StartArray();
    for (const auto& f : forecasts) {
        if (!f) {
            w.Null();
            continue;
        }
        w.StartObject();
        text("type", f->type);
        text("color", f->color);
        text("description", f->description);
        text("status", supply::to_string(f->forecast.status));
        number("days", f->forecast.days);
        number("days_low", f->forecast.days_low);
        number("days_high", f->forecast.days_high);
        text("method", f->forecast.method);
        text("reason", f->forecast.reason);
        maybe("as_of", f->as_of);
        maybe("since", f->since);
        maybe("pages_remaining", f->pages_remaining);
        w.EndObject();
    }
    w.EndArray();
    return {buffer.GetString(), buffer.GetSize()};
}

/// Kept forecasts `kept` for the snapshot supplies `doc`, or none when they are malformed or
/// do not name the same supplies in the same places (a reader's snapshot and the kept row may
/// straddle a refresh): the caller then computes them.
std::optional<DeviceForecasts> decode(std::string_view kept, const rapidjson::Value& doc) {
    rapidjson::Document k;
    k.Parse(kept.data(), kept.size());
    if (k.HasParseError() || !k.IsArray() || k.Size() != doc.Size()) return std::nullopt;
    DeviceForecasts out(doc.Size());
    for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
        const auto& e = k[i];
        const auto& s = doc[i];
        if (!consumed(s)) {
            if (!e.IsNull()) return std::nullopt;
            continue;
        }
        if (!e.IsObject()) return std::nullopt;
        const Key key = key_of(s);
        if (!(key_of(e) == key)) return std::nullopt;
        const auto status = parse_status(member(e, "status"));
        const auto days = e.FindMember("days");
        const auto low = e.FindMember("days_low");
        const auto high = e.FindMember("days_high");
        if (!status || days == e.MemberEnd() || !days->value.IsNumber() || low == e.MemberEnd() ||
            !low->value.IsNumber() || high == e.MemberEnd() || !high->value.IsNumber()) {
            return std::nullopt;
        }
        SupplyForecast f;
        f.type = key.type;
        f.color = key.color;
        f.description = key.description;
        // The level is the snapshot's own; the pages left are a forecast input: they must agree.
        const auto pct = s.FindMember("level_percent");
        if (pct != s.MemberEnd() && pct->value.IsInt()) f.level_percent = pct->value.GetInt();
        std::optional<std::int64_t> pages_left;
        if (const auto left = int64_member(s, "pages_remaining"); left && *left >= 0) {
            pages_left = left;
        }
        f.pages_remaining = int64_member(e, "pages_remaining");
        if (f.pages_remaining != pages_left) return std::nullopt;
        f.forecast.status = *status;
        f.forecast.days = days->value.GetDouble();
        f.forecast.days_low = low->value.GetDouble();
        f.forecast.days_high = high->value.GetDouble();
        f.forecast.method = member(e, "method");
        f.forecast.reason = member(e, "reason");
        f.as_of = int64_member(e, "as_of");
        f.since = int64_member(e, "since");
        out[i] = std::move(f);
    }
    return out;
}

/// Kept or computed forecasts of `supplies` given the kept column (`kept`: null when none is
/// current).
DeviceForecasts kept_or_computed(pqxx::transaction_base& tx, const std::string& tenant,
                                 const std::string& device, std::string_view supplies,
                                 const pqxx::field* kept) {
    rapidjson::Document doc;
    doc.Parse(supplies.data(), supplies.size());
    if (doc.HasParseError() || !doc.IsArray()) return {};
    if (kept != nullptr && !kept->is_null()) {
        if (auto out = decode({kept->c_str(), kept->size()}, doc)) return std::move(*out);
    }
    return computed(tx, tenant, device, doc);
}

/// The forecast member of a device answer's supply.
rapidjson::Value forecast_member(const SupplyForecast& f,
                                 rapidjson::Document::AllocatorType& alloc) {
    rapidjson::Value out(rapidjson::kObjectType);
    const auto str = [&alloc](const std::string& s) {
        return rapidjson::Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), alloc);
    };
    const auto& r = f.forecast;
    out.AddMember("status", rapidjson::StringRef(supply::to_string(r.status)), alloc);
    out.AddMember("days_to_empty", shown_days(r, r.days), alloc);
    out.AddMember("days_low", shown_days(r, r.days_low), alloc);
    out.AddMember("days_high", shown_days(r, r.days_high), alloc);
    out.AddMember("method", r.method.empty() ? rapidjson::Value() : str(r.method), alloc);
    out.AddMember("reason", r.reason.empty() ? rapidjson::Value() : str(r.reason), alloc);
    out.AddMember("as_of", f.as_of ? str(rfc3339(*f.as_of)) : rapidjson::Value(), alloc);
    // The first reading after the last change; unknown when no change is in the history.
    out.AddMember("cartridge_since", f.since ? str(rfc3339(*f.since)) : rapidjson::Value(), alloc);
    return out;
}

}  // namespace

void prepare_forecast_statements(pqxx::connection& conn) {
    conn.prepare(kSupplyHistory, kSupplyHistorySql);
    conn.prepare(kKeptForecasts, kKeptForecastsSql);
    conn.prepare(kStaleForecasts, kStaleForecastsSql);
    conn.prepare(kKeepForecasts, kKeepForecastsSql);
    conn.prepare(kForecastTenants, kForecastTenantsSql);
}

DeviceForecasts device_forecasts(pqxx::transaction_base& tx, const std::string& tenant,
                                 const std::string& device, std::string_view supplies) {
    const auto kept = tx.exec_prepared(kKeptForecasts, tenant, db::array_literal({device}),
                                       supply::kForecastRevision);
    if (kept.empty()) return kept_or_computed(tx, tenant, device, supplies, nullptr);
    const pqxx::field column = kept[0][2];
    return kept_or_computed(tx, tenant, device, supplies, &column);
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
    // One statement for every device's supplies and kept forecasts, in the page's order.
    std::map<std::string, pqxx::row> latest;
    const auto kept = devices.empty()
                          ? pqxx::result{}
                          : tx.exec_prepared(kKeptForecasts, tenant, db::array_literal(devices),
                                             supply::kForecastRevision);
    for (const auto& row : kept) latest.emplace(row[0].as<std::string>(), row);

    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartArray();
    const auto days = [&w](const supply::Forecast& f, double d) { shown_days(f, d).Accept(w); };
    for (const auto& device : devices) {
        const auto it = latest.find(device);
        if (it == latest.end() || it->second[1].is_null()) continue;
        const pqxx::field supplies = it->second[1];
        const pqxx::field kept_column = it->second[2];
        std::vector<Key> seen;
        for (const auto& f : kept_or_computed(tx, tenant, device,
                                              {supplies.c_str(), supplies.size()}, &kept_column)) {
            if (!f) continue;
            // Two supplies a device names alike share one history (the cloud's identity of a
            // supply); one forecast each, or the join would repeat the list's rows.
            const Key key{f->type, f->color, f->description};
            if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
            seen.push_back(key);
            w.StartObject();
            w.Key("device_id");
            w.String(device.c_str(), static_cast<rapidjson::SizeType>(device.size()));
            w.Key("type");
            w.String(f->type.c_str(), static_cast<rapidjson::SizeType>(f->type.size()));
            w.Key("color");
            w.String(f->color.c_str(), static_cast<rapidjson::SizeType>(f->color.size()));
            w.Key("description");
            w.String(f->description.c_str(),
                     static_cast<rapidjson::SizeType>(f->description.size()));
            w.Key("forecast_status");
            w.String(supply::to_string(f->forecast.status));
            w.Key("days_to_empty");
            days(f->forecast, f->forecast.days);
            w.Key("days_low");
            days(f->forecast, f->forecast.days_low);
            w.Key("days_high");
            days(f->forecast, f->forecast.days_high);
            w.Key("pages_remaining");
            if (f->pages_remaining) {
                w.Int64(*f->pages_remaining);
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
    std::vector<SupplyForecast> out;
    for (auto& f : device_forecasts(tx, tenant, device, supplies)) {
        if (f) out.push_back(std::move(*f));
    }
    return out;
}

std::string supplies_with_forecasts(pqxx::transaction_base& tx, const std::string& tenant,
                                    const std::string& device, std::string_view supplies) {
    rapidjson::Document doc;
    doc.Parse(supplies.data(), supplies.size());
    if (doc.HasParseError() || !doc.IsArray()) return std::string(supplies);
    const auto forecasts = device_forecasts(tx, tenant, device, supplies);
    for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
        auto& s = doc[i];
        if (!s.IsObject()) continue;
        if (i < forecasts.size() && forecasts[i]) {
            s.AddMember("forecast", forecast_member(*forecasts[i], doc.GetAllocator()),
                        doc.GetAllocator());
        } else {
            s.AddMember("forecast", rapidjson::Value(rapidjson::kNullType), doc.GetAllocator());
        }
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    doc.Accept(w);
    return {buffer.GetString(), buffer.GetSize()};
}

ForecastKeeper::ForecastKeeper(std::chrono::milliseconds budget, std::chrono::seconds sweep_every,
                               int devices_per_query)
    : budget_(budget), sweep_every_(sweep_every), devices_per_query_(devices_per_query) {}

void ForecastKeeper::note(const std::vector<std::string>& tenants) {
    // Front of the queue, once: these have new readings now (their order among themselves
    // does not matter).
    for (const auto& tenant : tenants) {
        const auto at = std::find(queue_.begin(), queue_.end(), tenant);
        if (at != queue_.end()) queue_.erase(at);
        queue_.push_front(tenant);
    }
}

int ForecastKeeper::run(pqxx::connection& conn, Clock::time_point now) {
    if (!last_sweep_ || now - *last_sweep_ >= sweep_every_) {
        last_sweep_ = now;
        const auto all = db::with_transaction(conn, [](pqxx::work& tx) {
            std::vector<std::string> out;
            for (const auto& row : tx.exec_prepared(kForecastTenants)) {
                out.push_back(row[0].as<std::string>());
            }
            return out;
        });
        for (const auto& t : all) {
            if (std::find(queue_.begin(), queue_.end(), t) == queue_.end()) queue_.push_back(t);
        }
    }
    const auto started = Clock::now();
    const auto out_of_time = [&] { return Clock::now() - started >= budget_; };
    int kept = 0;
    while (!queue_.empty() && !out_of_time()) {
        const std::string tenant = queue_.front();
        struct Stale {
            std::string device, reading, supplies;
            std::int64_t gen = 0;
        };
        // The generation is read here, before the history: see V0022.
        const auto stale = db::with_transaction(conn, [&](pqxx::work& tx) {
            std::vector<Stale> out;
            for (const auto& row : tx.exec_prepared(
                     kStaleForecasts, tenant, supply::kForecastRevision, devices_per_query_)) {
                out.push_back({row[0].as<std::string>(), row[2].as<std::string>(),
                               row[3].as<std::string>(), row[1].as<std::int64_t>()});
            }
            return out;
        });
        std::size_t done = 0;
        for (const auto& s : stale) {
            if (out_of_time()) break;
            db::with_transaction(conn, [&](pqxx::work& tx) {
                rapidjson::Document doc;
                doc.Parse(s.supplies.c_str(), s.supplies.size());
                if (doc.HasParseError() || !doc.IsArray()) return;  // the query keeps arrays
                tx.exec_prepared0(kKeepForecasts, tenant, s.device, s.gen, s.reading,
                                  supply::kForecastRevision,
                                  encode(computed(tx, tenant, s.device, doc)));
            });
            ++done;
            ++kept;
        }
        // A full work list may have more behind it; a cut one certainly has.
        if (done == stale.size() && stale.size() < static_cast<std::size_t>(devices_per_query_)) {
            queue_.pop_front();
        }
    }
    return kept;
}

}  // namespace printmon::cloud::api
