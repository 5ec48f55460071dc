#pragma once
// Reading one device end to end: identity phase, the profile-driven collection phase, and the
// snapshot built from both. Runs on the engine thread.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "polling/collector.hpp"
#include "profiles/profile.hpp"
#include "snmp/engine.hpp"
#include "snmp/fetch.hpp"

namespace printmon::scanner {

struct ProbeOutcome {
    std::optional<CollectResult> result;   ///< set when the device answered
    std::optional<snmp::SnmpError> error;  ///< why not, otherwise
    int requests = 0;                      ///< SNMP requests used
    snmp::MibView view;  ///< everything the snapshot was built from: the next repeat poll's base
};

/// Reads one device; `done` runs on the engine thread inside Engine::run().
void probe_device(snmp::Engine& engine, const snmp::Target& target, const ProfileSet& profiles,
                  std::function<void(ProbeOutcome)> done, snmp::FetchOptions options = {});

/// Repeat poll of a known device: fetches only what changes (repeat_plan) and rebuilds a
/// complete snapshot on top of `previous`, the view of an earlier full read. A device whose
/// table layout changed is caught by the periodic full read (probe_device).
void poll_known_device(snmp::Engine& engine, const snmp::Target& target, const ProfileSet& profiles,
                       snmp::MibView previous, std::function<void(ProbeOutcome)> done,
                       snmp::FetchOptions options = {});

/// `probe`'s plain-text report of a snapshot: identity, status, counters, supplies, trays and
/// covers, one line each, for a person at a terminal (support, first setup). --json is the
/// format for tools.
std::string snapshot_text(const proto::DeviceSnapshot& snap);

}  // namespace printmon::scanner
