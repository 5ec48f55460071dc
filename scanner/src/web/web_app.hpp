#pragma once
// The scanner's settings web UI and its JSON API, served by `printmon-scanner run`:
// pages (HTML shells + one build-free script) and /api/* routes behind one login.
//
// Authentication: a session cookie (HttpOnly, SameSite=Strict, Secure under HTTPS) or a bearer
// API token. Every state-changing request with a cookie must carry the session's CSRF token in
// X-CSRF-Token. Unauthenticated page requests are redirected to /login, API requests get 401;
// only the login/setup pages, their API and static assets are public (RouteOptions::tag).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "printmon/common/clock.hpp"
#include "printmon/net/router.hpp"
#include "printmon/net/server.hpp"

namespace printmon::scanner {
class Service;
}

namespace printmon::scanner::web {

class WebStorePool;
struct Principal;

/// The [web] section of scanner.toml.
struct WebOptions {
    bool enabled = true;
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;
    std::string tls_cert_file;  ///< PEM chain; with tls_key_file: HTTPS only
    std::string tls_key_file;
    std::chrono::seconds session_lifetime{12 * 3600};
    int login_max_failures = 5;  ///< per remote address within login_window
    std::chrono::seconds login_window{15 * 60};
    std::string cloud_ca_file;  ///< CA bundle for the cloud; "" = the system store
    std::chrono::milliseconds cloud_timeout{10000};
    /// Host names the UI answers to for sign-in and first-run setup, besides IP literals and
    /// localhost (DNS-rebinding guard): the names users type to reach it.
    std::vector<std::string> allowed_hosts;
    /// Where the one-time setup code goes when `address` is not a loopback address and no
    /// account exists yet (docs/scanner-ui.md, Security). The config loader's default is
    /// beside [secrets] key_file; required when the code is.
    std::string setup_code_file;

    bool tls() const { return !tls_cert_file.empty(); }
};

/// Route tags: who may call a route (RouteOptions::tag).
inline constexpr const char* kTagPublic = "public";  ///< login/setup and static assets
inline constexpr const char* kTagPage = "page";      ///< HTML page: redirect to /login
inline constexpr const char* kTagApi = "api";        ///< JSON API: 401 without a principal

/// Name of the session cookie.
inline constexpr const char* kSessionCookie = "pm_session";

/// Cap on JSON request bodies of the API (larger ones get 413).
inline constexpr std::size_t kMaxApiBodyBytes = std::size_t{64} * 1024;

class WebApp {
  public:
    /// `pool`, `service` and `clock` must outlive the app and every router built from it.
    WebApp(WebOptions options, WebStorePool& pool, Service& service, const common::Clock& clock);
    ~WebApp();
    WebApp(const WebApp&) = delete;
    WebApp& operator=(const WebApp&) = delete;

    /// Every page, asset and API route with the authentication hook installed.
    net::Router router();

    /// Server options for the [web] section (TLS when a certificate is configured).
    static net::ServerOptions server_options(const WebOptions& options);

    const WebOptions& options() const { return options_; }

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    WebOptions options_;
};

}  // namespace printmon::scanner::web
