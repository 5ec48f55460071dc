#include "printmon/db/connection.hpp"

namespace printmon::db {

Connection::Connection(const std::string& conninfo)
    : conn_(std::make_unique<pqxx::connection>(conninfo)) {}

int Connection::backend_pid() const { return conn_->backendpid(); }

}  // namespace printmon::db
