#include "storage/ingest_store.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/stream_to>
#include <pqxx/subtransaction>

#include "printmon/db/array.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/time.hpp"

namespace printmon::cloud::storage {
namespace {

constexpr const char* kInsertBatch = "ingest_insert_batch";
constexpr const char* kInsertBatchSql =
    "INSERT INTO batches (tenant_id, scanner_id, batch_id, source, scanner_version, created_at, "
    "readings, events) VALUES ($1::uuid, $2, $3::uuid, $4, $5, $6::timestamptz, $7, $8) "
    "ON CONFLICT (tenant_id, scanner_id, batch_id) DO NOTHING RETURNING 1";

// Rationale: a batch may be older than what is stored (an offline file imported late), so the
// descriptive fields only move forward in time; first/last_seen widen. A device cannot have
// been seen after the cloud received the batch: both times are clamped to the transaction's
// time, so a scanner (or a clock) claiming the future cannot own a device's description and
// keep the real scanner from correcting it (issue 14 item 7). All devices of a batch in
// one statement (arrays of the same length, one element per identity key), in identity-key
// order so concurrent batches lock device rows in the same order.
constexpr const char* kUpsertDevices = "ingest_upsert_devices";
constexpr const char* kUpsertDevicesSql =
    "INSERT INTO devices AS d (tenant_id, identity_key, vendor, model, serial, mac, firmware, "
    "location, last_address, last_scanner_id, first_seen, last_seen) "
    "SELECT $1::uuid, x.identity_key, x.vendor, x.model, x.serial, x.mac, x.firmware, "
    "x.location, x.address, $2, LEAST(x.first_seen::timestamptz, now()), "
    "LEAST(x.last_seen::timestamptz, now()) "
    "FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], "
    "$9::text[], $10::text[], $11::text[], $12::text[]) AS x(identity_key, vendor, model, serial, "
    "mac, firmware, location, address, first_seen, last_seen) "
    "ORDER BY x.identity_key "
    "ON CONFLICT (tenant_id, identity_key) DO UPDATE SET "
    "vendor = CASE WHEN EXCLUDED.last_seen >= d.last_seen THEN EXCLUDED.vendor ELSE d.vendor END, "
    "model = CASE WHEN EXCLUDED.last_seen >= d.last_seen THEN EXCLUDED.model ELSE d.model END, "
    "serial = CASE WHEN EXCLUDED.last_seen >= d.last_seen THEN EXCLUDED.serial ELSE d.serial END, "
    "mac = CASE WHEN EXCLUDED.last_seen >= d.last_seen THEN EXCLUDED.mac ELSE d.mac END, "
    "firmware = CASE WHEN EXCLUDED.last_seen >= d.last_seen THEN EXCLUDED.firmware "
    "ELSE d.firmware END, "
    "location = CASE WHEN EXCLUDED.last_seen >= d.last_seen THEN EXCLUDED.location "
    "ELSE d.location END, "
    "last_address = CASE WHEN EXCLUDED.last_seen >= d.last_seen THEN EXCLUDED.last_address "
    "ELSE d.last_address END, "
    "last_scanner_id = CASE WHEN EXCLUDED.last_seen >= d.last_seen THEN EXCLUDED.last_scanner_id "
    "ELSE d.last_scanner_id END, "
    "first_seen = LEAST(d.first_seen, EXCLUDED.first_seen), "
    "last_seen = GREATEST(d.last_seen, EXCLUDED.last_seen), "
    // V0022: the device's history changes with this batch; its kept forecasts are stale.
    "history_gen = d.history_gen + 1 "
    "RETURNING identity_key, device_id::text";

constexpr const char* kMapDevices = "ingest_map_devices";
constexpr const char* kMapDevicesSql =
    "INSERT INTO scanner_devices AS m (tenant_id, scanner_id, branch_device_id, device_id) "
    "SELECT $1::uuid, $2, x.branch_device_id, x.device_id "
    "FROM unnest($3::uuid[], $4::uuid[]) AS x(branch_device_id, device_id) "
    "ORDER BY x.branch_device_id "
    "ON CONFLICT (tenant_id, scanner_id, branch_device_id) DO UPDATE "
    "SET device_id = EXCLUDED.device_id WHERE m.device_id <> EXCLUDED.device_id";

// Readings are copied straight into `readings` (one COPY, no second pass) inside a savepoint:
// a fresh batch — the normal case online — has no reading stored before. When one was (the
// same readings re-batched after a split, or a file imported after it was uploaded) the COPY
// fails on the primary key, the savepoint is rolled back, and the batch goes through a staging
// table and INSERT ... ON CONFLICT DO NOTHING instead, which also waits out a concurrent
// delivery of the same reading. Imports take the staging path directly: a file of many batches
// would otherwise open one savepoint per batch in a single transaction.
const std::vector<std::string> kReadingColumns = {
    "tenant_id", "scanner_id", "reading_id",    "device_id", "polled_at", "total",
    "batch_id",  "serial",     "supply_levels", "counters",  "document"};
constexpr const char* kCreateStagingSql =
    "CREATE TEMP TABLE cloud_stage_readings (tenant_id uuid, scanner_id text, reading_id uuid, "
    "device_id uuid, polled_at timestamptz, total bigint, batch_id uuid, serial text, "
    "supply_levels jsonb, counters jsonb, document text) ON COMMIT DROP";
constexpr const char* kDropStagingSql = "DROP TABLE cloud_stage_readings";
// ORDER BY: concurrent batches take index locks in the same order (no deadlock between
// overlapping deliveries). The key includes polled_at, the partition key (V0012): a reading id
// always comes with the same polled_at, so a duplicate has the same key in the same partition.
constexpr const char* kInsertStagedReadings = "ingest_insert_staged_readings";
constexpr const char* kInsertStagedReadingsSql =
    "INSERT INTO readings (tenant_id, scanner_id, reading_id, device_id, polled_at, total, "
    "batch_id, serial, supply_levels, counters, document) "
    "SELECT tenant_id, scanner_id, reading_id, device_id, polled_at, total, batch_id, serial, "
    "supply_levels, counters, document FROM cloud_stage_readings ORDER BY reading_id "
    "ON CONFLICT (tenant_id, scanner_id, reading_id, polled_at) DO NOTHING";

constexpr const char* kInsertEvents = "ingest_insert_events";
constexpr const char* kInsertEventsSql =
    "INSERT INTO events (tenant_id, scanner_id, event_id, device_id, at, kind, code, action, "
    "detail, batch_id) "
    "SELECT $1::uuid, $2, x.event_id, x.device_id, x.at, x.kind, x.code, x.action, x.detail, "
    "$3::uuid FROM unnest($4::uuid[], $5::uuid[], $6::timestamptz[], $7::text[], $8::text[], "
    "$9::text[], $10::text[]) AS x(event_id, device_id, at, kind, code, action, detail) "
    "ORDER BY x.event_id "
    "ON CONFLICT (tenant_id, scanner_id, event_id) DO NOTHING";

constexpr const char* kFinishBatch = "ingest_finish_batch";
constexpr const char* kFinishBatchSql =
    "UPDATE batches SET readings_stored = $4, events_stored = $5 "
    "WHERE tenant_id = $1::uuid AND scanner_id = $2 AND batch_id = $3::uuid";

// $4: whether the batch carries the outbox figures ($5-$7). A batch without them (an uploader
// that predates the member) leaves the stored figures as they are; one with them replaces all
// three, oldest included (NULL = no reading waits).
constexpr const char* kTouchScanner = "ingest_touch_scanner";
constexpr const char* kTouchScannerSql =
    "UPDATE scanners SET last_seen_at = now(), last_version = $3, "
    "last_backlog_readings = CASE WHEN $4::boolean THEN $5::integer "
    "ELSE last_backlog_readings END, "
    "last_backlog_events = CASE WHEN $4::boolean THEN $6::integer ELSE last_backlog_events END, "
    "last_backlog_oldest_at = CASE WHEN $4::boolean THEN $7::timestamptz "
    "ELSE last_backlog_oldest_at END "
    "WHERE tenant_id = $1::uuid AND scanner_id = $2";

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

/// The columns are `integer`: a count past its range (no real branch, but the wire allows 64
/// bits) is stored as the largest value rather than failing the whole batch.
int clamp_count(std::int64_t count) {
    return static_cast<int>(std::min<std::int64_t>(count, std::numeric_limits<int>::max()));
}

std::string_view to_string(BatchSource source) {
    return source == BatchSource::online ? "online" : "import";
}

using DeviceMap = std::map<std::string, std::string>;  // branch device id -> tenant device id

// One row per identity key: two branch devices of a batch can be the same physical printer (a
// scanner that saw it at two addresses before it learned the serial). The most recently seen
// one describes it; first_seen is the earliest of them.
struct KeyedDevice {
    const proto::BatchDevice* latest = nullptr;
    std::string first_seen;
    std::chrono::system_clock::time_point first, last;
};

DeviceMap store_devices(pqxx::work& tx, const std::string& tenant_id, const proto::Batch& batch) {
    std::map<std::string, KeyedDevice> by_key;                // sorted: the lock order
    std::vector<std::pair<std::string, std::string>> key_of;  // branch device id, identity key
    for (const auto& d : batch.devices) {
        auto key = identity_key(batch.scanner_id, d);
        // parse_batch has checked both times.
        const auto first = proto::parse_rfc3339(d.first_seen).value();
        const auto last = proto::parse_rfc3339(d.last_seen).value();
        auto [it, fresh] = by_key.try_emplace(key, KeyedDevice{&d, d.first_seen, first, last});
        if (!fresh) {
            if (last > it->second.last) {
                it->second.latest = &d;
                it->second.last = last;
            }
            if (first < it->second.first) {
                it->second.first = first;
                it->second.first_seen = d.first_seen;
            }
        }
        key_of.emplace_back(d.device_id, std::move(key));
    }
    std::vector<std::string> keys, vendors, models, serials, macs, firmwares, locations, addresses,
        firsts, lasts;
    for (const auto& [key, k] : by_key) {
        const auto& id = k.latest->identity;
        keys.push_back(key);
        vendors.push_back(id.vendor);
        models.push_back(id.model);
        serials.push_back(id.serial);
        macs.push_back(lower(id.mac));
        firmwares.push_back(id.firmware);
        locations.push_back(k.latest->location);
        addresses.push_back(k.latest->address);
        firsts.push_back(k.first_seen);
        lasts.push_back(k.latest->last_seen);
    }
    std::map<std::string, std::string> device_of_key;
    for (const auto& row : tx.exec_prepared(
             kUpsertDevices, tenant_id, batch.scanner_id, db::array_literal(keys),
             db::array_literal(vendors), db::array_literal(models), db::array_literal(serials),
             db::array_literal(macs), db::array_literal(firmwares), db::array_literal(locations),
             db::array_literal(addresses), db::array_literal(firsts), db::array_literal(lasts))) {
        device_of_key.emplace(row[0].as<std::string>(), row[1].as<std::string>());
    }
    DeviceMap device_of;
    std::vector<std::string> branch_ids, device_ids;
    std::sort(key_of.begin(), key_of.end());
    for (const auto& [branch_id, key] : key_of) {
        const auto& device_id = device_of_key.at(key);
        branch_ids.push_back(branch_id);
        device_ids.push_back(device_id);
        device_of.emplace(branch_id, device_id);
    }
    if (!branch_ids.empty()) {
        tx.exec_prepared0(kMapDevices, tenant_id, batch.scanner_id, db::array_literal(branch_ids),
                          db::array_literal(device_ids));
    }
    return device_of;
}

void copy_readings(pqxx::transaction_base& tx, const std::string& table,
                   const std::string& tenant_id, const proto::Batch& batch,
                   const DeviceMap& device_of) {
    pqxx::stream_to out(tx, table, kReadingColumns);
    for (const auto& r : batch.readings) {
        const auto& s = r.snapshot;
        const auto total = s.counters.find("total");
        const std::optional<std::int64_t> total_value =
            total == s.counters.end() ? std::nullopt : std::optional<std::int64_t>(total->second);
        out << std::make_tuple(tenant_id, batch.scanner_id, r.reading_id, device_of.at(r.device_id),
                               s.polled_at, total_value, batch.batch_id, s.identity.serial,
                               proto::supply_levels_to_json(s), proto::counters_to_json(s),
                               proto::to_json(s));
    }
    out.complete();
}

}  // namespace

void prepare_statements(pqxx::connection& conn) {
    conn.prepare(kInsertBatch, kInsertBatchSql);
    conn.prepare(kUpsertDevices, kUpsertDevicesSql);
    conn.prepare(kMapDevices, kMapDevicesSql);
    conn.prepare(kInsertStagedReadings, kInsertStagedReadingsSql);
    conn.prepare(kInsertEvents, kInsertEventsSql);
    conn.prepare(kFinishBatch, kFinishBatchSql);
    conn.prepare(kTouchScanner, kTouchScannerSql);
}

std::string identity_key(const std::string& scanner_id, const proto::BatchDevice& device) {
    const auto& id = device.identity;
    if (!id.vendor.empty() && !id.serial.empty()) {
        // Vendor case varies between firmware strings; serial numbers are compared as given
        // (same rule as the scanner's own identity matching).
        return "serial:" + lower(id.vendor) + ":" + id.serial;
    }
    if (!id.mac.empty()) return "mac:" + lower(id.mac);
    return "scanner:" + scanner_id + ":" + device.device_id;
}

StoreResult store_batch(pqxx::work& tx, const std::string& tenant_id, const proto::Batch& batch,
                        BatchSource source) {
    StoreResult result;
    result.batch_id = batch.batch_id;
    const auto readings = static_cast<long long>(batch.readings.size());
    const auto events = static_cast<long long>(batch.events.size());

    if (tx.exec_prepared(kInsertBatch, tenant_id, batch.scanner_id, batch.batch_id,
                         std::string(to_string(source)), batch.scanner_version, batch.created_at,
                         readings, events)
            .empty()) {
        // Stored before (or just now by a concurrent request, whose commit we waited for): every
        // reading and event of it is there already.
        result.duplicate = true;
        result.readings_duplicate = readings;
        result.events_duplicate = events;
        return result;
    }

    const auto device_of = store_devices(tx, tenant_id, batch);

    if (!batch.readings.empty()) {
        bool copied = false;
        if (source == BatchSource::online) {
            try {
                pqxx::subtransaction direct(tx, "ingest_readings");
                copy_readings(direct, "readings", tenant_id, batch, device_of);
                direct.commit();
                copied = true;
                result.readings_stored = readings;
            } catch (const pqxx::unique_violation&) {
                // Some reading was stored before: the savepoint is rolled back, see above.
            }
        }
        if (!copied) {
            tx.exec0(kCreateStagingSql);
            copy_readings(tx, "cloud_stage_readings", tenant_id, batch, device_of);
            result.readings_stored =
                static_cast<long long>(tx.exec_prepared0(kInsertStagedReadings).affected_rows());
            tx.exec0(kDropStagingSql);
        }
    }
    result.readings_duplicate = readings - result.readings_stored;

    if (!batch.events.empty()) {
        std::vector<std::string> ids, devices, at, kinds, codes, actions, details;
        for (const auto& e : batch.events) {
            ids.push_back(e.event_id);
            devices.push_back(device_of.at(e.device_id));
            at.push_back(e.at);
            kinds.push_back(e.kind);
            codes.push_back(e.code);
            actions.push_back(e.action);
            details.push_back(e.detail);
        }
        result.events_stored = static_cast<long long>(
            tx.exec_prepared0(kInsertEvents, tenant_id, batch.scanner_id, batch.batch_id,
                              db::array_literal(ids), db::array_literal(devices),
                              db::array_literal(at), db::array_literal(kinds),
                              db::array_literal(codes), db::array_literal(actions),
                              db::array_literal(details))
                .affected_rows());
    }
    result.events_duplicate = events - result.events_stored;

    tx.exec_prepared0(kFinishBatch, tenant_id, batch.scanner_id, batch.batch_id,
                      result.readings_stored, result.events_stored);
    if (source == BatchSource::online) {
        const auto& outbox = batch.outbox;
        tx.exec_prepared0(
            kTouchScanner, tenant_id, batch.scanner_id, batch.scanner_version, outbox.has_value(),
            outbox ? std::optional<int>(clamp_count(outbox->pending_readings)) : std::nullopt,
            outbox ? std::optional<int>(clamp_count(outbox->pending_events)) : std::nullopt,
            outbox ? outbox->oldest_pending_at : std::nullopt);
    }
    return result;
}

}  // namespace printmon::cloud::storage
