// The tenant's time zone (V0008) over real HTTPS and PostgreSQL: page volume, meter reads and
// date parameters follow the tenant's local days; a zone change rebuilds exactly the model the
// readings give in the new zone, keeps the tenant rollups equal to their sources and touches no
// other tenant; daylight saving days; invalid zones change nothing.
#include <catch2/catch.hpp>
#include <pqxx/nontransaction>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "analytics_support.hpp"
#include "app/cli.hpp"
#include "printmon/db/connection.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "tenancy/tenancy.hpp"

using namespace printmon;
using namespace printmon::cloud::test;

namespace {

const rapidjson::Value& items(const ApiResponse& r) {
    REQUIRE(r.json.IsObject());
    REQUIRE(r.json.HasMember("items"));
    return r.json["items"];
}

// Pages of counter "total" in a page-volume answer summed over its rows (-1: no row).
long long total_pages(const ApiResponse& r) {
    INFO(r.body);
    REQUIRE(r.status == 200);
    long long pages = -1;
    for (const auto& row : items(r).GetArray()) {
        if (str(row, "name") == "total") pages = std::max(pages, 0LL) + num(row, "pages").value();
    }
    return pages;
}

// Rows where the kept tenant rollups and the sums of their sources differ, either way (the
// invariant of V0006).
constexpr const char* kRollupDrift =
    "SELECT count(*) FROM ((SELECT tenant_id, day, name, pages, readings, epochs FROM tenant_days"
    " EXCEPT SELECT tenant_id, day, name, sum(pages), sum(readings), sum(epochs) FROM counter_days"
    " GROUP BY 1, 2, 3)"
    " UNION ALL (SELECT tenant_id, day, name, sum(pages), sum(readings), sum(epochs)"
    " FROM counter_days GROUP BY 1, 2, 3"
    " EXCEPT SELECT tenant_id, day, name, pages, readings, epochs FROM tenant_days)"
    " UNION ALL (SELECT tenant_id, month, name, pages, readings, epochs FROM tenant_months"
    " EXCEPT SELECT tenant_id, month, name, sum(pages), sum(readings), sum(epochs)"
    " FROM counter_months GROUP BY 1, 2, 3)"
    " UNION ALL (SELECT tenant_id, month, name, sum(pages), sum(readings), sum(epochs)"
    " FROM counter_months GROUP BY 1, 2, 3"
    " EXCEPT SELECT tenant_id, month, name, pages, readings, epochs FROM tenant_months)) x"
    " WHERE $1 <> ''";

// A tenant's zone-dependent read model as text, devices named by serial (so two tenants with
// the same printers compare equal).
constexpr const char* kCounterRows =
    "SELECT coalesce(string_agg(format('%s %s %s %s %s %s', d.serial, c.day, c.name, c.pages,"
    " c.readings, c.epochs), '; ' ORDER BY d.serial, c.day, c.name), '') FROM counter_days c"
    " JOIN devices d ON d.tenant_id = c.tenant_id AND d.device_id = c.device_id"
    " WHERE c.tenant_id = $1::uuid";
constexpr const char* kMonthRows =
    "SELECT coalesce(string_agg(format('%s %s %s %s %s %s', d.serial, c.month, c.name, c.pages,"
    " c.readings, c.epochs), '; ' ORDER BY d.serial, c.month, c.name), '') FROM counter_months c"
    " JOIN devices d ON d.tenant_id = c.tenant_id AND d.device_id = c.device_id"
    " WHERE c.tenant_id = $1::uuid";
constexpr const char* kRollupRows =
    "SELECT coalesce((SELECT string_agg(format('%s %s %s %s %s', day, name, pages, readings,"
    " epochs), '; ' ORDER BY day, name) FROM tenant_days WHERE tenant_id = $1::uuid), '')"
    " || ' | ' || coalesce((SELECT string_agg(format('%s %s %s %s %s', month, name, pages,"
    " readings, epochs), '; ' ORDER BY month, name) FROM tenant_months"
    " WHERE tenant_id = $1::uuid), '')";
// Everything else the refresh writes for a tenant, which no zone changes.
constexpr const char* kOtherRows =
    "SELECT md5(coalesce((SELECT string_agg(e::text, ';' ORDER BY e.device_id, e.name, e.at)"
    " FROM counter_epochs e WHERE e.tenant_id = $1::uuid), '')"
    " || coalesce((SELECT string_agg(s::text, ';' ORDER BY s.device_id, s.supply, s.at)"
    " FROM supply_changes s WHERE s.tenant_id = $1::uuid), '')"
    " || coalesce((SELECT string_agg(l.reading_id::text, ';' ORDER BY l.device_id)"
    " FROM device_latest l WHERE l.tenant_id = $1::uuid), '')"
    " || coalesce((SELECT string_agg(s::text, ';' ORDER BY s.device_id, s.idx)"
    " FROM device_supplies s WHERE s.tenant_id = $1::uuid), ''))";

// Readings of one printer around local midnights and month ends of UTC+10
// (Asia/Vladivostok), with the day each delta falls on in UTC and there:
//   reading (UTC)       total  delta  UTC day  Vladivostok day
//   01-30 12:00         1000   -      01-30    01-30 22:00
//   01-31 13:00         1100   100    01-31    01-31 23:00
//   01-31 15:00         1300   200    01-31    02-01 01:00
//   02-01 13:30         1600   300    02-01    02-01 23:30
//   02-01 14:30         2000   400    02-01    02-02 00:30
//   02-28 20:00         2500   500    02-28    03-01 06:00
//   03-02 10:00         2600   100    03-02    03-02 20:00
const std::vector<Point> kMidnights = {
    {"2026-01-30T12:00:00Z", {{"total", 1000}, {"mono", 500}}, 80, ""},
    {"2026-01-31T13:00:00Z", {{"total", 1100}, {"mono", 550}}, 80, ""},
    {"2026-01-31T15:00:00Z", {{"total", 1300}, {"mono", 650}}, 80, ""},
    {"2026-02-01T13:30:00Z", {{"total", 1600}, {"mono", 800}}, 30, ""},
    {"2026-02-01T14:30:00Z", {{"total", 2000}, {"mono", 1000}}, 90, ""},
    {"2026-02-28T20:00:00Z", {{"total", 2500}, {"mono", 1250}}, 85, ""},
    {"2026-03-02T10:00:00Z", {{"total", 2600}, {"mono", 1300}}, 85, ""}};

// One tenant with one scanner, a token and printers whose readings a test chooses.
struct Tenant {
    std::string id, key, token, scanner = "branch";
};

Tenant make_tenant(CloudServer& s, const std::string& name) {
    Tenant t;
    t.id = s.create_tenant(name);
    t.key = s.create_scanner(t.id, t.scanner);
    t.token = s.create_token(t.id);
    return t;
}

FakeDevice printer(const std::string& serial) {
    FakeDevice d;
    d.branch_id = proto::new_uuid();
    d.serial = serial;
    return d;
}

void ingest(CloudServer& s, const Tenant& t, const FakeDevice& d, const std::vector<Point>& points,
            const std::vector<proto::Event>& events = {}) {
    auto batch = batch_of(t.scanner, d, points);
    batch.events = events;
    REQUIRE(s.ingest(t.key, batch).status == 200);
}

common::Result<void> set_zone(CloudServer& s, const std::string& tenant, const std::string& zone) {
    auto lease = s.app().pool().acquire();
    return db::with_transaction(
        *lease, [&](pqxx::work& tx) { return cloud::tenancy::set_time_zone(tx, tenant, zone); });
}

std::string zone_of(CloudServer& s, const std::string& tenant) {
    auto lease = s.app().pool().acquire();
    return db::with_transaction(
        *lease, [&](pqxx::work& tx) { return cloud::tenancy::time_zone(tx, tenant); });
}

std::string device_of(const CloudServer& s, const Tenant& t, const std::string& serial) {
    return s
        .query_value(
            "SELECT device_id::text FROM devices WHERE tenant_id = $1::uuid AND serial = "
            "'" +
                serial + "'",
            t.id)
        .value();
}

std::vector<std::string> polled(const ApiResponse& r) {
    INFO(r.body);
    std::vector<std::string> out;
    for (const auto& row : items(r).GetArray()) out.push_back(str(row, "polled_at"));
    return out;
}

}  // namespace

