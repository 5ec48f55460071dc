#include "alerts/routes.hpp"

#include "alerts/render.hpp"
#include "alerts/telegram.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <set>

#include <fmt/format.h>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include "api/audit.hpp"
#include "api/params.hpp"
#include "auth/login_limiter.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/crypto/crypto.hpp"
#include "printmon/db/connection.hpp"
#include "printmon/net/json_body.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/utf8.hpp"
#include "printmon/proto/uuid.hpp"
#include "storage/secrets.hpp"

namespace printmon::cloud::alerts {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr std::size_t kMaxBody = std::size_t{16} * 1024;

// ---- statements ($1 is always the tenant) -------------------------------------------------

constexpr const char* kAlertColumns =
    "a.alert_id::text AS alert_id, a.rule_id::text AS rule_id, r.name AS rule_name, a.kind, "
    "a.state, a.severity, a.target, a.device_id::text AS device_id, a.scanner_id, a.subject, "
    "a.detail, a.value, a.forecast_days, r.forecast_days AS rule_forecast_days, "
    "pm_rfc3339(a.since) AS since, pm_rfc3339(a.opened_at) AS opened_at, "
    "pm_rfc3339(a.updated_at) AS updated_at, pm_rfc3339(a.resolved_at) AS resolved_at, "
    "pm_rfc3339(a.acknowledged_at) AS acknowledged_at, a.acknowledged_by, "
    // Who acknowledged, for people: acknowledged_by is the principal's id (a user, an API
    // token, "admin"); a user shows as the e-mail, a token as its name (else its key prefix).
    "CASE WHEN a.acknowledged_by IS NULL THEN NULL WHEN a.acknowledged_by = 'admin' "
    " THEN 'platform admin' ELSE coalesce((SELECT u.email FROM users u "
    " WHERE u.tenant_id = a.tenant_id AND u.user_id::text = a.acknowledged_by), "
    " (SELECT coalesce(nullif(t.name, ''), 'API token ' || t.key_prefix) FROM api_tokens t "
    " WHERE t.tenant_id = a.tenant_id AND t.token_id::text = a.acknowledged_by), "
    " a.acknowledged_by) END AS acknowledged_by_name, "
    "pm_rfc3339(a.snoozed_until) AS snoozed_until, coalesce(d.vendor, '') AS vendor, "
    "coalesce(d.model, '') AS model, coalesce(d.serial, '') AS serial, "
    "coalesce(d.location, '') AS location, coalesce(s.site, '') AS site ";
constexpr const char* kAlertFrom =
    "FROM alerts a JOIN alert_rules r ON r.tenant_id = a.tenant_id AND r.rule_id = a.rule_id "
    "LEFT JOIN devices d ON d.tenant_id = a.tenant_id AND d.device_id = a.device_id "
    "LEFT JOIN scanners s ON s.tenant_id = a.tenant_id "
    " AND s.scanner_id = coalesce(a.scanner_id, d.last_scanner_id) ";

// $2 state (NULL = all; "acknowledged" and "snoozed" are open alerts so marked), $3 site,
// $4 device, $5 kind, $6 limit, $7 offset, $8 severity.
constexpr const char* kListAlerts = "alerting_list_alerts";
const std::string kListAlertsSql =
    std::string("SELECT ") + kAlertColumns + ", count(*) OVER () AS _total " + kAlertFrom +
    "WHERE a.tenant_id = $1::uuid AND ($2::text IS NULL OR a.state = $2 "
    " OR ($2 = 'acknowledged' AND a.state = 'open' AND a.acknowledged_at IS NOT NULL) "
    " OR ($2 = 'snoozed' AND a.state = 'open' AND a.snoozed_until > now())) "
    "AND ($3::text IS NULL OR s.site = $3) AND ($4::uuid IS NULL OR a.device_id = $4::uuid) "
    "AND ($5::text IS NULL OR a.kind = $5) AND ($8::text IS NULL OR a.severity = $8) "
    "ORDER BY coalesce(a.opened_at, a.since) DESC, a.alert_id LIMIT $6::bigint OFFSET $7::bigint";

constexpr const char* kGetAlert = "alerting_get_alert";
const std::string kGetAlertSql =
    std::string("SELECT ") + kAlertColumns +
    ", (SELECT coalesce(jsonb_agg(jsonb_build_object('notification_id', n.notification_id, "
    "'channel_id', n.channel_id, 'event', n.event, 'state', n.state, 'attempts', n.attempts, "
    "'created_at', pm_rfc3339(n.created_at), 'sent_at', pm_rfc3339(n.sent_at), "
    "'last_error', n.last_error) ORDER BY n.created_at, n.notification_id), '[]'::jsonb) "
    "FROM notifications n WHERE n.tenant_id = a.tenant_id AND n.alert_id = a.alert_id) "
    "AS notifications " +
    kAlertFrom + "WHERE a.tenant_id = $1::uuid AND a.alert_id = $2::uuid";

constexpr const char* kAcknowledge = "alerting_acknowledge";
constexpr const char* kAcknowledgeSql =
    "UPDATE alerts SET acknowledged_at = coalesce(acknowledged_at, now()), "
    "acknowledged_by = coalesce(acknowledged_by, $3) "
    "WHERE tenant_id = $1::uuid AND alert_id = $2::uuid RETURNING 1";

constexpr const char* kSnooze = "alerting_snooze";
constexpr const char* kSnoozeSql =
    "UPDATE alerts SET snoozed_until = $3::timestamptz "
    "WHERE tenant_id = $1::uuid AND alert_id = $2::uuid RETURNING 1";

constexpr const char* kRuleColumns =
    "SELECT r.rule_id::text AS rule_id, r.name, r.kind, r.threshold, r.forecast_days, r.site, "
    "r.vendor, "
    "r.device_id::text AS device_id, r.enabled, r.repeat_minutes, r.notify_resolved, "
    "(SELECT coalesce(jsonb_agg(rc.channel_id::text ORDER BY rc.channel_id), '[]'::jsonb) "
    " FROM rule_channels rc WHERE rc.tenant_id = r.tenant_id AND rc.rule_id = r.rule_id) "
    " AS channel_ids, "
    "(SELECT count(*) FROM alerts a WHERE a.tenant_id = r.tenant_id AND a.rule_id = r.rule_id "
    " AND a.state = 'open') AS open_alerts, "
    "pm_rfc3339(r.created_at) AS created_at, pm_rfc3339(r.updated_at) AS updated_at "
    "FROM alert_rules r WHERE r.tenant_id = $1::uuid ";

constexpr const char* kListRules = "alerting_list_rules";
const std::string kListRulesSql = std::string(kRuleColumns) + "ORDER BY r.created_at, r.rule_id";
constexpr const char* kGetRule = "alerting_get_rule";
const std::string kGetRuleSql = std::string(kRuleColumns) + "AND r.rule_id = $2::uuid";

constexpr const char* kInsertRule = "alerting_insert_rule";
constexpr const char* kInsertRuleSql =
    "INSERT INTO alert_rules (tenant_id, rule_id, name, kind, threshold, site, vendor, device_id, "
    "enabled, repeat_minutes, notify_resolved, forecast_days) VALUES ($1::uuid, $2::uuid, $3, $4, "
    "$5, $6, $7, $8::uuid, $9, $10, $11, $12::integer)";
constexpr const char* kUpdateRule = "alerting_update_rule";
constexpr const char* kUpdateRuleSql =
    "UPDATE alert_rules SET name = $3, kind = $4, threshold = $5, site = $6, vendor = $7, "
    "device_id = $8::uuid, enabled = $9, repeat_minutes = $10, notify_resolved = $11, "
    "forecast_days = $12::integer, updated_at = now() WHERE tenant_id = $1::uuid AND rule_id = "
    "$2::uuid RETURNING 1";
constexpr const char* kDeleteRule = "alerting_delete_rule";
constexpr const char* kDeleteRuleSql =
    "DELETE FROM alert_rules WHERE tenant_id = $1::uuid AND rule_id = $2::uuid RETURNING name";
constexpr const char* kClearRuleChannels = "alerting_clear_rule_channels";
constexpr const char* kClearRuleChannelsSql =
    "DELETE FROM rule_channels WHERE tenant_id = $1::uuid AND rule_id = $2::uuid";
constexpr const char* kSetRuleChannels = "alerting_set_rule_channels";
constexpr const char* kSetRuleChannelsSql =
    "INSERT INTO rule_channels (tenant_id, rule_id, channel_id) "
    "SELECT $1::uuid, $2::uuid, c.channel_id FROM notification_channels c "
    "WHERE c.tenant_id = $1::uuid AND c.channel_id = ANY($3::uuid[])";
constexpr const char* kCountChannels = "alerting_count_channels";
constexpr const char* kCountChannelsSql =
    "SELECT count(*) FROM notification_channels WHERE tenant_id = $1::uuid "
    "AND channel_id = ANY($2::uuid[])";
constexpr const char* kDeviceExists = "alerting_device_exists";
constexpr const char* kDeviceExistsSql =
    "SELECT 1 FROM devices WHERE tenant_id = $1::uuid AND device_id = $2::uuid";

constexpr const char* kChannelColumns =
    "SELECT channel_id::text AS channel_id, name, kind, address, language, digest, digest_hour, "
    "max_per_hour, enabled, secret <> '' AS secret_set, "
    // Sealed under another key than the one every replica holds (a lost key file replaced
    // with `secrets forget-key`): the admin must enter it again (V0024).
    "(secret <> '' AND secret_scheme <> 'plain' AND secret_key_id IS DISTINCT FROM "
    "(SELECT key_id FROM secret_key_registry)) AS secret_unreadable, "
    "pm_rfc3339(created_at) AS created_at "
    "FROM notification_channels WHERE tenant_id = $1::uuid ";
constexpr const char* kListChannels = "alerting_list_channels";
const std::string kListChannelsSql =
    std::string(kChannelColumns) + "ORDER BY created_at, channel_id";
constexpr const char* kGetChannel = "alerting_get_channel";
const std::string kGetChannelSql = std::string(kChannelColumns) + "AND channel_id = $2::uuid";
constexpr const char* kInsertChannel = "alerting_insert_channel";
constexpr const char* kInsertChannelSql =
    "INSERT INTO notification_channels (tenant_id, channel_id, name, kind, address, language, "
    "digest, digest_hour, max_per_hour, enabled, secret, secret_scheme, secret_key_id) "
    "VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
// kind is fixed once created (a webhook's secret or a bot token means nothing to an address).
constexpr const char* kUpdateChannel = "alerting_update_channel";
constexpr const char* kUpdateChannelSql =
    "UPDATE notification_channels SET name = $3, address = $4, language = $5, digest = $6, "
    "digest_hour = $7, max_per_hour = $8, enabled = $9, "
    "secret = CASE WHEN $10::text IS NULL THEN secret ELSE $10 END, "
    "secret_scheme = CASE WHEN $10::text IS NULL THEN secret_scheme ELSE $12 END, "
    "secret_key_id = CASE WHEN $10::text IS NULL THEN secret_key_id ELSE $13 END "
    "WHERE tenant_id = $1::uuid AND channel_id = $2::uuid AND kind = $11 RETURNING 1";
// The stored token of a Telegram channel, for "Find chats" while editing it.
constexpr const char* kChannelToken = "alerting_channel_token";
constexpr const char* kChannelTokenSql =
    "SELECT secret, secret_scheme, secret_key_id FROM notification_channels "
    "WHERE tenant_id = $1::uuid AND channel_id = $2::uuid AND kind = 'telegram'";
constexpr const char* kChannelKind = "alerting_channel_kind";
constexpr const char* kChannelKindSql =
    "SELECT kind FROM notification_channels WHERE tenant_id = $1::uuid AND channel_id = $2::uuid";
// A channel's test message: queued like any other (the sender delivers it, the delivery log
// shows it), never suppressed; dedup_key is its own id so it groups with nothing.
constexpr const char* kChannelForTest = "alerting_channel_for_test";
constexpr const char* kChannelForTestSql =
    "SELECT kind, language, name FROM notification_channels "
    "WHERE tenant_id = $1::uuid AND channel_id = $2::uuid";
constexpr const char* kQueueTest = "alerting_queue_test";
constexpr const char* kQueueTestSql =
    "INSERT INTO notifications (tenant_id, notification_id, channel_id, alert_id, event, "
    "dedup_key, state, subject, body, next_attempt_at, created_at) "
    "VALUES ($1::uuid, $2::uuid, $3::uuid, NULL, 'test', 'test:' || $2, 'queued', $4, $5, now(), "
    "now())";
constexpr const char* kDeleteChannel = "alerting_delete_channel";
constexpr const char* kDeleteChannelSql =
    "DELETE FROM notification_channels WHERE tenant_id = $1::uuid AND channel_id = $2::uuid "
    "RETURNING name";

// $2 alert, $3 channel, $4 state, $5 limit, $6 offset.
constexpr const char* kDeliveries = "alerting_deliveries";
constexpr const char* kDeliveriesSql =
    "SELECT n.notification_id::text AS notification_id, n.channel_id::text AS channel_id, "
    "c.kind AS channel_kind, c.address, n.alert_id::text AS alert_id, n.event, n.state, "
    "n.subject, n.attempts, pm_rfc3339(n.created_at) AS created_at, "
    "pm_rfc3339(n.next_attempt_at) AS next_attempt_at, pm_rfc3339(n.sent_at) AS sent_at, "
    "n.last_error, (SELECT coalesce(jsonb_agg(jsonb_build_object('attempt', t.attempt, "
    " 'at', pm_rfc3339(t.at), 'outcome', t.outcome, 'detail', t.detail, "
    " 'duration_ms', t.duration_ms) ORDER BY t.attempt), '[]'::jsonb) "
    " FROM notification_attempts t WHERE t.tenant_id = n.tenant_id "
    " AND t.notification_id = n.notification_id) AS log, count(*) OVER () AS _total "
    "FROM notifications n JOIN notification_channels c ON c.tenant_id = n.tenant_id "
    " AND c.channel_id = n.channel_id "
    "WHERE n.tenant_id = $1::uuid AND ($2::uuid IS NULL OR n.alert_id = $2::uuid) "
    "AND ($3::uuid IS NULL OR n.channel_id = $3::uuid) AND ($4::text IS NULL OR n.state = $4) "
    "ORDER BY n.created_at DESC, n.notification_id LIMIT $5::bigint OFFSET $6::bigint";

// ---- helpers ------------------------------------------------------------------------------

struct Deps {
    storage::ConnectionPool& pool;
    const auth::Authenticator& authenticator;
    std::shared_ptr<storage::SecretKeyHolder>
        keys;             ///< seals channel secrets before they are stored
    NotifyConfig notify;  ///< the Bot API's base URL, proxy, CA and timeouts ("Find chats")
    std::function<void(const std::string&)> on_change;
    /// "Find chats" counted per tenant and per address in the shared brake table, and at most
    /// max_chat_lookups of them at once in this process.
    std::shared_ptr<auth::RequestBrake> chat_lookups;
    std::shared_ptr<std::atomic<int>> chat_lookups_running;
    int max_chat_lookups = 1;
};

// Rationale: a "Find chats" lookup holds a request thread on the Bot API for up to the notify
// timeouts (20 s by default). At most half the request threads at once leaves the rest to
// everyone else; 30 per tenant (60 per address) in the brake's window is far above a person
// setting up channels and far below a loop. The window stays the login brake's: the shared
// table is pruned by it.
auth::RequestLimits chat_lookup_limits() {
    auth::RequestLimits l;
    l.max_per_subject = 30;
    l.max_per_address = 60;
    return l;
}

/// Holds one of the process's "Find chats" places for a request's life; `held()` is false when
/// none was free.
class ChatLookupPlace {
  public:
    ChatLookupPlace(std::atomic<int>& running, int max)
        : running_(running), held_(running.fetch_add(1) < max) {}
    ChatLookupPlace(const ChatLookupPlace&) = delete;
    ChatLookupPlace& operator=(const ChatLookupPlace&) = delete;
    ~ChatLookupPlace() { running_.fetch_sub(1); }
    bool held() const { return held_; }

