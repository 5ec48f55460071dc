// The cloud's reading of a Telegram Bot API answer (alerts::telegram_answer, and as getUpdates:
// telegram_chats) and the message it sends (telegram_text, telegram_request): any status and
// body, any subject and body text. What
// it decides must be consistent: only a 2xx marks a message sent, only the Bot API's own
// 400/401/403/404 give up on it, a wait is 1 s .. a day, and the delivery log gets bounded,
// valid text; a message never exceeds what the Bot API takes and stays valid UTF-8.

#include <rapidjson/document.h>

#include <array>

#include "alerts/telegram.hpp"
#include "printmon/proto/utf8.hpp"
#include "support.hpp"

namespace printmon::fuzz {
namespace {

std::size_t utf16_units(const std::string& s) {
    std::size_t units = 0;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = proto::utf8_sequence_length(s, i);
        if (n == 0) n = 1;
        units += n == 4 ? 2 : 1;
        i += n;
    }
    return units;
}

}  // namespace

int fuzz_notify_answer(const std::uint8_t* data, std::size_t size) {
    using cloud::alerts::TelegramAnswer;
    Bytes in(data, size);
    static constexpr std::array<long, 10> kStatuses = {200, 400, 401, 403, 404,
                                                       429, 500, 502, 204, 302};
    const std::uint8_t pick = in.byte();
    long status = kStatuses[pick % kStatuses.size()];
    if (pick >= 240) status = 100 + in.byte() * 2 + in.byte() % 2;  // now and then any
    const bool as_text = in.flag();
    const std::string subject = in.text(300);
    const std::string text_body = in.text(9000);
    const std::string answer(in.rest());

    const auto a = cloud::alerts::telegram_answer(status, answer);
    if (a.outcome == TelegramAnswer::Outcome::sent && (status < 200 || status > 299))
        fail("notify_answer", "a non-2xx answer taken as sent");
    if (a.outcome == TelegramAnswer::Outcome::failed && status != 400 && status != 401 &&
        status != 403 && status != 404)
        fail("notify_answer", "gave up on a status that may pass later");
    if (a.wait && (a.wait->count() < 1 || a.wait->count() > 86400))
        fail("notify_answer", "wait outside 1 s .. a day");
    if (a.detail.size() > 220 || !proto::utf8_length(a.detail))
        fail("notify_answer", "delivery log detail unbounded or not UTF-8");
    for (const char c : a.detail) {
        if (static_cast<unsigned char>(c) < 0x20) fail("notify_answer", "control in detail");
    }

    // The same answer read as getUpdates ("Find chats"): chats only from a 2xx, each a chat id
    // a channel takes, once, at most kTelegramMaxChats; titles valid text; errors bounded.
    const auto chats = cloud::alerts::telegram_chats(status, answer);
    if (chats) {
        if (status < 200 || status > 299) fail("notify_answer", "chats from a non-2xx answer");
        if (chats->size() > cloud::alerts::kTelegramMaxChats)
            fail("notify_answer", "more chats than listed at most");
        for (std::size_t i = 0; i < chats->size(); ++i) {
            const auto& c = (*chats)[i];
            if (!cloud::alerts::valid_telegram_chat(c.chat_id))
                fail("notify_answer", "a chat id a channel would refuse");
            if (!proto::utf8_length(c.title) || !proto::utf8_length(c.type))
                fail("notify_answer", "chat title or type not UTF-8");
            for (std::size_t j = 0; j < i; ++j) {
                if ((*chats)[j].chat_id == c.chat_id) fail("notify_answer", "a chat listed twice");
            }
        }
    } else if (chats.error().size() > 220 || !proto::utf8_length(chats.error())) {
        fail("notify_answer", "chats error unbounded or not UTF-8");
    }

    // The message: the sender renders valid UTF-8 text; the fuzzer's may be any bytes, and the
    // limit must hold either way.
    if (as_text && (!proto::utf8_length(subject) || !proto::utf8_length(text_body))) return 0;
    const auto message = cloud::alerts::telegram_text(subject, text_body);
    if (utf16_units(message) > cloud::alerts::kTelegramMaxText)
        fail("notify_answer", "message longer than the Bot API takes");
    if (as_text && !proto::utf8_length(message))
        fail("notify_answer", "valid text cut into invalid UTF-8");
    if (as_text) {
        rapidjson::Document d;
        d.Parse(cloud::alerts::telegram_request("-1001234567890", message).c_str());
        if (d.HasParseError() || !d.IsObject() || !d["text"].IsString() ||
            std::string(d["text"].GetString(), d["text"].GetStringLength()) != message)
            fail("notify_answer", "the request does not carry the message as it is");
    }
    return 0;
}

}  // namespace printmon::fuzz
