#pragma once
// Shared by the collector tests: run a crafted recording through the same two-phase plan the
// network engine follows, then build the snapshot.

#include <cstdint>
#include <stdexcept>
#include <string>

#include "polling/collector.hpp"
#include "profiles/profile.hpp"
#include "snmp/snmprec.hpp"

namespace printmon::scanner::test {

inline const ProfileSet& builtin_profiles() {
    static const ProfileSet kProfiles = ProfileSet::embedded();
    return kProfiles;
}

inline snmp::MibView load_fixture(const std::string& name) {
    auto view = snmp::read_snmprec_file(std::string(PRINTMON_COLLECTOR_DATA) + "/" + name);
    if (!view) throw std::runtime_error(name + ": " + view.error().message);
    return *view;
}

inline CollectResult collect(const snmp::MibView& recording,
                             const ProfileSet& profiles = builtin_profiles()) {
    const auto p1 = identity_plan();
    const auto phase1 = restrict_to(recording, {p1});
    const auto p2 = collection_plan(phase1, profiles);
    const auto p3 = completion_plan(phase1, restrict_to(recording, {p1, p2}), profiles);
    return build_snapshot(restrict_to(recording, {p1, p2, p3}), profiles, "10.0.0.1",
                          "2026-01-01T00:00:00Z");
}

/// Sets `oid` in `view` to the number `n` of `type` (an agent's answer, crafted).
inline void put_int(snmp::MibView& view, const std::string& oid, std::int64_t n,
                    snmp::ValueType type = snmp::ValueType::integer) {
    view[*snmp::parse_oid(oid)] = snmp::Value{type, n, "", {}};
}

inline CollectResult collect_fixture(const std::string& name) {
    return collect(load_fixture(name));
}

}  // namespace printmon::scanner::test
