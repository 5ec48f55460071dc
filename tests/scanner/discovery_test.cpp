// Discovery and the walk command against a simulated LAN: one recording per loopback address
// (tests/data/printers plus a crafted non-printer), served by a private snmpsim.
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/cli.hpp"
#include "discovery/discover.hpp"
#include "discovery/targets.hpp"
#include "sim.hpp"
#include "snmp/snmprec.hpp"

namespace fs = std::filesystem;
using namespace printmon::scanner;
using printmon::test::TempDir;

namespace {

/// snmpsim in multi-address mode (community "public" on every address).
struct Lan {
    fs::path state;
    std::uint16_t port = 0;
    Lan(const fs::path& st, const fs::path& data, const std::string& first) : state(st) {
        const auto script = printmon::test::source_dir() + "/tests/support/snmpsim";
        REQUIRE(printmon::test::run_script(script + " start-multi " + state.string() + " " +
                                           data.string() + " " + first) == 0);
        port = static_cast<std::uint16_t>(
            std::stoi(printmon::test::read_env(state / "env", "SNMPSIM_PORT")));
    }
    ~Lan() {
        printmon::test::run_script(printmon::test::source_dir() + "/tests/support/snmpsim stop " +
                                   state.string());
    }
};

fs::path make_lan_data(const fs::path& dir) {
    const fs::path src = fs::path(printmon::test::source_dir()) / "tests/data/printers";
    fs::create_directories(dir);
    for (const char* f : {"brother-l2710", "hp-m477", "kyocera-m2540", "ricoh-mpc3004"}) {
        fs::copy_file(src / (std::string(f) + ".snmprec"), dir / (std::string(f) + ".snmprec"));
    }
    // A router: answers SNMP, is no printer.
    std::ofstream(dir / "zz-router.snmprec") << "1.3.6.1.2.1.1.1.0|4|Linux edge-router 6.1\n"
                                                "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10\n"
                                                "1.3.6.1.2.1.1.5.0|4|edge\n";
    return dir;
}

/// `printmon-scanner ARGS...` in process; its exit status.
int cli(std::vector<std::string> args) {
    args.insert(args.begin(), "printmon-scanner");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return run_cli(static_cast<int>(argv.size()), argv.data());
}

/// What the CLI writes to one of its streams while this lives.
struct CaptureStream {
    std::ostream& stream;
    std::ostringstream text;
    std::streambuf* saved;
    explicit CaptureStream(std::ostream& s) : stream(s), saved(s.rdbuf(text.rdbuf())) {}
    ~CaptureStream() { stream.rdbuf(saved); }
    CaptureStream(const CaptureStream&) = delete;
    CaptureStream& operator=(const CaptureStream&) = delete;
};

snmp::Credentials community(const std::string& c, snmp::Version v = snmp::Version::v2c) {
    snmp::Credentials cred;
    cred.version = v;
    cred.community = c;
    return cred;
}

}  // namespace

TEST_CASE("discovery finds printers with vendor and model, honours exclusions", "[discovery]") {
    TempDir tmp;
    Lan lan(tmp.path / "sim", make_lan_data(tmp.path / "data"), "127.0.9.1");
    auto hosts = discovery::expand_targets({"127.0.9.0/28"}, {"127.0.9.3"});
    REQUIRE(hosts);
    CHECK(hosts->size() == 13);
    const auto profiles = ProfileSet::embedded();
    discovery::DiscoverOptions opts;
    opts.port = lan.port;
    opts.timeout = std::chrono::milliseconds(600);

    snmp::Engine engine;
    std::size_t last_done = 0;
    // The wrong community first: the answer must be remembered as credential set 1.
    auto report =
        discovery::discover(engine, *hosts, {community("wrong"), community("public")}, profiles,
                            opts, [&](std::size_t done, std::size_t) { last_done = done; });
    CHECK(last_done == 13);
    CHECK(report.hosts_scanned == 13);
    CHECK(report.answered == 4);  // 3 printers (one excluded) + the router
    REQUIRE(report.found.size() == 3);
    CHECK(report.found[0].address == "127.0.9.1");
    CHECK(report.found[0].classification.vendor == "Brother");
    CHECK(report.found[0].classification.model == "MFC-L2710DW");  // as its polls say
    CHECK(report.found[1].address == "127.0.9.2");
    CHECK(report.found[1].classification.vendor == "HP");
    CHECK(report.found[2].address == "127.0.9.4");
    CHECK(report.found[2].classification.vendor == "Ricoh");
    CHECK(report.found[2].classification.model == "MP C3004");
    for (const auto& f : report.found) {
        CHECK(f.credential_index == 1);
        CHECK(f.classification.is_printer);
    }

    // --all also lists the router, as not a printer; SNMPv1 credentials work the same way.
    opts.include_non_printers = true;
    snmp::Engine engine2;
    auto all = discovery::discover(engine2, *hosts, {community("public", snmp::Version::v1)},
                                   profiles, opts);
    REQUIRE(all.found.size() == 4);
    CHECK(all.found[3].address == "127.0.9.5");
    CHECK_FALSE(all.found[3].classification.is_printer);
    CHECK(all.found[3].credential_index == 0);
}

