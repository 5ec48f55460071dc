// Route matching and the error mapping shared by every printmon HTTP API.
#include "printmon/net/router.hpp"

#include <algorithm>
#include <exception>
#include <random>
#include <set>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "printmon/common/logging.hpp"

namespace printmon::net {

struct Router::Route {
    struct Segment {
        bool is_param = false;
        std::string text;  // literal text, or the parameter name
    };
    RouteInfo info;
    Handler handler;
    std::vector<Segment> segments;
};

namespace {

// "/a/b" -> {"a", "b"}; "/" -> {""}. The caller checks the leading '/'.
std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    path.remove_prefix(1);
    for (;;) {
        const auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

// Rationale: a correlation id only has to be unique enough to find one log line, so a
// per-thread PRNG seeded from random_device is plenty (and never blocks).
std::string correlation_id() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format("{:016x}", rng());
}

bool is_token_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

}  // namespace

Router::Router() : log_(common::get_logger("net.http")) {}

Router& Router::add(std::string method, std::string pattern, Handler handler,
                    RouteOptions options) {
    if (method.empty() || !std::all_of(method.begin(), method.end(), is_token_char)) {
        throw std::invalid_argument(fmt::format("route: bad method '{}'", method));
    }
    if (pattern.empty() || pattern.front() != '/') {
        throw std::invalid_argument(
            fmt::format("route: pattern '{}' must start with '/'", pattern));
    }
    if (!handler) throw std::invalid_argument(fmt::format("route: no handler for '{}'", pattern));
    auto route = std::make_shared<Route>();
    std::set<std::string> names;
    for (const std::string_view segment : split_path(pattern)) {
        Route::Segment seg;
        if (segment.size() >= 2 && segment.front() == '{' && segment.back() == '}') {
            seg.is_param = true;
            seg.text = std::string(segment.substr(1, segment.size() - 2));
            if (seg.text.empty() || !std::all_of(seg.text.begin(), seg.text.end(), is_token_char) ||
                !names.insert(seg.text).second) {
                throw std::invalid_argument(
                    fmt::format("route: bad parameter '{}' in '{}'", segment, pattern));
            }
        } else if (segment.find_first_of("{}?#") != std::string_view::npos) {
            throw std::invalid_argument(
                fmt::format("route: bad segment '{}' in '{}'", segment, pattern));
        } else {
            seg.text = std::string(segment);
        }
        route->segments.push_back(std::move(seg));
    }
    for (const auto& existing : routes_) {
        if (existing->info.method == method && existing->info.pattern == pattern) {
            throw std::invalid_argument(fmt::format("route: duplicate {} {}", method, pattern));
        }
    }
    route->info = RouteInfo{std::move(method), std::move(pattern), std::move(options)};
    route->handler = std::move(handler);
    routes_.push_back(std::move(route));
    return *this;
}

Router& Router::get(std::string pattern, Handler handler, RouteOptions options) {
    return add("GET", std::move(pattern), std::move(handler), std::move(options));
}
Router& Router::post(std::string pattern, Handler handler, RouteOptions options) {
    return add("POST", std::move(pattern), std::move(handler), std::move(options));
}
Router& Router::put(std::string pattern, Handler handler, RouteOptions options) {
    return add("PUT", std::move(pattern), std::move(handler), std::move(options));
}
Router& Router::del(std::string pattern, Handler handler, RouteOptions options) {
    return add("DELETE", std::move(pattern), std::move(handler), std::move(options));
}

void Router::before(BeforeHook hook) { before_ = std::move(hook); }

void Router::before_body(BeforeHook hook) { before_body_ = std::move(hook); }

Response Router::map_error(const HttpError& e, const Request& request,
                           const std::string& pattern) const {
    if (e.status() >= 500) {
        log_->warn("event=handler_error status={} code={} method={} route={} message={}",
                   e.status(), common::log_value(e.code()), request.method,
                   common::log_value(pattern), common::log_value(e.message()));
    }
    Response r = error_response(e.status(), e.code(), e.message());
    for (const auto& [name, value] : e.headers()) r.headers.insert_or_assign(name, value);
    return r;
}

std::optional<Response> Router::authorize_headers(const RouteMatch& match, Request& request) const {
    if (!before_body_ || match.kind != RouteMatch::Kind::kFound) return std::nullopt;
    const Route& route = *routes_.at(match.index);
    request.params = match.params;
    request.route_pattern = route.info.pattern;
    try {
        before_body_(request, route.info);
        return std::nullopt;
    } catch (const HttpError& e) {
        return map_error(e, request, route.info.pattern);
    } catch (const std::exception& e) {
        const std::string id = correlation_id();
        log_->error("event=handler_failed correlation_id={} method={} route={} error={}", id,
                    request.method, common::log_value(route.info.pattern),
                    common::log_value(e.what()));
        return error_response(500, "internal", "internal server error", id);
    }
}

std::vector<RouteInfo> Router::routes() const {
    std::vector<RouteInfo> out;
    out.reserve(routes_.size());
    for (const auto& route : routes_) out.push_back(route->info);
    return out;
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
    RouteMatch result;
    if (path.empty() || path.front() != '/') {
        result.kind = RouteMatch::Kind::kBadPath;
        return result;
    }
    std::vector<std::string> decoded;
    for (const std::string_view segment : split_path(path)) {
        auto value = percent_decode(segment, false);
        if (!value) {
            result.kind = RouteMatch::Kind::kBadPath;
            return result;
        }
        decoded.push_back(std::move(*value));
    }

    // Among matching routes the one with literals earliest wins: compare literal-flags
    // lexicographically (true > false).
    std::vector<bool> best_score;
    bool found = false;
    std::set<std::string> allowed;
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        const Route& route = *routes_[i];
        if (route.segments.size() != decoded.size()) continue;
        std::vector<bool> score;
        bool matches = true;
        for (std::size_t s = 0; s < decoded.size() && matches; ++s) {
            const auto& seg = route.segments[s];
            matches = seg.is_param ? !decoded[s].empty() : seg.text == decoded[s];
            score.push_back(!seg.is_param);
        }
        if (!matches) continue;
        if (route.info.method != method) {
            allowed.insert(route.info.method);
            continue;
        }
        if (!found || score > best_score) {
            found = true;
            best_score = std::move(score);
            result.index = i;
        }
    }
    if (found) {
        const Route& route = *routes_[result.index];
        result.kind = RouteMatch::Kind::kFound;
        result.route = &route.info;
        for (std::size_t s = 0; s < decoded.size(); ++s) {
            if (route.segments[s].is_param) result.params[route.segments[s].text] = decoded[s];
        }
    } else if (!allowed.empty()) {
        result.kind = RouteMatch::Kind::kMethodNotAllowed;
        for (const auto& m : allowed) {
            if (!result.allow.empty()) result.allow += ", ";
            result.allow += m;
        }
    }
    return result;
}

