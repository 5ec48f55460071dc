#pragma once
// Reads a set of scalars and subtrees from one device with as few requests as the agent
// allows: scalars in multi-varbind GETs, subtrees as columns walked side by side in one
// GETBULK (GETNEXT on SNMPv1). Every misbehaviour (loops, endless tables, wrong errors) ends
// the affected part with a note instead of failing the device.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "snmp/engine.hpp"

namespace printmon::scanner::snmp {

struct FetchOptions {
    std::size_t get_chunk = 60;           ///< varbinds per GET (halved on tooBig)
    std::size_t bulk_budget = 240;        ///< varbinds asked per GETBULK, all columns together
    int max_reps_cap = 60;                ///< per column per GETBULK
    std::size_t max_per_subtree = 20000;  ///< endless-table guard
    std::size_t max_total = 100000;       ///< per-device guard
    /// The device already answered (a later phase): failures become notes and the fetch goes
    /// on with the remaining parts instead of failing the device.
    bool device_answered = false;
    /// The agent answered SNMPv1 and not SNMPv2c (discovery's v1 fallback): it has no object
    /// it cannot send over v1, so a GETNEXT answered noSuchName marks the end of its MIB and
    /// every object asked past that point is absent (one request instead of one each).
    bool v1_only_agent = false;
};

struct FetchResult {
    MibView view;
    std::vector<std::string> notes;  ///< what could not be read and why
    int requests = 0;                ///< SNMP requests this fetch sent
    bool answered = false;           ///< the device answered at least once
    std::optional<SnmpError> error;  ///< why the device could not be read at all
};

using FetchDone = std::function<void(FetchResult)>;

/// Options for a support walk of a whole device (`printmon-scanner walk`, the UI's support
/// capture): its one subtree, 1.3.6.1, may hold everything up to the per-device guard. The
/// endless-table guard meant for one column would cut a large MFP's walk before the vendor's
/// subtree, which comes last in OID order and is what support needs most.
inline FetchOptions whole_device_walk() {
    FetchOptions o;
    o.max_per_subtree = o.max_total;
    return o;
}

/// Fetches `scalars` then walks `subtrees`; `done` runs on the engine thread.
void fetch(Engine& engine, std::shared_ptr<Session> session, std::vector<Oid> scalars,
           std::vector<Oid> subtrees, FetchOptions options, FetchDone done);

}  // namespace printmon::scanner::snmp
