#include "web/web_store.hpp"

#include <array>
#include <utility>

#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "printmon/proto/time.hpp"
#include "storage/export.hpp"

namespace printmon::scanner::web {
namespace {

struct Statement {
    const char* name;
    const char* sql;
};

// Times leave the database as epoch milliseconds and become RFC 3339 text here.
#define PM_MS(col) "floor(extract(epoch FROM " col ") * 1000)::bigint"

constexpr Statement kHasUsers{"web_has_users", "SELECT EXISTS (SELECT 1 FROM web_users)"};
constexpr Statement kUserByName{
    "web_user_by_name",
    "SELECT user_id, username, password_hash FROM web_users WHERE username = $1"};
constexpr Statement kUserById{
    "web_user_by_id", "SELECT user_id, username, password_hash FROM web_users WHERE user_id = $1"};
// Rationale: the NOT EXISTS and the unique username together make a concurrent second setup
// fail instead of creating a second administrator.
constexpr Statement kCreateFirstUser{
    "web_create_first_user",
    "INSERT INTO web_users (username, password_hash) SELECT $1, $2 "
    "WHERE NOT EXISTS (SELECT 1 FROM web_users) ON CONFLICT (username) DO NOTHING "
    "RETURNING user_id"};
constexpr Statement kSetPassword{
    "web_set_password",
    "UPDATE web_users SET password_hash = $2, password_changed_at = now() WHERE user_id = $1"};
constexpr Statement kDeleteOtherSessions{
    "web_delete_other_sessions",
    "DELETE FROM web_sessions WHERE user_id = $1 AND token_hash <> $2"};
constexpr Statement kCreateSession{
    "web_create_session",
    "INSERT INTO web_sessions (token_hash, user_id, csrf_token, expires_at, remote) "
    "VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5)"};
constexpr Statement kSession{
    "web_session",
    "SELECT s.user_id, u.username, s.csrf_token FROM web_sessions s "
    "JOIN web_users u USING (user_id) WHERE s.token_hash = $1 AND s.expires_at > now()"};
constexpr Statement kDeleteSession{"web_delete_session",
                                   "DELETE FROM web_sessions WHERE token_hash = $1"};
constexpr Statement kPruneSessions{"web_prune_sessions",
                                   "DELETE FROM web_sessions WHERE expires_at <= now()"};
constexpr Statement kCreateApiToken{
    "web_create_api_token",
    "INSERT INTO web_api_tokens (user_id, name, token_hash) VALUES ($1, $2, $3) "
    "RETURNING token_id"};
constexpr Statement kApiToken{
    "web_api_token",
    "UPDATE web_api_tokens t SET last_used_at = now() FROM web_users u "
    "WHERE t.token_hash = $1 AND u.user_id = t.user_id RETURNING t.user_id, u.username, t.name"};
constexpr Statement kApiTokens{"web_api_tokens",
                               "SELECT token_id, name, " PM_MS("created_at") ", " PM_MS(
                                   "last_used_at") " FROM web_api_tokens WHERE user_id = $1 "
                                                   "ORDER BY created_at, token_id"};
constexpr Statement kDeleteApiToken{"web_delete_api_token",
                                    "DELETE FROM web_api_tokens WHERE user_id = $1 AND "
                                    "token_id::text = $2"};
constexpr Statement kLoginFailures{
    "web_login_failures",
    "SELECT count(*) FROM web_login_attempts WHERE remote = $1 AND NOT success "
    "AND at > now() - make_interval(secs => $2) AND at > coalesce((SELECT max(at) FROM "
    "web_login_attempts WHERE remote = $1 AND success), '-infinity')"};
constexpr Statement kLoginRecord{
    "web_login_record",
    "INSERT INTO web_login_attempts (remote, username, success) VALUES ($1, $2, $3)"};
constexpr Statement kLoginPrune{"web_login_prune",
                                "DELETE FROM web_login_attempts WHERE at < now() - interval '30 "
                                "days'"};

#define PM_DEVICE_COLUMNS \
    "d.device_id, d.address, d.port, d.vendor, d.model, d.serial, d.mac, d.firmware, "        \
    "d.sys_name, d.location, d.status, d.polling_interval_s, d.enabled, d.manual, "          \
    "d.credential_id, " PM_MS("d.first_seen") ", " PM_MS("d.last_seen") ", " PM_MS(           \
        "d.last_polled_at") ", d.last_error, d.consecutive_failures, "                        \
                            "array_to_string(d.current_errors, ' '), r.snapshot::text, "   \
                            "d.snmp_version "
constexpr Statement kDevices{
    "web_devices",
    "SELECT " PM_DEVICE_COLUMNS
    "FROM devices d LEFT JOIN readings r ON r.reading_id = d.last_reading_id "
    "WHERE d.deleted_at IS NULL ORDER BY d.location = '', d.location, d.address, d.device_id"};
constexpr Statement kDevice{"web_device", "SELECT " PM_DEVICE_COLUMNS
                                          "FROM devices d LEFT JOIN readings r ON r.reading_id = "
                                          "d.last_reading_id WHERE d.deleted_at IS NULL AND "
                                          "d.device_id::text = $1"};
constexpr Statement kSetLocation{"web_set_location",
                                 "UPDATE devices SET location = $2, updated_at = now() "
                                 "WHERE device_id::text = $1 AND deleted_at IS NULL"};
constexpr Statement kReadings{
    "web_readings",
    "SELECT reading_id, " PM_MS("polled_at") ", snapshot::text FROM readings "
    "WHERE device_id::text = $1 ORDER BY polled_at DESC LIMIT $2"};
constexpr Statement kEvents{"web_events",
                            "SELECT " PM_MS("at") ", kind, code, action, detail FROM events "
                            "WHERE device_id::text = $1 ORDER BY at DESC LIMIT $2"};
// Rationale: the events table keeps transitions, not state, so "still open" is the newest event
// of a device, kind and code being an appearance (a tie at the same instant counts as cleared:
// 'cleared' sorts after 'appeared' and DESC takes it first). Supplies come from the newest
// reading, the same "consumed" class the cloud's supply_low rule reads. A supply without a
// percentage counts when the printer calls it empty, or low unless only empties are asked for.
constexpr Statement kLocalAlerts{
    "web_local_alerts",
    "WITH last_event AS ("
    " SELECT DISTINCT ON (e.device_id, e.kind, e.code) e.device_id, e.kind, e.code, e.action, "
    "  e.detail, e.at FROM events e WHERE e.kind IN ('error', 'alert', 'tray', 'cover') "
    " ORDER BY e.device_id, e.kind, e.code, e.at DESC, e.action DESC) "
    "SELECT d.device_id::text, d.vendor, d.model, coalesce(d.address, ''), d.location, l.kind, "
    " l.code, l.detail, " PM_MS("l.at") ", NULL::integer, NULL::text "
    "FROM last_event l JOIN devices d ON d.device_id = l.device_id "
    "WHERE l.action = 'appeared' AND d.deleted_at IS NULL AND d.enabled "
    // A tray fed by hand is no alert when empty (storage/transitions.cpp); this also hides an
    // event opened before the scanner knew the tray as one, when its printer typed it so.
    " AND (l.kind <> 'tray' OR NOT EXISTS (SELECT 1 FROM readings r CROSS JOIN LATERAL "
    "  jsonb_array_elements(coalesce(r.snapshot -> 'trays', '[]')) t "
    "  WHERE r.reading_id = d.last_reading_id AND (t ->> 'name') || ':empty' = l.code "
    "  AND t ->> 'type' = 'sheet_feed_manual')) "
    "UNION ALL "
    "SELECT d.device_id::text, d.vendor, d.model, coalesce(d.address, ''), d.location, "
    " 'supply_low', coalesce(s ->> 'type', '') || '/' || coalesce(s ->> 'color', ''), "
    " coalesce(s ->> 'description', ''), " PM_MS("r.polled_at") ", "
    " round((s ->> 'level_percent')::numeric)::integer, s ->> 'state' "
    "FROM devices d JOIN readings r ON r.reading_id = d.last_reading_id "
    "CROSS JOIN LATERAL jsonb_array_elements(coalesce(r.snapshot -> 'supplies', '[]')) s "
    "WHERE d.deleted_at IS NULL AND d.enabled AND coalesce(s ->> 'class', 'consumed') = 'consumed' "
    " AND (CASE WHEN jsonb_typeof(s -> 'level_percent') = 'number' "
    "      THEN (s ->> 'level_percent')::numeric <= $1::integer "
    "      ELSE s ->> 'state' = 'empty' OR (s ->> 'state' = 'low' AND $1::integer > 0) END) "
    "UNION ALL "
    "SELECT d.device_id::text, d.vendor, d.model, coalesce(d.address, ''), d.location, "
    " 'offline', 'offline', coalesce(d.last_error, ''), "
    PM_MS("coalesce(d.last_seen, d.first_seen, d.last_polled_at)") ", NULL::integer, NULL::text "
    "FROM devices d WHERE d.deleted_at IS NULL AND d.enabled AND d.status = 'offline' "
    "ORDER BY 9 DESC NULLS LAST, 1, 6, 7"};
constexpr Statement kCredentials{
    "web_credentials",
    "SELECT c.credential_id, c.name, c.ordinal, c.version, c.v3_user, c.auth_protocol, "
    "c.priv_protocol, c.context, c.enabled, c.community <> '', c.secret_scheme, "
    "c.secret_key_id, array_to_string(ARRAY(SELECT rc.range_id::text FROM range_credentials rc "
    "WHERE rc.credential_id = c.credential_id ORDER BY rc.range_id), ',') "
    "FROM credentials c ORDER BY c.ordinal, c.created_at, c.credential_id"};
constexpr Statement kDeleteCredential{"web_delete_credential",
                                      "DELETE FROM credentials WHERE credential_id::text = $1"};
constexpr Statement kRanges{
    "web_ranges",
    "SELECT r.range_id, r.target, r.exclude, r.enabled, r.note, " PM_MS(
        "r.created_at") ", array_to_string(ARRAY(SELECT rc.credential_id::text FROM "
                        "range_credentials rc WHERE rc.range_id = r.range_id ORDER BY "
                        "rc.position), ',') FROM discovery_ranges r ORDER BY r.exclude, "
                        "r.created_at, r.range_id"};
constexpr Statement kDeleteRange{"web_delete_range",
                                 "DELETE FROM discovery_ranges WHERE range_id::text = $1"};
constexpr Statement kSetting{"web_setting", "SELECT value #>> '{}' FROM settings WHERE key = $1"};
constexpr Statement kUploaderStatus{
    "web_uploader_status",
    "SELECT " PM_MS("last_success_at") ", " PM_MS("last_attempt_at") ", last_error, " PM_MS(
        "updated_at") ", queue_length, (SELECT count(*) FROM readings WHERE sent_at IS NULL) "
                      "FROM uploader_status"};
constexpr Statement kHealth{
    "web_health",
    "SELECT current_setting('server_version'), pg_database_size(current_database()), "
    "(SELECT count(*) FROM devices WHERE deleted_at IS NULL), "
    "(SELECT reltuples::bigint FROM pg_class WHERE relname = 'readings')"};

// The audit log (V0007). Labels are cut to the columns' bounds here, in characters.
constexpr Statement kAuditRecord{
    "web_audit_record",
    "INSERT INTO web_audit_log (actor_kind, actor, action, target, detail, address) "
    "VALUES ($1, left($2, 200), $3, left($4, 400), left($5, 400), left($6, 64))"};
constexpr Statement kAuditList{
    "web_audit_list",
    "SELECT entry_id, " PM_MS("at") ", actor_kind, actor, action, target, detail, address "
    "FROM web_audit_log WHERE $1 = '' OR action = $1 "
    "ORDER BY at DESC, entry_id DESC LIMIT $2 OFFSET $3"};
constexpr Statement kAuditCount{"web_audit_count",
                                "SELECT count(*) FROM web_audit_log WHERE $1 = '' OR action = $1"};

#undef PM_DEVICE_COLUMNS

constexpr std::array<Statement, 33> kStatements = {
    kAuditRecord,      kAuditList,      kAuditCount,
    kHasUsers,         kUserByName,     kUserById,
    kCreateFirstUser,  kSetPassword,    kDeleteOtherSessions,
    kCreateSession,    kSession,        kDeleteSession,
    kPruneSessions,    kCreateApiToken, kApiToken,
    kApiTokens,        kDeleteApiToken, kLoginFailures,
    kLoginRecord,      kLoginPrune,     kDevices,
    kDevice,           kSetLocation,    kReadings,
    kEvents,           kLocalAlerts,    kCredentials,
    kDeleteCredential, kRanges,         kDeleteRange,
    kSetting,          kUploaderStatus, kHealth};

std::optional<std::string> time_of(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    return proto::format_rfc3339(
        std::chrono::system_clock::time_point(std::chrono::milliseconds(f.as<long long>())));
}

std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

DeviceView device_view(const pqxx::row& r) {
    DeviceView d;
    d.device_id = r[0].as<std::string>();
    d.address = r[1].get<std::string>();
    d.port = r[2].as<int>();
    d.vendor = r[3].as<std::string>();
    d.model = r[4].as<std::string>();
    d.serial = r[5].as<std::string>();
    d.mac = r[6].as<std::string>();
    d.firmware = r[7].as<std::string>();
    d.sys_name = r[8].as<std::string>();
    d.location = r[9].as<std::string>();
    d.status = r[10].as<std::string>();
    d.interval_s = r[11].get<int>();
    d.enabled = r[12].as<bool>();
    d.manual = r[13].as<bool>();
    d.credential_id = r[14].get<std::string>();
    d.first_seen = time_of(r[15]);
    d.last_seen = time_of(r[16]);
    d.last_polled_at = time_of(r[17]);
    d.last_error = r[18].get<std::string>();
    d.consecutive_failures = r[19].as<int>();
    d.current_errors = split_words(r[20].as<std::string>());
    d.snapshot_json = r[21].get<std::string>();
    d.snmp_version = r[22].get<std::string>();
    return d;
}

}  // namespace

WebStore::WebStore(std::string conninfo, std::shared_ptr<storage::SecretKeyHolder> key)
    : key_(key), store_(std::move(conninfo), std::move(key)) {}
WebStore::WebStore(db::Connection& borrowed, std::shared_ptr<storage::SecretKeyHolder> key)
    : key_(key), store_(borrowed, std::move(key)) {}
WebStore::~WebStore() = default;

void WebStore::prepare(pqxx::connection& conn) {
    storage::Store::prepare(conn);
    for (const auto& s : kStatements) conn.prepare(s.name, s.sql);
    storage::prepare_export_statements(conn);
}

void WebStore::ensure_connected() {
    if (store_.connected()) return;
    store_.connect();
    try {
        auto& conn = raw();
        for (const auto& s : kStatements) conn.prepare(s.name, s.sql);
        storage::prepare_export_statements(conn);
    } catch (...) {
        store_.disconnect();
        throw;
    }
}

void WebStore::disconnect() { store_.disconnect(); }

bool WebStore::has_users() {
    pqxx::read_transaction tx(raw());
    return tx.exec_prepared(kHasUsers.name)[0][0].as<bool>();
}

namespace {
std::optional<UserRow> user_row(const pqxx::result& rows) {
    if (rows.empty()) return std::nullopt;
    return UserRow{rows[0][0].as<std::string>(), rows[0][1].as<std::string>(),
                   rows[0][2].as<std::string>()};
}
}  // namespace

std::optional<UserRow> WebStore::user_by_name(const std::string& username) {
    pqxx::read_transaction tx(raw());
    return user_row(tx.exec_prepared(kUserByName.name, username));
}

std::optional<UserRow> WebStore::user_by_id(const std::string& user_id) {
    pqxx::read_transaction tx(raw());
    return user_row(tx.exec_prepared(kUserById.name, user_id));
}

std::optional<std::string> WebStore::create_first_user(const std::string& username,
                                                       const std::string& password_hash) {
    return db::with_transaction(raw(), [&](pqxx::work& tx) -> std::optional<std::string> {
        // Serialises concurrent first-run setups (the NOT EXISTS alone would let two through).
        tx.exec("LOCK TABLE web_users IN SHARE ROW EXCLUSIVE MODE");
        const auto rows = tx.exec_prepared(kCreateFirstUser.name, username, password_hash);
        if (rows.empty()) return std::nullopt;
        return rows[0][0].as<std::string>();
    });
}

void WebStore::set_password(const std::string& user_id, const std::string& password_hash,
                            const std::string& keep_session_hash) {
    db::with_transaction(raw(), [&](pqxx::work& tx) {
        tx.exec_prepared(kSetPassword.name, user_id, password_hash);
        tx.exec_prepared(kDeleteOtherSessions.name, user_id, keep_session_hash);
    });
}

void WebStore::create_session(const std::string& token_hash, const std::string& user_id,
                              const std::string& csrf_token, std::chrono::seconds lifetime,
                              const std::string& remote) {
    db::with_transaction(raw(), [&](pqxx::work& tx) {
        tx.exec_prepared(kPruneSessions.name);
        tx.exec_prepared(kCreateSession.name, token_hash, user_id, csrf_token,
                         static_cast<double>(lifetime.count()), remote);
    });
}

std::optional<Principal> WebStore::session(const std::string& token_hash) {
    pqxx::read_transaction tx(raw());
    const auto rows = tx.exec_prepared(kSession.name, token_hash);
    if (rows.empty()) return std::nullopt;
    Principal p;
    p.user_id = rows[0][0].as<std::string>();
    p.username = rows[0][1].as<std::string>();
    p.csrf_token = rows[0][2].as<std::string>();
    p.token_hash = token_hash;
    return p;
}

void WebStore::delete_session(const std::string& token_hash) {
    db::with_transaction(
        raw(), [&](pqxx::work& tx) { tx.exec_prepared(kDeleteSession.name, token_hash); });
}

std::string WebStore::create_api_token(const std::string& user_id, const std::string& name,
                                       const std::string& token_hash) {
    return db::with_transaction(raw(), [&](pqxx::work& tx) {
        return tx.exec_prepared(kCreateApiToken.name, user_id, name, token_hash)[0][0]
            .as<std::string>();
    });
}

std::optional<Principal> WebStore::api_token(const std::string& token_hash) {
    return db::with_transaction(raw(), [&](pqxx::work& tx) -> std::optional<Principal> {
        const auto rows = tx.exec_prepared(kApiToken.name, token_hash);
        if (rows.empty()) return std::nullopt;
        Principal p;
        p.user_id = rows[0][0].as<std::string>();
        p.username = rows[0][1].as<std::string>();
        p.token_name = rows[0][2].as<std::string>();
        p.token_hash = token_hash;
        p.api_token = true;
        return p;
    });
}

std::vector<ApiTokenRow> WebStore::api_tokens(const std::string& user_id) {
    std::vector<ApiTokenRow> out;
    pqxx::read_transaction tx(raw());
    for (const auto& r : tx.exec_prepared(kApiTokens.name, user_id)) {
        out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), time_of(r[2]).value_or(""),
                       time_of(r[3])});
    }
    return out;
}