  private:
    std::atomic<int>& running_;
    bool held_;
};

net::HttpError not_found(std::string_view what) {
    return {404, "not_found", fmt::format("no such {}", what)};
}

/// The key to seal a channel secret with: the one the database records, held FOR SHARE until
/// `tx` ends so a rotation cannot re-seal meanwhile. After a rotation it is taken from the key
/// file. Refuses (503) when this replica has no such key: started before `secrets forget-key`
/// with the old key file, or a rotated key file not yet copied to this host; the other
/// replicas could not open what it sealed. Another replica (or this one, later) can take it.
std::shared_ptr<const crypto::SecretKey> current_key(pqxx::work& tx,
                                                     storage::SecretKeyHolder& keys) {
    const auto registered = storage::lock_registered_key_id(tx);
    if (auto key = keys.adopt(registered)) return key;
    common::get_logger("cloud.alerting")
        ->error(
            "event=secret_key_outdated key_id={} registered_key_id={} detail=\"put the key file "
            "the database records in place (printmon-cloud-api secrets status)\"",
            keys.current()->id(), registered);
    throw net::HttpError(503, "secrets_key_outdated",
                         "this server's secrets key is not the database's; try again later")
        .with_header("Retry-After", "5");
}

net::HttpError invalid(const std::string& message) { return {400, "invalid_body", message}; }

// The same tenant rule as the analytics API: the platform admin names a tenant, everyone else
// acts on their own.
std::string tenant_of(const net::Request& request) {
    const auto& who = auth::principal_of(request);
    const auto asked = request.query_param("tenant");
    if (who.kind == auth::PrincipalKind::admin) {
        if (!asked) throw net::HttpError(400, "missing_tenant", "the admin token needs ?tenant=");
        if (!proto::is_uuid(*asked)) {
            throw api::invalid_parameter("tenant", "must be a lower-case UUID");
        }
        return std::string(*asked);
    }
    if (asked && *asked != who.tenant_id) {
        throw net::HttpError(403, "forbidden", "the credential belongs to another tenant");
    }
    return who.tenant_id;
}

void require_admin(const net::Request& request) {
    const auto& who = auth::principal_of(request);
    const bool ok = who.kind == auth::PrincipalKind::admin ||
                    who.kind == auth::PrincipalKind::api_token ||
                    (who.kind == auth::PrincipalKind::user && who.role == auth::Role::admin);
    if (!ok) throw net::HttpError(403, "forbidden", "this needs a tenant admin");
}

std::string path_uuid(const net::Request& request, const char* name, std::string_view what) {
    const std::string& value = request.param(name);
    if (!proto::is_uuid(value)) throw not_found(what);
    return value;
}

template <class F>
net::Response mapped(const Deps& deps, F&& f) {
    const auto retry = deps.authenticator.options().retry_after;
    try {
        return f();
    } catch (const pqxx::deadlock_detected&) {
        return auth::overloaded_response(retry);
    } catch (const pqxx::serialization_failure&) {
        return auth::overloaded_response(retry);
    } catch (const pqxx::broken_connection&) {
        return auth::overloaded_response(retry);
    }
}

// Column types decide the JSON: integers stay integers, booleans booleans, jsonb is embedded.
void write_row(Writer& w, const pqxx::row& row) {
    w.StartObject();
    for (const auto& field : row) {
        const char* name = field.name();
        if (name[0] == '_') continue;
        w.Key(name);
        if (field.is_null()) {
            w.Null();
            continue;
        }
        const auto oid = field.type();
        const std::string_view text(field.c_str(), field.size());
        if (oid == 16) {
            w.Bool(text == "t");
        } else if (oid == 20 || oid == 21 || oid == 23) {
            w.Int64(field.as<long long>());
        } else if (oid == 700 || oid == 701) {
            w.Double(field.as<double>());
        } else if (oid == 114 || oid == 3802) {
            w.RawValue(text.data(), text.size(), rapidjson::kObjectType);
        } else {
            w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
        }
    }
    w.EndObject();
}

// {"items": [...]} plus `tail` (the paging members), one writer for every list answer.
net::Response json_items(const pqxx::result& rows, const std::function<void(Writer&)>& tail = {}) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("items");
    w.StartArray();
    for (const auto& row : rows) write_row(w, row);
    w.EndArray();
    if (tail) tail(w);
    w.EndObject();
    return net::Response::json({buffer.GetString(), buffer.GetSize()});
}

