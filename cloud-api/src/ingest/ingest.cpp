#include "ingest/ingest.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include <fmt/format.h>
#include <pqxx/except>

#include "api/audit.hpp"
#include "auth/authenticator.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/db/connection.hpp"
#include "printmon/net/json_body.hpp"
#include "printmon/proto/ack.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/export.hpp"
#include "printmon/proto/uuid.hpp"
#include "tenancy/console_admin.hpp"
#include "tenancy/tenancy.hpp"

namespace printmon::cloud::ingest {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void field(Writer& w, const char* name, long long value) {
    w.Key(name);
    w.Int64(value);
}

// Only JSON documents are accepted; a charset or other parameter is fine, and a missing
// Content-Type (curl -d without -H) leaves it to the batch decoder.
void require_json(const net::Request& request) {
    net::require_json_content_type(request, net::ContentTypeRule::json_if_given);
}

// Transient database conflicts are the client's cue to retry, like an overload.
template <class F>
net::Response with_retry_mapping(std::chrono::seconds retry_after, F&& f) {
    try {
        return f();
    } catch (const pqxx::deadlock_detected&) {
        return auth::overloaded_response(retry_after);
    } catch (const pqxx::serialization_failure&) {
        return auth::overloaded_response(retry_after);
    } catch (const pqxx::failure& e) {
        if (!storage::database_unavailable(e)) throw;
        return auth::overloaded_response(retry_after);
    }
}

}  // namespace

std::string to_json(const storage::StoreResult& result) {
    // The acknowledgement's one codec lives in proto, beside the uploader's reader.
    proto::IngestAck ack;
    ack.batch_id = result.batch_id;
    ack.duplicate = result.duplicate;
    ack.readings_stored = static_cast<std::int64_t>(result.readings_stored);
    ack.readings_duplicate = static_cast<std::int64_t>(result.readings_duplicate);
    ack.events_stored = static_cast<std::int64_t>(result.events_stored);
    ack.events_duplicate = static_cast<std::int64_t>(result.events_duplicate);
    return proto::to_json(ack);
}

std::string to_json(const ImportSummary& summary) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    field(w, "batches", summary.batches);
    field(w, "batches_duplicate", summary.batches_duplicate);
    field(w, "readings_stored", summary.readings_stored);
    field(w, "readings_duplicate", summary.readings_duplicate);
    field(w, "events_stored", summary.events_stored);
    field(w, "events_duplicate", summary.events_duplicate);
    if (summary.dry_run) {
        w.Key("dry_run");
        w.Bool(true);
        field(w, "readings", summary.readings);
        field(w, "events", summary.events);
        const auto text = [&w](const char* key, const std::string& value) {
            w.Key(key);
            if (value.empty()) {
                w.Null();
            } else {
                w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
            }
        };
        text("from", summary.from);
        text("to", summary.to);
        w.Key("scanners");
        w.StartArray();
        for (const auto& scanner : summary.scanners) {
            w.StartObject();
            text("scanner_id", scanner.scanner_id);
            w.Key("known");
            w.Bool(scanner.known);
            field(w, "readings", scanner.readings);
            w.EndObject();
        }
        w.EndArray();
    }
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

namespace {

/// Rolls a dry run back, carrying its summary out of db::with_transaction.
struct DryRunDone {
    ImportSummary summary;
};

}  // namespace

