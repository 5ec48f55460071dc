#include "app/backoff.hpp"

#include <algorithm>

namespace printmon::uploader {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                 std::uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      rng_(seed) {}

std::chrono::milliseconds Backoff::next() {
    // 2^failures without overflow: stop doubling once past the cap.
    auto base = initial_;
    for (int i = 0; i < failures_ && base < max_; ++i) base *= 2;
    base = std::min(base, max_);
    if (failures_ < 64) ++failures_;
    std::uniform_int_distribution<long long> jitter(base.count() / 2, base.count());
    return std::chrono::milliseconds(jitter(rng_));
}

}  // namespace printmon::uploader
