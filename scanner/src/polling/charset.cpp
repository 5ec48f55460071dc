#include "polling/charset.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <vector>

#include "printmon/proto/utf8.hpp"

namespace printmon::scanner::text {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8
constexpr std::string_view kByDevice = "declared by the device";
constexpr std::string_view kByProfile = "the profile's charset";

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// ---- built-in single-byte tables -----------------------------------------------------------
// Upper halves (0x80..0xFF); 0 = undefined (becomes U+FFFD). Used to score candidate
// decodings without iconv, and as the conversion when a gconv module is missing.
constexpr std::array<char16_t, 128> kCp1251 = {
    0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021, 0x20AC, 0x2030, 0x0409, 0x2039,
    0x040A, 0x040C, 0x040B, 0x040F, 0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x0000, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F, 0x00A0, 0x040E, 0x045E, 0x0408,
    0x00A4, 0x0490, 0x00A6, 0x00A7, 0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
    0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7, 0x0451, 0x2116, 0x0454, 0x00BB,
    0x0458, 0x0405, 0x0455, 0x0457, 0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0417,
    0x0418, 0x0419, 0x041A, 0x041B, 0x041C, 0x041D, 0x041E, 0x041F, 0x0420, 0x0421, 0x0422, 0x0423,
    0x0424, 0x0425, 0x0426, 0x0427, 0x0428, 0x0429, 0x042A, 0x042B, 0x042C, 0x042D, 0x042E, 0x042F,
    0x0430, 0x0431, 0x0432, 0x0433, 0x0434, 0x0435, 0x0436, 0x0437, 0x0438, 0x0439, 0x043A, 0x043B,
    0x043C, 0x043D, 0x043E, 0x043F, 0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447,
    0x0448, 0x0449, 0x044A, 0x044B, 0x044C, 0x044D, 0x044E, 0x044F};

constexpr std::array<char16_t, 128> kKoi8r = {
    0x2500, 0x2502, 0x250C, 0x2510, 0x2514, 0x2518, 0x251C, 0x2524, 0x252C, 0x2534, 0x253C, 0x2580,
    0x2584, 0x2588, 0x258C, 0x2590, 0x2591, 0x2592, 0x2593, 0x2320, 0x25A0, 0x2219, 0x221A, 0x2248,
    0x2264, 0x2265, 0x00A0, 0x2321, 0x00B0, 0x00B2, 0x00B7, 0x00F7, 0x2550, 0x2551, 0x2552, 0x0451,
    0x2553, 0x2554, 0x2555, 0x2556, 0x2557, 0x2558, 0x2559, 0x255A, 0x255B, 0x255C, 0x255D, 0x255E,
    0x255F, 0x2560, 0x2561, 0x0401, 0x2562, 0x2563, 0x2564, 0x2565, 0x2566, 0x2567, 0x2568, 0x2569,
    0x256A, 0x256B, 0x256C, 0x00A9, 0x044E, 0x0430, 0x0431, 0x0446, 0x0434, 0x0435, 0x0444, 0x0433,
    0x0445, 0x0438, 0x0439, 0x043A, 0x043B, 0x043C, 0x043D, 0x043E, 0x043F, 0x044F, 0x0440, 0x0441,
    0x0442, 0x0443, 0x0436, 0x0432, 0x044C, 0x044B, 0x0437, 0x0448, 0x044D, 0x0449, 0x0447, 0x044A,
    0x042E, 0x0410, 0x0411, 0x0426, 0x0414, 0x0415, 0x0424, 0x0413, 0x0425, 0x0418, 0x0419, 0x041A,
    0x041B, 0x041C, 0x041D, 0x041E, 0x041F, 0x042F, 0x0420, 0x0421, 0x0422, 0x0423, 0x0416, 0x0412,
    0x042C, 0x042B, 0x0417, 0x0428, 0x042D, 0x0429, 0x0427, 0x042A};

// DOS Cyrillic (IBM866) 0x80..0xFF.
constexpr std::array<char16_t, 128> kCp866 = {
    0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0417, 0x0418, 0x0419, 0x041A, 0x041B,
    0x041C, 0x041D, 0x041E, 0x041F, 0x0420, 0x0421, 0x0422, 0x0423, 0x0424, 0x0425, 0x0426, 0x0427,
    0x0428, 0x0429, 0x042A, 0x042B, 0x042C, 0x042D, 0x042E, 0x042F, 0x0430, 0x0431, 0x0432, 0x0433,
    0x0434, 0x0435, 0x0436, 0x0437, 0x0438, 0x0439, 0x043A, 0x043B, 0x043C, 0x043D, 0x043E, 0x043F,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447, 0x0448, 0x0449, 0x044A, 0x044B,
    0x044C, 0x044D, 0x044E, 0x044F, 0x0401, 0x0451, 0x0404, 0x0454, 0x0407, 0x0457, 0x040E, 0x045E,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x2116, 0x00A4, 0x25A0, 0x00A0};

// Windows-1250 0x80..0xFF.
constexpr std::array<char16_t, 128> kCp1250 = {
    0x20AC, 0x0000, 0x201A, 0x0000, 0x201E, 0x2026, 0x2020, 0x2021, 0x0000, 0x2030, 0x0160, 0x2039,
    0x015A, 0x0164, 0x017D, 0x0179, 0x0000, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x0000, 0x2122, 0x0161, 0x203A, 0x015B, 0x0165, 0x017E, 0x017A, 0x00A0, 0x02C7, 0x02D8, 0x0141,
    0x00A4, 0x0104, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x015E, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x017B,
    0x00B0, 0x00B1, 0x02DB, 0x0142, 0x00B4, 0x00B5, 0x00B6, 0x00B7, 0x00B8, 0x0105, 0x015F, 0x00BB,
    0x013D, 0x02DD, 0x013E, 0x017C, 0x0154, 0x00C1, 0x00C2, 0x0102, 0x00C4, 0x0139, 0x0106, 0x00C7,
    0x010C, 0x00C9, 0x0118, 0x00CB, 0x011A, 0x00CD, 0x00CE, 0x010E, 0x0110, 0x0143, 0x0147, 0x00D3,
    0x00D4, 0x0150, 0x00D6, 0x00D7, 0x0158, 0x016E, 0x00DA, 0x0170, 0x00DC, 0x00DD, 0x0162, 0x00DF,
    0x0155, 0x00E1, 0x00E2, 0x0103, 0x00E4, 0x013A, 0x0107, 0x00E7, 0x010D, 0x00E9, 0x0119, 0x00EB,
    0x011B, 0x00ED, 0x00EE, 0x010F, 0x0111, 0x0144, 0x0148, 0x00F3, 0x00F4, 0x0151, 0x00F6, 0x00F7,
    0x0159, 0x016F, 0x00FA, 0x0171, 0x00FC, 0x00FD, 0x0163, 0x02D9};

// ISO-8859-2 0xA0..0xFF (0x80..0x9F are C1 controls).
constexpr std::array<char16_t, 96> kLatin2 = {
    0x00A0, 0x0104, 0x02D8, 0x0141, 0x00A4, 0x013D, 0x015A, 0x00A7, 0x00A8, 0x0160, 0x015E, 0x0164,
    0x0179, 0x00AD, 0x017D, 0x017B, 0x00B0, 0x0105, 0x02DB, 0x0142, 0x00B4, 0x013E, 0x015B, 0x02C7,
    0x00B8, 0x0161, 0x015F, 0x0165, 0x017A, 0x02DD, 0x017E, 0x017C, 0x0154, 0x00C1, 0x00C2, 0x0102,
    0x00C4, 0x0139, 0x0106, 0x00C7, 0x010C, 0x00C9, 0x0118, 0x00CB, 0x011A, 0x00CD, 0x00CE, 0x010E,
    0x0110, 0x0143, 0x0147, 0x00D3, 0x00D4, 0x0150, 0x00D6, 0x00D7, 0x0158, 0x016E, 0x00DA, 0x0170,
    0x00DC, 0x00DD, 0x0162, 0x00DF, 0x0155, 0x00E1, 0x00E2, 0x0103, 0x00E4, 0x013A, 0x0107, 0x00E7,
    0x010D, 0x00E9, 0x0119, 0x00EB, 0x011B, 0x00ED, 0x00EE, 0x010F, 0x0111, 0x0144, 0x0148, 0x00F3,
    0x00F4, 0x0151, 0x00F6, 0x00F7, 0x0159, 0x016F, 0x00FA, 0x0171, 0x00FC, 0x00FD, 0x0163, 0x02D9};

// HP Roman-8 0xA0..0xFF (RFC 1345 "hp-roman8").
constexpr std::array<char16_t, 96> kRoman8 = {
    0x00A0, 0x00C0, 0x00C2, 0x00C8, 0x00CA, 0x00CB, 0x00CE, 0x00CF, 0x00B4, 0x02CB, 0x02C6, 0x00A8,
    0x02DC, 0x00D9, 0x00DB, 0x20A4, 0x00AF, 0x00DD, 0x00FD, 0x00B0, 0x00C7, 0x00E7, 0x00D1, 0x00F1,
    0x00A1, 0x00BF, 0x00A4, 0x00A3, 0x00A5, 0x00A7, 0x0192, 0x00A2, 0x00E2, 0x00EA, 0x00F4, 0x00FB,
    0x00E1, 0x00E9, 0x00F3, 0x00FA, 0x00E0, 0x00E8, 0x00F2, 0x00F9, 0x00E4, 0x00EB, 0x00F6, 0x00FC,
    0x00C5, 0x00EE, 0x00D8, 0x00C6, 0x00E5, 0x00ED, 0x00F8, 0x00E6, 0x00C4, 0x00EC, 0x00D6, 0x00DC,
    0x00C9, 0x00EF, 0x00DF, 0x00D4, 0x00C1, 0x00C3, 0x00E3, 0x00D0, 0x00F0, 0x00CD, 0x00CC, 0x00D3,
    0x00D2, 0x00D5, 0x00F5, 0x0160, 0x0161, 0x00DA, 0x0178, 0x00FF, 0x00DE, 0x00FE, 0x00B7, 0x00B5,
    0x00B6, 0x00BE, 0x2014, 0x00BC, 0x00BD, 0x00AA, 0x00BA, 0x00AB, 0x25A0, 0x00BB, 0x00B1, 0x0000};

/// Code point of one byte in a single-byte charset; U+FFFD where the charset has none.
char32_t table_byte(unsigned char b, Charset cs) {
    if (b < 0x80) return b;
    switch (cs) {
        case Charset::cp1251: {
            const char32_t c = kCp1251[b - 0x80U];
            return c == 0 ? U'\uFFFD' : c;
        }
        case Charset::koi8r:
            return kKoi8r[b - 0x80U];
        case Charset::latin2:
            return b < 0xA0 ? b : kLatin2[b - 0xA0U];  // 0x80..0x9F: C1 controls, as iconv
        case Charset::roman8: {
            if (b < 0xA0) return b;
            const char32_t c = kRoman8[b - 0xA0U];
            return c == 0 ? U'\uFFFD' : c;
        }
        case Charset::cp866:
            return kCp866[b - 0x80U];
        case Charset::cp1250: {
            const char32_t c = kCp1250[b - 0x80U];
            return c == 0 ? U'\uFFFD' : c;
        }
        case Charset::iso8859_5:
            // A1..FF are Ё..џ in Unicode's order (U+0401 = 0xA1 + 0x360) but for four symbols.
            if (b < 0xA1 || b == 0xAD) return b;  // C1 controls, NBSP, soft hyphen
            if (b == 0xF0) return U'\u2116';      // №
            if (b == 0xFD) return U'\u00A7';      // §
            return b + 0x360U;
        case Charset::latin5:
            // ISO 8859-9 is Latin-1 with six Turkish letters in place of Icelandic ones.
            switch (b) {
                case 0xD0:
                    return U'\u011E';  // Ğ
                case 0xDD:
                    return U'\u0130';  // İ
                case 0xDE:
                    return U'\u015E';  // Ş
                case 0xF0:
                    return U'\u011F';  // ğ
                case 0xFD:
                    return U'\u0131';  // ı
                case 0xFE:
                    return U'\u015F';  // ş
                default:
                    return b;
            }
        case Charset::latin1:
            return b;  // ISO 8859-1: code point == byte
        case Charset::cp1252:
            return b < 0xA0 ? U'\uFFFD' : b;  // the 0x80..0x9F extras need iconv
        default:
            return U'\uFFFD';
    }
}

bool is_double_byte(Charset cs) {
    return cs == Charset::gbk || cs == Charset::gb18030 || cs == Charset::shift_jis;
}

bool is_single_byte(Charset cs) {
    return cs == Charset::latin1 || cs == Charset::latin2 || cs == Charset::cp1252 ||
           cs == Charset::cp1251 || cs == Charset::koi8r || cs == Charset::roman8 ||
           cs == Charset::iso8859_5 || cs == Charset::cp866 || cs == Charset::cp1250 ||
           cs == Charset::latin5;
}

bool is_cyrillic(Charset cs) {
    return cs == Charset::cp1251 || cs == Charset::koi8r || cs == Charset::iso8859_5 ||
           cs == Charset::cp866;
}

/// Hand-made UTF-16 decoding for when iconv has no UTF-16 module: unpaired surrogates become
/// U+FFFD. `bytes` has even length.
std::string utf16_by_hand(std::string_view bytes, bool little_endian) {
    std::string out;
    const auto unit_at = [&](std::size_t i) {
        const auto a = static_cast<unsigned char>(bytes[i]);
        const auto b = static_cast<unsigned char>(bytes[i + 1]);
        return little_endian ? static_cast<char32_t>(a | (b << 8U))
                             : static_cast<char32_t>((a << 8U) | b);
    };
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
        const char32_t u = unit_at(i);
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < bytes.size()) {
            const char32_t lo = unit_at(i + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                append_utf8(out, 0x10000 + ((u - 0xD800) << 10U) + (lo - 0xDC00));
                i += 2;
                continue;
            }
        }
        append_utf8(out, (u >= 0xD800 && u <= 0xDFFF) ? U'\uFFFD' : u);
    }
    if (bytes.size() % 2 != 0) out += kReplacement;
    return out;
}

