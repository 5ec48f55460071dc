#include "auth/passwords.hpp"

#include <argon2.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>
#include <vector>

namespace printmon::cloud::auth {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

}  // namespace

std::string hash_password(std::string_view password, const PasswordParams& params) {
    std::array<unsigned char, kSaltBytes> salt{};
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    const std::size_t length = argon2_encodedlen(params.time_cost, params.memory_kib, params.lanes,
                                                 kSaltBytes, kHashBytes, Argon2_id);
    std::vector<char> encoded(length);
    const int rc = argon2id_hash_encoded(params.time_cost, params.memory_kib, params.lanes,
                                         password.data(), password.size(), salt.data(), salt.size(),
                                         kHashBytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) {
        throw std::runtime_error(std::string("argon2id: ") + argon2_error_message(rc));
    }
    return std::string(encoded.data());
}

bool verify_password(const std::string& encoded, std::string_view password) {
    return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace printmon::cloud::auth
