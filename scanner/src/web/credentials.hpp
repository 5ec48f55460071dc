#pragma once
// Password hashing (argon2id, PHC string format) and random tokens for the web UI's sessions,
// CSRF tokens and API tokens: the web UI's names for printmon::crypto (the one home of these
// helpers, shared with the cloud), plus the UI's own password rules.

#include <cstdint>
#include <string>
#include <string_view>

#include "printmon/crypto/crypto.hpp"

namespace printmon::scanner::web {

using PasswordCost = crypto::Argon2Cost;

/// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" with a fresh 16-byte salt. Throws
/// std::runtime_error when libargon2 fails (out of memory).
std::string hash_password(std::string_view password, const PasswordCost& cost = {});

/// True when `password` matches the argon2id PHC string `encoded` (constant time inside
/// libargon2); false for any malformed or non-argon2id string.
bool verify_password(std::string_view password, const std::string& encoded);

/// Why a new password is refused, or "" when it is acceptable.
std::string password_problem(std::string_view password);

using crypto::constant_time_equal;
using crypto::random_token;
/// Lowercase hex SHA-256: what the database stores instead of session and API tokens.
using crypto::sha256_hex;

}  // namespace printmon::scanner::web