TEST_CASE("page volume, meter reads and date parameters follow the tenant's zone",
          "[cloud][analytics][zone]") {
    CloudServer s;
    const Tenant utc = make_tenant(s, "Moscow office on UTC");
    const Tenant vl = make_tenant(s, "Vladivostok");
    REQUIRE(set_zone(s, vl.id, "Asia/Vladivostok"));
    CHECK(zone_of(s, vl.id) == "Asia/Vladivostok");
    CHECK(zone_of(s, utc.id) == "UTC");
    // The same printer history in both tenants, an event at 01-31 15:00 UTC (02-01 01:00 there).
    for (const Tenant* t : {&utc, &vl}) {
        const auto d = printer("TZ1");
        ingest(s, *t, d, kMidnights,
               {{proto::new_uuid(), d.branch_id, "2026-01-31T15:00:00Z", "error", "jammed",
                 "appeared", "jam"}});
    }

    const auto volume = [&](const Tenant& t, const std::string& query) {
        const auto tenant = api_get(s, "/api/v1/page-volume?group_by=tenant&" + query, t.token);
        const auto devices = api_get(s, "/api/v1/page-volume?group_by=device&" + query, t.token);
        const auto site = api_get(s, "/api/v1/page-volume?group_by=site&" + query, t.token);
        // The kept rollups (tenant) and the per-device rows agree in every zone.
        CHECK(total_pages(tenant) == total_pages(devices));
        CHECK(total_pages(tenant) == total_pages(site));
        return total_pages(tenant);
    };
    {  // months
        CHECK(volume(utc, "period=month&date=2026-01-15") == 100 + 200);
        CHECK(volume(utc, "period=month&date=2026-02-15") == 300 + 400 + 500);
        CHECK(volume(utc, "period=month&date=2026-03-15") == 100);
        CHECK(volume(vl, "period=month&date=2026-01-15") == 100);
        CHECK(volume(vl, "period=month&date=2026-02-15") == 200 + 300 + 400);
        CHECK(volume(vl, "period=month&date=2026-03-15") == 500 + 100);
    }
    {  // days
        CHECK(volume(utc, "period=day&date=2026-01-31") == 100 + 200);
        CHECK(volume(utc, "period=day&date=2026-02-01") == 300 + 400);
        CHECK(volume(utc, "period=day&date=2026-02-02") == -1);
        CHECK(volume(vl, "period=day&date=2026-01-31") == 100);
        CHECK(volume(vl, "period=day&date=2026-02-01") == 200 + 300);
        CHECK(volume(vl, "period=day&date=2026-02-02") == 400);
        CHECK(volume(utc, "period=day&date=2026-03-01") == -1);
        CHECK(volume(vl, "period=day&date=2026-03-01") == 500);
    }
    {  // ISO weeks: Monday 01-26 to Sunday 02-01, local
        CHECK(volume(utc, "period=week&date=2026-02-01") == 100 + 200 + 300 + 400);
        CHECK(volume(vl, "period=week&date=2026-02-01") == 100 + 200 + 300);
        CHECK(volume(vl, "period=week&date=2026-02-02") == 400);
    }
    {  // custom periods: whole local months and the local days around them
        CHECK(volume(utc, "period=custom&from=2026-01-31&to=2026-02-01") == 1000);
        CHECK(volume(vl, "period=custom&from=2026-01-31&to=2026-02-01") == 600);
        CHECK(volume(utc, "period=custom&from=2026-01-31&to=2026-03-01") == 1500);
        CHECK(volume(vl, "period=custom&from=2026-01-31&to=2026-03-01") == 1500);
        CHECK(volume(vl, "period=custom&from=2026-02-02&to=2026-03-02") == 1000);
        CHECK(volume(utc, "period=custom&from=2026-02-02&to=2026-03-02") == 600);
    }
    {  // the period's local dates, its instants and the zone
        const auto feb = api_get(s, "/api/v1/page-volume?period=month&date=2026-02-10", vl.token);
        CHECK(str(feb.json, "from") == "2026-02-01");
        CHECK(str(feb.json, "to") == "2026-03-01");
        CHECK(str(feb.json, "from_at") == "2026-01-31T14:00:00Z");
        CHECK(str(feb.json, "to_at") == "2026-02-28T14:00:00Z");
        CHECK(str(feb.json, "time_zone") == "Asia/Vladivostok");
        const auto same = api_get(s, "/api/v1/page-volume?period=month&date=2026-02-10", utc.token);
        CHECK(str(same.json, "from") == "2026-02-01");
        CHECK(str(same.json, "from_at") == "2026-02-01T00:00:00Z");
        CHECK(str(same.json, "to_at") == "2026-03-01T00:00:00Z");
        CHECK(str(same.json, "time_zone") == "UTC");

        // Without date=, the period is around today in the tenant's zone.
        const auto today = [&](const char* zone) {
            return s.query_value("SELECT (now() AT TIME ZONE $1)::date::text", zone).value();
        };
        for (const auto& [t, zone] : {std::pair{&vl, "Asia/Vladivostok"}, std::pair{&utc, "UTC"}}) {
            const auto before = today(zone);
            const auto day = api_get(s, "/api/v1/page-volume?period=day", t->token);
            const auto after = today(zone);
            INFO(zone << ": " << day.body);
            CHECK((str(day.json, "from") == before || str(day.json, "from") == after));
        }
    }
    {  // meter reads: a date is the tenant's local midnight, an offset is exact
        const auto read = [&](const Tenant& t, const std::string& at) {
            const auto r = api_get(
                s, "/api/v1/meter-reads?name=total&device=" + device_of(s, t, "TZ1") + "&at=" + at,
                t.token);
            INFO(r.body);
            REQUIRE(items(r).Size() == 1);
            return std::pair{num(items(r)[0], "value").value(), str(items(r)[0], "at")};
        };
        CHECK(read(utc, "2026-02-01") == std::pair{1300LL, std::string("2026-02-01T00:00:00Z")});
        CHECK(read(vl, "2026-02-01") == std::pair{1100LL, std::string("2026-01-31T14:00:00Z")});
        CHECK(read(vl, "2026-03-01") == std::pair{2000LL, std::string("2026-02-28T14:00:00Z")});
        CHECK(read(utc, "2026-03-01") == std::pair{2500LL, std::string("2026-03-01T00:00:00Z")});
        // RFC 3339 with an offset is the same instant for every tenant.
        for (const Tenant* t : {&utc, &vl}) {
            CHECK(read(*t, "2026-02-01T00:00:00%2B10:00") ==
                  std::pair{1100LL, std::string("2026-01-31T14:00:00Z")});
            CHECK(read(*t, "2026-02-01T00:00:00Z") ==
                  std::pair{1300LL, std::string("2026-02-01T00:00:00Z")});
        }
    }
    {  // from/to dates of lists are local days
        const auto readings = [&](const Tenant& t, const std::string& query) {
            return polled(api_get(
                s, "/api/v1/devices/" + device_of(s, t, "TZ1") + "/readings?order=asc&" + query,
                t.token));
        };
        CHECK(readings(utc, "from=2026-02-01&to=2026-02-02") ==
              std::vector<std::string>{"2026-02-01T13:30:00Z", "2026-02-01T14:30:00Z"});
        CHECK(readings(vl, "from=2026-02-01&to=2026-02-02") ==
              std::vector<std::string>{"2026-01-31T15:00:00Z", "2026-02-01T13:30:00Z"});
        CHECK(readings(vl, "from=2026-02-01T14:00:00Z&to=2026-02-01T15:00:00Z") ==
              std::vector<std::string>{"2026-02-01T14:30:00Z"});

        const auto events = [&](const Tenant& t) {
            const auto r = api_get(s, "/api/v1/events?from=2026-02-01&to=2026-02-02", t.token);
            INFO(r.body);
            return items(r).Size();
        };
        CHECK(events(utc) == 0);
        CHECK(events(vl) == 1);
        const auto alerts = api_get(s, "/api/v1/alerts?to=2026-02-01", vl.token);
        CHECK(items(alerts).Size() == 0);  // it appeared after local midnight
        CHECK(items(api_get(s, "/api/v1/alerts?to=2026-02-01", utc.token)).Size() == 1);

        // The daily counters of a device are its local days.
        const auto daily = [&](const Tenant& t) {
            const auto r = api_get(s,
                                   "/api/v1/devices/" + device_of(s, t, "TZ1") +
                                       "/counters?interval=day&name=total&from=2026-02-01"
                                       "&to=2026-02-03",
                                   t.token);
            INFO(r.body);
            std::vector<std::pair<std::string, long long>> out;
            for (const auto& row : items(r).GetArray()) {
                out.emplace_back(str(row, "day"), num(row, "pages").value());
            }
            return out;
        };
        using Days = std::vector<std::pair<std::string, long long>>;
        CHECK(daily(utc) == Days{{"2026-02-01", 700}});
        CHECK(daily(vl) == Days{{"2026-02-01", 500}, {"2026-02-02", 400}});

        // not_seen_since: the device was last seen 03-02 10:00 UTC (20:00 there).
        const auto unseen = [&](const Tenant& t, const std::string& since) {
            return items(api_get(s, "/api/v1/devices?not_seen_since=" + since, t.token)).Size();
        };
        CHECK(unseen(vl, "2026-03-03") == 1);
        CHECK(unseen(utc, "2026-03-03") == 1);
        CHECK(unseen(vl, "2026-03-02") == 0);
    }
    CHECK(s.query_value(kRollupDrift, "x") == "0");
}

