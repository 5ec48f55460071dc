// Several cloud-api replicas on one database (issue 16): what used to be per process is shared
// or coordinated in PostgreSQL. Two App instances on one throwaway database, real HTTPS.
//   - the login brake counts failures made at either replica (and survives a restart);
//   - one replica leads the background refresh and the timed alert sweep; the other takes over
//     when the leader goes away;
//   - analytics reads use the configured replica while it is fresh, the primary otherwise, and
//     /healthz reports the replica's lag.
#include <catch2/catch.hpp>
#include <pqxx/nontransaction>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "analytics_support.hpp"
#include "auth/accounts.hpp"
#include "printmon/db/connection.hpp"
#include "storage/leader.hpp"

using namespace printmon;
using namespace printmon::cloud::test;
using namespace std::chrono_literals;
using cloud::storage::LeaderRole;

namespace {

constexpr const char* kPassword = "correct horse battery";

void create_user(CloudServer& s, const std::string& tenant, const std::string& email) {
    auto lease = s.app().pool().acquire();
    auto id = db::with_transaction(*lease, [&](pqxx::work& tx) {
        return cloud::auth::create_user(tx, {tenant, email, cloud::auth::Role::admin, kPassword});
    });
    REQUIRE(id);
}

unsigned attempt(const CloudServer& s, const std::string& tenant, const std::string& password) {
    return api_request(s, "POST", "/api/v1/auth/login", "",
                       R"({"tenant_id":")" + tenant +
                           R"(","email":"admin@acme.test","password":")" + password + R"("})")
        .status;
}

ServerSettings replica_of(const CloudServer& primary) {
    ServerSettings settings;
    settings.conninfo = primary.database().conninfo();
    return settings;
}

// Polls `done` every 100 ms for at most `limit`.
template <class F>
bool eventually(std::chrono::milliseconds limit, F done) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(100ms);
    }
    return done();
}

// The value of one series (name with its labels, exactly as rendered) in `server`'s metrics.
std::optional<double> metric(CloudServer& server, const std::string& series) {
    const std::string text = server.app().metrics().render();
    std::size_t at = 0;
    while ((at = text.find(series + " ", at)) != std::string::npos) {
        if (at == 0 || text[at - 1] == '\n') {
            return std::stod(text.substr(at + series.size() + 1));
        }
        at += series.size();
    }
    return std::nullopt;
}

ServerSettings with_workers(ServerSettings settings) {
    settings.analytics.refresh_interval = 1s;
    settings.notify.enabled = true;
    settings.notify.evaluate_interval = 1s;
    return settings;
}

}  // namespace

TEST_CASE("replicas: failed logins at either replica count against one budget",
          "[cloud][replicas][auth]") {
    CloudServer a;
    CloudServer b(replica_of(a));
    const auto tenant = a.create_tenant("Acme");
    create_user(a, tenant, "admin@acme.test");
    // Ten failures in all (the default budget per account and address), alternating replicas:
    // in-memory counters would have seen five each and let both go on.
    for (int i = 0; i < 10; ++i) {
        CHECK(attempt(i % 2 == 0 ? a : b, tenant, "wrong guess") == 401);
    }
    CHECK(attempt(a, tenant, kPassword) == 429);
    CHECK(attempt(b, tenant, kPassword) == 429);
    // A replica started now (a restart, a new node) knows the lockout too.
    CloudServer c(replica_of(a));
    CHECK(attempt(c, tenant, kPassword) == 429);
    CHECK(a.count("login_failures") == 20);  // ten for the account, ten for the address
}

TEST_CASE("replicas: a success at one replica clears the failures the other saw",
          "[cloud][replicas][auth]") {
    CloudServer a;
    CloudServer b(replica_of(a));
    const auto tenant = a.create_tenant("Acme");
    create_user(a, tenant, "admin@acme.test");
    for (int i = 0; i < 9; ++i) CHECK(attempt(a, tenant, "wrong guess") == 401);
    CHECK(attempt(b, tenant, kPassword) == 200);
    for (int i = 0; i < 9; ++i) CHECK(attempt(b, tenant, "wrong guess") == 401);
    CHECK(attempt(a, tenant, kPassword) == 200);  // 9 + 9 failures, but a success between
}

