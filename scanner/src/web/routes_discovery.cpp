// Discovery of the web API: ranges with their credential sets, SNMP credential sets, scan
// settings, discovery runs and progress.

#include "web/web_impl.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <pqxx/except>

#include "discovery/targets.hpp"
#include "printmon/common/change_note.hpp"
#include "printmon/proto/uuid.hpp"

namespace printmon::scanner::web {

using net::HttpError;
using net::Request;
using net::Response;

namespace {

constexpr std::size_t kMaxRangeCredentials = 20;  // sets one range may name

std::vector<std::string> read_credential_ids(const rapidjson::Value& obj) {
    std::vector<std::string> ids;
    const auto* v = member(obj, "credential_ids");
    if (v == nullptr) return ids;
    if (!v->IsArray()) throw bad_field("credential_ids", "must be an array of credential set ids");
    if (v->Size() > kMaxRangeCredentials) {
        throw bad_field("credential_ids",
                        fmt::format("names more than {} credential sets", kMaxRangeCredentials));
    }
    for (const auto& item : v->GetArray()) {
        if (!item.IsString()) {
            throw bad_field("credential_ids", "must be an array of credential set ids");
        }
        std::string id(item.GetString(), item.GetStringLength());
        if (!proto::is_uuid(id)) {
            throw bad_field("credential_ids", fmt::format("no such credential set: {}", id));
        }
        if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
            throw bad_field("credential_ids", fmt::format("names {} twice", id));
        }
        ids.push_back(std::move(id));
    }
    return ids;
}

/// Refuses ids that name no credential set (400, before anything is written).
void check_credential_ids(WebStore& s, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    const auto all = s.credentials();
    for (const auto& id : ids) {
        if (std::none_of(all.begin(), all.end(),
                         [&](const CredentialView& c) { return c.credential_id == id; })) {
            throw bad_field("credential_ids", fmt::format("no such credential set: {}", id));
        }
    }
}

/// The sets' names in the given order, for the audit log ("global sets" when none).
std::string set_names(WebStore& s, const std::vector<std::string>& ids) {
    if (ids.empty()) return "credential_sets=global";
    const auto all = s.credentials();
    std::string out = "credential_sets=";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto it = std::find_if(all.begin(), all.end(), [&](const CredentialView& c) {
            return c.credential_id == ids[i];
        });
        out += (i == 0 ? "" : ", ") + (it == all.end() ? ids[i] : it->name);
    }
    return out;
}

}  // namespace

void WebApp::Impl::write_progress(Json& j, const DiscoveryProgress& p) {
    j.begin().key("running").boolean(p.running);
    j.key("hosts_done").num(static_cast<long long>(p.hosts_done));
    j.key("hosts_total").num(static_cast<long long>(p.hosts_total));
    j.key("printers_found").num(static_cast<long long>(p.printers_found));
    j.key("runs_completed").num(static_cast<long long>(p.runs_completed));
    j.key("last_error").str(p.last_error);
    j.key("error_code").str(p.error_code);
    j.key("hosts_unasked").num(static_cast<long long>(p.hosts_unasked));
    j.key("unasked_reason").str(p.unasked_reason).end();
}

Response WebApp::Impl::get_discovery(Request&) {
    std::vector<RangeView> ranges;
    std::vector<CredentialView> credentials;
    storage::Settings settings;
    std::shared_ptr<storage::SecretKeyHolder> key;
    db([&](WebStore& s) {
        ranges = s.ranges();
        credentials = s.credentials();
        key = s.secret_key();
        settings = s.store().load_settings();
    });
    Json j;
    j.begin().key("ranges").begin_array();
    for (const auto& r : ranges) {
        j.begin().key("range_id").str(r.range_id).key("target").str(r.target);
        j.key("exclude").boolean(r.exclude).key("enabled").boolean(r.enabled);
        j.key("note").str(r.note).key("created_at").str(r.created_at);
        j.key("credential_ids").begin_array();
        for (const auto& c : r.credential_ids) j.str(c);
        j.end_array().end();
    }
    j.end_array().key("credentials").begin_array();
    for (const auto& c : credentials) {
        j.begin().key("credential_id").str(c.credential_id).key("name").str(c.name);
        j.key("ordinal").num(c.ordinal).key("version").str(c.version);
        j.key("user").str(c.user).key("auth_protocol").str(c.auth_protocol);
        j.key("priv_protocol").str(c.priv_protocol).key("context").str(c.context);
        j.key("enabled").boolean(c.enabled);
        // Whether the scanner can use the set's secrets (never the secrets themselves): a
        // set sealed with another key file cannot be tried until it is entered again.
        j.key("secrets_readable")
            .boolean(c.secret_scheme == "plain" || (key && key->adopt(c.secret_key_id)));
        j.key("range_ids").begin_array();
        for (const auto& r : c.range_ids) j.str(r);
        j.end_array().end();
    }
    j.end_array();
    write_settings(j.key("settings"), settings);
    write_progress(j.key("progress"), service.discovery_progress());
    j.end();
    return j.response();
}

