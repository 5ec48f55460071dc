// Identity: vendor, model, serial, MAC and firmware from the standard objects, the 1284 device
// ID and profile sources; and the printer-or-not decision of discovery.

#include "polling/collector_parts.hpp"

#include <algorithm>
#include <cctype>

namespace printmon::scanner::collect {

using snmp::MibView;
using snmp::Oid;
using snmp::Value;
using snmp::ValueType;

namespace {

std::string strip_brand(const std::string& model, const Brand* brand) {
    if (brand == nullptr || !brand->pattern) return model;
    std::smatch m;
    if (pattern_search(model, *brand->pattern, &m) && m.position(0) == 0 && m.length(0) > 0 &&
        static_cast<std::size_t>(m.length(0)) < model.size()) {
        std::string rest = text::trim(model.substr(static_cast<std::size_t>(m.length(0))));
        // Only a whole word: "HP LaserJet" -> "LaserJet", never "ZebraNet" -> "Net".
        const char last = model[static_cast<std::size_t>(m.length(0)) - 1];
        const char next = model[static_cast<std::size_t>(m.length(0))];
        if (std::isalnum(static_cast<unsigned char>(last)) != 0 &&
            std::isalnum(static_cast<unsigned char>(next)) != 0) {
            return model;
        }
        while (!rest.empty() && (rest.front() == '_' || rest.front() == '-')) rest.erase(0, 1);
        if (!rest.empty()) return rest;
    }
    return model;
}

/// sysDescr as a model of last resort: the first clause, before firmware/version details.
std::string model_from_sys_descr(const std::string& d) {
    std::string s = d;
    for (const char* cut : {";", ",", " / ", " /", " version ", " Version ", " V.", " Rev."}) {
        if (const auto p = s.find(cut); p != std::string::npos && p > 0) s.resize(p);
    }
    return text::trim(s);
}

}  // namespace

std::string collect_identity(Ctx& ctx, const DeviceIdentity& ident, const ProfileSet& profiles,
                             std::optional<std::uint32_t> printer_idx) {
    auto& out = ctx.out;
    const auto& view = ctx.view;
    const Profile* profile = ident.profile;
    auto& id = ctx.out.snapshot.identity;
    id.sys_descr = ctx.str(kSysDescr);
    id.sys_object_id = ident.sys_object_id;
    id.sys_name = ctx.str(kSysName);

    const std::uint32_t dev = printer_idx.value_or(1);
    std::string hr_descr = ctx.str(child(kHrDeviceDescr, {dev}));
    if (hr_descr.empty() && !printer_idx) {
        // No printer row: the first device row still names the product (scanners, MFP boards).
        const auto rows = column(view, kHrDeviceDescr);
        if (!rows.empty()) hr_descr = ctx.str(rows.begin()->second, kHrDeviceDescr);
    }

    // Vendor: the strongest naming evidence (see identify.hpp).
    const Brand* brand = ident.brand;
    if (!ident.vendor.empty()) {
        id.vendor = ident.vendor;
        out.sources["identity.vendor"] = ident.vendor_source;
    } else if (const Brand* b = profiles.brand_for_text(hr_descr); b != nullptr) {
        brand = b;
        id.vendor = b->vendor;
        out.sources["identity.vendor"] = "hrDeviceDescr (" + b->file + ")";
    } else if (profile != nullptr && !profile->vendor.empty()) {
        id.vendor = profile->vendor;
        out.sources["identity.vendor"] = "profile:" + profile->id;
    }
    const std::string pid = profile ? profile->id : std::string{};
    const auto text_of = [&](const ValueSource& s) {
        return source_text(ctx, s, id.sys_descr, hr_descr);
    };

    // Model: vendor sources, then hrDeviceDescr of the printer, the 1284 device ID, a printer
    // name that starts with a brand, then sysDescr.
    if (profile != nullptr)
        id.model = first_of(ctx, profile->model, "identity.model", pid, text_of);
    if (id.model.empty() && !hr_descr.empty()) {
        id.model = hr_descr;
        out.sources["identity.model"] = snmp::to_string(child(kHrDeviceDescr, {dev}));
    }
    if (id.model.empty() && !ident.device_id.empty()) {
        id.model = text::ieee1284_field(ident.device_id, "MDL|MODEL");
        if (!id.model.empty()) out.sources["identity.model"] = ident.device_id_oid + " (MDL)";
    }
    if (id.model.empty() && profiles.brand_for_text(ident.printer_name) != nullptr) {
        id.model = ident.printer_name;
        out.sources["identity.model"] = "prtGeneralPrinterName.1";
    }
    if (id.model.empty() && (profile == nullptr || profile->model_from_sysdescr)) {
        id.model = model_from_sys_descr(id.sys_descr);
        if (!id.model.empty()) out.sources["identity.model"] = "sysDescr";
    }
    id.model = strip_brand(id.model, brand);
    if (brand != nullptr && text::lower(id.model) == text::lower(brand->vendor)) id.model.clear();

    // Serial: the standard column, then vendor sources, then the 1284 device ID.
    id.serial = ctx.str(kPrtGeneralSerial1);
    if (!id.serial.empty()) {
        out.sources["identity.serial"] = snmp::to_string(kPrtGeneralSerial1);
    } else if (profile != nullptr) {
        id.serial = first_of(ctx, profile->serial, "identity.serial", pid, text_of);
    }
    if (id.serial.empty() && !ident.device_id.empty()) {
        id.serial = text::ieee1284_field(ident.device_id, "SN|SERN|SERIALNUMBER");
        if (!id.serial.empty()) out.sources["identity.serial"] = ident.device_id_oid + " (SN)";
    }

    // MAC: the first real hardware address among the interfaces.
    for (const auto& [idx, v] : column(view, kIfPhysAddress)) {
        if (v->type != ValueType::octets) continue;
        if (auto mac = text::format_mac(v->bytes); !mac.empty()) {
            id.mac = std::move(mac);
            out.sources["identity.mac"] = snmp::to_string(child(kIfPhysAddress, idx));
            break;
        }
    }
    if (id.mac.empty() && profile != nullptr) {
        id.mac = text::format_mac(first_of(ctx, profile->mac, "identity.mac", pid, text_of));
    }

    if (profile != nullptr) {
        id.firmware = first_of(ctx, profile->firmware, "identity.firmware", pid, text_of);
    }
    return hr_descr;
}

}  // namespace printmon::scanner::collect

