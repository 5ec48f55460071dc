#include "storage/pool.hpp"

#include <fmt/format.h>

#include <pqxx/transaction>

namespace printmon::cloud::storage {

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

ConnectionPool::ConnectionPool(const std::string& conninfo, std::size_t size,
                               std::chrono::milliseconds acquire_timeout,
                               const std::function<void(pqxx::connection&)>& on_connect)
    : size_(size == 0 ? 1 : size), acquire_timeout_(acquire_timeout) {
    idle_.reserve(size_);
    for (std::size_t i = 0; i < size_; ++i) {
        auto conn = std::make_unique<db::Connection>(conninfo);
        if (on_connect) on_connect(conn->raw());
        idle_.push_back(std::move(conn));
    }
}

Lease ConnectionPool::acquire() {
    std::unique_lock lock(mutex_);
    if (!freed_.wait_for(lock, acquire_timeout_, [this] { return !idle_.empty(); })) {
        throw PoolExhausted(fmt::format("all {} database connections busy for {} ms", size_,
                                        acquire_timeout_.count()));
    }
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
}

std::size_t ConnectionPool::idle() const {
    std::lock_guard lock(mutex_);
    return idle_.size();
}

void ConnectionPool::give_back(std::unique_ptr<db::Connection> conn) noexcept {
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(conn));
    }
    freed_.notify_one();
}

void configure_read_session(pqxx::connection& conn, std::chrono::milliseconds statement_timeout) {
    conn.set_variable("statement_timeout", std::to_string(statement_timeout.count()));
    conn.set_variable("plan_cache_mode", "force_custom_plan");
    conn.set_variable("max_parallel_workers_per_gather", "0");
}

void use_server_defaults(pqxx::work& tx) {
    tx.exec0(
        "SET LOCAL statement_timeout TO DEFAULT; SET LOCAL plan_cache_mode TO DEFAULT; "
        "SET LOCAL max_parallel_workers_per_gather TO DEFAULT");
}

}  // namespace printmon::cloud::storage
