#pragma once
// Parsing of discovery targets: "10.0.0.0/24", "10.0.0.5-10.0.1.20", "10.0.0.7", "printer.lan",
// with exclusions in the same forms. Expands to a de-duplicated, ordered list of hosts.

#include <cstdint>
#include <string>
#include <tl/expected.hpp>
#include <vector>

namespace printmon::scanner::discovery {

/// An inclusive IPv4 range (host byte order), or a host name to resolve at scan time.
struct TargetSpec {
    std::uint32_t first = 0;
    std::uint32_t last = 0;
    std::string hostname;  ///< set for host names; first/last unused then
};

/// Parses one target; the error names the input and what is wrong with it.
tl::expected<TargetSpec, std::string> parse_target(const std::string& text);

std::string format_ipv4(std::uint32_t addr);

struct ExpandOptions {
    std::size_t max_hosts = 65536;  ///< refuse to scan more than this (a /16)
    /// Skip network and broadcast addresses of CIDR blocks shorter than /31.
    bool skip_network_broadcast = true;
};

/// Expands targets minus exclusions into hosts (IPv4 literals and host names, in order).
tl::expected<std::vector<std::string>, std::string> expand_targets(
    const std::vector<std::string>& targets, const std::vector<std::string>& exclusions,
    const ExpandOptions& options = {});

}  // namespace printmon::scanner::discovery
