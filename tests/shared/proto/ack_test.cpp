// The ingest acknowledgement: the cloud's writer and the uploader's reader are one codec, the
// golden files pass the schema, and whatever else a 200 may carry is refused with a reason.

#include <string>

#include <catch2/catch.hpp>

#include "golden.hpp"
#include "printmon/proto/ack.hpp"

namespace printmon::proto {
namespace {

using test::minify;
using test::read_source_file;

TEST_CASE("the acknowledgement's schema is the file in shared/schemas", "[proto][ack]") {
    CHECK(ack_schema_json() == read_source_file("shared/schemas/ingest-ack.v1.schema.json"));
}

TEST_CASE("golden acknowledgements decode and encode to the same bytes", "[proto][ack]") {
    const std::string stored = read_source_file("tests/data/proto/ack.json");
    auto ack = parse_ack(stored);
    REQUIRE(ack);
    CHECK(ack->batch_id == "5d2b7e10-3c4a-4f6b-9d8e-0a1b2c3d4e5f");
    CHECK_FALSE(ack->duplicate);
    CHECK(ack->readings_stored == 3);
    CHECK(ack->events_stored == 2);
    CHECK(to_json(*ack) == minify(stored));

    const std::string duplicate = read_source_file("tests/data/proto/ack_duplicate.json");
    auto dup = parse_ack(duplicate);
    REQUIRE(dup);
    CHECK(dup->duplicate);
    CHECK(to_json(*dup) == minify(duplicate));

    IngestAck built;
    built.batch_id = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
    built.readings_stored = 500;
    built.readings_duplicate = 12;
    built.events_duplicate = 7;
    auto round = parse_ack(to_json(built));
    REQUIRE(round);
    CHECK(*round == built);
}

TEST_CASE("bodies that are not acknowledgements are refused with a reason", "[proto][ack]") {
    const auto refused = [](const std::string& body, DecodeErrorCode code,
                            const std::string& part) {
        auto r = parse_ack(body);
        INFO(body.substr(0, 120));
        REQUIRE_FALSE(r);
        INFO(r.error().message());
        CHECK(r.error().code == code);
        CHECK(r.error().message().find(part) != std::string::npos);
    };
    const std::string ok_tail =
        R"(,"readings_stored":1,"readings_duplicate":0,"events_stored":0,"events_duplicate":0})";
    const std::string id = R"("5d2b7e10-3c4a-4f6b-9d8e-0a1b2c3d4e5f")";
    refused("<html>Gateway</html>", DecodeErrorCode::parse_error, "parse error");
    refused("", DecodeErrorCode::parse_error, "parse error");
    refused("[]", DecodeErrorCode::schema_violation, "");
    refused(R"({"status":"stored")" + ok_tail, DecodeErrorCode::schema_violation, "batch_id");
    refused(R"({"batch_id":"x","status":"stored")" + ok_tail, DecodeErrorCode::schema_violation,
            "/batch_id");
    refused(R"({"batch_id":)" + id + R"(,"status":"kept")" + ok_tail,
            DecodeErrorCode::schema_violation, "/status");
    refused(R"({"batch_id":)" + id +
                R"(,"status":"stored","readings_stored":-1,"readings_duplicate":0,)"
                R"("events_stored":0,"events_duplicate":0})",
            DecodeErrorCode::schema_violation, "/readings_stored");
    refused(R"({"batch_id":)" + id +
                R"(,"status":"stored","readings_stored":18446744073709551615,)"
                R"("readings_duplicate":0,"events_stored":0,"events_duplicate":0})",
            DecodeErrorCode::invalid_value, "/readings_stored");
    refused(std::string(100000, '[') + std::string(100000, ']'), DecodeErrorCode::too_large, "");
    refused(std::string(1000, '[') + std::string(1000, ']'), DecodeErrorCode::too_deep, "");
    refused("{\"batch_id\":\"\xff\"}", DecodeErrorCode::parse_error, "");
}

TEST_CASE("unknown members of an acknowledgement are ignored", "[proto][ack]") {
    auto ack = parse_ack(
        R"({"batch_id":"5d2b7e10-3c4a-4f6b-9d8e-0a1b2c3d4e5f","status":"stored","new":{"x":[1]},)"
        R"("readings_stored":1,"readings_duplicate":0,"events_stored":0,"events_duplicate":0})");
    REQUIRE(ack);
    CHECK(ack->readings_stored == 1);
}

}  // namespace
}  // namespace printmon::proto
