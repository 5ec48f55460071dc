#include "storage/export.hpp"

#include <map>
#include <set>
#include <string_view>
#include <utility>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <pqxx/result>

#include "printmon/common/csv.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"

namespace printmon::scanner::storage {
namespace {

struct Statement {
    const char* name;
    const char* sql;
};

// $1 scope ('unsent' | 'all' | 'range'), $2/$3 the range bounds, $4 the row cap.
constexpr Statement kExportReadings{
    "export_readings",
    "SELECT reading_id, device_id, snapshot::text FROM readings "
    "WHERE ($1 = 'all' OR ($1 = 'unsent' AND sent_at IS NULL) "
    "    OR ($1 = 'range' AND polled_at >= $2::timestamptz AND polled_at < $3::timestamptz)) "
    "ORDER BY polled_at, reading_id LIMIT $4"};
constexpr Statement kExportEvents{
    "export_events",
    "SELECT event_id, device_id, floor(extract(epoch FROM at) * 1000)::bigint, kind, code, "
    "action, detail FROM events "
    "WHERE ($1 = 'all' OR ($1 = 'unsent' AND sent_at IS NULL) "
    "    OR ($1 = 'range' AND at >= $2::timestamptz AND at < $3::timestamptz)) "
    "ORDER BY at, event_id LIMIT $4"};
constexpr Statement kExportDevices{
    "export_devices",
    "SELECT device_id, coalesce(address, ''), location, vendor, model, serial, mac, firmware, "
    "sys_object_id, sys_name, floor(extract(epoch FROM first_seen) * 1000)::bigint, "
    "floor(extract(epoch FROM coalesce(last_seen, first_seen)) * 1000)::bigint FROM devices"};

std::string time_text(long long epoch_ms) {
    return proto::format_rfc3339(
        std::chrono::system_clock::time_point(std::chrono::milliseconds(epoch_ms)));
}

const char* scope_name(ExportFilter::Scope scope) {
    switch (scope) {
        case ExportFilter::Scope::unsent:
            return "unsent";
        case ExportFilter::Scope::all:
            return "all";
        case ExportFilter::Scope::range:
            return "range";
    }
    return "unsent";
}

}  // namespace

void prepare_export_statements(pqxx::connection& conn) {
    for (const auto& s : {kExportReadings, kExportEvents, kExportDevices}) {
        conn.prepare(s.name, s.sql);
    }
}

std::vector<proto::Batch> build_export_batches(pqxx::transaction_base& tx,
                                               const ExportFilter& filter,
                                               const ExportSource& source, std::size_t* skipped) {
    const std::string scope = scope_name(filter.scope);
    const std::string from = proto::format_rfc3339(filter.from, proto::TimePrecision::milliseconds);
    const std::string to = proto::format_rfc3339(filter.to, proto::TimePrecision::milliseconds);
    // One row over the cap tells "too large" apart from "exactly the cap".
    const auto cap = static_cast<long long>(filter.max_readings) + 1;

    std::map<std::string, proto::BatchDevice> devices;
    for (const auto& r : tx.exec_prepared(kExportDevices.name)) {
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
        d.first_seen = time_text(r[10].as<long long>());
        d.last_seen = time_text(r[11].as<long long>());
        devices.emplace(d.device_id, std::move(d));
    }

    std::vector<proto::Reading> readings;
    const auto reading_rows = tx.exec_prepared(kExportReadings.name, scope, from, to, cap);
    if (reading_rows.size() > filter.max_readings) {
        throw ExportTooLarge("more than " + std::to_string(filter.max_readings) +
                             " readings match; export a shorter date range");
    }
    std::size_t bad = 0;
    for (const auto& r : reading_rows) {
        auto snapshot = proto::parse_snapshot(r[2].as<std::string>());
        if (!snapshot) {
            ++bad;
            continue;
        }
        proto::Reading reading;
        reading.reading_id = r[0].as<std::string>();
        reading.device_id = r[1].as<std::string>();
        reading.snapshot = std::move(*snapshot);
        // The device's identity in the batch is the one its newest exported reading saw.
        if (auto it = devices.find(reading.device_id); it != devices.end()) {
            it->second.identity.sys_descr = reading.snapshot.identity.sys_descr;
        }
        readings.push_back(std::move(reading));
    }
    if (skipped != nullptr) *skipped = bad;

    std::vector<proto::Event> events;
    for (const auto& r : tx.exec_prepared(kExportEvents.name, scope, from, to, cap)) {
        proto::Event e;
        e.event_id = r[0].as<std::string>();
        e.device_id = r[1].as<std::string>();
        e.at = time_text(r[2].as<long long>());
        e.kind = r[3].as<std::string>();
        e.code = r[4].as<std::string>();
        e.action = r[5].as<std::string>();
        e.detail = r[6].as<std::string>();
        events.push_back(std::move(e));
    }

    std::vector<proto::Batch> batches;
    const std::size_t per_batch = source.readings_per_batch == 0 ? 1 : source.readings_per_batch;
    std::size_t next = 0;
    while (next < readings.size() || (batches.empty() && !events.empty())) {
        proto::Batch b;
        b.batch_id = proto::new_uuid();
        b.scanner_id = source.scanner_id;
        b.scanner_version = source.scanner_version;
        b.created_at = proto::format_rfc3339(source.created_at);
        const std::size_t end = std::min(readings.size(), next + per_batch);
        for (; next < end; ++next) b.readings.push_back(std::move(readings[next]));
        if (next == readings.size()) b.events = std::exchange(events, {});
        std::set<std::string> ids;
        for (const auto& r : b.readings) ids.insert(r.device_id);
        for (const auto& e : b.events) ids.insert(e.device_id);
        for (const auto& id : ids) {
            if (auto it = devices.find(id); it != devices.end()) b.devices.push_back(it->second);
        }
        batches.push_back(std::move(b));
    }
    return batches;
}

std::string export_document(const std::vector<proto::Batch>& batches) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("format");
    w.String("printmon-export");
    w.Key("version");
    w.Int(1);
    w.Key("batches");
    w.StartArray();
    for (const auto& b : batches) {
        const std::string json = proto::to_json(b);
        w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    }
    w.EndArray();
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

std::string export_csv(const std::vector<proto::Batch>& batches) {
    static const std::vector<std::string> kCounters = {
        "total", "mono", "color", "print_total", "copy_total", "scan_total", "fax_total", "duplex"};
    std::string out =
        "reading_id,device_id,polled_at,address,location,vendor,model,serial,device_status,"
        "errors";
    for (const auto& c : kCounters) out += "," + c;
    out += "\r\n";
    for (const auto& b : batches) {
        std::map<std::string, const proto::BatchDevice*> devices;
        for (const auto& d : b.devices) devices.emplace(d.device_id, &d);
        for (const auto& r : b.readings) {
            const auto it = devices.find(r.device_id);
            const proto::BatchDevice* d = it == devices.end() ? nullptr : it->second;
            const auto& s = r.snapshot;
            std::string errors;
            for (const auto& e : s.status.errors) errors += (errors.empty() ? "" : " ") + e;
            std::string status = "unknown";
            switch (s.status.device) {
                case proto::DeviceStatus::running:
                    status = "running";
                    break;
                case proto::DeviceStatus::warning:
                    status = "warning";
                    break;
                case proto::DeviceStatus::down:
                    status = "down";
                    break;
                case proto::DeviceStatus::testing:
                    status = "testing";
                    break;
                case proto::DeviceStatus::unknown:
                    break;
            }
            const std::vector<std::string> fields = {r.reading_id,
                                                     r.device_id,
                                                     s.polled_at,
                                                     s.address,
                                                     d ? d->location : "",
                                                     s.identity.vendor,
                                                     s.identity.model,
                                                     s.identity.serial,
                                                     status,
                                                     errors};
            std::string line;
            for (std::size_t i = 0; i < fields.size(); ++i) {
                if (i > 0) line += ',';
                line += common::csv_field(fields[i]);
            }
            for (const auto& c : kCounters) {
                const auto v = s.counters.find(c);
                line += ",";
                if (v != s.counters.end()) line += std::to_string(v->second);
            }
            out += line + "\r\n";
        }
    }
    return out;
}

}  // namespace printmon::scanner::storage
