#pragma once
// Which charset a printer's text is in, and its conversion to UTF-8. Devices send console and
// status text in the charset their firmware was localized with (CP1251 or KOI8-R in Russian
// offices, GBK, Shift-JIS, UTF-16 from some Windows-derived stacks, Latin-1/2, HP Roman-8),
// rarely say which, and sometimes hex-encode it. Conversion is glibc iconv (its gconv modules
// ship with libc6); tables for the single-byte charsets stand in when a module is missing.
//
// detect_charset() decides, in this order (first match wins):
//  1. a byte-order mark: EF BB BF is UTF-8, FF FE UTF-16LE, FE FF UTF-16BE;
//  2. UTF-16 declared by the device or profile (byte order from the shape, else big-endian);
//  3. the shape of UTF-16 without a BOM: every 16-bit unit up to a 0x0000 terminator is a
//     letter of one alphabetic block (high byte 0x00 with a printable low byte, or 0x01..0x06:
//     Latin Extended, Greek, Cyrillic, Armenian, Hebrew, Arabic), in exactly one byte order.
//     Single-byte text never has those NUL or 0x01..0x06 bytes in every other position. CJK in
//     UTF-16 without a BOM looks like ASCII pairs and needs a declaration;
//  4. valid UTF-8 (ASCII included) is UTF-8;
//  5. a double-byte charset declared by the device or profile (GBK, GB18030, Shift-JIS) when
//     the bytes are valid in it: declared first because any CJK text is all high bytes and
//     would otherwise pass step 7's byte test;
//  6. a Cyrillic charset (CP1251, KOI8-R, ISO 8859-5, CP866) declared by the device or profile;
//  7. Cyrillic-likely bytes, tried for CP1251, KOI8-R, ISO 8859-5 and CP866 in turn: at least 2
//     high bytes that are Russian letters in that charset, at least 90 % of the high bytes,
//     more of them than ASCII letters. They place the same letters at different bytes, so each
//     is scored: Russian letter frequencies (о е а и н т... are common, ф щ ъ rare) plus a
//     bonus for words with a normal case pattern (ГОТОВ, готов, Готов; the wrong charset swaps
//     case: "рНМЕП"), minus non-letters inside words (KOI8-R box drawing where CP1251 has ё і
//     ї є). A reading counts if its mean letter frequency is plausible for Russian (>= 2 % per
//     letter; random letters from another script score lower); bytes that are valid GBK too
//     count only when every word has a normal case pattern (Chinese read byte by byte mixes
//     cases). ISO 8859-5 and CP866, where nearly every high byte is a letter, count only as
//     Russian words: four letters or more (eight when also valid GBK), normal case patterns,
//     a mean frequency >= 4 %. The best reading wins, CP1251 on a tie;
//  8. undeclared CJK: high bytes at least half the text, valid Shift-JIS with kana and no
//     half-width katakana (which is how GB2312 lead bytes read in Shift-JIS) is Shift-JIS,
//     else valid GBK is GBK;
//  9. a single-byte charset declared by the device or profile (Latin-1/2/5, CP1252, CP1250,
//     Roman-8;
//     an "ASCII" declaration says nothing about high bytes and is skipped);
// 10. Latin-2 when a byte that is a letter in ISO 8859-2 but a symbol in Latin-1 (ł ą ś š ž ż
//     ź are ³ ± ¶ ¹ ¾ ¿ ¼ there) sits between two letters ("B\xB3\xB1d" is "Błąd");
// 11. otherwise Windows-1252: Latin-1 for 0xA0..0xFF, and the quotes, dashes and euro sign
//     Western devices put in 0x80..0x9F (C1 controls in ISO 8859-1, never text).
// Whatever is chosen, the result is valid UTF-8: undecodable bytes become U+FFFD.

#include <optional>
#include <string>
#include <string_view>

