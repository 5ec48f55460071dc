// The administrative CLI against a throwaway database: migrate, tenant/scanner/token
// management and the offline import (same code path as POST /api/v1/import).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "app/cli.hpp"
#include "auth/keys.hpp"
#include "cloud_support.hpp"
#include "pg.hpp"
#include "printmon/crypto/secret_key.hpp"
#include "printmon/proto/export.hpp"
#include "printmon/proto/uuid.hpp"
#include "state.hpp"

using namespace printmon;
using namespace printmon::cloud::test;
namespace fs = std::filesystem;

namespace {

struct Run {
    int code = 0;
    std::string out;
    std::string err;
};

class CliEnv {
  public:
    CliEnv() : dir_(fs::temp_directory_path() / ("cloud-cli-" + proto::new_uuid())) {
        fs::create_directories(dir_);
        std::ofstream(config()) << "[log]\nlevel = \"warn\"\n[server]\ntls = false\n"
                                << "[database]\nconninfo = \"" << db_.conninfo() << "\"\n";
    }
    ~CliEnv() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::string config() const { return (dir_ / "cloud-api.toml").string(); }
    std::string write(const std::string& name, const std::string& text) const {
        const auto path = (dir_ / name).string();
        std::ofstream(path) << text;
        return path;
    }
    Run run(std::vector<std::string> args) const {
        args.insert(args.begin(), {"printmon-cloud-api", "--config", config()});
        std::vector<const char*> argv;
        for (const auto& a : args) argv.push_back(a.c_str());
        std::ostringstream out;
        std::ostringstream err;
        const int code = cloud::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
        return {code, out.str(), err.str()};
    }
    long long count(const std::string& table) const {
        auto conn = db_.connect();
        pqxx::work tx(conn.raw());
        return tx.exec1("SELECT count(*) FROM " + tx.quote_name(table))[0].as<long long>();
    }

  private:
    printmon::test::TempDatabase db_;
    fs::path dir_;
};

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

std::string auth_key_of(const std::string& out) {
    const auto key = trimmed(out);
    const auto parsed = cloud::auth::parse_key(key);
    REQUIRE(parsed);
    CHECK(parsed->kind == "pmk");
    return key;
}

}  // namespace

TEST_CASE("CLI: migrate, tenant, scanner, token and import", "[cloud][cli]") {
    CliEnv env;
    auto migrate = env.run({"migrate"});
    REQUIRE(migrate.code == 0);
    // Every file in cloud-api/migrations is applied once, then never again.
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(printmon::test::source_dir() +
                                                                 "/cloud-api/migrations")) {
        files += entry.path().extension() == ".sql" ? 1U : 0U;
    }
    REQUIRE(files >= 3);
    CHECK(migrate.out == fmt::format("applied {} migration(s), 0 already applied\n", files));
    CHECK(env.run({"migrate"}).out ==
          fmt::format("applied 0 migration(s), {} already applied\n", files));

    const auto tenant = env.run({"tenant", "create", "Acme GmbH"});
    REQUIRE(tenant.code == 0);
    const auto tenant_id = trimmed(tenant.out);
    REQUIRE(proto::is_uuid(tenant_id));

    const auto scanner = env.run({"scanner", "create", "--tenant", tenant_id, "--scanner-id",
                                  "branch-1", "--name", "Munich", "--site", "HQ"});
    REQUIRE(scanner.code == 0);
    const auto key = auth_key_of(scanner.out);
    CHECK(scanner.err.find("only this once") != std::string::npos);

    const auto twice =
        env.run({"scanner", "create", "--tenant", tenant_id, "--scanner-id", "branch-1"});
    CHECK(twice.code == 1);
    CHECK(twice.err.find("already exists") != std::string::npos);
    const auto no_tenant = env.run({"scanner", "create", "--tenant",
                                    "00000000-0000-4000-8000-000000000000", "--scanner-id", "x"});
    CHECK(no_tenant.code == 1);
    CHECK(env.run({"scanner", "create", "--tenant", "acme", "--scanner-id", "x"}).code == 2);

    const auto token = env.run({"token", "create", "--tenant", tenant_id, "--name", "import"});
    REQUIRE(token.code == 0);
    const auto parsed_token = cloud::auth::parse_key(trimmed(token.out));
    REQUIRE(parsed_token);
    CHECK(parsed_token->kind == "pmt");
    CHECK(env.count("api_tokens") == 1);

    const auto file = env.write(
        "export.json", proto::to_export_json({fresh_batch("branch-1"), big_batch("branch-1", 10)}));
    const auto first = env.run({"import", file, "--tenant", tenant_id});
    INFO(first.err);
    REQUIRE(first.code == 0);
    CHECK(first.out.find("\"readings_stored\":13") != std::string::npos);
    CHECK(env.count("readings") == 13);
    const auto second = env.run({"import", file, "--tenant", tenant_id});
    REQUIRE(second.code == 0);
    CHECK(second.out.find("\"readings_stored\":0,\"readings_duplicate\":13") != std::string::npos);
    CHECK(env.count("readings") == 13);
    CHECK(env.count("batches") == 2);

    const auto stranger =
        env.write("stranger.json", proto::to_export_json({fresh_batch("branch-9")}));
    const auto refused = env.run({"import", stranger, "--tenant", tenant_id});
    CHECK(refused.code == 1);
    CHECK(refused.err.find("scanner 'branch-9' does not exist") != std::string::npos);
    const auto invalid = env.write("invalid.json", "{\"format\":\"printmon-export\"}");
    CHECK(env.run({"import", invalid, "--tenant", tenant_id}).code == 1);
    CHECK(env.count("readings") == 13);

    const auto revoke =
        env.run({"scanner", "revoke", "--tenant", tenant_id, "--scanner-id", "branch-1"});
    CHECK(revoke.code == 0);
    CHECK(env.run({"scanner", "revoke", "--tenant", tenant_id, "--scanner-id", "nope"}).code == 1);
    (void)key;
}

