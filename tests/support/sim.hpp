#pragma once
// Private peers a test starts and stops itself: a temp folder, snmpsim over a folder of
// recordings (tests/support/snmpsim), and the deliberately broken agent (tests/support/bad_agent).

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "spawn.hpp"
#include "state.hpp"

namespace printmon::test {

namespace fs = std::filesystem;

/// A temp folder (mode 0700) removed on scope exit. Only the test enters it: the fixtures
/// started in it keep what other users must reach in private folders of those users.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "printmon-bad.XXXXXX").string();
        path = mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

/// Runs a support script and returns its exit code.
inline int run_script(const std::string& cmd) { return std::system(cmd.c_str()); }

inline std::string read_env(const fs::path& env, const std::string& key) {
    std::ifstream in(env);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
    }
    return {};
}

/// snmpsim over crafted recordings, started and stopped by this test.
struct Sim {
    fs::path state;
    std::string host;
    std::uint16_t port = 0;
    /// `address`: the loopback address to serve on (default 127.0.0.1).
    Sim(const fs::path& st, const fs::path& data, const std::string& address = {}) : state(st) {
        const auto script = printmon::test::source_dir() + "/tests/support/snmpsim";
        REQUIRE(run_script(script + " start " + state.string() + " " + data.string() +
                           (address.empty() ? "" : " " + address)) == 0);
        host = read_env(state / "env", "SNMPSIM_HOST");
        port = static_cast<std::uint16_t>(std::stoi(read_env(state / "env", "SNMPSIM_PORT")));
    }
    ~Sim() {
        run_script(printmon::test::source_dir() + "/tests/support/snmpsim stop " + state.string());
    }
};

/// tests/support/bad_agent in a child process, stopped by PID.
struct BadAgent {
    pid_t pid = -1;
    std::uint16_t port = 0;
    /// `upstream`: snmpsim's HOST:PORT, for mode v1only.
    BadAgent(const std::string& mode, const fs::path& dir, const std::string& upstream = {}) {
        const auto port_file = dir / ("port-" + mode);
        const auto script = printmon::test::source_dir() + "/tests/support/bad_agent";
        std::vector<std::string> args{script, mode, port_file.string()};
        if (!upstream.empty()) args.push_back(upstream);
        pid = spawn(args);
        for (int i = 0; i < 100 && !fs::exists(port_file); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));  // bounded startup wait
        }
        REQUIRE(fs::exists(port_file));
        std::ifstream in(port_file);
        int p = 0;
        in >> p;
        port = static_cast<std::uint16_t>(p);
    }
    ~BadAgent() {
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
        }
    }
};

}  // namespace printmon::test
