#pragma once
// uploader.toml: the bootstrap configuration of printmon-uploader. The cloud URL and scanner key
// normally come from the branch database (set in the scanner UI); the file may override them.
// Every key and default is shown in uploader/uploader.example.toml.

#include <filesystem>
#include <string>
#include <string_view>

#include "app/service.hpp"
#include "printmon/common/config.hpp"
#include "printmon/metrics/registry.hpp"

namespace printmon::uploader {

struct UploaderConfig {
    std::string log_level = "info";
    ServiceOptions service;  ///< conninfo carries the password when one was given
    /// [metrics] listen: GET /metrics on this address; nullopt ("", the default): off.
    std::optional<metrics::ListenAddress> metrics_listen;
};

/// Environment variable that overrides the scanner key (never written to files or logs).
inline constexpr const char* kScannerKeyEnv = "PRINTMON_SCANNER_KEY";

/// Reads and validates the file. Throws common::ConfigError ("file:line:col: message").
UploaderConfig load_config(const std::filesystem::path& path,
                           const common::EnvLookup& env = common::system_env);

/// Parses TOML text (tests); `source_name` names it in messages.
UploaderConfig parse_config(std::string_view text, std::string_view source_name,
                            const common::EnvLookup& env = common::system_env);

/// `conninfo` with `password` added (key=value form: quoted; URI form: percent-encoded).
std::string with_password(const std::string& conninfo, const std::string& password);

}  // namespace printmon::uploader
