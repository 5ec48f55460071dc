#pragma once
// The collector's insides, shared by its files (one per concept): collector_values.cpp (view
// access, device text and numbers, profile value sources), collector_identity.cpp,
// collector_supplies.cpp, collector_status.cpp (status, alerts, trays, covers),
// collector_counters.cpp; collector.cpp plans the phases and builds the snapshot.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "polling/collector.hpp"
#include "polling/identify.hpp"
#include "polling/supply_claims.hpp"
#include "polling/text.hpp"

namespace printmon::scanner::collect {

using snmp::MibView;
using snmp::Oid;
using snmp::Value;
using snmp::ValueType;

// ---- OIDs ------------------------------------------------------------------------------------
inline const Oid kSysDescr = {1, 3, 6, 1, 2, 1, 1, 1, 0};
inline const Oid kSysObjectId = {1, 3, 6, 1, 2, 1, 1, 2, 0};
inline const Oid kSysUpTime = {1, 3, 6, 1, 2, 1, 1, 3, 0};
inline const Oid kSysName = {1, 3, 6, 1, 2, 1, 1, 5, 0};
inline const Oid kIfPhysAddress = {1, 3, 6, 1, 2, 1, 2, 2, 1, 6};
inline const Oid kHrDeviceEntry = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1};
inline const Oid kHrDeviceType = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 2};
inline const Oid kHrDeviceDescr = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 3};
inline const Oid kHrDeviceStatus = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 5};
inline const Oid kHrDeviceTypePrinter = {1, 3, 6, 1, 2, 1, 25, 3, 1, 5};
inline const Oid kHrPrinterEntry = {1, 3, 6, 1, 2, 1, 25, 3, 5, 1};
inline const Oid kHrPrinterStatus = {1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 1};
inline const Oid kHrPrinterErrors = {1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 2};
inline const Oid kPrt = {1, 3, 6, 1, 2, 1, 43};
inline const Oid kPrtGeneralConfigChanges1 = {1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 1, 1};
inline const Oid kPrtGeneralSerial1 = {1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 17, 1};
inline const Oid kPrtCharset11 = {1, 3, 6, 1, 2, 1, 43, 7, 1, 1, 4, 1, 1};
inline const Oid kPrtCoverEntry = {1, 3, 6, 1, 2, 1, 43, 6, 1, 1};
inline const Oid kPrtInputEntry = {1, 3, 6, 1, 2, 1, 43, 8, 2, 1};
inline const Oid kPrtMarkerEntry = {1, 3, 6, 1, 2, 1, 43, 10, 2, 1};
inline const Oid kPrtMarkerUnit11 = {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 3, 1, 1};
inline const Oid kPrtMarkerLife11 = {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 4, 1, 1};
inline const Oid kPrtMarkerPowerOn11 = {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 5, 1, 1};
inline const Oid kPrtMarkerProcessColorants11 = {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 6, 1, 1};
inline const Oid kPrtSuppliesEntry = {1, 3, 6, 1, 2, 1, 43, 11, 1, 1};
inline const Oid kPrtColorantValue = {1, 3, 6, 1, 2, 1, 43, 12, 1, 1, 4};
inline const Oid kPrtConsoleText = {1, 3, 6, 1, 2, 1, 43, 16, 5, 1, 2};
inline const Oid kPrtAlertEntry = {1, 3, 6, 1, 2, 1, 43, 18, 1, 1};
inline const Oid kIcGeneralServiceRecords = {1, 3, 6, 1, 4, 1, 2699, 1, 3, 1, 1, 2, 0};
inline const Oid kIcKeyServiceType = {1, 3, 6, 1, 4, 1, 2699, 1, 3, 1, 2, 1, 1, 2};
inline const Oid kIcImageEntry = {1, 3, 6, 1, 4, 1, 2699, 1, 3, 1, 7, 1, 1};
inline const Oid kIcImpressionEntry = {1, 3, 6, 1, 4, 1, 2699, 1, 3, 1, 8, 1, 1};
inline const Oid kIcTwoSidedTotal = {1, 3, 6, 1, 4, 1, 2699, 1, 3, 1, 9, 1, 1, 4};
inline const Oid kIcSheetTotal = {1, 3, 6, 1, 4, 1, 2699, 1, 3, 1, 10, 1, 1, 4};
inline const Oid kIcMediaUsedEntry = {1, 3, 6, 1, 4, 1, 2699, 1, 3, 1, 12, 1, 1};
inline constexpr int kConsoleLines = 6;  // GET lines 1..6 of console buffer 1: cheaper than a walk
// Six DisplayString lines joined by " / ".
inline constexpr std::size_t kConsoleMax = kConsoleLines * (text::kDisplayStringMax + 3);

