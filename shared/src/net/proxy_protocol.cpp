// PROXY protocol v1 and v2 as haproxy's specification (doc/proxy-protocol.txt) defines them.
#include "printmon/net/proxy_protocol.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>

namespace printmon::net {
namespace {

constexpr std::string_view kV1Prefix = "PROXY ";
constexpr std::string_view kV2Signature{"\r\n\r\n\0\r\nQUIT\n", 12};
constexpr std::size_t kV2FixedBytes = 16;
// "PROXY TCP6 " + two 39-character addresses + two ports + spaces + CRLF.
constexpr std::size_t kV1MaxBytes = 107;
// The shortest v1 line: "PROXY UNKNOWN\r\n".
constexpr std::size_t kV1MinBytes = 15;

ProxyParse incomplete(std::size_t need) {
    ProxyParse p;
    p.status = ProxyParse::Status::incomplete;
    p.need = std::max<std::size_t>(need, 1);
    return p;
}

ProxyParse failed(ProxyParse::Status status, std::string why) {
    ProxyParse p;
    p.status = status;
    p.error = std::move(why);
    return p;
}

ProxyParse complete(std::size_t length, std::string source = {}, std::uint16_t port = 0) {
    ProxyParse p;
    p.status = ProxyParse::Status::complete;
    p.header.length = length;
    p.header.source = std::move(source);
    p.header.source_port = port;
    return p;
}

// The address as inet_ntop writes it, or nothing when `text` is not one of `family`.
std::optional<std::string> canonical(int family, const std::string& text) {
    std::array<unsigned char, 16> raw{};
    if (inet_pton(family, text.c_str(), raw.data()) != 1) return std::nullopt;
    std::array<char, INET6_ADDRSTRLEN> out{};
    if (inet_ntop(family, raw.data(), out.data(), out.size()) == nullptr) return std::nullopt;
    return std::string(out.data());
}

std::optional<std::uint16_t> port_of(std::string_view text) {
    unsigned value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || text.empty() || text.size() > 5 || value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    while (at <= line.size()) {
        const auto space = line.find(' ', at);
        const auto end = space == std::string_view::npos ? line.size() : space;
        out.push_back(line.substr(at, end - at));
        if (space == std::string_view::npos) break;
        at = space + 1;
    }
    return out;
}

ProxyParse parse_v1(std::string_view bytes) {
    const auto crlf = bytes.find("\r\n");
    if (crlf == std::string_view::npos) {
        if (bytes.size() >= kV1MaxBytes)
            return failed(ProxyParse::Status::invalid, "v1 line too long");
        return incomplete(bytes.size() < kV1MinBytes ? kV1MinBytes - bytes.size() : 1);
    }
    const std::size_t length = crlf + 2;
    if (length > kV1MaxBytes) return failed(ProxyParse::Status::invalid, "v1 line too long");
    const auto parts = words(bytes.substr(0, crlf));
    // parts[0] is "PROXY". UNKNOWN may be followed by anything: the receiver ignores it.
    if (parts.size() >= 2 && parts[1] == "UNKNOWN") return complete(length);
    if (parts.size() != 6 || (parts[1] != "TCP4" && parts[1] != "TCP6")) {
        return failed(ProxyParse::Status::invalid,
                      "v1 line is not PROXY TCP4|TCP6 src dst sport dport");
    }
    const int family = parts[1] == "TCP4" ? AF_INET : AF_INET6;
    const auto source = canonical(family, std::string(parts[2]));
    const auto destination = canonical(family, std::string(parts[3]));
    const auto source_port = port_of(parts[4]);
    if (!source || !destination || !source_port || !port_of(parts[5])) {
        return failed(ProxyParse::Status::invalid, "v1 address or port malformed");
    }
    return complete(length, *source, *source_port);
}

ProxyParse parse_v2(std::string_view bytes) {
    if (bytes.size() < kV2FixedBytes) return incomplete(kV2FixedBytes - bytes.size());
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
    const std::size_t body = (static_cast<std::size_t>(byte(14)) << 8U) | byte(15);
    const std::size_t length = kV2FixedBytes + body;
    if ((byte(12) >> 4U) != 2) return failed(ProxyParse::Status::invalid, "v2 version is not 2");
    const unsigned command = byte(12) & 0x0FU;
    if (command > 1) return failed(ProxyParse::Status::invalid, "v2 command unknown");
    if (length > kMaxProxyHeaderBytes)
        return failed(ProxyParse::Status::invalid, "v2 header too long");
    if (bytes.size() < length) return incomplete(length - bytes.size());
    if (command == 0) return complete(length);  // LOCAL: the balancer's own connection
    const unsigned family = byte(13) >> 4U;
    const unsigned transport = byte(13) & 0x0FU;
    if (transport > 2 || family > 3)
        return failed(ProxyParse::Status::invalid, "v2 family unknown");
    const auto at = [&](std::size_t offset) { return bytes.data() + kV2FixedBytes + offset; };
    const auto port_at = [&](std::size_t offset) {
        return static_cast<std::uint16_t>((byte(kV2FixedBytes + offset) << 8U) |
                                          byte(kV2FixedBytes + offset + 1));
    };
    std::array<char, INET6_ADDRSTRLEN> out{};
    if (family == 1) {  // INET: 4 + 4 + 2 + 2
        if (body < 12) return failed(ProxyParse::Status::invalid, "v2 IPv4 block short");
        if (inet_ntop(AF_INET, at(0), out.data(), out.size()) == nullptr) {
            return failed(ProxyParse::Status::invalid, "v2 IPv4 address");
        }
        return complete(length, out.data(), port_at(8));
    }
    if (family == 2) {  // INET6: 16 + 16 + 2 + 2
        if (body < 36) return failed(ProxyParse::Status::invalid, "v2 IPv6 block short");
        if (inet_ntop(AF_INET6, at(0), out.data(), out.size()) == nullptr) {
            return failed(ProxyParse::Status::invalid, "v2 IPv6 address");
        }
        return complete(length, out.data(), port_at(32));
    }
    return complete(length);  // UNSPEC or a UNIX socket: no address to take
}

// 4 bytes for IPv4 (also IPv4-mapped IPv6), 16 for IPv6; nothing for other text.
std::optional<std::vector<std::uint8_t>> address_bytes(const std::string& text) {
    std::array<std::uint8_t, 16> raw{};
    if (inet_pton(AF_INET, text.c_str(), raw.data()) == 1) {
        return std::vector<std::uint8_t>(raw.begin(), raw.begin() + 4);
    }
    if (inet_pton(AF_INET6, text.c_str(), raw.data()) == 1) {
        constexpr std::array<std::uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::equal(kMapped.begin(), kMapped.end(), raw.begin())) {
            return std::vector<std::uint8_t>(raw.begin() + 12, raw.end());
        }
        return std::vector<std::uint8_t>(raw.begin(), raw.end());
    }
    return std::nullopt;
}

}  // namespace

