// Values of the wrong type (issue 13: "malformed private blocks ... yield unknown, never
// garbage"): a broken agent may answer a text object with a number, an OBJECT IDENTIFIER, an
// IpAddress or a TimeTicks. Every recording the project owns (and the corpus, when
// PRINTMON_CORPUS_DIR names it) is replayed with a seeded share of its text values swapped for such
// types, each carrying a marker; no marker may surface in any text of the snapshot. A chaos run of
// the corpus found hrDeviceDescr answered as an OBJECT IDENTIFIER reported as the model
// "1.3.6.1.4.1.2435.2.3.9.1".
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "collector_support.hpp"
#include "printmon/proto/codec.hpp"

namespace fs = std::filesystem;
using namespace printmon;
using namespace printmon::scanner;
using snmp::MibView;
using snmp::Value;
using snmp::ValueType;

namespace {

// Markers no recording holds: the OID 1.3.6.1.4.1.64999.<n>, the address 192.0.2.99
// (TEST-NET-1), the TimeTicks 918273645, the INTEGER 736451928 and the Counter64
// 55512345678 (numbers only in standard objects, mib-2 and PWG's: a vendor's private identity
// object may really be an INTEGER, and its digits are then the value).
constexpr std::uint32_t kMarkerEnterprise = 64999;
constexpr std::int64_t kMarkerTicks = 918273645;
constexpr std::int64_t kMarkerInteger = 736451928;
constexpr std::int64_t kMarkerCounter = 55512345678;
const snmp::Oid kMib2 = {1, 3, 6, 1, 2, 1};
const snmp::Oid kPwg = {1, 3, 6, 1, 4, 1, 2699};

/// A copy of `view` with 3 in 16 of its text values retyped, 5 in 16 in standard objects (seeded,
/// so a failure replays); how many were swapped goes to `swapped`.
MibView retyped(const MibView& view, std::uint32_t seed, int& swapped) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> pick(0, 15);
    MibView out = view;
    swapped = 0;
    for (auto& [oid, value] : out) {
        if (value.type != ValueType::octets) continue;
        const int k = pick(rng);
        const bool standard = snmp::starts_with(oid, kMib2) || snmp::starts_with(oid, kPwg);
        if (k > 4 || (k > 2 && !standard)) continue;
        Value v;
        if (k == 0) {
            v.type = ValueType::object_id;
            v.oid = {1, 3, 6, 1, 4, 1, kMarkerEnterprise, static_cast<std::uint32_t>(swapped)};
        } else if (k == 1) {
            v.type = ValueType::ip_address;
            v.bytes = std::string("\xC0\x00\x02\x63", 4);
        } else if (k == 2) {
            v.type = ValueType::timeticks;
            v.number = kMarkerTicks;
        } else if (k == 3) {
            v.type = ValueType::integer;
            v.number = kMarkerInteger;
        } else {
            v.type = ValueType::counter64;
            v.number = kMarkerCounter;
        }
        value = v;
        ++swapped;
    }
    return out;
}

/// Every text the snapshot carries to the scanner's database and the cloud.
std::vector<std::string> texts(const proto::DeviceSnapshot& s) {
    const auto& id = s.identity;
    std::vector<std::string> out = {id.vendor,   id.model,     id.serial,   id.mac,
                                    id.firmware, id.sys_descr, id.sys_name, s.status.console};
    for (const auto& x : s.supplies) out.insert(out.end(), {x.description, x.type, x.color});
    for (const auto& x : s.trays) out.insert(out.end(), {x.name, x.description, x.type});
    for (const auto& x : s.covers) out.push_back(x.description);
    for (const auto& x : s.status.alerts) out.push_back(x.description);
    return out;
}

