// Encoding of the v1 documents with RapidJSON's Writer. Every v1 property is always written,
// in a fixed order, so that the output is canonical (the golden tests compare bytes).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "printmon/proto/codec.hpp"
#include "printmon/proto/enums.hpp"
#include "printmon/proto/utf8.hpp"

namespace printmon::proto {
namespace {

/// Printers report sysDescr, console text and names in whatever charset their firmware uses
/// (Latin-1, Shift-JIS...). JSON must be UTF-8 and our decoder rejects anything else, so
/// invalid bytes become U+FFFD here rather than poisoning a whole batch.
std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t length = utf8_sequence_length(text, i);
        if (length == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
    }
    return out;
}

template <typename W>
void write_string(W& w, std::string_view text) {
    const std::string clean = valid_utf8(text);
    w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

template <typename W>
void write_field(W& w, const char* key, std::string_view text) {
    w.Key(key);
    write_string(w, text);
}

template <typename W>
void write_field(W& w, const char* key, const std::optional<std::int64_t>& value) {
    w.Key(key);
    if (value) {
        w.Int64(*value);
    } else {
        w.Null();
    }
}

template <typename W>
void write_field(W& w, const char* key, const std::optional<int>& value) {
    w.Key(key);
    if (value) {
        w.Int(*value);
    } else {
        w.Null();
    }
}

template <typename W>
void write_identity(W& w, const Identity& identity) {
    w.StartObject();
    write_field(w, "vendor", identity.vendor);
    write_field(w, "model", identity.model);
    write_field(w, "serial", identity.serial);
    write_field(w, "mac", identity.mac);
    write_field(w, "firmware", identity.firmware);
    write_field(w, "sys_descr", identity.sys_descr);
    write_field(w, "sys_object_id", identity.sys_object_id);
    write_field(w, "sys_name", identity.sys_name);
    w.EndObject();
}

template <typename W>
void write_supply(W& w, const Supply& supply) {
    w.StartObject();
    write_field(w, "description", supply.description);
    write_field(w, "type", supply.type);
    write_field(w, "color", supply.color);
    write_field(w, "class", to_string(supply.supply_class));
    write_field(w, "unit", supply.unit);
    write_field(w, "level", supply.level);
    write_field(w, "max", supply.max);
    write_field(w, "level_percent", supply.level_percent);
    write_field(w, "state", to_string(supply.state));
    write_field(w, "source", supply.source);
    // Written only when known: documents without it stay as they were (older readers).
    if (supply.pages_remaining) write_field(w, "pages_remaining", supply.pages_remaining);
    w.EndObject();
}

template <typename W>
void write_tray(W& w, const Tray& tray) {
    w.StartObject();
    write_field(w, "name", tray.name);
    write_field(w, "description", tray.description);
    write_field(w, "type", tray.type);
    write_field(w, "level", tray.level);
    write_field(w, "max", tray.max);
    write_field(w, "level_percent", tray.level_percent);
    write_field(w, "state", to_string(tray.state));
    w.EndObject();
}

template <typename W>
void write_cover(W& w, const Cover& cover) {
    w.StartObject();
    write_field(w, "description", cover.description);
    write_field(w, "state", to_string(cover.state));
    w.EndObject();
}

template <typename W>
void write_status(W& w, const Status& status) {
    w.StartObject();
    write_field(w, "device", to_string(status.device));
    write_field(w, "printer", to_string(status.printer));
    w.Key("errors");
    w.StartArray();
    for (const auto& code : status.errors) {
        write_string(w, code);
    }
    w.EndArray();
    w.Key("alerts");
    w.StartArray();
    for (const auto& alert : status.alerts) {
        w.StartObject();
        write_field(w, "severity", alert.severity);
        write_field(w, "group", alert.group);
        w.Key("code");
        w.Int64(alert.code);
        write_field(w, "description", alert.description);
        w.EndObject();
    }
    w.EndArray();
    write_field(w, "console", status.console);
    w.EndObject();
}

template <typename W>
void write_counters(W& w, const std::map<std::string, std::int64_t>& counters) {
    w.StartObject();
    for (const auto& [name, value] : counters) {  // std::map: sorted, canonical
        w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
        w.Int64(value);
    }
    w.EndObject();
}

template <typename W>
void write_snapshot(W& w, const DeviceSnapshot& snapshot) {
    w.StartObject();
    write_field(w, "address", snapshot.address);
    write_field(w, "polled_at", snapshot.polled_at);
    write_field(w, "uptime", snapshot.uptime);
    w.Key("identity");
    write_identity(w, snapshot.identity);
    w.Key("counters");
    write_counters(w, snapshot.counters);
    w.Key("supplies");
    w.StartArray();
    for (const auto& supply : snapshot.supplies) {
        write_supply(w, supply);
    }
    w.EndArray();
    w.Key("trays");
    w.StartArray();
    for (const auto& tray : snapshot.trays) {
        write_tray(w, tray);
    }
    w.EndArray();
    w.Key("status");
    write_status(w, snapshot.status);
    // Optional: written only when the device reports covers, so documents of devices without
    // a cover table are byte for byte what they were.
    if (!snapshot.covers.empty()) {
        w.Key("covers");
        w.StartArray();
        for (const auto& cover : snapshot.covers) {
            write_cover(w, cover);
        }
        w.EndArray();
    }
    w.EndObject();
}

template <typename W>
void write_batch(W& w, const Batch& batch) {
    w.StartObject();
    w.Key("schema_version");
    w.Int(batch.schema_version);
    write_field(w, "batch_id", batch.batch_id);
    write_field(w, "scanner_id", batch.scanner_id);
    write_field(w, "scanner_version", batch.scanner_version);
    write_field(w, "created_at", batch.created_at);
    w.Key("devices");
    w.StartArray();
    for (const auto& device : batch.devices) {
        w.StartObject();
        write_field(w, "device_id", device.device_id);
        write_field(w, "address", device.address);
        write_field(w, "location", device.location);
        w.Key("identity");
        write_identity(w, device.identity);
        write_field(w, "first_seen", device.first_seen);
        write_field(w, "last_seen", device.last_seen);
        w.EndObject();
    }
    w.EndArray();
    w.Key("readings");
    w.StartArray();
    for (const auto& reading : batch.readings) {
        w.StartObject();
        write_field(w, "reading_id", reading.reading_id);
        write_field(w, "device_id", reading.device_id);
        w.Key("snapshot");
        write_snapshot(w, reading.snapshot);
        w.EndObject();
    }
    w.EndArray();
    w.Key("events");
    w.StartArray();
    for (const auto& event : batch.events) {
        w.StartObject();
        write_field(w, "event_id", event.event_id);
        write_field(w, "device_id", event.device_id);
        write_field(w, "at", event.at);
        write_field(w, "kind", event.kind);
        write_field(w, "code", event.code);
        write_field(w, "action", event.action);
        write_field(w, "detail", event.detail);
        w.EndObject();
    }
    w.EndArray();
    // Optional, added after the first v1 documents: absent stays absent, so a batch of an older
    // uploader re-encodes to the same bytes.
    if (batch.outbox) {
        w.Key("outbox");
        w.StartObject();
        w.Key("pending_readings");
        w.Int64(batch.outbox->pending_readings);
        w.Key("pending_events");
        w.Int64(batch.outbox->pending_events);
        if (batch.outbox->oldest_pending_at) {
            write_field(w, "oldest_pending_at", *batch.outbox->oldest_pending_at);
        }
        w.EndObject();
    }
    w.EndObject();
}

template <typename T, typename WriteFn>
std::string encode(const T& value, JsonStyle style, WriteFn write) {
    rapidjson::StringBuffer buffer;
    if (style == JsonStyle::pretty) {
        rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
        writer.SetIndent(' ', 2);
        write(writer, value);
    } else {
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        write(writer, value);
    }
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

std::string to_json(const DeviceSnapshot& snapshot, JsonStyle style) {
    return encode(snapshot, style, [](auto& w, const DeviceSnapshot& s) { write_snapshot(w, s); });
}

std::string to_json(const Batch& batch, JsonStyle style) {
    return encode(batch, style, [](auto& w, const Batch& b) { write_batch(w, b); });
}

std::string counters_to_json(const DeviceSnapshot& snapshot) {
    return encode(snapshot, JsonStyle::compact,
                  [](auto& w, const DeviceSnapshot& s) { write_counters(w, s.counters); });
}

std::string supply_levels_to_json(const DeviceSnapshot& snapshot) {
    return encode(snapshot, JsonStyle::compact, [](auto& w, const DeviceSnapshot& s) {
        w.StartArray();
        for (const auto& supply : s.supplies) {
            if (!supply.level_percent) continue;
            w.StartObject();
            write_field(w, "type", supply.type);
            write_field(w, "color", supply.color);
            write_field(w, "description", supply.description);
            write_field(w, "level_percent", supply.level_percent);
            w.EndObject();
        }
        w.EndArray();
    });
}

}  // namespace printmon::proto
