#include <catch2/catch.hpp>

#include "discovery/targets.hpp"

using namespace printmon::scanner::discovery;

TEST_CASE("CIDR blocks expand without network and broadcast", "[targets]") {
    auto hosts = expand_targets({"192.168.10.0/30"}, {});
    REQUIRE(hosts);
    CHECK(*hosts == std::vector<std::string>{"192.168.10.1", "192.168.10.2"});
    auto one = expand_targets({"10.1.2.3/32"}, {});
    REQUIRE(one);
    CHECK(*one == std::vector<std::string>{"10.1.2.3"});
    auto norm = expand_targets({"10.0.0.77/24"}, {});  // host bits are ignored
    REQUIRE(norm);
    CHECK(norm->size() == 254);
    CHECK(norm->front() == "10.0.0.1");
    CHECK(norm->back() == "10.0.0.254");
}

TEST_CASE("ranges, single addresses, host names and exclusions", "[targets]") {
    auto hosts = expand_targets({"10.0.0.250-10.0.1.2", "10.0.0.251", "printer.example"},
                                {"10.0.0.252", "10.0.1.0/31"});
    REQUIRE(hosts);
    CHECK(*hosts == std::vector<std::string>{"10.0.0.250", "10.0.0.251", "10.0.0.253", "10.0.0.254",
                                             "10.0.0.255", "10.0.1.2", "printer.example"});
}

TEST_CASE("bad targets are refused with the input named", "[targets]") {
    auto bad = [](const std::string& t) {
        auto r = expand_targets({t}, {});
        REQUIRE_FALSE(r);
        return r.error();
    };
    CHECK(bad("10.0.0.0/33") == "'10.0.0.0/33' is not a valid CIDR block (like 10.0.0.0/24)");
    CHECK(bad("10.0.0.9-10.0.0.1") == "range '10.0.0.9-10.0.0.1' ends before it starts");
    CHECK(bad("10.0.0.1-banana") ==
          "'10.0.0.1-banana' is not a valid range (like 10.0.0.5-10.0.0.20)");
    CHECK(bad("300.1.1.1") ==
          "'300.1.1.1' is not an address, range (a.b.c.d-e.f.g.h), CIDR block or host name");
    CHECK(bad("10.0.0.0/8") == "target '10.0.0.0/8' has 16777216 addresses; the limit is 65536");
    CHECK(bad("") == "empty target");
    auto ex = expand_targets({"10.0.0.1"}, {"nope/"});
    REQUIRE_FALSE(ex);
    CHECK(ex.error().rfind("exclusion ", 0) == 0);
}
