// Device state: hrDeviceStatus, hrPrinterStatus and its error bits, the console, the alert
// table, input trays.

#include "polling/collector_parts.hpp"
#include "polling/supply_claims.hpp"
#include "polling/vendor_blocks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

#include "printmon/proto/enums.hpp"

namespace printmon::scanner::collect {

using snmp::MibView;
using snmp::Oid;
using snmp::Value;
using snmp::ValueType;

namespace {

std::string input_type_name(std::int64_t code) {
    switch (code) {
        case 1:
            return "other";
        case 2:
            return "unknown";
        case 3:
            return "sheet_feed_auto_removable";
        case 4:
            return "sheet_feed_auto_non_removable";
        case 5:
            return proto::kTrayFedByHand;
        case 6:
            return "continuous_roll";
        case 7:
            return "continuous_fan_fold";
        default:
            return {};
    }
}

/// The hrPrinterDetectedErrorState condition a prtAlertCode (RFC 3805 PrtAlertCodeTC) stands
/// for, for agents without the Host Resources printer group. The generic subunit codes name
/// their subunit by prtAlertGroup (8 input, 9 output, 11 marker supplies). Empty: no error.
std::string_view error_of_alert(std::int64_t code, std::int64_t group) {
    switch (code) {
        case 3:    // coverOpen
        case 5:    // interlockOpen
        case 501:  // doorOpen
            return "door_open";
        case 8:  // jam
            return "jammed";
        case 22:  // subunitOffline
            return "offline";
        case 30:  // subunitUnrecoverableFailure
        case 32:  // subunitUnrecoverableStorageError
        case 33:  // subunitMotorFailure
        case 38:  // subunitThermistorFailure
            return "service_requested";
        case 801:  // inputMediaTrayMissing
            return "input_tray_missing";
        case 807:  // inputMediaSupplyLow
            return "low_paper";
        case 808:  // inputMediaSupplyEmpty
            return "no_paper";
        case 901:  // outputMediaTrayMissing
            return "output_tray_missing";
        case 902:  // outputMediaTrayAlmostFull
            return "output_near_full";
        case 903:  // outputMediaTrayFull
            return "output_full";
        case 1101:  // markerTonerEmpty
        case 1102:  // markerInkEmpty
            return "no_toner";
        case 1104:  // markerTonerAlmostEmpty
        case 1105:  // markerInkAlmostEmpty
            return "low_toner";
        case 1119:  // markerTonerCartridgeMissing
            return "marker_supply_missing";
        case 9:  // subunitMissing
            return group == 8    ? "input_tray_missing"
                   : group == 9  ? "output_tray_missing"
                   : group == 11 ? "marker_supply_missing"
                                 : "";
        case 12:  // subunitAlmostEmpty
            return group == 8 ? "low_paper" : group == 11 ? "low_toner" : "";
        case 13:  // subunitEmpty
            return group == 8 ? "no_paper" : group == 11 ? "no_toner" : "";
        case 14:  // subunitAlmostFull
            return group == 9 ? "output_near_full" : "";
        case 15:  // subunitFull
            return group == 9 ? "output_full" : "";
        default:
            return {};
    }
}

/// Alert codes that record a state change or a routine condition, not a problem: an agent with
/// the Host Resources group reports its device running through them (RFC 3805 2.2.13.2 lists
/// power saver and warming up with hrDeviceStatus running), so they make no warning here.
bool informational_alert(std::int64_t code) {
    switch (code) {
        case 4:    // coverClosed
        case 6:    // interlockClosed
        case 7:    // configurationChange
        case 19:   // subunitClosed
        case 20:   // subunitTurnedOn
        case 23:   // subunitPowerSaver
        case 24:   // subunitWarmingUp
        case 25:   // subunitAdded
        case 27:   // subunitResourceAdded
        case 502:  // doorClosed
        case 503:  // poweredUp
        case 505:  // printerNMSReset
        case 506:  // printerManualReset
        case 507:  // printerReadyToPrint
        case 802:  // inputMediaSizeChange
        case 803:  // inputMediaWeightChange
        case 804:  // inputMediaTypeChange
        case 805:  // inputMediaColorChange
        case 806:  // inputMediaFormPartsChange
            return true;
        default:
            return false;
    }
}

}  // namespace

void collect_trays(Ctx& ctx, const Profile* profile) {
    const int low = profile != nullptr ? profile->low_percent : 10;
    const auto col = [&](std::uint32_t n) { return column(ctx.view, child(kPrtInputEntry, {n})); };
    const auto types = col(2);
    // Types a tray fed by hand, saying why (provenance) and what its agent called it.
    const auto mark_fed_by_hand = [&](proto::Tray& t, const std::string& why) {
        ctx.out.sources["trays." + t.name + ".type"] =
            why + (t.type.empty() ? std::string() : ", not " + t.type);
        t.type = proto::kTrayFedByHand;
    };
    const auto maxes = col(9);
    const auto levels = col(10);
    const auto names = col(13);
    const auto descrs = col(18);
    std::set<Oid> rows;
    for (const auto* c : {&types, &maxes, &levels, &names}) {
        for (const auto& [idx, v] : *c) rows.insert(idx);
    }
    for (const auto& idx : rows) {
        proto::Tray t;
        t.name = ctx.str(cell(names, idx), cell_oid(kPrtInputEntry, 13, idx));
        if (t.name.empty()) t.name = ctx.str(cell(descrs, idx), cell_oid(kPrtInputEntry, 18, idx));
        if (t.name.empty()) t.name = "Input " + std::to_string(idx.back());
        t.description = ctx.str(cell(descrs, idx), cell_oid(kPrtInputEntry, 18, idx));
        if (t.description.empty()) t.description = t.name;
        if (const auto ty = ctx.integer(cell(types, idx), cell_oid(kPrtInputEntry, 2, idx))) {
            t.type = input_type_name(*ty);
        }
        // A tray fed by hand (bypass, multi-purpose) is empty most of the day by design, but
        // agents often type it as a fixed tray or not at all: its name decides then (words.toml
        // `bypass`), so that its emptiness raises no alert (storage/transitions.cpp).
        if (!proto::fed_by_hand(t) && t.type != "continuous_roll" &&
            t.type != "continuous_fan_fold" &&
            contains_any(text::fold_case(t.name + "\n" + t.description), ctx.words.bypass)) {
            mark_fed_by_hand(t, "derived: its name");
        }
        const auto level = ctx.integer(cell(levels, idx), cell_oid(kPrtInputEntry, 10, idx));
        const auto max = ctx.integer(cell(maxes, idx), cell_oid(kPrtInputEntry, 9, idx));
        t.level = level;
        if (max && *max > 0) t.max = max;
        if (level) {
            if (*level == -3) {
                t.state = proto::TrayState::ok;  // "at least one sheet"
            } else if (*level < 0) {
                t.state = proto::TrayState::unknown;
            } else if (max && *max > 0) {
                t.level_percent = percent_of(*level, *max);
                const int pct = *t.level_percent;
                t.state = pct <= 0     ? proto::TrayState::empty
                          : pct <= low ? proto::TrayState::low
                                       : proto::TrayState::ok;
            } else {
                t.state = *level == 0 ? proto::TrayState::empty : proto::TrayState::ok;
            }
        }
        ctx.out.snapshot.trays.push_back(std::move(t));
    }
    if (!rows.empty()) ctx.out.sources["trays"] = snmp::to_string(kPrtInputEntry);
    // The maker's own name for its tray fed by hand ("Tray 1" on HP's LaserJets), where the
    // printer has another tray to be its main one.
    auto& trays = ctx.out.snapshot.trays;
    if (profile != nullptr && profile->hand_fed_tray && trays.size() > 1) {
        for (auto& t : trays) {
            if (proto::fed_by_hand(t) || t.type == "sheet_feed_auto_removable" ||
                !pattern_search(t.name, *profile->hand_fed_tray)) {
                continue;
            }
            mark_fed_by_hand(t, "derived: profile:" + profile->id + " names it");
        }
    }
}

// ---- covers ------------------------------------------------------------------------------------
void collect_covers(Ctx& ctx) {
    const auto descrs = column(ctx.view, child(kPrtCoverEntry, {2}));
    const auto statuses = column(ctx.view, child(kPrtCoverEntry, {3}));
    for (const auto& [idx, v] : statuses) {
        proto::Cover c;
        if (const auto d = descrs.find(idx); d != descrs.end()) {
            c.description = ctx.str(d->second, cell_oid(kPrtCoverEntry, 2, idx));
        }
        if (c.description.empty()) {  // column() has no rows without an index
            c.description = "Cover " + std::to_string(idx.back());
        }
        // PrtCoverStatusTC: other(1), coverOpen(3), coverClosed(4), interlockOpen(5),
        // interlockClosed(6).
        switch (ctx.integer(v, cell_oid(kPrtCoverEntry, 3, idx)).value_or(2)) {
            case 3:
            case 5:
                c.state = proto::CoverState::open;
                break;
            case 4:
            case 6:
                c.state = proto::CoverState::closed;
                break;
            default:
                c.state = proto::CoverState::unknown;
                break;
        }
        ctx.out.snapshot.covers.push_back(std::move(c));
    }
    if (!statuses.empty()) ctx.out.sources["covers"] = snmp::to_string(kPrtCoverEntry);
}

// ---- status ------------------------------------------------------------------------------------
std::optional<std::uint32_t> printer_device_index(const MibView& view) {
    for (const auto& [idx, v] : column(view, kHrDeviceType)) {
        if (v->type == ValueType::object_id && v->oid == kHrDeviceTypePrinter && idx.size() == 1) {
            return idx.front();
        }
    }
    for (const auto& [idx, v] : column(view, kHrPrinterErrors)) {
        if (idx.size() == 1) return idx.front();
    }
    return std::nullopt;
}

std::optional<std::uint32_t> printer_mib_row(const MibView& view) {
    if (auto dev = printer_device_index(view)) return dev;
    // A partial agent without the Host Resources printer row may still number its
    // Printer-MIB by an hrDeviceIndex other than 1: its own tables (rows hrDeviceIndex.n)
    // say which, so its serial, charset and console lines are not looked for at row 1.
    static const std::array<Oid, 2> kColumns = {child(kPrtSuppliesEntry, {6}),
                                                child(kPrtMarkerEntry, {4})};
    for (const auto& col : kColumns) {
        for (const auto& [idx, v] : column(view, col)) {
            if (idx.size() == 2) return idx.front();
        }
    }
    return std::nullopt;
}

namespace {

/// A vendor status block (profile `status`) for agents with neither the Host Resources
/// printer objects nor an alert that says anything: Epson inkjets answering only their
/// private MIB, print servers' own status enums (ESI's outputExtendedStatus). The profile says
/// what each state and error code means; a state it does not list leaves the status unknown.
/// `errors_free`: no other source has given errors.
void vendor_status(Ctx& ctx, const Profile& profile, bool errors_free) {
    auto& st = ctx.out.snapshot.status;
    for (const auto& src : profile.status) {
        Oid at;
        const Value* v = source_value(ctx.view, src.source, &at);
        if (v == nullptr) continue;
        const std::string where = snmp::to_string(at);
        std::optional<std::int64_t> state;
        std::optional<std::int64_t> error;
        // Epson's error element names the condition only while the state is one that is down;
        // an enum's one code is both the state and its condition (toner low: a warning).
        bool errors_when_down_only = true;
        std::string shown;        // the state as the source names it
        std::string error_shown;  // the code the condition is read from, likewise
        if (src.source.format == "enum") {
            state = ctx.integer(v, at);
            if (!state) continue;  // ctx.integer noted why
            error = state;
            errors_when_down_only = false;
            shown = std::to_string(*state);
            error_shown = "state " + shown;
        } else {
            if (v->type != ValueType::octets) {
                ctx.note(where + ": Epson status block is not an OCTET STRING");
                continue;
            }
            std::string problem;
            const auto block = blocks::epson_status(v->bytes, &problem);
            if (!problem.empty()) ctx.note(fmt::format("{}: {}", where, problem));
            if (!block || !block->state) continue;
            state = block->state;
            if (block->error) {
                error = block->error;
                error_shown = fmt::format("error {:02x}", *error);
            }
            shown = fmt::format("{:02x}", *state);
        }
        const auto device = src.states.find(*state);
        if (device == src.states.end()) {
            ctx.note(fmt::format("{}: state {} is not one the profile names; status left unknown",
                                 where, shown));
            continue;
        }
        st.device = device->second;
        ctx.out.sources["status.device"] =
            fmt::format("{} (state {}) (profile:{})", where, shown, profile.id);
        if (errors_free && error &&
            (!errors_when_down_only || device->second == proto::DeviceStatus::down)) {
            if (const auto e = src.errors.find(*error); e != src.errors.end()) {
                st.errors.push_back(e->second);
                ctx.out.sources["status.errors"] =
                    fmt::format("{} ({}) (profile:{})", where, error_shown, profile.id);
            }
        }
        return;
    }
}

/// Vendor status flags (profile `status_flags`, JetDirect's gdStatus group) for agents that
/// give neither the Host Resources printer objects nor an alert: each flag set is an error,
/// and the worst flag set is the device's state; flags that all read clear (0, or the
/// profile's `clear` values) are a running device. A flag that is no number, or a value the
/// profile lists neither as set nor clear (Lexmark's "unknown"), is left out. `errors_free`: no
/// other source has given errors; `device_free`: none has given the device state.
void flag_status(Ctx& ctx, const Profile& profile, bool errors_free, bool device_free) {
    auto& st = ctx.out.snapshot.status;
    std::optional<proto::DeviceStatus> worst;
    std::vector<std::string> errors;
    // Objects of the flags set and of the flags answered with a number; one object may carry
    // several flags (Pantum's codes) and is named once.
    std::vector<Oid> from;
    std::vector<Oid> read;
    for (const auto& f : profile.status_flags) {
        const Value* v = find(ctx.view, f.source.oid);
        if (v == nullptr) continue;
        auto value = ctx.integer(v, f.source.oid);
        if (!value) continue;
        if (f.mask) value = *value < 0 ? -1 : (*value & *f.mask);
        const auto in = [&](const std::vector<std::int64_t>& values) {
            return std::find(values.begin(), values.end(), *value) != values.end();
        };
        const bool coded = !f.set_values.empty();
        if (coded && !in(f.set_values) && !in(f.clear_values)) continue;  // e.g. "unknown"
        add_unique(read, f.source.oid);
        if (coded ? in(f.clear_values) : *value == 0) continue;
        if (std::find(errors.begin(), errors.end(), f.error) == errors.end()) {
            errors.push_back(f.error);
        }
        add_unique(from, f.source.oid);
        if (!worst || f.device == proto::DeviceStatus::down) worst = f.device;
    }
    if (read.empty()) return;
    // The flags that were set, or (all clear) the flags read; an OID first, so the source
    // reads as the vendor's own (provenance()).
    std::string where;
    for (const auto& oid : from.empty() ? read : from) {
        where += (where.empty() ? "" : ", ") + snmp::to_string(oid);
    }
    where += std::string(from.empty() ? " (all clear)" : "") + " (profile:" + profile.id + ")";
    if (errors_free && !errors.empty()) {
        // In the order of proto::error_codes(), as the other sources give them.
        for (const auto& code : proto::error_codes()) {
            if (std::find(errors.begin(), errors.end(), code) != errors.end()) {
                st.errors.push_back(code);
            }
        }
        ctx.out.sources["status.errors"] = where;
    }
    if (device_free) {
        st.device = worst.value_or(proto::DeviceStatus::running);
        ctx.out.sources["status.device"] = where;
    }
}

}  // namespace

void collect_status(Ctx& ctx, std::optional<std::uint32_t> printer_idx, const Profile* profile) {
    auto& st = ctx.out.snapshot.status;
    const std::uint32_t idx = printer_idx.value_or(1);
    auto device = ctx.integer(child(kHrDeviceStatus, {idx}));
    Oid device_oid = child(kHrDeviceStatus, {idx});
    if (!device && !printer_idx) {
        // No printer row identified: the lowest device row speaks for the box.
        const auto rows = column(ctx.view, kHrDeviceStatus);
        if (!rows.empty()) {
            device_oid = child(kHrDeviceStatus, {rows.begin()->first.front()});
            device = ctx.integer(rows.begin()->second, device_oid);
        }
    }
    if (device) {
        switch (*device) {
            case 2:
                st.device = proto::DeviceStatus::running;
                break;
            case 3:
                st.device = proto::DeviceStatus::warning;
                break;
            case 4:
                st.device = proto::DeviceStatus::testing;
                break;
            case 5:
                st.device = proto::DeviceStatus::down;
                break;
            default:
                st.device = proto::DeviceStatus::unknown;
                break;
        }
        ctx.out.sources["status.device"] = snmp::to_string(device_oid);
    }
    if (const auto p = ctx.integer(child(kHrPrinterStatus, {idx}))) {
        switch (*p) {
            case 1:
                st.printer = proto::PrinterStatus::other;
                break;
            case 3:
                st.printer = proto::PrinterStatus::idle;
                break;
            case 4:
                st.printer = proto::PrinterStatus::printing;
                break;
            case 5:
                st.printer = proto::PrinterStatus::warmup;
                break;
            default:
                st.printer = proto::PrinterStatus::unknown;
                break;
        }
    }
    Oid err_oid = child(kHrPrinterErrors, {idx});
    const Value* err = find(ctx.view, err_oid);
    if (err == nullptr) {
        const auto rows = column(ctx.view, kHrPrinterErrors);
        if (!rows.empty()) {
            err = rows.begin()->second;
            err_oid = child(kHrPrinterErrors, rows.begin()->first);
        }
    }
    if (err != nullptr) {
        if (err->type == ValueType::octets) {
            // RFC 3805 BITS: bit 0 is the most significant bit of the first octet.
            const auto& codes = proto::error_codes();
            for (std::size_t bit = 0; bit < codes.size(); ++bit) {
                const std::size_t byte = bit / 8;
                if (byte >= err->bytes.size()) break;
                const auto b = static_cast<unsigned char>(err->bytes[byte]);
                if ((b & (0x80U >> (bit % 8))) != 0) st.errors.push_back(codes[bit]);
            }
            ctx.out.sources["status.errors"] = snmp::to_string(err_oid);
        } else {
            ctx.note(snmp::to_string(err_oid) +
                     ": hrPrinterDetectedErrorState is not an OCTET STRING; ignored");
        }
    }
    // Front panel: prtConsoleDisplayBufferText lines, blank ones skipped.
    std::vector<std::string> lines;
    for (int line = 1; line <= kConsoleLines; ++line) {
        auto text =
            ctx.str(ctx.printer_oid(child(kPrtConsoleText, {1, static_cast<std::uint32_t>(line)})));
        if (!text.empty()) lines.push_back(std::move(text));
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i != 0) st.console += " / ";
        st.console += lines[i];
    }
    if (!st.console.empty()) ctx.out.sources["status.console"] = snmp::to_string(kPrtConsoleText);

