// Offline files: POST /api/v1/import and its idempotency with online uploads.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "auth/keys.hpp"
#include "cloud_support.hpp"
#include "printmon/net/gzip.hpp"
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

// gzip of `size` zero bytes, compressed as it goes (the plain data is never held): a bomb.
std::string gzip_zeros(std::size_t size) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) == Z_OK);
    const std::string zeros(std::size_t{1} << 20, '\0');
    std::string out;
    std::string chunk(std::size_t{64} << 10, '\0');
    std::size_t left = size;
    int flush = Z_NO_FLUSH;
    do {
        const std::size_t n = std::min(left, zeros.size());
        left -= n;
        flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
        // zlib's API takes a non-const pointer; deflate never writes through next_in.
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
        z.avail_in = static_cast<uInt>(n);
        do {
            z.next_out = reinterpret_cast<Bytef*>(chunk.data());
            z.avail_out = static_cast<uInt>(chunk.size());
            deflate(&z, flush);
            out.append(chunk.data(), chunk.size() - z.avail_out);
        } while (z.avail_out == 0);
    } while (flush != Z_FINISH);
    deflateEnd(&z);
    return out;
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

// Issue 14 item 3: inflating ran on the single I/O thread, so one import body of 600 KB from a
// valid token (600 MiB of zeros) kept /healthz waiting for seconds. Inflating now runs off the
// I/O thread; the health check is answered while the import is still being inflated.
TEST_CASE("a gzip bomb import does not stall the server", "[cloud][import][gzip]") {
    ServerSettings settings;
    settings.limits.import_max_inflated_bytes = std::size_t{512} << 20;  // the default
    settings.limits.max_inflate_ratio = 0;  // off: the bomb is inflated up to the cap
    CloudServer s(settings);
    const auto tenant = s.create_tenant("Acme");
    const auto token = s.create_token(tenant);
    const std::string bomb = gzip_zeros(std::size_t{600} << 20);
    REQUIRE(bomb.size() < settings.limits.import_max_body_bytes);

    std::atomic<bool> done{false};
    unsigned status = 0;
    std::thread importer([&] {
        net::Headers headers{{"Authorization", "Bearer " + token},
                             {"Content-Type", "application/json"},
                             {"Content-Encoding", "gzip"}};
        const auto r = s.client().post(s.url("/api/v1/import"), bomb, headers);
        status = r ? r->status : 0;
        done = true;
    });
    // Health checks until the import is answered: none may wait behind the inflating.
    // Generous bound (the issue's 100 ms is for production hardware, not a loaded CI box).
    using Clock = std::chrono::steady_clock;
    Clock::duration slowest{};
    int answered = 0;
    for (int i = 0; i < 10'000 && !done; ++i) {
        const auto start = Clock::now();
        const auto health = s.client().get(s.url("/healthz"));
        REQUIRE(health);
        CHECK(health->status == 200);
        slowest = std::max(slowest, Clock::now() - start);
        ++answered;
    }
    importer.join();
    CHECK(status == 413);
    CHECK(answered > 0);
    CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count() < 1000);
    CHECK(s.count_all_data() == 0);
}

TEST_CASE("a body inflating far beyond its compression ratio is refused early",
          "[cloud][import][gzip]") {
    ServerSettings settings;
    settings.limits.import_max_inflated_bytes = std::size_t{512} << 20;
    settings.limits.max_inflate_ratio = 100;
    CloudServer s(settings);
    const auto tenant = s.create_tenant("Acme");
    const auto token = s.create_token(tenant);
    net::Headers headers{{"Authorization", "Bearer " + token},
                         {"Content-Type", "application/json"},
                         {"Content-Encoding", "gzip"}};
    // 64 MiB of zeros from ~64 KB: past 100 times its size (6.4 MB) it is refused.
    const auto bomb =
        s.client().post(s.url("/api/v1/import"), gzip_zeros(std::size_t{64} << 20), headers);
    REQUIRE(bomb);
    INFO(bomb->body);
    CHECK(bomb->status == 413);
    CHECK(bomb->body.find("100 times its compressed size") != std::string::npos);
    // A small body may always inflate to 1 MiB, whatever its ratio; a real file passes.
    const auto small =
        s.client().post(s.url("/api/v1/import"),
                        net::gzip_compress(to_export_json({big_batch("x", 5)}), 9), headers);
    REQUIRE(small);
    CHECK(small->status != 413);
    const auto file = to_export_json({fresh_batch("branch-1"), big_batch("branch-1", 200)});
    const auto packed = net::gzip_compress(file, 9);
    INFO("ratio " << file.size() / packed.size());
    const auto real =
        s.client().post(s.url("/api/v1/import?create_scanners=true"), packed, headers);
    REQUIRE(real);
    CHECK(real->status == 200);
}
