#include "alerts/engine.hpp"

#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <pqxx/result>

#include "alerts/render.hpp"
#include "api/forecasts.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"

namespace printmon::cloud::alerts {
namespace {

constexpr const char* kLock = "alerts_lock";
// Two keys: the namespace of this lock and the tenant (the read model's refresh uses its own).
constexpr const char* kLockSql =
    "SELECT pg_advisory_xact_lock(hashtext('printmon.alerts'), hashtext($1::uuid::text))";

constexpr const char* kRefresh = "alerts_refresh";
constexpr const char* kRefreshSql = "SELECT analytics_refresh($1::uuid)";

constexpr const char* kTenants = "alerts_tenants";
constexpr const char* kTenantsSql = "SELECT tenant_id::text FROM tenants ORDER BY tenant_id";

constexpr const char* kRules = "alerts_rules";
constexpr const char* kRulesSql =
    "SELECT rule_id::text, name, kind, threshold, repeat_minutes, notify_resolved "
    "FROM alert_rules WHERE tenant_id = $1::uuid";

// The enabled rules (r) and each device rule with the devices in its scope (rd): the one
// definition of a rule's scope, read by both statements below. $1 tenant.
constexpr const char* kScopeSql =
    "WITH r AS (SELECT * FROM alert_rules WHERE tenant_id = $1::uuid AND enabled), "
    // branch_seen: the freshest answer of any device its scanner saw last (device_silent).
    "dev AS (SELECT d.device_id, d.last_seen, coalesce(s.site, '') AS site, d.vendor, "
    " CASE WHEN d.last_scanner_id IS NOT NULL THEN "
    " max(d.last_seen) OVER (PARTITION BY d.last_scanner_id) END AS branch_seen "
    " FROM devices d LEFT JOIN scanners s "
    " ON s.tenant_id = d.tenant_id AND s.scanner_id = d.last_scanner_id "
    // Retired devices (V0028) are out of every rule: their open alerts resolve.
    " WHERE d.tenant_id = $1::uuid AND d.retired_at IS NULL), "
    "rd AS (SELECT r.rule_id, r.kind, r.threshold, r.forecast_days, dev.device_id, "
    " dev.last_seen, dev.branch_seen FROM r JOIN dev ON (r.site IS NULL OR "
    "dev.site = r.site) "
    " AND (r.vendor IS NULL OR lower(dev.vendor) = lower(r.vendor)) "
    " AND (r.device_id IS NULL OR dev.device_id = r.device_id) "
    " WHERE r.kind <> 'scanner_silent') ";

// Every condition that holds now, one row per rule, target and subject. Device rules see a
// device through its scope (site of the scanner that saw it last, vendor, device); the latest
// state comes from the read model (device_latest, device_supplies), refreshed first.
// $1 tenant, $2 now.
constexpr const char* kConditions = "alerts_conditions";
const std::string kConditionsSql =
    std::string(kScopeSql) +
    // A consumed supply at or below the threshold, or without a percentage and reported empty
    // (critical) or low (a warning, at any threshold above 0: the scanner's own alerts agree).
    "SELECT rd.rule_id::text, rd.device_id::text AS target, rd.device_id::text, NULL::text, "
    " 'supply:' || ds.type || '/' || ds.color || '/' || ds.description AS subject, "
    " CASE WHEN ds.level_percent = 0 OR (ds.level_percent IS NULL AND ds.state = 'empty') "
    " THEN 'critical' ELSE 'warning' END, "
    " CASE WHEN ds.level_percent IS NULL THEN ds.description || ': ' || ds.state "
    " ELSE ds.description || ': ' || ds.level_percent || ' %' END, "
    " ds.level_percent::bigint, pm_rfc3339(ds.polled_at) "
    "FROM rd JOIN device_supplies ds ON ds.tenant_id = $1::uuid AND ds.device_id = rd.device_id "
    "WHERE rd.kind = 'supply_low' AND ds.supply_class = 'consumed' "
    " AND (ds.level_percent <= rd.threshold OR (ds.level_percent IS NULL AND (ds.state = 'empty' "
    " OR (ds.state = 'low' AND rd.threshold > 0)))) "
    // A critical status error; it started when the scanner saw it appear (its event), else at
    // the reading that shows it.
    "UNION ALL "
    "SELECT rd.rule_id::text, rd.device_id::text, rd.device_id::text, NULL, 'error:' || e.code, "
    " 'critical', e.code, NULL::bigint, pm_rfc3339(coalesce((SELECT max(ev.at) FROM events ev "
    "  WHERE ev.tenant_id = $1::uuid AND ev.device_id = rd.device_id AND ev.kind = 'error' "
    "  AND ev.code = e.code AND ev.action = 'appeared' AND ev.at <= dl.polled_at), dl.polled_at)) "
    "FROM rd JOIN device_latest dl ON dl.tenant_id = $1::uuid AND dl.device_id = rd.device_id "
    "CROSS JOIN unnest(dl.errors) AS e(code) "
    "WHERE rd.kind = 'device_error' AND pm_severity('error', e.code) = 'critical' "
    // Critical rows of the printer's alert table, for devices whose status.errors says nothing
    // (some agents fill only prtAlertTable; when both speak, the error codes already tell it,
    // and one jam must not become two alerts).
    "UNION ALL "
    "SELECT rd.rule_id::text, rd.device_id::text, rd.device_id::text, NULL, "
    " 'alert:' || coalesce(a ->> 'group', '') || ':' || coalesce(a ->> 'code', ''), 'critical', "
    " coalesce(a ->> 'description', ''), NULL::bigint, "
    " pm_rfc3339(coalesce((SELECT max(ev.at) FROM events ev WHERE ev.tenant_id = $1::uuid "
    "  AND ev.device_id = rd.device_id AND ev.kind = 'alert' AND ev.action = 'appeared' "
    "  AND ev.code = coalesce(a ->> 'group', '') || ':' || coalesce(a ->> 'code', '') "
    "  AND ev.at <= dl.polled_at), dl.polled_at)) "
    "FROM rd JOIN device_latest dl ON dl.tenant_id = $1::uuid AND dl.device_id = rd.device_id "
    "CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(dl.snapshot #> "
    " '{status,alerts}') = 'array' THEN dl.snapshot #> '{status,alerts}' ELSE '[]' END) a "
    "WHERE rd.kind = 'device_error' AND a ->> 'severity' = 'critical' "
    " AND cardinality(dl.errors) = 0 "
    // Not polled for so long, unless its branch went silent with it: the device answered in
    // its scanner's last polling round, i.e. its last answer is within two of its own polling
    // intervals (at least 30 s) of the freshest answer of any device that scanner saw. Both
    // times are the scanner's, so the upload lag plays no part. Rationale: a device's last
    // answer always precedes its scanner's last upload by up to a polling round; measured
    // against the scanner's silence (as before), every printer of a branch that went quiet
    // crossed the hours before the scanner did (equal hours on both rules) and opened, then
    // resolved, an alert of its own. So a silent branch raises only its scanner's alert, and a
    // device found silent while the branch still answered stays open (resolving it would say
    // it answered again). A one-device branch is the scanner's alert alone.
    "UNION ALL "
    "SELECT rd.rule_id::text, rd.device_id::text, rd.device_id::text, NULL, '', 'warning', "
    " 'last answered ' || pm_rfc3339(rd.last_seen), "
    " (extract(epoch FROM $2::timestamptz - rd.last_seen) / 3600)::bigint, "
    " pm_rfc3339(rd.last_seen) FROM rd "
    "WHERE rd.kind = 'device_silent' "
    " AND rd.last_seen < $2::timestamptz - make_interval(hours => rd.threshold) "
    " AND NOT coalesce(rd.branch_seen - rd.last_seen <= greatest(interval '30 seconds', "
    "  2 * (rd.last_seen - (SELECT max(x.polled_at) FROM readings x WHERE x.tenant_id = $1::uuid "
    "  AND x.device_id = rd.device_id AND x.polled_at < rd.last_seen))), false) "
    // A scanner that uploaded once and has been silent since; revoked ones are gone on purpose.
    "UNION ALL "
    "SELECT r.rule_id::text, 'scanner:' || s.scanner_id, NULL, s.scanner_id, '', 'critical', "
    " 'last upload ' || pm_rfc3339(s.last_seen_at), "
    " (extract(epoch FROM $2::timestamptz - s.last_seen_at) / 3600)::bigint, "
    " pm_rfc3339(s.last_seen_at) "
    "FROM r JOIN scanners s ON s.tenant_id = $1::uuid AND s.revoked_at IS NULL "
    " AND s.last_seen_at IS NOT NULL AND (r.site IS NULL OR s.site = r.site) "
    "WHERE r.kind = 'scanner_silent' "
    " AND s.last_seen_at < $2::timestamptz - make_interval(hours => r.threshold) "
    // The total counter between the last two readings: backwards (a new counter epoch: board
    // swapped, counter reset) or faster than the rule's pages per minute. Holds until the next
    // normal reading.
    "UNION ALL "
    "SELECT rd.rule_id::text, rd.device_id::text, rd.device_id::text, NULL, "
    " CASE WHEN y.t[1] < y.t[2] THEN 'counter:backwards' ELSE 'counter:jump' END, 'warning', "
    " 'total ' || y.t[2] || ' -> ' || y.t[1], y.t[1] - y.t[2], pm_rfc3339(y.a[1]) "
    "FROM rd CROSS JOIN LATERAL (SELECT array_agg(x.total ORDER BY x.polled_at DESC) AS t, "
    " array_agg(x.polled_at ORDER BY x.polled_at DESC) AS a FROM (SELECT polled_at, total "
    " FROM readings WHERE tenant_id = $1::uuid AND device_id = rd.device_id "
    " AND total IS NOT NULL ORDER BY polled_at DESC LIMIT 2) x) y "
    "WHERE rd.kind = 'counter_anomaly' AND cardinality(y.t) = 2 AND (y.t[1] < y.t[2] "
    " OR y.t[1] - y.t[2] > rd.threshold::numeric * greatest(1, "
    " extract(epoch FROM y.a[1] - y.a[2]) / 60))";

// The devices a supply rule's forecast condition looks at, with the supplies of their latest
// snapshot: the forecasts themselves are computed in C++ (api::supply_forecasts, the same as
// the device answer's). $1 tenant.
constexpr const char* kForecastTargets = "alerts_forecast_targets";
const std::string kForecastTargetsSql =
    std::string(kScopeSql) +
    "SELECT rd.rule_id::text, rd.forecast_days, rd.device_id::text, "
    " coalesce(l.snapshot -> 'supplies', '[]'::jsonb)::text "
    "FROM rd JOIN device_latest l ON l.tenant_id = $1::uuid AND l.device_id = rd.device_id "
    "WHERE rd.kind = 'supply_low' AND rd.forecast_days IS NOT NULL "
    "ORDER BY rd.device_id, rd.rule_id";

constexpr const char* kUnresolved = "alerts_unresolved";
constexpr const char* kUnresolvedSql =
    "SELECT alert_id::text, rule_id::text, target, subject, state, "
    "pm_rfc3339(since), detail, severity, value, forecast_days "
    "FROM alerts WHERE tenant_id = $1::uuid AND state <> 'resolved'";

// A snooze outlives its alert: the same rule, target and subject reopening within it stays
// quiet (a flapping device snoozed once is snoozed).
constexpr const char* kSnoozed = "alerts_snoozed";
constexpr const char* kSnoozedSql =
    "SELECT pm_rfc3339(max(snoozed_until)) FROM alerts WHERE tenant_id = $1::uuid "
    "AND rule_id = $2::uuid AND target = $3 AND subject = $4 AND snoozed_until > $5::timestamptz";

constexpr const char* kInsert = "alerts_insert";
constexpr const char* kInsertSql =
    "INSERT INTO alerts (tenant_id, alert_id, rule_id, kind, target, device_id, scanner_id, "
    "subject, state, severity, detail, value, since, opened_at, updated_at, snoozed_until, "
    "forecast_days) "
    "SELECT $1::uuid, $2::uuid, $3::uuid, r.kind, $4, $5::uuid, $6, $7, $8, $9, $10, $11, "
    "$12::timestamptz, CASE WHEN $8 = 'open' THEN $13::timestamptz END, $13::timestamptz, "
    "$14::timestamptz, $15::double precision FROM alert_rules r WHERE r.tenant_id = $1::uuid AND "
    "r.rule_id = $3::uuid "
    "ON CONFLICT (tenant_id, rule_id, target, subject) WHERE state <> 'resolved' DO NOTHING";

constexpr const char* kUpdate = "alerts_update";
constexpr const char* kUpdateSql =
    "UPDATE alerts SET detail = $3, severity = $4, value = $5, updated_at = $6::timestamptz, "
    "forecast_days = $8::double precision, state = $7, opened_at = CASE WHEN $7 = 'open' THEN "
    "coalesce(opened_at, $6::timestamptz) END "
    "WHERE tenant_id = $1::uuid AND alert_id = $2::uuid";

constexpr const char* kResolve = "alerts_resolve";
constexpr const char* kResolveSql =
    "UPDATE alerts SET state = 'resolved', resolved_at = $3::timestamptz, "
    "updated_at = $3::timestamptz WHERE tenant_id = $1::uuid AND alert_id = $2::uuid";

// A pending alert never opened: nobody saw it, so it leaves no trace.
constexpr const char* kDrop = "alerts_drop";
constexpr const char* kDropSql =
    "DELETE FROM alerts WHERE tenant_id = $1::uuid AND alert_id = $2::uuid AND state = 'pending'";

// The alert as messages tell it, with what its target is.
constexpr const char* kView = "alerts_view";
constexpr const char* kViewSql =
    "SELECT a.alert_id::text, a.rule_id::text, r.name, a.kind, a.severity, a.state, a.target, "
    "a.device_id::text, a.scanner_id, a.subject, a.detail, a.value, pm_rfc3339(a.since), "
    "pm_rfc3339(a.opened_at), pm_rfc3339(a.resolved_at), coalesce(d.vendor, ''), "
    "coalesce(d.model, ''), coalesce(d.serial, ''), coalesce(d.location, ''), "
    "coalesce(s.site, ''), coalesce(s.name, ''), r.threshold, r.forecast_days, a.forecast_days "
    "FROM alerts a JOIN alert_rules r ON r.tenant_id = a.tenant_id AND r.rule_id = a.rule_id "
    "LEFT JOIN devices d ON d.tenant_id = a.tenant_id AND d.device_id = a.device_id "
    "LEFT JOIN scanners s ON s.tenant_id = a.tenant_id "
    " AND s.scanner_id = coalesce(a.scanner_id, d.last_scanner_id) "
    "WHERE a.tenant_id = $1::uuid AND a.alert_id = ANY($2::uuid[]) ORDER BY a.since, a.alert_id";

// The rule's channels, and per channel whether a message of this dedup key went out within
// the repeat period ($4 minutes before $3), whether the channel's hourly budget is spent, and
// (for resolved) whether the opening was told at all.
constexpr const char* kChannels = "alerts_channels";
constexpr const char* kChannelsSql =
    "SELECT c.channel_id::text, c.kind, c.language, c.digest, "
    "EXISTS (SELECT 1 FROM notifications n WHERE n.tenant_id = c.tenant_id "
    " AND n.channel_id = c.channel_id AND n.dedup_key = $5 AND n.state <> 'suppressed' "
    " AND n.created_at > $3::timestamptz - make_interval(mins => $4::integer)), "
    "(SELECT count(*) FROM notifications n WHERE n.tenant_id = c.tenant_id "
    " AND n.channel_id = c.channel_id AND n.state <> 'suppressed' AND n.event <> 'digest' "
    " AND n.created_at > $3::timestamptz - interval '1 hour') >= c.max_per_hour, "
    "EXISTS (SELECT 1 FROM notifications n WHERE n.tenant_id = c.tenant_id "
    " AND n.channel_id = c.channel_id AND n.alert_id = $6::uuid AND n.event = 'opened' "
    " AND n.state <> 'suppressed') "
    "FROM rule_channels rc JOIN notification_channels c ON c.tenant_id = rc.tenant_id "
    " AND c.channel_id = rc.channel_id "
    "WHERE rc.tenant_id = $1::uuid AND rc.rule_id = $2::uuid AND c.enabled "
    "ORDER BY c.channel_id";

constexpr const char* kQueue = "alerts_queue";
constexpr const char* kQueueSql =
    "INSERT INTO notifications (tenant_id, notification_id, channel_id, alert_id, event, "
    "dedup_key, state, subject, body, next_attempt_at, created_at, last_error) "
    "VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6, $7, $8, $9, $10::timestamptz, "
    "$10::timestamptz, $11) "
    "ON CONFLICT (tenant_id, channel_id, dedup_key) WHERE event = 'digest' DO NOTHING";

// Digest channels whose hour has come today (the tenant's time zone) and whose digest of that
// day is not queued yet.
constexpr const char* kDigestDue = "alerts_digest_due";
constexpr const char* kDigestDueSql =
    "SELECT c.channel_id::text, c.language, "
    "to_char(($2::timestamptz AT TIME ZONE t.time_zone)::date, 'YYYY-MM-DD') "
    "FROM notification_channels c JOIN tenants t ON t.tenant_id = c.tenant_id "
    "WHERE c.tenant_id = $1::uuid AND c.enabled AND c.digest "
    "AND extract(hour FROM $2::timestamptz AT TIME ZONE t.time_zone) >= c.digest_hour "
    "AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.tenant_id = c.tenant_id "
    " AND n.channel_id = c.channel_id AND n.event = 'digest' AND n.dedup_key = 'digest:' || "
    " to_char(($2::timestamptz AT TIME ZONE t.time_zone)::date, 'YYYY-MM-DD'))";

// What a digest channel's rules raised: open now, or opened or resolved in the last day.
constexpr const char* kDigestAlerts = "alerts_digest_alerts";
constexpr const char* kDigestAlertsSql =
    "SELECT a.alert_id::text FROM alerts a JOIN rule_channels rc ON rc.tenant_id = a.tenant_id "
    "AND rc.rule_id = a.rule_id AND rc.channel_id = $2::uuid WHERE a.tenant_id = $1::uuid "
    "AND a.state <> 'pending' AND (a.state = 'open' "
    " OR a.opened_at > $3::timestamptz - interval '1 day' "
    " OR a.resolved_at > $3::timestamptz - interval '1 day') "
    "ORDER BY a.opened_at LIMIT 500";

struct Rule {
    std::string name, kind;
    int threshold = 0;
    int repeat_minutes = 60;
    bool notify_resolved = true;
};

struct Condition {
    std::string rule_id, target;
    std::optional<std::string> device_id, scanner_id;
    std::string subject, severity, detail;
    std::optional<long long> value;
    std::string since;
    std::optional<double> forecast_days;  ///< set when the forecast condition holds
};

struct Open {
    std::string alert_id, rule_id, target, subject, state, since, detail, severity;
    std::optional<long long> value;
    std::optional<double> forecast_days;
};

using Key = std::tuple<std::string, std::string, std::string>;

std::string ts(Clock::time_point t) {
    return proto::format_rfc3339(t, proto::TimePrecision::milliseconds);
}

// Device errors must hold `threshold` minutes before they open; everything else opens at once.
bool ripe(const Rule& rule, const std::string& since, Clock::time_point now) {
    if (rule.kind != "device_error") return true;
    const auto at = proto::parse_rfc3339(since);
    if (!at) return true;
    return *at + std::chrono::minutes(rule.threshold) <= now;
}

std::vector<AlertView> views(pqxx::work& tx, const std::string& tenant,
                             const std::vector<std::string>& ids) {
    std::string array = "{";
    for (const auto& id : ids) array += (array.size() > 1 ? "," : "") + id;
    array += "}";
    std::vector<AlertView> out;
    for (const auto& row : tx.exec_prepared(kView, tenant, array)) {
        AlertView v;
        v.tenant_id = tenant;
        v.alert_id = row[0].as<std::string>();
        v.rule_id = row[1].as<std::string>();
        v.rule_name = row[2].as<std::string>();
        v.kind = row[3].as<std::string>();
        v.severity = row[4].as<std::string>();
        v.state = row[5].as<std::string>();
        v.target = row[6].as<std::string>();
        v.device_id = row[7].get<std::string>();
        v.scanner_id = row[8].get<std::string>();
        v.subject = row[9].as<std::string>();
        v.detail = row[10].as<std::string>();
        v.value = row[11].get<long long>();
        v.since = row[12].as<std::string>();
        v.opened_at = row[13].get<std::string>();
        v.resolved_at = row[14].get<std::string>();
        v.vendor = row[15].as<std::string>();
        v.model = row[16].as<std::string>();
        v.serial = row[17].as<std::string>();
        v.location = row[18].as<std::string>();
        v.site = row[19].as<std::string>();
        v.scanner_name = row[20].as<std::string>();
        v.rule_threshold = row[21].as<int>();
        v.rule_forecast_days = row[22].get<int>();
        v.forecast_days = row[23].get<double>();
        out.push_back(std::move(v));
    }
    return out;
}

// Queues the messages that an alert opening or resolving owes its rule's channels.
void notify(pqxx::work& tx, const std::string& tenant, const Rule& rule, const AlertView& alert,
            const std::string& event, Clock::time_point now, EvaluationReport& report) {
    const std::string dedup = alert.rule_id + "|" + alert.target + "|" + alert.subject;
    for (const auto& row : tx.exec_prepared(kChannels, tenant, alert.rule_id, ts(now),
                                            rule.repeat_minutes, dedup, alert.alert_id)) {
        const auto channel = row[0].as<std::string>();
        const auto kind = row[1].as<std::string>();
        const auto language = row[2].as<std::string>();
        if (row[3].as<bool>()) continue;  // a digest channel hears it once a day
        const bool repeated = row[4].as<bool>();
        const bool over_budget = row[5].as<bool>();
        const bool opening_told = row[6].as<bool>();
        if (event == "resolved" && !opening_told) continue;  // never told it opened
        std::string reason;
        if (repeated) {
            reason = fmt::format("suppressed: a message for this alert within {} minutes",
                                 rule.repeat_minutes);
        } else if (over_budget) {
            reason = "suppressed: the channel's hourly limit is reached";
        }
        const std::string id = proto::new_uuid();
        std::string subject, body;
        if (kind == "webhook") {
            body = render_webhook(id, alert, event);
        } else {
            auto mail = render_email(alert, event, language);
            subject = std::move(mail.subject);
            body = std::move(mail.body);
        }
        tx.exec_prepared0(kQueue, tenant, id, channel, alert.alert_id, event, dedup,
                          reason.empty() ? "queued" : "suppressed", subject, body, ts(now), reason);
        if (reason.empty()) {
            ++report.notifications;
        } else {
            ++report.suppressed;
        }
    }
}

void queue_digests(pqxx::work& tx, const std::string& tenant, Clock::time_point now,
                   EvaluationReport& report) {
    for (const auto& row : tx.exec_prepared(kDigestDue, tenant, ts(now))) {
        const auto channel = row[0].as<std::string>();
        const auto language = row[1].as<std::string>();
        const auto day = row[2].as<std::string>();
        std::vector<std::string> ids;
        for (const auto& a : tx.exec_prepared(kDigestAlerts, tenant, channel, ts(now))) {
            ids.push_back(a[0].as<std::string>());
        }
        // An empty day is recorded too (as suppressed), so the day counts as done.
        const auto mail = render_digest(
            ids.empty() ? std::vector<AlertView>{} : views(tx, tenant, ids), day, language);
        tx.exec_prepared0(kQueue, tenant, proto::new_uuid(), channel, std::optional<std::string>(),
                          "digest", "digest:" + day, ids.empty() ? "suppressed" : "queued",
                          mail.subject, mail.body, ts(now), ids.empty() ? "nothing to report" : "");
        if (!ids.empty()) ++report.notifications;
    }
}

// Days to one decimal, as the device answer shows them (and so an alert does not update on
// every evaluation for a change nobody can see).
double tenth(double days) { return std::round(days * 10) / 10; }

// The supply rules' forecast condition: a consumed supply whose forecast's expected days to
// empty (not the low end of its range, see V0015) is at most the rule's forecast_days. Adds a
// condition, or marks the level condition of the same supply as holding by forecast too.
// "Not enough data" and "empty" (the level condition's case) never hold here.
void add_forecast_conditions(pqxx::work& tx, const std::string& tenant,
                             std::map<Key, Condition>& conditions) {
    std::string device;
    std::vector<api::SupplyForecast> forecasts;  // of `device`: computed once for its rules
    for (const auto& row : tx.exec_prepared(kForecastTargets, tenant)) {
        const auto rule_id = row[0].as<std::string>();
        const int within = row[1].as<int>();
        const auto id = row[2].as<std::string>();
        if (id != device) {
            device = id;
            forecasts = api::supply_forecasts(tx, tenant, device, row[3].as<std::string>());
        }
        for (const auto& f : forecasts) {
            if (f.forecast.status != supply::ForecastStatus::ok) continue;
            const double days = tenth(f.forecast.days);
            if (days > within) continue;
            const std::string subject = "supply:" + f.type + "/" + f.color + "/" + f.description;
            Key key{rule_id, device, subject};
            const auto it = conditions.find(key);
            if (it != conditions.end()) {
                it->second.forecast_days = days;
                continue;
            }
            Condition c;
            c.rule_id = rule_id;
            c.target = device;
            c.device_id = device;
            c.subject = subject;
            c.severity = "warning";
            c.detail = f.level_percent ? fmt::format("{}: {} %", f.description, *f.level_percent)
                                       : f.description;
            if (f.level_percent) c.value = *f.level_percent;
            c.since = f.as_of
                          ? proto::format_rfc3339(Clock::time_point(std::chrono::seconds(*f.as_of)))
                          : std::string();
            c.forecast_days = days;
            conditions.emplace(std::move(key), std::move(c));
        }
    }
}

}  // namespace

void prepare_statements(pqxx::connection& conn) {
    api::prepare_forecast_statements(conn);
    conn.prepare(kLock, kLockSql);
    conn.prepare(kRefresh, kRefreshSql);
    conn.prepare(kTenants, kTenantsSql);
    conn.prepare(kRules, kRulesSql);
    conn.prepare(kConditions, kConditionsSql);
    conn.prepare(kForecastTargets, kForecastTargetsSql);
    conn.prepare(kUnresolved, kUnresolvedSql);
    conn.prepare(kSnoozed, kSnoozedSql);
    conn.prepare(kInsert, kInsertSql);
    conn.prepare(kUpdate, kUpdateSql);
    conn.prepare(kResolve, kResolveSql);
    conn.prepare(kDrop, kDropSql);
    conn.prepare(kView, kViewSql);
    conn.prepare(kChannels, kChannelsSql);
    conn.prepare(kQueue, kQueueSql);
    conn.prepare(kDigestDue, kDigestDueSql);
    conn.prepare(kDigestAlerts, kDigestAlertsSql);
}

std::vector<std::string> tenants(pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    std::vector<std::string> out;
    for (const auto& row : tx.exec_prepared(kTenants)) out.push_back(row[0].as<std::string>());
    return out;
}

EvaluationReport evaluate(pqxx::connection& conn, const std::string& tenant,
                          Clock::time_point now) {
    // The read model first, in its own transaction: it takes its own lock and may be long.
    {
        pqxx::work tx(conn);
        tx.exec_prepared(kRefresh, tenant);
        tx.commit();
    }
    pqxx::work tx(conn);
    tx.exec_prepared(kLock, tenant);
    EvaluationReport report;
    const std::string at = ts(now);

    std::map<std::string, Rule> rules;
    for (const auto& row : tx.exec_prepared(kRules, tenant)) {
        rules[row[0].as<std::string>()] =
            Rule{row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<int>(),
                 row[4].as<int>(), row[5].as<bool>()};
    }
    std::map<Key, Condition> conditions;
    for (const auto& row : tx.exec_prepared(kConditions, tenant, at)) {
        Condition c{row[0].as<std::string>(),  row[1].as<std::string>(),
                    row[2].get<std::string>(), row[3].get<std::string>(),
                    row[4].as<std::string>(),  row[5].as<std::string>(),
                    row[6].as<std::string>(),  row[7].get<long long>(),
                    row[8].as<std::string>(),  std::nullopt};
        Key key{c.rule_id, c.target, c.subject};
        conditions.try_emplace(std::move(key), std::move(c));  // two equal supplies: one alert
    }
    add_forecast_conditions(tx, tenant, conditions);
    std::map<Key, Open> unresolved;
    for (const auto& row : tx.exec_prepared(kUnresolved, tenant)) {
        Open o{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
               row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<std::string>(),
               row[6].as<std::string>(), row[7].as<std::string>(), row[8].get<long long>(),
               row[9].get<double>()};
        Key key{o.rule_id, o.target, o.subject};
        unresolved.emplace(std::move(key), std::move(o));
    }

    std::vector<std::pair<std::string, std::string>> told;  // alert id, event
    for (const auto& [key, c] : conditions) {
        const auto rule = rules.find(c.rule_id);
        if (rule == rules.end()) continue;
        const auto it = unresolved.find(key);
        if (it == unresolved.end()) {
            const bool open = ripe(rule->second, c.since, now);
            const auto snooze =
                tx.exec_prepared1(kSnoozed, tenant, c.rule_id, c.target, c.subject, at)[0]
                    .get<std::string>();
            const std::string id = proto::new_uuid();
            const auto inserted =
                tx.exec_prepared0(kInsert, tenant, id, c.rule_id, c.target, c.device_id,
                                  c.scanner_id, c.subject, open ? "open" : "pending", c.severity,
                                  c.detail, c.value, c.since, at, snooze, c.forecast_days)
                    .affected_rows();
            if (inserted == 0) continue;
            if (open) {
                ++report.opened;
                if (!snooze) told.emplace_back(id, "opened");
            } else {
                ++report.pending;
            }
            continue;
        }
        const Open& o = it->second;
        const bool opens = o.state == "pending" && ripe(rule->second, o.since, now);
        const bool changed = o.detail != c.detail || o.severity != c.severity ||
                             o.value != c.value || o.forecast_days != c.forecast_days;
        if (!opens && !changed) {
            if (o.state == "pending") ++report.pending;
            continue;
        }
        const std::string state = opens ? "open" : o.state;
        tx.exec_prepared0(kUpdate, tenant, o.alert_id, c.detail, c.severity, c.value, at, state,
                          c.forecast_days);
        if (opens) {
            ++report.opened;
            // A snooze set while pending (through the API) holds.
            told.emplace_back(o.alert_id, "opened");
        } else {
            ++report.updated;
        }
    }
    for (const auto& [key, o] : unresolved) {
        if (conditions.count(key) != 0) continue;
        if (o.state == "pending") {
            tx.exec_prepared0(kDrop, tenant, o.alert_id);
            continue;
        }
        tx.exec_prepared0(kResolve, tenant, o.alert_id, at);
        ++report.resolved;
        const auto rule = rules.find(o.rule_id);
        if (rule != rules.end() && rule->second.notify_resolved) {
            told.emplace_back(o.alert_id, "resolved");
        }
    }

    if (!told.empty()) {
        std::vector<std::string> ids;
        ids.reserve(told.size());
        for (const auto& t : told) ids.push_back(t.first);
        std::map<std::string, AlertView> by_id;
        for (auto& v : views(tx, tenant, ids)) by_id.emplace(v.alert_id, std::move(v));
        for (const auto& [id, event] : told) {
            const auto v = by_id.find(id);
            if (v == by_id.end()) continue;
            // Snoozed alerts stay quiet (the snooze may have been set while it was pending).
            if (event == "opened") {
                const auto snooze = tx.exec_prepared1(kSnoozed, tenant, v->second.rule_id,
                                                      v->second.target, v->second.subject, at)[0]
                                        .get<std::string>();
                if (snooze) continue;
            }
            notify(tx, tenant, rules.at(v->second.rule_id), v->second, event, now, report);
        }
    }
    queue_digests(tx, tenant, now, report);
    tx.commit();
    if (report.opened + report.resolved + report.notifications > 0) {
        common::get_logger("cloud.alerts")
            ->info(
                "event=alerts_evaluated tenant={} opened={} updated={} resolved={} "
                "pending={} notifications={} suppressed={}",
                tenant, report.opened, report.updated, report.resolved, report.pending,
                report.notifications, report.suppressed);
    }
    return report;
}

}  // namespace printmon::cloud::alerts
