#include "printmon/proto/utf8.hpp"

namespace printmon::proto {
namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0U) == 0x80U; }

}  // namespace

std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const unsigned char lead = byte(0);
    const std::size_t left = text.size() - i;
    if (lead < 0x80U) return 1;
    if (lead >= 0xC2U && lead <= 0xDFU) return left >= 2 && is_continuation(byte(1)) ? 2 : 0;
    if (lead >= 0xE0U && lead <= 0xEFU) {
        if (left < 3 || !is_continuation(byte(1)) || !is_continuation(byte(2))) return 0;
        if (lead == 0xE0U && byte(1) < 0xA0U) return 0;  // overlong
        if (lead == 0xEDU && byte(1) > 0x9FU) return 0;  // UTF-16 surrogates
        return 3;
    }
    if (lead >= 0xF0U && lead <= 0xF4U) {
        if (left < 4 || !is_continuation(byte(1)) || !is_continuation(byte(2)) ||
            !is_continuation(byte(3)))
            return 0;
        if (lead == 0xF0U && byte(1) < 0x90U) return 0;  // overlong
        if (lead == 0xF4U && byte(1) > 0x8FU) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

std::optional<std::size_t> utf8_length(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size(); ++count) {
        const std::size_t length = utf8_sequence_length(text, i);
        if (length == 0) return std::nullopt;
        i += length;
    }
    return count;
}

}  // namespace printmon::proto
