#include "polling/identify.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "polling/collector_parts.hpp"
#include "polling/text.hpp"

namespace printmon::scanner {
namespace {

using snmp::MibView;
using snmp::Oid;
using snmp::Value;
using snmp::ValueType;

const Oid kSysDescr = {1, 3, 6, 1, 2, 1, 1, 1, 0};
const Oid kSysObjectId = {1, 3, 6, 1, 2, 1, 1, 2, 0};
const Oid kPrtGeneralPrinterName1 = {1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 16, 1};
// ppmPrinterIEEE1284DeviceId of the first printer (Printer Port Monitor MIB, PWG 5107.4).
const Oid kPpmDeviceId1 = {1, 3, 6, 1, 4, 1, 2699, 1, 2, 1, 2, 1, 1, 3, 1};
const Oid kEnterprises = {1, 3, 6, 1, 4, 1};

const Value* find(const MibView& view, const Oid& oid) {
    const auto it = view.find(oid);
    if (it == view.end() || it->second.is_missing()) return nullptr;
    return &it->second;
}

/// Device text capped to its MIB size (text.hpp) before anything matches or keeps it.
std::string text_at(const MibView& view, const Oid& oid,
                    std::size_t max_chars = text::kDisplayStringMax) {
    const Value* v = find(view, oid);
    if (v == nullptr || (v->type != ValueType::octets && v->type != ValueType::opaque)) return {};
    const std::string_view raw = std::string_view(v->bytes).substr(0, text::kRawOctetsMax);
    return text::cap(text::decode(raw), max_chars);
}

/// True when `oid` holds text that can name a device's model, serial or firmware (text.hpp's
/// identity_problem): a buffer of zeros, binary data or a placeholder answered inside a
/// vendor's subtree is no evidence of that vendor. `whole`: the value is the field itself,
/// not text the field is taken from (a 1284 device ID, a regex), so its length counts too.
bool names_identity(const MibView& view, const Oid& oid, text::IdentityField field,
                    bool whole = true) {
    const Value* v = find(view, oid);
    if (v == nullptr || (v->type != ValueType::octets && v->type != ValueType::opaque)) {
        return false;
    }
    text::DecodeInfo how;
    const std::string_view raw = std::string_view(v->bytes).substr(0, text::kRawOctetsMax);
    const auto s = text::cap(text::decode(raw, {}, &how), text::kDisplayStringMax);
    return how.controls == 0 && text::identity_problem(s, field, whole).empty();
}

std::string sys_object_id_text(const MibView& view) {
    const Value* v = find(view, kSysObjectId);
    if (v == nullptr) return {};
    if (v->type == ValueType::object_id) return "." + snmp::to_string(v->oid);
    if (v->type == ValueType::octets) {
        if (auto oid = snmp::parse_oid(text::trim(v->bytes))) return "." + snmp::to_string(*oid);
    }
    return {};
}

std::optional<std::uint32_t> enterprise_of(const Oid& oid) {
    if (oid.size() <= kEnterprises.size() || !snmp::starts_with(oid, kEnterprises)) {
        return std::nullopt;
    }
    return oid[kEnterprises.size()];
}

/// A 1284 device ID has at least a manufacturer or a model key.
bool looks_like_device_id(const std::string& s) {
    return !text::ieee1284_field(s, text::kIeee1284MfgKeys).empty() ||
           !text::ieee1284_field(s, "MDL|MODEL").empty();
}

/// MFG values that name no manufacturer (driver placeholders).
bool generic_manufacturer(const std::string& mfg) {
    const std::string m = text::lower(mfg);
    return m.empty() || m == "generic" || m == "unknown" || m == "none" || m == "n/a";
}

/// Brands that own an enterprise number, for private-object evidence.
std::vector<const Brand*> brands_of_profile(const ProfileSet& profiles, const Profile& p) {
    std::vector<const Brand*> out;
    for (const auto& b : profiles.brands()) {
        if (b.profile == p.id && !b.enterprises.empty()) out.push_back(&b);
    }
    return out;
}

void add_oids(std::vector<Oid>& out, const std::vector<ValueSource>& sources) {
    for (const auto& s : sources) {
        if (s.field == ValueSource::Field::oid &&
            std::find(out.begin(), out.end(), s.oid) == out.end()) {
            out.push_back(s.oid);
        }
    }
}

}  // namespace

int VendorEvidence::strength() const {
    // Rationale: the printer's own 1284 ID names the engine even behind a print server of
    // another make; a brand word in the system description names the nameplate of OEM
    // devices that keep their maker's sysObjectID (UTAX on Kyocera, Dell and Toshiba on
    // Lexmark); the enterprise number names whoever wrote the agent; an object merely
    // answered inside a vendor's subtree is the weakest hint (agents copy others' OIDs).
    switch (kind) {
        case Kind::ieee1284_mfg:
            return 6;
        case Kind::sys_descr:
            return 5;
        case Kind::hr_device_descr:
            return 4;
        case Kind::ieee1284_mdl:
        case Kind::printer_name:
            return 3;
        case Kind::enterprise:
            return 2;
        case Kind::private_object:
            return 1;
    }
    return 0;
}

const char* to_string(VendorEvidence::Kind kind) {
    switch (kind) {
        case VendorEvidence::Kind::ieee1284_mfg:
            return "1284 MFG";
        case VendorEvidence::Kind::sys_descr:
            return "sysDescr";
        case VendorEvidence::Kind::hr_device_descr:
            return "hrDeviceDescr";
        case VendorEvidence::Kind::ieee1284_mdl:
            return "1284 MDL";
        case VendorEvidence::Kind::printer_name:
            return "prtGeneralPrinterName";
        case VendorEvidence::Kind::enterprise:
            return "sysObjectID enterprise";
        case VendorEvidence::Kind::private_object:
            return "private object";
    }
    return "?";
}

const std::vector<Oid>& standard_identity_oids() {
    static const std::vector<Oid> kOids = {kPrtGeneralPrinterName1, kPpmDeviceId1};
    return kOids;
}

std::vector<Oid> profile_identity_oids(const Profile& p) {
    std::vector<Oid> out;
    add_oids(out, p.device_id);
    add_oids(out, p.model);
    add_oids(out, p.serial);
    add_oids(out, p.firmware);
    return out;
}

std::vector<Oid> all_profile_identity_oids(const ProfileSet& profiles) {
    std::vector<Oid> out;
    for (const auto& p : profiles.profiles()) {
        add_oids(out, p.device_id);
        add_oids(out, p.model);
        add_oids(out, p.serial);
        add_oids(out, p.firmware);
    }
    return out;
}

DeviceIdentity identify(const MibView& view, const ProfileSet& profiles) {
    DeviceIdentity id;
    id.sys_descr = text_at(view, kSysDescr);
    id.sys_object_id = sys_object_id_text(view);
    // hrDeviceDescr of the printer's row: 1, unless the hrDevice table puts the printer on
    // another row (row 1 a processor or a network card on some agents).
    const auto hr_row = collect::printer_device_index(view).value_or(1);
    const Oid hr_descr_oid = collect::child(collect::kHrDeviceDescr, {hr_row});
    id.hr_descr = text_at(view, hr_descr_oid);
    id.printer_name = text_at(view, kPrtGeneralPrinterName1);

    // The printer's 1284 device ID: the standard object first, then vendors' copies.
    std::vector<Oid> id_oids = {kPpmDeviceId1};
    for (const auto& p : profiles.profiles()) add_oids(id_oids, p.device_id);
    for (const auto& oid : id_oids) {
        auto s = text_at(view, oid, text::kDeviceIdMax);
        if (!s.empty() && looks_like_device_id(s)) {
            id.device_id = std::move(s);
            id.device_id_oid = snmp::to_string(oid);
            break;
        }
    }

    auto& ev = id.evidence;
    const auto by_text = [&](VendorEvidence::Kind kind, const std::string& text,
                             const std::string& where) {
        if (const Brand* b = profiles.brand_for_text(text)) {
            ev.push_back({kind, b, b->vendor, where});
        }
    };
    if (!id.device_id.empty()) {
        const auto mfg = text::ieee1284_field(id.device_id, text::kIeee1284MfgKeys);
        if (!generic_manufacturer(mfg)) {
            const Brand* b = profiles.brand_for_text(mfg);
            ev.push_back({VendorEvidence::Kind::ieee1284_mfg, b, b ? b->vendor : mfg,
                          id.device_id_oid + " MFG"});
        } else {
            // No maker key, but a model that starts with its brand ("MDL:HP LaserJet 400").
            by_text(VendorEvidence::Kind::ieee1284_mdl,
                    text::ieee1284_field(id.device_id, "MDL|MODEL"), id.device_id_oid + " MDL");
        }
    }
    by_text(VendorEvidence::Kind::sys_descr, id.sys_descr, "sysDescr");
    by_text(VendorEvidence::Kind::hr_device_descr, id.hr_descr,
            "hrDeviceDescr." + std::to_string(hr_row));
    by_text(VendorEvidence::Kind::printer_name, id.printer_name, "prtGeneralPrinterName.1");
    const auto sys_oid = snmp::parse_oid(id.sys_object_id);
    if (sys_oid) {
        if (const auto ent = enterprise_of(*sys_oid)) {
            if (const Brand* b = profiles.brand_for_enterprise(*ent)) {
                ev.push_back({VendorEvidence::Kind::enterprise, b, b->vendor,
                              "enterprise " + std::to_string(*ent)});
            }
        }
    }
    // Identity objects answered inside a vendor's own subtree (1.3.6.1.4.1.<its PEN>).
    for (const auto& p : profiles.profiles()) {
        const auto owners = brands_of_profile(profiles, p);
        if (owners.empty()) continue;
        // Whole values are checked as the field; a value a field is taken from (a 1284 device
        // ID, a regex) may be longer, but a placeholder is no evidence in either.
        struct Candidate {
            Oid oid;
            text::IdentityField field;
            bool whole;
        };
        std::vector<Candidate> oids;
        // A firmware version names no maker, but answered inside one's subtree it is that
        // maker's MIB (a Sharp agent without its system group still answers its firmware).
        for (const auto& [sources, field] :
             {std::pair{&p.model, text::IdentityField::model},
              std::pair{&p.serial, text::IdentityField::serial},
              std::pair{&p.firmware, text::IdentityField::firmware}}) {
            for (const auto& src : *sources) {
                if (src.field != ValueSource::Field::oid) continue;
                // A 1284 device ID names its maker in its own MFG key (above). The subtree it
                // answers in is no evidence: OKI, Kyocera and others answer HP's JetDirect
                // copy (11.2.3.9.1.1.7) with their own ID, some without any MFG key.
                if (src.format.rfind("ieee1284", 0) == 0) continue;
                const bool whole = src.format.empty() && !src.regex && src.prefix.empty();
                oids.push_back({src.oid, field, whole});
            }
        }
        for (const auto& [oid, field, whole] : oids) {
            const auto ent = enterprise_of(oid);
            const auto owner = std::find_if(owners.begin(), owners.end(), [&](const Brand* b) {
                return ent && std::find(b->enterprises.begin(), b->enterprises.end(), *ent) !=
                                  b->enterprises.end();
            });
            if (owner == owners.end()) continue;
            if (!names_identity(view, oid, field, whole)) continue;
            ev.push_back({VendorEvidence::Kind::private_object, *owner, (*owner)->vendor,
                          snmp::to_string(oid)});
            break;
        }
    }
    std::stable_sort(ev.begin(), ev.end(), [](const VendorEvidence& a, const VendorEvidence& b) {
        return a.strength() > b.strength();
    });

    if (!ev.empty()) {
        const auto& top = ev.front();
        id.brand = top.brand;
        id.vendor = top.vendor;
        id.vendor_source = top.where + (top.brand ? " (" + top.brand->file + ")" : "");
        std::set<std::string> seen = {top.vendor};
        for (const auto& e : ev) {
            if (seen.insert(e.vendor).second) {
                id.conflicts.push_back(std::string(to_string(e.kind)) + " names " + e.vendor +
                                       " (" + e.where + "); " + to_string(top.kind) + " names " +
                                       top.vendor + " and wins");
            }
        }
    }

    // Profile: the agent's MIB by sysObjectID, else the winning brand's, else the profile of
    // any other evidence (a partial agent answering only its private identity objects).
    id.profile = profiles.match(id.sys_object_id, id.sys_descr, id.brand ? id.brand->vendor : "");
    if (id.profile != nullptr) {
        id.profile_reason = "sysObjectID/brand";
    } else {
        for (const auto& e : ev) {
            if (e.brand == nullptr || e.brand->profile.empty()) continue;
            if (const Profile* p = profiles.by_id(e.brand->profile)) {
                if (p->sysdescr && !pattern_search(id.sys_descr, *p->sysdescr)) continue;
                id.profile = p;
                id.profile_reason = to_string(e.kind);
                break;
            }
        }
    }
    return id;
}

}  // namespace printmon::scanner
