#include "api/render.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>

#include "api/columns.hpp"
#include "api/xlsx.hpp"
#include "auth/keys.hpp"
#include "printmon/proto/time.hpp"

namespace printmon::cloud::api {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// PostgreSQL type OIDs (pg_type.h): stable across versions.
constexpr pqxx::oid kBool = 16;
constexpr pqxx::oid kInt8 = 20;
constexpr pqxx::oid kInt2 = 21;
constexpr pqxx::oid kInt4 = 23;
constexpr pqxx::oid kJson = 114;
constexpr pqxx::oid kNumeric = 1700;
constexpr pqxx::oid kJsonb = 3802;

enum class Kind { text, integer, boolean, json, number };

struct Column {
    std::string name;
    Kind kind;
    pqxx::row::size_type index;
};

std::vector<Column> columns_of(const pqxx::result& rows) {
    std::vector<Column> out;
    for (pqxx::row::size_type i = 0; i < rows.columns(); ++i) {
        std::string name = rows.column_name(i);
        if (!name.empty() && name.front() == '_') continue;
        const auto type = rows.column_type(i);
        Kind kind = Kind::text;
        if (type == kInt8 || type == kInt4 || type == kInt2) kind = Kind::integer;
        if (type == kBool) kind = Kind::boolean;
        if (type == kJson || type == kJsonb) kind = Kind::json;
        if (type == kNumeric) kind = Kind::number;
        out.push_back({std::move(name), kind, i});
    }
    return out;
}

void write_string(Writer& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_row(Writer& w, const std::vector<Column>& columns, const pqxx::row& row,
               const Replacements& replace = {}) {
    w.StartObject();
    for (const auto& c : columns) {
        write_string(w, c.name);
        const auto r = std::find_if(replace.begin(), replace.end(),
                                    [&c](const auto& x) { return x.first == c.name; });
        if (r != replace.end()) {
            w.RawValue(r->second.data(), r->second.size(), rapidjson::kObjectType);
            continue;
        }
        const auto field = row[c.index];
        if (field.is_null()) {
            w.Null();
            continue;
        }
        const std::string_view value(field.c_str(), field.size());
        switch (c.kind) {
            case Kind::integer:
                w.Int64(field.as<long long>());
                break;
            case Kind::boolean:
                w.Bool(field.as<bool>());
                break;
            case Kind::json:
                w.RawValue(value.data(), value.size(), rapidjson::kObjectType);
                break;
            case Kind::number:
                w.RawValue(value.data(), value.size(), rapidjson::kNumberType);
                break;
            case Kind::text:
                write_string(w, value);
                break;
        }
    }
    w.EndObject();
}

long long total_of(const pqxx::result& rows) {
    for (pqxx::row::size_type i = 0; i < rows.columns(); ++i) {
        if (std::string_view(rows.column_name(i)) == "_total" && !rows.empty()) {
            return rows[0][i].as<long long>();
        }
    }
    return -1;
}

}  // namespace

namespace {

std::string weak_etag(std::string_view basis) {
    return "W/\"" + auth::key_hash_hex(basis).substr(0, 32) + "\"";
}

bool etag_matches(const net::Request& request, const std::string& etag) {
    const auto match = request.header("If-None-Match");
    return match && (match->find(etag) != std::string_view::npos || *match == "*");
}

net::Response not_modified(const std::string& etag) {
    net::Response response = net::Response::empty(304);
    response.headers.insert_or_assign("ETag", etag);
    return response;
}

void set_etag(net::Response& response, const std::string& etag) {
    response.headers.insert_or_assign("ETag", etag);
    response.headers.insert_or_assign("Cache-Control", "private, no-cache");
}

// CSV of the rows. English: RFC 4180 with ',' and the field names as header (unchanged since
// the first CSV answer). Russian: what Excel in a Russian locale opens by double-click: a
// UTF-8 BOM (else it reads Windows-1251), ';' (its list separator: ',' is the decimal one) and
// the Russian column titles; numeric values take a decimal comma.
std::string csv_text(std::string_view list, const std::vector<Column>& columns,
                     const pqxx::result& rows, Lang lang) {
    const bool ru = lang == Lang::ru;
    const char sep = ru ? ';' : ',';
    std::string out = ru ? "\xEF\xBB\xBF" : "";
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) out += sep;
        out += csv_field(column_title(list, columns[i].name, lang), false, sep);
    }
    out += "\r\n";
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const auto field = row[columns[i].index];
            if (i > 0) out += sep;
            if (field.is_null()) continue;
            std::string_view value(field.c_str(), field.size());
            std::string decimal;
            if (ru && columns[i].kind == Kind::number) {
                decimal = value;
                std::replace(decimal.begin(), decimal.end(), '.', ',');
                value = decimal;
            }
            out += csv_field(value, columns[i].kind == Kind::text, sep);
        }
        out += "\r\n";
    }
    return out;
}

