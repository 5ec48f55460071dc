#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <latch>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "pg.hpp"
#include "printmon/db/connection.hpp"
#include "printmon/db/migrator.hpp"
#include "state.hpp"

namespace fs = std::filesystem;
using printmon::db::Connection;
using printmon::db::MigrationError;
using printmon::db::MigrationReport;
using printmon::db::Migrator;
using printmon::db::sha256_hex;
using printmon::test::TempDatabase;

namespace {

fs::path data_dir(const std::string& name) {
    return fs::path(printmon::test::source_dir()) / "tests" / "data" / "db" / name;
}

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    REQUIRE(out.good());
}

// A private copy of a migration directory that a test may edit; removed afterwards.
class ScratchDir {
  public:
    explicit ScratchDir(const fs::path& from) {
        std::random_device random;
        path_ = fs::temp_directory_path() /
                ("printmon-migrations-" + std::to_string(random()) + std::to_string(random()));
        fs::create_directories(path_);
        fs::copy(from, path_);
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return path_; }
    fs::path operator/(const std::string& name) const { return path_ / name; }

  private:
    fs::path path_;
};

struct Recorded {
    int version = 0;
    std::string script;
    std::string checksum;
    std::string applied_at;
    bool operator==(const Recorded&) const = default;
};

std::vector<Recorded> recorded(Connection& conn) {
    pqxx::work tx(conn.raw());
    std::vector<Recorded> rows;
    for (const auto& row : tx.exec("SELECT version, script, checksum, applied_at::text "
                                   "FROM schema_migrations ORDER BY version")) {
        rows.push_back({row[0].as<int>(), row[1].as<std::string>(), row[2].as<std::string>(),
                        row[3].as<std::string>()});
    }
    return rows;
}

std::vector<int> versions(Connection& conn) {
    std::vector<int> out;
    for (const auto& row : recorded(conn)) out.push_back(row.version);
    return out;
}

bool table_exists(Connection& conn, const std::string& name) {
    pqxx::work tx(conn.raw());
    return tx.exec_params("SELECT to_regclass($1) IS NOT NULL", name)[0][0].as<bool>();
}

long long count_rows(Connection& conn, const std::string& query) {
    pqxx::work tx(conn.raw());
    return tx.exec(query)[0][0].as<long long>();
}

template <class Fn>
std::string migration_error_of(Fn&& fn) {
    try {
        fn();
    } catch (const MigrationError& e) {
        return e.what();
    }
    FAIL("expected a MigrationError");
    return {};
}

}  // namespace

TEST_CASE("migrations apply in version order and record their checksums", "[migrator]") {
    const TempDatabase db;
    Connection conn = db.connect();
    const MigrationReport report = Migrator(conn.raw(), data_dir("ok")).run();
    CHECK(report.applied == std::vector<int>{1, 2, 10});
    CHECK(report.already_applied == 0);

    const auto rows = recorded(conn);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].script == "V1__create_printers.sql");
    CHECK(rows[1].script == "V2__add_counters.sql");
    CHECK(rows[2].script == "V10__seed.sql");
    for (const auto& row : rows) {
        CHECK(row.checksum == sha256_hex(read_bytes(data_dir("ok") / row.script)));
        CHECK(row.checksum.size() == 64);
    }
    // V10 ran after V1 (it inserts into V1's table) and V2's several statements all ran.
    CHECK(count_rows(conn, "SELECT count(*) FROM printer WHERE serial = 'SEED-1'") == 1);
    CHECK(table_exists(conn, "page_counter_read_at"));
}

TEST_CASE("running again changes nothing", "[migrator]") {
    const TempDatabase db;
    Connection conn = db.connect();
    Migrator(conn.raw(), data_dir("ok")).run();
    const auto before = recorded(conn);

    Connection again = db.connect();
    const MigrationReport report = Migrator(again.raw(), data_dir("ok")).run();
    CHECK(report.applied.empty());
    CHECK(report.already_applied == 3);
    CHECK(recorded(conn) == before);  // applied_at included: nothing was rewritten
    CHECK(count_rows(conn, "SELECT count(*) FROM printer") == 1);
}

TEST_CASE("a new migration is applied on top of the recorded ones", "[migrator]") {
    const TempDatabase db;
    Connection conn = db.connect();
    const ScratchDir dir(data_dir("ok"));
    Migrator(conn.raw(), dir.path()).run();
    write_bytes(dir / "V11__add_model.sql", "ALTER TABLE printer ADD COLUMN model text;\n");
    const MigrationReport report = Migrator(conn.raw(), dir.path()).run();
    CHECK(report.applied == std::vector<int>{11});
    CHECK(report.already_applied == 3);
    CHECK(versions(conn) == std::vector<int>{1, 2, 10, 11});
}

