// The cloud console's backend over real HTTPS on a throwaway database (docs/console-api contract):
// sign-in by e-mail across tenants, cookie sessions with CSRF, passwords and user administration,
// trial and licence (HTTP and CLI), scanners enrolled by their first upload, key replacement,
// renames, the import preview, tenant settings, the fleet summary, and a walk over every route
// (credentials, CSRF) plus the embedded console files.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "analytics_support.hpp"
#include "app/cli.hpp"
#include "auth/accounts.hpp"
#include "auth/keys.hpp"
#include "console/assets.hpp"
#include "printmon/db/connection.hpp"
#include "printmon/net/gzip.hpp"
#include "printmon/proto/export.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "storage/retention.hpp"

using namespace printmon;
using namespace printmon::cloud::test;
using proto::to_export_json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

std::string create_user(CloudServer& s, const std::string& tenant, const std::string& email,
                        cloud::auth::Role role, const std::string& password = kPassword) {
    auto lease = s.app().pool().acquire();
    auto id = db::with_transaction(*lease, [&](pqxx::work& tx) {
        return cloud::auth::create_user(tx, {tenant, email, role, password});
    });
    REQUIRE(id);
    return *id;
}

void disable_user(CloudServer& s, const std::string& tenant, const std::string& user_id) {
    auto lease = s.app().pool().acquire();
    auto done = db::with_transaction(
        *lease, [&](pqxx::work& tx) { return cloud::auth::disable_user(tx, tenant, user_id); });
    REQUIRE(done);
}

std::string login_body(const std::string& email, const std::string& password,
                       const std::string& tenant = "", bool cookie = false) {
    std::string body = R"({"email":")" + email + R"(","password":")" + password + "\"";
    if (!tenant.empty()) body += R"(,"tenant_id":")" + tenant + "\"";
    if (cookie) body += R"(,"cookie":true)";
    return body + "}";
}

ApiResponse login_raw(CloudServer& s, const std::string& email,
                      const std::string& password = kPassword, const std::string& tenant = "",
                      bool cookie = false) {
    return api_request(s, "POST", "/api/v1/auth/login", "",
                       login_body(email, password, tenant, cookie));
}

/// A bearer session (the API's login).
std::string bearer_login(CloudServer& s, const std::string& email,
                         const std::string& password = kPassword, const std::string& tenant = "") {
    const auto r = login_raw(s, email, password, tenant);
    INFO(r.body);
    REQUIRE(r.status == 200);
    REQUIRE_FALSE(str(r.json, "token").empty());
    return str(r.json, "token");
}

/// The console's session: the cookie as a browser sends it back, and the CSRF token.
struct Console {
    std::string cookie;  ///< "pm_console=<token>"
    std::string csrf;
    std::string user_id;
    std::string tenant_id;
};

std::string header_of(const ApiResponse& r, const std::string& name) {
    const auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string() : it->second;
}

Console cookie_login(CloudServer& s, const std::string& email,
                     const std::string& password = kPassword, const std::string& tenant = "") {
    const auto r = login_raw(s, email, password, tenant, true);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto set_cookie = header_of(r, "Set-Cookie");
    REQUIRE(set_cookie.rfind("pm_console=", 0) == 0);
    Console c;
    c.cookie = set_cookie.substr(0, set_cookie.find(';'));
    c.csrf = str(r.json, "csrf_token");
    c.user_id = str(r.json, "user_id");
    c.tenant_id = str(r.json, "tenant_id");
    REQUIRE_FALSE(c.csrf.empty());
    return c;
}

enum class Csrf { right, none, wrong };

/// A request of the console page: the cookie, and the CSRF header as told.
ApiResponse as(CloudServer& s, const Console& c, const std::string& method, const std::string& path,
               const std::string& body = "", Csrf csrf = Csrf::right) {
    net::Headers extra;
    extra.emplace("Cookie", c.cookie);
    if (csrf == Csrf::right) extra.emplace("X-CSRF-Token", c.csrf);
    if (csrf == Csrf::wrong) extra.emplace("X-CSRF-Token", std::string(c.csrf.size(), '0'));
    return api_request(s, method, path, "", body, extra);
}

std::string error_code(const ApiResponse& r) {
    if (!r.json.IsObject() || !r.json.HasMember("error")) return "";
    return str(r.json["error"], "code");
}

const rapidjson::Value& items(const ApiResponse& r) {
    REQUIRE(r.json.IsObject());
    REQUIRE(r.json.HasMember("items"));
    REQUIRE(r.json["items"].IsArray());
    return r.json["items"];
}

bool boolean(const rapidjson::Value& v, const char* name) {
    REQUIRE(v.IsObject());
    const auto it = v.FindMember(name);
    REQUIRE(it != v.MemberEnd());
    REQUIRE(it->value.IsBool());
    return it->value.GetBool();
}

std::string ago(std::chrono::minutes minutes) {
    return proto::format_rfc3339(std::chrono::system_clock::now() - minutes);
}

/// One reading of a new device with chosen state: status, error codes and the one supply level.
proto::Batch device_batch(const std::string& scanner_id, const std::string& serial,
                          const std::string& at, proto::DeviceStatus status,
                          std::vector<std::string> errors, std::optional<int> supply,
                          std::int64_t total = 1000,
                          std::optional<proto::SupplyState> state = std::nullopt) {
    FakeDevice d;
    d.branch_id = proto::new_uuid();
    d.serial = serial;
    auto b = batch_of(scanner_id, d, {{at, {{"total", total}}, std::nullopt, ""}});
    for (auto& r : b.readings) {
        r.snapshot.status.device = status;
        r.snapshot.status.errors = errors;
        r.snapshot.status.alerts.clear();
        auto one = r.snapshot.supplies.front();
        one.level_percent = supply;
        one.level = supply;
        if (state) one.state = *state;
        r.snapshot.supplies = {one};
    }
    return b;
}

/// The scanner item of a list, by id (fails the test when missing).
const rapidjson::Value& scanner_item(const ApiResponse& list, const std::string& scanner_id) {
    for (const auto& item : items(list).GetArray()) {
        if (str(item, "scanner_id") == scanner_id) return item;
    }
    FAIL("no scanner " << scanner_id << " in " << list.body);
    throw std::logic_error("unreachable");
}

/// printmon-cloud-api's CLI against the server's database (the platform admin's tool).
class Cli {
  public:
    explicit Cli(const CloudServer& s)
        : dir_(fs::temp_directory_path() / ("cloud-console-" + proto::new_uuid())) {
        fs::create_directories(dir_);
        std::ofstream(config()) << "[log]\nlevel = \"warn\"\n[server]\ntls = false\n[database]\n"
                                << "conninfo = \"" << s.database().conninfo() << "\"\n";
    }
    ~Cli() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    Cli(const Cli&) = delete;
    Cli& operator=(const Cli&) = delete;

    struct Run {
        int code = 0;
        std::string out;
        std::string err;
    };
    Run run(std::vector<std::string> args) const {
        args.insert(args.begin(), {"printmon-cloud-api", "--config", config()});
        std::vector<const char*> argv;
        for (const auto& a : args) argv.push_back(a.c_str());
        std::ostringstream out;
        std::ostringstream err;
        const int code = cloud::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
        return {code, out.str(), err.str()};
    }

  private:
    std::string config() const { return (dir_ / "cloud-api.toml").string(); }
    fs::path dir_;
};

std::string repeat(const std::string& unit, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += unit;
    return out;
}

std::string fill(std::string pattern, const std::string& value) {
    for (auto open = pattern.find('{'); open != std::string::npos; open = pattern.find('{')) {
        pattern.replace(open, pattern.find('}', open) - open + 1, value);
    }
    return pattern;
}

}  // namespace

TEST_CASE("sign-in by e-mail alone: one account, a choice of tenants, refusals",
          "[cloud][console][auth]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto beta = s.create_tenant("Beta");
    const auto solo = create_user(s, acme, "solo@acme.test", cloud::auth::Role::admin);
    create_user(s, acme, "both@x.test", cloud::auth::Role::admin);
    const auto both_b = create_user(s, beta, "both@x.test", cloud::auth::Role::viewer);
    create_user(s, acme, "split@x.test", cloud::auth::Role::viewer);
    create_user(s, beta, "split@x.test", cloud::auth::Role::admin, "another password");

    // One account: a session at once, with the tenant it belongs to.
    const auto one = login_raw(s, "SOLO@acme.test");
    INFO(one.body);
    REQUIRE(one.status == 200);
    CHECK(str(one.json, "tenant_id") == acme);
    CHECK(str(one.json, "tenant_name") == "Acme");
    CHECK(str(one.json, "user_id") == solo);
    CHECK(str(one.json, "role") == "admin");
    const auto me = api_get(s, "/api/v1/auth/me", str(one.json, "token"));
    REQUIRE(me.status == 200);
    CHECK(str(me.json, "tenant_id") == acme);
    CHECK(str(me.json, "tenant_name") == "Acme");

    // The same address and password in two tenants: the choice, and no session of either.
    const auto sessions_before = s.count("user_sessions");
    for (const bool cookie : {false, true}) {
        const auto choose = login_raw(s, "both@x.test", kPassword, "", cookie);
        INFO(choose.body);
        REQUIRE(choose.status == 200);
        REQUIRE(choose.json.HasMember("choose_tenant"));
        const auto& choices = choose.json["choose_tenant"];
        REQUIRE(choices.IsArray());
        REQUIRE(choices.Size() == 2);
        CHECK(str(choices[0], "name") == "Acme");
        CHECK(str(choices[0], "tenant_id") == acme);
        CHECK(str(choices[1], "name") == "Beta");
        CHECK(str(choices[1], "tenant_id") == beta);
        CHECK_FALSE(choose.json.HasMember("token"));
        CHECK_FALSE(choose.json.HasMember("csrf_token"));
        CHECK(choose.headers.count("Set-Cookie") == 0);
    }
    CHECK(s.count("user_sessions") == sessions_before);

    // Then with the chosen tenant: that tenant's account.
    const auto chosen = login_raw(s, "both@x.test", kPassword, beta);
    REQUIRE(chosen.status == 200);
    CHECK(str(chosen.json, "tenant_id") == beta);
    CHECK(str(chosen.json, "tenant_name") == "Beta");
    CHECK(str(chosen.json, "user_id") == both_b);
    CHECK(str(chosen.json, "role") == "viewer");
    CHECK(str(api_get(s, "/api/v1/auth/me", str(chosen.json, "token")).json, "tenant_id") == beta);

    // One address, a different password per tenant: the password picks the account.
    const auto split = login_raw(s, "split@x.test", "another password");
    REQUIRE(split.status == 200);
    CHECK(str(split.json, "tenant_id") == beta);
    CHECK(str(split.json, "role") == "admin");

    // Refusals look alike (no hint whether the address exists).
    const auto wrong = login_raw(s, "solo@acme.test", "wrong password");
    CHECK(wrong.status == 401);
    CHECK(error_code(wrong) == "login_failed");
    const auto unknown = login_raw(s, "nobody@acme.test", kPassword);
    CHECK(unknown.status == 401);
    CHECK(error_code(unknown) == "login_failed");
    CHECK(str(wrong.json["error"], "message") == str(unknown.json["error"], "message"));

    // A disabled user cannot sign in, with or without the tenant id.
    disable_user(s, acme, solo);
    CHECK(login_raw(s, "solo@acme.test").status == 401);
    CHECK(login_raw(s, "solo@acme.test", kPassword, acme).status == 401);
    // Disabled in one of two tenants: the other account signs in directly, no choice.
    disable_user(s, beta, both_b);
    const auto left = login_raw(s, "both@x.test");
    REQUIRE(left.status == 200);
    CHECK_FALSE(left.json.HasMember("choose_tenant"));
    CHECK(str(left.json, "tenant_id") == acme);
}

TEST_CASE("sign-in by e-mail alone is braked like the tenant form", "[cloud][console][auth]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    for (int i = 0; i < 10; ++i) {
        const auto r = login_raw(s, "admin@acme.test", "wrong guess");
        CHECK(r.status == 401);
        CHECK(error_code(r) == "login_failed");
    }
    // Even the right password now waits, in both forms (the address is braked too).
    const auto braked = login_raw(s, "admin@acme.test");
    CHECK(braked.status == 429);
    CHECK(error_code(braked) == "too_many_attempts");
    REQUIRE(braked.headers.count("Retry-After") == 1);
    CHECK(std::stol(braked.headers.at("Retry-After")) > 0);
    CHECK(braked.headers.count("Set-Cookie") == 0);
    CHECK(login_raw(s, "admin@acme.test", kPassword, acme).status == 429);
    CHECK(login_raw(s, "admin@acme.test", kPassword, "", true).status == 429);
}

TEST_CASE("changing a password is braked against guessing the current one",
          "[cloud][console][auth]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    const auto here = cookie_login(s, "admin@acme.test");
    const auto attempt = [&](const std::string& current) {
        return as(s, here, "POST", "/api/v1/auth/password",
                  R"({"current_password":")" + current + R"(","new_password":"a new password"})");
    };
    for (int i = 0; i < 10; ++i)
        CHECK(error_code(attempt("guess " + std::to_string(i))) == "wrong_password");
    // Even the right current password now waits, and nothing changed.
    const auto braked = attempt(kPassword);
    CHECK(braked.status == 429);
    CHECK(error_code(braked) == "too_many_attempts");
    CHECK(braked.headers.count("Retry-After") == 1);
    CHECK(as(s, here, "GET", "/api/v1/auth/me").status == 200);
}

