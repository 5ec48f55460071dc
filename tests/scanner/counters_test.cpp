// Split counters from vendors' own trees (Kyocera's function counters, Canon's counter codes
// with large/small paper, Sharp's scans) and the rules that keep bad cells out: synthetic
// agents in tests/data/snmprec/partial (written by its generate.py from the public layouts
// cited in the profiles), plus profile-level checks of partial sums.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "collector_support.hpp"

using namespace printmon;
using namespace printmon::scanner;
using snmp::MibView;
using snmp::Oid;
using snmp::Value;
using snmp::ValueType;
using Counters = std::map<std::string, std::int64_t>;

namespace {

Oid O(const std::string& s) { return *snmp::parse_oid(s); }

MibView partial(const std::string& name) {
    auto view =
        snmp::read_snmprec_file(std::string(PRINTMON_PARTIAL_DATA) + "/" + name + ".snmprec");
    if (!view) throw std::runtime_error(name + ": " + view.error().message);
    return *view;
}

bool has_note(const CollectResult& r, const std::string& part) {
    return std::any_of(r.notes.begin(), r.notes.end(),
                       [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

Value text_value(const std::string& s) { return Value{ValueType::octets, 0, s, {}}; }

const char* const kSupplies = "1.3.6.1.2.1.43.11.1.1";  // prtMarkerSuppliesEntry
const char* const kKyocera = "1.3.6.1.4.1.1347.42.3.1";
const char* const kCanon = "1.3.6.1.4.1.1602.1.11.1.3.1.4";

}  // namespace

TEST_CASE("Kyocera function counters: print/copy/fax by colour mode, scans by function",
          "[counters][partial]") {
    const auto r = test::collect(partial("kyocera-counters"));
    const auto& c = r.snapshot.counters;
    CHECK(r.snapshot.identity.vendor == "Kyocera");
    CHECK(r.snapshot.identity.model == "TASKalfa 2553ci");
    const Counters want = {
        {"total", 42500},  // KYOCERA's own total (the panel's), not prtMarkerLifeCount's 42720
        {"print_total", 30000}, {"copy_total", 12000},
        {"fax_total", 500},     {"print_mono", 21000},
        {"print_color", 9000},  // colour modes 2 + 3
        {"copy_mono", 9000},    {"copy_color", 3000},
        {"fax_mono", 500},      {"mono", 30500},  // print + copy + fax in black & white
        {"color", 12000},       {"scan_copy", 7000},
        {"scan_fax", 300},      {"scan_other", 2200},
        {"scan_total", 9500},   {"total_large", 4000},  // A3 (micrometres) + Ledger (1/10000 in)
        {"total_small", 38500},  // B4 + A4 + Letter; the unused A5 row adds nothing
        {"duplex", 11000},       // two-sided pages (1347.42.2.5.1.1.2.1)
    };
    CHECK(c == want);
    // The splits add up to the machine's total, as on its counter report.
    CHECK(c.at("mono") + c.at("color") == c.at("total"));
    CHECK(c.at("total_large") + c.at("total_small") == c.at("total"));
    CHECK(r.sources.at("counters.total_large") ==
          "1.3.6.1.4.1.1347.42.2.1.1.1.6 (rows 1.1+1.4) (profile:kyocera)");
    CHECK(provenance(r.sources.at("counters.print_mono")) == "private");
    CHECK(r.sources.at("counters.print_color") ==
          std::string(kKyocera) + ".2.1.1.1.2 + " + kKyocera + ".2.1.1.1.3 (profile:kyocera)");
    CHECK(provenance(r.sources.at("counters.mono")) == "derived");
    CHECK(r.sources.at("counters.total").rfind("1.3.6.1.4.1.1347.43.10.1.1.12.1.1", 0) == 0);
    // Without KYOCERA's own total, prtMarkerLifeCount stands.
    auto view = partial("kyocera-counters");
    view.erase(O("1.3.6.1.4.1.1347.43.10.1.1.12.1.1"));
    const auto std_total = test::collect(view);
    CHECK(std_total.snapshot.counters.at("total") == 42720);
    CHECK(std_total.sources.at("counters.total") == "1.3.6.1.2.1.43.10.2.1.4.1.1");
    // Neither: the pages-by-sides total.
    view.erase(O("1.3.6.1.2.1.43.10.2.1.4.1.1"));
    const auto sides = test::collect(view);
    CHECK(sides.snapshot.counters.at("total") == 42500);
    CHECK(sides.sources.at("counters.total").rfind("1.3.6.1.4.1.1347.42.2.5.1.1.3.1", 0) == 0);
}

TEST_CASE("Kyocera mono printer: no copy, colour or scan counter invented", "[counters][partial]") {
    const auto r = test::collect(partial("kyocera-mono-printer"));
    const Counters want = {{"total", 18311}, {"print_total", 18311}, {"print_mono", 18311},
                           {"mono", 18311},  {"total_large", 0},     {"total_small", 18311}};
    CHECK(r.snapshot.counters == want);
}

TEST_CASE("Kyocera malformed counter cells give unknown, never garbage", "[counters][partial]") {
    const auto r = test::collect(partial("kyocera-counters-malformed"));
    const Counters want = {
        {"total", 9000},       // prtMarkerLifeCount
        {"print_mono", 6000},  // the one well-formed count
        {"copy_mono", 1200},   // a decimal string is accepted (with a note)
        {"mono", 7200},
    };
    CHECK(r.snapshot.counters == want);
    CHECK(has_note(r, "1.3.6.1.4.1.1347.42.3.1.1.1.1.1: expected an integer"));    // "n/a"
    CHECK(has_note(r, "copy_total from 1.3.6.1.4.1.1347.42.3.1.1.1.1.2"));         // negative
    CHECK(has_note(r, "1.3.6.1.4.1.1347.42.3.1.1.1.1.4: expected an integer"));    // empty
    CHECK(has_note(r, "1.3.6.1.4.1.1347.42.3.1.2.1.1.1.2: expected an integer"));  // an OID
    // Counter64 at the top of the range: the colour sums it belongs to give nothing.
    CHECK(has_note(r, "print_color from 1.3.6.1.4.1.1347.42.3.1.2.1.1.1.3 is implausibly"));
    CHECK(has_note(r, "copy_color from 1.3.6.1.4.1.1347.42.3.1.2.1.1.2.3 is implausibly"));
    CHECK(has_note(r, "integer sent as a string"));
    // A paper-size row in an unknown unit holds pages: no large/small split rather than a
    // small-paper total that misses them.
    CHECK(has_note(r,
                   "1.3.6.1.4.1.1347.42.2.1.1.1.6.1.2: a paper-size row without a readable "
                   "size; no total_large/total_small"));
}

TEST_CASE("a number sent as text is read only as long as a number can be", "[counters][partial]") {
    // Kyocera's copy black cell, which the malformed recording sends as the string "1200".
    const Oid copy_mono = O(std::string(kKyocera) + ".2.1.1.2.1");
    auto view = partial("kyocera-counters-malformed");
    const auto as_text = [&](const std::string& bytes) {
        Value v;
        v.type = ValueType::octets;
        v.bytes = bytes;
        view[copy_mono] = v;
        return test::collect(view);
    };
    // Padded with spaces, or in UTF-16 with a byte-order mark: still a number.
    CHECK(as_text("  1200" + std::string(60, ' ')).snapshot.counters.at("copy_mono") == 1200);
    CHECK(as_text(std::string("\xff\xfe"
                              "1\0"
                              "2\0"
                              "0\0"
                              "0\0",
                              10))
              .snapshot.counters.at("copy_mono") == 1200);
    // Longer than any number's text (kNumberOctetsMax): refused without being decoded, as a
    // text that is no number is.
    const auto long_text = as_text("1200" + std::string(200, ' '));
    CHECK(long_text.snapshot.counters.count("copy_mono") == 0);
    CHECK(has_note(long_text, snmp::to_string(copy_mono) + ": expected an integer"));
    const auto huge = as_text(std::string(std::size_t{1} << 20, '7'));
    CHECK(huge.snapshot.counters.count("copy_mono") == 0);
    CHECK(huge.snapshot.counters.at("print_mono") == 6000);  // the other cells stand
}

TEST_CASE("Canon counter codes: own total wins, large and small paper, colour per function",
          "[counters][partial]") {
    const auto r = test::collect(partial("canon-counters"));
    const auto& c = r.snapshot.counters;
    CHECK(r.snapshot.identity.vendor == "Canon");
    CHECK(r.snapshot.identity.model == "iR-ADV C5535");
    const Counters want = {
        {"total", 52006},  // code 101, not prtMarkerLifeCount's 52000
        {"total_large", 8000},
        {"total_small", 44006},
        {"mono", 30006},  // code 108 itself, not the sum of 112 + 113
        {"mono_large", 5000},
        {"mono_small", 25006},
        {"color_large", 3000},
        {"color_small", 19000},
        {"color", 22000},
        {"duplex", 12000},  // 114 Total 1 (2-sided), from the all-counters table
        {"copy_total", 15500},
        {"print_total", 36506},
        {"copy_mono_large", 1500},
        {"copy_mono_small", 9000},
        {"copy_mono", 10500},
        {"copy_color_large", 1000},
        {"copy_color_small", 4000},
        {"copy_color", 5000},
        {"print_mono_large", 3500},
        {"print_mono_small", 16006},
        {"print_mono", 19506},
        {"print_color_large", 2000},
        {"print_color_small", 15000},
        {"print_color", 17000},
        {"scan_total", 7000},  // 501 itself
        {"scan_large", 900},
        {"scan_small", 6100},
        {"scan_mono", 4000},  // 505
        {"scan_mono_large", 400},
        {"scan_mono_small", 3600},
        {"scan_color", 3000},  // 509
        {"scan_color_large", 500},
        {"scan_color_small", 2500},
    };
    CHECK(c == want);
    CHECK(c.at("total_large") + c.at("total_small") == c.at("total"));
    CHECK(c.at("mono") + c.at("color") == c.at("total"));
    CHECK(r.sources.at("counters.total") == std::string(kCanon) + ".101 (profile:canon)");
    CHECK(r.sources.at("counters.mono") == std::string(kCanon) + ".108 (profile:canon)");
    // Copy + print by colour make up the colour and black totals; 403-408 ("Copy + Print"
    // in Canon's list) are never read as print or copy counts.
    CHECK(c.at("copy_color") + c.at("print_color") == c.at("color"));
    CHECK(c.at("copy_mono") + c.at("print_mono") == c.at("mono"));
    CHECK(c.at("copy_total") + c.at("print_total") == c.at("total"));
    for (const auto& [name, source] : r.sources) {
        INFO(name << " <- " << source);
        for (const char* code : {".403 ", ".404 ", ".407 ", ".408 "})
            CHECK(source.find(code) == std::string::npos);
    }
    CHECK(r.sources.at("counters.scan_total") ==
          "1.3.6.1.4.1.1602.1.11.1.4.1.4.501 (profile:canon)");
    // Without Canon's own total the Printer-MIB's stands.
    auto view = partial("canon-counters");
    view.erase(O(std::string(kCanon) + ".101"));
    const auto all_table = test::collect(view);  // the all-counters table's 101 stands in
    CHECK(all_table.snapshot.counters.at("total") == 52006);
    CHECK(all_table.sources.at("counters.total") ==
          "1.3.6.1.4.1.1602.1.11.1.4.1.4.101 (profile:canon)");
    view.erase(O("1.3.6.1.4.1.1602.1.11.1.4.1.4.101"));
    CHECK(test::collect(view).snapshot.counters.at("total") == 52000);
}

TEST_CASE("Canon A4-only mono model with a junk total: partial splits, standard total",
          "[counters][partial]") {
    const auto r = test::collect(partial("canon-counters-malformed"));
    const Counters want = {
        {"total", 7300},  // code 101 is binary junk: prtMarkerLifeCount stands
        {"total_small", 7300},
        {"mono_small", 7300},
        {"mono", 7300},  // 108 absent: the small-paper part alone (no large cells on A4)
    };
    CHECK(r.snapshot.counters == want);
    CHECK(has_note(r, std::string(kCanon) + ".101: expected an integer"));
}

TEST_CASE("Kyocera answering only KMCOMMON-MIB: its product name and function counters",
          "[counters][partial][identity]") {
    const auto r = test::collect(partial("kyocera-kmcommon-only"));
    CHECK(r.snapshot.identity.vendor == "Kyocera");
    CHECK(r.snapshot.identity.model == "ECOSYS M2540dn");
    CHECK(r.sources.at("identity.model").find("1347.42.5.1.1.1.1") != std::string::npos);
    const Counters want = {
        {"print_total", 12000}, {"copy_total", 3000}, {"print_mono", 12000},
        {"copy_mono", 3000},    {"mono", 15000},
    };
    CHECK(r.snapshot.counters == want);
}

TEST_CASE("Sharp counter table: print/copy/total splits and scans by mode", "[counters][partial]") {
    const auto r = test::collect(partial("sharp-counters"));
    const auto& c = r.snapshot.counters;
    CHECK(r.snapshot.identity.vendor == "Sharp");
    // No prtGeneralSerialNumber on this agent: Sharp's own model and firmware objects stand in;
    // Sharp has no serial object any source names, so none is guessed.
    CHECK(r.snapshot.identity.model == "MX-3070N");
    CHECK(r.snapshot.identity.serial.empty());
    CHECK(r.snapshot.identity.firmware == "2.03");
    const Counters want = {
        {"total", 64650},        {"print_total", 40000},
        {"print_mono", 30000},   {"print_color", 10000},
        {"duplex", 8000},        {"copy_total", 24000},
        {"copy_mono", 20000},    {"copy_color", 4000},
        {"mono", 50000},         {"color", 14000},
        {"adf", 15000},          {"scan_mono", 5200},
        {"scan_color", 1800},    {"scan_send", 2600},
        {"scan_total", 7000},    {"two_color", 450},
        {"copy_two_color", 300},                              // kind 64, apart from full colour
        {"single_color", 200},   {"copy_single_color", 120},  // kind 80, likewise
    };
    CHECK(c == want);
    CHECK(r.sources.at("counters.scan_total").rfind("derived: scan_mono + scan_color", 0) == 0);
    CHECK(r.sources.at("counters.total") == "1.3.6.1.2.1.43.10.2.1.4.1.1");
}

TEST_CASE("Sharp without prtMarkerLifeCount: the total function's colour modes add up to it",
          "[counters][partial]") {
    auto view = partial("sharp-counters");
    view.erase(O("1.3.6.1.2.1.43.10.2.1.4.1.1"));
    auto r = test::collect(view);
    CHECK(r.snapshot.counters.at("total") == 64650);
    CHECK(r.sources.at("counters.total").rfind("derived: mono + color + two_color", 0) == 0);

    // A mono model has only the black & white cell: that is its total.
    for (const char* kind : {".63", ".64", ".80"}) {
        view.erase(O(std::string("1.3.6.1.4.1.2385.1.1.19.2.1.3.5.4") + kind));
    }
    r = test::collect(view);
    CHECK(r.snapshot.counters.at("total") == 50000);
    CHECK(r.snapshot.counters.count("color") == 0);
}

TEST_CASE("Lexmark MPS tables: paper counts in sides, scans summed per kind",
          "[counters][partial]") {
    const auto r = test::collect(partial("lexmark-counters"));
    const auto& c = r.snapshot.counters;
    CHECK(r.snapshot.identity.vendor == "Lexmark");
    const Counters want = {
        {"total", 50200},  // prtMarkerLifeCount (totalSafe agrees; it only fills a gap)
        {"mono", 35200},
        {"color", 15000},
        {"print_total", 30000},
        {"print_mono", 20000},
        {"print_color", 10000},
        {"copy_total", 18000},
        {"copy_mono", 13000},
        {"copy_color", 5000},
        {"fax_total", 2200},
        {"fax_mono", 2200},
        {"fax_color", 0},
        {"scan_copy", 15000},  // ADF+glass+duplex
        {"scan_fax", 700},
        {"scan_send", 2450},
        {"scan_total", 18150},
        // An A4 model: sides on A4, Letter and DL envelopes are all small paper.
        {"total_large", 0},
        {"total_small", 50200},
        {"mono_large", 0},
        {"mono_small", 35200},
        {"color_large", 0},
        {"color_small", 15000},
    };
    CHECK(c == want);
    CHECK(c.at("print_total") + c.at("copy_total") + c.at("fax_total") == c.at("total"));
    CHECK(r.sources.at("counters.scan_send").find("type 3+3+4+262") != std::string::npos);
    // Without prtMarkerLifeCount, Lexmark's totalSafe is the total.
    auto view = partial("lexmark-counters");
    view.erase(O("1.3.6.1.2.1.43.10.2.1.4.1.1"));
    const auto own = test::collect(view);
    CHECK(own.snapshot.counters.at("total") == 50200);
    CHECK(own.sources.at("counters.total").find("(type 2)") != std::string::npos);
}

TEST_CASE("Lexmark rows in sheets, without a unit or a number give unknown",
          "[counters][partial]") {
    const auto r = test::collect(partial("lexmark-counters-malformed"));
    const Counters want = {{"total", 12000},
                           {"print_total", 9000},
                           {"copy_mono", 3000},
                           {"color_large", 300},   // colour sides: A3 row
                           {"color_small", 500}};  // A4 row; the universal row has none
    CHECK(r.snapshot.counters == want);
    // Mono sides on a "universal" size (any length) and an A3 cell that is text: no split.
    CHECK(has_note(r,
                   "641.6.4.2.2.1.6.1.2: a paper-size row without a readable size; "
                   "no mono_large/mono_small"));
    CHECK(has_note(r,
                   "641.6.4.2.2.1.7.1.2: a paper-size row without a readable size; "
                   "no total_large/total_small"));
    CHECK(has_note(r, "641.6.4.2.1.1.4.1.4: row in an unexpected unit; no print_mono"));
    CHECK(has_note(r, "641.6.4.2.1.1.4.1.5: row in an unexpected unit; no copy_total"));
    CHECK(has_note(r, "641.6.4.2.1.1.4.1.2: expected an integer"));
}

TEST_CASE("Lexmark A3/A4: sides per paper size code, mono and colour apart",
          "[counters][partial]") {
    const auto r = test::collect(partial("lexmark-a3-counters"));
    const auto& c = r.snapshot.counters;
    CHECK(r.snapshot.identity.vendor == "Lexmark");
    const Counters want = {
        {"total", 62000},
        {"mono", 40000},
        {"color", 22000},
        {"total_large", 14000},  // A3 + tabloid + SRA3, both columns
        {"total_small", 48000},  // A4 (two paper types) + B4 + letter
        {"mono_large", 7000},
        {"mono_small", 33000},
        {"color_large", 7000},
        {"color_small", 15000},
        // Sheets of paper (paperSheetsCountTable), beside the pages: A3 + tabloid + SRA3,
        // and A4 + B4 + letter.
        {"sheets", 50500},
        {"sheets_large", 11000},
        {"sheets_small", 39500},
    };
    CHECK(c == want);
    CHECK(c.at("sheets_large") + c.at("sheets_small") == c.at("sheets"));
    CHECK(c.at("sheets") < c.at("total"));  // two-sided sheets carry two pages
    // The split adds up to the machine's own totals, per colour and overall.
    CHECK(c.at("mono_large") + c.at("mono_small") == c.at("mono"));
    CHECK(c.at("color_large") + c.at("color_small") == c.at("color"));
    CHECK(c.at("total_large") + c.at("total_small") == c.at("total"));
    CHECK(r.sources.at("counters.total_large") ==
          "1.3.6.1.4.1.641.6.4.2.2.1.6 + 1.3.6.1.4.1.641.6.4.2.2.1.7 (rows 1.3+1.4+1.5) "
          "(profile:lexmark)");
    CHECK(provenance(r.sources.at("counters.total_large")) == "private");

    // A mono model has no colour column at all: the totals are the mono sides.
    auto mono = partial("lexmark-a3-counters");
    for (auto it = mono.lower_bound(O("1.3.6.1.4.1.641.6.4.2.2.1.7"));
         it != mono.end() && snmp::starts_with(it->first, O("1.3.6.1.4.1.641.6.4.2.2.1.7"));) {
        it = mono.erase(it);
    }
    const auto m = test::collect(mono);
    CHECK(m.snapshot.counters.at("total_large") == 7000);
    CHECK(m.snapshot.counters.at("total_small") == 33000);
    CHECK(m.snapshot.counters.count("color_large") == 0);
    CHECK(m.snapshot.counters.count("color_small") == 0);

    // A sheets row of a size the code does not place (custom, holding sheets): no large/small
    // sheets, but every sheet still counts in the total; a row whose count is no number voids
    // the total too.
    const std::string sheets = "1.3.6.1.4.1.641.6.4.2.3.1.";
    auto custom = partial("lexmark-a3-counters");
    custom[O(sheets + "5.1.8")] = Value{ValueType::counter32, 200, "", {}};  // custom size (4)
    const auto cr = test::collect(custom);
    CHECK(cr.snapshot.counters.at("sheets") == 50700);
    CHECK(cr.snapshot.counters.count("sheets_large") == 0);
    CHECK(cr.snapshot.counters.count("sheets_small") == 0);
    CHECK(cr.snapshot.counters.at("total_large") == 14000);  // the sides split is another table
    CHECK(has_note(cr, sheets + "5.1.8: a paper-size row without a readable size; no "
                                "sheets_large/sheets_small counters"));
    auto junk = partial("lexmark-a3-counters");
    junk[O(sheets + "5.1.3")] = Value{ValueType::octets, 0, "lots", {}};
    const auto jr = test::collect(junk);
    CHECK(jr.snapshot.counters.count("sheets") == 0);
    CHECK(jr.snapshot.counters.count("sheets_large") == 0);
    CHECK(jr.snapshot.counters.at("total_small") == 48000);
    CHECK(has_note(jr, sheets + "5.1.3: a paper-size row without a readable count; no "
                                "sheets_large/sheets_small/sheets counters"));
}

TEST_CASE("Lexmark sides and sheets per size: a repeat poll GETs the count cells, never walks",
          "[counters][partial]") {
    const auto full = partial("lexmark-a3-counters");
    const auto plan = repeat_plan(full, test::builtin_profiles());
    int cells = 0;
    for (const char* column : {"1.3.6.1.4.1.641.6.4.2.2.1.6", "1.3.6.1.4.1.641.6.4.2.2.1.7",
                               "1.3.6.1.4.1.641.6.4.2.3.1.5"}) {
        for (auto it = full.lower_bound(O(column));
             it != full.end() && snmp::starts_with(it->first, O(column)); ++it) {
            CHECK(std::count(plan.scalars.begin(), plan.scalars.end(), it->first) == 1);
            ++cells;
        }
    }
    CHECK(cells == 24);  // 8 rows, mono and colour sides, and sheets
    // Sizes and picked counts do not change between polls: not asked again.
    CHECK(std::none_of(plan.scalars.begin(), plan.scalars.end(), [](const Oid& o) {
        const auto t = snmp::to_string(o);
        return t.rfind("1.3.6.1.4.1.641.6.4.2.2.1.2.", 0) == 0 ||
               t.rfind("1.3.6.1.4.1.641.6.4.2.2.1.4.", 0) == 0 ||
               t.rfind("1.3.6.1.4.1.641.6.4.2.3.1.2.", 0) == 0 ||
               t.rfind("1.3.6.1.4.1.641.6.4.2.3.1.4.", 0) == 0;
    }));
    CHECK(std::none_of(plan.subtrees.begin(), plan.subtrees.end(), [](const Oid& o) {
        return snmp::to_string(o).rfind("1.3.6.1.4.1.641", 0) == 0;
    }));
}

TEST_CASE("Lexmark paper-size rows that cannot be placed or counted give unknown, not garbage",
          "[counters][partial]") {
    const std::string sides = "1.3.6.1.4.1.641.6.4.2.2.1.";
    const auto octets = [](const std::string& b) { return Value{ValueType::octets, 0, b, {}}; };
    struct Case {
        const char* what;
        std::string oid;             // cell changed (row 3 is A3: mono 6000, colour 5000)
        std::optional<Value> value;  // nullopt: the cell is missing
        bool mono_voided, color_voided;
    };
    const std::vector<Case> cases = {
        {"size code as text", sides + "2.1.3", octets("A3"), true, true},
        {"size code unknown to PaperSizeTC", sides + "2.1.3",
         Value{ValueType::integer, 999, "", {}}, true, true},
        {"size code 'custom'", sides + "2.1.3", Value{ValueType::integer, 4, "", {}}, true, true},
        {"size code missing", sides + "2.1.3", std::nullopt, true, true},
        {"size code an OID", sides + "2.1.3",
         Value{ValueType::object_id, 0, "", O("1.3.6.1.4.1.641")}, true, true},
        {"mono cell as binary junk", sides + "6.1.3", octets(std::string("\xff\x00\x13", 3)), true,
         false},
        {"mono cell empty", sides + "6.1.3", octets(""), true, false},
        {"mono cell negative", sides + "6.1.3", Value{ValueType::integer, -5, "", {}}, true, false},
        {"colour cell clamped Counter64", sides + "7.1.3",
         Value{ValueType::counter64, INT64_MAX, "", {}}, false, true},
        {"colour cell missing from a column the table has", sides + "7.1.3", std::nullopt, false,
         true},
    };
    for (const auto& k : cases) {
        INFO(k.what);
        auto view = partial("lexmark-a3-counters");
        if (k.value) {
            view[O(k.oid)] = *k.value;
        } else {
            view.erase(O(k.oid));
        }
        const auto r = test::collect(view);
        const auto& c = r.snapshot.counters;
        // The whole-page split needs every row: it is gone in every case.
        CHECK(c.count("total_large") == 0);
        CHECK(c.count("total_small") == 0);
        CHECK(c.count("mono_large") == (k.mono_voided ? 0U : 1U));
        CHECK(c.count("color_large") == (k.color_voided ? 0U : 1U));
        if (!k.mono_voided) CHECK(c.at("mono_large") == 7000);
        if (!k.color_voided) CHECK(c.at("color_small") == 15000);
        CHECK(has_note(r, "a paper-size row without a readable"));
        // The paper table's own totals are untouched.
        CHECK(c.at("mono") == 40000);
        CHECK(c.at("color") == 22000);
    }
    // A profile line mixing both ways of sizing a row, or naming a code both large and small,
    // stops loading.
    ProfileSet bad = ProfileSet::embedded();
    CHECK_THROWS_WITH(bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
size_tables = [ { size_column = "1.3.6.1.4.1.32473.1.2", large_sizes = [67], small_sizes = [67, 68], value_column = "1.3.6.1.4.1.32473.1.6", large = "total_large", small = "total_small" } ]
)"),
                      Catch::Contains("bad.toml:4") && Catch::Contains("both large and small"));
    CHECK_THROWS_WITH(bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
size_tables = [ { size_column = "1.3.6.1.4.1.32473.1.2", large_sizes = [67], small_sizes = [68], unit_column = "1.3.6.1.4.1.32473.1.3", length_column = "1.3.6.1.4.1.32473.1.4", value_column = "1.3.6.1.4.1.32473.1.6", large = "total_large", small = "total_small" } ]
)"),
                      Catch::Contains("bad.toml:4") && Catch::Contains("expected {unit_column"));
    CHECK_THROWS_WITH(bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
size_tables = [ { size_column = "1.3.6.1.4.1.32473.1.2", large_sizes = [67], small_sizes = [68], value_column = [], large = "total_large", small = "total_small" } ]
)"),
                      Catch::Contains("bad.toml:4") && Catch::Contains("must not be empty"));
    // Codes classed once for the profile (paper_sizes) serve every size table that lists none;
    // a table listing only one class, or paper_sizes without both, stops loading too.
    ProfileSet shared = ProfileSet::embedded();
    shared.load_text("shared.toml", R"(
[[profile]]
id = "shared"
size_tables = [ { size_column = "1.3.6.1.4.1.32473.1.2", value_column = "1.3.6.1.4.1.32473.1.6", large = "total_large", small = "total_small" } ]
[profile.paper_sizes]
large = [67]
small = [68, 8]
)");
    const auto* sp = shared.by_id("shared");
    REQUIRE(sp != nullptr);
    REQUIRE(sp->size_tables.size() == 1);
    CHECK(sp->size_tables[0].large_sizes == std::vector<std::int64_t>{67});
    CHECK(sp->size_tables[0].small_sizes == std::vector<std::int64_t>{68, 8});
    CHECK_THROWS_WITH(bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
size_tables = [ { size_column = "1.3.6.1.4.1.32473.1.2", large_sizes = [67], value_column = "1.3.6.1.4.1.32473.1.6", large = "total_large", small = "total_small" } ]
[profile.paper_sizes]
large = [67]
small = [68]
)"),
                      Catch::Contains("bad.toml:4") && Catch::Contains("expected {unit_column"));
    CHECK_THROWS_WITH(bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
[profile.paper_sizes]
large = [67]
)"),
                      Catch::Contains("bad.toml:4") && Catch::Contains("paper_sizes must be"));
}

