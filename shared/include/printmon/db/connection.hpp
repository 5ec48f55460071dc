#pragma once
// A libpqxx connection owned through std::unique_ptr (6.4 connections cannot move), and a helper
// that runs a function inside a transaction.

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <pqxx/connection>
#include <pqxx/transaction>

namespace printmon::db {

/// One open PostgreSQL connection, movable. Not thread-safe: one thread uses it at a time.
class Connection {
  public:
    /// Opens a connection from a libpq conninfo string ("host=... port=... dbname=...") or URI;
    /// fields left out come from the PG* environment variables as libpq does.
    /// Throws pqxx::broken_connection when the server cannot be reached.
    explicit Connection(const std::string& conninfo);

    Connection(Connection&&) noexcept = default;
    Connection& operator=(Connection&&) noexcept = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() = default;

    pqxx::connection& raw() { return *conn_; }
    pqxx::connection& operator*() { return *conn_; }
    pqxx::connection* operator->() { return conn_.get(); }

    /// Server-side PID of this session (pg_stat_activity.pid), for logs and tests.
    int backend_pid() const;

  private:
    std::unique_ptr<pqxx::connection> conn_;
};

/// Runs `fn(pqxx::work&)` in a new transaction and commits when it returns; an exception from
/// `fn` aborts the transaction (pqxx::work's destructor rolls back) and propagates.
/// Returns what `fn` returns.
template <class Fn>
auto with_transaction(pqxx::connection& conn, Fn&& fn) -> std::invoke_result_t<Fn&, pqxx::work&> {
    pqxx::work tx(conn);
    if constexpr (std::is_void_v<std::invoke_result_t<Fn&, pqxx::work&>>) {
        fn(tx);
        tx.commit();
    } else {
        auto result = fn(tx);
        tx.commit();
        return result;
    }
}

template <class Fn>
auto with_transaction(Connection& conn, Fn&& fn) -> std::invoke_result_t<Fn&, pqxx::work&> {
    return with_transaction(conn.raw(), std::forward<Fn>(fn));
}

}  // namespace printmon::db
