// Retention of the branch database (storage/retention.hpp) on a migrated PostgreSQL: what is
// pruned, what is kept (unsent rows always; the last reading of each device and day up to the
// daily age; a device's current reading), that a second pass finds nothing, and that the
// uploader's outbox never loses a row to a pass running beside it.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "outbox/outbox.hpp"
#include "pg.hpp"
#include "printmon/common/clock.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "storage/retention.hpp"
#include "storage/store.hpp"

using namespace std::chrono_literals;
using printmon::scanner::storage::prune_all;
using printmon::scanner::storage::PruneCounts;
using printmon::scanner::storage::PrunePass;
using printmon::scanner::storage::RetentionPolicy;
using printmon::scanner::storage::Store;
using printmon::test::TempDatabase;
using TimePoint = std::chrono::system_clock::time_point;

namespace {

// Midnight UTC, so "hour h of day d" below is exact.
const TimePoint kNow = TimePoint{} + 20000 * 24h;

TimePoint at(std::chrono::hours days_ago, int hour) {
    return kNow - days_ago + std::chrono::hours(hour);
}

/// A snapshot the uploader can decode (it quarantines those it cannot).
std::string snapshot_json(TimePoint polled) {
    printmon::proto::DeviceSnapshot s;
    s.address = "10.0.0.1";
    s.polled_at = printmon::proto::format_rfc3339(polled);
    s.identity.vendor = "HP";
    s.identity.model = "LaserJet";
    s.counters["total"] = 1;
    return printmon::proto::to_json(s);
}

std::string ts(TimePoint tp) {
    return printmon::proto::format_rfc3339(tp, printmon::proto::TimePrecision::milliseconds);
}

RetentionPolicy policy(int batch_size = 3) {
    RetentionPolicy p;  // raw 30 days, daily 400 days, events 400 days, batches 30 days
    p.batch_size = batch_size;
    return p;
}

struct Db {
    TempDatabase db;
    Store store{db.conninfo()};
    printmon::db::Connection conn = db.connect();

    Db() {
        store.connect();
        store.migrate();
    }

    long long scalar(const std::string& sql) {
        pqxx::work tx(conn.raw());
        return tx.exec(sql)[0][0].as<long long>();
    }
    void exec(const std::string& sql) {
        pqxx::work tx(conn.raw());
        tx.exec(sql);
        tx.commit();
    }
    std::string device(const std::string& address) {
        const auto id = printmon::proto::new_uuid();
        pqxx::work tx(conn.raw());
        tx.exec_params("INSERT INTO devices (device_id, address) VALUES ($1, $2)", id, address);
        tx.commit();
        return id;
    }
    /// A reading; sent when `sent` (in a sent batch), else unsent and unbatched.
    std::string reading(const std::string& device_id, TimePoint polled, bool sent) {
        const auto id = printmon::proto::new_uuid();
        pqxx::work tx(conn.raw());
        std::optional<std::string> batch;
        if (sent) {
            batch = printmon::proto::new_uuid();
            tx.exec_params(
                "INSERT INTO upload_batches (batch_id, created_at, state, sent_at) "
                "VALUES ($1, $2::timestamptz, 'sent', $2::timestamptz)",
                *batch, ts(polled));
        }
        tx.exec_params(
            "INSERT INTO readings (reading_id, device_id, polled_at, snapshot, total, batch_id, "
            "sent_at) VALUES ($1, $2, $3::timestamptz, $6::jsonb, 1, $4, "
            "CASE WHEN $5 THEN $3::timestamptz END)",
            id, device_id, ts(polled), batch, sent, snapshot_json(polled));
        tx.commit();
        return id;
    }
    std::string event(const std::string& device_id, TimePoint when, bool sent) {
        const auto id = printmon::proto::new_uuid();
        pqxx::work tx(conn.raw());
        tx.exec_params(
            "INSERT INTO events (event_id, device_id, at, kind, code, action, sent_at) "
            "VALUES ($1, $2, $3::timestamptz, 'error', 'jam', 'appeared', "
            "CASE WHEN $4 THEN $3::timestamptz END)",
            id, device_id, ts(when), sent);
        tx.commit();
        return id;
    }
    bool exists(const std::string& table, const std::string& key, const std::string& id) {
        return scalar("SELECT count(*) FROM " + table + " WHERE " + key + " = '" + id + "'") == 1;
    }
    bool reading_exists(const std::string& id) { return exists("readings", "reading_id", id); }
    bool is_daily(const std::string& id) {
        return scalar("SELECT count(*) FROM readings WHERE daily AND reading_id = '" + id + "'") ==
               1;
    }
};

}  // namespace