    // prtAlertTable.
    const auto col = [&](std::uint32_t n) { return column(ctx.view, child(kPrtAlertEntry, {n})); };
    const auto severities = col(2);
    const auto groups = col(4);
    const auto codes = col(7);
    const auto descrs = col(8);
    std::set<std::string_view> alert_errors;
    bool critical = false;
    bool warning = false;
    for (const auto& [aidx, sev] : severities) {
        proto::Alert a;
        const auto severity = ctx.integer(sev, cell_oid(kPrtAlertEntry, 2, aidx)).value_or(1);
        switch (severity) {
            case 3:
                a.severity = "critical";
                break;
            case 4:
                a.severity = "warning";
                break;
            case 5:
                a.severity = "warning_binary_change_event";
                break;
            default:
                a.severity = "other";
                break;
        }
        std::int64_t group = 1;
        if (const auto it = groups.find(aidx); it != groups.end()) {
            static const std::map<std::int64_t, std::string> kGroups = {
                {1, "other"},
                {3, "host_resources_storage"},
                {4, "host_resources_device"},
                {5, "general_printer"},
                {6, "cover"},
                {7, "localization"},
                {8, "input"},
                {9, "output"},
                {10, "marker"},
                {11, "marker_supplies"},
                {12, "marker_colorant"},
                {13, "media_path"},
                {14, "channel"},
                {15, "interpreter"},
                {16, "console_display_buffer"},
                {17, "console_lights"},
                {18, "alert"},
                {30, "finisher_device"},
                {31, "finisher_supply"},
                {32, "finisher_supply_media_input"},
                {33, "finisher_attribute"}};
            group = ctx.integer(it->second, cell_oid(kPrtAlertEntry, 4, aidx)).value_or(1);
            const auto name = kGroups.find(group);
            a.group = name == kGroups.end() ? "other" : name->second;
        }
        if (const auto it = codes.find(aidx); it != codes.end()) {
            a.code = ctx.integer(it->second, cell_oid(kPrtAlertEntry, 7, aidx)).value_or(0);
        }
        if (const auto it = descrs.find(aidx); it != descrs.end()) {
            a.description = ctx.str(it->second, cell_oid(kPrtAlertEntry, 8, aidx));
        }
        // Severity 5 (warningBinaryChangeEvent) records an event such as coverClosed or
        // poweredUp, not a condition that is still there; routine codes are no problem either.
        if ((severity == 3 || severity == 4) && !informational_alert(a.code)) {
            critical = critical || severity == 3;
            warning = warning || severity == 4;
            if (const auto e = error_of_alert(a.code, group); !e.empty()) alert_errors.insert(e);
        }
        st.alerts.push_back(std::move(a));
    }

