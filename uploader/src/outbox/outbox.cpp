#include "outbox/outbox.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "printmon/common/logging.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"

namespace printmon::uploader {
namespace {

struct Statement {
    const char* name;
    const char* sql;
};

// RFC 3339 UTC with milliseconds, whatever the session's TimeZone.
#define PM_UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

constexpr Statement kSettingsSelect{
    "up_settings_select",
    "SELECT key, value #>> '{}' FROM settings WHERE key IN ('cloud_url', 'scanner_key', "
    "'scanner_id')"};
// Claims: oldest first; SKIP LOCKED so that two uploaders (or an uploader and an export) never
// stamp the same rows. `$1` is '-infinity' without --since.
constexpr Statement kClaimReadings{
    "up_claim_readings",
    "SELECT reading_id, octet_length(snapshot::text) FROM readings "
    "WHERE sent_at IS NULL AND batch_id IS NULL AND polled_at >= $1::timestamptz "
    "ORDER BY polled_at, reading_id LIMIT $2 FOR UPDATE SKIP LOCKED"};
constexpr Statement kClaimEvents{
    "up_claim_events",
    "SELECT event_id, octet_length(kind) + octet_length(code) + octet_length(detail) FROM events "
    "WHERE sent_at IS NULL AND batch_id IS NULL AND at >= $1::timestamptz "
    "ORDER BY at, event_id LIMIT $2 FOR UPDATE SKIP LOCKED"};
constexpr Statement kBatchInsert{
    "up_batch_insert",
    "INSERT INTO upload_batches (batch_id, created_at, state) VALUES ($1, $2::timestamptz, $3)"};
constexpr Statement kStampReadings{
    "up_stamp_readings", "UPDATE readings SET batch_id = $1 WHERE reading_id = ANY($2::uuid[])"};
constexpr Statement kStampEvents{
    "up_stamp_events", "UPDATE events SET batch_id = $1 WHERE event_id = ANY($2::uuid[])"};
constexpr Statement kUnstampReadings{
    "up_unstamp_readings",
    "UPDATE readings SET batch_id = NULL WHERE batch_id = $1 AND reading_id = ANY($2::uuid[])"};
constexpr Statement kUnstampEvents{
    "up_unstamp_events",
    "UPDATE events SET batch_id = NULL WHERE batch_id = $1 AND event_id = ANY($2::uuid[])"};
// The lock held for the whole attempt: another uploader skips this batch meanwhile.
constexpr Statement kLockPending{
    "up_lock_pending",
    "SELECT batch_id, " PM_UTC("created_at") " FROM upload_batches WHERE state = 'pending' "
    "ORDER BY created_at, batch_id LIMIT 1 FOR UPDATE SKIP LOCKED"};
constexpr Statement kBatchSelect{
    "up_batch_select", "SELECT " PM_UTC("created_at") " FROM upload_batches WHERE batch_id = $1"};
constexpr Statement kBatchReadings{"up_batch_readings",
                                   "SELECT reading_id, device_id, snapshot::text FROM readings "
                                   "WHERE batch_id = $1 ORDER BY polled_at, reading_id"};
constexpr Statement kBatchEvents{
    "up_batch_events",
    "SELECT event_id, device_id, " PM_UTC("at") ", kind, code, action, detail FROM events "
    "WHERE batch_id = $1 ORDER BY at, event_id"};
constexpr Statement kBatchDevices{
    "up_batch_devices",
    "SELECT device_id, coalesce(address, ''), location, vendor, model, serial, mac, firmware, "
    "sys_object_id, sys_name, " PM_UTC("first_seen") ", " PM_UTC(
        "coalesce(last_seen, first_seen)") " FROM devices WHERE device_id IN "
                                           "(SELECT device_id FROM readings WHERE batch_id = $1 "
                                           "UNION SELECT device_id FROM events WHERE batch_id = $1) "
                                           "ORDER BY device_id"};
constexpr Statement kMarkRowsReadings{
    "up_mark_readings",
    "UPDATE readings SET sent_at = $2::timestamptz WHERE batch_id = $1 AND sent_at IS NULL"};
constexpr Statement kMarkRowsEvents{
    "up_mark_events",
    "UPDATE events SET sent_at = $2::timestamptz WHERE batch_id = $1 AND sent_at IS NULL"};
constexpr Statement kMarkBatchSent{
    "up_mark_batch_sent",
    "UPDATE upload_batches SET state = 'sent', sent_at = $2::timestamptz, attempts = attempts + "
    "$3, last_error = NULL WHERE batch_id = $1 AND state = 'pending'"};
constexpr Statement kQuarantine{
    "up_quarantine",
    "UPDATE upload_batches SET state = 'quarantined', attempts = attempts + 1, last_error = $2 "
    "WHERE batch_id = $1"};
constexpr Statement kAttemptFailed{
    "up_attempt_failed",
    "UPDATE upload_batches SET attempts = attempts + 1, last_error = $2 WHERE batch_id = $1"};
constexpr Statement kExportIds{
    "up_export_ids",
    "SELECT b.batch_id FROM upload_batches b "
    "WHERE (b.state = 'pending' OR ($1 AND b.state = 'sent')) AND ("
    "EXISTS (SELECT 1 FROM readings r WHERE r.batch_id = b.batch_id "
    "AND r.polled_at >= $2::timestamptz) OR "
    "EXISTS (SELECT 1 FROM events e WHERE e.batch_id = b.batch_id AND e.at >= $2::timestamptz)) "
    "ORDER BY b.created_at, b.batch_id"};
// Rows waiting for delivery: unsent minus those parked in quarantined batches. Rationale: a
// NOT EXISTS per unsent row cost a lookup per queued row after every batch; quarantined
// batches are few and found through readings_batch/events_batch (V0003).
constexpr Statement kQueueCounts{
    "up_queue_counts",
    "SELECT (SELECT count(*) FROM readings WHERE sent_at IS NULL) "
    "+ (SELECT count(*) FROM events WHERE sent_at IS NULL) "
    "- (SELECT count(*) FROM upload_batches b JOIN readings r ON r.batch_id = b.batch_id "
    "WHERE b.state = 'quarantined' AND r.sent_at IS NULL) "
    "- (SELECT count(*) FROM upload_batches b JOIN events e ON e.batch_id = b.batch_id "
    "WHERE b.state = 'quarantined' AND e.sent_at IS NULL), "
    "(SELECT count(*) FROM upload_batches WHERE state = 'pending'), "
    "(SELECT count(*) FROM upload_batches WHERE state = 'quarantined')"};
// The outbox figures a batch carries (proto::OutboxBacklog): what still waits besides batch $1,
// counted like kQueueCounts (unsent rows minus those parked in quarantined batches: they are
// not on their way). Rationale for the shape: the counts subtract the rows of this batch and of
// quarantined ones (found through readings_batch/events_batch) from a count over the
// readings_unsent/events_unsent partial indexes instead of testing every unsent row; the
// oldest walks readings_unsent in polled_at order and stops at the first row that qualifies,
// after skipping at most this batch (claimed oldest first) and quarantined rows.
constexpr Statement kBacklog{
    "up_backlog",
    "SELECT (SELECT count(*) FROM readings WHERE sent_at IS NULL) "
    "- (SELECT count(*) FROM readings WHERE batch_id = $1::uuid AND sent_at IS NULL) "
    "- (SELECT count(*) FROM upload_batches b JOIN readings r ON r.batch_id = b.batch_id "
    "WHERE b.state = 'quarantined' AND b.batch_id <> $1::uuid AND r.sent_at IS NULL), "
    "(SELECT count(*) FROM events WHERE sent_at IS NULL) "
    "- (SELECT count(*) FROM events WHERE batch_id = $1::uuid AND sent_at IS NULL) "
    "- (SELECT count(*) FROM upload_batches b JOIN events e ON e.batch_id = b.batch_id "
    "WHERE b.state = 'quarantined' AND b.batch_id <> $1::uuid AND e.sent_at IS NULL), "
    "(SELECT " PM_UTC("r.polled_at") " FROM readings r WHERE r.sent_at IS NULL AND "
    "(r.batch_id IS NULL OR (r.batch_id <> $1::uuid AND NOT EXISTS (SELECT 1 FROM upload_batches "
    "b WHERE b.batch_id = r.batch_id AND b.state = 'quarantined'))) "
    "ORDER BY r.polled_at LIMIT 1)"};
constexpr Statement kStatusUpdate{
    "up_status_update",
    "UPDATE uploader_status SET last_attempt_at = $1::timestamptz, "
    "last_success_at = CASE WHEN $2 THEN $1::timestamptz ELSE last_success_at END, "
    "last_error = $3, queue_length = $4, updated_at = now()"};

#undef PM_UTC

constexpr std::array kStatements = {
    kSettingsSelect, kClaimReadings,   kClaimEvents,   kBatchInsert,      kStampReadings,
    kStampEvents,    kUnstampReadings, kUnstampEvents, kLockPending,      kBatchSelect,
    kBatchReadings,  kBatchEvents,     kBatchDevices,  kMarkRowsReadings, kMarkRowsEvents,
    kMarkBatchSent,  kQuarantine,      kAttemptFailed, kExportIds,        kQueueCounts,
    kBacklog,        kStatusUpdate};

std::string ts(std::chrono::system_clock::time_point tp) {
    return proto::format_rfc3339(tp, proto::TimePrecision::milliseconds);
}

std::string since_param(std::optional<std::chrono::system_clock::time_point> since) {
    return since ? ts(*since) : std::string("-infinity");
}

/// A uuid[] literal. Only ids read back from uuid columns go in here, so no quoting is needed.
std::string uuid_array(const std::vector<std::string>& ids) {
    return "{" + fmt::format("{}", fmt::join(ids, ",")) + "}";
}

struct Item {
    std::string id;
    std::size_t bytes = 0;
};

std::vector<Item> items(const pqxx::result& rows) {
    std::vector<Item> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        out.push_back({r[0].as<std::string>(), r[1].as<std::size_t>()});
    }
    return out;
}

/// A rebuilt batch, or the readings whose stored snapshot no longer decodes.
struct Built {
    std::optional<proto::Batch> batch;
    std::vector<std::pair<std::string, std::string>> bad_readings;  ///< (reading_id, reason)
};

Built build(pqxx::work& tx, const std::string& batch_id, const std::string& created_at,
            const std::string& scanner_id) {
    Built out;
    proto::Batch batch;
    batch.batch_id = batch_id;
    batch.scanner_id = scanner_id;
    batch.scanner_version = PRINTMON_VERSION;
    batch.created_at = created_at;
    // sys_descr is not a devices column: take it from the device's latest snapshot here.
    std::map<std::string, std::string> sys_descr;
    for (const auto& r : tx.exec_prepared(kBatchReadings.name, batch_id)) {
        proto::Reading reading;
        reading.reading_id = r[0].as<std::string>();
        reading.device_id = r[1].as<std::string>();
        auto snapshot = proto::parse_snapshot(r[2].as<std::string>());
        if (!snapshot) {
            out.bad_readings.emplace_back(reading.reading_id, snapshot.error().message());
            continue;
        }
        reading.snapshot = std::move(*snapshot);
        sys_descr[reading.device_id] = reading.snapshot.identity.sys_descr;
        batch.readings.push_back(std::move(reading));
    }
    if (!out.bad_readings.empty()) return out;
    for (const auto& r : tx.exec_prepared(kBatchEvents.name, batch_id)) {
        proto::Event e;
        e.event_id = r[0].as<std::string>();
        e.device_id = r[1].as<std::string>();
        e.at = r[2].as<std::string>();
        e.kind = r[3].as<std::string>();
        e.code = r[4].as<std::string>();
        e.action = r[5].as<std::string>();
        e.detail = r[6].as<std::string>();
        batch.events.push_back(std::move(e));
    }
    for (const auto& r : tx.exec_prepared(kBatchDevices.name, batch_id)) {
        proto::BatchDevice d;
        d.device_id = r[0].as<std::string>();
        d.address = r[1].as<std::string>();
        d.location = r[2].as<std::string>();
        d.identity.vendor = r[3].as<std::string>();
        d.identity.model = r[4].as<std::string>();
        d.identity.serial = r[5].as<std::string>();
        d.identity.mac = r[6].as<std::string>();
        d.identity.firmware = r[7].as<std::string>();
        d.identity.sys_object_id = r[8].as<std::string>();
        d.identity.sys_name = r[9].as<std::string>();
        d.first_seen = r[10].as<std::string>();
        d.last_seen = r[11].as<std::string>();
        if (auto it = sys_descr.find(d.device_id); it != sys_descr.end()) {
            d.identity.sys_descr = it->second;
        }
        batch.devices.push_back(std::move(d));
    }
    // As of now, not as of the claim: a retry (or an export) reports the queue it leaves behind.
    const auto backlog = tx.exec_prepared1(kBacklog.name, batch_id);
    proto::OutboxBacklog outbox;
    outbox.pending_readings = backlog[0].as<std::int64_t>();
    outbox.pending_events = backlog[1].as<std::int64_t>();
    if (!backlog[2].is_null()) outbox.oldest_pending_at = backlog[2].as<std::string>();
    batch.outbox = std::move(outbox);
    out.batch = std::move(batch);
    return out;
}

/// Parks undecodable readings in a quarantined batch of their own (within `tx`).
void isolate(pqxx::work& tx, const std::string& batch_id,
             const std::vector<std::pair<std::string, std::string>>& bad, const std::string& now,
             spdlog::logger& log) {
    const std::string parked = proto::new_uuid();
    std::vector<std::string> ids;
    for (const auto& [id, reason] : bad) {
        ids.push_back(id);
        log.error("event=reading_quarantined reading_id={} batch_id={} reason={}", id, batch_id,
                  common::log_value(reason));
    }
    tx.exec_prepared(kBatchInsert.name, parked, now, "pending");
    tx.exec_prepared(kQuarantine.name, parked,
                     fmt::format("stored snapshot does not decode: {}", bad.front().second));
    tx.exec_prepared(kUnstampReadings.name, batch_id, uuid_array(ids));
    tx.exec_prepared(kStampReadings.name, parked, uuid_array(ids));
}

}  // namespace

