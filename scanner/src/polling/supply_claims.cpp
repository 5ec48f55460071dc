#include "polling/supply_claims.hpp"

#include <algorithm>
#include <array>
#include <set>

namespace printmon::scanner::supply_claims {
namespace {

using proto::SupplyState;

// ---- text ------------------------------------------------------------------------------------
/// Lower case of a two-byte UTF-8 code point (U+0080..U+07FF) in the scripts printers' panels
/// use: Latin-1 and Latin Extended-A (French, German, Polish, Czech, Turkish...) and Cyrillic
/// (Russian, Ukrainian). Others are returned unchanged.
char32_t lower_two_byte(char32_t cp) {
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;  // À..Þ, not ×
    if (cp == 0x130) return U'i';                                  // Turkish İ
    if (cp == 0x178) return 0xFF;                                  // Ÿ
    // Latin Extended-A pairs: upper case even and lower odd, except in 0139..0148 and
    // 0179..017E (Ł, Ń, Ž...), where the upper case is odd.
    if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177)) return cp | 1U;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) {
        return cp % 2 == 1 ? cp + 1 : cp;
    }
    if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;  // А..Я
    if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;  // Ѐ..Џ (Ё, Є, І, Ї among them)
    if (cp >= 0x48A && cp <= 0x4BF) return cp | 1U;    // Ґ and the other paired letters
    return cp;
}

