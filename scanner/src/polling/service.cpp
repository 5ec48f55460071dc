#include "polling/service.hpp"

#include <algorithm>
#include <exception>
#include <unordered_map>

#include <fmt/format.h>

#include "app/probe.hpp"
#include "discovery/discover.hpp"
#include "discovery/targets.hpp"
#include "polling/scheduler.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "snmp/engine.hpp"
#include "snmp/fetch.hpp"
#include "snmp/redact.hpp"
#include "snmp/snmprec.hpp"
#include "storage/store.hpp"

namespace printmon::scanner {

/// A credential set as one poll attempt uses it: the row's id (none: the built-in "public"),
/// its credentials, and whether they are a community set of version 2c asked over SNMPv1.
struct CredentialChoice {
    std::optional<std::string> id;
    snmp::Credentials credentials;
    bool v1_fallback = false;
};

struct Service::PollJob {
    std::optional<std::string> device_id;  ///< none: a printer discovery just found
    std::string address;
    std::uint16_t port = 161;
    std::vector<CredentialChoice> credentials;  ///< tried in order until one answers
};

struct Service::DiscoveryJob {
    std::vector<std::string> hosts;
    /// The credential lists in use: [0] the global sets, then one per range naming its own.
    std::vector<std::vector<CredentialChoice>> credential_lists;
    std::vector<std::size_t> list_of_host;  ///< per host, its index in credential_lists
    std::uint16_t port = 161;
};

struct Service::CaptureJob {
    std::string device_id;
    std::string address;
    std::uint16_t port = 161;
    snmp::Credentials credentials;
};

struct Service::PollState {
    std::shared_ptr<PollJob> job;
    /// Set when the first attempt starts: a poll's duration spans every credential it tried.
    std::chrono::steady_clock::time_point started;
};

Service::Metrics::Metrics(metrics::Registry& r)
    : poll_seconds(r.histogram_family(
          "printmon_scanner_poll_duration_seconds",
          "Time of one device poll, every credential set tried, by result (answered, failed).",
          {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80}, {"result"})),
      polls(r.counter_family("printmon_scanner_polls_total",
                             "Device polls finished, by result (answered, failed).", {"result"})),
      snmp_timeouts(r.counter_family(
          "printmon_scanner_snmp_timeouts_total",
          "Polls of a known device that ended in an SNMP timeout, per device id.", {"device_id"})),
      snmp_requests(r.counter_family(
          "printmon_scanner_snmp_requests_total",
          "SNMP requests sent by device polls, by kind (full_read, repeat_poll).", {"kind"})),
      discovery_runs(r.counter_family("printmon_scanner_discovery_runs_total",
                                      "Discovery runs, by result (completed, failed, skipped).",
                                      {"result"})),
      discovery_printers(r.gauge("printmon_scanner_discovery_printers_found",
                                 "Printers found by the last completed discovery run.")),
      devices(r.gauge_family("printmon_scanner_devices",
                             "Devices not deleted, by state (unknown, online, offline, disabled).",
                             {"state"})) {
    for (const char* result : {"answered", "failed"}) {
        poll_seconds.with({result});
        polls.with({result});
    }
    for (const char* result : {"completed", "failed", "skipped"}) discovery_runs.with({result});
    for (const char* kind : {"full_read", "repeat_poll"}) snmp_requests.with({kind});
    for (const char* state : {"unknown", "online", "offline", "disabled"}) devices.with({state});
}

void Service::register_stats_metrics() {
    using metrics::Sample;
    using metrics::Type;
    const auto stat = [this](const std::string& name, const std::string& help, Type type,
                             double (*pick)(const ServiceStats&)) {
        registry_.callback(name, help, type, {}, [this, pick] {
            return std::vector<Sample>{{{}, pick(stats())}};
        });
    };
    stat("printmon_scanner_db_queue_depth",
         "Poll results waiting for the DB thread (held in memory while the database is away).",
         Type::kGauge, [](const ServiceStats& s) { return static_cast<double>(s.queued_results); });
    stat("printmon_scanner_db_connected", "1 when the DB thread holds a working connection.",
         Type::kGauge, [](const ServiceStats& s) { return s.db_connected ? 1.0 : 0.0; });
    stat("printmon_scanner_scheduled_devices", "Devices the scheduler polls.", Type::kGauge,
         [](const ServiceStats& s) { return static_cast<double>(s.scheduled_devices); });
    stat("printmon_scanner_readings_written_total", "Readings committed to the branch database.",
         Type::kCounter,
         [](const ServiceStats& s) { return static_cast<double>(s.readings_written); });
    stat("printmon_scanner_results_dropped_total",
         "Poll results dropped because the DB queue overflowed during a database outage.",
         Type::kCounter,
         [](const ServiceStats& s) { return static_cast<double>(s.results_dropped); });
    stat("printmon_scanner_db_reconnects_total", "Reconnections of the DB thread.", Type::kCounter,
         [](const ServiceStats& s) { return static_cast<double>(s.db_reconnects); });
}

namespace {

std::vector<CredentialChoice> all_credentials(const std::vector<storage::CredentialRow>& rows) {
    std::vector<CredentialChoice> out;
    out.reserve(rows.size() + 1);
    for (const auto& r : rows) out.push_back({r.credential_id, r.credentials});
    // Without any configured set, "public" over v2c is what most printers answer.
    if (out.empty()) out.push_back({std::nullopt, snmp::Credentials{}});
    return out;
}

/// How a poll with `choice` reads: an agent found only over SNMPv1 has nothing past its MIB's
/// end to wait for (snmp::FetchOptions::v1_only_agent).
snmp::FetchOptions fetch_options(const CredentialChoice& choice) {
    snmp::FetchOptions o;
    o.v1_only_agent = choice.v1_fallback;
    return o;
}

/// `choice` asked over SNMPv1, when it is a community set of version 2c.
std::optional<CredentialChoice> as_v1(const CredentialChoice& choice) {
    if (choice.credentials.version != snmp::Version::v2c) return std::nullopt;
    CredentialChoice v1 = choice;
    v1.credentials.version = snmp::Version::v1;
    v1.v1_fallback = true;
    return v1;
}

/// The attempts of a poll of a device whose last answer came with `credential_id` (over SNMPv1
/// when `snmp_v1`, see storage::PollTarget).
std::vector<CredentialChoice> credentials_for(const std::vector<storage::CredentialRow>& rows,
                                              const std::optional<std::string>& credential_id,
                                              bool snmp_v1 = false) {
    if (credential_id) {
        for (const auto& r : rows) {
            if (r.credential_id != *credential_id) continue;
            CredentialChoice own{r.credential_id, r.credentials};
            if (snmp_v1) {
                if (auto v1 = as_v1(own)) return {*v1};
            }
            return {own};
        }
    }
    // Never answered yet (a manual device), or its set was deleted: try them all in order, then
    // the v2c sets over SNMPv1 (first, for the built-in set of a device that answered so), as
    // discovery does. Rationale: an SNMPv1-only agent drops a v2c request unanswered.
    auto all = all_credentials(rows);
    std::vector<CredentialChoice> v1s;
    for (const auto& c : all) {
        if (auto v1 = as_v1(c)) v1s.push_back(std::move(*v1));
    }
    if (snmp_v1 && !credential_id) {
        v1s.insert(v1s.end(), all.begin(), all.end());
        return v1s;
    }
    all.insert(all.end(), v1s.begin(), v1s.end());
    return all;
}

/// Hosts to discover with the credential sets each one tries.
struct DiscoveryPlan {
    std::vector<std::string> hosts;
    std::vector<std::vector<CredentialChoice>> credential_lists;
    std::vector<std::size_t> list_of_host;
};

/// Expands the enabled ranges minus the exclusions. A host tries the sets of the smallest
/// range that contains it (ties: the first range): the sets that range names, in its order,
/// or every enabled set when it names none. Rationale: the smallest range is the most specific
/// statement, so "these SNMPv3 sets for 10.0.5.0/24" holds inside a global "10.0.0.0/16"
/// whatever order the two were added in.
tl::expected<DiscoveryPlan, std::string> plan_discovery(
    const std::vector<storage::RangeRow>& ranges,
    const std::vector<storage::CredentialRow>& credentials) {
    std::vector<std::string> targets;
    std::vector<std::string> exclusions;
    for (const auto& r : ranges) (r.exclude ? exclusions : targets).push_back(r.target);
    auto hosts = discovery::expand_targets(targets, exclusions);
    if (!hosts) return tl::make_unexpected(hosts.error());
    DiscoveryPlan plan;
    plan.credential_lists.push_back(all_credentials(credentials));
    plan.list_of_host.assign(hosts->size(), 0);
    const bool any_named = std::any_of(ranges.begin(), ranges.end(), [](const auto& r) {
        return !r.exclude && !r.credential_ids.empty();
    });
    if (any_named) {
        struct Expanded {
            std::vector<std::string> hosts;
            std::size_t list = 0;
        };
        std::vector<Expanded> expanded;
        for (const auto& r : ranges) {
            if (r.exclude) continue;
            auto range_hosts = discovery::expand_targets({r.target}, exclusions);
            if (!range_hosts) return tl::make_unexpected(range_hosts.error());
            Expanded e{std::move(*range_hosts), 0};
            if (!r.credential_ids.empty()) {
                // Only enabled, readable sets are loaded: a named set that is neither is left
                // out, never replaced by the global ones.
                std::vector<CredentialChoice> list;
                for (const auto& id : r.credential_ids) {
                    for (const auto& c : credentials) {
                        if (c.credential_id == id) list.push_back({c.credential_id, c.credentials});
                    }
                }
                e.list = plan.credential_lists.size();
                plan.credential_lists.push_back(std::move(list));
            }
            expanded.push_back(std::move(e));
        }
        std::stable_sort(expanded.begin(), expanded.end(), [](const auto& a, const auto& b) {
            return a.hosts.size() < b.hosts.size();
        });
        std::unordered_map<std::string, std::size_t> list_of;
        for (const auto& e : expanded) {
            for (const auto& h : e.hosts) list_of.emplace(h, e.list);
        }
        for (std::size_t i = 0; i < hosts->size(); ++i) {
            if (const auto it = list_of.find((*hosts)[i]); it != list_of.end()) {
                plan.list_of_host[i] = it->second;
            }
        }
    }
    plan.hosts = std::move(*hosts);
    return plan;
}

}  // namespace

Service::Service(ServiceOptions options, const common::Clock& clock, ProfileSet profiles)
    : options_(std::move(options)),
      clock_(clock),
      profiles_(std::move(profiles)),
      log_(common::get_logger("scanner.service")) {
    retention_.policy = options_.retention;
    register_stats_metrics();
}

Service::~Service() { stop(); }

void Service::start() {
    bool key_created = false;
    secret_key_ = std::make_shared<storage::SecretKeyHolder>(
        options_.secret_key_file,
        storage::SecretKey::load_or_create(options_.secret_key_file, &key_created));
    if (key_created) {
        log_->info("event=secret_key_created path={} key_id={}",
                   common::log_value(options_.secret_key_file), secret_key_->current()->id());
    }
    store_ = std::make_unique<storage::Store>(options_.conninfo, secret_key_);
    const auto deadline = std::chrono::steady_clock::now() + options_.startup_wait;
    auto backoff = options_.reconnect_min;
    for (;;) {
        try {
            store_->connect();
            break;
        } catch (const std::exception& e) {
            if (std::chrono::steady_clock::now() + backoff > deadline) throw;
            log_->warn("event=db_unavailable phase=startup retry_ms={} error={}", backoff.count(),
                       common::log_value(e.what()));
            // Waiting for an external service at startup: nothing else to do meanwhile.
            std::this_thread::sleep_for(backoff);
            backoff = std::min(backoff * 2, options_.reconnect_max);
        }
    }
    store_->migrate();
    // A rotation that committed without putting its key file in place (killed in between):
    // finish it, so the key the database records is the one used.
    const auto registered = store_->registered_key_id();
    if (crypto::complete_pending_rotation(options_.secret_key_file, registered)) {
        (void)secret_key_->adopt(registered);
    }
    if (const auto replaced = store_->claim_secret_key(); !replaced.empty()) {
        log_->warn(
            "event=secret_key_replaced key_id={} previous_key_id={} detail=\"credential sets "
            "sealed with the previous key must be entered again\"",
            secret_key_->current()->id(), replaced);
    }
    // Rows from before V0004 (or written by hand) hold secrets in plain text: seal them now.
    if (const auto sealed = store_->encrypt_plaintext_secrets(); sealed > 0) {
        log_->info("event=credential_secrets_encrypted rows={} key_id={}", sealed,
                   secret_key_->current()->id());
    }
    load_config(*store_);
    log_->info("event=service_starting scanner_id={} polling_interval_s={} discovery_interval_s={}",
               db_settings_.scanner_id, db_settings_.polling_interval.count(),
               db_settings_.discovery_interval.count());
    {
        std::lock_guard lock(stats_mutex_);
        stats_.db_connected = true;
    }
    started_ = true;
    db_thread_ = std::thread([this] { db_loop(); });
    snmp_thread_ = std::thread([this] { snmp_loop(); });
    control_thread_ = std::thread([this] { control_loop(); });
}

bool Service::stop() {
    if (!started_ || stopped_) return true;
    stopped_ = true;
    log_->info("event=service_stopping");
    {
        std::lock_guard lock(control_mutex_);
        stopping_ = true;
    }
    control_cv_.notify_all();
    control_thread_.join();

    bool clean = true;
    {
        std::unique_lock lock(snmp_mutex_);
        snmp_stopping_ = true;
        snmp_cv_.notify_all();
        if (!snmp_done_cv_.wait_for(lock, options_.shutdown_grace, [&] { return snmp_done_; })) {
            clean = false;
        }
    }
    if (clean) {
        snmp_thread_.join();
    } else {
        // Polls still in flight are dropped whole: nothing of them was written.
        log_->error("event=shutdown_forced reason=snmp_busy grace_s={}",
                    options_.shutdown_grace.count());
        snmp_thread_.detach();
    }
    {
        std::lock_guard lock(db_mutex_);
        db_stopping_ = true;
        db_drain_deadline_ = std::chrono::steady_clock::now() + options_.shutdown_grace;
    }
    db_cv_.notify_all();
    db_thread_.join();
    const auto s = stats();
    log_->info(
        "event=service_stopped polls_started={} polls_answered={} polls_failed={} "
        "results_written={} readings_written={} results_dropped={} clean={}",
        s.polls_started, s.polls_answered, s.polls_failed, s.results_written, s.readings_written,
        s.results_dropped, clean);
    return clean;
}

void Service::poll_now(const std::string& device_id) {
    {
        std::lock_guard lock(control_mutex_);
        poll_now_ids_.push_back(device_id);
        want_devices_ = true;
    }
    notify_control();
}

bool Service::discover_now() {
    {
        std::lock_guard lock(control_mutex_);
        if (progress_.running || discovery_requested_) return false;
        discovery_requested_ = true;
    }
    // Ranges, credentials and the port were probably just edited: read them first, and raise
    // the flag only once the fresh settings are posted (the control loop applies those first).
    push_task([this](storage::Store& store) {
        load_config(store);
        {
            std::lock_guard lock(control_mutex_);
            want_discovery_ = true;
        }
        notify_control();
    });
    return true;
}

bool Service::capture(const std::string& device_id) {
    {
        std::lock_guard lock(capture_mutex_);
        auto& c = captures_[device_id];
        if (c.state == SupportCapture::State::running) return false;
        c = SupportCapture{};
        c.state = SupportCapture::State::running;
    }
    {
        std::lock_guard lock(control_mutex_);
        // The device list that settles an unknown device is one read after this request: the
        // next load, or the one after it when a load is under way already.
        capture_ids_.emplace_back(device_id, device_loads_ + (devices_requested_ ? 1 : 0));
        // A device just added or enabled is found once the list is re-read, as for poll_now.
        want_devices_ = true;
    }
    notify_control();
    return true;
}

SupportCapture Service::capture_status(const std::string& device_id) const {
    std::lock_guard lock(capture_mutex_);
    const auto it = captures_.find(device_id);
    return it == captures_.end() ? SupportCapture{} : it->second;
}

void Service::end_capture(const std::string& device_id, SupportCapture capture) {
    capture.finished_at = proto::format_rfc3339(clock_.now(), proto::TimePrecision::seconds);
    log_->info("event=support_capture device_id={} result={} values={} error={}", device_id,
               to_string(capture.state), capture.values, common::log_value(capture.error));
    std::lock_guard lock(capture_mutex_);
    captures_[device_id] = std::move(capture);
}

DiscoveryProgress Service::discovery_progress() const {
    std::lock_guard lock(control_mutex_);
    return progress_;
}

void Service::reload_settings() {
    push_task([this](storage::Store& store) { load_config(store); });
    {
        std::lock_guard lock(control_mutex_);
        want_devices_ = true;
    }
    notify_control();
}

ServiceStats Service::stats() const {
    ServiceStats s;
    {
        std::lock_guard lock(stats_mutex_);
        s = stats_;
    }
    {
        std::lock_guard lock(db_mutex_);
        s.queued_results = results_.size();
    }
    std::lock_guard lock(control_mutex_);
    s.scheduled_devices = scheduled_devices_;
    return s;
}

RetentionStatus Service::retention_status() const {
    std::lock_guard lock(stats_mutex_);
    return retention_;
}

void Service::prune_now() {
    {
        std::lock_guard lock(db_mutex_);
        prune_requested_ = true;
    }
    db_cv_.notify_one();
}

// ---------------------------------------------------------------------------------------------
// Control thread: the scheduler.

void Service::control_loop() {
    Scheduler scheduler(db_settings_.polling_interval);
    DiscoverySchedule discovery_schedule;
    LoadedConfig config;
    bool have_config = false;
    std::optional<common::Clock::MonoTime> last_device_request;
    std::unique_lock lock(control_mutex_);
    for (;;) {
        const auto now = clock_.monotonic();
        if (loaded_config_) {
            config = std::move(*loaded_config_);
            loaded_config_.reset();
            have_config = true;
            scheduler.set_default_interval(config.settings.polling_interval);
            discovery_schedule.set_interval(config.settings.discovery_interval);
        }
        if (loaded_devices_) {
            scheduler.set_devices(*loaded_devices_, now);
            loaded_devices_.reset();
            devices_requested_ = false;
            for (const auto& id : poll_now_ids_) {
                if (!scheduler.poll_now(id, now)) {
                    log_->info("event=poll_now_ignored device_id={} reason=not_pollable", id);
                }
            }
            poll_now_ids_.clear();
            ++device_loads_;
            scheduled_devices_ = scheduler.size();
        }
        // Support captures: a device the scheduler knows is walked at once (a database outage
        // does not hold it up); one it does not know is failed once a device list read after
        // the request is in.
        for (auto it = capture_ids_.begin(); it != capture_ids_.end();) {
            const auto& [id, loads_then] = *it;
            if (const auto* target = scheduler.target(id)) {
                auto job = std::make_shared<CaptureJob>();
                job->device_id = id;
                job->address = target->address;
                job->port = target->port;
                // Its own set; a device that never answered: the first one it would try.
                job->credentials =
                    credentials_for(config.credentials, target->credential_id, target->snmp_v1)
                        .front()
                        .credentials;
                push_job(std::move(job));
            } else if (device_loads_ > loads_then) {
                SupportCapture failed;
                failed.state = SupportCapture::State::failed;
                failed.error = "not a pollable device (unknown or disabled)";
                end_capture(id, std::move(failed));
            } else {
                ++it;
                continue;
            }
            it = capture_ids_.erase(it);
        }
        for (const auto& id : finished_polls_) scheduler.finished(id, now);
        finished_polls_.clear();
        if (stopping_) break;

        const bool refresh_due =
            !last_device_request || now - *last_device_request >= options_.device_refresh;
        if ((want_devices_ || refresh_due) && !devices_requested_) {
            want_devices_ = false;
            devices_requested_ = true;
            last_device_request = now;
            // Settings are re-read with the devices, so UI edits apply without a restart.
            push_task([this](storage::Store& store) {
                load_config(store);
                load_devices(store);
            });
        }

        if (have_config) {
            const std::size_t busy = scheduler.in_flight();
            const std::size_t room =
                options_.max_concurrent_polls > busy ? options_.max_concurrent_polls - busy : 0;
            for (auto& target : scheduler.take_due(now, room)) {
                auto job = std::make_shared<PollJob>();
                job->device_id = target.device_id;
                job->address = target.address;
                job->port = target.port;
                job->credentials =
                    credentials_for(config.credentials, target.credential_id, target.snmp_v1);
                push_job(std::move(job));
            }

            if ((want_discovery_ || discovery_schedule.due(now)) && !progress_.running) {
                const bool asked = want_discovery_;
                want_discovery_ = false;
                discovery_requested_ = false;
                auto plan = plan_discovery(config.ranges, config.credentials);
                // Without ranges the schedule is not consumed: ranges added later in the UI
                // are scanned at the next settings reload, not a whole interval later.
                if (!plan || !plan->hosts.empty()) discovery_schedule.started(now);
                if (!plan) {
                    progress_.last_error = plan.error();
                    progress_.error_code = "bad_ranges";
                    metrics_.discovery_runs.with({"skipped"}).inc();
                    log_->warn("event=discovery_skipped reason=bad_ranges error={}",
                               common::log_value(plan.error()));
                } else if (plan->hosts.empty()) {
                    progress_.last_error = "no discovery ranges";
                    progress_.error_code = "no_ranges";
                    if (asked) log_->info("event=discovery_skipped reason=no_ranges");
                } else {
                    auto job = std::make_shared<DiscoveryJob>();
                    job->hosts = std::move(plan->hosts);
                    job->credential_lists = std::move(plan->credential_lists);
                    job->list_of_host = std::move(plan->list_of_host);
                    job->port = config.settings.discovery_port;
                    const auto runs = progress_.runs_completed;
                    progress_ = DiscoveryProgress{};
                    progress_.running = true;
                    progress_.hosts_total = job->hosts.size();
                    progress_.runs_completed = runs;
                    log_->info("event=discovery_started hosts={} credentials={} range_lists={}",
                               job->hosts.size(), job->credential_lists.front().size(),
                               job->credential_lists.size() - 1);
                    push_job(std::move(job));
                }
            }
        }
        control_cv_.wait_for(lock, options_.tick);
    }
}

// ---------------------------------------------------------------------------------------------
// SNMP thread: every net-snmp call happens here.

void Service::snmp_loop() {
    try {
        snmp::EngineOptions eo;
        eo.max_in_flight = options_.max_in_flight;
        engine_ = std::make_unique<snmp::Engine>(eo);
        for (;;) {
            std::deque<Job> jobs;
            {
                std::unique_lock lock(snmp_mutex_);
                snmp_cv_.wait(lock, [&] {
                    return !inbox_.empty() || snmp_stopping_ || !deferred_discoveries_.empty();
                });
                // Jobs not started yet are dropped at a stop: nothing of them exists anywhere.
                if (snmp_stopping_) break;
                jobs.swap(inbox_);
            }
            for (auto& job : jobs) {
                if (auto* poll = std::get_if<std::shared_ptr<PollJob>>(&job)) {
                    auto state = std::make_shared<PollState>();
                    state->job = std::move(*poll);
                    start_poll(state, 0);
                } else if (auto* capture = std::get_if<std::shared_ptr<CaptureJob>>(&job)) {
                    start_capture(*capture);
                } else {
                    deferred_discoveries_.push_back(
                        std::move(std::get<std::shared_ptr<DiscoveryJob>>(job)));
                }
            }
            while (!deferred_discoveries_.empty()) {
                auto d = std::move(deferred_discoveries_.front());
                deferred_discoveries_.pop_front();
                run_discovery(*d);
            }
            engine_->run();
        }
        engine_.reset();
    } catch (const std::exception& e) {
        // The engine failing (poll() error) is a defect: log it; the service keeps its other
        // threads so the stop still writes what is queued.
        log_->critical("event=snmp_thread_failed error={}", common::log_value(e.what()));
    }
    {
        std::lock_guard lock(snmp_mutex_);
        snmp_done_ = true;
    }
    snmp_done_cv_.notify_all();
}

// By value on purpose: the callbacks started here share the state, and this copy keeps it alive
// whatever happens to the caller's pointer meanwhile.
// NOLINTNEXTLINE(performance-unnecessary-value-param)
void Service::count_requests(bool full_read, int requests) {
    const auto n = static_cast<std::uint64_t>(std::max(requests, 0));
    {
        std::lock_guard lock(stats_mutex_);
        ++(full_read ? stats_.full_reads : stats_.repeat_polls);
        (full_read ? stats_.full_read_requests : stats_.repeat_poll_requests) += n;
    }
    metrics_.snmp_requests.with({full_read ? "full_read" : "repeat_poll"}).inc(n);
}

void Service::start_poll(const std::shared_ptr<PollState>& state, std::size_t attempt) {
    if (attempt == 0) {
        state->started = std::chrono::steady_clock::now();
        std::lock_guard lock(stats_mutex_);
        ++stats_.polls_started;
    }
    snmp::Target target;
    target.host = state->job->address;
    target.port = state->job->port;
    target.credentials = state->job->credentials.at(attempt).credentials;
    target.timeout = options_.snmp_timeout;
    target.retries = options_.snmp_retries;
    // A device read before at the same address and with the same credentials gets a repeat
    // poll; any failure drops the cached view so the next poll reads it in full.
    if (attempt == 0 && state->job->device_id) {
        auto it = known_views_.find(*state->job->device_id);
        if (it != known_views_.end() && it->second.address == target.host &&
            it->second.port == target.port && it->second.attempt < state->job->credentials.size() &&
            it->second.repeats + 1 < options_.full_read_every) {
            const std::size_t used = it->second.attempt;
            target.credentials = state->job->credentials.at(used).credentials;
            poll_known_device(
                *engine_, target, profiles_, it->second.view,
                [this, state, used](ProbeOutcome outcome) {
                    try {
                        count_requests(false, outcome.requests);
                        remember_view(*state->job, used, outcome, true);
                        finish_poll(state, used, std::move(outcome));
                    } catch (const std::exception& e) {
                        log_->error("event=poll_callback_failed address={} error={}",
                                    state->job->address, common::log_value(e.what()));
                    }
                },
                fetch_options(state->job->credentials.at(used)));
            return;
        }
    }
    probe_device(
        *engine_, target, profiles_,
        [this, state, attempt](ProbeOutcome outcome) {
            // Never let an exception escape into net-snmp's callback chain.
            try {
                count_requests(true, outcome.requests);
                const bool retry_next = !outcome.result && outcome.error &&
                                        attempt + 1 < state->job->credentials.size() &&
                                        (outcome.error->code == snmp::ErrorCode::timeout ||
                                         outcome.error->code == snmp::ErrorCode::auth);
                if (retry_next) {
                    start_poll(state, attempt + 1);
                } else {
                    remember_view(*state->job, attempt, outcome, false);
                    finish_poll(state, attempt, std::move(outcome));
                }
            } catch (const std::exception& e) {
                log_->error("event=poll_callback_failed address={} error={}", state->job->address,
                            common::log_value(e.what()));
            }
        },
        fetch_options(state->job->credentials.at(attempt)));
}

void Service::start_capture(const std::shared_ptr<CaptureJob>& job) {
    snmp::Target target;
    target.host = job->address;
    target.port = job->port;
    target.credentials = job->credentials;
    target.timeout = options_.snmp_timeout;
    target.retries = options_.snmp_retries;
    SupportCapture out;
    out.address = job->address;
    auto session = engine_->open(target);
    if (!session) {
        out.state = SupportCapture::State::failed;
        out.error = session.error().detail;
        end_capture(job->device_id, std::move(out));
        return;
    }
    const snmp::Oid root = {1, 3, 6, 1};
    snmp::fetch(*engine_, *session, {}, {root}, snmp::whole_device_walk(),
                [this, job, out, secrets = snmp::credential_secrets(job->credentials)](
                    const snmp::FetchResult& r) mutable {
                    try {
                        if (!r.answered) {
                            const auto err = r.error.value_or(snmp::SnmpError{});
                            out.state = SupportCapture::State::failed;
                            out.error = "did not answer (" + snmp::to_string(err.code) + ": " +
                                        err.detail + ")";
                        } else {
                            snmp::RedactReport report;
                            const auto view = snmp::redact(r.view, secrets, report);
                            out.state = SupportCapture::State::done;
                            out.snmprec = snmp::write_snmprec(view);
                            out.values = view.size();
                            for (auto& item : report.items) {
                                out.redacted.emplace_back(std::move(item.kind), item.count);
                            }
                            for (const auto& n : r.notes) {
                                log_->warn("event=support_capture_note device_id={} note={}",
                                           job->device_id, common::log_value(n));
                            }
                        }
                        end_capture(job->device_id, std::move(out));
                    } catch (const std::exception& e) {
                        log_->error("event=capture_callback_failed address={} error={}",
                                    job->address, common::log_value(e.what()));
                    }
                });
}

void Service::remember_view(const PollJob& job, std::size_t attempt, ProbeOutcome& outcome,
                            bool repeat) {
    if (!job.device_id) return;
    if (!outcome.result) {
        known_views_.erase(*job.device_id);
        return;
    }
    auto& known = known_views_[*job.device_id];
    known.repeats = repeat ? known.repeats + 1 : 0;
    known.address = job.address;
    known.port = job.port;
    known.attempt = attempt;
    known.view = std::move(outcome.view);
}

void Service::finish_poll(const std::shared_ptr<PollState>& state, std::size_t attempt,
                          ProbeOutcome outcome) {
    const PollJob& job = *state->job;
    storage::PollResult r;
    r.result_id = proto::new_uuid();
    r.device_id = job.device_id;
    r.address = job.address;
    r.port = job.port;
    // When the poll completed, to the millisecond, in the column and the snapshot alike
    // (docs/protocol.md): the start cut to whole seconds made two polls within one second look
    // like one moment in the cloud (issue 14 item 13).
    r.polled_at = std::chrono::floor<std::chrono::milliseconds>(clock_.now());
    if (outcome.result) {
        r.snapshot = std::move(outcome.result->snapshot);
        r.snapshot->polled_at =
            proto::format_rfc3339(r.polled_at, proto::TimePrecision::milliseconds);
        r.credential_id = job.credentials.at(attempt).id;
        r.snmp_v1 = job.credentials.at(attempt).v1_fallback;
    } else {
        const auto err = outcome.error.value_or(snmp::SnmpError{});
        r.error = snmp::to_string(err.code) + ": " + err.detail;
        // Per-poll failures are routine on a LAN; the offline transition is what gets logged.
        log_->debug("event=poll_failed address={} error={}", job.address,
                    common::log_value(r.error));
    }
    {
        std::lock_guard lock(stats_mutex_);
        ++(r.snapshot ? stats_.polls_answered : stats_.polls_failed);
    }
    const char* result = r.snapshot ? "answered" : "failed";
    metrics_.polls.with({result}).inc();
    metrics_.poll_seconds.with({result}).observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - state->started).count());
    // Per known device only: discovery probes of empty addresses would make the label set
    // unbounded (docs/metrics.md).
    if (job.device_id && outcome.error && outcome.error->code == snmp::ErrorCode::timeout) {
        metrics_.snmp_timeouts.with({*job.device_id}).inc();
    }
    const bool discovery_result = !job.device_id;
    if (!discovery_result || r.snapshot) push_result(std::move(r));
    if (job.device_id) {
        {
            std::lock_guard lock(control_mutex_);
            finished_polls_.push_back(*job.device_id);
        }
        notify_control();
    }
    drain_inbox_polls();
}

