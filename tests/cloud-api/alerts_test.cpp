// Alerts end to end on real PostgreSQL: batches through the real ingest route, the evaluation
// (with a clock the test holds), the outbox and the sender delivering to a real SMTP server
// (aiosmtpd) and a webhook receiver that checks the signature, both on loopback, started and
// stopped here (tests/cloud-api/notify_sinks.py).

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <pqxx/result>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "alerts/engine.hpp"
#include "alerts/render.hpp"
#include "alerts/scheduler.hpp"
#include "alerts/sender.hpp"
#include "alerts/telegram.hpp"
#include "cloud_support.hpp"
#include "notify_sink.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "state.hpp"
#include "storage/secret_keys.hpp"
#include "storage/secrets.hpp"

namespace printmon::cloud::test {
namespace {

namespace fs = std::filesystem;
using SysClock = std::chrono::system_clock;
using namespace std::chrono_literals;

std::string ts(SysClock::time_point t) { return proto::format_rfc3339(t); }

/// A snapshot of golden device `which` (0 or 1) at `at` with one black toner.
struct Snap {
    Snap(int w, SysClock::time_point t, std::optional<int> b = 50, std::vector<std::string> e = {},
         std::vector<proto::Alert> a = {}, std::int64_t n = 100000)
        : which(w), at(t), black(b), errors(std::move(e)), alerts(std::move(a)), total(n) {}
    int which;
    SysClock::time_point at;
    std::optional<int> black;
    std::vector<std::string> errors;
    std::vector<proto::Alert> alerts;
    std::int64_t total;
    /// The toner's state when the printer gives one of its own (else derived from the level).
    std::optional<proto::SupplyState> state;
};

proto::Batch batch_of(const std::string& scanner_id, const std::vector<Snap>& snaps) {
    const auto& golden = golden_batch();
    proto::Batch b;
    b.batch_id = proto::new_uuid();
    b.scanner_id = scanner_id;
    b.scanner_version = golden.scanner_version;
    b.created_at = ts(SysClock::now());
    for (const auto& s : snaps) {
        const auto& device = golden.devices.at(static_cast<std::size_t>(s.which));
        auto it = std::find_if(b.devices.begin(), b.devices.end(),
                               [&](const auto& d) { return d.device_id == device.device_id; });
        if (it == b.devices.end()) {
            b.devices.push_back(device);
            it = std::prev(b.devices.end());
            it->first_seen = ts(s.at - 24h * 30);
            it->last_seen = ts(s.at);
        }
        if (ts(s.at) > it->last_seen) it->last_seen = ts(s.at);
        proto::Reading r;
        r.reading_id = proto::new_uuid();
        r.device_id = device.device_id;
        const auto tmpl =
            std::find_if(golden.readings.begin(), golden.readings.end(),
                         [&](const auto& g) { return g.device_id == device.device_id; });
        r.snapshot = tmpl->snapshot;
        r.snapshot.polled_at = ts(s.at);
        r.snapshot.identity = device.identity;
        r.snapshot.supplies.clear();
        proto::Supply toner;
        toner.description = "Black Toner";
        toner.type = "toner";
        toner.color = "black";
        toner.unit = "percent";
        toner.level_percent = s.black;
        toner.level = s.black;
        toner.max = 100;
        toner.state = s.state.value_or(s.black && *s.black <= 10 ? proto::SupplyState::low
                                                                 : proto::SupplyState::ok);
        toner.source = "printer-mib";
        r.snapshot.supplies.push_back(toner);
        r.snapshot.status.errors = s.errors;
        r.snapshot.status.alerts = s.alerts;
        r.snapshot.counters = {{"total", s.total}};
        b.readings.push_back(std::move(r));
    }
    return b;
}

net::Headers bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

rapidjson::Document call(CloudServer& s, const std::string& method, const std::string& path,
                         const std::string& token, const std::string& body = "",
                         unsigned expect = 200) {
    auto r = s.client().request(method, s.url(path), bearer(token), body);
    REQUIRE(r);
    INFO(method << " " << path << " -> " << r->status << " " << r->body);
    REQUIRE(r->status == expect);
    rapidjson::Document d;
    if (!r->body.empty()) d.Parse(r->body.c_str());
    return d;
}

std::string str(const rapidjson::Value& v, const char* key) {
    const auto& m = v[key];
    return m.IsString() ? std::string(m.GetString()) : std::string();
}

/// The id of the tenant's default rule of `kind`.
std::string rule_of(CloudServer& s, const std::string& token, const std::string& kind) {
    const auto rules = call(s, "GET", "/api/v1/alerting/rules", token);
    for (const auto& r : rules["items"].GetArray()) {
        if (str(r, "kind") == kind) return str(r, "rule_id");
    }
    FAIL("no rule of kind " << kind);
    return {};
}

/// PUT a rule with its current fields, changed as given.
void update_rule(CloudServer& s, const std::string& token, const std::string& id,
                 const std::string& kind, int threshold, int repeat_minutes,
                 const std::vector<std::string>& channels) {
    std::string list;
    for (const auto& c : channels) list += (list.empty() ? "\"" : ",\"") + c + "\"";
    call(s, "PUT", "/api/v1/alerting/rules/" + id, token,
         fmt::format(R"({{"name":"{}","kind":"{}","threshold":{},"repeat_minutes":{},)"
                     R"("channel_ids":[{}]}})",
                     kind, kind, threshold, repeat_minutes, list));
}

/// The test CA of a BotApi, made before its Sink starts (a base, so it is initialised first).
struct BotApiPki {
    net::test::TestPki pki;
};

/// The Bot API stand-in (notify_sinks.py telegram) over HTTPS with its own test CA; it knows
/// `token` (written to dir/token) and takes `extra` options (--fail-first N, ...).
struct BotApi : BotApiPki, Sink {
    BotApi(const fs::path& dir, const std::string& token, std::vector<std::string> extra = {})
        : Sink(dir, args(dir, token, pki, std::move(extra))) {}
    std::string url() const { return "https://127.0.0.1:" + std::to_string(port); }
    /// A cloud-api's settings that reach it ("Find chats"), with a total timeout of `timeout`.
    ServerSettings server_settings(std::chrono::milliseconds timeout) const {
        ServerSettings settings;
        settings.notify.telegram_api_url = url();
        settings.notify.ca_file = pki.ca();
        settings.notify.connect_timeout = 2000ms;
        settings.notify.timeout = timeout;
        return settings;
    }

  private:
    static std::vector<std::string> args(const fs::path& dir, const std::string& token,
                                         const net::test::TestPki& pki,
                                         std::vector<std::string> extra) {
        { std::ofstream(dir / "token") << token; }
        std::vector<std::string> a{"telegram",   (dir / "token").string(),
                                   "--tls-cert", pki.server_cert(),
                                   "--tls-key",  pki.server_key()};
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
};

std::string add_channel(CloudServer& s, const std::string& token, const std::string& body,
                        std::string* secret = nullptr) {
    const auto c = call(s, "POST", "/api/v1/alerting/channels", token, body, 201);
    if (secret != nullptr) *secret = str(c, "secret");
    return str(c, "channel_id");
}

std::vector<rapidjson::Document> list_alerts(CloudServer& s, const std::string& token,
                                             const std::string& query) {
    auto d = call(s, "GET", "/api/v1/alerting/alerts" + query, token);
    std::vector<rapidjson::Document> out;
    for (const auto& a : d["items"].GetArray()) {
        rapidjson::Document one;
        one.CopyFrom(a, one.GetAllocator());
        out.push_back(std::move(one));
    }
    return out;
}

long long scalar(CloudServer& s, const std::string& sql, const std::string& param) {
    return std::stoll(s.query_value(sql, param).value_or("0"));
}

alerts::NotifyConfig sender_config() {
    alerts::NotifyConfig n;
    n.allow_private_webhooks = true;  // the receivers are on loopback
    n.connect_timeout = 2000ms;
    n.timeout = 3000ms;
    n.backoff_base = 30s;
    n.lease = 120s;
    return n;
}

struct Tenant {
    std::string id, key, token;
};

Tenant make_tenant(CloudServer& s, const std::string& name, const std::string& scanner) {
    Tenant t;
    t.id = s.create_tenant(name);
    t.key = s.create_scanner(t.id, scanner);
    t.token = s.create_token(t.id);
    return t;
}

/// The setup most tests share: a cloud-api on a fresh database with one tenant ("branch-1" is
/// its scanner), and a connection prepared for the engine, evaluated with the test's clock.
struct AlertsFixture {
    CloudServer s;
    Tenant t = make_tenant(s, "IT", "branch-1");
    db::Connection conn = s.database().connect();

    AlertsFixture() { alerts::prepare_statements(conn.raw()); }