TEST_CASE("walk records a device that snmpsim can replay", "[walk]") {
    TempDir tmp;
    Lan lan(tmp.path / "sim", make_lan_data(tmp.path / "data"), "127.0.9.17");
    const auto out = (tmp.path / "hp.snmprec").string();
    const std::string host = "127.0.9.18:" + std::to_string(lan.port);
    REQUIRE(cli({"walk", host, "-c", "public", "-o", out}) == 0);

    auto recorded = snmp::read_snmprec_file(out);
    REQUIRE(recorded);
    auto original = snmp::read_snmprec_file(printmon::test::source_dir() +
                                            "/tests/data/printers/hp-m477.snmprec");
    REQUIRE(original);
    CHECK(*recorded == *original);

    // A host that does not answer: clear error, non-zero exit, no file left behind.
    const auto missing = (tmp.path / "none.snmprec").string();
    CHECK(cli({"walk", "127.0.9.30:" + std::to_string(lan.port), "-c", "public", "-o", missing,
               "-t", "200", "-r", "0"}) == 1);
    CHECK_FALSE(fs::exists(missing));
}

TEST_CASE("walk records a large device whole: its vendor subtree after 21,000 other values",
          "[walk]") {
    // The vendor's subtree comes last in OID order; a cut at the collector's per-column guard
    // (20,000) would lose exactly what support needs.
    TempDir tmp;
    const auto data = tmp.path / "big";
    fs::create_directories(data);
    {
        std::ofstream f(data / "big.snmprec");
        f << "1.3.6.1.2.1.1.1.0|4|Brother HL-L5100DN series\n";
        for (int i = 1; i <= 21000; ++i)
            f << "1.3.6.1.2.1.25.6.3.1.2." << i << "|4|package-" << i << "\n";
        f << "1.3.6.1.4.1.2435.2.3.9.1.1.7.0|4|MFG:Brother;MDL:HL-L5100DN series;\n";
    }
    Lan lan(tmp.path / "sim", data, "127.0.9.50");
    const auto out = (tmp.path / "big-walk.snmprec").string();
    REQUIRE(cli({"walk", "127.0.9.50:" + std::to_string(lan.port), "-c", "public", "-o", out}) ==
            0);
    const auto recorded = snmp::read_snmprec_file(out);
    REQUIRE(recorded);
    CHECK(recorded->size() == 21002);
    CHECK(recorded->count(*snmp::parse_oid("1.3.6.1.4.1.2435.2.3.9.1.1.7.0")) == 1);
}

TEST_CASE("walk leaves the office out of the file unless told to keep it", "[walk]") {
    TempDir tmp;
    const auto data = tmp.path / "office";
    fs::create_directories(data);
    std::ofstream(data / "office.snmprec")
        << "1.3.6.1.2.1.1.1.0|4|HP LaserJet M404dn\n"
           "1.3.6.1.2.1.1.4.0|4|ivan.petrov@corp.example.ru\n"
           "1.3.6.1.2.1.1.6.0|4|Room 305\n"
           "1.3.6.1.2.1.4.22.1.3.1.10.1.2.31|64|10.1.2.31\n"
           "1.3.6.1.2.1.43.5.1.1.17.1|4|PHB8K01234\n"
           "1.3.6.1.2.1.43.16.5.1.2.1.1|4|Scan to ivan@corp.example.ru failed\n";
    Lan lan(tmp.path / "sim", data, "127.0.9.40");
    const std::string host = "127.0.9.40:" + std::to_string(lan.port);
    const auto walk = [&](const std::string& out, bool keep) {
        std::vector<std::string> args = {"walk", host, "-c", "public", "-o", out};
        if (keep) args.emplace_back("--no-redact");
        return cli(args);
    };
    const auto redacted = (tmp.path / "redacted.snmprec").string();
    REQUIRE(walk(redacted, false) == 0);
    std::stringstream text;
    text << std::ifstream(redacted).rdbuf();
    CHECK(text.str().find("ivan") == std::string::npos);
    CHECK(text.str().find("305") == std::string::npos);
    CHECK(text.str().find("1.3.6.1.2.1.4.22") == std::string::npos);
    CHECK(text.str().find("PHB8K01234") != std::string::npos);
    CHECK(text.str().find("redacted@example.invalid") != std::string::npos);

    const auto kept = (tmp.path / "kept.snmprec").string();
    REQUIRE(walk(kept, true) == 0);
    const auto recorded = snmp::read_snmprec_file(kept);
    const auto original = snmp::read_snmprec_file((data / "office.snmprec").string());
    REQUIRE(recorded);
    REQUIRE(original);
    CHECK(*recorded == *original);
}