net::Response json_list(const pqxx::result& rows, long long limit, long long offset) {
    const long long total =
        rows.empty() ? 0 : rows[0][rows.column_number("_total")].as<long long>();
    return json_items(rows, [&](Writer& w) {
        w.Key("limit");
        w.Int64(limit);
        w.Key("offset");
        w.Int64(offset);
        w.Key("total");
        w.Int64(total);
    });
}

net::Response json_one(const pqxx::row& row, unsigned status = 200,
                       const std::optional<std::pair<std::string, std::string>>& extra = {}) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    write_row(w, row);
    std::string out(buffer.GetString(), buffer.GetSize());
    if (extra) {
        // One more string member (the webhook secret, shown once), added before the brace.
        rapidjson::StringBuffer b2;
        Writer w2(b2);
        w2.String(extra->second.c_str(), static_cast<rapidjson::SizeType>(extra->second.size()));
        out.pop_back();
        out += fmt::format(",\"{}\":{}}}", extra->first, std::string(b2.GetString(), b2.GetSize()));
    }
    return net::Response::json(std::move(out), status);
}

/// The one row `statement` answers for (tenant, id), or a 404 naming `what`.
net::Response json_found(pqxx::transaction_base& tx, const char* statement,
                         const std::string& tenant, const std::string& id, std::string_view what,
                         unsigned status = 200) {
    const auto rows = tx.exec_prepared(statement, tenant, id);
    if (rows.empty()) throw not_found(what);
    return json_one(rows[0], status);
}

