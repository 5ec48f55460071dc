#pragma once
// The columns of the analytics lists as data: which fields each list answers, their Russian
// titles (CSV and XLSX exports with ?lang=ru) and which text fields are times or dates (real
// date-time cells in XLSX). One table for every list, so a new field is one line here; a unit
// test fails when a list field has no Russian title, and an integration test fails when a
// list answers a field that is not declared here.

#include <string>
#include <string_view>
#include <vector>

#include "api/params.hpp"

namespace printmon::cloud::api {

/// Names of the lists (also the file names of exports: devices-2026-12-02.xlsx).
namespace lists {
inline constexpr std::string_view kDevices = "devices";
inline constexpr std::string_view kSites = "sites";
inline constexpr std::string_view kScanners = "scanners";
inline constexpr std::string_view kUsers = "users";
inline constexpr std::string_view kTokens = "tokens";
inline constexpr std::string_view kPageVolume = "page-volume";
inline constexpr std::string_view kMeterReads = "meter-reads";
inline constexpr std::string_view kSupplies = "supplies";
inline constexpr std::string_view kSupplyChanges = "supply-changes";
inline constexpr std::string_view kCounterEpochs = "counter-epochs";
inline constexpr std::string_view kAlerts = "alerts";
inline constexpr std::string_view kEvents = "events";
inline constexpr std::string_view kReadings = "readings";
inline constexpr std::string_view kCounters = "counters";
inline constexpr std::string_view kCartridges = "cartridges";
inline constexpr std::string_view kAudit = "audit";
}  // namespace lists

/// What a text column holds, for spreadsheets: RFC 3339 UTC times and ISO dates become
/// date-time and date cells.
enum class CellHint { plain, time, date };

/// One list and every field it can answer (the union of its variants: page volume per
/// tenant, site or device; raw or daily counters).
struct ListSpec {
    std::string_view name;
    std::vector<std::string_view> fields;
};

/// Every list of the API.
const std::vector<ListSpec>& list_specs();

/// The Russian title of `field` in `list` (a list-specific one first: "name" is a counter in
/// page volume but a scanner's name in scanners), or "" when there is none.
std::string_view russian_title(std::string_view list, std::string_view field);

/// The column title of an export: the field name in English (today's CSV header), the Russian
/// title with Lang::ru (the field name if the table lacks one; the tests keep it complete).
std::string column_title(std::string_view list, std::string_view field, Lang lang);

CellHint cell_hint(std::string_view field);

}  // namespace printmon::cloud::api
