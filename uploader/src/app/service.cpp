#include "app/service.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include <pqxx/except>
#include <pqxx/notification>

#include "app/backoff.hpp"
#include "printmon/common/logging.hpp"

namespace printmon::uploader {
namespace {

constexpr const char* kChannel = "printmon_outbox";

Disposition disposition_of(SendStatus status) {
    switch (status) {
        case SendStatus::kStored:
        case SendStatus::kDuplicate:
            return Disposition::kSent;
        case SendStatus::kInvalid:
            return Disposition::kQuarantine;
        case SendStatus::kTooLarge:
            return Disposition::kSplit;
        case SendStatus::kUnauthorized:
        case SendStatus::kOverloaded:
        case SendStatus::kFailed:
            return Disposition::kKeepPending;
    }
    return Disposition::kKeepPending;
}

std::shared_ptr<spdlog::logger> logger() {
    static const auto log = common::get_logger("uploader");
    return log;
}

}  // namespace

/// Owns the LISTEN connection; a base of Listener so that it is built before, and destroyed
/// after, the receiver (whose destructor UNLISTENs on it).
struct ListenConnection {
    explicit ListenConnection(db::Connection c) : listen_conn(std::move(c)) {}
    db::Connection listen_conn;
};

/// The dedicated LISTEN connection. Rationale: libpqxx 6.4 delivers notifications only outside
/// transactions, and the worker connection holds one for a whole attempt.
struct Service::Listener final : private ListenConnection, pqxx::notification_receiver {
    explicit Listener(db::Connection c)
        : ListenConnection(std::move(c)),
          pqxx::notification_receiver(listen_conn.raw(), kChannel) {}
    void operator()(const std::string& /*payload*/, int /*backend_pid*/) override {
        notified = true;
    }
    int sock() { return listen_conn.raw().sock(); }
    /// Reads what arrived; throws pqxx::broken_connection when the server went away.
    void drain() { listen_conn.raw().get_notifs(); }