TEST_CASE("a counter table whose rows would overflow their sum gives no value",
          "[counters][partial]") {
    // Ricoh's engine counter table: types 202 and 203 (rows 5 and 6) both feed copy_color.
    auto view = partial("ricoh-counters");
    const std::string values = "1.3.6.1.4.1.367.3.2.1.2.19.5.1.9.";
    for (const char* row : {"5", "6"}) {
        view[O(values + row)] = Value{ValueType::counter64, INT64_MAX, "", {}};
    }
    const auto r = test::collect(view);
    CHECK(r.snapshot.counters.count("copy_color") == 0);
    CHECK(r.snapshot.counters.at("copy_mono") == 9000);  // the other rows still count
    CHECK(has_note(r, "sum of copy_color overflows"));
    // A sum that fits is still no page count: no printer makes 2^62 pages.
    view[O(values + "5")] = Value{ValueType::counter64, std::int64_t{1} << 62, "", {}};
    view[O(values + "6")] = Value{ValueType::counter64, 500, "", {}};
    const auto one = test::collect(view);
    CHECK(one.snapshot.counters.count("copy_color") == 0);
    CHECK(has_note(one, "counter copy_color from"));
    CHECK(has_note(one, "implausibly large"));
}

TEST_CASE("partial derived sums and summed entries: parts present only, none gives nothing",
          "[counters]") {
    ProfileSet profiles = ProfileSet::embedded();
    profiles.load_text("acme.toml", R"(
[[brand]]
vendor = "Acme Imaging"
pattern = '^acme imaging\b'
enterprises = [32473]
profile = "acme"

[[profile]]
id = "acme"
vendor = "Acme Imaging"
sys_object_id = ["1.3.6.1.4.1.32473.2"]
counters = [
  { name = "a", oid = "1.3.6.1.4.1.32473.2.9.1.0" },
  { name = "b", oid = "1.3.6.1.4.1.32473.2.9.2.0" },
  { name = "c", oid = "1.3.6.1.4.1.32473.2.9.3.0" },
  { name = "s", oid = "1.3.6.1.4.1.32473.2.9.1.0", sum = true },
  { name = "s", oid = "1.3.6.1.4.1.32473.2.9.2.0", sum = true },
  { name = "s", oid = "1.3.6.1.4.1.32473.2.9.4.0", sum = true },
  { name = "none", oid = "1.3.6.1.4.1.32473.2.9.2.0", sum = true },
  { name = "neg", oid = "1.3.6.1.4.1.32473.2.9.5.0", sum = true },
  { name = "neg", oid = "1.3.6.1.4.1.32473.2.9.4.0", sum = true },
]
derived = [
  { name = "ab_all", sum = ["a", "b"] },
  { name = "ab_any", sum = ["a", "b"], partial = true },
  { name = "c_any", sum = ["c", "b"], partial = true },
]
)");
    profiles.validate();
    MibView v;
    v[O("1.3.6.1.2.1.1.1.0")] = Value{ValueType::octets, 0, "Acme Imaging AP-9", {}};
    v[O("1.3.6.1.2.1.1.2.0")] = Value{ValueType::object_id, 0, "", O("1.3.6.1.4.1.32473.2.1")};
    v[O("1.3.6.1.4.1.32473.2.9.1.0")] = Value{ValueType::counter32, 40, "", {}};
    v[O("1.3.6.1.4.1.32473.2.9.4.0")] = Value{ValueType::counter32, 2, "", {}};
    v[O("1.3.6.1.4.1.32473.2.9.5.0")] = Value{ValueType::integer, -7, "", {}};
    const auto r = test::collect(v, profiles);
    // b and c absent: no ab_all, no c_any, no "none"; s adds the two cells present; a
    // negative cell of "neg" is left out with a note.
    const Counters want = {{"a", 40}, {"ab_any", 40}, {"s", 42}, {"neg", 2}};
    CHECK(r.snapshot.counters == want);
    CHECK(r.sources.at("counters.s") ==
          "1.3.6.1.4.1.32473.2.9.1.0 + 1.3.6.1.4.1.32473.2.9.4.0 (profile:acme)");
    CHECK(has_note(r, "counter neg from 1.3.6.1.4.1.32473.2.9.5.0 is negative"));
    CHECK(r.sources.at("counters.ab_any") == "derived: a (profile:acme)");

    // A malformed profile line stops loading with the place of the error.
    ProfileSet bad = ProfileSet::embedded();
    // A supply counted against its life: `used` needs the life's object, which goes with
    // neither state codes nor a divisor.
    CHECK_THROWS_WITH(bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
supplies = [ { description = "Drum", type = "opc", oid = "1.3.6.1.4.1.32473.1.3.1", used = true } ]
)"),
                      Catch::Contains("bad.toml:4") && Catch::Contains("used needs max_oid"));
    CHECK_THROWS_WITH(
        bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
supplies = [ { description = "Drum", type = "opc", oid = "1.3.6.1.4.1.32473.1.3.1", max_oid = "1.3.6.1.4.1.32473.1.4.1", divisor = 100 } ]
)"),
        Catch::Contains("bad.toml:4") && Catch::Contains("neither codes nor divisor"));
    // A named-row column needs its name column and exactly one row pattern, and only a column
    // has rows.
    CHECK_THROWS_WITH(bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
serial = [ { oid = "1.3.6.1.4.1.32473.1.2.1", name_column = "1.3.6.1.4.1.32473.1.3", row_name = 'x' } ]
)"),
                      Catch::Contains("bad.toml:4") && Catch::Contains("only goes with column"));
    CHECK_THROWS_WITH(bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
serial = [ { column = "1.3.6.1.4.1.32473.1.2", name_column = "1.3.6.1.4.1.32473.1.3", row_name = 'x', skip_row_name = 'y' } ]
)"),
                      Catch::Contains("bad.toml:4") && Catch::Contains("one of row_name"));
    CHECK_THROWS_WITH(bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
serial = [ { column = "1.3.6.1.4.1.32473.1.2", row_name = 'x' } ]
)"),
                      Catch::Contains("bad.toml:4") && Catch::Contains("needs name_column"));
    CHECK_THROWS_WITH(bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
derived = [ { name = "x", sum = ["a", "b"], partial = "yes" } ]
)"),
                      Catch::Contains("bad.toml:4") && Catch::Contains("partial must be true"));
    CHECK_THROWS_WITH(bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
counters = [ { name = "x", oid = "1.3.6.1.4.1.32473.1.0", sum = 1 } ]
)"),
                      Catch::Contains("bad.toml:4") && Catch::Contains("sum must be true"));
    CHECK_THROWS_WITH(bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
size_tables = [ { unit_column = "1.3.6.1.4.1.32473.1.3", large = "total_large" } ]
)"),
                      Catch::Contains("bad.toml:4") && Catch::Contains("expected {unit_column"));
    CHECK_THROWS_WITH(bad.load_text("bad.toml", R"(
[[profile]]
id = "bad"
counter_tables = [ { type_column = "1.3.6.1.4.1.32473.1.2", value_column = "1.3.6.1.4.1.32473.1.4", unit_column = "1.3.6.1.4.1.32473.1.3", types = [] } ]
)"),
                      Catch::Contains("bad.toml:4") && Catch::Contains("unit_column and units"));
}

