#include "api/routes.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <pqxx/except>
#include <pqxx/nontransaction>

#include "api/audit.hpp"
#include "api/columns.hpp"
#include "api/forecasts.hpp"
#include "api/params.hpp"
#include "api/queries.hpp"
#include "api/render.hpp"
#include "auth/accounts.hpp"
#include "auth/keys.hpp"
#include "auth/password_reset.hpp"
#include "auth/passwords.hpp"
#include "console/console.hpp"
#include "printmon/common/change_note.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/db/connection.hpp"
#include "printmon/net/json_body.hpp"
#include "printmon/proto/utf8.hpp"
#include "printmon/proto/uuid.hpp"
#include "tenancy/console_admin.hpp"
#include "tenancy/tenancy.hpp"

namespace printmon::cloud::api {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using Known = std::vector<std::string_view>;

/// Login and management bodies are small.
constexpr std::size_t kMaxSmallBody = std::size_t{16} * 1024;

struct Deps {
    storage::ConnectionPool& pool;
    const auth::Authenticator& authenticator;
    AnalyticsOptions options;
    std::shared_ptr<auth::LoginLimiter> logins;  // shared_ptr: Deps itself is const
    std::shared_ptr<auth::RequestBrake> resets;
};

/// What a handler works with: the caller, its tenant and the validated parameters.
struct Scope {
    const net::Request& request;
    const auth::Principal& who;
    std::string tenant;
    Params params;
};

net::HttpError not_found(std::string_view what) {
    return net::HttpError(404, "not_found", fmt::format("no such {}", what));
}

// The platform admin acts on the tenant it names; everyone else on their own. A tenant
// credential naming another tenant is refused outright rather than silently re-scoped.
std::string tenant_scope(const net::Request& request, const auth::Principal& who) {
    const auto asked = request.query_param("tenant");
    if (who.kind == auth::PrincipalKind::admin) {
        if (!asked) throw net::HttpError(400, "missing_tenant", "the admin token needs ?tenant=");
        if (!proto::is_uuid(*asked)) throw invalid_parameter("tenant", "must be a lower-case UUID");
        return std::string(*asked);
    }
    if (asked && *asked != who.tenant_id) {
        throw net::HttpError(403, "forbidden", "the credential belongs to another tenant");
    }
    return who.tenant_id;
}

Scope scope_of(const net::Request& request, const Known& known) {
    const auto& who = auth::principal_of(request);
    std::string tenant = tenant_scope(request, who);
    return Scope{request, who, std::move(tenant), Params(request, known)};
}

void require_admin(const auth::Principal& who) {
    const bool ok = who.kind == auth::PrincipalKind::admin ||
                    (who.kind == auth::PrincipalKind::user && who.role == auth::Role::admin);
    if (!ok) throw net::HttpError(403, "forbidden", "this needs a tenant admin");
}

std::string path_uuid(const net::Request& request, const char* name, std::string_view what) {
    const std::string& value = request.param(name);
    // Not a UUID cannot name anything: the same 404 as an id of another tenant.
    if (!proto::is_uuid(value)) throw not_found(what);
    return value;
}

std::string number(long long n) { return std::to_string(n); }

// Maps database failures that are the client's or the moment's, never a 500.
template <class F>
net::Response mapped(const Deps& deps, F&& f) {
    const auto retry = deps.authenticator.options().retry_after;
    try {
        return f();
    } catch (const pqxx::deadlock_detected&) {
        return auth::overloaded_response(retry);
    } catch (const pqxx::serialization_failure&) {
        return auth::overloaded_response(retry);
    } catch (const pqxx::broken_connection&) {
        return auth::overloaded_response(retry);
    } catch (const pqxx::sql_error& e) {
        const std::string& state = e.sqlstate();
        if (state == "57014") {
            throw net::HttpError(503, "query_timeout", "the query took too long; narrow it down")
                .with_header("Retry-After", std::to_string(retry.count()));
        }
        if (state.rfind("22", 0) == 0) {
            throw net::HttpError(400, "invalid_parameter", "a parameter value is out of range");
        }
        throw;
    }
}

// Trial and licence (V0007): uploads are always stored, but reads of a tenant whose trial and
// licence have ended, or that has more devices than its licence allows, answer 402 until a
// platform admin extends or licenses it. The platform admin itself always reads.
void require_readable(pqxx::transaction_base& tx, const std::string& tenant) {
    const auto info = tenancy::tenant_info(tx, tenant);
    if (!info) throw net::HttpError(404, "unknown_tenant", "no such tenant");
    switch (info->status) {
        case tenancy::LicenceStatus::trial:
        case tenancy::LicenceStatus::licensed:
            return;
        case tenancy::LicenceStatus::over_limit:
            throw net::HttpError(402, "device_limit",
                                 fmt::format("the licence covers {} devices and the account has "
                                             "{}; uploads are still stored",
                                             info->device_limit.value_or(0), info->devices));
        case tenancy::LicenceStatus::expired:
            if (info->licensed_until) {
                throw net::HttpError(402, "licence_expired",
                                     "the licence has ended; uploads are still stored");
            }
            throw net::HttpError(402, "trial_ended",
                                 "the trial has ended; uploads are still stored");
    }
}

using ReadBody = std::function<net::Response(pqxx::transaction_base&, const TenantClock&)>;

// A read: brings the tenant's read model up to date, then runs `body` in autocommit: every
// read is one statement (a snapshot of its own), or statements that need no common snapshot
// (a device's existence, then its rows). The pooled connections carry the read settings
// (storage::configure_read_session: statement timeout, custom plans), so a list costs two
// round trips (refresh, query) instead of five. The refresh also tells the tenant's zone and
// today's date there, which the dates of the request need.
// A read on the replica (when one is configured and fresh), or nothing when it must run on the
// primary: no replica connection, or the replica failed under it (lost, promoted mid-read,
// a recovery conflict cancelled the query). Tenant checks as on the primary; no refresh (the
// replica is read-only): the read model is as the primary's refresher left it, within the lag.
std::optional<net::Response> read_on_replica(const Deps& deps, const Scope& scope,
                                             const ReadBody& body) {
    storage::ReplicaReads* replica = deps.options.replica;
    if (replica == nullptr) return std::nullopt;
    storage::Lease lease = replica->acquire_if_fresh();
    if (!lease) return std::nullopt;
    try {
        if (scope.who.kind != auth::PrincipalKind::admin) {
            pqxx::nontransaction check(*lease);
            require_readable(check, scope.tenant);
        }
        const TenantClock clock = clock_for_read(*lease, scope.tenant);
        pqxx::nontransaction tx(*lease);
        return body(tx, clock);
    } catch (const pqxx::failure& e) {
        const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
        // 40001: "canceling statement due to conflict with recovery" on a hot standby.
        const bool conflict = sql != nullptr && sql->sqlstate() == "40001";
        if (!conflict && !storage::database_unavailable(e)) throw;
        replica->failed();
        common::get_logger("cloud.replica")
            ->warn("event=replica_read_failed error={}", common::log_value(e.what()));
        return std::nullopt;
    }
}

net::Response read(const Deps& deps, const Scope& scope, const ReadBody& body) {
    return mapped(deps, [&] {
        if (auto answer = read_on_replica(deps, scope, body)) return std::move(*answer);
        storage::Lease lease = deps.pool.acquire();
        if (scope.who.kind != auth::PrincipalKind::admin) {
            pqxx::nontransaction check(*lease);
            require_readable(check, scope.tenant);
        }
        TenantClock clock;
        try {
            clock = refresh_for_read(*lease, scope.tenant);
        } catch (const pqxx::sql_error& e) {
            // A large import can take the refresh past the read timeout (57014); the background
            // refresh (no timeout) finishes it.
            if (e.sqlstate() != "57014") throw;
            throw net::HttpError(503, "refreshing",
                                 "the analytics are catching up with new readings; retry")
                .with_header("Retry-After",
                             std::to_string(deps.authenticator.options().retry_after.count()));
        }
        pqxx::nontransaction tx(*lease);
        return body(tx, clock);
    });
}

// Time parameters as statement arguments: instants as given, dates as the first instant of that
// local day of the tenant (one query for all of them, none for a UTC tenant).
std::vector<std::optional<std::string>> resolve(pqxx::transaction_base& tx,
                                                const TenantClock& clock,
                                                const std::vector<std::optional<TimeArg>>& times) {
    std::vector<std::string> dates;
    for (const auto& t : times) {
        if (t && t->is_date) dates.push_back(t->text);
    }
    const auto starts = local_day_starts(tx, clock.zone, dates);
    std::vector<std::optional<std::string>> out;
    std::size_t next = 0;
    for (const auto& t : times) {
        if (!t) {
            out.emplace_back();
        } else {
            out.emplace_back(t->is_date ? starts.at(next++) : t->text);
        }
    }
    return out;
}

// A list's statement arguments (after the tenant) when some depend on the tenant's clock: built
// after the refresh. May add top-level fields to the answer.
using ArgsOf = std::function<Args(pqxx::transaction_base&, const TenantClock&, Extras&)>;

// Arguments that start with time parameters (from, to, ...) and go on with `rest`.
ArgsOf times_then(std::vector<std::optional<TimeArg>> times, Args rest) {
    return [times = std::move(times), rest = std::move(rest)](pqxx::transaction_base& tx,
                                                              const TenantClock& clock, Extras&) {
        Args args;
        for (auto& t : resolve(tx, clock, times)) args.push_back(std::move(t));
        args.insert(args.end(), rest.begin(), rest.end());
        return args;
    };
}

net::Response write(const Deps& deps, const std::function<net::Response(pqxx::work&)>& body) {
    return mapped(deps, [&] {
        storage::Lease lease = deps.pool.acquire();
        return db::with_transaction(*lease, body);
    });
}

// Spreadsheet cells in the tenant's wall clock, converted in this read's transaction.
WallClocks wall_clocks_of(pqxx::transaction_base& tx, const TenantClock& clock) {
    return {clock.zone, [&tx, zone = clock.zone](const std::vector<std::string>& instants) {
                return local_wall_clocks(tx, zone, instants);
            }};
}

net::Response list_resolved(const Deps& deps, const Scope& scope, std::string_view name,
                            const std::string& statement, const ArgsOf& args_of) {
    const Page page = scope.params.page();
    return read(deps, scope, [&](pqxx::transaction_base& tx, const TenantClock& clock) {
        Extras extras;
        Args args = args_of(tx, clock, extras);
        args.insert(args.begin(), scope.tenant);
        args.emplace_back(number(page.limit));
        args.emplace_back(number(page.offset));
        return render_list(scope.request, run(tx, statement, args), scope.params, page, name,
                           extras, wall_clocks_of(tx, clock));
    });
}

net::Response list(const Deps& deps, const Scope& scope, std::string_view name,
                   const std::string& statement, Args args) {
    return list_resolved(
        deps, scope, name, statement,
        [&args](pqxx::transaction_base&, const TenantClock&, Extras&) { return args; });
}

void require_device(pqxx::transaction_base& tx, const std::string& tenant,
                    const std::string& device) {
    if (run(tx, stmt::kDeviceExists, {tenant, device}).empty()) throw not_found("device");
}

rapidjson::Document json_body(const net::Request& request) {
    // Bodies come from anyone (the sign-in is public): the shared reader bounds nesting and
    // parses iteratively (a 100,000-deep "[[[..." once took the cloud down), checks the whole
    // body's encoding, and answers 415/400 like every other printmon API.
    return net::read_json_object(request, net::ContentTypeRule::json_if_given);
}

std::optional<std::string> member(const rapidjson::Document& doc, const char* name, bool required,
                                  std::size_t max_chars = 256) {
    const auto it = doc.FindMember(name);
    if (it == doc.MemberEnd() || it->value.IsNull()) {
        if (required) throw net::HttpError(400, "invalid_body", fmt::format("{}: required", name));
        return std::nullopt;
    }
    if (!it->value.IsString()) {
        throw net::HttpError(400, "invalid_body", fmt::format("{}: must be a string", name));
    }
    std::string value(it->value.GetString(), it->value.GetStringLength());
    // Characters as a user counts them (code points), not bytes. RapidJSON's default parse does
    // not check the encoding of raw bytes inside strings, so it is checked here.
    const auto chars = proto::utf8_length(value);
    if (!chars) {
        throw net::HttpError(400, "invalid_body", fmt::format("{}: not valid UTF-8", name));
    }
    if (*chars > max_chars) {
        throw net::HttpError(400, "invalid_body",
                             fmt::format("{}: longer than {} characters", name, max_chars));
    }
    return value;
}

template <class... Fields>
net::Response json_object(unsigned status, Fields&&... fields) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    const auto text = [&w](const std::string& value) {
        w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    };
    // A field is a string, or an optional string written as null when empty.
    const auto put = [&](const auto& f) {
        w.Key(f.first);
        if constexpr (std::is_same_v<std::decay_t<decltype(f.second)>,
                                     std::optional<std::string>>) {
            if (f.second) {
                text(*f.second);
            } else {
                w.Null();
            }
        } else {
            text(std::string(f.second));
        }
    };
    (put(fields), ...);
    w.EndObject();
    return net::Response::json({buffer.GetString(), buffer.GetSize()}, status);
}

