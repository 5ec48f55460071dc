#include "app/metrics.hpp"

#include <chrono>

#include <pqxx/nontransaction>

namespace printmon::cloud {
namespace {

double epoch_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// Both platform-wide on purpose (operator metrics, not tenant data); each reads one index.
constexpr const char* kAlertQueueName = "metrics_alert_queue";
constexpr const char* kAlertQueueSql =
    "SELECT count(*) FROM notifications WHERE state IN ('queued', 'sending')";
constexpr const char* kDirtyName = "metrics_analytics_dirty";
constexpr const char* kDirtySql = "SELECT count(*) FROM analytics_dirty";
// Never moves backwards: a former leader finishing a slow refresh after a newer one by the
// next leader must not make the read model look older than it is.
constexpr const char* kMarkRefreshedName = "metrics_mark_refreshed";
constexpr const char* kMarkRefreshedSql =
    "INSERT INTO refresh_status (singleton, refreshed_at) VALUES (true, to_timestamp($1)) "
    "ON CONFLICT (singleton) DO UPDATE "
    "SET refreshed_at = greatest(refresh_status.refreshed_at, EXCLUDED.refreshed_at)";
constexpr const char* kRefreshedName = "metrics_refreshed_at";
constexpr const char* kRefreshedSql =
    "SELECT extract(epoch FROM refreshed_at)::float8 FROM refresh_status";

}  // namespace

std::string_view route_class(std::string_view pattern) {
    if (pattern.empty()) return "unmatched";
    if (pattern == "/healthz") return "health";
    if (pattern == "/api/v1/ingest") return "ingest";
    if (pattern == "/api/v1/import") return "import";
    if (starts_with(pattern, "/api/v1/auth")) return "auth";
    if (starts_with(pattern, "/api/v1/alert")) return "alerts";
    for (const std::string_view admin :
         {"/api/v1/scanners", "/api/v1/tokens", "/api/v1/users", "/api/v1/tenant"}) {
        if (starts_with(pattern, admin)) return "admin";
    }
    if (starts_with(pattern, "/api/")) return "analytics";
    return "console";
}

CloudMetrics::CloudMetrics() : refreshed_at_(epoch_seconds()) {
    auto& r = registry_;
    ingest_.batches = &r.counter_family(
        "printmon_cloud_ingest_batches_total",
        "Batches posted to /api/v1/ingest by outcome (stored, duplicate, rejected, "
        "unavailable, error).",
        {"result"});
    ingest_.readings =
        &r.counter_family("printmon_cloud_ingest_readings_total",
                          "Readings in ingested batches: stored or duplicate.", {"result"});
    ingest_.batch_seconds = &r.histogram("printmon_cloud_ingest_batch_seconds",
                                         "Time to parse, validate and store one ingested batch.",
                                         metrics::default_latency_buckets());
    // Outcomes known up front, so rate() works from the first scrape.
    for (const char* result : {"stored", "duplicate", "rejected", "unavailable", "error"}) {
        ingest_.batches->with({result});
    }
    for (const char* result : {"stored", "duplicate"}) ingest_.readings->with({result});
    http_requests_ = &r.counter_family("printmon_cloud_http_requests_total",
                                       "HTTP requests answered, by route class and status.",
                                       {"route_class", "status"});
    http_seconds_ = &r.histogram_family("printmon_cloud_http_request_seconds",
                                        "Time from a request's first byte to its answer written.",
                                        metrics::default_latency_buckets(), {"route_class"});
    r.callback("printmon_cloud_refresh_lag_seconds",
               "Seconds since the start of the last completed read-model refresh by any "
               "replica: writes older than this are in the analytics.",
               metrics::Type::kGauge, {}, [this] {
                   const double lag =
                       epoch_seconds() - refreshed_at_.load(std::memory_order_relaxed);
                   return std::vector<metrics::Sample>{{{}, lag < 0 ? 0.0 : lag}};
               });
    dirty_ = &r.gauge("printmon_cloud_refresh_pending_rows",
                      "Device-days waiting for the read-model refresh (analytics_dirty rows).");
    alert_queue_ = &r.gauge("printmon_cloud_alert_queue_depth",
                            "Notifications queued or being sent (e-mail, Telegram, webhooks).");
    forecasts_kept_ = &r.counter("printmon_cloud_forecasts_kept_total",
                                 "Devices whose supply forecasts the refresh leader computed "
                                 "and kept for readers (V0022).");
    leader_ = &r.gauge("printmon_cloud_refresh_leader",
                       "1 while this replica holds the refresh leadership (it refreshes the read "
                       "model and maintains raw readings), else 0.");
}

void CloudMetrics::observe_http(net::Router& router) {
    router.on_response(
        [this](const net::Request& request, unsigned status, std::chrono::nanoseconds elapsed) {
            const std::string cls(route_class(request.route_pattern));
            http_requests_->with({cls, std::to_string(status)}).inc();
            http_seconds_->with({cls}).observe(std::chrono::duration<double>(elapsed).count());
        });
}

void CloudMetrics::observe_replica(storage::ReplicaReads& replica) {
    registry_.callback("printmon_cloud_replica_lag_seconds",
                       "Replay lag of the analytics read replica as last measured; no sample "
                       "while it cannot be measured.",
                       metrics::Type::kGauge, {}, [&replica] {
                           const auto lag = replica.status().lag_s;
                           std::vector<metrics::Sample> out;
                           if (lag) out.push_back({{}, *lag});
                           return out;
                       });
    registry_.callback(
        "printmon_cloud_replica_reads_usable",
        "1 while analytics reads go to the replica (measured within "
        "max_replica_lag_s), 0 while they fall back to the primary.",
        metrics::Type::kGauge, {}, [&replica] {
            return std::vector<metrics::Sample>{{{}, replica.status().usable ? 1.0 : 0.0}};
        });
}

void CloudMetrics::prepare_sampling(pqxx::connection& conn) {
    conn.prepare(kAlertQueueName, kAlertQueueSql);
    conn.prepare(kDirtyName, kDirtySql);
    conn.prepare(kMarkRefreshedName, kMarkRefreshedSql);
    conn.prepare(kRefreshedName, kRefreshedSql);
}

void CloudMetrics::refreshed(pqxx::connection& conn, double started) {
    pqxx::nontransaction tx(conn);
    tx.exec_prepared0(kMarkRefreshedName, started);
    refreshed_at_.store(started, std::memory_order_relaxed);
}

void CloudMetrics::sample(pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    alert_queue_->set(tx.exec_prepared(kAlertQueueName)[0][0].as<double>());
    dirty_->set(tx.exec_prepared(kDirtyName)[0][0].as<double>());
    // Rationale: replicas compare the leader's wall clock with their own; NTP-synchronised
    // hosts agree far closer than the refresh interval this gauge is judged against.
    const auto refreshed = tx.exec_prepared(kRefreshedName);
    if (!refreshed.empty()) {
        refreshed_at_.store(refreshed[0][0].as<double>(), std::memory_order_relaxed);
    }
}

}  // namespace printmon::cloud
