// Charset detection and conversion (scanner/src/polling/charset.hpp): every encoding a printer
// may use for its text, from byte strings written here (CP1251/KOI8-R/GBK/CP932 bytes produced
// by Python's own codecs, not by the code under test), plus the promise that whatever arrives,
// the result is valid UTF-8.
#include <random>

#include <catch2/catch.hpp>

#include "polling/charset.hpp"
#include "polling/text.hpp"

using namespace printmon::scanner::text;

namespace {

struct Russian {
    const char* utf8;
    const char* cp1251;
    const char* koi8r;
};

// Front-panel and supply texts of Russian-localized printers, in both Cyrillic charsets.
const Russian kRussian[] = {
    {"Готов", "\xC3\xEE\xF2\xEE\xE2", "\xE7\xCF\xD4\xCF\xD7"},
    {"ГОТОВ", "\xC3\xCE\xD2\xCE\xC2", "\xE7\xEF\xF4\xEF\xF7"},
    {"Сон", "\xD1\xEE\xED", "\xF3\xCF\xCE"},
    {"Ожидание", "\xCE\xE6\xE8\xE4\xE0\xED\xE8\xE5", "\xEF\xD6\xC9\xC4\xC1\xCE\xC9\xC5"},
    {"Печать", "\xCF\xE5\xF7\xE0\xF2\xFC", "\xF0\xC5\xDE\xC1\xD4\xD8"},
    {"Мало тонера", "\xCC\xE0\xEB\xEE\x20\xF2\xEE\xED\xE5\xF0\xE0",
     "\xED\xC1\xCC\xCF\x20\xD4\xCF\xCE\xC5\xD2\xC1"},
    {"Нет бумаги", "\xCD\xE5\xF2\x20\xE1\xF3\xEC\xE0\xE3\xE8",
     "\xEE\xC5\xD4\x20\xC2\xD5\xCD\xC1\xC7\xC9"},
    {"НЕТ БУМАГИ", "\xCD\xC5\xD2\x20\xC1\xD3\xCC\xC0\xC3\xC8",
     "\xEE\xE5\xF4\x20\xE2\xF5\xED\xE1\xE7\xE9"},
    {"Замените тонер-картридж",
     "\xC7\xE0\xEC\xE5\xED\xE8\xF2\xE5\x20\xF2\xEE\xED\xE5\xF0\x2D\xEA\xE0\xF0\xF2\xF0\xE8\xE4\xE6",
     "\xFA\xC1\xCD\xC5\xCE\xC9\xD4\xC5\x20\xD4\xCF\xCE\xC5\xD2\x2D\xCB\xC1\xD2\xD4\xD2\xC9\xC4"
     "\xD6"},
    {"Откройте переднюю крышку",
     "\xCE\xF2\xEA\xF0\xEE\xE9\xF2\xE5\x20\xEF\xE5\xF0\xE5\xE4\xED\xFE\xFE\x20\xEA\xF0\xFB\xF8\xEA"
     "\xF3",
     "\xEF\xD4\xCB\xD2\xCF\xCA\xD4\xC5\x20\xD0\xC5\xD2\xC5\xC4\xCE\xC0\xC0\x20\xCB\xD2\xD9\xDB\xCB"
     "\xD5"},
    {"Лоток 1 пуст", "\xCB\xEE\xF2\xEE\xEA\x20\x31\x20\xEF\xF3\xF1\xF2",
     "\xEC\xCF\xD4\xCF\xCB\x20\x31\x20\xD0\xD5\xD3\xD4"},
    {"Чёрный", "\xD7\xB8\xF0\xED\xFB\xE9", "\xFE\xA3\xD2\xCE\xD9\xCA"},
    {"Голубой", "\xC3\xEE\xEB\xF3\xE1\xEE\xE9", "\xE7\xCF\xCC\xD5\xC2\xCF\xCA"},
    {"Пурпурный", "\xCF\xF3\xF0\xEF\xF3\xF0\xED\xFB\xE9", "\xF0\xD5\xD2\xD0\xD5\xD2\xCE\xD9\xCA"},
    {"Жёлтый", "\xC6\xB8\xEB\xF2\xFB\xE9", "\xF6\xA3\xCC\xD4\xD9\xCA"},
    {"ЖЁЛТЫЙ", "\xC6\xA8\xCB\xD2\xDB\xC9", "\xF6\xB3\xEC\xF4\xF9\xEA"},
    {"Барабан", "\xC1\xE0\xF0\xE0\xE1\xE0\xED", "\xE2\xC1\xD2\xC1\xC2\xC1\xCE"},
    {"Энергосбережение", "\xDD\xED\xE5\xF0\xE3\xEE\xF1\xE1\xE5\xF0\xE5\xE6\xE5\xED\xE8\xE5",
     "\xFC\xCE\xC5\xD2\xC7\xCF\xD3\xC2\xC5\xD2\xC5\xD6\xC5\xCE\xC9\xC5"},
    {"Прогрев", "\xCF\xF0\xEE\xE3\xF0\xE5\xE2", "\xF0\xD2\xCF\xC7\xD2\xC5\xD7"},
    {"Сбой", "\xD1\xE1\xEE\xE9", "\xF3\xC2\xCF\xCA"},
    {"Функция", "\xD4\xF3\xED\xEA\xF6\xE8\xFF", "\xE6\xD5\xCE\xCB\xC3\xC9\xD1"},
    {"Очистка", "\xCE\xF7\xE8\xF1\xF2\xEA\xE0", "\xEF\xDE\xC9\xD3\xD4\xCB\xC1"},
    {"Отмена", "\xCE\xF2\xEC\xE5\xED\xE0", "\xEF\xD4\xCD\xC5\xCE\xC1"},
    {"Замятие бумаги", "\xC7\xE0\xEC\xFF\xF2\xE8\xE5\x20\xE1\xF3\xEC\xE0\xE3\xE8",
     "\xFA\xC1\xCD\xD1\xD4\xC9\xC5\x20\xC2\xD5\xCD\xC1\xC7\xC9"},
    // Panels in capitals: each misread as the other charset before part 17 (its reading is all
    // lower case, and for these its letter frequencies scored higher).
    {"ПЕЧАТЬ", "\xCF\xC5\xD7\xC0\xD2\xDC", "\xF0\xE5\xFE\xE1\xF4\xF8"},
    {"ГОЛУБОЙ", "\xC3\xCE\xCB\xD3\xC1\xCE\xC9", "\xE7\xEF\xEC\xF5\xE2\xEF\xEA"},
    {"ЖЕЛТЫЙ", "\xC6\xC5\xCB\xD2\xDB\xC9", "\xF6\xE5\xEC\xF4\xF9\xEA"},
    {"ОТКРОЙТЕ ПЕРЕДНЮЮ КРЫШКУ",
     "\xCE\xD2\xCA\xD0\xCE\xC9\xD2\xC5\x20\xCF\xC5\xD0\xC5\xC4\xCD\xDE\xDE\x20\xCA\xD0\xDB\xD8"
     "\xCA\xD3",
     "\xEF\xF4\xEB\xF2\xEF\xEA\xF4\xE5\x20\xF0\xE5\xF2\xE5\xE4\xEE\xE0\xE0\x20\xEB\xF2\xF9\xFB"
     "\xEB\xF5"},
    {"ЗАМЯТИЕ", "\xC7\xC0\xCC\xDF\xD2\xC8\xC5", "\xFA\xE1\xED\xF1\xF4\xE9\xE5"},
    {"Тонер TK-1170 мало",
     "\xD2\xEE\xED\xE5\xF0\x20\x54\x4B\x2D\x31\x31\x37\x30\x20\xEC\xE0\xEB\xEE",
     "\xF4\xCF\xCE\xC5\xD2\x20\x54\x4B\x2D\x31\x31\x37\x30\x20\xCD\xC1\xCC\xCF"},
    {"Toner Black низкий",
     "\x54\x6F\x6E\x65\x72\x20\x42\x6C\x61\x63\x6B\x20\xED\xE8\xE7\xEA\xE8\xE9",
     "\x54\x6F\x6E\x65\x72\x20\x42\x6C\x61\x63\x6B\x20\xCE\xC9\xDA\xCB\xC9\xCA"},
    {"Фотобарабан", "\xD4\xEE\xF2\xEE\xE1\xE0\xF0\xE0\xE1\xE0\xED",
     "\xE6\xCF\xD4\xCF\xC2\xC1\xD2\xC1\xC2\xC1\xCE"},
    {"Ошибка сканера", "\xCE\xF8\xE8\xE1\xEA\xE0\x20\xF1\xEA\xE0\xED\xE5\xF0\xE0",
     "\xEF\xDB\xC9\xC2\xCB\xC1\x20\xD3\xCB\xC1\xCE\xC5\xD2\xC1"},
    {"Вставьте картридж", "\xC2\xF1\xF2\xE0\xE2\xFC\xF2\xE5\x20\xEA\xE0\xF0\xF2\xF0\xE8\xE4\xE6",
     "\xF7\xD3\xD4\xC1\xD7\xD8\xD4\xC5\x20\xCB\xC1\xD2\xD4\xD2\xC9\xC4\xD6"},
    {"Ждите", "\xC6\xE4\xE8\xF2\xE5", "\xF6\xC4\xC9\xD4\xC5"},
    {"Выкл", "\xC2\xFB\xEA\xEB", "\xF7\xD9\xCB\xCC"},
    {"Вкл", "\xC2\xEA\xEB", "\xF7\xCB\xCC"},
    {"Лоток", "\xCB\xEE\xF2\xEE\xEA", "\xEC\xCF\xD4\xCF\xCB"},
    {"Мало чернил", "\xCC\xE0\xEB\xEE\x20\xF7\xE5\xF0\xED\xE8\xEB",
     "\xED\xC1\xCC\xCF\x20\xDE\xC5\xD2\xCE\xC9\xCC"},
    {"Ремень переноса", "\xD0\xE5\xEC\xE5\xED\xFC\x20\xEF\xE5\xF0\xE5\xED\xEE\xF1\xE0",
     "\xF2\xC5\xCD\xC5\xCE\xD8\x20\xD0\xC5\xD2\xC5\xCE\xCF\xD3\xC1"},
    {"Печка", "\xCF\xE5\xF7\xEA\xE0", "\xF0\xC5\xDE\xCB\xC1"},
    {"Обслуживание", "\xCE\xE1\xF1\xEB\xF3\xE6\xE8\xE2\xE0\xED\xE8\xE5",
     "\xEF\xC2\xD3\xCC\xD5\xD6\xC9\xD7\xC1\xCE\xC9\xC5"},
    {"Бумага A4", "\xC1\xF3\xEC\xE0\xE3\xE0\x20\x41\x34", "\xE2\xD5\xCD\xC1\xC7\xC1\x20\x41\x34"},
    {"Лист", "\xCB\xE8\xF1\xF2", "\xEC\xC9\xD3\xD4"},
    {"Щётка", "\xD9\xB8\xF2\xEA\xE0", "\xFD\xA3\xD4\xCB\xC1"},
    {"Ящик", "\xDF\xF9\xE8\xEA", "\xF1\xDD\xC9\xCB"},
    {"Цвет", "\xD6\xE2\xE5\xF2", "\xE3\xD7\xC5\xD4"},
    {"Картридж отсутствует",
     "\xCA\xE0\xF0\xF2\xF0\xE8\xE4\xE6\x20\xEE\xF2\xF1\xF3\xF2\xF1\xF2\xE2\xF3\xE5\xF2",
     "\xEB\xC1\xD2\xD4\xD2\xC9\xC4\xD6\x20\xCF\xD4\xD3\xD5\xD4\xD3\xD4\xD7\xD5\xC5\xD4"},
    {"Повторите", "\xCF\xEE\xE2\xF2\xEE\xF0\xE8\xF2\xE5", "\xF0\xCF\xD7\xD4\xCF\xD2\xC9\xD4\xC5"},
    {"Готов к печати", "\xC3\xEE\xF2\xEE\xE2\x20\xEA\x20\xEF\xE5\xF7\xE0\xF2\xE8",
     "\xE7\xCF\xD4\xCF\xD7\x20\xCB\x20\xD0\xC5\xDE\xC1\xD4\xC9"},
    {"Охлаждение", "\xCE\xF5\xEB\xE0\xE6\xE4\xE5\xED\xE8\xE5",
     "\xEF\xC8\xCC\xC1\xD6\xC4\xC5\xCE\xC9\xC5"},
    {"Сервисный режим", "\xD1\xE5\xF0\xE2\xE8\xF1\xED\xFB\xE9\x20\xF0\xE5\xE6\xE8\xEC",
     "\xF3\xC5\xD2\xD7\xC9\xD3\xCE\xD9\xCA\x20\xD2\xC5\xD6\xC9\xCD"},
    {"Принтер занят", "\xCF\xF0\xE8\xED\xF2\xE5\xF0\x20\xE7\xE0\xED\xFF\xF2",
     "\xF0\xD2\xC9\xCE\xD4\xC5\xD2\x20\xDA\xC1\xCE\xD1\xD4"},
    {"Ресурс узла закончился",
     "\xD0\xE5\xF1\xF3\xF0\xF1\x20\xF3\xE7\xEB\xE0\x20\xE7\xE0\xEA\xEE\xED\xF7\xE8\xEB\xF1\xFF",
     "\xF2\xC5\xD3\xD5\xD2\xD3\x20\xD5\xDA\xCC\xC1\x20\xDA\xC1\xCB\xCF\xCE\xDE\xC9\xCC\xD3\xD1"},
};

struct Cjk {
    const char* utf8;
    const char* bytes;
};

const Cjk kChinese[] = {
    // GBK (GB2312 range)
    {"碳粉不足", "\xCC\xBC\xB7\xDB\xB2\xBB\xD7\xE3"},
    {"卡纸", "\xBF\xA8\xD6\xBD"},
    {"就绪", "\xBE\xCD\xD0\xF7"},
    {"纸盒1缺纸", "\xD6\xBD\xBA\xD0\x31\xC8\xB1\xD6\xBD"},
    {"请更换硒鼓", "\xC7\xEB\xB8\xFC\xBB\xBB\xCE\xF8\xB9\xC4"},
    {"准备就绪", "\xD7\xBC\xB1\xB8\xBE\xCD\xD0\xF7"},
    {"前盖打开", "\xC7\xB0\xB8\xC7\xB4\xF2\xBF\xAA"},
    {"黑色碳粉盒 TK-1150 余量不足",
     "\xBA\xDA\xC9\xAB\xCC\xBC\xB7\xDB\xBA\xD0\x20\x54\x4B\x2D\x31\x31\x35\x30\x20\xD3\xE0\xC1\xBF"
     "\xB2\xBB\xD7\xE3"},
};

const Cjk kJapanese[] = {
    // Shift-JIS (Windows-31J)
    {"用紙切れ", "\x97\x70\x8E\x86\x90\xD8\x82\xEA"},
    {"トナー残量少", "\x83\x67\x83\x69\x81\x5B\x8E\x63\x97\xCA\x8F\xAD"},
    {"印刷可能です", "\x88\xF3\x8D\xFC\x89\xC2\x94\x5C\x82\xC5\x82\xB7"},  // 0x5C as trail byte
    {"紙詰まり", "\x8E\x86\x8B\x6C\x82\xDC\x82\xE8"},
    {"カバーが開いています",
     "\x83\x4A\x83\x6F\x81\x5B\x82\xAA\x8A\x4A\x82\xA2\x82\xC4\x82\xA2\x82\xDC\x82\xB7"},
    {"トナーを交換してください",
     "\x83\x67\x83\x69\x81\x5B\x82\xF0\x8C\xF0\x8A\xB7\x82\xB5\x82\xC4\x82\xAD\x82\xBE\x82\xB3"
     "\x82\xA2"},
};

std::string bytes(const char* s, std::size_t n) { return std::string(s, n); }

}  // namespace

