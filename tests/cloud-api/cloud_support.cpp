#include "cloud_support.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "printmon/db/connection.hpp"
#include "printmon/db/migrator.hpp"
#include "printmon/net/gzip.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "sim.hpp"
#include "state.hpp"
#include "storage/schema.hpp"
#include "tenancy/tenancy.hpp"

namespace printmon::cloud::test {
namespace {

/// The key file every server of the process shares unless a test names its own.
std::string shared_key_file() {
    static const printmon::test::TempDir dir;
    return (dir.path / "cloud-secret.key").string();
}

CloudConfig config_for(const printmon::test::TempDatabase& db, const net::test::TestPki& pki,
                       const ServerSettings& settings, const std::string& key_file) {
    CloudConfig c;
    c.secret_key_file = key_file;
    c.log_level = "warn";
    c.server.address = "127.0.0.1";
    c.server.port = 0;
    c.server.tls = net::ServerTlsOptions{pki.server_cert(), pki.server_key(), "", false};
    c.server.blocking_threads = 4;
    c.server.proxy_protocol_from = settings.proxy_protocol_from;
    c.database.conninfo = settings.conninfo.empty() ? db.conninfo() : settings.conninfo;
    c.database.replica_conninfo = settings.replica_conninfo;
    c.database.pool_size = settings.pool_size;
    c.database.acquire_timeout = settings.acquire_timeout;
    c.limits = settings.limits;
    c.analytics = settings.analytics;
    c.notify = settings.notify;
    c.public_url = settings.public_url;
    c.auth.admin_token = kAdminToken;
    c.auth.retry_after = std::chrono::seconds(2);
    return c;
}

net::HttpClientOptions client_options(const net::test::TestPki& pki) {
    net::HttpClientOptions o;
    o.ca_file = pki.ca();
    return o;
}

// The cloud schema as a template database (tests/support/pg.hpp), named by a hash of the
// embedded migrations: a server's database is a copy, not 22 migrations applied again.
const std::string& cloud_template() {
    static const std::string name = [] {
        std::string all;
        for (const auto& [file, sql] : storage::embedded_migrations()) {
            all.append(file).push_back('\0');
            all.append(db::sha256_hex(std::string(sql))).push_back('\0');
        }
        return printmon::test::migrated_template(
            "cloud", db::sha256_hex(all).substr(0, 16),
            [](pqxx::connection& conn) { storage::migrate(conn); });
    }();
    return name;
}

const net::test::TestPki& shared_pki() {
    static const net::test::TestPki pki;
    return pki;
}

template <class T>
T unwrap(common::Result<T> r) {
    if (!r) throw std::runtime_error(r.error().message);
    return std::move(*r);
}

}  // namespace

CloudServer::CloudServer(ServerSettings settings)
    : db_(cloud_template()),
      key_file_(settings.secret_key_file.empty() ? shared_key_file() : settings.secret_key_file),
      pki_(shared_pki()),
      app_(std::make_unique<App>(config_for(db_, pki_, settings, key_file_))),
      client_(client_options(pki_)) {
    app_->start();
}

CloudServer::~CloudServer() { app_->stop(std::chrono::seconds(2)); }

std::string CloudServer::url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(app_->port()) + path;
}

std::string CloudServer::create_tenant(const std::string& name) {
    auto lease = app_->pool().acquire();
    return db::with_transaction(*lease,
                                [&](pqxx::work& tx) { return tenancy::create_tenant(tx, name); });
}

std::string CloudServer::create_scanner(const std::string& tenant_id,
                                        const std::string& scanner_id) {
    auto lease = app_->pool().acquire();
    return unwrap(db::with_transaction(*lease, [&](pqxx::work& tx) {
        return tenancy::create_scanner(tx, {tenant_id, scanner_id, "test scanner", "lab"});
    }));
}

void CloudServer::revoke_scanner(const std::string& tenant_id, const std::string& scanner_id) {
    auto lease = app_->pool().acquire();
    auto r = db::with_transaction(
        *lease, [&](pqxx::work& tx) { return tenancy::revoke_scanner(tx, tenant_id, scanner_id); });
    if (!r) throw std::runtime_error(r.error().message);
}

