#pragma once
// One-sheet .xlsx workbooks for list exports, written by Debian's libxlsxwriter (1.1.4): a bold,
// frozen header row with an autofilter, then typed cells. Text is always written as a string
// cell, never as a formula, so "=cmd" in a printer's location stays text. libxlsxwriter 1.1.4
// can only write to a named file (an in-memory target came in 1.1.5): the workbook goes to a
// private temporary file (mkstemp in $TMPDIR, mode 0600) that is read back and removed.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace printmon::cloud::api {

class XlsxSheet {
  public:
    /// Excel's limit on the characters of a cell: longer text is cut and ends in kCut.
    static constexpr std::size_t kMaxCellChars = 32767;
    static constexpr std::string_view kCut = "…";

    /// A workbook with one sheet named `sheet_name` (at most 31 characters, no []:*?/\) and the
    /// header row `titles`. Throws std::runtime_error when the temporary file cannot be made.
    XlsxSheet(std::string_view sheet_name, const std::vector<std::string>& titles);
    ~XlsxSheet();
    XlsxSheet(const XlsxSheet&) = delete;
    XlsxSheet& operator=(const XlsxSheet&) = delete;

    // Data cells; `row` counts from 0 for the first row under the header.
    void text(std::size_t row, std::size_t col, std::string_view value);
    /// Integers are exact in a spreadsheet up to 2^53; beyond, they are written as text so no
    /// digit of a counter is silently lost.
    void integer(std::size_t row, std::size_t col, long long value);
    void number(std::size_t row, std::size_t col, double value);
    void boolean(std::size_t row, std::size_t col, bool value);
    /// A date-time cell shown as "yyyy-mm-dd hh:mm:ss" (UTC; milliseconds are kept).
    void time(std::size_t row, std::size_t col, std::chrono::system_clock::time_point value);
    /// A date cell shown as "yyyy-mm-dd".
    void date(std::size_t row, std::size_t col, std::chrono::year_month_day value);

    /// Writes the workbook and returns the bytes of the .xlsx file. Call once.
    std::string finish();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace printmon::cloud::api
