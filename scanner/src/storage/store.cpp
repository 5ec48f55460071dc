#include "storage/store.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <stdexcept>
#include <system_error>

#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <fmt/format.h>

#include "printmon/common/logging.hpp"
#include "printmon/db/pool.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "storage/identity.hpp"
#include "storage/retention.hpp"
#include "storage/transitions.hpp"

namespace printmon::scanner::storage {
namespace {

struct Statement {
    const char* name;
    const char* sql;
};

// Every statement of the scanner, prepared on each (re)connect. Parameters only, never
// concatenation; timestamps are RFC 3339 text from the service's clock.
constexpr Statement kSettingsSelect{"settings_select",
                                    "SELECT key, value #>> '{}' FROM settings ORDER BY key"};
constexpr Statement kSettingsUpsert{
    "settings_upsert",
    "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2::jsonb, now()) "
    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()"};
constexpr Statement kCredentialsSelect{
    "credentials_select",
    "SELECT credential_id, name, ordinal, version, community, v3_user, auth_protocol, "
    "auth_password, priv_protocol, priv_password, context, secret_scheme, secret_key_id "
    "FROM credentials WHERE enabled ORDER BY ordinal, created_at, credential_id"};
// Secrets arrive here sealed (storage/secrets.hpp); the id is made by the caller because it
// is part of what the ciphertexts are bound to.
constexpr Statement kCredentialInsert{
    "credential_insert",
    "INSERT INTO credentials (credential_id, name, ordinal, version, community, v3_user, "
    "auth_protocol, auth_password, priv_protocol, priv_password, context, secret_scheme, "
    "secret_key_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"};
constexpr Statement kPlainSecretsSelect{
    "plain_secrets_select",
    "SELECT credential_id, community, auth_password, priv_password FROM credentials "
    "WHERE secret_scheme = 'plain' ORDER BY credential_id FOR UPDATE"};
constexpr Statement kSecretsSeal{
    "secrets_seal",
    "UPDATE credentials SET community = $2, auth_password = $3, priv_password = $4, "
    "secret_scheme = $5, secret_key_id = $6, updated_at = now() "
    "WHERE credential_id = $1 AND secret_scheme = 'plain'"};
// The key the credential secrets are sealed with, as the database records it. A write that
// seals takes the record FOR SHARE, so it cannot interleave with a rotation, which holds it FOR
// UPDATE while it re-seals every set (storage/key_rotation.hpp).
constexpr Statement kKeyIdSelect{"key_id_select",
                                 "SELECT value #>> '{}' FROM settings WHERE key = 'secret_key_id'"};
constexpr Statement kKeyIdShare{
    "key_id_share", "SELECT value #>> '{}' FROM settings WHERE key = 'secret_key_id' FOR SHARE"};
constexpr Statement kKeyIdClaim{
    "key_id_claim",
    "INSERT INTO settings (key, value, updated_at) VALUES ('secret_key_id', to_jsonb($1::text), "
    "now()) ON CONFLICT (key) DO NOTHING"};
// A rotation's (once per run of the CLI; prepared like the rest for one place of all SQL).
constexpr Statement kKeyIdLock{
    "key_id_lock", "SELECT value #>> '{}' FROM settings WHERE key = 'secret_key_id' FOR UPDATE"};
constexpr Statement kAllSecretsSelect{
    "all_secrets_select",
    "SELECT credential_id, community, auth_password, priv_password, secret_scheme, "
    "secret_key_id FROM credentials ORDER BY credential_id FOR UPDATE"};
constexpr Statement kSecretsReseal{
    "secrets_reseal",
    "UPDATE credentials SET community = $2, auth_password = $3, priv_password = $4, "
    "secret_scheme = $5, secret_key_id = $6, updated_at = now() WHERE credential_id = $1"};
constexpr Statement kRangesSelect{
    "ranges_select",
    "SELECT r.range_id, r.target, r.exclude, array_to_string(ARRAY(SELECT rc.credential_id::text "
    "FROM range_credentials rc WHERE rc.range_id = r.range_id ORDER BY rc.position), ',') "
    "FROM discovery_ranges r WHERE r.enabled ORDER BY r.created_at, r.range_id"};
constexpr Statement kRangeInsert{
    "range_insert",
    "INSERT INTO discovery_ranges (target, exclude) VALUES ($1, $2) RETURNING range_id"};
constexpr Statement kRangeLock{
    "range_lock", "SELECT 1 FROM discovery_ranges WHERE range_id::text = $1 FOR UPDATE"};
constexpr Statement kRangeCredentialsClear{
    "range_credentials_clear", "DELETE FROM range_credentials WHERE range_id::text = $1"};
constexpr Statement kRangeCredentialInsert{
    "range_credential_insert",
    "INSERT INTO range_credentials (range_id, credential_id, position) "
    "VALUES ($1::uuid, $2::uuid, $3)"};
constexpr Statement kPollTargetsSelect{
    "poll_targets_select",
    "SELECT device_id, address, port, credential_id, polling_interval_s, "
    "floor(extract(epoch FROM $1::timestamptz - last_polled_at))::bigint, "
    "snmp_version IS NOT DISTINCT FROM '1' "
    "FROM devices WHERE enabled AND deleted_at IS NULL AND address IS NOT NULL "
    "ORDER BY device_id"};
constexpr Statement kDeviceSelect{
    "device_select",
    "SELECT device_id, address, port, vendor, model, serial, mac, status, enabled, manual, "
    "deleted_at IS NOT NULL, credential_id, consecutive_failures, last_error, "
    "snmp_version IS NOT DISTINCT FROM '1' FROM devices WHERE device_id = $1"};
constexpr Statement kDevicesSelect{
    "devices_select",
    "SELECT device_id, address, port, vendor, model, serial, mac, status, enabled, manual, "
    "deleted_at IS NOT NULL, credential_id, consecutive_failures, last_error, "
    "snmp_version IS NOT DISTINCT FROM '1' FROM devices ORDER BY first_seen, device_id"};
constexpr Statement kDeviceInsertManual{
    "device_insert_manual",
    "INSERT INTO devices (device_id, address, port, manual, credential_id, polling_interval_s, "
    "first_seen) VALUES ($1, $2, $3, true, $4, $5, $6)"};
constexpr Statement kDeviceSetEnabled{"device_set_enabled",
                                      "UPDATE devices SET enabled = $2, updated_at = now() "
                                      "WHERE device_id = $1 AND deleted_at IS NULL"};
constexpr Statement kDeviceSoftDelete{"device_soft_delete",
                                      "UPDATE devices SET deleted_at = now(), updated_at = now() "
                                      "WHERE device_id = $1 AND deleted_at IS NULL"};
constexpr Statement kDeviceSetInterval{
    "device_set_interval",
    "UPDATE devices SET polling_interval_s = $2, updated_at = now() "
    "WHERE device_id = $1 AND deleted_at IS NULL"};
constexpr Statement kReadingExists{"reading_exists",
                                   "SELECT device_id FROM readings WHERE reading_id = $1"};
// Rows that may be the device observed: the one polled, the ones at its address, and the ones
// with its serial or MAC. Locked, so identity decisions never race (there is one writer, but
// the UI may edit devices meanwhile).
constexpr Statement kCandidatesSelect{
    "candidates_select",
    "SELECT device_id, address, port, vendor, serial, mac, deleted_at IS NOT NULL "
    "FROM devices WHERE device_id = $1::uuid OR (address = $2 AND port = $3) "
    "OR ($4 <> '' AND $5 <> '' AND lower(vendor) = lower($4) AND serial = $5) "
    "OR ($6 <> '' AND mac = $6) ORDER BY first_seen, device_id FOR UPDATE"};
constexpr Statement kDeviceStateSelect{
    "device_state_select",
    "SELECT d.status, d.consecutive_failures, array_to_string(d.current_errors, ','), "
    "r.snapshot::text, d.deleted_at IS NOT NULL FROM devices d "
    "LEFT JOIN readings r ON r.reading_id = d.last_reading_id WHERE d.device_id = $1 "
    "FOR UPDATE OF d"};
constexpr Statement kDeviceInsertFound{
    "device_insert_found",
    "INSERT INTO devices (device_id, address, port, first_seen) VALUES ($1, $2, $3, $4)"};
constexpr Statement kDeviceDisplace{
    "device_displace",
    "UPDATE devices SET address = NULL, moved_at = $2, updated_at = now() WHERE device_id = $1"};
// Identity fields keep their value when a poll could not read them (empty), so one bad read
// does not erase what identifies the device.
constexpr Statement kDeviceUpdateSuccess{
    "device_update_success",
    "UPDATE devices SET address = $2, port = $3, vendor = COALESCE(NULLIF($4, ''), vendor), "
    "model = COALESCE(NULLIF($5, ''), model), serial = COALESCE(NULLIF($6, ''), serial), "
    "mac = COALESCE(NULLIF($7, ''), mac), firmware = COALESCE(NULLIF($8, ''), firmware), "
    "sys_object_id = COALESCE(NULLIF($9, ''), sys_object_id), "
    "sys_name = COALESCE(NULLIF($10, ''), sys_name), "
    "credential_id = COALESCE($11::uuid, credential_id), last_seen = $12, "
    "last_polled_at = $12, last_error = NULL, status = 'online', consecutive_failures = 0, "
    "current_errors = string_to_array($13, ','), last_reading_id = $14, "
    "moved_at = CASE WHEN address IS DISTINCT FROM $2 THEN NULL ELSE moved_at END, "
    "snmp_version = CASE WHEN $15 THEN '1' END, updated_at = now() WHERE device_id = $1"};
constexpr Statement kDeviceUpdateFailure{
    "device_update_failure",
    "UPDATE devices SET last_polled_at = $2, last_error = $3, consecutive_failures = $4, "
    "status = $5, updated_at = now() WHERE device_id = $1"};
constexpr Statement kReadingInsert{
    "reading_insert",
    "INSERT INTO readings (reading_id, device_id, polled_at, snapshot, total) "
    "VALUES ($1, $2, $3, $4::jsonb, $5)"};
constexpr Statement kEventInsert{
    "event_insert",
    "INSERT INTO events (event_id, device_id, at, kind, code, action, detail) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)"};
// The uploader LISTENs on this channel; notifications are delivered at commit only.
constexpr Statement kNotifyOutbox{"notify_outbox", "SELECT pg_notify('printmon_outbox', $1)"};

// Devices by state for the operator metrics: a disabled device counts as "disabled" whatever
// its last status.
constexpr Statement kDeviceStatesSelect{
    "device_states",
    "SELECT CASE WHEN enabled THEN status ELSE 'disabled' END, count(*) FROM devices "
    "WHERE deleted_at IS NULL GROUP BY 1"};

constexpr std::array kStatements = {kSettingsSelect,
                                    kSettingsUpsert,
                                    kCredentialsSelect,
                                    kCredentialInsert,
                                    kPlainSecretsSelect,
                                    kSecretsSeal,
                                    kRangeLock,
                                    kRangeCredentialsClear,
                                    kRangeCredentialInsert,
                                    kRangesSelect,
                                    kRangeInsert,
                                    kPollTargetsSelect,
                                    kDeviceSelect,
                                    kDevicesSelect,
                                    kDeviceInsertManual,
                                    kDeviceSetEnabled,
                                    kDeviceSoftDelete,
                                    kDeviceSetInterval,
                                    kReadingExists,
                                    kCandidatesSelect,
                                    kDeviceStateSelect,
                                    kDeviceInsertFound,
                                    kDeviceDisplace,
                                    kDeviceUpdateSuccess,
                                    kDeviceUpdateFailure,
                                    kReadingInsert,
                                    kEventInsert,
                                    kNotifyOutbox,
                                    kDeviceStatesSelect,
                                    kKeyIdSelect,
                                    kKeyIdShare,
                                    kKeyIdClaim,
                                    kKeyIdLock,
                                    kAllSecretsSelect,
                                    kSecretsReseal};

std::string ts(std::chrono::system_clock::time_point tp) {
    return proto::format_rfc3339(tp, proto::TimePrecision::milliseconds);
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) {
        if (!out.empty()) out += ',';
        out += i;
    }
    return out;
}

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto comma = text.find(',', start);
        const auto end = comma == std::string::npos ? text.size() : comma;
        if (end > start) out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

DeviceRow device_row(const pqxx::row& r) {
    DeviceRow d;
    d.device_id = r[0].as<std::string>();
    d.address = r[1].get<std::string>();
    d.port = r[2].as<std::uint16_t>();
    d.vendor = r[3].as<std::string>();
    d.model = r[4].as<std::string>();
    d.serial = r[5].as<std::string>();
    d.mac = r[6].as<std::string>();
    d.status = r[7].as<std::string>();
    d.enabled = r[8].as<bool>();
    d.manual = r[9].as<bool>();
    d.deleted = r[10].as<bool>();
    d.credential_id = r[11].get<std::string>();
    d.consecutive_failures = r[12].as<int>();
    d.last_error = r[13].get<std::string>();
    d.snmp_v1 = r[14].as<bool>();
    return d;
}

std::optional<int> as_int(const std::string& text) {
    try {
        std::size_t used = 0;
        const int v = std::stoi(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

struct LoadedState {
    DeviceState state;
    bool deleted = false;
};

std::optional<LoadedState> load_state(pqxx::work& tx, const std::string& device_id) {
    const auto rows = tx.exec_prepared(kDeviceStateSelect.name, device_id);
    if (rows.empty()) return std::nullopt;
    const auto& r = rows[0];
    LoadedState out;
    out.state.status = r[0].as<std::string>();
    out.state.consecutive_failures = r[1].as<int>();
    out.state.errors = split(r[2].as<std::string>());
    if (!r[3].is_null()) {
        // Supplies (cartridge changes), alert-table rows and trays (their transitions); a reading
        // that no longer parses is treated as absent rather than failing the poll.
        if (auto snap = proto::parse_snapshot(r[3].as<std::string>())) {
            out.state.supplies = std::move(snap->supplies);
            out.state.alerts = std::move(snap->status.alerts);
            out.state.trays = std::move(snap->trays);
            out.state.covers = std::move(snap->covers);
            out.state.device = snap->status.device;
            out.state.console = std::move(snap->status.console);
        }
    }
    out.deleted = r[4].as<bool>();
    return out;
}

// Column numbers of kCredentialsSelect, named for messages and bound into each ciphertext.
const std::map<int, std::string_view> kSecretColumns = {
    {4, "community"}, {7, "auth_password"}, {9, "priv_password"}};

/// The sealed columns in the order of the statements that read them (community, auth, priv).
constexpr std::array<int, 3> kSealedColumns{4, 7, 9};

/// What a sealed secret is bound to: its row and column (see SecretKey::encrypt).
std::string secret_aad(const std::string& credential_id, int column) {
    return fmt::format("printmon/credentials/{}/{}", credential_id, kSecretColumns.at(column));
}

void insert_range_credentials(pqxx::work& tx, const std::string& range_id,
                              const std::vector<std::string>& credential_ids) {
    int position = 0;
    for (const auto& id : credential_ids) {
        tx.exec_prepared(kRangeCredentialInsert.name, range_id, id, position++);
    }
}

void insert_events(pqxx::work& tx, const std::string& device_id,
                   std::chrono::system_clock::time_point at,
                   const std::vector<Transition>& events) {
    for (const auto& e : events) {
        tx.exec_prepared(kEventInsert.name, proto::new_uuid(), device_id, ts(at), e.kind, e.code,
                         e.action, e.detail);
    }
}

}  // namespace

bool is_connection_failure(const std::exception& e) {
    // Every pooled connection busy past the acquire timeout: the database is as good as away
    // for this request, and a retry may work (the UI answers 503).
    if (dynamic_cast<const db::PoolExhausted*>(&e) != nullptr) return true;
    if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
    if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) return true;
    if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e) != nullptr) return true;
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
        const std::string& state = sql->sqlstate();
        // 08: connection exception; 57: operator intervention (shutdown, restart);
        // 53: insufficient resources (disk full). All pass; the write is worth retrying.
        return state.empty() || state.rfind("08", 0) == 0 || state.rfind("57", 0) == 0 ||
               state.rfind("53", 0) == 0;
    }
    // Other pqxx failures ("Lost connection to the database server") are about the session.
    return dynamic_cast<const pqxx::failure*>(&e) != nullptr;
}

