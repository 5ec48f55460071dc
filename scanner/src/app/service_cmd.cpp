#include "app/service_cmd.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include <pthread.h>

#include "app/service_config.hpp"
#include "polling/service.hpp"
#include "printmon/common/clock.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/db/pool.hpp"
#include "printmon/metrics/registry.hpp"
#include "printmon/net/metrics_server.hpp"
#include "printmon/net/server.hpp"
#include "storage/store.hpp"
#include "web/web_app.hpp"
#include "web/web_store.hpp"

namespace printmon::scanner {

int rotate_secrets_command(const std::string& config_path) {
    ServiceConfig config;
    try {
        config = load_service_config(config_path);
        common::setup_logging(common::parse_log_level(config.log_level));
    } catch (const std::exception& e) {
        std::cerr << "printmon-scanner: " << e.what() << "\n";
        return 2;
    }
    try {
        storage::Store store(config.service.conninfo);
        store.connect();
        const auto r = store.rotate_secret_key(config.service.secret_key_file);
        std::cout << "key id " << r.key_id << " replaced " << r.previous_key_id << " in "
                  << config.service.secret_key_file << "; credential sets re-sealed: " << r.resealed
                  << "; sets whose secrets must still be entered again: " << r.unreadable
                  << "\na running scanner takes the new key up by itself\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "printmon-scanner: " << e.what() << "\n";
        return 1;
    }
}

int run_service_command(const std::string& config_path, const std::string& log_level_override) {
    ServiceConfig config;
    try {
        config = load_service_config(config_path);
        common::setup_logging(common::parse_log_level(
            log_level_override.empty() ? config.log_level : log_level_override));
    } catch (const std::exception& e) {
        std::cerr << "printmon-scanner: " << e.what() << "\n";
        return 2;
    }
    auto log = common::get_logger("scanner.run");
    std::optional<ProfileSet> profiles;
    try {
        profiles = ProfileSet::load(config.profiles_dir);
    } catch (const std::exception& e) {
        std::cerr << "printmon-scanner: " << e.what() << "\n";
        return 2;
    }

    // Rationale: signals are taken synchronously by this thread (sigwait), so no handler runs
    // in the middle of a libpq or net-snmp call. The mask is set before any thread starts, so
    // every thread inherits it.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    common::SystemClock clock;
    Service service(config.service, clock, std::move(*profiles));
    try {
        service.start();
    } catch (const std::exception& e) {
        log->critical("event=start_failed error={}", common::log_value(e.what()));
        return 1;
    }
    log->info("event=service_started version={}", PRINTMON_VERSION);

    // The settings UI: its own small connection pool (handlers run on the server's blocking
    // threads), the service for "poll now" / "discover now".
    web::WebStorePool web_pool(config.service.conninfo, 4, service.secret_key());
    std::unique_ptr<web::WebApp> web_app;
    std::unique_ptr<net::Server> web_server;
    if (config.web.enabled) {
        try {
            web_app = std::make_unique<web::WebApp>(config.web, web_pool, service, clock);
            web_server = std::make_unique<net::Server>(web::WebApp::server_options(config.web),
                                                       web_app->router());
            web_server->start();
        } catch (const std::exception& e) {
            log->critical("event=web_start_failed address={} port={} error={}", config.web.address,
                          config.web.port, common::log_value(e.what()));
            service.stop();
            return 1;
        }
        log->info("event=web_started url={}://{}:{}", config.web.tls() ? "https" : "http",
                  config.web.address, web_server->port());
    }

    // Operator metrics on their own address (docs/metrics.md), never the UI's port.
    metrics::register_process_metrics(service.metrics());
    db::register_pool_metrics(service.metrics(), {{"web", &web_pool.connections()}});
    std::unique_ptr<net::MetricsServer> metrics_server;
    if (config.metrics_listen) {
        try {
            metrics_server =
                std::make_unique<net::MetricsServer>(*config.metrics_listen, service.metrics());
            metrics_server->start();
        } catch (const std::exception& e) {
            log->critical("event=metrics_start_failed listen={}:{} error={}",
                          config.metrics_listen->host, config.metrics_listen->port,
                          common::log_value(e.what()));
            if (web_server) web_server->stop(std::chrono::seconds(1));
            service.stop();
            return 1;
        }
        log->info("event=metrics_started url=http://{}:{}/metrics", config.metrics_listen->host,
                  metrics_server->port());
    }

    int sig = 0;
    sigwait(&signals, &sig);
    log->info("event=signal_received signal={}", sig == SIGTERM ? "TERM" : "INT");
    if (metrics_server) metrics_server->stop();
    if (web_server) web_server->stop(std::chrono::seconds(5));
    const bool clean = service.stop();
    spdlog::default_logger()->flush();
    log->flush();
    if (!clean) {
        // A poll thread is still inside net-snmp: end the process without running destructors
        // under it. Everything written is whole (one transaction per result).
        std::_Exit(0);
    }
    return 0;
}

}  // namespace printmon::scanner
