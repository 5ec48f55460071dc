// HTTP/1.1 server: one coroutine per connection on its own strand, handlers on a blocking pool.
#include "printmon/net/server.hpp"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "printmon/common/logging.hpp"
#include "printmon/net/asio.hpp"
#include "printmon/net/blocking.hpp"
#include "printmon/net/gzip.hpp"
#include "printmon/net/proxy_protocol.hpp"

namespace printmon::net {
namespace {

using namespace std::chrono_literals;

// Connections refused with 503 are served too (read the request, answer, close) so that the
// client sees the status instead of a reset; this bounds how many of those run at once.
constexpr std::size_t kMinOverloadSlots = 16;
// After answering and shutting down our side, drain what the client still sends for a moment,
// so that closing with unread data does not reset the connection before it reads the answer.
constexpr auto kLingerTime = 1s;
constexpr std::size_t kLingerMaxBytes = 1 << 20;
constexpr auto kTlsShutdownTimeout = 2s;

struct Expired {};

// Beast 1.74's string_view is boost::string_view, which does not convert to std::string_view.
std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && !CaseInsensitiveLess{}(a, b) && !CaseInsensitiveLess{}(b, a);
}

std::string peer_subject(SSL* ssl) {
    // SSL_get1_peer_certificate: OpenSSL 3 name; the reference is ours to free.
    std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl), &X509_free);
    if (!cert) return {};
    std::array<char, 512> buffer{};
    X509_NAME_oneline(X509_get_subject_name(cert.get()), buffer.data(),
                      static_cast<int>(buffer.size()));
    return std::string(buffer.data());
}

template <class Stream>
beast::tcp_stream& lowest(Stream& stream) {
    return beast::get_lowest_layer(stream);
}

}  // namespace

struct Server::Impl {
    struct Connection {
        std::function<void()> close;  // runs on the connection's strand
        bool idle = true;             // waiting for a request header
        bool refused = false;         // served only to answer 503
        std::string address;          // the client's, counted in per_address while served
    };

    ServerOptions options;
    Router router;
    std::shared_ptr<spdlog::logger> log = common::get_logger("net.server");

    mutable std::mutex mutex;
    std::condition_variable drained;
    std::map<std::uint64_t, Connection> connections;
    std::size_t served = 0;                          // connections not refused
    std::map<std::string, std::size_t> per_address;  // served connections by client address
    std::size_t refused = 0;
    std::uint64_t next_id = 0;
    bool stopping = false;
    bool started = false;
    bool stopped = false;
    std::uint16_t bound_port = 0;
    std::vector<std::thread> threads;

    std::optional<asio::ssl::context> tls;
    NetworkList proxies;  // peers that may send a PROXY protocol header
    // Declaration order is destruction order in reverse: the acceptor goes before the
    // io_context it belongs to, the pool (whose tasks hold work on the io_context) before it.
    asio::io_context ioc;
    BlockingPool blocking;
    asio::strand<asio::io_context::executor_type> accept_strand;
    tcp::acceptor acceptor;

    Impl(ServerOptions opts, Router r)
        : options(std::move(opts)),
          router(std::move(r)),
          proxies(options.proxy_protocol_from),
          ioc(static_cast<int>(std::max<std::size_t>(options.io_threads, 1))),
          blocking(std::max<std::size_t>(options.blocking_threads, 1)),
          accept_strand(asio::make_strand(ioc)),
          acceptor(accept_strand) {
        if (options.tls) load_tls(*options.tls);
    }

    void load_tls(const ServerTlsOptions& t) {
        tls.emplace(asio::ssl::context::tls_server);
        auto& ctx = *tls;
        ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
        SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
        const auto load = [](const std::string& what, const std::string& file, auto&& fn) {
            boost::system::error_code ec;
            fn(ec);
            if (ec) {
                throw std::runtime_error(
                    fmt::format("tls: cannot load {} '{}': {}", what, file, ec.message()));
            }
        };
        load("certificate chain", t.cert_chain_file,
             [&](auto& ec) { ctx.use_certificate_chain_file(t.cert_chain_file, ec); });
        load("private key", t.private_key_file, [&](auto& ec) {
            ctx.use_private_key_file(t.private_key_file, asio::ssl::context::pem, ec);
        });
        if (!t.client_ca_file.empty()) {
            load("client CA", t.client_ca_file,
                 [&](auto& ec) { ctx.load_verify_file(t.client_ca_file, ec); });
            ctx.set_verify_mode(asio::ssl::verify_peer |
                                (t.require_client_cert ? asio::ssl::verify_fail_if_no_peer_cert
                                                       : asio::ssl::verify_none));
        }
    }

