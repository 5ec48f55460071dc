#pragma once
// The unattended branch service behind `printmon-scanner run`: discovery on its schedule,
// polling of every device on its interval, results persisted to the branch database.
//
// Threads (STYLE.md §4): a control thread runs the Scheduler; one SNMP thread owns the Engine
// (every net-snmp call happens there); one DB thread owns the Store (one connection). They talk
// through mutex-guarded queues. Results wait in memory (bounded) while the database is away
// and are written after it returns; each result is one transaction, so a stop or a crash never
// leaves half a poll behind.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include <spdlog/logger.h>

#include "printmon/common/clock.hpp"
#include "printmon/metrics/registry.hpp"
#include "profiles/profile.hpp"
#include "snmp/value.hpp"
#include "storage/records.hpp"
#include "storage/retention.hpp"

namespace printmon::crypto {
class SecretKey;
class SecretKeyHolder;
}  // namespace printmon::crypto

namespace printmon::scanner {

struct ProbeOutcome;
namespace storage {
class Store;
using crypto::SecretKey;
using crypto::SecretKeyHolder;
}  // namespace storage
namespace snmp {
class Engine;
}

/// What the service needs from the bootstrap configuration (scanner.toml).
struct ServiceOptions {
    std::string conninfo;  ///< libpq conninfo or URI, password included
    /// The AES-256 key of the SNMP secrets in the database; created (mode 0600) at the first
    /// start when missing. Kept outside the database, so a dump alone reveals no secrets.
    std::string secret_key_file;
    std::size_t max_queued_results = 10000;  ///< held in memory while the database is away
    std::chrono::milliseconds reconnect_min{500};
    std::chrono::milliseconds reconnect_max{30000};
    std::chrono::seconds startup_wait{120};  ///< how long start() waits for the database
    std::size_t max_in_flight = 512;         ///< SNMP requests outstanding, all devices
    std::size_t max_concurrent_polls = 64;   ///< devices polled at once
    std::chrono::milliseconds snmp_timeout{1000};
    int snmp_retries = 1;
    std::chrono::milliseconds discovery_timeout{1000};  ///< per host and credential set
    std::chrono::milliseconds tick{1000};               ///< control loop period
    std::chrono::seconds device_refresh{30};            ///< re-read the device list (UI edits)
    std::chrono::seconds shutdown_grace{30};            ///< for polls in flight and queued writes
    /// A known device is read in full every this many polls and with a repeat poll (only
    /// what changes: 2-3 requests instead of 4-7) in between; 1 = always full.
    int full_read_every = 12;
    /// Pruning of sent rows (scanner.toml [retention]), run on the DB thread when it is idle.
    storage::RetentionPolicy retention;
};

/// The retention pruner's state, for the UI (system page) and tests.
struct RetentionStatus {
    storage::RetentionPolicy policy;
    bool running = false;      ///< a pass is under way
    std::uint64_t passes = 0;  ///< completed since start
    std::optional<std::chrono::system_clock::time_point> last_started, last_finished;
    std::chrono::milliseconds last_duration{0};
    storage::PruneCounts last;  ///< of the last completed pass
    std::string last_error;     ///< of the last pass that failed ("" = none)
};

/// discover_now()'s progress, for the UI.
struct DiscoveryProgress {
    bool running = false;
    std::size_t hosts_done = 0;
    std::size_t hosts_total = 0;
    std::size_t printers_found = 0;  ///< of the last finished (or current) run
    std::uint64_t runs_completed = 0;
    std::string last_error;  ///< bad ranges, for instance
    /// Why the last run did not start, for the page to say in the user's language:
    /// "no_ranges", "bad_ranges" (last_error says which), or "".
    std::string error_code;
    /// Hosts of the last run that could not be asked (a name that does not resolve, no
    /// descriptor left) and the system's reason for the first of them.
    std::size_t hosts_unasked = 0;
    std::string unasked_reason;
};

/// A support capture of one device: its whole MIB walked with the device's own credential set
/// and redacted (snmp/redact.hpp), the file `printmon-scanner walk` writes, for an admin who
/// has no command line or does not know the SNMPv3 passwords the scanner keeps sealed. The
/// latest per device is kept in memory until the service stops.
struct SupportCapture {
    enum class State { none, running, done, failed };
    State state = State::none;
    std::string address;
    std::string snmprec;     ///< done: the file
    std::size_t values = 0;  ///< done: values in it
    /// done: what was removed, (kind, count) as RedactReport::items
    std::vector<std::pair<std::string, std::size_t>> redacted;
    std::string error;        ///< failed: why
    std::string finished_at;  ///< done or failed: RFC 3339, UTC
};

/// "none", "running", "done", "failed" (the API's `state`).
constexpr std::string_view to_string(SupportCapture::State s) {
    constexpr std::array<std::string_view, 4> kNames = {"none", "running", "done", "failed"};
    return kNames.at(static_cast<std::size_t>(s));
}

/// Counters for logs, tests and benchmarks.
struct ServiceStats {
    std::uint64_t polls_started = 0;
    std::uint64_t polls_answered = 0;
    std::uint64_t polls_failed = 0;
    std::uint64_t results_written = 0;  ///< transactions committed (answered or failed polls)
    std::uint64_t readings_written = 0;
    std::uint64_t results_dropped = 0;   ///< queue overflow during a long database outage
    std::uint64_t results_rejected = 0;  ///< a statement error (not a connection problem)
    std::uint64_t db_reconnects = 0;
    std::size_t queued_results = 0;
    bool db_connected = false;
    std::size_t scheduled_devices = 0;
    /// Polls by kind (a full read, or a repeat poll of a known device) and the SNMP requests
    /// they sent, every credential set tried.
    std::uint64_t full_reads = 0;
    std::uint64_t full_read_requests = 0;
    std::uint64_t repeat_polls = 0;
    std::uint64_t repeat_poll_requests = 0;
};

class Service {
  public:
    /// `clock` decides schedules and stamps readings; it must outlive the service.
    Service(ServiceOptions options, const common::Clock& clock, ProfileSet profiles);
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    /// Connects (waiting up to startup_wait), migrates, loads settings and starts the threads.
    /// Throws when the database cannot be reached or a migration fails.
    void start();

