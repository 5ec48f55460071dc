// "Forgot password" end to end on real parts: the public routes over HTTPS, a throwaway
// PostgreSQL, the outbox and the alert sender delivering to a real SMTP server (aiosmtpd,
// tests/cloud-api/notify_sinks.py) on loopback; the link is taken from the e-mail that arrived.

#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>
#include <utility>

#include "alerts/sender.hpp"
#include "analytics_support.hpp"
#include "app/config.hpp"
#include "auth/accounts.hpp"
#include "auth/login_limiter.hpp"
#include "auth/password_reset.hpp"
#include "notify_sink.hpp"
#include "printmon/crypto/crypto.hpp"
#include "printmon/db/connection.hpp"

namespace printmon::cloud::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kNewPassword = "a brand new passphrase";
constexpr const char* kPublicUrl = "https://console.printmon.test";

ServerSettings with_public_url(const std::string& url = kPublicUrl) {
    ServerSettings settings;
    settings.public_url = url;
    return settings;
}

std::string create_user(CloudServer& s, const std::string& tenant, const std::string& email,
                        auth::Role role = auth::Role::admin,
                        const std::string& password = kPassword) {
    auto lease = s.app().pool().acquire();
    auto id = db::with_transaction(*lease, [&](pqxx::work& tx) {
        return auth::create_user(tx, {tenant, email, role, password});
    });
    REQUIRE(id);
    return *id;
}

/// One statement with text parameters, committed.
void exec(CloudServer& s, const std::string& sql, const std::string& a, const std::string& b = "") {
    auto conn = s.database().connect();
    pqxx::work tx(conn.raw());
    if (b.empty()) {
        tx.exec_params(sql, a);
    } else {
        tx.exec_params(sql, a, b);
    }
    tx.commit();
}

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

ApiResponse ask_reset(CloudServer& s, const std::string& email, const std::string& extra_json = "",
                      const net::Headers& headers = {}) {
    return api_request(s, "POST", "/api/v1/auth/password-reset", "",
                       "{\"email\":" + json_string(email) + extra_json + "}", headers);
}

ApiResponse confirm(CloudServer& s, const std::string& token, const std::string& password) {
    return api_request(
        s, "POST", "/api/v1/auth/password-reset/confirm", "",
        "{\"token\":" + json_string(token) + ",\"password\":" + json_string(password) + "}");
}

ApiResponse login(CloudServer& s, const std::string& email, const std::string& password,
                  const std::string& tenant = "") {
    std::string body =
        "{\"email\":" + json_string(email) + ",\"password\":" + json_string(password);
    if (!tenant.empty()) body += ",\"tenant_id\":" + json_string(tenant);
    return api_request(s, "POST", "/api/v1/auth/login", "", body + "}");
}

std::string error_code(const ApiResponse& r) {
    if (!r.json.IsObject() || !r.json.HasMember("error")) return "";
    return str(r.json["error"], "code");
}

/// The SMTP sink and a sender that delivers the queued messages to it on demand.
struct Mailbox {
    TempDir dir;
    Sink smtp{dir.path, {"smtp"}};
    std::string conninfo;
    std::shared_ptr<storage::SecretKeyHolder> key;

    explicit Mailbox(const CloudServer& s)
        : conninfo(s.database().conninfo()), key(s.secret_key()) {}

    /// Runs the real sender once, as the cloud-api runs it: the queued reset requests become
    /// links and e-mails, then every due message is attempted; returns how many finished.
    int deliver() const {
        alerts::NotifyConfig config;
        config.smtp_url = "smtp://127.0.0.1:" + std::to_string(smtp.port);
        config.smtp_from = "printmon@example.com";
        config.connect_timeout = 2000ms;
        config.timeout = 3000ms;
        alerts::Sender sender(conninfo, key, config);
        sender.add_pre_step(auth::password_reset_step(kPublicUrl, std::chrono::minutes(30)));
        return sender.run_once();
    }
    std::vector<rapidjson::Document> mails() const { return smtp.mails(); }
};

/// The token of the reset link in an e-mail body ("" when there is none).
std::string token_in(const std::string& body) {
    static const std::regex kLink(
        R"(https://console\.printmon\.test/#/reset\?token=(pmr\.[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}))");
    std::smatch m;
    return std::regex_search(body, m, kLink) ? m[1].str() : std::string();
}

