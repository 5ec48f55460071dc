// Schema loading, validation and the translation of RapidJSON 1.1's terse validation result
// (a keyword plus two pointers) into messages a person can act on.

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/internal/regex.h>
#include <rapidjson/pointer.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "document.hpp"
#include "printmon/proto/validate.hpp"

namespace printmon::proto {
namespace detail {
namespace {

using rapidjson::Value;

constexpr std::string_view kSnapshotSchemaFile = "device-snapshot.v1.schema.json";
constexpr std::string_view kSnapshotDefinition = "#/definitions/device_snapshot";

/// A schema's source document (kept for error messages) and its compiled form.
/// Built in place: the SchemaDocument is compiled from `source`, which must not move after.
struct CompiledSchema {
    explicit CompiledSchema(rapidjson::Document doc) : source(std::move(doc)), schema(source) {}
    rapidjson::Document source;
    rapidjson::SchemaDocument schema;
};

rapidjson::Document parse_schema_text(std::string_view text) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError()) {
        // The build embeds the files verbatim and the tests load them: this is a bug, not input.
        throw std::logic_error("embedded JSON Schema does not parse at offset " +
                               std::to_string(doc.GetErrorOffset()));
    }
    return doc;
}

/// Rewrites every "$ref" under `value`: refs starting with `from` get `from` replaced by `to`.
void rewrite_refs(Value& value, std::string_view from, std::string_view to,
                  rapidjson::Document::AllocatorType& allocator) {
    if (value.IsObject()) {
        for (auto& member : value.GetObject()) {
            if (std::string_view(member.name.GetString(), member.name.GetStringLength()) ==
                    "$ref" &&
                member.value.IsString()) {
                std::string_view ref(member.value.GetString(), member.value.GetStringLength());
                if (ref.substr(0, from.size()) == from) {
                    std::string rewritten = std::string(to) + std::string(ref.substr(from.size()));
                    member.value.SetString(rewritten.data(),
                                           static_cast<rapidjson::SizeType>(rewritten.size()),
                                           allocator);
                }
            } else {
                rewrite_refs(member.value, from, to, allocator);
            }
        }
    } else if (value.IsArray()) {
        for (auto& item : value.GetArray()) {
            rewrite_refs(item, from, to, allocator);
        }
    }
}

/// Removes "pattern" and "patternProperties" keywords (see Validation::patterns_in_code).
void strip_patterns(Value& value) {
    if (value.IsObject()) {
        value.RemoveMember("pattern");
        value.RemoveMember("patternProperties");
        for (auto& member : value.GetObject()) strip_patterns(member.value);
    } else if (value.IsArray()) {
        for (auto& item : value.GetArray()) strip_patterns(item);
    }
}

rapidjson::Document without_patterns(const rapidjson::Document& source) {
    rapidjson::Document copy;
    copy.CopyFrom(source, copy.GetAllocator());
    strip_patterns(copy);
    return copy;
}

// Per thread, not shared: RapidJSON 1.1's regex keeps its match state inside the compiled
// pattern, so two threads validating "pattern"s against one SchemaDocument corrupt each other
// (found by the threads test). Compiling costs well under a millisecond per thread.
const CompiledSchema& snapshot_schema() {
    thread_local const CompiledSchema kSchema{parse_schema_text(embedded_snapshot_schema())};
    return kSchema;
}

const CompiledSchema& batch_schema() {
    // RapidJSON 1.1 resolves remote refs, but then reports schema pointers without saying which
    // file they point into. Inlining the snapshot schema under definitions/device_snapshot gives
    // one document in which every pointer is unambiguous. Per thread: see snapshot_schema().
    thread_local const CompiledSchema kSchema{[] {
        rapidjson::Document batch = parse_schema_text(embedded_batch_schema());
        auto& allocator = batch.GetAllocator();
        rapidjson::Document snapshot = parse_schema_text(embedded_snapshot_schema());
        Value inlined(snapshot, allocator);
        rewrite_refs(inlined, "#", kSnapshotDefinition, allocator);
        rewrite_refs(batch, std::string(kSnapshotSchemaFile) + "#", kSnapshotDefinition, allocator);
        batch["definitions"].AddMember("device_snapshot", inlined, allocator);
        return batch;
    }()};
    return kSchema;
}

const CompiledSchema& snapshot_schema_fast() {
    thread_local const CompiledSchema kSchema{without_patterns(snapshot_schema().source)};
    return kSchema;
}

const CompiledSchema& batch_schema_fast() {
    thread_local const CompiledSchema kSchema{without_patterns(batch_schema().source)};
    return kSchema;
}

std::string as_string(const Value& value) { return {value.GetString(), value.GetStringLength()}; }

/// A value for a message: strings quoted and shortened, numbers as written.
std::string show(const Value& value) {
    if (value.IsString()) {
        std::string text = as_string(value);
        if (text.size() > 64) {
            text = text.substr(0, 61) + "...";
        }
        return "'" + text + "'";
    }
    if (value.IsNumber()) {
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        value.Accept(writer);
        return buffer.GetString();
    }
    return json_type_name(value);
}

std::string join_values(const Value& list) {
    std::string out;
    for (const auto& item : list.GetArray()) {
        if (!out.empty()) out += ", ";
        out += item.IsString() ? as_string(item) : show(item);
    }
    return out;
}

const Value* member_or_null(const Value* object, const char* name) {
    if (object == nullptr || !object->IsObject()) return nullptr;
    auto it = object->FindMember(name);
    return it == object->MemberEnd() ? nullptr : &it->value;
}

/// Follows local "$ref"s ("#/definitions/...") until a schema without one.
const Value* resolve(const Value& root, const Value* schema) {
    for (int hops = 0; hops < 16 && schema != nullptr; ++hops) {
        const Value* ref = member_or_null(schema, "$ref");
        if (ref == nullptr || !ref->IsString()) return schema;
        const std::string text = as_string(*ref);
        if (text.empty() || text[0] != '#') return nullptr;
        schema = rapidjson::Pointer(text.substr(1).c_str()).Get(root);
    }
    return nullptr;
}

/// The subschemas of `object_schema`'s patternProperties whose pattern matches `name`.
std::vector<const Value*> pattern_schemas(const Value& root, const Value* object_schema,
                                          const std::string& name) {
    std::vector<const Value*> out;
    const Value* patterns = member_or_null(object_schema, "patternProperties");
    if (patterns == nullptr || !patterns->IsObject()) return out;
    for (const auto& entry : patterns->GetObject()) {
        // The validator's own regex engine, so that both agree on what matches (std::regex
        // would also trip g++ 12's -Wmaybe-uninitialized at -O2).
        const rapidjson::internal::Regex pattern(entry.name.GetString());
        if (pattern.IsValid() && pattern.Search(name.c_str())) {
            out.push_back(resolve(root, &entry.value));
        }
    }
    return out;
}

/// The schema that applies to the value at `tokens`, following the same rules as the
/// validator for the subset of draft-04 our schemas use.
const Value* schema_at(const Value& root, const std::vector<std::string>& tokens,
                       std::size_t count) {
    const Value* schema = resolve(root, &root);
    for (std::size_t i = 0; i < count && schema != nullptr; ++i) {
        const std::string& token = tokens[i];
        const Value* properties = member_or_null(schema, "properties");
        if (const Value* property = member_or_null(properties, token.c_str());
            property != nullptr) {
            schema = resolve(root, property);
        } else if (auto matches = pattern_schemas(root, schema, token); !matches.empty()) {
            schema = matches.front();
        } else if (const Value* items = member_or_null(schema, "items");
                   items != nullptr && items->IsObject()) {
            schema = resolve(root, items);
        } else if (const Value* extra = member_or_null(schema, "additionalProperties");
                   extra != nullptr && extra->IsObject()) {
            schema = resolve(root, extra);
        } else {
            return nullptr;
        }
    }
    return schema;
}

std::string pointer_text(const std::vector<std::string>& tokens) {
    std::string out;
    for (const auto& token : tokens) {
        out += "/" + escape_pointer_token(token);
    }
    return out;
}

std::string describe(const Value& root, std::string_view keyword,
                     const std::vector<std::string>& tokens, const Value* value,
                     const Value* schema);

/// RapidJSON 1.1 reports a failed patternProperties subschema only as "patternProperties" (and
/// points at the wrong schema): validate the value against each matching subschema again to
/// find the real keyword.
std::string describe_pattern_failure(const Value& root, const std::vector<std::string>& tokens,
                                     const Value* value) {
    if (value == nullptr || tokens.empty()) return "value does not satisfy patternProperties";
    const Value* parent = schema_at(root, tokens, tokens.size() - 1);
    for (const Value* sub : pattern_schemas(root, parent, tokens.back())) {
        if (sub == nullptr) continue;
        rapidjson::SchemaDocument sub_schema(*sub);
        rapidjson::SchemaValidator validator(sub_schema);
        if (!value->Accept(validator)) {
            return describe(root, validator.GetInvalidSchemaKeyword(), tokens, value, sub);
        }
    }
    return "value does not satisfy patternProperties";
}

std::string describe(const Value& root, std::string_view keyword,
                     const std::vector<std::string>& tokens, const Value* value,
                     const Value* schema) {
    if (keyword == "patternProperties") {
        return describe_pattern_failure(root, tokens, value);
    }
    if (value == nullptr || schema == nullptr) {
        return "value does not satisfy schema keyword '" + std::string(keyword) + "'";
    }
    if (keyword == "type") {
        const Value* type = member_or_null(schema, "type");
        std::string expected = "?";
        if (type != nullptr && type->IsString()) {
            expected = as_string(*type);
        } else if (type != nullptr && type->IsArray()) {
            expected.clear();
            for (const auto& t : type->GetArray()) {
                if (!expected.empty()) expected += " or ";
                expected += t.IsString() ? as_string(t) : "?";
            }
        }
        return "expected " + expected + ", got " + json_type_name(*value);
    }
    if (keyword == "enum") {
        const Value* allowed = member_or_null(schema, "enum");
        return "value " + show(*value) + " is not one of: " +
               (allowed != nullptr && allowed->IsArray() ? join_values(*allowed) : "?");
    }
    if (keyword == "required") {
        const Value* required = member_or_null(schema, "required");
        if (required != nullptr && required->IsArray() && value->IsObject()) {
            for (const auto& name : required->GetArray()) {
                if (name.IsString() && !value->HasMember(name)) {
                    return "missing required property '" + as_string(name) + "'";
                }
            }
        }
        return "missing required property";
    }
    if (keyword == "minimum" || keyword == "maximum") {
        const bool minimum = keyword == "minimum";
        const Value* limit = member_or_null(schema, minimum ? "minimum" : "maximum");
        const Value* exclusive =
            member_or_null(schema, minimum ? "exclusiveMinimum" : "exclusiveMaximum");
        const bool strict = exclusive != nullptr && exclusive->IsBool() && exclusive->GetBool();
        return "value " + show(*value) + (minimum ? " below " : " above ") +
               (strict ? "exclusive " : "") + (minimum ? "minimum " : "maximum ") +
               (limit != nullptr ? show(*limit) : "?");
    }
    if (keyword == "pattern") {
        const Value* pattern = member_or_null(schema, "pattern");
        return "value " + show(*value) + " does not match pattern " +
               (pattern != nullptr && pattern->IsString() ? as_string(*pattern) : "?");
    }
    if (keyword == "minLength" || keyword == "maxLength" || keyword == "minItems" ||
        keyword == "maxItems") {
        const Value* limit = member_or_null(schema, std::string(keyword).c_str());
        const bool min = keyword.substr(0, 3) == "min";
        const bool items = keyword.find("Items") != std::string_view::npos;
        return std::string(items ? "array" : "string") +
               (min ? " shorter than minimum " : " longer than maximum ") +
               (items ? "item count " : "length ") + (limit != nullptr ? show(*limit) : "?");
    }
    if (keyword == "uniqueItems") {
        return "duplicate array item " + show(*value);
    }
    if (keyword == "not") {
        const Value* description = member_or_null(schema, "description");
        const std::string why = description != nullptr && description->IsString()
                                    ? ": " + as_string(*description)
                                    : std::string();
        if (!tokens.empty()) return "property '" + tokens.back() + "' not allowed" + why;
        return "value not allowed" + why;
    }
    if (keyword == "additionalProperties") {
        return tokens.empty() ? "property not allowed"
                              : "property '" + tokens.back() + "' not allowed";
    }
    return "value does not satisfy schema keyword '" + std::string(keyword) + "'";
}

DecodeError violation(const CompiledSchema& compiled, const rapidjson::Document& doc,
                      const rapidjson::SchemaValidator& validator) {
    const auto& pointer = validator.GetInvalidDocumentPointer();
    std::vector<std::string> tokens;
    for (std::size_t i = 0; i < pointer.GetTokenCount(); ++i) {
        const auto& token = pointer.GetTokens()[i];
        tokens.emplace_back(token.name, token.length);
    }
    const Value* value = pointer.Get(doc);
    const Value* schema = schema_at(compiled.source, tokens, tokens.size());
    return {DecodeErrorCode::schema_violation, pointer_text(tokens),
            describe(compiled.source, validator.GetInvalidSchemaKeyword(), tokens, value, schema)};
}

/// Rejects nesting deeper than `max_depth` before RapidJSON's recursive parser sees it and,
/// with `reject_nul`, NUL bytes, which RapidJSON 1.1 takes for the end of input (so
/// "{}\0junk" would pass), and the escaped NUL "\u0000" in strings.
tl::expected<void, DecodeError> prescan(std::string_view json, int max_depth, bool reject_nul) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (c == '\0' && reject_nul) {
            return tl::make_unexpected(DecodeError{
                DecodeErrorCode::parse_error, "",
                "parse error at offset " + std::to_string(i) + ": NUL byte is not allowed"});
        }
        if (in_string) {
            if (c == '\\') {
                // An escaped NUL passes RapidJSON but no text column takes it (PostgreSQL
                // refuses 0x00 in text: a 500 at insert instead of a 400 here).
                if (reject_nul && json.substr(i + 1, 5) == "u0000") {
                    return tl::make_unexpected(
                        DecodeError{DecodeErrorCode::parse_error, "",
                                    "parse error at offset " + std::to_string(i) +
                                        ": the NUL character (\\u0000) is not allowed in text"});
                }
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth) {
                return tl::make_unexpected(
                    DecodeError{DecodeErrorCode::too_deep, "",
                                "nesting deeper than " + std::to_string(max_depth) +
                                    " levels at offset " + std::to_string(i)});
            }
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return {};
}

}  // namespace