TEST_CASE("cookie sessions: HttpOnly cookie, CSRF on every change, logout, tenant isolation",
          "[cloud][console][auth]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto beta = s.create_tenant("Beta");
    const auto key = s.create_scanner(acme, "branch-a");
    FakeDevice printer;
    printer.branch_id = proto::new_uuid();
    printer.serial = "ACME-1";
    REQUIRE(s.ingest(key, batch_of("branch-a", printer,
                                   {{ago(std::chrono::minutes(5)), {{"total", 100}}, 50, ""}}))
                .status == 200);
    const auto admin_id = create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    create_user(s, acme, "other@acme.test", cloud::auth::Role::admin);
    create_user(s, beta, "admin@beta.test", cloud::auth::Role::admin);

    const auto r = login_raw(s, "admin@acme.test", kPassword, "", true);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto set_cookie = header_of(r, "Set-Cookie");
    CHECK(set_cookie.rfind("pm_console=pms.", 0) == 0);
    CHECK(set_cookie.find("; HttpOnly") != std::string::npos);
    CHECK(set_cookie.find("; SameSite=Strict") != std::string::npos);
    CHECK(set_cookie.find("; Secure") != std::string::npos);  // the test server is HTTPS
    CHECK(set_cookie.find("; Path=/") != std::string::npos);
    const auto token = set_cookie.substr(std::string("pm_console=").size(),
                                         set_cookie.find(';') - std::string("pm_console=").size());
    CHECK_FALSE(r.json.HasMember("token"));
    CHECK(r.body.find(token) == std::string::npos);  // no script can read the session
    CHECK(str(r.json, "user_id") == admin_id);
    CHECK(str(r.json, "tenant_id") == acme);
    CHECK(str(r.json, "tenant_name") == "Acme");
    CHECK(str(r.json, "role") == "admin");
    CHECK_FALSE(str(r.json, "expires_at").empty());
    Console c;
    c.cookie = set_cookie.substr(0, set_cookie.find(';'));
    c.csrf = str(r.json, "csrf_token");
    REQUIRE_FALSE(c.csrf.empty());

    // GETs need only the cookie.
    const auto devices = as(s, c, "GET", "/api/v1/devices", "", Csrf::none);
    REQUIRE(devices.status == 200);
    CHECK(num(devices.json, "total") == 1);
    const auto me = as(s, c, "GET", "/api/v1/auth/me", "", Csrf::none);
    REQUIRE(me.status == 200);
    CHECK(str(me.json, "csrf_token") == c.csrf);
    CHECK(str(me.json, "email") == "admin@acme.test");
    CHECK(str(me.json, "tenant_name") == "Acme");
    // A bearer session has no CSRF token to show.
    const auto bearer = bearer_login(s, "admin@acme.test");
    CHECK(str(api_get(s, "/api/v1/auth/me", bearer).json, "csrf_token").empty());

    // Every change with the cookie needs the CSRF header; without it or with a wrong one the
    // request is refused and nothing changes.
    const auto second = cookie_login(s, "admin@acme.test");  // its CSRF token is not c's
    const auto tokens_before = s.count("api_tokens", acme);
    const auto sessions_before = s.count("user_sessions", acme);
    struct Change {
        const char* method;
        std::string path;
        std::string body;
    };
    const std::vector<Change> changes = {
        {"POST", "/api/v1/tokens", R"({"name":"x"})"},
        {"PUT", "/api/v1/tenant", R"({"name":"Hacked"})"},
        {"DELETE", "/api/v1/scanners/branch-a", ""},
        {"POST", "/api/v1/scanners", R"({"name":"evil","site":"x"})"},
        {"POST", "/api/v1/users",
         R"({"email":"evil@acme.test","role":"admin","password":"long enough pw"})"},
        {"POST", "/api/v1/auth/logout-all", ""},
        {"POST", "/api/v1/auth/logout", ""},
        {"POST", "/api/v1/auth/password",
         R"({"current_password":"correct horse battery","new_password":"evil evil evil"})"},
    };
    for (const auto& change : changes) {
        for (const Csrf csrf : {Csrf::none, Csrf::wrong}) {
            const auto refused = as(s, c, change.method, change.path, change.body, csrf);
            INFO(change.method << " " << change.path << " -> " << refused.body);
            CHECK(refused.status == 403);
            CHECK(error_code(refused) == "csrf_failed");
        }
        net::Headers mixed{{"Cookie", c.cookie}, {"X-CSRF-Token", second.csrf}};
        const auto crossed = api_request(s, change.method, change.path, "", change.body, mixed);
        CHECK(crossed.status == 403);
    }
    CHECK(s.count("api_tokens", acme) == tokens_before);
    CHECK(s.count("scanners", acme) == 1);
    CHECK(s.count("users", acme) == 2);
    CHECK(s.count("user_sessions", acme) == sessions_before);
    CHECK(s.query_value("SELECT name FROM tenants WHERE tenant_id = $1::uuid", acme) == "Acme");
    CHECK(s.query_value("SELECT revoked_at::text FROM scanners WHERE tenant_id = $1::uuid", acme) ==
          std::nullopt);
    CHECK(login_raw(s, "admin@acme.test").status == 200);  // the password is unchanged
    CHECK(as(s, c, "GET", "/api/v1/auth/me", "", Csrf::none).status == 200);  // still signed in

    // With the right header it works.
    const auto made = as(s, c, "POST", "/api/v1/tokens", R"({"name":"erp"})");
    INFO(made.body);
    CHECK(made.status == 201);
    CHECK(s.count("api_tokens", acme) == tokens_before + 1);
    // A bearer credential needs no CSRF header (a script's explicit credential).
    CHECK(api_request(s, "POST", "/api/v1/tokens", bearer, R"({"name":"script"})").status == 201);
    // An Authorization header wins over a cookie: no CSRF check for it either.
    net::Headers both{{"Cookie", c.cookie}};
    CHECK(api_request(s, "POST", "/api/v1/tokens", bearer, R"({"name":"both"})", both).status ==
          201);

    // Garbage, or a credential of another kind in the cookie, is no session.
    CHECK(as(s, {"pm_console=garbage", c.csrf, "", ""}, "GET", "/api/v1/devices").status == 401);
    const auto api_token = s.create_token(acme);
    CHECK(as(s, {"pm_console=" + api_token, "", "", ""}, "GET", "/api/v1/devices").status == 401);
    CHECK(as(s, {"pm_console=" + key, "", "", ""}, "GET", "/api/v1/devices").status == 401);
    // A cookie among others is found.
    CHECK(as(s, {"theme=dark; " + c.cookie + "; lang=ru", c.csrf, "", ""}, "GET", "/api/v1/devices")
              .status == 200);

    // Tenant B's cookie never reads tenant A.
    const auto b = cookie_login(s, "admin@beta.test");
    const auto b_devices = as(s, b, "GET", "/api/v1/devices");
    REQUIRE(b_devices.status == 200);
    CHECK(num(b_devices.json, "total") == 0);
    CHECK(as(s, b, "GET", "/api/v1/devices?tenant=" + acme).status == 403);
    const auto device_a = str(items(devices)[0], "device_id");
    CHECK(as(s, b, "GET", "/api/v1/devices/" + device_a).status == 404);
    CHECK(str(as(s, b, "GET", "/api/v1/tenant").json, "name") == "Beta");
    CHECK(as(s, b, "DELETE", "/api/v1/scanners/branch-a").status == 404);
    CHECK(as(s, b, "GET", "/api/v1/scanners").body.find("branch-a") == std::string::npos);

    // Logout clears the cookie and ends the session.
    const auto out = as(s, c, "POST", "/api/v1/auth/logout");
    CHECK(out.status == 204);
    const auto cleared = header_of(out, "Set-Cookie");
    CHECK(cleared.rfind("pm_console=;", 0) == 0);
    CHECK(cleared.find("Max-Age=0") != std::string::npos);
    CHECK(as(s, c, "GET", "/api/v1/auth/me").status == 401);
    CHECK(as(s, c, "GET", "/api/v1/devices").status == 401);
    CHECK(api_get(s, "/api/v1/auth/me", bearer).status == 200);  // other sessions live

    // Logout-all ends every session of the user (this one included), not other users'.
    const auto one = cookie_login(s, "admin@acme.test");
    const auto two = cookie_login(s, "admin@acme.test");
    const auto other = cookie_login(s, "other@acme.test");
    const auto all = as(s, one, "POST", "/api/v1/auth/logout-all");
    CHECK(all.status == 204);
    CHECK(header_of(all, "Set-Cookie").rfind("pm_console=;", 0) == 0);
    CHECK(as(s, one, "GET", "/api/v1/auth/me").status == 401);
    CHECK(as(s, two, "GET", "/api/v1/auth/me").status == 401);
    CHECK(as(s, second, "GET", "/api/v1/auth/me").status == 401);
    CHECK(api_get(s, "/api/v1/auth/me", bearer).status == 401);
    CHECK(as(s, other, "GET", "/api/v1/auth/me").status == 200);
    CHECK(as(s, b, "GET", "/api/v1/auth/me").status == 200);
    // A token is not a session: nothing to log out.
    CHECK(api_request(s, "POST", "/api/v1/auth/logout-all", api_token).status == 400);
}

TEST_CASE("each user's language: stored for the caller only, shown by auth/me",
          "[cloud][console][auth]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto beta = s.create_tenant("Beta");
    create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    create_user(s, acme, "viewer@acme.test", cloud::auth::Role::viewer);
    create_user(s, beta, "viewer@acme.test", cloud::auth::Role::admin);  // same address, Beta
    const auto language_of = [&](const Console& c) {
        const auto me = as(s, c, "GET", "/api/v1/auth/me", "", Csrf::none);
        REQUIRE(me.status == 200);
        REQUIRE(me.json.HasMember("language"));
        return me.json["language"].IsNull() ? std::string("null") : str(me.json, "language");
    };
    const auto viewer = cookie_login(s, "viewer@acme.test", kPassword, acme);
    const auto admin = cookie_login(s, "admin@acme.test");
    const auto in_beta = cookie_login(s, "viewer@acme.test", kPassword, beta);
    CHECK(language_of(viewer) == "null");  // never chosen

    // A viewer sets their own (no admin right needed); nobody else's changes.
    const auto put = [&](const Console& c, const std::string& body, Csrf csrf = Csrf::right) {
        return as(s, c, "PUT", "/api/v1/auth/language", body, csrf);
    };
    CHECK(put(viewer, R"({"language":"ru"})").status == 204);
    CHECK(language_of(viewer) == "ru");
    CHECK(language_of(admin) == "null");
    CHECK(language_of(in_beta) == "null");  // the same address in another tenant is another user
    // It is the user's, not the session's: a new sign-in sees it.
    CHECK(language_of(cookie_login(s, "viewer@acme.test", kPassword, acme)) == "ru");

    // Refusals change nothing.
    for (const char* body :
         {R"({"language":"de"})", R"({"language":""})", R"({})", R"({"language":1})"}) {
        INFO(body);
        const auto r = put(viewer, body);
        CHECK(r.status == 400);
        CHECK(error_code(r) == "invalid_body");
    }
    CHECK(error_code(put(viewer, "not json")) == "invalid_json");
    CHECK(put(viewer, R"({"language":"en"})", Csrf::none).status == 403);
    CHECK(put(viewer, R"({"language":"en"})", Csrf::wrong).status == 403);
    CHECK(language_of(viewer) == "ru");
    const auto token = s.create_token(acme);
    const auto by_token =
        api_request(s, "PUT", "/api/v1/auth/language", token, R"({"language":"en"})");
    CHECK(by_token.status == 400);
    CHECK(error_code(by_token) == "not_a_session");
    CHECK(api_request(s, "PUT", "/api/v1/auth/language", "", R"({"language":"en"})").status == 401);

    // A bearer session of the same user sets it too; the cookie session then reads it.
    CHECK(api_request(s, "PUT", "/api/v1/auth/language",
                      bearer_login(s, "viewer@acme.test", kPassword, acme), R"({"language":"en"})")
              .status == 204);
    CHECK(language_of(viewer) == "en");
}