bool WebStore::delete_api_token(const std::string& user_id, const std::string& token_id) {
    return db::with_transaction(raw(), [&](pqxx::work& tx) {
        return tx.exec_prepared(kDeleteApiToken.name, user_id, token_id).affected_rows() == 1;
    });
}

long long WebStore::recent_login_failures(const std::string& remote, std::chrono::seconds window) {
    pqxx::read_transaction tx(raw());
    return tx.exec_prepared(kLoginFailures.name, remote, static_cast<double>(window.count()))[0][0]
        .as<long long>();
}

void WebStore::record_login_attempt(const std::string& remote, const std::string& username,
                                    bool success) {
    db::with_transaction(raw(), [&](pqxx::work& tx) {
        tx.exec_prepared(kLoginRecord.name, remote, username, success);
        if (success) tx.exec_prepared(kLoginPrune.name);
    });
}

void WebStore::record_audit(const AuditEntry& e) {
    db::with_transaction(raw(), [&](pqxx::work& tx) {
        tx.exec_prepared(kAuditRecord.name, e.actor_kind, e.actor, e.action, e.target, e.detail,
                         e.address);
    });
}

AuditPage WebStore::audit(const std::string& action, int limit, long long offset) {
    AuditPage page;
    pqxx::read_transaction tx(raw());
    page.total = tx.exec_prepared1(kAuditCount.name, action)[0].as<long long>();
    for (const auto& r : tx.exec_prepared(kAuditList.name, action, limit, offset)) {
        AuditEntry e;
        e.entry_id = r[0].as<long long>();
        e.at = time_of(r[1]).value_or("");
        e.actor_kind = r[2].as<std::string>();
        e.actor = r[3].as<std::string>();
        e.action = r[4].as<std::string>();
        e.target = r[5].as<std::string>();
        e.detail = r[6].as<std::string>();
        e.address = r[7].as<std::string>();
        page.items.push_back(std::move(e));
    }
    return page;
}

