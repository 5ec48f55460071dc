#pragma once
// The printmon-cloud-api command line: serve, migrate, tenant/scanner/token administration,
// offline import.

#include <iosfwd>

namespace printmon::cloud {

/// Parses arguments and runs the chosen command; returns the process exit code. Results go to
/// `out` (keys are printed there once), diagnostics to `err`.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace printmon::cloud
