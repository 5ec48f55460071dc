#include "storage/schema.hpp"

#include "storage/ingest_store.hpp"
#include "tenancy/console_admin.hpp"
#include "tenancy/tenancy.hpp"

namespace printmon::cloud::storage {

db::MigrationReport migrate(pqxx::connection& conn) {
    const std::filesystem::path origin = "cloud-api/migrations";
    db::Migrator migrator(conn, db::parse_migrations(embedded_migrations(), origin), origin);
    return migrator.run();
}

void prepare_all(pqxx::connection& conn) {
    tenancy::prepare_statements(conn);
    tenancy::prepare_console_statements(conn);
    prepare_statements(conn);
}

}  // namespace printmon::cloud::storage
