#pragma once
// scanner.toml: the bootstrap configuration of `printmon-scanner run` (database, logging,
// SNMP limits, timing). Everything a user edits in the web UI lives in the database instead.
// Every key and default is shown in scanner/scanner.example.toml.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "polling/service.hpp"
#include "printmon/common/config.hpp"
#include "printmon/metrics/registry.hpp"
#include "web/web_app.hpp"

namespace printmon::scanner {

struct ServiceConfig {
    std::string log_level = "info";
    std::string profiles_dir;  ///< "" = built-in profiles only
    ServiceOptions service;    ///< conninfo carries the password when one was given
    web::WebOptions web;       ///< [web]: the settings UI and JSON API
    /// [metrics] listen: GET /metrics on its own address; nullopt ("", the default): off.
    std::optional<metrics::ListenAddress> metrics_listen;
};

/// Reads and validates scanner.toml. Throws common::ConfigError ("file:line:col: message").
/// The database password comes from PRINTMON_DATABASE_PASSWORD when set, else
/// database.password, else the conninfo itself (or libpq's own PGPASSWORD/.pgpass).
ServiceConfig load_service_config(const std::filesystem::path& path,
                                  const common::EnvLookup& env = common::system_env);

/// Parses TOML text (tests); `source_name` names it in messages.
ServiceConfig parse_service_config(std::string_view text, std::string_view source_name,
                                   const common::EnvLookup& env = common::system_env);

/// `conninfo` with `password` added: a key=value conninfo gets a quoted password='...', a
/// postgresql:// URI a percent-encoded password query parameter.
std::string with_password(const std::string& conninfo, const std::string& password);

}  // namespace printmon::scanner