// ---- iconv -----------------------------------------------------------------------------------
/// The one owner of an iconv_t (STYLE.md: one RAII type per C handle). A descriptor carries
/// conversion state and is not thread-safe, so each conversion opens its own; glibc caches the
/// loaded gconv module, which keeps that cheap.
struct IconvCloser {
    void operator()(void* cd) const noexcept { ::iconv_close(static_cast<iconv_t>(cd)); }
};
using IconvHandle = std::unique_ptr<void, IconvCloser>;

IconvHandle open_to_utf8(Charset cs) {
    std::array<const char*, 2> names{};  // unused slots stay nullptr
    switch (cs) {
        case Charset::ascii:
            names = {"ASCII", nullptr};
            break;
        case Charset::latin1:
            names = {"ISO-8859-1", nullptr};
            break;
        case Charset::latin2:
            names = {"ISO-8859-2", nullptr};
            break;
        case Charset::cp1252:
            names = {"CP1252", nullptr};
            break;
        case Charset::cp1251:
            names = {"CP1251", nullptr};
            break;
        case Charset::koi8r:
            names = {"KOI8-R", nullptr};
            break;
        case Charset::roman8:
            names = {"HP-ROMAN8", nullptr};
            break;
        case Charset::iso8859_5:
            names = {"ISO-8859-5", nullptr};
            break;
        case Charset::cp866:
            names = {"CP866", "IBM866"};
            break;
        case Charset::cp1250:
            names = {"CP1250", nullptr};
            break;
        case Charset::latin5:
            names = {"ISO-8859-9", nullptr};
            break;
        case Charset::utf16le:
            names = {"UTF-16LE", nullptr};
            break;
        case Charset::utf16be:
            names = {"UTF-16BE", nullptr};
            break;
        case Charset::gbk:
            names = {"GBK", nullptr};
            break;
        case Charset::gb18030:
            names = {"GB18030", nullptr};
            break;
        case Charset::shift_jis:
            // Windows-31J first: plain Shift_JIS turns '\' and '~' into a yen sign and an
            // overline, which breaks paths and model names in otherwise ASCII text.
            names = {"CP932", "SHIFT_JIS"};
            break;
        default:
            return nullptr;
    }
    for (const char* name : names) {
        if (name == nullptr) break;
        iconv_t cd = ::iconv_open("UTF-8", name);
        // iconv_open reports failure as (iconv_t)-1, a pointer made of an integer by its API.
        // NOLINTNEXTLINE(performance-no-int-to-ptr)
        if (cd != reinterpret_cast<iconv_t>(static_cast<std::intptr_t>(-1))) {
            return IconvHandle(cd);
        }
    }
    return nullptr;
}

