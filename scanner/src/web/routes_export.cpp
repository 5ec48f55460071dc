// Offline export of readings (JSON envelope or CSV) for branches without a cloud link.

#include "web/web_impl.hpp"

#include <fmt/format.h>
#include <pqxx/transaction>

#include "printmon/proto/time.hpp"
#include "storage/export.hpp"

namespace printmon::scanner::web {

using net::HttpError;
using net::Request;
using net::Response;

namespace {

std::optional<std::chrono::system_clock::time_point> parse_day(const std::string& text) {
    return proto::parse_rfc3339(text + "T00:00:00Z");
}

}  // namespace

Response WebApp::Impl::export_readings(Request& request) {
    storage::ExportFilter filter;
    const auto scope = request.query_param("scope").value_or("unsent");
    if (scope == "unsent") {
        filter.scope = storage::ExportFilter::Scope::unsent;
    } else if (scope == "all") {
        filter.scope = storage::ExportFilter::Scope::all;
    } else if (scope == "range") {
        filter.scope = storage::ExportFilter::Scope::range;
        const auto from = parse_day(std::string(request.query_param("from").value_or("")));
        const auto to = parse_day(std::string(request.query_param("to").value_or("")));
        if (!from || !to) {
            throw HttpError(400, "invalid_query", "from and to must be dates (YYYY-MM-DD)");
        }
        if (*to < *from)
            throw HttpError(400, "invalid_query", "the end date is before the start date");
        filter.from = *from;
        filter.to = *to + std::chrono::hours(24);  // "to" is inclusive in the UI
    } else {
        throw HttpError(400, "invalid_query", "scope must be unsent, all or range");
    }
    const auto format = request.query_param("format").value_or("json");
    if (format != "json" && format != "csv") {
        throw HttpError(400, "invalid_query", "format must be json or csv");
    }
    std::vector<proto::Batch> batches;
    std::size_t skipped = 0;
    db([&](WebStore& s) {
        const auto settings = s.store().load_settings();
        storage::ExportSource source{settings.scanner_id, PRINTMON_VERSION, clock.now()};
        pqxx::read_transaction tx(s.raw());
        try {
            batches = storage::build_export_batches(tx, filter, source, &skipped);
        } catch (const storage::ExportTooLarge& e) {
            throw HttpError(413, "export_too_large", e.what());
        }
    });
    std::size_t readings = 0;
    for (const auto& b : batches) readings += b.readings.size();
    log->info("event=export format={} scope={} batches={} readings={} skipped={}", format, scope,
              batches.size(), readings, skipped);
    // Data leaving the branch by hand: who took which readings.
    audit(request, "data_exported", std::string(scope),
          filter.scope == storage::ExportFilter::Scope::range
              ? fmt::format("format={}; from={}; to={}; readings={}", format,
                            request.query_param("from").value_or(""),
                            request.query_param("to").value_or(""), readings)
              : fmt::format("format={}; readings={}", format, readings));
    const auto stamp = proto::format_rfc3339(clock.now()).substr(0, 10);
    Response r;
    if (format == "csv") {
        r = Response::text(storage::export_csv(batches), 200, "text/csv; charset=utf-8");
    } else {
        r = Response::json(storage::export_document(batches));
    }
    r.headers["Content-Disposition"] =
        fmt::format("attachment; filename=\"printmon-export-{}-{}.{}\"", stamp, scope, format);
    r.headers["X-Export-Readings"] = std::to_string(readings);
    r.headers["Cache-Control"] = "no-store";
    return r;
}

}  // namespace printmon::scanner::web
