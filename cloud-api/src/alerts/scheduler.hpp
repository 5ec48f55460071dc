#pragma once
// Runs the alert evaluation on a timer for every tenant (silence has no ingest to trigger it),
// and soon after an ingest or a rule change for the tenant concerned. Own thread and
// connection; wakes the sender when messages were queued.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "printmon/db/connection.hpp"

namespace printmon::cloud::alerts {

class Scheduler {
  public:
    Scheduler(std::string conninfo, std::chrono::milliseconds interval,
              std::function<void()> on_queued);
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;
    ~Scheduler();

    /// Evaluate `tenant` soon (coalesced: many ingests, one evaluation).
    void nudge(const std::string& tenant);
    void stop();

  private:
    void run();

    std::string conninfo_;
    std::chrono::milliseconds interval_;
    std::function<void()> on_queued_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::set<std::string> nudged_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts after the members it uses
};

}  // namespace printmon::cloud::alerts
