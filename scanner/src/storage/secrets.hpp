#pragma once
// SNMP secrets at rest: sealed with the scanner's key (printmon/crypto/secret_key.hpp), kept in
// a file outside the database ([secrets] key_file).

#include <string_view>

#include "printmon/crypto/secret_key.hpp"

namespace printmon::scanner::storage {

using crypto::SecretKey;

/// What `credentials.secret_scheme` says of an encrypted row.
inline constexpr std::string_view kSecretScheme = crypto::kSealedScheme;

}  // namespace printmon::scanner::storage
