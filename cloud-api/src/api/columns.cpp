#include "api/columns.hpp"

#include <algorithm>
#include <array>

namespace printmon::cloud::api {
namespace {

struct Title {
    std::string_view list;  ///< "" = the field in every list
    std::string_view field;
    std::string_view ru;
};

// Russian column titles. A field means the same in every list unless a list-specific line
// (list set) says otherwise. The wording is the cloud console's Russian catalogue ("площадка"
// is a site, "сканер" a branch scanner), so an export reads like the page it came from.
constexpr std::array kTitles = std::to_array<Title>({
    {"", "device_id", "ID устройства"},
    {"", "vendor", "Производитель"},
    {"", "model", "Модель"},
    {"", "serial", "Серийный номер"},
    {"", "mac", "MAC-адрес"},
    {"", "location", "Расположение"},
    {"", "address", "Адрес"},
    {"", "site", "Площадка"},
    {"", "scanner_id", "ID сканера"},
    {"", "scanner_name", "Сканер"},
    {"", "first_seen", "Впервые обнаружен"},
    {"", "last_seen", "Последняя связь"},
    {"", "status", "Состояние"},
    {"", "printer_status", "Статус принтера"},
    {"", "errors", "Ошибки"},
    {"", "min_supply_percent", "Мин. остаток, %"},
    {"", "supply_claim", "Расходник по сообщению принтера"},
    {"", "total", "Всего страниц"},
    {"", "retired_at", "Списано"},
    {"", "scanners", "Сканеров"},
    {"", "devices", "Устройств"},
    {"", "health", "Состояние"},
    {"", "with_errors", "С ошибками"},
    {"", "enrolled", "Подключён"},
    {"", "backlog_readings", "Не выгружено показаний"},
    {"", "backlog_events", "Не выгружено событий"},
    {"", "backlog_oldest_at", "Самое старое невыгруженное"},
    {"", "name", "Название"},
    {lists::kPageVolume, "name", "Счётчик"},
    {lists::kMeterReads, "name", "Счётчик"},
    {lists::kCounterEpochs, "name", "Счётчик"},
    {lists::kCounters, "name", "Счётчик"},
    {"", "key_prefix", "Префикс ключа"},
    {"", "created_at", "Создан"},
    {"", "revoked_at", "Отозван"},
    {"", "last_version", "Версия"},
    {"", "user_id", "ID пользователя"},
    {"", "email", "Эл. почта"},
    {"", "role", "Роль"},
    {"", "disabled_at", "Отключён"},
    {"", "token_id", "ID токена"},
    {"", "pages", "Страниц"},
    {"", "readings", "Показаний"},
    {"", "epochs", "Смен эпохи счётчика"},
    {"", "at", "Время"},
    {lists::kMeterReads, "at", "На момент"},
    {lists::kSupplyChanges, "at", "Время замены"},
    {"", "value", "Значение"},
    {"", "interpolated", "Интерполировано"},
    {"", "reading_at", "Время показания"},
    {"", "reading_value", "Значение показания"},
    {"", "next_reading_at", "Время следующего показания"},
    {"", "next_reading_value", "Значение следующего показания"},
    {"", "description", "Описание"},
    {"", "type", "Тип"},
    {"", "color", "Цвет"},
    {"", "supply_class", "Класс расходника"},
    {"", "level_percent", "Уровень, %"},
    {"", "state", "Состояние"},
    {lists::kAlerts, "state", "Статус"},
    {"", "polled_at", "Время опроса"},
    {"", "previous_at", "Время предыдущего показания"},
    {"", "previous_percent", "Предыдущий уровень, %"},
    {"", "kind", "Тип"},
    {lists::kCounterEpochs, "kind", "Причина"},
    {lists::kEvents, "kind", "Тип события"},
    {"", "reading_id", "ID показания"},
    {"", "previous_reading_id", "ID предыдущего показания"},
    {"", "previous_value", "Предыдущее значение"},
    {"", "previous_serial", "Предыдущий серийный номер"},
    {"", "code", "Код"},
    {"", "severity", "Важность"},
    {"", "started_at", "Начало"},
    {"", "ended_at", "Окончание"},
    {"", "detail", "Подробности"},
    {"", "event_id", "ID события"},
    {"", "action", "Действие"},
    {"", "entry_id", "ID записи"},
    {"", "actor_kind", "Кто: тип"},
    {"", "actor", "Кто"},
    {"", "target_id", "ID объекта"},
    {"", "target", "Объект"},
    {lists::kAudit, "address", "IP-адрес"},
    {"", "received_at", "Время получения"},
    {"", "snapshot", "Снимок (JSON)"},
    {"", "day", "День"},
    {"", "supply", "Расходник"},
    {"", "installed_at", "Установлен"},
    {"", "last_seen_at", "Последнее показание"},
    {"", "replaced_at", "Заменён"},
    {"", "current", "Текущий"},
    {lists::kCartridges, "pages", "Напечатано страниц"},
    {"", "days", "Дней"},
    {"", "forecast_status", "Прогноз"},
    {"", "days_to_empty", "Дней до окончания"},
    {"", "days_low", "Дней до окончания, не меньше"},
    {"", "days_high", "Дней до окончания, не больше"},
    {"", "pages_remaining", "Осталось страниц"},
});

// Text fields holding pm_rfc3339() times (UTC) or ISO dates.
constexpr std::array<std::string_view, 18> kTimeFields = {
    "first_seen", "last_seen",         "created_at",   "revoked_at",   "disabled_at", "at",
    "reading_at", "next_reading_at",   "polled_at",    "received_at",  "previous_at", "started_at",
    "ended_at",   "backlog_oldest_at", "installed_at", "last_seen_at", "replaced_at", "retired_at"};
constexpr std::array<std::string_view, 1> kDateFields = {"day"};

}  // namespace

const std::vector<ListSpec>& list_specs() {
    // The columns each list's statement answers (api/queries.cpp), in their order.
    static const std::vector<ListSpec> kSpecs = {
        {lists::kDevices,
         {"device_id", "vendor", "model", "serial", "mac", "location", "address", "site",
          "scanner_id", "first_seen", "last_seen", "status", "printer_status", "errors",
          "min_supply_percent", "supply_claim", "total", "retired_at"}},
        {lists::kSites,
         {"site", "scanners", "devices", "with_errors", "last_seen", "backlog_readings",
          "backlog_events", "backlog_oldest_at", "health"}},
        {lists::kScanners,
         {"scanner_id", "name", "site", "key_prefix", "created_at", "revoked_at", "last_seen",
          "last_version", "backlog_readings", "backlog_events", "backlog_oldest_at", "enrolled",
          "devices", "with_errors", "health"}},
        {lists::kUsers, {"user_id", "email", "role", "created_at", "disabled_at"}},
        {lists::kTokens, {"token_id", "name", "key_prefix", "created_at", "revoked_at"}},
        {lists::kPageVolume,
         {"device_id", "vendor", "model", "serial", "site", "name", "pages", "readings", "epochs"}},
        {lists::kMeterReads,
         {"device_id", "vendor", "model", "serial", "site", "name", "at", "value", "interpolated",
          "reading_at", "reading_value", "next_reading_at", "next_reading_value"}},
        {lists::kSupplies,
         {"device_id", "vendor", "model", "serial", "location", "site", "description", "type",
          "color", "supply_class", "level_percent", "state", "polled_at", "forecast_status",
          "days_to_empty", "days_low", "days_high", "pages_remaining"}},
        {lists::kSupplyChanges,
         {"device_id", "vendor", "model", "serial", "site", "description", "type", "color", "at",
          "previous_at", "previous_percent", "level_percent"}},
        {lists::kCounterEpochs,
         {"device_id", "vendor", "model", "site", "name", "at", "kind", "reading_id", "value",
          "serial", "previous_reading_id", "previous_at", "previous_value", "previous_serial"}},
        {lists::kAlerts,
         {"device_id", "vendor", "model", "location", "site", "kind", "code", "severity", "state",
          "started_at", "ended_at", "detail"}},
        {lists::kEvents,
         {"event_id", "device_id", "vendor", "model", "site", "scanner_id", "at", "kind", "code",
          "action", "severity", "detail"}},
        {lists::kReadings,
         {"reading_id", "scanner_id", "scanner_name", "polled_at", "received_at", "total",
          "snapshot"}},
        {lists::kCounters, {"name", "polled_at", "value", "day", "pages", "readings", "epochs"}},
        {lists::kCartridges,
         {"supply", "description", "type", "color", "installed_at", "previous_percent",
          "level_percent", "last_seen_at", "replaced_at", "current", "pages", "days"}},
        {lists::kAudit,
         {"entry_id", "at", "actor_kind", "actor", "action", "target_id", "target", "detail",
          "address"}},
    };
    return kSpecs;
}

std::string_view russian_title(std::string_view list, std::string_view field) {
    std::string_view general;
    for (const auto& t : kTitles) {
        if (t.field != field) continue;
        if (t.list == list) return t.ru;
        if (t.list.empty()) general = t.ru;
    }
    return general;
}

std::string column_title(std::string_view list, std::string_view field, Lang lang) {
    if (lang == Lang::ru) {
        const auto ru = russian_title(list, field);
        if (!ru.empty()) return std::string(ru);
    }
    return std::string(field);
}

CellHint cell_hint(std::string_view field) {
    const auto in = [field](const auto& set) {
        return std::find(set.begin(), set.end(), field) != set.end();
    };
    if (in(kTimeFields)) return CellHint::time;
    if (in(kDateFields)) return CellHint::date;
    return CellHint::plain;
}

}  // namespace printmon::cloud::api
