#pragma once
// The device answer's supplies with their days-to-empty forecasts (printmon::supply::forecast),
// computed at read time from the device's recent readings (docs/cloud-api.md, "Cartridge changes
// and forecasts"): a forecast depends on every reading of the cartridge, so keeping it in the
// read model would mean recomputing it on each upload for no reader.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction_base>

#include "printmon/supply/forecast.hpp"

namespace printmon::cloud::api {

/// Prepares the history statement the forecasts read (the analytics API and the alert engine
/// each call it on their connections).
void prepare_forecast_statements(pqxx::connection& conn);

/// One supply of a snapshot with its forecast: the single path from readings to a forecast,
/// shared by the device answer and the supply rule's forecast condition (alerts/engine.cpp).
struct SupplyForecast {
    std::string type, color, description;  ///< the cloud's identity of a supply
    std::optional<int> level_percent;      ///< as the snapshot reports it
    supply::Forecast forecast;
    std::optional<std::int64_t> as_of;  ///< Unix seconds of the last reading read
    std::optional<std::int64_t> since;  ///< first reading of the current cartridge, if known
    /// The pages the unit says it has left (the snapshot's pages_remaining), when it says so.
    std::optional<std::int64_t> pages_remaining;
};

/// The forecasts of the consumed supplies in `supplies` (the latest snapshot's supplies array,
/// JSON); receptacles (waste toner) are left out. Not an array: none.
std::vector<SupplyForecast> supply_forecasts(pqxx::transaction_base& tx, const std::string& tenant,
                                             const std::string& device, std::string_view supplies);

/// The forecasts of the devices of a page of the supplies list (`rows`, with a `device_id`
/// column) as a JSON array of {device_id, type, color, description, forecast_status,
/// days_to_empty, days_low, days_high, pages_remaining}, one per consumed supply of each device's
/// newest reading (days null unless the status is ok; 0 when empty): GET /supplies?forecast=true
/// joins it to the same page. One history read per device of the page.
std::string page_forecasts(pqxx::transaction_base& tx, const std::string& tenant,
                           const pqxx::result& rows);

/// `supplies` (the latest snapshot's supplies array, JSON) with a "forecast" member added to
/// each consumed supply (null for receptacles such as waste toner). Not an array: unchanged.
std::string supplies_with_forecasts(pqxx::transaction_base& tx, const std::string& tenant,
                                    const std::string& device, std::string_view supplies);

}  // namespace printmon::cloud::api