net::HttpError from_error(const common::Error& error) {
    switch (error.code) {
        case common::ErrorCode::kInvalidArgument:
            return net::HttpError(400, "invalid_body", error.message);
        case common::ErrorCode::kConflict:
            return net::HttpError(409, "conflict", error.message);
        case common::ErrorCode::kNotFound:
            return net::HttpError(404, "not_found", error.message);
        default:
            return net::HttpError(500, "internal", "unexpected failure");
    }
}

std::optional<bool> bool_member(const rapidjson::Document& doc, const char* name) {
    const auto it = doc.FindMember(name);
    if (it == doc.MemberEnd() || it->value.IsNull()) return std::nullopt;
    if (!it->value.IsBool()) {
        throw net::HttpError(400, "invalid_body", fmt::format("{}: must be true or false", name));
    }
    return it->value.GetBool();
}

std::optional<long long> int_member(const rapidjson::Document& doc, const char* name) {
    const auto it = doc.FindMember(name);
    if (it == doc.MemberEnd() || it->value.IsNull()) return std::nullopt;
    if (!it->value.IsInt64()) {
        throw net::HttpError(400, "invalid_body", fmt::format("{}: must be an integer", name));
    }
    return it->value.GetInt64();
}

net::Response choose_tenant(const std::vector<auth::TenantChoice>& choices) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("choose_tenant");
    w.StartArray();
    for (const auto& c : choices) {
        w.StartObject();
        w.Key("tenant_id");
        w.String(c.tenant_id.c_str(), static_cast<rapidjson::SizeType>(c.tenant_id.size()));
        w.Key("name");
        w.String(c.name.c_str(), static_cast<rapidjson::SizeType>(c.name.size()));
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    auto r = net::Response::json({buffer.GetString(), buffer.GetSize()});
    r.headers["Cache-Control"] = "no-store";
    return r;
}

/// 204 that also clears the console's cookie (harmless for bearer clients).
net::Response signed_out(const Deps& deps) {
    auto r = net::Response::empty(204);
    r.headers["Set-Cookie"] = deps.authenticator.session_cookie("", std::chrono::seconds(0));
    return r;
}

class Registrar {
  public:
    Registrar(net::Router& router, std::shared_ptr<const Deps> deps)
        : router_(router), deps_(std::move(deps)) {}

    void get(const std::string& pattern, std::function<net::Response(net::Request&)> f) {
        add("GET", pattern, std::move(f), 0);
    }
    void post(const std::string& pattern, std::function<net::Response(net::Request&)> f,
              std::string_view tag = auth::kTagAnalytics) {
        add("POST", pattern, std::move(f), kMaxSmallBody, tag);
    }
    void del(const std::string& pattern, std::function<net::Response(net::Request&)> f) {
        add("DELETE", pattern, std::move(f), 0);
    }
    void put(const std::string& pattern, std::function<net::Response(net::Request&)> f) {
        add("PUT", pattern, std::move(f), kMaxSmallBody);
    }
    const std::shared_ptr<const Deps>& deps() const { return deps_; }

