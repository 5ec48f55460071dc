#pragma once
// HTTP/1.1 server (Beast, C++20 coroutines) with optional TLS. Beast-free header: the
// implementation lives in server.cpp behind a pointer.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "printmon/net/router.hpp"

namespace printmon::net {

/// TLS for a server. Files are PEM. TLS 1.2 is the minimum.
struct ServerTlsOptions {
    std::string cert_chain_file;  ///< server certificate followed by intermediates
    std::string private_key_file;
    /// CA bundle for client certificates; empty: clients are not asked for one.
    std::string client_ca_file;
    /// With client_ca_file: reject clients without a valid certificate (mutual TLS). When
    /// false a certificate is asked for, verified if presented, and optional.
    bool require_client_cert = false;
};

/// Everything a Server needs; defaults suit a small API on a LAN.
struct ServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;  ///< 0: an ephemeral port, see Server::port()
    std::optional<ServerTlsOptions> tls;
    std::size_t io_threads = 1;        ///< threads running the io_context
    std::size_t blocking_threads = 2;  ///< the pool running handlers (database work)
    /// Connections served at once; more get 503 with Retry-After and are closed.
    std::size_t max_connections = 256;
    /// Connections served at once per client address (the same 503 beyond it), so that one
    /// client holding many slow connections cannot take every slot. 0: no per-address cap
    /// (behind a reverse proxy every client has the proxy's address).
    std::size_t max_connections_per_address = 32;
    std::chrono::seconds retry_after{5};  ///< Retry-After of the 503
    /// From accept, or from the end of the previous response on a keep-alive connection, until
    /// the whole request header has arrived (cuts off slow-loris clients and idle connections).
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{30'000};   ///< reading the whole body
    std::chrono::milliseconds write_timeout{30'000};  ///< writing the whole response
    std::chrono::milliseconds tls_handshake_timeout{10'000};
    std::uint32_t max_header_bytes = 16 * 1024;  ///< larger headers get 431
    /// Balancers whose connections may begin with a PROXY protocol header (v1 or v2; haproxy's
    /// `send-proxy-v2` in front of a TLS passthrough): IPv4/IPv6 addresses or networks. From
    /// such a peer the header's source address is the client's (Request::remote_address, the
    /// per-address cap); a connection of theirs without one is served as their own, one with a
    /// broken header is closed. From any other peer the bytes are never read as a header.
    /// Empty: the PROXY protocol is off. Throws std::invalid_argument at construction for an
    /// entry that is no address or network.
    std::vector<std::string> proxy_protocol_from;
};

/// An HTTP(S) server for one Router. start() binds and serves on background threads; stop()
/// shuts down gracefully. Handlers run on the blocking pool (see RouteOptions::run_inline).
class Server {
  public:
    /// Loads TLS files (throws std::runtime_error naming the file on failure).
    Server(ServerOptions options, Router router);
    ~Server();  // stop() with a short grace period if still running
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds, listens and starts the threads. Throws std::system_error when the address cannot
    /// be bound. Call once.
    void start();

    /// The bound port (the ephemeral one when options.port was 0); valid after start().
    std::uint16_t port() const;

    /// Graceful stop: stops accepting, closes idle keep-alive connections, lets in-flight
    /// requests finish (their responses carry `Connection: close`) for up to `grace`, then
    /// closes what is left and joins all threads. A handler that never returns still blocks
    /// the final join of the blocking pool. Idempotent.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

    /// Connections currently open (served or being refused), for tests and metrics.
    std::size_t connection_count() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace printmon::net
