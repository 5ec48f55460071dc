#include "alerts/outbox.hpp"

#include "printmon/proto/uuid.hpp"

namespace printmon::cloud::alerts {
namespace {

constexpr const char* kQueuePersonal = "outbox_queue_personal";
constexpr const char* kQueuePersonalSql =
    "INSERT INTO notifications (tenant_id, notification_id, channel_id, recipient, alert_id, "
    "event, dedup_key, state, subject, body, next_attempt_at, created_at) "
    "VALUES ($1::uuid, $2::uuid, NULL, $3, NULL, $4, $5, 'queued', $6, $7, now(), now())";

}  // namespace

void prepare_outbox_statements(pqxx::connection& conn) {
    conn.prepare(kQueuePersonal, kQueuePersonalSql);
}

std::string queue_personal_email(pqxx::work& tx, const PersonalEmail& mail) {
    // The id is fixed before the first attempt: every retry carries the same Message-ID.
    std::string id = proto::new_uuid();
    tx.exec_prepared0(kQueuePersonal, mail.tenant_id, id, mail.recipient, mail.event,
                      mail.dedup_key, mail.text.subject, mail.text.body);
    return id;
}

}  // namespace printmon::cloud::alerts