common::Result<ImportSummary> import_export(pqxx::connection& conn, const std::string& tenant_id,
                                            std::string_view json, std::size_t max_bytes,
                                            ImportOptions options) {
    auto batches = proto::parse_export(json, max_bytes);
    if (!batches) {
        return tl::unexpected(
            common::Error{common::ErrorCode::kInvalidArgument, batches.error().message()});
    }
    if (!proto::is_uuid(tenant_id)) {
        return common::make_error(common::ErrorCode::kNotFound, "no tenant {}", tenant_id);
    }
    ImportSummary preview;
    preview.dry_run = options.dry_run;
    for (const auto& batch : *batches) {
        preview.readings += static_cast<long long>(batch.readings.size());
        preview.events += static_cast<long long>(batch.events.size());
        // RFC 3339 UTC texts of one format compare in time order.
        for (const auto& reading : batch.readings) {
            const auto& at = reading.snapshot.polled_at;
            if (preview.from.empty() || at < preview.from) preview.from = at;
            if (preview.to.empty() || at > preview.to) preview.to = at;
        }
        auto it = std::find_if(preview.scanners.begin(), preview.scanners.end(),
                               [&](const auto& s) { return s.scanner_id == batch.scanner_id; });
        if (it == preview.scanners.end()) {
            it = preview.scanners.insert(preview.scanners.end(), {batch.scanner_id, false, 0});
        }
        it->readings += static_cast<long long>(batch.readings.size());
    }
    try {
        return db::with_transaction(conn, [&](pqxx::work& tx) -> common::Result<ImportSummary> {
            storage::use_server_defaults(tx);
            if (!tenancy::tenant_exists(tx, tenant_id)) {
                return common::make_error(common::ErrorCode::kNotFound, "no tenant {}", tenant_id);
            }
            ImportSummary summary = preview;
            for (auto& scanner : summary.scanners) {
                scanner.known = tenancy::scanner_exists(tx, tenant_id, scanner.scanner_id);
            }
            // Rationale: an import does not register scanners unless asked; a batch from a
            // scanner the tenant never registered is more likely a file for another tenant
            // than a new branch.
            for (std::size_t i = 0; i < batches->size(); ++i) {
                const auto& scanner_id = (*batches)[i].scanner_id;
                const auto known =
                    std::find_if(summary.scanners.begin(), summary.scanners.end(),
                                 [&](const auto& s) { return s.scanner_id == scanner_id; });
                if (known->known) continue;
                // A preview reports unknown scanners (known: false) instead of refusing: it is
                // rolled back, so registering them there only lets the counts be computed.
                if (options.create_scanners || options.dry_run) {
                    tenancy::register_offline_scanner(tx, tenant_id, scanner_id);
                    continue;
                }
                return common::make_error(common::ErrorCode::kConflict,
                                          "/batches/{}/scanner_id: scanner '{}' does not exist in "
                                          "tenant {}; create it first (scanner create)",
                                          i, scanner_id, tenant_id);
            }
            for (const auto& batch : *batches) {
                const auto r =
                    storage::store_batch(tx, tenant_id, batch, storage::BatchSource::import);
                ++summary.batches;
                if (r.duplicate) ++summary.batches_duplicate;
                summary.readings_stored += r.readings_stored;
                summary.readings_duplicate += r.readings_duplicate;
                summary.events_stored += r.events_stored;
                summary.events_duplicate += r.events_duplicate;
            }
            if (options.dry_run) throw DryRunDone{summary};
            if (options.on_applied) options.on_applied(tx, summary);
            return summary;
        });
    } catch (const DryRunDone& done) {
        return done.summary;
    }
}

