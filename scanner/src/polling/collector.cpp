#include "polling/collector.hpp"

#include <algorithm>
#include <set>

#include "polling/collector_parts.hpp"

namespace printmon::scanner {

using collect::Ctx;
using snmp::MibView;
using snmp::Oid;
using snmp::Value;
using snmp::ValueType;
using namespace collect;  // the collector's own parts (collector_parts.hpp)

namespace {

/// Every OID a profile reads (GET), in a stable order.
std::vector<Oid> profile_oids(const Profile& p) {
    std::vector<Oid> out;
    const auto add = [&](const std::vector<ValueSource>& sources) {
        for (const auto& s : sources) {
            if (s.field == ValueSource::Field::oid) add_unique(out, s.oid);
        }
    };
    add(p.device_id);
    add(p.model);
    add(p.serial);
    add(p.firmware);
    add(p.mac);
    add(p.console);
    for (const auto& c : p.counters) {
        if (c.source.field == ValueSource::Field::oid) add_unique(out, c.source.oid);
    }
    for (const auto& sp : p.supplies_private) {
        if (sp.source.field == ValueSource::Field::oid) add_unique(out, sp.source.oid);
        if (sp.max_oid) add_unique(out, *sp.max_oid);
    }
    for (const auto& sp : p.supply_pages) {
        if (sp.source.field == ValueSource::Field::oid) add_unique(out, sp.source.oid);
    }
    for (const auto& f : p.status_flags) add_unique(out, f.source.oid);
    for (const auto& s : p.status) {
        if (s.source.field == ValueSource::Field::oid) add_unique(out, s.source.oid);
    }
    return out;
}

/// Vendor table columns a profile walks (counter, supply and size tables, identity columns).
std::vector<Oid> profile_subtrees(const Profile& p) {
    std::vector<Oid> out;
    for (const auto* sources :
         {&p.device_id, &p.model, &p.serial, &p.firmware, &p.mac, &p.console}) {
        for (const auto& s : *sources) {
            if (s.field != ValueSource::Field::column) continue;
            add_unique(out, s.oid);
            if (s.name_column) add_unique(out, *s.name_column);
        }
    }
    for (const auto& t : p.counter_tables) {
        add_unique(out, t.type_column);
        add_unique(out, t.value_column);
        if (t.unit_column) add_unique(out, *t.unit_column);
        for (const auto& [name, col] : t.attribute_columns) add_unique(out, col);
    }
    for (const auto& t : p.supply_tables) {
        for (const auto& n : t.name_columns) add_unique(out, n);
        add_unique(out, t.level_column);
        for (const auto* col :
             {&t.type_column, &t.capacity_column, &t.color_column, &t.state_column}) {
            if (*col) add_unique(out, **col);
        }
    }
    for (const auto& t : p.size_tables) {
        if (t.size_column) {
            add_unique(out, *t.size_column);
        } else {
            add_unique(out, t.unit_column);
            add_unique(out, t.length_column);
        }
        for (const auto& v : t.value_columns) add_unique(out, v);
    }
    return out;
}

}  // namespace

std::string provenance(const std::string& source) {
    if (source.rfind("derived", 0) == 0) return "derived";
    // PWG's MIBs (2699) are standards even though they live under enterprises.
    if (source.rfind("1.3.6.1.4.1.2699.", 0) == 0) return "standard";
    if (source.rfind("1.3.6.1.4.1.", 0) == 0 || source.rfind("profile:", 0) == 0) {
        return "private";
    }
    return "standard";  // MIB-2 OIDs, sysDescr, hrDeviceDescr, the sysObjectID enterprise
}

namespace {

/// The Printer-MIB objects read per printer, written for hrDeviceIndex 1.
std::vector<Oid> printer_row_oids() {
    std::vector<Oid> out = {kPrtGeneralSerial1, kPrtCharset11,       kPrtMarkerUnit11,
                            kPrtMarkerLife11,   kPrtMarkerPowerOn11, kPrtMarkerProcessColorants11};
    for (int line = 1; line <= kConsoleLines; ++line) {
        out.push_back(child(kPrtConsoleText, {1, static_cast<std::uint32_t>(line)}));
    }
    return out;
}

}  // namespace

CollectionPlan identity_plan() {
    return CollectionPlan{{kSysDescr, kSysObjectId, kSysUpTime, kSysName, child(kHrDeviceType, {1}),
                           child(kHrDeviceDescr, {1}), kPrtGeneralConfigChanges1,
                           kPrtGeneralSerial1, kIcGeneralServiceRecords},
                          {}};
}

CollectionPlan device_table_plan() { return CollectionPlan{{}, {kHrDeviceType, kHrDeviceDescr}}; }

CollectionPlan repeat_plan(const snmp::MibView& previous, const ProfileSet& profiles) {
    // Columns whose values change while the device runs; everything else is identity or
    // table layout and is re-read by the periodic full poll.
    static const std::vector<Oid> kVolatile = {
        kSysUpTime,
        kHrDeviceStatus,
        kHrPrinterEntry,
        child(kPrtInputEntry, {10}),          // prtInputCurrentLevel
        child(kPrtInputEntry, {11}),          // prtInputStatus
        child(kPrtCoverEntry, {3}),           // prtCoverStatus
        {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 4},  // prtMarkerLifeCount
        {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 5},  // prtMarkerPowerOnCount
        child(kPrtSuppliesEntry, {8}),        // prtMarkerSuppliesMaxCapacity (new cartridge)
        child(kPrtSuppliesEntry, {9}),        // prtMarkerSuppliesLevel
        kPrtConsoleText,
        kIcImageEntry,
        kIcImpressionEntry,
        kIcTwoSidedTotal,
        kIcSheetTotal,
        child(kIcMediaUsedEntry, {4}),  // icMediaUsedTotalSheets (sizes do not change)
    };
    std::set<Oid> vendor;
    if (const auto ident = identify(previous, profiles); ident.profile != nullptr) {
        for (const auto& c : ident.profile->counters) {
            if (c.source.field == ValueSource::Field::oid) vendor.insert(c.source.oid);
        }
        for (const auto& s : ident.profile->console) {
            if (s.field == ValueSource::Field::oid) vendor.insert(s.oid);
        }
        for (const auto& s : ident.profile->supplies_private) {
            if (s.source.field == ValueSource::Field::oid) vendor.insert(s.source.oid);
            if (s.max_oid) vendor.insert(*s.max_oid);
        }
        for (const auto& s : ident.profile->supply_pages) {
            if (s.source.field == ValueSource::Field::oid) vendor.insert(s.source.oid);
        }
        for (const auto& f : ident.profile->status_flags) vendor.insert(f.source.oid);
        for (const auto& s : ident.profile->status) {
            if (s.source.field == ValueSource::Field::oid) vendor.insert(s.source.oid);
        }
        // Counter table values change, their rows and types (or paper sizes) do not: GET the
        // cells found.
        const auto cells = [&](const Oid& value_column) {
            for (auto it = previous.lower_bound(value_column);
                 it != previous.end() && snmp::starts_with(it->first, value_column); ++it) {
                vendor.insert(it->first);
            }
        };
        for (const auto& t : ident.profile->counter_tables) cells(t.value_column);
        for (const auto& t : ident.profile->supply_tables) {
            cells(t.level_column);
            // A new cartridge of another yield changes the capacity; the printer's verdict
            // changes as the supply runs down.
            if (t.capacity_column) cells(*t.capacity_column);
            if (t.state_column) cells(*t.state_column);
        }
        for (const auto& t : ident.profile->size_tables) {
            for (const auto& v : t.value_columns) cells(v);
        }
    }
    CollectionPlan plan;
    for (const auto& [oid, value] : previous) {
        const bool vol = std::any_of(kVolatile.begin(), kVolatile.end(),
                                     [&o = oid](const Oid& p) { return snmp::starts_with(o, p); });
        if (vol || vendor.count(oid) != 0) plan.scalars.push_back(oid);
    }
    plan.subtrees = {kPrtAlertEntry};
    return plan;
}

snmp::MibView merge_repeat(const snmp::MibView& previous, const CollectionPlan& plan,
                           const snmp::MibView& fresh) {
    snmp::MibView view = previous;
    for (const auto& oid : plan.scalars) view.erase(oid);
    for (const auto& root : plan.subtrees) {
        auto it = view.lower_bound(root);
        while (it != view.end() && snmp::starts_with(it->first, root)) it = view.erase(it);
    }
    for (const auto& [oid, value] : fresh) view.insert_or_assign(oid, value);
    return view;
}

CollectionPlan collection_plan(const snmp::MibView& phase1, const ProfileSet& profiles) {
    CollectionPlan plan;
    plan.scalars = printer_row_oids();
    // Printer-MIB tables are walked even without a presence hint: some agents (OKI) serve the
    // supplies table but not prtGeneral, and a walk of an absent table costs one request.
    plan.subtrees = {kIfPhysAddress,    kHrDeviceEntry,    kHrPrinterEntry, kPrtInputEntry,
                     kPrtSuppliesEntry, kPrtColorantValue, kPrtAlertEntry,  kPrtCoverEntry};
    if (find(phase1, kIcGeneralServiceRecords) != nullptr) {
        plan.subtrees.push_back(kIcKeyServiceType);
        plan.subtrees.push_back(kIcImageEntry);
        plan.subtrees.push_back(kIcImpressionEntry);
        plan.subtrees.push_back(kIcTwoSidedTotal);
        plan.subtrees.push_back(kIcSheetTotal);
        plan.subtrees.push_back(child(kIcMediaUsedEntry, {4}));
        plan.subtrees.push_back(child(kIcMediaUsedEntry, {9}));
    }
    for (const auto& oid : standard_identity_oids()) add_unique(plan.scalars, oid);
    const auto ident = identify(phase1, profiles);
    if (ident.profile != nullptr) {
        for (const auto& oid : profile_oids(*ident.profile)) add_unique(plan.scalars, oid);
        for (const auto& oid : profile_subtrees(*ident.profile)) add_unique(plan.subtrees, oid);
    }
    if (ident.vendor.empty()) {
        // Nothing in the system group names the device (a partial agent, a generic print
        // server): ask every vendor's identity objects in the same requests.
        for (const auto& oid : all_profile_identity_oids(profiles)) add_unique(plan.scalars, oid);
    }
    return plan;
}

CollectionPlan completion_plan(const snmp::MibView& phase1, const snmp::MibView& collected,
                               const ProfileSet& profiles) {
    CollectionPlan plan;
    // Phase 2 asks the Printer-MIB's per-printer objects of hrDeviceIndex 1, the usual
    // numbering; an agent whose printer is another hrDevice row (the walk of hrDeviceTable
    // says which) is asked them again at that row.
    if (const auto dev = printer_mib_row(collected); dev && *dev != 1) {
        for (const auto& oid : printer_row_oids()) {
            plan.scalars.push_back(for_printer(oid, *dev));
        }
    }
    const auto ident = identify(collected, profiles);
    if (ident.profile == nullptr) return plan;
    const auto asked = collection_plan(phase1, profiles);
    for (const auto& oid : profile_oids(*ident.profile)) {
        if (std::find(asked.scalars.begin(), asked.scalars.end(), oid) == asked.scalars.end()) {
            add_unique(plan.scalars, oid);
        }
    }
    for (const auto& oid : profile_subtrees(*ident.profile)) {
        if (std::find(asked.subtrees.begin(), asked.subtrees.end(), oid) == asked.subtrees.end()) {
            add_unique(plan.subtrees, oid);
        }
    }
    return plan;
}

snmp::MibView restrict_to(const snmp::MibView& view, const std::vector<CollectionPlan>& plans) {
    MibView out;
    for (const auto& plan : plans) {
        for (const auto& oid : plan.scalars) {
            if (const auto it = view.find(oid); it != view.end()) out.insert(*it);
        }
        for (const auto& prefix : plan.subtrees) {
            for (auto it = view.lower_bound(prefix);
                 it != view.end() && snmp::starts_with(it->first, prefix); ++it) {
                out.insert(*it);
            }
        }
    }
    return out;
}

CollectResult build_snapshot(const snmp::MibView& view, const ProfileSet& profiles,
                             std::string address, std::string polled_at) {
    CollectResult out;
    auto& snap = out.snapshot;
    snap.address = std::move(address);
    snap.polled_at = std::move(polled_at);
    Ctx ctx{view, out, profiles.words(), {}, {}, 1, {}};
    const auto printer_idx = printer_device_index(view);
    // The Host Resources row when there is one; else what the Printer-MIB's own rows say.
    ctx.printer_row = printer_idx ? *printer_idx : printer_mib_row(view).value_or(1);

    const auto ident = identify(view, profiles);
    const Profile* profile = ident.profile;
    if (profile != nullptr) {
        out.sources["profile"] =
            profile->id + " (" + profile->file + ", by " + ident.profile_reason + ")";
    }
    for (const auto& c : ident.conflicts) ctx.note("vendor evidence: " + c);

    // Charset: the device's own declaration (prtLocalizationCharacterSet) and the profile's
    // default are hints; each string is still checked (charset.hpp has the order).
    if (const Value* cs = find(view, ctx.printer_oid(kPrtCharset11));
        cs != nullptr && cs->is_number()) {
        if (auto c = text::charset_from_mibenum(static_cast<long>(cs->number))) {
            ctx.charset.declared = *c;
        }
    }
    if (profile != nullptr && !profile->charset.empty()) {
        if (auto c = text::charset_from_name(profile->charset)) ctx.charset.profile = *c;
    }

    auto& id = snap.identity;
    // sysUpTime is TimeTicks (unsigned); an agent sending another number type may send a
    // negative one, which no uptime is (fuzz_varbinds).
    if (const Value* up = find(view, kSysUpTime);
        up != nullptr && up->is_number() && up->number >= 0) {
        snap.uptime = up->number / 100;
    }
    const std::string hr_descr = collect_identity(ctx, ident, profiles, printer_idx);

    collect_counters(ctx, profile);
    collect_supplies(ctx, profile);
    derive_sole_toner_colour(ctx);
    derive_monochrome(ctx);
    derive_split_from_functions(ctx);
    collect_trays(ctx, profile);
    collect_covers(ctx);
    collect_status(ctx, printer_idx, profile);
    if (snap.status.console.empty() && profile != nullptr) {
        const auto text_of = [&](const ValueSource& s) {
            return source_text(ctx, s, id.sys_descr, hr_descr);
        };
        snap.status.console =
            first_of(ctx, profile->console, "status.console", profile->id, text_of);
    }
    status_from_panel(ctx);
    apply_printer_claims(ctx, profile ? profile->low_percent : 10);

    // Fields built from longer sources (a 1284 device ID's MDL, joined console lines) get
    // their protocol size here, so no snapshot carries more than its MIB objects could.
    for (auto* field :
         {&id.vendor, &id.model, &id.serial, &id.firmware, &id.sys_descr, &id.sys_name}) {
        *field = text::cap(std::move(*field), text::kDisplayStringMax);
    }
    snap.status.console = text::cap(std::move(snap.status.console), kConsoleMax);
    return out;
}

}  // namespace printmon::scanner
