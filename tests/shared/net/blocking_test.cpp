// run_blocking: work runs on the pool, the coroutine resumes on its own executor.
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

#include "printmon/net/blocking.hpp"

using namespace printmon::net;

namespace {

struct Observed {
    std::thread::id pool_thread;
    std::thread::id resumed_thread;
    int value = 0;
    bool caught = false;
};

Awaitable<void> exercise(BlockingPool& pool, Observed& seen) {
    auto record = [&seen] { seen.pool_thread = std::this_thread::get_id(); };
    co_await run_blocking(pool, record);
    auto compute = [] { return 21 * 2; };
    seen.value = co_await run_blocking(pool, compute);
    seen.resumed_thread = std::this_thread::get_id();
    auto fail = []() -> int { throw std::runtime_error("db down"); };
    try {
        co_await run_blocking(pool, fail);
    } catch (const std::runtime_error&) {
        seen.caught = true;
    }
}

}  // namespace

TEST_CASE("run_blocking runs on the pool and resumes on the caller's executor", "[net]") {
    asio::io_context ioc;
    BlockingPool pool(1);
    Observed seen;
    bool finished = false;
    asio::co_spawn(ioc, exercise(pool, seen),
                   [&finished](std::exception_ptr e) { finished = e == nullptr; });
    ioc.run();  // on this thread
    pool.join();
    CHECK(finished);
    CHECK(seen.value == 42);
    CHECK(seen.caught);
    CHECK(seen.pool_thread != std::this_thread::get_id());
    CHECK(seen.resumed_thread == std::this_thread::get_id());
}