// The workbook of the rows: integers and numbers as numbers, booleans as booleans, RFC 3339
// times and ISO dates of the fields api/columns.hpp marks as such as date-time cells (in the
// tenant's wall clock when `wall_clocks` is set, else UTC), everything else (JSON included) as
// text cells.
std::string xlsx_bytes(std::string_view list, const std::vector<Column>& columns,
                       const pqxx::result& rows, Lang lang, const WallClocks& wall_clocks) {
    std::vector<std::string> titles;
    std::vector<CellHint> hints;
    for (const auto& c : columns) {
        titles.push_back(column_title(list, c.name, lang));
        hints.push_back(c.kind == Kind::text ? cell_hint(c.name) : CellHint::plain);
    }
    // Every time cell of the sheet converted at once (one query for the whole export), then
    // taken in the same order below.
    std::vector<std::string> times;
    if (wall_clocks.convert) {
        for (const auto& row : rows) {
            for (std::size_t i = 0; i < columns.size(); ++i) {
                const auto field = row[columns[i].index];
                if (hints[i] == CellHint::time && !field.is_null())
                    times.emplace_back(field.c_str());
            }
        }
        times = wall_clocks.convert(times);
    }
    std::size_t next_time = 0;
    XlsxSheet sheet(list, titles);
    std::size_t r = 0;
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const auto field = row[columns[i].index];
            if (field.is_null()) continue;
            const std::string_view value(field.c_str(), field.size());
            switch (columns[i].kind) {
                case Kind::integer:
                    sheet.integer(r, i, field.as<long long>());
                    break;
                case Kind::boolean:
                    sheet.boolean(r, i, field.as<bool>());
                    break;
                case Kind::number: {
                    double number = 0;
                    const auto end = value.data() + value.size();
                    if (std::from_chars(value.data(), end, number).ptr == end) {
                        sheet.number(r, i, number);
                    } else {
                        sheet.text(r, i, value);  // NaN, Infinity
                    }
                    break;
                }
                case Kind::json:
                    sheet.text(r, i, value);
                    break;
                case Kind::text:
                    if (hints[i] == CellHint::time) {
                        const std::string_view shown =
                            next_time < times.size() ? std::string_view(times[next_time++]) : value;
                        if (const auto tp = proto::parse_rfc3339(shown)) {
                            sheet.time(r, i, *tp);
                            break;
                        }
                    } else if (hints[i] == CellHint::date) {
                        if (const auto d = parse_iso_date(value)) {
                            sheet.date(r, i, *d);
                            break;
                        }
                    }
                    sheet.text(r, i, value);
                    break;
            }
        }
        ++r;
    }
    return sheet.finish();
}

}  // namespace

net::Response with_etag(const net::Request& request, net::Response response) {
    if (response.status != 200) return response;
    const std::string etag = weak_etag(response.body);
    if (etag_matches(request, etag)) return not_modified(etag);
    set_etag(response, etag);
    return response;
}

net::Response render_list(const net::Request& request, const pqxx::result& rows,
                          const Params& params, const Page& page, std::string_view list,
                          const Extras& extras, const WallClocks& wall_clocks) {
    const auto columns = columns_of(rows);
    const long long total = total_of(rows);
    if (params.format() == Format::csv) {
        auto response = net::Response::text(csv_text(list, columns, rows, params.lang()), 200,
                                            "text/csv; charset=utf-8");
        if (total >= 0) response.headers.insert_or_assign("X-Total-Count", std::to_string(total));
        return with_etag(request, std::move(response));
    }
    if (params.format() == Format::xlsx) {
        // The bytes of a workbook change with its creation time; its ETag is that of the data
        // (as CSV) and the titles, so an unchanged list is a 304 without building the file.
        const std::string etag = weak_etag("xlsx\n" + wall_clocks.zone + "\n" +
                                           csv_text(list, columns, rows, params.lang()));
        if (etag_matches(request, etag)) return not_modified(etag);
        auto response =
            net::Response::text(xlsx_bytes(list, columns, rows, params.lang(), wall_clocks), 200,
                                std::string(kXlsxMediaType));
        response.headers.insert_or_assign(
            "Content-Disposition",
            "attachment; filename=\"" + std::string(list) + "-" + today_utc() + ".xlsx\"");
        if (total >= 0) response.headers.insert_or_assign("X-Total-Count", std::to_string(total));
        set_etag(response, etag);
        return response;
    }
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("items");
    w.StartArray();
    for (const auto& row : rows) write_row(w, columns, row);
    w.EndArray();
    w.Key("limit");
    w.Int64(page.limit);
    w.Key("offset");
    w.Int64(page.offset);
    w.Key("total");
    if (total >= 0) {
        w.Int64(total);
    } else if (page.offset == 0) {
        w.Int64(0);
    } else {
        w.Null();  // past the end: the window count has no row to ride on
    }
    w.Key("next_offset");
    if (total >= 0 && page.offset + static_cast<long long>(rows.size()) < total) {
        w.Int64(page.offset + static_cast<long long>(rows.size()));
    } else {
        w.Null();
    }
    for (const auto& [key, value] : extras) {
        write_string(w, key);
        write_string(w, value);
    }
    w.EndObject();
    return with_etag(request, net::Response::json({buffer.GetString(), buffer.GetSize()}));
}

net::Response render_object(const net::Request& request, const pqxx::result& rows) {
    return render_object(request, rows, {});
}

net::Response render_object(const net::Request& request, const pqxx::result& rows,
                            const Replacements& replace) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    write_row(w, columns_of(rows), rows[0], replace);
    return with_etag(request, net::Response::json({buffer.GetString(), buffer.GetSize()}));
}

}  // namespace printmon::cloud::api
