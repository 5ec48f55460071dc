#pragma once
// "Forgot password": a user asks for a reset link by e-mail (POST /api/v1/auth/password-reset)
// and sets a new password with it (POST /api/v1/auth/password-reset/confirm). The link carries
// a one-time token "pmr.<tenant>.<secret>" (43 base64url characters of 32 random bytes); only
// SHA-256(token) is stored (password_resets, V0016), and the tenant id inside lets every lookup
// lead with tenant_id. Asking again revokes the user's older unused tokens; a reset spends the
// token, sets the password (the same policy and argon2id as everywhere) and ends every session
// of the user. The request is only queued (password_reset_requests, V0021), so its answer takes
// the same time whether or not the address has an account; the alert sender's loop issues the
// links and queues the e-mails, which go through the notifications outbox like alert e-mails.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>
#include <pqxx/transaction>

#include "alerts/sender.hpp"

namespace printmon::cloud::auth {

inline constexpr std::string_view kResetTokenKind = "pmr";

/// Prepares this module's statements on a connection.
void prepare_password_reset_statements(pqxx::connection& conn);
/// Everything process_password_reset_requests runs (these, the accounts' and the outbox's), for
/// a connection outside the request pool (the alert sender's).
void prepare_password_reset_processing(pqxx::connection& conn);

struct ResetRequest {
    std::string email;
    /// The console's base URL ([server] public_url, no trailing '/'); the link is
    /// <public_url>/#/reset?token=<token>.
    std::string public_url;
    /// The language the client asked for ("en", "ru"; "" = none): wins over the others.
    std::string language;
    /// The client's Accept-Language preference ("en", "ru"; "" = none): used when neither the
    /// request, the user's own language (PUT /api/v1/auth/language) nor an e-mail channel of
    /// the tenant with this address (the language its owner chose for alert e-mails) names one.
    std::string accept_language;
    std::chrono::seconds ttl{std::chrono::minutes(30)};
};

/// Records the request for the sender's loop (process_password_reset_requests), in the caller's
/// transaction: the same single insert whether or not the address has an account, so the
/// answer's timing tells nothing. public_url and ttl are the processing's, not stored.
void queue_password_reset(pqxx::work& tx, const ResetRequest& request);

/// A link issued and queued.
struct ResetIssued {
    std::string tenant_id;
    std::string user_id;
    std::string notification_id;
};

/// For every enabled account of `email` (in each tenant it belongs to, at most 20, as the
/// sign-in by e-mail): revokes the user's unused tokens, stores a new one and queues one e-mail
/// with the link, in the caller's transaction. Empty when there is no such account: the caller
/// answers the same either way.
std::vector<ResetIssued> request_password_reset(pqxx::work& tx, const ResetRequest& request);

/// Turns at most `limit` queued requests (oldest first; SKIP LOCKED, so several cloud-api
/// processes share the queue) into links and e-mails with request_password_reset and deletes
/// them, one transaction each; a request older than a day (no sender ran) is deleted
/// unanswered, and so is one the database refuses (logged): it must not hold up the requests
/// behind it. Returns the links issued. Statements: prepare_password_reset_processing.
std::vector<ResetIssued> process_password_reset_requests(pqxx::connection& conn,
                                                         const std::string& public_url,
                                                         std::chrono::seconds ttl, int limit);

/// The alert sender's step that runs process_password_reset_requests (20 a round).
alerts::Sender::PreStep password_reset_step(std::string public_url, std::chrono::seconds ttl);

/// The outcome of a confirmation.
struct ResetConfirmation {
    enum class Code {
        reset,             ///< the password is set, the token spent, the sessions ended
        invalid_password,  ///< out of the policy's bounds (`message`); the token is not spent
        invalid_token,     ///< malformed, unknown, or its user is disabled
        expired,           ///< past expires_at, or revoked by a newer token
        used,              ///< spent already
    };
    Code code = Code::invalid_token;
    std::string message;
    std::string tenant_id;
    std::string user_id;
    std::string email;  ///< the account's address (the caller clears its sign-in brake)
};

/// Checks `token` and, when it is usable and `password` acceptable, sets the password.
ResetConfirmation confirm_password_reset(pqxx::work& tx, std::string_view token,
                                         const std::string& password);

/// The language of "Accept-Language: ru-RU,ru;q=0.9,en;q=0.8": "ru" or "en" when one of them is
/// the first language listed that is either, else "". Weights are not sorted (browsers send the
/// list in order of preference).
std::string preferred_language(std::string_view accept_language);

}  // namespace printmon::cloud::auth
