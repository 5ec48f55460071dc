// Offline files: POST /api/v1/import and its idempotency with online uploads.
#include <catch2/catch.hpp>

#include "auth/keys.hpp"
#include "cloud_support.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/export.hpp"

using namespace printmon;
using namespace printmon::cloud::test;
using proto::to_export_json;

namespace {

long long field(const std::string& body, const std::string& name) {
    const auto at = body.find("\"" + name + "\":");
    REQUIRE(at != std::string::npos);
    return std::stoll(body.substr(at + name.size() + 3));
}

}  // namespace

TEST_CASE("importing a file twice, or after the online upload, stores nothing new",
          "[cloud][import]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-1");
    const auto token = s.create_token(tenant);
    const auto online = fresh_batch("branch-1");
    const auto offline = big_batch("branch-1", 20);
    const auto file = to_export_json({online, offline});

    // The first batch was uploaded online before the file was imported.
    REQUIRE(s.ingest(key, online).status == 200);
    const auto r = s.import(token, file);
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(field(r.body, "batches") == 2);
    CHECK(field(r.body, "batches_duplicate") == 1);
    CHECK(field(r.body, "readings_stored") == 20);
    CHECK(field(r.body, "readings_duplicate") == 3);
    CHECK(s.count("readings", tenant) == 23);
    const auto after_first = s.count_all_data();
    CHECK(s.query_value("SELECT source FROM batches WHERE batch_id = $1::uuid", offline.batch_id) ==
          "import");

    const auto again = s.import(token, file);
    REQUIRE(again.status == 200);
    CHECK(field(again.body, "batches_duplicate") == 2);
    CHECK(field(again.body, "readings_stored") == 0);
    CHECK(s.count_all_data() == after_first);

    // The same readings re-packed into other batches (another export) are acknowledged too.
    const auto repacked = s.import(token, to_export_json({rebatched(offline)}));
    REQUIRE(repacked.status == 200);
    CHECK(field(repacked.body, "readings_stored") == 0);
    CHECK(field(repacked.body, "readings_duplicate") == 20);
    CHECK(s.count("readings", tenant) == 23);
    CHECK(s.count("batches", tenant) == 3);

    // And uploading online what was imported is a duplicate.
    const auto late = s.ingest(key, offline);
    REQUIRE(late.status == 200);
    CHECK(late.body.find("\"status\":\"duplicate\"") != std::string::npos);
    CHECK(s.count("readings", tenant) == 23);
}

TEST_CASE("the admin token imports for the tenant it names", "[cloud][import]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    s.create_scanner(tenant, "branch-1");
    const auto file = to_export_json({fresh_batch("branch-1")});

    const auto no_tenant = s.import(kAdminToken, file);
    CHECK(no_tenant.status == 400);
    CHECK(no_tenant.body.find("missing_tenant") != std::string::npos);
    const auto unknown =
        s.import(kAdminToken, file, "?tenant=00000000-0000-4000-8000-000000000000");
    CHECK(unknown.status == 404);
    CHECK(s.count_all_data() == 0);

    const auto r = s.import(kAdminToken, file, "?tenant=" + tenant);
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(field(r.body, "readings_stored") == 3);
}

TEST_CASE("refused imports store nothing", "[cloud][import][refusal]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key = s.create_scanner(tenant, "branch-1");
    const auto token = s.create_token(tenant);
    const auto tenant_b = s.create_tenant("B");
    const auto token_b = s.create_token(tenant_b);
    const auto good = fresh_batch("branch-1");

    // A scanner the tenant does not have: the whole file is refused (one transaction).
    const auto stranger = s.import(token, to_export_json({good, fresh_batch("branch-9")}));
    CHECK(stranger.status == 422);
    CHECK(stranger.body.find("/batches/1/scanner_id") != std::string::npos);
    // Tenant B's token cannot import tenant A's scanner data, nor name tenant A.
    CHECK(s.import(token_b, to_export_json({good})).status == 422);
    CHECK(s.import(token_b, to_export_json({good}), "?tenant=" + tenant).status == 403);
    // An invalid batch inside the file: 400 pointing into the file.
    std::string bad = proto::to_json(good);
    bad.replace(bad.find("\"schema_version\":1"), 18, "\"schema_version\":3");
    const auto invalid =
        s.import(token, R"({"format":"printmon-export","version":1,"batches":[)" + bad + "]}");
    CHECK(invalid.status == 400);
    CHECK(invalid.body.find("/batches/0/schema_version") != std::string::npos);
    // Credentials: none, a scanner key, an unknown token, a wrong admin token.
    CHECK(s.import("", to_export_json({good})).status == 401);
    CHECK(s.import(key, to_export_json({good})).status == 401);
    CHECK(s.import(cloud::auth::generate_key("pmt", tenant), to_export_json({good})).status == 401);
    CHECK(s.import(std::string(kAdminToken) + "x", to_export_json({good}), "?tenant=" + tenant)
              .status == 401);
    CHECK(s.count_all_data() == 0);
}
