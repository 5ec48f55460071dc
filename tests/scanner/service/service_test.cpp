// The service in process against real peers: a private snmpsim over the synthetic printers and
// a database of the "pg" fixture. Waits are bounded polls of the database (real SNMP traffic);
// schedule decisions that must NOT happen are checked with a ManualClock.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

#include <pqxx/pqxx>

#include "pg.hpp"
#include "polling/service.hpp"
#include "printmon/common/clock.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/proto/time.hpp"
#include "service_support.hpp"
#include "sim.hpp"
#include "snmp/redact.hpp"
#include "snmp/snmprec.hpp"
#include "storage/store.hpp"

using namespace std::chrono_literals;
using namespace printmon::test;
using printmon::scanner::ProfileSet;
using printmon::scanner::Service;
using printmon::scanner::ServiceOptions;
using printmon::scanner::storage::Store;

namespace {

ServiceOptions fast_options(const std::string& conninfo, const std::filesystem::path& dir) {
    ServiceOptions o;
    o.conninfo = conninfo;
    o.secret_key_file = (dir / "secret.key").string();
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
    Service service(fast_options(db.conninfo(), dir.path), clock, ProfileSet::embedded());
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
        "(device_id) WHERE r.total IS NOT NULL GROUP BY 1");  // a poll cut by a timeout has none
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CAPTURE(expected[i].file);
        CHECK(totals.count(expected[i].serial + "/" + std::to_string(expected[i].total)) == 1);
        CHECK(query_map(db.conninfo(), "SELECT serial, address FROM devices")
                  .at(expected[i].serial) == sim->addresses[i]);
    }
    // Scheduled polls come about a second apart, not in a burst (back to back, a few ms
    // apart). polled_at is when a poll completed, so a slow poll followed by a quick one
    // (a loaded machine) legitimately sits a few hundred ms closer than the schedule.
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM (SELECT polled_at - lag(polled_at) OVER (PARTITION "
                      "BY device_id ORDER BY polled_at) AS gap FROM readings) g "
                      "WHERE gap < interval '300 milliseconds'") == 0);
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
    Service service(fast_options(db.conninfo(), dir.path), clock, ProfileSet::embedded());
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

    // A support capture: the whole MIB with the device's own credential set, redacted as
    // `printmon-scanner walk` writes it (the recording, less what snmp::redact removes).
    using printmon::scanner::SupportCapture;
    CHECK(service.capture_status(manual).state == SupportCapture::State::none);
    REQUIRE(service.capture(manual));
    REQUIRE(wait_until(
        [&] { return service.capture_status(manual).state != SupportCapture::State::running; }));
    const auto capture = service.capture_status(manual);
    REQUIRE(capture.state == SupportCapture::State::done);
    CHECK(capture.address == sim.addresses[0]);
    CHECK(capture.finished_at.size() == 20);  // 2026-01-01T00:00:00Z
    const auto recorded = printmon::scanner::snmp::parse_snmprec(capture.snmprec);
    REQUIRE(recorded);
    auto original = printmon::scanner::snmp::read_snmprec_file(
        (printers_dir() / recordings(printers_dir())[0].file).string());
    REQUIRE(original);
    printmon::scanner::snmp::RedactReport report;
    CHECK(*recorded == printmon::scanner::snmp::redact(*original, {"public"}, report));
    CHECK(capture.values == recorded->size());
    // Not pollable: the capture ends failed, with the reason.
    REQUIRE(service.capture(disabled));
    REQUIRE(wait_until(
        [&] { return service.capture_status(disabled).state == SupportCapture::State::failed; }));
    CHECK(service.capture_status(disabled).error.find("not a pollable device") !=
          std::string::npos);
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

namespace {

std::shared_ptr<printmon::scanner::storage::SecretKeyHolder> key_file(const TempDir& dir) {
    // The file the service opens at start (fast_options): made first so the test can add sets.
    const auto path = dir.path / "secret.key";
    return std::make_shared<printmon::scanner::storage::SecretKeyHolder>(
        path, printmon::scanner::storage::SecretKey::load_or_create(path));
}

printmon::scanner::snmp::Credentials community(const std::string& c) {
    printmon::scanner::snmp::Credentials out;
    out.community = c;
    return out;
}

}  // namespace

