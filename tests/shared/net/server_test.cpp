// The HTTP server over real sockets on 127.0.0.1 (ephemeral ports).
#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "net_test_support.hpp"
#include "printmon/net/client.hpp"
#include "printmon/net/gzip.hpp"
#include "printmon/net/server.hpp"

using namespace printmon::net;
using namespace printmon::net::test;

namespace {

std::unique_ptr<Server> start(Router router, ServerOptions options = {}) {
    auto server = std::make_unique<Server>(std::move(options), std::move(router));
    server->start();
    return server;
}

std::string url(const Server& server, const std::string& target) {
    return "http://127.0.0.1:" + std::to_string(server.port()) + target;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Waits (bounded) for an observable condition that another thread brings about.
template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (predicate()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return predicate();
}

}  // namespace

TEST_CASE("server routes requests and maps errors to JSON", "[net][server][integration]") {
    Router router;
    router.get("/api/v1/devices/{id}", [](Request& r) {
        return Response::json("{\"id\":\"" + r.param("id") + "\",\"q\":\"" +
                              std::string(r.query_param("q").value_or("")) + "\",\"ua\":\"" +
                              std::string(r.header("user-agent").value_or("")) + "\"}");
    });
    router.post("/echo", [](Request& r) { return Response::text(r.body); });
    router.get("/boom",
               [](Request&) -> Response { throw std::runtime_error("secret-database-password"); });
    router.get("/teapot",
               [](Request&) -> Response { throw HttpError(418, "teapot", "short and stout"); });
    auto server = start(std::move(router));
    const HttpClient client;

    auto ok = client.get(url(*server, "/api/v1/devices/a%20b?q=x%2By+z"));
    REQUIRE(ok);
    CHECK(ok->status == 200);
    CHECK(ok->headers.at("content-type") == "application/json");
    CHECK(ok->body == R"({"id":"a b","q":"x+y z","ua":"printmon"})");

    auto echo = client.post(url(*server, "/echo"), "hello body");
    REQUIRE(echo);
    CHECK(echo->body == "hello body");

    auto missing = client.get(url(*server, "/api/v2/nothing"));
    REQUIRE(missing);
    CHECK(missing->status == 404);
    CHECK(contains(missing->body, R"("code":"not_found")"));

    auto wrong_method = client.request("DELETE", url(*server, "/echo"));
    REQUIRE(wrong_method);
    CHECK(wrong_method->status == 405);
    CHECK(wrong_method->headers.at("allow") == "POST");

    auto boom = client.get(url(*server, "/boom"));
    REQUIRE(boom);
    CHECK(boom->status == 500);
    CHECK_FALSE(contains(boom->body, "secret"));
    CHECK(contains(boom->body, "correlation_id"));

    auto teapot = client.get(url(*server, "/teapot"));
    REQUIRE(teapot);
    CHECK(teapot->status == 418);
    CHECK(teapot->body == R"({"error":{"code":"teapot","message":"short and stout"}})");
}

TEST_CASE("body limit: 413 before the body is read", "[net][server][integration]") {
    std::atomic<int> calls{0};
    Router router;
    RouteOptions small;
    small.max_body_bytes = 1024;
    router.post(
        "/small",
        [&calls](Request& r) {
            ++calls;
            return Response::text(std::to_string(r.body.size()));
        },
        small);
    ServerOptions options;
    options.body_timeout = 30s;  // the 413 must come from the header, not from a timeout
    auto server = start(std::move(router), options);

    SECTION("announced Content-Length over the limit") {
        RawClient raw(server->port());
        REQUIRE(raw.connected());
        REQUIRE(
            raw.send("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n"
                     "only a little"));
        const auto started = std::chrono::steady_clock::now();
        const auto response = raw.read_response(5s);
        REQUIRE(response);
        CHECK(std::chrono::steady_clock::now() - started < 3s);
        CHECK(response->status == 413);
        CHECK(contains(response->body, R"("code":"payload_too_large")"));
        CHECK(response->headers.at("connection") == "close");
        CHECK(raw.wait_closed(3s));
    }
    SECTION("chunked body growing over the limit") {
        RawClient raw(server->port());
        REQUIRE(raw.connected());
        const std::string chunk(2000, 'x');
        REQUIRE(
            raw.send("POST /small HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "7d0\r\n" +
                     chunk + "\r\n"));
        const auto response = raw.read_response(5s);
        REQUIRE(response);
        INFO(response->body);
        CHECK(response->status == 413);
    }
    SECTION("within the limit") {
        const HttpClient client;
        auto response = client.post(url(*server, "/small"), std::string(1024, 'y'));
        REQUIRE(response);
        CHECK(response->status == 200);
        CHECK(response->body == "1024");
        CHECK(calls == 1);
        return;
    }
    CHECK(calls == 0);
}

TEST_CASE("gzip request bodies are inflated on opted-in routes, with a cap",
          "[net][server][integration]") {
    Router router;
    RouteOptions gzip_route;
    gzip_route.accept_gzip = true;
    gzip_route.max_body_bytes = std::size_t{1} << 20;
    gzip_route.max_inflated_bytes = std::size_t{4} << 20;
    const auto length = [](Request& r) { return Response::text(std::to_string(r.body.size())); };
    router.post("/ingest", length, gzip_route);
    router.post("/plain", length);
    auto server = start(std::move(router));
    const HttpClient client;
    const Headers gzip_headers{{"Content-Encoding", "gzip"}};

    const std::string payload(300000, 'p');
    auto ok = client.post(url(*server, "/ingest"), gzip_compress(payload), gzip_headers);
    REQUIRE(ok);
    CHECK(ok->status == 200);
    CHECK(ok->body == "300000");

    auto identity = client.post(url(*server, "/ingest"), "abc");
    REQUIRE(identity);
    CHECK(identity->body == "3");

    auto not_allowed = client.post(url(*server, "/plain"), gzip_compress(payload), gzip_headers);
    REQUIRE(not_allowed);
    CHECK(not_allowed->status == 415);

    auto corrupt = client.post(url(*server, "/ingest"), "definitely not gzip", gzip_headers);
    REQUIRE(corrupt);
    CHECK(corrupt->status == 400);

    // 100 MB of zeros in ~100 KB: 413 at the 4 MiB cap, without the memory to hold 100 MB.
    const std::string bomb = gzip_zeros(std::size_t{100} << 20);
    const long rss_before = peak_rss_kib();
    auto bombed = client.post(url(*server, "/ingest"), bomb, gzip_headers);
    REQUIRE(bombed);
    CHECK(bombed->status == 413);
    CHECK(contains(bombed->body, "inflated body exceeds"));
    CHECK(peak_rss_kib() - rss_before < 40 * 1024);
}

TEST_CASE("keep-alive serves several requests on one connection", "[net][server][integration]") {
    std::atomic<int> calls{0};
    Router router;
    router.get("/peer", [&calls](Request& r) {
        ++calls;
        return Response::text(std::to_string(r.remote_port));
    });
    auto server = start(std::move(router));
    RawClient raw(server->port());
    REQUIRE(raw.connected());
    std::string first_port;
    for (int i = 0; i < 3; ++i) {
        REQUIRE(raw.send("GET /peer HTTP/1.1\r\nHost: t\r\n\r\n"));
        const auto response = raw.read_response();
        REQUIRE(response);
        CHECK(response->status == 200);
        CHECK(response->headers.count("connection") == 0);  // HTTP/1.1: keep-alive by default
        if (i == 0) first_port = response->body;
        CHECK(response->body == first_port);
    }
    CHECK(calls == 3);
    REQUIRE(raw.send("GET /peer HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
    const auto last = raw.read_response();
    REQUIRE(last);
    CHECK(last->headers.at("connection") == "close");
    CHECK(raw.wait_closed(3s));
}

TEST_CASE("connections over the cap get 503 with Retry-After", "[net][server][integration]") {
    Router router;
    router.get("/x", [](Request&) { return Response::text("x"); });
    ServerOptions options;
    options.max_connections = 2;
    options.retry_after = std::chrono::seconds(7);
    auto server = start(std::move(router), options);

    auto a = std::make_unique<RawClient>(server->port());
    RawClient b(server->port());
    for (RawClient* raw : {a.get(), &b}) {
        REQUIRE(raw->send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
        const auto response = raw->read_response();
        REQUIRE(response);
        CHECK(response->status == 200);
    }
    RawClient c(server->port());
    REQUIRE(c.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
    const auto refused = c.read_response();
    REQUIRE(refused);
    CHECK(refused->status == 503);
    CHECK(refused->headers.at("retry-after") == "7");
    CHECK(contains(refused->body, R"("code":"overloaded")"));
    CHECK(c.wait_closed(3s));

    // A slot frees up when a connection closes.
    a.reset();
    REQUIRE(eventually([&] { return server->connection_count() == 1; }));
    const HttpClient client;
    auto again = client.get(url(*server, "/x"));
    REQUIRE(again);
    CHECK(again->status == 200);
}

// Issue 14 item 6: 200 slow connections from one address took every slot (the scanner serves
// 128), and the UI was gone for everyone else until they timed out.
TEST_CASE("slow connections from one address do not starve other clients",
          "[net][server][integration]") {
    Router router;
    router.get("/x", [](Request&) { return Response::text("x"); });
    ServerOptions options;
    options.max_connections = 128;
    options.max_connections_per_address = 16;
    auto server = start(std::move(router), options);

    std::vector<std::unique_ptr<RawClient>> hogs;
    int connected = 0;
    for (int i = 0; i < 200; ++i) {
        auto hog = std::make_unique<RawClient>(server->port(), "127.0.0.2");
        // A header that never ends (each waits out the header deadline).
        if (hog->connected() && hog->send("GET /x HTTP/1.1\r\nHost: t\r\n", 1s)) ++connected;
        hogs.push_back(std::move(hog));
    }
    CHECK(connected > 100);  // the rest were closed at once: fine, as long as others get in
    for (const char* other : {"127.0.0.3", "127.0.0.4"}) {
        RawClient raw(server->port(), other);
        REQUIRE(raw.connected());
        REQUIRE(raw.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
        const auto response = raw.read_response(2s);
        REQUIRE(response);
        CHECK(response->status == 200);
    }
    // The hog's own connections beyond its share were refused, not served.
    CHECK(server->connection_count() <= 16 + 16 + 2);
}

TEST_CASE("a slow-loris client is cut off by the header deadline", "[net][server][integration]") {
    Router router;
    router.get("/x", [](Request&) { return Response::text("x"); });
    ServerOptions options;
    options.header_timeout = 400ms;
    auto server = start(std::move(router), options);

    RawClient raw(server->port());
    REQUIRE(raw.send("GET /x HTTP/1.1\r\nHost: t\r\nX-Slow: "));
    const auto started = std::chrono::steady_clock::now();
    bool closed = false;
    // One header byte every 50 ms would take 10 s to finish the header.
    for (int i = 0; i < 200 && !closed; ++i) {
        closed = !raw.send("a", 1s) || raw.wait_closed(50ms);
    }
    const auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(closed);
    CHECK(elapsed >= 300ms);
    CHECK(elapsed < 3s);
}

TEST_CASE("graceful stop finishes the in-flight request and refuses new ones",
          "[net][server][integration]") {
    std::promise<void> entered;
    std::promise<void> release;
    auto release_future = release.get_future().share();
    Router router;
    router.get("/slow", [&entered, release_future](Request&) {
        entered.set_value();
        release_future.wait();
        return Response::text("finished");
    });
    router.get("/x", [](Request&) { return Response::text("x"); });
    auto server = start(std::move(router));
    const std::uint16_t port = server->port();

    // An idle keep-alive connection: stop() must close it rather than wait for it.
    RawClient idle(port);
    REQUIRE(idle.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
    REQUIRE(idle.read_response());

    const HttpClient client;
    auto in_flight = std::async(std::launch::async,
                                [&client, u = url(*server, "/slow")] { return client.get(u); });
    REQUIRE(entered.get_future().wait_for(5s) == std::future_status::ready);

    auto stopping = std::async(std::launch::async, [&server] { server->stop(10s); });
    CHECK(idle.wait_closed(3s));
    // New connections are refused once the acceptor is closed.
    CHECK(eventually([port] { return !RawClient(port).connected(); }));
    CHECK(stopping.wait_for(0ms) == std::future_status::timeout);  // still waiting for /slow

    release.set_value();
    const auto response = in_flight.get();
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body == "finished");
    CHECK(response->headers.at("connection") == "close");
    REQUIRE(stopping.wait_for(5s) == std::future_status::ready);
    CHECK(server->connection_count() == 0);
}

TEST_CASE("run_inline handlers and many concurrent clients", "[net][server][integration]") {
    Router router;
    RouteOptions inline_route;
    inline_route.run_inline = true;
    std::atomic<int> calls{0};
    router.get(
        "/fast",
        [&calls](Request&) {
            ++calls;
            return Response::text("fast");
        },
        inline_route);
    ServerOptions options;
    options.io_threads = 2;
    auto server = start(std::move(router), options);
    const HttpClient client;
    std::vector<std::future<bool>> results;
    for (int i = 0; i < 8; ++i) {
        results.push_back(std::async(std::launch::async, [&] {
            for (int j = 0; j < 10; ++j) {
                auto r = client.get(url(*server, "/fast"));
                if (!r || r->status != 200 || r->body != "fast") return false;
            }
            return true;
        }));
    }
    for (auto& result : results) CHECK(result.get());
    CHECK(calls == 80);
}

TEST_CASE("a run_inline route and its before_body hook answer while every blocking thread is busy",
          "[net][server][integration]") {
    // A balancer's health check (haproxy: 2 s timeout) must not queue behind handlers waiting
    // on the database (issue 16).
    std::promise<void> release;
    auto release_future = release.get_future().share();
    std::atomic<int> entered{0};
    std::atomic<int> hooked_inline{0};
    Router router;
    router.before_body([&hooked_inline](Request&, const RouteInfo& route) {
        if (route.options.run_inline) ++hooked_inline;
    });
    router.get("/slow", [&entered, release_future](Request&) {
        ++entered;
        release_future.wait();
        return Response::text("slow");
    });
    RouteOptions health;
    health.run_inline = true;
    router.get(
        "/healthz", [](Request&) { return Response::text("ok"); }, health);
    ServerOptions options;
    options.blocking_threads = 2;
    auto server = start(std::move(router), options);
    const HttpClient client;
    std::vector<std::future<std::optional<int>>> slow;
    for (int i = 0; i < 4; ++i) {  // two running, two queued
        slow.push_back(std::async(std::launch::async, [&client, u = url(*server, "/slow")] {
            auto r = client.get(u);
            return r ? std::optional<int>(r->status) : std::nullopt;
        }));
    }
    REQUIRE(eventually([&] { return entered == 2; }));
    const auto asked = std::chrono::steady_clock::now();
    const auto health_answer = client.get(url(*server, "/healthz"));
    REQUIRE(health_answer);
    CHECK(health_answer->status == 200);
    CHECK(std::chrono::steady_clock::now() - asked < 1s);
    CHECK(hooked_inline == 1);
    release.set_value();
    for (auto& f : slow) CHECK(f.get() == 200);
}

TEST_CASE("stop closes requests still running when the grace period ends",
          "[net][server][integration]") {
    std::promise<void> entered;
    std::promise<void> release;
    auto release_future = release.get_future().share();
    Router router;
    router.get("/stuck", [&entered, release_future](Request&) {
        entered.set_value();
        release_future.wait();
        return Response::text("too late");
    });
    auto server = start(std::move(router));
    const HttpClient client;
    auto in_flight = std::async(std::launch::async,
                                [&client, u = url(*server, "/stuck")] { return client.get(u); });
    REQUIRE(entered.get_future().wait_for(5s) == std::future_status::ready);

    const auto started = std::chrono::steady_clock::now();
    auto stopping = std::async(std::launch::async, [&server] { server->stop(300ms); });
    // The connection is closed at the end of the grace period, while the handler still runs.
    REQUIRE(in_flight.wait_for(5s) == std::future_status::ready);
    const auto response = in_flight.get();
    CHECK_FALSE(response);
    CHECK(std::chrono::steady_clock::now() - started >= 250ms);
    // stop() still joins the blocking pool, so it returns once the handler does.
    release.set_value();
    REQUIRE(stopping.wait_for(5s) == std::future_status::ready);
}

// Behind a balancer that passes TLS through, the client's address arrives in a PROXY protocol
// header or not at all: everything keyed by address (the login brake, the audit log, the
// per-address cap) saw the balancer as one client.
TEST_CASE("PROXY protocol: a trusted balancer names the client; nobody else can",
          "[net][server][integration][proxy]") {
    Router router;
    router.get("/who", [](Request& r) {
        return Response::text(r.remote_address + " " + std::to_string(r.remote_port));
    });
    ServerOptions options;
    options.proxy_protocol_from = {"127.0.0.2"};
    options.header_timeout = 2s;
    auto server = start(std::move(router), options);
    const std::string request = "GET /who HTTP/1.1\r\nHost: t\r\n\r\n";
    const auto who = [&](const std::string& from, const std::string& bytes) {
        RawClient raw(server->port(), from);
        REQUIRE(raw.connected());
        REQUIRE(raw.send(bytes));
        const auto response = raw.read_response(3s);
        REQUIRE(response);
        return std::to_string(response->status) + " " + response->body;
    };

    // v1 and v2, with the request in the same segment or after it.
    CHECK(who("127.0.0.2", proxy_v1_header("203.0.113.7", 51000) + request) ==
          "200 203.0.113.7 51000");
    CHECK(who("127.0.0.2", proxy_v2_header("2001:db8::7", 40000) + request) ==
          "200 2001:db8::7 40000");
    {
        RawClient raw(server->port(), "127.0.0.2");
        const auto header = proxy_v2_header("198.51.100.23", 1234);
        REQUIRE(raw.send(header.substr(0, 5)));
        std::this_thread::sleep_for(50ms);
        REQUIRE(raw.send(header.substr(5, 13)));
        std::this_thread::sleep_for(50ms);
        REQUIRE(raw.send(header.substr(18) + request));
        const auto response = raw.read_response(3s);
        REQUIRE(response);
        CHECK(response->body == "198.51.100.23 1234");
    }
    // The balancer's own connection (a health check: v2 LOCAL, or no header) is its own.
    CHECK(contains(who("127.0.0.2", proxy_v2_header("", 0, true) + request), "200 127.0.0.2 "));
    CHECK(contains(who("127.0.0.2", request), "200 127.0.0.2 "));
    // A peer not in the list cannot claim an address: its header is no HTTP (400, closed).
    CHECK(contains(who("127.0.0.3", proxy_v1_header("203.0.113.7", 51000) + request), "400 "));
    CHECK(contains(who("127.0.0.3", request), "200 127.0.0.3 "));
    // A broken header from the balancer closes the connection unanswered.
    for (const std::string& broken :
         {std::string("PROXY TCP4 999.0.113.7 127.0.0.1 1 443\r\n"),
          proxy_v2_header("198.51.100.23", 1).substr(0, 12) + std::string("\x31\x11\x00\x0c", 4)}) {
        RawClient raw(server->port(), "127.0.0.2");
        REQUIRE(raw.send(broken + request));
        CHECK(raw.wait_closed(3s));
    }
    // A balancer that sends nothing is cut off by the header deadline.
    RawClient silent(server->port(), "127.0.0.2");
    REQUIRE(silent.connected());
    CHECK(silent.wait_closed(5s));
}

TEST_CASE("PROXY protocol: the per-address cap counts the client, not the balancer",
          "[net][server][integration][proxy]") {
    Router router;
    router.get("/x", [](Request&) { return Response::text("x"); });
    ServerOptions options;
    options.proxy_protocol_from = {"127.0.0.2"};
    options.max_connections_per_address = 2;
    auto server = start(std::move(router), options);

    // Two slow connections of one client, through the balancer, fill that client's share.
    std::vector<std::unique_ptr<RawClient>> slow;
    for (std::uint16_t i = 0; i < 2; ++i) {
        slow.push_back(std::make_unique<RawClient>(server->port(), "127.0.0.2"));
        REQUIRE(
            slow.back()->send(proxy_v2_header("203.0.113.7", static_cast<std::uint16_t>(1000 + i)) +
                              "GET /x HTTP/1.1\r\nHost: t\r\n"));
    }
    REQUIRE(eventually([&] { return server->connection_count() == 2; }));
    const auto through = [&](const std::string& client) {
        RawClient raw(server->port(), "127.0.0.2");
        REQUIRE(raw.send(proxy_v2_header(client, 2000) + "GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
        const auto response = raw.read_response(3s);
        REQUIRE(response);
        return response->status;
    };
    CHECK(through("203.0.113.7") == 503);  // the same client, a third connection
    // Other clients behind the same balancer are not counted with it (without the header all
    // four would be the balancer's, and two would be refused).
    CHECK(through("203.0.113.8") == 200);
    CHECK(through("2001:db8::8") == 200);
}