struct Converted {
    std::string text;
    std::size_t invalid = 0;  ///< sequences replaced by U+FFFD
};

/// iconv conversion that never stops early: an invalid or unmappable sequence becomes U+FFFD
/// and conversion resumes one code unit later. nullopt when iconv does not know the charset.
std::optional<Converted> iconv_to_utf8(std::string_view bytes, Charset cs) {
    IconvHandle cd = open_to_utf8(cs);
    if (!cd) return std::nullopt;
    const std::size_t unit = is_utf16(cs) ? 2 : 1;
    Converted out;
    std::string in(bytes);  // iconv takes char**; it does not write through it, but no casts
    char* src = in.data();
    std::size_t left = in.size();
    std::array<char, 1024> buf{};
    // Bounded: every pass consumes input, emits output or skips one unit.
    for (std::size_t pass = 0; pass <= 4 * in.size() + 4 && left > 0; ++pass) {
        char* dst = buf.data();
        std::size_t room = buf.size();
        const std::size_t rc = ::iconv(static_cast<iconv_t>(cd.get()), &src, &left, &dst, &room);
        const int err = errno;
        out.text.append(buf.data(), static_cast<std::size_t>(dst - buf.data()));
        if (rc != static_cast<std::size_t>(-1)) break;
        if (err == E2BIG) continue;
        // EILSEQ (invalid or unmappable) or EINVAL (incomplete at the end): one replacement,
        // skip one code unit, and reset the descriptor's shift state.
        out.text += kReplacement;
        ++out.invalid;
        const std::size_t skip = std::min(unit, left);
        src += skip;
        left -= skip;
        ::iconv(static_cast<iconv_t>(cd.get()), nullptr, nullptr, nullptr, nullptr);
    }
    return out;
}