  private:
    void add(const char* method, const std::string& pattern,
             std::function<net::Response(net::Request&)> f, std::size_t max_body,
             std::string_view tag = auth::kTagAnalytics) {
        net::RouteOptions options;
        options.tag = std::string(tag);
        options.max_body_bytes = max_body;
        router_.add(method, pattern, deps_->authenticator.guarded(std::move(f)), options);
    }
    net::Router& router_;
    std::shared_ptr<const Deps> deps_;
};

// "Forgot password" (auth/password_reset.hpp): both routes are public. The request answers
// the same 202 whether or not the address has an account (no account enumeration) and is braked
// per address asked for and per client address, since each may send an e-mail. Neither the
// token nor the password is ever logged.
void register_password_reset(Registrar& r) {
    const std::shared_ptr<const Deps> deps = r.deps();
    auto log = common::get_logger("cloud.api");
    if (deps->options.public_url.empty()) {
        log->warn(
            "event=password_reset_disabled reason=\"[server] public_url is not set\" "
            "detail=\"POST /api/v1/auth/password-reset sends no e-mail until it is\"");
    }

    r.post(
        "/api/v1/auth/password-reset",
        [deps, log](net::Request& request) {
            const auto doc = json_body(request);
            const auto email = *member(doc, "email", true, 254);
            const auto language = member(doc, "language", false, 8).value_or("");
            if (email.find('@') == std::string::npos || email.size() < 3) {
                throw net::HttpError(400, "invalid_body", "email: must look like name@domain");
            }
            const auto& remote = request.remote_address;
            return write(*deps, [&](pqxx::work& tx) {
                if (const auto wait = deps->resets->blocked(tx, email, remote)) {
                    log->warn("event=password_reset_rate_limited remote={}", remote);
                    throw net::HttpError(
                        429, "too_many_attempts",
                        fmt::format("too many reset requests; try again in {} s", wait->count()))
                        .with_header("Retry-After", std::to_string(wait->count()));
                }
                deps->resets->record(tx, email, remote);
                if (deps->options.public_url.empty()) {
                    log->warn(
                        "event=password_reset_not_sent reason=\"[server] public_url is not "
                        "set\"");
                } else {
                    // Only queued: the alert sender's loop looks the address up and writes the
                    // e-mails, so this answer costs the same whether or not it has accounts.
                    auth::ResetRequest ask;
                    ask.email = email;
                    ask.language = language;
                    ask.accept_language = auth::preferred_language(
                        request.header("Accept-Language").value_or(std::string_view()));
                    auth::queue_password_reset(tx, ask);
                }
                // Committed before the answer: the sender finds the request at its next poll.
                auto resp = json_object(
                    202, std::pair{"status", std::string("accepted")},
                    std::pair{"message", std::string("if an account with this e-mail exists, a "
                                                     "link to reset its password has been sent "
                                                     "to it")});
                resp.headers["Cache-Control"] = "no-store";
                return resp;
            });
        },
        auth::kTagPublic);

    r.post(
        "/api/v1/auth/password-reset/confirm",
        [deps, log](net::Request& request) {
            const auto doc = json_body(request);
            const auto token = *member(doc, "token", true, 128);
            const auto password = *member(doc, "password", true, auth::kMaxPasswordChars);
            const auto& remote = request.remote_address;
            // Tokens are 256-bit random, so guessing is hopeless; still, wrong tokens count as
            // failed logins from the address, so a client that sprays them is stopped early.
            const auto account = auth::account_key("*", "reset-token");
            return write(*deps, [&](pqxx::work& tx) {
                if (const auto wait = deps->logins->blocked(tx, account, remote)) {
                    throw net::HttpError(
                        429, "too_many_attempts",
                        fmt::format("too many failed attempts; try again in {} s", wait->count()))
                        .with_header("Retry-After", std::to_string(wait->count()));
                }
                const auto done = auth::confirm_password_reset(tx, token, password);
                using Code = auth::ResetConfirmation::Code;
                switch (done.code) {
                    case Code::reset:
                        // The new password may sign in at once, whatever was mistyped before.
                        deps->logins->succeeded(tx, auth::account_key("*", done.email), remote);
                        log->info("event=password_reset tenant={} user={} by=link", done.tenant_id,
                                  done.user_id);
                        record_user_audit(tx, request, done.tenant_id, done.user_id,
                                          {"password_reset_by_link", done.user_id, done.email, {}});
                        return net::Response::empty(204);
                    case Code::invalid_password:
                        // Thrown: nothing of this attempt commits, the link still works.
                        throw net::HttpError(
                            400, "invalid_body",
                            fmt::format("password: must be {} to {} characters",
                                        auth::kMinPasswordChars, auth::kMaxPasswordChars));
                    case Code::expired:
                        log->info("event=password_reset_refused tenant={} reason=expired",
                                  done.tenant_id);
                        return net::error_response(410, "token_expired", done.message);
                    case Code::used:
                        log->info("event=password_reset_refused tenant={} reason=used",
                                  done.tenant_id);
                        return net::error_response(410, "token_used", done.message);
                    case Code::invalid_token:
                        break;
                }
                // Returned, not thrown: the recorded failure must commit.
                deps->logins->failed(tx, account, remote);
                log->info("event=password_reset_refused reason=invalid_token remote={}", remote);
                return net::error_response(400, "invalid_token", done.message);
            });
        },
        auth::kTagPublic);
}

