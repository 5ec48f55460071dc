#pragma once
// Messages to one person rather than to a channel (a password reset link), queued in the
// notifications outbox (V0016: no channel, the address in `recipient`) in the caller's
// transaction, so the message exists exactly when what it tells does. The Sender delivers them
// like alert e-mails; the delivery log does not list them.

#include <string>

#include <pqxx/connection>
#include <pqxx/transaction>

#include "alerts/render.hpp"

namespace printmon::cloud::alerts {

/// Prepares this module's statements on a connection.
void prepare_outbox_statements(pqxx::connection& conn);

struct PersonalEmail {
    std::string tenant_id;
    std::string recipient;  ///< the address
    std::string event;      ///< notifications.event, e.g. "password_reset"
    std::string dedup_key;  ///< groups messages of one subject (e.g. "password_reset:<user>")
    EmailText text;
};

/// Queues `mail` for sending now; returns its notification id (the idempotency key the
/// receiver sees as Message-ID).
std::string queue_personal_email(pqxx::work& tx, const PersonalEmail& mail);

}  // namespace printmon::cloud::alerts
