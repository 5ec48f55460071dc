#include "polling/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <vector>

namespace printmon::scanner::text {
namespace {

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

/// Lower case of a two-byte UTF-8 code point (U+0080..U+07FF) in the scripts printers' panels
/// use: Latin-1 and Latin Extended-A (French, German, Polish, Czech, Turkish...) and Cyrillic
/// (Russian, Ukrainian). Others are returned unchanged.
char32_t lower_two_byte(char32_t cp) {
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;  // À..Þ, not ×
    if (cp == 0x130) return U'i';                                  // Turkish İ
    if (cp == 0x178) return 0xFF;                                  // Ÿ
    // Latin Extended-A pairs: upper case even and lower odd, except in 0139..0148 and
    // 0179..017E (Ł, Ń, Ž...), where the upper case is odd.
    if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177)) return cp | 1U;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) {
        return cp % 2 == 1 ? cp + 1 : cp;
    }
    if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;  // А..Я
    if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;  // Ѐ..Џ (Ё, Є, І, Ї among them)
    if (cp >= 0x48A && cp <= 0x4BF) return cp | 1U;    // Ґ and the other paired letters
    return cp;
}

}  // namespace

std::string decode(std::string_view octets, CharsetHint hint, DecodeInfo* info) {
    DecodeInfo local;
    DecodeInfo& how = info != nullptr ? *info : local;
    std::string bytes(octets);
    if (auto rebuilt = undo_hex_dump(bytes)) {
        bytes = std::move(*rebuilt);
    } else if (auto raw = unhex_text(bytes)) {
        bytes = std::move(*raw);
        how.hex = true;
    }
    std::string utf8;
    const auto early = detect_bom_or_utf16(bytes, hint);
    if (early && is_utf16(early->charset)) {
        // UTF-16 before any clean-up: its NUL and 0x01..0x06 bytes are halves of characters,
        // not padding or binary prefixes. The text ends at a 0x0000 unit.
        how.detection = *early;
        std::string_view body = std::string_view(bytes).substr(early->bom);
        body = body.substr(0, utf16_text_size(body));
        utf8 = to_utf8(body, early->charset);
    } else {
        if (early) bytes.erase(0, early->bom);  // a UTF-8 byte-order mark
        // Binary prefixes before the text (HP PML strings start with 0x01 0x15).
        std::size_t start = 0;
        while (start < bytes.size() && static_cast<unsigned char>(bytes[start]) < 0x20 &&
               bytes[start] != '\t' && bytes[start] != '\n') {
            ++start;
        }
        bytes.erase(0, start);
        // Everything from the first NUL on is padding (C strings in fixed-size buffers).
        if (const auto nul = bytes.find('\0'); nul != std::string::npos) bytes.resize(nul);
        // A value cut inside a multibyte UTF-8 sequence: drop the incomplete tail when the
        // device may speak UTF-8, or when the rest is UTF-8 with multibyte characters.
        const bool utf8_hinted =
            (hint.declared == Charset::automatic || hint.declared == Charset::utf8 ||
             hint.declared == Charset::ascii) &&
            (hint.profile == Charset::automatic || hint.profile == Charset::utf8);
        if (!is_valid_utf8(bytes)) {
            for (std::size_t cut = 1; cut <= 3 && cut < bytes.size(); ++cut) {
                const std::string_view head(bytes.data(), bytes.size() - cut);
                const auto lead = static_cast<unsigned char>(bytes[bytes.size() - cut]);
                // Only a real prefix: a lead byte wanting more than `cut` bytes, followed by
                // continuation bytes (CP1251 "\xF2\xEA\xE0" is no cut UTF-8 character).
                const std::size_t wants = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
                bool prefix = lead >= 0xC2 && lead <= 0xF4 && wants > cut;
                for (std::size_t k = bytes.size() - cut + 1; prefix && k < bytes.size(); ++k) {
                    prefix = (static_cast<unsigned char>(bytes[k]) & 0xC0U) == 0x80;
                }
                const bool multibyte = std::any_of(head.begin(), head.end(), [](char c) {
                    return static_cast<unsigned char>(c) >= 0x80;
                });
                if (prefix && is_valid_utf8(head) && (utf8_hinted || multibyte)) {
                    bytes.resize(bytes.size() - cut);
                    how.truncated = true;
                    break;
                }
            }
        }
        utf8 = to_utf8(bytes, hint, &how.detection);
    }
    // Control characters (C0, DEL, and C1 U+0080..U+009F, which Latin-1 readings of 0x80..0x9F
    // produce) become spaces; the result stays valid UTF-8.
    std::string clean;
    clean.reserve(utf8.size());
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto b = static_cast<unsigned char>(utf8[i]);
        if (b == 0xC2 && i + 1 < utf8.size() && static_cast<unsigned char>(utf8[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(utf8[i + 1]) <= 0x9F) {
            clean.push_back(' ');
            ++how.controls;
            ++i;
        } else if (b < 0x20 || b == 0x7F) {
            clean.push_back(' ');
            if (b != '\t' && b != '\n' && b != '\r') ++how.controls;
        } else {
            clean.push_back(utf8[i]);
        }
    }
    return squeeze(clean);
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
    static constexpr std::string_view kDigits = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (i != 0) out.push_back(':');
        const auto b = static_cast<unsigned char>(raw[i]);
        out.push_back(kDigits[b >> 4U]);
        out.push_back(kDigits[b & 0x0FU]);
    }
    return out;
}

