// POST /api/v1/ingest over real HTTPS: stored data equals the batch, idempotency, device
// identity across scanners, tenant isolation, concurrency and pool exhaustion.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "auth/keys.hpp"
#include "cloud_support.hpp"
#include "printmon/db/connection.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"

using namespace printmon;
using namespace printmon::cloud::test;

namespace {

struct Counts {
    long long stored = 0, duplicate = 0, events_stored = 0, events_duplicate = 0;
    std::string status;
};

// Reads the response with the same parser rules as a client would (via the batch codec's
// RapidJSON is not exposed; the fields are few and fixed, so a field lookup suffices).
long long field(const std::string& body, const std::string& name) {
    const auto at = body.find("\"" + name + "\":");
    REQUIRE(at != std::string::npos);
    return std::stoll(body.substr(at + name.size() + 3));
}

std::string status_of(const std::string& body) {
    if (body.find("\"status\":\"stored\"") != std::string::npos) return "stored";
    if (body.find("\"status\":\"duplicate\"") != std::string::npos) return "duplicate";
    return "?";
}

Counts counts_of(const net::ClientResponse& r) {
    INFO(r.body);
    REQUIRE(r.status == 200);
    return {field(r.body, "readings_stored"), field(r.body, "readings_duplicate"),
            field(r.body, "events_stored"), field(r.body, "events_duplicate"), status_of(r.body)};
}

std::string device_of_reading(const CloudServer& s, const std::string& reading_id) {
    return s
        .query_value("SELECT device_id::text FROM readings WHERE reading_id = $1::uuid", reading_id)
        .value();
}

}  // namespace

