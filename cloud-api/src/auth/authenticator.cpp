#include "auth/authenticator.hpp"

#include <any>

#include <pqxx/nontransaction>

#include "auth/keys.hpp"
#include "printmon/common/logging.hpp"
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

}  // namespace

Authenticator::Authenticator(storage::ConnectionPool& pool, AuthOptions options)
    : pool_(pool), options_(std::move(options)) {}

void Authenticator::authenticate(net::Request& request, const net::RouteInfo& route) const {
    RequestContext context;
    if (route.options.tag == kTagPublic) {
        request.context = context;
        return;
    }
    const auto header = request.header("Authorization");
    if (!header) throw unauthorized("missing Authorization: Bearer credential");
    const auto token = bearer_token(*header);
    if (!token) throw unauthorized("Authorization must be a Bearer credential");
    try {
        context.principal = resolve(*token, route.options.tag);
    } catch (const storage::PoolExhausted&) {
        // Runs before the body is read (Router::before_body): refusing here spares reading
        // and inflating a body the database could not take anyway.
        throw net::HttpError(503, "overloaded", "database busy; retry after the given delay")
            .with_header("Retry-After", std::to_string(options_.retry_after.count()));
    }
    request.context = std::move(context);
}

Principal Authenticator::resolve(std::string_view credential, std::string_view tag) const {
    const bool admin_allowed = tag == kTagTenant || tag == kTagAnalytics;
    if (admin_allowed && !options_.admin_token.empty() &&
        equal_constant_time(credential, options_.admin_token)) {
        return Principal{PrincipalKind::admin, "", "admin", "admin", Role::admin, ""};
    }
    const auto parsed = parse_key(credential);
    if (!parsed) throw unauthorized("unknown credential");
    const bool scanner_key = parsed->kind == kScannerKeyKind;
    const bool session = parsed->kind == kSessionKind;
    // A valid-looking credential of the wrong kind is still an unknown one here: do not
    // reveal whether it exists.
    if (tag == kTagScanner && !scanner_key) throw unauthorized("this route needs a scanner key");
    if (tag == kTagTenant && parsed->kind != kApiTokenKind) {
        throw unauthorized("this route needs a tenant API token");
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
        return Principal{PrincipalKind::user, parsed->tenant_id, owner->user_id, prefix,
                         owner->role,         owner->session_id};
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
    return Principal{scanner_key ? PrincipalKind::scanner : PrincipalKind::api_token,
                     parsed->tenant_id,
                     owner->id,
                     prefix,
                     Role::viewer,
                     ""};
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
