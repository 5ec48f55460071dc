#include "app/service_config.hpp"
#include "config_check.hpp"

namespace printmon::fuzz {

void load_scanner_config(std::string_view text) {
    expect_config_error_only(
        "scanner", [&] { (void)scanner::parse_service_config(text, "scanner.toml", no_env); });
}

}  // namespace printmon::fuzz