TEST_CASE("a batch is stored: readings, counters, events and devices equal the batch",
          "[cloud][ingest]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-1");
    const auto batch = fresh_batch("branch-1");

    const auto r = s.ingest(key, batch);
    const auto c = counts_of(r);
    CHECK(c.status == "stored");
    CHECK(r.body.find("\"batch_id\":\"" + batch.batch_id + "\"") != std::string::npos);
    CHECK(c.stored == 3);
    CHECK(c.duplicate == 0);
    CHECK(c.events_stored == 2);
    CHECK(c.events_duplicate == 0);

    CHECK(s.count("batches", tenant) == 1);
    CHECK(s.count("readings", tenant) == 3);
    CHECK(s.count("events", tenant) == 2);
    CHECK(s.count("devices", tenant) == 2);
    CHECK(s.count("scanner_devices", tenant) == 2);

    // Every stored snapshot decodes back to exactly the snapshot sent.
    auto conn = s.database().connect();
    pqxx::work tx(conn.raw());
    for (const auto& reading : batch.readings) {
        const auto row = tx.exec_params1(
            "SELECT document, total, polled_at = $3::timestamptz, batch_id::text, serial "
            "FROM readings WHERE tenant_id = $1::uuid AND scanner_id = 'branch-1' "
            "AND reading_id = $2::uuid",
            tenant, reading.reading_id, reading.snapshot.polled_at);
        const auto decoded = proto::parse_snapshot(row[0].as<std::string>());
        REQUIRE(decoded);
        CHECK(*decoded == reading.snapshot);
        CHECK(row[1].as<long long>() == reading.snapshot.counters.at("total"));
        CHECK(row[2].as<bool>());
        CHECK(row[3].as<std::string>() == batch.batch_id);
        CHECK(row[4].as<std::string>() == reading.snapshot.identity.serial);
        // The counters and supply levels kept beside the document for the read model.
        CHECK(tx.exec_params1("SELECT count(*) FROM readings r, jsonb_each(r.counters) "
                              "WHERE r.tenant_id = $1::uuid AND r.reading_id = $2::uuid",
                              tenant, reading.reading_id)[0]
                  .as<std::size_t>() == reading.snapshot.counters.size());
        std::size_t levels = 0;
        for (const auto& supply : reading.snapshot.supplies)
            levels += supply.level_percent ? 1U : 0U;
        CHECK(tx.exec_params1("SELECT jsonb_array_length(supply_levels) FROM readings "
                              "WHERE tenant_id = $1::uuid AND reading_id = $2::uuid",
                              tenant, reading.reading_id)[0]
                  .as<std::size_t>() == levels);
        for (const auto& [name, value] : reading.snapshot.counters) {
            const auto stored = tx.exec_params1(
                "SELECT (counters ->> $3)::bigint FROM readings "
                "WHERE tenant_id = $1::uuid AND reading_id = $2::uuid",
                tenant, reading.reading_id, name);
            CHECK(stored[0].as<long long>() == value);
        }
    }
    for (const auto& event : batch.events) {
        const auto row = tx.exec_params1(
            "SELECT kind, code, action, detail, at = $3::timestamptz FROM events "
            "WHERE tenant_id = $1::uuid AND scanner_id = 'branch-1' AND event_id = $2::uuid",
            tenant, event.event_id, event.at);
        CHECK(row[0].as<std::string>() == event.kind);
        CHECK(row[1].as<std::string>() == event.code);
        CHECK(row[2].as<std::string>() == event.action);
        CHECK(row[3].as<std::string>() == event.detail);
        CHECK(row[4].as<bool>());
    }
    const auto device = tx.exec_params1(
        "SELECT vendor, serial, mac, last_address, location, last_scanner_id, "
        "last_seen = $3::timestamptz FROM devices WHERE tenant_id = $1::uuid "
        "AND identity_key = $2",
        tenant, "serial:ricoh:3101R810456", batch.devices[0].last_seen);
    CHECK(device[0].as<std::string>() == "Ricoh");
    CHECK(device[1].as<std::string>() == "3101R810456");
    CHECK(device[2].as<std::string>() == batch.devices[0].identity.mac);
    CHECK(device[3].as<std::string>() == batch.devices[0].address);
    CHECK(device[4].as<std::string>() == batch.devices[0].location);
    CHECK(device[5].as<std::string>() == "branch-1");
    CHECK(device[6].as<bool>());
    const auto scanner = tx.exec_params1(
        "SELECT last_version, last_seen_at IS NOT NULL FROM scanners WHERE tenant_id = $1::uuid "
        "AND scanner_id = 'branch-1'",
        tenant);
    CHECK(scanner[0].as<std::string>() == batch.scanner_version);
    CHECK(scanner[1].as<bool>());
    const auto batch_row = tx.exec_params1(
        "SELECT source, readings, readings_stored, events, events_stored FROM batches "
        "WHERE tenant_id = $1::uuid AND batch_id = $2::uuid",
        tenant, batch.batch_id);
    CHECK(batch_row[0].as<std::string>() == "online");
    CHECK(batch_row[1].as<int>() == 3);
    CHECK(batch_row[2].as<int>() == 3);
    CHECK(batch_row[3].as<int>() == 2);
    CHECK(batch_row[4].as<int>() == 2);
}

TEST_CASE("text that needs COPY escaping survives the staging tables", "[cloud][ingest]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-1");
    auto batch = fresh_batch("branch-1");
    batch.readings[0].snapshot.status.console = "tab\there / back\\slash / new\nline / \\N / é";
    batch.events[0].detail = "tab\tand\\N and \r\n end";
    REQUIRE(counts_of(s.ingest(key, batch)).stored == 3);
    auto conn = s.database().connect();
    pqxx::work tx(conn.raw());
    const auto snapshot = tx.exec_params1(
        "SELECT document FROM readings WHERE tenant_id = $1::uuid AND reading_id = $2::uuid",
        tenant, batch.readings[0].reading_id);
    const auto decoded = proto::parse_snapshot(snapshot[0].as<std::string>());
    REQUIRE(decoded);
    CHECK(*decoded == batch.readings[0].snapshot);
    const auto detail = tx.exec_params1(
        "SELECT detail FROM events WHERE tenant_id = $1::uuid AND event_id = $2::uuid", tenant,
        batch.events[0].event_id);
    CHECK(detail[0].as<std::string>() == batch.events[0].detail);
}

