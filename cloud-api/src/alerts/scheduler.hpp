#pragma once
// Runs the alert evaluation on a timer for every tenant (silence has no ingest to trigger it),
// and soon after an ingest or a rule change for the tenant concerned. Own thread and
// connection; wakes the sender when messages were queued.
// Rationale for the gap between two evaluations of one tenant: a branch uploading steadily
// nudges on every batch, and every replica behind the balancer gets some of them, so without
// it each replica evaluated (and refreshed) the tenant back to back for as long as the upload
// lasted, queueing on the tenant's evaluation lock (issue 16's replica benchmark). A nudge
// within the gap is kept and evaluated when the gap ends: never lost, only coalesced.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "printmon/db/connection.hpp"

namespace printmon::cloud::alerts {

class Scheduler {
  public:
    Scheduler(std::string conninfo, std::chrono::milliseconds interval,
              std::function<void()> on_queued);
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;
    ~Scheduler();

    /// The shortest gap between two evaluations of one tenant by this process; the gap is
    /// also at least kGapFactor times the tenant's last evaluation, at most kMaxGap.
    static constexpr std::chrono::milliseconds kMinGap{1000};
    static constexpr int kGapFactor = 4;
    static constexpr std::chrono::milliseconds kMaxGap{30'000};

    /// Evaluate `tenant` soon (coalesced: many ingests, one evaluation).
    void nudge(const std::string& tenant);
    void stop();

    /// Evaluations done since the start (timer and nudges), for tests.
    long long evaluations() const;

  private:
    using TimePoint = std::chrono::steady_clock::time_point;
    void run();
    /// Moves the nudged tenants whose gap has passed out of nudged_ (mutex_ held).
    std::vector<std::string> take_due(TimePoint now);
    /// When the next nudged tenant's gap ends, or `until` if sooner (mutex_ held).
    TimePoint next_due(TimePoint until) const;

    std::string conninfo_;
    std::chrono::milliseconds interval_;
    std::function<void()> on_queued_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::set<std::string> nudged_;
    long long nudges_ = 0;  ///< generation: a nudge wakes the thread to recompute what is due
    /// Tenant -> when its gap ends. Only read and written with mutex_ held.
    std::map<std::string, TimePoint> ready_at_;
    long long evaluations_ = 0;
    bool stopping_ = false;
    std::thread thread_;  // last: starts after the members it uses
};

}  // namespace printmon::cloud::alerts
