// Load generator for POST /api/v1/ingest (bench/ingest/run): pre-builds gzipped batches of
// fresh readings (so encoding costs are not measured), then posts them over HTTPS from several
// threads, one connection per request like the uploader, and prints one line of key=value
// results.
//
//   cloud_api_ingest_load URL KEY SCANNER_ID CA_FILE BATCHES READINGS_PER_BATCH THREADS
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "printmon/net/client.hpp"
#include "printmon/net/gzip.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"

using namespace printmon;

namespace {

// A realistic reading: a colour MFP with 15 counters, 4 toners, drum, waste, 3 trays.
// Reading i of a batch is taken (n - i) minutes before now: a device's counters grow with time
// as a real printer's do (decreasing counters would be counter-epoch changes, a rare event).
proto::Reading make_reading(const std::string& device_id, std::size_t i, std::size_t n) {
    proto::Reading r;
    r.reading_id = proto::new_uuid();
    r.device_id = device_id;
    auto& s = r.snapshot;
    s.address = "10.20.4." + std::to_string(i % 250);
    s.polled_at = proto::format_rfc3339(std::chrono::system_clock::now() -
                                        std::chrono::minutes(static_cast<long>(n - i)));
    s.uptime = static_cast<std::int64_t>(1'000'000 + i);
    s.identity = {"Ricoh",
                  "IM C3000",
                  "3101R810456",
                  "00:26:73:5a:1c:9e",
                  "1.08",
                  "RICOH IM C3000 1.08 / RICOH Network Printer C model",
                  ".1.3.6.1.4.1.367.1.1",
                  "RNP00267355A1C9E"};
    std::int64_t base = static_cast<std::int64_t>(100'000 + i * 7);
    for (const auto& name : proto::well_known_counters()) s.counters[name] = base++;
    for (const char* color : {"black", "cyan", "magenta", "yellow"}) {
        proto::Supply sup;
        sup.description = std::string(color) + " toner";
        sup.type = "toner";
        sup.color = color;
        sup.level_percent = static_cast<int>(100 - (i * 100) / n);  // used up over time
        sup.state = proto::SupplyState::ok;
        sup.level = sup.level_percent;
        sup.max = 100;
        sup.unit = "percent";
        sup.source = "printer-mib";
        s.supplies.push_back(sup);
    }
    for (int t = 1; t <= 3; ++t) {
        proto::Tray tray;
        tray.name = "Tray " + std::to_string(t);
        tray.description = tray.name;
        tray.type = "sheet_feed_auto_removable";
        tray.level = 250;
        tray.max = 500;
        tray.level_percent = 50;
        tray.state = proto::TrayState::ok;
        s.trays.push_back(tray);
    }
    s.status.device = proto::DeviceStatus::running;
    s.status.printer = proto::PrinterStatus::idle;
    s.status.console = "Ready";
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 8) {
        std::fprintf(stderr,
                     "usage: %s URL KEY SCANNER_ID CA_FILE BATCHES READINGS_PER_BATCH THREADS\n",
                     argv[0]);
        return 2;
    }
    const std::string url = argv[1];
    const std::string key = argv[2];
    const std::string scanner_id = argv[3];
    const std::string ca_file = argv[4];
    const auto batches = static_cast<std::size_t>(std::stoul(argv[5]));
    const auto per_batch = static_cast<std::size_t>(std::stoul(argv[6]));
    const auto threads = static_cast<std::size_t>(std::stoul(argv[7]));

    // 50 devices per batch, like a mid-size branch.
    std::vector<std::string> bodies;
    std::size_t json_bytes = 0;
    std::size_t wire_bytes = 0;
    for (std::size_t b = 0; b < batches; ++b) {
        proto::Batch batch;
        batch.batch_id = proto::new_uuid();
        batch.scanner_id = scanner_id;
        batch.scanner_version = "0.1.0";
        batch.created_at = proto::format_rfc3339(std::chrono::system_clock::now());
        for (int d = 0; d < 50; ++d) {
            proto::BatchDevice dev;
            dev.device_id = proto::new_uuid();
            dev.address = "10.20.4." + std::to_string(d);
            dev.identity = {
                "Ricoh", "IM C3000", "SER" + std::to_string(b * 50 + static_cast<std::size_t>(d)),
                "",      "1.08",     "",
                "",      ""};
            dev.first_seen = batch.created_at;
            dev.last_seen = batch.created_at;
            batch.devices.push_back(dev);
        }
        for (std::size_t i = 0; i < per_batch; ++i) {
            batch.readings.push_back(
                make_reading(batch.devices[i % batch.devices.size()].device_id, i, per_batch));
        }
        const std::string json = proto::to_json(batch);
        json_bytes += json.size();
        bodies.push_back(net::gzip_compress(json));
        wire_bytes += bodies.back().size();
    }

    net::HttpClientOptions options;
    options.ca_file = ca_file;
    const net::HttpClient client(options);
    const net::Headers headers{{"Authorization", "Bearer " + key},
                               {"Content-Type", "application/json"},
                               {"Content-Encoding", "gzip"}};
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> ok{0};
    std::atomic<std::size_t> failed{0};
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            for (std::size_t i = next++; i < bodies.size(); i = next++) {
                auto r = client.post(url, bodies[i], headers);
                if (r && r->status == 200 &&
                    r->body.find("\"status\":\"stored\"") != std::string::npos) {
                    ++ok;
                } else {
                    ++failed;
                    std::fprintf(stderr, "batch %zu: %s\n", i,
                                 r ? (std::to_string(r->status) + " " + r->body).c_str()
                                   : r.error().message.c_str());
                }
            }
        });
    }
    for (auto& t : pool) t.join();
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
    const double readings = static_cast<double>(ok.load() * per_batch);
    std::printf(
        "batches=%zu failed=%zu readings=%.0f seconds=%.3f readings_per_s=%.0f "
        "json_bytes_per_reading=%.0f wire_bytes_per_reading=%.1f\n",
        ok.load(), failed.load(), readings, wall.count(), readings / wall.count(),
        static_cast<double>(json_bytes) / static_cast<double>(batches * per_batch),
        static_cast<double>(wire_bytes) / static_cast<double>(batches * per_batch));
    return failed.load() == 0 ? 0 : 1;
}
