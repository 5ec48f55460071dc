#pragma once
// The cloud schema: the migrations embedded in the binary, and every module's prepared
// statements (registered on each pooled connection).

#include <string_view>
#include <utility>
#include <vector>

#include <pqxx/connection>

#include "printmon/db/migrator.hpp"

namespace printmon::cloud::storage {

/// cloud-api/migrations/*.sql as (file name, SQL), embedded at build time.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_migrations();

/// Applies the pending embedded migrations (advisory lock, checksums: db::Migrator).
db::MigrationReport migrate(pqxx::connection& conn);

/// Prepares the statements of every cloud module (tenancy, ingest) on `conn`.
void prepare_all(pqxx::connection& conn);

}  // namespace printmon::cloud::storage
