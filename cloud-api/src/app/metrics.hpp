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

    /// The refresher brought the read model up to date with everything written before
    /// `started` (the start of that refresh, seconds since the epoch).
    void refreshed(double started) { refreshed_at_.store(started, std::memory_order_relaxed); }
    /// Samples the alert queue and the analytics backlog on `conn` (prepare_sampling first).
    void sample(pqxx::connection& conn);
    static void prepare_sampling(pqxx::connection& conn);

  private:
    metrics::Registry registry_;
    ingest::IngestMetrics ingest_;
    metrics::Family<metrics::Counter>* http_requests_ = nullptr;
    metrics::Family<metrics::Histogram>* http_seconds_ = nullptr;
    metrics::Gauge* alert_queue_ = nullptr;
    metrics::Gauge* dirty_ = nullptr;
    std::atomic<double> refreshed_at_;
};

/// The bounded route class of a request: ingest, import, health, auth, alerts, admin,
/// analytics, console, or unmatched (no route: 404, 405).
std::string_view route_class(std::string_view pattern);

}  // namespace printmon::cloud
