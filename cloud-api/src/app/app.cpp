#include "app/app.hpp"

#include <pthread.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "alerts/engine.hpp"
#include "alerts/outbox.hpp"
#include "alerts/routes.hpp"
#include "alerts/scheduler.hpp"
#include "alerts/sender.hpp"
#include "api/forecasts.hpp"
#include "api/queries.hpp"
#include "api/routes.hpp"
#include "app/metrics.hpp"
#include "auth/accounts.hpp"
#include "auth/login_limiter.hpp"
#include "auth/password_reset.hpp"
#include "console/console.hpp"
#include "ingest/ingest.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/db/connection.hpp"
#include "printmon/db/pool.hpp"
#include "printmon/net/metrics_server.hpp"
#include "storage/leader.hpp"
#include "storage/replica.hpp"
#include "storage/retention.hpp"
#include "storage/schema.hpp"
#include "storage/secret_keys.hpp"
#include "storage/secrets.hpp"

namespace printmon::cloud {

namespace {

void prepare_everything(pqxx::connection& conn) {
    storage::prepare_all(conn);
    auth::prepare_account_statements(conn);
    auth::prepare_login_limiter_statements(conn);
    auth::prepare_password_reset_statements(conn);
    alerts::prepare_outbox_statements(conn);
    api::prepare_statements(conn);
    alerts::prepare_route_statements(conn);
}

/// Keeps the analytics read model close to the raw data between reads, so a read after a quiet
/// ingest finds nothing left to refresh. Reads still refresh first (read-your-writes); this
/// only moves the work off their path. Own connection: it never takes one from the pool.
/// The same thread runs the raw readings' maintenance (partitions and retention, V0013) every
/// `analytics.raw_maintenance_interval` (first at start): it is periodic database housekeeping of
/// the same kind, and the database function serialises replicas (any one of them does it).
/// With several replicas only the one holding the refresh leadership (a session advisory lock,
/// storage/leader.hpp) works; the others ask again every round and take over when it dies.
class Refresher {
  public:
    Refresher(std::string conninfo, std::chrono::milliseconds interval,
              std::chrono::seconds maintenance_every, std::chrono::milliseconds forecast_budget,
              CloudMetrics& metrics)
        : conninfo_(std::move(conninfo)),
          interval_(interval),
          maintenance_every_(maintenance_every),
          metrics_(metrics),
          keep_forecasts_(forecast_budget.count() > 0),
          forecasts_(forecast_budget),
          thread_([this] { run(); }) {}
    Refresher(const Refresher&) = delete;
    Refresher& operator=(const Refresher&) = delete;
    ~Refresher() { stop(); }

    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

  private:
    void run() {
        auto log = common::get_logger("cloud.refresh");
        std::unique_ptr<db::Connection> conn;
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
            lock.unlock();
            try {
                if (!conn) {
                    conn = std::make_unique<db::Connection>(conninfo_);
                    prepare_everything(conn->raw());
                    CloudMetrics::prepare_sampling(conn->raw());
                }
                const bool leading = leadership_.acquire(conn->raw());
                metrics_.leading(leading);
                if (!leading) {
                    // A follower still reports the shared state (the leader's last refresh,
                    // the queues), so any replica's scrape tells the truth.
                    metrics_.sample(conn->raw());
                    lock.lock();
                    continue;
                }
                const auto started = std::chrono::steady_clock::now();
                if (maintenance_every_.count() > 0 &&
                    (!last_maintenance_ || started - *last_maintenance_ >= maintenance_every_)) {
                    last_maintenance_ = started;  // a failure waits for the next period too
                    maintain(*conn, log);
                }
                const auto started_wall = std::chrono::system_clock::now();
                std::vector<std::string> refreshed;
                const int devices = api::refresh_all(conn->raw(), &refreshed);
                metrics_.refreshed(
                    conn->raw(),
                    std::chrono::duration<double>(started_wall.time_since_epoch()).count());
                // Rationale: sampled here, on a connection of its own, so a scrape never
                // waits for the database.
                metrics_.sample(conn->raw());
                if (devices > 0) {
                    log->debug("event=refreshed devices={} ms={}", devices,
                               std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - started)
                                   .count());
                }
                keep_forecasts(*conn, refreshed, log);
            } catch (const std::exception& e) {
                log->warn("event=refresh_failed error={}", common::log_value(e.what()));
                conn.reset();  // reconnect next round
                leadership_.lost();
                metrics_.leading(false);
            }
            lock.lock();
        }
    }

