// Server failure matrix (issue 14, STYLE.md §9): a client failing at each step of a request in
// turn, against the real Server, plain and TLS, on 127.0.0.1. For each: a concurrent request is
// answered promptly and the connection count returns to zero. Short deadlines keep each case
// well under two seconds.
#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "fault_support.hpp"
#include "net_test_support.hpp"
#include "printmon/net/client.hpp"
#include "printmon/net/server.hpp"

using namespace printmon::net;
using namespace printmon::net::test;

namespace {

using Clock = std::chrono::steady_clock;

// One throwaway PKI for all cases (test_ca takes about a second).
const TestPki& pki() {
    static const TestPki instance;
    return instance;
}

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 3s) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (predicate()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return predicate();
}

struct ServerFixture {
    bool tls;
    std::atomic<int> uploads{0};
    std::atomic<int> blocked_done{0};
    std::promise<void> entered;
    std::promise<void> release;
    std::shared_future<void> release_future = release.get_future().share();
    std::unique_ptr<Server> server;
    std::unique_ptr<HttpClient> client;

    explicit ServerFixture(bool with_tls) : tls(with_tls) {
        Router router;
        router.get("/healthz", [](Request&) { return Response::text("ok"); });
        RouteOptions upload;
        upload.max_body_bytes = 64 * 1024;
        router.post(
            "/upload",
            [this](Request& r) {
                ++uploads;
                return Response::text(std::to_string(r.body.size()));
            },
            upload);
        router.get("/big", [](Request&) { return Response::text(std::string(32 << 20, 'x')); });
        router.get("/block", [this](Request&) {
            entered.set_value();
            release_future.wait_for(5s);
            ++blocked_done;
            return Response::text("late");
        });
        ServerOptions options;
        options.header_timeout = 400ms;
        options.body_timeout = 400ms;
        options.write_timeout = 400ms;
        options.tls_handshake_timeout = 400ms;
        options.max_header_bytes = 8 * 1024;
        options.blocking_threads = 2;
        if (tls) options.tls = ServerTlsOptions{pki().server_cert(), pki().server_key(), "", false};
        server = std::make_unique<Server>(options, std::move(router));
        server->start();
        HttpClientOptions client_options;
        client_options.ca_file = pki().ca();
        client_options.request_timeout = 2s;
        client = std::make_unique<HttpClient>(client_options);
    }

    std::string url(const std::string& target) const {
        return std::string(tls ? "https" : "http") +
               "://127.0.0.1:" + std::to_string(server->port()) + target;
    }

    // A concurrent, well-behaved request is answered promptly.
    bool healthy() const {
        const auto started = Clock::now();
        auto r = client->get(url("/healthz"));
        const auto elapsed = Clock::now() - started;
        return r && r->status == 200 && r->body == "ok" && elapsed < 500ms;
    }

    // A client speaking the server's protocol (TLS handshake done when the server has TLS).
    std::unique_ptr<FaultClient> connect() const {
        auto c = std::make_unique<FaultClient>(server->port(), tls);
        REQUIRE(c->connected());
        if (tls) REQUIRE(c->handshake_ok());
        return c;
    }

    // The closed state, from the server's side: its connection count returns to zero.
    bool drained() const {
        return eventually([this] { return server->connection_count() == 0; });
    }
};

}  // namespace