void register_accounts(Registrar& r) {
    const std::shared_ptr<const Deps> deps = r.deps();
    auto log = common::get_logger("cloud.api");

    r.post(
        "/api/v1/auth/login",
        [deps, log](net::Request& request) {
            const auto doc = json_body(request);
            // Without a tenant id the e-mail is looked up in every tenant (the console's
            // sign-in); an address valid in several tenants answers with the choice.
            const auto tenant = member(doc, "tenant_id", false, 64);
            const auto email = *member(doc, "email", true, 254);
            const auto password = *member(doc, "password", true, auth::kMaxPasswordChars);
            const bool cookie = bool_member(doc, "cookie").value_or(false);
            // Braked by e-mail whichever form is used, so that alternating the tenant form
            // and the e-mail-only form does not double a guesser's budget.
            const auto account = auth::account_key("*", email);
            const auto& remote = request.remote_address;
            // The brake's check, the login and the failure it records are one transaction on
            // the shared table (every replica counts the same failures).
            return write(*deps, [&](pqxx::work& tx) {
                if (const auto wait = deps->logins->blocked(tx, account, remote)) {
                    log->warn("event=login_rate_limited tenant={} remote={}",
                              common::log_value(tenant.value_or("*")), remote);
                    throw net::HttpError(
                        429, "too_many_attempts",
                        fmt::format("too many failed logins; try again in {} s", wait->count()))
                        .with_header("Retry-After", std::to_string(wait->count()));
                }
                const auto ttl = deps->authenticator.options().session_ttl;
                std::optional<auth::Session> session;
                std::string tenant_id = tenant.value_or("");
                if (tenant) {
                    auto one = auth::login(tx, *tenant, email, password, ttl);
                    if (one) session = std::move(*one);
                } else {
                    auto any = auth::login_by_email(tx, email, password, ttl);
                    if (any && !any->session) {
                        // Right password in several tenants: the caller picks one. Not a
                        // failure, and no session yet.
                        deps->logins->succeeded(tx, account, remote);
                        return choose_tenant(any->choices);
                    }
                    if (any) {
                        session = std::move(any->session);
                        tenant_id = any->tenant_id;
                    }
                }
                if (!session) {
                    deps->logins->failed(tx, account, remote);
                    // The accounts that know the e-mail see the failure in their audit log,
                    // and whether it locked this address out (the brake's next answer).
                    const auto locked = deps->logins->blocked(tx, account, remote);
                    record_failed_sign_in(tx, request, tenant.value_or(""), email, locked);
                    log->info("event=login_failed tenant={} locked={}",
                              common::log_value(tenant.value_or("*")), locked.has_value());
                    // Returned, not thrown: the recorded failure must commit.
                    return net::error_response(401, "login_failed", "wrong e-mail or password");
                }
                deps->logins->succeeded(tx, account, remote);
                log->info("event=login tenant={} user={} cookie={}", tenant_id, session->user_id,
                          cookie);
                record_user_audit(tx, request, tenant_id, session->user_id,
                                  {"signed_in", session->user_id, email, {}});
                const auto info = tenancy::tenant_info(tx, tenant_id);
                const std::string tenant_name = info ? info->name : "";
                const std::string role(auth::to_string(session->role));
                if (!cookie) {
                    return json_object(200, std::pair{"token", session->token},
                                       std::pair{"token_type", std::string("Bearer")},
                                       std::pair{"expires_at", session->expires_at},
                                       std::pair{"user_id", session->user_id},
                                       std::pair{"role", role}, std::pair{"tenant_id", tenant_id},
                                       std::pair{"tenant_name", tenant_name});
                }
                // Cookie mode (the console): the token only travels in the HttpOnly cookie,
                // so no script of the page can read it.
                auto resp = json_object(
                    200, std::pair{"expires_at", session->expires_at},
                    std::pair{"user_id", session->user_id}, std::pair{"role", role},
                    std::pair{"tenant_id", tenant_id}, std::pair{"tenant_name", tenant_name},
                    std::pair{"csrf_token", auth::csrf_token_for(session->token)});
                resp.headers["Set-Cookie"] =
                    deps->authenticator.session_cookie(session->token, ttl);
                resp.headers["Cache-Control"] = "no-store";
                return resp;
            });
        },
        auth::kTagPublic);

    r.post("/api/v1/auth/logout", [deps](net::Request& request) {
        const auto& who = auth::principal_of(request);
        if (who.kind != auth::PrincipalKind::user) {
            throw net::HttpError(400, "not_a_session", "only a login session can log out");
        }
        return write(*deps, [&](pqxx::work& tx) {
            auth::end_session(tx, who.tenant_id, who.session_id);
            return signed_out(*deps);
        });
    });

    r.post("/api/v1/auth/logout-all", [deps, log](net::Request& request) {
        const auto& who = auth::principal_of(request);
        if (who.kind != auth::PrincipalKind::user) {
            throw net::HttpError(400, "not_a_session", "only a login session can log out");
        }
        return write(*deps, [&](pqxx::work& tx) {
            auth::end_user_sessions(tx, who.tenant_id, who.subject);
            record_audit(tx, request, who.tenant_id,
                         {"signed_out_everywhere", who.subject, {}, {}});
            log->info("event=logout_all tenant={} user={}", who.tenant_id, who.subject);
            return signed_out(*deps);
        });
    });

    r.post("/api/v1/auth/password", [deps, log](net::Request& request) {
        const auto& who = auth::principal_of(request);
        if (who.kind != auth::PrincipalKind::user) {
            throw net::HttpError(400, "not_a_session", "only a signed-in user has a password");
        }
        const auto doc = json_body(request);
        const auto current = *member(doc, "current_password", true, auth::kMaxPasswordChars);
        const auto next = *member(doc, "new_password", true, auth::kMaxPasswordChars);
        // The same brake as sign-in: a stolen session must not guess the password at argon2
        // speed (the account key names the user, so only this route's failures count).
        const auto account = auth::account_key(who.tenant_id, "user:" + who.subject);
        return write(*deps, [&](pqxx::work& tx) {
            if (const auto wait = deps->logins->blocked(tx, account, request.remote_address)) {
                throw net::HttpError(
                    429, "too_many_attempts",
                    fmt::format("too many wrong passwords; try again in {} s", wait->count()))
                    .with_header("Retry-After", std::to_string(wait->count()));
            }
            auto done = auth::change_password(tx, who.tenant_id, who.subject, current, next,
                                              who.session_id);
            if (!done && done.error().code == common::ErrorCode::kConflict) {
                // Returned, not thrown: the recorded failure must commit (nothing else changed).
                deps->logins->failed(tx, account, request.remote_address);
                return net::error_response(400, "wrong_password", done.error().message);
            }
            if (!done) throw from_error(done.error());
            log->info("event=password_changed tenant={} user={}", who.tenant_id, who.subject);
            record_audit(tx, request, who.tenant_id, {"password_changed", who.subject, {}, {}});
            return net::Response::empty(204);
        });
    });

    // The signed-in user's language, kept so that it follows them to another browser and the
    // e-mails written for them (password reset) use it.
    r.put("/api/v1/auth/language", [deps, log](net::Request& request) {
        const auto& who = auth::principal_of(request);
        if (who.kind != auth::PrincipalKind::user) {
            throw net::HttpError(400, "not_a_session", "only a signed-in user has a language");
        }
        const auto doc = json_body(request);
        const auto language = *member(doc, "language", true, 8);
        if (language != "en" && language != "ru") {
            throw net::HttpError(400, "invalid_body", R"(language: must be "en" or "ru")");
        }
        return write(*deps, [&](pqxx::work& tx) {
            run(tx, stmt::kUserLanguage, {who.tenant_id, who.subject, language});
            log->info("event=language_set tenant={} user={} language={}", who.tenant_id,
                      who.subject, language);
            return net::Response::empty(204);
        });
    });

    register_password_reset(r);

    r.get("/api/v1/auth/me", [deps](net::Request& request) {
        const Scope s = scope_of(request, {});
        const auto kind = s.who.kind == auth::PrincipalKind::user        ? "user"
                          : s.who.kind == auth::PrincipalKind::api_token ? "api_token"
                                                                         : "platform_admin";
        std::string email;
        std::optional<std::string> language;  // null: a user who never chose, or no user
        if (s.who.kind == auth::PrincipalKind::user) {
            write(*deps, [&](pqxx::work& tx) {
                const auto row = run(tx, stmt::kUser, {s.tenant, s.who.subject});
                if (!row.empty()) {
                    email = row[0][1].as<std::string>();
                    if (auto chosen = row[0][3].as<std::string>(); !chosen.empty()) {
                        language = std::move(chosen);
                    }
                }
                return net::Response::empty(204);
            });
        }
        std::string tenant_name;
        write(*deps, [&](pqxx::work& tx) {
            if (const auto info = tenancy::tenant_info(tx, s.tenant)) tenant_name = info->name;
            return net::Response::empty(204);
        });
        auto resp = json_object(
            200, std::pair{"kind", std::string(kind)}, std::pair{"tenant_id", s.tenant},
            std::pair{"tenant_name", tenant_name}, std::pair{"subject", s.who.subject},
            std::pair{"email", email}, std::pair{"role", std::string(auth::to_string(s.who.role))},
            std::pair{"language", language}, std::pair{"csrf_token", s.who.csrf_token});
        resp.headers["Cache-Control"] = "no-store";
        return resp;
    });

    r.get("/api/v1/users", [deps](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        return list(*deps, s, lists::kUsers, stmt::kUsers, {});
    });

    // The account's audit log (V0025), newest first; admins only (it names who did what).
    // Narrowed by action, by the account's local days (from, to: inclusive) and by text in
    // the actor, target, detail or address.
    r.get("/api/v1/audit", [deps](net::Request& request) {
        const Scope s = scope_of(request, {"action", "from", "to", "q"});
        require_admin(s.who);
        const auto from = s.params.date("from");
        const auto to = s.params.date("to");
        if (from && to && *to < *from) throw invalid_parameter("to", "is before from");
        const auto text = s.params.text("q", 100);
        const auto q = text && !text->empty() ? text : std::nullopt;
        return list_resolved(*deps, s, lists::kAudit, stmt::kAudit,
                             [&](pqxx::transaction_base&, const TenantClock& clock, Extras&) {
                                 return Args{s.params.text("action"), from, to, q, clock.zone};
                             });
    });

    r.post("/api/v1/users", [deps, log](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto doc = json_body(request);
        auth::NewUser user;
        user.tenant_id = s.tenant;
        user.email = *member(doc, "email", true, 254);
        const auto role = auth::parse_role(*member(doc, "role", true, 16));
        if (!role) throw net::HttpError(400, "invalid_body", "role: must be admin or viewer");
        user.role = *role;
        user.password = *member(doc, "password", true, auth::kMaxPasswordChars);
        return write(*deps, [&](pqxx::work& tx) {
            auto id = auth::create_user(tx, user);
            if (!id) throw from_error(id.error());
            log->info("event=user_created tenant={} user={} by={}", s.tenant, *id, s.who.subject);
            record_audit(tx, request, s.tenant,
                         {"user_created", *id, user.email,
                          fmt::format("role={}", auth::to_string(user.role))});
            return json_object(201, std::pair{"user_id", *id}, std::pair{"email", user.email},
                               std::pair{"role", std::string(auth::to_string(user.role))});
        });
    });

    r.del("/api/v1/users/{user_id}", [deps](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto user_id = path_uuid(request, "user_id", "user");
        return write(*deps, [&](pqxx::work& tx) {
            auto done = auth::disable_user(tx, s.tenant, user_id);
            if (!done) throw not_found("user");
            record_audit(tx, request, s.tenant,
                         {"user_disabled",
                          user_id,
                          audit_label(tx, AuditTarget::user, s.tenant, user_id),
                          {}});
            return net::Response::empty(204);
        });
    });

    r.get("/api/v1/tokens", [deps](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        return list(*deps, s, lists::kTokens, stmt::kTokens, {});
    });

    r.post("/api/v1/tokens", [deps, log](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto doc = json_body(request);
        const auto name = member(doc, "name", false, 200).value_or("");
        return write(*deps, [&](pqxx::work& tx) {
            auto token = tenancy::create_api_token(tx, s.tenant, name);
            if (!token) throw from_error(token.error());
            const auto id = run(tx, stmt::kTokenByKey, {s.tenant, auth::key_hash_hex(*token)})[0][0]
                                .as<std::string>();
            log->info("event=token_created tenant={} token={} by={}", s.tenant, id, s.who.subject);
            record_audit(
                tx, request, s.tenant,
                {"token_created", id, audit_label(tx, AuditTarget::token, s.tenant, id), {}});
            return json_object(201, std::pair{"token_id", id}, std::pair{"name", name},
                               std::pair{"token", *token});
        });
    });

    r.del("/api/v1/tokens/{token_id}", [deps](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto token_id = path_uuid(request, "token_id", "token");
        return write(*deps, [&](pqxx::work& tx) {
            if (!auth::revoke_api_token(tx, s.tenant, token_id)) throw not_found("token");
            record_audit(tx, request, s.tenant,
                         {"token_revoked",
                          token_id,
                          audit_label(tx, AuditTarget::token, s.tenant, token_id),
                          {}});
            return net::Response::empty(204);
        });
    });

    r.get("/api/v1/scanners", [deps](net::Request& request) {
        const Scope s = scope_of(request, {"site"});
        return list(*deps, s, lists::kScanners, stmt::kScanners,
                    {s.params.text("site"), number(deps->options.scanner_stale_after.count())});
    });

    r.post("/api/v1/scanners", [deps, log](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto doc = json_body(request);
        tenancy::NewScanner scanner;
        scanner.tenant_id = s.tenant;
        const auto id = member(doc, "scanner_id", false, 128);
        scanner.name = member(doc, "name", false, 200).value_or("");
        scanner.site = member(doc, "site", false, 200).value_or("");
        if (!id) {
            // The console's "add scanner": a key now; the scanner's own id comes with its
            // first upload.
            return write(*deps, [&](pqxx::work& tx) {
                auto pending =
                    tenancy::create_pending_scanner(tx, s.tenant, scanner.name, scanner.site);
                if (!pending) throw from_error(pending.error());
                log->info("event=scanner_created tenant={} scanner={} pending=true by={}", s.tenant,
                          pending->scanner_id, s.who.subject);
                record_audit(tx, request, s.tenant,
                             {"scanner_created", pending->scanner_id, scanner.name,
                              scanner.site.empty() ? "" : "site=" + scanner.site});
                auto resp = json_object(201, std::pair{"scanner_id", pending->scanner_id},
                                        std::pair{"key", pending->key});
                resp.headers["Cache-Control"] = "no-store";
                return resp;
            });
        }
        scanner.scanner_id = *id;
        return write(*deps, [&](pqxx::work& tx) {
            auto key = tenancy::create_scanner(tx, scanner);
            if (!key) throw from_error(key.error());
            log->info("event=scanner_created tenant={} scanner={} by={}", s.tenant,
                      common::log_value(scanner.scanner_id), s.who.subject);
            record_audit(tx, request, s.tenant,
                         {"scanner_created", scanner.scanner_id, scanner.name,
                          scanner.site.empty() ? "" : "site=" + scanner.site});
            return json_object(201, std::pair{"scanner_id", scanner.scanner_id},
                               std::pair{"key", *key});
        });
    });

    r.del("/api/v1/scanners/{scanner_id}", [deps, log](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto& scanner_id = request.param("scanner_id");
        return write(*deps, [&](pqxx::work& tx) {
            if (!tenancy::revoke_scanner(tx, s.tenant, scanner_id)) throw not_found("scanner");
            record_audit(tx, request, s.tenant,
                         {"scanner_revoked",
                          scanner_id,
                          audit_label(tx, AuditTarget::scanner, s.tenant, scanner_id),
                          {}});
            log->info("event=scanner_revoked tenant={} scanner={} by={}", s.tenant,
                      common::log_value(scanner_id), s.who.subject);
            return net::Response::empty(204);
        });
    });
}

