// Cartridge changes and supply forecasts through the real ingest path on real PostgreSQL: the
// branch (scanner transitions) and the cloud (V0010's SQL) find the same changes in the same
// history; the device answer carries a forecast per supply; the cartridge log has the yields.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <pqxx/transaction>

#include "analytics_support.hpp"
#include "api/forecasts.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "printmon/supply/cartridge.hpp"
#include "storage/transitions.hpp"

using namespace printmon;
using namespace printmon::cloud::test;

namespace {

constexpr int kReadingsPerDay = 4;  // every 6 hours
constexpr int kDays = 80;
constexpr std::int64_t kPagesPerPercent = 50;

std::string at_reading(int i) {
    const auto t0 = *proto::parse_rfc3339("2026-02-02T00:00:00Z");
    return proto::format_rfc3339(t0 + std::chrono::hours(6 * i));
}

/// The black toner's true level at reading i: a part-used cartridge until day 10, then one at
/// 2.5 % a day until day 46, then one at 2 % a day.
double true_level(int i) {
    const double day = static_cast<double>(i) / kReadingsPerDay;
    if (day < 10) return 30 - 2 * day;
    if (day < 46) return 100 - 2.5 * (day - 10);
    return 100 - 2 * (day - 46);
}

/// 10 % steps, shown as the step above the true level; one reading on day 30 flickers a step
/// of 20 up (a rise the old cloud threshold of 20 took for a new cartridge).
std::vector<Point> history() {
    std::vector<Point> out;
    std::int64_t total = 10000;
    double previous = true_level(0);
    for (int i = 0; i <= kDays * kReadingsPerDay; ++i) {
        const double level = true_level(i);
        if (level < previous) {
            total += std::llround((previous - level) * kPagesPerPercent);
        }
        previous = level;
        int shown = static_cast<int>(std::ceil(level / 10)) * 10;
        if (i == 30 * kReadingsPerDay) shown += 20;
        out.push_back({at_reading(i), {{"total", total}}, shown, ""});
    }
    return out;
}

const rapidjson::Value& items(const ApiResponse& r) {
    INFO(r.body);
    REQUIRE(r.status == 200);
    return r.json["items"];
}

struct Setup {
    CloudServer s;
    std::string tenant;
    std::string key;  // the scanner's
    std::string token;
    std::string device;  // the cloud's id
    FakeDevice d;
    proto::Batch batch;

    /// `edit` changes the batch before it is sent.
    explicit Setup(const std::function<void(proto::Batch&)>& edit = {},
                   ServerSettings settings = {})
        : s(std::move(settings)) {
        tenant = s.create_tenant("Acme");
        key = s.create_scanner(tenant, "branch-a");
        token = s.create_token(tenant);
        d.branch_id = proto::new_uuid();
        d.serial = "FC1";
        d.mac = "aa:bb:cc:00:00:11";
        batch = batch_of("branch-a", d, history());
        if (edit) edit(batch);
        const auto r = s.ingest(key, batch);
        INFO(r.body);
        REQUIRE(r.status == 200);
        const auto devices = api_get(s, "/api/v1/devices", token);
        REQUIRE(items(devices).Size() == 1);
        device = str(items(devices)[0], "device_id");
    }
};

}  // namespace

