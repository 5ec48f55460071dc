#include "polling/text.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <vector>

namespace printmon::scanner::text {
namespace {

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

// Upper halves (0x80..0xFF) of the single-byte charsets; 0 = undefined (becomes U+FFFD).
// Tables rather than iconv: the conversion must not depend on the host's gconv modules.
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

char32_t map_byte(unsigned char b, Charset cs) {
    if (b < 0x80) return b;
    switch (cs) {
        case Charset::cp1251: {
            const char32_t c = kCp1251[b - 0x80U];
            return c == 0 ? U'\uFFFD' : c;
        }
        case Charset::koi8r:
            return kKoi8r[b - 0x80U];
        case Charset::latin2:
            return b < 0xA0 ? U'\uFFFD' : kLatin2[b - 0xA0U];
        case Charset::roman8: {
            if (b < 0xA0) return U'\uFFFD';
            const char32_t c = kRoman8[b - 0xA0U];
            return c == 0 ? U'\uFFFD' : c;
        }
        case Charset::ascii:
            return U'\uFFFD';
        default:
            return b;  // Latin-1: code point == byte
    }
}

// Russian text is mostly high bytes; Western text has a few accented letters among ASCII.
// The commonest Russian letters (о а е и н т) sit in different places in CP1251 and KOI8-R.
Charset guess_single_byte(std::string_view bytes) {
    int high = 0;
    int letters = 0;
    int cp1251_score = 0;
    int koi8_score = 0;
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        if (std::isalpha(b) != 0) ++letters;
        if (b < 0xC0) continue;
        ++high;
        switch (b) {
            case 0xEE:
            case 0xE0:
            case 0xE5:
            case 0xE8:
            case 0xED:
            case 0xF2:  // оаеинт
                ++cp1251_score;
                break;
            case 0xCF:
            case 0xC1:
            case 0xC5:
            case 0xC9:
            case 0xCE:
            case 0xD4:
                ++koi8_score;
                break;
            default:
                break;
        }
    }
    if (high >= 2 && high * 2 >= letters) {
        return koi8_score > cp1251_score ? Charset::koi8r : Charset::cp1251;
    }
    return Charset::latin1;
}

bool is_hex_digit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// net-snmp prints an OCTET STRING with non-printable bytes as hex pairs; some recordings of
// real printers captured such output as text: the first line as characters, the rest as
// "41 42 43 ..." lines. When everything after the first newline is hex pairs, rebuild the bytes.
std::optional<std::string> undo_hex_dump(std::string_view s) {
    const auto nl = s.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    std::string out(s.substr(0, nl));
    std::string_view rest = s.substr(nl + 1);
    int pairs = 0;
    std::size_t i = 0;
    while (i < rest.size()) {
        const char c = rest[i];
        if (c == ' ' || c == '\n' || c == '\r') {
            ++i;
            continue;
        }
        if (i + 1 < rest.size() && is_hex_digit(c) && is_hex_digit(rest[i + 1]) &&
            (i + 2 == rest.size() || rest[i + 2] == ' ' || rest[i + 2] == '\n' ||
             rest[i + 2] == '\r')) {
            out.push_back(
                static_cast<char>(std::stoi(std::string(rest.substr(i, 2)), nullptr, 16)));
            ++pairs;
            i += 2;
            continue;
        }
        return std::nullopt;
    }
    if (pairs == 0) return std::nullopt;
    return out;
}

}  // namespace

std::optional<Charset> charset_from_mibenum(long mibenum) {
    switch (mibenum) {
        case 3:
            return Charset::ascii;
        case 4:
            return Charset::latin1;
        case 5:
            return Charset::latin2;
        case 106:
            return Charset::utf8;
        case 2084:
            return Charset::koi8r;
        case 2004:
            return Charset::roman8;
        case 2251:
            return Charset::cp1251;
        case 2252:  // windows-1252: close enough to Latin-1 for printable text
            return Charset::latin1;
        default:
            return std::nullopt;
    }
}

std::optional<Charset> charset_from_name(std::string_view name) {
    const std::string n = lower(name);
    if (n == "auto" || n == "automatic" || n.empty()) return Charset::automatic;
    if (n == "utf8" || n == "utf-8") return Charset::utf8;
    if (n == "ascii" || n == "us-ascii") return Charset::ascii;
    if (n == "latin1" || n == "iso-8859-1" || n == "windows-1252" || n == "cp1252") {
        return Charset::latin1;
    }
    if (n == "latin2" || n == "iso-8859-2") return Charset::latin2;
    if (n == "cp1251" || n == "windows-1251") return Charset::cp1251;
    if (n == "koi8r" || n == "koi8-r") return Charset::koi8r;
    if (n == "roman8" || n == "hp-roman8") return Charset::roman8;
    return std::nullopt;
}

