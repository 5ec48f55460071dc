#include "alerts/sender.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <mutex>
#include <vector>

#include <fmt/format.h>
#include <pqxx/result>
#include <pqxx/transaction>

#include "alerts/telegram.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/crypto/crypto.hpp"
#include "printmon/proto/time.hpp"
#include "storage/secrets.hpp"

namespace printmon::cloud::alerts {
namespace {

using SysClock = std::chrono::system_clock;

// Tenants with due messages: the worker is platform-wide, every statement after this one
// names its tenant.
constexpr const char* kDueTenants = "notify_due_tenants";
constexpr const char* kDueTenantsSql =
    "SELECT DISTINCT tenant_id::text FROM notifications "
    "WHERE state IN ('queued', 'sending') AND next_attempt_at <= $1::timestamptz";

// Queued messages, and 'sending' ones whose lease ran out (their worker died): the claim
// pushes next_attempt_at to the lease's end, so one condition covers both. A message goes to
// its channel, or (no channel, V0016) by e-mail to its recipient.
constexpr const char* kClaim = "notify_claim";
constexpr const char* kClaimSql =
    "UPDATE notifications n SET state = 'sending', attempts = n.attempts + 1, "
    "locked_until = $2::timestamptz + make_interval(secs => $3::integer), "
    "next_attempt_at = $2::timestamptz + make_interval(secs => $3::integer) "
    "FROM (SELECT notification_id, channel_id FROM notifications WHERE tenant_id = $1::uuid "
    " AND state IN ('queued', 'sending') AND next_attempt_at <= $2::timestamptz "
    " ORDER BY next_attempt_at, notification_id LIMIT $4::integer FOR UPDATE SKIP LOCKED) x "
    " LEFT JOIN notification_channels c ON c.tenant_id = $1::uuid AND c.channel_id = x.channel_id "
    "WHERE n.tenant_id = $1::uuid AND n.notification_id = x.notification_id "
    "AND (c.channel_id IS NOT NULL OR n.recipient IS NOT NULL) "
    "RETURNING n.notification_id::text, n.attempts, n.subject, n.body, coalesce(c.kind, 'email'), "
    "coalesce(c.address, n.recipient), coalesce(c.secret, ''), coalesce(c.secret_scheme, 'plain'), "
    "coalesce(c.secret_key_id, ''), coalesce(c.channel_id::text, '')";

// Only the claim that is still current may finish (a worker whose lease ran out and whose
// message another worker claimed again does not overwrite that one's outcome). A message to
// one person (a reset link) loses its body once it is final: nothing needs it any more.
constexpr const char* kFinish = "notify_finish";
constexpr const char* kFinishSql =
    "UPDATE notifications SET state = $4, next_attempt_at = $5::timestamptz, locked_until = NULL, "
    "last_error = $6, sent_at = CASE WHEN $4 = 'sent' THEN $7::timestamptz END, "
    "body = CASE WHEN recipient IS NOT NULL AND $4 IN ('sent', 'failed') THEN '' ELSE body END "
    "WHERE tenant_id = $1::uuid AND notification_id = $2::uuid AND attempts = $3 "
    "AND state = 'sending'";

constexpr const char* kLogAttempt = "notify_log_attempt";
constexpr const char* kLogAttemptSql =
    "INSERT INTO notification_attempts (tenant_id, notification_id, attempt, at, outcome, "
    "detail, duration_ms) VALUES ($1::uuid, $2::uuid, $3, $4::timestamptz, $5, $6, $7) "
    "ON CONFLICT DO NOTHING";

constexpr const char* kRelease = "notify_release";
constexpr const char* kReleaseSql =
    "UPDATE notifications SET state = 'queued', attempts = attempts - 1, locked_until = NULL, "
    "next_attempt_at = $4::timestamptz WHERE tenant_id = $1::uuid AND notification_id = $2::uuid "
    "AND attempts = $3 AND state = 'sending'";

void prepare(pqxx::connection& conn) {
    conn.prepare(kDueTenants, kDueTenantsSql);
    conn.prepare(kClaim, kClaimSql);
    conn.prepare(kFinish, kFinishSql);
    conn.prepare(kLogAttempt, kLogAttemptSql);
    conn.prepare(kRelease, kReleaseSql);
}

std::string ts(SysClock::time_point t) {
    return proto::format_rfc3339(t, proto::TimePrecision::milliseconds);
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

struct Upload {
    const std::string* data = nullptr;
    std::size_t offset = 0;
};

std::size_t read_cb(char* buffer, std::size_t size, std::size_t items, void* user) {
    auto* up = static_cast<Upload*>(user);
    const std::size_t n = std::min(size * items, up->data->size() - up->offset);
    up->data->copy(buffer, n, up->offset);  // libcurl takes n bytes, no terminator
    up->offset += n;
    return n;
}

std::size_t discard_cb(char* data, std::size_t size, std::size_t items, void* user) {
    // Keep a little of the answer for the delivery log.
    auto* keep = static_cast<std::string*>(user);
    constexpr std::size_t kKeep = 200;
    if (keep->size() < kKeep) keep->append(data, std::min(size * items, kKeep - keep->size()));
    return size * items;
}

std::size_t keep_cb(char* data, std::size_t size, std::size_t items, void* user) {
    // The Bot API's answer, to read its verdict: a few KiB at most (a proxy's page is cut).
    auto* keep = static_cast<std::string*>(user);
    constexpr std::size_t kKeep = std::size_t{16} * 1024;
    if (keep->size() < kKeep) keep->append(data, std::min(size * items, kKeep - keep->size()));
    return size * items;
}

int progress_cb(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

bool is_private(const char* ip) {
    std::array<unsigned char, 16> b{};
    if (inet_pton(AF_INET, ip, b.data()) == 1) {
        return b[0] == 127 || b[0] == 10 || b[0] == 0 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
               (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
               (b[0] == 100 && (b[1] & 0xc0) == 64) || b[0] >= 224;
    }
    if (inet_pton(AF_INET6, ip, b.data()) == 1) {
        static constexpr std::array<unsigned char, 16> kLoop = {0, 0, 0, 0, 0, 0, 0, 0,
                                                                0, 0, 0, 0, 0, 0, 0, 1};
        static constexpr std::array<unsigned char, 16> kAny = {};
        if (b == kLoop || b == kAny) return true;
        if ((b[0] & 0xfe) == 0xfc) return true;                  // fc00::/7
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10
        if (b[0] == 0xff) return true;                           // multicast
        static constexpr std::array<unsigned char, 12> kMapped = {0, 0, 0, 0, 0,    0,
                                                                  0, 0, 0, 0, 0xff, 0xff};
        if (std::equal(kMapped.begin(), kMapped.end(), b.begin())) {
            std::array<char, INET_ADDRSTRLEN> v4{};
            inet_ntop(AF_INET, b.data() + 12, v4.data(), v4.size());
            return is_private(v4.data());
        }
        return false;
    }
    return true;  // not an address: refuse
}

int prereq_cb(void*, char* primary_ip, char*, int, int) {
    return is_private(primary_ip) ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

void common_options(CURL* c, const NotifyConfig& config, const std::atomic<bool>& stop,
                    char* error) {
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(config.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeout.count()));
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &stop);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(c, CURLOPT_PROXY, "");  // never through an environment proxy
    if (!config.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config.ca_file.c_str());
}

// One JSON POST on a prepared handle (URL, timeouts, TLS set): our headers and `extra`, the
// body, the answer to `answer` through `keep`. nullopt: out of memory for the headers.
std::optional<CURLcode> post_json(CURL* c, const std::vector<std::string>& extra,
                                  const std::string& body, curl_write_callback keep,
                                  std::string& answer) {
    SlistPtr headers(curl_slist_append(nullptr, "Content-Type: application/json"));
    std::vector<std::string> all = {"User-Agent: printmon-cloud-api", "Expect:"};
    all.insert(all.end(), extra.begin(), extra.end());
    for (const auto& h : all) {
        curl_slist* next = curl_slist_append(headers.get(), h.c_str());
        if (next == nullptr) return std::nullopt;
        static_cast<void>(headers.release());
        headers.reset(next);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
    return curl_easy_perform(c);
}

std::string curl_error(CURLcode code, const char* buffer) {
    return buffer[0] != '\0' ? fmt::format("{} ({})", curl_easy_strerror(code), buffer)
                             : std::string(curl_easy_strerror(code));
}

}  // namespace

std::string webhook_signature(const std::string& secret, long long timestamp,
                              const std::string& body) {
    return "sha256=" + crypto::hmac_sha256_hex(secret, std::to_string(timestamp) + "." + body);
}

std::string compose_email(const std::string& from, const std::string& to,
                          const std::string& subject, const std::string& body,
                          const std::string& message_id, SysClock::time_point at) {
    // RFC 2047: encoded words of at most 75 characters, split on UTF-8 character boundaries.
    std::string encoded;
    std::size_t start = 0;
    while (start < subject.size()) {
        std::size_t end = std::min(subject.size(), start + 45);
        while (end < subject.size() && (static_cast<unsigned char>(subject[end]) & 0xc0) == 0x80) {
            --end;
        }
        if (!encoded.empty()) encoded += "\r\n ";
        encoded +=
            "=?UTF-8?B?" + base64(std::string_view(subject).substr(start, end - start)) + "?=";
        start = end;
    }
    const std::time_t t = SysClock::to_time_t(at);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::array<char, 64> date{};
    std::strftime(date.data(), date.size(), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    std::string out;
    out += fmt::format("Date: {}\r\n", date.data());
    out += fmt::format("From: <{}>\r\n", from);
    out += fmt::format("To: <{}>\r\n", to);
    out += fmt::format("Subject: {}\r\n", encoded.empty() ? std::string("printmon") : encoded);
    out += fmt::format("Message-ID: <{}@printmon>\r\n", message_id);
    out += fmt::format("X-Printmon-Idempotency-Key: {}\r\n", message_id);
    out += "Auto-Submitted: auto-generated\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: text/plain; charset=UTF-8\r\n";
    out += "Content-Transfer-Encoding: base64\r\n\r\n";
    const std::string b64 = base64(body);
    for (std::size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
    return out;
}

std::chrono::seconds backoff(int attempts, std::chrono::seconds base, std::chrono::seconds max) {
    const int shift = std::clamp(attempts - 1, 0, 30);
    const long long delay = static_cast<long long>(base.count()) << shift;
    return std::chrono::seconds(std::min<long long>(delay, max.count()));
}

Delivery send_email(const NotifyConfig& config, const std::string& to, const std::string& message,
                    const std::atomic<bool>& stop) {
    if (config.smtp_url.empty()) return {Delivery::Outcome::failed, "no SMTP server configured"};
    global_init();
    CurlPtr c(curl_easy_init());
    if (!c) return {Delivery::Outcome::retry, "curl_easy_init failed"};
    std::array<char, CURL_ERROR_SIZE> error{};
    common_options(c.get(), config, stop, error.data());
    curl_easy_setopt(c.get(), CURLOPT_URL, config.smtp_url.c_str());
    curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    const std::string from = "<" + config.smtp_from + ">";
    curl_easy_setopt(c.get(), CURLOPT_MAIL_FROM, from.c_str());
    SlistPtr rcpt(curl_slist_append(nullptr, ("<" + to + ">").c_str()));
    curl_easy_setopt(c.get(), CURLOPT_MAIL_RCPT, rcpt.get());
    const long tls = config.smtp_tls == SmtpTls::required        ? CURLUSESSL_ALL
                     : config.smtp_tls == SmtpTls::opportunistic ? CURLUSESSL_TRY
                                                                 : CURLUSESSL_NONE;
    curl_easy_setopt(c.get(), CURLOPT_USE_SSL, tls);
    if (!config.smtp_username.empty()) {
        curl_easy_setopt(c.get(), CURLOPT_USERNAME, config.smtp_username.c_str());
        curl_easy_setopt(c.get(), CURLOPT_PASSWORD, config.smtp_password.c_str());
    }
    Upload up{&message};
    curl_easy_setopt(c.get(), CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c.get(), CURLOPT_READDATA, &up);
    curl_easy_setopt(c.get(), CURLOPT_UPLOAD, 1L);
    const CURLcode rc = curl_easy_perform(c.get());
    if (rc == CURLE_OK) return {Delivery::Outcome::sent, "250"};
    if (rc == CURLE_ABORTED_BY_CALLBACK) return {Delivery::Outcome::aborted, "stopped"};
    return {Delivery::Outcome::retry, curl_error(rc, error.data())};
}

Delivery post_webhook(const NotifyConfig& config, const std::string& url, const std::string& secret,
                      const std::string& notification_id, const std::string& body,
                      SysClock::time_point now, const std::atomic<bool>& stop) {
    global_init();
    CurlPtr c(curl_easy_init());
    if (!c) return {Delivery::Outcome::retry, "curl_easy_init failed"};
    std::array<char, CURL_ERROR_SIZE> error{};
    common_options(c.get(), config, stop, error.data());
    curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c.get(), CURLOPT_FOLLOWLOCATION, 0L);
    if (!config.allow_private_webhooks) {
        curl_easy_setopt(c.get(), CURLOPT_PREREQFUNCTION, prereq_cb);
    }
    const long long stamp =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const std::vector<std::string> extra = {
        "X-Printmon-Idempotency-Key: " + notification_id,
        "Idempotency-Key: " + notification_id,
        "X-Printmon-Timestamp: " + std::to_string(stamp),
        "X-Printmon-Signature: " + webhook_signature(secret, stamp, body),
    };
    std::string answer;
    const auto performed = post_json(c.get(), extra, body, discard_cb, answer);
    if (!performed) return {Delivery::Outcome::retry, "out of memory"};
    const CURLcode rc = *performed;
    if (rc == CURLE_ABORTED_BY_CALLBACK && !stop.load()) {
        return {Delivery::Outcome::failed, "refused: the webhook address is private or loopback"};
    }
    if (rc == CURLE_ABORTED_BY_CALLBACK) return {Delivery::Outcome::aborted, "stopped"};
    if (rc != CURLE_OK) return {Delivery::Outcome::retry, curl_error(rc, error.data())};
    long status = 0;
    curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
    const std::string detail = fmt::format("HTTP {}", status);
    if (status >= 200 && status < 300) return {Delivery::Outcome::sent, detail};
    // The receiver refused this message for good (except "later" and "too many").
    if (status >= 400 && status < 500 && status != 408 && status != 429) {
        return {Delivery::Outcome::failed, detail};
    }
    return {Delivery::Outcome::retry, detail};
}

namespace {

/// One Bot API call: `method` with a JSON body, by the bot with `token`, through the
/// configured base URL and proxy; the answer kept by `keep`.
struct BotCall {
    std::optional<CURLcode> rc;  ///< nullopt: out of memory
    long status = 0;
    std::string answer;
    std::string error;  ///< libcurl's message (names the host, never the path with the token)
};

BotCall bot_call(const NotifyConfig& config, const std::string& token, const char* method,
                 const std::string& body, curl_write_callback keep, const std::atomic<bool>& stop) {
    BotCall call;
    global_init();
    CurlPtr c(curl_easy_init());
    if (!c) {
        call.rc = CURLE_FAILED_INIT;
        call.error = "curl_easy_init failed";
        return call;
    }
    std::array<char, CURL_ERROR_SIZE> error{};
    common_options(c.get(), config, stop, error.data());
    std::string base = config.telegram_api_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const std::string url = base + "/bot" + token + "/" + method;
    curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c.get(), CURLOPT_FOLLOWLOCATION, 0L);
    if (!config.telegram_proxy.empty()) {
        curl_easy_setopt(c.get(), CURLOPT_PROXY, config.telegram_proxy.c_str());
        // Always a tunnel: the proxy sees the host, never the path with the token.
        curl_easy_setopt(c.get(), CURLOPT_HTTPPROXYTUNNEL, 1L);
    }
    call.rc = post_json(c.get(), {}, body, keep, call.answer);
    if (call.rc && *call.rc != CURLE_OK) call.error = curl_error(*call.rc, error.data());
    curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &call.status);
    return call;
}

std::size_t keep_updates_cb(char* data, std::size_t size, std::size_t items, void* user) {
    // getUpdates: up to 100 updates with their messages; past this the list is cut (and then
    // does not parse: "try again" is the honest answer).
    auto* keep = static_cast<std::string*>(user);
    constexpr std::size_t kKeep = std::size_t{1} << 20;
    if (keep->size() < kKeep) keep->append(data, std::min(size * items, kKeep - keep->size()));
    return size * items;
}

}  // namespace

Delivery send_telegram(const NotifyConfig& config, const std::string& chat,
                       const std::string& token, const std::string& text,
                       const std::atomic<bool>& stop) {
    // Stored channels were checked when written; checked again because the token is spliced
    // into the URL.
    if (!valid_telegram_token(token) || !valid_telegram_chat(chat)) {
        return {Delivery::Outcome::failed, "the channel's bot token or chat id is malformed"};
    }
    const auto call =
        bot_call(config, token, "sendMessage", telegram_request(chat, text), keep_cb, stop);
    if (!call.rc) return {Delivery::Outcome::retry, "out of memory"};
    if (*call.rc == CURLE_ABORTED_BY_CALLBACK) return {Delivery::Outcome::aborted, "stopped"};
    if (*call.rc != CURLE_OK) return {Delivery::Outcome::retry, call.error};
    const auto a = telegram_answer(call.status, call.answer);
    const auto outcome = a.outcome == TelegramAnswer::Outcome::sent     ? Delivery::Outcome::sent
                         : a.outcome == TelegramAnswer::Outcome::failed ? Delivery::Outcome::failed
                                                                        : Delivery::Outcome::retry;
    return {outcome, a.detail, a.wait};
}

tl::expected<std::vector<TelegramChat>, ChatsError> find_telegram_chats(const NotifyConfig& config,
                                                                        const std::string& token) {
    if (!valid_telegram_token(token)) {
        return tl::make_unexpected(ChatsError{false, "the bot token is malformed"});
    }
    const std::atomic<bool> never{false};
    const auto call =
        bot_call(config, token, "getUpdates", telegram_updates_request(), keep_updates_cb, never);
    if (!call.rc) return tl::make_unexpected(ChatsError{false, "out of memory"});
    if (*call.rc != CURLE_OK) return tl::make_unexpected(ChatsError{false, call.error});
    auto chats = telegram_chats(call.status, call.answer);
    if (!chats) return tl::make_unexpected(ChatsError{true, chats.error()});
    return std::move(*chats);
}

Sender::Sender(std::string conninfo, std::shared_ptr<storage::SecretKeyHolder> keys,
               NotifyConfig config, ClockFn clock)
    : conninfo_(std::move(conninfo)),
      keys_(std::move(keys)),
      config_(std::move(config)),
      clock_(std::move(clock)) {
    if (!keys_) throw std::invalid_argument("the sender needs the secrets key");
    global_init();
}

Sender::~Sender() { stop(true); }

SysClock::time_point Sender::now() const { return clock_ ? clock_() : SysClock::now(); }

void Sender::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void Sender::stop(bool release) {
    {
        std::lock_guard lock(mutex_);
        release_ = release;
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Sender::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void Sender::run() {
    auto log = common::get_logger("cloud.notify");
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        int done = 0;
        try {
            done = run_once();
        } catch (const std::exception& e) {
            log->warn("event=notify_failed error={}", common::log_value(e.what()));
            conn_.reset();  // reconnect next round
        }
        lock.lock();
        if (done > 0) continue;  // more may be due
        wake_.wait_for(lock, config_.poll_interval, [this] { return stopping_ || woken_; });
        woken_ = false;
    }
}

void Sender::add_pre_step(PreStep step) { pre_steps_.push_back(std::move(step)); }

int Sender::run_once() {
    auto log = common::get_logger("cloud.notify");
    if (!conn_) {
        conn_ = std::make_unique<db::Connection>(conninfo_);
        prepare(conn_->raw());
        for (const auto& step : pre_steps_) step.prepare(conn_->raw());
    }
    auto& conn = conn_->raw();
    for (const auto& step : pre_steps_) step.run(conn);
    std::vector<std::string> tenants;
    {
        pqxx::read_transaction tx(conn);
        for (const auto& row : tx.exec_prepared(kDueTenants, ts(now()))) {
            tenants.push_back(row[0].as<std::string>());
        }
    }
    int finished = 0;
    for (const auto& tenant : tenants) {
        struct Claimed {
            std::string id;
            int attempts;
            std::string subject, body, kind, address;
            storage::StoredSecret secret;
            std::string channel;
        };
        std::vector<Claimed> claimed;
        {
            pqxx::work tx(conn);
            for (const auto& row :
                 tx.exec_prepared(kClaim, tenant, ts(now()),
                                  static_cast<int>(config_.lease.count()), config_.batch)) {
                claimed.push_back(
                    {row[0].as<std::string>(),
                     row[1].as<int>(),
                     row[2].as<std::string>(),
                     row[3].as<std::string>(),
                     row[4].as<std::string>(),
                     row[5].as<std::string>(),
                     {row[6].as<std::string>(), row[7].as<std::string>(), row[8].as<std::string>()},
                     row[9].as<std::string>()});
            }
            tx.commit();
        }
        for (const auto& m : claimed) {
            if (stopping_) {
                // Not started: hand back at once, whatever the kind of stop.
                pqxx::work tx(conn);
                tx.exec_prepared0(kRelease, tenant, m.id, m.attempts, ts(now()));
                tx.commit();
                continue;
            }
            const auto started = std::chrono::steady_clock::now();
            Delivery d;
            // A secret no key here opens (sealed under a lost key, damaged, or under a rotated
            // key not yet copied to this host) is retried like a dead receiver: once it is
            // entered again, or the key file arrives, the next attempt reads it.
            const auto secret = storage::open_channel_secret(*keys_, tenant, m.channel, m.secret);
            if (m.kind != "email" && !secret) {
                log->error("event=channel_secret_unreadable tenant={} channel={} error={}", tenant,
                           m.channel, common::log_value(secret.error()));
                d = Delivery(Delivery::Outcome::retry, secret.error());
            } else if (m.kind == "webhook") {
                d = post_webhook(config_, m.address, *secret, m.id, m.body, now(), stopping_);
            } else if (m.kind == "telegram") {
                d = send_telegram(config_, m.address, *secret, telegram_text(m.subject, m.body),
                                  stopping_);
            } else {
                d = send_email(
                    config_, m.address,
                    compose_email(config_.smtp_from, m.address, m.subject, m.body, m.id, now()),
                    stopping_);
            }
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - started)
                                .count();
            if (d.outcome == Delivery::Outcome::aborted) {
                // Stopped mid-delivery: the receiver may or may not have it. Released, it goes
                // out again at the next start (same idempotency key); otherwise after its lease.
                if (release_) {
                    pqxx::work tx(conn);
                    tx.exec_prepared0(kRelease, tenant, m.id, m.attempts, ts(now()));
                    tx.commit();
                }
                continue;
            }
            std::string state = "sent";
            auto next = now();
            if (d.outcome != Delivery::Outcome::sent) {
                const bool last = m.attempts >= config_.max_attempts;
                state = d.outcome == Delivery::Outcome::failed || last ? "failed" : "queued";
                // Telegram's retry_after when it asks for longer than the backoff.
                next += std::max(backoff(m.attempts, config_.backoff_base, config_.backoff_max),
                                 d.wait.value_or(std::chrono::seconds(0)));
            }
            const std::string outcome = state == "queued" ? "retry" : state;
            pqxx::work tx(conn);
            const auto updated =
                tx.exec_prepared0(kFinish, tenant, m.id, m.attempts, state, ts(next),
                                  state == "sent" ? std::string() : d.detail, ts(now()))
                    .affected_rows();
            if (updated > 0) {
                tx.exec_prepared0(kLogAttempt, tenant, m.id, m.attempts, ts(now()), outcome,
                                  d.detail, static_cast<int>(ms));
            }
            tx.commit();
            ++finished;
            if (state == "sent") {
                log->debug("event=notification_sent tenant={} id={} kind={} attempt={}", tenant,
                           m.id, m.kind, m.attempts);
            } else {
                log->warn("event=notification_{} tenant={} id={} kind={} attempt={} error={}",
                          outcome, tenant, m.id, m.kind, m.attempts, common::log_value(d.detail));
            }
        }
    }
    return finished;
}

}  // namespace printmon::cloud::alerts
