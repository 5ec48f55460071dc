// Online delivery against a real HTTPS cloud on loopback and a real PostgreSQL: every reading
// arrives exactly once, whatever fails in between. Rows are counted on both sides.
#include <catch2/catch.hpp>
#include <future>
#include <optional>
#include <sstream>
#include <thread>

#include <spdlog/sinks/ostream_sink.h>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "app/service.hpp"
#include "net_test_support.hpp"
#include "outbox/outbox.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/proto/time.hpp"
#include "uploader_support.hpp"

using namespace printmon;
using namespace printmon::uploader;
using namespace printmon::uploader::test;
using net::test::TestPki;

namespace {

const common::SystemClock kClock;

ServiceOptions options_for(const BranchDb& db, const TestPki& pki) {
    ServiceOptions o;
    o.conninfo = db.conninfo();
    o.transport.ca_file = pki.ca();
    o.transport.connect_timeout = 3s;
    o.transport.request_timeout = 10s;
    o.backoff_initial = 20ms;
    o.backoff_max = 100ms;
    o.notify_delay = 0ms;
    return o;
}

/// Everything the given loggers write, for checks on what is (not) logged.
struct LogCapture {
    std::ostringstream text;
    std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink =
        std::make_shared<spdlog::sinks::ostream_sink_mt>(text);
    std::vector<std::shared_ptr<spdlog::logger>> loggers;
    LogCapture() {
        for (const char* name : {"uploader", "uploader.outbox", "uploader.export"}) {
            auto logger = common::get_logger(name);
            logger->sinks().push_back(sink);
            logger->set_level(spdlog::level::debug);
            loggers.push_back(logger);
        }
    }
    ~LogCapture() {
        for (auto& logger : loggers) {
            auto& sinks = logger->sinks();
            sinks.erase(std::remove(sinks.begin(), sinks.end(), sink), sinks.end());
        }
    }
    std::string str() const { return text.str(); }
};

/// Every inserted reading is at the cloud exactly once and marked sent at the branch.
void check_exactly_once(BranchDb& db, CloudStore& cloud, const std::vector<std::string>& ids) {
    std::lock_guard lock(cloud.mutex);
    CHECK(cloud.readings.size() == ids.size());
    CHECK(cloud.readings_stored == ids.size());
    CHECK(cloud.readings_duplicate == 0);
    for (const auto& id : ids) CHECK(cloud.readings.count(id) == 1);
    CHECK(db.unsent_readings() == 0);
    CHECK(db.sent_readings() == static_cast<long long>(ids.size()));
    CHECK(db.batches("pending") == 0);
}

}  // namespace

TEST_CASE("happy path: rows become batches, arrive once, are marked sent",
          "[uploader][integration]") {
    const TestPki pki;
    auto store = std::make_shared<CloudStore>();
    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    BranchDb db;
    db.configure(cloud.url());
    const auto d1 = db.add_device("10.0.0.7");
    const auto d2 = db.add_device("10.0.0.8");
    auto ids = db.add_readings(d1, 700);
    const auto more = db.add_readings(d2, 350);
    ids.insert(ids.end(), more.begin(), more.end());
    const auto events = db.add_events(d2, 12);

    Service service(options_for(db, pki), kClock);
    const auto result = service.run_cycle();
    CHECK(result.outcome == CycleOutcome::kIdle);
    CHECK(result.batches_sent == 3);  // 1050 readings, at most 500 per batch
    CHECK(result.duplicates == 0);
    check_exactly_once(db, *store, ids);
    CHECK(store->events.size() == events.size());
    CHECK(db.scalar("SELECT count(*) FROM events WHERE sent_at IS NULL") == 0);
    CHECK(db.batches("sent") == 3);
    CHECK(
        db.scalar("SELECT max(n) FROM (SELECT count(*) AS n FROM readings GROUP BY batch_id) c") ==
        500);
    // The key was sent as a bearer token on every request.
    for (const auto& auth : store->authorizations) CHECK(auth == std::string("Bearer ") + kKey);
    // The scanner UI's view.
    CHECK(db.scalar("SELECT count(*) FROM uploader_status WHERE last_success_at IS NOT NULL AND "
                    "last_error IS NULL AND queue_length = 0") == 1);
    // Each batch told the cloud what it left behind (the first one took all 12 events).
    {
        std::lock_guard lock(store->mutex);
        REQUIRE(store->outboxes.size() == 3);
        const long long left[] = {550, 50, 0};
        for (std::size_t i = 0; i < 3; ++i) {
            INFO(i);
            REQUIRE(store->outboxes[i].second.has_value());
            const auto& outbox = *store->outboxes[i].second;
            CHECK(outbox.pending_readings == left[i]);
            CHECK(outbox.pending_events == 0);
            CHECK(outbox.oldest_pending_at.has_value() == (left[i] > 0));
        }
    }

    SECTION("nothing new: the next cycle sends nothing") {
        const auto again = service.run_cycle();
        CHECK(again.outcome == CycleOutcome::kIdle);
        CHECK(again.batches_sent == 0);
        CHECK(store->requests == 3);
    }
}

