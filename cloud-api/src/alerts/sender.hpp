#pragma once
// Delivery of queued notifications (the `notifications` outbox): e-mail through libcurl's SMTP
// client (STARTTLS when offered or required) and signed webhooks over HTTP(S), on a worker
// thread of its own (never an I/O thread). At least once: a message is claimed with a lease,
// delivered, then marked; a process that dies between delivery and mark delivers it again
// after the lease, with the same idempotency key (webhook header, e-mail Message-ID) so the
// receiver drops the duplicate. Failures retry with exponential backoff up to max_attempts.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <pqxx/transaction>

#include "alerts/telegram.hpp"
#include "printmon/db/connection.hpp"
#include "storage/secret_keys.hpp"

namespace printmon::cloud::alerts {

enum class SmtpTls { off, opportunistic, required };

/// cloud-api.toml [notify].
struct NotifyConfig {
    bool enabled = true;   ///< run the sender (and the evaluation timer)
    std::string smtp_url;  ///< smtp://host:port or smtps://host:port; "" = no e-mail
    std::string smtp_from = "printmon@localhost";
    std::string smtp_username;
    std::string smtp_password;  ///< better: PRINTMON_SMTP_PASSWORD
    SmtpTls smtp_tls = SmtpTls::opportunistic;
    std::string ca_file;  ///< extra CA bundle for SMTP and webhooks ("" = system)
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds timeout{20000};  ///< one whole delivery attempt
    std::chrono::milliseconds poll_interval{1000};
    std::chrono::seconds lease{120};  ///< a claimed message is claimable again after this
    int max_attempts = 12;
    std::chrono::seconds backoff_base{30};
    std::chrono::seconds backoff_max{3600};
    int batch = 20;  ///< messages claimed at once
    std::chrono::seconds evaluate_interval{60};
    /// Webhooks to loopback, private and link-local addresses are refused unless this is set
    /// (a tenant must not reach the cloud's internal network through the cloud).
    bool allow_private_webhooks = false;
    /// The Bot API's base URL for Telegram channels: Telegram's own, or a self-hosted Bot API
    /// server / reverse proxy where api.telegram.org is not reachable from the cloud.
    std::string telegram_api_url = "https://api.telegram.org";
    /// A forward proxy for the Bot API only (http://, https://, socks5://, socks5h://; "" =
    /// direct): where the cloud reaches Telegram only through one. The TLS to the Bot API is
    /// still verified end to end through the tunnel.
    std::string telegram_proxy;
};

/// Result of one delivery attempt.
struct Delivery {
    enum class Outcome { sent, retry, failed, aborted };
    Delivery() = default;
    Delivery(Outcome o, std::string d, std::optional<std::chrono::seconds> w = std::nullopt)
        : outcome(o), detail(std::move(d)), wait(w) {}
    Outcome outcome = Outcome::retry;
    std::string detail;  ///< the error, or the receiver's status
    /// The receiver's own "not before" (Telegram's 429 retry_after): the retry waits at least
    /// this long, longer when the backoff says so.
    std::optional<std::chrono::seconds> wait;
};

/// "sha256=<hex HMAC-SHA256(secret, timestamp + '.' + body)>".
std::string webhook_signature(const std::string& secret, long long timestamp,
                              const std::string& body);

/// The whole RFC 5322 message: UTF-8 subject as RFC 2047 words, body base64.
std::string compose_email(const std::string& from, const std::string& to,
                          const std::string& subject, const std::string& body,
                          const std::string& message_id, std::chrono::system_clock::time_point at);

/// The delay before attempt `attempts + 1`: base * 2^(attempts-1), at most `max`.
std::chrono::seconds backoff(int attempts, std::chrono::seconds base, std::chrono::seconds max);

/// Single attempts, blocking, bounded by the config's timeouts; `stop` aborts them.
Delivery send_email(const NotifyConfig& config, const std::string& to, const std::string& message,
                    const std::atomic<bool>& stop);
Delivery post_webhook(const NotifyConfig& config, const std::string& url, const std::string& secret,
                      const std::string& notification_id, const std::string& body,
                      std::chrono::system_clock::time_point now, const std::atomic<bool>& stop);
/// One Bot API sendMessage of `text` to `chat` by the bot with `token` (never logged: it is in
/// the request's path, and the detail carries only Telegram's status and description).
Delivery send_telegram(const NotifyConfig& config, const std::string& chat,
                       const std::string& token, const std::string& text,
                       const std::atomic<bool>& stop);

/// Why find_telegram_chats() found nothing: Telegram's own answer (`from_telegram`: a revoked
/// token, a webhook set on the bot) or no answer at all (network, TLS, proxy).
struct ChatsError {
    bool from_telegram = false;
    std::string detail;  ///< never contains the token
};

/// The chats the bot with `token` has seen in the last 24 hours (getUpdates, confirming none),
/// newest first. Blocking, bounded by the config's connect and total timeouts.
tl::expected<std::vector<TelegramChat>, ChatsError> find_telegram_chats(const NotifyConfig& config,
                                                                        const std::string& token);

class Sender {
  public:
    using ClockFn = std::function<std::chrono::system_clock::time_point()>;

    /// Own connection (never the request pool). `keys` opens the channels' sealed secrets
    /// (storage/secret_keys.hpp). `clock` lets tests move time.
    Sender(std::string conninfo, std::shared_ptr<storage::SecretKeyHolder> keys,
           NotifyConfig config, ClockFn clock = {});
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;
    ~Sender();

    /// Starts the worker thread (polls every poll_interval, or at once after wake()).
    void start();
    /// Stops the thread. `release`: a delivery in flight is aborted and its message handed
    /// back for the next start at once; without it the message waits for its lease (what a
    /// killed process leaves behind).
    void stop(bool release = true);
    void wake();

    /// Claims and delivers the due messages once, on the calling thread; returns how many
    /// attempts finished. For tests and the thread.
    int run_once();

    /// Work that turns requests into messages at the start of every run_once, on the sender's
    /// connection (its own transactions): `prepare` on each (re)connect, `run` each time.
    /// Rationale: the password-reset requests become e-mails here, off the request path, so the
    /// answer to a request takes the same time whether or not the account exists
    /// (auth/password_reset.hpp). Add before start().
    struct PreStep {
        std::function<void(pqxx::connection&)> prepare;
        std::function<void(pqxx::connection&)> run;
    };
    void add_pre_step(PreStep step);

  private:
    void run();
    std::chrono::system_clock::time_point now() const;

    std::string conninfo_;
    std::shared_ptr<storage::SecretKeyHolder> keys_;
    NotifyConfig config_;
    ClockFn clock_;
    std::unique_ptr<db::Connection> conn_;
    std::vector<PreStep> pre_steps_;
    std::atomic<bool> stopping_{false};
    bool release_ = true;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool woken_ = false;
    std::thread thread_;
};

}  // namespace printmon::cloud::alerts
