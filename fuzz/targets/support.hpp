#pragma once
// Shared by the fuzz targets and their replay test: a byte reader for structured inputs and
// the check that turns a broken invariant into a crash libFuzzer reports.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace printmon::fuzz {

/// Aborts with `what`: an invariant the code promises was broken (libFuzzer saves the input).
[[noreturn]] inline void fail(const char* target, const std::string& what) {
    std::fprintf(stderr, "%s: invariant broken: %s\n", target, what.c_str());
    std::abort();
}

/// Takes values from the front of the input; past the end every read yields zeros/empty, so
/// any input is a valid one (FuzzedDataProvider's idea, without depending on clang's header:
/// the replay test builds with g++).
class Bytes {
  public:
    Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    bool flag() { return (byte() & 1U) != 0; }
    std::uint32_t u32() {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v = (v << 8U) | byte();
        return v;
    }
    // One read per statement: the order of two reads in one expression is unspecified, and the
    // replay test (g++) must read an input as the fuzzer (clang) did.
    std::uint64_t u64() {
        const std::uint64_t high = u32();
        return (high << 32U) | u32();
    }
    /// A string of 0..max_len bytes (the length is one byte or two, scaled).
    std::string text(std::size_t max_len) {
        std::size_t len = byte();
        if (max_len > 255 && flag()) {
            const std::size_t low = byte();
            len = (len << 8U) | low;
        }
        if (len > max_len) len = len % (max_len + 1);
        if (len > size_ - pos_) len = size_ - pos_;
        std::string out(reinterpret_cast<const char*>(data_ + pos_), len);
        pos_ += len;
        return out;
    }
    std::string_view rest() {
        std::string_view out(reinterpret_cast<const char*>(data_ + pos_), size_ - pos_);
        pos_ = size_;
        return out;
    }
    bool empty() const { return pos_ >= size_; }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

}  // namespace printmon::fuzz

// Every target: one function, the body of LLVMFuzzerTestOneInput (fuzz/entry.cpp) and of the
// replay test (tests/fuzz). Never throws; returns 0.
#define PRINTMON_FUZZ_TARGETS(X) \
    X(batch)                     \
    X(export)                    \
    X(ingest_ack)                \
    X(notify_answer)             \
    X(collector)                 \
    X(varbinds)                  \
    X(http)                      \
    X(config)

#define PRINTMON_FUZZ_DECLARE(name) int fuzz_##name(const std::uint8_t* data, std::size_t size);
namespace printmon::fuzz {
PRINTMON_FUZZ_TARGETS(PRINTMON_FUZZ_DECLARE)
}  // namespace printmon::fuzz
#undef PRINTMON_FUZZ_DECLARE