Outbox::Outbox(db::Connection& conn, OutboxOptions options, const common::Clock& clock)
    : conn_(conn),
      options_(options),
      clock_(clock),
      claim_limit_(std::max<std::size_t>(1, options.max_readings_per_batch)) {
    prepare();
}

void Outbox::prepare() {
    for (const auto& s : kStatements) conn_->prepare(s.name, s.sql);
}

CloudSettings Outbox::cloud_settings(const std::string& url_override,
                                     const std::string& key_override) {
    CloudSettings out;
    pqxx::read_transaction tx(conn_.raw());
    for (const auto& r : tx.exec_prepared(kSettingsSelect.name)) {
        const auto key = r[0].as<std::string>();
        const auto value = r[1].get<std::string>().value_or("");
        if (key == "cloud_url") out.cloud_url = value;
        if (key == "scanner_key") out.scanner_key = value;
        if (key == "scanner_id") out.scanner_id = value;
    }
    if (!url_override.empty()) out.cloud_url = url_override;
    if (!key_override.empty()) out.scanner_key = key_override;
    return out;
}

std::optional<std::string> Outbox::claim_batch(
    std::optional<std::chrono::system_clock::time_point> since) {
    return db::with_transaction(conn_, [&](pqxx::work& tx) -> std::optional<std::string> {
        const auto limit = static_cast<long long>(claim_limit_);
        const auto readings =
            items(tx.exec_prepared(kClaimReadings.name, since_param(since), limit));
        const auto events = items(tx.exec_prepared(kClaimEvents.name, since_param(since), limit));
        if (readings.empty() && events.empty()) return std::nullopt;
        // Fill the byte budget with readings first (oldest first), then events; one oversized
        // item still gets a batch of its own.
        std::size_t budget = options_.max_batch_bytes;
        std::vector<std::string> take_readings;
        std::vector<std::string> take_events;
        const auto take = [&](const std::vector<Item>& from, std::vector<std::string>& into) {
            for (const auto& item : from) {
                const bool first = take_readings.empty() && take_events.empty();
                if (!first && item.bytes > budget) break;
                budget -= std::min(budget, item.bytes);
                into.push_back(item.id);
            }
        };
        take(readings, take_readings);
        if (take_readings.size() == readings.size()) take(events, take_events);
        const std::string batch_id = proto::new_uuid();
        tx.exec_prepared(kBatchInsert.name, batch_id, ts(clock_.now()), "pending");
        if (!take_readings.empty()) {
            tx.exec_prepared(kStampReadings.name, batch_id, uuid_array(take_readings));
        }
        if (!take_events.empty()) {
            tx.exec_prepared(kStampEvents.name, batch_id, uuid_array(take_events));
        }
        return batch_id;
    });
}

