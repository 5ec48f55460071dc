#pragma once
// The printmon-scanner command line: probe, discover, walk, run.

namespace printmon::scanner {

/// Parses arguments and runs the chosen command; returns the process exit code.
int run_cli(int argc, char** argv);

}  // namespace printmon::scanner
