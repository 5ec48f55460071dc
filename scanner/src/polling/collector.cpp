#include "polling/collector.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>

#include "polling/identify.hpp"
#include "polling/supply_claims.hpp"
#include "polling/text.hpp"
#include "polling/vendor_blocks.hpp"
#include "printmon/proto/enums.hpp"

namespace printmon::scanner {
namespace {

using snmp::MibView;
using snmp::Oid;
using snmp::Value;
using snmp::ValueType;

// ---- OIDs ------------------------------------------------------------------------------------
const Oid kSysDescr = {1, 3, 6, 1, 2, 1, 1, 1, 0};
const Oid kSysObjectId = {1, 3, 6, 1, 2, 1, 1, 2, 0};
const Oid kSysUpTime = {1, 3, 6, 1, 2, 1, 1, 3, 0};
const Oid kSysName = {1, 3, 6, 1, 2, 1, 1, 5, 0};
const Oid kIfPhysAddress = {1, 3, 6, 1, 2, 1, 2, 2, 1, 6};
const Oid kHrDeviceEntry = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1};
const Oid kHrDeviceType = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 2};
const Oid kHrDeviceDescr = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 3};
const Oid kHrDeviceStatus = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 5};
const Oid kHrDeviceTypePrinter = {1, 3, 6, 1, 2, 1, 25, 3, 1, 5};
const Oid kHrPrinterEntry = {1, 3, 6, 1, 2, 1, 25, 3, 5, 1};
const Oid kHrPrinterStatus = {1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 1};
const Oid kHrPrinterErrors = {1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 2};
const Oid kPrt = {1, 3, 6, 1, 2, 1, 43};
const Oid kPrtGeneralConfigChanges1 = {1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 1, 1};
const Oid kPrtGeneralSerial1 = {1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 17, 1};
const Oid kPrtCharset11 = {1, 3, 6, 1, 2, 1, 43, 7, 1, 1, 4, 1, 1};
const Oid kPrtInputEntry = {1, 3, 6, 1, 2, 1, 43, 8, 2, 1};
const Oid kPrtMarkerUnit11 = {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 3, 1, 1};
const Oid kPrtMarkerLife11 = {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 4, 1, 1};
const Oid kPrtMarkerPowerOn11 = {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 5, 1, 1};
const Oid kPrtSuppliesEntry = {1, 3, 6, 1, 2, 1, 43, 11, 1, 1};
const Oid kPrtColorantValue = {1, 3, 6, 1, 2, 1, 43, 12, 1, 1, 4};
const Oid kPrtConsoleText = {1, 3, 6, 1, 2, 1, 43, 16, 5, 1, 2};
const Oid kPrtAlertEntry = {1, 3, 6, 1, 2, 1, 43, 18, 1, 1};
const Oid kIcGeneralServiceRecords = {1, 3, 6, 1, 4, 1, 2699, 1, 3, 1, 1, 2, 0};
const Oid kIcKeyServiceType = {1, 3, 6, 1, 4, 1, 2699, 1, 3, 1, 2, 1, 1, 2};
const Oid kIcImpressionEntry = {1, 3, 6, 1, 4, 1, 2699, 1, 3, 1, 8, 1, 1};
constexpr int kConsoleLines = 6;  // GET lines 1..6 of console buffer 1: cheaper than a walk
// Six DisplayString lines joined by " / ".
constexpr std::size_t kConsoleMax = kConsoleLines * (text::kDisplayStringMax + 3);

Oid child(Oid base, std::initializer_list<std::uint32_t> tail) {
    base.insert(base.end(), tail.begin(), tail.end());
    return base;
}

Oid child(Oid base, const Oid& tail) {
    base.insert(base.end(), tail.begin(), tail.end());
    return base;
}

// ---- view access -----------------------------------------------------------------------------
const Value* find(const MibView& view, const Oid& oid) {
    const auto it = view.find(oid);
    if (it == view.end() || it->second.is_missing()) return nullptr;
    return &it->second;
}

/// Rows of one table column: index suffix -> value, missing values skipped.
std::map<Oid, const Value*> column(const MibView& view, const Oid& col) {
    std::map<Oid, const Value*> rows;
    for (auto it = view.lower_bound(col); it != view.end() && snmp::starts_with(it->first, col);
         ++it) {
        if (it->second.is_missing()) continue;
        rows.emplace(
            Oid(it->first.begin() + static_cast<std::ptrdiff_t>(col.size()), it->first.end()),
            &it->second);
    }
    return rows;
}

std::string suffix_text(const Oid& index) { return snmp::to_string(index); }

struct Ctx {
    const MibView& view;
    CollectResult& out;
    text::CharsetHint charset;     ///< the device's declaration and the profile's default
    std::vector<Oid> supply_rows;  ///< prtMarkerSuppliesTable index of each Printer-MIB supply

    void note(std::string message) { out.notes.push_back(std::move(message)); }

    /// Integer from a numeric value; a decimal string is accepted with a note (some agents
    /// send INTEGER columns as OCTET STRING).
    std::optional<std::int64_t> integer(const Value* v, const Oid& oid) {
        if (v == nullptr) return std::nullopt;
        if (v->is_number()) return v->number;
        if (v->type == ValueType::octets || v->type == ValueType::opaque) {
            const std::string t = text::trim(text::decode(v->bytes));
            std::int64_t n = 0;
            const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
            if (!t.empty() && ec == std::errc{} && ptr == t.data() + t.size()) {
                note(snmp::to_string(oid) + ": integer sent as a string");
                return n;
            }
        }
        note(snmp::to_string(oid) + ": expected an integer, got another type; ignored");
        return std::nullopt;
    }
    std::optional<std::int64_t> integer(const Oid& oid) { return integer(find(view, oid), oid); }

