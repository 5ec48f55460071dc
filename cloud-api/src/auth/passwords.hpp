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

/// The shared rule (printmon::crypto, the scanner's too).
using crypto::kMaxPasswordChars;
using crypto::kMinPasswordChars;

/// Hashes with a fresh 16-byte random salt. Throws std::runtime_error if libargon2 fails.
std::string hash_password(std::string_view password, const PasswordParams& params = {});

/// Whether `password` matches the encoded hash; false for a malformed hash.
bool verify_password(const std::string& encoded, std::string_view password);

}  // namespace printmon::cloud::auth
