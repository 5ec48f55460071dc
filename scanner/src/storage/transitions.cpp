#include "storage/transitions.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "printmon/proto/enums.hpp"
#include "printmon/supply/cartridge.hpp"

namespace printmon::scanner::storage {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// Supplies are matched across polls by what they are, not by table index (indexes may shift
// when a cartridge is removed).
bool same_supply(const proto::Supply& a, const proto::Supply& b) {
    return a.description == b.description && a.type == b.type && a.color == b.color;
}

std::string supply_code(const proto::Supply& s) {
    if (s.color.empty()) return s.type.empty() ? std::string("supply") : s.type;
    return (s.type.empty() ? std::string("supply") : s.type) + ":" + s.color;
}

// An alert-table row is the same alert across polls by its group and code (prtAlertIndex is
// renumbered by many agents as rows come and go); the code of the event says both.
std::string alert_code(const proto::Alert& a) { return a.group + ":" + std::to_string(a.code); }

std::string alert_detail(const proto::Alert& a) {
    return a.description.empty() ? a.severity : a.severity + ": " + a.description;
}

bool has_alert(const std::vector<proto::Alert>& list, const proto::Alert& a) {
    return std::any_of(list.begin(), list.end(),
                       [&](const proto::Alert& x) { return alert_code(x) == alert_code(a); });
}

/// An empty tray worth an event: a tray fed by hand (bypass, multi-purpose) is empty most of the
/// day by design, so its emptiness is none. A snapshot stored before the collector named such
/// trays by their name counts its tray as fixed, so the first poll after that clears the event.
bool alerting_empty(const proto::Tray& t) {
    return t.state == proto::TrayState::empty && !proto::fed_by_hand(t);
}

bool tray_empty(const std::vector<proto::Tray>& trays, const std::string& name) {
    return std::any_of(trays.begin(), trays.end(),
                       [&](const proto::Tray& t) { return t.name == name && alerting_empty(t); });
}

bool cover_open(const std::vector<proto::Cover>& covers, const std::string& description) {
    return std::any_of(covers.begin(), covers.end(), [&](const proto::Cover& c) {
        return c.description == description && c.state == proto::CoverState::open;
    });
}

/// hrDeviceStatus values that are a condition (running and unknown are not).
bool is_condition(proto::DeviceStatus s) {
    return s == proto::DeviceStatus::warning || s == proto::DeviceStatus::down ||
           s == proto::DeviceStatus::testing;
}

}  // namespace

