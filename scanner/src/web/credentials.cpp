#include "web/credentials.hpp"

#include <fmt/format.h>

#include "polling/text.hpp"

namespace printmon::scanner::web {

std::string hash_password(std::string_view password, const PasswordCost& cost) {
    return crypto::argon2id_hash(password, cost);
}

bool verify_password(std::string_view password, const std::string& encoded) {
    return crypto::argon2id_verify(encoded, password);
}

std::string password_problem(std::string_view password) {
    // The shared rule (printmon::crypto): characters, not bytes.
    const auto length = text::utf8_length(password);
    if (!length) return "the password is not valid UTF-8";
    if (*length < crypto::kMinPasswordChars) {
        return fmt::format("the password must have at least {} characters",
                           crypto::kMinPasswordChars);
    }
    if (*length > crypto::kMaxPasswordChars) {
        return fmt::format("the password must have at most {} characters",
                           crypto::kMaxPasswordChars);
    }
    return {};
}

}  // namespace printmon::scanner::web
