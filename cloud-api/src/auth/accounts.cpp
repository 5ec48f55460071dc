#include "auth/accounts.hpp"

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

// In characters (code points), as the API's limits are: a Cyrillic password of 200 letters is
// 400 bytes. Invalid UTF-8 is refused (the API refuses it first; the CLI reads raw bytes).
bool password_length_ok(std::string_view password) {
    const auto chars = proto::utf8_length(password);
    return chars && *chars >= kMinPasswordChars && *chars <= kMaxPasswordChars;
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
    conn.prepare(kUserByEmail, kUserByEmailSql);
    conn.prepare(kCreateSession, kCreateSessionSql);
    conn.prepare(kSessionByKey, kSessionByKeySql);
    conn.prepare(kEndSession, kEndSessionSql);
    conn.prepare(kRevokeToken, kRevokeTokenSql);
}

common::Result<std::string> create_user(pqxx::work& tx, const NewUser& user) {
    if (!plausible_email(user.email)) {
        return common::make_error(common::ErrorCode::kInvalidArgument,
                                  "email must look like name@domain (3 to 254 characters)");
    }
    if (!password_length_ok(user.password)) {
        return common::make_error(common::ErrorCode::kInvalidArgument,
                                  "password must be {} to {} characters", kMinPasswordChars,
                                  kMaxPasswordChars);
    }
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
    Session session;
    session.token = generate_key(kSessionKind, tenant_id);
    session.user_id = row[0].as<std::string>();
    session.role = parse_role(row[1].as<std::string>()).value_or(Role::viewer);
    const auto created =
        tx.exec_prepared1(kCreateSession, tenant_id, session.user_id, key_hash_hex(session.token),
                          display_prefix(session.token), static_cast<long long>(ttl.count()));
    session.session_id = created[0].as<std::string>();
    session.expires_at = created[1].as<std::string>();
    return session;
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
