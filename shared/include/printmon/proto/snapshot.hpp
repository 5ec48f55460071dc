#pragma once
// v1 data model of the two documents printmon parts exchange: the device snapshot (one poll of
// one device) and the batch (what the uploader sends and the offline file holds).
// Plain value types with no JSON dependency; the codec lives in codec.hpp.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace printmon::proto {

inline constexpr int kSchemaVersion = 1;

/// Who the device is.
struct Identity {
    std::string vendor;
    std::string model;
    std::string serial;
    std::string mac;  ///< lower-case, colon separated, or empty
    std::string firmware;
    std::string sys_descr;
    std::string sys_object_id;  ///< numeric, with a leading dot: ".1.3.6.1.4.1.11.2.3.9.1"
    std::string sys_name;
    bool operator==(const Identity&) const = default;
};

enum class SupplyState { ok, low, empty, some_remaining, unknown, unrestricted, not_installed };
enum class SupplyClass { consumed, receptacle };

/// One marker supply (toner, drum, waste, fuser...).
struct Supply {
    std::string description;
    std::string type;   ///< "toner", "opc", "waste_toner", "fuser", ... (Printer-MIB names)
    std::string color;  ///< "black", "cyan", ... or empty
    std::optional<int> level_percent;  ///< only when it is a real percentage
    SupplyState state = SupplyState::unknown;
    std::optional<std::int64_t> level;  ///< raw level as the device reports it
    std::optional<std::int64_t> max;    ///< raw maximum, absent when unknown
    std::string unit;                   ///< "percent", "impressions", "tenths_of_grams", ...
    SupplyClass supply_class = SupplyClass::consumed;
    std::string source;  ///< where the value came from ("printer-mib", "profile:ricoh", ...)
    /// Pages the unit is still good for, as the device itself counts them (Brother's "next
    /// care" records): for ordering a drum or fuser ahead of time. Added in v1 as an optional
    /// field (no version bump): absent when the device gives no such count.
    std::optional<std::int64_t> pages_remaining;
    bool operator==(const Supply&) const = default;
};

enum class TrayState { ok, low, empty, unknown, not_installed };

/// One input tray.
struct Tray {
    std::string name;
    /// prtInputDescription, else the name. Added in v1 as an optional field (no version bump):
    /// readers of older documents fill it from `name`.
    std::string description;
    std::string type;  ///< "sheet_feed_auto_removable", ...
    std::optional<std::int64_t> level;
    std::optional<std::int64_t> max;
    std::optional<int> level_percent;
    TrayState state = TrayState::unknown;
    bool operator==(const Tray&) const = default;
};

/// Tray::type of a tray fed by hand (prtInputType sheetFeedManual: a bypass or multi-purpose
/// tray, also where only its name says so). It is empty most of the day by design, so its
/// emptiness is no event and no alert.
inline constexpr const char* kTrayFedByHand = "sheet_feed_manual";
inline bool fed_by_hand(const Tray& t) { return t.type == kTrayFedByHand; }

/// prtCoverStatus: interlocks count as covers (an open interlock stops the printer too).
enum class CoverState { open, closed, unknown };

/// One cover or door (prtCoverTable, RFC 3805).
struct Cover {
    std::string description;  ///< prtCoverDescription, else "Cover <index>"
    CoverState state = CoverState::unknown;
    bool operator==(const Cover&) const = default;
};

enum class DeviceStatus { running, warning, down, testing, unknown };
enum class PrinterStatus { idle, printing, warmup, other, unknown };

/// One row of prtAlertTable (or a vendor equivalent).
struct Alert {
    std::string severity;   ///< "critical", "warning", "warning_binary_change_event", "other"
    std::string group;      ///< prtAlertGroup name ("input", "marker_supplies", "cover", ...)
    std::int64_t code = 0;  ///< prtAlertCode
    std::string description;
    bool operator==(const Alert&) const = default;
};

/// Device state at poll time.
struct Status {
    DeviceStatus device = DeviceStatus::unknown;
    PrinterStatus printer = PrinterStatus::unknown;
    std::vector<std::string> errors;  ///< codes from kErrorCodes, in that order, no duplicates
    std::vector<Alert> alerts;
    std::string console;  ///< front-panel display text, lines joined by " / "
    bool operator==(const Status&) const = default;
};

