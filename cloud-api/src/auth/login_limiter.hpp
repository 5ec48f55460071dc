#pragma once
// Brute-force brake for POST /api/v1/auth/login: after `max_failures` failed logins within
// `window` for one account (tenant + e-mail) from one client address, or
// `max_address_failures` from one address over all accounts, further attempts from that
// address are refused with 429 until the oldest failure leaves the window.
// Rationale: keyed per (account, address), not per account: a lockout per account across
// addresses let anyone lock a user out of their correct password by failing ten times from
// anywhere (issue 14 item 5). The price is that a distributed guesser gets max_failures per
// address it controls; argon2id at ~50 ms per guess and the address brake keep that slow.
// The failures live in PostgreSQL (login_failures, V0014), not in the process: every cloud-api
// replica behind a balancer sees the same count, and a restart forgets no lockout (issue 16).
// Each call runs in the caller's transaction, so a login's check, its outcome and the failure
// it records commit together.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <pqxx/connection>
#include <pqxx/transaction_base>

namespace printmon::cloud::auth {

struct LoginLimits {
    std::size_t max_failures = 10;
    std::chrono::seconds window{std::chrono::minutes(15)};
    /// Failures from one address over all accounts (a spray of e-mails). Looser than the
    /// per-account budget so that one user mistyping behind a shared NAT does not lock out
    /// the whole office.
    std::size_t max_address_failures = 30;
};

/// Prepares the limiter's statements on a connection.
void prepare_login_limiter_statements(pqxx::connection& conn);

class LoginLimiter {
  public:
    /// Wall clock: several processes compare the times they stored.
    using Clock = std::chrono::system_clock;

    explicit LoginLimiter(LoginLimits limits = {});

    /// How long the caller must wait before trying again, or nothing when an attempt for this
    /// account from this address may go ahead.
    std::optional<std::chrono::seconds> blocked(pqxx::transaction_base& tx,
                                                const std::string& account,
                                                const std::string& address,
                                                Clock::time_point now = Clock::now()) const;

    /// Records a failed attempt against the account at this address and against the address,
    /// and forgets failures older than the window (of every key: they decide nothing).
    void failed(pqxx::transaction_base& tx, const std::string& account, const std::string& address,
                Clock::time_point now = Clock::now()) const;

    /// A successful login clears the account's failures at this address (not the address's:
    /// one good password must not reset a spray over many accounts from that address).
    void succeeded(pqxx::transaction_base& tx, const std::string& account,
                   const std::string& address) const;

    const LoginLimits& limits() const { return limits_; }

  private:
    LoginLimits limits_;
};

/// Limits of a RequestBrake: requests within `window` per subject (from anywhere) and per
/// client address (over all subjects).
struct RequestLimits {
    std::size_t max_per_subject = 3;
    std::size_t max_per_address = 20;
    /// No longer than the login brake's: each brake's record prunes the rows older than its
    /// own window, of every key.
    std::chrono::seconds window{std::chrono::minutes(15)};
};

/// Brake on a public request that costs something whether or not it succeeds (a password reset
/// e-mail): every request counts, per subject across addresses (nobody floods one mailbox from
/// many addresses) and per address (nobody sprays many mailboxes from one). The same shared
/// table as the login brake (every replica counts the same requests), under keys of its own
/// `scope`; subjects are hashed, so the table holds no e-mail addresses for it.
class RequestBrake {
  public:
    using Clock = LoginLimiter::Clock;

    RequestBrake(std::string scope, RequestLimits limits = {});

    /// How long the caller must wait, or nothing when this request may go ahead.
    std::optional<std::chrono::seconds> blocked(pqxx::transaction_base& tx,
                                                const std::string& subject,
                                                const std::string& address,
                                                Clock::time_point now = Clock::now()) const;

    /// Counts a request (and forgets requests older than the window).
    void record(pqxx::transaction_base& tx, const std::string& subject, const std::string& address,
                Clock::time_point now = Clock::now()) const;

    const RequestLimits& limits() const { return limits_; }

  private:
    std::string subject_key(const std::string& subject) const;
    std::string address_key(const std::string& address) const;

    std::string scope_;
    RequestLimits limits_;
};

/// The limiter key of an account: tenant id and e-mail, case-insensitive like the login.
std::string account_key(const std::string& tenant_id, const std::string& email);

}  // namespace printmon::cloud::auth
