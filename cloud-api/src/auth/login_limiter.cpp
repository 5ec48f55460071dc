#include "auth/login_limiter.hpp"

#include <algorithm>
#include <cctype>

namespace printmon::cloud::auth {

LoginLimiter::LoginLimiter(LoginLimits limits) : limits_(limits) {}

namespace {

// The account key at one address; '\n' cannot occur in either part (e-mails and addresses
// are single-line), so two pairs never share a key.
std::string pair_key(const std::string& account, const std::string& address) {
    return "p:" + account + '\n' + address;
}

}  // namespace

std::optional<std::chrono::seconds> LoginLimiter::wait_for(const std::string& key,
                                                           std::size_t limit,
                                                           Clock::time_point now) {
    const auto it = failures_.find(key);
    if (it == failures_.end()) return std::nullopt;
    auto& times = it->second;
    while (!times.empty() && now - times.front() >= limits_.window) times.pop_front();
    if (times.size() < limit) return std::nullopt;
    // Blocked until the oldest failure that keeps the count at the limit leaves the window.
    const auto until = times[times.size() - limit] + limits_.window;
    const auto wait = std::chrono::ceil<std::chrono::seconds>(until - now);
    return std::max(wait, std::chrono::seconds(1));
}

std::optional<std::chrono::seconds> LoginLimiter::blocked(const std::string& account,
                                                          const std::string& address,
                                                          Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    const auto by_account = wait_for(pair_key(account, address), limits_.max_failures, now);
    const auto by_address = wait_for("r:" + address, limits_.max_address_failures, now);
    if (by_account && by_address) return std::max(*by_account, *by_address);
    return by_account ? by_account : by_address;
}

void LoginLimiter::add(const std::string& key, std::size_t limit, Clock::time_point now) {
    auto [it, fresh] = failures_.try_emplace(key);
    if (fresh) {
        order_.push_back(key);
        while (failures_.size() > limits_.max_keys && !order_.empty()) {
            failures_.erase(order_.front());
            order_.pop_front();
        }
        it = failures_.find(key);
        if (it == failures_.end()) return;  // max_keys == 0: nothing is tracked
    }
    auto& times = it->second;
    times.push_back(now);
    // Only the newest `limit` failures matter for the decision.
    while (times.size() > limit) times.pop_front();
}

void LoginLimiter::failed(const std::string& account, const std::string& address,
                          Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    add(pair_key(account, address), limits_.max_failures, now);
    add("r:" + address, limits_.max_address_failures, now);
}

void LoginLimiter::succeeded(const std::string& account, const std::string& address) {
    const std::lock_guard lock(mutex_);
    const auto it = failures_.find(pair_key(account, address));
    if (it != failures_.end()) it->second.clear();
}

std::string account_key(const std::string& tenant_id, const std::string& email) {
    std::string key = tenant_id + "/";
    for (const char c : email) {
        key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return key;
}

}  // namespace printmon::cloud::auth
