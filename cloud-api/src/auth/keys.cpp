#include "auth/keys.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <cctype>
#include <stdexcept>

#include "printmon/db/migrator.hpp"
#include "printmon/proto/uuid.hpp"

namespace printmon::cloud::auth {
namespace {

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const unsigned char* data, std::size_t size) {
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const unsigned v = (unsigned{data[i]} << 16) | (unsigned{data[i + 1]} << 8) | data[i + 2];
        out += kBase64Url[(v >> 18) & 63];
        out += kBase64Url[(v >> 12) & 63];
        out += kBase64Url[(v >> 6) & 63];
        out += kBase64Url[v & 63];
    }
    if (size - i == 1) {
        const unsigned v = unsigned{data[i]} << 16;
        out += kBase64Url[(v >> 18) & 63];
        out += kBase64Url[(v >> 12) & 63];
    } else if (size - i == 2) {
        const unsigned v = (unsigned{data[i]} << 16) | (unsigned{data[i + 1]} << 8);
        out += kBase64Url[(v >> 18) & 63];
        out += kBase64Url[(v >> 12) & 63];
        out += kBase64Url[(v >> 6) & 63];
    }
    return out;
}

bool is_base64url(std::string_view text) {
    for (const char c : text) {
        if (kBase64Url.find(c) == std::string_view::npos) return false;
    }
    return true;
}

}  // namespace

std::string generate_key(std::string_view kind, std::string_view tenant_id) {
    std::array<unsigned char, 32> secret{};
    if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    std::string key(kind);
    key += '.';
    key += tenant_id;
    key += '.';
    key += base64url(secret.data(), secret.size());
    return key;
}

std::optional<ParsedKey> parse_key(std::string_view key) {
    const auto first = key.find('.');
    if (first == std::string_view::npos) return std::nullopt;
    const auto second = key.find('.', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    const auto kind = key.substr(0, first);
    const auto tenant = key.substr(first + 1, second - first - 1);
    const auto secret = key.substr(second + 1);
    if (kind != kScannerKeyKind && kind != kApiTokenKind && kind != kSessionKind) {
        return std::nullopt;
    }
    if (!proto::is_uuid(tenant)) return std::nullopt;
    if (secret.size() != kSecretChars || !is_base64url(secret)) return std::nullopt;
    return ParsedKey{std::string(kind), std::string(tenant), std::string(key)};
}

std::string key_hash_hex(std::string_view key) { return db::sha256_hex(std::string(key)); }

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
    return CRYPTO_memcmp(ha.data(), hb.data(), ha.size()) == 0;
}

}  // namespace printmon::cloud::auth
