#pragma once
// User accounts of a tenant (roles admin/viewer, argon2id passwords), their login sessions
// (bearer tokens "pms.<tenant>.<secret>", only SHA-256 stored), and the management of tenant
// API tokens. Every statement names its tenant.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

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

/// Ends a session (logout). Idempotent.
void end_session(pqxx::work& tx, const std::string& tenant_id, const std::string& session_id);

/// Revokes a tenant API token. kNotFound when there is no such token.
common::Result<void> revoke_api_token(pqxx::work& tx, const std::string& tenant_id,
                                      const std::string& token_id);

}  // namespace printmon::cloud::auth
