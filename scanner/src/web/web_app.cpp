#include "web/web_app.hpp"

#include <any>
#include <string_view>

#include "web/assets.hpp"
#include "web/http_util.hpp"
#include "web/web_impl.hpp"

namespace printmon::scanner::web {

using net::HttpError;
using net::Request;
using net::Response;

WebApp::Impl::Impl(WebOptions o, WebStorePool& p, Service& s, const common::Clock& c)
    : options(std::move(o)),
      pool(p),
      service(s),
      clock(c),
      log(common::get_logger("scanner.web")),
      started_wall(c.now()),
      cloud_client(client_options(options)) {
    for (const auto& [name, body] : embedded_web_assets()) {
        Asset a;
        a.body = std::string(body);
        a.content_type = content_type_of(name);
        a.etag = "\"" + sha256_hex(body).substr(0, 20) + "\"";
        assets.emplace(std::string(name), std::move(a));
    }
    setup_code_required = SetupCode::required_for(options.address);
    if (setup_code_required) prepare_setup_code();
}

net::HttpClientOptions WebApp::Impl::client_options(const WebOptions& o) {
    net::HttpClientOptions c;
    c.ca_file = o.cloud_ca_file;
    c.connect_timeout = o.cloud_timeout;
    c.tls_timeout = o.cloud_timeout;
    c.request_timeout = o.cloud_timeout;
    c.max_response_bytes = std::size_t{64} * 1024;
    return c;
}

Response WebApp::Impl::asset(const Request& request, const std::string& name, bool page) const {
    const auto it = assets.find(name);
    if (it == assets.end()) throw HttpError(404, "not_found", "no such file");
    if (!page) {
        if (const auto inm = request.header("If-None-Match"); inm && *inm == it->second.etag) {
            Response r = Response::empty(304);
            r.headers["ETag"] = it->second.etag;
            return r;
        }
    }
    Response r = Response::text(it->second.body, 200, it->second.content_type);
    if (page) {
        r.headers["Cache-Control"] = "no-store";
    } else {
        // Revalidated on every load (cheap 304s): a new binary's files show up at once.
        r.headers["Cache-Control"] = "no-cache";
        r.headers["ETag"] = it->second.etag;
    }
    return r;
}

WebApp::WebApp(WebOptions options, WebStorePool& pool, Service& service, const common::Clock& clock)
    : impl_(std::make_unique<Impl>(options, pool, service, clock)), options_(std::move(options)) {}

WebApp::~WebApp() = default;

net::ServerOptions WebApp::server_options(const WebOptions& options) {
    net::ServerOptions s;
    s.address = options.address;
    s.port = options.port;
    if (options.tls()) {
        net::ServerTlsOptions tls;
        tls.cert_chain_file = options.tls_cert_file;
        tls.private_key_file = options.tls_key_file;
        s.tls = tls;
    }
    s.blocking_threads = 4;
    s.max_connections = 128;
    // A browser opens about six connections to a host; one client holding many slow ones must
    // not take every slot from the others (issue 14 item 6).
    s.max_connections_per_address = 16;
    return s;
}

net::Router WebApp::router() {
    net::Router router;
    Impl* impl = impl_.get();
    using Method = Response (Impl::*)(Request&);

    // Every handler gets the security headers and a log line for refused input (the router
    // only logs 5xx).
    auto wrap = [impl](auto fn) {
        return [impl, fn = std::move(fn)](Request& request) {
            Response r;
            try {
                r = fn(request);
            } catch (const HttpError& e) {
                if (e.status() < 500 && e.status() != 401) {
                    impl->log->info(
                        "event=request_refused method={} route={} status={} code={} "
                        "message={}",
                        request.method, common::log_value(request.route_pattern), e.status(),
                        e.code(), common::log_value(e.message()));
                }
                r = net::error_response(e.status(), e.code(), e.message());
            }
            security_headers(r);
            return r;
        };
    };
    auto api = [&](const char* method, const char* pattern, Method m, const char* tag = kTagApi,
                   std::size_t max_body = kMaxApiBodyBytes) {
        net::RouteOptions o;
        o.tag = tag;
        o.max_body_bytes = max_body;
        router.add(method, pattern, wrap([impl, m](Request& r) {
                       Response resp = (impl->*m)(r);
                       if (!resp.headers.count("Cache-Control")) {
                           resp.headers["Cache-Control"] = "no-store";
                       }
                       return resp;
                   }),
                   o);
    };
    auto page = [&](const char* pattern, const std::string& file, const char* tag = kTagPage) {
        net::RouteOptions o;
        o.tag = tag;
        o.max_body_bytes = 0;
        const bool is_public = std::string_view(tag) == kTagPublic;
        router.get(pattern, wrap([impl, file, is_public](Request& r) {
                       if (!is_public) {
                           const auto* p = std::any_cast<std::optional<Principal>>(&r.context);
                           if (p == nullptr || !*p) {
                               return redirect("/login?next=" + net::percent_encode(r.path));
                           }
                       }
                       return impl->asset(r, file, true);
                   }),
                   o);
    };

    // Public: sign-in pages, their API, static files.
    page("/login", "login.html", kTagPublic);
    page("/setup", "setup.html", kTagPublic);
    {
        net::RouteOptions o;
        o.tag = kTagPublic;
        o.max_body_bytes = 0;
        router.get("/static/{file}",
                   wrap([impl](Request& r) { return impl->asset(r, r.param("file"), false); }), o);
    }
    api("GET", "/api/auth/state", &Impl::auth_state, kTagPublic);
    api("POST", "/api/auth/setup", &Impl::setup, kTagPublic, 4096);
    api("POST", "/api/auth/login", &Impl::login, kTagPublic, 4096);

    // Pages behind the login.
    {
        net::RouteOptions o;
        o.tag = kTagPage;
        o.max_body_bytes = 0;
        router.get("/", wrap([](Request& r) {
                       const auto* p = std::any_cast<std::optional<Principal>>(&r.context);
                       return redirect(p != nullptr && *p ? "/devices" : "/login");
                   }),
                   o);
    }
    page("/devices", "app.html");
    page("/devices/{id}", "app.html");
    page("/alerts", "app.html");
    page("/discovery", "app.html");
    page("/export", "app.html");
    page("/cloud", "app.html");
    page("/system", "app.html");

    // JSON API.
    api("POST", "/api/auth/logout", &Impl::logout);
    api("POST", "/api/account/password", &Impl::change_password, kTagApi, 4096);
    api("GET", "/api/tokens", &Impl::list_tokens);
    api("POST", "/api/tokens", &Impl::create_token);
    api("DELETE", "/api/tokens/{id}", &Impl::delete_token);
    api("GET", "/api/devices", &Impl::list_devices);
    api("POST", "/api/devices", &Impl::add_device);
    api("GET", "/api/devices/{id}", &Impl::get_device);
    api("PUT", "/api/devices/{id}", &Impl::update_device);
    api("DELETE", "/api/devices/{id}", &Impl::delete_device);
    api("POST", "/api/devices/{id}/poll", &Impl::poll_device);
    api("POST", "/api/devices/{id}/capture", &Impl::start_capture);
    api("GET", "/api/devices/{id}/capture", &Impl::capture_status);
    api("GET", "/api/devices/{id}/capture/file", &Impl::capture_file);
    api("GET", "/api/devices/{id}/history", &Impl::device_history);
    api("GET", "/api/alerts", &Impl::local_alerts);
    api("GET", "/api/discovery", &Impl::get_discovery);
    api("POST", "/api/discovery/ranges", &Impl::add_range);
    api("PUT", "/api/discovery/ranges/{id}", &Impl::update_range);
    api("DELETE", "/api/discovery/ranges/{id}", &Impl::delete_range);
    api("POST", "/api/discovery/credentials", &Impl::add_credential);
    api("DELETE", "/api/discovery/credentials/{id}", &Impl::delete_credential);
    api("POST", "/api/discovery/run", &Impl::discover_now);
    api("GET", "/api/discovery/progress", &Impl::discovery_progress);
    api("GET", "/api/settings", &Impl::get_settings);
    api("PUT", "/api/settings", &Impl::put_settings);
    api("GET", "/api/export", &Impl::export_readings);
    api("GET", "/api/cloud", &Impl::get_cloud);
    api("PUT", "/api/cloud", &Impl::put_cloud);
    api("POST", "/api/cloud/deactivate", &Impl::deactivate_key);
    api("GET", "/api/status", &Impl::status);
    api("GET", "/api/audit", &Impl::audit_log);

    router.before([impl](Request& r, const net::RouteInfo& route) { impl->before(r, route); });
    // Answers no handler made (404, 405, 401 from the before-hook, and the server's own 413,
    // 431, 503) carry the same headers as the pages (issue 14 item 11).
    router.default_headers(security_header_set());
    return router;
}

}  // namespace printmon::scanner::web