void register_fleet(Registrar& r) {
    const std::shared_ptr<const Deps> deps = r.deps();
    auto log = common::get_logger("cloud.api");

    r.get("/api/v1/sites", [deps](net::Request& request) {
        const Scope s = scope_of(request, {});
        return list(*deps, s, lists::kSites, stmt::kSites,
                    {number(deps->options.scanner_stale_after.count())});
    });

    r.get("/api/v1/devices", [deps](net::Request& request) {
        const Scope s = scope_of(request, {"site", "vendor", "model", "status", "low_supplies",
                                           "low_supply_percent", "not_seen_since", "seen_since",
                                           "with_errors", "retired", "q", "sort", "order"});
        const auto& p = s.params;
        std::optional<std::string> max_supply;
        if (p.boolean("low_supplies").value_or(false)) {
            max_supply = number(p.integer("low_supply_percent", 0, 100).value_or(20));
        } else if (p.integer("low_supply_percent", 0, 100)) {
            throw invalid_parameter("low_supply_percent", "only with low_supplies=true");
        }
        const auto sort = p.choice("sort",
                                   {"last_seen", "first_seen", "vendor", "model", "serial",
                                    "location", "address", "site", "status", "supply"},
                                   "last_seen");
        const bool desc =
            p.choice("order", {"asc", "desc"}, sort == "last_seen" ? "desc" : "asc") == "desc";
        const auto status =
            p.choice("status", {"running", "warning", "down", "testing", "unknown"}, "");
        const auto not_seen_since = p.time("not_seen_since");
        const auto seen_since = p.time("seen_since");
        Args filters{
            p.text("site"),  p.text("vendor"),
            p.text("model"), status.empty() ? std::nullopt : std::optional<std::string>(status),
            max_supply,      std::nullopt,   // not_seen_since, resolved in the tenant's zone
            p.text("q"),     std::nullopt};  // seen_since, resolved the same way
        if (const auto errors = p.boolean("with_errors")) {
            filters.emplace_back(*errors ? "true" : "false");
        } else {
            filters.emplace_back(std::nullopt);
        }
        // Devices in service unless asked (V0028): the kept total counts those.
        if (const auto retired = p.choice("retired", {"only", "include"}, ""); !retired.empty()) {
            filters.emplace_back(retired);
        } else {
            filters.emplace_back(std::nullopt);
        }
        const bool filtered = not_seen_since || seen_since ||
                              std::any_of(filters.begin(), filters.end(),
                                          [](const auto& f) { return f.has_value(); });
        return list_resolved(
            *deps, s, lists::kDevices, devices_statement(sort, desc, filtered),
            [&](pqxx::transaction_base& tx, const TenantClock& clock, Extras&) {
                Args args = filters;
                const auto times = resolve(tx, clock, {not_seen_since, seen_since});
                args[5] = times[0];
                args[7] = times[1];
                return args;
            });
    });

    r.get("/api/v1/devices/{device_id}", [deps](net::Request& request) {
        const Scope s = scope_of(request, {});
        const auto device = path_uuid(request, "device_id", "device");
        return read(*deps, s, [&](pqxx::transaction_base& tx, const TenantClock&) {
            const auto rows = run(tx, stmt::kDevice, {s.tenant, device});
            if (rows.empty()) throw not_found("device");
            const auto supplies = rows[0]["supplies"];
            if (supplies.is_null()) return render_object(request, rows);
            return render_object(
                request, rows,
                {{"supplies", supplies_with_forecasts(tx, s.tenant, device,
                                                      {supplies.c_str(), supplies.size()})}});
        });
    });

    // Retire a device (V0028): out of the fleet lists, tiles, supplies and alert rules, its
    // history kept; and back. An optional note says why ("replaced by …").
    const auto retirement = [deps, log](net::Request& request, bool retire) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto device = path_uuid(request, "device_id", "device");
        std::string note;
        if (retire && !request.body.empty()) {
            note = member(json_body(request), "note", false, 500).value_or("");
        }
        return write(*deps, [&](pqxx::work& tx) {
            const auto rows = retire ? run(tx, stmt::kRetireDevice, {s.tenant, device, note})
                                     : run(tx, stmt::kRestoreDevice, {s.tenant, device});
            if (rows.empty()) {
                require_device(tx, s.tenant, device);
                throw net::HttpError(409, "conflict",
                                     retire ? "device: already retired" : "device: not retired");
            }
            const auto action = retire ? "device_retired" : "device_restored";
            record_audit(tx, request, s.tenant,
                         {action, device, rows[0][0].as<std::string>(), note});
            log->info("event={} tenant={} device={} by={}", action, s.tenant, device,
                      s.who.subject);
            return json_object(200, std::pair{"device_id", device});
        });
    };
    r.post("/api/v1/devices/{device_id}/retire",
           [retirement](net::Request& request) { return retirement(request, true); });
    r.post("/api/v1/devices/{device_id}/restore",
           [retirement](net::Request& request) { return retirement(request, false); });

    // The device's cartridge log: each change, the pages its cartridge printed (docs/cloud-api.md).
    r.get("/api/v1/devices/{device_id}/cartridges", [deps](net::Request& request) {
        const Scope s = scope_of(request, {});
        const auto device = path_uuid(request, "device_id", "device");
        const Page page = s.params.page();
        return read(*deps, s, [&](pqxx::transaction_base& tx, const TenantClock& clock) {
            require_device(tx, s.tenant, device);
            const auto rows = run(tx, stmt::kCartridges,
                                  {s.tenant, device, number(page.limit), number(page.offset)});
            return render_list(request, rows, s.params, page, lists::kCartridges, {},
                               wall_clocks_of(tx, clock));
        });
    });

    r.get("/api/v1/devices/{device_id}/readings", [deps](net::Request& request) {
        const Scope s = scope_of(request, {"from", "to", "order"});
        const auto device = path_uuid(request, "device_id", "device");
        const auto& p = s.params;
        const bool asc = p.choice("order", {"asc", "desc"}, "desc") == "asc";
        const Page page = p.page();
        const auto from = p.time("from");
        const auto to = p.time("to");
        return read(*deps, s, [&](pqxx::transaction_base& tx, const TenantClock& clock) {
            require_device(tx, s.tenant, device);
            const auto times = resolve(tx, clock, {from, to});
            const Args args{s.tenant,           device, times[0], times[1], number(page.limit),
                            number(page.offset)};
            return render_list(request,
                               run(tx, asc ? stmt::kReadingsAsc : stmt::kReadingsDesc, args), p,
                               page, lists::kReadings, {}, wall_clocks_of(tx, clock));
        });
    });

    r.get("/api/v1/devices/{device_id}/counters", [deps](net::Request& request) {
        const Scope s = scope_of(request, {"name", "from", "to", "interval"});
        const auto device = path_uuid(request, "device_id", "device");
        const auto& p = s.params;
        const bool daily = p.choice("interval", {"raw", "day"}, "raw") == "day";
        const Page page = p.page();
        const auto name = p.text("name", 64);
        const auto from = p.time("from");
        const auto to = p.time("to");
        return read(*deps, s, [&](pqxx::transaction_base& tx, const TenantClock& clock) {
            require_device(tx, s.tenant, device);
            const auto times = resolve(tx, clock, {from, to});
            Args args{s.tenant,           device, name, times[0], times[1], number(page.limit),
                      number(page.offset)};
            if (daily) args.emplace_back(clock.zone);  // days are the tenant's local days
            return render_list(request,
                               run(tx, daily ? stmt::kCountersDaily : stmt::kCountersRaw, args), p,
                               page, lists::kCounters, {}, wall_clocks_of(tx, clock));
        });
    });
}

