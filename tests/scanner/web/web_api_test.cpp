// The scanner's web API against a real PostgreSQL (pg fixture) and a real Service: every route
// refuses without a session, the happy paths, bad input, CSRF, the login rate limit, argon2id
// hashes, cookie flags, export documents the cloud accepts, and key deactivation against a
// local fake of the cloud's revoke endpoint.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <pqxx/pqxx>

#include "pg.hpp"
#include "polling/service.hpp"
#include "printmon/common/clock.hpp"
#include "printmon/net/client.hpp"
#include "printmon/net/server.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "sim.hpp"
#include "storage/retention.hpp"
#include "storage/store.hpp"
#include "web/web_app.hpp"
#include "web/web_store.hpp"

using namespace std::chrono_literals;
using printmon::net::Request;
using printmon::net::Response;
using printmon::scanner::ProfileSet;
using printmon::scanner::Service;
using printmon::scanner::ServiceOptions;
namespace web = printmon::scanner::web;

namespace {

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kKey = "pmk.0b8e7f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b.c2VjcmV0LXNlY3JldC1zZWNy";

ServiceOptions service_options(const std::string& conninfo, const std::string& key_file) {
    ServiceOptions o;
    o.conninfo = conninfo;
    o.secret_key_file = key_file;
    o.tick = 50ms;
    o.device_refresh = 1s;
    o.snmp_timeout = 200ms;
    o.snmp_retries = 0;
    o.discovery_timeout = 200ms;
    o.shutdown_grace = 5s;
    return o;
}

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document d;
    d.Parse(text.c_str(), text.size());
    REQUIRE_FALSE(d.HasParseError());
    return d;
}

std::string error_code(const Response& r) {
    const auto d = parse(r.body);
    REQUIRE(d.HasMember("error"));
    return d["error"]["code"].GetString();
}

/// The scanner's web app over a fresh database, called in process through its Router.
struct Env {
    printmon::test::TempDatabase db;
    printmon::test::TempDir dir;  // the secret key file
    printmon::common::SystemClock clock;
    Service service;
    web::WebStorePool pool;
    web::WebApp app;
    printmon::net::Router router;
    std::string cookie;  // "pm_session=..." after setup/login
    std::string csrf;

    explicit Env(web::WebOptions options = test_options())
        : service(service_options(db.conninfo(), (dir.path / "secret.key").string()), clock,
                  ProfileSet::embedded()),
          // The service makes the key at start; the UI's store seals with the same one.
          pool(db.conninfo(), 2, (service.start(), service.secret_key())),
          app(std::move(options), pool, service, clock),
          router(app.router()) {}
    ~Env() { service.stop(); }

    static web::WebOptions test_options() {
        web::WebOptions o;
        o.login_max_failures = 3;
        o.cloud_timeout = 2000ms;
        return o;
    }

    Response call(const std::string& method, const std::string& target,
                  const std::string& body = {}, printmon::net::Headers headers = {},
                  const std::string& remote = "127.0.0.1") {
        Request r;
        r.method = method;
        r.target = target;
        r.body = body;
        r.headers = std::move(headers);
        if (!body.empty() && !r.headers.count("Content-Type")) {
            r.headers["Content-Type"] = "application/json";
        }
        r.remote_address = remote;
        return router.handle(r);
    }

    /// With the session cookie and CSRF token.
    Response as_admin(const std::string& method, const std::string& target,
                      const std::string& body = {}) {
        printmon::net::Headers h{{"Cookie", cookie}};
        if (method != "GET") h["X-CSRF-Token"] = csrf;
        return call(method, target, body, h);
    }

    void take_session(const Response& r) {
        REQUIRE(r.headers.count("Set-Cookie"));
        const auto& set = r.headers.at("Set-Cookie");
        cookie = set.substr(0, set.find(';'));
        csrf = parse(r.body)["csrf_token"].GetString();
    }

    void set_up() {
        const auto r =
            call("POST", "/api/auth/setup", std::string(R"({"password":")") + kPassword + R"("})");
        REQUIRE(r.status == 201);
        take_session(r);
    }

    long long count(const std::string& sql) {
        auto conn = db.connect();
        pqxx::work tx(conn.raw());
        return tx.exec(sql)[0][0].as<long long>();
    }

    /// Rows `sql` changed, committed (a state only the service writes, set for the test).
    long long change(const std::string& sql) {
        auto conn = db.connect();
        pqxx::work tx(conn.raw());
        const auto changed = tx.exec(sql).affected_rows();
        tx.commit();
        return static_cast<long long>(changed);
    }
};

std::string with_param(std::string pattern) {
    pattern = std::regex_replace(pattern, std::regex("\\{file\\}"), "app.css");
    return std::regex_replace(pattern, std::regex("\\{[a-z_]+\\}"), printmon::proto::new_uuid());
}

}  // namespace

TEST_CASE("every route but login, setup and static files refuses without a session", "[web]") {
    Env env;
    env.set_up();  // refusals must not depend on the setup state
    const std::set<std::string> expected_public = {"GET /login",           "GET /setup",
                                                   "GET /static/{file}",   "GET /api/auth/state",
                                                   "POST /api/auth/setup", "POST /api/auth/login"};
    std::set<std::string> public_routes;
    const auto routes = env.router.routes();
    REQUIRE(routes.size() > 30);
    for (const auto& route : routes) {
        const std::string name = route.method + " " + route.pattern;
        INFO(name);
        if (route.options.tag == web::kTagPublic) {
            public_routes.insert(name);
            continue;
        }
        const auto target = with_param(route.pattern);
        const std::string body = route.method == "GET" ? "" : "{}";
        for (const std::string cookie : {"", "pm_session=forged-session-value"}) {
            printmon::net::Headers h;
            if (!cookie.empty()) h["Cookie"] = cookie;
            const auto r = env.call(route.method, target, body, h);
            if (route.pattern.rfind("/api/", 0) == 0) {
                CHECK(route.options.tag == web::kTagApi);
                CHECK(r.status == 401);
                CHECK(error_code(r) == "unauthenticated");
            } else {
                CHECK(route.options.tag == web::kTagPage);
                CHECK(r.status == 303);
                REQUIRE(r.headers.count("Location"));
                CHECK(r.headers.at("Location").rfind("/login", 0) == 0);
            }
        }
        // An unknown bearer token is refused too.
        const auto r = env.call(route.method, target, body,
                                {{"Authorization", "Bearer pmt_not-a-real-token"}});
        CHECK(r.status == 401);
    }
    CHECK(public_routes == expected_public);
}

