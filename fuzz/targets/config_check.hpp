#pragma once
// The check shared by config_*.cpp: only ConfigError may come out of a loader.

#include <optional>
#include <string>
#include <typeinfo>

#include "printmon/common/config.hpp"
#include "support.hpp"

namespace printmon::fuzz {

inline std::optional<std::string> no_env(const std::string& /*name*/) { return std::nullopt; }

template <class Load>
void expect_config_error_only(const char* which, Load load) {
    try {
        load();
    } catch (const common::ConfigError&) {
        // the expected answer to a bad file
    } catch (const std::exception& e) {
        fail("config",
             std::string(which) + ": " + typeid(e).name() + " instead of ConfigError: " + e.what());
    }
}

}  // namespace printmon::fuzz
