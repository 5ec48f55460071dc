#include "storage/retention.hpp"

#include <pqxx/transaction>

#include "printmon/proto/time.hpp"

namespace printmon::cloud::storage {
namespace {

// Not prepared: it runs once an hour, on whichever connection the caller has.
constexpr const char* kMaintainSql =
    "SELECT tenants_archived, partitions_dropped, partitions_created, strays_deleted "
    "FROM pm_readings_maintain($1::timestamptz)";

constexpr const char* kAuditPruneSql = "SELECT pm_audit_prune($1::timestamptz, $2::integer)";

}  // namespace

MaintenanceResult maintain_readings(pqxx::connection& conn,
                                    std::chrono::system_clock::time_point now) {
    pqxx::work tx(conn);
    const auto row = tx.exec_params1(kMaintainSql, proto::format_rfc3339(now));
    MaintenanceResult result;
    result.tenants_archived = row[0].as<int>();
    result.partitions_dropped = row[1].as<int>();
    result.partitions_created = row[2].as<int>();
    result.strays_deleted = row[3].as<long long>();
    tx.commit();
    return result;
}

long long prune_audit(pqxx::connection& conn, std::chrono::system_clock::time_point now, int batch,
                      int max_batches) {
    long long deleted = 0;
    const auto at = proto::format_rfc3339(now);
    for (int i = 0; i < max_batches; ++i) {
        pqxx::work tx(conn);
        const auto n = tx.exec_params1(kAuditPruneSql, at, batch)[0].as<long long>();
        tx.commit();
        deleted += n;
        if (n < batch) break;  // nothing more now, or another replica holds the lock
    }
    return deleted;
}

}  // namespace printmon::cloud::storage
