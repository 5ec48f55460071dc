// The real printmon-uploader binary as a child process: SIGKILL after the cloud stored a batch
// but before the branch marked it (restart -> duplicate -> marked: 0 lost, 0 duplicated), and
// SIGTERM while an attempt is in flight (it finishes; the process exits 0).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "net_test_support.hpp"
#include "printmon/proto/uuid.hpp"
#include "spawn.hpp"
#include "uploader_support.hpp"

namespace fs = std::filesystem;
using namespace printmon;
using namespace printmon::uploader::test;

namespace {

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("printmon-uploader-" + proto::new_uuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

/// A running printmon-uploader; killed (SIGKILL) if the test did not stop it.
class Child {
  public:
    Child(const fs::path& config, const fs::path& log) {
        // The key only in the environment: the database holds none.
        pid_ = test::spawn({PRINTMON_UPLOADER_BINARY, "run", "--config", config.string()},
                           {log, true, false, {std::string("PRINTMON_SCANNER_KEY=") + kKey}});
        REQUIRE(pid_ > 0);
    }
    ~Child() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    void signal(int signo) const { kill(pid_, signo); }
    /// Exit status, or -1 when it did not exit within `timeout`.
    int wait_exit(std::chrono::milliseconds timeout) {
        int status = 0;
        if (!eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout)) {
            return -1;
        }
        pid_ = -1;
        if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
        return WEXITSTATUS(status);
    }

  private:
    pid_t pid_ = -1;
};

fs::path write_config(const fs::path& dir, const BranchDb& db, const std::string& ca) {
    const auto path = dir / "uploader.toml";
    std::ofstream out(path);
    out << "log_level = \"debug\"\n[database]\nconninfo = \"" << db.conninfo() << "\"\n"
        << "[cloud]\nca_file = \"" << ca << "\"\n"
        << "[upload]\nperiod_s = 1\nnotify_delay_ms = 0\nbackoff_initial_ms = 50\n"
        << "backoff_max_ms = 200\n";
    return path;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("SIGKILL after the cloud stored, before marking: resent, deduplicated, marked",
          "[uploader][integration]") {
    const net::test::TestPki pki;
    auto store = std::make_shared<CloudStore>();
    store->hold_after_store = true;
    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    BranchDb db;
    db.configure(cloud.url(), "");
    const auto ids = db.add_readings(db.add_device("10.0.0.7"), 50);
    TempDir dir;
    const auto config = write_config(dir.path, db, pki.ca());
    const auto log = dir.path / "uploader.log";
    {
        Child first(config, log);
        REQUIRE(store->wait_for([&] { return store->held == 1; }, 20s));
        first.signal(SIGKILL);
        CHECK(first.wait_exit(10s) == 128 + SIGKILL);
    }
    // The cloud has the batch, the branch does not know it.
    CHECK(store->readings.size() == 50);
    CHECK(db.unsent_readings() == 50);
    CHECK(db.batches("pending") == 1);
    {
        std::lock_guard lock(store->mutex);
        store->hold_after_store = false;
    }
    store->release();

    Child second(config, log);
    CHECK(eventually([&] { return db.unsent_readings() == 0; }, 20s));
    second.signal(SIGTERM);
    CHECK(second.wait_exit(10s) == 0);

    std::lock_guard lock(store->mutex);
    CHECK(store->duplicate_answers == 1);
    CHECK(store->posts_per_batch.size() == 1);
    CHECK(store->posts_per_batch.begin()->second == 2);
    CHECK(store->readings_stored == ids.size());
    CHECK(store->readings_duplicate == 0);
    for (const auto& id : ids) CHECK(store->readings.count(id) == 1);
    CHECK(db.sent_readings() == 50);
    CHECK(db.batches("sent") == 1);
    const auto text = read_file(log);
    CHECK(text.find("event=started") != std::string::npos);
    CHECK(text.find(kKey) == std::string::npos);
    CHECK(text.find("c2VjcmV0") == std::string::npos);
}

TEST_CASE("SIGTERM during an attempt: the attempt finishes, exit 0", "[uploader][integration]") {
    const net::test::TestPki pki;
    auto store = std::make_shared<CloudStore>();
    store->hold_after_store = true;
    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    BranchDb db;
    db.configure(cloud.url(), "");
    const auto ids = db.add_readings(db.add_device("10.0.0.7"), 20);
    TempDir dir;
    Child child(write_config(dir.path, db, pki.ca()), dir.path / "uploader.log");
    REQUIRE(store->wait_for([&] { return store->held == 1; }, 20s));
    child.signal(SIGTERM);
    store->release();
    CHECK(child.wait_exit(10s) == 0);
    CHECK(db.unsent_readings() == 0);
    CHECK(store->readings_stored == ids.size());
    CHECK(store->requests == 1);
}

TEST_CASE("a bad config file is a startup error naming the location", "[uploader][integration]") {
    TempDir dir;
    const auto config = dir.path / "bad.toml";
    std::ofstream(config) << "[upload]\nperiod_s = \"soon\"\n";
    const auto log = dir.path / "out.log";
    Child child(config, log);
    CHECK(child.wait_exit(10s) == 78);
    CHECK(read_file(log).find("bad.toml:2:12:") != std::string::npos);
}
