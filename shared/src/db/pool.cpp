#include "printmon/db/pool.hpp"

#include <fmt/format.h>

#include "printmon/metrics/registry.hpp"

namespace printmon::db {

bool database_unavailable(const pqxx::failure& e) noexcept {
    if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
    if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) return true;
    if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e) != nullptr) return true;
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
        const std::string& state = sql->sqlstate();
        // 08xxx connection exception; 57P01 admin_shutdown, 57P02 crash_shutdown,
        // 57P03 cannot_connect_now (starting up, shutting down, in recovery).
        return state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" ||
               state == "57P03";
    }
    return false;
}

Lease::Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {
    other.pool_ = nullptr;
}

Lease& Lease::operator=(Lease&& other) noexcept {
    if (this != &other) {
        release();
        pool_ = other.pool_;
        conn_ = std::move(other.conn_);
        other.pool_ = nullptr;
    }
    return *this;
}

Lease::~Lease() { release(); }

void Lease::release() noexcept {
    if (pool_ != nullptr && conn_) pool_->give_back(std::move(conn_));
    pool_ = nullptr;
}

void Lease::discard() noexcept {
    if (pool_ != nullptr && conn_) {
        conn_.reset();
        pool_->drop();
    }
    pool_ = nullptr;
}

ConnectionPool::ConnectionPool(std::string conninfo, std::size_t size,
                               std::chrono::milliseconds acquire_timeout,
                               std::function<void(pqxx::connection&)> on_connect,
                               PoolConnect connect)
    : conninfo_(std::move(conninfo)),
      size_(size == 0 ? 1 : size),
      acquire_timeout_(acquire_timeout),
      on_connect_(std::move(on_connect)) {
    idle_.reserve(size_);
    if (connect == PoolConnect::kOnDemand) {
        empty_ = size_;
        return;
    }
    for (std::size_t i = 0; i < size_; ++i) idle_.push_back(open());
}

std::unique_ptr<Connection> ConnectionPool::open() {
    auto conn = std::make_unique<Connection>(conninfo_);
    if (on_connect_) on_connect_(conn->raw());
    return conn;
}

Lease ConnectionPool::acquire() {
    std::unique_lock lock(mutex_);
    ++counters_.acquires;
    const auto available = [this] { return !idle_.empty() || empty_ > 0; };
    if (!available()) {
        ++counters_.waits;
        const auto began = std::chrono::steady_clock::now();
        const bool got = freed_.wait_for(lock, acquire_timeout_, available);
        counters_.wait_seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
        if (!got) {
            ++counters_.exhausted;
            throw PoolExhausted(fmt::format("all {} database connections busy for {} ms", size_,
                                            acquire_timeout_.count()));
        }
    }
    if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return {this, std::move(conn)};
    }
    // An empty slot: connect without holding the lock (it may take a connect timeout).
    --empty_;
    lock.unlock();
    try {
        return {this, open()};
    } catch (...) {
        lock.lock();
        ++empty_;
        ++counters_.connect_failures;
        lock.unlock();
        freed_.notify_one();
        throw;
    }
}

std::size_t ConnectionPool::idle() const {
    std::lock_guard lock(mutex_);
    return idle_.size();
}

PoolStats ConnectionPool::stats() const {
    std::lock_guard lock(mutex_);
    PoolStats s = counters_;
    s.size = size_;
    s.in_use = size_ - idle_.size() - empty_;
    s.open = size_ - empty_;
    return s;
}

void ConnectionPool::give_back(std::unique_ptr<Connection> conn) noexcept {
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(conn));
    }
    freed_.notify_one();
}

void ConnectionPool::drop() noexcept {
    {
        std::lock_guard lock(mutex_);
        ++empty_;
    }
    freed_.notify_one();
}

void register_pool_metrics(
    metrics::Registry& registry,
    const std::vector<std::pair<std::string, const ConnectionPool*>>& pools) {
    std::vector<std::pair<std::string, PoolStatsSource>> sources;
    sources.reserve(pools.size());
    for (const auto& [label, pool] : pools) {
        sources.emplace_back(label, [pool = pool] { return pool->stats(); });
    }
    register_pool_metrics(registry, sources);
}

void register_pool_metrics(metrics::Registry& registry,
                           const std::vector<std::pair<std::string, PoolStatsSource>>& sources) {
    using metrics::Sample;
    using metrics::Type;
    // One snapshot per pool per family is cheap (a lock and a copy); families are separate
    // callbacks so each keeps its own type.
    const auto family = [&registry, sources](const std::string& name, const std::string& help,
                                             Type type, double (*pick)(const PoolStats&)) {
        registry.callback(name, help, type, {"pool"}, [sources, pick] {
            std::vector<Sample> out;
            out.reserve(sources.size());
            for (const auto& [label, stats] : sources) out.push_back({{label}, pick(stats())});
            return out;
        });
    };
    family("printmon_db_pool_size", "Connection slots of the pool.", Type::kGauge,
           [](const PoolStats& s) { return static_cast<double>(s.size); });
    family("printmon_db_pool_in_use", "Connections leased right now.", Type::kGauge,
           [](const PoolStats& s) { return static_cast<double>(s.in_use); });
    family("printmon_db_pool_open", "Connections open right now (leased or idle).", Type::kGauge,
           [](const PoolStats& s) { return static_cast<double>(s.open); });
    family("printmon_db_pool_acquires_total", "Connections requested from the pool.",
           Type::kCounter, [](const PoolStats& s) { return static_cast<double>(s.acquires); });
    family("printmon_db_pool_waits_total", "Acquires that found every connection busy and waited.",
           Type::kCounter, [](const PoolStats& s) { return static_cast<double>(s.waits); });
    family("printmon_db_pool_wait_seconds_total", "Total time acquires spent waiting.",
           Type::kCounter, [](const PoolStats& s) { return s.wait_seconds; });
    family("printmon_db_pool_exhausted_total",
           "Acquires that gave up after the acquire timeout (answered 503).", Type::kCounter,
           [](const PoolStats& s) { return static_cast<double>(s.exhausted); });
    family("printmon_db_pool_connect_failures_total", "Failed attempts to open a connection.",
           Type::kCounter,
           [](const PoolStats& s) { return static_cast<double>(s.connect_failures); });
}

}  // namespace printmon::db