std::string rcpt(const rapidjson::Value& mail) {
    return mail["rcpt"].IsArray() && mail["rcpt"].Size() == 1 ? mail["rcpt"][0].GetString() : "";
}

}  // namespace

TEST_CASE(
    "password reset: one answer for every address, one e-mail, a one-time link that "
    "sets the password and ends the sessions",
    "[cloud][auth][reset][integration]") {
    CloudServer s(with_public_url());
    Mailbox box(s);
    const auto acme = s.create_tenant("Acme");
    const auto alice = create_user(s, acme, "alice@acme.test");
    const auto before = login(s, "alice@acme.test", kPassword);
    REQUIRE(before.status == 200);
    const auto old_session = str(before.json, "token");
    REQUIRE(api_get(s, "/api/v1/auth/me", old_session).status == 200);

    // The same answer whether or not the account exists.
    const auto known = ask_reset(s, "Alice@Acme.test");
    const auto unknown = ask_reset(s, "nobody@acme.test");
    INFO(known.body);
    CHECK(known.status == 202);
    CHECK(unknown.status == 202);
    CHECK(known.body == unknown.body);
    CHECK(known.headers.at("Content-Type") == unknown.headers.at("Content-Type"));
    CHECK(str(known.json, "status") == "accepted");
    // ... and the same work behind it: each request only queued, nothing looked up yet (the
    // answer's time tells nobody which address has an account).
    CHECK(s.count("password_reset_requests") == 2);
    CHECK(s.count("password_resets") == 0);
    CHECK(s.count("notifications") == 0);

    // Exactly one e-mail, to the account's address, with the console's link; the queue keeps
    // no address once its requests are answered.
    CHECK(box.deliver() == 1);
    CHECK(box.deliver() == 0);
    CHECK(s.count("password_reset_requests") == 0);
    const auto mails = box.mails();
    REQUIRE(mails.size() == 1);
    CHECK(rcpt(mails[0]) == "alice@acme.test");
    CHECK(str(mails[0], "subject") == "[printmon] Reset your password");
    const auto body = str(mails[0], "body");
    CHECK(body.find("within 30 minutes") != std::string::npos);
    CHECK(body.find("\"Acme\"") != std::string::npos);
    const auto token = token_in(body);
    REQUIRE_FALSE(token.empty());
    CHECK(token.rfind("pmr." + acme + ".", 0) == 0);

    // Only the token's hash is stored; the outbox forgets the body once delivered; the
    // tenant's delivery log (channel messages) does not show it to admins.
    CHECK(s.query_value("SELECT count(*) FROM password_resets WHERE token_hash = decode($1, "
                        "'hex')",
                        crypto::sha256_hex(token)) == "1");
    CHECK(s.query_value("SELECT string_agg(body, '|') FROM notifications WHERE event = $1",
                        "password_reset") == "");
    const auto admin = str(login(s, "alice@acme.test", kPassword).json, "token");
    const auto log = api_get(s, "/api/v1/alerting/deliveries", admin);
    REQUIRE(log.status == 200);
    CHECK(num(log.json, "total") == 0);

    // A password out of bounds is refused and leaves the link working.
    const auto short_one = confirm(s, token, "short");
    CHECK(short_one.status == 400);
    CHECK(error_code(short_one) == "invalid_body");

    const auto done = confirm(s, token, kNewPassword);
    INFO(done.body);
    CHECK(done.status == 204);
    CHECK(login(s, "alice@acme.test", kPassword).status == 401);
    CHECK(login(s, "alice@acme.test", kNewPassword).status == 200);
    // Every session of the user ended (both made before the reset).
    CHECK(api_get(s, "/api/v1/auth/me", old_session).status == 401);
    CHECK(api_get(s, "/api/v1/auth/me", admin).status == 401);

    // Once only.
    const auto again = confirm(s, token, "yet another passphrase");
    CHECK(again.status == 410);
    CHECK(error_code(again) == "token_used");
    CHECK(login(s, "alice@acme.test", kNewPassword).status == 200);
    // The account's audit log has the reset once (the refused attempts wrote nothing), by Alice,
    // and never the token or a password.
    CHECK(s.query_value("SELECT string_agg(actor_id || ' ' || target, ' | ') FROM audit_log "
                        "WHERE action = 'password_reset_by_link' AND tenant_id = $1::uuid",
                        acme) == alice + " alice@acme.test");
    CHECK(s.query_value("SELECT count(*) FROM audit_log WHERE position($1 in target || detail) > 0",
                        token) == "0");

    // Malformed and unknown tokens.
    for (const auto& bad :
         {std::string("nope"), std::string("pms.") + acme + "." + std::string(43, 'A'),
          std::string("pmr.") + acme + "." + std::string(43, 'A'),
          token.substr(0, token.size() - 1) + (token.back() == 'A' ? "B" : "A")}) {
        const auto r = confirm(s, bad, "yet another passphrase");
        INFO(bad << " -> " << r.body);
        CHECK(r.status == 400);
        CHECK(error_code(r) == "invalid_token");
    }
    CHECK(login(s, "alice@acme.test", kNewPassword).status == 200);
    CHECK(s.query_value("SELECT count(*) FROM password_resets WHERE user_id = $1::uuid", alice) ==
          "1");
}

