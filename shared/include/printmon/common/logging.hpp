#pragma once
// Logging: spdlog named loggers writing `key=value` lines to stderr (journald/docker collect it).
//
// Usage: setup_logging(level) once in main(); then in constructors
//   logger_ = common::get_logger("scanner.poll");
//   logger_->info("event=printer_offline host={} after_ms={}", host, ms);
// Format strings are checked at compile time by fmt. spdlog's registry is the only global.

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace printmon::common {

/// Parses "trace|debug|info|warn|error|critical|off" (also "warning"). Throws
/// std::invalid_argument naming the accepted values: a bad level is a startup (config/CLI) error.
spdlog::level::level_enum parse_log_level(std::string_view text);

/// Pattern of every line: `ts=<UTC RFC 3339> level=<level> logger=<name> <message>`.
inline constexpr const char* kLogPattern = "ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l logger=%n %v";

/// Makes a stderr logger named "printmon" the default and sets `level` on it and on every
/// logger already registered. Loggers made later by get_logger() copy its sinks and level.
void setup_logging(spdlog::level::level_enum level);

/// The logger registered under `name`, created (sharing the default logger's sinks, level and
/// format) on first use. Thread-safe.
std::shared_ptr<spdlog::logger> get_logger(const std::string& name);

/// A value for a `key=value` line: returned as is when it is a single token, otherwise quoted
/// with '"' and '\\' escaped, so a log parser can split the line unambiguously.
std::string log_value(std::string_view value);

}  // namespace printmon::common