Store::Store(std::string conninfo, std::shared_ptr<SecretKeyHolder> keys)
    : conninfo_(std::move(conninfo)),
      keys_(std::move(keys)),
      log_(common::get_logger("scanner.store")) {}
Store::Store(db::Connection& borrowed, std::shared_ptr<SecretKeyHolder> keys)
    : keys_(std::move(keys)), log_(common::get_logger("scanner.store")), borrowed_(&borrowed) {}
Store::~Store() = default;

void Store::prepare(pqxx::connection& conn) {
    for (const auto& s : kStatements) conn.prepare(s.name, s.sql);
    prepare_retention_statements(conn);
}

void Store::connect() {
    if (borrowed_ != nullptr)
        throw std::logic_error("connect() on a store over a pooled connection");
    auto conn = std::make_unique<db::Connection>(conninfo_);
    prepare(conn->raw());
    conn_ = std::move(conn);
}

void Store::disconnect() {
    conn_.reset();
    borrowed_ = nullptr;
}

bool Store::connected() const {
    if (borrowed_ != nullptr) return borrowed_->raw().is_open();
    return conn_ != nullptr && conn_->raw().is_open();
}

db::Connection& Store::connection() {
    if (borrowed_ != nullptr) return *borrowed_;
    if (!conn_) throw pqxx::broken_connection("not connected");
    return *conn_;
}