TEST_CASE("branch and cloud find the same cartridge changes in the same history",
          "[cloud][forecast]") {
    Setup f;
    // The branch: the scanner's transitions over the same readings.
    std::set<std::string> branch;
    scanner::storage::DeviceState state;
    for (const auto& r : f.batch.readings) {
        auto out = scanner::storage::on_success(state, r.snapshot);
        for (const auto& e : out.events) {
            if (e.kind == "supply_change" && e.code == "toner:black") {
                branch.insert(r.snapshot.polled_at);
            }
        }
        state = std::move(out.state);
    }
    // The cloud: the read model built by the SQL.
    std::set<std::string> cloud;
    const auto changes = api_get(f.s, "/api/v1/supply-changes?device=" + f.device, f.token);
    for (const auto& c : items(changes).GetArray()) {
        if (str(c, "color") == "black") cloud.insert(str(c, "at"));
    }
    CHECK(branch == cloud);
    CHECK(cloud == std::set<std::string>{at_reading(10 * kReadingsPerDay),
                                         at_reading(46 * kReadingsPerDay)});
    // One threshold: the SQL's constant is the library's.
    auto conn = f.s.database().connect();
    pqxx::work tx(conn.raw());
    CHECK(tx.exec1("SELECT pm_cartridge_jump_percent()")[0].as<int>() ==
          supply::kCartridgeJumpPercent);
}

TEST_CASE("the device answer has a forecast on each supply", "[cloud][forecast]") {
    Setup f;
    const auto r = api_get(f.s, "/api/v1/devices/" + f.device, f.token);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto& supplies = r.json["supplies"];
    REQUIRE(supplies.IsArray());
    REQUIRE(supplies.Size() == 6);
    // Black: 32 % left at 2 % a day on the last reading (day 80): 16 days.
    const auto& black = supplies[0]["forecast"];
    REQUIRE(black.IsObject());
    CHECK(str(black, "status") == "ok");
    CHECK(str(black, "method") == "pages");
    REQUIRE(black["days_to_empty"].IsNumber());
    const double days = black["days_to_empty"].GetDouble();
    CHECK(days == Approx(16).margin(1.5));
    CHECK(black["days_low"].GetDouble() <= days);
    CHECK(black["days_high"].GetDouble() >= days);
    CHECK(black["days_low"].GetDouble() <= 16);
    CHECK(black["days_high"].GetDouble() >= 16);
    CHECK(str(black, "as_of") == at_reading(kDays * kReadingsPerDay));
    CHECK(str(black, "cartridge_since") == at_reading(46 * kReadingsPerDay));
    // Cyan never moves: no answer, and why.
    const auto& cyan = supplies[1]["forecast"];
    CHECK(str(cyan, "status") == "not_enough_data");
    CHECK(cyan["days_to_empty"].IsNull());
    CHECK(str(cyan, "reason") == "fewer than two level steps");
    // The photoconductor reports impressions, not a percentage.
    CHECK(str(supplies[5]["forecast"], "reason") == "no level reported");
    // The waste toner bottle fills, it does not run out.
    CHECK(supplies[4]["forecast"].IsNull());
}

TEST_CASE("the device answer keeps the pages a unit has left, as the printer counts them",
          "[cloud][forecast]") {
    Setup f([](proto::Batch& b) {
        auto& supplies = b.readings.back().snapshot.supplies;
        REQUIRE(supplies.size() == 6);
        supplies[5].pages_remaining = 41250;
    });
    const auto r = api_get(f.s, "/api/v1/devices/" + f.device, f.token);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto& supplies = r.json["supplies"];
    REQUIRE(supplies.Size() == 6);
    REQUIRE(supplies[5].HasMember("pages_remaining"));
    CHECK(supplies[5]["pages_remaining"].GetInt64() == 41250);
    // The photoconductor has no level, but with the pages it has left and the device's page
    // rate (the history prints 125 then 100 pages a day) it has a forecast.
    const auto& f5 = supplies[5]["forecast"];
    REQUIRE(f5.IsObject());
    CHECK(str(f5, "status") == "ok");
    CHECK(str(f5, "method") == "device_pages");
    const double days = f5["days_to_empty"].GetDouble();
    CHECK(days >= 41250.0 / 125);
    CHECK(days <= 41250.0 / 100);
    CHECK_FALSE(supplies[0].HasMember("pages_remaining"));  // unknown: absent, never 0

    // The supplies list (the console's Supplies page and its files) shows the same count on
    // that unit's row, and none on the others.
    const auto list = api_get(f.s, "/api/v1/supplies?forecast=true", f.token);
    REQUIRE(list.status == 200);
    int counted = 0;
    for (const auto& row : items(list).GetArray()) {
        INFO(str(row, "description"));
        REQUIRE(row.HasMember("pages_remaining"));
        if (str(row, "description") == str(supplies[5], "description")) {
            CHECK(row["pages_remaining"].GetInt64() == 41250);
            CHECK(str(row, "forecast_status") == "ok");
            ++counted;
        } else {
            CHECK(row["pages_remaining"].IsNull());
        }
    }
    CHECK(counted == 1);
    const auto csv = api_get(f.s, "/api/v1/supplies?forecast=true&format=csv&limit=1000", f.token);
    REQUIRE(csv.status == 200);
    CHECK(csv.body.substr(0, csv.body.find("\r\n")).find(",days_high,pages_remaining") !=
          std::string::npos);
    CHECK(csv.body.find(",41250") != std::string::npos);
}