ProxyParse parse_proxy_header(std::string_view bytes) {
    const std::size_t v1 = std::min(bytes.size(), kV1Prefix.size());
    const std::size_t v2 = std::min(bytes.size(), kV2Signature.size());
    if (bytes.substr(0, v1) == kV1Prefix.substr(0, v1) && !bytes.empty()) {
        if (bytes.size() < kV1Prefix.size()) return incomplete(kV1Prefix.size() - bytes.size());
        return parse_v1(bytes);
    }
    if (bytes.substr(0, v2) == kV2Signature.substr(0, v2) && !bytes.empty()) {
        if (bytes.size() < kV2Signature.size()) return incomplete(kV2FixedBytes - bytes.size());
        return parse_v2(bytes);
    }
    if (bytes.empty()) return incomplete(kV1Prefix.size());
    return failed(ProxyParse::Status::not_proxy, "no PROXY protocol header");
}

NetworkList::NetworkList(const std::vector<std::string>& networks) {
    for (const auto& entry : networks) {
        const auto slash = entry.find('/');
        const std::string host = entry.substr(0, slash);
        auto bytes = address_bytes(host);
        if (!bytes) throw std::invalid_argument("'" + entry + "' is not an IP address or network");
        const auto bits = static_cast<unsigned>(bytes->size() * 8);
        unsigned prefix = bits;
        if (slash != std::string::npos) {
            const std::string_view digits = std::string_view(entry).substr(slash + 1);
            const auto* end = digits.data() + digits.size();
            const auto [ptr, ec] = std::from_chars(digits.data(), end, prefix);
            if (ec != std::errc{} || ptr != end || digits.empty() || prefix > bits) {
                throw std::invalid_argument("'" + entry + "' has no valid prefix length (0.." +
                                            std::to_string(bits) + ")");
            }
        }
        networks_.push_back({std::move(*bytes), prefix});
    }
}

bool NetworkList::contains(std::string_view address) const {
    const auto bytes = address_bytes(std::string(address));
    if (!bytes) return false;
    for (const auto& n : networks_) {
        if (n.bytes.size() != bytes->size()) continue;
        unsigned left = n.prefix;
        bool same = true;
        for (std::size_t i = 0; i < bytes->size() && left > 0 && same; ++i) {
            const unsigned take = std::min(left, 8U);
            const auto mask = static_cast<std::uint8_t>(0xFFU << (8U - take));
            same = ((*bytes)[i] & mask) == (n.bytes[i] & mask);
            left -= take;
        }
        if (same) return true;
    }
    return false;
}

}  // namespace printmon::net
