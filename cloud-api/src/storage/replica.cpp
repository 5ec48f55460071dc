#include "storage/replica.hpp"

#include <pqxx/nontransaction>

#include "printmon/common/logging.hpp"
#include "printmon/db/connection.hpp"

namespace printmon::cloud::storage {

namespace {

// In recovery: lag 0 while streaming and everything received is replayed, else the age of the
// last replayed commit (NULL before the first one: unknown, hence not used). Promoted: 0.
constexpr const char* kLagSql =
    "SELECT pg_is_in_recovery(), CASE WHEN NOT pg_is_in_recovery() THEN 0::float8 "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AND EXISTS (SELECT 1 FROM "
    "pg_stat_wal_receiver WHERE status = 'streaming') THEN 0::float8 "
    "ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END";

// A connection failure to the replica is retried this long after, not on every read.
constexpr std::chrono::seconds kPoolRetry{5};

}  // namespace

ReplicaReads::ReplicaReads(ReplicaOptions options,
                           std::function<void(pqxx::connection&)> on_connect)
    : options_(std::move(options)),
      on_connect_(std::move(on_connect)),
      thread_([this] { monitor(); }) {}

ReplicaReads::~ReplicaReads() { stop(); }

void ReplicaReads::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

ConnectionPool* ReplicaReads::pool() {
    std::lock_guard lock(pool_mutex_);
    if (pool_) return pool_.get();
    const auto now = std::chrono::steady_clock::now();
    if (now < pool_retry_at_) return nullptr;
    try {
        pool_ = std::make_unique<ConnectionPool>(options_.conninfo, options_.pool_size,
                                                 options_.acquire_timeout, on_connect_);
    } catch (const std::exception& e) {
        pool_retry_at_ = now + kPoolRetry;
        common::get_logger("cloud.replica")
            ->warn("event=replica_pool_failed error={}", common::log_value(e.what()));
        return nullptr;
    }
    return pool_.get();
}

db::PoolStats ReplicaReads::pool_stats() {
    std::lock_guard lock(pool_mutex_);
    if (pool_) return pool_->stats();
    db::PoolStats none;
    none.size = options_.pool_size;
    return none;
}

Lease ReplicaReads::acquire_if_fresh() {
    if (!status().usable) return {};
    ConnectionPool* replica = pool();
    if (replica == nullptr) return {};
    try {
        return replica->acquire();
    } catch (const PoolExhausted&) {
        return {};  // busy replica: the primary serves this read
    }
}

void ReplicaReads::failed() {
    std::lock_guard lock(mutex_);
    status_.usable = false;
}

ReplicaStatus ReplicaReads::status() const {
    std::lock_guard lock(mutex_);
    ReplicaStatus s = status_;
    // A measurement three intervals old says nothing about now (the monitor is stuck on a dead
    // network, say).
    if (std::chrono::steady_clock::now() - measured_at_ > 3 * options_.monitor_interval) {
        s.usable = false;
        s.lag_s.reset();
    }
    return s;
}

void ReplicaReads::monitor() {
    auto log = common::get_logger("cloud.replica");
    std::unique_ptr<db::Connection> conn;
    bool was_usable = false;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        ReplicaStatus next;
        try {
            if (!conn) conn = std::make_unique<db::Connection>(options_.conninfo);
            pqxx::nontransaction tx(conn->raw());
            const auto row = tx.exec1(kLagSql);
            next.in_recovery = row[0].as<bool>();
            if (!row[1].is_null()) next.lag_s = row[1].as<double>();
            next.usable = next.lag_s.has_value() &&
                          *next.lag_s * 1000.0 <= static_cast<double>(options_.max_lag.count());
        } catch (const std::exception& e) {
            conn.reset();
            next.error = e.what();
        }
        if (next.usable != was_usable) {
            log->info("event=replica_reads usable={} lag_s={} error={}", next.usable,
                      next.lag_s.value_or(-1.0), common::log_value(next.error));
            was_usable = next.usable;
        }
        lock.lock();
        status_ = std::move(next);
        measured_at_ = std::chrono::steady_clock::now();
        wake_.wait_for(lock, options_.monitor_interval, [this] { return stopping_; });
    }
}

}  // namespace printmon::cloud::storage
