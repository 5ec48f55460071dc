#pragma once
// JSON Schema validation of raw documents, without decoding them into the model. The schemas
// are shared/schemas/*.schema.json, embedded into the library at build time.

#include <cstddef>
#include <string_view>

#include <tl/expected.hpp>

#include "printmon/proto/codec.hpp"

namespace printmon::proto {

/// Text of shared/schemas/device-snapshot.v1.schema.json.
std::string_view snapshot_schema_json();
/// Text of shared/schemas/batch.v1.schema.json (refers to the snapshot schema by file name).
std::string_view batch_schema_json();

/// Size cap, well-formedness and schema check of a snapshot document.
tl::expected<void, DecodeError> validate_snapshot_json(
    std::string_view json, std::size_t max_bytes = kDefaultMaxSnapshotBytes);

/// Size cap, well-formedness, schema_version and schema check of a batch document.
tl::expected<void, DecodeError> validate_batch_json(std::string_view json,
                                                    std::size_t max_bytes = kDefaultMaxBatchBytes);

/// Rejects JSON nested deeper than `max_depth` objects/arrays (DecodeErrorCode::too_deep)
/// without parsing it. Rationale: RapidJSON's default parser, its validator and every walk of
/// a document recurse once per level, so a peer's "[[[[..." overflows the stack. Run it before
/// parsing anything another process sent; the proto decoders already do.
tl::expected<void, DecodeError> check_nesting(std::string_view json,
                                              int max_depth = kMaxNestingDepth);

}  // namespace printmon::proto
