#pragma once
// The small cryptographic helpers every executable needs, in one place: digests, random
// tokens, base64url, constant-time comparison and argon2id password hashes. Thin wrappers over
// OpenSSL and libargon2; nothing here invents cryptography.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace printmon::crypto {

/// Lower-case hex of `size` bytes.
std::string hex(const unsigned char* data, std::size_t size);

/// SHA-256 of `data` as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

/// HMAC-SHA256 of `data` under `key` as 64 lower-case hex digits (webhook signatures).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

/// `n` bytes from OpenSSL's CSPRNG. Throws std::runtime_error when it fails.
std::vector<unsigned char> random_bytes(std::size_t n);

/// RFC 4648 §5 base64url without padding.
std::string base64url(const unsigned char* data, std::size_t size);
inline std::string base64url(const std::vector<unsigned char>& bytes) {
    return base64url(bytes.data(), bytes.size());
}
/// True when every character is of the base64url alphabet (no padding).
bool is_base64url(std::string_view text);

/// base64url of `bytes` random bytes: session ids, API token secrets, CSRF seeds.
std::string random_token(std::size_t bytes = 32);

/// Compares secrets in time independent of where they differ (lengths are not secret).
bool constant_time_equal(std::string_view a, std::string_view b);

/// argon2id cost. The defaults are OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): about
/// 30-50 ms per hash here, fast enough for a login, costly for an offline guesser. The encoded
/// hash carries its parameters, so they can be raised later without a migration.
struct Argon2Cost {
    std::uint32_t passes = 2;
    std::uint32_t memory_kib = 19 * 1024;
    std::uint32_t lanes = 1;
};

/// Encoded argon2id hash ("$argon2id$v=19$m=...") with a fresh 16-byte salt, 32-byte tag.
/// Throws std::runtime_error when libargon2 refuses the parameters.
std::string argon2id_hash(std::string_view password, const Argon2Cost& cost);

/// True when `encoded` is an argon2id hash of `password`; false for anything else (another
/// algorithm's hash, garbage, an empty string).
bool argon2id_verify(const std::string& encoded, std::string_view password);

/// The one password rule of every printmon sign-in (the scanner's admin, the cloud console's
/// users), in characters (code points): a Cyrillic password of 5 letters is 10 bytes but far
/// weaker. 10 is above NIST SP 800-63B's floor of 8 because nothing else (no second factor, no
/// breached-password list) stands behind these accounts; 256 keeps a login body small, since
/// argon2 would hash megabytes happily. Existing passwords are not re-checked: a rule applies
/// when a password is set.
inline constexpr std::size_t kMinPasswordChars = 10;
inline constexpr std::size_t kMaxPasswordChars = 256;

/// What is wrong with a new password under that rule; callers word it for their users.
enum class PasswordProblem { none, not_utf8, too_short, too_long };
/// Counts code points (printmon::proto's UTF-8 reading); invalid UTF-8 is its own problem.
PasswordProblem password_problem(std::string_view password);

}  // namespace printmon::crypto
