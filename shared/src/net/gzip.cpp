// gzip via zlib, with the inflated size capped (gzip-bomb protection).
#include "printmon/net/gzip.hpp"

#include <array>
#include <stdexcept>

#include <zlib.h>

namespace printmon::net {
namespace {

// zlib's window bits: 15 (32 KiB window) + 16 selects the gzip wrapper.
constexpr int kGzipWindowBits = 15 + 16;
constexpr std::size_t kChunk = std::size_t{64} * 1024;

// RAII for a z_stream in one direction.
class Deflater {
  public:
    explicit Deflater(int level) {
        if (deflateInit2(&z_, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            throw std::runtime_error("gzip: deflateInit2 failed");
        }
    }
    ~Deflater() { deflateEnd(&z_); }
    Deflater(const Deflater&) = delete;
    Deflater& operator=(const Deflater&) = delete;
    z_stream& get() { return z_; }

  private:
    z_stream z_{};
};

class Inflater {
  public:
    Inflater() {
        if (inflateInit2(&z_, kGzipWindowBits) != Z_OK) {
            throw std::runtime_error("gzip: inflateInit2 failed");
        }
    }
    ~Inflater() { inflateEnd(&z_); }
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;
    z_stream& get() { return z_; }

  private:
    z_stream z_{};
};

// zlib's avail_in is a uInt: feed large inputs in slices.
uInt clamp_uint(std::size_t n) {
    constexpr std::size_t kMax = std::size_t{1} << 30;
    return static_cast<uInt>(n < kMax ? n : kMax);
}

}  // namespace

std::string_view to_string(GzipError error) noexcept {
    switch (error) {
        case GzipError::kTooLarge:
            return "too_large";
        case GzipError::kCorrupt:
            return "corrupt";
    }
    return "unknown";
}

std::string gzip_compress(std::string_view data, int level) {
    Deflater deflater(level);
    z_stream& z = deflater.get();
    std::string out;
    out.reserve(data.size() / 4 + 64);
    std::array<unsigned char, kChunk> chunk{};
    // zlib's API is not const-correct; it never writes through next_in.
    z.next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(data.data()));
    std::size_t remaining = data.size();
    int rc = Z_OK;
    do {
        if (z.avail_in == 0 && remaining > 0) {
            z.avail_in = clamp_uint(remaining);
            remaining -= z.avail_in;
        }
        const int flush = remaining == 0 ? Z_FINISH : Z_NO_FLUSH;
        z.next_out = chunk.data();
        z.avail_out = static_cast<uInt>(chunk.size());
        rc = deflate(&z, flush);
        if (rc == Z_STREAM_ERROR) throw std::runtime_error("gzip: deflate failed");
        out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size() - z.avail_out);
    } while (rc != Z_STREAM_END);
    return out;
}

tl::expected<std::string, GzipError> gzip_decompress(std::string_view data,
                                                     std::size_t max_output) {
    Inflater inflater;
    z_stream& z = inflater.get();
    std::string out;
    std::array<unsigned char, kChunk> chunk{};
    z.next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(data.data()));
    std::size_t remaining = data.size();
    if (remaining == 0) return tl::unexpected(GzipError::kCorrupt);
    for (;;) {
        if (z.avail_in == 0 && remaining > 0) {
            z.avail_in = clamp_uint(remaining);
            remaining -= z.avail_in;
        }
        z.next_out = chunk.data();
        z.avail_out = static_cast<uInt>(chunk.size());
        const int rc = inflate(&z, Z_NO_FLUSH);
        const std::size_t produced = chunk.size() - z.avail_out;
        if (produced > max_output - out.size()) return tl::unexpected(GzipError::kTooLarge);
        out.append(reinterpret_cast<const char*>(chunk.data()), produced);
        if (rc == Z_STREAM_END) {
            if (z.avail_in == 0 && remaining == 0) return out;
            // Another gzip member follows (RFC 1952 allows concatenation).
            if (inflateReset(&z) != Z_OK) return tl::unexpected(GzipError::kCorrupt);
            continue;
        }
        if (rc == Z_BUF_ERROR && z.avail_in == 0 && remaining == 0) {
            return tl::unexpected(GzipError::kCorrupt);  // truncated
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) return tl::unexpected(GzipError::kCorrupt);
    }
}

}  // namespace printmon::net
