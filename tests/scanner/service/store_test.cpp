// The branch store against a migrated database: every statement runs at least once here
// (libpqxx 6.4 prepares lazily, so a broken statement would otherwise surface in production).
#include <catch2/catch.hpp>

#include <chrono>

#include <pqxx/pqxx>

#include "pg.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/uuid.hpp"
#include "storage/store.hpp"

using namespace std::chrono_literals;
using namespace printmon::scanner::storage;
using printmon::proto::DeviceSnapshot;
using printmon::test::TempDatabase;

namespace {

const auto kT0 = std::chrono::system_clock::time_point{} + 20000 * 24h;

DeviceSnapshot snap(std::string vendor, std::string serial, std::string mac, std::int64_t total,
                    std::vector<std::string> errors = {}) {
    DeviceSnapshot s;
    s.address = "ignored";
    s.polled_at = "2024-10-05T00:00:00Z";
    s.identity.vendor = std::move(vendor);
    s.identity.model = "Model";
    s.identity.serial = std::move(serial);
    s.identity.mac = std::move(mac);
    s.counters["total"] = total;
    s.status.errors = std::move(errors);
    return s;
}

PollResult answered(std::optional<std::string> device_id, std::string address, DeviceSnapshot s,
                    std::chrono::system_clock::time_point at = kT0) {
    PollResult r;
    r.result_id = printmon::proto::new_uuid();
    r.device_id = std::move(device_id);
    r.address = std::move(address);
    r.port = 1161;
    r.polled_at = at;
    r.snapshot = std::move(s);
    return r;
}

PollResult failed(std::string device_id, std::chrono::system_clock::time_point at = kT0) {
    PollResult r;
    r.result_id = printmon::proto::new_uuid();
    r.device_id = std::move(device_id);
    r.address = "10.0.0.1";
    r.polled_at = at;
    r.error = "timeout: no answer";
    return r;
}

long long count(Store& store, const std::string& sql) {
    pqxx::work tx(store.connection().raw());
    return tx.exec(sql)[0][0].as<long long>();
}

struct Fixture {
    TempDatabase db;
    Store store{db.conninfo(), fixed_key(SecretKey::from_bytes(std::string(32, 'k')))};
    Settings settings;
    Fixture() {
        store.connect();
        store.migrate();
        settings = store.load_settings();
    }
};

}  // namespace

TEST_CASE("migrations seed settings, a default credential and the uploader row", "[store]") {
    Fixture f;
    CHECK(f.settings.polling_interval == 300s);
    CHECK(f.settings.discovery_interval == 86400s);
    CHECK(f.settings.discovery_port == 161);
    CHECK(f.settings.offline_after_failures == 2);
    CHECK(printmon::proto::is_uuid(f.settings.scanner_id));
    CHECK(count(f.store, "SELECT count(*) FROM uploader_status") == 1);
    // Running again is a no-op and keeps the scanner id.
    CHECK(f.store.migrate().applied.empty());
    CHECK(f.store.load_settings().scanner_id == f.settings.scanner_id);

    f.store.put_setting("polling_interval_s", "42");
    f.store.put_setting("discovery_port", "1161");
    f.store.put_setting("cloud_url", "\"https://cloud.example\"");
    const auto s = f.store.load_settings();
    CHECK(s.polling_interval == 42s);
    CHECK(s.discovery_port == 1161);
    CHECK(s.cloud_url == "https://cloud.example");
}

TEST_CASE("credentials load in try order; ranges load with exclusions", "[store]") {
    Fixture f;
    printmon::scanner::snmp::Credentials v3;
    v3.version = printmon::scanner::snmp::Version::v3;
    v3.user = "admin";
    v3.auth_protocol = "SHA";
    v3.auth_password = "authsecret";
    v3.priv_protocol = "AES";
    v3.priv_password = "privsecret";
    v3.context = "Jetdirect";
    const auto first = f.store.add_credential("v3 first", -1, v3);
    const auto creds = f.store.load_credentials();
    REQUIRE(creds.size() == 2);
    CHECK(creds[0].credential_id == first);
    CHECK(creds[0].credentials == v3);
    CHECK(creds[1].name == "public");
    CHECK(creds[1].credentials.community == "public");

    f.store.add_range("10.0.0.0/24", false);
    f.store.add_range("10.0.0.9", true);
    const auto ranges = f.store.load_ranges();
    REQUIRE(ranges.size() == 2);
    CHECK(ranges[0].target == "10.0.0.0/24");
    CHECK_FALSE(ranges[0].exclude);
    CHECK(ranges[1].exclude);
}

