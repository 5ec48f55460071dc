// Devices of the web API: list, detail, history, add/update/delete, poll now, and the
// branch's own alerts.

#include "web/web_impl.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "discovery/targets.hpp"
#include "printmon/common/change_note.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/enums.hpp"
#include "printmon/proto/uuid.hpp"
#include "web/http_util.hpp"

namespace printmon::scanner::web {

using net::HttpError;
using net::Request;
using net::Response;

namespace {

std::string check_address(const std::string& address) {
    const auto spec = discovery::parse_target(address);
    if (!spec) throw bad_field("address", spec.error());
    if (spec->hostname.empty() && spec->first != spec->last) {
        throw bad_field("address", "give one address, not a range");
    }
    return spec->hostname.empty() ? discovery::format_ipv4(spec->first) : spec->hostname;
}

void write_supply_summary(Json& j, const std::string& snapshot_json) {
    // The list shows bars and counters; the stored snapshot is our own, already validated.
    const auto snapshot = proto::parse_snapshot(snapshot_json);
    if (!snapshot) {
        j.key("supplies").begin_array().end_array();
        j.key("counters").begin().end();
        return;
    }
    j.key("supplies").begin_array();
    for (const auto& s : snapshot->supplies) {
        if (s.supply_class != proto::SupplyClass::consumed) continue;
        j.begin().key("description").str(s.description).key("type").str(s.type);
        j.key("color").str(s.color).key("state").str(proto::to_string(s.state));
        j.key("level_percent");
        if (s.level_percent) {
            j.num(*s.level_percent);
        } else {
            j.null();
        }
        j.end();
    }
    j.end_array();
    j.key("counters").begin();
    for (const auto& [name, value] : snapshot->counters) j.key(name.c_str()).num(value);
    j.end();
    j.key("model_reported").str(snapshot->identity.model);
}

void write_device(Json& j, const DeviceView& d, const storage::Settings& settings,
                  bool with_snapshot) {
    j.begin();
    j.key("device_id").str(d.device_id);
    j.key("address").opt(d.address);
    j.key("port").num(d.port);
    j.key("vendor").str(d.vendor).key("model").str(d.model).key("serial").str(d.serial);
    j.key("mac").str(d.mac).key("firmware").str(d.firmware).key("sys_name").str(d.sys_name);
    j.key("location").str(d.location);
    j.key("status").str(d.enabled ? d.status : "disabled");
    j.key("enabled").boolean(d.enabled).key("manual").boolean(d.manual);
    j.key("interval_s");
    if (d.interval_s) {
        j.num(*d.interval_s);
    } else {
        j.null();
    }
    j.key("effective_interval_s")
        .num(d.interval_s.value_or(static_cast<int>(settings.polling_interval.count())));
    j.key("credential_id").opt(d.credential_id).key("snmp_version").opt(d.snmp_version);
    j.key("first_seen").opt(d.first_seen).key("last_seen").opt(d.last_seen);
    j.key("last_polled_at").opt(d.last_polled_at).key("last_error").opt(d.last_error);
    j.key("consecutive_failures").num(d.consecutive_failures);
    j.key("errors").begin_array();
    for (const auto& e : d.current_errors) j.str(e);
    j.end_array();
    if (d.snapshot_json) {
        write_supply_summary(j, *d.snapshot_json);
        if (with_snapshot) j.key("snapshot").raw(*d.snapshot_json);
    } else {
        j.key("supplies").begin_array().end_array();
        j.key("counters").begin().end();
    }
    j.end();
}

}  // namespace

Response WebApp::Impl::list_devices(Request&) {
    std::vector<DeviceView> devices;
    storage::Settings settings;
    db([&](WebStore& s) {
        devices = s.devices();
        settings = s.store().load_settings();
    });
    Json j;
    j.begin().key("devices").begin_array();
    for (const auto& d : devices) write_device(j, d, settings, false);
    j.end_array();
    j.key("default_interval_s").num(settings.polling_interval.count()).end();
    return j.response();
}

DeviceView WebApp::Impl::load_device(const std::string& id, storage::Settings* settings) {
    if (!proto::is_uuid(id)) throw HttpError(404, "not_found", "no such device");
    std::optional<DeviceView> d;
    db([&](WebStore& s) {
        d = s.device(id);
        if (settings != nullptr) *settings = s.store().load_settings();
    });
    if (!d) throw HttpError(404, "not_found", "no such device");
    return *d;
}

Response WebApp::Impl::get_device(Request& request) {
    storage::Settings settings;
    const auto d = load_device(request.param("id"), &settings);
    Json j;
    write_device(j, d, settings, true);
    return j.response();
}

Response WebApp::Impl::device_history(Request& request) {
    const auto d = load_device(request.param("id"));
    int limit = 50;
    if (const auto l = request.query_param("limit")) {
        try {
            limit = std::clamp(std::stoi(std::string(*l)), 1, 500);
        } catch (const std::exception&) {
            throw HttpError(400, "invalid_query", "limit must be a number");
        }
    }
    std::vector<HistoryReading> readings;
    std::vector<HistoryEvent> events;
    db([&](WebStore& s) {
        readings = s.readings(d.device_id, limit);
        events = s.events(d.device_id, limit);
    });
    Json j;
    j.begin().key("readings").begin_array();
    for (const auto& r : readings) {
        j.begin().key("reading_id").str(r.reading_id).key("polled_at").str(r.polled_at);
        j.key("snapshot").raw(r.snapshot_json).end();
    }
    j.end_array().key("events").begin_array();
    for (const auto& e : events) {
        j.begin().key("at").str(e.at).key("kind").str(e.kind).key("code").str(e.code);
        j.key("action").str(e.action).key("detail").str(e.detail).end();
    }
    j.end_array().end();
    return j.response();
}

// The branch's own alerts (no cloud needed): what is wrong with its devices right now.
// Read-only; the rules and notifications live in the cloud.
Response WebApp::Impl::local_alerts(Request& request) {
    const auto supply_percent =
        static_cast<int>(query_int(request, "supply_percent", 0, 100).value_or(10));
    std::vector<LocalAlert> alerts;
    db([&](WebStore& s) { alerts = s.local_alerts(supply_percent); });
    Json j;
    j.begin().key("supply_percent").num(supply_percent).key("alerts").begin_array();
    for (const auto& a : alerts) {
        // Severity for sorting and colour: a stopped device is critical (an open cover or door
        // stops it too, as does a supply at 0 % or empty), a warning needs attention soon (a
        // supply the printer calls low without a level is one).
        const bool critical = a.kind == "offline" || a.kind == "error" || a.kind == "cover" ||
                              (a.kind == "supply_low" &&
                               (a.level_percent ? *a.level_percent == 0 : a.state != "low"));
        j.begin().key("device_id").str(a.device_id).key("vendor").str(a.vendor);
        j.key("model").str(a.model).key("address").str(a.address);
        j.key("location").str(a.location).key("kind").str(a.kind).key("code").str(a.code);
        j.key("detail").str(a.detail).key("since").str(a.since).key("state").str(a.state);
        j.key("severity").str(critical ? "critical" : "warning").key("level_percent");
        if (a.level_percent) {
            j.num(*a.level_percent);
        } else {
            j.null();
        }
        j.end();
    }
    j.end_array().end();
    return j.response();
}

namespace {

/// A device as the audit log names it: its address (and port when not 161), then its model.
std::string device_label(const std::optional<std::string>& address, int port,
                         const std::string& vendor, const std::string& model) {
    std::string out = address.value_or("");
    if (port != 161) out += ":" + std::to_string(port);
    const auto name = vendor.empty() ? model : model.empty() ? vendor : vendor + " " + model;
    if (!name.empty()) out += " (" + name + ")";
    return out;
}

std::string interval_text(const std::optional<int>& seconds) {
    return seconds ? std::to_string(*seconds) + "s" : "default";
}

}  // namespace

Response WebApp::Impl::add_device(Request& request) {
    const auto body = net::read_json_object(request);
    const auto address = check_address(req_string(body, "address", 253));
    const auto port = static_cast<std::uint16_t>(opt_int(body, "port", 1, 65535).value_or(161));
    const auto interval = opt_int(body, "interval_s", kMinInterval, kMaxInterval);
    const auto location = opt_string(body, "location").value_or("");
    auto credential_id = opt_string(body, "credential_id");
    std::optional<snmp::Credentials> credentials;
    if (const auto* c = member(body, "credential")) {
        if (!c->IsObject()) throw bad_field("credential", "must be an object");
        credentials = read_credentials(*c);
    }
    if (credential_id && !proto::is_uuid(*credential_id)) {
        throw bad_field("credential_id", "no such credential set");
    }
    std::string id;
    db([&](WebStore& s) {
        for (const auto& d : s.devices()) {
            if (d.address == address && d.port == port) {
                throw HttpError(409, "duplicate",
                                fmt::format("{}:{} is already monitored", address, port));
            }
        }
        if (credential_id) {
            const auto all = s.credentials();
            if (std::none_of(all.begin(), all.end(), [&](const CredentialView& c) {
                    return c.credential_id == *credential_id;
                })) {
                throw bad_field("credential_id", "no such credential set");
            }
        }
        if (credentials) {
            credential_id =
                s.store().add_credential(fmt::format("{} (device)", address), 1000, *credentials);
        }
        std::optional<std::chrono::seconds> iv;
        if (interval) iv = std::chrono::seconds(*interval);
        id = s.store().add_manual_device(address, port, credential_id, iv, clock.now());
        if (!location.empty()) s.set_location(id, location);
    });
    log->info("event=device_added device={} address={} port={}", id, common::log_value(address),
              port);
    {
        std::string detail;
        if (interval) detail += fmt::format("interval_s={}", *interval);
        if (!location.empty())
            detail += fmt::format("{}location={}", detail.empty() ? "" : "; ", location);
        if (credentials) {
            detail += fmt::format("{}credential=own {}", detail.empty() ? "" : "; ",
                                  snmp::to_string(credentials->version));
        } else if (credential_id) {
            detail += fmt::format("{}credential_id={}", detail.empty() ? "" : "; ", *credential_id);
        }
        audit(request, "device_added", device_label(address, port, "", ""), detail);
    }
    service.poll_now(id);
    Json j;
    j.begin().key("device_id").str(id).end();
    Response r = j.response(201);
    r.headers["Location"] = "/api/devices/" + id;
    return r;
}

Response WebApp::Impl::update_device(Request& request) {
    const auto d = load_device(request.param("id"));
    const auto body = net::read_json_object(request);
    const auto location = opt_string(body, "location");
    const auto enabled = opt_bool(body, "enabled");
    const bool has_interval = has_member(body, "interval_s");
    const auto interval = opt_int(body, "interval_s", kMinInterval, kMaxInterval);
    db([&](WebStore& s) {
        if (location) s.set_location(d.device_id, *location);
        if (has_interval) {
            std::optional<std::chrono::seconds> iv;
            if (interval) iv = std::chrono::seconds(*interval);
            s.store().set_device_interval(d.device_id, iv);
        }
        if (enabled) s.store().set_device_enabled(d.device_id, *enabled);
    });
    log->info("event=device_updated device={}", d.device_id);
    {
        common::ChangeNote changed;
        if (location) changed.add("location", d.location, *location);
        if (has_interval) {
            std::optional<int> next;
            if (interval) next = static_cast<int>(*interval);
            changed.add("interval_s", interval_text(d.interval_s), interval_text(next));
        }
        if (enabled) {
            changed.add("enabled", d.enabled ? "true" : "false", *enabled ? "true" : "false");
        }
        if (!changed.empty()) {
            audit(request, "device_updated", device_label(d.address, d.port, d.vendor, d.model),
                  changed.str());
        }
    }
    service.reload_settings();
    return get_device(request);
}

Response WebApp::Impl::delete_device(Request& request) {
    const auto d = load_device(request.param("id"));
    db([&](WebStore& s) { s.store().delete_device(d.device_id); });
    log->info("event=device_deleted device={}", d.device_id);
    audit(request, "device_deleted", device_label(d.address, d.port, d.vendor, d.model),
          d.serial.empty() ? "" : "serial=" + d.serial);
    service.reload_settings();
    return Response::empty(204);
}

Response WebApp::Impl::poll_device(Request& request) {
    const auto d = load_device(request.param("id"));
    if (!d.enabled) throw HttpError(409, "disabled", "enable the device first");
    service.poll_now(d.device_id);
    Json j;
    j.begin().key("queued").boolean(true).end();
    return j.response(202);
}

// Support capture: the device's whole MIB, redacted, as `printmon-scanner walk` writes it
// (Service::capture). Started here, watched by GET, fetched as a file when done.
Response WebApp::Impl::start_capture(Request& request) {
    const auto d = load_device(request.param("id"));
    if (!d.enabled) throw HttpError(409, "disabled", "enable the device first");
    const bool fresh = service.capture(d.device_id);
    log->info("event=support_capture_requested device_id={} started={}", d.device_id, fresh);
    if (fresh) {
        audit(request, "capture_started", device_label(d.address, d.port, d.vendor, d.model));
    }
    auto r = capture_status(request);
    r.status = 202;
    return r;
}

Response WebApp::Impl::capture_status(Request& request) {
    const auto d = load_device(request.param("id"));
    const auto c = service.capture_status(d.device_id);
    Json j;
    j.begin().key("state").str(to_string(c.state));
    j.key("values").num(static_cast<long long>(c.values));
    j.key("bytes").num(static_cast<long long>(c.snmprec.size()));
    j.key("redacted").begin_array();
    for (const auto& [kind, count] : c.redacted) {
        j.begin().key("kind").str(kind).key("count").num(static_cast<long long>(count)).end();
    }
    j.end_array();
    j.key("error").str(c.error).key("finished_at").str(c.finished_at).end();
    return j.response();
}

Response WebApp::Impl::capture_file(Request& request) {
    const auto d = load_device(request.param("id"));
    const auto c = service.capture_status(d.device_id);
    if (c.state != SupportCapture::State::done) {
        throw HttpError(404, "no_capture", "no finished support capture of this device");
    }
    auto r = Response::text(c.snmprec, 200, "text/plain; charset=utf-8");
    // The address names the device to support; ':' and the like are not for file names.
    std::string name = c.address;
    for (char& ch : name) {
        if (std::isalnum(static_cast<unsigned char>(ch)) == 0 && ch != '.' && ch != '-') ch = '_';
    }
    r.headers["Content-Disposition"] =
        fmt::format("attachment; filename=\"printmon-capture-{}-{}.snmprec\"", name,
                    c.finished_at.substr(0, 10));
    r.headers["Cache-Control"] = "no-store";
    return r;
}

}  // namespace printmon::scanner::web
