#pragma once
// A bounded pool of PostgreSQL connections: N connections, each used by one thread at a time.
// Rationale: the HTTP blocking pool may run more handlers than the database should serve at
// once; a request that cannot get a connection within a short wait is refused (503 with
// Retry-After) instead of queueing without bound.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/except>

#include "printmon/db/connection.hpp"

namespace printmon::cloud::storage {

/// No connection became free within the pool's acquire timeout.
class PoolExhausted : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// True when `e` says the database cannot be reached right now rather than that the request
/// is wrong: a lost or refused connection, a server shutting down or starting up (SQLSTATE
/// classes 08 and 57P0x), or a commit whose outcome is unknown. Such a request may be retried
/// later, so it is answered 503 with Retry-After, never 500 (issue 14 item 12).
bool database_unavailable(const pqxx::failure& e) noexcept;

class ConnectionPool;

/// Exclusive use of one pooled connection; gives it back on destruction.
class Lease {
  public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    pqxx::connection& operator*() const { return conn_->raw(); }
    pqxx::connection* operator->() const { return &conn_->raw(); }
    db::Connection& connection() const { return *conn_; }
    explicit operator bool() const { return conn_ != nullptr; }

  private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<db::Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    void release() noexcept;

    ConnectionPool* pool_ = nullptr;
    std::unique_ptr<db::Connection> conn_;
};

/// Thread-safe. Connections are opened up front (a wrong conninfo fails at startup).
class ConnectionPool {
  public:
    /// Opens `size` connections (>= 1); throws pqxx::broken_connection when the server cannot
    /// be reached.
    /// `on_connect` runs once per connection (prepares the statements; libpqxx 6.4 re-prepares
    /// them by itself after a silent reconnect).
    ConnectionPool(const std::string& conninfo, std::size_t size,
                   std::chrono::milliseconds acquire_timeout,
                   const std::function<void(pqxx::connection&)>& on_connect = {});
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;
    ~ConnectionPool() = default;

    /// Waits up to the acquire timeout for a free connection; throws PoolExhausted after that.
    Lease acquire();

    std::size_t size() const { return size_; }
    /// Connections not leased right now.
    std::size_t idle() const;

  private:
    friend class Lease;
    void give_back(std::unique_ptr<db::Connection> conn) noexcept;

    const std::size_t size_;
    const std::chrono::milliseconds acquire_timeout_;
    mutable std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<db::Connection>> idle_;
};

/// Session settings of a pooled connection, for the reads that are most of its work: each
/// statement at most `statement_timeout`, custom plans (every API statement has optional filters
/// that only a custom plan folds away; see api/queries.cpp run()), no parallel workers (with many
/// clients on few cores they only add CPU). Session-wide rather than SET LOCAL in a transaction:
/// a read is then one autocommit statement instead of BEGIN, SET, SELECT, COMMIT. Set through
/// libpqxx (set_variable), which restores them after a silent reconnect.
void configure_read_session(pqxx::connection& conn, std::chrono::milliseconds statement_timeout);

/// Undoes configure_read_session for the rest of `tx` (one round trip): ingestion and imports
/// run with the server's defaults (no statement timeout: an import may take long).
void use_server_defaults(pqxx::work& tx);

}  // namespace printmon::cloud::storage