db::MigrationReport Store::migrate() {
    const std::filesystem::path origin = "embedded:scanner/migrations";
    return db::Migrator(connection().raw(), db::parse_migrations(embedded_migrations(), origin),
                        origin)
        .run();
}

Settings Store::load_settings() {
    Settings s;
    pqxx::read_transaction tx(connection().raw());
    for (const auto& r : tx.exec_prepared(kSettingsSelect.name)) {
        const auto key = r[0].as<std::string>();
        const auto value = r[1].get<std::string>().value_or("");
        const auto number = as_int(value);
        if (key == "polling_interval_s" && number && *number > 0) {
            s.polling_interval = std::chrono::seconds(*number);
        } else if (key == "discovery_interval_s" && number && *number >= 0) {
            s.discovery_interval = std::chrono::seconds(*number);
        } else if (key == "discovery_port" && number && *number > 0 && *number < 65536) {
            s.discovery_port = static_cast<std::uint16_t>(*number);
        } else if (key == "offline_after_failures" && number && *number > 0) {
            s.offline_after_failures = *number;
        } else if (key == "scanner_id") {
            s.scanner_id = value;
        } else if (key == "cloud_url") {
            s.cloud_url = value;
        }
    }
    return s;
}

void Store::put_setting(const std::string& key, const std::string& json_value) {
    db::with_transaction(connection(), [&](pqxx::work& tx) {
        tx.exec_prepared(kSettingsUpsert.name, key, json_value);
    });
}

