// Issue 15: covers opening and closing, the device's own status word and its console text
// become events. Read from real SNMP answers: snmpsim serving tests/data/snmprec/events (one
// printer in two moments, see generate.py there), full read and repeat poll alike.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "app/probe.hpp"
#include "printmon/proto/codec.hpp"
#include "read_device.hpp"
#include "sim.hpp"
#include "storage/transitions.hpp"

namespace fs = std::filesystem;
using namespace printmon::scanner;
namespace proto = printmon::proto;
using printmon::scanner::test::read_device;
using printmon::test::Sim;
using printmon::test::TempDir;
using storage::Transition;

namespace {

/// The events of the kinds this test is about (the recording also has errors and alerts).
std::vector<Transition> of_interest(const std::vector<Transition>& events) {
    std::vector<Transition> out;
    std::copy_if(events.begin(), events.end(), std::back_inserter(out), [](const Transition& e) {
        return e.kind == "cover" || e.kind == "console" || e.kind == "device_status";
    });
    return out;
}

}  // namespace

TEST_CASE("covers, device status and console text become events", "[poll][events]") {
    TempDir tmp;
    Sim sim(tmp.path / "sim", fs::path(printmon::test::source_dir()) / "tests/data/snmprec/events");
    const auto profiles = ProfileSet::embedded();
    const auto target = [&](const char* community) {
        snmp::Target t;
        t.host = "127.0.0.1";
        t.port = sim.port;
        t.credentials.community = community;
        return t;
    };

    const auto closed = read_device(target("closed"), profiles, nullptr);
    REQUIRE(closed.result.has_value());
    const auto& before = closed.result->snapshot;
    CHECK(before.covers ==
          std::vector<proto::Cover>{{"Front Door", proto::CoverState::closed},
                                    {"Rear Interlock", proto::CoverState::closed}});
    CHECK(before.status.device == proto::DeviceStatus::running);
    CHECK(before.status.console == "Ready");
    CHECK(closed.result->sources.at("covers") == "1.3.6.1.2.1.43.6.1.1");

    // The next moment as a repeat poll of the known device: its plan must ask for the covers'
    // status, or an opened door would go unseen until the next full read.
    const auto opened = read_device(target("open"), profiles, &closed.view);
    REQUIRE(opened.result.has_value());
    const auto& after = opened.result->snapshot;
    CHECK(after.covers == std::vector<proto::Cover>{{"Front Door", proto::CoverState::open},
                                                    {"Rear Interlock", proto::CoverState::closed}});
    CHECK(after.status.device == proto::DeviceStatus::down);
    CHECK(after.status.console == "Close front door");
    // probe's plain report: the state, the panel and the open door, one line each.
    const auto text = snapshot_text(after);
    CHECK(text.rfind("HP Color LaserJet MFP M477fdw serial CNB8K1Q2W3 at ", 0) == 0);
    CHECK(text.find("\n  status down, printer ") != std::string::npos);
    CHECK(text.find("\n  panel \"Close front door\"\n") != std::string::npos);
    CHECK(text.find("\n  cover Front Door: open\n") != std::string::npos);
    CHECK(text.find("\n  total 48213\n") != std::string::npos);
    // A full read sees the same.
    const auto full = read_device(target("open"), profiles, nullptr);
    REQUIRE(full.result.has_value());
    CHECK(full.result->snapshot.covers == after.covers);

    // Covers travel in the snapshot (what the store remembers between polls, and the cloud).
    const auto round_trip = proto::parse_snapshot(proto::to_json(after));
    REQUIRE(round_trip.has_value());
    CHECK(round_trip->covers == after.covers);

    // The first reading reports what it finds: no console or status "change".
    const auto first = storage::on_success({}, before);
    CHECK(of_interest(first.events).empty());

    const auto opening = storage::on_success(first.state, after);
    CHECK(of_interest(opening.events) ==
          std::vector<Transition>{{"cover", "Front Door:open", "appeared", "Front Door"},
                                  {"device_status", "down", "appeared", "running"},
                                  {"console", "text", "appeared", "Close front door"}});

    // A poll that did not read hrDeviceStatus (unknown) neither clears nor reopens "down".
    auto unread = after;
    unread.status.device = proto::DeviceStatus::unknown;
    const auto gap = storage::on_success(opening.state, unread);
    CHECK(of_interest(gap.events).empty());
    CHECK(gap.state.device == proto::DeviceStatus::down);

    const auto closing = storage::on_success(gap.state, before);
    CHECK(of_interest(closing.events) ==
          std::vector<Transition>{{"cover", "Front Door:open", "cleared", "Front Door"},
                                  {"device_status", "down", "cleared", "running"},
                                  {"console", "text", "appeared", "Ready"}});

    // Nothing changed: nothing to report.
    CHECK(of_interest(storage::on_success(closing.state, before).events).empty());
}