    /// One evaluation of the tenant's rules as of `at`.
    alerts::EvaluationReport evaluate(SysClock::time_point at) {
        return alerts::evaluate(conn.raw(), t.id, at);
    }
    /// An online batch of `snaps` from the tenant's scanner through the real ingest route.
    net::ClientResponse ingest(const std::vector<Snap>& snaps) {
        return s.ingest(t.key, batch_of("branch-1", snaps));
    }
};

/// The sender's test settings with e-mail to the SMTP sink on `port`.
alerts::NotifyConfig mail_config(std::uint16_t port) {
    auto config = sender_config();
    config.smtp_url = "smtp://127.0.0.1:" + std::to_string(port);
    config.smtp_from = "printmon@example.com";
    return config;
}

}  // namespace

TEST_CASE_METHOD(
    AlertsFixture,
    "alerts: toner below the rule opens one alert, a refill resolves it; e-mails in en and "
    "ru to a real SMTP server",
    "[alerts][integration]") {
    TempDir dir;
    Sink smtp(dir.path, {"smtp"});
    const auto en = add_channel(s, t.token, R"({"kind":"email","address":"ops@example.com"})");
    const auto ru =
        add_channel(s, t.token, R"({"kind":"email","address":"it@example.ru","language":"ru"})");
    // Repeat period 0: the resolution is told too (the flapping test covers the period).
    update_rule(s, t.token, rule_of(s, t.token, "supply_low"), "supply_low", 10, 0, {en, ru});

    const auto t0 = SysClock::now() - 4h;
    REQUIRE(ingest({{0, t0, 40}}).status == 200);
    auto r = evaluate(t0 + 1min);
    CHECK(r.opened == 0);
    CHECK(list_alerts(s, t.token, "").empty());

    REQUIRE(ingest({{0, t0 + 1h, 8}}).status == 200);
    r = evaluate(t0 + 1h + 1min);
    CHECK(r.opened == 1);
    CHECK(r.notifications == 2);
    // Idempotent: the same state evaluated again (another process, a retry) changes nothing.
    r = evaluate(t0 + 1h + 2min);
    CHECK(r.opened == 0);
    CHECK(r.notifications == 0);
    auto open = list_alerts(s, t.token, "?state=open");
    REQUIRE(open.size() == 1);
    CHECK(str(open[0], "kind") == "supply_low");
    CHECK(str(open[0], "subject") == "supply:toner/black/Black Toner");
    CHECK(open[0]["value"].GetInt64() == 8);

    // Lower still: the alert updates, no second one, no second message.
    REQUIRE(ingest({{0, t0 + 2h, 5}}).status == 200);
    r = evaluate(t0 + 2h + 1min);
    CHECK(r.updated == 1);
    CHECK(r.opened == 0);
    open = list_alerts(s, t.token, "?state=open");
    REQUIRE(open.size() == 1);
    CHECK(open[0]["value"].GetInt64() == 5);

    // A refill: resolved by itself.
    REQUIRE(ingest({{0, t0 + 3h, 100}}).status == 200);
    r = evaluate(t0 + 3h + 1min);
    CHECK(r.resolved == 1);
    CHECK(list_alerts(s, t.token, "?state=open").empty());
    CHECK(list_alerts(s, t.token, "?state=resolved").size() == 1);

    auto config = mail_config(smtp.port);
    alerts::Sender sender(s.database().conninfo(), s.secret_key(), config);
    CHECK(sender.run_once() == 4);
    CHECK(sender.run_once() == 0);  // nothing left, nothing sent twice
    const auto mails = smtp.mails();
    REQUIRE(mails.size() == 4);
    std::multiset<std::string> subjects;
    std::set<std::string> ids;
    for (const auto& m : mails) {
        ids.insert(str(m, "idempotency_key"));
        CHECK(str(m, "mail_from") == "printmon@example.com");
        const std::string rcpt = m["rcpt"][0].GetString();
        const std::string subject = str(m, "subject");
        const std::string body = str(m, "body");
        if (rcpt == "it@example.ru") {
            CHECK(subject.find("Заканчивается расходный материал") != std::string::npos);
            CHECK(body.find("Правило") != std::string::npos);
        } else {
            CHECK(rcpt == "ops@example.com");
            CHECK(subject.find("Supply low") != std::string::npos);
            CHECK(body.find("Black Toner: ") != std::string::npos);
        }
        subjects.insert(subject.find("Resolved") != std::string::npos ||
                                subject.find("Устранено") != std::string::npos
                            ? "resolved"
                            : "opened");
    }
    CHECK(ids.size() == 4);
    CHECK(subjects.count("opened") == 2);
    CHECK(subjects.count("resolved") == 2);
    const auto log = call(s, "GET", "/api/v1/alerting/deliveries?state=sent", t.token);
    CHECK(log["total"].GetInt64() == 4);
    CHECK(log["items"][0]["log"][0]["outcome"] == "sent");
}

TEST_CASE_METHOD(
    AlertsFixture,
    "alerts: a jam opens after the rule's minutes and clears; signed webhook retried after "
    "a 500",
    "[alerts][integration]") {
    TempDir dir;
    std::string secret;
    const auto hook =
        add_channel(s, t.token,
                    // The port is set below: the receiver needs the secret first.
                    R"({"kind":"webhook","address":"http://127.0.0.1:1/hook"})", &secret);
    { std::ofstream(dir.path / "secret") << secret; }
    Sink receiver(dir.path, {"webhook", (dir.path / "secret").string(), "--fail-first", "1"});
    call(s, "PUT", "/api/v1/alerting/channels/" + hook, t.token,
         fmt::format(R"({{"address":"http://127.0.0.1:{}/hook"}})", receiver.port));
    CHECK(secret.rfind("whsec_", 0) == 0);
    const auto rule = rule_of(s, t.token, "device_error");
    update_rule(s, t.token, rule, "device_error", 15, 0, {hook});

    const auto t0 = SysClock::now() - 2h;
    const proto::Alert jam{"critical", "media_path", 8, "Paper jam in tray 2"};
    REQUIRE(ingest({{0, t0, 50, {"jammed"}, {jam}}}).status == 200);
    auto r = evaluate(t0 + 5min);
    CHECK(r.pending == 1);
    CHECK(r.opened == 0);
    CHECK(list_alerts(s, t.token, "").empty());  // pending is not open
    CHECK(list_alerts(s, t.token, "?state=pending").size() == 1);

    REQUIRE(ingest({{0, t0 + 10min, 50, {"jammed"}, {jam}}}).status == 200);
    r = evaluate(t0 + 16min);
    CHECK(r.opened == 1);
    auto open = list_alerts(s, t.token, "");
    REQUIRE(open.size() == 1);
    CHECK(str(open[0], "subject") == "error:jammed");  // one jam, one alert (not the table row too)
    const std::string alert_id = str(open[0], "alert_id");

    // Acknowledge and snooze through the API.
    auto acked = call(s, "POST", "/api/v1/alerting/alerts/" + alert_id + "/acknowledge", t.token);
    CHECK(acked["acknowledged_at"].IsString());
    // By an API token: its name ("test", CloudServer::create_token), not its id.
    CHECK(str(acked, "acknowledged_by_name") == "test");
    CHECK(str(acked, "acknowledged_by") != "test");
    auto snoozed = call(s, "POST", "/api/v1/alerting/alerts/" + alert_id + "/snooze", t.token,
                        R"({"minutes":30})");
    CHECK(snoozed["snoozed_until"].IsString());
    call(s, "POST", "/api/v1/alerting/alerts/" + alert_id + "/snooze", t.token, R"({"minutes":0})");
    // The account's audit log has the three, by the token, naming the alert by its subject.
    CHECK(s.query_value("SELECT string_agg(actor_kind || ' ' || action || ' ' || target || ' ' || "
                        "left(detail, 6), ' | ' ORDER BY entry_id) FROM audit_log "
                        "WHERE tenant_id = $1::uuid AND action LIKE 'alert%'",
                        t.id) ==
          "token alert_acknowledged error:jammed  | token alert_snoozed error:jammed until= | "
          "token alert_snoozed error:jammed snooze");

    // The jam clears.
    REQUIRE(ingest({{0, t0 + 20min, 50}}).status == 200);
    r = evaluate(t0 + 21min);
    CHECK(r.resolved == 1);

    auto config = sender_config();
    SysClock::time_point now = SysClock::now();
    alerts::Sender sender(s.database().conninfo(), s.secret_key(), config, [&now] { return now; });
    CHECK(sender.run_once() == 2);  // opened: 500 -> retry; resolved: sent
    CHECK(sender.run_once() == 0);  // the retry waits for its backoff
    now += 31s;
    CHECK(sender.run_once() == 1);
    const auto requests = receiver.requests();
    REQUIRE(requests.size() == 3);
    int accepted = 0;
    std::set<std::string> events;
    for (const auto& q : requests) {
        CHECK(q["verified"].GetBool());
        if (q["status"].GetInt() == 200) {
            ++accepted;
            events.insert(q["event"].GetString());
            CHECK_FALSE(q["duplicate"].GetBool());
        }
    }
    CHECK(accepted == 2);
    CHECK(events == std::set<std::string>{"opened", "resolved"});
    const auto detail = call(s, "GET", "/api/v1/alerting/alerts/" + alert_id, t.token);
    CHECK(str(detail, "state") == "resolved");
    REQUIRE(detail["notifications"].Size() == 2);
    const auto log =
        call(s, "GET", "/api/v1/alerting/deliveries?alert=" + alert_id + "&state=sent", t.token);
    REQUIRE(log["total"].GetInt64() == 2);
    bool retried = false;
    for (const auto& n : log["items"].GetArray()) {
        if (n["attempts"].GetInt() == 2) {
            retried = true;
            CHECK(n["log"][0]["outcome"] == "retry");
            CHECK(n["log"][0]["detail"] == "HTTP 500");
            CHECK(n["log"][1]["outcome"] == "sent");
        }
    }
    CHECK(retried);
}

TEST_CASE_METHOD(AlertsFixture,
                 "alerts: a supply the printer calls low without a level is a warning, empty is "
                 "critical, and threshold 0 takes only empty",
                 "[alerts][integration]") {
    const auto rule = rule_of(s, t.token, "supply_low");
    update_rule(s, t.token, rule, "supply_low", 10, 0, {});
    const auto at = [](SysClock::time_point when, proto::SupplyState state) {
        Snap snap{0, when, std::nullopt};
        snap.state = state;
        return snap;
    };
    const auto t0 = SysClock::now() - 3h;
    REQUIRE(ingest({at(t0, proto::SupplyState::some_remaining)}).status == 200);
    CHECK(evaluate(t0 + 1min).opened == 0);

    REQUIRE(ingest({at(t0 + 1h, proto::SupplyState::low)}).status == 200);
    CHECK(evaluate(t0 + 1h + 1min).opened == 1);
    auto open = list_alerts(s, t.token, "?state=open");
    REQUIRE(open.size() == 1);
    CHECK(str(open[0], "subject") == "supply:toner/black/Black Toner");
    CHECK(str(open[0], "severity") == "warning");
    CHECK(str(open[0], "detail") == "Black Toner: low");
    CHECK(open[0]["value"].IsNull());

    // At threshold 0 a mere "low" is no alert (the level it stands for is unknown).
    update_rule(s, t.token, rule, "supply_low", 0, 0, {});
    CHECK(evaluate(t0 + 1h + 2min).resolved == 1);
    CHECK(list_alerts(s, t.token, "?state=open").empty());

    // Empty is critical, at any threshold.
    REQUIRE(ingest({at(t0 + 2h, proto::SupplyState::empty)}).status == 200);
    CHECK(evaluate(t0 + 2h + 1min).opened == 1);
    open = list_alerts(s, t.token, "?state=open");
    REQUIRE(open.size() == 1);
    CHECK(str(open[0], "severity") == "critical");
    CHECK(str(open[0], "detail") == "Black Toner: empty");

    // A new cartridge the printer calls ok, still without a level: resolved.
    REQUIRE(ingest({at(t0 + 3h - 1min, proto::SupplyState::ok)}).status == 200);
    CHECK(evaluate(t0 + 3h).resolved == 1);
    CHECK(list_alerts(s, t.token, "?state=open").empty());
}

TEST_CASE_METHOD(AlertsFixture,
                 "alerts: an alert-table row alone raises a device error; counters backwards",
                 "[alerts][integration]") {
    const auto t0 = SysClock::now() - 2h;
    const proto::Alert cover{"critical", "cover", 3, "Front cover open"};
    REQUIRE(
        ingest({{1, t0, 50, {}, {cover}, 5000}, {1, t0 + 30min, 50, {}, {cover}, 4000}}).status ==
        200);
    evaluate(t0 + 31min);
    const auto open = list_alerts(s, t.token, "");
    std::set<std::string> subjects;
    for (const auto& a : open) subjects.insert(str(a, "subject"));
    CHECK(subjects == std::set<std::string>{"counter:backwards"});
    // Without a scanner event the cover counts from the latest reading: 1 of the rule's 15
    // minutes, so pending (not shown as open, nobody told yet).
    const auto pending = list_alerts(s, t.token, "?state=pending");
    REQUIRE(pending.size() == 1);
    CHECK(str(pending[0], "subject") == "alert:cover:3");
    CHECK(str(pending[0], "detail") == "Front cover open");
    // A jump larger than the device could print (300 pages per minute by default).
    REQUIRE(ingest({{1, t0 + 40min, 50, {}, {}, 4000 + 300 * 10 + 1}}).status == 200);
    evaluate(t0 + 41min);
    subjects.clear();
    for (const auto& a : list_alerts(s, t.token, "")) subjects.insert(str(a, "subject"));
    CHECK(subjects == std::set<std::string>{"counter:jump"});
    REQUIRE(ingest({{1, t0 + 50min, 50, {}, {}, 7100}}).status == 200);
    evaluate(t0 + 51min);
    CHECK(list_alerts(s, t.token, "").empty());
}

TEST_CASE_METHOD(
    AlertsFixture,
    "alerts: a device that goes silent and a scanner that stops uploading open alerts on "
    "the timer",
    "[alerts][integration]") {
    const auto now = SysClock::now();
    // Device 0 answered 30 hours ago, device 1 answers now: the scanner is uploading.
    REQUIRE(ingest({{0, now - 30h, 50}}).status == 200);
    REQUIRE(ingest({{1, now - 1min, 50}}).status == 200);
    evaluate(now);
    auto open = list_alerts(s, t.token, "");
    REQUIRE(open.size() == 1);
    CHECK(str(open[0], "kind") == "device_silent");
    CHECK(str(open[0], "device_id") ==
          s.query_value("SELECT device_id::text FROM devices WHERE tenant_id = $1::uuid AND "
                        "last_seen < now() - interval '1 day'",
                        t.id)
              .value_or("?"));

    // Nothing arrives for 5 hours: no ingest triggers anything, the timer finds the silence.
    evaluate(now + 5h);
    std::set<std::string> kinds;
    for (const auto& a : list_alerts(s, t.token, "")) kinds.insert(str(a, "kind"));
    CHECK(kinds == std::set<std::string>{"device_silent", "scanner_silent"});
    // After a day and more, the branch's devices are all silent, but the scanner's alert tells
    // that: no alert for device 1, which answered until the branch went quiet. Device 0 was
    // silent for a day while its scanner kept uploading: its alert stays open (resolving it
    // would tell people it answered again, and nothing has heard from it).
    evaluate(now + 30h);
    std::multiset<std::string> all;
    for (const auto& a : list_alerts(s, t.token, "")) all.insert(str(a, "kind"));
    CHECK(all == std::multiset<std::string>{"device_silent", "scanner_silent"});

    // The branch comes back with both devices.
    REQUIRE(ingest({{0, now, 50}, {1, now, 50}}).status == 200);
    const auto r = evaluate(SysClock::now());
    CHECK(r.resolved == 2);
    CHECK(list_alerts(s, t.token, "").empty());
}

TEST_CASE_METHOD(AlertsFixture, "alerts: a flapping device sends at most one message per period",
                 "[alerts][integration]") {
    const auto mail = add_channel(s, t.token, R"({"kind":"email","address":"ops@example.com"})");
    update_rule(s, t.token, rule_of(s, t.token, "supply_low"), "supply_low", 10, 60, {mail});
    const auto t0 = SysClock::now() - 2h;
    int opened = 0, resolved = 0, queued = 0, suppressed = 0;
    for (int i = 0; i < 6; ++i) {
        const int level = i % 2 == 0 ? 5 : 15;  // low, ok, low, ok...
        const auto at = t0 + std::chrono::minutes(5 * i);
        REQUIRE(ingest({{0, at, level}}).status == 200);
        const auto r = evaluate(SysClock::now());
        opened += r.opened;
        resolved += r.resolved;
        queued += r.notifications;
        suppressed += r.suppressed;
    }
    CHECK(opened == 3);
    CHECK(resolved == 3);
    CHECK(queued == 1);
    // The first resolution (inside the period) and the two re-openings; resolutions of openings
    // never told are not even recorded.
    CHECK(suppressed == 3);
    CHECK(scalar(s,
                 "SELECT count(*) FROM notifications WHERE tenant_id = $1::uuid AND state = "
                 "'queued'",
                 t.id) == 1);
    const auto log = call(s, "GET", "/api/v1/alerting/deliveries?state=suppressed", t.token);
    CHECK(log["total"].GetInt64() == 3);
}

TEST_CASE_METHOD(AlertsFixture,
                 "alerts: the sender killed mid-delivery loses nothing; a repeat is dropped by its "
                 "idempotency key",
                 "[alerts][integration]") {
    TempDir dir;
    std::string secret;
    const auto hook =
        add_channel(s, t.token, R"({"kind":"webhook","address":"http://127.0.0.1:1/"})", &secret);
    { std::ofstream(dir.path / "secret") << secret; }
    Sink receiver(dir.path, {"webhook", (dir.path / "secret").string(), "--hang-first", "1"});
    call(s, "PUT", "/api/v1/alerting/channels/" + hook, t.token,
         fmt::format(R"({{"address":"http://127.0.0.1:{}/"}})", receiver.port));
    update_rule(s, t.token, rule_of(s, t.token, "supply_low"), "supply_low", 10, 0, {hook});
    const auto t0 = SysClock::now() - 1h;
    REQUIRE(ingest({{0, t0, 5}}).status == 200);
    REQUIRE(evaluate(t0 + 1min).notifications == 1);

    auto config = sender_config();
    config.timeout = 20s;  // the hang outlasts the kill, not the timeout
    SysClock::time_point now = SysClock::now();
    {
        // Killed while the receiver holds the request: nothing is recorded (as after kill -9).
        alerts::Sender first(s.database().conninfo(), s.secret_key(), config,
                             [&now] { return now; });
        std::thread worker([&first] { first.run_once(); });
        for (int i = 0; i < 100 && scalar(s,
                                          "SELECT count(*) FROM notifications WHERE "
                                          "tenant_id = $1::uuid AND state = 'sending'",
                                          t.id) == 0;
             ++i) {
            std::this_thread::sleep_for(50ms);  // bounded: until the claim is visible
        }
        std::this_thread::sleep_for(300ms);  // the request is at the receiver
        first.stop(false);
        worker.join();
    }
    CHECK(scalar(s,
                 "SELECT count(*) FROM notifications WHERE tenant_id = $1::uuid AND state = "
                 "'sending'",
                 t.id) == 1);
    alerts::Sender second(s.database().conninfo(), s.secret_key(), config, [&now] { return now; });
    CHECK(second.run_once() == 0);  // still leased to the dead worker
    now += config.lease + 1s;
    CHECK(second.run_once() == 1);
    CHECK(scalar(s,
                 "SELECT count(*) FROM notifications WHERE tenant_id = $1::uuid AND state = "
                 "'sent'",
                 t.id) == 1);

    // A worker that died after the receiver answered but before it marked the message: the
    // message goes out again with the same key, and the receiver drops it.
    {
        auto c = s.database().connect();
        pqxx::work tx(c.raw());
        tx.exec_params0(
            "UPDATE notifications SET state = 'sending', next_attempt_at = now() "
            "WHERE tenant_id = $1::uuid",
            t.id);
        tx.commit();
    }
    now += 1s;
    CHECK(second.run_once() == 1);
    const auto requests = receiver.requests();
    REQUIRE(requests.size() == 2);  // the hung request never finished
    CHECK(requests[0]["verified"].GetBool());
    CHECK_FALSE(requests[0]["duplicate"].GetBool());
    CHECK(requests[1]["duplicate"].GetBool());
    CHECK(std::string(requests[0]["key"].GetString()) == requests[1]["key"].GetString());
}

TEST_CASE_METHOD(
    AlertsFixture,
    "alerts: e-mail over STARTTLS; unreachable SMTP retries with backoff, nothing lost",
    "[alerts][integration]") {
    const auto mail = add_channel(s, t.token, R"({"kind":"email","address":"ops@example.com"})");
    update_rule(s, t.token, rule_of(s, t.token, "supply_low"), "supply_low", 10, 0, {mail});
    const auto t0 = SysClock::now() - 1h;
    REQUIRE(ingest({{0, t0, 5}}).status == 200);
    REQUIRE(evaluate(t0 + 1min).notifications == 1);

    TempDir dir;
    auto config = sender_config();
    config.smtp_tls = alerts::SmtpTls::required;
    config.ca_file = s.ca_file();
    SysClock::time_point now = SysClock::now();
    {
        // Nobody listens on the port the sink is about to take: a connection refused.
        Sink probe(dir.path, {"smtp"});
        config.smtp_url = "smtp://127.0.0.1:" + std::to_string(probe.port);
    }
    alerts::Sender sender(s.database().conninfo(), s.secret_key(), config, [&now] { return now; });
    CHECK(sender.run_once() == 1);
    CHECK(scalar(s,
                 "SELECT attempts FROM notifications WHERE tenant_id = $1::uuid AND state = "
                 "'queued'",
                 t.id) == 1);

    TempDir dir2;
    net::test::TestPki pki;
    Sink smtp(dir2.path, {"smtp", "--tls-cert", pki.server_cert(), "--tls-key", pki.server_key()});
    config.smtp_url = "smtp://127.0.0.1:" + std::to_string(smtp.port);
    config.ca_file = pki.ca();
    alerts::Sender tls_sender(s.database().conninfo(), s.secret_key(), config,
                              [&now] { return now; });
    CHECK(tls_sender.run_once() == 0);  // backing off
    now += 31s;
    CHECK(tls_sender.run_once() == 1);
    const auto mails = smtp.mails();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0]["tls"].GetBool());
}

TEST_CASE("alerts API: defaults seeded, malformed rules are 400s, tenants isolated",
          "[alerts][integration]") {
    CloudServer s;
    auto a = make_tenant(s, "A", "branch-a");
    auto b = make_tenant(s, "B", "branch-b");
    const auto rules = call(s, "GET", "/api/v1/alerting/rules", a.token);
    REQUIRE(rules["items"].Size() == 5);
    std::set<std::string> kinds;
    for (const auto& r : rules["items"].GetArray()) kinds.insert(str(r, "kind"));
    CHECK(kinds == std::set<std::string>{"supply_low", "device_error", "device_silent",
                                         "scanner_silent", "counter_anomaly"});

    const std::vector<std::pair<std::string, std::string>> bad = {
        {R"({"name":"x","kind":"toner","threshold":5})", "kind: must be one of"},
        {R"({"name":"x","kind":"supply_low"})", "threshold: required (percent"},
        {R"({"name":"x","kind":"supply_low","threshold":101})", "threshold: must be between 0"},
        {R"({"name":"x","kind":"supply_low","threshold":"5"})", "threshold: must be an integer"},
        {R"({"name":"x","kind":"supply_low","threshold":5,"treshold":5})", "treshold: unknown"},
        {R"({"name":"","kind":"supply_low","threshold":5})", "name: must not be empty"},
        {R"({"name":"x","kind":"scanner_silent","threshold":5,"vendor":"HP"})", "site only"},
        {R"({"name":"x","kind":"supply_low","threshold":5,"channel_ids":["nope"]})",
         "channel_ids: each"},
        {R"([1,2])", "JSON object"},
        {R"({"name":"x","kind":"supply_low","threshold":5,"device_id":"6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f"})",
         "device_id: no such device"},
        {R"({"name":"x","kind":"device_error","threshold":5,"forecast_days":7})",
         "forecast_days: only supply_low rules"},
        {R"({"name":"x","kind":"supply_low","threshold":5,"forecast_days":0})",
         "forecast_days: must be between 1 and 365"},
        {R"({"name":"x","kind":"supply_low","threshold":5,"forecast_days":366})",
         "forecast_days: must be between 1 and 365"},
        {R"({"name":"x","kind":"supply_low","threshold":5,"forecast_days":"7"})",
         "forecast_days: must be an integer"},
        {R"({"name":"x","kind":"supply_low","threshold":5,"forecast_days":2.5})",
         "forecast_days: must be an integer"},
    };
    for (const auto& [body, message] : bad) {
        const auto r = s.client().post(s.url("/api/v1/alerting/rules"), body, bearer(a.token));
        REQUIRE(r);
        INFO(body << " -> " << r->body);
        CHECK(r->status == 400);
        CHECK(r->body.find(message) != std::string::npos);
    }
    CHECK(call(s, "GET", "/api/v1/alerting/rules", a.token)["items"].Size() == 5);  // none saved
    const auto bad_channel =
        s.client().post(s.url("/api/v1/alerting/channels"),
                        R"({"kind":"email","address":"a@b\r\nBcc: x@y.z"})", bearer(a.token));
    REQUIRE(bad_channel);
    CHECK(bad_channel->status == 400);

    // B's channel cannot be used by A, and B does not see A's rules or alerts.
    const auto b_channel = add_channel(s, b.token, R"({"kind":"email","address":"b@example.com"})");
    const auto a_rule = rule_of(s, a.token, "supply_low");
    const auto r = s.client().request(
        "PUT", s.url("/api/v1/alerting/rules/" + a_rule), bearer(a.token),
        R"({"name":"x","kind":"supply_low","threshold":5,"channel_ids":[")" + b_channel + "\"]}");
    REQUIRE(r);
    CHECK(r->status == 400);
    call(s, "GET", "/api/v1/alerting/rules/" + a_rule, b.token, "", 404);
    call(s, "DELETE", "/api/v1/alerting/rules/" + a_rule, b.token, "", 404);
    call(s, "DELETE", "/api/v1/alerting/channels/" + b_channel, a.token, "", 404);

    auto conn = s.database().connect();
    alerts::prepare_statements(conn.raw());
    const auto t0 = SysClock::now() - 1h;
    REQUIRE(s.ingest(a.key, batch_of("branch-a", {{0, t0, 3}})).status == 200);
    alerts::evaluate(conn.raw(), a.id, t0 + 1min);
    alerts::evaluate(conn.raw(), b.id, t0 + 1min);
    const auto mine = list_alerts(s, a.token, "");
    REQUIRE(mine.size() == 1);
    CHECK(list_alerts(s, b.token, "").empty());
    const auto id = str(mine[0], "alert_id");
    call(s, "GET", "/api/v1/alerting/alerts/" + id, b.token, "", 404);
    call(s, "POST", "/api/v1/alerting/alerts/" + id + "/acknowledge", b.token, "", 404);
    // Acknowledged by a console user: the API and the console show the user's e-mail.
    const auto user = call(s, "POST", "/api/v1/users?tenant=" + a.id, kAdminToken,
                           R"({"email":"Olga@Example.com","role":"viewer",)"
                           R"("password":"correct horse battery"})",
                           201);
    const auto session =
        call(s, "POST", "/api/v1/auth/login", "",
             R"({"tenant_id":")" + a.id +
                 R"(","email":"Olga@Example.com","password":"correct horse battery"})");
    const auto acked =
        call(s, "POST", "/api/v1/alerting/alerts/" + id + "/acknowledge", str(session, "token"));
    CHECK(str(acked, "acknowledged_by") == str(user, "user_id"));
    CHECK(str(acked, "acknowledged_by_name") == "Olga@Example.com");
    CHECK(str(list_alerts(s, a.token, "?state=acknowledged").at(0), "acknowledged_by_name") ==
          "Olga@Example.com");
    call(s, "GET", "/api/v1/alerting/alerts?tenant=" + a.id, b.token, "", 403);
    CHECK(list_alerts(s, kAdminToken, "?tenant=" + a.id).size() == 1);
    // A rule created, edited, deleted by the owner.
    const auto created = call(s, "POST", "/api/v1/alerting/rules", a.token,
                              R"({"name":"HP toner","kind":"supply_low","threshold":20,)"
                              R"("vendor":"HP","site":"Moscow"})",
                              201);
    CHECK(str(created, "vendor") == "HP");
    CHECK(created["forecast_days"].IsNull());  // absent (or null): no forecast condition
    call(s, "DELETE", "/api/v1/alerting/rules/" + str(created, "rule_id"), a.token, "", 204);
    // Each change is in its own account's audit log; the other tenant's refused one is nowhere.
    CHECK(s.query_value("SELECT string_agg(action || ' ' || target, ' | ' ORDER BY entry_id) "
                        "FROM audit_log WHERE tenant_id = $1::uuid AND action <> 'signed_in'",
                        a.id) == "user_created Olga@Example.com | alert_acknowledged " +
                                     str(mine[0], "subject") +
                                     " | rule_created HP toner | rule_deleted HP toner");
    CHECK(s.query_value("SELECT count(*) FROM audit_log WHERE tenant_id = $1::uuid AND action LIKE "
                        "'alert%'",
                        b.id) == "0");
}

TEST_CASE("alerts: the running service evaluates after an ingest and on its timer",
          "[alerts][integration]") {
    ServerSettings settings;
    settings.notify.enabled = true;
    settings.notify.evaluate_interval = 1s;
    CloudServer s(settings);
    auto t = make_tenant(s, "IT", "branch-1");
    REQUIRE(s.ingest(t.key, batch_of("branch-1", {{0, SysClock::now() - 1min, 4}})).status == 200);
    bool seen = false;
    for (int i = 0; i < 100 && !seen; ++i) {  // bounded: at most 10 s
        seen = !list_alerts(s, t.token, "").empty();
        if (!seen) std::this_thread::sleep_for(100ms);
    }
    CHECK(seen);
}

TEST_CASE_METHOD(AlertsFixture,
                 "alerts scheduler: a steady upload's nudges are coalesced, the last one is "
                 "still evaluated",
                 "[alerts][integration]") {
    // The scheduler alone (the fixture's server runs none), on the fixture's database. Its
    // first round is the timer's sweep; then every nudge of one tenant for 2.5 s, as a branch
    // uploading batch after batch makes them. The toner falls only before the last nudge.
    alerts::Scheduler scheduler(s.database().conninfo(), 1h, {});
    const auto one_sweep = [&] { return scheduler.evaluations() >= 1; };
    for (int i = 0; i < 100 && !one_sweep(); ++i) std::this_thread::sleep_for(50ms);
    REQUIRE(one_sweep());
    const auto before = scheduler.evaluations();
    REQUIRE(list_alerts(s, t.token, "").empty());
    for (int i = 0; i < 25; ++i) {
        if (i == 24) REQUIRE(ingest({{1, SysClock::now() - 1min, 4}}).status == 200);
        scheduler.nudge(t.id);
        std::this_thread::sleep_for(100ms);
    }
    // The nudge inside the gap is kept and evaluated when the gap ends: the alert opens.
    bool seen = false;
    for (int i = 0; i < 100 && !seen; ++i) {  // bounded: at most 10 s
        seen = !list_alerts(s, t.token, "").empty();
        if (!seen) std::this_thread::sleep_for(100ms);
    }
    CHECK(seen);
    // 25 nudges in 2.5 s, at least 1 s apart: at most one evaluation a second (+1 for the edge),
    // not one per nudge.
    const auto nudged = scheduler.evaluations() - before;
    CHECK(nudged >= 2);
    CHECK(nudged <= 5);
    scheduler.stop();
}

TEST_CASE("alerts: webhook signature, e-mail composition, backoff", "[alerts][unit]") {
    // Reference: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    CHECK(alerts::webhook_signature("secret", 1700000000, R"({"a":1})") ==
          "sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686");
    const auto at = proto::parse_rfc3339("2026-11-24T13:00:00Z").value();
    const auto mail =
        alerts::compose_email("a@example.com", "b@example.com", "Привет", "body\n", "id-1", at);
    CHECK(mail.find("Subject: =?UTF-8?B?0J/RgNC40LLQtdGC?=\r\n") != std::string::npos);
    CHECK(mail.find("Message-ID: <id-1@printmon>\r\n") != std::string::npos);
    CHECK(mail.find("Date: Tue, 24 Nov 2026 13:00:00 +0000\r\n") != std::string::npos);
    CHECK(mail.find("\r\n\r\nYm9keQo=\r\n") != std::string::npos);
    CHECK(alerts::backoff(1, 30s, 3600s) == 30s);
    CHECK(alerts::backoff(3, 30s, 3600s) == 120s);
    CHECK(alerts::backoff(20, 30s, 3600s) == 3600s);
}

namespace {

/// A day in the past at `hour`:`minute` UTC (the tenants here keep the default zone, UTC).
SysClock::time_point utc_at(int days_ago, int hour, int minute) {
    const auto today = std::chrono::floor<std::chrono::days>(SysClock::now());
    return today - std::chrono::days(days_ago) + std::chrono::hours(hour) +
           std::chrono::minutes(minute);
}

long long notifications_in(CloudServer& s, const std::string& tenant, const std::string& state) {
    return std::stoll(s.query_value("SELECT count(*) FROM notifications WHERE tenant_id = "
                                    "$1::uuid AND state = '" +
                                        state + "'",
                                    tenant)
                          .value_or("0"));
}

}  // namespace

TEST_CASE_METHOD(AlertsFixture,
                 "alerts: a digest channel gets one message for several alerts at its hour",
                 "[alerts][integration]") {
    TempDir dir;
    Sink smtp(dir.path, {"smtp"});
    const auto digest = add_channel(
        s, t.token,
        R"({"kind":"email","address":"boss@example.ru","language":"ru","digest":true,"digest_hour":7})");
    const auto instant = add_channel(s, t.token, R"({"kind":"email","address":"ops@example.com"})");
    update_rule(s, t.token, rule_of(s, t.token, "supply_low"), "supply_low", 10, 0,
                {digest, instant});

    // Two devices low before the digest hour: the instant channel hears each, the digest
    // channel nothing yet.
    const auto t0 = utc_at(1, 5, 0);
    REQUIRE(ingest({{0, t0, 6}, {1, t0 + 5min, 4}}).status == 200);
    auto r = evaluate(t0 + 10min);
    CHECK(r.opened == 2);
    CHECK(r.notifications == 2);
    CHECK(scalar(s, "SELECT count(*) FROM notifications WHERE channel_id = $1::uuid", digest) == 0);
    r = evaluate(utc_at(1, 6, 59));
    CHECK(r.notifications == 0);

    // The hour comes: one digest; later evaluations that day add none.
    r = evaluate(utc_at(1, 7, 1));
    CHECK(r.notifications == 1);
    r = evaluate(utc_at(1, 7, 30));
    CHECK(r.notifications == 0);
    r = evaluate(utc_at(1, 23, 0));
    CHECK(r.notifications == 0);
    CHECK(scalar(s,
                 "SELECT count(*) FROM notifications WHERE channel_id = $1::uuid AND event = "
                 "'digest' AND state = 'queued'",
                 digest) == 1);

    auto config = sender_config();
    config.smtp_url = "smtp://127.0.0.1:" + std::to_string(smtp.port);
    alerts::Sender sender(s.database().conninfo(), s.secret_key(), config);
    CHECK(sender.run_once() == 3);
    CHECK(sender.run_once() == 0);
    int digests = 0;
    for (const auto& m : smtp.mails()) {
        if (std::string(m["rcpt"][0].GetString()) != "boss@example.ru") continue;
        ++digests;
        const std::string subject = str(m, "subject");
        const std::string body = str(m, "body");
        CHECK(subject.find("Сводка оповещений") != std::string::npos);
        CHECK(subject.find(": 2") != std::string::npos);
        // One line per alert, both devices.
        std::size_t lines = 0;
        for (std::size_t at = body.find("\n- "); at != std::string::npos;
             at = body.find("\n- ", at + 1)) {
            ++lines;
        }
        CHECK(lines == 2);
        const auto& golden = golden_batch();
        CHECK(body.find(golden.devices[0].identity.serial) != std::string::npos);
        CHECK(body.find(golden.devices[1].identity.serial) != std::string::npos);
    }
    CHECK(digests == 1);

    // The next day at its hour: a digest again (the alerts are still open), once.
    r = evaluate(utc_at(0, 7, 2));
    CHECK(r.notifications == 1);
    r = evaluate(utc_at(0, 9, 0));
    CHECK(r.notifications == 0);
    CHECK(scalar(s,
                 "SELECT count(*) FROM notifications WHERE channel_id = $1::uuid AND event = "
                 "'digest'",
                 digest) == 2);
}

TEST_CASE_METHOD(AlertsFixture,
                 "alerts: a channel's hourly limit suppresses the rest, then lets messages through",
                 "[alerts][integration]") {
    const auto mail =
        add_channel(s, t.token, R"({"kind":"email","address":"ops@example.com","max_per_hour":2})");
    // Repeat period 0: only the hourly limit holds the messages back.
    update_rule(s, t.token, rule_of(s, t.token, "supply_low"), "supply_low", 10, 0, {mail});
    const auto t0 = SysClock::now() - 3h;
    int queued = 0, suppressed = 0;
    const auto step = [&](int level, SysClock::time_point at) {
        REQUIRE(ingest({{0, at, level}}).status == 200);
        const auto r = evaluate(at + 1min);
        queued += r.notifications;
        suppressed += r.suppressed;
    };
    step(5, t0);           // opened: 1st of the hour
    step(50, t0 + 5min);   // resolved: 2nd
    step(5, t0 + 10min);   // opened: over the limit -> suppressed
    step(50, t0 + 15min);  // resolved: its opening was never told -> nothing at all
    step(5, t0 + 20min);   // opened: suppressed
    CHECK(queued == 2);
    CHECK(suppressed == 2);
    CHECK(scalar(s,
                 "SELECT count(*) FROM notifications WHERE channel_id = $1::uuid AND state = "
                 "'suppressed' AND last_error LIKE '%hourly limit%'",
                 mail) == 2);
    // An hour after the first two, the budget is back.
    step(50, t0 + 70min);  // resolved: its opening (t0+20) was suppressed -> nothing
    step(5, t0 + 75min);   // opened: 1 of the new hour
    CHECK(queued == 3);
    CHECK(notifications_in(s, t.id, "queued") == 3);
    const auto log = call(s, "GET", "/api/v1/alerting/deliveries?state=suppressed", t.token);
    CHECK(log["total"].GetInt64() == 2);
}

TEST_CASE_METHOD(AlertsFixture,
                 "alerts: webhooks to loopback are refused unless the config allows them",
                 "[alerts][integration]") {
    TempDir dir;
    std::string secret;
    const auto hook =
        add_channel(s, t.token, R"({"kind":"webhook","address":"http://127.0.0.1:1/"})", &secret);
    { std::ofstream(dir.path / "secret") << secret; }
    Sink receiver(dir.path, {"webhook", (dir.path / "secret").string()});
    // By name too: the check is on the address connected to, not on the URL's text.
    call(s, "PUT", "/api/v1/alerting/channels/" + hook, t.token,
         fmt::format(R"({{"address":"http://localhost:{}/hook"}})", receiver.port));
    update_rule(s, t.token, rule_of(s, t.token, "supply_low"), "supply_low", 10, 0, {hook});
    const auto t0 = SysClock::now() - 1h;
    REQUIRE(ingest({{0, t0, 5}}).status == 200);
    REQUIRE(evaluate(t0 + 1min).notifications == 1);

    auto refusing = sender_config();
    refusing.allow_private_webhooks = false;  // the default
    alerts::Sender sender(s.database().conninfo(), s.secret_key(), refusing);
    CHECK(sender.run_once() == 1);
    CHECK(sender.run_once() == 0);  // final: not retried
    CHECK(receiver.requests().empty());
    const auto failed = call(s, "GET", "/api/v1/alerting/deliveries?state=failed", t.token);
    REQUIRE(failed["total"].GetInt64() == 1);
    CHECK(failed["items"][0]["attempts"].GetInt() == 1);
    CHECK(std::string(failed["items"][0]["log"][0]["outcome"].GetString()) == "failed");
    CHECK(std::string(failed["items"][0]["last_error"].GetString()).find("private or loopback") !=
          std::string::npos);

    // The single call refuses the literal address too; allowed, the same call is delivered.
    const std::atomic<bool> stop{false};
    const auto url = fmt::format("http://127.0.0.1:{}/hook", receiver.port);
    auto d = alerts::post_webhook(refusing, url, secret, proto::new_uuid(), R"({"event":"test"})",
                                  SysClock::now(), stop);
    CHECK(d.outcome == alerts::Delivery::Outcome::failed);
    CHECK(receiver.requests().empty());
    d = alerts::post_webhook(sender_config(), url, secret, proto::new_uuid(), R"({"event":"test"})",
                             SysClock::now(), stop);
    CHECK(d.outcome == alerts::Delivery::Outcome::sent);
    REQUIRE(receiver.requests().size() == 1);
    CHECK(receiver.requests()[0]["verified"].GetBool());
}

TEST_CASE_METHOD(AlertsFixture,
                 "alerts API: test message of a channel, severity filter, acknowledged and snoozed",
                 "[alerts][integration]") {
    auto other = make_tenant(s, "Other", "branch-9");
    TempDir dir;
    Sink smtp(dir.path, {"smtp"});
    const auto ru =
        add_channel(s, t.token, R"({"kind":"email","address":"it@example.ru","language":"ru"})");
    const auto queued =
        call(s, "POST", "/api/v1/alerting/channels/" + ru + "/test", t.token, "", 202);
    CHECK(str(queued, "state") == "queued");
    call(s, "POST", "/api/v1/alerting/channels/" + ru + "/test", other.token, "", 404);
    call(s, "POST", "/api/v1/alerting/channels/not-a-uuid/test", t.token, "", 404);
    auto config = sender_config();
    config.smtp_url = "smtp://127.0.0.1:" + std::to_string(smtp.port);
    alerts::Sender sender(s.database().conninfo(), s.secret_key(), config);
    CHECK(sender.run_once() == 1);
    const auto mails = smtp.mails();
    REQUIRE(mails.size() == 1);
    CHECK(str(mails[0], "subject").find("Проверка канала") != std::string::npos);
    CHECK(str(mails[0], "idempotency_key") == str(queued, "notification_id"));
    const auto log = call(s, "GET", "/api/v1/alerting/deliveries?state=sent", t.token);
    REQUIRE(log["total"].GetInt64() == 1);
    CHECK(str(log["items"][0], "event") == "test");

    // Two alerts of different severities: a jam (critical) and low toner (warning).
    update_rule(s, t.token, rule_of(s, t.token, "device_error"), "device_error", 0, 60, {});
    const auto t0 = SysClock::now() - 1h;
    REQUIRE(ingest({{0, t0, 5}, {1, t0, 50, {"jammed"}}}).status == 200);
    evaluate(t0 + 1min);
    const auto all = list_alerts(s, t.token, "");
    REQUIRE(all.size() == 2);
    const auto critical = list_alerts(s, t.token, "?severity=critical");
    REQUIRE(critical.size() == 1);
    CHECK(str(critical[0], "kind") == "device_error");
    CHECK(list_alerts(s, t.token, "?severity=warning").size() == 1);
    call(s, "GET", "/api/v1/alerting/alerts?severity=fatal", t.token, "", 400);
    CHECK(list_alerts(s, t.token, "?state=acknowledged").empty());
    const auto id = str(critical[0], "alert_id");
    call(s, "POST", "/api/v1/alerting/alerts/" + id + "/acknowledge", t.token);
    const auto acked = list_alerts(s, t.token, "?state=acknowledged");
    REQUIRE(acked.size() == 1);
    CHECK(str(acked[0], "alert_id") == id);
    CHECK(list_alerts(s, t.token, "").size() == 2);  // still open
    const auto other_id = str(list_alerts(s, t.token, "?severity=warning")[0], "alert_id");
    call(s, "POST", "/api/v1/alerting/alerts/" + other_id + "/snooze", t.token,
         R"({"minutes":60})");
    const auto snoozed = list_alerts(s, t.token, "?state=snoozed");
    REQUIRE(snoozed.size() == 1);
    CHECK(str(snoozed[0], "alert_id") == other_id);
    call(s, "POST", "/api/v1/alerting/alerts/" + other_id + "/snooze", t.token, R"({"minutes":0})");
    CHECK(list_alerts(s, t.token, "?state=snoozed").empty());
}

TEST_CASE(
    "alerts: `printmon-cloud-api serve` killed with SIGKILL mid-delivery; after a restart every "
    "notification arrives once",
    "[alerts][integration][restart]") {
    CloudServer s;  // setup only: its own sender is off
    auto t = make_tenant(s, "IT", "branch-1");
    TempDir dir;
    std::string secret;
    const auto hook =
        add_channel(s, t.token, R"({"kind":"webhook","address":"http://127.0.0.1:1/"})", &secret);
    { std::ofstream(dir.path / "secret") << secret; }
    Sink receiver(dir.path, {"webhook", (dir.path / "secret").string(), "--hang-first", "1"});
    call(s, "PUT", "/api/v1/alerting/channels/" + hook, t.token,
         fmt::format(R"({{"address":"http://127.0.0.1:{}/"}})", receiver.port));
    update_rule(s, t.token, rule_of(s, t.token, "supply_low"), "supply_low", 10, 0, {hook});
    auto conn = s.database().connect();
    alerts::prepare_statements(conn.raw());
    const auto t0 = SysClock::now() - 1h;
    REQUIRE(s.ingest(t.key, batch_of("branch-1", {{0, t0, 5}, {1, t0, 3}})).status == 200);
    REQUIRE(alerts::evaluate(conn.raw(), t.id, t0 + 1min).notifications == 2);
    std::set<std::string> ids;
    {
        pqxx::work tx(conn.raw());
        for (const auto& row :
             tx.exec_params("SELECT notification_id::text FROM notifications WHERE tenant_id = "
                            "$1::uuid",
                            t.id)) {
            ids.insert(row[0].as<std::string>());
        }
    }
    REQUIRE(ids.size() == 2);

    // The real executable, plain HTTP on a port of the OS's choosing (nobody calls it): only its
    // sender matters here. A short lease so the restart takes the message back soon.
    const auto config = dir.path / "cloud-api.toml";
    std::ofstream(config)
        << "[log]\nlevel = \"info\"\n[server]\ntls = false\naddress = \"127.0.0.1\"\n"
        << "port = 0\n[database]\nconninfo = \"" << s.database().conninfo()
        << "\"\n[secrets]\nkey_file = \"" << s.secret_key_file() << "\"\n"
        << "[notify]\nallow_private_webhooks = true\nlease_s = 3\n"
        << "poll_interval_ms = 100\ntimeout_ms = 20000\n"
        << "evaluate_interval_s = 3600\n";
    const auto start = [&](const std::string& log) {
        const pid_t pid =
            printmon::test::spawn({PRINTMON_CLOUD_API_BIN, "--config", config.string(), "serve"},
                                  {dir.path / log, true, true, {}});
        REQUIRE(pid > 0);
        return pid;
    };
    const auto count_state = [&](const char* state) { return notifications_in(s, t.id, state); };
    const auto hung = [&] { return fs::exists(dir.path / "hung.jsonl"); };

    const pid_t first = start("first.log");
    for (int i = 0; i < 200 && !hung(); ++i) std::this_thread::sleep_for(50ms);  // bounded: 10 s
    REQUIRE(hung());  // the first message is at the receiver, unanswered
    CHECK(count_state("sent") == 0);
    REQUIRE(kill(first, SIGKILL) == 0);
    int status = 0;
    REQUIRE(waitpid(first, &status, 0) == first);
    CHECK(WIFSIGNALED(status));
    CHECK(count_state("sending") >= 1);  // claimed and never finished: the lease holds it

    const pid_t second = start("second.log");
    for (int i = 0; i < 300 && count_state("sent") < 2; ++i) {
        std::this_thread::sleep_for(100ms);  // bounded: 30 s (lease 3 s, then delivery)
    }
    kill(second, SIGTERM);
    waitpid(second, &status, 0);
    CHECK(count_state("sent") == 2);
    CHECK(count_state("sending") == 0);

    // At the receiver: each notification accepted exactly once, by its idempotency key.
    std::map<std::string, int> accepted;
    for (const auto& q : receiver.requests()) {
        CHECK(q["verified"].GetBool());
        if (q["status"].GetInt() == 200 && !q["duplicate"].GetBool())
            ++accepted[q["key"].GetString()];
    }
    CHECK(accepted.size() == 2);
    for (const auto& [key, n] : accepted) {
        CHECK(ids.count(key) == 1);
        CHECK(n == 1);
    }
    int duplicates = 0;
    for (const auto& q : receiver.requests()) duplicates += q["duplicate"].GetBool() ? 1 : 0;
    CHECK(duplicates == 0);
}

TEST_CASE_METHOD(
    AlertsFixture,
    "alerts: a supply forecast empty within the rule's days opens an alert, a cartridge change "
    "resolves it; messages say why",
    "[alerts][integration]") {
    TempDir dir;
    Sink smtp(dir.path, {"smtp"});
    const auto en = add_channel(s, t.token, R"({"kind":"email","address":"ops@example.com"})");
    const auto ru =
        add_channel(s, t.token, R"({"kind":"email","address":"it@example.ru","language":"ru"})");
    // The day-one rule (10 %) with the forecast condition of 7 days, and a second rule of 2 days.
    const auto week = rule_of(s, t.token, "supply_low");
    const auto rule = call(s, "PUT", "/api/v1/alerting/rules/" + week, t.token,
                           fmt::format(R"({{"name":"Toner for a week","kind":"supply_low",)"
                                       R"("threshold":10,"forecast_days":7,"repeat_minutes":0,)"
                                       R"("channel_ids":["{}","{}"]}})",
                                       en, ru));
    CHECK(rule["forecast_days"].GetInt() == 7);
    const auto two_days = str(call(s, "POST", "/api/v1/alerting/rules", t.token,
                                   R"({"name":"Toner for two days","kind":"supply_low",)"
                                   R"("threshold":10,"forecast_days":2})",
                                   201),
                              "rule_id");

    // Black toner falling 40 points in 3 days, read every 3 hours: at 40 % now, it is empty in
    // about 3 days (the level-step forecast; 4.5 days hold no whole week of page counts).
    const auto t0 = SysClock::now() - 5 * 24h;
    std::vector<Snap> history;
    for (int k = 0; k <= 36; ++k) {
        const int level = static_cast<int>(std::lround(100 - 60.0 * k / 36));
        history.emplace_back(0, t0 + std::chrono::hours(3 * k), level);
    }
    const auto last = t0 + 36 * 3h;
    REQUIRE(ingest(history).status == 200);
    auto r = evaluate(last + 1min);
    CHECK(r.opened == 1);
    auto open = list_alerts(s, t.token, "?state=open");
    REQUIRE(open.size() == 1);
    CHECK(str(open[0], "rule_id") == week);  // 3 days is within 7, not within 2
    CHECK(str(open[0], "subject") == "supply:toner/black/Black Toner");
    CHECK(open[0]["value"].GetInt64() == 40);
    REQUIRE(open[0]["forecast_days"].IsNumber());
    const double days = open[0]["forecast_days"].GetDouble();
    CHECK(days > 2.0);
    CHECK(days < 4.0);
    // One definition: the device answer's forecast is the one the rule compared.
    const auto device = str(open[0], "device_id");
    const auto answer = call(s, "GET", "/api/v1/devices/" + device, t.token);
    CHECK(answer["supplies"][0]["forecast"]["days_to_empty"].GetDouble() == Approx(days));
    CHECK(list_alerts(s, t.token, "?state=all").size() == 1);
    CHECK(list_alerts(s, t.token, "?state=all&kind=supply_low").size() == 1);
    CHECK(str(call(s, "GET", "/api/v1/alerting/rules/" + two_days, t.token), "rule_id") ==
          two_days);

    // The same state again: nothing changes (the forecast is of the last reading's time).
    r = evaluate(last + 2min);
    CHECK(r.opened + r.updated + r.resolved == 0);

    // A new cartridge: too young for a forecast ("not enough data" never holds) and far above
    // 10 %, so the alert resolves by itself.
    REQUIRE(ingest({{0, last + 1h, 100}}).status == 200);
    r = evaluate(last + 1h + 1min);
    CHECK(r.resolved == 1);
    CHECK(list_alerts(s, t.token, "?state=open").empty());

    auto config = mail_config(smtp.port);
    alerts::Sender sender(s.database().conninfo(), s.secret_key(), config);
    CHECK(sender.run_once() == 4);  // opened and resolved, in en and ru
    int told_why = 0;
    for (const auto& m : smtp.mails()) {
        const std::string body = str(m, "body");
        const std::string subject = str(m, "subject");
        if (subject.find("Resolved") != std::string::npos ||
            subject.find("Устранено") != std::string::npos) {
            continue;
        }
        if (std::string(m["rcpt"][0].GetString()) == "it@example.ru") {
            CHECK(body.find("Причина: по прогнозу закончится через") != std::string::npos);
            CHECK(body.find("в пределах 7 дн.") != std::string::npos);
        } else {
            CHECK(body.find("Why: forecast empty in") != std::string::npos);
            CHECK(body.find("within the rule's 7 days") != std::string::npos);
            CHECK(body.find("level 40 %") == std::string::npos);  // the level did not fire it
        }
        ++told_why;
    }
    CHECK(told_why == 2);
}

TEST_CASE_METHOD(
    AlertsFixture,
    "alerts: a silent branch with equal hours raises one scanner alert, no device alerts "
    "flapping open and resolved",
    "[alerts][integration]") {
    const auto mail = add_channel(s, t.token, R"({"kind":"email","address":"ops@example.com"})");
    // Both rules at 24 hours, both telling the same channel.
    update_rule(s, t.token, rule_of(s, t.token, "device_silent"), "device_silent", 24, 0, {mail});
    update_rule(s, t.token, rule_of(s, t.token, "scanner_silent"), "scanner_silent", 24, 0, {mail});
    // The branch polls its printers every 5 minutes, device 0 two minutes before device 1 in
    // each round, then goes silent: its devices' last answers are a little older than the
    // scanner's last upload (last_seen_at), and not equal to each other.
    const auto now = SysClock::now();
    std::vector<Snap> rounds;
    for (int k = 6; k >= 0; --k) {
        rounds.emplace_back(0, now - 3min - k * 5min, 50);
        rounds.emplace_back(1, now - 1min - k * 5min, 50);
    }
    REQUIRE(ingest(rounds).status == 200);
    // Before, inside and after the gap between the devices' 24 hours and the scanner's.
    int queued = 0;
    for (const auto at : {now + 23h, now + 24h - 2min, now + 24h - 30s, now + 24h, now + 24h + 2min,
                          now + 30h, now + 48h, now + 24h * 7}) {
        const auto r = evaluate(at);
        queued += r.notifications;
        std::multiset<std::string> kinds;
        for (const auto& a : list_alerts(s, t.token, "")) kinds.insert(str(a, "kind"));
        INFO("evaluated at now + "
             << std::chrono::duration_cast<std::chrono::seconds>(at - now).count() << " s");
        CHECK(kinds.count("device_silent") == 0);
        CHECK(kinds.count("scanner_silent") == (at >= now + 24h + 2min ? 1U : 0U));
    }
    // Never opened, not even for one evaluation: no trace, no message.
    CHECK(scalar(s,
                 "SELECT count(*) FROM alerts WHERE tenant_id = $1::uuid "
                 "AND kind = 'device_silent'",
                 t.id) == 0);
    CHECK(queued == 1);  // the scanner's opening

    // The branch comes back: the scanner's alert resolves, still no device alert.
    const auto back = SysClock::now();
    REQUIRE(ingest({{0, back, 50}, {1, back, 50}}).status == 200);
    const auto r = evaluate(back + 1min);
    CHECK(r.resolved == 1);
    CHECK(r.opened == 0);
    CHECK(list_alerts(s, t.token, "").empty());
}

TEST_CASE("the rules every tenant starts with are named in Russian in Russian messages",
          "[cloud][alerts]") {
    CloudServer s;
    const auto tenant = s.create_tenant("Ромашка");
    std::vector<std::string> names;
    {
        auto c = s.database().connect();
        pqxx::work tx(c.raw());
        for (const auto& row : tx.exec_params(
                 "SELECT name FROM alert_rules WHERE tenant_id = $1::uuid ORDER BY name", tenant)) {
            names.push_back(row[0].as<std::string>());
        }
    }
    REQUIRE(names.size() == 5);
    for (const auto& name : names) {
        INFO(name);
        const auto russian = alerts::rule_title(name, "ru");
        CHECK(russian != name);  // every seeded name has its Russian title (V0011 and render.cpp)
        CHECK(alerts::rule_title(name, "en") == name);
    }
    CHECK(alerts::rule_title("Тонер на исходе", "ru") == "Тонер на исходе");  // a tenant's own

    alerts::AlertView a;
    a.rule_name = "Supply at or below 10 %";
    a.kind = "supply_low";
    a.severity = "warning";
    a.vendor = "Kyocera";
    a.model = "ECOSYS M2540dn";
    const auto mail = alerts::render_email(a, "opened", "ru");
    CHECK(mail.body.find("Правило: Остаток расходника 10 % или меньше\n") != std::string::npos);
    CHECK(alerts::render_email(a, "opened", "en").body.find("Rule: Supply at or below 10 %\n") !=
          std::string::npos);
}

TEST_CASE("a supply alert without a level says the device's own word: low or empty",
          "[cloud][alerts]") {
    // The conditions open a supply without a percentage as critical when the device says empty
    // and as a warning when it says low (engine.cpp); the reason follows the severity.
    alerts::AlertView a;
    a.kind = "supply_low";
    a.rule_threshold = 10;
    a.severity = "warning";
    CHECK(alerts::supply_reason(a, "en") == "the device reports it low");
    CHECK(alerts::supply_reason(a, "ru") == "устройство сообщает, что материал заканчивается");
    a.severity = "critical";
    CHECK(alerts::supply_reason(a, "en") == "the device reports it empty");
    CHECK(alerts::supply_reason(a, "ru") == "устройство сообщает, что материал закончился");
    // With a level, the level and the rule's percent; a forecast alone, only the forecast.
    a.value = 7;
    CHECK(alerts::supply_reason(a, "en") == "level 7 % is at or below the rule's 10 %");
    a.value = 40;
    a.forecast_days = 3;
    a.rule_forecast_days = 7;
    CHECK(alerts::supply_reason(a, "en") == "forecast empty in 3 days, within the rule's 7 days");
    a.value.reset();
    CHECK(alerts::supply_reason(a, "en") == "forecast empty in 3 days, within the rule's 7 days");
}

TEST_CASE("Telegram: chat ids, bot tokens, the message text and what the Bot API's answers mean",
          "[alerts][unit][telegram]") {
    for (const char* ok : {"123456789", "-1001234567890", "-1009999999999999", "-4012345",
                           "@printmon_alerts", "@Office5"}) {
        CHECK(alerts::valid_telegram_chat(ok));
    }
    for (const char* bad :
         {"", "-", "12", "0123456", "-0123", "12 34", "+123456", "@abc", "@1office", "@office-5",
          "@", "123456789012345678901", "12345678901234567", "-10012345678901234",
          "99999999999999999999", "@a234567890123456789012345678901234"}) {
        INFO(bad);
        CHECK_FALSE(alerts::valid_telegram_chat(bad));
    }
    const std::string key = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";  // @BotFather's shape
    CHECK(alerts::valid_telegram_token("123456789:" + key));
    CHECK(alerts::valid_telegram_token("123456789:" + key + "-_x"));
    for (const std::string& bad :
         {std::string(), key, ":" + key, "12:" + key, "123456789:" + key.substr(0, 20),
          "12a456789:" + key, "123456789:" + key + "/../getMe", "123456789:" + key + "?x=1",
          "123456789:" + key + " ", "123456789:" + key + ":x"}) {
        INFO(bad);
        CHECK_FALSE(alerts::valid_telegram_token(bad));
    }

    CHECK(alerts::telegram_text("Subject", "Body") == "Subject\n\nBody");
    CHECK(alerts::telegram_text("", "Body") == "Body");
    // Longer than 4096: cut to at most 4095 units and an ellipsis; a 4-byte character counts
    // as two units and is never split.
    const std::string ya = "\xd1\x8f";             // я, one unit
    const std::string smile = "\xf0\x9f\x98\x80";  // 😀, two units
    const std::string ellipsis = "\xe2\x80\xa6";
    const auto times = [](const std::string& c, int n) {
        std::string out;
        for (int i = 0; i < n; ++i) out += c;
        return out;
    };
    CHECK(alerts::telegram_text("", times(ya, 4096)) == times(ya, 4096));
    CHECK(alerts::telegram_text("", times(ya, 4097)) == times(ya, 4095) + ellipsis);
    CHECK(alerts::telegram_text("", times(ya, 4094) + smile) == times(ya, 4094) + smile);
    CHECK(alerts::telegram_text("", times(ya, 4093) + smile + ya) ==
          times(ya, 4093) + smile + ya);  // 4096 units: whole
    // 4094 + 2 + 1 units: the smile would end at 4096, past the room left for the ellipsis.
    CHECK(alerts::telegram_text("", times(ya, 4094) + smile + ya) == times(ya, 4094) + ellipsis);
    // Subject, blank line, one long line of body: the last line ending is too early (before
    // half of what fits), cut within the line.
    CHECK(alerts::telegram_text(times(ya, 1000), times(ya, 5000)) ==
          times(ya, 1000) + "\n\n" + times(ya, 3093) + ellipsis);
    // A list (a digest): cut after its last whole line that fits.
    std::string list;
    for (int i = 0; i < 100; ++i) list += "- " + times(ya, 60) + "\n";  // 63 units a line
    std::string first64;  // "Сводка", blank line: 8 units; 64 lines of 63: 4040 of 4095
    for (int i = 0; i < 64; ++i) first64 += "- " + times(ya, 60) + "\n";
    CHECK(alerts::telegram_text("Сводка", list) == "Сводка\n\n" + first64 + ellipsis);

    rapidjson::Document d;
    d.Parse(alerts::telegram_request("-1001234567890", "Тонер \"чёрный\"\n5 %").c_str());
    REQUIRE(d.IsObject());
    REQUIRE(d["chat_id"].IsInt64());
    CHECK(d["chat_id"].GetInt64() == -1001234567890LL);
    CHECK(std::string(d["text"].GetString()) == "Тонер \"чёрный\"\n5 %");
    CHECK(d["disable_web_page_preview"].GetBool());
    d.Parse(alerts::telegram_request("@printmon_alerts", "x").c_str());
    CHECK(std::string(d["chat_id"].GetString()) == "@printmon_alerts");

    using O = alerts::TelegramAnswer::Outcome;
    auto a = alerts::telegram_answer(200, R"({"ok":true,"result":{"message_id":1}})");
    CHECK(a.outcome == O::sent);
    a = alerts::telegram_answer(200, "<html>captive portal</html>");
    CHECK(a.outcome == O::retry);  // not the Bot API answering
    a = alerts::telegram_answer(
        429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 9",)"
             R"("parameters":{"retry_after":9}})");
    CHECK(a.outcome == O::retry);
    CHECK(a.wait == std::chrono::seconds(9));
    CHECK(a.detail == "HTTP 429: Too Many Requests: retry after 9");
    a = alerts::telegram_answer(
        400, R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})");
    CHECK(a.outcome == O::failed);
    CHECK(a.detail == "HTTP 400: Bad Request: chat not found");
    a = alerts::telegram_answer(
        403,
        R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})");
    CHECK(a.outcome == O::failed);
    a = alerts::telegram_answer(401,
                                R"({"ok":false,"error_code":401,"description":"Unauthorized"})");
    CHECK(a.outcome == O::failed);
    a = alerts::telegram_answer(404, "<html>nginx: not found</html>");  // a proxy's page
    CHECK(a.outcome == O::retry);
    CHECK(a.detail == "HTTP 404");
    // A description that is not text (not Telegram's) stays out of the delivery log.
    a = alerts::telegram_answer(400, "{\"ok\":false,\"description\":\"bad \xff\xfe bytes\"}");
    CHECK(a.detail == "HTTP 400");
    a = alerts::telegram_answer(400, R"({"ok":false,"description":"line\nbreak"})");
    CHECK(a.detail == "HTTP 400");
    // A long one is cut on a character boundary.
    std::string long_ru = R"({"ok":false,"description":")";
    for (int i = 0; i < 150; ++i) long_ru += "я";
    a = alerts::telegram_answer(400, long_ru + "\"}");
    CHECK(a.detail == "HTTP 400: " + times(ya, 100));
    a = alerts::telegram_answer(502, "");
    CHECK(a.outcome == O::retry);
    CHECK_FALSE(a.wait);
}

TEST_CASE("Telegram: the chats a getUpdates answer names, newest first, each once",
          "[alerts][unit][telegram]") {
    // Shapes from the Bot API's documentation of Update, Message and ChatMemberUpdated.
    const std::string updates = R"({"ok":true,"result":[
      {"update_id":1,"message":{"message_id":1,"date":1,"text":"hi",
        "chat":{"id":-1001234567890,"title":"Офис: печать","type":"supergroup"}}},
      {"update_id":2,"my_chat_member":{"date":2,"chat":{"id":-4001234,"title":"IT","type":"group"},
        "from":{"id":5,"is_bot":false,"first_name":"A"}}},
      {"update_id":3,"channel_post":{"message_id":2,"date":3,
        "chat":{"id":-1009876543210,"title":"Alerts","username":"acme_alerts","type":"channel"}}},
      {"update_id":4,"message":{"message_id":3,"date":4,
        "chat":{"id":12345678,"first_name":"Иван","last_name":"Петров","type":"private"}}},
      {"update_id":5,"edited_message":{"message_id":1,"date":5,
        "chat":{"id":-1001234567890,"title":"Офис: печать","type":"supergroup"}}},
      {"update_id":6,"message":{"chat":{"id":"not a number","type":"group"}}},
      {"update_id":7,"callback_query":{"id":"x"}},
      {"update_id":8,"message":{"chat":{"id":777001,"username":"petrov","type":"private"}}},
      {"update_id":9,"message":{"chat":{"id":-4005678,"title":"bad \u0001 title","type":"group"}}},
      7, "junk"]})";
    const auto chats = alerts::telegram_chats(200, updates);
    REQUIRE(chats);
    std::vector<std::string> order;
    for (const auto& c : *chats) order.push_back(c.chat_id + "|" + c.title + "|" + c.type);
    CHECK(order == std::vector<std::string>{
                       "-4005678||group",  // a title with a control character is left out
                       "777001|@petrov|private",
                       "-1001234567890|Офис: печать|supergroup",  // edited later: newest
                       "12345678|Иван Петров|private",
                       "-1009876543210|Alerts|channel",
                       "-4001234|IT|group",
                   });
    CHECK(alerts::telegram_chats(200, R"({"ok":true,"result":[]})").value().empty());
    // At most kTelegramMaxChats.
    std::string many = R"({"ok":true,"result":[)";
    for (int i = 0; i < 80; ++i) {
        many += fmt::format(R"({}{{"message":{{"chat":{{"id":-{},"type":"group"}}}}}})",
                            i ? "," : "", 1000 + i);
    }
    CHECK(alerts::telegram_chats(200, many + "]}").value().size() == alerts::kTelegramMaxChats);

    // Refusals in Telegram's words; anything else by its status.
    auto e = alerts::telegram_chats(
        409, R"({"ok":false,"error_code":409,"description":"Conflict: can't use getUpdates )"
             R"(method while webhook is active; use deleteWebhook to delete the webhook first"})");
    REQUIRE_FALSE(e);
    CHECK(e.error().rfind("HTTP 409: Conflict: can't use getUpdates", 0) == 0);
    e = alerts::telegram_chats(401,
                               R"({"ok":false,"error_code":401,"description":"Unauthorized"})");
    CHECK(e.error() == "HTTP 401: Unauthorized");
    CHECK(alerts::telegram_chats(502, "<html>Bad Gateway</html>").error() == "HTTP 502");
    CHECK(alerts::telegram_chats(200, R"({"ok":true})").error() == "HTTP 200");
    CHECK(alerts::telegram_chats(200, R"({"ok":true,"result":[)").error() == "HTTP 200");  // cut
    CHECK(alerts::telegram_updates_request().find("offset") == std::string::npos);
}

TEST_CASE_METHOD(AlertsFixture,
                 "alerts: Telegram over verified HTTPS in the channel's language; a 429 waits its "
                 "retry_after, a missing chat fails for good; the bot token is never answered",
                 "[alerts][integration][telegram]") {
    const std::string token = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    const std::string other = "7012345678:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    // Malformed channels are 400s that never repeat the token.
    const auto refused = [this](const std::string& body, const std::string& why) {
        auto r =
            s.client().request("POST", s.url("/api/v1/alerting/channels"), bearer(t.token), body);
        REQUIRE(r);
        INFO(body << " -> " << r->status << " " << r->body);
        CHECK(r->status == 400);
        CHECK(r->body.find(why) != std::string::npos);
        CHECK(r->body.find("AAHdqTcv") == std::string::npos);
    };
    refused(R"({"kind":"telegram","address":"-1001234567890"})", "bot_token: required");
    refused(R"({"kind":"telegram","address":"chat","bot_token":")" + token + "\"}", "address:");
    refused(R"({"kind":"telegram","address":"-1001234567890","bot_token":")" + token + "/x\"}",
            "bot_token: not a bot token");
    refused(R"({"kind":"email","address":"a@example.com","bot_token":")" + token + "\"}",
            "bot_token: Telegram channels only");
    refused(R"({"kind":"webhook","address":"https://hooks.example.com/x","digest":true})",
            "digest: webhooks have no digests");

    const auto created = call(s, "POST", "/api/v1/alerting/channels", t.token,
                              R"({"kind":"telegram","name":"Дежурные","language":"ru",)"
                              R"("address":"-1001234567890","bot_token":")" +
                                  token + "\"}",
                              201);
    CHECK_FALSE(created.HasMember("secret"));
    CHECK(created["secret_set"].GetBool());
    CHECK(str(created, "kind") == "telegram");
    const auto chat = str(created, "channel_id");
    const auto gone = add_channel(
        s, t.token, R"({"kind":"telegram","address":"-100404","bot_token":")" + token + "\"}");
    {
        auto r = s.client().request("GET", s.url("/api/v1/alerting/channels"), bearer(t.token), "");
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->body.find("AAHdqTcv") == std::string::npos);
    }
    // An edit without bot_token keeps the token; rotate_secret is for webhooks.
    call(s, "PUT", "/api/v1/alerting/channels/" + chat, t.token,
         R"({"name":"Дежурные","language":"ru","address":"-1001234567890"})");
    call(s, "PUT", "/api/v1/alerting/channels/" + chat, t.token,
         R"({"address":"-1001234567890","rotate_secret":true})", 400);

    update_rule(s, t.token, rule_of(s, t.token, "supply_low"), "supply_low", 10, 0, {chat, gone});
    const auto t0 = SysClock::now() - 1h;
    REQUIRE(ingest({{0, t0, 5}}).status == 200);
    REQUIRE(evaluate(t0 + 1min).notifications == 2);

    TempDir dir;
    BotApi bot(dir.path, token, {"--fail-first", "1", "--retry-after", "100"});
    const auto& pki = bot.pki;
    auto config = sender_config();
    config.telegram_api_url = bot.url() + "/";
    SysClock::time_point now = SysClock::now();

    // TLS is verified: without the test CA the Bot API is not trusted, nothing reaches it.
    {
        alerts::Sender untrusting(s.database().conninfo(), s.secret_key(), config,
                                  [&now] { return now; });
        CHECK(untrusting.run_once() == 2);
        CHECK(bot.requests().empty());
        CHECK(notifications_in(s, t.id, "queued") == 2);
        now += 121s;  // well past the failed attempt's backoff (30 s)
    }
    config.ca_file = pki.ca();
    alerts::Sender sender(s.database().conninfo(), s.secret_key(), config, [&now] { return now; });
    CHECK(sender.run_once() == 2);  // one 429 (retry_after 100), one "chat not found"
    CHECK(notifications_in(s, t.id, "failed") == 1);
    CHECK(notifications_in(s, t.id, "queued") == 1);
    now += 61s;  // past the second attempt's backoff (60 s), not Telegram's retry_after
    CHECK(sender.run_once() == 0);
    now += 40s;
    CHECK(sender.run_once() == 1);
    CHECK(notifications_in(s, t.id, "sent") == 1);

    const auto requests = bot.requests();
    REQUIRE(requests.size() == 3);
    int delivered = 0;
    for (const auto& q : requests) {
        CHECK(q["token_ok"].GetBool());
        CHECK(std::string(q["content_type"].GetString()) == "application/json");
        CHECK(q["no_preview"].GetBool());
        if (q["status"].GetInt() != 200) continue;
        ++delivered;
        CHECK(q["chat_id"].GetInt64() == -1001234567890LL);
        const std::string text = q["text"].GetString();
        INFO(text);
        // The e-mail's subject and body, in Russian (the channel's language).
        CHECK(text.find("\n\n") != std::string::npos);
        CHECK(text.find("Заканчивается расходный материал") != std::string::npos);
        CHECK(text.find("Black Toner") != std::string::npos);
    }
    CHECK(delivered == 1);
    const auto log = call(s, "GET", "/api/v1/alerting/deliveries?state=failed", t.token);
    REQUIRE(log["total"].GetInt64() == 1);
    CHECK(log["items"][0]["attempts"].GetInt() == 2);
    CHECK(str(log["items"][0]["log"][1], "detail") == "HTTP 400: Bad Request: chat not found");
    CHECK(s.query_value("SELECT count(*) FROM notification_attempts WHERE tenant_id = $1::uuid "
                        "AND detail LIKE '%AAHdqTcv%'",
                        t.id) == "0");

    // A channel's test message goes the same way; a new token replaces the old one.
    call(s, "PUT", "/api/v1/alerting/channels/" + chat, t.token,
         R"({"address":"-1001234567890","bot_token":")" + other + "\"}");
    call(s, "POST", "/api/v1/alerting/channels/" + chat + "/test", t.token, "", 202);
    CHECK(sender.run_once() == 1);
    CHECK(bot.requests().back()["status"].GetInt() == 401);  // the sink knows the old token
    CHECK(notifications_in(s, t.id, "failed") == 2);
    { std::ofstream(dir.path / "token") << other; }
    call(s, "POST", "/api/v1/alerting/channels/" + chat + "/test", t.token, "", 202);
    CHECK(sender.run_once() == 1);
    CHECK(bot.requests().back()["status"].GetInt() == 200);
    CHECK(bot.requests().back()["token_ok"].GetBool());

    // Through a forward proxy: a CONNECT tunnel to the Bot API's host, TLS verified inside it.
    TempDir proxy_dir;
    Sink proxy(proxy_dir.path, {"proxy"});
    auto proxied = config;
    proxied.telegram_proxy = "http://127.0.0.1:" + std::to_string(proxy.port);
    alerts::Sender via_proxy(s.database().conninfo(), s.secret_key(), proxied,
                             [&now] { return now; });
    const auto before = bot.requests().size();
    call(s, "POST", "/api/v1/alerting/channels/" + chat + "/test", t.token, "", 202);
    CHECK(via_proxy.run_once() == 1);
    REQUIRE(bot.requests().size() == before + 1);
    CHECK(bot.requests().back()["status"].GetInt() == 200);
    std::ifstream tunnels(proxy_dir.path / "proxied.jsonl");
    std::string tunnel;
    REQUIRE(std::getline(tunnels, tunnel));
    CHECK(tunnel == R"({"target": "127.0.0.1:)" + std::to_string(bot.port) + R"("})");
    CHECK_FALSE(std::getline(tunnels, tunnel));  // one message, one tunnel
}