namespace printmon::scanner::text {

enum class Charset {
    automatic,
    utf8,
    ascii,
    latin1,
    latin2,
    cp1252,
    cp1251,
    koi8r,
    roman8,
    utf16,  ///< byte order from a BOM or the text's shape, big-endian otherwise (RFC 2781)
    utf16le,
    utf16be,
    gbk,  ///< GB2312 text too: GBK is its superset
    gb18030,
    shift_jis,  ///< as Windows-31J (CP932): ASCII stays ASCII, no yen sign for '\'
    iso8859_5,  ///< ISO 8859-5 Cyrillic: what Brother's Russian firmware declares (MIBenum 8)
    cp866,      ///< DOS Cyrillic (IBM866)
    cp1250,     ///< Windows Central European
    latin5,     ///< ISO 8859-9 Turkish (MIBenum 12)
};

/// What the device and its profile say about their text, `automatic` where they say nothing.
struct CharsetHint {
    Charset declared = Charset::automatic;  ///< the device: prtLocalizationCharacterSet
    Charset profile = Charset::automatic;   ///< the vendor profile's `charset`
    CharsetHint() = default;
    // A lone charset is what the device declared (keeps `decode(bytes, Charset::cp1251)`).
    CharsetHint(Charset device) : declared(device) {}  // NOLINT(google-explicit-constructor)
    CharsetHint(Charset device, Charset profile_default)
        : declared(device), profile(profile_default) {}
};

/// The charset chosen for one string and why (for notes shown by `probe --verbose`).
struct Detection {
    Charset charset = Charset::utf8;
    std::size_t bom = 0;  ///< length of a byte-order mark to skip
    std::string_view reason;
};

/// Charset from an IANA MIBenum (prtLocalizationCharacterSet, RFC 3808); nullopt if unknown.
std::optional<Charset> charset_from_mibenum(long mibenum);
/// Charset from a name ("latin1", "cp1251", "koi8-r", "shift_jis", "gb2312", "utf-16le"...).
std::optional<Charset> charset_from_name(std::string_view name);
/// Display name: "CP1251", "UTF-16LE"...
std::string_view charset_name(Charset charset);

/// Valid UTF-8 as printmon::proto reads it (overlong forms, surrogates and truncated sequences
/// are not); code points are counted by proto::utf8_length.
bool is_valid_utf8(std::string_view bytes);
/// Valid UTF-8 whatever the input: each byte that does not start a valid sequence becomes
/// U+FFFD.
std::string sanitize_utf8(std::string_view bytes);

/// The byte order of UTF-16 text without a BOM (step 3 above), or nullopt.
std::optional<Charset> utf16_shape(std::string_view bytes);
/// Number of bytes before a UTF-16 NUL terminator (a 0x0000 unit), or the even length.
std::size_t utf16_text_size(std::string_view bytes);

/// Steps 1..3 only (BOM, declared UTF-16, UTF-16 shape): decode() asks this before it strips
/// NUL padding, which would cut UTF-16 text apart.
std::optional<Detection> detect_bom_or_utf16(std::string_view bytes, CharsetHint hint = {});
/// Chooses the charset of `bytes` (the numbered steps above).
Detection detect_charset(std::string_view bytes, CharsetHint hint = {});
/// Whether the charset is one of the UTF-16 forms.
bool is_utf16(Charset charset);

/// Bytes from a hex-encoded string ("0x4B696E67" or "0X..."): at least two octets, and only
/// when they look like text (no control characters other than whitespace, except as UTF-16
/// or as NUL padding at the end). A serial such as "0x1234" stays as it is.
std::optional<std::string> unhex_text(std::string_view s);

/// Converts bytes in `charset` to valid UTF-8 (undecodable bytes become U+FFFD). `automatic`
/// and `utf8` keep valid UTF-8 and otherwise detect the charset.
std::string to_utf8(std::string_view bytes, Charset charset);
/// Detects the charset with `hint`, skips a BOM, converts.
std::string to_utf8(std::string_view bytes, CharsetHint hint, Detection* how = nullptr);

namespace detail {
/// The built-in tables for single-byte charsets (used when iconv lacks a module); other
/// charsets keep ASCII and replace every other byte with U+FFFD. Exposed for tests.
std::string table_to_utf8(std::string_view bytes, Charset charset);
/// Strict iconv conversion: nullopt when the charset is unavailable or any byte is invalid.
std::optional<std::string> iconv_strict(std::string_view bytes, Charset charset);
}  // namespace detail

}  // namespace printmon::scanner::text
