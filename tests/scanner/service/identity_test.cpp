#include <catch2/catch.hpp>

#include "storage/identity.hpp"

using namespace printmon::scanner::storage;

namespace {

Candidate device(std::string id, std::optional<std::string> address, IdentityKey key,
                 bool deleted = false) {
    return Candidate{std::move(id), std::move(address), 161, std::move(key), deleted};
}

Observation seen(std::string address, IdentityKey key, std::optional<std::string> polled = {}) {
    return Observation{std::move(polled), std::move(address), 161, std::move(key)};
}

const IdentityKey kHp{"HP", "CNB1234", "00:11:22:33:44:55"};
const IdentityKey kRicoh{"Ricoh", "E1234", "00:aa:bb:cc:dd:ee"};

}  // namespace

TEST_CASE("vendor + serial decide, MAC only when a serial is missing", "[identity]") {
    CHECK(same_device(kHp, IdentityKey{"hp", "CNB1234", ""}));
    CHECK_FALSE(same_device(kHp, IdentityKey{"HP", "CNB9999", "00:11:22:33:44:55"}));
    CHECK(same_device(IdentityKey{"", "", "00:11:22:33:44:55"}, kHp));
    CHECK(same_device(IdentityKey{"HP", "", "00:11:22:33:44:55"}, kHp));
    CHECK_FALSE(same_device(IdentityKey{}, IdentityKey{}));
    CHECK_FALSE(same_device(kHp, kRicoh));
}

TEST_CASE("a device that changed address keeps its id", "[identity]") {
    const std::vector<Candidate> candidates = {device("d1", "10.0.0.5", kHp)};
    const auto d = decide_identity(seen("10.0.0.9", kHp), candidates);
    CHECK(d.kind == IdentityDecision::Kind::existing);
    CHECK(d.device_id == "d1");
    CHECK(d.displaced.empty());
}

TEST_CASE("a new device at a known address is new and displaces the old one", "[identity]") {
    const std::vector<Candidate> candidates = {device("d1", "10.0.0.5", kHp)};
    SECTION("found by a scheduled poll of the old device") {
        const auto d = decide_identity(seen("10.0.0.5", kRicoh, "d1"), candidates);
        CHECK(d.kind == IdentityDecision::Kind::create);
        CHECK(d.displaced == std::vector<std::string>{"d1"});
    }
    SECTION("found by discovery") {
        const auto d = decide_identity(seen("10.0.0.5", kRicoh), candidates);
        CHECK(d.kind == IdentityDecision::Kind::create);
        CHECK(d.displaced == std::vector<std::string>{"d1"});
    }
}

TEST_CASE("two printers swapping addresses keep their ids", "[identity]") {
    const std::vector<Candidate> candidates = {device("d1", "10.0.0.5", kHp),
                                               device("d2", "10.0.0.6", kRicoh)};
    // The poll of d1 at .5 is answered by the Ricoh (d2) now.
    const auto d = decide_identity(seen("10.0.0.5", kRicoh, "d1"), candidates);
    CHECK(d.kind == IdentityDecision::Kind::existing);
    CHECK(d.device_id == "d2");
    CHECK(d.displaced == std::vector<std::string>{"d1"});
}

TEST_CASE("a manual device takes the identity it first answers with", "[identity]") {
    std::vector<Candidate> candidates = {device("m1", "10.0.0.7", IdentityKey{})};
    auto d = decide_identity(seen("10.0.0.7", kHp, "m1"), candidates);
    CHECK(d.kind == IdentityDecision::Kind::existing);
    CHECK(d.device_id == "m1");
    // Discovery finding it before its first poll adopts it too, instead of duplicating it.
    d = decide_identity(seen("10.0.0.7", kHp), candidates);
    CHECK(d.kind == IdentityDecision::Kind::existing);
    CHECK(d.device_id == "m1");
}

TEST_CASE("a deleted device stays deleted when it answers again", "[identity]") {
    const std::vector<Candidate> candidates = {device("d1", "10.0.0.5", kHp, true)};
    const auto d = decide_identity(seen("10.0.0.8", kHp), candidates);
    CHECK(d.kind == IdentityDecision::Kind::ignore);
    CHECK(d.device_id == "d1");
}

TEST_CASE("an answer without serial or MAC is matched by address only", "[identity]") {
    const std::vector<Candidate> candidates = {device("d1", "10.0.0.5", kHp)};
    auto d = decide_identity(seen("10.0.0.5", IdentityKey{}, "d1"), candidates);
    CHECK(d.kind == IdentityDecision::Kind::existing);
    CHECK(d.device_id == "d1");
    d = decide_identity(seen("10.0.0.5", IdentityKey{}), candidates);
    CHECK(d.device_id == "d1");
    d = decide_identity(seen("10.0.0.99", IdentityKey{}), candidates);
    CHECK(d.kind == IdentityDecision::Kind::create);
}
