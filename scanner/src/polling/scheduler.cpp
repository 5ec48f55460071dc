#include "polling/scheduler.hpp"

#include <algorithm>
#include <unordered_set>

namespace printmon::scanner {

Scheduler::Scheduler(std::chrono::seconds default_interval) : default_interval_(default_interval) {}

void Scheduler::set_default_interval(std::chrono::seconds interval) {
    if (interval == default_interval_) return;
    default_interval_ = interval;
    for (auto& [id, e] : entries_) {
        if (!e.target.interval && e.last_start) e.next_due = *e.last_start + interval;
    }
}

void Scheduler::set_devices(const std::vector<storage::PollTarget>& devices, TimePoint now) {
    std::unordered_set<std::string> seen;
    for (const auto& d : devices) {
        seen.insert(d.device_id);
        auto it = entries_.find(d.device_id);
        if (it == entries_.end()) {
            Entry e;
            e.target = d;
            e.next_due = now;
            if (d.since_last_poll) {
                const auto since = std::max(std::chrono::seconds{0}, *d.since_last_poll);
                // May lie in the past: the longest overdue device goes first.
                e.next_due = now - since + interval_of(d);
                e.last_start = now - since;
            }
            entries_.emplace(d.device_id, std::move(e));
            continue;
        }
        Entry& e = it->second;
        const bool interval_changed = interval_of(e.target) != interval_of(d);
        e.target = d;
        if (interval_changed && e.last_start) e.next_due = *e.last_start + interval_of(d);
    }
    // Devices no longer pollable (disabled, deleted, moved away) leave the schedule; a poll
    // still in flight for one of them just finds no entry when it ends.
    for (auto it = entries_.begin(); it != entries_.end();) {
        it = seen.count(it->first) != 0 ? std::next(it) : entries_.erase(it);
    }
}

std::vector<storage::PollTarget> Scheduler::take_due(TimePoint now, std::size_t limit) {
    std::vector<Entry*> due;
    for (auto& [id, e] : entries_) {
        if (!e.in_flight && e.next_due <= now) due.push_back(&e);
    }
    std::sort(due.begin(), due.end(), [](const Entry* a, const Entry* b) {
        return a->next_due != b->next_due ? a->next_due < b->next_due
                                          : a->target.device_id < b->target.device_id;
    });
    if (due.size() > limit) due.resize(limit);
    std::vector<storage::PollTarget> out;
    out.reserve(due.size());
    for (Entry* e : due) {
        e->in_flight = true;
        e->last_start = now;
        out.push_back(e->target);
    }
    return out;
}

void Scheduler::finished(const std::string& device_id, TimePoint now) {
    auto it = entries_.find(device_id);
    if (it == entries_.end()) return;
    Entry& e = it->second;
    e.in_flight = false;
    const TimePoint start = e.last_start.value_or(now);
    e.next_due = std::max(now, start + interval_of(e.target));
}

bool Scheduler::poll_now(const std::string& device_id, TimePoint now) {
    auto it = entries_.find(device_id);
    if (it == entries_.end()) return false;
    it->second.next_due = std::min(it->second.next_due, now);
    return true;
}

std::optional<Scheduler::TimePoint> Scheduler::next_due() const {
    std::optional<TimePoint> best;
    for (const auto& [id, e] : entries_) {
        if (!e.in_flight && (!best || e.next_due < *best)) best = e.next_due;
    }
    return best;
}

std::size_t Scheduler::in_flight() const {
    return static_cast<std::size_t>(std::count_if(
        entries_.begin(), entries_.end(), [](const auto& kv) { return kv.second.in_flight; }));
}

bool DiscoverySchedule::due(TimePoint now) const {
    if (interval_ <= std::chrono::seconds{0}) return false;
    return !last_start_ || now >= *last_start_ + interval_;
}

}  // namespace printmon::scanner