TEST_CASE_METHOD(AlertsFixture, "alerts: a Telegram chat may take the daily digest instead",
                 "[alerts][integration][telegram]") {
    const std::string token = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    const auto digest =
        add_channel(s, t.token,
                    R"({"kind":"telegram","address":"@printmon_duty","language":"ru",)"
                    R"("digest":true,"digest_hour":7,"bot_token":")" +
                        token + "\"}");
    update_rule(s, t.token, rule_of(s, t.token, "supply_low"), "supply_low", 10, 0, {digest});
    const auto t0 = utc_at(1, 5, 0);
    REQUIRE(ingest({{0, t0, 6}, {1, t0 + 5min, 4}}).status == 200);
    CHECK(evaluate(t0 + 10min).notifications == 0);  // not its hour yet
    CHECK(evaluate(utc_at(1, 7, 1)).notifications == 1);

    TempDir dir;
    BotApi bot(dir.path, token);
    auto config = sender_config();
    config.telegram_api_url = bot.url();
    config.ca_file = bot.pki.ca();
    alerts::Sender sender(s.database().conninfo(), s.secret_key(), config);
    CHECK(sender.run_once() == 1);
    const auto requests = bot.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0]["status"].GetInt() == 200);
    CHECK(std::string(requests[0]["chat_id"].GetString()) == "@printmon_duty");
    const std::string text = requests[0]["text"].GetString();
    INFO(text);
    CHECK(text.rfind("[printmon] Сводка оповещений", 0) == 0);
    std::size_t lines = 0;
    for (auto at = text.find("\n- "); at != std::string::npos; at = text.find("\n- ", at + 1)) {
        ++lines;
    }
    CHECK(lines == 2);
    const auto& golden = golden_batch();
    CHECK(text.find(golden.devices[0].identity.serial) != std::string::npos);
    CHECK(text.find(golden.devices[1].identity.serial) != std::string::npos);
}

