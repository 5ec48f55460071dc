// Supplies: the Printer-MIB supplies table, vendor private levels from profiles, and the
// printer's own word on them (alerts, error bits, console text).

#include "polling/collector_parts.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "polling/supply_claims.hpp"
#include "printmon/proto/enums.hpp"

namespace printmon::scanner::collect {

using snmp::MibView;
using snmp::Oid;
using snmp::Value;
using snmp::ValueType;

namespace {

std::string supply_type_name(std::int64_t code) {
    static constexpr std::array kNames = {"",
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
    if (code < 1 || code >= static_cast<std::int64_t>(kNames.size())) return {};
    return kNames[static_cast<std::size_t>(code)];
}

/// Printer-MIB type from the description when the device gives none (or "other"/"unknown").
std::string infer_supply_type(const Vocabulary& words, const std::string& description) {
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
    // Not in English: the panel languages' words for the same kinds.
    return supply_claims::kind_named(words, description);
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

/// prtMarkerColorantValue as the console shows it. RFC 3805 asks for English names ("black",
/// "light cyan", kept as given); a colorant named in the panel's language or by its letter
/// ("Schwarz", "Черный", "[K]") is one of the four process colours by name.
std::string normalise_color(const Vocabulary& words, const std::string& raw) {
    std::string c = text::lower(text::trim(raw));
    if (c == "unknown" || c == "other" || c == "none" || c == "n/a") return {};
    if (auto named = supply_claims::color_named(words, c);
        !named.empty() && c.find(named) == std::string::npos) {
        return named;
    }
    return c;
}

proto::SupplyState state_for_percent(int pct, int low) {
    if (pct <= 0) return proto::SupplyState::empty;
    if (pct <= low) return proto::SupplyState::low;
    return proto::SupplyState::ok;
}

/// A supply of the kind `type` (toner and its cartridge alike); an untyped kind ("other")
/// only by its description. Colour is matched by the caller.
bool same_kind(const proto::Supply& s, const std::string& type, const std::string& description) {
    return supply_family(s.type) == supply_family(type) &&
           (type != "other" || text::lower(s.description) == text::lower(description));
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

/// One vendor level (a percentage, or only a state from a vendor code) merged with the
/// Printer-MIB's supplies: it fills a supply of the same kind and colour that has no
/// percentage, or is added when the Printer-MIB lists none. A real percentage from the
/// Printer-MIB is kept; a state the printer itself reports as worse is never raised.
void merge_level(Ctx& ctx, const SupplySource& ps, std::optional<int> pct,
                 std::optional<proto::SupplyState> coded, const std::string& where,
                 const std::string& source, int low) {
    auto& supplies = ctx.out.snapshot.supplies;
    const auto same = [&](const proto::Supply& s) {
        return same_kind(s, ps.type, ps.description) && s.color == ps.color;
    };
    auto it = std::find_if(supplies.begin(), supplies.end(), same);
    if (it != supplies.end() && std::count_if(supplies.begin(), supplies.end(), same) > 1) {
        return;  // ambiguous: which row the vendor level belongs to is not known
    }
    if (it == supplies.end()) {
        // One side names no colour (a Printer-MIB drum row without a colorant, a vendor
        // record of a mono laser's drum), or both name the unit alike: the only such unit
        // is this one. Several candidates: which one is not known, and adding it would list
        // the unit twice.
        const auto loose = [&](const proto::Supply& s) {
            return same_kind(s, ps.type, ps.description) &&
                   (s.color.empty() || ps.color.empty() ||
                    text::lower(s.description) == text::lower(ps.description));
        };
        const auto n = std::count_if(supplies.begin(), supplies.end(), loose);
        if (n > 1) {
            ctx.note(
                fmt::format("{}: {} matches several supplies; not merged", where, ps.description));
            return;
        }
        if (n == 1) it = std::find_if(supplies.begin(), supplies.end(), loose);
    }
    const auto state = pct ? state_for_percent(*pct, low) : *coded;
    if (it != supplies.end()) {
        if (it->level_percent) return;  // the Printer-MIB's percentage stands
        if (severity(it->state) > severity(state) ||
            (!pct && severity(it->state) == severity(state))) {
            if (pct) {
                ctx.note(
                    fmt::format("{}: {} at {}% but the printer reports it {}; the printer's "
                                "state is kept",
                                where, ps.description, *pct, proto::to_string(it->state)));
            }
            return;
        }
        it->level_percent = pct;
        it->state = state;
        it->source = source;
        ctx.out.sources["supplies." + ps.description] = fmt::format("{} ({})", where, source);
        return;
    }
    proto::Supply s;
    s.description = ps.description;
    s.type = ps.type;
    s.color = ps.color;
    s.supply_class = ps.receptacle ? proto::SupplyClass::receptacle : proto::SupplyClass::consumed;
    if (pct) {
        s.unit = "percent";
        s.level = *pct;
        s.max = 100;
        s.level_percent = pct;
    }
    s.state = state;
    s.source = source;
    ctx.out.sources["supplies." + ps.description] = fmt::format("{} ({})", where, source);
    supplies.push_back(std::move(s));
}

/// "marking" in a profile: ink when the Printer-MIB lists ink or the profile knows the model
/// for an inkjet, else toner.
bool marking_is_ink(const Ctx& ctx, const Profile& profile) {
    const auto& supplies = ctx.out.snapshot.supplies;
    const std::string& model = ctx.out.snapshot.identity.model;
    return std::any_of(supplies.begin(), supplies.end(),
                       [](const proto::Supply& s) {
                           return supply_family(s.type) == "ink" || s.type == "waste_ink";
                       }) ||
           (profile.inkjet_model && !model.empty() && pattern_search(model, *profile.inkjet_model));
}

/// Vendor private levels (profile `supplies`): they fill a Printer-MIB supply that has no
/// percentage (only a state, "some remaining", or a coded level) and add the supplies the
/// Printer-MIB does not list at all (Brother drum, belt and fuser life).
void merge_private_supplies(Ctx& ctx, const Profile& profile, bool ink, int low) {
    const std::string source = "profile:" + profile.id;
    for (const auto& entry : profile.supplies_private) {
        SupplySource ps = entry;
        if (ps.type == "marking") {
            ps.type = ink ? "ink" : "toner";
            ps.description += ink ? " Ink" : " Toner";
        }
        const auto raw = source_number(ctx, ps.source);
        if (!raw) continue;
        const std::string where = ps.source.describe();
        if (!ps.codes.empty()) {
            const auto code = std::find_if(ps.codes.begin(), ps.codes.end(),
                                           [&](const LevelCode& c) { return c.level == *raw; });
            if (code == ps.codes.end() || code->state == proto::SupplyState::unknown) {
                ctx.note(where + ": " + std::to_string(*raw) + " is no state of " + ps.description +
                         "; ignored");
                continue;
            }
            merge_level(ctx, ps, std::nullopt, code->state, where, source, low);
            continue;
        }
        if (ps.max_oid) {
            // A count against the supply's full life (OKI's drum, belt and fuser pages).
            const auto max = ctx.integer(*ps.max_oid);
            if (!max || *max <= 0 || *raw < 0 || *raw > *max) {
                ctx.note(fmt::format("{}: {} of {} is no share of {}; ignored", where, *raw,
                                     max ? std::to_string(*max) : "no maximum", ps.description));
                continue;
            }
            const auto left = ps.used ? *max - *raw : *raw;
            const int pct = static_cast<int>(
                std::lround(100.0 * static_cast<double>(left) / static_cast<double>(*max)));
            merge_level(ctx, ps, pct, std::nullopt,
                        where + (ps.used ? " used of " : " of ") + snmp::to_string(*ps.max_oid),
                        source, low);
            continue;
        }
        if (*raw < 0 || *raw > 100 * ps.divisor) {
            ctx.note(where + ": " + std::to_string(*raw) + " is no percentage of " +
                     ps.description + "; ignored");
            continue;
        }
        const int pct = static_cast<int>(
            std::lround(static_cast<double>(*raw) / static_cast<double>(ps.divisor)));
        merge_level(ctx, ps, pct, std::nullopt, where, source, low);
    }
}

/// Vendor supply tables (profile `supply_tables`: Ricoh's engine toner table, Lexmark's
/// currentSuppliesTable): one supply per row, named by the row; its kind from the table or the
/// row's type code, its colour from a colour column or the name, its level a percentage or a
/// share of the row's capacity. A row's own low/empty verdict becomes a claim.
void merge_supply_tables(Ctx& ctx, const Profile& profile, bool ink, int low) {
    const std::string source = "profile:" + profile.id;
    for (const auto& table : profile.supply_tables) {
        for (const auto& [idx, level_value] : column(ctx.view, table.level_column)) {
            const Oid level_oid = child(table.level_column, idx);
            std::string where = snmp::to_string(level_oid);
            std::string name;
            for (const auto& col : table.name_columns) {
                name = ctx.str(child(col, idx));
                if (!name.empty()) break;
            }
            if (name.empty()) {
                ctx.note(where + ": a supply row without a name; ignored");
                continue;
            }
            std::string type = table.type;
            if (table.type_column) {
                const Oid type_oid = child(*table.type_column, idx);
                const auto code = ctx.integer(type_oid);
                const auto kind = code ? table.types.find(*code) : table.types.end();
                if (kind == table.types.end()) {
                    ctx.note(fmt::format("{}: {} is of a kind not read ({})",
                                         snmp::to_string(type_oid), name,
                                         code ? std::to_string(*code) : "no type code"));
                    continue;
                }
                type = kind->second;
            }
            // A waste bottle listed among the toners: whether its level is space left or
            // space used, no source says; it is not read rather than read backwards.
            if (text::lower(name).find("waste") != std::string::npos ||
                type.rfind("waste", 0) == 0) {
                ctx.note(fmt::format("{}: {} is not read (its level's direction is unknown)", where,
                                     name));
                continue;
            }
            SupplySource ps;
            ps.description = name;
            ps.type = type == "marking" ? (ink ? "ink" : "toner") : type;
            // A colour column holds a name ("black", "none"); read as the names are, so junk
            // in it names no colour.
            if (table.color_column) {
                ps.color =
                    supply_claims::color_named(ctx.words, ctx.str(child(*table.color_column, idx)));
            }
            if (ps.color.empty()) ps.color = supply_claims::color_named(ctx.words, name);

            std::optional<proto::SupplyState> verdict;
            std::string verdict_where;
            if (table.state_column) {
                const Oid state_oid = child(*table.state_column, idx);
                verdict_where = fmt::format("{} ({})", snmp::to_string(state_oid), source);
                if (const auto code = ctx.integer(state_oid)) {
                    if (const auto st = table.states.find(*code); st != table.states.end()) {
                        verdict = st->second;
                    }
                }
                if (verdict == proto::SupplyState::low || verdict == proto::SupplyState::empty) {
                    ctx.vendor_claims.push_back(
                        {*verdict, ps.type, ps.color, std::nullopt, verdict_where});
                }
            }

            const auto raw = ctx.integer(level_value, level_oid);
            std::optional<int> pct;
            if (raw && *raw >= 0 && table.capacity_column) {
                const Oid cap_oid = child(*table.capacity_column, idx);
                const auto cap = ctx.integer(cap_oid);
                if (cap && *cap > 0 && *raw <= *cap) {
                    pct = percent_of(*raw, *cap);
                    where += " of " + snmp::to_string(cap_oid);
                } else {
                    ctx.note(fmt::format("{}: {} of {} is no share of {}'s capacity; ignored",
                                         where, *raw, cap ? std::to_string(*cap) : "no capacity",
                                         name));
                }
            } else if (raw && *raw >= 0 && *raw <= 100) {
                pct = static_cast<int>(*raw);
            }
            if (pct) {
                merge_level(ctx, ps, pct, std::nullopt, where, source, low);
                continue;
            }
            if (raw && *raw < 0) {
                const auto code = std::find_if(table.codes.begin(), table.codes.end(),
                                               [&](const LevelCode& c) { return c.level == *raw; });
                if (code != table.codes.end() && code->state != proto::SupplyState::unknown) {
                    merge_level(ctx, ps, std::nullopt, code->state, where, source, low);
                    continue;
                }
            }
            if (verdict && *verdict != proto::SupplyState::unknown) {
                // No level, but the printer's own word on the row.
                merge_level(ctx, ps, std::nullopt, *verdict, verdict_where, source, low);
                continue;
            }
            if (raw && (*raw < 0 || !table.capacity_column)) {
                ctx.note(fmt::format("{}: {} is no level of {}; ignored", where, *raw, name));
            }
        }
    }
}

/// Pages a unit is still good for (profile `supply_pages`, Brother's next-care block),
/// attached to the one supply of that kind and colour. A count above any real unit's life is
/// a vendor's "not applicable" filler, not a count: left out with a note.
void attach_supply_pages(Ctx& ctx, const Profile& profile, bool ink) {
    constexpr std::int64_t kMostPages = 10'000'000;
    auto& supplies = ctx.out.snapshot.supplies;
    for (const auto& entry : profile.supply_pages) {
        const auto pages = source_number(ctx, entry.source);
        if (!pages) continue;
        const std::string where = entry.source.describe();
        const std::string type = entry.type == "marking"
                                     ? (ink ? std::string("ink") : std::string("toner"))
                                     : entry.type;
        const auto kind = [&](const proto::Supply& s) {
            return same_kind(s, type, entry.description);
        };
        const auto same = [&](const proto::Supply& s) { return kind(s) && s.color == entry.color; };
        auto it = supplies.end();
        if (std::count_if(supplies.begin(), supplies.end(), same) == 1) {
            it = std::find_if(supplies.begin(), supplies.end(), same);
        } else if (entry.color.empty() &&
                   std::count_if(supplies.begin(), supplies.end(), kind) == 1) {
            // A colourless record (a mono laser's one drum) and a Printer-MIB row that names
            // a colour for the only unit of its kind: the same unit.
            it = std::find_if(supplies.begin(), supplies.end(), kind);
        }
        if (it == supplies.end()) continue;  // no such supply, or which one is not known
        if (*pages < 0 || *pages > kMostPages) {
            ctx.note(fmt::format("{}: {} pages left is no count for {}; ignored", where, *pages,
                                 it->description));
            continue;
        }
        it->pages_remaining = *pages;
        ctx.out.sources["supplies." + it->description + ".pages_remaining"] =
            fmt::format("{} (profile:{})", where, profile.id);
    }
}

}  // namespace

int percent_of(std::int64_t level, std::int64_t max) {
    const double pct = static_cast<double>(level) * 100.0 / static_cast<double>(max);
    return static_cast<int>(std::lround(std::clamp(pct, 0.0, 100.0)));
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
        proto::Supply s;
        s.description = ctx.str(cell(descrs, idx), cell_oid(kPrtSuppliesEntry, 6, idx));
        const auto type_code = ctx.integer(cell(types, idx), cell_oid(kPrtSuppliesEntry, 5, idx));
        s.type = type_code ? supply_type_name(*type_code) : std::string{};
        if (s.type.empty() || s.type == "other" || s.type == "unknown") {
            if (auto inferred = infer_supply_type(ctx.words, s.description); !inferred.empty()) {
                s.type = inferred;
            }
        }
        const auto class_code =
            ctx.integer(cell(classes, idx), cell_oid(kPrtSuppliesEntry, 4, idx));
        if (class_code) {
            s.supply_class =
                *class_code == 4 ? proto::SupplyClass::receptacle : proto::SupplyClass::consumed;
        } else if (s.type.rfind("waste", 0) == 0) {
            s.supply_class = proto::SupplyClass::receptacle;
        }
        const auto unit_code = ctx.integer(cell(units, idx), cell_oid(kPrtSuppliesEntry, 7, idx));
        s.unit = unit_code ? supply_unit_name(*unit_code) : std::string{};
        // Colour: prtMarkerColorantValue of the supply's colorant, else the description.
        if (const auto ci =
                ctx.integer(cell(colorant_idx, idx), cell_oid(kPrtSuppliesEntry, 3, idx));
            ci && *ci > 0 && !idx.empty()) {
            const Oid cv = child(kPrtColorantValue, {idx.front(), static_cast<std::uint32_t>(*ci)});
            s.color = normalise_color(ctx.words, ctx.str(cv));
        }
        if (s.color.empty()) s.color = supply_claims::color_named(ctx.words, s.description);

        const auto level = ctx.integer(cell(levels, idx), cell_oid(kPrtSuppliesEntry, 9, idx));
        const auto max = ctx.integer(cell(maxes, idx), cell_oid(kPrtSuppliesEntry, 8, idx));
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
    if (profile != nullptr) {
        const bool ink = marking_is_ink(ctx, *profile);
        merge_private_supplies(ctx, *profile, ink, low);
        merge_supply_tables(ctx, *profile, ink, low);
        attach_supply_pages(ctx, *profile, ink);
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
                for (auto& c : supply_claims::from_text(ctx.words, ctx.str(d->second, descr_oid))) {
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
        for (auto& c : supply_claims::from_text(ctx.words, st.console)) {
            c.source = where;
            claims.push_back(std::move(c));
        }
    }
    for (auto& c : ctx.vendor_claims) claims.push_back(std::move(c));
    ctx.vendor_claims.clear();
    supply_claims::apply(ctx.out.snapshot.supplies, ctx.supply_rows, claims, low, ctx.out.notes,
                         ctx.out.sources);
}

std::string supply_family(const std::string& type) {
    if (type == "toner" || type == "toner_cartridge") return "toner";
    if (type == "ink" || type == "ink_cartridge") return "ink";
    return type;
}

void derive_sole_toner_colour(Ctx& ctx) {
    // A partial agent may answer the supply table's levels and types without its descriptions
    // and without the colorant table: nothing names a colour, and the toner a dealer orders
    // shows as "toner, colour unknown". A laser prints colour from four toners (or more); one
    // listed toner with nothing that says colour is a monochrome laser's, and so black. Ink is
    // left alone: a single tri-colour cartridge is one ink row too.
    proto::Supply* sole = nullptr;
    int toners = 0;
    for (auto& s : ctx.out.snapshot.supplies) {
        if (supply_family(s.type) != "toner") continue;
        ++toners;
        sole = &s;
    }
    if (toners != 1 || !text::trim(sole->color).empty()) return;
    // A name that says colour without naming one ("Color Toner"): the words are data.
    if (contains_any(text::fold_case(sole->description), ctx.words.chromatic)) return;
    if (const auto why = colour_evidence(ctx)) {
        ctx.note("the only toner names no colour, and " + *why + "; its colour left unknown");
        return;
    }
    sole->color = "black";
    ctx.out.sources["supplies." + sole->description + ".color"] =
        "derived: the only toner listed, and nothing says colour";
    ctx.note("supply \"" + sole->description +
             "\": colour derived: black (the only toner listed, and nothing says colour)");
}

}  // namespace printmon::scanner::collect
