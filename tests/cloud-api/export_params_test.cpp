// Exports without I/O: the column table (every field of every list has a Russian title), the
// format/lang parameters, CSV fields with either separator, and character limits of free text.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "api/columns.hpp"
#include "api/params.hpp"
#include "api/render.hpp"
#include "printmon/proto/utf8.hpp"

using namespace printmon;
using namespace printmon::cloud::api;

namespace {

net::Request request_with(net::QueryParams query, net::Headers headers = {}) {
    net::Request r;
    r.method = "GET";
    r.query = std::move(query);
    r.headers = std::move(headers);
    return r;
}

// At least one Cyrillic letter (U+0400..U+04FF: lead bytes D0..D3).
bool has_cyrillic(std::string_view text) {
    for (const char c : text) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0xD0U && b <= 0xD3U) return true;
    }
    return false;
}

std::string repeat(std::string_view piece, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += piece;
    return out;
}

}  // namespace

TEST_CASE("every field of every list has a Russian title", "[cloud][export]") {
    const auto& specs = list_specs();
    CHECK(specs.size() == 16);  // with the cartridge log (forecast) and the audit log
    std::set<std::string_view> names;
    for (const auto& spec : specs) {
        names.insert(spec.name);
        CHECK_FALSE(spec.fields.empty());
        std::set<std::string_view> fields;
        std::set<std::string> titles;
        for (const auto field : spec.fields) {
            INFO(spec.name << "." << field);
            CHECK(fields.insert(field).second);  // declared once
            const auto ru = russian_title(spec.name, field);
            CHECK_FALSE(ru.empty());
            CHECK(has_cyrillic(ru));
            CHECK(proto::utf8_length(ru).has_value());
            CHECK(column_title(spec.name, field, Lang::ru) == std::string(ru));
            // English titles are today's CSV header: the field names.
            CHECK(column_title(spec.name, field, Lang::en) == std::string(field));
            // Two columns of one list never share a title.
            CHECK(titles.insert(std::string(ru)).second);
        }
    }
    for (const auto name :
         {lists::kDevices, lists::kSites, lists::kScanners, lists::kUsers, lists::kTokens,
          lists::kPageVolume, lists::kMeterReads, lists::kSupplies, lists::kSupplyChanges,
          lists::kCounterEpochs, lists::kAlerts, lists::kEvents, lists::kReadings, lists::kCounters,
          lists::kCartridges, lists::kAudit}) {
        CHECK(names.count(name) == 1);
    }
    // A list-specific title wins over the general one; an unknown field has none.
    CHECK(russian_title(lists::kPageVolume, "name") == "Счётчик");
    CHECK(russian_title(lists::kScanners, "name") == "Название");
    CHECK(russian_title(lists::kDevices, "no_such_field").empty());
    CHECK(column_title(lists::kDevices, "no_such_field", Lang::ru) == "no_such_field");
}

TEST_CASE("time and date fields of the lists are marked for spreadsheets", "[cloud][export]") {
    CHECK(cell_hint("last_seen") == CellHint::time);
    CHECK(cell_hint("polled_at") == CellHint::time);
    CHECK(cell_hint("at") == CellHint::time);
    CHECK(cell_hint("day") == CellHint::date);
    CHECK(cell_hint("serial") == CellHint::plain);
    // Every field whose name says it is a time is marked as one.
    for (const auto& spec : list_specs()) {
        for (const auto field : spec.fields) {
            const std::string f(field);
            const bool timeish = f == "at" || (f.size() > 3 && f.substr(f.size() - 3) == "_at") ||
                                 f.find("_seen") != std::string::npos;
            INFO(spec.name << "." << field);
            if (timeish) CHECK(cell_hint(field) == CellHint::time);
        }
    }
}

TEST_CASE("format and lang parameters", "[cloud][export]") {
    const auto params = [](net::QueryParams q, net::Headers h = {}) {
        const auto r = request_with(std::move(q), std::move(h));
        const Params p(r, {});
        return std::pair{p.format(), p.lang()};
    };
    CHECK(params({}) == std::pair{Format::json, Lang::en});
    CHECK(params({{"format", "csv"}}) == std::pair{Format::csv, Lang::en});
    CHECK(params({{"format", "xlsx"}, {"lang", "ru"}}) == std::pair{Format::xlsx, Lang::ru});
    CHECK(params({{"format", "json"}, {"lang", "en"}}) == std::pair{Format::json, Lang::en});
    CHECK(params({}, {{"Accept", "text/csv"}}).first == Format::csv);
    CHECK(params({}, {{"Accept", std::string(kXlsxMediaType)}}).first == Format::xlsx);
    CHECK(params({}, {{"Accept", "application/json, text/csv"}}).first == Format::json);
    CHECK(params({{"format", "json"}}, {{"Accept", "text/csv"}}).first == Format::json);
    for (const char* bad : {"xx", "RU", "", "ru-RU"}) {
        INFO(bad);
        const auto r = request_with({{"lang", bad}});
        CHECK_THROWS_AS(Params(r, {}), net::HttpError);
    }
    const auto r = request_with({{"format", "xls"}});
    CHECK_THROWS_AS(Params(r, {}), net::HttpError);
}

TEST_CASE("CSV fields with ',' or ';' as separator", "[cloud][export]") {
    CHECK(csv_field("plain", true) == "plain");
    CHECK(csv_field("a,b", true) == "\"a,b\"");
    CHECK(csv_field("a;b", true) == "a;b");
    CHECK(csv_field("a;b", true, ';') == "\"a;b\"");
    CHECK(csv_field("a,b", true, ';') == "a,b");
    CHECK(csv_field("say \"hi\"", true, ';') == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\nlines", true, ';') == "\"two\nlines\"");
    CHECK(csv_field("=cmd", true, ';') == "\"'=cmd\"");
    CHECK(csv_field("-5", false, ';') == "-5");  // a number is not a formula
}

TEST_CASE("free text limits count characters, not bytes", "[cloud][export][params]") {
    const auto text = [](const std::string& value, std::size_t max) {
        const auto r = request_with({{"q", value}});
        return Params(r, {"q"}).text("q", max);
    };
    const std::string cyr100 = repeat("ж", 100);  // 200 bytes
    REQUIRE(cyr100.size() == 200);
    CHECK(text(cyr100, 100) == cyr100);
    CHECK(text(cyr100, 200) == cyr100);
    CHECK_THROWS_AS(text(cyr100, 99), net::HttpError);
    CHECK(text(repeat("ж", 200), 200).has_value());
    CHECK_THROWS_AS(text(repeat("ж", 201), 200), net::HttpError);
    CHECK(text(repeat("\xF0\x9F\x96\xA8", 200), 200).has_value());  // 4-byte characters
    CHECK_THROWS_AS(text(repeat("a", 201), 200), net::HttpError);
    try {
        text("caf\xE9", 200);  // Latin-1
        FAIL("invalid UTF-8 accepted");
    } catch (const net::HttpError& e) {
        CHECK(e.status() == 400);
        CHECK(e.code() == "invalid_parameter");
        CHECK(e.message().find("UTF-8") != std::string::npos);
    }
    CHECK_THROWS_AS(text("a\x01", 200), net::HttpError);
    CHECK_THROWS_AS(text("a\xC2\x85", 200), net::HttpError);  // U+0085, a C1 control
    CHECK(text("a\xC2\xA0", 200).has_value());                // U+00A0 is not one
}
