#pragma once
// Brute-force brake for POST /api/v1/auth/login: after `max_failures` failed logins within
// `window` for one account (tenant + e-mail) from one client address, or
// `max_address_failures` from one address over all accounts, further attempts from that
// address are refused with 429 until the oldest failure leaves the window.
// Rationale: keyed per (account, address), not per account: a lockout per account across
// addresses let anyone lock a user out of their correct password by failing ten times from
// anywhere (issue 14 item 5). The price is that a distributed guesser gets max_failures per
// address it controls; argon2id at ~50 ms per guess and the address brake keep that slow.
// In memory, per process: a deployment with several cloud-api instances behind a balancer
// multiplies the budget by the number of instances (documented).

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace printmon::cloud::auth {

struct LoginLimits {
    std::size_t max_failures = 10;
    std::chrono::seconds window{std::chrono::minutes(15)};
    /// Keys tracked at most (accounts + addresses); the oldest are forgotten first, so memory
    /// stays bounded under a spray of random e-mails or addresses.
    std::size_t max_keys = 100'000;
    /// Failures from one address over all accounts (a spray of e-mails). Looser than the
    /// per-account budget so that one user mistyping behind a shared NAT does not lock out
    /// the whole office.
    std::size_t max_address_failures = 30;
};

class LoginLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    explicit LoginLimiter(LoginLimits limits = {});

    /// How long the caller must wait before trying again, or nothing when an attempt for this
    /// account from this address may go ahead.
    std::optional<std::chrono::seconds> blocked(const std::string& account,
                                                const std::string& address,
                                                Clock::time_point now = Clock::now());

    /// Records a failed attempt against the account at this address and against the address.
    void failed(const std::string& account, const std::string& address,
                Clock::time_point now = Clock::now());

    /// A successful login clears the account's failures at this address (not the address's:
    /// one good password must not reset a spray over many accounts from that address).
    void succeeded(const std::string& account, const std::string& address);

    const LoginLimits& limits() const { return limits_; }

  private:
    using Failures = std::deque<Clock::time_point>;
    std::optional<std::chrono::seconds> wait_for(const std::string& key, std::size_t limit,
                                                 Clock::time_point now);
    void add(const std::string& key, std::size_t limit, Clock::time_point now);

    LoginLimits limits_;
    std::mutex mutex_;
    std::unordered_map<std::string, Failures> failures_;
    std::deque<std::string> order_;  // insertion order of keys, for eviction
};

/// The limiter key of an account: tenant id and e-mail, case-insensitive like the login.
std::string account_key(const std::string& tenant_id, const std::string& email);

}  // namespace printmon::cloud::auth
