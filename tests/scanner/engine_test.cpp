// The net-snmp engine against a real snmpsim agent serving tests/data/snmprec/engine/*.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>

#include "free_udp.hpp"
#include "snmp/engine.hpp"
#include "snmp/fetch.hpp"
#include "state.hpp"

using namespace printmon::scanner::snmp;

namespace {

Target sim_target(const std::string& community, Version v = Version::v2c) {
    auto env = printmon::test::fixture_env("snmpsim");
    REQUIRE(env.has_value());  // the snmpsim fixture must have started
    Target t;
    t.host = env->at("SNMPSIM_HOST");
    t.port = static_cast<std::uint16_t>(std::stoi(env->at("SNMPSIM_PORT")));
    t.credentials.version = v;
    t.credentials.community = community;
    t.timeout = std::chrono::milliseconds(1000);
    t.retries = 1;
    return t;
}

Oid O(const char* s) { return *parse_oid(s); }

FetchResult run_fetch(Engine& engine, const Target& t, std::vector<Oid> scalars,
                      std::vector<Oid> subtrees, FetchOptions opts = {}) {
    auto s = engine.open(t);
    REQUIRE(s.has_value());
    FetchResult out;
    bool called = false;
    fetch(engine, *s, std::move(scalars), std::move(subtrees), opts, [&](FetchResult r) {
        out = std::move(r);
        called = true;
    });
    engine.run();
    REQUIRE(called);
    return out;
}

}  // namespace

TEST_CASE("GET reads scalars of every type", "[engine]") {
    Engine engine;
    auto r = run_fetch(
        engine, sim_target("engine/basic"),
        {O("1.3.6.1.2.1.1.1.0"), O("1.3.6.1.2.1.1.2.0"), O("1.3.6.1.2.1.1.3.0"),
         O("1.3.6.1.2.1.2.2.1.6.1"), O("1.3.6.1.2.1.43.10.2.1.4.1.1"), O("1.3.6.1.4.1.99999.2.1.0"),
         O("1.3.6.1.4.1.99999.2.2.0"), O("1.3.6.1.2.1.1.99.0")},
        {});
    REQUIRE(r.answered);
    CHECK(r.requests == 1);
    CHECK(r.view.at(O("1.3.6.1.2.1.1.1.0")).bytes == "Test Printer 9000 v1.2");
    CHECK(r.view.at(O("1.3.6.1.2.1.1.2.0")).oid == O("1.3.6.1.4.1.99999.1.1"));
    CHECK(r.view.at(O("1.3.6.1.2.1.1.3.0")).type == ValueType::timeticks);
    CHECK(r.view.at(O("1.3.6.1.2.1.1.3.0")).number == 123456);
    CHECK(r.view.at(O("1.3.6.1.2.1.2.2.1.6.1")).bytes ==
          std::string("\x00\x11\x22\x33\x44\xff", 6));
    // Counter32 at its maximum must not come back sign-extended.
    CHECK(r.view.at(O("1.3.6.1.2.1.43.10.2.1.4.1.1")).number == 4294967295LL);
    CHECK(r.view.at(O("1.3.6.1.4.1.99999.2.1.0")).type == ValueType::counter64);
    CHECK(r.view.at(O("1.3.6.1.4.1.99999.2.1.0")).number == 12345678901234LL);
    CHECK(r.view.at(O("1.3.6.1.4.1.99999.2.2.0")).number == 42);
    // A missing object is absent, not an error.
    CHECK(r.view.count(O("1.3.6.1.2.1.1.99.0")) == 0);
}

