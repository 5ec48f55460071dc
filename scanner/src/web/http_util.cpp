#include "web/http_util.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace printmon::scanner::web {

using net::Request;
using net::Response;

net::Headers security_header_set() {
    // Rationale: no inline scripts or styles anywhere, so the policy can forbid them; the UI
    // must never be framed (clickjacking of "delete device").
    return {{"Content-Security-Policy",
             "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
            {"X-Content-Type-Options", "nosniff"},
            {"Referrer-Policy", "same-origin"},
            {"X-Frame-Options", "DENY"}};
}

void security_headers(Response& r) {
    for (auto& [name, value] : security_header_set()) r.headers[name] = std::move(value);
}

Response redirect(const std::string& location) {
    Response r = Response::empty(303);
    r.headers["Location"] = location;
    r.headers["Cache-Control"] = "no-store";
    return r;
}

bool is_unsafe(const std::string& method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

/// The name in a Host header, lower case, without the port or an IPv6 literal's brackets:
/// "Scanner:8080" -> "scanner", "[::1]:8080" -> "::1".
std::string host_name(std::string_view host) {
    std::string_view name = host;
    if (!name.empty() && name.front() == '[') {
        const auto close = name.find(']');
        name = close == std::string_view::npos ? name.substr(1) : name.substr(1, close - 1);
    } else if (const auto colon = name.rfind(':'); colon != std::string_view::npos) {
        name = name.substr(0, colon);
    }
    std::string out(name);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!out.empty() && out.back() == '.') out.pop_back();  // "localhost." is localhost
    return out;
}

bool is_ip_literal(const std::string& name) {
    std::array<unsigned char, 16> address{};
    return inet_pton(AF_INET, name.c_str(), address.data()) == 1 ||
           inet_pton(AF_INET6, name.c_str(), address.data()) == 1;
}

std::string content_type_of(std::string_view name) {
    const auto dot = name.rfind('.');
    const auto ext = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    if (ext == "html") return "text/html; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
    if (ext == "svg") return "image/svg+xml";
    if (ext == "png") return "image/png";
    if (ext == "ico") return "image/x-icon";
    if (ext == "json") return "application/json";
    return "application/octet-stream";
}

std::optional<long long> query_int(const Request& request, const char* name, long long lo,
                                   long long hi) {
    const auto v = request.query_param(name);
    if (!v) return std::nullopt;
    const std::string text(*v);
    const bool digits =
        !text.empty() && text.size() <= 9 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoll(text) < lo || std::stoll(text) > hi) {
        throw net::HttpError(400, "invalid_query", fmt::format("{} must be {}..{}", name, lo, hi));
    }
    return std::stoll(text);
}

}  // namespace printmon::scanner::web