TEST_CASE("passwords, admin resets, enabling users and roles", "[cloud][console][auth]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto beta = s.create_tenant("Beta");
    const auto admin_id = create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    const auto viewer_id = create_user(s, acme, "viewer@acme.test", cloud::auth::Role::viewer);
    const auto stranger = create_user(s, beta, "admin@beta.test", cloud::auth::Role::admin);

    const auto here = cookie_login(s, "admin@acme.test");
    const auto elsewhere = bearer_login(s, "admin@acme.test");
    const auto password = [&](const std::string& current, const std::string& next) {
        return as(s, here, "POST", "/api/v1/auth/password",
                  R"({"current_password":")" + current + R"(","new_password":")" + next + "\"}");
    };
    const auto wrong = password("not my password", "a new password");
    CHECK(wrong.status == 400);
    CHECK(error_code(wrong) == "wrong_password");
    const auto short_one = password(kPassword, "short");
    CHECK(short_one.status == 400);
    CHECK(error_code(short_one) == "invalid_body");
    CHECK(as(s, here, "POST", "/api/v1/auth/password", R"({"current_password":"x"})").status ==
          400);
    CHECK(api_get(s, "/api/v1/auth/me", elsewhere).status == 200);  // refusals end nothing
    CHECK(password(kPassword, "a new password").status == 204);
    CHECK(as(s, here, "GET", "/api/v1/auth/me").status == 200);  // this session lives on
    CHECK(api_get(s, "/api/v1/auth/me", elsewhere).status == 401);
    CHECK(login_raw(s, "admin@acme.test").status == 401);
    const auto again = bearer_login(s, "admin@acme.test", "a new password");

    // An admin resets another user's password: that user's sessions end.
    const auto viewer = cookie_login(s, "viewer@acme.test");
    const auto viewer_bearer = bearer_login(s, "viewer@acme.test");
    const auto reset_path = "/api/v1/users/" + viewer_id + "/password";
    CHECK(as(s, viewer, "POST", "/api/v1/users/" + admin_id + "/password",
             R"({"password":"taken over now"})")
              .status == 403);
    CHECK(as(s, viewer, "POST", reset_path, R"({"password":"taken over now"})").status == 403);
    CHECK(login_raw(s, "admin@acme.test", "a new password").status == 200);  // unchanged
    CHECK(as(s, here, "POST", reset_path, R"({"password":"short"})").status == 400);
    CHECK(as(s, here, "POST", "/api/v1/users/" + proto::new_uuid() + "/password",
             R"({"password":"long enough pw"})")
              .status == 404);
    // Another tenant's user is no user of this tenant.
    CHECK(as(s, here, "POST", "/api/v1/users/" + stranger + "/password",
             R"({"password":"long enough pw"})")
              .status == 404);
    CHECK(login_raw(s, "admin@beta.test", kPassword, beta).status == 200);
    CHECK(as(s, viewer, "GET", "/api/v1/auth/me").status == 200);
    CHECK(as(s, here, "POST", reset_path, R"({"password":"reset by admin"})").status == 204);
    CHECK(as(s, viewer, "GET", "/api/v1/auth/me").status == 401);
    CHECK(api_get(s, "/api/v1/auth/me", viewer_bearer).status == 401);
    CHECK(login_raw(s, "viewer@acme.test", kPassword, acme).status == 401);
    CHECK(as(s, here, "GET", "/api/v1/auth/me").status == 200);  // the admin's own lives

    // Disable and enable.
    CHECK(as(s, here, "DELETE", "/api/v1/users/" + viewer_id).status == 204);
    CHECK(login_raw(s, "viewer@acme.test", "reset by admin").status == 401);
    const auto listed = as(s, here, "GET", "/api/v1/users");
    REQUIRE(listed.status == 200);
    for (const auto& u : items(listed).GetArray()) {
        CHECK(u["disabled_at"].IsNull() == (str(u, "user_id") != viewer_id));
    }
    CHECK(as(s, viewer, "POST", "/api/v1/users/" + viewer_id + "/enable").status == 401);
    CHECK(as(s, here, "POST", "/api/v1/users/" + viewer_id + "/enable").status == 204);
    CHECK(as(s, here, "POST", "/api/v1/users/" + proto::new_uuid() + "/enable").status == 404);
    CHECK(as(s, here, "POST", "/api/v1/users/" + stranger + "/enable").status == 404);
    const auto back = cookie_login(s, "viewer@acme.test", "reset by admin");

    // Roles: a viewer cannot change them; an admin promotes and demotes, never themself.
    CHECK(as(s, back, "PUT", "/api/v1/users/" + viewer_id, R"({"role":"admin"})").status == 403);
    CHECK(as(s, back, "GET", "/api/v1/users").status == 403);
    CHECK(as(s, here, "PUT", "/api/v1/users/" + viewer_id, R"({"role":"root"})").status == 400);
    CHECK(as(s, here, "PUT", "/api/v1/users/" + proto::new_uuid(), R"({"role":"admin"})").status ==
          404);
    CHECK(as(s, here, "PUT", "/api/v1/users/" + stranger, R"({"role":"viewer"})").status == 404);
    const auto promoted = as(s, here, "PUT", "/api/v1/users/" + viewer_id, R"({"role":"admin"})");
    INFO(promoted.body);
    REQUIRE(promoted.status == 200);
    CHECK(str(promoted.json, "role") == "admin");
    const auto promoted_session = cookie_login(s, "viewer@acme.test", "reset by admin");
    CHECK(as(s, promoted_session, "GET", "/api/v1/users").status == 200);
    const auto self = as(s, here, "PUT", "/api/v1/users/" + admin_id, R"({"role":"viewer"})");
    CHECK(self.status == 400);
    CHECK(error_code(self) == "invalid_body");
    CHECK(str(as(s, here, "GET", "/api/v1/auth/me").json, "role") == "admin");
    CHECK(s.query_value("SELECT role FROM users WHERE user_id = $1::uuid", admin_id) == "admin");
    // The demoted admin's old sessions cannot keep the admin role.
    CHECK(as(s, here, "PUT", "/api/v1/users/" + viewer_id, R"({"role":"viewer"})").status == 200);
    CHECK(as(s, promoted_session, "GET", "/api/v1/users").status != 200);
    CHECK(as(s, promoted_session, "POST", "/api/v1/tokens", R"({"name":"x"})").status != 201);
    const auto demoted = cookie_login(s, "viewer@acme.test", "reset by admin");
    CHECK(str(as(s, demoted, "GET", "/api/v1/auth/me").json, "role") == "viewer");
    CHECK(api_get(s, "/api/v1/auth/me", again).status == 200);
}

TEST_CASE("trial and licence: reads answer 402, uploads are kept, the CLI unblocks",
          "[cloud][console][licence]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto key = s.create_scanner(acme, "branch-a");
    const auto token = s.create_token(acme);
    create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    const auto console = cookie_login(s, "admin@acme.test");
    FakeDevice first;
    first.branch_id = proto::new_uuid();
    first.serial = "FIRST";
    REQUIRE(s.ingest(key, batch_of("branch-a", first,
                                   {{ago(std::chrono::minutes(30)), {{"total", 1000}}, 50, ""}}))
                .status == 200);
    Cli cli(s);

    // A new tenant is in a 60-day trial.
    const auto fresh = api_get(s, "/api/v1/tenant", token);
    INFO(fresh.body);
    REQUIRE(fresh.status == 200);
    CHECK(str(fresh.json, "tenant_id") == acme);
    CHECK(str(fresh.json, "name") == "Acme");
    CHECK(str(fresh.json, "status") == "trial");
    CHECK(num(fresh.json, "days_left").value_or(0) >= 59);
    CHECK(num(fresh.json, "days_left").value_or(99) <= 60);
    CHECK_FALSE(str(fresh.json, "trial_ends_at").empty());
    CHECK(fresh.json["licensed_until"].IsNull());
    CHECK(fresh.json["device_limit"].IsNull());
    CHECK(num(fresh.json, "devices") == 1);
    // The rule for "offline" every console page needs, the same the fleet summary counts with.
    CHECK(num(fresh.json, "offline_after_s") == 3600);
    CHECK(num(fresh.json, "offline_after_s") ==
          num(api_get(s, "/api/v1/fleet/summary", token).json, "offline_after_s"));
    CHECK(str(fresh.json, "time_zone") == "UTC");
    const auto shown = cli.run({"tenant", "show", "--tenant", acme});
    CHECK(shown.code == 0);
    CHECK(shown.out.find("status=trial") != std::string::npos);
    CHECK(shown.out.find("devices=1") != std::string::npos);

    const std::vector<std::string> reads = {
        "/api/v1/devices",  "/api/v1/page-volume?period=month", "/api/v1/fleet/summary",
        "/api/v1/scanners", "/api/v1/devices?format=csv",       "/api/v1/sites",
        "/api/v1/users"};
    const auto all_blocked = [&](const std::string& code) {
        for (const auto& path : reads) {
            for (const bool cookie : {false, true}) {
                // Users are an admin's list: the (viewer) API token is refused before that.
                if (!cookie && path == "/api/v1/users") continue;
                const auto r = cookie ? as(s, console, "GET", path) : api_get(s, path, token);
                INFO(path << " cookie=" << cookie << " -> " << r.status << " " << r.body);
                CHECK(r.status == 402);
                CHECK(error_code(r) == code);
            }
        }
    };
    const auto all_open = [&] {
        for (const auto& path : reads) {
            const auto r = as(s, console, "GET", path);
            INFO(path << " -> " << r.status << " " << r.body);
            CHECK(r.status == 200);
        }
    };
    all_open();

    // The trial ends.
    db::Connection conn = s.database().connect();
    db::with_transaction(conn, [&](pqxx::work& tx) {
        tx.exec_params(
            "UPDATE tenants SET trial_ends_at = now() - interval '1 day' WHERE tenant_id = $1",
            acme);
    });
    all_blocked("trial_ended");
    const auto ended = as(s, console, "GET", "/api/v1/tenant");
    REQUIRE(ended.status == 200);
    CHECK(str(ended.json, "status") == "expired");
    CHECK(ended.json["days_left"].IsNull());
    CHECK(as(s, console, "GET", "/api/v1/auth/me").status == 200);
    CHECK(api_get(s, "/api/v1/auth/me", token).status == 200);
    // Signing in still works: the console must be able to show why there is no data.
    const auto blocked_session = cookie_login(s, "admin@acme.test");
    CHECK(str(as(s, blocked_session, "GET", "/api/v1/tenant").json, "status") == "expired");
    CHECK(cli.run({"tenant", "show", "--tenant", acme}).out.find("status=expired") !=
          std::string::npos);
    // The platform admin still reads.
    CHECK(api_get(s, "/api/v1/devices?tenant=" + acme, kAdminToken).status == 200);
    CHECK(api_get(s, "/api/v1/fleet/summary?tenant=" + acme, kAdminToken).status == 200);

    // Uploads are stored meanwhile: nothing of the branch is lost.
    const auto readings_before = s.count("readings", acme);
    FakeDevice second;
    second.branch_id = proto::new_uuid();
    second.serial = "DURING-BLOCK";
    const auto during = ago(std::chrono::minutes(10));
    REQUIRE(s.ingest(key, batch_of("branch-a", second,
                                   {{ago(std::chrono::minutes(20)), {{"total", 5000}}, 50, ""},
                                    {during, {{"total", 5070}}, 50, ""}}))
                .status == 200);
    CHECK(s.count("readings", acme) == readings_before + 2);
    CHECK(s.count("devices", acme) == 2);
    all_blocked("trial_ended");

    // Licensed by the platform admin: the reads are back with what came in during the block.
    const auto licence = cli.run({"tenant", "licence", "--tenant", acme, "--until", "2099-01-01"});
    INFO(licence.err);
    CHECK(licence.code == 0);
    CHECK(licence.out.find("status=licensed") != std::string::npos);
    all_open();
    const auto licensed = as(s, console, "GET", "/api/v1/tenant");
    CHECK(str(licensed.json, "status") == "licensed");
    // A date alone is its UTC midnight, whatever the database session's zone.
    CHECK(str(licensed.json, "licensed_until") == "2099-01-01T00:00:00Z");
    CHECK(str(licensed.json, "licensed_until").rfind("2099-01-01", 0) == 0);
    CHECK(num(licensed.json, "days_left").value_or(0) > 365);
    const auto devices = as(s, console, "GET", "/api/v1/devices?q=DURING-BLOCK");
    REQUIRE(items(devices).Size() == 1);
    const auto device = str(items(devices)[0], "device_id");
    const auto detail = as(s, console, "GET", "/api/v1/devices/" + device);
    REQUIRE(detail.status == 200);
    CHECK(num(detail.json["counters"], "total") == 5070);
    CHECK(items(as(s, console, "GET", "/api/v1/devices/" + device + "/readings")).Size() == 2);
    CHECK(num(as(s, console, "GET", "/api/v1/fleet/summary").json, "devices") == 2);

    // A device limit below the fleet blocks reads as well; removing it unblocks.
    const auto limited = cli.run({"tenant", "licence", "--tenant", acme, "--devices", "1"});
    CHECK(limited.code == 0);
    CHECK(limited.out.find("status=over_limit") != std::string::npos);
    CHECK(limited.out.find("device_limit=1") != std::string::npos);
    all_blocked("device_limit");
    const auto over = as(s, console, "GET", "/api/v1/tenant");
    CHECK(str(over.json, "status") == "over_limit");
    CHECK(num(over.json, "device_limit") == 1);
    CHECK(num(over.json, "devices") == 2);
    CHECK(s.ingest(key, fresh_batch("branch-a")).status == 200);  // still stored
    const auto lifted = cli.run({"tenant", "licence", "--tenant", acme, "--devices=-1"});
    CHECK(lifted.code == 0);
    CHECK(lifted.out.find("device_limit=-") != std::string::npos);
    CHECK(cli.run({"tenant", "licence", "--tenant", acme, "--devices", "10"}).code == 0);
    all_open();
    CHECK(num(as(s, console, "GET", "/api/v1/tenant").json, "device_limit") == 10);
    CHECK(cli.run({"tenant", "licence", "--tenant", acme, "--devices", "-1"}).code == 0);
    CHECK(as(s, console, "GET", "/api/v1/tenant").json["device_limit"].IsNull());

    // The licence ends (the trial ended before): licence_expired.
    CHECK(cli.run({"tenant", "licence", "--tenant", acme, "--until", "2020-01-01"}).code == 0);
    all_blocked("licence_expired");
    CHECK(str(as(s, console, "GET", "/api/v1/tenant").json, "status") == "expired");

    // Bad CLI input changes nothing.
    const auto garbage = cli.run({"tenant", "licence", "--tenant", acme, "--until", "someday"});
    CHECK(garbage.code != 0);
    CHECK_FALSE(garbage.err.empty());
    CHECK(cli.run({"tenant", "licence", "--tenant", acme, "--devices", "-5"}).code != 0);
    CHECK(cli.run({"tenant", "extend-trial", "--tenant", acme, "--days", "0"}).code != 0);
    CHECK(cli.run({"tenant", "extend-trial", "--tenant", acme, "--days", "5000"}).code != 0);
    CHECK(cli.run({"tenant", "show", "--tenant", proto::new_uuid()}).code != 0);
    CHECK(cli.run({"tenant", "show", "--tenant", "acme"}).code != 0);
    CHECK(cli.run({"tenant", "extend-trial", "--tenant", proto::new_uuid(), "--days", "5"}).code !=
          0);
    all_blocked("licence_expired");

    // A trial extension opens the reads again.
    const auto extended = cli.run({"tenant", "extend-trial", "--tenant", acme, "--days", "30"});
    CHECK(extended.code == 0);
    CHECK(extended.out.find("status=trial") != std::string::npos);
    all_open();
    const auto trial = as(s, console, "GET", "/api/v1/tenant");
    CHECK(str(trial.json, "status") == "trial");
    CHECK(num(trial.json, "days_left") == 30);
}

