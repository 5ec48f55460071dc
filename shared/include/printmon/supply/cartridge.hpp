#pragma once
// The one definition of a cartridge change, shared by the scanner (events) and the cloud (its
// SQL mirrors it, see cloud-api/migrations/V0011__cartridge_forecast.sql and docs/protocol.md).

#include <optional>
#include <string_view>

namespace printmon::supply {

/// A supply level rising by at least this many percentage points between two readings means a
/// new cartridge. Above the coarsest step devices report (20 points): a level flickering by one
/// step at a boundary is not a change; a used cartridge refitted at +30 points or more is.
inline constexpr int kCartridgeJumpPercent = 30;

/// Whether a supply read as `before` then as `after` had its cartridge changed in between: its
/// level rose by kCartridgeJumpPercent or more (both readings report a percentage), or its
/// serial changed (both readings report a non-empty serial).
bool is_cartridge_change(std::optional<int> before_percent, std::optional<int> after_percent,
                         std::string_view before_serial = {}, std::string_view after_serial = {});

}  // namespace printmon::supply
