#pragma once
// The cloud's operator metrics (docs/metrics.md): one registry per App, the families the
// ingest routes, the HTTP server and the refresher count into, and the pool gauges.

#include <atomic>
#include <string>
#include <string_view>

#include <pqxx/connection>

#include "ingest/ingest.hpp"
#include "printmon/metrics/registry.hpp"
#include "printmon/net/router.hpp"
#include "storage/replica.hpp"

namespace printmon::cloud {

/// Everything the cloud counts. Thread-safe (the registry's rules).
class CloudMetrics {
  public:
    CloudMetrics();
    CloudMetrics(const CloudMetrics&) = delete;
    CloudMetrics& operator=(const CloudMetrics&) = delete;

    metrics::Registry& registry() { return registry_; }
    ingest::IngestMetrics ingest() const { return ingest_; }
    /// Installs the HTTP request counters on `router` (printmon_cloud_http_*).
    void observe_http(net::Router& router);
    /// printmon_cloud_replica_lag_seconds and printmon_cloud_replica_reads_usable, read from
    /// the replica monitor's last measurement at scrape time. Only when a replica is
    /// configured; `replica` outlives the registry's scrapes (both belong to the App).
    void observe_replica(storage::ReplicaReads& replica);

    /// This process's refresher brought the read model up to date with everything written
    /// before `started` (the start of that refresh, seconds since the epoch): stamps it in
    /// `refresh_status` (V0017) on `conn` for every replica to see, and here.
    void refreshed(pqxx::connection& conn, double started);
    /// The refresh leader computed and kept the supply forecasts of `devices` devices
    /// (printmon_cloud_forecasts_kept_total).
    void forecasts_kept(int devices) {
        if (devices > 0) forecasts_kept_->inc(static_cast<std::uint64_t>(devices));
    }
    /// Whether this process holds the refresh leadership (printmon_cloud_refresh_leader).
    void leading(bool yes) { leader_->set(yes ? 1.0 : 0.0); }
    /// Samples the alert queue, the analytics backlog and the last refresh by any replica on
    /// `conn` (prepare_sampling first). Every replica samples, leader or not.
    void sample(pqxx::connection& conn);
    static void prepare_sampling(pqxx::connection& conn);

  private:
    metrics::Registry registry_;
    ingest::IngestMetrics ingest_;
    metrics::Family<metrics::Counter>* http_requests_ = nullptr;
    metrics::Family<metrics::Histogram>* http_seconds_ = nullptr;
    metrics::Gauge* alert_queue_ = nullptr;
    metrics::Gauge* dirty_ = nullptr;
    metrics::Gauge* leader_ = nullptr;
    metrics::Counter* forecasts_kept_ = nullptr;
    /// Start of the last completed refresh by any replica; the process start until one is known.
    std::atomic<double> refreshed_at_;
};

/// The bounded route class of a request: ingest, import, health, auth, alerts, admin,
/// analytics, console, or unmatched (no route: 404, 405).
std::string_view route_class(std::string_view pattern);

}  // namespace printmon::cloud
