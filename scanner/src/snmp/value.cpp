#include "snmp/value.hpp"

#include <algorithm>
#include <charconv>

namespace printmon::scanner::snmp {

std::string to_string(const Oid& oid) {
    std::string out;
    out.reserve(oid.size() * 4);
    for (std::size_t i = 0; i < oid.size(); ++i) {
        if (i != 0) out += '.';
        out += std::to_string(oid[i]);
    }
    return out;
}

std::optional<Oid> parse_oid(std::string_view text) {
    if (!text.empty() && text.front() == '.') text.remove_prefix(1);
    if (text.empty()) return std::nullopt;
    Oid oid;
    while (!text.empty()) {
        const auto dot = text.find('.');
        const auto part = text.substr(0, dot);
        std::uint32_t n = 0;
        const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
        if (part.empty() || ec != std::errc{} || ptr != part.data() + part.size()) {
            return std::nullopt;
        }
        oid.push_back(n);
        if (dot == std::string_view::npos) break;
        text.remove_prefix(dot + 1);
        if (text.empty()) return std::nullopt;  // trailing dot
    }
    return oid;
}

bool starts_with(const Oid& oid, const Oid& prefix) {
    return oid.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), oid.begin());
}

bool Value::is_number() const {
    switch (type) {
        case ValueType::integer:
        case ValueType::counter32:
        case ValueType::gauge32:
        case ValueType::timeticks:
        case ValueType::counter64:
            return true;
        default:
            return false;
    }
}

bool Value::is_missing() const {
    return type == ValueType::null || type == ValueType::no_such_object ||
           type == ValueType::no_such_instance || type == ValueType::end_of_mib_view;
}

}  // namespace printmon::scanner::snmp
