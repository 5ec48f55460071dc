#pragma once
// Test helpers for printmon::net: a raw HTTP/1.1 client (to misbehave on purpose), an HTTP
// CONNECT proxy, a throwaway PKI and a gzip bomb. Beast-free header: only
// net_test_support.cpp includes Asio/Beast, keeping the test TUs fast to compile.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "printmon/net/client.hpp"

namespace printmon::net::test {

using namespace std::chrono_literals;

/// gzip of `size` zero bytes, produced in 1 MiB slices (so making a 100 MB bomb costs ~100 KB).
std::string gzip_zeros(std::size_t size);

/// Peak resident set size of this process so far, in KiB (getrusage).
long peak_rss_kib();

/// A CA plus server and client certificates from tests/support/test_ca, in a temporary
/// directory removed on destruction.
class TestPki {
  public:
    /// `server_san`: subjectAltName of the server certificate ("" for the script's default,
    /// localhost + 127.0.0.1 + ::1).
    explicit TestPki(const std::string& server_san = "");
    ~TestPki();
    TestPki(const TestPki&) = delete;
    TestPki& operator=(const TestPki&) = delete;

    std::string file(const char* name) const { return (dir_ / name).string(); }
    std::string ca() const { return file("ca.pem"); }
    std::string server_cert() const { return file("server.pem"); }
    std::string server_key() const { return file("server.key"); }
    std::string client_cert() const { return file("client.pem"); }
    std::string client_key() const { return file("client.key"); }

  private:
    std::filesystem::path dir_;
};

/// One TCP connection to 127.0.0.1 driven by hand; every operation has a deadline.
class RawClient {
  public:
    /// `from`: the local address to connect from ("127.0.0.2": another client on loopback);
    /// empty: the kernel's choice.
    explicit RawClient(std::uint16_t port, const std::string& from = "");
    ~RawClient();
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool connected() const;
    /// Writes all of `data`; false when the connection is broken or the deadline passed.
    bool send(std::string_view data, std::chrono::milliseconds timeout = 5s);
    /// Reads one complete HTTP response (keeps extra bytes for the next one).
    std::optional<ClientResponse> read_response(std::chrono::milliseconds timeout = 5s);
    /// True when the server closed the connection (EOF or reset) within `timeout`; data that
    /// arrives meanwhile is discarded.
    bool wait_closed(std::chrono::milliseconds timeout);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// A real HTTP proxy supporting only CONNECT, on 127.0.0.1:<ephemeral>, with its own thread.
/// Tunnels to ports not in `allowed_ports` are refused with 403.
class ConnectProxy {
  public:
    explicit ConnectProxy(std::vector<std::uint16_t> allowed_ports);
    ~ConnectProxy();
    ConnectProxy(const ConnectProxy&) = delete;
    ConnectProxy& operator=(const ConnectProxy&) = delete;

    std::uint16_t port() const;
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
    /// CONNECT targets requested so far ("127.0.0.1:8443"), refused ones included.
    std::vector<std::string> targets() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// A PROXY protocol v1 line naming `client` (IPv4 or IPv6 text) as the source.
std::string proxy_v1_header(const std::string& client, std::uint16_t client_port);
/// A PROXY protocol v2 PROXY header naming `client` (IPv4 or IPv6 text) as the source; `local`:
/// a LOCAL header (a balancer's health check) instead, with no address.
std::string proxy_v2_header(const std::string& client, std::uint16_t client_port,
                            bool local = false);

/// A TCP balancer like haproxy's `mode tcp` with `send-proxy-v2`, on 127.0.0.1:<ephemeral>:
/// each connection is forwarded untouched (TLS passes through) to 127.0.0.1:`upstream_port`
/// from the local address `from`, after a PROXY v2 header naming `client` as the source.
class ProxyProtocolBalancer {
  public:
    ProxyProtocolBalancer(std::uint16_t upstream_port, std::string client, std::string from);
    ~ProxyProtocolBalancer();
    ProxyProtocolBalancer(const ProxyProtocolBalancer&) = delete;
    ProxyProtocolBalancer& operator=(const ProxyProtocolBalancer&) = delete;

    std::uint16_t port() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// A port on 127.0.0.1 that refuses connections: bound (so nobody else takes it) but not
/// listening, for as long as the object lives.
class ClosedPort {
  public:
    ClosedPort();
    ~ClosedPort();
    ClosedPort(const ClosedPort&) = delete;
    ClosedPort& operator=(const ClosedPort&) = delete;
    std::uint16_t port() const { return port_; }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

/// A listening port that never accepts: TCP connects succeed (kernel backlog), nothing is ever
/// answered. For deadline tests.
class SilentPort {
  public:
    SilentPort();
    ~SilentPort();
    SilentPort(const SilentPort&) = delete;
    SilentPort& operator=(const SilentPort&) = delete;
    std::uint16_t port() const { return port_; }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace printmon::net::test
