#pragma once
// HTTP request/response types for handlers and clients. Beast-free on purpose: domain code
// (scanner web UI, cloud API) includes only this and router.hpp.

#include <any>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace printmon::net {

/// ASCII case-insensitive ordering for header names; transparent, so lookups take string_view.
struct CaseInsensitiveLess {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept;
};

/// Header fields by name, case-insensitive. Repeated fields are joined with ", " (RFC 9110 5.3).
using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

/// Decoded query parameters; a repeated name keeps its first value.
using QueryParams = std::map<std::string, std::string>;

/// Default cap on a request body as received (1 MiB).
inline constexpr std::size_t kDefaultMaxBodyBytes = std::size_t{1} << 20;

/// One HTTP request as a handler sees it: body complete (and inflated when the route allows
/// gzip), path parameters and query decoded.
struct Request {
    std::string method;                         ///< "GET", "POST", ... (upper case as sent)
    std::string target;                         ///< raw request target, "/api/v1/devices/7?full=1"
    std::string path;                           ///< target without the query, still percent-encoded
    std::map<std::string, std::string> params;  ///< decoded path parameters, {"id": "7"}
    QueryParams query;                          ///< decoded query parameters
    Headers headers;
    std::string body;
    std::string remote_address;  ///< peer IP, "127.0.0.1"
    std::uint16_t remote_port = 0;
    /// Subject of the verified TLS client certificate ("/CN=..."), when one was presented.
    std::optional<std::string> client_cert_subject;
    /// Pattern of the matched route ("/api/v1/devices/{id}"), for logs and metrics.
    std::string route_pattern;
    /// Set by the router's before-hook (e.g. the authenticated principal) for the handler.
    std::any context;

    /// Value of a header, or nullopt.
    std::optional<std::string_view> header(std::string_view name) const;
    /// Value of cookie `name` in the Cookie header, or nullopt.
    std::optional<std::string> cookie(std::string_view name) const;
    /// Value of a query parameter, or nullopt.
    std::optional<std::string_view> query_param(std::string_view name) const;
    /// Path parameter that the route pattern guarantees (throws std::out_of_range otherwise).
    const std::string& param(const std::string& name) const { return params.at(name); }
};

/// A response from a handler. Content-Length and Connection are set by the server; a non-empty
/// body without Content-Type is sent as application/json.
struct Response {
    unsigned status = 200;
    Headers headers;
    std::string body;

    /// `body` must already be JSON (build it with printmon::proto or RapidJSON's Writer).
    static Response json(std::string body, unsigned status = 200);
    static Response text(std::string body, unsigned status = 200,
                         std::string content_type = "text/plain; charset=utf-8");
    static Response empty(unsigned status = 204);
};

/// Thrown by a handler (or the before-hook) to answer with a JSON error body
/// `{"error":{"code":CODE,"message":MESSAGE}}` and `status`. An expected outcome such as a
/// missing device or a failed validation, not a bug: the message is shown to the client.
class HttpError : public std::runtime_error {
  public:
    HttpError(unsigned status, std::string code, std::string message);

    unsigned status() const noexcept { return status_; }
    const std::string& code() const noexcept { return code_; }
    const std::string& message() const noexcept { return message_; }

    /// Extra response headers, e.g. Retry-After on a 503 or WWW-Authenticate on a 401.
    HttpError& with_header(std::string name, std::string value) {
        headers_.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    const std::vector<std::pair<std::string, std::string>>& headers() const noexcept {
        return headers_;
    }

  private:
    unsigned status_;
    std::string code_;
    std::string message_;
    std::vector<std::pair<std::string, std::string>> headers_;
};

/// The JSON error response `{"error":{"code":...,"message":...}}`, with "correlation_id" added
/// when given.
Response error_response(unsigned status, std::string_view code, std::string_view message,
                        std::string_view correlation_id = {});

/// Reads an error_response body back: "CODE: MESSAGE" (or the one that is present). A body of
/// another shape (a proxy's HTML page, truncated JSON) gives its first `max_bytes` bytes, so a
/// log line still says what came back. Never recurses on the input's nesting.
std::string parse_error_body(std::string_view body, std::size_t max_bytes = 500);

/// Standard reason phrase ("Not Found"), or "" for an unknown status.
std::string_view reason_phrase(unsigned status) noexcept;

/// The media type of a Content-Type value, lower case, without parameters or spaces:
/// "Application/JSON; charset=utf-8" -> "application/json". Compare it whole: a substring
/// test let "text/plain;charset=application/json" (a type any web page can send cross-site
/// without a preflight) pass as JSON.
std::string media_type(std::string_view content_type);

/// Percent-decodes a URL component; `plus_as_space` for query strings
/// (application/x-www-form-urlencoded). nullopt on a malformed escape ("%4", "%zz").
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space);

/// Percent-encodes everything except RFC 3986 unreserved characters.
std::string percent_encode(std::string_view text);

/// Parses "a=1&b=x%20y&flag"; a name without '=' maps to "". nullopt on a malformed escape.
std::optional<QueryParams> parse_query(std::string_view query);

}  // namespace printmon::net
