// Client failure matrix (issue 14, STYLE.md §9): a server on 127.0.0.1 failing at each step of
// an exchange in turn, plain and TLS, against the real HttpClient. Short deadlines keep each
// case well under a second.
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

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// ---------------------------------------------------------------------------------------------
// Client matrix.

struct ClientCase {
    Misbehaviour what;
    ClientErrorCode plain;  // expected error over plain TCP
    ClientErrorCode tls;    // expected error over TLS
    bool tls_only = false;
};

constexpr auto kProtocol = ClientErrorCode::kProtocol;
constexpr auto kTimeout = ClientErrorCode::kTimeout;
constexpr auto kTls = ClientErrorCode::kTlsFailed;

const std::vector<ClientCase> kClientCases = {
    {Misbehaviour::kCloseAfterAccept, kProtocol, kTls},
    {Misbehaviour::kGarbageInsteadOfTls, kTls, kTls, true},
    {Misbehaviour::kCloseAfterTlsHandshake, kProtocol, kProtocol, true},
    {Misbehaviour::kCloseAfterHeader, kProtocol, kProtocol},
    {Misbehaviour::kResetAfterHeader, kProtocol, kProtocol},
    {Misbehaviour::kCloseAfterHalfBody, kProtocol, kProtocol},
    {Misbehaviour::kSilent, kTimeout, kTimeout},
    {Misbehaviour::kHalfHeaderStall, kTimeout, kTimeout},
    {Misbehaviour::kTrickle, kTimeout, kTimeout},
    {Misbehaviour::kMalformedStatusLine, kProtocol, kProtocol},
    {Misbehaviour::kShortBody, kProtocol, kProtocol},
    {Misbehaviour::kOversizedHeader, kProtocol, kProtocol},
    {Misbehaviour::kOversizedBody, kProtocol, kProtocol},
    {Misbehaviour::kOversizedChunked, kProtocol, kProtocol},
    {Misbehaviour::kBrokenChunked, kProtocol, kProtocol},
    {Misbehaviour::kTruncatedChunked, kProtocol, kProtocol},
};

}  // namespace

TEST_CASE("client failure matrix: each step of the exchange fails in turn",
          "[net][client][matrix][integration]") {
    const bool tls = GENERATE(false, true);
    HttpClientOptions options;
    options.ca_file = pki().ca();
    options.connect_timeout = 500ms;
    options.tls_timeout = 500ms;
    options.request_timeout = 400ms;
    options.max_response_bytes = std::size_t{1} << 20;
    const HttpClient client(options);
    // 64 KiB: large enough that "half the body" is a real step on the wire.
    const std::string body(64 * 1024, 'b');

    for (const auto& c : kClientCases) {
        if (c.tls_only && !tls) continue;
        const auto expected = tls ? c.tls : c.plain;
        INFO((tls ? "TLS: " : "plain: ") << to_string(c.what));
        std::optional<TlsFiles> files;
        if (tls) files = TlsFiles{pki().server_cert(), pki().server_key()};
        MisbehavingServer server(c.what, files);
        const auto started = Clock::now();
        const auto result =
            client.post(server.url("/api/v1/ingest"), body, {{"Content-Type", "application/json"}});
        const auto elapsed = Clock::now() - started;
        REQUIRE_FALSE(result);
        INFO("error: " << to_string(result.error().code) << ": " << result.error().message);
        CHECK(result.error().code == expected);
        // A clear message: which server, and what went wrong.
        CHECK(contains(result.error().message, "127.0.0.1:" + std::to_string(server.port())));
        if (expected == kTimeout) {
            CHECK(contains(result.error().message, "timed out"));
            CHECK(elapsed >= 350ms);
        }
        // Bounded by the client's own deadlines, whatever the server does.
        CHECK(elapsed < 1500ms);
        CHECK(server.accepted() == 1);
        // The client closed its socket: nothing left open on the server's side.
        CHECK(eventually([&] { return server.open() == 0; }));
    }
}
