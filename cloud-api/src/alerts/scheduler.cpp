#include "alerts/scheduler.hpp"

#include <algorithm>
#include <iterator>
#include <vector>

#include "alerts/engine.hpp"
#include "printmon/common/logging.hpp"
#include "storage/leader.hpp"

namespace printmon::cloud::alerts {

Scheduler::Scheduler(std::string conninfo, std::chrono::milliseconds interval,
                     std::function<void()> on_queued)
    : conninfo_(std::move(conninfo)),
      interval_(interval),
      on_queued_(std::move(on_queued)),
      thread_([this] { run(); }) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::nudge(const std::string& tenant) {
    {
        std::lock_guard lock(mutex_);
        nudged_.insert(tenant);
        ++nudges_;
    }
    wake_.notify_all();
}

void Scheduler::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

long long Scheduler::evaluations() const {
    std::lock_guard lock(mutex_);
    return evaluations_;
}

std::vector<std::string> Scheduler::take_due(TimePoint now) {
    std::vector<std::string> due;
    for (auto it = nudged_.begin(); it != nudged_.end();) {
        const auto ready = ready_at_.find(*it);
        if (ready == ready_at_.end() || ready->second <= now) {
            due.push_back(*it);
            it = nudged_.erase(it);
        } else {
            ++it;
        }
    }
    // Forget gaps that have ended: the map stays as small as the tenants evaluated lately.
    for (auto it = ready_at_.begin(); it != ready_at_.end();) {
        it = it->second <= now ? ready_at_.erase(it) : std::next(it);
    }
    return due;
}

Scheduler::TimePoint Scheduler::next_due(TimePoint until) const {
    for (const auto& tenant : nudged_) {
        const auto ready = ready_at_.find(tenant);
        if (ready == ready_at_.end()) return std::chrono::steady_clock::now();  // due now
        until = std::min(until, ready->second);
    }
    return until;
}

void Scheduler::run() {
    auto log = common::get_logger("cloud.alerts");
    std::unique_ptr<db::Connection> conn;
    storage::Leadership sweep(storage::LeaderRole::alerts_sweep);
    auto next_full = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const auto now = std::chrono::steady_clock::now();
        const bool full = now >= next_full;
        std::vector<std::string> nudged = take_due(now);
        lock.unlock();
        bool failed = false;
        try {
            if (!conn) {
                conn = std::make_unique<db::Connection>(conninfo_);
                prepare_statements(conn->raw());
            }
            // The timed sweep of every tenant runs on one replica (the leader); nudges after an
            // ingest or a rule change are evaluated where they arrive (evaluate() serialises a
            // tenant's evaluations over every process with its own lock, and is idempotent).
            const bool sweep_here = full && sweep.acquire(conn->raw());
            const std::vector<std::string> list = sweep_here ? tenants(conn->raw()) : nudged;
            int queued = 0;
            for (const auto& tenant : list) {
                const auto started = std::chrono::steady_clock::now();
                const auto report = evaluate(conn->raw(), tenant, Clock::now());
                queued += report.notifications;
                const auto done = std::chrono::steady_clock::now();
                const auto gap = std::clamp(
                    std::chrono::duration_cast<std::chrono::milliseconds>(done - started) *
                        kGapFactor,
                    kMinGap, kMaxGap);
                std::lock_guard guard(mutex_);
                ready_at_[tenant] = done + gap;
                ++evaluations_;
            }
            if (queued > 0 && on_queued_) on_queued_();
            if (full) next_full = std::chrono::steady_clock::now() + interval_;
        } catch (const std::exception& e) {
            log->warn("event=alerts_evaluation_failed error={}", common::log_value(e.what()));
            conn.reset();
            sweep.lost();
            failed = true;
            // Keep what was asked: the next round tries again.
            lock.lock();
            nudged_.insert(nudged.begin(), nudged.end());
            lock.unlock();
        }
        lock.lock();
        if (failed) {
            // A lost database: back off instead of spinning on the kept nudges.
            wake_.wait_for(lock, std::chrono::seconds(5), [this] { return stopping_; });
            continue;
        }
        // Until the sweep, the end of a nudged tenant's gap, or a new nudge (which may be for a
        // tenant with no gap running): then the loop works out what is due.
        const long long seen = nudges_;
        wake_.wait_until(lock, next_due(next_full),
                         [this, seen] { return stopping_ || nudges_ != seen; });
    }
}

}  // namespace printmon::cloud::alerts
