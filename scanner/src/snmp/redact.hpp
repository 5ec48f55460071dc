#pragma once
// What a support walk must not carry off site: other hosts' addresses and connections, people
// (the printer's contact, operator, service person, job owners), e-mail addresses, the
// device's addresses, and the credentials the walk was taken with. Removed before the file is
// written, so the capture a customer sends holds the printer and nothing of the office
// around it. Nothing the collector reads is touched (tests/scanner/redact_test.cpp replays
// every recording before and after).

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "snmp/engine.hpp"
#include "snmp/value.hpp"

namespace printmon::scanner::snmp {

struct RedactReport {
    std::size_t dropped = 0;  ///< values left out (their subtree names other hosts or jobs)
    std::size_t masked = 0;   ///< values kept with their content replaced
    /// What was removed, by kind (one of kKinds, in that order), with the number of values
    /// (of e-mail addresses for "emails"); kinds with nothing are not listed. The kinds are
    /// stable keys: the scanner UI names them in its own languages.
    struct Item {
        std::string kind;
        std::size_t count = 0;
    };
    std::vector<Item> items;
    static constexpr std::array<std::string_view, 12> kKinds = {
        "arp",     "neighbours", "addresses", "routes",    "connections", "jobs",
        "contact", "location",   "people",    "ip_values", "emails",      "secrets"};

    /// The items in English, one line each ("2 ARP table entries dropped"), for the CLI.
    std::vector<std::string> lines() const;
};

/// `walk` without the data above. Dropped: whole subtrees that list other hosts or people
/// (ARP and neighbour tables, routes, TCP/UDP connections and listeners, the IP address
/// tables, LLDP neighbours, the Job Monitoring MIB's jobs). Masked, type kept: sysContact,
/// sysLocation, prtGeneralCurrentOperator and prtGeneralServicePerson ("redacted"); every
/// IpAddress value (the same address maps to the same 192.0.2.x, RFC 5737's documentation
/// range, so a capture still shows which values agree); e-mail addresses inside any text
/// ("redacted@example.invalid"); any text equal to one of `secrets` (the community or
/// passwords the walk used, which some agents show in their own configuration objects).
MibView redact(const MibView& walk, const std::vector<std::string>& secrets, RedactReport& report);

/// The secrets of a credential set a walk taken with it must not carry: its passwords, and for
/// SNMPv1/v2c its community.
std::vector<std::string> credential_secrets(const Credentials& c);

}  // namespace printmon::scanner::snmp
