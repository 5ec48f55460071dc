#pragma once
// Channel secrets at rest (V0024): webhook signing secrets and Telegram bot tokens sealed with
// the key in cloud-api's key file ([secrets] key_file), so a database dump or backup does not
// hand them out. Every replica must hold the same key: the database records which one
// (secret_key_registry) and a replica with another refuses to start.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <tl/expected.hpp>

#include "printmon/crypto/secret_key.hpp"

namespace printmon::cloud::storage {

/// A channel's secret as stored: the value and what `secret_scheme`/`secret_key_id` say of it.
struct StoredSecret {
    std::string value;   ///< "" (no secret), the plaintext ('plain'), or the sealed value
    std::string scheme;  ///< "plain" or crypto::kSealedScheme
    std::string key_id;  ///< the sealing key's id ("" when plain)
};

/// The secret sealed for channel (tenant_id, channel_id); an empty one stays empty and plain.
StoredSecret seal_channel_secret(const crypto::SecretKey& key, std::string_view tenant_id,
                                 std::string_view channel_id, std::string_view plaintext);

/// The plaintext of a stored channel secret, or why it cannot be had (sealed under another
/// key, damaged, bound to another channel). Never throws for bad input; the message never
/// contains the secret.
tl::expected<std::string, std::string> open_channel_secret(const crypto::SecretKey& key,
                                                           std::string_view tenant_id,
                                                           std::string_view channel_id,
                                                           const StoredSecret& stored);

/// Thrown when the key file is not the key the database's secrets are sealed with.
class SecretKeyMismatch : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The key id the database records ("" before any cloud-api started with a key).
std::string registered_key_id(pqxx::transaction_base& tx);

/// The same, holding the record FOR SHARE until `tx` ends: a channel write that seals with this
/// key cannot interleave with a rotation that re-seals every secret (secret_keys.hpp).
std::string lock_registered_key_id(pqxx::transaction_base& tx);

/// Records `key` as the database's key when none is, and checks it otherwise: throws
/// SecretKeyMismatch (with what to do) when another key is recorded. Call before serving.
void claim_secret_key(pqxx::connection& conn, const crypto::SecretKey& key);

/// Seals every channel secret still stored in plain text (rows from before V0024); returns how
/// many. Idempotent; safe while other replicas run (row locks, one transaction); none when the
/// database records another key by now (a rotation, which seals them itself).
std::size_t seal_plaintext_channel_secrets(pqxx::connection& conn, const crypto::SecretKey& key);

/// What `secrets status` shows: the recorded key and how the channel secrets are stored.
struct SecretStatus {
    std::string registered_key_id;    ///< "" when no cloud-api has started with a key yet
    long long sealed_with_key = 0;    ///< sealed with the given key id
    long long sealed_with_other = 0;  ///< sealed with any other key (unreadable with this one)
    long long plain = 0;              ///< not sealed yet (sealed at the next start)
};
SecretStatus secret_status(pqxx::connection& conn, const std::string& key_id);

/// What `secrets forget-key` did: the key replaced in the registry, and the channels whose
/// secrets were sealed under another key (they must be entered again).
struct ForgetReport {
    std::string previous_key_id;  ///< "" when none was recorded
    std::size_t unreadable_channels = 0;
};

/// Records `key` as the database's key whatever was recorded before: for a lost key file.
/// Channel secrets sealed under the old key stay unreadable (the API shows them as such).
ForgetReport forget_secret_key(pqxx::connection& conn, const crypto::SecretKey& key);

}  // namespace printmon::cloud::storage
