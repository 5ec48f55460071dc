#include "net_test_support.hpp"

#include <array>
#include <cstdlib>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <fmt/format.h>

#include "beast_response.hpp"
#include "printmon/net/asio.hpp"
#include "state.hpp"

namespace printmon::net::test {

std::string gzip_zeros(std::size_t size) {
    z_stream z{};
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("deflateInit2");
    }
    const std::vector<unsigned char> zeros(std::size_t{1} << 20, 0);
    std::array<unsigned char, 64 * 1024> chunk{};
    std::string out;
    std::size_t left = size;
    int rc = Z_OK;
    do {
        const std::size_t n = std::min(left, zeros.size());
        left -= n;
        // zlib is not const-correct; it does not write through next_in.
        z.next_in = const_cast<Bytef*>(zeros.data());
        z.avail_in = static_cast<uInt>(n);
        const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
        do {
            z.next_out = chunk.data();
            z.avail_out = static_cast<uInt>(chunk.size());
            rc = deflate(&z, flush);
            out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size() - z.avail_out);
        } while (z.avail_out == 0);
    } while (left > 0);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
    return out;
}

long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

TestPki::TestPki(const std::string& server_san) {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("printmon-net-pki-{:08x}{:08x}", random(), random());
    std::string command =
        fmt::format("'{}/tests/support/test_ca' '{}'", printmon::test::source_dir(), dir_.string());
    if (!server_san.empty()) command += fmt::format(" '{}'", server_san);
    if (std::system(command.c_str()) != 0) {
        throw std::runtime_error("test_ca failed: " + command);
    }
}

TestPki::~TestPki() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

// ---------------------------------------------------------------------------------------------

struct RawClient::Impl {
    asio::io_context ioc;
    tcp::socket socket{ioc};
    beast::flat_buffer buffer;
    bool is_connected = false;

    // Runs the started operation until `done` or the deadline; on timeout cancels it and
    // waits for its handler, so nothing refers to this frame afterwards.
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
};

RawClient::RawClient(std::uint16_t port, const std::string& from)
    : impl_(std::make_unique<Impl>()) {
    boost::system::error_code ec;
    if (!from.empty()) {
        impl_->socket.open(tcp::v4(), ec);
        if (!ec) impl_->socket.bind(tcp::endpoint(asio::ip::make_address(from), 0), ec);
        if (ec) return;
    }
    impl_->socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    impl_->is_connected = !ec;
}

RawClient::~RawClient() = default;

bool RawClient::connected() const { return impl_->is_connected; }

bool RawClient::send(std::string_view data, std::chrono::milliseconds timeout) {
    bool done = false;
    boost::system::error_code result;
    asio::async_write(impl_->socket, asio::buffer(data.data(), data.size()),
                      [&](boost::system::error_code ec, std::size_t) {
                          done = true;
                          result = ec;
                      });
    return impl_->run(done, timeout) && !result;
}

std::optional<ClientResponse> RawClient::read_response(std::chrono::milliseconds timeout) {
    bool done = false;
    boost::system::error_code result;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{64} << 20);
    http::async_read(impl_->socket, impl_->buffer, parser,
                     [&](boost::system::error_code ec, std::size_t) {
                         done = true;
                         result = ec;
                     });
    if (!impl_->run(done, timeout) || result) return std::nullopt;
    return to_client_response(parser.release());
}

bool RawClient::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::array<char, 4096> sink{};
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) return false;
        bool done = false;
        boost::system::error_code result;
        impl_->socket.async_read_some(asio::buffer(sink),
                                      [&](boost::system::error_code ec, std::size_t) {
                                          done = true;
                                          result = ec;
                                      });
        if (!impl_->run(done, left)) return false;
        if (result) return true;  // eof or reset
    }
}

// ---------------------------------------------------------------------------------------------

