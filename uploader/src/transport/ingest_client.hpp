#pragma once
// HTTPS delivery of one batch to the cloud's ingest endpoint (docs/uploader.md, the ingest
// contract): gzip'd JSON, bearer scanner key, and the response mapped to what the outbox does.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "printmon/net/client.hpp"
#include "printmon/proto/snapshot.hpp"

namespace printmon::uploader {

/// TLS, proxy and timeouts of the cloud connection.
struct TransportOptions {
    std::string ca_file;  ///< "" = the system CA store
    std::string client_cert_file;
    std::string client_key_file;
    std::string proxy;  ///< "http://host:port" (CONNECT), "" = direct
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds request_timeout{60'000};
    int gzip_level = 6;
    /// Plain http:// cloud URLs are refused (the key would travel in clear) unless this is set.
    bool allow_insecure_http = false;
};

/// The cloud's answer, classified.
enum class SendStatus {
    kStored,        ///< 200 "stored"
    kDuplicate,     ///< 200 "duplicate": the cloud had it already
    kInvalid,       ///< 400/415/422: the content is rejected; retrying cannot help
    kTooLarge,      ///< 413
    kUnauthorized,  ///< 401/403: key missing, unknown or revoked
    kOverloaded,    ///< 503 (retry_after when the cloud said when)
    kFailed,        ///< network/TLS error, timeout, other status
};

std::string_view to_string(SendStatus status) noexcept;

struct SendResult {
    SendStatus status = SendStatus::kFailed;
    unsigned http_status = 0;  ///< 0 when no response arrived
    std::string message;       ///< the cloud's error message or the transport error; no secrets
    std::optional<std::chrono::seconds> retry_after;
    std::size_t wire_bytes = 0;  ///< compressed body size
};

/// `pmk.<tenant>.<first 4>…`: what logs may show of a scanner key.
std::string key_hint(std::string_view key);

/// The cloud's answer to the post of batch `batch_id` (the ingest acknowledgement that decides
/// whether the outbox marks rows sent), classified. Any bytes are accepted: the answer comes
/// from whatever listens at cloud_url. Separate from send() so it can be fuzzed without I/O.
SendResult interpret_reply(unsigned status, const net::Headers& headers, const std::string& body,
                           std::string_view batch_id);

/// Posts batches. Thread-safe (HttpClient is).
class IngestClient {
  public:
    /// Throws std::runtime_error naming an unreadable CA/certificate file (a startup error).
    explicit IngestClient(TransportOptions options);

    SendResult send(const std::string& cloud_url, const std::string& scanner_key,
                    const proto::Batch& batch) const;

  private:
    TransportOptions options_;
    net::HttpClient client_;
};

}  // namespace printmon::uploader