    bool notified = false;
};

Service::Service(ServiceOptions options, const common::Clock& clock)
    : backlog_rows_(registry_.gauge("printmon_uploader_backlog_rows",
                                    "Readings and events not yet delivered (nor quarantined).")),
      pending_batches_(registry_.gauge("printmon_uploader_pending_batches",
                                       "Upload batches claimed and waiting for delivery.")),
      send_seconds_(registry_.histogram("printmon_uploader_send_seconds",
                                        "Time of one delivery attempt (gzip, HTTPS, answer).",
                                        metrics::default_latency_buckets())),
      failures_(registry_.counter_family(
          "printmon_uploader_failures_total",
          "Failed delivery attempts and drains, by kind (network, overloaded, unauthorized, "
          "invalid, too_large, database).",
          {"kind"})),
      sent_(registry_.counter_family("printmon_uploader_batches_sent_total",
                                     "Batches the cloud acknowledged, by result (stored, "
                                     "duplicate).",
                                     {"result"})),
      wire_bytes_(registry_.counter("printmon_uploader_sent_bytes_total",
                                    "Gzip'd request bodies sent, every attempt.")),
      last_success_(registry_.gauge("printmon_uploader_last_success_timestamp_seconds",
                                    "When the cloud last acknowledged a batch (Unix time); 0: "
                                    "never since the start.")),
      options_(std::move(options)),
      clock_(clock),
      client_(options_.transport) {
    for (const char* kind :
         {"network", "overloaded", "unauthorized", "invalid", "too_large", "database"}) {
        failures_.with({kind});
    }
    for (const char* result : {"stored", "duplicate"}) sent_.with({result});
    metrics::register_process_metrics(registry_);
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    wake_read_.reset(fds[0]);
    wake_write_.reset(fds[1]);
}

Service::~Service() = default;

int Service::stop_fd() const { return wake_write_.get(); }

void Service::request_stop() {
    stop_ = true;
    const char byte = 'T';
    [[maybe_unused]] const auto n = ::write(wake_write_.get(), &byte, 1);
}

void Service::connect() {
    if (conn_) return;
    auto conn = std::make_unique<db::Connection>(options_.conninfo);
    outbox_ = std::make_unique<Outbox>(*conn, options_.outbox, clock_);
    conn_ = std::move(conn);
}

void Service::reset_connections() {
    outbox_.reset();
    conn_.reset();
    listener_.reset();
}

void Service::ensure_listener() {
    if (listener_) return;
    try {
        listener_ = std::make_unique<Listener>(db::Connection(options_.conninfo));
    } catch (const std::exception& e) {
        // Not fatal: the period still drives delivery; retried on the next wait.
        logger()->debug("event=listen_failed error={}", common::log_value(e.what()));
    }
}

void Service::count_send(const SendResult& result, double seconds) {
    send_seconds_.observe(seconds);
    wire_bytes_.inc(result.wire_bytes);
    switch (result.status) {
        case SendStatus::kStored:
        case SendStatus::kDuplicate:
            sent_.with({result.status == SendStatus::kStored ? "stored" : "duplicate"}).inc();
            last_success_.set(
                std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                    .count());
            return;
        case SendStatus::kInvalid:
            failures_.with({"invalid"}).inc();
            return;
        case SendStatus::kTooLarge:
            failures_.with({"too_large"}).inc();
            return;
        case SendStatus::kUnauthorized:
            failures_.with({"unauthorized"}).inc();
            return;
        case SendStatus::kOverloaded:
            failures_.with({"overloaded"}).inc();
            return;
        case SendStatus::kFailed:
            failures_.with({"network"}).inc();
            return;
    }
}

void Service::sample_backlog() {
    const auto counts = outbox_->queue_counts();
    backlog_rows_.set(static_cast<double>(counts.unsent_rows));
    pending_batches_.set(static_cast<double>(counts.pending_batches));
}

CycleResult Service::run_cycle() {
    const auto log = logger();
    CycleResult out;
    try {
        connect();
        const auto settings = outbox_->cloud_settings(options_.cloud_url, options_.scanner_key);
        if (!settings.configured() || settings.scanner_id.empty()) {
            out.outcome = CycleOutcome::kNotConfigured;
            out.error = "not configured: cloud_url, scanner_key or scanner_id is empty";
            if (!warned_unconfigured_) {
                log->warn("event=not_configured reason={}", common::log_value(out.error));
                warned_unconfigured_ = true;
            }
            outbox_->update_status(false, out.error);
            return out;
        }
        warned_unconfigured_ = false;
        SendResult last;
        const auto send = [&](const proto::Batch& batch) {
            const auto began = std::chrono::steady_clock::now();
            last = client_.send(settings.cloud_url, settings.scanner_key, batch);
            count_send(
                last,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
            out.wire_bytes += last.wire_bytes;
            return AttemptResult{disposition_of(last.status), last.message};
        };
        while (!stop_) {
            const auto processed = outbox_->process_next(settings.scanner_id, send);
            if (!processed.attempted) {
                if (outbox_->claim_batch()) continue;
                break;
            }
            const auto& batch_id = processed.batch_id;
            switch (last.status) {
                case SendStatus::kStored:
                case SendStatus::kDuplicate:
                    ++out.batches_sent;
                    if (last.status == SendStatus::kDuplicate) ++out.duplicates;
                    log->debug(
                        "event=batch_sent batch_id={} readings={} events={} bytes={} "
                        "status={}",
                        batch_id, processed.readings, processed.events, last.wire_bytes,
                        to_string(last.status));
                    if (!online_) {
                        log->info("event=cloud_online url={}", settings.cloud_url);
                        online_ = true;
                    }
                    outbox_->update_status(true, "");
                    continue;
                case SendStatus::kInvalid:
                    ++out.quarantined;
                    log->error("event=batch_quarantined batch_id={} readings={} error={}", batch_id,
                               processed.readings, common::log_value(last.message));
                    outbox_->update_status(false,
                                           "batch " + batch_id + " quarantined: " + last.message);
                    continue;
                case SendStatus::kTooLarge:
                    ++out.splits;
                    if (processed.quarantined) ++out.quarantined;
                    log->warn(
                        "event=batch_split batch_id={} readings={} events={} "
                        "claim_limit={}",
                        batch_id, processed.readings, processed.events, outbox_->claim_limit());
                    continue;
                case SendStatus::kUnauthorized:
                    out.outcome = CycleOutcome::kUnauthorized;
                    break;
                case SendStatus::kOverloaded:
                    out.outcome = CycleOutcome::kOverloaded;
                    out.retry_after = last.retry_after;
                    break;
                case SendStatus::kFailed:
                    out.outcome = CycleOutcome::kFailed;
                    break;
            }
            // A failed attempt: the batch stays pending with the same id.
            out.error = last.message;
            if (online_ || out.outcome == CycleOutcome::kUnauthorized) {
                if (out.outcome == CycleOutcome::kUnauthorized) {
                    log->error("event=cloud_unauthorized key={} url={} error={} hint={}",
                               key_hint(settings.scanner_key), settings.cloud_url,
                               common::log_value(last.message),
                               "\"scanner key rejected: revoked or wrong? batches are kept\"");
                } else {
                    log->warn("event=cloud_offline url={} batch_id={} error={}", settings.cloud_url,
                              batch_id, common::log_value(last.message));
                }
                online_ = false;
            }
            outbox_->update_status(false, last.message);
            sample_backlog();
            return out;
        }
        if (stop_) out.outcome = CycleOutcome::kStopped;
        sample_backlog();
        return out;
    } catch (const std::exception& e) {
        // Infrastructure failure (lost database): caught once per unit of work.
        log->error("event=database_error error={}", common::log_value(e.what()));
        reset_connections();
        failures_.with({"database"}).inc();
        out.outcome = CycleOutcome::kDatabaseError;
        out.error = e.what();
        return out;
    }
}

bool Service::wait(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        ensure_listener();
        const auto now = clock_.monotonic();
        if (stop_ || now >= deadline) return false;
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
        std::array<pollfd, 2> fds{};
        fds[0] = {wake_read_.get(), POLLIN, 0};
        int n = 1;
        if (listener_ && listener_->sock() >= 0) {
            fds[1] = {listener_->sock(), POLLIN, 0};
            n = 2;
        }
        // Without a listener, retry it at least every few seconds.
        const long long cap = listener_ ? left : std::min<long long>(left, 5'000);
        const int rc = ::poll(fds.data(), static_cast<nfds_t>(n), static_cast<int>(cap));
        if (rc < 0 && errno != EINTR)
            throw std::system_error(errno, std::generic_category(), "poll");
        if (rc <= 0) continue;
        if ((fds[0].revents & POLLIN) != 0) {
            std::array<char, 64> buf{};
            while (::read(wake_read_.get(), buf.data(), buf.size()) > 0) {
            }
            stop_ = true;
            return false;
        }
        if (n == 2 && fds[1].revents != 0) {
            try {
                listener_->drain();
            } catch (const std::exception& e) {
                logger()->warn("event=listen_lost error={}", common::log_value(e.what()));
                listener_.reset();
                continue;
            }
            if (listener_->notified) {
                listener_->notified = false;
                return true;
            }
        }
    }
}

void Service::run() {
    const auto log = logger();
    log->info("event=started period_ms={} max_readings={}", options_.period.count(),
              options_.outbox.max_readings_per_batch);
    Backoff backoff(options_.backoff_initial, options_.backoff_max);
    auto next = clock_.monotonic();
    bool holding = false;  // backing off: notifications must not cut the delay short
    while (!stop_) {
        if (clock_.monotonic() >= next) {
            ++cycles_;
            const auto result = run_cycle();
            const auto now = clock_.monotonic();
            holding = true;
            switch (result.outcome) {
                case CycleOutcome::kIdle:
                case CycleOutcome::kNotConfigured:
                case CycleOutcome::kStopped:
                    backoff.reset();
                    holding = false;
                    next = now + options_.period;
                    break;
                case CycleOutcome::kFailed:
                case CycleOutcome::kDatabaseError:
                    next = now + backoff.next();
                    break;
                case CycleOutcome::kOverloaded:
                    next = now + (result.retry_after
                                      ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                            *result.retry_after)
                                      : backoff.next());
                    break;
                case CycleOutcome::kUnauthorized:
                    next = now + options_.auth_retry;
                    break;
            }
            if (holding) {
                log->debug(
                    "event=retry_scheduled in_ms={}",
                    std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count());
            }
            continue;
        }
        if (wait(next) && !holding) {
            next = std::min(next, clock_.monotonic() + options_.notify_delay);
        }
    }
    log->info("event=stopped");
}

}  // namespace printmon::uploader
