// The uploader's failure matrix (issue 14): every I/O operation of a delivery failing in turn
// between the real uploader and the real HTTPS test cloud, and a cloud failing at each step of
// the exchange. Whatever fails, the batch stays pending, the next attempt delivers it, and every
// reading is at the cloud exactly once (a real branch PostgreSQL, rows counted on both sides).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "app/service.hpp"
#include "fault_support.hpp"
#include "net_test_support.hpp"
#include "uploader_support.hpp"

using namespace printmon;
using namespace printmon::uploader;
using namespace printmon::uploader::test;
using net::test::FaultAction;
using net::test::FaultDirection;
using net::test::FaultProxy;
using net::test::MisbehavingServer;
using net::test::Misbehaviour;
using net::test::TestPki;
using net::test::TlsFiles;

namespace {

using Clock = std::chrono::steady_clock;
const common::SystemClock kClock;

ServiceOptions options_for(const BranchDb& db, const TestPki& pki) {
    ServiceOptions o;
    o.conninfo = db.conninfo();
    o.transport.ca_file = pki.ca();
    // Short deadlines: a stalled step costs one of these.
    o.transport.connect_timeout = 1s;
    o.transport.request_timeout = 600ms;
    o.backoff_initial = 20ms;
    o.backoff_max = 100ms;
    o.notify_delay = 0ms;
    return o;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

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

TEST_CASE("uploader failure matrix: the k-th I/O operation of a delivery fails",
          "[uploader][matrix][integration]") {
    const TestPki pki;
    auto store = std::make_shared<CloudStore>();
    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    FaultProxy proxy(cloud.port());
    BranchDb db;
    // TLS end to end through the proxy: the client still verifies the real cloud.
    db.configure("https://127.0.0.1:" + std::to_string(proxy.port()));
    const auto device = db.add_device("10.0.0.7");
    auto options = options_for(db, pki);
    // Uncompressed, 30 readings make a ~20 KB body: header and body are separate operations.
    options.transport.gzip_level = 0;
    Service service(options, kClock);
    std::vector<std::string> all;

    for (const auto action : {FaultAction::kClose, FaultAction::kReset, FaultAction::kStall}) {
        for (const auto direction : {FaultDirection::kToServer, FaultDirection::kToClient}) {
            const bool to_client = direction == FaultDirection::kToClient;
            const std::size_t duplicates_before = store->duplicate_answers;
            bool completed = false;
            // Beast's fail_count loop: fail operation k = 0, 1, ... of one direction until a
            // delivery needs fewer.
            for (std::size_t k = 0; k < 40 && !completed; ++k) {
                const auto ids = db.add_readings(device, 30);
                all.insert(all.end(), ids.begin(), ids.end());
                proxy.arm(direction, k, action);
                const auto started = Clock::now();
                const auto faulty = service.run_cycle();
                const auto elapsed = Clock::now() - started;
                INFO(to_string(action)
                     << (to_client ? " to the client" : " to the server") << " at operation " << k
                     << ": " << join(proxy.last_trace()) << " -> " << faulty.error);
                CHECK(elapsed < 2s);  // one request deadline at most
                if (!proxy.fired()) {
                    completed = true;  // the whole exchange took fewer than k + 1 operations
                    CHECK(faulty.outcome == CycleOutcome::kIdle);
                    CHECK(faulty.batches_sent == 1);
                } else if (faulty.outcome == CycleOutcome::kFailed) {
                    // Not acknowledged: pending, nothing marked sent.
                    CHECK(db.batches("pending") == 1);
                    CHECK(db.unsent_readings() == 30);
                    CHECK_FALSE(faulty.error.empty());
                } else {
                    // The fault hit after the whole answer was read (the connection's end).
                    CHECK(faulty.outcome == CycleOutcome::kIdle);
                    CHECK(db.unsent_readings() == 0);
                }
                proxy.disarm();
                const auto next = service.run_cycle();
                CHECK(next.outcome == CycleOutcome::kIdle);
                CHECK(db.unsent_readings() == 0);
                CHECK(db.batches("pending") == 0);
            }
            INFO(to_string(action) << (to_client ? " to the client" : " to the server"));
            CHECK(completed);
            // Towards the client, the answer is an operation (after the server flight and the
            // session tickets): failing it leaves a batch the cloud committed, so the retry was a
            // duplicate, recognised, not stored twice.
            if (to_client) CHECK(store->duplicate_answers > duplicates_before);
        }
    }
    check_exactly_once(db, *store, all);
}

TEST_CASE("uploader failure matrix: the cloud fails at each step of the exchange",
          "[uploader][matrix][integration]") {
    const TestPki pki;
    auto store = std::make_shared<CloudStore>();
    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    BranchDb db;
    const auto device = db.add_device("10.0.0.7");
    Service service(options_for(db, pki), kClock);
    std::vector<std::string> all;
    const TlsFiles files{pki.server_cert(), pki.server_key()};

    for (const auto what : {
             Misbehaviour::kCloseAfterAccept,
             Misbehaviour::kGarbageInsteadOfTls,
             Misbehaviour::kCloseAfterTlsHandshake,
             Misbehaviour::kCloseAfterHeader,
             Misbehaviour::kResetAfterHeader,
             Misbehaviour::kCloseAfterHalfBody,
             Misbehaviour::kSilent,
             Misbehaviour::kHalfHeaderStall,
             Misbehaviour::kTrickle,
             Misbehaviour::kMalformedStatusLine,
             Misbehaviour::kShortBody,
             Misbehaviour::kOversizedHeader,
             Misbehaviour::kOversizedBody,
             Misbehaviour::kOversizedChunked,
             Misbehaviour::kBrokenChunked,
             Misbehaviour::kTruncatedChunked,
         }) {
        INFO(net::test::to_string(what));
        // Enough readings for a body of several TLS records, so "half the body" is a step.
        const auto ids = db.add_readings(device, 40);
        all.insert(all.end(), ids.begin(), ids.end());
        {
            MisbehavingServer bad(what, files);
            db.configure(bad.url(""));
            const auto started = Clock::now();
            const auto failed = service.run_cycle();
            CHECK(Clock::now() - started < 2s);
            INFO(failed.error);
            CHECK(failed.outcome == CycleOutcome::kFailed);
            CHECK_FALSE(failed.error.empty());
            CHECK(db.batches("pending") == 1);
            CHECK(db.unsent_readings() == 40);
            CHECK(db.scalar("SELECT count(*) FROM uploader_status WHERE last_error IS NOT NULL") ==
                  1);
            CHECK(bad.accepted() == 1);
        }
        db.configure(cloud.url());
        const auto next = service.run_cycle();
        CHECK(next.outcome == CycleOutcome::kIdle);
        CHECK(next.batches_sent == 1);
        CHECK(db.unsent_readings() == 0);
    }
    check_exactly_once(db, *store, all);
    // One batch per step, each posted to the real cloud once.
    CHECK(store->posts_per_batch.size() == 16);
    for (const auto& [batch, posts] : store->posts_per_batch) CHECK(posts == 1);
}