TEST_CASE("vendor counters: a repeat poll GETs the cells, never walks the vendor tree",
          "[counters][partial]") {
    for (const auto& [name, id] :
         {std::pair{"kyocera-counters", "kyocera"}, std::pair{"canon-counters", "canon"}}) {
        INFO(name);
        const auto full = partial(name);
        const auto plan = repeat_plan(full, test::builtin_profiles());
        const auto* profile = test::builtin_profiles().by_id(id);
        REQUIRE(profile != nullptr);
        int asked = 0;
        for (const auto& c : profile->counters) {
            if (full.count(c.source.oid) == 0) continue;
            CHECK(std::count(plan.scalars.begin(), plan.scalars.end(), c.source.oid) == 1);
            ++asked;
        }
        CHECK(asked >= 13);
        for (const auto& t : profile->size_tables) {  // Kyocera's paper-size counts
            int cells = 0;
            for (const auto& column : t.value_columns) {
                for (auto it = full.lower_bound(column);
                     it != full.end() && snmp::starts_with(it->first, column); ++it) {
                    CHECK(std::count(plan.scalars.begin(), plan.scalars.end(), it->first) == 1);
                    ++cells;
                }
            }
            CHECK(cells == 6);
        }
        CHECK(std::none_of(plan.subtrees.begin(), plan.subtrees.end(), [](const Oid& o) {
            const auto t = snmp::to_string(o);
            return t.rfind("1.3.6.1.4.1.1347", 0) == 0 || t.rfind("1.3.6.1.4.1.1602", 0) == 0;
        }));
    }
}

