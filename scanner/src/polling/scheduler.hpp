#pragma once
// When to poll which device and when to discover, as a pure state machine driven by the
// caller's monotonic time: the service asks it on every tick, tests drive it with a
// ManualClock's times and never sleep.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "printmon/common/clock.hpp"
#include "storage/records.hpp"

namespace printmon::scanner {

class Scheduler {
  public:
    using TimePoint = common::Clock::MonoTime;

    explicit Scheduler(std::chrono::seconds default_interval);

    /// Interval for devices without their own; reschedules them from their last start.
    void set_default_interval(std::chrono::seconds interval);

    /// Replaces the set of pollable devices. Devices already known keep their schedule (a
    /// changed interval counts from the last start); new ones are due one interval after their
    /// last poll (the database's since_last_poll), or now when never polled.
    void set_devices(const std::vector<storage::PollTarget>& devices, TimePoint now);

    /// Up to `limit` devices due at `now`, longest overdue first, marked in flight.
    std::vector<storage::PollTarget> take_due(TimePoint now, std::size_t limit);

    /// A poll started by take_due ended: next due one interval after its start (fixed cadence,
    /// no drift), or now if that has passed already.
    void finished(const std::string& device_id, TimePoint now);

    /// Makes a device due now. False when it is not a pollable device (unknown, disabled...).
    bool poll_now(const std::string& device_id, TimePoint now);

    /// Earliest next due time of a device not in flight; none when nothing waits.
    std::optional<TimePoint> next_due() const;

    std::size_t size() const { return entries_.size(); }
    std::size_t in_flight() const;
    bool contains(const std::string& device_id) const { return entries_.count(device_id) != 0; }
    /// The pollable device with this id, or nullptr.
    const storage::PollTarget* target(const std::string& device_id) const {
        const auto it = entries_.find(device_id);
        return it == entries_.end() ? nullptr : &it->second.target;
    }

  private:
    struct Entry {
        storage::PollTarget target;
        TimePoint next_due;
        std::optional<TimePoint> last_start;
        bool in_flight = false;
    };
    std::chrono::seconds interval_of(const storage::PollTarget& t) const {
        return t.interval.value_or(default_interval_);
    }

    std::chrono::seconds default_interval_;
    std::unordered_map<std::string, Entry> entries_;
};

/// When scheduled discovery runs: at start, then every interval after the previous start.
class DiscoverySchedule {
  public:
    using TimePoint = common::Clock::MonoTime;
    /// `interval` 0 disables scheduled discovery (discover_now still works).
    void set_interval(std::chrono::seconds interval) { interval_ = interval; }
    bool due(TimePoint now) const;
    void started(TimePoint now) { last_start_ = now; }

  private:
    std::chrono::seconds interval_{0};
    std::optional<TimePoint> last_start_;
};

}  // namespace printmon::scanner