    // An agent without the Host Resources printer group (small lasers and inkjets whose agent
    // answers only the Printer-MIB) still states its conditions in the alert table. RFC 3805
    // (2.2.13.2) ties the two: a critical alert is a device that is down, a non-critical one a
    // warning, and the alert codes are the detected-error conditions. Used only when the
    // Host Resources objects are absent, never to second-guess them.
    if (err == nullptr && !alert_errors.empty()) {
        for (const auto& code : proto::error_codes()) {
            if (alert_errors.count(code) != 0) st.errors.push_back(code);
        }
        ctx.out.sources["status.errors"] =
            snmp::to_string(child(kPrtAlertEntry, {7})) + " (prtAlertCode)";
    }
    if (!device && (critical || warning)) {
        st.device = critical ? proto::DeviceStatus::down : proto::DeviceStatus::warning;
        ctx.out.sources["status.device"] =
            snmp::to_string(child(kPrtAlertEntry, {2})) + " (prtAlertSeverityLevel)";
    }
    if (!device && !critical && !warning && profile != nullptr) {
        vendor_status(ctx, *profile, err == nullptr && alert_errors.empty());
    }
    if (profile != nullptr && !profile->status_flags.empty()) {
        flag_status(
            ctx, *profile, err == nullptr && alert_errors.empty() && st.errors.empty(),
            !device && !critical && !warning && ctx.out.sources.count("status.device") == 0);
    }
}