    /// The kept supply forecasts (V0022) after the refresh that changed what they read.
    void keep_forecasts(db::Connection& conn, const std::vector<std::string>& refreshed,
                        const std::shared_ptr<spdlog::logger>& log) {
        if (!keep_forecasts_) return;
        const auto started = std::chrono::steady_clock::now();
        try {
            forecasts_.note(refreshed);
            const int kept = forecasts_.run(conn.raw());
            metrics_.forecasts_kept(kept);
            if (kept > 0) {
                log->debug("event=forecasts_kept devices={} pending_tenants={} ms={}", kept,
                           forecasts_.pending(),
                           std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - started)
                               .count());
            }
        } catch (const std::exception& e) {
            // Own catch: readers compute what is not kept, so this costs speed, not answers.
            log->warn("event=forecasts_keep_failed error={}", common::log_value(e.what()));
        }
    }

    static void maintain(db::Connection& conn, const std::shared_ptr<spdlog::logger>& log) {
        maintain_readings(conn, log);
        try {
            if (const auto pruned =
                    storage::prune_audit(conn.raw(), std::chrono::system_clock::now());
                pruned > 0) {
                log->info("event=audit_pruned rows={}", pruned);
            }
        } catch (const std::exception& e) {
            // Own catch: the rows are deleted at the next maintenance instead.
            log->warn("event=audit_prune_failed error={}", common::log_value(e.what()));
        }
    }

    static void maintain_readings(db::Connection& conn,
                                  const std::shared_ptr<spdlog::logger>& log) {
        storage::MaintenanceResult m;
        try {
            m = storage::maintain_readings(conn.raw(), std::chrono::system_clock::now());
        } catch (const std::exception& e) {
            // Own catch: a lock not obtained (lock_timeout) must not cost this round's refresh.
            log->warn("event=readings_maintenance_failed error={}", common::log_value(e.what()));
            return;
        }
        if (m.tenants_archived + m.partitions_dropped + m.partitions_created > 0 ||
            m.strays_deleted > 0) {
            log->info(
                "event=readings_maintained tenants_archived={} partitions_dropped={} "
                "partitions_created={} strays_deleted={}",
                m.tenants_archived, m.partitions_dropped, m.partitions_created, m.strays_deleted);
        }
    }

    std::string conninfo_;
    std::chrono::milliseconds interval_;
    std::chrono::seconds maintenance_every_;  // partitions are made 3 months ahead
    std::optional<std::chrono::steady_clock::time_point> last_maintenance_;
    CloudMetrics& metrics_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    storage::Leadership leadership_{storage::LeaderRole::refresh};
    bool keep_forecasts_;  // [analytics] forecast_budget_ms > 0
    api::ForecastKeeper forecasts_;
    std::thread thread_;  // last: starts after the members it uses
};

}  // namespace

struct App::Impl {
    CloudConfig config;
    CloudMetrics metrics;
    storage::ConnectionPool pool;
    std::unique_ptr<storage::ReplicaReads> replica;  ///< analytics reads; null unless configured
    auth::Authenticator authenticator;
    std::unique_ptr<net::Server> server;
    std::unique_ptr<net::MetricsServer> metrics_server;
    std::vector<net::RouteInfo> routes;
    std::unique_ptr<Refresher> refresher;
    std::unique_ptr<alerts::Sender> sender;
    std::unique_ptr<alerts::Scheduler> scheduler;
    std::shared_ptr<storage::SecretKeyHolder> secret_key;  ///< seals channel secrets (V0024)
    std::mutex scheduler_mutex;  // ingest threads nudge while start/stop swap it

    void stop_workers() {
        if (metrics_server) metrics_server->stop();
        if (refresher) refresher->stop();
        if (replica) replica->stop();
        std::unique_ptr<alerts::Scheduler> stopping;
        {
            std::lock_guard lock(scheduler_mutex);
            stopping = std::move(scheduler);
        }
        if (stopping) stopping->stop();
        // A delivery in flight is aborted and handed back: the next start sends it at once.
        if (sender) sender->stop(true);
    }

    void nudge(const std::string& tenant) {
        std::lock_guard lock(scheduler_mutex);
        if (scheduler) scheduler->nudge(tenant);
    }