TEST_CASE("Samsung count table: rows placed by job type, colour, paper, unit and duplex mode",
          "[counters][partial]") {
    const auto r = test::collect(partial("samsung-counters"));
    const auto& c = r.snapshot.counters;
    CHECK(r.snapshot.identity.vendor == "Samsung");
    const Counters want = {
        {"total", 1800},  // prtMarkerLifeCount
        // Sheets: 1000 one-sided, 200 two-sided (400 pages), 10 one side of a duplex job.
        {"print_total", 1460},
        {"print_mono", 1410},
        {"print_color", 50},
        {"copy_total", 320},
        {"copy_mono", 300},
        {"copy_color", 20},
        {"fax_total", 15},
        {"report_total", 5},
        {"scan_total", 780},  // impressions, as they are
        {"scan_mono", 700},
        {"scan_color", 80},
        {"scan_fax", 40},
        {"scan_send", 60},
        {"mono", 1730},  // print, copy, fax and report pages
        {"color", 70},
        {"total_large", 50},
        {"total_small", 1750},
        {"duplex", 400},  // 200 two-sided sheets; not the one-sided sheet of a duplex job
    };
    CHECK(c == want);
    // The table's printed pages add up to the engine's own total.
    CHECK(c.at("mono") + c.at("color") == c.at("total"));
    CHECK(c.at("total_large") + c.at("total_small") == c.at("total"));
    CHECK(r.sources.at("counters.mono")
              .find("1.3.6.1.4.1.236.11.5.11.53.11.2.1.7 (type "
                    "1+1+1+2+3+6)") == 0);
    // A repeat poll GETs the count cells; rows and their attributes do not change.
    const auto full = partial("samsung-counters");
    const auto plan = repeat_plan(full, test::builtin_profiles());
    const auto values = O("1.3.6.1.4.1.236.11.5.11.53.11.2.1.7");
    int cells = 0;
    for (auto it = full.lower_bound(values);
         it != full.end() && snmp::starts_with(it->first, values); ++it) {
        CHECK(std::count(plan.scalars.begin(), plan.scalars.end(), it->first) == 1);
        ++cells;
    }
    CHECK(cells == 14);
    CHECK(std::none_of(plan.scalars.begin(), plan.scalars.end(), [](const Oid& o) {
        return snmp::starts_with(o, O("1.3.6.1.4.1.236.11.5.11.53.11.2.1.2"));
    }));
    CHECK(test::collect(merge_repeat(full, plan, full)).snapshot.counters == c);
}

