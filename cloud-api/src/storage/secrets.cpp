#include "storage/secrets.hpp"

#include <fmt/format.h>
#include <pqxx/pqxx>

namespace printmon::cloud::storage {
namespace {

constexpr std::string_view kPlain = "plain";

// Statements of the start (and the CLI), each run once: exec_params, not prepared.
constexpr const char* kRegisterKey =
    "INSERT INTO secret_key_registry (key_id) VALUES ($1) ON CONFLICT (singleton) DO NOTHING";
constexpr const char* kRegisteredKey = "SELECT key_id FROM secret_key_registry";
constexpr const char* kShareRegisteredKey = "SELECT key_id FROM secret_key_registry FOR SHARE";
// How the channel secrets are stored, relative to key id $1: sealed with it, with another
// key, not sealed yet.
constexpr const char* kCounts =
    "SELECT count(*) FILTER (WHERE secret_scheme <> 'plain' AND secret_key_id = $1), "
    "count(*) FILTER (WHERE secret_scheme <> 'plain' AND secret_key_id <> $1), "
    "count(*) FILTER (WHERE secret_scheme = 'plain') "
    "FROM notification_channels WHERE secret <> ''";
constexpr const char* kReplaceKey =
    "INSERT INTO secret_key_registry (key_id) VALUES ($1) ON CONFLICT (singleton) "
    "DO UPDATE SET key_id = EXCLUDED.key_id, registered_at = now()";
// Rationale: a maintenance pass over every tenant (like the sender's due-tenant scan); each
// row is then written with its own tenant predicate.
constexpr const char* kPlainSecrets =
    "SELECT tenant_id::text, channel_id::text, secret FROM notification_channels "
    "WHERE secret_scheme = 'plain' AND secret <> '' ORDER BY tenant_id, channel_id FOR UPDATE";
constexpr const char* kSealRow =
    "UPDATE notification_channels SET secret = $3, secret_scheme = $4, secret_key_id = $5 "
    "WHERE tenant_id = $1::uuid AND channel_id = $2::uuid AND secret_scheme = 'plain'";

/// Binds a sealed value to its row: the same ciphertext does not open as another channel's.
std::string aad(std::string_view tenant_id, std::string_view channel_id) {
    return fmt::format("notification_channels.secret:{}/{}", tenant_id, channel_id);
}

}  // namespace

StoredSecret seal_channel_secret(const crypto::SecretKey& key, std::string_view tenant_id,
                                 std::string_view channel_id, std::string_view plaintext) {
    if (plaintext.empty()) return {std::string(), std::string(kPlain), std::string()};
    return {key.encrypt(plaintext, aad(tenant_id, channel_id)), std::string(crypto::kSealedScheme),
            key.id()};
}

tl::expected<std::string, std::string> open_channel_secret(const crypto::SecretKey& key,
                                                           std::string_view tenant_id,
                                                           std::string_view channel_id,
                                                           const StoredSecret& stored) {
    if (stored.value.empty() || stored.scheme == kPlain) return stored.value;
    if (stored.scheme != crypto::kSealedScheme) {
        return tl::make_unexpected(fmt::format("unknown secret scheme '{}'", stored.scheme));
    }
    if (stored.key_id != key.id()) {
        return tl::make_unexpected(fmt::format(
            "the channel's secret was sealed with another key (key id {}; this cloud-api has "
            "{}): enter it again",
            stored.key_id, key.id()));
    }
    auto plain = key.decrypt(stored.value, aad(tenant_id, channel_id));
    if (!plain) {
        return tl::make_unexpected("the channel's secret cannot be opened: " + plain.error());
    }
    return plain;
}

void claim_secret_key(pqxx::connection& conn, const crypto::SecretKey& key) {
    pqxx::work tx(conn);
    tx.exec_params0(kRegisterKey, key.id());
    const auto registered = registered_key_id(tx);
    if (registered == key.id()) {
        tx.commit();
        return;
    }
    const auto sealed = tx.exec_params1(kCounts, registered)[0].as<long long>();
    throw SecretKeyMismatch(fmt::format(
        "the secrets key file holds key id {}, but this database's channel secrets are sealed "
        "with key id {} ({} channel(s)). Give every cloud-api the same key file ([secrets] "
        "key_file): restore the file with key id {}. If it is lost, run `printmon-cloud-api "
        "secrets forget-key` to use this one; those channels' secrets must then be entered "
        "again.",
        key.id(), registered, sealed, registered));
}

std::size_t seal_plaintext_channel_secrets(pqxx::connection& conn, const crypto::SecretKey& key) {
    pqxx::work tx(conn);
    std::size_t sealed = 0;
    // A rotation since this key was claimed sealed them under its own key already.
    if (lock_registered_key_id(tx) != key.id()) return 0;
    for (const auto& row : tx.exec_params(kPlainSecrets)) {
        const auto tenant = row[0].as<std::string>();
        const auto channel = row[1].as<std::string>();
        const auto s = seal_channel_secret(key, tenant, channel, row[2].as<std::string>());
        sealed +=
            tx.exec_params0(kSealRow, tenant, channel, s.value, s.scheme, s.key_id).affected_rows();
    }
    tx.commit();
    return sealed;
}

std::string registered_key_id(pqxx::transaction_base& tx) {
    const auto r = tx.exec_params(kRegisteredKey);
    return r.empty() ? std::string() : r[0][0].as<std::string>();
}

std::string lock_registered_key_id(pqxx::transaction_base& tx) {
    const auto r = tx.exec_params(kShareRegisteredKey);
    return r.empty() ? std::string() : r[0][0].as<std::string>();
}

SecretStatus secret_status(pqxx::connection& conn, const std::string& key_id) {
    pqxx::read_transaction tx(conn);
    SecretStatus st;
    st.registered_key_id = registered_key_id(tx);
    const auto row = tx.exec_params1(kCounts, key_id);
    st.sealed_with_key = row[0].as<long long>();
    st.sealed_with_other = row[1].as<long long>();
    st.plain = row[2].as<long long>();
    return st;
}

ForgetReport forget_secret_key(pqxx::connection& conn, const crypto::SecretKey& key) {
    pqxx::work tx(conn);
    ForgetReport report;
    report.previous_key_id = registered_key_id(tx);
    tx.exec_params0(kReplaceKey, key.id());
    report.unreadable_channels =
        static_cast<std::size_t>(tx.exec_params1(kCounts, key.id())[1].as<long long>());
    tx.commit();
    return report;
}

}  // namespace printmon::cloud::storage
