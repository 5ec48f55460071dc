#pragma once
// What the cloud console manages beyond V0001's tenancy: trial and licence of a tenant, its
// name, scanners added without an id (enrolled by their first upload), key replacement,
// scanner and site renames. Every statement names its tenant (STYLE.md §5).

#include <optional>
#include <string>

#include <pqxx/connection>
#include <pqxx/transaction>

#include "printmon/common/error.hpp"

namespace printmon::cloud::tenancy {

/// Prepares this module's statements on a connection.
void prepare_console_statements(pqxx::connection& conn);

/// Whether a tenant's data may be read now.
enum class LicenceStatus { trial, licensed, expired, over_limit };
std::string_view to_string(LicenceStatus status);

/// A tenant as the console shows it.
struct TenantInfo {
    std::string tenant_id;
    std::string name;
    std::string time_zone;                  ///< IANA name
    long long raw_retention_months = 13;    ///< V0013
    long long audit_retention_months = 24;  ///< V0027
    /// Raw readings before this instant (RFC 3339) are no longer kept; nullopt: all are.
    std::optional<std::string> raw_data_from;
    std::optional<std::string> trial_ends_at;   ///< RFC 3339
    std::optional<std::string> licensed_until;  ///< RFC 3339
    std::optional<long long> device_limit;
    long long devices = 0;
    /// Whole days until the trial (or licence) ends, rounded up; nullopt when ended.
    std::optional<long long> days_left;
    LicenceStatus status = LicenceStatus::trial;
};

/// nullopt when there is no such tenant.
std::optional<TenantInfo> tenant_info(pqxx::transaction_base& tx, const std::string& tenant_id);

/// kInvalidArgument: name empty or over 200 characters; kNotFound: no tenant.
common::Result<void> rename_tenant(pqxx::work& tx, const std::string& tenant_id,
                                   const std::string& name);

/// Platform admin: licence until `until` (RFC 3339 or YYYY-MM-DD; nullopt keeps it) with at
/// most `device_limit` devices (nullopt keeps it, 0 <= limit; -1 removes the limit).
common::Result<void> set_licence(pqxx::work& tx, const std::string& tenant_id,
                                 const std::optional<std::string>& until,
                                 std::optional<long long> device_limit);

/// Platform admin: the trial ends `days` days from now (1..3650).
common::Result<void> extend_trial(pqxx::work& tx, const std::string& tenant_id, long long days);

/// A scanner added in the console: a key now, the scanner's own id at its first upload.
struct PendingScanner {
    std::string scanner_id;  ///< "pending-<uuid>" until the first upload
    std::string key;         ///< shown once
};
common::Result<PendingScanner> create_pending_scanner(pqxx::work& tx, const std::string& tenant_id,
                                                      const std::string& name,
                                                      const std::string& site);

/// The first upload of a pending scanner's key: its placeholder id becomes `scanner_id` (the id
/// the branch sends). kConflict when another scanner of the tenant has that id already (replace
/// that scanner's key instead); kNotFound when the placeholder is gone (bound concurrently:
/// the caller checks whether it was bound to the same id).
common::Result<void> enroll_scanner(pqxx::work& tx, const std::string& tenant_id,
                                    const std::string& pending_id, const std::string& scanner_id);

/// A new key for a scanner (the old one stops working; a revoked scanner is active again).
common::Result<std::string> replace_scanner_key(pqxx::work& tx, const std::string& tenant_id,
                                                const std::string& scanner_id);

/// Renames a scanner and/or moves it to another site (nullopt: unchanged).
common::Result<void> update_scanner(pqxx::work& tx, const std::string& tenant_id,
                                    const std::string& scanner_id,
                                    const std::optional<std::string>& name,
                                    const std::optional<std::string>& site);

/// Renames a site (every scanner of `from` moves to `to`); returns the scanners moved.
common::Result<long long> rename_site(pqxx::work& tx, const std::string& tenant_id,
                                      const std::string& from, const std::string& to);

/// Registers scanners an offline file names but the tenant does not know (the import page's
/// explicit choice): no usable key (a random one nobody sees; replace it to go online).
void register_offline_scanner(pqxx::work& tx, const std::string& tenant_id,
                              const std::string& scanner_id);

}  // namespace printmon::cloud::tenancy
