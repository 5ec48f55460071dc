#pragma once
// What a printer says about its supplies besides the gauges: prtAlertTable rows (RFC 3805
// PrtAlertCodeTC, markerSupplies codes 1101..1115, prtAlertGroupIndex naming the supply row),
// hrPrinterDetectedErrorState's lowToner/noToner bits, and front-panel or alert text ("Toner
// Low", "Мало тонера", "碳粉不足"). A gauge can be stale (an estimate the engine updates late)
// or coarse (steps of 20-25 %, "some remaining"); the printer acts on its own low/empty
// verdict (it warns, it stops printing), so that verdict wins: a supply it calls low or empty
// is never reported at a high level.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "printmon/proto/enums.hpp"
#include "printmon/proto/snapshot.hpp"
#include "profiles/vocabulary.hpp"
#include "snmp/value.hpp"

namespace printmon::scanner::supply_claims {

/// "This supply is low / empty / missing", from one piece of printer evidence.
struct Claim {
    proto::SupplyState state = proto::SupplyState::low;  ///< low, empty or not_installed
    /// Which kind of supply: "toner", "ink", "marking" (toner or ink), "opc", "developer",
    /// "waste" (any waste receptacle), "waste_toner", "waste_ink", "ribbon", "fuser",
    /// "transfer_unit".
    std::string family;
    std::string color;             ///< "black", "cyan", "magenta", "yellow"; empty: not named
    std::optional<snmp::Oid> row;  ///< prtMarkerSuppliesTable index the alert names
    std::string source;            ///< where it came from, for notes and CollectResult::sources
};

/// The claim of one prtAlertCode of the markerSupplies group; nullopt for any other code.
std::optional<Claim> from_alert_code(std::int64_t code);

/// Claims in free text (console lines, alert descriptions), UTF-8. Each clause (split at
/// " / ", ';', '!', '|', '。', CR or LF; not at '.' or ',', which list colours) that names a
/// supply kind or a colour *and* a low/empty word gives one claim per colour named ("Toner low:
/// cyan, magenta" gives two). `words` is the profiles' vocabulary (ProfileSet::words(),
/// profiles/words.toml), each word matched within its bounds (so "yellow" does not say "low",
/// "output" does not say "out").
std::vector<Claim> from_text(const Vocabulary& words, std::string_view utf8);

/// The one process colour ("black", "cyan", "magenta", "yellow") a supply's name or a
/// colorant value names, in the same languages as from_text() ("Toner Schwarz", "Картридж
/// чёрный", "黑色碳粉", "Toner (K)"); empty when it names none or several ("Color Kit").
std::string color_named(const Vocabulary& words, std::string_view utf8);

/// The supply type a supply's name gives in those languages ("Фотобарабан" opc, "Бункер
/// отработанного тонера" waste_toner, "Картридж" toner), as prtMarkerSuppliesType names
/// them; empty when it names no kind.
std::string kind_named(const Vocabulary& words, std::string_view utf8);

/// What front-panel text says of the device as a whole: the conditions of
/// hrPrinterDetectedErrorState it names (a jam, no paper or paper low, a cover or door open,
/// a full output tray, a service call, toner or ink low or out, as from_text() reads them), in
/// the order of proto::error_codes(), and whether it names a printer at rest or at work
/// ("Ready", "Sleep", "Готов", "Печать", "就绪"). Same languages and clauses as from_text().
struct TextStatus {
    std::vector<std::string> errors;
    bool idle = false;
    /// A supply other than toner or ink named low, empty or missing ("Replace Drum", "Waste
    /// toner box full"): no error code says it, but the device needs attention (a warning).
    bool attention = false;
};
TextStatus status_from_text(const Vocabulary& words, std::string_view utf8);

/// Applies claims to the snapshot's supplies. `rows[i]` is the prtMarkerSuppliesTable index
/// of supplies[i] (empty for private supplies). A claim with a row hits that supply; otherwise
/// the supplies of its family (and colour, when named) — when that leaves several and none is
/// already at the claimed state, nothing is changed and a note says so. A hit supply whose
/// state is less severe takes the claimed state; a percentage that contradicts it is dropped
/// (the raw level stays), with a note: above 25 % (the highest mark at which printers warn)
/// or `low` when higher for a "low" claim, above `low` for "empty", any for "missing". When the
/// printer lists no supply of the claim's kind at all (a partial agent whose panel says "Replace
/// Drum"), the supply is added from the claim: no level, the claimed state, source
/// "printer-statement"; "marking" and "waste" claims, which do not say which kind, add none.
void apply(std::vector<proto::Supply>& supplies, const std::vector<snmp::Oid>& rows,
           const std::vector<Claim>& claims, int low, std::vector<std::string>& notes,
           std::map<std::string, std::string>& sources);

}  // namespace printmon::scanner::supply_claims
