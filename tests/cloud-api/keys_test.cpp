// Scanner keys / API tokens and device identity keys: pure functions.
#include <catch2/catch.hpp>

#include <set>

#include "auth/keys.hpp"
#include "auth/password_reset.hpp"
#include "storage/ingest_store.hpp"

using namespace printmon::cloud;

namespace {
constexpr const char* kTenant = "3e0f5c1a-7d42-4b8e-a1c9-5f6e7d8c9b0a";
}

TEST_CASE("generated keys follow the contract format and are unique", "[cloud][keys]") {
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        const auto key = auth::generate_key(auth::kScannerKeyKind, kTenant);
        REQUIRE(key.size() == 4 + 36 + 1 + 43);
        REQUIRE(key.rfind(std::string("pmk.") + kTenant + ".", 0) == 0);
        const auto parsed = auth::parse_key(key);
        REQUIRE(parsed);
        CHECK(parsed->kind == "pmk");
        CHECK(parsed->tenant_id == kTenant);
        CHECK(parsed->key == key);
        seen.insert(key);
    }
    CHECK(seen.size() == 50);
    const auto token = auth::generate_key(auth::kApiTokenKind, kTenant);
    REQUIRE(auth::parse_key(token));
    CHECK(auth::parse_key(token)->kind == "pmt");
}

TEST_CASE("a reset token parses only as its own kind, never as a credential", "[cloud][keys]") {
    const auto reset = auth::generate_key(auth::kResetTokenKind, kTenant);
    CHECK_FALSE(auth::parse_key(reset));  // the authenticator's parser refuses it
    const auto parsed = auth::parse_key_of(auth::kResetTokenKind, reset);
    REQUIRE(parsed);
    CHECK(parsed->tenant_id == kTenant);
    CHECK_FALSE(
        auth::parse_key_of(auth::kResetTokenKind, auth::generate_key(auth::kSessionKind, kTenant)));
    CHECK_FALSE(auth::parse_key_of(auth::kResetTokenKind, reset.substr(0, reset.size() - 1)));
    CHECK_FALSE(auth::parse_key_of(auth::kResetTokenKind, "pmr.not-a-uuid." + reset.substr(41)));
}

TEST_CASE("malformed keys are rejected", "[cloud][keys]") {
    const auto good = auth::generate_key(auth::kScannerKeyKind, kTenant);
    CHECK_FALSE(auth::parse_key(""));
    CHECK_FALSE(auth::parse_key("pmk"));
    CHECK_FALSE(auth::parse_key("pmk.x.y"));
    CHECK_FALSE(auth::parse_key("pmx" + good.substr(3)));                 // unknown kind
    CHECK_FALSE(auth::parse_key(good.substr(0, good.size() - 1)));        // 42 chars
    CHECK_FALSE(auth::parse_key(good + "A"));                             // 44 chars
    CHECK_FALSE(auth::parse_key(good.substr(0, good.size() - 1) + "="));  // not base64url
    std::string upper_tenant = good;
    upper_tenant[4] = 'E';  // '3' -> 'E': ids are lower case
    CHECK_FALSE(auth::parse_key(upper_tenant));
}

TEST_CASE("key hash, display prefix and bearer parsing", "[cloud][keys]") {
    const auto key = auth::generate_key(auth::kScannerKeyKind, kTenant);
    const auto hash = auth::key_hash_hex(key);
    CHECK(hash.size() == 64);
    CHECK(hash == auth::key_hash_hex(key));
    CHECK(hash != auth::key_hash_hex(auth::generate_key(auth::kScannerKeyKind, kTenant)));
    // "abc" has a well-known SHA-256.
    CHECK(auth::key_hash_hex("abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    const auto prefix = auth::display_prefix(key);
    CHECK(prefix == key.substr(0, 4 + 36 + 1 + 4) + "\u2026");
    CHECK(prefix.find(key.substr(45)) == std::string::npos);

    CHECK(auth::bearer_token("Bearer abc") == std::optional<std::string_view>("abc"));
    CHECK(auth::bearer_token("bearer   abc  ") == std::optional<std::string_view>("abc"));
    CHECK_FALSE(auth::bearer_token("Basic abc"));
    CHECK_FALSE(auth::bearer_token("Bearer"));
    CHECK_FALSE(auth::bearer_token("Bearer    "));
    CHECK_FALSE(auth::bearer_token("Bearerabc"));

    CHECK(auth::equal_constant_time("same", "same"));
    CHECK_FALSE(auth::equal_constant_time("same", "Same"));
    CHECK_FALSE(auth::equal_constant_time("same", "same!"));
}

TEST_CASE("device identity keys: serial, else MAC, else per scanner", "[cloud][identity]") {
    printmon::proto::BatchDevice d;
    d.device_id = "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f";
    d.identity.vendor = "Ricoh";
    d.identity.serial = "3101R810456";
    d.identity.mac = "00:26:73:5A:1C:9E";
    CHECK(storage::identity_key("s1", d) == "serial:ricoh:3101R810456");
    d.identity.vendor = "RICOH";
    CHECK(storage::identity_key("s2", d) == "serial:ricoh:3101R810456");
    d.identity.serial.clear();
    CHECK(storage::identity_key("s1", d) == "mac:00:26:73:5a:1c:9e");
    d.identity.serial = "3101R810456";
    d.identity.vendor.clear();  // a serial without vendor is not unique enough
    CHECK(storage::identity_key("s1", d) == "mac:00:26:73:5a:1c:9e");
    d.identity.mac.clear();
    CHECK(storage::identity_key("s1", d) == "scanner:s1:6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f");
    CHECK(storage::identity_key("s2", d) == "scanner:s2:6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f");
}
