#pragma once
// Shared by the snmpsim-backed poll tests: one full read (no previous view) or one repeat poll
// of a device, through a real engine, as the scanner's service does.

#include "app/probe.hpp"

namespace printmon::scanner::test {

inline ProbeOutcome read_device(const snmp::Target& t, const ProfileSet& profiles,
                                const snmp::MibView* previous) {
    snmp::Engine engine;
    ProbeOutcome out;
    auto done = [&](ProbeOutcome o) { out = std::move(o); };
    if (previous == nullptr) {
        probe_device(engine, t, profiles, done);
    } else {
        poll_known_device(engine, t, profiles, *previous, done);
    }
    engine.run();
    return out;
}

}  // namespace printmon::scanner::test