/// Exact conversion from a known charset (never `automatic`).
std::string convert(std::string_view bytes, Charset cs) {
    if (cs == Charset::utf8 || cs == Charset::automatic) return sanitize_utf8(bytes);
    if (cs == Charset::utf16) cs = utf16_shape(bytes).value_or(Charset::utf16be);
    if (auto c = iconv_to_utf8(bytes, cs)) return sanitize_utf8(c->text);
    return detail::table_to_utf8(bytes, cs);
}

// ---- Cyrillic: CP1251, KOI8-R, ISO 8859-5 or CP866 ------------------------------------
// Russian letter frequencies in per mille, а..я (U+0430..U+044F), rounded from the standard
// published counts (о 11 %, е 8.5 %, а 8 % ... ф 0.3 %, ъ 0.04 %).
constexpr std::array<int, 32> kRussianFrequency = {
    80, 16, 45, 17, 30, 85, 9, 17, 74, 12, 35, 44, 32, 67, 110, 28,   // а..п
    47, 55, 63, 26, 3,  10, 5, 14, 7,  4,  1,  19, 17, 3,  6,   20};  // р..я

/// Lower-case Cyrillic letter (Russian, plus ё and the Ukrainian/Belarusian і ї є ґ ў) or 0.
char32_t cyrillic_lower(char32_t c) {
    if (c >= 0x0410 && c <= 0x042F) return c + 0x20;
    if (c >= 0x0400 && c <= 0x040F) return c + 0x50;
    if (c == 0x0490) return 0x0491;
    if ((c >= 0x0430 && c <= 0x045F) || c == 0x0491) return c;
    return 0;
}

/// а е ё и о у ы э ю я, and the Ukrainian і ї є.
bool is_vowel(char32_t lower) {
    switch (lower) {
        case 0x0430:
        case 0x0435:
        case 0x0451:
        case 0x0438:
        case 0x043E:
        case 0x0443:
        case 0x044B:
        case 0x044D:
        case 0x044E:
        case 0x044F:
        case 0x0456:
        case 0x0457:
        case 0x0454:
            return true;
        default:
            return false;
    }
}

int letter_frequency(char32_t lower) {
    if (lower >= 0x0430 && lower <= 0x044F) return kRussianFrequency[lower - 0x0430];
    if (lower == 0x0451) return 20;  // ё: rare in prose, common on printers (чёрный, жёлтый)
    if (lower == 0x0456) return 60;  // і: Ukrainian/Belarusian, about as common as и
    return 5;                        // ї є ґ ў ...
}

