#include "printmon/crypto/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <argon2.h>

#include <array>
#include <stdexcept>

#include "printmon/proto/utf8.hpp"

namespace printmon::crypto {
namespace {

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kTagBytes = 32;

}  // namespace

std::string hex(const unsigned char* data, std::size_t size) {
    static constexpr std::string_view kDigits = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += kDigits[data[i] >> 4U];
        out += kDigits[data[i] & 0x0FU];
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("EVP_Digest(sha256) failed");
    }
    return hex(digest.data(), size);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(),
             &size) == nullptr) {
        throw std::runtime_error("HMAC(sha256) failed");
    }
    return hex(digest.data(), size);
}

std::vector<unsigned char> random_bytes(std::size_t n) {
    std::vector<unsigned char> out(n);
    if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
        throw std::runtime_error("OpenSSL RAND_bytes failed");
    }
    return out;
}

std::string base64url(const unsigned char* data, std::size_t size) {
    std::string out;
    out.reserve((size * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const unsigned v = (unsigned{data[i]} << 16U) | (unsigned{data[i + 1]} << 8U) | data[i + 2];
        out += kBase64Url[(v >> 18U) & 63U];
        out += kBase64Url[(v >> 12U) & 63U];
        out += kBase64Url[(v >> 6U) & 63U];
        out += kBase64Url[v & 63U];
    }
    if (size - i == 1) {
        const unsigned v = unsigned{data[i]} << 16U;
        out += kBase64Url[(v >> 18U) & 63U];
        out += kBase64Url[(v >> 12U) & 63U];
    } else if (size - i == 2) {
        const unsigned v = (unsigned{data[i]} << 16U) | (unsigned{data[i + 1]} << 8U);
        out += kBase64Url[(v >> 18U) & 63U];
        out += kBase64Url[(v >> 12U) & 63U];
        out += kBase64Url[(v >> 6U) & 63U];
    }
    return out;
}

bool is_base64url(std::string_view text) {
    for (const char c : text) {
        if (kBase64Url.find(c) == std::string_view::npos) return false;
    }
    return true;
}

std::string random_token(std::size_t bytes) { return base64url(random_bytes(bytes)); }

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string argon2id_hash(std::string_view password, const Argon2Cost& cost) {
    const auto salt = random_bytes(kSaltBytes);
    const std::size_t length = argon2_encodedlen(cost.passes, cost.memory_kib, cost.lanes,
                                                 static_cast<uint32_t>(kSaltBytes),
                                                 static_cast<uint32_t>(kTagBytes), Argon2_id);
    std::string encoded(length, '\0');
    const int rc = argon2id_hash_encoded(cost.passes, cost.memory_kib, cost.lanes, password.data(),
                                         password.size(), salt.data(), salt.size(), kTagBytes,
                                         encoded.data(), encoded.size());
    if (rc != ARGON2_OK) {
        throw std::runtime_error(std::string("argon2id failed: ") + argon2_error_message(rc));
    }
    encoded.resize(encoded.find('\0'));
    return encoded;
}

bool argon2id_verify(const std::string& encoded, std::string_view password) {
    // Only our own algorithm: libargon2 would also accept "$argon2i$" hashes.
    if (encoded.rfind("$argon2id$", 0) != 0) return false;
    return ::argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

PasswordProblem password_problem(std::string_view password) {
    const auto chars = proto::utf8_length(password);
    if (!chars) return PasswordProblem::not_utf8;
    if (*chars < kMinPasswordChars) return PasswordProblem::too_short;
    if (*chars > kMaxPasswordChars) return PasswordProblem::too_long;
    return PasswordProblem::none;
}

}  // namespace printmon::crypto