namespace {

// Copies one direction of a tunnel until either side closes.
Awaitable<void> pump(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
    std::array<char, 16 * 1024> data{};
    boost::system::error_code ec;
    for (;;) {
        const std::size_t n = co_await from->async_read_some(
            asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        co_await asio::async_write(*to, asio::buffer(data.data(), n),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
    }
    to->shutdown(tcp::socket::shutdown_send, ec);
}

// Accepts connections until the acceptor closes, each served by `handle`'s coroutine.
template <class Handle>
Awaitable<void> accept_each(tcp::acceptor& acceptor, asio::io_context& ioc, Handle handle) {
    for (;;) {
        boost::system::error_code ec;
        tcp::socket socket =
            co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        asio::co_spawn(ioc, handle(std::move(socket)), asio::detached);
    }
}

// Listens on 127.0.0.1:<ephemeral> and runs the helper's accept loop on its own thread.
template <class Impl>
void run_on_loopback(Impl& impl) {
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    impl.acceptor.open(endpoint.protocol());
    impl.acceptor.bind(endpoint);
    impl.acceptor.listen();
    asio::co_spawn(impl.ioc, impl.accept_loop(), asio::detached);
    impl.thread = std::thread([&impl] { impl.ioc.run(); });
}

}  // namespace

struct ConnectProxy::Impl {
    std::vector<std::uint16_t> allowed;
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::thread thread;
    mutable std::mutex mutex;
    std::vector<std::string> seen;

    Awaitable<void> tunnel(tcp::socket client_socket) {
        auto client = std::make_shared<tcp::socket>(std::move(client_socket));
        boost::system::error_code ec;
        std::string head;
        const std::size_t n =
            co_await asio::async_read_until(*client, asio::dynamic_buffer(head), "\r\n\r\n",
                                            asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        // "CONNECT host:port HTTP/1.1"
        const std::string line = head.substr(0, head.find("\r\n"));
        const auto sp1 = line.find(' ');
        const auto sp2 = line.find(' ', sp1 + 1);
        const std::string method = line.substr(0, sp1);
        const std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
        {
            std::lock_guard lock(mutex);
            seen.push_back(target);
        }
        const auto colon = target.rfind(':');
        const std::string host = target.substr(0, colon);
        const auto port = static_cast<std::uint16_t>(std::stoi(target.substr(colon + 1)));
        const bool ok = method == "CONNECT" && n == head.size() &&
                        std::find(allowed.begin(), allowed.end(), port) != allowed.end();
        if (!ok) {
            const std::string refusal =
                "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            co_await asio::async_write(*client, asio::buffer(refusal),
                                       asio::redirect_error(asio::use_awaitable, ec));
            co_return;
        }
        auto upstream = std::make_shared<tcp::socket>(ioc);
        co_await upstream->async_connect(tcp::endpoint(asio::ip::make_address(host), port),
                                         asio::redirect_error(asio::use_awaitable, ec));
        const std::string answer = ec ? "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"
                                      : "HTTP/1.1 200 Connection established\r\n\r\n";
        co_await asio::async_write(*client, asio::buffer(answer),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !upstream->is_open()) co_return;
        asio::co_spawn(ioc, pump(client, upstream), asio::detached);
        asio::co_spawn(ioc, pump(upstream, client), asio::detached);
    }

    Awaitable<void> accept_loop() {
        return accept_each(acceptor, ioc, [this](tcp::socket s) { return tunnel(std::move(s)); });
    }
};

ConnectProxy::ConnectProxy(std::vector<std::uint16_t> allowed_ports)
    : impl_(std::make_unique<Impl>()) {
    impl_->allowed = std::move(allowed_ports);
    run_on_loopback(*impl_);
}

ConnectProxy::~ConnectProxy() {
    impl_->ioc.stop();
    impl_->thread.join();
}

std::uint16_t ConnectProxy::port() const { return impl_->acceptor.local_endpoint().port(); }

std::vector<std::string> ConnectProxy::targets() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->seen;
}

// ---------------------------------------------------------------------------------------------

namespace {

// The address's bytes and whether it is IPv6.
std::pair<std::string, bool> address_octets(const std::string& text) {
    std::array<char, 16> raw{};
    if (inet_pton(AF_INET, text.c_str(), raw.data()) == 1)
        return {std::string(raw.data(), 4), false};
    if (inet_pton(AF_INET6, text.c_str(), raw.data()) == 1) {
        return {std::string(raw.data(), 16), true};
    }
    throw std::invalid_argument("not an address: " + text);
}

std::string big_endian16(std::size_t value) {
    return {static_cast<char>((value >> 8U) & 0xFFU), static_cast<char>(value & 0xFFU)};
}

}  // namespace

std::string proxy_v1_header(const std::string& client, std::uint16_t client_port) {
    const bool v6 = address_octets(client).second;
    return fmt::format("PROXY {} {} {} {} 443\r\n", v6 ? "TCP6" : "TCP4", client,
                       v6 ? "::1" : "127.0.0.1", client_port);
}

std::string proxy_v2_header(const std::string& client, std::uint16_t client_port, bool local) {
    std::string out("\r\n\r\n\0\r\nQUIT\n", 12);
    if (local) {
        out += '\x20';  // version 2, LOCAL
        out += '\x00';  // UNSPEC
        return out + big_endian16(0);
    }
    const auto [source, v6] = address_octets(client);
    const std::string destination =
        v6 ? std::string(15, '\0') + '\x01' : std::string("\x7f\0\0\x01", 4);
    out += '\x21';                // version 2, PROXY
    out += v6 ? '\x21' : '\x11';  // INET6 or INET, STREAM
    const std::string body = source + destination + big_endian16(client_port) + big_endian16(443);
    return out + big_endian16(body.size()) + body;
}

struct ProxyProtocolBalancer::Impl {
    std::uint16_t upstream_port = 0;
    std::string client;
    std::string from;
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::thread thread;

