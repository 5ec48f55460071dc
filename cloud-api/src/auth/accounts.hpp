#pragma once
// User accounts of a tenant (roles admin/viewer, argon2id passwords), their login sessions
// (bearer tokens "pms.<tenant>.<secret>", only SHA-256 stored), and the management of tenant
// API tokens. Every statement names its tenant.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>
#include <pqxx/transaction>

#include "printmon/common/error.hpp"

namespace printmon::cloud::auth {

/// What a user may do: admins manage users, tokens and scanners; viewers read.
enum class Role { admin, viewer };

std::optional<Role> parse_role(std::string_view text);
std::string_view to_string(Role role);

/// Prepares this module's statements on a connection.
void prepare_account_statements(pqxx::connection& conn);

struct NewUser {
    std::string tenant_id;
    std::string email;
    Role role = Role::viewer;
    std::string password;
};

/// Creates a user; returns its id. kInvalidArgument: email or password rejected (message says
/// why); kNotFound: no such tenant; kConflict: the email is taken in this tenant.
common::Result<std::string> create_user(pqxx::work& tx, const NewUser& user);

/// Disables a user and ends all its sessions. kNotFound when there is no such user.
common::Result<void> disable_user(pqxx::work& tx, const std::string& tenant_id,
                                  const std::string& user_id);

/// A new login session.
struct Session {
    std::string token;  ///< shown once
    std::string session_id;
    std::string user_id;
    Role role = Role::viewer;
    std::string expires_at;  ///< RFC 3339
};

/// Checks email and password and opens a session of `ttl`. Any failure (unknown tenant or
/// email, wrong password, disabled user) is the same kNotFound, after the same argon2 work, so
/// the answer reveals nothing about which part was wrong.
common::Result<Session> login(pqxx::work& tx, const std::string& tenant_id,
                              const std::string& email, std::string_view password,
                              std::chrono::seconds ttl);

/// The session a token hashes to, when it is usable (not expired, not revoked, user enabled).
struct SessionOwner {
    std::string session_id;
    std::string user_id;
    Role role = Role::viewer;
    bool usable = false;
};
std::optional<SessionOwner> find_session_by_key(pqxx::transaction_base& tx,
                                                const std::string& tenant_id,
                                                const std::string& key_hash_hex);

/// A tenant the e-mail and password are valid in (sign-in without a tenant id).
struct TenantChoice {
    std::string tenant_id;
    std::string name;
};

/// The outcome of a sign-in by e-mail alone: a session when exactly one account of the address
/// has this password, else the tenants to choose from (each then logs in with its tenant id).
struct EmailLogin {
    std::optional<Session> session;
    std::string tenant_id;
    std::vector<TenantChoice> choices;
};

/// Sign-in without a tenant id: the accounts of `email` across tenants (at most 20, by tenant
/// name) whose password matches. kNotFound, after the same argon2 work as a wrong password,
/// when none does.
common::Result<EmailLogin> login_by_email(pqxx::work& tx, const std::string& email,
                                          std::string_view password, std::chrono::seconds ttl);

/// Ends every session of a user but `keep_session` (empty: all of them).
void end_user_sessions(pqxx::work& tx, const std::string& tenant_id, const std::string& user_id,
                       const std::string& keep_session = {});

/// Changes a user's own password after checking the current one: refuses a wrong
/// current password (kConflict), kInvalidArgument for a new one out of bounds. Ends the user's
/// other sessions.
common::Result<void> change_password(pqxx::work& tx, const std::string& tenant_id,
                                     const std::string& user_id, std::string_view current,
                                     const std::string& replacement,
                                     const std::string& keep_session);

/// An admin sets a user's password (reset): ends all of that user's sessions.
/// Cancels every reset link still out for the user (password_resets, V0016): a new password,
/// or a newer link, must not be undone by a link mailed before.
void cancel_reset_links(pqxx::work& tx, const std::string& tenant_id, const std::string& user_id);

common::Result<void> reset_password(pqxx::work& tx, const std::string& tenant_id,
                                    const std::string& user_id, const std::string& replacement);

/// Re-enables a disabled user. kNotFound when there is no such user.
common::Result<void> enable_user(pqxx::work& tx, const std::string& tenant_id,
                                 const std::string& user_id);

/// Changes a user's role (a demoted admin's sessions end, so the old role cannot linger).
common::Result<void> set_role(pqxx::work& tx, const std::string& tenant_id,
                              const std::string& user_id, Role role);

/// The platform admin resets a password by e-mail (CLI); kNotFound when no such user.
common::Result<void> reset_password_by_email(pqxx::work& tx, const std::string& tenant_id,
                                             const std::string& email,
                                             const std::string& replacement);

/// Ends a session (logout). Idempotent.
void end_session(pqxx::work& tx, const std::string& tenant_id, const std::string& session_id);

/// Revokes a tenant API token. kNotFound when there is no such token.
common::Result<void> revoke_api_token(pqxx::work& tx, const std::string& tenant_id,
                                      const std::string& token_id);

}  // namespace printmon::cloud::auth
