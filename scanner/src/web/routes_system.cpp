// Cloud enrolment (URL, scanner key, revoke) and the system status page of the web API.

#include "web/web_impl.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "web/http_util.hpp"

namespace printmon::scanner::web {

using net::HttpError;
using net::Request;
using net::Response;

namespace {

std::string scanner_key_problem(const std::string& key) {
    if (key.rfind("pmk.", 0) != 0) return "must start with \"pmk.\"";
    const auto dot = key.find('.', 4);
    if (dot == std::string::npos) return "expected pmk.<tenant id>.<secret>";
    if (!proto::is_uuid(key.substr(4, dot - 4))) return "the tenant id is not a UUID";
    const auto secret = key.substr(dot + 1);
    if (secret.size() < 16) return "the secret is too short";
    for (const char c : secret) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_') {
            return "the secret may only hold letters, digits, '-' and '_'";
        }
    }
    return {};
}

/// What the UI may show of a key: `pmk.<tenant>.<first 4>…`.
std::string key_hint(const std::string& key) {
    const auto dot = key.rfind('.');
    if (dot == std::string::npos || dot < 4) return "…";
    return key.substr(0, std::min(key.size(), dot + 5)) + "…";
}

std::string check_cloud_url(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    const bool https = url.rfind("https://", 0) == 0;
    const bool http = url.rfind("http://", 0) == 0;
    if (!https && !http) throw bad_field("cloud_url", "must start with https://");
    const std::string rest = url.substr(https ? 8 : 7);
    if (rest.empty() || rest.front() == '/' || rest.front() == ':') {
        throw bad_field("cloud_url", "has no host name");
    }
    // The client's own parser: what is checked here is the host the uploader will connect to.
    const auto parsed = net::parse_url(url);
    if (!parsed) {
        throw bad_field("cloud_url",
                        "must be https://host[:port][/path] (no user name, a port "
                        "within 1..65535)");
    }
    // Plain HTTP would send the scanner key in clear: only to this machine (tests, tunnels),
    // judged on the parsed host (an IP literal or exactly "localhost"), never on a prefix.
    if (http && !net::is_loopback_host(parsed->host)) {
        throw bad_field("cloud_url", "must use https:// (plain http only for localhost)");
    }
    if (rest.find_first_of(" ?#") != std::string::npos) {
        throw bad_field("cloud_url", "must be a base URL without query or fragment");
    }
    return url;
}

}  // namespace

Response WebApp::Impl::get_cloud(Request&) {
    std::string url;
    std::string key;
    UploaderStatusRow up;
    db([&](WebStore& s) {
        url = s.setting("cloud_url").value_or("");
        key = s.setting("scanner_key").value_or("");
        up = s.uploader_status();
    });
    Json j;
    j.begin().key("cloud_url").str(url).key("enrolled").boolean(!key.empty());
    j.key("key_hint").opt(key.empty() ? std::nullopt : std::optional(key_hint(key)));
    j.key("uploader").begin();
    j.key("last_success_at").opt(up.last_success_at);
    j.key("last_attempt_at").opt(up.last_attempt_at);
    j.key("last_error").opt(up.last_error);
    j.key("queue_length").num(up.queue_length);
    j.key("unsent_readings").num(up.unsent_readings);
    j.key("updated_at").opt(up.updated_at).end();
    j.end();
    return j.response();
}

Response WebApp::Impl::put_cloud(Request& request) {
    const auto body = net::read_json_object(request);
    const auto url = check_cloud_url(req_string(body, "cloud_url", 500));
    const auto key = req_string(body, "scanner_key", 500);
    if (const auto problem = scanner_key_problem(key); !problem.empty()) {
        throw bad_field("scanner_key", problem);
    }
    if (opt_bool(body, "test").value_or(false)) {
        const auto result = cloud_client.get(url + "/healthz");
        if (!result) {
            throw HttpError(502, "cloud_unreachable",
                            fmt::format("cannot reach {}: {}", url, result.error().message));
        }
        if (result->status != 200) {
            throw HttpError(502, "cloud_unhealthy",
                            fmt::format("{} answered HTTP {}", url, result->status));
        }
    }
    db([&](WebStore& s) {
        s.store().put_setting("cloud_url", json_string(url));
        s.store().put_setting("scanner_key", json_string(key));
    });
    log->info("event=cloud_enrolled url={} key={}", common::log_value(url),
              common::log_value(key_hint(key)));
    // The key's hint (its public prefix) only, as in the log.
    audit(request, "cloud_key_set", url, "key=" + key_hint(key));
    return get_cloud(request);
}

