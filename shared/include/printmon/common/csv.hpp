#pragma once
// One CSV field, for every CSV the product writes (the scanner's data export, the cloud's
// lists): RFC 4180 quoting, and no formula injection when a spreadsheet opens the file.

#include <string>
#include <string_view>

namespace printmon::common {

/// `text` as a field: quoted when it holds the separator, a quote or a line break. A text
/// (`is_text`) starting with = + - @ TAB or CR is quoted with a leading apostrophe, so a
/// location typed as "=HYPERLINK(...)" stays text in Excel or LibreOffice (CSV injection);
/// numbers are written as they are (a negative number is not a formula).
std::string csv_field(std::string_view text, bool is_text = true, char separator = ',');

}  // namespace printmon::common
