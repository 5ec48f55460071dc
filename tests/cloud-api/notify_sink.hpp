#pragma once
// The notification receivers of tests/cloud-api/notify_sinks.py (a real SMTP server, a webhook
// receiver) in a child process on loopback, stopped by its PID; and a temporary folder for
// what they receive. Shared by the alerts and password reset tests.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "spawn.hpp"
#include "state.hpp"

namespace printmon::cloud::test {

/// A folder under the system's temporary directory, removed with everything in it.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "printmon-notify.XXXXXX").string();
        path = mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

/// notify_sinks.py in a child process, stopped by its PID.
struct Sink {
    pid_t pid = -1;
    std::uint16_t port = 0;
    std::filesystem::path out;
    Sink(const std::filesystem::path& dir, std::vector<std::string> args) : out(dir) {
        const auto script = printmon::test::source_dir() + "/tests/cloud-api/notify_sinks.py";
        const auto port_file = dir / "port";
        args.insert(args.begin() + 1, port_file.string());
        args.insert(args.begin() + 2, dir.string());
        // Debian's interpreter: python3-aiosmtpd is installed for it, not for a pyenv one.
        args.insert(args.begin(), {"/usr/bin/python3", script});
        pid = printmon::test::spawn(args);
        for (int i = 0; i < 200 && !std::filesystem::exists(port_file); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));  // bounded startup wait
        }
        REQUIRE(std::filesystem::exists(port_file));
        std::ifstream in(port_file);
        int p = 0;
        in >> p;
        port = static_cast<std::uint16_t>(p);
    }
    ~Sink() {
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
        }
    }
    /// mail-*.json, in order.
    std::vector<rapidjson::Document> mails() const {
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(out)) {
            const auto name = e.path().filename().string();
            if (name.rfind("mail-", 0) == 0 && e.path().extension() == ".json") {
                files.push_back(e.path());
            }
        }
        std::sort(files.begin(), files.end());
        std::vector<rapidjson::Document> docs;
        for (const auto& f : files) {
            std::ifstream in(f);
            std::stringstream text;
            text << in.rdbuf();
            rapidjson::Document d;
            d.Parse(text.str().c_str());
            docs.push_back(std::move(d));
        }
        return docs;
    }
    std::vector<rapidjson::Document> requests() const {
        std::vector<rapidjson::Document> docs;
        std::ifstream in(out / "requests.jsonl");
        std::string line;
        while (std::getline(in, line)) {
            rapidjson::Document d;
            d.Parse(line.c_str());
            docs.push_back(std::move(d));
        }
        return docs;
    }
};

}  // namespace printmon::cloud::test