void register_analytics(Registrar& r) {
    const std::shared_ptr<const Deps> deps = r.deps();

    r.get("/api/v1/page-volume", [deps](net::Request& request) {
        const Scope s = scope_of(
            request, {"group_by", "period", "date", "from", "to", "site", "device", "name"});
        const auto& p = s.params;
        const auto group = p.choice("group_by", {"tenant", "site", "device"}, "device");
        const PeriodArg period = p.period();
        const auto site = p.text("site");
        const auto device = p.uuid("device");
        const auto name = p.text("name", 64);
        const bool kept = group == "tenant" && !site && !device;
        return list_resolved(
            *deps, s, lists::kPageVolume,
            kept ? stmt::kPageVolumeTenantKept : page_volume_statement(group),
            [&](pqxx::transaction_base& tx, const TenantClock& clock, Extras& extras) {
                // The tenant's local days: counter_days and counter_months hold local dates.
                const DayRange range = period_days(period, clock.today);
                // Whole months inside the period come from the monthly rollup.
                std::string month_from = month_start(range.from);
                if (month_from < range.from) month_from = add_months(month_from, 1);
                std::string month_to = month_start(range.to);
                if (month_to <= month_from) month_from = month_to = range.to;
                const auto at = local_day_starts(tx, clock.zone, {range.from, range.to});
                extras = {{"from", range.from},
                          {"to", range.to},
                          {"from_at", at[0]},
                          {"to_at", at[1]},
                          {"time_zone", clock.zone}};
                return Args{month_from, month_to, range.from, range.to, site, device, name};
            });
    });

    r.get("/api/v1/meter-reads", [deps](net::Request& request) {
        const Scope s = scope_of(request, {"at", "site", "device", "name", "interpolate"});
        const auto& p = s.params;
        const auto at = p.time("at");
        if (!at) throw invalid_parameter("at", "required (RFC 3339 time or date)");
        const bool interpolate = p.boolean("interpolate").value_or(false);
        return list_resolved(*deps, s, lists::kMeterReads, stmt::kMeterReads,
                             times_then({at}, {p.text("site"), p.uuid("device"), p.text("name", 64),
                                               interpolate ? "true" : "false"}));
    });

    r.get("/api/v1/supplies", [deps](net::Request& request) {
        const Scope s = scope_of(request, {"site", "device", "type", "color", "below", "forecast"});
        const auto& p = s.params;
        const auto below = p.integer("below", 0, 101);
        Args args{p.text("site"), p.uuid("device"), p.text("type", 64), p.text("color", 64),
                  below ? std::optional<std::string>(number(*below)) : std::nullopt};
        if (!p.boolean("forecast").value_or(false)) {
            return list(*deps, s, lists::kSupplies, stmt::kSupplies, args);
        }
        // A forecast reads each device's history (one query per device of the page): a page
        // holds at most kMaxLimit rows, also as a file (whose default is the whole list).
        const Page page = p.page();
        if (page.limit > kMaxLimit) {
            throw invalid_parameter("limit", fmt::format("at most {} with forecast=true (give "
                                                         "limit= and page with offset=)",
                                                         kMaxLimit));
        }
        // The body may run twice (a failed replica read is repeated on the primary): it
        // builds its arguments afresh each time.
        return read(*deps, s, [&](pqxx::transaction_base& tx, const TenantClock& clock) {
            Args a = args;
            a.insert(a.begin(), s.tenant);
            a.emplace_back(number(page.limit));
            a.emplace_back(number(page.offset));
            a.emplace_back(page_forecasts(tx, s.tenant, run(tx, stmt::kSupplies, a)));
            return render_list(s.request, run(tx, stmt::kSuppliesForecast, a), p, page,
                               lists::kSupplies, {}, wall_clocks_of(tx, clock));
        });
    });

    r.get("/api/v1/supply-changes", [deps](net::Request& request) {
        const Scope s = scope_of(request, {"from", "to", "site", "device"});
        const auto& p = s.params;
        return list_resolved(
            *deps, s, lists::kSupplyChanges, stmt::kSupplyChanges,
            times_then({p.time("from"), p.time("to")}, {p.text("site"), p.uuid("device")}));
    });

    r.get("/api/v1/counter-epochs", [deps](net::Request& request) {
        const Scope s = scope_of(request, {"from", "to", "site", "device", "kind"});
        const auto& p = s.params;
        const auto kind = p.choice("kind", {"decrease", "wrap", "serial_change"}, "");
        return list_resolved(
            *deps, s, lists::kCounterEpochs, stmt::kCounterEpochs,
            times_then({p.time("from"), p.time("to")},
                       {p.text("site"), p.uuid("device"),
                        kind.empty() ? std::nullopt : std::optional<std::string>(kind)}));
    });

    r.get("/api/v1/alerts", [deps](net::Request& request) {
        const Scope s =
            scope_of(request, {"from", "to", "site", "device", "severity", "state", "code"});
        const auto& p = s.params;
        const auto severity = p.choice("severity", {"critical", "warning", "info"}, "");
        const auto state = p.choice("state", {"open", "closed", "all"}, "all");
        return list_resolved(
            *deps, s, lists::kAlerts, stmt::kAlerts,
            times_then({p.time("from"), p.time("to")},
                       {p.text("site"), p.uuid("device"),
                        severity.empty() ? std::nullopt : std::optional<std::string>(severity),
                        state == "all" ? std::nullopt : std::optional<std::string>(state),
                        p.text("code", 64)}));
    });

    r.get("/api/v1/events", [deps](net::Request& request) {
        const Scope s = scope_of(request, {"from", "to", "site", "device", "kind", "code"});
        const auto& p = s.params;
        return list_resolved(
            *deps, s, lists::kEvents, stmt::kEvents,
            times_then({p.time("from"), p.time("to")},
                       {p.text("site"), p.uuid("device"), p.text("kind", 64), p.text("code", 64)}));
    });
}