    /// Device text, capped to `max_chars` (its MIB size, text.hpp) before anything matches,
    /// stores or uploads it.
    std::string str(const Value* v, const Oid& oid,
                    std::size_t max_chars = text::kDisplayStringMax) {
        if (v == nullptr) return {};
        if (v->type == ValueType::octets || v->type == ValueType::opaque) {
            text::DecodeInfo how;
            const std::string_view raw = std::string_view(v->bytes).substr(0, text::kRawOctetsMax);
            bool cut = raw.size() < v->bytes.size();
            auto s = text::cap(text::decode(raw, charset, &how), max_chars, &cut);
            if (cut) {
                note(snmp::to_string(oid) + ": value longer than " + std::to_string(max_chars) +
                     " characters; cut");
            }
            if (how.truncated) note(snmp::to_string(oid) + ": value cut inside a character");
            if (how.hex) note(snmp::to_string(oid) + ": hex-encoded text");
            // Say which charset a guess chose, so support can tell why text reads as it does.
            const auto cs = how.detection.charset;
            if (!s.empty() && cs != text::Charset::utf8 && cs != text::Charset::ascii) {
                note(snmp::to_string(oid) + ": text read as " +
                     std::string(text::charset_name(cs)) + " (" +
                     std::string(how.detection.reason) + ")");
            }
            return s;
        }
        if (v->is_number()) return std::to_string(v->number);
        if (v->type == ValueType::object_id) return snmp::to_string(v->oid);
        note(snmp::to_string(oid) + ": expected a string, got another type; ignored");
        return {};
    }
    std::string str(const Oid& oid, std::size_t max_chars = text::kDisplayStringMax) {
        return str(find(view, oid), oid, max_chars);
    }
};

// ---- value sources (profiles) ------------------------------------------------------------------
std::string apply_regex(const ValueSource& src, const std::string& s) {
    if (!src.regex) return s;
    std::smatch m;
    if (!pattern_search(s, *src.regex, &m)) return {};
    return text::trim(m.size() > 1 ? m[1].str() : m[0].str());
}

std::string source_text(Ctx& ctx, const ValueSource& src, const std::string& sys_descr,
                        const std::string& hr_descr) {
    std::string s;
    switch (src.field) {
        case ValueSource::Field::sys_descr:
            s = sys_descr;
            break;
        case ValueSource::Field::hr_device_descr:
            s = hr_descr;
            break;
        case ValueSource::Field::oid: {
            const Value* v = find(ctx.view, src.oid);
            if (v == nullptr) return {};
            if (src.format == "mac" && (v->type == ValueType::octets)) {
                return text::format_mac(v->bytes);
            }
            // A 1284 device ID or a vendor string a field is taken from may be longer than a
            // DisplayString; the field taken from it is capped like one below.
            s = ctx.str(v, src.oid, text::kDeviceIdMax);
            break;
        }
    }
    if (src.format.rfind("ieee1284:", 0) == 0) s = text::ieee1284_field(s, src.format.substr(9));
    if (src.format == "mac") s = text::format_mac(s);
    return text::cap(apply_regex(src, s), text::kDisplayStringMax);
}

std::optional<std::int64_t> source_number(Ctx& ctx, const ValueSource& src) {
    if (src.field != ValueSource::Field::oid) return std::nullopt;
    const Value* v = find(ctx.view, src.oid);
    if (v == nullptr) return std::nullopt;
    if (src.format.rfind("brother_block:", 0) == 0) {
        if (v->type != ValueType::octets) {
            ctx.note(snmp::to_string(src.oid) + ": Brother block is not an OCTET STRING");
            return std::nullopt;
        }
        const auto code = static_cast<unsigned>(std::stoul(src.format.substr(14), nullptr, 16));
        std::string problem;
        auto value = blocks::brother_value(v->bytes, code, &problem);
        if (!problem.empty()) ctx.note(snmp::to_string(src.oid) + ": " + problem);
        return value;
    }
    if (src.regex) {
        const std::string t = apply_regex(src, ctx.str(v, src.oid));
        std::int64_t n = 0;
        const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
        if (t.empty() || ec != std::errc{}) return std::nullopt;
        return n;
    }
    return ctx.integer(v, src.oid);
}

// ---- identity ----------------------------------------------------------------------------------
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

// ---- supplies ----------------------------------------------------------------------------------
std::string supply_type_name(std::int64_t code) {
    static const char* const kNames[] = {"",
                                         "other",
                                         "unknown",
                                         "toner",
                                         "waste_toner",
                                         "ink",
                                         "ink_cartridge",
                                         "ink_ribbon",
                                         "waste_ink",
                                         "opc",
                                         "developer",
                                         "fuser_oil",
                                         "solid_wax",
                                         "ribbon_wax",
                                         "waste_wax",
                                         "fuser",
                                         "corona_wire",
                                         "fuser_oil_wick",
                                         "cleaner_unit",
                                         "fuser_cleaning_pad",
                                         "transfer_unit",
                                         "toner_cartridge",
                                         "fuser_oiler",
                                         "water",
                                         "waste_water",
                                         "glue_water_additive",
                                         "waste_paper",
                                         "binding_supply",
                                         "banding_supply",
                                         "stitching_wire",
                                         "shrink_wrap",
                                         "paper_wrap",
                                         "staples",
                                         "inserts",
                                         "covers"};
    if (code < 1 || code >= static_cast<std::int64_t>(std::size(kNames))) return {};
    return kNames[code];
}

