#include "api/render.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "auth/keys.hpp"

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

void write_row(Writer& w, const std::vector<Column>& columns, const pqxx::row& row) {
    w.StartObject();
    for (const auto& c : columns) {
        write_string(w, c.name);
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

std::string csv_field(std::string_view text, bool is_text) {
    std::string out;
    const bool formula = is_text && !text.empty() &&
                         (text.front() == '=' || text.front() == '+' || text.front() == '-' ||
                          text.front() == '@' || text.front() == '\t' || text.front() == '\r');
    const bool quote = formula || text.find_first_of(",\"\r\n") != std::string_view::npos;
    if (quote) out += '"';
    if (formula) out += '\'';
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    if (quote) out += '"';
    return out;
}

net::Response with_etag(const net::Request& request, net::Response response) {
    if (response.status != 200) return response;
    const std::string etag = "W/\"" + auth::key_hash_hex(response.body).substr(0, 32) + "\"";
    const auto match = request.header("If-None-Match");
    if (match && (match->find(etag) != std::string_view::npos || *match == "*")) {
        net::Response not_modified = net::Response::empty(304);
        not_modified.headers.insert_or_assign("ETag", etag);
        return not_modified;
    }
    response.headers.insert_or_assign("ETag", etag);
    response.headers.insert_or_assign("Cache-Control", "private, no-cache");
    return response;
}

net::Response render_list(const net::Request& request, const pqxx::result& rows,
                          const Params& params, const Page& page, const Extras& extras) {
    const auto columns = columns_of(rows);
    const long long total = total_of(rows);
    if (params.csv()) {
        std::string out;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            out += (i == 0 ? "" : ",") + csv_field(columns[i].name, false);
        }
        out += "\r\n";
        for (const auto& row : rows) {
            for (std::size_t i = 0; i < columns.size(); ++i) {
                const auto field = row[columns[i].index];
                if (i > 0) out += ',';
                if (!field.is_null()) {
                    out += csv_field(std::string_view(field.c_str(), field.size()),
                                     columns[i].kind == Kind::text);
                }
            }
            out += "\r\n";
        }
        auto response = net::Response::text(std::move(out), 200, "text/csv; charset=utf-8");
        if (total >= 0) response.headers.insert_or_assign("X-Total-Count", std::to_string(total));
        return with_etag(request, std::move(response));
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
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    write_row(w, columns_of(rows), rows[0]);
    return with_etag(request, net::Response::json({buffer.GetString(), buffer.GetSize()}));
}

}  // namespace printmon::cloud::api