/// A JSON object body whose members are all in `known` (a typo is a 400, not a silent default).
rapidjson::Document body_of(const net::Request& request, const std::set<std::string>& known) {
    auto doc = net::read_json_object(request, net::ContentTypeRule::json_if_given);
    for (const auto& m : doc.GetObject()) {
        const std::string name(m.name.GetString(), m.name.GetStringLength());
        if (known.count(name) == 0) {
            throw invalid(fmt::format("{}: unknown field", proto::utf8_length(name) ? name : "?"));
        }
    }
    return doc;
}

const rapidjson::Value* find(const rapidjson::Document& doc, const char* name) {
    const auto it = doc.FindMember(name);
    if (it == doc.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
}

std::optional<std::string> text(const rapidjson::Document& doc, const char* name, bool required,
                                std::size_t max_chars, bool allow_empty = false) {
    const auto* v = find(doc, name);
    if (v == nullptr) {
        if (required) throw invalid(fmt::format("{}: required", name));
        return std::nullopt;
    }
    if (!v->IsString()) throw invalid(fmt::format("{}: must be a string", name));
    std::string value(v->GetString(), v->GetStringLength());
    const auto chars = proto::utf8_length(value);
    if (!chars) throw invalid(fmt::format("{}: not valid UTF-8", name));
    if (*chars > max_chars) {
        throw invalid(fmt::format("{}: longer than {} characters", name, max_chars));
    }
    if (value.empty() && !allow_empty) throw invalid(fmt::format("{}: must not be empty", name));
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) throw invalid(fmt::format("{}: control characters", name));
    }
    return value;
}

std::optional<long long> integer(const rapidjson::Document& doc, const char* name, long long min,
                                 long long max) {
    const auto* v = find(doc, name);
    if (v == nullptr) return std::nullopt;
    if (!v->IsInt64()) throw invalid(fmt::format("{}: must be an integer", name));
    const auto n = v->GetInt64();
    if (n < min || n > max) {
        throw invalid(fmt::format("{}: must be between {} and {}", name, min, max));
    }
    return n;
}

std::optional<bool> boolean(const rapidjson::Document& doc, const char* name) {
    const auto* v = find(doc, name);
    if (v == nullptr) return std::nullopt;
    if (!v->IsBool()) throw invalid(fmt::format("{}: must be true or false", name));
    return v->GetBool();
}

std::string uuid_array(const std::vector<std::string>& ids) {
    std::string out = "{";
    for (const auto& id : ids) out += (out.size() > 1 ? "," : "") + id;
    return out + "}";
}

struct RuleInput {
    std::string name, kind;
    int threshold = 0;
    std::optional<int> forecast_days;  ///< supply_low only
    std::optional<std::string> site, vendor, device_id;
    bool enabled = true;
    int repeat_minutes = 60;
    bool notify_resolved = true;
    std::vector<std::string> channel_ids;
};

// The unit and range of each kind's threshold (alert_rules in V0011__alerts.sql).
struct KindSpec {
    const char* kind;
    long long min, max;
    const char* unit;
};
constexpr std::array<KindSpec, 5> kKinds{{
    {"supply_low", 0, 100, "percent"},
    {"device_error", 0, 10080, "minutes"},
    {"device_silent", 1, 8760, "hours"},
    {"scanner_silent", 1, 8760, "hours"},
    {"counter_anomaly", 1, 100000, "pages per minute"},
}};

