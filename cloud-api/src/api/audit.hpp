#pragma once
// The account's audit log (V0025): who changed what through the API, written in the
// transaction of the change so that an entry exists exactly when the change committed.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <pqxx/connection>
#include <pqxx/transaction>

#include "printmon/net/http.hpp"

namespace printmon::cloud::api {

/// Prepares the audit log's statements on `conn`.
void prepare_audit_statements(pqxx::connection& conn);

/// What an entry says: `action` a lower-case code the console translates ("user_created"),
/// `target_id` the object's id, `target` a label it has now (an e-mail, a name), `detail` a
/// short note ("role=viewer"). Never a secret. Labels longer than the column are cut at a
/// character boundary.
struct AuditEntry {
    std::string_view action;
    std::string_view target_id;
    std::string_view target;
    std::string_view detail;
};

/// What a target is called now, for an entry's `target` ("" when it is not there): a user's
/// e-mail, a token's name, a scanner's name.
enum class AuditTarget { user, token, scanner };
std::string audit_label(pqxx::transaction_base& tx, AuditTarget kind, std::string_view tenant,
                        std::string_view id);

/// Records `entry` for the request's principal (a user, a token, the platform admin acting on
/// `tenant`, or a scanner) and its peer address, in `tx`.
void record_audit(pqxx::transaction_base& tx, const net::Request& request, std::string_view tenant,
                  const AuditEntry& entry);

/// The same for the platform operator's command line (`printmon-cloud-api tenant …`, `user …`,
/// `scanner …`, `token …`): actor `admin`, no address.
void record_operator_audit(pqxx::transaction_base& tx, std::string_view tenant,
                           const AuditEntry& entry);

/// The same for a user who has no principal yet (the sign-in that opens their session).
void record_user_audit(pqxx::transaction_base& tx, const net::Request& request,
                       std::string_view tenant, std::string_view user_id, const AuditEntry& entry);

/// A failed sign-in with `email` (V0026): one entry, actor `anonymous` at the request's address,
/// in each account that knows the e-mail (only in `tenant` when the form named one; at most 20,
/// as many as a sign-in tries), target the user. `locked_for` set: this failure locked the
/// address out of the e-mail for that long (action `sign_in_locked`). An e-mail no account knows
/// writes nothing.
void record_failed_sign_in(pqxx::transaction_base& tx, const net::Request& request,
                           std::string_view tenant, std::string_view email,
                           std::optional<std::chrono::seconds> locked_for);

}  // namespace printmon::cloud::api