namespace {

/// snmpsim on one address in its default mode: the community (or the SNMPv3 context name) is
/// the recording's path under the data folder; SNMPv3 user "simulator" (MD5/DES).
struct Agent {
    fs::path state;
    std::string host;
    std::uint16_t port = 0;
    Agent(const fs::path& st, const fs::path& data, const std::string& address) : state(st) {
        const auto script = printmon::test::source_dir() + "/tests/support/snmpsim";
        REQUIRE(printmon::test::run_script(script + " start " + state.string() + " " +
                                           data.string() + " " + address) == 0);
        host = printmon::test::read_env(state / "env", "SNMPSIM_HOST");
        port = static_cast<std::uint16_t>(
            std::stoi(printmon::test::read_env(state / "env", "SNMPSIM_PORT")));
    }
    ~Agent() {
        printmon::test::run_script(printmon::test::source_dir() + "/tests/support/snmpsim stop " +
                                   state.string());
    }
};

snmp::Credentials v3_user(const std::string& context) {
    snmp::Credentials c;
    c.version = snmp::Version::v3;
    c.user = "simulator";
    c.auth_protocol = "MD5";
    c.auth_password = "auctoritas";
    c.priv_protocol = "DES";
    c.priv_password = "privatus";
    c.context = context;
    return c;
}

}  // namespace

TEST_CASE("discovery: an SNMPv3 context name, and a set that shows no printer is not the last",
          "[discovery]") {
    TempDir tmp;
    const auto data = tmp.path / "data";
    fs::create_directories(data / "mfp");
    fs::copy_file(fs::path(printmon::test::source_dir()) / "tests/data/printers/hp-m477.snmprec",
                  data / "mfp" / "hp-m477.snmprec");
    // The same agent without its Printer-MIB: what an MFP shows outside its printer context.
    std::ofstream(data / "system.snmprec") << "1.3.6.1.2.1.1.1.0|4|Linux mfp 4.9.0 armv7l\n"
                                              "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10\n"
                                              "1.3.6.1.2.1.1.5.0|4|mfp\n";
    Agent agent(tmp.path / "sim", data, "127.0.9.33");
    const auto profiles = ProfileSet::embedded();
    discovery::DiscoverOptions opts;
    opts.port = agent.port;
    opts.timeout = std::chrono::milliseconds(600);
    opts.retries = 0;

    // The set without a context gets no answer here (snmpsim knows no default context); the
    // one naming the printer's context finds it, and is remembered for the polls.
    snmp::Engine engine;
    auto report = discovery::discover(engine, {agent.host}, {v3_user(""), v3_user("mfp/hp-m477")},
                                      profiles, opts);
    REQUIRE(report.found.size() == 1);
    CHECK(report.found[0].credential_index == 1);
    CHECK(report.found[0].classification.vendor == "HP");
    CHECK(report.found[0].classification.is_printer);

    // A set whose answer shows no printer is not the end: the next one is tried.
    snmp::Engine engine2;
    report = discovery::discover(engine2, {agent.host},
                                 {community("system"), community("mfp/hp-m477")}, profiles, opts);
    CHECK(report.answered == 1);
    REQUIRE(report.found.size() == 1);
    CHECK(report.found[0].credential_index == 1);
    CHECK(report.found[0].classification.vendor == "HP");

    // With only that set it is reported as a non-printer when asked for (--all), once.
    opts.include_non_printers = true;
    snmp::Engine engine3;
    report = discovery::discover(engine3, {agent.host}, {community("system"), community("none")},
                                 profiles, opts);
    CHECK(report.answered == 1);
    REQUIRE(report.found.size() == 1);
    CHECK(report.found[0].credential_index == 0);
    CHECK_FALSE(report.found[0].classification.is_printer);
}

