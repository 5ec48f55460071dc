#pragma once
// Authentication of API requests, as the router's before-hook. A route's RouteOptions::tag says
// which credentials it accepts ("scanner", "tenant", "public"); the hook resolves the bearer
// credential into a Principal stored in Request::context for the handler.
//
// Extending (analytics API: users, sessions): add a PrincipalKind and a branch in resolve();
// routes name what they accept through their tag.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "auth/accounts.hpp"
#include "printmon/net/router.hpp"
#include "storage/pool.hpp"

namespace printmon::cloud::auth {

/// Route tags understood by the hook.
inline constexpr std::string_view kTagPublic = "public";    ///< no credential
inline constexpr std::string_view kTagScanner = "scanner";  ///< a scanner key (pmk.)
inline constexpr std::string_view kTagTenant = "tenant";    ///< a tenant API token or admin
/// The analytics API: a user session (pms.), a tenant API token (pmt.) or the platform admin.
inline constexpr std::string_view kTagAnalytics = "analytics";

enum class PrincipalKind { scanner, api_token, admin, user };

/// Who is calling.
struct Principal {
    PrincipalKind kind = PrincipalKind::scanner;
    std::string tenant_id;     ///< empty for the platform admin (acts on a tenant it names)
    std::string subject;       ///< scanner_id, token_id, user_id, or "admin"
    std::string key_prefix;    ///< loggable prefix of the credential
    Role role = Role::viewer;  ///< users: their role; tokens read (viewer); admin: admin
    std::string session_id;    ///< users: the session the token opened (logout ends it)
    /// The console's session cookie carried the credential (not an Authorization header):
    /// unsafe methods then needed the X-CSRF-Token header, and `csrf_token` is its value.
    bool via_cookie = false;
    std::string csrf_token;
    /// Scanners: the key was made in the console and waits for its first upload, which binds
    /// the scanner id the branch sends (`subject` is a placeholder until then).
    bool pending_scanner = false;
};

/// Name of the console's session cookie (HttpOnly, SameSite=Strict; holds a pms. token). Not
/// the scanner UI's "pm_session": cookies ignore ports, so on one host (a demo, a branch box
/// that also runs the cloud) the two UIs would sign each other out.
inline constexpr std::string_view kSessionCookie = "pm_console";

/// The CSRF token of a session: derived from the secret session token, so it needs no storage
/// and a page that cannot read the HttpOnly cookie cannot compute it.
std::string csrf_token_for(std::string_view session_token);

/// What the hook leaves in Request::context.
struct RequestContext {
    std::optional<Principal> principal;
    /// The database pool was exhausted while authenticating: the handler wrapper answers 503
    /// with Retry-After (a before-hook can only throw, and HttpError carries no headers).
    bool overloaded = false;
};

struct AuthOptions {
    /// Platform admin token (config auth.admin_token / env PRINTMON_AUTH_ADMIN_TOKEN); empty:
    /// no admin access over HTTP.
    std::string admin_token;
    /// Retry-After of the 503 answered when no database connection is free.
    std::chrono::seconds retry_after{2};
    /// Lifetime of a login session (POST /api/v1/auth/login).
    std::chrono::seconds session_ttl{std::chrono::hours(12)};
    /// How long a password reset link works ([auth] password_reset_ttl_s).
    std::chrono::seconds password_reset_ttl{std::chrono::minutes(30)};
    /// Mark the console's session cookie Secure (HTTPS, the default; off with server.tls =
    /// false for local development, where a Secure cookie would never come back).
    bool secure_cookies = true;
};

class Authenticator {
  public:
    Authenticator(storage::ConnectionPool& pool, AuthOptions options);

    /// The before-hook: throws net::HttpError 401 (missing/unknown credential) or 403
    /// (revoked, or not accepted on this route); sets RequestContext.
    void authenticate(net::Request& request, const net::RouteInfo& route) const;
    net::BeforeHook hook() const;

    /// Wraps a handler: answers 503 + Retry-After when the pool was exhausted (in the hook or
    /// in the handler: storage::PoolExhausted) or the database is unreachable
    /// (storage::database_unavailable).
    net::Handler guarded(net::Handler handler) const;

    const AuthOptions& options() const { return options_; }

    /// The Set-Cookie value that carries `token` (empty token, zero max-age: clears it).
    std::string session_cookie(std::string_view token, std::chrono::seconds max_age) const;

  private:
    Principal resolve(std::string_view credential, std::string_view tag) const;

    storage::ConnectionPool& pool_;
    AuthOptions options_;
};

/// The principal the hook stored; throws HttpError 401 when there is none.
const Principal& principal_of(const net::Request& request);

/// The 503 answer for an exhausted database pool.
net::Response overloaded_response(std::chrono::seconds retry_after);

}  // namespace printmon::cloud::auth