    Awaitable<void> forward(tcp::socket client_socket) {
        auto downstream = std::make_shared<tcp::socket>(std::move(client_socket));
        auto upstream = std::make_shared<tcp::socket>(ioc);
        boost::system::error_code ec;
        upstream->open(tcp::v4(), ec);
        upstream->bind(tcp::endpoint(asio::ip::make_address(from), 0), ec);
        if (ec) co_return;
        co_await upstream->async_connect(
            tcp::endpoint(asio::ip::make_address("127.0.0.1"), upstream_port),
            asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        const auto header = proxy_v2_header(client, downstream->remote_endpoint(ec).port());
        co_await asio::async_write(*upstream, asio::buffer(header),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        asio::co_spawn(ioc, pump(downstream, upstream), asio::detached);
        asio::co_spawn(ioc, pump(upstream, downstream), asio::detached);
    }

    Awaitable<void> accept_loop() {
        return accept_each(acceptor, ioc, [this](tcp::socket s) { return forward(std::move(s)); });
    }
};

ProxyProtocolBalancer::ProxyProtocolBalancer(std::uint16_t upstream_port, std::string client,
                                             std::string from)
    : impl_(std::make_unique<Impl>()) {
    impl_->upstream_port = upstream_port;
    impl_->client = std::move(client);
    impl_->from = std::move(from);
    run_on_loopback(*impl_);
}

ProxyProtocolBalancer::~ProxyProtocolBalancer() {
    impl_->ioc.stop();
    impl_->thread.join();
}

std::uint16_t ProxyProtocolBalancer::port() const {
    return impl_->acceptor.local_endpoint().port();
}

// ---------------------------------------------------------------------------------------------

namespace {

// Binds a TCP socket to 127.0.0.1:0; returns the fd and the port.
std::pair<int, std::uint16_t> bind_loopback() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    // The sockets API takes sockaddr*: the cast is the documented way to pass sockaddr_in.
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(fd);
        throw std::runtime_error("bind() failed");
    }
    return {fd, ntohs(address.sin_port)};
}

}  // namespace

ClosedPort::ClosedPort() { std::tie(fd_, port_) = bind_loopback(); }
ClosedPort::~ClosedPort() { ::close(fd_); }

SilentPort::SilentPort() {
    std::tie(fd_, port_) = bind_loopback();
    if (::listen(fd_, 16) != 0) {
        ::close(fd_);
        throw std::runtime_error("listen() failed");
    }
}
SilentPort::~SilentPort() { ::close(fd_); }

}  // namespace printmon::net::test