namespace printmon::scanner {

using snmp::Oid;
using snmp::Value;
using snmp::ValueType;

using collect::child;
using collect::find;
using collect::kHrDeviceType;
using collect::kHrDeviceTypePrinter;
using collect::kPrtGeneralConfigChanges1;
using collect::kPrtGeneralSerial1;
using collect::model_from_sys_descr;
using collect::strip_brand;

Classification classify(const snmp::MibView& phase1, const ProfileSet& profiles) {
    Classification c;
    const auto facts = identify(phase1, profiles);
    const Value* type1 = find(phase1, child(kHrDeviceType, {1}));
    const bool hr_printer = type1 != nullptr && type1->type == ValueType::object_id &&
                            type1->oid == kHrDeviceTypePrinter;
    const bool printer_mib = find(phase1, kPrtGeneralConfigChanges1) != nullptr ||
                             find(phase1, kPrtGeneralSerial1) != nullptr;
    // A profile matched by sysObjectID covers a vendor's printer line; a brand alone (no
    // hrDevice answer at all) is a printer vendor's box seen only through its system group.
    const bool by_profile = facts.profile != nullptr && !facts.profile->sys_object_ids.empty() &&
                            std::any_of(facts.profile->sys_object_ids.begin(),
                                        facts.profile->sys_object_ids.end(), [&](const Oid& p) {
                                            const auto o = snmp::parse_oid(facts.sys_object_id);
                                            return o && snmp::starts_with(*o, p);
                                        });
    const bool brand_only = facts.brand != nullptr && type1 == nullptr;
    c.is_printer = hr_printer || printer_mib || (type1 == nullptr && (by_profile || brand_only));
    if (!facts.vendor.empty()) {
        c.vendor = facts.vendor;
    } else if (facts.profile != nullptr) {
        c.vendor = facts.profile->vendor;
    }
    std::string model = facts.hr_descr1;
    if (model.empty() && (facts.profile == nullptr || facts.profile->model_from_sysdescr)) {
        model = model_from_sys_descr(facts.sys_descr);
    }
    c.model = strip_brand(model, facts.brand);
    return c;
}

}  // namespace printmon::scanner