TEST_CASE("discovery: a printer that is not hrDevice row 1 is found by one more walk",
          "[discovery]") {
    TempDir tmp;
    const auto data = tmp.path / "data";
    fs::create_directories(data);
    // Row 1 a processor, row 2 a network card, row 3 the printer (a Lexmark, named only by
    // hrDeviceDescr.3); and a server whose table holds no printer at all.
    const std::string src = printmon::test::source_dir() + "/tests/data/";
    fs::copy_file(src + "snmprec/partial/printer-row-3.snmprec", data / "a-printer-row-3.snmprec");
    std::ofstream(data / "b-server.snmprec") << "1.3.6.1.2.1.1.1.0|4|Linux files 6.1.0 x86_64\n"
                                                "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10\n"
                                                "1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.3\n"
                                                "1.3.6.1.2.1.25.3.2.1.2.2|6|1.3.6.1.2.1.25.3.1.4\n"
                                                "1.3.6.1.2.1.25.3.2.1.3.1|4|Intel Xeon\n"
                                                "1.3.6.1.2.1.25.3.2.1.3.2|4|eth0\n";
    fs::copy_file(src + "printers/hp-m477.snmprec", data / "c-hp.snmprec");
    Lan lan(tmp.path / "sim", data, "127.0.9.81");
    const auto profiles = ProfileSet::embedded();
    discovery::DiscoverOptions opts;
    opts.port = lan.port;
    opts.timeout = std::chrono::milliseconds(600);
    const std::vector<std::string> hosts = {"127.0.9.81", "127.0.9.82", "127.0.9.83"};

    snmp::Engine engine;
    auto report = discovery::discover(engine, hosts, {community("public")}, profiles, opts);
    CHECK(report.answered == 3);
    REQUIRE(report.found.size() == 2);
    CHECK(report.found[0].address == "127.0.9.81");
    CHECK(report.found[0].classification.is_printer);
    CHECK(report.found[0].classification.vendor == "Lexmark");
    CHECK(report.found[0].classification.model == "MS421dn");  // row 3's, not row 1's "CPU"
    CHECK(report.found[1].address == "127.0.9.83");
    // One GET each (and its one-object SNMPv1 twin), plus one walk of the hrDevice table for
    // the two whose row 1 is no printer.
    CHECK(report.requests == 8);

    opts.include_non_printers = true;
    snmp::Engine engine2;
    report = discovery::discover(engine2, hosts, {community("public")}, profiles, opts);
    REQUIRE(report.found.size() == 3);
    CHECK(report.found[1].address == "127.0.9.82");
    CHECK_FALSE(report.found[1].classification.is_printer);
}

TEST_CASE("discovery: an SNMPv1-only agent is found over v1 with a v2c set's community",
          "[discovery]") {
    TempDir tmp;
    const auto data = tmp.path / "data";
    fs::create_directories(data);
    fs::copy_file(fs::path(printmon::test::source_dir()) / "tests/data/printers/hp-m477.snmprec",
                  data / "public.snmprec");
    Agent agent(tmp.path / "sim", data, "127.0.9.97");
    // The same printer behind an agent that drops every v2c message (RFC 3584), as old print
    // servers do.
    printmon::test::BadAgent v1_only("v1only", tmp.path,
                                     agent.host + ":" + std::to_string(agent.port));
    const auto profiles = ProfileSet::embedded();
    discovery::DiscoverOptions opts;
    opts.port = v1_only.port;
    opts.timeout = std::chrono::milliseconds(600);
    opts.retries = 0;

    // The default "public" set is of version 2c: its community asked over v1 finds it.
    snmp::Engine engine;
    auto report = discovery::discover(engine, {"127.0.0.1"}, {community("public")}, profiles, opts);
    CHECK(report.answered == 1);
    REQUIRE(report.found.size() == 1);
    CHECK(report.found[0].v1_fallback);
    CHECK(report.found[0].credential_index == 0);
    CHECK(report.found[0].classification.is_printer);
    CHECK(report.found[0].classification.vendor == "HP");

    // Without the v1 twin the agent is silent: what the default set alone saw before.
    opts.v1_fallback = false;
    snmp::Engine engine2;
    report = discovery::discover(engine2, {"127.0.0.1"}, {community("public")}, profiles, opts);
    CHECK(report.answered == 0);
    CHECK(report.found.empty());

    // An agent answering both versions is kept on the set's own (v2c); a v1 set is its own.
    opts.v1_fallback = true;
    opts.port = agent.port;
    snmp::Engine engine3;
    report = discovery::discover(engine3, {agent.host}, {community("public")}, profiles, opts);
    REQUIRE(report.found.size() == 1);
    CHECK_FALSE(report.found[0].v1_fallback);
    CHECK(report.requests == 2);  // the set's GET and its one-object v1 twin, sent together
    opts.port = v1_only.port;
    snmp::Engine engine4;
    report = discovery::discover(engine4, {"127.0.0.1"}, {community("public", snmp::Version::v1)},
                                 profiles, opts);
    REQUIRE(report.found.size() == 1);
    CHECK_FALSE(report.found[0].v1_fallback);
    CHECK(report.found[0].classification.vendor == "HP");

    // The CLI: discover says which version answered; walk, which asks the version given, says
    // what to try when v2c gets no answer, and records the device over v1.
    const std::string relay = "127.0.0.1:" + std::to_string(v1_only.port);
    {
        CaptureStream out(std::cout);
        REQUIRE(cli({"discover", "127.0.0.1", "-p", std::to_string(v1_only.port), "-t", "600", "-r",
                     "0", "--json"}) == 0);
        CHECK(out.text.str().find(R"("snmp_version": "1")") != std::string::npos);
    }
    const auto walked = (tmp.path / "old-printer.snmprec").string();
    {
        CaptureStream err(std::cerr);
        CHECK(cli({"walk", relay, "-c", "public", "-t", "300", "-r", "0", "-o", walked}) == 1);
        CHECK(err.text.str().find("if its agent speaks SNMPv1 only, try -v 1") !=
              std::string::npos);
    }
    CHECK_FALSE(fs::exists(walked));
    {
        CaptureStream err(std::cerr);
        REQUIRE(cli({"walk", relay, "-c", "public", "-v", "1", "-o", walked}) == 0);
    }
    CHECK(fs::exists(walked));
}

