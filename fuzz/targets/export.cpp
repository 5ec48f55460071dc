// The offline export envelope ({"format":"printmon-export","version":1,"batches":[...]}) as
// POST /api/v1/import reads it: any bytes, and what it accepts re-encodes to the same batches.

#include "printmon/proto/export.hpp"
#include "support.hpp"

namespace printmon::fuzz {

int fuzz_export(const std::uint8_t* data, std::size_t size) {
    const std::string_view json(reinterpret_cast<const char*>(data), size);
    auto batches = proto::parse_export(json);
    if (!batches) return 0;
    auto again = proto::parse_export(proto::to_export_json(*batches));
    if (!again) fail("export", "re-encoded export rejected: " + again.error().message());
    if (*again != *batches) fail("export", "re-encoded export differs");
    return 0;
}

}  // namespace printmon::fuzz
