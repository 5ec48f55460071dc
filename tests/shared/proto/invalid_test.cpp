// Rejected documents: each case asserts the error code, the JSON pointer and the exact reason.

#include <string>

#include <catch2/catch.hpp>

#include "golden.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/validate.hpp"

namespace printmon::proto {
namespace {

using test::read_source_file;

struct InvalidCase {
    const char* file;  ///< under tests/data/proto/invalid/
    bool batch;        ///< decode as batch, else as snapshot
    DecodeErrorCode code;
    const char* pointer;
    const char* reason;
};

const std::string kErrorCodeList =
    "low_paper, no_paper, low_toner, no_toner, door_open, jammed, offline, service_requested, "
    "input_tray_missing, output_tray_missing, marker_supply_missing, output_near_full, "
    "output_full, input_tray_empty, overdue_prevent_maint";

DecodeError decode_error(const std::string& json, bool batch) {
    if (batch) {
        auto result = parse_batch(json);
        REQUIRE_FALSE(result.has_value());
        return result.error();
    }
    auto result = parse_snapshot(json);
    REQUIRE_FALSE(result.has_value());
    return result.error();
}

TEST_CASE("invalid golden documents are rejected with a precise message", "[proto][invalid]") {
    const std::string error_codes_reason = "value 'paper_jam' is not one of: " + kErrorCodeList;
    const InvalidCase cases[] = {
        {"batch_missing_batch_id.json", true, DecodeErrorCode::schema_violation, "",
         "missing required property 'batch_id'"},
        {"batch_schema_version_2.json", true, DecodeErrorCode::unsupported_version,
         "/schema_version", "unsupported schema_version 2; this reader supports schema_version 1"},
        {"batch_counter_as_string.json", true, DecodeErrorCode::schema_violation,
         "/readings/2/snapshot/counters/total", "expected integer, got string"},
        {"batch_counter_float.json", true, DecodeErrorCode::schema_violation,
         "/readings/0/snapshot/counters/color", "expected integer, got number"},
        {"batch_counter_negative.json", true, DecodeErrorCode::schema_violation,
         "/readings/1/snapshot/counters/total", "value -5 below minimum 0"},
        {"batch_unknown_error_code.json", true, DecodeErrorCode::schema_violation,
         "/readings/2/snapshot/status/errors/1", error_codes_reason.c_str()},
        {"batch_unknown_device.json", true, DecodeErrorCode::invalid_value, "/readings/2/device_id",
         "device_id '99999999-8b3d-4c5e-9f70-1a2b3c4d5e6f' is not listed in /devices"},
        {"batch_uppercase_batch_id.json", true, DecodeErrorCode::schema_violation, "/batch_id",
         "value '3E0F5C1A-7D42-4B8E-A1C9-5F6E7D8C9B0A' does not match pattern "
         "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"},
        {"batch_bad_event_action.json", true, DecodeErrorCode::schema_violation, "/events/1/action",
         "value 'changed' is not one of: appeared, cleared"},
        // Offsets count bytes: the file is cut after 1000 characters, one of them a 2-byte 'ü'.
        {"batch_truncated.json", true, DecodeErrorCode::parse_error, "",
         "parse error at offset 1001: Missing a name for object member."},
        {"snapshot_bad_counter_name.json", false, DecodeErrorCode::schema_violation,
         "/counters/Total",
         "property 'Total' not allowed: counter names must match ^[a-z][a-z0-9_]{0,63}$"},
        {"snapshot_level_percent_over_100.json", false, DecodeErrorCode::schema_violation,
         "/supplies/2/level_percent", "value 140 above maximum 100"},
        {"snapshot_polled_at_not_utc.json", false, DecodeErrorCode::schema_violation, "/polled_at",
         "value '2026-11-24T14:00:00+01:00' does not match pattern "
         "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$"},
        {"snapshot_impossible_date.json", false, DecodeErrorCode::invalid_value, "/polled_at",
         "invalid date-time '2026-02-30T13:00:00Z'"},
        {"snapshot_bad_supply_state.json", false, DecodeErrorCode::schema_violation,
         "/supplies/0/state",
         "value 'full' is not one of: ok, low, empty, some_remaining, unknown, unrestricted, "
         "not_installed"},
        {"snapshot_tray_missing_state.json", false, DecodeErrorCode::schema_violation, "/trays/1",
         "missing required property 'state'"},
        // The optional outbox member is checked like the rest when it is present.
        {"batch_outbox_negative.json", true, DecodeErrorCode::schema_violation,
         "/outbox/pending_events", "value -3 below minimum 0"},
        {"batch_outbox_missing_readings.json", true, DecodeErrorCode::schema_violation, "/outbox",
         "missing required property 'pending_readings'"},
        {"batch_outbox_not_utc.json", true, DecodeErrorCode::schema_violation,
         "/outbox/oldest_pending_at",
         "value '2026-11-24T14:05:00.250+01:00' does not match pattern "
         "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$"},
    };
    for (const InvalidCase& c : cases) {
        INFO(c.file);
        const std::string json =
            read_source_file(std::string("tests/data/proto/invalid/") + c.file);
        const DecodeError error = decode_error(json, c.batch);
        CHECK(error.reason == c.reason);
        CHECK(error.pointer == c.pointer);
        CHECK(error.code == c.code);
        CHECK(error.message() == (std::string(c.pointer).empty()
                                      ? std::string(c.reason)
                                      : std::string(c.pointer) + ": " + c.reason));
    }
}

TEST_CASE("the validator alone rejects the schema violations", "[proto][invalid]") {
    // validate_*_json stops after the schema: semantic errors (dates, references) pass it.
    CHECK_FALSE(validate_batch_json(
        read_source_file("tests/data/proto/invalid/batch_counter_negative.json")));
    CHECK_FALSE(validate_snapshot_json(
        read_source_file("tests/data/proto/invalid/snapshot_bad_counter_name.json")));
    CHECK(validate_snapshot_json(
        read_source_file("tests/data/proto/invalid/snapshot_impossible_date.json")));
    CHECK(validate_batch_json(
        read_source_file("tests/data/proto/invalid/batch_unknown_device.json")));
    CHECK_FALSE(validate_batch_json(
        read_source_file("tests/data/proto/invalid/batch_outbox_negative.json")));
    CHECK_FALSE(validate_batch_json(
        read_source_file("tests/data/proto/invalid/batch_outbox_not_utc.json")));
}

TEST_CASE("oversized input is rejected before parsing", "[proto][invalid]") {
    const std::string golden = read_source_file("tests/data/proto/batch.json");
    CHECK(parse_batch(golden, golden.size()).has_value());

    auto too_small = parse_batch(golden, golden.size() - 1);
    REQUIRE_FALSE(too_small.has_value());
    CHECK(too_small.error().code == DecodeErrorCode::too_large);
    CHECK(too_small.error().message() == "document is " + std::to_string(golden.size()) +
                                             " bytes, limit is " +
                                             std::to_string(golden.size() - 1));

    // Garbage past the limit is never looked at: the error is the size, not the syntax.
    const std::string garbage(kDefaultMaxSnapshotBytes + 1, '{');
    auto snapshot = parse_snapshot(garbage);
    REQUIRE_FALSE(snapshot.has_value());
    CHECK(snapshot.error().code == DecodeErrorCode::too_large);
    CHECK(snapshot.error().reason == "document is 1048577 bytes, limit is 1048576");
}

TEST_CASE("garbage and truncated JSON are parse errors with an offset", "[proto][invalid]") {
    struct Case {
        std::string json;
        const char* reason;
    };
    const Case cases[] = {
        {"", "parse error at offset 0: The document is empty."},
        {"not json", "parse error at offset 1: Invalid value."},  // after the 'n' of "null"
        {"{\"schema_version\": 1,", "parse error at offset 21: Missing a name for object member."},
        {"{\"a\": 1} trailing",
         "parse error at offset 9: The document root must not be followed by other values."},
        {"{\"a\": \"\xC3\x28\"}", "parse error at offset 7: Invalid encoding in string."},
        {std::string("{\"a\": 1}\0{", 10), "parse error at offset 8: NUL byte is not allowed"},
    };
    for (const Case& c : cases) {
        INFO(c.json);
        for (bool batch : {true, false}) {
            const DecodeError error = decode_error(c.json, batch);
            CHECK(error.code == DecodeErrorCode::parse_error);
            CHECK(error.pointer.empty());
            CHECK(error.reason == c.reason);
        }
    }
}

TEST_CASE("deeply nested input is rejected before the recursive parser", "[proto][invalid]") {
    const std::string deep =
        "{\"x\":" + std::string(100'000, '[') + std::string(100'000, ']') + "}";
    const DecodeError error = decode_error(deep, true);
    CHECK(error.code == DecodeErrorCode::too_deep);
    CHECK(error.reason == "nesting deeper than 64 levels at offset 68");
    // Brackets inside strings do not count.
    const DecodeError in_string =
        decode_error("{\"x\": \"" + std::string(1000, '[') + "\\\"\"}", true);
    CHECK(in_string.code == DecodeErrorCode::schema_violation);
}

TEST_CASE("an escaped NUL in any string is refused before parsing", "[proto][invalid]") {
    // PostgreSQL text cannot hold U+0000: refused here as bad input, not at insert as a 500.
    for (bool batch : {true, false}) {
        const DecodeError error = decode_error("{\"x\":\"ab\\u0000\"}", batch);
        CHECK(error.code == DecodeErrorCode::parse_error);
        CHECK(error.reason ==
              "parse error at offset 8: the NUL character (\\u0000) is not allowed in text");
        // In a member name too; an escaped backslash before "u0000" is plain text.
        CHECK(decode_error("{\"\\u0000\":1}", batch).code == DecodeErrorCode::parse_error);
        CHECK(decode_error("{\"x\":\"a\\\\u0000\"}", batch).code ==
              DecodeErrorCode::schema_violation);
    }
}

TEST_CASE("check_nesting bounds any peer's JSON before it is parsed", "[proto][invalid]") {
    // For replies and bodies outside the v1 documents (the uploader's ingest answers).
    const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
    const auto refused = check_nesting(deep);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == DecodeErrorCode::too_deep);
    CHECK(refused.error().reason == "nesting deeper than 64 levels at offset 64");
    CHECK(check_nesting(std::string(64, '[') + std::string(64, ']')));
    CHECK_FALSE(check_nesting("{\"a\":[{\"b\":[1]}]}", 3));
    CHECK(check_nesting("{\"a\":[{\"b\":[1]}]}", 4));
    // Brackets inside strings (escaped quotes too) do not count.
    CHECK(check_nesting("{\"x\":\"" + std::string(1000, '{') + "\\\"\"}", 1));
}

TEST_CASE("the wrong JSON types are named in the message", "[proto][invalid]") {
    struct Case {
        const char* json;
        const char* message;
    };
    const Case cases[] = {
        {"[]", "expected object, got array"},
        {"{\"address\": 7}", "/address: expected string, got integer"},
        {"{\"address\": \"a\", \"polled_at\": \"2026-01-01T00:00:00Z\", \"uptime\": 1.5}",
         "/uptime: expected integer or null, got number"},
        {"{\"address\": \"a\", \"polled_at\": \"2026-01-01T00:00:00Z\", \"uptime\": -1}",
         "/uptime: value -1 below minimum 0"},
        {"{\"address\": \"\"}", "/address: string shorter than minimum length 1"},
    };
    for (const Case& c : cases) {
        INFO(c.json);
        CHECK(decode_error(c.json, false).message() == c.message);
    }
}

/// The golden batch with `from` replaced by `to` (which must occur).
std::string golden_batch_with(const std::string& from, const std::string& to) {
    std::string json = read_source_file("tests/data/proto/batch.json");
    const auto at = json.find(from);
    REQUIRE(at != std::string::npos);
    return json.replace(at, from.size(), to);
}

TEST_CASE("batch rules beyond the schema", "[proto][invalid]") {
    SECTION("counter beyond int64") {
        const auto error = decode_error(
            golden_batch_with("\"total\": 118294", "\"total\": 18446744073709551615"), true);
        CHECK(error.message() ==
              "/readings/0/snapshot/counters/total: value 18446744073709551615 exceeds the "
              "64-bit signed range");
    }
    SECTION("counter beyond uint64 is a number, not an integer") {
        const auto error = decode_error(
            golden_batch_with("\"total\": 118294", "\"total\": 18446744073709551616"), true);
        CHECK(error.message() ==
              "/readings/0/snapshot/counters/total: expected integer, got number");
    }
    SECTION("exponent notation is not an integer") {
        const auto error =
            decode_error(golden_batch_with("\"total\": 118294", "\"total\": 1.18294e5"), true);
        CHECK(error.message() ==
              "/readings/0/snapshot/counters/total: expected integer, got number");
    }
    SECTION("duplicate counter name") {
        const auto error = decode_error(
            golden_batch_with("\"total\": 118294", "\"total\": 118294, \"total\": 1"), true);
        CHECK(error.message() == "/readings/0/snapshot/counters/total: duplicate counter name");
    }
    SECTION("duplicate reading_id") {
        const auto error = decode_error(golden_batch_with("e9c3a4b5-2d6e-4f7a-8b8c-9d0e1f2a3b4c",
                                                          "c7a1e2f3-0b4c-4d5e-8f6a-7b8c9d0e1f2a"),
                                        true);
        CHECK(error.message() ==
              "/readings/2/reading_id: duplicate reading_id "
              "'c7a1e2f3-0b4c-4d5e-8f6a-7b8c9d0e1f2a'");
    }
    SECTION("event kind must be snake_case") {
        const auto error =
            decode_error(golden_batch_with("\"kind\": \"error\"", "\"kind\": \"Error\""), true);
        CHECK(error.message() ==
              "/events/0/kind: value 'Error' does not match pattern ^[a-z][a-z0-9_]{0,63}$");
    }
    SECTION("schema_version must be an integer") {
        const auto error = decode_error(
            golden_batch_with("\"schema_version\": 1", "\"schema_version\": \"1\""), true);
        CHECK(error.message() == "/schema_version: expected integer, got string");
    }
    SECTION("created_at must be UTC") {
        const auto error =
            decode_error(golden_batch_with("\"created_at\": \"2026-11-24T13:00:05Z\"",
                                           "\"created_at\": \"2026-11-24T13:00:05\""),
                         true);
        CHECK(error.pointer == "/created_at");
        CHECK(error.code == DecodeErrorCode::schema_violation);
    }
    SECTION("duplicate error codes") {
        const auto error =
            decode_error(golden_batch_with("\"low_toner\",\n            \"input_tray_empty\"",
                                           "\"low_toner\", \"low_toner\""),
                         true);
        CHECK(error.message() ==
              "/readings/2/snapshot/status/errors/1: duplicate array item 'low_toner'");
    }
    SECTION("counter names longer than 64 characters") {
        const std::string name(65, 'a');
        const auto error =
            decode_error(golden_batch_with("\"total\": 118294", "\"" + name + "\": 1"), true);
        CHECK(error.message() == "/readings/0/snapshot/counters/" + name + ": property '" + name +
                                     "' not allowed: counter names must match "
                                     "^[a-z][a-z0-9_]{0,63}$");
    }
    SECTION("empty counter name") {
        const auto error = decode_error(golden_batch_with("\"total\": 118294", "\"\": 1"), true);
        CHECK(error.message() ==
              "/readings/0/snapshot/counters/: property '' not allowed: counter names must "
              "match ^[a-z][a-z0-9_]{0,63}$");
    }
}

}  // namespace
}  // namespace printmon::proto
