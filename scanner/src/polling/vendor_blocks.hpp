#pragma once
// Binary blocks some vendors put in one OCTET STRING instead of a MIB table. Brother's
// maintenance (…2435.2.3.9.4.2.1.5.5.8.0), page counter (…5.5.10.0) and "next care"
// (…5.5.11.0) objects are sequences of records: code (1 octet), type (1 octet, 0x01 = unsigned
// integer), length L (1 octet), L octets big-endian value; a code of 0xFF ends the block. Legacy
// models send 2-octet maintenance records instead: remaining and total (e.g. 04 14, 4 of 20).
// Public descriptions of the layout: saper-2's BRN-Printer-sCounters-Info notes and the
// `brother` Python library (Home Assistant's Brother integration). Anything that does not
// follow the layout yields no value, never a guess. The jam count (…5.5.21.0) and replace
// count (…5.5.20.0) objects leave the type out: code, length L, L octets (saper-2's notes put
// each record beside the printer's web page: "Total Paper Jams : 38" is record a1, 00 00 00 26).
//
// Epson's status block ("@BDC ST2"), which Epson inkjets answer at their printer status
// object 1248.1.2.2.1.1.1.4.1 (and to the EPSON-CTRL "st" command): the header 00 "@BDC ST2"
// CR LF, a little-endian 16-bit length of the rest, then elements of type (1 octet), length L
// (1 octet) and L octets. Element 0x0f lists the inks: its first octet is the size of each
// entry, then entries of cartridge code, ink colour (0 black, 1 cyan, 2 magenta, 3 yellow,
// 4 light cyan, 5 light magenta) and level in percent. Element 0x36 (20 octets) holds five
// little-endian 32-bit page counts: normal, pages, colour, monochrome, blank. Public source:
// Ircama's epson_print_conf (its status_parser), which reads the block over SNMP.

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
/// no record at all, makes the whole block malformed; an empty string is no records and no
/// problem (models without such counters answer so).
Parsed parse_brother_block(std::string_view bytes);

/// The unsigned value of the first record with `code`, when the block is well formed and the
/// record is a 4-octet integer (type 0x01). `problem` (optional) says why not.
std::optional<std::int64_t> brother_value(std::string_view bytes, unsigned code,
                                          std::string* problem = nullptr);

/// Remaining life of the record with `code`, in hundredths of a percent: a 4-octet integer is
/// that already; a 2-octet record (legacy models) is remaining/total, read as
/// remaining * 10000 / total when total is not zero and remaining does not exceed it (the
/// `brother` library reads those blocks so). Any other record gives no value and a problem.
std::optional<std::int64_t> brother_life(std::string_view bytes, unsigned code,
                                         std::string* problem = nullptr);

/// Splits a Brother block whose records have no type octet (code, length, value; 0xFF ends
/// it), with the same rules as parse_brother_block(); `type` is 0x01 for every record.
Parsed parse_brother_tlv(std::string_view bytes);

/// The unsigned value of the first record with `code` in such a block, when the block is
/// well formed and the value has 1 to 4 octets. `problem` (optional) says why not.
std::optional<std::int64_t> brother_tlv_value(std::string_view bytes, unsigned code,
                                              std::string* problem = nullptr);

struct St2Element {
    unsigned type = 0;
    std::string_view value;  ///< points into the parsed bytes
};

struct St2 {
    std::vector<St2Element> elements;
    std::string problem;  ///< non-empty: malformed, no element may be trusted
};

/// Splits an Epson "@BDC ST2" status block into elements. A block whose declared length is not
/// what follows, or whose elements run past its end, is malformed.
St2 parse_epson_st2(std::string_view bytes);

/// Level in percent of the first ink of `colour` in element 0x0f; nullopt when the block has
/// no such ink, or (with `problem` set) is malformed or says a level above 100.
std::optional<std::int64_t> epson_ink_level(std::string_view bytes, unsigned colour,
                                            std::string* problem = nullptr);

/// Page count number `field` (0 normal, 1 pages, 2 colour, 3 monochrome, 4 blank) of element
/// 0x36; nullopt when absent or (with `problem` set) malformed.
std::optional<std::int64_t> epson_page_count(std::string_view bytes, unsigned field,
                                             std::string* problem = nullptr);

/// State of maintenance box `box` (0, 1) in element 0x37: 0 not full, 1 near full, 2 full,
/// as Ircama's epson_print_conf reads it (first octet: octets per box, 1 or 2; each box's
/// first octet its state). nullopt when the block has no such box, or (with `problem` set)
/// is malformed or says a state no source names.
std::optional<std::int64_t> epson_box_state(std::string_view bytes, unsigned box,
                                            std::string* problem = nullptr);

/// The printer's own state in an Epson status block: the state code of element 0x01 and, while
/// in error, the error code of element 0x02, one octet each. What the codes mean is profile
/// data (`epson.toml`, from the status constants of Epson's GPL epson-inkjet-escpr driver).
struct EpsonStatus {
    std::optional<unsigned> state;
    std::optional<unsigned> error;
};

/// nullopt (with a problem) for a malformed block or a state/error element that is not one
/// octet; a block without element 0x01 gives an empty state.
std::optional<EpsonStatus> epson_status(std::string_view bytes, std::string* problem = nullptr);

}  // namespace printmon::scanner::blocks