TEST_CASE("the cartridge log has the pages each cartridge printed", "[cloud][forecast]") {
    Setup f;
    const auto log = api_get(f.s, "/api/v1/devices/" + f.device + "/cartridges", f.token);
    const auto& rows = items(log);
    REQUIRE(rows.Size() == 2);
    const auto total = [&f](int i) {
        return f.batch.readings[static_cast<std::size_t>(i)].snapshot.counters.at("total");
    };
    const int second = 46 * kReadingsPerDay;
    const int first = 10 * kReadingsPerDay;
    const int last = kDays * kReadingsPerDay;
    CHECK(str(rows[0], "installed_at") == at_reading(second));
    CHECK(rows[0]["current"].GetBool());
    CHECK(rows[0]["replaced_at"].IsNull());
    CHECK(num(rows[0], "pages") == total(last) - total(second));
    CHECK(str(rows[1], "installed_at") == at_reading(first));
    CHECK_FALSE(rows[1]["current"].GetBool());
    CHECK(str(rows[1], "replaced_at") == at_reading(second));
    CHECK(str(rows[1], "last_seen_at") == at_reading(second - 1));
    CHECK(num(rows[1], "pages") == total(second - 1) - total(first));
    // ~36 days at 2.5 % a day, 50 pages a percent: about 4,500 pages.
    CHECK(*num(rows[1], "pages") == Approx(4500).margin(200));
    CHECK(rows[1]["days"].GetDouble() == Approx(36).margin(0.5));
    CHECK(num(rows[1], "previous_percent") == 20);  // 10.5 % left, shown as 20
    CHECK(num(rows[1], "level_percent") == 100);

    // CSV like every list, and the usual 404.
    const auto csv =
        api_get(f.s, "/api/v1/devices/" + f.device + "/cartridges?format=csv", f.token);
    CHECK(csv.status == 200);
    CHECK(csv.body.rfind("supply,description,type,color,installed_at", 0) == 0);
    CHECK(api_get(f.s, "/api/v1/devices/" + proto::new_uuid() + "/cartridges", f.token).status ==
          404);
}