TEST_CASE("first-run setup, argon2id hash, cookie flags, login and logout", "[web]") {
    Env env;
    auto state = parse(env.call("GET", "/api/auth/state").body);
    CHECK(state["setup_required"].GetBool());
    CHECK_FALSE(state["authenticated"].GetBool());

    SECTION("weak, malformed and mismatched setups are refused") {
        CHECK(env.call("POST", "/api/auth/setup", R"({"password":"short"})").status == 400);
        CHECK(env.call("POST", "/api/auth/setup", R"({"password":)").status == 400);
        CHECK(env.call("POST", "/api/auth/setup", "password=abcdefghijkl",
                       {{"Content-Type", "application/x-www-form-urlencoded"}})
                  .status == 415);
        CHECK(env.call("POST", "/api/auth/setup",
                       R"({"password":"abcdefghijkl","password_confirm":"abcdefghijkm"})")
                  .status == 400);
        CHECK(env.call("POST", "/api/auth/setup", R"({"password":"abcdefghijkl"})",
                       {{"Content-Type", "application/json"},
                        {"Origin", "https://evil.example"},
                        {"Host", "127.0.0.1:8080"}})
                  .status == 403);
        CHECK(env.count("SELECT count(*) FROM web_users") == 0);
    }

    const auto r =
        env.call("POST", "/api/auth/setup", std::string(R"({"password":")") + kPassword + R"("})");
    REQUIRE(r.status == 201);
    const auto& cookie = r.headers.at("Set-Cookie");
    CHECK(cookie.find("HttpOnly") != std::string::npos);
    CHECK(cookie.find("SameSite=Strict") != std::string::npos);
    CHECK(cookie.find("Path=/") != std::string::npos);
    CHECK(cookie.find("Secure") == std::string::npos);  // plain HTTP here
    env.take_session(r);
    {
        auto conn = env.db.connect();
        pqxx::work tx(conn.raw());
        const auto hash = tx.exec("SELECT password_hash FROM web_users")[0][0].as<std::string>();
        CHECK(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
        CHECK(hash.find(kPassword) == std::string::npos);
        // The session secret is not stored, only its hash.
        const auto token = env.cookie.substr(env.cookie.find('=') + 1);
        CHECK(
            tx.exec("SELECT count(*) FROM web_sessions WHERE token_hash = " + tx.quote(token))[0][0]
                .as<int>() == 0);
    }
    CHECK(env.call("POST", "/api/auth/setup", R"({"password":"another-password"})").status == 409);

    state = parse(env.call("GET", "/api/auth/state", "", {{"Cookie", env.cookie}}).body);
    CHECK(state["authenticated"].GetBool());
    CHECK(std::string(state["csrf_token"].GetString()) == env.csrf);
    CHECK(env.as_admin("GET", "/devices").status == 200);
    CHECK(env.as_admin("GET", "/devices").headers.at("Content-Type").find("text/html") == 0);

    // Logout ends the session server-side: the old cookie is worthless.
    const auto old_cookie = env.cookie;
    const auto out = env.as_admin("POST", "/api/auth/logout");
    CHECK(out.status == 204);
    CHECK(out.headers.at("Set-Cookie").find("Max-Age=0") != std::string::npos);
    CHECK(env.call("GET", "/api/devices", "", {{"Cookie", old_cookie}}).status == 401);

    const auto login =
        env.call("POST", "/api/auth/login",
                 std::string(R"({"username":"admin","password":")") + kPassword + R"("})");
    REQUIRE(login.status == 200);
    env.take_session(login);
    CHECK(env.as_admin("GET", "/api/devices").status == 200);
}

TEST_CASE("the session cookie is Secure when the UI runs over HTTPS", "[web]") {
    auto options = Env::test_options();
    options.tls_cert_file = "unused.pem";  // the router does not load it; the Server would
    options.tls_key_file = "unused.key";
    Env env(options);
    const auto r =
        env.call("POST", "/api/auth/setup", std::string(R"({"password":")") + kPassword + R"("})");
    REQUIRE(r.status == 201);
    CHECK(r.headers.at("Set-Cookie").find("; Secure") != std::string::npos);
}

TEST_CASE("login is rate limited per remote address", "[web]") {
    Env env;
    env.set_up();
    const auto attempt = [&](const std::string& password, const std::string& remote) {
        return env.call("POST", "/api/auth/login", R"({"password":")" + password + R"("})", {},
                        remote);
    };
    for (int i = 0; i < 3; ++i) {
        const auto r = attempt("wrong-password", "10.9.9.9");
        CHECK(r.status == 401);
        CHECK(error_code(r) == "bad_credentials");
    }
    // Over the limit even the right password is refused, with Retry-After.
    const auto limited = attempt(kPassword, "10.9.9.9");
    CHECK(limited.status == 429);
    CHECK(limited.headers.count("Retry-After") == 1);
    CHECK(env.count("SELECT count(*) FROM web_login_attempts WHERE remote = '10.9.9.9'") == 3);
    // Another address is not affected.
    CHECK(attempt(kPassword, "10.9.9.10").status == 200);
    CHECK(attempt("nope", "10.9.9.10").status == 401);
}

TEST_CASE("state-changing requests need the CSRF token of the session", "[web]") {
    Env env;
    env.set_up();
    const std::string body = R"({"address":"127.0.0.1","port":9})";
    auto r = env.call("POST", "/api/devices", body, {{"Cookie", env.cookie}});
    CHECK(r.status == 403);
    CHECK(error_code(r) == "csrf_failed");
    r = env.call("POST", "/api/devices", body,
                 {{"Cookie", env.cookie}, {"X-CSRF-Token", env.csrf + "x"}});
    CHECK(r.status == 403);
    CHECK(env.count("SELECT count(*) FROM devices") == 0);
    CHECK(env.as_admin("POST", "/api/devices", body).status == 201);
    CHECK(env.count("SELECT count(*) FROM devices") == 1);
}

TEST_CASE("devices: add, list, edit, poll, disable, delete, bad input", "[web]") {
    Env env;
    env.set_up();

    SECTION("bad input gets 4xx JSON errors and changes nothing") {
        const std::map<std::string, unsigned> bad = {
            {R"({"address":"10.0.0.0/24"})", 400},
            {R"({"address":"300.1.1.1"})", 400},
            {R"({"address":""})", 400},
            {R"({"port":161})", 400},
            {R"({"address":"10.0.0.5","port":70000})", 400},
            {R"({"address":"10.0.0.5","port":"x"})", 400},
            {R"({"address":"10.0.0.5","interval_s":5})", 400},
            {R"({"address":"10.0.0.5","credential":{"version":"3"}})", 400},
            {R"({"address":"10.0.0.5","credential":{"version":"2c","community":""}})", 400},
            {R"({"address":"10.0.0.5","credential":{"version":"9","community":"x"}})", 400},
            {R"({"address":"10.0.0.5","credential_id":"not-a-uuid"})", 400},
            {R"({"address":"10.0.0.5")", 400},
            {R"([1,2])", 400},
        };
        for (const auto& [body, status] : bad) {
            INFO(body);
            const auto r = env.as_admin("POST", "/api/devices", body);
            CHECK(r.status == status);
            CHECK(parse(r.body).HasMember("error"));
        }
        CHECK(env.count("SELECT count(*) FROM devices") == 0);
        CHECK(env.as_admin("GET", "/api/devices/" + printmon::proto::new_uuid()).status == 404);
        CHECK(env.as_admin("GET", "/api/devices/nope").status == 404);
    }

    auto r =
        env.as_admin("POST", "/api/devices",
                     R"({"address":"127.0.0.1","port":9,"location":"2nd floor",)"
                     R"("interval_s":600,"credential":{"version":"2c","community":"s3cret"}})");
    REQUIRE(r.status == 201);
    const std::string id = parse(r.body)["device_id"].GetString();
    CHECK(printmon::proto::is_uuid(id));
    CHECK(env.as_admin("POST", "/api/devices", R"({"address":"127.0.0.1","port":9})").status ==
          409);

    auto list = parse(env.as_admin("GET", "/api/devices").body);
    REQUIRE(list["devices"].Size() == 1);
    const auto& d = list["devices"][0];
    CHECK(std::string(d["location"].GetString()) == "2nd floor");
    CHECK(d["interval_s"].GetInt() == 600);
    CHECK(d["manual"].GetBool());
    CHECK(d["credential_id"].IsString());
    CHECK(d["snmp_version"].IsNull());  // polled over its set's own version
    CHECK(env.as_admin("GET", "/api/devices").body.find("s3cret") == std::string::npos);
    // A device that answered only over SNMPv1 with a v2c set says so (the device page tells why).
    REQUIRE(env.change("UPDATE devices SET snmp_version = '1'") == 1);
    const auto v1 = parse(env.as_admin("GET", "/api/devices/" + id).body);
    REQUIRE(v1["snmp_version"].IsString());
    CHECK(std::string(v1["snmp_version"].GetString()) == "1");
    REQUIRE(env.change("UPDATE devices SET snmp_version = NULL") == 1);

    r = env.as_admin("PUT", "/api/devices/" + id, R"({"location":"Lobby","interval_s":900})");
    REQUIRE(r.status == 200);
    auto got = parse(env.as_admin("GET", "/api/devices/" + id).body);
    CHECK(std::string(got["location"].GetString()) == "Lobby");
    CHECK(got["interval_s"].GetInt() == 900);
    // null: back to the default interval.
    REQUIRE(env.as_admin("PUT", "/api/devices/" + id, R"({"interval_s":null})").status == 200);
    got = parse(env.as_admin("GET", "/api/devices/" + id).body);
    CHECK(got["interval_s"].IsNull());
    CHECK(got["effective_interval_s"].GetInt() == 300);
    CHECK(env.as_admin("PUT", "/api/devices/" + id, R"({"interval_s":1})").status == 400);
    CHECK(env.as_admin("PUT", "/api/devices/" + id, R"({"enabled":"yes"})").status == 400);

    CHECK(env.as_admin("POST", "/api/devices/" + id + "/poll").status == 202);
    const auto history = parse(env.as_admin("GET", "/api/devices/" + id + "/history").body);
    CHECK(history["readings"].IsArray());
    CHECK(history["events"].IsArray());
    CHECK(env.as_admin("GET", "/api/devices/" + id + "/history?limit=x").status == 400);

    // Support capture: nothing yet; started; a device that does not answer ends failed, with
    // the reason and no file.
    auto capture = parse(env.as_admin("GET", "/api/devices/" + id + "/capture").body);
    CHECK(std::string(capture["state"].GetString()) == "none");
    CHECK(env.as_admin("GET", "/api/devices/" + id + "/capture/file").status == 404);
    r = env.as_admin("POST", "/api/devices/" + id + "/capture");
    REQUIRE(r.status == 202);
    CHECK(std::string(parse(r.body)["state"].GetString()) == "running");
    for (int i = 0; i < 200; ++i) {  // bounded: the walk's one request times out in 200 ms
        capture = parse(env.as_admin("GET", "/api/devices/" + id + "/capture").body);
        if (std::string(capture["state"].GetString()) != "running") break;
        std::this_thread::sleep_for(50ms);
    }
    CHECK(std::string(capture["state"].GetString()) == "failed");
    CHECK(std::string(capture["error"].GetString()).find("did not answer") != std::string::npos);
    CHECK(capture["redacted"].Size() == 0);
    CHECK(error_code(env.as_admin("GET", "/api/devices/" + id + "/capture/file")) == "no_capture");
    CHECK(env.as_admin("GET", "/api/devices/" + printmon::proto::new_uuid() + "/capture").status ==
          404);

    REQUIRE(env.as_admin("PUT", "/api/devices/" + id, R"({"enabled":false})").status == 200);
    CHECK(
        std::string(parse(env.as_admin("GET", "/api/devices/" + id).body)["status"].GetString()) ==
        "disabled");
    CHECK(env.as_admin("POST", "/api/devices/" + id + "/poll").status == 409);
    CHECK(env.as_admin("POST", "/api/devices/" + id + "/capture").status == 409);

    CHECK(env.as_admin("DELETE", "/api/devices/" + id).status == 204);
    CHECK(env.as_admin("GET", "/api/devices/" + id).status == 404);
    CHECK(parse(env.as_admin("GET", "/api/devices").body)["devices"].Size() == 0);
    CHECK(env.count("SELECT count(*) FROM devices WHERE deleted_at IS NOT NULL") == 1);
}

namespace {

/// `n` Cyrillic letters (two bytes each in UTF-8).
std::string cyrillic(std::size_t n) {
    static const char* const kLetters[] = {"\xD0\x91", "\xD1\x83", "\xD1\x85", "\xD0\xB3",
                                           "\xD0\xB0", "\xD0\xBB", "\xD1\x82", "\xD0\xB5",
                                           "\xD1\x80", "\xD0\xB8", "\xD1\x8F"};  // Бухгалтерия
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += kLetters[i % std::size(kLetters)];
    return out;
}

std::string error_message(const Response& r) {
    const auto d = parse(r.body);
    REQUIRE(d.HasMember("error"));
    return d["error"]["message"].GetString();
}

}  // namespace

TEST_CASE("text limits count characters, not bytes; invalid UTF-8 is refused", "[web]") {
    Env env;
    env.set_up();
    const auto c100 = cyrillic(100);
    const auto c200 = cyrillic(200);
    const auto c201 = cyrillic(201);
    REQUIRE(c100.size() == 200);  // at the old byte limit already

    auto r = env.as_admin("POST", "/api/devices",
                          R"({"address":"127.0.0.1","port":9,"location":")" + c100 + R"("})");
    REQUIRE(r.status == 201);
    const std::string id = parse(r.body)["device_id"].GetString();
    CHECK(parse(env.as_admin("GET", "/api/devices/" + id).body)["location"].GetString() == c100);

    r = env.as_admin("PUT", "/api/devices/" + id, R"({"location":")" + c200 + R"("})");
    CHECK(r.status == 200);
    r = env.as_admin("PUT", "/api/devices/" + id, R"({"location":")" + c201 + R"("})");
    CHECK(r.status == 400);
    CHECK(error_code(r) == "invalid_field");
    CHECK(error_message(r) == "location: longer than 200 characters");
    r = env.as_admin("POST", "/api/devices",
                     R"({"address":"127.0.0.2","port":9,"location":")" + c201 + R"("})");
    CHECK(r.status == 400);
    CHECK(env.count("SELECT count(*) FROM devices") == 1);
    CHECK(parse(env.as_admin("GET", "/api/devices/" + id).body)["location"].GetString() == c200);

    // Invalid UTF-8 (a cut sequence, an overlong '/') is refused, not stored.
    for (const char* bad : {"\xD0", "x\xC0\xAFy"}) {
        r = env.as_admin("PUT", "/api/devices/" + id,
                         std::string(R"({"location":")") + bad + "\"}");
        CHECK(r.status == 400);
        CHECK(error_message(r).rfind("the body is not valid UTF-8 (at byte ", 0) == 0);
    }
    CHECK(parse(env.as_admin("GET", "/api/devices/" + id).body)["location"].GetString() == c200);

    // Names of credential sets and API tokens.
    r = env.as_admin("POST", "/api/discovery/credentials",
                     R"({"name":")" + c100 + R"(","version":"2c","community":"public"})");
    REQUIRE(r.status == 201);
    const auto discovery = parse(env.as_admin("GET", "/api/discovery").body);  // outlives `creds`
    const auto creds = discovery["credentials"].GetArray();
    CHECK(std::any_of(creds.begin(), creds.end(),
                      [&](const auto& c) { return c["name"].GetString() == c100; }));
    r = env.as_admin("POST", "/api/discovery/credentials",
                     R"({"name":")" + c201 + R"(","version":"2c","community":"public"})");
    CHECK(r.status == 400);
    CHECK(error_message(r) == "name: longer than 200 characters");
    r = env.as_admin("POST", "/api/tokens", R"({"name":")" + c100 + R"("})");
    REQUIRE(r.status == 201);
    CHECK(parse(r.body)["name"].GetString() == c100);
    r = env.as_admin("POST", "/api/tokens", R"({"name":")" + c201 + R"("})");
    CHECK(r.status == 400);
    CHECK(parse(env.as_admin("GET", "/api/tokens").body)["tokens"].Size() == 1);
    CHECK(env.count("SELECT count(*) FROM credentials") == 2);  // "public" + ours

    // Passwords count characters too: five Cyrillic letters are 10 bytes but too short.
    const auto change = [&](const std::string& next) {
        return env.as_admin("POST", "/api/account/password",
                            std::string(R"({"current_password":")") + kPassword +
                                R"(","new_password":")" + next + R"("})");
    };
    r = change(cyrillic(5));
    CHECK(r.status == 400);
    CHECK(error_message(r) == "new_password: the password must have at least 10 characters");
    r = change(cyrillic(257));  // 514 bytes: the upper limit counts characters as well
    CHECK(r.status == 400);
    CHECK(error_message(r) == "new_password: the password must have at most 256 characters");
    CHECK(change(cyrillic(10)).status == 204);
}

TEST_CASE("discovery: ranges, exclusions, credential sets, schedule, discover now", "[web]") {
    Env env;
    env.set_up();
    CHECK(env.as_admin("POST", "/api/discovery/ranges", R"({"target":"10.0.0.0/33"})").status ==
          400);
    CHECK(env.as_admin("POST", "/api/discovery/ranges", R"({"target":"10.0.0.0/8"})").status ==
          400);  // more hosts than a sweep may scan
    CHECK(
        env.as_admin("POST", "/api/discovery/ranges", R"({"target":"10.0.0.9-10.0.0.1"})").status ==
        400);
    CHECK(env.as_admin("POST", "/api/discovery/ranges", R"({"target":42})").status == 400);
    auto r = env.as_admin("POST", "/api/discovery/ranges", R"({"target":"127.0.0.1/32"})");
    REQUIRE(r.status == 201);
    const std::string range_id = parse(r.body)["range_id"].GetString();
    REQUIRE(env.as_admin("POST", "/api/discovery/ranges", R"({"target":"10.0.0.7","exclude":true})")
                .status == 201);

    CHECK(env.as_admin("POST", "/api/discovery/credentials",
                       R"({"name":"v3","version":"3","auth_protocol":"SHA","auth_password":"x"})")
              .status == 400);
    CHECK(env.as_admin("POST", "/api/discovery/credentials",
                       R"({"name":"v3","version":"3","user":"u","priv_protocol":"AES",)"
                       R"("priv_password":"12345678"})")
              .status == 400);
    r = env.as_admin(
        "POST", "/api/discovery/credentials",
        R"({"name":"fleet v3","version":"3","user":"monitor","auth_protocol":"SHA-256",)"
        R"("auth_password":"authpass123","priv_protocol":"AES","priv_password":"privpass123"})");
    REQUIRE(r.status == 201);
    const std::string cred_id = parse(r.body)["credential_id"].GetString();

    const auto text = env.as_admin("GET", "/api/discovery").body;
    CHECK(text.find("authpass123") == std::string::npos);
    CHECK(text.find("privpass123") == std::string::npos);
    const auto disc = parse(text);
    CHECK(disc["ranges"].Size() == 2);
    CHECK(disc["credentials"].Size() == 2);  // "public" from the first migration + ours
    CHECK(disc["settings"]["discovery_interval_s"].GetInt() == 86400);

    CHECK(env.as_admin("PUT", "/api/settings", R"({"discovery_interval_s":60})").status == 400);
    CHECK(env.as_admin("PUT", "/api/settings", R"({"polling_interval_s":"abc"})").status == 400);
    r = env.as_admin("PUT", "/api/settings",
                     R"({"polling_interval_s":600,"discovery_interval_s":0})");
    REQUIRE(r.status == 200);
    CHECK(parse(r.body)["polling_interval_s"].GetInt() == 600);
    CHECK(parse(env.as_admin("GET", "/api/settings").body)["discovery_interval_s"].GetInt() == 0);

    r = env.as_admin("POST", "/api/discovery/run");
    CHECK((r.status == 202 || r.status == 409));
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    bool finished = false;
    while (!finished && std::chrono::steady_clock::now() < deadline) {
        const auto p = parse(env.as_admin("GET", "/api/discovery/progress").body);
        finished = !p["running"].GetBool() && p["runs_completed"].GetInt() >= 1;
        if (!finished) std::this_thread::sleep_for(50ms);  // polling a real run's progress
    }
    CHECK(finished);
    {
        const auto p = parse(env.as_admin("GET", "/api/discovery/progress").body);
        CHECK(p["hosts_unasked"].GetInt() == 0);
        CHECK(std::string(p["unasked_reason"].GetString()).empty());
        CHECK(std::string(p["error_code"].GetString()).empty());
    }

    CHECK(env.as_admin("DELETE", "/api/discovery/ranges/" + range_id).status == 204);
    CHECK(env.as_admin("DELETE", "/api/discovery/ranges/" + range_id).status == 404);
    // Discover now without a range: the progress says why nothing ran, as a code the page
    // words in the user's language.
    CHECK(env.as_admin("POST", "/api/discovery/run").status == 202);
    bool said = false;
    for (const auto until = std::chrono::steady_clock::now() + 20s;
         !said && std::chrono::steady_clock::now() < until;) {
        const auto p = parse(env.as_admin("GET", "/api/discovery/progress").body);
        said = std::string(p["error_code"].GetString()) == "no_ranges";
        if (!said) std::this_thread::sleep_for(50ms);  // the service's next tick
    }
    CHECK(said);
    CHECK(env.as_admin("DELETE", "/api/discovery/credentials/" + cred_id).status == 204);
    CHECK(env.as_admin("DELETE", "/api/discovery/credentials/bad").status == 404);
}

TEST_CASE("export: the v1 batch file the cloud imports, and CSV", "[web]") {
    Env env;
    env.set_up();
    // Two readings of one device, written as the service writes them.
    std::string device_id;
    {
        printmon::scanner::storage::Store store(env.db.conninfo());
        store.connect();
        const auto settings = store.load_settings();
        for (int i = 0; i < 2; ++i) {
            printmon::scanner::storage::PollResult p;
            p.result_id = printmon::proto::new_uuid();
            p.address = "10.1.2.3";
            p.polled_at = std::chrono::system_clock::time_point{} + 20000 * 24h + i * 1h;
            printmon::proto::DeviceSnapshot s;
            s.address = "10.1.2.3";
            s.polled_at = i == 0 ? "2024-10-04T00:00:00Z" : "2024-10-04T01:00:00Z";
            s.identity.vendor = "HP";
            s.identity.model = "LaserJet, \"M477\"";
            s.identity.serial = "CN123";
            s.counters["total"] = 1000 + i;
            p.snapshot = s;
            device_id = store.record(p, settings).device_id;
        }
    }
    REQUIRE(env.as_admin("PUT", "/api/devices/" + device_id, R"({"location":"=cmd|x"})").status ==
            200);

    auto r = env.as_admin("GET", "/api/export?scope=unsent&format=json");
    REQUIRE(r.status == 200);
    CHECK(r.headers.at("Content-Disposition").find("attachment;") == 0);
    CHECK(r.headers.at("X-Export-Readings") == "2");
    const auto doc = parse(r.body);
    CHECK(std::string(doc["format"].GetString()) == "printmon-export");
    CHECK(doc["version"].GetInt() == 1);
    REQUIRE(doc["batches"].Size() == 1);
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    doc["batches"][0].Accept(w);
    const auto batch = printmon::proto::parse_batch(std::string(buf.GetString(), buf.GetSize()));
    REQUIRE(batch.has_value());
    CHECK(batch->readings.size() == 2);
    REQUIRE(batch->devices.size() == 1);
    CHECK(batch->devices[0].location == "=cmd|x");
    CHECK(batch->readings[1].snapshot.counters.at("total") == 1001);

    r = env.as_admin("GET", "/api/export?scope=all&format=csv");
    REQUIRE(r.status == 200);
    CHECK(r.headers.at("Content-Type").find("text/csv") == 0);
    CHECK(r.body.find("reading_id,device_id,polled_at") == 0);
    CHECK(r.body.find("\"LaserJet, \"\"M477\"\"\"") != std::string::npos);
    CHECK(r.body.find(",\"'=cmd|x\",") != std::string::npos);  // no formula injection
    CHECK(r.body.find(",1001,") != std::string::npos);

    r = env.as_admin("GET", "/api/export?scope=range&from=2024-10-04&to=2024-10-04");
    CHECK(r.headers.at("X-Export-Readings") == "2");
    r = env.as_admin("GET", "/api/export?scope=range&from=2024-10-05&to=2024-10-06");
    CHECK(r.headers.at("X-Export-Readings") == "0");
    CHECK(parse(r.body)["batches"].Size() == 0);
    CHECK(env.as_admin("GET", "/api/export?scope=range&from=yesterday&to=2024-10-06").status ==
          400);
    CHECK(env.as_admin("GET", "/api/export?scope=range&from=2024-10-06&to=2024-10-01").status ==
          400);
    CHECK(env.as_admin("GET", "/api/export?scope=bogus").status == 400);
    CHECK(env.as_admin("GET", "/api/export?format=xml").status == 400);
}

TEST_CASE("cloud_url: plain http only to a loopback IP literal or exactly localhost", "[web]") {
    // Issue 14: the check took any host starting with "127." for this machine (so the key went
    // in clear to 127.attacker.example) and refused the IPv6 loopback.
    Env env;
    env.set_up();
    const auto put = [&](const std::string& url) {
        return env.as_admin("PUT", "/api/cloud",
                            R"({"cloud_url":")" + url + R"(","scanner_key":")" + kKey + "\"}");
    };
    const auto stored = [&] {
        return std::string(parse(env.as_admin("GET", "/api/cloud").body)["cloud_url"].GetString());
    };
    for (const char* url :
         {"http://127.attacker.example", "http://127.0.0.1.attacker.example:8080",
          "http://localhost.attacker.example", "http://127.0.0.1@attacker.example",
          "http://127.0.0.1:80@attacker.example/", "http://[::2]", "http://[::ffff:10.0.0.1]",
          "http://10.0.0.1", "http://[::1", "http://127.0.0.1:99999"}) {
        INFO(url);
        const auto r = put(url);
        CHECK(r.status == 400);
        CHECK(error_code(r) == "invalid_field");
        CHECK(error_message(r).rfind("cloud_url: ", 0) == 0);
        CHECK(stored().empty());
    }
    for (const char* url : {"http://127.0.0.1:9", "http://127.1.2.3", "http://[::1]",
                            "http://[::1]:8443/base", "http://localhost:1", "http://LOCALHOST",
                            "https://cloud.example", "https://[2001:db8::1]:443"}) {
        INFO(url);
        const auto r = put(url);
        CHECK(r.status == 200);
        CHECK(stored() == url);
    }
}

TEST_CASE("invalid UTF-8 or NUL anywhere in a body is a 400, never a 500", "[web]") {
    Env env;
    env.set_up();
    auto r = env.as_admin("POST", "/api/devices", R"({"address":"127.0.0.1","port":9})");
    REQUIRE(r.status == 201);
    const std::string id = parse(r.body)["device_id"].GetString();
    const std::vector<std::pair<std::string, std::string>> routes = {
        {"POST", "/api/tokens"},
        {"POST", "/api/devices"},
        {"PUT", "/api/devices/" + id},
        {"POST", "/api/discovery/ranges"},
        {"POST", "/api/discovery/credentials"},
        {"PUT", "/api/settings"},
        {"PUT", "/api/cloud"},
        {"POST", "/api/cloud/deactivate"},
        {"POST", "/api/account/password"},
    };
    const std::vector<std::string> bodies = {
        "{\"\xff\xfe\":1}",                                // in a member name
        "{\"name\":\"a\",\"x\":\"\xc3\"}",                 // in an unknown member
        "{\"address\":\"127.0.0.1\",\"port\":\"9\xff\"}",  // in a number sent as text
        "{\"target\":\"10.0.0.\xff\"}",
        "{\"ranges\":[\"\xff\"],\"target\":[\"\xc0\xaf\"]}",
        "{\"name\":\"a\\u0000b\",\"target\":\"10.0.0.1\\u0000\"}",
        "{\"\\u0000\":1}",
    };
    for (const auto& [method, path] : routes) {
        for (const auto& body : bodies) {
            INFO(method << " " << path << " " << body);
            r = env.as_admin(method, path, body);
            CHECK(r.status < 500);
            if (body.find_first_of("\xff\xc3\xc0") != std::string::npos) {
                CHECK(r.status == 400);
                CHECK(error_code(r) == "invalid_json");
                CHECK(error_message(r).find("not valid UTF-8") != std::string::npos);
            }
        }
    }
    // The sign-in routes too (no session needed).
    r = env.call("POST", "/api/auth/login", "{\"username\":\"admin\",\"password\":\"\xff\"}");
    CHECK(r.status == 400);
    CHECK(env.count("SELECT count(*) FROM devices") == 1);
}

TEST_CASE("cloud: enrol with key validation, deactivate against the cloud, forget", "[web]") {
    Env env;
    env.set_up();
    CHECK(env.as_admin("PUT", "/api/cloud",
                       R"({"cloud_url":"https://cloud.example","scanner_key":"abc"})")
              .status == 400);
    CHECK(
        env.as_admin(
               "PUT", "/api/cloud",
               R"({"cloud_url":"https://cloud.example","scanner_key":"pmk.x.secretsecretsecret"})")
            .status == 400);
    CHECK(env.as_admin("PUT", "/api/cloud",
                       std::string(R"({"cloud_url":"http://cloud.example","scanner_key":")") +
                           kKey + "\"}")
              .status == 400);  // plain HTTP only to localhost
    CHECK(env.as_admin("POST", "/api/cloud/deactivate").status == 409);  // nothing enrolled

    // The cloud's revoke endpoint, as a local peer.
    std::string seen_auth;
    int revokes = 0;
    unsigned answer = 204;
    printmon::net::Router cloud;
    cloud.post("/api/v1/scanners/self/revoke", [&](Request& r) {
        ++revokes;
        seen_auth = std::string(r.header("Authorization").value_or(""));
        return Response::empty(answer);
    });
    cloud.get("/healthz", [](Request&) { return Response::json(R"({"status":"ok"})"); });
    printmon::net::Server server({}, std::move(cloud));
    server.start();
    const auto url = "http://127.0.0.1:" + std::to_string(server.port());
    const auto enrol = [&] {
        return env.as_admin(
            "PUT", "/api/cloud",
            R"({"cloud_url":")" + url + R"(/","scanner_key":")" + kKey + R"(","test":true})");
    };

    auto r = enrol();
    REQUIRE(r.status == 200);
    auto cloud_state = parse(env.as_admin("GET", "/api/cloud").body);
    CHECK(cloud_state["enrolled"].GetBool());
    CHECK(std::string(cloud_state["cloud_url"].GetString()) == url);  // trailing '/' dropped
    CHECK(env.as_admin("GET", "/api/cloud").body.find("c2VjcmV0LXNlY3JldC1zZWNy") ==
          std::string::npos);
    CHECK(cloud_state["uploader"]["queue_length"].GetInt() == 0);

    SECTION("revoked by the cloud") {
        r = env.as_admin("POST", "/api/cloud/deactivate");
        REQUIRE(r.status == 200);
        CHECK(parse(r.body)["revoked"].GetBool());
        CHECK(seen_auth == std::string("Bearer ") + kKey);
        CHECK_FALSE(parse(env.as_admin("GET", "/api/cloud").body)["enrolled"].GetBool());
        // The change log names the cloud and the key's public prefix, never the key.
        const auto log = parse(env.as_admin("GET", "/api/audit?limit=2").body);
        REQUIRE(log["items"].Size() == 2);
        CHECK(std::string(log["items"][0]["action"].GetString()) == "cloud_key_deactivated");
        CHECK(std::string(log["items"][0]["detail"].GetString()) ==
              "key=pmk.0b8e7f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b.c2Vj…; revoked in the cloud");
        CHECK(std::string(log["items"][1]["action"].GetString()) == "cloud_key_set");
        CHECK(std::string(log["items"][1]["target"].GetString()) == url);
        CHECK(env.count("SELECT count(*) FROM web_audit_log WHERE position("
                        "'c2VjcmV0LXNlY3JldC1zZWNy' in target || detail) > 0") == 0);
    }
    SECTION("already revoked: 401 from the cloud clears the key too") {
        answer = 401;
        CHECK(env.as_admin("POST", "/api/cloud/deactivate").status == 200);
        CHECK_FALSE(parse(env.as_admin("GET", "/api/cloud").body)["enrolled"].GetBool());
    }
    SECTION("a cloud error keeps the key") {
        answer = 500;
        r = env.as_admin("POST", "/api/cloud/deactivate");
        CHECK(r.status == 502);
        CHECK(parse(env.as_admin("GET", "/api/cloud").body)["enrolled"].GetBool());
    }
    SECTION("cloud unreachable: error, then forget locally") {
        server.stop();
        r = env.as_admin("POST", "/api/cloud/deactivate");
        CHECK(r.status == 502);
        CHECK(error_code(r) == "cloud_unreachable");
        CHECK(parse(env.as_admin("GET", "/api/cloud").body)["enrolled"].GetBool());
        r = env.as_admin("POST", "/api/cloud/deactivate", R"({"forget_locally":true})");
        REQUIRE(r.status == 200);
        CHECK_FALSE(parse(r.body)["revoked"].GetBool());
        CHECK_FALSE(parse(env.as_admin("GET", "/api/cloud").body)["enrolled"].GetBool());
        CHECK(enrol().status == 502);  // the connection test fails now
    }
}

TEST_CASE("change log: each change by whom and from where, never a secret; pruned with events",
          "[web][audit]") {
    Env env;
    env.set_up();
    // A wrong password for the admin from another address; a name nobody has: nothing.
    CHECK(env.call("POST", "/api/auth/login", R"({"username":"admin","password":"Wr0ng-Guess-1"})",
                   {}, "127.0.0.9")
              .status == 401);
    CHECK(env.call("POST", "/api/auth/login",
                   R"({"username":"Typed-P4ssword-As-Name","password":"x"})", {}, "127.0.0.9")
              .status == 401);
    const auto login =
        env.call("POST", "/api/auth/login",
                 std::string(R"({"username":"admin","password":")") + kPassword + R"("})");
    REQUIRE(login.status == 200);
    env.take_session(login);

    const auto created = [&](const std::string& path, const std::string& body, const char* id) {
        const auto r = env.as_admin("POST", path, body);
        INFO(path << " " << body << ": " << r.body);
        REQUIRE(r.status == 201);
        return std::string(parse(r.body)[id].GetString());
    };
    const auto v2 =
        created("/api/discovery/credentials",
                R"({"name":"branch","version":"2c","community":"Br4nch-Secret"})", "credential_id");
    const auto v3 = created(
        "/api/discovery/credentials",
        R"({"name":"mfp v3","version":"3","user":"monitor","auth_protocol":"SHA-256",)"
        R"("auth_password":"Auth-Pass-123","priv_protocol":"AES","priv_password":"Priv-Pass-456"})",
        "credential_id");
    const auto range =
        created("/api/discovery/ranges",
                R"({"target":"127.0.3.0/30","credential_ids":[")" + v2 + R"("]})", "range_id");
    const auto exclusion =
        created("/api/discovery/ranges", R"({"target":"127.0.3.2","exclude":true})", "range_id");
    REQUIRE(env.as_admin("PUT", "/api/discovery/ranges/" + range,
                         R"({"credential_ids":[")" + v3 + R"(",")" + v2 + R"("]})")
                .status == 200);
    REQUIRE(env.as_admin("DELETE", "/api/discovery/ranges/" + exclusion).status == 204);
    REQUIRE(env.as_admin("DELETE", "/api/discovery/ranges/" + range).status == 204);
    REQUIRE(env.as_admin("DELETE", "/api/discovery/credentials/" + v2).status == 204);
    REQUIRE(env.as_admin("PUT", "/api/settings", R"({"polling_interval_s":600})").status == 200);
    // The same again changes nothing, and says nothing.
    REQUIRE(env.as_admin("PUT", "/api/settings", R"({"polling_interval_s":600})").status == 200);
    const auto device = created(
        "/api/devices", R"({"address":"127.0.0.1","port":1161,"location":"Склад"})", "device_id");
    REQUIRE(env.as_admin("PUT", "/api/devices/" + device, R"({"location":"Бухгалтерия, 2 этаж"})")
                .status == 200);
    REQUIRE(env.as_admin("DELETE", "/api/devices/" + device).status == 204);
    const auto token_answer = env.as_admin("POST", "/api/tokens", R"({"name":"1С выгрузка"})");
    REQUIRE(token_answer.status == 201);
    const std::string token = parse(token_answer.body)["token"].GetString();
    // A change by the API token: the token is the actor.
    REQUIRE(env.call("PUT", "/api/settings", R"({"discovery_interval_s":0})",
                     {{"Authorization", "Bearer " + token}}, "127.0.0.7")
                .status == 200);
    REQUIRE(env.as_admin("GET", "/api/export?scope=all&format=csv").status == 200);
    REQUIRE(env.as_admin("POST", "/api/account/password",
                         std::string(R"({"current_password":")") + kPassword +
                             R"(","new_password":"N3w-Password-789"})")
                .status == 204);

    const auto page = env.as_admin("GET", "/api/audit?limit=100");
    INFO(page.body);
    REQUIRE(page.status == 200);
    const auto log = parse(page.body);
    std::vector<std::string> actions;
    for (const auto& e : log["items"].GetArray()) actions.emplace_back(e["action"].GetString());
    CHECK(actions == std::vector<std::string>{
                         "password_changed", "data_exported", "settings_changed", "token_created",
                         "device_deleted", "device_updated", "device_added", "settings_changed",
                         "credential_deleted", "range_deleted", "exclusion_deleted",
                         "range_updated", "exclusion_added", "range_added", "credential_added",
                         "credential_added", "signed_in", "sign_in_failed", "setup_done"});
    CHECK(log["total"].GetInt() == static_cast<int>(actions.size()));
    const auto item = [&](std::size_t i, const char* field) {
        return std::string(log["items"][static_cast<rapidjson::SizeType>(i)][field].GetString());
    };
    CHECK(item(0, "actor") == "admin");
    CHECK(item(0, "actor_kind") == "user");
    CHECK(item(0, "address") == "127.0.0.1");
    CHECK(item(1, "detail") == "format=csv; readings=0");
    CHECK(item(2, "actor_kind") == "token");
    CHECK(item(2, "actor") == "1С выгрузка");
    CHECK(item(2, "address") == "127.0.0.7");
    CHECK(item(2, "detail") == "discovery_interval_s: 86400 → 0");
    CHECK(item(4, "target") == "127.0.0.1:1161");
    CHECK(item(5, "detail") == "location: Склад → Бухгалтерия, 2 этаж");
    CHECK(item(6, "detail") == "location=Склад");
    CHECK(item(7, "detail") == "polling_interval_s: 300 → 600");
    CHECK(item(8, "target") == "branch");
    CHECK(item(11, "target") == "127.0.3.0/30");
    CHECK(item(11, "detail") == "credential_sets=branch → mfp v3, branch");
    CHECK(item(13, "detail") == "credential_sets=branch");
    CHECK(item(14, "detail") == "version=3; user=monitor");
    CHECK(item(15, "detail") == "version=2c");
    CHECK(item(17, "actor_kind") == "anonymous");
    CHECK(item(17, "target") == "admin");
    CHECK(item(17, "address") == "127.0.0.9");
    // No secret anywhere: passwords (tried, old, new), community, pass phrases, the token, nor
    // the name typed by a user nobody has.
    for (const auto* secret :
         {"Wr0ng-Guess-1", kPassword, "N3w-Password-789", "Br4nch-Secret", "Auth-Pass-123",
          "Priv-Pass-456", token.c_str(), "Typed-P4ssword-As-Name"}) {
        CAPTURE(secret);
        CHECK(page.body.find(secret) == std::string::npos);
        CHECK(env.count("SELECT count(*) FROM web_audit_log WHERE position($q$" +
                        std::string(secret) + "$q$ in actor || target || detail) > 0") == 0);
    }

    // One action; a page of it; bad queries.
    const auto only = parse(env.as_admin("GET", "/api/audit?action=credential_added").body);
    CHECK(only["total"].GetInt() == 2);
    const auto second = parse(env.as_admin("GET", "/api/audit?limit=2&offset=1").body);
    REQUIRE(second["items"].Size() == 2);
    CHECK(std::string(second["items"][0]["action"].GetString()) == "data_exported");
    CHECK(second["total"].GetInt() == static_cast<int>(actions.size()));
    for (const auto* bad : {"limit=0", "limit=201", "offset=-1", "action=Bad", "limit=x"}) {
        CAPTURE(bad);
        CHECK(env.as_admin("GET", std::string("/api/audit?") + bad).status == 400);
    }

    // Kept as long as the events (400 days by default); older entries go with them.
    REQUIRE(env.change("UPDATE web_audit_log SET at = now() - interval '401 days' WHERE action "
                       "IN ('setup_done', 'sign_in_failed')") == 2);
    printmon::scanner::storage::Store store(env.db.conninfo());
    store.connect();
    const auto counts =
        printmon::scanner::storage::prune_all(store, {}, std::chrono::system_clock::now());
    CHECK(counts.audit_deleted == 2);
    CHECK(env.count("SELECT count(*) FROM web_audit_log") ==
          static_cast<long long>(actions.size()) - 2);
}

TEST_CASE("account: change password, API tokens for scripts, status", "[web]") {
    Env env;
    env.set_up();
    CHECK(env.as_admin("POST", "/api/account/password",
                       R"({"current_password":"wrong-password","new_password":"new-password-1"})")
              .status == 403);
    CHECK(env.as_admin("POST", "/api/account/password",
                       std::string(R"({"current_password":")") + kPassword +
                           R"(","new_password":"short"})")
              .status == 400);
    CHECK(env.as_admin("POST", "/api/account/password",
                       std::string(R"({"current_password":")") + kPassword +
                           R"(","new_password":"new-password-1"})")
              .status == 204);
    CHECK(env.as_admin("GET", "/api/devices").status == 200);  // this session survives
    CHECK(env.call("POST", "/api/auth/login", std::string(R"({"password":")") + kPassword + "\"}")
              .status == 401);
    CHECK(env.call("POST", "/api/auth/login", R"({"password":"new-password-1"})").status == 200);

    auto r = env.as_admin("POST", "/api/tokens", R"({"name":"inventory script"})");
    REQUIRE(r.status == 201);
    const std::string token = parse(r.body)["token"].GetString();
    const std::string token_id = parse(r.body)["token_id"].GetString();
    CHECK(token.rfind("pmt_", 0) == 0);
    const printmon::net::Headers bearer{{"Authorization", "Bearer " + token}};
    CHECK(env.call("GET", "/api/devices", "", bearer).status == 200);
    // Scripts need no CSRF token (browsers never send the header on their own).
    CHECK(env.call("PUT", "/api/settings", R"({"polling_interval_s":120})", bearer).status == 200);
    const auto tokens = parse(env.as_admin("GET", "/api/tokens").body);
    REQUIRE(tokens["tokens"].Size() == 1);
    CHECK(tokens["tokens"][0]["last_used_at"].IsString());
    CHECK(env.as_admin("DELETE", "/api/tokens/" + token_id).status == 204);
    CHECK(env.call("GET", "/api/devices", "", bearer).status == 401);

    const auto status = parse(env.as_admin("GET", "/api/status").body);
    CHECK(std::string(status["version"].GetString()) == PRINTMON_VERSION);
    CHECK(status["database"]["ok"].GetBool());
    CHECK(printmon::proto::is_uuid(status["scanner_id"].GetString()));
    CHECK(status["uptime_s"].GetInt64() >= 0);
    CHECK(status["database"]["size_bytes"].GetInt64() > 0);
    // The retention settings as configured (defaults here); a pass only after a minute.
    const auto& retention = status["retention"];
    CHECK(retention["enabled"].GetBool());
    CHECK(retention["raw_age_s"].GetInt64() == 30 * 86400);
    CHECK(retention["daily_age_s"].GetInt64() == 400 * 86400);
    CHECK(retention["events_age_s"].GetInt64() == 400 * 86400);
    CHECK(retention["batches_age_s"].GetInt64() == 30 * 86400);
    CHECK(retention["interval_s"].GetInt64() == 3600);
    CHECK(retention["last_pass"].IsNull() == (retention["passes"].GetInt64() == 0));
    CHECK(std::string(retention["last_error"].GetString()).empty());
}

TEST_CASE("over HTTP: oversized and malformed requests are refused, the server keeps going",
          "[web]") {
    Env env;
    env.set_up();
    auto options = web::WebApp::server_options(env.app.options());
    options.port = 0;
    printmon::net::Server server(options, env.app.router());
    server.start();
    const auto base = "http://127.0.0.1:" + std::to_string(server.port());
    printmon::net::HttpClient client;
    const printmon::net::Headers h{
        {"Cookie", env.cookie}, {"X-CSRF-Token", env.csrf}, {"Content-Type", "application/json"}};

    auto r = client.post(base + "/api/devices", std::string(200 * 1024, 'x'), h);
    REQUIRE(r.has_value());
    CHECK(r->status == 413);
    r = client.post(base + "/api/devices", "{\"address\":", h);
    REQUIRE(r.has_value());
    CHECK(r->status == 400);
    r = client.get(base + "/static/app.css");
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK(r->headers["Content-Type"].find("text/css") == 0);
    const auto etag = r->headers["ETag"];
    CHECK_FALSE(etag.empty());
    r = client.get(base + "/static/app.css", {{"If-None-Match", etag}});
    CHECK(r->status == 304);
    // The UI's catalogues: JSON (UTF-8 by definition), embedded like every file in scanner/web.
    for (const char* lang : {"en", "ru"}) {
        r = client.get(base + "/static/i18n-" + lang + ".json");
        REQUIRE(r.has_value());
        CHECK(r->status == 200);
        CHECK(r->headers["Content-Type"].find("application/json") == 0);
        CHECK(r->headers["Content-Security-Policy"].find("script-src 'self';") !=
              std::string::npos);
        CHECK(parse(r->body).IsObject());
    }
    r = client.get(base + "/static/missing.js");
    CHECK(r->status == 404);
    r = client.get(base + "/devices");
    CHECK(r->status == 303);
    r = client.get(base + "/login");
    CHECK(r->status == 200);
    CHECK(r->headers["Content-Security-Policy"].find("default-src 'self'") == 0);
    r = client.get(base + "/api/status", {{"Cookie", env.cookie}});
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    server.stop();
}

TEST_CASE("discovery ranges name credential sets; unknown ids refused, nothing half-saved",
          "[web]") {
    Env env;
    env.set_up();
    const auto add_set = [&](const std::string& body) {
        const auto r = env.as_admin("POST", "/api/discovery/credentials", body);
        REQUIRE(r.status == 201);
        return std::string(parse(r.body)["credential_id"].GetString());
    };
    const auto a = add_set(R"({"name":"branch","version":"2c","community":"Br4nch-Secret"})");
    const auto b = add_set(
        R"({"name":"mfp v3","version":"3","user":"monitor","auth_protocol":"SHA-256",)"
        R"("auth_password":"authpass123","priv_protocol":"AES","priv_password":"privpass123",)"
        R"("context":"MFP"})");
    // Loopback ranges only: adding a range may start the scheduled discovery right away.
    const auto ranges = [&] { return env.count("SELECT count(*) FROM discovery_ranges"); };
    const auto links = [&] { return env.count("SELECT count(*) FROM range_credentials"); };

    // Bad lists: 400 with the field named, and no range written.
    const std::string unknown = printmon::proto::new_uuid();
    for (const auto& [body, detail] : std::vector<std::pair<std::string, std::string>>{
             {R"({"target":"127.0.3.0/30","credential_ids":[")" + a + R"(",")" + unknown + R"("]})",
              "credential_ids: no such credential set: " + unknown},
             {R"({"target":"127.0.3.0/30","credential_ids":["nope"]})",
              "credential_ids: no such credential set: nope"},
             {R"({"target":"127.0.3.0/30","credential_ids":")" + a + R"("})",
              "credential_ids: must be an array of credential set ids"},
             {R"({"target":"127.0.3.0/30","credential_ids":[42]})",
              "credential_ids: must be an array of credential set ids"},
             {R"({"target":"127.0.3.0/30","credential_ids":[")" + a + R"(",")" + a + R"("]})",
              "credential_ids: names " + a + " twice"},
             {R"({"target":"127.0.3.9","exclude":true,"credential_ids":[")" + a + R"("]})",
              "credential_ids: an exclusion is not scanned: it takes no sets"},
         }) {
        CAPTURE(body);
        const auto r = env.as_admin("POST", "/api/discovery/ranges", body);
        CHECK(r.status == 400);
        CHECK(error_code(r) == "invalid_field");
        CHECK(error_message(r) == detail);
    }
    CHECK(ranges() == 0);
    CHECK(links() == 0);

    auto r = env.as_admin(
        "POST", "/api/discovery/ranges",
        R"({"target":"127.0.3.0/30","credential_ids":[")" + b + R"(",")" + a + R"("]})");
    REQUIRE(r.status == 201);
    const std::string range_id = parse(r.body)["range_id"].GetString();
    REQUIRE(env.as_admin("POST", "/api/discovery/ranges", R"({"target":"127.0.3.8/30"})").status ==
            201);
    auto text = env.as_admin("GET", "/api/discovery").body;
    auto disc = parse(text);
    REQUIRE(disc["ranges"].Size() == 2);
    const auto& first = disc["ranges"][0];
    CHECK(std::string(first["range_id"].GetString()) == range_id);
    REQUIRE(first["credential_ids"].Size() == 2);
    CHECK(std::string(first["credential_ids"][0].GetString()) == b);  // in the order given
    CHECK(std::string(first["credential_ids"][1].GetString()) == a);
    CHECK(disc["ranges"][1]["credential_ids"].Size() == 0);  // the global sets
    for (const auto& c : disc["credentials"].GetArray()) {
        CHECK(c["secrets_readable"].GetBool());
        if (std::string(c["credential_id"].GetString()) == b) {
            CHECK(std::string(c["context"].GetString()) == "MFP");
            REQUIRE(c["range_ids"].Size() == 1);
            CHECK(std::string(c["range_ids"][0].GetString()) == range_id);
        }
    }
    // Secrets never come back, and the table holds none in plain text.
    for (const char* secret : {"Br4nch-Secret", "authpass123", "privpass123"}) {
        CAPTURE(secret);
        CHECK(text.find(secret) == std::string::npos);
        CHECK(env.count(std::string("SELECT count(*) FROM credentials WHERE credentials::text "
                                    "LIKE '%") +
                        secret + "%'") == 0);
    }

    // Replacing a range's list: all or nothing.
    r = env.as_admin("PUT", "/api/discovery/ranges/" + range_id,
                     R"({"credential_ids":[")" + a + R"(",")" + unknown + R"("]})");
    CHECK(r.status == 400);
    CHECK(links() == 2);
    CHECK(env.as_admin("PUT", "/api/discovery/ranges/" + range_id, R"({})").status == 400);
    CHECK(env.as_admin("PUT", "/api/discovery/ranges/" + unknown, R"({"credential_ids":[]})")
              .status == 404);
    r = env.as_admin("PUT", "/api/discovery/ranges/" + range_id,
                     R"({"credential_ids":[")" + a + R"("]})");
    REQUIRE(r.status == 200);
    CHECK(parse(r.body)["credential_ids"].Size() == 1);
    disc = parse(env.as_admin("GET", "/api/discovery").body);
    CHECK(std::string(disc["ranges"][0]["credential_ids"][0].GetString()) == a);

    // A set a range names is not deleted from under it.
    r = env.as_admin("DELETE", "/api/discovery/credentials/" + a);
    CHECK(r.status == 409);
    CHECK(error_code(r) == "in_use");
    CHECK(env.count("SELECT count(*) FROM credentials WHERE credential_id = '" + a + "'") == 1);
    CHECK(env.as_admin("PUT", "/api/discovery/ranges/" + range_id, R"({"credential_ids":[]})")
              .status == 200);
    CHECK(env.as_admin("DELETE", "/api/discovery/credentials/" + a).status == 204);

    // A set sealed with another key file shows as unreadable (never its secrets).
    {
        auto conn = env.db.connect();
        pqxx::work tx(conn.raw());
        tx.exec_params(
            "UPDATE credentials SET secret_key_id = 'feedfacefeedface' WHERE "
            "credential_id = $1",
            b);
        tx.commit();
    }
    disc = parse(env.as_admin("GET", "/api/discovery").body);
    for (const auto& c : disc["credentials"].GetArray()) {
        CHECK(c["secrets_readable"].GetBool() ==
              (std::string(c["credential_id"].GetString()) != b));
    }
}

TEST_CASE("SNMPv3 context names: at most 32 bytes, SNMPv3 only", "[web]") {
    Env env;
    env.set_up();
    const auto v3 = [](const std::string& context) {
        return R"({"name":"v3","version":"3","user":"u","auth_protocol":"SHA",)"
               R"("auth_password":"authpass123","context":")" +
               context + R"("})";
    };
    CHECK(env.as_admin("POST", "/api/discovery/credentials", v3(std::string(32, 'c'))).status ==
          201);
    auto r = env.as_admin("POST", "/api/discovery/credentials", v3(std::string(33, 'c')));
    CHECK(r.status == 400);
    CHECK(error_message(r) == "context: must have at most 32 bytes (RFC 3411)");
    // Octets, not characters: 16 Cyrillic letters are 32 bytes, 17 are 34.
    std::string cyr;
    for (int i = 0; i < 16; ++i) cyr += "\xd0\xbf";
    CHECK(env.as_admin("POST", "/api/discovery/credentials", v3(cyr)).status == 201);
    CHECK(env.as_admin("POST", "/api/discovery/credentials", v3(cyr + "\xd0\xbf")).status == 400);
    r = env.as_admin("POST", "/api/discovery/credentials",
                     R"({"name":"v2","version":"2c","community":"x","context":"MFP"})");
    CHECK(r.status == 400);
    CHECK(error_message(r) == "context: is only used by SNMPv3");
    CHECK(env.count("SELECT count(*) FROM credentials") == 3);  // "public" + the two good ones
}