struct CyrillicScore {
    long total = 0;
    long frequency = 0;
    long letters = 0;
    bool words = true;  ///< every word in one case or capitalised, no symbol inside a word
};

/// How much `bytes` read in `cs` (a Cyrillic single-byte charset) looks like Russian text.
CyrillicScore score_cyrillic(std::string_view bytes, Charset cs) {
    std::vector<char32_t> cps;
    cps.reserve(bytes.size());
    for (const char b : bytes) cps.push_back(table_byte(static_cast<unsigned char>(b), cs));
    CyrillicScore s;
    const auto is_letter = [](char32_t c) { return cyrillic_lower(c) != 0; };
    for (std::size_t i = 0; i < cps.size();) {
        if (!is_letter(cps[i])) {
            // A symbol glued between two letters: KOI8-R's box drawing where CP1251 has a
            // letter, or the reverse.
            if (cps[i] >= 0x80 && i > 0 && i + 1 < cps.size() && is_letter(cps[i - 1]) &&
                is_letter(cps[i + 1])) {
                s.total -= 50;
                s.words = false;
            }
            ++i;
            continue;
        }
        std::size_t upper = 0;
        std::size_t n = 0;
        bool first_upper = false;
        std::size_t vowels = 0;      // vowels in a row
        std::size_t consonants = 0;  // consonants in a row
        for (; i < cps.size() && is_letter(cps[i]); ++i, ++n) {
            const char32_t lower = cyrillic_lower(cps[i]);
            const bool up = lower != cps[i];
            if (n == 0) first_upper = up;
            if (up) ++upper;
            s.frequency += letter_frequency(lower);
            // Russian words alternate vowels and consonants: three vowels or four consonants
            // in a row are rare ("здравствуйте" has four), while the other charset's reading
            // of an all-capitals word has them ("ПЕЧАТЬ" in CP1251 read as KOI8-R is
            // "оевюрэ", "ГОЛУБОЙ" "цнксани"), its letter frequencies often higher.
            if (is_vowel(lower)) {
                consonants = 0;
                if (++vowels >= 3) s.total -= 40;
            } else if (lower != 0x044C && lower != 0x044A) {  // ь and ъ stand between
                vowels = 0;
                if (++consonants >= 4) s.total -= 30;
            }
        }
        s.letters += static_cast<long>(n);
        // ГОТОВ, готов and Готов are words; the wrong charset swaps case ("рНМЕП").
        // Weighted per letter: over a whole word, case is a stronger signal than frequency
        // ("Пурпурный" has rare letters; its KOI8-R misreading "оСПОСПМШИ" common ones).
        const bool normal = n == 1 || upper == 0 || upper == n || (first_upper && upper == 1);
        s.total += (normal ? 20 : -20) * static_cast<long>(n);
        s.words = s.words && normal;
        // Panels write a word capitalised or in capitals ("Готов", "ГОТОВ"), rarely all in
        // lower case; the same bytes read in the other charset swap the case of every
        // letter ("ГОТОВ" in CP1251 is "ЗНРНБ"... and "ПЕЧАТЬ" is "оевюрэ" in KOI8-R, whose
        // letter frequencies happen to score higher).
        if (normal && first_upper) s.total += 10 * static_cast<long>(n);
    }
    s.total += s.frequency;
    return s;
}

bool ascii_letter(unsigned char b) { return (b | 0x20U) >= 'a' && (b | 0x20U) <= 'z'; }

/// А..я, Ё and ё: the letters Russian text is made of.
bool russian_letter(char32_t c) {
    return (c >= 0x0410 && c <= 0x044F) || c == 0x0401 || c == 0x0451;
}

/// Whether `bytes` has the shape of Russian text in `cs`: enough high bytes that are Russian
/// letters there, few high bytes that are not, and words made of them rather than accented
/// Latin.
bool cyrillic_shape(std::string_view bytes, Charset cs) {
    std::size_t high = 0;
    std::size_t letters = 0;
    std::size_t ascii = 0;
    std::size_t pure_words = 0;   // Cyrillic letter bytes and no ASCII letter
    std::size_t mixed_words = 0;  // ASCII letters and high letters in one word ("GRÖßE")
    for (std::size_t i = 0; i < bytes.size();) {
        std::size_t w_high = 0;
        std::size_t w_ascii = 0;
        for (; i < bytes.size(); ++i) {
            const auto b = static_cast<unsigned char>(bytes[i]);
            if (b >= 0x80) ++high;
            if (b >= 0x80 && russian_letter(table_byte(b, cs))) {
                ++letters;
                ++w_high;
            } else if (ascii_letter(b)) {
                ++ascii;
                ++w_ascii;
            } else {
                ++i;
                break;
            }
        }
        if (w_high > 0 && w_ascii == 0) ++pure_words;
        if (w_high > 0 && w_ascii > 0) ++mixed_words;
    }
    return letters >= 2 && letters * 10 >= high * 9 && letters * 2 >= ascii && pure_words > 0 &&
           mixed_words < pure_words;
}