TEST_CASE("the same batch twice is a duplicate and changes nothing", "[cloud][ingest]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-1");
    const auto batch = fresh_batch("branch-1");
    REQUIRE(counts_of(s.ingest(key, batch)).status == "stored");
    const auto before = s.count_all_data();

    const auto again = counts_of(s.ingest(key, batch));
    CHECK(again.status == "duplicate");
    CHECK(again.stored == 0);
    CHECK(again.duplicate == 3);
    CHECK(again.events_stored == 0);
    CHECK(again.events_duplicate == 2);
    CHECK(s.count_all_data() == before);
    CHECK(s.count("readings", tenant) == 3);

    // Also without gzip: the encoding does not matter to idempotency.
    CHECK(counts_of(s.ingest(key, proto::to_json(batch), false)).status == "duplicate");
    CHECK(s.count_all_data() == before);
}

TEST_CASE("readings already stored in another batch are acknowledged, not stored again",
          "[cloud][ingest]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-1");
    const auto batch = fresh_batch("branch-1");
    REQUIRE(counts_of(s.ingest(key, batch)).stored == 3);

    // A retry after a split: new batch id, same readings plus one new reading.
    auto next = rebatched(batch);
    auto extra = big_batch("branch-1", 1).readings.front();
    next.readings.push_back(extra);
    const auto c = counts_of(s.ingest(key, next));
    CHECK(c.status == "stored");
    CHECK(c.stored == 1);
    CHECK(c.duplicate == 3);
    CHECK(c.events_stored == 0);
    CHECK(c.events_duplicate == 2);
    CHECK(s.count("batches", tenant) == 2);
    CHECK(s.count("readings", tenant) == 4);
    CHECK(s.count("events", tenant) == 2);
}

TEST_CASE("two branch devices of one batch that are one printer become one device",
          "[cloud][ingest][identity]") {
    // A scanner that saw a printer at two addresses before it could read its serial has two
    // device ids for it; once both report the serial, one batch carries both.
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-a");
    auto batch = fresh_batch("branch-a");
    REQUIRE(batch.devices.size() == 2);
    auto& first = batch.devices[0];
    auto& second = batch.devices[1];
    second.identity = first.identity;
    first.address = "10.0.0.1";
    first.first_seen = "2026-01-01T00:00:00Z";
    first.last_seen = "2026-03-01T00:00:00Z";
    second.address = "10.0.0.2";
    second.first_seen = "2026-02-01T00:00:00Z";
    second.last_seen = "2026-04-01T00:00:00Z";
    const auto c = counts_of(s.ingest(key, batch));
    CHECK(c.status == "stored");
    CHECK(c.stored == static_cast<long long>(batch.readings.size()));
    CHECK(s.count("devices", tenant) == 1);
    CHECK(s.count("scanner_devices", tenant) == 2);
    // The most recently seen one describes it; first_seen is the earliest of both.
    CHECK(s.query_value("SELECT last_address || ' ' || first_seen::date || ' ' || last_seen::date "
                        "FROM devices WHERE tenant_id = $1::uuid",
                        tenant) == "10.0.0.2 2026-01-01 2026-04-01");
    CHECK(device_of_reading(s, batch.readings[0].reading_id) ==
          device_of_reading(s, batch.readings[1].reading_id));
}

