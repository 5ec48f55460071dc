#pragma once
// Plain values the store reads and writes: what the scheduler, the SNMP worker and the web UI
// exchange with the branch database. No pqxx here, so pure code and tests stay light.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "printmon/proto/snapshot.hpp"
#include "snmp/engine.hpp"

namespace printmon::scanner::storage {

/// Settings edited in the UI (table `settings`), with the built-in defaults for absent keys.
struct Settings {
    std::chrono::seconds polling_interval{300};
    std::chrono::seconds discovery_interval{86400};  ///< 0: no scheduled discovery
    std::uint16_t discovery_port = 161;
    int offline_after_failures = 2;
    std::string scanner_id;  ///< generated once by the first migration
    std::string cloud_url;
    bool operator==(const Settings&) const = default;
};

/// One credential set (table `credentials`), in try order.
struct CredentialRow {
    std::string credential_id;
    std::string name;
    int ordinal = 0;
    snmp::Credentials credentials;
};

/// One discovery target (table `discovery_ranges`).
struct RangeRow {
    std::string range_id;
    std::string target;
    bool exclude = false;
    std::vector<std::string> credential_ids;  ///< sets to try, in order; empty: the global ones
};

/// A device the scheduler should poll: enabled, not deleted, with an address.
struct PollTarget {
    std::string device_id;
    std::string address;
    std::uint16_t port = 161;
    std::optional<std::string> credential_id;  ///< the set that answered last; none: try all
    /// It answered only over SNMPv1 with a community set of version 2c (column snmp_version).
    bool snmp_v1 = false;
    std::optional<std::chrono::seconds> interval;  ///< per-device override
    /// Time since the last attempt, from the database's clock; none: never polled.
    std::optional<std::chrono::seconds> since_last_poll;
    bool operator==(const PollTarget&) const = default;
};

/// A device as the UI lists it (and tests inspect it).
struct DeviceRow {
    std::string device_id;
    std::optional<std::string> address;
    std::uint16_t port = 161;
    std::string vendor;
    std::string model;
    std::string serial;
    std::string mac;
    std::string status;  ///< unknown | online | offline
    bool enabled = true;
    bool manual = false;
    bool deleted = false;
    std::optional<std::string> credential_id;
    bool snmp_v1 = false;  ///< polled over SNMPv1 with a v2c set's community (see PollTarget)
    int consecutive_failures = 0;
    std::optional<std::string> last_error;
};

/// The outcome of one poll, as the SNMP worker hands it to the store.
struct PollResult {
    /// The reading id when the device answered: fixed before the first write attempt, so a
    /// retried write after an unacknowledged commit is recognised instead of duplicated.
    std::string result_id;
    std::optional<std::string> device_id;  ///< the device polled; none: found by discovery
    std::string address;
    std::uint16_t port = 161;
    std::optional<std::string> credential_id;  ///< the set that answered
    bool snmp_v1 = false;  ///< it answered over SNMPv1, the set being of version 2c
    std::chrono::system_clock::time_point polled_at;
    std::optional<proto::DeviceSnapshot> snapshot;  ///< set when the device answered
    std::string error;                              ///< why not, otherwise
};

/// A transition to record (table `events`).
struct Transition {
    std::string kind;    ///< device_status | error | alert | tray | cover | console | supply_change
    std::string code;    ///< offline | an error code | <tray>:empty | <cover>:open | ...
    std::string action;  ///< appeared | cleared
    std::string detail;
    bool operator==(const Transition&) const = default;
};

/// What writing one PollResult did.
struct WriteOutcome {
    enum class Kind {
        written,    ///< rows written
        duplicate,  ///< this result was already written (retry after an unacknowledged commit)
        ignored,    ///< the device is deleted or unknown: nothing to write
    };
    Kind kind = Kind::written;
    std::string device_id;
    bool created = false;          ///< a new device row
    bool address_changed = false;  ///< the device moved, or displaced another one
    std::string status;            ///< the device's status after the write
    std::string previous_status;
    std::vector<Transition> events;
};

}  // namespace printmon::scanner::storage
