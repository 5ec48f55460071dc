// A scanner's backlog: the optional "outbox" member of online batches lands in the scanner row
// (V0009) and comes back in GET /api/v1/scanners and /api/v1/sites; batches without it, duplicates
// and imports leave the row alone; tenants stay apart.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/transaction>

#include "analytics_support.hpp"
#include "printmon/proto/codec.hpp"

using namespace printmon;
using namespace printmon::cloud::test;

namespace {

/// The scanner row's three backlog columns, as text ("" for NULL; the time in UTC).
struct Row {
    std::string readings, events, oldest;
    bool operator==(const Row&) const = default;
};

Row row_of(const CloudServer& s, const std::string& tenant_id, const std::string& scanner_id) {
    auto conn = s.database().connect();
    pqxx::work tx(conn.raw());
    const auto r = tx.exec_params1(
        "SELECT coalesce(last_backlog_readings::text, ''), coalesce(last_backlog_events::text, "
        "''), "
        "coalesce(to_char(last_backlog_oldest_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), '') FROM scanners "
        "WHERE tenant_id = $1::uuid AND scanner_id = $2",
        tenant_id, scanner_id);
    return {r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>()};
}

proto::Batch with_outbox(proto::Batch batch, std::int64_t readings, std::int64_t events,
                         std::optional<std::string> oldest) {
    batch.outbox = proto::OutboxBacklog{readings, events, std::move(oldest)};
    return batch;
}

void require_stored(const net::ClientResponse& r, const char* status = "stored") {
    INFO(r.body);
    REQUIRE(r.status == 200);
    REQUIRE(r.body.find(std::string("\"status\":\"") + status + "\"") != std::string::npos);
}

/// The item of `list` whose `key` member is `value`.
const rapidjson::Value& item(const ApiResponse& list, const char* key, const std::string& value) {
    INFO(list.body);
    REQUIRE(list.status == 200);
    REQUIRE(list.json.IsObject());
    for (const auto& row : list.json["items"].GetArray()) {
        if (str(row, key) == value) return row;
    }
    FAIL("no item with " << key << " = " << value);
    throw std::logic_error("unreachable");
}

/// True when `name` is present and JSON null (not absent: the API always writes the column).
bool is_null(const rapidjson::Value& row, const char* name) {
    const auto it = row.FindMember(name);
    return it != row.MemberEnd() && it->value.IsNull();
}

}  // namespace

TEST_CASE("the outbox figures of online batches are the scanner's backlog in the API",
          "[cloud][ingest][backlog]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Acme");
    const auto key_1 = s.create_scanner(tenant, "branch-1");
    const auto key_2 = s.create_scanner(tenant, "branch-2");
    const auto token = s.create_token(tenant);  // both scanners are in site "lab"

    // Nothing reported yet: null, not 0 (0 would claim an empty queue).
    auto scanners = api_get(s, "/api/v1/scanners", token);
    for (const char* id : {"branch-1", "branch-2"}) {
        const auto& row = item(scanners, "scanner_id", id);
        CHECK(is_null(row, "backlog_readings"));
        CHECK(is_null(row, "backlog_events"));
        CHECK(is_null(row, "backlog_oldest_at"));
    }
    CHECK(is_null(item(api_get(s, "/api/v1/sites", token), "site", "lab"), "backlog_readings"));

    // An older uploader's batch (no member): the scanner is seen, its backlog stays unknown.
    require_stored(s.ingest(key_1, fresh_batch("branch-1")));
    CHECK(row_of(s, tenant, "branch-1") == Row{"", "", ""});
    CHECK_FALSE(
        str(item(api_get(s, "/api/v1/scanners", token), "scanner_id", "branch-1"), "last_seen")
            .empty());

    // A batch with the figures stores them with last_seen_at/last_version.
    const auto reported =
        with_outbox(fresh_batch("branch-1"), 1250, 7, std::string("2026-11-24T13:05:00.250Z"));
    require_stored(s.ingest(key_1, reported));
    CHECK(row_of(s, tenant, "branch-1") == Row{"1250", "7", "2026-11-24T13:05:00.250Z"});
    scanners = api_get(s, "/api/v1/scanners", token);
    const auto& one = item(scanners, "scanner_id", "branch-1");
    CHECK(num(one, "backlog_readings") == 1250);
    CHECK(num(one, "backlog_events") == 7);
    CHECK(str(one, "backlog_oldest_at") == "2026-11-24T13:05:00.250Z");
    CHECK(str(one, "last_version") == reported.scanner_version);
    CHECK(is_null(item(scanners, "scanner_id", "branch-2"), "backlog_readings"));

    SECTION("a batch without the member leaves the figures") {
        require_stored(s.ingest(key_1, fresh_batch("branch-1")));
        CHECK(row_of(s, tenant, "branch-1") == Row{"1250", "7", "2026-11-24T13:05:00.250Z"});
    }
    SECTION("a duplicate batch changes nothing, its newer figures included") {
        require_stored(s.ingest(key_1, with_outbox(reported, 3, 0, std::nullopt)), "duplicate");
        CHECK(row_of(s, tenant, "branch-1") == Row{"1250", "7", "2026-11-24T13:05:00.250Z"});
    }
    SECTION("an imported file does not speak for the branch's current queue") {
        const auto file = R"({"format":"printmon-export","version":1,"batches":[)" +
                          proto::to_json(with_outbox(fresh_batch("branch-1"), 9, 9, std::nullopt)) +
                          "]}";
        const auto imported = s.import(token, file);
        INFO(imported.body);
        REQUIRE(imported.status == 200);
        CHECK(row_of(s, tenant, "branch-1") == Row{"1250", "7", "2026-11-24T13:05:00.250Z"});
    }
    SECTION("an empty queue replaces all three, the oldest becomes null") {
        require_stored(s.ingest(key_1, with_outbox(fresh_batch("branch-1"), 0, 0, std::nullopt)));
        CHECK(row_of(s, tenant, "branch-1") == Row{"0", "0", ""});
        const auto listed = api_get(s, "/api/v1/scanners", token);  // outlives `row`
        const auto& row = item(listed, "scanner_id", "branch-1");
        CHECK(num(row, "backlog_readings") == 0);
        CHECK(num(row, "backlog_events") == 0);
        CHECK(is_null(row, "backlog_oldest_at"));
    }
    SECTION("a count past the column's range is stored as its maximum") {
        require_stored(
            s.ingest(key_1, with_outbox(fresh_batch("branch-1"), std::int64_t{9'000'000'000}, 1,
                                        std::string("2026-11-24T13:05:00Z"))));
        CHECK(row_of(s, tenant, "branch-1") == Row{"2147483647", "1", "2026-11-24T13:05:00.000Z"});
    }
    SECTION("sites sum the counts and give the earliest oldest reading") {
        require_stored(s.ingest(key_2, with_outbox(fresh_batch("branch-2"), 5, 1,
                                                   std::string("2026-11-20T08:00:00Z"))));
        const auto sites = api_get(s, "/api/v1/sites", token);
        const auto& lab = item(sites, "site", "lab");
        CHECK(num(lab, "scanners") == 2);
        CHECK(num(lab, "backlog_readings") == 1255);
        CHECK(num(lab, "backlog_events") == 8);
        CHECK(str(lab, "backlog_oldest_at") == "2026-11-20T08:00:00Z");
        // The site filter of the scanner list shows both with their own figures.
        const auto listed = api_get(s, "/api/v1/scanners?site=lab", token);
        CHECK(num(item(listed, "scanner_id", "branch-2"), "backlog_readings") == 5);
        CHECK(num(item(listed, "scanner_id", "branch-1"), "backlog_readings") == 1250);
        // CSV carries the same columns.
        const auto csv = api_get(s, "/api/v1/scanners?format=csv", token);
        REQUIRE(csv.status == 200);
        CHECK(csv.body.find("backlog_readings,backlog_events,backlog_oldest_at") !=
              std::string::npos);
    }
}