TEST_CASE("one physical device seen by two scanners and at a new address is one device",
          "[cloud][ingest][identity]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key_a = s.create_scanner(tenant, "branch-a");
    const auto key_b = s.create_scanner(tenant, "branch-b");

    auto a = fresh_batch("branch-a");
    REQUIRE(counts_of(s.ingest(key_a, a)).stored == 3);
    REQUIRE(s.count("devices", tenant) == 2);

    // Scanner B knows the same printers under its own device ids, at other addresses.
    auto b = fresh_batch("branch-b");
    const std::map<std::string, std::string> renamed = {
        {a.devices[0].device_id, "aaaaaaaa-0000-4000-8000-000000000001"},
        {a.devices[1].device_id, "aaaaaaaa-0000-4000-8000-000000000002"}};
    for (auto& d : b.devices) {
        d.device_id = renamed.at(d.device_id);
        d.address = "192.168.77." + d.device_id.substr(35);
        if (d.identity.vendor == "Ricoh") d.identity.vendor = "RICOH";  // case differs by firmware
        d.last_seen = "2026-11-25T08:00:00Z";
    }
    for (auto& r : b.readings) r.device_id = renamed.at(r.device_id);
    for (auto& e : b.events) e.device_id = renamed.at(e.device_id);
    REQUIRE(counts_of(s.ingest(key_b, b)).stored == 3);

    CHECK(s.count("devices", tenant) == 2);
    CHECK(s.count("scanner_devices", tenant) == 4);
    CHECK(device_of_reading(s, a.readings[0].reading_id) ==
          device_of_reading(s, b.readings[0].reading_id));
    CHECK(s.query_value("SELECT last_address || ' ' || last_scanner_id FROM devices "
                        "WHERE identity_key = $1",
                        "serial:ricoh:3101R810456") == "192.168.77.1 branch-b");

    // An older batch (an offline file imported late) does not move the address back.
    auto old = fresh_batch("branch-a");
    old.devices[0].address = "10.0.0.99";
    old.devices[0].last_seen = "2026-01-01T00:00:00Z";
    old.devices[0].first_seen = "2025-12-01T00:00:00Z";
    REQUIRE(counts_of(s.ingest(key_a, old)).stored == 3);
    CHECK(s.count("devices", tenant) == 2);
    CHECK(s.query_value("SELECT last_address || ' ' || first_seen::date FROM devices "
                        "WHERE identity_key = $1",
                        "serial:ricoh:3101R810456") == "192.168.77.1 2025-12-01");

    // Without a serial the MAC identifies; without either, each scanner's device stays its own.
    auto mac_only = fresh_batch("branch-a");
    mac_only.devices[0].identity.serial.clear();
    mac_only.devices[0].device_id = "bbbbbbbb-0000-4000-8000-000000000001";
    for (auto& r : mac_only.readings) {
        if (r.device_id == a.devices[0].device_id) r.device_id = mac_only.devices[0].device_id;
    }
    for (auto& e : mac_only.events) {
        if (e.device_id == a.devices[0].device_id) e.device_id = mac_only.devices[0].device_id;
    }
    REQUIRE(counts_of(s.ingest(key_a, mac_only)).stored == 3);
    CHECK(s.count("devices", tenant) == 3);  // "mac:..." is a new identity key
    auto anonymous = mac_only;
    anonymous.batch_id = "cccccccc-0000-4000-8000-000000000001";
    anonymous.devices[0].identity.mac.clear();
    for (auto& r : anonymous.readings) r.reading_id = proto::new_uuid();
    for (auto& e : anonymous.events) e.event_id = proto::new_uuid();
    REQUIRE(counts_of(s.ingest(key_a, anonymous)).stored == 3);
    CHECK(s.count("devices", tenant) == 4);
    CHECK(s.query_value("SELECT count(*)::text FROM devices WHERE identity_key = $1",
                        "scanner:branch-a:bbbbbbbb-0000-4000-8000-000000000001") == "1");
}

