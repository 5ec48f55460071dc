#include "alerts/telegram.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include <fmt/format.h>

#include "printmon/proto/utf8.hpp"

namespace printmon::cloud::alerts {
namespace {

bool all_of(const std::string& s, std::size_t from, bool (*ok)(unsigned char)) {
    return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from), s.end(),
                       [ok](char c) { return ok(static_cast<unsigned char>(c)); });
}

bool digit(unsigned char c) { return std::isdigit(c) != 0; }
bool word(unsigned char c) { return std::isalnum(c) != 0 || c == '_'; }
bool token_char(unsigned char c) { return std::isalnum(c) != 0 || c == '_' || c == '-'; }

/// The Bot API's "description", when it gave one: at most 200 bytes cut on a character
/// boundary; text that is not UTF-8 or has control characters (not Telegram's) is left out, so
/// the delivery log and the console show only valid text.
std::string bot_api_description(const rapidjson::Document& doc) {
    std::string description;
    if (!doc.IsObject() || !doc.HasMember("description") || !doc["description"].IsString()) {
        return description;
    }
    description.assign(doc["description"].GetString(), doc["description"].GetStringLength());
    std::size_t end = std::min<std::size_t>(description.size(), 200);
    while (end > 0 && end < description.size() &&
           (static_cast<unsigned char>(description[end]) & 0xc0) == 0x80) {
        --end;
    }
    description.resize(end);
    const bool control = std::any_of(description.begin(), description.end(),
                                     [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (control || !proto::utf8_length(description)) description.clear();
    return description;
}

std::string status_detail(long http_status, const std::string& description) {
    return description.empty() ? fmt::format("HTTP {}", http_status)
                               : fmt::format("HTTP {}: {}", http_status, description);
}

/// A string member that is valid UTF-8 without control characters, at most `max` bytes, or "".
std::string clean_text(const rapidjson::Value& v, const char* key, std::size_t max) {
    if (!v.HasMember(key) || !v[key].IsString()) return {};
    std::string out(v[key].GetString(), v[key].GetStringLength());
    if (out.size() > max || !proto::utf8_length(out)) return {};
    if (std::any_of(out.begin(), out.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
        return {};
    }
    return out;
}

}  // namespace

bool valid_telegram_chat(const std::string& chat) {
    if (!chat.empty() && chat[0] == '@') {
        const std::size_t name = chat.size() - 1;
        return name >= 5 && name <= 32 && std::isalpha(static_cast<unsigned char>(chat[1])) != 0 &&
               all_of(chat, 1, word);
    }
    const std::size_t from = !chat.empty() && chat[0] == '-' ? 1 : 0;
    const std::size_t digits = chat.size() - from;
    // Telegram's ids fit in 52 bits (16 digits with the "-100" of a channel's): longer is no
    // chat, and would not fit the request's integer.
    return digits >= 3 && digits <= 16 && all_of(chat, from, digit) && chat[from] != '0';
}

bool valid_telegram_token(const std::string& token) {
    const auto colon = token.find(':');
    if (colon == std::string::npos || colon < 3 || colon > 20) return false;
    const std::string id = token.substr(0, colon);
    const std::string key = token.substr(colon + 1);
    return all_of(id, 0, digit) && key.size() >= 30 && key.size() <= 100 &&
           all_of(key, 0, token_char);
}

std::string telegram_text(const std::string& subject, const std::string& body) {
    std::string text = subject.empty() ? body : body.empty() ? subject : subject + "\n\n" + body;
    // The Bot API counts UTF-16 code units: a code point above U+FFFF takes two.
    const std::string ellipsis = "\xe2\x80\xa6";
    std::size_t units = 0;
    std::size_t cut = std::string::npos;  // where the text must end to leave room for "…"
    for (std::size_t i = 0; i < text.size();) {
        std::size_t n = proto::utf8_sequence_length(text, i);
        if (n == 0) n = 1;  // rendered by us, so valid; a stray byte counts as one
        const std::size_t u = n == 4 ? 2 : 1;
        if (units + u > kTelegramMaxText - 1 && cut == std::string::npos) cut = i;
        units += u;
        i += n;
    }
    if (units <= kTelegramMaxText) return text;
    // A digest is a list: end it after a whole line when one ends in the second half.
    const auto line_end = text.rfind('\n', cut - 1);
    if (line_end != std::string::npos && line_end >= cut / 2) cut = line_end + 1;
    text.resize(cut);
    return text + ellipsis;
}

std::string telegram_request(const std::string& chat, const std::string& text) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("chat_id");
    if (!chat.empty() && chat[0] == '@') {
        w.String(chat.c_str(), static_cast<rapidjson::SizeType>(chat.size()));
    } else {
        w.Int64(std::stoll(chat));
    }
    w.Key("text");
    w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
    // A console link in the text must not unfold into a preview of the sign-in page.
    w.Key("disable_web_page_preview");
    w.Bool(true);
    w.EndObject();
    return buffer.GetString();
}

TelegramAnswer telegram_answer(long http_status, const std::string& body) {
    TelegramAnswer a;
    rapidjson::Document doc;
    doc.Parse(body.c_str(), body.size());
    const bool parsed = !doc.HasParseError() && doc.IsObject();
    // The Bot API's own answer, not a proxy's or a misconfigured base URL's page.
    const bool bot_api = parsed && doc.HasMember("ok") && doc["ok"].IsBool();
    const bool ok = bot_api && doc["ok"].GetBool();
    a.detail = status_detail(http_status, parsed ? bot_api_description(doc) : std::string());
    if (http_status >= 200 && http_status < 300 && ok) {
        a.outcome = TelegramAnswer::Outcome::sent;
        return a;
    }
    if (http_status == 429) {
        if (parsed && doc.HasMember("parameters") && doc["parameters"].IsObject()) {
            const auto& p = doc["parameters"];
            if (p.HasMember("retry_after") && p["retry_after"].IsInt64() &&
                p["retry_after"].GetInt64() > 0) {
                a.wait = std::chrono::seconds(
                    std::min<std::int64_t>(p["retry_after"].GetInt64(), std::int64_t{24} * 3600));
            }
        }
        a.outcome = TelegramAnswer::Outcome::retry;
        return a;
    }
    // The Bot API's Bad Request (chat not found), Unauthorized (revoked token), Forbidden (bot
    // removed from the chat or blocked by the user), Not Found (no such bot): the same message
    // can never go through; the delivery log says why. Anything else (5xx, a proxy's error
    // page, a 200 that is not the Bot API's) may pass later.
    if (bot_api &&
        (http_status == 400 || http_status == 401 || http_status == 403 || http_status == 404)) {
        a.outcome = TelegramAnswer::Outcome::failed;
        return a;
    }
    a.outcome = TelegramAnswer::Outcome::retry;
    return a;
}

std::string telegram_updates_request() {
    // allowed_updates is left out: an empty list would change what the bot receives from now
    // on, for whatever else uses it.
    return R"({"timeout":0,"limit":100})";
}

tl::expected<std::vector<TelegramChat>, std::string> telegram_chats(long http_status,
                                                                    const std::string& body) {
    rapidjson::Document doc;
    doc.Parse(body.c_str(), body.size());
    const bool parsed = !doc.HasParseError() && doc.IsObject();
    const bool ok = parsed && doc.HasMember("ok") && doc["ok"].IsBool() && doc["ok"].GetBool();
    if (http_status < 200 || http_status >= 300 || !ok || !doc.HasMember("result") ||
        !doc["result"].IsArray()) {
        return tl::make_unexpected(
            status_detail(http_status, parsed ? bot_api_description(doc) : std::string()));
    }
    // Where an update names its chat (message kinds, membership changes, join requests).
    static constexpr std::array<const char*, 7> kWithChat = {
        "message",        "edited_message", "channel_post",     "edited_channel_post",
        "my_chat_member", "chat_member",    "chat_join_request"};
    std::vector<TelegramChat> chats;
    const auto& updates = doc["result"].GetArray();
    for (auto u = updates.End(); u != updates.Begin() && chats.size() < kTelegramMaxChats;) {
        --u;  // newest first
        if (!u->IsObject()) continue;
        for (const char* kind : kWithChat) {
            if (!u->HasMember(kind) || !(*u)[kind].IsObject()) continue;
            const auto& holder = (*u)[kind];
            if (!holder.HasMember("chat") || !holder["chat"].IsObject()) continue;
            const auto& chat = holder["chat"];
            if (!chat.HasMember("id") || !chat["id"].IsInt64()) continue;
            const std::string id = std::to_string(chat["id"].GetInt64());
            if (!valid_telegram_chat(id)) continue;
            if (std::any_of(chats.begin(), chats.end(),
                            [&](const TelegramChat& c) { return c.chat_id == id; })) {
                continue;
            }
            TelegramChat c{id, clean_text(chat, "title", 256), clean_text(chat, "type", 16)};
            if (c.title.empty()) {  // a person: the name, else the username
                c.title = clean_text(chat, "first_name", 128);
                const auto last = clean_text(chat, "last_name", 128);
                if (!last.empty()) c.title += (c.title.empty() ? "" : " ") + last;
                const auto user = clean_text(chat, "username", 64);
                if (c.title.empty() && !user.empty()) c.title = "@" + user;
            }
            chats.push_back(std::move(c));
            break;
        }
    }
    return chats;
}

}  // namespace printmon::cloud::alerts
