#include "printmon/common/csv.hpp"

#include <array>
#include <string_view>

namespace printmon::common {

std::string csv_field(std::string_view text, bool is_text, char separator) {
    std::string out;
    const bool formula = is_text && !text.empty() &&
                         std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
    const std::array<char, 4> specials_set = {separator, '"', '\r', '\n'};
    const std::string_view specials(specials_set.data(), specials_set.size());
    const bool quote = formula || text.find_first_of(specials) != std::string_view::npos;
    out.reserve(text.size() + (quote ? 3 : 0));
    if (quote) out += '"';
    if (formula) out += '\'';
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    if (quote) out += '"';
    return out;
}

}  // namespace printmon::common
