#pragma once
// Retention (bounded storage) of the branch database: sent readings past the raw age are pruned
// except the last one of each device and completed UTC day, which is kept (marked `daily`) up to
// the daily age; sent events and sent upload batches go past their own ages. Unsent rows are never
// touched, nor the reading a device's current state refers to (devices.last_reading_id).
//
// Rationale (small batches): every statement deletes or marks at most `batch_size` rows in its
// own short transaction, oldest first through partial indexes (V0005), so a pass over a large
// backlog never holds long locks and the service's DB thread writes poll results in between.
// Rows are locked FOR UPDATE SKIP LOCKED, and only committed sent_at values count: a batch
// the uploader is marking sent right now is simply not pruned yet.

#include <chrono>
#include <cstdint>

#include <pqxx/connection>

namespace printmon::scanner::storage {

class Store;

/// scanner.toml [retention].
struct RetentionPolicy {
    bool enabled = true;
    std::chrono::seconds raw_age{30LL * 86400};      ///< every sent reading is kept this long
    std::chrono::seconds daily_age{400LL * 86400};   ///< the day's last reading this long
    std::chrono::seconds events_age{400LL * 86400};  ///< the web UI's audit log too (V0007)
    std::chrono::seconds batches_age{30LL * 86400};  ///< sent upload batches, from sent_at
    std::chrono::seconds interval{3600};             ///< between the starts of two passes
    int batch_size = 500;                            ///< rows per statement
};

/// What a pass did.
struct PruneCounts {
    std::int64_t readings_deleted = 0;     ///< past the raw age, superseded within their day
    std::int64_t readings_kept_daily = 0;  ///< past the raw age, marked daily
    std::int64_t daily_deleted = 0;        ///< daily readings past the daily age
    std::int64_t events_deleted = 0;
    std::int64_t audit_deleted = 0;  ///< web UI audit log entries past the events' age
    std::int64_t batches_deleted = 0;
    std::int64_t statements = 0;  ///< batches run (each one transaction)

    std::int64_t deleted() const {
        return readings_deleted + daily_deleted + events_deleted + audit_deleted + batches_deleted;
    }
};

/// One pass over the tables, a batch per step(). The cutoffs are fixed when the pass starts
/// (`now` minus each age), so a pass ends even while new rows keep arriving.
class PrunePass {
  public:
    PrunePass(const RetentionPolicy& policy, std::chrono::system_clock::time_point now);

    /// Runs one batch (one statement, one transaction). Returns true while work remains.
    /// Throws what the database throws; the pass can be resumed with the next step().
    bool step(Store& store);
    bool done() const { return phase_ == Phase::done; }
    const PruneCounts& counts() const { return counts_; }

  private:
    enum class Phase { raw_readings, daily_readings, events, audit, batches, done };

    std::chrono::system_clock::time_point raw_cutoff_, daily_cutoff_, events_cutoff_,
        batches_cutoff_;
    int batch_size_;
    Phase phase_ = Phase::raw_readings;
    PruneCounts counts_;
};

/// Prepares the statements above on a new connection (Store::connect calls it).
void prepare_retention_statements(pqxx::connection& conn);

/// A whole pass at once (tests, tools): runs step() until done.
PruneCounts prune_all(Store& store, const RetentionPolicy& policy,
                      std::chrono::system_clock::time_point now);

}  // namespace printmon::scanner::storage
