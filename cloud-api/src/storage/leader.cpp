#include "storage/leader.hpp"

#include <pqxx/nontransaction>

#include "printmon/common/logging.hpp"

namespace printmon::cloud::storage {

namespace {

// The two-int4 advisory lock space of these roles ('pmcl'); the migrator's bigint lock and the
// alert engine's per-tenant locks (hashtext pairs) live in other key spaces (pg_locks objsubid
// 1 for bigint keys, and a classid no hash here equals).
constexpr std::int32_t kLockSpace = 0x706d636c;

// Already held by this session (pg_locks, no side effect), else try to take it. Asking
// pg_try_advisory_lock again while holding it would stack a second hold on the same session,
// harmless but unbounded over a long life.
constexpr const char* kAcquireSql =
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
    "AND pid = pg_backend_pid() AND classid = $1::oid AND objid = $2::oid AND objsubid = 2 "
    "AND granted) THEN true ELSE pg_try_advisory_lock($1::int, $2::int) END";

constexpr const char* kLeaderPidSql =
    "SELECT coalesce((SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND database = "
    "(SELECT oid FROM pg_database WHERE datname = current_database()) AND classid = $1::oid "
    "AND objid = $2::oid AND objsubid = 2 AND granted LIMIT 1), 0)";

}  // namespace

std::string to_string(LeaderRole role) {
    switch (role) {
        case LeaderRole::refresh:
            return "refresh";
        case LeaderRole::alerts_sweep:
            return "alerts_sweep";
    }
    return "unknown";
}

bool Leadership::acquire(pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    const bool now_leading =
        tx.exec_params1(kAcquireSql, kLockSpace, static_cast<std::int32_t>(role_))[0].as<bool>();
    if (now_leading != leading_) {
        auto log = common::get_logger("cloud.leader");
        if (now_leading) {
            log->info("event=leader_acquired role={} backend_pid={}", to_string(role_),
                      conn.backendpid());
        } else {
            log->info("event=leader_lost role={}", to_string(role_));
        }
    }
    leading_ = now_leading;
    return leading_;
}

void Leadership::lost() {
    if (leading_) {
        common::get_logger("cloud.leader")
            ->info("event=leader_lost role={} reason=connection", to_string(role_));
    }
    leading_ = false;
}

int leader_pid(pqxx::connection& conn, LeaderRole role) {
    pqxx::nontransaction tx(conn);
    return tx.exec_params1(kLeaderPidSql, kLockSpace, static_cast<std::int32_t>(role))[0].as<int>();
}

}  // namespace printmon::cloud::storage