TEST_CASE("Russian text in CP1251 or KOI8-R, undeclared, reads right", "[charset]") {
    for (const auto& r : kRussian) {
        INFO(r.utf8);
        Detection how;
        CHECK(to_utf8(r.cp1251, CharsetHint{}, &how) == r.utf8);
        CHECK(how.charset == Charset::cp1251);
        CHECK(to_utf8(r.koi8r, CharsetHint{}, &how) == r.utf8);
        CHECK(how.charset == Charset::koi8r);
        CHECK(how.reason == "Cyrillic letter statistics");
        // A wrong declaration of ASCII or UTF-8 (a firmware default) does not stop the guess.
        CHECK(decode(r.koi8r, Charset::ascii) == r.utf8);
        CHECK(decode(r.cp1251, Charset::utf8) == r.utf8);
    }
}

TEST_CASE("a declared Cyrillic charset wins over the statistics", "[charset]") {
    // "Готов" in CP1251 read as declared KOI8-R: the device said so.
    CHECK(decode("\xC3\xEE\xF2\xEE\xE2", Charset::koi8r) == "цНРНБ");
    CHECK(decode("\xC3\xEE\xF2\xEE\xE2", CharsetHint{Charset::automatic, Charset::koi8r}) ==
          "цНРНБ");
    CHECK(decode("\xE7\xCF\xD4\xCF\xD7", Charset::koi8r) == "Готов");
    // Two letters say too little to choose ("Ч/б" in CP1251 reads "в/А" in KOI8-R and scores
    // better there): the profile's charset settles it.
    CHECK(decode("\xD7\x2F\xE1", CharsetHint{Charset::automatic, Charset::cp1251}) == "Ч/б");
}

