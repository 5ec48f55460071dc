#pragma once
// UTF-8 checks shared by the codec (printer strings in any charset) and the APIs that limit
// text by characters: a limit a user reads as "200 characters" counts code points, not bytes.

#include <cstddef>
#include <optional>
#include <string_view>

namespace printmon::proto {

/// Length of the valid UTF-8 sequence at `i` (1..4), or 0 when the bytes there are not one
/// (overlong forms, UTF-16 surrogates and code points above U+10FFFF are not valid).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

/// Number of code points of `text`, or nullopt when it is not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view text);

}  // namespace printmon::proto
