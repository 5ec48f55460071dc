#include <catch2/catch.hpp>

#include <fstream>

#include "app/service_config.hpp"

using namespace std::chrono_literals;
using printmon::common::ConfigError;
using printmon::scanner::parse_service_config;
using printmon::scanner::with_password;

namespace {

std::optional<std::string> no_env(const std::string&) { return std::nullopt; }

std::string error_of(const std::string& text) {
    try {
        parse_service_config(text, "scanner.toml", no_env);
    } catch (const ConfigError& e) {
        return e.what();
    }
    FAIL("expected a ConfigError");
    return {};
}

}  // namespace

TEST_CASE("the example configuration holds exactly the defaults", "[service_config]") {
    const auto text = [] {
        std::ifstream in(std::string(PRINTMON_EXAMPLE_TOML));
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }();
    REQUIRE_FALSE(text.empty());
    const auto example = parse_service_config(text, "scanner.example.toml", no_env);
    const auto empty = parse_service_config("", "empty.toml", no_env);
    CHECK(example.log_level == empty.log_level);
    CHECK(example.profiles_dir == empty.profiles_dir);
    const auto& a = example.service;
    const auto& b = empty.service;
    CHECK(a.conninfo == b.conninfo);
    CHECK(a.max_queued_results == b.max_queued_results);
    CHECK(a.reconnect_min == b.reconnect_min);
    CHECK(a.reconnect_max == b.reconnect_max);
    CHECK(a.startup_wait == b.startup_wait);
    CHECK(a.max_in_flight == b.max_in_flight);
    CHECK(a.max_concurrent_polls == b.max_concurrent_polls);
    CHECK(a.snmp_timeout == b.snmp_timeout);
    CHECK(a.snmp_retries == b.snmp_retries);
    CHECK(a.discovery_timeout == b.discovery_timeout);
    CHECK(a.tick == b.tick);
    CHECK(a.device_refresh == b.device_refresh);
    CHECK(a.shutdown_grace == b.shutdown_grace);
    CHECK(a.secret_key_file == b.secret_key_file);
    CHECK(a.secret_key_file == "/var/lib/printmon/scanner-secret.key");
    CHECK(a.retention.enabled == b.retention.enabled);
    CHECK(a.retention.raw_age == b.retention.raw_age);
    CHECK(a.retention.daily_age == b.retention.daily_age);
    CHECK(a.retention.events_age == b.retention.events_age);
    CHECK(a.retention.batches_age == b.retention.batches_age);
    CHECK(a.retention.interval == b.retention.interval);
    CHECK(a.retention.batch_size == b.retention.batch_size);
    const auto& w = example.web;
    const auto& v = empty.web;
    CHECK(w.enabled == v.enabled);
    CHECK(w.address == v.address);
    CHECK(w.port == v.port);
    CHECK(w.tls_cert_file == v.tls_cert_file);
    CHECK(w.tls_key_file == v.tls_key_file);
    CHECK(w.session_lifetime == v.session_lifetime);
    CHECK(w.login_max_failures == v.login_max_failures);
    CHECK(w.login_window == v.login_window);
    CHECK(w.cloud_ca_file == v.cloud_ca_file);
    CHECK(w.cloud_timeout == v.cloud_timeout);
}

TEST_CASE("the [secrets] section: an absolute key file path", "[service_config]") {
    const auto c = parse_service_config("[secrets]\nkey_file = \"/srv/printmon/key\"\n",
                                        "scanner.toml", no_env);
    CHECK(c.service.secret_key_file == "/srv/printmon/key");
    CHECK_THROWS_WITH(
        parse_service_config("[secrets]\nkey_file = \"key\"\n", "scanner.toml", no_env),
        Catch::Contains("key_file") && Catch::Contains("absolute"));
    CHECK_THROWS_WITH(parse_service_config("[secrets]\nkey_file = \"\"\n", "scanner.toml", no_env),
                      Catch::Contains("key_file") && Catch::Contains("empty"));
}

