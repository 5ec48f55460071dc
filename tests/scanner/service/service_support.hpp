#pragma once
// Helpers of the service tests: a private snmpsim over the synthetic printers, a private
// PostgreSQL cluster, bounded waits on real events, and what the recordings say.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "sim.hpp"  // TempDir, read_env
#include "state.hpp"

namespace printmon::test {

namespace fs = std::filesystem;

inline fs::path printers_dir() { return fs::path(source_dir()) / "tests" / "data" / "printers"; }

/// snmpsim serving every recording of `data` on its own address from `first` up.
struct LanSim {
    fs::path state;
    std::uint16_t port = 0;
    std::vector<std::string> addresses;
    LanSim(fs::path st, const fs::path& data, const std::string& first) : state(std::move(st)) {
        const auto script = source_dir() + "/tests/support/snmpsim";
        const auto cmd =
            script + " start-multi " + state.string() + " " + data.string() + " " + first;
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("snmpsim start-multi failed");
        port = static_cast<std::uint16_t>(std::stoi(read_env(state / "env", "SNMPSIM_PORT")));
        std::string list = read_env(state / "env", "SNMPSIM_ADDRESSES");
        std::size_t start = 0;
        while (start <= list.size()) {
            const auto comma = list.find(',', start);
            addresses.push_back(list.substr(start, comma - start));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    void stop() {
        std::system((source_dir() + "/tests/support/snmpsim stop " + state.string()).c_str());
    }
    ~LanSim() { stop(); }
    LanSim(const LanSim&) = delete;
    LanSim& operator=(const LanSim&) = delete;
};

/// Serial number -> prtMarkerLifeCount (the total) of each recording in `dir`, sorted by file
/// name as start-multi assigns addresses. Read from the files, so the test cannot drift.
struct Recording {
    std::string file;
    std::string serial;
    long long total = 0;
};
inline std::vector<Recording> recordings(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() == ".snmprec") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<Recording> out;
    for (const auto& f : files) {
        Recording r;
        r.file = f.filename().string();
        std::ifstream in(f);
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind("1.3.6.1.2.1.43.5.1.1.17.1|4|", 0) == 0) r.serial = line.substr(28);
            if (line.rfind("1.3.6.1.2.1.43.10.2.1.4.1.1|65|", 0) == 0) {
                r.total = std::stoll(line.substr(31));
            }
        }
        out.push_back(r);
    }
    return out;
}

/// Polls `pred` every 100 ms until it holds or `timeout` passes; returns the last result.
/// Rationale: integration tests wait on real events (SNMP answers, rows); the wait is bounded.
/// The bound is generous because CI runs the ASan suite two tests at a time on two cores: a
/// service that polls every second then needed more than 30 s for three readings per printer
/// (once, 2026-12-05). Most predicates open a database connection, so they are not asked
/// more often than every 100 ms.
inline bool wait_until(const std::function<bool()>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (pred()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

inline long long query_count(const std::string& conninfo, const std::string& sql) {
    pqxx::connection c(conninfo);
    pqxx::work tx(c);
    return tx.exec(sql)[0][0].as<long long>();
}

inline std::map<std::string, std::string> query_map(const std::string& conninfo,
                                                    const std::string& sql) {
    pqxx::connection c(conninfo);
    pqxx::work tx(c);
    std::map<std::string, std::string> out;
    for (const auto& r : tx.exec(sql)) {
        out[r[0].as<std::string>()] = r[1].is_null() ? "" : r[1].as<std::string>();
    }
    return out;
}

}  // namespace printmon::test
