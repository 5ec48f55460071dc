// Golden round trips in both directions and decoder behaviour on well-formed input.

#include <atomic>
#include <limits>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <catch2/catch.hpp>

#include "golden.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/validate.hpp"

namespace printmon::proto {
namespace {

using test::minify;
using test::read_source_file;

std::string strip_final_newline(std::string text) {
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

TEST_CASE("golden snapshots decode and re-encode byte for byte", "[proto][golden]") {
    for (const char* file :
         {"tests/data/proto/snapshot_full.json", "tests/data/proto/snapshot_minimal.json"}) {
        INFO(file);
        const std::string golden = read_source_file(file);
        auto snapshot = parse_snapshot(golden);
        INFO((snapshot ? std::string() : snapshot.error().message()));
        REQUIRE(snapshot.has_value());
        CHECK(to_json(*snapshot, JsonStyle::pretty) == strip_final_newline(golden));
        CHECK(to_json(*snapshot) == minify(golden));
    }
}

TEST_CASE("golden batch decodes and re-encodes byte for byte", "[proto][golden]") {
    const std::string golden = read_source_file("tests/data/proto/batch.json");
    auto batch = parse_batch(golden);
    INFO((batch ? std::string() : batch.error().message()));
    REQUIRE(batch.has_value());
    CHECK(to_json(*batch, JsonStyle::pretty) == strip_final_newline(golden));
    CHECK(to_json(*batch) == minify(golden));
}

TEST_CASE("golden batch with the outbox member decodes and re-encodes byte for byte",
          "[proto][golden][outbox]") {
    const std::string golden = read_source_file("tests/data/proto/batch_outbox.json");
    auto batch = parse_batch(golden);
    INFO((batch ? std::string() : batch.error().message()));
    REQUIRE(batch.has_value());
    CHECK(to_json(*batch, JsonStyle::pretty) == strip_final_newline(golden));
    CHECK(to_json(*batch) == minify(golden));
    REQUIRE(batch->outbox.has_value());
    CHECK(batch->outbox->pending_readings == 1250);
    CHECK(batch->outbox->pending_events == 7);
    CHECK(batch->outbox->oldest_pending_at ==
          std::optional<std::string>("2026-11-24T13:05:00.250Z"));
    // Apart from the outbox it is the plain golden batch.
    auto plain = parse_batch(read_source_file("tests/data/proto/batch.json"));
    REQUIRE(plain.has_value());
    CHECK_FALSE(plain->outbox.has_value());
    batch->outbox.reset();
    CHECK(*batch == *plain);
}

TEST_CASE("a supply's pages_remaining is optional: absent stays absent, negative is refused",
          "[proto][roundtrip][evolution]") {
    auto golden = parse_snapshot(read_source_file("tests/data/proto/snapshot_full.json"));
    REQUIRE(golden.has_value());
    DeviceSnapshot s = *golden;
    s.supplies.resize(1);
    REQUIRE_FALSE(s.supplies[0].pages_remaining.has_value());
    // Absent: not written, so documents read by older versions are unchanged.
    CHECK(to_json(s).find("pages_remaining") == std::string::npos);
    s.supplies[0].pages_remaining = 12400;
    const std::string json = to_json(s);
    CHECK(json.find("\"pages_remaining\":12400") != std::string::npos);
    auto decoded = parse_snapshot(json);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == s);
    CHECK(validate_snapshot_json(json).has_value());
    std::string negative = json;
    negative.replace(negative.find("12400"), 5, "-5");
    const auto bad = parse_snapshot(negative);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message().find("pages_remaining") != std::string::npos);
    CHECK_FALSE(validate_snapshot_json(negative).has_value());
    std::string null_value = json;
    null_value.replace(null_value.find("12400"), 5, "null");
    const auto unknown = parse_snapshot(null_value);
    REQUIRE(unknown.has_value());
    CHECK_FALSE(unknown->supplies[0].pages_remaining.has_value());
}

TEST_CASE("the outbox member round-trips; absent stays absent", "[proto][roundtrip][outbox]") {
    Batch batch = test::sample_batch();
    REQUIRE_FALSE(batch.outbox.has_value());
    CHECK(to_json(batch).find("\"outbox\"") == std::string::npos);

    SECTION("nothing pending: no oldest_pending_at is written") {
        batch.outbox = OutboxBacklog{};
        const std::string json = to_json(batch);
        CHECK(json.find("\"outbox\":{\"pending_readings\":0,\"pending_events\":0}") !=
              std::string::npos);
        auto decoded = parse_batch(json);
        REQUIRE(decoded.has_value());
        CHECK(decoded->outbox == batch.outbox);
        CHECK_FALSE(decoded->outbox->oldest_pending_at.has_value());
    }
    SECTION("64-bit counts and a nanosecond time") {
        batch.outbox = OutboxBacklog{std::numeric_limits<std::int64_t>::max(), 3,
                                     "2026-11-24T12:59:59.123456789Z"};
        for (JsonStyle style : {JsonStyle::compact, JsonStyle::pretty}) {
            const std::string json = to_json(batch, style);
            auto decoded = parse_batch(json);
            INFO((decoded ? std::string() : decoded.error().message()));
            REQUIRE(decoded.has_value());
            CHECK(*decoded == batch);
            CHECK(to_json(*decoded, style) == json);
        }
    }
}

TEST_CASE("golden full snapshot decodes to the expected model", "[proto][golden]") {
    auto parsed = parse_snapshot(read_source_file("tests/data/proto/snapshot_full.json"));
    REQUIRE(parsed.has_value());
    const DeviceSnapshot& s = *parsed;
    CHECK(s.address == "10.20.4.31");
    CHECK(s.polled_at == "2026-11-24T13:00:00Z");
    CHECK(s.uptime == std::optional<std::int64_t>(1893412));
    CHECK(s.identity.vendor == "Ricoh");
    CHECK(s.identity.mac == "00:26:73:5a:1c:9e");
    CHECK(s.identity.sys_object_id == ".1.3.6.1.4.1.367.1.1");
    REQUIRE(s.counters.size() == 15);
    CHECK(s.counters.at("total") == 118331);
    CHECK(s.counters.at("mono") + s.counters.at("color") == s.counters.at("total"));
    CHECK(s.counters.at("large_size") == 5230);  // vendor-specific names survive
    REQUIRE(s.supplies.size() == 6);
    CHECK(s.supplies[2].color == "magenta");
    CHECK(s.supplies[2].level_percent == std::optional<int>(10));
    CHECK(s.supplies[2].state == SupplyState::low);
    CHECK(s.supplies[4].supply_class == SupplyClass::receptacle);
    CHECK(s.supplies[4].state == SupplyState::some_remaining);
    CHECK(s.supplies[4].level == std::optional<std::int64_t>(-3));
    CHECK_FALSE(s.supplies[4].level_percent.has_value());
    CHECK(s.supplies[5].source == "profile:ricoh");
    CHECK(s.supplies[5].pages_remaining == std::optional<std::int64_t>(58400));
    CHECK_FALSE(s.supplies[4].pages_remaining.has_value());
    REQUIRE(s.trays.size() == 3);
    CHECK(s.trays[1].state == TrayState::empty);
    CHECK_FALSE(s.trays[2].level.has_value());
    CHECK(s.trays[2].max == std::optional<std::int64_t>(100));
    CHECK(s.status.device == DeviceStatus::warning);
    CHECK(s.status.printer == PrinterStatus::idle);
    CHECK(s.status.errors == std::vector<std::string>{"low_toner", "input_tray_empty"});
    REQUIRE(s.status.alerts.size() == 2);
    CHECK(s.status.alerts[1].code == 808);
    CHECK(s.status.alerts[1].group == "input");
}

TEST_CASE("golden batch decodes to the expected model", "[proto][golden]") {
    auto parsed = parse_batch(read_source_file("tests/data/proto/batch.json"));
    REQUIRE(parsed.has_value());
    const Batch& b = *parsed;
    CHECK(b.schema_version == 1);
    CHECK(b.batch_id == "3e0f5c1a-7d42-4b8e-a1c9-5f6e7d8c9b0a");
    CHECK(b.created_at == "2026-11-24T13:00:05Z");
    REQUIRE(b.devices.size() == 2);
    CHECK(b.devices[0].location == "B\xC3\xBCro 2. OG, Raum 214");
    CHECK(b.devices[1].last_seen == "2026-11-24T12:00:01.250Z");
    REQUIRE(b.readings.size() == 3);
    CHECK(b.readings[1].device_id == b.devices[1].device_id);
    CHECK(b.readings[0].snapshot.counters.at("total") + 37 ==
          b.readings[2].snapshot.counters.at("total"));
    REQUIRE(b.events.size() == 2);
    CHECK(b.events[0].action == "cleared");
    CHECK(b.events[1].code == "input_tray_empty");
    // The third reading is the full golden snapshot.
    auto full = parse_snapshot(read_source_file("tests/data/proto/snapshot_full.json"));
    REQUIRE(full.has_value());
    CHECK(b.readings[2].snapshot == *full);
}

TEST_CASE("model encodes and decodes to an equal model", "[proto][roundtrip]") {
    const Batch batch = test::sample_batch();
    for (JsonStyle style : {JsonStyle::compact, JsonStyle::pretty}) {
        const std::string json = to_json(batch, style);
        auto decoded = parse_batch(json);
        INFO((decoded ? std::string() : decoded.error().message()));
        REQUIRE(decoded.has_value());
        CHECK(*decoded == batch);
        // Encoding is deterministic: decoding and re-encoding gives the same bytes.
        CHECK(to_json(*decoded, style) == json);
    }
    for (const Reading& reading : batch.readings) {
        auto decoded = parse_snapshot(to_json(reading.snapshot));
        REQUIRE(decoded.has_value());
        CHECK(*decoded == reading.snapshot);
    }
}

TEST_CASE("default-constructed values encode to what the schema accepts", "[proto][roundtrip]") {
    DeviceSnapshot snapshot;
    snapshot.address = "h";
    snapshot.polled_at = "2026-01-01T00:00:00Z";
    snapshot.supplies.emplace_back();
    snapshot.trays.emplace_back();
    snapshot.status.alerts.emplace_back();
    auto decoded = parse_snapshot(to_json(snapshot));
    INFO((decoded ? std::string() : decoded.error().message()));
    REQUIRE(decoded.has_value());
    CHECK(*decoded == snapshot);
}

TEST_CASE("encoder writes enums as snake_case names and absent numbers as null", "[proto]") {
    DeviceSnapshot snapshot;
    snapshot.address = "10.0.0.1";
    snapshot.polled_at = "2026-01-01T00:00:00Z";
    Supply supply;
    supply.state = SupplyState::some_remaining;
    supply.supply_class = SupplyClass::receptacle;
    snapshot.supplies.push_back(supply);
    snapshot.counters["total"] = 9'000'000'000;
    const std::string json = to_json(snapshot);

    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    REQUIRE_FALSE(doc.HasParseError());
    const auto& s = doc["supplies"][0];
    CHECK(std::string(s["state"].GetString()) == "some_remaining");
    CHECK(std::string(s["class"].GetString()) == "receptacle");
    CHECK(s["level_percent"].IsNull());
    CHECK(s["level"].IsNull());
    CHECK(doc["uptime"].IsNull());
    REQUIRE(doc["counters"]["total"].IsInt64());
    CHECK(doc["counters"]["total"].GetInt64() == 9'000'000'000);
    CHECK(json.find("9000000000") != std::string::npos);  // an integer literal, not 9e9
}

TEST_CASE("invalid UTF-8 from a device is replaced, not passed on", "[proto]") {
    DeviceSnapshot snapshot;
    snapshot.address = "10.0.0.1";
    snapshot.polled_at = "2026-01-01T00:00:00Z";
    snapshot.identity.sys_descr = "Imprimante \xE9quipe\xFF";  // Latin-1 bytes
    snapshot.status.console = "ok \xE2\x82\xAC";               // valid UTF-8 euro sign stays
    auto decoded = parse_snapshot(to_json(snapshot));
    REQUIRE(decoded.has_value());
    CHECK(decoded->identity.sys_descr == "Imprimante \xEF\xBF\xBDquipe\xEF\xBF\xBD");
    CHECK(decoded->status.console == snapshot.status.console);
}

/// Adds `"name": value` to the object at `pointer` in `doc`.
void add_member(rapidjson::Document& doc, const char* pointer, const char* name,
                rapidjson::Value value) {
    rapidjson::Value* target = rapidjson::Pointer(pointer).Get(doc);
    REQUIRE(target != nullptr);
    REQUIRE(target->IsObject());
    target->AddMember(rapidjson::StringRef(name), value, doc.GetAllocator());
}

TEST_CASE("unknown fields are ignored at every level", "[proto][evolution]") {
    const std::string golden = read_source_file("tests/data/proto/batch.json");
    rapidjson::Document doc;
    doc.Parse(golden.data(), golden.size());
    REQUIRE_FALSE(doc.HasParseError());
    auto& a = doc.GetAllocator();
    add_member(doc, "", "compression", rapidjson::Value("zstd"));
    add_member(doc, "/devices/0", "tags", rapidjson::Value(rapidjson::kArrayType));
    add_member(doc, "/devices/1/identity", "asset_tag", rapidjson::Value("INV-0042"));
    add_member(doc, "/readings/0", "sequence", rapidjson::Value(17));
    add_member(doc, "/readings/0/snapshot", "rtt_ms", rapidjson::Value(12.5));
    add_member(doc, "/readings/0/snapshot/supplies/0", "part_number", rapidjson::Value("842095"));
    add_member(doc, "/readings/0/snapshot/trays/0", "media", rapidjson::Value("A4"));
    rapidjson::Value extra(rapidjson::kObjectType);
    extra.AddMember("nested", rapidjson::Value(rapidjson::kArrayType), a);
    add_member(doc, "/readings/0/snapshot/status", "extra", std::move(extra));
    add_member(doc, "/events/0", "severity", rapidjson::Value("info"));
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);

    auto extended = parse_batch(buffer.GetString());
    INFO((extended ? std::string() : extended.error().message()));
    REQUIRE(extended.has_value());
    auto plain = parse_batch(golden);
    REQUIRE(plain.has_value());
    CHECK(*extended == *plain);
    // Re-encoding drops what this reader does not know.
    CHECK(to_json(*extended) == minify(golden));
}

TEST_CASE("64-bit counters keep every digit", "[proto]") {
    DeviceSnapshot snapshot;
    snapshot.address = "a";
    snapshot.polled_at = "2026-01-01T00:00:00Z";
    snapshot.counters["total"] = 9'007'199'254'740'993;  // 2^53 + 1: not a double
    const std::string json = to_json(snapshot);
    CHECK(json.find("\"total\":9007199254740993") != std::string::npos);
    auto decoded = parse_snapshot(json);
    REQUIRE(decoded.has_value());
    CHECK(decoded->counters.at("total") == 9'007'199'254'740'993);
}

}  // namespace
}  // namespace printmon::proto

namespace printmon::proto {
namespace {

TEST_CASE("decoding is safe from several threads at once", "[proto][threads]") {
    // RapidJSON 1.1's compiled regexes are not thread-safe; the library must not share them.
    const std::string golden = test::read_source_file("tests/data/proto/batch.json");
    const std::string bad =
        test::read_source_file("tests/data/proto/invalid/batch_counter_negative.json");
    std::atomic<int> good_count{0};
    std::atomic<int> bad_count{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i) {
                if (parse_batch(golden).has_value()) ++good_count;
                auto rejected = parse_batch(bad);
                if (!rejected && rejected.error().pointer == "/readings/1/snapshot/counters/total")
                    ++bad_count;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(good_count == 100);
    CHECK(bad_count == 100);
}

}  // namespace
}  // namespace printmon::proto
