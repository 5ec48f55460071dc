#pragma once
// Raw readings' partitions and retention (V0012, V0013): the periodic maintenance that hides a
// tenant's readings past its horizon, drops the monthly partitions past every tenant's horizon
// and creates the partitions of the coming months. The day and month rollups are never touched.

#include <chrono>

#include <pqxx/connection>

namespace printmon::cloud::storage {

/// What one maintenance did (pm_readings_maintain).
struct MaintenanceResult {
    int tenants_archived = 0;      ///< tenants whose horizon moved forward
    int partitions_dropped = 0;    ///< monthly partitions dropped (whole months, no DELETE)
    int partitions_created = 0;    ///< partitions of coming months (or of stray rows) created
    long long strays_deleted = 0;  ///< rows of the default partition older than the drop horizon
};

/// Runs one maintenance as of `now` in its own transaction on `conn`. Does nothing when another
/// process (a replica) runs one at the same time. Throws pqxx errors (a lock not obtained
/// within 10 s is one: the caller tries again later).
MaintenanceResult maintain_readings(pqxx::connection& conn,
                                    std::chrono::system_clock::time_point now);

/// Rows deleted per call of pm_audit_prune: one short transaction each.
constexpr int kAuditPruneBatch = 5000;

/// Deletes the audit rows older than their account's `audit_retention_months` as of `now`
/// (V0027), at most `max_batches` transactions of `batch` rows each, so one call is bounded and
/// a backlog goes in later calls. Returns how many rows were deleted (0 also when another
/// replica is pruning). Throws pqxx errors.
long long prune_audit(pqxx::connection& conn, std::chrono::system_clock::time_point now,
                      int batch = kAuditPruneBatch, int max_batches = 20);

}  // namespace printmon::cloud::storage