TEST_CASE("password reset: an expired link and one replaced by a newer link are refused",
          "[cloud][auth][reset][integration]") {
    CloudServer s(with_public_url());
    Mailbox box(s);
    const auto acme = s.create_tenant("Acme");
    const auto bob = create_user(s, acme, "bob@acme.test", auth::Role::viewer);

    REQUIRE(ask_reset(s, "bob@acme.test").status == 202);
    REQUIRE(ask_reset(s, "bob@acme.test").status == 202);
    CHECK(box.deliver() == 2);
    const auto mails = box.mails();
    REQUIRE(mails.size() == 2);
    // The sender's batch may deliver them in any order: the stored rows tell which is newer.
    auto first = token_in(str(mails[0], "body"));
    auto second = token_in(str(mails[1], "body"));
    REQUIRE_FALSE(first.empty());
    REQUIRE_FALSE(second.empty());
    CHECK(first != second);
    CHECK(str(mails[0], "idempotency_key") != str(mails[1], "idempotency_key"));
    const auto revoked = [&s](const std::string& token) {
        return s.query_value(
            "SELECT CASE WHEN revoked_at IS NULL THEN 'no' ELSE 'yes' END "
            "FROM password_resets WHERE token_hash = decode($1, 'hex')",
            crypto::sha256_hex(token));
    };
    if (revoked(second) == "yes") std::swap(first, second);
    CHECK(revoked(first) == "yes");
    CHECK(revoked(second) == "no");

    // Asking again revoked the first link.
    const auto replaced = confirm(s, first, kNewPassword);
    CHECK(replaced.status == 410);
    CHECK(error_code(replaced) == "token_expired");

    // The newest one past its time (as the clock would make it in 30 minutes).
    exec(s,
         "UPDATE password_resets SET expires_at = now() - interval '1 second' "
         "WHERE tenant_id = $1::uuid AND user_id = $2::uuid AND revoked_at IS NULL",
         acme, bob);
    const auto expired = confirm(s, second, kNewPassword);
    CHECK(expired.status == 410);
    CHECK(error_code(expired) == "token_expired");
    CHECK(login(s, "bob@acme.test", kPassword).status == 200);
    CHECK(login(s, "bob@acme.test", kNewPassword).status == 401);

    // A disabled user gets no link.
    exec(s,
         "UPDATE users SET disabled_at = now() WHERE tenant_id = $1::uuid AND user_id = $2::uuid",
         acme, bob);
    REQUIRE(ask_reset(s, "bob@acme.test").status == 202);
    CHECK(box.deliver() == 0);
}