TEST_CASE("CLI user reset-password ends the user's sessions", "[cloud][console][cli]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    const auto before = cookie_login(s, "admin@acme.test");
    Cli cli(s);
    ::setenv("PRINTMON_USER_PASSWORD", "set by the platform", 1);
    const auto done =
        cli.run({"user", "reset-password", "--tenant", acme, "--email", "ADMIN@acme.test"});
    const auto unknown =
        cli.run({"user", "reset-password", "--tenant", acme, "--email", "nobody@acme.test"});
    ::setenv("PRINTMON_USER_PASSWORD", "short", 1);
    const auto too_short =
        cli.run({"user", "reset-password", "--tenant", acme, "--email", "admin@acme.test"});
    ::unsetenv("PRINTMON_USER_PASSWORD");
    INFO(done.err);
    CHECK(done.code == 0);
    CHECK(unknown.code != 0);
    CHECK(too_short.code != 0);
    CHECK(as(s, before, "GET", "/api/v1/auth/me").status == 401);
    CHECK(login_raw(s, "admin@acme.test").status == 401);
    CHECK(login_raw(s, "admin@acme.test", "set by the platform").status == 200);
    // The account's admins see the operator's change (and only the one that was made) in the
    // audit log, and the operator's other changes beside it.
    CHECK(cli.run({"tenant", "extend-trial", "--tenant", acme, "--days", "45"}).code == 0);
    CHECK(cli.run({"tenant", "set-time-zone", "--tenant", acme, "--zone", "UTC"}).code == 0);
    CHECK(cli.run({"tenant", "set-time-zone", "--tenant", acme, "--zone", "Europe/Samara"}).code ==
          0);
    const auto admin = cookie_login(s, "admin@acme.test", "set by the platform");
    const auto log = as(s, admin, "GET", "/api/v1/audit?limit=10");
    INFO(log.body);
    REQUIRE(log.status == 200);
    std::vector<std::string> seen;
    for (const auto& e : items(log).GetArray()) {
        seen.push_back(str(e, "actor") + " " + str(e, "action") + " " + str(e, "target") + " " +
                       str(e, "detail"));
    }
    CHECK(seen == std::vector<std::string>{
                      "admin@acme.test signed_in admin@acme.test ",
                      "admin account_updated Acme time_zone: UTC → Europe/Samara",
                      "admin trial_extended Acme days=45",
                      "admin@acme.test signed_in admin@acme.test ",
                      "anonymous sign_in_failed admin@acme.test ",  // the old password
                      "admin user_password_set ADMIN@acme.test ",
                      "admin@acme.test signed_in admin@acme.test ",
                  });
}

TEST_CASE("scanners added without an id are enrolled by their first upload",
          "[cloud][console][scanners]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto beta = s.create_tenant("Beta");
    create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    create_user(s, acme, "viewer@acme.test", cloud::auth::Role::viewer);
    create_user(s, beta, "admin@beta.test", cloud::auth::Role::admin);
    const auto admin = cookie_login(s, "admin@acme.test");
    const auto viewer = cookie_login(s, "viewer@acme.test");
    const auto other = cookie_login(s, "admin@beta.test");

    CHECK(as(s, viewer, "POST", "/api/v1/scanners", R"({"name":"x","site":"y"})").status == 403);
    const auto added =
        as(s, admin, "POST", "/api/v1/scanners", R"({"name":"Kazan office","site":"Kazan"})");
    INFO(added.body);
    REQUIRE(added.status == 201);
    const auto pending_id = str(added.json, "scanner_id");
    CHECK(pending_id.rfind("pending-", 0) == 0);
    const auto key = str(added.json, "key");
    REQUIRE(cloud::auth::parse_key(key));
    CHECK(header_of(added, "Cache-Control") == "no-store");
    const auto waiting = as(s, admin, "GET", "/api/v1/scanners");
    CHECK_FALSE(boolean(scanner_item(waiting, pending_id), "enrolled"));
    CHECK(waiting.body.find(key) == std::string::npos);

    // The first upload names the scanner.
    FakeDevice printer;
    printer.branch_id = proto::new_uuid();
    printer.serial = "KZN-1";
    const auto data_before = s.count_all_data();
    const auto first =
        s.ingest(key, batch_of("branch-kazan", printer,
                               {{ago(std::chrono::minutes(3)), {{"total", 10}}, 50, ""}}));
    INFO(first.body);
    REQUIRE(first.status == 200);
    CHECK(s.count_all_data() > data_before);
    const auto enrolled = as(s, admin, "GET", "/api/v1/scanners");
    REQUIRE(items(enrolled).Size() == 1);
    const auto& kazan = scanner_item(enrolled, "branch-kazan");
    CHECK(boolean(kazan, "enrolled"));
    CHECK(str(kazan, "name") == "Kazan office");
    CHECK(str(kazan, "site") == "Kazan");
    CHECK(num(kazan, "devices") == 1);
    CHECK_FALSE(str(kazan, "last_seen").empty());
    CHECK(enrolled.body.find("pending-") == std::string::npos);
    // Later batches of the key with that id work; another id is refused.
    CHECK(s.ingest(key, batch_of("branch-kazan", printer,
                                 {{ago(std::chrono::minutes(2)), {{"total", 20}}, 50, ""}}))
              .status == 200);
    const auto stored = s.count_all_data();
    CHECK(s.ingest(key, fresh_batch("branch-elsewhere")).status == 403);
    CHECK(s.count_all_data() == stored);
    CHECK(s.count("scanners", acme) == 1);

    // A second new key whose first batch names a taken id: 409, nothing stored, still pending.
    const auto dup = as(s, admin, "POST", "/api/v1/scanners", R"({"name":"Copy","site":"Kazan"})");
    REQUIRE(dup.status == 201);
    const auto dup_key = str(dup.json, "key");
    const auto taken = s.ingest(dup_key, fresh_batch("branch-kazan"));
    CHECK(taken.status == 409);
    CHECK(taken.body.find("scanner_id_taken") != std::string::npos);
    CHECK(s.count_all_data() == stored);
    const auto still = as(s, admin, "GET", "/api/v1/scanners");
    CHECK_FALSE(boolean(scanner_item(still, str(dup.json, "scanner_id")), "enrolled"));
    CHECK(str(scanner_item(still, "branch-kazan"), "name") == "Kazan office");
    // ... and it can still enrol under a free id.
    CHECK(s.ingest(dup_key, fresh_batch("branch-kazan-2")).status == 200);
    CHECK(boolean(scanner_item(as(s, admin, "GET", "/api/v1/scanners"), "branch-kazan-2"),
                  "enrolled"));
    // Scanner ids are per tenant: another tenant's new key may use the same id.
    const auto beta_added = as(s, other, "POST", "/api/v1/scanners", R"({"site":"Kazan"})");
    REQUIRE(beta_added.status == 201);
    CHECK(s.ingest(str(beta_added.json, "key"), fresh_batch("branch-kazan")).status == 200);
    CHECK(s.count("scanners", beta) == 1);

    // Replacing the key: the old one stops, the new one stores.
    CHECK(as(s, viewer, "POST", "/api/v1/scanners/branch-kazan/key").status == 403);
    CHECK(as(s, admin, "POST", "/api/v1/scanners/nope/key").status == 404);
    CHECK(as(s, other, "POST", "/api/v1/scanners/branch-kazan-2/key").status == 404);
    const auto replaced = as(s, admin, "POST", "/api/v1/scanners/branch-kazan/key");
    INFO(replaced.body);
    REQUIRE(replaced.status == 201);
    const auto new_key = str(replaced.json, "key");
    REQUIRE(cloud::auth::parse_key(new_key));
    CHECK(new_key != key);
    CHECK(s.ingest(key, fresh_batch("branch-kazan")).status == 401);
    CHECK(s.ingest(new_key, fresh_batch("branch-kazan")).status == 200);
    CHECK(str(scanner_item(as(s, admin, "GET", "/api/v1/scanners"), "branch-kazan"),
              "key_prefix") == cloud::auth::display_prefix(new_key));

    // Revoking: the key is refused; a replacement reactivates the scanner.
    CHECK(as(s, admin, "DELETE", "/api/v1/scanners/branch-kazan").status == 204);
    CHECK(s.ingest(new_key, fresh_batch("branch-kazan")).status == 403);
    const auto revived = as(s, admin, "POST", "/api/v1/scanners/branch-kazan/key");
    REQUIRE(revived.status == 201);
    CHECK(s.ingest(str(revived.json, "key"), fresh_batch("branch-kazan")).status == 200);

    // Renaming a scanner and moving it.
    CHECK(as(s, viewer, "PUT", "/api/v1/scanners/branch-kazan-2", R"({"name":"x"})").status == 403);
    CHECK(as(s, admin, "PUT", "/api/v1/scanners/nope", R"({"name":"x"})").status == 404);
    CHECK(as(s, admin, "PUT", "/api/v1/scanners/branch-kazan-2",
             R"({"name":")" + std::string(201, 'n') + "\"}")
              .status == 400);
    const auto renamed = as(s, admin, "PUT", "/api/v1/scanners/branch-kazan-2",
                            R"({"name":"Казань, склад","site":"Moscow"})");
    INFO(renamed.body);
    CHECK(renamed.status == 200);
    const auto after_rename = as(s, admin, "GET", "/api/v1/scanners");
    CHECK(str(scanner_item(after_rename, "branch-kazan-2"), "name") == "Казань, склад");
    CHECK(str(scanner_item(after_rename, "branch-kazan-2"), "site") == "Moscow");
    CHECK(as(s, admin, "PUT", "/api/v1/scanners/branch-kazan-2", R"({"site":"Kazan"})").status ==
          200);
    const auto kept = as(s, admin, "GET", "/api/v1/scanners");
    CHECK(str(scanner_item(kept, "branch-kazan-2"), "name") == "Казань, склад");  // unchanged
    CHECK(str(scanner_item(kept, "branch-kazan-2"), "site") == "Kazan");
    // The audit log has both edits (the refused ones wrote nothing), as they were asked.
    CHECK(s.query_value("SELECT string_agg(target || ' / ' || detail, ' | ' ORDER BY entry_id) "
                        "FROM audit_log WHERE action = 'scanner_updated' AND tenant_id = $1::uuid",
                        acme) ==
          "Казань, склад / name=Казань, склад; site=Moscow | Казань, склад / site=Kazan");

    // Renaming a site moves all its scanners, of this tenant only.
    const auto moscow =
        as(s, admin, "POST", "/api/v1/scanners", R"({"name":"HQ","site":"Moscow"})");
    REQUIRE(moscow.status == 201);
    CHECK(
        as(s, viewer, "POST", "/api/v1/sites/rename", R"({"from":"Kazan","to":"Volga"})").status ==
        403);
    const auto site =
        as(s, admin, "POST", "/api/v1/sites/rename", R"({"from":"Kazan","to":"Volga"})");
    INFO(site.body);
    REQUIRE(site.status == 200);
    CHECK(num(site.json, "scanners") == 2);  // branch-kazan, branch-kazan-2
    const auto moved = as(s, admin, "GET", "/api/v1/scanners?site=Volga");
    CHECK(num(moved.json, "total") == 2);
    CHECK(num(as(s, admin, "GET", "/api/v1/scanners?site=Kazan").json, "total") == 0);
    CHECK(num(as(s, admin, "GET", "/api/v1/scanners?site=Moscow").json, "total") == 1);
    const auto sites = as(s, admin, "GET", "/api/v1/sites");
    std::set<std::string> names;
    for (const auto& row : items(sites).GetArray()) names.insert(str(row, "site"));
    CHECK(names == std::set<std::string>{"Moscow", "Volga"});
    // Every device of the tenant was last seen by a scanner of the renamed site.
    const auto all_devices = num(as(s, admin, "GET", "/api/v1/devices").json, "total");
    CHECK(all_devices.value_or(0) >= 1);
    CHECK(num(as(s, admin, "GET", "/api/v1/devices?site=Volga").json, "total") == all_devices);
    CHECK(num(as(s, other, "GET", "/api/v1/scanners?site=Kazan").json, "total") == 1);
    CHECK(as(s, admin, "POST", "/api/v1/sites/rename", R"({"from":"Nowhere","to":"X"})").status ==
          404);
    CHECK(as(s, admin, "POST", "/api/v1/sites/rename", R"({"from":"Volga","to":""})").status ==
          400);
    CHECK(num(as(s, admin, "GET", "/api/v1/scanners?site=Volga").json, "total") == 2);
}

