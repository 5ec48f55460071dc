// HTTPS server and client with a throwaway CA; client errors; the CONNECT proxy.
#include <atomic>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "net_test_support.hpp"
#include "printmon/net/client.hpp"
#include "printmon/net/server.hpp"

using namespace printmon::net;
using namespace printmon::net::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

Router hello_router() {
    Router router;
    router.get("/hello", [](Request& r) {
        return Response::text("hello " + r.client_cert_subject.value_or("anonymous"));
    });
    return router;
}

std::unique_ptr<Server> start_tls(const TestPki& pki, std::string client_ca = "",
                                  bool require_client_cert = false) {
    ServerOptions options;
    ServerTlsOptions tls;
    tls.cert_chain_file = pki.server_cert();
    tls.private_key_file = pki.server_key();
    tls.client_ca_file = std::move(client_ca);
    tls.require_client_cert = require_client_cert;
    options.tls = tls;
    auto server = std::make_unique<Server>(options, hello_router());
    server->start();
    return server;
}

HttpClientOptions trusting(const TestPki& pki) {
    HttpClientOptions options;
    options.ca_file = pki.ca();
    return options;
}

}  // namespace

TEST_CASE("HTTPS: the client verifies the server against the CA", "[net][tls][integration]") {
    const TestPki pki;
    const TestPki other;
    auto server = start_tls(pki);
    const std::string port = std::to_string(server->port());

    SECTION("trusted CA, by IP and by name") {
        const HttpClient client(trusting(pki));
        for (const std::string host : {"127.0.0.1", "localhost"}) {
            auto response = client.get("https://" + host + ":" + port + "/hello");
            REQUIRE(response);
            CHECK(response->status == 200);
            CHECK(response->body == "hello anonymous");
        }
    }
    SECTION("a different CA fails verification") {
        const HttpClient client(trusting(other));
        auto response = client.get("https://127.0.0.1:" + port + "/hello");
        REQUIRE_FALSE(response);
        CHECK(response.error().code == ClientErrorCode::kTlsFailed);
        CHECK(contains(response.error().message, "certificate verification"));
        CHECK(contains(response.error().message, "unable to get local issuer certificate"));
    }
    SECTION("the system store does not know the test CA") {
        const HttpClient client;
        auto response = client.get("https://127.0.0.1:" + port + "/hello");
        REQUIRE_FALSE(response);
        CHECK(response.error().code == ClientErrorCode::kTlsFailed);
    }
    SECTION("plain HTTP to a TLS port is not an HTTP response") {
        HttpClientOptions options;
        options.request_timeout = 2s;
        const HttpClient client(options);
        auto response = client.get("http://127.0.0.1:" + port + "/hello");
        REQUIRE_FALSE(response);
    }
}

TEST_CASE("HTTPS: a certificate for another name fails host verification",
          "[net][tls][integration]") {
    const TestPki pki("DNS:wrong.example");
    auto server = start_tls(pki);
    const HttpClient client(trusting(pki));
    auto by_ip = client.get("https://127.0.0.1:" + std::to_string(server->port()) + "/hello");
    REQUIRE_FALSE(by_ip);
    CHECK(by_ip.error().code == ClientErrorCode::kTlsFailed);
    CHECK(contains(by_ip.error().message, "IP address mismatch"));
    auto by_name = client.get("https://localhost:" + std::to_string(server->port()) + "/hello");
    REQUIRE_FALSE(by_name);
    CHECK(by_name.error().code == ClientErrorCode::kTlsFailed);
    CHECK(contains(by_name.error().message, "hostname mismatch"));
}

