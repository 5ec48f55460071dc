// The embedded schemas: verbatim copies of shared/schemas, and every golden file passes them.

#include <string>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <catch2/catch.hpp>

#include "golden.hpp"
#include "printmon/proto/validate.hpp"

namespace printmon::proto {
namespace {

using test::read_source_file;

TEST_CASE("embedded schemas are the files in shared/schemas", "[proto][schema]") {
    CHECK(snapshot_schema_json() ==
          read_source_file("shared/schemas/device-snapshot.v1.schema.json"));
    CHECK(batch_schema_json() == read_source_file("shared/schemas/batch.v1.schema.json"));
}

TEST_CASE("every golden file validates against its schema", "[proto][schema]") {
    for (const char* file :
         {"tests/data/proto/snapshot_full.json", "tests/data/proto/snapshot_minimal.json"}) {
        INFO(file);
        auto result = validate_snapshot_json(read_source_file(file));
        INFO((result ? std::string() : result.error().message()));
        CHECK(result.has_value());
    }
    const std::string batch = read_source_file("tests/data/proto/batch.json");
    auto result = validate_batch_json(batch);
    INFO((result ? std::string() : result.error().message()));
    CHECK(result.has_value());

    // Each snapshot embedded in the batch is also a valid standalone snapshot document.
    rapidjson::Document doc;
    doc.Parse(batch.data(), batch.size());
    REQUIRE_FALSE(doc.HasParseError());
    for (const auto& reading : doc["readings"].GetArray()) {
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        reading["snapshot"].Accept(writer);
        auto snapshot = validate_snapshot_json(buffer.GetString());
        INFO((snapshot ? std::string() : snapshot.error().message()));
        CHECK(snapshot.has_value());
    }
}

TEST_CASE("schema patterns are enforced, not silently dropped", "[proto][schema]") {
    // RapidJSON 1.1 ignores a pattern its regex engine cannot compile. Probe each pattern with
    // a value that only the pattern rejects.
    const std::string snapshot = read_source_file("tests/data/proto/snapshot_minimal.json");
    auto with = [&](const std::string& from, const std::string& to) {
        std::string json = snapshot;
        const auto at = json.find(from);
        REQUIRE(at != std::string::npos);
        return json.replace(at, from.size(), to);
    };
    CHECK_FALSE(validate_snapshot_json(with("13:00:02Z", "13:00:02.Z")));
    CHECK_FALSE(validate_snapshot_json(with("13:00:02Z", "13:00:02z")));
    CHECK_FALSE(validate_snapshot_json(with("2026-11-24T", "26-11-24T")));
    CHECK(validate_snapshot_json(with("13:00:02Z", "13:00:02.123456789Z")));
    CHECK_FALSE(validate_snapshot_json(with("13:00:02Z", "13:00:02.1234567890Z")));
    CHECK_FALSE(validate_snapshot_json(with("\"counters\": {}", "\"counters\": {\"9up\": 1}")));
    CHECK_FALSE(validate_snapshot_json(with("\"counters\": {}", "\"counters\": {\"a-b\": 1}")));
    CHECK(validate_snapshot_json(with("\"counters\": {}", "\"counters\": {\"a_9\": 1}")));

    const std::string batch = read_source_file("tests/data/proto/batch.json");
    auto batch_with = [&](const std::string& from, const std::string& to) {
        std::string json = batch;
        const auto at = json.find(from);
        REQUIRE(at != std::string::npos);
        return json.replace(at, from.size(), to);
    };
    const std::string id = "3e0f5c1a-7d42-4b8e-a1c9-5f6e7d8c9b0a";
    CHECK_FALSE(validate_batch_json(batch_with(id, "3e0f5c1a7d424b8ea1c95f6e7d8c9b0a")));
    CHECK_FALSE(validate_batch_json(batch_with(id, "{" + id + "}")));
    CHECK_FALSE(validate_batch_json(batch_with(id, id + "0")));
    CHECK_FALSE(validate_batch_json(batch_with(id, "3e0f5c1a-7d42-4b8e-a1c9-5f6e7d8c9b0g")));
}

}  // namespace
}  // namespace printmon::proto