std::vector<CredentialRow> Store::load_credentials() {
    std::vector<CredentialRow> out;
    pqxx::read_transaction tx(connection().raw());
    for (const auto& r : tx.exec_prepared(kCredentialsSelect.name)) {
        CredentialRow c;
        c.credential_id = r[0].as<std::string>();
        c.name = r[1].as<std::string>();
        c.ordinal = r[2].as<int>();
        c.credentials.version =
            snmp::parse_version(r[3].as<std::string>()).value_or(snmp::Version::v2c);
        c.credentials.user = r[5].as<std::string>();
        c.credentials.auth_protocol = r[6].as<std::string>();
        c.credentials.priv_protocol = r[8].as<std::string>();
        c.credentials.context = r[10].as<std::string>();
        const auto scheme = r[11].as<std::string>();
        const auto key_id = r[12].as<std::string>();
        std::string problem;
        if (scheme == "plain") {
            // Written before encryption (or by hand): usable now, sealed at the next start.
            c.credentials.community = r[4].as<std::string>();
            c.credentials.auth_password = r[7].as<std::string>();
            c.credentials.priv_password = r[9].as<std::string>();
        } else if (!keys_) {
            problem = "no secret key is loaded";
        } else if (const auto key = keys_->adopt(key_id); !key) {
            problem = fmt::format(
                "its secrets were encrypted with another key (key id {}; the key file has {})",
                key_id, keys_->current()->id());
        } else {
            const std::array<std::pair<std::string*, int>, 3> fields = {
                {{&c.credentials.community, 4},
                 {&c.credentials.auth_password, 7},
                 {&c.credentials.priv_password, 9}}};
            for (const auto& [target, column] : fields) {
                const auto sealed = r[column].as<std::string>();
                if (sealed.empty()) continue;  // no secret of this kind
                auto plain = key->decrypt(sealed, secret_aad(c.credential_id, column));
                if (!plain) {
                    problem = fmt::format("{} {}", kSecretColumns.at(column), plain.error());
                    break;
                }
                *target = std::move(*plain);
            }
        }
        if (!problem.empty()) {
            // Rationale: a set that cannot be decrypted is left out, never tried with an empty
            // secret; reported once per set (this runs at every settings reload).
            if (reported_unreadable_.insert(c.credential_id).second) {
                log_->error("event=credential_unreadable credential_id={} name={} error={}",
                            c.credential_id, common::log_value(c.name), common::log_value(problem));
            }
            continue;
        }
        reported_unreadable_.erase(c.credential_id);
        out.push_back(std::move(c));
    }
    return out;
}