    explicit Impl(CloudConfig c)
        : config(std::move(c)),
          pool(config.database.conninfo, config.database.pool_size, config.database.acquire_timeout,
               [timeout = config.analytics.statement_timeout](pqxx::connection& conn) {
                   prepare_everything(conn);
                   storage::configure_read_session(conn, timeout);
               }),
          authenticator(pool, config.auth) {
        if (config.analytics.max_replica_lag.count() > 0) {
            storage::ReplicaOptions options;
            options.conninfo = config.database.replica_conninfo;
            options.pool_size = config.database.replica_pool_size;
            options.acquire_timeout = config.database.acquire_timeout;
            options.max_lag = config.analytics.max_replica_lag;
            replica = std::make_unique<storage::ReplicaReads>(
                options, [timeout = config.analytics.statement_timeout](pqxx::connection& conn) {
                    prepare_everything(conn);
                    storage::configure_read_session(conn, timeout);
                });
        }
        metrics::register_process_metrics(metrics.registry());
        std::vector<std::pair<std::string, db::PoolStatsSource>> pools{
            {"primary", [this] { return pool.stats(); }}};
        if (replica) {
            pools.emplace_back("replica", [this] { return replica->pool_stats(); });
            metrics.observe_replica(*replica);
        }
        db::register_pool_metrics(metrics.registry(), pools);
    }
};

namespace {

void migrate_if_configured(const CloudConfig& config) {
    if (!config.database.migrate_on_start) return;
    db::Connection conn(config.database.conninfo);
    const auto report = storage::migrate(conn.raw());
    common::get_logger("cloud.app")
        ->info("event=migrated applied={} already_applied={}", report.applied.size(),
               report.already_applied);
}

/// The key of the channel secrets: read (or made at the first start), checked against the one
/// the database records (a replica with another key file stops here, before it seals anything
/// the others cannot open), and used to seal what older versions stored in plain text. A
/// rotation that committed without putting its key file in place is finished first.
std::shared_ptr<storage::SecretKeyHolder> open_secret_key(const CloudConfig& config) {
    auto log = common::get_logger("cloud.app");
    db::Connection conn(config.database.conninfo);
    storage::complete_pending_rotation(conn.raw(), config.secret_key_file);
    bool created = false;
    auto key = crypto::SecretKey::load_or_create(config.secret_key_file, &created);
    if (created) {
        log->info("event=secret_key_created path={} key_id={}",
                  common::log_value(config.secret_key_file.string()), key.id());
    }
    storage::claim_secret_key(conn.raw(), key);
    if (const auto sealed = storage::seal_plaintext_channel_secrets(conn.raw(), key); sealed > 0) {
        log->info("event=channel_secrets_sealed channels={} key_id={}", sealed, key.id());
    }
    return std::make_shared<storage::SecretKeyHolder>(config.secret_key_file, key);
}

}  // namespace

App::App(CloudConfig config) {
    migrate_if_configured(config);
    auto secret_key = open_secret_key(config);
    impl_ = std::make_unique<Impl>(std::move(config));
    impl_->secret_key = std::move(secret_key);
    net::Router router;
    // Credentials travel in headers: check them before reading (and inflating) the body.
    router.before_body(impl_->authenticator.hook());
    net::RouteOptions health;
    health.run_inline = true;
    health.tag = std::string(auth::kTagPublic);
    Impl* impl = impl_.get();
    // Answers without the database (balancers probe it every second); with a replica for reads,
    // its last measured lag too (no I/O: the replica monitor's value).
    router.get(
        "/healthz",
        [impl](net::Request&) {
            if (!impl->replica) return net::Response::json(R"({"status":"ok"})");
            const auto s = impl->replica->status();
            rapidjson::StringBuffer out;
            rapidjson::Writer<rapidjson::StringBuffer> w(out);
            w.StartObject();
            w.Key("status");
            w.String("ok");
            w.Key("replica");
            w.StartObject();
            w.Key("lag_s");
            if (s.lag_s) {
                w.Double(*s.lag_s);
            } else {
                w.Null();
            }
            w.Key("max_lag_s");
            w.Int64(
                std::chrono::duration_cast<std::chrono::seconds>(impl->replica->max_lag()).count());
            w.Key("in_recovery");
            w.Bool(s.in_recovery);
            w.Key("reads");
            w.String(s.usable ? "replica" : "primary");
            w.EndObject();
            w.EndObject();
            return net::Response::json(out.GetString());
        },
        health);
    const auto nudge = [impl](const std::string& tenant) { impl->nudge(tenant); };
    ingest::register_ingest_routes(router, impl_->pool, impl_->authenticator, impl_->config.limits,
                                   nudge, impl_->metrics.ingest());
    api::AnalyticsOptions analytics;
    analytics.replica = impl_->replica.get();
    analytics.public_url = impl_->config.public_url;
    api::register_analytics_routes(router, impl_->pool, impl_->authenticator, analytics);
    alerts::register_alerting_routes(router, impl_->pool, impl_->authenticator, impl_->secret_key,
                                     impl_->config.notify, impl_->config.server.blocking_threads,
                                     nudge);
    console::register_console_routes(router);
    impl_->metrics.observe_http(router);
    impl_->routes = router.routes();
    // The authenticator runs on the I/O thread for run_inline routes (net::RouteOptions): only
    // public ones skip the database there.
    for (const auto& route : impl_->routes) {
        if (route.options.run_inline && route.options.tag != auth::kTagPublic) {
            throw std::logic_error("run_inline route is not public: " + route.pattern);
        }
    }
    impl_->server = std::make_unique<net::Server>(impl_->config.server, std::move(router));
}