inline Oid child(Oid base, std::initializer_list<std::uint32_t> tail) {
    base.insert(base.end(), tail.begin(), tail.end());
    return base;
}

inline Oid child(Oid base, const Oid& tail) {
    base.insert(base.end(), tail.begin(), tail.end());
    return base;
}

// ---- view access -----------------------------------------------------------------------------
/// The value at `oid`, or nullptr when absent or missing.
const Value* find(const MibView& view, const Oid& oid);

/// Rows of one table column: index suffix -> value, missing values skipped.
std::map<Oid, const Value*> column(const MibView& view, const Oid& col);

/// Row `idx` of a column read with column(), or nullptr when that row has no value there.
inline const Value* cell(const std::map<Oid, const Value*>& col, const Oid& idx) {
    const auto it = col.find(idx);
    return it == col.end() ? nullptr : it->second;
}

/// The OID of column `n` of table `entry` at row `idx` (what a note about that cell names).
inline Oid cell_oid(const Oid& entry, std::uint32_t n, const Oid& idx) {
    return child(child(entry, {n}), idx);
}

inline std::string suffix_text(const Oid& index) { return snmp::to_string(index); }

/// `row1`, a Printer-MIB object written for hrDeviceIndex 1 (the arc after the column), for
/// printer row `dev`.
inline Oid for_printer(Oid row1, std::uint32_t dev) {
    constexpr std::size_t kDevArc = 11;  // 1.3.6.1.2.1.43.<group>.<table>.<entry>.<column>.dev
    if (row1.size() > kDevArc) row1[kDevArc] = dev;
    return row1;
}

/// Appends `oid` unless the list holds it already (lists of OIDs to ask or to name).
inline void add_unique(std::vector<Oid>& oids, const Oid& oid) {
    if (std::find(oids.begin(), oids.end(), oid) == oids.end()) oids.push_back(oid);
}

struct Ctx {
    const MibView& view;
    CollectResult& out;
    const Vocabulary& words;        ///< panel and alert words (the profiles' words.toml)
    text::CharsetHint charset;      ///< the device's declaration and the profile's default
    std::vector<Oid> supply_rows;   ///< prtMarkerSuppliesTable index of each Printer-MIB supply
    std::uint32_t printer_row = 1;  ///< hrDeviceIndex of the printer (printer_device_index)
    /// Low/empty verdicts of vendor supply tables, applied with the printer's other claims.
    std::vector<supply_claims::Claim> vendor_claims;

    void note(std::string message) { out.notes.push_back(std::move(message)); }

    /// The Printer-MIB object `row1` (written for hrDeviceIndex 1) of this device's printer:
    /// most agents number it 1, some another hrDevice row; an agent whose Printer-MIB keeps
    /// row 1 whatever its hrDeviceTable says is still read at 1.
    Oid printer_oid(const Oid& row1) const {
        if (printer_row == 1) return row1;
        auto oid = for_printer(row1, printer_row);
        return find(view, oid) != nullptr ? oid : row1;
    }

    /// Integer from a numeric value; a decimal string is accepted with a note (some agents
    /// send INTEGER columns as OCTET STRING).
    std::optional<std::int64_t> integer(const Value* v, const Oid& oid);
    std::optional<std::int64_t> integer(const Oid& oid) { return integer(find(view, oid), oid); }

    /// Device text, capped to `max_chars` (its MIB size, text.hpp) before anything matches,
    /// stores or uploads it. Only an OCTET STRING (or Opaque) is text: the standard objects
    /// read here are DisplayStrings, and one answered as a number, an OBJECT IDENTIFIER, an
    /// address or a time is a broken agent whose value would read as a model or a name.
    /// `info`, when given, says what decoding did (a value that is not octets leaves it as is).
    std::string str(const Value* v, const Oid& oid, std::size_t max_chars = text::kDisplayStringMax,
                    text::DecodeInfo* info = nullptr);
    /// As str(), and a vendor's private object (not mib-2 or PWG's) typed INTEGER (a firmware
    /// build, a serial number) reads as its decimal digits; whether those can be the field is
    /// for the identity checks (collector_identity.cpp).
    std::string str_or_number(const Value* v, const Oid& oid, std::size_t max_chars,
                              text::DecodeInfo* info = nullptr);
    std::string str(const Oid& oid, std::size_t max_chars = text::kDisplayStringMax) {
        return str(find(view, oid), oid, max_chars);
    }
};