std::string json_type_name(const Value& value) {
    if (value.IsNull()) return "null";
    if (value.IsBool()) return "boolean";
    if (value.IsObject()) return "object";
    if (value.IsArray()) return "array";
    if (value.IsString()) return "string";
    if (value.IsInt64() || value.IsUint64()) return "integer";
    return "number";
}

std::string escape_pointer_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (const char c : token) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

bool is_utc_timestamp_shape(std::string_view t) {
    // YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z
    const auto digits = [&](std::size_t from, std::size_t n) {
        if (from + n > t.size()) return false;
        for (std::size_t i = from; i < from + n; ++i) {
            if (t[i] < '0' || t[i] > '9') return false;
        }
        return true;
    };
    if (t.size() < 20 || !digits(0, 4) || t[4] != '-' || !digits(5, 2) || t[7] != '-' ||
        !digits(8, 2) || t[10] != 'T' || !digits(11, 2) || t[13] != ':' || !digits(14, 2) ||
        t[16] != ':' || !digits(17, 2)) {
        return false;
    }
    std::size_t i = 19;
    if (t[i] == '.') {
        std::size_t n = 0;
        while (i + 1 + n < t.size() && t[i + 1 + n] >= '0' && t[i + 1 + n] <= '9') ++n;
        if (n < 1 || n > 9) return false;
        i += 1 + n;
    }
    return i + 1 == t.size() && t[i] == 'Z';
}