TEST_CASE("import preview: exact counts, nothing stored, then the same numbers applied",
          "[cloud][console][import]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto key = s.create_scanner(acme, "branch-1");
    create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    create_user(s, acme, "viewer@acme.test", cloud::auth::Role::viewer);
    const auto admin = cookie_login(s, "admin@acme.test");
    const auto viewer = cookie_login(s, "viewer@acme.test");

    const auto online = fresh_batch("branch-1");
    const auto offline = big_batch("branch-1", 20);
    REQUIRE(s.ingest(key, online).status == 200);
    const auto file = to_export_json({online, offline});
    std::string from;
    std::string to;
    for (const auto* batch : {&online, &offline}) {
        for (const auto& r : batch->readings) {
            const auto& at = r.snapshot.polled_at;
            if (from.empty() || at < from) from = at;
            if (to.empty() || at > to) to = at;
        }
    }
    const auto import = [&](const Console& c, const std::string& query, const std::string& body,
                            Csrf csrf = Csrf::right) {
        return as(s, c, "POST", "/api/v1/import" + query, body, csrf);
    };

    const auto before = s.count_all_data();
    const auto scanners_before = s.count("scanners");
    CHECK(import(admin, "?dry_run=true", file, Csrf::none).status == 403);
    CHECK(import(viewer, "?dry_run=true", file).status == 403);
    CHECK(import(viewer, "", file).status == 403);
    CHECK(import(admin, "?dry_run=maybe", file).status == 400);
    const auto preview = import(admin, "?dry_run=true", file);
    INFO(preview.body);
    REQUIRE(preview.status == 200);
    CHECK(boolean(preview.json, "dry_run"));
    CHECK(num(preview.json, "batches") == 2);
    CHECK(num(preview.json, "batches_duplicate") == 1);
    CHECK(num(preview.json, "readings") == 23);
    CHECK(num(preview.json, "readings_stored") == 20);
    CHECK(num(preview.json, "readings_duplicate") == 3);
    CHECK(num(preview.json, "events") ==
          static_cast<long long>(online.events.size() + offline.events.size()));
    CHECK(num(preview.json, "events_stored") == static_cast<long long>(offline.events.size()));
    CHECK(num(preview.json, "events_duplicate") == static_cast<long long>(online.events.size()));
    CHECK(str(preview.json, "from") == from);
    CHECK(str(preview.json, "to") == to);
    REQUIRE(preview.json["scanners"].IsArray());
    REQUIRE(preview.json["scanners"].Size() == 1);
    CHECK(str(preview.json["scanners"][0], "scanner_id") == "branch-1");
    CHECK(boolean(preview.json["scanners"][0], "known"));
    CHECK(num(preview.json["scanners"][0], "readings") == 23);
    CHECK(s.count_all_data() == before);
    // The console sends a .json.gz file as it is, with Content-Encoding: gzip.
    net::Headers gzipped{
        {"Cookie", admin.cookie}, {"X-CSRF-Token", admin.csrf}, {"Content-Encoding", "gzip"}};
    const auto gz = api_request(s, "POST", "/api/v1/import?dry_run=true", "",
                                net::gzip_compress(file), gzipped);
    INFO(gz.body);
    REQUIRE(gz.status == 200);
    CHECK(num(gz.json, "readings_stored") == 20);
    CHECK(num(gz.json, "readings_duplicate") == 3);
    CHECK(s.count_all_data() == before);

    // Applying stores exactly what the preview said.
    const auto applied = import(admin, "", file);
    INFO(applied.body);
    REQUIRE(applied.status == 200);
    CHECK_FALSE(applied.json.HasMember("dry_run"));
    for (const char* field : {"batches", "batches_duplicate", "readings_stored",
                              "readings_duplicate", "events_stored", "events_duplicate"}) {
        INFO(field);
        CHECK(num(applied.json, field) == num(preview.json, field));
    }
    CHECK(s.count("readings", acme) == 23);
    const auto after = s.count_all_data();
    CHECK(after > before);
    // The audit log has the applied import, not the previews (rolled back with their counts).
    const auto imports = [&] {
        return s
            .query_value(
                "SELECT string_agg(detail, ' | ' ORDER BY entry_id) FROM audit_log "
                "WHERE action = 'data_imported' AND tenant_id = $1::uuid",
                acme)
            .value_or("");
    };
    CHECK(imports() == "batches=2 readings=23 readings_new=20 scanners_registered=0");

    // A second preview: all of it is in the cloud already.
    const auto again = import(admin, "?dry_run=true", file);
    REQUIRE(again.status == 200);
    CHECK(num(again.json, "batches_duplicate") == 2);
    CHECK(num(again.json, "readings_stored") == 0);
    CHECK(num(again.json, "readings_duplicate") == 23);
    CHECK(num(again.json, "events_stored") == 0);
    CHECK(s.count_all_data() == after);

    // A file of a scanner the tenant does not know.
    const auto stranger = fresh_batch("branch-new");
    const auto unknown_file = to_export_json({stranger});
    const auto look = import(admin, "?dry_run=true", unknown_file);
    INFO(look.body);
    REQUIRE(look.status == 200);
    REQUIRE(look.json["scanners"].Size() == 1);
    CHECK(str(look.json["scanners"][0], "scanner_id") == "branch-new");
    CHECK_FALSE(boolean(look.json["scanners"][0], "known"));
    CHECK(num(look.json, "readings_stored") == static_cast<long long>(stranger.readings.size()));
    CHECK(s.count_all_data() == after);
    CHECK(s.count("scanners") == scanners_before);  // the preview registered nothing
    const auto refused = import(admin, "", unknown_file);
    CHECK(refused.status == 422);
    CHECK(error_code(refused) == "unknown_scanner");
    CHECK(s.count_all_data() == after);
    CHECK(s.count("scanners") == scanners_before);
    // With the preview's view of a mixed file: known and unknown side by side.
    const auto mixed =
        import(admin, "?dry_run=true", to_export_json({fresh_batch("branch-1"), stranger}));
    REQUIRE(mixed.status == 200);
    REQUIRE(mixed.json["scanners"].Size() == 2);
    CHECK(boolean(mixed.json["scanners"][0], "known"));
    CHECK_FALSE(boolean(mixed.json["scanners"][1], "known"));
    // Registered on request.
    const auto created = import(admin, "?create_scanners=true", unknown_file);
    INFO(created.body);
    REQUIRE(created.status == 200);
    CHECK(num(created.json, "readings_stored") == static_cast<long long>(stranger.readings.size()));
    CHECK(s.count("scanners", acme) == 2);
    CHECK(imports() ==
          "batches=2 readings=23 readings_new=20 scanners_registered=0 | batches=1 "
          "readings=" +
              std::to_string(stranger.readings.size()) + " readings_new=" +
              std::to_string(stranger.readings.size()) + " scanners_registered=1");
    const auto listed = as(s, admin, "GET", "/api/v1/scanners");
    CHECK(str(scanner_item(listed, "branch-new"), "scanner_id") == "branch-new");
    const auto known_now = import(admin, "?dry_run=true", unknown_file);
    CHECK(boolean(known_now.json["scanners"][0], "known"));
    CHECK(num(known_now.json, "readings_stored") == 0);

    // Bad files are a clear 400, with nothing stored.
    const auto bad = import(admin, "?dry_run=true", R"({"format":"something else"})");
    CHECK(bad.status == 400);
    CHECK(error_code(bad) == "invalid_export");
    // The empty file previews as empty.
    const auto empty =
        import(admin, "?dry_run=true", R"({"format":"printmon-export","version":1,"batches":[]})");
    if (empty.status == 200) {
        CHECK(num(empty.json, "readings") == 0);
        CHECK(empty.json["from"].IsNull());
        CHECK(empty.json["to"].IsNull());
    } else {
        CHECK(empty.status == 400);
    }
}

TEST_CASE("tenant settings: name, time zone, the zone list", "[cloud][console][tenant]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    create_user(s, acme, "viewer@acme.test", cloud::auth::Role::viewer);
    const auto admin = cookie_login(s, "admin@acme.test");
    const auto viewer = cookie_login(s, "viewer@acme.test");
    const auto put = [&](const Console& c, const std::string& body) {
        return as(s, c, "PUT", "/api/v1/tenant", body);
    };
    const auto name_now = [&] {
        return s.query_value("SELECT name FROM tenants WHERE tenant_id = $1::uuid", acme);
    };

    const auto cyrillic100 = repeat("Ж", 100);
    const auto r100 = put(admin, R"({"name":")" + cyrillic100 + "\"}");
    INFO(r100.body);
    CHECK(r100.status == 200);
    CHECK(str(r100.json, "name") == cyrillic100);
    CHECK(str(r100.json, "tenant_id") == acme);
    CHECK(str(as(s, viewer, "GET", "/api/v1/tenant").json, "name") == cyrillic100);
    // Limits count characters, not bytes: 200 Cyrillic characters are 400 bytes.
    const auto cyrillic200 = repeat("Ж", 200);
    const auto r200 = put(admin, R"({"name":")" + cyrillic200 + "\"}");
    INFO(r200.body);
    CHECK(r200.status == 200);
    CHECK(name_now() == cyrillic200);
    for (const auto& refused : {repeat("Ж", 201), std::string(201, 'a'), std::string()}) {
        const auto r = put(admin, R"({"name":")" + refused + "\"}");
        INFO(refused.size() << " -> " << r.body);
        CHECK(r.status == 400);
        CHECK(error_code(r) == "invalid_body");
    }
    CHECK(put(admin, R"({"name":"a\u0001b"})").status == 400);
    CHECK(put(admin, R"({"name":42})").status == 400);
    CHECK(name_now() == cyrillic200);
    CHECK(put(viewer, R"({"name":"Viewer's"})").status == 403);
    CHECK(name_now() == cyrillic200);

    // Time zone: a known IANA name only; a refused change changes nothing at all.
    const auto zone = put(admin, R"({"time_zone":"Asia/Vladivostok"})");
    INFO(zone.body);
    CHECK(zone.status == 200);
    CHECK(str(zone.json, "time_zone") == "Asia/Vladivostok");
    CHECK(str(zone.json, "name") == cyrillic200);
    for (const char* bad :
         {"Mars/Olympus_Mons", "", "europe/moscow", "../../etc/passwd", "Europe/Moskva"}) {
        const auto r = put(admin, R"({"name":"Renamed","time_zone":")" + std::string(bad) + "\"}");
        INFO(bad << " -> " << r.body);
        CHECK(r.status == 400);
        CHECK(error_code(r) == "invalid_body");
    }
    const auto unchanged = as(s, admin, "GET", "/api/v1/tenant");
    CHECK(str(unchanged.json, "time_zone") == "Asia/Vladivostok");
    CHECK(str(unchanged.json, "name") == cyrillic200);
    const auto both = put(admin, R"({"name":"Acme Ltd","time_zone":"Europe/Moscow"})");
    CHECK(both.status == 200);
    CHECK(str(both.json, "name") == "Acme Ltd");
    CHECK(str(both.json, "time_zone") == "Europe/Moscow");
    CHECK(str(as(s, admin, "GET", "/api/v1/auth/me").json, "tenant_name") == "Acme Ltd");

    const auto zones = as(s, viewer, "GET", "/api/v1/time-zones");
    REQUIRE(zones.status == 200);
    std::set<std::string> names;
    for (const auto& z : items(zones).GetArray()) names.insert(z.GetString());
    CHECK(names.count("Europe/Moscow") == 1);
    CHECK(names.count("Asia/Vladivostok") == 1);
    CHECK(names.count("UTC") == 1);
    for (const auto& n : names) {
        INFO(n);
        CHECK(n.rfind("posix/", 0) != 0);
        CHECK(n.rfind("right/", 0) != 0);
    }
    CHECK(api_get(s, "/api/v1/time-zones", "").status == 401);
}

TEST_CASE("fleet summary counts the caller's fleet", "[cloud][console][fleet]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto beta = s.create_tenant("Beta");
    const auto key = s.create_scanner(acme, "branch-a");
    const auto key2 = s.create_scanner(acme, "branch-b");
    const auto key_b = s.create_scanner(beta, "branch-x");
    const auto token = s.create_token(acme);
    const auto token_b = s.create_token(beta);
    using proto::DeviceStatus;
    const auto now = ago(std::chrono::minutes(5));
    const auto hours_ago = ago(std::chrono::minutes(180));
    const auto days_ago = ago(std::chrono::minutes(2 * 24 * 60));
    // fine, online
    REQUIRE(
        s.ingest(key, device_batch("branch-a", "OK", now, DeviceStatus::running, {}, 80)).status ==
        200);
    // a jam (critical), online
    REQUIRE(
        s.ingest(key, device_batch("branch-a", "JAM", now, DeviceStatus::warning, {"jammed"}, 70))
            .status == 200);
    // low toner (a warning, not an error), online, supply at 15 %
    REQUIRE(s.ingest(key2,
                     device_batch("branch-b", "LOW", now, DeviceStatus::warning, {"low_toner"}, 15))
                .status == 200);
    // not seen for three hours, supply at 10 %
    REQUIRE(
        s.ingest(key2, device_batch("branch-b", "OLD", hours_ago, DeviceStatus::running, {}, 10))
            .status == 200);
    // down, not seen for two days, unknown supply level
    REQUIRE(s.ingest(key, device_batch("branch-a", "DOWN", days_ago, DeviceStatus::down, {},
                                       std::nullopt))
                .status == 200);
    // another tenant's broken printer
    REQUIRE(
        s.ingest(key_b, device_batch("branch-x", "B", now, DeviceStatus::down, {"door_open"}, 5))
            .status == 200);
    // Beta's printer that calls its toner low without a level ("some remaining" and an alert)
    REQUIRE(
        s.ingest(key_b, device_batch("branch-x", "CLAIM", now, DeviceStatus::warning, {"low_toner"},
                                     std::nullopt, 1000, proto::SupplyState::low))
            .status == 200);

    const auto summary = api_get(s, "/api/v1/fleet/summary", token);
    INFO(summary.body);
    REQUIRE(summary.status == 200);
    CHECK(num(summary.json, "devices") == 5);
    CHECK(num(summary.json, "online") == 3);
    CHECK(num(summary.json, "offline") == 2);
    CHECK(num(summary.json, "with_errors") == 2);   // JAM, DOWN
    CHECK(num(summary.json, "supplies_low") == 2);  // LOW 15 %, OLD 10 %
    CHECK(num(summary.json, "sites") == 1);
    CHECK(num(summary.json, "scanners") == 2);
    CHECK(num(summary.json, "offline_after_s") == 3600);
    const auto stricter = api_get(s, "/api/v1/fleet/summary?low_supply_percent=12", token);
    CHECK(num(stricter.json, "supplies_low") == 1);
    CHECK(api_get(s, "/api/v1/fleet/summary?low_supply_percent=101", token).status == 400);
    CHECK(api_get(s, "/api/v1/fleet/summary?tenant=" + beta, token).status == 403);

    // An hour later the first three are still online on the database clock; move one back.
    db::Connection conn = s.database().connect();
    db::with_transaction(conn, [&](pqxx::work& tx) {
        tx.exec_params(
            "UPDATE devices SET last_seen = now() - interval '61 minutes' "
            "WHERE tenant_id = $1::uuid AND serial = 'OK'",
            acme);
    });
    const auto later = api_get(s, "/api/v1/fleet/summary", token);
    CHECK(num(later.json, "online") == 2);
    CHECK(num(later.json, "offline") == 3);
    // The tiles' filters of the device list give the devices the tiles count.
    const auto online =
        api_get(s, "/api/v1/devices?seen_since=" + ago(std::chrono::minutes(60)), token);
    REQUIRE(online.status == 200);
    CHECK(num(online.json, "total") == 2);
    CHECK(num(api_get(s, "/api/v1/devices?with_errors=true", token).json, "total") == 2);
    CHECK(num(api_get(s, "/api/v1/devices?with_errors=false", token).json, "total") == 3);
    CHECK(api_get(s, "/api/v1/devices?with_errors=maybe", token).status == 400);
    // The filter choices: every vendor and model with its devices, this tenant's only.
    long long by_vendor = 0;
    long long by_model = 0;
    REQUIRE(later.json["vendors"].IsArray());
    for (const auto& v : later.json["vendors"].GetArray()) by_vendor += *num(v, "devices");
    for (const auto& m : later.json["models"].GetArray()) by_model += *num(m, "devices");
    CHECK(by_vendor == 5);
    CHECK(by_model == 5);

    const auto other = api_get(s, "/api/v1/fleet/summary", token_b);
    REQUIRE(other.status == 200);
    CHECK(num(other.json, "devices") == 2);
    CHECK(num(other.json, "online") == 2);
    CHECK(num(other.json, "with_errors") == 1);
    // B at 5 % and CLAIM, whose printer says "low" without a percentage: the tile, the device
    // list's filter and the list's column agree.
    CHECK(num(other.json, "supplies_low") == 2);
    CHECK(num(other.json, "scanners") == 1);
    const auto low_list = api_get(s, "/api/v1/devices?low_supplies=true", token_b);
    REQUIRE(low_list.status == 200);
    CHECK(num(low_list.json, "total") == 2);
    bool claim_seen = false;
    for (const auto& d : items(low_list).GetArray()) {
        if (str(d, "serial") != "CLAIM") {
            CHECK(d["supply_claim"].IsNull());
            continue;
        }
        claim_seen = true;
        CHECK(str(d, "supply_claim") == "low");
        CHECK(d["min_supply_percent"].IsNull());
    }
    CHECK(claim_seen);
    // Sorted by supply, the claim counts as 1 %: before B's 5 %.
    const auto by_supply = api_get(s, "/api/v1/devices?sort=supply&order=asc", token_b);
    REQUIRE(items(by_supply).Size() == 2);
    CHECK(str(items(by_supply)[0], "serial") == "CLAIM");
    CHECK(str(items(by_supply)[1], "serial") == "B");
    // At a threshold of 0 only what is empty counts: 5 % and a "low" claim do not.
    const auto zero_pct = api_get(s, "/api/v1/fleet/summary?low_supply_percent=0", token_b);
    CHECK(num(zero_pct.json, "supplies_low") == 0);
    CHECK(num(api_get(s, "/api/v1/devices?low_supplies=true&low_supply_percent=0", token_b).json,
              "total") == 0);
    // The supplies list's "below" takes the claim from 2 % (it is no level, only "low").
    const auto below = [&](int pct) {
        return num(api_get(s, "/api/v1/supplies?below=" + std::to_string(pct), token_b).json,
                   "total");
    };
    CHECK(below(50) == 2);
    CHECK(below(2) == 1);  // the claim; 5 % is not below 2 %
    CHECK(below(1) == 0);
    // Lowest first: the claim ("low", no number) sorts as 1 %, before B's 5 %.
    const auto lowest = api_get(s, "/api/v1/supplies", token_b);
    REQUIRE(items(lowest).Size() == 2);
    CHECK(str(items(lowest)[0], "state") == "low");
    CHECK(items(lowest)[0]["level_percent"].IsNull());
    CHECK(items(lowest)[1]["level_percent"].GetInt64() == 5);
    // Acme's tiles are untouched by Beta's claim.
    CHECK(num(api_get(s, "/api/v1/fleet/summary", token).json, "supplies_low") == 2);
    const auto admin = api_get(s, "/api/v1/fleet/summary?tenant=" + beta, kAdminToken);
    CHECK(num(admin.json, "devices") == 2);
    // An empty tenant has an empty fleet, not an error.
    const auto empty = s.create_tenant("Empty");
    const auto zero = api_get(s, "/api/v1/fleet/summary?tenant=" + empty, kAdminToken);
    REQUIRE(zero.status == 200);
    CHECK(num(zero.json, "devices") == 0);
    CHECK(num(zero.json, "online") == 0);
    CHECK(num(zero.json, "sites") == 0);
}

