#pragma once
// The ingestion use cases, shared by the HTTP routes and the CLI: one online batch from a
// scanner, and an offline export file for a tenant. Both store through
// storage::store_batch, so a reading is stored once whichever way it arrives.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>
#include <pqxx/transaction>

#include "printmon/common/error.hpp"
#include "printmon/metrics/registry.hpp"
#include "printmon/net/router.hpp"
#include "storage/ingest_store.hpp"
#include "storage/pool.hpp"

namespace printmon::cloud::auth {
class Authenticator;
}

namespace printmon::cloud::ingest {

/// Body caps of the ingestion routes (config [ingest]).
struct IngestLimits {
    /// POST /api/v1/ingest: body as received (gzip) and inflated.
    std::size_t max_body_bytes = std::size_t{8} << 20;
    std::size_t max_inflated_bytes = std::size_t{64} << 20;
    /// POST /api/v1/import: offline files are bigger (many batches).
    std::size_t import_max_body_bytes = std::size_t{64} << 20;
    std::size_t import_max_inflated_bytes = std::size_t{512} << 20;
    /// Both routes: inflated at most this many times the body as received (net::RouteOptions::
    /// max_inflate_ratio; 0: off).
    std::size_t max_inflate_ratio = 100;
};

/// Totals of an import.
struct ImportSummary {
    long long batches = 0;
    long long batches_duplicate = 0;
    long long readings_stored = 0;
    long long readings_duplicate = 0;
    long long events_stored = 0;
    long long events_duplicate = 0;
    // Filled by a preview (dry run): the file as the console shows it before applying it.
    bool dry_run = false;
    long long readings = 0;
    long long events = 0;
    std::string from;  ///< earliest polled_at (RFC 3339), empty without readings
    std::string to;    ///< latest polled_at
    struct Scanner {
        std::string scanner_id;
        bool known = false;
        long long readings = 0;
    };
    std::vector<Scanner> scanners;
};

/// How to import: `dry_run` stores nothing (the same work in a transaction rolled back, so the
/// preview's new/duplicate counts are exactly what applying would store); `create_scanners`
/// registers scanner ids the tenant does not know instead of refusing the file (an explicit
/// choice on the console's import page, for branches that never go online).
struct ImportOptions {
    bool dry_run = false;
    bool create_scanners = false;
    /// Called in the import's transaction once everything is stored (not for a dry run): the
    /// audit log's entry commits with the data or not at all.
    std::function<void(pqxx::work&, const ImportSummary&)> on_applied;
};

/// Imports an export file for `tenant_id` in one transaction (all or nothing). Errors:
/// kInvalidArgument (not a valid export file; the message is "<pointer>: <reason>"),
/// kNotFound (no such tenant), kConflict (a batch names a scanner the tenant does not have).
/// `conn` needs storage::prepare_all. Throws pqxx errors for database failures.
common::Result<ImportSummary> import_export(pqxx::connection& conn, const std::string& tenant_id,
                                            std::string_view json, std::size_t max_bytes,
                                            ImportOptions options = {});

/// JSON bodies of the responses.
std::string to_json(const storage::StoreResult& result);
std::string to_json(const ImportSummary& summary);

/// Where ingestion counts its work (registered by app/metrics, docs/metrics.md); a null member
/// counts nothing. The families must outlive the router.
struct IngestMetrics {
    /// result: stored | duplicate | rejected (4xx) | unavailable (503) | error (500)
    metrics::Family<metrics::Counter>* batches = nullptr;
    metrics::Family<metrics::Counter>* readings = nullptr;  ///< result: stored | duplicate
    metrics::Histogram* batch_seconds = nullptr;            ///< handler time of stored batches
};

/// Registers POST /api/v1/ingest (scanner keys) and POST /api/v1/import (tenant API tokens or
/// the admin token with ?tenant=<uuid>) on `router`. `pool` and `authenticator` must outlive
/// the router. Other route sets (analytics) register beside these on the same router.
/// `on_stored(tenant)` runs after an online batch was stored (the alert evaluation is nudged).
void register_ingest_routes(net::Router& router, storage::ConnectionPool& pool,
                            const auth::Authenticator& authenticator, const IngestLimits& limits,
                            std::function<void(const std::string&)> on_stored = {},
                            IngestMetrics metrics = {});

}  // namespace printmon::cloud::ingest