RuleInput parse_rule(const net::Request& request) {
    const auto doc = body_of(
        request, {"name", "kind", "threshold", "forecast_days", "site", "vendor", "device_id",
                  "enabled", "repeat_minutes", "notify_resolved", "channel_ids"});
    RuleInput r;
    r.name = *text(doc, "name", true, 200);
    r.kind = *text(doc, "kind", true, 32);
    const KindSpec* spec = nullptr;
    for (const auto& k : kKinds) {
        if (r.kind == k.kind) spec = &k;
    }
    if (spec == nullptr) {
        throw invalid(
            "kind: must be one of supply_low, device_error, device_silent, "
            "scanner_silent, counter_anomaly");
    }
    if (find(doc, "threshold") == nullptr) {
        throw invalid(fmt::format("threshold: required ({} for {})", spec->unit, spec->kind));
    }
    const auto threshold = integer(doc, "threshold", spec->min, spec->max);
    r.threshold = static_cast<int>(*threshold);
    if (const auto* v = find(doc, "forecast_days")) {
        if (r.kind != "supply_low") {
            throw invalid("forecast_days: only supply_low rules have a forecast condition");
        }
        if (!v->IsInt64()) {
            throw invalid("forecast_days: must be an integer number of days (1 to 365) or null");
        }
        r.forecast_days = static_cast<int>(*integer(doc, "forecast_days", 1, 365));
    }
    r.site = text(doc, "site", false, 200);
    r.vendor = text(doc, "vendor", false, 100);
    if (const auto* v = find(doc, "device_id")) {
        if (!v->IsString() ||
            !proto::is_uuid(std::string_view(v->GetString(), v->GetStringLength()))) {
            throw invalid("device_id: must be a lower-case UUID");
        }
        r.device_id = std::string(v->GetString(), v->GetStringLength());
    }
    if (r.kind == "scanner_silent" && (r.vendor || r.device_id)) {
        throw invalid("scanner_silent rules are scoped by site only (no vendor or device_id)");
    }
    r.enabled = boolean(doc, "enabled").value_or(true);
    r.repeat_minutes = static_cast<int>(integer(doc, "repeat_minutes", 0, 10080).value_or(60));
    r.notify_resolved = boolean(doc, "notify_resolved").value_or(true);
    if (const auto* v = find(doc, "channel_ids")) {
        if (!v->IsArray()) throw invalid("channel_ids: must be an array of channel ids");
        if (v->Size() > 50) throw invalid("channel_ids: at most 50 channels");
        std::set<std::string> seen;
        for (const auto& id : v->GetArray()) {
            if (!id.IsString() ||
                !proto::is_uuid(std::string_view(id.GetString(), id.GetStringLength()))) {
                throw invalid("channel_ids: each must be a lower-case UUID");
            }
            if (seen.emplace(id.GetString(), id.GetStringLength()).second) {
                r.channel_ids.emplace_back(id.GetString(), id.GetStringLength());
            }
        }
    }
    return r;
}

// What a rule refers to must be the tenant's own: another tenant's id is as unknown as a
// random one.
void check_references(pqxx::work& tx, const std::string& tenant, const RuleInput& r) {
    if (r.device_id && tx.exec_prepared(kDeviceExists, tenant, *r.device_id).empty()) {
        throw invalid("device_id: no such device");
    }
    if (!r.channel_ids.empty()) {
        const auto n =
            tx.exec_prepared1(kCountChannels, tenant, uuid_array(r.channel_ids))[0].as<long long>();
        if (n != static_cast<long long>(r.channel_ids.size())) {
            throw invalid("channel_ids: no such channel");
        }
    }
}

void store_rule(pqxx::work& tx, const std::string& tenant, const std::string& rule_id,
                const RuleInput& r, bool create) {
    if (create) {
        tx.exec_prepared0(kInsertRule, tenant, rule_id, r.name, r.kind, r.threshold, r.site,
                          r.vendor, r.device_id, r.enabled, r.repeat_minutes, r.notify_resolved,
                          r.forecast_days);
    } else if (tx.exec_prepared(kUpdateRule, tenant, rule_id, r.name, r.kind, r.threshold, r.site,
                                r.vendor, r.device_id, r.enabled, r.repeat_minutes,
                                r.notify_resolved, r.forecast_days)
                   .empty()) {
        throw not_found("rule");
    }
    tx.exec_prepared0(kClearRuleChannels, tenant, rule_id);
    if (!r.channel_ids.empty()) {
        tx.exec_prepared0(kSetRuleChannels, tenant, rule_id, uuid_array(r.channel_ids));
    }
}

bool valid_email(const std::string& a) {
    const auto at = a.find('@');
    if (at == std::string::npos || at == 0 || at + 1 >= a.size() || a.size() > 254) return false;
    if (a.find('@', at + 1) != std::string::npos) return false;
    if (a.find('.', at) == std::string::npos) return false;
    for (const char ch : a) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' ||
            c == '\\' || c == '(' || c == ')' || c == '[' || c == ']') {
            return false;
        }
    }
    return true;
}

bool valid_url(const std::string& u) {
    const bool scheme = u.rfind("https://", 0) == 0 || u.rfind("http://", 0) == 0;
    if (!scheme) return false;
    const auto host_start = u.find("//") + 2;
    if (host_start >= u.size() || u[host_start] == '/') return false;
    for (const char ch : u) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7f) return false;
    }
    // No user info: credentials in a URL end up in logs.
    const auto path = u.find('/', host_start);
    const auto at = u.find('@', host_start);
    return at == std::string::npos || (path != std::string::npos && at > path);
}

std::string new_secret() {
    // 32 random bytes as hex (64 characters), the form receivers copy into their config.
    std::string out = "whsec_";
    for (const unsigned char b : crypto::random_bytes(32)) out += fmt::format("{:02x}", b);
    return out;
}

struct ChannelInput {
    std::string name, kind, address, language = "en";
    std::optional<std::string> bot_token;  ///< Telegram: required on create, kept when absent
    bool digest = false;
    int digest_hour = 8;
    int max_per_hour = 30;
    bool enabled = true;
    bool rotate_secret = false;
};

ChannelInput parse_channel(const net::Request& request, std::optional<std::string> kind) {
    const auto doc =
        body_of(request, {"name", "kind", "address", "language", "digest", "digest_hour",
                          "max_per_hour", "enabled", "rotate_secret", "bot_token"});
    ChannelInput c;
    c.name = text(doc, "name", false, 200, true).value_or("");
    const auto given = text(doc, "kind", !kind, 16);
    if (kind && given && *given != *kind) throw invalid("kind: cannot be changed");
    c.kind = kind ? *kind : *given;
    if (c.kind != "email" && c.kind != "webhook" && c.kind != "telegram") {
        throw invalid("kind: must be email, webhook or telegram");
    }
    c.address = *text(doc, "address", true, 2048);
    if (c.kind == "email" && !valid_email(c.address)) {
        throw invalid("address: not an e-mail address (name@example.com)");
    }
    if (c.kind == "webhook" && !valid_url(c.address)) {
        throw invalid("address: not an http(s) URL without user info");
    }
    if (c.kind == "telegram" && !valid_telegram_chat(c.address)) {
        throw invalid(
            "address: not a Telegram chat id (a number, -100... for a group) or "
            "@channelname");
    }
    c.bot_token = text(doc, "bot_token", c.kind == "telegram" && !kind, 128);
    if (c.bot_token && c.kind != "telegram") throw invalid("bot_token: Telegram channels only");
    if (c.bot_token && !valid_telegram_token(*c.bot_token)) {
        // Never echo the value: it is a secret even when mistyped.
        throw invalid("bot_token: not a bot token as @BotFather gives it (123456789:AA...)");
    }
    c.language = text(doc, "language", false, 2).value_or("en");
    if (c.language != "en" && c.language != "ru") throw invalid("language: must be en or ru");
    c.digest = boolean(doc, "digest").value_or(false);
    if (c.digest && c.kind == "webhook") throw invalid("digest: webhooks have no digests");
    c.digest_hour = static_cast<int>(integer(doc, "digest_hour", 0, 23).value_or(8));
    c.max_per_hour = static_cast<int>(integer(doc, "max_per_hour", 1, 10000).value_or(30));
    c.enabled = boolean(doc, "enabled").value_or(true);
    c.rotate_secret = boolean(doc, "rotate_secret").value_or(false);
    if (c.rotate_secret && c.kind != "webhook") throw invalid("rotate_secret: webhooks only");
    return c;
}

