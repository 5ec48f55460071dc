#include <catch2/catch.hpp>

#include "polling/text.hpp"

using namespace printmon::scanner::text;

TEST_CASE("decode: NUL padding, control prefixes, whitespace", "[text]") {
    CHECK(decode(std::string("Black Toner\0\0\0", 14)) == "Black Toner");
    CHECK(decode(std::string("\x01\x15VNCRC48198", 12)) == "VNCRC48198");
    CHECK(decode("  Tray\t 1 \r\n") == "Tray 1");
    CHECK(decode("") == "");
}

TEST_CASE("decode: a net-snmp hex dump leaked into a recording is rebuilt", "[text]") {
    CHECK(decode("Stapler 1 HP C80\n39 31 41 00") == "Stapler 1 HP C8091A");
    // Ordinary multi-line text is left alone (newline becomes a space).
    CHECK(decode("Line one\nLine two") == "Line one Line two");
}

TEST_CASE("charsets", "[text]") {
    // "Тонер" in CP1251 and KOI8-R, "é" in Latin-1 / Roman-8, "ł" in Latin-2.
    CHECK(to_utf8("\xD2\xEE\xED\xE5\xF0", Charset::cp1251) == "Тонер");
    CHECK(to_utf8("\xF4\xCF\xCE\xC5\xD2", Charset::koi8r) == "Тонер");
    CHECK(to_utf8("caf\xE9", Charset::latin1) == "café");
    CHECK(to_utf8("caf\xC5", Charset::roman8) == "café");
    CHECK(to_utf8("\xB3\xF3"
                  "d\xBC",
                  Charset::latin2) == "łódź");
    CHECK(to_utf8("caf\xC3\xA9", Charset::automatic) == "café");  // valid UTF-8 kept
    CHECK(to_utf8("caf\xE9", Charset::automatic) == "café");      // Latin-1 guessed
    CHECK(to_utf8("\xD2\xEE\xED\xE5\xF0 \xF7\xB8\xF0\xED\xFB\xE9", Charset::automatic) ==
          "Тонер чёрный");
    CHECK(charset_from_mibenum(2251) == Charset::cp1251);
    CHECK(charset_from_mibenum(2004) == Charset::roman8);
    CHECK(charset_from_mibenum(106) == Charset::utf8);
    CHECK_FALSE(charset_from_mibenum(9999).has_value());
    CHECK(charset_from_name("KOI8-R") == Charset::koi8r);
}

TEST_CASE("UTF-8 validation", "[text]") {
    CHECK(is_valid_utf8("plain"));
    CHECK(is_valid_utf8("\xD0\xA2"));
    CHECK_FALSE(is_valid_utf8("\xD0"));          // cut
    CHECK_FALSE(is_valid_utf8("\xC0\x80"));      // overlong
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));  // surrogate
    DecodeInfo how;
    CHECK(decode("T\xD0\xB5\xD1", Charset::automatic, &how) == "Tе");
    CHECK(how.truncated);
}

TEST_CASE("MAC formatting", "[text]") {
    CHECK(format_mac(std::string("\x00\x21\xB7\x43\xF5\x81", 6)) == "00:21:b7:43:f5:81");
    CHECK(format_mac("00-21-B7-43-F5-81") == "00:21:b7:43:f5:81");
    CHECK(format_mac("0021b743f581") == "00:21:b7:43:f5:81");
    CHECK(format_mac(std::string(6, '\0')).empty());
    CHECK(format_mac(std::string(6, '\xFF')).empty());
    CHECK(format_mac("").empty());
    CHECK(format_mac("not a mac").empty());
}

TEST_CASE("IEEE 1284 device ID fields", "[text]") {
    const char* id = "MFG:Hewlett-Packard;CMD:PJL,PCL;MDL:HP LaserJet 4;CLS:PRINTER;";
    CHECK(ieee1284_field(id, "MDL|MODEL") == "HP LaserJet 4");
    CHECK(ieee1284_field("MANUFACTURE:OKI;MODEL:MC873;", "MDL|MODEL") == "MC873");
    CHECK(ieee1284_field(id, "SN").empty());
}

TEST_CASE("identity values: junk an agent sends for a value it does not know", "[text]") {
    using F = IdentityField;
    for (const auto* junk : {"", "  ", "0", "0000000000", "0.0.0", "00:00:00", "0x0000", "----",
                             "?", "unknown", "N/A", "none", "NULL", "\xC3\xBF\xC3\xBF",
                             "\xEF\xBF\xBD"
                             "AB"}) {
        INFO(junk);
        CHECK_FALSE(identity_problem(junk, F::model).empty());
        CHECK_FALSE(identity_problem(junk, F::serial).empty());
        CHECK_FALSE(identity_problem(junk, F::firmware).empty());
    }
    CHECK(identity_problem("FFFFFFFFFFFF", F::serial) == "one character repeated");
    CHECK(identity_problem("FFFFFFFFFFFF", F::model).empty());
    CHECK(identity_problem("Pr\xC3\xA9 4", F::serial) == "not printable ASCII");
    CHECK(identity_problem("Pr\xC3\xA9 4", F::model).empty());
    // An object's whole value has the field's length; a field taken from a longer text is
    // capped instead (sysDescr "... PID:<30,000 characters>").
    CHECK(identity_problem(std::string(65, 'A') + "1", F::serial) == "longer than any real value");
    CHECK(identity_problem(std::string(200, 'A'), F::model, false).empty());
    for (const auto* real : {"Q", "0x1234", "X8GZ012345", "V1.20.0", "e-STUDIO2515AC", "10",
                             "2S0_2F00.005.003", "ET-5800 Series"}) {
        INFO(real);
        CHECK(identity_problem(real, F::model).empty());
        CHECK(identity_problem(real, F::serial).empty());
        CHECK(identity_problem(real, F::firmware).empty());
    }
}

TEST_CASE("decode counts control characters inside the text, not its padding", "[text]") {
    DecodeInfo how;
    CHECK(decode(std::string("\x01\x15VNCRC48198\0\0", 14), {}, &how) == "VNCRC48198");
    CHECK(how.controls == 0);
    DecodeInfo bin;
    CHECK(decode(std::string("AB\x07\x08\xFF\x09", 6), {}, &bin).rfind("AB", 0) == 0);
    CHECK(bin.controls == 2);
    DecodeInfo lines;
    decode("Ver 1.0\r\nBuild 7", {}, &lines);
    CHECK(lines.controls == 0);
}
