#pragma once
// Scanner keys and tenant API tokens: `<kind>.<tenant_uuid>.<secret>` where <secret> is 43
// characters of base64url (32 random bytes). Kind "pmk" is a scanner key, "pmt" a tenant API
// token (docs/cloud-api.md). The tenant id inside lets lookups lead with tenant_id; only
// SHA-256(key) is stored, and only display_prefix() is ever logged.

#include <optional>
#include <string>
#include <string_view>

namespace printmon::cloud::auth {

inline constexpr std::string_view kScannerKeyKind = "pmk";
inline constexpr std::string_view kApiTokenKind = "pmt";
/// A user session from POST /api/v1/auth/login (analytics API).
inline constexpr std::string_view kSessionKind = "pms";
inline constexpr std::size_t kSecretChars = 43;

/// A syntactically valid key, split into its parts.
struct ParsedKey {
    std::string kind;       ///< "pmk", "pmt" or "pms"
    std::string tenant_id;  ///< lower-case UUID
    std::string key;        ///< the whole key as given
};

/// A new random key of `kind` for `tenant_id` (CSPRNG: OpenSSL RAND_bytes).
std::string generate_key(std::string_view kind, std::string_view tenant_id);

/// Splits a key; nullopt when it is not `<kind>.<uuid>.<43 base64url chars>` of a credential
/// kind (pmk, pmt, pms).
std::optional<ParsedKey> parse_key(std::string_view key);
/// The same for one kind only (e.g. the password reset token, "pmr", which is never a
/// credential and so is not accepted by parse_key).
std::optional<ParsedKey> parse_key_of(std::string_view kind, std::string_view key);

/// SHA-256 of the key, lower-case hex (the database stores the bytes: decode($n, 'hex')).
std::string key_hash_hex(std::string_view key);

/// "pmk.<tenant>.<first 4 secret chars>…", safe for logs and listings.
std::string display_prefix(std::string_view key);

/// The token of an `Authorization: Bearer <token>` header value; nullopt when the value is not
/// a Bearer credential.
std::optional<std::string_view> bearer_token(std::string_view authorization);

/// Constant-time comparison (for the configured admin token).
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace printmon::cloud::auth
