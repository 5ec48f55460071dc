// The login brake: failures per account and per address within a sliding window.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "auth/login_limiter.hpp"

using printmon::cloud::auth::account_key;
using printmon::cloud::auth::LoginLimiter;
using printmon::cloud::auth::LoginLimits;
using namespace std::chrono_literals;

TEST_CASE("an account is blocked after max_failures within the window", "[cloud][auth]") {
    LoginLimiter limiter(LoginLimits{3, 60s, 1000});
    const auto t0 = LoginLimiter::Clock::time_point{} + 1h;
    const auto acct = account_key("t1", "Ann@Example.com");
    for (int i = 0; i < 3; ++i) {
        CHECK_FALSE(limiter.blocked(acct, "10.0.0.1", t0 + i * 1s));
        limiter.failed(acct, "10.0.0.1", t0 + i * 1s);
    }
    // From another address too: the account is the target.
    const auto wait = limiter.blocked(acct, "10.0.0.2", t0 + 3s);
    REQUIRE(wait);
    CHECK(*wait == 57s);  // the first failure (t0) leaves the window at t0 + 60 s
    CHECK(limiter.blocked(account_key("t1", "ann@example.COM"), "10.0.0.2", t0 + 3s));
    CHECK_FALSE(limiter.blocked(account_key("t2", "ann@example.com"), "10.0.0.2", t0 + 3s));
    CHECK_FALSE(limiter.blocked(acct, "10.0.0.2", t0 + 60s));
}

TEST_CASE("an address spraying many accounts is blocked", "[cloud][auth]") {
    LoginLimiter limiter(LoginLimits{3, 60s, 1000});
    const auto t0 = LoginLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < 3; ++i) {
        limiter.failed(account_key("t1", "user" + std::to_string(i)), "10.0.0.9", t0);
    }
    CHECK(limiter.blocked(account_key("t1", "someone-else"), "10.0.0.9", t0 + 1s));
    CHECK_FALSE(limiter.blocked(account_key("t1", "someone-else"), "10.0.0.8", t0 + 1s));
}

TEST_CASE("success clears the account, not the address", "[cloud][auth]") {
    LoginLimiter limiter(LoginLimits{2, 60s, 1000});
    const auto t0 = LoginLimiter::Clock::time_point{} + 1h;
    const auto acct = account_key("t1", "a");
    limiter.failed(acct, "10.0.0.1", t0);
    limiter.succeeded(acct);
    limiter.failed(acct, "10.0.0.2", t0);
    CHECK_FALSE(limiter.blocked(acct, "10.0.0.3", t0));
    limiter.failed(account_key("t1", "b"), "10.0.0.1", t0);
    CHECK(limiter.blocked(account_key("t1", "c"), "10.0.0.1", t0));
}

TEST_CASE("memory stays bounded: the oldest keys are forgotten", "[cloud][auth]") {
    LoginLimiter limiter(LoginLimits{1, 60s, 4});
    const auto t0 = LoginLimiter::Clock::time_point{} + 1h;
    limiter.failed("first", "r1", t0);  // 2 keys
    CHECK(limiter.blocked("first", "elsewhere", t0));
    limiter.failed("second", "r2", t0);  // 4 keys
    limiter.failed("third", "r3", t0);   // 6 > 4: "first" and "r1" are forgotten
    CHECK_FALSE(limiter.blocked("first", "r1", t0));
    CHECK(limiter.blocked("third", "elsewhere", t0));
}
