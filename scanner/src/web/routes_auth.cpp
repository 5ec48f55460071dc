// The web UI's sign-in: sessions and API tokens, the CSRF check, first-run setup, login
// with its rate limit, logout, password change and API token management.

#include "web/web_impl.hpp"

#include <algorithm>
#include <any>
#include <stdexcept>

#include <fmt/format.h>

#include "web/http_util.hpp"

namespace printmon::scanner::web {

using net::HttpError;
using net::Request;
using net::Response;

namespace {

constexpr const char* kAdminUser = "admin";

}  // namespace

std::optional<Principal> WebApp::Impl::resolve(const Request& request) {
    std::optional<Principal> principal;
    if (const auto auth = request.header("Authorization")) {
        constexpr std::string_view kBearer = "Bearer ";
        if (auth->substr(0, kBearer.size()) == kBearer) {
            const auto hash = sha256_hex(auth->substr(kBearer.size()));
            db([&](WebStore& s) { principal = s.api_token(hash); });
            if (!principal) throw HttpError(401, "unauthenticated", "unknown API token");
            return principal;
        }
    }
    const auto token = request.cookie(kSessionCookie);
    if (!token || token->empty() || token->size() > 128) return std::nullopt;
    const auto hash = sha256_hex(*token);
    db([&](WebStore& s) { principal = s.session(hash); });
    return principal;
}

void WebApp::Impl::before(Request& request, const net::RouteInfo& route) {
    if (route.options.tag == kTagPublic) return;
    auto principal = resolve(request);
    if (route.options.tag == kTagPage) {
        request.context = principal;
        return;
    }
    if (!principal) throw HttpError(401, "unauthenticated", "log in first");
    if (is_unsafe(request.method) && !principal->api_token) {
        const auto token = request.header("X-CSRF-Token");
        if (!token || !constant_time_equal(*token, principal->csrf_token)) {
            log->warn("event=csrf_rejected route={} remote={}", common::log_value(route.pattern),
                      request.remote_address);
            throw HttpError(403, "csrf_failed", "missing or wrong X-CSRF-Token; reload the page");
        }
    }
    request.context = principal;
}

bool WebApp::Impl::is_own_host(const std::string& name) const {
    if (name == "localhost" || is_ip_literal(name)) return true;
    return std::any_of(options.allowed_hosts.begin(), options.allowed_hosts.end(),
                       [&](const std::string& allowed) { return host_name(allowed) == name; });
}

const Principal& WebApp::Impl::principal_of(const Request& request) {
    const auto* p = std::any_cast<std::optional<Principal>>(&request.context);
    if (p == nullptr || !*p) throw HttpError(401, "unauthenticated", "log in first");
    return **p;
}

/// Login and setup come without a session, so they are guarded by what the browser says
/// about the request (issue 14 item 2):
/// - Host must be a name of this scanner: an IP literal, localhost, or one of
///   [web] allowed_hosts. Rationale: DNS rebinding gives a hostile page a name that
///   resolves to the scanner; its requests are same-origin for the browser, but carry the
///   hostile name in Host. An IP literal cannot be rebound.
/// - Origin, when sent (browsers always send it on a POST), must be this very host and
///   scheme; Sec-Fetch-Site, when sent, must not say cross-site.
/// - The body must be application/json (net::read_json_object): a cross-site form cannot
///   send that.
/// Clients without Host or Origin (curl, scripts) are not browsers and not at risk.
void WebApp::Impl::check_same_origin(const Request& request) const {
    const auto host = request.header("Host");
    if (host && !is_own_host(host_name(*host))) {
        log->warn("event=unknown_host host={} remote={}", common::log_value(*host),
                  request.remote_address);
        throw HttpError(403, "unknown_host",
                        fmt::format("this scanner does not answer to the name '{}'; add it "
                                    "to allowed_hosts in the [web] section of scanner.toml",
                                    host_name(*host)));
    }
    const auto origin = request.header("Origin");
    if (origin) {
        const std::string expected =
            fmt::format("{}://{}", options.tls() ? "https" : "http", host.value_or(""));
        if (!host || !iequals(*origin, expected)) {
            throw HttpError(403, "cross_origin", "cross-origin request refused");
        }
    }
    const auto site = request.header("Sec-Fetch-Site");
    if (site && *site != "same-origin" && *site != "none") {
        throw HttpError(403, "cross_origin", "cross-origin request refused");
    }
}

std::string WebApp::Impl::session_cookie(const std::string& value,
                                         std::chrono::seconds max_age) const {
    return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie,
                       value, max_age.count(), options.tls() ? "; Secure" : "");
}

