#include "alerts/scheduler.hpp"

#include <vector>

#include "alerts/engine.hpp"
#include "printmon/common/logging.hpp"

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
            std::vector<std::string> list =
                full ? tenants(conn->raw())
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
