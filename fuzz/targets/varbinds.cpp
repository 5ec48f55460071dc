// SNMP value decoding and the collector over random varbind sets: each record of the input is
// one varbind (an OID near one the collector asks for, a wire type and a value of any length),
// built as net-snmp's own parser builds it (snmp_varlist_add_variable), turned into a Value by
// the engine's to_value, and answered by a fake in-process agent to the three-phase poll.

// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
// clang-format on

#include <algorithm>
#include <array>
#include <set>
#include <vector>

#include "polling/collector.hpp"
#include "profiles/profile.hpp"
#include "snmp/varbind.hpp"
#include "support.hpp"

namespace printmon::fuzz {

void poll_fake_agent(const char* target, const scanner::snmp::MibView& agent);

namespace {

using scanner::snmp::Oid;

/// OIDs the collector asks for: the identity plan, and the collection plan of a device of
/// each vendor the profiles know (so vendor-private objects are reachable too).
const std::vector<Oid>& known_oids() {
    static const std::vector<Oid> kOids = [] {
        std::set<Oid> all;
        const auto add = [&all](const scanner::CollectionPlan& plan) {
            all.insert(plan.scalars.begin(), plan.scalars.end());
            all.insert(plan.subtrees.begin(), plan.subtrees.end());
        };
        const auto profiles = scanner::ProfileSet::embedded();
        add(scanner::identity_plan());
        static constexpr std::array<std::uint32_t, 14> kEnterprises = {
            11, 367, 1347, 2435, 1602, 641, 18334, 2385, 253, 1248, 236, 20540, 2001, 1129};
        for (const auto enterprise : kEnterprises) {
            scanner::snmp::MibView phase1;
            scanner::snmp::Value id;
            id.type = scanner::snmp::ValueType::object_id;
            id.oid = {1, 3, 6, 1, 4, 1, enterprise, 1};
            phase1[{1, 3, 6, 1, 2, 1, 1, 2, 0}] = id;
            add(scanner::collection_plan(phase1, profiles));
            all.insert(id.oid);
        }
        add(scanner::collection_plan({}, profiles));
        return std::vector<Oid>(all.begin(), all.end());
    }();
    return kOids;
}

Oid pick_oid(Bytes& in) {
    const auto& oids = known_oids();
    const std::size_t high = in.byte();
    Oid out = oids[((high << 8U) | in.byte()) % oids.size()];
    const int extra = in.byte() % 4;
    for (int i = 0; i < extra; ++i) {
        const std::uint8_t b = in.byte();
        // Mostly small table indexes; now and then a huge sub-identifier.
        out.push_back(b < 250 ? b % 16U : in.u32());
    }
    if (out.size() > MAX_OID_LEN) out.resize(MAX_OID_LEN);
    return out;
}

constexpr std::array<u_char, 14> kTypes = {
    ASN_INTEGER,   ASN_OCTET_STR, ASN_OBJECT_ID,       ASN_IPADDRESS,    ASN_COUNTER,
    ASN_GAUGE,     ASN_TIMETICKS, ASN_OPAQUE,          ASN_COUNTER64,    ASN_NULL,
    ASN_OCTET_STR, ASN_INTEGER,   SNMP_NOSUCHINSTANCE, SNMP_ENDOFMIBVIEW};

/// One varbind as net-snmp's parser leaves it, converted by the engine's to_value.
scanner::snmp::Value decode_one(const Oid& name, Bytes& in) {
    const std::uint8_t t = in.byte();
    const u_char type = t < 240 ? kTypes[t % kTypes.size()] : static_cast<u_char>(in.byte());
    std::array<oid, MAX_OID_LEN> name_c{};
    std::copy(name.begin(), name.end(), name_c.begin());
    netsnmp_variable_list* list = nullptr;
    std::string bytes;
    long number = 0;
    counter64 c64{};
    std::vector<oid> value_oid;
    const void* value = nullptr;
    std::size_t len = 0;
    switch (type) {
        case ASN_INTEGER:
        case ASN_COUNTER:
        case ASN_GAUGE:
        case ASN_TIMETICKS:
            number = static_cast<long>(in.u64());
            value = &number;
            len = sizeof number;
            break;
        case ASN_COUNTER64:
            c64.high = in.u32();
            c64.low = in.u32();
            value = &c64;
            len = sizeof c64;
            break;
        case ASN_OBJECT_ID: {
            const Oid o = in.flag() ? pick_oid(in) : Oid{};
            value_oid.assign(o.begin(), o.end());
            value = value_oid.data();
            len = value_oid.size() * sizeof(oid);
            break;
        }
        default:
            bytes = in.text(2048);
            value = bytes.data();
            len = bytes.size();
            break;
    }
    snmp_varlist_add_variable(&list, name_c.data(), name.size(), type, value, len);
    scanner::snmp::Value out;
    if (list != nullptr) out = scanner::snmp::to_value(list);
    snmp_free_varbind(list);
    return out;
}

}  // namespace

int fuzz_varbinds(const std::uint8_t* data, std::size_t size) {
    Bytes in(data, size);
    scanner::snmp::MibView agent;
    for (int i = 0; i < 256 && !in.empty(); ++i) {
        const Oid name = pick_oid(in);
        agent.emplace(name, decode_one(name, in));
    }
    poll_fake_agent("varbinds", agent);
    return 0;
}

}  // namespace printmon::fuzz