TEST_CASE("the supplies list with forecast=true has the device answer's forecast on each row",
          "[cloud][forecast]") {
    Setup f;
    const auto device = api_get(f.s, "/api/v1/devices/" + f.device, f.token);
    REQUIRE(device.status == 200);
    const auto& supplies = device.json["supplies"];
    const auto list = api_get(f.s, "/api/v1/supplies?forecast=true", f.token);
    const auto& rows = items(list);
    REQUIRE(rows.Size() == supplies.Size());
    int with_days = 0;
    for (const auto& row : rows.GetArray()) {
        INFO(str(row, "description"));
        const rapidjson::Value* match = nullptr;
        for (const auto& s : supplies.GetArray()) {
            if (str(s, "description") == str(row, "description") &&
                str(s, "color") == str(row, "color")) {
                match = &s;
            }
        }
        REQUIRE(match != nullptr);
        const auto& forecast = (*match)["forecast"];
        if (forecast.IsNull()) {  // the waste bottle: no forecast
            CHECK(str(row, "supply_class") == "receptacle");
            CHECK(row["forecast_status"].IsNull());
            CHECK(row["days_to_empty"].IsNull());
            continue;
        }
        CHECK(str(row, "forecast_status") == str(forecast, "status"));
        for (const char* k : {"days_to_empty", "days_low", "days_high"}) {
            INFO(k);
            REQUIRE(row[k].IsNull() == forecast[k].IsNull());
            if (!row[k].IsNull()) CHECK(row[k].GetDouble() == forecast[k].GetDouble());
        }
        if (row["days_to_empty"].IsNumber()) ++with_days;
    }
    CHECK(with_days == 1);  // black, the only supply that moves

    // Without the parameter the list has no forecast columns (and reads no history).
    const auto plain = api_get(f.s, "/api/v1/supplies", f.token);
    REQUIRE(items(plain).Size() == rows.Size());
    CHECK_FALSE(items(plain)[0].HasMember("days_to_empty"));
    // Filters and paging apply as without: the two lowest, then the rest.
    const auto first = api_get(f.s, "/api/v1/supplies?forecast=true&limit=2", f.token);
    CHECK(items(first).Size() == 2);
    CHECK(first.json["next_offset"].GetInt64() == 2);
    CHECK(str(items(first)[0], "description") == str(rows[0], "description"));

    // At most 1000 rows a request: a file's default (the whole list) must be narrowed.
    CHECK(api_get(f.s, "/api/v1/supplies?forecast=true&limit=1001", f.token).status == 400);
    CHECK(api_get(f.s, "/api/v1/supplies?forecast=true&format=csv", f.token).status == 400);
    CHECK(api_get(f.s, "/api/v1/supplies?forecast=maybe", f.token).status == 400);
    const auto csv = api_get(f.s, "/api/v1/supplies?forecast=true&format=csv&limit=1000", f.token);
    REQUIRE(csv.status == 200);
    CHECK(csv.body.substr(0, csv.body.find("\r\n")).find(",days_to_empty,") != std::string::npos);
}

namespace {

/// The server's own refresher out of the way (an hour apart): the test runs the keeper itself.
ServerSettings keeper_off() {
    ServerSettings settings;
    settings.analytics.refresh_interval = std::chrono::seconds(3600);
    return settings;
}

/// The black toner's forecast in the device answer.
rapidjson::Document black_forecast(Setup& f) {
    const auto r = api_get(f.s, "/api/v1/devices/" + f.device, f.token);
    INFO(r.body);
    REQUIRE(r.status == 200);
    rapidjson::Document out;
    out.CopyFrom(r.json["supplies"][0]["forecast"], out.GetAllocator());
    return out;
}

/// Marks the kept black toner forecast (days 1234.5): an answer showing it read the kept row.
void mark_kept(Setup& f) {
    auto conn = f.s.database().connect();
    pqxx::work tx(conn.raw());
    tx.exec_params0(
        "UPDATE device_forecasts SET forecasts = jsonb_set(forecasts, '{0,days}', '1234.5') "
        "WHERE tenant_id = $1::uuid AND device_id = $2::uuid",
        f.tenant, f.device);
    tx.commit();
}

void sql(Setup& f, const std::string& statement) {
    auto conn = f.s.database().connect();
    pqxx::work tx(conn.raw());
    tx.exec_params0(statement, f.tenant, f.device);
    tx.commit();
}

int keep(Setup& f, cloud::api::ForecastKeeper& keeper) {
    auto conn = f.s.database().connect();
    cloud::api::prepare_forecast_statements(conn.raw());  // as the refresher's connection has them
    return keeper.run(conn.raw());
}

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    v.Accept(w);
    return b.GetString();
}

}  // namespace