TEST_CASE(
    "Samsung count rows in another unit, without a colour or of a custom size give "
    "unknown",
    "[counters][partial]") {
    const auto r = test::collect(partial("samsung-counters-malformed"));
    const auto& c = r.snapshot.counters;
    // Hours are not pages: nothing that row would count. No colour: the row may sum others,
    // so no copy count at all. Local storage rows are not read.
    const Counters want = {{"total", 1800}};
    CHECK(c == want);
    CHECK(has_note(r,
                   "1.3.6.1.4.1.236.11.5.11.53.11.2.1.7.1.2: row in a unit or mode no rule "
                   "counts; no print_total"));
    CHECK(has_note(r,
                   "1.3.6.1.4.1.236.11.5.11.53.11.2.1.7.1.4: row without the attributes that "
                   "place it; no copy_color"));
    CHECK(has_note(r,
                   "1.3.6.1.4.1.236.11.5.11.53.11.2.1.7.1.4: row without the attributes that "
                   "place it; no copy_total"));
    // With the colour back, the copy counts stand; a custom paper size with pages leaves the
    // large/small split unknown.
    auto fixed = partial("samsung-counters-malformed");
    fixed[O("1.3.6.1.4.1.236.11.5.11.53.11.2.1.6.1.4")] = Value{ValueType::integer, 1, {}, {}};
    const auto f = test::collect(fixed);
    const Counters copies = {{"total", 1800},
                             {"copy_total", 325},
                             {"copy_mono", 300},
                             {"copy_color", 25},
                             {"color", 25}};
    CHECK(f.snapshot.counters == copies);
    CHECK(has_note(f,
                   "1.3.6.1.4.1.236.11.5.11.53.11.2.1.7.1.4: pages the profile cannot place; "
                   "no total_large"));
}