/// Printer-MIB type from the description when the device gives none (or "other"/"unknown").
std::string infer_supply_type(const std::string& description) {
    const std::string d = text::lower(description);
    const auto has = [&](const char* w) { return d.find(w) != std::string::npos; };
    if (has("waste")) return has("ink") ? "waste_ink" : "waste_toner";
    if (has("staple")) return "staples";
    if (has("drum") || has("opc") || has("photoconductor") || has("imaging unit") ||
        has("image unit") || has("imaging drum")) {
        return "opc";
    }
    if (has("developer")) return "developer";
    if (has("fuser")) return "fuser";
    if (has("transfer") || has("belt")) return "transfer_unit";
    if (has("ink")) return "ink";
    if (has("toner") || has("cartridge")) return "toner";
    return {};
}

std::string supply_unit_name(std::int64_t code) {
    switch (code) {
        case 3:
            return "ten_thousandths_of_inches";
        case 4:
            return "micrometers";
        case 7:
            return "impressions";
        case 8:
            return "sheets";
        case 11:
            return "hours";
        case 12:
            return "thousandths_of_ounces";
        case 13:
            return "tenths_of_grams";
        case 14:
            return "hundredths_of_fluid_ounces";
        case 15:
            return "tenths_of_milliliters";
        case 16:
            return "feet";
        case 17:
            return "meters";
        case 18:
            return "items";
        case 19:
            return "percent";
        case 1:
            return "other";
        default:
            return "unknown";
    }
}

std::string normalise_color(const std::string& raw) {
    std::string c = text::lower(text::trim(raw));
    if (c == "unknown" || c == "other" || c == "none" || c == "n/a") return {};
    return c;
}

std::string color_from_description(const std::string& description) {
    const std::string d = " " + text::lower(description) + " ";
    std::string found;
    int hits = 0;
    for (const char* c : {"black", "cyan", "magenta", "yellow"}) {
        // Whole words only ("Black" but not "Blackout"); brackets and punctuation separate.
        const std::string word(c);
        for (std::size_t p = d.find(word); p != std::string::npos; p = d.find(word, p + 1)) {
            const char before = d[p - 1];
            const char after = d[p + word.size()];
            if (std::isalpha(static_cast<unsigned char>(before)) == 0 &&
                std::isalpha(static_cast<unsigned char>(after)) == 0) {
                found = word;
                ++hits;
                break;
            }
        }
    }
    return hits == 1 ? found : std::string{};
}

int percent_of(std::int64_t level, std::int64_t max) {
    const double pct = static_cast<double>(level) * 100.0 / static_cast<double>(max);
    return static_cast<int>(std::lround(std::clamp(pct, 0.0, 100.0)));
}

proto::SupplyState state_for_percent(int pct, int low) {
    if (pct <= 0) return proto::SupplyState::empty;
    if (pct <= low) return proto::SupplyState::low;
    return proto::SupplyState::ok;
}

/// Kinds of supply that are the same thing for matching a private level to a Printer-MIB row.
std::string supply_family(const std::string& type) {
    if (type == "toner" || type == "toner_cartridge") return "toner";
    if (type == "ink" || type == "ink_cartridge") return "ink";
    return type;
}

int severity(proto::SupplyState s) {
    switch (s) {
        case proto::SupplyState::empty:
            return 2;
        case proto::SupplyState::low:
            return 1;
        default:
            return 0;
    }
}

/// Vendor private levels (profile `supplies`): they fill a Printer-MIB supply that has no
/// percentage (only a state, "some remaining", or a coded level) and add the supplies the
/// Printer-MIB does not list at all (Brother drum, belt and fuser life). A real percentage
/// from the Printer-MIB is kept; a state the printer itself reports as low or empty is never
/// raised by the vendor gauge.
void merge_private_supplies(Ctx& ctx, const Profile& profile, int low) {
    auto& supplies = ctx.out.snapshot.supplies;
    // "marking" in a profile: ink when the Printer-MIB lists ink, else toner.
    const bool ink = std::any_of(supplies.begin(), supplies.end(), [](const proto::Supply& s) {
        return supply_family(s.type) == "ink" || s.type == "waste_ink";
    });
    for (const auto& entry : profile.supplies_private) {
        SupplySource ps = entry;
        if (ps.type == "marking") {
            ps.type = ink ? "ink" : "toner";
            ps.description += ink ? " Ink" : " Toner";
        }
        const auto raw = source_number(ctx, ps.source);
        if (!raw) continue;
        const std::string where = ps.source.describe();
        if (*raw < 0 || *raw > 100 * ps.divisor) {
            ctx.note(where + ": " + std::to_string(*raw) + " is no percentage of " +
                     ps.description + "; ignored");
            continue;
        }
        const int pct = static_cast<int>(
            std::lround(static_cast<double>(*raw) / static_cast<double>(ps.divisor)));
        const auto same = [&](const proto::Supply& s) {
            // Untyped kinds ("other") only match by description.
            return supply_family(s.type) == supply_family(ps.type) &&
                   (s.color == ps.color || (ps.color.empty() && s.color.empty())) &&
                   (ps.type != "other" ||
                    text::lower(s.description) == text::lower(ps.description));
        };
        const std::string source = "profile:" + profile.id;
        auto it = std::find_if(supplies.begin(), supplies.end(), same);
        if (it != supplies.end() && std::count_if(supplies.begin(), supplies.end(), same) > 1) {
            continue;  // ambiguous: which row the vendor level belongs to is not known
        }
        if (it != supplies.end()) {
            if (it->level_percent) continue;  // the Printer-MIB's percentage stands
            const auto from_gauge = state_for_percent(pct, low);
            if (severity(it->state) > severity(from_gauge)) {
                ctx.note(where + ": " + ps.description + " at " + std::to_string(pct) +
                         "% but the printer reports it " +
                         std::string(proto::to_string(it->state)) +
                         "; the printer's state is kept");
                continue;
            }
            it->level_percent = pct;
            it->state = from_gauge;
            it->source = source;
            ctx.out.sources["supplies." + ps.description] = where + " (" + source + ")";
            continue;
        }
        proto::Supply s;
        s.description = ps.description;
        s.type = ps.type;
        s.color = ps.color;
        s.supply_class =
            ps.receptacle ? proto::SupplyClass::receptacle : proto::SupplyClass::consumed;
        s.unit = "percent";
        s.level = pct;
        s.max = 100;
        s.level_percent = pct;
        s.state = state_for_percent(pct, low);
        s.source = source;
        ctx.out.sources["supplies." + ps.description] = where + " (" + source + ")";
        supplies.push_back(std::move(s));
    }
}

