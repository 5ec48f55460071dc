#pragma once
// The uploader's offline export file: {"format":"printmon-export","version":1,"batches":[...]}.
// Each element of "batches" is a v1 batch document, validated with proto::parse_batch.
//
// Rationale for living here rather than in printmon::proto: proto has no export codec yet; this
// reader re-serialises each batch element with RapidJSON's Writer (SAX, no DOM: the nesting
// depth is capped before anything recurses) and hands it to parse_batch, so the batch rules stay
// in one place. It should move to proto (parse_export) once the uploader writes the format.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "printmon/proto/codec.hpp"

namespace printmon::cloud::ingest {

inline constexpr std::string_view kExportFormat = "printmon-export";
inline constexpr int kExportVersion = 1;

/// Decodes an export file; error pointers name the batch ("/batches/2/readings/0/...").
tl::expected<std::vector<proto::Batch>, proto::DecodeError> parse_export(
    std::string_view json, std::size_t max_bytes = proto::kDefaultMaxBatchBytes);

/// Encodes batches as an export file (tests, benchmarks; the uploader writes the same format).
std::string to_export_json(const std::vector<proto::Batch>& batches);

}  // namespace printmon::cloud::ingest
