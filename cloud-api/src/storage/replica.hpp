#pragma once
// Analytics reads from a streaming replica, when the operator allows bounded staleness
// ([database] replica_conninfo, [analytics] max_replica_lag_s). A second ConnectionPool on
// the replica (opened at the first use, so a replica that is down never stops a start), and a
// monitor thread that measures the replica's lag every second on its own connection. A read
// takes a replica connection only while the last measurement is recent and within the bound;
// otherwise, and when the replica fails mid-read, it runs on the primary as before.
// Rationale: the lag is replay delay as the replica sees it (now() - the last replayed
// commit's time), 0 when it has replayed everything it received while still streaming; a
// replica cut off from its primary stops streaming, and then the age of its last replayed
// commit counts, so a lost primary cannot make a stale replica look fresh.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "storage/pool.hpp"

namespace printmon::cloud::storage {

struct ReplicaOptions {
    std::string conninfo;  ///< libpq conninfo of the replica (e.g. target_session_attrs=standby)
    std::size_t pool_size = 2;
    std::chrono::milliseconds acquire_timeout{500};
    std::chrono::milliseconds max_lag{std::chrono::seconds(30)};
    std::chrono::milliseconds monitor_interval{1000};
};

/// What /healthz reports about the replica.
struct ReplicaStatus {
    std::optional<double> lag_s;  ///< last measured lag; none when not measured recently
    bool in_recovery = false;     ///< false: the "replica" answers as a primary (promoted)
    bool usable = false;          ///< reads go to it now
    std::string error;            ///< why the last measurement failed, if it did
};

class ReplicaReads {
  public:
    /// `on_connect` runs once per pooled replica connection (statements, read session).
    ReplicaReads(ReplicaOptions options, std::function<void(pqxx::connection&)> on_connect);
    ReplicaReads(const ReplicaReads&) = delete;
    ReplicaReads& operator=(const ReplicaReads&) = delete;
    ~ReplicaReads();

    /// A replica connection when the replica is fresh enough, else an empty Lease (read on the
    /// primary). Never throws for an unreachable replica.
    Lease acquire_if_fresh();

    /// A read on the replica failed for a reason of the replica's (lost connection, recovery
    /// conflict): reads go to the primary until the monitor measures it fresh again.
    void failed();

    /// Last measurement; no database I/O (safe on an I/O thread).
    ReplicaStatus status() const;
    /// The replica pool's counters; before the pool is opened, its size and zero counters.
    db::PoolStats pool_stats();
    std::chrono::milliseconds max_lag() const { return options_.max_lag; }

    void stop();

  private:
    void monitor();
    ConnectionPool* pool();

    ReplicaOptions options_;
    std::function<void(pqxx::connection&)> on_connect_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    ReplicaStatus status_;
    std::chrono::steady_clock::time_point measured_at_{};
    std::mutex pool_mutex_;
    std::unique_ptr<ConnectionPool> pool_;
    std::chrono::steady_clock::time_point pool_retry_at_{};
    std::thread thread_;  // last: starts after the members it uses
};

}  // namespace printmon::cloud::storage
