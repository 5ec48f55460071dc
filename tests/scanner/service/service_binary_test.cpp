// The real printmon-scanner binary as a child process: SIGTERM in the middle of polling ends
// it with exit code 0 and leaves no half-written poll behind.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <random>
#include <regex>

#include "pg.hpp"
#include "service_support.hpp"
#include "storage/store.hpp"

using namespace std::chrono_literals;
using namespace printmon::test;

namespace {

std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("SIGTERM mid-run: exit 0, every reading whole and counted in the log", "[service]") {
    TempDatabase db;
    TempDir dir;
    LanSim sim(dir.path / "sim", printers_dir(), "127.0.2.21");
    {
        printmon::scanner::storage::Store store(db.conninfo());
        store.connect();
        store.migrate();
        store.put_setting("polling_interval_s", "1");
        store.put_setting("discovery_port", std::to_string(sim.port));
        store.add_range("127.0.2.16/28", false);
    }
    const auto config = dir.path / "scanner.toml";
    {
        std::ofstream out(config);
        // The password travels through the environment, as in production.
        const auto fixture = pg_fixture();
        const std::string conninfo = "host=" + fixture.host + " port=" + fixture.port +
                                     " user=" + fixture.user + " dbname=" + db.name();
        setenv("PRINTMON_DATABASE_PASSWORD", fixture.password.c_str(), 1);
        out << "[database]\nconninfo = \"" << conninfo << "\"\n"
            << "[snmp]\ntimeout_ms = 300\nretries = 0\ndiscovery_timeout_ms = 300\n"
            << "[scheduler]\ntick_ms = 50\ndevice_refresh_s = 1\n"
            << "[secrets]\nkey_file = \"" << (dir.path / "secret.key").string() << "\"\n";
    }
    const auto log = dir.path / "scanner.log";
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        execl(PRINTMON_SCANNER_BINARY, PRINTMON_SCANNER_BINARY, "run", "--config", config.c_str(),
              static_cast<char*>(nullptr));
        _exit(127);
    }
    const bool polling = wait_until(
        [&] { return query_count(db.conninfo(), "SELECT count(*) FROM readings") >= 10; });
    // Somewhere inside a poll round, not at a fixed phase.
    std::this_thread::sleep_for(std::chrono::milliseconds(std::random_device{}() % 900));
    kill(pid, SIGTERM);
    int status = -1;
    const bool exited = wait_until([&] { return waitpid(pid, &status, WNOHANG) == pid; }, 30s);
    if (!exited) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    const std::string text = read_text(log);
    INFO(text);
    REQUIRE(polling);
    REQUIRE(exited);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);

    std::smatch m;
    REQUIRE(std::regex_search(text, m,
                              std::regex("event=service_stopped .*readings_written=([0-9]+)"
                                         " results_dropped=([0-9]+) clean=true")));
    const long long written = std::stoll(m[1].str());
    CHECK(m[2].str() == "0");
    CHECK(query_count(db.conninfo(), "SELECT count(*) FROM readings") == written);
    // Whole polls only: each reading came with its device update (same transaction).
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM readings r LEFT JOIN devices d USING (device_id) "
                      "WHERE d.device_id IS NULL OR d.last_seen IS NULL OR "
                      "d.last_seen < r.polled_at") == 0);
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM devices d WHERE NOT EXISTS (SELECT 1 FROM readings r "
                      "WHERE r.reading_id = d.last_reading_id AND r.device_id = d.device_id)") ==
          0);
    CHECK(query_count(db.conninfo(), "SELECT count(*) FROM devices") == 4);
}
