#pragma once
// The cloud's connection pool is the shared printmon::db::ConnectionPool; these names keep the
// cloud's code reading storage::ConnectionPool. Plus the session settings of pooled reads.

#include <chrono>

#include <pqxx/connection>
#include <pqxx/transaction>

#include "printmon/db/pool.hpp"

namespace printmon::cloud::storage {

using db::ConnectionPool;
using db::database_unavailable;
using db::Lease;
using db::PoolExhausted;

/// Session settings of a pooled connection, for the reads that are most of its work: each
/// statement at most `statement_timeout`, custom plans (every API statement has optional filters
/// that only a custom plan folds away; see api/queries.cpp run()), no parallel workers (with many
/// clients on few cores they only add CPU). Session-wide rather than SET LOCAL in a transaction:
/// a read is then one autocommit statement instead of BEGIN, SET, SELECT, COMMIT. Set through
/// libpqxx (set_variable), which restores them after a silent reconnect.
void configure_read_session(pqxx::connection& conn, std::chrono::milliseconds statement_timeout);

/// Undoes configure_read_session for the rest of `tx` (one round trip): ingestion and imports
/// run with the server's defaults (no statement timeout: an import may take long).
void use_server_defaults(pqxx::work& tx);

}  // namespace printmon::cloud::storage