void collect_supplies(Ctx& ctx, const Profile* profile) {
    const auto col = [&](std::uint32_t n) {
        return column(ctx.view, child(kPrtSuppliesEntry, {n}));
    };
    const auto classes = col(4);
    const auto types = col(5);
    const auto descrs = col(6);
    const auto units = col(7);
    const auto maxes = col(8);
    const auto levels = col(9);
    const auto colorant_idx = col(3);
    std::set<Oid> rows;
    for (const auto* c : {&classes, &types, &descrs, &maxes, &levels}) {
        for (const auto& [idx, v] : *c) rows.insert(idx);
    }
    const int low = profile ? profile->low_percent : 10;
    for (const auto& idx : rows) {
        const auto at = [&](const std::map<Oid, const Value*>& c) -> const Value* {
            const auto it = c.find(idx);
            return it == c.end() ? nullptr : it->second;
        };
        const auto oid_at = [&](std::uint32_t n) {
            Oid o = child(kPrtSuppliesEntry, {n});
            o.insert(o.end(), idx.begin(), idx.end());
            return o;
        };
        proto::Supply s;
        s.description = ctx.str(at(descrs), oid_at(6));
        const auto type_code = ctx.integer(at(types), oid_at(5));
        s.type = type_code ? supply_type_name(*type_code) : std::string{};
        if (s.type.empty() || s.type == "other" || s.type == "unknown") {
            if (auto inferred = infer_supply_type(s.description); !inferred.empty()) {
                s.type = inferred;
            }
        }
        const auto class_code = ctx.integer(at(classes), oid_at(4));
        if (class_code) {
            s.supply_class =
                *class_code == 4 ? proto::SupplyClass::receptacle : proto::SupplyClass::consumed;
        } else if (s.type.rfind("waste", 0) == 0) {
            s.supply_class = proto::SupplyClass::receptacle;
        }
        const auto unit_code = ctx.integer(at(units), oid_at(7));
        s.unit = unit_code ? supply_unit_name(*unit_code) : std::string{};
        // Colour: prtMarkerColorantValue of the supply's colorant, else the description.
        if (const auto ci = ctx.integer(at(colorant_idx), oid_at(3));
            ci && *ci > 0 && !idx.empty()) {
            const Oid cv = child(kPrtColorantValue, {idx.front(), static_cast<std::uint32_t>(*ci)});
            s.color = normalise_color(ctx.str(cv));
        }
        if (s.color.empty()) s.color = color_from_description(s.description);

        const auto level = ctx.integer(at(levels), oid_at(9));
        const auto max = ctx.integer(at(maxes), oid_at(8));
        s.level = level;
        if (max && *max > 0) s.max = max;
        s.source = "printer-mib";
        bool coded = false;
        if (profile != nullptr && level) {
            for (const auto& code : profile->supplies.special) {
                if (code.level == *level) {
                    s.state = code.state;
                    coded = true;
                }
            }
            const auto& cm = profile->supplies.coded_max_at_most;
            if (!coded && cm && (!max || *max <= *cm)) {
                for (const auto& code : profile->supplies.coded) {
                    if (code.level == *level) {
                        s.state = code.state;
                        coded = true;
                    }
                }
            }
            if (coded) s.source = "profile:" + profile->id;
        }
        if (!coded && level) {
            if (*level == -1) {
                s.state = proto::SupplyState::unrestricted;
            } else if (*level == -2) {
                s.state = proto::SupplyState::unknown;
            } else if (*level == -3) {
                s.state = proto::SupplyState::some_remaining;
            } else if (*level < 0) {
                s.state = proto::SupplyState::unknown;
                ctx.note("supply " + suffix_text(idx) + ": level " + std::to_string(*level) +
                         " is not an RFC 3805 value");
            } else if (max && *max > 0) {
                if (*level > *max) {
                    ctx.note("supply " + suffix_text(idx) + ": level above its maximum");
                }
                s.level_percent = percent_of(*level, *max);
                s.state = state_for_percent(*s.level_percent, low);
            } else if (*level <= 100 && (s.unit.empty() || s.unit == "percent" ||
                                         s.unit == "other" || s.unit == "unknown")) {
                // Unknown maximum but a level within 0..100 and no other unit: devices
                // (Sharp, Kyocera, many waste boxes) report percent this way.
                s.level_percent = static_cast<int>(*level);
                s.state = state_for_percent(*s.level_percent, low);
                if (s.unit != "percent") {
                    ctx.note("supply " + suffix_text(idx) +
                             ": maximum unknown, level read as a percentage");
                }
            } else {
                // Unknown maximum: a count without a scale is no percentage.
                s.state =
                    *level == 0 ? proto::SupplyState::empty : proto::SupplyState::some_remaining;
            }
        }
        ctx.out.snapshot.supplies.push_back(std::move(s));
        ctx.supply_rows.push_back(idx);
    }
    if (!rows.empty()) ctx.out.sources["supplies"] = snmp::to_string(kPrtSuppliesEntry);
    if (profile != nullptr) merge_private_supplies(ctx, *profile, low);
}

