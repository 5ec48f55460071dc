#pragma once
// Throwaway databases in the "pg" CTest fixture's cluster (tests/support/pg_cluster).

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

}  // namespace printmon::test
