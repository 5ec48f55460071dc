#include "polling/vendor_blocks.hpp"

namespace printmon::scanner::blocks {

namespace {

/// Record codes as the sources list them (6f, a1).
std::string hex_code(unsigned code) {
    static constexpr std::string_view kDigits = "0123456789abcdef";
    return {kDigits[(code >> 4U) & 0xFU], kDigits[code & 0xFU]};
}

/// Records of code, [type,] length, value; 0xFF ends the block.
Parsed parse_records(std::string_view bytes, bool typed) {
    Parsed out;
    const std::size_t header = typed ? 3 : 2;
    std::size_t i = 0;
    bool terminated = false;
    while (i < bytes.size()) {
        const auto code = static_cast<unsigned char>(bytes[i]);
        if (code == 0xFF) {
            terminated = true;
            break;
        }
        // Header: code, type, length (or code, length).
        if (i + header > bytes.size()) {
            out.problem = "record header cut at octet " + std::to_string(i);
            break;
        }
        const unsigned type = typed ? static_cast<unsigned char>(bytes[i + 1]) : 0x01U;
        const std::size_t len = static_cast<unsigned char>(bytes[i + header - 1]);
        if (i + header + len > bytes.size()) {
            out.problem = "record " + hex_code(code) + " claims " + std::to_string(len) +
                          " octets, only " + std::to_string(bytes.size() - i - header) + " left";
            break;
        }
        out.records.push_back({code, type, bytes.substr(i + header, len)});
        i += header + len;
    }
    // An empty OCTET STRING is how a model without such counters answers (the `brother`
    // library's MFC-5490CN); a block of nothing but its end mark, or bytes that never form a
    // record, is not.
    if (out.problem.empty() && out.records.empty() && !bytes.empty()) {
        out.problem = terminated ? "empty block" : "no records";
    }
    if (!out.problem.empty()) out.records.clear();
    return out;
}

}  // namespace

Parsed parse_brother_block(std::string_view bytes) { return parse_records(bytes, true); }

Parsed parse_brother_tlv(std::string_view bytes) { return parse_records(bytes, false); }

namespace {

/// The integer record (type 0x01) with `code` in a well-formed block. nullopt when the model
/// has no such record (not a problem), or with `problem` set when the block is malformed or
/// the record is not an integer.
std::optional<std::string_view> integer_record(std::string_view bytes, unsigned code,
                                               std::string* problem) {
    const Parsed parsed = parse_brother_block(bytes);
    if (!parsed.problem.empty()) {
        if (problem != nullptr) *problem = "malformed Brother block: " + parsed.problem;
        return std::nullopt;
    }
    for (const auto& r : parsed.records) {
        if (r.code != code) continue;
        if (r.type != 0x01) {
            if (problem != nullptr) *problem = "record " + hex_code(code) + " is not an integer";
            return std::nullopt;
        }
        return r.value;
    }
    return std::nullopt;
}

std::nullopt_t fail(std::string* problem, std::string why) {
    if (problem != nullptr) *problem = std::move(why);
    return std::nullopt;
}

std::int64_t big_endian(std::string_view value) {
    std::int64_t v = 0;
    for (const char c : value) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
}

}  // namespace

std::optional<std::int64_t> brother_value(std::string_view bytes, unsigned code,
                                          std::string* problem) {
    const auto value = integer_record(bytes, code, problem);
    if (!value) return std::nullopt;
    // Rationale: current models send 4-octet values; legacy ones send 2 octets meaning
    // remaining/total, not a number: any other length is read as nothing, not a guess.
    if (value->size() != 4) {
        return fail(problem, "record " + hex_code(code) + " has " + std::to_string(value->size()) +
                                 " octets, expected 4");
    }
    return big_endian(*value);
}

std::optional<std::int64_t> brother_life(std::string_view bytes, unsigned code,
                                         std::string* problem) {
    const auto value = integer_record(bytes, code, problem);
    if (!value) return std::nullopt;
    if (value->size() == 4) return big_endian(*value);
    if (value->size() == 2) {
        const auto remaining = static_cast<unsigned char>((*value)[0]);
        const auto total = static_cast<unsigned char>((*value)[1]);
        if (total == 0 || remaining > total) {
            return fail(problem, "record " + hex_code(code) + " says " + std::to_string(remaining) +
                                     " of " + std::to_string(total) + ", not a share");
        }
        // Rounded to the nearest hundredth, like the 4-octet records.
        return (static_cast<std::int64_t>(remaining) * 10000 + total / 2) / total;
    }
    return fail(problem, "record " + hex_code(code) + " has " + std::to_string(value->size()) +
                             " octets, expected 4 or 2");
}

std::optional<std::int64_t> brother_tlv_value(std::string_view bytes, unsigned code,
                                              std::string* problem) {
    const Parsed parsed = parse_brother_tlv(bytes);
    if (!parsed.problem.empty()) {
        return fail(problem, "malformed Brother block: " + parsed.problem);
    }
    for (const auto& r : parsed.records) {
        if (r.code != code) continue;
        // Counts come in 2 (per-place jams) or 4 octets (the total): anything longer than a
        // 32-bit count, or nothing, is no count.
        if (r.value.empty() || r.value.size() > 4) {
            return fail(problem, "record " + hex_code(code) + " has " +
                                     std::to_string(r.value.size()) + " octets, expected 1 to 4");
        }
        return big_endian(r.value);
    }
    return std::nullopt;
}

St2 parse_epson_st2(std::string_view bytes) {
    St2 out;
    // The leading 00 is sometimes lost by whoever hands the bytes on; the rest must match.
    static constexpr std::string_view kHeader = "@BDC ST2\r\n";
    if (!bytes.empty() && bytes.front() == '\0') bytes.remove_prefix(1);
    if (bytes.substr(0, kHeader.size()) != kHeader) {
        out.problem = "not an @BDC ST2 status block";
        return out;
    }
    bytes.remove_prefix(kHeader.size());
    if (bytes.size() < 2) {
        out.problem = "status block cut in its length";
        return out;
    }
    const std::size_t declared =
        static_cast<unsigned char>(bytes[0]) |
        (static_cast<std::size_t>(static_cast<unsigned char>(bytes[1])) << 8);
    bytes.remove_prefix(2);
    if (declared != bytes.size()) {
        out.problem = "status block says " + std::to_string(declared) + " octets, has " +
                      std::to_string(bytes.size());
        return out;
    }
    std::size_t i = 0;
    while (i < bytes.size()) {
        if (i + 2 > bytes.size()) {
            out.problem = "element header cut at octet " + std::to_string(i);
            break;
        }
        const auto type = static_cast<unsigned char>(bytes[i]);
        const std::size_t len = static_cast<unsigned char>(bytes[i + 1]);
        if (i + 2 + len > bytes.size()) {
            out.problem = "element " + std::to_string(type) + " claims " + std::to_string(len) +
                          " octets, only " + std::to_string(bytes.size() - i - 2) + " left";
            break;
        }
        out.elements.push_back({type, bytes.substr(i + 2, len)});
        i += 2 + len;
    }
    if (!out.problem.empty()) out.elements.clear();
    return out;
}

namespace {

/// The first element of `type` of a well-formed block; nullopt (with `problem` set when the
/// block is malformed) otherwise.
std::optional<std::string_view> st2_element(std::string_view bytes, unsigned type,
                                            std::string* problem) {
    const St2 st2 = parse_epson_st2(bytes);
    if (!st2.problem.empty()) {
        if (problem != nullptr) *problem = "malformed Epson status block: " + st2.problem;
        return std::nullopt;
    }
    for (const auto& e : st2.elements) {
        if (e.type == type) return e.value;
    }
    return std::nullopt;
}

/// An element of equal entries (inks, maintenance boxes): its first octet the entry size,
/// within [min, max], then entries that must tile the rest. The element and the entry size;
/// nullopt when absent or (with `problem` set) malformed.
std::optional<std::pair<std::string_view, std::size_t>> st2_entries(
    std::string_view bytes, unsigned type, std::string_view what, std::size_t min, std::size_t max,
    std::string* problem) {
    const auto element = st2_element(bytes, type, problem);
    if (!element) return std::nullopt;
    if (element->empty()) return fail(problem, "Epson " + std::string(what) + " element is empty");
    const std::size_t entry = static_cast<unsigned char>(element->front());
    if (entry < min || entry > max || (element->size() - 1) % entry != 0) {
        return fail(problem, "Epson " + std::string(what) + " entries of " + std::to_string(entry) +
                                 " octets do not fit " + std::to_string(element->size() - 1));
    }
    return std::pair{*element, entry};
}

}  // namespace

std::optional<std::int64_t> epson_box_state(std::string_view bytes, unsigned box,
                                            std::string* problem) {
    // An older reading took the first octet for the number of boxes; with one or two octets
    // per box both readings agree on every element whose entries tile it.
    const auto found = st2_entries(bytes, 0x37, "maintenance box", 1, 2, problem);
    if (!found) return std::nullopt;
    const auto& [boxes, entry] = *found;
    const std::size_t at = 1 + box * entry;
    if (at >= boxes.size()) return std::nullopt;
    const auto state = static_cast<unsigned char>(boxes[at]);
    if (state > 2) {
        return fail(problem, "Epson maintenance box " + std::to_string(box) + " state " +
                                 std::to_string(state) + " is not known");
    }
    return state;
}

std::optional<std::int64_t> epson_ink_level(std::string_view bytes, unsigned colour,
                                            std::string* problem) {
    // An entry is at least cartridge code, colour and level.
    const auto found = st2_entries(bytes, 0x0f, "ink", 3, 255, problem);
    if (!found) return std::nullopt;
    const auto& [inks, entry] = *found;
    for (std::size_t i = 1; i + entry <= inks.size(); i += entry) {
        if (static_cast<unsigned char>(inks[i + 1]) != colour) continue;
        const auto level = static_cast<unsigned char>(inks[i + 2]);
        if (level > 100) {
            return fail(problem, "Epson ink colour " + std::to_string(colour) + " level " +
                                     std::to_string(level) + " is no percentage");
        }
        return level;
    }
    return std::nullopt;
}

std::optional<std::int64_t> epson_page_count(std::string_view bytes, unsigned field,
                                             std::string* problem) {
    const auto counts = st2_element(bytes, 0x36, problem);
    if (!counts) return std::nullopt;
    if (counts->size() != 20 || field > 4) {
        if (problem != nullptr) {
            *problem = "Epson page count element has " + std::to_string(counts->size()) +
                       " octets, expected 20";
        }
        return std::nullopt;
    }
    std::uint32_t v = 0;
    for (int k = 3; k >= 0; --k) {
        v = (v << 8) | static_cast<unsigned char>((*counts)[field * 4 + static_cast<unsigned>(k)]);
    }
    // Signed in the source's reading; a count with the top bit set is no count.
    if (v > 0x7fffffffU) {
        if (problem != nullptr)
            *problem = "Epson page count " + std::to_string(field) + " is negative";
        return std::nullopt;
    }
    return static_cast<std::int64_t>(v);
}

std::optional<EpsonStatus> epson_status(std::string_view bytes, std::string* problem) {
    const St2 st2 = parse_epson_st2(bytes);
    if (!st2.problem.empty()) {
        if (problem != nullptr) *problem = "malformed Epson status block: " + st2.problem;
        return std::nullopt;
    }
    EpsonStatus out;
    for (const auto& e : st2.elements) {
        if (e.type != 0x01 && e.type != 0x02) continue;
        if (e.value.size() != 1) {
            if (problem != nullptr) {
                *problem = std::string("Epson ") + (e.type == 0x01 ? "state" : "error") +
                           " element has " + std::to_string(e.value.size()) + " octets, expected 1";
            }
            return std::nullopt;
        }
        auto& slot = e.type == 0x01 ? out.state : out.error;
        if (!slot) slot = static_cast<unsigned char>(e.value.front());
    }
    return out;
}

}  // namespace printmon::scanner::blocks
