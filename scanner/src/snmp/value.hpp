#pragma once
// SNMP values as plain data, independent of net-snmp: what the engine returns, what snmprec
// files hold, and what the collector reads. Keeping net-snmp out of this header lets the
// collector and its tests run without any SNMP I/O.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace printmon::scanner::snmp {

/// A numeric OID. std::vector's lexicographic order is SNMP's OID order.
using Oid = std::vector<std::uint32_t>;

/// "1.3.6.1.2.1.1.1.0" (no leading dot).
std::string to_string(const Oid& oid);
/// Accepts "1.3.6.1" and ".1.3.6.1"; nullopt on anything else.
std::optional<Oid> parse_oid(std::string_view text);
/// True when `oid` lies strictly inside the subtree `prefix` (or equals it).
bool starts_with(const Oid& oid, const Oid& prefix);

enum class ValueType {
    integer,
    octets,
    object_id,
    ip_address,
    counter32,
    gauge32,
    timeticks,
    opaque,
    counter64,
    null,
    no_such_object,
    no_such_instance,
    end_of_mib_view
};

/// One varbind value. Numeric types use `number` (Counter64 above INT64_MAX is clamped);
/// octets, opaque and ip_address use `bytes` (raw octets); object_id uses `oid`.
struct Value {
    ValueType type = ValueType::null;
    std::int64_t number = 0;
    std::string bytes;
    Oid oid;

    bool is_number() const;
    /// True for noSuchObject/noSuchInstance/endOfMibView/null: "the device has no value".
    bool is_missing() const;
    bool operator==(const Value&) const = default;
};

/// Everything read from one device, keyed by OID.
using MibView = std::map<Oid, Value>;

}  // namespace printmon::scanner::snmp
