// cloud-api.toml: defaults, the example file, and precise errors.
#include <catch2/catch.hpp>

#include <map>

#include "app/config.hpp"
#include "state.hpp"

using namespace printmon;
using cloud::parse_config;

namespace {

common::EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

std::string error_of(const std::string& text) {
    try {
        parse_config(text, "c.toml", env_of({}));
    } catch (const common::ConfigError& e) {
        return e.what();
    }
    FAIL("no error for: " << text);
    return "";
}

}  // namespace

TEST_CASE("the example config holds every default", "[cloud][config]") {
    const auto example =
        cloud::load_config(test::source_dir() + "/cloud-api/cloud-api.example.toml", env_of({}));
    cloud::CloudConfig defaults;
    CHECK(example.log_level == defaults.log_level);
    CHECK(example.server.port == 8443);
    CHECK(example.server.address == "0.0.0.0");
    REQUIRE(example.server.tls);
    CHECK(example.server.io_threads == 1);
    CHECK(example.server.blocking_threads == 4);
    CHECK(example.database.pool_size == defaults.database.pool_size);
    CHECK(example.database.acquire_timeout == defaults.database.acquire_timeout);
    CHECK(example.limits.max_body_bytes == defaults.limits.max_body_bytes);
    CHECK(example.limits.max_inflated_bytes == defaults.limits.max_inflated_bytes);
    CHECK(example.limits.import_max_body_bytes == defaults.limits.import_max_body_bytes);
    CHECK(example.limits.import_max_inflated_bytes == defaults.limits.import_max_inflated_bytes);
    CHECK(example.auth.retry_after == defaults.auth.retry_after);
    CHECK(example.auth.admin_token.empty());
    CHECK(example.analytics.refresh_interval == defaults.analytics.refresh_interval);
    CHECK(example.analytics.statement_timeout == defaults.analytics.statement_timeout);
}

TEST_CASE("TLS is on unless explicitly turned off", "[cloud][config]") {
    CHECK(error_of("[server]\n") == "c.toml:1:1: 'server.cert_file' is required when tls = true");
    const auto plain = parse_config("[server]\ntls = false\n", "c.toml", env_of({}));
    CHECK_FALSE(plain.server.tls);
    const auto tls = parse_config("[server]\ncert_file = \"a.pem\"\nkey_file = \"a.key\"\n",
                                  "c.toml", env_of({}));
    REQUIRE(tls.server.tls);
    CHECK(tls.server.tls->cert_chain_file == "a.pem");
}

TEST_CASE("config errors name the file, line and column", "[cloud][config]") {
    CHECK(error_of("[server]\ntls = false\nport = 70000\n").rfind("c.toml:3:8:", 0) == 0);
    CHECK(error_of("[server]\ntls = false\n[database]\npool_size = 0\n") ==
          "c.toml:4:13: 'database.pool_size' must be at least 1");
    CHECK(error_of("[server]\ntls = false\n[ingest]\nmax_body = 1\n") ==
          "c.toml:4:1: unknown key 'ingest.max_body'");
    CHECK(error_of("[server]\ntls = false\n[analytics]\nrefresh_interval_s = 0\n") ==
          "c.toml:4:22: 'analytics.refresh_interval_s' must be between 1 and 3600");
    CHECK(parse_config("[server]\ntls = false\n[analytics]\nrefresh_interval_s = 60\n", "c.toml",
                       env_of({}))
              .analytics.refresh_interval == std::chrono::seconds(60));
    CHECK(error_of("[server]\ntls = false\n[analytics]\nstatement_timeout_ms = 50\n") ==
          "c.toml:4:24: 'analytics.statement_timeout_ms' must be between 100 and 600000");
    CHECK(parse_config("[server]\ntls = false\n[analytics]\nstatement_timeout_ms = 2500\n",
                       "c.toml", env_of({}))
              .analytics.statement_timeout == std::chrono::milliseconds(2500));
    CHECK(error_of("[server]\ntls = false\n[auth]\nadmin_token = \"short\"\n") ==
          "c.toml:4:15: 'auth.admin_token' must be at least 32 characters");
}

TEST_CASE("secrets come from the environment", "[cloud][config]") {
    const auto c = parse_config(
        "[server]\ntls = false\n[database]\nconninfo = \"host=db dbname=cloud\"\n", "c.toml",
        env_of({{"PRINTMON_DATABASE_PASSWORD", "s3'cr\\t"},
                {"PRINTMON_AUTH_ADMIN_TOKEN", "0123456789abcdef0123456789abcdef"}}));
    CHECK(c.database.conninfo == "host=db dbname=cloud password='s3\\'cr\\\\t'");
    CHECK(c.auth.admin_token == "0123456789abcdef0123456789abcdef");
    CHECK(cloud::with_password("postgresql://u@h/db", "p w") ==
          "postgresql://u@h/db?password=p%20w");
}
