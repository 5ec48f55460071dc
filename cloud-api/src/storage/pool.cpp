#include "storage/pool.hpp"

#include <string>

#include <pqxx/transaction>

namespace printmon::cloud::storage {

void configure_read_session(pqxx::connection& conn, std::chrono::milliseconds statement_timeout) {
    conn.set_variable("statement_timeout", std::to_string(statement_timeout.count()));
    conn.set_variable("plan_cache_mode", "force_custom_plan");
    conn.set_variable("max_parallel_workers_per_gather", "0");
}

void use_server_defaults(pqxx::work& tx) {
    tx.exec0(
        "SET LOCAL statement_timeout TO DEFAULT; SET LOCAL plan_cache_mode TO DEFAULT; "
        "SET LOCAL max_parallel_workers_per_gather TO DEFAULT");
}

}  // namespace printmon::cloud::storage
