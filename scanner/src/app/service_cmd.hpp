#pragma once
// `printmon-scanner run`: loads scanner.toml, runs the Service until SIGTERM/SIGINT; and the
// maintenance commands that work on the same configuration.

#include <string>

namespace printmon::scanner {

/// Returns the process exit code: 0 after a signal-initiated stop, 2 for a bad configuration,
/// 1 when the service cannot start (database unreachable, migration refused).
int run_service_command(const std::string& config_path, const std::string& log_level_override);

/// `printmon-scanner secrets rotate`: a fresh key in scanner.toml's [secrets] key_file, every
/// credential set re-sealed under it (storage::Store::rotate_secret_key); prints what it did.
/// Returns 0, 1 when refused (another key file, no key recorded yet) or the database cannot be
/// reached, 2 for a bad configuration.
int rotate_secrets_command(const std::string& config_path);

}  // namespace printmon::scanner
