#include "printmon/metrics/config.hpp"

#include <stdexcept>
#include <string>

namespace printmon::metrics {

std::optional<ListenAddress> read_listen(const common::ConfigReader& root,
                                         std::optional<std::uint16_t> public_port) {
    const auto table = root.table("metrics");
    std::optional<ListenAddress> listen;
    try {
        listen = parse_listen(table.get_or<std::string>("listen", ""));
    } catch (const std::invalid_argument& e) {
        table.fail("listen", e.what());
    }
    if (listen && public_port && listen->port == *public_port) {
        table.fail("listen", "must not be the port of the API or web UI");
    }
    return listen;
}

}  // namespace printmon::metrics