// ---- trays -------------------------------------------------------------------------------------
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
            return "sheet_feed_manual";
        case 6:
            return "continuous_roll";
        case 7:
            return "continuous_fan_fold";
        default:
            return {};
    }
}

void collect_trays(Ctx& ctx, int low) {
    const auto col = [&](std::uint32_t n) { return column(ctx.view, child(kPrtInputEntry, {n})); };
    const auto types = col(2);
    const auto maxes = col(9);
    const auto levels = col(10);
    const auto names = col(13);
    const auto descrs = col(18);
    std::set<Oid> rows;
    for (const auto* c : {&types, &maxes, &levels, &names}) {
        for (const auto& [idx, v] : *c) rows.insert(idx);
    }
    for (const auto& idx : rows) {
        const auto at = [&](const std::map<Oid, const Value*>& c) -> const Value* {
            const auto it = c.find(idx);
            return it == c.end() ? nullptr : it->second;
        };
        const auto oid_at = [&](std::uint32_t n) {
            Oid o = child(kPrtInputEntry, {n});
            o.insert(o.end(), idx.begin(), idx.end());
            return o;
        };
        proto::Tray t;
        t.name = ctx.str(at(names), oid_at(13));
        if (t.name.empty()) t.name = ctx.str(at(descrs), oid_at(18));
        if (t.name.empty()) t.name = "Input " + std::to_string(idx.back());
        t.description = ctx.str(at(descrs), oid_at(18));
        if (t.description.empty()) t.description = t.name;
        if (const auto ty = ctx.integer(at(types), oid_at(2))) t.type = input_type_name(*ty);
        const auto level = ctx.integer(at(levels), oid_at(10));
        const auto max = ctx.integer(at(maxes), oid_at(9));
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

void collect_status(Ctx& ctx, std::optional<std::uint32_t> printer_idx) {
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
        auto text = ctx.str(child(kPrtConsoleText, {1, static_cast<std::uint32_t>(line)}));
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
    for (const auto& [aidx, sev] : severities) {
        proto::Alert a;
        const auto oid_at = [&, &ai = aidx](std::uint32_t n) {
            Oid o = child(kPrtAlertEntry, {n});
            o.insert(o.end(), ai.begin(), ai.end());
            return o;
        };
        switch (ctx.integer(sev, oid_at(2)).value_or(1)) {
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
            const auto g = ctx.integer(it->second, oid_at(4)).value_or(1);
            const auto name = kGroups.find(g);
            a.group = name == kGroups.end() ? "other" : name->second;
        }
        if (const auto it = codes.find(aidx); it != codes.end()) {
            a.code = ctx.integer(it->second, oid_at(7)).value_or(0);
        }
        if (const auto it = descrs.find(aidx); it != descrs.end()) {
            a.description = ctx.str(it->second, oid_at(8));
        }
        st.alerts.push_back(std::move(a));
    }
}

// ---- counters ----------------------------------------------------------------------------------
// No printer makes 10^12 pages; such a value is a clamped Counter64, an uninitialised cell or a
// misread field, and would poison every sum and bill built on it.
constexpr std::int64_t kMaxPlausibleCount = 1'000'000'000'000;

void set_counter(Ctx& ctx, const std::string& name, std::int64_t value, const std::string& source,
                 bool override_existing) {
    if (value < 0) {
        ctx.note("counter " + name + " from " + source + " is negative; ignored");
        return;
    }
    if (value > kMaxPlausibleCount) {
        ctx.note("counter " + name + " from " + source + " is implausibly large; ignored");
        return;
    }
    auto& counters = ctx.out.snapshot.counters;
    if (counters.count(name) != 0 && !override_existing) return;
    counters[name] = value;
    ctx.out.sources["counters." + name] = source;
}

void collect_pwg_counters(Ctx& ctx) {
    // PWG 5106.1: icKeyTable gives each key's service; icImpressionTable is indexed by
    // (key, workType, persistence). workTotals (3) + lifetime (3) is the billing number.
    const auto services = column(ctx.view, kIcKeyServiceType);
    const auto total = column(ctx.view, child(kIcImpressionEntry, {4}));
    const auto mono = column(ctx.view, child(kIcImpressionEntry, {5}));
    const auto color = column(ctx.view, child(kIcImpressionEntry, {7}));
    for (const auto& [idx, v] : total) {
        if (idx.size() != 3 || idx[1] != 3 || idx[2] != 3) continue;
        const auto svc = services.find(Oid{idx[0]});
        if (svc == services.end() || !svc->second->is_number()) continue;
        std::string prefix;
        switch (svc->second->number) {
            case 3:
                prefix = "";
                break;  // systemTotals
            case 4:
                prefix = "copy_";
                break;
            case 11:
                prefix = "print_";
                break;
            case 12:
                prefix = "scan_";
                break;
            case 7:
                prefix = "fax_";
                break;  // faxIn: received faxes printed
            default:
                continue;
        }
        const std::string src = snmp::to_string(kIcImpressionEntry);
        const auto put = [&](const std::string& name, const Value* val) {
            if (val != nullptr && val->is_number()) set_counter(ctx, name, val->number, src, false);
        };
        put(prefix.empty() ? "total" : prefix + "total", v);
        if (prefix == "fax_") continue;
        if (const auto m = mono.find(idx); m != mono.end()) {
            put(prefix.empty() ? "mono" : prefix + "mono", m->second);
        }
        if (const auto c = color.find(idx); c != color.end()) {
            put(prefix.empty() ? "color" : prefix + "color", c->second);
        }
    }
}

/// Pages per paper size summed into large (long edge >= 400 mm) and small paper. A row with a
/// count that cannot be placed (no size, an unknown unit, a count that is no number) voids
/// both sums: a small-paper total missing a size would be billed wrong, so none is better.
void collect_size_table(Ctx& ctx, const Profile& profile, const SizeTable& table) {
    constexpr std::int64_t kLargeMicrometres = 400'000;  // A3 is 420 mm, B4 364 mm
    const auto units = column(ctx.view, table.unit_column);
    const auto lengths = column(ctx.view, table.length_column);
    const auto values = column(ctx.view, table.value_column);
    if (values.empty()) return;
    std::int64_t large = 0;
    std::int64_t small = 0;
    std::string large_rows;
    std::string small_rows;
    for (const auto& [idx, v] : values) {
        const Oid value_oid = child(table.value_column, idx);
        const auto n = ctx.integer(v, value_oid);
        std::optional<std::int64_t> micrometres;
        const auto unit = units.find(idx);
        const auto length = lengths.find(idx);
        if (unit != units.end() && length != lengths.end() && unit->second->is_number() &&
            length->second->is_number() && length->second->number > 0 &&
            length->second->number < 10'000'000) {
            if (unit->second->number == 4) micrometres = length->second->number;
            if (unit->second->number == 3) micrometres = length->second->number * 254 / 100;
        }
        if (n && *n == 0) continue;  // an unused size places no page anywhere
        if (!n || *n < 0 || *n > kMaxPlausibleCount || !micrometres) {
            ctx.note(snmp::to_string(value_oid) + ": a paper-size row without a readable " +
                     (micrometres ? "count" : "size") + "; no " + table.large + "/" + table.small +
                     " counters");
            return;
        }
        const bool is_large = *micrometres >= kLargeMicrometres;
        (is_large ? large : small) += *n;  // each <= 10^12, rows are few: no overflow
        auto& rows = is_large ? large_rows : small_rows;
        rows += (rows.empty() ? "" : "+") + snmp::to_string(idx);
    }
    const auto where = [&](const std::string& rows) {
        return snmp::to_string(table.value_column) + " (rows " + rows + ") (profile:" + profile.id +
               ")";
    };
    // A model that has only small sizes has no large-paper pages: 0, not unknown.
    set_counter(ctx, table.large, large, where(large_rows.empty() ? "none" : large_rows), false);
    set_counter(ctx, table.small, small, where(small_rows.empty() ? "none" : small_rows), false);
}

void collect_counters(Ctx& ctx, const Profile* profile) {
    const auto unit = ctx.integer(kPrtMarkerUnit11);
    // prtMarkerCounterUnit: 7 impressions, 8 sheets; anything else (meters, hours...) is not a
    // page count and must not be billed as one.
    const bool pages = !unit || *unit == 7 || *unit == 8;
    if (!pages) ctx.note("prtMarkerCounterUnit is " + std::to_string(*unit) + ", not pages");
    if (pages) {
        if (const auto life = ctx.integer(kPrtMarkerLife11)) {
            set_counter(ctx, "total", *life, snmp::to_string(kPrtMarkerLife11), false);
        }
        if (const auto pon = ctx.integer(kPrtMarkerPowerOn11)) {
            set_counter(ctx, "since_power_on", *pon, snmp::to_string(kPrtMarkerPowerOn11), false);
        }
    }
    collect_pwg_counters(ctx);
    if (profile == nullptr) return;
    struct Sum {
        std::int64_t value = 0;
        std::string how;
        bool override_standard = false;
        bool broken = false;  ///< a part overflowed or was implausible: no value at all
    };
    std::map<std::string, Sum> summed;  // counters whose entries are marked `sum`
    for (const auto& c : profile->counters) {
        const auto n = source_number(ctx, c.source);
        if (!n) continue;
        std::int64_t scaled = 0;
        if (__builtin_mul_overflow(*n, c.scale, &scaled)) {
            ctx.note("counter " + c.name + " from " + c.source.describe() +
                     " overflows when scaled; ignored");
            if (c.sum) summed[c.name].broken = true;
            continue;
        }
        if (!c.sum) {
            set_counter(ctx, c.name, scaled, c.source.describe() + " (profile:" + profile->id + ")",
                        c.override_standard);
            continue;
        }
        auto& sum = summed[c.name];
        if (sum.broken) continue;
        if (scaled < 0) {
            ctx.note("counter " + c.name + " from " + c.source.describe() +
                     " is negative; ignored");
            continue;
        }
        if (scaled > kMaxPlausibleCount || __builtin_add_overflow(sum.value, scaled, &sum.value)) {
            ctx.note("counter " + c.name + " from " + c.source.describe() +
                     " is implausibly large; its sum is ignored");
            sum.broken = true;
            continue;
        }
        sum.how += (sum.how.empty() ? "" : " + ") + c.source.describe();
        sum.override_standard = sum.override_standard || c.override_standard;
    }
    for (const auto& [name, sum] : summed) {
        if (sum.broken || sum.how.empty()) continue;
        set_counter(ctx, name, sum.value, sum.how + " (profile:" + profile->id + ")",
                    sum.override_standard);
    }
    // Typed counter tables: every row whose type the profile lists, summed per name.
    for (const auto& table : profile->counter_tables) {
        const auto types = column(ctx.view, table.type_column);
        const auto values = column(ctx.view, table.value_column);
        const auto units = table.unit_column ? column(ctx.view, *table.unit_column)
                                             : std::map<Oid, const Value*>{};
        std::map<std::string, std::pair<std::int64_t, std::string>> sums;  // name -> sum, types
        std::map<std::string, bool> overrides;
        std::set<std::string> broken;  // names with a part that cannot be counted: no value
        for (const auto& [idx, tv] : types) {
            const auto value = values.find(idx);
            if (value == values.end() || !tv->is_number()) continue;
            if (table.unit_column) {
                // Sides and sheets differ on every duplex page: a row in another unit (or none)
                // is not the counter its name promises, and a sum missing it would be wrong.
                const auto row_unit = units.find(idx);
                const bool counted = row_unit != units.end() && row_unit->second->is_number() &&
                                     std::find(table.units.begin(), table.units.end(),
                                               row_unit->second->number) != table.units.end();
                if (!counted) {
                    for (const auto& ty : table.types) {
                        if (ty.type != tv->number || broken.count(ty.name) != 0) continue;
                        ctx.note(snmp::to_string(child(table.value_column, idx)) +
                                 ": row in an unexpected unit; no " + ty.name);
                        broken.insert(ty.name);
                    }
                    continue;
                }
            }
            for (const auto& ty : table.types) {
                if (ty.type != tv->number) continue;
                const auto n = ctx.integer(value->second, child(table.value_column, idx));
                if (!n || *n < 0) continue;
                if (broken.count(ty.name) != 0) continue;
                auto& [sum, which] = sums[ty.name];
                // A garbage value near 2^63 must not wrap the sum into a plausible number.
                if (__builtin_add_overflow(sum, *n, &sum)) {
                    ctx.note(snmp::to_string(table.value_column) + ": sum of " + ty.name +
                             " overflows; ignored");
                    broken.insert(ty.name);
                    continue;
                }
                which += (which.empty() ? "" : "+") + std::to_string(ty.type);
                overrides[ty.name] = overrides[ty.name] || ty.override_standard;
            }
        }
        for (const auto& [name, sum_which] : sums) {
            if (broken.count(name) != 0) continue;
            set_counter(ctx, name, sum_which.first,
                        snmp::to_string(table.value_column) + " (type " + sum_which.second +
                            ") (profile:" + profile->id + ")",
                        overrides[name]);
        }
    }
    for (const auto& table : profile->size_tables) collect_size_table(ctx, *profile, table);
    // Derived last, and only where the device gave no value of its own.
    for (const auto& d : profile->derived) {
        auto& counters = ctx.out.snapshot.counters;
        if (counters.count(d.name) != 0) continue;
        std::int64_t sum = 0;
        std::string how;
        bool complete = true;
        for (const auto& part : d.parts) {
            const auto it = counters.find(part);
            if (it == counters.end()) {
                if (d.partial) continue;
                complete = false;
                break;
            }
            // set_counter bounds every part, so this only keeps the sum defined should that
            // bound ever grow: a wrapped sum must never read as a plausible number.
            if (__builtin_add_overflow(sum, it->second, &sum)) {
                ctx.note("counter " + d.name + ": sum of its parts overflows; ignored");
                complete = false;
                break;
            }
            how += (how.empty() ? "" : " + ") + part;
        }
        if (complete && !how.empty()) {
            set_counter(ctx, d.name, sum, "derived: " + how + " (profile:" + profile->id + ")",
                        false);
        }
    }
}

// ---- the printer's own word on its supplies -----------------------------------------------------
/// Low/empty/missing supplies as the printer states them (supply_claims.hpp): alert rows,
/// hrPrinterDetectedErrorState, the console. Runs last, over the Printer-MIB and private
/// supplies, so no gauge can report such a supply at a high level.
void apply_printer_claims(Ctx& ctx, int low) {
    std::vector<supply_claims::Claim> claims;
    const auto col = [&](std::uint32_t n) { return column(ctx.view, child(kPrtAlertEntry, {n})); };
    const auto groups = col(4);
    const auto group_indexes = col(5);
    const auto codes = col(7);
    const auto descrs = col(8);
    for (const auto& [aidx, code_value] : codes) {
        const Oid code_oid = child(child(kPrtAlertEntry, {7}), aidx);
        const auto code = ctx.integer(code_value, code_oid);
        std::optional<Oid> row;
        if (const auto g = groups.find(aidx); g != groups.end() && g->second->is_number() &&
                                              g->second->number == 11 && !aidx.empty()) {
            // markerSupplies: prtAlertGroupIndex is the prtMarkerSuppliesIndex of the row on
            // the same hrDeviceIndex (the alert's first index).
            if (const auto gi = group_indexes.find(aidx);
                gi != group_indexes.end() && gi->second->is_number() && gi->second->number > 0) {
                row = Oid{aidx.front(), static_cast<std::uint32_t>(gi->second->number)};
            }
        }
        std::vector<supply_claims::Claim> found;
        if (code) {
            if (auto c = supply_claims::from_alert_code(*code)) {
                c->source =
                    snmp::to_string(code_oid) + " (prtAlertCode " + std::to_string(*code) + ")";
                found.push_back(std::move(*c));
            }
        }
        if (found.empty()) {
            // Vendor codes (or "other") with a description: read the text.
            if (const auto d = descrs.find(aidx); d != descrs.end()) {
                const Oid descr_oid = child(child(kPrtAlertEntry, {8}), aidx);
                for (auto& c : supply_claims::from_text(ctx.str(d->second, descr_oid))) {
                    c.source = snmp::to_string(descr_oid) + " (prtAlertDescription)";
                    found.push_back(std::move(c));
                }
            }
        }
        for (auto& c : found) {
            c.row = row;
            claims.push_back(std::move(c));
        }
    }
    const auto& st = ctx.out.snapshot.status;
    const auto errors_source = ctx.out.sources.find("status.errors");
    for (const auto& [bit, state] : {std::pair{"low_toner", proto::SupplyState::low},
                                     std::pair{"no_toner", proto::SupplyState::empty}}) {
        if (std::find(st.errors.begin(), st.errors.end(), bit) == st.errors.end()) continue;
        const std::string where = errors_source == ctx.out.sources.end()
                                      ? "hrPrinterDetectedErrorState"
                                      : errors_source->second;
        claims.push_back({state, "marking", {}, std::nullopt, where + " (" + bit + ")"});
    }
    if (!st.console.empty()) {
        const auto console_source = ctx.out.sources.find("status.console");
        const std::string where = console_source == ctx.out.sources.end()
                                      ? "console"
                                      : console_source->second + " (console text)";
        for (auto& c : supply_claims::from_text(st.console)) {
            c.source = where;
            claims.push_back(std::move(c));
        }
    }
    supply_claims::apply(ctx.out.snapshot.supplies, ctx.supply_rows, claims, low, ctx.out.notes,
                         ctx.out.sources);
}

template <typename Fn>
std::string first_of(Ctx& ctx, const std::vector<ValueSource>& sources, const std::string& field,
                     const std::string& profile_id, Fn&& read) {
    for (const auto& src : sources) {
        auto value = read(src);
        if (!value.empty()) {
            ctx.out.sources[field] = src.describe() + " (profile:" + profile_id + ")";
            return value;
        }
    }
    return {};
}

void add_unique(std::vector<Oid>& oids, const Oid& oid) {
    if (std::find(oids.begin(), oids.end(), oid) == oids.end()) oids.push_back(oid);
}

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
    }
    return out;
}

