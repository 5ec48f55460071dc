#pragma once
// Wire names of the snapshot enums. The strings are the v1 contract (docs/protocol.md): change
// them only with a schema_version bump.

#include <optional>
#include <string_view>

#include "printmon/proto/snapshot.hpp"

namespace printmon::proto {

std::string_view to_string(SupplyState value);
std::string_view to_string(SupplyClass value);
std::string_view to_string(TrayState value);
std::string_view to_string(CoverState value);
std::string_view to_string(DeviceStatus value);
std::string_view to_string(PrinterStatus value);

std::optional<SupplyState> supply_state_from_string(std::string_view text);
std::optional<SupplyClass> supply_class_from_string(std::string_view text);
std::optional<TrayState> tray_state_from_string(std::string_view text);
std::optional<CoverState> cover_state_from_string(std::string_view text);
std::optional<DeviceStatus> device_status_from_string(std::string_view text);
std::optional<PrinterStatus> printer_status_from_string(std::string_view text);

/// True when `code` is one of error_codes().
bool is_error_code(std::string_view code);

/// True when `name` is a valid counter name: ^[a-z][a-z0-9_]{0,63}$.
bool is_counter_name(std::string_view name);

}  // namespace printmon::proto
