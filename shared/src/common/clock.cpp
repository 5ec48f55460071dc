#include "printmon/common/clock.hpp"

#include <stdexcept>

namespace printmon::common {

Clock::WallTime SystemClock::now() const { return std::chrono::system_clock::now(); }

Clock::MonoTime SystemClock::monotonic() const { return std::chrono::steady_clock::now(); }

ManualClock::ManualClock(WallTime start) : wall_(start), mono_(MonoTime{}) {}

Clock::WallTime ManualClock::now() const {
    const std::lock_guard lock(mutex_);
    return wall_;
}

Clock::MonoTime ManualClock::monotonic() const {
    const std::lock_guard lock(mutex_);
    return mono_;
}

void ManualClock::advance(std::chrono::nanoseconds delta) {
    // A monotonic clock that goes backwards would break every deadline computed from it.
    if (delta < std::chrono::nanoseconds::zero()) {
        throw std::invalid_argument("ManualClock::advance: negative delta");
    }
    const std::lock_guard lock(mutex_);
    wall_ += std::chrono::duration_cast<WallTime::duration>(delta);
    mono_ += std::chrono::duration_cast<MonoTime::duration>(delta);
}

void ManualClock::set_wall(WallTime t) {
    const std::lock_guard lock(mutex_);
    wall_ = t;
}

}  // namespace printmon::common
