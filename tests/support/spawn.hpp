#pragma once
// Starting another program from a test. Tests have threads (servers, pools), and between fork()
// and exec the child of a threaded process may only make async-signal-safe calls: a malloc there
// can wait forever on a lock another thread held at the fork (it did, under ASan, in
// uploader_binary_test). So everything is built before the fork; the child only opens, dups and
// execs.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace printmon::test {

struct SpawnOptions {
    std::filesystem::path output;  ///< stderr goes here when set (and stdout, see below)
    bool include_stdout = true;    ///< stdout into `output` as well
    bool truncate = false;         ///< truncate `output` instead of appending
    std::vector<std::string> env;  ///< NAME=VALUE set in the child (replacing the parent's)
};

/// fork + execve of `argv[0]` (a path) with `argv`; the child's PID (the caller stops it by
/// PID). A child that cannot exec exits 127.
pid_t spawn(const std::vector<std::string>& argv, const SpawnOptions& options = {});

}  // namespace printmon::test
