#include "printmon/supply/cartridge.hpp"

namespace printmon::supply {

bool is_cartridge_change(std::optional<int> before_percent, std::optional<int> after_percent,
                         std::string_view before_serial, std::string_view after_serial) {
    if (!before_serial.empty() && !after_serial.empty() && before_serial != after_serial) {
        return true;
    }
    return before_percent && after_percent &&
           *after_percent - *before_percent >= kCartridgeJumpPercent;
}

}  // namespace printmon::supply
