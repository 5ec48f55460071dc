// Full reads and repeat polls of the synthetic printers (tests/data/printers) and, when
// PRINTMON_CORPUS_DIR is set, of every corpus recording, through a real snmpsim: a repeat
// poll must produce exactly the snapshot a full read produces, in at most 3 requests.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "app/probe.hpp"
#include "read_device.hpp"
#include "sim.hpp"

namespace fs = std::filesystem;
using namespace printmon::scanner;
using printmon::scanner::test::read_device;
using printmon::test::Sim;
using printmon::test::TempDir;

namespace {

/// Returns the full reads by community, for checks on what they found.
std::map<std::string, ProbeOutcome> check_folder(const fs::path& recordings, int max_full,
                                                 int max_repeat) {
    std::map<std::string, ProbeOutcome> fulls;
    TempDir tmp;
    Sim sim(tmp.path / "sim", recordings);
    const auto profiles = ProfileSet::embedded();
    int checked = 0;
    for (const auto& entry : fs::recursive_directory_iterator(recordings)) {
        if (entry.path().extension() != ".snmprec") continue;
        auto community = fs::relative(entry.path(), recordings).replace_extension("").string();
        INFO(community);
        snmp::Target t;
        t.host = "127.0.0.1";
        t.port = sim.port;
        t.credentials.community = community;
        const auto full = read_device(t, profiles, nullptr);
        if (!full.result) continue;  // recordings without a system group do not answer
        CHECK(full.requests <= max_full);
        const auto again = read_device(t, profiles, &full.view);
        REQUIRE(again.result.has_value());
        CHECK(again.requests <= max_repeat);
        auto snap = again.result->snapshot;
        snap.polled_at = full.result->snapshot.polled_at;
        CHECK(snap == full.result->snapshot);
        ++checked;
        fulls.emplace(community, full);
    }
    CHECK(checked > 0);
    return fulls;
}

}  // namespace

TEST_CASE("repeat polls equal full reads on the synthetic printers", "[poll]") {
    check_folder(fs::path(printmon::test::source_dir()) / "tests/data/printers", 12, 3);
}

TEST_CASE("repeat polls equal full reads on the corpus", "[poll][corpus]") {
    const char* corpus = std::getenv("PRINTMON_CORPUS_DIR");
    if (corpus == nullptr || !fs::is_directory(corpus)) {
        WARN("PRINTMON_CORPUS_DIR not set: corpus repeat-poll check skipped");
        return;
    }
    check_folder(corpus, 12, 3);
}

TEST_CASE("partial agents with private MIBs: identified over the network, within the budget",
          "[poll][partial]") {
    // Phase 3 (the profile found from phase 2's identity objects) must still fit 12 requests.
    const auto fulls =
        check_folder(fs::path(printmon::test::source_dir()) / "tests/data/snmprec/partial", 12, 3);
    CHECK(fulls.size() == 79);
    for (const auto& [community, full] : fulls) {
        INFO(community);
        REQUIRE(full.result.has_value());
        if (community == "private-junk") continue;  // nothing names it, on purpose
        CHECK_FALSE(full.result->snapshot.identity.vendor.empty());
        CHECK_FALSE(full.result->snapshot.identity.model.empty());
    }
    CHECK(fulls.at("private-junk").result->snapshot.identity.vendor.empty());
    // Issue 13: identity from private objects only, over the network. Pantum answers at the
    // object's own OID or at ".0"; Epson's firmware row is found by a walk of its column.
    for (const auto& [community, serial, firmware] :
         {std::tuple{"pantum-private", "CD9C012345", "3.A.0.3"},
          std::tuple{"pantum-scalar", "CD9C054321", "2.A.1.3"},
          std::tuple{"epson-private", "X8GZ012345", "05.34.XF29P8"},
          std::tuple{"toshiba-private", "CNJJ123456", "V1.20.0"}}) {
        INFO(community);
        const auto& id = fulls.at(community).result->snapshot.identity;
        CHECK(id.serial == serial);
        CHECK(id.firmware == firmware);
    }
    const auto& ppm = fulls.at("generic-ppm").result->snapshot.identity;
    CHECK(ppm.vendor == "Kyocera");
    CHECK(ppm.firmware == "2S0_2F00.005.003");  // the phase-3 GET went out and came back
    const auto& brother = fulls.at("brother-private").result->snapshot;
    CHECK(brother.identity.serial == "E78123A0N000111");
    CHECK(brother.counters.at("total") == 10412);
    // Brother's next-care block rides in the same GET: the drum's pages left.
    const auto drum = std::find_if(brother.supplies.begin(), brother.supplies.end(),
                                   [](const auto& x) { return x.description == "Drum Unit"; });
    REQUIRE(drum != brother.supplies.end());
    CHECK(drum->pages_remaining == std::optional<std::int64_t>(10620));
    // BROTHER-MIB's count tables (three of them, six columns) found from the 1284 ID alone.
    const auto& mfp = fulls.at("brother-mfp-tables").result->snapshot;
    CHECK(mfp.counters.at("print_color") == 2100);
    CHECK(mfp.counters.at("scan_total") == 1370);
    CHECK(mfp.counters.at("total_large") == 850);
    // JetDirect's status flags and panel text, over the network and in the repeat poll.
    const auto& jam = fulls.at("hp-jetdirect-jam").result->snapshot.status;
    CHECK(jam.errors == std::vector<std::string>{"low_toner", "jammed"});
    CHECK(jam.console == "13.12.00 JAM IN TRAY 2");
    // Lexmark's sides per paper size come back over the network (five more table columns).
    const auto& lexmark = fulls.at("lexmark-a3-counters").result->snapshot;
    CHECK(lexmark.counters.at("total_large") == 14000);
    CHECK(lexmark.counters.at("total_small") == 48000);
    // Lexmark's own supply table and status flags, found from the private model object alone
    // (phase 3 walks the table's six columns) and GET again in the repeat poll.
    const auto& mps = fulls.at("lexmark-mps-only").result->snapshot;
    CHECK(mps.identity.model == "CS421dn");
    CHECK(mps.supplies.size() == 5);
    CHECK(mps.status.errors == std::vector<std::string>{"jammed"});
}
