#include "polling/supply_claims.hpp"

#include <algorithm>
#include <array>
#include <set>

namespace printmon::scanner::supply_claims {
namespace {

using proto::SupplyState;

// ---- text ------------------------------------------------------------------------------------
/// Lower case for ASCII and Cyrillic (the scripts with case that printers use), other code
/// points unchanged. Input is valid UTF-8 (decode() guarantees it).
std::string fold(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b >= 'A' && b <= 'Z') {
            out.push_back(static_cast<char>(b + 32));
        } else if ((b == 0xD0 || b == 0xD1) && i + 1 < s.size()) {
            // Two-byte Cyrillic: U+0400..U+047F. Upper А..Я (U+0410..042F) and Ѐ..Џ
            // (U+0400..040F, Ё among them) map to U+0430..044F and U+0450..045F.
            const auto c = static_cast<unsigned char>(s[i + 1]);
            char32_t cp = ((b & 0x1FU) << 6U) | (c & 0x3FU);
            if (cp >= 0x0410 && cp <= 0x042F) cp += 0x20;
            if (cp >= 0x0400 && cp <= 0x040F) cp += 0x50;
            out.push_back(static_cast<char>(0xC0 | (cp >> 6U)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3FU)));
            ++i;
        } else {
            out.push_back(static_cast<char>(b));
        }
    }
    return out;
}

/// A letter byte for word boundaries: ASCII letters and any byte of a non-ASCII character
/// (Cyrillic, accented Latin). CJK words are matched without boundaries.
bool letter_byte(char c) {
    const auto b = static_cast<unsigned char>(c);
    return (b >= 'a' && b <= 'z') || b >= 0x80;
}

enum class Bound {
    none,  ///< anywhere (CJK, bracketed codes)
    word,  ///< whole word ("low" is not in "yellow", "out" not in "output")
    stem,  ///< starts a word ("тонер" in "тонера", "заканчива" in "заканчивается")
};

struct Word {
    std::string_view text;  ///< lower case
    Bound bound;
};

bool contains(const std::string& hay, const Word& w) {
    for (std::size_t p = hay.find(w.text); p != std::string::npos; p = hay.find(w.text, p + 1)) {
        if (w.bound == Bound::none) return true;
        const bool start = p == 0 || !letter_byte(hay[p - 1]);
        const std::size_t end = p + w.text.size();
        const bool finish = end >= hay.size() || !letter_byte(hay[end]);
        if (start && (w.bound == Bound::stem || finish)) return true;
    }
    return false;
}

template <std::size_t N>
bool any_of(const std::string& hay, const std::array<Word, N>& words) {
    return std::any_of(words.begin(), words.end(), [&](const Word& w) { return contains(hay, w); });
}

// Vocabulary of front panels and alert texts (English, Russian, German, French, Spanish,
// Italian, Chinese, Japanese). Low is tested before empty: "almost empty", "near end".
constexpr std::array<Word, 32> kLow = {{
    {"low", Bound::word},          {"very low", Bound::word},     {"near end", Bound::word},
    {"nearly empty", Bound::word}, {"almost empty", Bound::word}, {"end soon", Bound::word},
    {"order", Bound::word},        {"мало", Bound::word},         {"заканчива", Bound::stem},
    {"на исходе", Bound::word},    {"низк", Bound::stem},         {"скоро", Bound::word},
    {"fast leer", Bound::word},    {"niedrig", Bound::word},      {"bas", Bound::word},
    {"faible", Bound::word},       {"bajo", Bound::word},         {"baja", Bound::word},
    {"casi vac", Bound::stem},     {"basso", Bound::word},        {"不足", Bound::none},
    {"将尽", Bound::none},         {"即将用完", Bound::none},     {"残量少", Bound::none},
    {"少なく", Bound::none},       {"残りわずか", Bound::none},   {"まもなく", Bound::none},
    {"almost full", Bound::word},  {"nearly full", Bound::word},  {"почти заполн", Bound::stem},
    {"将满", Bound::none},         {"near full", Bound::word},
}};