ProcessResult Outbox::process_next(const std::string& scanner_id,
                                   const std::function<AttemptResult(const proto::Batch&)>& send) {
    static const auto log = common::get_logger("uploader.outbox");
    ProcessResult out;
    pqxx::work tx(conn_.raw());
    const auto locked = tx.exec_prepared(kLockPending.name);
    if (locked.empty()) return out;
    out.attempted = true;
    out.batch_id = locked[0][0].as<std::string>();
    const auto created_at = locked[0][1].as<std::string>();
    const std::string now = ts(clock_.now());

    auto built = build(tx, out.batch_id, created_at, scanner_id);
    if (!built.batch) {
        isolate(tx, out.batch_id, built.bad_readings, now, *log);
        built = build(tx, out.batch_id, created_at, scanner_id);
        if (!built.batch) throw std::runtime_error("batch rebuild failed after isolating readings");
    }
    const proto::Batch& batch = *built.batch;
    out.readings = batch.readings.size();
    out.events = batch.events.size();
    if (batch.readings.empty() && batch.events.empty()) {
        // Everything in it was isolated: nothing left to deliver.
        tx.exec_prepared(kMarkBatchSent.name, out.batch_id, now, 0);
        tx.commit();
        out.result.disposition = Disposition::kSent;
        return out;
    }

    out.result = send(batch);
    const std::string done = ts(clock_.now());
    switch (out.result.disposition) {
        case Disposition::kSent:
            tx.exec_prepared(kMarkRowsReadings.name, out.batch_id, done);
            tx.exec_prepared(kMarkRowsEvents.name, out.batch_id, done);
            tx.exec_prepared(kMarkBatchSent.name, out.batch_id, done, 1);
            break;
        case Disposition::kQuarantine:
            tx.exec_prepared(kQuarantine.name, out.batch_id, out.result.error);
            out.quarantined = true;
            break;
        case Disposition::kSplit: {
            const std::size_t total = out.readings + out.events;
            if (total <= 1) {
                tx.exec_prepared(
                    kQuarantine.name, out.batch_id,
                    "too large for the cloud even as a single item: " + out.result.error);
                out.quarantined = true;
                break;
            }
            // Give back the newer half; it is claimed into a new batch next. The kept half
            // keeps this batch id, so an earlier partial delivery still deduplicates.
            std::size_t give_readings = out.readings / 2;
            std::size_t give_events = out.events / 2;
            if (give_readings + give_events == 0) give_events = out.events;
            std::vector<std::string> ids;
            for (std::size_t i = out.readings - give_readings; i < out.readings; ++i) {
                ids.push_back(batch.readings[i].reading_id);
            }
            if (!ids.empty())
                tx.exec_prepared(kUnstampReadings.name, out.batch_id, uuid_array(ids));
            ids.clear();
            for (std::size_t i = out.events - give_events; i < out.events; ++i) {
                ids.push_back(batch.events[i].event_id);
            }
            if (!ids.empty()) tx.exec_prepared(kUnstampEvents.name, out.batch_id, uuid_array(ids));
            tx.exec_prepared(kAttemptFailed.name, out.batch_id, out.result.error);
            claim_limit_ = std::max<std::size_t>(1, std::min(claim_limit_, out.readings / 2));
            break;
        }
        case Disposition::kKeepPending:
            tx.exec_prepared(kAttemptFailed.name, out.batch_id, out.result.error);
            break;
    }
    tx.commit();
    return out;
}