void Service::drain_inbox_polls() {
    // A discovery's run() returns only when the engine is idle: starting more polls inside it
    // would delay its result indefinitely on a busy network.
    if (discovery_active_) return;
    std::deque<Job> keep;
    std::deque<Job> jobs;
    {
        std::lock_guard lock(snmp_mutex_);
        if (snmp_stopping_) return;
        jobs.swap(inbox_);
    }
    for (auto& job : jobs) {
        if (auto* poll = std::get_if<std::shared_ptr<PollJob>>(&job)) {
            auto state = std::make_shared<PollState>();
            state->job = std::move(*poll);
            start_poll(state, 0);
        } else if (auto* capture = std::get_if<std::shared_ptr<CaptureJob>>(&job)) {
            start_capture(*capture);
        } else {
            // Discoveries run from the loop, outside Engine::run() (discover() runs it).
            deferred_discoveries_.push_back(
                std::move(std::get<std::shared_ptr<DiscoveryJob>>(job)));
        }
    }
}

void Service::run_discovery(const DiscoveryJob& job) {
    discovery::DiscoverOptions options;
    options.port = job.port;
    options.timeout = options_.discovery_timeout;
    options.retries = options_.snmp_retries;
    std::vector<std::vector<snmp::Credentials>> lists;
    for (const auto& list : job.credential_lists) {
        auto& out = lists.emplace_back();
        for (const auto& c : list) out.push_back(c.credentials);
    }
    discovery_active_ = true;
    discovery::DiscoverReport report;
    try {
        report = discovery::discover(*engine_, job.hosts, lists, job.list_of_host, profiles_,
                                     options, [this](std::size_t done, std::size_t total) {
                                         std::lock_guard lock(control_mutex_);
                                         progress_.hosts_done = done;
                                         progress_.hosts_total = total;
                                     });
    } catch (...) {
        discovery_active_ = false;
        metrics_.discovery_runs.with({"failed"}).inc();
        throw;
    }
    discovery_active_ = false;
    metrics_.discovery_runs.with({"completed"}).inc();
    metrics_.discovery_printers.set(static_cast<double>(report.found.size()));
    // Every printer found is read in full right away: its identity decides whether it is a
    // known device at a new address or a new one, and it gets its first reading.
    for (const auto& found : report.found) {
        auto poll = std::make_shared<PollJob>();
        poll->address = found.address;
        poll->port = job.port;
        const auto& choice = job.credential_lists.at(job.list_of_host.at(found.host_index))
                                 .at(found.credential_index);
        if (found.v1_fallback) {
            if (auto v1 = as_v1(choice)) poll->credentials = {*v1};
        }
        if (poll->credentials.empty()) poll->credentials = {choice};
        auto state = std::make_shared<PollState>();
        state->job = std::move(poll);
        start_poll(state, 0);
    }
    {
        std::lock_guard lock(control_mutex_);
        progress_.running = false;
        progress_.printers_found = report.found.size();
        ++progress_.runs_completed;
        // A host that could not be asked (a name that does not resolve) is said on the page, in
        // the user's language (the system's reason beside it).
        progress_.hosts_unasked = report.hosts_unasked;
        progress_.unasked_reason = report.open_error;
    }
    log_->info("event=discovery_done hosts={} answered={} printers={} requests={}",
               report.hosts_scanned, report.answered, report.found.size(), report.requests);
    if (report.open_failures > 0) {
        log_->warn("event=discovery_hosts_unasked hosts={} attempts={} error={}",
                   report.hosts_unasked, report.open_failures,
                   common::log_value(report.open_error));
    }
}