namespace {

// The headers every answer of the UI carries, errors included.
void check_security_headers(const printmon::net::Headers& headers) {
    const auto has = [&](const char* name) {
        const auto it = headers.find(name);
        return it != headers.end() && !it->second.empty();
    };
    CHECK(has("Content-Security-Policy"));
    CHECK(has("X-Content-Type-Options"));
    CHECK(has("X-Frame-Options"));
    CHECK(has("Referrer-Policy"));
}

}  // namespace

// Issue 14 item 11: answers the router and the server make themselves (404, 405, 401 from the
// before-hook, 413, 431) lacked the security headers the pages have.
TEST_CASE("error answers carry the security headers", "[web]") {
    Env env;
    env.set_up();
    for (const auto& [method, target, status] :
         std::vector<std::tuple<std::string, std::string, unsigned>>{{"GET", "/api/nope", 404},
                                                                     {"PATCH", "/api/devices", 405},
                                                                     {"GET", "/api/devices", 401},
                                                                     {"GET", "/%zz", 400}}) {
        INFO(method << " " << target);
        const auto r = env.call(method, target);
        CHECK(r.status == status);
        check_security_headers(r.headers);
    }

    auto options = web::WebApp::server_options(env.app.options());
    options.port = 0;
    printmon::net::Server server(options, env.app.router());
    server.start();
    const auto base = "http://127.0.0.1:" + std::to_string(server.port());
    printmon::net::HttpClient client;
    const printmon::net::Headers h{
        {"Cookie", env.cookie}, {"X-CSRF-Token", env.csrf}, {"Content-Type", "application/json"}};
    auto r = client.post(base + "/api/devices", std::string(200 * 1024, 'x'), h);
    REQUIRE(r.has_value());
    CHECK(r->status == 413);
    check_security_headers(r->headers);
    r = client.get(base + "/api/nope");
    REQUIRE(r.has_value());
    CHECK(r->status == 404);
    check_security_headers(r->headers);
    server.stop();
}

