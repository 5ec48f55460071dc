#include "printmon/common/logging.hpp"

#include <array>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace printmon::common {

namespace {

constexpr const char* kDefaultLoggerName = "printmon";

struct LevelName {
    std::string_view name;
    spdlog::level::level_enum level;
};

constexpr std::array kLevelNames{
    LevelName{"trace", spdlog::level::trace},       LevelName{"debug", spdlog::level::debug},
    LevelName{"info", spdlog::level::info},         LevelName{"warn", spdlog::level::warn},
    LevelName{"warning", spdlog::level::warn},      LevelName{"error", spdlog::level::err},
    LevelName{"critical", spdlog::level::critical}, LevelName{"off", spdlog::level::off},
};

}  // namespace

spdlog::level::level_enum parse_log_level(std::string_view text) {
    for (const auto& entry : kLevelNames) {
        if (entry.name == text) return entry.level;
    }
    throw std::invalid_argument(fmt::format(
        "invalid log level '{}': expected one of trace, debug, info, warn, error, critical, off",
        text));
}

void setup_logging(spdlog::level::level_enum level) {
    auto logger = spdlog::get(kDefaultLoggerName);
    if (!logger) {
        // stderr_color_mt registers the logger; a concurrent setup would throw, so re-read.
        try {
            logger = spdlog::stderr_color_mt(kDefaultLoggerName);
        } catch (const spdlog::spdlog_ex&) {
            logger = spdlog::get(kDefaultLoggerName);
        }
    }
    spdlog::set_default_logger(logger);
    spdlog::set_pattern(kLogPattern, spdlog::pattern_time_type::utc);
    spdlog::set_level(level);  // applies to every registered logger and to later ones
}

std::shared_ptr<spdlog::logger> get_logger(const std::string& name) {
    if (auto existing = spdlog::get(name)) return existing;
    // Cloning the default logger shares its sink (one stderr writer, one mutex) and format.
    auto logger = spdlog::default_logger()->clone(name);
    try {
        spdlog::register_logger(logger);
    } catch (const spdlog::spdlog_ex&) {
        // Another thread registered the same name first: use theirs so there is only one.
        if (auto existing = spdlog::get(name)) return existing;
        throw;
    }
    return logger;
}

std::string log_value(std::string_view value) {
    bool plain = !value.empty();
    for (const char c : value) {
        if (c == ' ' || c == '"' || c == '=' || c == '\\' || c == '\n' || c == '\t' || c == '\r') {
            plain = false;
            break;
        }
    }
    if (plain) return std::string(value);
    std::string out;
    out.reserve(value.size() + 2);
    out.push_back('"');
    for (const char c : value) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out.push_back(c);
        }
    }
    out.push_back('"');
    return out;
}

}  // namespace printmon::common