std::optional<Charset> guess_cyrillic(std::string_view bytes) {
    std::optional<Charset> best;
    CyrillicScore best_score;
    // CP1251 first: it wins a tie, being what most Russian-localized devices send.
    // ISO 8859-5 (Brother's Russian firmware) and CP866 (DOS) follow, stricter: every high
    // byte from A1 (ISO 8859-5) or most of them (CP866) is a letter there, so short CJK or
    // Western text could pass for Russian. Only text that reads as Russian words counts for
    // them: four letters or more (eight when the bytes are also valid GBK: two or three
    // Chinese characters read letter by letter pass the rest a few times in a thousand), each
    // word in one case or capitalised, and common letters (a mean frequency of 4 %, where
    // double-byte text read byte by byte stays near 3 %).
    std::optional<bool> valid_gbk;  // asked once, only of bytes some reading shapes as Russian
    for (const Charset cs : {Charset::cp1251, Charset::koi8r, Charset::iso8859_5, Charset::cp866}) {
        if (!cyrillic_shape(bytes, cs)) continue;
        const auto score = score_cyrillic(bytes, cs);
        const bool strict = cs == Charset::iso8859_5 || cs == Charset::cp866;
        if (!valid_gbk) valid_gbk = detail::iconv_strict(bytes, Charset::gbk).has_value();
        const bool gbk = *valid_gbk;
        if (strict && (score.letters < 4 || !score.words || score.frequency < 40 * score.letters ||
                       (score.letters < 8 && gbk))) {
            continue;
        }
        // Bytes that are valid GBK too read as Russian only as words: Chinese characters
        // read byte by byte mix the cases inside a word ("ЗЮбЕ").
        if (gbk && !score.words) continue;
        // Mean frequency of 2 % per letter: Russian words score 2.5..7 %, Western accented
        // capitals read as Cyrillic ("ÖÄÜ" -> ЦДЬ) lower. Too noisy below three letters.
        if (score.letters >= 3 && score.frequency < 20 * score.letters) continue;
        if (!best || score.total > best_score.total) {
            best = cs;
            best_score = score;
        }
    }
    return best;
}

// ---- CJK: GBK or Shift-JIS -------------------------------------------------------------------
/// Decodes UTF-8 (known valid) into code points.
std::vector<char32_t> code_points(std::string_view utf8) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < utf8.size();) {
        const auto b = static_cast<unsigned char>(utf8[i]);
        const std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1FU) : len == 3 ? (b & 0x0FU) : (b & 0x07U);
        for (std::size_t k = 1; k < len && i + k < utf8.size(); ++k) {
            cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3FU);
        }
        out.push_back(cp);
        i += len;
    }
    return out;
}

std::optional<Charset> guess_cjk(std::string_view bytes) {
    std::size_t high = 0;
    std::size_t visible = 0;
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0x80) ++high;
        if (b != ' ') ++visible;
    }
    // At least two double-byte characters making up half the text: Western text has a few
    // accented letters among ASCII, CJK text is mostly double-byte.
    if (high < 4 || high * 2 < visible) return std::nullopt;
    if (const auto sjis = detail::iconv_strict(bytes, Charset::shift_jis)) {
        bool kana = false;
        bool halfwidth = false;
        for (const char32_t c : code_points(*sjis)) {
            kana = kana || (c >= 0x3040 && c <= 0x30FF);
            halfwidth = halfwidth || (c >= 0xFF61 && c <= 0xFF9F);
        }
        // Japanese writes kana between its kanji; GB2312's lead bytes 0xB0..0xDF read as
        // half-width katakana in Shift-JIS, so Chinese text shows those instead.
        if (kana && !halfwidth) return Charset::shift_jis;
    }
    if (detail::iconv_strict(bytes, Charset::gbk)) return Charset::gbk;
    return std::nullopt;
}

// ---- Latin-2 ---------------------------------------------------------------------------------
/// Letters in ISO 8859-2 that are symbols in Latin-1 (Ą Ł Ľ Ś Š Ş Ť Ź Ž Ż ą ł ľ ś š ş ť ź ž ż).
bool latin2_only_letter(unsigned char b) {
    switch (b) {
        case 0xA1:
        case 0xA3:
        case 0xA5:
        case 0xA6:
        case 0xA9:
        case 0xAA:
        case 0xAB:
        case 0xAC:
        case 0xAE:
        case 0xAF:
        case 0xB1:
        case 0xB3:
        case 0xB5:
        case 0xB6:
        case 0xB9:
        case 0xBA:
        case 0xBB:
        case 0xBC:
        case 0xBE:
        case 0xBF:
            return true;
        default:
            return false;
    }
}

bool latin2_likely(std::string_view bytes) {
    const auto letter = [](unsigned char b) {
        return ascii_letter(b) || (b >= 0xC0 && b != 0xD7 && b != 0xF7) || latin2_only_letter(b);
    };
    for (std::size_t i = 1; i + 1 < bytes.size(); ++i) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        if (latin2_only_letter(b) && letter(static_cast<unsigned char>(bytes[i - 1])) &&
            letter(static_cast<unsigned char>(bytes[i + 1]))) {
            return true;
        }
    }
    return false;
}

bool is_hex_digit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    return (c | 0x20) - 'a' + 10;
}

}  // namespace