// Issue 14 item 11: "contains application/json" let text/plain;charset=application/json (a
// type a cross-site form can send without a preflight) through.
TEST_CASE("JSON bodies need exactly the application/json media type", "[web]") {
    Env env;
    env.set_up();
    const std::string body = R"({"address":"10.9.8.7"})";
    const auto post = [&](const std::string& type) {
        printmon::net::Headers h{
            {"Cookie", env.cookie}, {"X-CSRF-Token", env.csrf}, {"Content-Type", type}};
        return env.call("POST", "/api/devices", body, h).status;
    };
    CHECK(post("text/plain;charset=application/json") == 415);
    CHECK(post("text/plain; application/json") == 415);
    CHECK(post("application/jsonx") == 415);
    CHECK(post("application/json-seq") == 415);
    CHECK(post("multipart/form-data; boundary=application/json") == 415);
    CHECK(post("Application/JSON; charset=utf-8") == 201);
}

// Issue 14 item 2: the first-visit setup accepted a request whose Host and Origin were both a
// foreign name (DNS rebinding: a web page whose name resolves to the scanner) and a
// text/plain;charset=application/json body. Whoever comes first would own the scanner.
TEST_CASE("setup and login refuse foreign hosts, foreign origins and non-JSON types", "[web]") {
    auto options = Env::test_options();
    options.allowed_hosts = {"printmon.branch.example"};
    Env env(options);
    const std::string body = std::string(R"({"password":")") + kPassword + R"("})";
    const auto setup = [&](printmon::net::Headers h) {
        if (!h.count("Content-Type")) h["Content-Type"] = "application/json";
        return env.call("POST", "/api/auth/setup", body, h);
    };
    // DNS rebinding: name and origin agree, but the name is not the scanner's.
    auto r = setup({{"Host", "evil.example"}, {"Origin", "http://evil.example"}});
    CHECK(r.status == 403);
    CHECK(error_code(r) == "unknown_host");
    r = setup({{"Host", "evil.example:8080"}});
    CHECK(r.status == 403);
    // A foreign origin posting to the scanner's own name.
    r = setup({{"Host", "127.0.0.1:8080"}, {"Origin", "http://evil.example"}});
    CHECK(r.status == 403);
    CHECK(error_code(r) == "cross_origin");
    r = setup({{"Host", "127.0.0.1:8080"}, {"Origin", "null"}});
    CHECK(r.status == 403);
    r = setup({{"Host", "127.0.0.1:8080"}, {"Sec-Fetch-Site", "cross-site"}});
    CHECK(r.status == 403);
    // The content type a cross-site form or a no-preflight fetch can send.
    r = setup({{"Host", "127.0.0.1:8080"},
               {"Origin", "http://127.0.0.1:8080"},
               {"Content-Type", "text/plain;charset=application/json"}});
    CHECK(r.status == 415);
    CHECK(env.count("SELECT count(*) FROM web_users") == 0);
    // Login has the same guard.
    r = env.call("POST", "/api/auth/login", body,
                 {{"Host", "evil.example"}, {"Content-Type", "application/json"}});
    CHECK(r.status == 403);

    // The scanner's names: IP literals, localhost, the configured allowed_hosts.
    // A too-short password shows the request got past the guards.
    for (const std::string host :
         {"localhost:8080", "[::1]:8080", "10.1.2.3", "PrintMon.Branch.Example"}) {
        INFO(host);
        r = env.call("POST", "/api/auth/setup", R"({"password":"short"})",
                     {{"Host", host},
                      {"Origin", "http://" + host},
                      {"Sec-Fetch-Site", "same-origin"},
                      {"Content-Type", "application/json"}});
        CHECK(r.status == 400);
        CHECK(error_code(r) == "invalid_field");
    }
    r = setup({{"Host", "printmon.branch.example:8080"},
               {"Origin", "http://printmon.branch.example:8080"}});
    CHECK(r.status == 201);
}

// Issue 14 item 2 (second half): beyond loopback, whoever reached the UI first could claim
// it. First-run setup now also needs the one-time code the scanner wrote to a file only its
// service account (and root) can read; a request without it or with a wrong one is refused.
TEST_CASE("setup beyond loopback needs the one-time setup code", "[web]") {
    namespace fs = std::filesystem;
    printmon::test::TempDir codes;
    auto options = Env::test_options();
    options.address = "0.0.0.0";
    options.setup_code_file = (codes.path / "scanner-setup-code").string();
    Env env(options);
    const auto& file = options.setup_code_file;
    REQUIRE(fs::exists(file));
    CHECK((fs::status(file).permissions() & (fs::perms::group_all | fs::perms::others_all)) ==
          fs::perms::none);
    std::string code;
    {
        std::ifstream in(file);
        std::getline(in, code);
    }
    CHECK(std::regex_match(code, std::regex("[0-9a-f]{24}")));

    auto state = parse(env.call("GET", "/api/auth/state").body);
    CHECK(state["setup_code_required"].GetBool());
    CHECK(std::string(state["setup_code_file"].GetString()) == file);

    const auto setup = [&](const std::string& extra, const std::string& remote) {
        return env.call("POST", "/api/auth/setup",
                        std::string(R"({"password":")") + kPassword + "\"" + extra + "}", {},
                        remote);
    };
    auto r = setup("", "10.9.8.7");
    CHECK(r.status == 403);
    CHECK(error_code(r) == "setup_code_required");
    CHECK(error_message(r).find(file) != std::string::npos);
    r = setup(R"(,"setup_code":"")", "10.9.8.7");
    CHECK(error_code(r) == "setup_code_required");
    r = setup(R"(,"setup_code":"000000000000000000000000")", "10.9.8.7");
    CHECK(r.status == 403);
    CHECK(error_code(r) == "bad_setup_code");
    CHECK(env.count("SELECT count(*) FROM web_users") == 0);

    // Wrong codes count as failed sign-ins: after login_max_failures (3) from one address even
    // the right code is refused there for the window.
    CHECK(error_code(setup(R"(,"setup_code":"x")", "10.9.8.7")) == "bad_setup_code");
    CHECK(error_code(setup(R"(,"setup_code":"y")", "10.9.8.7")) == "bad_setup_code");
    r = setup(R"(,"setup_code":")" + code + "\"", "10.9.8.7");
    CHECK(r.status == 429);
    CHECK(r.headers.count("Retry-After") == 1);
    CHECK(env.count("SELECT count(*) FROM web_users") == 0);

    // The right code from another address (copied with spaces, in capitals) sets the password.
    std::string upper = code;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    r = setup(R"(,"setup_code":" )" + upper + " \"", "10.9.8.6");
    CHECK(r.status == 201);
    CHECK(env.count("SELECT count(*) FROM web_users") == 1);

    // Consumed: the file is gone and the code opens nothing any more.
    CHECK_FALSE(fs::exists(file));
    r = setup(R"(,"setup_code":")" + code + "\"", "10.9.8.5");
    CHECK(r.status == 409);
    state = parse(env.call("GET", "/api/auth/state").body);
    CHECK_FALSE(state["setup_code_required"].GetBool());
    CHECK(state["setup_code_file"].IsNull());

    // A restart with the account in place issues no new code.
    web::WebApp again(options, env.pool, env.service, env.clock);
    CHECK_FALSE(fs::exists(file));
}

