#include "app/config.hpp"

#include <fmt/format.h>

#include "printmon/metrics/config.hpp"
#include "printmon/net/http.hpp"
#include "printmon/net/proxy_protocol.hpp"

namespace printmon::cloud {
namespace {

CloudConfig read(const common::ConfigReader& root) {
    CloudConfig c;
    c.log_level = root.table("log").get_or<std::string>("level", c.log_level);

    const auto server = root.table("server");
    c.server.address = server.get_or<std::string>("address", "0.0.0.0");
    c.server.port = server.get_or<std::uint16_t>("port", 8443);
    const bool tls = server.get_or<bool>("tls", true);
    const auto cert = server.optional<std::string>("cert_file");
    const auto key = server.optional<std::string>("key_file");
    if (tls) {
        if (!cert || cert->empty()) server.fail("cert_file", "is required when tls = true");
        if (!key || key->empty()) server.fail("key_file", "is required when tls = true");
        c.server.tls = net::ServerTlsOptions{*cert, *key, "", false};
    }
    c.server.io_threads = server.get_or<std::size_t>("io_threads", 1);
    c.server.blocking_threads = server.get_or<std::size_t>("blocking_threads", 4);
    c.server.max_connections = server.get_or<std::size_t>("max_connections", 256);
    c.server.max_connections_per_address =
        server.get_or<std::size_t>("max_connections_per_address", 64);
    c.server.proxy_protocol_from =
        server.get_or<std::vector<std::string>>("proxy_protocol_from", {});
    try {
        (void)net::NetworkList(c.server.proxy_protocol_from);
    } catch (const std::invalid_argument& e) {
        server.fail("proxy_protocol_from", e.what());
    }
    c.server.retry_after = std::chrono::seconds(server.get_or<int>("retry_after_s", 5));
    c.server.body_timeout =
        std::chrono::milliseconds(server.get_or<int>("body_timeout_ms", 60'000));
    c.public_url = server.get_or<std::string>("public_url", "");
    while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
    if (!c.public_url.empty()) {
        const bool scheme =
            c.public_url.rfind("https://", 0) == 0 || c.public_url.rfind("http://", 0) == 0;
        const bool plain = c.public_url.find_first_of(" \t\r\n?#\"'<>") == std::string::npos;
        if (!scheme || !plain || c.public_url.size() > 500) {
            server.fail("public_url",
                        "must be an http(s):// URL without query or fragment, e.g. "
                        "\"https://printmon.example.com\"");
        }
    }
    if (c.server.io_threads == 0) server.fail("io_threads", "must be at least 1");
    if (c.server.blocking_threads == 0) server.fail("blocking_threads", "must be at least 1");

    const auto db = root.table("database");
    c.database.conninfo = db.get_or<std::string>("conninfo", "");
    c.database.pool_size = db.get_or<std::size_t>("pool_size", c.database.pool_size);
    if (c.database.pool_size == 0) db.fail("pool_size", "must be at least 1");
    c.database.acquire_timeout =
        std::chrono::milliseconds(db.get_or<int>("acquire_timeout_ms", 500));
    c.database.migrate_on_start = db.get_or<bool>("migrate_on_start", true);
    c.database.replica_conninfo = db.get_or<std::string>("replica_conninfo", "");
    c.database.replica_pool_size =
        db.get_or<std::size_t>("replica_pool_size", c.database.replica_pool_size);
    if (c.database.replica_pool_size == 0) db.fail("replica_pool_size", "must be at least 1");
    const auto password = db.optional_secret("password");
    if (password && !password->empty()) {
        c.database.conninfo = with_password(c.database.conninfo, *password);
        if (!c.database.replica_conninfo.empty()) {
            c.database.replica_conninfo = with_password(c.database.replica_conninfo, *password);
        }
    }

    const auto analytics = root.table("analytics");
    const int refresh_s = analytics.get_or<int>("refresh_interval_s", 5);
    if (refresh_s < 1 || refresh_s > 3600) {
        analytics.fail("refresh_interval_s", "must be between 1 and 3600");
    }
    c.analytics.refresh_interval = std::chrono::seconds(refresh_s);
    const int timeout_ms = analytics.get_or<int>("statement_timeout_ms", 10'000);
    if (timeout_ms < 100 || timeout_ms > 600'000) {
        analytics.fail("statement_timeout_ms", "must be between 100 and 600000");
    }
    c.analytics.statement_timeout = std::chrono::milliseconds(timeout_ms);
    const int maintenance_s = analytics.get_or<int>("raw_maintenance_interval_s", 3600);
    if (maintenance_s < 0 || maintenance_s > 86'400) {
        analytics.fail("raw_maintenance_interval_s", "must be between 0 and 86400");
    }
    c.analytics.raw_maintenance_interval = std::chrono::seconds(maintenance_s);
    const int forecast_ms = analytics.get_or<int>("forecast_budget_ms", 1000);
    if (forecast_ms < 0 || forecast_ms > 60'000) {
        analytics.fail("forecast_budget_ms", "must be between 0 (off) and 60000");
    }
    c.analytics.forecast_budget = std::chrono::milliseconds(forecast_ms);
    const int max_lag_s = analytics.get_or<int>("max_replica_lag_s", 0);
    if (max_lag_s < 0 || max_lag_s > 86'400) {
        analytics.fail("max_replica_lag_s", "must be between 0 (off) and 86400");
    }
    if (max_lag_s > 0 && c.database.replica_conninfo.empty()) {
        analytics.fail("max_replica_lag_s", "needs [database] replica_conninfo");
    }
    c.analytics.max_replica_lag = std::chrono::seconds(max_lag_s);

    const auto ingest = root.table("ingest");
    c.limits.max_body_bytes = ingest.get_or<std::size_t>("max_body_bytes", c.limits.max_body_bytes);
    c.limits.max_inflated_bytes =
        ingest.get_or<std::size_t>("max_inflated_bytes", c.limits.max_inflated_bytes);
    c.limits.import_max_body_bytes =
        ingest.get_or<std::size_t>("import_max_body_bytes", c.limits.import_max_body_bytes);
    c.limits.import_max_inflated_bytes =
        ingest.get_or<std::size_t>("import_max_inflated_bytes", c.limits.import_max_inflated_bytes);
    c.limits.max_inflate_ratio =
        ingest.get_or<std::size_t>("max_inflate_ratio", c.limits.max_inflate_ratio);
    c.auth.retry_after = std::chrono::seconds(ingest.get_or<int>("retry_after_s", 2));

    c.auth.admin_token = root.table("auth").optional_secret("admin_token").value_or("");
    const int reset_ttl_s = root.table("auth").get_or<int>("password_reset_ttl_s", 1800);
    if (reset_ttl_s < 300 || reset_ttl_s > 86'400) {
        root.table("auth").fail("password_reset_ttl_s", "must be between 300 and 86400");
    }
    c.auth.password_reset_ttl = std::chrono::seconds(reset_ttl_s);
    // A Secure cookie never comes back over plain HTTP (server.tls = false, development only).
    c.auth.secure_cookies = c.server.tls.has_value();
    if (!c.auth.admin_token.empty() && c.auth.admin_token.size() < 32) {
        root.table("auth").fail("admin_token", "must be at least 32 characters");
    }
    const auto secrets = root.table("secrets");
    c.secret_key_file = secrets.get_or<std::string>("key_file", c.secret_key_file.string());
    if (c.secret_key_file.empty()) secrets.fail("key_file", "must name a file");

    const auto notify = root.table("notify");
    auto& n = c.notify;
    n.enabled = notify.get_or<bool>("enabled", n.enabled);
    n.smtp_url = notify.get_or<std::string>("smtp_url", "");
    if (!n.smtp_url.empty() && n.smtp_url.rfind("smtp://", 0) != 0 &&
        n.smtp_url.rfind("smtps://", 0) != 0) {
        notify.fail("smtp_url", "must start with smtp:// or smtps://");
    }
    n.smtp_from = notify.get_or<std::string>("smtp_from", n.smtp_from);
    n.smtp_username = notify.get_or<std::string>("smtp_username", "");
    n.smtp_password = notify.optional_secret("smtp_password").value_or("");
    const auto tls_mode = notify.get_or<std::string>("smtp_tls", "auto");
    if (tls_mode == "auto") {
        n.smtp_tls = alerts::SmtpTls::opportunistic;
    } else if (tls_mode == "require") {
        n.smtp_tls = alerts::SmtpTls::required;
    } else if (tls_mode == "off") {
        n.smtp_tls = alerts::SmtpTls::off;
    } else {
        notify.fail("smtp_tls", "must be auto, require or off");
    }
    n.ca_file = notify.get_or<std::string>("ca_file", "");
    const auto ms = [&notify](const char* name, int fallback, int min, int max) {
        const int v = notify.get_or<int>(name, fallback);
        if (v < min || v > max)
            notify.fail(name, fmt::format("must be between {} and {}", min, max));
        return v;
    };
    n.connect_timeout = std::chrono::milliseconds(ms("connect_timeout_ms", 5000, 100, 600'000));
    n.timeout = std::chrono::milliseconds(ms("timeout_ms", 20'000, 100, 600'000));
    n.poll_interval = std::chrono::milliseconds(ms("poll_interval_ms", 1000, 10, 600'000));
    n.lease = std::chrono::seconds(ms("lease_s", 120, 1, 86'400));
    n.max_attempts = ms("max_attempts", 12, 1, 100);
    n.backoff_base = std::chrono::seconds(ms("backoff_base_s", 30, 1, 86'400));
    n.backoff_max = std::chrono::seconds(ms("backoff_max_s", 3600, 1, 86'400 * 7));
    n.evaluate_interval = std::chrono::seconds(ms("evaluate_interval_s", 60, 1, 86'400));
    n.allow_private_webhooks = notify.get_or<bool>("allow_private_webhooks", false);
    n.telegram_api_url = notify.get_or<std::string>("telegram_api_url", n.telegram_api_url);
    // A base URL to which ".../bot<token>/sendMessage" is appended: a host, a path if any, and
    // no user info, query or fragment (they would swallow or misplace the token's path).
    const auto& tg = n.telegram_api_url;
    const auto host = tg.find("://") + 3;  // npos + 3 wraps to 2: caught by the scheme check
    const bool tg_scheme = tg.rfind("https://", 0) == 0 || tg.rfind("http://", 0) == 0;
    if (!tg_scheme || host >= tg.size() || tg[host] == '/' ||
        tg.find_first_of("@?#") != std::string::npos) {
        notify.fail("telegram_api_url", "must be an http(s) URL without user info or query");
    }
    n.telegram_proxy = notify.get_or<std::string>("telegram_proxy", "");
    if (!n.telegram_proxy.empty()) {
        const auto& px = n.telegram_proxy;
        const bool known = px.rfind("http://", 0) == 0 || px.rfind("https://", 0) == 0 ||
                           px.rfind("socks5://", 0) == 0 || px.rfind("socks5h://", 0) == 0;
        if (!known || px.find_first_of(" \t\r\n") != std::string::npos) {
            notify.fail("telegram_proxy",
                        "must be an http://, https://, socks5:// or socks5h:// URL");
        }
    }

    c.metrics_listen = metrics::read_listen(root, c.server.port);
    root.finish();
    return c;
}

}  // namespace

CloudConfig load_config(const std::filesystem::path& path, const common::EnvLookup& env) {
    const auto table = common::parse_config_file(path);
    auto config = read(common::ConfigReader(table, path.string(), env));
    // Rationale: from the configuration's folder, not the working directory, so the key stays
    // beside the file that names it whoever starts the service from wherever.
    if (config.secret_key_file.is_relative()) {
        config.secret_key_file = path.parent_path() / config.secret_key_file;
    }
    return config;
}

CloudConfig parse_config(std::string_view text, std::string_view source_name,
                         const common::EnvLookup& env) {
    const auto table = common::parse_config(text, source_name);
    return read(common::ConfigReader(table, std::string(source_name), env));
}

std::string with_password(const std::string& conninfo, const std::string& password) {
    if (conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0) {
        const char sep = conninfo.find('?') == std::string::npos ? '?' : '&';
        return conninfo + sep + "password=" + net::percent_encode(password);
    }
    std::string quoted;
    for (const char c : password) {
        if (c == '\'' || c == '\\') quoted += '\\';
        quoted += c;
    }
    return conninfo + (conninfo.empty() ? "" : " ") + "password='" + quoted + "'";
}

}  // namespace printmon::cloud