TEST_CASE("two outboxes claiming at once never take the same rows", "[uploader][integration]") {
    BranchDb db;
    const auto device = db.add_device("10.0.0.7");
    const auto ids = db.add_readings(device, 2000);
    const auto claim_all = [&] {
        auto conn = db.connect();
        OutboxOptions options;
        options.max_readings_per_batch = 50;
        Outbox outbox(conn, options, kClock);
        std::size_t n = 0;
        while (outbox.claim_batch()) ++n;
        return n;
    };
    auto a = std::async(std::launch::async, claim_all);
    auto b = std::async(std::launch::async, claim_all);
    const auto batches = a.get() + b.get();
    CHECK(batches == 40);
    CHECK(db.scalar("SELECT count(*) FROM readings WHERE batch_id IS NULL") == 0);
    // Overwritten stamps would leave some batches empty or over-full.
    CHECK(db.scalar("SELECT count(*) FROM upload_batches b WHERE (SELECT count(*) FROM readings r "
                    "WHERE r.batch_id = b.batch_id) <> 50") == 0);
}

TEST_CASE("cloud down for a while, then back: retried, nothing lost", "[uploader][integration]") {
    const TestPki pki;
    auto store = std::make_shared<CloudStore>();
    BranchDb db;
    const net::test::ClosedPort closed;
    db.configure("https://127.0.0.1:" + std::to_string(closed.port()));
    const auto ids = db.add_readings(db.add_device("10.0.0.7"), 120);
    Service service(options_for(db, pki), kClock);

    for (int i = 0; i < 3; ++i) {
        const auto down = service.run_cycle();
        CHECK(down.outcome == CycleOutcome::kFailed);
        CHECK(down.error.find("connect") != std::string::npos);
    }
    // One batch, fixed before the first attempt, retried with the same id.
    CHECK(db.batches("pending") == 1);
    CHECK(db.scalar("SELECT attempts FROM upload_batches") == 3);
    CHECK(db.unsent_readings() == 120);
    CHECK(db.scalar("SELECT count(*) FROM uploader_status WHERE last_error LIKE '%connect%' AND "
                    "queue_length = 120 AND last_success_at IS NULL") == 1);
    const auto batch_id = db.scalar("SELECT count(DISTINCT batch_id) FROM readings");
    CHECK(batch_id == 1);

    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    db.configure(cloud.url());
    const auto up = service.run_cycle();
    CHECK(up.outcome == CycleOutcome::kIdle);
    CHECK(up.batches_sent == 1);
    check_exactly_once(db, *store, ids);
}

TEST_CASE("the run loop backs off while the cloud is down and delivers when it is back",
          "[uploader][integration]") {
    const TestPki pki;
    auto store = std::make_shared<CloudStore>();
    BranchDb db;
    store->force_status = 500;
    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    db.configure(cloud.url());
    const auto ids = db.add_readings(db.add_device("10.0.0.7"), 40);
    auto options = options_for(db, pki);
    options.period = 60s;  // only the backoff can bring the retries
    Service service(options, kClock);
    std::thread runner([&] { service.run(); });
    CHECK(store->wait_for([&] { return store->requests >= 3; }));
    {
        std::lock_guard lock(store->mutex);
        store->force_status.reset();
    }
    CHECK(eventually([&] { return db.unsent_readings() == 0; }));
    service.request_stop();
    runner.join();
    check_exactly_once(db, *store, ids);
    CHECK(store->posts_per_batch.size() == 1);
    CHECK(store->posts_per_batch.begin()->second >= 4);  // the same batch_id every time
}

