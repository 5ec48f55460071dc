#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>

#include "printmon/common/clock.hpp"
#include "printmon/common/error.hpp"

using namespace std::chrono_literals;
using printmon::common::Clock;
using printmon::common::ManualClock;

TEST_CASE("ManualClock moves only when advanced", "[clock]") {
    const Clock::WallTime start = std::chrono::sys_days{std::chrono::year{2024} / 5 / 1};
    ManualClock clock(start);
    const Clock& as_interface = clock;
    const auto mono0 = as_interface.monotonic();
    CHECK(as_interface.now() == start);

    clock.advance(1500ms);
    CHECK(as_interface.now() == start + 1500ms);
    CHECK(as_interface.monotonic() - mono0 == 1500ms);

    // An NTP step moves wall time only: deadlines on the monotonic clock are unaffected.
    clock.set_wall(start - 1h);
    CHECK(as_interface.now() == start - 1h);
    CHECK(as_interface.monotonic() - mono0 == 1500ms);

    CHECK_THROWS_AS(clock.advance(-1ms), std::invalid_argument);
}

TEST_CASE("SystemClock's monotonic time never goes backwards", "[clock]") {
    const printmon::common::SystemClock clock;
    auto previous = clock.monotonic();
    for (int i = 0; i < 1000; ++i) {
        const auto next = clock.monotonic();
        CHECK(next >= previous);
        previous = next;
    }
    CHECK(clock.now().time_since_epoch() > 0s);
}

namespace {
printmon::common::Result<int> parse_port(int value) {
    if (value < 1 || value > 65535) {
        return printmon::common::make_error(printmon::common::ErrorCode::kInvalidArgument,
                                            "port {} out of range", value);
    }
    return value;
}
}  // namespace

TEST_CASE("Error values carry a code and a formatted message", "[error]") {
    CHECK(parse_port(161).value() == 161);
    const auto bad = parse_port(0);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == printmon::common::ErrorCode::kInvalidArgument);
    CHECK(bad.error().message == "port 0 out of range");
    CHECK(printmon::common::describe(bad.error()) == "invalid_argument: port 0 out of range");
    CHECK(printmon::common::to_string(printmon::common::ErrorCode::kTimeout) == "timeout");
}
