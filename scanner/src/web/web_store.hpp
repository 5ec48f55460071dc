#pragma once
// The web UI's database access: the scanner's storage::Store (devices, credentials, ranges,
// settings) plus the statements only the UI needs (accounts, sessions, device lists with the
// latest reading, history, uploader status). A WebStorePool hands one connection to one
// request at a time (handlers run on the server's blocking pool, STYLE.md §4-5); its
// connections come from the shared printmon::db::ConnectionPool.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "printmon/db/pool.hpp"
#include "storage/store.hpp"

namespace printmon::scanner::web {

struct UserRow {
    std::string user_id;
    std::string username;
    std::string password_hash;
};

/// A live session or API token, resolved from the hash of its secret.
struct Principal {
    std::string user_id;
    std::string username;
    std::string csrf_token;  ///< empty for API tokens (no CSRF: not sent by browsers)
    std::string token_hash;  ///< the session's, to log out / keep on password change
    bool api_token = false;
    std::string token_name;  ///< API tokens only
};

struct ApiTokenRow {
    std::string token_id;
    std::string name;
    std::string created_at;
    std::optional<std::string> last_used_at;
};

/// A device as the UI lists it, with its newest reading's snapshot (JSON text).
struct DeviceView {
    std::string device_id;
    std::optional<std::string> address;
    int port = 161;
    std::string vendor, model, serial, mac, firmware, sys_name, location, status;
    std::optional<int> interval_s;  ///< per-device override
    bool enabled = true;
    bool manual = false;
    std::optional<std::string> credential_id;
    /// "1": polled over SNMPv1 with its (v2c) set's community; none: the set's own version.
    std::optional<std::string> snmp_version;
    std::optional<std::string> first_seen, last_seen, last_polled_at, last_error;
    int consecutive_failures = 0;
    std::vector<std::string> current_errors;
    std::optional<std::string> snapshot_json;
};

struct HistoryReading {
    std::string reading_id;
    std::string polled_at;
    std::string snapshot_json;
};

/// A problem of one device that is still there (scanner UI "Alerts"): derived from the branch
/// database alone, so it works without the cloud.
struct LocalAlert {
    std::string device_id, vendor, model, address, location;
    std::string kind;  ///< error | alert | tray | supply_low | offline
    std::string code, detail, since;
    std::optional<int> level_percent;  ///< supply_low only
    std::string state;                 ///< supply_low only: the supply's state (ok, low, empty...)
};

struct HistoryEvent {
    std::string at, kind, code, action, detail;
};

/// A credential set without its secrets (the UI never reads them back).
struct CredentialView {
    std::string credential_id, name, version, user, auth_protocol, priv_protocol, context;
    int ordinal = 0;
    bool enabled = true;
    bool has_community = false;
    std::string secret_scheme;           ///< plain | aes-256-gcm
    std::string secret_key_id;           ///< the key the secrets were sealed with ("" when plain)
    std::vector<std::string> range_ids;  ///< discovery ranges that name this set
};

struct RangeView {
    std::string range_id, target, note, created_at;
    bool exclude = false;
    bool enabled = true;
    std::vector<std::string> credential_ids;  ///< in try order; empty: the global sets
};

/// One entry of the web UI's audit log (V0007): a change made through the UI or API.
struct AuditEntry {
    long long entry_id = 0;  ///< read only
    std::string at;          ///< RFC 3339; read only (the database's clock)
    std::string actor_kind;  ///< user | token | anonymous (a failed sign-in)
    std::string actor;       ///< the user name; a token's name
    std::string action;      ///< [a-z_]{1,48}
    std::string target, detail, address;
};

struct AuditPage {
    std::vector<AuditEntry> items;  ///< newest first
    long long total = 0;            ///< matching entries in all
};

struct UploaderStatusRow {
    std::optional<std::string> last_success_at, last_attempt_at, last_error, updated_at;
    long long queue_length = 0;
    long long unsent_readings = 0;
};

struct DbHealth {
    std::string server_version;
    long long database_bytes = 0;
    long long devices = 0;
    long long readings = 0;
};

/// One connection. Used by one thread at a time (the pool guarantees it).
class WebStore {
  public:
    explicit WebStore(std::string conninfo,
                      std::shared_ptr<storage::SecretKeyHolder> key = nullptr);
    /// Over a pooled connection whose statements prepare() has registered.
    explicit WebStore(db::Connection& borrowed,
                      std::shared_ptr<storage::SecretKeyHolder> key = nullptr);
    ~WebStore();
    WebStore(const WebStore&) = delete;
    WebStore& operator=(const WebStore&) = delete;

