#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "pg.hpp"
#include "printmon/db/array.hpp"
#include "printmon/db/connection.hpp"

using printmon::db::Connection;
using printmon::db::with_transaction;

TEST_CASE("with_transaction commits on return and rolls back on exception", "[db]") {
    const printmon::test::TempDatabase db;
    Connection conn = db.connect();
    CHECK(conn.backend_pid() > 0);

    with_transaction(conn, [](pqxx::work& tx) { tx.exec("CREATE TABLE t (v integer)"); });
    const auto inserted = with_transaction(conn, [](pqxx::work& tx) {
        return tx.exec_params("INSERT INTO t VALUES ($1), ($2)", 1, 2).affected_rows();
    });
    CHECK(inserted == 2U);

    CHECK_THROWS_AS(with_transaction(conn,
                                     [](pqxx::work& tx) {
                                         tx.exec_params("INSERT INTO t VALUES ($1)", 3);
                                         throw std::runtime_error("abort");
                                     }),
                    std::runtime_error);

    // A second connection sees only what was committed.
    Connection other = db.connect();
    const auto count = with_transaction(
        other, [](pqxx::work& tx) { return tx.exec("SELECT count(*) FROM t")[0][0].as<int>(); });
    CHECK(count == 2);
}

TEST_CASE("NULL reads as an empty std::optional (PQXX_HAVE_OPTIONAL)", "[db]") {
    const printmon::test::TempDatabase db;
    Connection conn = db.connect();
    pqxx::work tx(conn.raw());
    const auto row = tx.exec_params("SELECT NULL::text, $1::text", std::string("x"))[0];
    CHECK_FALSE(row[0].get<std::string>().has_value());
    CHECK(row[1].get<std::string>() == std::optional<std::string>("x"));
}

TEST_CASE("moving a Connection keeps the session", "[db]") {
    const printmon::test::TempDatabase db;
    Connection first = db.connect();
    const int pid = first.backend_pid();
    Connection moved = std::move(first);
    CHECK(moved.backend_pid() == pid);
}

TEST_CASE("array_literal round-trips any text through a text[] parameter", "[db]") {
    const printmon::test::TempDatabase db;
    Connection conn = db.connect();
    const std::vector<std::string> items = {
        "plain", "", "with space", "a,b", "{braces}", "quote\"d", "back\\slash", "NULL", "ümlaut"};
    const auto back = with_transaction(conn, [&](pqxx::work& tx) {
        std::vector<std::string> out;
        for (const auto& row :
             tx.exec_params("SELECT x FROM unnest($1::text[]) WITH ORDINALITY u(x, i) ORDER BY i",
                            printmon::db::array_literal(items))) {
            out.push_back(row[0].as<std::string>());
        }
        return out;
    });
    CHECK(back == items);
    const auto empty = with_transaction(conn, [&](pqxx::work& tx) {
        return tx
            .exec_params("SELECT cardinality($1::text[])", printmon::db::array_literal({}))[0][0]
            .as<int>();
    });
    CHECK(empty == 0);
}
