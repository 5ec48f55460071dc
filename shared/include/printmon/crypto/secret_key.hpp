#pragma once
// Secrets at rest: AES-256-GCM (OpenSSL) with a key kept in a file outside the database, so a
// database dump or backup alone does not hand out what the services keep for others: the
// scanner's community strings and SNMPv3 passwords, the cloud's webhook secrets and bot tokens.

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace printmon::crypto {

/// What a `secret_scheme` column says of a sealed value (both databases use it).
inline constexpr std::string_view kSealedScheme = "aes-256-gcm";

/// The 256-bit key of a service's stored secrets. Immutable once made; the bytes are wiped on
/// destruction.
class SecretKey {
  public:
    static constexpr std::size_t kBytes = 32;

    /// From raw key bytes (tests); throws std::invalid_argument unless exactly 32 bytes.
    static SecretKey from_bytes(std::string_view bytes);

    /// Reads the key file (64 hexadecimal characters, a newline allowed), or creates it as
    /// create() does when it does not exist (its folder must exist). Creation
    /// is atomic: a process that starts at the same moment on a shared folder (two replicas)
    /// reads the one key written, never a half-written file. Throws std::runtime_error naming
    /// the file and the problem. `created` tells which happened.
    static SecretKey load_or_create(const std::filesystem::path& path, bool* created = nullptr);

    /// Reads an existing key file; throws std::runtime_error naming the file and the problem
    /// (missing included).
    static SecretKey load(const std::filesystem::path& path);

    /// Makes a key file with a fresh random key (mode 0600, written whole before the name
    /// appears; run as root, owned by the owner of its folder, the service's); throws
    /// std::runtime_error when the name exists or cannot be made. For a key rotation: the new key
    /// is on disk before anything is sealed with it.
    static SecretKey create(const std::filesystem::path& path);

    SecretKey(const SecretKey& other) = default;
    SecretKey& operator=(const SecretKey& other) = default;
    ~SecretKey();

    /// A short public name of the key (16 hex characters of a hash of it), stored beside the
    /// ciphertext so a wrong key file is told apart from a damaged value.
    const std::string& id() const { return id_; }

    /// base64(12-byte random nonce | ciphertext | 16-byte tag). `aad` binds the value to where
    /// it is stored (row and column), so ciphertexts cannot be swapped between rows unnoticed.
    std::string encrypt(std::string_view plaintext, std::string_view aad) const;

    /// The plaintext, or why not (bad encoding, wrong key, damaged value). Never throws for bad
    /// input.
    tl::expected<std::string, std::string> decrypt(std::string_view sealed,
                                                   std::string_view aad) const;

  private:
    SecretKey() = default;
    std::array<unsigned char, kBytes> key_{};
    std::string id_;
};

}  // namespace printmon::crypto
