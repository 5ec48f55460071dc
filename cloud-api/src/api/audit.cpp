#include "api/audit.hpp"

#include <string>

#include "auth/authenticator.hpp"
#include "printmon/proto/utf8.hpp"

namespace printmon::cloud::api {
namespace {

constexpr const char* kInsertAudit = "audit_insert";
constexpr const char* kInsertAuditSql =
    "INSERT INTO audit_log (tenant_id, actor_kind, actor_id, action, target_id, target, detail, "
    "address) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8)";

// A failed sign-in, in every account that knows the e-mail (or the one the form named: a
// tenant id that is no uuid matches nothing instead of failing the 401), capped like the
// sign-in's own lookup. A disabled user's row says so: the password may have been right.
constexpr const char* kFailedSignIn = "audit_failed_sign_in";
constexpr const char* kFailedSignInSql =
    "INSERT INTO audit_log (tenant_id, actor_kind, actor_id, action, target_id, target, detail, "
    "address) SELECT u.tenant_id, 'anonymous', '', $3, u.user_id::text, left(u.email, 400), "
    "concat_ws('; ', CASE WHEN u.disabled_at IS NOT NULL THEN 'user=disabled' END, "
    "nullif($4, '')), $5 FROM (SELECT tenant_id, user_id, email, disabled_at FROM users "
    "WHERE lower(email) = lower($1) AND ($2 = '' OR tenant_id::text = $2) "
    "ORDER BY tenant_id LIMIT 20) u";

// The labels of targets; ids arrive as text and are compared as text (a malformed id finds
// nothing instead of failing the change it describes).
constexpr const char* kUserLabel = "audit_user_label";
constexpr const char* kUserLabelSql =
    "SELECT email FROM users WHERE tenant_id = $1::uuid AND user_id::text = $2";
constexpr const char* kTokenLabel = "audit_token_label";
constexpr const char* kTokenLabelSql =
    "SELECT coalesce(nullif(name, ''), key_prefix) FROM api_tokens "
    "WHERE tenant_id = $1::uuid AND token_id::text = $2";
constexpr const char* kScannerLabel = "audit_scanner_label";
constexpr const char* kScannerLabelSql =
    "SELECT coalesce(name, '') FROM scanners WHERE tenant_id = $1::uuid AND scanner_id = $2";

// At most `max` code points (the columns' CHECKs count characters), cut between characters.
// Request input is valid UTF-8 already (checked where it is read); a stray byte ends the text.
std::string bounded(std::string_view text, std::size_t max) {
    std::size_t i = 0;
    for (std::size_t chars = 0; i < text.size() && chars < max; ++chars) {
        const auto n = proto::utf8_sequence_length(text, i);
        if (n == 0) break;
        i += n;
    }
    return std::string(text.substr(0, i));
}

void insert(pqxx::transaction_base& tx, std::string_view address, std::string_view tenant,
            std::string_view kind, std::string_view actor, const AuditEntry& entry) {
    tx.exec_prepared0(kInsertAudit, std::string(tenant), std::string(kind), bounded(actor, 128),
                      std::string(entry.action), bounded(entry.target_id, 128),
                      bounded(entry.target, 400), bounded(entry.detail, 400), bounded(address, 64));
}

}  // namespace

void prepare_audit_statements(pqxx::connection& conn) {
    conn.prepare(kInsertAudit, kInsertAuditSql);
    conn.prepare(kFailedSignIn, kFailedSignInSql);
    conn.prepare(kUserLabel, kUserLabelSql);
    conn.prepare(kTokenLabel, kTokenLabelSql);
    conn.prepare(kScannerLabel, kScannerLabelSql);
}

std::string audit_label(pqxx::transaction_base& tx, AuditTarget kind, std::string_view tenant,
                        std::string_view id) {
    const char* statement = kind == AuditTarget::user    ? kUserLabel
                            : kind == AuditTarget::token ? kTokenLabel
                                                         : kScannerLabel;
    const auto rows = tx.exec_prepared(statement, std::string(tenant), std::string(id));
    if (rows.empty() || rows[0][0].is_null()) return {};
    return rows[0][0].as<std::string>();
}

void record_operator_audit(pqxx::transaction_base& tx, std::string_view tenant,
                           const AuditEntry& entry) {
    // The command line runs on a connection of its own, which prepares nothing.
    tx.exec_params0(kInsertAuditSql, std::string(tenant), "admin", "cli", std::string(entry.action),
                    bounded(entry.target_id, 128), bounded(entry.target, 400),
                    bounded(entry.detail, 400), "");
}

void record_user_audit(pqxx::transaction_base& tx, const net::Request& request,
                       std::string_view tenant, std::string_view user_id, const AuditEntry& entry) {
    insert(tx, request.remote_address, tenant, "user", user_id, entry);
}

void record_failed_sign_in(pqxx::transaction_base& tx, const net::Request& request,
                           std::string_view tenant, std::string_view email,
                           std::optional<std::chrono::seconds> locked_for) {
    const std::string detail =
        locked_for ? "retry_after=" + std::to_string(locked_for->count()) + "s" : std::string();
    tx.exec_prepared0(kFailedSignIn, std::string(email), std::string(tenant),
                      std::string(locked_for ? "sign_in_locked" : "sign_in_failed"), detail,
                      bounded(request.remote_address, 64));
}

void record_audit(pqxx::transaction_base& tx, const net::Request& request, std::string_view tenant,
                  const AuditEntry& entry) {
    const auto& who = auth::principal_of(request);
    std::string_view kind;
    switch (who.kind) {
        case auth::PrincipalKind::user:
            kind = "user";
            break;
        case auth::PrincipalKind::api_token:
            kind = "token";
            break;
        case auth::PrincipalKind::admin:
            kind = "admin";
            break;
        case auth::PrincipalKind::scanner:
            kind = "scanner";
            break;
    }
    insert(tx, request.remote_address, tenant, kind, who.subject, entry);
}

}  // namespace printmon::cloud::api