TEST_CASE("a zone change rebuilds the tenant's model as if it had always been in that zone",
          "[cloud][analytics][zone]") {
    CloudServer s;
    const Tenant moved = make_tenant(s, "moves east");
    const Tenant native = make_tenant(s, "always in Vladivostok");
    const Tenant other = make_tenant(s, "bystander");
    REQUIRE(set_zone(s, native.id, "Asia/Vladivostok"));
    REQUIRE(set_zone(s, other.id, "Europe/Moscow"));

    // Two printers, a reset, a late reading; `native` refreshed after each batch (its read
    // model is built incrementally, in its zone from the start), `moved` refreshed in UTC.
    const std::vector<std::vector<Point>> batches = {
        {kMidnights.begin(), kMidnights.begin() + 3},
        {kMidnights.begin() + 3, kMidnights.end()},
        {{"2026-03-31T14:10:00Z", {{"total", 40}, {"mono", 20}}, 85, ""},  // reset, 04-01 local
         {"2026-04-01T02:00:00Z", {{"total", 90}, {"mono", 45}}, 85, ""},
         // 04-02 06:00 there: back in UTC its local day (04-02) is no day of the UTC model, so
         // the rebuild must delete it, not only the days of the refreshed ranges.
         {"2026-04-01T20:00:00Z", {{"total", 120}, {"mono", 60}}, 85, ""}},
        {{"2026-02-01T14:00:00Z", {{"total", 1800}, {"mono", 900}}, 60, ""}}};  // late
    std::map<const Tenant*, FakeDevice> first;
    std::map<const Tenant*, FakeDevice> second;
    for (const Tenant* t : {&moved, &native, &other}) {
        first[t] = printer("A1");
        second[t] = printer("B2");
    }
    for (const auto& points : batches) {
        for (const Tenant* t : {&moved, &native, &other}) {
            ingest(s, *t, first[t], points);
            std::vector<Point> later = points;  // B2: the same, an hour later
            for (auto& p : later) {
                p.polled_at = proto::format_rfc3339(proto::parse_rfc3339(p.polled_at).value() +
                                                    std::chrono::hours(1));
            }
            ingest(s, *t, second[t], later);
            REQUIRE(api_get(s, "/api/v1/devices", t->token).status == 200);  // refreshes
        }
    }
    const auto rows = [&](const Tenant& t) {
        return s.query_value(kCounterRows, t.id).value() + " || " +
               s.query_value(kMonthRows, t.id).value() + " || " +
               s.query_value(kRollupRows, t.id).value();
    };
    const auto in_utc = rows(moved);
    const auto moved_other = s.query_value(kOtherRows, moved.id).value();
    const auto bystander = rows(other);
    const auto bystander_other = s.query_value(kOtherRows, other.id).value();
    REQUIRE(in_utc != rows(native));

    REQUIRE(set_zone(s, moved.id, "Asia/Vladivostok"));
    CHECK(rows(moved) == rows(native));
    CHECK(s.query_value(kOtherRows, moved.id) == moved_other);  // instants: no zone in them
    CHECK(rows(other) == bystander);
    CHECK(s.query_value(kOtherRows, other.id) == bystander_other);
    CHECK(s.query_value(kRollupDrift, "x") == "0");
    const auto feb =
        api_get(s, "/api/v1/page-volume?period=month&date=2026-02-01&group_by=tenant", moved.token);
    CHECK(total_pages(feb) ==
          total_pages(api_get(s, "/api/v1/page-volume?period=month&date=2026-02-01&group_by=tenant",
                              native.token)));

    // Setting the same zone again rebuilds nothing; back to UTC gives the UTC model again.
    REQUIRE(set_zone(s, moved.id, "Asia/Vladivostok"));
    REQUIRE(set_zone(s, moved.id, "UTC"));
    CHECK(rows(moved) == in_utc);
    CHECK(rows(other) == bystander);
    CHECK(s.query_value(kRollupDrift, "x") == "0");

    // An UPDATE of the column by hand (psql, another service) rebuilds too: no path skips it.
    {
        auto conn = s.database().connect();
        pqxx::work tx(conn.raw());
        tx.exec_params("UPDATE tenants SET time_zone = 'Asia/Vladivostok' WHERE tenant_id = $1",
                       moved.id);
        tx.commit();
    }
    CHECK(rows(moved) == rows(native));
    CHECK(s.query_value(kRollupDrift, "x") == "0");

    // Readings after the change land on the new zone's days, incrementally.
    for (const Tenant* t : {&moved, &native}) {
        ingest(s, *t, first[t],
               {{"2026-04-30T15:00:00Z", {{"total", 300}, {"mono", 100}}, 80, ""}});
    }
    const auto may = [&](const Tenant& t) {
        return total_pages(api_get(
            s, "/api/v1/page-volume?period=month&date=2026-05-01&group_by=tenant", t.token));
    };
    CHECK(may(moved) == 300 - 120);  // 05-01 01:00 in Vladivostok
    CHECK(may(native) == may(moved));
    CHECK(rows(moved) == rows(native));
    CHECK(s.query_value(kRollupDrift, "x") == "0");
}

