#include "auth/passwords.hpp"

namespace printmon::cloud::auth {

std::string hash_password(std::string_view password, const PasswordParams& params) {
    return crypto::argon2id_hash(password, params);
}

bool verify_password(const std::string& encoded, std::string_view password) {
    return crypto::argon2id_verify(encoded, password);
}

}  // namespace printmon::cloud::auth
