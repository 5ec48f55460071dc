#pragma once
// Password hashing (argon2id, PHC string format) and random tokens for the web UI's sessions,
// CSRF tokens and API tokens. OpenSSL's CSPRNG and SHA-256; libargon2 for passwords.

#include <cstdint>
#include <string>
#include <string_view>

namespace printmon::scanner::web {

/// argon2id cost. The defaults follow OWASP's minimum (19 MiB, 2 passes, 1 lane): about 50 ms
/// per hash here, cheap for one admin, costly for an offline guesser.
struct PasswordCost {
    std::uint32_t memory_kib = 19 * 1024;
    std::uint32_t passes = 2;
    std::uint32_t lanes = 1;
};

/// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" with a fresh 16-byte salt. Throws
/// std::runtime_error when libargon2 fails (out of memory).
std::string hash_password(std::string_view password, const PasswordCost& cost = {});

/// True when `password` matches the argon2id PHC string `encoded` (constant time inside
/// libargon2); false for any malformed or non-argon2id string.
bool verify_password(std::string_view password, const std::string& encoded);

/// Why a new password is refused, or "" when it is acceptable.
std::string password_problem(std::string_view password);

/// `bytes` random bytes from OpenSSL's CSPRNG, base64url without padding.
std::string random_token(std::size_t bytes = 32);

/// Lowercase hex SHA-256: what the database stores instead of session and API tokens.
std::string sha256_hex(std::string_view data);

/// Constant-time equality of two strings (CSRF token comparison).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace printmon::scanner::web