    /// Graceful stop: no new polls; polls in flight finish and are written (or, past the
    /// grace period, dropped whole); queued results are written while the database answers.
    /// Returns false when the SNMP thread did not finish in time (it is then detached; the
    /// caller should exit the process). Idempotent.
    bool stop();

    // --- control API (the web UI calls these) ---

    /// Polls a device as soon as possible (after re-reading the device list, so a device just
    /// added or enabled in the database is found). Asynchronous.
    void poll_now(const std::string& device_id);
    /// Starts a discovery over the enabled ranges now. False when one is already running.
    bool discover_now();
    DiscoveryProgress discovery_progress() const;
    /// Starts a support capture of a device (asynchronous; it walks the whole MIB, which takes
    /// seconds on a large MFP). False when one of it is running already. A device that is not
    /// pollable (unknown, disabled) ends as failed.
    bool capture(const std::string& device_id);
    SupportCapture capture_status(const std::string& device_id) const;
    /// Re-reads settings, credentials, ranges and devices from the database. Asynchronous.
    void reload_settings();

    ServiceStats stats() const;
    RetentionStatus retention_status() const;
    /// Starts a retention pass as soon as the DB thread is idle (tests, tools). Asynchronous.
    void prune_now();

    /// The service's operator metrics (docs/metrics.md); the caller may add its own families
    /// (the web pool, process metrics) before serving it.
    metrics::Registry& metrics() { return registry_; }

    /// The key credential secrets are sealed with (for the web UI's store); set by start().
    std::shared_ptr<storage::SecretKeyHolder> secret_key() const { return secret_key_; }

  private:
    struct PollJob;
    struct DiscoveryJob;
    struct PollState;
    struct CaptureJob;
    using Job = std::variant<std::shared_ptr<PollJob>, std::shared_ptr<DiscoveryJob>,
                             std::shared_ptr<CaptureJob>>;
    using DbTask = std::function<void(storage::Store&)>;

    void control_loop();
    void snmp_loop();
    void db_loop();

    // SNMP thread
    void start_poll(const std::shared_ptr<PollState>& state, std::size_t attempt);
    void remember_view(const PollJob& job, std::size_t attempt, ProbeOutcome& outcome, bool repeat);
    void finish_poll(const std::shared_ptr<PollState>& state, std::size_t attempt,
                     ProbeOutcome outcome);
    void run_discovery(const DiscoveryJob& job);
    void start_capture(const std::shared_ptr<CaptureJob>& job);
    void end_capture(const std::string& device_id, SupportCapture capture);
    void drain_inbox_polls();

