// The login brake: failures per (account, address) and per address within a sliding window.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "auth/login_limiter.hpp"

using printmon::cloud::auth::account_key;
using printmon::cloud::auth::LoginLimiter;
using printmon::cloud::auth::LoginLimits;
using namespace std::chrono_literals;

TEST_CASE("an account is blocked from the address that failed", "[cloud][auth]") {
    LoginLimiter limiter(LoginLimits{3, 60s, 1000});
    const auto t0 = LoginLimiter::Clock::time_point{} + 1h;
    const auto acct = account_key("t1", "Ann@Example.com");
    for (int i = 0; i < 3; ++i) {
        CHECK_FALSE(limiter.blocked(acct, "10.0.0.1", t0 + i * 1s));
        limiter.failed(acct, "10.0.0.1", t0 + i * 1s);
    }
    const auto wait = limiter.blocked(acct, "10.0.0.1", t0 + 3s);
    REQUIRE(wait);
    CHECK(*wait == 57s);  // the first failure (t0) leaves the window at t0 + 60 s
    CHECK(limiter.blocked(account_key("t1", "ann@example.COM"), "10.0.0.1", t0 + 3s));
    CHECK_FALSE(limiter.blocked(acct, "10.0.0.1", t0 + 60s));
}

// Issue 14 item 5: a lockout per account across addresses let anyone lock a user out of their
// correct password by failing ten times from anywhere.
TEST_CASE("failures from one address do not lock the account out elsewhere", "[cloud][auth]") {
    LoginLimiter limiter(LoginLimits{10, 15min, 1000});
    const auto t0 = LoginLimiter::Clock::time_point{} + 1h;
    const auto acct = account_key("t1", "ann@example.com");
    for (int i = 0; i < 10; ++i) limiter.failed(acct, "203.0.113.7", t0 + i * 1s);
    CHECK(limiter.blocked(acct, "203.0.113.7", t0 + 10s));
    CHECK_FALSE(limiter.blocked(acct, "192.0.2.10", t0 + 10s));
    CHECK_FALSE(limiter.blocked(account_key("t2", "ann@example.com"), "192.0.2.10", t0 + 10s));
}

TEST_CASE("an address spraying many accounts is blocked", "[cloud][auth]") {
    LoginLimiter limiter(LoginLimits{3, 60s, 1000, 5});
    const auto t0 = LoginLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < 5; ++i) {
        limiter.failed(account_key("t1", "user" + std::to_string(i)), "10.0.0.9", t0);
    }
    CHECK(limiter.blocked(account_key("t1", "someone-else"), "10.0.0.9", t0 + 1s));
    CHECK_FALSE(limiter.blocked(account_key("t1", "someone-else"), "10.0.0.8", t0 + 1s));
}

TEST_CASE("the address brake is looser than the account one (a shared NAT)", "[cloud][auth]") {
    LoginLimiter limiter(LoginLimits{3, 60s, 1000, 5});
    const auto t0 = LoginLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < 3; ++i) limiter.failed(account_key("t1", "ann"), "10.0.0.9", t0);
    CHECK(limiter.blocked(account_key("t1", "ann"), "10.0.0.9", t0));
    CHECK_FALSE(limiter.blocked(account_key("t1", "bob"), "10.0.0.9", t0));
}

TEST_CASE("success clears the account at that address, not the address", "[cloud][auth]") {
    LoginLimiter limiter(LoginLimits{2, 60s, 1000, 3});
    const auto t0 = LoginLimiter::Clock::time_point{} + 1h;
    const auto acct = account_key("t1", "a");
    limiter.failed(acct, "10.0.0.1", t0);
    limiter.succeeded(acct, "10.0.0.1");
    limiter.failed(acct, "10.0.0.1", t0);
    CHECK_FALSE(limiter.blocked(acct, "10.0.0.1", t0));
    limiter.failed(account_key("t1", "b"), "10.0.0.1", t0);
    // Three failures from 10.0.0.1 in all (the success did not clear the address).
    CHECK(limiter.blocked(account_key("t1", "c"), "10.0.0.1", t0));
}

TEST_CASE("memory stays bounded: the oldest keys are forgotten", "[cloud][auth]") {
    LoginLimiter limiter(LoginLimits{1, 60s, 4, 1});
    const auto t0 = LoginLimiter::Clock::time_point{} + 1h;
    limiter.failed("first", "r1", t0);  // 2 keys
    CHECK(limiter.blocked("first", "r1", t0));
    limiter.failed("second", "r2", t0);  // 4 keys
    limiter.failed("third", "r3", t0);   // 6 > 4: "first"/"r1" and "r1" are forgotten
    CHECK_FALSE(limiter.blocked("first", "r1", t0));
    CHECK(limiter.blocked("third", "r3", t0));
}
