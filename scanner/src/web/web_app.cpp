#include "web/web_app.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <any>
#include <array>
#include <cctype>
#include <map>
#include <stdexcept>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <pqxx/except>

#include "discovery/targets.hpp"
#include "polling/service.hpp"
#include "polling/text.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/net/client.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "storage/export.hpp"
#include "web/assets.hpp"
#include "web/credentials.hpp"
#include "web/web_store.hpp"

namespace printmon::scanner::web {
namespace {

using net::HttpError;
using net::Request;
using net::Response;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr const char* kAdminUser = "admin";
constexpr std::size_t kMaxText = 200;             // names, locations, communities, passwords
constexpr std::size_t kMaxContextBytes = 32;      // SNMPv3 contextName (RFC 3411)
constexpr std::size_t kMaxRangeCredentials = 20;  // sets one range may name
constexpr long long kMinInterval = 30;
constexpr long long kMaxInterval = 7 * 86400;

// ---------------------------------------------------------------------------------------------
// JSON in and out

/// Builds one JSON document with RapidJSON's Writer (STYLE.md §6: never by concatenation).
class Json {
  public:
    Json() : w_(buf_) {}
    Writer& w() { return w_; }
    Json& key(const char* k) {
        w_.Key(k);
        return *this;
    }
    Json& str(std::string_view v) {
        w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
        return *this;
    }
    Json& opt(const std::optional<std::string>& v) {
        if (v) {
            str(*v);
        } else {
            w_.Null();
        }
        return *this;
    }
    Json& num(long long v) {
        w_.Int64(v);
        return *this;
    }
    Json& boolean(bool v) {
        w_.Bool(v);
        return *this;
    }
    Json& null() {
        w_.Null();
        return *this;
    }
    /// A JSON document stored by the scanner itself (a snapshot), embedded as is.
    Json& raw(const std::string& json) {
        w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
        return *this;
    }
    Json& begin() {
        w_.StartObject();
        return *this;
    }
    Json& end() {
        w_.EndObject();
        return *this;
    }
    Json& begin_array() {
        w_.StartArray();
        return *this;
    }
    Json& end_array() {
        w_.EndArray();
        return *this;
    }
    std::string text() const { return {buf_.GetString(), buf_.GetSize()}; }
    Response response(unsigned status = 200) const { return Response::json(text(), status); }