TEST_CASE("Western text is not mistaken for Cyrillic", "[charset]") {
    CHECK(decode("GR\xD6\xDF"
                 "E") == "GRÖßE");
    CHECK(decode("Bac \xE0 papier vide") == "Bac à papier vide");
    CHECK(decode("F\xE4"
                 "cher pr\xFC"
                 "fen") == "Fächer prüfen");
    CHECK(decode("Bandeja vac\xED"
                 "a") == "Bandeja vacía");
    CHECK(decode("\xC9"
                 "CHEC") == "ÉCHEC");
    CHECK(decode("\xD6\xC4\xDC") == "ÖÄÜ");  // high letters only, implausible as Russian
    // Windows-1252's 0x80..0x9F (quotes, dashes, euro), never C1 controls.
    CHECK(decode("\x93Ready\x94 \x96 5 \x80") == "“Ready” – 5 €");
    CHECK(decode("\xBF"
                 "Desea continuar?") == "¿Desea continuar?");  // ¿ starts, not a Latin-2 ż
}

TEST_CASE("Latin-2: letters between letters, or declared", "[charset]") {
    CHECK(decode("B\xB3\xB1"
                 "d: brak papieru") == "Błąd: brak papieru");
    CHECK(decode("Do\xB9"
                 "el toner") == "Došel toner");
    // ń is ñ in Latin-1: only a declaration tells them apart.
    CHECK(decode("Wymie\xF1 toner") == "Wymieñ toner");
    CHECK(decode("Wymie\xF1 toner", CharsetHint{Charset::automatic, Charset::latin2}) ==
          "Wymień toner");
    CHECK(decode("Wymie\xF1 toner", Charset::latin2) == "Wymień toner");
    CHECK(decode("caf\xC5", CharsetHint{Charset::automatic, Charset::roman8}) == "café");
}

