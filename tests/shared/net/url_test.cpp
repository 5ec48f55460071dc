// parse_url and is_loopback_host: what the uploader connects to and what may go in clear.
#include <catch2/catch.hpp>

#include "printmon/net/client.hpp"

using printmon::net::is_loopback_host;
using printmon::net::parse_url;

TEST_CASE("parse_url reads the host the client connects to", "[net][url]") {
    auto u = parse_url("http://[::1]:8443/base?x=1#f");
    REQUIRE(u);
    CHECK_FALSE(u->https);
    CHECK(u->host == "::1");
    CHECK(u->port == "8443");
    CHECK(u->target == "/base?x=1");
    u = parse_url("HTTPS://cloud.example");
    REQUIRE(u);
    CHECK(u->https);
    CHECK(u->host == "cloud.example");
    CHECK(u->port == "443");
    u = parse_url("http://127.attacker.example:80/");
    REQUIRE(u);
    CHECK(u->host == "127.attacker.example");
    for (const char* bad :
         {"ftp://x", "http://", "http://:80", "http://127.0.0.1@evil.example", "http://[::1",
          "http://[::1]x", "http://h:0", "http://h:65536", "http://h:8a"}) {
        INFO(bad);
        CHECK_FALSE(parse_url(bad));
    }
}

TEST_CASE("is_loopback_host takes only loopback literals and exactly localhost", "[net][url]") {
    for (const char* yes : {"127.0.0.1", "127.1.2.3", "127.255.255.255", "::1", "0:0:0:0:0:0:0:1",
                            "localhost", "LocalHost"}) {
        INFO(yes);
        CHECK(is_loopback_host(yes));
    }
    for (const char* no : {"127.attacker.example", "127.0.0.1.attacker.example",
                           "localhost.attacker.example", "localhost.", "128.0.0.1", "10.0.0.1",
                           "::2", "::", "::ffff:10.0.0.1", "[::1]", "127.1", "0x7f000001", ""}) {
        INFO(no);
        CHECK_FALSE(is_loopback_host(no));
    }
}
