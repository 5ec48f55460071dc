#include "polling/supply_claims.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "polling/text.hpp"

namespace printmon::scanner::supply_claims {
namespace {

using proto::SupplyState;

/// The kinds or colours (`names`) whose words (`lists`) a folded text contains, in order.
template <std::size_t N>
std::vector<std::string_view> named_in(const std::string& folded,
                                       const std::array<std::string_view, N>& names,
                                       const std::array<Vocabulary::Words, N>& lists) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < N; ++i) {
        if (contains_any(folded, lists[i])) out.push_back(names[i]);
    }
    return out;
}

std::vector<std::string_view> colors_in(const Vocabulary& w, const std::string& folded) {
    return named_in(folded, Vocabulary::kColors, w.colors);
}

std::vector<std::string_view> families_in(const Vocabulary& w, const std::string& folded) {
    return named_in(folded, Vocabulary::kSupplies, w.supplies);
}

/// One clause's claims.
void clause_claims(const Vocabulary& w, const std::string& clause, std::vector<Claim>& out) {
    auto families = families_in(w, clause);
    auto colors = colors_in(w, clause);
    const bool waste = contains_any(clause, w.waste);
    std::optional<SupplyState> state;
    if (contains_any(clause, w.low)) {
        state = SupplyState::low;
    } else if (contains_any(clause, w.empty) || (waste && contains_any(clause, w.full))) {
        state = contains_any(clause, w.almost) ? SupplyState::low : SupplyState::empty;
    } else if (contains_any(clause, w.missing)) {
        state = SupplyState::not_installed;
    }
    if (!state) return;
    if (waste) {
        // "Waste toner box full": the receptacle, not the toner.
        const bool ink = std::find(families.begin(), families.end(), "ink") != families.end();
        const bool toner = std::find(families.begin(), families.end(), "toner") != families.end();
        families = {ink && !toner ? "waste_ink" : toner && !ink ? "waste_toner" : "waste"};
        colors.clear();
    } else {
        const bool specific = std::any_of(families.begin(), families.end(),
                                          [](auto f) { return f == "toner" || f == "ink"; });
        if (specific) {
            families.erase(std::remove(families.begin(), families.end(), "marking"),
                           families.end());
        }
        // A colour alone ("Cyan low") is a toner or an ink.
        if (families.empty() && !colors.empty()) families.emplace_back("marking");
    }
    if (families.empty()) return;
    for (const auto family : families) {
        if (colors.empty()) {
            out.push_back({*state, std::string(family), {}, std::nullopt, {}});
        }
        for (const auto color : colors) {
            out.push_back({*state, std::string(family), std::string(color), std::nullopt, {}});
        }
    }
}

/// One clause's conditions (codes of proto::error_codes()) and whether it names a printer at
/// rest or at work.
void clause_status(const Vocabulary& w, const std::string& clause, std::set<std::string>& errors,
                   TextStatus& out) {
    const bool waste = contains_any(clause, w.waste);
    if (contains_any(clause, w.jam)) {
        errors.insert("jammed");
    } else if (contains_any(clause, w.cover) && contains_any(clause, w.open)) {
        errors.insert("door_open");
    } else if (!waste && contains_any(clause, w.output) && contains_any(clause, w.full)) {
        // Before paper: "Output paper tray full" is about the output.
        errors.insert(contains_any(clause, w.almost) ? "output_near_full" : "output_full");
    } else if (contains_any(clause, w.paper)) {
        if (contains_any(clause, w.low) ||
            (contains_any(clause, w.empty) && contains_any(clause, w.almost))) {
            errors.insert("low_paper");
        } else if (contains_any(clause, w.empty) || contains_any(clause, w.paper_wanted)) {
            errors.insert("no_paper");
        }
    } else if (contains_any(clause, w.service) && !contains_any(clause, w.service_life)) {
        errors.insert("service_requested");
    }
    // Toner and ink as the supply claims read them ("Toner low", "Замените картридж").
    std::vector<Claim> claims;
    clause_claims(w, clause, claims);
    for (const auto& c : claims) {
        if (c.family != "toner" && c.family != "ink" && c.family != "marking") {
            // A drum, fuser or waste box at its end names no hrPrinterDetectedErrorState
            // condition, but the printer asks for attention all the same.
            out.attention = true;
            continue;
        }
        if (c.state == SupplyState::low) errors.insert("low_toner");
        if (c.state == SupplyState::empty || c.state == SupplyState::not_installed) {
            errors.insert("no_toner");
        }
    }
    if (contains_any(clause, w.idle)) out.idle = true;
}

/// The text's clauses, as from_text() splits them.
template <typename F>
void for_each_clause(const std::string& folded, F&& f) {
    std::size_t start = 0;
    // Bounded by the text: every pass moves `start` past one separator.
    while (start <= folded.size()) {
        std::size_t end = folded.size();
        std::size_t skip = 0;
        for (const std::string_view sep : {" / ", ";", "!", "\n", "\r", "|", "。"}) {
            const auto p = folded.find(sep, start);
            if (p != std::string::npos && p < end) {
                end = p;
                skip = sep.size();
            }
        }
        f(folded.substr(start, end - start));
        if (skip == 0) break;
        start = end + skip;
    }
}

