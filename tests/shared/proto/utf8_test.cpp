// UTF-8 validation and code point counts (character limits of the APIs).
#include <catch2/catch.hpp>

#include <string>

#include "printmon/proto/utf8.hpp"

using printmon::proto::utf8_length;

TEST_CASE("utf8_length counts code points", "[proto][utf8]") {
    CHECK(utf8_length("") == 0U);
    CHECK(utf8_length("abc") == 3U);
    CHECK(utf8_length("Принтер") == 7U);           // 2 bytes each
    CHECK(utf8_length("\xE2\x82\xAC") == 1U);      // U+20AC, 3 bytes
    CHECK(utf8_length("\xF0\x9F\x96\xA8") == 1U);  // U+1F5A8 printer, 4 bytes
    CHECK(utf8_length(std::string(100, 'a')) == 100U);
    std::string cyrillic;
    for (int i = 0; i < 100; ++i) cyrillic += "ж";
    CHECK(cyrillic.size() == 200U);
    CHECK(utf8_length(cyrillic) == 100U);
}

TEST_CASE("utf8_length refuses what is not UTF-8", "[proto][utf8]") {
    CHECK_FALSE(utf8_length("\xFF"));              // never a UTF-8 byte
    CHECK_FALSE(utf8_length("abc\xD0"));           // truncated sequence
    CHECK_FALSE(utf8_length("\xD0\x41"));          // lead without continuation
    CHECK_FALSE(utf8_length("\x80"));              // lone continuation
    CHECK_FALSE(utf8_length("\xC0\xAF"));          // overlong '/'
    CHECK_FALSE(utf8_length("\xE0\x80\xAF"));      // overlong, 3 bytes
    CHECK_FALSE(utf8_length("\xED\xA0\x80"));      // UTF-16 surrogate U+D800
    CHECK_FALSE(utf8_length("\xF4\x90\x80\x80"));  // above U+10FFFF
    CHECK_FALSE(utf8_length("\xE9t\xE9"));         // Latin-1 "été"
}
