#pragma once
// One reader of JSON request bodies for every HTTP API (the scanner's web UI, the cloud API):
// the same checks in the same order and one error shape, so a client gets the same answer from
// either. Bodies arrive already capped by the route (RouteOptions::max_body_bytes: 413).

#include <string_view>

#include <rapidjson/document.h>

#include "printmon/net/http.hpp"

namespace printmon::net {

/// What a request without a Content-Type header means.
enum class ContentTypeRule {
    /// Absent: 415. For routes a browser can reach without a session (sign-in, setup): no
    /// cross-site form or no-preflight fetch can send application/json.
    required,
    /// Absent: read as JSON (`curl -d` without -H); present: it must still be JSON.
    json_if_given,
};

/// Error codes of the body readers (HttpError, answered as {"error":{"code","message"}}).
inline constexpr const char* kUnsupportedMediaType = "unsupported_media_type";  ///< 415
inline constexpr const char* kInvalidJson = "invalid_json";                     ///< 400

/// Nesting deeper than this is refused before parsing (as printmon::proto does for its wire
/// documents): a peer's "[[[[..." must not reach code that walks a document recursively.
inline constexpr int kMaxJsonBodyDepth = 64;

/// 415 unsupported_media_type unless the media type of Content-Type (parameters such as
/// charset ignored, case-insensitive) is exactly `application/json`; see ContentTypeRule for
/// a missing header. "text/plain;charset=application/json" is text/plain.
void require_json_content_type(const Request& request, ContentTypeRule rule);

/// The body of `request` as a JSON object. Refusals, checked in this order:
/// - 415 unsupported_media_type: require_json_content_type();
/// - 400 invalid_json "the body is nested deeper than 64 levels";
/// - 400 invalid_json "the body is not valid UTF-8 (at byte N)": the whole body, member names
///   and members no handler reads included (databases and logs take only UTF-8);
/// - 400 invalid_json "malformed JSON at offset N: <reason>";
/// - 400 invalid_json "the body must be a JSON object" (an array, a string, ...).
/// Parsed iteratively: no input can exhaust the stack.
rapidjson::Document read_json_object(const Request& request,
                                     ContentTypeRule rule = ContentTypeRule::required);

/// True when `json` nests objects/arrays at most `max_depth` deep (strings are skipped, so
/// brackets inside them do not count). Does not check well-formedness.
bool json_depth_within(std::string_view json, int max_depth);

}  // namespace printmon::net
