#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "printmon/db/migrator.hpp"
#include "state.hpp"

namespace fs = std::filesystem;
using printmon::db::load_migrations;
using printmon::db::MigrationError;
using printmon::db::sha256_hex;

namespace {

fs::path data_dir(const std::string& name) {
    return fs::path(printmon::test::source_dir()) / "tests" / "data" / "db" / name;
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

TEST_CASE("sha256_hex matches the FIPS 180-2 test vectors", "[migrations]") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("migration files are ordered by version number, not by name", "[migrations]") {
    const auto files = load_migrations(data_dir("ok"));
    REQUIRE(files.size() == 3);  // README.md is ignored
    CHECK(files[0].version == 1);
    CHECK(files[0].description == "create_printers");
    CHECK(files[1].version == 2);
    CHECK(files[2].version == 10);
    CHECK(files[2].path.filename() == "V10__seed.sql");
    CHECK(files[2].checksum == sha256_hex(files[2].sql));
    CHECK(files[2].sql.find("SEED-1") != std::string::npos);
}

TEST_CASE("bad file names are rejected naming the file", "[migrations]") {
    const std::string message = migration_error_of([] { load_migrations(data_dir("bad_name")); });
    CHECK_THAT(message, Catch::Contains("bad migration file name") &&
                            Catch::Contains("V0002-missing-double-underscore.sql"));
}

TEST_CASE("two files with one version are rejected naming both", "[migrations]") {
    const std::string message = migration_error_of([] { load_migrations(data_dir("duplicate")); });
    CHECK_THAT(message, Catch::Contains("duplicate migration version 1") &&
                            Catch::Contains("V1__first.sql") &&
                            Catch::Contains("V0001__second.sql"));
}

TEST_CASE("a missing directory is an error", "[migrations]") {
    CHECK_THAT(migration_error_of([] { load_migrations(data_dir("no-such-dir")); }),
               Catch::Contains("cannot read migration directory"));
}

TEST_CASE("in-memory migrations are validated like files", "[migrator]") {
    using printmon::db::parse_migrations;
    const auto files =
        parse_migrations({{"V2__b.sql", "SELECT 2"}, {"V1__a.sql", "SELECT 1"}}, "embedded:x");
    REQUIRE(files.size() == 2);
    CHECK(files[0].version == 1);
    CHECK(files[0].description == "a");
    CHECK(files[0].path == fs::path("embedded:x") / "V1__a.sql");
    CHECK(files[1].checksum == sha256_hex("SELECT 2"));
    CHECK(migration_error_of([] {
              parse_migrations({{"V1__a.sql", "x"}, {"V1__b.sql", "y"}}, "e");
          }).find("duplicate migration version 1") != std::string::npos);
    CHECK(migration_error_of([] {
              parse_migrations({{"init.sql", "x"}}, "e");
          }).find("bad migration file name e/init.sql") != std::string::npos);
}
