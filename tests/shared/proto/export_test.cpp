// The offline export file envelope: valid files round-trip, malformed ones are refused with a
// JSON pointer into the file.
#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <catch2/catch.hpp>

#include <string>

#include "golden.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/export.hpp"

using namespace printmon;
using proto::parse_export;
using proto::to_export_json;

namespace {

std::string read_file(const std::string& relative) {
    return proto::test::read_source_file(relative);
}

proto::Batch golden() {
    auto b = proto::parse_batch(read_file("tests/data/proto/batch.json"));
    REQUIRE(b);
    return *b;
}

std::string error_of(const std::string& json) {
    const auto r = parse_export(json);
    REQUIRE_FALSE(r);
    return r.error().message();
}

}  // namespace

TEST_CASE("an export file round-trips through to_export_json and parse_export", "[proto][export]") {
    auto a = golden();
    auto b = golden();
    b.batch_id = "11111111-2222-4333-8444-555555555555";
    const auto json = to_export_json({a, b});
    const auto parsed = parse_export(json);
    REQUIRE(parsed);
    REQUIRE(parsed->size() == 2);
    CHECK((*parsed)[0] == a);
    CHECK((*parsed)[1] == b);

    const auto empty = parse_export(to_export_json({}));
    REQUIRE(empty);
    CHECK(empty->empty());
}

TEST_CASE("the golden export file is valid", "[proto][export]") {
    const auto parsed = parse_export(read_file("tests/data/proto/export.json"));
    REQUIRE(parsed);
    REQUIRE(parsed->size() == 2);
    CHECK((*parsed)[0].readings.size() == 1);
    CHECK((*parsed)[1].events.size() == 1);
}

TEST_CASE("unknown properties of the envelope are ignored", "[proto][export]") {
    const std::string batch = proto::to_json(golden());
    const auto parsed =
        parse_export(R"({"exported_at":"2026-11-24T13:00:00Z","extra":{"a":[1,{"b":null}]},)"
                     R"("format":"printmon-export","version":1,"batches":[)" +
                     batch + "]}");
    REQUIRE(parsed);
    CHECK(parsed->size() == 1);
}

TEST_CASE("malformed export files are refused precisely", "[proto][export]") {
    const std::string batch = proto::to_json(golden());
    CHECK(error_of("").find("parse error") != std::string::npos);
    CHECK(error_of("[]") == "expected object, got array");
    CHECK(error_of("42") == "expected object, got integer");
    CHECK(error_of(R"({"version":1,"batches":[]})") == "missing required property 'format'");
    CHECK(error_of(R"({"format":"printmon-export","batches":[]})") ==
          "missing required property 'version'");
    CHECK(error_of(R"({"format":"printmon-export","version":1})") ==
          "missing required property 'batches'");
    CHECK(error_of(R"({"format":"other","version":1,"batches":[]})") ==
          "/format: expected \"printmon-export\"");
    CHECK(error_of(R"({"format":1,"version":1,"batches":[]})") ==
          "/format: expected string, got integer");
    CHECK(error_of(R"({"format":"printmon-export","version":2,"batches":[]})") ==
          "/version: unsupported export version 2; this reader supports 1");
    CHECK(error_of(R"({"format":"printmon-export","version":"1","batches":[]})") ==
          "/version: expected integer, got string");
    CHECK(error_of(R"({"format":"printmon-export","version":1,"batches":{}})") ==
          "/batches: expected array, got object");
    CHECK(error_of(R"({"format":"printmon-export","version":1,"batches":[)" + batch + ",7]}") ==
          "/batches/1: expected object, got integer");
    CHECK(error_of(R"({"format":"printmon-export","version":1,"batches":[)" + batch + ",[]]}") ==
          "/batches/1: expected object, got array");

    // A batch that parse_batch refuses: its pointer is prefixed with the batch's.
    auto bad = golden();
    std::string bad_json = proto::to_json(bad);
    const auto at = bad_json.find("\"schema_version\":1");
    REQUIRE(at != std::string::npos);
    bad_json.replace(at, 18, "\"schema_version\":2");
    CHECK(error_of(R"({"format":"printmon-export","version":1,"batches":[)" + batch + "," +
                   bad_json + "]}") ==
          "/batches/1/schema_version: unsupported schema_version 2; this reader supports "
          "schema_version 1");

    // Deep nesting is refused before anything recurses.
    std::string deep = R"({"format":"printmon-export","version":1,"x":)";
    for (int i = 0; i < 100000; ++i) deep += '[';
    CHECK(error_of(deep) == "nesting deeper than 64 levels");

    // Size cap before parsing.
    const auto big = parse_export(std::string(2000, ' '), 1000);
    REQUIRE_FALSE(big);
    CHECK(big.error().code == proto::DecodeErrorCode::too_large);
}

TEST_CASE("the export envelope's schema is the file in shared/schemas and fits the golden file",
          "[proto][export][schema]") {
    CHECK(proto::export_schema_json() == read_file("shared/schemas/export.v1.schema.json"));
    rapidjson::Document schema_doc;
    schema_doc.Parse(proto::export_schema_json().data(), proto::export_schema_json().size());
    REQUIRE_FALSE(schema_doc.HasParseError());
    const rapidjson::SchemaDocument schema(schema_doc);
    const auto valid = [&schema](const std::string& json) {
        rapidjson::Document doc;
        doc.Parse(json.data(), json.size());
        if (doc.HasParseError()) return false;
        rapidjson::SchemaValidator validator(schema);
        return doc.Accept(validator);
    };
    CHECK(valid(read_file("tests/data/proto/export.json")));
    CHECK(valid(to_export_json({golden()})));
    // The schema's constants are the codec's: a file the schema refuses, the reader refuses.
    CHECK_FALSE(valid(R"({"format":"printmon-export","version":2,"batches":[]})"));
    CHECK_FALSE(parse_export(R"({"format":"printmon-export","version":2,"batches":[]})"));
    CHECK_FALSE(valid(R"({"format":"other","version":1,"batches":[]})"));
    CHECK_FALSE(parse_export(R"({"format":"other","version":1,"batches":[]})"));
    CHECK_FALSE(valid(R"({"format":"printmon-export","version":1})"));
    CHECK_FALSE(parse_export(R"({"format":"printmon-export","version":1})"));
}

TEST_CASE("the streaming pieces make exactly to_export_json's bytes", "[proto][export]") {
    const auto a = golden();
    auto b = golden();
    b.batch_id = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
    const std::string streamed = std::string(proto::export_prefix()) + proto::to_json(a) +
                                 std::string(proto::kExportSeparator) + proto::to_json(b) +
                                 std::string(proto::kExportSuffix);
    CHECK(streamed == to_export_json({a, b}));
    CHECK(std::string(proto::export_prefix()) + std::string(proto::kExportSuffix) ==
          to_export_json({}));
}
