#include "printmon/net/metrics_server.hpp"

#include "printmon/net/server.hpp"

namespace printmon::net {
namespace {

ServerOptions options(const metrics::ListenAddress& listen) {
    ServerOptions o;
    o.address = listen.host;
    o.port = listen.port;
    o.io_threads = 1;
    // Rendering reads /proc and takes the pools' locks: off the I/O thread, on one thread.
    o.blocking_threads = 1;
    o.max_connections = 16;
    o.max_connections_per_address = 8;
    return o;
}

Router routes(const metrics::Registry& registry) {
    Router router;
    router.get("/metrics", [&registry](Request&) {
        return Response::text(registry.render(), 200, std::string(metrics::kContentType));
    });
    return router;
}

}  // namespace

MetricsServer::MetricsServer(const metrics::ListenAddress& listen,
                             const metrics::Registry& registry)
    : server_(std::make_unique<Server>(options(listen), routes(registry))) {}

MetricsServer::~MetricsServer() = default;

void MetricsServer::start() { server_->start(); }
std::uint16_t MetricsServer::port() const { return server_->port(); }
void MetricsServer::stop(std::chrono::milliseconds grace) { server_->stop(grace); }

}  // namespace printmon::net
