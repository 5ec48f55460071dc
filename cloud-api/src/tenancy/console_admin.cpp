#include "tenancy/console_admin.hpp"

#include <pqxx/except>
#include <pqxx/subtransaction>

#include "auth/keys.hpp"
#include "printmon/proto/uuid.hpp"

namespace printmon::cloud::tenancy {
namespace {

constexpr std::size_t kMaxName = 200;

constexpr const char* kTenantInfo = "console_tenant_info";
// Status in SQL, against the database clock, so every server of the cloud agrees.
// The device count is needed only when a limit is set; a licence covers the devices in service
// (a retired one, V0028, frees its seat).
constexpr const char* kTenantInfoSql =
    "SELECT t.tenant_id::text, t.name, pm_rfc3339(t.trial_ends_at), "
    "pm_rfc3339(t.licensed_until), t.device_limit, "
    "(SELECT count(*) FROM devices d WHERE d.tenant_id = t.tenant_id AND d.retired_at IS NULL), "
    "CASE WHEN t.licensed_until > now() "
    "     THEN ceil(extract(epoch FROM t.licensed_until - now()) / 86400)::bigint "
    "     WHEN t.trial_ends_at > now() "
    "     THEN ceil(extract(epoch FROM t.trial_ends_at - now()) / 86400)::bigint END, "
    "t.licensed_until > now(), t.trial_ends_at > now(), t.time_zone, t.raw_retention_months, "
    "pm_rfc3339(t.raw_archived_until), t.audit_retention_months "
    "FROM tenants t WHERE t.tenant_id = $1::uuid";

constexpr const char* kRenameTenant = "console_rename_tenant";
constexpr const char* kRenameTenantSql =
    "UPDATE tenants SET name = $2 WHERE tenant_id = $1::uuid RETURNING 1";

constexpr const char* kSetLicence = "console_set_licence";
// A date alone means its UTC midnight (as everywhere in the API), whatever the session's zone.
constexpr const char* kSetLicenceSql =
    "UPDATE tenants SET licensed_until = coalesce(CASE WHEN $2 ~ '^\\d{4}-\\d{2}-\\d{2}$' "
    "THEN ($2 || 'T00:00:00Z')::timestamptz ELSE $2::timestamptz END, licensed_until), "
    "device_limit = CASE WHEN $3::integer IS NULL THEN device_limit "
    "                    WHEN $3::integer < 0 THEN NULL ELSE $3::integer END "
    "WHERE tenant_id = $1::uuid RETURNING 1";

constexpr const char* kExtendTrial = "console_extend_trial";
constexpr const char* kExtendTrialSql =
    "UPDATE tenants SET trial_ends_at = now() + make_interval(days => $2::integer) "
    "WHERE tenant_id = $1::uuid RETURNING 1";

constexpr const char* kCreatePending = "console_create_pending_scanner";
constexpr const char* kCreatePendingSql =
    "INSERT INTO scanners (tenant_id, scanner_id, name, site, key_hash, key_prefix, enrolled) "
    "SELECT $1::uuid, 'pending-' || gen_random_uuid(), $2, $3, decode($4, 'hex'), $5, false "
    "WHERE EXISTS (SELECT 1 FROM tenants WHERE tenant_id = $1::uuid) RETURNING scanner_id";

constexpr const char* kEnroll = "console_enroll_scanner";
constexpr const char* kEnrollSql =
    "UPDATE scanners SET scanner_id = $3, enrolled = true "
    "WHERE tenant_id = $1::uuid AND scanner_id = $2 AND NOT enrolled RETURNING 1";

constexpr const char* kReplaceKey = "console_replace_scanner_key";
constexpr const char* kReplaceKeySql =
    "UPDATE scanners SET key_hash = decode($3, 'hex'), key_prefix = $4, revoked_at = NULL "
    "WHERE tenant_id = $1::uuid AND scanner_id = $2 RETURNING 1";

constexpr const char* kUpdateScanner = "console_update_scanner";
constexpr const char* kUpdateScannerSql =
    "UPDATE scanners SET name = coalesce($3, name), site = coalesce($4, site) "
    "WHERE tenant_id = $1::uuid AND scanner_id = $2 RETURNING 1";

constexpr const char* kRenameSite = "console_rename_site";
constexpr const char* kRenameSiteSql =
    "WITH moved AS (UPDATE scanners SET site = $3 WHERE tenant_id = $1::uuid AND site = $2 "
    "RETURNING 1) SELECT count(*) FROM moved";

constexpr const char* kOfflineScanner = "console_offline_scanner";
constexpr const char* kOfflineScannerSql =
    "INSERT INTO scanners (tenant_id, scanner_id, name, key_hash, key_prefix) "
    "VALUES ($1::uuid, $2, $2, decode($3, 'hex'), $4) ON CONFLICT DO NOTHING";

std::size_t characters(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

common::Result<void> check_name(const char* what, const std::string& value, bool allow_empty) {
    if ((!allow_empty && value.empty()) || characters(value) > kMaxName) {
        return common::make_error(common::ErrorCode::kInvalidArgument,
                                  "{}: must be {} to {} characters", what, allow_empty ? 0 : 1,
                                  kMaxName);
    }
    for (const char c : value) {
        if (static_cast<unsigned char>(c) < 0x20) {
            return common::make_error(common::ErrorCode::kInvalidArgument,
                                      "{}: must not contain control characters", what);
        }
    }
    return {};
}

common::Result<void> not_found_unless(const pqxx::result& r, const std::string& what) {
    if (r.empty()) return common::make_error(common::ErrorCode::kNotFound, "no {}", what);
    return {};
}

}  // namespace

void prepare_console_statements(pqxx::connection& conn) {
    conn.prepare(kTenantInfo, kTenantInfoSql);
    conn.prepare(kRenameTenant, kRenameTenantSql);
    conn.prepare(kSetLicence, kSetLicenceSql);
    conn.prepare(kExtendTrial, kExtendTrialSql);
    conn.prepare(kCreatePending, kCreatePendingSql);
    conn.prepare(kEnroll, kEnrollSql);
    conn.prepare(kReplaceKey, kReplaceKeySql);
    conn.prepare(kUpdateScanner, kUpdateScannerSql);
    conn.prepare(kRenameSite, kRenameSiteSql);
    conn.prepare(kOfflineScanner, kOfflineScannerSql);
}

std::string_view to_string(LicenceStatus status) {
    switch (status) {
        case LicenceStatus::trial:
            return "trial";
        case LicenceStatus::licensed:
            return "licensed";
        case LicenceStatus::expired:
            return "expired";
        case LicenceStatus::over_limit:
            return "over_limit";
    }
    return "expired";
}

std::optional<TenantInfo> tenant_info(pqxx::transaction_base& tx, const std::string& tenant_id) {
    if (!proto::is_uuid(tenant_id)) return std::nullopt;
    const auto r = tx.exec_prepared(kTenantInfo, tenant_id);
    if (r.empty()) return std::nullopt;
    const auto row = r[0];
    TenantInfo t;
    t.tenant_id = row[0].as<std::string>();
    t.name = row[1].as<std::string>();
    if (!row[2].is_null()) t.trial_ends_at = row[2].as<std::string>();
    if (!row[3].is_null()) t.licensed_until = row[3].as<std::string>();
    if (!row[4].is_null()) t.device_limit = row[4].as<long long>();
    t.devices = row[5].as<long long>();
    if (!row[6].is_null()) t.days_left = row[6].as<long long>();
    const bool licensed = !row[7].is_null() && row[7].as<bool>();
    const bool trial = !row[8].is_null() && row[8].as<bool>();
    t.time_zone = row[9].as<std::string>();
    t.raw_retention_months = row[10].as<long long>();
    if (!row[11].is_null()) t.raw_data_from = row[11].as<std::string>();
    t.audit_retention_months = row[12].as<long long>();
    if (!licensed && !trial) {
        t.status = LicenceStatus::expired;
    } else if (t.device_limit && t.devices > *t.device_limit) {
        t.status = LicenceStatus::over_limit;
    } else {
        t.status = licensed ? LicenceStatus::licensed : LicenceStatus::trial;
    }
    return t;
}

common::Result<void> rename_tenant(pqxx::work& tx, const std::string& tenant_id,
                                   const std::string& name) {
    if (auto ok = check_name("name", name, false); !ok) return ok;
    return not_found_unless(tx.exec_prepared(kRenameTenant, tenant_id, name), "tenant");
}

common::Result<void> set_licence(pqxx::work& tx, const std::string& tenant_id,
                                 const std::optional<std::string>& until,
                                 std::optional<long long> device_limit) {
    if (!proto::is_uuid(tenant_id)) {
        return common::make_error(common::ErrorCode::kNotFound, "no tenant {}", tenant_id);
    }
    if (device_limit && (*device_limit < -1 || *device_limit > 10'000'000)) {
        return common::make_error(common::ErrorCode::kInvalidArgument,
                                  "device limit must be 0..10000000 (or -1 for none)");
    }
    std::optional<int> limit;
    if (device_limit) limit = static_cast<int>(*device_limit);
    try {
        pqxx::subtransaction sub(tx, "set_licence");
        const auto r = sub.exec_prepared(kSetLicence, tenant_id, until, limit);
        sub.commit();
        return not_found_unless(r, "tenant " + tenant_id);
    } catch (const pqxx::data_exception&) {
        return common::make_error(common::ErrorCode::kInvalidArgument,
                                  "licence end must be a date (YYYY-MM-DD) or an RFC 3339 time");
    }
}

common::Result<void> extend_trial(pqxx::work& tx, const std::string& tenant_id, long long days) {
    if (days < 1 || days > 3650) {
        return common::make_error(common::ErrorCode::kInvalidArgument, "days must be 1..3650");
    }
    if (!proto::is_uuid(tenant_id)) {
        return common::make_error(common::ErrorCode::kNotFound, "no tenant {}", tenant_id);
    }
    return not_found_unless(tx.exec_prepared(kExtendTrial, tenant_id, static_cast<int>(days)),
                            "tenant " + tenant_id);
}

common::Result<PendingScanner> create_pending_scanner(pqxx::work& tx, const std::string& tenant_id,
                                                      const std::string& name,
                                                      const std::string& site) {
    if (auto ok = check_name("name", name, true); !ok) return tl::unexpected(ok.error());
    if (auto ok = check_name("site", site, true); !ok) return tl::unexpected(ok.error());
    PendingScanner out;
    out.key = auth::generate_key(auth::kScannerKeyKind, tenant_id);
    const auto r = tx.exec_prepared(kCreatePending, tenant_id, name, site,
                                    auth::key_hash_hex(out.key), auth::display_prefix(out.key));
    if (r.empty()) {
        return common::make_error(common::ErrorCode::kNotFound, "no tenant {}", tenant_id);
    }
    out.scanner_id = r[0][0].as<std::string>();
    return out;
}

common::Result<void> enroll_scanner(pqxx::work& tx, const std::string& tenant_id,
                                    const std::string& pending_id, const std::string& scanner_id) {
    try {
        pqxx::subtransaction sub(tx, "enroll");
        const auto r = sub.exec_prepared(kEnroll, tenant_id, pending_id, scanner_id);
        sub.commit();
        return not_found_unless(r, "pending scanner " + pending_id);
    } catch (const pqxx::unique_violation&) {
        return common::make_error(common::ErrorCode::kConflict,
                                  "a scanner with id '{}' is registered already; replace its key "
                                  "in the console instead of adding a new scanner",
                                  scanner_id);
    }
}

common::Result<std::string> replace_scanner_key(pqxx::work& tx, const std::string& tenant_id,
                                                const std::string& scanner_id) {
    std::string key = auth::generate_key(auth::kScannerKeyKind, tenant_id);
    const auto r = tx.exec_prepared(kReplaceKey, tenant_id, scanner_id, auth::key_hash_hex(key),
                                    auth::display_prefix(key));
    if (r.empty()) return common::make_error(common::ErrorCode::kNotFound, "no scanner");
    return key;
}

common::Result<void> update_scanner(pqxx::work& tx, const std::string& tenant_id,
                                    const std::string& scanner_id,
                                    const std::optional<std::string>& name,
                                    const std::optional<std::string>& site) {
    if (name) {
        if (auto ok = check_name("name", *name, true); !ok) return ok;
    }
    if (site) {
        if (auto ok = check_name("site", *site, true); !ok) return ok;
    }
    return not_found_unless(tx.exec_prepared(kUpdateScanner, tenant_id, scanner_id, name, site),
                            "scanner");
}

common::Result<long long> rename_site(pqxx::work& tx, const std::string& tenant_id,
                                      const std::string& from, const std::string& to) {
    if (auto ok = check_name("from", from, true); !ok) return tl::unexpected(ok.error());
    if (auto ok = check_name("to", to, false); !ok) return tl::unexpected(ok.error());
    const auto n = tx.exec_prepared1(kRenameSite, tenant_id, from, to)[0].as<long long>();
    if (n == 0) return common::make_error(common::ErrorCode::kNotFound, "no site");
    return n;
}

void register_offline_scanner(pqxx::work& tx, const std::string& tenant_id,
                              const std::string& scanner_id) {
    const std::string key = auth::generate_key(auth::kScannerKeyKind, tenant_id);
    tx.exec_prepared0(kOfflineScanner, tenant_id, scanner_id, auth::key_hash_hex(key),
                      auth::display_prefix(key));
}

}  // namespace printmon::cloud::tenancy