// ---- public ----------------------------------------------------------------------------------
std::optional<Charset> charset_from_mibenum(long mibenum) {
    switch (mibenum) {
        case 3:
            return Charset::ascii;
        case 4:
            return Charset::latin1;
        case 5:
            return Charset::latin2;
        case 8:
            return Charset::iso8859_5;
        case 12:
            return Charset::latin5;
        case 17:    // Shift_JIS
        case 2024:  // Windows-31J
            return Charset::shift_jis;
        case 106:
            return Charset::utf8;
        case 113:   // GBK
        case 2025:  // GB2312: GBK is its superset
            return Charset::gbk;
        case 114:
            return Charset::gb18030;
        case 1000:  // ISO-10646-UCS-2: big-endian UTF-16 without surrogates
        case 1013:
            return Charset::utf16be;
        case 1014:
            return Charset::utf16le;
        case 1015:
            return Charset::utf16;
        case 2004:
            return Charset::roman8;
        case 2084:
            return Charset::koi8r;
        case 2086:  // IBM866
            return Charset::cp866;
        case 2250:
            return Charset::cp1250;
        case 2251:
            return Charset::cp1251;
        case 2252:
            return Charset::cp1252;
        default:
            return std::nullopt;
    }
}

std::optional<Charset> charset_from_name(std::string_view name) {
    std::string n;
    for (const char c : name) {
        if (c != '-' && c != '_') n.push_back(static_cast<char>(std::tolower(c)));
    }
    if (n.empty() || n == "auto" || n == "automatic") return Charset::automatic;
    if (n == "utf8") return Charset::utf8;
    if (n == "ascii" || n == "usascii") return Charset::ascii;
    if (n == "latin1" || n == "iso88591") return Charset::latin1;
    if (n == "latin2" || n == "iso88592") return Charset::latin2;
    if (n == "cp1252" || n == "windows1252") return Charset::cp1252;
    if (n == "cp1251" || n == "windows1251") return Charset::cp1251;
    if (n == "koi8r") return Charset::koi8r;
    if (n == "iso88595" || n == "cyrillic") return Charset::iso8859_5;
    if (n == "cp866" || n == "ibm866") return Charset::cp866;
    if (n == "cp1250" || n == "windows1250") return Charset::cp1250;
    if (n == "latin5" || n == "iso88599") return Charset::latin5;
    if (n == "roman8" || n == "hproman8") return Charset::roman8;
    if (n == "utf16") return Charset::utf16;
    if (n == "utf16le") return Charset::utf16le;
    if (n == "utf16be" || n == "ucs2") return Charset::utf16be;
    if (n == "gbk" || n == "gb2312" || n == "euccn" || n == "cp936") return Charset::gbk;
    if (n == "gb18030") return Charset::gb18030;
    if (n == "shiftjis" || n == "sjis" || n == "cp932" || n == "windows31j") {
        return Charset::shift_jis;
    }
    return std::nullopt;
}

std::string_view charset_name(Charset charset) {
    switch (charset) {
        case Charset::automatic:
            return "automatic";
        case Charset::utf8:
            return "UTF-8";
        case Charset::ascii:
            return "ASCII";
        case Charset::latin1:
            return "ISO-8859-1";
        case Charset::latin2:
            return "ISO-8859-2";
        case Charset::cp1252:
            return "Windows-1252";
        case Charset::cp1251:
            return "Windows-1251";
        case Charset::koi8r:
            return "KOI8-R";
        case Charset::roman8:
            return "HP Roman-8";
        case Charset::utf16:
            return "UTF-16";
        case Charset::utf16le:
            return "UTF-16LE";
        case Charset::utf16be:
            return "UTF-16BE";
        case Charset::gbk:
            return "GBK";
        case Charset::gb18030:
            return "GB18030";
        case Charset::shift_jis:
            return "Shift-JIS";
        case Charset::iso8859_5:
            return "ISO-8859-5";
        case Charset::cp866:
            return "CP866";
        case Charset::cp1250:
            return "Windows-1250";
        case Charset::latin5:
            return "ISO-8859-9";
    }
    return "?";
}

bool is_valid_utf8(std::string_view bytes) { return proto::utf8_length(bytes).has_value(); }

std::string sanitize_utf8(std::string_view bytes) {
    if (is_valid_utf8(bytes)) return std::string(bytes);
    std::string out;
    out.reserve(bytes.size() + 8);
    for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t len = proto::utf8_sequence_length(bytes, i);
        if (len == 0) {
            out += kReplacement;
            ++i;
        } else {
            out.append(bytes.substr(i, len));
            i += len;
        }
    }
    return out;
}

std::size_t utf16_text_size(std::string_view bytes) {
    std::size_t n = 0;
    while (n + 1 < bytes.size() && (bytes[n] != '\0' || bytes[n + 1] != '\0')) n += 2;
    return n;
}

std::optional<Charset> utf16_shape(std::string_view bytes) {
    const std::size_t n = utf16_text_size(bytes);
    // After the text: nothing, a terminator, or one odd byte of NUL padding.
    if (n < 4 || (n + 1 == bytes.size() && bytes[n] != '\0')) return std::nullopt;
    const auto fits = [&](bool little_endian) {
        int block = -1;  // the one non-zero high byte (script block) seen so far
        for (std::size_t i = 0; i < n; i += 2) {
            const auto a = static_cast<unsigned char>(bytes[i]);
            const auto b = static_cast<unsigned char>(bytes[i + 1]);
            const unsigned hi = little_endian ? b : a;
            const unsigned lo = little_endian ? a : b;
            if (hi == 0) {
                const bool printable = lo >= 0x20 && lo != 0x7F && (lo < 0x80 || lo >= 0xA0);
                if (!printable && lo != '\t' && lo != '\n' && lo != '\r') return false;
            } else if (hi > 0x06 || (block != -1 && static_cast<unsigned>(block) != hi)) {
                return false;
            } else {
                block = static_cast<int>(hi);
            }
        }
        return true;
    };
    const bool le = fits(true);
    const bool be = fits(false);
    if (le == be) return std::nullopt;  // neither, or ambiguous
    return le ? Charset::utf16le : Charset::utf16be;
}

