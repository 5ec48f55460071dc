// Devices that misbehave must not crash, hang or poison the others: each yields a snapshot
// with what could be read plus a reason, or a clear error. Recordings are crafted here and
// served by a real snmpsim; the two faults snmpsim cannot produce (walk loops, non-BER
// garbage) come from tests/support/bad_agent.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/probe.hpp"
#include "sim.hpp"
#include "state.hpp"

namespace fs = std::filesystem;
using namespace printmon::scanner;
using printmon::test::BadAgent;
using printmon::test::Sim;
using printmon::test::TempDir;

namespace {

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

const char* kSystem =
    "1.3.6.1.2.1.1.1.0|4|ACME LaserWriter 100\n"
    "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99998.1\n"
    "1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.5\n";

snmp::Target target(std::uint16_t port, const std::string& community) {
    snmp::Target t;
    t.host = "127.0.0.1";
    t.port = port;
    t.credentials.community = community;
    t.timeout = std::chrono::milliseconds(500);
    t.retries = 0;
    return t;
}

}  // namespace

TEST_CASE("misbehaving devices yield partial snapshots and leave the others intact", "[bad]") {
    TempDir tmp;
    const fs::path data = tmp.path / "data";
    const std::string src = printmon::test::source_dir();
    fs::create_directories(data);
    fs::copy_file(src + "/tests/data/printers/hp-m477.snmprec", data / "good.snmprec");
    fs::copy_file(src + "/tests/data/collector/wrongtypes.snmprec", data / "wrongtypes.snmprec");
    fs::copy_file(src + "/tests/data/collector/nosuch.snmprec", data / "nosuch.snmprec");
    {
        // An endless supplies table: far more rows than any printer has.
        std::string t = kSystem;
        for (int i = 1; i <= 3000; ++i) {
            t += "1.3.6.1.2.1.43.11.1.1.6.1." + std::to_string(i) + "|4|supply " +
                 std::to_string(i) + "\n";
        }
        write(data / "endless.snmprec", t);
    }
    // Oversized and truncated values: a 20 KB description, a 3-byte MAC, an empty error state.
    write(data / "oversized.snmprec", std::string(kSystem) +
                                          "1.3.6.1.2.1.2.2.1.6.1|4x|001122\n"
                                          "1.3.6.1.2.1.25.3.5.1.2.1|4|\n"
                                          "1.3.6.1.2.1.43.5.1.1.17.1|4|" +
                                          std::string(20000, 'S') + "\n");
    // A slow agent: the Printer-MIB answers after 2 s, beyond the 500 ms timeout. It gets its
    // own snmpsim: snmpsim's delay blocks its whole process, which would slow every device it
    // serves (a simulator limit, not a scanner one).
    write(tmp.path / "slowdata" / "slow.snmprec",
          std::string(kSystem) + "1.3.6.1.2.1.43.10.2.1.4.1.1|65:delay|value=1234,wait=2000\n");
    Sim sim(tmp.path / "sim", data);
    Sim slow_sim(tmp.path / "slowsim", tmp.path / "slowdata");
    BadAgent loop("loop", tmp.path);
    BadAgent garbage("garbage", tmp.path);

    const auto profiles = ProfileSet::embedded();
    snmp::FetchOptions opts;
    opts.max_per_subtree = 1000;

    // The good printer alone first: the reference.
    ProbeOutcome alone;
    {
        snmp::Engine engine;
        probe_device(
            engine, target(sim.port, "good"), profiles,
            [&](ProbeOutcome o) { alone = std::move(o); }, opts);
        engine.run();
    }
    REQUIRE(alone.result.has_value());

    std::map<std::string, ProbeOutcome> out;
    snmp::Engine engine;
    const std::vector<std::pair<std::string, snmp::Target>> devices = {
        {"good", target(sim.port, "good")},
        {"wrongtypes", target(sim.port, "wrongtypes")},
        {"nosuch", target(sim.port, "nosuch")},
        {"endless", target(sim.port, "endless")},
        {"oversized", target(sim.port, "oversized")},
        {"slow", target(slow_sim.port, "slow")},
        {"loop", target(loop.port, "public")},
        {"garbage", target(garbage.port, "public")},
    };
    for (const auto& [name, t] : devices) {
        probe_device(
            engine, t, profiles, [&out, n = name](ProbeOutcome o) { out[n] = std::move(o); }, opts);
    }
    const auto t0 = std::chrono::steady_clock::now();
    engine.run();
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
    REQUIRE(out.size() == devices.size());

    // The good one reads exactly as it does alone (polled_at aside).
    REQUIRE(out["good"].result.has_value());
    auto good = out["good"].result->snapshot;
    good.polled_at = alone.result->snapshot.polled_at;
    CHECK(good == alone.result->snapshot);

    for (const char* name : {"wrongtypes", "nosuch", "endless", "oversized", "slow", "loop"}) {
        INFO(name);
        if (out[name].result) {
            for (const auto& n : out[name].result->notes) UNSCOPED_INFO("note: " << n);
        }
        REQUIRE(out[name].result.has_value());  // answered: a snapshot with what was readable
    }
    CHECK_FALSE(out["wrongtypes"].result->notes.empty());

    const auto has_note = [&](const std::string& dev, const std::string& needle) {
        for (const auto& n : out[dev].result->notes) {
            if (n.find(needle) != std::string::npos) return true;
        }
        return false;
    };
    CHECK(has_note("endless", "truncated at 1000"));
    CHECK(has_note("loop", "non-increasing OID"));
    CHECK(has_note("slow", "timeout"));
    CHECK(out["slow"].result->snapshot.identity.sys_descr == "ACME LaserWriter 100");
    CHECK(out["oversized"].result->snapshot.identity.serial.size() <= 20000);
    CHECK(out["oversized"].result->snapshot.status.errors.empty());

    // Garbage never becomes a reading: the device is reported as not answering.
    CHECK_FALSE(out["garbage"].result.has_value());
    REQUIRE(out["garbage"].error.has_value());
    CHECK(out["garbage"].error->code == snmp::ErrorCode::timeout);
}

