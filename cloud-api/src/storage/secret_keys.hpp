#pragma once
// cloud-api's secrets key in a running process and its planned rotation
// (`printmon-cloud-api secrets rotate`, which replaces the key while the replicas run): the
// steps and the key files are printmon/crypto/key_rotation.hpp's; what is cloud-api's is the
// record of the key (secret_key_registry, V0024) and the channel secrets it re-seals
// (storage/secrets.hpp).

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <pqxx/connection>
#include <tl/expected.hpp>

#include "printmon/crypto/key_rotation.hpp"
#include "storage/secrets.hpp"

namespace printmon::cloud::storage {

using crypto::SecretKeyHolder;

/// open_channel_secret (secrets.hpp) with the key the value was sealed with: the current one,
/// or the key file's after a rotation this process has not met yet.
tl::expected<std::string, std::string> open_channel_secret(SecretKeyHolder& keys,
                                                           std::string_view tenant_id,
                                                           std::string_view channel_id,
                                                           const StoredSecret& stored);

/// crypto::complete_pending_rotation with the key the database records: finishes a rotation
/// that committed but did not put its key file in place. Returns the key id put in place, or ""
/// when there was nothing to finish.
std::string complete_pending_rotation(pqxx::connection& conn,
                                      const std::filesystem::path& key_file);

/// What `secrets rotate` did.
struct RotateReport {
    std::string previous_key_id;
    std::string key_id;          ///< the new key, now in the key file and the database
    std::size_t resealed = 0;    ///< channel secrets sealed under the new key
    std::size_t unreadable = 0;  ///< sealed under neither key: still to be entered again
};

/// Replaces the key of `key_file` with a fresh one and re-seals every channel secret under it
/// (the steps of key_rotation.hpp). Throws SecretKeyMismatch when the key file is not the key the
/// database records (restore it, or `forget-key`), std::runtime_error on file errors.
RotateReport rotate_secret_key(pqxx::connection& conn, const std::filesystem::path& key_file);

}  // namespace printmon::cloud::storage
