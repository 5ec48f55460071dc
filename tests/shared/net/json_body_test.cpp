// The one reader of JSON request bodies (printmon/net/json_body.hpp): every refusal with its
// status, code and message, as both the scanner's web API and the cloud API answer them.
#include <catch2/catch.hpp>

#include <string>

#include "printmon/net/json_body.hpp"

using printmon::net::ContentTypeRule;
using printmon::net::HttpError;
using printmon::net::read_json_object;
using printmon::net::Request;

namespace {

Request request(std::string body, const char* content_type = "application/json") {
    Request r;
    r.method = "POST";
    r.body = std::move(body);
    if (content_type != nullptr) r.headers["Content-Type"] = content_type;
    return r;
}

/// status and code of the refusal, "" when the body was accepted.
std::string refusal(const Request& r, ContentTypeRule rule = ContentTypeRule::required,
                    std::string* message = nullptr) {
    try {
        read_json_object(r, rule);
        return "";
    } catch (const HttpError& e) {
        if (message != nullptr) *message = e.message();
        return std::to_string(e.status()) + " " + e.code();
    }
}

}  // namespace

TEST_CASE("read_json_object accepts a JSON object", "[net][json_body]") {
    const auto doc = read_json_object(request(R"({"a":"ж","b":[1,{"c":null}]})"));
    REQUIRE(doc.IsObject());
    CHECK(std::string(doc["a"].GetString()) == "ж");
    // Parameters of the media type are ignored, its case too.
    CHECK(refusal(request("{}", "Application/JSON; charset=utf-8")).empty());
}

TEST_CASE("read_json_object: 415 for any other media type, matched exactly", "[net][json_body]") {
    for (const char* type : {"text/plain", "text/plain;charset=application/json",
                             "application/json-patch+json", "application/x-www-form-urlencoded",
                             "multipart/form-data; boundary=application/json", ""}) {
        INFO(type);
        CHECK(refusal(request("{}", type)) == "415 unsupported_media_type");
    }
    // A missing Content-Type: refused where required (browser-reachable routes), read as JSON
    // where the rule allows it (curl -d without -H).
    CHECK(refusal(request("{}", nullptr)) == "415 unsupported_media_type");
    CHECK(refusal(request("{}", nullptr), ContentTypeRule::json_if_given).empty());
    CHECK(refusal(request("{}", "text/plain"), ContentTypeRule::json_if_given) ==
          "415 unsupported_media_type");
}

TEST_CASE("read_json_object: 400 invalid_json with a clear message", "[net][json_body]") {
    std::string message;
    CHECK(refusal(request("{\"a\":\"caf\xE9\"}"), ContentTypeRule::required, &message) ==
          "400 invalid_json");
    CHECK(message.find("the body is not valid UTF-8 (at byte ") == 0);
    // In a member name no handler reads, too.
    CHECK(refusal(request("{\"\xff\":1}")) == "400 invalid_json");

    CHECK(refusal(request("{\"a\":"), ContentTypeRule::required, &message) == "400 invalid_json");
    CHECK(message.find("malformed JSON at offset 5") == 0);
    CHECK(refusal(request("")) == "400 invalid_json");

    for (const char* wrong_type : {"[]", "\"text\"", "42", "null"}) {
        INFO(wrong_type);
        CHECK(refusal(request(wrong_type), ContentTypeRule::required, &message) ==
              "400 invalid_json");
        CHECK(message == "the body must be a JSON object");
    }

    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    CHECK(refusal(request(deep), ContentTypeRule::required, &message) == "400 invalid_json");
    CHECK(message == "the body is nested deeper than 64 levels");
    CHECK(refusal(request("{\"a\":" + std::string(64, '[') + std::string(64, ']') + "}")) ==
          "400 invalid_json");
    CHECK(refusal(request("{\"a\":" + std::string(63, '[') + std::string(63, ']') + "}")).empty());
    // Brackets inside strings are text, not nesting.
    CHECK(refusal(request("{\"a\":\"" + std::string(1000, '[') + "\\\"\"}")).empty());
}