void Router::apply_default_headers(Response& response) const {
    for (const auto& [name, value] : default_headers_) response.headers.emplace(name, value);
}

Response Router::invoke(const RouteMatch& match, Request& request) const {
    Response response = invoke_route(match, request);
    apply_default_headers(response);
    return response;
}

Response Router::invoke_route(const RouteMatch& match, Request& request) const {
    switch (match.kind) {
        case RouteMatch::Kind::kNotFound:
            return error_response(404, "not_found", "no such resource");
        case RouteMatch::Kind::kBadPath:
            return error_response(400, "bad_request", "malformed path");
        case RouteMatch::Kind::kMethodNotAllowed: {
            Response r =
                error_response(405, "method_not_allowed",
                               fmt::format("method not allowed; allowed: {}", match.allow));
            r.headers.emplace("Allow", match.allow);
            return r;
        }
        case RouteMatch::Kind::kFound:
            break;
    }
    const Route& route = *routes_.at(match.index);
    request.params = match.params;
    request.route_pattern = route.info.pattern;
    try {
        if (before_) before_(request, route.info);
        return route.handler(request);
    } catch (const HttpError& e) {
        return map_error(e, request, route.info.pattern);
    } catch (const std::exception& e) {
        const std::string id = correlation_id();
        log_->error("event=handler_failed correlation_id={} method={} route={} error={}", id,
                    request.method, common::log_value(route.info.pattern),
                    common::log_value(e.what()));
        return error_response(500, "internal", "internal server error", id);
    } catch (...) {
        const std::string id = correlation_id();
        log_->error("event=handler_failed correlation_id={} method={} route={} error=unknown", id,
                    request.method, common::log_value(route.info.pattern));
        return error_response(500, "internal", "internal server error", id);
    }
}

void Router::observe(const Request& request, unsigned status,
                     std::chrono::nanoseconds elapsed) const noexcept {
    if (!observer_) return;
    try {
        observer_(request, status, elapsed);
    } catch (...) {  // a metrics failure must never end a connection
    }
}

Response Router::handle(Request& request) const {
    const auto question = request.target.find('?');
    if (request.path.empty()) request.path = request.target.substr(0, question);
    if (question != std::string::npos && request.query.empty()) {
        auto query = parse_query(std::string_view(request.target).substr(question + 1));
        if (!query) {
            Response response = error_response(400, "bad_request", "malformed query string");
            apply_default_headers(response);
            return response;
        }
        request.query = std::move(*query);
    }
    return invoke(match(request.method, request.path), request);
}

}  // namespace printmon::net