TEST_CASE("discovery ranges try their own credential sets; the smallest range wins", "[service]") {
    TempDatabase db;
    TempDir dir;
    LanSim sim(dir.path / "sim", printers_dir(), "127.0.2.61");  // .61 .62 .63 .64
    prepare(db.conninfo(), {{"polling_interval_s", "60"},
                            {"discovery_interval_s", "0"},
                            {"discovery_port", std::to_string(sim.port)}});
    {
        Store store(db.conninfo(), key_file(dir));
        store.connect();
        {
            pqxx::work tx(store.connection().raw());
            tx.exec("DELETE FROM credentials");
            tx.commit();
        }
        const auto wrong = store.add_credential("wrong", 0, community("nope"));
        store.add_credential("public-1", 1, community("public"));
        const auto second = store.add_credential("public-2", 2, community("public"));
        // The global sets (wrong, public-1) for the whole block; .61-.62 name only public-2;
        // .63 names only a set the printers refuse, so it must stay undiscovered although the
        // global sets would find it.
        store.add_range("127.0.2.60-127.0.2.70", false);
        store.add_range("127.0.2.61-127.0.2.62", false, {second});
        store.add_range("127.0.2.63", false, {wrong});
        // A name that does not resolve cannot be asked: counted, with the system's reason.
        store.add_range("printer-7.invalid", false);
    }
    printmon::common::SystemClock clock;
    Service service(fast_options(db.conninfo(), dir.path), clock, ProfileSet::embedded());
    service.start();
    REQUIRE(service.discover_now());
    REQUIRE(wait_until([&] {
        return service.discovery_progress().runs_completed == 1 &&
               query_count(db.conninfo(),
                           "SELECT count(*) FROM devices WHERE last_reading_id IS NOT NULL") == 3;
    }));
    CHECK(service.discovery_progress().hosts_total == 12);
    CHECK(service.discovery_progress().printers_found == 3);
    CHECK(service.discovery_progress().hosts_unasked == 1);
    CHECK(!service.discovery_progress().unasked_reason.empty());
    CHECK(service.discovery_progress().error_code.empty());
    const auto used = query_map(db.conninfo(),
                                "SELECT d.address, c.name FROM devices d JOIN credentials c "
                                "USING (credential_id)");
    CHECK(used == std::map<std::string, std::string>{{sim.addresses[0], "public-2"},
                                                     {sim.addresses[1], "public-2"},
                                                     {sim.addresses[3], "public-1"}});
    CHECK(service.stop());
}

TEST_CASE("an SNMPv3 set with a context name: found and polled in that context; secrets sealed",
          "[service]") {
    TempDatabase db;
    TempDir dir;
    const auto data = dir.path / "data";
    std::filesystem::create_directories(data / "mfp");
    const auto expected = recordings(printers_dir());
    const auto hp = std::find_if(expected.begin(), expected.end(),
                                 [](const Recording& r) { return r.file == "hp-m477.snmprec"; });
    REQUIRE(hp != expected.end());
    std::filesystem::copy_file(printers_dir() / hp->file, data / "mfp" / hp->file);
    // snmpsim's default mode: the SNMPv3 context name is the recording's path.
    const Sim sim(dir.path / "sim", data, "127.0.2.81");
    const auto port = std::to_string(sim.port);
    prepare(db.conninfo(),
            {{"polling_interval_s", "1"}, {"discovery_interval_s", "0"}, {"discovery_port", port}});
    std::string with_context;
    {
        Store store(db.conninfo(), key_file(dir));
        store.connect();
        printmon::scanner::snmp::Credentials v3;
        v3.version = printmon::scanner::snmp::Version::v3;
        v3.user = "simulator";
        v3.auth_protocol = "MD5";
        v3.auth_password = "auctoritas";
        v3.priv_protocol = "DES";
        v3.priv_password = "privatus";
        store.add_credential("v3 default context", 1, v3);
        v3.context = "mfp/hp-m477";
        with_context = store.add_credential("v3 printer context", 2, v3);
        store.add_range("127.0.2.81", false);
    }
    printmon::common::SystemClock clock;
    Service service(fast_options(db.conninfo(), dir.path), clock, ProfileSet::embedded());
    service.start();
    // The seed "public" row was plain text; the service sealed it at start.
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM credentials WHERE secret_scheme <> 'aes-256-gcm'") ==
          0);
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM credentials WHERE credentials::text LIKE "
                      "'%auctoritas%' OR credentials::text LIKE '%privatus%' OR "
                      "community = 'public'") == 0);
    REQUIRE(service.discover_now());
    // Found with the set naming the context, then polled on schedule with it (which only
    // answers in that context).
    REQUIRE(wait_until(
        [&] { return query_count(db.conninfo(), "SELECT count(*) FROM readings") >= 3; }));
    const auto devices = query_map(db.conninfo(), "SELECT serial, credential_id FROM devices");
    REQUIRE(devices.size() == 1);
    CHECK(devices.begin()->first == hp->serial);
    CHECK(devices.begin()->second == with_context);
    CHECK(query_count(db.conninfo(), "SELECT count(*) FROM devices WHERE status <> 'online'") == 0);
    CHECK(service.stop());
}