TEST_CASE("a blanked console clears its text; a device without covers reports none", "[events]") {
    proto::DeviceSnapshot a;
    a.status.console = "Paper jam";
    proto::DeviceSnapshot b;  // console "", no covers
    const auto first = storage::on_success({}, a);
    const auto blank = storage::on_success(first.state, b);
    CHECK(of_interest(blank.events) ==
          std::vector<Transition>{{"console", "text", "cleared", "Paper jam"}});
    // No covers: the snapshot document has no "covers" member (older readers see no change).
    CHECK(proto::to_json(b).find("\"covers\"") == std::string::npos);
}

TEST_CASE("an empty tray fed by hand is no event; a cassette run dry is", "[poll][events]") {
    // Our own recording (tests/data/snmprec/trays): a cassette run dry, one with paper, and
    // four trays fed by hand, empty as they are most of the day: one the agent types as a
    // fixed tray but names "Bypass Tray", one untyped "MPTRAY", one the agent types
    // sheetFeedManual, one named in Russian ("Универсальный лоток", the MP tray).
    TempDir tmp;
    Sim sim(tmp.path / "sim", fs::path(printmon::test::source_dir()) / "tests/data/snmprec/trays");
    snmp::Target target;
    target.host = "127.0.0.1";
    target.port = sim.port;
    target.credentials.community = "public";
    const auto read = read_device(target, ProfileSet::embedded(), nullptr);
    REQUIRE(read.result.has_value());
    const auto& snap = read.result->snapshot;
    REQUIRE(snap.trays.size() == 6);
    std::vector<std::string> by_hand;
    for (const auto& t : snap.trays) {
        CHECK(t.state == (t.name == "Tray 2" ? proto::TrayState::ok : proto::TrayState::empty));
        if (t.type == "sheet_feed_manual") by_hand.push_back(t.name);
    }
    CHECK(by_hand ==
          std::vector<std::string>{"Bypass Tray", "MPTRAY", "Feeder", "Универсальный лоток"});
    CHECK(snap.trays[0].type == "sheet_feed_auto_removable");
    // Where the type came from its name, provenance says so (probe --verbose shows it).
    CHECK(read.result->sources.at("trays.Bypass Tray.type") ==
          "derived: its name, not sheet_feed_auto_non_removable");
    CHECK(read.result->sources.at("trays.MPTRAY.type") == "derived: its name");
    CHECK(read.result->sources.count("trays.Feeder.type") == 0);

    // probe's plain report says so too, beside the cassette run dry.
    const auto text = snapshot_text(snap);
    CHECK(text.find("  tray Tray 1: 0% (empty)\n") != std::string::npos);
    CHECK(text.find("  tray Bypass Tray: 0% (empty, fed by hand)\n") != std::string::npos);
    CHECK(text.find("  tray Tray 2: 50% (ok)\n") != std::string::npos);

    const auto tray_events = [](const std::vector<Transition>& events) {
        std::vector<Transition> out;
        std::copy_if(events.begin(), events.end(), std::back_inserter(out),
                     [](const Transition& e) { return e.kind == "tray"; });
        return out;
    };
    const auto first = storage::on_success({}, snap);
    CHECK(tray_events(first.events) ==
          std::vector<Transition>{{"tray", "Tray 1:empty", "appeared", "Tray 1"}});

    // A state stored before trays were known by their names (the bypass typed as a fixed tray,
    // its event open): the next poll clears that event once, then says nothing more.
    auto before = snap;
    for (auto& t : before.trays) {
        if (t.name == "Bypass Tray") t.type = "sheet_feed_auto_non_removable";
    }
    const auto legacy = storage::on_success({}, before);
    CHECK(tray_events(legacy.events).size() == 2);
    const auto upgraded = storage::on_success(legacy.state, snap);
    CHECK(tray_events(upgraded.events) ==
          std::vector<Transition>{{"tray", "Bypass Tray:empty", "cleared", "Bypass Tray"}});
    CHECK(tray_events(storage::on_success(upgraded.state, snap).events).empty());

    // Paper laid in the bypass and used up again: still nothing; Tray 1 refilled: cleared.
    auto refilled = snap;
    for (auto& t : refilled.trays) {
        t.state = proto::TrayState::ok;
        t.level = 50;
    }
    CHECK(tray_events(storage::on_success(first.state, refilled).events) ==
          std::vector<Transition>{{"tray", "Tray 1:empty", "cleared", "Tray 1"}});
}
