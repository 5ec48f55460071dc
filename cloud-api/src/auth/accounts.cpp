#include "auth/accounts.hpp"

#include <pqxx/result>

#include "auth/keys.hpp"
#include "auth/passwords.hpp"
#include "printmon/proto/utf8.hpp"
#include "printmon/proto/uuid.hpp"
#include "tenancy/tenancy.hpp"

namespace printmon::cloud::auth {
namespace {

constexpr const char* kCreateUser = "accounts_create_user";
constexpr const char* kCreateUserSql =
    "INSERT INTO users (tenant_id, email, role, password_hash) VALUES ($1::uuid, $2, $3, $4) "
    "ON CONFLICT DO NOTHING RETURNING user_id::text";

constexpr const char* kDisableUser = "accounts_disable_user";
constexpr const char* kDisableUserSql =
    "UPDATE users SET disabled_at = coalesce(disabled_at, now()) "
    "WHERE tenant_id = $1::uuid AND user_id = $2::uuid RETURNING 1";

constexpr const char* kEndUserSessions = "accounts_end_user_sessions";
constexpr const char* kEndUserSessionsSql =
    "UPDATE user_sessions SET revoked_at = now() "
    "WHERE tenant_id = $1::uuid AND user_id = $2::uuid AND revoked_at IS NULL";

// Every reset link still out for the user (password_resets, V0016).
constexpr const char* kCancelResetLinks = "accounts_cancel_reset_links";
constexpr const char* kCancelResetLinksSql =
    "UPDATE password_resets SET revoked_at = now() WHERE tenant_id = $1::uuid "
    "AND user_id = $2::uuid AND used_at IS NULL AND revoked_at IS NULL";

constexpr const char* kUserByEmail = "accounts_user_by_email";
constexpr const char* kUserByEmailSql =
    "SELECT user_id::text, role, password_hash, disabled_at IS NOT NULL FROM users "
    "WHERE tenant_id = $1::uuid AND lower(email) = lower($2)";

constexpr const char* kCreateSession = "accounts_create_session";
constexpr const char* kCreateSessionSql =
    "INSERT INTO user_sessions (tenant_id, user_id, key_hash, key_prefix, expires_at) "
    "VALUES ($1::uuid, $2::uuid, decode($3, 'hex'), $4, now() + make_interval(secs => $5)) "
    "RETURNING session_id::text, pm_rfc3339(expires_at)";

constexpr const char* kSessionByKey = "accounts_session_by_key";
constexpr const char* kSessionByKeySql =
    "SELECT s.session_id::text, s.user_id::text, u.role, "
    "s.revoked_at IS NULL AND s.expires_at > now() AND u.disabled_at IS NULL "
    "FROM user_sessions s JOIN users u USING (tenant_id, user_id) "
    "WHERE s.tenant_id = $1::uuid AND s.key_hash = decode($2, 'hex')";

constexpr const char* kEndSession = "accounts_end_session";
constexpr const char* kEndSessionSql =
    "UPDATE user_sessions SET revoked_at = coalesce(revoked_at, now()) "
    "WHERE tenant_id = $1::uuid AND session_id = $2::uuid";

constexpr const char* kRevokeToken = "accounts_revoke_token";
constexpr const char* kRevokeTokenSql =
    "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) "
    "WHERE tenant_id = $1::uuid AND token_id = $2::uuid RETURNING 1";

constexpr const char* kAccountsByEmail = "accounts_by_email";
// Rationale: the only statement without a tenant predicate (users_login_email, V0007): signing
// in by e-mail alone must find the address's accounts in every tenant. Capped: each candidate
// costs one argon2 verification.
constexpr const char* kAccountsByEmailSql =
    "SELECT u.tenant_id::text, t.name, u.user_id::text, u.role, u.password_hash "
    "FROM users u JOIN tenants t USING (tenant_id) "
    "WHERE lower(u.email) = lower($1) AND u.disabled_at IS NULL "
    "ORDER BY t.name, u.tenant_id LIMIT 20";

constexpr const char* kEndOtherSessions = "accounts_end_other_sessions";
constexpr const char* kEndOtherSessionsSql =
    "UPDATE user_sessions SET revoked_at = now() WHERE tenant_id = $1::uuid "
    "AND user_id = $2::uuid AND revoked_at IS NULL AND session_id <> $3::uuid";

constexpr const char* kPasswordOf = "accounts_password_of";
constexpr const char* kPasswordOfSql =
    "SELECT password_hash FROM users WHERE tenant_id = $1::uuid AND user_id = $2::uuid "
    "AND disabled_at IS NULL";

constexpr const char* kSetPassword = "accounts_set_password";
constexpr const char* kSetPasswordSql =
    "UPDATE users SET password_hash = $3 WHERE tenant_id = $1::uuid AND user_id = $2::uuid "
    "RETURNING 1";

constexpr const char* kUserIdByEmail = "accounts_user_id_by_email";
constexpr const char* kUserIdByEmailSql =
    "SELECT user_id::text FROM users WHERE tenant_id = $1::uuid AND lower(email) = lower($2)";

constexpr const char* kEnableUser = "accounts_enable_user";
constexpr const char* kEnableUserSql =
    "UPDATE users SET disabled_at = NULL WHERE tenant_id = $1::uuid AND user_id = $2::uuid "
    "RETURNING 1";

constexpr const char* kSetRole = "accounts_set_role";
constexpr const char* kSetRoleSql =
    "UPDATE users SET role = $3 WHERE tenant_id = $1::uuid AND user_id = $2::uuid "
    "RETURNING (SELECT role FROM users WHERE tenant_id = $1::uuid AND user_id = $2::uuid)";

// Verified when the email is unknown, so both failures cost the same argon2 work.
const std::string& dummy_hash() {
    static const std::string kHash = hash_password("printmon-dummy-password");
    return kHash;
}

bool plausible_email(std::string_view email) {
    const auto at = email.find('@');
    if (email.size() < 3 || email.size() > 254) return false;
    if (at == std::string_view::npos || at == 0 || at + 1 == email.size()) return false;
    for (const char c : email) {
        if (static_cast<unsigned char>(c) <= ' ') return false;
    }
    return true;
}

}  // namespace

std::optional<Role> parse_role(std::string_view text) {
    if (text == "admin") return Role::admin;
    if (text == "viewer") return Role::viewer;
    return std::nullopt;
}

std::string_view to_string(Role role) { return role == Role::admin ? "admin" : "viewer"; }

void prepare_account_statements(pqxx::connection& conn) {
    conn.prepare(kCreateUser, kCreateUserSql);
    conn.prepare(kDisableUser, kDisableUserSql);
    conn.prepare(kEndUserSessions, kEndUserSessionsSql);
    conn.prepare(kCancelResetLinks, kCancelResetLinksSql);
    conn.prepare(kUserByEmail, kUserByEmailSql);
    conn.prepare(kCreateSession, kCreateSessionSql);
    conn.prepare(kSessionByKey, kSessionByKeySql);
    conn.prepare(kEndSession, kEndSessionSql);
    conn.prepare(kRevokeToken, kRevokeTokenSql);
    conn.prepare(kAccountsByEmail, kAccountsByEmailSql);
    conn.prepare(kEndOtherSessions, kEndOtherSessionsSql);
    conn.prepare(kPasswordOf, kPasswordOfSql);
    conn.prepare(kSetPassword, kSetPasswordSql);
    conn.prepare(kUserIdByEmail, kUserIdByEmailSql);
    conn.prepare(kEnableUser, kEnableUserSql);
    conn.prepare(kSetRole, kSetRoleSql);
}

namespace {

// The shared rule, in characters (code points) as the API's limits are: a Cyrillic password of
// 200 letters is 400 bytes. Invalid UTF-8 is refused (the API refuses it first; the CLI reads
// raw bytes).
common::Result<void> check_new_password(const std::string& password) {
    if (crypto::password_problem(password) != crypto::PasswordProblem::none) {
        return common::make_error(common::ErrorCode::kInvalidArgument,
                                  "password must be {} to {} characters", kMinPasswordChars,
                                  kMaxPasswordChars);
    }
    return {};
}

Session open_session(pqxx::work& tx, const std::string& tenant_id, const std::string& user_id,
                     Role role, std::chrono::seconds ttl) {
    Session session;
    session.token = generate_key(kSessionKind, tenant_id);
    session.user_id = user_id;
    session.role = role;
    const auto created =
        tx.exec_prepared1(kCreateSession, tenant_id, session.user_id, key_hash_hex(session.token),
                          display_prefix(session.token), static_cast<long long>(ttl.count()));
    session.session_id = created[0].as<std::string>();
    session.expires_at = created[1].as<std::string>();
    return session;
}

}  // namespace

common::Result<std::string> create_user(pqxx::work& tx, const NewUser& user) {
    if (!plausible_email(user.email)) {
        return common::make_error(common::ErrorCode::kInvalidArgument,
                                  "email must look like name@domain (3 to 254 characters)");
    }
    if (auto ok = check_new_password(user.password); !ok) return tl::unexpected(ok.error());
    if (!proto::is_uuid(user.tenant_id) || !tenancy::tenant_exists(tx, user.tenant_id)) {
        return common::make_error(common::ErrorCode::kNotFound, "no tenant {}", user.tenant_id);
    }
    const auto r =
        tx.exec_prepared(kCreateUser, user.tenant_id, user.email, std::string(to_string(user.role)),
                         hash_password(user.password));
    if (r.empty()) {
        return common::make_error(common::ErrorCode::kConflict,
                                  "a user with this email exists in tenant {}", user.tenant_id);
    }
    return r[0][0].as<std::string>();
}

common::Result<void> disable_user(pqxx::work& tx, const std::string& tenant_id,
                                  const std::string& user_id) {
    if (tx.exec_prepared(kDisableUser, tenant_id, user_id).empty()) {
        return common::make_error(common::ErrorCode::kNotFound, "no user {}", user_id);
    }
    tx.exec_prepared0(kEndUserSessions, tenant_id, user_id);
    return {};
}

common::Result<EmailLogin> login_by_email(pqxx::work& tx, const std::string& email,
                                          std::string_view password, std::chrono::seconds ttl) {
    const auto r = password.size() <= kMaxPasswordChars && plausible_email(email)
                       ? tx.exec_prepared(kAccountsByEmail, email)
                       : pqxx::result{};
    if (r.empty()) {
        (void)verify_password(dummy_hash(), password.substr(0, kMaxPasswordChars));
        return common::make_error(common::ErrorCode::kNotFound, "wrong email or password");
    }
    EmailLogin out;
    std::string user_id;
    std::string role;
    for (const pqxx::row row : r) {
        if (!verify_password(row[4].as<std::string>(), password)) continue;
        if (out.choices.empty()) {
            user_id = row[2].as<std::string>();
            role = row[3].as<std::string>();
        }
        out.choices.push_back(TenantChoice{row[0].as<std::string>(), row[1].as<std::string>()});
    }
    if (out.choices.empty()) {
        return common::make_error(common::ErrorCode::kNotFound, "wrong email or password");
    }
    if (out.choices.size() == 1) {
        out.tenant_id = out.choices.front().tenant_id;
        out.session =
            open_session(tx, out.tenant_id, user_id, parse_role(role).value_or(Role::viewer), ttl);
        out.choices.clear();
    }
    return out;
}

void end_user_sessions(pqxx::work& tx, const std::string& tenant_id, const std::string& user_id,
                       const std::string& keep_session) {
    if (keep_session.empty()) {
        tx.exec_prepared0(kEndUserSessions, tenant_id, user_id);
    } else {
        tx.exec_prepared0(kEndOtherSessions, tenant_id, user_id, keep_session);
    }
}

void cancel_reset_links(pqxx::work& tx, const std::string& tenant_id, const std::string& user_id) {
    tx.exec_prepared0(kCancelResetLinks, tenant_id, user_id);
}

common::Result<void> change_password(pqxx::work& tx, const std::string& tenant_id,
                                     const std::string& user_id, std::string_view current,
                                     const std::string& replacement,
                                     const std::string& keep_session) {
    const auto r = tx.exec_prepared(kPasswordOf, tenant_id, user_id);
    if (r.empty()) return common::make_error(common::ErrorCode::kNotFound, "no user {}", user_id);
    if (current.size() > kMaxPasswordChars ||
        !verify_password(r[0][0].as<std::string>(), current)) {
        return common::make_error(common::ErrorCode::kConflict, "the current password is wrong");
    }
    if (auto ok = check_new_password(replacement); !ok) return ok;
    // The statement RETURNs its row (reset_password tells "no such user" by it): not exec0.
    tx.exec_prepared(kSetPassword, tenant_id, user_id, hash_password(replacement));
    end_user_sessions(tx, tenant_id, user_id, keep_session);
    cancel_reset_links(tx, tenant_id, user_id);
    return {};
}

common::Result<void> reset_password(pqxx::work& tx, const std::string& tenant_id,
                                    const std::string& user_id, const std::string& replacement) {
    if (auto ok = check_new_password(replacement); !ok) return ok;
    if (!proto::is_uuid(user_id) ||
        tx.exec_prepared(kSetPassword, tenant_id, user_id, hash_password(replacement)).empty()) {
        return common::make_error(common::ErrorCode::kNotFound, "no user {}", user_id);
    }
    end_user_sessions(tx, tenant_id, user_id);
    cancel_reset_links(tx, tenant_id, user_id);
    return {};
}

common::Result<void> reset_password_by_email(pqxx::work& tx, const std::string& tenant_id,
                                             const std::string& email,
                                             const std::string& replacement) {
    const auto r = proto::is_uuid(tenant_id) ? tx.exec_prepared(kUserIdByEmail, tenant_id, email)
                                             : pqxx::result{};
    if (r.empty()) {
        return common::make_error(common::ErrorCode::kNotFound, "no user {} in tenant {}", email,
                                  tenant_id);
    }
    return reset_password(tx, tenant_id, r[0][0].as<std::string>(), replacement);
}

common::Result<void> enable_user(pqxx::work& tx, const std::string& tenant_id,
                                 const std::string& user_id) {
    if (!proto::is_uuid(user_id) || tx.exec_prepared(kEnableUser, tenant_id, user_id).empty()) {
        return common::make_error(common::ErrorCode::kNotFound, "no user {}", user_id);
    }
    return {};
}

common::Result<void> set_role(pqxx::work& tx, const std::string& tenant_id,
                              const std::string& user_id, Role role) {
    const auto r = proto::is_uuid(user_id) ? tx.exec_prepared(kSetRole, tenant_id, user_id,
                                                              std::string(to_string(role)))
                                           : pqxx::result{};
    if (r.empty()) return common::make_error(common::ErrorCode::kNotFound, "no user {}", user_id);
    // RETURNING's subquery sees the row as it was before the UPDATE.
    if (r[0][0].as<std::string>() == "admin" && role != Role::admin) {
        end_user_sessions(tx, tenant_id, user_id);
    }
    return {};
}

common::Result<Session> login(pqxx::work& tx, const std::string& tenant_id,
                              const std::string& email, std::string_view password,
                              std::chrono::seconds ttl) {
    const auto refused = [] {
        return common::make_error(common::ErrorCode::kNotFound, "wrong tenant, email or password");
    };
    const bool tenant_ok =
        proto::is_uuid(tenant_id) &&
        proto::utf8_length(password).value_or(kMaxPasswordChars + 1) <= kMaxPasswordChars;
    const auto r = tenant_ok ? tx.exec_prepared(kUserByEmail, tenant_id, email) : pqxx::result{};
    if (r.empty()) {
        (void)verify_password(dummy_hash(), password.substr(0, kMaxPasswordChars));
        return refused();
    }
    const auto row = r[0];
    if (!verify_password(row[2].as<std::string>(), password) || row[3].as<bool>()) {
        return refused();
    }
    return open_session(tx, tenant_id, row[0].as<std::string>(),
                        parse_role(row[1].as<std::string>()).value_or(Role::viewer), ttl);
}

std::optional<SessionOwner> find_session_by_key(pqxx::transaction_base& tx,
                                                const std::string& tenant_id,
                                                const std::string& key_hash_hex) {
    const auto r = tx.exec_prepared(kSessionByKey, tenant_id, key_hash_hex);
    if (r.empty()) return std::nullopt;
    return SessionOwner{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                        parse_role(r[0][2].as<std::string>()).value_or(Role::viewer),
                        r[0][3].as<bool>()};
}

void end_session(pqxx::work& tx, const std::string& tenant_id, const std::string& session_id) {
    tx.exec_prepared0(kEndSession, tenant_id, session_id);
}

common::Result<void> revoke_api_token(pqxx::work& tx, const std::string& tenant_id,
                                      const std::string& token_id) {
    if (!proto::is_uuid(token_id) || tx.exec_prepared(kRevokeToken, tenant_id, token_id).empty()) {
        return common::make_error(common::ErrorCode::kNotFound, "no token {}", token_id);
    }
    return {};
}

}  // namespace printmon::cloud::auth
