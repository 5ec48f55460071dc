#pragma once
// The life of cloud-api's secrets key (the key file of [secrets] key_file): the key a running
// process holds, and a planned rotation (`printmon-cloud-api secrets rotate`) that replaces the
// key while the replicas run. The rows it seals are storage/secrets.hpp's.
//
// A rotation, crash-safe in this order:
//   1. with the database's key record locked, a fresh key is written beside the key file
//      (<key_file>.next), whole, before anything is sealed with it;
//   2. one transaction re-seals every channel secret under it and records its id;
//   3. <key_file>.next is renamed over the key file.
// A crash before 2's commit leaves the old key in force (the stale .next is replaced by the next
// rotation); a crash between 2 and 3 is finished by the next start of any cloud-api
// (complete_pending_rotation), so the key the database names is never lost.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <pqxx/connection>
#include <tl/expected.hpp>

#include "printmon/crypto/secret_key.hpp"
#include "storage/secrets.hpp"

namespace printmon::cloud::storage {

/// The key this process seals and opens channel secrets with. After a rotation the process
/// meets the new key's id (in the database's record or on a sealed value) and adopts the key
/// from its key file, so replicas that share the file need no restart. Thread-safe.
class SecretKeyHolder {
  public:
    SecretKeyHolder(std::filesystem::path file, const crypto::SecretKey& key);

    /// The key in use now.
    std::shared_ptr<const crypto::SecretKey> current() const;

    /// The key with id `key_id`: the current one, or the key file's when it now holds that key
    /// (it is then current). nullptr when neither has it: the file here is another key (not
    /// copied to this host yet, or lost). Never throws; an unreadable file counts as neither.
    std::shared_ptr<const crypto::SecretKey> adopt(const std::string& key_id);

    const std::filesystem::path& file() const { return file_; }

  private:
    std::filesystem::path file_;
    mutable std::mutex mutex_;
    std::shared_ptr<const crypto::SecretKey> key_;
};

/// open_channel_secret (secrets.hpp) with the key the value was sealed with: the current one,
/// or the key file's after a rotation this process has not met yet.
tl::expected<std::string, std::string> open_channel_secret(SecretKeyHolder& keys,
                                                           std::string_view tenant_id,
                                                           std::string_view channel_id,
                                                           const StoredSecret& stored);

/// Where a rotation writes the new key before it is in force.
std::filesystem::path pending_key_path(const std::filesystem::path& key_file);

/// Finishes a rotation that committed but did not put its key file in place (a crash between
/// its steps 2 and 3): when <key_file>.next holds the key the database records and the key file
/// does not, the .next file becomes the key file. Returns the key id put in place, or "" when
/// there was nothing to finish. Leaves a .next of an uncommitted rotation alone (one may be
/// running now).
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
/// (see the steps above). Throws SecretKeyMismatch when the key file is not the key the
/// database records (restore it, or `forget-key`), std::runtime_error on file errors.
RotateReport rotate_secret_key(pqxx::connection& conn, const std::filesystem::path& key_file);

}  // namespace printmon::cloud::storage
