// Hostile device strings (issue 14, item 1): a printer chooses every string it sends, so a
// profile pattern must finish on any input and nothing longer than the MIB allows may reach a
// snapshot. libstdc++'s std::regex recurses once per character matched, so a 30,000-character
// sysDescr overflowed the stack; these feed every pattern of every embedded profile 1 MB.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "polling/collector.hpp"
#include "polling/text.hpp"
#include "profiles/profile.hpp"

using namespace printmon::scanner;
using snmp::Oid;
using snmp::Value;
using snmp::ValueType;

namespace {

constexpr std::size_t kMegabyte = 1024 * 1024;

/// Inputs shaped to get deep into the profiles' patterns: a brand or keyword the pattern
/// looks for, then a megabyte of what a greedy or lazy repetition consumes.
std::vector<std::string> hostile_inputs() {
    std::vector<std::string> out;
    for (const char* prefix :
         {"", "HP LaserJet PID:", "Samsung ", "Xerox ", "Fuji Xerox ", "version ", "attached to ",
          "S/N ", "Ver. ", "MFG:HP;MDL:", "x;V1"}) {
        for (const char filler : {'A', ' ', '1'}) {
            out.push_back(std::string(prefix) + std::string(kMegabyte, filler));
        }
    }
    return out;
}

Value octets(std::string s) {
    Value v;
    v.type = ValueType::octets;
    v.bytes = std::move(s);
    return v;
}

void add_sources(std::vector<Oid>& oids, const std::vector<ValueSource>& sources) {
    for (const auto& s : sources) {
        if (s.field == ValueSource::Field::oid) oids.push_back(s.oid);
    }
}

/// Every OID a profile reads text from.
std::vector<Oid> text_oids(const Profile& p) {
    std::vector<Oid> oids;
    for (const auto* list : {&p.model, &p.serial, &p.firmware, &p.mac, &p.console, &p.device_id}) {
        add_sources(oids, *list);
    }
    for (const auto& c : p.counters) {
        if (c.source.field == ValueSource::Field::oid) oids.push_back(c.source.oid);
    }
    for (const auto& s : p.supplies_private) {
        if (s.source.field == ValueSource::Field::oid) oids.push_back(s.source.oid);
    }
    return oids;
}

std::size_t code_points(const std::string& s) {
    std::size_t n = 0;
    for (const char c : s) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("every profile pattern finishes on 1 MB inputs", "[profiles][hostile]") {
    const auto set = ProfileSet::embedded();
    const auto inputs = hostile_inputs();
    std::size_t patterns = 0;
    for (const auto& b : set.brands()) {
        if (b.pattern) ++patterns;
        if (b.products) ++patterns;  // product-line names go through brand_for_text too
    }
    REQUIRE(patterns > 10);  // the brand patterns are really there to be fed

    for (const auto& input : inputs) {
        INFO("input starts " << input.substr(0, 20));
        // Brand patterns (sysDescr, hrDeviceDescr, 1284 MFG, printer names).
        (void)set.brand_for_text(input);
        // Profile sysDescr patterns, by sysObjectID and by brand.
        for (const auto& p : set.profiles()) {
            for (const auto& prefix : p.sys_object_ids) {
                (void)set.match("." + snmp::to_string(prefix) + ".1", input, p.vendor);
            }
            (void)set.match("", input, p.vendor);
        }
    }
    SUCCEED("no pattern recursed into the input");
}

TEST_CASE("1 MB device strings through the collector finish and are capped to MIB sizes",
          "[collector][hostile]") {
    const auto set = ProfileSet::embedded();
    const Oid sys_descr = {1, 3, 6, 1, 2, 1, 1, 1, 0};
    const Oid sys_object_id = {1, 3, 6, 1, 2, 1, 1, 2, 0};
    const Oid sys_name = {1, 3, 6, 1, 2, 1, 1, 5, 0};
    const Oid hr_type1 = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 2, 1};
    const Oid hr_descr1 = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 3, 1};
    const Oid serial1 = {1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 17, 1};
    const Oid name1 = {1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 16, 1};
    const Oid console11 = {1, 3, 6, 1, 2, 1, 43, 16, 5, 1, 2, 1, 1};
    const Oid supply_descr11 = {1, 3, 6, 1, 2, 1, 43, 11, 1, 1, 6, 1, 1};
    const Oid ppm_device_id1 = {1, 3, 6, 1, 4, 1, 2699, 1, 2, 1, 2, 1, 1, 3, 1};