TEST_CASE(
    "Telegram: \"Find chats\" lists the chats the bot has seen, with the typed or the "
    "stored token; Telegram's refusals answered in its words, the token in none",
    "[alerts][integration][telegram]") {
    TempDir dir;
    const std::string token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    {
        std::ofstream(dir.path / "updates.json") << R"([
          {"update_id":10,"my_chat_member":{"date":1,"chat":{"id":-1001234567890,
            "title":"Бухгалтерия","type":"supergroup"},"from":{"id":1,"is_bot":false,"first_name":"A"}}},
          {"update_id":11,"message":{"message_id":1,"date":2,"text":"test",
            "chat":{"id":-4001234,"title":"IT","type":"group"}}}])";
    }
    BotApi bot(dir.path, token);
    const auto settings = bot.server_settings(3000ms);
    CloudServer s(settings);
    const auto t = make_tenant(s, "IT", "branch-1");
    const auto other = make_tenant(s, "Other", "branch-9");
    const auto find = [&](const std::string& who, const std::string& body, unsigned expect) {
        auto r =
            s.client().request("POST", s.url("/api/v1/alerting/telegram-chats"), bearer(who), body);
        REQUIRE(r);
        INFO(r->status << " " << r->body);
        CHECK(r->status == expect);
        CHECK(r->body.find("AAHdqTcv") == std::string::npos);  // never the token
        rapidjson::Document d;
        d.Parse(r->body.c_str());
        return d;
    };
    const auto listed = [](const rapidjson::Document& d) {
        std::vector<std::string> out;
        for (const auto& c : d["items"].GetArray()) {
            out.push_back(str(c, "chat_id") + "|" + str(c, "title") + "|" + str(c, "type"));
        }
        return out;
    };
    const std::vector<std::string> expected{"-4001234|IT|group",
                                            "-1001234567890|Бухгалтерия|supergroup"};

    // The token as typed in the form (a new channel).
    CHECK(listed(find(t.token, R"({"bot_token":")" + token + "\"}", 200)) == expected);
    // The stored one of a channel being edited (sealed; opened on the server).
    const auto chat = add_channel(
        s, t.token, R"({"kind":"telegram","address":"-4001234","bot_token":")" + token + "\"}");
    CHECK(listed(find(t.token, R"({"channel_id":")" + chat + "\"}", 200)) == expected);
    // Another tenant cannot use it; a webhook or an unknown id is no Telegram channel.
    find(other.token, R"({"channel_id":")" + chat + "\"}", 404);
    const auto hook =
        add_channel(s, t.token, R"({"kind":"webhook","address":"https://hooks.example.com/x"})");
    find(t.token, R"({"channel_id":")" + hook + "\"}", 404);
    find(t.token, R"({"channel_id":"nope"})", 404);
    find(t.token, R"({})", 400);
    find(t.token, R"({"bot_token":"123:short"})", 400);
    // Viewers do not: the token is an admin's business.
    call(s, "POST", "/api/v1/users?tenant=" + t.id, kAdminToken,
         R"({"email":"viewer@example.com","role":"viewer","password":"correct horse battery"})",
         201);
    const auto session = call(s, "POST", "/api/v1/auth/login", "",
                              R"({"tenant_id":")" + t.id +
                                  R"(","email":"viewer@example.com",)"
                                  R"("password":"correct horse battery"})");
    find(str(session, "token"), R"({"bot_token":")" + token + "\"}", 403);

    // Telegram's refusals, in its words: a token it does not know, a bot with a webhook set.
    auto refused =
        find(t.token, R"({"bot_token":"987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDxyz"})", 502);
    CHECK(str(refused["error"], "code") == "telegram_refused");
    CHECK(str(refused["error"], "message") == "Telegram: HTTP 401: Unauthorized");
    { std::ofstream(dir.path / "webhook-set") << "1"; }
    refused = find(t.token, R"({"bot_token":")" + token + "\"}", 502);
    CHECK(str(refused["error"], "message").find("webhook is active") != std::string::npos);
    fs::remove(dir.path / "webhook-set");

    // Every call confirmed nothing: the bot's pending updates stay for whatever else reads them.
    int calls = 0;
    std::ifstream log(dir.path / "requests.jsonl");
    for (std::string line; std::getline(log, line);) {
        rapidjson::Document d;
        d.Parse(line.c_str());
        if (str(d, "method") != "getUpdates") continue;
        ++calls;
        CHECK(d["offset"].IsNull());
    }
    CHECK(calls == 4);  // the refusals of ours (viewer, bad ids) never reached Telegram

    // No answer at all (nothing listens there): unreachable, not refused.
    ServerSettings dead = settings;
    dead.conninfo = s.database().conninfo();
    dead.notify.telegram_api_url = "https://127.0.0.1:1";  // refused at once
    CloudServer nowhere(dead);
    auto r = nowhere.client().request("POST", nowhere.url("/api/v1/alerting/telegram-chats"),
                                      bearer(t.token), R"({"bot_token":")" + token + "\"}");
    REQUIRE(r);
    CHECK(r->status == 502);
    CHECK(r->body.find("telegram_unreachable") != std::string::npos);
    CHECK(r->body.find("AAHdqTcv") == std::string::npos);
}

