#include "storage/secret_keys.hpp"

#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "printmon/common/logging.hpp"

namespace printmon::cloud::storage {
namespace {

// Statements of the CLI and the start, each run once: exec_params, not prepared.
// Rationale: the registry row is the rotation's lock. A channel write takes it FOR SHARE
// (lock_registered_key_id), so no secret is sealed with the old key while a rotation re-seals.
constexpr const char* kLockRegistry = "SELECT key_id FROM secret_key_registry FOR UPDATE";
// Every tenant's channels: a rotation is a maintenance pass like the start's sealing; each row
// is then written with its own tenant predicate.
constexpr const char* kAllSecrets =
    "SELECT tenant_id::text, channel_id::text, secret, secret_scheme, "
    "coalesce(secret_key_id, '') FROM notification_channels WHERE secret <> '' "
    "ORDER BY tenant_id, channel_id FOR UPDATE";
constexpr const char* kResealRow =
    "UPDATE notification_channels SET secret = $3, secret_scheme = $4, secret_key_id = $5 "
    "WHERE tenant_id = $1::uuid AND channel_id = $2::uuid";
constexpr const char* kRecordKey =
    "UPDATE secret_key_registry SET key_id = $1, registered_at = now()";

}  // namespace

tl::expected<std::string, std::string> open_channel_secret(SecretKeyHolder& keys,
                                                           std::string_view tenant_id,
                                                           std::string_view channel_id,
                                                           const StoredSecret& stored) {
    auto key = keys.adopt(stored.key_id);
    if (!key) key = keys.current();  // says which key it was sealed with
    return open_channel_secret(*key, tenant_id, channel_id, stored);
}

std::string complete_pending_rotation(pqxx::connection& conn,
                                      const std::filesystem::path& key_file) {
    std::string registered;
    {
        pqxx::read_transaction tx(conn);
        registered = registered_key_id(tx);
    }
    return crypto::complete_pending_rotation(key_file, registered) ? registered : std::string();
}

RotateReport rotate_secret_key(pqxx::connection& conn, const std::filesystem::path& key_file) {
    complete_pending_rotation(conn, key_file);
    const auto old_key = crypto::SecretKey::load(key_file);
    const auto pending_path = crypto::pending_key_path(key_file);
    RotateReport report;
    report.previous_key_id = old_key.id();

    pqxx::work tx(conn);
    const auto locked = tx.exec_params(kLockRegistry);
    const auto registered = locked.empty() ? std::string() : locked[0][0].as<std::string>();
    if (registered.empty()) {
        throw SecretKeyMismatch(
            "no cloud-api has started on this database yet: nothing is sealed, so there is "
            "nothing to rotate (the first start records the key file's key)");
    }
    if (registered != old_key.id()) {
        throw SecretKeyMismatch(fmt::format(
            "the secrets key file holds key id {}, but the database records {}: a rotation "
            "starts from the database's key. Restore the key file with key id {} (or, if it "
            "is lost, run `printmon-cloud-api secrets forget-key` first).",
            old_key.id(), registered, registered));
    }
    // A .next left by a rotation that never committed: nothing is sealed with it.
    std::error_code ec;
    std::filesystem::remove(pending_path, ec);
    const auto new_key = crypto::SecretKey::create(pending_path);
    report.key_id = new_key.id();
    try {
        for (const auto& row : tx.exec_params(kAllSecrets)) {
            const auto tenant = row[0].as<std::string>();
            const auto channel = row[1].as<std::string>();
            const StoredSecret stored{row[2].as<std::string>(), row[3].as<std::string>(),
                                      row[4].as<std::string>()};
            auto plain = open_channel_secret(old_key, tenant, channel, stored);
            if (!plain) {
                // Sealed under a key lost before (forget-key): it stays to be entered again.
                ++report.unreadable;
                continue;
            }
            const auto sealed = seal_channel_secret(new_key, tenant, channel, *plain);
            tx.exec_params0(kResealRow, tenant, channel, sealed.value, sealed.scheme,
                            sealed.key_id);
            ++report.resealed;
        }
        tx.exec_params0(kRecordKey, new_key.id());
        tx.commit();
    } catch (const pqxx::in_doubt_error&) {
        // The commit may have landed: keep the new key where the next start finds it.
        throw std::runtime_error(fmt::format(
            "the database connection broke while the rotation committed; the new key is kept "
            "in {}. Run `printmon-cloud-api secrets status`: the next start of cloud-api puts it "
            "in place if the database took it.",
            pending_path.string()));
    } catch (...) {
        // Not committed: the old key stays in force and the new one was never used.
        std::filesystem::remove(pending_path, ec);
        throw;
    }
    // A cloud-api starting in between may have put it in place already (same key).
    if (std::filesystem::exists(pending_path, ec)) {
        crypto::install_key_file(pending_path, key_file);
    }
    common::get_logger("cloud.secrets")
        ->info("event=secret_key_rotated key_id={} previous_key_id={} resealed={} unreadable={}",
               report.key_id, report.previous_key_id, report.resealed, report.unreadable);
    return report;
}

}  // namespace printmon::cloud::storage
