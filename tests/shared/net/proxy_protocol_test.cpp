// PROXY protocol parsing and trusted networks, byte by byte.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "net_test_support.hpp"
#include "printmon/net/proxy_protocol.hpp"

using namespace printmon::net;
using Status = ProxyParse::Status;

namespace {

// Feeds `bytes` the way the server reads: only as many as the parser asks for at a time, so
// a test sees whether it ever asks for more than the header.
ProxyParse feed(const std::string& bytes, std::size_t& read) {
    read = 0;
    for (;;) {
        const auto p = parse_proxy_header(std::string_view(bytes).substr(0, read));
        if (p.status != Status::incomplete) return p;
        REQUIRE(p.need > 0);
        if (read + p.need > bytes.size()) return p;
        read += p.need;
    }
}

}  // namespace

TEST_CASE("PROXY v1: TCP4, TCP6 and UNKNOWN lines", "[net][proxy]") {
    const std::string request = "GET / HTTP/1.1\r\n\r\n";
    const auto v4 = test::proxy_v1_header("203.0.113.7", 51000);
    std::size_t read = 0;
    auto p = feed(v4 + request, read);
    REQUIRE(p.status == Status::complete);
    CHECK(p.header.length == v4.size());
    CHECK(read <= v4.size());  // never asked for the request's bytes
    CHECK(p.header.source == "203.0.113.7");
    CHECK(p.header.source_port == 51000);

    p = parse_proxy_header(test::proxy_v1_header("2001:DB8:0:0::7", 1) + request);
    REQUIRE(p.status == Status::complete);
    CHECK(p.header.source == "2001:db8::7");  // canonical text

    p = parse_proxy_header("PROXY UNKNOWN\r\n" + request);
    REQUIRE(p.status == Status::complete);
    CHECK(p.header.length == 15);
    CHECK(p.header.source.empty());
    p = parse_proxy_header("PROXY UNKNOWN whatever follows\r\n");
    REQUIRE(p.status == Status::complete);
    CHECK(p.header.source.empty());
}

TEST_CASE("PROXY v1: malformed lines are refused, never half-read", "[net][proxy]") {
    for (const char* line : {
             "PROXY TCP4 999.0.113.7 127.0.0.1 1 443\r\n",  // no IPv4 address
             "PROXY TCP4 2001:db8::7 127.0.0.1 1 443\r\n",  // the wrong family
             "PROXY TCP6 203.0.113.7 ::1 1 443\r\n",
             "PROXY TCP4 203.0.113.7 127.0.0.1 65536 443\r\n",  // port out of range
             "PROXY TCP4 203.0.113.7 127.0.0.1 -1 443\r\n",
             "PROXY TCP4 203.0.113.7 127.0.0.1 1\r\n",  // a word missing
             "PROXY TCP4 203.0.113.7 127.0.0.1 1 443 extra\r\n",
             "PROXY TCP4  203.0.113.7 127.0.0.1 1 443\r\n",  // two spaces
             "PROXY UDP4 203.0.113.7 127.0.0.1 1 443\r\n",
             "PROXY \r\n",
         }) {
        INFO(line);
        const auto p = parse_proxy_header(line);
        CHECK(p.status == Status::invalid);
        CHECK_FALSE(p.error.empty());
    }
    // No CRLF within v1's 107 bytes: refused, not read on forever.
    const std::string endless = "PROXY TCP4 " + std::string(200, '1');
    std::size_t read = 0;
    CHECK(feed(endless, read).status == Status::invalid);
    CHECK(read <= 107);
}

TEST_CASE("PROXY v2: IPv4, IPv6, LOCAL, families without an address", "[net][proxy]") {
    const std::string tls_hello("\x16\x03\x01\x02\x00\x01", 6);
    const auto v4 = test::proxy_v2_header("198.51.100.23", 40000);
    CHECK(v4.size() == 16 + 12);
    std::size_t read = 0;
    auto p = feed(v4 + tls_hello, read);
    REQUIRE(p.status == Status::complete);
    CHECK(read == v4.size());
    CHECK(p.header.length == v4.size());
    CHECK(p.header.source == "198.51.100.23");
    CHECK(p.header.source_port == 40000);

    const auto v6 = test::proxy_v2_header("2001:db8::23", 443);
    p = feed(v6 + tls_hello, read);
    REQUIRE(p.status == Status::complete);
    CHECK(read == 16 + 36);
    CHECK(p.header.source == "2001:db8::23");

    const auto local = test::proxy_v2_header("", 0, true);
    p = parse_proxy_header(local + tls_hello);
    REQUIRE(p.status == Status::complete);
    CHECK(p.header.length == 16);
    CHECK(p.header.source.empty());

    // UNSPEC and UNIX families carry no address to take (the balancer's own is kept); TLVs
    // after the addresses are skipped with the header.
    std::string unspec = v4;
    unspec[13] = '\x00';
    p = parse_proxy_header(unspec);
    REQUIRE(p.status == Status::complete);
    CHECK(p.header.source.empty());
    std::string tlv = v4.substr(0, 14) + std::string("\x00\x10", 2) + v4.substr(16) +
                      std::string("\x04\x00\x01X", 4);
    p = parse_proxy_header(tlv + "rest");
    REQUIRE(p.status == Status::complete);
    CHECK(p.header.length == 32);
    CHECK(p.header.source == "198.51.100.23");
}