App::~App() {
    if (impl_ && impl_->server) impl_->server->stop(std::chrono::seconds(2));
    if (impl_) impl_->stop_workers();
}

void App::start() {
    impl_->server->start();
    if (impl_->config.metrics_listen && !impl_->metrics_server) {
        impl_->metrics_server = std::make_unique<net::MetricsServer>(*impl_->config.metrics_listen,
                                                                     impl_->metrics.registry());
        impl_->metrics_server->start();
    }
    impl_->refresher = std::make_unique<Refresher>(
        impl_->config.database.conninfo, impl_->config.analytics.refresh_interval,
        impl_->config.analytics.raw_maintenance_interval, impl_->config.analytics.forecast_budget,
        impl_->metrics);
    const auto& notify = impl_->config.notify;
    if (notify.enabled && notify.smtp_url.empty() && !impl_->config.public_url.empty()) {
        common::get_logger("cloud.app")
            ->warn(
                "event=password_reset_mail_off reason=\"[notify] smtp_url is not set\" "
                "detail=\"reset links are queued but cannot be delivered\"");
    }
    if (!notify.enabled && !impl_->config.public_url.empty()) {
        // Another replica with the sender on answers the requests this one queues.
        common::get_logger("cloud.app")
            ->warn(
                "event=password_reset_not_processed reason=\"[notify] enabled = false\" "
                "detail=\"reset requests wait for a cloud-api with the sender on\"");
    }
    if (notify.enabled) {
        impl_->sender = std::make_unique<alerts::Sender>(impl_->config.database.conninfo,
                                                         impl_->secret_key, notify);
        if (!impl_->config.public_url.empty()) {
            impl_->sender->add_pre_step(auth::password_reset_step(
                impl_->config.public_url, impl_->config.auth.password_reset_ttl));
        }
        impl_->sender->start();
        alerts::Sender* sender = impl_->sender.get();
        std::lock_guard lock(impl_->scheduler_mutex);
        impl_->scheduler = std::make_unique<alerts::Scheduler>(
            impl_->config.database.conninfo,
            std::chrono::duration_cast<std::chrono::milliseconds>(notify.evaluate_interval),
            [sender] { sender->wake(); });
    }
}

std::uint16_t App::port() const { return impl_->server->port(); }

std::uint16_t App::metrics_port() const {
    return impl_->metrics_server ? impl_->metrics_server->port() : 0;
}

metrics::Registry& App::metrics() { return impl_->metrics.registry(); }

void App::stop(std::chrono::milliseconds grace) {
    impl_->server->stop(grace);
    impl_->stop_workers();
}

const std::vector<net::RouteInfo>& App::routes() const { return impl_->routes; }

storage::ConnectionPool& App::pool() { return impl_->pool; }

const std::shared_ptr<storage::SecretKeyHolder>& App::secret_key() const {
    return impl_->secret_key;
}

int serve(CloudConfig config) {
    auto log = common::get_logger("cloud.app");
    // Block the stop signals in every thread (threads inherit the mask), then wait for them
    // here: no async-signal-safety concerns, and the stop runs on an ordinary thread.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    const bool tls = config.server.tls.has_value();
    App app(std::move(config));
    app.start();
    log->info("event=listening port={} tls={} metrics_port={}", app.port(), tls,
              app.metrics_port());
    int signal = 0;
    sigwait(&stop_signals, &signal);
    log->info("event=stopping signal={}", signal);
    app.stop();
    log->info("event=stopped");
    return 0;
}

}  // namespace printmon::cloud