void WebApp::Impl::write_settings(Json& j, const storage::Settings& s) {
    j.begin().key("polling_interval_s").num(s.polling_interval.count());
    j.key("discovery_interval_s").num(s.discovery_interval.count());
    j.key("discovery_port").num(s.discovery_port).end();
}

Response WebApp::Impl::add_range(Request& request) {
    const auto body = net::read_json_object(request);
    const auto target = req_string(body, "target", 253);
    const bool exclude = opt_bool(body, "exclude").value_or(false);
    const auto credential_ids = read_credential_ids(body);
    if (exclude && !credential_ids.empty()) {
        throw bad_field("credential_ids", "an exclusion is not scanned: it takes no sets");
    }
    const auto spec = discovery::parse_target(target);
    if (!spec) throw bad_field("target", spec.error());
    if (!exclude) {
        const auto hosts = discovery::expand_targets({target}, {});
        if (!hosts) throw bad_field("target", hosts.error());
    }
    std::string id;
    std::string sets;
    db([&](WebStore& s) {
        check_credential_ids(s, credential_ids);
        try {
            id = s.store().add_range(target, exclude, credential_ids);
        } catch (const pqxx::foreign_key_violation&) {
            // A set deleted meanwhile: the transaction saved nothing.
            throw bad_field("credential_ids", "a credential set no longer exists");
        }
        if (!exclude) sets = set_names(s, credential_ids);
    });
    log->info("event=range_added target={} exclude={} credential_sets={}",
              common::log_value(target), exclude, credential_ids.size());
    audit(request, exclude ? "exclusion_added" : "range_added", target, sets);
    service.reload_settings();
    Json j;
    j.begin().key("range_id").str(id).end();
    return j.response(201);
}

/// Replaces the credential sets a range tries (an empty list: the global sets).
Response WebApp::Impl::update_range(Request& request) {
    const auto& id = request.param("id");
    const auto body = net::read_json_object(request);
    if (!has_member(body, "credential_ids")) throw bad_field("credential_ids", "is required");
    const auto credential_ids = read_credential_ids(body);
    bool found = false;
    std::string target, before, after;
    if (proto::is_uuid(id)) {
        db([&](WebStore& s) {
            const auto ranges = s.ranges();
            const auto it = std::find_if(ranges.begin(), ranges.end(),
                                         [&](const RangeView& r) { return r.range_id == id; });
            if (it == ranges.end()) return;
            found = true;
            target = it->target;
            before = set_names(s, it->credential_ids);
            after = set_names(s, credential_ids);
            if (it->exclude && !credential_ids.empty()) {
                throw bad_field("credential_ids", "an exclusion is not scanned: it takes no sets");
            }
            check_credential_ids(s, credential_ids);
            try {
                found = s.store().set_range_credentials(id, credential_ids);
            } catch (const pqxx::foreign_key_violation&) {
                throw bad_field("credential_ids", "a credential set no longer exists");
            }
        });
    }
    if (!found) throw HttpError(404, "not_found", "no such range");
    log->info("event=range_updated range_id={} credential_sets={}", id, credential_ids.size());
    if (before != after) {
        audit(request, "range_updated", target,
              fmt::format("{} → {}", before, after.substr(after.find('=') + 1)));
    }
    service.reload_settings();
    Json j;
    j.begin().key("range_id").str(id).key("credential_ids").begin_array();
    for (const auto& c : credential_ids) j.str(c);
    j.end_array().end();
    return j.response();
}

