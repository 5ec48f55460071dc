#include "web/json_io.hpp"

#include <algorithm>
#include <exception>
#include <vector>

#include <fmt/format.h>

#include "printmon/proto/utf8.hpp"

namespace printmon::scanner::web {

using net::HttpError;
using net::Request;

std::string json_string(std::string_view v) {
    Json j;
    j.str(v);
    return j.text();
}

HttpError bad_field(const char* field, const std::string& message) {
    return {400, "invalid_field", fmt::format("{}: {}", field, message)};
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
                                      std::size_t max_len) {
    const auto* v = member(obj, key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsString()) throw bad_field(key, "must be a string");
    std::string s(v->GetString(), v->GetStringLength());
    // Rationale: limits count characters as the user sees them (a 100-letter Cyrillic location
    // is 200 bytes), so count code points; RapidJSON passes invalid UTF-8 through unchecked.
    const auto length = proto::utf8_length(s);
    if (!length) throw bad_field(key, "is not valid UTF-8");
    if (*length > max_len) throw bad_field(key, fmt::format("longer than {} characters", max_len));
    for (const char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
            throw bad_field(key, "must not contain control characters");
        }
    }
    return s;
}

std::string req_string(const rapidjson::Value& obj, const char* key, std::size_t max_len) {
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

}  // namespace printmon::scanner::web
