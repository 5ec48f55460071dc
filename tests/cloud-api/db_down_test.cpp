// The cloud database going away under a running cloud-api (a private cluster, so other tests
// are not disturbed): ingest answers 503 with Retry-After, the uploader's cue to retry, never
// 500; once the database is back the same batch is stored (issue 14 item 12).
#include <catch2/catch.hpp>

#include <cstdlib>

#include <pqxx/transaction>

#include "cloud_support.hpp"
#include "printmon/db/connection.hpp"
#include "sim.hpp"  // TempDir, read_env
#include "state.hpp"

using namespace printmon;
using namespace printmon::cloud::test;
using printmon::test::read_env;
using printmon::test::source_dir;
using printmon::test::TempDir;
namespace fs = std::filesystem;

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
    ~Cluster() { pg_cluster("stop"); }
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;
    // halt keeps the cluster; resume starts it again on the same port.
    void halt() const { REQUIRE(pg_cluster("halt") == 0); }
    void resume() const { REQUIRE(pg_cluster("resume") == 0); }
    int pg_cluster(const std::string& command) const {
        const auto cmd = source_dir() + "/tests/support/pg_cluster " + command + " " +
                         dir.string() + " >/dev/null";
        return std::system(cmd.c_str());
    }
};

void check_unavailable(const net::ClientResponse& r) {
    INFO(r.body);
    CHECK(r.status == 503);
    CHECK(r.body.find("\"code\":\"overloaded\"") != std::string::npos);
    REQUIRE(r.headers.count("Retry-After") == 1);
    CHECK(std::stol(r.headers.at("Retry-After")) > 0);
}

}  // namespace

TEST_CASE("with the database down, ingest answers 503 with Retry-After", "[cloud][ingest]") {
    TempDir dir;
    Cluster pg(dir.path / "pg");
    ServerSettings settings;
    settings.conninfo = pg.conninfo;
    CloudServer s(settings);
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-1");
    REQUIRE(s.ingest(key, fresh_batch("branch-1")).status == 200);

    pg.halt();
    const auto batch = fresh_batch("branch-1");
    // The key check (before the body is read) meets the dead connection first; twice, so
    // that a connection the first attempt found broken and dropped is covered too.
    check_unavailable(s.ingest(key, batch));
    check_unavailable(s.ingest(key, batch));
    // A well-formed key that does not exist: only the database could tell, so it is no 401.
    std::string unknown = key;
    unknown.back() = unknown.back() == 'A' ? 'B' : 'A';
    check_unavailable(s.ingest(unknown, batch));

    pg.resume();
    const auto stored = s.ingest(key, batch);
    INFO(stored.body);
    CHECK(stored.status == 200);
    // s.count() reads the fixture's database; this server stores in the private cluster.
    db::Connection conn(pg.conninfo);
    pqxx::work tx(conn.raw());
    CHECK(tx.exec1("SELECT count(*) FROM readings")[0].as<long long>() == 6);
}