TEST_CASE("cloud killed mid-request: resent with the same batch_id, deduplicated",
          "[uploader][integration]") {
    const TestPki pki;
    auto store = std::make_shared<CloudStore>();
    BranchDb db;
    const auto ids = db.add_readings(db.add_device("10.0.0.7"), 30);
    Service service(options_for(db, pki), kClock);
    {
        store->hold_after_store = true;
        TestCloud cloud(pki.server_cert(), pki.server_key(), store);
        db.configure(cloud.url());
        auto cycle = std::async(std::launch::async, [&] { return service.run_cycle(); });
        // The cloud read the body and committed, but dies before answering.
        REQUIRE(store->wait_for([&] { return store->held == 1; }));
        std::thread killer([&] { cloud.stop(100ms); });
        const auto result = cycle.get();
        CHECK(result.outcome == CycleOutcome::kFailed);
        store->release();
        killer.join();
    }
    CHECK(db.unsent_readings() == 30);
    CHECK(db.batches("pending") == 1);
    store->hold_after_store = false;
    TestCloud restarted(pki.server_cert(), pki.server_key(), store);
    db.configure(restarted.url());
    const auto result = service.run_cycle();
    CHECK(result.outcome == CycleOutcome::kIdle);
    CHECK(result.duplicates == 1);
    CHECK(store->duplicate_answers == 1);
    CHECK(store->posts_per_batch.size() == 1);
    check_exactly_once(db, *store, ids);
}

TEST_CASE("413: the batch is split until it fits", "[uploader][integration]") {
    const TestPki pki;
    auto store = std::make_shared<CloudStore>();
    // A reading is ~700 bytes of JSON: the cap fits about 8 of them.
    TestCloud cloud(pki.server_cert(), pki.server_key(), store, 6000);
    BranchDb db;
    db.configure(cloud.url());
    const auto ids = db.add_readings(db.add_device("10.0.0.7"), 40);
    auto options = options_for(db, pki);
    options.transport.gzip_level = 1;
    // The cap applies to the compressed body too: make it bite on the inflated size by
    // sending many readings.
    Service service(options, kClock);
    const auto result = service.run_cycle();
    CHECK(result.outcome == CycleOutcome::kIdle);
    CHECK(result.splits >= 2);
    CHECK(result.quarantined == 0);
    check_exactly_once(db, *store, ids);
    CHECK(db.batches("sent") >= 5);
}

TEST_CASE("400: the batch is quarantined with the cloud's message, the others go on",
          "[uploader][integration]") {
    const TestPki pki;
    auto store = std::make_shared<CloudStore>();
    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    BranchDb db;
    db.configure(cloud.url());
    const auto ids = db.add_readings(db.add_device("10.0.0.7"), 15);
    store->reject_readings.insert(ids[7]);  // in the second batch of 5
    auto options = options_for(db, pki);
    options.outbox.max_readings_per_batch = 5;
    Service service(options, kClock);
    const auto result = service.run_cycle();
    CHECK(result.outcome == CycleOutcome::kIdle);
    CHECK(result.batches_sent == 2);
    CHECK(result.quarantined == 1);
    CHECK(db.batches("quarantined") == 1);
    CHECK(db.scalar("SELECT count(*) FROM upload_batches WHERE state = 'quarantined' AND "
                    "last_error LIKE '%/readings/2/snapshot/counters/total: must be >= 0%'") == 1);
    CHECK(db.unsent_readings() == 5);
    CHECK(store->readings.size() == 10);
    // Never retried automatically; not counted as queued.
    const auto again = service.run_cycle();
    CHECK(again.batches_sent == 0);
    CHECK(store->requests == 3);
    CHECK(db.scalar("SELECT queue_length FROM uploader_status") == 0);
}

