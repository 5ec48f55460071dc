#include "uploader_support.hpp"

#include <thread>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "printmon/db/migrator.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "state.hpp"

namespace printmon::uploader::test {
namespace {

std::string ts(std::chrono::system_clock::time_point tp) {
    return proto::format_rfc3339(tp, proto::TimePrecision::milliseconds);
}

std::string ingest_answer(const std::string& batch_id, bool duplicate, std::size_t stored,
                          std::size_t dup, std::size_t events_stored, std::size_t events_dup) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("batch_id");
    w.String(batch_id.c_str());
    w.Key("status");
    w.String(duplicate ? "duplicate" : "stored");
    w.Key("readings_stored");
    w.Uint64(stored);
    w.Key("readings_duplicate");
    w.Uint64(dup);
    w.Key("events_stored");
    w.Uint64(events_stored);
    w.Key("events_duplicate");
    w.Uint64(events_dup);
    w.EndObject();
    return sb.GetString();
}

}  // namespace

BranchDb::BranchDb() {
    auto conn = db_.connect();
    db::Migrator(conn.raw(),
                 std::filesystem::path(printmon::test::source_dir()) / "scanner" / "migrations")
        .run();
}

std::string BranchDb::add_device(const std::string& address) {
    auto conn = db_.connect();
    const std::string id = proto::new_uuid();
    db::with_transaction(conn, [&](pqxx::work& tx) {
        tx.exec_params(
            "INSERT INTO devices (device_id, address, vendor, model, serial, mac, sys_object_id, "
            "first_seen, last_seen, status) VALUES ($1, $2, 'HP', 'LaserJet M607', $3, "
            "'00:11:22:33:44:55', '.1.3.6.1.4.1.11.2.3.9.1', now(), now(), 'online')",
            id, address, "SN-" + id.substr(0, 8));
    });
    return id;
}

std::vector<std::string> BranchDb::add_readings(const std::string& device_id, std::size_t n,
                                                bool notify,
                                                std::chrono::system_clock::time_point start) {
    if (start == std::chrono::system_clock::time_point{}) {
        start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - 24h;
    }
    auto conn = db_.connect();
    std::vector<std::string> ids;
    db::with_transaction(conn, [&](pqxx::work& tx) {
        for (std::size_t i = 0; i < n; ++i) {
            const auto at = start + std::chrono::seconds(i);
            const auto total = static_cast<std::int64_t>(1000 + i);
            const std::string id = proto::new_uuid();
            tx.exec_params(
                "INSERT INTO readings (reading_id, device_id, polled_at, snapshot, total) "
                "VALUES ($1, $2, $3, $4::jsonb, $5)",
                id, device_id, ts(at), proto::to_json(sample_snapshot("10.0.0.7", at, total)),
                total);
            ids.push_back(id);
        }
        if (notify) tx.exec("SELECT pg_notify('printmon_outbox', 'readings')");
    });
    return ids;
}

std::vector<std::string> BranchDb::add_events(const std::string& device_id, std::size_t n) {
    auto conn = db_.connect();
    std::vector<std::string> ids;
    db::with_transaction(conn, [&](pqxx::work& tx) {
        for (std::size_t i = 0; i < n; ++i) {
            const std::string id = proto::new_uuid();
            tx.exec_params(
                "INSERT INTO events (event_id, device_id, at, kind, code, action, detail) "
                "VALUES ($1, $2, now() - interval '1 hour' + $3 * interval '1 second', 'error', "
                "'jammed', $4, 'tray 2')",
                id, device_id, static_cast<int>(i), i % 2 == 0 ? "appeared" : "cleared");
            ids.push_back(id);
        }
    });
    return ids;
}

void BranchDb::set_setting(const std::string& key, const std::string& value) {
    auto conn = db_.connect();
    db::with_transaction(conn, [&](pqxx::work& tx) {
        tx.exec_params(
            "INSERT INTO settings (key, value) VALUES ($1, to_jsonb($2::text)) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            key, value);
    });
}

void BranchDb::configure(const std::string& url, const std::string& key) {
    set_setting("cloud_url", url);
    set_setting("scanner_key", key);
    set_setting("scanner_id", kScannerId);
}

long long BranchDb::scalar(const std::string& sql) {
    auto conn = db_.connect();
    pqxx::nontransaction tx(conn.raw());
    return tx.exec(sql)[0][0].as<long long>();
}

long long BranchDb::batches(const std::string& state) {
    auto conn = db_.connect();
    pqxx::nontransaction tx(conn.raw());
    return tx.exec_params("SELECT count(*) FROM upload_batches WHERE state = $1", state)[0][0]
        .as<long long>();
}

bool CloudStore::store(const proto::Batch& batch) {
    if (!batches.insert(batch.batch_id).second) return false;
    for (const auto& r : batch.readings) {
        if (readings.insert(r.reading_id).second) {
            ++readings_stored;
        } else {
            ++readings_duplicate;
        }
    }
    for (const auto& e : batch.events) events.insert(e.event_id);
    return true;
}

void CloudStore::release() {
    {
        std::lock_guard lock(mutex);
        released = true;
    }
    cv.notify_all();
}

bool CloudStore::wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, timeout, pred);
}

