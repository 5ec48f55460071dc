#pragma once
// Printer strings as they arrive over SNMP are raw octets: NUL-padded, in the device's own
// charset (Latin-1, CP1251, KOI8-R, HP Roman-8...), sometimes carrying binary prefixes or a
// hex dump leaked by the tool that recorded them. These helpers turn them into clean UTF-8.

#include <optional>
#include <string>
#include <string_view>

namespace printmon::scanner::text {

enum class Charset { automatic, utf8, ascii, latin1, latin2, cp1251, koi8r, roman8 };

/// Charset from an IANA MIBenum (prtLocalizationCharacterSet, RFC 3808); nullopt if unknown.
std::optional<Charset> charset_from_mibenum(long mibenum);
/// Charset from a profile name ("latin1", "cp1251", "koi8-r", "roman8", "utf-8"...).
std::optional<Charset> charset_from_name(std::string_view name);

bool is_valid_utf8(std::string_view bytes);
/// Number of code points in `bytes`, or nullopt when they are not valid UTF-8 (overlong forms,
/// surrogates and truncated sequences included). Text limits shown to users count these, not
/// bytes: a Cyrillic letter is two bytes but one character.
std::optional<std::size_t> utf8_length(std::string_view bytes);

/// Converts bytes in `charset` to UTF-8. `automatic` keeps valid UTF-8 as is and otherwise
/// guesses between CP1251, KOI8-R and Latin-1 from the byte statistics.
std::string to_utf8(std::string_view bytes, Charset charset);

/// Everything a display string needs: undoes a leaked net-snmp hex dump ("text\n41 42 ..."),
/// drops binary prefixes (HP PML's 0x01 0x15), trailing NUL padding and incomplete trailing
/// UTF-8, converts to UTF-8, replaces control characters by spaces and trims.
/// `truncated` (optional) is set when bytes were dropped from a cut multibyte sequence.
std::string decode(std::string_view octets, Charset charset = Charset::automatic,
                   bool* truncated = nullptr);

/// "aa:bb:cc:dd:ee:ff" from 6 raw octets or a textual MAC ("AA-BB-..", "aabbccddeeff");
/// empty for anything else, including all-zero and broadcast addresses.
std::string format_mac(std::string_view octets);

/// Trims ASCII whitespace on both ends.
std::string trim(std::string_view s);
/// Collapses runs of whitespace into one space and trims.
std::string squeeze(std::string_view s);
/// ASCII lower-case.
std::string lower(std::string_view s);

/// Value of a key in an IEEE 1284 device ID ("MFG:HP;MDL:LaserJet 4;..."). Keys are matched
/// case-insensitively; `keys` is a '|'-separated list of aliases ("MDL|MODEL").
std::string ieee1284_field(std::string_view device_id, std::string_view keys);

}  // namespace printmon::scanner::text