TEST_CASE("GETBULK walks several columns side by side in few requests", "[engine]") {
    Engine engine;
    auto r = run_fetch(engine, sim_target("engine/basic"), {},
                       {O("1.3.6.1.4.1.99999.3.1.2"), O("1.3.6.1.4.1.99999.3.1.3"),
                        O("1.3.6.1.4.1.99999.3.1.4"), O("1.3.6.1.4.1.99999.2")});
    REQUIRE(r.answered);
    CHECK(r.notes.empty());
    CHECK(r.view.size() == 902);
    CHECK(r.view.at(O("1.3.6.1.4.1.99999.3.1.2.300")).bytes == "row300");
    CHECK(r.view.at(O("1.3.6.1.4.1.99999.3.1.4.7")).number == 28);
    // snmpsim answers at most 64 varbinds per response (as small printers do): 902 values need
    // 15 full responses; walking the columns one by one would need more.
    CHECK(r.requests <= 16);
}

TEST_CASE("SNMPv1 walks with GETNEXT and survives noSuchName in a GET", "[engine]") {
    Engine engine;
    auto r =
        run_fetch(engine, sim_target("engine/basic", Version::v1),
                  {O("1.3.6.1.2.1.1.99.0"), O("1.3.6.1.2.1.1.5.0")}, {O("1.3.6.1.2.1.25.3.2.1")});
    REQUIRE(r.answered);
    CHECK(r.view.at(O("1.3.6.1.2.1.1.5.0")).bytes == "printer-lab-1");
    CHECK(r.view.count(O("1.3.6.1.2.1.1.99.0")) == 0);
    CHECK(r.view.at(O("1.3.6.1.2.1.25.3.2.1.5.1")).number == 2);
}

TEST_CASE("SNMPv1: missing objects in a GET are settled by one GETNEXT, not one request each",
          "[engine]") {
    // A partial agent is asked for every vendor's identity objects: most are missing, and
    // SNMPv1 fails the whole GET for each of them.
    std::vector<Oid> scalars = {O("1.3.6.1.2.1.1.1.0"), O("1.3.6.1.2.1.1.5.0"),
                                O("1.3.6.1.2.1.25.3.2.1.5.1"), O("1.3.6.1.4.1.99999.2.2.0"),
                                // absent, with rows of another column just before it
                                O("1.3.6.1.4.1.99999.3.1.3")};
    for (std::uint32_t n = 1; n <= 40; ++n) scalars.push_back({1, 3, 6, 1, 4, 1, 99998, n, 0});
    Engine engine;
    auto r = run_fetch(engine, sim_target("engine/basic", Version::v1), scalars, {});
    REQUIRE(r.answered);
    CHECK(r.view.at(O("1.3.6.1.2.1.1.1.0")).bytes == "Test Printer 9000 v1.2");
    CHECK(r.view.at(O("1.3.6.1.2.1.1.5.0")).bytes == "printer-lab-1");
    CHECK(r.view.at(O("1.3.6.1.2.1.25.3.2.1.5.1")).number == 2);
    CHECK(r.view.at(O("1.3.6.1.4.1.99999.2.2.0")).number == 42);
    CHECK(r.view.size() == 4);
    // GET, GETNEXT, two more GETNEXT steps past the rows before 99999.3.1.3, then that one
    // alone: 5, where dropping one missing object per GET took 42.
    CHECK(r.requests <= 5);

    // The same answers as SNMPv2c gives.
    Engine engine2;
    auto v2 = run_fetch(engine2, sim_target("engine/basic"), scalars, {});
    CHECK(v2.view == r.view);
}