TEST_CASE("a 30,000-character sysDescr is read, capped and survives", "[bad][hostile]") {
    // Issue 14: "HP ... PID:" and 30,000 'A's sent std::regex into a stack overflow while the
    // HP profile's model pattern ran over it, on every poll of the stored device.
    TempDir tmp;
    const fs::path data = tmp.path / "data";
    const std::string descr = "HP LaserJet PID:" + std::string(30000, 'A');
    write(data / "huge.snmprec", "1.3.6.1.2.1.1.1.0|4|" + descr +
                                     "\n"
                                     "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.11.2.3.9.1\n"
                                     "1.3.6.1.2.1.1.5.0|4|" +
                                     std::string(5000, 'N') +
                                     "\n"
                                     "1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.5\n");
    Sim sim(tmp.path / "sim", data);

    const auto profiles = ProfileSet::embedded();  // probe_device keeps a reference
    ProbeOutcome out;
    snmp::Engine engine;
    probe_device(
        engine, target(sim.port, "huge"), profiles, [&](ProbeOutcome o) { out = std::move(o); },
        snmp::FetchOptions{});
    engine.run();
    REQUIRE(out.result.has_value());
    const auto& id = out.result->snapshot.identity;
    CHECK(id.vendor == "HP");
    // What is stored and uploaded: the MIB's DisplayString size, the start of what was sent.
    CHECK(id.sys_descr == descr.substr(0, 255));
    CHECK(id.sys_name == std::string(255, 'N'));
    CHECK_FALSE(id.model.empty());
    CHECK(id.model.size() <= 255);
}

TEST_CASE("an SNMPv1 agent that takes only small messages is still read in full", "[bad]") {
    // A v1 walk asks many varbinds per GETNEXT (guessed rows and columns, fetch.cpp). An agent
    // limited to 484-octet messages answers tooBig, or nothing, and one limited to 8 varbinds
    // answers genErr: the walk asks fewer at a time and loses nothing.
    TempDir tmp;
    const fs::path data = tmp.path / "data";
    const std::string src = printmon::test::source_dir();
    fs::create_directories(data);
    fs::copy_file(src + "/tests/data/printers/hp-m477.snmprec", data / "public.snmprec");
    Sim sim(tmp.path / "sim", data);
    const std::string upstream = sim.host + ":" + std::to_string(sim.port);
    const auto profiles = ProfileSet::embedded();  // probe_device keeps a reference
    auto read = [&](const std::string& mode) {
        BadAgent agent(mode, tmp.path, upstream);
        auto t = target(agent.port, "public");
        t.credentials.version = snmp::Version::v1;
        t.timeout = std::chrono::milliseconds(300);
        snmp::Engine engine;
        ProbeOutcome out;
        probe_device(engine, t, profiles, [&](ProbeOutcome o) { out = std::move(o); });
        engine.run();
        REQUIRE(out.result.has_value());
        return out;
    };
    const auto plain = read("v1only");
    for (const std::string mode : {"v1toobig", "v1drop", "v1generr"}) {
        INFO(mode);
        const auto small = read(mode);
        auto snap = small.result->snapshot;
        snap.polled_at = plain.result->snapshot.polled_at;
        snap.uptime = plain.result->snapshot.uptime;
        CHECK(snap == plain.result->snapshot);
        CHECK(small.view.size() == plain.view.size());
        CHECK(!snap.supplies.empty());
        CHECK(small.requests > plain.requests);  // the smaller requests it took
    }
    // A v1 agent whose GETNEXT never advances: every guess and every walk stops, with a note.
    BadAgent loop("loop", tmp.path);
    auto t = target(loop.port, "public");
    t.credentials.version = snmp::Version::v1;
    snmp::Engine engine;
    ProbeOutcome out;
    probe_device(engine, t, profiles, [&](ProbeOutcome o) { out = std::move(o); });
    engine.run();
    REQUIRE(out.result.has_value());
    CHECK(out.requests < 50);
    bool noted = false;
    for (const auto& n : out.result->notes)
        noted = noted || n.find("non-increasing") != std::string::npos;
    CHECK(noted);
}
