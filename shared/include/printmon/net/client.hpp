#pragma once
// Blocking HTTP(S) client for the uploader and tests: one connection per request, TLS
// verification on by default, optional client certificate and HTTP CONNECT proxy.
// Beast-free header; each request runs on its own io_context.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "printmon/net/http.hpp"

namespace printmon::net {

/// An http(s) URL as the client reads it.
struct Url {
    bool https = false;
    std::string host;       ///< without brackets: "127.0.0.1", "::1", "cloud.example"
    std::string port;       ///< always set (443/80 when absent)
    std::string authority;  ///< host[:port] as it goes into Host / CONNECT
    std::string target;     ///< "/path?query"
};

/// Parses "http(s)://host[:port][/path][?query]" (scheme case-insensitive, IPv6 in brackets);
/// nullopt for another scheme, an empty host, user info ("user@host") or a bad port.
std::optional<Url> parse_url(std::string_view text);

/// True when `host` (as in Url::host) is this machine: exactly "localhost", an IPv4 literal in
/// 127.0.0.0/8 or the IPv6 loopback ::1. Rationale: literals only, never a name beginning with
/// "127." ("127.attacker.example" resolves wherever its owner likes).
bool is_loopback_host(std::string_view host);

/// Client settings. Files are PEM.
struct HttpClientOptions {
    /// CA bundle to verify servers with; empty: the system store (set_default_verify_paths).
    std::string ca_file;
    /// Turn verification off only in tests of the verification itself.
    bool verify_peer = true;
    /// Client certificate (mutual TLS); both or neither.
    std::string client_cert_file;
    std::string client_key_file;
    /// "http://host:port" of an HTTP proxy: every request (http:// and https://) goes through a
    /// CONNECT tunnel. Empty: direct.
    std::string proxy;
    std::chrono::milliseconds connect_timeout{10'000};  ///< resolve + TCP connect (+ CONNECT)
    std::chrono::milliseconds tls_timeout{10'000};      ///< TLS handshake
    std::chrono::milliseconds request_timeout{30'000};  ///< write request + read response
    std::size_t max_response_bytes = std::size_t{16} << 20;
};

/// Why a request got no HTTP response.
enum class ClientErrorCode {
    kInvalidRequest,  ///< bad URL or method
    kConnectFailed,   ///< name resolution or TCP connect failed (to the server or the proxy)
    kProxyFailed,     ///< the proxy refused the CONNECT
    kTlsFailed,       ///< handshake failed; the message carries the verification reason
    kTimeout,         ///< a deadline passed
    kProtocol,        ///< connection lost or malformed/oversized response
};

std::string_view to_string(ClientErrorCode code) noexcept;

struct ClientError {
    ClientErrorCode code = ClientErrorCode::kProtocol;
    std::string message;
};

/// Any HTTP response, including 4xx/5xx: status handling is the caller's business.
struct ClientResponse {
    unsigned status = 0;
    Headers headers;
    std::string body;
};

using ClientResult = tl::expected<ClientResponse, ClientError>;

/// Thread-safe: requests may run concurrently from several threads.
class HttpClient {
  public:
    /// Loads CA and client certificate files; throws std::runtime_error naming the file.
    explicit HttpClient(HttpClientOptions options = {});
    ~HttpClient();
    HttpClient(HttpClient&&) noexcept;
    HttpClient& operator=(HttpClient&&) noexcept;

    /// `url`: "https://host[:port]/path?query" or "http://...". Sets Host, User-Agent and
    /// Content-Length; `headers` are added as given (e.g. Content-Encoding: gzip).
    ClientResult request(std::string_view method, std::string_view url, const Headers& headers = {},
                         std::string_view body = {}) const;
    ClientResult get(std::string_view url, const Headers& headers = {}) const;
    ClientResult post(std::string_view url, std::string_view body,
                      const Headers& headers = {}) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace printmon::net