TEST_CASE("PROXY v2: wrong version, command, family, short or oversized blocks", "[net][proxy]") {
    const auto good = test::proxy_v2_header("198.51.100.23", 40000);
    const auto with = [&](std::size_t at, char value) {
        std::string bytes = good;
        bytes[at] = value;
        return bytes;
    };
    CHECK(parse_proxy_header(with(12, '\x11')).status == Status::invalid);  // version 1
    CHECK(parse_proxy_header(with(12, '\x22')).status == Status::invalid);  // command 2
    CHECK(parse_proxy_header(with(13, '\x41')).status == Status::invalid);  // family 4
    CHECK(parse_proxy_header(with(13, '\x13')).status == Status::invalid);  // transport 3
    // An IPv4 block of 8 bytes, an IPv6 one of 20: too short for the addresses they name.
    std::string short_v4 = good.substr(0, 14) + std::string("\x00\x08", 2) + good.substr(16, 8);
    CHECK(parse_proxy_header(short_v4).status == Status::invalid);
    std::string short_v6 =
        with(13, '\x21').substr(0, 14) + std::string("\x00\x14", 2) + std::string(20, '\x01');
    CHECK(parse_proxy_header(short_v6).status == Status::invalid);
    // A length of 65535: refused at once, not waited for.
    std::string huge = good.substr(0, 14) + std::string("\xff\xff", 2);
    CHECK(parse_proxy_header(huge).status == Status::invalid);
    // A signature off by one byte is no header at all.
    CHECK(parse_proxy_header(with(11, 'X')).status == Status::not_proxy);
}

TEST_CASE("bytes that are no PROXY header are told apart at the first byte that differs",
          "[net][proxy]") {
    const std::string tls_hello("\x16\x03\x01\x02\x00\x01", 6);
    CHECK(parse_proxy_header(tls_hello).status == Status::not_proxy);
    CHECK(parse_proxy_header("GET / HTTP/1.1\r\n").status == Status::not_proxy);
    CHECK(parse_proxy_header("POST /api HTTP/1.1\r\n").status == Status::not_proxy);
    // PROPFIND shares "PRO" with PROXY: undecided until its fourth byte.
    CHECK(parse_proxy_header("PRO").status == Status::incomplete);
    CHECK(parse_proxy_header("PROPFIND / HTTP/1.1\r\n").status == Status::not_proxy);
    CHECK(parse_proxy_header(std::string("\r\n\r\n\0", 5)).status == Status::incomplete);
    CHECK(parse_proxy_header("\r\n\r\nX").status == Status::not_proxy);
    CHECK(parse_proxy_header("").status == Status::incomplete);
}

TEST_CASE("trusted networks: IPv4, IPv6, single hosts, mapped addresses; bad entries refused",
          "[net][proxy]") {
    const NetworkList list({"10.0.0.0/8", "192.0.2.1", "2001:db8::/32", "172.16.0.0/12"});
    CHECK(list.contains("10.1.2.3"));
    CHECK(list.contains("::ffff:10.1.2.3"));  // an IPv4 client on a dual-stack socket
    CHECK(list.contains("192.0.2.1"));
    CHECK_FALSE(list.contains("192.0.2.2"));
    CHECK(list.contains("172.31.255.255"));
    CHECK_FALSE(list.contains("172.32.0.1"));
    CHECK(list.contains("2001:db8:ffff::1"));
    CHECK_FALSE(list.contains("2001:db9::1"));
    CHECK_FALSE(list.contains("11.0.0.1"));
    CHECK_FALSE(list.contains("not an address"));
    CHECK(NetworkList({"0.0.0.0/0"}).contains("203.0.113.7"));
    CHECK_FALSE(NetworkList({"0.0.0.0/0"}).contains("2001:db8::1"));
    CHECK(NetworkList().empty());
    for (const char* bad : {"10.0.0.0/33", "2001:db8::/129", "example.com", "10.0.0.0/", "/8",
                            "10.0.0.0/8x", "10.0.0.0/-1", ""}) {
        INFO(bad);
        CHECK_THROWS_AS(NetworkList({bad}), std::invalid_argument);
    }
}