    void start() {
        if (started || stopped) throw std::logic_error("Server::start called twice");
        const tcp::endpoint endpoint(asio::ip::make_address(options.address), options.port);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(asio::socket_base::max_listen_connections);
        bound_port = acceptor.local_endpoint().port();
        auto on_done = [this](const std::exception_ptr& e) { log_exception("accept_loop", e); };
        asio::co_spawn(accept_strand, accept_loop(), std::move(on_done));
        const std::size_t n = std::max<std::size_t>(options.io_threads, 1);
        for (std::size_t i = 0; i < n; ++i) threads.emplace_back([this] { ioc.run(); });
        {
            std::lock_guard lock(mutex);
            started = true;
        }
        log->info("event=listening address={} port={} tls={}", options.address, bound_port,
                  tls.has_value());
    }

    void log_exception(std::string_view where, const std::exception_ptr& e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log->error("event=task_failed task={} error={}", where, common::log_value(ex.what()));
        } catch (...) {
            log->error("event=task_failed task={} error=unknown", where);
        }
    }

    Awaitable<void> accept_loop() {
        for (;;) {
            // Each connection gets its own strand, so stop() can post a close to it safely.
            tcp::socket socket(asio::make_strand(ioc));
            boost::system::error_code ec;
            co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
                // EMFILE and friends: back off briefly instead of spinning.
                log->warn("event=accept_failed error={}", common::log_value(ec.message()));
                asio::steady_timer timer(accept_strand, 100ms);
                co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                continue;
            }
            // Responses are written whole, never byte by byte: without TCP_NODELAY the last
            // segment of a multi-segment answer waits for the client's delayed ACK (~40 ms on
            // Linux) on a kept-alive connection. Best effort: a failure only costs latency.
            socket.set_option(tcp::no_delay(true), ec);
            const auto peer = socket.remote_endpoint(ec);
            if (ec) continue;  // already gone
            std::string address = peer.address().to_string();
            std::uint64_t id = 0;
            bool refuse = false;
            {
                std::lock_guard lock(mutex);
                if (stopping) continue;  // socket closes here
                const auto mine = per_address.find(address);
                const bool address_full = options.max_connections_per_address != 0 &&
                                          mine != per_address.end() &&
                                          mine->second >= options.max_connections_per_address;
                if (served >= options.max_connections || address_full) {
                    const std::size_t slots =
                        std::max(kMinOverloadSlots, options.max_connections / 8);
                    if (refused >= slots) continue;  // beyond even that: just close
                    refuse = true;
                    ++refused;
                } else {
                    ++served;
                    ++per_address[address];
                }
                id = ++next_id;
                auto& connection = connections[id];
                connection.refused = refuse;
                if (!refuse) connection.address = std::move(address);
            }
            auto executor = socket.get_executor();
            auto on_done = [this](const std::exception_ptr& e) { log_exception("connection", e); };
            asio::co_spawn(executor, run_connection(std::move(socket), id, refuse),
                           std::move(on_done));
        }
    }

    // Removes the connection from the registry when its coroutine ends, however it ends.
    struct Registration {
        Impl* impl;
        std::uint64_t id;
        Registration(Impl* owner, std::uint64_t connection_id) : impl(owner), id(connection_id) {}
        Registration(const Registration&) = delete;
        Registration& operator=(const Registration&) = delete;
        ~Registration() {
            std::lock_guard lock(impl->mutex);
            auto it = impl->connections.find(id);
            if (it != impl->connections.end()) {
                if (it->second.refused) {
                    --impl->refused;
                } else {
                    --impl->served;
                    const auto mine = impl->per_address.find(it->second.address);
                    if (mine != impl->per_address.end() && --mine->second == 0) {
                        impl->per_address.erase(mine);
                    }
                }
                impl->connections.erase(it);
            }
            impl->drained.notify_all();
        }
    };

    template <class Stream>
    void set_closer(std::uint64_t id, const std::shared_ptr<Stream>& stream) {
        std::weak_ptr<Stream> weak = stream;
        auto executor = lowest(*stream).get_executor();
        std::lock_guard lock(mutex);
        connections[id].close = [weak, executor] {
            asio::post(executor, [weak] {
                if (auto s = weak.lock()) lowest(*s).close();
            });
        };
    }

    // Marks the connection idle (waiting for the next request) or busy. Returns false when
    // the server is stopping and the connection should not wait for another request.
    bool set_idle(std::uint64_t id, bool idle) {
        std::lock_guard lock(mutex);
        connections[id].idle = idle;
        return !(idle && stopping);
    }

    bool is_stopping() const {
        std::lock_guard lock(mutex);
        return stopping;
    }

    // A balancer's PROXY header named the client: its connection counts against the client's
    // address from now on. Returns true when that address is already at its cap (the
    // connection is then answered 503 like any other over it).
    bool move_to_client(std::uint64_t id, const std::string& address) {
        std::lock_guard lock(mutex);
        auto& connection = connections[id];
        if (connection.refused) return true;
        if (connection.address == address) return false;
        const auto mine = per_address.find(connection.address);
        if (mine != per_address.end() && --mine->second == 0) per_address.erase(mine);
        const auto theirs = per_address.find(address);
        if (options.max_connections_per_address != 0 && theirs != per_address.end() &&
            theirs->second >= options.max_connections_per_address) {
            --served;
            ++refused;
            connection.refused = true;
            connection.address.clear();
            return true;
        }
        ++per_address[address];
        connection.address = address;
        return false;
    }

    // The PROXY protocol header a trusted balancer sends before its client's first byte.
    // Returns the client's endpoint and the bytes read past the header (the client's own, for
    // the TLS handshake or the HTTP parser), or nothing when the connection is to be closed (a
    // broken header, a timeout, the peer gone). A connection without a header keeps the
    // balancer's endpoint and loses no byte.
    struct Prelude {
        tcp::endpoint client;
        std::string rest;
    };
    Awaitable<std::optional<Prelude>> read_proxy_header(beast::tcp_stream& stream,
                                                        tcp::endpoint peer) {
        std::string bytes;
        std::array<char, 512> chunk{};
        stream.expires_after(options.header_timeout);
        for (;;) {
            const auto parsed = parse_proxy_header(bytes);
            if (parsed.status == ProxyParse::Status::not_proxy) {
                co_return Prelude{peer, std::move(bytes)};
            }
            if (parsed.status == ProxyParse::Status::invalid) {
                log->warn("event=proxy_header_refused remote={} error={}",
                          peer.address().to_string(), common::log_value(parsed.error));
                co_return std::nullopt;
            }
            if (parsed.status == ProxyParse::Status::complete) {
                tcp::endpoint client = peer;
                if (!parsed.header.source.empty()) {
                    boost::system::error_code ec;
                    const auto address = asio::ip::make_address(parsed.header.source, ec);
                    if (!ec) client = tcp::endpoint(address, parsed.header.source_port);
                }
                co_return Prelude{client, bytes.substr(parsed.header.length)};
            }
            boost::system::error_code ec;
            const std::size_t n = co_await stream.async_read_some(
                asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return std::nullopt;
            bytes.append(chunk.data(), n);
        }
    }

    // From a trusted balancer: the client behind its PROXY header, or nothing to close.
    Awaitable<std::optional<Prelude>> prelude(beast::tcp_stream& stream, tcp::endpoint peer,
                                              std::uint64_t id, bool& refuse) {
        if (proxies.empty() || !proxies.contains(peer.address().to_string())) {
            co_return Prelude{peer, {}};
        }
        auto got = co_await read_proxy_header(stream, peer);
        if (got && got->client != peer && move_to_client(id, got->client.address().to_string())) {
            refuse = true;
        }
        co_return got;
    }

    Awaitable<void> run_connection(tcp::socket socket, std::uint64_t id, bool refuse) {
        const Registration registration{this, id};
        boost::system::error_code ec;
        tcp::endpoint remote = socket.remote_endpoint(ec);
        if (ec) co_return;  // already gone
        if (tls) {
            auto stream = std::make_shared<beast::ssl_stream<beast::tcp_stream>>(
                beast::tcp_stream(std::move(socket)), *tls);
            set_closer(id, stream);
            auto first = co_await prelude(lowest(*stream), remote, id, refuse);
            if (!first) co_return;
            remote = first->client;
            lowest(*stream).expires_after(options.tls_handshake_timeout);
            if (first->rest.empty()) {
                co_await stream->async_handshake(asio::ssl::stream_base::server,
                                                 asio::redirect_error(asio::use_awaitable, ec));
            } else {
                // The client's first bytes, read while looking for the header.
                co_await stream->async_handshake(asio::ssl::stream_base::server,
                                                 asio::buffer(first->rest),
                                                 asio::redirect_error(asio::use_awaitable, ec));
            }
            if (ec) {
                log->debug("event=tls_handshake_failed remote={} error={}",
                           remote.address().to_string(), common::log_value(ec.message()));
                co_return;
            }
            std::string subject = peer_subject(stream->native_handle());
            std::optional<std::string> client_subject;
            if (!subject.empty()) client_subject = std::move(subject);
            const bool unread =
                co_await serve(*stream, id, remote, refuse, std::move(client_subject));
            if (unread) {
                // An early answer (413, 401) left the body on the wire: read and discard it
                // for a moment, as for plain TCP, so the client reads our answer instead of a
                // reset. TLS cannot half-close, so this drains before the shutdown.
                std::array<char, 4096> sink{};
                std::size_t drained_bytes = 0;
                lowest(*stream).expires_after(kLingerTime);
                while (drained_bytes < kLingerMaxBytes) {
                    const std::size_t n = co_await stream->async_read_some(
                        asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
                    if (ec) break;
                    drained_bytes += n;
                }
                ec = {};
            }
            lowest(*stream).expires_after(kTlsShutdownTimeout);
            co_await stream->async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
        } else {
            auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
            set_closer(id, stream);
            auto first = co_await prelude(*stream, remote, id, refuse);
            if (!first) co_return;
            co_await serve(*stream, id, first->client, refuse, std::nullopt,
                           std::move(first->rest));
            // Lingering close (see kLingerTime).
            stream->socket().shutdown(tcp::socket::shutdown_send, ec);
            if (ec) co_return;
            std::array<char, 4096> sink{};
            std::size_t drained_bytes = 0;
            stream->expires_after(kLingerTime);
            while (drained_bytes < kLingerMaxBytes) {
                const std::size_t n = co_await stream->async_read_some(
                    asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
                if (ec) break;
                drained_bytes += n;
            }
        }
    }

    // Reads the body into `request`, or returns the error response that ends the exchange.
    template <class Stream>
    Awaitable<std::optional<Response>> read_body(Stream& stream, beast::flat_buffer& buffer,
                                                 http::request_parser<http::empty_body>& header,
                                                 const RouteInfo& route, Request& request) {
        const auto& fields = header.get();
        const auto length = header.content_length();
        if (length && *length > route.options.max_body_bytes) {
            co_return error_response(
                413, "payload_too_large",
                fmt::format("request body exceeds {} bytes", route.options.max_body_bytes));
        }
        if (header.is_done()) co_return std::nullopt;  // no body
        if (iequals(sv(fields[http::field::expect]), "100-continue")) {
            http::response<http::empty_body> go_on{http::status::continue_, fields.version()};
            boost::system::error_code ec;
            lowest(stream).expires_after(options.write_timeout);
            co_await http::async_write(stream, go_on,
                                       asio::redirect_error(asio::use_awaitable, ec));
            if (ec) throw Expired{};
        }
        http::request_parser<http::string_body> parser(std::move(header));
        parser.body_limit(route.options.max_body_bytes);
        boost::system::error_code ec;
        lowest(stream).expires_after(options.body_timeout);
        co_await http::async_read(stream, buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
        if (ec == http::error::body_limit) {
            co_return error_response(
                413, "payload_too_large",
                fmt::format("request body exceeds {} bytes", route.options.max_body_bytes));
        }
        if (ec) throw Expired{};  // timeout, eof, malformed chunking: nothing to answer to
        request.body = parser.release().body();
        co_return std::nullopt;
    }

    // True when the body is to be inflated (gzip on a route that takes it): slow work for the
    // blocking pool. Everything else decode_body does is a header check.
    static bool needs_inflating(const RouteInfo& route, const Request& request) {
        const auto encoding = request.header("Content-Encoding");
        return encoding && iequals(*encoding, "gzip") && route.options.accept_gzip;
    }

    // Applies Content-Encoding; returns the error response for unsupported or bad encodings.
    static std::optional<Response> decode_body(const RouteInfo& route, Request& request) {
        const auto encoding = request.header("Content-Encoding");
        if (!encoding || encoding->empty() || iequals(*encoding, "identity")) return std::nullopt;
        if (!iequals(*encoding, "gzip") || !route.options.accept_gzip) {
            return error_response(
                415, "unsupported_encoding",
                fmt::format("content encoding '{}' is not accepted here", *encoding));
        }
        std::size_t cap = route.options.max_inflated_bytes;
        bool by_ratio = false;
        if (const auto ratio = route.options.max_inflate_ratio; ratio != 0) {
            const std::size_t size = request.body.size();
            const std::size_t relative =
                size > cap / ratio ? cap : std::max(kInflateRatioFloor, size * ratio);
            if (relative < cap) {
                cap = relative;
                by_ratio = true;
            }
        }
        auto inflated = gzip_decompress(request.body, cap);
        if (!inflated) {
            if (inflated.error() == GzipError::kTooLarge) {
                return error_response(
                    413, "payload_too_large",
                    by_ratio ? fmt::format("inflated body exceeds {} bytes ({} times its "
                                           "compressed size)",
                                           cap, route.options.max_inflate_ratio)
                             : fmt::format("inflated body exceeds {} bytes", cap));
            }
            return error_response(400, "bad_encoding", "body is not valid gzip");
        }
        request.body = std::move(*inflated);
        request.headers.erase("Content-Encoding");
        request.headers.erase("Content-Length");
        return std::nullopt;
    }

    Response overloaded_response() const {
        Response r = error_response(503, "overloaded", "too many connections; retry later");
        r.headers.insert_or_assign("Retry-After", std::to_string(options.retry_after.count()));
        return r;
    }

    // Returns true when the last exchange ended with a request body left unread.
    template <class Stream>
    Awaitable<bool> serve(Stream& stream, std::uint64_t id, tcp::endpoint remote, bool refuse,
                          std::optional<std::string> client_subject, std::string first_bytes = {}) {
        beast::flat_buffer buffer;
        // Bytes of the request read already (while looking for a PROXY header).
        buffer.commit(
            asio::buffer_copy(buffer.prepare(first_bytes.size()), asio::buffer(first_bytes)));
        for (;;) {
            if (!set_idle(id, true)) co_return false;
            http::request_parser<http::empty_body> header;
            header.header_limit(options.max_header_bytes);
            // The route's limit applies once the route is known (read_body); Beast's default
            // would reject a large Content-Length while reading the header, before routing.
            // (Not boost::none: 1.74 compares `len > optional` and treats none as smallest.)
            header.body_limit(std::numeric_limits<std::uint64_t>::max());
            boost::system::error_code ec;
            lowest(stream).expires_after(
                refuse ? std::min<std::chrono::milliseconds>(options.header_timeout, 2s)
                       : options.header_timeout);
            co_await http::async_read_header(stream, buffer, header,
                                             asio::redirect_error(asio::use_awaitable, ec));
            set_idle(id, false);
            const auto started_at = std::chrono::steady_clock::now();
            if (ec == http::error::header_limit) {
                co_await write_response(
                    stream, 11, false,
                    error_response(431, "header_too_large", "request header too large"));
                co_return false;
            }
            if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
                ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
                ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
                co_return false;  // the client left, went idle too long, or we are stopping
            }
            if (ec) {  // malformed request: answer once and close
                co_await write_response(stream, 11, false,
                                        error_response(400, "bad_request", "malformed request"));
                co_return false;
            }

            const auto& fields = header.get();
            Request request;
            request.method = std::string(sv(fields.method_string()));
            request.target = std::string(sv(fields.target()));
            request.remote_address = remote.address().to_string();
            request.remote_port = remote.port();
            request.client_cert_subject = client_subject;
            for (const auto& field : fields) {
                auto [it, inserted] = request.headers.emplace(std::string(sv(field.name_string())),
                                                              std::string(sv(field.value())));
                if (!inserted) it->second.append(", ").append(sv(field.value()));
            }
            const unsigned version = fields.version();
            bool keep_alive = fields.keep_alive();
            // A body we do not read would be parsed as the next request: close instead.
            const bool unread_body = !header.is_done();

            std::optional<Response> response;
            if (refuse) {
                response = overloaded_response();
                keep_alive = false;
            }
            const auto question = request.target.find('?');
            request.path = request.target.substr(0, question);
            if (!response && question != std::string::npos) {
                auto query = parse_query(std::string_view(request.target).substr(question + 1));
                if (query) {
                    request.query = std::move(*query);
                } else {
                    response = error_response(400, "bad_request", "malformed query string");
                }
            }
            RouteMatch match;
            if (!response) {
                match = router.match(request.method, request.path);
                if (match.kind == RouteMatch::Kind::kFound) {
                    request.route_pattern = match.route->pattern;
                }
                if (match.kind != RouteMatch::Kind::kFound)
                    response = router.invoke(match, request);
            }
            if (!response && router.has_before_body()) {
                if (match.route->options.run_inline) {
                    // Rationale: a health check must answer while every blocking thread waits
                    // on the database (a failover, a slow commit); queued behind them, haproxy's
                    // 2 s check timed out and took every replica out at once (issue 16).
                    response = router.authorize_headers(match, request);
                } else {
                    auto check = [this, &match, &request] {
                        return router.authorize_headers(match, request);
                    };
                    response = co_await run_blocking(blocking, std::move(check));
                }
            }
            bool left_unread = false;
            if (response) {
                if (unread_body) {
                    keep_alive = false;
                    left_unread = true;
                }
            } else {
                try {
                    response = co_await read_body(stream, buffer, header, *match.route, request);
                } catch (const Expired&) {
                    co_return false;
                }
                if (response) {
                    keep_alive = false;  // the rest of the body is still on the wire
                    left_unread = true;
                } else if (needs_inflating(*match.route, request)) {
                    // Rationale: inflating up to the route's cap takes seconds; on the I/O
                    // thread it stalled every other connection, health checks included
                    // (issue 14 item 3).
                    const RouteInfo& route = *match.route;
                    auto inflate = [&route, &request] { return decode_body(route, request); };
                    response = co_await run_blocking(blocking, std::move(inflate));
                } else {
                    response = decode_body(*match.route, request);
                }
            }
            if (!response) {
                if (match.route->options.run_inline) {
                    response = router.invoke(match, request);
                } else {
                    // Built before the co_await (g++ 12 lambda bug); refers to this frame,
                    // which outlives the await.
                    auto task = [this, &match, &request] { return router.invoke(match, request); };
                    response = co_await run_blocking(blocking, std::move(task));
                }
            }
            if (is_stopping()) keep_alive = false;
            const unsigned status = response->status;
            const bool ok =
                co_await write_response(stream, version, keep_alive, std::move(*response));
            router.observe(request, status, std::chrono::steady_clock::now() - started_at);
            log->debug("event=request method={} target={} status={} ms={} remote={}",
                       request.method, common::log_value(request.target), status,
                       std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started_at)
                           .count(),
                       request.remote_address);
            if (!ok || !keep_alive) co_return left_unread;
        }
    }

    template <class Stream>
    Awaitable<bool> write_response(Stream& stream, unsigned version, bool keep_alive,
                                   Response response) {
        // Also the answers made here (413, 431, 503) and by the before-body hook.
        router.apply_default_headers(response);
        http::response<http::string_body> out;
        out.version(version);
        out.result(response.status);
        for (const auto& [name, value] : response.headers) out.set(name, value);
        if (!response.body.empty() &&
            response.headers.find("Content-Type") == response.headers.end()) {
            out.set(http::field::content_type, "application/json");
        }
        out.body() = std::move(response.body);
        out.keep_alive(keep_alive);
        out.prepare_payload();
        boost::system::error_code ec;
        lowest(stream).expires_after(options.write_timeout);
        co_await http::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
        co_return !ec;
    }

    void stop(std::chrono::milliseconds grace) {
        {
            std::lock_guard lock(mutex);
            if (!started || stopped) return;
            stopped = true;
            stopping = true;
        }
        // The acceptor belongs to its strand: close it there.
        std::promise<void> closed;
        asio::post(accept_strand, [this, &closed] {
            boost::system::error_code ec;
            acceptor.close(ec);
            closed.set_value();
        });
        closed.get_future().wait();
        std::unique_lock lock(mutex);
        for (auto& [id, connection] : connections) {
            if (connection.idle && connection.close) connection.close();
        }
        const auto deadline = std::chrono::steady_clock::now() + grace;
        if (!drained.wait_until(lock, deadline, [this] { return connections.empty(); })) {
            log->warn("event=stop_grace_expired open_connections={}", connections.size());
            for (auto& [id, connection] : connections) {
                if (connection.close) connection.close();
            }
            drained.wait_for(lock, 1s, [this] { return connections.empty(); });
        }
        lock.unlock();
        ioc.stop();
        for (auto& thread : threads) thread.join();
        threads.clear();
        blocking.join();
        log->info("event=stopped port={}", bound_port);
    }
};

Server::Server(ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

Server::~Server() { stop(std::chrono::seconds(2)); }

void Server::start() { impl_->start(); }

std::uint16_t Server::port() const { return impl_->bound_port; }

void Server::stop(std::chrono::milliseconds grace) { impl_->stop(grace); }

std::size_t Server::connection_count() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->connections.size();
}

}  // namespace printmon::net
