#include "polling/vendor_blocks.hpp"

namespace printmon::scanner::blocks {

Parsed parse_brother_block(std::string_view bytes) {
    Parsed out;
    std::size_t i = 0;
    bool terminated = false;
    while (i < bytes.size()) {
        const auto code = static_cast<unsigned char>(bytes[i]);
        if (code == 0xFF) {
            terminated = true;
            break;
        }
        // Header: code, type, length.
        if (i + 3 > bytes.size()) {
            out.problem = "record header cut at octet " + std::to_string(i);
            break;
        }
        const auto type = static_cast<unsigned char>(bytes[i + 1]);
        const std::size_t len = static_cast<unsigned char>(bytes[i + 2]);
        if (i + 3 + len > bytes.size()) {
            out.problem = "record " + std::to_string(code) + " claims " + std::to_string(len) +
                          " octets, only " + std::to_string(bytes.size() - i - 3) + " left";
            break;
        }
        out.records.push_back({code, type, bytes.substr(i + 3, len)});
        i += 3 + len;
    }
    if (out.problem.empty() && out.records.empty()) {
        out.problem = terminated ? "empty block" : "no records";
    }
    if (!out.problem.empty()) out.records.clear();
    return out;
}

std::optional<std::int64_t> brother_value(std::string_view bytes, unsigned code,
                                          std::string* problem) {
    const auto set = [&](std::string why) {
        if (problem != nullptr) *problem = std::move(why);
        return std::nullopt;
    };
    const Parsed parsed = parse_brother_block(bytes);
    if (!parsed.problem.empty()) return set("malformed Brother block: " + parsed.problem);
    for (const auto& r : parsed.records) {
        if (r.code != code) continue;
        if (r.type != 0x01) return set("record " + std::to_string(code) + " is not an integer");
        // Rationale: current models send 4-octet values; legacy ones send 2 octets meaning
        // remaining/total, not a number: any other length is read as nothing, not a guess.
        if (r.value.size() != 4) {
            return set("record " + std::to_string(code) + " has " + std::to_string(r.value.size()) +
                       " octets, expected 4");
        }
        std::int64_t v = 0;
        for (const char c : r.value) v = (v << 8) | static_cast<unsigned char>(c);
        return v;
    }
    return std::nullopt;  // no such record: the model does not report it (not a problem)
}

}  // namespace printmon::scanner::blocks
