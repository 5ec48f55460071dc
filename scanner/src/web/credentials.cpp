#include "web/credentials.hpp"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "polling/text.hpp"

namespace printmon::scanner::web {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kMinPasswordLength = 10;
constexpr std::size_t kMaxPasswordLength = 256;

std::vector<unsigned char> random_bytes(std::size_t n) {
    std::vector<unsigned char> out(n);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
        throw std::runtime_error("OpenSSL RAND_bytes failed");
    }
    return out;
}

}  // namespace

std::string hash_password(std::string_view password, const PasswordCost& cost) {
    const auto salt = random_bytes(kSaltBytes);
    const std::size_t encoded_len = argon2_encodedlen(cost.passes, cost.memory_kib, cost.lanes,
                                                      kSaltBytes, kHashBytes, Argon2_id);
    std::string encoded(encoded_len, '\0');
    const int rc = argon2id_hash_encoded(cost.passes, cost.memory_kib, cost.lanes, password.data(),
                                         password.size(), salt.data(), salt.size(), kHashBytes,
                                         encoded.data(), encoded.size());
    if (rc != ARGON2_OK) {
        throw std::runtime_error(fmt::format("argon2id failed: {}", argon2_error_message(rc)));
    }
    encoded.resize(encoded.find('\0'));
    return encoded;
}

bool verify_password(std::string_view password, const std::string& encoded) {
    if (encoded.rfind("$argon2id$", 0) != 0) return false;
    return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string password_problem(std::string_view password) {
    // Characters, not bytes: a 5-letter Cyrillic password is 10 bytes but far weaker.
    const auto length = text::utf8_length(password);
    if (!length) return "the password is not valid UTF-8";
    if (*length < kMinPasswordLength) {
        return fmt::format("the password must have at least {} characters", kMinPasswordLength);
    }
    if (*length > kMaxPasswordLength) {
        return fmt::format("the password must have at most {} characters", kMaxPasswordLength);
    }
    return {};
}

std::string random_token(std::size_t bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const auto raw = random_bytes(bytes);
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (const unsigned char b : raw) {
        acc = (acc << 8U) | b;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kAlphabet[(acc >> static_cast<unsigned>(bits)) & 0x3FU];
        }
    }
    if (bits > 0) out += kAlphabet[(acc << static_cast<unsigned>(6 - bits)) & 0x3FU];
    return out;
}

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
    std::string out;
    out.reserve(digest.size() * 2);
    for (const unsigned char b : digest) out += fmt::format("{:02x}", b);
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace printmon::scanner::web