TEST_CASE("a changed applied file stops the migrator before it applies anything", "[migrator]") {
    const TempDatabase db;
    Connection conn = db.connect();
    const ScratchDir dir(data_dir("ok"));
    Migrator(conn.raw(), dir.path()).run();

    write_bytes(dir / "V2__add_counters.sql",
                read_bytes(dir / "V2__add_counters.sql") + "-- edited after release\n");
    write_bytes(dir / "V11__more.sql", "CREATE TABLE more (id integer);\n");
    const std::string message = migration_error_of([&] { Migrator(conn.raw(), dir.path()).run(); });
    CHECK_THAT(message, Catch::Contains((dir / "V2__add_counters.sql").string()) &&
                            Catch::Contains("changed after it was applied"));
    CHECK(versions(conn) == std::vector<int>{1, 2, 10});
    CHECK_FALSE(table_exists(conn, "more"));
}

TEST_CASE("a missing applied file stops the migrator", "[migrator]") {
    const TempDatabase db;
    Connection conn = db.connect();
    const ScratchDir dir(data_dir("ok"));
    Migrator(conn.raw(), dir.path()).run();

    fs::remove(dir / "V2__add_counters.sql");
    const std::string message = migration_error_of([&] { Migrator(conn.raw(), dir.path()).run(); });
    CHECK_THAT(message, Catch::Contains("V2__add_counters.sql") && Catch::Contains("missing"));
}

TEST_CASE("a file older than the newest applied version is refused", "[migrator]") {
    const TempDatabase db;
    Connection conn = db.connect();
    const ScratchDir dir(data_dir("ok"));
    const std::string v2 = read_bytes(dir / "V2__add_counters.sql");
    fs::remove(dir / "V2__add_counters.sql");
    Migrator(conn.raw(), dir.path()).run();
    CHECK(versions(conn) == std::vector<int>{1, 10});

    write_bytes(dir / "V2__add_counters.sql", v2);
    const std::string message = migration_error_of([&] { Migrator(conn.raw(), dir.path()).run(); });
    CHECK_THAT(message, Catch::Contains("V2__add_counters.sql") && Catch::Contains("older"));
    CHECK_FALSE(table_exists(conn, "page_counter"));
}

TEST_CASE("bad names and duplicate versions are rejected before the database is touched",
          "[migrator]") {
    const TempDatabase db;
    Connection conn = db.connect();
    CHECK_THAT(migration_error_of([&] { Migrator(conn.raw(), data_dir("bad_name")).run(); }),
               Catch::Contains("V0002-missing-double-underscore.sql"));
    CHECK_THAT(migration_error_of([&] { Migrator(conn.raw(), data_dir("duplicate")).run(); }),
               Catch::Contains("duplicate migration version 1"));
    // An upper-case extension is still a migration file, so its bad name is an error too.
    const ScratchDir dir(data_dir("ok"));
    write_bytes(dir / "V11__shout.SQL", "SELECT 1;\n");
    CHECK_THAT(migration_error_of([&] { Migrator(conn.raw(), dir.path()).run(); }),
               Catch::Contains("V11__shout.SQL"));
    CHECK_FALSE(table_exists(conn, "schema_migrations"));
}

TEST_CASE("a failing migration rolls back whole and stays unrecorded", "[migrator]") {
    const TempDatabase db;
    Connection conn = db.connect();
    const ScratchDir dir(data_dir("failing"));
    const std::string message = migration_error_of([&] { Migrator(conn.raw(), dir.path()).run(); });
    CHECK_THAT(message, Catch::Contains("V0002__broken.sql") && Catch::Contains("rolled back") &&
                            Catch::Contains("division by zero"));
    CHECK(versions(conn) == std::vector<int>{1});
    CHECK_FALSE(table_exists(conn, "b"));
    CHECK(count_rows(conn, "SELECT count(*) FROM a") == 0);
    CHECK_FALSE(table_exists(conn, "c"));  // nothing after the failure ran

    // Fixing the (never applied) file lets the next start continue where it stopped.
    write_bytes(dir / "V0002__broken.sql", "CREATE TABLE b (id integer PRIMARY KEY);\n");
    const MigrationReport report = Migrator(conn.raw(), dir.path()).run();
    CHECK(report.applied == std::vector<int>{2, 3});
    CHECK(versions(conn) == std::vector<int>{1, 2, 3});
}