TEST_CASE("CLI: configuration errors exit 78 with the location", "[cloud][cli]") {
    CliEnv env;
    const auto bad = env.write("bad.toml", "[server]\nport = \"x\"\n");
    std::vector<const char*> argv = {"printmon-cloud-api", "--config", bad.c_str(), "migrate"};
    std::ostringstream out;
    std::ostringstream err;
    CHECK(cloud::run_cli(4, argv.data(), out, err) == 78);
    CHECK(err.str().find("bad.toml:2:8:") != std::string::npos);
}

TEST_CASE("CLI: secrets status and forget-key; the key file sits beside the configuration",
          "[cloud][cli][secrets]") {
    CliEnv env;
    const fs::path key_file = fs::path(env.config()).parent_path() / "cloud-secret.key";
    auto status = env.run({"secrets", "status"});
    CHECK(status.code == 1);  // no key yet: not ready
    CHECK(status.out.find("missing") != std::string::npos);
    CHECK(status.out.find("database key id: none yet") != std::string::npos);
    CHECK_FALSE(fs::exists(key_file));  // status never makes one

    // A lost key: forget-key makes the key file (beside cloud-api.toml, not in the working
    // directory) the database's key.
    const auto forgot = env.run({"secrets", "forget-key"});
    REQUIRE(forgot.code == 0);
    REQUIRE(fs::exists(key_file));
    CHECK((fs::status(key_file).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    const auto first = printmon::crypto::SecretKey::load_or_create(key_file);
    CHECK(forgot.out.find("key id " + first.id() + " is now the database's key") !=
          std::string::npos);
    status = env.run({"secrets", "status"});
    CHECK(status.code == 0);
    CHECK(status.out.find("database key id: " + first.id()) != std::string::npos);
    CHECK(status.out.find("channels sealed with another key: 0") != std::string::npos);

    // Another key file: status says they disagree; forget-key names the one it replaced.
    fs::remove(key_file);
    const auto second = printmon::crypto::SecretKey::load_or_create(key_file);
    REQUIRE(second.id() != first.id());
    status = env.run({"secrets", "status"});
    CHECK(status.code == 1);
    CHECK(status.out.find("key id " + second.id()) != std::string::npos);
    CHECK(status.out.find("database key id: " + first.id()) != std::string::npos);
    const auto again = env.run({"secrets", "forget-key"});
    CHECK(again.code == 0);
    CHECK(again.out.find("(was " + first.id() + ")") != std::string::npos);
    CHECK(env.run({"secrets", "status"}).code == 0);

    // A planned rotation: a fresh key in the same file (still 0600), recorded by the database,
    // with no half-done file left beside it.
    const auto rotated = env.run({"secrets", "rotate"});
    REQUIRE(rotated.code == 0);
    const auto third = printmon::crypto::SecretKey::load(key_file);
    CHECK(third.id() != second.id());
    CHECK(rotated.out.find("key id " + third.id() + " replaced " + second.id()) !=
          std::string::npos);
    CHECK((fs::status(key_file).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    CHECK_FALSE(fs::exists(key_file.string() + ".next"));
    status = env.run({"secrets", "status"});
    CHECK(status.code == 0);
    CHECK(status.out.find("database key id: " + third.id()) != std::string::npos);

    // A rotation starts from the database's key: with another key file it changes nothing.
    fs::remove(key_file);
    const auto stranger = printmon::crypto::SecretKey::load_or_create(key_file);
    const auto refused = env.run({"secrets", "rotate"});
    CHECK(refused.code == 1);
    CHECK(refused.err.find("a rotation starts from the database's key") != std::string::npos);
    CHECK(refused.err.find(third.id()) != std::string::npos);
    CHECK(printmon::crypto::SecretKey::load(key_file).id() == stranger.id());
    CHECK_FALSE(fs::exists(key_file.string() + ".next"));
}
