// The v1 decoders (proto::parse_batch, proto::parse_snapshot) over any bytes. Whatever they
// accept must survive the encoder: to_json of a decoded document decodes to the same value,
// otherwise the cloud could store what the uploader cannot send again (or the reverse).

#include "printmon/proto/codec.hpp"
#include "printmon/proto/validate.hpp"
#include "support.hpp"

namespace printmon::fuzz {

int fuzz_batch(const std::uint8_t* data, std::size_t size) {
    const std::string_view json(reinterpret_cast<const char*>(data), size);
    if (auto batch = proto::parse_batch(json)) {
        const std::string again = proto::to_json(*batch);
        auto reparsed = proto::parse_batch(again);
        if (!reparsed) fail("batch", "re-encoded batch rejected: " + reparsed.error().message());
        if (!(*reparsed == *batch)) fail("batch", "re-encoded batch differs");
        if (!proto::validate_batch_json(again)) fail("batch", "re-encoded batch fails the schema");
    }
    if (auto snapshot = proto::parse_snapshot(json)) {
        const std::string again = proto::to_json(*snapshot);
        auto reparsed = proto::parse_snapshot(again);
        if (!reparsed) fail("batch", "re-encoded snapshot rejected: " + reparsed.error().message());
        if (!(*reparsed == *snapshot)) fail("batch", "re-encoded snapshot differs");
        (void)proto::counters_to_json(*snapshot);
        (void)proto::supply_levels_to_json(*snapshot);
    }
    return 0;
}

}  // namespace printmon::fuzz