// ---------------------------------------------------------------------------------------------
// DB thread: the only user of store_.

void Service::load_config(storage::Store& store) {
    LoadedConfig config;
    config.settings = store.load_settings();
    config.credentials = store.load_credentials();
    config.ranges = store.load_ranges();
    db_settings_ = config.settings;
    {
        std::lock_guard lock(control_mutex_);
        loaded_config_ = std::move(config);
    }
    notify_control();
}

void Service::load_devices(storage::Store& store) {
    auto targets = store.load_poll_targets(clock_.now());
    // One timeout series per scheduled device, present from the start (rate() works at once)
    // and dropped with the device: the label set stays the devices this scanner polls.
    std::set<std::string> ids;
    for (const auto& t : targets) {
        ids.insert(t.device_id);
        metrics_.snmp_timeouts.with({t.device_id});
    }
    std::vector<std::vector<std::string>> gone;
    metrics_.snmp_timeouts.each([&](const std::vector<std::string>& v, const metrics::Counter&) {
        if (ids.count(v.front()) == 0) gone.push_back(v);
    });
    for (const auto& v : gone) metrics_.snmp_timeouts.remove(v);
    const auto states = store.device_states();
    for (const char* state : {"unknown", "online", "offline", "disabled"}) {
        const auto it = states.find(state);
        metrics_.devices.with({state}).set(it == states.end() ? 0.0
                                                              : static_cast<double>(it->second));
    }
    {
        std::lock_guard lock(control_mutex_);
        loaded_devices_ = std::move(targets);
    }
    notify_control();
}