TEST_CASE("kept forecasts answer as computed ones and go stale with the device's history",
          "[cloud][forecast]") {
    Setup f({}, keeper_off());
    const auto computed = api_get(f.s, "/api/v1/devices/" + f.device, f.token);
    const auto computed_list = api_get(f.s, "/api/v1/supplies?forecast=true", f.token);
    REQUIRE(computed.status == 200);
    REQUIRE(computed_list.status == 200);
    CHECK(f.s.count("device_forecasts") == 0);

    // A sweep every round: the sections change rows no refresh notes.
    cloud::api::ForecastKeeper keeper(std::chrono::milliseconds(60000), std::chrono::seconds(0));
    CHECK(keep(f, keeper) == 1);
    CHECK(f.s.count("device_forecasts", f.tenant) == 1);
    CHECK(keep(f, keeper) == 0);  // current: nothing to do until the history changes
    // Byte for byte the answers computed from the readings.
    CHECK(api_get(f.s, "/api/v1/devices/" + f.device, f.token).body == computed.body);
    CHECK(api_get(f.s, "/api/v1/supplies?forecast=true", f.token).body == computed_list.body);

    // The answers read the kept row: a mark on it shows.
    const auto before = black_forecast(f);
    REQUIRE(before["days_to_empty"].IsNumber());
    mark_kept(f);
    CHECK(black_forecast(f)["days_to_empty"].GetDouble() == 1234.5);
    const auto list = api_get(f.s, "/api/v1/supplies?forecast=true", f.token);
    CHECK(list.body.find("1234.5") != std::string::npos);

    SECTION("a new reading makes them stale; the keeper computes them again") {
        const auto& last = f.batch.readings.back().snapshot;
        const auto next =
            proto::format_rfc3339(*proto::parse_rfc3339(last.polled_at) + std::chrono::hours(6));
        const auto r = f.s.ingest(
            f.key, batch_of("branch-a", f.d,
                            {{next, {{"total", last.counters.at("total") + 100}}, 40, ""}}));
        REQUIRE(r.status == 200);
        const auto after = black_forecast(f);
        CHECK_FALSE(compact(after).find("1234.5") != std::string::npos);
        CHECK(str(after, "as_of") == next);
        CHECK(keep(f, keeper) == 1);
        CHECK(compact(black_forecast(f)) == compact(after));
    }
    SECTION("a late reading older than the newest (an offline file) makes them stale too") {
        const auto& early = f.batch.readings[f.batch.readings.size() - 2].snapshot;
        const auto mid =
            proto::format_rfc3339(*proto::parse_rfc3339(early.polled_at) + std::chrono::hours(3));
        const auto r = f.s.ingest(
            f.key,
            batch_of("branch-a", f.d, {{mid, {{"total", early.counters.at("total")}}, 40, ""}}));
        REQUIRE(r.status == 200);
        // device_latest is unchanged (the reading is older), the answer is not the mark.
        const auto after = black_forecast(f);
        CHECK(str(after, "as_of") == at_reading(kDays * kReadingsPerDay));
        CHECK_FALSE(compact(after).find("1234.5") != std::string::npos);
        CHECK(keep(f, keeper) == 1);
    }
    SECTION("forecasts of another revision, or a day old, are not current") {
        sql(f,
            "UPDATE device_forecasts SET algo = algo + 1 WHERE tenant_id = $1::uuid AND "
            "device_id = $2::uuid");
        CHECK(compact(black_forecast(f)) == compact(before));
        CHECK(keep(f, keeper) == 1);
        mark_kept(f);
        sql(f,
            "UPDATE device_forecasts SET computed_at = now() - interval '25 hours' "
            "WHERE tenant_id = $1::uuid AND device_id = $2::uuid");
        CHECK(compact(black_forecast(f)) == compact(before));
        CHECK(keep(f, keeper) == 1);
        CHECK(compact(black_forecast(f)) == compact(before));
    }
    SECTION("a kept row that does not fit the snapshot is computed again, never trusted") {
        for (const char* bad : {"'[]'", "'[null, null, null, null, null, null]'",
                                "jsonb_set(forecasts, '{0,description}', '\"Cyan Toner\"')",
                                "jsonb_set(forecasts, '{0,status}', '\"soon\"')",
                                "jsonb_set(forecasts, '{0,days}', '\"many\"')",
                                "jsonb_set(forecasts, '{4}', '{\"type\": \"wasteToner\"}')",
                                "jsonb_set(forecasts, '{5,pages_remaining}', '77')"}) {
            INFO(bad);
            sql(f, std::string("UPDATE device_forecasts SET forecasts = ") + bad +
                       " WHERE tenant_id = $1::uuid AND device_id = $2::uuid");
            CHECK(api_get(f.s, "/api/v1/devices/" + f.device, f.token).body == computed.body);
            CHECK(api_get(f.s, "/api/v1/supplies?forecast=true", f.token).body ==
                  computed_list.body);
        }
    }
    SECTION("another tenant sees none of them") {
        const auto other = f.s.create_tenant("Other");
        const auto token = f.s.create_token(other);
        CHECK(api_get(f.s, "/api/v1/devices/" + f.device, token).status == 404);
        const auto theirs = api_get(f.s, "/api/v1/supplies?forecast=true", token);
        REQUIRE(theirs.status == 200);
        CHECK(items(theirs).Size() == 0);
        // Nor does the keeper write any for it.
        cloud::api::ForecastKeeper fresh;
        CHECK(keep(f, fresh) == 0);
        CHECK(f.s.count("device_forecasts", other) == 0);
    }
}