tl::expected<void, DecodeError> load_document(std::string_view json, std::size_t max_bytes,
                                              DocumentKind kind, rapidjson::Document& doc,
                                              Validation validation) {
    // The cap comes first: nothing about an oversized body is worth reading.
    if (json.size() > max_bytes) {
        return tl::make_unexpected(DecodeError{DecodeErrorCode::too_large, "",
                                               "document is " + std::to_string(json.size()) +
                                                   " bytes, limit is " +
                                                   std::to_string(max_bytes)});
    }
    if (auto scanned = prescan(json, kMaxNestingDepth, true); !scanned) {
        return scanned;
    }
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
    if (doc.HasParseError()) {
        return tl::make_unexpected(
            DecodeError{DecodeErrorCode::parse_error, "",
                        "parse error at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                            rapidjson::GetParseError_En(doc.GetParseError())});
    }
    if (kind == DocumentKind::batch && doc.IsObject()) {
        // Checked before the schema so that a newer document gets this message rather than
        // whatever its first incompatible field happens to trip.
        auto version = doc.FindMember("schema_version");
        if (version != doc.MemberEnd() && version->value.IsInt64() &&
            version->value.GetInt64() != kSchemaVersion) {
            return tl::make_unexpected(DecodeError{
                DecodeErrorCode::unsupported_version, "/schema_version",
                "unsupported schema_version " + std::to_string(version->value.GetInt64()) +
                    "; this reader supports schema_version " + std::to_string(kSchemaVersion)});
        }
    }
    const bool fast = validation == Validation::patterns_in_code;
    const CompiledSchema& compiled = kind == DocumentKind::batch
                                         ? (fast ? batch_schema_fast() : batch_schema())
                                         : (fast ? snapshot_schema_fast() : snapshot_schema());
    rapidjson::SchemaValidator validator(compiled.schema);
    if (!doc.Accept(validator)) {
        return tl::make_unexpected(violation(compiled, doc, validator));
    }
    return {};
}

}  // namespace detail

std::string DecodeError::message() const {
    return pointer.empty() ? reason : pointer + ": " + reason;
}

std::string_view snapshot_schema_json() { return detail::embedded_snapshot_schema(); }
std::string_view batch_schema_json() { return detail::embedded_batch_schema(); }

tl::expected<void, DecodeError> validate_snapshot_json(std::string_view json,
                                                       std::size_t max_bytes) {
    rapidjson::Document doc;
    return detail::load_document(json, max_bytes, detail::DocumentKind::snapshot, doc);
}

tl::expected<void, DecodeError> validate_batch_json(std::string_view json, std::size_t max_bytes) {
    rapidjson::Document doc;
    return detail::load_document(json, max_bytes, detail::DocumentKind::batch, doc);
}

tl::expected<void, DecodeError> check_nesting(std::string_view json, int max_depth) {
    return detail::prescan(json, max_depth, false);
}

}  // namespace printmon::proto
