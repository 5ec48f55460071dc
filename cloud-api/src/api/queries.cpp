#include "api/queries.hpp"

#include "api/audit.hpp"
#include "api/forecasts.hpp"

#include <utility>

#include <fmt/format.h>
#include <pqxx/nontransaction>
#include <pqxx/prepared_statement>
#include <pqxx/result>

#include "printmon/db/connection.hpp"
#include "printmon/proto/time.hpp"

namespace printmon::cloud::api {
namespace {

// Site of a device: the site of the scanner that saw it last.
constexpr const char* kSiteJoin =
    " LEFT JOIN scanners s ON s.tenant_id = d.tenant_id AND s.scanner_id = d.last_scanner_id ";

// Devices in service a scanner saw last, and how many of them report a critical error now (the
// console's site health).
constexpr const char* kScannerDevices =
    " LEFT JOIN (SELECT d.last_scanner_id, count(*) AS devices, count(*) FILTER (WHERE "
    "l.device_status = 'down' OR EXISTS (SELECT 1 FROM unnest(l.errors) e "
    "WHERE pm_severity('error', e) = 'critical')) AS with_errors FROM devices d "
    "LEFT JOIN device_latest l ON l.tenant_id = d.tenant_id AND l.device_id = d.device_id "
    "WHERE d.tenant_id = $1::uuid AND d.retired_at IS NULL GROUP BY 1) dc "
    "ON dc.last_scanner_id = s.scanner_id ";

// $2: seconds after which a scanner that has not uploaded is "stale". Backlog: the scanners'
// last reported outbox figures (V0009), summed; the oldest is the earliest waiting reading of
// any scanner of the site. NULL when no scanner of the site reports them.
const std::string kSitesSql = std::string(
                                  "SELECT s.site, count(*) AS scanners, "
                                  "coalesce(sum(dc.devices), 0)::bigint AS devices, "
                                  "coalesce(sum(dc.with_errors), 0)::bigint AS with_errors, "
                                  "pm_rfc3339(max(s.last_seen_at)) AS last_seen, "
                                  "sum(s.last_backlog_readings) AS backlog_readings, "
                                  "sum(s.last_backlog_events) AS backlog_events, "
                                  "pm_rfc3339(min(s.last_backlog_oldest_at)) AS "
                                  "backlog_oldest_at, "
                                  "CASE WHEN max(s.last_seen_at) IS NULL THEN 'never_seen' "
                                  "WHEN max(s.last_seen_at) > now() - make_interval(secs => "
                                  "$2::double precision) THEN 'ok' ELSE 'stale' END AS health, "
                                  "count(*) OVER () AS _total FROM scanners s") +
                              kScannerDevices +
                              "WHERE s.tenant_id = $1::uuid AND s.revoked_at IS NULL "
                              "GROUP BY s.site ORDER BY s.site LIMIT $3::bigint OFFSET $4::bigint";

const std::string kScannersSql =
    std::string(
        "SELECT s.scanner_id, s.name, s.site, s.key_prefix, pm_rfc3339(s.created_at) AS "
        "created_at, pm_rfc3339(s.revoked_at) AS revoked_at, pm_rfc3339(s.last_seen_at) AS "
        "last_seen, s.last_version, s.last_backlog_readings AS backlog_readings, "
        "s.last_backlog_events AS backlog_events, pm_rfc3339(s.last_backlog_oldest_at) AS "
        "backlog_oldest_at, s.enrolled, coalesce(dc.devices, 0) AS devices, "
        "coalesce(dc.with_errors, 0) AS with_errors, "
        "CASE WHEN s.revoked_at IS NOT NULL THEN 'revoked' WHEN s.last_seen_at IS NULL THEN "
        "'never_seen' WHEN s.last_seen_at > now() - make_interval(secs => $3::double precision) "
        "THEN 'ok' ELSE 'stale' END AS health, count(*) OVER () AS _total FROM scanners s") +
    kScannerDevices +
    "WHERE s.tenant_id = $1::uuid AND ($2::text IS NULL OR s.site = $2) "
    "ORDER BY s.scanner_id LIMIT $4::bigint OFFSET $5::bigint";

constexpr const char* kTokensSql =
    "SELECT token_id::text AS token_id, name, key_prefix, pm_rfc3339(created_at) AS created_at, "
    "pm_rfc3339(revoked_at) AS revoked_at, count(*) OVER () AS _total FROM api_tokens "
    "WHERE tenant_id = $1::uuid ORDER BY created_at, token_id LIMIT $2::bigint OFFSET $3::bigint";

constexpr const char* kTokenByKeySql =
    "SELECT token_id::text FROM api_tokens WHERE tenant_id = $1::uuid "
    "AND key_hash = decode($2, 'hex')";

constexpr const char* kUsersSql =
    "SELECT user_id::text AS user_id, email, role, pm_rfc3339(created_at) AS created_at, "
    "pm_rfc3339(disabled_at) AS disabled_at, count(*) OVER () AS _total FROM users "
    "WHERE tenant_id = $1::uuid ORDER BY lower(email), user_id "
    "LIMIT $2::bigint OFFSET $3::bigint";

// GET /api/v1/audit: the account's audit log (V0025), newest first; the actor by the name it
// has now (a user's e-mail, a token's name or key prefix, a scanner's name). Optionally one
// action ($2), the tenant's local days from $3 to $4 inclusive (zone $6), and entries whose
// actor, target, detail or address contain $5 (case-insensitive; an investigator's "what did
// ivan@ do", "what happened to scanner Kazan", "who signed in from 203.0.113.7").
constexpr const char* kAuditSql =
    "SELECT entry_id, at, actor_kind, actor, action, target_id, target, detail, address, "
    "count(*) OVER () AS _total FROM (SELECT a.entry_id AS entry_no, "
    "a.entry_id::text AS entry_id, a.at AS at_ts, pm_rfc3339(a.at) AS at, a.actor_kind, "
    "CASE a.actor_kind WHEN 'user' THEN coalesce(u.email, a.actor_id) "
    "WHEN 'token' THEN coalesce(nullif(t.name, ''), t.key_prefix, a.actor_id) "
    "WHEN 'scanner' THEN coalesce(nullif(sc.name, ''), a.actor_id) "
    "ELSE a.actor_kind END AS actor, a.action, a.target_id, a.target, a.detail, a.address "
    "FROM audit_log a "
    "LEFT JOIN users u ON a.actor_kind = 'user' AND u.tenant_id = a.tenant_id "
    "AND u.user_id::text = a.actor_id "
    "LEFT JOIN api_tokens t ON a.actor_kind = 'token' AND t.tenant_id = a.tenant_id "
    "AND t.token_id::text = a.actor_id "
    "LEFT JOIN scanners sc ON a.actor_kind = 'scanner' AND sc.tenant_id = a.tenant_id "
    "AND sc.scanner_id = a.actor_id "
    "WHERE a.tenant_id = $1::uuid AND ($2::text IS NULL OR a.action = $2) "
    "AND ($3::date IS NULL OR a.at >= $3::date::timestamp AT TIME ZONE $6::text) "
    "AND ($4::date IS NULL OR a.at < ($4::date + 1)::timestamp AT TIME ZONE $6::text)) e "
    "WHERE $5::text IS NULL OR strpos(lower(concat_ws(' ', actor, target, target_id, detail, "
    "address)), lower($5)) > 0 "
    "ORDER BY at_ts DESC, entry_no DESC LIMIT $7::bigint OFFSET $8::bigint";

constexpr const char* kUserSql =
    "SELECT user_id::text AS user_id, email, role, coalesce(language, '') FROM users "
    "WHERE tenant_id = $1::uuid AND user_id = $2::uuid";

// PUT /api/v1/auth/language: the caller's own row only (tenant and user from the session).
constexpr const char* kUserLanguageSql =
    "UPDATE users SET language = $3 WHERE tenant_id = $1::uuid AND user_id = $2::uuid";

// "Supplies low" at the threshold parameter `t` (the device list's filter and the fleet tile
// count the same devices): a percentage at or below it, or a supply the printer itself calls low
// (at a threshold above 0) or empty without a percentage (device_latest.supply_claim, V0018), as
// the alerts do.
std::string supplies_low(std::string_view t) {
    const std::string p(t);
    return "(l.min_supply_percent <= " + p + "::integer OR l.supply_claim >= CASE WHEN " + p +
           "::integer > 0 THEN 1 ELSE 2 END)";
}

// GET /api/v1/devices. $2 site, $3 vendor, $4 model, $5 status, $6 max supply percent, $7 not
// seen since, $8 text search, $9 seen since (online), $10 with (true) or without (false) a
// critical error (the console's tiles), $11 retired devices: NULL none (the default: devices in
// service), 'only' only them, 'include' both (V0028); $12 limit, $13 offset. strpos, not LIKE:
// '%' and '_' in a search are plain text.
//
// Only the page is formatted (pm_rfc3339, to_jsonb are the bulk of the cost over 10,000 rows):
// an inner query filters, sorts and limits the devices (raw columns and the sort key `k`), the
// outer one joins site and latest state to the page's rows and formats them. The filter is on
// the inner query's LEFT JOINs of the device's scanner (site) and latest state; a NULL parameter
// is "no filter", which the custom plans of run() fold away, and with it the join when the sort
// does not use it: the unfiltered default sort walks devices_last_seen and stops after the page.
// A given site or supply level makes its join an inner one, and the planner starts from the
// site's scanners (devices_scanner, V0006) or hashes the latest states as it sees fit. (These
// were IN lists: evaluated as hashed subplans, they read every device_latest row of the tenant
// for any latest-state filter: site + vendor + low supplies 3.4 -> 1.8 ms a query, pgbench on
// 10,000 devices.)
const std::string kDeviceFilter =
    "d.tenant_id = $1::uuid "
    "AND ($2::text IS NULL OR s.site = $2) "
    "AND ($3::text IS NULL OR lower(d.vendor) = lower($3)) "
    "AND ($4::text IS NULL OR lower(d.model) = lower($4)) "
    "AND ($5::text IS NULL OR coalesce(l.device_status, 'unknown') = $5) "
    "AND ($6::integer IS NULL OR " +
    supplies_low("$6") +
    ") "
    "AND ($7::timestamptz IS NULL OR d.last_seen < $7::timestamptz) "
    "AND ($8::text IS NULL OR strpos(lower(concat_ws(' ', d.vendor, d.model, d.serial, d.mac, "
    "d.location, d.last_address)), lower($8)) > 0) "
    "AND ($9::timestamptz IS NULL OR d.last_seen >= $9::timestamptz) "
    "AND ($10::boolean IS NULL OR $10::boolean = coalesce(l.device_status = 'down' OR EXISTS "
    "(SELECT 1 FROM unnest(l.errors) e WHERE pm_severity('error', e) = 'critical'), false)) "
    "AND CASE $11::text WHEN 'include' THEN true WHEN 'only' THEN d.retired_at IS NOT NULL "
    "ELSE d.retired_at IS NULL END ";

// The kept total of a list of the tenant ($1): its folded total plus the deltas not folded yet
// (V0005). One statement reads both, so a concurrent fold is seen whole or not at all.
std::string kept_total(std::string_view list) {
    const std::string name(list);
    return "(coalesce((SELECT t.total FROM list_totals t WHERE t.tenant_id = $1::uuid "
           "AND t.list = '" +
           name +
           "'), 0) + coalesce((SELECT sum(x.delta) FROM "
           "list_total_deltas x WHERE x.tenant_id = $1::uuid AND x.list = '" +
           name + "'), 0))";
}

constexpr const char* kLatestJoin =
    " LEFT JOIN device_latest l ON l.tenant_id = d.tenant_id AND l.device_id = d.device_id ";

// The page: the raw columns of the devices on it with the sort key `k`. kDevicesTail* format
// it and joins site and latest state to its rows only (named `d` again, so kSiteJoin and
// kLatestJoin apply unchanged).
constexpr const char* kDevicesPageColumns =
    "SELECT d.tenant_id, d.device_id, d.vendor, d.model, d.serial, d.mac, d.location, "
    "d.last_address, d.last_scanner_id, d.first_seen, d.last_seen, d.retired_at, ";
const std::string kDevicesPageFrom =
    std::string(" FROM devices d") + kSiteJoin + kLatestJoin + "WHERE " + kDeviceFilter;

// The formatted columns of the page, before its total.
constexpr const char* kDevicesColumns =
    "SELECT d.device_id::text AS device_id, d.vendor, d.model, d.serial, d.mac, d.location, "
    "d.last_address AS address, s.site, d.last_scanner_id AS scanner_id, "
    "pm_rfc3339(d.first_seen) AS first_seen, pm_rfc3339(d.last_seen) AS last_seen, "
    "coalesce(l.device_status, 'unknown') AS status, l.printer_status, "
    "to_jsonb(coalesce(l.errors, '{}')) AS errors, l.min_supply_percent, "
    "CASE l.supply_claim WHEN 2 THEN 'empty' WHEN 1 THEN 'low' END AS supply_claim, l.total, "
    "pm_rfc3339(d.retired_at) AS retired_at, ";

// Without a filter the total is the one list_totals keeps. With one, the inner query counts the
// rows that passed the filter (count(*) OVER ()): the filter is evaluated once. A separate count
// evaluated it a second time, which was half the cost of a filtered list (vendor + site + low
// supplies: 222 req/s, p99 95 ms at 16 clients on 10,000 devices, bench/analytics/run). The
// count sits in a subquery below the ORDER BY and LIMIT: at the same level, PostgreSQL 15 costs
// the window as if the LIMIT stopped it early and walks devices_last_seen probing the latest
// state of every device (low supplies alone: 14 ms a query instead of 8).
const std::string kDevicesTailKept = std::string(kDevicesColumns) + kept_total("devices") +
                                     " AS _total FROM p d" + kSiteJoin + kLatestJoin;
const std::string kDevicesTailCounted =
    std::string(kDevicesColumns) + "d.n AS _total FROM p d" + kSiteJoin + kLatestJoin;

// "supply": the lowest level, a supply the printer calls empty / low without one counting as
// 0 / 1 % (as the supplies list orders them, V0019; least() skips the NULL of either side).
const std::vector<std::pair<std::string_view, std::string_view>> kDeviceSorts = {
    {"last_seen", "d.last_seen"},
    {"first_seen", "d.first_seen"},
    {"vendor", "d.vendor"},
    {"model", "d.model"},
    {"serial", "d.serial"},
    {"location", "d.location"},
    {"address", "d.last_address"},
    {"site", "s.site"},
    {"status", "l.device_status"},
    {"supply", "least(l.min_supply_percent, CASE l.supply_claim WHEN 2 THEN 0 WHEN 1 THEN 1 END)"}};

constexpr const char* kDeviceExistsSql =
    "SELECT 1 FROM devices WHERE tenant_id = $1::uuid AND device_id = $2::uuid";

const std::string kDeviceSql =
    std::string(
        "SELECT d.device_id::text AS device_id, d.identity_key, d.vendor, d.model, d.serial, "
        "d.mac, d.firmware, d.location, d.last_address AS address, s.site, "
        "d.last_scanner_id AS scanner_id, s.name AS scanner_name, "
        "pm_rfc3339(d.first_seen) AS first_seen, pm_rfc3339(d.last_seen) AS last_seen, "
        "pm_rfc3339(d.retired_at) AS retired_at, d.retired_note, "
        "coalesce(l.device_status, 'unknown') AS status, "
        "pm_rfc3339(l.polled_at) AS polled_at, l.reading_id::text AS reading_id, "
        "l.snapshot -> 'identity' AS identity, l.snapshot -> 'counters' AS counters, "
        "l.snapshot -> 'supplies' AS supplies, l.snapshot -> 'trays' AS trays, "
        "l.snapshot -> 'status' AS device_state FROM devices d") +
    kSiteJoin +
    "LEFT JOIN device_latest l ON l.tenant_id = d.tenant_id AND l.device_id = d.device_id "
    "WHERE d.tenant_id = $1::uuid AND d.device_id = $2::uuid";

// Retiring and restoring a device (V0028; its trigger moves the list totals and the device's
// supplies): a device already in the asked state is no row, as is another tenant's. The label
// names the machine in the audit log.
constexpr const char* kDeviceLabel =
    "RETURNING concat_ws(' ', nullif(vendor, ''), nullif(model, ''), nullif(serial, ''))";
const std::string kRetireDeviceSql =
    std::string(
        "UPDATE devices SET retired_at = now(), retired_note = $3 WHERE tenant_id = "
        "$1::uuid AND device_id = $2::uuid AND retired_at IS NULL ") +
    kDeviceLabel;
const std::string kRestoreDeviceSql =
    std::string(
        "UPDATE devices SET retired_at = NULL, retired_note = '' WHERE tenant_id = "
        "$1::uuid AND device_id = $2::uuid AND retired_at IS NOT NULL ") +
    kDeviceLabel;

// The snapshot is stored as text (readings.document, V0003) and parsed only for the page: the
// inner query sorts and limits on the stored timestamp (readings_device_time), the outer one
// formats the page and parses its documents. Raw readings exist from the tenant's horizon on
// (V0013: pm_raw_horizon); older ones are hidden even where their partition is still kept. The
// outer ORDER BY names r.polled_at: a bare "polled_at" would be the formatted RFC 3339 text, which
// sorts "12:00:00.5Z" before "12:00:00Z".
constexpr const char* kReadingsInner =
    "SELECT reading_id::text AS reading_id, scanner_id, (SELECT sc.name FROM scanners sc WHERE "
    "sc.tenant_id = $1::uuid AND sc.scanner_id = r.scanner_id) AS scanner_name, "
    "pm_rfc3339(polled_at) AS polled_at, "
    "pm_rfc3339(received_at) AS received_at, total, document::jsonb AS snapshot, _total "
    "FROM (SELECT reading_id, scanner_id, polled_at, received_at, total, document, "
    "count(*) OVER () AS _total "
    "FROM readings WHERE tenant_id = $1::uuid AND device_id = $2::uuid "
    "AND polled_at >= pm_raw_horizon($1::uuid) "
    "AND ($3::timestamptz IS NULL OR polled_at >= $3::timestamptz) "
    "AND ($4::timestamptz IS NULL OR polled_at < $4::timestamptz) ";

std::string readings_sql(std::string_view direction) {
    const std::string dir(direction);
    return std::string(kReadingsInner) + "ORDER BY polled_at " + dir +
           ", reading_id LIMIT $5::bigint OFFSET $6::bigint) r ORDER BY r.polled_at " + dir +
           ", r.reading_id";
}

// The counters of every reading are its `counters` object (V0003). Two scanners may poll the
// same device at the same instant: one value per counter and instant, the lowest reading_id's.
constexpr const char* kCountersRawSql =
    "SELECT name, pm_rfc3339(polled_at) AS polled_at, value, count(*) OVER () AS _total "
    "FROM (SELECT DISTINCT ON (c.key, r.polled_at) c.key AS name, r.polled_at, "
    "c.value::bigint AS value FROM readings r CROSS JOIN LATERAL jsonb_each_text(r.counters) c "
    "WHERE r.tenant_id = $1::uuid AND r.device_id = $2::uuid "
    "AND r.polled_at >= pm_raw_horizon($1::uuid) AND ($3::text IS NULL OR c.key = $3) "
    "AND ($4::timestamptz IS NULL OR r.polled_at >= $4::timestamptz) "
    "AND ($5::timestamptz IS NULL OR r.polled_at < $5::timestamptz) "
    "ORDER BY c.key, r.polled_at, r.reading_id) x "
    "ORDER BY name, polled_at LIMIT $6::bigint OFFSET $7::bigint";

// counter_days.day is the tenant's local date (V0008): the bounds are local dates of the
// instants, in the tenant's zone ($8).
constexpr const char* kCountersDailySql =
    "SELECT name, day::text AS day, pages, readings, epochs, count(*) OVER () AS _total "
    "FROM counter_days WHERE tenant_id = $1::uuid AND device_id = $2::uuid "
    "AND ($3::text IS NULL OR name = $3) "
    "AND ($4::timestamptz IS NULL OR day >= ($4::timestamptz AT TIME ZONE $8::text)::date) "
    "AND ($5::timestamptz IS NULL OR day < ($5::timestamptz AT TIME ZONE $8::text)::date) "
    "ORDER BY name, day LIMIT $6::bigint OFFSET $7::bigint";

// GET /api/v1/page-volume. $2 month_from, $3 month_to (whole months), $4 day_from, $5 day_to
// (the period), $6 site, $7 device, $8 counter name, $9 limit, $10 offset. Whole months come
// from counter_months, the days before and after them from counter_days.
//
// The rollup rows are joined to devices and scanners as they are. Summing them per device and
// counter before the join was measured and is slower wherever it is not a no-op: a month has one
// row per device and counter already (tenant-wide month 33 ms instead of 11 ms), and for the
// days of a week or a custom period the per-device hash aggregation (a numeric state per
// group) costs more than the hash join it saves (custom period 460 ms instead of 350 ms).
// The rows of a period from a pair of rollups (per month and per day): whole months from the
// first, the days before and after them from the second.
std::string period_rows(const std::string& columns, const std::string& months,
                        const std::string& days) {
    const std::string name = " AND ($8::text IS NULL OR name = $8)";
    return "SELECT " + columns + " FROM " + months +
           " WHERE tenant_id = $1::uuid AND month >= $2::date AND month < $3::date" + name +
           " UNION ALL SELECT " + columns + " FROM " + days +
           " WHERE tenant_id = $1::uuid AND day >= $4::date AND day < $2::date" + name +
           " UNION ALL SELECT " + columns + " FROM " + days +
           " WHERE tenant_id = $1::uuid AND day >= $3::date AND day < $5::date" + name;
}

const std::string kPageVolumeHead =
    "WITH v AS (" +
    period_rows("device_id, name, pages, readings, epochs", "counter_months", "counter_days") +
    "), f AS ("
    " SELECT v.*, d.vendor, d.model, d.serial, coalesce(s.site, '') AS site FROM v"
    " JOIN devices d ON d.tenant_id = $1::uuid AND d.device_id = v.device_id"
    " LEFT JOIN scanners s ON s.tenant_id = $1::uuid AND s.scanner_id = d.last_scanner_id"
    " WHERE ($6::text IS NULL OR s.site = $6) AND ($7::uuid IS NULL OR v.device_id = $7::uuid)"
    ")";

// The tenant-wide answer without a site or device filter, from the per-tenant rollups kept by
// V0006's triggers (a handful of rows instead of one per device and counter: a month of 10,000
// devices 40,000 rows). $6 and $7 are named only so the statement takes the same parameters as
// the per-device one; the route uses it when both are NULL.
const std::string kPageVolumeTenantKeptSql =
    "WITH v AS (" + period_rows("name, pages, readings, epochs", "tenant_months", "tenant_days") +
    "), grp AS MATERIALIZED (SELECT name, sum(pages)::bigint AS pages,"
    " sum(readings)::bigint AS readings, sum(epochs)::bigint AS epochs FROM v"
    " WHERE $6::text IS NULL AND $7::uuid IS NULL GROUP BY name)"
    " SELECT name, pages, readings, epochs, (SELECT count(*) FROM grp) AS _total"
    " FROM (SELECT * FROM grp ORDER BY name LIMIT $9::bigint OFFSET $10::bigint) q ORDER BY name";

// $2 at, $3 site, $4 device, $5 name, $6 interpolate, $7 limit, $8 offset. Readings from the
// tenant's raw horizon on (V0013); before it, the last reading of each UTC day that the
// retention kept (counter_day_ends): a meter read at an old date is then the value at the end
// of the last day before it (reading_at says when), interpolated to the next day's end.
const std::string kMeterReadsSql =
    std::string(
        "WITH dn AS ("
        " SELECT d.device_id, d.vendor, d.model, d.serial, s.site, n.name,"
        " count(*) OVER () AS _total FROM devices d") +
    kSiteJoin +
    " JOIN device_latest l ON l.tenant_id = d.tenant_id AND l.device_id = d.device_id"
    " CROSS JOIN LATERAL jsonb_object_keys(CASE WHEN jsonb_typeof(l.snapshot -> 'counters') ="
    " 'object' THEN l.snapshot -> 'counters' ELSE '{}' END) n(name)"
    " WHERE d.tenant_id = $1::uuid AND ($3::text IS NULL OR s.site = $3)"
    " AND ($4::uuid IS NULL OR d.device_id = $4::uuid) AND ($5::text IS NULL OR n.name = $5)"
    " ORDER BY d.device_id, n.name LIMIT $7::bigint OFFSET $8::bigint) "
    // Vendor, model and serial name the machine on a billing sheet.
    "SELECT dn.device_id::text AS device_id, dn.vendor, dn.model, dn.serial, dn.site, dn.name, "
    "pm_rfc3339($2::timestamptz) AS at, "
    "CASE WHEN i.ok THEN p.value + floor((nx.value - p.value)::numeric * "
    "extract(epoch FROM $2::timestamptz - p.polled_at) / "
    "extract(epoch FROM nx.polled_at - p.polled_at))::bigint ELSE p.value END AS value, "
    "i.ok AS interpolated, pm_rfc3339(p.polled_at) AS reading_at, p.value AS reading_value, "
    "CASE WHEN i.ok THEN pm_rfc3339(nx.polled_at) END AS next_reading_at, "
    "CASE WHEN i.ok THEN nx.value END AS next_reading_value, dn._total FROM dn "
    "LEFT JOIN LATERAL (SELECT * FROM ("
    "(SELECT polled_at, (counters ->> dn.name)::bigint AS value FROM readings"
    " WHERE tenant_id = $1::uuid AND device_id = dn.device_id AND counters ? dn.name"
    " AND polled_at <= $2::timestamptz AND polled_at >= pm_raw_horizon($1::uuid)"
    " ORDER BY polled_at DESC, reading_id LIMIT 1) UNION ALL "
    "(SELECT at, value FROM counter_day_ends WHERE tenant_id = $1::uuid"
    " AND device_id = dn.device_id AND name = dn.name AND at <= $2::timestamptz"
    " AND at < pm_raw_horizon($1::uuid) ORDER BY at DESC LIMIT 1)) x"
    " ORDER BY polled_at DESC LIMIT 1) p ON true "
    "LEFT JOIN LATERAL (SELECT * FROM ("
    "(SELECT polled_at, (counters ->> dn.name)::bigint AS value FROM readings"
    " WHERE $6::boolean AND tenant_id = $1::uuid AND device_id = dn.device_id"
    " AND counters ? dn.name AND polled_at > $2::timestamptz"
    " AND polled_at >= pm_raw_horizon($1::uuid) ORDER BY polled_at, reading_id LIMIT 1)"
    " UNION ALL "
    "(SELECT at, value FROM counter_day_ends WHERE $6::boolean AND tenant_id = $1::uuid"
    " AND device_id = dn.device_id AND name = dn.name AND at > $2::timestamptz"
    " AND at < pm_raw_horizon($1::uuid) ORDER BY at LIMIT 1)) x"
    " ORDER BY polled_at LIMIT 1) nx ON true "
    "CROSS JOIN LATERAL (SELECT coalesce(p.polled_at < $2::timestamptz AND nx.value >= p.value"
    " AND NOT EXISTS (SELECT 1 FROM counter_epochs e WHERE e.tenant_id = $1::uuid"
    " AND e.device_id = dn.device_id AND e.name = dn.name AND e.at > p.polled_at"
    " AND e.at <= nx.polled_at), false) AS ok) i "
    "ORDER BY dn.device_id, dn.name";

// GET /api/v1/supplies, lowest level first. $2 site, $3 device, $4 type, $5 color, $6 below
// percent, $7 limit, $8 offset. Level is device_supplies.sort_level (V0019): the percentage, or
// 0 / 1 for a supply without one that the printer calls empty / low, so those come first and
// count as below 1 % / 2 %. Same shape as the device list: the page is read in the order of
// device_supplies_sort and stops after LIMIT rows, only its rows are joined and formatted, and
// the total is a count with the same filter, or without a filter the kept one (V0005). The
// filter reads device_supplies alone; the site of a supply's device is an IN list built only
// when a site is asked for. Every supply row belongs to a known device (the refresh writes them
// from readings, which reference devices, and devices are never deleted), so the answer's
// inner join with devices drops no row the count included. That join is a LATERAL probe of
// devices_pkey (and the device's scanner) per row of the page, LIMIT 1 keeping PostgreSQL from
// flattening it: as a plain join the planner, pricing random reads at the default 4, hashed
// all of the tenant's devices for 100 rows (1.2 ms instead of 0.45 ms on 10,000 devices). A
// lower random_page_cost for the session did the same here but slowed page volume by half.
const std::string kSupplyFilter =
    "ds.tenant_id = $1::uuid AND ($2::text IS NULL OR ds.device_id IN (SELECT d.device_id "
    "FROM devices d WHERE d.tenant_id = $1::uuid AND d.last_scanner_id IN "
    "(SELECT sc.scanner_id FROM scanners sc WHERE sc.tenant_id = $1::uuid AND sc.site = $2))) "
    "AND ($3::uuid IS NULL OR ds.device_id = $3::uuid) AND ($4::text IS NULL OR ds.type = $4) "
    "AND ($5::text IS NULL OR ds.color = $5) "
    "AND ($6::integer IS NULL OR ds.sort_level < $6::integer) ";

constexpr const char* kSupplyOrder = "ds.sort_level ASC NULLS LAST, ds.device_id, ds.idx ";

const std::string kSuppliesHead =
    std::string("WITH p AS (SELECT * FROM device_supplies ds WHERE ") + kSupplyFilter +
    "ORDER BY " + kSupplyOrder +
    "LIMIT $7::bigint OFFSET $8::bigint) "
    "SELECT ds.device_id::text AS device_id, d.vendor, d.model, d.serial, d.location, "
    "d.site, ds.description, ds.type, ds.color, ds.supply_class, ds.level_percent, ds.state, "
    "pm_rfc3339(ds.polled_at) AS polled_at, "
    "CASE WHEN $2::text IS NULL AND $3::uuid IS NULL AND $4::text IS NULL AND $5::text IS NULL "
    "AND $6::integer IS NULL THEN " +
    kept_total("supplies") + " ELSE (SELECT count(*) FROM device_supplies ds WHERE " +
    kSupplyFilter + ") END AS _total";
const std::string kSuppliesFrom =
    std::string(
        " FROM p ds "
        "CROSS JOIN LATERAL (SELECT d.vendor, d.model, d.serial, d.location, s.site "
        "FROM devices d") +
    kSiteJoin + "WHERE d.tenant_id = ds.tenant_id AND d.device_id = ds.device_id LIMIT 1) d ";

const std::string kSuppliesSql = kSuppliesHead + kSuppliesFrom + "ORDER BY " + kSupplyOrder;

// The same page with each supply's forecast ($9: api::page_forecasts of the page, computed in
// C++ from the devices' histories between two runs of the page; a supply it does not name,
// a receptacle or one that changed in between, has none) and the pages the unit says it has
// left (Brother's drums, belt, fuser), read from the same newest snapshot.
const std::string kSuppliesForecastSql =
    kSuppliesHead +
    ", f.forecast_status, f.days_to_empty, f.days_low, f.days_high, f.pages_remaining" +
    kSuppliesFrom +
    "LEFT JOIN jsonb_to_recordset($9::jsonb) AS f(device_id text, type text, color text, "
    "description text, forecast_status text, days_to_empty numeric, days_low numeric, "
    "days_high numeric, pages_remaining bigint) ON f.device_id = ds.device_id::text "
    "AND f.type = ds.type "
    "AND f.color = ds.color AND f.description = ds.description "
    "ORDER BY " +
    kSupplyOrder;

// $2 from, $3 to, $4 site, $5 device, $6 limit, $7 offset.
const std::string kSupplyChangesSql =
    std::string(
        "SELECT c.device_id::text AS device_id, d.vendor, d.model, d.serial, s.site, "
        "c.description, c.type, c.color, pm_rfc3339(c.at) AS at, "
        "pm_rfc3339(c.previous_at) AS previous_at, c.previous_percent, c.level_percent, "
        "count(*) OVER () AS _total FROM supply_changes c "
        "JOIN devices d ON d.tenant_id = c.tenant_id AND d.device_id = c.device_id") +
    kSiteJoin +
    "WHERE c.tenant_id = $1::uuid AND ($2::timestamptz IS NULL OR c.at >= $2::timestamptz) "
    "AND ($3::timestamptz IS NULL OR c.at < $3::timestamptz) "
    "AND ($4::text IS NULL OR s.site = $4) AND ($5::uuid IS NULL OR c.device_id = $5::uuid) "
    "ORDER BY c.at DESC, c.device_id, c.supply LIMIT $6::bigint OFFSET $7::bigint";

// $2 from, $3 to, $4 site, $5 device, $6 kind, $7 limit, $8 offset.
const std::string kCounterEpochsSql =
    std::string(
        "SELECT e.device_id::text AS device_id, d.vendor, d.model, s.site, e.name, "
        "pm_rfc3339(e.at) AS at, e.kind, e.reading_id::text AS reading_id, e.value, e.serial, "
        "e.previous_reading_id::text AS previous_reading_id, "
        "pm_rfc3339(e.previous_at) AS previous_at, e.previous_value, e.previous_serial, "
        "count(*) OVER () AS _total FROM counter_epochs e "
        "JOIN devices d ON d.tenant_id = e.tenant_id AND d.device_id = e.device_id") +
    kSiteJoin +
    "WHERE e.tenant_id = $1::uuid AND ($2::timestamptz IS NULL OR e.at >= $2::timestamptz) "
    "AND ($3::timestamptz IS NULL OR e.at < $3::timestamptz) "
    "AND ($4::text IS NULL OR s.site = $4) AND ($5::uuid IS NULL OR e.device_id = $5::uuid) "
    "AND ($6::text IS NULL OR e.kind = $6) "
    "ORDER BY e.at DESC, e.device_id, e.name LIMIT $7::bigint OFFSET $8::bigint";

// An alert runs from an 'appeared' event to the next 'cleared' one of the same device, kind and
// code; a repeated 'appeared' (two scanners, a re-sent state) does not open a second one.
// $2 from, $3 to, $4 site, $5 device, $6 severity, $7 state, $8 code, $9 limit, $10 offset.
const std::string kAlertsSql =
    std::string(
        "WITH ev AS ("
        " SELECT e.device_id, e.kind, e.code, e.at, e.action, e.detail,"
        " lag(e.action) OVER w AS prev_action,"
        " min(e.at) FILTER (WHERE e.action = 'cleared')"
        " OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS cleared_at"
        " FROM events e WHERE e.tenant_id = $1::uuid AND e.kind IN ('error', 'alert')"
        " AND ($5::uuid IS NULL OR e.device_id = $5::uuid) AND ($8::text IS NULL OR e.code = $8)"
        " WINDOW w AS (PARTITION BY e.device_id, e.kind, e.code ORDER BY e.at, e.action)"
        "), a AS ("
        " SELECT ev.*, pm_severity(ev.kind, ev.code) AS severity FROM ev"
        " WHERE ev.action = 'appeared' AND ev.prev_action IS DISTINCT FROM 'appeared') "
        "SELECT a.device_id::text AS device_id, d.vendor, d.model, d.location, s.site, a.kind, "
        "a.code, a.severity, CASE WHEN a.cleared_at IS NULL THEN 'open' ELSE 'closed' END AS "
        "state, pm_rfc3339(a.at) AS started_at, pm_rfc3339(a.cleared_at) AS ended_at, a.detail, "
        "count(*) OVER () AS _total FROM a "
        "JOIN devices d ON d.tenant_id = $1::uuid AND d.device_id = a.device_id") +
    kSiteJoin +
    "WHERE ($4::text IS NULL OR s.site = $4) AND ($6::text IS NULL OR a.severity = $6) "
    "AND ($7::text IS NULL OR ($7 = 'open') = (a.cleared_at IS NULL)) "
    "AND ($3::timestamptz IS NULL OR a.at < $3::timestamptz) "
    "AND ($2::timestamptz IS NULL OR a.cleared_at IS NULL OR a.cleared_at >= $2::timestamptz) "
    "ORDER BY a.at DESC, a.device_id, a.code LIMIT $9::bigint OFFSET $10::bigint";

// $2 from, $3 to, $4 site, $5 device, $6 kind, $7 code, $8 limit, $9 offset.
const std::string kEventsSql =
    std::string(
        "SELECT e.event_id::text AS event_id, e.device_id::text AS device_id, d.vendor, d.model, "
        "s.site, e.scanner_id, pm_rfc3339(e.at) AS at, e.kind, e.code, e.action, "
        "pm_severity(e.kind, e.code) AS severity, e.detail, count(*) OVER () AS _total "
        "FROM events e JOIN devices d ON d.tenant_id = e.tenant_id AND d.device_id = e.device_id") +
    kSiteJoin +
    "WHERE e.tenant_id = $1::uuid AND ($2::timestamptz IS NULL OR e.at >= $2::timestamptz) "
    "AND ($3::timestamptz IS NULL OR e.at < $3::timestamptz) "
    "AND ($4::text IS NULL OR s.site = $4) AND ($5::uuid IS NULL OR e.device_id = $5::uuid) "
    "AND ($6::text IS NULL OR e.kind = $6) AND ($7::text IS NULL OR e.code = $7) "
    "ORDER BY e.at DESC, e.event_id LIMIT $8::bigint OFFSET $9::bigint";

// The refresh also folds the tenant's list-total deltas (V0005), so they stay few.
constexpr const char* kRefreshSql =
    "SELECT analytics_refresh($1::uuid), pm_fold_list_totals($1::uuid)";
constexpr const char* kDirtyTenantsSql = "SELECT DISTINCT tenant_id::text FROM analytics_dirty";

// The supply levels of a device's readings in [$3, $4), thinned to about $5 evenly spaced
// readings (the last one always kept): a chart of a year of hourly readings needs a few hundred
// points, not 8,760. Reads the small supply_levels column only, never the documents.
constexpr const char* kSupplyLevelsSql =
    "SELECT pm_rfc3339(r.polled_at) AS polled_at, r.supply_levels AS levels FROM ("
    "SELECT polled_at, supply_levels, row_number() OVER (ORDER BY polled_at) AS rn, "
    "count(*) OVER () AS n FROM readings WHERE tenant_id = $1::uuid AND device_id = $2::uuid "
    "AND polled_at >= pm_raw_horizon($1::uuid) "
    "AND ($3::timestamptz IS NULL OR polled_at >= $3::timestamptz) "
    "AND ($4::timestamptz IS NULL OR polled_at < $4::timestamptz)) r "
    "WHERE (r.rn - 1) % greatest(1, ceil(r.n::numeric / $5::integer))::bigint = 0 OR r.rn = r.n "
    "ORDER BY r.polled_at";

// A device's cartridge log, newest first: each change of supply_changes (the shared definition,
// V0010) starts a cartridge, the same supply's next change ends it. Its yield is the page
// counter ("total") at the old cartridge's last reading minus the counter at the change; none
// when the counter started a new epoch in between (a reset: the difference means nothing).
// The current cartridge's pages are those printed so far. A cartridge older than the tenant's
// raw horizon (V0013) takes the counter from the kept day ends instead: its start is the end of
// the day before the change (or the change's day), so its yield is exact to the day.
constexpr const char* kCartridgesSql =
    "WITH c AS (SELECT c.supply, c.description, c.type, c.color, c.at, c.previous_percent, "
    "c.level_percent, lead(c.previous_at) OVER w AS last_at, lead(c.at) OVER w AS replaced_at "
    "FROM supply_changes c WHERE c.tenant_id = $1::uuid AND c.device_id = $2::uuid "
    "WINDOW w AS (PARTITION BY c.supply ORDER BY c.at)) "
    "SELECT c.supply, c.description, c.type, c.color, pm_rfc3339(c.at) AS installed_at, "
    "c.previous_percent, c.level_percent, pm_rfc3339(e.polled_at) AS last_seen_at, "
    "pm_rfc3339(c.replaced_at) AS replaced_at, c.replaced_at IS NULL AS current, "
    "CASE WHEN NOT EXISTS (SELECT 1 FROM counter_epochs x WHERE x.tenant_id = $1::uuid "
    "AND x.device_id = $2::uuid AND x.name = 'total' AND x.at > c.at AND x.at <= e.polled_at) "
    "THEN e.total - s.total END AS pages, "
    "round((extract(epoch FROM e.polled_at - c.at) / 86400)::numeric, 1) AS days, "
    "count(*) OVER () AS _total FROM c "
    "LEFT JOIN LATERAL (SELECT total FROM ("
    "(SELECT 1 AS k, total FROM readings WHERE tenant_id = $1::uuid "
    "AND device_id = $2::uuid AND polled_at = c.at AND total IS NOT NULL "
    "AND polled_at >= pm_raw_horizon($1::uuid) ORDER BY reading_id LIMIT 1) UNION ALL "
    "(SELECT 2, value FROM counter_day_ends WHERE tenant_id = $1::uuid AND device_id = $2::uuid "
    "AND name = 'total' AND at <= c.at AND at < pm_raw_horizon($1::uuid) "
    "ORDER BY at DESC LIMIT 1)) x ORDER BY k LIMIT 1) s ON true "
    "LEFT JOIN LATERAL (SELECT * FROM ("
    "(SELECT polled_at, total FROM readings WHERE tenant_id = $1::uuid "
    "AND device_id = $2::uuid AND polled_at >= c.at AND total IS NOT NULL "
    "AND (c.last_at IS NULL OR polled_at <= c.last_at) "
    "AND polled_at >= pm_raw_horizon($1::uuid) ORDER BY polled_at DESC, reading_id LIMIT 1) "
    "UNION ALL (SELECT at, value FROM counter_day_ends WHERE tenant_id = $1::uuid "
    "AND device_id = $2::uuid AND name = 'total' AND at >= c.at "
    "AND (c.last_at IS NULL OR at <= c.last_at) AND at < pm_raw_horizon($1::uuid) "
    "ORDER BY at DESC LIMIT 1)) x ORDER BY polled_at DESC LIMIT 1) e ON true "
    "ORDER BY c.at DESC, c.supply LIMIT $3::bigint OFFSET $4::bigint";

// Zone names without the legacy aliases' duplicates ("posix/...", abbreviations).
constexpr const char* kTimeZonesSql =
    "SELECT name FROM pg_timezone_names WHERE name !~ '^(posix|right)/' AND name ~ '/|^UTC$' "
    "ORDER BY name";

// The console's fleet tiles in one pass over the tenant's devices in service and their latest
// states. "With errors": a critical error code (warnings such as low toner are the supplies
// tile's).
const std::string kFleetSummarySql =
    "SELECT count(*) AS devices, "
    "count(*) FILTER (WHERE d.last_seen > now() - make_interval(secs => $2::double precision)) "
    "AS online, "
    "count(*) FILTER (WHERE d.last_seen <= now() - make_interval(secs => $2::double precision)) "
    "AS offline, "
    "count(*) FILTER (WHERE l.device_status = 'down' OR EXISTS (SELECT 1 FROM unnest(l.errors) e "
    "WHERE pm_severity('error', e) = 'critical')) AS with_errors, "
    "count(*) FILTER (WHERE " +
    supplies_low("$3") +
    ") AS supplies_low, "
    "(SELECT count(DISTINCT site) FROM scanners WHERE tenant_id = $1::uuid "
    "AND revoked_at IS NULL) AS sites, "
    "(SELECT count(*) FROM scanners WHERE tenant_id = $1::uuid AND revoked_at IS NULL) "
    "AS scanners, $2::bigint AS offline_after_s, $3::integer AS low_supply_percent, "
    // The fleet filters' choices: every vendor and model of the tenant with its device count.
    "(SELECT coalesce(jsonb_agg(jsonb_build_object('vendor', v.vendor, 'devices', v.n) "
    "ORDER BY v.vendor), '[]') FROM (SELECT vendor, count(*) AS n FROM devices "
    "WHERE tenant_id = $1::uuid AND retired_at IS NULL GROUP BY vendor) v) AS vendors, "
    "(SELECT coalesce(jsonb_agg(jsonb_build_object('vendor', m.vendor, 'model', m.model, "
    "'devices', m.n) ORDER BY m.vendor, m.model), '[]') FROM (SELECT vendor, model, count(*) "
    "AS n FROM devices WHERE tenant_id = $1::uuid AND retired_at IS NULL GROUP BY vendor, model) "
    "m) AS models, "
    // Retired devices (V0028) are none of the above; the console offers their list.
    "(SELECT count(*) FROM devices WHERE tenant_id = $1::uuid AND retired_at IS NOT NULL) "
    "AS retired "
    "FROM devices d LEFT JOIN device_latest l ON l.tenant_id = d.tenant_id "
    "AND l.device_id = d.device_id WHERE d.tenant_id = $1::uuid AND d.retired_at IS NULL";
// The refresh of a read, with the tenant's zone and today's date there. An unknown tenant (the
// platform admin may name any uuid) reads as UTC, like a tenant that never set its zone.
constexpr const char* kReadRefreshSql =
    "SELECT analytics_refresh($1::uuid), pm_fold_list_totals($1::uuid), z.tz, "
    "(now() AT TIME ZONE z.tz)::date::text FROM (SELECT coalesce((SELECT time_zone FROM tenants "
    "WHERE tenant_id = $1::uuid), 'UTC') AS tz) z";

constexpr const char* kReadClockSql =
    "SELECT z.tz, (now() AT TIME ZONE z.tz)::date::text FROM (SELECT coalesce((SELECT "
    "time_zone FROM tenants WHERE tenant_id = $1::uuid), 'UTC') AS tz) z";

// $1: a text array of dates, $2: the zone.
constexpr const char* kLocalDayStartsSql =
    "SELECT pm_rfc3339(pm_local_day_start(u.d, $2::text)) FROM unnest($1::date[]) "
    "WITH ORDINALITY u(d, i) ORDER BY u.i";

// $1: a text array of RFC 3339 instants, $2: the zone. Milliseconds kept, as the UTC cells do.
constexpr const char* kLocalWallClocksSql =
    "SELECT to_char(u.t AT TIME ZONE $2::text, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
    "FROM unnest($1::timestamptz[]) WITH ORDINALITY u(t, i) ORDER BY u.i";

// A page-volume grouping: `group` are the grouping columns (raw values, so the page of device
// groups is sorted by the uuid itself), `select` the formatted ones of the answer, computed for
// the page only. device_id's text (fixed-width lowercase hex) sorts as the uuid does, so the
// order of the answer is unchanged. The groups are a MATERIALIZED CTE counted apart, not a
// count(*) OVER () under the LIMIT: with the window, PostgreSQL 15 costs the join as if the
// LIMIT stopped it early and picked a nested loop of every device over every rollup row
// (measured: 24 s instead of 0.1 s for a day grouped by device).
struct Grouping {
    std::string_view name;
    std::string_view select;
    std::string_view group;
};

const std::vector<Grouping> kGroupings = {
    {"tenant", "", ""},
    {"site", "site, ", "site, "},
    {"device", "device_id::text AS device_id, vendor, model, serial, site, ",
     "device_id, vendor, model, serial, site, "}};

}  // namespace

const std::vector<std::string_view>& device_sort_keys() {
    static const std::vector<std::string_view> kKeys = [] {
        std::vector<std::string_view> keys;
        keys.reserve(std::size(kDeviceSorts));
        for (const auto& [key, expr] : kDeviceSorts) keys.push_back(key);
        return keys;
    }();
    return kKeys;
}

std::string devices_statement(std::string_view sort, bool descending, bool filtered) {
    return "api_devices_" + std::string(sort) + (descending ? "_desc" : "_asc") +
           (filtered ? "_filtered" : "");
}

std::string page_volume_statement(std::string_view group_by) {
    return "api_page_volume_" + std::string(group_by);
}

void prepare_statements(pqxx::connection& conn) {
    conn.prepare(stmt::kSites, kSitesSql);
    conn.prepare(stmt::kScanners, kScannersSql);
    conn.prepare(stmt::kTokens, kTokensSql);
    conn.prepare(stmt::kTokenByKey, kTokenByKeySql);
    conn.prepare(stmt::kUsers, kUsersSql);
    conn.prepare(stmt::kAudit, kAuditSql);
    prepare_audit_statements(conn);
    conn.prepare(stmt::kUser, kUserSql);
    conn.prepare(stmt::kUserLanguage, kUserLanguageSql);
    for (const auto& [key, expr] : kDeviceSorts) {
        for (const bool desc : {false, true}) {
            const std::string dir = desc ? " DESC" : " ASC";
            const std::string order = dir + " NULLS LAST, d.device_id";
            const std::string page = " LIMIT $12::bigint OFFSET $13::bigint) ";
            conn.prepare(devices_statement(key, desc, false),
                         fmt::format("WITH p AS ({}{} AS k{}ORDER BY {}{}{}{}ORDER BY d.k{}",
                                     kDevicesPageColumns, expr, kDevicesPageFrom, expr, order, page,
                                     kDevicesTailKept, order));
            conn.prepare(devices_statement(key, desc, true),
                         fmt::format("WITH p AS (SELECT * FROM ({}{} AS k, count(*) OVER () AS "
                                     "n{}) d ORDER BY d.k{}{}{}ORDER BY d.k{}",
                                     kDevicesPageColumns, expr, kDevicesPageFrom, order, page,
                                     kDevicesTailCounted, order));
        }
    }
    conn.prepare(stmt::kDeviceExists, kDeviceExistsSql);
    conn.prepare(stmt::kDevice, kDeviceSql);
    conn.prepare(stmt::kRetireDevice, kRetireDeviceSql);
    conn.prepare(stmt::kRestoreDevice, kRestoreDeviceSql);
    prepare_forecast_statements(conn);
    conn.prepare(stmt::kCartridges, kCartridgesSql);
    conn.prepare(stmt::kReadingsDesc, readings_sql("DESC"));
    conn.prepare(stmt::kReadingsAsc, readings_sql("ASC"));
    conn.prepare(stmt::kCountersRaw, kCountersRawSql);
    conn.prepare(stmt::kCountersDaily, kCountersDailySql);
    for (const auto& g : kGroupings) {
        const std::string group = std::string(g.group) + "name";
        conn.prepare(page_volume_statement(g.name),
                     fmt::format("{}, grp AS MATERIALIZED (SELECT {}, sum(pages)::bigint AS pages, "
                                 "sum(readings)::bigint AS readings, sum(epochs)::bigint AS "
                                 "epochs FROM f GROUP BY {}) SELECT {}name, pages, readings, "
                                 "epochs, (SELECT count(*) FROM grp) AS _total FROM (SELECT * "
                                 "FROM grp ORDER BY {} LIMIT $9::bigint OFFSET $10::bigint) q "
                                 "ORDER BY {}",
                                 kPageVolumeHead, group, group, g.select, group, group));
    }
    conn.prepare(stmt::kPageVolumeTenantKept, kPageVolumeTenantKeptSql);
    conn.prepare(stmt::kMeterReads, kMeterReadsSql);
    conn.prepare(stmt::kSupplies, kSuppliesSql);
    conn.prepare(stmt::kSuppliesForecast, kSuppliesForecastSql);
    conn.prepare(stmt::kSupplyChanges, kSupplyChangesSql);
    conn.prepare(stmt::kCounterEpochs, kCounterEpochsSql);
    conn.prepare(stmt::kAlerts, kAlertsSql);
    conn.prepare(stmt::kEvents, kEventsSql);
    conn.prepare(stmt::kRefresh, kRefreshSql);
    conn.prepare(stmt::kDirtyTenants, kDirtyTenantsSql);
    conn.prepare(stmt::kTimeZones, kTimeZonesSql);
    conn.prepare(stmt::kFleetSummary, kFleetSummarySql);
    conn.prepare(stmt::kSupplyLevels, kSupplyLevelsSql);
    conn.prepare(stmt::kReadRefresh, kReadRefreshSql);
    conn.prepare(stmt::kReadClock, kReadClockSql);
    conn.prepare(stmt::kLocalDayStarts, kLocalDayStartsSql);
    conn.prepare(stmt::kLocalWallClocks, kLocalWallClocksSql);
}

pqxx::result run(pqxx::transaction_base& tx, const std::string& statement, const Args& args) {
    // Every statement here has optional filters ("$n IS NULL OR ..."), which only a custom plan
    // folds away. A generic plan keeps them, and with them row estimates of a handful; yet
    // PostgreSQL switches to it after five executions when it looks cheaper. Measured on 10,000
    // devices, generic against custom: page volume of a month 57 ms against 11 ms (one site
    // 47 ms against 6 ms), supplies 104 ms against 7 ms. Planning costs well under 1 ms.
    // The pooled connections run with plan_cache_mode = force_custom_plan for the whole session
    // (storage::configure_read_session).
    return tx.exec_prepared(statement, pqxx::prepare::make_dynamic_params(args));
}

int refresh_tenant(pqxx::connection& conn, const std::string& tenant_id) {
    // Autocommit: the function is one statement, hence atomic; an explicit transaction would add
    // two round trips to every read, which calls this first.
    pqxx::nontransaction tx(conn);
    return tx.exec_prepared1(stmt::kRefresh, tenant_id)[0].as<int>();
}

TenantClock refresh_for_read(pqxx::connection& conn, const std::string& tenant_id) {
    pqxx::nontransaction tx(conn);
    const auto row = tx.exec_prepared1(stmt::kReadRefresh, tenant_id);
    return TenantClock{row[2].as<std::string>(), row[3].as<std::string>()};
}

TenantClock clock_for_read(pqxx::connection& conn, const std::string& tenant_id) {
    pqxx::nontransaction tx(conn);
    const auto row = tx.exec_prepared1(stmt::kReadClock, tenant_id);
    return TenantClock{row[0].as<std::string>(), row[1].as<std::string>()};
}

std::vector<std::string> local_day_starts(pqxx::transaction_base& tx, const std::string& zone,
                                          const std::vector<std::string>& dates) {
    std::vector<std::string> out;
    out.reserve(dates.size());
    // The common case costs no query, and answers exactly as before zones existed.
    if (zone == "UTC") {
        for (const auto& d : dates) out.push_back(d + "T00:00:00Z");
        return out;
    }
    if (dates.empty()) return out;
    std::string array = "{";
    for (const auto& d : dates) array += (array.size() > 1 ? "," : "") + d;
    array += "}";
    for (const auto& row : tx.exec_prepared(stmt::kLocalDayStarts, array, zone)) {
        out.push_back(row[0].as<std::string>());
    }
    return out;
}

std::vector<std::string> local_wall_clocks(pqxx::transaction_base& tx, const std::string& zone,
                                           const std::vector<std::string>& instants) {
    if (zone == "UTC" || instants.empty()) return instants;
    // Only well-formed instants go into the array literal (they hold no ',', '"' or '{'), so
    // a stray value cannot break it; the others keep their place and come back as they were.
    std::vector<std::size_t> at;
    std::string array = "{";
    for (std::size_t i = 0; i < instants.size(); ++i) {
        if (!proto::parse_rfc3339(instants[i])) continue;
        array += (at.empty() ? "" : ",") + instants[i];
        at.push_back(i);
    }
    array += "}";
    std::vector<std::string> out = instants;
    if (at.empty()) return out;
    const auto rows = tx.exec_prepared(stmt::kLocalWallClocks, array, zone);
    for (std::size_t k = 0; k < at.size() && k < rows.size(); ++k) {
        out[at[k]] = rows[static_cast<pqxx::result::size_type>(k)][0].as<std::string>();
    }
    return out;
}

int refresh_all(pqxx::connection& conn, std::vector<std::string>* refreshed) {
    const auto tenants = db::with_transaction(conn, [](pqxx::work& tx) {
        std::vector<std::string> out;
        for (const auto& row : tx.exec_prepared(stmt::kDirtyTenants)) {
            out.push_back(row[0].as<std::string>());
        }
        return out;
    });
    int devices = 0;
    for (const auto& tenant : tenants) {
        const int n = refresh_tenant(conn, tenant);
        devices += n;
        if (n > 0 && refreshed != nullptr) refreshed->push_back(tenant);
    }
    return devices;
}

}  // namespace printmon::cloud::api