TEST_CASE("SNMPv1: objects past the end of a v1-only agent's MIB are settled together",
          "[engine]") {
    // Other vendors' private objects numbered above everything the agent has: a GETNEXT of
    // each runs off the end of its MIB, which SNMPv1 reports for one varbind per request.
    std::vector<Oid> scalars = {O("1.3.6.1.2.1.1.1.0"), O("1.3.6.1.2.1.1.5.0")};
    for (std::uint32_t n = 1; n <= 30; ++n) scalars.push_back({1, 3, 6, 1, 4, 1, 999999, n, 0});
    FetchOptions v1_only;
    v1_only.v1_only_agent = true;  // discovery found it over SNMPv1 and not over SNMPv2c
    Engine engine;
    auto r = run_fetch(engine, sim_target("engine/basic", Version::v1), scalars, {}, v1_only);
    REQUIRE(r.answered);
    CHECK(r.view.size() == 2);
    CHECK(r.view.at(O("1.3.6.1.2.1.1.5.0")).bytes == "printer-lab-1");
    // GET, GETNEXT (the first past the end fails: all past it go), GETNEXT of the two: 3,
    // where one request per object past the end takes 32 (below).
    CHECK(r.requests <= 3);

    // An agent that may speak SNMPv2c may answer noSuchName for an object it cannot send
    // over v1 mid-MIB (engine/v1hole: 99999.7.1.2): no end, what lies past it is read, and
    // each object past the real end costs its request.
    Engine engine2;
    auto all = run_fetch(engine2, sim_target("engine/basic", Version::v1), scalars, {});
    CHECK(all.view == r.view);
    CHECK(all.requests > 30);
    Engine engine3;
    auto hole = run_fetch(
        engine3, sim_target("engine/v1hole", Version::v1),
        {O("1.3.6.1.4.1.99999.7.1.2"), O("1.3.6.1.4.1.99999.7.1.4"), O("1.3.6.1.4.1.99999.8.2.0"),
         O("1.3.6.1.4.1.999999.1.0"), O("1.3.6.1.4.1.999999.2.0")},
        {});
    CHECK(hole.view.at(O("1.3.6.1.4.1.99999.7.1.4")).number == 4);
    CHECK(hole.view.at(O("1.3.6.1.4.1.99999.8.2.0")).bytes == "the last object");
    CHECK(hole.view.size() == 2);
}

TEST_CASE("SNMPv1 walks read many rows and columns per request, the same as GETBULK", "[engine]") {
    // SNMPv1 has no GETBULK: one GETNEXT per cell walked this table entry (3 columns of 300
    // rows) in 900 requests. Guessed rows and columns ride along in each request: 23.
    const std::vector<Oid> subtrees = {O("1.3.6.1.4.1.99999.3.1"), O("1.3.6.1.2.1.25.3.2.1")};
    Engine engine;
    auto v1 = run_fetch(engine, sim_target("engine/basic", Version::v1), {}, subtrees);
    REQUIRE(v1.answered);
    CHECK(v1.notes.empty());
    Engine engine2;
    auto v2 = run_fetch(engine2, sim_target("engine/basic"), {}, subtrees);
    CHECK(v1.view.size() > 900);
    CHECK(v1.view == v2.view);
    CHECK(v1.requests <= 30);  // 23 on snmpsim
}

TEST_CASE("SNMPv1 walks with guesses miss nothing: gaps, deeper rows, the last arc, the end",
          "[engine]") {
    // Rows numbered with gaps, a column with fewer rows, two-arc indices with a row nested
    // under another, a row at the largest arc, a scalar after the table, the end of the MIB:
    // each a place where a guessed OID could skip an object.
    const auto recording = sim_target("engine/gaps", Version::v1);
    for (const auto& subtrees : std::vector<std::vector<Oid>>{
             {O("1.3.6.1.4.1.99999.5.1")},
             {O("1.3.6.1.4.1.99999.5.1.1"), O("1.3.6.1.4.1.99999.5.1.5"), O("1.3.6.1.4.1.99999.6")},
             {O("1.3.6.1.4.1.99999")},
             {O("1.3.6.1")}}) {
        INFO(to_string(subtrees.front()));
        Engine engine;
        auto v1 = run_fetch(engine, recording, {}, subtrees);
        REQUIRE(v1.answered);
        CHECK(v1.notes.empty());
        Engine engine2;
        auto v2 = run_fetch(engine2, sim_target("engine/gaps"), {}, subtrees);
        CHECK(v1.view == v2.view);
        CHECK(!v1.view.empty());
    }
    Engine engine;
    auto all = run_fetch(engine, recording, {}, {O("1.3.6.1")});
    CHECK(all.view.size() == 17);  // every line of the recording
    CHECK(all.view.at(O("1.3.6.1.4.1.99999.5.1.5.1.6.9")).bytes == "deeper");
    CHECK(all.view.at(O("1.3.6.1.4.1.99999.5.1.5.4294967295")).bytes == "last-arc");
    CHECK(all.view.at(O("1.3.6.1.4.1.99999.6.3.0")).bytes == "the last object");
}