// Old print servers answer SNMPv1 only and drop a v2c message unanswered (RFC 3584): the
// default "public" set (v2c) found nothing there. Discovery asks over v1 too; the device keeps
// its set and is polled over v1 (devices.snmp_version), with the set's community.
TEST_CASE("an SNMPv1-only printer is found with the default v2c set and polled over v1",
          "[service]") {
    TempDatabase db;
    TempDir dir;
    // An HP LaserJet 1320 behind a JetDirect of 2005, community "public".
    const auto data = std::filesystem::path(source_dir()) / "tests/data/snmprec/v1only";
    const Sim sim(dir.path / "sim", data, "127.0.2.85");
    const BadAgent v1_only("v1only", dir.path, sim.host + ":" + std::to_string(sim.port));
    prepare(db.conninfo(), {{"polling_interval_s", "1"},
                            {"discovery_interval_s", "0"},
                            {"discovery_port", std::to_string(v1_only.port)}});
    {
        Store store(db.conninfo(), key_file(dir));
        store.connect();
        store.add_range("127.0.0.1", false);
    }
    printmon::common::SystemClock clock;
    Service service(fast_options(db.conninfo(), dir.path), clock, ProfileSet::embedded());
    service.start();
    REQUIRE(service.discover_now());
    // Found, then polled on schedule: repeat polls too go over v1 (v2c would get no answer).
    REQUIRE(wait_until(
        [&] { return query_count(db.conninfo(), "SELECT count(*) FROM readings") >= 3; }));
    const auto devices =
        query_map(db.conninfo(),
                  "SELECT serial, coalesce(snmp_version, 'own') || ' ' || status || ' ' || "
                  "(credential_id = (SELECT credential_id FROM credentials "
                  "WHERE name = 'public'))::text FROM devices");
    REQUIRE(devices.size() == 1);
    CHECK(devices.begin()->first == "CNHW6BX0YZ");
    CHECK(devices.begin()->second == "1 online true");
    // Found over v1 only, so read as an agent without SNMPv2c (fetch's v1_only_agent): the
    // other vendors' private objects past the end of its MIB are settled at once, and a full
    // read stays within the 12 requests (24 before, one per such object).
    const auto stats = service.stats();
    REQUIRE(stats.full_reads >= 1);
    CHECK(stats.full_read_requests <= 12 * stats.full_reads);
    CHECK(service.stop());
}

