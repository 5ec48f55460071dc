// Request/Response helpers, URL decoding and the JSON error body. No Beast here.
#include "printmon/net/http.hpp"

#include <cctype>

#include <algorithm>
#include <array>
#include <utility>

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace printmon::net {
namespace {

char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const noexcept {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return ascii_lower(x) < ascii_lower(y);
    });
}

std::optional<std::string_view> Request::header(std::string_view name) const {
    const auto it = headers.find(name);
    if (it == headers.end()) return std::nullopt;
    return std::string_view(it->second);
}

std::optional<std::string> Request::cookie(std::string_view name) const {
    const auto cookies = header("Cookie");
    if (!cookies) return std::nullopt;
    std::string_view rest = *cookies;
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

std::optional<std::string_view> Request::query_param(std::string_view name) const {
    const auto it = query.find(std::string(name));
    if (it == query.end()) return std::nullopt;
    return std::string_view(it->second);
}

Response Response::json(std::string body, unsigned status) {
    Response r;
    r.status = status;
    r.headers.emplace("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
}

Response Response::text(std::string body, unsigned status, std::string content_type) {
    Response r;
    r.status = status;
    r.headers.emplace("Content-Type", std::move(content_type));
    r.body = std::move(body);
    return r;
}

Response Response::empty(unsigned status) {
    Response r;
    r.status = status;
    return r;
}

HttpError::HttpError(unsigned status, std::string code, std::string message)
    : std::runtime_error(message),
      status_(status),
      code_(std::move(code)),
      message_(std::move(message)) {}

Response error_response(unsigned status, std::string_view code, std::string_view message,
                        std::string_view correlation_id) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    const auto string = [&writer](std::string_view s) {
        writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    };
    writer.StartObject();
    writer.Key("error");
    writer.StartObject();
    writer.Key("code");
    string(code);
    writer.Key("message");
    string(message);
    if (!correlation_id.empty()) {
        writer.Key("correlation_id");
        string(correlation_id);
    }
    writer.EndObject();
    writer.EndObject();
    return Response::json(std::string(buffer.GetString(), buffer.GetSize()), status);
}

namespace {

// SAX: keeps error.code and error.message (depth 2 under the root), ignores everything else.
// The iterative reader does not recurse, so "[[[[..." costs nothing but time.
struct ErrorBodyHandler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ErrorBodyHandler> {
    int depth = 0;
    bool root_is_object = false;
    bool in_error = false;  // inside the root's "error" object
    std::string root_key;   // last key of the root object
    std::string error_key;  // last key of the error object
    std::string code;
    std::string message;

    bool Default() { return true; }
    bool String(const char* s, rapidjson::SizeType n, bool) {
        if (in_error && depth == 2) {
            if (error_key == "code") code.assign(s, n);
            if (error_key == "message") message.assign(s, n);
        }
        return true;
    }
    bool Key(const char* s, rapidjson::SizeType n, bool) {
        if (depth == 1) root_key.assign(s, n);
        if (in_error && depth == 2) error_key.assign(s, n);
        return true;
    }
    bool StartObject() {
        ++depth;
        if (depth == 1) root_is_object = true;
        if (depth == 2 && root_key == "error") in_error = true;
        return true;
    }
    bool EndObject(rapidjson::SizeType) {
        if (depth == 2) in_error = false;
        --depth;
        return true;
    }
    bool StartArray() {
        ++depth;
        return true;
    }
    bool EndArray(rapidjson::SizeType) {
        --depth;
        return true;
    }
};

}  // namespace

std::string parse_error_body(std::string_view body, std::size_t max_bytes) {
    ErrorBodyHandler handler;
    rapidjson::MemoryStream stream(body.data(), body.size());
    rapidjson::Reader reader;
    const auto ok =
        reader.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(
            stream, handler);
    std::string out;
    if (ok && handler.root_is_object && !(handler.code.empty() && handler.message.empty())) {
        out = handler.code.empty()      ? handler.message
              : handler.message.empty() ? handler.code
                                        : handler.code + ": " + handler.message;
    } else {
        out.assign(body.substr(0, max_bytes));
    }
    if (out.size() > max_bytes) out.resize(max_bytes);
    return out;
}

std::string_view reason_phrase(unsigned status) noexcept {
    switch (status) {
        case 100:
            return "Continue";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 204:
            return "No Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 304:
            return "Not Modified";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 409:
            return "Conflict";
        case 411:
            return "Length Required";
        case 413:
            return "Payload Too Large";
        case 415:
            return "Unsupported Media Type";
        case 422:
            return "Unprocessable Entity";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return "";
    }
}

std::string media_type(std::string_view content_type) {
    const auto semicolon = content_type.find(';');
    std::string_view type = content_type.substr(0, semicolon);
    while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    std::string out(type);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;  // needs two hex digits
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_as_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string percent_encode(std::string_view text) {
    static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                  '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            out.push_back(c);
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(kHex[byte >> 4U]);
            out.push_back(kHex[byte & 0x0FU]);
        }
    }
    return out;
}

std::optional<QueryParams> parse_query(std::string_view query) {
    QueryParams params;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto name = percent_decode(pair.substr(0, eq), true);
        auto value = percent_decode(
            eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
        if (!name || !value) return std::nullopt;
        params.emplace(std::move(*name), std::move(*value));  // first value wins
    }
    return params;
}

}  // namespace printmon::net