std::vector<DeviceView> WebStore::devices() {
    std::vector<DeviceView> out;
    pqxx::read_transaction tx(raw());
    for (const auto& r : tx.exec_prepared(kDevices.name)) out.push_back(device_view(r));
    return out;
}

std::optional<DeviceView> WebStore::device(const std::string& device_id) {
    pqxx::read_transaction tx(raw());
    const auto rows = tx.exec_prepared(kDevice.name, device_id);
    if (rows.empty()) return std::nullopt;
    return device_view(rows[0]);
}

bool WebStore::set_location(const std::string& device_id, const std::string& location) {
    return db::with_transaction(raw(), [&](pqxx::work& tx) {
        return tx.exec_prepared(kSetLocation.name, device_id, location).affected_rows() == 1;
    });
}

std::vector<HistoryReading> WebStore::readings(const std::string& device_id, int limit) {
    std::vector<HistoryReading> out;
    pqxx::read_transaction tx(raw());
    for (const auto& r : tx.exec_prepared(kReadings.name, device_id, limit)) {
        out.push_back({r[0].as<std::string>(), time_of(r[1]).value_or(""), r[2].as<std::string>()});
    }
    return out;
}

std::vector<HistoryEvent> WebStore::events(const std::string& device_id, int limit) {
    std::vector<HistoryEvent> out;
    pqxx::read_transaction tx(raw());
    for (const auto& r : tx.exec_prepared(kEvents.name, device_id, limit)) {
        out.push_back({time_of(r[0]).value_or(""), r[1].as<std::string>(), r[2].as<std::string>(),
                       r[3].as<std::string>(), r[4].as<std::string>()});
    }
    return out;
}

