#include "alerts/render.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <functional>
#include <map>

#include <fmt/format.h>

namespace printmon::cloud::alerts {
namespace {

bool ru(const std::string& language) { return language == "ru"; }

std::string kind_title(const std::string& kind, const std::string& language) {
    const bool r = ru(language);
    if (kind == "supply_low") return r ? "Заканчивается расходный материал" : "Supply low";
    if (kind == "device_error") return r ? "Ошибка устройства" : "Device error";
    if (kind == "device_silent") return r ? "Устройство не опрашивается" : "Device not polled";
    if (kind == "scanner_silent") return r ? "Сканер не выгружает данные" : "Scanner not uploading";
    if (kind == "counter_anomaly") return r ? "Аномалия счётчика страниц" : "Page counter anomaly";
    return kind;
}

std::string severity_title(const std::string& severity, const std::string& language) {
    if (!ru(language)) return severity;
    if (severity == "critical") return "критично";
    if (severity == "warning") return "предупреждение";
    return "информация";
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// The webhook envelope {"notification_id", "event", "tenant_id", "alert": ...}, one writer for
/// the alert's messages and the channel test; `alert` writes the alert member's value.
std::string webhook_document(const std::string& notification_id, const std::string& event,
                             const std::string& tenant_id,
                             const std::function<void(Writer&)>& alert) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    const auto text = [&w](const char* key, const std::string& v) {
        w.Key(key);
        w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
    };
    w.StartObject();
    text("notification_id", notification_id);
    text("event", event);
    text("tenant_id", tenant_id);
    w.Key("alert");
    alert(w);
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

/// The e-mails' last lines; `settings`: also where alert settings are.
std::string signature(bool r, bool settings) {
    if (settings) {
        return r ? "\n-- \nprintmon: мониторинг принтеров. Настройки оповещений — в облачной "
                   "консоли.\n"
                 : "\n-- \nprintmon printer monitoring. Alert settings are in the cloud console.\n";
    }
    return r ? "\n-- \nprintmon: мониторинг принтеров.\n" : "\n-- \nprintmon printer monitoring.\n";
}

// Days as people read them: "3", "2.5".
std::string days_text(double days) {
    return std::abs(days - std::round(days)) < 0.05 ? fmt::format("{:.0f}", days)
                                                    : fmt::format("{:.1f}", days);
}

}  // namespace

std::string supply_reason(const AlertView& a, const std::string& language) {
    if (a.kind != "supply_low") return {};
    const bool r = ru(language);
    std::vector<std::string> parts;
    // The level part holds when the level is at or below the rule's percent, or the device says
    // low or empty without one (no value and no forecast). Rationale: without a level the
    // conditions (engine.cpp) open an empty supply as critical and a low one as a warning, so
    // the severity is what the device said; both used to read "reports it empty".
    if (a.value && *a.value <= a.rule_threshold) {
        parts.push_back(fmt::format(fmt::runtime(r ? "уровень {} % — не выше {} % по правилу"
                                                   : "level {} % is at or below the rule's {} %"),
                                    *a.value, a.rule_threshold));
    } else if (!a.value && !a.forecast_days) {
        const bool empty = a.severity == "critical";
        parts.emplace_back(
            r ? (empty ? "устройство сообщает, что материал закончился"
                       : "устройство сообщает, что материал заканчивается")
              : (empty ? "the device reports it empty" : "the device reports it low"));
    }
    if (a.forecast_days) {
        parts.push_back(fmt::format(
            fmt::runtime(r ? "по прогнозу закончится через {} дн. — в пределах {} дн. по правилу"
                           : "forecast empty in {} days, within the rule's {} days"),
            days_text(*a.forecast_days), a.rule_forecast_days.value_or(0)));
    }
    return fmt::format("{}", fmt::join(parts, "; "));
}

std::string describe_target(const AlertView& a, const std::string& language) {
    const bool r = ru(language);
    if (a.scanner_id && !a.device_id) {
        std::string out = fmt::format(fmt::runtime(r ? "сканер «{}»" : "scanner '{}'"),
                                      a.scanner_name.empty() ? *a.scanner_id : a.scanner_name);
        if (!a.site.empty())
            out += fmt::format(fmt::runtime(r ? ", площадка {}" : ", site {}"), a.site);
        return out;
    }
    std::string name = a.vendor;
    if (!a.model.empty()) name += (name.empty() ? "" : " ") + a.model;
    if (name.empty()) name = r ? "устройство" : "device";
    std::vector<std::string> parts;
    if (!a.serial.empty())
        parts.push_back(fmt::format(fmt::runtime(r ? "с/н {}" : "serial {}"), a.serial));
    if (!a.location.empty()) parts.push_back(a.location);
    if (!a.site.empty())
        parts.push_back(fmt::format(fmt::runtime(r ? "площадка {}" : "site {}"), a.site));
    if (parts.empty()) return name;
    return fmt::format("{} ({})", name, fmt::join(parts, ", "));
}

std::string rule_title(const std::string& name, const std::string& language) {
    if (!ru(language)) return name;
    // Keep in step with V0011's pm_seed_alert_rules and the console's rule_seed_* texts.
    static const std::map<std::string, std::string, std::less<>> kRussian = {
        {"Supply at or below 10 %", "Остаток расходника 10 % или меньше"},
        {"Device error for 15 minutes", "Ошибка устройства дольше 15 минут"},
        {"Device not polled for 24 hours", "Устройство не отвечает 24 часа"},
        {"Scanner not uploading for 4 hours", "Сканер не передаёт данные 4 часа"},
        {"Page counter anomaly", "Аномалия счётчика страниц"},
    };
    const auto it = kRussian.find(name);
    return it == kRussian.end() ? name : it->second;
}

EmailText render_email(const AlertView& a, const std::string& event, const std::string& language) {
    const bool r = ru(language);
    const bool resolved = event == "resolved";
    EmailText out;
    const std::string what = describe_target(a, language);
    const std::string prefix = resolved
                                   ? (r ? "[printmon] Устранено" : "[printmon] Resolved")
                                   : (a.severity == "critical" ? "[printmon] !!" : "[printmon]");
    out.subject = fmt::format("{} {}: {}", prefix, kind_title(a.kind, language), what);
    std::string body;
    body += fmt::format("{}: {}\n", r ? "Правило" : "Rule", rule_title(a.rule_name, language));
    body += fmt::format("{}: {}\n", r ? "Объект" : "Target", what);
    if (!a.detail.empty()) body += fmt::format("{}: {}\n", r ? "Подробности" : "Detail", a.detail);
    if (const auto why = supply_reason(a, language); !why.empty() && !resolved) {
        body += fmt::format("{}: {}\n", r ? "Причина" : "Why", why);
    }
    body +=
        fmt::format("{}: {}\n", r ? "Важность" : "Severity", severity_title(a.severity, language));
    body += fmt::format("{}: {}\n", r ? "С" : "Since", a.since);
    if (resolved && a.resolved_at) {
        body += fmt::format("{}: {}\n", r ? "Устранено" : "Resolved", *a.resolved_at);
    }
    body += fmt::format("\n{}: {}\n", r ? "Оповещение" : "Alert", a.alert_id);
    body += signature(r, true);
    out.body = std::move(body);
    return out;
}

EmailText render_digest(const std::vector<AlertView>& alerts, const std::string& day,
                        const std::string& language) {
    const bool r = ru(language);
    EmailText out;
    out.subject = fmt::format(fmt::runtime(r ? "[printmon] Сводка оповещений за {}: {}"
                                             : "[printmon] Alert digest for {}: {}"),
                              day, alerts.size());
    std::string body = r ? "Оповещения за последние сутки и открытые сейчас:\n\n"
                         : "Alerts of the last day and those still open:\n\n";
    for (const auto& a : alerts) {
        const std::string state =
            a.state == "resolved" ? (r ? "устранено" : "resolved") : (r ? "открыто" : "open");
        body += fmt::format("- [{}] {}: {}{}{}\n", state, kind_title(a.kind, language),
                            describe_target(a, language), a.detail.empty() ? "" : " - ", a.detail);
    }
    body += signature(r, false);
    out.body = std::move(body);
    return out;
}

std::string render_webhook(const std::string& notification_id, const AlertView& a,
                           const std::string& event) {
    return webhook_document(notification_id, event, a.tenant_id, [&a](Writer& w) {
        const auto text = [&w](const char* key, const std::string& v) {
            w.Key(key);
            w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
        };
        const auto opt = [&w, &text](const char* key, const std::optional<std::string>& v) {
            if (v) {
                text(key, *v);
            } else {
                w.Key(key);
                w.Null();
            }
        };
        w.StartObject();
        text("alert_id", a.alert_id);
        text("rule_id", a.rule_id);
        text("rule_name", a.rule_name);
        text("kind", a.kind);
        text("severity", a.severity);
        text("state", a.state);
        opt("device_id", a.device_id);
        opt("scanner_id", a.scanner_id);
        text("subject", a.subject);
        text("detail", a.detail);
        w.Key("value");
        if (a.value) {
            w.Int64(*a.value);
        } else {
            w.Null();
        }
        text("since", a.since);
        opt("opened_at", a.opened_at);
        opt("resolved_at", a.resolved_at);
        text("vendor", a.vendor);
        text("model", a.model);
        text("serial", a.serial);
        text("location", a.location);
        text("site", a.site);
        // Why a supply alert holds: the numbers, and the English sentence for chat receivers.
        w.Key("forecast_days");
        if (a.forecast_days) {
            w.Double(*a.forecast_days);
        } else {
            w.Null();
        }
        w.Key("rule_threshold");
        w.Int(a.rule_threshold);
        w.Key("rule_forecast_days");
        if (a.rule_forecast_days) {
            w.Int(*a.rule_forecast_days);
        } else {
            w.Null();
        }
        text("reason", supply_reason(a, "en"));
        w.EndObject();
    });
}

EmailText render_test_email(const std::string& channel_name, const std::string& language) {
    if (ru(language)) {
        return {"[printmon] Проверка канала уведомлений",
                fmt::format("Это проверочное сообщение printmon для канала «{}».\n"
                            "Если вы его видите, оповещения по этому адресу будут доставлены.\n",
                            channel_name)};
    }
    return {"[printmon] Notification channel test",
            fmt::format("This is a printmon test message for the channel \"{}\".\n"
                        "If you can read it, alerts sent to this address will arrive.\n",
                        channel_name)};
}

EmailText render_password_reset_email(const std::string& email, const std::string& tenant_name,
                                      const std::string& link, long long valid_minutes,
                                      const std::string& language) {
    if (ru(language)) {
        // "в течение" takes the genitive: 1, 21, 31 минуты; 2, 5, 11, 30 минут.
        const bool one = valid_minutes % 10 == 1 && valid_minutes % 100 != 11;
        return {"[printmon] Сброс пароля",
                fmt::format("Здравствуйте!\n\n"
                            "Для учётной записи {} в организации «{}» запрошен сброс пароля "
                            "консоли printmon.\n\n"
                            "Чтобы задать новый пароль, откройте ссылку в течение {} {}:\n"
                            "{}\n\n"
                            "Ссылка действует один раз. После смены пароля все открытые сеансы "
                            "этой учётной записи будут завершены.\n\n"
                            "Если вы не запрашивали сброс, просто не обращайте внимания на это "
                            "письмо: пароль останется прежним.\n",
                            email, tenant_name, valid_minutes, one ? "минуты" : "минут", link)};
    }
    return {"[printmon] Reset your password",
            fmt::format("Hello,\n\n"
                        "Someone asked to reset the printmon console password of the account {} "
                        "in \"{}\".\n\n"
                        "To choose a new password, open this link within {} minute{}:\n"
                        "{}\n\n"
                        "The link works once. Changing the password ends every open session of "
                        "the account.\n\n"
                        "If you did not ask for this, ignore this message: your password stays "
                        "as it is.\n",
                        email, tenant_name, valid_minutes, valid_minutes == 1 ? "" : "s", link)};
}

std::string render_test_webhook(const std::string& notification_id, const std::string& tenant_id) {
    return webhook_document(notification_id, "test", tenant_id, [](Writer& w) { w.Null(); });
}

}  // namespace printmon::cloud::alerts