TEST_CASE("HTTPS: client certificates", "[net][tls][integration]") {
    const TestPki pki;
    HttpClientOptions with_cert = trusting(pki);
    with_cert.client_cert_file = pki.client_cert();
    with_cert.client_key_file = pki.client_key();

    SECTION("required") {
        auto server = start_tls(pki, pki.ca(), true);
        const std::string target = "https://127.0.0.1:" + std::to_string(server->port()) + "/hello";
        auto anonymous = HttpClient(trusting(pki)).get(target);
        REQUIRE_FALSE(anonymous);
        CHECK(anonymous.error().code == ClientErrorCode::kTlsFailed);
        auto authenticated = HttpClient(with_cert).get(target);
        REQUIRE(authenticated);
        CHECK(authenticated->body == "hello /CN=printmon-test-client");
    }
    SECTION("optional") {
        auto server = start_tls(pki, pki.ca(), false);
        const std::string target = "https://127.0.0.1:" + std::to_string(server->port()) + "/hello";
        auto anonymous = HttpClient(trusting(pki)).get(target);
        REQUIRE(anonymous);
        CHECK(anonymous->body == "hello anonymous");
        auto authenticated = HttpClient(with_cert).get(target);
        REQUIRE(authenticated);
        CHECK(authenticated->body == "hello /CN=printmon-test-client");
    }
    SECTION("a client certificate from another CA is rejected") {
        const TestPki other;
        auto server = start_tls(pki, pki.ca(), false);
        HttpClientOptions foreign = trusting(pki);
        foreign.client_cert_file = other.client_cert();
        foreign.client_key_file = other.client_key();
        auto response = HttpClient(foreign).get(
            "https://127.0.0.1:" + std::to_string(server->port()) + "/hello");
        REQUIRE_FALSE(response);
        CHECK(response.error().code == ClientErrorCode::kTlsFailed);
    }
    CHECK_THROWS(HttpClient([&] {
        HttpClientOptions broken = trusting(pki);
        broken.client_cert_file = pki.file("missing.pem");
        broken.client_key_file = pki.client_key();
        return broken;
    }()));
}

TEST_CASE("HTTPS through an HTTP CONNECT proxy", "[net][tls][integration]") {
    const TestPki pki;
    auto server = start_tls(pki);
    const std::string target = "https://127.0.0.1:" + std::to_string(server->port()) + "/hello";

    SECTION("tunnel allowed") {
        ConnectProxy proxy({server->port()});
        HttpClientOptions options = trusting(pki);
        options.proxy = proxy.url();
        auto response = HttpClient(options).get(target);
        REQUIRE(response);
        CHECK(response->body == "hello anonymous");
        REQUIRE(proxy.targets().size() == 1);
        CHECK(proxy.targets()[0] == "127.0.0.1:" + std::to_string(server->port()));
    }
    SECTION("plain http goes through the tunnel too") {
        Server plain(ServerOptions{}, hello_router());
        plain.start();
        ConnectProxy proxy({plain.port()});
        HttpClientOptions options;
        options.proxy = proxy.url();
        auto response =
            HttpClient(options).get("http://127.0.0.1:" + std::to_string(plain.port()) + "/hello");
        REQUIRE(response);
        CHECK(response->body == "hello anonymous");
        CHECK(proxy.targets().size() == 1);
    }
    SECTION("tunnel refused") {
        ConnectProxy proxy({});
        HttpClientOptions options = trusting(pki);
        options.proxy = proxy.url();
        auto response = HttpClient(options).get(target);
        REQUIRE_FALSE(response);
        CHECK(response.error().code == ClientErrorCode::kProxyFailed);
        CHECK(contains(response.error().message, "403"));
    }
    SECTION("proxy down") {
        const ClosedPort closed;
        HttpClientOptions options = trusting(pki);
        options.proxy = "http://127.0.0.1:" + std::to_string(closed.port());
        auto response = HttpClient(options).get(target);
        REQUIRE_FALSE(response);
        CHECK(response.error().code == ClientErrorCode::kConnectFailed);
        CHECK(contains(response.error().message, "proxy"));
    }
}

TEST_CASE("client errors: refused, timeouts, bad URLs", "[net][client][integration]") {
    HttpClientOptions options;
    options.connect_timeout = 500ms;
    options.tls_timeout = 300ms;
    options.request_timeout = 300ms;
    const HttpClient client(options);

    const ClosedPort closed;
    auto refused = client.get("http://127.0.0.1:" + std::to_string(closed.port()) + "/");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ClientErrorCode::kConnectFailed);

    const SilentPort silent;
    const auto started = std::chrono::steady_clock::now();
    auto tls_timeout = client.get("https://127.0.0.1:" + std::to_string(silent.port()) + "/");
    REQUIRE_FALSE(tls_timeout);
    CHECK(tls_timeout.error().code == ClientErrorCode::kTimeout);
    CHECK(contains(tls_timeout.error().message, "TLS handshake"));
    auto http_timeout = client.get("http://127.0.0.1:" + std::to_string(silent.port()) + "/");
    REQUIRE_FALSE(http_timeout);
    CHECK(http_timeout.error().code == ClientErrorCode::kTimeout);
    CHECK(std::chrono::steady_clock::now() - started < 3s);

    for (const char* bad :
         {"ftp://x/", "http://", "https://user@host/", "http://h:99999/", "127.0.0.1:80/"}) {
        auto r = client.get(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ClientErrorCode::kInvalidRequest);
    }
    auto bad_method = client.request("FETCH IT", "http://127.0.0.1:1/");
    REQUIRE_FALSE(bad_method);
    CHECK(bad_method.error().code == ClientErrorCode::kInvalidRequest);
}

