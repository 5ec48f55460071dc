#include "printmon/proto/export.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "document.hpp"

namespace printmon::proto {
namespace {

// SAX handler: checks the envelope and copies each element of "batches" into its own string.
// depth_ counts open containers: the root object is 1, "batches" 2, a batch element 3.
class EnvelopeHandler {
  public:
    std::vector<std::string> batches;
    std::optional<DecodeError> error;
    bool saw_format = false;
    bool saw_version = false;
    bool saw_batches = false;

    bool Null() { return copying() ? writer_->Null() : scalar("null"); }
    bool Bool(bool b) { return copying() ? writer_->Bool(b) : scalar("boolean"); }
    bool Int(int i) { return copying() ? writer_->Int(i) : integer(i); }
    bool Uint(unsigned u) { return copying() ? writer_->Uint(u) : integer(u); }
    bool Int64(std::int64_t i) { return copying() ? writer_->Int64(i) : integer(i); }
    bool Uint64(std::uint64_t u) {
        return copying() ? writer_->Uint64(u) : integer(std::numeric_limits<long long>::max());
    }
    bool Double(double d) { return copying() ? writer_->Double(d) : scalar("number"); }
    bool RawNumber(const char*, rapidjson::SizeType, bool) { return false; }  // not enabled
    bool String(const char* s, rapidjson::SizeType n, bool copy) {
        if (copying()) return writer_->String(s, n, copy);
        if (depth_ == 1 && key_ == "format") {
            saw_format = true;
            if (std::string_view(s, n) == kExportFormat) return true;
            return fail(DecodeErrorCode::invalid_value, "/format",
                        "expected \"" + std::string(kExportFormat) + "\"");
        }
        return scalar("string");
    }
    bool Key(const char* s, rapidjson::SizeType n, bool copy) {
        if (copying()) return writer_->Key(s, n, copy);
        if (depth_ == 1) key_.assign(s, n);
        return true;
    }
    bool StartObject() {
        if (!enter()) return false;
        if (copying()) return writer_->StartObject();
        if (in_batches_ && depth_ == 3) {
            buffer_.Clear();
            writer_.emplace(buffer_);
            return writer_->StartObject();
        }
        return container("object");
    }
    bool EndObject(rapidjson::SizeType) {
        if (copying()) {
            if (!writer_->EndObject()) return false;
            if (depth_ == 3) {
                batches.emplace_back(buffer_.GetString(), buffer_.GetSize());
                writer_.reset();
            }
        }
        --depth_;
        return true;
    }
    bool StartArray() {
        if (!enter()) return false;
        if (copying()) return writer_->StartArray();
        if (depth_ == 2 && key_ == "batches") {
            saw_batches = true;
            in_batches_ = true;
            return true;
        }
        return container("array");
    }
    bool EndArray(rapidjson::SizeType) {
        if (copying() && !writer_->EndArray()) return false;
        if (depth_ == 2) in_batches_ = false;
        --depth_;
        return true;
    }

  private:
    bool copying() const { return writer_.has_value(); }

    bool enter() {
        if (++depth_ > kMaxNestingDepth) {
            return fail(DecodeErrorCode::too_deep, "",
                        "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels");
        }
        return true;
    }

    // A scalar outside any batch: checked where it is ours, ignored elsewhere (readers ignore
    // unknown properties).
    bool scalar(const char* type) {
        if (depth_ == 0) return wrong_type("", "object", type);
        if (in_batches_ && depth_ == 2) return wrong_type(element_pointer(), "object", type);
        if (depth_ == 1) return root_value(type);
        return true;
    }

    // A container just opened (depth_ already counts it) outside any batch.
    bool container(const char* type) {
        if (depth_ == 1)
            return std::string_view(type) == "object" || wrong_type("", "object", type);
        if (in_batches_ && depth_ == 3) return wrong_type(element_pointer(), "object", type);
        if (depth_ == 2) return root_value(type);
        return true;
    }

