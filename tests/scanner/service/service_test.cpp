// The service in process against real peers: a private snmpsim over the synthetic printers and
// a database of the "pg" fixture. Waits are bounded polls of the database (real SNMP traffic);
// schedule decisions that must NOT happen are checked with a ManualClock.
#include <catch2/catch.hpp>

#include <set>

#include "pg.hpp"
#include "polling/service.hpp"
#include "printmon/common/clock.hpp"
#include "printmon/common/logging.hpp"
#include "service_support.hpp"
#include "storage/store.hpp"

using namespace std::chrono_literals;
using namespace printmon::test;
using printmon::scanner::ProfileSet;
using printmon::scanner::Service;
using printmon::scanner::ServiceOptions;
using printmon::scanner::storage::Store;

namespace {

ServiceOptions fast_options(const std::string& conninfo) {
    ServiceOptions o;
    o.conninfo = conninfo;
    o.tick = 50ms;
    o.device_refresh = 1s;
    o.snmp_timeout = 300ms;
    o.snmp_retries = 0;
    o.discovery_timeout = 300ms;
    o.shutdown_grace = 10s;
    o.reconnect_min = 100ms;
    o.reconnect_max = 1s;
    return o;
}

/// A migrated database with the given settings.
void prepare(const std::string& conninfo, const std::map<std::string, std::string>& settings) {
    Store store(conninfo);
    store.connect();
    store.migrate();
    for (const auto& [k, v] : settings) store.put_setting(k, v);
}

}  // namespace

TEST_CASE("discovery, scheduled polls, offline/online events and identity across an IP change",
          "[service]") {
    TempDatabase db;
    TempDir dir;
    const auto expected = recordings(printers_dir());
    REQUIRE(expected.size() == 4);
    auto sim = std::make_unique<LanSim>(dir.path / "sim-a", printers_dir(), "127.0.2.1");
    prepare(db.conninfo(), {{"polling_interval_s", "1"},
                            {"discovery_interval_s", "0"},
                            {"offline_after_failures", "1"},
                            {"discovery_port", std::to_string(sim->port)}});
    {
        Store store(db.conninfo());
        store.connect();
        store.add_range("127.0.2.0/27", false);
    }
    printmon::common::SystemClock clock;
    Service service(fast_options(db.conninfo()), clock, ProfileSet::embedded());
    service.start();
    REQUIRE(service.discover_now());

    // Every printer is found, then polled on its 1 s schedule with the recorded totals.
    REQUIRE(wait_until([&] {
        return query_count(db.conninfo(),
                           "SELECT count(*) FROM (SELECT device_id FROM readings GROUP BY "
                           "device_id HAVING count(*) >= 3) d") == 4;
    }));
    CHECK(service.discovery_progress().runs_completed == 1);
    CHECK(service.discovery_progress().printers_found == 4);
    CHECK(service.discovery_progress().hosts_total == 30);
    const auto ids = query_map(db.conninfo(), "SELECT serial, device_id FROM devices");
    REQUIRE(ids.size() == 4);
    const auto totals = query_map(
        db.conninfo(),
        "SELECT d.serial || '/' || r.total, count(*) FROM readings r JOIN devices d USING "
        "(device_id) GROUP BY 1");
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CAPTURE(expected[i].file);
        CHECK(totals.count(expected[i].serial + "/" + std::to_string(expected[i].total)) == 1);
        CHECK(query_map(db.conninfo(), "SELECT serial, address FROM devices")
                  .at(expected[i].serial) == sim->addresses[i]);
    }
    // Scheduled polls come about a second apart, not in a burst.
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM (SELECT polled_at - lag(polled_at) OVER (PARTITION "
                      "BY device_id ORDER BY polled_at) AS gap FROM readings) g "
                      "WHERE gap < interval '700 milliseconds'") == 0);
    CHECK(query_count(db.conninfo(), "SELECT count(*) FROM devices WHERE credential_id IS NULL") ==
          0);

    // The printers go silent: each goes offline, once.
    sim->stop();
    REQUIRE(wait_until([&] {
        return query_count(db.conninfo(),
                           "SELECT count(*) FROM devices WHERE status = 'offline'") == 4;
    }));
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM events WHERE kind = 'device_status' AND "
                      "action = 'appeared'") == 4);

    // They come back on other addresses (DHCP), in another order.
    const auto shuffled = dir.path / "shuffled";
    std::filesystem::create_directories(shuffled);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        std::filesystem::copy_file(printers_dir() / expected[i].file,
                                   shuffled / (std::to_string(9 - i) + "-" + expected[i].file));
    }
    const auto moved = recordings(shuffled);
    sim = std::make_unique<LanSim>(dir.path / "sim-b", shuffled, "127.0.2.11");
    prepare(db.conninfo(), {{"discovery_port", std::to_string(sim->port)}});
    service.reload_settings();
    REQUIRE(wait_until([&] { return service.discover_now(); }, 5s));
    REQUIRE(wait_until([&] {
        return query_count(db.conninfo(),
                           "SELECT count(*) FROM devices WHERE status = 'online' AND address "
                           "LIKE '127.0.2.1_'") == 4;
    }));
    // Same devices (ids by serial), new addresses, each back online once.
    CHECK(query_map(db.conninfo(), "SELECT serial, device_id FROM devices") == ids);
    const auto addresses = query_map(db.conninfo(), "SELECT serial, address FROM devices");
    for (std::size_t i = 0; i < moved.size(); ++i) {
        CHECK(addresses.at(moved[i].serial) == sim->addresses[i]);
    }
    REQUIRE(wait_until([&] {
        return query_count(db.conninfo(),
                           "SELECT count(*) FROM events WHERE kind = 'device_status' AND "
                           "action = 'cleared'") == 4;
    }));
    CHECK(service.stop());
    const auto stats = service.stats();
    CHECK(stats.results_dropped == 0);
    CHECK(static_cast<long long>(stats.readings_written) ==
          query_count(db.conninfo(), "SELECT count(*) FROM readings"));
}