TEST_CASE(
    "HTTPS: header credentials are refused before the body is read; early answers are "
    "readable",
    "[net][tls][integration]") {
    const TestPki pki;
    std::atomic<int> handler_calls{0};
    std::atomic<int> hook_saw_body{0};
    Router router;
    RouteOptions upload;
    upload.max_body_bytes = 64 * 1024;
    router.post(
        "/upload",
        [&](Request& r) {
            ++handler_calls;
            return Response::text(std::to_string(r.body.size()));
        },
        upload);
    router.before_body([&](Request& r, const RouteInfo&) {
        if (!r.body.empty()) ++hook_saw_body;
        if (r.header("Authorization").value_or("") != "Bearer good") {
            throw HttpError(401, "unauthorized", "unknown key")
                .with_header("WWW-Authenticate", "Bearer");
        }
    });
    ServerOptions options;
    ServerTlsOptions tls;
    tls.cert_chain_file = pki.server_cert();
    tls.private_key_file = pki.server_key();
    options.tls = tls;
    Server server(options, std::move(router));
    server.start();
    const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/upload";
    const HttpClient client(trusting(pki));

    // 1 MiB body with a bad key: 401 (with its header), read in full by the client although the
    // server never read the body; over TLS that needs the drain before close_notify.
    const std::string big(1 << 20, 'x');
    auto refused = client.post(url, big, {{"Authorization", "Bearer bad"}});
    REQUIRE(refused);
    CHECK(refused->status == 401);
    CHECK(refused->headers.count("WWW-Authenticate") == 1);
    // Good key, body over the route's cap: a readable 413, not a connection reset.
    auto too_big = client.post(url, big, {{"Authorization", "Bearer good"}});
    REQUIRE(too_big);
    CHECK(too_big->status == 413);
    // Good key, small body: the handler runs once; the hook never saw a body.
    auto ok = client.post(url, "abc", {{"Authorization", "Bearer good"}});
    REQUIRE(ok);
    CHECK(ok->status == 200);
    CHECK(ok->body == "3");
    CHECK(handler_calls == 1);
    CHECK(hook_saw_body == 0);
    server.stop(std::chrono::seconds(2));
}

TEST_CASE("HTTPS through a TLS-passthrough balancer sending PROXY v2: the client's address",
          "[net][tls][integration][proxy]") {
    const TestPki pki;
    Router router;
    router.get("/who", [](Request& r) { return Response::text(r.remote_address); });
    ServerOptions options;
    ServerTlsOptions tls;
    tls.cert_chain_file = pki.server_cert();
    tls.private_key_file = pki.server_key();
    options.tls = tls;
    options.proxy_protocol_from = {"127.0.0.2"};
    Server server(options, std::move(router));
    server.start();

    // The balancer connects from 127.0.0.2 (trusted) and names the client; the certificate is
    // verified end to end through it.
    const ProxyProtocolBalancer balancer(server.port(), "198.51.100.23", "127.0.0.2");
    const HttpClient client(trusting(pki));
    for (int i = 0; i < 2; ++i) {
        const auto r = client.get("https://127.0.0.1:" + std::to_string(balancer.port()) + "/who");
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->body == "198.51.100.23");
    }
    // The same balancer from an address the server does not trust: its header breaks the
    // TLS handshake, and nothing is served.
    const ProxyProtocolBalancer stranger(server.port(), "198.51.100.23", "127.0.0.3");
    HttpClientOptions quick = trusting(pki);
    quick.tls_timeout = 3s;
    quick.request_timeout = 3s;
    const HttpClient impatient(quick);
    const auto refused =
        impatient.get("https://127.0.0.1:" + std::to_string(stranger.port()) + "/who");
    CHECK_FALSE(refused);
    // Direct clients are served as themselves.
    const auto direct = client.get("https://127.0.0.1:" + std::to_string(server.port()) + "/who");
    REQUIRE(direct);
    CHECK(direct->body == "127.0.0.1");
}
