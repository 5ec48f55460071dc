#pragma once
// SNMP secrets at rest: sealed with the scanner's key (printmon/crypto/secret_key.hpp), kept in
// a file outside the database ([secrets] key_file).

#include <filesystem>
#include <memory>
#include <string_view>

#include "printmon/crypto/key_rotation.hpp"
#include "printmon/crypto/secret_key.hpp"

namespace printmon::scanner::storage {

using crypto::SecretKey;
using crypto::SecretKeyHolder;

/// A holder of `key` alone, with no key file to take a rotated key from (tests, tools).
inline std::shared_ptr<SecretKeyHolder> fixed_key(const SecretKey& key) {
    return std::make_shared<SecretKeyHolder>(std::filesystem::path(), key);
}

/// What `credentials.secret_scheme` says of an encrypted row.
inline constexpr std::string_view kSecretScheme = crypto::kSealedScheme;

}  // namespace printmon::scanner::storage
