#pragma once
// From SNMP answers to a device snapshot. The engine fetches; this decides what to fetch (two
// small phases, a handful of GET/GETBULK requests) and how to read it: RFC 3805 Printer-MIB,
// RFC 2790 Host-Resources, the PWG Imaging System Counter MIB, and vendor OIDs from profiles.
// Pure functions of a MibView: no I/O, so recordings and the network give the same snapshot.

#include <map>
#include <string>
#include <vector>

#include "printmon/proto/snapshot.hpp"
#include "profiles/profile.hpp"
#include "snmp/value.hpp"

namespace printmon::scanner {

struct CollectionPlan {
    std::vector<snmp::Oid> scalars;   ///< GET these instances
    std::vector<snmp::Oid> subtrees;  ///< walk these (GETBULK) and keep what lies inside
};

/// Phase 1: scalars to GET for any device (system group, hrDevice/Printer-MIB/PWG presence).
CollectionPlan identity_plan();

/// For discovery, after a phase 1 whose hrDevice row 1 is no printer
/// (Classification::other_device_first): the hrDevice table's type and description columns,
/// one GETBULK on most agents.
CollectionPlan device_table_plan();

/// Phase 2: what to fetch for this device given phase 1's answers and the matched profile,
/// plus the standard identity objects (1284 device ID, printer name) and, when phase 1 names
/// no vendor, every profile's identity objects.
CollectionPlan collection_plan(const snmp::MibView& phase1, const ProfileSet& profiles);

/// Phase 3, usually empty: when phase 2's answers (a 1284 device ID, a vendor's private
/// identity objects) name a device phase 1 could not place, the OIDs of its profile that
/// phase 2 did not ask for. `collected` is phase 1 and phase 2 merged.
CollectionPlan completion_plan(const snmp::MibView& phase1, const snmp::MibView& collected,
                               const ProfileSet& profiles);

/// Repeat poll of a known device: exact OIDs of what changes between polls (counters, levels,
/// statuses, console, uptime, the profile's vendor counters) taken from the previous full
/// view, plus a walk of the alert table (rows come and go). Identity and table layout are
/// static, so they are reused from `previous`; see merge_repeat().
CollectionPlan repeat_plan(const snmp::MibView& previous, const ProfileSet& profiles);

/// The view a repeat poll stands for: `previous` with the repeat plan's OIDs and subtrees
/// replaced by what the poll returned (values that vanished are dropped).
snmp::MibView merge_repeat(const snmp::MibView& previous, const CollectionPlan& plan,
                           const snmp::MibView& fresh);

struct CollectResult {
    proto::DeviceSnapshot snapshot;
    std::map<std::string, std::string> sources;  ///< field -> OID/profile it came from
    std::vector<std::string> notes;              ///< problems: wrong types, truncated values...
};

/// Where a value in CollectResult::sources came from, for support: "standard" (an object of
/// a standard MIB: MIB-2, Host-Resources, Printer-MIB, PWG), "private" (a vendor's subtree),
/// "derived" (computed from other values by a profile rule).
std::string provenance(const std::string& source);

/// Builds the snapshot from everything fetched (phase 1 and phase 2 merged).
CollectResult build_snapshot(const snmp::MibView& view, const ProfileSet& profiles,
                             std::string address, std::string polled_at);

/// Printer-or-not decision for discovery, with vendor/model.
struct Classification {
    bool is_printer = false;
    std::string vendor;
    std::string model;
    /// hrDevice row 1 is another kind of device (a processor, a network card) and nothing
    /// else says printer: the printer may be another row, which device_table_plan() shows.
    bool other_device_first = false;
};
Classification classify(const snmp::MibView& phase1, const ProfileSet& profiles);

/// Keeps only what a network collection following `plans` would have returned: the exact
/// scalars and everything inside the subtrees. Lets offline tests see what the engine sees.
snmp::MibView restrict_to(const snmp::MibView& view, const std::vector<CollectionPlan>& plans);

}  // namespace printmon::scanner
