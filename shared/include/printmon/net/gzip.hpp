#pragma once
// gzip (RFC 1952) for request/response bodies, with a cap on the inflated size.

#include <cstddef>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace printmon::net {

/// Why inflating failed.
enum class GzipError {
    kTooLarge,  ///< the inflated data would exceed the cap; inflating stopped there
    kCorrupt,   ///< not gzip, truncated, or a bad checksum
};

std::string_view to_string(GzipError error) noexcept;

/// Compresses `data` into one gzip member. `level` 0..9 (zlib's default is 6).
std::string gzip_compress(std::string_view data, int level = 6);

/// Inflates gzip data (concatenated members are joined) without ever holding more than
/// `max_output` bytes of output plus one small chunk: a gzip bomb costs at most the cap.
tl::expected<std::string, GzipError> gzip_decompress(std::string_view data, std::size_t max_output);

}  // namespace printmon::net
