#pragma once
// The offline export file: {"format":"printmon-export","version":1,"batches":[...]} (schema
// shared/schemas/export.v1.schema.json, docs/protocol.md "Export file"). The uploader writes
// it, the cloud's POST /api/v1/import and `printmon-cloud-api import` read it. Each element of
// "batches" is a v1 batch document, validated with parse_batch, so the batch rules stay in one
// place.
//
// Rationale for a SAX reader: files reach hundreds of MiB; each batch element is copied into
// its own string (nesting depth capped before anything recurses) and decoded alone, so the
// whole file is never one DOM.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "printmon/proto/codec.hpp"

namespace printmon::proto {

inline constexpr std::string_view kExportFormat = "printmon-export";
inline constexpr int kExportVersion = 1;

/// Decodes an export file; error pointers name the batch ("/batches/2/readings/0/...").
tl::expected<std::vector<Batch>, DecodeError> parse_export(
    std::string_view json, std::size_t max_bytes = kDefaultMaxBatchBytes);

/// Encodes batches as an export file.
std::string to_export_json(const std::vector<Batch>& batches);

/// A streaming writer's pieces, for files too large to build in memory: the envelope up to
/// the opening of "batches", the separator between two batch documents (each one exactly
/// to_json(batch)), and the closing. to_export_json is made of them too.
std::string_view export_prefix();
inline constexpr std::string_view kExportSeparator = ",";
inline constexpr std::string_view kExportSuffix = "]}";

/// Text of shared/schemas/export.v1.schema.json (the envelope; batches are batch.v1).
std::string_view export_schema_json();

}  // namespace printmon::proto