std::string CloudServer::create_token(const std::string& tenant_id) {
    auto lease = app_->pool().acquire();
    return unwrap(db::with_transaction(
        *lease, [&](pqxx::work& tx) { return tenancy::create_api_token(tx, tenant_id, "test"); }));
}

net::ClientResponse CloudServer::ingest(const std::string& key, const std::string& body, bool gzip,
                                        const std::string& content_type) {
    net::Headers headers;
    if (!key.empty()) headers.emplace("Authorization", "Bearer " + key);
    if (!content_type.empty()) headers.emplace("Content-Type", content_type);
    if (gzip) headers.emplace("Content-Encoding", "gzip");
    auto r = client_.post(url("/api/v1/ingest"), gzip ? net::gzip_compress(body) : body, headers);
    if (!r) throw std::runtime_error("request failed: " + r.error().message);
    return *r;
}

net::ClientResponse CloudServer::ingest(const std::string& key, const proto::Batch& batch) {
    return ingest(key, proto::to_json(batch));
}

net::ClientResponse CloudServer::import(const std::string& token, const std::string& body,
                                        const std::string& query) {
    net::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    headers.emplace("Content-Type", "application/json");
    auto r = client_.post(url("/api/v1/import" + query), body, headers);
    if (!r) throw std::runtime_error("request failed: " + r.error().message);
    return *r;
}

long long CloudServer::count(const std::string& table, const std::string& tenant_id) const {
    // Test-only: the table name comes from the test source, never from input.
    auto conn = db_.connect();
    pqxx::work tx(conn.raw());
    const std::string sql = tenant_id.empty()
                                ? "SELECT count(*) FROM " + tx.quote_name(table)
                                : "SELECT count(*) FROM " + tx.quote_name(table) +
                                      " WHERE tenant_id = " + tx.quote(tenant_id) + "::uuid";
    return tx.exec1(sql)[0].as<long long>();
}

long long CloudServer::count_all_data() const {
    long long n = 0;
    for (const char* table : {"batches", "devices", "scanner_devices", "readings", "events"}) {
        n += count(table);
    }
    return n;
}

std::optional<std::string> CloudServer::query_value(const std::string& sql,
                                                    const std::string& param) const {
    auto conn = db_.connect();
    pqxx::work tx(conn.raw());
    const auto r = tx.exec_params(sql, param);
    if (r.empty() || r[0][0].is_null()) return std::nullopt;
    return r[0][0].as<std::string>();
}

const proto::Batch& golden_batch() {
    static const proto::Batch kBatch = [] {
        std::ifstream in(printmon::test::source_dir() + "/tests/data/proto/batch.json");
        std::stringstream text;
        text << in.rdbuf();
        auto batch = proto::parse_batch(text.str());
        if (!batch) throw std::runtime_error("golden batch: " + batch.error().message());
        return *batch;
    }();
    return kBatch;
}

proto::Batch fresh_batch(const std::string& scanner_id) {
    proto::Batch b = golden_batch();
    b.batch_id = proto::new_uuid();
    b.scanner_id = scanner_id;
    for (auto& r : b.readings) r.reading_id = proto::new_uuid();
    for (auto& e : b.events) e.event_id = proto::new_uuid();
    return b;
}

proto::Batch big_batch(const std::string& scanner_id, std::size_t readings) {
    proto::Batch b = fresh_batch(scanner_id);
    const auto base = proto::parse_rfc3339("2026-11-01T00:00:00Z").value();
    std::vector<proto::Reading> out;
    out.reserve(readings);
    for (std::size_t i = 0; i < readings; ++i) {
        proto::Reading r = b.readings[i % b.readings.size()];
        r.reading_id = proto::new_uuid();
        r.snapshot.polled_at = proto::format_rfc3339(base + std::chrono::minutes(i));
        r.snapshot.counters["total"] = static_cast<std::int64_t>(100000 + i);
        out.push_back(std::move(r));
    }
    b.readings = std::move(out);
    return b;
}

proto::Batch rebatched(proto::Batch batch) {
    batch.batch_id = proto::new_uuid();
    return batch;
}

}  // namespace printmon::cloud::test