bool Service::write_one(storage::Store& store, const storage::PollResult& result) {
    const auto out = store.record(result, db_settings_);
    {
        std::lock_guard lock(stats_mutex_);
        ++stats_.results_written;
        if (result.snapshot && out.kind == storage::WriteOutcome::Kind::written) {
            ++stats_.readings_written;
        }
    }
    if (out.kind != storage::WriteOutcome::Kind::written) {
        log_->debug("event=result_skipped device_id={} kind={}", out.device_id,
                    out.kind == storage::WriteOutcome::Kind::duplicate ? "duplicate" : "ignored");
        return false;
    }
    if (out.created && result.snapshot) {
        const auto& id = result.snapshot->identity;
        log_->info("event=device_added device_id={} address={} vendor={} model={} serial={}",
                   out.device_id, result.address, common::log_value(id.vendor),
                   common::log_value(id.model), common::log_value(id.serial));
    } else if (out.address_changed) {
        log_->info("event=device_address_changed device_id={} address={}", out.device_id,
                   result.address);
    }
    if (out.status != out.previous_status &&
        (out.status == "offline" || out.previous_status == "offline")) {
        log_->info("event=device_{} device_id={} address={}", out.status, out.device_id,
                   result.address);
    }
    return out.created || out.address_changed;
}

