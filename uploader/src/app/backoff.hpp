#pragma once
// Exponential backoff with jitter for retries against an unreachable or failing cloud.

#include <chrono>
#include <cstdint>
#include <random>

namespace printmon::uploader {

/// Delays initial, 2x, 4x ... capped at `max`, each drawn uniformly from [d/2, d] ("equal
/// jitter") so that many branches coming back online do not retry in lock-step.
class Backoff {
  public:
    Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
            std::uint64_t seed = std::random_device{}());

    /// The delay before the next retry; every call doubles the base until the cap.
    std::chrono::milliseconds next();
    /// Back to `initial` after a success.
    void reset() { failures_ = 0; }
    int failures() const { return failures_; }

  private:
    std::chrono::milliseconds initial_;
    std::chrono::milliseconds max_;
    int failures_ = 0;
    std::mt19937_64 rng_;
};

}  // namespace printmon::uploader