TEST_CASE(
    "channel secrets: sealed at rest and bound to their channel; older plain rows sealed at "
    "start; a replica with another key refuses to start; a lost key's channels are flagged",
    "[alerts][secrets][integration]") {
    TempDir dir;
    ServerSettings first_settings;
    first_settings.secret_key_file = (dir.path / "a.key").string();
    CloudServer s(first_settings);
    const auto key_a = s.secret_key()->current();
    const auto t = make_tenant(s, "IT", "branch-1");
    const std::string token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    std::string whsec;
    Sink receiver(dir.path, {"webhook", (dir.path / "secret").string()});
    const auto hook = add_channel(
        s, t.token,
        fmt::format(R"({{"kind":"webhook","address":"http://127.0.0.1:{}/"}})", receiver.port),
        &whsec);
    { std::ofstream(dir.path / "secret") << whsec; }
    const auto chat = add_channel(
        s, t.token,
        R"({"kind":"telegram","address":"-1001234567890","bot_token":")" + token + "\"}");

    struct Row {
        std::string secret, scheme, key_id;
    };
    const auto row_of = [&](const std::string& channel) {
        auto conn = s.database().connect();
        pqxx::read_transaction tx(conn.raw());
        const auto r = tx.exec_params1(
            "SELECT secret, secret_scheme, secret_key_id FROM notification_channels "
            "WHERE tenant_id = $1::uuid AND channel_id = $2::uuid",
            t.id, channel);
        return Row{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>()};
    };
    const auto opened = [&](const crypto::SecretKey& key, const std::string& channel) {
        const auto r = row_of(channel);
        return storage::open_channel_secret(key, t.id, channel, {r.secret, r.scheme, r.key_id});
    };
    const auto unreadable = [&](const std::string& channel) {
        return call(s, "GET", "/api/v1/alerting/channels/" + channel, t.token)["secret_unreadable"]
            .GetBool();
    };
    const auto dump = [&] {
        return s
            .query_value(
                "SELECT string_agg(secret || ' ' || name || ' ' || address, '|') FROM "
                "notification_channels WHERE tenant_id = $1::uuid",
                t.id)
            .value_or("");
    };

    // What a dump of the table shows: neither the webhook secret nor the bot token.
    REQUIRE(whsec.rfind("whsec_", 0) == 0);
    CHECK(dump().find(whsec.substr(6)) == std::string::npos);
    CHECK(dump().find("AAHdqTcv") == std::string::npos);
    for (const auto& c : {hook, chat}) {
        CHECK(row_of(c).scheme == "aes-256-gcm");
        CHECK(row_of(c).key_id == key_a->id());
    }
    CHECK(opened(*key_a, hook).value_or("") == whsec);
    CHECK(opened(*key_a, chat).value_or("") == token);
    // Bound to its row: the webhook's ciphertext does not open as the Telegram channel's.
    const auto h = row_of(hook);
    const auto swapped =
        storage::open_channel_secret(*key_a, t.id, chat, {h.secret, h.scheme, h.key_id});
    REQUIRE_FALSE(swapped);
    CHECK(swapped.error().find("cannot be opened") != std::string::npos);

    // The sender opens the sealed secret and signs with it.
    auto config = sender_config();
    call(s, "POST", "/api/v1/alerting/channels/" + hook + "/test", t.token, "", 202);
    SysClock::time_point now = SysClock::now() + 1s;
    {
        alerts::Sender sender(s.database().conninfo(), s.secret_key(), config,
                              [&now] { return now; });
        CHECK(sender.run_once() == 1);
    }
    CHECK(notifications_in(s, t.id, "sent") == 1);

    // A row from before V0024 (plain text) is sealed when a cloud-api starts.
    const auto set_plain = [&](const std::string& channel, const std::string& value) {
        auto conn = s.database().connect();
        pqxx::work tx(conn.raw());
        tx.exec_params0(
            "UPDATE notification_channels SET secret = $3, secret_scheme = 'plain', "
            "secret_key_id = '' WHERE tenant_id = $1::uuid AND channel_id = $2::uuid",
            t.id, channel, value);
        tx.commit();
    };
    set_plain(hook, "whsec_from_before_v24");
    CHECK_FALSE(unreadable(hook));
    ServerSettings same = first_settings;
    same.conninfo = s.database().conninfo();
    { CloudServer replica(same); }
    CHECK(row_of(hook).scheme == "aes-256-gcm");
    CHECK(dump().find("whsec_from_before_v24") == std::string::npos);
    CHECK(opened(*key_a, hook).value_or("") == "whsec_from_before_v24");

    // Another key file on the same database: refused before it seals or serves anything.
    set_plain(hook, "whsec_plain_again");
    ServerSettings other = same;
    other.secret_key_file = (dir.path / "b.key").string();
    try {
        CloudServer refused(other);
        FAIL("a cloud-api with another key file started");
    } catch (const storage::SecretKeyMismatch& e) {
        const std::string why = e.what();
        CHECK(why.find(key_a->id()) != std::string::npos);
        CHECK(why.find("forget-key") != std::string::npos);
    }
    CHECK(row_of(hook).scheme == "plain");  // the refused replica sealed nothing
    CHECK(row_of(chat).key_id == key_a->id());
    { CloudServer replica(same); }  // sealed again by a replica with the right key
    CHECK(opened(*key_a, hook).value_or("") == "whsec_plain_again");

    // The key file is lost: `secrets forget-key` makes another one the database's. The two
    // channels sealed with the old key are flagged, and their messages wait, retried.
    const auto keys_b = std::make_shared<storage::SecretKeyHolder>(
        other.secret_key_file, crypto::SecretKey::load_or_create(other.secret_key_file));
    const auto key_b = keys_b->current();
    {
        auto conn = s.database().connect();
        const auto report = storage::forget_secret_key(conn.raw(), *key_b);
        CHECK(report.previous_key_id == key_a->id());
        CHECK(report.unreadable_channels == 2);
        const auto st = storage::secret_status(conn.raw(), key_b->id());
        CHECK(st.registered_key_id == key_b->id());
        CHECK(st.sealed_with_other == 2);
        CHECK(st.sealed_with_key == 0);
    }
    CloudServer after(other);  // starts now
    CHECK(unreadable(hook));
    CHECK(unreadable(chat));
    call(s, "POST", "/api/v1/alerting/channels/" + hook + "/test", t.token, "", 202);
    now = SysClock::now() + 1s;  // the message is due (the test has run a while since)
    alerts::Sender sender(s.database().conninfo(), keys_b, config, [&now] { return now; });
    CHECK(sender.run_once() == 1);
    CHECK(notifications_in(s, t.id, "queued") == 1);
    CHECK(receiver.requests().size() == 1);  // nothing sent unsigned or with a wrong key
    const auto log = call(s, "GET", "/api/v1/alerting/deliveries?state=queued", t.token);
    REQUIRE(log["total"].GetInt64() == 1);
    CHECK(std::string(log["items"][0]["last_error"].GetString()).find("another key") !=
          std::string::npos);

    // A replica still running with the old key may not seal new secrets with it (503)...
    const auto rotate =
        fmt::format(R"({{"address":"http://127.0.0.1:{}/","rotate_secret":true}})", receiver.port);
    call(s, "PUT", "/api/v1/alerting/channels/" + hook, t.token, rotate, 503);
    // ...one with the new key does. The waiting message goes out signed with the new secret.
    const auto rotated = call(after, "PUT", "/api/v1/alerting/channels/" + hook, t.token, rotate);
    CHECK_FALSE(rotated["secret_unreadable"].GetBool());
    { std::ofstream(dir.path / "secret") << str(rotated, "secret"); }
    CHECK(row_of(hook).key_id == key_b->id());
    now += 121s;  // past the backoff
    CHECK(sender.run_once() == 1);
    CHECK(notifications_in(s, t.id, "sent") == 2);
    CHECK(unreadable(chat));
}

}  // namespace printmon::cloud::test

