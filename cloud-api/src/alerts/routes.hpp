#pragma once
// The alerting REST API (/api/v1/alerting/...): managed alerts (list, detail, acknowledge,
// snooze), alert rules (CRUD, validated), notification channels (CRUD) and the delivery log.
// Authenticated like the analytics API (tag "analytics"); every statement names the caller's
// tenant. The read model's /api/v1/alerts (device errors from scanner events) is separate.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "alerts/sender.hpp"
#include "auth/authenticator.hpp"
#include "printmon/net/router.hpp"
#include "storage/pool.hpp"
#include "storage/secret_keys.hpp"

namespace printmon::cloud::alerts {

/// `on_change(tenant)` runs after a rule changes (the caller re-evaluates that tenant soon).
/// `keys` seals the channel secrets (webhook secrets, bot tokens) before they are stored;
/// `notify` reaches the Bot API for "Find chats" (POST /api/v1/alerting/telegram-chats), which
/// takes at most half of the server's `request_threads` at once.
void register_alerting_routes(net::Router& router, storage::ConnectionPool& pool,
                              const auth::Authenticator& authenticator,
                              std::shared_ptr<storage::SecretKeyHolder> keys, NotifyConfig notify,
                              std::size_t request_threads,
                              std::function<void(const std::string&)> on_change = {});

/// Prepares the statements of the routes on a connection.
void prepare_route_statements(pqxx::connection& conn);

}  // namespace printmon::cloud::alerts
