#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "printmon/common/config.hpp"
#include "state.hpp"

using printmon::common::ConfigError;
using printmon::common::ConfigReader;
using printmon::common::EnvLookup;
using printmon::common::parse_config;

namespace {

// The message of the ConfigError that `fn` throws; fails the test when nothing is thrown.
template <class Fn>
std::string error_of(Fn&& fn) {
    try {
        fn();
    } catch (const ConfigError& e) {
        return e.what();
    }
    FAIL("expected a ConfigError");
    return {};
}

EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        const auto found = vars.find(name);
        if (found == vars.end()) return std::nullopt;
        return found->second;
    };
}

const EnvLookup kNoEnv = env_of({});

}  // namespace

TEST_CASE("syntax errors report source:line:column of the offending character", "[config]") {
    // Line 2 is "  c = 1 2": the stray '2' is the 9th character.
    const std::string message =
        error_of([] { parse_config("a = 1\n  c = 1 2\n", "scanner.toml"); });
    CHECK(message.rfind("scanner.toml:2:9: ", 0) == 0);
    CHECK(message.find("saw '2'") != std::string::npos);

    // A missing value is reported where the value should start (the newline at 2:5).
    const std::string missing_value = error_of([] { parse_config("a = 1\nb = \n", "x.toml"); });
    CHECK(missing_value.rfind("x.toml:2:5: ", 0) == 0);
}

TEST_CASE("parse_config_file names the file as given", "[config]") {
    const std::string path = printmon::test::source_dir() + "/tests/data/common/syntax_error.toml";
    const std::string message = error_of([&] { printmon::common::parse_config_file(path); });
    CHECK(message.rfind(path + ":4:18: ", 0) == 0);

    const std::string missing = path + ".does-not-exist";
    CHECK(error_of([&] { printmon::common::parse_config_file(missing); }) ==
          missing + ": cannot open: No such file or directory");
}

TEST_CASE("a valid file reads into typed values", "[config]") {
    const std::string path = printmon::test::source_dir() + "/tests/data/common/valid.toml";
    const toml::table doc = printmon::common::parse_config_file(path);
    const ConfigReader root(doc, "valid.toml", kNoEnv);
    CHECK(root.required<std::string>("name") == "site-a");
    const ConfigReader polling = root.table("polling");
    CHECK(polling.required<std::int64_t>("interval_ms") == 60000);
    CHECK(polling.required<double>("timeout_s") == Approx(1.5));
    CHECK(polling.required<std::vector<std::string>>("tags") ==
          std::vector<std::string>{"lobby", "floor-2"});
    CHECK(polling.get_or<bool>("enabled", true));
    const ConfigReader database = root.table("database");
    CHECK(database.required<std::string>("conninfo") == "host=127.0.0.1 dbname=printmon");
    CHECK(database.required_secret("password") == "from-file");
    const auto printers = root.tables("printers");
    REQUIRE(printers.size() == 2);
    CHECK(printers[0].required<std::string>("host") == "10.0.0.5");
    CHECK(printers[0].get_or<std::uint16_t>("port", 161) == 161);
    CHECK(printers[1].get_or<std::uint16_t>("port", 1161) == 1161);
    CHECK(printers[1].path_of("host") == "printers[1].host");
    // printers[1].host is the only key not read yet: finish() must notice exactly that one.
    CHECK(error_of([&] { root.finish(); }) == "valid.toml:18:1: unknown key 'printers[1].host'");
    CHECK(printers[1].required<std::string>("host") == "10.0.0.6");
    CHECK_NOTHROW(root.finish());
}

TEST_CASE("unknown keys are reported at their line, first in file order", "[config]") {
    const toml::table doc = parse_config(
        "name = \"a\"\n"
        "[polling]\n"
        "interval_ms = 100\n"
        "intervall = 5\n"
        "[extra]\n"
        "x = 1\n",
        "scanner.toml");
    const ConfigReader root(doc, "scanner.toml", kNoEnv);
    root.required<std::string>("name");
    root.table("polling").required<int>("interval_ms");
    CHECK(error_of([&] { root.finish(); }) == "scanner.toml:4:1: unknown key 'polling.intervall'");
}

TEST_CASE("an unread table is reported at its header", "[config]") {
    const toml::table doc = parse_config("name = \"a\"\n\n[extra]\nx = 1\n", "s.toml");
    const ConfigReader root(doc, "s.toml", kNoEnv);
    root.required<std::string>("name");
    CHECK(error_of([&] { root.finish(); }) == "s.toml:3:1: unknown key 'extra'");
}