Response WebApp::Impl::deactivate_key(Request& request) {
    bool forget = false;
    if (!request.body.empty())
        forget = opt_bool(net::read_json_object(request), "forget_locally").value_or(false);
    std::string url;
    std::string key;
    db([&](WebStore& s) {
        url = s.setting("cloud_url").value_or("");
        key = s.setting("scanner_key").value_or("");
    });
    if (key.empty()) throw HttpError(409, "not_enrolled", "no scanner key is stored");
    bool revoked = false;
    if (!forget) {
        if (url.empty()) throw HttpError(409, "no_cloud_url", "no cloud URL is configured");
        const auto result = cloud_client.post(url + "/api/v1/scanners/self/revoke", "",
                                              {{"Authorization", "Bearer " + key}});
        if (!result) {
            log->warn("event=key_revoke_failed error={}",
                      common::log_value(result.error().message));
            throw HttpError(
                502, "cloud_unreachable",
                fmt::format("cannot reach the cloud ({}): {}", net::to_string(result.error().code),
                            result.error().message));
        }
        const unsigned st = result->status;
        // 401/403: the cloud no longer knows the key: it is revoked already.
        if (st != 200 && st != 204 && st != 401 && st != 403) {
            log->warn("event=key_revoke_failed status={}", st);
            throw HttpError(502, "cloud_error",
                            fmt::format("the cloud answered HTTP {}; the key is still active", st));
        }
        revoked = true;
    }
    db([&](WebStore& s) { s.store().put_setting("scanner_key", json_string("")); });
    log->info("event=key_deactivated revoked={} key={}", revoked, common::log_value(key_hint(key)));
    audit(request, "cloud_key_deactivated", url,
          fmt::format("key={}; {}", key_hint(key),
                      revoked ? "revoked in the cloud" : "forgotten here only"));
    Json j;
    j.begin().key("revoked").boolean(revoked).key("forgotten").boolean(true).end();
    return j.response();
}

Response WebApp::Impl::status(Request&) {
    const auto stats = service.stats();
    std::optional<DbHealth> health;
    std::string db_error;
    std::string scanner_id;
    try {
        db([&](WebStore& s) {
            health = s.health();
            scanner_id = s.store().load_settings().scanner_id;
        });
    } catch (const HttpError& e) {
        db_error = e.message();
    }
    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - started);
    Json j;
    j.begin().key("version").str(PRINTMON_VERSION).key("scanner_id").str(scanner_id);
    j.key("started_at").str(proto::format_rfc3339(started_wall));
    j.key("uptime_s").num(uptime.count());
    j.key("database").begin().key("ok").boolean(health.has_value());
    if (health) {
        j.key("server_version").str(health->server_version);
        j.key("size_bytes").num(health->database_bytes);
        j.key("devices").num(health->devices);
        j.key("readings_estimate").num(health->readings);
    } else {
        j.key("error").str(db_error);
    }
    j.end();
    j.key("service").begin();
    j.key("db_connected").boolean(stats.db_connected);
    j.key("scheduled_devices").num(static_cast<long long>(stats.scheduled_devices));
    j.key("polls_started").num(static_cast<long long>(stats.polls_started));
    j.key("polls_answered").num(static_cast<long long>(stats.polls_answered));
    j.key("polls_failed").num(static_cast<long long>(stats.polls_failed));
    j.key("readings_written").num(static_cast<long long>(stats.readings_written));
    j.key("queued_results").num(static_cast<long long>(stats.queued_results));
    j.key("results_dropped").num(static_cast<long long>(stats.results_dropped));
    j.end();
    write_retention(j, service.retention_status());
    j.end();
    return j.response();
}

