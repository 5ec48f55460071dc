#pragma once
// Notification texts: an e-mail (subject and plain-text body) in the recipient's language
// (en, ru), and the webhook's JSON document. Rendered once, when a message is queued, so every
// retry sends the same bytes (and the receiver's idempotency check sees the same message).

#include <optional>
#include <string>
#include <vector>

namespace printmon::cloud::alerts {

/// An alert as a message tells it.
struct AlertView {
    std::string alert_id;
    std::string tenant_id;
    std::string rule_id;
    std::string rule_name;
    std::string kind;      ///< the rule's kind (supply_low, ...)
    std::string severity;  ///< critical | warning | info
    std::string state;     ///< open | resolved
    std::string target;    ///< device id, or "scanner:<id>"
    std::optional<std::string> device_id;
    std::optional<std::string> scanner_id;
    std::string subject;  ///< "supply:toner/black/...", "error:jammed", ""
    std::string detail;
    std::optional<long long> value;
    std::string since;  ///< RFC 3339
    std::optional<std::string> opened_at;
    std::optional<std::string> resolved_at;
    // What the device or scanner is, for people.
    std::string vendor, model, serial, location, site, scanner_name;
    int rule_threshold = 0;                 ///< the rule's threshold (unit by kind)
    std::optional<int> rule_forecast_days;  ///< supply_low: the forecast condition's days
    std::optional<double> forecast_days;    ///< days to empty, when the forecast condition holds
};

/// Why a supply alert holds, in `language`: the level at or below the rule's percent, and/or
/// the forecast within the rule's days. Empty for other kinds.
std::string supply_reason(const AlertView& alert, const std::string& language);

/// A rule's name in `language`: the rules every tenant starts with are stored with English names
/// (V0011, pm_seed_alert_rules), which a Russian message says in Russian until the tenant
/// renames them; any other name as the tenant wrote it.
std::string rule_title(const std::string& name, const std::string& language);

struct EmailText {
    std::string subject;
    std::string body;
};

/// `event`: "opened" or "resolved"; `language`: "en" or "ru" (anything else: en).
EmailText render_email(const AlertView& alert, const std::string& event,
                       const std::string& language);

/// One daily digest: the alerts opened or resolved in the last day and those still open.
EmailText render_digest(const std::vector<AlertView>& alerts, const std::string& day,
                        const std::string& language);

/// The webhook document: {"notification_id", "event", "tenant_id", "alert": {...}}.
std::string render_webhook(const std::string& notification_id, const AlertView& alert,
                           const std::string& event);

/// A test message of a channel ("does this address work?"), in its language.
EmailText render_test_email(const std::string& channel_name, const std::string& language);

/// The "forgot password" e-mail: the link to the console's reset page for `email`'s account in
/// `tenant_name`, valid for `valid_minutes`, in `language` (en, ru; anything else: en).
EmailText render_password_reset_email(const std::string& email, const std::string& tenant_name,
                                      const std::string& link, long long valid_minutes,
                                      const std::string& language);

/// The test webhook document: {"notification_id", "event": "test", "tenant_id", "alert": null}.
std::string render_test_webhook(const std::string& notification_id, const std::string& tenant_id);

/// "Canon iR-ADV C5535 (serial X, Floor 2, site Moscow)" or "scanner 'moscow-1'".
std::string describe_target(const AlertView& alert, const std::string& language);

}  // namespace printmon::cloud::alerts
