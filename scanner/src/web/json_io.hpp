#pragma once
// JSON in and out for the scanner's web API: one writer for answers, and readers for request
// fields that turn a wrong field into a 400 naming it (HttpError "invalid_field").

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "printmon/net/json_body.hpp"
#include "printmon/net/router.hpp"
#include "snmp/engine.hpp"

namespace printmon::scanner::web {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

inline constexpr std::size_t kMaxText = 200;         // names, locations, communities, passwords
inline constexpr std::size_t kMaxContextBytes = 32;  // SNMPv3 contextName (RFC 3411)

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
    net::Response response(unsigned status = 200) const {
        return net::Response::json(text(), status);
    }

  private:
    rapidjson::StringBuffer buf_;
    Writer w_;
};

/// `v` as a JSON string literal (a setting stored as JSON).
std::string json_string(std::string_view v);

/// 400 invalid_field: "<field>: <message>".
net::HttpError bad_field(const char* field, const std::string& message);

/// The member `key` of `obj`, or nullptr when absent or null.
const rapidjson::Value* member(const rapidjson::Value& obj, const char* key);
bool has_member(const rapidjson::Value& obj, const char* key);

/// A text field: UTF-8, at most `max_len` characters, no control characters.
std::optional<std::string> opt_string(const rapidjson::Value& obj, const char* key,
                                      std::size_t max_len = kMaxText);
/// As opt_string(), and present and not empty.
std::string req_string(const rapidjson::Value& obj, const char* key,
                       std::size_t max_len = kMaxText);
/// A whole number within min..max (a decimal string too: HTML forms send text).
std::optional<long long> opt_int(const rapidjson::Value& obj, const char* key, long long min,
                                 long long max);
std::optional<bool> opt_bool(const rapidjson::Value& obj, const char* key);

/// SNMP credentials from a JSON object ({"version":"2c","community":"public"} or v3).
snmp::Credentials read_credentials(const rapidjson::Value& obj);

}  // namespace printmon::scanner::web