TEST_CASE("Toshiba print counter table: black, full and twin colour, by function",
          "[counters][partial]") {
    const auto r = test::collect(partial("toshiba-counters"));
    const auto& c = r.snapshot.counters;
    CHECK(r.snapshot.identity.vendor == "Toshiba TEC");
    const Counters want = {
        {"total", 24150},  // prtMarkerLifeCount
        {"mono", 18000},        {"color", 6000},        {"two_color", 150},
        {"print_total", 17100}, {"print_mono", 12000},  {"print_color", 5000},
        {"copy_total", 6850},   {"copy_mono", 5800},    {"copy_color", 1000},
        {"fax_total", 200},     {"total_large", 2320},  {"total_small", 21830},
        {"print_large", 1610},  {"print_small", 15490}, {"copy_large", 710},
        {"copy_small", 6140},
    };
    CHECK(c == want);
    CHECK(c.at("mono") + c.at("color") + c.at("two_color") == c.at("total"));
    // The size rows are read from their own cells (203 + 2r large, 204 + 2r small).
    CHECK(r.sources.at("counters.copy_large")
              .rfind("1.3.6.1.4.1.1129.2.3.50.1.3.21.6.1.211.1.4", 0) == 0);
    CHECK(r.sources.at("counters.total_small")
              .rfind("1.3.6.1.4.1.1129.2.3.50.1.3.21.6.1.208.1.4", 0) == 0);
    // Without the total column, the fax row's black pages are its total.
    auto view = partial("toshiba-counters");
    view.erase(O("1.3.6.1.4.1.1129.2.3.50.1.3.21.6.1.7.1.4"));
    const auto fax = test::collect(view);
    CHECK(fax.snapshot.counters.at("fax_total") == 200);
    CHECK(
        fax.sources.at("counters.fax_total").rfind("1.3.6.1.4.1.1129.2.3.50.1.3.21.6.1.7.1.3", 0) ==
        0);
}

