// Every refused request: the right status and error code, and nothing stored.
#include <cstring>

#include <catch2/catch.hpp>

#include "auth/keys.hpp"
#include "cloud_support.hpp"
#include "printmon/net/gzip.hpp"
#include "printmon/proto/codec.hpp"

using namespace printmon;
using namespace printmon::cloud::test;

namespace {

void check_refused(const CloudServer& s, const net::ClientResponse& r, unsigned status,
                   const std::string& code, const std::string& message_part = "") {
    INFO(r.body);
    CHECK(r.status == status);
    CHECK(r.body.find("\"code\":\"" + code + "\"") != std::string::npos);
    if (!message_part.empty()) CHECK(r.body.find(message_part) != std::string::npos);
    CHECK(s.count_all_data() == 0);
}

}  // namespace

TEST_CASE("bad input is refused with the contract's status and nothing is stored",
          "[cloud][ingest][refusal]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-1");
    const auto batch = fresh_batch("branch-1");
    const std::string json = proto::to_json(batch);

    SECTION("malformed JSON: 400 with the parser's position") {
        check_refused(s, s.ingest(key, json.substr(0, json.size() / 2)), 400, "invalid_batch",
                      "parse error at offset");
    }
    SECTION("schema violation: 400 with the JSON pointer") {
        std::string bad = json;
        const auto at = bad.find("\"total\":");
        REQUIRE(at != std::string::npos);
        bad.insert(at + 8, "\"");
        bad.insert(bad.find_first_of(",}", at + 9), "\"");
        check_refused(s, s.ingest(key, bad), 400, "invalid_batch",
                      "/readings/0/snapshot/counters/total: expected integer, got string");
    }
    SECTION("an escaped NUL in text: 400 naming it (PostgreSQL text cannot hold it)") {
        // Issue 14: "\u0000" passes the JSON check, then failed the insert with a 500.
        for (const char* field : {"\"model\":\"", "\"location\":\"", "\"sys_descr\":\""}) {
            INFO(field);
            std::string bad = json;
            const auto at = bad.find(field);
            REQUIRE(at != std::string::npos);
            bad.insert(at + std::strlen(field), "A\\u0000B");
            check_refused(s, s.ingest(key, bad), 400, "invalid_batch",
                          "the NUL character (\\\\u0000) is not allowed in text");
        }
    }
    SECTION("unsupported schema_version: 400") {
        std::string bad = json;
        bad.replace(bad.find("\"schema_version\":1"), 18, "\"schema_version\":2");
        check_refused(s, s.ingest(key, bad), 400, "invalid_batch", "unsupported schema_version 2");
    }
    SECTION("oversized body: 413 before parsing (the Content-Length is over the cap)") {
        // Over TLS the server closes without draining the unread body (net::Server lingers
        // only on plain TCP), so a body far over the cap ends in a reset before the client
        // reads the 413; a body that fits in the socket buffers shows the 413 itself.
        ServerSettings small;
        small.limits.max_body_bytes = 4096;
        CloudServer tiny(small);
        const auto tiny_tenant = tiny.create_tenant("Tiny");
        const auto tiny_key = tiny.create_scanner(tiny_tenant, "branch-1");
        std::string big = json;
        big.insert(1, "\"pad\":\"" + std::string(std::size_t{8} << 10, 'x') + "\",");
        const auto r = tiny.ingest(tiny_key, big, false);
        INFO(r.body);
        CHECK(r.status == 413);
        CHECK(r.body.find("payload_too_large") != std::string::npos);
        CHECK(tiny.count_all_data() == 0);
        // The cap applies to the compressed body: the same document gzipped fits.
        CHECK(tiny.ingest(tiny_key, fresh_batch("branch-1")).status == 200);
    }
    SECTION("gzip bomb: 413 while inflating") {
        net::Headers headers{{"Authorization", "Bearer " + key},
                             {"Content-Type", "application/json"},
                             {"Content-Encoding", "gzip"}};
        const auto bomb = net::test::gzip_zeros(std::size_t{64} << 20);
        REQUIRE(bomb.size() < (std::size_t{256} << 10));
        const auto r = s.client().post(s.url("/api/v1/ingest"), bomb, headers);
        REQUIRE(r);
        check_refused(s, *r, 413, "payload_too_large", "inflated");
    }
    SECTION("corrupt gzip: 400") {
        net::Headers headers{{"Authorization", "Bearer " + key}, {"Content-Encoding", "gzip"}};
        const auto r = s.client().post(s.url("/api/v1/ingest"), json, headers);
        REQUIRE(r);
        check_refused(s, *r, 400, "bad_encoding");
    }
    SECTION("unsupported Content-Encoding or Content-Type: 415") {
        net::Headers headers{{"Authorization", "Bearer " + key}, {"Content-Encoding", "br"}};
        const auto r = s.client().post(s.url("/api/v1/ingest"), json, headers);
        REQUIRE(r);
        check_refused(s, *r, 415, "unsupported_encoding");
        check_refused(s, s.ingest(key, json, true, "text/plain"), 415, "unsupported_media_type");
    }
    SECTION("the key's scanner differs from batch.scanner_id: 403") {
        s.create_scanner(tenant, "branch-2");
        check_refused(s, s.ingest(key, fresh_batch("branch-2")), 403, "forbidden",
                      "scanner_id does not match");
    }
    SECTION("a key of tenant B sending tenant A's scanner: 403") {
        const auto tenant_b = s.create_tenant("B");
        const auto key_b = s.create_scanner(tenant_b, "branch-b");
        check_refused(s, s.ingest(key_b, batch), 403, "forbidden");
        CHECK(s.count("batches", tenant) == 0);
    }
    SECTION("revoked key: 403") {
        s.revoke_scanner(tenant, "branch-1");
        s.revoke_scanner(tenant, "branch-1");  // twice: still revoked, no error
        check_refused(s, s.ingest(key, batch), 403, "forbidden", "revoked");
    }
    SECTION("unknown key: 401") {
        check_refused(s, s.ingest(cloud::auth::generate_key("pmk", tenant), batch), 401,
                      "unauthorized");
        // A key of an unknown tenant, and a token where a scanner key is needed.
        check_refused(
            s,
            s.ingest(cloud::auth::generate_key("pmk", "00000000-0000-4000-8000-000000000000"),
                     batch),
            401, "unauthorized");
        check_refused(s, s.ingest(s.create_token(tenant), batch), 401, "unauthorized");
    }
    SECTION("missing or malformed key: 401") {
        check_refused(s, s.ingest("", json), 401, "unauthorized", "missing");
        check_refused(s, s.ingest("not-a-key", json), 401, "unauthorized");
        net::Headers basic{{"Authorization", "Basic dXNlcjpwYXNz"}};
        const auto r = s.client().post(s.url("/api/v1/ingest"), json, basic);
        REQUIRE(r);
        check_refused(s, *r, 401, "unauthorized", "Bearer");
    }
    SECTION("wrong method: 405") {
        const auto r = s.client().get(s.url("/api/v1/ingest"),
                                      net::Headers{{"Authorization", "Bearer " + key}});
        REQUIRE(r);
        CHECK(r->status == 405);
    }
    // After all of that, the scanner was never marked as seen.
    CHECK(s.query_value("SELECT last_seen_at::text FROM scanners WHERE scanner_id = $1",
                        "branch-1") == std::nullopt);
}

