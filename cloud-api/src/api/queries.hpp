#pragma once
// The analytics API's SQL: named statements, prepared on every pooled connection. Variants
// that differ only in ORDER BY or GROUP BY are built here once, at prepare time, from the
// fixed fragments below; request input only ever travels as a parameter.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>
#include <pqxx/transaction>

namespace printmon::cloud::api {

/// Prepares every statement of the analytics API on `conn`.
void prepare_statements(pqxx::connection& conn);

/// Runs a prepared statement with nullable text parameters (NULL = "no filter").
using Args = std::vector<std::optional<std::string>>;
pqxx::result run(pqxx::transaction_base& tx, const std::string& statement, const Args& args);

/// Brings the tenant's read model up to date (analytics_refresh); returns devices refreshed.
int refresh_tenant(pqxx::connection& conn, const std::string& tenant_id);

/// The tenant's calendar during one read: its IANA zone (tenants.time_zone, V0008) and today's
/// date there, by the database's clock and tz database (those the read model is built with).
struct TenantClock {
    std::string zone = "UTC";
    std::string today;  ///< "YYYY-MM-DD"
};

/// refresh_tenant, and the tenant's clock from the same statement (a read costs no extra round
/// trip for it). An unknown tenant has nothing to refresh and reads as UTC.
TenantClock refresh_for_read(pqxx::connection& conn, const std::string& tenant_id);

/// The tenant's clock without refreshing anything: for reads on a replica (read-only), which
/// answer from the read model as the primary's refresher left it.
TenantClock clock_for_read(pqxx::connection& conn, const std::string& tenant_id);

/// The instants (RFC 3339 UTC) at which `dates` begin in `zone`, in order: for "UTC" computed
/// here, otherwise by PostgreSQL (pm_local_day_start, V0008), whose tz database the read model
/// uses.
std::vector<std::string> local_day_starts(pqxx::transaction_base& tx, const std::string& zone,
                                          const std::vector<std::string>& dates);
/// The wall-clock times in `zone` of `instants` (RFC 3339), in order, as RFC 3339 text with a
/// "Z" that stands for that zone's clock (what a spreadsheet cell shows: it has no zone); an
/// instant that does not parse comes back unchanged. For "UTC" no query.
std::vector<std::string> local_wall_clocks(pqxx::transaction_base& tx, const std::string& zone,
                                           const std::vector<std::string>& instants);
/// Refreshes every tenant with pending changes; returns devices refreshed. `tenants`, when
/// given, receives the tenants that had devices refreshed.
int refresh_all(pqxx::connection& conn, std::vector<std::string>* tenants = nullptr);

/// Sort keys of GET /api/v1/devices.
const std::vector<std::string_view>& device_sort_keys();
/// `filtered`: any of the list's filters is given (the total is then counted, not kept).
std::string devices_statement(std::string_view sort, bool descending, bool filtered);
/// group_by of GET /api/v1/page-volume: tenant, site, device.
std::string page_volume_statement(std::string_view group_by);

namespace stmt {
inline constexpr const char* kSites = "api_sites";
inline constexpr const char* kScanners = "api_scanners";
inline constexpr const char* kTokens = "api_tokens";
inline constexpr const char* kTokenByKey = "api_token_by_key";
inline constexpr const char* kUsers = "api_users";
inline constexpr const char* kAudit = "api_audit";
inline constexpr const char* kUser = "api_user";
inline constexpr const char* kUserLanguage = "api_user_language";
inline constexpr const char* kDeviceExists = "api_device_exists";
inline constexpr const char* kDevice = "api_device";
inline constexpr const char* kRetireDevice = "api_retire_device";
inline constexpr const char* kRestoreDevice = "api_restore_device";
inline constexpr const char* kReadingsDesc = "api_readings_desc";
inline constexpr const char* kReadingsAsc = "api_readings_asc";
inline constexpr const char* kCountersRaw = "api_counters_raw";
inline constexpr const char* kCountersDaily = "api_counters_daily";
/// Tenant-wide page volume from tenant_days/tenant_months (V0006): same parameters and
/// answer as page_volume_statement("tenant"), for requests without a site or device filter.
inline constexpr const char* kPageVolumeTenantKept = "api_page_volume_tenant_kept";
inline constexpr const char* kMeterReads = "api_meter_reads";
inline constexpr const char* kSupplies = "api_supplies";
/// kSupplies with the forecast columns; $9 the page's forecasts (api::page_forecasts).
inline constexpr const char* kSuppliesForecast = "api_supplies_forecast";
inline constexpr const char* kSupplyChanges = "api_supply_changes";
inline constexpr const char* kCounterEpochs = "api_counter_epochs";
inline constexpr const char* kAlerts = "api_alerts";
inline constexpr const char* kEvents = "api_events";
inline constexpr const char* kRefresh = "api_refresh";
inline constexpr const char* kReadRefresh = "api_read_refresh";
inline constexpr const char* kReadClock = "api_read_clock";
inline constexpr const char* kLocalDayStarts = "api_local_day_starts";
inline constexpr const char* kLocalWallClocks = "api_local_wall_clocks";
inline constexpr const char* kDirtyTenants = "api_dirty_tenants";
inline constexpr const char* kTimeZones = "api_time_zones";
/// $1 tenant, $2 seconds after which a device is offline, $3 low supply percent.
inline constexpr const char* kFleetSummary = "api_fleet_summary";
/// $1 tenant, $2 device, $3 from, $4 to (timestamps or NULL), $5 points.
inline constexpr const char* kSupplyLevels = "api_supply_levels";
/// $1 tenant, $2 device, $3 limit, $4 offset: the device's cartridge log with yields.
inline constexpr const char* kCartridges = "api_cartridges";
}  // namespace stmt

}  // namespace printmon::cloud::api