Response WebApp::Impl::start_session(const Request& request, const UserRow& user, unsigned status) {
    const auto token = random_token();
    const auto csrf = random_token();
    db([&](WebStore& s) {
        s.create_session(sha256_hex(token), user.user_id, csrf, options.session_lifetime,
                         request.remote_address);
    });
    Json j;
    j.begin().key("username").str(user.username).key("csrf_token").str(csrf).end();
    Response r = j.response(status);
    r.headers["Set-Cookie"] = session_cookie(token, options.session_lifetime);
    return r;
}

Response WebApp::Impl::auth_state(Request& request) {
    bool setup_required = false;
    db([&](WebStore& s) { setup_required = !s.has_users(); });
    std::optional<Principal> principal;
    if (!setup_required) principal = resolve(request);
    Json j;
    j.begin().key("setup_required").boolean(setup_required);
    j.key("authenticated").boolean(principal.has_value());
    j.key("username").opt(principal ? std::optional(principal->username) : std::nullopt);
    j.key("csrf_token").opt(principal ? std::optional(principal->csrf_token) : std::nullopt);
    j.key("version").str(PRINTMON_VERSION);
    const bool code = setup_required && setup_code_required;
    j.key("setup_code_required").boolean(code);
    j.key("setup_code_file").opt(code ? std::optional(options.setup_code_file) : std::nullopt);
    j.end();
    return j.response();
}

void WebApp::Impl::prepare_setup_code() {
    if (options.setup_code_file.empty()) {
        throw std::invalid_argument(
            "[web] setup_code_file must be set when the UI listens beyond loopback");
    }
    bool has_users = false;
    try {
        db([&](WebStore& s) { has_users = s.has_users(); });
    } catch (const std::exception& e) {
        // Not known yet: issue a code anyway; it only ever opens a setup not yet done.
        log->warn("event=setup_code_user_check_failed error={}", common::log_value(e.what()));
    }
    if (has_users) {
        setup_code.retire(options.setup_code_file);
        return;
    }
    setup_code.issue(options.setup_code_file);
    // Rationale: the path, never the code: logs travel (journald, support bundles), the file
    // stays readable by the service account and root only.
    log->warn(
        "event=setup_code_issued file={} message=\"first-run setup of the web UI needs the code "
        "in this file\"",
        common::log_value(options.setup_code_file));
}

std::optional<Response> WebApp::Impl::rate_limited(const std::string& remote, const char* what) {
    long long failures = 0;
    db([&](WebStore& s) { failures = s.recent_login_failures(remote, options.login_window); });
    if (failures < options.login_max_failures) return std::nullopt;
    log->warn("event={}_rate_limited remote={} failures={}", what, remote, failures);
    Response r = net::error_response(429, "too_many_attempts",
                                     fmt::format("too many failed logins; try again in {} minutes",
                                                 (options.login_window.count() + 59) / 60));
    r.headers["Retry-After"] = std::to_string(options.login_window.count());
    return r;
}

void WebApp::Impl::check_setup_code(const Request& request, const rapidjson::Value& body) {
    const auto offered = opt_string(body, "setup_code", 128).value_or("");
    const auto& file = options.setup_code_file;
    switch (setup_code.check(offered)) {
        case SetupCode::Check::ok:
            return;
        case SetupCode::Check::none_issued:
            throw HttpError(409, "already_set_up", "the administrator password is already set");
        case SetupCode::Check::missing:
            throw HttpError(
                403, "setup_code_required",
                fmt::format("enter the one-time setup code: the scanner wrote it to {}", file));
        case SetupCode::Check::wrong:
            break;
    }
    // Wrong codes count as failed sign-ins of the address (the same limit and window).
    db([&](WebStore& s) { s.record_login_attempt(request.remote_address, "(setup code)", false); });
    log->warn("event=setup_code_wrong remote={}", request.remote_address);
    throw HttpError(403, "bad_setup_code",
                    fmt::format("wrong setup code; the scanner wrote it to {}", file));
}

Response WebApp::Impl::setup(Request& request) {
    check_same_origin(request);
    const auto body = net::read_json_object(request);
    if (setup_code_required) {
        if (auto refused = rate_limited(request.remote_address, "setup")) return *refused;
        check_setup_code(request, body);
    }
    const auto password = req_string(body, "password", 1024);
    if (const auto problem = password_problem(password); !problem.empty()) {
        throw bad_field("password", problem);
    }
    if (const auto confirm = opt_string(body, "password_confirm", 1024);
        confirm && *confirm != password) {
        throw bad_field("password_confirm", "the passwords differ");
    }
    const auto hash = hash_password(password);
    std::optional<std::string> user_id;
    db([&](WebStore& s) { user_id = s.create_first_user(kAdminUser, hash); });
    if (!user_id) {
        throw HttpError(409, "already_set_up", "the administrator password is already set");
    }
    log->info("event=admin_created remote={}", request.remote_address);
    audit_by(request, "user", kAdminUser, "setup_done", kAdminUser);
    if (setup_code_required) {
        setup_code.retire(options.setup_code_file);
        log->info("event=setup_code_consumed file={}", common::log_value(options.setup_code_file));
    }
    return start_session(request, UserRow{*user_id, kAdminUser, hash}, 201);
}

