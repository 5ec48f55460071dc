#pragma once
// The web app's state and handlers, shared by the files that define its routes by concept:
// routes_auth.cpp, routes_devices.cpp, routes_discovery.cpp, routes_export.cpp,
// routes_system.cpp; web_app.cpp builds the router from them.

#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <spdlog/logger.h>

#include "polling/service.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/net/client.hpp"
#include "storage/store.hpp"
#include "web/credentials.hpp"
#include "web/json_io.hpp"
#include "web/setup_code.hpp"
#include "web/web_app.hpp"
#include "web/web_store.hpp"

namespace printmon::scanner::web {

/// Polling intervals the API accepts (seconds).
inline constexpr long long kMinInterval = 30;
inline constexpr long long kMaxInterval = 7LL * 86400;

struct Asset {
    std::string body;
    std::string content_type;
    std::string etag;
};

struct WebApp::Impl {
    using Request = net::Request;
    using Response = net::Response;

    WebOptions options;
    WebStorePool& pool;
    Service& service;
    const common::Clock& clock;
    std::shared_ptr<spdlog::logger> log;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::chrono::system_clock::time_point started_wall;
    std::map<std::string, Asset, std::less<>> assets;
    net::HttpClient cloud_client;
    std::string dummy_hash = hash_password(random_token());
    /// First-run setup needs the one-time code (the UI listens beyond loopback).
    bool setup_code_required = false;
    SetupCode setup_code;

    Impl(WebOptions o, WebStorePool& p, Service& s, const common::Clock& c);
    static net::HttpClientOptions client_options(const WebOptions& o);

    /// Runs `fn` with a store; a lost database becomes 503 database_unavailable.
    template <class Fn>
    void db(Fn&& fn) {
        try {
            pool.with(std::forward<Fn>(fn));
        } catch (const net::HttpError&) {
            throw;
        } catch (const std::exception& e) {
            if (storage::is_connection_failure(e)) {
                log->warn("event=db_unavailable error={}", common::log_value(e.what()));
                throw net::HttpError(503, "database_unavailable",
                                     "the scanner database is not reachable; try again shortly");
            }
            throw;
        }
    }

    // --- authentication (routes_auth.cpp) --------------------------------------------------------
    std::optional<Principal> resolve(const Request& request);
    void before(Request& request, const net::RouteInfo& route);
    bool is_own_host(const std::string& name) const;
    static const Principal& principal_of(const Request& request);
    void check_same_origin(const Request& request) const;
    std::string session_cookie(const std::string& value, std::chrono::seconds max_age) const;
    Response start_session(const Request& request, const UserRow& user, unsigned status);
    /// At start: issue the setup code while no account exists, or retire an old one.
    void prepare_setup_code();
    /// Refuses a setup without the right code (403) before anything else is looked at.
    void check_setup_code(const Request& request, const rapidjson::Value& body);
    /// 429 with Retry-After when `remote` failed to sign in (or to give the setup code) too
    /// often within the login window.
    std::optional<Response> rate_limited(const std::string& remote, const char* what);
    Response auth_state(Request& request);
    Response setup(Request& request);
    Response login(Request& request);
    Response logout(Request& request);
    Response change_password(Request& request);
    Response list_tokens(Request& request);
    Response create_token(Request& request);
    Response delete_token(Request& request);

    // --- devices and local alerts (routes_devices.cpp) -------------------------------------------
    Response list_devices(Request&);
    DeviceView load_device(const std::string& id, storage::Settings* settings = nullptr);
    Response get_device(Request& request);
    Response device_history(Request& request);
    Response local_alerts(Request& request);
    Response add_device(Request& request);
    Response update_device(Request& request);
    Response delete_device(Request& request);
    Response poll_device(Request& request);
    Response start_capture(Request& request);
    Response capture_status(Request& request);
    Response capture_file(Request& request);

    // --- discovery, credentials and settings (routes_discovery.cpp) ------------------------------
    static void write_progress(Json& j, const DiscoveryProgress& p);
    Response get_discovery(Request&);
    static void write_settings(Json& j, const storage::Settings& s);
    Response add_range(Request& request);
    Response update_range(Request& request);
    Response delete_range(Request& request);
    Response add_credential(Request& request);
    Response delete_credential(Request& request);
    Response get_settings(Request&);
    Response put_settings(Request& request);
    Response discover_now(Request& request);
    Response discovery_progress(Request&);

    // --- export (routes_export.cpp) --------------------------------------------------------------
    Response export_readings(Request& request);

    // --- audit log (routes_system.cpp) -----------------------------------------------------------
    /// One entry for the request's principal, written after the change committed. A failure
    /// to write it is logged, never the request's (the change stands).
    void audit(const Request& request, std::string_view action, std::string target = {},
               std::string detail = {});
    /// The same on a public route (setup, sign-in), where the actor is named here:
    /// `kind` user, or anonymous for a failed sign-in.
    void audit_by(const Request& request, std::string_view kind, std::string actor,
                  std::string_view action, std::string target, std::string detail = {});
    void write_audit(const AuditEntry& entry);
    Response audit_log(Request& request);

    // --- cloud and status (routes_system.cpp) ----------------------------------------------------
    Response get_cloud(Request&);
    Response put_cloud(Request& request);
    Response deactivate_key(Request& request);
    Response status(Request&);
    static void write_retention(Json& j, const RetentionStatus& r);

    // --- pages and assets (web_app.cpp) ----------------------------------------------------------
    Response asset(const Request& request, const std::string& name, bool page) const;
};

}  // namespace printmon::scanner::web