void Service::db_loop() {
    auto backoff = options_.reconnect_min;
    bool connected = true;
    const auto lost = [&](const std::exception& e) {
        store_->disconnect();
        if (connected) {
            log_->warn("event=db_lost error={}", common::log_value(e.what()));
            std::lock_guard lock(stats_mutex_);
            stats_.db_connected = false;
        }
        connected = false;
    };
    // The first retention pass soon after the start (a restarted scanner catches up at once),
    // then one every interval.
    std::optional<storage::PrunePass> pass;
    auto next_pass = std::chrono::steady_clock::now() +
                     std::min<std::chrono::steady_clock::duration>(options_.retention.interval,
                                                                   std::chrono::seconds(60));
    for (;;) {
        std::optional<DbTask> task;
        std::optional<storage::PollResult> result;
        bool prune = false;
        {
            std::unique_lock lock(db_mutex_);
            const auto ready = [&] {
                return db_stopping_ || !tasks_.empty() || !results_.empty() || prune_requested_;
            };
            // Retention is idle-time work: a pass in progress continues only while no task or
            // result waits; the next one starts when due (wait_until wakes for it).
            if (!pass && options_.retention.enabled) {
                db_cv_.wait_until(lock, next_pass, ready);
            } else if (!pass) {
                db_cv_.wait(lock, ready);
            }
            if (db_stopping_) {
                if (results_.empty()) break;
                if (std::chrono::steady_clock::now() >= *db_drain_deadline_) {
                    log_->error("event=results_dropped reason=shutdown_db_unavailable count={}",
                                results_.size());
                    std::lock_guard slock(stats_mutex_);
                    stats_.results_dropped += results_.size();
                    results_.clear();
                    break;
                }
                tasks_.clear();  // reloads are pointless now
            }
            if (!connected) {
                lock.unlock();
                try {
                    store_->connect();
                    connected = true;
                    backoff = options_.reconnect_min;
                    std::lock_guard slock(stats_mutex_);
                    ++stats_.db_reconnects;
                    stats_.db_connected = true;
                } catch (const std::exception& e) {
                    log_->debug("event=db_connect_failed retry_ms={} error={}", backoff.count(),
                                common::log_value(e.what()));
                    lock.lock();
                    // Wakes early only for a stop request, not because one is under way.
                    const bool was_stopping = db_stopping_;
                    db_cv_.wait_for(lock, backoff, [&] { return db_stopping_ != was_stopping; });
                    backoff = std::min(backoff * 2, options_.reconnect_max);
                    continue;
                }
                log_->info("event=db_reconnected queued_results={}", [&] {
                    std::lock_guard qlock(db_mutex_);
                    return results_.size();
                }());
                continue;
            }
            if (!tasks_.empty()) {
                task = std::move(tasks_.front());
                tasks_.pop_front();
            } else if (!results_.empty()) {
                result = std::move(results_.front());
                results_.pop_front();
            } else if (pass || prune_requested_ ||
                       (options_.retention.enabled &&
                        std::chrono::steady_clock::now() >= next_pass)) {
                prune = true;
                if (prune_requested_ && !pass) next_pass = std::chrono::steady_clock::now();
                prune_requested_ = false;
            } else {
                continue;
            }
        }
        try {
            if (prune) {
                prune_step(pass, next_pass);
            } else if (task) {
                (*task)(*store_);
            } else if (write_one(*store_, *result)) {
                std::lock_guard lock(control_mutex_);
                want_devices_ = true;
            }
        } catch (const std::exception& e) {
            if (storage::is_connection_failure(e)) {
                lost(e);
                // Back to the front: written after the reconnect, in order.
                std::lock_guard lock(db_mutex_);
                if (task) tasks_.push_front(std::move(*task));
                if (result) results_.push_front(std::move(*result));
            } else if (prune) {
                // A statement error: this pass ends; the next one tries again after the interval.
                log_->error("event=retention_failed error={}", common::log_value(e.what()));
                std::lock_guard lock(stats_mutex_);
                retention_.running = false;
                retention_.last_error = e.what();
                pass.reset();
                next_pass = std::chrono::steady_clock::now() + options_.retention.interval;
            } else {
                // A statement error is not retried: it would fail the same way forever.
                log_->error("event=db_write_rejected address={} error={}",
                            result ? result->address : std::string("-"),
                            common::log_value(e.what()));
                if (result) {
                    std::lock_guard lock(stats_mutex_);
                    ++stats_.results_rejected;
                }
            }
        }
    }
}