TEST_CASE("the forecast keeper works within its time budget and resumes", "[cloud][forecast]") {
    Setup f({}, keeper_off());
    // A second device of the same tenant, with the same history.
    FakeDevice d2 = f.d;
    d2.branch_id = proto::new_uuid();
    d2.serial = "FC2";
    d2.mac = "aa:bb:cc:00:00:12";
    REQUIRE(f.s.ingest(f.key, batch_of("branch-a", d2, history())).status == 200);
    REQUIRE(items(api_get(f.s, "/api/v1/devices", f.token)).Size() == 2);

    // No time at all: the sweep lists the tenant, nothing is computed, the tenant waits.
    cloud::api::ForecastKeeper none(std::chrono::milliseconds(0), std::chrono::seconds(3600), 1);
    CHECK(keep(f, none) == 0);
    CHECK(none.pending() == 1);
    // One device per work list: the keeper takes the next list in the same round.
    cloud::api::ForecastKeeper one(std::chrono::milliseconds(60000), std::chrono::seconds(3600), 1);
    CHECK(keep(f, one) == 2);
    CHECK(one.pending() == 0);
    CHECK(f.s.count("device_forecasts", f.tenant) == 2);
    // Until the next sweep only noted tenants are looked at.
    sql(f,
        "UPDATE device_forecasts SET algo = algo + 1 WHERE tenant_id = $1::uuid "
        "AND device_id = $2::uuid");
    CHECK(keep(f, one) == 0);
    one.note({f.tenant});
    CHECK(keep(f, one) == 1);
    // Each batch moves the device's history generation on.
    const auto gen = [&f] {
        return f.s.query_value("SELECT history_gen::text FROM devices WHERE device_id = $1::uuid",
                               f.device);
    };
    const auto g0 = gen();
    REQUIRE(g0);
    const auto next = proto::format_rfc3339(
        *proto::parse_rfc3339(f.batch.readings.back().snapshot.polled_at) + std::chrono::hours(6));
    const auto total = f.batch.readings.back().snapshot.counters.at("total") + 100;
    REQUIRE(
        f.s.ingest(f.key, batch_of("branch-a", f.d, {{next, {{"total", total}}, 40, ""}})).status ==
        200);
    CHECK(std::stoll(*gen()) == std::stoll(*g0) + 1);
}