TEST_CASE("sent readings past the raw age go; the day's last stays; unsent ones never go",
          "[retention]") {
    Db d;
    const auto dev = d.device("10.0.0.1");
    // Day A, 40 days ago: ten sent readings, 08:00..17:00.
    std::vector<std::string> day_a;
    for (int h = 8; h < 18; ++h) day_a.push_back(d.reading(dev, at(40 * 24h, h), true));
    // Day B, 35 days ago: five sent ones, then an unsent one (the cloud never got it).
    std::vector<std::string> day_b;
    for (int h = 8; h < 13; ++h) day_b.push_back(d.reading(dev, at(35 * 24h, h), true));
    const auto b_unsent = d.reading(dev, at(35 * 24h, 13), false);
    // Day C, yesterday: within the raw age, all kept.
    std::vector<std::string> day_c;
    for (int h = 8; h < 13; ++h) day_c.push_back(d.reading(dev, at(24h, h), true));
    // Day Z, 500 days ago: past the daily age too; and an unsent one older still.
    std::vector<std::string> day_z;
    for (int h = 8; h < 11; ++h) day_z.push_back(d.reading(dev, at(500 * 24h, h), true));
    const auto ancient_unsent = d.reading(dev, at(501 * 24h, 9), false);
    // Another device whose current reading (its state's base) is old and sent: never deleted.
    const auto quiet = d.device("10.0.0.2");
    const auto quiet_last = d.reading(quiet, at(600 * 24h, 9), true);
    d.exec("UPDATE devices SET last_reading_id = '" + quiet_last + "' WHERE device_id = '" + quiet +
           "'");

    const auto counts = prune_all(d.store, policy(3), kNow);

    // Day A: only the day's last reading, marked daily.
    for (std::size_t i = 0; i + 1 < day_a.size(); ++i) CHECK_FALSE(d.reading_exists(day_a[i]));
    CHECK(d.reading_exists(day_a.back()));
    CHECK(d.is_daily(day_a.back()));
    // Day B: the sent ones are superseded by the unsent one, which stays (not daily: unsent).
    for (const auto& id : day_b) CHECK_FALSE(d.reading_exists(id));
    CHECK(d.reading_exists(b_unsent));
    CHECK_FALSE(d.is_daily(b_unsent));
    // Day C: everything.
    for (const auto& id : day_c) {
        CHECK(d.reading_exists(id));
        CHECK_FALSE(d.is_daily(id));
    }
    // Day Z: nothing sent is left; the unsent one older still is.
    for (const auto& id : day_z) CHECK_FALSE(d.reading_exists(id));
    CHECK(d.reading_exists(ancient_unsent));
    CHECK(d.reading_exists(quiet_last));
    CHECK(d.scalar("SELECT count(*) FROM readings WHERE sent_at IS NULL") == 2);

    CHECK(counts.readings_deleted == 9 + 5 + 2);
    CHECK(counts.readings_kept_daily == 3);  // day A's last, day Z's last, quiet's
    CHECK(counts.daily_deleted == 1);        // day Z's last
    // Batches of 3 rows: every phase took several statements, the last of each a short one.
    CHECK(counts.statements >= 8);

    SECTION("a second pass finds nothing more and changes nothing") {
        const auto before = d.scalar("SELECT count(*) FROM readings");
        const auto daily = d.scalar("SELECT count(*) FROM readings WHERE daily");
        const auto again = prune_all(d.store, policy(3), kNow);
        CHECK(again.deleted() == 0);
        CHECK(again.readings_kept_daily == 0);
        CHECK(d.scalar("SELECT count(*) FROM readings") == before);
        CHECK(d.scalar("SELECT count(*) FROM readings WHERE daily") == daily);
    }
    SECTION("the unsent reading, once sent, becomes its day's daily reading") {
        d.exec("UPDATE readings SET sent_at = polled_at WHERE reading_id = '" + b_unsent + "'");
        const auto again = prune_all(d.store, policy(3), kNow);
        CHECK(again.readings_kept_daily == 1);
        CHECK(again.readings_deleted == 0);
        CHECK(d.is_daily(b_unsent));
    }
    SECTION("a day later, day C is still inside the raw age; 31 days later it is pruned") {
        CHECK(prune_all(d.store, policy(3), kNow + 24h).deleted() == 0);
        const auto later = prune_all(d.store, policy(3), kNow + 31 * 24h);
        CHECK(later.readings_deleted == 4);
        CHECK(later.readings_kept_daily == 1);
        CHECK(d.is_daily(day_c.back()));
    }
}