std::optional<std::size_t> utf8_length(std::string_view bytes) {
    std::size_t i = 0;
    std::size_t count = 0;
    while (i < bytes.size()) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        ++count;
        std::size_t len = 0;
        char32_t cp = 0;
        if (b < 0x80) {
            ++i;
            continue;
        }
        if ((b & 0xE0) == 0xC0) {
            len = 2;
            cp = b & 0x1FU;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3;
            cp = b & 0x0FU;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4;
            cp = b & 0x07U;
        } else {
            return std::nullopt;
        }
        if (i + len > bytes.size()) return std::nullopt;
        for (std::size_t k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(bytes[i + k]);
            if ((c & 0xC0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (c & 0x3FU);
        }
        // Overlong forms, surrogates and out-of-range code points are not UTF-8.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return std::nullopt;
        }
        i += len;
    }
    return count;
}

bool is_valid_utf8(std::string_view bytes) { return utf8_length(bytes).has_value(); }

std::string to_utf8(std::string_view bytes, Charset charset) {
    if (charset == Charset::automatic || charset == Charset::utf8) {
        if (is_valid_utf8(bytes)) return std::string(bytes);
        charset = guess_single_byte(bytes);
    }
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) append_utf8(out, map_byte(static_cast<unsigned char>(c), charset));
    return out;
}

std::string decode(std::string_view octets, Charset charset, bool* truncated) {
    std::string bytes(octets);
    if (auto rebuilt = undo_hex_dump(bytes)) bytes = std::move(*rebuilt);
    // Binary prefixes before the text (HP PML strings start with 0x01 0x15).
    std::size_t start = 0;
    while (start < bytes.size() && static_cast<unsigned char>(bytes[start]) < 0x20 &&
           bytes[start] != '\t' && bytes[start] != '\n') {
        ++start;
    }
    bytes.erase(0, start);
    // Everything from the first NUL on is padding (C strings in fixed-size buffers).
    if (const auto nul = bytes.find('\0'); nul != std::string::npos) bytes.resize(nul);
    // A value cut inside a multibyte UTF-8 sequence: drop the incomplete tail.
    if ((charset == Charset::automatic || charset == Charset::utf8) && !is_valid_utf8(bytes)) {
        for (std::size_t cut = 1; cut <= 3 && cut < bytes.size(); ++cut) {
            const std::string_view head(bytes.data(), bytes.size() - cut);
            const auto lead = static_cast<unsigned char>(bytes[bytes.size() - cut]);
            if (lead >= 0xC0 && is_valid_utf8(head)) {
                bytes.resize(bytes.size() - cut);
                if (truncated != nullptr) *truncated = true;
                break;
            }
        }
    }
    std::string utf8 = to_utf8(bytes, charset);
    for (char& c : utf8) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    }
    return squeeze(utf8);
}

std::string format_mac(std::string_view octets) {
    std::string raw;
    if (octets.size() == 6) {
        raw = std::string(octets);
    } else {
        // Textual forms: "00:11:22:33:44:55", "00-11-..", "001122334455".
        std::string hex;
        for (const char c : octets) {
            if (is_hex_digit(c)) {
                hex.push_back(c);
            } else if (c != ':' && c != '-' && c != '.' && c != ' ') {
                return {};
            }
        }
        if (hex.size() != 12) return {};
        for (std::size_t i = 0; i < 12; i += 2) {
            raw.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
        }
    }
    bool all_zero = true;
    bool all_ff = true;
    for (const char c : raw) {
        const auto b = static_cast<unsigned char>(c);
        all_zero = all_zero && b == 0;
        all_ff = all_ff && b == 0xFF;
    }
    if (all_zero || all_ff) return {};
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (i != 0) out.push_back(':');
        const auto b = static_cast<unsigned char>(raw[i]);
        out.push_back(kDigits[b >> 4U]);
        out.push_back(kDigits[b & 0x0FU]);
    }
    return out;
}

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

std::string squeeze(std::string_view s) {
    std::string out;
    bool space = false;
    for (const char c : s) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string ieee1284_field(std::string_view device_id, std::string_view keys) {
    std::vector<std::string> wanted;
    while (!keys.empty()) {
        const auto bar = keys.find('|');
        wanted.push_back(lower(trim(keys.substr(0, bar))));
        if (bar == std::string_view::npos) break;
        keys.remove_prefix(bar + 1);
    }
    while (!device_id.empty()) {
        const auto semi = device_id.find(';');
        const auto item = device_id.substr(0, semi);
        const auto colon = item.find(':');
        if (colon != std::string_view::npos) {
            const auto key = lower(trim(item.substr(0, colon)));
            for (const auto& w : wanted) {
                if (key == w) return trim(item.substr(colon + 1));
            }
        }
        if (semi == std::string_view::npos) break;
        device_id.remove_prefix(semi + 1);
    }
    return {};
}

}  // namespace printmon::scanner::text
