#include "fault_support.hpp"

#include <array>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "beast_response.hpp"
#include "printmon/net/asio.hpp"

namespace printmon::net::test {
namespace {

constexpr std::size_t kOversize = std::size_t{64} << 20;

asio::ssl::context server_context(const TlsFiles& files) {
    asio::ssl::context ctx(asio::ssl::context::tls_server);
    ctx.use_certificate_chain_file(files.cert);
    ctx.use_private_key_file(files.key, asio::ssl::context::pem);
    return ctx;
}

// Case-insensitive "content-length: N" in a raw request header; 0 when absent.
std::size_t content_length(const std::string& head) {
    std::string lower = head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower.find("\r\ncontent-length:");
    if (at == std::string::npos) return 0;
    return static_cast<std::size_t>(std::stoull(lower.substr(at + 17)));
}

// Reads until the peer leaves (EOF, reset, or the stream is closed by the destructor).
template <class Stream>
Awaitable<void> wait_for_peer(Stream& stream) {
    std::array<char, 4096> sink{};
    boost::system::error_code ec;
    while (!ec) {
        co_await stream.async_read_some(asio::buffer(sink),
                                        asio::redirect_error(asio::use_awaitable, ec));
    }
}

template <class Stream>
Awaitable<bool> write(Stream& stream, std::string_view data) {
    boost::system::error_code ec;
    co_await asio::async_write(stream, asio::buffer(data.data(), data.size()),
                               asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
}

}  // namespace

std::string_view to_string(Misbehaviour what) {
    switch (what) {
        case Misbehaviour::kCloseAfterAccept:
            return "close after accept";
        case Misbehaviour::kGarbageInsteadOfTls:
            return "garbage instead of TLS";
        case Misbehaviour::kCloseAfterTlsHandshake:
            return "close after the TLS handshake";
        case Misbehaviour::kCloseAfterHeader:
            return "close after reading the request header";
        case Misbehaviour::kResetAfterHeader:
            return "reset after reading the request header";
        case Misbehaviour::kCloseAfterHalfBody:
            return "close after half the request body";
        case Misbehaviour::kSilent:
            return "never answers";
        case Misbehaviour::kHalfHeaderStall:
            return "half a response header, then stalls";
        case Misbehaviour::kTrickle:
            return "answers one byte every 50 ms";
        case Misbehaviour::kMalformedStatusLine:
            return "malformed status line";
        case Misbehaviour::kShortBody:
            return "Content-Length larger than the body";
        case Misbehaviour::kOversizedHeader:
            return "oversized response header";
        case Misbehaviour::kOversizedBody:
            return "oversized response body";
        case Misbehaviour::kOversizedChunked:
            return "oversized chunked body";
        case Misbehaviour::kBrokenChunked:
            return "chunked encoding broken mid-way";
        case Misbehaviour::kTruncatedChunked:
            return "chunked body cut before the last chunk";
    }
    return "?";
}

std::string_view to_string(FaultAction action) {
    switch (action) {
        case FaultAction::kClose:
            return "close";
        case FaultAction::kReset:
            return "reset";
        case FaultAction::kStall:
            return "stall";
    }
    return "?";
}

std::string partial_client_hello() {
    // Record header: handshake (0x16), TLS 1.0 record version, length 512; then the handshake
    // header: ClientHello (1), length 508, client_version TLS 1.2, and 8 bytes of "random".
    const std::array<unsigned char, 20> bytes = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00,
                                                 0x01, 0xfc, 0x03, 0x03, 1,    2,    3,
                                                 4,    5,    6,    7,    8,    9};
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// ---------------------------------------------------------------------------------------------

struct MisbehavingServer::Impl {
    Misbehaviour what;
    // Declared before the io_context: the coroutine frames it destroys may hold TLS streams.
    std::optional<asio::ssl::context> tls;
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::thread thread;
    std::atomic<std::size_t> accepted{0};
    std::atomic<std::size_t> open{0};

    struct OpenGuard {
        std::atomic<std::size_t>& n;
        explicit OpenGuard(std::atomic<std::size_t>& count) : n(count) { ++n; }
        ~OpenGuard() { --n; }
        OpenGuard(const OpenGuard&) = delete;
        OpenGuard& operator=(const OpenGuard&) = delete;
    };