std::string_view identity_problem(std::string_view text, IdentityField field, bool whole_object) {
    const std::string t = trim(text);
    if (t.empty()) return "empty";
    const std::string l = lower(t);
    for (const char* placeholder :
         {"unknown", "n/a", "na", "none", "null", "not available", "undefined", "not set"}) {
        if (l == placeholder) return "a placeholder";
    }
    // "0x0000" is hex-encoded zeros (hex text of real text was decoded before this).
    const bool hex = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
    bool alnum = false;
    bool nonzero = false;
    bool ascii = true;
    for (const char c : std::string_view(t).substr(hex ? 2 : 0)) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0x80) {
            ascii = false;
        } else if (std::isalnum(b) != 0) {
            alnum = true;
            nonzero = nonzero || c != '0';
        } else if (c != ' ' && c != '-' && c != '_' && c != '.' && c != ':' && c != '/') {
            nonzero = true;
        }
    }
    if (!alnum) return "no letter or digit";
    if (!nonzero && ascii) return "all zeros";
    // U+FFFD: bytes no charset could read.
    if (t.find("\xEF\xBF\xBD") != std::string::npos) return "unreadable bytes";
    std::size_t chars = 0;
    for (const char c : t) chars += (static_cast<unsigned char>(c) & 0xC0U) != 0x80 ? 1 : 0;
    const std::size_t max = field == IdentityField::serial  ? kSerialMax
                            : field == IdentityField::model ? kModelMax
                                                            : kFirmwareMax;
    if (whole_object && chars > max) return "longer than any real value";
    if (field == IdentityField::model) return {};
    if (!ascii) return "not printable ASCII";
    if (field == IdentityField::serial && t.size() >= 4 &&
        t.find_first_not_of(t.front()) == std::string::npos) {
        return "one character repeated";
    }
    return {};
}

std::string cap(std::string s, std::size_t max_chars, bool* cut) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;  // continuation byte
        if (chars == max_chars) {
            s.resize(i);
            while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
            if (cut != nullptr) *cut = true;
            return s;
        }
        ++chars;
    }
    return s;
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

std::string fold_case(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        const bool two_byte = b >= 0xC2 && b <= 0xDF && i + 1 < s.size() &&
                              (static_cast<unsigned char>(s[i + 1]) & 0xC0U) == 0x80U;
        if (b >= 'A' && b <= 'Z') {
            out.push_back(static_cast<char>(b + 32));
        } else if (two_byte) {
            const auto c = static_cast<unsigned char>(s[i + 1]);
            const char32_t cp = lower_two_byte(((b & 0x1FU) << 6U) | (c & 0x3FU));
            if (cp < 0x80) {
                out.push_back(static_cast<char>(cp));
            } else {
                out.push_back(static_cast<char>(0xC0U | (cp >> 6U)));
                out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
            }
            ++i;
        } else {
            out.push_back(static_cast<char>(b));
        }
    }
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
