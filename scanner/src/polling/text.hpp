#pragma once
// Printer strings as they arrive over SNMP are raw octets: NUL-padded, in the device's own
// charset (Latin-1, CP1251, KOI8-R, HP Roman-8...), sometimes carrying binary prefixes or a
// hex dump leaked by the tool that recorded them. These helpers turn them into clean UTF-8.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "polling/charset.hpp"

namespace printmon::scanner::text {

/// Longest text a device string may become (characters), from the MIBs' SIZE clauses: a
/// DisplayString (sysDescr, hrDeviceDescr, prtGeneralSerialNumber, console lines, supply
/// descriptions...) is at most 255 octets. Rationale: a device chooses every string it sends;
/// nothing longer than its MIB allows is matched, stored or uploaded.
inline constexpr std::size_t kDisplayStringMax = 255;
/// An IEEE 1284 device ID (ppmPrinterIEEE1284DeviceId is SIZE 0..1023) and vendor strings a
/// profile extracts a field from: read this far, then the field is capped like a DisplayString.
inline constexpr std::size_t kDeviceIdMax = 1023;
/// Raw octets decoded at most (hex dumps triple a value, UTF-16 doubles it): an agent may send
/// 64 KB in one value, and decoding more than any cap keeps is wasted work.
inline constexpr std::size_t kRawOctetsMax = std::size_t{16} * 1024;
/// Longest octet string read as a number sent as text: 20 digits and a sign, with padding, in
/// UTF-16 or as a hex dump at most triples that. A longer "number" is no number, and is refused
/// without decoding it (a counter cell holding a long text would otherwise be decoded whole on
/// every poll).
inline constexpr std::size_t kNumberOctetsMax = 128;

/// `s` cut to at most `max_chars` Unicode characters (s is UTF-8), trailing whitespace trimmed
/// after a cut. Sets *cut when it shortened the text.
std::string cap(std::string s, std::size_t max_chars, bool* cut = nullptr);

/// What decode() did to one value, for notes.
struct DecodeInfo {
    bool truncated = false;  ///< bytes dropped from a multibyte character cut at the end
    bool hex = false;        ///< the value was hex-encoded text ("0x4B79...")
    /// Control characters inside the text (C0 other than tab and line ends, DEL, C1) that
    /// became spaces: binary data, not text. A leading binary prefix and NUL padding are not
    /// counted.
    std::size_t controls = 0;
    Detection detection;  ///< the charset read and why
};

/// Everything a display string needs: undoes a leaked net-snmp hex dump ("text\n41 42 ...")
/// and hex-encoded text ("0x..."), reads UTF-16 up to its NUL terminator, otherwise drops
/// binary prefixes (HP PML's 0x01 0x15), NUL padding and incomplete trailing UTF-8; converts
/// to UTF-8 in the charset detect_charset() chooses, replaces control characters (C0 and C1)
/// by spaces and collapses whitespace. The result is always valid UTF-8.
std::string decode(std::string_view octets, CharsetHint hint = {}, DecodeInfo* info = nullptr);

/// "aa:bb:cc:dd:ee:ff" from 6 raw octets or a textual MAC ("AA-BB-..", "aabbccddeeff");
/// empty for anything else, including all-zero and broadcast addresses.
std::string format_mac(std::string_view octets);

/// Identity fields whose values identity_problem() checks.
enum class IdentityField { model, serial, firmware };

/// Longest plausible identity value (characters): longer is junk, not a name cut short.
inline constexpr std::size_t kSerialMax = 64;
inline constexpr std::size_t kModelMax = 128;
inline constexpr std::size_t kFirmwareMax = 128;

/// Why decoded text cannot be a device's model, serial or firmware version, or "" when it
/// can: empty, a placeholder ("unknown", "n/a"), all zeros ("0", "0000", "0.0.0"), no ASCII
/// letter or digit (binary read as some charset, "----"), for serials and firmware anything
/// but printable ASCII, for serials one character repeated (erased memory, "FFFFFFFF"); and
/// when `whole_object` (the text is an object's entire value, not a field taken from a longer
/// text such as sysDescr, which is capped instead) longer than the field's maximum.
/// Rationale: an agent that does not know a value fills the object with whatever its buffer
/// holds; reporting that would be worse than reporting nothing.
std::string_view identity_problem(std::string_view text, IdentityField field,
                                  bool whole_object = true);

/// Trims ASCII whitespace on both ends.
std::string trim(std::string_view s);
/// Collapses runs of whitespace into one space and trims.
std::string squeeze(std::string_view s);
/// ASCII lower-case.
std::string lower(std::string_view s);
/// Lower case of UTF-8 text for matching panel words: ASCII, Latin-1 and Latin Extended-A
/// (French, German, Polish, Czech, Turkish...) and Cyrillic; other code points (CJK) as they
/// are. Input is valid UTF-8.
std::string fold_case(std::string_view s);

/// Value of a key in an IEEE 1284 device ID ("MFG:HP;MDL:LaserJet 4;..."). Keys are matched
/// case-insensitively; `keys` is a '|'-separated list of aliases ("MDL|MODEL").
std::string ieee1284_field(std::string_view device_id, std::string_view keys);

/// The manufacturer keys of a 1284 device ID: the standard's MFG and MANUFACTURER, and
/// "MANUFACTURE", which OKI's agents send.
inline constexpr std::string_view kIeee1284MfgKeys = "MFG|MANUFACTURER|MANUFACTURE";

}  // namespace printmon::scanner::text
