#pragma once
// The outbox: unsent readings/events of the branch database grouped into upload batches.
//
// Rationale (delivery exactly once): a batch id is fixed before the first attempt by writing an
// upload_batches row and stamping readings/events.batch_id in one transaction; every retry
// rebuilds the same batch from the rows stamped with that id, and the cloud deduplicates on it.
// Rows are marked sent only after the cloud answered 200, in the transaction that locked the
// batch for the attempt, so a crash at any point leaves the batch pending, never lost.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "printmon/common/clock.hpp"
#include "printmon/db/connection.hpp"
#include "printmon/proto/snapshot.hpp"

namespace printmon::uploader {

/// Limits on one batch.
struct OutboxOptions {
    std::size_t max_readings_per_batch = 500;  ///< also the cap on events per batch
    /// Cap on the uncompressed size of the snapshots of one batch (a single larger reading
    /// still makes a batch of its own).
    std::size_t max_batch_bytes = std::size_t{4} << 20;
};

/// Cloud endpoint and identity, from the `settings` table with config/env overrides.
struct CloudSettings {
    std::string cloud_url;
    std::string scanner_key;
    std::string scanner_id;
    bool configured() const { return !cloud_url.empty() && !scanner_key.empty(); }
};

/// What the cloud (or the transport) said about one attempt, reduced to what the outbox does.
enum class Disposition {
    kSent,         ///< 200 (stored or duplicate): mark rows and batch sent
    kQuarantine,   ///< the cloud rejected the content (400/415/422): never retried automatically
    kSplit,        ///< 413: give back half the rows, retry smaller
    kKeepPending,  ///< anything else: count the attempt, keep the batch for a retry
};

/// Outcome of an attempt as handed back by the sender.
struct AttemptResult {
    Disposition disposition = Disposition::kKeepPending;
    std::string error;  ///< recorded in upload_batches.last_error (empty on success)
};

/// What process_next() did.
struct ProcessResult {
    bool attempted = false;  ///< false: no pending batch was free
    std::string batch_id;
    std::size_t readings = 0;
    std::size_t events = 0;
    AttemptResult result;
    bool quarantined = false;  ///< the batch ended quarantined (cloud rejection or unsplittable)
};

/// Summary of the queue for uploader_status and tests.
struct QueueCounts {
    long long unsent_rows = 0;  ///< readings + events not sent and not quarantined
    long long pending_batches = 0;
    long long quarantined_batches = 0;
};

/// Database side of the uploader. One connection, one thread.
class Outbox {
  public:
    Outbox(db::Connection& conn, OutboxOptions options, const common::Clock& clock);

    /// Settings from the database; non-empty overrides win.
    CloudSettings cloud_settings(const std::string& url_override, const std::string& key_override);

    /// Claims unsent, unbatched rows (oldest first, FOR UPDATE SKIP LOCKED) into one new
    /// pending batch and returns its id; nullopt when there is nothing to claim. With `since`,
    /// only rows at or after it are claimed.
    std::optional<std::string> claim_batch(
        std::optional<std::chrono::system_clock::time_point> since = std::nullopt);

    /// Locks the oldest pending batch no other uploader holds, rebuilds it, calls `send` with it
    /// while the lock is held, and applies the result in the same transaction.
    /// Rationale: a crash during `send` rolls back the lock only; the batch stays pending.
    ProcessResult process_next(const std::string& scanner_id,
                               const std::function<AttemptResult(const proto::Batch&)>& send);

    /// Rebuilds a batch (any state) from its rows; nullopt when the id is unknown. Readings
    /// whose stored snapshot no longer decodes are moved to a quarantined batch of their own
    /// (committed) so that the rest can still be delivered.
    std::optional<proto::Batch> load_batch(const std::string& batch_id,
                                           const std::string& scanner_id);

    /// Ids of the batches an export writes: pending ones, plus sent ones when `include_sent`,
    /// holding at least one row at or after `since` (oldest first).
    std::vector<std::string> export_batch_ids(
        bool include_sent, std::optional<std::chrono::system_clock::time_point> since);

    /// Marks a pending batch and its rows sent (export --mark-sent). False when it was not
    /// pending any more.
    bool mark_sent(const std::string& batch_id);

    QueueCounts queue_counts();

    /// Writes uploader_status (the UI's view of the uploader). `error` empty clears it.
    void update_status(bool success, const std::string& error);

    /// Current cap on readings per claimed batch (halved after a 413).
    std::size_t claim_limit() const { return claim_limit_; }

  private:
    void prepare();

    db::Connection& conn_;
    OutboxOptions options_;
    const common::Clock& clock_;
    std::size_t claim_limit_;
};

}  // namespace printmon::uploader
