#include "auth/keys.hpp"

#include <cctype>

#include "printmon/crypto/crypto.hpp"
#include "printmon/proto/uuid.hpp"

namespace printmon::cloud::auth {

std::string generate_key(std::string_view kind, std::string_view tenant_id) {
    std::string key(kind);
    key += '.';
    key += tenant_id;
    key += '.';
    key += crypto::random_token(32);
    return key;
}

namespace {

// `<kind>.<uuid>.<43 base64url chars>` of any kind.
std::optional<ParsedKey> split_key(std::string_view key) {
    const auto first = key.find('.');
    if (first == std::string_view::npos) return std::nullopt;
    const auto second = key.find('.', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    const auto tenant = key.substr(first + 1, second - first - 1);
    const auto secret = key.substr(second + 1);
    if (!proto::is_uuid(tenant)) return std::nullopt;
    if (secret.size() != kSecretChars || !crypto::is_base64url(secret)) return std::nullopt;
    return ParsedKey{std::string(key.substr(0, first)), std::string(tenant), std::string(key)};
}

}  // namespace

std::optional<ParsedKey> parse_key(std::string_view key) {
    auto parsed = split_key(key);
    if (!parsed || (parsed->kind != kScannerKeyKind && parsed->kind != kApiTokenKind &&
                    parsed->kind != kSessionKind)) {
        return std::nullopt;
    }
    return parsed;
}

std::optional<ParsedKey> parse_key_of(std::string_view kind, std::string_view key) {
    auto parsed = split_key(key);
    if (!parsed || parsed->kind != kind) return std::nullopt;
    return parsed;
}

std::string key_hash_hex(std::string_view key) { return crypto::sha256_hex(key); }

std::string display_prefix(std::string_view key) {
    const auto second = key.find('.', key.find('.') + 1);
    if (second == std::string_view::npos) return "<malformed>";
    return std::string(key.substr(0, std::min(key.size(), second + 5))) + "\u2026";
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
    constexpr std::string_view kScheme = "bearer";
    if (authorization.size() <= kScheme.size()) return std::nullopt;
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) {
            return std::nullopt;
        }
    }
    auto rest = authorization.substr(kScheme.size());
    if (rest.front() != ' ') return std::nullopt;
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
    if (rest.empty()) return std::nullopt;
    return rest;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
    // Compare digests: equal length, so CRYPTO_memcmp's time does not depend on where the
    // inputs differ nor reveal the length of the configured token.
    const std::string ha = key_hash_hex(a);
    const std::string hb = key_hash_hex(b);
    return crypto::constant_time_equal(ha, hb);
}

}  // namespace printmon::cloud::auth
