#include "storage/ingest_store.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include <pqxx/stream_to>

#include "printmon/proto/codec.hpp"

namespace printmon::cloud::storage {
namespace {

constexpr const char* kInsertBatch = "ingest_insert_batch";
constexpr const char* kInsertBatchSql =
    "INSERT INTO batches (tenant_id, scanner_id, batch_id, source, scanner_version, created_at, "
    "readings, events) VALUES ($1::uuid, $2, $3::uuid, $4, $5, $6::timestamptz, $7, $8) "
    "ON CONFLICT (tenant_id, scanner_id, batch_id) DO NOTHING RETURNING 1";

// Rationale: a batch may be older than what is stored (an offline file imported late), so the
// descriptive fields only move forward in time; first/last_seen widen.
constexpr const char* kUpsertDevice = "ingest_upsert_device";
constexpr const char* kUpsertDeviceSql =
    "INSERT INTO devices AS d (tenant_id, identity_key, vendor, model, serial, mac, firmware, "
    "location, last_address, last_scanner_id, first_seen, last_seen) "
    "VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamptz, $12::timestamptz) "
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
    "last_seen = GREATEST(d.last_seen, EXCLUDED.last_seen) "
    "RETURNING device_id::text";

constexpr const char* kMapDevice = "ingest_map_device";
constexpr const char* kMapDeviceSql =
    "INSERT INTO scanner_devices AS m (tenant_id, scanner_id, branch_device_id, device_id) "
    "VALUES ($1::uuid, $2, $3::uuid, $4::uuid) "
    "ON CONFLICT (tenant_id, scanner_id, branch_device_id) DO UPDATE "
    "SET device_id = EXCLUDED.device_id WHERE m.device_id <> EXCLUDED.device_id";

// Staging tables live for one batch: created here, dropped at its end (an import stores several
// batches in one transaction), and ON COMMIT DROP covers the error path. No session state
// survives libpqxx's silent reconnects. DDL cannot be prepared, so these run as plain text.
constexpr const char* kCreateStagingSql =
    "CREATE TEMP TABLE cloud_stage_readings (reading_id uuid, device_id uuid, "
    "polled_at timestamptz, snapshot jsonb, total bigint) ON COMMIT DROP; "
    "CREATE TEMP TABLE cloud_stage_counters (reading_id uuid, name text, value bigint) "
    "ON COMMIT DROP; "
    "CREATE TEMP TABLE cloud_stage_events (event_id uuid, device_id uuid, at timestamptz, "
    "kind text, code text, action text, detail text) ON COMMIT DROP";
constexpr const char* kDropStagingSql =
    "DROP TABLE cloud_stage_readings, cloud_stage_counters, cloud_stage_events";

// Counters are written only for readings stored by this statement, so a reading delivered
// twice never counts twice. ORDER BY: concurrent batches take index locks in the same order
// (no deadlock between overlapping deliveries).
constexpr const char* kInsertReadings = "ingest_insert_readings";
constexpr const char* kInsertReadingsSql =
    "WITH ins AS ("
    " INSERT INTO readings (tenant_id, scanner_id, reading_id, device_id, polled_at, snapshot, "
    " total, batch_id)"
    " SELECT $1::uuid, $2, reading_id, device_id, polled_at, snapshot, total, $3::uuid"
    " FROM cloud_stage_readings ORDER BY reading_id"
    " ON CONFLICT (tenant_id, scanner_id, reading_id) DO NOTHING"
    " RETURNING reading_id, device_id, polled_at), "
    "cnt AS ("
    " INSERT INTO reading_counters (tenant_id, device_id, name, polled_at, value)"
    " SELECT $1::uuid, ins.device_id, c.name, ins.polled_at, c.value"
    " FROM cloud_stage_counters c JOIN ins USING (reading_id)"
    " ORDER BY ins.device_id, c.name, ins.polled_at"
    " ON CONFLICT (tenant_id, device_id, name, polled_at) DO NOTHING RETURNING 1) "
    "SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM cnt)";

constexpr const char* kInsertEvents = "ingest_insert_events";
constexpr const char* kInsertEventsSql =
    "INSERT INTO events (tenant_id, scanner_id, event_id, device_id, at, kind, code, action, "
    "detail, batch_id) "
    "SELECT $1::uuid, $2, event_id, device_id, at, kind, code, action, detail, $3::uuid "
    "FROM cloud_stage_events ORDER BY event_id "
    "ON CONFLICT (tenant_id, scanner_id, event_id) DO NOTHING";

constexpr const char* kFinishBatch = "ingest_finish_batch";
constexpr const char* kFinishBatchSql =
    "UPDATE batches SET readings_stored = $4, events_stored = $5 "
    "WHERE tenant_id = $1::uuid AND scanner_id = $2 AND batch_id = $3::uuid";

constexpr const char* kTouchScanner = "ingest_touch_scanner";
constexpr const char* kTouchScannerSql =
    "UPDATE scanners SET last_seen_at = now(), last_version = $3 "
    "WHERE tenant_id = $1::uuid AND scanner_id = $2";

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string_view to_string(BatchSource source) {
    return source == BatchSource::online ? "online" : "import";
}

}  // namespace

void prepare_statements(pqxx::connection& conn) {
    conn.prepare(kInsertBatch, kInsertBatchSql);
    conn.prepare(kUpsertDevice, kUpsertDeviceSql);
    conn.prepare(kMapDevice, kMapDeviceSql);
    conn.prepare(kInsertReadings, kInsertReadingsSql);
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

    // Devices in identity-key order, so concurrent batches lock device rows in the same order.
    std::vector<std::pair<std::string, const proto::BatchDevice*>> devices;
    devices.reserve(batch.devices.size());
    for (const auto& d : batch.devices) devices.emplace_back(identity_key(batch.scanner_id, d), &d);
    std::sort(devices.begin(), devices.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::map<std::string, std::string> device_of;  // branch device id -> tenant device id
    for (const auto& [key, d] : devices) {
        const auto& id = d->identity;
        auto device_id =
            tx.exec_prepared1(kUpsertDevice, tenant_id, key, id.vendor, id.model, id.serial,
                              lower(id.mac), id.firmware, d->location, d->address, batch.scanner_id,
                              d->first_seen, d->last_seen)[0]
                .as<std::string>();
        tx.exec_prepared0(kMapDevice, tenant_id, batch.scanner_id, d->device_id, device_id);
        device_of.emplace(d->device_id, std::move(device_id));
    }

    tx.exec0(kCreateStagingSql);
    if (!batch.readings.empty()) {
        pqxx::stream_to readings_out(
            tx, "cloud_stage_readings",
            std::vector<std::string>{"reading_id", "device_id", "polled_at", "snapshot", "total"});
        for (const auto& r : batch.readings) {
            const auto total = r.snapshot.counters.find("total");
            const std::optional<std::int64_t> total_value =
                total == r.snapshot.counters.end() ? std::nullopt
                                                   : std::optional<std::int64_t>(total->second);
            readings_out << std::make_tuple(r.reading_id, device_of.at(r.device_id),
                                            r.snapshot.polled_at, proto::to_json(r.snapshot),
                                            total_value);
        }
        readings_out.complete();
        pqxx::stream_to counters_out(tx, "cloud_stage_counters",
                                     std::vector<std::string>{"reading_id", "name", "value"});
        for (const auto& r : batch.readings) {
            for (const auto& [name, value] : r.snapshot.counters) {
                counters_out << std::make_tuple(r.reading_id, name, value);
            }
        }
        counters_out.complete();
        const auto row =
            tx.exec_prepared1(kInsertReadings, tenant_id, batch.scanner_id, batch.batch_id);
        result.readings_stored = row[0].as<long long>();
    }
    result.readings_duplicate = readings - result.readings_stored;

    if (!batch.events.empty()) {
        pqxx::stream_to events_out(tx, "cloud_stage_events",
                                   std::vector<std::string>{"event_id", "device_id", "at", "kind",
                                                            "code", "action", "detail"});
        for (const auto& e : batch.events) {
            events_out << std::make_tuple(e.event_id, device_of.at(e.device_id), e.at, e.kind,
                                          e.code, e.action, e.detail);
        }
        events_out.complete();
        result.events_stored = static_cast<long long>(
            tx.exec_prepared0(kInsertEvents, tenant_id, batch.scanner_id, batch.batch_id)
                .affected_rows());
    }
    result.events_duplicate = events - result.events_stored;
    tx.exec0(kDropStagingSql);

    tx.exec_prepared0(kFinishBatch, tenant_id, batch.scanner_id, batch.batch_id,
                      result.readings_stored, result.events_stored);
    if (source == BatchSource::online) {
        tx.exec_prepared0(kTouchScanner, tenant_id, batch.scanner_id, batch.scanner_version);
    }
    return result;
}

}  // namespace printmon::cloud::storage
