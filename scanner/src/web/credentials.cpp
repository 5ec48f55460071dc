#include "web/credentials.hpp"

#include <fmt/format.h>

#include "polling/text.hpp"

namespace printmon::scanner::web {
namespace {

constexpr std::size_t kMinPasswordLength = 10;
constexpr std::size_t kMaxPasswordLength = 256;

}  // namespace

std::string hash_password(std::string_view password, const PasswordCost& cost) {
    return crypto::argon2id_hash(password, cost);
}

bool verify_password(std::string_view password, const std::string& encoded) {
    return crypto::argon2id_verify(encoded, password);
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

}  // namespace printmon::scanner::web