TEST_CASE("401/403: batches stay pending, the key is never logged", "[uploader][integration]") {
    const TestPki pki;
    auto store = std::make_shared<CloudStore>();
    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    BranchDb db;
    const auto ids = db.add_readings(db.add_device("10.0.0.7"), 10);
    LogCapture logs;
    Service service(options_for(db, pki), kClock);

    SECTION("unknown key: 401") {
        db.configure(cloud.url(), "pmk.0b8e7f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b.WRONGsecretWRONG");
        const auto result = service.run_cycle();
        CHECK(result.outcome == CycleOutcome::kUnauthorized);
        CHECK(result.error.find("401") != std::string::npos);
        CHECK(logs.str().find("WRONGsecret") == std::string::npos);
        CHECK(logs.str().find("pmk.0b8e7f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b.WRON…") !=
              std::string::npos);
    }
    SECTION("revoked key: 403") {
        store->revoked = true;
        db.configure(cloud.url());
        const auto result = service.run_cycle();
        CHECK(result.outcome == CycleOutcome::kUnauthorized);
        CHECK(result.error.find("403") != std::string::npos);
        CHECK(logs.str().find("event=cloud_unauthorized") != std::string::npos);
        CHECK(logs.str().find(kKey) == std::string::npos);
    }
    CHECK(db.batches("pending") == 1);
    CHECK(db.unsent_readings() == 10);
    CHECK(store->readings.empty());
    // Fixed: the same batch goes through.
    store->revoked = false;
    db.configure(cloud.url());
    CHECK(service.run_cycle().outcome == CycleOutcome::kIdle);
    check_exactly_once(db, *store, ids);
}

TEST_CASE("503 hands back the cloud's Retry-After", "[uploader][integration]") {
    const TestPki pki;
    auto store = std::make_shared<CloudStore>();
    store->force_status = 503;
    store->retry_after = "7";
    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    BranchDb db;
    db.configure(cloud.url());
    db.add_readings(db.add_device("10.0.0.7"), 3);
    Service service(options_for(db, pki), kClock);
    const auto result = service.run_cycle();
    CHECK(result.outcome == CycleOutcome::kOverloaded);
    REQUIRE(result.retry_after);
    CHECK(*result.retry_after == 7s);
    CHECK(db.batches("pending") == 1);
}

TEST_CASE("a reply nested 100,000 deep is refused, not parsed into a stack overflow",
          "[uploader][integration]") {
    // Issue 14: whatever answers at cloud_url chooses the reply; RapidJSON's recursive parser
    // crashed the uploader on this one.
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const std::string deep_object = "{\"status\":\"stored\",\"x\":" + deep + "}";
    const TestPki pki;
    auto store = std::make_shared<CloudStore>();
    store->force_status = 503;
    store->retry_after = "3";
    store->force_body = deep;
    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    BranchDb db;
    db.configure(cloud.url());
    db.add_readings(db.add_device("10.0.0.7"), 3);
    Service service(options_for(db, pki), kClock);

    // 503: still overloaded, the batch waits.
    auto result = service.run_cycle();
    CHECK(result.outcome == CycleOutcome::kOverloaded);
    CHECK(db.batches("pending") == 1);

    // 400: quarantined with a message saying the reply was not an answer.
    {
        std::lock_guard lock(store->mutex);
        store->force_status = 400;
        store->retry_after.clear();
    }
    result = service.run_cycle();
    CHECK(result.quarantined == 1);
    CHECK(db.scalar("SELECT count(*) FROM upload_batches WHERE state = 'quarantined' AND "
                    "last_error LIKE '%nesting deeper than 64 levels%'") == 1);

    // 200 means stored whatever the body says (the contract): the next batch is marked sent.
    db.add_readings(db.add_device("10.0.0.8"), 2);
    {
        std::lock_guard lock(store->mutex);
        store->force_status = 200;
        store->force_body = deep_object;
    }
    result = service.run_cycle();
    CHECK(result.outcome == CycleOutcome::kIdle);
    CHECK(result.batches_sent == 1);
    CHECK(db.batches("sent") == 1);
}

TEST_CASE("TLS failures are refused and logged without the key", "[uploader][integration]") {
    auto store = std::make_shared<CloudStore>();
    BranchDb db;
    db.add_readings(db.add_device("10.0.0.7"), 5);
    LogCapture logs;

    SECTION("a server certificate from another CA") {
        const TestPki pki;
        const TestPki other;
        TestCloud cloud(other.server_cert(), other.server_key(), store);
        db.configure(cloud.url());
        Service service(options_for(db, pki), kClock);
        const auto result = service.run_cycle();
        CHECK(result.outcome == CycleOutcome::kFailed);
        CHECK(result.error.find("certificate verification") != std::string::npos);
    }
    SECTION("a certificate for another host name") {
        const TestPki pki("DNS:cloud.example.com");
        TestCloud cloud(pki.server_cert(), pki.server_key(), store);
        db.configure(cloud.url());
        Service service(options_for(db, pki), kClock);
        const auto result = service.run_cycle();
        CHECK(result.outcome == CycleOutcome::kFailed);
        CHECK(result.error.find("tls") != std::string::npos);
    }
    CHECK(store->requests == 0);
    CHECK(db.unsent_readings() == 5);
    CHECK(db.batches("pending") == 1);
    const auto text = logs.str();
    CHECK(text.find("event=cloud_offline") != std::string::npos);
    CHECK(text.find("c2VjcmV0") == std::string::npos);
    CHECK(text.find(kKey) == std::string::npos);
    CHECK(db.scalar("SELECT count(*) FROM uploader_status WHERE last_error LIKE '%tls%'") == 1);
}