TEST_CASE("in the cutoff's own day the last reading waits: a later one of that day may come",
          "[retention]") {
    Db d;
    const auto dev = d.device("10.0.0.1");
    // The cutoff falls at 12:00 of the day 30 days ago.
    const auto now = kNow + 12h;
    const auto r8 = d.reading(dev, at(30 * 24h, 8), true);
    const auto r9 = d.reading(dev, at(30 * 24h, 9), true);
    const auto r10 = d.reading(dev, at(30 * 24h, 10), true);
    auto counts = prune_all(d.store, policy(2), now);
    CHECK(counts.readings_deleted == 2);
    CHECK(counts.readings_kept_daily == 0);
    CHECK_FALSE(d.reading_exists(r8));
    CHECK_FALSE(d.reading_exists(r9));
    CHECK(d.reading_exists(r10));
    CHECK_FALSE(d.is_daily(r10));

    // A later reading of the same day (after the cutoff) supersedes it.
    const auto r14 = d.reading(dev, at(30 * 24h, 14), true);
    counts = prune_all(d.store, policy(2), now);
    CHECK(counts.readings_deleted == 1);
    CHECK_FALSE(d.reading_exists(r10));
    CHECK(d.reading_exists(r14));

    // Once that day is over before the cutoff, its last reading becomes the daily one.
    counts = prune_all(d.store, policy(2), kNow + 25h);
    CHECK(counts.readings_kept_daily == 1);
    CHECK(d.is_daily(r14));
}

TEST_CASE("retention disabled: a pass does nothing", "[retention]") {
    Db d;
    const auto dev = d.device("10.0.0.1");
    for (int h = 0; h < 5; ++h) d.reading(dev, at(100 * 24h, h), true);
    auto p = policy();
    p.enabled = false;
    PrunePass pass(p, kNow);
    CHECK(pass.done());
    CHECK_FALSE(pass.step(d.store));
    CHECK(d.scalar("SELECT count(*) FROM readings") == 5);
}

TEST_CASE("sent events past their age go, unsent ones stay", "[retention]") {
    Db d;
    const auto dev = d.device("10.0.0.1");
    auto p = policy(2);
    p.events_age = 10 * 24h;
    std::vector<std::string> old_sent;
    for (int h = 0; h < 5; ++h) old_sent.push_back(d.event(dev, at(11 * 24h, h), true));
    const auto old_unsent = d.event(dev, at(300 * 24h, 1), false);
    const auto recent_sent = d.event(dev, at(9 * 24h, 1), true);

    const auto counts = prune_all(d.store, p, kNow);
    CHECK(counts.events_deleted == 5);
    for (const auto& id : old_sent) CHECK_FALSE(d.exists("events", "event_id", id));
    CHECK(d.exists("events", "event_id", old_unsent));
    CHECK(d.exists("events", "event_id", recent_sent));
    CHECK(prune_all(d.store, p, kNow).deleted() == 0);
}

TEST_CASE("sent upload batches past their age go; pending and quarantined ones stay",
          "[retention]") {
    Db d;
    const auto dev = d.device("10.0.0.1");
    // A sent batch 40 days old whose day-last reading will be kept daily: the batch goes, the
    // reading stays and loses its batch id.
    const auto kept = d.reading(dev, at(40 * 24h, 9), true);
    const auto old_batch = d.scalar("SELECT count(*) FROM upload_batches");
    REQUIRE(old_batch == 1);
    const auto insert_batch = [&](const std::string& state, TimePoint created,
                                  std::optional<TimePoint> sent) {
        const auto id = printmon::proto::new_uuid();
        pqxx::work tx(d.conn.raw());
        tx.exec_params(
            "INSERT INTO upload_batches (batch_id, created_at, state, sent_at) "
            "VALUES ($1, $2::timestamptz, $3, $4::timestamptz)",
            id, ts(created), state, sent ? std::optional<std::string>(ts(*sent)) : std::nullopt);
        tx.commit();
        return id;
    };
    const auto pending = insert_batch("pending", at(90 * 24h, 1), std::nullopt);
    const auto quarantined = insert_batch("quarantined", at(90 * 24h, 2), std::nullopt);
    const auto recent = insert_batch("sent", at(5 * 24h, 1), at(5 * 24h, 1));
    // A sent batch still holding an unsent row (not something the uploader writes, but a
    // batch is never deleted from under an unsent row, which would unstamp it).
    const auto odd = insert_batch("sent", at(90 * 24h, 3), at(90 * 24h, 3));
    const auto odd_row = d.reading(dev, at(90 * 24h, 3), false);
    d.exec("UPDATE readings SET batch_id = '" + odd + "' WHERE reading_id = '" + odd_row + "'");
    // Rows of the pending batch are unsent: they stay with their stamp.
    const auto pending_row = d.reading(dev, at(90 * 24h, 4), false);
    d.exec("UPDATE readings SET batch_id = '" + pending + "' WHERE reading_id = '" + pending_row +
           "'");

    const auto counts = prune_all(d.store, policy(1), kNow);
    CHECK(counts.batches_deleted == 1);
    CHECK(d.scalar("SELECT count(*) FROM upload_batches") == 4);
    CHECK(d.exists("upload_batches", "batch_id", pending));
    CHECK(d.exists("upload_batches", "batch_id", quarantined));
    CHECK(d.exists("upload_batches", "batch_id", recent));
    CHECK(d.exists("upload_batches", "batch_id", odd));
    CHECK(d.is_daily(kept));
    CHECK(d.scalar("SELECT count(*) FROM readings WHERE reading_id = '" + kept +
                   "' AND batch_id IS NULL") == 1);
    CHECK(d.scalar("SELECT count(*) FROM readings WHERE reading_id = '" + pending_row +
                   "' AND batch_id = '" + pending + "'") == 1);
    CHECK(d.scalar("SELECT count(*) FROM readings WHERE reading_id = '" + odd_row +
                   "' AND batch_id = '" + odd + "'") == 1);
    CHECK(prune_all(d.store, policy(1), kNow).deleted() == 0);
}

