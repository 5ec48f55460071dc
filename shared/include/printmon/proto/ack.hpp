#pragma once
// The ingest acknowledgement: the body of a 200 answer to POST /api/v1/ingest (schema
// shared/schemas/ingest-ack.v1.schema.json, docs/protocol.md "Acknowledgement"). The cloud
// writes it with to_json, the uploader reads it with parse_ack; whether a batch's rows are
// marked sent depends on it, so both ends share this one codec.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "printmon/proto/codec.hpp"

namespace printmon::proto {

/// An acknowledgement is a few hundred bytes; anything far larger is not one.
inline constexpr std::size_t kMaxAckBytes = std::size_t{64} * 1024;

struct IngestAck {
    std::string batch_id;
    bool duplicate = false;  ///< "duplicate": stored before, nothing applied again
    std::int64_t readings_stored = 0;
    std::int64_t readings_duplicate = 0;
    std::int64_t events_stored = 0;
    std::int64_t events_duplicate = 0;

    bool operator==(const IngestAck&) const = default;
};

std::string to_json(const IngestAck& ack);

/// Decodes an acknowledgement: size and depth caps, well-formed UTF-8 JSON, the schema.
tl::expected<IngestAck, DecodeError> parse_ack(std::string_view json,
                                               std::size_t max_bytes = kMaxAckBytes);

/// Text of shared/schemas/ingest-ack.v1.schema.json.
std::string_view ack_schema_json();

}  // namespace printmon::proto