TEST_CASE("uploads go on while a zone change rebuilds; reads wait for it, then see it whole",
          "[cloud][analytics][zone]") {
    ServerSettings settings;
    settings.analytics.statement_timeout = std::chrono::milliseconds(500);
    settings.analytics.refresh_interval = std::chrono::hours(1);  // only reads refresh here
    CloudServer s(settings);
    const Tenant t = make_tenant(s, "Acme");
    const auto d = printer("LIVE1");
    ingest(s, t, d, kMidnights);
    const auto month = "/api/v1/page-volume?group_by=tenant&period=month&date=2026-03-01";
    REQUIRE(total_pages(api_get(s, month, t.token)) == 100);

    // The change is made and not committed yet (a long rebuild).
    db::Connection conn = s.database().connect();
    pqxx::work changing(conn.raw());
    changing.exec_params("SELECT pm_set_tenant_time_zone($1::uuid, 'Asia/Vladivostok')", t.id);

    // An upload of the same device and UTC day as its last reading is stored meanwhile (it
    // would wait for the change to commit if the rebuild had consumed that day's dirty mark).
    auto upload = std::async(std::launch::async, [&] {
        return s
            .ingest(t.key,
                    batch_of(t.scanner, d, {{"2026-03-02T16:00:00Z", {{"total", 2700}}, 85, ""}}))
            .status;
    });
    const bool stored = upload.wait_for(std::chrono::seconds(15)) == std::future_status::ready;
    if (!stored) changing.abort();  // unblock it before failing
    REQUIRE(stored);
    CHECK(upload.get() == 200);
    // A read has a reading to fold in and waits for the analytics lock: 503, retry.
    const auto busy = api_get(s, month, t.token);
    CHECK(busy.status == 503);
    CHECK(busy.body.find("\"refreshing\"") != std::string::npos);

    changing.commit();
    const auto after = api_get(s, month, t.token);
    CHECK(str(after.json, "time_zone") == "Asia/Vladivostok");
    CHECK(total_pages(after) == 500 + 100 + 100);  // 03-01 and 03-02 there, with the upload
    CHECK(s.query_value(kRollupDrift, "x") == "0");
}