constexpr std::array<Word, 27> kEmpty = {{
    {"empty", Bound::word},     {"out", Bound::word},       {"end", Bound::word},
    {"ended", Bound::word},     {"exhausted", Bound::word}, {"replace", Bound::word},
    {"stop", Bound::word},      {"нет", Bound::word},       {"закончил", Bound::stem},
    {"пуст", Bound::stem},      {"замените", Bound::word},  {"исчерпан", Bound::stem},
    {"用尽", Bound::none},      {"用完", Bound::none},      {"已空", Bound::none},
    {"耗尽", Bound::none},      {"更换", Bound::none},      {"切れ", Bound::none},
    {"なくなり", Bound::none},  {"交換", Bound::none},      {"leer", Bound::word},
    {"vide", Bound::word},      {"agotad", Bound::stem},    {"vac\xC3\xAD", Bound::stem},
    {"remplacer", Bound::word}, {"ersetzen", Bound::word},  {"sostituire", Bound::word},
}};

// Waste receptacles fill up: "full" is their empty.
constexpr std::array<Word, 5> kFull = {{
    {"full", Bound::word},
    {"заполнен", Bound::stem},
    {"已满", Bound::none},
    {"満杯", Bound::none},
    {"voll", Bound::word},
}};

constexpr std::array<Word, 5> kMissing = {{
    {"missing", Bound::word},
    {"not installed", Bound::word},
    {"отсутств", Bound::stem},
    {"未安装", Bound::none},
    {"ありません", Bound::none},
}};

constexpr std::array<Word, 5> kWaste = {{
    {"waste", Bound::word},
    {"отработ", Bound::stem},
    {"废粉", Bound::none},
    {"廃トナー", Bound::none},
    {"resttoner", Bound::word},
}};

struct FamilyWords {
    std::string_view family;
    std::array<Word, 8> words;
};

const std::array<FamilyWords, 7> kFamilies = {{
    {"toner",
     {{{"toner", Bound::stem},
       {"t\xC3\xB3ner", Bound::word},
       {"тонер", Bound::stem},
       {"碳粉", Bound::none},
       {"墨粉", Bound::none},
       {"トナー", Bound::none},
       {"", Bound::none},
       {"", Bound::none}}}},
    {"ink",
     {{{"ink", Bound::word},
       {"tinte", Bound::word},
       {"encre", Bound::word},
       {"tinta", Bound::word},
       {"чернил", Bound::stem},
       {"墨水", Bound::none},
       {"墨盒", Bound::none},
       {"インク", Bound::none}}}},
    {"marking",
     {{{"cartridge", Bound::word},
       {"картридж", Bound::stem},
       {"cartucho", Bound::word},
       {"cartouche", Bound::word},
       {"kartusche", Bound::word},
       {"硒鼓", Bound::none},
       {"", Bound::none},
       {"", Bound::none}}}},
    {"opc",
     {{{"drum", Bound::word},
       {"photoconductor", Bound::word},
       {"барабан", Bound::stem},
       {"фотобарабан", Bound::stem},
       {"感光鼓", Bound::none},
       {"ドラム", Bound::none},
       {"trommel", Bound::word},
       {"tambour", Bound::word}}}},
    {"developer",
     {{{"developer", Bound::word},
       {"девелопер", Bound::stem},
       {"проявител", Bound::stem},
       {"显影", Bound::none},
       {"現像", Bound::none},
       {"", Bound::none},
       {"", Bound::none},
       {"", Bound::none}}}},
    {"fuser",
     {{{"fuser", Bound::word},
       {"фьюзер", Bound::stem},
       {"печк", Bound::stem},
       {"定影", Bound::none},
       {"", Bound::none},
       {"", Bound::none},
       {"", Bound::none},
       {"", Bound::none}}}},
    {"transfer_unit",
     {{{"transfer belt", Bound::word},
       {"transfer unit", Bound::word},
       {"ремень переноса", Bound::stem},
       {"блок переноса", Bound::stem},
       {"转印", Bound::none},
       {"転写", Bound::none},
       {"", Bound::none},
       {"", Bound::none}}}},
}};