TEST_CASE("SNMPv1: an object the agent cannot send mid-MIB ends only its own subtree", "[engine]") {
    // 99999.7.1.2 answers noSuchName to a GETNEXT that lands on it (snmpsim, like agents with
    // a value they cannot encode for SNMPv1): a plain walk stops there. The objects after it
    // in other subtrees, and the scalars around it, must still be read.
    const auto t = sim_target("engine/v1hole", Version::v1);
    Engine engine;
    auto r = run_fetch(engine, t,
                       {O("1.3.6.1.4.1.99999.7.1.2"), O("1.3.6.1.4.1.99999.7.1.3"),
                        O("1.3.6.1.4.1.99999.8.2.0"), O("1.3.6.1.2.1.1.1.0")},
                       {O("1.3.6.1.4.1.99999.7"), O("1.3.6.1.4.1.99999.8")});
    REQUIRE(r.answered);
    CHECK(r.view.at(O("1.3.6.1.2.1.1.1.0")).bytes == "Hole test agent");
    CHECK(r.view.at(O("1.3.6.1.4.1.99999.7.1.1")).number == 1);  // before the hole
    CHECK(r.view.at(O("1.3.6.1.4.1.99999.7.1.3")).number == 3);  // asked for itself
    CHECK(r.view.count(O("1.3.6.1.4.1.99999.7.1.2")) == 0);
    CHECK(r.view.at(O("1.3.6.1.4.1.99999.8.1.0")).bytes == "the next subtree");
    CHECK(r.view.at(O("1.3.6.1.4.1.99999.8.2.0")).bytes == "the last object");
}

TEST_CASE("SNMPv3 authPriv with a context name", "[engine]") {
    Engine engine;
    Target t = sim_target("", Version::v3);
    t.credentials.user = "simulator";
    t.credentials.auth_protocol = "MD5";
    t.credentials.auth_password = "auctoritas";
    t.credentials.priv_protocol = "DES";
    t.credentials.priv_password = "privatus";
    t.credentials.context = "engine/basic";
    auto r = run_fetch(engine, t, {O("1.3.6.1.2.1.1.5.0")}, {});
    REQUIRE(r.answered);
    CHECK(r.view.at(O("1.3.6.1.2.1.1.5.0")).bytes == "printer-lab-1");

    // An unknown user is refused by the agent: never reported as an answer.
    t.credentials.user = "intruder";
    Engine engine2;
    auto s = engine2.open(t);
    if (s) {
        bool ok = true;
        fetch(engine2, *s, {O("1.3.6.1.2.1.1.5.0")}, {}, {},
              [&](FetchResult fr) { ok = fr.answered; });
        engine2.run();
        CHECK_FALSE(ok);
    }
}

TEST_CASE("SNMPv3 with SHA-2 and AES, and authNoPriv", "[engine]") {
    struct Case {
        const char* user;
        const char* auth;
        const char* auth_pw;
        const char* priv;
        const char* priv_pw;
    };
    const Case cases[] = {
        {"sha256aes", "SHA-256", "authpassword1", "AES", "privpassword1"},
        {"sha512aes256", "SHA-512", "authpassword2", "AES-256", "privpassword2"},
        {"shanopriv", "SHA", "authpassword3", "", ""},
    };
    for (const auto& c : cases) {
        INFO(c.user);
        Engine engine;
        Target t = sim_target("", Version::v3);
        t.credentials.user = c.user;
        t.credentials.auth_protocol = c.auth;
        t.credentials.auth_password = c.auth_pw;
        t.credentials.priv_protocol = c.priv;
        t.credentials.priv_password = c.priv_pw;
        t.credentials.context = "engine/basic";
        auto r = run_fetch(engine, t, {O("1.3.6.1.2.1.1.5.0")}, {O("1.3.6.1.4.1.99999.2")});
        REQUIRE(r.answered);
        CHECK(r.view.at(O("1.3.6.1.2.1.1.5.0")).bytes == "printer-lab-1");
        CHECK(r.view.at(O("1.3.6.1.4.1.99999.2.1.0")).number == 12345678901234LL);
    }
}