    /// Connects and prepares every statement when not connected.
    void ensure_connected();
    void disconnect();
    /// Registers every statement the UI uses (the store's too) on `conn`.
    static void prepare(pqxx::connection& conn);
    storage::Store& store() { return store_; }
    pqxx::connection& raw() { return store_.connection().raw(); }

    // --- accounts ---
    bool has_users();
    std::optional<UserRow> user_by_name(const std::string& username);
    std::optional<UserRow> user_by_id(const std::string& user_id);
    /// Creates the first user; nullopt when a user already exists (setup done).
    std::optional<std::string> create_first_user(const std::string& username,
                                                 const std::string& password_hash);
    /// Sets the hash and ends every other session of the user (keep: the current one).
    void set_password(const std::string& user_id, const std::string& password_hash,
                      const std::string& keep_session_hash);

    void create_session(const std::string& token_hash, const std::string& user_id,
                        const std::string& csrf_token, std::chrono::seconds lifetime,
                        const std::string& remote);
    std::optional<Principal> session(const std::string& token_hash);
    void delete_session(const std::string& token_hash);

    std::string create_api_token(const std::string& user_id, const std::string& name,
                                 const std::string& token_hash);
    std::optional<Principal> api_token(const std::string& token_hash);
    std::vector<ApiTokenRow> api_tokens(const std::string& user_id);
    bool delete_api_token(const std::string& user_id, const std::string& token_id);

    /// Failed attempts from `remote` within `window` (and since its last success).
    long long recent_login_failures(const std::string& remote, std::chrono::seconds window);
    void record_login_attempt(const std::string& remote, const std::string& username, bool success);

    // --- audit log ---
    void record_audit(const AuditEntry& entry);
    /// Entries of `action` ("" = all), newest first.
    AuditPage audit(const std::string& action, int limit, long long offset);

    // --- devices ---
    std::vector<DeviceView> devices();  ///< not deleted
    std::optional<DeviceView> device(const std::string& device_id);
    bool set_location(const std::string& device_id, const std::string& location);
    std::vector<HistoryReading> readings(const std::string& device_id, int limit);
    std::vector<HistoryEvent> events(const std::string& device_id, int limit);
    /// Open problems of enabled devices: error/alert/tray events whose last transition is
    /// "appeared", consumed supplies at or below `supply_percent` (or empty), offline devices.
    std::vector<LocalAlert> local_alerts(int supply_percent);

    // --- discovery ---
    std::vector<CredentialView> credentials();  ///< all, enabled or not
    bool delete_credential(const std::string& credential_id);
    std::vector<RangeView> ranges();
    bool delete_range(const std::string& range_id);
    const std::shared_ptr<storage::SecretKeyHolder>& secret_key() const { return key_; }

    // --- settings and status ---
    /// The setting's value as text (JSON strings unquoted), nullopt when absent.
    std::optional<std::string> setting(const std::string& key);
    UploaderStatusRow uploader_status();
    DbHealth health();

  private:
    std::shared_ptr<storage::SecretKeyHolder> key_;
    storage::Store store_;
};

/// WebStores for the request threads, over a db::ConnectionPool that connects on demand (the
/// UI starts while the database is away and answers 503 until it is back).
class WebStorePool {
  public:
    /// `size` connections at most (the web server's blocking threads: no request waits);
    /// `key` seals the secrets of credential sets the UI adds (the service's key).
    WebStorePool(std::string conninfo, std::size_t size,
                 std::shared_ptr<storage::SecretKeyHolder> key = nullptr);

    /// Runs `fn` with a connected store. A connection failure drops that connection (the next
    /// request reconnects) and propagates; so does a failure to connect, and db::PoolExhausted
    /// when every connection stays busy for 5 s.
    void with(const std::function<void(WebStore&)>& fn);

    const db::ConnectionPool& connections() const { return pool_; }

  private:
    std::shared_ptr<storage::SecretKeyHolder> key_;
    db::ConnectionPool pool_;
};

}  // namespace printmon::scanner::web
