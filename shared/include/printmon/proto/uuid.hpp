#pragma once
// UUIDs for batch, device, reading and event ids.

#include <string>
#include <string_view>

namespace printmon::proto {

/// A random (version 4) UUID, lower-case 8-4-4-4-12 form. Thread-safe.
std::string new_uuid();

/// True for a lower-case 8-4-4-4-12 hexadecimal UUID (any version), the form the schemas accept.
bool is_uuid(std::string_view text);

}  // namespace printmon::proto