TEST_CASE("through an HTTP CONNECT proxy", "[uploader][integration]") {
    const TestPki pki;
    auto store = std::make_shared<CloudStore>();
    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    net::test::ConnectProxy proxy({cloud.port()});
    BranchDb db;
    db.configure(cloud.url());
    const auto ids = db.add_readings(db.add_device("10.0.0.7"), 25);
    auto options = options_for(db, pki);
    options.transport.proxy = proxy.url();
    Service service(options, kClock);
    CHECK(service.run_cycle().outcome == CycleOutcome::kIdle);
    check_exactly_once(db, *store, ids);
    REQUIRE(proxy.targets().size() == 1);
    CHECK(proxy.targets()[0] == "127.0.0.1:" + std::to_string(cloud.port()));
}

TEST_CASE("NOTIFY printmon_outbox wakes the uploader well before the period",
          "[uploader][integration]") {
    const TestPki pki;
    auto store = std::make_shared<CloudStore>();
    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    BranchDb db;
    db.configure(cloud.url());
    const auto device = db.add_device("10.0.0.7");
    auto options = options_for(db, pki);
    options.period = 600s;
    options.notify_delay = 50ms;
    Service service(options, kClock);
    std::thread runner([&] { service.run(); });
    // The first drain runs at start (nothing to send); then only a notification can wake it.
    REQUIRE(eventually([&] { return service.cycles() == 1; }));
    // Give the LISTEN connection time to exist: it is opened when the loop starts waiting.
    REQUIRE(eventually([&] {
        return db.scalar(
                   "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND "
                   "datname = current_database()") >= 1;
    }));
    const auto started = std::chrono::steady_clock::now();
    const auto ids = db.add_readings(device, 3, /*notify=*/true);
    CHECK(store->wait_for([&] { return store->readings.size() == 3; }, 10s));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(elapsed < 5s);
    CHECK(eventually([&] { return db.unsent_readings() == 0; }));
    service.request_stop();
    runner.join();
    CHECK(service.cycles() == 2);
    check_exactly_once(db, *store, ids);
}

TEST_CASE("not configured: nothing is claimed or sent, the UI is told", "[uploader][integration]") {
    const TestPki pki;
    BranchDb db;
    db.add_readings(db.add_device("10.0.0.7"), 5);
    Service service(options_for(db, pki), kClock);
    const auto result = service.run_cycle();
    CHECK(result.outcome == CycleOutcome::kNotConfigured);
    CHECK(db.scalar("SELECT count(*) FROM upload_batches") == 0);
    CHECK(db.scalar("SELECT count(*) FROM uploader_status WHERE last_error LIKE 'not configured%' "
                    "AND queue_length = 5") == 1);
}

namespace {

/// The backlog a batch should report, computed independently of the outbox's statement: unsent
/// rows outside `batch_id` and outside quarantined batches, and the oldest such polled_at.
struct Expected {
    long long readings = 0;
    long long events = 0;
    std::optional<std::chrono::system_clock::time_point> oldest;
};

Expected unsent_besides(db::Connection& conn, const std::string& batch_id) {
    pqxx::work tx(conn.raw());
    const char* outside =
        "sent_at IS NULL AND batch_id IS DISTINCT FROM $1::uuid AND NOT EXISTS (SELECT 1 FROM "
        "upload_batches b WHERE b.batch_id = t.batch_id AND b.state = 'quarantined')";
    Expected out;
    out.readings = tx.exec_params1(std::string("SELECT count(*) FROM readings t WHERE ") + outside,
                                   batch_id)[0]
                       .as<long long>();
    out.events =
        tx.exec_params1(std::string("SELECT count(*) FROM events t WHERE ") + outside, batch_id)[0]
            .as<long long>();
    const auto oldest = tx.exec_params1(
        std::string("SELECT extract(epoch FROM min(polled_at))::bigint FROM readings t WHERE ") +
            outside,
        batch_id);
    if (!oldest[0].is_null()) {
        out.oldest =
            std::chrono::system_clock::time_point(std::chrono::seconds(oldest[0].as<long long>()));
    }
    return out;
}

std::optional<std::chrono::system_clock::time_point> oldest_of(const proto::OutboxBacklog& b) {
    if (!b.oldest_pending_at) return std::nullopt;
    auto parsed = proto::parse_rfc3339(*b.oldest_pending_at);
    REQUIRE(parsed);
    return *parsed;
}

}  // namespace

