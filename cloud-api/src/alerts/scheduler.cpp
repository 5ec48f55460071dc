#include "alerts/scheduler.hpp"

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

void Scheduler::run() {
    auto log = common::get_logger("cloud.alerts");
    std::unique_ptr<db::Connection> conn;
    storage::Leadership sweep(storage::LeaderRole::alerts_sweep);
    auto next_full = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const bool full = std::chrono::steady_clock::now() >= next_full;
        std::set<std::string> nudged;
        nudged.swap(nudged_);
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
            std::vector<std::string> list =
                sweep_here ? tenants(conn->raw())
                           : std::vector<std::string>(nudged.begin(), nudged.end());
            int queued = 0;
            for (const auto& tenant : list) {
                const auto report = evaluate(conn->raw(), tenant, Clock::now());
                queued += report.notifications;
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
        wake_.wait_until(lock, next_full, [this] { return stopping_ || !nudged_.empty(); });
    }
}

}  // namespace printmon::cloud::alerts