namespace printmon::cloud::test {

TEST_CASE(
    "channel secrets: a planned rotation re-seals every tenant's secrets under a fresh key; "
    "running replicas take it up from the key file; a crash before the file is in place is "
    "finished at the next start; a channel written meanwhile is not lost",
    "[alerts][secrets][integration]") {
    TempDir dir;
    ServerSettings settings;
    settings.secret_key_file = (dir.path / "cloud.key").string();
    const fs::path key_file = settings.secret_key_file;
    const fs::path pending = key_file.string() + ".next";
    CloudServer s(settings);
    ServerSettings same = settings;
    same.conninfo = s.database().conninfo();
    CloudServer replica(same);  // shares the key file, as the HA replicas share their volume
    const auto old_id = s.secret_key()->current()->id();

    const auto t = make_tenant(s, "IT", "branch-1");
    const auto u = make_tenant(s, "Dealer", "branch-2");
    Sink receiver(dir.path, {"webhook", (dir.path / "secret").string()});
    const auto hook_body =
        fmt::format(R"({{"kind":"webhook","address":"http://127.0.0.1:{}/"}})", receiver.port);
    std::string whsec;
    const auto hook = add_channel(s, t.token, hook_body, &whsec);
    { std::ofstream(dir.path / "secret") << whsec; }
    const std::string token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    const auto chat = add_channel(
        s, u.token,
        R"({"kind":"telegram","address":"-1001234567890","bot_token":")" + token + "\"}");
    std::string other_secret;
    const auto other_hook = add_channel(s, u.token, hook_body, &other_secret);
    // One channel sealed under a key forgotten long ago: a rotation cannot open it either.
    {
        auto conn = s.database().connect();
        pqxx::work tx(conn.raw());
        tx.exec_params0(
            "UPDATE notification_channels SET secret_key_id = '00000000deadbeef' "
            "WHERE channel_id = $1::uuid",
            other_hook);
        tx.commit();
    }

    const auto key_id_of = [&](const std::string& channel) {
        return s
            .query_value(
                "SELECT secret_key_id FROM notification_channels WHERE channel_id = "
                "$1::uuid",
                channel)
            .value_or("");
    };
    const auto open_with = [&](const crypto::SecretKey& key, const std::string& tenant,
                               const std::string& channel) {
        auto conn = s.database().connect();
        pqxx::read_transaction tx(conn.raw());
        const auto r = tx.exec_params1(
            "SELECT secret, secret_scheme, secret_key_id FROM notification_channels "
            "WHERE tenant_id = $1::uuid AND channel_id = $2::uuid",
            tenant, channel);
        return storage::open_channel_secret(
            key, tenant, channel,
            {r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>()});
    };

    // A channel write holds the key record FOR SHARE: a rotation waits for it and then
    // re-seals the channel it inserted too (without the lock it would stay sealed with the
    // old key, unreadable once the old key is gone).
    const std::string late = proto::new_uuid();
    std::optional<storage::RotateReport> report;
    std::string rotation_error;
    {
        auto conn = s.database().connect();
        pqxx::work tx(conn.raw());
        const auto held = storage::lock_registered_key_id(tx);
        REQUIRE(held == old_id);
        std::thread rotation([&] {
            try {
                auto c = s.database().connect();
                report = storage::rotate_secret_key(c.raw(), key_file);
            } catch (const std::exception& e) {
                rotation_error = e.what();
            }
        });
        bool waiting = false;
        for (int i = 0; i < 200 && !waiting; ++i) {  // bounded: 10 s
            waiting = s.query_value(
                           "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type "
                           "= 'Lock' AND query LIKE $1",
                           "%secret_key_registry FOR UPDATE%")
                          .value_or("0") != "0";
            if (!waiting) std::this_thread::sleep_for(50ms);
        }
        CHECK(waiting);
        const auto sealed = storage::seal_channel_secret(*s.secret_key()->current(), t.id, late,
                                                         "whsec_written_meanwhile");
        tx.exec_params0(
            "INSERT INTO notification_channels (tenant_id, channel_id, name, kind, address, "
            "language, digest, digest_hour, max_per_hour, enabled, secret, secret_scheme, "
            "secret_key_id) VALUES ($1::uuid, $2::uuid, 'late', 'webhook', "
            "'http://127.0.0.1:9/', 'en', false, 8, 10, true, $3, $4, $5)",
            t.id, late, sealed.value, sealed.scheme, sealed.key_id);
        tx.commit();
        rotation.join();
    }
    INFO(rotation_error);
    REQUIRE(report);
    const auto new_key = crypto::SecretKey::load(key_file);
    CHECK(report->previous_key_id == old_id);
    CHECK(report->key_id == new_key.id());
    CHECK(new_key.id() != old_id);
    CHECK(report->resealed == 3);  // hook, chat and the late one, across both tenants
    CHECK(report->unreadable == 1);
    CHECK_FALSE(fs::exists(pending));
    CHECK((fs::status(key_file).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    CHECK(s.query_value("SELECT key_id FROM secret_key_registry WHERE key_id <> $1", "")
              .value_or("") == new_key.id());
    for (const auto& c : {hook, chat, late}) CHECK(key_id_of(c) == new_key.id());
    CHECK(key_id_of(other_hook) == "00000000deadbeef");  // left as it was
    CHECK(open_with(new_key, t.id, hook).value_or("") == whsec);
    CHECK(open_with(new_key, u.id, chat).value_or("") == token);
    CHECK(open_with(new_key, t.id, late).value_or("") == "whsec_written_meanwhile");

    // The replicas still hold the old key in memory. The one that meets the new key first (a
    // delivery) takes it from the shared key file: the message goes out signed, no restart.
    CHECK(replica.secret_key()->current()->id() == old_id);
    call(s, "POST", "/api/v1/alerting/channels/" + hook + "/test", t.token, "", 202);
    auto now = SysClock::now() + 1s;
    {
        alerts::Sender sender(s.database().conninfo(), replica.secret_key(), sender_config(),
                              [&now] { return now; });
        CHECK(sender.run_once() == 1);
    }
    CHECK(notifications_in(s, t.id, "sent") == 1);
    REQUIRE(receiver.requests().size() == 1);
    CHECK(receiver.requests()[0]["verified"].GetBool());
    CHECK(replica.secret_key()->current()->id() == new_key.id());
    // The other takes it up on a channel write (it seals with the database's key).
    CHECK(s.secret_key()->current()->id() == old_id);
    const auto edited = call(s, "PUT", "/api/v1/alerting/channels/" + chat, u.token,
                             R"({"address":"-1001234567890",)"
                             R"("bot_token":"987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"})");
    CHECK_FALSE(edited["secret_unreadable"].GetBool());
    CHECK(key_id_of(chat) == new_key.id());
    CHECK(s.secret_key()->current()->id() == new_key.id());

    // Killed between the commit and the rename: the database names the new key, the key file
    // still holds the old one, and the new one waits in <key_file>.next. The next start puts
    // it in place instead of refusing to start.
    fs::copy_file(key_file, dir.path / "saved.key");
    const auto second = [&] {
        auto c = s.database().connect();
        return storage::rotate_secret_key(c.raw(), key_file);
    }();
    REQUIRE(second.previous_key_id == new_key.id());
    fs::rename(key_file, pending);
    fs::copy_file(dir.path / "saved.key", key_file);
    {
        CloudServer restarted(same);
        CHECK(restarted.secret_key()->current()->id() == second.key_id);
    }
    CHECK(crypto::SecretKey::load(key_file).id() == second.key_id);
    CHECK_FALSE(fs::exists(pending));
    CHECK(open_with(crypto::SecretKey::load(key_file), t.id, hook).value_or("") == whsec);

    // A .next of a rotation that never committed is not the database's key: a start leaves
    // the key file alone, and the next rotation replaces the leftover.
    const auto leftover = crypto::SecretKey::create(pending);
    { CloudServer restarted(same); }
    CHECK(crypto::SecretKey::load(key_file).id() == second.key_id);
    const auto third = [&] {
        auto c = s.database().connect();
        return storage::rotate_secret_key(c.raw(), key_file);
    }();
    CHECK(third.previous_key_id == second.key_id);
    CHECK(third.key_id != leftover.id());
    CHECK(crypto::SecretKey::load(key_file).id() == third.key_id);
    CHECK_FALSE(fs::exists(pending));
}

TEST_CASE(
    "Telegram: \"Find chats\" takes at most half the request threads at once and is counted "
    "per tenant: a loop is refused with 429 and Retry-After",
    "[alerts][integration][telegram]") {
    TempDir dir;
    const std::string token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    BotApi bot(dir.path, token);
    CloudServer s(bot.server_settings(20000ms));  // 4 request threads: 2 lookups at once
    const auto t = make_tenant(s, "IT", "branch-1");
    const auto other = make_tenant(s, "Other", "branch-9");
    const std::string body = R"({"bot_token":")" + token + "\"}";
    const auto find = [&](const std::string& who) {
        auto r =
            s.client().request("POST", s.url("/api/v1/alerting/telegram-chats"), bearer(who), body);
        REQUIRE(r);
        return *r;
    };
    const auto header_of = [](const net::ClientResponse& r, const char* name) {
        const auto it = r.headers.find(name);
        return it == r.headers.end() ? std::string() : it->second;
    };
    const auto held = [&] {
        std::ifstream in(dir.path / "held.jsonl");
        int n = 0;
        for (std::string line; std::getline(in, line);) ++n;
        return n;
    };

    // Two lookups wait on a slow Bot API; a third is turned away at once, not queued behind them.
    { std::ofstream(dir.path / "updates-hold") << "1"; }
    std::vector<unsigned> statuses(2, 0);
    std::vector<std::thread> waiting;
    for (std::size_t i = 0; i < 2; ++i) {
        waiting.emplace_back([&, i] {
            auto r = s.client().request("POST", s.url("/api/v1/alerting/telegram-chats"),
                                        bearer(t.token), body);
            statuses[i] = r ? r->status : 0;
        });
    }
    for (int i = 0; i < 200 && held() < 2; ++i) std::this_thread::sleep_for(50ms);  // bounded
    CHECK(held() == 2);
    const auto busy = find(other.token);
    CHECK(busy.status == 429);
    CHECK(busy.body.find("\"busy\"") != std::string::npos);
    CHECK(header_of(busy, "Retry-After") == "5");
    // The other request threads still answer everything else meanwhile.
    CHECK(call(s, "GET", "/api/v1/alerting/channels", t.token).IsObject());
    fs::remove(dir.path / "updates-hold");
    for (auto& w : waiting) w.join();
    CHECK(statuses == std::vector<unsigned>{200, 200});
    CHECK(held() == 2);  // the third never reached Telegram

    // Counted per tenant (30 in the brake's window): the tenant that looked twice has 28 left,
    // then 429 with the wait; another tenant from the same address still may.
    int ok = 0;
    unsigned last = 0;
    std::string retry_after;
    for (int i = 0; i < 40 && last != 429; ++i) {
        const auto r = find(t.token);
        last = r.status;
        if (r.status == 200) ++ok;
        retry_after = header_of(r, "Retry-After");
        if (r.status == 429) CHECK(r.body.find("too_many_attempts") != std::string::npos);
    }
    CHECK(ok == 28);
    CHECK(last == 429);
    REQUIRE_FALSE(retry_after.empty());
    CHECK(std::stoi(retry_after) > 0);
    CHECK(std::stoi(retry_after) <= 15 * 60);
    CHECK(find(other.token).status == 200);
}

TEST_CASE_METHOD(AlertsFixture,
                 "alerts: a retired device's alert resolves and it raises no more while retired",
                 "[alerts][retire]") {
    const auto t0 = SysClock::now() - 4h;
    REQUIRE(ingest({{0, t0, 8}, {1, t0, 50}}).status == 200);
    auto r = evaluate(t0 + 1min);
    REQUIRE(r.opened == 1);
    const auto open = list_alerts(s, t.token, "?state=open");
    REQUIRE(open.size() == 1);
    const auto device = str(open[0], "device_id");
    const auto set_retired = [&](const std::string& at) {
        db::with_transaction(conn, [&](pqxx::work& tx) {
            CHECK(tx.exec_params(
                        "UPDATE devices SET retired_at = " + at + " WHERE device_id = $1::uuid",
                        device)
                      .affected_rows() == 1);
        });
    };
    // Retired (V0028; the route and its rights are the console tests'): out of every rule.
    set_retired("now()");
    r = evaluate(t0 + 2min);
    CHECK(r.resolved == 1);
    CHECK(list_alerts(s, t.token, "?state=open").empty());
    // Still reporting an even lower level: nothing opens, the other printer is watched as before.
    REQUIRE(ingest({{0, t0 + 1h, 5}, {1, t0 + 1h, 9}}).status == 200);
    r = evaluate(t0 + 1h + 1min);
    CHECK(r.opened == 1);
    const auto now_open = list_alerts(s, t.token, "?state=open");
    REQUIRE(now_open.size() == 1);
    CHECK(str(now_open[0], "device_id") != device);
    // Restored, its low toner is an alert again.
    set_retired("NULL");
    r = evaluate(t0 + 1h + 2min);
    CHECK(r.opened == 1);
    CHECK(list_alerts(s, t.token, "?state=open").size() == 2);
}

}  // namespace printmon::cloud::test
