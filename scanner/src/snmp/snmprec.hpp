#pragma once
// snmpsim's .snmprec format ("OID|TAG|VALUE" per line) to and from a MibView. Recordings are how
// the collector is tested offline and what `printmon-scanner walk` writes, so the reader accepts
// what real recordings contain (comments, CRLF, leading dots, hex "x" tags) and reports the
// first malformed line exactly.

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "snmp/value.hpp"

namespace printmon::scanner::snmp {

struct SnmprecError {
    int line = 0;  ///< 1-based line of the problem
    std::string message;
};

/// Parses snmprec text. Duplicate OIDs keep the first value (as snmpsim does).
tl::expected<MibView, SnmprecError> parse_snmprec(std::string_view text);

/// Reads and parses a file; I/O failures are reported with line 0.
tl::expected<MibView, SnmprecError> read_snmprec_file(const std::string& path);

/// Writes a view in OID order. Octets that are not printable ASCII (or contain '|' or a
/// newline) use the hex tag "4x"; missing values (noSuchObject...) are skipped.
std::string write_snmprec(const MibView& view);

}  // namespace printmon::scanner::snmp
