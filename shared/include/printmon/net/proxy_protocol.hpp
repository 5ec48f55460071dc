#pragma once
// The PROXY protocol (haproxy's `send-proxy` / `send-proxy-v2`, nginx's `proxy_protocol`): a
// balancer that passes TLS through untouched cannot add an X-Forwarded-For header, so it writes
// the client's address in a short header before the client's first byte. Without it every
// client of a replica behind the balancer has the balancer's address, and whatever is keyed by
// address (the login brake, the per-address connection cap, the audit log) treats all clients
// as one. Beast-free: the server reads the bytes, this parses them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace printmon::net {

/// What a complete header says. `source` empty: the balancer speaks for itself (v2 LOCAL, a
/// health check; v1 UNKNOWN; a family without addresses): keep the connection's own address.
struct ProxyHeader {
    std::size_t length = 0;  ///< bytes of the header; the client's data follows
    std::string source;      ///< the client's address as text ("203.0.113.7", "2001:db8::1")
    std::uint16_t source_port = 0;
};

/// The result of parsing the bytes read so far.
struct ProxyParse {
    enum class Status { incomplete, complete, not_proxy, invalid };
    Status status = Status::incomplete;
    /// incomplete: how many more bytes to read before parsing again (reading exactly this many
    /// never reads past the header).
    std::size_t need = 0;
    ProxyHeader header;  ///< complete
    std::string error;   ///< invalid, not_proxy: why
};

/// Largest header accepted: v1's line is at most 107 bytes; v2's 16 plus addresses (36 for
/// IPv6) plus TLVs, which no balancer here sends at this size.
inline constexpr std::size_t kMaxProxyHeaderBytes = 16 + 1024;

/// Parses the start of a connection. Never reads past the header. `not_proxy`: the bytes are no
/// PROXY header at all (a TLS ClientHello or an HTTP request); `invalid`: they start one but
/// break its rules (a bad address, a wrong version, too long).
ProxyParse parse_proxy_header(std::string_view bytes);

/// A list of IPv4/IPv6 networks ("10.0.0.0/8", "2001:db8::/32", "192.0.2.1" for one host):
/// the peers trusted to send a PROXY header.
class NetworkList {
  public:
    NetworkList() = default;
    /// Throws std::invalid_argument naming the entry that is not an address or network.
    explicit NetworkList(const std::vector<std::string>& networks);

    bool empty() const { return networks_.empty(); }
    /// Whether `address` (text, as the socket reports it; IPv4-mapped IPv6 counts as IPv4) is
    /// in one of the networks.
    bool contains(std::string_view address) const;

  private:
    struct Network {
        std::vector<std::uint8_t> bytes;  // 4 or 16
        unsigned prefix = 0;
    };
    std::vector<Network> networks_;
};

}  // namespace printmon::net
