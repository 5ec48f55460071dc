#include "golden.hpp"

#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <catch2/catch.hpp>

namespace printmon::proto::test {

std::string read_source_file(const std::string& relative) {
    const char* root = std::getenv("PRINTMON_SOURCE_DIR");
    INFO("PRINTMON_SOURCE_DIR is not set: run the test through ctest");
    REQUIRE(root != nullptr);
    const std::string path = std::string(root) + "/" + relative;
    std::ifstream in(path, std::ios::binary);
    INFO("reading " << path);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string minify(const std::string& json) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    REQUIRE_FALSE(doc.HasParseError());
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
}

Batch sample_batch() {
    DeviceSnapshot snapshot;
    snapshot.address = "2001:db8::17";
    snapshot.polled_at = "2026-11-24T13:00:00.123456789Z";
    snapshot.uptime = std::int64_t{4'294'967'296};  // past 32 bits
    snapshot.identity = {"Kyocera",
                         "ECOSYS M5526cdw",
                         "VCF9X01234",
                         "00:c0:ee:12:34:56",
                         "2S0_2000.004.012",
                         "KYOCERA Document Solutions Printing System \"quoted\"\n\ttab",
                         ".1.3.6.1.4.1.1347.41",
                         "KM123456"};
    snapshot.counters = {{"total", std::numeric_limits<std::int64_t>::max()},
                         {"color", 0},
                         {"vendor_a3_long_edge_feed_counter_with_exactly_64_characters_xyz", 7}};
    Supply toner;
    toner.description = "Toner TK-5240K";
    toner.type = "toner";
    toner.color = "black";
    toner.level_percent = 0;
    toner.state = SupplyState::empty;
    toner.level = 0;
    toner.max = 100;
    toner.unit = "percent";
    toner.source = "printer-mib";
    Supply waste;
    waste.description = "Waste toner box";
    waste.type = "waste_toner";
    waste.state = SupplyState::not_installed;
    waste.level = -2;
    waste.unit = "other";
    waste.supply_class = SupplyClass::receptacle;
    waste.source = "profile:kyocera";
    Supply unrestricted;
    unrestricted.description = "Staples";
    unrestricted.state = SupplyState::unrestricted;
    snapshot.supplies = {toner, waste, unrestricted};
    Tray cassette{"Cassette 1", "Cassette 1", "sheet_feed_auto_removable", 250, 250,
                  100,          TrayState::ok};
    Tray missing{"Cassette 2", "Cassette 2", "sheet_feed_auto_removable", std::nullopt,
                 std::nullopt, std::nullopt, TrayState::not_installed};
    Tray low{"MP tray", "MP tray", "sheet_feed_manual", 5, 100, 5, TrayState::low};
    snapshot.trays = {cassette, missing, low};
    snapshot.status.device = DeviceStatus::down;
    snapshot.status.printer = PrinterStatus::warmup;
    snapshot.status.errors = {"no_toner", "door_open", "overdue_prevent_maint"};
    snapshot.status.alerts = {{"critical", "marker_supplies", 1101, "Toner empty (K)"},
                              {"warning_binary_change_event", "cover", -1, "Front cover open"}};
    snapshot.status.console = "Add toner / Close front cover / Ünïcödé ✓";

    Batch batch;
    batch.batch_id = "00000000-0000-4000-8000-000000000000";
    batch.scanner_id = "scanner-7";
    batch.scanner_version = "0.1.0+dirty";
    batch.created_at = "2026-11-24T13:00:01Z";
    BatchDevice device;
    device.device_id = "11111111-2222-4333-8444-555555555555";
    device.address = snapshot.address;
    device.location = "Lager / Halle 3";
    device.identity = snapshot.identity;
    device.first_seen = "2026-01-01T00:00:00Z";
    device.last_seen = snapshot.polled_at;
    batch.devices = {device};
    batch.readings = {{"22222222-3333-4444-8555-666666666666", device.device_id, snapshot}};
    DeviceSnapshot later = snapshot;
    later.polled_at = "2026-11-24T13:05:00Z";
    later.uptime.reset();
    later.counters["total"] -= 1;  // any value in range
    batch.readings.push_back({"33333333-4444-4555-8666-777777777777", device.device_id, later});
    batch.events = {
        {"44444444-5555-4666-8777-888888888888", device.device_id, "2026-11-24T13:04:59Z", "error",
         "door_open", "appeared", ""},
        {"55555555-6666-4777-8888-999999999999", device.device_id, "2026-11-24T13:05:00Z",
         "supply_change", "toner_black", "cleared", "replaced"}};
    return batch;
}

}  // namespace printmon::proto::test