/// The error codes a snapshot may carry in status.errors (hrPrinterDetectedErrorState order).
inline const std::vector<std::string>& error_codes() {
    static const std::vector<std::string> kCodes = {"low_paper",
                                                    "no_paper",
                                                    "low_toner",
                                                    "no_toner",
                                                    "door_open",
                                                    "jammed",
                                                    "offline",
                                                    "service_requested",
                                                    "input_tray_missing",
                                                    "output_tray_missing",
                                                    "marker_supply_missing",
                                                    "output_near_full",
                                                    "output_full",
                                                    "input_tray_empty",
                                                    "overdue_prevent_maint"};
    return kCodes;
}

/// The counter names with a fixed meaning; devices may add more names.
inline const std::vector<std::string>& well_known_counters() {
    static const std::vector<std::string> kNames = {
        "total",       "mono",       "color",     "print_total", "print_mono",
        "print_color", "copy_total", "copy_mono", "copy_color",  "scan_total",
        "scan_mono",   "scan_color", "fax_total", "duplex",      "since_power_on"};
    return kNames;
}

/// One poll of one device.
struct DeviceSnapshot {
    std::string address;                 ///< host or IP the device answered on
    std::string polled_at;               ///< RFC 3339 UTC, "2026-11-24T13:00:00Z"
    std::optional<std::int64_t> uptime;  ///< seconds since the agent started
    Identity identity;
    std::map<std::string, std::int64_t> counters;
    std::vector<Supply> supplies;
    std::vector<Tray> trays;
    Status status;
    /// Optional in v1 (added without a version bump): absent when the device reports none.
    std::vector<Cover> covers;
    bool operator==(const DeviceSnapshot&) const = default;
};

/// A device as the batch describes it: a stable per-scanner id plus the latest identity.
struct BatchDevice {
    std::string device_id;  ///< UUID, stable for this scanner
    std::string address;
    std::string location;
    Identity identity;
    std::string first_seen;  ///< RFC 3339 UTC
    std::string last_seen;   ///< RFC 3339 UTC
    bool operator==(const BatchDevice&) const = default;
};

/// One reading: a snapshot of one device with an id unique per scanner.
struct Reading {
    std::string reading_id;  ///< UUID, fixed when the reading is stored
    std::string device_id;
    DeviceSnapshot snapshot;
    bool operator==(const Reading&) const = default;
};

/// A status/alert transition (an error appeared or cleared).
struct Event {
    std::string event_id;  ///< UUID, unique per scanner
    std::string device_id;
    std::string at;      ///< RFC 3339 UTC
    std::string kind;    ///< "error", "alert", "device_status", "supply_change", ...
    std::string code;    ///< e.g. "jammed"
    std::string action;  ///< "appeared" or "cleared"
    std::string detail;
    bool operator==(const Event&) const = default;
};

/// The branch's upload queue as of a batch: what still waits besides the batch itself.
/// Optional member `outbox` of the batch (added in v1 without a version bump): the cloud shows
/// it as the scanner's backlog.
struct OutboxBacklog {
    std::int64_t pending_readings = 0;  ///< readings not yet sent after this batch
    std::int64_t pending_events = 0;    ///< events not yet sent after this batch
    /// polled_at of the oldest of those readings (RFC 3339 UTC); absent when none waits.
    std::optional<std::string> oldest_pending_at;
    bool operator==(const OutboxBacklog&) const = default;
};

/// What the uploader sends and the offline file holds.
struct Batch {
    int schema_version = kSchemaVersion;
    std::string batch_id;  ///< UUID, fixed before the first attempt
    std::string scanner_id;
    std::string scanner_version;
    std::string created_at;  ///< RFC 3339 UTC
    std::vector<BatchDevice> devices;
    std::vector<Reading> readings;
    std::vector<Event> events;
    /// Absent in batches of older uploaders (and then not written).
    std::optional<OutboxBacklog> outbox;
    bool operator==(const Batch&) const = default;
};

}  // namespace printmon::proto