TEST_CASE("a backslash before u0000 is text, not a NUL: stored", "[cloud][ingest][refusal]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-1");
    std::string json = proto::to_json(fresh_batch("branch-1"));
    const auto at = json.find("\"model\":\"");
    REQUIRE(at != std::string::npos);
    json.insert(at + 9, "A\\\\u0000B");
    const auto r = s.ingest(key, json);
    INFO(r.body);
    CHECK(r.status == 200);
}

TEST_CASE("JSON bodies are bounded in nesting before parsing; the cloud stays up",
          "[cloud][refusal]") {
    // Defence in depth: bodies of these routes are capped at 16 KiB (8,000 levels at most,
    // within the stack), but nothing else kept RapidJSON's recursive parser from them.
    CloudServer s;
    const std::string deep = std::string(8000, '[') + std::string(8000, ']');
    for (const std::string& body : {deep, "{\"email\":" + deep + "}"}) {
        const auto r = s.client().post(s.url("/api/v1/auth/login"), body,
                                       net::Headers{{"Content-Type", "application/json"}});
        REQUIRE(r);
        INFO(r->body);
        CHECK(r->status == 400);
        CHECK(r->body.find("the body is nested deeper than 64 levels") != std::string::npos);
    }
    const auto health = s.client().get(s.url("/healthz"));
    REQUIRE(health);
    CHECK(health->status == 200);
}