class Registrar {
  public:
    Registrar(net::Router& router, std::shared_ptr<const Deps> deps)
        : router_(router), deps_(std::move(deps)) {}
    void add(const char* method, const std::string& pattern,
             std::function<net::Response(net::Request&)> f) {
        net::RouteOptions options;
        options.tag = std::string(auth::kTagAnalytics);
        options.max_body_bytes = std::string_view(method) == "GET" ? 0 : kMaxBody;
        router_.add(method, pattern, deps_->authenticator.guarded(std::move(f)), options);
    }

  private:
    net::Router& router_;
    std::shared_ptr<const Deps> deps_;
};

}  // namespace

void prepare_route_statements(pqxx::connection& conn) {
    conn.prepare(kListAlerts, kListAlertsSql);
    conn.prepare(kGetAlert, kGetAlertSql);
    conn.prepare(kAcknowledge, kAcknowledgeSql);
    conn.prepare(kSnooze, kSnoozeSql);
    conn.prepare(kListRules, kListRulesSql);
    conn.prepare(kGetRule, kGetRuleSql);
    conn.prepare(kInsertRule, kInsertRuleSql);
    conn.prepare(kUpdateRule, kUpdateRuleSql);
    conn.prepare(kDeleteRule, kDeleteRuleSql);
    conn.prepare(kClearRuleChannels, kClearRuleChannelsSql);
    conn.prepare(kSetRuleChannels, kSetRuleChannelsSql);
    conn.prepare(kCountChannels, kCountChannelsSql);
    conn.prepare(kDeviceExists, kDeviceExistsSql);
    conn.prepare(kListChannels, kListChannelsSql);
    conn.prepare(kGetChannel, kGetChannelSql);
    conn.prepare(kInsertChannel, kInsertChannelSql);
    conn.prepare(kUpdateChannel, kUpdateChannelSql);
    conn.prepare(kChannelKind, kChannelKindSql);
    conn.prepare(kChannelToken, kChannelTokenSql);
    conn.prepare(kDeleteChannel, kDeleteChannelSql);
    conn.prepare(kChannelForTest, kChannelForTestSql);
    conn.prepare(kQueueTest, kQueueTestSql);
    conn.prepare(kDeliveries, kDeliveriesSql);
}

