#pragma once
// Batches built from branch rows (readings + events + devices -> proto::Batch) for the offline
// export file {"format":"printmon-export","version":1,"batches":[...]} and its CSV twin.
// Read-only: exporting marks nothing sent (the cloud deduplicates on reading and event ids, so
// a file imported and the same rows uploaded later are stored once).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "printmon/proto/snapshot.hpp"

namespace printmon::scanner::storage {

/// Which rows an export holds.
struct ExportFilter {
    enum class Scope { unsent, all, range };
    Scope scope = Scope::unsent;
    /// For Scope::range: polled_at/at within [from, to).
    std::chrono::system_clock::time_point from{};
    std::chrono::system_clock::time_point to{};
    /// Refuse larger exports (the document is built in memory).
    std::size_t max_readings = 200000;
};

/// Identity of the exporting scanner, stamped on every batch.
struct ExportSource {
    std::string scanner_id;
    std::string scanner_version;
    std::chrono::system_clock::time_point created_at{};
    std::size_t readings_per_batch = 500;
};

/// Thrown when the filter matches more than max_readings rows.
class ExportTooLarge : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Prepares the export statements on `conn` (call after every (re)connect).
void prepare_export_statements(pqxx::connection& conn);

/// Builds the batches (fresh batch ids; readings in polled_at order, events in the last batch;
/// each batch lists the devices its rows name). No batch when nothing matches. A stored
/// snapshot that no longer decodes is skipped and counted in `skipped` (when given).
std::vector<proto::Batch> build_export_batches(pqxx::transaction_base& tx,
                                               const ExportFilter& filter,
                                               const ExportSource& source,
                                               std::size_t* skipped = nullptr);

/// {"format":"printmon-export","version":1,"batches":[...]} (the `printmon-uploader export`
/// format, imported by the cloud's POST /api/v1/import).
std::string export_document(const std::vector<proto::Batch>& batches);

/// One CSV line per reading: ids, time, device identity and location, main counters, status.
/// RFC 4180 quoting; a header line first.
std::string export_csv(const std::vector<proto::Batch>& batches);

}  // namespace printmon::scanner::storage
