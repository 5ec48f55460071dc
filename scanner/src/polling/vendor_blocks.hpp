#pragma once
// Binary blocks some vendors put in one OCTET STRING instead of a MIB table. Brother's
// maintenance (…2435.2.3.9.4.2.1.5.5.8.0), page counter (…5.5.10.0) and "next care"
// (…5.5.11.0) objects are sequences of records: code (1 octet), type (1 octet, 0x01 = unsigned
// integer), length L (1 octet), L octets big-endian value; a code of 0xFF ends the block.
// Public descriptions of the layout: saper-2's BRN-Printer-sCounters-Info notes and the
// `brother` Python library (Home Assistant's Brother integration). Anything that does not
// follow the layout yields no value, never a guess.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace printmon::scanner::blocks {

struct Record {
    unsigned code = 0;
    unsigned type = 0;
    std::string_view value;  ///< points into the parsed bytes
};

struct Parsed {
    std::vector<Record> records;
    std::string problem;  ///< non-empty: the block is malformed and no record may be trusted
};

/// Splits a Brother block into records. A record that runs past the end, or a block with
/// no record at all, makes the whole block malformed.
Parsed parse_brother_block(std::string_view bytes);

/// The unsigned value of the first record with `code`, when the block is well formed and the
/// record is a 4-octet integer (type 0x01). `problem` (optional) says why not.
std::optional<std::int64_t> brother_value(std::string_view bytes, unsigned code,
                                          std::string* problem = nullptr);

}  // namespace printmon::scanner::blocks