/// Vendor table columns a profile walks (counter tables).
std::vector<Oid> profile_subtrees(const Profile& p) {
    std::vector<Oid> out;
    for (const auto& t : p.counter_tables) {
        add_unique(out, t.type_column);
        add_unique(out, t.value_column);
        if (t.unit_column) add_unique(out, *t.unit_column);
    }
    for (const auto& t : p.size_tables) {
        add_unique(out, t.unit_column);
        add_unique(out, t.length_column);
        add_unique(out, t.value_column);
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

CollectionPlan identity_plan() {
    return CollectionPlan{{kSysDescr, kSysObjectId, kSysUpTime, kSysName, child(kHrDeviceType, {1}),
                           child(kHrDeviceDescr, {1}), kPrtGeneralConfigChanges1,
                           kPrtGeneralSerial1, kIcGeneralServiceRecords},
                          {}};
}

CollectionPlan repeat_plan(const snmp::MibView& previous, const ProfileSet& profiles) {
    // Columns whose values change while the device runs; everything else is identity or
    // table layout and is re-read by the periodic full poll.
    static const std::vector<Oid> kVolatile = {
        kSysUpTime,
        kHrDeviceStatus,
        kHrPrinterEntry,
        child(kPrtInputEntry, {10}),          // prtInputCurrentLevel
        child(kPrtInputEntry, {11}),          // prtInputStatus
        {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 4},  // prtMarkerLifeCount
        {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 5},  // prtMarkerPowerOnCount
        child(kPrtSuppliesEntry, {8}),        // prtMarkerSuppliesMaxCapacity (new cartridge)
        child(kPrtSuppliesEntry, {9}),        // prtMarkerSuppliesLevel
        kPrtConsoleText,
        kIcImpressionEntry,
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
        for (const auto& t : ident.profile->size_tables) cells(t.value_column);
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
    plan.scalars = {kPrtGeneralSerial1, kPrtCharset11, kPrtMarkerUnit11, kPrtMarkerLife11,
                    kPrtMarkerPowerOn11};
    for (int line = 1; line <= kConsoleLines; ++line) {
        plan.scalars.push_back(child(kPrtConsoleText, {1, static_cast<std::uint32_t>(line)}));
    }
    // Printer-MIB tables are walked even without a presence hint: some agents (OKI) serve the
    // supplies table but not prtGeneral, and a walk of an absent table costs one request.
    plan.subtrees = {kIfPhysAddress,    kHrDeviceEntry,    kHrPrinterEntry, kPrtInputEntry,
                     kPrtSuppliesEntry, kPrtColorantValue, kPrtAlertEntry};
    if (find(phase1, kIcGeneralServiceRecords) != nullptr) {
        plan.subtrees.push_back(kIcKeyServiceType);
        plan.subtrees.push_back(kIcImpressionEntry);
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
    Ctx ctx{view, out, {}, {}};

    const auto ident = identify(view, profiles);
    const Profile* profile = ident.profile;
    if (profile != nullptr) {
        out.sources["profile"] =
            profile->id + " (" + profile->file + ", by " + ident.profile_reason + ")";
    }
    for (const auto& c : ident.conflicts) ctx.note("vendor evidence: " + c);

    // Charset: the device's own declaration (prtLocalizationCharacterSet) and the profile's
    // default are hints; each string is still checked (charset.hpp has the order).
    if (const Value* cs = find(view, kPrtCharset11); cs != nullptr && cs->is_number()) {
        if (auto c = text::charset_from_mibenum(static_cast<long>(cs->number))) {
            ctx.charset.declared = *c;
        }
    }
    if (profile != nullptr && !profile->charset.empty()) {
        if (auto c = text::charset_from_name(profile->charset)) ctx.charset.profile = *c;
    }

    auto& id = snap.identity;
    id.sys_descr = ctx.str(kSysDescr);
    id.sys_object_id = ident.sys_object_id;
    id.sys_name = ctx.str(kSysName);
    if (const Value* up = find(view, kSysUpTime); up != nullptr && up->is_number()) {
        snap.uptime = up->number / 100;
    }

    const auto printer_idx = printer_device_index(view);
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

    collect_counters(ctx, profile);
    collect_supplies(ctx, profile);
    collect_trays(ctx, profile ? profile->low_percent : 10);
    collect_status(ctx, printer_idx);
    if (snap.status.console.empty() && profile != nullptr) {
        snap.status.console = first_of(ctx, profile->console, "status.console", pid, text_of);
    }
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