bool is_utf16(Charset charset) {
    return charset == Charset::utf16 || charset == Charset::utf16le || charset == Charset::utf16be;
}

std::optional<Detection> detect_bom_or_utf16(std::string_view bytes, CharsetHint hint) {
    const auto starts = [&](std::string_view prefix) {
        return bytes.substr(0, prefix.size()) == prefix;
    };
    // 1. Byte-order marks.
    if (starts("\xEF\xBB\xBF")) return Detection{Charset::utf8, 3, "byte-order mark"};
    if (starts("\xFF\xFE")) return Detection{Charset::utf16le, 2, "byte-order mark"};
    if (starts("\xFE\xFF")) return Detection{Charset::utf16be, 2, "byte-order mark"};
    // 2. Declared UTF-16.
    for (const auto& [cs, why] : {std::pair<Charset, std::string_view>{hint.declared, kByDevice},
                                  std::pair<Charset, std::string_view>{hint.profile, kByProfile}}) {
        if (cs == Charset::utf16) {
            return Detection{utf16_shape(bytes).value_or(Charset::utf16be), 0, why};
        }
        if (is_utf16(cs)) return Detection{cs, 0, why};
    }
    // 3. UTF-16 by its shape.
    if (const auto order = utf16_shape(bytes)) return Detection{*order, 0, "UTF-16 shape"};
    return std::nullopt;
}

Detection detect_charset(std::string_view bytes, CharsetHint hint) {
    if (auto d = detect_bom_or_utf16(bytes, hint)) return *d;
    const std::array<std::pair<Charset, std::string_view>, 2> hints = {
        {{hint.declared, kByDevice}, {hint.profile, kByProfile}}};
    // 4. UTF-8.
    if (is_valid_utf8(bytes)) return {Charset::utf8, 0, "valid UTF-8"};
    // 5. Declared double-byte charsets the bytes are valid in.
    for (const auto& [cs, why] : hints) {
        if (is_double_byte(cs) && detail::iconv_strict(bytes, cs)) return {cs, 0, why};
    }
    // 6. Declared Cyrillic.
    for (const auto& [cs, why] : hints) {
        if (is_cyrillic(cs)) return {cs, 0, why};
    }
    // 7. Cyrillic by statistics, 8. CJK by structure.
    if (const auto c = guess_cyrillic(bytes)) return {*c, 0, "Cyrillic letter statistics"};
    if (const auto c = guess_cjk(bytes)) return {*c, 0, "CJK double-byte structure"};
    // 9. Other declared single-byte charsets.
    for (const auto& [cs, why] : hints) {
        if (is_single_byte(cs)) return {cs, 0, why};
    }
    // 10. Latin-2 letters between letters, 11. Windows-1252.
    if (latin2_likely(bytes)) return {Charset::latin2, 0, "Latin-2 letters"};
    return {Charset::cp1252, 0, "default"};
}

std::optional<std::string> unhex_text(std::string_view s) {
    if (s.size() < 6 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || s.size() % 2 != 0) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(s.size() / 2 - 1);
    for (std::size_t i = 2; i < s.size(); i += 2) {
        if (!is_hex_digit(s[i]) || !is_hex_digit(s[i + 1])) return std::nullopt;
        out.push_back(static_cast<char>(hex_value(s[i]) * 16 + hex_value(s[i + 1])));
    }
    const std::string_view bytes = out;
    if (bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF" ||
        utf16_shape(bytes)) {
        return out;
    }
    std::string_view text = bytes;
    while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
    if (text.empty()) return std::nullopt;
    for (const char c : text) {
        const auto b = static_cast<unsigned char>(c);
        if ((b < 0x20 && c != '\t' && c != '\n' && c != '\r') || b == 0x7F) return std::nullopt;
    }
    return out;
}

std::string to_utf8(std::string_view bytes, CharsetHint hint, Detection* how) {
    const Detection d = detect_charset(bytes, hint);
    if (how != nullptr) *how = d;
    return convert(bytes.substr(d.bom), d.charset);
}

std::string to_utf8(std::string_view bytes, Charset charset) {
    if (charset == Charset::automatic || charset == Charset::utf8) {
        return to_utf8(bytes, CharsetHint{charset});
    }
    return convert(bytes, charset);
}

namespace detail {

std::string table_to_utf8(std::string_view bytes, Charset charset) {
    if (charset == Charset::utf8 || charset == Charset::automatic) return sanitize_utf8(bytes);
    if (charset == Charset::utf16le || charset == Charset::utf16be || charset == Charset::utf16) {
        return utf16_by_hand(bytes, charset == Charset::utf16le);
    }
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) append_utf8(out, table_byte(static_cast<unsigned char>(c), charset));
    return out;
}

std::optional<std::string> iconv_strict(std::string_view bytes, Charset charset) {
    auto c = iconv_to_utf8(bytes, charset);
    if (!c || c->invalid != 0) return std::nullopt;
    return std::move(c->text);
}

}  // namespace detail

}  // namespace printmon::scanner::text