TEST_CASE("supply levels over time are thinned to the points asked, the last one kept",
          "[cloud][console][device]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto beta = s.create_tenant("Beta");
    const auto key = s.create_scanner(acme, "branch-a");
    const auto token = s.create_token(acme);
    const auto token_b = s.create_token(beta);
    FakeDevice printer;
    printer.branch_id = proto::new_uuid();
    printer.serial = "LEVELS1";
    std::vector<Point> points;
    for (int i = 0; i < 50; ++i) {
        char at[32];
        std::snprintf(at, sizeof at, "2026-03-%02dT%02d:00:00Z", 1 + i / 24, i % 24);
        points.push_back({at, {{"total", 1000 + i}}, 100 - i, ""});
    }
    REQUIRE(s.ingest(key, batch_of("branch-a", printer, points)).status == 200);
    const auto device = *s.query_value(
        "SELECT device_id::text FROM devices WHERE serial = 'LEVELS1' AND tenant_id = $1::uuid",
        acme);
    const auto path = "/api/v1/devices/" + device + "/supply-levels";

    const auto all = api_get(s, path + "?points=1000", token);
    INFO(all.body);
    REQUIRE(all.status == 200);
    REQUIRE(all.json["items"].Size() == 50);
    const auto few = api_get(s, path + "?points=10", token);
    const auto& items = few.json["items"];
    REQUIRE(items.Size() >= 10);
    CHECK(items.Size() <= 11);
    CHECK(str(items[0], "polled_at") == "2026-03-01T00:00:00Z");
    const auto& last = items[items.Size() - 1];
    CHECK(str(last, "polled_at") == "2026-03-03T01:00:00Z");
    CHECK(num(last["levels"][0], "level_percent") == 51);
    const auto window =
        api_get(s, path + "?from=2026-03-02T00:00:00Z&to=2026-03-02T12:00:00Z", token);
    CHECK(window.json["items"].Size() == 12);
    CHECK(api_get(s, path + "?points=1", token).status == 400);
    // Another tenant's device is as unknown as a missing one.
    CHECK(api_get(s, path, token_b).status == 404);
    CHECK(api_get(s, "/api/v1/devices/" + proto::new_uuid() + "/supply-levels", token).status ==
          404);
}

TEST_CASE("exports are the whole list unless a limit is given", "[cloud][console][export]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto key = s.create_scanner(acme, "branch-a");
    const auto token = s.create_token(acme);
    for (int i = 0; i < 120; ++i) {
        FakeDevice printer;
        printer.branch_id = proto::new_uuid();
        printer.serial = "EXP" + std::to_string(i);
        REQUIRE(s.ingest(key, batch_of("branch-a", printer,
                                       {{ago(std::chrono::minutes(5)), {{"total", 10}}, 50, ""}}))
                    .status == 200);
    }
    const auto lines = [](const std::string& body) {
        return std::count(body.begin(), body.end(), '\n');
    };
    const auto csv = api_get(s, "/api/v1/devices?format=csv", token);
    REQUIRE(csv.status == 200);
    CHECK(lines(csv.body) == 121);  // header + every device, not a page of 100
    CHECK(lines(api_get(s, "/api/v1/devices?format=csv&limit=7", token).body) == 8);
    CHECK(num(api_get(s, "/api/v1/devices", token).json, "limit") == 100);  // JSON pages stay
    CHECK(api_get(s, "/api/v1/devices?limit=5000", token).status == 400);
}

TEST_CASE("route walk: credentials and CSRF on every route; the console's files",
          "[cloud][console][routes]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto key = s.create_scanner(acme, "branch-a");
    const auto admin_id = create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    const auto c = cookie_login(s, "admin@acme.test");
    const auto count_everything = [&] {
        long long n = s.count_all_data();
        for (const char* table : {"scanners", "api_tokens", "users", "user_sessions", "tenants"}) {
            n += s.count(table);
        }
        return n;
    };
    const auto before = count_everything();

    const std::set<std::string> expected_public = {"GET /healthz",
                                                   "POST /api/v1/auth/login",
                                                   "POST /api/v1/auth/password-reset",
                                                   "POST /api/v1/auth/password-reset/confirm",
                                                   "GET /",
                                                   "GET /console/{file}"};
    std::set<std::string> public_routes;
    std::size_t unsafe_checked = 0;
    for (const auto& route : s.app().routes()) {
        const std::string op = route.method + " " + route.pattern;
        if (route.options.tag == "public") {
            public_routes.insert(op);
            continue;
        }
        // A parameter value that names something real where it matters (a scanner, a user).
        const std::string value =
            route.pattern.find("{user_id}") != std::string::npos ? admin_id : "branch-a";
        const auto path = fill(route.pattern, value);
        const std::string body = route.method == "GET" || route.method == "DELETE" ? "" : "{}";
        const auto anonymous = api_request(s, route.method, path, "", body);
        INFO(op << " anonymous -> " << anonymous.status << " " << anonymous.body);
        CHECK(anonymous.status == 401);
        CHECK(error_code(anonymous) == "unauthorized");
        if (route.method == "GET") continue;
        for (const Csrf csrf : {Csrf::none, Csrf::wrong}) {
            const auto r = as(s, c, route.method, path, body, csrf);
            INFO(op << " cookie without CSRF -> " << r.status << " " << r.body);
            if (route.options.tag == "scanner") {
                CHECK(r.status == 401);  // scanner routes never take a session
            } else {
                CHECK(r.status == 403);
                CHECK(error_code(r) == "csrf_failed");
                ++unsafe_checked;
            }
        }
    }
    CHECK(public_routes == expected_public);
    CHECK(unsafe_checked > 20);
    CHECK(count_everything() == before);
    CHECK(as(s, c, "GET", "/api/v1/auth/me").status == 200);      // no logout went through
    CHECK(s.ingest(key, fresh_batch("branch-a")).status == 200);  // no key was revoked

    // The console's files: public, with the strict policy, gzip when asked, ETags.
    const auto get = [&](const std::string& path, net::Headers headers = {}) {
        auto r = s.client().get(s.url(path), headers);
        REQUIRE(r);
        return *r;
    };
    const auto plain = get("/console/chart.js");
    REQUIRE(plain.status == 200);
    CHECK(plain.headers.at("Content-Security-Policy") == kCsp);
    CHECK(plain.headers.at("X-Content-Type-Options") == "nosniff");
    CHECK(plain.headers.at("X-Frame-Options") == "DENY");
    CHECK(plain.headers.at("Content-Type").rfind("text/javascript", 0) == 0);
    CHECK(plain.headers.count("Content-Encoding") == 0);
    CHECK(plain.body.find("Chart") != std::string::npos);
    std::ifstream debian("/usr/share/javascript/chart.js/chart.min.js", std::ios::binary);
    if (debian) {
        std::stringstream bytes;
        bytes << debian.rdbuf();
        CHECK(plain.body == bytes.str());
    }
    const auto etag = plain.headers.at("ETag");
    CHECK_FALSE(etag.empty());
    const auto gz = get("/console/chart.js", {{"Accept-Encoding", "gzip, deflate, br"}});
    REQUIRE(gz.status == 200);
    CHECK(gz.headers.at("Content-Encoding") == "gzip");
    CHECK(gz.headers.at("Content-Security-Policy") == kCsp);
    CHECK(gz.body.size() < plain.body.size());
    const auto inflated = net::gzip_decompress(gz.body, plain.body.size() + 1);
    REQUIRE(inflated);
    CHECK(*inflated == plain.body);
    const auto cached = get("/console/chart.js", {{"If-None-Match", etag}});
    CHECK(cached.status == 304);
    CHECK(cached.body.empty());
    CHECK(get("/console/chart.js", {{"If-None-Match", "\"stale\""}}).status == 200);
    CHECK(get("/console/nope.js").status == 404);
    CHECK(get("/console/..%2Fchart.js").status == 404);

    bool has_index = false;
    for (const auto& [name, bytes] : cloud::console::embedded_web_assets()) {
        if (name == "index.html") has_index = true;
    }
    const auto index = get("/");
    if (has_index) {
        CHECK(index.status == 200);
        CHECK(index.headers.at("Content-Security-Policy") == kCsp);
        CHECK(index.headers.at("Content-Type").rfind("text/html", 0) == 0);
        const auto index_etag = index.headers.at("ETag");
        CHECK(get("/", {{"If-None-Match", index_etag}}).status == 304);
        CHECK(get("/", {{"Accept-Encoding", "gzip"}}).headers.at("Content-Encoding") == "gzip");
    } else {
        CHECK(index.status == 404);  // no console pages in this build (cloud-api/web/ empty)
    }
}