SuccessOutcome on_success(const DeviceState& previous, const proto::DeviceSnapshot& snapshot) {
    SuccessOutcome out;
    out.state.status = "online";
    out.state.consecutive_failures = 0;
    out.state.errors = snapshot.status.errors;
    out.state.supplies = snapshot.supplies;
    out.state.alerts = snapshot.status.alerts;
    out.state.trays = snapshot.trays;
    out.state.covers = snapshot.covers;
    out.state.device = snapshot.status.device;
    out.state.console = snapshot.status.console;

    if (previous.status == "offline") {
        out.events.push_back(
            {"device_status", "offline", "cleared",
             fmt::format("answered after {} failed polls", previous.consecutive_failures)});
    }
    for (const auto& code : snapshot.status.errors) {
        if (!contains(previous.errors, code)) out.events.push_back({"error", code, "appeared", ""});
    }
    for (const auto& code : previous.errors) {
        if (!contains(snapshot.status.errors, code)) {
            out.events.push_back({"error", code, "cleared", ""});
        }
    }
    // Covers open and paper jams are rows of the alert table too (groups cover, media_path).
    // A row listed twice (some agents repeat rows) is one alert.
    std::set<std::string> seen;
    for (const auto& a : snapshot.status.alerts) {
        if (seen.insert(alert_code(a)).second && !has_alert(previous.alerts, a)) {
            out.events.push_back({"alert", alert_code(a), "appeared", alert_detail(a)});
        }
    }
    seen.clear();
    for (const auto& a : previous.alerts) {
        if (seen.insert(alert_code(a)).second && !has_alert(snapshot.status.alerts, a)) {
            out.events.push_back({"alert", alert_code(a), "cleared", alert_detail(a)});
        }
    }
    for (const auto& t : snapshot.trays) {
        if (alerting_empty(t) && !tray_empty(previous.trays, t.name)) {
            out.events.push_back({"tray", t.name + ":empty", "appeared", t.description});
        }
    }
    for (const auto& t : previous.trays) {
        if (alerting_empty(t) && !tray_empty(snapshot.trays, t.name)) {
            out.events.push_back({"tray", t.name + ":empty", "cleared", t.description});
        }
    }
    // Covers and doors (prtCoverTable), matched by description like trays by name.
    for (const auto& c : snapshot.covers) {
        if (c.state == proto::CoverState::open && !cover_open(previous.covers, c.description)) {
            out.events.push_back({"cover", c.description + ":open", "appeared", c.description});
        }
    }
    for (const auto& c : previous.covers) {
        if (c.state == proto::CoverState::open && !cover_open(snapshot.covers, c.description)) {
            out.events.push_back({"cover", c.description + ":open", "cleared", c.description});
        }
    }
    // The device's own status word (hrDeviceStatus): warning, down and testing open and clear
    // like errors; the code is the state, beside `offline` (which only the scanner decides).
    // A poll that did not read it (unknown) changes nothing: a missing answer is not a device
    // that recovered, and would open and close the same condition poll after poll.
    if (snapshot.status.device == proto::DeviceStatus::unknown) {
        out.state.device = previous.device;
    } else if (previous.device && *previous.device != snapshot.status.device) {
        const auto before = *previous.device;
        const auto now = snapshot.status.device;
        if (is_condition(before)) {
            out.events.push_back({"device_status", std::string(proto::to_string(before)), "cleared",
                                  std::string(proto::to_string(now))});
        }
        if (is_condition(now)) {
            out.events.push_back({"device_status", std::string(proto::to_string(now)), "appeared",
                                  std::string(proto::to_string(before))});
        }
    }
    // The front panel's text (prtConsoleDisplayBufferText or a profile's console): a new text
    // appears (detail: the text), a blanked panel clears the old one.
    if (previous.console && *previous.console != snapshot.status.console) {
        if (!snapshot.status.console.empty()) {
            out.events.push_back({"console", "text", "appeared", snapshot.status.console});
        } else {
            out.events.push_back({"console", "text", "cleared", *previous.console});
        }
    }
    if (previous.supplies) {
        for (const auto& now : snapshot.supplies) {
            if (!now.level_percent) continue;
            const auto before =
                std::find_if(previous.supplies->begin(), previous.supplies->end(),
                             [&](const proto::Supply& s) { return same_supply(s, now); });
            if (before == previous.supplies->end() || !before->level_percent) continue;
            // The shared definition (the cloud's SQL applies the same threshold). Supplies carry
            // no serial in the v1 protocol, so only the level can tell.
            if (supply::is_cartridge_change(before->level_percent, now.level_percent)) {
                out.events.push_back({"supply_change", supply_code(now), "appeared",
                                      fmt::format("{}: {}% -> {}%", now.description,
                                                  *before->level_percent, *now.level_percent)});
            }
        }
    }
    return out;
}

FailureOutcome on_failure(const DeviceState& previous, int offline_after,
                          const std::string& error) {
    FailureOutcome out;
    out.state = previous;
    out.state.consecutive_failures = previous.consecutive_failures + 1;
    if (previous.status != "offline" &&
        out.state.consecutive_failures >= std::max(1, offline_after)) {
        out.state.status = "offline";
        out.events.push_back(
            {"device_status", "offline", "appeared",
             fmt::format("{} failed polls; last: {}", out.state.consecutive_failures, error)});
    }
    return out;
}

}  // namespace printmon::scanner::storage