TEST_CASE("an invalid zone or an unknown tenant is refused and changes nothing",
          "[cloud][analytics][zone]") {
    CloudServer s;
    const Tenant t = make_tenant(s, "Acme");
    ingest(s, t, printer("Z1"), kMidnights);
    REQUIRE(api_get(s, "/api/v1/devices", t.token).status == 200);
    REQUIRE(set_zone(s, t.id, "Europe/Moscow"));
    const auto before = s.query_value(kCounterRows, t.id).value();

    for (const std::string& zone : std::vector<std::string>{
             "Mars/Olympus", "UTC+3", "<+03>-3", "europe/moscow", "", " Europe/Moscow", "localtime",
             "posixrules", "Europe/Moscow'; DROP TABLE tenants; --", std::string(300, 'x')}) {
        INFO("zone '" << zone << "'");
        // The caller's transaction stays usable after the refusal: it goes on and commits.
        auto lease = s.app().pool().acquire();
        const auto refused = db::with_transaction(*lease, [&](pqxx::work& tx) {
            auto r = cloud::tenancy::set_time_zone(tx, t.id, zone);
            CHECK(cloud::tenancy::time_zone(tx, t.id) == "Europe/Moscow");
            return r;
        });
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code == common::ErrorCode::kInvalidArgument);
    }
    const auto missing = set_zone(s, proto::new_uuid(), "Europe/Berlin");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == common::ErrorCode::kNotFound);
    CHECK(set_zone(s, "not-a-uuid", "Europe/Berlin").error().code == common::ErrorCode::kNotFound);
    CHECK(zone_of(s, proto::new_uuid()) == "UTC");

    // The database refuses them too, whatever path writes the column.
    for (const char* sql :
         {"UPDATE tenants SET time_zone = 'UTC+3' WHERE tenant_id = $1::uuid",
          "SELECT pm_set_tenant_time_zone($1::uuid, 'Nowhere/Special')",
          "INSERT INTO tenants (name, time_zone) SELECT 'x' || $1, 'Mars/Olympus'"}) {
        INFO(sql);
        auto conn = s.database().connect();
        pqxx::work tx(conn.raw());
        CHECK_THROWS_WITH(tx.exec_params(sql, t.id), Catch::Contains("unknown time zone"));
    }
    {
        auto conn = s.database().connect();
        pqxx::work tx(conn.raw());
        CHECK_THROWS_WITH(
            tx.exec_params("SELECT pm_set_tenant_time_zone($1::uuid, 'UTC')", proto::new_uuid()),
            Catch::Contains("no tenant"));
    }
    CHECK(zone_of(s, t.id) == "Europe/Moscow");
    CHECK(s.query_value(kCounterRows, t.id) == before);
    CHECK(s.count("tenants") == 1);
}