TEST_CASE("every batch reports the rows it leaves unsent, as of each attempt",
          "[uploader][integration][outbox]") {
    BranchDb db;
    const auto device = db.add_device("10.0.0.7");
    const auto start =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - 24h;
    db.add_readings(device, 12, false, start);  // 1 s apart
    db.add_events(device, 8);
    auto conn = db.connect();
    auto check_conn = db.connect();
    OutboxOptions options;
    options.max_readings_per_batch = 5;  // also 5 events a batch
    Outbox outbox(conn, options, kClock);

    struct Seen {
        std::size_t readings = 0, events = 0;
        proto::OutboxBacklog outbox;
    };
    std::vector<Seen> seen;
    // What the "cloud" answers to the successive attempts.
    std::vector<Disposition> answers = {Disposition::kQuarantine, Disposition::kSent,
                                        Disposition::kKeepPending, Disposition::kSent,
                                        Disposition::kSent};
    std::size_t attempt = 0;
    const auto send = [&](const proto::Batch& batch) {
        REQUIRE(batch.outbox.has_value());
        seen.push_back({batch.readings.size(), batch.events.size(), *batch.outbox});
        // The figures agree with the rows, counted another way, at the moment of sending.
        const auto expected = unsent_besides(check_conn, batch.batch_id);
        CHECK(batch.outbox->pending_readings == expected.readings);
        CHECK(batch.outbox->pending_events == expected.events);
        CHECK(oldest_of(*batch.outbox) == expected.oldest);
        REQUIRE(attempt < answers.size());
        return AttemptResult{answers[attempt++], "test"};
    };
    const auto next = [&] {
        for (int i = 0; i < 3; ++i) {  // a pending batch, else claim one
            if (outbox.process_next(kScannerId, send).attempted) return true;
            if (!outbox.claim_batch()) return false;
        }
        FAIL("claimed a batch that process_next did not find");
        return false;
    };

    // A: readings 0-4 and events 0-4, leaving readings 5-11 and events 5-7; quarantined.
    REQUIRE(next());
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].readings == 5);
    CHECK(seen[0].events == 5);
    CHECK(seen[0].outbox.pending_readings == 7);
    CHECK(seen[0].outbox.pending_events == 3);
    CHECK(oldest_of(seen[0].outbox) == start + 5s);
    // B: readings 5-9 and events 5-7. A's rows are parked, not pending: 2 readings are left.
    REQUIRE(next());
    CHECK(seen[1].readings == 5);
    CHECK(seen[1].events == 3);
    CHECK(seen[1].outbox.pending_readings == 2);
    CHECK(seen[1].outbox.pending_events == 0);
    CHECK(oldest_of(seen[1].outbox) == start + 10s);
    // C: readings 10-11, nothing behind it; the attempt fails.
    REQUIRE(next());
    CHECK(seen[2].readings == 2);
    CHECK(seen[2].outbox == proto::OutboxBacklog{0, 0, std::nullopt});
    // New rows arrive before the retry of C: the retry reports them.
    db.add_readings(device, 3, false, start + 100s);
    db.add_events(device, 1);
    REQUIRE(next());
    CHECK(seen[3].readings == 2);
    CHECK(seen[3].outbox.pending_readings == 3);
    CHECK(seen[3].outbox.pending_events == 1);
    CHECK(oldest_of(seen[3].outbox) == start + 100s);
    // D: the new rows; the queue is empty behind it.
    REQUIRE(next());
    CHECK(seen[4].readings == 3);
    CHECK(seen[4].events == 1);
    CHECK(seen[4].outbox == proto::OutboxBacklog{0, 0, std::nullopt});
    CHECK_FALSE(next());
    CHECK(attempt == answers.size());
    // The uploader's own queue length agrees: only the quarantined rows are unsent.
    CHECK(outbox.queue_counts().unsent_rows == 0);
    CHECK(db.unsent_readings() == 5);
}
