// The login brake: failures per (account, address) and per address within a sliding window,
// kept in PostgreSQL (login_failures, V0014) so every replica counts the same. Times are
// injected; each check runs in its own transaction, as a request does.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <string>

#include "auth/login_limiter.hpp"
#include "cloud_support.hpp"
#include "printmon/db/connection.hpp"

using printmon::cloud::auth::account_key;
using printmon::cloud::auth::LoginLimiter;
using printmon::cloud::auth::LoginLimits;
using printmon::cloud::test::CloudServer;
using namespace std::chrono_literals;

namespace {

// 2026-01-01T00:00:00Z: any fixed instant; the brake compares only the times it is given.
const auto t0 = LoginLimiter::Clock::time_point{} + 1'767'225'600s;

LoginLimits limits(std::size_t account, std::chrono::seconds window, std::size_t address = 30) {
    LoginLimits l;
    l.max_failures = account;
    l.window = window;
    l.max_address_failures = address;
    return l;
}

// One transaction on the server's database, committed.
void tx(CloudServer& s, const std::function<void(pqxx::work&)>& fn) {
    auto lease = s.app().pool().acquire();
    printmon::db::with_transaction(*lease, fn);
}

std::optional<std::chrono::seconds> blocked(CloudServer& s, const LoginLimiter& l,
                                            const std::string& account, const std::string& address,
                                            LoginLimiter::Clock::time_point now) {
    std::optional<std::chrono::seconds> wait;
    tx(s, [&](pqxx::work& w) { wait = l.blocked(w, account, address, now); });
    return wait;
}

}  // namespace

TEST_CASE("an account is blocked from the address that failed", "[cloud][auth]") {
    CloudServer s;
    const LoginLimiter limiter(limits(3, 60s));
    const auto acct = account_key("t1", "Ann@Example.com");
    for (int i = 0; i < 3; ++i) {
        CHECK_FALSE(blocked(s, limiter, acct, "10.0.0.1", t0 + i * 1s));
        tx(s, [&](pqxx::work& w) { limiter.failed(w, acct, "10.0.0.1", t0 + i * 1s); });
    }
    const auto wait = blocked(s, limiter, acct, "10.0.0.1", t0 + 3s);
    REQUIRE(wait);
    CHECK(*wait == 57s);  // the first failure (t0) leaves the window at t0 + 60 s
    CHECK(blocked(s, limiter, account_key("t1", "ann@example.COM"), "10.0.0.1", t0 + 3s));
    CHECK_FALSE(blocked(s, limiter, acct, "10.0.0.1", t0 + 60s));
}

// Issue 14 item 5: a lockout per account across addresses let anyone lock a user out of their
// correct password by failing ten times from anywhere.
TEST_CASE("failures from one address do not lock the account out elsewhere", "[cloud][auth]") {
    CloudServer s;
    const LoginLimiter limiter(limits(10, 15min));
    const auto acct = account_key("t1", "ann@example.com");
    for (int i = 0; i < 10; ++i) {
        tx(s, [&](pqxx::work& w) { limiter.failed(w, acct, "203.0.113.7", t0 + i * 1s); });
    }
    CHECK(blocked(s, limiter, acct, "203.0.113.7", t0 + 10s));
    CHECK_FALSE(blocked(s, limiter, acct, "192.0.2.10", t0 + 10s));
    CHECK_FALSE(blocked(s, limiter, account_key("t2", "ann@example.com"), "192.0.2.10", t0 + 10s));
}

TEST_CASE("an address spraying many accounts is blocked", "[cloud][auth]") {
    CloudServer s;
    const LoginLimiter limiter(limits(3, 60s, 5));
    for (int i = 0; i < 5; ++i) {
        tx(s, [&](pqxx::work& w) {
            limiter.failed(w, account_key("t1", "user" + std::to_string(i)), "10.0.0.9", t0);
        });
    }
    CHECK(blocked(s, limiter, account_key("t1", "someone-else"), "10.0.0.9", t0 + 1s));
    CHECK_FALSE(blocked(s, limiter, account_key("t1", "someone-else"), "10.0.0.8", t0 + 1s));
}

TEST_CASE("the address brake is looser than the account one (a shared NAT)", "[cloud][auth]") {
    CloudServer s;
    const LoginLimiter limiter(limits(3, 60s, 5));
    for (int i = 0; i < 3; ++i) {
        tx(s, [&](pqxx::work& w) { limiter.failed(w, account_key("t1", "ann"), "10.0.0.9", t0); });
    }
    CHECK(blocked(s, limiter, account_key("t1", "ann"), "10.0.0.9", t0));
    CHECK_FALSE(blocked(s, limiter, account_key("t1", "bob"), "10.0.0.9", t0));
}

TEST_CASE("success clears the account at that address, not the address", "[cloud][auth]") {
    CloudServer s;
    const LoginLimiter limiter(limits(2, 60s, 3));
    const auto acct = account_key("t1", "a");
    tx(s, [&](pqxx::work& w) { limiter.failed(w, acct, "10.0.0.1", t0); });
    tx(s, [&](pqxx::work& w) { limiter.succeeded(w, acct, "10.0.0.1"); });
    tx(s, [&](pqxx::work& w) { limiter.failed(w, acct, "10.0.0.1", t0); });
    CHECK_FALSE(blocked(s, limiter, acct, "10.0.0.1", t0));
    tx(s, [&](pqxx::work& w) { limiter.failed(w, account_key("t1", "b"), "10.0.0.1", t0); });
    // Three failures from 10.0.0.1 in all (the success did not clear the address).
    CHECK(blocked(s, limiter, account_key("t1", "c"), "10.0.0.1", t0));
}

TEST_CASE("the table stays bounded: failures past the window are deleted", "[cloud][auth]") {
    CloudServer s;
    const LoginLimiter limiter(limits(1, 60s, 1));
    tx(s, [&](pqxx::work& w) { limiter.failed(w, "first", "r1", t0); });
    CHECK(blocked(s, limiter, "first", "r1", t0));
    CHECK(s.count("login_failures") == 2);  // the pair and the address
    tx(s, [&](pqxx::work& w) { limiter.failed(w, "second", "r2", t0 + 61s); });
    CHECK(s.count("login_failures") == 2);  // t0's went with the failure after the window
    CHECK_FALSE(blocked(s, limiter, "first", "r1", t0 + 61s));
    CHECK(blocked(s, limiter, "second", "r2", t0 + 61s));
}