struct ColorWords {
    std::string_view color;
    std::array<Word, 13> words;  // unused slots are empty
};

const std::array<ColorWords, 4> kColors = {{
    {"black",
     // Russian: ё only in чёрный, never in чернила (ink); the е spelling needs whole forms.
     {{{"black", Bound::word},
       {"schwarz", Bound::word},
       {"noir", Bound::word},
       {"negro", Bound::word},
       {"nero", Bound::word},
       {"чёрн", Bound::stem},
       {"черный", Bound::word},
       {"черная", Bound::word},
       {"черного", Bound::word},
       {"黑", Bound::none},
       {"ブラック", Bound::none},
       {"[k]", Bound::none},
       {"(k)", Bound::none}}}},
    {"cyan",
     {{{"cyan", Bound::word},
       {"cian", Bound::word},
       {"голуб", Bound::stem},
       {"青", Bound::none},
       {"シアン", Bound::none},
       {"[c]", Bound::none},
       {"(c)", Bound::none}}}},
    {"magenta",
     {{{"magenta", Bound::word},
       {"пурпур", Bound::stem},
       {"малинов", Bound::stem},
       {"品红", Bound::none},
       {"洋红", Bound::none},
       {"マゼンタ", Bound::none},
       {"[m]", Bound::none},
       {"(m)", Bound::none}}}},
    {"yellow",
     {{{"yellow", Bound::word},
       {"gelb", Bound::word},
       {"jaune", Bound::word},
       {"amarillo", Bound::word},
       {"жёлт", Bound::stem},
       {"желт", Bound::stem},
       {"黄", Bound::none},
       {"イエロー", Bound::none},
       {"[y]", Bound::none},
       {"(y)", Bound::none}}}},
}};