// Issue 14 item 7: a second scanner of the tenant sent last_seen = 2099 and so owned the
// device's location, address and scanner (site) for good; the real scanner could not move them
// back. A device cannot have been seen after the cloud received the batch: last_seen is clamped
// to the cloud's time.
TEST_CASE("a far-future last_seen does not take a device over", "[cloud][ingest][identity]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key_a = s.create_scanner(tenant, "branch-a");
    const auto key_b = s.create_scanner(tenant, "branch-b");
    const auto now = [] { return std::chrono::system_clock::now(); };
    const auto at = [](std::chrono::system_clock::time_point t) {
        return proto::format_rfc3339(t, proto::TimePrecision::milliseconds);
    };
    const std::string ricoh = "serial:ricoh:3101R810456";
    const auto where = [&] {
        return s
            .query_value(
                "SELECT location || ' ' || last_scanner_id || ' ' || (last_seen <= now())::text "
                "FROM devices WHERE identity_key = $1",
                ricoh)
            .value_or("(none)");
    };

    auto a = fresh_batch("branch-a");
    a.devices[0].location = "Room 1";
    a.devices[0].last_seen = at(now() - std::chrono::minutes(2));
    REQUIRE(counts_of(s.ingest(key_a, a)).stored == 3);
    REQUIRE(where() == "Room 1 branch-a true");

    auto b = fresh_batch("branch-b");
    for (auto& d : b.devices) {
        d.device_id = "dddddddd-0000-4000-8000-00000000000" + d.device_id.substr(35);
        d.location = "Hijacked";
        d.last_seen = "2099-01-01T00:00:00Z";
    }
    for (auto& r : b.readings)
        r.device_id = "dddddddd-0000-4000-8000-00000000000" + r.device_id.substr(35);
    for (auto& e : b.events)
        e.device_id = "dddddddd-0000-4000-8000-00000000000" + e.device_id.substr(35);
    REQUIRE(counts_of(s.ingest(key_b, b)).stored == 3);
    // B did see it last, but not in 2099.
    CHECK(where() == "Hijacked branch-b true");

    // The real scanner's next batch (its clock a second ahead) describes the device again.
    auto a2 = fresh_batch("branch-a");
    a2.devices[0].location = "Room 2";
    a2.devices[0].last_seen = at(now() + std::chrono::seconds(1));
    REQUIRE(counts_of(s.ingest(key_a, a2)).stored == 3);
    CHECK(where() == "Room 2 branch-a true");
}

// Issue 14 item 13: two polls of a device within one second are two moments in the cloud too
// (the scanner sends polled_at to the millisecond).
TEST_CASE("polled_at keeps its milliseconds in the cloud", "[cloud][ingest]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-1");
    auto batch = fresh_batch("branch-1");
    const auto& device = batch.readings[0].device_id;
    std::vector<std::string> ids;
    int n = 0;
    for (auto& r : batch.readings) {
        if (r.device_id != device) continue;
        r.snapshot.polled_at = n == 0 ? "2026-11-24T13:00:00.250Z" : "2026-11-24T13:00:00.750Z";
        ids.push_back(r.reading_id);
        ++n;
    }
    REQUIRE(ids.size() == 2);
    REQUIRE(counts_of(s.ingest(key, batch)).stored == 3);
    const auto at = [&](const std::string& id) {
        return s.query_value(
            "SELECT to_char(polled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
            "FROM readings WHERE reading_id = $1::uuid",
            id);
    };
    CHECK(at(ids[0]) == "2026-11-24T13:00:00.250Z");
    CHECK(at(ids[1]) == "2026-11-24T13:00:00.750Z");
}

TEST_CASE("tenants are isolated: same scanner ids and reading ids, separate rows",
          "[cloud][ingest][tenancy]") {
    CloudServer s;
    const auto tenant_a = s.create_tenant("A");
    const auto tenant_b = s.create_tenant("B");
    const auto key_a = s.create_scanner(tenant_a, "branch-1");
    const auto key_b = s.create_scanner(tenant_b, "branch-1");
    const auto batch = fresh_batch("branch-1");

    REQUIRE(counts_of(s.ingest(key_a, batch)).status == "stored");
    const auto a_rows = s.count("readings", tenant_a);
    // Tenant B sending the very same document stores it for B; A's rows do not dedupe it.
    const auto b = counts_of(s.ingest(key_b, batch));
    CHECK(b.status == "stored");
    CHECK(b.stored == 3);
    CHECK(s.count("readings", tenant_a) == a_rows);
    CHECK(s.count("readings", tenant_b) == 3);
    CHECK(s.count("devices", tenant_b) == 2);
    CHECK(s.count("devices") == 4);

    // B's secret presented with A's tenant id is not A's key (lookup leads with tenant_id).
    const auto forged = "pmk." + tenant_a + key_b.substr(4 + 36);
    REQUIRE(cloud::auth::parse_key(forged));
    const auto before = s.count_all_data();
    const auto r = s.ingest(forged, fresh_batch("branch-1"));
    CHECK(r.status == 401);
    CHECK(s.count_all_data() == before);
}

