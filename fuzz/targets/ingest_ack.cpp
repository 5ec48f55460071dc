// The uploader's reading of the cloud's answer to a batch (the ingest acknowledgement): any
// status, Retry-After and body. What it decides must be consistent: only a 200 naming no other
// batch may mark rows sent, and nothing from the body reaches logs unbounded.

#include <array>

#include "support.hpp"
#include "transport/ingest_client.hpp"

namespace printmon::fuzz {

int fuzz_ingest_ack(const std::uint8_t* data, std::size_t size) {
    Bytes in(data, size);
    static constexpr std::array<unsigned, 12> kStatuses = {200, 201, 204, 400, 401, 403,
                                                           413, 415, 422, 500, 502, 503};
    const std::uint8_t pick = in.byte();
    unsigned status = kStatuses[pick % kStatuses.size()];
    if (pick >= 240) {  // now and then any status from 100 to 611
        const unsigned high = in.byte();
        status = 100U + high * 2U + in.byte() % 2U;
    }
    net::Headers headers;
    if (in.flag()) headers["Retry-After"] = in.text(32);
    const std::string batch_id = in.flag() ? in.text(64) : "5d2b7e10-3c4a-4f6b-9d8e-0a1b2c3d4e5f";
    const std::string body(in.rest());

    const auto result = uploader::interpret_reply(status, headers, body, batch_id);
    using uploader::SendStatus;
    const bool sent =
        result.status == SendStatus::kStored || result.status == SendStatus::kDuplicate;
    if (sent && status != 200) fail("ingest_ack", "non-200 answer taken as stored");
    if (result.http_status != status) fail("ingest_ack", "http_status not the answer's");
    if (result.retry_after &&
        (result.retry_after->count() < 0 || result.retry_after->count() > 3600))
        fail("ingest_ack", "retry_after outside 0..3600 s");
    if (result.message.size() > 600)
        fail("ingest_ack", "error message not bounded: " + std::to_string(result.message.size()));
    return 0;
}

}  // namespace printmon::fuzz
