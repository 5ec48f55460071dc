#pragma once
// Runs blocking work (libpqxx, file I/O) on a thread pool and co_awaits the result, so I/O
// threads never block (STYLE.md §4).

#include <exception>
#include <type_traits>
#include <utility>

#include "printmon/net/asio.hpp"

namespace printmon::net {

/// A small pool for blocking work; size it to the number of DB connections.
using BlockingPool = boost::asio::thread_pool;

/// `Response r = co_await run_blocking(pool, [&] { return repo.load(id); });`
/// Runs `fn` on `pool`, then resumes the caller on its own executor. An exception thrown by `fn`
/// is rethrown in the caller. The result type must be default-constructible and movable (Asio
/// 1.74's co_spawn completion passes a value even when it carries an exception).
/// Captured references must stay valid until the co_await completes: they do when they point
/// into the awaiting coroutine's frame.
template <class F>
Awaitable<std::invoke_result_t<F&>> run_blocking(BlockingPool& pool, F fn) {
    using Result = std::invoke_result_t<F&>;
    // Rationale: the lambda is built before the co_await statement (g++ 12 double-frees
    // capturing lambdas created inside a co_await expression).
    if constexpr (std::is_void_v<Result>) {
        auto task = [fn = std::move(fn)]() mutable -> Awaitable<void> {
            fn();
            co_return;
        };
        co_await asio::co_spawn(pool.get_executor(), std::move(task), asio::use_awaitable);
    } else {
        auto task = [fn = std::move(fn)]() mutable -> Awaitable<Result> { co_return fn(); };
        co_return co_await asio::co_spawn(pool.get_executor(), std::move(task),
                                          asio::use_awaitable);
    }
}

}  // namespace printmon::net
