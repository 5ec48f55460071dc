#include <catch2/catch.hpp>

#include <algorithm>

#include "profiles/profile.hpp"

using namespace printmon::scanner;

namespace {

std::string error_of(const std::string& toml) {
    ProfileSet set;
    try {
        set.load_text("bad.toml", toml);
        set.validate();
    } catch (const ProfileError& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("embedded profiles load and cover every vendor family", "[profiles]") {
    const auto set = ProfileSet::embedded();
    for (const char* id :
         {"hp", "kyocera", "ricoh", "canon", "xerox", "fujixerox", "konica", "sharp", "brother",
          "lexmark", "epson", "oki", "samsung", "dell", "toshiba", "pantum", "zebra"}) {
        INFO(id);
        CHECK(set.by_id(id) != nullptr);
    }
    for (const auto& [ent, vendor] :
         std::vector<std::pair<std::uint32_t, const char*>>{{11, "HP"},
                                                            {1347, "Kyocera"},
                                                            {367, "Ricoh"},
                                                            {1602, "Canon"},
                                                            {253, "Xerox"},
                                                            {18334, "Konica Minolta"},
                                                            {2385, "Sharp"},
                                                            {2435, "Brother"},
                                                            {641, "Lexmark"},
                                                            {1248, "Epson"},
                                                            {2001, "OKI"},
                                                            {236, "Samsung"},
                                                            {674, "Dell"},
                                                            {1129, "Toshiba TEC"},
                                                            {40093, "Pantum"},
                                                            {51966, "TSC"},
                                                            {10642, "Zebra"}}) {
        const Brand* b = set.brand_for_enterprise(ent);
        REQUIRE(b != nullptr);
        CHECK(b->vendor == vendor);
    }
}

TEST_CASE("brands: OEM names in sysDescr", "[profiles]") {
    const auto set = ProfileSet::embedded();
    const auto vendor = [&](const char* text) {
        const Brand* b = set.brand_for_text(text);
        return b ? b->vendor : std::string("-");
    };
    CHECK(vendor("TA_UTAX Printing System") == "UTAX");
    CHECK(vendor("COPYSTAR CS 3553ci") == "Copystar");
    CHECK(vendor("FUJI XEROX DocuPrint CM305 df") == "Fuji Xerox");
    CHECK(vendor("Xerox Phaser 4600") == "Xerox");
    CHECK(vendor("LANIER MP C3501") == "Lanier");
    CHECK(vendor("Develop ineo 280") == "Develop");
    CHECK(vendor("TOSHIBA e-STUDIO305CS") == "Toshiba TEC");
    CHECK(vendor("HP ETHERNET MULTI-ENVIRONMENT") == "HP");
    CHECK(vendor("Generic network printer") == "-");
}

TEST_CASE("profile match: longest sysObjectID prefix, then the brand's profile", "[profiles]") {
    const auto set = ProfileSet::embedded();
    const Profile* p = set.match(".1.3.6.1.4.1.11.2.3.9.1", "HP ETHERNET", "HP");
    REQUIRE(p != nullptr);
    CHECK(p->id == "hp");
    p = set.match(".1.3.6.1.4.1.1347.41", "TA_UTAX Printing System", "UTAX");
    REQUIRE(p != nullptr);
    CHECK(p->id == "kyocera");
    p = set.match(".1.3.6.1.4.1.1347.41", "COPYSTAR CS 3553ci", "Copystar");
    REQUIRE(p != nullptr);
    CHECK(p->id == "kyocera");
    p = set.match("", "LANIER MP C3501", "Lanier");
    REQUIRE(p != nullptr);
    CHECK(p->id == "ricoh");
    p = set.match(".1.3.6.1.4.1.683.6.0", "ZebraNet Wired PS", "Zebra");
    REQUIRE(p != nullptr);
    CHECK(p->id == "zebra-esi");
    CHECK(set.match(".1.3.6.1.4.1.683.6.0", "Other ESI print server", "") == nullptr);
}

TEST_CASE("profile errors name file, line and column", "[profiles]") {
    CHECK(error_of("[[profile]]\nid = \"x\"\nsys_object_id = [\"1.3.x\"]\n") ==
          "bad.toml:3:18: bad OID '1.3.x'");
    CHECK(error_of("[[profile]]\nid = \"x\"\nmodle = []\n").rfind("bad.toml:3:", 0) == 0);
    CHECK(error_of("[[profile\n").rfind("bad.toml:1:", 0) == 0);
    CHECK(error_of("[[brand]]\nvendor = \"V\"\npattern = \"(\"\n").find("bad.toml:3:") == 0);
    CHECK(error_of("[[brand]]\nvendor = \"V\"\nprofile = \"nope\"\n").find("unknown profile") !=
          std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\n[profile.supply_levels]\nspecial = [{level = 1, "
                   "state = \"great\"}]\n")
              .find("unknown supply state 'great'") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\ncounters = [{name = \"Bad Name\", oid = \"1.3\"}]\n")
              .find("bad counter name") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\ncharset = \"ebcdic\"\n") ==
          "bad.toml:3:11: unknown charset 'ebcdic'");
    CHECK(error_of("[[profile]]\nid = \"x\"\n[[profile.counter_tables]]\ntype_column = \"1.3\"\n"
                   "value_column = \"1.4\"\ntypes = [{type = 1, name = \"Bad Name\"}]\n")
              .find("bad counter name") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\n[[profile.counter_tables]]\ntype_column = \"1.3\"\n"
                   "types = []\n")
              .find("expected {type_column, value_column, types") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\n[[profile.counter_tables]]\ntype_column = \"1.3\"\n"
                   "value_column = \"1.x\"\ntypes = []\n")
              .find("bad OID") != std::string::npos);
    // Attribute columns, match rules and row scales of counter tables.
    const std::string table =
        "[[profile]]\nid = \"x\"\n[[profile.counter_tables]]\ntype_column = \"1.3\"\n"
        "value_column = \"1.4\"\n";
    CHECK(error_of(table + "types = [{type = 1, name = \"a\", match = {color = [1]}}]\n")
              .find("match on 'color', which no attribute_columns entry names") !=
          std::string::npos);
    CHECK(error_of(table + "attribute_columns = {}\ntypes = []\n")
              .find("attribute_columns must be a non-empty table") != std::string::npos);
    CHECK(error_of(table + "attribute_columns = {unit = \"1.5\"}\nrow_scale = [{match = {unit "
                           "= [8]}, scale = 0}]\ntypes = []\n")
              .find("scale must be 1..1000") != std::string::npos);
    CHECK(error_of(table + "attribute_columns = {unit = \"1.5\"}\nrow_scale = [{scale = 2}]\n"
                           "types = []\n")
              .find("expected {match = {...}, scale = N}") != std::string::npos);
    CHECK(
        error_of(table + "types = [{type = [], name = \"a\"}]\n").find("type must not be empty") !=
        std::string::npos);
    CHECK(error_of(table + "types = [{type = 1, pattern = 'x', name = \"a\"}]\n")
              .find("or {pattern = '...', name") != std::string::npos);
    CHECK(error_of(table + "types = [{pattern = '(', name = \"a\"}]\n").find("bad.toml:") == 0);
    CHECK(error_of("[[profile]]\nid = \"x\"\nderived = [{name = \"a\", difference = [\"b\", "
                   "\"c\"], partial = true}]\n")
              .find("a difference needs all its parts") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nderived = [{name = \"a\", difference = [\"b\"], "
                   "sum = [\"b\", \"c\"]}]\n")
              .find("or {name = ..., difference = [...]}") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nderived = [{name = \"a\", difference = [\"b\"]}]\n")
              .find("difference needs at least two counter names") != std::string::npos);
    CHECK(error_of(table + "types = [{type = 1, name = \"a\", void = 1}]\n")
              .find("void must be true or false") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\ncounters = [{name = \"a\", oid = \"1.3\", sum = "
                   "\"yes\"}]\n") == "bad.toml:3:45: sum must be true or false");
    CHECK(
        error_of("[[profile]]\nid = \"x\"\nderived = [{name = \"Total\", sum = [\"b\", \"c\"]}]\n")
            .find("bad counter name 'Total'") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\n[[profile.size_tables]]\nsize_column = \"1.3\"\n"
                   "large_sizes = [1]\nsmall_sizes = [2]\nvalue_column = \"1.4\"\n"
                   "large = \"Big\"\nsmall = \"small\"\n")
              .find("bad counter name 'Big'") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nmodel = [{oid = \"1.3\", column = \"1.4\"}]\n")
              .find("oid or column, not both") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nfirmware = [{oid = \"1.3\", prefix = \"\"}]\n")
              .find("prefix must be 1 to 16 characters") != std::string::npos);
    // Supply tables, vendor status blocks, Brother life records, inkjet models.
    CHECK(error_of("[[profile]]\nid = \"x\"\n[[profile.supply_tables]]\nname_columns = [\"1.3\"]\n"
                   "type = \"toner\"\n")
              .find("needs name_columns, level_column and type (or type_column)") !=
          std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\n[[profile.supply_tables]]\nname_columns = []\n"
                   "level_column = \"1.3\"\ntype = \"toner\"\n")
              .find("non-empty array of OIDs") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\n[[profile.supply_tables]]\nname_columns = [\"1.3\"]\n"
                   "level_column = \"1.4\"\ntype = \"toner\"\ncodes = [{level = -3, state = "
                   "\"half\"}]\n")
              .find("unknown supply state 'half'") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nstatus = [{oid = \"1.3\"}]\n")
              .find("format \"epson_st2_status\"") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nstatus = [{oid = \"1.3\", format = "
                   "\"epson_st2_status\", states = [{code = 4, device = \"fine\"}]}]\n")
              .find("unknown device status 'fine'") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nstatus = [{oid = \"1.3\", format = "
                   "\"epson_st2_status\", errors = [{code = 4, error = \"paper_jam\"}]}]\n")
              .find("unknown error code 'paper_jam'") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nstatus = [{oid = \"1.3\", format = \"mac\"}]\n")
              .find(R"(needs format "epson_st2_status" or "enum")") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nstatus = [{oid = \"1.3\", format = \"enum\", "
                   "states = [{code = 5, device = \"jammed\"}]}]\n")
              .find("unknown device status 'jammed'") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nsupplies = [{description = \"K\", type = \"toner\", "
                   "oid = \"1.3\", format = \"brother_life:zz\"}]\n")
              .find("brother_life needs a hex record code") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\ncounters = [{name = \"jams\", oid = \"1.3\", "
                   "format = \"brother_tlv:a1b\"}]\n")
              .find("brother_tlv needs a hex record code") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nsupplies = [{description = \"Box\", type = "
                   "\"waste_ink\", oid = \"1.3\", format = \"epson_st2_box:2\"}]\n")
              .find("epson_st2_box needs a box number 0..1") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nsupplies = [{description = \"Box\", type = "
                   "\"waste_ink\", oid = \"1.3\", codes = [{level = 1, state = \"full\"}]}]\n")
              .find("unknown supply state 'full'") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\ninkjet_model = \"(\"\n").find("bad.toml:3:") == 0);
    // Pages left per unit (Brother's next care).
    CHECK(error_of("[[profile]]\nid = \"x\"\nsupply_pages = [{oid = \"1.3\"}]\n")
              .find("supply pages need type and oid") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nsupply_pages = [{type = \"other\", oid = "
                   "\"1.3\"}]\n")
              .find("type other need a description") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nsupply_pages = [{type = \"opc\", oid = \"1.3\", "
                   "divisor = 2}]\n")
              .find("unknown key 'divisor'") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nsupply_pages = {type = \"opc\"}\n")
              .find("supply_pages must be an array of tables") != std::string::npos);
    // An element that is no table names the shape expected, at the element's place.
    CHECK(error_of("[[profile]]\nid = \"x\"\nsupplies = [{description = \"K\", type = "
                   "\"toner\", oid = \"1.3\"}, 7]\n") ==
          "bad.toml:3:63: expected {description = ..., oid = ...}");
    CHECK(error_of("[[profile]]\nid = \"x\"\nderived = [\"total\"]\n")
              .find("expected {name = ..., sum = [...]} or") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nsize_tables = [{value_column = \"1.3\"}]\n")
              .find("expected {unit_column, length_column") != std::string::npos);
    CHECK(error_of("profile = 3\n").find("use [[profile]] tables") != std::string::npos);
    // Status flags (JetDirect's gdStatus group).
    CHECK(error_of("[[profile]]\nid = \"x\"\nstatus_flags = [{oid = \"1.3\"}]\n")
              .find("expected {oid = ..., error = ...}") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nstatus_flags = [{oid = \"1.3\", error = "
                   "\"paper_jam\"}]\n")
              .find("unknown error code 'paper_jam'") != std::string::npos);
    CHECK(error_of("[[profile]]\nid = \"x\"\nstatus_flags = [{oid = \"1.3\", error = "
                   "\"jammed\", device = \"stopped\"}]\n")
              .find(R"(device must be "down" or "warning")") != std::string::npos);
    const std::string flag =
        "[[profile]]\nid = \"x\"\nstatus_flags = [{oid = \"1.3\", error = "
        "\"jammed\", ";
    CHECK(error_of(flag + "set = [2]}]\n").find("set and clear go together") != std::string::npos);
    CHECK(error_of(flag + "set = [2], clear = [1, 2]}]\n").find("2 is both set and clear") !=
          std::string::npos);
    CHECK(error_of(flag + "set = [], clear = [1]}]\n").find("set must not be empty") !=
          std::string::npos);
    CHECK(error_of(flag + "mask = 255}]\n").find("mask needs set and clear") != std::string::npos);
    CHECK(error_of(flag + "set = 1, clear = 0, mask = 0}]\n").find("mask must be positive") !=
          std::string::npos);
    // Supply tables with a type column, capacity and the printer's verdict (Lexmark).
    const std::string st =
        "[[profile]]\nid = \"x\"\n[[profile.supply_tables]]\n"
        "name_columns = [\"1.3\"]\nlevel_column = \"1.4\"\n";
    CHECK(error_of(st + "type = \"toner\"\ntype_column = \"1.5\"\ntypes = [{code = 6, type = "
                        "\"toner\"}]\n")
              .find("type and type_column exclude each other") != std::string::npos);
    CHECK(error_of(st + "type_column = \"1.5\"\n").find("type_column and types go together") !=
          std::string::npos);
    CHECK(error_of(st + "type_column = \"1.5\"\ntypes = []\n").find("types must not be empty") !=
          std::string::npos);
    CHECK(error_of(st + "type_column = \"1.5\"\ntypes = [{code = 6}]\n")
              .find("expected {code = ..., type = ...}") != std::string::npos);
    CHECK(error_of(st + "type = \"toner\"\nstate_column = \"1.6\"\n")
              .find("state_column and states go together") != std::string::npos);
    CHECK(error_of(st + "type = \"toner\"\nstate_column = \"1.6\"\nstates = [{code = 4, "
                        "state = \"lowish\"}]\n")
              .find("unknown supply state 'lowish'") != std::string::npos);
    CHECK(error_of(st + "type = \"toner\"\ncapacity_column = 5\n").find("expected an OID string") !=
          std::string::npos);
}

TEST_CASE("[not_a_model]: lower-case words and texts, merged across files", "[profiles]") {
    const auto set = ProfileSet::embedded();
    CHECK(set.not_a_model().first_words.count("linux") == 1);
    CHECK(set.not_a_model().first_words.count("vxworks") == 1);
    CHECK(std::find(set.not_a_model().containing.begin(), set.not_a_model().containing.end(),
                    "jetdirect") != set.not_a_model().containing.end());
    auto more = set;
    more.load_text("extra.toml", "[not_a_model]\nfirst_words = [\"rtx\"]\n");
    CHECK(more.not_a_model().first_words.count("rtx") == 1);
    CHECK(more.not_a_model().first_words.count("linux") == 1);
    CHECK(error_of("[not_a_model]\nfirst_words = [\"Linux\"]\n") ==
          "bad.toml:2:16: first_words entries must be non-empty lower case");
    CHECK(error_of("[not_a_model]\nfirst_words = [\"\"]\n") ==
          "bad.toml:2:16: first_words entries must be non-empty lower case");
    CHECK(error_of("[not_a_model]\nfirst_words = [\"linux\", \"two words\"]\n") ==
          "bad.toml:2:25: first_words entries are single words: 'two words'");
    CHECK(error_of("[not_a_model]\ncontaining = \"jetdirect\"\n") ==
          "bad.toml:2:14: containing must be an array");
    CHECK(error_of("[not_a_model]\ncontains = []\n") == "bad.toml:2:12: unknown key 'contains'");
    CHECK(error_of("not_a_model = 1\n") == "bad.toml:1:15: not_a_model must be a table");
}

TEST_CASE("[words]: every list has words; the notation gives each its bounds", "[profiles]") {
    const auto set = ProfileSet::embedded();
    const auto& w = set.words();
    for (const auto& l : Vocabulary::lists()) {
        INFO(l.key);
        CHECK(!(w.*l.words).empty());
    }
    for (std::size_t i = 0; i < w.supplies.size(); ++i) {
        INFO(Vocabulary::kSupplies[i]);
        CHECK(!w.supplies[i].empty());
    }
    for (std::size_t i = 0; i < w.colors.size(); ++i) {
        INFO(Vocabulary::kColors[i]);
        CHECK(!w.colors[i].empty());
    }

    ProfileSet one;
    one.load_text("extra.toml",
                  "[words]\nlow = [\"Nízký\", \"Tief*\", \"*[LO]*\", \"*ärmlich\", \"残量少\"]\n"
                  "[words.supply]\nopc = [\"rumpu*\"]\n[words.color]\nblack = [\"MUSTA\"]\n");
    const auto& low = one.words().low;
    REQUIRE(low.size() == 5);
    const auto bounds = [](const Vocabulary::Word& x) {
        return x.text + (x.starts_word ? " start" : "") + (x.ends_word ? " end" : "");
    };
    CHECK(bounds(low[0]) == "nízký start end");  // folded, a whole word
    CHECK(bounds(low[1]) == "tief start");
    CHECK(bounds(low[2]) == "[lo]");
    CHECK(bounds(low[3]) == "ärmlich end");
    CHECK(bounds(low[4]) == "残量少");  // CJK: anywhere
    CHECK(bounds(one.words().supplies[3].front()) == "rumpu start");
    CHECK(bounds(one.words().colors[0].front()) == "musta start end");
    CHECK(contains_word("toner tief", low[1]));
    CHECK(contains_word("tiefstand", low[1]));
    CHECK_FALSE(contains_word("vertiefung", low[1]));
    CHECK(contains_word("toner[lo]", low[2]));
    CHECK(contains_word("armärmlich", low[3]));
    CHECK_FALSE(contains_word("ärmliche", low[3]));
    CHECK_FALSE(contains_word("nízkýx", low[0]));

    // Files' words are merged: the built-in ones stay beside another file's.
    auto more = set;
    more.load_text("extra.toml", "[words]\nlow = [\"vähissä\"]\n");
    CHECK(more.words().low.size() == set.words().low.size() + 1);
    CHECK(contains_any("väriaine vähissä", more.words().low));
    CHECK(contains_any("toner low", more.words().low));
}

TEST_CASE("[words]: a wrong key, kind, colour or entry is refused with its place", "[profiles]") {
    CHECK(error_of("[words]\nlo = [\"low\"]\n") == "bad.toml:2:6: unknown key 'words.lo'");
    CHECK(error_of("[words.supply]\ntonr = [\"toner\"]\n") ==
          "bad.toml:2:8: unknown supply 'tonr' (known: toner, ink, marking, opc, developer, "
          "fuser, transfer_unit)");
    CHECK(error_of("[words.color]\ngrey = [\"grau\"]\n") ==
          "bad.toml:2:8: unknown color 'grey' (known: black, cyan, magenta, yellow)");
    CHECK(error_of("[words]\nlow = \"low\"\n") ==
          "bad.toml:2:7: words.low must be an array of strings");
    CHECK(error_of("[words]\nlow = [1]\n") == "bad.toml:2:8: words.low must be a string");
    CHECK(error_of("[words]\nlow = [\"to*ner\"]\n") ==
          "bad.toml:2:8: words.low entries are words or phrases with '*' only at their ends: "
          "'to*ner'");
    CHECK(error_of("[words]\nlow = [\"**\"]\n").find("only at their ends: '**'") !=
          std::string::npos);
    CHECK(error_of("[words]\nlow = [\" low\"]\n").find("only at their ends: ' low'") !=
          std::string::npos);
    CHECK(error_of("[words]\nsupply = 1\n") == "bad.toml:2:10: words.supply must be a table");
    CHECK(error_of("words = 1\n") == "bad.toml:1:9: words must be a table");
}

TEST_CASE("an override file replaces the embedded file of the same name", "[profiles]") {
    auto set = ProfileSet::embedded();
    set.load_text("ricoh.toml",
                  "[[profile]]\nid = \"ricoh\"\nvendor = \"Ricoh\"\nsys_object_id = "
                  "[\"1.3.6.1.4.1.367\"]\n");
    set.validate();
    const Profile* p = set.by_id("ricoh");
    REQUIRE(p != nullptr);
    CHECK(p->serial.empty());
    CHECK(set.brand_for_text("LANIER MP") == nullptr);  // brands went with the old file
}

TEST_CASE("a status enumeration is written once and named by several profiles", "[profiles]") {
    const auto set = ProfileSet::embedded();
    const Profile* zebra = set.by_id("zebra-esi");
    const Profile* oki = set.by_id("oki");
    REQUIRE(zebra != nullptr);
    REQUIRE(oki != nullptr);
    REQUIRE(zebra->status.size() == 1);
    REQUIRE(oki->status.size() == 1);
    // Both resolved to ESI's outputExtendedStatus, code for code.
    for (const Profile* p : {zebra, oki}) {
        INFO(p->id);
        const auto& s = p->status[0];
        CHECK(s.enum_id == "esi-output-extended-status");
        CHECK(s.states.size() == 7);
        CHECK(s.states.at(1) == printmon::proto::DeviceStatus::running);
        CHECK(s.states.at(3) == printmon::proto::DeviceStatus::warning);
        CHECK(s.states.at(15) == printmon::proto::DeviceStatus::down);
        CHECK(s.errors.at(4) == "no_paper");
        CHECK(s.errors.at(6) == "door_open");
        CHECK(s.errors.count(15) == 0);  // printer-Error names no condition
    }
    CHECK(zebra->status[0].states == oki->status[0].states);
    CHECK(zebra->status[0].errors == oki->status[0].errors);

    // A file that names an enumeration another file defines: resolved once both are in,
    // whichever loads first.
    ProfileSet two;
    two.load_text("a.toml",
                  "[[profile]]\nid = \"a\"\n[[profile.status]]\noid = \"1.3.6.1.4.1.9.1\"\n"
                  "format = \"enum\"\nenum = \"shared\"\n");
    two.load_text("b.toml",
                  "[[status_enum]]\nid = \"shared\"\nstates = [{code = 1, device = "
                  "\"running\"}]\nerrors = [{code = 2, error = \"jammed\"}]\n");
    two.validate();
    REQUIRE(two.by_id("a") != nullptr);
    CHECK(two.by_id("a")->status[0].states.at(1) == printmon::proto::DeviceStatus::running);
    CHECK(two.by_id("a")->status[0].errors.at(2) == "jammed");

    // What loading refuses.
    const std::string source =
        "[[profile]]\nid = \"x\"\n[[profile.status]]\noid = \"1.3.6.1.4.1.9.1\"\n";
    CHECK(error_of(source + "format = \"enum\"\nenum = \"nope\"\n") ==
          "bad.toml: profile x names unknown status_enum 'nope'");
    CHECK(error_of(source + "format = \"enum\"\nenum = \"e\"\nstates = [{code = 1, device = "
                            "\"running\"}]\n")
              .find("names an enum or lists its codes, not both") != std::string::npos);
    CHECK(error_of(source + "format = \"epson_st2_status\"\nenum = \"e\"\n")
              .find(R"(needs format "enum")") != std::string::npos);
    CHECK(error_of("[[status_enum]]\nid = \"e\"\n").find("has neither states nor errors") !=
          std::string::npos);
    CHECK(error_of("[[status_enum]]\nid = \"e\"\nstates = [{code = 1, device = \"sleepy\"}]\n")
              .find("unknown device status 'sleepy'") != std::string::npos);
    CHECK(error_of("[[status_enum]]\nid = \"e\"\nerrors = [{code = 1, error = \"jammed\"}]\n"
                   "[[status_enum]]\nid = \"e\"\nerrors = [{code = 1, error = \"jammed\"}]\n")
              .find("status_enum 'e' defined twice") != std::string::npos);
    CHECK(error_of("[[status_enum]]\nstates = []\n").find("status_enum without id") !=
          std::string::npos);
    ProfileSet twice = ProfileSet::embedded();
    twice.load_text("mine.toml",
                    "[[status_enum]]\nid = \"esi-output-extended-status\"\n"
                    "errors = [{code = 5, error = \"jammed\"}]\n");
    CHECK_THROWS_WITH(twice.validate(), Catch::Contains("is defined in"));
}
