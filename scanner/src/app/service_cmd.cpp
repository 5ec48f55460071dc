#include "app/service_cmd.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>

#include <pthread.h>

#include "app/service_config.hpp"
#include "polling/service.hpp"
#include "printmon/common/clock.hpp"
#include "printmon/common/logging.hpp"

namespace printmon::scanner {

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
    int sig = 0;
    sigwait(&signals, &sig);
    log->info("event=signal_received signal={}", sig == SIGTERM ? "TERM" : "INT");
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
