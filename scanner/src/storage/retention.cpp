#include "storage/retention.hpp"

#include <algorithm>
#include <array>
#include <string>

#include <pqxx/transaction>

#include "printmon/proto/time.hpp"
#include "storage/store.hpp"

namespace printmon::scanner::storage {
namespace {

struct Statement {
    const char* name;
    const char* sql;
};

// Sent readings past the raw age, oldest first: a reading superseded by a later one of the same
// device within its UTC day is deleted; the last one of a day that ended before the cutoff is
// marked daily instead (it leaves readings_prunable). The last one of the cutoff's own day is
// left undecided until its day is over: a later reading of that day may still come. A device's
// current reading (last_reading_id: the base of its supply-change detection) is never deleted;
// it is the newest of its device, so it is marked daily at most.
// $1 cutoff, $2 limit. Returns (deleted, kept, candidates).
constexpr Statement kPruneRaw{
    "retention_prune_raw",
    "WITH cand AS ("
    " SELECT reading_id, device_id, polled_at,"
    " (date_trunc('day', polled_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') + interval '1 day'"
    " AS day_end FROM readings"
    " WHERE sent_at IS NOT NULL AND NOT daily AND polled_at < $1::timestamptz"
    " ORDER BY polled_at LIMIT $2 FOR UPDATE SKIP LOCKED), "
    "judged AS ("
    " SELECT c.reading_id, c.day_end <= $1::timestamptz AS day_over,"
    " c.reading_id NOT IN (SELECT last_reading_id FROM devices"
    "  WHERE last_reading_id IS NOT NULL) AND EXISTS (SELECT 1 FROM readings l"
    "  WHERE l.device_id = c.device_id AND l.polled_at >= c.polled_at"
    "  AND (l.polled_at > c.polled_at OR l.reading_id > c.reading_id)"
    "  AND l.polled_at < c.day_end) AS superseded FROM cand c), "
    "kept AS (UPDATE readings r SET daily = true FROM judged j"
    " WHERE r.reading_id = j.reading_id AND NOT j.superseded AND j.day_over RETURNING 1), "
    "gone AS (DELETE FROM readings r USING judged j"
    " WHERE r.reading_id = j.reading_id AND j.superseded RETURNING 1) "
    "SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM kept), (SELECT count(*) FROM cand)"};
// Daily readings past the daily age (they were sent when marked; the check stays for clarity).
constexpr Statement kPruneDaily{
    "retention_prune_daily",
    "WITH cand AS ("
    " SELECT reading_id FROM readings WHERE daily AND sent_at IS NOT NULL"
    " AND polled_at < $1::timestamptz AND reading_id NOT IN (SELECT last_reading_id FROM devices"
    "  WHERE last_reading_id IS NOT NULL)"
    " ORDER BY polled_at LIMIT $2 FOR UPDATE SKIP LOCKED) "
    "DELETE FROM readings r USING cand WHERE r.reading_id = cand.reading_id"};
constexpr Statement kPruneEvents{
    "retention_prune_events",
    "WITH cand AS ("
    " SELECT event_id FROM events WHERE sent_at IS NOT NULL AND at < $1::timestamptz"
    " ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED) "
    "DELETE FROM events e USING cand WHERE e.event_id = cand.event_id"};
// The web UI's audit log (V0007) past the events' age: nothing to send, nothing refers to it.
constexpr Statement kPruneAudit{
    "retention_prune_audit",
    "WITH cand AS ("
    " SELECT entry_id FROM web_audit_log WHERE at < $1::timestamptz"
    " ORDER BY at, entry_id LIMIT $2 FOR UPDATE SKIP LOCKED) "
    "DELETE FROM web_audit_log a USING cand WHERE a.entry_id = cand.entry_id"};
// Sent batches past their age. A sent batch holds no unsent row (the uploader marks them in
// the transaction that marks the batch); the NOT EXISTS keeps that true whatever happens, since
// deleting a batch unstamps its rows (ON DELETE SET NULL). Kept daily readings lose their
// batch id, which only an export of sent batches would have used.
constexpr Statement kPruneBatches{
    "retention_prune_batches",
    "WITH cand AS ("
    " SELECT b.batch_id FROM upload_batches b WHERE b.state = 'sent'"
    " AND b.sent_at < $1::timestamptz"
    " AND NOT EXISTS (SELECT 1 FROM readings r WHERE r.batch_id = b.batch_id"
    "  AND r.sent_at IS NULL)"
    " AND NOT EXISTS (SELECT 1 FROM events e WHERE e.batch_id = b.batch_id AND e.sent_at IS NULL)"
    " ORDER BY b.sent_at LIMIT $2 FOR UPDATE SKIP LOCKED) "
    "DELETE FROM upload_batches b USING cand WHERE b.batch_id = cand.batch_id"};

constexpr std::array kStatements = {kPruneRaw, kPruneDaily, kPruneEvents, kPruneAudit,
                                    kPruneBatches};

std::string ts(std::chrono::system_clock::time_point tp) {
    return proto::format_rfc3339(tp, proto::TimePrecision::milliseconds);
}

}  // namespace

void prepare_retention_statements(pqxx::connection& conn) {
    for (const auto& s : kStatements) conn.prepare(s.name, s.sql);
}

PrunePass::PrunePass(const RetentionPolicy& policy, std::chrono::system_clock::time_point now)
    : raw_cutoff_(now - policy.raw_age),
      // Never below the raw cutoff: a daily age shorter than the raw age would delete the
      // daily keepers before the raw rows around them.
      daily_cutoff_(std::min(now - policy.daily_age, raw_cutoff_)),
      events_cutoff_(now - policy.events_age),
      batches_cutoff_(now - policy.batches_age),
      batch_size_(std::max(1, policy.batch_size)),
      phase_(policy.enabled ? Phase::raw_readings : Phase::done) {}

bool PrunePass::step(Store& store) {
    if (phase_ == Phase::done) return false;
    pqxx::work tx(store.connection().raw());
    std::int64_t touched = 0;
    switch (phase_) {
        case Phase::raw_readings: {
            const auto r = tx.exec_prepared(kPruneRaw.name, ts(raw_cutoff_), batch_size_);
            const auto deleted = r[0][0].as<std::int64_t>();
            const auto kept = r[0][1].as<std::int64_t>();
            const auto candidates = r[0][2].as<std::int64_t>();
            tx.commit();
            counts_.readings_deleted += deleted;
            counts_.readings_kept_daily += kept;
            // Undecided rows (the cutoff's day) stay at the head of the index: the phase goes on
            // while a full batch of candidates still yields work.
            touched = (deleted + kept == 0) ? 0 : candidates;
            break;
        }
        case Phase::daily_readings:
            touched = static_cast<std::int64_t>(
                tx.exec_prepared(kPruneDaily.name, ts(daily_cutoff_), batch_size_).affected_rows());
            tx.commit();
            counts_.daily_deleted += touched;
            break;
        case Phase::events:
            touched = static_cast<std::int64_t>(
                tx.exec_prepared(kPruneEvents.name, ts(events_cutoff_), batch_size_)
                    .affected_rows());
            tx.commit();
            counts_.events_deleted += touched;
            break;
        case Phase::audit:
            touched = static_cast<std::int64_t>(
                tx.exec_prepared(kPruneAudit.name, ts(events_cutoff_), batch_size_)
                    .affected_rows());
            tx.commit();
            counts_.audit_deleted += touched;
            break;
        case Phase::batches:
            touched = static_cast<std::int64_t>(
                tx.exec_prepared(kPruneBatches.name, ts(batches_cutoff_), batch_size_)
                    .affected_rows());
            tx.commit();
            counts_.batches_deleted += touched;
            break;
        case Phase::done:
            return false;
    }
    ++counts_.statements;
    // A short batch means the phase found nothing more past its cutoff. (Rows skipped because
    // another transaction held them are taken by the next pass.)
    if (touched < batch_size_) phase_ = static_cast<Phase>(static_cast<int>(phase_) + 1);
    return phase_ != Phase::done;
}

PruneCounts prune_all(Store& store, const RetentionPolicy& policy,
                      std::chrono::system_clock::time_point now) {
    PrunePass pass(policy, now);
    while (pass.step(store)) {
    }
    return pass.counts();
}

}  // namespace printmon::scanner::storage
