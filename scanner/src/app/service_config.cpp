#include "app/service_config.hpp"

#include <cctype>

#include <fmt/format.h>

#include "printmon/common/logging.hpp"
#include "printmon/metrics/config.hpp"

namespace printmon::scanner {
namespace {

// The systemd unit's StateDirectory and the container's state volume.
constexpr const char* kDefaultSecretKeyFile = "/var/lib/printmon/scanner-secret.key";

ServiceConfig read(const toml::table& root, std::string source_name, const common::EnvLookup& env) {
    const common::ConfigReader reader(root, std::move(source_name), env);
    ServiceConfig c;
    ServiceOptions& o = c.service;

    const auto db = reader.table("database");
    o.conninfo = db.get_or<std::string>("conninfo", "");
    const auto password = db.optional_secret("password");
    if (password && !password->empty()) o.conninfo = with_password(o.conninfo, *password);
    o.max_queued_results = db.get_or<std::size_t>("max_queued_results", o.max_queued_results);
    if (o.max_queued_results == 0) db.fail("max_queued_results", "must be at least 1");
    o.reconnect_min = std::chrono::milliseconds(
        db.get_or<std::int64_t>("reconnect_min_ms", o.reconnect_min.count()));
    o.reconnect_max = std::chrono::milliseconds(
        db.get_or<std::int64_t>("reconnect_max_ms", o.reconnect_max.count()));
    if (o.reconnect_min.count() < 10) db.fail("reconnect_min_ms", "must be at least 10");
    if (o.reconnect_max < o.reconnect_min) {
        db.fail("reconnect_max_ms", "must not be below reconnect_min_ms");
    }
    o.startup_wait =
        std::chrono::seconds(db.get_or<std::int64_t>("startup_wait_s", o.startup_wait.count()));
    if (o.startup_wait.count() < 0) db.fail("startup_wait_s", "must not be negative");

    const auto log = reader.table("log");
    c.log_level = log.get_or<std::string>("level", c.log_level);
    try {
        common::parse_log_level(c.log_level);
    } catch (const std::invalid_argument& e) {
        log.fail("level", e.what());
    }

    const auto snmp = reader.table("snmp");
    o.max_in_flight = snmp.get_or<std::size_t>("max_in_flight", o.max_in_flight);
    if (o.max_in_flight == 0) snmp.fail("max_in_flight", "must be at least 1");
    o.max_concurrent_polls =
        snmp.get_or<std::size_t>("max_concurrent_polls", o.max_concurrent_polls);
    if (o.max_concurrent_polls == 0) snmp.fail("max_concurrent_polls", "must be at least 1");
    o.snmp_timeout =
        std::chrono::milliseconds(snmp.get_or<std::int64_t>("timeout_ms", o.snmp_timeout.count()));
    if (o.snmp_timeout.count() < 10 || o.snmp_timeout.count() > 60000) {
        snmp.fail("timeout_ms", "must be within 10..60000");
    }
    o.snmp_retries = snmp.get_or<int>("retries", o.snmp_retries);
    if (o.snmp_retries < 0 || o.snmp_retries > 10) snmp.fail("retries", "must be within 0..10");
    o.full_read_every = snmp.get_or<int>("full_read_every", o.full_read_every);
    if (o.full_read_every < 1 || o.full_read_every > 10000) {
        snmp.fail("full_read_every", "must be within 1..10000");
    }
    o.discovery_timeout = std::chrono::milliseconds(
        snmp.get_or<std::int64_t>("discovery_timeout_ms", o.discovery_timeout.count()));
    if (o.discovery_timeout.count() < 10 || o.discovery_timeout.count() > 60000) {
        snmp.fail("discovery_timeout_ms", "must be within 10..60000");
    }

    c.profiles_dir = reader.table("profiles").get_or<std::string>("dir", "");

    const auto secrets = reader.table("secrets");
    o.secret_key_file = secrets.get_or<std::string>("key_file", kDefaultSecretKeyFile);
    if (o.secret_key_file.empty()) secrets.fail("key_file", "must not be empty");
    if (!std::filesystem::path(o.secret_key_file).is_absolute()) {
        secrets.fail("key_file", "must be an absolute path");
    }

    const auto sched = reader.table("scheduler");
    o.tick = std::chrono::milliseconds(sched.get_or<std::int64_t>("tick_ms", o.tick.count()));
    if (o.tick.count() < 10 || o.tick.count() > 60000) {
        sched.fail("tick_ms", "must be within 10..60000");
    }
    o.device_refresh = std::chrono::seconds(
        sched.get_or<std::int64_t>("device_refresh_s", o.device_refresh.count()));
    if (o.device_refresh.count() < 1) sched.fail("device_refresh_s", "must be at least 1");
    o.shutdown_grace = std::chrono::seconds(
        sched.get_or<std::int64_t>("shutdown_grace_s", o.shutdown_grace.count()));
    if (o.shutdown_grace.count() < 0) sched.fail("shutdown_grace_s", "must not be negative");

    const auto ret = reader.table("retention");
    storage::RetentionPolicy& r = o.retention;
    r.enabled = ret.get_or<bool>("enabled", r.enabled);
    const auto age = [&](const char* key, std::chrono::seconds fallback) {
        const auto v = std::chrono::seconds(ret.get_or<std::int64_t>(key, fallback.count()));
        // Ten years: far beyond any branch's need, and safe from time_point overflow.
        if (v.count() < 60 || v.count() > 10LL * 366 * 86400) {
            ret.fail(key, "must be within 60..316224000 seconds");
        }
        return v;
    };
    r.raw_age = age("raw_age_s", r.raw_age);
    r.daily_age = age("daily_age_s", r.daily_age);
    r.events_age = age("events_age_s", r.events_age);
    r.batches_age = age("batches_age_s", r.batches_age);
    if (r.daily_age < r.raw_age) ret.fail("daily_age_s", "must not be below raw_age_s");
    r.interval = std::chrono::seconds(ret.get_or<std::int64_t>("interval_s", r.interval.count()));
    if (r.interval.count() < 10 || r.interval.count() > 86400) {
        ret.fail("interval_s", "must be within 10..86400");
    }
    r.batch_size = ret.get_or<int>("batch_size", r.batch_size);
    if (r.batch_size < 1 || r.batch_size > 10000) ret.fail("batch_size", "must be within 1..10000");

    const auto web = reader.table("web");
    web::WebOptions& w = c.web;
    w.enabled = web.get_or<bool>("enabled", w.enabled);
    w.address = web.get_or<std::string>("address", w.address);
    if (w.address.empty()) web.fail("address", "must not be empty");
    const auto port = web.get_or<std::int64_t>("port", w.port);
    if (port < 0 || port > 65535) web.fail("port", "must be within 0..65535");
    w.port = static_cast<std::uint16_t>(port);
    w.tls_cert_file = web.get_or<std::string>("tls_cert_file", "");
    w.tls_key_file = web.get_or<std::string>("tls_key_file", "");
    if (w.tls_cert_file.empty() != w.tls_key_file.empty()) {
        web.fail(w.tls_cert_file.empty() ? "tls_cert_file" : "tls_key_file",
                 "tls_cert_file and tls_key_file go together");
    }
    w.session_lifetime = std::chrono::seconds(
        web.get_or<std::int64_t>("session_lifetime_s", w.session_lifetime.count()));
    if (w.session_lifetime.count() < 60 || w.session_lifetime.count() > std::int64_t{30} * 86400) {
        web.fail("session_lifetime_s", "must be within 60..2592000");
    }
    w.login_max_failures = web.get_or<int>("login_max_failures", w.login_max_failures);
    if (w.login_max_failures < 1) web.fail("login_max_failures", "must be at least 1");
    w.login_window =
        std::chrono::seconds(web.get_or<std::int64_t>("login_window_s", w.login_window.count()));
    if (w.login_window.count() < 1) web.fail("login_window_s", "must be at least 1");
    w.allowed_hosts = web.get_or<std::vector<std::string>>("allowed_hosts", {});
    for (const auto& host : w.allowed_hosts) {
        if (host.empty() || host.find_first_of(" /@[]") != std::string::npos) {
            web.fail("allowed_hosts", "must be host names such as \"printmon.example.lan\"");
        }
    }
    // Beside the secret key file by default: the one folder the service is known to own
    // (the systemd unit's StateDirectory, the container's state volume).
    w.setup_code_file = web.get_or<std::string>(
        "setup_code_file",
        (std::filesystem::path(c.service.secret_key_file).parent_path() / "scanner-setup-code")
            .string());
    if (!std::filesystem::path(w.setup_code_file).is_absolute()) {
        web.fail("setup_code_file", "must be an absolute path");
    }
    w.cloud_ca_file = web.get_or<std::string>("cloud_ca_file", "");
    w.cloud_timeout = std::chrono::milliseconds(
        web.get_or<std::int64_t>("cloud_timeout_ms", w.cloud_timeout.count()));
    if (w.cloud_timeout.count() < 100 || w.cloud_timeout.count() > 120000) {
        web.fail("cloud_timeout_ms", "must be within 100..120000");
    }
    c.metrics_listen = metrics::read_listen(
        reader, w.enabled ? std::optional<std::uint16_t>(w.port) : std::nullopt);

    reader.finish();
    return c;
}

}  // namespace

std::string with_password(const std::string& conninfo, const std::string& password) {
    if (conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0) {
        std::string encoded;
        for (const char c : password) {
            const auto ch = static_cast<unsigned char>(c);
            if (std::isalnum(ch) != 0 || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
                encoded += static_cast<char>(ch);
            } else {
                encoded += fmt::format("%{:02X}", static_cast<unsigned>(ch));
            }
        }
        const char sep = conninfo.find('?') == std::string::npos ? '?' : '&';
        return conninfo + sep + "password=" + encoded;
    }
    std::string quoted;
    for (const char ch : password) {
        if (ch == '\\' || ch == '\'') quoted += '\\';
        quoted += ch;
    }
    return conninfo + (conninfo.empty() ? "" : " ") + "password='" + quoted + "'";
}

ServiceConfig load_service_config(const std::filesystem::path& path, const common::EnvLookup& env) {
    const auto root = common::parse_config_file(path);
    return read(root, path.string(), env);
}

ServiceConfig parse_service_config(std::string_view text, std::string_view source_name,
                                   const common::EnvLookup& env) {
    const auto root = common::parse_config(text, source_name);
    return read(root, std::string(source_name), env);
}

}  // namespace printmon::scanner
