#pragma once
// Storing a batch idempotently in the tenant's tables: the batch row is the idempotency record
// (a batch_id seen before changes nothing), devices are merged by physical identity across
// scanners, readings and events are deduplicated by their ids. One transaction per call.

#include <string>

#include <pqxx/connection>
#include <pqxx/transaction>

#include "printmon/proto/snapshot.hpp"

namespace printmon::cloud::storage {

/// How a batch arrived (batches.source).
enum class BatchSource { online, import };

/// What storing one batch did.
struct StoreResult {
    std::string batch_id;
    bool duplicate = false;  ///< the batch_id was stored before: nothing was written
    long long readings_stored = 0;
    long long readings_duplicate = 0;
    long long events_stored = 0;
    long long events_duplicate = 0;
};

/// Prepares this module's statements on a connection.
void prepare_statements(pqxx::connection& conn);

/// The tenant-wide identity of a branch device: 'serial:<vendor lower>:<serial>' when both are
/// known, else 'mac:<mac lower>', else 'scanner:<scanner_id>:<branch device_id>'.
std::string identity_key(const std::string& scanner_id, const proto::BatchDevice& device);

/// Stores `batch` for `tenant_id` inside `tx` (the caller commits). The scanner must exist in
/// the tenant (foreign key); the caller checks that it may write for it. Throws pqxx errors.
StoreResult store_batch(pqxx::work& tx, const std::string& tenant_id, const proto::Batch& batch,
                        BatchSource source);

}  // namespace printmon::cloud::storage
