#include "auth/login_limiter.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <utility>

#include "printmon/crypto/crypto.hpp"

namespace printmon::cloud::auth {

namespace {

namespace stmt {
constexpr const char* kBlocked = "login_limiter_blocked";
constexpr const char* kFailed = "login_limiter_failed";
constexpr const char* kSucceeded = "login_limiter_succeeded";
}  // namespace stmt

// The wait in whole seconds (NULL: not blocked): for each key, the failure that keeps the count
// at its limit (the limit-th newest within the window) leaves the window at failed_at + window;
// the caller waits for the later of the two keys. $1 pair key, $2 address key, $3 now (epoch
// microseconds, the caller's clock), $4 window (s), $5 pair limit, $6 address limit.
constexpr const char* kBlockedSql =
    "WITH t AS (SELECT to_timestamp($3::bigint / 1e6) AS now, make_interval(secs => $4) AS win), "
    "p AS (SELECT f.failed_at FROM login_failures f, t WHERE f.key = $1 "
    "AND f.failed_at > t.now - t.win ORDER BY f.failed_at DESC OFFSET $5::int - 1 LIMIT 1), "
    "r AS (SELECT f.failed_at FROM login_failures f, t WHERE f.key = $2 "
    "AND f.failed_at > t.now - t.win ORDER BY f.failed_at DESC OFFSET $6::int - 1 LIMIT 1) "
    "SELECT ceil(extract(epoch FROM greatest((SELECT failed_at FROM p), (SELECT failed_at FROM r)) "
    "+ t.win - t.now))::bigint FROM t";

// One failure for each key; then everything older than the window goes (one indexed range).
constexpr const char* kFailedSql =
    "WITH t AS (SELECT to_timestamp($3::bigint / 1e6) AS now), "
    "ins AS (INSERT INTO login_failures (key, failed_at) SELECT k, t.now FROM t, "
    "unnest(ARRAY[$1::text, $2::text]) k) "
    "DELETE FROM login_failures f USING t WHERE f.failed_at <= t.now - make_interval(secs => $4)";

constexpr const char* kSucceededSql = "DELETE FROM login_failures WHERE key = $1";

// The account key at one address; '\n' cannot occur in either part (e-mails and addresses
// are single-line), so two pairs never share a key.
std::string pair_key(const std::string& account, const std::string& address) {
    return "p:" + account + '\n' + address;
}

std::string address_key(const std::string& address) { return "r:" + address; }

std::int64_t micros(LoginLimiter::Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// Key lengths are capped by the table (an e-mail is <= 254 characters, an address far less);
// a longer key would be a bug, so it fails loudly there.
std::int64_t limit_of(std::size_t n) {
    return static_cast<std::int64_t>(std::max<std::size_t>(n, 1));
}

}  // namespace

void prepare_login_limiter_statements(pqxx::connection& conn) {
    conn.prepare(stmt::kBlocked, kBlockedSql);
    conn.prepare(stmt::kFailed, kFailedSql);
    conn.prepare(stmt::kSucceeded, kSucceededSql);
}

LoginLimiter::LoginLimiter(LoginLimits limits) : limits_(limits) {}

std::optional<std::chrono::seconds> LoginLimiter::blocked(pqxx::transaction_base& tx,
                                                          const std::string& account,
                                                          const std::string& address,
                                                          Clock::time_point now) const {
    // A limit of 0 would mean "always blocked"; the config refuses it, and 1 is the strictest.
    const auto row =
        tx.exec_prepared1(stmt::kBlocked, pair_key(account, address), address_key(address),
                          micros(now), static_cast<std::int64_t>(limits_.window.count()),
                          limit_of(limits_.max_failures), limit_of(limits_.max_address_failures));
    if (row[0].is_null()) return std::nullopt;
    return std::chrono::seconds(std::max<std::int64_t>(row[0].as<std::int64_t>(), 1));
}

void LoginLimiter::failed(pqxx::transaction_base& tx, const std::string& account,
                          const std::string& address, Clock::time_point now) const {
    tx.exec_prepared(stmt::kFailed, pair_key(account, address), address_key(address), micros(now),
                     static_cast<std::int64_t>(limits_.window.count()));
}

void LoginLimiter::succeeded(pqxx::transaction_base& tx, const std::string& account,
                             const std::string& address) const {
    tx.exec_prepared(stmt::kSucceeded, pair_key(account, address));
}

RequestBrake::RequestBrake(std::string scope, RequestLimits limits)
    : scope_(std::move(scope)), limits_(limits) {}

// Keys "<scope>:s:<sha256>" and "<scope>:a:<address>": distinct from the login brake's "p:" and
// "r:" keys, so neither brake spends the other's budget.
std::string RequestBrake::subject_key(const std::string& subject) const {
    std::string lower;
    for (const char c : subject) {
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return scope_ + ":s:" + crypto::sha256_hex(lower);
}

std::string RequestBrake::address_key(const std::string& address) const {
    return scope_ + ":a:" + address;
}

std::optional<std::chrono::seconds> RequestBrake::blocked(pqxx::transaction_base& tx,
                                                          const std::string& subject,
                                                          const std::string& address,
                                                          Clock::time_point now) const {
    const auto row =
        tx.exec_prepared1(stmt::kBlocked, subject_key(subject), address_key(address), micros(now),
                          static_cast<std::int64_t>(limits_.window.count()),
                          limit_of(limits_.max_per_subject), limit_of(limits_.max_per_address));
    if (row[0].is_null()) return std::nullopt;
    return std::chrono::seconds(std::max<std::int64_t>(row[0].as<std::int64_t>(), 1));
}

void RequestBrake::record(pqxx::transaction_base& tx, const std::string& subject,
                          const std::string& address, Clock::time_point now) const {
    tx.exec_prepared(stmt::kFailed, subject_key(subject), address_key(address), micros(now),
                     static_cast<std::int64_t>(limits_.window.count()));
}

std::string account_key(const std::string& tenant_id, const std::string& email) {
    std::string key = tenant_id + "/";
    for (const char c : email) {
        key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return key;
}

}  // namespace printmon::cloud::auth
