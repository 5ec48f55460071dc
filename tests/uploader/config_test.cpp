// uploader.toml: the example file holds every default; errors carry their location.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "app/config.hpp"
#include "state.hpp"

using namespace std::chrono_literals;
using namespace printmon::uploader;
using printmon::common::ConfigError;

namespace {

printmon::common::EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

std::string message_of(const std::string& text) {
    try {
        parse_config(text, "u.toml", env_of({}));
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("the example file spells out exactly the built-in defaults", "[uploader][unit]") {
    std::ifstream in(printmon::test::source_dir() + "/uploader/uploader.example.toml");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const auto example = parse_config(text.str(), "uploader.example.toml", env_of({}));
    const auto empty = parse_config("", "empty.toml", env_of({}));
    const auto& a = example.service;
    const auto& b = empty.service;
    CHECK(example.log_level == empty.log_level);
    CHECK(a.conninfo == b.conninfo);
    CHECK(a.period == b.period);
    CHECK(a.period == 60s);
    CHECK(a.notify_delay == b.notify_delay);
    CHECK(a.backoff_initial == b.backoff_initial);
    CHECK(a.backoff_max == b.backoff_max);
    CHECK(a.backoff_max == 300s);
    CHECK(a.auth_retry == b.auth_retry);
    CHECK(a.outbox.max_readings_per_batch == 500);
    CHECK(a.outbox.max_readings_per_batch == b.outbox.max_readings_per_batch);
    CHECK(a.outbox.max_batch_bytes == b.outbox.max_batch_bytes);
    CHECK(a.transport.ca_file == b.transport.ca_file);
    CHECK(a.transport.proxy == b.transport.proxy);
    CHECK(a.transport.connect_timeout == b.transport.connect_timeout);
    CHECK(a.transport.request_timeout == b.transport.request_timeout);
    CHECK(a.transport.gzip_level == b.transport.gzip_level);
    CHECK(a.transport.allow_insecure_http == b.transport.allow_insecure_http);
    CHECK(a.cloud_url.empty());
    CHECK(a.scanner_key.empty());
}

TEST_CASE("secrets come from the environment", "[uploader][unit]") {
    const auto config = parse_config(
        "[database]\nconninfo = \"host=db dbname=branch\"\n[cloud]\nscanner_key = \"from-file\"\n",
        "u.toml",
        env_of({{"PRINTMON_SCANNER_KEY", "pmk.t.secret"}, {"PRINTMON_DATABASE_PASSWORD", "p'w"}}));
    CHECK(config.service.scanner_key == "pmk.t.secret");
    CHECK(config.service.conninfo == "host=db dbname=branch password='p\\'w'");
    CHECK(with_password("postgresql://u@h/db", "a b&c") ==
          "postgresql://u@h/db?password=a%20b%26c");
}

TEST_CASE("bad values are fatal with file:line:column", "[uploader][unit]") {
    CHECK(message_of("[upload]\nperiod_s = 0\n") == "u.toml:2:12: 'upload.period_s' must be > 0");
    CHECK(message_of("[upload]\nperiod = 5\n").find("u.toml:2:1: unknown key 'upload.period'") ==
          0);
    CHECK(message_of("[cloud]\nurl = \"http://cloud\"\n").find("u.toml:2:7:") == 0);
    CHECK(message_of("[cloud]\nproxy = \"socks5://p:1\"\n").find("'cloud.proxy'") !=
          std::string::npos);
    CHECK(message_of("[cloud]\nclient_cert_file = \"c.pem\"\n").find("go together") !=
          std::string::npos);
    CHECK(message_of("log_level = \"loud\"\n").find("u.toml:1:13:") == 0);
    CHECK(message_of("[upload]\nmax_readings_per_batch = -1\n").find("u.toml:2:") == 0);
    CHECK(message_of("").empty());
}
