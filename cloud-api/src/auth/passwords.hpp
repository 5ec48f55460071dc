#pragma once
// User passwords: argon2id (libargon2) in the PHC encoded form "$argon2id$v=19$m=...,t=...,p=...$
// salt$hash", so the parameters travel with each hash and can be raised later without a
// migration.

#include <string>
#include <string_view>

#include "printmon/crypto/crypto.hpp"

namespace printmon::cloud::auth {

/// argon2id cost: printmon::crypto's defaults (OWASP's minimum), shared with the scanner.
using PasswordParams = crypto::Argon2Cost;

/// Passwords shorter than this are refused (NIST SP 800-63B's minimum).
inline constexpr std::size_t kMinPasswordChars = 8;
/// Longer ones too: argon2 would hash megabytes happily, a login body should not carry them.
inline constexpr std::size_t kMaxPasswordChars = 256;

/// Hashes with a fresh 16-byte random salt. Throws std::runtime_error if libargon2 fails.
std::string hash_password(std::string_view password, const PasswordParams& params = {});

/// Whether `password` matches the encoded hash; false for a malformed hash.
bool verify_password(const std::string& encoded, std::string_view password);

}  // namespace printmon::cloud::auth
