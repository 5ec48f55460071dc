#include "api/xlsx.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/types.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "printmon/proto/utf8.hpp"

namespace printmon::cloud::api {
namespace {

using namespace std::chrono;

// Integers beyond 2^53 do not survive a spreadsheet's double.
constexpr long long kMaxExactInteger = 9'007'199'254'740'992LL;
constexpr double kMaxWidth = 60;

// The one owner of a libxlsxwriter workbook until workbook_close() takes it over (it writes
// the file and frees the workbook whatever happens); an abandoned workbook is only freed.
struct WorkbookFree {
    void operator()(lxw_workbook* workbook) const noexcept { lxw_workbook_free(workbook); }
};
using WorkbookPtr = std::unique_ptr<lxw_workbook, WorkbookFree>;

std::string temp_dir() {
    const char* dir = std::getenv("TMPDIR");
    return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

// A private temporary file (mkstemp: a fresh name, mode 0600), removed on destruction. The
// descriptor stays open: libxlsxwriter reopens the file by name with "wb" (same inode,
// truncated) and the bytes are read back through the descriptor.
class TempFile {
  public:
    TempFile() : path_(temp_dir() + "/printmon-export-XXXXXX") {
        fd_ = ::mkstemp(path_.data());
        if (fd_ < 0) {
            throw std::runtime_error(fmt::format("cannot create a temporary file in {}: {}",
                                                 temp_dir(), std::strerror(errno)));
        }
    }
    ~TempFile() {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::string& path() const { return path_; }

    std::string read_all() const {
        std::string out;
        std::vector<char> buffer(std::size_t{64} * 1024);
        for (off_t offset = 0;;) {
            const ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), offset);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                throw std::runtime_error(
                    fmt::format("cannot read {}: {}", path_, std::strerror(errno)));
            }
            if (n == 0) return out;
            out.append(buffer.data(), static_cast<std::size_t>(n));
            offset += n;
        }
    }

  private:
    std::string path_;
    int fd_ = -1;
};

void check(lxw_error error, std::string_view what) {
    if (error != LXW_NO_ERROR) {
        throw std::runtime_error(fmt::format("xlsx {}: {}", what, lxw_strerror(error)));
    }
}

// Valid UTF-8 of at most kMaxCellChars UTF-16 units (Excel's limit counts those; libxlsxwriter
// counts code points, never more): invalid bytes become U+FFFD, longer text is cut and ends in
// kCut. PostgreSQL stores only valid UTF-8, so the first case is a safeguard.
std::string cell_text(std::string_view text, std::size_t& chars) {
    std::string out;
    out.reserve(text.size());
    std::size_t units = 0;
    std::size_t cut_bytes = 0;  // where the text is cut when it is too long
    std::size_t cut_chars = 0;
    chars = 0;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = proto::utf8_sequence_length(text, i);
        out += length == 0 ? std::string_view("\xEF\xBF\xBD") : text.substr(i, length);
        units += length == 4 ? 2 : 1;  // outside the BMP: a UTF-16 surrogate pair
        ++chars;
        if (units <= XlsxSheet::kMaxCellChars - 1) {  // room for kCut, one unit
            cut_bytes = out.size();
            cut_chars = chars;
        }
        i += std::max<std::size_t>(length, 1);
    }
    if (units <= XlsxSheet::kMaxCellChars) return out;
    out.resize(cut_bytes);
    out += XlsxSheet::kCut;
    chars = cut_chars + 1;
    return out;
}

}  // namespace

struct XlsxSheet::Impl {
    TempFile file;
    std::string tmpdir = temp_dir();  // outlives the workbook, which points at it
    WorkbookPtr workbook;
    lxw_worksheet* sheet = nullptr;  // owned by the workbook
    lxw_format* bold = nullptr;      // formats too
    lxw_format* time_format = nullptr;
    lxw_format* date_format = nullptr;
    std::vector<double> widths;
    std::size_t rows = 0;

    lxw_row_t row_of(std::size_t row) {
        rows = std::max(rows, row + 1);
        return static_cast<lxw_row_t>(row + 1);  // under the header
    }
    lxw_col_t col_of(std::size_t col) const {
        if (col >= widths.size()) throw std::out_of_range("xlsx: column outside the header");
        return static_cast<lxw_col_t>(col);
    }
    void widen(std::size_t col, std::size_t chars) {
        widths[col] = std::min(kMaxWidth, std::max(widths[col], static_cast<double>(chars) + 2));
    }
};