/// One clause's claims.
void clause_claims(const std::string& clause, std::vector<Claim>& out) {
    std::vector<std::string_view> families;
    for (const auto& f : kFamilies) {
        const bool hit = std::any_of(f.words.begin(), f.words.end(), [&](const Word& w) {
            return !w.text.empty() && contains(clause, w);
        });
        if (hit) families.push_back(f.family);
    }
    std::vector<std::string_view> colors;
    for (const auto& c : kColors) {
        const bool hit = std::any_of(c.words.begin(), c.words.end(), [&](const Word& w) {
            return !w.text.empty() && contains(clause, w);
        });
        if (hit) colors.push_back(c.color);
    }
    const bool waste = any_of(clause, kWaste);
    std::optional<SupplyState> state;
    if (any_of(clause, kLow)) {
        state = SupplyState::low;
    } else if (any_of(clause, kEmpty) || (waste && any_of(clause, kFull))) {
        state = SupplyState::empty;
    } else if (any_of(clause, kMissing)) {
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

// ---- the device as a whole -------------------------------------------------------------------
// Panel words for the conditions hrPrinterDetectedErrorState names, in the same languages.
constexpr std::array<Word, 12> kJam = {{
    {"jam", Bound::word},
    {"jammed", Bound::word},
    {"misfeed", Bound::word},
    {"замят", Bound::stem},
    {"застрял", Bound::stem},
    {"papierstau", Bound::stem},
    {"stau", Bound::word},
    {"bourrage", Bound::word},
    {"atasco", Bound::stem},
    {"incepp", Bound::stem},
    {"卡纸", Bound::none},
    {"紙詰まり", Bound::none},
}};

constexpr std::array<Word, 7> kPaper = {{
    {"paper", Bound::word},
    {"бумаг", Bound::stem},
    {"papier", Bound::word},
    {"papel", Bound::word},
    {"carta", Bound::word},
    {"纸", Bound::none},
    {"用紙", Bound::none},
}};

// "No paper", "Load paper": the printer waits for paper (kEmpty covers "paper out/empty").
constexpr std::array<Word, 18> kNoOrLoad = {{
    {"no", Bound::word},
    {"нет", Bound::word},
    {"kein", Bound::stem},
    {"plus de", Bound::word},
    {"sin", Bound::word},
    {"manca", Bound::word},
    {"load", Bound::word},
    {"add", Bound::word},
    {"загрузите", Bound::word},
    {"вставьте", Bound::word},
    {"добавьте", Bound::word},  // Kyocera's "Добавьте бумагу в кассету 1" (Add paper ...)
    {"положите", Bound::word},
    {"einlegen", Bound::word},
    {"chargez", Bound::word},
    {"cargue", Bound::word},
    {"缺", Bound::none},
    {"切れ", Bound::none},
    {"ありません", Bound::none},
}};

constexpr std::array<Word, 20> kCover = {{
    {"cover", Bound::word},     {"door", Bound::word},       {"lid", Bound::word},
    {"крышк", Bound::stem},     {"дверц", Bound::stem},      {"abdeckung", Bound::stem},
    {"klappe", Bound::stem},    {"t\xC3\xBCr", Bound::stem}, {"capot", Bound::word},
    {"porte", Bound::word},     {"couvercle", Bound::word},  {"cubierta", Bound::word},
    {"puerta", Bound::word},    {"tapa", Bound::word},       {"coperchio", Bound::word},
    {"sportello", Bound::word}, {"盖", Bound::none},         {"门", Bound::none},
    {"カバー", Bound::none},    {"ドア", Bound::none},
}};

// "Cover open", and the instruction that says it is: "Close the front cover".
constexpr std::array<Word, 19> kOpen = {{
    {"open", Bound::word},
    {"opened", Bound::word},
    {"close", Bound::word},
    {"открыт", Bound::stem},
    {"закройте", Bound::word},
    {"offen", Bound::word},
    {"ge\xC3\xB6"
     "ffnet",
     Bound::word},
    {"schlie\xC3\x9f"
     "en",
     Bound::word},
    {"ouvert", Bound::stem},
    {"fermez", Bound::word},
    {"abiert", Bound::stem},
    {"cierre", Bound::word},
    {"apert", Bound::stem},
    {"chiudere", Bound::word},
    {"打开", Bound::none},
    {"关闭", Bound::none},
    {"開いて", Bound::none},
    {"オープン", Bound::none},
    {"閉じて", Bound::none},
}};

constexpr std::array<Word, 7> kService = {{
    {"service", Bound::word},
    {"сервис", Bound::stem},
    {"servicio", Bound::word},
    {"assistenza", Bound::word},
    {"kundendienst", Bound::stem},
    {"维修", Bound::none},
    {"サービスマン", Bound::none},
}};

constexpr std::array<Word, 9> kOutput = {{
    {"output", Bound::word},
    {"выходн", Bound::stem},
    {"выдач", Bound::stem},
    {"ausgabe", Bound::stem},
    {"sortie", Bound::word},
    {"salida", Bound::word},
    {"uscita", Bound::word},
    {"出纸", Bound::none},
    {"排紙", Bound::none},
}};

// A printer at rest or at work: ready, asleep, printing, warming up.
constexpr std::array<Word, 50> kIdle = {{
    {"ready", Bound::word},
    {"idle", Bound::word},
    {"sleep", Bound::stem},
    {"power save", Bound::stem},
    {"energy save", Bound::stem},
    {"printing", Bound::word},
    {"processing", Bound::word},
    {"warming up", Bound::word},
    {"online", Bound::word},
    {"готов", Bound::stem},
    {"ожидани", Bound::stem},
    {"спящ", Bound::stem},
    {"энергосбережени", Bound::stem},
    {"идет печать", Bound::word},
    {"печатает", Bound::word},
    {"прогрев", Bound::stem},
    {"bereit", Bound::word},
    {"druckbereit", Bound::word},
    {"ruhemodus", Bound::word},
    {"energiespar", Bound::stem},
    {"druckt", Bound::word},
    {"pr\xC3\xAAt", Bound::word},
    {"veille", Bound::word},
    {"impression en cours", Bound::word},
    {"listo", Bound::word},
    {"preparad", Bound::stem},
    {"en espera", Bound::word},
    {"reposo", Bound::word},
    {"imprimiendo", Bound::word},
    {"pronto", Bound::word},
    {"stampa in corso", Bound::word},
    {"risparmio energ", Bound::stem},
    {"就绪", Bound::none},
    {"待机", Bound::none},
    {"睡眠", Bound::none},
    {"节能", Bound::none},
    {"打印中", Bound::none},
    {"正在打印", Bound::none},
    {"印刷できます", Bound::none},
    {"印刷可能", Bound::none},
    {"待機中", Bound::none},
    {"スリープ", Bound::none},
    {"印刷中", Bound::none},
    {"節電", Bound::none},
    {"stand-by", Bound::word},
    {"standby", Bound::word},
    {"warmup", Bound::word},
    {"in attesa", Bound::word},
    {"low power", Bound::word},       // Kyocera's light sleep
    {"малая мощность", Bound::word},  // the same in its Russian panel
}};

/// One clause's conditions (codes of proto::error_codes()) and whether it names a printer at
/// rest or at work.
void clause_status(const std::string& clause, std::set<std::string>& errors, bool& idle) {
    const bool waste = any_of(clause, kWaste);
    if (any_of(clause, kJam)) {
        errors.insert("jammed");
    } else if (any_of(clause, kCover) && any_of(clause, kOpen)) {
        errors.insert("door_open");
    } else if (any_of(clause, kPaper)) {
        if (any_of(clause, kLow)) {
            errors.insert("low_paper");
        } else if (any_of(clause, kEmpty) || any_of(clause, kNoOrLoad)) {
            errors.insert("no_paper");
        }
    } else if (!waste && any_of(clause, kOutput) && any_of(clause, kFull)) {
        errors.insert("output_full");
    } else if (any_of(clause, kService)) {
        errors.insert("service_requested");
    }
    // Toner and ink as the supply claims read them ("Toner low", "Замените картридж").
    std::vector<Claim> claims;
    clause_claims(clause, claims);
    for (const auto& c : claims) {
        if (c.family != "toner" && c.family != "ink" && c.family != "marking") continue;
        if (c.state == SupplyState::low) errors.insert("low_toner");
        if (c.state == SupplyState::empty || c.state == SupplyState::not_installed) {
            errors.insert("no_toner");
        }
    }
    if (any_of(clause, kIdle)) idle = true;
}

/// The text's clauses, as from_text() splits them.
template <typename F>
void for_each_clause(const std::string& folded, F&& f) {
    std::size_t start = 0;
    // Bounded by the text: every pass moves `start` past one separator.
    while (start <= folded.size()) {
        std::size_t end = folded.size();
        std::size_t skip = 0;
        for (const std::string_view sep : {" / ", ";", "!", "\n", "|", "。"}) {
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

std::vector<Claim> from_text(std::string_view utf8) {
    std::vector<Claim> out;
    for_each_clause(fold(utf8), [&](const std::string& clause) { clause_claims(clause, out); });
    return out;
}

TextStatus status_from_text(std::string_view utf8) {
    std::set<std::string> errors;
    TextStatus out;
    for_each_clause(fold(utf8),
                    [&](const std::string& clause) { clause_status(clause, errors, out.idle); });
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
                note("printer reports " + describe(claim) + " but lists no such supply");
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
            if (s.level_percent &&
                (*s.level_percent > low || claim.state == SupplyState::not_installed)) {
                note("supply " + s.description + ": gauge at " + std::to_string(*s.level_percent) +
                     "% but the printer reports " + describe(claim) +
                     "; the printer's state is kept, the percentage dropped");
                s.level_percent.reset();
            }
        }
    }
}

}  // namespace printmon::scanner::supply_claims
