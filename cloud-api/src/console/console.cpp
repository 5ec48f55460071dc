#include "console/console.hpp"

#include <map>
#include <memory>

#include <fmt/format.h>

#include "console/assets.hpp"
#include "printmon/crypto/crypto.hpp"
#include "printmon/net/gzip.hpp"

namespace printmon::cloud::console {
namespace {

struct Asset {
    std::string content_type;
    std::string body;
    std::string gzipped;  ///< empty when compressing does not pay (images)
    std::string etag;
};

std::string sha256_prefix(std::string_view data) { return crypto::sha256_hex(data).substr(0, 16); }

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// Built once at registration: compressing Chart.js per request would cost ~10 ms of CPU.
std::shared_ptr<const std::map<std::string, Asset, std::less<>>> load_assets() {
    auto assets = std::make_shared<std::map<std::string, Asset, std::less<>>>();
    for (const auto& [name, bytes] : embedded_web_assets()) {
        Asset a;
        a.content_type = content_type_of(name);
        a.body = std::string(bytes);
        if (!ends_with(name, ".png")) a.gzipped = net::gzip_compress(a.body, 9);
        a.etag = "\"" + sha256_prefix(a.body) + "\"";
        assets->emplace(std::string(name), std::move(a));
    }
    return assets;
}

bool accepts_gzip(const net::Request& request) {
    const auto ae = request.header("Accept-Encoding");
    return ae && ae->find("gzip") != std::string_view::npos;
}

net::Response serve(const std::map<std::string, Asset, std::less<>>& assets,
                    const net::Request& request, std::string_view name) {
    const auto it = assets.find(name);
    if (it == assets.end()) throw net::HttpError(404, "not_found", "no such file");
    const Asset& a = it->second;
    net::Response r;
    if (const auto inm = request.header("If-None-Match"); inm && *inm == a.etag) {
        r = net::Response::empty(304);
    } else if (!a.gzipped.empty() && accepts_gzip(request)) {
        r = net::Response::text(a.gzipped, 200, a.content_type);
        r.headers["Content-Encoding"] = "gzip";
    } else {
        r = net::Response::text(a.body, 200, a.content_type);
    }
    r.headers["Vary"] = "Accept-Encoding";
    r.headers["ETag"] = a.etag;
    // Revalidated on every load (cheap 304s): a new binary's files show up at once.
    r.headers["Cache-Control"] = "no-cache";
    security_headers(r);
    return r;
}

}  // namespace

void security_headers(net::Response& r) {
    // Rationale: the console has no inline scripts or styles, so the policy can forbid them
    // (an injected device name can never run); it must never be framed (clickjacking of
    // "revoke key").
    r.headers["Content-Security-Policy"] =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    r.headers["X-Content-Type-Options"] = "nosniff";
    r.headers["Referrer-Policy"] = "same-origin";
    r.headers["X-Frame-Options"] = "DENY";
}

std::string content_type_of(std::string_view name) {
    if (ends_with(name, ".html")) return "text/html; charset=utf-8";
    if (ends_with(name, ".css")) return "text/css; charset=utf-8";
    if (ends_with(name, ".js") || ends_with(name, ".mjs")) {
        return "text/javascript; charset=utf-8";
    }
    if (ends_with(name, ".json")) return "application/json; charset=utf-8";
    if (ends_with(name, ".svg")) return "image/svg+xml";
    if (ends_with(name, ".png")) return "image/png";
    if (ends_with(name, ".ico")) return "image/x-icon";
    return "application/octet-stream";
}

void register_console_routes(net::Router& router) {
    const auto assets = load_assets();
    net::RouteOptions options;
    options.run_inline = true;  // memory only, never blocks
    options.tag = "public";
    options.max_body_bytes = 0;
    router.get(
        "/", [assets](net::Request& request) { return serve(*assets, request, "index.html"); },
        options);
    router.get(
        "/console/{file}",
        [assets](net::Request& request) { return serve(*assets, request, request.param("file")); },
        options);
}

}  // namespace printmon::cloud::console
