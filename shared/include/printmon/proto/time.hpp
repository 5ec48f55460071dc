#pragma once
// RFC 3339 timestamps, the only time format on the wire.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace printmon::proto {

enum class TimePrecision { seconds, milliseconds };

/// "2026-11-24T13:00:00Z" (or "...13:00:00.250Z" with milliseconds); always UTC, truncated
/// toward the past. Years outside 0000-9999 are clamped.
std::string format_rfc3339(std::chrono::system_clock::time_point tp,
                           TimePrecision precision = TimePrecision::seconds);

/// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (RFC 3339 section 5.6, 'T'/'Z'
/// also in lower case). Rejects impossible dates and leap seconds (system_clock has none).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace printmon::proto
