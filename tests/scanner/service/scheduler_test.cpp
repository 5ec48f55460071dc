#include <catch2/catch.hpp>

#include "polling/scheduler.hpp"
#include "printmon/common/clock.hpp"

using namespace std::chrono_literals;
using printmon::common::ManualClock;
using printmon::scanner::DiscoverySchedule;
using printmon::scanner::Scheduler;
using printmon::scanner::storage::PollTarget;

namespace {

PollTarget target(std::string id, std::optional<std::chrono::seconds> interval = {},
                  std::optional<std::chrono::seconds> since = {}) {
    PollTarget t;
    t.device_id = std::move(id);
    t.address = "10.0.0.1";
    t.interval = interval;
    t.since_last_poll = since;
    return t;
}

std::vector<std::string> ids(const std::vector<PollTarget>& ts) {
    std::vector<std::string> out;
    for (const auto& t : ts) out.push_back(t.device_id);
    return out;
}

}  // namespace

TEST_CASE("devices are polled every interval, with per-device overrides", "[scheduler]") {
    ManualClock clock;
    Scheduler s(60s);
    s.set_devices({target("a"), target("b", 10s)}, clock.monotonic());
    CHECK(ids(s.take_due(clock.monotonic(), 10)) == std::vector<std::string>{"a", "b"});
    // In flight: not handed out twice.
    CHECK(s.take_due(clock.monotonic(), 10).empty());
    clock.advance(2s);
    s.finished("a", clock.monotonic());
    s.finished("b", clock.monotonic());
    CHECK(s.next_due() == clock.monotonic() + 8s);  // fixed cadence from b's start
    clock.advance(7s);
    CHECK(s.take_due(clock.monotonic(), 10).empty());
    clock.advance(1s);
    CHECK(ids(s.take_due(clock.monotonic(), 10)) == std::vector<std::string>{"b"});
    clock.advance(51s);
    s.finished("b", clock.monotonic());
    CHECK(ids(s.take_due(clock.monotonic(), 10)) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("concurrency is bounded and the longest overdue goes first", "[scheduler]") {
    ManualClock clock;
    Scheduler s(60s);
    s.set_devices({target("a", {}, 59s), target("b", {}, 90s), target("c")}, clock.monotonic());
    clock.advance(1s);
    // b is overdue by 31 s, c (never polled) by 1 s; a became due just now.
    CHECK(ids(s.take_due(clock.monotonic(), 2)) == std::vector<std::string>{"b", "c"});
    CHECK(s.in_flight() == 2);
    CHECK(ids(s.take_due(clock.monotonic(), 2)) == std::vector<std::string>{"a"});
}

TEST_CASE("a known device keeps its schedule across reloads; gone ones leave", "[scheduler]") {
    ManualClock clock;
    Scheduler s(60s);
    s.set_devices({target("a"), target("b")}, clock.monotonic());
    s.take_due(clock.monotonic(), 10);
    s.finished("a", clock.monotonic());
    s.finished("b", clock.monotonic());
    clock.advance(30s);
    auto moved = target("a");
    moved.address = "10.0.0.2";
    s.set_devices({moved}, clock.monotonic());  // b disabled or deleted
    CHECK_FALSE(s.contains("b"));
    CHECK(s.take_due(clock.monotonic(), 10).empty());
    clock.advance(30s);
    const auto due = s.take_due(clock.monotonic(), 10);
    REQUIRE(due.size() == 1);
    CHECK(due[0].address == "10.0.0.2");
    // A poll ending for a device that left the schedule is ignored.
    s.finished("b", clock.monotonic());
    CHECK_FALSE(s.contains("b"));
}

TEST_CASE("poll_now and interval changes", "[scheduler]") {
    ManualClock clock;
    Scheduler s(300s);
    s.set_devices({target("a", {}, 10s)}, clock.monotonic());
    CHECK(s.take_due(clock.monotonic(), 10).empty());
    CHECK(s.poll_now("a", clock.monotonic()));
    CHECK_FALSE(s.poll_now("nope", clock.monotonic()));
    CHECK(ids(s.take_due(clock.monotonic(), 10)) == std::vector<std::string>{"a"});
    s.finished("a", clock.monotonic());
    s.set_default_interval(20s);
    clock.advance(20s);
    CHECK(ids(s.take_due(clock.monotonic(), 10)) == std::vector<std::string>{"a"});
}

TEST_CASE("discovery runs at start and then every interval; 0 disables it", "[scheduler]") {
    ManualClock clock;
    DiscoverySchedule d;
    CHECK_FALSE(d.due(clock.monotonic()));
    d.set_interval(3600s);
    CHECK(d.due(clock.monotonic()));
    d.started(clock.monotonic());
    clock.advance(3599s);
    CHECK_FALSE(d.due(clock.monotonic()));
    clock.advance(1s);
    CHECK(d.due(clock.monotonic()));
}