TEST_CASE("server failure matrix: the client fails at each step",
          "[net][server][matrix][integration]") {
    const bool tls = GENERATE(false, true);
    INFO((tls ? "TLS" : "plain"));
    ServerFixture f(tls);
    REQUIRE(f.healthy());

    SECTION("disconnect right after connect (before the TLS handshake)") {
        {
            FaultClient raw(f.server->port(), false);
            REQUIRE(raw.connected());
        }
        CHECK(f.healthy());
    }
    SECTION("a few bytes of a ClientHello, then close / reset / stall") {
        {
            FaultClient raw(f.server->port(), false);
            REQUIRE(raw.send(partial_client_hello()));
        }
        {
            FaultClient raw(f.server->port(), false);
            REQUIRE(raw.send(partial_client_hello()));
            raw.reset();
        }
        FaultClient stalled(f.server->port(), false);
        REQUIRE(stalled.send(partial_client_hello()));
        CHECK(f.healthy());
        // Plain: a header that never ends; TLS: a handshake that never ends. Both deadlines.
        const auto started = Clock::now();
        CHECK(stalled.wait_closed(2s));
        CHECK(Clock::now() - started < 1500ms);
    }
    SECTION("partial request line, then close") {
        auto c = f.connect();
        REQUIRE(c->send("GET /hea"));
        c.reset();
        CHECK(f.healthy());
    }
    SECTION("partial request line, then idle: cut by the header deadline") {
        auto c = f.connect();
        REQUIRE(c->send("GET /hea"));
        CHECK(f.healthy());
        const auto started = Clock::now();
        CHECK(c->wait_closed(2s));
        CHECK(Clock::now() - started < 1500ms);
    }
    SECTION("mid-header, then close / reset") {
        auto c = f.connect();
        REQUIRE(c->send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: "));
        c.reset();
        auto d = f.connect();
        REQUIRE(d->send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: "));
        d->reset();
        CHECK(f.healthy());
    }
    SECTION("mid-body: Content-Length promised, not sent; cut by the body deadline") {
        auto c = f.connect();
        REQUIRE(c->send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n0123"));
        CHECK(f.healthy());
        const auto started = Clock::now();
        CHECK(c->wait_closed(2s));
        CHECK(Clock::now() - started < 1500ms);
        CHECK(f.uploads == 0);
    }
    SECTION("mid-body, then close") {
        auto c = f.connect();
        REQUIRE(c->send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n0123"));
        c.reset();
        CHECK(f.healthy());
        CHECK(f.uploads == 0);
    }
    SECTION("malformed request line: 400, then closed") {
        auto c = f.connect();
        REQUIRE(c->send("GARBAGE\r\n\r\n"));
        const auto r = c->read_response();
        REQUIRE(r);
        CHECK(r->status == 400);
        CHECK(c->wait_closed(2s));
    }
    SECTION("header over the cap: 431, then closed") {
        auto c = f.connect();
        REQUIRE(c->send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " +
                        std::string(16 * 1024, 'h') + "\r\n\r\n"));
        const auto r = c->read_response();
        REQUIRE(r);
        CHECK(r->status == 431);
        CHECK(c->wait_closed(2s));
    }
    SECTION("body over the cap by Content-Length: 413 before the body, then closed") {
        auto c = f.connect();
        REQUIRE(c->send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n"));
        const auto r = c->read_response();
        REQUIRE(r);
        CHECK(r->status == 413);
        CHECK(c->wait_closed(2s));
        CHECK(f.uploads == 0);
    }
    SECTION("chunked body over the cap: 413, then closed") {
        auto c = f.connect();
        REQUIRE(c->send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
        const std::string chunk = "4000\r\n" + std::string(0x4000, 'c') + "\r\n";
        for (int i = 0; i < 5; ++i) {
            if (!c->send(chunk, 1s)) break;  // the server may have answered and closed
        }
        const auto r = c->read_response();
        REQUIRE(r);
        CHECK(r->status == 413);
        CHECK(c->wait_closed(2s));
        CHECK(f.uploads == 0);
    }
    SECTION("broken chunked request body: closed without running the handler") {
        auto c = f.connect();
        REQUIRE(
            c->send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"
                    "cde\r\nZZ\r\n"));
        CHECK(c->wait_closed(2s));
        CHECK(f.uploads == 0);
    }
    SECTION("pipelined requests: answered in order on one connection") {
        auto c = f.connect();
        REQUIRE(
            c->send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                    "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                    "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
        const auto first = c->read_response();
        const auto second = c->read_response();
        const auto third = c->read_response();
        REQUIRE(first);
        REQUIRE(second);
        REQUIRE(third);
        CHECK(first->body == "ok");
        CHECK(second->body == "3");
        CHECK(third->body == "ok");
        CHECK(third->headers.at("connection") == "close");
        CHECK(c->wait_closed(2s));
        CHECK(f.uploads == 1);
    }
    SECTION("RST while the handler runs on the blocking pool") {
        auto c = f.connect();
        REQUIRE(c->send("GET /block HTTP/1.1\r\nHost: t\r\n\r\n"));
        REQUIRE(f.entered.get_future().wait_for(3s) == std::future_status::ready);
        c->reset();
        CHECK(f.healthy());  // the other pool thread and the I/O thread are free
        f.release.set_value();
        CHECK(eventually([&] { return f.blocked_done == 1; }));
    }
    SECTION("a slow reader that never reads the response: cut by the write deadline") {
        auto c = f.connect();
        REQUIRE(c->send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n"));
        CHECK(f.healthy());
        // The socket stays open on our side; the server gives up on its own.
        const auto started = Clock::now();
        CHECK(eventually([&] { return f.server->connection_count() == 0; }, 3s));
        CHECK(Clock::now() - started < 2s);
        // Cut by the write deadline, not finished: what reached our socket is not the whole
        // 32 MiB answer (more than loopback buffers hold).
        CHECK_FALSE(c->read_response(2s));
    }
    SECTION("request then half-close (plain): answered, then closed") {
        if (tls) return;  // TLS has no half-close
        auto c = f.connect();
        REQUIRE(c->send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
        c->shutdown_send();
        const auto r = c->read_response();
        REQUIRE(r);
        CHECK(r->body == "ok");
        CHECK(c->wait_closed(2s));
    }
    // However the client failed, no connection slot stays taken.
    CHECK(f.drained());
    CHECK(f.healthy());
    CHECK(f.drained());
}
