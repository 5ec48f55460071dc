#include "printmon/proto/enums.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace printmon::proto {
namespace {

// One table per enum: to_string and from_string cannot drift apart.
constexpr std::array<std::pair<SupplyState, std::string_view>, 7> kSupplyStates = {{
    {SupplyState::ok, "ok"},
    {SupplyState::low, "low"},
    {SupplyState::empty, "empty"},
    {SupplyState::some_remaining, "some_remaining"},
    {SupplyState::unknown, "unknown"},
    {SupplyState::unrestricted, "unrestricted"},
    {SupplyState::not_installed, "not_installed"},
}};
constexpr std::array<std::pair<SupplyClass, std::string_view>, 2> kSupplyClasses = {{
    {SupplyClass::consumed, "consumed"},
    {SupplyClass::receptacle, "receptacle"},
}};
constexpr std::array<std::pair<TrayState, std::string_view>, 5> kTrayStates = {{
    {TrayState::ok, "ok"},
    {TrayState::low, "low"},
    {TrayState::empty, "empty"},
    {TrayState::unknown, "unknown"},
    {TrayState::not_installed, "not_installed"},
}};
constexpr std::array<std::pair<CoverState, std::string_view>, 3> kCoverStates = {{
    {CoverState::open, "open"},
    {CoverState::closed, "closed"},
    {CoverState::unknown, "unknown"},
}};
constexpr std::array<std::pair<DeviceStatus, std::string_view>, 5> kDeviceStatuses = {{
    {DeviceStatus::running, "running"},
    {DeviceStatus::warning, "warning"},
    {DeviceStatus::down, "down"},
    {DeviceStatus::testing, "testing"},
    {DeviceStatus::unknown, "unknown"},
}};
constexpr std::array<std::pair<PrinterStatus, std::string_view>, 5> kPrinterStatuses = {{
    {PrinterStatus::idle, "idle"},
    {PrinterStatus::printing, "printing"},
    {PrinterStatus::warmup, "warmup"},
    {PrinterStatus::other, "other"},
    {PrinterStatus::unknown, "unknown"},
}};

template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
    for (const auto& [e, name] : table) {
        if (e == value) {
            return name;
        }
    }
    return "unknown";  // unreachable for a valid enumerator; keeps the output schema-valid
}

template <typename E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view text) {
    for (const auto& [e, name] : table) {
        if (name == text) {
            return e;
        }
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(SupplyState value) { return name_of(kSupplyStates, value); }
std::string_view to_string(SupplyClass value) { return name_of(kSupplyClasses, value); }
std::string_view to_string(TrayState value) { return name_of(kTrayStates, value); }
std::string_view to_string(CoverState value) { return name_of(kCoverStates, value); }
std::string_view to_string(DeviceStatus value) { return name_of(kDeviceStatuses, value); }
std::string_view to_string(PrinterStatus value) { return name_of(kPrinterStatuses, value); }

std::optional<SupplyState> supply_state_from_string(std::string_view text) {
    return value_of(kSupplyStates, text);
}
std::optional<SupplyClass> supply_class_from_string(std::string_view text) {
    return value_of(kSupplyClasses, text);
}
std::optional<TrayState> tray_state_from_string(std::string_view text) {
    return value_of(kTrayStates, text);
}
std::optional<CoverState> cover_state_from_string(std::string_view text) {
    return value_of(kCoverStates, text);
}
std::optional<DeviceStatus> device_status_from_string(std::string_view text) {
    return value_of(kDeviceStatuses, text);
}
std::optional<PrinterStatus> printer_status_from_string(std::string_view text) {
    return value_of(kPrinterStatuses, text);
}

bool is_error_code(std::string_view code) {
    const auto& codes = error_codes();
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

bool is_counter_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || name.front() < 'a' || name.front() > 'z') {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

}  // namespace printmon::proto