void status_from_panel(Ctx& ctx) {
    auto& st = ctx.out.snapshot.status;
    if (ctx.out.sources.count("status.device") != 0) return;
    std::set<std::string> errors;
    bool idle = false;
    bool attention = false;
    std::string where;
    // prtCoverStatus: an open cover or interlock stops the printer (RFC 3805 doorOpen).
    if (std::any_of(ctx.out.snapshot.covers.begin(), ctx.out.snapshot.covers.end(),
                    [](const proto::Cover& c) { return c.state == proto::CoverState::open; })) {
        errors.insert("door_open");
        where = "derived: prtCoverStatus";
    }
    if (!st.console.empty()) {
        const auto said = supply_claims::status_from_text(ctx.words, st.console);
        if (!said.errors.empty() || said.idle || said.attention) {
            errors.insert(said.errors.begin(), said.errors.end());
            idle = said.idle;
            attention = said.attention;
            where += where.empty() ? "derived: " : ", ";
            where += "the panel's text (status.console)";
        }
    }
    if (errors.empty()) {
        if (!idle && !attention) return;  // nothing said either way: unknown, as before
        // "Replace Drum" while asleep: the printer still works, and wants a part.
        st.device = attention ? proto::DeviceStatus::warning : proto::DeviceStatus::running;
        ctx.out.sources["status.device"] = where;
        return;
    }
    // A jam, no paper, an open cover, a service call or no toner stops the printer; low paper,
    // low toner and a full output tray are warnings (as the JetDirect flags read).
    static const std::set<std::string> kStops = {"jammed", "no_paper", "door_open",
                                                 "service_requested", "no_toner"};
    const bool stops = std::any_of(errors.begin(), errors.end(),
                                   [](const std::string& e) { return kStops.count(e) != 0; });
    st.device = stops ? proto::DeviceStatus::down : proto::DeviceStatus::warning;
    ctx.out.sources["status.device"] = where;
    if (st.errors.empty() && ctx.out.sources.count("status.errors") == 0) {
        for (const auto& code : proto::error_codes()) {  // in their usual order
            if (errors.count(code) != 0) st.errors.push_back(code);
        }
        ctx.out.sources["status.errors"] = where;
    }
}

}  // namespace printmon::scanner::collect
