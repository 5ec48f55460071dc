#pragma once
// The `[metrics]` table every executable's config shares.

#include <cstdint>
#include <optional>

#include "printmon/common/config.hpp"
#include "printmon/metrics/registry.hpp"

namespace printmon::metrics {

/// Reads `[metrics] listen` from `root` ("" or absent: nullopt, metrics off). Fails through the
/// reader (ConfigError with file:line:column) on a malformed value, or on `public_port` (the
/// API or UI port of the same process: the metrics are unauthenticated plain HTTP).
std::optional<ListenAddress> read_listen(const common::ConfigReader& root,
                                         std::optional<std::uint16_t> public_port = std::nullopt);

}  // namespace printmon::metrics