std::optional<proto::Batch> Outbox::load_batch(const std::string& batch_id,
                                               const std::string& scanner_id) {
    static const auto log = common::get_logger("uploader.outbox");
    return db::with_transaction(conn_, [&](pqxx::work& tx) -> std::optional<proto::Batch> {
        const auto row = tx.exec_prepared(kBatchSelect.name, batch_id);
        if (row.empty()) return std::nullopt;
        const auto created_at = row[0][0].as<std::string>();
        auto built = build(tx, batch_id, created_at, scanner_id);
        if (!built.batch) {
            isolate(tx, batch_id, built.bad_readings, ts(clock_.now()), *log);
            built = build(tx, batch_id, created_at, scanner_id);
        }
        return built.batch;
    });
}

std::vector<std::string> Outbox::export_batch_ids(
    bool include_sent, std::optional<std::chrono::system_clock::time_point> since) {
    pqxx::read_transaction tx(conn_.raw());
    std::vector<std::string> out;
    for (const auto& r : tx.exec_prepared(kExportIds.name, include_sent, since_param(since))) {
        out.push_back(r[0].as<std::string>());
    }
    return out;
}

bool Outbox::mark_sent(const std::string& batch_id) {
    return db::with_transaction(conn_, [&](pqxx::work& tx) {
        const std::string now = ts(clock_.now());
        if (tx.exec_prepared(kMarkBatchSent.name, batch_id, now, 0).affected_rows() != 1) {
            return false;
        }
        tx.exec_prepared(kMarkRowsReadings.name, batch_id, now);
        tx.exec_prepared(kMarkRowsEvents.name, batch_id, now);
        return true;
    });
}

QueueCounts Outbox::queue_counts() {
    pqxx::read_transaction tx(conn_.raw());
    const auto r = tx.exec_prepared(kQueueCounts.name);
    return {r[0][0].as<long long>(), r[0][1].as<long long>(), r[0][2].as<long long>()};
}

void Outbox::update_status(bool success, const std::string& error) {
    const auto counts = queue_counts();
    std::optional<std::string> err;
    if (!error.empty()) err = error;
    db::with_transaction(conn_, [&](pqxx::work& tx) {
        tx.exec_prepared(kStatusUpdate.name, ts(clock_.now()), success, err, counts.unsent_rows);
    });
}

}  // namespace printmon::uploader
