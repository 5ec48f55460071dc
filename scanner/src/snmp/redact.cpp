#include "snmp/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <string_view>

namespace printmon::scanner::snmp {
namespace {

struct Subtree {
    std::string_view what;  ///< for the report: "<count> <what> dropped"
    Oid prefix;
};

/// Subtrees that describe the office rather than the printer: other hosts (ARP, neighbour
/// and forwarding tables, routes, connections and listeners with their peers' addresses,
/// LLDP neighbours), the device's own addresses (which the walk's target already names) and
/// print jobs with their names and owners. The collector reads none of them.
const std::array<Subtree, 19>& dropped_subtrees() {
    static const std::array<Subtree, 19> kSubtrees = {{
        {"address translation (ARP) entries", {1, 3, 6, 1, 2, 1, 3}},
        {"IP address table entries", {1, 3, 6, 1, 2, 1, 4, 20}},
        {"IP route entries", {1, 3, 6, 1, 2, 1, 4, 21}},
        {"ARP table entries", {1, 3, 6, 1, 2, 1, 4, 22}},
        {"IP forwarding entries", {1, 3, 6, 1, 2, 1, 4, 24}},
        {"IP address prefix entries", {1, 3, 6, 1, 2, 1, 4, 32}},
        {"IP address entries", {1, 3, 6, 1, 2, 1, 4, 34}},
        {"neighbour (IP to physical) entries", {1, 3, 6, 1, 2, 1, 4, 35}},
        {"TCP connection entries", {1, 3, 6, 1, 2, 1, 6, 13}},
        {"TCP connection entries", {1, 3, 6, 1, 2, 1, 6, 19}},
        {"TCP listener entries", {1, 3, 6, 1, 2, 1, 6, 20}},
        {"UDP listener entries", {1, 3, 6, 1, 2, 1, 7, 5}},
        {"UDP endpoint entries", {1, 3, 6, 1, 2, 1, 7, 7}},
        {"bridge forwarding entries", {1, 3, 6, 1, 2, 1, 17, 4, 3}},
        {"bridge forwarding entries", {1, 3, 6, 1, 2, 1, 17, 7, 1, 2, 2}},
        {"IPv6 address entries", {1, 3, 6, 1, 2, 1, 55, 1, 8}},
        {"IPv6 route entries", {1, 3, 6, 1, 2, 1, 55, 1, 11}},
        {"IPv6 neighbour entries", {1, 3, 6, 1, 2, 1, 55, 1, 12}},
        // RFC 2707 Job Monitoring MIB (jobmonMIB): job names, owners, documents.
        {"print job entries", {1, 3, 6, 1, 4, 1, 2699, 1, 1}},
    }};
    return kSubtrees;
}

struct Masked {
    std::string_view what;
    Oid prefix;
};

/// Objects that name people: kept, with their text replaced.
const std::array<Masked, 4>& masked_objects() {
    static const std::array<Masked, 4> kObjects = {{
        {"sysContact", {1, 3, 6, 1, 2, 1, 1, 4}},
        {"sysLocation", {1, 3, 6, 1, 2, 1, 1, 6}},
        {"prtGeneralCurrentOperator", {1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 4}},
        {"prtGeneralServicePerson", {1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 5}},
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
    std::map<std::string_view, std::size_t> dropped;  // what -> count
    std::map<std::string_view, std::size_t> masked;
    std::map<std::string, std::uint8_t> addresses;  // device address -> 192.0.2.<n>
    std::size_t mails = 0;
    std::size_t secret_values = 0;
    std::size_t address_values = 0;
    for (const auto& entry : walk) {
        // Named, not a structured binding: the lambdas below capture it.
        const Oid& oid = entry.first;
        const Value& value = entry.second;
        const auto& subtrees = dropped_subtrees();
        const auto drop = std::find_if(subtrees.begin(), subtrees.end(), [&](const Subtree& s) {
            return starts_with(oid, s.prefix);
        });
        if (drop != subtrees.end()) {
            ++dropped[drop->what];
            ++report.dropped;
            continue;
        }
        Value v = value;
        const auto& objects = masked_objects();
        const auto mask = std::find_if(objects.begin(), objects.end(),
                                       [&](const Masked& m) { return starts_with(oid, m.prefix); });
        if (mask != objects.end() && is_text(v) && !v.bytes.empty()) {
            v.bytes = std::string(kRedacted);
            ++masked[mask->what];
        } else if (v.type == ValueType::ip_address) {
            // Distinct addresses stay distinct; 0.0.0.0 and the like carry nothing.
            if (std::any_of(v.bytes.begin(), v.bytes.end(), [](char c) { return c != 0; })) {
                auto [it, fresh] = addresses.emplace(
                    v.bytes,
                    static_cast<std::uint8_t>(std::min<std::size_t>(addresses.size() + 1, 254)));
                (void)fresh;
                v.bytes = std::string{'\xC0', '\x00', '\x02', static_cast<char>(it->second)};
                ++address_values;
            }
        } else if (is_text(v)) {
            const bool secret = std::any_of(secrets.begin(), secrets.end(), [&](const auto& s) {
                return !s.empty() && v.bytes == s;
            });
            if (secret) {
                v.bytes = std::string(kRedacted);
                ++secret_values;
            } else {
                v.bytes = without_mail(v.bytes, mails);
            }
        }
        if (!(v == value)) ++report.masked;
        out.emplace(oid, std::move(v));
    }
    for (const auto& [what, n] : dropped) {
        report.lines.push_back(std::to_string(n) + " " + std::string(what) + " dropped");
    }
    for (const auto& [what, n] : masked) {
        report.lines.push_back(std::string(what) + " replaced by \"" + std::string(kRedacted) +
                               "\"" + (n > 1 ? " (" + std::to_string(n) + " values)" : ""));
    }
    if (address_values > 0) {
        report.lines.push_back(std::to_string(address_values) + " IP address value(s) mapped to " +
                               "192.0.2.x (" + std::to_string(addresses.size()) + " distinct)");
    }
    if (mails > 0) {
        report.lines.push_back(std::to_string(mails) + " e-mail address(es) replaced by " +
                               std::string(kRedactedMail));
    }
    if (secret_values > 0) {
        report.lines.push_back(std::to_string(secret_values) +
                               " value(s) equal to the walk's community or password replaced");
    }
    return out;
}

}  // namespace printmon::scanner::snmp
