#pragma once
// The device answer's supplies with their days-to-empty forecasts (printmon::supply::forecast),
// from the device's recent readings (docs/cloud-api.md, "Cartridge changes and forecasts").
// A forecast reads months of readings, so the refresh leader keeps each device's forecasts
// between changes of its history (V0022, ForecastKeeper); a reader takes the kept ones when
// they are current and computes them itself otherwise: the same answer either way.

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction_base>

#include "printmon/supply/forecast.hpp"

namespace printmon::cloud::api {

/// Prepares the statements the forecasts read and keep them with (the analytics API, the alert
/// engine and the refresher each call it on their connections).
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

/// One device's forecasts: one element per element of its newest snapshot's supplies array,
/// none for a receptacle (waste toner fills up, it does not run out) or an element that is no
/// supply.
using DeviceForecasts = std::vector<std::optional<SupplyForecast>>;

/// The forecasts of `supplies` (device_latest's supplies array of `device`, JSON): the kept ones
/// when they are current and name the same supplies in the same places, else computed from the
/// readings. Not an array: none.
DeviceForecasts device_forecasts(pqxx::transaction_base& tx, const std::string& tenant,
                                 const std::string& device, std::string_view supplies);

/// The forecasts of the consumed supplies in `supplies` (the latest snapshot's supplies array,
/// JSON); receptacles (waste toner) are left out. Not an array: none.
std::vector<SupplyForecast> supply_forecasts(pqxx::transaction_base& tx, const std::string& tenant,
                                             const std::string& device, std::string_view supplies);

/// The forecasts of the devices of a page of the supplies list (`rows`, with a `device_id`
/// column) as a JSON array of {device_id, type, color, description, forecast_status,
/// days_to_empty, days_low, days_high, pages_remaining}, one per consumed supply of each device's
/// newest reading (days null unless the status is ok; 0 when empty): GET /supplies?forecast=true
/// joins it to the same page. One statement for the page's kept forecasts, and a history read
/// per device whose kept ones are not current.
std::string page_forecasts(pqxx::transaction_base& tx, const std::string& tenant,
                           const pqxx::result& rows);

/// `supplies` (the latest snapshot's supplies array, JSON) with a "forecast" member added to
/// each consumed supply (null for receptacles such as waste toner). Not an array: unchanged.
std::string supplies_with_forecasts(pqxx::transaction_base& tx, const std::string& tenant,
                                    const std::string& device, std::string_view supplies);

/// The refresh leader's upkeep of the kept forecasts (V0022): computes the forecasts of the
/// devices whose kept ones are not current, tenant by tenant, within a time budget per round,
/// so that readers find them. Tenants are looked at when the leader's refresh brought them
/// readings (`note`), and all of them every `sweep_every` (a read's own refresh, the day-old
/// rule and a changed revision leave no other trace). Not thread-safe: the refresher's thread.
class ForecastKeeper {
  public:
    using Clock = std::chrono::steady_clock;

    explicit ForecastKeeper(std::chrono::milliseconds budget = std::chrono::milliseconds(1000),
                            std::chrono::seconds sweep_every = std::chrono::seconds(30),
                            int devices_per_query = 200);

    /// Tenants whose read model was just refreshed: looked at first in the next round.
    void note(const std::vector<std::string>& tenants);

    /// One round on `conn` (each device in a transaction of its own): the devices whose
    /// forecasts it computed and kept.
    int run(pqxx::connection& conn, Clock::time_point now = Clock::now());

    /// Tenants still to look at (work left over from a round that ran out of time).
    std::size_t pending() const { return queue_.size(); }

  private:
    std::chrono::milliseconds budget_;
    std::chrono::seconds sweep_every_;
    int devices_per_query_;
    std::deque<std::string> queue_;
    std::optional<Clock::time_point> last_sweep_;
};

}  // namespace printmon::cloud::api