TEST_CASE("the [retention] section: defaults, values and exact errors", "[service_config]") {
    const auto d = parse_service_config("", "scanner.toml", no_env).service.retention;
    CHECK(d.enabled);
    CHECK(d.raw_age == 30 * 24h);
    CHECK(d.daily_age == 400 * 24h);
    CHECK(d.events_age == 400 * 24h);
    CHECK(d.batches_age == 30 * 24h);
    CHECK(d.interval == 1h);
    CHECK(d.batch_size == 500);

    const auto c = parse_service_config(
        "[retention]\nenabled = false\nraw_age_s = 300\ndaily_age_s = 600\nevents_age_s = 120\n"
        "batches_age_s = 240\ninterval_s = 30\nbatch_size = 50\n",
        "scanner.toml", no_env);
    const auto& r = c.service.retention;
    CHECK_FALSE(r.enabled);
    CHECK(r.raw_age == 300s);
    CHECK(r.daily_age == 600s);
    CHECK(r.events_age == 120s);
    CHECK(r.batches_age == 240s);
    CHECK(r.interval == 30s);
    CHECK(r.batch_size == 50);

    CHECK_THAT(error_of("[retention]\nraw_age_s = 59\n"), Catch::Contains("scanner.toml") &&
                                                              Catch::Contains("raw_age_s") &&
                                                              Catch::Contains("60..316224000"));
    CHECK_THAT(error_of("[retention]\nraw_age_s = 7200\ndaily_age_s = 3600\n"),
               Catch::Contains("daily_age_s") && Catch::Contains("not be below raw_age_s"));
    CHECK_THAT(error_of("[retention]\nevents_age_s = 999999999999\n"),
               Catch::Contains("events_age_s"));
    CHECK_THAT(error_of("[retention]\ninterval_s = 5\n"),
               Catch::Contains("interval_s") && Catch::Contains("10..86400"));
    CHECK_THAT(error_of("[retention]\nbatch_size = 0\n"),
               Catch::Contains("batch_size") && Catch::Contains("1..10000"));
    CHECK_THAT(error_of("[retention]\nraw_days = 30\n"), Catch::Contains("raw_days"));
}

TEST_CASE("the [web] section: values and exact errors", "[service_config]") {
    const auto c = parse_service_config(
        "[web]\naddress = \"0.0.0.0\"\nport = 8443\ntls_cert_file = \"c.pem\"\n"
        "tls_key_file = \"k.pem\"\nsession_lifetime_s = 3600\n",
        "scanner.toml", no_env);
    CHECK(c.web.address == "0.0.0.0");
    CHECK(c.web.port == 8443);
    CHECK(c.web.tls());
    CHECK(c.web.session_lifetime == std::chrono::seconds(3600));
    CHECK_THROWS_WITH(
        parse_service_config("[web]\ntls_cert_file = \"c.pem\"\n", "scanner.toml", no_env),
        Catch::Contains("tls_key_file") && Catch::Contains("go together"));
    CHECK_THROWS_WITH(parse_service_config("[web]\nport = 70000\n", "scanner.toml", no_env),
                      Catch::Contains("port") && Catch::Contains("0..65535"));
    CHECK_THROWS_WITH(
        parse_service_config("[web]\nsession_lifetime_s = 5\n", "scanner.toml", no_env),
        Catch::Contains("session_lifetime_s"));
    CHECK_THROWS_WITH(parse_service_config("[web]\nlistn = 1\n", "scanner.toml", no_env),
                      Catch::Contains("listn"));
}

TEST_CASE("values, the password from the environment, and exact errors", "[service_config]") {
    const auto env = [](const std::string& name) -> std::optional<std::string> {
        if (name == "PRINTMON_DATABASE_PASSWORD") return std::string("s3cr'et");
        return std::nullopt;
    };
    const auto c = parse_service_config(
        "[database]\nconninfo = \"host=db user=printmon\"\n[snmp]\ntimeout_ms = 2000\n"
        "[scheduler]\ntick_ms = 250\n",
        "scanner.toml", env);
    CHECK(c.service.conninfo == "host=db user=printmon password='s3cr\\'et'");
    CHECK(c.service.snmp_timeout == 2000ms);
    CHECK(c.service.tick == 250ms);

    CHECK(error_of("[snmp]\nretries = 11\n") ==
          "scanner.toml:2:11: 'snmp.retries' must be within 0..10");
    CHECK(error_of("[scheduler]\ntick = 5\n").find("scanner.toml:2:1: unknown key") == 0);
    CHECK(error_of("[log]\nlevel = \"loud\"\n").find("scanner.toml:2:9:") == 0);
}

TEST_CASE("passwords are quoted for conninfo and encoded for URIs", "[service_config]") {
    CHECK(with_password("host=x", "a b\\c") == "host=x password='a b\\\\c'");
    CHECK(with_password("postgresql://u@h/db", "p@ss w") ==
          "postgresql://u@h/db?password=p%40ss%20w");
    CHECK(with_password("postgresql://u@h/db?sslmode=require", "x") ==
          "postgresql://u@h/db?sslmode=require&password=x");
}