    // DB thread
    void load_config(storage::Store& store);
    void load_devices(storage::Store& store);
    bool write_one(storage::Store& store, const storage::PollResult& result);
    /// One retention batch; `pass` is created, and reset when it ends or fails.
    void prune_step(std::optional<storage::PrunePass>& pass,
                    std::chrono::steady_clock::time_point& next_pass);

    // any thread
    void push_job(Job job);
    void push_result(storage::PollResult result);
    void push_task(DbTask task);
    void notify_control();

    /// The metric families the threads count into (registered in the constructor).
    struct Metrics {
        explicit Metrics(metrics::Registry& r);
        metrics::Family<metrics::Histogram>& poll_seconds;  ///< result
        metrics::Family<metrics::Counter>& polls;           ///< result
        metrics::Family<metrics::Counter>& snmp_timeouts;   ///< device_id
        metrics::Family<metrics::Counter>& snmp_requests;   ///< kind
        metrics::Family<metrics::Counter>& discovery_runs;  ///< result
        metrics::Gauge& discovery_printers;
        metrics::Family<metrics::Gauge>& devices;  ///< state
    };
    void register_stats_metrics();
    /// Counts one poll's SNMP requests (stats and printmon_scanner_snmp_requests_total).
    void count_requests(bool full_read, int requests);

    metrics::Registry registry_;
    Metrics metrics_{registry_};
    ServiceOptions options_;
    const common::Clock& clock_;
    ProfileSet profiles_;
    std::shared_ptr<spdlog::logger> log_;
    std::shared_ptr<storage::SecretKeyHolder> secret_key_;
    std::unique_ptr<storage::Store> store_;  // DB thread only (after start)
    std::unique_ptr<snmp::Engine> engine_;   // SNMP thread only
    bool discovery_active_ = false;          // SNMP thread only
    std::deque<std::shared_ptr<DiscoveryJob>> deferred_discoveries_;  // SNMP thread only
    /// The last full view of each device, the base of its repeat polls. SNMP thread only.
    struct KnownView {
        snmp::MibView view;
        std::string address;
        std::uint16_t port = 0;
        std::size_t attempt = 0;  ///< which credential set answered
        int repeats = 0;
    };
    std::unordered_map<std::string, KnownView> known_views_;
    storage::Settings db_settings_;  // DB thread's copy (offline_after_failures)

    // Control state, guarded by control_mutex_.
    mutable std::mutex control_mutex_;
    std::condition_variable control_cv_;
    bool stopping_ = false;
    bool want_devices_ = true;
    bool devices_requested_ = false;
    bool want_discovery_ = false;       // the control loop starts a discovery
    bool discovery_requested_ = false;  // discover_now() called, settings being re-read
    std::optional<std::vector<storage::PollTarget>> loaded_devices_;
    struct LoadedConfig {
        storage::Settings settings;
        std::vector<storage::CredentialRow> credentials;
        std::vector<storage::RangeRow> ranges;
    };
    std::optional<LoadedConfig> loaded_config_;
    std::vector<std::string> finished_polls_;
    std::vector<std::string> poll_now_ids_;
    /// Captures asked for, with the device_loads_ after which an unknown device fails.
    std::vector<std::pair<std::string, std::uint64_t>> capture_ids_;
    std::uint64_t device_loads_ = 0;  ///< device lists the control loop has taken in
    DiscoveryProgress progress_;
    std::size_t scheduled_devices_ = 0;

    // SNMP inbox, guarded by snmp_mutex_.
    std::mutex snmp_mutex_;
    std::condition_variable snmp_cv_;
    std::deque<Job> inbox_;
    bool snmp_stopping_ = false;
    bool snmp_done_ = false;
    std::condition_variable snmp_done_cv_;

    // DB queues, guarded by db_mutex_.
    mutable std::mutex db_mutex_;
    std::condition_variable db_cv_;
    std::deque<storage::PollResult> results_;
    std::deque<DbTask> tasks_;
    bool db_stopping_ = false;
    std::optional<std::chrono::steady_clock::time_point> db_drain_deadline_;
    bool prune_requested_ = false;

    // Support captures, guarded by capture_mutex_.
    mutable std::mutex capture_mutex_;
    std::unordered_map<std::string, SupportCapture> captures_;

    // Stats, guarded by stats_mutex_.
    mutable std::mutex stats_mutex_;
    ServiceStats stats_;
    RetentionStatus retention_;

    std::thread control_thread_;
    std::thread snmp_thread_;
    std::thread db_thread_;
    bool started_ = false;
    bool stopped_ = false;
};

}  // namespace printmon::scanner
