#pragma once
// Tenants, scanners and tenant API tokens: creation, revocation and the key lookups the
// authentication hook needs. Every statement names its tenant (STYLE.md §5).

#include <optional>
#include <string>

#include <pqxx/connection>
#include <pqxx/transaction>

#include "printmon/common/error.hpp"

namespace printmon::cloud::tenancy {

/// Prepares this module's statements on a connection.
void prepare_statements(pqxx::connection& conn);

/// Creates a tenant; returns its id.
std::string create_tenant(pqxx::work& tx, const std::string& name);

bool tenant_exists(pqxx::work& tx, const std::string& tenant_id);

/// Sets the tenant's time zone (an IANA name of PostgreSQL's tz database, e.g. "Europe/Moscow")
/// and, when it changes, rebuilds the tenant's counter days and months in it (V0008:
/// pm_set_tenant_time_zone), all in `tx`: readers see the old zone and model until it commits.
/// Takes as long as a refresh of the tenant's whole history (docs/benchmarks.md).
/// kInvalidArgument: not a zone of the database; kNotFound: no such tenant. Either way nothing
/// changed and `tx` is still usable.
common::Result<void> set_time_zone(pqxx::work& tx, const std::string& tenant_id,
                                   const std::string& zone);

/// Bounds of a tenant's raw retention in whole months (V0013; default 13).
constexpr long long kMinRawRetentionMonths = 3;
constexpr long long kMaxRawRetentionMonths = 600;

/// Sets how many whole months before the current one the tenant's raw readings are kept
/// (V0013: pm_set_tenant_retention); the day and month rollups are kept for ever. Takes effect
/// at the next maintenance (storage::maintain_readings). kInvalidArgument: outside
/// [3, 600]; kNotFound: no such tenant. Either way nothing changed and `tx` is still usable.
common::Result<void> set_raw_retention(pqxx::work& tx, const std::string& tenant_id,
                                       long long months);

/// Bounds of a tenant's audit log retention in whole months (V0027; default 24).
constexpr long long kMinAuditRetentionMonths = 1;
constexpr long long kMaxAuditRetentionMonths = 120;

/// Sets how many months the tenant's audit log entries are kept (V0027); older ones are deleted
/// at the next maintenance (storage::prune_audit). kInvalidArgument: outside [1, 120];
/// kNotFound: no such tenant. Either way nothing changed and `tx` is still usable.
common::Result<void> set_audit_retention(pqxx::work& tx, const std::string& tenant_id,
                                         long long months);

/// The tenant's time zone: "UTC" unless set, and for a tenant that does not exist (the analytics
/// API reads an unknown tenant as UTC too).
std::string time_zone(pqxx::transaction_base& tx, const std::string& tenant_id);

struct NewScanner {
    std::string tenant_id;
    std::string scanner_id;
    std::string name;
    std::string site;
};

/// Registers a scanner and returns its key, which is not stored and cannot be shown again.
/// kNotFound: no such tenant; kConflict: the scanner id is taken in this tenant;
/// kInvalidArgument: empty or over-long scanner id.
common::Result<std::string> create_scanner(pqxx::work& tx, const NewScanner& scanner);

/// Revokes the scanner's key (its data stays). kNotFound when there is no such scanner;
/// revoking twice keeps the first revocation time.
common::Result<void> revoke_scanner(pqxx::work& tx, const std::string& tenant_id,
                                    const std::string& scanner_id);

/// Whether the scanner exists in the tenant (revoked ones included).
bool scanner_exists(pqxx::work& tx, const std::string& tenant_id, const std::string& scanner_id);

/// A credential found by its hash.
struct KeyOwner {
    std::string id;  ///< scanner_id or token_id
    bool revoked = false;
    /// Scanners: false while the key waits for its first upload (id still a placeholder).
    bool enrolled = true;
};

/// The scanner whose key hashes to `key_hash_hex` in the tenant.
std::optional<KeyOwner> find_scanner_by_key(pqxx::transaction_base& tx,
                                            const std::string& tenant_id,
                                            const std::string& key_hash_hex);

/// Issues a tenant API token; returns it (shown once). kNotFound: no such tenant.
common::Result<std::string> create_api_token(pqxx::work& tx, const std::string& tenant_id,
                                             const std::string& name);

/// The API token that hashes to `key_hash_hex` in the tenant.
std::optional<KeyOwner> find_api_token_by_key(pqxx::transaction_base& tx,
                                              const std::string& tenant_id,
                                              const std::string& key_hash_hex);

}  // namespace printmon::cloud::tenancy
