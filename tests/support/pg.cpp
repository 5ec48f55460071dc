#include "pg.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <pqxx/nontransaction>

#include "state.hpp"

namespace printmon::test {

namespace {

// Quotes a conninfo value so passwords or names with spaces or quotes survive.
std::string conninfo_value(const std::string& value) {
    std::string out = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

std::string unique_database_name() {
    // pid + counter is unique within this machine's concurrently running tests; the random part
    // avoids clashing with a database left behind by a crashed earlier run with a reused pid.
    static std::atomic<unsigned> counter{0};
    std::random_device random;
    return fmt::format("t_{}_{}_{:08x}", ::getpid(), counter++, random());
}

}  // namespace

PgFixture pg_fixture() {
    const auto env = fixture_env("pg");
    const auto get = [&](const char* key) -> std::string {
        if (!env) {
            throw std::runtime_error(
                "PostgreSQL fixture 'pg' is not running: run this test through ctest (it "
                "requires FIXTURES pg), or run `tests/support/pg_cluster start "
                "$PRINTMON_TEST_STATE/pg` first");
        }
        const auto found = env->find(key);
        if (found == env->end()) {
            throw std::runtime_error(fmt::format("PostgreSQL fixture env lacks {}", key));
        }
        return found->second;
    };
    PgFixture fixture;
    fixture.host = get("PGHOST");
    fixture.port = get("PGPORT");
    fixture.user = get("PGUSER");
    fixture.password = get("PGPASSWORD");
    fixture.database = get("PGDATABASE");
    fixture.conninfo = get("PG_CONNINFO");
    return fixture;
}

std::string pg_conninfo(const PgFixture& fixture, const std::string& dbname) {
    return fmt::format("host={} port={} user={} password={} dbname={}",
                       conninfo_value(fixture.host), conninfo_value(fixture.port),
                       conninfo_value(fixture.user), conninfo_value(fixture.password),
                       conninfo_value(dbname));
}

TempDatabase::TempDatabase() : TempDatabase(std::string()) {}

TempDatabase::TempDatabase(const std::string& template_name)
    : fixture_(pg_fixture()),
      name_(unique_database_name()),
      conninfo_(pg_conninfo(fixture_, name_)) {
    pqxx::connection admin(fixture_.conninfo);
    // CREATE DATABASE cannot run inside a transaction block; identifiers cannot be parameters.
    pqxx::nontransaction tx(admin);
    std::string sql = "CREATE DATABASE " + tx.quote_name(name_);
    if (!template_name.empty()) sql += " TEMPLATE " + tx.quote_name(template_name);
    tx.exec(sql);
}

std::string migrated_template(const std::string& kind, const std::string& fingerprint,
                              const std::function<void(pqxx::connection&)>& build) {
    static std::mutex mutex;
    static std::set<std::string> built;  // the templates this process has found or built
    const std::string name = fmt::format("tmpl_{}_{}", kind, fingerprint);
    const std::lock_guard<std::mutex> lock(mutex);
    if (built.count(name) != 0) return name;

    const auto fixture = pg_fixture();
    pqxx::connection admin(fixture.conninfo);
    pqxx::nontransaction tx(admin);
    // Held until `admin` closes: another test process waits here and then finds the template.
    tx.exec_params("SELECT pg_advisory_lock(hashtext($1))", name);
    if (tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty()) {
        // Built under another name and renamed when complete: a process that crashed half-way
        // leaves a database nobody copies.
        const std::string building = unique_database_name();
        tx.exec("CREATE DATABASE " + tx.quote_name(building));
        {
            pqxx::connection conn(pg_conninfo(fixture, building));
            build(conn);
        }
        tx.exec("ALTER DATABASE " + tx.quote_name(building) + " WITH ALLOW_CONNECTIONS false");
        tx.exec("ALTER DATABASE " + tx.quote_name(building) + " RENAME TO " + tx.quote_name(name));
    }
    built.insert(name);
    return name;
}

TempDatabase::~TempDatabase() {
    try {
        pqxx::connection admin(fixture_.conninfo);
        pqxx::nontransaction tx(admin);
        // FORCE: a test that failed may still hold connections open.
        tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "TempDatabase: cannot drop %s: %s\n", name_.c_str(), e.what());
    }
}

}  // namespace printmon::test
