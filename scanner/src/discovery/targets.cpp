#include "discovery/targets.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>

#include "polling/text.hpp"

namespace printmon::scanner::discovery {
namespace {

std::optional<std::uint32_t> parse_ipv4(const std::string& text) {
    in_addr a{};
    if (inet_pton(AF_INET, text.c_str(), &a) != 1) return std::nullopt;
    return ntohl(a.s_addr);
}

bool valid_hostname(const std::string& h) {
    if (h.empty() || h.size() > 253 || h.front() == '-' || h.front() == '.') return false;
    return std::all_of(h.begin(), h.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.';
    });
}

}  // namespace

std::string format_ipv4(std::uint32_t addr) {
    return std::to_string(addr >> 24) + "." + std::to_string((addr >> 16) & 0xff) + "." +
           std::to_string((addr >> 8) & 0xff) + "." + std::to_string(addr & 0xff);
}

tl::expected<TargetSpec, std::string> parse_target(const std::string& raw) {
    const std::string text = scanner::text::trim(raw);
    if (text.empty()) return tl::unexpected(std::string("empty target"));
    if (const auto slash = text.find('/'); slash != std::string::npos) {
        const auto base = parse_ipv4(text.substr(0, slash));
        const std::string bits_text = text.substr(slash + 1);
        unsigned bits = 0;
        const auto [p, ec] =
            std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
        if (!base || ec != std::errc{} || p != bits_text.data() + bits_text.size() || bits > 32 ||
            bits_text.empty()) {
            return tl::unexpected("'" + text + "' is not a valid CIDR block (like 10.0.0.0/24)");
        }
        const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
        return TargetSpec{*base & mask, (*base & mask) | ~mask, {}};
    }
    if (const auto dash = text.find('-');
        dash != std::string::npos && parse_ipv4(text.substr(0, dash))) {
        const auto first = parse_ipv4(scanner::text::trim(text.substr(0, dash)));
        const auto last = parse_ipv4(scanner::text::trim(text.substr(dash + 1)));
        if (!last) {
            return tl::unexpected("'" + text + "' is not a valid range (like 10.0.0.5-10.0.0.20)");
        }
        if (*last < *first) {
            return tl::unexpected("range '" + text + "' ends before it starts");
        }
        return TargetSpec{*first, *last, {}};
    }
    if (const auto one = parse_ipv4(text)) return TargetSpec{*one, *one, {}};
    if (valid_hostname(text) && text.find_first_not_of("0123456789.") != std::string::npos) {
        return TargetSpec{0, 0, text};
    }
    return tl::unexpected("'" + text +
                          "' is not an address, range (a.b.c.d-e.f.g.h), CIDR block or host name");
}

tl::expected<std::vector<std::string>, std::string> expand_targets(
    const std::vector<std::string>& targets, const std::vector<std::string>& exclusions,
    const ExpandOptions& options) {
    std::vector<TargetSpec> excl;
    std::set<std::string> excluded_names;
    for (const auto& e : exclusions) {
        auto spec = parse_target(e);
        if (!spec) return tl::unexpected("exclusion " + spec.error());
        if (!spec->hostname.empty()) {
            excluded_names.insert(spec->hostname);
        } else {
            excl.push_back(*spec);
        }
    }
    const auto is_excluded = [&](std::uint32_t a) {
        return std::any_of(excl.begin(), excl.end(),
                           [a](const TargetSpec& s) { return a >= s.first && a <= s.last; });
    };
    std::vector<std::string> hosts;
    std::set<std::uint32_t> seen_ips;
    std::set<std::string> seen_names;
    for (const auto& t : targets) {
        auto spec = parse_target(t);
        if (!spec) return tl::unexpected(spec.error());
        if (!spec->hostname.empty()) {
            if (!excluded_names.count(spec->hostname) && seen_names.insert(spec->hostname).second) {
                hosts.push_back(spec->hostname);
            }
            continue;
        }
        const std::uint64_t size = std::uint64_t{spec->last} - spec->first + 1;
        if (size > options.max_hosts) {
            return tl::unexpected("target '" + t + "' has " + std::to_string(size) +
                                  " addresses; the limit is " + std::to_string(options.max_hosts));
        }
        const bool is_block = t.find('/') != std::string::npos && size > 2;
        for (std::uint64_t a = spec->first; a <= spec->last; ++a) {
            const auto addr = static_cast<std::uint32_t>(a);
            if (is_block && options.skip_network_broadcast &&
                (addr == spec->first || addr == spec->last)) {
                continue;
            }
            if (is_excluded(addr) || !seen_ips.insert(addr).second) continue;
            hosts.push_back(format_ipv4(addr));
            if (hosts.size() > options.max_hosts) {
                return tl::unexpected("targets expand to more than " +
                                      std::to_string(options.max_hosts) + " hosts");
            }
        }
    }
    return hosts;
}

}  // namespace printmon::scanner::discovery