/// Checks one recording under three seeds; returns how many values were retyped in all.
int check_recording(const std::string& name, const MibView& recording) {
    int total = 0;
    for (std::uint32_t seed = 1; seed <= 3; ++seed) {
        int swapped = 0;
        const auto view = retyped(recording, seed, swapped);
        total += swapped;
        INFO(name << ", seed " << seed << " (" << swapped << " values retyped)");
        const auto result = test::collect(view);
        for (const auto& t : texts(result.snapshot)) {
            INFO("text: " << t);
            CHECK(t.find("64999") == std::string::npos);
            CHECK(t.find("192.0.2.99") == std::string::npos);
            CHECK(t.find("918273645") == std::string::npos);
            CHECK(t.find("736451928") == std::string::npos);
            CHECK(t.find("55512345678") == std::string::npos);
        }
        // And the snapshot stays a document the protocol accepts (levels, counters).
        CHECK(proto::parse_snapshot(proto::to_json(result.snapshot)));
    }
    return total;
}

int check_folder(const fs::path& dir) {
    int recordings = 0;
    int swapped = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.path().extension() != ".snmprec") continue;
        const auto view = snmp::read_snmprec_file(entry.path().string());
        if (!view) continue;  // the reader's own tests hold the deliberately broken files
        swapped += check_recording(entry.path().string(), *view);
        ++recordings;
    }
    INFO(dir.string());
    CHECK(recordings > 0);
    return swapped;
}

}  // namespace

TEST_CASE("text answered as a number, OID, address or time surfaces nowhere",
          "[collector][hostile]") {
    // The project's own recordings: the vendor blocks and partial agents of issue 13.
    int swapped = check_folder(PRINTMON_PARTIAL_DATA);
    swapped += check_folder(PRINTMON_COLLECTOR_DATA);
    CHECK(swapped > 200);  // the swaps really reach the recordings' text

    const char* corpus = std::getenv("PRINTMON_CORPUS_DIR");
    if (corpus == nullptr || *corpus == '\0') {
        WARN("PRINTMON_CORPUS_DIR not set: corpus recordings not retyped");
        return;
    }
    CHECK(check_folder(corpus) > 500);
}

TEST_CASE("a maker's own identity object typed INTEGER reads as its digits, a standard one never",
          "[collector][identity]") {
    const auto put = [](MibView& v, const char* oid, ValueType type, std::int64_t n) {
        Value x;
        x.type = type;
        x.number = n;
        v[*snmp::parse_oid(oid)] = x;
    };
    MibView v;
    Value sys_oid;
    sys_oid.type = ValueType::object_id;
    sys_oid.oid = {1, 3, 6, 1, 4, 1, 1602, 4, 7};  // Canon
    v[{1, 3, 6, 1, 2, 1, 1, 2, 0}] = sys_oid;
    // Canon's serial object typed INTEGER (canServInfoSerialNumberDeviceNumber): its digits.
    put(v, "1.3.6.1.4.1.1602.1.2.1.8.1.3.1.1", ValueType::integer, 2845103);
    // The model objects Canon's profile reads: its own and PWG's ppmPrinterName, both numbers;
    // the firmware object a TimeTicks.
    put(v, "1.3.6.1.4.1.1602.1.1.1.1.0", ValueType::gauge32, 0);
    put(v, "1.3.6.1.4.1.2699.1.2.1.2.1.1.2.1", ValueType::integer, 5535);
    put(v, "1.3.6.1.4.1.1602.1.1.1.4.0", ValueType::timeticks, 123456);
    // prtGeneralSerialNumber and hrDeviceDescr typed INTEGER.
    put(v, "1.3.6.1.2.1.43.5.1.1.17.1", ValueType::integer, 777);
    put(v, "1.3.6.1.2.1.25.3.2.1.3.1", ValueType::integer, 4242);
    const auto r = test::collect(v);
    const auto& id = r.snapshot.identity;
    CHECK(id.vendor == "Canon");
    CHECK(id.serial == "2845103");
    CHECK(id.model.empty());  // not "0" (all zeros) and not PWG's 5535
    CHECK(id.firmware.empty());
}
