#include "printmon/net/json_body.hpp"

#include <string>

#include <fmt/format.h>
#include <rapidjson/error/en.h>

namespace printmon::net {

void require_json_content_type(const Request& request, ContentTypeRule rule) {
    const auto type = request.header("Content-Type");
    if (!type) {
        if (rule == ContentTypeRule::json_if_given) return;
        throw HttpError(415, kUnsupportedMediaType,
                        "send the body as application/json (Content-Type is missing)");
    }
    // Rationale: the media type is parsed and compared whole, never searched for a substring:
    // "text/plain;charset=application/json" is a type a cross-site form can send.
    if (media_type(*type) != "application/json") {
        throw HttpError(415, kUnsupportedMediaType,
                        fmt::format("send the body as application/json, not '{}'",
                                    std::string(type->substr(0, 100))));
    }
}

bool json_depth_within(std::string_view json, int max_depth) {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : json) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

rapidjson::Document read_json_object(const Request& request, ContentTypeRule rule) {
    require_json_content_type(request, rule);
    if (!json_depth_within(request.body, kMaxJsonBodyDepth)) {
        throw HttpError(400, kInvalidJson,
                        fmt::format("the body is nested deeper than {} levels", kMaxJsonBodyDepth));
    }
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(
        request.body.data(), request.body.size());
    if (doc.GetParseError() == rapidjson::kParseErrorStringInvalidEncoding) {
        throw HttpError(
            400, kInvalidJson,
            fmt::format("the body is not valid UTF-8 (at byte {})", doc.GetErrorOffset()));
    }
    if (doc.HasParseError()) {
        throw HttpError(400, kInvalidJson,
                        fmt::format("malformed JSON at offset {}: {}", doc.GetErrorOffset(),
                                    rapidjson::GetParseError_En(doc.GetParseError())));
    }
    if (!doc.IsObject()) throw HttpError(400, kInvalidJson, "the body must be a JSON object");
    return doc;
}

}  // namespace printmon::net
