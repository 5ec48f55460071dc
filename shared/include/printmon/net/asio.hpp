#pragma once
// The one way into Asio and Beast for printmon code (STYLE.md §4, §9).
//
// Rationale: Boost 1.74's awaitable.hpp uses std::exchange without including <utility>, and the
// library is built with BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION
// (compiled once in printmon::net's asio_impl.cpp), so every TU must see the same headers in the
// same order. Domain code should not need this header: Request/Response/Router/Server/HttpClient
// are Beast-free. Include it only where coroutines or sockets are written.

#include <utility>  // must precede Asio (see above)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace printmon::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

/// A coroutine on Asio's default executor.
template <class T>
using Awaitable = boost::asio::awaitable<T>;

}  // namespace printmon::net
