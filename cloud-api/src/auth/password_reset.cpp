#include "auth/password_reset.hpp"

#include <algorithm>
#include <cctype>

#include <pqxx/except>
#include <pqxx/result>

#include "alerts/outbox.hpp"
#include "alerts/render.hpp"
#include "auth/accounts.hpp"
#include "auth/keys.hpp"
#include "printmon/common/logging.hpp"

namespace printmon::cloud::auth {
namespace {

// Rationale: like the sign-in by e-mail alone (accounts_by_email), this finds the address's
// accounts in every tenant (users_login_email, V0007), so it has no tenant predicate; capped.
// The user's own language (V0020) and the language an e-mail channel of the tenant with the
// same address was given (the recipient's choice for alert e-mails) come along, "" when none.
constexpr const char* kResetAccounts = "reset_accounts";
constexpr const char* kResetAccountsSql =
    "SELECT u.tenant_id::text, t.name, u.user_id::text, u.email, "
    "coalesce((SELECT c.language FROM notification_channels c WHERE c.tenant_id = u.tenant_id "
    " AND c.kind = 'email' AND c.enabled AND lower(c.address) = lower(u.email) "
    " ORDER BY c.created_at, c.channel_id LIMIT 1), ''), coalesce(u.language, '') "
    "FROM users u JOIN tenants t USING (tenant_id) "
    "WHERE lower(u.email) = lower($1) AND u.disabled_at IS NULL "
    "ORDER BY t.name, u.tenant_id LIMIT 20";

// Rows a day past their expiry go (the tenant's own, at its next request).
constexpr const char* kResetPrune = "reset_prune";
constexpr const char* kResetPruneSql =
    "DELETE FROM password_resets WHERE tenant_id = $1::uuid "
    "AND expires_at < now() - interval '1 day'";

constexpr const char* kResetInsert = "reset_insert";
constexpr const char* kResetInsertSql =
    "INSERT INTO password_resets (tenant_id, token_hash, user_id, expires_at) "
    "VALUES ($1::uuid, decode($2, 'hex'), $3::uuid, now() + make_interval(secs => $4::integer))";

// FOR UPDATE: two confirmations of one token queue here; the second sees it spent.
constexpr const char* kResetLookup = "reset_lookup";
constexpr const char* kResetLookupSql =
    "SELECT r.user_id::text, u.email, r.used_at IS NOT NULL, "
    "r.revoked_at IS NOT NULL OR r.expires_at <= now(), u.disabled_at IS NOT NULL "
    "FROM password_resets r JOIN users u ON u.tenant_id = r.tenant_id AND u.user_id = r.user_id "
    "WHERE r.tenant_id = $1::uuid AND r.token_hash = decode($2, 'hex') FOR UPDATE OF r";

constexpr const char* kResetSpend = "reset_spend";
constexpr const char* kResetSpendSql =
    "UPDATE password_resets SET used_at = now() "
    "WHERE tenant_id = $1::uuid AND token_hash = decode($2, 'hex')";

constexpr const char* kResetQueue = "reset_queue";
constexpr const char* kResetQueueSql =
    "INSERT INTO password_reset_requests (email, language, accept_language) VALUES ($1, $2, $3)";
constexpr const char* kResetQueueClaim = "reset_queue_claim";
constexpr const char* kResetQueueClaimSql =
    "SELECT request_id, email, language, accept_language, "
    "requested_at < now() - interval '1 day' FROM password_reset_requests "
    "ORDER BY request_id LIMIT $1 FOR UPDATE SKIP LOCKED";
constexpr const char* kResetQueueDone = "reset_queue_done";
constexpr const char* kResetQueueDoneSql =
    "DELETE FROM password_reset_requests WHERE request_id = $1";

bool known_language(const std::string& language) { return language == "en" || language == "ru"; }

}  // namespace

void prepare_password_reset_statements(pqxx::connection& conn) {
    conn.prepare(kResetAccounts, kResetAccountsSql);
    conn.prepare(kResetPrune, kResetPruneSql);
    conn.prepare(kResetInsert, kResetInsertSql);
    conn.prepare(kResetLookup, kResetLookupSql);
    conn.prepare(kResetSpend, kResetSpendSql);
    conn.prepare(kResetQueue, kResetQueueSql);
    conn.prepare(kResetQueueClaim, kResetQueueClaimSql);
    conn.prepare(kResetQueueDone, kResetQueueDoneSql);
}

void prepare_password_reset_processing(pqxx::connection& conn) {
    prepare_password_reset_statements(conn);
    prepare_account_statements(conn);
    alerts::prepare_outbox_statements(conn);
}

void queue_password_reset(pqxx::work& tx, const ResetRequest& request) {
    tx.exec_prepared0(kResetQueue, request.email, request.language, request.accept_language);
}

std::vector<ResetIssued> process_password_reset_requests(pqxx::connection& conn,
                                                         const std::string& public_url,
                                                         std::chrono::seconds ttl, int limit) {
    auto log = common::get_logger("cloud.api");
    std::vector<ResetIssued> issued;
    for (int i = 0; i < limit; ++i) {
        pqxx::work tx(conn);
        const auto claimed = tx.exec_prepared(kResetQueueClaim, 1);
        if (claimed.empty()) break;
        const auto id = claimed[0][0].as<long long>();
        try {
            if (claimed[0][4].as<bool>()) {
                log->warn("event=password_reset_dropped reason=\"queued for over a day\"");
            } else {
                ResetRequest request;
                request.email = claimed[0][1].as<std::string>();
                request.language = claimed[0][2].as<std::string>();
                request.accept_language = claimed[0][3].as<std::string>();
                request.public_url = public_url;
                request.ttl = ttl;
                const auto links = request_password_reset(tx, request);
                for (const auto& one : links) {
                    log->info("event=password_reset_requested tenant={} user={} message={}",
                              one.tenant_id, one.user_id, one.notification_id);
                }
                if (links.empty()) log->info("event=password_reset_requested accounts=0");
                issued.insert(issued.end(), links.begin(), links.end());
            }
            tx.exec_prepared0(kResetQueueDone, id);
            tx.commit();
        } catch (const pqxx::sql_error& e) {
            // Refused by the database (not a lost connection, which propagates and is retried):
            // this request would fail again at every poll and hold up the others.
            tx.abort();
            pqxx::work drop(conn);
            drop.exec_prepared0(kResetQueueDone, id);
            drop.commit();
            log->warn("event=password_reset_dropped reason=\"refused by the database\" error={}",
                      common::log_value(e.what()));
        }
    }
    return issued;
}

std::vector<ResetIssued> request_password_reset(pqxx::work& tx, const ResetRequest& request) {
    std::vector<ResetIssued> issued;
    if (request.public_url.empty()) return issued;
    const long long minutes = std::max<long long>(1, (request.ttl.count() + 59) / 60);
    for (const pqxx::row row : tx.exec_prepared(kResetAccounts, request.email)) {
        ResetIssued one;
        one.tenant_id = row[0].as<std::string>();
        one.user_id = row[2].as<std::string>();
        const auto tenant_name = row[1].as<std::string>();
        const auto address = row[3].as<std::string>();
        const auto channel_language = row[4].as<std::string>();
        const auto user_language = row[5].as<std::string>();
        // The page the person asked from first (they read it now), then their own choice.
        std::string language = "en";
        if (known_language(request.language)) {
            language = request.language;
        } else if (known_language(user_language)) {
            language = user_language;
        } else if (known_language(channel_language)) {
            language = channel_language;
        } else if (known_language(request.accept_language)) {
            language = request.accept_language;
        }
        const std::string token = generate_key(kResetTokenKind, one.tenant_id);
        tx.exec_prepared0(kResetPrune, one.tenant_id);
        cancel_reset_links(tx, one.tenant_id, one.user_id);
        tx.exec_prepared0(kResetInsert, one.tenant_id, key_hash_hex(token), one.user_id,
                          static_cast<int>(request.ttl.count()));
        alerts::PersonalEmail mail;
        mail.tenant_id = one.tenant_id;
        mail.recipient = address;
        mail.event = "password_reset";
        mail.dedup_key = "password_reset:" + one.user_id;
        mail.text = alerts::render_password_reset_email(
            address, tenant_name, request.public_url + "/#/reset?token=" + token, minutes,
            language);
        one.notification_id = alerts::queue_personal_email(tx, mail);
        issued.push_back(std::move(one));
    }
    return issued;
}

alerts::Sender::PreStep password_reset_step(std::string public_url, std::chrono::seconds ttl) {
    return {prepare_password_reset_processing,
            [url = std::move(public_url), ttl](pqxx::connection& conn) {
                process_password_reset_requests(conn, url, ttl, 20);
            }};
}

ResetConfirmation confirm_password_reset(pqxx::work& tx, std::string_view token,
                                         const std::string& password) {
    using Code = ResetConfirmation::Code;
    ResetConfirmation out;
    const auto parsed = parse_key_of(kResetTokenKind, token);
    if (!parsed) {
        out.message = "the reset link is not valid";
        return out;
    }
    out.tenant_id = parsed->tenant_id;
    const std::string hash = key_hash_hex(token);
    const auto r = tx.exec_prepared(kResetLookup, out.tenant_id, hash);
    if (r.empty() || r[0][4].as<bool>()) {
        out.message = "the reset link is not valid";
        return out;
    }
    out.user_id = r[0][0].as<std::string>();
    out.email = r[0][1].as<std::string>();
    if (r[0][2].as<bool>()) {
        out.code = Code::used;
        out.message = "the reset link has been used already; ask for a new one";
        return out;
    }
    if (r[0][3].as<bool>()) {
        out.code = Code::expired;
        out.message = "the reset link has expired; ask for a new one";
        return out;
    }
    // Checks the password first and changes nothing when it is refused: the link still works.
    if (auto done = reset_password(tx, out.tenant_id, out.user_id, password); !done) {
        const bool policy = done.error().code == common::ErrorCode::kInvalidArgument;
        out.code = policy ? Code::invalid_password : Code::invalid_token;
        out.message = policy ? done.error().message : "the reset link is not valid";
        return out;
    }
    // reset_password cancelled the user's other links (and this one, which is marked used:
    // a second try answers "used", checked before "expired").
    tx.exec_prepared0(kResetSpend, out.tenant_id, hash);
    out.code = Code::reset;
    out.message.clear();
    return out;
}

std::string preferred_language(std::string_view accept_language) {
    std::size_t start = 0;
    while (start <= accept_language.size()) {
        auto end = accept_language.find(',', start);
        if (end == std::string_view::npos) end = accept_language.size();
        auto item = accept_language.substr(start, end - start);
        item = item.substr(0, item.find(';'));
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        std::string primary;
        for (const char c : item.substr(0, item.find('-'))) {
            if (c == ' ') break;
            primary += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (known_language(primary)) return primary;
        start = end + 1;
    }
    return {};
}

}  // namespace printmon::cloud::auth
