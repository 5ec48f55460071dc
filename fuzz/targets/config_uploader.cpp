#include "app/config.hpp"
#include "config_check.hpp"

namespace printmon::fuzz {

void load_uploader_config(std::string_view text) {
    expect_config_error_only("uploader",
                             [&] { (void)uploader::parse_config(text, "uploader.toml", no_env); });
}

}  // namespace printmon::fuzz
