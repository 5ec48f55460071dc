#pragma once
// `printmon-uploader run`: the delivery loop. Wakes every period and promptly on the scanner's
// NOTIFY printmon_outbox, drains the outbox batch by batch, and backs off when the cloud is
// unreachable, overloaded or refuses the key.
//
// Rationale for a plain blocking loop instead of coroutines: the uploader does one thing at a
// time by design (one batch in flight keeps delivery ordered and the lock scope obvious), so
// there is no I/O thread to keep free. Waiting is poll() on the LISTEN socket and a wake pipe.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "app/unique_fd.hpp"
#include "outbox/outbox.hpp"
#include "printmon/common/clock.hpp"
#include "printmon/db/connection.hpp"
#include "printmon/metrics/registry.hpp"
#include "transport/ingest_client.hpp"

namespace printmon::uploader {

struct ServiceOptions {
    std::string conninfo;  ///< libpq conninfo of the branch database (with the password)
    std::chrono::milliseconds period{60'000};  ///< scheduled drain when nothing wakes us
    /// After a NOTIFY, wait this long so the readings of one polling round share a batch.
    std::chrono::milliseconds notify_delay{1'000};
    std::chrono::milliseconds backoff_initial{1'000};
    std::chrono::milliseconds backoff_max{300'000};
    /// Retry delay after 401/403: the key needs a human, hammering the cloud will not help.
    std::chrono::milliseconds auth_retry{300'000};
    std::string cloud_url;    ///< overrides settings.cloud_url when non-empty
    std::string scanner_key;  ///< overrides settings.scanner_key when non-empty
    OutboxOptions outbox;
    TransportOptions transport;
};

/// How a drain ended.
enum class CycleOutcome {
    kIdle,           ///< everything deliverable was delivered (or quarantined)
    kNotConfigured,  ///< cloud_url / scanner_key / scanner_id missing
    kFailed,         ///< network/TLS error, timeout or 5xx: back off
    kUnauthorized,   ///< 401/403: slow retry
    kOverloaded,     ///< 503: retry after the cloud's delay
    kDatabaseError,  ///< the branch database failed: reconnect and back off
    kStopped,        ///< request_stop() arrived between batches
};

struct CycleResult {
    CycleOutcome outcome = CycleOutcome::kIdle;
    std::size_t batches_sent = 0;  ///< 200, stored or duplicate
    std::size_t duplicates = 0;
    std::size_t quarantined = 0;
    std::size_t splits = 0;
    std::size_t wire_bytes = 0;  ///< gzip'd bodies sent (all attempts)
    std::optional<std::chrono::seconds> retry_after;
    std::string error;
};

class Service {
  public:
    /// Throws std::runtime_error for unreadable TLS files (startup error). Connects lazily.
    Service(ServiceOptions options, const common::Clock& clock);
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    /// One drain: claim, send and mark batches until none is left or an attempt fails.
    /// Never throws for database or network failures (reported in the result).
    CycleResult run_cycle();

    /// Loops until request_stop() (or a byte on stop_fd()). An attempt in flight finishes
    /// (bounded by the request timeout); a batch not acknowledged stays pending.
    void run();

    /// Thread-safe.
    void request_stop();
    /// Write end of the wake pipe: a signal handler writes one byte here to stop run()
    /// (write(2) is async-signal-safe).
    int stop_fd() const;

    /// The uploader's operator metrics (docs/metrics.md); serve them with net::MetricsServer.
    metrics::Registry& metrics() { return registry_; }

    /// Number of drains run() started (tests wait on it).
    std::size_t cycles() const { return cycles_.load(); }

  private:
    struct Listener;
    void connect();
    void reset_connections();
    void ensure_listener();
    // Waits until `deadline` (monotonic), a stop byte, or a notification; true on notification.
    bool wait(std::chrono::steady_clock::time_point deadline);

    /// Counts one send attempt's outcome and duration.
    void count_send(const SendResult& result, double seconds);
    /// Samples the outbox's backlog (DB thread, once per drain).
    void sample_backlog();

    metrics::Registry registry_;
    metrics::Gauge& backlog_rows_;
    metrics::Gauge& pending_batches_;
    metrics::Histogram& send_seconds_;
    metrics::Family<metrics::Counter>& failures_;  ///< kind
    metrics::Family<metrics::Counter>& sent_;      ///< result
    metrics::Counter& wire_bytes_;
    metrics::Gauge& last_success_;
    ServiceOptions options_;
    const common::Clock& clock_;
    IngestClient client_;
    std::unique_ptr<db::Connection> conn_;
    std::unique_ptr<Outbox> outbox_;
    std::unique_ptr<Listener> listener_;
    UniqueFd wake_read_;
    UniqueFd wake_write_;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> cycles_{0};
    bool online_ = true;  // for logging state transitions only
    bool warned_unconfigured_ = false;
};

}  // namespace printmon::uploader