// The retention settings (scanner.toml [retention]) and what the last pass did.
void WebApp::Impl::write_audit(const AuditEntry& entry) {
    try {
        db([&](WebStore& s) { s.record_audit(entry); });
    } catch (const std::exception& e) {
        log->warn("event=audit_write_failed action={} error={}", entry.action,
                  common::log_value(e.what()));
    }
}

void WebApp::Impl::audit(const Request& request, std::string_view action, std::string target,
                         std::string detail) {
    const auto& p = principal_of(request);
    AuditEntry e;
    e.actor_kind = p.api_token ? "token" : "user";
    e.actor = p.api_token ? p.token_name : p.username;
    e.action = std::string(action);
    e.target = std::move(target);
    e.detail = std::move(detail);
    e.address = request.remote_address;
    write_audit(e);
}

void WebApp::Impl::audit_by(const Request& request, std::string_view kind, std::string actor,
                            std::string_view action, std::string target, std::string detail) {
    AuditEntry e;
    e.actor_kind = std::string(kind);
    e.actor = std::move(actor);
    e.action = std::string(action);
    e.target = std::move(target);
    e.detail = std::move(detail);
    e.address = request.remote_address;
    write_audit(e);
}

Response WebApp::Impl::audit_log(Request& request) {
    const auto limit = query_int(request, "limit", 1, 200).value_or(50);
    const auto offset = query_int(request, "offset", 0, 100'000'000).value_or(0);
    std::string action;
    if (const auto a = request.query_param("action")) {
        action = std::string(*a);
        const bool word = !action.empty() && action.size() <= 48 &&
                          std::all_of(action.begin(), action.end(),
                                      [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
        if (!word) throw HttpError(400, "invalid_query", "action must be [a-z_]{1,48}");
    }
    AuditPage page;
    db([&](WebStore& s) { page = s.audit(action, static_cast<int>(limit), offset); });
    Json j;
    j.begin().key("total").num(page.total).key("limit").num(limit).key("offset").num(offset);
    j.key("items").begin_array();
    for (const auto& e : page.items) {
        j.begin().key("at").str(e.at).key("actor_kind").str(e.actor_kind).key("actor").str(e.actor);
        j.key("action").str(e.action).key("target").str(e.target).key("detail").str(e.detail);
        j.key("address").str(e.address).end();
    }
    j.end_array().end();
    return j.response();
}

void WebApp::Impl::write_retention(Json& j, const RetentionStatus& r) {
    const auto time_or_null = [&](const char* key, const auto& tp) {
        j.key(key);
        if (tp) {
            j.str(proto::format_rfc3339(*tp));
        } else {
            j.null();
        }
    };
    j.key("retention").begin().key("enabled").boolean(r.policy.enabled);
    j.key("raw_age_s").num(r.policy.raw_age.count());
    j.key("daily_age_s").num(r.policy.daily_age.count());
    j.key("events_age_s").num(r.policy.events_age.count());
    j.key("batches_age_s").num(r.policy.batches_age.count());
    j.key("interval_s").num(r.policy.interval.count());
    j.key("running").boolean(r.running);
    j.key("passes").num(static_cast<long long>(r.passes));
    j.key("last_pass");
    if (r.last_finished) {
        j.begin();
        time_or_null("started_at", r.last_started);
        time_or_null("finished_at", r.last_finished);
        j.key("duration_ms").num(r.last_duration.count());
        j.key("readings_deleted").num(r.last.readings_deleted);
        j.key("readings_kept_daily").num(r.last.readings_kept_daily);
        j.key("daily_deleted").num(r.last.daily_deleted);
        j.key("events_deleted").num(r.last.events_deleted);
        j.key("audit_deleted").num(r.last.audit_deleted);
        j.key("batches_deleted").num(r.last.batches_deleted);
        j.end();
    } else {
        j.null();
    }
    j.key("last_error").str(r.last_error).end();
}

}  // namespace printmon::scanner::web