TEST_CASE("a poll writes reading, device and events in one transaction and notifies", "[store]") {
    Fixture f;
    auto listener = f.db.connect();
    int notified = 0;
    class Receiver : public pqxx::notification_receiver {
      public:
        Receiver(pqxx::connection_base& c, int& n)
            : notification_receiver(c, "printmon_outbox"), n_(n) {}
        void operator()(const std::string&, int) override { ++n_; }

      private:
        int& n_;
    } receiver(listener.raw(), notified);

    const auto first =
        answered(std::nullopt, "10.0.0.5", snap("HP", "S1", "00:11:22:33:44:55", 1000));
    const auto out = f.store.record(first, f.settings);
    CHECK(out.kind == WriteOutcome::Kind::written);
    CHECK(out.created);
    CHECK(out.status == "online");
    const auto dev = f.store.device(out.device_id);
    REQUIRE(dev);
    CHECK(dev->address == "10.0.0.5");
    CHECK(dev->port == 1161);
    CHECK(dev->serial == "S1");
    CHECK(dev->status == "online");
    CHECK(count(f.store, "SELECT total FROM readings") == 1000);
    // The stored snapshot is the v1 document.
    {
        pqxx::work tx(f.store.connection().raw());
        const auto text = tx.exec("SELECT snapshot::text FROM readings")[0][0].as<std::string>();
        const auto parsed = printmon::proto::parse_snapshot(text);
        REQUIRE(parsed);
        CHECK(parsed->counters.at("total") == 1000);
    }
    listener->await_notification(5, 0);
    CHECK(notified >= 1);

    // Retrying the same result (commit not acknowledged) writes nothing twice.
    const auto again = f.store.record(first, f.settings);
    CHECK(again.kind == WriteOutcome::Kind::duplicate);
    CHECK(again.device_id == out.device_id);
    CHECK(count(f.store, "SELECT count(*) FROM readings") == 1);

    // A write failing half-way (the device update breaks a CHECK) leaves nothing behind.
    auto bad = answered(out.device_id, "10.0.0.5", snap("HP", "S1", "", 1001));
    bad.port = 0;
    CHECK_THROWS(f.store.record(bad, f.settings));
    CHECK(count(f.store, "SELECT count(*) FROM readings") == 1);
    CHECK(f.store.device(out.device_id)->port == 1161);
}

TEST_CASE("identity: address change keeps the id, a new printer at the address is new", "[store]") {
    Fixture f;
    const auto hp = f.store.record(
        answered(std::nullopt, "10.0.0.5", snap("HP", "S1", "00:11:22:33:44:55", 1)), f.settings);
    // DHCP gave the HP a new address: discovery finds it there.
    const auto moved = f.store.record(
        answered(std::nullopt, "10.0.0.9", snap("HP", "S1", "00:11:22:33:44:55", 2)), f.settings);
    CHECK(moved.device_id == hp.device_id);
    CHECK_FALSE(moved.created);
    CHECK(moved.address_changed);
    CHECK(f.store.device(hp.device_id)->address == "10.0.0.9");

    // A Ricoh now answers the HP's scheduled poll at .9: a new device; the HP loses .9.
    const auto ricoh = f.store.record(
        answered(hp.device_id, "10.0.0.9", snap("Ricoh", "R1", "00:aa:bb:cc:dd:ee", 5)),
        f.settings);
    CHECK(ricoh.created);
    CHECK(ricoh.device_id != hp.device_id);
    CHECK_FALSE(f.store.device(hp.device_id)->address.has_value());
    const auto targets = f.store.load_poll_targets(kT0 + 10s);
    REQUIRE(targets.size() == 1);
    CHECK(targets[0].device_id == ricoh.device_id);
    CHECK(targets[0].since_last_poll == 10s);

    // MAC decides when the serial could not be read.
    const auto by_mac = f.store.record(
        answered(std::nullopt, "10.0.0.20", snap("", "", "00:AA:BB:CC:DD:EE", 6)), f.settings);
    CHECK(by_mac.device_id == ricoh.device_id);
    CHECK(f.store.device(ricoh.device_id)->serial == "R1");  // not erased by the empty read
    CHECK(f.store.devices().size() == 2);
}

