// View access, device text and numbers, and profile value sources.

#include "polling/collector_parts.hpp"

#include <charconv>
#include <string_view>

#include "polling/vendor_blocks.hpp"

namespace printmon::scanner::collect {

using snmp::MibView;
using snmp::Oid;
using snmp::Value;
using snmp::ValueType;

// ---- view access -----------------------------------------------------------------------------
const Value* find(const MibView& view, const Oid& oid) {
    const auto it = view.find(oid);
    if (it == view.end() || it->second.is_missing()) return nullptr;
    return &it->second;
}

/// Rows of one table column: index suffix -> value, missing values skipped.
std::map<Oid, const Value*> column(const MibView& view, const Oid& col) {
    std::map<Oid, const Value*> rows;
    for (auto it = view.lower_bound(col); it != view.end() && snmp::starts_with(it->first, col);
         ++it) {
        // A value at the column's own OID has no row index: no table row (callers name rows
        // by their index; the fuzzer found `Input <last index>` read from an empty one).
        if (it->second.is_missing() || it->first.size() == col.size()) continue;
        rows.emplace(
            Oid(it->first.begin() + static_cast<std::ptrdiff_t>(col.size()), it->first.end()),
            &it->second);
    }
    return rows;
}

std::optional<std::int64_t> Ctx::integer(const Value* v, const Oid& oid) {
    if (v == nullptr) return std::nullopt;
    if (v->is_number()) return v->number;
    if ((v->type == ValueType::octets || v->type == ValueType::opaque) &&
        v->bytes.size() <= text::kNumberOctetsMax) {
        const std::string t = text::trim(text::decode(v->bytes));
        std::int64_t n = 0;
        const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
        if (!t.empty() && ec == std::errc{} && ptr == t.data() + t.size()) {
            note(snmp::to_string(oid) + ": integer sent as a string");
            return n;
        }
    }
    note(snmp::to_string(oid) + ": expected an integer, got another type; ignored");
    return std::nullopt;
}

/// Device text, capped to `max_chars` (its MIB size, text.hpp) before anything matches,
/// stores or uploads it.
std::string Ctx::str(const Value* v, const Oid& oid, std::size_t max_chars,
                     text::DecodeInfo* info) {
    if (v == nullptr) return {};
    if (v->type == ValueType::octets || v->type == ValueType::opaque) {
        text::DecodeInfo local;
        text::DecodeInfo& how = info != nullptr ? *info : local;
        const std::string_view raw = std::string_view(v->bytes).substr(0, text::kRawOctetsMax);
        bool cut = raw.size() < v->bytes.size();
        auto s = text::cap(text::decode(raw, charset, &how), max_chars, &cut);
        if (cut) {
            note(snmp::to_string(oid) + ": value longer than " + std::to_string(max_chars) +
                 " characters; cut");
        }
        if (how.truncated) note(snmp::to_string(oid) + ": value cut inside a character");
        if (how.hex) note(snmp::to_string(oid) + ": hex-encoded text");
        // Say which charset a guess chose, so support can tell why text reads as it does.
        const auto cs = how.detection.charset;
        if (!s.empty() && cs != text::Charset::utf8 && cs != text::Charset::ascii) {
            note(snmp::to_string(oid) + ": text read as " + std::string(text::charset_name(cs)) +
                 " (" + std::string(how.detection.reason) + ")");
        }
        return s;
    }
    note(snmp::to_string(oid) + ": expected a string, got another type; ignored");
    return {};
}

std::string Ctx::str_or_number(const Value* v, const Oid& oid, std::size_t max_chars,
                               text::DecodeInfo* info) {
    // An INTEGER only (the type the identity checks accept): no identity object is a time or
    // a counter. Not a standard object either (mib-2, PWG's 2699): those a profile names are
    // DisplayStrings.
    static const Oid kMib2 = {1, 3, 6, 1, 2, 1};
    static const Oid kPwg = {1, 3, 6, 1, 4, 1, 2699};
    if (v != nullptr && v->type == ValueType::integer && !snmp::starts_with(oid, kMib2) &&
        !snmp::starts_with(oid, kPwg)) {
        return std::to_string(v->number);
    }
    return str(v, oid, max_chars, info);
}

// ---- value sources (profiles) ------------------------------------------------------------------
std::string apply_regex(const ValueSource& src, const std::string& s) {
    if (!src.regex) return s;
    std::smatch m;
    if (!pattern_search(s, *src.regex, &m)) return {};
    return text::trim(m.size() > 1 ? m[1].str() : m[0].str());
}

namespace {

/// Whether the row at `cell` (in src.oid's column) is the one a named-row source wants: its
/// name, from the same row of src.name_column, matched against src.row_name.
bool row_name_fits(const MibView& view, const ValueSource& src, const Oid& cell) {
    Oid name_oid = *src.name_column;
    name_oid.insert(name_oid.end(), cell.begin() + static_cast<std::ptrdiff_t>(src.oid.size()),
                    cell.end());
    std::string name;
    if (const Value* v = find(view, name_oid); v != nullptr && v->type == ValueType::octets) {
        name = text::cap(text::decode(v->bytes), text::kDisplayStringMax);  // hex text too
    }
    const bool named = !name.empty() && pattern_search(name, *src.row_name);
    return src.skip_named_rows ? !named : named;
}

}  // namespace

const Value* source_value(const MibView& view, const ValueSource& src, Oid* at) {
    if (src.field == ValueSource::Field::oid) {
        if (at != nullptr) *at = src.oid;
        return find(view, src.oid);
    }
    if (src.field != ValueSource::Field::column) return nullptr;
    for (auto it = view.upper_bound(src.oid);
         it != view.end() && snmp::starts_with(it->first, src.oid); ++it) {
        if (it->second.is_missing()) continue;
        if (src.name_column && !row_name_fits(view, src, it->first)) continue;
        if (at != nullptr) *at = it->first;
        return &it->second;
    }
    return nullptr;
}

std::string source_text(Ctx& ctx, const ValueSource& src, const std::string& sys_descr,
                        const std::string& hr_descr, text::DecodeInfo* info) {
    std::string s;
    switch (src.field) {
        case ValueSource::Field::sys_descr:
            s = sys_descr;
            break;
        case ValueSource::Field::hr_device_descr:
            s = hr_descr;
            break;
        case ValueSource::Field::oid:
        case ValueSource::Field::column: {
            Oid at;
            const Value* v = source_value(ctx.view, src, &at);
            if (v == nullptr) return {};
            if (src.format == "mac" && (v->type == ValueType::octets)) {
                return text::format_mac(v->bytes);
            }
            // A 1284 device ID or a vendor string a field is taken from may be longer than a
            // DisplayString; the field taken from it is capped like one below.
            s = ctx.str_or_number(v, at, text::kDeviceIdMax, info);
            break;
        }
    }
    if (src.format.rfind("ieee1284:", 0) == 0) s = text::ieee1284_field(s, src.format.substr(9));
    if (src.format == "mac") s = text::format_mac(s);
    s = apply_regex(src, s);
    if (!s.empty() && !src.prefix.empty()) s = src.prefix + s;
    return text::cap(std::move(s), text::kDisplayStringMax);
}

std::optional<std::int64_t> source_number(Ctx& ctx, const ValueSource& src) {
    if (src.field != ValueSource::Field::oid) return std::nullopt;
    const Value* v = find(ctx.view, src.oid);
    if (v == nullptr) return std::nullopt;
    const bool brother_life = src.format.rfind("brother_life:", 0) == 0;
    const bool brother_tlv = src.format.rfind("brother_tlv:", 0) == 0;
    if (brother_life || brother_tlv || src.format.rfind("brother_block:", 0) == 0) {
        if (v->type != ValueType::octets) {
            ctx.note(snmp::to_string(src.oid) + ": Brother block is not an OCTET STRING");
            return std::nullopt;
        }
        const auto code = static_cast<unsigned>(
            std::stoul(src.format.substr(src.format.find(':') + 1), nullptr, 16));
        std::string problem;
        auto value = brother_life  ? blocks::brother_life(v->bytes, code, &problem)
                     : brother_tlv ? blocks::brother_tlv_value(v->bytes, code, &problem)
                                   : blocks::brother_value(v->bytes, code, &problem);
        if (!problem.empty()) ctx.note(snmp::to_string(src.oid) + ": " + problem);
        return value;
    }
    const bool epson_ink = src.format.rfind("epson_st2_ink:", 0) == 0;
    const bool epson_box = src.format.rfind("epson_st2_box:", 0) == 0;
    if (epson_ink || epson_box || src.format.rfind("epson_st2_count:", 0) == 0) {
        if (v->type != ValueType::octets) {
            ctx.note(snmp::to_string(src.oid) + ": Epson status block is not an OCTET STRING");
            return std::nullopt;
        }
        const auto n = static_cast<unsigned>(src.format.back() - '0');
        std::string problem;
        auto value = epson_ink   ? blocks::epson_ink_level(v->bytes, n, &problem)
                     : epson_box ? blocks::epson_box_state(v->bytes, n, &problem)
                                 : blocks::epson_page_count(v->bytes, n, &problem);
        if (!problem.empty()) ctx.note(snmp::to_string(src.oid) + ": " + problem);
        return value;
    }
    if (src.regex) {
        const std::string t = apply_regex(src, ctx.str(v, src.oid));
        std::int64_t n = 0;
        const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
        if (t.empty() || ec != std::errc{}) return std::nullopt;
        return n;
    }
    return ctx.integer(v, src.oid);
}

}  // namespace printmon::scanner::collect