TEST_CASE("Chinese (GBK) and Japanese (Shift-JIS), undeclared and declared", "[charset]") {
    for (const auto& c : kChinese) {
        INFO(c.utf8);
        Detection how;
        CHECK(to_utf8(c.bytes, CharsetHint{}, &how) == c.utf8);
        CHECK(how.charset == Charset::gbk);
        CHECK(decode(c.bytes, Charset::gbk) == c.utf8);
        CHECK(decode(c.bytes, CharsetHint{Charset::automatic, Charset::gbk}) == c.utf8);
        CHECK(decode(c.bytes, Charset::gb18030) == c.utf8);
    }
    for (const auto& j : kJapanese) {
        INFO(j.utf8);
        Detection how;
        CHECK(to_utf8(j.bytes, CharsetHint{}, &how) == j.utf8);
        CHECK(how.charset == Charset::shift_jis);
        CHECK(decode(j.bytes, Charset::shift_jis) == j.utf8);
    }
    // Windows-31J keeps ASCII: a backslash is not a yen sign.
    CHECK(to_utf8("C:\\jobs~1", Charset::shift_jis) == "C:\\jobs~1");
    // A declared double-byte charset the bytes are not valid in is ignored: CP1251 "Сон" ends
    // in half a GBK character.
    CHECK(decode("\xD1\xEE\xED", Charset::gbk) == "Сон");
    CHECK(decode("\xD1\xEE\xED", CharsetHint{Charset::automatic, Charset::gbk}) == "Сон");
    // GB2312 is a MIBenum of its own and reads as GBK.
    CHECK(charset_from_mibenum(2025) == Charset::gbk);
    CHECK(charset_from_mibenum(17) == Charset::shift_jis);
}