std::string Store::add_credential(const std::string& name, int ordinal,
                                  const snmp::Credentials& c) {
    if (!keys_) throw std::logic_error("no secret key: credential secrets are never stored plain");
    std::string id = proto::new_uuid();
    db::with_transaction(connection(), [&](pqxx::work& tx) {
        // Sealed with the key the database records, taken from the key file after a rotation.
        const auto r = tx.exec_prepared(kKeyIdShare.name);
        const auto registered = r.empty() ? std::string() : r[0][0].as<std::string>();
        const auto key = registered.empty() ? keys_->current() : keys_->adopt(registered);
        if (!key) {
            throw std::runtime_error(fmt::format(
                "the secrets key was rotated to key id {}, which the key file {} does not hold "
                "(yet): nothing stored",
                registered, keys_->file().string()));
        }
        const auto seal = [&](const std::string& secret, int column) {
            return secret.empty() ? std::string{} : key->encrypt(secret, secret_aad(id, column));
        };
        tx.exec_prepared(kCredentialInsert.name, id, name, ordinal, snmp::to_string(c.version),
                         seal(c.community, 4), c.user, c.auth_protocol, seal(c.auth_password, 7),
                         c.priv_protocol, seal(c.priv_password, 9), c.context,
                         std::string(kSecretScheme), key->id());
    });
    return id;
}

