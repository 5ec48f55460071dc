#pragma once
// Telegram as a notification channel: the tenant's own bot (its token, from @BotFather) posts
// into a chat through the Bot API's sendMessage. The pure parts live here (what a chat and a
// token look like, the message text, the request, what an answer means) so tests check them
// without a network; Sender::run_once delivers through send_telegram (sender.hpp).
//
// Finding a group's chat id is the hard step of the set-up: telegram_chats() reads the chats
// the bot has seen from getUpdates (the Bot API keeps them 24 hours), for the console's "Find
// chats".
//
// Bot API facts relied on (core.telegram.org/bots/api): POST <base>/bot<token>/sendMessage
// with a JSON body {chat_id, text}; chat_id is an integer (negative for groups and channels)
// or "@channelusername"; text is 1..4096 characters; every answer is {"ok": bool, ...} with
// "description" and, on 429, "parameters": {"retry_after": seconds}.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace printmon::cloud::alerts {

/// The most characters (UTF-16 code units, as the Bot API counts them) a message may have.
inline constexpr std::size_t kTelegramMaxText = 4096;

/// A chat id the Bot API accepts: an integer of 3..16 digits, optionally negative, or
/// "@" and a public username (5..32 letters, digits and underscores, starting with a letter).
bool valid_telegram_chat(const std::string& chat);

/// A bot token as @BotFather issues it: "<bot id>:<35 letters, digits, '_' or '-'>" (30..100
/// accepted). Checked strictly because the token becomes part of the request's path.
bool valid_telegram_token(const std::string& token);

/// The message: the subject, a blank line, the body; when longer than the Bot API takes, cut
/// after the last whole line in the second half of what fits (a digest's list), else on a
/// character boundary, and "…" added.
std::string telegram_text(const std::string& subject, const std::string& body);

/// The sendMessage document. A numeric chat id is sent as a number, a username as a string.
std::string telegram_request(const std::string& chat, const std::string& text);

/// What the Bot API's answer means for the message.
struct TelegramAnswer {
    enum class Outcome { sent, retry, failed } outcome = Outcome::retry;
    std::string detail;                        ///< "HTTP 400: Bad Request: chat not found"
    std::optional<std::chrono::seconds> wait;  ///< 429's retry_after
};
TelegramAnswer telegram_answer(long http_status, const std::string& body);

/// A chat the bot has seen (getUpdates): a place an admin may want the alerts posted.
struct TelegramChat {
    std::string chat_id;  ///< the numeric id, as a channel's address takes it ("-100...")
    std::string title;    ///< the group's or channel's title, "@username", or a person's name
    std::string type;     ///< "group", "supergroup", "channel" or "private"
};

/// The most chats telegram_chats() lists.
inline constexpr std::size_t kTelegramMaxChats = 50;

/// The getUpdates document: answer at once, at most 100 updates, confirming none (no offset),
/// so the bot's pending updates stay as they are.
std::string telegram_updates_request();

/// The chats of a getUpdates answer, newest first, each once (at most kTelegramMaxChats);
/// or why not, in Telegram's words when it gave them ("HTTP 409: Conflict: can't use
/// getUpdates method while webhook is active", "HTTP 401: Unauthorized").
tl::expected<std::vector<TelegramChat>, std::string> telegram_chats(long http_status,
                                                                    const std::string& body);

}  // namespace printmon::cloud::alerts