Response WebApp::Impl::delete_range(Request& request) {
    const auto& id = request.param("id");
    bool ok = false;
    std::string target;
    bool exclude = false;
    if (proto::is_uuid(id)) {
        db([&](WebStore& s) {
            for (const auto& r : s.ranges()) {
                if (r.range_id == id) {
                    target = r.target;
                    exclude = r.exclude;
                }
            }
            ok = s.delete_range(id);
        });
    }
    if (!ok) throw HttpError(404, "not_found", "no such range");
    audit(request, exclude ? "exclusion_deleted" : "range_deleted", target);
    service.reload_settings();
    return Response::empty(204);
}

Response WebApp::Impl::add_credential(Request& request) {
    const auto body = net::read_json_object(request);
    const auto name = req_string(body, "name");
    const auto ordinal = opt_int(body, "ordinal", 0, 100000).value_or(10);
    const auto credentials = read_credentials(body);
    std::string id;
    db([&](WebStore& s) {
        id = s.store().add_credential(name, static_cast<int>(ordinal), credentials);
    });
    log->info("event=credential_added name={} version={}", common::log_value(name),
              snmp::to_string(credentials.version));
    // The version and user name only: never a community or pass phrase.
    audit(request, "credential_added", name,
          fmt::format("version={}{}", snmp::to_string(credentials.version),
                      credentials.user.empty() ? "" : "; user=" + credentials.user));
    service.reload_settings();
    Json j;
    j.begin().key("credential_id").str(id).end();
    return j.response(201);
}

Response WebApp::Impl::delete_credential(Request& request) {
    const auto& id = request.param("id");
    bool ok = false;
    std::string name;
    const auto in_use = [] {
        return HttpError(409, "in_use",
                         "a discovery range names this credential set: take it off the "
                         "range first");
    };
    if (proto::is_uuid(id)) {
        db([&](WebStore& s) {
            for (const auto& c : s.credentials()) {
                if (c.credential_id == id) name = c.name;
            }
            try {
                ok = s.delete_credential(id);
            } catch (const pqxx::foreign_key_violation&) {
                throw in_use();
            }
        });
    }
    if (!ok) throw HttpError(404, "not_found", "no such credential set");
    audit(request, "credential_deleted", name);
    service.reload_settings();
    return Response::empty(204);
}

Response WebApp::Impl::get_settings(Request&) {
    storage::Settings settings;
    db([&](WebStore& s) { settings = s.store().load_settings(); });
    Json j;
    write_settings(j, settings);
    return j.response();
}

Response WebApp::Impl::put_settings(Request& request) {
    const auto body = net::read_json_object(request);
    const auto polling = opt_int(body, "polling_interval_s", kMinInterval, kMaxInterval);
    // 0 turns scheduled discovery off.
    const auto discovery = opt_int(body, "discovery_interval_s", 0, 30LL * 86400);
    if (discovery && *discovery > 0 && *discovery < 300) {
        throw bad_field("discovery_interval_s", "must be 0 (off) or at least 300");
    }
    const auto port = opt_int(body, "discovery_port", 1, 65535);
    storage::Settings before;
    db([&](WebStore& s) {
        before = s.store().load_settings();
        if (polling) s.store().put_setting("polling_interval_s", std::to_string(*polling));
        if (discovery) {
            s.store().put_setting("discovery_interval_s", std::to_string(*discovery));
        }
        if (port) s.store().put_setting("discovery_port", std::to_string(*port));
    });
    log->info("event=settings_changed");
    {
        common::ChangeNote changed;
        const auto note = [&changed](std::string_view field, long long from,
                                     std::optional<long long> to) {
            if (to) changed.add(field, std::to_string(from), std::to_string(*to));
        };
        note("polling_interval_s", before.polling_interval.count(), polling);
        note("discovery_interval_s", before.discovery_interval.count(), discovery);
        note("discovery_port", before.discovery_port, port);
        if (!changed.empty()) audit(request, "settings_changed", "", changed.str());
    }
    service.reload_settings();
    return get_settings(request);
}

Response WebApp::Impl::discover_now(Request& request) {
    if (!service.discover_now()) {
        throw HttpError(409, "discovery_running", "a discovery is already running");
    }
    log->info("event=discovery_requested");
    audit(request, "discovery_started");
    Json j;
    write_progress(j, service.discovery_progress());
    return j.response(202);
}

Response WebApp::Impl::discovery_progress(Request&) {
    Json j;
    write_progress(j, service.discovery_progress());
    return j.response();
}

}  // namespace printmon::scanner::web
