#include <algorithm>

#include <catch2/catch.hpp>

#include "collector_support.hpp"

using namespace printmon;
using namespace printmon::scanner;
using proto::SupplyClass;
using proto::SupplyState;
using proto::TrayState;

namespace {

proto::Supply supply(std::string description, std::string type, std::string color,
                     std::optional<int> pct, SupplyState state, std::optional<std::int64_t> level,
                     std::optional<std::int64_t> max, std::string unit,
                     SupplyClass cls = SupplyClass::consumed, std::string source = "printer-mib") {
    proto::Supply s;
    s.description = std::move(description);
    s.type = std::move(type);
    s.color = std::move(color);
    s.level_percent = pct;
    s.state = state;
    s.level = level;
    s.max = max;
    s.unit = std::move(unit);
    s.supply_class = cls;
    s.source = std::move(source);
    return s;
}

bool has_note(const CollectResult& r, const std::string& part) {
    return std::any_of(r.notes.begin(), r.notes.end(),
                       [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("special supply levels, receptacles, trays, errors and alerts", "[collector]") {
    const auto r = test::collect_fixture("levels.snmprec");

    proto::DeviceSnapshot want;
    want.address = "10.0.0.1";
    want.polled_at = "2026-01-01T00:00:00Z";
    want.uptime = 1234;
    want.identity.model = "ACME LaserWriter 9000";
    want.identity.serial = "SN-0001";
    want.identity.mac = "0a:1b:2c:3d:4e:5f";  // empty and all-zero interfaces skipped
    want.identity.sys_descr = "ACME LaserWriter 9000 version 1.2.3";
    want.identity.sys_object_id = ".1.3.6.1.4.1.99999.1";
    want.identity.sys_name = "printer-7";
    want.counters = {{"total", 123456}, {"since_power_on", 42}};
    want.supplies = {
        supply("Toner K", "toner", "black", std::nullopt, SupplyState::some_remaining, -3, 100,
               "percent"),
        supply("Toner C", "toner", "cyan", 7, SupplyState::low, 7, 100, "percent"),
        // Unknown maximum in impressions: a count, not a percentage.
        supply("Drum", "opc", "", std::nullopt, SupplyState::some_remaining, 5000, std::nullopt,
               "impressions"),
        supply("Waste Box", "waste_toner", "", std::nullopt, SupplyState::unknown, -2, 100,
               "percent", SupplyClass::receptacle),
        supply("Fuser", "fuser", "", 0, SupplyState::empty, 0, 100000, "impressions"),
        supply("Staples", "staples", "", std::nullopt, SupplyState::unrestricted, -1, std::nullopt,
               "items"),
    };
    proto::Tray t1;
    t1.name = "Tray 1";
    t1.description = "Main paper cassette";  // prtInputDescription
    t1.type = "sheet_feed_auto_removable";
    t1.level = 25;
    t1.max = 500;
    t1.level_percent = 5;
    t1.state = TrayState::low;
    proto::Tray t2;
    t2.name = "Bypass";
    t2.description = "Bypass";      // no prtInputDescription: the name
    t2.type = "sheet_feed_manual";  // no prtInputType: its name says it is fed by hand
    t2.level = -3;
    t2.state = TrayState::ok;
    want.trays = {t1, t2};
    want.status.device = proto::DeviceStatus::warning;
    want.status.printer = proto::PrinterStatus::idle;
    // 0xA040: bits 0 and 2 of the first octet, bit 9 (second octet's 0x40).
    want.status.errors = {"low_paper", "low_toner", "output_tray_missing"};
    want.status.console = "Ready / Tray 1 low";
    want.status.alerts = {proto::Alert{"warning", "input", 808, "Tray 1 low"}};

    CHECK(r.snapshot.identity == want.identity);
    CHECK(r.snapshot.counters == want.counters);
    CHECK(r.snapshot.supplies == want.supplies);
    CHECK(r.snapshot.trays == want.trays);
    CHECK(r.snapshot.status == want.status);
    CHECK(r.snapshot == want);
    CHECK(r.sources.at("counters.total") == "1.3.6.1.2.1.43.10.2.1.4.1.1");
    CHECK(r.sources.at("identity.mac") == "1.3.6.1.2.1.2.2.1.6.3");
}

TEST_CASE("HP's Tray 1 beside other trays is its multi-purpose tray; alone, its main one",
          "[collector]") {
    // Our HP Color LaserJet MFP M477fdw recording: Tray 1 (50 sheets, empty) and Tray 2, both
    // typed sheetFeedAutoNonRemovable by the agent.
    auto view = test::load_fixture("../printers/hp-m477.snmprec");
    const auto r = test::collect(view);
    REQUIRE(r.snapshot.trays.size() == 2);
    CHECK(r.snapshot.trays[0].name == "Tray 1");
    CHECK(r.snapshot.trays[0].type == "sheet_feed_manual");
    CHECK(r.sources.at("trays.Tray 1.type") ==
          "derived: profile:hp names it, not sheet_feed_auto_non_removable");
    CHECK(r.snapshot.trays[1].type == "sheet_feed_auto_non_removable");

    // A removable Tray 1 is a cassette, whatever its number.
    auto removable = view;
    removable[*snmp::parse_oid("1.3.6.1.2.1.43.8.2.1.2.1.1")] =
        snmp::Value{snmp::ValueType::integer, 3, "", {}};
    CHECK(test::collect(removable).snapshot.trays[0].type == "sheet_feed_auto_removable");

    // A LaserJet with one tray (M15, M130) calls its main tray "Tray 1": its emptiness counts.
    for (const char* col : {"2", "8", "9", "10", "13"}) {
        view.erase(*snmp::parse_oid(std::string("1.3.6.1.2.1.43.8.2.1.") + col + ".1.2"));
    }
    const auto alone = test::collect(view);
    REQUIRE(alone.snapshot.trays.size() == 1);
    CHECK(alone.snapshot.trays[0].type == "sheet_feed_auto_non_removable");
    CHECK(alone.sources.count("trays.Tray 1.type") == 0);
}

namespace {

/// `view` without any row of the supply table's description column and the colorant table: a
/// partial agent that answers levels and types only.
void drop_supply_names(snmp::MibView& view) {
    for (auto it = view.begin(); it != view.end();) {
        const auto text = snmp::to_string(it->first);
        const bool drop = text.rfind("1.3.6.1.2.1.43.11.1.1.6.", 0) == 0 ||
                          text.rfind("1.3.6.1.2.1.43.12.", 0) == 0;
        it = drop ? view.erase(it) : std::next(it);
    }
}

const proto::Supply* of_type(const proto::DeviceSnapshot& s, const std::string& type) {
    for (const auto& x : s.supplies) {
        if (x.type == type) return &x;
    }
    return nullptr;
}

}  // namespace

TEST_CASE(
    "A laser's only toner, which nothing names, is black; never a colour printer's, "
    "nor an ink",
    "[collector]") {
    // Our Kyocera ECOSYS M2540 (toner TK-1170, waste box) and Brother L2710 (toner, drum)
    // recordings without supply names and colorants.
    for (const char* name :
         {"../printers/kyocera-m2540.snmprec", "../printers/brother-l2710.snmprec"}) {
        INFO(name);
        auto view = test::load_fixture(name);
        CHECK(of_type(test::collect(view).snapshot, "toner")->color == "black");  // colorant
        drop_supply_names(view);
        const auto r = test::collect(view);
        const auto* toner = of_type(r.snapshot, "toner");
        REQUIRE(toner != nullptr);
        CHECK(toner->description.empty());
        CHECK(toner->color == "black");
        CHECK(provenance(r.sources.at("supplies." + toner->description + ".color")) == "derived");
        for (const auto& s : r.snapshot.supplies) {
            if (s.type != "toner") CHECK(s.color.empty());  // the waste box, the drum: no colour
        }

        // More than one process colorant: a colour printer's toner row.
        auto colour = view;
        test::put_int(colour, "1.3.6.1.2.1.43.10.2.1.6.1.1", 4);
        const auto c = test::collect(colour);
        CHECK(of_type(c.snapshot, "toner")->color.empty());
        CHECK(has_note(c, "prtMarkerProcessColorants is 4; its colour left unknown"));
        // One process colorant is no objection.
        test::put_int(colour, "1.3.6.1.2.1.43.10.2.1.6.1.1", 1);
        CHECK(of_type(test::collect(colour).snapshot, "toner")->color == "black");

        // A second toner row (a colour laser listing two of its four): no guess for either.
        auto two = view;
        test::put_int(two, "1.3.6.1.2.1.43.11.1.1.5.1.2", 3);  // the second row a toner too
        for (const auto& s : test::collect(two).snapshot.supplies) CHECK(s.color.empty());

        // An ink (a tri-colour cartridge is one ink row too): no guess.
        auto ink = view;
        test::put_int(ink, "1.3.6.1.2.1.43.11.1.1.5.1.1", 5);  // ink(5)
        for (const auto& s : test::collect(ink).snapshot.supplies) CHECK(s.color.empty());
    }

    // A name that says colour without naming one (words.toml `chromatic`): no guess.
    auto named = test::load_fixture("../printers/brother-l2710.snmprec");
    drop_supply_names(named);
    for (const char* name :
         {"Colour Toner Cartridge", "Цветной тонер-картридж", "Farbtoner", "Tri-color Cartridge"}) {
        INFO(name);
        named[*snmp::parse_oid("1.3.6.1.2.1.43.11.1.1.6.1.1")] =
            snmp::Value{snmp::ValueType::octets, 0, name, {}};
        CHECK(of_type(test::collect(named).snapshot, "toner")->color.empty());
    }
    // A name that says nothing of colour (a part number) is no objection.
    named[*snmp::parse_oid("1.3.6.1.2.1.43.11.1.1.6.1.1")] =
        snmp::Value{snmp::ValueType::octets, 0, "TN-2420", {}};
    CHECK(of_type(test::collect(named).snapshot, "toner")->color == "black");
}

TEST_CASE("Ricoh -100 is 'almost empty', not a percentage", "[collector]") {
    const auto r = test::collect_fixture("ricoh.snmprec");
    CHECK(r.snapshot.identity.vendor == "Ricoh");
    CHECK(r.snapshot.identity.model == "MP C2004");
    CHECK(r.snapshot.identity.serial == "E123M456789");
    CHECK(r.snapshot.identity.firmware == "1.10");
    REQUIRE(r.snapshot.supplies.size() == 1);
    CHECK(r.snapshot.supplies[0] == supply("Black Toner", "toner", "black", std::nullopt,
                                           SupplyState::low, -100, 100, "", SupplyClass::consumed,
                                           "profile:ricoh"));
}

TEST_CASE("Brother coded levels and binary counter block", "[collector]") {
    const auto r = test::collect_fixture("brother.snmprec");
    CHECK(r.snapshot.identity.vendor == "Brother");
    CHECK(r.snapshot.identity.model == "HL-L2350DW");
    CHECK(r.snapshot.identity.serial == "E78901A2B345");
    CHECK(r.snapshot.status.console == "SLEEP");
    CHECK(r.snapshot.status.device == proto::DeviceStatus::running);
    const std::map<std::string, std::int64_t> counters = {
        {"total", 5321}, {"mono", 5000}, {"color", 321}, {"duplex", 77}};
    CHECK(r.snapshot.counters == counters);
    REQUIRE(r.snapshot.supplies.size() == 2);
    CHECK(r.snapshot.supplies[0] == supply("Black Toner Cartridge", "toner", "black", std::nullopt,
                                           SupplyState::low, 1, std::nullopt, "",
                                           SupplyClass::consumed, "profile:brother"));
    CHECK(r.snapshot.supplies[1] == supply("Drum Unit", "opc", "", std::nullopt, SupplyState::empty,
                                           2, 3, "", SupplyClass::consumed, "profile:brother"));
}

TEST_CASE("device-declared CP1251, NUL padding, HP PML prefix and 1284 model", "[collector]") {
    const auto r = test::collect_fixture("charsets.snmprec");
    CHECK(r.snapshot.identity.vendor == "HP");
    CHECK(r.snapshot.identity.model == "LaserJet Pro M404dn");
    CHECK(r.snapshot.identity.serial == "CN12345678");  // from sysDescr "SN:"
    CHECK(r.snapshot.identity.firmware == "20230101");  // 0x01 0x15 prefix dropped
    CHECK(r.snapshot.identity.sys_name == "Принтер-1");
    REQUIRE(r.snapshot.supplies.size() == 1);
    CHECK(r.snapshot.supplies[0].description == "Картридж чёрный");
    CHECK(r.snapshot.supplies[0].level_percent == 80);
}

TEST_CASE("HP Roman-8 declared by the device; KOI8-R and CP1251 guessed", "[collector]") {
    CHECK(test::collect_fixture("roman8.snmprec").snapshot.status.console ==
          "Cartouche noire épuisée");
    CHECK(test::collect_fixture("koi8.snmprec").snapshot.status.console ==
          "Замятие бумаги в лотке / Готов к печати");
}

TEST_CASE("wrong types and truncated values are noted, never guessed", "[collector]") {
    const auto r = test::collect_fixture("wrongtypes.snmprec");
    CHECK(r.snapshot.counters.empty());  // negative total refused
    CHECK(r.snapshot.identity.sys_object_id.empty());
    CHECK(r.snapshot.status.device == proto::DeviceStatus::unknown);
    CHECK(r.snapshot.status.errors.empty());
    REQUIRE(r.snapshot.supplies.size() == 1);
    const auto& s = r.snapshot.supplies[0];
    CHECK(s.description == "Тонер чёрны");  // the cut character is dropped, not mangled
    CHECK(s.max == 200);                    // "200" as a string is still 200
    CHECK_FALSE(s.level.has_value());       // "fifty" is not a number
    CHECK_FALSE(s.level_percent.has_value());
    CHECK(s.state == SupplyState::unknown);
    CHECK(has_note(r, "value cut inside a character"));
    CHECK(has_note(r, "integer sent as a string"));
    CHECK(has_note(r, "not an OCTET STRING"));
    CHECK(has_note(r, "negative"));
}

TEST_CASE("noSuchObject everywhere gives an empty snapshot", "[collector]") {
    const auto r = test::collect_fixture("nosuch.snmprec");
    proto::DeviceSnapshot want;
    want.address = "10.0.0.1";
    want.polled_at = "2026-01-01T00:00:00Z";
    CHECK(r.snapshot == want);
    const auto c = classify(test::load_fixture("nosuch.snmprec"), test::builtin_profiles());
    CHECK_FALSE(c.is_printer);
    CHECK(c.vendor.empty());
}

TEST_CASE("collection plan: phase 2 adds the matched profile's OIDs", "[collector]") {
    const auto phase1 = restrict_to(test::load_fixture("ricoh.snmprec"), {identity_plan()});
    const auto plan = collection_plan(phase1, test::builtin_profiles());
    const auto has = [&](const char* oid) {
        const auto o = *snmp::parse_oid(oid);
        return std::find(plan.scalars.begin(), plan.scalars.end(), o) != plan.scalars.end();
    };
    CHECK(has("1.3.6.1.4.1.367.3.2.1.2.1.4.0"));
    CHECK(has("1.3.6.1.2.1.43.10.2.1.4.1.1"));
    CHECK_FALSE(has("1.3.6.1.4.1.11.2.3.9.1.1.7.0"));  // HP's, not Ricoh's
    // Few subtrees: the whole collection stays within a dozen requests (scanner_poll_test
    // checks the count over the network: 3 for the Ricoh recordings). Eight standard tables
    // (prtCoverTable the eighth), Ricoh's counter table (2 columns) and its toner table
    // (2 name columns and the level column), all walked side by side in the same GETBULKs.
    CHECK(plan.subtrees.size() <= 13);
    CHECK(identity_plan().subtrees.empty());
}

TEST_CASE("classification: hrDeviceType, Printer-MIB and brand decide", "[collector]") {
    const auto& profiles = test::builtin_profiles();
    snmp::MibView v;
    v[*snmp::parse_oid("1.3.6.1.2.1.1.1.0")] = {
        snmp::ValueType::octets, 0, "TA_UTAX Printing System", {}};
    v[*snmp::parse_oid("1.3.6.1.2.1.1.2.0")] = {snmp::ValueType::object_id, 0, "",
                                                *snmp::parse_oid("1.3.6.1.4.1.1347.41")};
    auto c = classify(v, profiles);
    CHECK(c.is_printer);
    CHECK(c.vendor == "UTAX");  // the OEM brand beats Kyocera's enterprise number

    v[*snmp::parse_oid("1.3.6.1.2.1.25.3.2.1.2.1")] = {snmp::ValueType::object_id, 0, "",
                                                       *snmp::parse_oid("1.3.6.1.2.1.25.3.1.1")};
    v[*snmp::parse_oid("1.3.6.1.2.1.25.3.2.1.3.1")] = {
        snmp::ValueType::octets, 0, "Document Scanner X", {}};
    c = classify(v, profiles);
    CHECK_FALSE(c.is_printer);  // an hrDevice of type "other" and no Printer-MIB
    CHECK(c.model == "Document Scanner X");

    v[*snmp::parse_oid("1.3.6.1.2.1.25.3.2.1.2.1")] = {snmp::ValueType::object_id, 0, "",
                                                       *snmp::parse_oid("1.3.6.1.2.1.25.3.1.5")};
    CHECK(classify(v, profiles).is_printer);

    // HP's Samsung-built lasers: a malformed sysObjectID, no hrDevice answer, the model in
    // sysDescr as the profile reads it (the polls report the same).
    snmp::MibView hp;
    hp[*snmp::parse_oid("1.3.6.1.2.1.1.1.0")] = {
        snmp::ValueType::octets,
        0,
        "HP Laser MFP 137fnw; V3.82.01.18 JAN-05-2021;Engine V1.00.06;NIC V6.01.12;S/N VNF4R31415",
        {}};
    hp[*snmp::parse_oid("1.3.6.1.2.1.1.2.0")] = {snmp::ValueType::object_id, 0, "",
                                                 *snmp::parse_oid("2.1773528503.909192755")};
    c = classify(hp, profiles);
    CHECK(c.is_printer);
    CHECK(c.vendor == "HP");
    CHECK(c.model == "Laser MFP 137fnw");
    // A JetDirect's sysDescr names the print server: no model from it.
    hp[*snmp::parse_oid("1.3.6.1.2.1.1.1.0")] = {
        snmp::ValueType::octets, 0, "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD149", {}};
    CHECK(classify(hp, profiles).model.empty());
}
