// Decoding of the v1 documents. The schema has already accepted the document when these
// readers run, so their checks are defence in depth (RapidJSON's Get*() on the wrong type is
// undefined under NDEBUG) plus the rules a schema cannot express: real dates, unique ids,
// references between devices and readings, 64-bit range, duplicate keys.

#include <optional>
#include <set>
#include <string>
#include <utility>

#include "document.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/enums.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"

namespace printmon::proto {
namespace {

using rapidjson::Value;

/// Thrown by the readers below and caught in parse_*(): a failed check deep in the tree
/// unwinds to the one place that turns it into a DecodeError, which keeps the readers linear.
struct DecodeFailure {
    DecodeError error;
};

[[noreturn]] void fail(DecodeErrorCode code, std::string pointer, std::string reason) {
    throw DecodeFailure{DecodeError{code, std::move(pointer), std::move(reason)}};
}

[[noreturn]] void fail_type(const std::string& pointer, const char* expected, const Value& got) {
    fail(DecodeErrorCode::schema_violation, pointer,
         std::string("expected ") + expected + ", got " + detail::json_type_name(got));
}

std::string child(const std::string& pointer, std::string_view key) {
    return pointer + "/" + detail::escape_pointer_token(key);
}

std::string child(const std::string& pointer, std::size_t index) {
    return pointer + "/" + std::to_string(index);
}

const Value& member(const Value& object, const char* key, const std::string& pointer) {
    if (!object.IsObject()) fail_type(pointer, "object", object);
    auto it = object.FindMember(key);
    if (it == object.MemberEnd()) {
        fail(DecodeErrorCode::schema_violation, pointer,
             std::string("missing required property '") + key + "'");
    }
    return it->value;
}

const Value& array_member(const Value& object, const char* key, const std::string& pointer) {
    const Value& value = member(object, key, pointer);
    if (!value.IsArray()) fail_type(child(pointer, key), "array", value);
    return value;
}

std::string read_string(const Value& object, const char* key, const std::string& pointer) {
    const Value& value = member(object, key, pointer);
    if (!value.IsString()) fail_type(child(pointer, key), "string", value);
    return {value.GetString(), value.GetStringLength()};
}

std::int64_t read_int64_value(const Value& value, const std::string& pointer) {
    if (value.IsInt64()) return value.GetInt64();
    if (value.IsUint64()) {
        fail(DecodeErrorCode::invalid_value, pointer,
             "value " + std::to_string(value.GetUint64()) + " exceeds the 64-bit signed range");
    }
    fail_type(pointer, "integer", value);
}

std::int64_t read_int64(const Value& object, const char* key, const std::string& pointer) {
    return read_int64_value(member(object, key, pointer), child(pointer, key));
}

std::optional<std::int64_t> read_optional_int64(const Value& object, const char* key,
                                                const std::string& pointer) {
    const Value& value = member(object, key, pointer);
    if (value.IsNull()) return std::nullopt;
    return read_int64_value(value, child(pointer, key));
}

std::optional<int> read_percent(const Value& object, const char* key, const std::string& pointer) {
    const Value& value = member(object, key, pointer);
    if (value.IsNull()) return std::nullopt;
    if (!value.IsInt()) fail_type(child(pointer, key), "integer or null", value);
    const int percent = value.GetInt();
    if (percent < 0 || percent > 100) {
        fail(DecodeErrorCode::schema_violation, child(pointer, key),
             "value " + std::to_string(percent) + " outside 0..100");
    }
    return percent;
}

template <typename E>
E read_enum(const Value& object, const char* key, const std::string& pointer,
            std::optional<E> (*from_string)(std::string_view)) {
    const std::string text = read_string(object, key, pointer);
    auto value = from_string(text);
    if (!value) {
        fail(DecodeErrorCode::schema_violation, child(pointer, key),
             "unknown value '" + text + "'");
    }
    return *value;
}

/// The schema's "pattern" keyword, checked here (see detail::Validation::patterns_in_code).
void require_pattern(bool ok, const std::string& where, const std::string& text,
                     std::string_view pattern) {
    if (!ok) {
        fail(DecodeErrorCode::schema_violation, where,
             "value '" + text + "' does not match pattern " + std::string(pattern));
    }
}

/// A UUID field (lower-case 8-4-4-4-12).
std::string read_uuid(const Value& object, const char* key, const std::string& pointer) {
    std::string text = read_string(object, key, pointer);
    require_pattern(is_uuid(text), child(pointer, key), text, detail::kUuidPattern);
    return text;
}

/// A time field: UTC shape (the schema's pattern), then the calendar (no 30 February).
std::string read_time(const Value& object, const char* key, const std::string& pointer) {
    std::string text = read_string(object, key, pointer);
    require_pattern(detail::is_utc_timestamp_shape(text), child(pointer, key), text,
                    detail::kTimestampPattern);
    if (!parse_rfc3339(text)) {
        fail(DecodeErrorCode::invalid_value, child(pointer, key),
             "invalid date-time '" + text + "'");
    }
    return text;
}

Identity read_identity(const Value& value, const std::string& pointer) {
    Identity identity;
    identity.vendor = read_string(value, "vendor", pointer);
    identity.model = read_string(value, "model", pointer);
    identity.serial = read_string(value, "serial", pointer);
    identity.mac = read_string(value, "mac", pointer);
    identity.firmware = read_string(value, "firmware", pointer);
    identity.sys_descr = read_string(value, "sys_descr", pointer);
    identity.sys_object_id = read_string(value, "sys_object_id", pointer);
    identity.sys_name = read_string(value, "sys_name", pointer);
    return identity;
}

std::map<std::string, std::int64_t> read_counters(const Value& value, const std::string& pointer) {
    if (!value.IsObject()) fail_type(pointer, "object", value);
    std::map<std::string, std::int64_t> counters;
    for (const auto& entry : value.GetObject()) {
        std::string name(entry.name.GetString(), entry.name.GetStringLength());
        const std::string where = child(pointer, name);
        if (!is_counter_name(name)) {
            fail(DecodeErrorCode::schema_violation, where,
                 "property '" + name +
                     "' not allowed: counter names must match ^[a-z][a-z0-9_]{0,63}$");
        }
        const std::int64_t count = read_int64_value(entry.value, where);
        if (count < 0) {
            fail(DecodeErrorCode::schema_violation, where,
                 "value " + std::to_string(count) + " below minimum 0");
        }
        // JSON allows repeated keys and RapidJSON keeps both; which one wins would be arbitrary.
        if (!counters.emplace(std::move(name), count).second) {
            fail(DecodeErrorCode::invalid_value, where, "duplicate counter name");
        }
    }
    return counters;
}

Supply read_supply(const Value& value, const std::string& pointer) {
    Supply supply;
    supply.description = read_string(value, "description", pointer);
    supply.type = read_string(value, "type", pointer);
    supply.color = read_string(value, "color", pointer);
    supply.supply_class = read_enum(value, "class", pointer, &supply_class_from_string);
    supply.unit = read_string(value, "unit", pointer);
    supply.level = read_optional_int64(value, "level", pointer);
    supply.max = read_optional_int64(value, "max", pointer);
    supply.level_percent = read_percent(value, "level_percent", pointer);
    supply.state = read_enum(value, "state", pointer, &supply_state_from_string);
    supply.source = read_string(value, "source", pointer);
    // Optional (added after the first v1 documents): absent or null means unknown.
    if (value.HasMember("pages_remaining")) {
        supply.pages_remaining = read_optional_int64(value, "pages_remaining", pointer);
        if (supply.pages_remaining && *supply.pages_remaining < 0) {
            fail(DecodeErrorCode::schema_violation, child(pointer, "pages_remaining"),
                 "value " + std::to_string(*supply.pages_remaining) + " below minimum 0");
        }
    }
    return supply;
}

Tray read_tray(const Value& value, const std::string& pointer) {
    Tray tray;
    tray.name = read_string(value, "name", pointer);
    // Optional (added after the first v1 documents): absent means "same as name".
    tray.description = value.HasMember("description") && value["description"].IsString()
                           ? read_string(value, "description", pointer)
                           : tray.name;
    tray.type = read_string(value, "type", pointer);
    tray.level = read_optional_int64(value, "level", pointer);
    tray.max = read_optional_int64(value, "max", pointer);
    tray.level_percent = read_percent(value, "level_percent", pointer);
    tray.state = read_enum(value, "state", pointer, &tray_state_from_string);
    return tray;
}

Status read_status(const Value& value, const std::string& pointer) {
    Status status;
    status.device = read_enum(value, "device", pointer, &device_status_from_string);
    status.printer = read_enum(value, "printer", pointer, &printer_status_from_string);
    const Value& errors = array_member(value, "errors", pointer);
    std::set<std::string> seen;
    for (rapidjson::SizeType i = 0; i < errors.Size(); ++i) {
        const std::string where = child(child(pointer, "errors"), i);
        if (!errors[i].IsString()) fail_type(where, "string", errors[i]);
        std::string code(errors[i].GetString(), errors[i].GetStringLength());
        if (!is_error_code(code)) {
            fail(DecodeErrorCode::schema_violation, where, "unknown error code '" + code + "'");
        }
        if (!seen.insert(code).second) {
            fail(DecodeErrorCode::schema_violation, where, "duplicate array item '" + code + "'");
        }
        status.errors.push_back(std::move(code));
    }
    const Value& alerts = array_member(value, "alerts", pointer);
    for (rapidjson::SizeType i = 0; i < alerts.Size(); ++i) {
        const std::string where = child(child(pointer, "alerts"), i);
        Alert alert;
        alert.severity = read_string(alerts[i], "severity", where);
        alert.group = read_string(alerts[i], "group", where);
        alert.code = read_int64(alerts[i], "code", where);
        alert.description = read_string(alerts[i], "description", where);
        status.alerts.push_back(std::move(alert));
    }
    status.console = read_string(value, "console", pointer);
    return status;
}

DeviceSnapshot read_snapshot(const Value& value, const std::string& pointer) {
    DeviceSnapshot snapshot;
    snapshot.address = read_string(value, "address", pointer);
    snapshot.polled_at = read_time(value, "polled_at", pointer);
    snapshot.uptime = read_optional_int64(value, "uptime", pointer);
    if (snapshot.uptime && *snapshot.uptime < 0) {
        fail(DecodeErrorCode::schema_violation, child(pointer, "uptime"),
             "value " + std::to_string(*snapshot.uptime) + " below minimum 0");
    }
    snapshot.identity =
        read_identity(member(value, "identity", pointer), child(pointer, "identity"));
    snapshot.counters =
        read_counters(member(value, "counters", pointer), child(pointer, "counters"));
    const Value& supplies = array_member(value, "supplies", pointer);
    for (rapidjson::SizeType i = 0; i < supplies.Size(); ++i) {
        snapshot.supplies.push_back(read_supply(supplies[i], child(child(pointer, "supplies"), i)));
    }
    const Value& trays = array_member(value, "trays", pointer);
    for (rapidjson::SizeType i = 0; i < trays.Size(); ++i) {
        snapshot.trays.push_back(read_tray(trays[i], child(child(pointer, "trays"), i)));
    }
    snapshot.status = read_status(member(value, "status", pointer), child(pointer, "status"));
    // Optional (added in v1 without a bump): absent means the device reported no covers.
    if (const auto covers = value.FindMember("covers"); covers != value.MemberEnd()) {
        const Value& list = array_member(value, "covers", pointer);
        for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
            const Value& c = list[i];
            const std::string at = child(child(pointer, "covers"), i);
            Cover cover;
            cover.description = read_string(c, "description", at);
            cover.state = read_enum(c, "state", at, &cover_state_from_string);
            snapshot.covers.push_back(std::move(cover));
        }
    }
    return snapshot;
}

/// A count that must not be negative (the schema's "minimum": 0, checked again here).
std::int64_t read_count(const Value& object, const char* key, const std::string& pointer) {
    const std::int64_t count = read_int64(object, key, pointer);
    if (count < 0) {
        fail(DecodeErrorCode::schema_violation, child(pointer, key),
             "value " + std::to_string(count) + " below minimum 0");
    }
    return count;
}

/// The optional "outbox" member: absent in batches of older uploaders.
std::optional<OutboxBacklog> read_outbox(const Value& root) {
    const auto it = root.FindMember("outbox");
    if (it == root.MemberEnd()) return std::nullopt;
    const std::string where = "/outbox";
    if (!it->value.IsObject()) fail_type(where, "object", it->value);
    OutboxBacklog outbox;
    outbox.pending_readings = read_count(it->value, "pending_readings", where);
    outbox.pending_events = read_count(it->value, "pending_events", where);
    if (it->value.HasMember("oldest_pending_at")) {
        outbox.oldest_pending_at = read_time(it->value, "oldest_pending_at", where);
    }
    return outbox;
}

/// Reads an id that must be unique within its array.
std::string read_unique_id(const Value& object, const char* key, const std::string& pointer,
                           std::set<std::string>& seen) {
    std::string id = read_uuid(object, key, pointer);
    if (!seen.insert(id).second) {
        fail(DecodeErrorCode::invalid_value, child(pointer, key),
             std::string("duplicate ") + key + " '" + id + "'");
    }
    return id;
}

/// Reads a device_id that must name an entry of /devices.
std::string read_device_ref(const Value& object, const std::string& pointer,
                            const std::set<std::string>& devices) {
    std::string id = read_uuid(object, "device_id", pointer);
    if (devices.count(id) == 0) {
        fail(DecodeErrorCode::invalid_value, child(pointer, "device_id"),
             "device_id '" + id + "' is not listed in /devices");
    }
    return id;
}

Batch read_batch(const Value& root) {
    Batch batch;
    const std::string top;
    const Value& version = member(root, "schema_version", top);
    if (!version.IsInt()) fail_type("/schema_version", "integer", version);
    batch.schema_version = version.GetInt();
    batch.batch_id = read_uuid(root, "batch_id", top);
    batch.scanner_id = read_string(root, "scanner_id", top);
    batch.scanner_version = read_string(root, "scanner_version", top);
    batch.created_at = read_time(root, "created_at", top);

    std::set<std::string> device_ids;
    const Value& devices = array_member(root, "devices", top);
    for (rapidjson::SizeType i = 0; i < devices.Size(); ++i) {
        const std::string where = child("/devices", i);
        BatchDevice device;
        device.device_id = read_unique_id(devices[i], "device_id", where, device_ids);
        device.address = read_string(devices[i], "address", where);
        device.location = read_string(devices[i], "location", where);
        device.identity =
            read_identity(member(devices[i], "identity", where), child(where, "identity"));
        device.first_seen = read_time(devices[i], "first_seen", where);
        device.last_seen = read_time(devices[i], "last_seen", where);
        batch.devices.push_back(std::move(device));
    }

    std::set<std::string> reading_ids;
    const Value& readings = array_member(root, "readings", top);
    for (rapidjson::SizeType i = 0; i < readings.Size(); ++i) {
        const std::string where = child("/readings", i);
        Reading reading;
        reading.reading_id = read_unique_id(readings[i], "reading_id", where, reading_ids);
        reading.device_id = read_device_ref(readings[i], where, device_ids);
        reading.snapshot =
            read_snapshot(member(readings[i], "snapshot", where), child(where, "snapshot"));
        batch.readings.push_back(std::move(reading));
    }

    std::set<std::string> event_ids;
    const Value& events = array_member(root, "events", top);
    for (rapidjson::SizeType i = 0; i < events.Size(); ++i) {
        const std::string where = child("/events", i);
        Event event;
        event.event_id = read_unique_id(events[i], "event_id", where, event_ids);
        event.device_id = read_device_ref(events[i], where, device_ids);
        event.at = read_time(events[i], "at", where);
        event.kind = read_string(events[i], "kind", where);
        require_pattern(is_counter_name(event.kind), child(where, "kind"), event.kind,
                        detail::kNamePattern);
        event.code = read_string(events[i], "code", where);
        event.action = read_string(events[i], "action", where);
        event.detail = read_string(events[i], "detail", where);
        batch.events.push_back(std::move(event));
    }
    batch.outbox = read_outbox(root);
    return batch;
}

}  // namespace

tl::expected<DeviceSnapshot, DecodeError> parse_snapshot(std::string_view json,
                                                         std::size_t max_bytes) {
    rapidjson::Document doc;
    if (auto loaded = detail::load_document(json, max_bytes, detail::DocumentKind::snapshot, doc,
                                            detail::Validation::patterns_in_code);
        !loaded) {
        return tl::make_unexpected(std::move(loaded.error()));
    }
    try {
        return read_snapshot(doc, "");
    } catch (DecodeFailure& failure) {
        return tl::make_unexpected(std::move(failure.error));
    }
}

tl::expected<Batch, DecodeError> parse_batch(std::string_view json, std::size_t max_bytes) {
    rapidjson::Document doc;
    if (auto loaded = detail::load_document(json, max_bytes, detail::DocumentKind::batch, doc,
                                            detail::Validation::patterns_in_code);
        !loaded) {
        return tl::make_unexpected(std::move(loaded.error()));
    }
    try {
        return read_batch(doc);
    } catch (DecodeFailure& failure) {
        return tl::make_unexpected(std::move(failure.error));
    }
}

}  // namespace printmon::proto
