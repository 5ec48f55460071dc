#pragma once
// JSON encoding and decoding of the v1 documents (device snapshot, batch). See docs/protocol.md
// for the wire format and shared/schemas/ for the JSON Schemas the decoder enforces.

#include <cstddef>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "printmon/proto/snapshot.hpp"

namespace printmon::proto {

/// A snapshot is one device: 1 MiB is far above any real one (a few KiB).
inline constexpr std::size_t kDefaultMaxSnapshotBytes = std::size_t{1} << 20;
/// A batch holds many readings; the uploader splits batches well below this.
inline constexpr std::size_t kDefaultMaxBatchBytes = std::size_t{64} << 20;
/// Our documents nest 6 levels deep; the cap keeps hostile input from exhausting the stack
/// (RapidJSON's DOM, validator and destructor recurse).
inline constexpr int kMaxNestingDepth = 64;

/// Why a document was rejected.
enum class DecodeErrorCode {
    too_large,            ///< input longer than the caller's limit; not parsed
    too_deep,             ///< nesting deeper than kMaxNestingDepth; not parsed
    parse_error,          ///< not well-formed JSON (or not UTF-8)
    unsupported_version,  ///< schema_version is not kSchemaVersion
    schema_violation,     ///< well-formed JSON that the JSON Schema rejects
    invalid_value,        ///< schema-valid but semantically wrong (bad date, duplicate id...)
};

/// A rejected document: where (JSON pointer, "" for the root) and why.
struct DecodeError {
    DecodeErrorCode code = DecodeErrorCode::parse_error;
    std::string pointer;  ///< RFC 6901 JSON pointer, e.g. "/readings/2/snapshot/counters/total"
    std::string reason;   ///< e.g. "expected integer, got string"

    /// "<pointer>: <reason>", or just the reason when the error is about the whole document.
    [[nodiscard]] std::string message() const;
};

/// Layout of the encoder's output. Both forms carry exactly the same data.
enum class JsonStyle { compact, pretty };

std::string to_json(const DeviceSnapshot& snapshot, JsonStyle style = JsonStyle::compact);
std::string to_json(const Batch& batch, JsonStyle style = JsonStyle::compact);

/// The snapshot's "counters" object alone (name -> integer), as in the document.
std::string counters_to_json(const DeviceSnapshot& snapshot);

/// [{"type", "color", "description", "level_percent"}] of the supplies that report a real
/// percentage: what the cloud keeps beside each stored document to find cartridge changes
/// without parsing the whole document again.
std::string supply_levels_to_json(const DeviceSnapshot& snapshot);

/// Decodes a standalone device snapshot document.
tl::expected<DeviceSnapshot, DecodeError> parse_snapshot(
    std::string_view json, std::size_t max_bytes = kDefaultMaxSnapshotBytes);

/// Decodes a batch document. Besides the schema, checks that schema_version is 1, that times
/// are real dates, that ids are unique and that readings/events name a device in `devices`.
tl::expected<Batch, DecodeError> parse_batch(std::string_view json,
                                             std::size_t max_bytes = kDefaultMaxBatchBytes);

}  // namespace printmon::proto