XlsxSheet::XlsxSheet(std::string_view sheet_name, const std::vector<std::string>& titles)
    : impl_(std::make_unique<Impl>()) {
    auto& m = *impl_;
    lxw_workbook_options options{};
    options.constant_memory = LXW_FALSE;  // a page is at most 1,000 rows
    options.tmpdir = m.tmpdir.data();
    options.use_zip64 = LXW_FALSE;
    m.workbook.reset(workbook_new_opt(m.file.path().c_str(), &options));
    if (!m.workbook) throw std::runtime_error("xlsx: cannot create a workbook");
    const std::string name(sheet_name);
    m.sheet = workbook_add_worksheet(m.workbook.get(), name.c_str());
    if (m.sheet == nullptr) throw std::runtime_error("xlsx: invalid sheet name " + name);
    m.bold = workbook_add_format(m.workbook.get());
    format_set_bold(m.bold);
    m.time_format = workbook_add_format(m.workbook.get());
    format_set_num_format(m.time_format, "yyyy-mm-dd hh:mm:ss");
    m.date_format = workbook_add_format(m.workbook.get());
    format_set_num_format(m.date_format, "yyyy-mm-dd");

    m.widths.assign(titles.size(), 8);
    for (std::size_t col = 0; col < titles.size(); ++col) {
        std::size_t chars = 0;
        const std::string title = cell_text(titles[col], chars);
        check(
            worksheet_write_string(m.sheet, 0, static_cast<lxw_col_t>(col), title.c_str(), m.bold),
            "header");
        m.widen(col, chars);
    }
    worksheet_freeze_panes(m.sheet, 1, 0);
}

XlsxSheet::~XlsxSheet() = default;

void XlsxSheet::text(std::size_t row, std::size_t col, std::string_view value) {
    auto& m = *impl_;
    std::size_t chars = 0;
    const std::string cell = cell_text(value, chars);
    // Always a string cell: worksheet_write_string never interprets "=..." as a formula.
    check(worksheet_write_string(m.sheet, m.row_of(row), m.col_of(col), cell.c_str(), nullptr),
          "text cell");
    m.widen(col, chars);
}

void XlsxSheet::integer(std::size_t row, std::size_t col, long long value) {
    if (value > kMaxExactInteger || value < -kMaxExactInteger) {
        text(row, col, std::to_string(value));
        return;
    }
    auto& m = *impl_;
    check(worksheet_write_number(m.sheet, m.row_of(row), m.col_of(col), static_cast<double>(value),
                                 nullptr),
          "number cell");
    m.widen(col, std::to_string(value).size());
}

void XlsxSheet::number(std::size_t row, std::size_t col, double value) {
    auto& m = *impl_;
    check(worksheet_write_number(m.sheet, m.row_of(row), m.col_of(col), value, nullptr),
          "number cell");
    m.widen(col, fmt::format("{}", value).size());
}

void XlsxSheet::boolean(std::size_t row, std::size_t col, bool value) {
    auto& m = *impl_;
    check(worksheet_write_boolean(m.sheet, m.row_of(row), m.col_of(col), value ? 1 : 0, nullptr),
          "boolean cell");
    m.widen(col, 5);
}

void XlsxSheet::time(std::size_t row, std::size_t col, system_clock::time_point value) {
    auto& m = *impl_;
    const auto day = floor<days>(value);
    const year_month_day ymd{day};
    const hh_mm_ss hms{floor<milliseconds>(value - day)};
    lxw_datetime dt{};
    dt.year = static_cast<int>(ymd.year());
    dt.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    dt.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    dt.hour = static_cast<int>(hms.hours().count());
    dt.min = static_cast<int>(hms.minutes().count());
    dt.sec = static_cast<double>(hms.seconds().count()) +
             static_cast<double>(hms.subseconds().count()) / 1000.0;
    check(worksheet_write_datetime(m.sheet, m.row_of(row), m.col_of(col), &dt, m.time_format),
          "date-time cell");
    m.widen(col, 19);
}

void XlsxSheet::date(std::size_t row, std::size_t col, year_month_day value) {
    auto& m = *impl_;
    lxw_datetime dt{};
    dt.year = static_cast<int>(value.year());
    dt.month = static_cast<int>(static_cast<unsigned>(value.month()));
    dt.day = static_cast<int>(static_cast<unsigned>(value.day()));
    check(worksheet_write_datetime(m.sheet, m.row_of(row), m.col_of(col), &dt, m.date_format),
          "date cell");
    m.widen(col, 10);
}

std::string XlsxSheet::finish() {
    auto& m = *impl_;
    if (!m.workbook) throw std::logic_error("xlsx: finish() called twice");
    const auto cols = m.widths.size();
    for (std::size_t col = 0; col < cols; ++col) {
        check(worksheet_set_column(m.sheet, static_cast<lxw_col_t>(col),
                                   static_cast<lxw_col_t>(col), m.widths[col], nullptr),
              "column width");
    }
    if (cols > 0) {
        check(worksheet_autofilter(m.sheet, 0, 0, static_cast<lxw_row_t>(m.rows),
                                   static_cast<lxw_col_t>(cols - 1)),
              "autofilter");
    }
    check(workbook_close(m.workbook.release()), "write");
    return m.file.read_all();
}

}  // namespace printmon::cloud::api