TEST_CASE("a monochrome marker's pages are black: mono from the totals, never against colour",
          "[counters][partial]") {
    const char* const kColorants = "1.3.6.1.2.1.43.10.2.1.6.1.1";
    const auto r = test::collect(partial("pwg-mono-mfp"));
    CHECK(r.snapshot.identity.vendor == "Acme Imaging");
    // PWG 5106.1 lifetime work totals per service; the power-on row is not read. Colour scans
    // are no colour pages: the marker is still monochrome.
    const Counters want = {{"total", 9000},       {"print_total", 6000}, {"copy_total", 2500},
                           {"fax_total", 500},    {"mono", 9000},        {"print_mono", 6000},
                           {"copy_mono", 2500},   {"scan_total", 1800},  {"scan_mono", 1500},
                           {"scan_color", 300},   {"duplex", 3000},      {"sheets", 7500},
                           {"sheets_large", 500}, {"sheets_small", 7000}};
    CHECK(r.snapshot.counters == want);
    CHECK(r.sources.at("counters.print_total") == "1.3.6.1.4.1.2699.1.3.1.8.1.1");
    CHECK(provenance(r.sources.at("counters.print_total")) == "standard");
    CHECK(r.sources.at("counters.mono") == std::string("derived: total on a monochrome marker (") +
                                               kColorants + " prtMarkerProcessColorants = 1)");
    CHECK(provenance(r.sources.at("counters.copy_mono")) == "derived");
    // Scans are the images the scan service made (icImageTable), not its impressions (0).
    CHECK(r.sources.at("counters.scan_total") == "1.3.6.1.4.1.2699.1.3.1.7.1.1");

    const auto without_mono = [](const CollectResult& c) {
        return c.snapshot.counters.count("mono") == 0 &&
               c.snapshot.counters.count("print_mono") == 0 &&
               c.snapshot.counters.count("copy_mono") == 0;
    };
    SECTION("a colour marker: nothing derived") {
        auto view = partial("pwg-mono-mfp");
        view[O(kColorants)] = Value{ValueType::integer, 4, "", {}};
        CHECK(without_mono(test::collect(view)));
    }
    SECTION("no column at all: nothing derived") {
        auto view = partial("pwg-mono-mfp");
        view.erase(O(kColorants));
        CHECK(without_mono(test::collect(view)));
    }
    SECTION("a colour printer answering 1 is found out by its supplies or colorants") {
        auto cyan = partial("pwg-mono-mfp");
        cyan[O(std::string(kSupplies) + ".6.1.3")] = text_value("Cyan Toner");
        cyan[O(std::string(kSupplies) + ".5.1.3")] = Value{ValueType::integer, 3, "", {}};
        const auto c = test::collect(cyan);
        CHECK(without_mono(c));
        CHECK(has_note(c, "says monochrome, but supply \"Cyan Toner\" is cyan"));
        auto colorant = partial("pwg-mono-mfp");
        colorant[O("1.3.6.1.2.1.43.12.1.1.4.1.2")] = text_value("Gelb");
        const auto g = test::collect(colorant);
        CHECK(without_mono(g));
        CHECK(has_note(g, "colorant 1.2 is Gelb"));
        // A colorant in the panel's language that names black is no contradiction.
        auto schwarz = partial("pwg-mono-mfp");
        schwarz[O("1.3.6.1.2.1.43.12.1.1.4.1.1")] = text_value("Schwarz");
        CHECK(test::collect(schwarz).snapshot.counters.at("mono") == 9000);
    }
    SECTION("colour pages counted: nothing derived") {
        // `pages` in the impression cell read as `counter`, which then refuses the derivation.
        const auto refused_by = [&](const char* cell, const std::string& counter,
                                    std::int64_t pages) {
            INFO(counter);
            auto view = partial("pwg-mono-mfp");
            view[O(cell)] = Value{ValueType::integer, pages, "", {}};
            const auto c = test::collect(view);
            CHECK(c.snapshot.counters.at(counter) == pages);
            CHECK(without_mono(c));
            CHECK(has_note(c, counter + " counts pages"));
        };
        // icImpressionFullColorImps of the print service.
        refused_by("1.3.6.1.4.1.2699.1.3.1.8.1.1.7.2.3.3", "print_color", 12);
        // icImpressionHighlightColorImps (black and one colour) of the system totals: two
        // colour pages, no monochrome marker either.
        refused_by("1.3.6.1.4.1.2699.1.3.1.8.1.1.8.1.3.3", "two_color", 7);
    }
    SECTION("no supply listed (a partial agent), or several toners of no colour: nothing") {
        auto bare = partial("pwg-mono-mfp");
        for (auto it = bare.lower_bound(O(kSupplies));
             it != bare.end() && snmp::starts_with(it->first, O(kSupplies));) {
            it = bare.erase(it);
        }
        CHECK(without_mono(test::collect(bare)));
        auto four = partial("pwg-mono-mfp");
        for (const std::uint32_t i : {3U, 4U, 5U}) {
            const auto row = "." + std::to_string(i);
            four[O(std::string(kSupplies) + ".5.1" + row)] = Value{ValueType::integer, 3, "", {}};
            four[O(std::string(kSupplies) + ".6.1" + row)] = text_value("TK-5240" + row);
        }
        CHECK(without_mono(test::collect(four)));
    }
    SECTION("a repeat poll GETs the changing cells and keeps the static column") {
        const auto full = partial("pwg-mono-mfp");
        const auto plan = repeat_plan(full, test::builtin_profiles());
        const auto asked = [&](const std::string& oid) {
            return std::count(plan.scalars.begin(), plan.scalars.end(), O(oid)) == 1;
        };
        CHECK(asked("1.3.6.1.2.1.43.10.2.1.4.1.1"));
        CHECK(asked("1.3.6.1.4.1.2699.1.3.1.7.1.1.4.5.3.3"));         // scanned images
        CHECK(asked("1.3.6.1.4.1.2699.1.3.1.8.1.1.4.2.3.3"));         // printed impressions
        CHECK(asked("1.3.6.1.4.1.2699.1.3.1.9.1.1.4.1.3.3"));         // two-sided impressions
        CHECK(asked("1.3.6.1.4.1.2699.1.3.1.10.1.1.4.1.3.3"));        // sheets
        CHECK(asked("1.3.6.1.4.1.2699.1.3.1.12.1.1.4.1.2.3"));        // A3 sheets
        CHECK_FALSE(asked("1.3.6.1.4.1.2699.1.3.1.12.1.1.9.1.2.3"));  // its size name
        CHECK_FALSE(asked(kColorants));
        // The device printed 100 more pages and scanned 20 more images since the full read.
        auto later = full;
        later[O("1.3.6.1.2.1.43.10.2.1.4.1.1")] = Value{ValueType::counter32, 9100, "", {}};
        later[O("1.3.6.1.4.1.2699.1.3.1.8.1.1.4.1.3.3")] = Value{ValueType::integer, 9100, "", {}};
        later[O("1.3.6.1.4.1.2699.1.3.1.7.1.1.4.5.3.3")] = Value{ValueType::integer, 1820, "", {}};
        const auto merged = merge_repeat(full, plan, restrict_to(later, {plan}));
        const auto again =
            build_snapshot(merged, test::builtin_profiles(), "10.0.0.1", "2026-01-01T00:05:00Z");
        CHECK(again.snapshot.counters.at("mono") == 9100);
        CHECK(again.snapshot.counters.at("scan_total") == 1820);
    }
    SECTION("media sizes: inches and millimetres; a used size without dimensions voids both") {
        auto ledger = partial("pwg-mono-mfp");
        ledger[O("1.3.6.1.4.1.2699.1.3.1.12.1.1.4.1.4.3")] = Value{ValueType::integer, 40, "", {}};
        const auto l = test::collect(ledger);
        CHECK(l.snapshot.counters.at("sheets_large") == 540);  // 11x17 in: 431.8 mm
        CHECK(l.snapshot.counters.at("sheets_small") == 7000);
        auto custom = partial("pwg-mono-mfp");
        custom[O("1.3.6.1.4.1.2699.1.3.1.12.1.1.4.1.5.3")] = Value{ValueType::integer, 3, "", {}};
        const auto c = test::collect(custom);
        CHECK(c.snapshot.counters.count("sheets_large") == 0);
        CHECK(c.snapshot.counters.count("sheets_small") == 0);
        CHECK(c.snapshot.counters.at("sheets") == 7500);
        CHECK(has_note(c, "sheets of a media size without dimensions"));
        auto junk = partial("pwg-mono-mfp");
        junk[O("1.3.6.1.4.1.2699.1.3.1.12.1.1.4.1.2.3")] = text_value("n/a");
        const auto j = test::collect(junk);
        CHECK(j.snapshot.counters.count("sheets_large") == 0);
        CHECK(has_note(j, "icMediaUsedTotalSheets is no count"));
    }
    SECTION("the device's own black count stands") {
        auto view = partial("pwg-mono-mfp");
        // icImpressionMonochromeImps of the systemTotals row, a few pages apart.
        view[O("1.3.6.1.4.1.2699.1.3.1.8.1.1.5.1.3.3")] = Value{ValueType::integer, 8990, "", {}};
        const auto c = test::collect(view);
        CHECK(c.snapshot.counters.at("mono") == 8990);
        CHECK(c.sources.at("counters.mono") == "1.3.6.1.4.1.2699.1.3.1.8.1.1");
    }
}
