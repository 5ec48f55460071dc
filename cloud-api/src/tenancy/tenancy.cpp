#include "tenancy/tenancy.hpp"

#include <algorithm>

#include "auth/keys.hpp"
#include "printmon/proto/utf8.hpp"
#include "printmon/proto/uuid.hpp"

namespace printmon::cloud::tenancy {
namespace {

constexpr const char* kCreateTenant = "tenancy_create_tenant";
constexpr const char* kCreateTenantSql =
    "INSERT INTO tenants (name) VALUES ($1) RETURNING tenant_id::text";

constexpr const char* kTenantExists = "tenancy_tenant_exists";
constexpr const char* kTenantExistsSql = "SELECT 1 FROM tenants WHERE tenant_id = $1::uuid";

constexpr const char* kIsTimeZone = "tenancy_is_time_zone";
constexpr const char* kIsTimeZoneSql = "SELECT pm_is_time_zone($1)";

constexpr const char* kSetTimeZone = "tenancy_set_time_zone";
constexpr const char* kSetTimeZoneSql = "SELECT pm_set_tenant_time_zone($1::uuid, $2)";

constexpr const char* kTimeZone = "tenancy_time_zone";
constexpr const char* kTimeZoneSql =
    "SELECT coalesce((SELECT time_zone FROM tenants WHERE tenant_id = $1::uuid), 'UTC')";

constexpr const char* kSetRetention = "tenancy_set_raw_retention";
constexpr const char* kSetRetentionSql = "SELECT pm_set_tenant_retention($1::uuid, $2::integer)";

constexpr const char* kSetAuditRetention = "tenancy_set_audit_retention";
constexpr const char* kSetAuditRetentionSql =
    "UPDATE tenants SET audit_retention_months = $2::integer WHERE tenant_id = $1::uuid "
    "RETURNING 1";

// Longest name in the tz database: 32 characters ("America/Argentina/ComodRivadavia").
constexpr std::size_t kMaxZoneChars = 64;

constexpr const char* kCreateScanner = "tenancy_create_scanner";
constexpr const char* kCreateScannerSql =
    "INSERT INTO scanners (tenant_id, scanner_id, name, site, key_hash, key_prefix) "
    "VALUES ($1::uuid, $2, $3, $4, decode($5, 'hex'), $6) "
    "ON CONFLICT (tenant_id, scanner_id) DO NOTHING RETURNING 1";

constexpr const char* kRevokeScanner = "tenancy_revoke_scanner";
constexpr const char* kRevokeScannerSql =
    "UPDATE scanners SET revoked_at = coalesce(revoked_at, now()) "
    "WHERE tenant_id = $1::uuid AND scanner_id = $2 RETURNING 1";

constexpr const char* kScannerExists = "tenancy_scanner_exists";
constexpr const char* kScannerExistsSql =
    "SELECT 1 FROM scanners WHERE tenant_id = $1::uuid AND scanner_id = $2";

constexpr const char* kScannerByKey = "tenancy_scanner_by_key";
constexpr const char* kScannerByKeySql =
    "SELECT scanner_id, revoked_at IS NOT NULL, enrolled FROM scanners "
    "WHERE tenant_id = $1::uuid AND key_hash = decode($2, 'hex')";

constexpr const char* kCreateToken = "tenancy_create_token";
constexpr const char* kCreateTokenSql =
    "INSERT INTO api_tokens (tenant_id, name, key_hash, key_prefix) "
    "VALUES ($1::uuid, $2, decode($3, 'hex'), $4) RETURNING token_id::text";

constexpr const char* kTokenByKey = "tenancy_token_by_key";
constexpr const char* kTokenByKeySql =
    "SELECT token_id::text, revoked_at IS NOT NULL FROM api_tokens "
    "WHERE tenant_id = $1::uuid AND key_hash = decode($2, 'hex')";

std::optional<KeyOwner> key_owner(const pqxx::result& r) {
    if (r.empty()) return std::nullopt;
    KeyOwner owner{r[0][0].as<std::string>(), r[0][1].as<bool>()};
    if (r.columns() > 2) owner.enrolled = r[0][2].as<bool>();
    return owner;
}

}  // namespace

void prepare_statements(pqxx::connection& conn) {
    conn.prepare(kCreateTenant, kCreateTenantSql);
    conn.prepare(kTenantExists, kTenantExistsSql);
    conn.prepare(kIsTimeZone, kIsTimeZoneSql);
    conn.prepare(kSetTimeZone, kSetTimeZoneSql);
    conn.prepare(kTimeZone, kTimeZoneSql);
    conn.prepare(kSetRetention, kSetRetentionSql);
    conn.prepare(kSetAuditRetention, kSetAuditRetentionSql);
    conn.prepare(kCreateScanner, kCreateScannerSql);
    conn.prepare(kRevokeScanner, kRevokeScannerSql);
    conn.prepare(kScannerExists, kScannerExistsSql);
    conn.prepare(kScannerByKey, kScannerByKeySql);
    conn.prepare(kCreateToken, kCreateTokenSql);
    conn.prepare(kTokenByKey, kTokenByKeySql);
}

std::string create_tenant(pqxx::work& tx, const std::string& name) {
    return tx.exec_prepared1(kCreateTenant, name)[0].as<std::string>();
}

bool tenant_exists(pqxx::work& tx, const std::string& tenant_id) {
    return !tx.exec_prepared(kTenantExists, tenant_id).empty();
}

common::Result<void> set_time_zone(pqxx::work& tx, const std::string& tenant_id,
                                   const std::string& zone) {
    // Checked before the database function, which would raise and so abort the caller's
    // transaction; it checks again (its trigger guards every UPDATE of the column).
    const bool plausible = !zone.empty() && zone.size() <= kMaxZoneChars &&
                           std::all_of(zone.begin(), zone.end(), [](char c) {
                               return static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
                           });
    if (!plausible || !tx.exec_prepared1(kIsTimeZone, zone)[0].as<bool>()) {
        return common::make_error(common::ErrorCode::kInvalidArgument,
                                  "unknown time zone '{}': expected an IANA name such as "
                                  "Europe/Moscow",
                                  zone.substr(0, kMaxZoneChars));
    }
    // Not a uuid names no tenant (and would be a data error that aborts `tx`).
    if (!proto::is_uuid(tenant_id) || !tenant_exists(tx, tenant_id)) {
        return common::make_error(common::ErrorCode::kNotFound, "no tenant {}", tenant_id);
    }
    tx.exec_prepared(kSetTimeZone, tenant_id, zone);
    return {};
}

common::Result<void> set_raw_retention(pqxx::work& tx, const std::string& tenant_id,
                                       long long months) {
    // Checked here first: the database function would raise and so abort the caller's
    // transaction (it checks again, as does the column's CHECK).
    if (months < kMinRawRetentionMonths || months > kMaxRawRetentionMonths) {
        return common::make_error(common::ErrorCode::kInvalidArgument,
                                  "raw_retention_months: must be {} to {}", kMinRawRetentionMonths,
                                  kMaxRawRetentionMonths);
    }
    if (!proto::is_uuid(tenant_id) || !tenant_exists(tx, tenant_id)) {
        return common::make_error(common::ErrorCode::kNotFound, "no tenant {}", tenant_id);
    }
    tx.exec_prepared(kSetRetention, tenant_id, static_cast<int>(months));
    return {};
}

common::Result<void> set_audit_retention(pqxx::work& tx, const std::string& tenant_id,
                                         long long months) {
    // Checked here first: the column's CHECK would abort the caller's transaction.
    if (months < kMinAuditRetentionMonths || months > kMaxAuditRetentionMonths) {
        return common::make_error(common::ErrorCode::kInvalidArgument,
                                  "audit_retention_months: must be {} to {}",
                                  kMinAuditRetentionMonths, kMaxAuditRetentionMonths);
    }
    if (!proto::is_uuid(tenant_id) ||
        tx.exec_prepared(kSetAuditRetention, tenant_id, static_cast<int>(months)).empty()) {
        return common::make_error(common::ErrorCode::kNotFound, "no tenant {}", tenant_id);
    }
    return {};
}

std::string time_zone(pqxx::transaction_base& tx, const std::string& tenant_id) {
    if (!proto::is_uuid(tenant_id)) return "UTC";
    return tx.exec_prepared1(kTimeZone, tenant_id)[0].as<std::string>();
}

common::Result<std::string> create_scanner(pqxx::work& tx, const NewScanner& scanner) {
    // Characters (code points), as the API counts them; invalid UTF-8 is refused.
    const auto id_chars = proto::utf8_length(scanner.scanner_id);
    if (!id_chars || *id_chars == 0 || *id_chars > 128) {
        return common::make_error(common::ErrorCode::kInvalidArgument,
                                  "scanner id must be 1 to 128 characters");
    }
    if (!tenant_exists(tx, scanner.tenant_id)) {
        return common::make_error(common::ErrorCode::kNotFound, "no tenant {}", scanner.tenant_id);
    }
    std::string key = auth::generate_key(auth::kScannerKeyKind, scanner.tenant_id);
    const auto r =
        tx.exec_prepared(kCreateScanner, scanner.tenant_id, scanner.scanner_id, scanner.name,
                         scanner.site, auth::key_hash_hex(key), auth::display_prefix(key));
    if (r.empty()) {
        return common::make_error(common::ErrorCode::kConflict,
                                  "scanner '{}' already exists in tenant {}", scanner.scanner_id,
                                  scanner.tenant_id);
    }
    return key;
}

common::Result<void> revoke_scanner(pqxx::work& tx, const std::string& tenant_id,
                                    const std::string& scanner_id) {
    if (tx.exec_prepared(kRevokeScanner, tenant_id, scanner_id).empty()) {
        return common::make_error(common::ErrorCode::kNotFound, "no scanner '{}' in tenant {}",
                                  scanner_id, tenant_id);
    }
    return {};
}

bool scanner_exists(pqxx::work& tx, const std::string& tenant_id, const std::string& scanner_id) {
    return !tx.exec_prepared(kScannerExists, tenant_id, scanner_id).empty();
}

std::optional<KeyOwner> find_scanner_by_key(pqxx::transaction_base& tx,
                                            const std::string& tenant_id,
                                            const std::string& key_hash_hex) {
    return key_owner(tx.exec_prepared(kScannerByKey, tenant_id, key_hash_hex));
}

common::Result<std::string> create_api_token(pqxx::work& tx, const std::string& tenant_id,
                                             const std::string& name) {
    if (!tenant_exists(tx, tenant_id)) {
        return common::make_error(common::ErrorCode::kNotFound, "no tenant {}", tenant_id);
    }
    std::string token = auth::generate_key(auth::kApiTokenKind, tenant_id);
    tx.exec_prepared(kCreateToken, tenant_id, name, auth::key_hash_hex(token),
                     auth::display_prefix(token));
    return token;
}

std::optional<KeyOwner> find_api_token_by_key(pqxx::transaction_base& tx,
                                              const std::string& tenant_id,
                                              const std::string& key_hash_hex) {
    return key_owner(tx.exec_prepared(kTokenByKey, tenant_id, key_hash_hex));
}

}  // namespace printmon::cloud::tenancy