TEST_CASE("the uploader never loses a row to a pass running beside it", "[retention][uploader]") {
    // The outbox claims, sends and marks batches while another connection prunes with every
    // age behind it (a cutoff a year ahead: whatever is sent is prunable at once) and a
    // third keeps writing readings as the scanner does. Every reading written must reach the
    // "cloud", whole, and nothing unsent may disappear.
    Db d;
    const auto dev = d.device("10.0.0.1");
    const printmon::common::SystemClock clock;
    constexpr int kReadings = 1500;
    std::atomic<bool> writing{true};
    std::atomic<bool> uploading{true};
    std::mutex seen_mutex;
    std::set<std::string> written;
    std::set<std::string> delivered;
    std::size_t rebuilt_short = 0;

    // Flags are lowered however a thread ends, so no loop outlives a failure.
    struct Lower {
        std::atomic<bool>& flag;
        ~Lower() { flag = false; }
    };
    auto writer = std::async(std::launch::async, [&] {
        const Lower done{writing};
        for (int i = 0; i < kReadings; ++i) {
            const auto id = d.reading(dev, std::chrono::system_clock::now() - 1h, false);
            std::lock_guard lock(seen_mutex);
            written.insert(id);
        }
    });
    auto pruner = std::async(std::launch::async, [&] {
        Store store(d.db.conninfo());
        store.connect();
        auto p = policy(50);
        p.raw_age = 60s;
        p.daily_age = 60s;
        p.events_age = 60s;
        p.batches_age = 60s;
        PruneCounts total;
        const auto pass = [&] {
            const auto c = prune_all(store, p, std::chrono::system_clock::now() + 365 * 24h);
            total.readings_deleted += c.readings_deleted;
            total.daily_deleted += c.daily_deleted;
            total.batches_deleted += c.batches_deleted;
        };
        while (uploading) pass();
        pass();  // what the last batches marked sent
        return total;
    });
    auto uploader = std::async(std::launch::async, [&] {
        const Lower done{uploading};
        const auto deadline = std::chrono::steady_clock::now() + 120s;
        auto conn = d.db.connect();
        printmon::uploader::OutboxOptions o;
        o.max_readings_per_batch = 40;
        printmon::uploader::Outbox outbox(conn, o, clock);
        int idle_rounds = 0;
        int attempt = 0;
        while (idle_rounds < 3 && std::chrono::steady_clock::now() < deadline) {
            const auto r = outbox.process_next(
                "5d6c7b8a-9e0f-4a1b-8c2d-3e4f5a6b7c8d", [&](const printmon::proto::Batch& b) {
                    // Every third attempt "times out": the batch is rebuilt and sent again.
                    if (++attempt % 3 == 0) {
                        return printmon::uploader::AttemptResult{
                            printmon::uploader::Disposition::kKeepPending, "timeout"};
                    }
                    std::lock_guard lock(seen_mutex);
                    if (b.readings.empty()) ++rebuilt_short;
                    for (const auto& rd : b.readings) delivered.insert(rd.reading_id);
                    return printmon::uploader::AttemptResult{printmon::uploader::Disposition::kSent,
                                                             ""};
                });
            if (r.attempted) continue;
            if (outbox.claim_batch()) continue;
            if (!writing) ++idle_rounds;
            std::this_thread::yield();
        }
    });
    writer.get();
    uploader.get();
    const auto pruned = pruner.get();

    CHECK(written.size() == static_cast<std::size_t>(kReadings));
    CHECK(delivered == written);
    CHECK(rebuilt_short == 0);
    CHECK(d.scalar("SELECT count(*) FROM readings WHERE sent_at IS NULL") == 0);
    CHECK(d.scalar("SELECT count(*) FROM upload_batches WHERE state <> 'sent'") == 0);
    // The pass really ran beside the uploads: all but the device's day-last reading are gone.
    CHECK(pruned.readings_deleted + pruned.daily_deleted >= kReadings - 1);
    CHECK(d.scalar("SELECT count(*) FROM readings") <= 1);
}
