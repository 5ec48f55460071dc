#pragma once
// The running service: database pool, authenticator, router and HTTPS server, wired from a
// CloudConfig. Tests build an App on an ephemeral port; main() runs one until SIGTERM.

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "app/config.hpp"
#include "storage/secret_keys.hpp"

namespace printmon::cloud {

class App {
  public:
    /// Connects the pool (and migrates when database.migrate_on_start), opens the secrets key
    /// and checks it against the database's (storage/secrets.hpp); throws on failure.
    explicit App(CloudConfig config);
    ~App();
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    /// Binds and serves on background threads.
    void start();
    /// The bound port (after start()).
    std::uint16_t port() const;
    /// Graceful stop: in-flight requests finish (up to `grace`). Idempotent.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

    storage::ConnectionPool& pool();
    /// The key of the channel secrets ([secrets] key_file), as checked against the database.
    const std::shared_ptr<storage::SecretKeyHolder>& secret_key() const;
    /// The port of GET /metrics ([metrics] listen), 0 when off; after start().
    std::uint16_t metrics_port() const;
    metrics::Registry& metrics();

    /// Every route of the API (ingestion and analytics), as registered.
    const std::vector<net::RouteInfo>& routes() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// `serve`: runs an App until SIGTERM or SIGINT, then stops gracefully. Returns the exit code.
int serve(CloudConfig config);

}  // namespace printmon::cloud
