// Vendor identification from evidence of different strength, every profile pair, devices
// identified without the system group, and Brother's private blocks (tests/data/snmprec/partial,
// written by its generate.py from public descriptions of the formats).
#include <algorithm>

#include <catch2/catch.hpp>

#include "collector_support.hpp"
#include "polling/identify.hpp"
#include "polling/vendor_blocks.hpp"

using namespace printmon;
using namespace printmon::scanner;
using proto::SupplyState;
using snmp::MibView;
using snmp::Oid;
using snmp::Value;
using snmp::ValueType;
using test::put_int;

namespace {

const char* const kSysDescr = "1.3.6.1.2.1.1.1.0";
const char* const kSysObjectId = "1.3.6.1.2.1.1.2.0";
const char* const kHrDescr1 = "1.3.6.1.2.1.25.3.2.1.3.1";
const char* const kPpmDeviceId = "1.3.6.1.4.1.2699.1.2.1.2.1.1.3.1";

Oid O(const std::string& s) { return *snmp::parse_oid(s); }

void put_text(MibView& v, const std::string& oid, const std::string& text) {
    v[O(oid)] = Value{ValueType::octets, 0, text, {}};
}

void put_oid(MibView& v, const std::string& oid, const std::string& value) {
    v[O(oid)] = Value{ValueType::object_id, 0, "", O(value)};
}

/// A Printer-MIB black toner (supply row 1, colorant 1) at `percent` of 100.
void put_black_toner(MibView& v, const std::string& description, std::int64_t percent) {
    const std::string sup = "1.3.6.1.2.1.43.11.1.1";
    put_int(v, sup + ".3.1.1", 1);
    put_int(v, sup + ".4.1.1", 3);
    put_int(v, sup + ".5.1.1", 3);
    put_text(v, sup + ".6.1.1", description);
    put_int(v, sup + ".8.1.1", 100);
    put_int(v, sup + ".9.1.1", percent);
    put_text(v, "1.3.6.1.2.1.43.12.1.1.4.1.1", "black");
}

std::string enterprise_oid(std::uint32_t pen) {
    return "1.3.6.1.4.1." + std::to_string(pen) + ".1.1";
}

/// Vendors that are one family for the test: a brand whose profile is another brand's
/// (UTAX on Kyocera) may name a device of that family.
std::string family(const Brand& b) { return b.profile.empty() ? b.vendor : b.profile; }

MibView partial(const std::string& name) {
    auto view =
        snmp::read_snmprec_file(std::string(PRINTMON_PARTIAL_DATA) + "/" + name + ".snmprec");
    if (!view) throw std::runtime_error(name + ": " + view.error().message);
    return *view;
}

const proto::Supply* supply_named(const proto::DeviceSnapshot& s, const std::string& d) {
    for (const auto& x : s.supplies) {
        if (x.description == d) return &x;
    }
    return nullptr;
}

bool has_note(const CollectResult& r, const std::string& part) {
    return std::any_of(r.notes.begin(), r.notes.end(),
                       [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("brand patterns claim whole words at the start, never another vendor's text",
          "[identity]") {
    const auto set = ProfileSet::embedded();
    for (const auto& b : set.brands()) {
        if (!b.pattern) continue;
        INFO(b.vendor << " pattern " << b.pattern_text);
        // Its own name, as a sysDescr and as a 1284 MFG value.
        const Brand* self = set.brand_for_text(b.vendor + " X-100 series");
        REQUIRE(self != nullptr);
        CHECK(self->vendor == b.vendor);
        // The name glued inside or after another word is not the brand ("HP" in "SHP").
        const std::string first = b.vendor.substr(0, b.vendor.find(' '));
        CHECK_FALSE(std::regex_search("Q" + b.vendor + " 100", *b.pattern));
        CHECK_FALSE(std::regex_search(first + "q 100", *b.pattern));
        CHECK_FALSE(std::regex_search("Model 100 by " + b.vendor, *b.pattern));
        for (const auto& other : set.brands()) {
            if (other.vendor == b.vendor) continue;
            INFO("other brand " << other.vendor);
            CHECK_FALSE(std::regex_search(other.vendor + " X-100 series", *b.pattern));
        }
    }
}

TEST_CASE("product-line names name their maker and stay in the model", "[identity]") {
    const auto set = ProfileSet::embedded();
    std::size_t with_products = 0;
    for (const auto& b : set.brands()) {
        if (!b.products) continue;
        ++with_products;
        INFO(b.vendor << " products " << b.products_text);
        // No product pattern claims another maker's own name, or a word inside another word.
        for (const auto& other : set.brands()) {
            if (other.vendor == b.vendor) continue;
            CHECK_FALSE(std::regex_search(other.vendor + " X-100 series", *b.products));
        }
    }
    CHECK(with_products >= 8);
    struct Case {
        const char* descr;
        const char* vendor;
        const char* model;
        const char* firmware;
    };
    // sysDescr shapes of agents that name only the printer (FusionInventory's public sysDescr
    // dictionary): the maker from its product line, the model whole (never stripped).
    for (const auto& c : {
             Case{"Deskjet 6940 series", "HP", "Deskjet 6940", ""},
             Case{"HP LaserJet P2015 Series", "HP", "LaserJet P2015", ""},
             Case{"hp color LaserJet 5550 ", "HP", "color LaserJet 5550", ""},
             Case{"DesignJet 500PS+HPGL2 (C7770C)", "HP", "DesignJet 500PS+HPGL2 (C7770C)", ""},
             Case{"HL-5270DN series", "Brother", "HL-5270DN", ""},
             Case{"FS-C5200DN", "Kyocera", "FS-C5200DN", ""},
             Case{"RICOH Aficio MP C3500 1.62 / RICOH Network Printer C model / RICOH Network "
                  "Scanner C model",
                  "Ricoh", "Aficio MP C3500", "1.62"},
             Case{"NRG SP C410DN 1.07 / NRG Network Printer C model", "NRG", "SP C410DN", "1.07"},
             Case{"EPSON AL-C2000 01.00", "Epson", "AL-C2000", ""},
             Case{"Canon Inc., LBP-1760 Printer", "Canon", "LBP-1760 Printer", ""},
             Case{"Dell Laser Printer 5100cn (Net 6.26, Controller 200408201123)", "Dell",
                  "Laser Printer 5100cn", ""},
             Case{"Xerox Phaser 7300 DX v(2.08/15.52.08.29.2002/0.1.22/4.68) Printer 384MB",
                  "Xerox", "Phaser 7300 DX", ""},
             Case{"OKI OkiLAN 3100e Rev.n252v144 10/100BASE Ethernet Print Server: Attached to "
                  "OKIPAGE 14i Rev.01.07: (C)2000 Oki UK Limited",
                  "OKI", "OKIPAGE 14i", "01.07"},
             Case{"Xerox WorkCentre 5632 v1 Multifunction System; System Software "
                  "025.054.055.00060, ESS 061.060.03400",
                  "Xerox", "WorkCentre 5632 v1", "025.054.055.00060"},
             Case{"Xerox AltaLink C8045; SS 100.002.057.09608, NC 100.002.09608", "Xerox",
                  "AltaLink C8045", "100.002.057.09608"},
             Case{"Xerox WorkCentre 7125;System 71.21.21,ESS1.210.4,IOT 5.12.0", "Xerox",
                  "WorkCentre 7125", "71.21.21"},
             Case{"Xerox Phaser 6250DP;PS 4.8.0,Net 18.02.08.01.2003,Eng 1.1.2,OS 4.82;SN "
                  "PWH564519",
                  "Xerox", "Phaser 6250DP", ""},
             Case{"Xerox DocuPrint N2125 Network Laser Printer - 2.12-02", "Xerox",
                  "DocuPrint N2125", ""},
             // A print server's text names no model.
             Case{"HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD149", "HP", "", ""},
             Case{"DELL NETWORK PRINTER,ROM A.03.15,JETDIRECT,JD24,EEPROM A.05.05", "Dell", "", ""},
             Case{"EPSON Built-in 10Base-T/100Base-TX Print Server", "Epson", "", ""},
             Case{"Brother NC-6400h, Firmware Ver.1.15  (07.01.23),MID 8C5-B43,FID 2", "Brother",
                  "", ""},
         }) {
        INFO(c.descr);
        MibView v;
        put_text(v, kSysDescr, c.descr);
        const auto id = test::collect(v).snapshot.identity;
        CHECK(id.vendor == c.vendor);
        CHECK(id.model == c.model);
        CHECK(id.firmware == c.firmware);
        if (std::string(c.descr).find(";SN PWH564519") != std::string::npos) {
            CHECK(id.serial == "PWH564519");
        }
    }
    // hrDeviceDescr written like a sysDescr: its first clause is the model.
    for (const auto& [hr, model] : std::vector<std::pair<std::string, std::string>>{
             {"Xerox Phaser 6250DP;PS 4.8.0,Net 18.02.08.01.2003,Eng 1.1.2", "Phaser 6250DP"},
             {"Canon LBP5360 /P", "LBP5360"},
             {"HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD149", ""}}) {
        INFO(hr);
        MibView v;
        put_text(v, kSysDescr, "Print Server");
        put_oid(v, "1.3.6.1.2.1.25.3.2.1.2.1", "1.3.6.1.2.1.25.3.1.5");
        put_text(v, kHrDescr1, hr);
        CHECK(test::collect(v).snapshot.identity.model == model);
    }
    // Product lines named alone, in sysDescr or in hrDeviceDescr (a partial agent's only
    // identity): the maker from the line, as its nameplates name them.
    const std::vector<std::pair<std::string, std::string>> lines = {
        {"SCX-4623F Series", "Samsung"},
        {"CLP-365", "Samsung"},
        {"Xpress M2070 Series", "Samsung"},
        {"ColorQube 8580", "Xerox"},
        {"SureColor SC-P800", "Epson"},
        {"DocuCentre-V C2263", "Fuji Xerox"},
        {"ApeosPort-VI C3371", "Fuji Xerox"},
        {"Apeos C7580", "FUJIFILM"},
        {"ApeosPrint C5570", "FUJIFILM"},
        {"magicolor 1690MF", "Konica Minolta"},
        {"AcuLaser C1100", "Epson"},
        {"OKIPAGE 14i", "OKI"},
        {"MICROLINE 3320", "OKI"},
        {"MX-2640N", "Sharp"},
        {"AR-M207", "Sharp"},
        {"ENVY 5540 series", "HP"},
        {"MF series printer", "Canon"},
        {"ineo+ 258", "Develop"},
        {"d-Color MF3301", "Olivetti"},
        {"d-Copia 3500MF", "Olivetti"},
        {"BP-50C26", "Sharp"},
        {"SL-M2070 Series", "Samsung"},
    };
    for (const auto& [text, vendor] : lines) {
        INFO(text);
        MibView by_descr;
        put_text(by_descr, kSysDescr, text);
        const auto a = test::collect(by_descr).snapshot.identity;
        CHECK(a.vendor == vendor);
        CHECK_FALSE(a.model.empty());
        MibView by_hr;
        put_oid(by_hr, "1.3.6.1.2.1.25.3.2.1.2.1", "1.3.6.1.2.1.25.3.1.5");
        put_text(by_hr, kHrDescr1, text);
        CHECK(test::collect(by_hr).snapshot.identity.vendor == vendor);
    }
    // Near misses name nobody: a Lexmark model (no hyphen), words that only begin alike.
    for (const char* text :
         {"MX711de", "Apeosis 5", "Envyous 3", "ARM-200", "MLX-1", "BP-5", "SL-100", "Ineos 2"}) {
        INFO(text);
        MibView v;
        put_text(v, kSysDescr, text);
        CHECK(test::collect(v).snapshot.identity.vendor.empty());
    }
}

TEST_CASE("every profile pair: each one's evidence names its own vendor, the stronger wins",
          "[identity]") {
    const auto set = ProfileSet::embedded();
    std::vector<const Brand*> makers;  // brands owning an enterprise number
    for (const auto& b : set.brands()) {
        if (!b.enterprises.empty()) makers.push_back(&b);
    }
    REQUIRE(makers.size() >= 17);
    for (const Brand* a : makers) {
        INFO("A = " << a->vendor);
        // A's evidence alone, of each kind, names A.
        MibView ent;
        put_oid(ent, kSysObjectId, enterprise_oid(a->enterprises.front()));
        auto id = identify(ent, set);
        CHECK(id.vendor == a->vendor);
        if (!a->profile.empty()) {
            REQUIRE(id.profile != nullptr);
            CHECK(id.profile->id == a->profile);
        }
        MibView mfg;
        put_text(mfg, kPpmDeviceId, "MFG:" + a->vendor + ";MDL:X-100;CLS:PRINTER;");
        CHECK(identify(mfg, set).vendor == a->vendor);

        for (const Brand* b : makers) {
            if (b == a || family(*a) == family(*b)) continue;
            INFO("B = " << b->vendor);
            // sysDescr naming B on A's sysObjectID: the nameplate (B) beats the agent's maker.
            MibView v = ent;
            put_text(v, kSysDescr, b->vendor + " X-100");
            id = identify(v, set);
            CHECK(id.vendor == b->vendor);
            CHECK_FALSE(id.conflicts.empty());  // the disagreement is reported
            // The printer's own 1284 MFG (A) beats a print server's sysDescr (B).
            put_text(v, kPpmDeviceId, "MFG:" + a->vendor + ";MDL:X-100;");
            CHECK(identify(v, set).vendor == a->vendor);
            // hrDeviceDescr naming B beats A's enterprise number, loses to A's sysDescr.
            MibView h = ent;
            put_text(h, kHrDescr1, b->vendor + " X-100");
            CHECK(identify(h, set).vendor == b->vendor);
            put_text(h, kSysDescr, a->vendor + " Printing System");
            CHECK(identify(h, set).vendor == a->vendor);
        }
    }
}

TEST_CASE("every profile's own model object, answered alone, names vendor and model",
          "[identity][partial]") {
    // A partial agent with no system group, no Host Resources and no Printer-MIB, answering
    // only one of a vendor's private model objects: the issue's "a device whose private MIB
    // names it is never reported without vendor and model", for every such object of every
    // profile (the objects a profile borrows from another maker's subtree name that maker).
    const auto set = ProfileSet::embedded();
    std::size_t checked = 0;
    for (const auto& p : set.profiles()) {
        for (const auto& src : p.model) {
            if (src.field != ValueSource::Field::oid) continue;
            const std::string oid = snmp::to_string(src.oid);
            if (oid.rfind("1.3.6.1.4.1.", 0) != 0 || oid.rfind("1.3.6.1.4.1.2699.", 0) == 0) {
                continue;  // standard objects (PWG's included) name no maker by their place
            }
            const auto pen = src.oid[6];
            const auto owner =
                std::find_if(set.brands().begin(), set.brands().end(), [&](const Brand& b) {
                    return std::find(b.enterprises.begin(), b.enterprises.end(), pen) !=
                           b.enterprises.end();
                });
            // A print server's subtree (ESI's 683 in front of a Zebra) is no printer maker's.
            if (owner == set.brands().end()) continue;
            INFO(p.id << " " << oid);
            const std::string text = src.format.rfind("ieee1284:", 0) == 0
                                         ? "CMD:PCL;MDL:" + owner->vendor + " Q-7702dn;CLS:PRINTER;"
                                         : owner->vendor + " Q-7702dn";
            MibView v;
            put_text(v, oid, text);
            const auto r = test::collect(v);
            CHECK(r.snapshot.identity.vendor == owner->vendor);
            CHECK(r.snapshot.identity.model.find("Q-7702dn") != std::string::npos);
            ++checked;
        }
    }
    CHECK(checked >= 20);
}

TEST_CASE("every profile's own firmware object, answered alone, names its maker",
          "[identity][partial]") {
    // A version number names no maker, but answered inside a maker's subtree it is that
    // maker's MIB: a Sharp agent without its system group (an ablation of the corpus's
    // MX-3570N) answered only its counters and its firmware "1.04", and had no vendor.
    const auto set = ProfileSet::embedded();
    std::size_t checked = 0;
    for (const auto& p : set.profiles()) {
        for (const auto& src : p.firmware) {
            if (src.field != ValueSource::Field::oid || !src.format.empty() || src.regex ||
                !src.prefix.empty()) {
                continue;
            }
            const std::string oid = snmp::to_string(src.oid);
            if (oid.rfind("1.3.6.1.4.1.", 0) != 0 || oid.rfind("1.3.6.1.4.1.2699.", 0) == 0) {
                continue;
            }
            // The makers whose subtree it is and whose profile reads it.
            std::vector<std::string> makers;
            for (const auto& b : set.brands()) {
                if (b.profile == p.id && std::find(b.enterprises.begin(), b.enterprises.end(),
                                                   src.oid[6]) != b.enterprises.end()) {
                    makers.push_back(b.vendor);
                }
            }
            if (makers.empty()) continue;  // another maker's object the profile borrows
            INFO(p.id << " " << oid);
            MibView v;
            put_text(v, oid, "2.03");
            const auto r = test::collect(v);
            CHECK(std::find(makers.begin(), makers.end(), r.snapshot.identity.vendor) !=
                  makers.end());
            CHECK(r.snapshot.identity.firmware == "2.03");
            // A placeholder in its place is no evidence.
            MibView junk;
            put_text(junk, oid, "n/a");
            CHECK(test::collect(junk).snapshot.identity.vendor.empty());
            ++checked;
        }
    }
    CHECK(checked >= 10);

    // The Sharp of the ablation, in our own recording: no system group, no Host Resources
    // text, an empty model object; its firmware names Sharp and its counter table is read.
    auto sharp = partial("sharp-counters");
    for (const char* oid : {"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.25.3.2.1.3.1"}) {
        sharp.erase(O(oid));
    }
    put_text(sharp, "1.3.6.1.4.1.2385.2.1.3.2.1.4.13501.1302.1", "");
    const auto r = test::collect(sharp);
    CHECK(r.snapshot.identity.vendor == "Sharp");
    CHECK(r.snapshot.identity.firmware == "2.03");
    CHECK(r.snapshot.counters.at("print_total") == 40000);
    CHECK(r.sources.at("identity.vendor").find("1.3.6.1.4.1.2385.2.1.1.2.1.2.1") !=
          std::string::npos);
}

TEST_CASE("an unknown 1284 manufacturer is still a vendor; placeholders are not", "[identity]") {
    const auto set = ProfileSet::embedded();
    MibView v;
    put_text(v, kPpmDeviceId, "MFG:Acme Imaging;MDL:AP-9;");
    CHECK(identify(v, set).vendor == "Acme Imaging");
    put_text(v, kPpmDeviceId, "MFG:Generic;MDL:28C-1;");
    CHECK(identify(v, set).vendor.empty());
    put_text(v, kPpmDeviceId, "not a device id");
    CHECK(identify(v, set).vendor.empty());
}

TEST_CASE("makers without a profile are named by their brand, never left without a vendor",
          "[identity]") {
    const auto set = ProfileSet::embedded();
    for (const auto& [text, vendor] :
         std::vector<std::pair<std::string, std::string>>{{"RISO ComColor FW5230", "RISO"},
                                                          {"KATUSHA M247", "Katusha"},
                                                          {"Lenovo LJ2405D", "Lenovo"},
                                                          {"Panasonic KX-MB2000", "Panasonic"},
                                                          {"MURATEC MFX-2530", "Muratec"}}) {
        INFO(text);
        MibView v;
        put_text(v, kSysDescr, text);
        CHECK(identify(v, set).vendor == vendor);
        MibView h;  // the printer's hrDeviceDescr alone (a generic print server in front)
        put_text(h, kSysDescr, "Network Printer");
        put_text(h, kHrDescr1, text);
        CHECK(identify(h, set).vendor == vendor);
    }
    // A brand word inside another word or later in the text names nobody.
    MibView v;
    put_text(v, kSysDescr, "Printer Risograph-compatible");
    CHECK(identify(v, set).vendor.empty());
}

TEST_CASE("a 1284 device ID in HP's JetDirect subtree names its own maker, not HP",
          "[identity][partial]") {
    // OKI, Kyocera and others answer HP's 11.2.3.9.1.1.7.0 with their own device ID; an agent
    // that gives nothing else (no system group) is still the ID's maker, never HP.
    const auto set = ProfileSet::embedded();
    const std::string hp_id = "1.3.6.1.4.1.11.2.3.9.1.1.7.0";
    MibView v;
    put_text(v, hp_id,
             "MANUFACTURE:OKI UK LTD;COMMAND SET:PCL,XPS,POSTSCRIPT;MODEL:MC873;CLASS:PRINTER;");
    auto id = identify(v, set);
    CHECK(id.vendor == "OKI");  // OKI's own key spelling
    put_text(v, hp_id, "MFG:KYOCERA;CMD:PCLXL,PostScript;MDL:ECOSYS M2540dn;CLS:PRINTER;");
    CHECK(identify(v, set).vendor == "Kyocera");
    // No maker key at all: the subtree is no evidence; a model that starts with a brand is.
    put_text(v, hp_id, "CMD:PCL,PJL;MDL:MC873;CLS:PRINTER;");
    id = identify(v, set);
    CHECK(id.vendor.empty());
    put_text(v, hp_id, "CMD:PCL,PJL;MDL:HP LaserJet 400 M401dn;CLS:PRINTER;");
    id = identify(v, set);
    CHECK(id.vendor == "HP");
    REQUIRE_FALSE(id.evidence.empty());
    CHECK(id.evidence.front().kind == VendorEvidence::Kind::ieee1284_mdl);
    // Through the whole collector: vendor from the ID's key, model from the ID, OKI's MIB.
    const auto r = test::collect(partial("oki-hp-device-id"));
    CHECK(r.snapshot.identity.vendor == "OKI");
    CHECK(r.snapshot.identity.model == "MC873");
    CHECK(r.sources.at("identity.vendor").find("MFG") != std::string::npos);
    CHECK(r.sources.at("profile").find("oki") != std::string::npos);
    CHECK(r.snapshot.counters.at("total") == 73410);
}

TEST_CASE("a printer that is not hrDevice row 1: its Printer-MIB row is read",
          "[identity][partial]") {
    const auto view = partial("printer-row-3");
    const auto r = test::collect(view);
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Lexmark");
    CHECK(s.identity.model == "MS421dn");
    CHECK(s.identity.serial == "46100AB12C34");
    CHECK(r.sources.at("identity.serial") == "1.3.6.1.2.1.43.5.1.1.17.3");
    CHECK(s.counters.at("total") == 18230);
    CHECK(s.counters.at("since_power_on") == 412);
    CHECK(r.sources.at("counters.total") == "1.3.6.1.2.1.43.10.2.1.4.3.1");
    CHECK(s.status.console == "Ready");
    CHECK(s.status.device == proto::DeviceStatus::running);
    // Phase 2 asked row 1; the walk of hrDeviceTable says row 3, so phase 3 asks it there.
    const auto plan = completion_plan(MibView{}, view, ProfileSet::embedded());
    const auto asks = [&](const std::string& oid) {
        return std::find(plan.scalars.begin(), plan.scalars.end(), O(oid)) != plan.scalars.end();
    };
    CHECK(asks("1.3.6.1.2.1.43.10.2.1.4.3.1"));
    CHECK(asks("1.3.6.1.2.1.43.5.1.1.17.3"));
    CHECK(asks("1.3.6.1.2.1.43.16.5.1.2.3.1"));
    // The usual numbering costs no extra request (phase 1 already named the profile).
    const auto usual = partial("lexmark-alerts");
    const auto none = completion_plan(usual, usual, ProfileSet::embedded());
    CHECK(none.scalars.empty());
    CHECK(none.subtrees.empty());
}

TEST_CASE("HP's Samsung-built lasers: the nameplate's text in Samsung's layout",
          "[identity][partial]") {
    const auto r = test::collect(partial("hp-samsung-built"));
    const auto& id = r.snapshot.identity;
    CHECK(id.vendor == "HP");
    CHECK(id.model == "Laser MFP 137fnw");
    CHECK(id.firmware == "3.82.01.18");
    CHECK(id.serial == "VNF4R31415");
    CHECK(r.sources.at("profile").find("hp") != std::string::npos);
    CHECK(r.snapshot.counters.at("total") == 2718);
    // A JetDirect print server's sysDescr has no "; V<digits>": nothing is taken from it.
    MibView jd;
    put_text(jd, kSysDescr,
             "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD149,EEPROM V50251103114");
    put_oid(jd, kSysObjectId, "1.3.6.1.4.1.11.2.3.9.1");
    const auto j = test::collect(jd).snapshot.identity;
    CHECK(j.vendor == "HP");
    CHECK(j.model.empty());
    CHECK(j.firmware.empty());
    CHECK(j.serial.empty());
}

TEST_CASE("no hrDevice group and a printer numbered 2: the Printer-MIB's own rows say so",
          "[identity][partial]") {
    const auto view = partial("printer-row-2-no-hr");
    const auto r = test::collect(view);
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Kyocera");
    CHECK(s.identity.model == "ECOSYS P2040dn");
    CHECK(s.identity.serial == "RX20KB7731");
    CHECK(r.sources.at("identity.serial") == "1.3.6.1.2.1.43.5.1.1.17.2");
    CHECK(s.counters.at("total") == 5521);
    // The charset row 2 declares (windows-1251, MIBenum 2252) decodes the console.
    CHECK(s.status.console == "Замените тонер");
    REQUIRE(s.supplies.size() == 1);
    CHECK(s.supplies.front().level_percent == std::optional<int>(2));
    // Phase 3 asks the per-printer objects at row 2, which the supplies walk revealed.
    const auto plan = completion_plan(MibView{}, view, ProfileSet::embedded());
    CHECK(std::find(plan.scalars.begin(), plan.scalars.end(), O("1.3.6.1.2.1.43.5.1.1.17.2")) !=
          plan.scalars.end());
    // Without those rows nothing says 2: the usual row 1 stands.
    auto bare = view;
    for (auto it = bare.begin(); it != bare.end();) {
        it = snmp::starts_with(it->first, O("1.3.6.1.2.1.43.11")) ||
                     snmp::starts_with(it->first, O("1.3.6.1.2.1.43.10"))
                 ? bare.erase(it)
                 : std::next(it);
    }
    CHECK(test::collect(bare).snapshot.identity.serial.empty());
}

TEST_CASE("Brother block decoder: records, unknown codes, malformed blocks", "[identity]") {
    using blocks::brother_value;
    const std::string good(
        "\x00\x01\x04\x00\x00\x01\x00\x99\x01\x02\x12\x34\x6f\x01\x04\x00\x00\x00\x2a\xff", 20);
    CHECK(brother_value(good, 0x00) == 256);
    CHECK(brother_value(good, 0x6f) == 42);
    std::string why;
    // A legacy 2-octet record (remaining/total, not a number) is no value.
    CHECK_FALSE(brother_value(good, 0x99, &why).has_value());
    CHECK(why.find("expected 4") != std::string::npos);
    why.clear();
    CHECK_FALSE(brother_value(good, 0x41, &why).has_value());  // absent: not a problem
    CHECK(why.empty());
    // A record that claims more octets than are left: nothing from the block is trusted.
    CHECK_FALSE(
        brother_value(std::string("\x00\x01\x04\x00\x00\x01\x00\x01\x01\x04\x00", 11), 0x00, &why)
            .has_value());
    CHECK(why.find("malformed") != std::string::npos);
    why.clear();
    CHECK_FALSE(brother_value(std::string("\x00\x01", 2), 0x00, &why).has_value());  // short
    CHECK_FALSE(why.empty());
    why.clear();
    CHECK_FALSE(brother_value(std::string("\xff", 1), 0x00, &why).has_value());  // empty
    CHECK_FALSE(why.empty());
    why.clear();
    // An empty string is a model without such records: no value, and nothing wrong.
    CHECK_FALSE(brother_value("", 0x00, &why).has_value());
    CHECK(why.empty());
    // Not an integer record (type 0x02), and a 9-octet value.
    CHECK_FALSE(
        brother_value(std::string("\x00\x02\x04\x00\x00\x00\x05\xff", 8), 0x00, &why).has_value());
    CHECK(why.find("not an integer") != std::string::npos);
    CHECK_FALSE(
        brother_value(std::string("\x00\x01\x09", 3) + std::string(9, '\x01'), 0x00).has_value());
    // Every truncation of a good block is either the right value or nothing.
    for (std::size_t n = 0; n <= good.size(); ++n) {
        INFO(n);
        const auto v = brother_value(good.substr(0, n), 0x6f);
        CHECK((!v || *v == 42));
    }
}

TEST_CASE("Brother blocks without a type octet: jam counts", "[identity]") {
    using blocks::brother_tlv_value;
    // 00 (MP tray) 3, 21 (inside) 2 in two octets, a1 (the total) 5 in four.
    const std::string jams("\x00\x02\x00\x03\x21\x02\x00\x02\xa1\x04\x00\x00\x00\x05\xff", 15);
    CHECK(brother_tlv_value(jams, 0xa1) == 5);
    CHECK(brother_tlv_value(jams, 0x21) == 2);
    std::string why;
    CHECK_FALSE(brother_tlv_value(jams, 0x22, &why).has_value());  // absent: not a problem
    CHECK(why.empty());
    // Read as a typed block it is malformed (02 taken for a type, 00 for a length...), and the
    // typed reader must not find the total in it.
    CHECK_FALSE(blocks::brother_value(jams, 0xa1).has_value());
    // The total running past the end, an empty value, a 5-octet value, nothing but the end.
    CHECK_FALSE(brother_tlv_value(std::string("\x01\x02\x00\x01\xa1\x04\x00\x00", 8), 0xa1, &why)
                    .has_value());
    CHECK(why.find("malformed") != std::string::npos);
    why.clear();
    CHECK_FALSE(brother_tlv_value(std::string("\xa1\x00\xff", 3), 0xa1, &why).has_value());
    CHECK(why.find("0 octets") != std::string::npos);
    CHECK_FALSE(
        brother_tlv_value(std::string("\xa1\x05\x00\x00\x00\x00\x07\xff", 8), 0xa1).has_value());
    why.clear();
    CHECK_FALSE(brother_tlv_value(std::string("\xff", 1), 0xa1, &why).has_value());
    CHECK(why.find("empty block") != std::string::npos);
    // Every truncation is either the right count or nothing.
    for (std::size_t n = 0; n <= jams.size(); ++n) {
        INFO(n);
        const auto v = brother_tlv_value(jams.substr(0, n), 0xa1);
        CHECK((!v || *v == 5));
    }
}

TEST_CASE("Brother remaining life: 4-octet hundredths and legacy 2-octet shares", "[identity]") {
    using blocks::brother_life;
    // 6f 77.00 %, a1 4 of 20, a2 13 of 20 (65 %), 41 a one-octet state, 6a a zero total,
    // 6b more remaining than total, 6c three octets.
    const std::string block(
        "\x6f\x01\x04\x00\x00\x1e\x14"
        "\xa1\x01\x02\x04\x14"
        "\xa2\x01\x02\x0d\x14"
        "\x41\x01\x01\x03"
        "\x6a\x01\x02\x04\x00"
        "\x6b\x01\x02\x15\x14"
        "\x6c\x01\x03\x01\x02\x03\xff",
        37);
    CHECK(brother_life(block, 0x6f) == 7700);
    CHECK(brother_life(block, 0xa1) == 2000);
    CHECK(brother_life(block, 0xa2) == 6500);
    std::string why;
    CHECK_FALSE(brother_life(block, 0x41, &why).has_value());
    CHECK(why == "record 41 has 1 octets, expected 4 or 2");
    why.clear();
    CHECK_FALSE(brother_life(block, 0x6a, &why).has_value());
    CHECK(why.find("4 of 0") != std::string::npos);
    why.clear();
    CHECK_FALSE(brother_life(block, 0x6b, &why).has_value());
    CHECK(why.find("21 of 20") != std::string::npos);
    why.clear();
    CHECK_FALSE(brother_life(block, 0x6c, &why).has_value());
    CHECK(why.find("3 octets") != std::string::npos);
    why.clear();
    CHECK_FALSE(brother_life(block, 0x99, &why).has_value());  // absent: not a problem
    CHECK(why.empty());
    // brother_value still reads only 4-octet integers.
    CHECK_FALSE(blocks::brother_value(block, 0xa1).has_value());
    // 2 of 3 rounds to the nearest hundredth: 66.67 %.
    CHECK(brother_life(std::string("\xa1\x01\x02\x02\x03\xff", 6), 0xa1) == 6667);
    // Every truncation is the right value or nothing.
    for (std::size_t n = 0; n <= block.size(); ++n) {
        INFO(n);
        const auto a1 = brother_life(block.substr(0, n), 0xa1);
        CHECK((!a1 || *a1 == 2000));
    }
}

namespace {

/// An Epson "@BDC ST2" block around `body` (elements), with its declared length.
std::string st2_block(const std::string& body, std::size_t declared) {
    std::string out("\x00@BDC ST2\r\n", 11);
    out.push_back(static_cast<char>(declared & 0xff));
    out.push_back(static_cast<char>(declared >> 8));
    return out + body;
}
std::string st2_block(const std::string& body) { return st2_block(body, body.size()); }

}  // namespace

TEST_CASE("Epson status block decoder: inks, page counts, malformed blocks", "[identity]") {
    using blocks::epson_ink_level;
    using blocks::epson_page_count;
    // Status idle; inks K 62, C 45, M 8, Y 100 (entries of 3); page counts 1500, 1520, 830,
    // 690, 0.
    const std::string inks("\x0f\x0d\x03\x01\x00\x3e\x03\x01\x2d\x04\x02\x08\x05\x03\x64", 15);
    const std::string pages(
        "\x36\x14\xdc\x05\x00\x00\xf0\x05\x00\x00\x3e\x03\x00\x00"
        "\xb2\x02\x00\x00\x00\x00\x00\x00",
        22);
    const std::string good = st2_block(std::string("\x01\x01\x04", 3) + inks + pages);
    CHECK(epson_ink_level(good, 0) == 62);
    CHECK(epson_ink_level(good, 1) == 45);
    CHECK(epson_ink_level(good, 2) == 8);
    CHECK(epson_ink_level(good, 3) == 100);
    std::string why;
    CHECK_FALSE(epson_ink_level(good, 4, &why).has_value());  // no light cyan: not a problem
    CHECK(why.empty());
    CHECK(epson_page_count(good, 2) == 830);
    CHECK(epson_page_count(good, 3) == 690);
    CHECK(epson_page_count(good, 1) == 1520);
    // Without the leading 00 (lost by whoever handed the bytes on) it still reads.
    CHECK(epson_ink_level(good.substr(1), 1) == 45);
    // A declared length that is not what follows: nothing is trusted.
    CHECK_FALSE(epson_ink_level(st2_block(inks, inks.size() + 1), 0, &why).has_value());
    CHECK(why.find("malformed") != std::string::npos);
    why.clear();
    // Not a status block at all; an element running past the end.
    CHECK_FALSE(epson_ink_level("@BDC ST1\r\n\x00\x00", 0, &why).has_value());
    CHECK_FALSE(why.empty());
    why.clear();
    CHECK_FALSE(
        epson_ink_level(st2_block(std::string("\x0f\x09\x03\x01\x00", 5)), 0, &why).has_value());
    CHECK(why.find("claims 9") != std::string::npos);
    why.clear();
    // Entries that do not tile the element, entries shorter than 3, a level above 100.
    CHECK_FALSE(epson_ink_level(st2_block(std::string("\x0f\x05\x03\x01\x00\x3e\x03", 7)), 0, &why)
                    .has_value());
    CHECK(why.find("do not fit") != std::string::npos);
    CHECK_FALSE(epson_ink_level(st2_block(std::string("\x0f\x03\x02\x01\x00", 5)), 0).has_value());
    why.clear();
    CHECK_FALSE(epson_ink_level(st2_block(std::string("\x0f\x04\x03\x01\x00\xff", 6)), 0, &why)
                    .has_value());
    CHECK(why.find("no percentage") != std::string::npos);
    // Page counts of the wrong size, or with the sign bit set.
    why.clear();
    CHECK_FALSE(
        epson_page_count(st2_block(std::string("\x36\x02\x01\x02", 4)), 2, &why).has_value());
    CHECK(why.find("expected 20") != std::string::npos);
    std::string negative = pages;
    negative[2 + 8 + 3] = '\x80';  // colour count's top octet
    CHECK_FALSE(epson_page_count(st2_block(negative), 2).has_value());
    // Every truncation of a good block is nothing (its length no longer matches) or right.
    for (std::size_t n = 0; n <= good.size(); ++n) {
        INFO(n);
        const auto v = epson_ink_level(good.substr(0, n), 2);
        CHECK((!v || *v == 8));
    }
}

TEST_CASE("Epson maintenance box decoder: one or two octets per box, states 0..2", "[identity]") {
    using blocks::epson_box_state;
    std::string why;
    // Two octets per box (state, reset count): one box near full, then two boxes.
    CHECK(epson_box_state(st2_block(std::string("\x37\x03\x02\x01\x00", 5)), 0) == 1);
    CHECK_FALSE(
        epson_box_state(st2_block(std::string("\x37\x03\x02\x01\x00", 5)), 1, &why).has_value());
    CHECK(why.empty());  // no second box: not a problem
    const auto two = st2_block(std::string("\x37\x05\x02\x00\x03\x02\x01", 7));
    CHECK(epson_box_state(two, 0) == 0);
    CHECK(epson_box_state(two, 1) == 2);
    // One octet per box.
    CHECK(epson_box_state(st2_block(std::string("\x37\x03\x01\x02\x00", 5)), 1) == 0);
    // Empty, entries of 0 or 3 octets, entries that do not tile, a state nobody names.
    for (const auto& bad :
         {std::string("\x37\x00", 2), std::string("\x37\x02\x00\x01", 4),
          std::string("\x37\x04\x03\x00\x00\x00", 6), std::string("\x37\x04\x02\x00\x00\x01", 6),
          std::string("\x37\x02\x01\x09", 4)}) {
        INFO(bad.size());
        why.clear();
        CHECK_FALSE(epson_box_state(st2_block(bad), 0, &why).has_value());
        CHECK_FALSE(why.empty());
    }
    // Every truncation of a block with two boxes is nothing or right.
    for (std::size_t n = 0; n <= two.size(); ++n) {
        INFO(n);
        const auto v = epson_box_state(two.substr(0, n), 1);
        CHECK((!v || *v == 2));
    }
}

TEST_CASE("Epson inkjet: inks and colour/mono pages from its status block", "[identity][partial]") {
    auto r = test::collect(partial("epson-st2"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Epson");
    CHECK(s.identity.model == "L6190 Series");
    REQUIRE(s.supplies.size() == 5);
    // The maintenance box: a state (near full), no level, a receptacle; no second box.
    const auto* box = supply_named(s, "Maintenance Box");
    REQUIRE(box != nullptr);
    CHECK(box->state == SupplyState::low);
    CHECK(!box->level_percent);
    CHECK(box->type == "waste_ink");
    CHECK(box->supply_class == proto::SupplyClass::receptacle);
    CHECK(supply_named(s, "Maintenance Box 2") == nullptr);
    {
        // Full, two boxes, a state no source names: full is a receptacle's empty.
        auto full = partial("epson-st2");
        auto& block = full[O("1.3.6.1.4.1.1248.1.2.2.1.1.1.4.1")].bytes;
        const auto at = block.rfind(std::string("\x37\x03\x02\x01\x00", 5));
        REQUIRE(at != std::string::npos);
        block.replace(at, 5, std::string("\x37\x05\x02\x02\x00\x07\x00", 7));
        block[11] = static_cast<char>(block[11] + 2);  // the block's length (little-endian)
        const auto two = test::collect(full);
        REQUIRE(supply_named(two.snapshot, "Maintenance Box") != nullptr);
        CHECK(supply_named(two.snapshot, "Maintenance Box")->state == SupplyState::empty);
        CHECK(supply_named(two.snapshot, "Maintenance Box 2") == nullptr);
        CHECK(has_note(two, "Epson maintenance box 1 state 7 is not known"));
    }
    const auto* black = supply_named(s, "Black Ink");
    REQUIRE(black != nullptr);
    CHECK(black->level_percent == 62);
    CHECK(black->type == "ink");
    CHECK(black->color == "black");
    REQUIRE(supply_named(s, "Magenta Ink") != nullptr);
    CHECK(supply_named(s, "Magenta Ink")->level_percent == 8);
    CHECK(supply_named(s, "Magenta Ink")->state == SupplyState::low);
    CHECK(supply_named(s, "Yellow Ink")->level_percent == 100);
    CHECK(s.counters.at("total") == 1520);  // the Printer-MIB's
    CHECK(s.counters.at("color") == 830);
    CHECK(s.counters.at("mono") == 690);
    CHECK(r.sources.at("counters.color").find("epson_st2_count:2") != std::string::npos);
    {
        // Both sources: the block's counts stand, the usage group is the fallback.
        auto both = partial("epson-st2");
        both[O("1.3.6.1.4.1.1248.1.2.2.27.1.1.4.1.1")] = Value{ValueType::counter32, 999, {}, {}};
        CHECK(test::collect(both).snapshot.counters.at("color") == 830);
    }
    CHECK(r.sources.at("supplies.Black Ink").find("epson_st2_ink:0") != std::string::npos);
    // Malformed blocks: no ink, no count, a note each; the device is still identified.
    for (const char* name : {"epson-st2-malformed", "epson-st2-badinks", "epson-st2-255"}) {
        INFO(name);
        r = test::collect(partial(name));
        CHECK(r.snapshot.identity.vendor == "Epson");
        CHECK(r.snapshot.counters.count("color") == 0);
        CHECK(r.snapshot.counters.count("mono") == 0);
        CHECK(has_note(r, "Epson"));
    }
    r = test::collect(partial("epson-st2-malformed"));
    CHECK(r.snapshot.supplies.empty());
    r = test::collect(partial("epson-st2-badinks"));
    CHECK(r.snapshot.supplies.empty());
    CHECK(has_note(r, "Epson maintenance box entries of 3 octets do not fit 2"));
    r = test::collect(partial("epson-st2-255"));
    REQUIRE(r.snapshot.supplies.size() == 1);  // cyan at 40; black's 255 is no level
    CHECK(r.snapshot.supplies[0].color == "cyan");
    CHECK(r.snapshot.supplies[0].level_percent == 40);
}

TEST_CASE("Epson inkjet without Host Resources: status and errors from its status block",
          "[identity][partial]") {
    // Idle (state 04): running, no errors.
    auto r = test::collect(partial("epson-st2"));
    CHECK(r.snapshot.status.device == proto::DeviceStatus::running);
    CHECK(r.snapshot.status.errors.empty());
    CHECK(r.sources.at("status.device").find("(state 04)") != std::string::npos);
    // Error (00) with a paper jam (04): down, jammed.
    r = test::collect(partial("epson-st2-error"));
    CHECK(r.snapshot.status.device == proto::DeviceStatus::down);
    CHECK(r.snapshot.status.errors == std::vector<std::string>{"jammed"});
    CHECK(r.sources.at("status.errors").find("(error 04)") != std::string::npos);
    // Host Resources objects, when the agent has them, alone decide.
    auto with_hr = partial("epson-st2-error");
    with_hr[O("1.3.6.1.2.1.25.3.2.1.5.1")] = Value{ValueType::integer, 2, {}, {}};
    with_hr[O("1.3.6.1.2.1.25.3.5.1.2.1")] = Value{ValueType::octets, 0, std::string(1, '\0'), {}};
    r = test::collect(with_hr);
    CHECK(r.snapshot.status.device == proto::DeviceStatus::running);
    CHECK(r.snapshot.status.errors.empty());
    // A state element of two octets, or a state no source names: unknown, with a note.
    r = test::collect(partial("epson-st2-badstate"));
    CHECK(r.snapshot.status.device == proto::DeviceStatus::unknown);
    CHECK(has_note(r, "state element has 2 octets"));
    CHECK(r.snapshot.supplies.size() == 4);  // the inks still read
    r = test::collect(partial("epson-st2-oddstate"));
    CHECK(r.snapshot.status.device == proto::DeviceStatus::unknown);
    CHECK(has_note(r, "state 7e is not one the profile names"));
    // The decoder on its own: both elements, and every truncation gives the state or nothing.
    const std::string block = st2_block(std::string("\x01\x01\x00\x02\x01\x06", 6));
    const auto s = blocks::epson_status(block);
    REQUIRE(s.has_value());
    CHECK(s->state == 0x00U);
    CHECK(s->error == 0x06U);
    for (std::size_t n = 0; n <= block.size(); ++n) {
        INFO(n);
        const auto t = blocks::epson_status(block.substr(0, n));
        CHECK((!t || !t->state || *t->state == 0x00U));
    }
}

TEST_CASE("Brother laser known only from its private MIB", "[identity][partial]") {
    const auto r = test::collect(partial("brother-private"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Brother");
    CHECK(s.identity.model == "HL-L2350DW");  // " series" cut, as on the nameplate
    CHECK(s.identity.serial == "E78123A0N000111");
    CHECK(s.identity.firmware == "1.20");
    CHECK(s.status.console == "SLEEP");
    const std::map<std::string, std::int64_t> counters = {
        {"total", 10412}, {"mono", 10412}, {"duplex", 2210}};
    CHECK(s.counters == counters);
    // "Some remaining" in the Printer-MIB, 64.00 % in the maintenance block.
    const auto* toner = supply_named(s, "Black Toner Cartridge");
    REQUIRE(toner != nullptr);
    CHECK(toner->level_percent == 64);
    CHECK(toner->state == SupplyState::ok);
    CHECK(toner->source == "profile:brother");
    // The drum is not in the Printer-MIB at all.
    const auto* drum = supply_named(s, "Drum Unit");
    REQUIRE(drum != nullptr);
    CHECK(drum->type == "opc");
    CHECK(drum->level_percent == 89);  // 88.50 % rounds half away from zero
    // Next care: the drum's pages left (record 82); the fuser's (89) has no fuser to go to,
    // and makes none.
    CHECK(drum->pages_remaining == std::optional<std::int64_t>(10620));
    CHECK_FALSE(toner->pages_remaining.has_value());
    CHECK(r.sources.at("supplies.Drum Unit.pages_remaining").find("brother_block:82") !=
          std::string::npos);
    CHECK(s.supplies.size() == 2);  // unknown record 0x99 ignored
    CHECK(r.sources.at("identity.vendor").find("MFG") != std::string::npos);
    // Without brInfoSerialNumber: the serial its print server answers in HP's subtree; the
    // vendor stays Brother.
    auto hp_serial = partial("brother-private");
    hp_serial.erase(O("1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0"));
    put_text(hp_serial, "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0", "E78123A0N000111");
    const auto h = test::collect(hp_serial);
    CHECK(h.snapshot.identity.vendor == "Brother");
    CHECK(h.snapshot.identity.serial == "E78123A0N000111");
    CHECK(h.sources.at("identity.serial").find("1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0") !=
          std::string::npos);
}

TEST_CASE("Brother inkjet: ink levels from the block, the printer's 'low' kept, CP1251 text",
          "[identity][partial]") {
    const auto r = test::collect(partial("brother-inkjet"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Brother");
    CHECK(s.identity.model == "MFC-J2330DW");
    CHECK(s.status.console == "Мало чернил");
    CHECK(s.counters.at("color") == 1120);
    REQUIRE(s.supplies.size() == 4);
    // Coded "low" (1) and a 5 % gauge agree: the percentage is added.
    CHECK(supply_named(s, "Black Ink")->level_percent == 5);
    CHECK(supply_named(s, "Black Ink")->state == SupplyState::low);
    CHECK(supply_named(s, "Cyan Ink")->level_percent == 40);
    CHECK(supply_named(s, "Yellow Ink")->level_percent == 77);
    CHECK(supply_named(s, "Yellow Ink")->type == "ink");
}

TEST_CASE("a gauge never raises a supply the printer calls low", "[identity][partial]") {
    auto view = partial("brother-inkjet");
    // Black coded "low" (1) while the block says 90 %.
    view[O("1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.8.0")] =
        Value{ValueType::octets, 0, std::string("\x6f\x01\x04\x00\x00\x23\x28\xff", 8), {}};
    const auto r = test::collect(view);
    const auto* black = supply_named(r.snapshot, "Black Ink");
    REQUIRE(black != nullptr);
    CHECK(black->state == SupplyState::low);
    CHECK_FALSE(black->level_percent.has_value());
    CHECK(has_note(r, "the printer's state is kept"));
}

TEST_CASE("malformed Brother blocks give unknown, never garbage", "[identity][partial]") {
    const auto r = test::collect(partial("brother-malformed"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Brother");
    CHECK(s.identity.model == "DCP-L2540DN");
    CHECK(s.counters.empty());
    REQUIRE(s.supplies.size() == 1);  // no drum at 250 %, no toner from a 6-octet record
    CHECK(s.supplies[0].state == SupplyState::some_remaining);
    CHECK_FALSE(s.supplies[0].level_percent.has_value());
    CHECK(has_note(r, "malformed Brother block"));
    CHECK(has_note(r, "no percentage"));
    // A next-care record that runs past the block's end gives no pages left.
    CHECK_FALSE(s.supplies[0].pages_remaining.has_value());
    CHECK(has_note(r, "5.5.11.0"));
    // A jam total that claims more octets than are left: no jam count (counters are empty).
    CHECK(has_note(r, "5.5.21.0: malformed Brother block"));
}

TEST_CASE("Brother colour laser: drums per colour, toner from a1..a4, ISO 8859-5 panel text",
          "[identity][partial]") {
    const auto r = test::collect(partial("brother-colour-laser"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Brother");
    CHECK(s.identity.model == "MFC-L3770CDW");
    CHECK(s.identity.serial == "E73001K8N112233");
    CHECK(s.identity.firmware == "ZB2204151011");
    CHECK(s.identity.mac == "30:05:5c:0a:1b:2c");
    CHECK(s.status.console == "Мало тонера (Y)");  // prtLocalizationCharacterSet 8
    const std::map<std::string, std::int64_t> counters = {
        {"total", 5120}, {"mono", 3020}, {"color", 2100}, {"duplex", 640}, {"jams", 6}};
    CHECK(s.counters == counters);
    CHECK(r.sources.at("counters.jams").find("brother_tlv:a1") != std::string::npos);
    // Record 00 (the web page's page counter) over prtMarkerLifeCount's 5116.
    CHECK(r.sources.at("counters.total").find("brother_block:00") != std::string::npos);
    // a1..a4 (hundredths) win over the 10 %-step gauges 81..84 listed beside them.
    const std::map<std::string, int> toner = {
        {"Black Toner", 54}, {"Cyan Toner", 30}, {"Magenta Toner", 26}, {"Yellow Toner", 3}};
    for (const auto& [name, pct] : toner) {
        INFO(name);
        const auto* t = supply_named(s, name);
        REQUIRE(t != nullptr);
        CHECK(t->type == "toner");
        CHECK(t->level_percent == pct);
    }
    CHECK(supply_named(s, "Yellow Toner")->state == SupplyState::low);
    const std::map<std::string, std::pair<std::string, int>> drums = {
        {"Black Drum Unit", {"black", 81}},
        {"Cyan Drum Unit", {"cyan", 77}},
        {"Magenta Drum Unit", {"magenta", 77}},
        {"Yellow Drum Unit", {"yellow", 76}}};
    for (const auto& [name, want] : drums) {
        INFO(name);
        const auto* d = supply_named(s, name);
        REQUIRE(d != nullptr);
        CHECK(d->type == "opc");
        CHECK(d->color == want.first);
        CHECK(d->level_percent == want.second);
    }
    // Next care: pages left per drum (a4..a7), belt (88) and fuser (89); PF Kit 1's all-ones
    // filler is no count.
    const std::map<std::string, std::int64_t> pages = {
        {"Black Drum Unit", 14580},  {"Cyan Drum Unit", 13890}, {"Magenta Drum Unit", 13900},
        {"Yellow Drum Unit", 13650}, {"Belt Unit", 46500},      {"Fuser Unit", 45600}};
    for (const auto& [name, want] : pages) {
        INFO(name);
        CHECK(supply_named(s, name)->pages_remaining == std::optional<std::int64_t>(want));
    }
    CHECK_FALSE(supply_named(s, "PF Kit 1")->pages_remaining.has_value());
    CHECK(has_note(r, "4294967295 pages left is no count for PF Kit 1"));
    CHECK_FALSE(supply_named(s, "Black Toner")->pages_remaining.has_value());
    CHECK(supply_named(s, "Drum Unit") == nullptr);  // no 41 on a colour model
    CHECK(supply_named(s, "Belt Unit")->level_percent == 93);
    CHECK(supply_named(s, "Fuser Unit")->level_percent == 91);
    CHECK(supply_named(s, "PF Kit 1")->level_percent == 95);
    CHECK(s.supplies.size() == 11);
    CHECK(r.sources.at("supplies.Black Toner").find("brother_life:a1") != std::string::npos);
}

TEST_CASE("Brother legacy inkjet: 2-octet shares, ink by its model name, Roman-8 text",
          "[identity][partial]") {
    const auto r = test::collect(partial("brother-legacy-inkjet"));
    const auto& s = r.snapshot;
    CHECK(s.identity.model == "MFC-5895CW");
    CHECK(s.identity.firmware == "U1107131645VER.E");
    CHECK(s.status.console == "Bourrage arrière");  // no charset declared: Roman-8
    const std::map<std::string, std::int64_t> counters = {{"total", 7731}};
    CHECK(s.counters == counters);  // an empty counter block is no counters, not an error
    CHECK_FALSE(has_note(r, "malformed"));
    const std::map<std::string, int> inks = {
        {"Black Ink", 20}, {"Cyan Ink", 60}, {"Magenta Ink", 30}, {"Yellow Ink", 55}};
    REQUIRE(s.supplies.size() == inks.size());
    for (const auto& [name, pct] : inks) {
        INFO(name);
        const auto* ink = supply_named(s, name);
        REQUIRE(ink != nullptr);
        CHECK(ink->type == "ink");
        CHECK(ink->level_percent == pct);
    }
}

TEST_CASE("Brother ink tank: total from mono and colour when the block has no 00",
          "[identity][partial]") {
    const auto r = test::collect(partial("brother-ink-tank"));
    const auto& s = r.snapshot;
    const std::map<std::string, std::int64_t> counters = {
        {"total", 3389}, {"mono", 412}, {"color", 2977}, {"duplex", 1200}};
    CHECK(s.counters == counters);
    CHECK(r.sources.at("counters.total").find("derived") != std::string::npos);
    REQUIRE(supply_named(s, "Black Ink") != nullptr);  // "T" line: an inkjet
    CHECK(supply_named(s, "Black Ink")->level_percent == 88);
    // A laser's model name leaves "marking" as toner.
    auto laser = partial("brother-ink-tank");
    laser[O("1.3.6.1.4.1.2435.2.3.9.1.1.7.0")] =
        Value{ValueType::octets, 0, "MFG:Brother;MDL:HL-L8360CDW;", {}};
    const auto l = test::collect(laser);
    CHECK(supply_named(l.snapshot, "Black Toner") != nullptr);
    CHECK(supply_named(l.snapshot, "Black Ink") == nullptr);
}

TEST_CASE("Brother MFP: pages by function, scans and paper size from BROTHER-MIB's tables",
          "[identity][partial]") {
    const std::string tables = "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.";
    const auto r = test::collect(partial("brother-mfp-tables"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Brother");
    CHECK(s.identity.model == "MFC-J6955DW");
    const std::map<std::string, std::int64_t> counters = {
        {"total", 7000},       {"mono", 4500},       {"color", 2500},      {"print_total", 5200},
        {"print_color", 2100}, {"print_mono", 3100}, {"copy_total", 1500}, {"copy_color", 400},
        {"copy_mono", 1100},   {"fax_total", 300},   {"fax_color", 0},     {"fax_mono", 300},
        {"scan_total", 1370},  {"adf", 1060},        {"total_large", 850}, {"total_small", 6150}};
    CHECK(s.counters == counters);
    // Rows by their type, whatever their number; the unnamed type 4 (a scan total on some
    // firmware) is not read, so nothing counts twice.
    CHECK(r.sources.at("counters.scan_total").rfind(tables + "54.2.2.1.3", 0) == 0);
    CHECK(r.sources.at("counters.copy_color").rfind(tables + "52.21.1.3", 0) == 0);
    auto shuffled = partial("brother-mfp-tables");
    put_int(shuffled, tables + "52.21.1.2.1", 3);  // row 1 now copies, row 3 prints
    put_int(shuffled, tables + "52.21.1.2.3", 1);
    const auto sh = test::collect(shuffled).snapshot;
    CHECK(sh.counters.at("copy_total") == 5200);
    CHECK(sh.counters.at("print_total") == 1500);
    // Pages on a size the MIB does not place (otherPage) void the split, never guess it.
    auto other = partial("brother-mfp-tables");
    put_int(other, tables + "52.1.1.3.5", 50, ValueType::counter32);
    const auto o = test::collect(other);
    CHECK(o.snapshot.counters.count("total_large") == 0);
    CHECK(o.snapshot.counters.count("total_small") == 0);
    CHECK(o.snapshot.counters.at("scan_total") == 1370);
    // A type cell that is no number, or a row without its count: that row is left out.
    auto broken = partial("brother-mfp-tables");
    put_text(broken, tables + "54.2.2.1.2.2", "fb");
    broken.erase(O(tables + "52.21.1.3.4"));
    const auto b = test::collect(broken).snapshot;
    CHECK(b.counters.at("scan_total") == 820 + 240);
    CHECK(b.counters.count("copy_color") == 0);
    CHECK(b.counters.at("copy_mono") == 1100);
}

TEST_CASE("Brother records that are no share give no level", "[identity][partial]") {
    const auto r = test::collect(partial("brother-legacy-malformed"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Brother");
    CHECK(s.supplies.empty());
    CHECK(has_note(r, "4 of 0"));
    CHECK(has_note(r, "21 of 20"));
    CHECK(has_note(r, "record 41 has 1 octets"));
    // Its panel (German, cut at 16 characters a line) says the drum must be replaced: with no
    // level anywhere, the drum is listed from that statement.
    auto view = partial("brother-legacy-malformed");
    put_text(view, "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.4.5.2.0", "ENERGIESPAREN   \rTROMMEL ERSETZ. ");
    const auto stated = test::collect(view);
    REQUIRE(stated.snapshot.supplies.size() == 1);
    const auto& drum = stated.snapshot.supplies[0];
    CHECK(drum.description == "Drum Unit");
    CHECK(drum.type == "opc");
    CHECK(drum.state == SupplyState::empty);
    CHECK_FALSE(drum.level_percent.has_value());
    CHECK(drum.source == "printer-statement");
    CHECK(stated.sources.at("supplies.Drum Unit").find("console") != std::string::npos);
    // At rest (energy saving) but asking for a drum: a warning, with no error code for it.
    CHECK(stated.snapshot.status.device == proto::DeviceStatus::warning);
    CHECK(stated.snapshot.status.errors.empty());
}

TEST_CASE("a generic print server: the 1284 device ID and Kyocera's objects name it",
          "[identity][partial]") {
    const auto r = test::collect(partial("generic-ppm"));
    const auto& id = r.snapshot.identity;
    CHECK(id.vendor == "Kyocera");
    CHECK(id.model == "ECOSYS P2040dn");
    CHECK(id.serial == "VCF0001234");          // Kyocera's private serial (phase 3)
    CHECK(id.firmware == "2S0_2F00.005.003");  // fetched by phase 3
    CHECK(r.sources.at("profile").find("kyocera") != std::string::npos);
    CHECK(r.snapshot.counters.at("total") == 48211);
}

TEST_CASE("a JetDirect box in front of a Kyocera is a Kyocera", "[identity][partial]") {
    const auto r = test::collect(partial("jetdirect-kyocera"));
    CHECK(r.snapshot.identity.vendor == "Kyocera");
    CHECK(r.snapshot.identity.model == "FS-1370DN");
    CHECK(r.snapshot.identity.serial == "LJX1234567");  // 1284 SN
    CHECK(has_note(r, "names HP"));
}

TEST_CASE(
    "JetDirect status group: panel text, errors and state where the standard MIBs say "
    "nothing",
    "[identity][partial][status]") {
    const auto r = test::collect(partial("hp-jetdirect-jam"));
    const auto& st = r.snapshot.status;
    CHECK(r.snapshot.identity.vendor == "HP");
    CHECK(r.snapshot.identity.model == "LaserJet 4250");
    CHECK(st.console == "13.12.00 JAM IN TRAY 2");
    CHECK(st.errors == std::vector<std::string>{"low_toner", "jammed"});
    CHECK(st.device == proto::DeviceStatus::down);  // a jam stops it; toner low alone would not
    CHECK(provenance(r.sources.at("status.errors")) == "private");
    CHECK(r.sources.at("status.device").find("1.1.2.8.0") != std::string::npos);
    CHECK(r.sources.at("status.console").find("1.1.3.0") != std::string::npos);
    // No prtMarkerLifeCount either: the engine's own total page count.
    CHECK(r.snapshot.counters.at("total") == 123456);
    CHECK(provenance(r.sources.at("counters.total")) == "private");
    CHECK(r.snapshot.counters.count("fax_total") == 0);  // no fax on this model
    // An MFP with a fax: its fax impressions.
    auto fax_view = partial("hp-jetdirect-jam");
    put_int(fax_view, "1.3.6.1.4.1.11.2.3.9.4.2.1.3.7.1.32.0", 812, ValueType::counter32);
    const auto fax = test::collect(fax_view);
    CHECK(fax.snapshot.counters.at("fax_total") == 812);
    CHECK(fax.sources.at("counters.fax_total").find("3.7.1.32.0") != std::string::npos);
    // Scans: the glass's and the feeder's images apart, every scan their sum; older cells
    // (.21/.20) only where the usual ones (.74/.44) are missing; a flatbed-only model's .44
    // of 0 leaves the glass's count as the total.
    const std::string scans = "1.3.6.1.4.1.11.2.3.9.4.2.1.2.2.1.";
    auto mfp = partial("hp-jetdirect-jam");
    put_int(mfp, scans + "74.0", 1190);
    put_int(mfp, scans + "44.0", 830);
    put_int(mfp, scans + "21.0", 5);
    const auto m = test::collect(mfp).snapshot;
    CHECK(m.counters.at("scan_flatbed") == 1190);
    CHECK(m.counters.at("adf") == 830);
    CHECK(m.counters.at("scan_total") == 2020);
    auto newer = partial("hp-jetdirect-jam");
    put_int(newer, scans + "21.0", 300, ValueType::counter32);
    put_int(newer, scans + "20.0", 4500, ValueType::counter32);
    const auto n = test::collect(newer);
    CHECK(n.snapshot.counters.at("scan_total") == 4800);
    CHECK(n.sources.at("counters.adf").find("2.2.1.20.0") != std::string::npos);
    auto flatbed = partial("hp-jetdirect-jam");
    put_int(flatbed, scans + "74.0", 1190);
    put_int(flatbed, scans + "44.0", 0);
    CHECK(test::collect(flatbed).snapshot.counters.at("scan_total") == 1190);
    CHECK(r.snapshot.counters.count("scan_total") == 0);  // no scanner: no scan count

    // At rest: every flag clear is a running printer; a flag that is no number is left out,
    // and the line status flag's "offline" (also what a sleeping printer says) is not read.
    const auto ready = test::collect(partial("hp-jetdirect-ready"));
    CHECK(ready.snapshot.status.console == "READY");
    CHECK(ready.snapshot.status.errors.empty());
    CHECK(ready.snapshot.status.device == proto::DeviceStatus::running);
    CHECK(provenance(ready.sources.at("status.device")) == "private");
    CHECK(ready.sources.at("status.device").find("(all clear)") != std::string::npos);
    CHECK(has_note(ready, "1.3.6.1.4.1.11.2.3.9.1.1.2.9.0"));

    // The standard objects, when the agent has them, are never second-guessed by the flags.
    auto view = partial("hp-jetdirect-jam");
    using snmp::ValueType;
    view[O("1.3.6.1.2.1.25.3.2.1.5.1")] = {ValueType::integer, 2, "", {}};  // running
    view[O("1.3.6.1.2.1.25.3.5.1.2.1")] = {ValueType::octets, 0, std::string(2, '\0'), {}};
    view[O("1.3.6.1.2.1.43.16.5.1.2.1.1")] = {ValueType::octets, 0, "Ready", {}};
    const auto standard = test::collect(view);
    CHECK(standard.snapshot.status.device == proto::DeviceStatus::running);
    CHECK(standard.snapshot.status.errors.empty());
    CHECK(standard.snapshot.status.console == "Ready");
}

TEST_CASE(
    "Print servers' output status enum (ESI-MIB, OKI's copy): state, condition and panel text "
    "where the standard MIBs say nothing",
    "[identity][partial][status]") {
    auto r = test::collect(partial("oki-okilan-jam"));
    CHECK(r.snapshot.identity.vendor == "OKI");
    CHECK(r.snapshot.status.device == proto::DeviceStatus::down);
    CHECK(r.snapshot.status.errors == std::vector<std::string>{"jammed"});
    CHECK(r.snapshot.status.console == "PAPER JAM TRAY1");  // stLcdMessage before the copy
    CHECK(provenance(r.sources.at("status.device")) == "private");
    CHECK(r.sources.at("status.device").find("2001.1.2.683.6.2.3.2.1.5.1 (state 5)") !=
          std::string::npos);
    CHECK(provenance(r.sources.at("status.errors")) == "private");

    // Toner low is a warning, and names its condition (not only in a down state).
    auto view = partial("oki-okilan-jam");
    view[O("1.3.6.1.4.1.2001.1.2.683.6.2.3.2.1.5.1")] = {ValueType::integer, 3, "", {}};
    r = test::collect(view);
    CHECK(r.snapshot.status.device == proto::DeviceStatus::warning);
    CHECK(r.snapshot.status.errors == std::vector<std::string>{"low_toner"});
    // none(1): running; printer-Error(15): down, no condition named.
    view[O("1.3.6.1.4.1.2001.1.2.683.6.2.3.2.1.5.1")] = {ValueType::integer, 1, "", {}};
    r = test::collect(view);
    CHECK(r.snapshot.status.device == proto::DeviceStatus::running);
    CHECK(r.snapshot.status.errors.empty());
    view[O("1.3.6.1.4.1.2001.1.2.683.6.2.3.2.1.5.1")] = {ValueType::integer, 15, "", {}};
    r = test::collect(view);
    CHECK(r.snapshot.status.device == proto::DeviceStatus::down);
    CHECK(r.snapshot.status.errors.empty());

    // The standard objects, when the agent has them, alone decide.
    view = partial("oki-okilan-jam");
    view[O("1.3.6.1.2.1.25.3.2.1.5.1")] = {ValueType::integer, 2, "", {}};  // running
    view[O("1.3.6.1.2.1.25.3.5.1.2.1")] = {ValueType::octets, 0, std::string(2, '\0'), {}};
    view[O("1.3.6.1.2.1.43.16.5.1.2.1.1")] = {ValueType::octets, 0, "Online", {}};
    r = test::collect(view);
    CHECK(r.snapshot.status.device == proto::DeviceStatus::running);
    CHECK(r.snapshot.status.errors.empty());
    CHECK(r.snapshot.status.console == "Online");

    // A code ESI does not list: unknown, with a note; a code that is no number: nothing.
    r = test::collect(partial("oki-okilan-odd"));
    CHECK(r.snapshot.status.device == proto::DeviceStatus::unknown);
    CHECK(r.snapshot.status.errors.empty());
    CHECK(has_note(r, "state 9 is not one the profile names"));
    view = partial("oki-okilan-odd");
    view[O("1.3.6.1.4.1.2001.1.2.683.6.2.3.2.1.5.1")] = {ValueType::octets, 0, "jam", {}};
    r = test::collect(view);
    CHECK(r.snapshot.status.device == proto::DeviceStatus::unknown);
    CHECK(has_note(r, "1.3.6.1.4.1.2001.1.2.683.6.2.3.2.1.5.1"));

    // ZebraNet (ESI's own enterprise): the head open is a door open; the server's panel copy.
    r = test::collect(partial("zebranet-head-open"));
    CHECK(r.snapshot.identity.vendor == "Zebra");
    CHECK(r.snapshot.status.device == proto::DeviceStatus::down);
    CHECK(r.snapshot.status.errors == std::vector<std::string>{"door_open"});
    CHECK(r.snapshot.status.console == "HEAD OPEN");
}

TEST_CASE("no system group: vendor from private identity objects or the printer name",
          "[identity][partial]") {
    auto r = test::collect(partial("canon-private"));
    CHECK(r.snapshot.identity.vendor == "Canon");
    CHECK(r.snapshot.identity.model == "iR-ADV C3525");
    CHECK(r.snapshot.identity.firmware == "03.07");
    CHECK(r.snapshot.identity.serial == "QNB12345");  // the older serial object
    r = test::collect(partial("printer-name"));
    CHECK(r.snapshot.identity.vendor == "Nashuatec");
    CHECK(r.snapshot.identity.model == "MP 2554");
    CHECK(r.snapshot.identity.serial == "C3X0000123");
    CHECK(r.sources.at("profile").find("ricoh") != std::string::npos);
}

TEST_CASE("no system group: Epson, Toshiba TEC, OKI and Pantum from their private objects",
          "[identity][partial]") {
    struct Want {
        const char* fixture;
        const char* vendor;
        const char* model;
        const char* serial;
        const char* firmware;
    };
    for (const auto& w : {
             Want{"epson-private", "Epson", "ET-5800 Series", "X8GZ012345", "05.34.XF29P8"},
             Want{"toshiba-private", "Toshiba TEC", "e-STUDIO2515AC", "CNJJ123456", "V1.20.0"},
             Want{"oki-private", "OKI", "C650", "AK5B012345", ""},
             Want{"pantum-private", "Pantum", "M6700DW Series", "CD9C012345", "3.A.0.3"},
             Want{"pantum-scalar", "Pantum", "M7100DW Series", "CD9C054321", "2.A.1.3"},
         }) {
        INFO(w.fixture);
        const auto r = test::collect(partial(w.fixture));
        const auto& id = r.snapshot.identity;
        CHECK(id.vendor == w.vendor);
        CHECK(id.model == w.model);
        CHECK(id.serial == w.serial);
        CHECK(id.firmware == w.firmware);
        for (const char* field : {"identity.model", "identity.serial"}) {
            INFO(field);
            REQUIRE(r.sources.count(field) == 1);
            CHECK(r.sources.at(field).find("profile:") != std::string::npos);
        }
    }
    // An e-STUDIO MFP without the bcp group: its own model object names it (and the vendor).
    const auto estudio = test::collect(partial("toshiba-mfp-private"));
    CHECK(estudio.snapshot.identity.vendor == "Toshiba TEC");
    CHECK(estudio.snapshot.identity.model == "e-STUDIO2050C");
    CHECK(estudio.snapshot.identity.serial == "CVH912345");
    CHECK(estudio.sources.at("identity.model").find("1129.2.3.50.1.2.3.1.3.1.1") !=
          std::string::npos);
    CHECK(estudio.snapshot.counters.at("color") == 2000);
    CHECK(estudio.snapshot.counters.at("mono") == 7120);
    // Epson's firmware: the name/value table's first row not named a serial, whatever its
    // index, hex text decoded.
    const auto epson = test::collect(partial("epson-private"));
    CHECK(epson.snapshot.identity.firmware == "05.34.XF29P8");
    CHECK(epson.sources.at("identity.firmware")
              .find("1.3.6.1.4.1.1248.1.2.2.2.1.1.2 (first row not named 'serial')") == 0);
    CHECK(has_note(epson, "hex-encoded text"));
    // An agent without the printer's identity entry: the network interface's model name.
    auto nic = partial("epson-private");
    nic.erase(O("1.3.6.1.4.1.1248.1.2.2.1.1.1.2.1"));
    put_text(nic, "1.3.6.1.4.1.1248.1.1.3.1.3.8.0", "L3250 Series");
    const auto by_nic = test::collect(nic);
    CHECK(by_nic.snapshot.identity.vendor == "Epson");
    CHECK(by_nic.snapshot.identity.model == "L3250 Series");
    CHECK(by_nic.sources.at("identity.model").find("1.3.6.1.4.1.1248.1.1.3.1.3.8.0") !=
          std::string::npos);
    // Behind an "EPSON Built-in" print server's sysDescr, with the brand in the name.
    put_text(nic, kSysDescr, "EPSON Built-in 11b/g/n Print Server");
    put_oid(nic, kSysObjectId, "1.3.6.1.4.1.1248.1.2.1.22.77.102.53");
    put_text(nic, "1.3.6.1.4.1.1248.1.1.3.1.3.8.0", "EPSON L3250 Series");
    const auto built_in = test::collect(nic);
    CHECK(built_in.snapshot.identity.vendor == "Epson");
    CHECK(built_in.snapshot.identity.model == "L3250 Series");
    // A table whose first row is the serial: it is the serial (the identity entry has none),
    // never the firmware.
    const auto named = test::collect(partial("epson-name-table"));
    CHECK(named.snapshot.identity.vendor == "Epson");
    CHECK(named.snapshot.identity.serial == "X4AB123456");
    CHECK(named.snapshot.identity.firmware == "05.22.XF26P8");
    CHECK(named.sources.at("identity.serial")
              .find("1.3.6.1.4.1.1248.1.2.2.2.1.1.2 (first row named 'serial')") == 0);
    // No status block: the usage group's page counts give the split.
    CHECK(epson.snapshot.counters.at("mono") == 4210);
    CHECK(epson.snapshot.counters.at("color") == 1377);
    CHECK(epson.sources.at("counters.mono").rfind("1.3.6.1.4.1.1248.1.2.2.27.1.1.3.1.1", 0) == 0);
    // No prtMarkerLifeCount here: the total is monochrome + colour (derived).
    CHECK(epson.snapshot.counters.at("total") == 4210 + 1377);
    CHECK(epson.sources.at("counters.total").rfind("derived: mono + color", 0) == 0);
    // Its function table, each row by its name: both kinds of printing are printing.
    const std::map<std::string, std::int64_t> functions = {
        {"print_total", 4000}, {"print_color", 1160}, {"print_mono", 2840}, {"copy_total", 1587},
        {"copy_color", 217},   {"copy_mono", 1370},   {"scan_total", 640},
    };
    for (const auto& [name, want] : functions) {
        INFO(name);
        CHECK(epson.snapshot.counters.at(name) == want);
    }
    CHECK(epson.snapshot.counters.count("fax_total") == 0);
    CHECK(epson.sources.at("counters.print_total")
              .find("(type Print from Computer+Memory Device "
                    "Print)") != std::string::npos);
    CHECK(epson.sources.at("counters.print_mono").rfind("derived: print_total - print_color", 0) ==
          0);
    // Colour above the total: no monochrome count rather than a negative one.
    auto odd = partial("epson-private");
    odd[O("1.3.6.1.4.1.1248.1.2.2.27.6.1.5.1.3")] = Value{ValueType::counter32, 5000, {}, {}};
    const auto bad = test::collect(odd);
    CHECK(bad.snapshot.counters.count("copy_mono") == 0);
    CHECK(has_note(bad, "counter copy_mono: copy_total - copy_color is negative; ignored"));
    // Pantum: pages, duplex pages and toner from its private objects, in either OID form; a
    // Printer-MIB total stands.
    const auto pantum = test::collect(partial("pantum-private"));
    CHECK(pantum.snapshot.counters.at("total") == 5230);
    CHECK(pantum.snapshot.counters.at("duplex") == 1200);
    // Toner from 6.3.1 (the extended subtree's cartridge cell, 65 here, does not replace it)
    // and the separate drum unit from the extended subtree.
    REQUIRE(pantum.snapshot.supplies.size() == 2);
    CHECK(pantum.snapshot.supplies[0].level_percent == 64);
    CHECK(pantum.snapshot.supplies[0].type == "toner");
    CHECK(pantum.snapshot.supplies[1].description == "Drum Unit");
    CHECK(pantum.snapshot.supplies[1].type == "opc");
    CHECK(pantum.snapshot.supplies[1].level_percent == 81);
    CHECK(pantum.sources.at("supplies.Drum Unit").rfind("1.3.6.1.4.1.40093.10.1.5.3.1.2 ", 0) == 0);
    CHECK(pantum.sources.at("counters.total").rfind("1.3.6.1.4.1.40093.1.1.3.12 ", 0) == 0);
    // Without 6.3.1 the cartridge cell gives the toner; a drum "remainder" above 100 is no
    // percentage: no drum rather than a wrong one.
    auto extended = partial("pantum-private");
    extended.erase(O("1.3.6.1.4.1.40093.6.3.1"));
    put_int(extended, "1.3.6.1.4.1.40093.10.1.5.3.1.2", 140);
    const auto ext = test::collect(extended);
    REQUIRE(ext.snapshot.supplies.size() == 1);
    CHECK(ext.snapshot.supplies[0].type == "toner");
    CHECK(ext.snapshot.supplies[0].level_percent == 65);
    CHECK(
        ext.sources.at("supplies.Toner Cartridge").rfind("1.3.6.1.4.1.40093.10.1.5.2.1.3.4 ", 0) ==
        0);
    CHECK(has_note(ext,
                   "1.3.6.1.4.1.40093.10.1.5.3.1.2: 140 is no percentage of Drum Unit; ignored"));
    // An agent with only the other readers' total object (40093.6.4.1).
    auto other_total = partial("pantum-private");
    other_total.erase(O("1.3.6.1.4.1.40093.1.1.3.12"));
    put_int(other_total, "1.3.6.1.4.1.40093.6.4.1", 5231, ValueType::counter32);
    const auto p2 = test::collect(other_total);
    CHECK(p2.snapshot.counters.at("total") == 5231);
    CHECK(p2.sources.at("counters.total").rfind("1.3.6.1.4.1.40093.6.4.1 ", 0) == 0);
    const auto scalar = test::collect(partial("pantum-scalar"));
    CHECK(scalar.snapshot.counters.at("total") == 881);
    CHECK(scalar.snapshot.counters.count("duplex") == 0);
    REQUIRE(scalar.snapshot.supplies.size() == 1);
    CHECK(scalar.snapshot.supplies[0].level_percent == 7);
    CHECK(scalar.snapshot.supplies[0].state == proto::SupplyState::low);
    // Toshiba's "B" version reads as the panel's "V"; the boot loader's version is not taken.
    const auto toshiba = test::collect(partial("toshiba-private"));
    CHECK(toshiba.sources.at("identity.vendor").rfind("1.3.6.1.4.1.1129.", 0) == 0);
    CHECK(toshiba.sources.at("profile").find("toshiba") != std::string::npos);
}

TEST_CASE("malformed private identity objects give no value, never junk", "[identity][partial]") {
    auto r = test::collect(partial("epson-malformed"));
    CHECK(r.snapshot.identity.vendor == "Epson");
    CHECK(r.snapshot.identity.model == "L3250 Series");
    CHECK(r.snapshot.identity.serial.empty());
    CHECK(r.snapshot.identity.firmware.empty());
    CHECK(has_note(r, "serial ignored (all zeros)"));
    CHECK(has_note(r, "firmware ignored (binary data)"));

    r = test::collect(partial("toshiba-malformed"));
    CHECK(r.snapshot.identity.vendor == "Toshiba TEC");
    CHECK(r.snapshot.identity.model == "e-STUDIO3015AC");
    CHECK(r.snapshot.identity.serial.empty());
    CHECK(r.snapshot.identity.firmware.empty());
    // Its serial object answers an OBJECT IDENTIFIER: refused as no text at all.
    CHECK(has_note(r, "expected a string, got another type; ignored"));
    CHECK(has_note(r, "firmware ignored (longer than any real value)"));

    r = test::collect(partial("oki-malformed"));
    CHECK(r.snapshot.identity.vendor == "OKI");
    CHECK(r.snapshot.identity.model == "B432");
    CHECK(r.snapshot.identity.serial.empty());
    CHECK(has_note(r, "serial ignored (longer than any real value)"));

    r = test::collect(partial("pantum-malformed"));
    CHECK(r.snapshot.identity.vendor == "Pantum");
    CHECK(r.snapshot.identity.model == "P2500W Series");
    CHECK(r.snapshot.identity.serial.empty());
    CHECK(r.snapshot.identity.firmware.empty());
    CHECK(has_note(r, "serial ignored (a placeholder)"));
    CHECK(has_note(r, "serial ignored (one character repeated)"));
    CHECK(has_note(r, "firmware ignored (all zeros)"));

    // Junk in every vendor's objects names no vendor: nothing rather than a guess.
    r = test::collect(partial("private-junk"));
    const auto& id = r.snapshot.identity;
    CHECK(id.vendor.empty());
    CHECK(id.model.empty());
    CHECK(id.serial.empty());
    CHECK(id.firmware.empty());
    CHECK(r.sources.count("profile") == 0);
}

TEST_CASE("junk in the standard identity objects is no value either", "[identity]") {
    MibView v;
    put_text(v, kSysDescr, "KYOCERA Document Solutions Printing System");
    put_oid(v, kSysObjectId, "1.3.6.1.4.1.1347.41");
    put_text(v, "1.3.6.1.2.1.43.5.1.1.17.1", "000000000000");  // prtGeneralSerialNumber
    put_text(v, "1.3.6.1.4.1.1347.43.5.1.1.28.1", "VCF0009876");
    put_text(v, kHrDescr1, "unknown");
    put_text(v, "1.3.6.1.4.1.1347.43.5.1.1.1.1", std::string("\x01\x02\x03\x04", 4));
    const auto r = test::collect(v);
    CHECK(r.snapshot.identity.vendor == "Kyocera");
    CHECK(r.snapshot.identity.serial == "VCF0009876");  // the private serial, not the zeros
    CHECK(r.snapshot.identity.model.empty());
    CHECK(has_note(r, "1.3.6.1.2.1.43.5.1.1.17.1: serial ignored (all zeros)"));
}

TEST_CASE("an agent describing its operating system names no model; the printer's objects do",
          "[identity]") {
    MibView v;
    put_text(v, kSysDescr, "Linux localhost 4.4.0 #1 SMP PREEMPT armv7l");
    put_oid(v, kSysObjectId, "1.3.6.1.4.1.8072.3.2.10");  // net-snmp's Linux agent
    auto r = test::collect(v);
    CHECK(r.snapshot.identity.vendor.empty());
    CHECK(r.snapshot.identity.model.empty());
    for (const char* banner : {"VxWorks SNMPv1/v2c Agent", "Windows 10 Embedded",
                               "NetBSD 9.1 (PRINTER)", "ThreadX/SNMP"}) {
        put_text(v, kSysDescr, banner);
        CHECK(test::collect(v).snapshot.identity.model.empty());
    }
    // The printer's own hrDeviceDescr names it.
    put_text(v, kSysDescr, "Linux localhost 4.4.0 #1 SMP PREEMPT armv7l");
    put_text(v, kHrDescr1, "FUJIFILM Apeos C7580");
    r = test::collect(v);
    CHECK(r.snapshot.identity.vendor == "FUJIFILM");
    CHECK(r.snapshot.identity.model == "Apeos C7580");
    // A device named like a system is still a model when its sysDescr is all there is.
    MibView m;
    put_text(m, kSysDescr, "Lexmark MS510dn version PP.01 kernel 2.6");
    CHECK(test::collect(m).snapshot.identity.model == "MS510dn");
    // The words are profile data: a support override adds a system nobody listed, and a print
    // server card's name anywhere in the text.
    MibView rtos;
    put_text(rtos, kSysDescr, "Mercury RTX 2.1 SNMP agent");
    CHECK(test::collect(rtos).snapshot.identity.model == "Mercury RTX 2.1 SNMP agent");
    auto extended = test::builtin_profiles();
    extended.load_text("site.toml",
                       "[not_a_model]\nfirst_words = [\"mercury\"]\ncontaining = [\"printsrv\"]\n");
    extended.validate();
    CHECK(test::collect(rtos, extended).snapshot.identity.model.empty());
    put_text(rtos, kSysDescr, "ACME Laser 9000, PRINTSRV 4.2");
    CHECK(test::collect(rtos).snapshot.identity.model == "ACME Laser 9000");
    CHECK(test::collect(rtos, extended).snapshot.identity.model.empty());
    // The embedded list still applies beside the override's.
    put_text(rtos, kSysDescr, "Linux localhost 4.4.0 #1 SMP PREEMPT armv7l");
    CHECK(test::collect(rtos, extended).snapshot.identity.model.empty());
}

TEST_CASE("Konica Minolta: the machine's own total wins, mono/colour derived per function",
          "[identity][partial][counters]") {
    const auto r = test::collect(partial("konica-counters"));
    const auto& c = r.snapshot.counters;
    CHECK(r.snapshot.identity.vendor == "Konica Minolta");
    CHECK(r.snapshot.identity.model == "bizhub C300i");
    CHECK(c.at("total") == 20000);  // not prtMarkerLifeCount's 20004
    CHECK(c.at("mono") == 14000);
    CHECK(c.at("color") == 6000);
    CHECK(c.at("copy_total") == 4000);
    CHECK(c.at("print_total") == 16000);
    CHECK(c.at("duplex") == 4100);
    CHECK(r.sources.at("counters.mono").rfind("derived: copy_mono + print_mono", 0) == 0);
    // Large paper per colour and function, summed like the small; 2-colour pages apart.
    CHECK(c.at("mono_large") == 1000);
    CHECK(c.at("color_large") == 200);
    CHECK(c.at("total_large") == 1200);
    CHECK(c.at("copy_color_large") == 50);
    CHECK(c.at("copy_two_color") == 40);
    CHECK(c.at("print_two_color") == 0);
    CHECK(c.at("two_color") == 40);
    // Single colour (colour index 3) apart from full colour, as the counter sheet has it.
    CHECK(c.at("copy_single_color") == 25);
    CHECK(c.at("print_single_color") == 10);
    CHECK(c.at("single_color") == 35);
    CHECK(c.at("color") == 6000);  // full colour only
    CHECK(c.at("scan_large") == 120);
    CHECK(c.at("scan_send") == 1150);  // black + colour sent
    // A part missing: no derived value rather than a partial sum.
    auto view = partial("konica-counters");
    view.erase(O("1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.2.2"));
    view.erase(O("1.3.6.1.4.1.18334.1.1.1.5.7.2.3.1.11.1"));  // and its fallback
    const auto r2 = test::collect(view);
    CHECK(r2.snapshot.counters.count("color") == 0);
    CHECK(r2.snapshot.counters.count("print_total") == 0);
    CHECK(r2.snapshot.counters.at("mono") == 14000);
    view.erase(O("1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.7.2.2"));
    const auto r3 = test::collect(view);
    CHECK(r3.snapshot.counters.count("color_large") == 0);
    CHECK(r3.snapshot.counters.count("total_large") == 0);
    CHECK(r3.snapshot.counters.at("mono_large") == 1000);
}

TEST_CASE(
    "Konica Minolta: print and scan counts from the 3.1 table when the usual cells are missing",
    "[identity][partial][counters]") {
    const auto r = test::collect(partial("konica-counters-print31"));
    const auto& c = r.snapshot.counters;
    CHECK(r.snapshot.identity.vendor == "Konica Minolta");
    CHECK(c.at("print_mono") == 6100);
    CHECK(c.at("print_color") == 1500);
    CHECK(c.at("mono") == 7300);  // copy 1200 + print 6100
    CHECK(c.at("color") == 1800);
    CHECK(c.at("print_total") == 7600);
    CHECK(c.at("scan_total") == 2400);
    CHECK(c.at("scan_large") == 80);
    CHECK(r.sources.at("counters.print_mono").find("18334.1.1.1.5.7.2.3.1.7.1") !=
          std::string::npos);
    // Where both answer, the 2.1.5 cells win (konica-counters has 10990 / 4990 in 3.1).
    const auto both = test::collect(partial("konica-counters"));
    CHECK(both.snapshot.counters.at("print_mono") == 11000);
    CHECK(both.snapshot.counters.at("print_color") == 5000);
    CHECK(both.snapshot.counters.at("scan_large") == 120);  // 1.2.0, not 3.1.6.1's 1
    // Neither: no print split and no derived sums, never a guess.
    auto view = partial("konica-counters-print31");
    view.erase(O("1.3.6.1.4.1.18334.1.1.1.5.7.2.3.1.7.1"));
    const auto none = test::collect(view);
    CHECK(none.snapshot.counters.count("print_mono") == 0);
    CHECK(none.snapshot.counters.count("mono") == 0);
    CHECK(none.snapshot.counters.at("print_color") == 1500);
}

TEST_CASE(
    "A printer-only model's black/colour split from the functions it has, only when they "
    "make up its total",
    "[identity][partial][counters]") {
    // A printer-only Konica Minolta answers print cells and no copy cells: the profile's sums
    // need both, but print black + print colour equal to the machine's total is every page.
    const std::string km = "1.3.6.1.4.1.18334.1.1.1.5.7.2.";
    auto view = partial("konica-counters-print31");
    view.erase(O(km + "2.1.5.1.1"));
    view.erase(O(km + "2.1.5.2.1"));
    put_int(view, km + "1.1.0", 7600);  // 6100 + 1500
    const auto r = test::collect(view);
    const auto& c = r.snapshot.counters;
    CHECK(c.count("copy_mono") == 0);
    CHECK(c.at("total") == 7600);
    CHECK(c.at("mono") == 6100);
    CHECK(c.at("color") == 1500);
    CHECK(c.at("print_total") == 7600);
    CHECK(provenance(r.sources.at("counters.mono")) == "derived");
    CHECK(r.sources.at("counters.color").find("print_color") != std::string::npos);
    // 50 pages the answering functions do not hold (copies, or large sheets counted twice in
    // the total): no split rather than one 50 pages short.
    put_int(view, km + "1.1.0", 7650);
    const auto short_of = test::collect(view).snapshot.counters;
    CHECK(short_of.at("total") == 7650);
    CHECK(short_of.count("mono") == 0);
    CHECK(short_of.count("color") == 0);
    // Only one of a function's two cells: that function is not used.
    put_int(view, km + "1.1.0", 6100);
    view.erase(O(km + "3.1.11.1"));
    const auto half = test::collect(view).snapshot.counters;
    CHECK(half.count("print_color") == 0);
    CHECK(half.count("mono") == 0);
    // The device's own split is never replaced: the full recording keeps its per-function sum.
    const auto full = test::collect(partial("konica-counters-print31"));
    CHECK(full.snapshot.counters.at("mono") == 7300);
    CHECK(full.sources.at("counters.mono").find("copy_mono + print_mono") != std::string::npos);
}

TEST_CASE("Xerox: impressions include copies, so black/colour are never copies + impressions",
          "[identity][partial][counters]") {
    const auto r = test::collect(partial("xerox-counters"));
    const auto& c = r.snapshot.counters;
    CHECK(r.snapshot.identity.vendor == "Xerox");
    // Index 1, the machine's total impressions, wins over prtMarkerLifeCount's 39096.
    CHECK(c.at("total") == 39100);
    CHECK(provenance(r.sources.at("counters.total")) == "private");
    // The machine's own black and colour impressions (34 / 33), not 4100 + 25900.
    CHECK(c.at("mono") == 25900);
    CHECK(c.at("color") == 13200);
    CHECK(provenance(r.sources.at("counters.mono")) == "private");
    CHECK(c.at("print_mono") == 21800);
    CHECK(c.at("print_color") == 12300);
    CHECK(c.at("copy_mono") == 4100);
    CHECK(c.at("copy_color") == 900);
    CHECK(c.at("print_total") == 34100);
    CHECK(c.at("copy_total") == 5000);
    // Printed + copied are the impressions on this machine, as on the real one.
    CHECK(c.at("print_mono") + c.at("copy_mono") == c.at("mono"));
    CHECK(c.at("mono") + c.at("color") == c.at("total"));
    CHECK(c.at("mono_large") == 1500);
    CHECK(c.at("color_large") == 800);
    CHECK(c.at("total_large") == 2300);
    CHECK(c.at("fax_total") == 640);
    CHECK(c.at("scan_network") == 2200);
    CHECK(c.at("scan_email") == 1300);
    CHECK(c.at("scan_send") == 3500);  // network + e-mail; fax images sent are not scans
    // Without index 1 the standard total stands; without both, black + colour.
    auto no_own = partial("xerox-counters");
    no_own.erase(O("1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.1"));
    const auto s = test::collect(no_own);
    CHECK(s.snapshot.counters.at("total") == 39096);
    CHECK(provenance(s.sources.at("counters.total")) == "standard");
    no_own.erase(O("1.3.6.1.2.1.43.10.2.1.4.1.1"));
    const auto neither = test::collect(no_own);
    CHECK(neither.snapshot.counters.at("total") == 39100);
    CHECK(neither.sources.at("counters.total").rfind("derived: mono + color", 0) == 0);
    // Index 1 answered as junk: ignored with a note, the standard total stands.
    auto junk = partial("xerox-counters");
    put_text(junk, "1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.1", "n/a");
    CHECK(test::collect(junk).snapshot.counters.at("total") == 39096);
    // Without the impressions cells, black/colour are printed + copied (derived).
    auto view = partial("xerox-counters");
    view.erase(O("1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.34"));
    view.erase(O("1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.33"));
    const auto d = test::collect(view);
    CHECK(d.snapshot.counters.at("mono") == 25900);
    CHECK(d.snapshot.counters.at("color") == 13200);
    CHECK(provenance(d.sources.at("counters.mono")) == "derived");
    // A Fuji Xerox answers the same XCMI table: its own profile reads the same cells.
    auto fuji = partial("xerox-counters");
    put_text(fuji, "1.3.6.1.2.1.1.1.0", "FUJI XEROX ApeosPort-V C3375");
    put_oid(fuji, "1.3.6.1.2.1.1.2.0", "1.3.6.1.4.1.297.1.11.93.1.35.34.7.1");
    fuji.erase(O("1.3.6.1.2.1.25.3.2.1.3.1"));
    const auto f = test::collect(fuji);
    CHECK(f.snapshot.identity.vendor == "Fuji Xerox");
    CHECK(f.snapshot.counters.at("mono") == 25900);
    CHECK(f.snapshot.counters.at("copy_mono") == 4100);
    CHECK(f.snapshot.counters.at("total") == 39100);
    CHECK(f.sources.at("counters.mono").find("profile:fujixerox") != std::string::npos);
}

TEST_CASE("Xerox: copier on hrDevice row 11, no impressions cells, no prtMarkerLifeCount",
          "[identity][partial][counters]") {
    const auto r = test::collect(partial("xerox-counters-row11"));
    const auto& c = r.snapshot.counters;
    CHECK(r.snapshot.identity.vendor == "Xerox");
    CHECK(c.at("copy_mono") == 800);
    CHECK(c.at("copy_color") == 300);
    CHECK(c.at("mono") == 5800);
    CHECK(c.at("color") == 2300);
    CHECK(c.at("print_total") == 7000);
    CHECK(c.at("copy_total") == 1100);
    CHECK(c.at("total") == 8100);
    CHECK(r.sources.at("counters.total").rfind("derived: mono + color", 0) == 0);
    // A part missing: no colour and so no total, never a partial sum.
    auto view = partial("xerox-counters-row11");
    view.erase(O("1.3.6.1.4.1.253.8.53.13.2.1.6.11.20.25"));
    const auto m = test::collect(view);
    CHECK(m.snapshot.counters.count("color") == 0);
    CHECK(m.snapshot.counters.count("total") == 0);
    CHECK(m.snapshot.counters.at("mono") == 5800);
}

TEST_CASE("OKI: toner levels from OKI's own supplies table where the Printer-MIB has none",
          "[identity][partial][supplies]") {
    const auto r = test::collect(partial("oki-toner-private"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "OKI");
    CHECK(s.identity.model == "C532");
    // Toners (yellow's 250 is no percentage), three drums and the belt; the yellow drum used
    // past its life and the fuser without a life give nothing.
    REQUIRE(s.supplies.size() == 7);
    CHECK(supply_named(s, "Black Image Drum")->level_percent == 80);  // 4000 of 20000 used
    CHECK(supply_named(s, "Cyan Image Drum")->level_percent == 40);
    CHECK(supply_named(s, "Magenta Image Drum")->level_percent == 100);
    CHECK(supply_named(s, "Black Image Drum")->type == "opc");
    CHECK(supply_named(s, "Belt Unit")->level_percent == 21);  // (60000 - 47371) / 60000
    CHECK(supply_named(s, "Yellow Image Drum") == nullptr);
    CHECK(supply_named(s, "Fuser Unit") == nullptr);
    CHECK(has_note(r, "25000 of 20000 is no share of Yellow Image Drum"));
    CHECK(has_note(r, "9000 of 0 is no share of Fuser Unit"));
    CHECK(
        r.sources.at("supplies.Belt Unit").find("used of 1.3.6.1.4.1.2001.1.1.1.1.100.5.1.1.4.1") !=
        std::string::npos);
    const auto* black = supply_named(s, "Black Toner");
    REQUIRE(black != nullptr);
    CHECK(black->level_percent == 45);
    CHECK(black->color == "black");
    CHECK(black->type == "toner");
    CHECK(supply_named(s, "Cyan Toner")->level_percent == 80);
    CHECK(supply_named(s, "Magenta Toner")->level_percent == 0);
    CHECK(supply_named(s, "Yellow Toner") == nullptr);
    CHECK(provenance(r.sources.at("supplies.Black Toner")) == "private");
    CHECK(has_note(r, "2001.1.1.1.1.100.3.1.1.3.4"));
    // A Printer-MIB black toner with its own percentage stands; OKI's table adds the rest.
    auto view = partial("oki-toner-private");
    put_black_toner(view, "Black Toner Cartridge", 30);
    const auto std_r = test::collect(view);
    const auto* std_black = supply_named(std_r.snapshot, "Black Toner Cartridge");
    REQUIRE(std_black != nullptr);
    CHECK(std_black->level_percent == 30);
    CHECK(supply_named(std_r.snapshot, "Black Toner") == nullptr);
    CHECK(supply_named(std_r.snapshot, "Cyan Toner")->level_percent == 80);
}

TEST_CASE(
    "Lexmark: supplies, their verdicts and the printer's state from Lexmark's own MIBs where "
    "the standard ones are missing",
    "[identity][partial][supplies][status]") {
    const auto r = test::collect(partial("lexmark-mps-only"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Lexmark");
    CHECK(s.identity.model == "CS421dn");
    CHECK(s.identity.serial == "50128RH123456");
    // Seven rows: the waste bottle is not read, yellow (no capacity, verdict unknown) gives
    // nothing.
    REQUIRE(s.supplies.size() == 5);
    const auto* cyan = supply_named(s, "Cyan Cartridge");
    REQUIRE(cyan != nullptr);
    CHECK(cyan->level_percent == 70);  // 1610 of 2300 remaining
    CHECK(cyan->color == "cyan");
    CHECK(cyan->type == "toner");
    CHECK(cyan->state == proto::SupplyState::ok);
    CHECK(r.sources.at("supplies.Cyan Cartridge")
              .find("641.6.4.4.1.1.16.1.2 of 1.3.6.1.4.1.641.6.4.4.1.1.14.1.2") !=
          std::string::npos);
    CHECK(provenance(r.sources.at("supplies.Cyan Cartridge")) == "private");
    // The gauge says 30 %, the printer says low: low, and no 30 % shown.
    const auto* black = supply_named(s, "Black Cartridge");
    REQUIRE(black != nullptr);
    CHECK(black->state == proto::SupplyState::low);
    CHECK_FALSE(black->level_percent.has_value());
    CHECK(black->color == "black");
    const auto* drum = supply_named(s, "Imaging Unit");
    REQUIRE(drum != nullptr);
    CHECK(drum->type == "opc");
    CHECK(drum->color.empty());  // "none"
    CHECK(drum->level_percent == 75);
    const auto* fuser = supply_named(s, "Fuser");
    REQUIRE(fuser != nullptr);
    CHECK(fuser->type == "fuser");
    CHECK(fuser->state == proto::SupplyState::empty);
    CHECK(fuser->level_percent == 0);
    // More remaining than its capacity: no level, the printer's "ok" stands.
    const auto* magenta = supply_named(s, "Magenta Cartridge");
    REQUIRE(magenta != nullptr);
    CHECK_FALSE(magenta->level_percent.has_value());
    CHECK(magenta->state == proto::SupplyState::ok);
    CHECK(has_note(r, "2400 of 2300 is no share of Magenta Cartridge's capacity"));
    CHECK(supply_named(s, "Yellow Cartridge") == nullptr);
    CHECK(has_note(r, "500 of 0 is no share of Yellow Cartridge's capacity"));
    CHECK(supply_named(s, "Waste Toner Bottle") == nullptr);
    CHECK(has_note(r, "Waste Toner Bottle is of a kind not read (10)"));
    // prtgenStatusTable: the jam is set, the input tray's "unknown" says nothing.
    CHECK(s.status.device == proto::DeviceStatus::down);
    CHECK(s.status.errors == std::vector<std::string>{"jammed"});
    CHECK(r.sources.at("status.errors").find("641.2.1.3.1.5.1") != std::string::npos);
    CHECK(r.sources.at("status.errors").find("641.2.1.3.1.4.1") == std::string::npos);

    // All clear: a running printer. The input tray's "unknown" is not read as clear.
    auto view = partial("lexmark-mps-only");
    put_int(view, "1.3.6.1.4.1.641.2.1.3.1.5.1", 1);
    auto clear = test::collect(view);
    CHECK(clear.snapshot.status.device == proto::DeviceStatus::running);
    CHECK(clear.snapshot.status.errors.empty());
    CHECK(clear.sources.at("status.device").find("(all clear)") != std::string::npos);
    CHECK(clear.sources.at("status.device").find("641.2.1.3.1.4.1") == std::string::npos);

    // With the Printer-MIB's own black toner at 60 %: the row is the same unit (kind and
    // colour), no second black toner; its gauge is kept only as far as the printer's "low"
    // allows (the claim drops the 60 %).
    put_black_toner(view, "Black Toner", 60);
    const auto both = test::collect(view);
    CHECK(supply_named(both.snapshot, "Black Cartridge") == nullptr);
    const auto* std_black = supply_named(both.snapshot, "Black Toner");
    REQUIRE(std_black != nullptr);
    CHECK(std_black->state == proto::SupplyState::low);
    CHECK_FALSE(std_black->level_percent.has_value());
    CHECK(supply_named(both.snapshot, "Cyan Cartridge")->level_percent == 70);
    // The printer no longer calls it low: the Printer-MIB's 60 % stands.
    put_int(view, "1.3.6.1.4.1.641.6.4.4.1.1.12.1.1", 3);
    const auto ok = test::collect(view);
    CHECK(supply_named(ok.snapshot, "Black Toner")->level_percent == 60);
}

TEST_CASE("Lexmark's supply and status tables holding junk give notes, never values",
          "[identity][partial][supplies][status]") {
    const auto r = test::collect(partial("lexmark-mps-malformed"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Lexmark");
    CHECK(s.identity.model == "MS621dn");
    // Only the imaging unit is whole (its binary colour is no colour); the spare cartridge's
    // capacity is text, so only the printer's "ok" is known of it.
    REQUIRE(s.supplies.size() == 2);
    const auto* drum = supply_named(s, "Imaging Unit");
    REQUIRE(drum != nullptr);
    CHECK(drum->level_percent == 50);
    CHECK(drum->color.empty());
    const auto* spare = supply_named(s, "Spare Black Cartridge");
    REQUIRE(spare != nullptr);
    CHECK_FALSE(spare->level_percent.has_value());
    CHECK(spare->state == proto::SupplyState::ok);
    CHECK(has_note(r, "Black Cartridge is of a kind not read"));
    CHECK(has_note(r, "Mystery Unit is of a kind not read (99)"));
    CHECK(has_note(r, "is no share of Spare Black Cartridge's capacity"));
    CHECK(has_note(r, "-5 is no level of Fuser"));
    CHECK(has_note(r, "a supply row without a name"));
    // Flags: a jam code outside 1..3 and a text cover flag say nothing; service clear.
    CHECK(s.status.errors.empty());
    CHECK(s.status.device == proto::DeviceStatus::running);
    CHECK(r.sources.at("status.device").find("641.2.1.3.1.7.1") != std::string::npos);
}

TEST_CASE("Kyocera: the panel's status line where the Printer-MIB has no console text",
          "[identity][partial][status]") {
    const auto r = test::collect(partial("kyocera-panel-text"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Kyocera");
    CHECK(s.identity.model == "ECOSYS M2135dn");
    CHECK(s.status.console == "Добавьте бумагу в кассету 1.");
    CHECK(r.sources.at("status.console").find("1347.43.18.2.1.2.1.1") != std::string::npos);
    CHECK(provenance(r.sources.at("status.console")) == "private");
    // What the text says: no paper, so the printer is stopped.
    CHECK(s.status.errors == std::vector<std::string>{"no_paper"});
    CHECK(s.status.device == proto::DeviceStatus::down);

    // Asleep ("Low Power" mode, in Russian): a running printer, no condition.
    auto view = partial("kyocera-panel-text");
    put_text(view, "1.3.6.1.4.1.1347.43.18.2.1.2.1.1", "Малая мощность");
    const auto asleep = test::collect(view);
    CHECK(asleep.snapshot.status.device == proto::DeviceStatus::running);
    CHECK(asleep.snapshot.status.errors.empty());
    // The Printer-MIB's console, when there is one, stands.
    put_text(view, "1.3.6.1.2.1.43.16.5.1.2.1.1", "Ready");
    CHECK(test::collect(view).snapshot.status.console == "Ready");
}

TEST_CASE(
    "Pantum: state and conditions from its status group where the standard MIBs say "
    "nothing",
    "[identity][partial][status]") {
    const auto r = test::collect(partial("pantum-status"));
    const auto& s = r.snapshot;
    CHECK(s.identity.vendor == "Pantum");
    CHECK(s.identity.model == "P3300DN Series");
    // Paper 0x0183: the tray octet is masked off, 0x83 is "out of paper"; toner 4 is low.
    CHECK(s.status.errors == std::vector<std::string>{"no_paper", "low_toner"});
    CHECK(s.status.device == proto::DeviceStatus::down);
    const auto& where = r.sources.at("status.errors");
    CHECK(where.find("40093.6.2.5") != std::string::npos);
    CHECK(where.find("40093.6.2.5, ") == std::string::npos);  // named once for four flags
    CHECK(provenance(where) == "private");
    // The printer's low toner also holds its gauge (9 %) low.
    REQUIRE(supply_named(s, "Toner Cartridge") != nullptr);
    CHECK(supply_named(s, "Toner Cartridge")->state == proto::SupplyState::low);

    auto view = partial("pantum-status");
    const std::string st = "1.3.6.1.4.1.40093.6.2";
    // Toner fine, a jam in the manual tray (0x0299), the front cover open.
    put_int(view, st + ".2", 0);
    put_int(view, st + ".5", 0x0299);
    put_int(view, st + ".4", 1);
    auto jam = test::collect(view);
    CHECK(jam.snapshot.status.errors == std::vector<std::string>{"door_open", "jammed"});
    CHECK(jam.snapshot.status.device == proto::DeviceStatus::down);
    // Everything fine (the automatic tray's own "fine" code 0x018A): running.
    put_int(view, st + ".4", 0);
    put_int(view, st + ".5", 0x018A);
    auto fine = test::collect(view);
    CHECK(fine.snapshot.status.errors.empty());
    CHECK(fine.snapshot.status.device == proto::DeviceStatus::running);
    // A code no source names (a feed failure 0x02, a toner code 9): says nothing, the
    // others still read clear.
    put_int(view, st + ".5", 0x02);
    put_int(view, st + ".2", 9);
    auto odd = test::collect(view);
    CHECK(odd.snapshot.status.errors.empty());
    CHECK(odd.snapshot.status.device == proto::DeviceStatus::running);
    CHECK(odd.sources.at("status.device").find("40093.6.2.5") == std::string::npos);
    // Empty toner, a drum not installed: both stop it.
    put_int(view, st + ".2", 3);
    put_int(view, st + ".3", 1);
    auto out = test::collect(view);
    CHECK(out.snapshot.status.errors ==
          std::vector<std::string>{"no_toner", "marker_supply_missing"});
    CHECK(out.snapshot.status.device == proto::DeviceStatus::down);
}

TEST_CASE("Dell on other makers' engines: model and serial from the engine's objects",
          "[identity][partial]") {
    // No system group: the Fuji Xerox engine's device ID names Dell (it is no evidence of
    // Xerox, whose subtree serves it).
    const auto x = test::collect(partial("dell-xerox-engine"));
    CHECK(x.snapshot.identity.vendor == "Dell");
    CHECK(x.snapshot.identity.model == "Laser Printer 3110cn");
    CHECK(x.snapshot.identity.serial == "CN0F1234");
    // Dell's sysObjectID and sysDescr without a model: the Lexmark engine's prtgenDeviceId.
    const auto l = test::collect(partial("dell-lexmark-engine"));
    CHECK(l.snapshot.identity.vendor == "Dell");
    CHECK(l.snapshot.identity.model == "Laser Printer 1720dn");  // the vendor word stripped
    CHECK(l.snapshot.identity.serial == "7PG9ABC");
    CHECK(l.sources.at("identity.model").find("641.2.1.2.1.3.1") != std::string::npos);
}

TEST_CASE("A Ricoh-made brand without the system group: its device ID object names it",
          "[identity][partial]") {
    const auto r = test::collect(partial("ricoh-oem-lanier"));
    CHECK(r.snapshot.identity.vendor == "Lanier");
    CHECK(r.snapshot.identity.model == "MP C3004");
    CHECK(r.snapshot.identity.serial == "E155M123456");
    CHECK(r.sources.at("profile").find("ricoh") != std::string::npos);
}

TEST_CASE("Samsung from its second model object alone", "[identity][partial]") {
    const auto r = test::collect(partial("samsung-model-alt"));
    CHECK(r.snapshot.identity.vendor == "Samsung");
    CHECK(r.snapshot.identity.model == "CLX-3185");
    CHECK(r.snapshot.identity.serial == "Z6PSBAAZ900123");
}

TEST_CASE("Samsung's sysDescr in every firmware generation's layout", "[identity]") {
    struct Case {
        const char* descr;
        const char* model;
        const char* firmware;
        const char* serial;
    };
    for (const auto& c : {
             Case{"Samsung ML-2850 Series OS 1.03.00.16 01-22-2008;Engine 1.01.06;NIC "
                  "V4.01.02(ML-285x) 09-13-2007;S/N 4F66BKEQ410592R",
                  "ML-2850", "1.03.00.16", "4F66BKEQ410592R"},
             Case{"Samsung CLP-610 Series; OS 1.29.01.22 11-23-2007;Engine 1.00.83;NIC "
                  "V4.01.01(CLP-610) 10-01-2007;S/N 4D21B1BPC00621X",
                  "CLP-610", "1.29.01.22", "4D21B1BPC00621X"},
             Case{"Samsung CLX-3160 Series; OS V1.01.01.16 02-25-2008;Engine 6.01.00;NIC "
                  "V4.03.08(CLX-3160) 02-25-2008;S/N 8Y61B1GP400065Y",
                  "CLX-3160", "1.01.01.16", "8Y61B1GP400065Y"},
             Case{"Samsung Samsung M288x Series; V3.00.01.16     JAN-10-2017;Engine V1.00.14 "
                  "10-16-2015;NIC 31.03.60_0.1_13-11-18;S/N NA06B07K522GN5A",
                  "M288x", "3.00.01.16", "NA06B07K522GN5A"},
             Case{"Samsung X7600GX; V11.01.05.15_06-24-2015;Engine V1.00.77 06-21-2015;NIC ;S/N "
                  "082MB1EG400002T",
                  "X7600GX", "11.01.05.15", "082MB1EG400002T"},
         }) {
        INFO(c.descr);
        MibView v;
        put_text(v, kSysDescr, c.descr);
        put_oid(v, kSysObjectId, "1.3.6.1.4.1.236.11.5.1");
        const auto id = test::collect(v).snapshot.identity;
        CHECK(id.vendor == "Samsung");
        CHECK(id.model == c.model);
        CHECK(id.firmware == c.firmware);  // never the engine's or the NIC's version
        CHECK(id.serial == c.serial);
    }
}

TEST_CASE("Samsung's private black toner percentage fills a coarse Printer-MIB gauge",
          "[identity][partial][supplies]") {
    auto view = partial("samsung-private-toner");
    auto r = test::collect(view);
    REQUIRE(r.snapshot.supplies.size() == 1);
    const auto& toner = r.snapshot.supplies.front();
    CHECK(toner.description == "Black Toner Cartridge S/N:CRUM-18031417213");
    CHECK(toner.level_percent == std::optional<int>(35));
    // A Printer-MIB percentage stands; the private value never overrides it.
    put_int(view, "1.3.6.1.2.1.43.11.1.1.8.1.1", 100);
    put_int(view, "1.3.6.1.2.1.43.11.1.1.9.1.1", 80);
    r = test::collect(view);
    REQUIRE(r.snapshot.supplies.size() == 1);
    CHECK(r.snapshot.supplies.front().level_percent == std::optional<int>(80));
    // No Printer-MIB supply at all: the private level is the black toner.
    MibView bare;
    for (const auto& [oid, v] : partial("samsung-private-toner")) {
        if (!snmp::starts_with(oid, O("1.3.6.1.2.1.43"))) bare.emplace(oid, v);
    }
    r = test::collect(bare);
    REQUIRE(r.snapshot.supplies.size() == 1);
    CHECK(r.snapshot.supplies.front().color == "black");
    CHECK(r.snapshot.supplies.front().level_percent == std::optional<int>(35));
    // Out of range (an agent's -2 "unknown", 255): no level, never garbage.
    for (const std::int64_t odd : {-2, 255}) {
        put_int(bare, "1.3.6.1.4.1.236.11.5.1.1.3.22.0", odd);
        r = test::collect(bare);
        for (const auto& sup : r.snapshot.supplies) CHECK_FALSE(sup.level_percent.has_value());
    }
}

TEST_CASE("provenance of every value: standard, private or derived", "[identity][provenance]") {
    const auto r = test::collect(partial("konica-counters"));
    CHECK(provenance(r.sources.at("counters.mono")) == "derived");
    CHECK(provenance(r.sources.at("counters.total")) == "private");    // Konica's own total
    CHECK(provenance(r.sources.at("identity.vendor")) == "standard");  // sysDescr
    const auto b = test::collect(partial("brother-private"));
    CHECK(provenance(b.sources.at("identity.vendor")) == "private");  // Brother's 1284 copy
    CHECK(provenance(b.sources.at("supplies.Drum Unit")) == "private");
    CHECK(provenance(b.sources.at("supplies")) == "standard");
    const auto p = test::collect(partial("generic-ppm"));
    CHECK(provenance(p.sources.at("identity.vendor")) == "standard");  // PWG Port Monitor MIB
    for (const auto* res : {&r, &b, &p}) {
        for (const auto& [field, source] : res->sources) {
            INFO(field << " <- " << source);
            const auto kind = provenance(source);
            CHECK((kind == "standard" || kind == "private" || kind == "derived"));
        }
    }
}

TEST_CASE("Ricoh engine counter table: split counters by type, own total wins",
          "[identity][partial][counters]") {
    const auto r = test::collect(partial("ricoh-counters"));
    const auto& c = r.snapshot.counters;
    CHECK(r.snapshot.identity.vendor == "Ricoh");
    const std::map<std::string, std::int64_t> want = {
        {"total", 52000},  // type 10, not prtMarkerLifeCount's 52003
        {"copy_total", 12000}, {"copy_mono", 9000},    {"copy_color", 3000},  // 202 + 203
        {"fax_total", 400},    {"print_total", 39600}, {"print_mono", 30000},
        {"print_color", 9600},  // 402 + 403
        {"scan_color", 1200},   // 873
        {"scan_mono", 2900},    // 874
        {"scan_total", 4100},   // 873 + 874; never 870 (all sends, fax included) or 871
        {"fax_mono", 380},      // 301
        {"fax_color", 20},      // 302 + 303
        {"mono", 39380},        // copy + print + fax, black & white
        {"color", 12620},       // copy + print + fax, colour
        {"total_large", 4200},  // 700: prints on A3/DLT and larger
        {"duplex", 15000},      // 701: sides printed in duplex
    };
    CHECK(c == want);
    CHECK(c.at("mono") + c.at("color") == c.at("total"));
    CHECK(c.at("copy_total") + c.at("print_total") + c.at("fax_total") == c.at("total"));
    CHECK(r.sources.at("counters.duplex").find("type 701") != std::string::npos);
    CHECK(r.sources.at("counters.copy_color").find("type 202+203") != std::string::npos);
    CHECK(provenance(r.sources.at("counters.total")) == "private");
    // A value sent as a string that is no number is ignored with a note; the row of type 400
    // that has one still counts once.
    CHECK(has_note(r, "expected an integer"));
    // Without the table the standard total stands.
    auto view = partial("ricoh-counters");
    for (auto it = view.begin(); it != view.end();) {
        it = snmp::starts_with(it->first, O("1.3.6.1.4.1.367.3.2.1.2.19")) ? view.erase(it)
                                                                           : std::next(it);
    }
    const auto plain = test::collect(view);
    CHECK(plain.snapshot.counters == std::map<std::string, std::int64_t>{{"total", 52003}});
}

TEST_CASE("support workflow: a walk of an unknown device, then a profile line",
          "[identity][support]") {
    // docs/accuracy.md "Support workflow": the walk of an unknown maker's printer, read with
    // the built-in profiles, then with the profile written for it.
    const std::string dir = std::string(PRINTMON_SUPPORT_DATA);
    auto view = snmp::read_snmprec_file(dir + "/acme-ap9.snmprec");
    REQUIRE(view.has_value());
    const auto before = test::collect(*view);
    CHECK(before.snapshot.identity.vendor.empty());
    CHECK(before.snapshot.identity.serial.empty());
    CHECK(before.snapshot.counters.count("duplex") == 0);
    // Its panel speaks Finnish, which the built-in words lack: "Väriaine vähissä" (toner low)
    // says nothing, the toner stays "ok" at 20 %.
    REQUIRE(before.snapshot.supplies.size() == 1);
    CHECK(before.snapshot.status.console == "Väriaine vähissä");
    CHECK(before.snapshot.supplies[0].state == proto::SupplyState::ok);

    const auto profiles = ProfileSet::with_overrides(dir + "/profiles");
    const auto after = test::collect(*view, profiles);
    const auto& id = after.snapshot.identity;
    CHECK(id.vendor == "Acme Imaging");
    CHECK(id.model == "AP-9 Laser");
    CHECK(id.serial == "AP9-000417");
    CHECK(id.firmware == "2.4.1");
    CHECK(after.snapshot.counters.at("duplex") == 1930);
    CHECK(after.snapshot.counters.at("total") == 8120);
    CHECK(provenance(after.sources.at("identity.serial")) == "private");
    CHECK(after.sources.at("profile").find("acme.toml") != std::string::npos);
    // words-fi.toml beside it teaches the panel's words: the printer's own "low" is kept.
    REQUIRE(after.snapshot.supplies.size() == 1);
    CHECK(after.snapshot.supplies[0].state == proto::SupplyState::low);
    CHECK(after.snapshot.supplies[0].level_percent == 20);
    CHECK(after.sources.at("supplies.Toner Cartridge AP-90.state").find("console") !=
          std::string::npos);
}
