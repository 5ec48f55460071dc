#pragma once
// A bounded pool of PostgreSQL connections: N slots, each connection used by one thread at a
// time. The one pool of printmon: the cloud's request handlers and the scanner's settings UI.
// Rationale: an HTTP blocking pool may run more handlers than the database should serve at
// once; a request that cannot get a connection within a short wait is refused (503 with
// Retry-After) instead of queueing without bound. A plain class built from a conninfo, so a
// process may hold several (a primary and a read replica).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/except>

#include "printmon/db/connection.hpp"

namespace printmon::metrics {
class Registry;
}

namespace printmon::db {

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
    Connection& connection() const { return *conn_; }
    explicit operator bool() const { return conn_ != nullptr; }

    /// Closes the connection instead of giving it back (after a connection failure): its slot
    /// opens a fresh one at the next acquire.
    void discard() noexcept;

  private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    void release() noexcept;

    ConnectionPool* pool_ = nullptr;
    std::unique_ptr<Connection> conn_;
};

/// When a pool opens its connections.
enum class PoolConnect {
    kAtStart,   ///< all in the constructor: a wrong conninfo fails at startup
    kOnDemand,  ///< at the first acquire that finds no open idle one (a service that must start
                ///< while its database is away)
};

/// Counters of a pool since it was made, for metrics.
struct PoolStats {
    std::size_t size = 0;    ///< slots
    std::size_t in_use = 0;  ///< leased now
    std::size_t open = 0;    ///< connections open now (leased or idle)
    std::uint64_t acquires = 0;
    std::uint64_t waits = 0;      ///< acquires that found no free slot and waited
    double wait_seconds = 0.0;    ///< total time those acquires waited
    std::uint64_t exhausted = 0;  ///< acquires that gave up (PoolExhausted)
    std::uint64_t connect_failures = 0;
};

/// Thread-safe.
class ConnectionPool {
  public:
    /// A pool of `size` (>= 1) slots. With PoolConnect::kAtStart opens them all now and throws
    /// pqxx::broken_connection when the server cannot be reached.
    /// `on_connect` runs once per opened connection (prepares the statements; libpqxx 6.4
    /// re-prepares them by itself after a silent reconnect).
    ConnectionPool(std::string conninfo, std::size_t size,
                   std::chrono::milliseconds acquire_timeout,
                   std::function<void(pqxx::connection&)> on_connect = {},
                   PoolConnect connect = PoolConnect::kAtStart);
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;
    ~ConnectionPool() = default;

    /// Waits up to the acquire timeout for a free slot; throws PoolExhausted after that. An
    /// empty slot is connected here (outside the pool's lock); a failure to connect frees the
    /// slot again and propagates.
    Lease acquire();

    std::size_t size() const { return size_; }
    /// Open connections not leased right now.
    std::size_t idle() const;
    PoolStats stats() const;

  private:
    friend class Lease;
    void give_back(std::unique_ptr<Connection> conn) noexcept;
    void drop() noexcept;
    std::unique_ptr<Connection> open();

    const std::string conninfo_;
    const std::size_t size_;
    const std::chrono::milliseconds acquire_timeout_;
    const std::function<void(pqxx::connection&)> on_connect_;
    mutable std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<Connection>> idle_;
    std::size_t empty_ = 0;  ///< slots without a connection, not leased
    PoolStats counters_;     ///< acquires, waits, wait_seconds, exhausted, connect_failures
};

/// Registers the printmon_db_pool_* gauges and counters (label `pool`) for these pools, read
/// at scrape time. Call once per registry with every pool of the process.
void register_pool_metrics(metrics::Registry& registry,
                           const std::vector<std::pair<std::string, const ConnectionPool*>>& pools);

/// The same for pools that may not exist yet (a pool opened at its first use): each source is
/// called at scrape time, from the scraping thread, and answers the pool's stats or, before the
/// pool exists, what it will have (its size, zero counters).
using PoolStatsSource = std::function<PoolStats()>;
void register_pool_metrics(metrics::Registry& registry,
                           const std::vector<std::pair<std::string, PoolStatsSource>>& sources);

}  // namespace printmon::db