TEST_CASE("setup on loopback needs no setup code and writes no file", "[web]") {
    printmon::test::TempDir codes;
    auto options = Env::test_options();
    options.setup_code_file = (codes.path / "scanner-setup-code").string();
    Env env(options);
    CHECK_FALSE(std::filesystem::exists(options.setup_code_file));
    CHECK_FALSE(parse(env.call("GET", "/api/auth/state").body)["setup_code_required"].GetBool());
    env.set_up();
}

TEST_CASE("alerts: the branch's open problems from its own database, without the cloud", "[web]") {
    Env env;
    env.set_up();
    namespace st = printmon::scanner::storage;
    namespace proto = printmon::proto;
    st::Store store(env.db.conninfo());
    store.connect();
    const auto settings = store.load_settings();
    const auto t0 = std::chrono::system_clock::now() - 3h;
    // Written as the service writes polls, so the events are the real transitions.
    const auto poll = [&](const std::string& address, std::chrono::minutes at,
                          std::vector<std::string> errors, std::optional<int> black,
                          bool tray_empty, bool jam_row, std::optional<std::string> id = {},
                          bool low_without_level = false, std::string tray_type = {}) {
        st::PollResult p;
        p.result_id = proto::new_uuid();
        p.device_id = id;
        p.address = address;
        p.polled_at = t0 + at;
        proto::DeviceSnapshot s;
        s.address = address;
        s.polled_at = proto::format_rfc3339(p.polled_at);
        s.identity.vendor = "Kyocera";
        s.identity.model = "ECOSYS M2540dn";
        s.identity.serial = "SN-" + address;
        s.status.errors = std::move(errors);
        if (jam_row) s.status.alerts.push_back({"critical", "media_path", 8, "Paper jam"});
        // An open front door comes with the jam (prtCoverTable): a cover event, critical.
        if (jam_row) s.covers.push_back({"Front Door", proto::CoverState::open});
        proto::Supply toner;
        toner.description = "Black Toner";
        toner.type = "toner";
        toner.color = "black";
        toner.unit = "percent";
        toner.level_percent = black;
        toner.state = black ? proto::SupplyState::ok : proto::SupplyState::empty;
        // Ricoh's "almost empty" (-100), Brother's coded levels: low, with no percentage.
        if (low_without_level) toner.state = proto::SupplyState::low;
        s.supplies.push_back(toner);
        proto::Supply waste;  // not consumed: never "low"
        waste.description = "Waste Toner Box";
        waste.type = "waste_toner";
        waste.supply_class = proto::SupplyClass::receptacle;
        waste.level_percent = 0;
        s.supplies.push_back(waste);
        proto::Tray tray;
        tray.name = "tray-2";
        tray.description = "Cassette 2";
        tray.state = tray_empty ? proto::TrayState::empty : proto::TrayState::ok;
        tray.type = std::move(tray_type);
        s.trays.push_back(tray);
        s.counters["total"] = 1000;
        p.snapshot = s;
        return store.record(p, settings).device_id;
    };
    // A: jammed with an alert-table row and an empty tray; then the jam clears (the row
    // stays).
    const auto a = poll("10.9.0.1", 0min, {"jammed"}, 50, true, true);
    poll("10.9.0.1", 10min, {}, 50, true, true, a);
    // B: toner at 8 %, then unreadable and reported empty.
    const auto b = poll("10.9.0.2", 0min, {}, 8, false, false);
    // C: fine, then two failed polls: offline.
    const auto c = poll("10.9.0.3", 0min, {}, 90, false, false);
    for (int i = 1; i <= 2; ++i) {
        st::PollResult p;
        p.result_id = proto::new_uuid();
        p.device_id = c;
        p.address = "10.9.0.3";
        p.polled_at = t0 + i * 5min;
        p.error = "timeout";
        store.record(p, settings);
    }

    auto r = env.as_admin("GET", "/api/alerts");
    REQUIRE(r.status == 200);
    auto doc = parse(r.body);
    CHECK(doc["supply_percent"].GetInt() == 10);
    std::multiset<std::string> found;
    for (const auto& x : doc["alerts"].GetArray()) {
        const std::string id = x["device_id"].GetString();
        const std::string who = id == a ? "A" : id == b ? "B" : id == c ? "C" : "?";
        found.insert(who + ":" + x["kind"].GetString() + ":" + x["code"].GetString());
        CHECK(std::string(x["since"].GetString()).size() >= 20);
        if (std::string(x["kind"].GetString()) == "supply_low") {
            CHECK(x["level_percent"].GetInt() == 8);
            CHECK(std::string(x["severity"].GetString()) == "warning");
        }
        if (std::string(x["kind"].GetString()) == "cover") {
            CHECK(std::string(x["severity"].GetString()) == "critical");
            CHECK(std::string(x["detail"].GetString()) == "Front Door");
        }
        if (std::string(x["kind"].GetString()) == "offline") {
            CHECK(std::string(x["severity"].GetString()) == "critical");
            CHECK(std::string(x["vendor"].GetString()) == "Kyocera");
        }
    }
    // The cleared jam is gone; the alert-table row, the open door, the empty tray, the low
    // toner and the offline device are open; the waste box at 0 % is not a consumed supply.
    CHECK(found == std::multiset<std::string>{"A:alert:media_path:8", "A:cover:Front Door:open",
                                              "A:tray:tray-2:empty", "B:supply_low:toner/black",
                                              "C:offline:offline"});

    // A lower threshold drops B's toner; empty without a level is low at any threshold.
    doc = parse(env.as_admin("GET", "/api/alerts?supply_percent=5").body);
    CHECK(doc["alerts"].Size() == 4);
    poll("10.9.0.2", 20min, {}, std::nullopt, false, false, b);
    doc = parse(env.as_admin("GET", "/api/alerts?supply_percent=0").body);
    bool empty_seen = false;
    for (const auto& x : doc["alerts"].GetArray()) {
        if (std::string(x["kind"].GetString()) == "supply_low") {
            empty_seen =
                x["level_percent"].IsNull() && std::string(x["severity"].GetString()) == "critical";
        }
    }
    CHECK(empty_seen);

    // E: the printer calls its toner low without a percentage: a warning at any threshold but
    // 0 (which asks for empty supplies only), its state given.
    const auto e = poll("10.9.0.5", 20min, {}, std::nullopt, false, false, {}, true);
    const auto e_alerts = [&](const std::string& query) {
        std::vector<std::string> out;
        const auto d = parse(env.as_admin("GET", "/api/alerts" + query).body);
        for (const auto& x : d["alerts"].GetArray()) {
            if (std::string(x["device_id"].GetString()) != e) continue;
            out.push_back(std::string(x["kind"].GetString()) + ":" + x["state"].GetString() + ":" +
                          x["severity"].GetString() + (x["level_percent"].IsNull() ? ":-" : ":n"));
        }
        return out;
    };
    CHECK(e_alerts("") == std::vector<std::string>{"supply_low:low:warning:-"});
    CHECK(e_alerts("?supply_percent=1") == std::vector<std::string>{"supply_low:low:warning:-"});
    CHECK(e_alerts("?supply_percent=0").empty());

    // Everything clears: no alerts. A disabled device's problems are not shown either.
    poll("10.9.0.1", 30min, {}, 50, false, false, a);
    poll("10.9.0.2", 30min, {}, 100, false, false, b);
    poll("10.9.0.5", 30min, {}, 100, false, false, e);
    REQUIRE(env.as_admin("PUT", "/api/devices/" + c, R"({"enabled":false})").status == 200);
    doc = parse(env.as_admin("GET", "/api/alerts").body);
    CHECK(doc["alerts"].Size() == 0);

    // A tray fed by hand (bypass, multi-purpose) is empty by design: no alert, also where an
    // earlier scanner version left its event open (written here as it would have).
    poll("10.9.0.1", 40min, {}, 50, true, false, a, false, "sheet_feed_manual");
    {
        auto conn = env.db.connect();
        pqxx::work tx(conn.raw());
        tx.exec_params(
            "INSERT INTO events (event_id, device_id, at, kind, code, action, detail) "
            "VALUES ($1, $2, $3, 'tray', 'tray-2:empty', 'appeared', 'Cassette 2')",
            proto::new_uuid(), a, proto::format_rfc3339(t0 + 41min));
        tx.commit();
    }
    CHECK(parse(env.as_admin("GET", "/api/alerts").body)["alerts"].Size() == 0);
    // The same tray as a fixed one, empty: an alert.
    poll("10.9.0.1", 50min, {}, 50, true, false, a);
    doc = parse(env.as_admin("GET", "/api/alerts").body);
    REQUIRE(doc["alerts"].Size() == 1);
    CHECK(std::string(doc["alerts"][0]["code"].GetString()) == "tray-2:empty");

    CHECK(error_code(env.as_admin("GET", "/api/alerts?supply_percent=101")) == "invalid_query");
    CHECK(error_code(env.as_admin("GET", "/api/alerts?supply_percent=-1")) == "invalid_query");
    CHECK(error_code(env.as_admin("GET", "/api/alerts?supply_percent=1e2")) == "invalid_query");
    CHECK(env.call("GET", "/api/alerts").status == 401);
    // The page itself is served (the UI's route).
    CHECK(env.as_admin("GET", "/alerts").status == 200);
}