TEST_CASE("daylight saving: the 23- and 25-hour days of Europe/Berlin",
          "[cloud][analytics][zone]") {
    CloudServer s;
    const Tenant t = make_tenant(s, "Berlin");
    REQUIRE(set_zone(s, t.id, "Europe/Berlin"));
    // 2026-03-29 runs from 03-28 23:00 UTC (CET) to 03-29 22:00 UTC (CEST): 23 hours.
    // 2026-10-25 runs from 10-24 22:00 UTC (CEST) to 10-25 23:00 UTC (CET): 25 hours.
    ingest(s, t, printer("DST1"),
           {{"2026-03-28T22:30:00Z", {{"total", 100}}, 80, ""},    // 03-28 23:30 CET
            {"2026-03-28T23:30:00Z", {{"total", 110}}, 80, ""},    // 03-29 00:30 CET: +10
            {"2026-03-29T21:30:00Z", {{"total", 130}}, 80, ""},    // 03-29 23:30 CEST: +20
            {"2026-03-29T22:30:00Z", {{"total", 160}}, 80, ""},    // 03-30 00:30 CEST: +30
            {"2026-10-24T21:30:00Z", {{"total", 200}}, 80, ""},    // 10-24 23:30 CEST: +40
            {"2026-10-24T22:30:00Z", {{"total", 250}}, 80, ""},    // 10-25 00:30 CEST: +50
            {"2026-10-25T22:30:00Z", {{"total", 310}}, 80, ""},    // 10-25 23:30 CET: +60
            {"2026-10-25T23:30:00Z", {{"total", 380}}, 80, ""}});  // 10-26 00:30 CET: +70
    const auto day = [&](const std::string& date) {
        const auto r =
            api_get(s, "/api/v1/page-volume?group_by=tenant&period=day&date=" + date, t.token);
        return std::tuple{total_pages(r), str(r.json, "from_at"), str(r.json, "to_at")};
    };
    CHECK(day("2026-03-29") == std::tuple{30LL, std::string("2026-03-28T23:00:00Z"),
                                          std::string("2026-03-29T22:00:00Z")});
    CHECK(day("2026-03-30") == std::tuple{30LL, std::string("2026-03-29T22:00:00Z"),
                                          std::string("2026-03-30T22:00:00Z")});
    CHECK(day("2026-10-25") == std::tuple{110LL, std::string("2026-10-24T22:00:00Z"),
                                          std::string("2026-10-25T23:00:00Z")});
    CHECK(std::get<0>(day("2026-10-26")) == 70);
    const auto week =
        api_get(s, "/api/v1/page-volume?group_by=tenant&period=week&date=2026-10-25", t.token);
    CHECK(total_pages(week) == 40 + 50 + 60);  // Mon 10-19 .. Sun 10-25
    CHECK(str(week.json, "to_at") == "2026-10-25T23:00:00Z");
    const auto at = api_get(s, "/api/v1/meter-reads?name=total&at=2026-03-30", t.token);
    REQUIRE(items(at).Size() == 1);
    CHECK(num(items(at)[0], "value") == 130);
    CHECK(str(items(at)[0], "at") == "2026-03-29T22:00:00Z");
    CHECK(s.query_value(kRollupDrift, "x") == "0");
}