TEST_CASE("UTF-16 with and without a byte-order mark, both byte orders", "[charset]") {
    const std::string le = bytes("\x22\x04\x3E\x04\x3D\x04\x35\x04\x40\x04", 10);  // Тонер
    const std::string be = bytes("\x04\x22\x04\x3E\x04\x3D\x04\x35\x04\x40", 10);
    CHECK(decode("\xFF\xFE" + le) == "Тонер");
    CHECK(decode("\xFE\xFF" + be) == "Тонер");
    CHECK(decode(le) == "Тонер");  // by shape: 0x04 in every other byte
    CHECK(decode(be) == "Тонер");
    CHECK(utf16_shape(le) == Charset::utf16le);
    CHECK(utf16_shape(be) == Charset::utf16be);
    // ASCII in UTF-16: NULs are half of each character, not padding; the text ends at a 0x0000
    // unit, whatever follows.
    const std::string ready_le = bytes("R\0e\0a\0d\0y\0\0\0\x41\x42", 14);
    CHECK(decode(ready_le) == "Ready");
    CHECK(decode(bytes("\0R\0e\0a\0d\0y", 10)) == "Ready");
    CHECK(decode(bytes("R\0e\0a\0d\0y\0\0", 11)) == "Ready");  // odd NUL padding
    // CJK in UTF-16 has no NUL shape: it needs a BOM or a declaration.
    const std::string cjk_be = bytes("\x78\xB3\x7C\x89\x4E\x0D\x8D\xB3", 8);  // 碳粉不足
    CHECK_FALSE(utf16_shape(cjk_be).has_value());
    CHECK(decode("\xFE\xFF" + cjk_be) == "碳粉不足");
    CHECK(decode(cjk_be, Charset::utf16be) == "碳粉不足");
    CHECK(decode(cjk_be, CharsetHint{Charset::automatic, Charset::utf16be}) == "碳粉不足");
    const std::string mixed_le = bytes(
        "\x52\x00\x65\x00\x61\x00\x64\x00\x79\x00\x20\x00\x96\x6E\x99\x50\x8C\x5B\x86\x4E", 20);
    CHECK(decode(mixed_le, Charset::utf16le) == "Ready 準備完了");
    // Declared UTF-16 without a BOM: the shape gives the order, else big-endian (RFC 2781).
    CHECK(decode(ready_le, Charset::utf16) == "Ready");
    CHECK(decode(cjk_be, Charset::utf16) == "碳粉不足");
    // A surrogate pair, and an unpaired surrogate replaced.
    CHECK(to_utf8(bytes("\x3D\xD8\x00\xDE", 4), Charset::utf16le) == "\xF0\x9F\x98\x80");
    CHECK(to_utf8(bytes("\x3D\xD8\x41\x00", 4), Charset::utf16le) ==
          "\xEF\xBF\xBD"
          "A");
    // Plain ASCII, binary prefixes and short NUL-padded values are not UTF-16.
    CHECK_FALSE(utf16_shape("Ready").has_value());
    CHECK_FALSE(utf16_shape(bytes("AB\0\0", 4)).has_value());
    CHECK_FALSE(utf16_shape(bytes("\x01\x15VNCRC48198", 12)).has_value());
    CHECK_FALSE(utf16_shape(bytes("\x01\x01\x01\x01", 4)).has_value());  // both orders fit
    CHECK(charset_from_mibenum(1014) == Charset::utf16le);
    CHECK(charset_from_mibenum(1015) == Charset::utf16);
}

