// gzip round trips and the inflate cap.
#include <string>

#include <catch2/catch.hpp>

#include "net_test_support.hpp"
#include "printmon/net/gzip.hpp"

using printmon::net::gzip_compress;
using printmon::net::gzip_decompress;
using printmon::net::GzipError;

TEST_CASE("gzip round trip", "[net][gzip]") {
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "{\"serial\":\"X" + std::to_string(i * 7919) + "\"},";
    const std::string packed = gzip_compress(text);
    CHECK(packed.size() < text.size() / 3);
    CHECK(static_cast<unsigned char>(packed[0]) == 0x1f);  // gzip magic
    CHECK(static_cast<unsigned char>(packed[1]) == 0x8b);
    const auto unpacked = gzip_decompress(packed, text.size());
    REQUIRE(unpacked);
    CHECK(*unpacked == text);

    const auto empty = gzip_decompress(gzip_compress(""), 10);
    REQUIRE(empty);
    CHECK(empty->empty());

    // Concatenated members inflate to the concatenation (RFC 1952).
    const auto joined = gzip_decompress(gzip_compress("abc") + gzip_compress("def"), 100);
    REQUIRE(joined);
    CHECK(*joined == "abcdef");
}

TEST_CASE("gzip_decompress rejects corrupt and truncated input", "[net][gzip]") {
    CHECK(gzip_decompress("", 100).error() == GzipError::kCorrupt);
    CHECK(gzip_decompress("not gzip at all", 100).error() == GzipError::kCorrupt);
    std::string packed = gzip_compress(std::string(5000, 'x') + "tail");
    CHECK(gzip_decompress(packed.substr(0, packed.size() - 6), 100000).error() ==
          GzipError::kCorrupt);
    packed[packed.size() - 5] = static_cast<char>(packed[packed.size() - 5] ^ 0x55);  // CRC/size
    CHECK(gzip_decompress(packed, 100000).error() == GzipError::kCorrupt);
}

TEST_CASE("gzip_decompress stops at the cap", "[net][gzip]") {
    const std::string data(1000, 'a');
    CHECK(gzip_decompress(gzip_compress(data), 1000).has_value());
    CHECK(gzip_decompress(gzip_compress(data), 999).error() == GzipError::kTooLarge);

    // A 100 MB bomb: the cap bounds the memory, never the bomb's size.
    const std::string bomb = printmon::net::test::gzip_zeros(std::size_t{100} << 20);
    CHECK(bomb.size() < (std::size_t{1} << 20));
    const long rss_before = printmon::net::test::peak_rss_kib();
    CHECK(gzip_decompress(bomb, std::size_t{1} << 20).error() == GzipError::kTooLarge);
    CHECK(printmon::net::test::peak_rss_kib() - rss_before < 32 * 1024);
}