TEST_CASE("two migrators starting together apply each migration exactly once", "[migrator]") {
    // Several rounds: each is a fresh database, so each one races the bootstrap as well.
    for (int round = 0; round < 5; ++round) {
        const TempDatabase db;
        Connection first = db.connect();
        Connection second = db.connect();
        std::latch start(2);
        MigrationReport reports[2];
        std::exception_ptr errors[2];
        const auto migrate = [&](int index, Connection& conn) {
            try {
                Migrator migrator(conn.raw(), data_dir("ok"));
                start.arrive_and_wait();
                reports[index] = migrator.run();
            } catch (...) {
                errors[index] = std::current_exception();
            }
        };
        std::thread a(migrate, 0, std::ref(first));
        std::thread b(migrate, 1, std::ref(second));
        a.join();
        b.join();
        for (const auto& error : errors) {
            if (error) std::rethrow_exception(error);
        }
        std::vector<int> all = reports[0].applied;
        all.insert(all.end(), reports[1].applied.begin(), reports[1].applied.end());
        std::sort(all.begin(), all.end());
        CHECK(all == std::vector<int>{1, 2, 10});
        CHECK(versions(first) == std::vector<int>{1, 2, 10});
        CHECK(count_rows(first, "SELECT count(*) FROM printer") == 1);
    }
}

TEST_CASE("the migrator waits while another session holds the migration lock", "[migrator]") {
    const TempDatabase db;
    Connection holder = db.connect();
    {
        pqxx::nontransaction tx(holder.raw());
        tx.exec_params("SELECT pg_advisory_lock($1)", Migrator::kLockKey);
    }
    Connection conn = db.connect();
    const int migrator_pid = conn.backend_pid();
    std::exception_ptr error;
    MigrationReport report;
    std::thread worker([&] {
        try {
            report = Migrator(conn.raw(), data_dir("ok")).run();
        } catch (...) {
            error = std::current_exception();
        }
    });

    // Poll the server (bounded) until the migrator's session is blocked on the advisory lock.
    bool waiting = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!waiting && std::chrono::steady_clock::now() < deadline) {
        pqxx::work tx(holder.raw());
        const auto rows = tx.exec_params(
            "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock' "
            "AND wait_event = 'advisory'",
            migrator_pid);
        waiting = !rows.empty();
        tx.commit();
        if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(waiting);
    CHECK_FALSE(table_exists(holder, "schema_migrations"));  // it did nothing while waiting

    {
        pqxx::nontransaction tx(holder.raw());
        tx.exec_params("SELECT pg_advisory_unlock($1)", Migrator::kLockKey);
    }
    worker.join();
    if (error) std::rethrow_exception(error);
    CHECK(report.applied == std::vector<int>{1, 2, 10});
}

TEST_CASE("in-memory migrations apply like files and agree with them afterwards", "[migrator]") {
    const TempDatabase db;
    Connection conn = db.connect();
    // The same bytes as the "ok" directory, handed over as (name, text) pairs out of order.
    std::vector<std::string> names = {"V2__add_counters.sql", "V10__seed.sql",
                                      "V1__create_printers.sql"};
    std::vector<std::string> texts;
    for (const auto& name : names) texts.push_back(read_bytes(data_dir("ok") / name));
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    for (std::size_t i = 0; i < names.size(); ++i) pairs.emplace_back(names[i], texts[i]);

    auto files = printmon::db::parse_migrations(pairs, "embedded:test");
    const MigrationReport report = Migrator(conn.raw(), files, "embedded:test").run();
    CHECK(report.applied == std::vector<int>{1, 2, 10});
    CHECK(count_rows(conn, "SELECT count(*) FROM printer WHERE serial = 'SEED-1'") == 1);
    // Checksums are those of the files: the directory form now finds everything applied.
    const MigrationReport again = Migrator(conn.raw(), data_dir("ok")).run();
    CHECK(again.applied.empty());
    CHECK(again.already_applied == 3);

    // A changed embedded text is refused like a changed file.
    texts[0] += "\n-- edited";
    pairs[0].second = texts[0];
    const auto message = migration_error_of([&] {
        Migrator(conn.raw(), printmon::db::parse_migrations(pairs, "embedded:test"),
                 "embedded:test")
            .run();
    });
    CHECK(message.find("embedded:test/V2__add_counters.sql") != std::string::npos);
}