void register_alerting_routes(net::Router& router, storage::ConnectionPool& pool,
                              const auth::Authenticator& authenticator,
                              std::shared_ptr<storage::SecretKeyHolder> keys, NotifyConfig notify,
                              std::size_t request_threads,
                              std::function<void(const std::string&)> on_change) {
    if (!keys) throw std::invalid_argument("the alerting routes need the secrets key");
    auto deps = std::make_shared<const Deps>(
        Deps{pool, authenticator, std::move(keys), std::move(notify), std::move(on_change),
             std::make_shared<auth::RequestBrake>("telegram-chats", chat_lookup_limits()),
             std::make_shared<std::atomic<int>>(0),
             static_cast<int>(std::max<std::size_t>(request_threads / 2, 1))});
    Registrar r(router, deps);
    auto log = common::get_logger("cloud.alerting");
    const auto changed = [deps](const std::string& tenant) {
        if (deps->on_change) deps->on_change(tenant);
    };
    const auto write = [deps](const std::function<net::Response(pqxx::work&)>& body) {
        return mapped(*deps, [&] {
            storage::Lease lease = deps->pool.acquire();
            return db::with_transaction(*lease, body);
        });
    };
    const auto read = [deps](const std::function<net::Response(pqxx::transaction_base&)>& body) {
        return mapped(*deps, [&] {
            storage::Lease lease = deps->pool.acquire();
            pqxx::nontransaction tx(*lease);
            return body(tx);
        });
    };
    // The shapes every resource shares: its list (no parameters), one by id, and delete by id
    // (a tenant admin's).
    const auto list_all = [&r, read](const std::string& path, const char* statement) {
        r.add("GET", path, [read, statement](net::Request& request) {
            const auto tenant = tenant_of(request);
            const api::Params p(request, {});
            return read([&](pqxx::transaction_base& tx) {
                return json_items(tx.exec_prepared(statement, tenant));
            });
        });
    };
    const auto get_one = [&r, read](const std::string& path, const char* param,
                                    const char* statement, const char* what) {
        r.add("GET", path, [read, param, statement, what](net::Request& request) {
            const auto tenant = tenant_of(request);
            const auto id = path_uuid(request, param, what);
            return read([&](pqxx::transaction_base& tx) {
                return json_found(tx, statement, tenant, id, what);
            });
        });
    };
    // `statement` answers the deleted row's name, for the audit log's `action`.
    const auto delete_one = [&r, write](const std::string& path, const char* param,
                                        const char* statement, const char* what,
                                        const char* action) {
        r.add("DELETE", path, [write, param, statement, what, action](net::Request& request) {
            const auto tenant = tenant_of(request);
            require_admin(request);
            const auto id = path_uuid(request, param, what);
            return write([&](pqxx::work& tx) {
                const auto gone = tx.exec_prepared(statement, tenant, id);
                if (gone.empty()) throw not_found(what);
                api::record_audit(tx, request, tenant,
                                  {action, id, gone[0][0].as<std::string>(), {}});
                return net::Response::empty(204);
            });
        });
    };
    // An alert changed by `statement` ($1 tenant, $2 alert, $3 `value`), answered as it is now.
    // `action` and `detail` are the audit log's (the alert's subject names it there).
    const auto change_alert = [write](const net::Request& request, const char* statement,
                                      const std::optional<std::string>& value, const char* action,
                                      const std::string& detail) {
        const auto tenant = tenant_of(request);
        const auto id = path_uuid(request, "alert_id", "alert");
        return write([&](pqxx::work& tx) {
            if (tx.exec_prepared(statement, tenant, id, value).empty()) throw not_found("alert");
            const auto row = tx.exec_prepared1(kGetAlert, tenant, id);
            api::record_audit(tx, request, tenant,
                              {action, id, row["subject"].as<std::string>(""), detail});
            return json_one(row);
        });
    };

    r.add("GET", "/api/v1/alerting/alerts", [read](net::Request& request) {
        const auto tenant = tenant_of(request);
        const api::Params p(request, {"state", "site", "device", "kind", "severity"});
        const auto state = p.choice(
            "state", {"open", "pending", "resolved", "acknowledged", "snoozed", "all"}, "open");
        const auto severity = p.choice("severity", {"critical", "warning", "info", ""}, "");
        const auto kind = p.choice("kind",
                                   {"supply_low", "device_error", "device_silent", "scanner_silent",
                                    "counter_anomaly", ""},
                                   "");
        const auto page = p.page();
        const auto unless = [](const std::string& v, std::string_view none) {
            return v == none ? std::nullopt : std::optional<std::string>(v);
        };
        return read([&](pqxx::transaction_base& tx) {
            return json_list(tx.exec_prepared(kListAlerts, tenant, unless(state, "all"),
                                              p.text("site"), p.uuid("device"), unless(kind, ""),
                                              page.limit, page.offset, unless(severity, "")),
                             page.limit, page.offset);
        });
    });

    get_one("/api/v1/alerting/alerts/{alert_id}", "alert_id", kGetAlert, "alert");

    r.add("POST", "/api/v1/alerting/alerts/{alert_id}/acknowledge",
          [change_alert, log](net::Request& request) {
              const auto& who = auth::principal_of(request);
              auto response =
                  change_alert(request, kAcknowledge, who.subject, "alert_acknowledged", "");
              log->info("event=alert_acknowledged tenant={} alert={} by={}", tenant_of(request),
                        request.param("alert_id"), common::log_value(who.subject));
              return response;
          });

    r.add("POST", "/api/v1/alerting/alerts/{alert_id}/snooze",
          [change_alert](net::Request& request) {
              // Who and which alert first, as everywhere: a foreign tenant's id is not a body
              // error.
              tenant_of(request);
              path_uuid(request, "alert_id", "alert");
              const auto doc = body_of(request, {"minutes", "until"});
              std::optional<std::string> until;
              const auto minutes = integer(doc, "minutes", 0, 43200);
              const auto until_text = text(doc, "until", false, 64);
              if (minutes && until_text) throw invalid("give minutes or until, not both");
              if (minutes && *minutes > 0) {
                  until = proto::format_rfc3339(std::chrono::system_clock::now() +
                                                std::chrono::minutes(*minutes));
              } else if (until_text) {
                  const auto at = proto::parse_rfc3339(*until_text);
                  if (!at) throw invalid("until: not an RFC 3339 time");
                  if (*at <= std::chrono::system_clock::now())
                      throw invalid("until: must be ahead");
                  until = proto::format_rfc3339(*at, proto::TimePrecision::milliseconds);
              } else if (!minutes) {
                  throw invalid("minutes or until: required (minutes 0 ends the snooze)");
              }
              return change_alert(request, kSnooze, until, "alert_snoozed",
                                  until ? "until=" + *until : std::string("snooze cleared"));
          });

    list_all("/api/v1/alerting/rules", kListRules);
    get_one("/api/v1/alerting/rules/{rule_id}", "rule_id", kGetRule, "rule");

    // Create (no id) or replace a rule: the same body, checks and answer.
    const auto save_rule = [write, changed, log](const net::Request& request, bool create) {
        const auto tenant = tenant_of(request);
        require_admin(request);
        const std::string id = create ? proto::new_uuid() : path_uuid(request, "rule_id", "rule");
        const auto input = parse_rule(request);
        auto response = write([&](pqxx::work& tx) {
            check_references(tx, tenant, input);
            store_rule(tx, tenant, id, input, create);
            api::record_audit(
                tx, request, tenant,
                {create ? "rule_created" : "rule_updated", id, input.name,
                 fmt::format("kind={}{}", input.kind, input.enabled ? "" : "; disabled")});
            return json_one(tx.exec_prepared1(kGetRule, tenant, id), create ? 201 : 200);
        });
        log->info("event=alert_rule_{} tenant={} rule={} kind={}", create ? "created" : "updated",
                  tenant, id, input.kind);
        changed(tenant);
        return response;
    };
    r.add("POST", "/api/v1/alerting/rules",
          [save_rule](net::Request& request) { return save_rule(request, true); });
    r.add("PUT", "/api/v1/alerting/rules/{rule_id}",
          [save_rule](net::Request& request) { return save_rule(request, false); });
    delete_one("/api/v1/alerting/rules/{rule_id}", "rule_id", kDeleteRule, "rule", "rule_deleted");

    list_all("/api/v1/alerting/channels", kListChannels);

    // A channel as stored, with its webhook secret when one was just made (shown only then).
    const auto channel_answer = [](pqxx::work& tx, const std::string& tenant, const std::string& id,
                                   const std::optional<std::string>& secret, unsigned status) {
        const auto row = tx.exec_prepared1(kGetChannel, tenant, id);
        if (!secret) return json_one(row, status);
        return json_one(row, status, std::make_pair(std::string("secret"), *secret));
    };

    r.add("POST", "/api/v1/alerting/channels",
          [deps, write, channel_answer](net::Request& request) {
              const auto tenant = tenant_of(request);
              require_admin(request);
              const auto c = parse_channel(request, std::nullopt);
              const std::string id = proto::new_uuid();
              const std::optional<std::string> secret =
                  c.kind == "webhook" ? std::optional<std::string>(new_secret()) : std::nullopt;
              // A Telegram channel stores the tenant's bot token where a webhook keeps its secret,
              // sealed the same way, and never answers it back (only secret_set).
              const auto plain = secret.value_or(c.bot_token.value_or(""));
              return write([&](pqxx::work& tx) {
                  // No secret (an e-mail channel) takes no key: stored empty and plain.
                  const auto key =
                      plain.empty() ? deps->keys->current() : current_key(tx, *deps->keys);
                  const auto stored = storage::seal_channel_secret(*key, tenant, id, plain);
                  tx.exec_prepared0(kInsertChannel, tenant, id, c.name, c.kind, c.address,
                                    c.language, c.digest, c.digest_hour, c.max_per_hour, c.enabled,
                                    stored.value, stored.scheme, stored.key_id);
                  api::record_audit(tx, request, tenant,
                                    {"channel_created", id, c.name, "kind=" + c.kind});
                  return channel_answer(tx, tenant, id, secret, 201);
              });
          });

    r.add("PUT", "/api/v1/alerting/channels/{channel_id}",
          [deps, write, channel_answer](net::Request& request) {
              const auto tenant = tenant_of(request);
              require_admin(request);
              const auto id = path_uuid(request, "channel_id", "channel");
              return write([&](pqxx::work& tx) {
                  const auto kind = tx.exec_prepared(kChannelKind, tenant, id);
                  if (kind.empty()) throw not_found("channel");
                  const auto c = parse_channel(request, kind[0][0].as<std::string>());
                  const std::optional<std::string> secret =
                      c.rotate_secret ? std::optional<std::string>(new_secret()) : std::nullopt;
                  const std::optional<std::string> plain = secret ? secret : c.bot_token;
                  // NULLs keep the stored secret (an edit that does not change it).
                  std::optional<std::string> value, scheme, key_id;
                  if (plain) {
                      auto stored = storage::seal_channel_secret(*current_key(tx, *deps->keys),
                                                                 tenant, id, *plain);
                      value = std::move(stored.value);
                      scheme = std::move(stored.scheme);
                      key_id = std::move(stored.key_id);
                  }
                  tx.exec_prepared(kUpdateChannel, tenant, id, c.name, c.address, c.language,
                                   c.digest, c.digest_hour, c.max_per_hour, c.enabled, value,
                                   c.kind, scheme, key_id);
                  // A new secret or bot token is said, never shown.
                  api::record_audit(
                      tx, request, tenant,
                      {"channel_updated", id, c.name,
                       fmt::format("kind={}{}{}", c.kind, c.enabled ? "" : "; disabled",
                                   plain ? "; secret replaced" : "")});
                  return channel_answer(tx, tenant, id, secret, 200);
              });
          });

    get_one("/api/v1/alerting/channels/{channel_id}", "channel_id", kGetChannel, "channel");
    delete_one("/api/v1/alerting/channels/{channel_id}", "channel_id", kDeleteChannel, "channel",
               "channel_deleted");

    // The chats the bot has seen lately, for the console's "Find chats" (the hard step of the
    // Telegram set-up): the token as typed, or the stored one of the channel being edited.
    // Blocks on the Bot API, bounded by [notify] connect_timeout_ms and timeout_ms; admins only.
    r.add("POST", "/api/v1/alerting/telegram-chats", [deps, read, write](net::Request& request) {
        const auto tenant = tenant_of(request);
        require_admin(request);
        const auto doc = body_of(request, {"bot_token", "channel_id"});
        auto token = text(doc, "bot_token", false, 128);
        const auto channel = text(doc, "channel_id", false, 64);
        if (token && !valid_telegram_token(*token)) {
            throw invalid("bot_token: not a bot token as @BotFather gives it (123456789:AA...)");
        }
        if (!token) {
            if (!channel)
                throw invalid("bot_token: required (or channel_id of a Telegram channel)");
            if (!proto::is_uuid(*channel)) throw not_found("channel");
            std::string stored_token;
            read([&](pqxx::transaction_base& tx) {
                const auto rows = tx.exec_prepared(kChannelToken, tenant, *channel);
                if (rows.empty()) throw not_found("channel");
                const storage::StoredSecret stored{rows[0][0].as<std::string>(),
                                                   rows[0][1].as<std::string>(),
                                                   rows[0][2].as<std::string>()};
                auto plain = storage::open_channel_secret(*deps->keys, tenant, *channel, stored);
                if (!plain) {
                    throw net::HttpError(409, "secret_unreadable",
                                         "the channel's bot token cannot be read: enter it again");
                }
                stored_token = std::move(*plain);
                return net::Response::json("{}");  // not answered: the token is used below
            });
            token = std::move(stored_token);
        }
        const auto& remote = request.remote_address;
        write([&](pqxx::work& tx) {
            if (const auto wait = deps->chat_lookups->blocked(tx, tenant, remote)) {
                common::get_logger("cloud.alerting")
                    ->warn("event=telegram_chats_rate_limited tenant={} remote={}", tenant, remote);
                throw net::HttpError(
                    429, "too_many_attempts",
                    fmt::format("too many chat lookups; try again in {} s", wait->count()))
                    .with_header("Retry-After", std::to_string(wait->count()));
            }
            deps->chat_lookups->record(tx, tenant, remote);
            return net::Response::json("{}");  // not answered: counted only
        });
        const ChatLookupPlace place(*deps->chat_lookups_running, deps->max_chat_lookups);
        if (!place.held()) {
            throw net::HttpError(429, "busy", "other chat lookups are running; try again shortly")
                .with_header("Retry-After", "5");
        }
        auto chats = find_telegram_chats(deps->notify, *token);
        if (!chats) {
            const bool refused = chats.error().from_telegram;
            throw net::HttpError(502, refused ? "telegram_refused" : "telegram_unreachable",
                                 "Telegram: " + chats.error().detail);
        }
        rapidjson::StringBuffer out;
        Writer w(out);
        w.StartObject();
        w.Key("items");
        w.StartArray();
        for (const auto& c : *chats) {
            w.StartObject();
            w.Key("chat_id");
            w.String(c.chat_id.c_str(), static_cast<rapidjson::SizeType>(c.chat_id.size()));
            w.Key("title");
            w.String(c.title.c_str(), static_cast<rapidjson::SizeType>(c.title.size()));
            w.Key("type");
            w.String(c.type.c_str(), static_cast<rapidjson::SizeType>(c.type.size()));
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
        return net::Response::json(out.GetString());
    });

    r.add("POST", "/api/v1/alerting/channels/{channel_id}/test", [write](net::Request& request) {
        const auto tenant = tenant_of(request);
        require_admin(request);
        const auto id = path_uuid(request, "channel_id", "channel");
        return write([&](pqxx::work& tx) {
            const auto rows = tx.exec_prepared(kChannelForTest, tenant, id);
            if (rows.empty()) throw not_found("channel");
            const auto kind = rows[0][0].as<std::string>();
            const std::string notification = proto::new_uuid();
            std::string subject, body;
            if (kind == "webhook") {
                body = render_test_webhook(notification, tenant);
            } else {
                auto mail =
                    render_test_email(rows[0][2].as<std::string>(), rows[0][1].as<std::string>());
                subject = std::move(mail.subject);
                body = std::move(mail.body);
            }
            tx.exec_prepared0(kQueueTest, tenant, notification, id, subject, body);
            rapidjson::StringBuffer buffer;
            Writer w(buffer);
            w.StartObject();
            w.Key("notification_id");
            w.String(notification.c_str(), static_cast<rapidjson::SizeType>(notification.size()));
            w.Key("state");
            w.String("queued");
            w.EndObject();
            return net::Response::json({buffer.GetString(), buffer.GetSize()}, 202);
        });
    });

    r.add("GET", "/api/v1/alerting/deliveries", [read](net::Request& request) {
        const auto tenant = tenant_of(request);
        const api::Params p(request, {"alert", "channel", "state"});
        const auto state =
            p.choice("state", {"queued", "sending", "sent", "failed", "suppressed", ""}, "");
        const auto page = p.page();
        return read([&](pqxx::transaction_base& tx) {
            return json_list(
                tx.exec_prepared(kDeliveries, tenant, p.uuid("alert"), p.uuid("channel"),
                                 state.empty() ? std::nullopt : std::optional<std::string>(state),
                                 page.limit, page.offset),
                page.limit, page.offset);
        });
    });
}

}  // namespace printmon::cloud::alerts