    // The value of root property key_ has type `type` (not the expected one, or unknown key).
    bool root_value(const char* type) {
        if (key_ == "format") return wrong_type("/format", "string", type);
        if (key_ == "version") return wrong_type("/version", "integer", type);
        if (key_ == "batches") return wrong_type("/batches", "array", type);
        return true;
    }

    bool integer(long long value) {
        if (depth_ == 1 && key_ == "version") {
            saw_version = true;
            if (value == kExportVersion) return true;
            return fail(DecodeErrorCode::unsupported_version, "/version",
                        "unsupported export version " + std::to_string(value) +
                            "; this reader supports " + std::to_string(kExportVersion));
        }
        return scalar("integer");
    }

    std::string element_pointer() const { return "/batches/" + std::to_string(batches.size()); }

    bool wrong_type(std::string pointer, const char* expected, const char* got) {
        return fail(DecodeErrorCode::schema_violation, std::move(pointer),
                    std::string("expected ") + expected + ", got " + got);
    }

    bool fail(DecodeErrorCode code, std::string pointer, std::string reason) {
        error = DecodeError{code, std::move(pointer), std::move(reason)};
        return false;
    }

    int depth_ = 0;
    std::string key_;  // last key of the root object
    bool in_batches_ = false;
    rapidjson::StringBuffer buffer_;
    std::optional<rapidjson::Writer<rapidjson::StringBuffer>> writer_;
};

}  // namespace

tl::expected<std::vector<Batch>, DecodeError> parse_export(std::string_view json,
                                                           std::size_t max_bytes) {
    if (json.size() > max_bytes) {
        return tl::unexpected(DecodeError{DecodeErrorCode::too_large, "",
                                          "document is " + std::to_string(json.size()) +
                                              " bytes, limit is " + std::to_string(max_bytes)});
    }
    EnvelopeHandler handler;
    rapidjson::MemoryStream stream(json.data(), json.size());
    rapidjson::Reader reader;
    const auto ok =
        reader.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(
            stream, handler);
    if (handler.error) return tl::unexpected(*handler.error);
    if (!ok) {
        return tl::unexpected(DecodeError{DecodeErrorCode::parse_error, "",
                                          "parse error at offset " + std::to_string(ok.Offset()) +
                                              ": " + rapidjson::GetParseError_En(ok.Code())});
    }
    if (!handler.saw_format) {
        return tl::unexpected(DecodeError{DecodeErrorCode::schema_violation, "",
                                          "missing required property 'format'"});
    }
    if (!handler.saw_version) {
        return tl::unexpected(DecodeError{DecodeErrorCode::schema_violation, "",
                                          "missing required property 'version'"});
    }
    if (!handler.saw_batches) {
        return tl::unexpected(DecodeError{DecodeErrorCode::schema_violation, "",
                                          "missing required property 'batches'"});
    }
    std::vector<Batch> out;
    out.reserve(handler.batches.size());
    for (std::size_t i = 0; i < handler.batches.size(); ++i) {
        auto batch = parse_batch(handler.batches[i], max_bytes);
        if (!batch) {
            auto error = batch.error();
            error.pointer = "/batches/" + std::to_string(i) + error.pointer;
            return tl::unexpected(std::move(error));
        }
        out.push_back(std::move(*batch));
    }
    return out;
}

std::string_view export_prefix() {
    // Written out rather than assembled: a fixed string the tests compare with the schema's
    // constants, and the same bytes whoever writes the file.
    static_assert(kExportVersion == 1, "export_prefix() spells version 1");
    return R"({"format":"printmon-export","version":1,"batches":[)";
}

std::string to_export_json(const std::vector<Batch>& batches) {
    std::string out(export_prefix());
    for (std::size_t i = 0; i < batches.size(); ++i) {
        if (i > 0) out += kExportSeparator;
        out += to_json(batches[i]);
    }
    out += kExportSuffix;
    return out;
}

std::string_view export_schema_json() { return detail::embedded_export_schema(); }

}  // namespace printmon::proto