TEST_CASE("backlog figures stay within their tenant", "[cloud][ingest][backlog][tenancy]") {
    CloudServer s;
    const auto tenant_a = s.create_tenant("A");
    const auto tenant_b = s.create_tenant("B");
    const auto key_a = s.create_scanner(tenant_a, "branch-1");
    const auto key_b = s.create_scanner(tenant_b, "branch-1");  // the same scanner id
    const auto token_a = s.create_token(tenant_a);
    const auto token_b = s.create_token(tenant_b);

    require_stored(s.ingest(
        key_a, with_outbox(fresh_batch("branch-1"), 40, 2, std::string("2026-11-24T10:00:00Z"))));
    require_stored(s.ingest(
        key_b, with_outbox(fresh_batch("branch-1"), 3, 0, std::string("2026-11-24T12:00:00Z"))));
    CHECK(row_of(s, tenant_a, "branch-1") == Row{"40", "2", "2026-11-24T10:00:00.000Z"});
    CHECK(row_of(s, tenant_b, "branch-1") == Row{"3", "0", "2026-11-24T12:00:00.000Z"});

    const auto a = api_get(s, "/api/v1/scanners", token_a);
    REQUIRE(a.json["items"].Size() == 1);
    CHECK(num(a.json["items"][0], "backlog_readings") == 40);
    const auto b = api_get(s, "/api/v1/scanners", token_b);
    REQUIRE(b.json["items"].Size() == 1);
    CHECK(num(b.json["items"][0], "backlog_readings") == 3);
    // Both scanners are in a site called "lab" (cloud_support): each tenant sums its own.
    CHECK(num(item(api_get(s, "/api/v1/sites", token_a), "site", "lab"), "backlog_readings") == 40);
    CHECK(num(item(api_get(s, "/api/v1/sites", token_b), "site", "lab"), "backlog_readings") == 3);

    // B's key cannot report figures for A's scanner of the same id: its batch lands in B.
    require_stored(s.ingest(key_b, with_outbox(fresh_batch("branch-1"), 0, 0, std::nullopt)));
    CHECK(row_of(s, tenant_a, "branch-1") == Row{"40", "2", "2026-11-24T10:00:00.000Z"});
    CHECK(row_of(s, tenant_b, "branch-1") == Row{"0", "0", ""});
    // Another tenant named in ?tenant= is refused, not answered with its figures.
    CHECK(api_get(s, "/api/v1/scanners?tenant=" + tenant_b, token_a).status == 403);
}