std::vector<LocalAlert> WebStore::local_alerts(int supply_percent) {
    std::vector<LocalAlert> out;
    pqxx::read_transaction tx(raw());
    for (const auto& r : tx.exec_prepared(kLocalAlerts.name, supply_percent)) {
        LocalAlert a;
        a.device_id = r[0].as<std::string>();
        a.vendor = r[1].as<std::string>("");
        a.model = r[2].as<std::string>("");
        a.address = r[3].as<std::string>("");
        a.location = r[4].as<std::string>("");
        a.kind = r[5].as<std::string>();
        a.code = r[6].as<std::string>();
        a.detail = r[7].as<std::string>("");
        a.since = time_of(r[8]).value_or("");
        if (!r[9].is_null()) a.level_percent = r[9].as<int>();
        a.state = r[10].as<std::string>("");
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<CredentialView> WebStore::credentials() {
    std::vector<CredentialView> out;
    pqxx::read_transaction tx(raw());
    for (const auto& r : tx.exec_prepared(kCredentials.name)) {
        CredentialView c;
        c.credential_id = r[0].as<std::string>();
        c.name = r[1].as<std::string>();
        c.ordinal = r[2].as<int>();
        c.version = r[3].as<std::string>();
        c.user = r[4].as<std::string>();
        c.auth_protocol = r[5].as<std::string>();
        c.priv_protocol = r[6].as<std::string>();
        c.context = r[7].as<std::string>();
        c.enabled = r[8].as<bool>();
        c.has_community = r[9].as<bool>();
        c.secret_scheme = r[10].as<std::string>();
        c.secret_key_id = r[11].as<std::string>();
        c.range_ids = split_list(r[12].as<std::string>());
        out.push_back(std::move(c));
    }
    return out;
}

bool WebStore::delete_credential(const std::string& credential_id) {
    return db::with_transaction(raw(), [&](pqxx::work& tx) {
        return tx.exec_prepared(kDeleteCredential.name, credential_id).affected_rows() == 1;
    });
}

std::vector<RangeView> WebStore::ranges() {
    std::vector<RangeView> out;
    pqxx::read_transaction tx(raw());
    for (const auto& r : tx.exec_prepared(kRanges.name)) {
        RangeView v;
        v.range_id = r[0].as<std::string>();
        v.target = r[1].as<std::string>();
        v.exclude = r[2].as<bool>();
        v.enabled = r[3].as<bool>();
        v.note = r[4].as<std::string>();
        v.created_at = time_of(r[5]).value_or("");
        v.credential_ids = split_list(r[6].as<std::string>());
        out.push_back(std::move(v));
    }
    return out;
}

bool WebStore::delete_range(const std::string& range_id) {
    return db::with_transaction(raw(), [&](pqxx::work& tx) {
        return tx.exec_prepared(kDeleteRange.name, range_id).affected_rows() == 1;
    });
}

std::optional<std::string> WebStore::setting(const std::string& key) {
    pqxx::read_transaction tx(raw());
    const auto rows = tx.exec_prepared(kSetting.name, key);
    if (rows.empty()) return std::nullopt;
    return rows[0][0].get<std::string>();
}

UploaderStatusRow WebStore::uploader_status() {
    UploaderStatusRow s;
    pqxx::read_transaction tx(raw());
    const auto rows = tx.exec_prepared(kUploaderStatus.name);
    if (rows.empty()) return s;
    const auto& r = rows[0];
    s.last_success_at = time_of(r[0]);
    s.last_attempt_at = time_of(r[1]);
    s.last_error = r[2].get<std::string>();
    s.updated_at = time_of(r[3]);
    s.queue_length = r[4].as<long long>();
    s.unsent_readings = r[5].as<long long>();
    return s;
}

DbHealth WebStore::health() {
    DbHealth h;
    pqxx::read_transaction tx(raw());
    const auto r = tx.exec_prepared(kHealth.name)[0];
    h.server_version = r[0].as<std::string>();
    h.database_bytes = r[1].as<long long>();
    h.devices = r[2].as<long long>();
    h.readings = r[3].is_null() ? 0 : std::max(0LL, r[3].as<long long>());
    return h;
}

WebStorePool::WebStorePool(std::string conninfo, std::size_t size,
                           std::shared_ptr<storage::SecretKeyHolder> key)
    : key_(std::move(key)),
      pool_(std::move(conninfo), size, std::chrono::seconds(5), &WebStore::prepare,
            db::PoolConnect::kOnDemand) {}

void WebStorePool::with(const std::function<void(WebStore&)>& fn) {
    db::Lease lease = pool_.acquire();
    try {
        WebStore store(lease.connection(), key_);
        fn(store);
    } catch (const std::exception& e) {
        if (storage::is_connection_failure(e)) lease.discard();
        throw;
    }
}

}  // namespace printmon::scanner::web
