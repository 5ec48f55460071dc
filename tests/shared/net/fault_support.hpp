#pragma once
// Failure-matrix helpers for printmon::net (issue 14): a server that misbehaves at one chosen
// step, a TCP proxy that fails the k-th I/O operation of a connection (Beast's fail_count idea
// on a real socket), and a client that can stop, stall or reset at any step, over plain TCP or
// TLS. Beast-free header; everything listens on 127.0.0.1:<ephemeral> with its own thread.
//
// Rationale for sockets rather than beast::test::stream + fail_count: HttpClient and Server
// are written against beast::tcp_stream (its deadlines are part of what is tested), so the
// failures are injected where the bytes travel.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "printmon/net/client.hpp"

namespace printmon::net::test {

using namespace std::chrono_literals;

/// Certificate chain and key files (PEM) of a TLS endpoint.
struct TlsFiles {
    std::string cert;
    std::string key;
};

/// What a MisbehavingServer does with every connection, step by step of a request.
enum class Misbehaviour {
    kCloseAfterAccept,        ///< close before a byte (before the TLS handshake with TLS)
    kGarbageInsteadOfTls,     ///< answers the ClientHello with plain text (TLS servers only)
    kCloseAfterTlsHandshake,  ///< handshake, then close (TLS servers only)
    kCloseAfterHeader,        ///< reads the request header, closes
    kResetAfterHeader,        ///< reads the request header, resets (RST)
    kCloseAfterHalfBody,      ///< reads half of the request body, closes
    kSilent,                  ///< reads the whole request, never answers
    kHalfHeaderStall,         ///< sends half a status line + header, then stalls
    kTrickle,                 ///< sends the answer one byte every 50 ms (never finishes in time)
    kMalformedStatusLine,     ///< "HTTP/1.1 abc OK"
    kShortBody,               ///< Content-Length larger than the body, then closes
    kOversizedHeader,         ///< a 100 KiB header field (the client caps headers at 64 KiB)
    kOversizedBody,           ///< Content-Length: 64 MiB (over any client cap)
    kOversizedChunked,        ///< chunked body that grows past 64 MiB
    kBrokenChunked,           ///< a chunk size that is not hex, mid-body
    kTruncatedChunked,        ///< closes after a chunk, before the last-chunk
};

std::string_view to_string(Misbehaviour what);

/// Serves every connection with one Misbehaviour; stalled connections stay open until the
/// client leaves or the server is destroyed.
class MisbehavingServer {
  public:
    MisbehavingServer(Misbehaviour what, std::optional<TlsFiles> tls = std::nullopt);
    ~MisbehavingServer();
    MisbehavingServer(const MisbehavingServer&) = delete;
    MisbehavingServer& operator=(const MisbehavingServer&) = delete;

    std::uint16_t port() const;
    std::string url(const std::string& target = "/") const;
    std::size_t accepted() const;  ///< connections accepted so far
    /// Connections still open (the client has not left yet).
    std::size_t open() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// What a FaultProxy does at the armed operation.
enum class FaultAction {
    kClose,  ///< closes both sides (FIN)
    kReset,  ///< resets both sides (RST)
    kStall,  ///< stops forwarding in both directions, keeps both sockets open
};

std::string_view to_string(FaultAction action);

/// Which side's writes a FaultProxy counts.
enum class FaultDirection { kToServer, kToClient };

/// A TCP proxy from 127.0.0.1:<ephemeral> to 127.0.0.1:<target_port>. Every chunk it reads
/// from one side is one operation of that direction, numbered from 0 per connection and
/// direction; when armed with k, the k-th operation is not forwarded and `action` happens
/// instead. TLS passes through untouched (the client verifies the real server behind it).
/// Rationale for counting per direction: how a side's bytes are split into reads varies from
/// run to run (and under ASan), the order of each side's own steps does not.
class FaultProxy {
  public:
    explicit FaultProxy(std::uint16_t target_port);
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    std::uint16_t port() const;
    /// Applies to connections accepted from now on.
    void arm(FaultDirection direction, std::size_t operation, FaultAction action);
    void disarm();
    /// Operations of the most recent connection so far ("c>s 517", "s>c 1432", ...).
    std::vector<std::string> last_trace() const;
    /// True when the armed fault fired in the most recent connection.
    bool fired() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// One connection to 127.0.0.1, plain or TLS (no verification: the server is the subject),
/// driven by hand; every operation has a deadline.
class FaultClient {
  public:
    /// With `tls`, connects and completes the handshake (see handshake_ok()).
    FaultClient(std::uint16_t port, bool tls);
    ~FaultClient();
    FaultClient(const FaultClient&) = delete;
    FaultClient& operator=(const FaultClient&) = delete;

    bool connected() const;
    bool handshake_ok() const;
    bool send(std::string_view data, std::chrono::milliseconds timeout = 3s);
    std::optional<ClientResponse> read_response(std::chrono::milliseconds timeout = 3s);
    /// True when the server closed (EOF, reset, TLS close) within `timeout`; data that arrives
    /// meanwhile is discarded.
    bool wait_closed(std::chrono::milliseconds timeout);
    /// Closes with SO_LINGER 0: the server sees a reset.
    void reset();
    /// shutdown(SHUT_WR) on the TCP socket (plain only: a half-closed request).
    void shutdown_send();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The first bytes of a TLS 1.2+ ClientHello record (a record header announcing 512 bytes and
/// the start of the handshake message): a handshake cut short by the client.
std::string partial_client_hello();

}  // namespace printmon::net::test