TEST_CASE("password reset: a password changed otherwise cancels the links still out",
          "[cloud][auth][reset][integration]") {
    CloudServer s(with_public_url());
    Mailbox box(s);
    const auto acme = s.create_tenant("Acme");
    const auto bob = create_user(s, acme, "bob@acme.test", auth::Role::viewer);
    // The user's own change or an admin's reset: a link mailed before must not undo it.
    REQUIRE(ask_reset(s, "bob@acme.test").status == 202);
    REQUIRE(box.deliver() == 1);
    const auto mailed = token_in(str(box.mails().at(0), "body"));
    REQUIRE_FALSE(mailed.empty());
    {
        auto lease = s.app().pool().acquire();
        REQUIRE(db::with_transaction(*lease, [&](pqxx::work& tx) {
            return auth::reset_password(tx, acme, bob, "an admin's new password");
        }));
    }
    const auto cancelled = confirm(s, mailed, kNewPassword);
    CHECK(cancelled.status == 410);
    CHECK(error_code(cancelled) == "token_expired");
    CHECK(login(s, "bob@acme.test", "an admin's new password").status == 200);
    CHECK(login(s, "bob@acme.test", kNewPassword).status == 401);
}

TEST_CASE("password reset: a link acts in its own tenant only",
          "[cloud][auth][reset][integration]") {
    CloudServer s(with_public_url());
    Mailbox box(s);
    const auto acme = s.create_tenant("Acme");
    const auto globex = s.create_tenant("Globex");
    // The same address is a user in both tenants, each with its own password and session.
    create_user(s, acme, "carol@shared.test", auth::Role::admin, kPassword);
    create_user(s, globex, "carol@shared.test", auth::Role::viewer, "globex passphrase");
    const auto globex_session =
        str(login(s, "carol@shared.test", "globex passphrase", globex).json, "token");
    REQUIRE_FALSE(globex_session.empty());

    REQUIRE(ask_reset(s, "carol@shared.test").status == 202);
    CHECK(box.deliver() == 2);  // one per account, each naming its tenant
    std::string acme_token;
    std::string globex_token;
    for (const auto& m : box.mails()) {
        CHECK(rcpt(m) == "carol@shared.test");
        const auto body = str(m, "body");
        const auto token = token_in(body);
        if (body.find("\"Acme\"") != std::string::npos) acme_token = token;
        if (body.find("\"Globex\"") != std::string::npos) globex_token = token;
    }
    REQUIRE_FALSE(acme_token.empty());
    REQUIRE_FALSE(globex_token.empty());
    CHECK(acme_token.rfind("pmr." + acme + ".", 0) == 0);
    CHECK(globex_token.rfind("pmr." + globex + ".", 0) == 0);

    // Acme's secret under Globex's id is nothing.
    const auto swapped = "pmr." + globex + acme_token.substr(4 + acme.size());
    const auto refused = confirm(s, swapped, kNewPassword);
    CHECK(refused.status == 400);
    CHECK(error_code(refused) == "invalid_token");

    // Acme's link changes Acme's account only: Globex's password and session stay.
    REQUIRE(confirm(s, acme_token, kNewPassword).status == 204);
    CHECK(login(s, "carol@shared.test", kNewPassword, acme).status == 200);
    CHECK(login(s, "carol@shared.test", kPassword, acme).status == 401);
    CHECK(login(s, "carol@shared.test", "globex passphrase", globex).status == 200);
    CHECK(login(s, "carol@shared.test", kNewPassword, globex).status == 401);
    CHECK(api_get(s, "/api/v1/auth/me", globex_session).status == 200);
    // Globex's own link still works for Globex.
    REQUIRE(confirm(s, globex_token, "globex renewed passphrase").status == 204);
    CHECK(login(s, "carol@shared.test", "globex renewed passphrase", globex).status == 200);
    CHECK(login(s, "carol@shared.test", kNewPassword, acme).status == 200);
}

TEST_CASE("password reset: braked per address asked for and per client address",
          "[cloud][auth][reset][integration]") {
    CloudServer s(with_public_url());
    Mailbox box(s);
    const auto acme = s.create_tenant("Acme");
    create_user(s, acme, "dave@acme.test");
    const auto limits = auth::RequestLimits{};

    // Per address asked for: the same for an account and for no account.
    for (const char* email : {"dave@acme.test", "ghost@acme.test"}) {
        for (std::size_t i = 0; i < limits.max_per_subject; ++i) {
            CHECK(ask_reset(s, email).status == 202);
        }
        const auto braked = ask_reset(s, email);
        INFO(email << " -> " << braked.body);
        CHECK(braked.status == 429);
        CHECK(error_code(braked) == "too_many_attempts");
        CHECK(braked.headers.count("Retry-After") == 1);
    }
    CHECK(box.deliver() == static_cast<int>(limits.max_per_subject));  // the braked one sent none

    // Per client address: fresh addresses until the address's budget is spent.
    std::size_t accepted = 0;
    for (int i = 0; i < 40; ++i) {
        const auto r = ask_reset(s, "spray" + std::to_string(i) + "@acme.test");
        if (r.status == 429) break;
        CHECK(r.status == 202);
        ++accepted;
    }
    CHECK(accepted == limits.max_per_address - 2 * limits.max_per_subject);
}