/// `offline_after_s` rides along so the console can tell online from offline on any page
/// without the fleet summary (an aggregate over every device, for one server setting).
net::Response tenant_json(const tenancy::TenantInfo& t, std::int64_t offline_after_s) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    const auto text = [&w](const char* key, const std::optional<std::string>& v) {
        w.Key(key);
        if (v) {
            w.String(v->c_str(), static_cast<rapidjson::SizeType>(v->size()));
        } else {
            w.Null();
        }
    };
    const auto integer = [&w](const char* key, const std::optional<long long>& v) {
        w.Key(key);
        if (v) {
            w.Int64(*v);
        } else {
            w.Null();
        }
    };
    w.StartObject();
    text("tenant_id", t.tenant_id);
    text("name", t.name);
    text("time_zone", t.time_zone);
    integer("raw_retention_months", t.raw_retention_months);
    integer("audit_retention_months", t.audit_retention_months);
    text("raw_data_from", t.raw_data_from);
    text("status", std::string(tenancy::to_string(t.status)));
    text("trial_ends_at", t.trial_ends_at);
    text("licensed_until", t.licensed_until);
    integer("days_left", t.days_left);
    integer("device_limit", t.device_limit);
    integer("devices", t.devices);
    integer("offline_after_s", offline_after_s);
    w.EndObject();
    auto r = net::Response::json({buffer.GetString(), buffer.GetSize()});
    r.headers["Cache-Control"] = "no-store";
    return r;
}

tenancy::TenantInfo tenant_or_404(pqxx::transaction_base& tx, const std::string& tenant) {
    auto info = tenancy::tenant_info(tx, tenant);
    if (!info) throw net::HttpError(404, "unknown_tenant", "no such tenant");
    return std::move(*info);
}