// ---- apply -----------------------------------------------------------------------------------
int rank(SupplyState s) {
    switch (s) {
        case SupplyState::low:
            return 1;
        case SupplyState::empty:
            return 2;
        case SupplyState::not_installed:
            return 3;
        default:
            return 0;
    }
}

bool in_family(const proto::Supply& s, const std::string& family) {
    const std::string& t = s.type;
    if (family == "toner") return t == "toner" || t == "toner_cartridge";
    if (family == "ink") return t == "ink" || t == "ink_cartridge";
    if (family == "marking") {
        return t == "toner" || t == "toner_cartridge" || t == "ink" || t == "ink_cartridge";
    }
    if (family == "ribbon") return t == "ink_ribbon" || t == "ribbon_wax";
    if (family == "waste") return t.rfind("waste", 0) == 0;
    return t == family;  // opc, developer, fuser, transfer_unit, waste_toner, waste_ink
}

constexpr std::string_view kStated = "printer-statement";

/// The highest level at which printers are known to call a supply low (their warning mark).
constexpr int kLowWarnMax = 25;

/// The supply a claim names, for a printer that lists none of its kind (a partial agent with
/// no Printer-MIB supplies: "Replace Drum" on the panel, a drum nowhere else). Only kinds the
/// claim names for certain: "marking" (toner or ink?) and "waste" (which box?) make nothing.
std::optional<proto::Supply> stated_supply(const Claim& c) {
    // A claim's family is the supply type it names; these are the families that name one.
    struct Kind {
        std::string_view family, name;
        proto::SupplyClass cls;
    };
    static constexpr auto kKinds = std::to_array<Kind>({
        {"toner", "Toner", proto::SupplyClass::consumed},
        {"ink", "Ink", proto::SupplyClass::consumed},
        {"opc", "Drum Unit", proto::SupplyClass::consumed},
        {"developer", "Developer", proto::SupplyClass::consumed},
        {"fuser", "Fuser Unit", proto::SupplyClass::consumed},
        {"transfer_unit", "Transfer Unit", proto::SupplyClass::consumed},
        {"waste_toner", "Waste Toner Box", proto::SupplyClass::receptacle},
        {"waste_ink", "Waste Ink Box", proto::SupplyClass::receptacle},
    });
    const auto k = std::find_if(kKinds.begin(), kKinds.end(),
                                [&](const Kind& x) { return x.family == c.family; });
    if (k == kKinds.end()) return std::nullopt;
    proto::Supply s;
    s.type = c.family;
    s.color = c.color;
    s.description = std::string(k->name);
    if (!c.color.empty()) {
        std::string color = c.color;
        color[0] = static_cast<char>(color[0] - 'a' + 'A');  // colours are lower-case ASCII
        s.description = color + " " + s.description;
    }
    s.state = c.state;
    s.supply_class = k->cls;
    s.source = std::string(kStated);
    return s;
}

std::string describe(const Claim& c) {
    std::string what = c.color.empty() ? c.family : c.color + " " + c.family;
    return what + " " + std::string(proto::to_string(c.state)) + " (" + c.source + ")";
}

}  // namespace

std::optional<Claim> from_alert_code(std::int64_t code) {
    const auto claim = [](SupplyState state, const char* family) {
        return Claim{state, family, {}, std::nullopt, {}};
    };
    switch (code) {
        case 1101:  // markerTonerEmpty
            return claim(SupplyState::empty, "toner");
        case 1102:  // markerInkEmpty
            return claim(SupplyState::empty, "ink");
        case 1103:  // markerPrintRibbonEmpty
            return claim(SupplyState::empty, "ribbon");
        case 1104:  // markerTonerAlmostEmpty
            return claim(SupplyState::low, "toner");
        case 1105:  // markerInkAlmostEmpty
            return claim(SupplyState::low, "ink");
        case 1106:  // markerPrintRibbonAlmostEmpty
            return claim(SupplyState::low, "ribbon");
        case 1107:  // markerWasteTonerReceptacleAlmostFull: little space left
            return claim(SupplyState::low, "waste_toner");
        case 1108:  // markerWasteInkReceptacleAlmostFull
            return claim(SupplyState::low, "waste_ink");
        case 1109:  // markerWasteTonerReceptacleFull: no space left
            return claim(SupplyState::empty, "waste_toner");
        case 1110:  // markerWasteInkReceptacleFull
            return claim(SupplyState::empty, "waste_ink");
        case 1111:  // markerOpcLifeAlmostOver
            return claim(SupplyState::low, "opc");
        case 1112:  // markerOpcLifeOver
            return claim(SupplyState::empty, "opc");
        case 1113:  // markerDeveloperAlmostEmpty
            return claim(SupplyState::low, "developer");
        case 1114:  // markerDeveloperEmpty
            return claim(SupplyState::empty, "developer");
        case 1115:  // markerTonerCartridgeMissing
            return claim(SupplyState::not_installed, "toner");
        default:
            return std::nullopt;
    }
}