std::size_t Store::encrypt_plaintext_secrets() {
    if (!keys_) throw std::logic_error("no secret key to encrypt credential secrets with");
    const auto key = keys_->current();
    return db::with_transaction(connection(), [&](pqxx::work& tx) {
        std::size_t sealed = 0;
        const auto recorded = tx.exec_prepared(kKeyIdShare.name);
        if (!recorded.empty() && recorded[0][0].as<std::string>() != key->id()) return sealed;
        for (const auto& r : tx.exec_prepared(kPlainSecretsSelect.name)) {
            const auto id = r[0].as<std::string>();
            const auto seal = [&](int field, int column) {
                const auto secret = r[field].as<std::string>();
                return secret.empty() ? std::string{}
                                      : key->encrypt(secret, secret_aad(id, column));
            };
            sealed += tx.exec_prepared(kSecretsSeal.name, id, seal(1, 4), seal(2, 7), seal(3, 9),
                                       std::string(kSecretScheme), key->id())
                          .affected_rows();
        }
        return sealed;
    });
}

std::string Store::registered_key_id() {
    pqxx::read_transaction tx(connection().raw());
    const auto r = tx.exec_prepared(kKeyIdSelect.name);
    return r.empty() ? std::string() : r[0][0].as<std::string>();
}

std::string Store::claim_secret_key() {
    if (!keys_) throw std::logic_error("no secret key to claim");
    const auto key = keys_->current();
    return db::with_transaction(connection(), [&](pqxx::work& tx) {
        tx.exec_prepared(kKeyIdClaim.name, key->id());
        const auto r = tx.exec_prepared(kKeyIdShare.name);
        auto registered = r.empty() ? std::string() : r[0][0].as<std::string>();
        if (registered == key->id()) return std::string();
        // Rationale: the scanner has always run with the key file it has (sets sealed with
        // another show as unreadable, to be entered again); the record follows it, so that
        // new sets are sealed with the key this scanner can read.
        tx.exec_prepared(kSettingsUpsert.name, "secret_key_id", fmt::format("\"{}\"", key->id()));
        return registered;
    });
}

Store::KeyRotation Store::rotate_secret_key(const std::filesystem::path& key_file) {
    crypto::complete_pending_rotation(key_file, registered_key_id());
    const auto old_key = SecretKey::load(key_file);
    const auto pending = crypto::pending_key_path(key_file);
    KeyRotation report;
    report.previous_key_id = old_key.id();
    std::error_code ec;
    try {
        db::with_transaction(connection(), [&](pqxx::work& tx) {
            const auto r = tx.exec_prepared(kKeyIdLock.name);
            const auto registered = r.empty() ? std::string() : r[0][0].as<std::string>();
            if (registered.empty()) {
                throw std::runtime_error(
                    "no key is recorded in this database yet: start the scanner once (it records "
                    "its key file's key), then rotate");
            }
            if (registered != old_key.id()) {
                throw std::runtime_error(fmt::format(
                    "the secrets key file {} holds key id {}, but the database records {}: a "
                    "rotation starts from the database's key (start the scanner once with this "
                    "key file to make it the database's)",
                    key_file.string(), old_key.id(), registered));
            }
            // A .next left by a rotation that never committed: nothing is sealed with it.
            std::filesystem::remove(pending, ec);
            const auto new_key = SecretKey::create(pending);
            report.key_id = new_key.id();
            for (const auto& row : tx.exec_prepared(kAllSecretsSelect.name)) {
                const auto id = row[0].as<std::string>();
                const bool plain = row[4].as<std::string>() == "plain";
                if (!plain && row[5].as<std::string>() != old_key.id()) {
                    ++report.unreadable;  // sealed with a key lost before: entered again
                    continue;
                }
                std::array<std::string, 3> sealed;
                bool ok = true;
                for (std::size_t i = 0; i < 3 && ok; ++i) {
                    const int column = kSealedColumns.at(i);
                    auto secret = row[static_cast<int>(i) + 1].as<std::string>();
                    if (secret.empty()) continue;
                    if (!plain) {
                        auto opened = old_key.decrypt(secret, secret_aad(id, column));
                        if (!opened) {
                            ok = false;
                            break;
                        }
                        secret = std::move(*opened);
                    }
                    sealed.at(i) = new_key.encrypt(secret, secret_aad(id, column));
                }
                if (!ok) {
                    ++report.unreadable;  // damaged: left as it is
                    continue;
                }
                tx.exec_prepared(kSecretsReseal.name, id, sealed[0], sealed[1], sealed[2],
                                 std::string(kSecretScheme), new_key.id());
                ++report.resealed;
            }
            tx.exec_prepared(kSettingsUpsert.name, "secret_key_id",
                             fmt::format("\"{}\"", new_key.id()));
        });
    } catch (const pqxx::in_doubt_error&) {
        // The commit may have landed: keep the new key where the next start finds it.
        throw std::runtime_error(fmt::format(
            "the database connection broke while the rotation committed; the new key is kept in "
            "{}, and the scanner's next start puts it in place if the database took it",
            pending.string()));
    } catch (...) {
        // Not committed: the old key stays in force and the new one was never used.
        std::filesystem::remove(pending, ec);
        throw;
    }
    // A scanner starting in between may have put it in place already (the same key).
    if (std::filesystem::exists(pending, ec)) crypto::install_key_file(pending, key_file);
    log_->info("event=secret_key_rotated key_id={} previous_key_id={} resealed={} unreadable={}",
               report.key_id, report.previous_key_id, report.resealed, report.unreadable);
    return report;
}

