#pragma once
// A running cloud-api (HTTPS on 127.0.0.1, ephemeral port, test CA) on a throwaway database,
// plus batch builders and row counters for the ingestion tests.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "net_test_support.hpp"
#include "pg.hpp"
#include "printmon/net/client.hpp"
#include "printmon/proto/snapshot.hpp"

namespace printmon::cloud::test {

inline constexpr const char* kAdminToken = "test-admin-token-0123456789abcdefghijklmnop";

struct ServerSettings {
    std::size_t pool_size = 2;
    std::chrono::milliseconds acquire_timeout{200};
    /// The raw readings' maintenance off: tests that need it run it with their own clock
    /// (storage::maintain_readings); with the real one it would hide their older readings.
    AnalyticsConfig analytics = [] {
        AnalyticsConfig a;
        a.raw_maintenance_interval = std::chrono::seconds(0);
        return a;
    }();
    /// Off unless a test turns it on: alert evaluation on a timer would race the tests that
    /// drive alerts::evaluate with their own clock.
    alerts::NotifyConfig notify = [] {
        alerts::NotifyConfig n;
        n.enabled = false;
        return n;
    }();
    /// [server] proxy_protocol_from: balancers trusted to name the client.
    std::vector<std::string> proxy_protocol_from{};
    /// [server] public_url (links in e-mails; "" = no password reset e-mails).
    std::string public_url{};
    /// Another database than the fixture's throwaway one (a private cluster a test stops, or
    /// another server's database: two replicas on one database).
    std::string conninfo{};
    /// [database] replica_conninfo (reads from it need analytics.max_replica_lag > 0).
    std::string replica_conninfo{};
    /// [secrets] key_file; empty: one key file for every server of the process (as replicas
    /// share theirs).
    std::string secret_key_file{};
    ingest::IngestLimits limits = [] {
        ingest::IngestLimits l;
        // Small enough that the server's lingering close drains an oversized body (<= 1 MiB)
        // and the client reads the 413 instead of a connection reset.
        l.max_body_bytes = std::size_t{256} << 10;
        l.max_inflated_bytes = std::size_t{4} << 20;
        l.import_max_body_bytes = std::size_t{4} << 20;
        l.import_max_inflated_bytes = std::size_t{16} << 20;
        return l;
    }();
};

class CloudServer {
  public:
    explicit CloudServer(ServerSettings settings = {});
    ~CloudServer();

    std::string url(const std::string& path) const;
    App& app() { return *app_; }
    /// The key the server seals channel secrets with (for a sender a test runs itself).
    std::shared_ptr<storage::SecretKeyHolder> secret_key() const { return app_->secret_key(); }
    /// Its key file: another cloud-api on the same database (a replica, the binary) needs it.
    const std::string& secret_key_file() const { return key_file_; }
    const printmon::test::TempDatabase& database() const { return db_; }
    const net::HttpClient& client() const { return client_; }
    std::string ca_file() const { return pki_.ca(); }

    /// Administration through the library (as the CLI does).
    std::string create_tenant(const std::string& name);
    std::string create_scanner(const std::string& tenant_id, const std::string& scanner_id);
    void revoke_scanner(const std::string& tenant_id, const std::string& scanner_id);
    std::string create_token(const std::string& tenant_id);

    /// POST /api/v1/ingest with a Bearer key (none when empty), gzipped unless told otherwise.
    net::ClientResponse ingest(const std::string& key, const std::string& body, bool gzip = true,
                               const std::string& content_type = "application/json");
    net::ClientResponse ingest(const std::string& key, const proto::Batch& batch);
    /// POST /api/v1/import.
    net::ClientResponse import(const std::string& token, const std::string& body,
                               const std::string& query = "");

    /// Rows of `table` (any tenant when tenant_id is empty).
    long long count(const std::string& table, const std::string& tenant_id = "") const;
    /// Rows of every ingestion table, for "nothing stored" checks.
    long long count_all_data() const;
    /// One value of a query with one text parameter ($1).
    std::optional<std::string> query_value(const std::string& sql, const std::string& param) const;

  private:
    printmon::test::TempDatabase db_;
    std::string key_file_;
    /// One test CA and server certificate for every server of the process (the tests that need
    /// a CA of their own make one): each new one is openssl run five times.
    const net::test::TestPki& pki_;
    std::unique_ptr<App> app_;
    net::HttpClient client_;
};

/// The golden batch tests/data/proto/batch.json (2 devices, 3 readings, 2 events).
const proto::Batch& golden_batch();

/// golden_batch() as sent by `scanner_id`, with fresh batch, reading and event ids.
proto::Batch fresh_batch(const std::string& scanner_id);

/// A batch of `readings` readings of the golden devices (distinct polled_at), fresh ids.
proto::Batch big_batch(const std::string& scanner_id, std::size_t readings);

/// The same batch with a new batch_id (its readings and events keep their ids).
proto::Batch rebatched(proto::Batch batch);

}  // namespace printmon::cloud::test
