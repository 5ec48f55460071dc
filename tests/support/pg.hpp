#pragma once
// Throwaway databases in the "pg" CTest fixture's cluster (tests/support/pg_cluster).

#include <functional>
#include <string>

#include "printmon/db/connection.hpp"

namespace printmon::test {

/// Connection settings published by the "pg" fixture in $PRINTMON_TEST_STATE/pg/env.
struct PgFixture {
    std::string host;
    std::string port;
    std::string user;
    std::string password;
    std::string database;
    std::string conninfo;  // PG_CONNINFO: the fixture's own database
};

/// Reads the fixture's settings. Throws std::runtime_error saying how to start the fixture when
/// it is not running (Catch2 v2 has no SKIP: an integration test without its fixture fails).
PgFixture pg_fixture();

/// libpq conninfo for `dbname` with the fixture's host, port and credentials.
std::string pg_conninfo(const PgFixture& fixture, const std::string& dbname);

/// A database created for one test (unique name) and dropped, even while connections to it are
/// still open, when the object goes away.
class TempDatabase {
  public:
    TempDatabase();
    /// A copy of `template_name` (a database made by migrated_template()): a schema in the time
    /// it takes to copy it rather than to apply every migration again.
    explicit TempDatabase(const std::string& template_name);
    ~TempDatabase();
    TempDatabase(const TempDatabase&) = delete;
    TempDatabase& operator=(const TempDatabase&) = delete;

    const std::string& name() const { return name_; }
    /// libpq conninfo of this database.
    const std::string& conninfo() const { return conninfo_; }
    /// A new connection to this database.
    db::Connection connect() const { return db::Connection(conninfo_); }

  private:
    PgFixture fixture_;
    std::string name_;
    std::string conninfo_;
};

/// The name of a template database holding a schema, built once per fixture cluster and
/// copied by TempDatabase(name). `kind` names the schema ("cloud"), `fingerprint` its version
/// (a hash of the migrations: a changed migration builds a new template), `build` applies it on
/// a connection to the new database. Concurrent test processes build it once (an advisory
/// lock); it is published by a rename, so no process copies a half-built one, and it accepts
/// no connections, since PostgreSQL copies only a database nobody is connected to.
std::string migrated_template(const std::string& kind, const std::string& fingerprint,
                              const std::function<void(pqxx::connection&)>& build);

}  // namespace printmon::test
