#include "app/app.hpp"

#include <pthread.h>

#include <csignal>

#include "ingest/ingest.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/db/connection.hpp"
#include "storage/schema.hpp"

namespace printmon::cloud {

struct App::Impl {
    CloudConfig config;
    storage::ConnectionPool pool;
    auth::Authenticator authenticator;
    std::unique_ptr<net::Server> server;

    explicit Impl(CloudConfig c)
        : config(std::move(c)),
          pool(config.database.conninfo, config.database.pool_size, config.database.acquire_timeout,
               storage::prepare_all),
          authenticator(pool, config.auth) {}
};

namespace {

void migrate_if_configured(const CloudConfig& config) {
    if (!config.database.migrate_on_start) return;
    db::Connection conn(config.database.conninfo);
    const auto report = storage::migrate(conn.raw());
    common::get_logger("cloud.app")
        ->info("event=migrated applied={} already_applied={}", report.applied.size(),
               report.already_applied);
}

}  // namespace

App::App(CloudConfig config) {
    migrate_if_configured(config);
    impl_ = std::make_unique<Impl>(std::move(config));
    net::Router router;
    // Credentials travel in headers: check them before reading (and inflating) the body.
    router.before_body(impl_->authenticator.hook());
    net::RouteOptions health;
    health.run_inline = true;
    health.tag = std::string(auth::kTagPublic);
    router.get(
        "/healthz", [](net::Request&) { return net::Response::json(R"({"status":"ok"})"); },
        health);
    ingest::register_ingest_routes(router, impl_->pool, impl_->authenticator, impl_->config.limits);
    impl_->server = std::make_unique<net::Server>(impl_->config.server, std::move(router));
}

App::~App() {
    if (impl_ && impl_->server) impl_->server->stop(std::chrono::seconds(2));
}

void App::start() { impl_->server->start(); }

std::uint16_t App::port() const { return impl_->server->port(); }

void App::stop(std::chrono::milliseconds grace) { impl_->server->stop(grace); }

storage::ConnectionPool& App::pool() { return impl_->pool; }

int serve(CloudConfig config) {
    auto log = common::get_logger("cloud.app");
    // Block the stop signals in every thread (threads inherit the mask), then wait for them
    // here: no async-signal-safety concerns, and the stop runs on an ordinary thread.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    const bool tls = config.server.tls.has_value();
    App app(std::move(config));
    app.start();
    log->info("event=listening port={} tls={}", app.port(), tls);
    int signal = 0;
    sigwait(&stop_signals, &signal);
    log->info("event=stopping signal={}", signal);
    app.stop();
    log->info("event=stopped");
    return 0;
}

}  // namespace printmon::cloud