TEST_CASE("replicas: one leads the refresh and the alert sweep; the other takes over",
          "[cloud][replicas]") {
    // A database of its own, so that the first replica can go away while the second goes on.
    printmon::test::TempDatabase db;
    auto conn = db.connect();
    const auto lead = [&conn](LeaderRole role) {
        return cloud::storage::leader_pid(conn.raw(), role);
    };
    ServerSettings settings = with_workers({});
    settings.conninfo = db.conninfo();
    auto a = std::make_unique<CloudServer>(settings);
    REQUIRE(eventually(10s, [&] {
        return lead(LeaderRole::refresh) != 0 && lead(LeaderRole::alerts_sweep) != 0;
    }));
    const int refresh_a = lead(LeaderRole::refresh);
    const int sweep_a = lead(LeaderRole::alerts_sweep);
    CHECK(refresh_a != sweep_a);  // each worker on its own connection

    auto b = std::make_unique<CloudServer>(settings);
    // b asks every second and is refused: for three of its rounds the leaders stay a's.
    const auto until = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < until) {
        REQUIRE(lead(LeaderRole::refresh) == refresh_a);
        REQUIRE(lead(LeaderRole::alerts_sweep) == sweep_a);
        std::this_thread::sleep_for(200ms);
    }
    // Both report the leader's refreshes: the follower's lag stays about one refresh interval
    // (it grew without bound while only the leader knew its last refresh).
    CHECK(metric(*a, "printmon_cloud_refresh_leader") == 1.0);
    CHECK(metric(*b, "printmon_cloud_refresh_leader") == 0.0);
    // At least 5 s after b started: a lag counted from b's own start would be past that.
    std::this_thread::sleep_for(2s);
    const auto follower_lag = metric(*b, "printmon_cloud_refresh_lag_seconds");
    REQUIRE(follower_lag);
    CHECK(*follower_lag < 3.5);  // refresh every 1 s, sampled every 1 s, plus a loaded machine

    // a goes away (its sessions end, as when the process dies): b takes both roles over.
    a.reset();
    CHECK(eventually(10s, [&] {
        const int refresh = lead(LeaderRole::refresh);
        const int sweep = lead(LeaderRole::alerts_sweep);
        return refresh != 0 && refresh != refresh_a && sweep != 0 && sweep != sweep_a;
    }));
    CHECK(eventually(5s, [&] { return metric(*b, "printmon_cloud_refresh_leader") == 1.0; }));
    // Still one holder per role (pg_locks), now b's. Only this test's database: the cluster is
    // shared with the suite's other tests, whose servers lead in their own databases.
    pqxx::nontransaction tx(conn.raw());
    CHECK(tx.exec1("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 "
                   "AND classid = 1886217068 AND granted AND database = (SELECT oid FROM "
                   "pg_database WHERE datname = current_database())")[0]
              .as<int>() == 2);
}

TEST_CASE("replicas: reads use a fresh replica, the primary otherwise; /healthz says which",
          "[cloud][replicas][analytics]") {
    CloudServer primary;
    const auto tenant = primary.create_tenant("Acme");
    const auto token = primary.create_token(tenant);

    // The "replica" here is the primary itself (not in recovery: lag 0); application_name
    // tells its connections apart. A real streaming replica is exercised by docker/e2e/ha.
    ServerSettings fresh = replica_of(primary);
    fresh.replica_conninfo = primary.database().conninfo() + " application_name=pm_replica";
    fresh.analytics.max_replica_lag = 30s;
    CloudServer r(fresh);
    const auto replica_sessions = [&] {
        auto c = primary.database().connect();
        pqxx::nontransaction tx(c.raw());
        return tx
            .exec1(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                "'pm_replica'")[0]
            .as<int>();
    };
    REQUIRE(eventually(5s, [&] {
        const auto h = api_get(r, "/healthz", "");
        return h.status == 200 && h.json.HasMember("replica") &&
               str(h.json["replica"], "reads") == "replica";
    }));
    const auto health = api_get(r, "/healthz", "");
    CHECK(health.json["replica"]["lag_s"].IsNumber());
    CHECK(health.json["replica"]["lag_s"].GetDouble() == 0.0);
    CHECK(health.json["replica"]["in_recovery"].IsFalse());
    CHECK(*num(health.json["replica"], "max_lag_s") == 30);
    CHECK(replica_sessions() == 1);  // the monitor; the pool opens at the first read
    CHECK(api_get(r, "/api/v1/devices", token).status == 200);
    CHECK(replica_sessions() == 1 + 2);  // + the replica pool (replica_pool_size 2)
    // Operators see the replica pool beside the primary's, and the lag the reads are judged by.
    CHECK(metric(r, R"(printmon_db_pool_open{pool="replica"})") == 2.0);
    CHECK(metric(r, R"(printmon_db_pool_acquires_total{pool="replica"})") >= 1.0);
    CHECK(metric(r, R"(printmon_db_pool_size{pool="primary"})") > 0.0);
    CHECK(metric(r, "printmon_cloud_replica_lag_seconds") == 0.0);
    CHECK(metric(r, "printmon_cloud_replica_reads_usable") == 1.0);

    // An unreachable replica: reads go to the primary; /healthz says so.
    ServerSettings down = replica_of(primary);
    down.replica_conninfo = "host=/nonexistent-printmon-replica dbname=x connect_timeout=1";
    down.analytics.max_replica_lag = 30s;
    CloudServer d(down);
    const auto h = api_get(d, "/healthz", "");
    REQUIRE(h.status == 200);
    CHECK(str(h.json["replica"], "reads") == "primary");
    CHECK(h.json["replica"]["lag_s"].IsNull());
    CHECK(api_get(d, "/api/v1/devices", token).status == 200);
    CHECK(metric(d, "printmon_cloud_replica_reads_usable") == 0.0);
    CHECK_FALSE(metric(d, "printmon_cloud_replica_lag_seconds"));  // not measurable: no sample
    CHECK(metric(d, R"(printmon_db_pool_open{pool="replica"})") == 0.0);  // never opened

    // Without a replica /healthz stays as it was, and there are no replica series.
    CHECK(api_get(primary, "/healthz", "").body == R"({"status":"ok"})");
    CHECK_FALSE(metric(primary, "printmon_cloud_replica_reads_usable"));
    CHECK_FALSE(metric(primary, R"(printmon_db_pool_size{pool="replica"})"));
}
