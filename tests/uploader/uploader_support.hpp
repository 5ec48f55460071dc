#pragma once
// Test support for the uploader: a migrated branch database filled by hand, and a real HTTPS
// "cloud" built with printmon::net that implements the ingest contract's statuses
// (/tmp/ingest-contract.md, docs/uploader.md) with a shared store that survives restarts.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "pg.hpp"
#include "printmon/net/server.hpp"
#include "printmon/proto/snapshot.hpp"

namespace printmon::uploader::test {

using namespace std::chrono_literals;

inline constexpr const char* kKey =
    "pmk.0b8e7f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b.c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I";
inline constexpr const char* kScannerId = "5d6c7b8a-9e0f-4a1b-8c2d-3e4f5a6b7c8d";

/// A throwaway database migrated with scanner/migrations, plus row helpers.
class BranchDb {
  public:
    BranchDb();
    const std::string& conninfo() const { return db_.conninfo(); }
    db::Connection connect() const { return db_.connect(); }

    /// Inserts a device; returns its id.
    std::string add_device(const std::string& address);
    /// Inserts `n` readings of `device_id` (polled 1 s apart from `start`), optionally with a
    /// NOTIFY printmon_outbox in the same transaction as the scanner does; returns their ids.
    std::vector<std::string> add_readings(const std::string& device_id, std::size_t n,
                                          bool notify = false,
                                          std::chrono::system_clock::time_point start = {});
    std::vector<std::string> add_events(const std::string& device_id, std::size_t n);
    void set_setting(const std::string& key, const std::string& value);
    void configure(const std::string& url, const std::string& key = kKey);

    long long scalar(const std::string& sql);
    long long unsent_readings() {
        return scalar("SELECT count(*) FROM readings WHERE sent_at IS NULL");
    }
    long long sent_readings() {
        return scalar("SELECT count(*) FROM readings WHERE sent_at IS NOT NULL");
    }
    long long batches(const std::string& state);

  private:
    printmon::test::TempDatabase db_;
};

/// The cloud's side of the contract, shared by successive server instances ("the cloud's
/// database"), with fault switches.
struct CloudStore {
    std::mutex mutex;
    std::condition_variable cv;
    std::string key = kKey;
    std::string scanner_id = kScannerId;
    // What is stored (idempotency keys of the contract).
    std::set<std::string> batches;
    std::set<std::string> readings;
    std::set<std::string> events;
    std::size_t readings_stored = 0;  ///< insertions: equals readings.size() iff no duplicate
    std::size_t readings_duplicate = 0;
    std::size_t requests = 0;
    std::size_t duplicate_answers = 0;
    std::map<std::string, std::size_t> posts_per_batch;  ///< every POST, any answer
    /// (batch_id, outbox member) of every POST that decoded, in arrival order.
    std::vector<std::pair<std::string, std::optional<proto::OutboxBacklog>>> outboxes;
    std::vector<std::string> authorizations;  ///< Authorization headers seen
    // Fault switches.
    std::optional<unsigned> force_status;   ///< answer this for every request
    std::string retry_after;                ///< with 503
    std::string force_body;                 ///< with force_status: this body, not an error
    bool revoked = false;                   ///< 403 for the right key
    std::set<std::string> reject_readings;  ///< 400 for batches holding one of these
    bool hold_after_store = false;          ///< commit, then wait for release()
    std::size_t held = 0;                   ///< requests that reached the hold
    bool released = false;

    /// Stores a batch as ingest would ("stored" or "duplicate"); the import path uses it too.
    bool store(const proto::Batch& batch);
    void release();
    /// Waits until `pred()` (called under the lock) or `timeout`.
    bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s);
};

/// A real HTTPS server on 127.0.0.1:<ephemeral> serving POST /api/v1/ingest from a CloudStore.
class TestCloud {
  public:
    /// `max_inflated_bytes`: the ingest cap (413 above it).
    TestCloud(const std::string& cert, const std::string& key, std::shared_ptr<CloudStore> store,
              std::size_t max_inflated_bytes = std::size_t{8} << 20);
    ~TestCloud();
    std::uint16_t port() const { return server_->port(); }
    std::string url(const std::string& host = "127.0.0.1") const {
        return "https://" + host + ":" + std::to_string(port());
    }
    void stop(std::chrono::milliseconds grace = 2s) { server_->stop(grace); }

  private:
    std::shared_ptr<CloudStore> store_;
    std::unique_ptr<net::Server> server_;
};

/// A valid snapshot of a device (what the scanner stores in readings.snapshot).
proto::DeviceSnapshot sample_snapshot(const std::string& address,
                                      std::chrono::system_clock::time_point at, std::int64_t total);

/// Polls `pred` every 20 ms until true or `timeout`: for conditions another process or thread
/// makes true (the database, a child process), not a sleep standing in for synchronisation.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 15s);

}  // namespace printmon::uploader::test
