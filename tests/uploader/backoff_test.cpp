// Backoff delays and the key hint (pure functions).
#include <catch2/catch.hpp>
#include <set>

#include "app/backoff.hpp"
#include "transport/ingest_client.hpp"

using namespace std::chrono_literals;
using printmon::uploader::Backoff;

TEST_CASE("backoff doubles with jitter in [d/2, d] up to the cap", "[uploader][unit]") {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        Backoff backoff(100ms, 1000ms, seed);
        std::chrono::milliseconds base = 100ms;
        for (int i = 0; i < 12; ++i) {
            const auto d = backoff.next();
            INFO("seed " << seed << " attempt " << i);
            CHECK(d >= base / 2);
            CHECK(d <= base);
            base = std::min(base * 2, std::chrono::milliseconds(1000));
        }
        backoff.reset();
        CHECK(backoff.next() <= 100ms);
    }
}

TEST_CASE("backoff jitter spreads retries", "[uploader][unit]") {
    std::set<long long> seen;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        Backoff backoff(10s, 300s, seed);
        seen.insert(backoff.next().count());
    }
    CHECK(seen.size() > 10);
}

TEST_CASE("backoff survives many failures without overflow", "[uploader][unit]") {
    Backoff backoff(1ms, 300'000ms, 7);
    std::chrono::milliseconds d{};
    for (int i = 0; i < 1000; ++i) d = backoff.next();
    CHECK(d >= 150'000ms);
    CHECK(d <= 300'000ms);
}

TEST_CASE("key_hint shows the tenant and 4 characters of the secret only", "[uploader][unit]") {
    const std::string key =
        "pmk.0b8e7f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b.c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I";
    const auto hint = printmon::uploader::key_hint(key);
    CHECK(hint == "pmk.0b8e7f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b.c2Vj…");
    CHECK(hint.find("c2VjcmV0") == std::string::npos);
    CHECK(printmon::uploader::key_hint("") == "<none>");
    CHECK(printmon::uploader::key_hint("not-a-pmk-key-at-all") == "no…");
}