std::string color_named(const Vocabulary& w, std::string_view utf8) {
    const auto colors = colors_in(w, text::fold_case(utf8));
    return colors.size() == 1 ? std::string(colors.front()) : std::string{};
}

std::string kind_named(const Vocabulary& w, std::string_view utf8) {
    const std::string folded = text::fold_case(utf8);
    const auto families = families_in(w, folded);
    const auto has = [&](std::string_view f) {
        return std::find(families.begin(), families.end(), f) != families.end();
    };
    if (contains_any(folded, w.waste)) return has("ink") ? "waste_ink" : "waste_toner";
    // The unit before what it holds: a "drum cartridge" is a drum, a "toner cartridge" toner.
    for (const std::string_view f :
         {"opc", "developer", "fuser", "transfer_unit", "ink", "toner"}) {
        if (has(f)) return std::string(f);
    }
    return has("marking") ? "toner" : std::string{};
}

std::vector<Claim> from_text(const Vocabulary& w, std::string_view utf8) {
    std::vector<Claim> out;
    for_each_clause(text::fold_case(utf8),
                    [&](const std::string& clause) { clause_claims(w, clause, out); });
    return out;
}

TextStatus status_from_text(const Vocabulary& w, std::string_view utf8) {
    std::set<std::string> errors;
    TextStatus out;
    for_each_clause(text::fold_case(utf8),
                    [&](const std::string& clause) { clause_status(w, clause, errors, out); });
    for (const auto& code : proto::error_codes()) {
        if (errors.count(code) != 0) out.errors.push_back(code);
    }
    return out;
}

void apply(std::vector<proto::Supply>& supplies, const std::vector<snmp::Oid>& rows,
           const std::vector<Claim>& claims, int low, std::vector<std::string>& notes,
           std::map<std::string, std::string>& sources) {
    std::set<std::string> said;  // one note per distinct problem
    const auto note = [&](std::string n) {
        if (said.insert(n).second) notes.push_back(std::move(n));
    };
    for (const auto& claim : claims) {
        std::vector<std::size_t> targets;
        if (claim.row) {
            for (std::size_t i = 0; i < rows.size() && i < supplies.size(); ++i) {
                if (rows[i] == *claim.row) targets.push_back(i);
            }
        }
        if (targets.empty()) {
            for (std::size_t i = 0; i < supplies.size(); ++i) {
                if (in_family(supplies[i], claim.family) &&
                    (claim.color.empty() || supplies[i].color == claim.color)) {
                    targets.push_back(i);
                }
            }
            if (targets.empty()) {
                // Listed by the printer itself, not added from an earlier claim ("Toner low:
                // cyan, magenta" adds both).
                const bool kind_listed =
                    std::any_of(supplies.begin(), supplies.end(), [&](const auto& x) {
                        return in_family(x, claim.family) && x.source != kStated;
                    });
                auto stated = kind_listed ? std::nullopt : stated_supply(claim);
                if (!stated) {
                    note("printer reports " + describe(claim) + " but lists no such supply");
                    continue;
                }
                // Nothing of the kind is listed: the printer's own word is all there is, so
                // the supply is listed from it (no gauge), and a later claim finds it.
                note("printer reports " + describe(claim) + " and lists no such supply: " +
                     stated->description + " listed from the printer's statement, no gauge");
                sources["supplies." + stated->description] = claim.source;
                sources["supplies." + stated->description + ".state"] = claim.source;
                supplies.push_back(std::move(*stated));
                continue;
            }
            if (targets.size() > 1 && claim.color.empty()) {
                // "Toner low" on a colour printer: which one is not said. Fine when one of
                // them already shows it; otherwise say so rather than guess.
                const bool explained = std::any_of(targets.begin(), targets.end(), [&](auto i) {
                    return rank(supplies[i].state) >= rank(claim.state);
                });
                if (!explained) note("printer reports " + describe(claim) + "; which is unknown");
                continue;
            }
        }
        for (const auto i : targets) {
            auto& s = supplies[i];
            if (rank(s.state) >= rank(claim.state)) continue;
            s.state = claim.state;
            sources["supplies." + s.description + ".state"] = claim.source;
            // A printer warns of a low supply at its maker's (or owner's) mark, anywhere from
            // 5 to 25 %: a gauge up to that agrees with "low". Above it, or above our own low
            // mark for "empty", the gauge is stale or coarse.
            const int agrees = claim.state == SupplyState::low ? std::max(low, kLowWarnMax) : low;
            if (s.level_percent &&
                (*s.level_percent > agrees || claim.state == SupplyState::not_installed)) {
                note("supply " + s.description + ": gauge at " + std::to_string(*s.level_percent) +
                     "% but the printer reports " + describe(claim) +
                     "; the printer's state is kept, the percentage dropped");
                s.level_percent.reset();
            }
        }
    }
}

}  // namespace printmon::scanner::supply_claims
