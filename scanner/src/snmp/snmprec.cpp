#include "snmp/snmprec.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace printmon::scanner::snmp {
namespace {

std::optional<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        unsigned byte = 0;
        const auto [ptr, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, byte, 16);
        if (ec != std::errc{} || ptr != hex.data() + i + 2) return std::nullopt;
        out.push_back(static_cast<char>(byte));
    }
    return out;
}

std::string to_hex(std::string_view bytes) {
    static constexpr std::string_view kDigits = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(kDigits[b >> 4U]);
        out.push_back(kDigits[b & 0x0fU]);
    }
    return out;
}

std::optional<std::int64_t> to_int(std::string_view text) {
    std::int64_t n = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
    return n;
}

std::optional<std::int64_t> to_uint64_clamped(std::string_view text) {
    std::uint64_t n = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
    // Value::number is signed: Counter64 above INT64_MAX is clamped (see value.hpp).
    constexpr auto kMax = static_cast<std::uint64_t>(INT64_MAX);
    return static_cast<std::int64_t>(n > kMax ? kMax : n);
}

std::string ip_from_text(std::string_view text) {
    std::string out;
    while (!text.empty()) {
        const auto dot = text.find('.');
        const auto part = text.substr(0, dot);
        unsigned n = 0;
        std::from_chars(part.data(), part.data() + part.size(), n);
        out.push_back(static_cast<char>(n & 0xffU));
        if (dot == std::string_view::npos) break;
        text.remove_prefix(dot + 1);
    }
    return out;
}

bool printable(std::string_view bytes) {
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b > 0x7e || c == '|') return false;
    }
    return true;
}

}  // namespace

tl::expected<MibView, SnmprecError> parse_snmprec(std::string_view text) {
    MibView view;
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string_view::npos || line[first] == '#') continue;

        const auto bar1 = line.find('|');
        const auto bar2 = bar1 == std::string_view::npos ? bar1 : line.find('|', bar1 + 1);
        if (bar2 == std::string_view::npos) {
            return tl::unexpected(SnmprecError{line_no, "not OID|TAG|VALUE"});
        }
        const auto oid_text = line.substr(0, bar1);
        std::string_view tag = line.substr(bar1 + 1, bar2 - bar1 - 1);
        const auto value_text = line.substr(bar2 + 1);
        auto oid = parse_oid(oid_text);
        if (!oid) {
            return tl::unexpected(SnmprecError{line_no, "bad OID '" + std::string(oid_text) + "'"});
        }
        bool hex = false;
        if (!tag.empty() && tag.back() == 'x') {
            hex = true;
            tag.remove_suffix(1);
        }
        if (!tag.empty() && tag.back() == ':') tag.remove_suffix(1);  // snmpsim variation tags

        std::string raw(value_text);
        if (hex) {
            auto decoded = from_hex(value_text);
            if (!decoded) {
                return tl::unexpected(SnmprecError{line_no, "bad hex value"});
            }
            raw = std::move(*decoded);
        }

        Value v;
        const auto number = [&](ValueType type) -> bool {
            v.type = type;
            const auto n = type == ValueType::counter64 ? to_uint64_clamped(raw) : to_int(raw);
            if (!n) return false;
            v.number = *n;
            return true;
        };
        bool ok = true;
        if (tag == "2") {
            ok = number(ValueType::integer);
        } else if (tag == "4") {
            v.type = ValueType::octets;
            v.bytes = raw;
        } else if (tag == "5") {
            v.type = ValueType::null;
        } else if (tag == "6") {
            v.type = ValueType::object_id;
            auto target = parse_oid(raw);
            ok = target.has_value();
            if (target) v.oid = *target;
        } else if (tag == "64") {
            v.type = ValueType::ip_address;
            v.bytes = hex ? raw : ip_from_text(raw);
        } else if (tag == "65") {
            ok = number(ValueType::counter32);
        } else if (tag == "66") {
            ok = number(ValueType::gauge32);
        } else if (tag == "67") {
            ok = number(ValueType::timeticks);
        } else if (tag == "68") {
            v.type = ValueType::opaque;
            v.bytes = raw;
        } else if (tag == "70") {
            ok = number(ValueType::counter64);
        } else if (tag == "128") {
            v.type = ValueType::no_such_object;
        } else if (tag == "129") {
            v.type = ValueType::no_such_instance;
        } else if (tag == "130") {
            v.type = ValueType::end_of_mib_view;
        } else {
            return tl::unexpected(SnmprecError{line_no, "unknown tag '" + std::string(tag) + "'"});
        }
        if (!ok) {
            return tl::unexpected(SnmprecError{
                line_no, "bad value '" + raw.substr(0, 40) + "' for tag " + std::string(tag)});
        }
        view.emplace(std::move(*oid), std::move(v));
    }
    return view;
}

tl::expected<MibView, SnmprecError> read_snmprec_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return tl::unexpected(SnmprecError{0, "cannot open " + path});
    std::ostringstream buf;
    buf << in.rdbuf();
    return parse_snmprec(buf.str());
}

std::string write_snmprec(const MibView& view) {
    std::string out;
    for (const auto& [oid, v] : view) {
        std::string tag;
        std::string value;
        switch (v.type) {
            case ValueType::integer:
                tag = "2";
                value = std::to_string(v.number);
                break;
            case ValueType::octets:
                if (printable(v.bytes)) {
                    tag = "4";
                    value = v.bytes;
                } else {
                    tag = "4x";
                    value = to_hex(v.bytes);
                }
                break;
            case ValueType::null:
                tag = "5";
                break;
            case ValueType::object_id:
                tag = "6";
                value = to_string(v.oid);
                break;
            case ValueType::ip_address:
                tag = "64x";
                value = to_hex(v.bytes);
                break;
            case ValueType::counter32:
                tag = "65";
                value = std::to_string(v.number);
                break;
            case ValueType::gauge32:
                tag = "66";
                value = std::to_string(v.number);
                break;
            case ValueType::timeticks:
                tag = "67";
                value = std::to_string(v.number);
                break;
            case ValueType::opaque:
                tag = "68x";
                value = to_hex(v.bytes);
                break;
            case ValueType::counter64:
                tag = "70";
                value = std::to_string(v.number);
                break;
            case ValueType::no_such_object:
            case ValueType::no_such_instance:
            case ValueType::end_of_mib_view:
                continue;
        }
        out += to_string(oid);
        out += '|';
        out += tag;
        out += '|';
        out += value;
        out += '\n';
    }
    return out;
}

}  // namespace printmon::scanner::snmp
