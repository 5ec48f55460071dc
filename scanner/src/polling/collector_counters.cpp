// Page counters: Printer-MIB marker life, the PWG Imaging System Counter MIB, and profile
// counters, counter tables, size tables and derived counters (the black pages of a monochrome
// marker among them).

#include "polling/collector_parts.hpp"

#include <algorithm>
#include <charconv>
#include <regex>
#include <set>
#include <utility>

namespace printmon::scanner::collect {

using snmp::MibView;
using snmp::Oid;
using snmp::Value;
using snmp::ValueType;

namespace {

// No printer makes 10^12 pages; such a value is a clamped Counter64, an uninitialised cell or a
// misread field, and would poison every sum and bill built on it.
constexpr std::int64_t kMaxPlausibleCount = 1'000'000'000'000;
// Large paper, billed apart: a long edge of 400 mm or more (A3 is 420 mm, Ledger 432 mm; B4 is
// 364 mm, Legal 356 mm).
constexpr std::int64_t kLargeMicrometres = 400'000;

/// Returns whether the value was kept.
bool set_counter(Ctx& ctx, const std::string& name, std::int64_t value, const std::string& source,
                 bool override_existing) {
    if (value < 0) {
        ctx.note("counter " + name + " from " + source + " is negative; ignored");
        return false;
    }
    if (value > kMaxPlausibleCount) {
        ctx.note("counter " + name + " from " + source + " is implausibly large; ignored");
        return false;
    }
    auto& counters = ctx.out.snapshot.counters;
    if (counters.count(name) != 0 && !override_existing) return false;
    counters[name] = value;
    ctx.out.sources["counters." + name] = source;
    return true;
}

void collect_pwg_counters(Ctx& ctx) {
    // PWG-IMAGING-COUNTER-MIB (PWG 5106.3, the counters of PWG 5106.1): icKeyTable gives each
    // key's service; icImpressionTable and icImageTable are indexed by (key, workType,
    // persistence). workTotals (3) + lifetime (3) is the billing number. Marking services (system
    // totals, print, copy, fax in) count impressions; the scan service marks nothing, so its count
    // is the images it scanned (icImageTable: .4 total, .5 monochrome, .6 full colour), never its
    // impressions, which are 0 at best and would stand in the way of a vendor's own scan count.
    const auto services = column(ctx.view, kIcKeyServiceType);
    const auto read_table = [&](const Oid& entry, bool scan) {
        const auto total = column(ctx.view, child(entry, {4}));
        const auto mono = column(ctx.view, child(entry, {5}));
        // Full colour: impressions .7 (.6 counts blank ones), images .6. Highlight colour
        // (impressions .8: black and one colour) is what makers' meters call two colour.
        const auto color = column(ctx.view, child(entry, {scan ? 6U : 7U}));
        const auto highlight =
            scan ? std::map<Oid, const Value*>{} : column(ctx.view, child(entry, {8}));
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
            if ((prefix == "scan_") != scan) continue;
            const std::string src = snmp::to_string(entry);
            const auto put = [&](const std::string& name, const Value* val) {
                if (val != nullptr && val->is_number()) {
                    set_counter(ctx, name, val->number, src, false);
                }
            };
            put(prefix.empty() ? "total" : prefix + "total", v);
            if (prefix == "fax_") continue;
            if (const auto m = mono.find(idx); m != mono.end()) {
                put(prefix.empty() ? "mono" : prefix + "mono", m->second);
            }
            if (const auto c = color.find(idx); c != color.end()) {
                put(prefix.empty() ? "color" : prefix + "color", c->second);
            }
            if (const auto h = highlight.find(idx); h != highlight.end()) {
                put(prefix + "two_color", h->second);
            }
        }
    };
    read_table(kIcImpressionEntry, false);
    read_table(kIcImageEntry, true);
    // The system totals' lifetime work in two more tables: icTwoSidedTotalImps, impressions
    // on two-sided sheets (the meaning `duplex` has for Kyocera, Ricoh and Samsung), and
    // icSheetTotalSheets, sheets of paper (Lexmark's `sheets`: pages vs sheets).
    for (const auto& [column_oid, name] :
         {std::pair{kIcTwoSidedTotal, "duplex"}, std::pair{kIcSheetTotal, "sheets"}}) {
        for (const auto& [idx, v] : column(ctx.view, column_oid)) {
            if (idx.size() != 3 || idx[1] != 3 || idx[2] != 3 || !v->is_number()) continue;
            const auto svc = services.find(Oid{idx[0]});
            if (svc == services.end() || !svc->second->is_number() || svc->second->number != 3) {
                continue;
            }
            set_counter(ctx, name, v->number, snmp::to_string(column_oid), false);
        }
    }
}

/// PWG 5101.1 media size name ("iso_a4_210x297mm", "na_ledger_11x17in"): its long edge in
/// micrometres, nullopt for a name without dimensions.
std::optional<std::int64_t> media_long_edge(const std::string& name) {
    static const std::regex kDims(
        R"(_([0-9]{1,4}(?:\.[0-9]{1,4})?)x([0-9]{1,4}(?:\.[0-9]{1,4})?)(mm|in)$)");
    std::smatch m;
    if (!std::regex_search(name, m, kDims)) return std::nullopt;
    // from_chars, not stod: a process locale with a decimal comma must not read 8.5 as 8.
    const auto number = [](const std::ssub_match& part) {
        double d = 0;
        std::from_chars(&*part.first, &*part.first + part.length(), d);
        return d;
    };
    const double edge = std::max(number(m[1]), number(m[2]));
    return static_cast<std::int64_t>(edge * (m[3] == "in" ? 25'400.0 : 1'000.0));
}

/// icMediaUsedTable: sheets of the system totals per media size, summed into large and small
/// paper (sheets_large / sheets_small) by the long edge its PWG size name gives. A row with
/// sheets that cannot be placed (a size name without dimensions, a count that is no number)
/// voids both, as for the vendors' size tables.
void collect_pwg_media(Ctx& ctx) {
    const auto sheets = column(ctx.view, child(kIcMediaUsedEntry, {4}));
    if (sheets.empty()) return;
    const auto services = column(ctx.view, kIcKeyServiceType);
    const auto names = column(ctx.view, child(kIcMediaUsedEntry, {9}));
    std::int64_t large = 0;
    std::int64_t small = 0;
    for (const auto& [idx, v] : sheets) {
        if (idx.size() != 3 || idx[2] != 3) continue;
        const auto svc = services.find(Oid{idx[0]});
        if (svc == services.end() || !svc->second->is_number() || svc->second->number != 3) {
            continue;
        }
        const auto where =
            snmp::to_string(child(kIcMediaUsedEntry, {4})) + "." + snmp::to_string(idx);
        if (!v->is_number() || v->number < 0 || v->number > kMaxPlausibleCount) {
            ctx.note(where + ": icMediaUsedTotalSheets is no count; no sheets_large/sheets_small");
            return;
        }
        if (v->number == 0) continue;
        const auto name = names.find(idx);
        const auto edge =
            name == names.end()
                ? std::nullopt
                : media_long_edge(ctx.str(name->second, child(child(kIcMediaUsedEntry, {9}), idx)));
        if (!edge) {
            ctx.note(where + ": sheets of a media size without dimensions; no sheets_large/" +
                     "sheets_small");
            return;
        }
        (*edge >= kLargeMicrometres ? large : small) += v->number;
    }
    const auto src = snmp::to_string(child(kIcMediaUsedEntry, {4})) +
                     " by icMediaUsedMediaSizeName (" +
                     snmp::to_string(child(kIcMediaUsedEntry, {9})) + ")";
    set_counter(ctx, "sheets_large", large, src, false);
    set_counter(ctx, "sheets_small", small, src, false);
}

/// Pages per paper size summed into large (long edge >= 400 mm) and small paper. A row with a
/// count that cannot be placed (no size, an unknown unit or size code, a count that is no
/// number, a cell missing from a value column the table has) voids both sums: a small-paper
/// total missing a size would be billed wrong, so none is better.
/// How a row stands against a rule on its attributes: a missing attribute cell is "unknown"
/// unless another attribute already rules the row out.
enum class Fit : std::uint8_t { yes, no, unknown };

Fit fit_of(const CounterTable::Match& match,
           const std::map<std::string, std::map<Oid, const Value*>>& attributes, const Oid& idx) {
    Fit fit = Fit::yes;
    for (const auto& [name, codes] : match) {
        const auto& col = attributes.at(name);  // the profile loader checked the name
        const auto cell = col.find(idx);
        if (cell == col.end() || !cell->second->is_number()) {
            fit = Fit::unknown;
            continue;
        }
        if (std::find(codes.begin(), codes.end(), cell->second->number) == codes.end()) {
            return Fit::no;
        }
    }
    return fit;
}

void collect_counter_table(Ctx& ctx, const Profile& profile, const CounterTable& table) {
    const auto types = column(ctx.view, table.type_column);
    const auto values = column(ctx.view, table.value_column);
    const auto units =
        table.unit_column ? column(ctx.view, *table.unit_column) : std::map<Oid, const Value*>{};
    std::map<std::string, std::map<Oid, const Value*>> attributes;
    for (const auto& [name, col] : table.attribute_columns)
        attributes[name] = column(ctx.view, col);
    std::map<std::string, std::pair<std::int64_t, std::string>> sums;  // name -> sum, types
    std::map<std::string, bool> overrides;
    std::set<std::string> broken;  // names with a part that cannot be counted: no value
    const auto void_name = [&](const std::string& name, const Oid& idx, const std::string& why) {
        if (!broken.insert(name).second) return;
        ctx.note(snmp::to_string(child(table.value_column, idx)) + ": " + why + "; no " + name);
    };
    // Not structured bindings: the lambdas below capture the row (which C++20 allows, but
    // clang before 16 does not).
    for (const auto& row : types) {
        const Oid& idx = row.first;
        const Value* const tv = row.second;
        const auto value = values.find(idx);
        if (value == values.end()) continue;
        // A row's type is a code, or its name in text (read only when an entry matches text).
        const bool numeric = tv->is_number();
        std::optional<std::string> name;
        const auto row_is = [&](const CounterTable::Type& ty) {
            if (!ty.pattern) {
                return numeric &&
                       std::find(ty.types.begin(), ty.types.end(), tv->number) != ty.types.end();
            }
            if (numeric) return false;
            if (!name) name = ctx.str(tv, child(table.type_column, idx));
            return !name->empty() && pattern_search(*name, *ty.pattern);
        };
        // The entries this row would feed: its type listed, its attributes not ruled out.
        std::vector<std::pair<const CounterTable::Type*, Fit>> wanted;
        for (const auto& ty : table.types) {
            if (!row_is(ty)) continue;
            const auto fit = fit_of(ty.match, attributes, idx);
            if (fit != Fit::no) wanted.emplace_back(&ty, fit);
        }
        if (wanted.empty()) continue;
        switch (fit_of(table.rows, attributes, idx)) {
            case Fit::no:
                continue;
            case Fit::unknown:
                for (const auto& [ty, fit] : wanted) {
                    void_name(ty->name, idx, "row without the attributes that place it");
                }
                continue;
            case Fit::yes:
                break;
        }
        if (table.unit_column) {
            // Sides and sheets differ on every duplex page: a row in another unit (or none)
            // is not the counter its name promises, and a sum missing it would be wrong.
            const auto row_unit = units.find(idx);
            const bool counted = row_unit != units.end() && row_unit->second->is_number() &&
                                 std::find(table.units.begin(), table.units.end(),
                                           row_unit->second->number) != table.units.end();
            if (!counted) {
                for (const auto& [ty, fit] : wanted) {
                    void_name(ty->name, idx, "row in an unexpected unit");
                }
                continue;
            }
        }
        std::int64_t scale = 1;
        if (!table.row_scale.empty()) {
            // The same reasoning for rows in several units: one the rules cannot turn into
            // pages is left out, and so are the counters it belongs to.
            const auto rule = std::find_if(
                table.row_scale.begin(), table.row_scale.end(),
                [&](const auto& r) { return fit_of(r.match, attributes, idx) == Fit::yes; });
            if (rule == table.row_scale.end()) {
                for (const auto& [ty, fit] : wanted) {
                    void_name(ty->name, idx, "row in a unit or mode no rule counts");
                }
                continue;
            }
            scale = rule->scale;
        }
        for (const auto& [ty, fit] : wanted) {
            if (fit == Fit::unknown) {
                void_name(ty->name, idx, "row without the attributes that place it");
                continue;
            }
            const auto n = ctx.integer(value->second, child(table.value_column, idx));
            if (!n || *n < 0) continue;
            if (ty->void_counter) {
                if (*n > 0) void_name(ty->name, idx, "pages the profile cannot place");
                continue;
            }
            if (broken.count(ty->name) != 0) continue;
            auto& [sum, which] = sums[ty->name];
            std::int64_t pages = 0;
            // A garbage value near 2^63 must not wrap the sum into a plausible number.
            if (__builtin_mul_overflow(*n, scale, &pages) ||
                __builtin_add_overflow(sum, pages, &sum)) {
                ctx.note(snmp::to_string(table.value_column) + ": sum of " + ty->name +
                         " overflows; ignored");
                broken.insert(ty->name);
                continue;
            }
            which += (which.empty() ? "" : "+") + (numeric ? std::to_string(tv->number) : *name);
            overrides[ty->name] = overrides[ty->name] || ty->override_standard;
        }
    }
    for (const auto& [name, sum_which] : sums) {
        if (broken.count(name) != 0) continue;
        set_counter(ctx, name, sum_which.first,
                    snmp::to_string(table.value_column) + " (type " + sum_which.second +
                        ") (profile:" + profile.id + ")",
                    overrides[name]);
    }
}

/// A derived difference: the first part less the others, all of them present. A negative
/// result means the parts are not what the profile says they are: no value, and a note.
void derive_difference(Ctx& ctx, const Profile& profile, const DerivedCounter& d) {
    const auto& counters = ctx.out.snapshot.counters;
    std::int64_t value = 0;
    std::string how;
    for (const auto& part : d.parts) {
        const auto it = counters.find(part);
        if (it == counters.end()) return;
        // Parts are bounded by set_counter, so neither step can overflow.
        value = how.empty() ? it->second : value - it->second;
        how += (how.empty() ? "" : " - ") + part;
    }
    if (value < 0) {
        ctx.note("counter " + d.name + ": " + how + " is negative; ignored");
        return;
    }
    set_counter(ctx, d.name, value, "derived: " + how + " (profile:" + profile.id + ")", false);
}

void collect_size_table(Ctx& ctx, const Profile& profile, const SizeTable& table) {
    std::vector<std::pair<Oid, std::map<Oid, const Value*>>> columns;
    std::set<Oid> rows;
    for (const auto& oid : table.value_columns) {
        auto cells = column(ctx.view, oid);
        // A column the model lacks altogether (no colour sides on a mono printer) adds nothing.
        if (cells.empty()) continue;
        for (const auto& [idx, v] : cells) rows.insert(idx);
        columns.emplace_back(oid, std::move(cells));
    }
    if (columns.empty()) return;
    const auto units =
        table.size_column ? std::map<Oid, const Value*>{} : column(ctx.view, table.unit_column);
    const auto lengths =
        table.size_column ? std::map<Oid, const Value*>{} : column(ctx.view, table.length_column);
    const auto codes =
        table.size_column ? column(ctx.view, *table.size_column) : std::map<Oid, const Value*>{};
    // A row the size column lists but a value column lacks is a count the device did not
    // give: it must void the split, not pass as "no pages".
    for (const auto& [idx, v] : codes) rows.insert(idx);
    const auto listed = [](const std::vector<std::int64_t>& v, std::int64_t code) {
        return std::find(v.begin(), v.end(), code) != v.end();
    };
    // The row's class: true large, false small, nullopt when it cannot be placed.
    const auto placed = [&](const Oid& idx) -> std::optional<bool> {
        if (table.size_column) {
            const auto code = codes.find(idx);
            if (code == codes.end() || !code->second->is_number()) return std::nullopt;
            if (listed(table.large_sizes, code->second->number)) return true;
            if (listed(table.small_sizes, code->second->number)) return false;
            return std::nullopt;  // unknown, other, custom, universal, banner: any length
        }
        const auto unit = units.find(idx);
        const auto length = lengths.find(idx);
        if (unit == units.end() || length == lengths.end() || !unit->second->is_number() ||
            !length->second->is_number() || length->second->number <= 0 ||
            length->second->number >= 10'000'000) {
            return std::nullopt;
        }
        if (unit->second->number == 4) return length->second->number >= kLargeMicrometres;
        if (unit->second->number == 3) {
            return length->second->number * 254 / 100 >= kLargeMicrometres;
        }
        return std::nullopt;
    };
    std::int64_t large = 0;
    std::int64_t small = 0;
    std::int64_t all = 0;
    std::string large_rows;
    std::string small_rows;
    std::string all_rows;
    // A row that cannot be placed voids the split; one without a readable count voids the
    // total too, since a sum missing a row would be billed short.
    bool split = true;
    const auto names = [&](bool with_total) {
        return table.large + "/" + table.small +
               (with_total && !table.total.empty() ? "/" + table.total : "");
    };
    for (const auto& idx : rows) {
        std::optional<std::int64_t> n = 0;
        Oid where;
        for (const auto& [oid, cells] : columns) {
            where = child(oid, idx);
            const auto cell = cells.find(idx);
            const auto v = cell == cells.end() ? std::nullopt : ctx.integer(cell->second, where);
            if (!v || *v < 0 || *v > kMaxPlausibleCount) {
                n.reset();
                break;
            }
            *n += *v;  // each <= 10^12, columns are few: no overflow
        }
        if (n && *n == 0) continue;  // an unused size places no page anywhere
        if (!n) {
            ctx.note(snmp::to_string(where) + ": a paper-size row without a readable count; no " +
                     names(true) + " counters");
            return;
        }
        all += *n;  // rows are few: no overflow
        all_rows += (all_rows.empty() ? "" : "+") + snmp::to_string(idx);
        const auto is_large = placed(idx);
        if (!is_large) {
            if (split) {
                ctx.note(snmp::to_string(where) +
                         ": a paper-size row without a readable size; no " + names(false) +
                         " counters");
            }
            split = false;
            continue;
        }
        (*is_large ? large : small) += *n;
        auto& which = *is_large ? large_rows : small_rows;
        which += (which.empty() ? "" : "+") + snmp::to_string(idx);
    }
    std::string cols;
    for (const auto& [oid, cells] : columns) {
        cols += (cols.empty() ? "" : " + ") + snmp::to_string(oid);
    }
    const auto where = [&](const std::string& which) {
        return cols + " (rows " + (which.empty() ? "none" : which) + ") (profile:" + profile.id +
               ")";
    };
    if (split) {
        // A model that has only small sizes has no large-paper pages: 0, not unknown.
        set_counter(ctx, table.large, large, where(large_rows), false);
        set_counter(ctx, table.small, small, where(small_rows), false);
    }
    if (!table.total.empty()) set_counter(ctx, table.total, all, where(all_rows), false);
}

}  // namespace

