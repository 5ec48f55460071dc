#pragma once
// Which events a poll produces, as pure functions of the device's previous state and the new
// answer: online/offline, status error codes appearing and clearing, printer alert-table rows
// (prtAlertTable) opening and closing, trays running empty and refilled, covers opened and
// closed, the device's own status (hrDeviceStatus) and console text changing, cartridge changes.

#include <optional>
#include <string>
#include <vector>

#include "printmon/proto/snapshot.hpp"
#include "storage/records.hpp"

namespace printmon::scanner::storage {

/// What the store remembers of a device between polls.
struct DeviceState {
    std::string status = "unknown";  ///< unknown | online | offline
    int consecutive_failures = 0;
    std::vector<std::string> errors;                     ///< status.errors of the last reading
    std::optional<std::vector<proto::Supply>> supplies;  ///< of the last reading, if known
    std::vector<proto::Alert> alerts;                    ///< status.alerts of the last reading
    std::vector<proto::Tray> trays;                      ///< trays of the last reading
    std::vector<proto::Cover> covers;                    ///< covers of the last reading
    /// status.device and status.console of the last reading; nullopt before the first one
    /// (the first reading reports what it finds, not a change).
    std::optional<proto::DeviceStatus> device;
    std::optional<std::string> console;
};

/// The device answered: the new state and the transitions from `previous`.
struct SuccessOutcome {
    DeviceState state;
    std::vector<Transition> events;
};
SuccessOutcome on_success(const DeviceState& previous, const proto::DeviceSnapshot& snapshot);

/// The device did not answer: offline after `offline_after` consecutive failures.
struct FailureOutcome {
    DeviceState state;
    std::vector<Transition> events;
};
FailureOutcome on_failure(const DeviceState& previous, int offline_after, const std::string& error);

}  // namespace printmon::scanner::storage