/// The console's own routes beside the API it reads: the tenant (trial, licence, time zone),
/// the fleet summary, scanner keys and names, site renames, user administration.
void register_console(Registrar& r) {
    const std::shared_ptr<const Deps> deps = r.deps();
    auto log = common::get_logger("cloud.api");

    // Readable when the trial has ended: the console must be able to say so.
    r.get("/api/v1/tenant", [deps](net::Request& request) {
        const Scope s = scope_of(request, {});
        return mapped(*deps, [&] {
            storage::Lease lease = deps->pool.acquire();
            pqxx::nontransaction tx(*lease);
            return tenant_json(tenant_or_404(tx, s.tenant),
                               deps->options.scanner_stale_after.count());
        });
    });

    r.put("/api/v1/tenant", [deps, log](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto doc = json_body(request);
        const auto name = member(doc, "name", false, 200);
        const auto zone = member(doc, "time_zone", false, 64);
        const auto retention = int_member(doc, "raw_retention_months");
        const auto audit_retention = int_member(doc, "audit_retention_months");
        return write(*deps, [&](pqxx::work& tx) {
            const auto before = tenant_or_404(tx, s.tenant);
            if (retention) {
                if (auto ok = tenancy::set_raw_retention(tx, s.tenant, *retention); !ok) {
                    throw from_error(ok.error());
                }
            }
            if (audit_retention) {
                if (auto ok = tenancy::set_audit_retention(tx, s.tenant, *audit_retention); !ok) {
                    throw from_error(ok.error());
                }
            }
            if (name) {
                if (auto ok = tenancy::rename_tenant(tx, s.tenant, *name); !ok) {
                    throw from_error(ok.error());
                }
            }
            if (zone) {
                // A zone change rebuilds the tenant's counters: not bound by the read timeout
                // the pooled sessions carry.
                storage::use_server_defaults(tx);
                if (auto ok = tenancy::set_time_zone(tx, s.tenant, *zone); !ok) {
                    throw from_error(ok.error());
                }
            }
            log->info("event=tenant_updated tenant={} by={}", s.tenant, s.who.subject);
            // What changed, as "field: before → after"; a save that changed nothing is no entry.
            const auto after = tenant_or_404(tx, s.tenant);
            common::ChangeNote changed;
            changed.add("name", before.name, after.name)
                .add("time_zone", before.time_zone, after.time_zone)
                .add("raw_retention_months", std::to_string(before.raw_retention_months),
                     std::to_string(after.raw_retention_months))
                .add("audit_retention_months", std::to_string(before.audit_retention_months),
                     std::to_string(after.audit_retention_months));
            if (!changed.empty()) {
                record_audit(tx, request, s.tenant,
                             {"account_updated", s.tenant, after.name, changed.str()});
            }
            return tenant_json(tenant_or_404(tx, s.tenant),
                               deps->options.scanner_stale_after.count());
        });
    });

    r.get("/api/v1/time-zones", [deps](net::Request& request) {
        const Scope s = scope_of(request, {});
        return mapped(*deps, [&] {
            storage::Lease lease = deps->pool.acquire();
            pqxx::nontransaction tx(*lease);
            const auto rows = run(tx, stmt::kTimeZones, {});
            rapidjson::StringBuffer buffer;
            Writer w(buffer);
            w.StartObject();
            w.Key("items");
            w.StartArray();
            for (const auto& row : rows) {
                const auto name = row[0].as<std::string>();
                w.String(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
            }
            w.EndArray();
            w.EndObject();
            return with_etag(request, net::Response::json({buffer.GetString(), buffer.GetSize()}));
        });
    });

    r.get("/api/v1/fleet/summary", [deps](net::Request& request) {
        const Scope s = scope_of(request, {"low_supply_percent"});
        const auto low = s.params.integer("low_supply_percent", 0, 100).value_or(20);
        const auto offline_after = deps->options.scanner_stale_after.count();
        return read(*deps, s, [&](pqxx::transaction_base& tx, const TenantClock&) {
            return render_object(request, run(tx, stmt::kFleetSummary,
                                              {s.tenant, number(offline_after), number(low)}));
        });
    });

    // A device's supply levels over time (the device page's chart), thinned to `points`.
    r.get("/api/v1/devices/{device_id}/supply-levels", [deps](net::Request& request) {
        const Scope s = scope_of(request, {"from", "to", "points"});
        const auto device = path_uuid(request, "device_id", "device");
        const auto points = s.params.integer("points", 2, 1000).value_or(120);
        const auto from = s.params.time("from");
        const auto to = s.params.time("to");
        return read(*deps, s, [&](pqxx::transaction_base& tx, const TenantClock& clock) {
            require_device(tx, s.tenant, device);
            const auto times = resolve(tx, clock, {from, to});
            const auto rows = run(tx, stmt::kSupplyLevels,
                                  {s.tenant, device, times[0], times[1], number(points)});
            rapidjson::StringBuffer buffer;
            Writer w(buffer);
            w.StartObject();
            w.Key("items");
            w.StartArray();
            for (const auto& row : rows) {
                w.StartObject();
                w.Key("polled_at");
                const auto at = row[0].as<std::string>();
                w.String(at.c_str(), static_cast<rapidjson::SizeType>(at.size()));
                w.Key("levels");
                if (row[1].is_null()) {
                    w.StartArray();
                    w.EndArray();
                } else {
                    w.RawValue(row[1].c_str(), row[1].size(), rapidjson::kArrayType);
                }
                w.EndObject();
            }
            w.EndArray();
            w.EndObject();
            return with_etag(request, net::Response::json({buffer.GetString(), buffer.GetSize()}));
        });
    });

    r.post("/api/v1/scanners/{scanner_id}/key", [deps, log](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto& scanner_id = request.param("scanner_id");
        return write(*deps, [&](pqxx::work& tx) {
            auto key = tenancy::replace_scanner_key(tx, s.tenant, scanner_id);
            if (!key) throw not_found("scanner");
            log->info("event=scanner_key_replaced tenant={} scanner={} by={}", s.tenant,
                      common::log_value(scanner_id), s.who.subject);
            record_audit(tx, request, s.tenant,
                         {"scanner_key_replaced",
                          scanner_id,
                          audit_label(tx, AuditTarget::scanner, s.tenant, scanner_id),
                          {}});
            auto resp =
                json_object(201, std::pair{"scanner_id", scanner_id}, std::pair{"key", *key});
            resp.headers["Cache-Control"] = "no-store";
            return resp;
        });
    });

    r.put("/api/v1/scanners/{scanner_id}", [deps, log](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto& scanner_id = request.param("scanner_id");
        const auto doc = json_body(request);
        const auto name = member(doc, "name", false, 200);
        const auto site = member(doc, "site", false, 200);
        return write(*deps, [&](pqxx::work& tx) {
            auto done = tenancy::update_scanner(tx, s.tenant, scanner_id, name, site);
            if (!done) throw from_error(done.error());
            log->info("event=scanner_updated tenant={} scanner={} by={}", s.tenant,
                      common::log_value(scanner_id), s.who.subject);
            std::string detail;
            if (name) detail = "name=" + *name;
            if (site) detail += (detail.empty() ? "site=" : "; site=") + *site;
            record_audit(tx, request, s.tenant,
                         {"scanner_updated", scanner_id,
                          audit_label(tx, AuditTarget::scanner, s.tenant, scanner_id), detail});
            return json_object(200, std::pair{"scanner_id", scanner_id});
        });
    });

    r.post("/api/v1/sites/rename", [deps, log](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto doc = json_body(request);
        const auto from = *member(doc, "from", true, 200);
        const auto to = *member(doc, "to", true, 200);
        return write(*deps, [&](pqxx::work& tx) {
            auto moved = tenancy::rename_site(tx, s.tenant, from, to);
            if (!moved) throw from_error(moved.error());
            log->info("event=site_renamed tenant={} scanners={} by={}", s.tenant, *moved,
                      s.who.subject);
            record_audit(tx, request, s.tenant, {"site_renamed", {}, to, "from=" + from});
            // json_object writes strings only; the contract's count is a JSON number.
            rapidjson::StringBuffer buffer;
            Writer w(buffer);
            w.StartObject();
            w.Key("site");
            w.String(to.c_str(), static_cast<rapidjson::SizeType>(to.size()));
            w.Key("scanners");
            w.Int64(*moved);
            w.EndObject();
            return net::Response::json({buffer.GetString(), buffer.GetSize()});
        });
    });

    r.post("/api/v1/users/{user_id}/enable", [deps](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto user_id = path_uuid(request, "user_id", "user");
        return write(*deps, [&](pqxx::work& tx) {
            if (!auth::enable_user(tx, s.tenant, user_id)) throw not_found("user");
            record_audit(tx, request, s.tenant,
                         {"user_enabled",
                          user_id,
                          audit_label(tx, AuditTarget::user, s.tenant, user_id),
                          {}});
            return net::Response::empty(204);
        });
    });

    r.put("/api/v1/users/{user_id}", [deps, log](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto user_id = path_uuid(request, "user_id", "user");
        const auto doc = json_body(request);
        const auto role = auth::parse_role(*member(doc, "role", true, 16));
        if (!role) throw net::HttpError(400, "invalid_body", "role: must be admin or viewer");
        if (s.who.kind == auth::PrincipalKind::user && s.who.subject == user_id &&
            *role != auth::Role::admin) {
            // The last admin could otherwise lock everyone out of user management.
            throw net::HttpError(400, "invalid_body", "role: you cannot demote yourself");
        }
        return write(*deps, [&](pqxx::work& tx) {
            if (!auth::set_role(tx, s.tenant, user_id, *role)) throw not_found("user");
            log->info("event=user_role tenant={} user={} role={} by={}", s.tenant, user_id,
                      auth::to_string(*role), s.who.subject);
            record_audit(tx, request, s.tenant,
                         {"user_role_changed", user_id,
                          audit_label(tx, AuditTarget::user, s.tenant, user_id),
                          fmt::format("role={}", auth::to_string(*role))});
            return json_object(200, std::pair{"user_id", user_id},
                               std::pair{"role", std::string(auth::to_string(*role))});
        });
    });

    r.post("/api/v1/users/{user_id}/password", [deps, log](net::Request& request) {
        const Scope s = scope_of(request, {});
        require_admin(s.who);
        const auto user_id = path_uuid(request, "user_id", "user");
        const auto doc = json_body(request);
        const auto password = *member(doc, "password", true, auth::kMaxPasswordChars);
        return write(*deps, [&](pqxx::work& tx) {
            auto done = auth::reset_password(tx, s.tenant, user_id, password);
            if (!done) throw from_error(done.error());
            log->info("event=password_reset tenant={} user={} by={}", s.tenant, user_id,
                      s.who.subject);
            record_audit(tx, request, s.tenant,
                         {"user_password_set",
                          user_id,
                          audit_label(tx, AuditTarget::user, s.tenant, user_id),
                          {}});
            return net::Response::empty(204);
        });
    });
}

}  // namespace

void register_analytics_routes(net::Router& router, storage::ConnectionPool& pool,
                               const auth::Authenticator& authenticator,
                               const AnalyticsOptions& options) {
    // Every handler holds the shared dependencies, so they live as long as the router.
    Registrar registrar(
        router, std::make_shared<const Deps>(
                    Deps{pool, authenticator, options,
                         std::make_shared<auth::LoginLimiter>(options.login_limits),
                         std::make_shared<auth::RequestBrake>("reset", options.reset_limits)}));
    register_accounts(registrar);
    register_console(registrar);
    register_fleet(registrar);
    register_analytics(registrar);
}

}  // namespace printmon::cloud::api