void collect_counters(Ctx& ctx, const Profile* profile) {
    const auto unit = ctx.integer(ctx.printer_oid(kPrtMarkerUnit11));
    // prtMarkerCounterUnit: 7 impressions, 8 sheets; anything else (meters, hours...) is not a
    // page count and must not be billed as one.
    const bool pages = !unit || *unit == 7 || *unit == 8;
    if (!pages) ctx.note("prtMarkerCounterUnit is " + std::to_string(*unit) + ", not pages");
    if (pages) {
        const auto life_oid = ctx.printer_oid(kPrtMarkerLife11);
        if (const auto life = ctx.integer(life_oid)) {
            set_counter(ctx, "total", *life, snmp::to_string(life_oid), false);
        }
        const auto pon_oid = ctx.printer_oid(kPrtMarkerPowerOn11);
        if (const auto pon = ctx.integer(pon_oid)) {
            set_counter(ctx, "since_power_on", *pon, snmp::to_string(pon_oid), false);
        }
    }
    collect_pwg_counters(ctx);
    collect_pwg_media(ctx);
    if (profile == nullptr) return;
    struct Sum {
        std::int64_t value = 0;
        std::string how;
        bool override_standard = false;
        bool broken = false;  ///< a part overflowed or was implausible: no value at all
    };
    std::map<std::string, Sum> summed;  // counters whose entries are marked `sum`
    // The first entry of a name that answers wins; `override` lets it replace a standard
    // value, never an earlier entry's (Canon lists each code in two tables, the panel's first).
    std::set<std::string> from_profile;
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
            if (from_profile.count(c.name) != 0) continue;
            if (set_counter(ctx, c.name, scaled,
                            c.source.describe() + " (profile:" + profile->id + ")",
                            c.override_standard)) {
                from_profile.insert(c.name);
            }
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
    for (const auto& table : profile->counter_tables) collect_counter_table(ctx, *profile, table);
    for (const auto& table : profile->size_tables) collect_size_table(ctx, *profile, table);
    // Derived last, and only where the device gave no value of its own.
    for (const auto& d : profile->derived) {
        auto& counters = ctx.out.snapshot.counters;
        if (counters.count(d.name) != 0) continue;
        if (d.difference) {
            derive_difference(ctx, *profile, d);
            continue;
        }
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

std::optional<std::string> colour_evidence(Ctx& ctx) {
    const auto achromatic = [](const std::string& color) {
        const std::string c = text::lower(text::trim(color));
        return c.empty() || c == "unknown" || c == "other" || c == "none" ||
               c.find("black") != std::string::npos || c.find("gray") != std::string::npos ||
               c.find("grey") != std::string::npos;
    };
    const auto& counters = ctx.out.snapshot.counters;
    for (const char* name : {"color", "print_color", "copy_color", "two_color", "single_color"}) {
        if (const auto it = counters.find(name); it != counters.end() && it->second > 0) {
            return std::string(name) + " counts pages";
        }
    }
    for (const auto& s : ctx.out.snapshot.supplies) {
        if (!achromatic(s.color)) return "supply \"" + s.description + "\" is " + s.color;
    }
    for (const auto& [idx, v] : column(ctx.view, kPrtColorantValue)) {
        const auto name = ctx.str(v, child(kPrtColorantValue, idx));
        const auto named = supply_claims::color_named(ctx.words, name);  // "Schwarz" is black
        if (!achromatic(named.empty() ? name : named)) {
            return "colorant " + snmp::to_string(idx) + " is " + name;
        }
    }
    const Value* colorants = find(ctx.view, ctx.printer_oid(kPrtMarkerProcessColorants11));
    if (colorants != nullptr && colorants->is_number() && colorants->number > 1) {
        return "prtMarkerProcessColorants is " + std::to_string(colorants->number);
    }
    return std::nullopt;
}

void derive_monochrome(Ctx& ctx) {
    // RFC 3805 prtMarkerProcessColorants: "a process color of 1 implies monochrome". Every page
    // such a marker prints is black, so the black counters a billing contract asks for are
    // the totals the device gives; vendors that keep no black counter of their own (most
    // mono lasers) would otherwise show none. HP's mono lasers report their own black count
    // equal to the total (LibreNMS's M130nw test data: 15232 both).
    const auto oid = ctx.printer_oid(kPrtMarkerProcessColorants11);
    const Value* colorants = find(ctx.view, oid);
    if (colorants == nullptr || !colorants->is_number() || colorants->number != 1) return;
    // The column alone is not enough: some colour printers answer 1 too (an HP LaserJet 400
    // color M451dn in a public LibreNMS issue). So the marker's supply must be listed, and
    // nothing may contradict it: colour pages, or a supply or colorant of a colour other than
    // black or grey. A partial agent listing no supplies gets nothing derived.
    if (const auto why = colour_evidence(ctx)) {
        ctx.note(snmp::to_string(oid) + " (prtMarkerProcessColorants) says monochrome, but " +
                 *why + "; no black counters derived");
        return;
    }
    // The marker's own supply: a toner or ink named black, or the only one listed (a mono
    // laser's "PK-3010S" names no colour; four unnamed ones would be a colour printer's).
    bool black_marking = false;
    int marking = 0;
    for (const auto& s : ctx.out.snapshot.supplies) {
        if (const auto family = supply_family(s.type); family != "toner" && family != "ink") {
            continue;
        }
        ++marking;
        black_marking = black_marking || text::lower(s.color).find("black") != std::string::npos;
    }
    if (!black_marking && marking != 1) return;
    auto& counters = ctx.out.snapshot.counters;
    for (const auto& [mono, total] :
         {std::pair{"mono", "total"}, std::pair{"print_mono", "print_total"},
          std::pair{"copy_mono", "copy_total"}}) {
        const auto it = counters.find(total);
        if (it == counters.end() || counters.count(mono) != 0) continue;
        set_counter(ctx, mono, it->second,
                    std::string("derived: ") + total + " on a monochrome marker (" +
                        snmp::to_string(oid) + " prtMarkerProcessColorants = 1)",
                    false);
    }
}

void derive_split_from_functions(Ctx& ctx) {
    // Vendors that keep black and colour only per function (Konica Minolta's print and copy
    // cells) get the overall split from their profile's sums, which need every function: a
    // printer-only model answers no copy cells. Where the functions that did answer add up to
    // the machine's own total, every page is in them, so the split is their sum exactly; a
    // missing function with pages, or a total that counts large sheets twice, leaves the sum
    // short of the total and nothing is derived.
    auto& counters = ctx.out.snapshot.counters;
    if (counters.count("mono") != 0 || counters.count("color") != 0) return;
    const auto total = counters.find("total");
    if (total == counters.end() || total->second <= 0) return;
    std::int64_t mono = 0;
    std::int64_t color = 0;
    std::string mono_how;
    std::string color_how;
    for (const char* function : {"print", "copy", "fax"}) {
        const auto m = counters.find(std::string(function) + "_mono");
        const auto c = counters.find(std::string(function) + "_color");
        if (m == counters.end() || c == counters.end()) continue;
        // Bounded by set_counter, so three pairs cannot overflow.
        mono += m->second;
        color += c->second;
        mono_how += (mono_how.empty() ? "" : " + ") + m->first;
        color_how += (color_how.empty() ? "" : " + ") + c->first;
    }
    if (mono_how.empty() || mono + color != total->second) return;
    const std::string why = " (its functions' black and colour add up to the total)";
    set_counter(ctx, "mono", mono, "derived: " + mono_how + why, false);
    set_counter(ctx, "color", color, "derived: " + color_how + why, false);
}

}  // namespace printmon::scanner::collect