TEST_CASE("password reset: the e-mail's language", "[cloud][auth][reset][integration]") {
    CloudServer s(with_public_url());
    Mailbox box(s);
    const auto acme = s.create_tenant("Acme");
    for (const char* email :
         {"asked@acme.test", "browser@acme.test", "channel@acme.test", "default@acme.test"}) {
        create_user(s, acme, email);
    }
    // The address is also an alert channel of the tenant whose owner chose Russian.
    exec(s,
         "INSERT INTO notification_channels (tenant_id, name, kind, address, language) "
         "VALUES ($1::uuid, 'duty', 'email', $2, 'ru')",
         acme, "Channel@acme.test");
    REQUIRE(ask_reset(s, "asked@acme.test", ",\"language\":\"ru\"",
                      {{"Accept-Language", "en-US,en;q=0.9"}})
                .status == 202);
    REQUIRE(ask_reset(s, "browser@acme.test", "", {{"Accept-Language", "ru-RU,ru;q=0.9,en;q=0.8"}})
                .status == 202);
    REQUIRE(ask_reset(s, "channel@acme.test", "", {{"Accept-Language", "en-GB"}}).status == 202);
    REQUIRE(ask_reset(s, "default@acme.test", "", {{"Accept-Language", "de-DE,fr;q=0.5"}}).status ==
            202);
    // The user's own language (stored as the console does) beats the channel's and the browser's.
    create_user(s, acme, "mine@acme.test");
    create_user(s, acme, "mine-en@acme.test");
    exec(s,
         "INSERT INTO notification_channels (tenant_id, name, kind, address, language) "
         "VALUES ($1::uuid, 'mine', 'email', $2, 'en')",
         acme, "mine@acme.test");
    exec(s,
         "INSERT INTO notification_channels (tenant_id, name, kind, address, language) "
         "VALUES ($1::uuid, 'mine-en', 'email', $2, 'ru')",
         acme, "mine-en@acme.test");
    for (const auto& [email, language] :
         {std::pair{"mine@acme.test", "ru"}, std::pair{"mine-en@acme.test", "en"}}) {
        const auto session = login(s, email, kPassword);
        REQUIRE(session.status == 200);
        REQUIRE(api_request(s, "PUT", "/api/v1/auth/language", str(session.json, "token"),
                            std::string("{\"language\":\"") + language + "\"}")
                    .status == 204);
        REQUIRE(ask_reset(s, email, "", {{"Accept-Language", "de-DE"}}).status == 202);
    }
    CHECK(box.deliver() == 6);
    std::set<std::string> russian;
    for (const auto& m : box.mails()) {
        const auto subject = str(m, "subject");
        const auto body = str(m, "body");
        CHECK_FALSE(token_in(body).empty());
        if (subject == "[printmon] Сброс пароля") {
            CHECK(body.find("в течение 30 минут:") != std::string::npos);
            CHECK(body.find("«Acme»") != std::string::npos);
            russian.insert(rcpt(m));
        } else {
            CHECK(subject == "[printmon] Reset your password");
        }
    }
    CHECK(russian == std::set<std::string>{"asked@acme.test", "browser@acme.test",
                                           "channel@acme.test", "mine@acme.test"});
}

TEST_CASE("password reset: a request nobody processed for a day is dropped unanswered",
          "[cloud][auth][reset][integration]") {
    CloudServer s(with_public_url());
    Mailbox box(s);
    const auto acme = s.create_tenant("Acme");
    create_user(s, acme, "dora@acme.test");
    REQUIRE(ask_reset(s, "dora@acme.test").status == 202);
    exec(s,
         "UPDATE password_reset_requests SET requested_at = now() - interval '25 hours' "
         "WHERE email = $1",
         "dora@acme.test");
    CHECK(box.deliver() == 0);  // a link the user gave up on a day ago is not sent now
    CHECK(box.mails().empty());
    CHECK(s.count("password_reset_requests") == 0);
    CHECK(s.count("password_resets") == 0);
}

