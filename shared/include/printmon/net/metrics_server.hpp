#pragma once
// GET /metrics for Prometheus on its own address, apart from any public API port, served by
// the project's Beast server (one I/O thread, one handler thread).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "printmon/metrics/registry.hpp"

namespace printmon::net {

class Server;

/// Serves `registry` as GET /metrics (anything else: 404). Plain HTTP: bind it to loopback or a
/// management network (docs/metrics.md).
class MetricsServer {
  public:
    MetricsServer(const metrics::ListenAddress& listen, const metrics::Registry& registry);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    /// Binds and serves; throws std::system_error when the address cannot be bound.
    void start();
    std::uint16_t port() const;
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(2));

  private:
    std::unique_ptr<Server> server_;
};

}  // namespace printmon::net
