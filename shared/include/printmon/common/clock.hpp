#pragma once
// Injectable time source: code that schedules or timestamps takes a Clock&, so tests drive time
// by hand instead of sleeping (STYLE.md §9).

#include <chrono>
#include <mutex>

namespace printmon::common {

/// Source of wall-clock time (timestamps) and monotonic time (deadlines, intervals).
class Clock {
  public:
    using WallTime = std::chrono::system_clock::time_point;
    using MonoTime = std::chrono::steady_clock::time_point;

    virtual ~Clock() = default;
    /// Wall-clock time, for timestamps that leave the process (UTC).
    virtual WallTime now() const = 0;
    /// Monotonic time, for measuring intervals: never jumps when the wall clock is adjusted.
    virtual MonoTime monotonic() const = 0;
};

/// The real clocks.
class SystemClock final : public Clock {
  public:
    WallTime now() const override;
    MonoTime monotonic() const override;
};

/// A clock that only moves when told to; thread-safe so a test thread can advance it while the
/// code under test reads it.
class ManualClock final : public Clock {
  public:
    /// Starts at `start` (wall) and at an arbitrary fixed monotonic origin.
    explicit ManualClock(WallTime start = WallTime{});

    WallTime now() const override;
    MonoTime monotonic() const override;

    /// Moves both clocks forward by `delta` (must not be negative).
    void advance(std::chrono::nanoseconds delta);
    /// Sets the wall clock only (models an NTP step); the monotonic clock does not move.
    void set_wall(WallTime t);

  private:
    mutable std::mutex mutex_;
    WallTime wall_;
    MonoTime mono_;
};

}  // namespace printmon::common
