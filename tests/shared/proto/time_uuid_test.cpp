// RFC 3339 and UUID helpers.

#include <chrono>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"

namespace printmon::proto {
namespace {

using namespace std::chrono;

system_clock::time_point at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
    return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

TEST_CASE("format_rfc3339 writes UTC with a Z", "[proto][time]") {
    CHECK(format_rfc3339(at(2026, 11, 24, 13, 0, 0)) == "2026-11-24T13:00:00Z");
    CHECK(format_rfc3339(system_clock::time_point{}) == "1970-01-01T00:00:00Z");
    const auto tp = at(2024, 2, 29, 23, 59, 59) + milliseconds{999} + microseconds{900};
    CHECK(format_rfc3339(tp) == "2024-02-29T23:59:59Z");  // truncated, never rounded up
    CHECK(format_rfc3339(tp, TimePrecision::milliseconds) == "2024-02-29T23:59:59.999Z");
    CHECK(format_rfc3339(at(1969, 12, 31, 23, 59, 59) + milliseconds{500},
                         TimePrecision::milliseconds) == "1969-12-31T23:59:59.500Z");
}

TEST_CASE("parse_rfc3339 accepts UTC and offsets", "[proto][time]") {
    CHECK(parse_rfc3339("2026-11-24T13:00:00Z") == at(2026, 11, 24, 13, 0, 0));
    CHECK(parse_rfc3339("2026-11-24t13:00:00z") == at(2026, 11, 24, 13, 0, 0));
    CHECK(parse_rfc3339("2026-11-24T14:30:00+01:30") == at(2026, 11, 24, 13, 0, 0));
    CHECK(parse_rfc3339("2026-11-24T08:00:00-05:00") == at(2026, 11, 24, 13, 0, 0));
    CHECK(parse_rfc3339("2026-01-01T00:30:00+01:00") == at(2025, 12, 31, 23, 30, 0));
    CHECK(parse_rfc3339("2026-11-24T13:00:00.250Z") ==
          at(2026, 11, 24, 13, 0, 0) + milliseconds{250});
    CHECK(parse_rfc3339("2026-11-24T13:00:00.000000001Z") ==
          at(2026, 11, 24, 13, 0, 0) + duration_cast<system_clock::duration>(nanoseconds{1}));
    CHECK(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
}

TEST_CASE("parse_rfc3339 rejects malformed and impossible times", "[proto][time]") {
    for (const char* text :
         {"", "2026-11-24", "2026-11-24T13:00Z", "2026-11-24T13:00:00", "2026-11-24 13:00:00Z",
          "2026-11-24T13:00:00.Z", "2026-11-24T13:00:00+0100", "2026-11-24T13:00:00+24:00",
          "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
          "2026-11-24T24:00:00Z", "2026-11-24T13:60:00Z", "2026-11-24T13:00:60Z",
          "2026-11-24T13:00:00Zjunk", "+2026-11-24T13:00:00Z", "2026-1-24T13:00:00Z",
          // Outside what system_clock holds (1678..2261): refused, not overflowed.
          "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1677-12-31T23:59:59Z"}) {
        INFO(text);
        CHECK_FALSE(parse_rfc3339(text).has_value());
    }
}

TEST_CASE("format and parse are inverse on whole seconds", "[proto][time]") {
    const auto now = floor<seconds>(system_clock::now());
    CHECK(parse_rfc3339(format_rfc3339(now)) == now);
    const auto now_ms = floor<milliseconds>(system_clock::now());
    CHECK(parse_rfc3339(format_rfc3339(now_ms, TimePrecision::milliseconds)) == now_ms);
}

TEST_CASE("new_uuid makes distinct version 4 UUIDs", "[proto][uuid]") {
    std::set<std::string> seen;
    for (int i = 0; i < 2000; ++i) {
        const std::string id = new_uuid();
        REQUIRE(is_uuid(id));
        CHECK(id[14] == '4');                                          // version
        CHECK(std::string("89ab").find(id[19]) != std::string::npos);  // RFC 4122 variant
        seen.insert(id);
    }
    CHECK(seen.size() == 2000);
}

TEST_CASE("is_uuid accepts only the lower-case canonical form", "[proto][uuid]") {
    CHECK(is_uuid("3e0f5c1a-7d42-4b8e-a1c9-5f6e7d8c9b0a"));
    CHECK(is_uuid("00000000-0000-0000-0000-000000000000"));
    CHECK_FALSE(is_uuid("3E0F5C1A-7D42-4B8E-A1C9-5F6E7D8C9B0A"));
    CHECK_FALSE(is_uuid("3e0f5c1a7d424b8ea1c95f6e7d8c9b0a"));
    CHECK_FALSE(is_uuid("3e0f5c1a-7d42-4b8e-a1c9-5f6e7d8c9b0"));
    CHECK_FALSE(is_uuid("3e0f5c1a-7d42-4b8e-a1c9-5f6e7d8c9b0g"));
    CHECK_FALSE(is_uuid("3e0f5c1a-7d42-4b8e-a1c95-f6e7d8c9b0a"));
}

}  // namespace
}  // namespace printmon::proto