    template <class Stream>
    Awaitable<void> behave(Stream& stream, tcp::socket& socket) {
        boost::system::error_code ec;
        std::string head;
        const std::size_t header_bytes =
            co_await asio::async_read_until(stream, asio::dynamic_buffer(head), "\r\n\r\n",
                                            asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        if (what == Misbehaviour::kCloseAfterHeader) co_return;
        if (what == Misbehaviour::kResetAfterHeader) {
            socket.set_option(asio::socket_base::linger(true, 0), ec);
            co_return;
        }
        const std::size_t length = content_length(head.substr(0, header_bytes));
        std::string body = head.substr(header_bytes);
        const std::size_t wanted = what == Misbehaviour::kCloseAfterHalfBody ? length / 2 : length;
        if (body.size() < wanted) {
            co_await asio::async_read(stream, asio::dynamic_buffer(body),
                                      asio::transfer_exactly(wanted - body.size()),
                                      asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
        }
        switch (what) {
            case Misbehaviour::kCloseAfterHalfBody:
                co_return;
            case Misbehaviour::kSilent:
                co_await wait_for_peer(stream);
                co_return;
            case Misbehaviour::kHalfHeaderStall:
                if (co_await write(stream, "HTTP/1.1 200 OK\r\nContent-Le")) {
                    co_await wait_for_peer(stream);
                }
                co_return;
            case Misbehaviour::kTrickle: {
                const std::string answer =
                    "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'x');
                asio::steady_timer timer(stream.get_executor());
                for (char c : answer) {
                    if (!co_await write(stream, std::string_view(&c, 1))) co_return;
                    timer.expires_after(50ms);
                    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                }
                co_return;
            }
            case Misbehaviour::kMalformedStatusLine:
                co_await write(stream, "HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n");
                co_return;
            case Misbehaviour::kShortBody:
                co_await write(stream, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"status\"");
                co_return;
            case Misbehaviour::kOversizedHeader:
                co_await write(stream, "HTTP/1.1 200 OK\r\nX-Big: " + std::string(100 * 1024, 'h') +
                                           "\r\nContent-Length: 0\r\n\r\n");
                co_return;
            case Misbehaviour::kOversizedBody: {
                if (!co_await write(
                        stream,
                        fmt::format("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", kOversize))) {
                    co_return;
                }
                const std::string slice(64 * 1024, 'b');
                for (std::size_t sent = 0; sent < kOversize; sent += slice.size()) {
                    if (!co_await write(stream, slice)) co_return;
                }
                co_return;
            }
            case Misbehaviour::kOversizedChunked: {
                if (!co_await write(stream,
                                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) {
                    co_return;
                }
                const std::string chunk = "10000\r\n" + std::string(0x10000, 'c') + "\r\n";
                for (std::size_t sent = 0; sent < kOversize; sent += 0x10000) {
                    if (!co_await write(stream, chunk)) co_return;
                }
                co_await write(stream, "0\r\n\r\n");
                co_return;
            }
            case Misbehaviour::kBrokenChunked:
                if (co_await write(stream,
                                   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   "5\r\n{\"sta\r\nZZ\r\ntus\"\r\n0\r\n\r\n")) {
                    co_await wait_for_peer(stream);
                }
                co_return;
            case Misbehaviour::kTruncatedChunked:
                co_await write(stream,
                               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "5\r\n{\"sta\r\n");
                co_return;
            default:
                co_return;
        }
    }

    Awaitable<void> serve(tcp::socket socket) {
        const OpenGuard guard(open);
        boost::system::error_code ec;
        if (what == Misbehaviour::kCloseAfterAccept) co_return;
        if (!tls) {
            co_await behave(socket, socket);
            socket.shutdown(tcp::socket::shutdown_both, ec);
            co_return;
        }
        if (what == Misbehaviour::kGarbageInsteadOfTls) {
            std::array<char, 16> hello{};
            co_await socket.async_read_some(asio::buffer(hello),
                                            asio::redirect_error(asio::use_awaitable, ec));
            co_await write(socket, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            co_return;
        }
        asio::ssl::stream<tcp::socket&> stream(socket, *tls);
        co_await stream.async_handshake(asio::ssl::stream_base::server,
                                        asio::redirect_error(asio::use_awaitable, ec));
        if (ec || what == Misbehaviour::kCloseAfterTlsHandshake) co_return;
        co_await behave(stream, socket);
        // No close_notify on purpose for the cutting cases: they end as a TCP close.
    }

    Awaitable<void> accept_loop() {
        for (;;) {
            boost::system::error_code ec;
            tcp::socket socket =
                co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            ++accepted;
            asio::co_spawn(ioc, serve(std::move(socket)), asio::detached);
        }
    }
};

MisbehavingServer::MisbehavingServer(Misbehaviour what, std::optional<TlsFiles> tls)
    : impl_(std::make_unique<Impl>()) {
    impl_->what = what;
    if (tls) impl_->tls.emplace(server_context(*tls));
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

MisbehavingServer::~MisbehavingServer() {
    impl_->ioc.stop();
    impl_->thread.join();
}

std::uint16_t MisbehavingServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string MisbehavingServer::url(const std::string& target) const {
    return fmt::format("{}://127.0.0.1:{}{}", impl_->tls ? "https" : "http", port(), target);
}

std::size_t MisbehavingServer::accepted() const { return impl_->accepted; }
std::size_t MisbehavingServer::open() const { return impl_->open; }

// ---------------------------------------------------------------------------------------------

struct FaultProxy::Impl {
    std::uint16_t target;
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::thread thread;
    mutable std::mutex mutex;
    struct Fault {
        FaultDirection direction;
        std::size_t operation;
        FaultAction action;
    };
    std::optional<Fault> armed;
    std::vector<std::string> trace;  // of the latest connection
    bool fired = false;
    std::uint64_t generation = 0;  // the latest connection

    // Both sockets of one proxied connection and its operation counter (one io thread).
    struct Link {
        tcp::socket client;
        tcp::socket server;
        std::array<std::size_t, 2> next_op{};  // per direction
        std::optional<Fault> fault;
        std::uint64_t generation = 0;
        bool stalled = false;
        Link(tcp::socket c, tcp::socket s) : client(std::move(c)), server(std::move(s)) {}
    };

    void record(const Link& link, std::string entry, bool fault) {
        std::lock_guard lock(mutex);
        if (link.generation != generation) return;
        trace.push_back(std::move(entry));
        if (fault) fired = true;
    }

    Awaitable<void> pump(std::shared_ptr<Link> link, bool upstream) {
        tcp::socket& from = upstream ? link->client : link->server;
        tcp::socket& to = upstream ? link->server : link->client;
        std::array<char, 16 * 1024> data{};
        boost::system::error_code ec;
        for (;;) {
            const std::size_t n = co_await from.async_read_some(
                asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
            if (ec || link->stalled) break;
            const auto direction = upstream ? FaultDirection::kToServer : FaultDirection::kToClient;
            const std::size_t op = link->next_op[upstream ? 0 : 1]++;
            const bool fault =
                link->fault && link->fault->direction == direction && link->fault->operation == op;
            record(*link, fmt::format("{} {}{}", upstream ? "c>s" : "s>c", n, fault ? " !" : ""),
                   fault);
            if (fault) {
                switch (link->fault->action) {
                    case FaultAction::kReset:
                        link->client.set_option(asio::socket_base::linger(true, 0), ec);
                        link->server.set_option(asio::socket_base::linger(true, 0), ec);
                        [[fallthrough]];
                    case FaultAction::kClose:
                        link->client.close(ec);
                        link->server.close(ec);
                        co_return;
                    case FaultAction::kStall:
                        link->stalled = true;
                        // Keep both sockets open (the Link lives in this frame and the other
                        // pump's) until a peer leaves or the proxy is destroyed.
                        co_await wait_for_peer(from);
                        co_return;
                }
            }
            co_await asio::async_write(to, asio::buffer(data.data(), n),
                                       asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
        }
        if (link->stalled) {
            co_await wait_for_peer(from);
            co_return;
        }
        to.shutdown(tcp::socket::shutdown_send, ec);
    }

    Awaitable<void> accept_loop() {
        for (;;) {
            boost::system::error_code ec;
            tcp::socket client =
                co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            tcp::socket server(ioc);
            co_await server.async_connect(
                tcp::endpoint(asio::ip::make_address("127.0.0.1"), target),
                asio::redirect_error(asio::use_awaitable, ec));
            if (ec) continue;
            auto link = std::make_shared<Link>(std::move(client), std::move(server));
            {
                std::lock_guard lock(mutex);
                link->fault = armed;
                link->generation = ++generation;
                trace.clear();
                fired = false;
            }
            asio::co_spawn(ioc, pump(link, true), asio::detached);
            asio::co_spawn(ioc, pump(link, false), asio::detached);
        }
    }
};

FaultProxy::FaultProxy(std::uint16_t target_port) : impl_(std::make_unique<Impl>()) {
    impl_->target = target_port;
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

FaultProxy::~FaultProxy() {
    impl_->ioc.stop();
    impl_->thread.join();
}

std::uint16_t FaultProxy::port() const { return impl_->acceptor.local_endpoint().port(); }

void FaultProxy::arm(FaultDirection direction, std::size_t operation, FaultAction action) {
    std::lock_guard lock(impl_->mutex);
    impl_->armed = Impl::Fault{direction, operation, action};
}

void FaultProxy::disarm() {
    std::lock_guard lock(impl_->mutex);
    impl_->armed.reset();
}

std::vector<std::string> FaultProxy::last_trace() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->trace;
}

bool FaultProxy::fired() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->fired;
}

// ---------------------------------------------------------------------------------------------

struct FaultClient::Impl {
    asio::io_context ioc;
    asio::ssl::context tls_ctx{asio::ssl::context::tls_client};
    tcp::socket socket{ioc};
    std::optional<asio::ssl::stream<tcp::socket&>> tls;
    beast::flat_buffer buffer;
    bool is_connected = false;
    bool handshake_done = false;

    // Runs the started operation until `done` or the deadline; on timeout cancels it and
    // waits for its handler, so nothing refers to the caller's frame afterwards.
    bool run(const bool& done, std::chrono::milliseconds timeout) {
        ioc.restart();
        ioc.run_for(timeout);
        if (done) return true;
        boost::system::error_code ec;
        socket.cancel(ec);
        ioc.restart();
        ioc.run();
        return false;
    }

    template <class Fn>
    auto with_stream(Fn&& fn) {
        if (tls) return fn(*tls);
        return fn(socket);
    }
};

FaultClient::FaultClient(std::uint16_t port, bool tls) : impl_(std::make_unique<Impl>()) {
    boost::system::error_code ec;
    impl_->socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    impl_->is_connected = !ec;
    if (!tls || ec) return;
    impl_->tls_ctx.set_verify_mode(asio::ssl::verify_none);
    impl_->tls.emplace(impl_->socket, impl_->tls_ctx);
    bool done = false;
    impl_->tls->async_handshake(asio::ssl::stream_base::client,
                                [&](boost::system::error_code result) {
                                    done = true;
                                    ec = result;
                                });
    impl_->handshake_done = impl_->run(done, 3s) && !ec;
}

FaultClient::~FaultClient() = default;

bool FaultClient::connected() const { return impl_->is_connected; }
bool FaultClient::handshake_ok() const { return impl_->handshake_done; }

bool FaultClient::send(std::string_view data, std::chrono::milliseconds timeout) {
    bool done = false;
    boost::system::error_code result;
    impl_->with_stream([&](auto& stream) {
        asio::async_write(stream, asio::buffer(data.data(), data.size()),
                          [&](boost::system::error_code ec, std::size_t) {
                              done = true;
                              result = ec;
                          });
    });
    return impl_->run(done, timeout) && !result;
}

std::optional<ClientResponse> FaultClient::read_response(std::chrono::milliseconds timeout) {
    bool done = false;
    boost::system::error_code result;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{64} << 20);
    impl_->with_stream([&](auto& stream) {
        http::async_read(stream, impl_->buffer, parser,
                         [&](boost::system::error_code ec, std::size_t) {
                             done = true;
                             result = ec;
                         });
    });
    if (!impl_->run(done, timeout) || result) return std::nullopt;
    return to_client_response(parser.release());
}

bool FaultClient::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::array<char, 4096> sink{};
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) return false;
        bool done = false;
        boost::system::error_code result;
        impl_->with_stream([&](auto& stream) {
            stream.async_read_some(asio::buffer(sink),
                                   [&](boost::system::error_code ec, std::size_t) {
                                       done = true;
                                       result = ec;
                                   });
        });
        if (!impl_->run(done, left)) return false;
        if (result) return true;  // eof, reset, close_notify or truncation
    }
}

void FaultClient::reset() {
    boost::system::error_code ec;
    impl_->socket.set_option(asio::socket_base::linger(true, 0), ec);
    impl_->socket.close(ec);
}

void FaultClient::shutdown_send() {
    boost::system::error_code ec;
    impl_->socket.shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace printmon::net::test