TEST_CASE("a silent host times out without holding up the others", "[engine]") {
    Engine engine;
    Target dead = sim_target("engine/basic");
    dead.host = "127.0.0.1";
    dead.port = printmon::test::free_udp_port();  // nothing listens there
    dead.timeout = std::chrono::milliseconds(300);
    dead.retries = 0;
    Target wrong_community = sim_target("no-such-community");
    wrong_community.timeout = std::chrono::milliseconds(300);
    wrong_community.retries = 1;

    // The live ones are not what is tested: ten walks at once against one snmpsim process
    // (which answers slowly while a fresh clone's index is being built) may lose a request,
    // so they get retries enough that a partial read means the engine held them up.
    Target live = sim_target("engine/basic");
    live.retries = 3;

    std::vector<FetchResult> results(12);
    int finished = 0;
    std::vector<std::shared_ptr<Session>> sessions;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const Target& t = i == 0 ? dead : i == 1 ? wrong_community : live;
        auto s = engine.open(t);
        REQUIRE(s.has_value());
        fetch(engine, *s, {O("1.3.6.1.2.1.1.5.0")}, {O("1.3.6.1.4.1.99999.3.1.2")}, {},
              [&, i](FetchResult r) {
                  results[i] = std::move(r);
                  ++finished;
              });
    }
    const auto t0 = std::chrono::steady_clock::now();
    engine.run();
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    CHECK(finished == 12);
    REQUIRE(results[0].error.has_value());
    // A closed port on loopback is reported as an ICMP error or a timeout: never a success.
    CHECK((results[0].error->code == ErrorCode::unreachable ||
           results[0].error->code == ErrorCode::timeout));
    REQUIRE(results[1].error.has_value());
    CHECK(results[1].error->code == ErrorCode::timeout);
    for (std::size_t i = 2; i < results.size(); ++i) {
        CHECK(results[i].answered);
        CHECK(results[i].view.size() == 301);
    }
    CHECK(engine.stats().timeouts >= 1);
    // Generous bound: the silent ones take 2 x 300 ms; nothing runs serially behind them.
    CHECK(elapsed < std::chrono::seconds(5));
}

TEST_CASE("requests in flight never exceed the configured bound", "[engine]") {
    EngineOptions opts;
    opts.max_in_flight = 2;
    Engine engine(opts);
    int done = 0;
    for (int i = 0; i < 10; ++i) {
        auto s = engine.open(sim_target("engine/basic"));
        REQUIRE(s.has_value());
        fetch(engine, *s, {O("1.3.6.1.2.1.1.5.0")}, {}, {}, [&](FetchResult r) {
            CHECK(r.answered);
            ++done;
        });
    }
    engine.run();
    CHECK(done == 10);
    CHECK(engine.stats().requests_sent == 10);
}

TEST_CASE("bad targets are rejected at open", "[engine]") {
    Engine engine;
    Target t = sim_target("engine/basic");
    t.host = "no-such-host.invalid";
    auto s = engine.open(t);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().code == ErrorCode::bad_target);

    Target v3 = sim_target("", Version::v3);
    v3.credentials.user = "u";
    v3.credentials.auth_protocol = "SHA-999";
    v3.credentials.auth_password = "longenough";
    auto s3 = engine.open(v3);
    REQUIRE_FALSE(s3.has_value());
    CHECK(s3.error().detail.find("unknown SNMPv3 auth protocol") != std::string::npos);
}
