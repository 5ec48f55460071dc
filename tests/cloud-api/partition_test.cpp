// Raw readings partitioned by month and kept per tenant (V0012, V0013) on real PostgreSQL: a
// month past every tenant's horizon leaves by a partition drop (no DELETE, nothing newer
// touched), page volume, meter reads, forecasts and cartridge yields answer across the horizon
// from what is kept for ever; ingest stays exactly-once on the partitioned table; the migration
// from the unpartitioned table keeps every row of a filled database.
#include <catch2/catch.hpp>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "analytics_support.hpp"
#include "printmon/db/connection.hpp"
#include "printmon/db/migrator.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "storage/retention.hpp"
#include "storage/schema.hpp"
#include "tenancy/tenancy.hpp"

using namespace printmon;
using namespace printmon::cloud::test;

namespace {

using Clock = std::chrono::system_clock;

Clock::time_point at(const std::string& rfc3339) { return proto::parse_rfc3339(rfc3339).value(); }

// Reading i of the test printer: every 6 hours from 2024-12-01, "total" +25 and "mono" +10 a
// reading (100 and 40 pages a day, linear: an interpolated meter read is exact), the black
// toner falling 0.4 % a reading and replaced every 240 readings (60 days).
constexpr int kReadings = 4 * 464;  // 2024-12-01 .. 2026-03-09
std::string when(int i) {
    return proto::format_rfc3339(at("2024-12-01T00:00:00Z") + std::chrono::hours(6 * i));
}
std::int64_t total_at(int i) { return 100'000 + 25LL * i; }
Point point(int i) {
    return {when(i),
            {{"total", total_at(i)}, {"mono", 50'000 + 10LL * i}},
            100 - (i % 240) * 2 / 5,
            ""};
}

struct Tenant {
    std::string id, key, token, device;
};

Tenant fill_tenant(CloudServer& s, const std::string& name, const std::string& serial) {
    Tenant t;
    t.id = s.create_tenant(name);
    t.key = s.create_scanner(t.id, "branch");
    t.token = s.create_token(t.id);
    FakeDevice d;
    d.branch_id = proto::new_uuid();
    d.serial = serial;
    for (int from = 0; from < kReadings; from += 200) {
        std::vector<Point> points;
        for (int i = from; i < std::min(kReadings, from + 200); ++i) points.push_back(point(i));
        const auto r = s.ingest(t.key, batch_of("branch", d, points));
        INFO(r.body);
        REQUIRE(r.status == 200);
    }
    t.device = s.query_value("SELECT device_id::text FROM devices WHERE tenant_id = $1::uuid", t.id)
                   .value();
    return t;
}

cloud::storage::MaintenanceResult maintain(CloudServer& s, const std::string& now) {
    auto conn = s.database().connect();
    const auto m = cloud::storage::maintain_readings(conn.raw(), at(now));
    // The cumulative statistics of this session are flushed when it goes idle after this.
    pqxx::nontransaction(conn.raw()).exec("SELECT pg_stat_force_next_flush()");
    return m;
}

std::vector<std::string> partitions(const CloudServer& s) {
    auto conn = s.database().connect();
    pqxx::nontransaction tx(conn.raw());
    std::vector<std::string> out;
    for (const auto& row : tx.exec("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON "
                                   "c.oid = i.inhrelid WHERE i.inhparent = 'readings'::regclass "
                                   "ORDER BY 1")) {
        out.push_back(row[0].as<std::string>());
    }
    return out;
}

bool has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

// Rows deleted or updated in the readings' partitions, as the statistics count them.
long long deleted_or_updated(const CloudServer& s) {
    auto conn = s.database().connect();
    pqxx::nontransaction tx(conn.raw());
    tx.exec("SELECT pg_stat_clear_snapshot()");
    return tx
        .exec1(
            "SELECT coalesce(sum(n_tup_del + n_tup_upd), 0) FROM pg_stat_user_tables "
            "WHERE relid IN (SELECT inhrelid FROM pg_inherits "
            "WHERE inhparent = 'readings'::regclass) AND relname <> 'readings_default'")[0]
        .as<long long>();
}

// Where and as what every reading from `from` on is stored: partition, physical place and
// inserting transaction (a DELETE and re-insert, or an UPDATE, would change them).
std::string physical(const CloudServer& s, const std::string& from) {
    return s
        .query_value(
            "SELECT md5(string_agg(tableoid::regclass::text || ctid::text || xmin::text"
            " || reading_id::text, ',' ORDER BY reading_id)) FROM readings"
            " WHERE polled_at >= $1::timestamptz",
            from)
        .value();
}

// Everything kept for ever.
std::string rollups(const CloudServer& s) {
    return s
        .query_value(
            "SELECT md5(concat("
            "(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM counter_days x),"
            "(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM counter_months x),"
            "(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM tenant_days x),"
            "(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM tenant_months x),"
            "(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM counter_epochs x),"
            "(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM supply_changes x)))"
            " WHERE $1 <> ''",
            "x")
        .value();
}

const rapidjson::Value& items(const ApiResponse& r) {
    INFO(r.body);
    REQUIRE(r.status == 200);
    REQUIRE(r.json.HasMember("items"));
    return r.json["items"];
}

// Page volume rows as "name pages readings" (the whole answer's numbers).
std::string volume(const CloudServer& s, const Tenant& t, const std::string& query) {
    std::string out;
    const auto r = api_get(s, "/api/v1/page-volume?" + query, t.token);
    for (const auto& row : items(r).GetArray()) {
        out += str(row, "name") + " " + std::to_string(num(row, "pages").value()) + " " +
               std::to_string(num(row, "readings").value()) + "; ";
    }
    return out;
}

struct MeterRead {
    long long value = 0;
    bool interpolated = false;
    std::string reading_at;
};

MeterRead meter_read(const CloudServer& s, const Tenant& t, const std::string& when_at) {
    const auto r = api_get(
        s, "/api/v1/meter-reads?name=total&interpolate=true&device=" + t.device + "&at=" + when_at,
        t.token);
    REQUIRE(items(r).Size() == 1);
    const auto& row = items(r)[0];
    return {num(row, "value").value(), row["interpolated"].GetBool(), str(row, "reading_at")};
}

const std::vector<std::string> kVolumeQueries = {
    "group_by=tenant&period=month&date=2024-12-15", "group_by=device&period=month&date=2024-12-15",
    "group_by=tenant&period=month&date=2025-01-15", "group_by=device&period=month&date=2025-01-15",
    "group_by=site&period=month&date=2025-01-15",   "group_by=tenant&period=day&date=2025-01-17",
    "group_by=device&period=week&date=2025-01-17",  "group_by=tenant&period=month&date=2025-06-15",
    "group_by=device&period=day&date=2026-03-01"};

}  // namespace

TEST_CASE("a month past every tenant's horizon leaves by a partition drop; reads answer the same",
          "[cloud][partition]") {
    CloudServer s;
    const Tenant a = fill_tenant(s, "Keeps 13 months", "KEEP13");
    const Tenant b = fill_tenant(s, "Keeps 3 months", "KEEP3");

    // January 2026: nothing is past a 13-month horizon yet (2024-12-01); the months of the
    // readings (in the default partition so far: the migration made this real month's) get
    // their partitions.
    const auto first = maintain(s, "2026-01-15T12:00:00Z");
    CHECK(first.partitions_dropped == 0);
    CHECK(first.strays_deleted == 0);
    auto parts = partitions(s);
    CHECK(has(parts, "readings_p202412"));
    CHECK(has(parts, "readings_p202501"));
    CHECK(has(parts, "readings_p202603"));
    CHECK(s.count("readings_default") == 0);
    CHECK(s.count("readings") == 2 * kReadings);

    auto lease = s.app().pool().acquire();
    REQUIRE(db::with_transaction(
        *lease, [&](pqxx::work& tx) { return cloud::tenancy::set_raw_retention(tx, b.id, 3); }));
    // Out of range: refused, nothing changed.
    CHECK_FALSE(db::with_transaction(
        *lease, [&](pqxx::work& tx) { return cloud::tenancy::set_raw_retention(tx, b.id, 2); }));

    // The answers before, read as a user would.
    std::vector<std::string> before_a, before_b;
    for (const auto& q : kVolumeQueries) {
        before_a.push_back(volume(s, a, q));
        before_b.push_back(volume(s, b, q));
    }
    CHECK(before_a[2] == "mono 1240 124; total 3100 124; ");  // January 2025: 31 days x 4
    const auto read_old = meter_read(s, a, "2025-01-20T09:00:00Z");
    CHECK(read_old.interpolated);
    CHECK(read_old.reading_at == "2025-01-20T06:00:00Z");
    const auto read_kept = meter_read(s, a, "2025-06-01T03:00:00Z");
    const auto device_a = api_get(s, "/api/v1/devices/" + a.device, a.token);
    REQUIRE(device_a.status == 200);
    const auto cartridges_b = api_get(s, "/api/v1/devices/" + b.device + "/cartridges", b.token);
    REQUIRE(items(cartridges_b).Size() >= 7);
    const auto kept_rows = physical(s, "2025-02-01T00:00:00Z");
    const auto kept_rollups = rollups(s);
    CHECK(deleted_or_updated(s) == 0);

    // March 2026: January 2025 is past the 13-month horizon (2025-02-01) of both tenants; the
    // 3-month tenant's horizon is 2025-12-01, but the months between stay for the other one.
    const auto m = maintain(s, "2026-03-15T12:00:00Z");
    CHECK(m.tenants_archived == 2);
    CHECK(m.partitions_dropped == 2);  // 2024-12 and 2025-01
    CHECK(m.strays_deleted == 0);
    parts = partitions(s);
    CHECK_FALSE(has(parts, "readings_p202412"));
    CHECK_FALSE(has(parts, "readings_p202501"));
    CHECK(has(parts, "readings_p202502"));
    CHECK(has(parts, "readings_p202511"));
    CHECK(s.query_value("SELECT to_regclass($1)::text", "readings_p202501") == std::nullopt);
    // Dropped, not emptied: no row was deleted or updated anywhere, and every newer reading is
    // where it was, as it was.
    CHECK(deleted_or_updated(s) == 0);
    CHECK(physical(s, "2025-02-01T00:00:00Z") == kept_rows);
    CHECK(s.query_value("SELECT count(*) FROM readings WHERE polled_at < $1::timestamptz",
                        "2025-02-01T00:00:00Z") == "0");
    CHECK(s.query_value("SELECT raw_archived_until = '2025-12-01T00:00:00Z' FROM tenants "
                        "WHERE tenant_id = $1::uuid",
                        b.id) == "t");

    // The same answers from the rollups (each read refreshes the tenant first: nothing to do).
    for (std::size_t i = 0; i < kVolumeQueries.size(); ++i) {
        INFO(kVolumeQueries[i]);
        CHECK(volume(s, a, kVolumeQueries[i]) == before_a[i]);
        CHECK(volume(s, b, kVolumeQueries[i]) == before_b[i]);
    }
    CHECK(rollups(s) == kept_rollups);
    // A meter read at a dropped date: the kept day ends, interpolated; linear counters make it
    // the same value (the readings it rests on are now the day ends around it).
    const auto read_after = meter_read(s, a, "2025-01-20T09:00:00Z");
    CHECK(read_after.value == read_old.value);
    CHECK(read_after.interpolated);
    CHECK(read_after.reading_at == "2025-01-19T18:00:00Z");
    const auto kept_after = meter_read(s, a, "2025-06-01T03:00:00Z");
    CHECK(kept_after.value == read_kept.value);
    CHECK(kept_after.reading_at == read_kept.reading_at);
    // Tenant b: its raw readings before its horizon are hidden (still on disk for a's sake).
    CHECK(items(api_get(s,
                        "/api/v1/devices/" + b.device +
                            "/readings?from=2025-06-01T00:00:00Z&to=2025-07-01T00:00:00Z",
                        b.token))
              .Size() == 0);
    CHECK(items(api_get(s,
                        "/api/v1/devices/" + a.device +
                            "/readings?from=2025-06-01T00:00:00Z&to=2025-07-01T00:00:00Z",
                        a.token))
              .Size() > 0);
    CHECK(s.query_value("SELECT count(*) > 0 FROM readings WHERE tenant_id = $1::uuid "
                        "AND polled_at < '2025-12-01T00:00:00Z'",
                        b.id) == "t");
    // Forecasts: the device answer is the same for a (its last 180 days are all kept), and b
    // still has a forecast from its 3 months.
    const auto device_a_after = api_get(s, "/api/v1/devices/" + a.device, a.token);
    CHECK(device_a_after.body == device_a.body);
    const auto device_b = api_get(s, "/api/v1/devices/" + b.device, b.token);
    INFO(device_b.body);
    REQUIRE(device_b.status == 200);
    CHECK(str(device_b.json["supplies"][0]["forecast"], "status") == "ok");
    // Cartridge yields past b's horizon come from the day ends: exact to a day's pages (100).
    const auto cartridges_after =
        api_get(s, "/api/v1/devices/" + b.device + "/cartridges", b.token);
    REQUIRE(items(cartridges_after).Size() == items(cartridges_b).Size());
    for (rapidjson::SizeType i = 0; i < items(cartridges_b).Size(); ++i) {
        const auto& was = items(cartridges_b)[i];
        const auto& now = items(cartridges_after)[i];
        INFO(str(was, "installed_at"));
        CHECK(str(now, "installed_at") == str(was, "installed_at"));
        REQUIRE(num(now, "pages").has_value());
        CHECK(std::abs(*num(now, "pages") - *num(was, "pages")) <= 100);
    }

    // A late reading before b's horizon (an old export file): stored, hidden, and no rollup
    // moves.
    FakeDevice late;
    late.branch_id = proto::new_uuid();
    late.serial = "KEEP3";
    const auto r = s.ingest(
        b.key, batch_of("branch", late,
                        {{"2025-05-10T07:00:00Z", {{"total", 999'999}, {"mono", 1}}, 50, ""}}));
    INFO(r.body);
    CHECK(r.status == 200);
    CHECK(s.count("analytics_dirty") == 0);
    CHECK(volume(s, b, "group_by=tenant&period=month&date=2025-05-15") ==
          volume(s, a, "group_by=tenant&period=month&date=2025-05-15"));
    CHECK(rollups(s) == kept_rollups);

    // Nothing left to do at the same instant.
    const auto again = maintain(s, "2026-03-15T13:00:00Z");
    CHECK(again.tenants_archived == 0);
    CHECK(again.partitions_dropped == 0);
}

TEST_CASE("ingest stays exactly-once on the partitioned readings", "[cloud][partition][ingest]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch");
    maintain(s, "2026-01-15T12:00:00Z");  // partitions 2026-01 .. 2026-04
    FakeDevice d;
    d.branch_id = proto::new_uuid();
    d.serial = "ONCE1";
    // Two readings in a month partition, one far in the past: the default partition.
    const auto batch = batch_of("branch", d,
                                {{"2026-02-01T10:00:00Z", {{"total", 100}}, 50, ""},
                                 {"2026-02-01T11:00:00Z", {{"total", 110}}, 50, ""},
                                 {"2019-05-01T10:00:00Z", {{"total", 10}}, 50, ""}});
    const auto stored = [](const net::ClientResponse& r) {
        INFO(r.body);
        REQUIRE(r.status == 200);
        rapidjson::Document doc;
        doc.Parse(r.body.c_str());
        return std::pair{num(doc, "readings_stored").value(),
                         num(doc, "readings_duplicate").value()};
    };
    CHECK(stored(s.ingest(key, batch)) == std::pair{3LL, 0LL});
    CHECK(s.query_value("SELECT tableoid::regclass::text FROM readings WHERE polled_at = "
                        "$1::timestamptz",
                        "2019-05-01T10:00:00Z") == "readings_default");
    CHECK(s.query_value("SELECT tableoid::regclass::text FROM readings WHERE polled_at = "
                        "$1::timestamptz",
                        "2026-02-01T10:00:00Z") == "readings_p202602");

    // The same batch again: a duplicate batch.
    CHECK(stored(s.ingest(key, batch)) == std::pair{0LL, 3LL});
    // The same readings in another batch (re-batched after a split), with one new reading: only
    // the new one is stored, in both partitions' unique indexes.
    auto rebatched = batch;
    rebatched.batch_id = proto::new_uuid();
    auto extra = batch_of("branch", d, {{"2026-02-01T12:00:00Z", {{"total", 120}}, 50, ""}});
    rebatched.readings.push_back(extra.readings.front());
    CHECK(stored(s.ingest(key, rebatched)) == std::pair{1LL, 3LL});
    // One duplicate alone (the staging path's ON CONFLICT on the partitioned key).
    auto single = batch;
    single.batch_id = proto::new_uuid();
    single.readings.resize(1);
    single.readings[0] = batch.readings[2];
    CHECK(stored(s.ingest(key, single)) == std::pair{0LL, 1LL});
    CHECK(s.count("readings", tenant) == 4);
    CHECK(s.query_value("SELECT count(DISTINCT reading_id) FROM readings WHERE tenant_id = "
                        "$1::uuid",
                        tenant) == "4");

    // A later maintenance moves nothing it should not: the 2019 reading is older than any
    // horizon of 2026 and is the one stray a DELETE removes (the default partition only).
    const auto m = maintain(s, "2026-03-15T12:00:00Z");
    CHECK(m.strays_deleted == 1);
    CHECK(s.count("readings", tenant) == 3);
}

TEST_CASE("the migration to partitioned readings keeps every row of a filled database",
          "[cloud][partition][migration]") {
    printmon::test::TempDatabase database;
    auto conn = database.connect();
    const std::filesystem::path origin = "cloud-api/migrations";
    auto files = db::parse_migrations(cloud::storage::embedded_migrations(), origin);
    files.erase(std::remove_if(files.begin(), files.end(),
                               [](const db::MigrationFile& f) { return f.version >= 12; }),
                files.end());
    REQUIRE(files.size() == 11);
    db::Migrator(conn.raw(), files, origin).run();

    // 20 devices, a reading every 3 hours over 14 months (426 days: 3,408 each), and the read
    // model.
    const auto sql = [&conn](const std::string& q) {
        pqxx::nontransaction tx(conn.raw());
        auto r = tx.exec(q);
        return r.empty() ? std::string() : r[0][0].as<std::string>();
    };
    sql("INSERT INTO tenants (tenant_id, name) VALUES "
        "('00000000-0000-4000-8000-000000000001', 'filled');"
        "INSERT INTO scanners (tenant_id, scanner_id, key_hash, key_prefix) VALUES "
        "('00000000-0000-4000-8000-000000000001', 'b', sha256('k'), 'pmk');"
        "INSERT INTO devices (tenant_id, device_id, identity_key, last_scanner_id, first_seen, "
        "last_seen) SELECT '00000000-0000-4000-8000-000000000001', md5('d' || i)::uuid, 'k' || i, "
        "'b', now(), now() FROM generate_series(1, 20) i;"
        "INSERT INTO readings (tenant_id, scanner_id, reading_id, device_id, polled_at, total, "
        "batch_id, serial, counters, supply_levels, document) "
        "SELECT '00000000-0000-4000-8000-000000000001', 'b', gen_random_uuid(), "
        "md5('d' || i)::uuid, t, 1000 + 7 * n, md5('batch')::uuid, 'S' || i, "
        "jsonb_build_object('total', 1000 + 7 * n), '[]', "
        "jsonb_build_object('counters', jsonb_build_object('total', 1000 + 7 * n))::text "
        "FROM generate_series(1, 20) i, "
        "generate_series('2024-11-01T00:00:00Z'::timestamptz, '2025-12-31T21:00:00Z', "
        "'3 hours') WITH ORDINALITY g(t, n);"
        "SELECT analytics_refresh('00000000-0000-4000-8000-000000000001')");
    const std::string fingerprint =
        "SELECT count(*)::text || ' ' || md5(string_agg(concat_ws('|', tenant_id, scanner_id, "
        "reading_id, device_id, polled_at, total, received_at, batch_id, document, counters, "
        "supply_levels, serial), ',' ORDER BY reading_id)) FROM readings";
    const std::string model =
        "SELECT md5(string_agg(x::text, ';' ORDER BY x::text)) FROM counter_days x";
    const auto rows = sql(fingerprint);
    const auto kept_model = sql(model);
    CHECK(rows.rfind("68160 ", 0) == 0);

    cloud::storage::migrate(conn.raw());
    CHECK(sql(fingerprint) == rows);
    CHECK(sql("SELECT relkind FROM pg_class WHERE relname = 'readings'") == "p");
    // One partition per month of the data (Nov 2024 .. Dec 2025), none of it in the default one.
    CHECK(sql("SELECT count(*) FROM pg_inherits WHERE inhparent = 'readings'::regclass "
              "AND inhrelid::regclass::text BETWEEN 'readings_p202411' AND "
              "'readings_p202512'") == "14");
    CHECK(sql("SELECT count(*) FROM readings_default") == "0");
    CHECK(sql(model) == kept_model);
    // Still the ingest rules: a new reading marks its day dirty; the same id and time again is
    // refused by the partition's unique index.
    const std::string insert =
        "INSERT INTO readings (tenant_id, scanner_id, reading_id, device_id, polled_at, total, "
        "batch_id, document) VALUES ('00000000-0000-4000-8000-000000000001', 'b', "
        "'00000000-0000-4000-8000-0000000000aa', md5('d1')::uuid, '2025-12-31T22:00:00Z', 1, "
        "md5('batch')::uuid, '{}')";
    sql(insert);
    CHECK(sql("SELECT count(*) FROM analytics_dirty") == "1");
    CHECK_THROWS_AS(sql(insert), pqxx::unique_violation);
}
