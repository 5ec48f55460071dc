// Config loading of the three programs (scanner.toml, uploader.toml, cloud-api.toml) over any
// text. The contract of each loader: a valid config, or common::ConfigError with the file and
// position; any other exception means an operator gets a message that names no place.
// One file per program (config_*.cpp): their private headers share names (app/config.hpp).

#include "support.hpp"

namespace printmon::fuzz {

void load_scanner_config(std::string_view text);
void load_uploader_config(std::string_view text);
void load_cloud_config(std::string_view text);

int fuzz_config(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    load_scanner_config(text);
    load_uploader_config(text);
    load_cloud_config(text);
    return 0;
}

}  // namespace printmon::fuzz
