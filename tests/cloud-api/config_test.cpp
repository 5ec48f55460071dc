// cloud-api.toml: defaults, the example file, and precise errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "app/config.hpp"
#include "sim.hpp"
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
    CHECK(example.analytics.raw_maintenance_interval ==
          defaults.analytics.raw_maintenance_interval);
    CHECK(example.analytics.forecast_budget == defaults.analytics.forecast_budget);
    CHECK(example.analytics.max_replica_lag == defaults.analytics.max_replica_lag);
    CHECK(example.database.replica_conninfo == defaults.database.replica_conninfo);
    CHECK(example.database.replica_pool_size == defaults.database.replica_pool_size);
    CHECK(example.server.proxy_protocol_from.empty());
}

TEST_CASE("[server] proxy_protocol_from: addresses and networks; anything else refused",
          "[cloud][config]") {
    const auto two = parse_config(
        "[server]\ntls = false\nproxy_protocol_from = [\"10.0.0.5\", \"172.16.0.0/12\"]\n",
        "c.toml", env_of({}));
    CHECK(two.server.proxy_protocol_from == std::vector<std::string>{"10.0.0.5", "172.16.0.0/12"});
    CHECK(error_of("[server]\ntls = false\nproxy_protocol_from = [\"10.0.0.0/33\"]\n") ==
          "c.toml:3:23: 'server.proxy_protocol_from' '10.0.0.0/33' has no valid prefix length "
          "(0..32)");
    CHECK(error_of("[server]\ntls = false\nproxy_protocol_from = [\"haproxy\"]\n") ==
          "c.toml:3:23: 'server.proxy_protocol_from' 'haproxy' is not an IP address or network");
    CHECK(
        error_of("[server]\ntls = false\nproxy_protocol_from = \"10.0.0.5\"\n").find("an array") !=
        std::string::npos);
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
    CHECK(error_of("[server]\ntls = false\n[analytics]\nforecast_budget_ms = -1\n") ==
          "c.toml:4:22: 'analytics.forecast_budget_ms' must be between 0 (off) and 60000");
    CHECK(parse_config("[server]\ntls = false\n[analytics]\nforecast_budget_ms = 0\n", "c.toml",
                       env_of({}))
              .analytics.forecast_budget == std::chrono::milliseconds(0));
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

TEST_CASE("[secrets] key_file: beside the configuration unless absolute; never empty",
          "[cloud][config][secrets]") {
    // The packaged configuration keeps it in the service's state folder (systemd
    // StateDirectory; /etc/printmon is read-only to the service).
    const auto example =
        cloud::load_config(test::source_dir() + "/cloud-api/cloud-api.example.toml", env_of({}));
    CHECK(example.secret_key_file == "/var/lib/printmon/cloud-secret.key");
    // Without the key: beside the file that names it, whatever the working directory.
    printmon::test::TempDir dir;
    const auto path = dir.path / "cloud-api.toml";
    std::ofstream(path) << "[server]\ntls = false\n";
    CHECK(cloud::load_config(path, env_of({})).secret_key_file == dir.path / "cloud-secret.key");
    std::ofstream(path) << "[server]\ntls = false\n[secrets]\nkey_file = \"keys/k\"\n";
    CHECK(cloud::load_config(path, env_of({})).secret_key_file == dir.path / "keys" / "k");
    // parse_config has no file: the path stays as written.
    CHECK(parse_config("[server]\ntls = false\n", "c.toml", env_of({})).secret_key_file ==
          "cloud-secret.key");
    CHECK(parse_config("[server]\ntls = false\n[secrets]\nkey_file = \"/run/secrets/k\"\n",
                       "c.toml", env_of({}))
              .secret_key_file == "/run/secrets/k");
    CHECK(error_of("[server]\ntls = false\n[secrets]\nkey_file = \"\"\n") ==
          "c.toml:4:12: 'secrets.key_file' must name a file");
}

TEST_CASE("[notify]: defaults match the example, every key read, bad values refused",
          "[cloud][config][notify]") {
    const auto example =
        cloud::load_config(test::source_dir() + "/cloud-api/cloud-api.example.toml", env_of({}));
    const cloud::alerts::NotifyConfig d;
    const auto& e = example.notify;
    CHECK(e.enabled == d.enabled);
    CHECK(e.smtp_url.empty());
    CHECK(e.smtp_from == d.smtp_from);
    CHECK(e.smtp_username.empty());
    CHECK(e.smtp_password.empty());
    CHECK(e.smtp_tls == cloud::alerts::SmtpTls::opportunistic);
    CHECK(e.ca_file.empty());
    CHECK(e.connect_timeout == d.connect_timeout);
    CHECK(e.timeout == d.timeout);
    CHECK(e.poll_interval == d.poll_interval);
    CHECK(e.lease == d.lease);
    CHECK(e.max_attempts == d.max_attempts);
    CHECK(e.backoff_base == d.backoff_base);
    CHECK(e.backoff_max == d.backoff_max);
    CHECK(e.evaluate_interval == d.evaluate_interval);
    CHECK_FALSE(e.allow_private_webhooks);
    CHECK(e.telegram_api_url == d.telegram_api_url);
    CHECK(d.telegram_api_url == "https://api.telegram.org");
    CHECK(e.telegram_proxy.empty());

    const auto c = parse_config(
        "[server]\ntls = false\n[notify]\nenabled = false\nevaluate_interval_s = 5\n"
        "smtp_url = \"smtps://mail.example.com:465\"\nsmtp_from = \"alerts@example.com\"\n"
        "smtp_username = \"u\"\nsmtp_password = \"from-file\"\nsmtp_tls = \"require\"\n"
        "ca_file = \"/etc/ca.pem\"\nconnect_timeout_ms = 700\ntimeout_ms = 900\n"
        "poll_interval_ms = 50\nlease_s = 7\nmax_attempts = 3\nbackoff_base_s = 2\n"
        "backoff_max_s = 9\nallow_private_webhooks = true\n"
        "telegram_api_url = \"https://tg-proxy.example.com/\"\n"
        "telegram_proxy = \"socks5h://proxy.example.com:1080\"\n",
        "c.toml", env_of({}));
    const auto& n = c.notify;
    CHECK_FALSE(n.enabled);
    CHECK(n.evaluate_interval == std::chrono::seconds(5));
    CHECK(n.smtp_url == "smtps://mail.example.com:465");
    CHECK(n.smtp_from == "alerts@example.com");
    CHECK(n.smtp_username == "u");
    CHECK(n.smtp_password == "from-file");
    CHECK(n.smtp_tls == cloud::alerts::SmtpTls::required);
    CHECK(n.ca_file == "/etc/ca.pem");
    CHECK(n.connect_timeout == std::chrono::milliseconds(700));
    CHECK(n.timeout == std::chrono::milliseconds(900));
    CHECK(n.poll_interval == std::chrono::milliseconds(50));
    CHECK(n.lease == std::chrono::seconds(7));
    CHECK(n.max_attempts == 3);
    CHECK(n.backoff_base == std::chrono::seconds(2));
    CHECK(n.backoff_max == std::chrono::seconds(9));
    CHECK(n.allow_private_webhooks);
    CHECK(n.telegram_api_url == "https://tg-proxy.example.com/");
    CHECK(n.telegram_proxy == "socks5h://proxy.example.com:1080");
    CHECK(
        parse_config("[server]\ntls = false\n[notify]\nsmtp_tls = \"off\"\n", "c.toml", env_of({}))
            .notify.smtp_tls == cloud::alerts::SmtpTls::off);

    // The password from the environment wins over the file (secrets stay out of files).
    const auto from_env =
        parse_config("[server]\ntls = false\n[notify]\nsmtp_password = \"from-file\"\n", "c.toml",
                     env_of({{"PRINTMON_NOTIFY_SMTP_PASSWORD", "from-env"}}));
    CHECK(from_env.notify.smtp_password == "from-env");

    const std::string head = "[server]\ntls = false\n[notify]\n";
    CHECK(error_of(head + "smtp_url = \"http://mail\"\n").find("must start with smtp://") !=
          std::string::npos);
    CHECK(error_of(head + "smtp_tls = \"sometimes\"\n").find("must be auto, require or off") !=
          std::string::npos);
    CHECK(error_of(head + "max_attempts = 0\n").find("max_attempts") != std::string::npos);
    CHECK(error_of(head + "lease_s = 0\n").find("between 1 and 86400") != std::string::npos);
    CHECK(error_of(head + "evaluate_interval_s = 90000\n").find("evaluate_interval_s") !=
          std::string::npos);
    CHECK(error_of(head + "timeout_ms = 10\n").find("timeout_ms") != std::string::npos);
    CHECK(error_of(head + "allow_private_webhooks = \"yes\"\n").find("allow_private_webhooks") !=
          std::string::npos);
    for (const char* bad :
         {"ftp://api.telegram.org", "https://user:pw@api.telegram.org", "https://", "https:///bot",
          "https://api.telegram.org/?x=1", "api.telegram.org"}) {
        CHECK(error_of(head + "telegram_api_url = \"" + bad + "\"\n").find("telegram_api_url") !=
              std::string::npos);
    }
    CHECK(error_of(head + "telegram_proxy = \"proxy.example.com:3128\"\n").find("telegram_proxy") !=
          std::string::npos);
    CHECK(error_of(head + "smtp_hostname = \"x\"\n").find("smtp_hostname") != std::string::npos);
}

TEST_CASE("[metrics] listen: off by default, HOST:PORT, never the API port", "[cloud][config]") {
    const auto example =
        cloud::load_config(test::source_dir() + "/cloud-api/cloud-api.example.toml", env_of({}));
    CHECK_FALSE(example.metrics_listen.has_value());
    const auto on =
        parse_config("[server]\ntls = false\nport = 8080\n[metrics]\nlisten = \"127.0.0.1:9464\"\n",
                     "c.toml", env_of({}));
    REQUIRE(on.metrics_listen);
    CHECK(on.metrics_listen->host == "127.0.0.1");
    CHECK(on.metrics_listen->port == 9464);
    const auto same_port =
        error_of("[server]\ntls = false\nport = 8080\n[metrics]\nlisten = \"127.0.0.1:8080\"\n");
    CHECK(same_port.find("c.toml:5:") == 0);
    CHECK(same_port.find("metrics.listen") != std::string::npos);
    CHECK(same_port.find("port of the API") != std::string::npos);
    const auto malformed = error_of("[server]\ntls = false\n[metrics]\nlisten = \"9464\"\n");
    CHECK(malformed.find("HOST:PORT") != std::string::npos);
}

TEST_CASE("replica reads: off by default, need a replica, get the password", "[cloud][config]") {
    const auto off = parse_config("[server]\ntls = false\n", "c.toml", env_of({}));
    CHECK(off.database.replica_conninfo.empty());
    CHECK(off.analytics.max_replica_lag.count() == 0);
    CHECK(error_of("[server]\ntls = false\n[analytics]\nmax_replica_lag_s = 30\n") ==
          "c.toml:4:21: 'analytics.max_replica_lag_s' needs [database] replica_conninfo");
    CHECK_THAT(error_of("[server]\ntls = false\n[database]\nreplica_conninfo = \"host=r\"\n"
                        "[analytics]\nmax_replica_lag_s = -1\n"),
               Catch::Contains("'analytics.max_replica_lag_s' must be between 0 (off) and 86400"));
    const auto on = parse_config(
        "[server]\ntls = false\n[database]\nconninfo = \"host=pg1,pg2 "
        "target_session_attrs=read-write\"\nreplica_conninfo = \"host=pg1,pg2 "
        "target_session_attrs=prefer-standby\"\nreplica_pool_size = 3\n"
        "[analytics]\nmax_replica_lag_s = 30\n",
        "c.toml", env_of({{"PRINTMON_DATABASE_PASSWORD", "s3cret"}}));
    CHECK(on.database.conninfo == "host=pg1,pg2 target_session_attrs=read-write password='s3cret'");
    CHECK(on.database.replica_conninfo ==
          "host=pg1,pg2 target_session_attrs=prefer-standby password='s3cret'");
    CHECK(on.database.replica_pool_size == 3);
    CHECK(on.analytics.max_replica_lag == std::chrono::seconds(30));
}
