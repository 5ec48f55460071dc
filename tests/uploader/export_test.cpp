// `export`: the outbox written atomically to one file of valid batches, with the same batch
// ids as online delivery, so that the cloud stores an exported-and-uploaded batch once.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "app/service.hpp"
#include "export/export_file.hpp"
#include "net_test_support.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "uploader_support.hpp"

namespace fs = std::filesystem;
using namespace printmon;
using namespace printmon::uploader;
using namespace printmon::uploader::test;

namespace {

const common::SystemClock kClock;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("printmon-export-" + proto::new_uuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

/// Reads an export file: checks the envelope and decodes every batch with parse_batch.
std::vector<proto::Batch> read_export(const fs::path& file) {
    std::ifstream in(file);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document doc;
    doc.Parse(text.str().c_str());
    REQUIRE_FALSE(doc.HasParseError());
    REQUIRE(doc.IsObject());
    REQUIRE(doc.HasMember("format"));
    CHECK(std::string(doc["format"].GetString()) == "printmon-export");
    REQUIRE(doc["version"].IsInt());
    CHECK(doc["version"].GetInt() == 1);
    REQUIRE(doc["batches"].IsArray());
    std::vector<proto::Batch> out;
    for (const auto& b : doc["batches"].GetArray()) {
        rapidjson::StringBuffer sb;
        rapidjson::Writer<rapidjson::StringBuffer> w(sb);
        b.Accept(w);
        auto batch = proto::parse_batch(std::string_view(sb.GetString(), sb.GetSize()));
        INFO((batch ? "" : batch.error().message()));
        REQUIRE(batch);
        out.push_back(std::move(*batch));
    }
    return out;
}

std::size_t count_readings(const std::vector<proto::Batch>& batches) {
    std::size_t n = 0;
    for (const auto& b : batches) n += b.readings.size();
    return n;
}

}  // namespace

TEST_CASE("export writes valid batches atomically; --mark-sent is explicit",
          "[uploader][integration]") {
    BranchDb db;
    db.configure("https://cloud.invalid");
    const auto device = db.add_device("10.0.0.7");
    const auto start =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - 24h;
    const auto ids = db.add_readings(device, 1100, false, start);
    db.add_events(device, 4);
    TempDir dir;
    const auto file = dir.path / "outbox.json";
    {
        std::ofstream old(file);
        old << "previous export";
    }
    auto conn = db.connect();
    Outbox outbox(conn, OutboxOptions{}, kClock);
    const auto settings = outbox.cloud_settings("", "");
    ExportOptions options;
    options.out = file;

    SECTION("without --mark-sent everything stays pending") {
        const auto report = export_outbox(outbox, settings, options);
        CHECK(report.batches == 3);
        CHECK(report.readings == 1100);
        CHECK(report.events == 4);
        const auto batches = read_export(file);
        CHECK(batches.size() == 3);
        CHECK(count_readings(batches) == 1100);
        std::set<std::string> seen;
        for (const auto& b : batches) {
            CHECK(b.scanner_id == kScannerId);
            for (const auto& r : b.readings) CHECK(seen.insert(r.reading_id).second);
        }
        CHECK(seen.size() == ids.size());
        // Each batch carries the queue besides itself: the other two batches are pending too
        // (500 + 500 + 100 readings; the first batch holds the 4 events).
        const long long readings_left[] = {600, 600, 1000};
        const long long events_left[] = {0, 4, 4};
        const std::chrono::seconds oldest[] = {500s, 0s, 0s};
        for (std::size_t i = 0; i < batches.size(); ++i) {
            INFO(i);
            REQUIRE(batches[i].outbox.has_value());
            CHECK(batches[i].outbox->pending_readings == readings_left[i]);
            CHECK(batches[i].outbox->pending_events == events_left[i]);
            REQUIRE(batches[i].outbox->oldest_pending_at.has_value());
            CHECK(proto::parse_rfc3339(*batches[i].outbox->oldest_pending_at) == start + oldest[i]);
        }
        CHECK(db.batches("pending") == 3);
        CHECK(db.unsent_readings() == 1100);
        // Exporting again writes the same batches (same ids), claims nothing new.
        export_outbox(outbox, settings, options);
        const auto again = read_export(file);
        REQUIRE(again.size() == batches.size());
        for (std::size_t i = 0; i < again.size(); ++i) {
            CHECK(again[i].batch_id == batches[i].batch_id);
            CHECK(again[i].readings == batches[i].readings);
        }
    }
    SECTION("--mark-sent marks exactly the exported batches") {
        options.mark_sent = true;
        const auto report = export_outbox(outbox, settings, options);
        CHECK(report.marked_sent == 3);
        CHECK(db.unsent_readings() == 0);
        CHECK(db.batches("sent") == 3);
        CHECK(db.scalar("SELECT count(*) FROM events WHERE sent_at IS NULL") == 0);
        // Rows arriving later are the next export's business.
        db.add_readings(device, 2);
        const auto next = export_outbox(outbox, settings, options);
        CHECK(next.batches == 1);
        CHECK(next.readings == 2);
        CHECK(count_readings(read_export(file)) == 2);
        SECTION("--all re-exports delivered batches too") {
            options.include_sent = true;
            options.mark_sent = false;
            const auto all = export_outbox(outbox, settings, options);
            CHECK(all.batches == 4);
            CHECK(all.readings == 1102);
        }
    }
    SECTION("--since claims only newer rows") {
        options.since = start + 1000s;  // readings are 1 s apart
        const auto report = export_outbox(outbox, settings, options);
        CHECK(report.readings == 100);
        CHECK(db.scalar("SELECT count(*) FROM readings WHERE batch_id IS NULL") == 1000);
    }
    // Atomic: the target is complete, no temporary file is left next to it.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path)) ++files;
    CHECK(files == 1);
}

TEST_CASE("a failed export leaves the old file and marks nothing", "[uploader][integration]") {
    BranchDb db;
    db.configure("https://cloud.invalid");
    db.add_readings(db.add_device("10.0.0.7"), 10);
    auto conn = db.connect();
    Outbox outbox(conn, OutboxOptions{}, kClock);
    ExportOptions options;
    options.out = "/nonexistent-dir/outbox.json";
    options.mark_sent = true;
    CHECK_THROWS_WITH(export_outbox(outbox, outbox.cloud_settings("", ""), options),
                      Catch::Contains("cannot create"));
    CHECK(db.unsent_readings() == 10);
    CHECK(db.batches("sent") == 0);
}

TEST_CASE("exported, imported, then uploaded: the cloud sees the same batch_id once",
          "[uploader][integration]") {
    const net::test::TestPki pki;
    auto store = std::make_shared<CloudStore>();
    TestCloud cloud(pki.server_cert(), pki.server_key(), store);
    BranchDb db;
    db.configure(cloud.url());
    const auto ids = db.add_readings(db.add_device("10.0.0.7"), 600);
    TempDir dir;
    const auto file = dir.path / "outbox.json";
    {
        auto conn = db.connect();
        Outbox outbox(conn, OutboxOptions{}, kClock);
        ExportOptions options;
        options.out = file;
        CHECK(export_outbox(outbox, outbox.cloud_settings("", ""), options).batches == 2);
    }
    // The cloud imports the file (POST /api/v1/import stores batches like ingest does).
    const auto exported = read_export(file);
    {
        std::lock_guard lock(store->mutex);
        for (const auto& batch : exported) CHECK(store->store(batch));
    }
    // Online delivery then sends the same batches: the cloud answers "duplicate".
    ServiceOptions options;
    options.conninfo = db.conninfo();
    options.transport.ca_file = pki.ca();
    Service service(options, kClock);
    const auto result = service.run_cycle();
    CHECK(result.outcome == CycleOutcome::kIdle);
    CHECK(result.batches_sent == 2);
    CHECK(result.duplicates == 2);
    for (const auto& batch : exported) CHECK(store->posts_per_batch[batch.batch_id] == 1);
    CHECK(store->readings.size() == ids.size());
    CHECK(store->readings_stored == ids.size());
    CHECK(store->readings_duplicate == 0);
    CHECK(db.unsent_readings() == 0);
}
