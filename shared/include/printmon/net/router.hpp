#pragma once
// Routing: method + path pattern ("/api/v1/devices/{id}") to a handler, plus the error mapping
// every printmon HTTP API shares (STYLE.md §3). Beast-free; the Server does the I/O.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/logger.h>

#include "printmon/net/http.hpp"

namespace printmon::net {

/// Inflated bytes a gzip body may always reach, whatever its compression ratio.
inline constexpr std::size_t kInflateRatioFloor = std::size_t{1} << 20;

/// Per-route limits and behaviour.
struct RouteOptions {
    /// Cap on the body as received on the wire; larger requests get 413 (before the body is
    /// read when Content-Length announces it).
    std::size_t max_body_bytes = kDefaultMaxBodyBytes;
    /// Accept `Content-Encoding: gzip` and inflate it before the handler runs. Off by default:
    /// other routes answer 415 to any content coding.
    bool accept_gzip = false;
    /// Cap on the inflated body (gzip-bomb protection): inflating stops there with 413.
    std::size_t max_inflated_bytes = kDefaultMaxBodyBytes;
    /// Cap on the inflated size relative to the body as received: at most this many times its
    /// size (but always kInflateRatioFloor), 413 beyond. Real JSON compresses 5-20 times; a
    /// bomb about 1,000 times, so a small body cannot make the server hold max_inflated_bytes.
    /// 0: no ratio cap.
    std::size_t max_inflate_ratio = 100;
    /// The handler never blocks (health check, static page): run it, and the before_body hook
    /// for it, on the I/O thread instead of the blocking pool, so it answers even while every
    /// blocking thread waits on the database. The hook must then not block for this route
    /// (e.g. it skips routes tagged "public").
    bool run_inline = false;
    /// Free-form label for the before-hook, e.g. "public" for routes that skip authentication.
    std::string tag;
};

/// A synchronous handler. It runs on the server's blocking pool (so it may use the database)
/// unless the route says run_inline. Throw HttpError for expected failures.
using Handler = std::function<Response(Request&)>;

/// A registered route, as listed by Router::routes().
struct RouteInfo {
    std::string method;
    std::string pattern;
    RouteOptions options;
};

/// Runs before every matched handler, on the same thread. Throw HttpError (e.g. 401) to reject;
/// store what the handler needs (the principal) in Request::context.
using BeforeHook = std::function<void(Request&, const RouteInfo&)>;

/// Told of every answered request: its status and the time from its first byte to the answer
/// written. `request.route_pattern` is the matched route's pattern, empty when none matched.
/// Runs on an I/O thread: keep it cheap (a counter), never throw.
using ResponseObserver =
    std::function<void(const Request&, unsigned status, std::chrono::nanoseconds elapsed)>;

/// Result of matching a method and path against the routes.
struct RouteMatch {
    enum class Kind {
        kFound,             ///< `route` and Request params are set
        kNotFound,          ///< no pattern matches the path
        kMethodNotAllowed,  ///< the path matches, not with this method; `allow` lists methods
        kBadPath,           ///< malformed percent-escape in the path
    };
    Kind kind = Kind::kNotFound;
    const RouteInfo* route = nullptr;
    std::map<std::string, std::string> params;
    std::string allow;  ///< "GET, POST" for kMethodNotAllowed
    std::size_t index = 0;
};

/// Routes requests to handlers. Build it completely before handing it to a Server; it is then
/// only read (from several threads).
class Router {
  public:
    Router();

    /// Registers `handler` for `method` and `pattern`. Pattern segments are literals or
    /// `{name}` (one non-empty segment, percent-decoded into Request::params). A literal
    /// segment beats a parameter ("/devices/new" wins over "/devices/{id}"). Throws
    /// std::invalid_argument for a malformed or duplicate pattern (a startup error).
    Router& add(std::string method, std::string pattern, Handler handler,
                RouteOptions options = {});
    Router& get(std::string pattern, Handler handler, RouteOptions options = {});
    Router& post(std::string pattern, Handler handler, RouteOptions options = {});
    Router& put(std::string pattern, Handler handler, RouteOptions options = {});
    Router& del(std::string pattern, Handler handler, RouteOptions options = {});

    /// Installs the middleware run before each handler (authentication).
    void before(BeforeHook hook);

    /// Installs a hook run after routing and BEFORE the request body is read (headers only:
    /// `request.body` is empty). Use it for credentials carried in headers, so an unknown or
    /// revoked key is refused without reading (or inflating) a large body. It runs on the
    /// blocking pool, so it may query a database; for run_inline routes it runs on the I/O
    /// thread and must not block.
    void before_body(BeforeHook hook);

    /// Runs the before_body hook with the usual error mapping: the response refusing the
    /// request, or nullopt to go on. Sets request.params/route_pattern.
    std::optional<Response> authorize_headers(const RouteMatch& match, Request& request) const;
    bool has_before_body() const { return static_cast<bool>(before_body_); }

    /// Installs the observer the Server calls after each answer (request metrics), including
    /// the answers the Server makes itself (413, 415, 431, 503).
    void on_response(ResponseObserver observer) { observer_ = std::move(observer); }
    /// Calls the observer, if any; swallows what it throws.
    void observe(const Request& request, unsigned status,
                 std::chrono::nanoseconds elapsed) const noexcept;

    /// Headers every answer carries unless it sets them itself (a web UI's security headers):
    /// added by invoke() to handler answers and to the errors it maps (404, 405, 401 from a
    /// hook, 500), and by the Server to the answers it makes itself (413, 415, 431, 503).
    void default_headers(Headers headers) { default_headers_ = std::move(headers); }
    const Headers& default_headers() const { return default_headers_; }
    /// Adds the default headers `response` lacks.
    void apply_default_headers(Response& response) const;

    /// Every registered route, in registration order (checked against the OpenAPI document).
    std::vector<RouteInfo> routes() const;

    /// Matches a still percent-encoded path.
    RouteMatch match(std::string_view method, std::string_view path) const;

    /// Answers a request: the 404/405/400 JSON errors for a failed match, otherwise the
    /// before-hook and handler with the error mapping (HttpError -> its JSON body; any other
    /// exception -> 500 with a correlation id that is also logged; the exception text never
    /// reaches the client). Copies match.params into the request. Never throws.
    Response invoke(const RouteMatch& match, Request& request) const;

    /// match() + invoke(): the whole routing step without I/O (handy in unit tests).
    Response handle(Request& request) const;

  private:
    struct Route;
    std::vector<std::shared_ptr<const Route>> routes_;
    BeforeHook before_;
    BeforeHook before_body_;
    ResponseObserver observer_;
    Headers default_headers_;
    Response invoke_route(const RouteMatch& match, Request& request) const;
    Response map_error(const HttpError& e, const Request& request,
                       const std::string& pattern) const;
    std::shared_ptr<spdlog::logger> log_;
};

}  // namespace printmon::net
