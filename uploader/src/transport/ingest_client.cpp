#include "transport/ingest_client.hpp"

#include <charconv>
#include <optional>
#include <utility>

#include "printmon/net/gzip.hpp"
#include "printmon/net/http.hpp"
#include "printmon/proto/ack.hpp"
#include "printmon/proto/codec.hpp"

namespace printmon::uploader {
namespace {

/// Largest Retry-After honoured; a misconfigured cloud must not park the uploader for days.
constexpr std::chrono::seconds kMaxRetryAfter{3600};
/// Only the first bytes of an error body are worth a log line or a last_error.
constexpr std::size_t kMaxMessageBytes = 500;

net::HttpClientOptions client_options(const TransportOptions& o) {
    net::HttpClientOptions out;
    out.ca_file = o.ca_file;
    out.client_cert_file = o.client_cert_file;
    out.client_key_file = o.client_key_file;
    out.proxy = o.proxy;
    out.connect_timeout = o.connect_timeout;
    out.tls_timeout = o.connect_timeout;
    out.request_timeout = o.request_timeout;
    out.max_response_bytes = std::size_t{1} << 20;
    return out;
}

// The two bodies the cloud answers with: a 200's acknowledgement (proto::parse_ack, the
// contract's one codec) and the error object of every other status (net::parse_error_body).
struct ResponseBody {
    std::optional<proto::IngestAck> ack;
    std::string ack_error;  // why a 200 body is not an acknowledgement
    std::string message;    // error.code + ": " + error.message otherwise
};

ResponseBody parse_body(unsigned status, const std::string& body) {
    ResponseBody out;
    if (status == 200) {
        auto ack = proto::parse_ack(body);
        if (ack) {
            out.ack = std::move(*ack);
        } else {
            out.ack_error = ack.error().message();
        }
        return out;
    }
    out.message = net::parse_error_body(body, kMaxMessageBytes);
    return out;
}

std::optional<std::chrono::seconds> parse_retry_after(const net::Headers& headers) {
    const auto it = headers.find("Retry-After");
    if (it == headers.end()) return std::nullopt;
    long long seconds = 0;
    const auto& v = it->second;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
    // HTTP dates are legal too; the cloud sends seconds, anything else means "the default".
    if (ec != std::errc{} || end != v.data() + v.size() || seconds < 0) return std::nullopt;
    return std::min(std::chrono::seconds(seconds), kMaxRetryAfter);
}

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string_view to_string(SendStatus status) noexcept {
    switch (status) {
        case SendStatus::kStored:
            return "stored";
        case SendStatus::kDuplicate:
            return "duplicate";
        case SendStatus::kInvalid:
            return "invalid";
        case SendStatus::kTooLarge:
            return "too_large";
        case SendStatus::kUnauthorized:
            return "unauthorized";
        case SendStatus::kOverloaded:
            return "overloaded";
        case SendStatus::kFailed:
            return "failed";
    }
    return "failed";
}

std::string key_hint(std::string_view key) {
    // pmk.<tenant_uuid>.<secret>: the tenant is not secret, the secret is.
    const auto last_dot = key.rfind('.');
    if (starts_with(key, "pmk.") && last_dot != std::string_view::npos && last_dot > 4) {
        return std::string(key.substr(0, last_dot + 1)) + std::string(key.substr(last_dot + 1, 4)) +
               "…";
    }
    return key.empty() ? std::string("<none>") : std::string(key.substr(0, 2)) + "…";
}

IngestClient::IngestClient(TransportOptions options)
    : options_(std::move(options)), client_(client_options(options_)) {}

SendResult IngestClient::send(const std::string& cloud_url, const std::string& scanner_key,
                              const proto::Batch& batch) const {
    SendResult out;
    std::string base = cloud_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (!starts_with(base, "https://") &&
        !(options_.allow_insecure_http && starts_with(base, "http://"))) {
        out.message = "cloud_url must be an https:// URL";
        return out;
    }
    const std::string body = net::gzip_compress(proto::to_json(batch), options_.gzip_level);
    out.wire_bytes = body.size();
    const net::Headers headers = {{"Authorization", "Bearer " + scanner_key},
                                  {"Content-Type", "application/json"},
                                  {"Content-Encoding", "gzip"}};
    const auto response = client_.post(base + "/api/v1/ingest", body, headers);
    if (!response) {
        out.message =
            std::string(net::to_string(response.error().code)) + ": " + response.error().message;
        return out;
    }
    const std::size_t wire_bytes = out.wire_bytes;
    out = interpret_reply(response->status, response->headers, response->body, batch.batch_id);
    out.wire_bytes = wire_bytes;
    return out;
}

SendResult interpret_reply(unsigned status, const net::Headers& headers, const std::string& body,
                           std::string_view batch_id) {
    SendResult out;
    out.http_status = status;
    auto parsed = parse_body(status, body);
    switch (status) {
        case 200:
            // Any 200 means stored (the contract: the cloud answers 200 only after its commit,
            // and TLS is verified); the acknowledgement tells which kind. One naming another
            // batch is a cloud bug or a mix-up in between: retried, the cloud deduplicates.
            if (!parsed.ack) {
                out.status = SendStatus::kStored;
                out.message = "200 without a valid acknowledgement (" + parsed.ack_error + ")";
                if (out.message.size() > kMaxMessageBytes) out.message.resize(kMaxMessageBytes);
                return out;
            }
            out.status = parsed.ack->duplicate ? SendStatus::kDuplicate : SendStatus::kStored;
            if (parsed.ack->batch_id != batch_id) {
                // The id comes from whatever answers at cloud_url: bounded like any message
                // (the schema already holds it to a UUID's 36 characters).
                out.message = "the cloud acknowledged another batch_id: " +
                              parsed.ack->batch_id.substr(0, kMaxMessageBytes / 2);
                out.status = SendStatus::kFailed;
            }
            return out;
        case 400:
        case 415:
        case 422:
            out.status = SendStatus::kInvalid;
            break;
        case 413:
            out.status = SendStatus::kTooLarge;
            break;
        case 401:
        case 403:
            out.status = SendStatus::kUnauthorized;
            break;
        case 503:
            out.status = SendStatus::kOverloaded;
            out.retry_after = parse_retry_after(headers);
            break;
        default:
            out.status = SendStatus::kFailed;
            break;
    }
    out.message = "HTTP " + std::to_string(status) +
                  (parsed.message.empty() ? std::string() : ": " + parsed.message);
    return out;
}

}  // namespace printmon::uploader