/// Lower case for ASCII and the two-byte scripts above; other code points (CJK) unchanged.
/// Input is valid UTF-8 (decode() guarantees it).
std::string fold(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        const bool two_byte = b >= 0xC2 && b <= 0xDF && i + 1 < s.size() &&
                              (static_cast<unsigned char>(s[i + 1]) & 0xC0U) == 0x80U;
        if (b >= 'A' && b <= 'Z') {
            out.push_back(static_cast<char>(b + 32));
        } else if (two_byte) {
            const auto c = static_cast<unsigned char>(s[i + 1]);
            const char32_t cp = lower_two_byte(((b & 0x1FU) << 6U) | (c & 0x3FU));
            if (cp < 0x80) {
                out.push_back(static_cast<char>(cp));
            } else {
                out.push_back(static_cast<char>(0xC0U | (cp >> 6U)));
                out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
            }
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
    if (w.text.empty()) return false;  // an unused slot of a fixed-size list names nothing
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

// Vocabulary of front panels and alert texts (English, Russian, Ukrainian, German, French,
// Spanish, Portuguese, Italian, Polish, Czech, Dutch, Turkish, Chinese in both scripts,
// Japanese, Korean). Turkish
// words are also listed as an upper-case panel folds them ("AÇIK" -> "açik": ASCII I has no
// dotless lower case here). Low is tested before empty: "almost empty", "near end".
constexpr auto kLow = std::to_array<Word>({
    {"low", Bound::word},          {"very low", Bound::word},     {"near end", Bound::word},
    {"nearly empty", Bound::word}, {"almost empty", Bound::word}, {"end soon", Bound::word},
    {"order", Bound::word},        {"prepare", Bound::word},      {"life warning", Bound::word},
    {"истека", Bound::stem},       {"подготовьте", Bound::word},  {"мало", Bound::word},
    {"заканчива", Bound::stem},    {"на исходе", Bound::word},    {"низк", Bound::stem},
    {"скоро", Bound::word},        {"fast leer", Bound::word},    {"niedrig", Bound::stem},
    {"bas", Bound::word},          {"faible", Bound::word},       {"bajo", Bound::word},
    {"baja", Bound::word},         {"casi vac", Bound::stem},     {"basso", Bound::word},
    {"不足", Bound::none},         {"将尽", Bound::none},         {"即将用完", Bound::none},
    {"残量少", Bound::none},       {"少なく", Bound::none},       {"残りわずか", Bound::none},
    {"まもなく", Bound::none},     {"almost full", Bound::word},  {"nearly full", Bound::word},
    {"почти заполн", Bound::stem}, {"将满", Bound::none},         {"near full", Bound::word},
    {"mało", Bound::word},         {"niski", Bound::word},        {"kończy", Bound::word},
    {"закінчу", Bound::stem},      {"низьк", Bound::stem},        {"düşük", Bound::word},
    {"dusuk", Bound::word},        {"azaldı", Bound::word},       {"azaldi", Bound::word},
    {"laag", Bound::word},         {"bijna op", Bound::word},     {"málo", Bound::word},
    {"dochází", Bound::word},      {"baixo", Bound::word},        {"esaurimento", Bound::word},
    {"scarso", Bound::word},       {"scarsa", Bound::word},       {"fast voll", Bound::word},
    {"將盡", Bound::none},         {"부족", Bound::none},
});

// "ersetz" is a 16-character German panel line's "ersetzen" (replace), cut; "ersetzt"
// (replaced) is not it.
constexpr auto kEmpty = std::to_array<Word>({
    {"empty", Bound::word},
    {"out", Bound::word},
    {"end", Bound::word},
    {"ended", Bound::word},
    {"exhausted", Bound::word},
    {"replace", Bound::word},
    {"stop", Bound::word},
    {"нет", Bound::word},
    {"закончил", Bound::stem},
    {"пуст", Bound::stem},
    {"замените", Bound::word},
    {"исчерпан", Bound::stem},
    {"用尽", Bound::none},
    {"用完", Bound::none},
    {"已空", Bound::none},
    {"耗尽", Bound::none},
    {"更换", Bound::none},
    {"切れ", Bound::none},
    {"なくなり", Bound::none},
    {"交換", Bound::none},
    {"leer", Bound::word},
    {"vide", Bound::word},
    {"agotad", Bound::stem},
    {"vac\xC3\xAD", Bound::stem},
    {"remplacer", Bound::word},
    {"ersetzen", Bound::word},
    {"sostituire", Bound::word},
    {"wymień", Bound::word},
    {"brak", Bound::word},
    {"pusty", Bound::word},
    {"замініть", Bound::word},
    {"немає", Bound::word},
    {"закінчив", Bound::stem},
    {"bitti", Bound::word},
    {"değiştir", Bound::stem},
    {"degistir", Bound::stem},
    {"vervang", Bound::stem},
    {"vyměňte", Bound::word},
    {"došel", Bound::word},
    {"není", Bound::word},
    {"substitu", Bound::stem},
    {"ersetz", Bound::word},
    {"esaurit", Bound::stem},
    {"vazio", Bound::word},
    {"vazia", Bound::word},
    {"leeg", Bound::word},
    {"prázdn", Bound::stem},
    {"pusta", Bound::word},
    {"puste", Bound::word},
    {"用盡", Bound::none},
    {"耗盡", Bound::none},
    {"更換", Bound::none},
    {"없음", Bound::none},
    {"없습니다", Bound::none},
    {"교체", Bound::none},
    {"add", Bound::word},
    {"истёк", Bound::word},
    {"истек", Bound::word},
    // "No" empties only the supply it names (Brother's "No Toner"): "no" alone says nothing.
    {"no toner", Bound::word},
    {"no ink", Bound::word},
    {"no cartridge", Bound::word},
    {"no drum", Bound::word},
    {"kein toner", Bound::word},
    {"keine tinte", Bound::word},
    {"sin tóner", Bound::word},
    {"sin toner", Bound::word},
    {"sin tinta", Bound::word},
    {"добавьте", Bound::word},
    {"израсходован", Bound::stem},
    {"depleted", Bound::word},
});

// "Almost" and "soon" make an empty or full word a warning: "Тонер почти закончился", "Toner
// nearly out", "Replace toner soon", "Cartouche presque vide", "碳粉即将耗尽" (the printer still
// prints). Clauses split as for_each_clause() does, so "Toner empty / replace soon" stays two.
constexpr auto kAlmost = std::to_array<Word>({
    {"almost", Bound::word},    {"nearly", Bound::word},     {"nearing", Bound::word},
    {"soon", Bound::word},      {"почти", Bound::word},      {"майже", Bound::word},
    {"незабаром", Bound::word}, {"presque", Bound::word},    {"bientôt", Bound::word},
    {"prawie", Bound::word},    {"wkrótce", Bound::word},    {"quasi", Bound::word},
    {"casi", Bound::word},      {"quase", Bound::word},      {"em breve", Bound::word},
    {"bijna", Bound::word},     {"binnenkort", Bound::word}, {"bald", Bound::word},
    {"téměř", Bound::word},     {"brzy", Bound::word},       {"neredeyse", Bound::word},
    {"yakında", Bound::word},   {"yakinda", Bound::word},    {"ほぼ", Bound::none},
    {"即将", Bound::none},      {"即將", Bound::none},       {"快要", Bound::none},
    {"快用", Bound::none},      {"几乎", Bound::none},       {"幾乎", Bound::none},
    {"거의", Bound::none},
});

// Waste receptacles fill up: "full" is their empty.
constexpr auto kFull = std::to_array<Word>({
    {"full", Bound::word},   {"заполнен", Bound::stem}, {"полон", Bound::word},
    {"lleno", Bound::word},  {"llena", Bound::word},    {"plein", Bound::word},
    {"pleine", Bound::word}, {"pieno", Bound::word},    {"piena", Bound::word},
    {"满", Bound::none},     {"滿", Bound::none},       {"가득", Bound::none},
    {"полна", Bound::word},  {"полный", Bound::word},   {"已满", Bound::none},
    {"満杯", Bound::none},   {"voll", Bound::word},     {"pełny", Bound::word},
    {"pełen", Bound::word},  {"заповнен", Bound::stem}, {"dolu", Bound::word},
    {"vol", Bound::word},    {"plný", Bound::word},     {"cheio", Bound::word},
});

constexpr auto kMissing = std::to_array<Word>({
    {"missing", Bound::word},
    {"not installed", Bound::word},
    {"отсутств", Bound::stem},
    {"未安装", Bound::none},
    {"ありません", Bound::none},
    {"відсутн", Bound::stem},
    {"не установлен", Bound::stem},
    {"установите", Bound::word},
    {"install", Bound::word},
    {"not detected", Bound::word},
    {"не обнаружен", Bound::stem},
    {"fehlt", Bound::word},
    {"nicht installiert", Bound::word},
    {"nicht eingesetzt", Bound::word},
    {"manquant", Bound::stem},
    {"non installé", Bound::stem},
    {"falta", Bound::word},
    {"no instalad", Bound::stem},
    {"mancante", Bound::word},
    {"non installat", Bound::stem},
    {"não instalad", Bound::stem},
    {"ausente", Bound::word},
    {"ontbreekt", Bound::word},
    {"nie zainstalowan", Bound::stem},
    {"chybí", Bound::word},
    {"takılı değil", Bound::word},
    {"미장착", Bound::none},
});

constexpr auto kWaste = std::to_array<Word>({
    {"waste", Bound::word},
    {"отработ", Bound::stem},
    {"废粉", Bound::none},
    {"廃トナー", Bound::none},
    {"resttoner", Bound::stem},  // and its compounds: Resttonerbehälter, -flasche
    {"zużyt", Bound::stem},
    {"відпрацьован", Bound::stem},
    {"atık", Bound::word},
    {"atik", Bound::word},
    // HP's "Toner Collection Unit", Epson's "Ink Collector Unit" and "Maintenance Box" (its
    // waste ink tank; the ink family lists it too), French, Italian and Spanish boxes.
    {"collection", Bound::word},
    {"wt box", Bound::word},  // Brother's "WT Box End Soon", "Replace WT Box"
    {"collector", Bound::word},
    {"maintenance box", Bound::word},
    {"collecteur", Bound::word},
    {"usagé", Bound::word},
    {"récupérat", Bound::stem},
    {"recupero", Bound::word},
    {"residual", Bound::word},
    {"废碳粉", Bound::none},
    {"废墨", Bound::none},
    {"廢粉", Bound::none},
    {"廢碳粉", Bound::none},
    {"廢墨", Bound::none},
    {"폐토너", Bound::none},
    {"폐잉크", Bound::none},
});

struct FamilyWords {
    std::string_view family;
    std::array<Word, 20> words;  // unused slots are empty
};

const std::array<FamilyWords, 7> kFamilies = {{
    {"toner",
     {{{"toner", Bound::stem},
       {"t\xC3\xB3ner", Bound::word},
       {"тонер", Bound::stem},
       {"碳粉", Bound::none},
       {"墨粉", Bound::none},
       {"トナー", Bound::none},
       {"토너", Bound::none}}}},
    {"ink",
     {{{"ink", Bound::word},
       {"tinte", Bound::word},
       {"encre", Bound::word},
       {"tinta", Bound::word},
       {"чернил", Bound::stem},
       {"墨水", Bound::none},
       {"墨盒", Bound::none},
       {"インク", Bound::none},
       {"atrament", Bound::stem},
       {"tusz", Bound::stem},
       {"чорнил", Bound::stem},
       {"mürekkep", Bound::stem},
       {"inkt", Bound::word},
       {"inkoust", Bound::stem},
       {"inchiostr", Bound::stem},
       {"maintenance box", Bound::word},
       {"잉크", Bound::none}}}},
    {"marking",
     {{{"cartridge", Bound::word},
       {"картридж", Bound::stem},
       {"cartucho", Bound::word},
       {"cartouche", Bound::word},
       {"kartusche", Bound::word},
       {"硒鼓", Bound::none},
       {"kaset", Bound::stem},
       {"kartuş", Bound::stem},
       {"kartus", Bound::stem},
       {"kazet", Bound::stem},
       {"cartucc", Bound::stem},
       {"카트리지", Bound::none}}}},
    {"opc",
     {{{"drum", Bound::word},
       {"photoconductor", Bound::word},
       {"imaging unit", Bound::word},
       {"драм", Bound::stem},  // "Драм-картридж", a drum cartridge
       {"формирования изображ", Bound::stem},
       {"барабан", Bound::stem},
       {"фотобарабан", Bound::stem},
       {"感光鼓", Bound::none},
       {"ドラム", Bound::none},
       {"trommel", Bound::stem},  // Trommeleinheit, Trommelkartusche
       {"tambour", Bound::word},
       {"bęben", Bound::word},
       {"bębna", Bound::word},
       {"tambur", Bound::stem},
       {"válec", Bound::word},
       {"válce", Bound::word},
       {"cilindro", Bound::word},
       {"드럼", Bound::none}}}},
    {"developer",
     {{{"developer", Bound::word},
       {"девелопер", Bound::stem},
       {"проявител", Bound::stem},
       {"блок проявки", Bound::word},
       {"entwickler", Bound::stem},
       {"révélateur", Bound::word},
       {"revelador", Bound::word},
       {"sviluppatore", Bound::word},
       {"显影", Bound::none},
       {"現像", Bound::none}}}},
    {"fuser",
     {{{"fuser", Bound::word},
       {"фьюзер", Bound::stem},
       {"печк", Bound::stem},
       {"узел закреплен", Bound::stem},
       {"узла закреплен", Bound::stem},
       {"fixier", Bound::stem},
       {"fusore", Bound::word},
       {"fusora", Bound::word},
       {"定影", Bound::none},
       {"utrwal", Bound::stem},
       {"fixač", Bound::stem},
       {"fusor", Bound::word}}}},
    {"transfer_unit",
     {{{"transfer belt", Bound::word},
       {"transfer unit", Bound::word},
       {"transfer roller", Bound::word},
       {"belt unit", Bound::word},
       {"ролик переноса", Bound::stem},
       {"ремень переноса", Bound::stem},
       {"лента переноса", Bound::stem},
       {"ленту переноса", Bound::stem},
       {"ленты переноса", Bound::stem},
       {"блок переноса", Bound::stem},
       {"transferband", Bound::stem},
       {"transfereinheit", Bound::stem},
       {"courroie de transfert", Bound::word},
       {"转印", Bound::none},
       {"転写", Bound::none}}}},
}};

struct ColorWords {
    std::string_view color;
    std::array<Word, 32> words;  // unused slots are empty
};

const std::array<ColorWords, 4> kColors = {{
    {"black",
     // Russian: ё only in чёрный, never in чернила (ink); the е spelling needs whole forms.
     {{{"black", Bound::word},  {"schwarz", Bound::word}, {"noir", Bound::stem},
       {"negr", Bound::stem},   {"nero", Bound::word},    {"чёрн", Bound::stem},
       {"черный", Bound::word}, {"черная", Bound::word},  {"черного", Bound::word},
       {"黑", Bound::none},     {"黒", Bound::none},      {"ブラック", Bound::none},
       {"[k]", Bound::none},    {"(k)", Bound::none},     {"czarn", Bound::stem},
       {"чорний", Bound::word}, {"чорна", Bound::word},   {"чорного", Bound::word},
       {"siyah", Bound::word},  {"zwart", Bound::word},   {"čern", Bound::stem},
       {"preto", Bound::word},  {"preta", Bound::word},   {"zwarte", Bound::word},
       {"nera", Bound::word},   {"검정", Bound::none},    {"검은", Bound::none},
       {"블랙", Bound::none}}}},
    {"cyan",
     {{{"cyan", Bound::word},
       {"cian", Bound::word},
       {"голуб", Bound::stem},
       {"青", Bound::none},
       {"シアン", Bound::none},
       {"[c]", Bound::none},
       {"(c)", Bound::none},
       {"cyjan", Bound::word},
       {"блакитн", Bound::stem},
       {"camgöbeği", Bound::word},
       {"azurov", Bound::stem},
       {"ciano", Bound::word},
       {"cyaan", Bound::word},
       {"시안", Bound::none}}}},
    {"magenta",
     {{{"magenta", Bound::word},
       {"пурпур", Bound::stem},
       {"малинов", Bound::stem},
       {"品红", Bound::none},
       {"洋红", Bound::none},
       {"マゼンタ", Bound::none},
       {"[m]", Bound::none},
       {"(m)", Bound::none},
       {"purpur", Bound::stem},
       {"macenta", Bound::word},
       {"洋紅", Bound::none},
       {"品紅", Bound::none},
       {"마젠타", Bound::none}}}},
    {"yellow", {{{"yellow", Bound::word},  {"gelb", Bound::word},     {"jaune", Bound::word},
                 {"amarill", Bound::stem}, {"жёлт", Bound::stem},     {"желт", Bound::stem},
                 {"黄", Bound::none},      {"イエロー", Bound::none}, {"[y]", Bound::none},
                 {"(y)", Bound::none},     {"żółt", Bound::stem},     {"жовт", Bound::stem},
                 {"sarı", Bound::word},    {"sari", Bound::word},     {"geel", Bound::word},
                 {"žlut", Bound::stem},    {"amarel", Bound::stem},   {"giall", Bound::stem},
                 {"gele", Bound::word},    {"黃", Bound::none},       {"노랑", Bound::none},
                 {"노란", Bound::none},    {"옐로", Bound::none}}}},
}};

/// The names (`name` of each entry: a colour, a supply kind) whose words a folded text
/// contains, in the list's order.
template <typename Entry, std::size_t N>
std::vector<std::string_view> named_in(const std::string& folded,
                                       const std::array<Entry, N>& entries,
                                       std::string_view Entry::*name) {
    std::vector<std::string_view> out;
    for (const auto& e : entries) {
        const bool hit = std::any_of(e.words.begin(), e.words.end(),
                                     [&](const Word& w) { return contains(folded, w); });
        if (hit) out.push_back(e.*name);
    }
    return out;
}

std::vector<std::string_view> colors_in(const std::string& folded) {
    return named_in(folded, kColors, &ColorWords::color);
}

std::vector<std::string_view> families_in(const std::string& folded) {
    return named_in(folded, kFamilies, &FamilyWords::family);
}

/// One clause's claims.
void clause_claims(const std::string& clause, std::vector<Claim>& out) {
    auto families = families_in(clause);
    auto colors = colors_in(clause);
    const bool waste = any_of(clause, kWaste);
    std::optional<SupplyState> state;
    if (any_of(clause, kLow)) {
        state = SupplyState::low;
    } else if (any_of(clause, kEmpty) || (waste && any_of(clause, kFull))) {
        state = any_of(clause, kAlmost) ? SupplyState::low : SupplyState::empty;
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
constexpr auto kJam = std::to_array<Word>({
    {"jam", Bound::word},        {"jammed", Bound::word},      {"misfeed", Bound::word},
    {"замят", Bound::stem},      {"застрял", Bound::stem},     {"застрев", Bound::stem},
    {"papierstau", Bound::stem}, {"stau", Bound::word},        {"bourrage", Bound::word},
    {"atasco", Bound::stem},     {"incepp", Bound::stem},      {"卡纸", Bound::none},
    {"卡紙", Bound::none},       {"걸림", Bound::none},        {"紙詰まり", Bound::none},
    {"zacięcie", Bound::word},   {"zakleszcz", Bound::stem},   {"зминан", Bound::stem},
    {"застряг", Bound::stem},    {"sıkış", Bound::stem},       {"sikis", Bound::stem},
    {"sikiş", Bound::stem},      {"vastgelopen", Bound::word}, {"papierstoring", Bound::word},
    {"uvízn", Bound::stem},      {"atolament", Bound::stem},
});

constexpr auto kPaper = std::to_array<Word>({
    {"paper", Bound::word},
    {"бумаг", Bound::stem},
    {"papier", Bound::word},
    {"papel", Bound::word},
    {"carta", Bound::word},
    {"纸", Bound::none},
    {"用紙", Bound::none},
    {"papieru", Bound::word},
    {"папір", Bound::word},
    {"папер", Bound::stem},
    {"kağıt", Bound::word},
    {"kagit", Bound::word},
    {"kağit", Bound::word},
    {"papír", Bound::stem},
    {"紙", Bound::none},
    {"용지", Bound::none},
});

// "No paper", "Load paper": the printer waits for paper (kEmpty covers "paper out/empty").
constexpr auto kNoOrLoad = std::to_array<Word>({
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
    {"добавьте", Bound::word},  // Kyocera's "Добавьте бумагу в кассету
                                // 1" (Add paper ...)
    {"положите", Bound::word},
    {"einlegen", Bound::word},
    {"chargez", Bound::word},
    {"cargue", Bound::word},
    {"缺", Bound::none},
    {"切れ", Bound::none},
    {"ありません", Bound::none},
    {"brak", Bound::word},
    {"włóż", Bound::word},
    {"załaduj", Bound::word},
    {"немає", Bound::word},
    {"завантажте", Bound::word},
    {"додайте", Bound::word},
    {"yok", Bound::word},
    {"yükleyin", Bound::word},
    {"geen", Bound::word},
    {"plaats", Bound::word},
    {"není", Bound::word},
    {"vložte", Bound::word},
    {"sem", Bound::word},
    {"coloque", Bound::word},
});

constexpr auto kCover = std::to_array<Word>({
    {"cover", Bound::word},     {"door", Bound::word},       {"lid", Bound::word},
    {"крышк", Bound::stem},     {"дверц", Bound::stem},      {"abdeckung", Bound::stem},
    {"klappe", Bound::stem},    {"t\xC3\xBCr", Bound::stem}, {"capot", Bound::word},
    {"porte", Bound::word},     {"couvercle", Bound::word},  {"cubierta", Bound::word},
    {"puerta", Bound::word},    {"tapa", Bound::word},       {"coperchio", Bound::word},
    {"sportello", Bound::word}, {"盖", Bound::none},         {"门", Bound::none},
    {"蓋", Bound::none},        {"門", Bound::none},         {"커버", Bound::none},
    {"덮개", Bound::none},      {"도어", Bound::none},       {"カバー", Bound::none},
    {"ドア", Bound::none},      {"pokryw", Bound::stem},     {"drzwi", Bound::word},
    {"drzwiczki", Bound::word}, {"кришк", Bound::stem},      {"kapak", Bound::stem},
    {"klep", Bound::word},      {"deksel", Bound::word},     {"kryt", Bound::stem},
    {"dvířka", Bound::word},    {"tampa", Bound::word},
});

// "Cover open", and the instruction that says it is: "Close the front cover".
constexpr auto kOpen = std::to_array<Word>({
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
    {"開啟", Bound::none},
    {"打開", Bound::none},
    {"關閉", Bound::none},
    {"열림", Bound::none},
    {"닫으", Bound::none},
    {"開いて", Bound::none},
    {"オープン", Bound::none},
    {"閉じて", Bound::none},
    {"otwart", Bound::stem},
    {"zamknij", Bound::word},
    {"відкрит", Bound::stem},
    {"закрийте", Bound::word},
    {"açık", Bound::word},
    {"acik", Bound::word},
    {"açik", Bound::word},
    {"kapatın", Bound::word},
    {"kapatin", Bound::word},
    {"sluit", Bound::word},
    {"otevřen", Bound::stem},
    {"zavřete", Bound::word},
    {"abert", Bound::stem},
    {"feche", Bound::word},
});

constexpr auto kService = std::to_array<Word>({
    {"service", Bound::word},
    {"сервис", Bound::stem},
    {"servicio", Bound::word},
    {"assistenza", Bound::word},
    {"kundendienst", Bound::stem},
    {"维修", Bound::none},
    {"維修", Bound::none},
    {"서비스", Bound::none},
    {"サービスマン", Bound::none},
    {"serwis", Bound::stem},
    {"сервіс", Bound::stem},
    {"servis", Bound::stem},
    {"onderhoud", Bound::stem},
    {"assistência", Bound::word},
});

// A part's "service life" ("Maintenance box is nearing the end of its service life") is no
// call for a technician.
constexpr auto kServiceLife = std::to_array<Word>({
    {"service life", Bound::word},
    {"срок службы", Bound::word},
});

constexpr auto kOutput = std::to_array<Word>({
    {"output", Bound::word},
    {"выходн", Bound::stem},
    {"выдач", Bound::stem},
    {"ausgabe", Bound::stem},
    {"sortie", Bound::word},
    {"salida", Bound::word},
    {"uscita", Bound::word},
    {"出纸", Bound::none},
    {"出紙", Bound::none},
    {"출력", Bound::none},
    {"排紙", Bound::none},
    {"odbiornik", Bound::stem},
    {"вихідн", Bound::stem},
    {"çıkış", Bound::word},
    {"çikiş", Bound::word},
    {"uitvoer", Bound::stem},
    {"výstup", Bound::stem},
    {"saída", Bound::word},
});

// A printer at rest or at work: ready, asleep, printing, warming up.
constexpr auto kIdle = std::to_array<Word>({
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
    {"режим сна", Bound::word},  // HP's Russian "sleep mode"
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
    {"lista", Bound::word},
    {"pronta", Bound::word},
    {"preparad", Bound::stem},
    {"en espera", Bound::word},
    {"reposo", Bound::word},
    {"imprimiendo", Bound::word},
    {"pronto", Bound::word},
    {"stampa in corso", Bound::word},
    {"risparmio energ", Bound::stem},
    {"就绪", Bound::none},
    {"就緒", Bound::none},
    {"省電", Bound::none},
    {"列印中", Bound::none},
    {"준비", Bound::none},
    {"절전", Bound::none},
    {"인쇄 중", Bound::none},
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
    {"малая мощность", Bound::word},  // the same in its Russian panel,
    {"gotow", Bound::stem},
    {"oczekiw", Bound::stem},
    {"uśpieni", Bound::stem},
    {"drukowanie", Bound::word},
    {"rozgrzew", Bound::stem},
    {"oszczędz", Bound::stem},
    {"очікуван", Bound::stem},
    {"режим сну", Bound::word},
    {"друкує", Bound::word},
    {"прогрів", Bound::stem},
    {"енергозбереж", Bound::stem},
    {"hazır", Bound::word},
    {"hazir", Bound::word},
    {"uyku", Bound::stem},
    {"yazdırılıyor", Bound::word},
    {"yazdiriliyor", Bound::word},
    {"ısınıyor", Bound::word},
    {"isiniyor", Bound::word},
    {"gereed", Bound::word},
    {"klaar", Bound::word},
    {"slaapstand", Bound::word},
    {"energiebespar", Bound::stem},
    {"afdrukken", Bound::word},
    {"opwarmen", Bound::word},
    {"připraven", Bound::stem},
    {"spánk", Bound::stem},
    {"tiskne", Bound::word},
    {"úspor", Bound::stem},
    {"repouso", Bound::word},
    {"imprimindo", Bound::word},
    {"suspensão", Bound::word},
    {"aquecendo", Bound::word},
});

/// One clause's conditions (codes of proto::error_codes()) and whether it names a printer at
/// rest or at work.
void clause_status(const std::string& clause, std::set<std::string>& errors, TextStatus& out) {
    const bool waste = any_of(clause, kWaste);
    if (any_of(clause, kJam)) {
        errors.insert("jammed");
    } else if (any_of(clause, kCover) && any_of(clause, kOpen)) {
        errors.insert("door_open");
    } else if (!waste && any_of(clause, kOutput) && any_of(clause, kFull)) {
        // Before paper: "Output paper tray full" is about the output.
        errors.insert(any_of(clause, kAlmost) ? "output_near_full" : "output_full");
    } else if (any_of(clause, kPaper)) {
        if (any_of(clause, kLow) || (any_of(clause, kEmpty) && any_of(clause, kAlmost))) {
            errors.insert("low_paper");
        } else if (any_of(clause, kEmpty) || any_of(clause, kNoOrLoad)) {
            errors.insert("no_paper");
        }
    } else if (any_of(clause, kService) && !any_of(clause, kServiceLife)) {
        errors.insert("service_requested");
    }
    // Toner and ink as the supply claims read them ("Toner low", "Замените картридж").
    std::vector<Claim> claims;
    clause_claims(clause, claims);
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
    if (any_of(clause, kIdle)) out.idle = true;
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

std::string color_named(std::string_view utf8) {
    const auto colors = colors_in(fold(utf8));
    return colors.size() == 1 ? std::string(colors.front()) : std::string{};
}

std::string kind_named(std::string_view utf8) {
    const std::string folded = fold(utf8);
    const auto families = families_in(folded);
    const auto has = [&](std::string_view f) {
        return std::find(families.begin(), families.end(), f) != families.end();
    };
    if (any_of(folded, kWaste)) return has("ink") ? "waste_ink" : "waste_toner";
    // The unit before what it holds: a "drum cartridge" is a drum, a "toner cartridge" toner.
    for (const std::string_view f :
         {"opc", "developer", "fuser", "transfer_unit", "ink", "toner"}) {
        if (has(f)) return std::string(f);
    }
    return has("marking") ? "toner" : std::string{};
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
                    [&](const std::string& clause) { clause_status(clause, errors, out); });
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
