#pragma once
// A planned rotation of a service's secrets key (cloud-api: channel secrets; scanner: SNMP
// credentials), the parts that do not depend on the database: the key a running process holds
// and takes up after a rotation, and the key files. Each service re-seals its own rows.
//
// A rotation, crash-safe in this order:
//   1. with the database's record of the key locked, a fresh key is written beside the key
//      file (<key_file>.next), whole, before anything is sealed with it;
//   2. one transaction re-seals every secret under it and records its id;
//   3. <key_file>.next is renamed over the key file (install_key_file).
// A crash before 2's commit leaves the old key in force (the stale .next is replaced by the next
// rotation); a crash between 2 and 3 is finished by the next start (complete_pending_rotation),
// so the key the database names is never lost.

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "printmon/crypto/secret_key.hpp"

namespace printmon::crypto {

/// The key a process seals and opens secrets with. After a rotation the process meets the new
/// key's id (in the database's record or on a sealed value) and adopts the key from its key
/// file, so processes that share the file need no restart. Thread-safe.
class SecretKeyHolder {
  public:
    /// `file` is where `key` came from (empty: nothing to adopt from, as in tests).
    SecretKeyHolder(std::filesystem::path file, const SecretKey& key);

    /// The key in use now.
    std::shared_ptr<const SecretKey> current() const;

    /// The key with id `key_id`: the current one, or the key file's when it now holds that key
    /// (it is then current). nullptr when neither has it: the file here is another key (not
    /// copied to this host yet, or lost). Never throws; an unreadable file counts as neither.
    std::shared_ptr<const SecretKey> adopt(const std::string& key_id);

    const std::filesystem::path& file() const { return file_; }

  private:
    std::filesystem::path file_;
    mutable std::mutex mutex_;
    std::shared_ptr<const SecretKey> key_;
};

/// Where a rotation writes the new key before it is in force: <key_file>.next.
std::filesystem::path pending_key_path(const std::filesystem::path& key_file);

/// Renames `from` over `to` and syncs the folder (step 3). Throws std::runtime_error.
void install_key_file(const std::filesystem::path& from, const std::filesystem::path& to);

/// Finishes a rotation that committed but did not put its key file in place: when
/// <key_file>.next holds `registered_key_id` (the key the database records) and the key file
/// does not, .next becomes the key file; returns true then. Leaves a .next of an uncommitted
/// rotation alone (one may be running now).
bool complete_pending_rotation(const std::filesystem::path& key_file,
                               const std::string& registered_key_id);

}  // namespace printmon::crypto
