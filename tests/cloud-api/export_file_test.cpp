// The offline export file envelope: valid files round-trip, malformed ones are refused with a
// JSON pointer into the file.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "ingest/export_file.hpp"
#include "printmon/proto/codec.hpp"
#include "state.hpp"

using namespace printmon;
using cloud::ingest::parse_export;
using cloud::ingest::to_export_json;

namespace {

std::string read_file(const std::string& relative) {
    std::ifstream in(test::source_dir() + "/" + relative);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
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

TEST_CASE("an export file round-trips through to_export_json and parse_export", "[cloud][export]") {
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

TEST_CASE("the example export file in tests/data/cloud is valid", "[cloud][export]") {
    const auto parsed = parse_export(read_file("tests/data/cloud/export_example.json"));
    REQUIRE(parsed);
    REQUIRE(parsed->size() == 2);
    CHECK((*parsed)[0].readings.size() == 1);
    CHECK((*parsed)[1].events.size() == 1);
}

TEST_CASE("unknown properties of the envelope are ignored", "[cloud][export]") {
    const std::string batch = proto::to_json(golden());
    const auto parsed =
        parse_export(R"({"exported_at":"2026-11-24T13:00:00Z","extra":{"a":[1,{"b":null}]},)"
                     R"("format":"printmon-export","version":1,"batches":[)" +
                     batch + "]}");
    REQUIRE(parsed);
    CHECK(parsed->size() == 1);
}

TEST_CASE("malformed export files are refused precisely", "[cloud][export]") {
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
