#pragma once
// cloud-api.toml: server, TLS, database pool, body caps, admin token, logging. Every key and
// default is shown in cloud-api/cloud-api.example.toml.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "alerts/sender.hpp"
#include "auth/authenticator.hpp"
#include "ingest/ingest.hpp"
#include "printmon/common/config.hpp"
#include "printmon/metrics/registry.hpp"
#include "printmon/net/server.hpp"

namespace printmon::cloud {

struct DatabaseConfig {
    std::string conninfo;  ///< libpq conninfo or URI, with the password when one was given
    std::size_t pool_size = 4;
    std::chrono::milliseconds acquire_timeout{500};
    bool migrate_on_start = true;
    /// A streaming replica for analytics reads ("" = none); used only within
    /// analytics.max_replica_lag. Gets the same password as `conninfo`.
    std::string replica_conninfo;
    std::size_t replica_pool_size = 2;
};

struct AnalyticsConfig {
    /// How often the background thread brings the read model up to date. Reads refresh their
    /// tenant first anyway; a longer interval batches more readings into one refresh (less work
    /// per reading) at the cost of that first read after an ingest burst.
    std::chrono::seconds refresh_interval{5};
    /// Upper bound of one API query (and of the refresh a read runs first); past it: 503.
    std::chrono::milliseconds statement_timeout{10'000};
    /// How often the same thread runs the raw readings' maintenance (V0013: per-tenant
    /// retention horizons, dropping past monthly partitions, creating the coming ones); 0 = never
    /// in this process (another replica or a job does it).
    std::chrono::seconds raw_maintenance_interval{3600};
    /// Time the refresh leader spends per round computing the supply forecasts it keeps for
    /// readers (V0022); 0 = keep none here (readers compute every forecast, as before V0022).
    std::chrono::milliseconds forecast_budget{1000};
    /// Reads may go to database.replica_conninfo while its lag is at most this (0: never).
    std::chrono::seconds max_replica_lag{0};
};

struct CloudConfig {
    std::string log_level = "info";
    net::ServerOptions server;  ///< server.tls set unless `tls = false`
    /// [server] public_url: the console's address as its users reach it (scheme, host, port,
    /// path prefix; no trailing '/'), for links in e-mails (password reset). "" = unknown: no
    /// reset e-mails are sent (the service warns at start).
    std::string public_url;
    DatabaseConfig database;
    AnalyticsConfig analytics;
    ingest::IngestLimits limits;
    auth::AuthOptions auth;
    alerts::NotifyConfig notify;  ///< [notify]: alert evaluation timer, e-mail and webhooks
    /// [secrets] key_file: the key that seals channel secrets in the database (webhook secrets,
    /// bot tokens); made at the first start when missing. A relative path is taken from the
    /// configuration file's folder. Every replica needs the same file.
    std::filesystem::path secret_key_file = "cloud-secret.key";
    /// [metrics] listen: GET /metrics on its own plain-HTTP address; nullopt (the default,
    /// "") serves none. Never the API port.
    std::optional<metrics::ListenAddress> metrics_listen;
};

/// Reads and validates cloud-api.toml. Throws common::ConfigError ("file:line:col: message").
/// Secrets from the environment win: PRINTMON_DATABASE_PASSWORD, PRINTMON_AUTH_ADMIN_TOKEN,
/// PRINTMON_NOTIFY_SMTP_PASSWORD.
CloudConfig load_config(const std::filesystem::path& path,
                        const common::EnvLookup& env = common::system_env);

/// Parses TOML text (tests); `source_name` names it in messages.
CloudConfig parse_config(std::string_view text, std::string_view source_name,
                         const common::EnvLookup& env = common::system_env);

/// `conninfo` with `password` added (key=value form: password='...'; URI: ?password=...).
std::string with_password(const std::string& conninfo, const std::string& password);

}  // namespace printmon::cloud