    // Three shapes per profile keep the run short; the matching test above has them all.
    const std::vector<std::string> inputs = {
        "HP LaserJet PID:" + std::string(kMegabyte, 'A'),
        "Samsung " + std::string(kMegabyte, ' ') + ";",
        "MFG:HP;MDL:" + std::string(kMegabyte, '1'),
    };
    for (const auto& p : set.profiles()) {
        for (const auto& input : inputs) {
            INFO("profile " << p.id << ", input starts " << input.substr(0, 12));
            snmp::MibView view;
            Value oid_value;
            oid_value.type = ValueType::object_id;
            oid_value.oid = p.sys_object_ids.empty() ? Oid{1, 3, 6, 1, 4, 1, 99998, 1}
                                                     : p.sys_object_ids.front();
            view[sys_object_id] = oid_value;
            Value printer;
            printer.type = ValueType::object_id;
            printer.oid = {1, 3, 6, 1, 2, 1, 25, 3, 1, 5};
            view[hr_type1] = printer;
            for (const auto& oid : {sys_descr, sys_name, hr_descr1, serial1, name1, console11,
                                    supply_descr11, ppm_device_id1}) {
                view[oid] = octets(input);
            }
            for (const auto& oid : text_oids(p)) view[oid] = octets(input);

            const auto result = build_snapshot(view, set, "127.0.0.1", "2026-12-03T00:00:00Z");
            const auto& id = result.snapshot.identity;
            CHECK(code_points(id.sys_descr) <= text::kDisplayStringMax);
            CHECK(code_points(id.sys_name) <= text::kDisplayStringMax);
            CHECK(code_points(id.model) <= text::kDisplayStringMax);
            CHECK(code_points(id.serial) <= text::kDisplayStringMax);
            CHECK(code_points(id.firmware) <= text::kDisplayStringMax);
            // Six console lines, each a DisplayString, joined by " / ".
            CHECK(code_points(result.snapshot.status.console) <= 6 * (text::kDisplayStringMax + 3));
            for (const auto& s : result.snapshot.supplies) {
                CHECK(code_points(s.description) <= text::kDisplayStringMax);
            }
        }
    }
    // And what a real printer of that shape reads as: capped, not lost.
    snmp::MibView hp;
    Value hp_oid;
    hp_oid.type = ValueType::object_id;
    hp_oid.oid = {1, 3, 6, 1, 4, 1, 11, 2, 3, 9, 1};
    hp[sys_object_id] = hp_oid;
    hp[sys_descr] = octets("HP LaserJet PID:" + std::string(30000, 'A'));
    const auto r = build_snapshot(hp, set, "127.0.0.1", "2026-12-03T00:00:00Z");
    CHECK(r.snapshot.identity.vendor == "HP");
    CHECK(r.snapshot.identity.sys_descr.size() == text::kDisplayStringMax);
    CHECK(r.snapshot.identity.sys_descr.rfind("HP LaserJet PID:AAA", 0) == 0);
    CHECK_FALSE(r.snapshot.identity.model.empty());
    CHECK(r.snapshot.identity.model.size() <= text::kDisplayStringMax);
}

TEST_CASE("a table cell without a row index is no row", "[collector][hostile]") {
    // Found by fuzz_varbinds: an agent answering a Printer-MIB column's own OID (no index) made
    // the collector name a tray after the last number of an empty index.
    const auto set = ProfileSet::embedded();
    snmp::MibView view;
    Value printer;
    printer.type = ValueType::object_id;
    printer.oid = {1, 3, 6, 1, 2, 1, 25, 3, 1, 5};
    view[{1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 2, 1}] = printer;
    Value level;
    level.type = ValueType::integer;
    level.number = 40;
    const Oid input_level = {1, 3, 6, 1, 2, 1, 43, 8, 2, 1, 10};  // prtInputCurrentLevel
    view[input_level] = level;                                    // no .device.row suffix
    const Oid cover = {1, 3, 6, 1, 2, 1, 43, 6, 1, 1, 3};         // prtCoverStatus
    view[cover] = level;
    Oid row = input_level;
    row.insert(row.end(), {1, 2});
    view[row] = level;  // and one real row beside them
    const auto r = build_snapshot(view, set, "127.0.0.1", "2026-12-03T00:00:00Z");
    REQUIRE(r.snapshot.trays.size() == 1);
    CHECK(r.snapshot.trays[0].name == "Input 2");
    CHECK(r.snapshot.trays[0].level == 40);
    CHECK(r.snapshot.covers.empty());
}

TEST_CASE("a negative sysUpTime is no uptime", "[collector][hostile]") {
    // Found by fuzz_varbinds: sysUpTime sent as an INTEGER below zero went into the snapshot,
    // which the protocol then rejected (uptime >= 0).
    const auto set = ProfileSet::embedded();
    snmp::MibView view;
    Value up;
    up.type = ValueType::integer;
    up.number = -2158913071370731;
    view[{1, 3, 6, 1, 2, 1, 1, 3, 0}] = up;
    CHECK_FALSE(build_snapshot(view, set, "127.0.0.1", "2026-12-03T00:00:00Z").snapshot.uptime);
    up.type = ValueType::timeticks;
    up.number = 12345;
    view[{1, 3, 6, 1, 2, 1, 1, 3, 0}] = up;
    CHECK(build_snapshot(view, set, "127.0.0.1", "2026-12-03T00:00:00Z").snapshot.uptime == 123);
}
