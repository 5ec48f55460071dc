#include "app/config.hpp"
#include "config_check.hpp"

namespace printmon::fuzz {

void load_cloud_config(std::string_view text) {
    expect_config_error_only("cloud-api",
                             [&] { (void)cloud::parse_config(text, "cloud-api.toml", no_env); });
}

}  // namespace printmon::fuzz