  private:
    rapidjson::StringBuffer buf_;
    Writer w_;
};

std::string json_string(std::string_view v) {
    Json j;
    j.str(v);
    return j.text();
}

HttpError bad_field(const char* field, const std::string& message) {
    return HttpError(400, "invalid_field", fmt::format("{}: {}", field, message));
}

/// The request body as a JSON object; 415 for another media type, 400 for malformed JSON.
rapidjson::Document parse_body(const Request& request) {
    const auto type = request.header("Content-Type");
    if (!type || net::media_type(*type) != "application/json") {
        throw HttpError(415, "unsupported_media_type", "send the body as application/json");
    }
    rapidjson::Document doc;
    // Iterative parsing: a hostile, deeply nested body cannot exhaust the stack. Encoding
    // validated for the whole body, member names and members no handler reads included: the
    // database and the logs take only UTF-8, and fields checked one by one missed the rest.
    doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(
        request.body.data(), request.body.size());
    if (doc.GetParseError() == rapidjson::kParseErrorStringInvalidEncoding) {
        throw HttpError(
            400, "malformed_json",
            fmt::format("the body is not valid UTF-8 (at byte {})", doc.GetErrorOffset()));
    }
    if (doc.HasParseError()) {
        throw HttpError(400, "malformed_json",
                        fmt::format("malformed JSON at offset {}: {}", doc.GetErrorOffset(),
                                    rapidjson::GetParseError_En(doc.GetParseError())));
    }
    if (!doc.IsObject()) throw HttpError(400, "malformed_json", "expected a JSON object");
    return doc;
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* key) {
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
}

bool has_member(const rapidjson::Value& obj, const char* key) {
    return obj.FindMember(key) != obj.MemberEnd();
}

std::optional<std::string> opt_string(const rapidjson::Value& obj, const char* key,
                                      std::size_t max_len = kMaxText) {
    const auto* v = member(obj, key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsString()) throw bad_field(key, "must be a string");
    std::string s(v->GetString(), v->GetStringLength());
    // Rationale: limits count characters as the user sees them (a 100-letter Cyrillic location
    // is 200 bytes), so count code points; RapidJSON passes invalid UTF-8 through unchecked.
    const auto length = text::utf8_length(s);
    if (!length) throw bad_field(key, "is not valid UTF-8");
    if (*length > max_len) throw bad_field(key, fmt::format("longer than {} characters", max_len));
    for (const char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
            throw bad_field(key, "must not contain control characters");
        }
    }
    return s;
}

std::string req_string(const rapidjson::Value& obj, const char* key,
                       std::size_t max_len = kMaxText) {
    auto s = opt_string(obj, key, max_len);
    if (!s || s->empty()) throw bad_field(key, "is required");
    return *s;
}

std::optional<long long> opt_int(const rapidjson::Value& obj, const char* key, long long min,
                                 long long max) {
    const auto* v = member(obj, key);
    if (v == nullptr) return std::nullopt;
    long long n = 0;
    if (v->IsInt64()) {
        n = v->GetInt64();
    } else if (v->IsString()) {
        // HTML forms hand numbers over as text.
        const std::string s(v->GetString(), v->GetStringLength());
        if (s.empty()) return std::nullopt;
        std::size_t used = 0;
        try {
            n = std::stoll(s, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != s.size()) throw bad_field(key, "must be a whole number");
    } else {
        throw bad_field(key, "must be a whole number");
    }
    if (n < min || n > max) throw bad_field(key, fmt::format("must be within {}..{}", min, max));
    return n;
}

std::optional<bool> opt_bool(const rapidjson::Value& obj, const char* key) {
    const auto* v = member(obj, key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsBool()) throw bad_field(key, "must be true or false");
    return v->GetBool();
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

std::optional<std::string> cookie_value(const Request& request, std::string_view name) {
    const auto header = request.header("Cookie");
    if (!header) return std::nullopt;
    std::string_view rest = *header;
    while (!rest.empty()) {
        const auto semi = rest.find(';');
        std::string_view part = rest.substr(0, semi);
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        const auto eq = part.find('=');
        if (eq != std::string_view::npos && part.substr(0, eq) == name) {
            return std::string(part.substr(eq + 1));
        }
    }
    return std::nullopt;
}

net::Headers security_header_set() {
    // Rationale: no inline scripts or styles anywhere, so the policy can forbid them; the UI
    // must never be framed (clickjacking of "delete device").
    return {{"Content-Security-Policy",
             "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
            {"X-Content-Type-Options", "nosniff"},
            {"Referrer-Policy", "same-origin"},
            {"X-Frame-Options", "DENY"}};
}

void security_headers(Response& r) {
    for (auto& [name, value] : security_header_set()) r.headers[name] = std::move(value);
}

Response redirect(const std::string& location) {
    Response r = Response::empty(303);
    r.headers["Location"] = location;
    r.headers["Cache-Control"] = "no-store";
    return r;
}

bool is_unsafe(const std::string& method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

/// The name in a Host header, lower case, without the port or an IPv6 literal's brackets:
/// "Scanner:8080" -> "scanner", "[::1]:8080" -> "::1".
std::string host_name(std::string_view host) {
    std::string_view name = host;
    if (!name.empty() && name.front() == '[') {
        const auto close = name.find(']');
        name = close == std::string_view::npos ? name.substr(1) : name.substr(1, close - 1);
    } else if (const auto colon = name.rfind(':'); colon != std::string_view::npos) {
        name = name.substr(0, colon);
    }
    std::string out(name);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!out.empty() && out.back() == '.') out.pop_back();  // "localhost." is localhost
    return out;
}

bool is_ip_literal(const std::string& name) {
    std::array<unsigned char, 16> address{};
    return inet_pton(AF_INET, name.c_str(), address.data()) == 1 ||
           inet_pton(AF_INET6, name.c_str(), address.data()) == 1;
}

std::string content_type_of(std::string_view name) {
    const auto dot = name.rfind('.');
    const auto ext = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    if (ext == "html") return "text/html; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
    if (ext == "svg") return "image/svg+xml";
    if (ext == "png") return "image/png";
    if (ext == "ico") return "image/x-icon";
    if (ext == "json") return "application/json";
    return "application/octet-stream";
}

struct Asset {
    std::string body;
    std::string content_type;
    std::string etag;
};

/// Validates a device address: one IPv4 address or a host name (no ranges).
std::string check_address(const std::string& address) {
    const auto spec = discovery::parse_target(address);
    if (!spec) throw bad_field("address", spec.error());
    if (spec->hostname.empty() && spec->first != spec->last) {
        throw bad_field("address", "give one address, not a range");
    }
    return spec->hostname.empty() ? discovery::format_ipv4(spec->first) : spec->hostname;
}

/// Reads SNMP credentials from a JSON object ({"version":"2c","community":"public"} or v3).
snmp::Credentials read_credentials(const rapidjson::Value& obj) {
    snmp::Credentials c;
    const auto version = opt_string(obj, "version").value_or("2c");
    auto parsed = snmp::parse_version(version);
    if (!parsed) throw bad_field("version", "must be 1, 2c or 3");
    c.version = *parsed;
    c.community = opt_string(obj, "community").value_or("");
    c.user = opt_string(obj, "user").value_or("");
    c.auth_protocol = opt_string(obj, "auth_protocol").value_or("");
    c.auth_password = opt_string(obj, "auth_password").value_or("");
    c.priv_protocol = opt_string(obj, "priv_protocol").value_or("");
    c.priv_password = opt_string(obj, "priv_password").value_or("");
    c.context = opt_string(obj, "context").value_or("");
    static const std::vector<std::string> kAuth = {"",        "MD5",     "SHA",    "SHA-224",
                                                   "SHA-256", "SHA-384", "SHA-512"};
    static const std::vector<std::string> kPriv = {"", "DES", "AES", "AES-192", "AES-256"};
    if (std::find(kAuth.begin(), kAuth.end(), c.auth_protocol) == kAuth.end()) {
        throw bad_field("auth_protocol",
                        "must be one of MD5, SHA, SHA-224, SHA-256, SHA-384, "
                        "SHA-512 or empty");
    }
    if (std::find(kPriv.begin(), kPriv.end(), c.priv_protocol) == kPriv.end()) {
        throw bad_field("priv_protocol", "must be one of DES, AES, AES-192, AES-256 or empty");
    }
    // Rationale: octets, not characters: contextName is an SnmpAdminString of at most 32
    // octets (RFC 3411); a longer one is refused by every agent.
    if (c.context.size() > kMaxContextBytes) {
        throw bad_field("context",
                        fmt::format("must have at most {} bytes (RFC 3411)", kMaxContextBytes));
    }
    if (c.version == snmp::Version::v3) {
        if (c.user.empty()) throw bad_field("user", "is required for SNMPv3");
        // Rationale: bytes here, not characters: RFC 3414 and net-snmp count the octets of the
        // passphrase (USM_LENGTH_P_MIN), so this is what the agent will accept.
        if (!c.auth_protocol.empty() && c.auth_password.size() < 8) {
            throw bad_field("auth_password", "must have at least 8 bytes (RFC 3414)");
        }
        if (!c.priv_protocol.empty() && c.auth_protocol.empty()) {
            throw bad_field("priv_protocol", "privacy needs an authentication protocol");
        }
        if (!c.priv_protocol.empty() && c.priv_password.size() < 8) {
            throw bad_field("priv_password", "must have at least 8 bytes (RFC 3414)");
        }
        c.community.clear();
    } else if (c.community.empty()) {
        throw bad_field("community", "is required for SNMP v1/v2c");
    } else if (!c.context.empty()) {
        throw bad_field("context", "is only used by SNMPv3");
    }
    return c;
}

/// `credential_ids` of a range: distinct credential set ids, in try order. Whether they exist
/// is checked against the database by the caller.
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

/// `pmk.<tenant uuid>.<secret>`; returns the problem or "".
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

std::optional<std::chrono::system_clock::time_point> parse_day(const std::string& text) {
    return proto::parse_rfc3339(text + "T00:00:00Z");
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
        j.key("color").str(s.color).key("level_percent");
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
    j.key("credential_id").opt(d.credential_id);
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

// ---------------------------------------------------------------------------------------------

struct WebApp::Impl {
    WebOptions options;
    WebStorePool& pool;
    Service& service;
    const common::Clock& clock;
    std::shared_ptr<spdlog::logger> log;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::chrono::system_clock::time_point started_wall;
    std::map<std::string, Asset, std::less<>> assets;
    net::HttpClient cloud_client;
    std::string dummy_hash = hash_password(random_token());

    Impl(WebOptions o, WebStorePool& p, Service& s, const common::Clock& c)
        : options(std::move(o)),
          pool(p),
          service(s),
          clock(c),
          log(common::get_logger("scanner.web")),
          started_wall(c.now()),
          cloud_client(client_options(options)) {
        for (const auto& [name, body] : embedded_web_assets()) {
            Asset a;
            a.body = std::string(body);
            a.content_type = content_type_of(name);
            a.etag = "\"" + sha256_hex(body).substr(0, 20) + "\"";
            assets.emplace(std::string(name), std::move(a));
        }
    }

    static net::HttpClientOptions client_options(const WebOptions& o) {
        net::HttpClientOptions c;
        c.ca_file = o.cloud_ca_file;
        c.connect_timeout = o.cloud_timeout;
        c.tls_timeout = o.cloud_timeout;
        c.request_timeout = o.cloud_timeout;
        c.max_response_bytes = 64 * 1024;
        return c;
    }

    template <class Fn>
    void db(Fn&& fn) {
        try {
            pool.with(std::forward<Fn>(fn));
        } catch (const HttpError&) {
            throw;
        } catch (const std::exception& e) {
            if (storage::is_connection_failure(e)) {
                log->warn("event=db_unavailable error={}", common::log_value(e.what()));
                throw HttpError(503, "database_unavailable",
                                "the scanner database is not reachable; try again shortly");
            }
            throw;
        }
    }

    // --- authentication ---------------------------------------------------------------------

    std::optional<Principal> resolve(const Request& request) {
        std::optional<Principal> principal;
        if (const auto auth = request.header("Authorization")) {
            constexpr std::string_view kBearer = "Bearer ";
            if (auth->substr(0, kBearer.size()) == kBearer) {
                const auto hash = sha256_hex(auth->substr(kBearer.size()));
                db([&](WebStore& s) { principal = s.api_token(hash); });
                if (!principal) throw HttpError(401, "unauthenticated", "unknown API token");
                return principal;
            }
        }
        const auto token = cookie_value(request, kSessionCookie);
        if (!token || token->empty() || token->size() > 128) return std::nullopt;
        const auto hash = sha256_hex(*token);
        db([&](WebStore& s) { principal = s.session(hash); });
        return principal;
    }

    void before(Request& request, const net::RouteInfo& route) {
        if (route.options.tag == kTagPublic) return;
        auto principal = resolve(request);
        if (route.options.tag == kTagPage) {
            request.context = principal;
            return;
        }
        if (!principal) throw HttpError(401, "unauthenticated", "log in first");
        if (is_unsafe(request.method) && !principal->api_token) {
            const auto token = request.header("X-CSRF-Token");
            if (!token || !constant_time_equal(*token, principal->csrf_token)) {
                log->warn("event=csrf_rejected route={} remote={}",
                          common::log_value(route.pattern), request.remote_address);
                throw HttpError(403, "csrf_failed",
                                "missing or wrong X-CSRF-Token; reload the page");
            }
        }
        request.context = principal;
    }

    bool is_own_host(const std::string& name) const {
        if (name == "localhost" || is_ip_literal(name)) return true;
        return std::any_of(options.allowed_hosts.begin(), options.allowed_hosts.end(),
                           [&](const std::string& allowed) { return host_name(allowed) == name; });
    }

    static const Principal& principal_of(const Request& request) {
        const auto* p = std::any_cast<std::optional<Principal>>(&request.context);
        if (p == nullptr || !*p) throw HttpError(401, "unauthenticated", "log in first");
        return **p;
    }

    /// Login and setup come without a session, so they are guarded by what the browser says
    /// about the request (issue 14 item 2):
    /// - Host must be a name of this scanner: an IP literal, localhost, or one of
    ///   [web] allowed_hosts. Rationale: DNS rebinding gives a hostile page a name that
    ///   resolves to the scanner; its requests are same-origin for the browser, but carry the
    ///   hostile name in Host. An IP literal cannot be rebound.
    /// - Origin, when sent (browsers always send it on a POST), must be this very host and
    ///   scheme; Sec-Fetch-Site, when sent, must not say cross-site.
    /// - The body must be application/json (parse_body): a cross-site form cannot send that.
    /// Clients without Host or Origin (curl, scripts) are not browsers and not at risk.
    void check_same_origin(const Request& request) const {
        const auto host = request.header("Host");
        if (host && !is_own_host(host_name(*host))) {
            log->warn("event=unknown_host host={} remote={}", common::log_value(*host),
                      request.remote_address);
            throw HttpError(403, "unknown_host",
                            fmt::format("this scanner does not answer to the name '{}'; add it "
                                        "to allowed_hosts in the [web] section of scanner.toml",
                                        host_name(*host)));
        }
        const auto origin = request.header("Origin");
        if (origin) {
            const std::string expected =
                fmt::format("{}://{}", options.tls() ? "https" : "http", host.value_or(""));
            if (!host || !iequals(*origin, expected)) {
                throw HttpError(403, "cross_origin", "cross-origin request refused");
            }
        }
        const auto site = request.header("Sec-Fetch-Site");
        if (site && *site != "same-origin" && *site != "none") {
            throw HttpError(403, "cross_origin", "cross-origin request refused");
        }
    }

    std::string session_cookie(const std::string& value, std::chrono::seconds max_age) const {
        return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie,
                           value, max_age.count(), options.tls() ? "; Secure" : "");
    }

    Response start_session(const Request& request, const UserRow& user, unsigned status) {
        const auto token = random_token();
        const auto csrf = random_token();
        db([&](WebStore& s) {
            s.create_session(sha256_hex(token), user.user_id, csrf, options.session_lifetime,
                             request.remote_address);
        });
        Json j;
        j.begin().key("username").str(user.username).key("csrf_token").str(csrf).end();
        Response r = j.response(status);
        r.headers["Set-Cookie"] = session_cookie(token, options.session_lifetime);
        return r;
    }

    Response auth_state(Request& request) {
        bool setup_required = false;
        db([&](WebStore& s) { setup_required = !s.has_users(); });
        std::optional<Principal> principal;
        if (!setup_required) principal = resolve(request);
        Json j;
        j.begin().key("setup_required").boolean(setup_required);
        j.key("authenticated").boolean(principal.has_value());
        j.key("username").opt(principal ? std::optional(principal->username) : std::nullopt);
        j.key("csrf_token").opt(principal ? std::optional(principal->csrf_token) : std::nullopt);
        j.key("version").str(PRINTMON_VERSION);
        j.end();
        return j.response();
    }

    Response setup(Request& request) {
        check_same_origin(request);
        const auto body = parse_body(request);
        const auto password = req_string(body, "password", 1024);
        if (const auto problem = password_problem(password); !problem.empty()) {
            throw bad_field("password", problem);
        }
        if (const auto confirm = opt_string(body, "password_confirm", 1024);
            confirm && *confirm != password) {
            throw bad_field("password_confirm", "the passwords differ");
        }
        const auto hash = hash_password(password);
        std::optional<std::string> user_id;
        db([&](WebStore& s) { user_id = s.create_first_user(kAdminUser, hash); });
        if (!user_id) {
            throw HttpError(409, "already_set_up", "the administrator password is already set");
        }
        log->info("event=admin_created remote={}", request.remote_address);
        return start_session(request, UserRow{*user_id, kAdminUser, hash}, 201);
    }

    Response login(Request& request) {
        check_same_origin(request);
        const auto body = parse_body(request);
        const auto username = opt_string(body, "username").value_or(kAdminUser);
        const auto password = req_string(body, "password", 1024);
        const auto& remote = request.remote_address;
        long long failures = 0;
        db([&](WebStore& s) { failures = s.recent_login_failures(remote, options.login_window); });
        if (failures >= options.login_max_failures) {
            log->warn("event=login_rate_limited remote={} failures={}", remote, failures);
            Response r =
                net::error_response(429, "too_many_attempts",
                                    fmt::format("too many failed logins; try again in {} minutes",
                                                (options.login_window.count() + 59) / 60));
            r.headers["Retry-After"] = std::to_string(options.login_window.count());
            return r;
        }
        std::optional<UserRow> user;
        db([&](WebStore& s) { user = s.user_by_name(username); });
        // Rationale: hash even for an unknown user so timing does not reveal user names.
        bool ok = false;
        if (user) {
            ok = verify_password(password, user->password_hash);
        } else {
            verify_password(password, dummy_hash);
        }
        db([&](WebStore& s) { s.record_login_attempt(remote, username, ok); });
        if (!ok) {
            log->warn("event=login_failed remote={} user={}", remote, common::log_value(username));
            throw HttpError(401, "bad_credentials", "wrong user name or password");
        }
        log->info("event=login remote={} user={}", remote, common::log_value(username));
        return start_session(request, *user, 200);
    }

    Response logout(Request& request) {
        const auto& p = principal_of(request);
        if (!p.api_token) db([&](WebStore& s) { s.delete_session(p.token_hash); });
        Response r = Response::empty(204);
        r.headers["Set-Cookie"] = session_cookie("", std::chrono::seconds(0));
        return r;
    }

    Response change_password(Request& request) {
        const auto& p = principal_of(request);
        const auto body = parse_body(request);
        const auto current = req_string(body, "current_password", 1024);
        const auto next = req_string(body, "new_password", 1024);
        if (const auto problem = password_problem(next); !problem.empty()) {
            throw bad_field("new_password", problem);
        }
        std::optional<UserRow> user;
        db([&](WebStore& s) { user = s.user_by_id(p.user_id); });
        if (!user || !verify_password(current, user->password_hash)) {
            throw HttpError(403, "bad_credentials", "the current password is wrong");
        }
        const auto hash = hash_password(next);
        db([&](WebStore& s) { s.set_password(p.user_id, hash, p.token_hash); });
        log->info("event=password_changed user={}", common::log_value(p.username));
        return Response::empty(204);
    }

    Response list_tokens(Request& request) {
        const auto& p = principal_of(request);
        std::vector<ApiTokenRow> tokens;
        db([&](WebStore& s) { tokens = s.api_tokens(p.user_id); });
        Json j;
        j.begin().key("tokens").begin_array();
        for (const auto& t : tokens) {
            j.begin().key("token_id").str(t.token_id).key("name").str(t.name);
            j.key("created_at").str(t.created_at).key("last_used_at").opt(t.last_used_at).end();
        }
        j.end_array().end();
        return j.response();
    }

    Response create_token(Request& request) {
        const auto& p = principal_of(request);
        const auto body = parse_body(request);
        const auto name = req_string(body, "name");
        const auto token = "pmt_" + random_token();
        std::string id;
        db([&](WebStore& s) { id = s.create_api_token(p.user_id, name, sha256_hex(token)); });
        log->info("event=api_token_created name={}", common::log_value(name));
        Json j;
        j.begin().key("token_id").str(id).key("name").str(name).key("token").str(token).end();
        return j.response(201);
    }

    Response delete_token(Request& request) {
        const auto& p = principal_of(request);
        bool ok = false;
        db([&](WebStore& s) { ok = s.delete_api_token(p.user_id, request.param("id")); });
        if (!ok) throw HttpError(404, "not_found", "no such API token");
        return Response::empty(204);
    }

    // --- devices -------------------------------------------------------------------------------

    Response list_devices(Request&) {
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

    DeviceView load_device(const std::string& id, storage::Settings* settings = nullptr) {
        if (!proto::is_uuid(id)) throw HttpError(404, "not_found", "no such device");
        std::optional<DeviceView> d;
        db([&](WebStore& s) {
            d = s.device(id);
            if (settings != nullptr) *settings = s.store().load_settings();
        });
        if (!d) throw HttpError(404, "not_found", "no such device");
        return *d;
    }

    Response get_device(Request& request) {
        storage::Settings settings;
        const auto d = load_device(request.param("id"), &settings);
        Json j;
        write_device(j, d, settings, true);
        return j.response();
    }

    Response device_history(Request& request) {
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
    Response local_alerts(Request& request) {
        int supply_percent = 10;
        if (const auto p = request.query_param("supply_percent")) {
            const std::string text(*p);
            const bool digits =
                !text.empty() && text.size() <= 3 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (!digits || std::stoi(text) > 100) {
                throw HttpError(400, "invalid_query", "supply_percent must be 0..100");
            }
            supply_percent = std::stoi(text);
        }
        std::vector<LocalAlert> alerts;
        db([&](WebStore& s) { alerts = s.local_alerts(supply_percent); });
        Json j;
        j.begin().key("supply_percent").num(supply_percent).key("alerts").begin_array();
        for (const auto& a : alerts) {
            // Severity for sorting and colour: a stopped device is critical, a warning needs
            // attention soon.
            const bool critical = a.kind == "offline" || a.kind == "error" ||
                                  (a.kind == "supply_low" && a.level_percent.value_or(0) == 0);
            j.begin().key("device_id").str(a.device_id).key("vendor").str(a.vendor);
            j.key("model").str(a.model).key("address").str(a.address);
            j.key("location").str(a.location).key("kind").str(a.kind).key("code").str(a.code);
            j.key("detail").str(a.detail).key("since").str(a.since);
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

    Response add_device(Request& request) {
        const auto body = parse_body(request);
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
                credential_id = s.store().add_credential(fmt::format("{} (device)", address), 1000,
                                                         *credentials);
            }
            std::optional<std::chrono::seconds> iv;
            if (interval) iv = std::chrono::seconds(*interval);
            id = s.store().add_manual_device(address, port, credential_id, iv, clock.now());
            if (!location.empty()) s.set_location(id, location);
        });
        log->info("event=device_added device={} address={} port={}", id, common::log_value(address),
                  port);
        service.poll_now(id);
        Json j;
        j.begin().key("device_id").str(id).end();
        Response r = j.response(201);
        r.headers["Location"] = "/api/devices/" + id;
        return r;
    }

    Response update_device(Request& request) {
        const auto d = load_device(request.param("id"));
        const auto body = parse_body(request);
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
        service.reload_settings();
        return get_device(request);
    }

    Response delete_device(Request& request) {
        const auto d = load_device(request.param("id"));
        db([&](WebStore& s) { s.store().delete_device(d.device_id); });
        log->info("event=device_deleted device={}", d.device_id);
        service.reload_settings();
        return Response::empty(204);
    }

    Response poll_device(Request& request) {
        const auto d = load_device(request.param("id"));
        if (!d.enabled) throw HttpError(409, "disabled", "enable the device first");
        service.poll_now(d.device_id);
        Json j;
        j.begin().key("queued").boolean(true).end();
        return j.response(202);
    }

    // --- discovery and settings ---------------------------------------------------------------

    static void write_progress(Json& j, const DiscoveryProgress& p) {
        j.begin().key("running").boolean(p.running);
        j.key("hosts_done").num(static_cast<long long>(p.hosts_done));
        j.key("hosts_total").num(static_cast<long long>(p.hosts_total));
        j.key("printers_found").num(static_cast<long long>(p.printers_found));
        j.key("runs_completed").num(static_cast<long long>(p.runs_completed));
        j.key("last_error").str(p.last_error).end();
    }

    Response get_discovery(Request&) {
        std::vector<RangeView> ranges;
        std::vector<CredentialView> credentials;
        storage::Settings settings;
        std::shared_ptr<const storage::SecretKey> key;
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
                .boolean(c.secret_scheme == "plain" || (key && c.secret_key_id == key->id()));
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

    static void write_settings(Json& j, const storage::Settings& s) {
        j.begin().key("polling_interval_s").num(s.polling_interval.count());
        j.key("discovery_interval_s").num(s.discovery_interval.count());
        j.key("discovery_port").num(s.discovery_port).end();
    }

    Response add_range(Request& request) {
        const auto body = parse_body(request);
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
        db([&](WebStore& s) {
            check_credential_ids(s, credential_ids);
            try {
                id = s.store().add_range(target, exclude, credential_ids);
            } catch (const pqxx::foreign_key_violation&) {
                // A set deleted meanwhile: the transaction saved nothing.
                throw bad_field("credential_ids", "a credential set no longer exists");
            }
        });
        log->info("event=range_added target={} exclude={} credential_sets={}",
                  common::log_value(target), exclude, credential_ids.size());
        service.reload_settings();
        Json j;
        j.begin().key("range_id").str(id).end();
        return j.response(201);
    }

    /// Replaces the credential sets a range tries (an empty list: the global sets).
    Response update_range(Request& request) {
        const auto& id = request.param("id");
        const auto body = parse_body(request);
        if (!has_member(body, "credential_ids")) throw bad_field("credential_ids", "is required");
        const auto credential_ids = read_credential_ids(body);
        bool found = false;
        if (proto::is_uuid(id)) {
            db([&](WebStore& s) {
                const auto ranges = s.ranges();
                const auto it = std::find_if(ranges.begin(), ranges.end(),
                                             [&](const RangeView& r) { return r.range_id == id; });
                if (it == ranges.end()) return;
                found = true;
                if (it->exclude && !credential_ids.empty()) {
                    throw bad_field("credential_ids",
                                    "an exclusion is not scanned: it takes no sets");
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
        service.reload_settings();
        Json j;
        j.begin().key("range_id").str(id).key("credential_ids").begin_array();
        for (const auto& c : credential_ids) j.str(c);
        j.end_array().end();
        return j.response();
    }

    Response delete_range(Request& request) {
        const auto& id = request.param("id");
        bool ok = false;
        if (proto::is_uuid(id)) db([&](WebStore& s) { ok = s.delete_range(id); });
        if (!ok) throw HttpError(404, "not_found", "no such range");
        service.reload_settings();
        return Response::empty(204);
    }

    Response add_credential(Request& request) {
        const auto body = parse_body(request);
        const auto name = req_string(body, "name");
        const auto ordinal = opt_int(body, "ordinal", 0, 100000).value_or(10);
        const auto credentials = read_credentials(body);
        std::string id;
        db([&](WebStore& s) {
            id = s.store().add_credential(name, static_cast<int>(ordinal), credentials);
        });
        log->info("event=credential_added name={} version={}", common::log_value(name),
                  snmp::to_string(credentials.version));
        service.reload_settings();
        Json j;
        j.begin().key("credential_id").str(id).end();
        return j.response(201);
    }

    Response delete_credential(Request& request) {
        const auto& id = request.param("id");
        bool ok = false;
        const auto in_use = [] {
            return HttpError(409, "in_use",
                             "a discovery range names this credential set: take it off the "
                             "range first");
        };
        if (proto::is_uuid(id)) {
            db([&](WebStore& s) {
                try {
                    ok = s.delete_credential(id);
                } catch (const pqxx::foreign_key_violation&) {
                    throw in_use();
                }
            });
        }
        if (!ok) throw HttpError(404, "not_found", "no such credential set");
        service.reload_settings();
        return Response::empty(204);
    }

    Response get_settings(Request&) {
        storage::Settings settings;
        db([&](WebStore& s) { settings = s.store().load_settings(); });
        Json j;
        write_settings(j, settings);
        return j.response();
    }

    Response put_settings(Request& request) {
        const auto body = parse_body(request);
        const auto polling = opt_int(body, "polling_interval_s", kMinInterval, kMaxInterval);
        // 0 turns scheduled discovery off.
        const auto discovery = opt_int(body, "discovery_interval_s", 0, 30 * 86400);
        if (discovery && *discovery > 0 && *discovery < 300) {
            throw bad_field("discovery_interval_s", "must be 0 (off) or at least 300");
        }
        const auto port = opt_int(body, "discovery_port", 1, 65535);
        db([&](WebStore& s) {
            if (polling) s.store().put_setting("polling_interval_s", std::to_string(*polling));
            if (discovery) {
                s.store().put_setting("discovery_interval_s", std::to_string(*discovery));
            }
            if (port) s.store().put_setting("discovery_port", std::to_string(*port));
        });
        log->info("event=settings_changed");
        service.reload_settings();
        return get_settings(request);
    }

    Response discover_now(Request&) {
        if (!service.discover_now()) {
            throw HttpError(409, "discovery_running", "a discovery is already running");
        }
        log->info("event=discovery_requested");
        Json j;
        write_progress(j, service.discovery_progress());
        return j.response(202);
    }

    Response discovery_progress(Request&) {
        Json j;
        write_progress(j, service.discovery_progress());
        return j.response();
    }

    // --- export ----------------------------------------------------------------------------

    Response export_readings(Request& request) {
        storage::ExportFilter filter;
        const auto scope = request.query_param("scope").value_or("unsent");
        if (scope == "unsent") {
            filter.scope = storage::ExportFilter::Scope::unsent;
        } else if (scope == "all") {
            filter.scope = storage::ExportFilter::Scope::all;
        } else if (scope == "range") {
            filter.scope = storage::ExportFilter::Scope::range;
            const auto from = parse_day(std::string(request.query_param("from").value_or("")));
            const auto to = parse_day(std::string(request.query_param("to").value_or("")));
            if (!from || !to) {
                throw HttpError(400, "invalid_query", "from and to must be dates (YYYY-MM-DD)");
            }
            if (*to < *from)
                throw HttpError(400, "invalid_query", "the end date is before the start date");
            filter.from = *from;
            filter.to = *to + std::chrono::hours(24);  // "to" is inclusive in the UI
        } else {
            throw HttpError(400, "invalid_query", "scope must be unsent, all or range");
        }
        const auto format = request.query_param("format").value_or("json");
        if (format != "json" && format != "csv") {
            throw HttpError(400, "invalid_query", "format must be json or csv");
        }
        std::vector<proto::Batch> batches;
        std::size_t skipped = 0;
        db([&](WebStore& s) {
            const auto settings = s.store().load_settings();
            storage::ExportSource source{settings.scanner_id, PRINTMON_VERSION, clock.now()};
            pqxx::read_transaction tx(s.raw());
            try {
                batches = storage::build_export_batches(tx, filter, source, &skipped);
            } catch (const storage::ExportTooLarge& e) {
                throw HttpError(413, "export_too_large", e.what());
            }
        });
        std::size_t readings = 0;
        for (const auto& b : batches) readings += b.readings.size();
        log->info("event=export format={} scope={} batches={} readings={} skipped={}", format,
                  scope, batches.size(), readings, skipped);
        const auto stamp = proto::format_rfc3339(clock.now()).substr(0, 10);
        Response r;
        if (format == "csv") {
            r = Response::text(storage::export_csv(batches), 200, "text/csv; charset=utf-8");
        } else {
            r = Response::json(storage::export_document(batches));
        }
        r.headers["Content-Disposition"] =
            fmt::format("attachment; filename=\"printmon-export-{}-{}.{}\"", stamp, scope, format);
        r.headers["X-Export-Readings"] = std::to_string(readings);
        r.headers["Cache-Control"] = "no-store";
        return r;
    }

    // --- cloud and status -----------------------------------------------------------------------

    Response get_cloud(Request&) {
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

    Response put_cloud(Request& request) {
        const auto body = parse_body(request);
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
        return get_cloud(request);
    }

    Response deactivate_key(Request& request) {
        bool forget = false;
        if (!request.body.empty())
            forget = opt_bool(parse_body(request), "forget_locally").value_or(false);
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
                    fmt::format("cannot reach the cloud ({}): {}",
                                net::to_string(result.error().code), result.error().message));
            }
            const unsigned st = result->status;
            // 401/403: the cloud no longer knows the key: it is revoked already.
            if (st != 200 && st != 204 && st != 401 && st != 403) {
                log->warn("event=key_revoke_failed status={}", st);
                throw HttpError(
                    502, "cloud_error",
                    fmt::format("the cloud answered HTTP {}; the key is still active", st));
            }
            revoked = true;
        }
        db([&](WebStore& s) { s.store().put_setting("scanner_key", json_string("")); });
        log->info("event=key_deactivated revoked={} key={}", revoked,
                  common::log_value(key_hint(key)));
        Json j;
        j.begin().key("revoked").boolean(revoked).key("forgotten").boolean(true).end();
        return j.response();
    }

    Response status(Request&) {
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
    static void write_retention(Json& j, const RetentionStatus& r) {
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
            j.key("batches_deleted").num(r.last.batches_deleted);
            j.end();
        } else {
            j.null();
        }
        j.key("last_error").str(r.last_error).end();
    }

    // --- pages and assets -------------------------------------------------------------------

    Response asset(const Request& request, const std::string& name, bool page) const {
        const auto it = assets.find(name);
        if (it == assets.end()) throw HttpError(404, "not_found", "no such file");
        if (!page) {
            if (const auto inm = request.header("If-None-Match"); inm && *inm == it->second.etag) {
                Response r = Response::empty(304);
                r.headers["ETag"] = it->second.etag;
                return r;
            }
        }
        Response r = Response::text(it->second.body, 200, it->second.content_type);
        if (page) {
            r.headers["Cache-Control"] = "no-store";
        } else {
            // Revalidated on every load (cheap 304s): a new binary's files show up at once.
            r.headers["Cache-Control"] = "no-cache";
            r.headers["ETag"] = it->second.etag;
        }
        return r;
    }
};

WebApp::WebApp(WebOptions options, WebStorePool& pool, Service& service, const common::Clock& clock)
    : impl_(std::make_unique<Impl>(options, pool, service, clock)), options_(std::move(options)) {}

WebApp::~WebApp() = default;

net::ServerOptions WebApp::server_options(const WebOptions& options) {
    net::ServerOptions s;
    s.address = options.address;
    s.port = options.port;
    if (options.tls()) {
        net::ServerTlsOptions tls;
        tls.cert_chain_file = options.tls_cert_file;
        tls.private_key_file = options.tls_key_file;
        s.tls = tls;
    }
    s.blocking_threads = 4;
    s.max_connections = 128;
    // A browser opens about six connections to a host; one client holding many slow ones must
    // not take every slot from the others (issue 14 item 6).
    s.max_connections_per_address = 16;
    return s;
}

net::Router WebApp::router() {
    net::Router router;
    Impl* impl = impl_.get();
    using Method = Response (Impl::*)(Request&);

    // Every handler gets the security headers and a log line for refused input (the router
    // only logs 5xx).
    auto wrap = [impl](auto fn) {
        return [impl, fn = std::move(fn)](Request& request) {
            Response r;
            try {
                r = fn(request);
            } catch (const HttpError& e) {
                if (e.status() < 500 && e.status() != 401) {
                    impl->log->info(
                        "event=request_refused method={} route={} status={} code={} "
                        "message={}",
                        request.method, common::log_value(request.route_pattern), e.status(),
                        e.code(), common::log_value(e.message()));
                }
                r = net::error_response(e.status(), e.code(), e.message());
            }
            security_headers(r);
            return r;
        };
    };
    auto api = [&](const char* method, const char* pattern, Method m, const char* tag = kTagApi,
                   std::size_t max_body = kMaxApiBodyBytes) {
        net::RouteOptions o;
        o.tag = tag;
        o.max_body_bytes = max_body;
        router.add(method, pattern, wrap([impl, m](Request& r) {
                       Response resp = (impl->*m)(r);
                       if (!resp.headers.count("Cache-Control")) {
                           resp.headers["Cache-Control"] = "no-store";
                       }
                       return resp;
                   }),
                   o);
    };
    auto page = [&](const char* pattern, std::string file, const char* tag = kTagPage) {
        net::RouteOptions o;
        o.tag = tag;
        o.max_body_bytes = 0;
        const bool is_public = std::string_view(tag) == kTagPublic;
        router.get(pattern, wrap([impl, file, is_public](Request& r) {
                       if (!is_public) {
                           const auto* p = std::any_cast<std::optional<Principal>>(&r.context);
                           if (p == nullptr || !*p) {
                               return redirect("/login?next=" + net::percent_encode(r.path));
                           }
                       }
                       return impl->asset(r, file, true);
                   }),
                   o);
    };

    // Public: sign-in pages, their API, static files.
    page("/login", "login.html", kTagPublic);
    page("/setup", "setup.html", kTagPublic);
    {
        net::RouteOptions o;
        o.tag = kTagPublic;
        o.max_body_bytes = 0;
        router.get("/static/{file}",
                   wrap([impl](Request& r) { return impl->asset(r, r.param("file"), false); }), o);
    }
    api("GET", "/api/auth/state", &Impl::auth_state, kTagPublic);
    api("POST", "/api/auth/setup", &Impl::setup, kTagPublic, 4096);
    api("POST", "/api/auth/login", &Impl::login, kTagPublic, 4096);

    // Pages behind the login.
    {
        net::RouteOptions o;
        o.tag = kTagPage;
        o.max_body_bytes = 0;
        router.get("/", wrap([](Request& r) {
                       const auto* p = std::any_cast<std::optional<Principal>>(&r.context);
                       return redirect(p != nullptr && *p ? "/devices" : "/login");
                   }),
                   o);
    }
    page("/devices", "app.html");
    page("/devices/{id}", "app.html");
    page("/alerts", "app.html");
    page("/discovery", "app.html");
    page("/export", "app.html");
    page("/cloud", "app.html");
    page("/system", "app.html");

    // JSON API.
    api("POST", "/api/auth/logout", &Impl::logout);
    api("POST", "/api/account/password", &Impl::change_password, kTagApi, 4096);
    api("GET", "/api/tokens", &Impl::list_tokens);
    api("POST", "/api/tokens", &Impl::create_token);
    api("DELETE", "/api/tokens/{id}", &Impl::delete_token);
    api("GET", "/api/devices", &Impl::list_devices);
    api("POST", "/api/devices", &Impl::add_device);
    api("GET", "/api/devices/{id}", &Impl::get_device);
    api("PUT", "/api/devices/{id}", &Impl::update_device);
    api("DELETE", "/api/devices/{id}", &Impl::delete_device);
    api("POST", "/api/devices/{id}/poll", &Impl::poll_device);
    api("GET", "/api/devices/{id}/history", &Impl::device_history);
    api("GET", "/api/alerts", &Impl::local_alerts);
    api("GET", "/api/discovery", &Impl::get_discovery);
    api("POST", "/api/discovery/ranges", &Impl::add_range);
    api("PUT", "/api/discovery/ranges/{id}", &Impl::update_range);
    api("DELETE", "/api/discovery/ranges/{id}", &Impl::delete_range);
    api("POST", "/api/discovery/credentials", &Impl::add_credential);
    api("DELETE", "/api/discovery/credentials/{id}", &Impl::delete_credential);
    api("POST", "/api/discovery/run", &Impl::discover_now);
    api("GET", "/api/discovery/progress", &Impl::discovery_progress);
    api("GET", "/api/settings", &Impl::get_settings);
    api("PUT", "/api/settings", &Impl::put_settings);
    api("GET", "/api/export", &Impl::export_readings);
    api("GET", "/api/cloud", &Impl::get_cloud);
    api("PUT", "/api/cloud", &Impl::put_cloud);
    api("POST", "/api/cloud/deactivate", &Impl::deactivate_key);
    api("GET", "/api/status", &Impl::status);

    router.before([impl](Request& r, const net::RouteInfo& route) { impl->before(r, route); });
    // Answers no handler made (404, 405, 401 from the before-hook, and the server's own 413,
    // 431, 503) carry the same headers as the pages (issue 14 item 11).
    router.default_headers(security_header_set());
    return router;
}

}  // namespace printmon::scanner::web