// Issue 14 item 13: the snapshot's polled_at was the poll's start cut to whole seconds (the
// branch column kept milliseconds), so two polls of a device within one second looked like one
// moment in the cloud. It is now when the poll completed, to the millisecond, in both places.
TEST_CASE("polled_at keeps milliseconds: two polls within one second stay distinct", "[service]") {
    TempDatabase db;
    TempDir dir;
    LanSim sim(dir.path / "sim", printers_dir(), "127.0.2.45");
    prepare(db.conninfo(), {{"polling_interval_s", "3600"}, {"discovery_interval_s", "0"}});
    const auto second = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    printmon::common::ManualClock clock(second + 250ms);
    std::string device;
    {
        Store store(db.conninfo());
        store.connect();
        device = store.add_manual_device(sim.addresses[0], sim.port, std::nullopt, std::nullopt,
                                         clock.now());
    }
    const auto readings = [&] {
        return query_count(db.conninfo(), "SELECT count(*) FROM readings");
    };
    Service service(fast_options(db.conninfo(), dir.path), clock, ProfileSet::embedded());
    service.start();
    REQUIRE(wait_until([&] { return readings() == 1; }));
    clock.advance(500ms);
    service.poll_now(device);
    REQUIRE(wait_until([&] { return readings() == 2; }));
    CHECK(service.stop());

    const auto at = [](std::chrono::system_clock::time_point t) {
        return printmon::proto::format_rfc3339(t, printmon::proto::TimePrecision::milliseconds);
    };
    // snapshot polled_at -> the column, as text of the same format.
    const auto stored =
        query_map(db.conninfo(),
                  "SELECT snapshot->>'polled_at', "
                  "to_char(polled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
                  "FROM readings");
    REQUIRE(stored.size() == 2);
    CHECK(stored.count(at(second + 250ms)) == 1);
    CHECK(stored.count(at(second + 750ms)) == 1);
    for (const auto& [snapshot, column] : stored) CHECK(snapshot == column);
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
    TempDir dir;
    auto options = fast_options(db.conninfo(), dir.path);
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

TEST_CASE(
    "the secrets key: a rotation killed before its key file was in place is finished at the "
    "next start; a replaced key file becomes the database's",
    "[service][secrets]") {
    namespace fs = std::filesystem;
    using printmon::scanner::storage::fixed_key;
    using printmon::scanner::storage::SecretKey;
    TempDatabase db;
    TempDir dir;
    prepare(db.conninfo(), {{"polling_interval_s", "60"}, {"discovery_interval_s", "0"}});
    const auto file = dir.path / "secret.key";
    const fs::path pending = file.string() + ".next";
    printmon::common::SystemClock clock;
    {
        Service first(fast_options(db.conninfo(), dir.path), clock, ProfileSet::embedded());
        first.start();  // makes the key, records it, seals the seed "public" set
        CHECK(first.stop());
    }
    fs::copy_file(file, dir.path / "saved.key");
    Store cli(db.conninfo());
    cli.connect();
    const auto rotated = cli.rotate_secret_key(file);
    REQUIRE(rotated.resealed == 1);
    // What a kill between the commit and the rename leaves: the database names the new key,
    // the key file is the old one, the new one waits in .next.
    fs::rename(file, pending);
    fs::copy_file(dir.path / "saved.key", file);
    {
        Service restarted(fast_options(db.conninfo(), dir.path), clock, ProfileSet::embedded());
        restarted.start();
        CHECK(restarted.secret_key()->current()->id() == rotated.key_id);
        CHECK(restarted.stop());
    }
    CHECK(SecretKey::load(file).id() == rotated.key_id);
    CHECK_FALSE(fs::exists(pending));
    CHECK(cli.registered_key_id() == rotated.key_id);
    Store reader(db.conninfo(), fixed_key(SecretKey::load(file)));
    reader.connect();
    CHECK(reader.load_credentials().size() == 1);

    // The key file lost and a new one made at the start: the record follows it (the sets
    // sealed with the lost key show as unreadable, as before), so new sets are readable.
    fs::remove(file);
    {
        Service replaced(fast_options(db.conninfo(), dir.path), clock, ProfileSet::embedded());
        replaced.start();
        CHECK(replaced.secret_key()->current()->id() != rotated.key_id);
        CHECK(cli.registered_key_id() == replaced.secret_key()->current()->id());
        CHECK(replaced.stop());
    }
}