TEST_CASE("password reset: a request the database refuses is dropped, the next still answered",
          "[cloud][auth][reset][integration]") {
    CloudServer s(with_public_url());
    Mailbox box(s);
    const auto acme = s.create_tenant("Acme");
    const auto refused = create_user(s, acme, "refused@acme.test");
    create_user(s, acme, "fine@acme.test");
    {
        // A real refusal: a trigger rejects this one user's links (the id is the test's own).
        auto conn = s.database().connect();
        pqxx::work tx(conn.raw());
        tx.exec(
            "CREATE FUNCTION test_refuse_reset() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF NEW.user_id = " +
            tx.quote(refused) +
            "::uuid THEN "
            "RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$");
        tx.exec(
            "CREATE TRIGGER test_refuse_reset BEFORE INSERT ON password_resets "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_reset()");
        tx.commit();
    }
    REQUIRE(ask_reset(s, "refused@acme.test").status == 202);  // queued first
    REQUIRE(ask_reset(s, "fine@acme.test").status == 202);
    CHECK(box.deliver() == 1);
    const auto mails = box.mails();
    REQUIRE(mails.size() == 1);
    CHECK(rcpt(mails[0]) == "fine@acme.test");
    CHECK(s.count("password_reset_requests") == 0);  // dropped, not retried at every poll
    CHECK(s.count("password_resets") == 1);
    CHECK(box.deliver() == 0);
}

TEST_CASE("password reset: without public_url nothing is sent, the answer is the same",
          "[cloud][auth][reset][integration]") {
    CloudServer s;  // no [server] public_url
    const auto acme = s.create_tenant("Acme");
    create_user(s, acme, "erin@acme.test");
    const auto r = ask_reset(s, "erin@acme.test");
    CHECK(r.status == 202);
    CHECK(r.body == ask_reset(s, "nobody@acme.test").body);
    CHECK(s.count("password_reset_requests") == 0);  // no address kept for nothing
    CHECK(s.count("password_resets") == 0);
    CHECK(s.count("notifications") == 0);
    // Malformed requests are 400 (they reveal nothing about accounts).
    CHECK(api_request(s, "POST", "/api/v1/auth/password-reset", "", "{}").status == 400);
    CHECK(ask_reset(s, "no-at-sign").status == 400);
    CHECK(api_request(s, "POST", "/api/v1/auth/password-reset/confirm", "", R"({"token":"x"})")
              .status == 400);
}

TEST_CASE("password reset: Accept-Language and public_url parsing", "[cloud][auth][reset][unit]") {
    CHECK(auth::preferred_language("ru-RU,ru;q=0.9,en-US;q=0.8") == "ru");
    CHECK(auth::preferred_language("de-DE, en;q=0.5") == "en");
    CHECK(auth::preferred_language("EN") == "en");
    CHECK(auth::preferred_language("de, fr") == "");
    CHECK(auth::preferred_language("") == "");

    const auto parse = [](const std::string& server) {
        return parse_config("[server]\ntls = false\n" + server + "\n", "test.toml",
                            [](const std::string&) { return std::optional<std::string>(); });
    };
    CHECK(parse("").public_url.empty());
    CHECK(parse(R"(public_url = "https://printmon.example.com/")").public_url ==
          "https://printmon.example.com");
    CHECK(parse(R"(public_url = "http://10.0.0.1:8443/console")").public_url ==
          "http://10.0.0.1:8443/console");
    CHECK_THROWS_WITH(parse(R"(public_url = "printmon.example.com")"),
                      Catch::Contains("public_url"));
    CHECK_THROWS_WITH(parse(R"(public_url = "https://x.example/#/")"),
                      Catch::Contains("public_url"));
    CHECK_THROWS_WITH(parse("[auth]\npassword_reset_ttl_s = 10"),
                      Catch::Contains("password_reset_ttl_s"));
}

}  // namespace printmon::cloud::test
