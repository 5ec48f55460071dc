#include "snmp/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <string_view>

namespace printmon::scanner::snmp {
namespace {

struct Subtree {
    std::string_view kind;  ///< RedactReport::Item::kind
    Oid prefix;
};

/// Subtrees that describe the office rather than the printer: other hosts (ARP, neighbour,
/// bridge forwarding and LLDP tables, routes, connections and listeners with their peers'
/// addresses), the device's own address tables (the walk's target already names it) and print
/// jobs with their names and owners. The collector reads none of them.
const std::array<Subtree, 20>& dropped_subtrees() {
    static const std::array<Subtree, 20> kSubtrees = {{
        {"arp", {1, 3, 6, 1, 2, 1, 3}},                      // atTable
        {"arp", {1, 3, 6, 1, 2, 1, 4, 22}},                  // ipNetToMediaTable
        {"neighbours", {1, 3, 6, 1, 2, 1, 4, 35}},           // ipNetToPhysicalTable
        {"neighbours", {1, 3, 6, 1, 2, 1, 55, 1, 12}},       // ipv6NetToMediaTable
        {"neighbours", {1, 3, 6, 1, 2, 1, 17, 4, 3}},        // dot1dTpFdbTable
        {"neighbours", {1, 3, 6, 1, 2, 1, 17, 7, 1, 2, 2}},  // dot1qTpFdbTable
        {"neighbours", {1, 0, 8802, 1, 1, 2, 1, 4}},         // lldpRemoteSystemsData
        {"addresses", {1, 3, 6, 1, 2, 1, 4, 20}},            // ipAddrTable
        {"addresses", {1, 3, 6, 1, 2, 1, 4, 32}},            // ipAddressPrefixTable
        {"addresses", {1, 3, 6, 1, 2, 1, 4, 34}},            // ipAddressTable
        {"addresses", {1, 3, 6, 1, 2, 1, 55, 1, 8}},         // ipv6AddrTable
        {"routes", {1, 3, 6, 1, 2, 1, 4, 21}},               // ipRouteTable
        {"routes", {1, 3, 6, 1, 2, 1, 4, 24}},               // ipForward
        {"routes", {1, 3, 6, 1, 2, 1, 55, 1, 11}},           // ipv6RouteTable
        {"connections", {1, 3, 6, 1, 2, 1, 6, 13}},          // tcpConnTable
        {"connections", {1, 3, 6, 1, 2, 1, 6, 19}},          // tcpConnectionTable
        {"connections", {1, 3, 6, 1, 2, 1, 6, 20}},          // tcpListenerTable
        {"connections", {1, 3, 6, 1, 2, 1, 7, 5}},           // udpTable
        {"connections", {1, 3, 6, 1, 2, 1, 7, 7}},           // udpEndpointTable
        {"jobs", {1, 3, 6, 1, 4, 1, 2699, 1, 1}},            // RFC 2707 jobmonMIB
    }};
    return kSubtrees;
}

struct Masked {
    std::string_view kind;
    Oid prefix;
};

/// Objects that name people: kept, with their text replaced.
const std::array<Masked, 4>& masked_objects() {
    static const std::array<Masked, 4> kObjects = {{
        {"contact", {1, 3, 6, 1, 2, 1, 1, 4}},           // sysContact
        {"location", {1, 3, 6, 1, 2, 1, 1, 6}},          // sysLocation
        {"people", {1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 4}},  // prtGeneralCurrentOperator
        {"people", {1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 5}},  // prtGeneralServicePerson
    }};
    return kObjects;
}

constexpr std::string_view kRedacted = "redacted";
constexpr std::string_view kRedactedMail = "redacted@example.invalid";

bool local_part_char(char c) {
    const auto b = static_cast<unsigned char>(c);
    return std::isalnum(b) != 0 || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

bool domain_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
}

/// `text` with every e-mail address (local@domain.tld, the top-level domain two letters or
/// more) replaced; `count` is increased by the addresses found. Plain scanning, no regex:
/// device text may be long and binary.
std::string without_mail(const std::string& text, std::size_t& count) {
    std::string out;
    std::size_t done = 0;  // text[0, done) is in `out`
    for (std::size_t at = text.find('@'); at != std::string::npos; at = text.find('@', at + 1)) {
        std::size_t begin = at;
        while (begin > done && local_part_char(text[begin - 1])) --begin;
        std::size_t end = at + 1;
        while (end < text.size() && domain_char(text[end])) ++end;
        while (end > at + 1 && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
        const std::string_view domain(text.data() + at + 1, end - at - 1);
        const auto dot = domain.rfind('.');
        const bool tld =
            dot != std::string_view::npos && dot > 0 && domain.size() - dot > 2 &&
            std::all_of(domain.begin() + static_cast<std::ptrdiff_t>(dot) + 1, domain.end(),
                        [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
        if (begin == at || !tld) continue;
        out.append(text, done, begin - done);
        out.append(kRedactedMail);
        done = end;
        at = end - 1;
        ++count;
    }
    if (done == 0) return text;
    out.append(text, done, std::string::npos);
    return out;
}

bool is_text(const Value& v) { return v.type == ValueType::octets || v.type == ValueType::opaque; }

}  // namespace

MibView redact(const MibView& walk, const std::vector<std::string>& secrets, RedactReport& report) {
    MibView out;
    std::map<std::string_view, std::size_t> counts;  // kind -> values
    std::map<std::string, std::uint8_t> addresses;   // device address -> 192.0.2.<n>
    std::size_t mails = 0;
    for (const auto& entry : walk) {
        // Named, not a structured binding: the lambdas below capture it.
        const Oid& oid = entry.first;
        const Value& value = entry.second;
        const auto& subtrees = dropped_subtrees();
        const auto drop = std::find_if(subtrees.begin(), subtrees.end(), [&](const Subtree& s) {
            return starts_with(oid, s.prefix);
        });
        if (drop != subtrees.end()) {
            ++counts[drop->kind];
            ++report.dropped;
            continue;
        }
        Value v = value;
        const auto& objects = masked_objects();
        const auto mask = std::find_if(objects.begin(), objects.end(),
                                       [&](const Masked& m) { return starts_with(oid, m.prefix); });
        if (mask != objects.end() && is_text(v) && !v.bytes.empty()) {
            v.bytes = std::string(kRedacted);
            ++counts[mask->kind];
        } else if (v.type == ValueType::ip_address) {
            // Distinct addresses stay distinct; 0.0.0.0 and the like carry nothing.
            if (std::any_of(v.bytes.begin(), v.bytes.end(), [](char c) { return c != 0; })) {
                const auto n =
                    static_cast<std::uint8_t>(std::min<std::size_t>(addresses.size() + 1, 254));
                const auto it = addresses.emplace(v.bytes, n).first;
                v.bytes = std::string{'\xC0', '\x00', '\x02', static_cast<char>(it->second)};
                ++counts["ip_values"];
            }
        } else if (is_text(v)) {
            const bool secret = std::any_of(secrets.begin(), secrets.end(), [&](const auto& s) {
                return !s.empty() && v.bytes == s;
            });
            if (secret) {
                v.bytes = std::string(kRedacted);
                ++counts["secrets"];
            } else {
                v.bytes = without_mail(v.bytes, mails);
            }
        }
        if (!(v == value)) ++report.masked;
        out.emplace(oid, std::move(v));
    }
    if (mails > 0) counts["emails"] = mails;
    for (const auto kind : RedactReport::kKinds) {
        if (const auto it = counts.find(kind); it != counts.end()) {
            report.items.push_back({std::string(kind), it->second});
        }
    }
    return out;
}

std::vector<std::string> RedactReport::lines() const {
    struct Text {
        std::string_view kind;
        bool counted;  ///< the line starts with the item's count
        std::string_view text;
    };
    static constexpr std::array<Text, kKinds.size()> kTexts = {{
        {"arp", true, "ARP table entries dropped"},
        {"neighbours", true, "neighbour and forwarding entries dropped"},
        {"addresses", true, "IP address table entries dropped"},
        {"routes", true, "route entries dropped"},
        {"connections", true, "TCP/UDP connection and listener entries dropped"},
        {"jobs", true, "print job entries dropped"},
        {"contact", false, "sysContact replaced by \"redacted\""},
        {"location", false, "sysLocation replaced by \"redacted\""},
        {"people", true, "operator and service person value(s) replaced by \"redacted\""},
        {"ip_values", true, "IP address value(s) mapped to 192.0.2.x"},
        {"emails", true, "e-mail address(es) replaced by redacted@example.invalid"},
        {"secrets", true, "value(s) equal to the walk's community or password replaced"},
    }};
    std::vector<std::string> out;
    for (const auto& item : items) {
        const auto t = std::find_if(kTexts.begin(), kTexts.end(),
                                    [&](const Text& x) { return x.kind == item.kind; });
        if (t == kTexts.end()) continue;
        out.emplace_back((t->counted ? std::to_string(item.count) + " " : std::string()) +
                         std::string(t->text));
    }
    return out;
}

std::vector<std::string> credential_secrets(const Credentials& c) {
    std::vector<std::string> out = {c.auth_password, c.priv_password};
    if (c.version != Version::v3) out.push_back(c.community);
    return out;
}

}  // namespace printmon::scanner::snmp