void Service::prune_step(std::optional<storage::PrunePass>& pass,
                         std::chrono::steady_clock::time_point& next_pass) {
    if (!pass) {
        // Cutoffs from the service's clock, fixed for the whole pass.
        pass.emplace(options_.retention, clock_.now());
        std::lock_guard lock(stats_mutex_);
        retention_.running = true;
        retention_.last_started = clock_.now();
    }
    if (pass->step(*store_)) return;
    const auto counts = pass->counts();
    pass.reset();
    next_pass = std::chrono::steady_clock::now() + options_.retention.interval;
    const auto finished = clock_.now();
    std::chrono::milliseconds took{0};
    {
        std::lock_guard lock(stats_mutex_);
        retention_.running = false;
        ++retention_.passes;
        retention_.last_finished = finished;
        if (retention_.last_started) {
            took = std::chrono::duration_cast<std::chrono::milliseconds>(finished -
                                                                         *retention_.last_started);
        }
        retention_.last_duration = took;
        retention_.last = counts;
        retention_.last_error.clear();
    }
    // A pass that found nothing is routine; one that deleted rows is worth a line.
    if (counts.deleted() > 0 || counts.readings_kept_daily > 0) {
        log_->info(
            "event=retention_pass readings_deleted={} readings_kept_daily={} daily_deleted={} "
            "events_deleted={} audit_deleted={} batches_deleted={} statements={} ms={}",
            counts.readings_deleted, counts.readings_kept_daily, counts.daily_deleted,
            counts.events_deleted, counts.audit_deleted, counts.batches_deleted, counts.statements,
            took.count());
    } else {
        log_->debug("event=retention_pass deleted=0 ms={}", took.count());
    }
}

