#include "auth/authenticator.hpp"

#include <any>

#include <fmt/format.h>

#include <pqxx/nontransaction>

#include "auth/keys.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/crypto/crypto.hpp"
#include "printmon/db/connection.hpp"
#include "tenancy/tenancy.hpp"

namespace printmon::cloud::auth {
namespace {

net::HttpError unauthorized(std::string message) {
    return net::HttpError(401, "unauthorized", std::move(message));
}

net::HttpError forbidden(std::string message) {
    return net::HttpError(403, "forbidden", std::move(message));
}

bool is_unsafe(std::string_view method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

Principal make_principal(PrincipalKind kind, std::string tenant_id, std::string subject,
                         std::string key_prefix, Role role, std::string session_id) {
    Principal p;
    p.kind = kind;
    p.tenant_id = std::move(tenant_id);
    p.subject = std::move(subject);
    p.key_prefix = std::move(key_prefix);
    p.role = role;
    p.session_id = std::move(session_id);
    return p;
}

}  // namespace

std::string csrf_token_for(std::string_view session_token) {
    // Rationale: a keyed derivation of the secret session token (the token is 256-bit random,
    // so a hash with a fixed label is enough); never equal to anything stored.
    return crypto::sha256_hex(fmt::format("printmon-csrf\n{}", session_token)).substr(0, 40);
}

std::string Authenticator::session_cookie(std::string_view token,
                                          std::chrono::seconds max_age) const {
    return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie,
                       token, max_age.count(), options_.secure_cookies ? "; Secure" : "");
}

Authenticator::Authenticator(storage::ConnectionPool& pool, AuthOptions options)
    : pool_(pool), options_(std::move(options)) {}

void Authenticator::authenticate(net::Request& request, const net::RouteInfo& route) const {
    RequestContext context;
    if (route.options.tag == kTagPublic) {
        request.context = context;
        return;
    }
    const auto header = request.header("Authorization");
    std::optional<std::string> cookie;
    // The console's cookie counts only where a user session is accepted, and only without an
    // Authorization header (a script's explicit credential wins).
    if (!header && (route.options.tag == kTagAnalytics || route.options.tag == kTagTenant)) {
        cookie = request.cookie(kSessionCookie);
    }
    if (!header && !cookie) throw unauthorized("missing Authorization: Bearer credential");
    std::optional<std::string_view> token;
    if (cookie) {
        const auto parsed = parse_key(*cookie);
        if (!parsed || parsed->kind != kSessionKind)
            throw unauthorized("unknown or expired session");
        token = *cookie;
        // Rationale: a cookie rides along on any request the browser makes, so a state change
        // also needs a header only the console's own pages can set (SameSite=Strict is the
        // first line; this holds on browsers and proxies that drop it).
        if (is_unsafe(request.method)) {
            const auto sent = request.header("X-CSRF-Token");
            if (!sent || !equal_constant_time(*sent, csrf_token_for(*cookie))) {
                common::get_logger("cloud.auth")
                    ->warn("event=csrf_rejected route={} remote={}", route.pattern,
                           request.remote_address);
                throw net::HttpError(403, "csrf_failed",
                                     "missing or wrong X-CSRF-Token; reload the page");
            }
        }
    } else {
        token = bearer_token(*header);
        if (!token) throw unauthorized("Authorization must be a Bearer credential");
    }
    try {
        context.principal = resolve(*token, route.options.tag);
        if (cookie) {
            context.principal->via_cookie = true;
            context.principal->csrf_token = csrf_token_for(*cookie);
        }
    } catch (const storage::PoolExhausted&) {
        // Runs before the body is read (Router::before_body): refusing here spares reading
        // and inflating a body the database could not take anyway.
        throw net::HttpError(503, "overloaded", "database busy; retry after the given delay")
            .with_header("Retry-After", std::to_string(options_.retry_after.count()));
    } catch (const pqxx::failure& e) {
        // The database restarting is the client's cue to retry, like an overload; anything
        // else is a bug for the router's 500.
        if (!storage::database_unavailable(e)) throw;
        common::get_logger("cloud.auth")
            ->warn("event=database_unavailable route={} error={}", route.pattern,
                   common::log_value(e.what()));
        throw net::HttpError(503, "overloaded", "database unavailable; retry after the given delay")
            .with_header("Retry-After", std::to_string(options_.retry_after.count()));
    }
    request.context = std::move(context);
}

Principal Authenticator::resolve(std::string_view credential, std::string_view tag) const {
    const bool admin_allowed = tag == kTagTenant || tag == kTagAnalytics;
    if (admin_allowed && !options_.admin_token.empty() &&
        equal_constant_time(credential, options_.admin_token)) {
        return make_principal(PrincipalKind::admin, "", "admin", "admin", Role::admin, "");
    }
    const auto parsed = parse_key(credential);
    if (!parsed) throw unauthorized("unknown credential");
    const bool scanner_key = parsed->kind == kScannerKeyKind;
    const bool session = parsed->kind == kSessionKind;
    // A valid-looking credential of the wrong kind is still an unknown one here: do not
    // reveal whether it exists.
    if (tag == kTagScanner && !scanner_key) throw unauthorized("this route needs a scanner key");
    // The import route also takes a user session (the console's import page); the handler
    // then requires the admin role.
    if (tag == kTagTenant && parsed->kind != kApiTokenKind && !session) {
        throw unauthorized("this route needs a tenant API token or a user session");
    }
    if (tag == kTagAnalytics && scanner_key) {
        throw unauthorized("this route needs a user session or a tenant API token");
    }
    const std::string hash = key_hash_hex(parsed->key);
    const std::string prefix = display_prefix(parsed->key);
    storage::Lease lease = pool_.acquire();
    // One SELECT: autocommit, not BEGIN/SELECT/COMMIT (two round trips fewer on every request).
    pqxx::nontransaction tx(*lease);
    if (session) {
        const auto owner = find_session_by_key(tx, parsed->tenant_id, hash);
        if (!owner || !owner->usable) {
            // Expired and ended sessions are as good as unknown: log in again.
            common::get_logger("cloud.auth")
                ->info("event=unusable_session prefix={} known={}", prefix, owner.has_value());
            throw unauthorized("unknown or expired session");
        }
        return make_principal(PrincipalKind::user, parsed->tenant_id, owner->user_id, prefix,
                              owner->role, owner->session_id);
    }
    const auto owner = scanner_key ? tenancy::find_scanner_by_key(tx, parsed->tenant_id, hash)
                                   : tenancy::find_api_token_by_key(tx, parsed->tenant_id, hash);
    if (!owner) {
        common::get_logger("cloud.auth")->info("event=unknown_key prefix={}", prefix);
        throw unauthorized("unknown credential");
    }
    if (owner->revoked) {
        common::get_logger("cloud.auth")->info("event=revoked_key prefix={}", prefix);
        throw forbidden("credential revoked");
    }
    Principal principal =
        make_principal(scanner_key ? PrincipalKind::scanner : PrincipalKind::api_token,
                       parsed->tenant_id, owner->id, prefix, Role::viewer, "");
    principal.pending_scanner = scanner_key && !owner->enrolled;
    return principal;
}

net::BeforeHook Authenticator::hook() const {
    return [this](net::Request& request, const net::RouteInfo& route) {
        authenticate(request, route);
    };
}

net::Handler Authenticator::guarded(net::Handler handler) const {
    return [this, handler = std::move(handler)](net::Request& request) -> net::Response {
        const auto* context = std::any_cast<RequestContext>(&request.context);
        if (context != nullptr && context->overloaded) {
            return overloaded_response(options_.retry_after);
        }
        try {
            return handler(request);
        } catch (const storage::PoolExhausted&) {
            return overloaded_response(options_.retry_after);
        } catch (const pqxx::failure& e) {
            if (!storage::database_unavailable(e)) throw;
            common::get_logger("cloud.auth")
                ->warn("event=database_unavailable route={} error={}", request.route_pattern,
                       common::log_value(e.what()));
            return overloaded_response(options_.retry_after);
        }
    };
}

const Principal& principal_of(const net::Request& request) {
    const auto* context = std::any_cast<RequestContext>(&request.context);
    if (context == nullptr || !context->principal) throw unauthorized("not authenticated");
    return *context->principal;
}

net::Response overloaded_response(std::chrono::seconds retry_after) {
    net::Response r =
        net::error_response(503, "overloaded", "database busy; retry after the given delay");
    r.headers.insert_or_assign("Retry-After", std::to_string(retry_after.count()));
    return r;
}

}  // namespace printmon::cloud::auth
