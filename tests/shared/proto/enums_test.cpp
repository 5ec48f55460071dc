// Enum names: a bijection with the model, and the same lists as the schema's enums.

#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <catch2/catch.hpp>

#include "printmon/proto/enums.hpp"
#include "printmon/proto/validate.hpp"

namespace printmon::proto {
namespace {

std::vector<std::string> schema_enum(std::string_view schema, const char* pointer) {
    rapidjson::Document doc;
    doc.Parse(schema.data(), schema.size());
    REQUIRE_FALSE(doc.HasParseError());
    const rapidjson::Value* list = rapidjson::Pointer(pointer).Get(doc);
    INFO(pointer);
    REQUIRE(list != nullptr);
    REQUIRE(list->IsArray());
    std::vector<std::string> out;
    for (const auto& item : list->GetArray()) {
        REQUIRE(item.IsString());
        out.emplace_back(item.GetString(), item.GetStringLength());
    }
    return out;
}

template <typename E, typename FromString>
std::vector<std::string> names(std::initializer_list<E> values, FromString from_string) {
    std::vector<std::string> out;
    for (E value : values) {
        const std::string name(to_string(value));
        auto back = from_string(name);
        REQUIRE(back.has_value());
        CHECK(*back == value);
        out.push_back(name);
    }
    return out;
}

TEST_CASE("enum names round-trip and match the schema", "[proto][enums]") {
    const auto schema = snapshot_schema_json();
    CHECK(names({SupplyState::ok, SupplyState::low, SupplyState::empty, SupplyState::some_remaining,
                 SupplyState::unknown, SupplyState::unrestricted, SupplyState::not_installed},
                supply_state_from_string) ==
          schema_enum(schema, "/definitions/supply/properties/state/enum"));
    CHECK(names({SupplyClass::consumed, SupplyClass::receptacle}, supply_class_from_string) ==
          schema_enum(schema, "/definitions/supply/properties/class/enum"));
    CHECK(names({TrayState::ok, TrayState::low, TrayState::empty, TrayState::unknown,
                 TrayState::not_installed},
                tray_state_from_string) ==
          schema_enum(schema, "/definitions/tray/properties/state/enum"));
    CHECK(names({DeviceStatus::running, DeviceStatus::warning, DeviceStatus::down,
                 DeviceStatus::testing, DeviceStatus::unknown},
                device_status_from_string) ==
          schema_enum(schema, "/definitions/status/properties/device/enum"));
    CHECK(names({PrinterStatus::idle, PrinterStatus::printing, PrinterStatus::warmup,
                 PrinterStatus::other, PrinterStatus::unknown},
                printer_status_from_string) ==
          schema_enum(schema, "/definitions/status/properties/printer/enum"));
    CHECK(error_codes() == schema_enum(schema, "/definitions/status/properties/errors/items/enum"));
}

TEST_CASE("unknown enum names are rejected", "[proto][enums]") {
    CHECK_FALSE(supply_state_from_string("OK").has_value());
    CHECK_FALSE(supply_state_from_string("").has_value());
    CHECK_FALSE(supply_class_from_string("unknown").has_value());
    CHECK_FALSE(tray_state_from_string("some_remaining").has_value());
    CHECK_FALSE(device_status_from_string("idle").has_value());
    CHECK_FALSE(printer_status_from_string("running").has_value());
    CHECK(to_string(SupplyState::some_remaining) == "some_remaining");
    CHECK(to_string(SupplyClass::receptacle) == "receptacle");
}

TEST_CASE("error codes and counter names", "[proto][enums]") {
    CHECK(error_codes().size() == 15);
    for (const auto& code : error_codes()) {
        CHECK(is_error_code(code));
    }
    CHECK_FALSE(is_error_code("paper_jam"));
    CHECK_FALSE(is_error_code(""));
    for (const auto& name : well_known_counters()) {
        CHECK(is_counter_name(name));
    }
    CHECK(is_counter_name("a"));
    CHECK(is_counter_name(std::string(64, 'z')));
    CHECK_FALSE(is_counter_name(std::string(65, 'z')));
    CHECK_FALSE(is_counter_name(""));
    CHECK_FALSE(is_counter_name("Total"));
    CHECK_FALSE(is_counter_name("9up"));
    CHECK_FALSE(is_counter_name("_x"));
    CHECK_FALSE(is_counter_name("a-b"));
}

}  // namespace
}  // namespace printmon::proto