TestCloud::TestCloud(const std::string& cert, const std::string& key,
                     std::shared_ptr<CloudStore> store, std::size_t max_inflated_bytes)
    : store_(std::move(store)) {
    net::Router router;
    net::RouteOptions route;
    route.accept_gzip = true;
    route.max_body_bytes = max_inflated_bytes;
    route.max_inflated_bytes = max_inflated_bytes;
    auto s = store_;
    router.post(
        "/api/v1/ingest",
        [s](net::Request& request) {
            // The key is checked before the body is looked at (the contract).
            const auto auth = request.header("Authorization");
            std::unique_lock lock(s->mutex);
            ++s->requests;
            s->authorizations.emplace_back(auth.value_or(""));
            if (!auth || *auth != "Bearer " + s->key) {
                throw net::HttpError(401, "unauthorized", "unknown scanner key");
            }
            if (s->revoked) throw net::HttpError(403, "forbidden", "scanner key revoked");
            auto batch = proto::parse_batch(request.body);
            if (batch) {
                ++s->posts_per_batch[batch->batch_id];
                s->outboxes.emplace_back(batch->batch_id, batch->outbox);
            }
            if (s->force_status) {
                auto response = net::error_response(*s->force_status, "forced", "test fault");
                if (!s->force_body.empty()) response.body = s->force_body;
                if (!s->retry_after.empty()) response.headers["Retry-After"] = s->retry_after;
                return response;
            }
            if (!batch) throw net::HttpError(400, "invalid_batch", batch.error().message());
            if (batch->scanner_id != s->scanner_id) {
                throw net::HttpError(403, "forbidden", "scanner_id is not the key's");
            }
            for (std::size_t i = 0; i < batch->readings.size(); ++i) {
                if (s->reject_readings.count(batch->readings[i].reading_id) != 0) {
                    throw net::HttpError(
                        400, "invalid_batch",
                        fmt::format("/readings/{}/snapshot/counters/total: must be >= 0", i));
                }
            }
            const std::size_t before_stored = s->readings_stored;
            const std::size_t before_dup = s->readings_duplicate;
            const std::size_t events_before = s->events.size();
            const bool stored = s->store(*batch);
            if (!stored) ++s->duplicate_answers;
            if (s->hold_after_store) {
                // "Committed", but the answer is late: the test kills one side meanwhile.
                ++s->held;
                s->cv.notify_all();
                s->cv.wait_for(lock, 30s, [&] { return s->released; });
            }
            s->cv.notify_all();
            return net::Response::json(
                ingest_answer(batch->batch_id, !stored, s->readings_stored - before_stored,
                              stored ? s->readings_duplicate - before_dup : batch->readings.size(),
                              s->events.size() - events_before, 0));
        },
        route);
    net::ServerOptions options;
    options.tls = net::ServerTlsOptions{cert, key, "", false};
    options.blocking_threads = 4;
    server_ = std::make_unique<net::Server>(options, std::move(router));
    server_->start();
}

TestCloud::~TestCloud() {
    store_->release();
    server_->stop(1s);
}

proto::DeviceSnapshot sample_snapshot(const std::string& address,
                                      std::chrono::system_clock::time_point at,
                                      std::int64_t total) {
    proto::DeviceSnapshot s;
    s.address = address;
    s.polled_at = proto::format_rfc3339(at);
    s.uptime = 86400;
    s.identity.vendor = "HP";
    s.identity.model = "LaserJet M607";
    s.identity.serial = "SN-TEST";
    s.identity.mac = "00:11:22:33:44:55";
    s.identity.sys_descr = "HP ETHERNET MULTI-ENVIRONMENT";
    s.identity.sys_object_id = ".1.3.6.1.4.1.11.2.3.9.1";
    s.counters = {{"total", total}, {"mono", total}, {"duplex", total / 3}};
    proto::Supply toner;
    toner.description = "Black Cartridge HP 37A";
    toner.type = "toner";
    toner.color = "black";
    toner.level_percent = 60;
    toner.state = proto::SupplyState::ok;
    toner.level = 60;
    toner.max = 100;
    toner.unit = "percent";
    toner.source = "printer-mib";
    s.supplies.push_back(toner);
    proto::Tray tray;
    tray.name = "Tray 2";
    tray.description = "Tray 2";
    tray.type = "sheet_feed_auto_removable";
    tray.level = 250;
    tray.max = 500;
    tray.level_percent = 50;
    tray.state = proto::TrayState::ok;
    s.trays.push_back(tray);
    s.status.device = proto::DeviceStatus::running;
    s.status.printer = proto::PrinterStatus::idle;
    s.status.console = "Ready";
    return s;
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return pred();
}

}  // namespace printmon::uploader::test
