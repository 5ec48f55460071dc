#pragma once
// Query results to HTTP answers: a list (JSON envelope with paging, or CSV or an .xlsx
// workbook with the same columns and rows), or one object. Column types come from PostgreSQL
// (integers stay 64-bit integers, json/jsonb is embedded as JSON, everything else is a string), so
// handlers only write SQL. Columns whose name starts with '_' are not shown (_total carries
// count(*) OVER ()). Every answer gets a weak ETag; a matching If-None-Match is a 304.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pqxx/result>

#include "api/params.hpp"
#include "printmon/common/csv.hpp"
#include "printmon/net/http.hpp"

namespace printmon::cloud::api {

/// Extra top-level string fields of a JSON list envelope (e.g. the period of a page volume).
using Extras = std::vector<std::pair<std::string, std::string>>;

/// The tenant's wall clock for a spreadsheet: `convert` takes RFC 3339 instants and answers the
/// same count of local times written with a "Z" (api::local_wall_clocks). No `convert`: cells
/// stay in UTC. `zone` is part of the export's ETag (a new zone is a new workbook).
struct WallClocks {
    std::string zone = "UTC";
    std::function<std::vector<std::string>(const std::vector<std::string>&)> convert;
};

/// {"items":[...],"limit":L,"offset":O,"total":T,"next_offset":N|null, extras...}, or the
/// same rows as CSV or XLSX (params.format()) with the column titles of params.lang() and
/// X-Total-Count. `list` names the list (api/columns.hpp: titles, the export's file name).
/// XLSX date-time cells show `wall_clocks`' local times (a cell has no zone; JSON and CSV keep
/// the instants in RFC 3339 UTC, which say their zone).
net::Response render_list(const net::Request& request, const pqxx::result& rows,
                          const Params& params, const Page& page, std::string_view list,
                          const Extras& extras = {}, const WallClocks& wall_clocks = {});

/// The first row as a JSON object (the caller checked there is one).
net::Response render_object(const net::Request& request, const pqxx::result& rows);

/// Column name -> raw JSON written in place of that column's value.
using Replacements = std::vector<std::pair<std::string, std::string>>;
/// render_object with the values of some columns replaced (the device's supplies with their
/// forecasts).
net::Response render_object(const net::Request& request, const pqxx::result& rows,
                            const Replacements& replace);

/// Adds an ETag to a 200 answer, or turns it into a 304 when If-None-Match matches.
net::Response with_etag(const net::Request& request, net::Response response);

/// One CSV field: printmon::common::csv_field (shared with the scanner's export).
using common::csv_field;

}  // namespace printmon::cloud::api