// ---- value sources (profiles), collector_values.cpp ------------------------------------------
/// The value an OID or column source reads (a column: its first row), or nullptr; `at`
/// receives its OID.
const Value* source_value(const MibView& view, const ValueSource& src, Oid* at = nullptr);
/// Text of a profile value source (sysDescr, hrDeviceDescr or an OID), its format and regex
/// applied, capped as a DisplayString. `info` receives how an OID's octets were decoded.
std::string source_text(Ctx& ctx, const ValueSource& src, const std::string& sys_descr,
                        const std::string& hr_descr, text::DecodeInfo* info = nullptr);
/// A source's regex applied to text: group 1 (or the whole match), trimmed; "" when it does
/// not match; the text itself when the source has no regex.
std::string apply_regex(const ValueSource& src, const std::string& s);
/// Number of a profile value source (an integer, a regex over text, a Brother block).
std::optional<std::int64_t> source_number(Ctx& ctx, const ValueSource& src);

/// The first non-empty value of `sources`, recording which one in `sources[field]`.
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

// ---- per concept -------------------------------------------------------------------------------
/// Identity: vendor, model, serial, MAC, firmware, sysDescr/sysName (collector_identity.cpp).
/// Returns hrDeviceDescr of the printer row, which profile value sources may read.
std::string collect_identity(Ctx& ctx, const DeviceIdentity& ident, const ProfileSet& profiles,
                             std::optional<std::uint32_t> printer_idx);

/// level/max as a whole percentage, clamped to 0..100.
int percent_of(std::int64_t level, std::int64_t max);
/// Printer-MIB and profile supplies (collector_supplies.cpp).
void collect_supplies(Ctx& ctx, const Profile* profile);
/// Low/empty/missing supplies as the printer states them (supply_claims.hpp): alert rows,
/// hrPrinterDetectedErrorState, the console. Runs last, over the Printer-MIB and private
/// supplies, so no gauge can report such a supply at a high level.
void apply_printer_claims(Ctx& ctx, int low);

/// hrDeviceIndex of the printer row, if the device names one (collector_status.cpp).
std::optional<std::uint32_t> printer_device_index(const MibView& view);
/// hrDeviceIndex the Printer-MIB's per-printer objects use: the Host Resources printer row,
/// else the first index of the agent's own marker supplies or marker rows.
std::optional<std::uint32_t> printer_mib_row(const MibView& view);
/// hrDeviceStatus, hrPrinterStatus, error bits, console text, prtAlertTable.
void collect_status(Ctx& ctx, std::optional<std::uint32_t> printer_idx, const Profile* profile);
/// The device's status and conditions from its covers (prtCoverStatus: one open stops it) and
/// its front-panel text, for agents whose every other source is silent (no Host Resources
/// status, no alert, no vendor status): what the printer's user sees. Runs after the
/// profile's console fallback.
void status_from_panel(Ctx& ctx);
/// prtInputTable.
/// The input trays (prtInputTable); `profile` gives the low mark and its maker's name for a
/// tray fed by hand.
void collect_trays(Ctx& ctx, const Profile* profile);
/// prtCoverTable.
void collect_covers(Ctx& ctx);

/// Kinds of supply that are the same thing (toner and its cartridge, ink and its cartridge):
/// for matching a private level to a Printer-MIB row, and for finding a marker's own supply.
std::string supply_family(const std::string& type);

/// Standard, PWG and profile counters (collector_counters.cpp).
void collect_counters(Ctx& ctx, const Profile* profile);
/// Why the device prints colour, if anything it answered says so: colour pages counted, a
/// supply or colorant of a colour other than black or grey, more than one process colorant.
std::optional<std::string> colour_evidence(Ctx& ctx);
/// A monochrome printer's black pages are all its pages: mono, print_mono and copy_mono from
/// their totals where the device gives none (after the supplies, which can contradict it).
void derive_monochrome(Ctx& ctx);
/// A laser listing exactly one toner, naming no colour for it (no description, no colorant),
/// with nothing that says colour: that toner is black (supplies, after collect_supplies).
void derive_sole_toner_colour(Ctx& ctx);
/// The overall black/colour split from per-function counters that answered, only where they
/// add up to the device's total (a printer-only model without copy cells).
void derive_split_from_functions(Ctx& ctx);

}  // namespace printmon::scanner::collect
