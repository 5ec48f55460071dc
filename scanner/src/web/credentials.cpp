#include "web/credentials.hpp"

#include <fmt/format.h>

namespace printmon::scanner::web {

std::string hash_password(std::string_view password, const PasswordCost& cost) {
    return crypto::argon2id_hash(password, cost);
}

bool verify_password(std::string_view password, const std::string& encoded) {
    return crypto::argon2id_verify(encoded, password);
}

std::string password_problem(std::string_view password) {
    // The shared rule (printmon::crypto): characters, not bytes.
    switch (crypto::password_problem(password)) {
        case crypto::PasswordProblem::none:
            return {};
        case crypto::PasswordProblem::not_utf8:
            return "the password is not valid UTF-8";
        case crypto::PasswordProblem::too_short:
            return fmt::format("the password must have at least {} characters",
                               crypto::kMinPasswordChars);
        case crypto::PasswordProblem::too_long:
            return fmt::format("the password must have at most {} characters",
                               crypto::kMaxPasswordChars);
    }
    return "the password is not valid";
}

}  // namespace printmon::scanner::web
