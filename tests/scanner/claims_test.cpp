// A supply the printer itself calls low, empty or missing (prtAlertTable, the lowToner/noToner
// bits, console and alert text) is never reported at a high level from a stale or coarse gauge
// (scanner/src/polling/supply_claims.hpp); and text in the device's charset reaches the
// snapshot as UTF-8. Recordings: tests/data/snmprec/partial (generate.py).
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "collector_support.hpp"
#include "polling/supply_claims.hpp"

using namespace printmon;
using namespace printmon::scanner;
using proto::SupplyState;
using supply_claims::Claim;

namespace {

snmp::MibView partial(const std::string& name) {
    auto view =
        snmp::read_snmprec_file(std::string(PRINTMON_PARTIAL_DATA) + "/" + name + ".snmprec");
    if (!view) throw std::runtime_error(name + ": " + view.error().message);
    return *view;
}

const proto::Supply& supply(const proto::DeviceSnapshot& s, const std::string& description) {
    for (const auto& x : s.supplies) {
        if (x.description == description) return x;
    }
    throw std::runtime_error("no supply " + description);
}

bool has_note(const CollectResult& r, const std::string& part) {
    return std::any_of(r.notes.begin(), r.notes.end(),
                       [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

/// "state family color" of each claim, for compact checks.
std::vector<std::string> brief(const std::vector<Claim>& claims) {
    std::vector<std::string> out;
    for (const auto& c : claims) {
        out.push_back(std::string(proto::to_string(c.state)) + " " + c.family +
                      (c.color.empty() ? "" : " " + c.color));
    }
    return out;
}

using V = std::vector<std::string>;

// The readers with the built-in vocabulary (scanner/profiles/words.toml).
const Vocabulary& words() { return test::builtin_profiles().words(); }
std::vector<Claim> from_text(std::string_view t) { return supply_claims::from_text(words(), t); }
supply_claims::TextStatus status_from_text(std::string_view t) {
    return supply_claims::status_from_text(words(), t);
}
std::string color_named(std::string_view t) { return supply_claims::color_named(words(), t); }
std::string kind_named(std::string_view t) { return supply_claims::kind_named(words(), t); }

proto::Supply gauge(const std::string& description, const std::string& type,
                    const std::string& color, int percent) {
    proto::Supply s;
    s.description = description;
    s.type = type;
    s.color = color;
    s.level = percent;
    s.max = 100;
    s.level_percent = percent;
    s.state = percent > 10 ? SupplyState::ok : SupplyState::low;
    return s;
}

}  // namespace

TEST_CASE("claims in console and alert text, in several languages", "[claims]") {
    CHECK(brief(from_text("Toner Low")) == V{"low toner"});
    CHECK(brief(from_text("Replace Toner")) == V{"empty toner"});
    CHECK(brief(from_text("Toner low: Cyan, Magenta")) == V{"low toner cyan", "low toner magenta"});
    CHECK(brief(from_text("Order Black Cartridge")) == V{"low marking black"});
    CHECK(brief(from_text("Cyan low")) == V{"low marking cyan"});
    CHECK(brief(from_text("Drum End Soon")) == V{"low opc"});
    CHECK(brief(from_text("Replace Drum")) == V{"empty opc"});
    CHECK(brief(from_text("Waste Toner Box Full")) == V{"empty waste_toner"});
    CHECK(brief(from_text("Waste toner box nearly full")) == V{"low waste_toner"});
    CHECK(brief(from_text("Toner cartridge missing")) == V{"not_installed toner"});
    CHECK(brief(from_text("Мало тонера")) == V{"low toner"});
    CHECK(brief(from_text("ЗАМЕНИТЕ ТОНЕР-КАРТРИДЖ")) == V{"empty toner"});
    CHECK(brief(from_text("Нет тонера (голубой)")) == V{"empty toner cyan"});
    CHECK(brief(from_text("Заканчивается ресурс фотобарабана")) == V{"low opc"});
    CHECK(brief(from_text("Мало чернил: жёлтый")) == V{"low ink yellow"});
    CHECK(brief(from_text("Мало чернил")) == V{"low ink"});  // чернила is not чёрный
    CHECK(brief(from_text("Черный тонер заканчивается")) == V{"low toner black"});
    CHECK(brief(from_text("碳粉不足")) == V{"low toner"});
    CHECK(brief(from_text("黑色碳粉已用尽")) == V{"empty toner black"});
    CHECK(brief(from_text("ブラックトナー残量少")) == V{"low toner black"});
    CHECK(brief(from_text("トナーを交換してください")) == V{"empty toner"});
    CHECK(brief(from_text("Toner fast leer")) == V{"low toner"});
    CHECK(brief(from_text("Tóner bajo")) == V{"low toner"});
    // Two messages on two console lines.
    CHECK(brief(from_text("Ready / Black Toner Low / Tray 2 Empty")) == V{"low toner black"});
}

TEST_CASE("claims in more panel languages, upper case folded", "[claims]") {
    // Polish, Czech, Ukrainian, Turkish, Dutch, Portuguese; upper case as panels show it.
    CHECK(brief(from_text("Mało toneru (Y)")) == V{"low toner yellow"});
    CHECK(brief(from_text("MAŁO TONERU (Y)")) == V{"low toner yellow"});
    CHECK(brief(from_text("Wymień toner czarny")) == V{"empty toner black"});
    CHECK(brief(from_text("WYMIEŃ BĘBEN")) == V{"empty opc"});
    CHECK(brief(from_text("Brak tuszu: żółty")) == V{"empty ink yellow"});
    CHECK(brief(from_text("Pojemnik na zużyty toner pełny")) == V{"empty waste_toner"});
    CHECK(brief(from_text("MÁLO TONERU")) == V{"low toner"});
    CHECK(brief(from_text("Vyměňte válec")) == V{"empty opc"});
    CHECK(brief(from_text("Закінчується тонер")) == V{"low toner"});
    CHECK(brief(from_text("ЗАМІНІТЬ КАРТРИДЖ (ЖОВТИЙ)")) == V{"empty marking yellow"});
    CHECK(brief(from_text("Мало чорнила")) == V{"low ink"});  // чорнила is not чорний
    CHECK(brief(from_text("TONER DÜŞÜK")) == V{"low toner"});
    CHECK(brief(from_text("Siyah toner bitti")) == V{"empty toner black"});
    CHECK(brief(from_text("Toner laag")) == V{"low toner"});
    CHECK(brief(from_text("Vervang gele toner")) == V{"empty toner yellow"});
    CHECK(brief(from_text("Toner baixo")) == V{"low toner"});
    // A German panel cuts its line at 16 characters: "ersetz." still says replace.
    CHECK(brief(from_text("ENERGIESPAREN   \rTROMMEL ERSETZ.")) == V{"empty opc"});
    // Units named as compounds or in several words.
    CHECK(brief(from_text("Trommeleinheit ersetzen")) == V{"empty opc"});
    // A waste receptacle (which one is left to the supplies of that kind the device lists).
    CHECK(brief(from_text("Resttonerbehälter voll")) == V{"empty waste"});
    CHECK(brief(from_text("Ресурс узла закрепления заканчивается")) == V{"low fuser"});
    CHECK(brief(from_text("Замените ленту переноса")) == V{"empty transfer_unit"});
}

TEST_CASE("almost empty is low, not empty, in every panel language", "[claims]") {
    // "Almost", "nearly", "soon" qualify an empty (or a waste box's full) word: the printer
    // warns and still prints. Each of these read as empty before, or as nothing.
    for (const char* t :
         {"Тонер почти закончился", "Тонер почти пуст", "Тонер майже закінчився",
          "Toner nearly out", "Replace toner soon", "Toner bald leer", "Toner presque vide",
          "Prawie pusty toner", "Tóner casi agotado", "Toner quasi esaurito", "Toner quase vazio",
          "Toner bijna leeg", "Toner téměř prázdný", "碳粉快用完", "碳粉即将耗尽"}) {
        INFO(t);
        CHECK(brief(from_text(t)) == V{"low toner"});
        CHECK(status_from_text(t).errors == V{"low_toner"});
    }
    CHECK(brief(from_text("Картридж почти пуст")) == V{"low marking"});
    CHECK(brief(from_text("Cartouche noire presque vide")) == V{"low marking black"});
    CHECK(brief(from_text("Resttonerbehälter fast voll")) == V{"low waste"});
    CHECK(brief(from_text("Бункер отработанного тонера почти заполнен")) == V{"low waste_toner"});
    CHECK(status_from_text("Бумага почти закончилась").errors == V{"low_paper"});
    CHECK(status_from_text("Paper nearly out").errors == V{"low_paper"});
    CHECK(status_from_text("Output tray almost full").errors == V{"output_near_full"});
    CHECK(status_from_text("Выходной лоток почти заполнен").errors == V{"output_near_full"});
    CHECK(status_from_text("Output tray full").errors == V{"output_full"});
    // Without the qualifier, or in a clause of its own, empty stays empty.
    CHECK(brief(from_text("Тонер закончился")) == V{"empty toner"});
    CHECK(brief(from_text("Toner empty / Replace soon")) == V{"empty toner"});
    CHECK(brief(from_text("Cartouche noire vide")) == V{"empty marking black"});
    CHECK(status_from_text("Бумага закончилась").errors == V{"no_paper"});
}

TEST_CASE("Italian, Portuguese, Dutch, Czech, Korean and Chinese in its traditional script",
          "[claims]") {
    CHECK(brief(from_text("Toner giallo in esaurimento")) == V{"low toner yellow"});
    CHECK(brief(from_text("Toner giallo scarso")) == V{"low toner yellow"});
    CHECK(brief(from_text("Toner nero esaurito")) == V{"empty toner black"});
    CHECK(brief(from_text("Cartuccia gialla esaurita")) == V{"empty marking yellow"});
    CHECK(brief(from_text("Inchiostro nero esaurito")) == V{"empty ink black"});
    CHECK(brief(from_text("Cartucho de toner preto vazio")) == V{"empty toner black"});
    CHECK(brief(from_text("Toner amarela vazia")) == V{"empty toner yellow"});
    CHECK(brief(from_text("Cyaan toner leeg")) == V{"empty toner cyan"});
    CHECK(brief(from_text("Zwarte toner laag")) == V{"low toner black"});
    CHECK(brief(from_text("Toner prázdný")) == V{"empty toner"});
    CHECK(brief(from_text("Tóner amarillo bajo")) == V{"low toner yellow"});
    CHECK(brief(from_text("Cartucho negro agotado")) == V{"empty marking black"});
    CHECK(brief(from_text("Niedriger Tonerstand")) == V{"low toner"});
    CHECK(brief(from_text("노랑 토너 부족")) == V{"low toner yellow"});
    CHECK(brief(from_text("검정 토너 없음")) == V{"empty toner black"});
    CHECK(brief(from_text("시안 잉크 부족")) == V{"low ink cyan"});
    CHECK(brief(from_text("드럼 교체")) == V{"empty opc"});
    CHECK(brief(from_text("黃色碳粉不足")) == V{"low toner yellow"});
    CHECK(brief(from_text("洋紅色碳粉用盡")) == V{"empty toner magenta"});
    CHECK(brief(from_text("碳粉將盡")) == V{"low toner"});
    CHECK(status_from_text("용지 없음").errors == V{"no_paper"});
    CHECK(color_named("Cartouche noire") == "black");
    CHECK(color_named("Cartucho amarillo") == "yellow");
    CHECK(color_named("Tinta negra") == "black");
    CHECK(color_named("마젠타 토너") == "magenta");
    CHECK(kind_named("Cartuccia toner") == "toner");
    CHECK(kind_named("Tamburo") == "opc");
    CHECK(kind_named("검정 토너 카트리지") == "toner");
    // Words of makers' own messages: Ricoh's "Add Toner" (it is out), Canon's "Prepare a
    // toner cartridge" (it will be), HP's and Xerox's Russian jam, a waste box "полон".
    CHECK(brief(from_text("Add Toner")) == V{"empty toner"});
    CHECK(brief(from_text("Добавьте тонер")) == V{"empty toner"});
    CHECK(brief(from_text("Prepare a new toner cartridge")) == V{"low toner"});
    CHECK(brief(from_text("Подготовьте новый картридж")) == V{"low marking"});
    CHECK(brief(from_text("Тонер полностью израсходован")) == V{"empty toner"});
    CHECK(brief(from_text("Фотобарабан почти израсходован")) == V{"low opc"});
    CHECK(brief(from_text("Toner depleted")) == V{"empty toner"});
    CHECK(brief(from_text("Бункер отработанного тонера полон")) == V{"empty waste_toner"});
    CHECK(brief(from_text("Картридж не установлен")) == V{"not_installed marking"});
    CHECK(brief(from_text("Install toner cartridge")) == V{"not_installed toner"});
    for (const char* t :
         {"Tonerkassette fehlt", "Cartouche de toner manquante", "Falta cartucho de tóner",
          "Cartuccia toner mancante", "Cartucho de toner não instalado", "Tonercartridge ontbreekt",
          "Kaseta z tonerem nie zainstalowana", "Chybí tonerová kazeta", "토너 카트리지 미장착"}) {
        INFO(t);
        const auto claims = from_text(t);
        REQUIRE(claims.size() == 1);
        CHECK(claims.front().state == SupplyState::not_installed);
    }
    CHECK(brief(from_text("Imaging unit low")) == V{"low opc"});
    CHECK(brief(from_text("Imaging unit life warning")) == V{"low opc"});
    CHECK(brief(from_text("WT Box End Soon")) == V{"low waste"});
    CHECK(brief(from_text("Replace WT Box")) == V{"empty waste"});
    CHECK(status_from_text("Застревание в лотке 2").errors == V{"jammed"});
    CHECK(status_from_text("Добавьте бумагу в кассету 1").errors == V{"no_paper"});
    CHECK(brief(from_text("No Toner")) == V{"empty toner"});
    CHECK(brief(from_text("Kein Toner")) == V{"empty toner"});
    CHECK(brief(from_text("Срок службы фотобарабана истекает")) == V{"low opc"});
    CHECK(brief(from_text("Срок службы фотобарабана истёк")) == V{"empty opc"});
    // A part's service life is no service call; its end is near, or here.
    const auto near_end =
        status_from_text("Maintenance box is nearing the end of its service life");
    CHECK(near_end.errors.empty());
    CHECK(near_end.attention);
    CHECK(brief(from_text("Maintenance box is nearing the end of its service life")) ==
          V{"low waste_ink"});
    CHECK(brief(from_text("Maintenance box is at the end of its service life")) ==
          V{"empty waste_ink"});
    // An unaccented French panel's "PRET" (ready) names no colour.
    CHECK(color_named("PRET").empty());
}

TEST_CASE("\"order\" and \"needs replacing\" in the panel's languages; inflected colours",
          "[claims]") {
    // HP's "Order <supply>" is its low warning; "needs replacing" its empty one. German,
    // Russian and Ukrainian colours are adjectives that change their ending.
    const std::vector<std::pair<const char*, V>> cases = {
        {"Schwarze Patrone bestellen", {"low marking black"}},
        {"Gelbe Tonerkartusche ersetzen", {"empty toner yellow"}},
        {"Tintenpatrone schwarz fast leer", {"low ink black"}},
        {"Druckpatrone fehlt", {"not_installed marking"}},
        {"Commander cartouche noire", {"low marking black"}},
        {"Pedir cartucho negro", {"low marking black"}},
        {"Ordinare cartuccia nera", {"low marking black"}},
        {"Encomendar cartucho preto", {"low marking black"}},
        {"Zamów wkład czarny", {"low marking black"}},
        {"Objednejte černou kazetu", {"low marking black"}},
        {"Zwarte cartridge bestellen", {"low marking black"}},
        {"Закажите черный картридж", {"low marking black"}},
        {"Заказать картридж с черной краской", {"low marking black"}},
        {"Мало тонера в черном картридже", {"low toner black"}},
        {"Низький рівень чорної фарби в картриджі", {"low marking black"}},
        {"Ink cartridge needs replacing", {"empty ink"}},
        {"The black cartridge needs to be replaced", {"empty marking black"}},
        {"Toner cartridge must be replaced", {"empty toner"}},
        {"Toner running out", {"low toner"}},
        {"Cyan toner is running low", {"low toner cyan"}},
        {"Toner has run out", {"empty toner"}},
        // More "replace" and "near empty" forms panels use.
        {"Toner near empty", {"low toner"}},
        {"Необходимо заменить картридж", {"empty marking"}},
        {"Требуется замена фотобарабана", {"empty opc"}},
        {"Tonerkassette austauschen", {"empty toner"}},
        {"Trommel auswechseln", {"empty opc"}},
        {"Toner wechseln", {"empty toner"}},
        {"Remplacez la cartouche noire", {"empty marking black"}},
        {"Reemplace el cartucho de tóner", {"empty toner"}},
        {"Sustituya el cartucho negro", {"empty marking black"}},
        {"Картридж заменён", {}},
        {"Toner gewechselt", {}},
        {"Cartucho reemplazado", {}},
    };
    for (const auto& [t, want] : cases) {
        INFO(t);
        CHECK(brief(from_text(t)) == want);
    }
    CHECK(color_named("Schwarze Patrone") == "black");
    CHECK(color_named("Gelber Toner") == "yellow");
    CHECK(color_named("Картридж с черной краской") == "black");
    CHECK(color_named("Schwarzweiß-Seiten").empty());
    CHECK(kind_named("Tintenpatrone") == "ink");
    CHECK(kind_named("Druckpatrone") == "toner");
    // Not a state: a replacement done, an order placed, a part's name.
    for (const char* t : {"Toner replaced", "Replacement toner ordered", "Patrone OK",
                          "Bestellnummer CF259A", "Toner has been replaced"}) {
        INFO(t);
        CHECK(from_text(t).empty());
    }
}

TEST_CASE("text that names no supply state gives no claim", "[claims]") {
    for (const char* t : {"Ready",
                          "Sleep",
                          "Tray 1 Empty",
                          "Paper Jam",
                          "Output bin full",
                          "Toner OK",
                          "Low Power Mode",
                          "Yellow",
                          "Calibrating toner density",
                          "Лоток 1 пуст",
                          "Готов",
                          "Toner replaced",
                          "Output tray almost full",
                          "Cover open",
                          "",
                          "Printer timeout",
                          "Papier OK",
                          "Toner OK / Gotowy",
                          "Stap. kopieën:01",
                          "Drukowanie",
                          "Sem erros",
                          "Toner ersetzt",
                          "Toner installed",
                          "Тонер установлен",
                          "Installing update",
                          "Preparing",
                          "No errors"}) {
        INFO(t);
        CHECK(from_text(t).empty());
    }
}

TEST_CASE("a supply's colour named in the panel's languages", "[claims]") {
    CHECK(color_named("Black Toner Cartridge") == "black");
    CHECK(color_named("Toner Schwarz") == "black");
    CHECK(color_named("Тонер-картридж ЧЁРНЫЙ") == "black");
    CHECK(color_named("Черный тонер") == "black");
    CHECK(color_named("Toner (K)") == "black");
    CHECK(color_named("黑色碳粉") == "black");
    CHECK(color_named("黒トナー") == "black");
    CHECK(color_named("Тонер голубой") == "cyan");
    CHECK(color_named("Toner Cian") == "cyan");
    CHECK(color_named("Kartridż purpurowy") == "magenta");
    CHECK(color_named("Tonerkassette Gelb") == "yellow");
    CHECK(color_named("Cartouche jaune") == "yellow");
    CHECK(color_named("Light Cyan Ink") == "cyan");
    // None or several named: no colour.
    for (const char* t : {"Toner Cartridge", "Color Kit", "Drum Unit", "Blackout", "Cyanotype",
                          "Black and Cyan", "Чернила", "Tri-Color", "", "Resttonerbehälter"}) {
        INFO(t);
        CHECK(color_named(t).empty());
    }
}

TEST_CASE("a supply's kind named in the panel's languages", "[claims]") {
    CHECK(kind_named("Фотобарабан") == "opc");
    CHECK(kind_named("Drum Unit") == "opc");
    CHECK(kind_named("Тонер-картридж чёрный") == "toner");
    CHECK(kind_named("Картридж") == "toner");
    CHECK(kind_named("Чернила голубые") == "ink");
    CHECK(kind_named("Бункер отработанного тонера") == "waste_toner");
    CHECK(kind_named("废粉盒") == "waste_toner");
    CHECK(kind_named("Tusz czarny") == "ink");
    CHECK(kind_named("Блок проявителя") == "developer");
    CHECK(kind_named("Фьюзер") == "fuser");
    CHECK(kind_named("感光鼓") == "opc");
    // German compounds: the word starts them.
    CHECK(kind_named("Trommeleinheit") == "opc");
    CHECK(kind_named("Resttonerbehälter") == "waste_toner");
    CHECK(kind_named("Entwicklereinheit") == "developer");
    CHECK(kind_named("Fixiereinheit") == "fuser");
    CHECK(kind_named("Transferband") == "transfer_unit");
    // The units of a Russian, French, Spanish and Italian service menu.
    CHECK(kind_named("Узел закрепления") == "fuser");
    CHECK(kind_named("Лента переноса") == "transfer_unit");
    CHECK(kind_named("Блок проявки") == "developer");
    CHECK(kind_named("Courroie de transfert") == "transfer_unit");
    CHECK(kind_named("Révélateur noir") == "developer");
    CHECK(kind_named("Unidad fusora") == "fuser");
    CHECK(kind_named("Gruppo fusore") == "fuser");
    // Makers' own names for waste boxes, belts and drums, in several languages.
    CHECK(kind_named("Toner Collection Unit") == "waste_toner");
    CHECK(kind_named("Maintenance Box") == "waste_ink");
    CHECK(kind_named("Ink Collector Unit") == "waste_ink");
    CHECK(kind_named("Collecteur de toner usagé") == "waste_toner");
    CHECK(kind_named("Vaschetta recupero toner") == "waste_toner");
    CHECK(kind_named("Depósito de tóner residual") == "waste_toner");
    CHECK(kind_named("廢碳粉盒") == "waste_toner");
    CHECK(kind_named("폐토너 통") == "waste_toner");
    CHECK(kind_named("Belt Unit") == "transfer_unit");
    CHECK(kind_named("Transfer Roller") == "transfer_unit");
    CHECK(kind_named("Драм-картридж") == "opc");
    CHECK(kind_named("Блок формирования изображения") == "opc");
    CHECK(from_text("Maintenance box nearly full").front().family == "waste_ink");
    // Full in Spanish, French, Italian and Chinese (both scripts), for waste boxes.
    CHECK(brief(from_text("Depósito de tóner residual lleno")) == V{"empty waste_toner"});
    CHECK(brief(from_text("Collecteur de toner usagé plein")) == V{"empty waste_toner"});
    CHECK(brief(from_text("Vaschetta recupero toner piena")) == V{"empty waste_toner"});
    CHECK(brief(from_text("废粉盒满")) == V{"empty waste"});
    CHECK(brief(from_text("廢碳粉盒滿")) == V{"empty waste_toner"});
    CHECK(status_from_text("出纸盒满").errors == V{"output_full"});
    for (const char* t : {"Color Kit", "", "Лоток 1", "Staples"}) {
        INFO(t);
        CHECK(kind_named(t).empty());
    }
}

TEST_CASE("supplies named in the panel's languages get their colour; colorants too",
          "[claims][partial]") {
    const auto r = test::collect(partial("supplies-localized"));
    const auto& s = r.snapshot;
    CHECK(supply(s, "Тонер-картридж чёрный").color == "black");
    CHECK(supply(s, "Тонер-картридж ГОЛУБОЙ").color == "cyan");
    CHECK(supply(s, "Kartridż purpurowy").color == "magenta");
    CHECK(supply(s, "Tonerkassette Gelb").color == "yellow");
    CHECK(supply(s, "黑色碳粉 (K)").color == "black");
    // A colorant named in German is the process colour; RFC 3805's English names stay as given.
    CHECK(supply(s, "Фотобарабан").color == "black");
    // Typed other(1): the kind from the name.
    CHECK(supply(s, "Фотобарабан").type == "opc");
    CHECK(supply(s, "Бункер отработанного тонера").type == "waste_toner");
    CHECK(supply(s, "Бункер отработанного тонера").color.empty());
    CHECK(supply(s, "Color Kit").type == "other");
    CHECK(supply(s, "Imaging Unit").color == "light cyan");
    CHECK(supply(s, "Resttonerbehälter").color.empty());
    CHECK(supply(s, "Color Kit").color.empty());
}

TEST_CASE("alert codes of the markerSupplies group", "[claims]") {
    using supply_claims::from_alert_code;
    CHECK(from_alert_code(1104)->state == SupplyState::low);
    CHECK(from_alert_code(1104)->family == "toner");
    CHECK(from_alert_code(1101)->state == SupplyState::empty);
    CHECK(from_alert_code(1109)->family == "waste_toner");
    CHECK(from_alert_code(1112)->family == "opc");
    CHECK(from_alert_code(1115)->state == SupplyState::not_installed);
    CHECK_FALSE(from_alert_code(807).has_value());  // input tray low: not a marker supply
    CHECK_FALSE(from_alert_code(1).has_value());
}

TEST_CASE("applying claims: rows, colours, ambiguity, consistency", "[claims]") {
    std::vector<proto::Supply> s = {gauge("Black", "toner", "black", 80),
                                    gauge("Cyan", "toner", "cyan", 75),
                                    gauge("Drum", "opc", "", 60)};
    const std::vector<snmp::Oid> rows = {{1, 1}, {1, 2}};  // the drum is a private supply
    std::vector<std::string> notes;
    std::map<std::string, std::string> sources;
    const auto claim = [](SupplyState st, std::string family, std::string color = {}) {
        return Claim{st, std::move(family), std::move(color), std::nullopt, "test"};
    };
    // "Toner low" on a colour printer: which one is not said, nothing changes.
    supply_claims::apply(s, rows, {claim(SupplyState::low, "toner")}, 10, notes, sources);
    CHECK(s[0].state == SupplyState::ok);
    CHECK(s[1].state == SupplyState::ok);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("which is unknown") != std::string::npos);
    // The row wins over the family: row 1.2 is the cyan toner.
    Claim by_row = claim(SupplyState::low, "toner");
    by_row.row = snmp::Oid{1, 2};
    supply_claims::apply(s, rows, {by_row}, 10, notes, sources);
    CHECK(s[1].state == SupplyState::low);
    CHECK_FALSE(s[1].level_percent.has_value());  // 75 % contradicts "low"
    CHECK(s[1].level == 75);                      // the raw level stays
    CHECK(sources.at("supplies.Cyan.state") == "test");
    // Now explained: a second colourless "toner low" adds no note.
    notes.clear();
    supply_claims::apply(s, rows, {claim(SupplyState::low, "toner")}, 10, notes, sources);
    CHECK(notes.empty());
    // Colour named: the black toner only; a private drum by family.
    supply_claims::apply(
        s, rows, {claim(SupplyState::empty, "marking", "black"), claim(SupplyState::low, "opc")},
        10, notes, sources);
    CHECK(s[0].state == SupplyState::empty);
    CHECK(s[2].state == SupplyState::low);
    // Never lowered: an "empty" supply stays empty under a later "low" claim.
    supply_claims::apply(s, rows, {claim(SupplyState::low, "marking", "black")}, 10, notes,
                         sources);
    CHECK(s[0].state == SupplyState::empty);
    // A gauge that agrees (5 % and "low") keeps its percentage.
    std::vector<proto::Supply> mono = {gauge("Toner", "toner", "", 5)};
    mono[0].state = SupplyState::ok;  // a device whose threshold is lower than ours
    supply_claims::apply(mono, {{1, 1}}, {claim(SupplyState::low, "toner")}, 10, notes, sources);
    CHECK(mono[0].state == SupplyState::low);
    CHECK(mono[0].level_percent == 5);
    // Printers warn at their own mark (up to 25 %): 18 % agrees with "low", not with "empty".
    std::vector<proto::Supply> warned = {gauge("Toner", "toner", "", 18),
                                         gauge("Drum", "opc", "", 18)};
    supply_claims::apply(warned, {{1, 1}, {1, 2}},
                         {claim(SupplyState::low, "toner"), claim(SupplyState::empty, "opc")}, 10,
                         notes, sources);
    CHECK(warned[0].state == SupplyState::low);
    CHECK(warned[0].level_percent == 18);
    CHECK(warned[1].state == SupplyState::empty);
    CHECK_FALSE(warned[1].level_percent.has_value());
    std::vector<proto::Supply> stale = {gauge("Toner", "toner", "", 26)};
    supply_claims::apply(stale, {{1, 1}}, {claim(SupplyState::low, "toner")}, 10, notes, sources);
    CHECK_FALSE(stale[0].level_percent.has_value());
    // A colour of a kind the device lists, but not that colour: a note, nothing else.
    notes.clear();
    supply_claims::apply(mono, {{1, 1}}, {claim(SupplyState::low, "toner", "yellow")}, 10, notes,
                         sources);
    CHECK(mono.size() == 1);
    CHECK(notes.size() == 1);
    // A kind the device lists nothing of: listed from the printer's statement, no gauge.
    notes.clear();
    supply_claims::apply(mono, {{1, 1}}, {claim(SupplyState::empty, "developer")}, 10, notes,
                         sources);
    REQUIRE(mono.size() == 2);
    CHECK(mono[1].description == "Developer");
    CHECK(mono[1].type == "developer");
    CHECK(mono[1].state == SupplyState::empty);
    CHECK_FALSE(mono[1].level.has_value());
    CHECK_FALSE(mono[1].level_percent.has_value());
    CHECK(mono[1].source == "printer-statement");
    CHECK(sources.at("supplies.Developer") == "test");
    CHECK(notes.size() == 1);
    // A second claim of that kind finds it instead of adding another.
    supply_claims::apply(mono, {{1, 1}}, {claim(SupplyState::low, "developer")}, 10, notes,
                         sources);
    CHECK(mono.size() == 2);
    // Colours named on a device that lists no such kind: one supply per colour; a receptacle
    // for a waste toner box (which the later "waste full" then finds); nothing for a claim
    // that does not say toner or ink.
    std::vector<proto::Supply> none;
    notes.clear();
    supply_claims::apply(
        none, {},
        {claim(SupplyState::low, "toner", "cyan"), claim(SupplyState::low, "toner", "magenta"),
         claim(SupplyState::empty, "waste_toner"), claim(SupplyState::low, "marking", "black"),
         claim(SupplyState::empty, "waste")},
        10, notes, sources);
    REQUIRE(none.size() == 3);
    CHECK(none[0].description == "Cyan Toner");
    CHECK(none[0].color == "cyan");
    CHECK(none[1].description == "Magenta Toner");
    CHECK(none[2].description == "Waste Toner Box");
    CHECK(none[2].supply_class == proto::SupplyClass::receptacle);
    CHECK(notes.size() == 4);  // three listed, one that names no kind
}

TEST_CASE("lowToner and KOI8-R console text on a Kyocera declaring ASCII", "[claims][partial]") {
    const auto r = test::collect(partial("kyocera-koi8-low"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Kyocera");
    CHECK(s.identity.model == "ECOSYS M2040dn");
    CHECK(s.status.console == "Мало тонера / Готов");
    CHECK(s.status.errors == std::vector<std::string>{"low_toner"});
    REQUIRE(s.supplies.size() == 1);
    const auto& toner = s.supplies[0];
    CHECK(toner.description == "Тонер-картридж TK-1170");
    CHECK(toner.state == SupplyState::low);
    CHECK_FALSE(toner.level_percent.has_value());  // the gauge's 40 % is not reported
    CHECK(toner.level == 40);
    CHECK(has_note(r, "gauge at 40%"));
    CHECK(has_note(r, "text read as KOI8-R"));
    CHECK(provenance(r.sources.at("supplies.Тонер-картридж TK-1170.state")) == "standard");
}

TEST_CASE("colour Lexmark: the alert table names the low supplies", "[claims][partial]") {
    const auto r = test::collect(partial("lexmark-alerts"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Lexmark");
    CHECK(supply(s, "Cyan Cartridge").state == SupplyState::low);  // code 1104, row 2
    CHECK_FALSE(supply(s, "Cyan Cartridge").level_percent.has_value());
    CHECK(supply(s, "Magenta Cartridge").state == SupplyState::low);   // vendor code, text
    CHECK(supply(s, "Waste Toner Bottle").state == SupplyState::low);  // 1107, row 5
    CHECK(supply(s, "Waste Toner Bottle").supply_class == proto::SupplyClass::receptacle);
    CHECK(supply(s, "Black Cartridge").level_percent == 80);  // untouched
    CHECK(supply(s, "Black Cartridge").state == SupplyState::ok);
    CHECK(supply(s, "Yellow Cartridge").level_percent == 90);
    CHECK(r.sources.at("supplies.Cyan Cartridge.state").find("prtAlertCode 1104") !=
          std::string::npos);
    CHECK(r.sources.at("supplies.Magenta Cartridge.state").find("prtAlertDescription") !=
          std::string::npos);
    // lowToner is explained by the alerts: no "which is unknown" note; tray alert ignored.
    CHECK_FALSE(has_note(r, "which is unknown"));
    CHECK(s.status.alerts.size() == 4);
}

TEST_CASE("no Host Resources group: status and errors from the alert table",
          "[claims][partial][status]") {
    auto r = test::collect(partial("alerts-only"));
    const auto& st = r.snapshot.status;
    // In hrPrinterDetectedErrorState order; the vendor code and the cover event add nothing.
    CHECK(st.errors == std::vector<std::string>{"no_paper", "low_toner", "jammed"});
    CHECK(st.device == proto::DeviceStatus::down);  // the jam is critical
    CHECK(st.alerts.size() == 5);
    CHECK(r.sources.at("status.errors").find("prtAlertCode") != std::string::npos);
    CHECK(r.sources.at("status.device").find("prtAlertSeverityLevel") != std::string::npos);
    // Only events and power saving left: nothing wrong is said, and nothing is made up.
    r = test::collect(partial("alerts-events-only"));
    CHECK(r.snapshot.status.errors.empty());
    CHECK(r.snapshot.status.device == proto::DeviceStatus::unknown);
    CHECK(r.sources.count("status.errors") == 0);
    // With the Host Resources objects present they alone say it (lexmark-alerts' tray-low
    // alert is no low_paper; its error bits say low_toner and its device status warning).
    r = test::collect(partial("lexmark-alerts"));
    CHECK(r.snapshot.status.errors == std::vector<std::string>{"low_toner"});
    CHECK(r.snapshot.status.device == proto::DeviceStatus::warning);
    CHECK(r.sources.at("status.errors").find("25.3.5.1.2") != std::string::npos);
}

TEST_CASE("panel text: the device's conditions and a printer at rest, in several languages",
          "[claims][status]") {
    struct Case {
        const char* text;
        V errors;
        bool idle;
    };
    const std::vector<Case> cases = {
        {"Paper Jam Tray 1", {"jammed"}, false},
        {"13.12.00 JAM IN TRAY 2", {"jammed"}, false},
        {"Замятие бумаги / Лоток 1", {"jammed"}, false},
        {"Papierstau", {"jammed"}, false},
        {"Bourrage papier", {"jammed"}, false},
        {"Atasco de papel", {"jammed"}, false},
        {"Carta inceppata", {"jammed"}, false},
        {"卡纸", {"jammed"}, false},
        {"紙詰まり", {"jammed"}, false},
        {"Front Cover Open", {"door_open"}, false},
        {"Close Front Cover", {"door_open"}, false},
        {"Закройте переднюю крышку", {"door_open"}, false},
        {"Крышка открыта", {"door_open"}, false},
        {"Abdeckung offen", {"door_open"}, false},
        {"カバーが開いています", {"door_open"}, false},
        {"No Paper", {"no_paper"}, false},
        {"Load paper in Tray 2", {"no_paper"}, false},
        {"Нет бумаги", {"no_paper"}, false},
        {"Загрузите бумагу", {"no_paper"}, false},
        {"Добавьте бумагу в кассету 1.", {"no_paper"}, false},
        {"Add paper to Cassette 2", {"no_paper"}, false},
        {"PAPER OUT", {"no_paper"}, false},
        {"缺纸", {"no_paper"}, false},
        {"Paper Low", {"low_paper"}, false},
        {"Мало бумаги", {"low_paper"}, false},
        {"Toner Low", {"low_toner"}, false},
        {"Мало тонера", {"low_toner"}, false},
        {"Замените тонер", {"no_toner"}, false},
        {"Output Bin Full", {"output_full"}, false},
        {"Call Service 50.2", {"service_requested"}, false},
        {"Обратитесь в сервис", {"service_requested"}, false},
        {"Ready", {}, true},
        {"READY", {}, true},
        {"Спящий режим", {}, true},
        {"Режим сна", {}, true},
        {"Почти нет тонера", {"low_toner"}, false},
        {"Малая мощность", {}, true},
        {"Low Power", {}, true},
        {"Готов к печати", {}, true},
        {"Energiesparmodus", {}, true},
        {"就绪", {}, true},
        {"ブラックトナー残量少 / 印刷可能です", {"low_toner"}, true},
        {"Yellow toner low / Sleep", {"low_toner"}, true},
        {"Toner Low / Paper Jam", {"low_toner", "jammed"}, false},
        // Polish, Czech, Ukrainian, Turkish, Dutch, Portuguese panels.
        {"Zacięcie papieru", {"jammed"}, false},
        {"BRAK PAPIERU", {"no_paper"}, false},
        {"Otwarta pokrywa", {"door_open"}, false},
        {"Mało toneru (Y)", {"low_toner"}, false},
        {"TRYB UŚPIENIA", {}, true},
        {"Oczekiwanie", {}, true},
        {"Uvíznutý papír", {"jammed"}, false},
        {"Připraveno", {}, true},
        {"Зминання паперу", {"jammed"}, false},
        {"Немає паперу", {"no_paper"}, false},
        {"Відкрита кришка", {"door_open"}, false},
        {"Зверніться до сервісу", {"service_requested"}, false},
        {"Режим сну", {}, true},
        {"KAĞIT SIKIŞMASI", {"jammed"}, false},
        {"Kağıt yok", {"no_paper"}, false},
        {"KAPAK AÇIK", {"door_open"}, false},
        {"Uyku", {}, true},
        {"HAZIR", {}, true},
        {"Papier vastgelopen", {"jammed"}, false},
        {"Geen papier", {"no_paper"}, false},
        {"Klep open", {"door_open"}, false},
        {"Gereed", {}, true},
        {"Sem papel", {"no_paper"}, false},
        {"Tampa aberta", {"door_open"}, false},
        {"ENERGIESPAREN   \rTROMMEL ERSETZ.", {}, true},
        // Korean and Chinese in its traditional script (Taiwan, Hong Kong).
        {"용지 걸림", {"jammed"}, false},
        {"앞 커버 열림", {"door_open"}, false},
        {"앞 덮개를 닫으십시오", {"door_open"}, false},
        {"서비스 센터에 문의하십시오", {"service_requested"}, false},
        {"용지 없음", {"no_paper"}, false},
        {"절전 모드", {}, true},
        {"卡紙", {"jammed"}, false},
        {"前蓋開啟", {"door_open"}, false},
        {"紙匣1缺紙", {"no_paper"}, false},
        {"省電模式", {}, true},
        {"列印中", {}, true},
        {"Impresora lista", {}, true},
        {"Impressora pronta", {}, true},
        {"サービスコール SC542", {"service_requested"}, false},
        // Paper lacking, and the instruction to load it, in the words panels use.
        {"Papier fehlt", {"no_paper"}, false},
        {"Falta papel", {"no_paper"}, false},
        {"Manque de papier", {"no_paper"}, false},
        {"Caricare carta nel vassoio 2", {"no_paper"}, false},
        {"Carregue papel na bandeja 1", {"no_paper"}, false},
        {"Chybí papír", {"no_paper"}, false},
        {"Doplňte papír", {"no_paper"}, false},
        {"Papier ontbreekt", {"no_paper"}, false},
        {"Laad papier in lade 2", {"no_paper"}, false},
        {"Отсутствует бумага", {"no_paper"}, false},
        {"Відсутній папір", {"no_paper"}, false},
        {"Kağıt ekleyin", {"no_paper"}, false},
        {"请装纸", {"no_paper"}, false},
        {"请在纸盒1中装入纸张", {"no_paper"}, false},
        {"用紙を補給してください", {"no_paper"}, false},
        {"용지를 넣으십시오", {"no_paper"}, false},
        // A tray that is not there is no paper out; the paper itself is.
        {"Paper tray 2 not installed", {}, false},
        {"Лоток 2 не установлен", {}, false},
        // An output tray for paper, full: the output, not the paper.
        {"Output paper tray full", {"output_full"}, false},
        {"출력 용지함 가득 참", {"output_full"}, false},
        // Neither: a colour, a tray, a waste box (a supply, not the device), a refusal.
        {"Cyan", {}, false},
        {"Output tray", {}, false},
        {"Waste toner box full", {}, false},
        {"Печать невозможна", {}, false},
        {"", {}, false},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        const auto s = status_from_text(c.text);
        CHECK(s.errors == c.errors);
        CHECK(s.idle == c.idle);
    }
    // A drum, fuser or waste box at its end: no error code, but attention; toner has its codes.
    for (const char* t : {"Replace Drum", "ENERGIESPAREN   \rTROMMEL ERSETZ.",
                          "Waste toner box full", "Fuser end soon", "Wymień bęben"}) {
        INFO(t);
        CHECK(status_from_text(t).attention);
    }
    for (const char* t : {"Toner Low", "Ready", "Paper Jam", "Cyan", "", "Drum OK"}) {
        INFO(t);
        CHECK_FALSE(status_from_text(t).attention);
    }
}

TEST_CASE("no status objects at all: the covers and the panel's text say how the device stands",
          "[claims][partial][status]") {
    // The Brother laser answering only its private MIB has its panel text there.
    const snmp::Oid panel = *snmp::parse_oid("1.3.6.1.4.1.2435.2.3.9.4.2.1.5.4.5.2.0");
    auto view = partial("brother-private");
    view[panel] = {snmp::ValueType::octets, 0, "Paper Jam Tray 1", {}};
    auto r = test::collect(view);
    CHECK(r.snapshot.status.console == "Paper Jam Tray 1");
    CHECK(r.snapshot.status.device == proto::DeviceStatus::down);
    CHECK(r.snapshot.status.errors == V{"jammed"});
    CHECK(provenance(r.sources.at("status.device")) == "derived");
    CHECK(provenance(r.sources.at("status.errors")) == "derived");

    view[panel] = {snmp::ValueType::octets, 0, "Toner Low", {}};
    r = test::collect(view);
    CHECK(r.snapshot.status.device == proto::DeviceStatus::warning);
    CHECK(r.snapshot.status.errors == V{"low_toner"});

    view[panel] = {snmp::ValueType::octets, 0, "Sleep", {}};
    r = test::collect(view);
    CHECK(r.snapshot.status.device == proto::DeviceStatus::running);
    CHECK(r.snapshot.status.errors.empty());

    // Text that says neither leaves it unknown: nothing is made up.
    view[panel] = {snmp::ValueType::octets, 0, "Menu 3.2", {}};
    r = test::collect(view);
    CHECK(r.snapshot.status.device == proto::DeviceStatus::unknown);
    CHECK(r.sources.count("status.device") == 0);

    // The cover table: a closed cover says nothing either; an open one (coverOpen 3) stops it.
    const snmp::Oid cover_descr = *snmp::parse_oid("1.3.6.1.2.1.43.6.1.1.2.1.1");
    const snmp::Oid cover_status = *snmp::parse_oid("1.3.6.1.2.1.43.6.1.1.3.1.1");
    auto covered = view;
    covered[cover_descr] = {snmp::ValueType::octets, 0, "Front Cover", {}};
    covered[cover_status] = {snmp::ValueType::integer, 4, "", {}};  // coverClosed
    r = test::collect(covered);
    CHECK(r.snapshot.status.device == proto::DeviceStatus::unknown);
    covered[cover_status] = {snmp::ValueType::integer, 3, "", {}};  // coverOpen
    r = test::collect(covered);
    CHECK(r.snapshot.status.device == proto::DeviceStatus::down);
    CHECK(r.snapshot.status.errors == V{"door_open"});
    CHECK(r.sources.at("status.device") == "derived: prtCoverStatus");
    // With the panel's text too, both are named, in the usual order.
    covered[panel] = {snmp::ValueType::octets, 0, "Toner Low", {}};
    r = test::collect(covered);
    CHECK(r.snapshot.status.errors == V{"low_toner", "door_open"});
    CHECK(r.sources.at("status.errors") ==
          "derived: prtCoverStatus, the panel's text (status.console)");

    // Any other source of the status, when present, alone decides.
    view[panel] = {snmp::ValueType::octets, 0, "Paper Jam Tray 1", {}};
    view[*snmp::parse_oid("1.3.6.1.2.1.25.3.2.1.5.1")] = {snmp::ValueType::integer, 2, "", {}};
    r = test::collect(view);
    CHECK(r.snapshot.status.device == proto::DeviceStatus::running);
    CHECK(r.snapshot.status.errors.empty());
}

TEST_CASE("Pantum: GBK console says toner is low, undeclared", "[claims][partial][charset]") {
    const auto r = test::collect(partial("pantum-gbk"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Pantum");
    CHECK(s.status.console == "碳粉不足");
    REQUIRE(s.supplies.size() == 1);
    CHECK(s.supplies[0].description == "黑色碳粉盒");
    CHECK(s.supplies[0].color == "black");  // 黑色: the name says black, in Chinese
    CHECK(s.supplies[0].state == SupplyState::low);
    CHECK_FALSE(s.supplies[0].level_percent.has_value());
}

TEST_CASE("Ricoh declaring Shift_JIS: the console names the black toner",
          "[claims][partial][charset]") {
    const auto r = test::collect(partial("ricoh-sjis"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Ricoh");
    CHECK(s.status.console == "ブラックトナー残量少 / 印刷可能です");
    CHECK(supply(s, "Black Toner").state == SupplyState::low);  // was only "some remaining"
    CHECK(supply(s, "Cyan Toner").state == SupplyState::ok);
    CHECK(supply(s, "Cyan Toner").level_percent == 80);
    CHECK(has_note(r, "text read as Shift-JIS (declared by the device)"));
}

TEST_CASE("Ricoh engine toner table fills a Printer-MIB that says only 'some remaining'",
          "[claims][partial]") {
    const auto r = test::collect(partial("ricoh-toner-table"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Savin");
    REQUIRE(s.supplies.size() == 4);  // the Printer-MIB's four rows, nothing added
    CHECK(supply(s, "Black Toner").level_percent == 30);
    CHECK(supply(s, "Black Toner").state == SupplyState::ok);
    CHECK(supply(s, "Cyan Toner").level_percent == 20);
    // -100: Ricoh's "almost empty", a state without a number.
    CHECK_FALSE(supply(s, "Magenta Toner").level_percent.has_value());
    CHECK(supply(s, "Magenta Toner").state == SupplyState::low);
    CHECK(supply(s, "Yellow Toner").state == SupplyState::some_remaining);
    CHECK(r.sources.at("supplies.Black Toner").find("367.3.2.1.2.24.1.1.5.1") != std::string::npos);
    CHECK(has_note(r, "Waste Toner is not read"));
    CHECK(has_note(r, "150 is no level of Red Toner"));
    CHECK(has_note(r, "a supply row without a name"));
    // A real percentage in the Printer-MIB stands over the table's.
    auto view = partial("ricoh-toner-table");
    view[*snmp::parse_oid("1.3.6.1.2.1.43.11.1.1.8.1.1")] = {snmp::ValueType::integer, 100, "", {}};
    view[*snmp::parse_oid("1.3.6.1.2.1.43.11.1.1.9.1.1")] = {snmp::ValueType::integer, 55, "", {}};
    CHECK(supply(test::collect(view).snapshot, "Black Toner").level_percent == 55);
    // An agent with no Printer-MIB supplies: the table's rows are the supplies.
    const auto mono = test::collect(partial("ricoh-toner-only"));
    REQUIRE(mono.snapshot.supplies.size() == 1);
    CHECK(mono.snapshot.supplies[0].description == "Toner");  // named in column 3
    CHECK(mono.snapshot.supplies[0].type == "toner");
    CHECK(mono.snapshot.supplies[0].level_percent == 45);
}

TEST_CASE("UTF-16 and hex-encoded text from an unknown maker's agent",
          "[claims][partial][charset]") {
    const auto r = test::collect(partial("utf16-hex"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Acme Imaging");
    CHECK(s.identity.model == "AP-9 Laser");  // hrDeviceDescr, UTF-16LE with a BOM
    CHECK(s.status.console == "Toner Low");   // UTF-16LE without a BOM
    REQUIRE(s.supplies.size() == 1);
    CHECK(s.supplies[0].description == "Toner Cartridge AP-90");  // "0x546F..."
    CHECK(s.supplies[0].state == SupplyState::low);
    REQUIRE(s.status.alerts.size() == 1);
    CHECK(s.status.alerts[0].description == "Toner low");  // UTF-16 with a BOM
    CHECK(has_note(r, "hex-encoded text"));
    CHECK(has_note(r, "UTF-16"));
}

TEST_CASE("a panel word support adds in the profiles directory is read without a build",
          "[claims]") {
    // A Finnish panel (no built-in Finnish): "Väriaine vähissä" (toner low), "Paperitukos"
    // (paper jam). Unknown words say nothing; a words file beside the profiles teaches them.
    const auto dir =
        std::filesystem::temp_directory_path() / ("printmon-words-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        std::ofstream f(dir / "words-fi.toml");
        f << "[words]\nlow = [\"vähissä\"]\njam = [\"*tukos\"]\n"
             "[words.supply]\ntoner = [\"väriaine*\"]\n[words.color]\ncyan = [\"syaani*\"]\n";
    }
    const auto taught = ProfileSet::with_overrides(dir);
    std::filesystem::remove_all(dir);
    const std::string panel = "Syaani väriaine vähissä / Paperitukos";
    CHECK(from_text(panel).empty());
    CHECK(status_from_text(panel).errors.empty());
    CHECK(brief(supply_claims::from_text(taught.words(), panel)) == V{"low toner cyan"});
    CHECK(supply_claims::status_from_text(taught.words(), panel).errors ==
          V{"low_toner", "jammed"});  // in proto::error_codes() order
    // The built-in words are still there beside the new ones.
    CHECK(brief(supply_claims::from_text(taught.words(), "Мало тонера")) == V{"low toner"});
}

TEST_CASE("a words.toml in the profiles directory replaces the built-in words", "[claims]") {
    auto set = test::builtin_profiles();
    set.load_text("words.toml",
                  "[words]\nlow = [\"vähissä\"]\n[words.supply]\ntoner = [\"väriaine*\"]\n");
    CHECK(brief(supply_claims::from_text(set.words(), "Väriaine vähissä")) == V{"low toner"});
    CHECK(supply_claims::from_text(set.words(), "Toner low").empty());
}