TEST_CASE("manual devices are polled on the clock; disabled and deleted ones never", "[service]") {
    TempDatabase db;
    TempDir dir;
    LanSim sim(dir.path / "sim", printers_dir(), "127.0.2.41");
    prepare(db.conninfo(), {{"polling_interval_s", "60"}, {"discovery_interval_s", "0"}});
    printmon::common::ManualClock clock(std::chrono::system_clock::now());
    std::string manual;
    std::string disabled;
    std::string deleted;
    {
        Store store(db.conninfo());
        store.connect();
        manual = store.add_manual_device(sim.addresses[0], sim.port, std::nullopt, std::nullopt,
                                         clock.now());
        disabled = store.add_manual_device(sim.addresses[1], sim.port, std::nullopt, std::nullopt,
                                           clock.now());
        deleted = store.add_manual_device(sim.addresses[2], sim.port, std::nullopt, std::nullopt,
                                          clock.now());
        store.set_device_enabled(disabled, false);
        store.delete_device(deleted);
    }
    const auto readings_of = [&](const std::string& id) {
        pqxx::connection c(db.conninfo());
        pqxx::work tx(c);
        return tx.exec_params("SELECT count(*) FROM readings WHERE device_id = $1", id)[0][0]
            .as<long long>();
    };
    Service service(fast_options(db.conninfo()), clock, ProfileSet::embedded());
    service.start();
    // Never polled: due at once. Then exactly one poll per 60 s of the (manual) clock.
    REQUIRE(wait_until([&] { return readings_of(manual) == 1; }));
    for (long long n = 2; n <= 3; ++n) {
        clock.advance(30s);
        std::this_thread::sleep_for(300ms);  // several ticks: nothing is due yet
        CHECK(readings_of(manual) == n - 1);
        clock.advance(30s);
        REQUIRE(wait_until([&] { return readings_of(manual) == n; }));
    }
    // poll_now does not wait for the clock.
    service.poll_now(manual);
    REQUIRE(wait_until([&] { return readings_of(manual) == 4; }));
    CHECK(service.stop());

    CHECK(readings_of(disabled) == 0);
    CHECK(readings_of(deleted) == 0);
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM devices WHERE last_polled_at IS NOT NULL") == 1);
    // The manual device took the identity and the credential set it answered with.
    const auto serials = query_map(db.conninfo(), "SELECT device_id, serial FROM devices");
    CHECK(serials.at(manual) == recordings(printers_dir())[0].serial);
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM devices d JOIN credentials c USING (credential_id) "
                      "WHERE c.name = 'public'") == 1);
    CHECK(query_count(db.conninfo(), "SELECT count(*) FROM devices") == 3);
}

TEST_CASE("the service prunes on its DB thread and reports the pass", "[service][retention]") {
    TempDatabase db;
    prepare(db.conninfo(), {{"polling_interval_s", "300"}, {"discovery_interval_s", "0"}});
    {
        // A device with 20 sent readings 40 days old (one UTC day), and 3 unsent ones older.
        printmon::db::Connection conn(db.conninfo());
        pqxx::work tx(conn.raw());
        tx.exec(
            "INSERT INTO devices (device_id, address, enabled) VALUES "
            "('3e0f5c1a-7d42-4b8e-a1c9-5f6e7d8c9b0a', '127.0.0.9', false)");
        tx.exec(
            "INSERT INTO readings (reading_id, device_id, polled_at, snapshot, sent_at) "
            "SELECT gen_random_uuid(), '3e0f5c1a-7d42-4b8e-a1c9-5f6e7d8c9b0a', t, '{}', "
            "CASE WHEN i <= 20 THEN t END FROM generate_series(1, 23) i, LATERAL (SELECT "
            "date_trunc('day', now() - CASE WHEN i <= 20 THEN interval '40 days' "
            "ELSE interval '50 days' END) + i * interval '1 minute' AS t) s");
        tx.commit();
    }
    printmon::common::SystemClock clock;
    auto options = fast_options(db.conninfo());
    options.retention.batch_size = 7;  // several statements, results written in between
    Service service(options, clock, ProfileSet::embedded());
    service.start();
    CHECK(service.retention_status().passes == 0);
    CHECK_FALSE(service.retention_status().last_finished.has_value());
    service.prune_now();
    REQUIRE(wait_until([&] { return service.retention_status().passes == 1; }));
    const auto status = service.retention_status();
    CHECK(status.policy.raw_age == options.retention.raw_age);
    CHECK_FALSE(status.running);
    CHECK(status.last_error.empty());
    CHECK(status.last.readings_deleted == 19);
    CHECK(status.last.readings_kept_daily == 1);
    CHECK(status.last.statements >= 4);
    CHECK(query_count(db.conninfo(), "SELECT count(*) FROM readings WHERE sent_at IS NULL") == 3);
    CHECK(query_count(db.conninfo(), "SELECT count(*) FROM readings WHERE daily") == 1);
    CHECK(service.stop());
}
