// Identity: vendor, model, serial, MAC and firmware from the standard objects, the 1284 device
// ID and profile sources; and the printer-or-not decision of discovery.

#include "polling/collector_parts.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <string>

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
/// Texts the profiles call no model (`[not_a_model]` in generic.toml) give none: an agent that
/// describes its operating system ("Linux host 4.4.0 #1 SMP armv7l", as embedded net-snmp
/// agents in many MFPs do), or a print server card's own text ("DELL NETWORK PRINTER,ROM
/// A.03.15,JETDIRECT,JD24...") on whatever printer it serves.
std::string model_from_sys_descr(const std::string& d, const NotAModel& not_a_model) {
    const std::string first = text::lower(d.substr(0, d.find_first_of(NotAModel::kWordEnd)));
    if (not_a_model.first_words.count(first) != 0) return {};
    const std::string head = text::lower(d.substr(0, 255));
    for (const auto& word : not_a_model.containing) {
        if (head.find(word) != std::string::npos) return {};
    }
    // "Canon Inc., LBP-1760 Printer": the maker's company form is no part of the model.
    static const std::regex kCompany(R"(^(\S+)\s+(?:inc\.?|corp\.?|corporation|ltd\.?),?\s+)",
                                     std::regex::icase);
    std::string s = std::regex_replace(d.substr(0, 255), kCompany, "$1 ",
                                       std::regex_constants::format_first_only);
    for (const char* cut :
         {";", ",", " / ", " /", " version ", " Version ", " V.", " Rev.", " (", " v(", " V("}) {
        if (const auto p = s.find(cut); p != std::string::npos && p > 0) s.resize(p);
    }
    // A trailing firmware version ("EPSON AL-C2000 01.00", "RICOH Aficio 2022 1.04").
    static const std::regex kVersion(R"(\s+(?:v|ver\.?\s*)?\d+(?:\.\d+)+[a-z]?$)",
                                     std::regex::icase);
    s = std::regex_replace(text::trim(s), kVersion, "");
    return text::trim(s);
}

const char* field_name(text::IdentityField f) {
    switch (f) {
        case text::IdentityField::model:
            return "model";
        case text::IdentityField::serial:
            return "serial";
        case text::IdentityField::firmware:
            return "firmware";
    }
    return "?";
}