TEST_CASE("unknown keys inside arrays of tables name the element", "[config]") {
    const toml::table doc =
        parse_config("[[printers]]\nhost = \"a\"\n\n[[printers]]\nhots = \"b\"\n", "s.toml");
    const ConfigReader root(doc, "s.toml", kNoEnv);
    for (const auto& printer : root.tables("printers")) printer.optional<std::string>("host");
    CHECK(error_of([&] { root.finish(); }) == "s.toml:5:1: unknown key 'printers[1].hots'");
}

TEST_CASE("wrong types name the key, the expected and the actual type", "[config]") {
    const toml::table doc = parse_config(
        "[polling]\ninterval_ms = \"100\"\ntags = [\"a\", 2]\nport = 70000\nratio = true\n",
        "scanner.toml");
    const ConfigReader polling = ConfigReader(doc, "scanner.toml", kNoEnv).table("polling");
    CHECK(error_of([&] { polling.required<int>("interval_ms"); }) ==
          "scanner.toml:2:15: 'polling.interval_ms' must be an integer, got string");
    CHECK(error_of([&] { polling.required<std::vector<std::string>>("tags"); }) ==
          "scanner.toml:3:14: 'polling.tags[1]' must be a string, got integer");
    CHECK(error_of([&] { polling.required<std::uint16_t>("port"); }) ==
          "scanner.toml:4:8: 'polling.port' value 70000 is out of range");
    CHECK(error_of([&] { polling.optional<double>("ratio"); }) ==
          "scanner.toml:5:9: 'polling.ratio' must be a number, got boolean");
}

TEST_CASE("integers are accepted where a float is expected", "[config]") {
    const toml::table doc = parse_config("timeout_s = 2\n", "s.toml");
    CHECK(ConfigReader(doc, "s.toml", kNoEnv).required<double>("timeout_s") == 2.0);
}

TEST_CASE("missing required keys point at their table", "[config]") {
    const toml::table doc = parse_config("name = \"a\"\n\n[database]\nuser = \"u\"\n", "s.toml");
    const ConfigReader root(doc, "s.toml", kNoEnv);
    CHECK(error_of([&] { root.required<std::string>("site"); }) ==
          "s.toml: missing required key 'site'");
    CHECK(error_of([&] { root.table("database").required<std::string>("conninfo"); }) ==
          "s.toml:3:1: missing required key 'database.conninfo'");
    // An absent table reads as empty, so its required keys are reported without a line.
    CHECK(error_of([&] { root.table("web").required<int>("port"); }) ==
          "s.toml: missing required key 'web.port'");
    CHECK_FALSE(root.optional_table("web").has_value());
}

TEST_CASE("fail() reports a semantic error at the value", "[config]") {
    const toml::table doc = parse_config("[web]\nport = 0\n", "s.toml");
    const ConfigReader web = ConfigReader(doc, "s.toml", kNoEnv).table("web");
    CHECK(web.required<int>("port") == 0);
    CHECK(error_of([&] { web.fail("port", "must be between 1 and 65535"); }) ==
          "s.toml:2:8: 'web.port' must be between 1 and 65535");
}

TEST_CASE("secrets come from the environment before the file", "[config][env]") {
    CHECK(printmon::common::env_override_name("database.password") == "PRINTMON_DATABASE_PASSWORD");
    CHECK(printmon::common::env_override_name("printers[2].community-string") ==
          "PRINTMON_PRINTERS_2_COMMUNITY_STRING");

    const toml::table doc = parse_config("[database]\npassword = \"file\"\n", "s.toml");

    const ConfigReader from_env(doc, "s.toml", env_of({{"PRINTMON_DATABASE_PASSWORD", "env"}}));
    CHECK(from_env.table("database").required_secret("password") == "env");
    // The file's value was overridden, not left unknown.
    CHECK_NOTHROW(from_env.finish());

    const ConfigReader from_file(doc, "s.toml", env_of({{"PRINTMON_OTHER_PASSWORD", "x"}}));
    CHECK(from_file.table("database").required_secret("password") == "file");

    const toml::table empty = parse_config("[database]\n", "s.toml");
    const ConfigReader neither(empty, "s.toml", kNoEnv);
    CHECK(error_of([&] { neither.table("database").required_secret("password"); }) ==
          "s.toml:1:1: missing required key 'database.password' (or set "
          "PRINTMON_DATABASE_PASSWORD)");
    const ConfigReader only_env(empty, "s.toml", env_of({{"PRINTMON_DATABASE_TOKEN", "t"}}));
    CHECK(only_env.table("database").optional_secret("token") == std::optional<std::string>("t"));
    CHECK_FALSE(only_env.table("database").optional_secret("password").has_value());
}