std::vector<RangeRow> Store::load_ranges() {
    std::vector<RangeRow> out;
    pqxx::read_transaction tx(connection().raw());
    for (const auto& r : tx.exec_prepared(kRangesSelect.name)) {
        out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<bool>(),
                       split(r[3].as<std::string>())});
    }
    return out;
}

std::string Store::add_range(const std::string& target, bool exclude,
                             const std::vector<std::string>& credential_ids) {
    return db::with_transaction(connection(), [&](pqxx::work& tx) {
        auto id = tx.exec_prepared(kRangeInsert.name, target, exclude)[0][0].as<std::string>();
        insert_range_credentials(tx, id, credential_ids);
        return id;
    });
}

bool Store::set_range_credentials(const std::string& range_id,
                                  const std::vector<std::string>& credential_ids) {
    return db::with_transaction(connection(), [&](pqxx::work& tx) {
        if (tx.exec_prepared(kRangeLock.name, range_id).empty()) return false;
        tx.exec_prepared(kRangeCredentialsClear.name, range_id);
        insert_range_credentials(tx, range_id, credential_ids);
        return true;
    });
}

std::vector<PollTarget> Store::load_poll_targets(std::chrono::system_clock::time_point now) {
    std::vector<PollTarget> out;
    pqxx::read_transaction tx(connection().raw());
    for (const auto& r : tx.exec_prepared(kPollTargetsSelect.name, ts(now))) {
        PollTarget t;
        t.device_id = r[0].as<std::string>();
        t.address = r[1].as<std::string>();
        t.port = r[2].as<std::uint16_t>();
        t.credential_id = r[3].get<std::string>();
        if (!r[4].is_null()) t.interval = std::chrono::seconds(r[4].as<long long>());
        if (!r[5].is_null()) t.since_last_poll = std::chrono::seconds(r[5].as<long long>());
        t.snmp_v1 = r[6].as<bool>();
        out.push_back(std::move(t));
    }
    return out;
}

std::map<std::string, long long> Store::device_states() {
    std::map<std::string, long long> out;
    pqxx::read_transaction tx(connection().raw());
    for (const auto& r : tx.exec_prepared(kDeviceStatesSelect.name)) {
        out[r[0].as<std::string>()] = r[1].as<long long>();
    }
    return out;
}

std::optional<DeviceRow> Store::device(const std::string& device_id) {
    pqxx::read_transaction tx(connection().raw());
    const auto rows = tx.exec_prepared(kDeviceSelect.name, device_id);
    if (rows.empty()) return std::nullopt;
    return device_row(rows[0]);
}

std::vector<DeviceRow> Store::devices() {
    std::vector<DeviceRow> out;
    pqxx::read_transaction tx(connection().raw());
    for (const auto& r : tx.exec_prepared(kDevicesSelect.name)) out.push_back(device_row(r));
    return out;
}

std::string Store::add_manual_device(const std::string& address, std::uint16_t port,
                                     const std::optional<std::string>& credential_id,
                                     std::optional<std::chrono::seconds> interval,
                                     std::chrono::system_clock::time_point now) {
    std::string id = proto::new_uuid();
    std::optional<long long> interval_s;
    if (interval) interval_s = interval->count();
    db::with_transaction(connection(), [&](pqxx::work& tx) {
        tx.exec_prepared(kDeviceInsertManual.name, id, address, static_cast<int>(port),
                         credential_id, interval_s, ts(now));
    });
    return id;
}

bool Store::set_device_enabled(const std::string& device_id, bool enabled) {
    return db::with_transaction(connection(), [&](pqxx::work& tx) {
        return tx.exec_prepared(kDeviceSetEnabled.name, device_id, enabled).affected_rows() == 1;
    });
}

bool Store::delete_device(const std::string& device_id) {
    return db::with_transaction(connection(), [&](pqxx::work& tx) {
        return tx.exec_prepared(kDeviceSoftDelete.name, device_id).affected_rows() == 1;
    });
}

