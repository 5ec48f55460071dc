#pragma once
// Command line of printmon-uploader: `run` and `export`.

namespace printmon::uploader {

/// Parses the arguments and runs the command; returns the process exit code. Startup errors
/// (bad config, unreadable CA file) are printed and mapped to exit codes here.
int run_cli(int argc, char** argv);

}  // namespace printmon::uploader
