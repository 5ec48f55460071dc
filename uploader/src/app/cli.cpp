#include "app/cli.hpp"

#include <csignal>
#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "app/config.hpp"
#include "app/service.hpp"
#include "export/export_file.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/net/metrics_server.hpp"
#include "printmon/proto/time.hpp"

namespace printmon::uploader {
namespace {

// The only process-wide state: where SIGTERM/SIGINT write their wake-up byte.
volatile std::sig_atomic_t g_stop_fd = -1;

extern "C" void on_stop_signal(int /*signo*/) {
    const int fd = g_stop_fd;
    if (fd >= 0) {
        const char byte = 'T';
        [[maybe_unused]] const auto n = ::write(fd, &byte, 1);
    }
}

void install_stop_handlers(int fd) {
    g_stop_fd = fd;
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
}

constexpr int kExitOk = 0;
constexpr int kExitConfig = 78;  // EX_CONFIG
constexpr int kExitFailure = 1;

}  // namespace

int run_cli(int argc, char** argv) {
    CLI::App app{"printmon-uploader: delivers branch readings to the printmon cloud"};
    app.set_version_flag("--version", std::string("printmon-uploader ") + PRINTMON_VERSION);
    app.require_subcommand(1);
    std::string config_path = "/etc/printmon/uploader.toml";
    app.add_option("-c,--config", config_path, "configuration file (TOML)");
    std::string log_level;
    app.add_option("--log-level", log_level, "overrides log_level of the file");

    auto* run = app.add_subcommand("run", "upload continuously until SIGTERM");
    auto* exp = app.add_subcommand("export", "write the outbox to a file for offline delivery");
    auto* check = app.add_subcommand("check-config", "validate the configuration file and exit");
    check->add_option("-c,--config", config_path, "configuration file (TOML)");
    std::string out;
    std::string since;
    bool all = false;
    bool mark_sent = false;
    exp->add_option("--out", out, "export file (written atomically)")->required();
    exp->add_option("--since", since, "only readings/events at or after this RFC 3339 time");
    exp->add_flag("--all", all, "include batches already delivered");
    exp->add_flag("--mark-sent", mark_sent,
                  "mark exported batches sent (otherwise they are also uploaded online)");
    // Subcommand options may also be given after the subcommand.
    run->add_option("-c,--config", config_path, "configuration file (TOML)");
    exp->add_option("-c,--config", config_path, "configuration file (TOML)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }

    UploaderConfig config;
    std::optional<std::chrono::system_clock::time_point> since_tp;
    try {
        config = load_config(config_path);
        if (!log_level.empty()) config.log_level = log_level;
        common::setup_logging(common::parse_log_level(config.log_level));
        if (!since.empty()) {
            since_tp = proto::parse_rfc3339(since);
            if (!since_tp) throw common::ConfigError("--since: not an RFC 3339 time: " + since);
        }
    } catch (const std::exception& e) {
        std::cerr << "printmon-uploader: " << e.what() << "\n";
        return kExitConfig;
    }

    if (check->parsed()) {
        std::cout << config_path << ": ok\n";
        return kExitOk;
    }
    const common::SystemClock clock;
    if (run->parsed()) {
        std::unique_ptr<Service> service;
        try {
            service = std::make_unique<Service>(config.service, clock);
        } catch (const std::exception& e) {
            std::cerr << "printmon-uploader: " << e.what() << "\n";
            return kExitConfig;
        }
        // Operator metrics on their own address (docs/metrics.md).
        std::unique_ptr<net::MetricsServer> metrics_server;
        if (config.metrics_listen) {
            try {
                metrics_server = std::make_unique<net::MetricsServer>(*config.metrics_listen,
                                                                      service->metrics());
                metrics_server->start();
            } catch (const std::exception& e) {
                std::cerr << "printmon-uploader: metrics listen " << config.metrics_listen->host
                          << ":" << config.metrics_listen->port << ": " << e.what() << "\n";
                return kExitConfig;
            }
        }
        install_stop_handlers(service->stop_fd());
        service->run();
        if (metrics_server) metrics_server->stop();
        g_stop_fd = -1;
        return kExitOk;
    }

    try {
        db::Connection conn(config.service.conninfo);
        Outbox outbox(conn, config.service.outbox, clock);
        const auto settings =
            outbox.cloud_settings(config.service.cloud_url, config.service.scanner_key);
        ExportOptions options;
        options.out = out;
        options.since = since_tp;
        options.include_sent = all;
        options.mark_sent = mark_sent;
        const auto report = export_outbox(outbox, settings, options);
        std::cout << "exported " << report.batches << " batches (" << report.readings
                  << " readings, " << report.events << " events) to " << out;
        if (mark_sent) std::cout << "; marked " << report.marked_sent << " batches sent";
        std::cout << "\n";
        return kExitOk;
    } catch (const std::exception& e) {
        std::cerr << "printmon-uploader: export failed: " << e.what() << "\n";
        return kExitFailure;
    }
}

}  // namespace printmon::uploader