TEST_CASE("a local day starts at its first instant, where midnight is skipped or repeated too",
          "[cloud][analytics][zone]") {
    CloudServer s;
    // Havana ends daylight saving at 01:00 back to 00:00, so 2024-11-03 00:00 happens twice
    // (04:00 and 05:00 UTC); PostgreSQL's AT TIME ZONE picks the second. Santiago and Cairo
    // change at midnight, Lord Howe by 30 minutes, Kathmandu is +05:45.
    CHECK(s.query_value("SELECT pm_rfc3339(pm_local_day_start('2024-11-03', $1))",
                        "America/Havana") == "2024-11-03T04:00:00Z");
    CHECK(s.query_value("SELECT pm_rfc3339(pm_local_day_start('2024-03-10', $1))",
                        "America/Havana") == "2024-03-10T05:00:00Z");  // 00:00 skipped: 01:00
    CHECK(s.query_value("SELECT pm_rfc3339(pm_local_day_start('2026-01-01', $1))",
                        "Asia/Vladivostok") == "2025-12-31T14:00:00Z");
    // Every day of four years in zones with midnight transitions and odd offsets: the start
    // is on its day and the microsecond before it is not.
    CHECK(s.query_value(
              "SELECT count(*) FROM unnest(string_to_array($1, ',')) z"
              " CROSS JOIN generate_series('2023-01-01'::date, '2026-12-31'::date, '1 day') g"
              " CROSS JOIN LATERAL (SELECT pm_local_day_start(g::date, z) AS s) x"
              " WHERE x.s IS NULL OR (x.s AT TIME ZONE z)::date <> g::date"
              " OR ((x.s - interval '1 microsecond') AT TIME ZONE z)::date >= g::date",
              "America/Havana,America/Santiago,Africa/Cairo,Asia/Beirut,America/Asuncion,"
              "Australia/Lord_Howe,Asia/Kathmandu,Europe/Berlin,Europe/Moscow,Asia/Kamchatka,"
              "Pacific/Chatham,America/St_Johns,UTC") == "0");
}

