#include <catch2/catch.hpp>

#include "printmon/supply/cartridge.hpp"
#include "storage/transitions.hpp"

using namespace printmon::scanner::storage;
using printmon::proto::DeviceSnapshot;
using printmon::proto::Supply;

namespace {

DeviceSnapshot snapshot(std::vector<std::string> errors, std::vector<Supply> supplies = {}) {
    DeviceSnapshot s;
    s.status.errors = std::move(errors);
    s.supplies = std::move(supplies);
    return s;
}

Supply toner(std::string color, std::optional<int> percent) {
    Supply s;
    s.description = color + " toner";
    s.type = "toner";
    s.color = std::move(color);
    s.level_percent = percent;
    return s;
}

}  // namespace

TEST_CASE("error codes appearing and clearing become events", "[transitions]") {
    DeviceState prev;
    prev.status = "online";
    prev.errors = {"low_paper", "door_open"};
    const auto out = on_success(prev, snapshot({"low_paper", "jammed"}));
    CHECK(out.state.errors == std::vector<std::string>{"low_paper", "jammed"});
    CHECK(out.events == std::vector<Transition>{{"error", "jammed", "appeared", ""},
                                                {"error", "door_open", "cleared", ""}});
    CHECK(on_success(out.state, snapshot({"low_paper", "jammed"})).events.empty());
}

TEST_CASE("offline after N failures, online again on the next answer", "[transitions]") {
    DeviceState s;
    s.status = "online";
    auto f1 = on_failure(s, 2, "timeout");
    CHECK(f1.events.empty());
    CHECK(f1.state.status == "online");
    CHECK(f1.state.consecutive_failures == 1);
    auto f2 = on_failure(f1.state, 2, "timeout");
    REQUIRE(f2.events.size() == 1);
    CHECK(f2.events[0].kind == "device_status");
    CHECK(f2.events[0].code == "offline");
    CHECK(f2.events[0].action == "appeared");
    CHECK(f2.state.status == "offline");
    // Staying offline is not a new event.
    auto f3 = on_failure(f2.state, 2, "timeout");
    CHECK(f3.events.empty());
    CHECK(f3.state.consecutive_failures == 3);
    auto back = on_success(f3.state, snapshot({}));
    REQUIRE(back.events.size() == 1);
    CHECK(back.events[0].code == "offline");
    CHECK(back.events[0].action == "cleared");
    CHECK(back.state.status == "online");
    CHECK(back.state.consecutive_failures == 0);
}

TEST_CASE("a supply level jumping up is a cartridge change", "[transitions]") {
    DeviceState prev;
    prev.status = "online";
    prev.supplies = std::vector<Supply>{toner("black", 8), toner("cyan", 50)};
    const auto out = on_success(prev, snapshot({}, {toner("black", 100), toner("cyan", 60)}));
    REQUIRE(out.events.size() == 1);
    CHECK(out.events[0].kind == "supply_change");
    CHECK(out.events[0].code == "toner:black");
    CHECK(out.events[0].detail == "black toner: 8% -> 100%");
    // No previous reading known: no supply events.
    prev.supplies.reset();
    CHECK(on_success(prev, snapshot({}, {toner("black", 100)})).events.empty());
}

TEST_CASE("the branch uses the shared cartridge-change threshold", "[transitions]") {
    using printmon::supply::kCartridgeJumpPercent;
    DeviceState prev;
    prev.status = "online";
    prev.supplies = std::vector<Supply>{toner("black", 40)};
    // A 20 % step device flickering between two steps is not a new cartridge.
    CHECK(on_success(prev, snapshot({}, {toner("black", 60)})).events.empty());
    CHECK(on_success(prev, snapshot({}, {toner("black", 40 + kCartridgeJumpPercent - 1)}))
              .events.empty());
    CHECK(on_success(prev, snapshot({}, {toner("black", 40 + kCartridgeJumpPercent)}))
              .events.size() == 1);
}

TEST_CASE("alert-table rows and empty trays open and close as events", "[transitions]") {
    DeviceState prev;
    prev.status = "online";
    DeviceSnapshot jam;
    jam.status.alerts = {{"critical", "media_path", 8, "Paper jam"},
                         {"critical", "cover", 3, "Front cover open"},
                         {"critical", "cover", 3, "Front cover open"}};  // repeated by the agent
    printmon::proto::Tray tray;
    tray.name = "Tray 2";
    tray.description = "Tray 2 (A4)";
    tray.state = printmon::proto::TrayState::empty;
    jam.trays = {tray};
    const auto out = on_success(prev, jam);
    CHECK(out.events ==
          std::vector<Transition>{{"alert", "media_path:8", "appeared", "critical: Paper jam"},
                                  {"alert", "cover:3", "appeared", "critical: Front cover open"},
                                  {"tray", "Tray 2:empty", "appeared", "Tray 2 (A4)"}});
    CHECK(on_success(out.state, jam).events.empty());  // still the same: nothing new

    DeviceSnapshot cleared;
    cleared.status.alerts = {{"critical", "cover", 3, "Front cover open"}};
    tray.state = printmon::proto::TrayState::ok;
    cleared.trays = {tray};
    CHECK(on_success(out.state, cleared).events ==
          std::vector<Transition>{{"alert", "media_path:8", "cleared", "critical: Paper jam"},
                                  {"tray", "Tray 2:empty", "cleared", "Tray 2 (A4)"}});
}
