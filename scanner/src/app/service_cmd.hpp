#pragma once
// `printmon-scanner run`: loads scanner.toml, runs the Service until SIGTERM/SIGINT.

#include <string>

namespace printmon::scanner {

/// Returns the process exit code: 0 after a signal-initiated stop, 2 for a bad configuration,
/// 1 when the service cannot start (database unreachable, migration refused).
int run_service_command(const std::string& config_path, const std::string& log_level_override);

}  // namespace printmon::scanner