TEST_CASE("offline and online transitions, error codes appearing and clearing", "[store]") {
    Fixture f;
    const auto d = f.store.record(
        answered(std::nullopt, "10.0.0.5", snap("HP", "S1", "", 1, {"low_paper"})), f.settings);
    REQUIRE(d.events.size() == 1);
    CHECK(d.events[0].code == "low_paper");

    auto out = f.store.record(failed(d.device_id, kT0 + 60s), f.settings);
    CHECK(out.status == "online");
    CHECK(out.events.empty());
    out = f.store.record(failed(d.device_id, kT0 + 120s), f.settings);
    CHECK(out.status == "offline");
    REQUIRE(out.events.size() == 1);
    CHECK(out.events[0].action == "appeared");
    const auto dev = f.store.device(d.device_id);
    CHECK(dev->status == "offline");
    CHECK(dev->consecutive_failures == 2);
    CHECK(dev->last_error == "timeout: no answer");

    out = f.store.record(
        answered(d.device_id, "10.0.0.5", snap("HP", "S1", "", 2, {"jammed"}), kT0 + 180s),
        f.settings);
    CHECK(out.previous_status == "offline");
    CHECK(out.status == "online");
    CHECK(
        count(f.store,
              "SELECT count(*) FROM events WHERE kind = 'device_status' AND action = 'cleared'") ==
        1);
    CHECK(count(f.store,
                "SELECT count(*) FROM events WHERE code = 'low_paper' AND action = 'cleared'") ==
          1);
    CHECK(count(f.store,
                "SELECT count(*) FROM events WHERE code = 'jammed' AND action = 'appeared'") == 1);
    CHECK(count(f.store, "SELECT count(*) FROM events WHERE sent_at IS NULL") == 5);
    // A failed poll of an unknown device writes nothing.
    CHECK(f.store.record(failed(printmon::proto::new_uuid()), f.settings).kind ==
          WriteOutcome::Kind::ignored);
}

TEST_CASE("manual, disabled and deleted devices", "[store]") {
    Fixture f;
    const auto creds = f.store.load_credentials();
    const auto manual =
        f.store.add_manual_device("10.0.0.7", 1161, creds[0].credential_id, 30s, kT0);
    auto targets = f.store.load_poll_targets(kT0);
    REQUIRE(targets.size() == 1);
    CHECK(targets[0].device_id == manual);
    CHECK(targets[0].interval == 30s);
    CHECK(targets[0].credential_id == creds[0].credential_id);
    CHECK_FALSE(targets[0].since_last_poll.has_value());
    CHECK(f.store.device(manual)->manual);

    // Its first answer gives it an identity instead of creating another device.
    auto r = answered(manual, "10.0.0.7", snap("Kyocera", "K1", "", 3));
    r.credential_id = creds[0].credential_id;
    CHECK(f.store.record(r, f.settings).device_id == manual);
    CHECK(f.store.device(manual)->serial == "K1");

    CHECK(f.store.set_device_interval(manual, std::nullopt));
    CHECK_FALSE(f.store.load_poll_targets(kT0)[0].interval.has_value());
    CHECK(f.store.set_device_enabled(manual, false));
    CHECK(f.store.load_poll_targets(kT0).empty());
    CHECK(f.store.set_device_enabled(manual, true));
    CHECK(f.store.delete_device(manual));
    CHECK_FALSE(f.store.delete_device(manual));
    CHECK(f.store.load_poll_targets(kT0).empty());
    CHECK(f.store.device(manual)->deleted);
    // Discovery finding it again does not bring it back.
    const auto again = f.store.record(
        answered(std::nullopt, "10.0.0.8", snap("Kyocera", "K1", "", 4)), f.settings);
    CHECK(again.kind == WriteOutcome::Kind::ignored);
    CHECK(count(f.store, "SELECT count(*) FROM readings") == 1);
}