TEST_CASE("audit log: each change by whom, in its own transaction; admins only; tenants apart",
          "[cloud][console][audit]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto beta = s.create_tenant("Beta");
    create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    create_user(s, acme, "viewer@acme.test", cloud::auth::Role::viewer);
    create_user(s, beta, "admin@beta.test", cloud::auth::Role::admin);
    const auto entries = [&](const std::string& tenant) {
        return std::stoi(
            s.query_value("SELECT count(*) FROM audit_log WHERE tenant_id = $1::uuid", tenant)
                .value_or("-1"));
    };
    const auto here = cookie_login(s, "admin@acme.test");
    const auto added = as(s, here, "POST", "/api/v1/users",
                          R"({"email":"new@acme.test","role":"viewer","password":"first pw 123"})");
    REQUIRE(added.status == 201);
    const auto new_id = str(added.json, "user_id");
    // A refused change records nothing: the same e-mail again is a conflict.
    const auto before = entries(acme);
    CHECK(as(s, here, "POST", "/api/v1/users",
             R"({"email":"new@acme.test","role":"viewer","password":"first pw 123"})")
              .status == 409);
    CHECK(entries(acme) == before);
    REQUIRE(as(s, here, "PUT", "/api/v1/users/" + new_id, R"({"role":"admin"})").status == 200);
    REQUIRE(as(s, here, "POST", "/api/v1/users/" + new_id + "/password",
               R"({"password":"second pw 456"})")
                .status == 204);
    const auto token = as(s, here, "POST", "/api/v1/tokens", R"({"name":"Выгрузка счётчиков"})");
    REQUIRE(token.status == 201);
    REQUIRE(as(s, here, "DELETE", "/api/v1/tokens/" + str(token.json, "token_id")).status == 204);
    const auto scanner =
        as(s, here, "POST", "/api/v1/scanners", R"({"name":"Склад","site":"Казань"})");
    REQUIRE(scanner.status == 201);
    const auto scanner_id = str(scanner.json, "scanner_id");
    REQUIRE(as(s, here, "POST", "/api/v1/scanners/" + scanner_id + "/key").status == 201);
    const auto hook =
        as(s, here, "POST", "/api/v1/alerting/channels",
           R"({"name":"Ops hook","kind":"webhook","address":"https://127.0.0.1:9/h"})");
    INFO(hook.body);
    REQUIRE(hook.status == 201);
    REQUIRE(
        as(s, here, "DELETE", "/api/v1/alerting/channels/" + str(hook.json, "channel_id")).status ==
        204);
    REQUIRE(as(s, here, "PUT", "/api/v1/tenant", R"({"time_zone":"Asia/Yekaterinburg"})").status ==
            200);
    // Saving the same settings again changes nothing, and says nothing.
    const auto saved = entries(acme);
    REQUIRE(
        as(s, here, "PUT", "/api/v1/tenant", R"({"name":"Acme","time_zone":"Asia/Yekaterinburg"})")
            .status == 200);
    CHECK(entries(acme) == saved);

    const auto log = as(s, here, "GET", "/api/v1/audit?limit=100");
    INFO(log.body);
    REQUIRE(log.status == 200);
    std::vector<std::string> actions;
    for (const auto& e : items(log).GetArray()) actions.push_back(str(e, "action"));
    // Newest first; the tenant setting is named, never a secret.
    CHECK(actions == std::vector<std::string>{"account_updated", "channel_deleted",
                                              "channel_created", "scanner_key_replaced",
                                              "scanner_created", "token_revoked", "token_created",
                                              "user_password_set", "user_role_changed",
                                              "user_created", "signed_in"});
    const auto& items_ = items(log);
    for (const auto& e : items_.GetArray()) {
        CHECK(str(e, "actor") == "admin@acme.test");
        CHECK(str(e, "actor_kind") == "user");
        CHECK(str(e, "address") == "127.0.0.1");
    }
    CHECK(str(items_[0], "detail") == "time_zone: UTC → Asia/Yekaterinburg");
    CHECK(str(items_[1], "target") == "Ops hook");
    CHECK(str(items_[4], "target") == "Склад");
    CHECK(str(items_[4], "detail") == "site=Казань");
    CHECK(str(items_[5], "target") == "Выгрузка счётчиков");  // revoked: the label it had
    CHECK(str(items_[8], "target") == "new@acme.test");
    CHECK(str(items_[8], "detail") == "role=admin");
    CHECK(str(items_[9], "target_id") == new_id);
    // No secret reaches the log: passwords, the token, the scanner key, the webhook secret.
    for (const auto& secret :
         {std::string("first pw 123"), std::string("second pw 456"), str(token.json, "token"),
          str(scanner.json, "key"), str(hook.json, "secret")}) {
        REQUIRE_FALSE(secret.empty());
        CHECK(log.body.find(secret) == std::string::npos);
        CHECK_FALSE(s.query_value("SELECT count(*) FROM audit_log WHERE position($1 in "
                                  "target || detail || actor_id || target_id) > 0",
                                  secret) != "0");
    }

    const auto one = as(s, here, "GET", "/api/v1/audit?action=user_created");
    REQUIRE(one.status == 200);
    REQUIRE(items(one).Size() == 1);
    CHECK(str(items(one)[0], "target") == "new@acme.test");
    // An investigation: text in the actor, target, detail or address; the account's local
    // days (Asia/Yekaterinburg by now), inclusive.
    const auto matching = [&](const std::string& query) {
        const auto r = as(s, here, "GET", "/api/v1/audit?limit=100&" + query);
        INFO(query << ": " << r.body);
        REQUIRE(r.status == 200);
        std::vector<std::string> found;
        for (const auto& e : items(r).GetArray()) found.push_back(str(e, "action"));
        return found;
    };
    CHECK(matching("q=%D0%A1%D0%BA%D0%BB%D0%B0%D0%B4") ==
          std::vector<std::string>{"scanner_key_replaced", "scanner_created"});
    CHECK(matching("q=%D0%A1%D0%9A%D0%9B%D0%90%D0%94") ==  // СКЛАД: Cyrillic folds too
          std::vector<std::string>{"scanner_key_replaced", "scanner_created"});
    CHECK(matching("q=OPS%20HOOK") ==
          std::vector<std::string>{"channel_deleted", "channel_created"});
    CHECK(matching("q=role%3Dadmin") == std::vector<std::string>{"user_role_changed"});
    CHECK(matching("q=127.0.0.1").size() == actions.size());
    CHECK(matching("q=nobody-did-this").empty());
    const auto local_day = [&](int offset) {
        return *s.query_value(
            "SELECT ((now() AT TIME ZONE 'Asia/Yekaterinburg')::date + $1::int)::text",
            std::to_string(offset));
    };
    CHECK(matching("from=" + local_day(0) + "&to=" + local_day(0)).size() == actions.size());
    CHECK(matching("from=" + local_day(0)).size() == actions.size());
    CHECK(matching("to=" + local_day(-1)).empty());
    CHECK(matching("from=" + local_day(1)).empty());
    CHECK(matching("q=%D0%A1%D0%BA%D0%BB%D0%B0%D0%B4&action=scanner_created&from=" +
                   local_day(-3)) == std::vector<std::string>{"scanner_created"});
    CHECK(
        as(s, here, "GET", "/api/v1/audit?from=" + local_day(0) + "&to=" + local_day(-1)).status ==
        400);
    CHECK(as(s, here, "GET", "/api/v1/audit?from=2026-13-01").status == 400);
    CHECK(as(s, here, "GET", "/api/v1/audit?q=" + std::string(101, 'x')).status == 400);
    CHECK(as(s, here, "GET", "/api/v1/audit?actor=x").status == 400);  // unknown parameter

    const auto csv = as(s, here, "GET", "/api/v1/audit?format=csv&lang=ru");
    REQUIRE(csv.status == 200);
    CHECK(csv.body.find("Действие") != std::string::npos);
    CHECK(csv.body.find("Выгрузка счётчиков") != std::string::npos);

    // Viewers and tokens do not read it; another tenant's admin sees only their own.
    const auto viewer = cookie_login(s, "viewer@acme.test");
    CHECK(as(s, viewer, "GET", "/api/v1/audit").status == 403);
    const auto other = cookie_login(s, "admin@beta.test");
    const auto theirs = as(s, other, "GET", "/api/v1/audit");
    REQUIRE(theirs.status == 200);
    REQUIRE(items(theirs).Size() == 1);
    CHECK(str(items(theirs)[0], "action") == "signed_in");
    CHECK(str(items(theirs)[0], "actor") == "admin@beta.test");
    CHECK(as(s, other, "GET", "/api/v1/audit?tenant=" + acme).status == 403);
    CHECK(entries(beta) == 1);
}

TEST_CASE(
    "audit log: failed sign-ins and the lock they cause, in the accounts that know the "
    "e-mail only",
    "[cloud][console][audit][auth]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto beta = s.create_tenant("Beta");
    const auto gamma = s.create_tenant("Gamma");
    create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    const auto shared_a = create_user(s, acme, "both@x.test", cloud::auth::Role::viewer);
    create_user(s, beta, "admin@beta.test", cloud::auth::Role::admin);
    const auto shared_b = create_user(s, beta, "both@x.test", cloud::auth::Role::viewer);
    create_user(s, gamma, "admin@gamma.test", cloud::auth::Role::admin);
    const auto count = [&](const std::string& tenant, const std::string& action) {
        return std::stoi(s.query_value("SELECT count(*) FROM audit_log WHERE tenant_id::text "
                                       "|| '/' || action = $1",
                                       tenant + "/" + action)
                             .value_or("-1"));
    };
    const auto all_rows = [&] { return s.count("audit_log"); };

    // An e-mail no account knows writes nothing anywhere.
    CHECK(login_raw(s, "nobody@x.test", "guess one").status == 401);
    CHECK(all_rows() == 0);

    // The e-mail-only form: every account that knows the e-mail sees the failure, target the
    // user, actor nobody; the tenant form only its own tenant.
    CHECK(login_raw(s, "BOTH@x.test", "guess two").status == 401);
    CHECK(count(acme, "sign_in_failed") == 1);
    CHECK(count(beta, "sign_in_failed") == 1);
    CHECK(count(gamma, "sign_in_failed") == 0);
    CHECK(login_raw(s, "both@x.test", "guess three", beta).status == 401);
    CHECK(count(acme, "sign_in_failed") == 1);
    CHECK(count(beta, "sign_in_failed") == 2);
    // A tenant id that is not one matches nothing and still answers 401.
    CHECK(login_raw(s, "both@x.test", "guess four", "not-a-uuid").status == 401);
    CHECK(all_rows() == 3);

    // A disabled user's failure says so (the password may well have been right).
    disable_user(s, beta, shared_b);
    CHECK(login_raw(s, "both@x.test", kPassword, beta).status == 401);
    CHECK(s.query_value("SELECT detail FROM audit_log WHERE tenant_id = $1::uuid "
                        "ORDER BY entry_id DESC LIMIT 1",
                        beta) == "user=disabled");

    // Acme's admin reads the entries through the API: actor "anonymous" with the address,
    // target the user by id and e-mail; never the password tried.
    const auto here = cookie_login(s, "admin@acme.test");
    const auto log = as(s, here, "GET", "/api/v1/audit?action=sign_in_failed");
    INFO(log.body);
    REQUIRE(log.status == 200);
    REQUIRE(items(log).Size() == 1);
    const auto& e = items(log)[0];
    CHECK(str(e, "actor_kind") == "anonymous");
    CHECK(str(e, "actor") == "anonymous");
    CHECK(str(e, "address") == "127.0.0.1");
    CHECK(str(e, "target") == "both@x.test");
    CHECK(str(e, "target_id") == shared_a);
    CHECK(str(e, "detail").empty());
    for (const auto* guess : {"guess one", "guess two", "guess three", "guess four", kPassword}) {
        CHECK(s.query_value("SELECT count(*) FROM audit_log WHERE position($1 in "
                            "target || detail || actor_id || target_id || address) > 0",
                            std::string(guess)) == "0");
    }

    // Ten failures lock the address out of the e-mail: the tenth is recorded as the lock with
    // the brake's wait; the refusals after it (429, no password checked) write nothing.
    for (int i = 0; i < 9; ++i) CHECK(login_raw(s, "admin@gamma.test", "wrong").status == 401);
    CHECK(count(gamma, "sign_in_failed") == 9);
    CHECK(count(gamma, "sign_in_locked") == 0);
    CHECK(login_raw(s, "admin@gamma.test", "wrong").status == 401);
    CHECK(count(gamma, "sign_in_failed") == 9);
    REQUIRE(count(gamma, "sign_in_locked") == 1);
    const auto lock_detail =
        s.query_value(
             "SELECT detail FROM audit_log WHERE tenant_id = $1::uuid AND action = "
             "'sign_in_locked'",
             gamma)
            .value_or("");
    INFO(lock_detail);
    CHECK(lock_detail.rfind("retry_after=", 0) == 0);
    const auto before = all_rows();
    for (int i = 0; i < 5; ++i) CHECK(login_raw(s, "admin@gamma.test", kPassword).status == 429);
    CHECK(all_rows() == before);
    // Gamma's rows stay Gamma's: Acme's admin sees none of them.
    const auto acme_log = as(s, here, "GET", "/api/v1/audit?limit=100");
    REQUIRE(acme_log.status == 200);
    CHECK(acme_log.body.find("admin@gamma.test") == std::string::npos);
    CHECK(acme_log.body.find("sign_in_locked") == std::string::npos);
}

// Behind haproxy (TLS passthrough) every client had the balancer's address: thirty failed
// sign-ins from anyone locked every user out of signing in, and the audit log showed the
// balancer. With the PROXY protocol from a trusted balancer each client is its own.
TEST_CASE("audit log retention: per account, set by its admins, pruned in bounded batches",
          "[cloud][console][audit][retention]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto beta = s.create_tenant("Beta");
    create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    create_user(s, acme, "viewer@acme.test", cloud::auth::Role::viewer);
    const auto here = cookie_login(s, "admin@acme.test");
    const auto tenant = as(s, here, "GET", "/api/v1/tenant");
    REQUIRE(tenant.status == 200);
    CHECK(num(tenant.json, "audit_retention_months") == 24);

    // Out of range, of the wrong type or by a viewer: refused, nothing changed or recorded.
    const auto entries = [&] { return s.count("audit_log"); };
    const auto before = entries();
    for (const auto* body :
         {R"({"audit_retention_months":0})", R"({"audit_retention_months":121})",
          R"({"audit_retention_months":"6"})", R"({"audit_retention_months":6.5})"}) {
        INFO(body);
        CHECK(as(s, here, "PUT", "/api/v1/tenant", body).status == 400);
    }
    const auto viewer = cookie_login(s, "viewer@acme.test", kPassword, acme);
    CHECK(as(s, viewer, "PUT", "/api/v1/tenant", R"({"audit_retention_months":6})").status == 403);
    CHECK(entries() == before + 1);  // the viewer's sign-in
    const auto set = as(s, here, "PUT", "/api/v1/tenant", R"({"audit_retention_months":6})");
    INFO(set.body);
    REQUIRE(set.status == 200);
    CHECK(num(set.json, "audit_retention_months") == 6);
    CHECK(s.query_value("SELECT detail FROM audit_log WHERE tenant_id = $1::uuid AND action = "
                        "'account_updated'",
                        acme) == "audit_retention_months: 24 → 6");

    // Old entries of both accounts (Beta keeps the default 24 months).
    const auto now = std::chrono::system_clock::now();
    auto conn = s.database().connect();
    const auto add = [&](const std::string& t, int months_ago, int n) {
        pqxx::work tx(conn.raw());
        tx.exec_params(
            "INSERT INTO audit_log (tenant_id, at, actor_kind, actor_id, action, target) "
            "SELECT $1::uuid, $2::timestamptz - make_interval(months => $3) - "
            "make_interval(mins => k), 'user', 'old', 'signed_in', 'old ' || $3 FROM "
            "generate_series(1, $4) k",
            t, proto::format_rfc3339(now), months_ago, n);
        tx.commit();
    };
    add(acme, 7, 12);
    add(acme, 5, 3);
    add(beta, 7, 4);
    add(beta, 25, 2);
    const auto old = [&](const std::string& t, int months_ago) {
        return std::stoi(s.query_value("SELECT count(*) FROM audit_log WHERE tenant_id::text || "
                                       "'/' || target = $1",
                                       t + "/old " + std::to_string(months_ago))
                             .value_or("-1"));
    };
    const auto recent = entries() - 21;

    // Another replica pruning (holding the lock): this one deletes nothing and does not wait.
    {
        auto other = s.database().connect();
        pqxx::work holder(other.raw());
        holder.exec("SELECT pg_advisory_xact_lock(hashtext('printmon.audit_prune'))");
        CHECK(cloud::storage::prune_audit(conn.raw(), now) == 0);
        CHECK(entries() == recent + 21);
    }
    // One batch of 5, then the rest: the oldest first, each account by its own retention.
    CHECK(cloud::storage::prune_audit(conn.raw(), now, 5, 1) == 5);
    CHECK(old(beta, 25) == 0);
    CHECK(old(acme, 7) == 9);
    CHECK(cloud::storage::prune_audit(conn.raw(), now, 5, 20) == 9);
    CHECK(old(acme, 7) == 0);
    CHECK(old(acme, 5) == 3);
    CHECK(old(beta, 7) == 4);
    CHECK(entries() == recent + 7);  // every recent entry kept
    CHECK(cloud::storage::prune_audit(conn.raw(), now) == 0);

    // A shorter retention takes effect at the next prune.
    REQUIRE(as(s, here, "PUT", "/api/v1/tenant", R"({"audit_retention_months":4})").status == 200);
    CHECK(cloud::storage::prune_audit(conn.raw(), now) == 3);
    CHECK(old(acme, 5) == 0);
    CHECK(old(beta, 7) == 4);

    // The operator's command line sets either or both; out of range or neither: nothing.
    const Cli cli(s);
    CHECK(cli.run({"tenant", "set-retention", "--tenant", beta}).code != 0);
    CHECK(cli.run({"tenant", "set-retention", "--tenant", beta, "--audit-months", "0"}).code != 0);
    CHECK(cli.run({"tenant", "set-retention", "--tenant", beta, "--months", "13", "--audit-months",
                   "121"})
              .code != 0);
    const auto retention = [&](const std::string& t) {
        return s.query_value(
            "SELECT raw_retention_months || '/' || audit_retention_months FROM "
            "tenants WHERE tenant_id = $1::uuid",
            t);
    };
    CHECK(retention(beta) == "13/24");
    const auto both = cli.run(
        {"tenant", "set-retention", "--tenant", beta, "--months", "6", "--audit-months", "6"});
    INFO(both.err);
    CHECK(both.code == 0);
    CHECK(both.out == "tenant " + beta + ": raw readings kept 6 months; audit log kept 6 months\n");
    CHECK(retention(beta) == "6/6");
    CHECK(s.query_value("SELECT detail FROM audit_log WHERE tenant_id = $1::uuid AND actor_kind = "
                        "'admin' AND action = 'account_updated'",
                        beta) == "raw_retention_months: 13 → 6; audit_retention_months: 24 → 6");
    CHECK(cloud::storage::prune_audit(conn.raw(), now) == 4);
    CHECK(old(beta, 7) == 0);
}

TEST_CASE("behind a PROXY-protocol balancer the brake and the audit log see each client",
          "[cloud][console][auth][audit][proxy]") {
    ServerSettings settings;
    settings.proxy_protocol_from = {"127.0.0.2"};
    CloudServer s(settings);
    const auto acme = s.create_tenant("Acme");
    create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    const net::test::ProxyProtocolBalancer guesser(s.app().port(), "198.51.100.66", "127.0.0.2");
    const net::test::ProxyProtocolBalancer office(s.app().port(), "203.0.113.10", "127.0.0.2");
    const auto login_via = [&](const net::test::ProxyProtocolBalancer& b, const std::string& email,
                               const std::string& password) {
        const auto r = s.client().request(
            "POST", "https://127.0.0.1:" + std::to_string(b.port()) + "/api/v1/auth/login",
            {{"Content-Type", "application/json"}}, login_body(email, password));
        REQUIRE(r);
        return r->status;
    };
    // One failure against a known user, then a spray of unknown e-mails until the guesser's
    // address is braked.
    CHECK(login_via(guesser, "admin@acme.test", "wrong") == 401);
    int refused = 0;
    for (int i = 0; i < 40 && refused == 0; ++i) {
        if (login_via(guesser, "nobody" + std::to_string(i) + "@x.test", "wrong") == 429) {
            ++refused;
        }
    }
    CHECK(refused == 1);
    CHECK(login_via(guesser, "admin@acme.test", kPassword) == 429);
    // The office behind the same balancer still signs in: the brake counted the guesser.
    CHECK(login_via(office, "admin@acme.test", kPassword) == 200);
    // The audit log names the guesser's address and the office's, never the balancer's.
    CHECK(s.query_value("SELECT address FROM audit_log WHERE action = $1", "sign_in_failed") ==
          "198.51.100.66");
    CHECK(s.query_value("SELECT address FROM audit_log WHERE action = $1", "signed_in") ==
          "203.0.113.10");
    CHECK(s.query_value("SELECT count(*) FROM audit_log WHERE address = $1", "127.0.0.2") == "0");
}

TEST_CASE("a retired device leaves the fleet, keeps its history, and comes back when restored",
          "[cloud][console][retire]") {
    CloudServer s;
    const auto acme = s.create_tenant("Acme");
    const auto beta = s.create_tenant("Beta");
    const auto key = s.create_scanner(acme, "branch-a");
    const auto key_b = s.create_scanner(beta, "branch-x");
    const auto token = s.create_token(acme);
    const auto token_b = s.create_token(beta);
    create_user(s, acme, "viewer@acme.test", cloud::auth::Role::viewer);
    create_user(s, acme, "admin@acme.test", cloud::auth::Role::admin);
    create_user(s, beta, "admin@beta.test", cloud::auth::Role::admin);
    const auto viewer = bearer_login(s, "viewer@acme.test");
    const auto admin = bearer_login(s, "admin@acme.test");
    const auto admin_b = bearer_login(s, "admin@beta.test");
    using proto::DeviceStatus;
    const auto now = ago(std::chrono::minutes(5));
    REQUIRE(
        s.ingest(key, device_batch("branch-a", "OK", now, DeviceStatus::running, {}, 80)).status ==
        200);
    REQUIRE(
        s.ingest(key, device_batch("branch-a", "JAM", now, DeviceStatus::warning, {"jammed"}, 70))
            .status == 200);
    // The printer taken away: last seen three hours ago, its toner at 10 %. Its branch id is
    // kept to send a reading after it is retired.
    FakeDevice old;
    old.branch_id = proto::new_uuid();
    old.serial = "OLD";
    old.model = "LaserJet P2055";
    const auto old_batch = [&](const std::string& at, std::int64_t pages, int toner) {
        auto b = batch_of("branch-a", old, {{at, {{"total", pages}}, toner, ""}});
        for (auto& r : b.readings) {
            r.snapshot.status.errors.clear();
            r.snapshot.status.alerts.clear();
            r.snapshot.supplies.resize(1);
        }
        return b;
    };
    REQUIRE(s.ingest(key, old_batch(ago(std::chrono::minutes(180)), 5000, 10)).status == 200);
    REQUIRE(
        s.ingest(key_b, device_batch("branch-x", "B", now, DeviceStatus::running, {}, 50)).status ==
        200);

    const auto summary = [&] { return api_get(s, "/api/v1/fleet/summary", token); };
    const auto total = [&](const std::string& path) {
        const auto r = api_get(s, path, token);
        INFO(path << ": " << r.body);
        REQUIRE(r.status == 200);
        return *num(r.json, "total");
    };
    auto before = summary();
    REQUIRE(before.status == 200);
    CHECK(num(before.json, "devices") == 3);
    CHECK(num(before.json, "offline") == 1);
    CHECK(num(before.json, "supplies_low") == 1);
    CHECK(num(before.json, "retired") == 0);
    const auto supplies_before = total("/api/v1/supplies");
    const auto found = api_get(s, "/api/v1/devices?q=OLD", token);
    REQUIRE(items(found).Size() == 1);
    const auto id = str(items(found)[0], "device_id");
    CHECK(items(found)[0]["retired_at"].IsNull());
    const auto retire = "/api/v1/devices/" + id + "/retire";
    const auto restore = "/api/v1/devices/" + id + "/restore";
    const auto entries = [&](const std::string& action) {
        return std::stoi(s.query_value("SELECT count(*) FROM audit_log WHERE tenant_id = $1::uuid "
                                       "AND action = '" +
                                           action + "'",
                                       acme)
                             .value_or("-1"));
    };

    // Admins only, the tenant's own devices only, a note of at most 500 characters.
    CHECK(api_request(s, "POST", retire, viewer).status == 403);
    CHECK(api_request(s, "POST", retire, admin_b).status == 404);
    CHECK(
        api_request(s, "POST", "/api/v1/devices/" + proto::new_uuid() + "/retire", admin).status ==
        404);
    CHECK(api_request(s, "POST", retire, admin, R"({"note":")" + repeat("я", 501) + "\"}").status ==
          400);
    CHECK(api_request(s, "POST", retire, admin, R"({"note":5})").status == 400);
    CHECK(entries("device_retired") == 0);
    CHECK(num(summary().json, "devices") == 3);

    const auto done = api_request(s, "POST", retire, admin, R"({"note":"заменён на M404"})");
    INFO(done.body);
    REQUIRE(done.status == 200);
    CHECK(str(done.json, "device_id") == id);
    CHECK(api_request(s, "POST", retire, admin).status == 409);
    CHECK(entries("device_retired") == 1);
    CHECK(s.query_value("SELECT target || ' | ' || detail FROM audit_log WHERE tenant_id = "
                        "$1::uuid AND action = 'device_retired'",
                        acme) ==
          std::optional<std::string>("HP LaserJet P2055 OLD | заменён на M404"));

    // Out of the tiles, the filters' choices, the lists (kept and counted totals alike) and the
    // site's device count; the list of retired devices has it.
    auto after = summary();
    CHECK(num(after.json, "devices") == 2);
    CHECK(num(after.json, "offline") == 0);
    CHECK(num(after.json, "supplies_low") == 0);
    CHECK(num(after.json, "retired") == 1);
    long long by_model = 0;
    for (const auto& m : after.json["models"].GetArray()) {
        CHECK(str(m, "model") != "LaserJet P2055");
        by_model += *num(m, "devices");
    }
    CHECK(by_model == 2);
    CHECK(total("/api/v1/devices") == 2);
    CHECK(total("/api/v1/devices?q=OLD") == 0);
    CHECK(total("/api/v1/devices?q=OLD&retired=include") == 1);
    CHECK(total("/api/v1/devices?retired=include") == 3);
    const auto retired = api_get(s, "/api/v1/devices?retired=only", token);
    REQUIRE(items(retired).Size() == 1);
    CHECK(str(items(retired)[0], "serial") == "OLD");
    CHECK_FALSE(str(items(retired)[0], "retired_at").empty());
    CHECK(api_get(s, "/api/v1/devices?retired=yes", token).status == 400);
    CHECK(total("/api/v1/supplies") == supplies_before - 1);
    CHECK(total("/api/v1/supplies?below=20") == 0);
    const auto sites = api_get(s, "/api/v1/sites", token);
    REQUIRE(items(sites).Size() == 1);
    CHECK(num(items(sites)[0], "devices") == 2);
    // Its page says so, with the note; its history is still there.
    const auto page = api_get(s, "/api/v1/devices/" + id, token);
    REQUIRE(page.status == 200);
    CHECK_FALSE(str(page.json, "retired_at").empty());
    CHECK(str(page.json, "retired_note") == "заменён на M404");
    CHECK(total("/api/v1/devices/" + id + "/readings") == 1);
    // Beta's fleet is untouched.
    CHECK(num(api_get(s, "/api/v1/fleet/summary", token_b).json, "devices") == 1);

    // A reading that still arrives is kept but does not bring it back, nor its supplies.
    REQUIRE(s.ingest(key, old_batch(now, 5100, 9)).status == 200);
    CHECK(total("/api/v1/devices/" + id + "/readings") == 2);
    CHECK(num(summary().json, "devices") == 2);
    CHECK(total("/api/v1/devices") == 2);
    CHECK(total("/api/v1/supplies") == supplies_before - 1);
    CHECK(total("/api/v1/supplies?below=20") == 0);
    CHECK(total("/api/v1/devices?retired=only") == 1);

    // Restored: back everywhere, its supplies from its latest reading (9 %).
    const auto back = api_request(s, "POST", restore, admin);
    INFO(back.body);
    REQUIRE(back.status == 200);
    CHECK(api_request(s, "POST", restore, admin).status == 409);
    CHECK(api_request(s, "POST", restore, viewer).status == 403);
    CHECK(entries("device_restored") == 1);
    after = summary();
    CHECK(num(after.json, "devices") == 3);
    CHECK(num(after.json, "supplies_low") == 1);
    CHECK(num(after.json, "retired") == 0);
    CHECK(total("/api/v1/devices") == 3);
    CHECK(total("/api/v1/devices?retired=only") == 0);
    CHECK(total("/api/v1/supplies") == supplies_before);
    const auto low = api_get(s, "/api/v1/supplies?below=20", token);
    REQUIRE(items(low).Size() == 1);
    CHECK(str(items(low)[0], "serial") == "OLD");
    CHECK(items(low)[0]["level_percent"].GetInt64() == 9);
    const auto restored = api_get(s, "/api/v1/devices/" + id, token);
    CHECK(restored.json["retired_at"].IsNull());
    CHECK(str(restored.json, "retired_note").empty());

    // A licence covers the devices in service: over its limit reads are refused (402), and
    // retiring a device, which is a change and not a read, frees its seat.
    Cli cli(s);
    REQUIRE(
        cli.run({"tenant", "licence", "--tenant", acme, "--until", "2099-01-01", "--devices", "2"})
            .code == 0);
    CHECK(api_get(s, "/api/v1/fleet/summary", token).status == 402);
    REQUIRE(api_request(s, "POST", retire, admin).status == 200);
    const auto seats = api_get(s, "/api/v1/tenant", token);
    REQUIRE(seats.status == 200);
    CHECK(str(seats.json, "status") == "licensed");
    CHECK(num(seats.json, "devices") == 2);
    CHECK(api_get(s, "/api/v1/fleet/summary", token).status == 200);
    // Restoring it is refused by nothing, and the account is over its limit again.
    REQUIRE(api_request(s, "POST", restore, admin).status == 200);
    CHECK(api_get(s, "/api/v1/fleet/summary", token).status == 402);
}