TEST_CASE("concurrent deliveries of one batch store it once", "[cloud][ingest][concurrency]") {
    CloudServer s(ServerSettings{4, std::chrono::milliseconds(5000), {}});
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-1");
    const auto batch = big_batch("branch-1", 200);
    const std::string body = proto::to_json(batch);

    std::atomic<int> stored{0};
    std::atomic<int> duplicate{0};
    std::atomic<long long> readings_stored{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            const auto r = s.ingest(key, body);
            if (r.status != 200) return;
            if (status_of(r.body) == "stored") ++stored;
            if (status_of(r.body) == "duplicate") ++duplicate;
            readings_stored += field(r.body, "readings_stored");
        });
    }
    for (auto& t : threads) t.join();
    CHECK(stored == 1);
    CHECK(duplicate == 3);
    CHECK(readings_stored == 200);
    CHECK(s.count("readings", tenant) == 200);
    CHECK(s.count("batches", tenant) == 1);
}

TEST_CASE("an exhausted database pool answers 503 with Retry-After and stores nothing",
          "[cloud][ingest][overload]") {
    CloudServer s(ServerSettings{1, std::chrono::milliseconds(100), {}});
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-1");
    const auto batch = fresh_batch("branch-1");
    {
        auto held = s.app().pool().acquire();  // the only connection
        const auto r = s.ingest(key, batch);
        CHECK(r.status == 503);
        CHECK(r.headers.count("Retry-After") == 1);
        if (r.headers.count("Retry-After") == 1) CHECK(r.headers.at("Retry-After") == "2");
        CHECK(r.body.find("\"overloaded\"") != std::string::npos);
    }
    CHECK(s.count_all_data() == 0);
    // Once the connection is free the retry succeeds.
    CHECK(counts_of(s.ingest(key, batch)).status == "stored");
}

TEST_CASE("health check needs no credential", "[cloud][ingest]") {
    CloudServer s;
    const auto r = s.client().get(s.url("/healthz"));
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == R"({"status":"ok"})");
}

TEST_CASE("a scanner revokes its own key (the branch UI's deactivate)", "[cloud][ingest]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-1");
    const auto other = s.create_scanner(tenant, "branch-2");
    REQUIRE(counts_of(s.ingest(key, fresh_batch("branch-1"))).status == "stored");

    auto revoked = s.client().post(s.url("/api/v1/scanners/self/revoke"), "",
                                   {{"Authorization", "Bearer " + key}});
    REQUIRE(revoked);
    CHECK(revoked->status == 204);
    // The key no longer ingests; the data stays; the other scanner is untouched.
    CHECK(s.ingest(key, fresh_batch("branch-1")).status == 403);
    CHECK(s.count("readings", tenant) == 3);
    CHECK(counts_of(s.ingest(other, fresh_batch("branch-2"))).status == "stored");
    // The account's audit log says which scanner did it (the console's admins see it there).
    CHECK(s.query_value("SELECT actor_kind || ' ' || actor_id || ' ' || action || ' ' || target_id "
                        "FROM audit_log WHERE tenant_id = $1::uuid",
                        tenant) == "scanner branch-1 scanner_revoked_itself branch-1");
    // Revoking again with the revoked key is refused as revoked; no key at all is 401.
    auto again = s.client().post(s.url("/api/v1/scanners/self/revoke"), "",
                                 {{"Authorization", "Bearer " + key}});
    REQUIRE(again);
    CHECK(again->status == 403);
    auto anonymous = s.client().post(s.url("/api/v1/scanners/self/revoke"), "");
    REQUIRE(anonymous);
    CHECK(anonymous->status == 401);
    CHECK(s.query_value("SELECT count(*) FROM audit_log WHERE tenant_id = $1::uuid", tenant) ==
          "1");  // the refusals wrote nothing
}
