#include "app/config.hpp"

#include "printmon/common/logging.hpp"
#include "printmon/metrics/config.hpp"
#include "printmon/net/http.hpp"

namespace printmon::uploader {
namespace {

template <class Int>
std::chrono::milliseconds positive_ms(const common::ConfigReader& r, std::string_view key,
                                      std::chrono::milliseconds fallback, long long unit_ms) {
    const auto value = r.optional<Int>(key);
    if (!value) return fallback;
    if (*value <= 0) r.fail(key, "must be > 0");
    return std::chrono::milliseconds(static_cast<long long>(*value) * unit_ms);
}

UploaderConfig read(const toml::table& root, std::string_view source,
                    const common::EnvLookup& env) {
    const common::ConfigReader r(root, std::string(source), env);
    UploaderConfig out;
    out.log_level = r.get_or<std::string>("log_level", out.log_level);
    try {
        common::parse_log_level(out.log_level);
    } catch (const std::invalid_argument& e) {
        r.fail("log_level", e.what());
    }

    auto& s = out.service;
    const auto database = r.table("database");
    s.conninfo = database.get_or<std::string>("conninfo", "dbname=printmon");
    const auto password = database.optional_secret("password");
    if (password && !password->empty()) s.conninfo = with_password(s.conninfo, *password);

    const auto cloud = r.table("cloud");
    s.cloud_url = cloud.get_or<std::string>("url", "");
    s.scanner_key = cloud.get_or<std::string>("scanner_key", "");
    if (auto key = env(kScannerKeyEnv); key && !key->empty()) s.scanner_key = *key;
    auto& t = s.transport;
    t.ca_file = cloud.get_or<std::string>("ca_file", "");
    t.client_cert_file = cloud.get_or<std::string>("client_cert_file", "");
    t.client_key_file = cloud.get_or<std::string>("client_key_file", "");
    if (t.client_cert_file.empty() != t.client_key_file.empty()) {
        cloud.fail(t.client_cert_file.empty() ? "client_key_file" : "client_cert_file",
                   "client_cert_file and client_key_file go together");
    }
    t.proxy = cloud.get_or<std::string>("proxy", "");
    if (!t.proxy.empty() && t.proxy.rfind("http://", 0) != 0) {
        cloud.fail("proxy", "must be an http://host:port URL");
    }
    t.connect_timeout = positive_ms<int>(cloud, "connect_timeout_ms", t.connect_timeout, 1);
    t.request_timeout = positive_ms<int>(cloud, "request_timeout_ms", t.request_timeout, 1);
    t.gzip_level = cloud.get_or<int>("gzip_level", t.gzip_level);
    if (t.gzip_level < 1 || t.gzip_level > 9) cloud.fail("gzip_level", "must be 1..9");
    t.allow_insecure_http = cloud.get_or<bool>("allow_insecure_http", false);
    if (!s.cloud_url.empty() && s.cloud_url.rfind("https://", 0) != 0 &&
        !(t.allow_insecure_http && s.cloud_url.rfind("http://", 0) == 0)) {
        cloud.fail("url", "must be an https:// URL");
    }

    const auto upload = r.table("upload");
    s.period = positive_ms<int>(upload, "period_s", s.period, 1000);
    s.notify_delay = std::chrono::milliseconds(upload.get_or<int>("notify_delay_ms", 1000));
    if (s.notify_delay.count() < 0) upload.fail("notify_delay_ms", "must be >= 0");
    s.outbox.max_readings_per_batch =
        upload.get_or<std::size_t>("max_readings_per_batch", s.outbox.max_readings_per_batch);
    if (s.outbox.max_readings_per_batch == 0 || s.outbox.max_readings_per_batch > 100'000) {
        upload.fail("max_readings_per_batch", "must be 1..100000");
    }
    s.outbox.max_batch_bytes =
        upload.get_or<std::size_t>("max_batch_bytes", s.outbox.max_batch_bytes);
    if (s.outbox.max_batch_bytes < 1024) upload.fail("max_batch_bytes", "must be >= 1024");
    s.backoff_initial = positive_ms<int>(upload, "backoff_initial_ms", s.backoff_initial, 1);
    s.backoff_max = positive_ms<int>(upload, "backoff_max_ms", s.backoff_max, 1);
    if (s.backoff_max < s.backoff_initial) {
        upload.fail("backoff_max_ms", "must be >= backoff_initial_ms");
    }
    s.auth_retry = positive_ms<int>(upload, "auth_retry_s", s.auth_retry, 1000);
    out.metrics_listen = metrics::read_listen(r);
    r.finish();
    return out;
}

}  // namespace

UploaderConfig load_config(const std::filesystem::path& path, const common::EnvLookup& env) {
    return read(common::parse_config_file(path), path.string(), env);
}

UploaderConfig parse_config(std::string_view text, std::string_view source_name,
                            const common::EnvLookup& env) {
    return read(common::parse_config(text, source_name), source_name, env);
}

std::string with_password(const std::string& conninfo, const std::string& password) {
    if (conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0) {
        const char sep = conninfo.find('?') == std::string::npos ? '?' : '&';
        return conninfo + sep + "password=" + net::percent_encode(password);
    }
    std::string quoted = "'";
    for (const char c : password) {
        if (c == '\'' || c == '\\') quoted += '\\';
        quoted += c;
    }
    quoted += "'";
    return conninfo + (conninfo.empty() ? "" : " ") + "password=" + quoted;
}

}  // namespace printmon::uploader
