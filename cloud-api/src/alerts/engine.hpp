#pragma once
// The alert engine: evaluates a tenant's rules against what the cloud knows now (the read
// model's latest state per device, scanner upload times, readings' counters), opens, updates
// and resolves alerts, and queues the notifications that follow in the same transaction.
//
// Rationale: evaluation is a diff of "conditions that hold now" against "unresolved alerts",
// run under a per-tenant advisory lock, so it is idempotent (running it twice changes nothing
// the second time) and safe with several cloud-api processes; silence (a device or scanner that
// stopped reporting) is found by running it on a timer, not only after an ingest.

#include <chrono>
#include <string>

#include <pqxx/connection>
#include <pqxx/transaction>

namespace printmon::cloud::alerts {

using Clock = std::chrono::system_clock;

/// What one evaluation did.
struct EvaluationReport {
    int opened = 0;
    int updated = 0;
    int resolved = 0;
    int pending = 0;        ///< conditions not yet held long enough (device errors)
    int notifications = 0;  ///< messages queued
    int suppressed = 0;     ///< messages not queued for sending (repeat period, rate limit)
};

/// Prepares this module's statements on a connection.
void prepare_statements(pqxx::connection& conn);

/// Evaluates every enabled rule of `tenant_id` as of `now` in one transaction; also queues the
/// day's digest of digest channels once `now` passes their hour. Throws pqxx errors.
EvaluationReport evaluate(pqxx::connection& conn, const std::string& tenant_id,
                          Clock::time_point now);

/// Tenants to evaluate on the timer (all of them: silence has no ingest to trigger it).
std::vector<std::string> tenants(pqxx::connection& conn);

}  // namespace printmon::cloud::alerts