Response WebApp::Impl::login(Request& request) {
    check_same_origin(request);
    const auto body = net::read_json_object(request);
    const auto username = opt_string(body, "username").value_or(kAdminUser);
    const auto password = req_string(body, "password", 1024);
    const auto& remote = request.remote_address;
    if (auto refused = rate_limited(remote, "login")) return *refused;
    std::optional<UserRow> user;
    db([&](WebStore& s) { user = s.user_by_name(username); });
    // Rationale: hash even for an unknown user so timing does not reveal user names.
    bool ok = false;
    if (user) {
        ok = verify_password(password, user->password_hash);
    } else {
        verify_password(password, dummy_hash);
    }
    db([&](WebStore& s) { s.record_login_attempt(remote, username, ok); });
    if (!ok) {
        log->warn("event=login_failed remote={} user={}", remote, common::log_value(username));
        // Only a user that exists: what was typed as a name may be a password.
        if (user) audit_by(request, "anonymous", "", "sign_in_failed", user->username);
        throw HttpError(401, "bad_credentials", "wrong user name or password");
    }
    log->info("event=login remote={} user={}", remote, common::log_value(username));
    audit_by(request, "user", user->username, "signed_in", user->username);
    return start_session(request, *user, 200);
}

Response WebApp::Impl::logout(Request& request) {
    const auto& p = principal_of(request);
    if (!p.api_token) db([&](WebStore& s) { s.delete_session(p.token_hash); });
    Response r = Response::empty(204);
    r.headers["Set-Cookie"] = session_cookie("", std::chrono::seconds(0));
    return r;
}

Response WebApp::Impl::change_password(Request& request) {
    const auto& p = principal_of(request);
    const auto body = net::read_json_object(request);
    const auto current = req_string(body, "current_password", 1024);
    const auto next = req_string(body, "new_password", 1024);
    if (const auto problem = password_problem(next); !problem.empty()) {
        throw bad_field("new_password", problem);
    }
    std::optional<UserRow> user;
    db([&](WebStore& s) { user = s.user_by_id(p.user_id); });
    if (!user || !verify_password(current, user->password_hash)) {
        throw HttpError(403, "bad_credentials", "the current password is wrong");
    }
    const auto hash = hash_password(next);
    db([&](WebStore& s) { s.set_password(p.user_id, hash, p.token_hash); });
    log->info("event=password_changed user={}", common::log_value(p.username));
    audit(request, "password_changed", p.username);
    return Response::empty(204);
}

Response WebApp::Impl::list_tokens(Request& request) {
    const auto& p = principal_of(request);
    std::vector<ApiTokenRow> tokens;
    db([&](WebStore& s) { tokens = s.api_tokens(p.user_id); });
    Json j;
    j.begin().key("tokens").begin_array();
    for (const auto& t : tokens) {
        j.begin().key("token_id").str(t.token_id).key("name").str(t.name);
        j.key("created_at").str(t.created_at).key("last_used_at").opt(t.last_used_at).end();
    }
    j.end_array().end();
    return j.response();
}

Response WebApp::Impl::create_token(Request& request) {
    const auto& p = principal_of(request);
    const auto body = net::read_json_object(request);
    const auto name = req_string(body, "name");
    const auto token = "pmt_" + random_token();
    std::string id;
    db([&](WebStore& s) { id = s.create_api_token(p.user_id, name, sha256_hex(token)); });
    log->info("event=api_token_created name={}", common::log_value(name));
    audit(request, "token_created", name);
    Json j;
    j.begin().key("token_id").str(id).key("name").str(name).key("token").str(token).end();
    return j.response(201);
}

Response WebApp::Impl::delete_token(Request& request) {
    const auto& p = principal_of(request);
    bool ok = false;
    std::string name;  // the label the entry keeps
    db([&](WebStore& s) {
        for (const auto& t : s.api_tokens(p.user_id)) {
            if (t.token_id == request.param("id")) name = t.name;
        }
        ok = s.delete_api_token(p.user_id, request.param("id"));
    });
    if (!ok) throw HttpError(404, "not_found", "no such API token");
    audit(request, "token_revoked", name);
    return Response::empty(204);
}

}  // namespace printmon::scanner::web