TEST_CASE("hex-encoded text", "[charset]") {
    // CP1251 "Мало чернил" and UTF-16LE "Ready", as some agents and tools hand them over.
    CHECK(decode("0xCCE0EBEE20F7E5F0EDE8EB") == "Мало чернил");
    CHECK(decode("0x52006500610064007900") == "Ready");
    CHECK(decode("0x4b796f6365726100") == "Kyocera");  // NUL padding, lower case
    DecodeInfo how;
    CHECK(decode("0x48656C6C6F", {}, &how) == "Hello");
    CHECK(how.hex);
    // Not text: stays as it is.
    CHECK(decode("0x1234") == "0x1234");  // would be control characters
    CHECK(decode("0x0102030405") == "0x0102030405");
    CHECK(decode("0x414") == "0x414");  // odd digits
    CHECK(decode("0xZZ4142") == "0xZZ4142");
    CHECK(decode("0x0000") == "0x0000");
    CHECK_FALSE(unhex_text("0x41").has_value());  // one octet is too little to call it text
}

TEST_CASE("valid UTF-8 is kept, BOM dropped, invalid sequences replaced", "[charset]") {
    CHECK(decode("\xEF\xBB\xBF\xD0\x93\xD0\xBE\xD1\x82\xD0\xBE\xD0\xB2") == "Готов");
    CHECK(to_utf8("caf\xC3\xA9", Charset::utf8) == "café");
    CHECK(sanitize_utf8("a\xC0\xAF"
                        "b") ==
          "a\xEF\xBF\xBD\xEF\xBF\xBD"
          "b");
    CHECK(sanitize_utf8("ok") == "ok");
    CHECK(to_utf8("\x80\xFF", Charset::ascii) == "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(to_utf8("\x98", Charset::cp1251) == "\xEF\xBF\xBD");  // undefined in CP1251
}

TEST_CASE("iconv and the built-in tables agree on every single-byte charset", "[charset]") {
    for (const auto cs :
         {Charset::cp1251, Charset::koi8r, Charset::latin1, Charset::latin2, Charset::roman8,
          Charset::iso8859_5, Charset::cp866, Charset::cp1250, Charset::latin5}) {
        INFO(charset_name(cs));
        for (int b = 0x80; b <= 0xFF; ++b) {
            INFO(b);
            const std::string one(1, static_cast<char>(b));
            const auto via_iconv = detail::iconv_strict(one, cs);
            const auto via_table = detail::table_to_utf8(one, cs);
            if (via_iconv) {
                CHECK(*via_iconv == via_table);
            } else {
                CHECK(via_table == "\xEF\xBF\xBD");
            }
        }
    }
    // The hand-made UTF-16 fallback matches iconv too.
    for (const std::string& s : {bytes("\x22\x04\x3E\x04", 4), bytes("\x3D\xD8\x00\xDE", 4),
                                 bytes("\x3D\xD8\x41\x00", 4), bytes("R\0\xE9\0", 4)}) {
        CHECK(detail::table_to_utf8(s, Charset::utf16le) == to_utf8(s, Charset::utf16le));
    }
}

TEST_CASE("charset names and MIBenums", "[charset]") {
    CHECK(charset_from_name("KOI8-R") == Charset::koi8r);
    CHECK(charset_from_name("windows-1251") == Charset::cp1251);
    CHECK(charset_from_name("Shift_JIS") == Charset::shift_jis);
    CHECK(charset_from_name("GB2312") == Charset::gbk);
    CHECK(charset_from_name("UTF-16LE") == Charset::utf16le);
    CHECK(charset_from_name("utf-8") == Charset::utf8);
    CHECK(charset_from_name("") == Charset::automatic);
    CHECK_FALSE(charset_from_name("ebcdic").has_value());
    CHECK(charset_from_mibenum(2252) == Charset::cp1252);
    CHECK(charset_from_mibenum(2084) == Charset::koi8r);
    CHECK(charset_from_mibenum(8) == Charset::iso8859_5);
    CHECK(charset_from_mibenum(12) == Charset::latin5);
    CHECK(charset_from_mibenum(2086) == Charset::cp866);
    CHECK(charset_from_mibenum(2250) == Charset::cp1250);
    CHECK(charset_from_name("ISO-8859-5") == Charset::iso8859_5);
    CHECK(charset_from_name("IBM866") == Charset::cp866);
    CHECK(charset_from_name("windows-1250") == Charset::cp1250);
    CHECK(charset_from_name("ISO-8859-9") == Charset::latin5);
    CHECK_FALSE(charset_from_mibenum(0).has_value());
}

// Brother's Russian firmware declares ISO 8859-5 (prtLocalizationCharacterSet 8, the MIBenum
// the `brother` library maps to "cyrillic"); DOS Cyrillic, Windows Central European and
// Turkish Latin-5 come declared too. Bytes from Python's codecs.
TEST_CASE("declared ISO 8859-5, CP866, CP1250 and Latin-5", "[charset]") {
    const std::string sleep = "\xC1\xDF\xEF\xE9\xD8\xD9\x20\xE0\xD5\xD6\xD8\xDC";
    CHECK(decode(sleep, *charset_from_mibenum(8)) == "Спящий режим");
    CHECK(decode("\xBC\xB0\xBB\xBE\x20\xC2\xBE\xBD\xB5\xC0\xB0", Charset::iso8859_5) ==
          "МАЛО ТОНЕРА");
    // The profile's charset is enough when the device declares nothing or only ASCII.
    CHECK(decode(sleep, CharsetHint{Charset::ascii, Charset::iso8859_5}) == "Спящий режим");
    CHECK(decode("\x87\xA0\xAC\xEF\xE2\xA8\xA5\x20\xA1\xE3\xAC\xA0\xA3\xA8", Charset::cp866) ==
          "Замятие бумаги");
    CHECK(decode("Wymie\xF1 toner", Charset::cp1250) == "Wymień toner");
    CHECK(decode("Ka\xF0\xFDt s\xFDk\xFD\xFEmas\xFD", Charset::latin5) == "Kağıt sıkışması");
    CHECK(decode("\xCC\xBC\xB7\xDB\xB2\xBB\xD7\xE3") == "碳粉不足");
}

TEST_CASE("undeclared ISO 8859-5 and CP866 read as Russian words, never Chinese as Russian",
          "[charset]") {
    // Brother's Russian firmware writes ISO 8859-5, DOS-era agents CP866; read as Russian when
    // the bytes make Russian words (before: GBK or Latin mojibake unless declared).
    struct Both {
        const char* utf8;
        const char* iso8859_5;
        const char* cp866;
    };
    const Both russian[] = {
        {"Спящий режим", "\xC1\xDF\xEF\xE9\xD8\xD9\x20\xE0\xD5\xD6\xD8\xDC",
         "\x91\xAF\xEF\xE9\xA8\xA9\x20\xE0\xA5\xA6\xA8\xAC"},
        {"Мало тонера", "\xBC\xD0\xDB\xDE\x20\xE2\xDE\xDD\xD5\xE0\xD0",
         "\x8C\xA0\xAB\xAE\x20\xE2\xAE\xAD\xA5\xE0\xA0"},
        {"Замятие бумаги", "\xB7\xD0\xDC\xEF\xE2\xD8\xD5\x20\xD1\xE3\xDC\xD0\xD3\xD8",
         "\x87\xA0\xAC\xEF\xE2\xA8\xA5\x20\xA1\xE3\xAC\xA0\xA3\xA8"},
        {"Нет бумаги", "\xBD\xD5\xE2\x20\xD1\xE3\xDC\xD0\xD3\xD8",
         "\x8D\xA5\xE2\x20\xA1\xE3\xAC\xA0\xA3\xA8"},
        {"Замените тонер-картридж",
         "\xB7\xD0\xDC\xD5\xDD\xD8\xE2\xD5\x20\xE2\xDE\xDD\xD5\xE0\x2D\xDA\xD0\xE0\xE2\xE0\xD8"
         "\xD4\xD6",
         "\x87\xA0\xAC\xA5\xAD\xA8\xE2\xA5\x20\xE2\xAE\xAD\xA5\xE0\x2D\xAA\xA0\xE0\xE2\xE0\xA8"
         "\xA4\xA6"},
        {"Энергосбережение", "\xCD\xDD\xD5\xE0\xD3\xDE\xE1\xD1\xD5\xE0\xD5\xD6\xD5\xDD\xD8\xD5",
         "\x9D\xAD\xA5\xE0\xA3\xAE\xE1\xA1\xA5\xE0\xA5\xA6\xA5\xAD\xA8\xA5"},
        {"ГОТОВ К ПЕЧАТИ", "\xB3\xBE\xC2\xBE\xB2\x20\xBA\x20\xBF\xB5\xC7\xB0\xC2\xB8",
         "\x83\x8E\x92\x8E\x82\x20\x8A\x20\x8F\x85\x97\x80\x92\x88"},
        {"Откройте переднюю крышку",
         "\xBE\xE2\xDA\xE0\xDE\xD9\xE2\xD5\x20\xDF\xD5\xE0\xD5\xD4\xDD\xEE\xEE\x20\xDA\xE0\xEB"
         "\xE8\xDA\xE3",
         "\x8E\xE2\xAA\xE0\xAE\xA9\xE2\xA5\x20\xAF\xA5\xE0\xA5\xA4\xAD\xEE\xEE\x20\xAA\xE0\xEB"
         "\xE8\xAA\xE3"},
    };
    for (const auto& r : russian) {
        INFO(r.utf8);
        CHECK(decode(r.iso8859_5) == r.utf8);
        CHECK(decode(r.cp866) == r.utf8);
    }
    // GBK whose bytes also shape as CP1251 or KOI8-R: Chinese characters read byte by byte mix
    // the cases inside a word, so they stay Chinese. "扫描中" (scanning) and characters drawn
    // at random from GB2312's common ones, each read as Russian before.
    const Cjk chinese[] = {
        {"扫描中", "\xC9\xA8\xC3\xE8\xD6\xD0"}, {"田银妄", "\xCC\xEF\xD2\xF8\xCD\xFD"},
        {"桥招栏", "\xC7\xC5\xD5\xD0\xC0\xB8"}, {"做扔悦", "\xD7\xF6\xC8\xD3\xD4\xC3"},
        {"岁娃禧", "\xCB\xEA\xCD\xDE\xEC\xFB"}, {"左颐星", "\xD7\xF3\xD2\xC3\xD0\xC7"},
        {"六汤钻", "\xC1\xF9\xCC\xC0\xD7\xEA"}, {"召牲完", "\xD5\xD9\xC9\xFC\xCD\xEA"},
        {"昔泌逃", "\xCE\xF4\xC3\xDA\xCC\xD3"}, {"袖嫌诸", "\xD0\xE4\xCF\xD3\xD6\xEE"},
        {"谈雄燕", "\xCC\xB8\xD0\xDB\xD1\xE0"}, {"妮游摄", "\xC4\xDD\xD3\xCE\xC9\xE3"},
    };
    for (const auto& c : chinese) {
        INFO(c.utf8);
        CHECK(decode(c.bytes) == c.utf8);
    }
}

TEST_CASE("whatever arrives, the result is valid UTF-8 without control characters", "[charset]") {
    std::mt19937 rng(13);  // fixed seed: the same strings every run
    std::uniform_int_distribution<int> len(0, 48);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> low(0, 8);  // bias toward NULs and 0x01..0x08
    const Charset all[] = {
        Charset::automatic, Charset::utf8,    Charset::ascii,  Charset::latin1,  Charset::latin2,
        Charset::cp1252,    Charset::cp1251,  Charset::koi8r,  Charset::roman8,  Charset::utf16,
        Charset::utf16le,   Charset::utf16be, Charset::gbk,    Charset::gb18030, Charset::shift_jis,
        Charset::iso8859_5, Charset::cp866,   Charset::cp1250, Charset::latin5};
    constexpr std::size_t kCharsets = sizeof(all) / sizeof(all[0]);
    for (std::size_t i = 0; i < 3000; ++i) {
        std::string s;
        const int n = len(rng);
        for (int k = 0; k < n; ++k) {
            s.push_back(static_cast<char>(k % 3 == 1 && i % 2 == 0 ? low(rng) : byte(rng)));
        }
        // Hex forms: even and odd digit counts, text and non-text octets.
        if (i % 5 == 0) s = "0x" + std::string(s.size() % 2 == 0 ? "" : "4") + "41FF00";
        for (const auto cs : all) {
            INFO(i);
            const std::string out = decode(s, CharsetHint{cs, all[i % kCharsets]});
            REQUIRE(is_valid_utf8(out));
            for (const char c : out) REQUIRE(static_cast<unsigned char>(c) >= 0x20);
            REQUIRE(is_valid_utf8(to_utf8(s, cs)));
        }
    }
}
