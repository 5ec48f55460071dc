// The one connection pool (printmon::db::ConnectionPool) on a real PostgreSQL: leases, the
// acquire timeout, connect-on-demand, discarding a broken connection, and its counters.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include <pqxx/pqxx>

#include "pg.hpp"
#include "printmon/db/pool.hpp"
#include "printmon/metrics/registry.hpp"

using namespace std::chrono_literals;
using printmon::db::ConnectionPool;
using printmon::db::Lease;
using printmon::db::PoolConnect;
using printmon::db::PoolExhausted;

TEST_CASE("a pool hands out each connection once and counts waits and exhaustion", "[db]") {
    const printmon::test::TempDatabase db;
    int prepared = 0;
    ConnectionPool pool(db.conninfo(), 2, 200ms, [&prepared](pqxx::connection& c) {
        c.prepare("one", "SELECT 1");
        ++prepared;
    });
    CHECK(prepared == 2);  // kAtStart: both opened in the constructor
    {
        Lease a = pool.acquire();
        Lease b = pool.acquire();
        CHECK(a.connection().backend_pid() != b.connection().backend_pid());
        CHECK(pool.stats().in_use == 2);
        CHECK(pool.idle() == 0);
        CHECK_THROWS_AS(pool.acquire(), PoolExhausted);
        const auto s = pool.stats();
        CHECK(s.waits == 1);
        CHECK(s.exhausted == 1);
        CHECK(s.wait_seconds >= 0.19);
        pqxx::nontransaction tx(*a);
        CHECK(tx.exec_prepared("one")[0][0].as<int>() == 1);
    }
    CHECK(pool.stats().in_use == 0);
    CHECK(pool.idle() == 2);

    // A waiter gets the connection given back while it waits.
    Lease held = pool.acquire();
    Lease other = pool.acquire();
    std::thread giver([&held] {
        std::this_thread::sleep_for(50ms);
        held = Lease();
    });
    CHECK_NOTHROW(pool.acquire());
    giver.join();
    CHECK(pool.stats().waits == 2);
    CHECK(pool.stats().exhausted == 1);
    CHECK(pool.stats().acquires == 6);
}

TEST_CASE("an on-demand pool connects at acquire; a discarded connection is reopened", "[db]") {
    const printmon::test::TempDatabase db;
    int opened = 0;
    ConnectionPool pool(
        db.conninfo(), 1, 200ms, [&opened](pqxx::connection&) { ++opened; },
        PoolConnect::kOnDemand);
    CHECK(opened == 0);
    CHECK(pool.stats().open == 0);
    int first_pid = 0;
    {
        Lease lease = pool.acquire();
        first_pid = lease.connection().backend_pid();
        CHECK(pool.stats().open == 1);
        lease.discard();  // e.g. after a connection failure
    }
    CHECK(pool.stats().open == 0);
    Lease again = pool.acquire();
    CHECK(opened == 2);
    CHECK(again.connection().backend_pid() != first_pid);
}

TEST_CASE("a failed connect frees its slot and is counted", "[db]") {
    ConnectionPool pool("host=/nonexistent/printmon-pool-test dbname=x connect_timeout=1", 1, 100ms,
                        {}, PoolConnect::kOnDemand);
    CHECK_THROWS_AS(pool.acquire(), pqxx::broken_connection);
    CHECK_THROWS_AS(pool.acquire(), pqxx::broken_connection);  // not PoolExhausted: slot free
    const auto s = pool.stats();
    CHECK(s.connect_failures == 2);
    CHECK(s.in_use == 0);
    CHECK(s.exhausted == 0);
}

TEST_CASE("pool metrics render one series per pool", "[db]") {
    const printmon::test::TempDatabase db;
    ConnectionPool primary(db.conninfo(), 2, 100ms);
    ConnectionPool replica(db.conninfo(), 1, 100ms, {}, PoolConnect::kOnDemand);
    printmon::metrics::Registry registry;
    printmon::db::register_pool_metrics(registry, {{"primary", &primary}, {"replica", &replica}});
    Lease lease = primary.acquire();
    const auto text = registry.render();
    CHECK(text.find("printmon_db_pool_size{pool=\"primary\"} 2\n") != std::string::npos);
    CHECK(text.find("printmon_db_pool_in_use{pool=\"primary\"} 1\n") != std::string::npos);
    CHECK(text.find("printmon_db_pool_open{pool=\"replica\"} 0\n") != std::string::npos);
    CHECK(text.find("# TYPE printmon_db_pool_exhausted_total counter\n") != std::string::npos);
}