// ---------------------------------------------------------------------------------------------

void Service::push_job(Job job) {
    {
        std::lock_guard lock(snmp_mutex_);
        inbox_.push_back(std::move(job));
    }
    snmp_cv_.notify_one();
}

void Service::push_result(storage::PollResult result) {
    std::size_t dropped = 0;
    {
        std::lock_guard lock(db_mutex_);
        results_.push_back(std::move(result));
        // Bounded memory during a long outage: the oldest readings go first.
        while (results_.size() > options_.max_queued_results) {
            results_.pop_front();
            ++dropped;
        }
    }
    if (dropped > 0) {
        std::uint64_t total = 0;
        {
            std::lock_guard lock(stats_mutex_);
            stats_.results_dropped += dropped;
            total = stats_.results_dropped;
        }
        // Powers of two: a long outage logs a handful of lines, not one per poll.
        if ((total & (total - 1)) == 0) {
            log_->warn("event=results_dropped reason=queue_full total={} limit={}", total,
                       options_.max_queued_results);
        }
    }
    db_cv_.notify_one();
}

void Service::push_task(DbTask task) {
    {
        std::lock_guard lock(db_mutex_);
        tasks_.push_back(std::move(task));
    }
    db_cv_.notify_one();
}

void Service::notify_control() { control_cv_.notify_one(); }

}  // namespace printmon::scanner