/// Why `s`, read from the object `v` (nullptr: taken from sysDescr, hrDeviceDescr or a 1284
/// device ID), cannot be the identity field, or "" when it can. Text with control characters
/// inside (binary data) never names anything; an object's value is also held to the field's
/// length. Values of another type never get here: Ctx::str reads them as no text.
std::string_view problem_of(const Value* v, const text::DecodeInfo& how, const std::string& s,
                            text::IdentityField field) {
    if (how.controls > 0) return "binary data";
    return text::identity_problem(s, field, v != nullptr);
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
    // A candidate for an identity field: kept when plausible, else a note and the next one.
    const auto usable = [&](const std::string& s, const std::string& where,
                            text::IdentityField field, const Value* v = nullptr,
                            const text::DecodeInfo& how = {}) {
        if (s.empty()) return false;
        const auto problem = problem_of(v, how, s, field);
        if (problem.empty()) return true;
        ctx.note(where + ": " + field_name(field) + " ignored (" + std::string(problem) + ")");
        return false;
    };
    // Profile sources of one identity field, in order; the whole-value ones (no format or
    // regex) are also checked for binary data and type.
    const auto from_profile = [&](const std::vector<ValueSource>& sources,
                                  text::IdentityField field, const std::string& key) {
        for (const auto& src : sources) {
            text::DecodeInfo how;
            auto value = source_text(ctx, src, id.sys_descr, hr_descr, &how);
            // Control characters void only a value used whole: a 1284 device ID or a text a
            // regex picks from may carry some beside the field.
            const Value* v = source_value(view, src);
            const bool whole = src.format.empty() && !src.regex && src.prefix.empty();
            if (!usable(value, src.describe(), field, v, whole ? how : text::DecodeInfo{})) {
                continue;
            }
            out.sources[key] = src.describe() + " (profile:" + pid + ")";
            return value;
        }
        return std::string{};
    };

    // Model: vendor sources, then hrDeviceDescr of the printer, the 1284 device ID, a printer
    // name that starts with a brand, then sysDescr.
    using text::IdentityField;
    if (profile != nullptr)
        id.model = from_profile(profile->model, IdentityField::model, "identity.model");
    if (id.model.empty()) {
        const auto hr_oid = snmp::to_string(child(kHrDeviceDescr, {dev}));
        // Some agents describe the printer here as they do in sysDescr ("Xerox Phaser
        // 6250DP;PS 4.8.0,Net 18.02...", "Canon LBP5360 /P"): the model is the first clause.
        auto m = model_from_sys_descr(hr_descr, profiles.not_a_model());
        if (usable(m, hr_oid, IdentityField::model)) {
            id.model = std::move(m);
            out.sources["identity.model"] = hr_oid;
        }
    }
    if (id.model.empty() && !ident.device_id.empty()) {
        auto mdl = text::ieee1284_field(ident.device_id, "MDL|MODEL");
        if (usable(mdl, ident.device_id_oid + " (MDL)", IdentityField::model)) {
            id.model = std::move(mdl);
            out.sources["identity.model"] = ident.device_id_oid + " (MDL)";
        }
    }
    if (id.model.empty() && profiles.brand_for_text(ident.printer_name) != nullptr &&
        usable(ident.printer_name, "prtGeneralPrinterName.1", IdentityField::model)) {
        id.model = ident.printer_name;
        out.sources["identity.model"] = "prtGeneralPrinterName.1";
    }
    if (id.model.empty() && (profile == nullptr || profile->model_from_sysdescr)) {
        auto m = model_from_sys_descr(id.sys_descr, profiles.not_a_model());
        if (usable(m, "sysDescr", IdentityField::model)) {
            id.model = std::move(m);
            out.sources["identity.model"] = "sysDescr";
        }
    }
    id.model = strip_brand(id.model, brand);
    if (brand != nullptr && text::lower(id.model) == text::lower(brand->vendor)) id.model.clear();

    // Serial: the standard column, then vendor sources, then the 1284 device ID.
    {
        text::DecodeInfo how;
        const auto serial_oid = ctx.printer_oid(kPrtGeneralSerial1);
        const Value* v = find(view, serial_oid);
        auto serial = ctx.str(v, serial_oid, text::kDisplayStringMax, &how);
        if (usable(serial, snmp::to_string(serial_oid), IdentityField::serial, v, how)) {
            id.serial = std::move(serial);
            out.sources["identity.serial"] = snmp::to_string(serial_oid);
        }
    }
    if (id.serial.empty() && profile != nullptr) {
        id.serial = from_profile(profile->serial, IdentityField::serial, "identity.serial");
    }
    if (id.serial.empty() && !ident.device_id.empty()) {
        auto sn = text::ieee1284_field(ident.device_id, "SN|SERN|SERIALNUMBER");
        if (usable(sn, ident.device_id_oid + " (SN)", IdentityField::serial)) {
            id.serial = std::move(sn);
            out.sources["identity.serial"] = ident.device_id_oid + " (SN)";
        }
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
        id.firmware = from_profile(profile->firmware, IdentityField::firmware, "identity.firmware");
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
using collect::kPrtGeneralConfigChanges1;
using collect::kPrtGeneralSerial1;
using collect::model_from_sys_descr;
using collect::strip_brand;

Classification classify(const snmp::MibView& phase1, const ProfileSet& profiles) {
    Classification c;
    const auto facts = identify(phase1, profiles);
    const Value* type1 = find(phase1, child(kHrDeviceType, {1}));
    // Row 1 in phase 1; any row once device_table_plan() has walked the table.
    const bool hr_printer = collect::printer_device_index(phase1).has_value();
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
    c.other_device_first = !c.is_printer && type1 != nullptr;
    if (!facts.vendor.empty()) {
        c.vendor = facts.vendor;
    } else if (facts.profile != nullptr) {
        c.vendor = facts.profile->vendor;
    }
    std::string model;
    // The device is listed with the model its polls will report: the profile's own readings of
    // hrDeviceDescr and sysDescr in its order (Brother's " series" cut, HP's Samsung-built
    // lasers' sysDescr; the polls ask its objects first, which discovery has not read), then
    // hrDeviceDescr's first clause, then sysDescr's.
    if (facts.profile != nullptr) {
        for (const auto& src : facts.profile->model) {
            if (src.field == ValueSource::Field::hr_device_descr) {
                model = collect::apply_regex(src, facts.hr_descr);
            } else if (src.field == ValueSource::Field::sys_descr) {
                model = collect::apply_regex(src, facts.sys_descr);
            }
            if (!model.empty()) break;
        }
    }
    if (model.empty()) model = model_from_sys_descr(facts.hr_descr, profiles.not_a_model());
    if (model.empty() && (facts.profile == nullptr || facts.profile->model_from_sysdescr)) {
        model = model_from_sys_descr(facts.sys_descr, profiles.not_a_model());
    }
    c.model = strip_brand(model, facts.brand);
    return c;
}

}  // namespace printmon::scanner