TEST_CASE("CLI tenant set-time-zone", "[cloud][analytics][zone][cli]") {
    namespace fs = std::filesystem;
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto dir = fs::temp_directory_path() / ("cloud-zone-" + proto::new_uuid());
    fs::create_directories(dir);
    const auto config = (dir / "cloud-api.toml").string();
    std::ofstream(config) << "[log]\nlevel = \"warn\"\n[server]\ntls = false\n[database]\n"
                          << "conninfo = \"" << s.database().conninfo() << "\"\n";
    const auto run = [&](std::vector<std::string> args, std::string& out) {
        args.insert(args.begin(), {"printmon-cloud-api", "--config", config});
        std::vector<const char*> argv;
        for (const auto& a : args) argv.push_back(a.c_str());
        std::ostringstream o;
        std::ostringstream e;
        const int code = cloud::run_cli(static_cast<int>(argv.size()), argv.data(), o, e);
        out = o.str() + e.str();
        return code;
    };
    std::string out;
    CHECK(run({"tenant", "set-time-zone", "--tenant", tenant, "--zone", "Europe/Samara"}, out) ==
          0);
    CHECK(out.find("Europe/Samara") != std::string::npos);
    CHECK(zone_of(s, tenant) == "Europe/Samara");
    CHECK(run({"tenant", "set-time-zone", "--tenant", tenant, "--zone", "Samara"}, out) == 1);
    CHECK(out.find("unknown time zone") != std::string::npos);
    CHECK(run({"tenant", "set-time-zone", "--tenant", proto::new_uuid(), "--zone", "UTC"}, out) ==
          1);
    CHECK(run({"tenant", "set-time-zone", "--tenant", "acme", "--zone", "UTC"}, out) == 2);
    CHECK(run({"tenant", "set-time-zone", "--tenant", tenant}, out) != 0);
    fs::remove_all(dir);
    CHECK(zone_of(s, tenant) == "Europe/Samara");
}