TEST_CASE("discovery asks every host of a range larger than the sockets it may open",
          "[discovery]") {
    TempDir tmp;
    // The printers at the end of a /23: every host before them is silent.
    Lan lan(tmp.path / "sim", make_lan_data(tmp.path / "data"), "127.0.19.250");
    const auto hosts = discovery::expand_targets({"127.0.18.0/23"}, {});
    REQUIRE(hosts);
    REQUIRE(hosts->size() == 510);
    // A soft limit of 200 descriptors, as a constrained unit might set: 510 hosts asked over v2c
    // and v1 at once would need 1,020 sockets. Before, every session past the limit failed to
    // open and its host went unasked, silently; now the window fits the limit.
    rlimit saved{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
    struct Restore {
        rlimit limit;
        ~Restore() { setrlimit(RLIMIT_NOFILE, &limit); }
    } restore{saved};
    rlimit low = saved;
    low.rlim_cur = 200;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);

    discovery::DiscoverOptions opts;
    opts.port = lan.port;
    opts.timeout = std::chrono::milliseconds(200);
    opts.retries = 0;
    snmp::Engine engine;
    const auto report =
        discovery::discover(engine, *hosts, {community("public")}, ProfileSet::embedded(), opts);
    CHECK(report.open_failures == 0);
    CHECK(report.open_error.empty());
    CHECK(report.answered == 5);  // four printers and the router
    REQUIRE(report.found.size() == 4);
    CHECK(report.found[0].address == "127.0.19.250");
    CHECK(report.found[3].address == "127.0.19.253");
}

TEST_CASE("discovery counts a host it could not ask and says why", "[discovery]") {
    // A name in a range that does not resolve (RFC 2606 reserves .invalid): its session cannot
    // open, so it is counted and the reason kept, for the log and the discovery page.
    discovery::DiscoverOptions opts;
    opts.timeout = std::chrono::milliseconds(200);
    opts.retries = 0;
    snmp::Engine engine;
    const auto report = discovery::discover(engine, {"printer-7.invalid"}, {community("public")},
                                            ProfileSet::embedded(), opts);
    CHECK(report.hosts_scanned == 1);
    CHECK(report.found.empty());
    CHECK(report.open_failures == 1);
    CHECK(report.hosts_unasked == 1);
    CHECK(report.open_error.find("printer-7.invalid") != std::string::npos);

    // With three sets it is still one host not asked (three attempts that could not open).
    const auto three = discovery::discover(engine, {"printer-7.invalid"},
                                           {community("a"), community("b"), community("public")},
                                           ProfileSet::embedded(), opts);
    CHECK(three.open_failures == 3);
    CHECK(three.hosts_unasked == 1);
}