void register_ingest_routes(net::Router& router, storage::ConnectionPool& pool,
                            const auth::Authenticator& authenticator, const IngestLimits& limits,
                            std::function<void(const std::string&)> on_stored,
                            IngestMetrics metrics) {
    const auto retry_after = authenticator.options().retry_after;
    auto log = common::get_logger("cloud.ingest");

    net::RouteOptions ingest_options;
    ingest_options.max_body_bytes = limits.max_body_bytes;
    ingest_options.accept_gzip = true;
    ingest_options.max_inflated_bytes = limits.max_inflated_bytes;
    ingest_options.max_inflate_ratio = limits.max_inflate_ratio;
    ingest_options.tag = std::string(auth::kTagScanner);
    const std::size_t max_batch = limits.max_inflated_bytes;
    const auto count_batch = [metrics](const char* result) {
        if (metrics.batches != nullptr) metrics.batches->with({result}).inc();
    };
    auto ingest = authenticator.guarded([&pool, log, retry_after, max_batch, on_stored, metrics,
                                         count_batch](net::Request& request) {
        const auth::Principal& who = auth::principal_of(request);
        require_json(request);
        const auto started = std::chrono::steady_clock::now();
        auto batch = proto::parse_batch(request.body, max_batch);
        const auto parsed = std::chrono::steady_clock::now();
        if (!batch) throw net::HttpError(400, "invalid_batch", batch.error().message());
        if (batch->scanner_id != who.subject && who.pending_scanner) {
            // The first upload of a key made in the console: the branch's own id becomes
            // the scanner's id (nobody copies ids between machines).
            auto bound = with_retry_mapping(retry_after, [&] {
                storage::Lease lease = pool.acquire();
                auto enrolled = db::with_transaction(*lease, [&](pqxx::work& tx) {
                    return tenancy::enroll_scanner(tx, who.tenant_id, who.subject,
                                                   batch->scanner_id);
                });
                if (!enrolled && enrolled.error().code == common::ErrorCode::kConflict) {
                    log->warn("event=enroll_conflict key={} batch_scanner={}", who.key_prefix,
                              common::log_value(batch->scanner_id));
                    throw net::HttpError(409, "scanner_id_taken", enrolled.error().message);
                }
                if (!enrolled) {
                    // Bound by a concurrent first batch: the next attempt sees the bound id.
                    throw net::HttpError(503, "overloaded", "the scanner is being enrolled")
                        .with_header("Retry-After", std::to_string(retry_after.count()));
                }
                log->info("event=scanner_enrolled tenant={} scanner={} key={}", who.tenant_id,
                          common::log_value(batch->scanner_id), who.key_prefix);
                return net::Response::empty(204);
            });
            if (bound.status != 204) return bound;
        } else if (batch->scanner_id != who.subject) {
            log->warn("event=scanner_mismatch key={} batch_scanner={}", who.key_prefix,
                      common::log_value(batch->scanner_id));
            throw net::HttpError(403, "forbidden",
                                 "batch scanner_id does not match the scanner of the key");
        }
        return with_retry_mapping(retry_after, [&] {
            storage::Lease lease = pool.acquire();
            const auto result = db::with_transaction(*lease, [&](pqxx::work& tx) {
                storage::use_server_defaults(tx);
                return storage::store_batch(tx, who.tenant_id, *batch,
                                            storage::BatchSource::online);
            });
            const auto ms = [](auto d) {
                return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
            };
            log->debug(
                "event=batch tenant={} scanner={} batch={} status={} readings_stored={} "
                "readings_duplicate={} parse_ms={} store_ms={}",
                who.tenant_id, common::log_value(who.subject), result.batch_id,
                result.duplicate ? "duplicate" : "stored", result.readings_stored,
                result.readings_duplicate, ms(parsed - started),
                ms(std::chrono::steady_clock::now() - parsed));
            if (on_stored && !result.duplicate) on_stored(who.tenant_id);
            count_batch(result.duplicate ? "duplicate" : "stored");
            if (metrics.readings != nullptr) {
                metrics.readings->with({"stored"})
                    .inc(static_cast<std::uint64_t>(result.readings_stored));
                metrics.readings->with({"duplicate"})
                    .inc(static_cast<std::uint64_t>(result.readings_duplicate));
            }
            if (metrics.batch_seconds != nullptr) {
                metrics.batch_seconds->observe(
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                        .count());
            }
            return net::Response::json(to_json(result));
        });
    });
    // Every other outcome of a batch, by the answer it got (stored ones are counted inside).
    const auto count_failure = [count_batch](unsigned status) {
        if (status == 503) {
            count_batch("unavailable");
        } else if (status >= 500) {
            count_batch("error");
        } else if (status >= 400) {
            count_batch("rejected");
        }
    };
    router.post(
        "/api/v1/ingest",
        [ingest = std::move(ingest), count_failure](net::Request& request) {
            try {
                net::Response response = ingest(request);
                count_failure(response.status);
                return response;
            } catch (const net::HttpError& e) {
                count_failure(e.status());
                throw;
            } catch (...) {
                count_failure(500);
                throw;
            }
        },
        ingest_options);

    // The scanner UI's "deactivate key": a scanner revokes its own key (its data stays).
    net::RouteOptions self_options;
    self_options.max_body_bytes = 0;
    self_options.tag = std::string(auth::kTagScanner);
    router.post("/api/v1/scanners/self/revoke",
                authenticator.guarded([&pool, log, retry_after](net::Request& request) {
                    const auth::Principal& who = auth::principal_of(request);
                    return with_retry_mapping(retry_after, [&] {
                        storage::Lease lease = pool.acquire();
                        auto revoked = db::with_transaction(*lease, [&](pqxx::work& tx) {
                            auto done = tenancy::revoke_scanner(tx, who.tenant_id, who.subject);
                            if (done) {
                                api::record_audit(tx, request, who.tenant_id,
                                                  {"scanner_revoked_itself",
                                                   who.subject,
                                                   api::audit_label(tx, api::AuditTarget::scanner,
                                                                    who.tenant_id, who.subject),
                                                   {}});
                            }
                            return done;
                        });
                        if (!revoked)
                            throw net::HttpError(404, "not_found", revoked.error().message);
                        log->info(
                            "event=scanner_key_revoked_by_scanner tenant={} scanner={} key={}",
                            who.tenant_id, common::log_value(who.subject), who.key_prefix);
                        return net::Response::empty(204);
                    });
                }),
                self_options);

    net::RouteOptions import_options;
    import_options.max_body_bytes = limits.import_max_body_bytes;
    import_options.accept_gzip = true;
    import_options.max_inflated_bytes = limits.import_max_inflated_bytes;
    import_options.max_inflate_ratio = limits.max_inflate_ratio;
    import_options.tag = std::string(auth::kTagTenant);
    const std::size_t max_file = limits.import_max_inflated_bytes;
    router.post(
        "/api/v1/import",
        authenticator.guarded([&pool, log, retry_after, max_file](net::Request& request) {
            const auth::Principal& who = auth::principal_of(request);
            std::string tenant_id = who.tenant_id;
            const auto asked = request.query_param("tenant");
            if (who.kind == auth::PrincipalKind::admin) {
                if (!asked) {
                    throw net::HttpError(400, "missing_tenant",
                                         "the admin token needs ?tenant=<tenant uuid>");
                }
                tenant_id = std::string(*asked);
            } else if (asked && *asked != tenant_id) {
                throw net::HttpError(403, "forbidden", "the token belongs to another tenant");
            }
            if (who.kind == auth::PrincipalKind::user && who.role != auth::Role::admin) {
                throw net::HttpError(403, "forbidden", "importing needs a tenant admin");
            }
            ImportOptions options;
            const auto flag = [&request](const char* name) {
                const auto v = request.query_param(name);
                if (!v) return false;
                if (*v == "true") return true;
                if (*v == "false") return false;
                throw net::HttpError(400, "invalid_parameter",
                                     fmt::format("{}: must be true or false", name));
            };
            options.dry_run = flag("dry_run");
            options.create_scanners = flag("create_scanners");
            options.on_applied = [&request, &tenant_id](pqxx::work& tx, const ImportSummary& done) {
                const auto registered =
                    std::count_if(done.scanners.begin(), done.scanners.end(),
                                  [](const auto& scanner) { return !scanner.known; });
                api::record_audit(
                    tx, request, tenant_id,
                    {"data_imported",
                     {},
                     {},
                     fmt::format("batches={} readings={} readings_new={} scanners_registered={}",
                                 done.batches, done.readings_stored + done.readings_duplicate,
                                 done.readings_stored, registered)});
            };
            require_json(request);
            return with_retry_mapping(retry_after, [&] {
                storage::Lease lease = pool.acquire();
                auto summary = import_export(*lease, tenant_id, request.body, max_file, options);
                if (!summary) {
                    if (summary.error().code == common::ErrorCode::kInvalidArgument) {
                        throw net::HttpError(400, "invalid_export", summary.error().message);
                    }
                    if (summary.error().code == common::ErrorCode::kNotFound) {
                        throw net::HttpError(404, "unknown_tenant", summary.error().message);
                    }
                    throw net::HttpError(422, "unknown_scanner", summary.error().message);
                }
                if (options.dry_run) return net::Response::json(to_json(*summary));
                log->info(
                    "event=import tenant={} by={} batches={} batches_duplicate={} "
                    "readings_stored={} readings_duplicate={}",
                    tenant_id, who.key_prefix, summary->batches, summary->batches_duplicate,
                    summary->readings_stored, summary->readings_duplicate);
                return net::Response::json(to_json(*summary));
            });
        }),
        import_options);
}

}  // namespace printmon::cloud::ingest