bool Store::set_device_interval(const std::string& device_id,
                                std::optional<std::chrono::seconds> interval) {
    std::optional<long long> interval_s;
    if (interval) interval_s = interval->count();
    return db::with_transaction(connection(), [&](pqxx::work& tx) {
        return tx.exec_prepared(kDeviceSetInterval.name, device_id, interval_s).affected_rows() ==
               1;
    });
}

WriteOutcome Store::record(const PollResult& result, const Settings& settings) {
    return db::with_transaction(connection(), [&](pqxx::work& tx) {
        WriteOutcome out;
        if (!result.snapshot) {
            // A failed poll: only a known device has anything to update.
            if (!result.device_id) {
                out.kind = WriteOutcome::Kind::ignored;
                return out;
            }
            auto loaded = load_state(tx, *result.device_id);
            if (!loaded || loaded->deleted) {
                out.kind = WriteOutcome::Kind::ignored;
                return out;
            }
            const auto failure =
                on_failure(loaded->state, settings.offline_after_failures, result.error);
            tx.exec_prepared(kDeviceUpdateFailure.name, *result.device_id, ts(result.polled_at),
                             result.error, failure.state.consecutive_failures,
                             failure.state.status);
            insert_events(tx, *result.device_id, result.polled_at, failure.events);
            if (!failure.events.empty()) tx.exec_prepared(kNotifyOutbox.name, "events");
            out.device_id = *result.device_id;
            out.previous_status = loaded->state.status;
            out.status = failure.state.status;
            out.events = failure.events;
            return out;
        }

        if (const auto existing = tx.exec_prepared(kReadingExists.name, result.result_id);
            !existing.empty()) {
            out.kind = WriteOutcome::Kind::duplicate;
            out.device_id = existing[0][0].as<std::string>();
            return out;
        }
        const proto::DeviceSnapshot& snap = *result.snapshot;
        Observation obs;
        obs.polled_device_id = result.device_id;
        obs.address = result.address;
        obs.port = result.port;
        obs.key = {snap.identity.vendor, snap.identity.serial, lower(snap.identity.mac)};
        std::vector<Candidate> candidates;
        for (const auto& r : tx.exec_prepared(kCandidatesSelect.name, result.device_id,
                                              result.address, static_cast<int>(result.port),
                                              obs.key.vendor, obs.key.serial, obs.key.mac)) {
            Candidate c;
            c.device_id = r[0].as<std::string>();
            c.address = r[1].get<std::string>();
            c.port = r[2].as<std::uint16_t>();
            c.key = {r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>()};
            c.deleted = r[6].as<bool>();
            candidates.push_back(std::move(c));
        }
        const IdentityDecision decision = decide_identity(obs, candidates);
        if (decision.kind == IdentityDecision::Kind::ignore) {
            out.kind = WriteOutcome::Kind::ignored;
            out.device_id = decision.device_id;
            return out;
        }
        std::string device_id = decision.device_id;
        if (decision.kind == IdentityDecision::Kind::create) {
            device_id = proto::new_uuid();
            tx.exec_prepared(kDeviceInsertFound.name, device_id, result.address,
                             static_cast<int>(result.port), ts(result.polled_at));
            out.created = true;
        } else {
            const auto it =
                std::find_if(candidates.begin(), candidates.end(),
                             [&](const Candidate& c) { return c.device_id == device_id; });
            out.address_changed = it != candidates.end() &&
                                  (it->address != result.address || it->port != result.port);
        }
        for (const auto& moved : decision.displaced) {
            tx.exec_prepared(kDeviceDisplace.name, moved, ts(result.polled_at));
            out.address_changed = true;
        }
        DeviceState previous;
        if (auto loaded = load_state(tx, device_id)) previous = std::move(loaded->state);
        const auto success = on_success(previous, snap);

        std::optional<long long> total;
        if (const auto it = snap.counters.find("total"); it != snap.counters.end()) {
            total = it->second;
        }
        tx.exec_prepared(kReadingInsert.name, result.result_id, device_id, ts(result.polled_at),
                         proto::to_json(snap), total);
        tx.exec_prepared(kDeviceUpdateSuccess.name, device_id, result.address,
                         static_cast<int>(result.port), snap.identity.vendor, snap.identity.model,
                         snap.identity.serial, lower(snap.identity.mac), snap.identity.firmware,
                         snap.identity.sys_object_id, snap.identity.sys_name, result.credential_id,
                         ts(result.polled_at), join(snap.status.errors), result.result_id,
                         result.snmp_v1);
        insert_events(tx, device_id, result.polled_at, success.events);
        tx.exec_prepared(kNotifyOutbox.name, "readings");
        out.device_id = device_id;
        out.previous_status = previous.status;
        out.status = success.state.status;
        out.events = success.events;
        return out;
    });
}

}  // namespace printmon::scanner::storage
