// PostgreSQL restarting under a running service (a private cluster, so other tests are not
// disturbed): results wait in memory, the service reconnects and writes them; nothing is lost.
#include <catch2/catch.hpp>

#include "polling/service.hpp"
#include "printmon/common/clock.hpp"
#include "service_support.hpp"
#include "storage/store.hpp"

using namespace std::chrono_literals;
using namespace printmon::test;

namespace {

// The cluster's data and socket live in a private folder of PostgreSQL's user (see
// tests/support/pg_cluster): stopping and starting go through the script, which knows it.
struct Cluster {
    fs::path dir;
    std::string conninfo;
    explicit Cluster(fs::path d) : dir(std::move(d)) {
        if (pg_cluster("start") != 0) throw std::runtime_error("pg_cluster start failed");
        conninfo = read_env(dir / "env", "PG_CONNINFO");
    }
    // halt keeps the cluster; resume starts it again on the same port.
    void stop_server() const { REQUIRE(pg_cluster("halt") == 0); }
    void start_server() const { REQUIRE(pg_cluster("resume") == 0); }
    int pg_cluster(const std::string& command) const {
        const auto cmd = source_dir() + "/tests/support/pg_cluster " + command + " " +
                         dir.string() + " >/dev/null";
        return std::system(cmd.c_str());
    }
    ~Cluster() { pg_cluster("stop"); }
};

}  // namespace

TEST_CASE("a PostgreSQL restart mid-run loses no reading", "[service]") {
    TempDir dir;
    Cluster pg(dir.path / "pg");
    LanSim sim(dir.path / "sim", printers_dir(), "127.0.2.31");
    {
        printmon::scanner::storage::Store store(pg.conninfo);
        store.connect();
        store.migrate();
        store.put_setting("polling_interval_s", "1");
        store.put_setting("discovery_port", std::to_string(sim.port));
        store.add_range("127.0.2.31-127.0.2.34", false);
    }
    printmon::scanner::ServiceOptions o;
    o.conninfo = pg.conninfo;
    o.secret_key_file = (dir.path / "secret.key").string();
    o.tick = 50ms;
    o.device_refresh = 1s;
    // Generous SNMP deadlines: the test is about the database restart, and on a loaded CI
    // machine snmpsim can take longer than 300 ms to answer (polls_failed must stay 0).
    o.snmp_timeout = 1500ms;
    o.snmp_retries = 1;
    o.reconnect_min = 100ms;
    o.reconnect_max = 500ms;
    printmon::common::SystemClock clock;
    printmon::scanner::Service service(o, clock, printmon::scanner::ProfileSet::embedded());
    service.start();
    REQUIRE(
        wait_until([&] { return query_count(pg.conninfo, "SELECT count(*) FROM readings") >= 8; }));

    const auto devices = query_map(pg.conninfo, "SELECT device_id, serial FROM devices");
    REQUIRE_FALSE(devices.empty());
    const std::string device = devices.begin()->first;

    pg.stop_server();
    // Polling goes on; results pile up in memory meanwhile.
    REQUIRE(wait_until([&] { return service.stats().queued_results >= 8; }));
    CHECK_FALSE(service.stats().db_connected);
    // A support capture of a device the scheduler knows needs no database.
    using printmon::scanner::SupportCapture;
    REQUIRE(service.capture(device));
    REQUIRE(wait_until(
        [&] { return service.capture_status(device).state != SupportCapture::State::running; }));
    CHECK(service.capture_status(device).state == SupportCapture::State::done);
    CHECK(service.capture_status(device).snmprec.find(devices.begin()->second) !=
          std::string::npos);
    pg.start_server();
    REQUIRE(wait_until([&] {
        const auto s = service.stats();
        return s.db_connected && s.queued_results == 0 && s.db_reconnects >= 1;
    }));
    // Still running: new readings keep arriving after the restart.
    const auto after = query_count(pg.conninfo, "SELECT count(*) FROM readings");
    REQUIRE(wait_until(
        [&] { return query_count(pg.conninfo, "SELECT count(*) FROM readings") >= after + 4; }));
    CHECK(service.stop());
    const auto s = service.stats();
    CHECK(s.results_dropped == 0);
    CHECK(s.results_rejected == 0);
    CHECK(s.polls_failed == 0);
    CHECK(query_count(pg.conninfo, "SELECT count(*) FROM readings") ==
          static_cast<long long>(s.polls_answered));
    CHECK(query_count(pg.conninfo, "SELECT count(DISTINCT device_id) FROM readings") == 4);
}
