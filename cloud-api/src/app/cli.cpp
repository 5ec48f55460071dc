#include "app/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "api/audit.hpp"
#include "app/app.hpp"
#include "app/config.hpp"
#include "auth/accounts.hpp"
#include "ingest/ingest.hpp"
#include "printmon/common/change_note.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/crypto/secret_key.hpp"
#include "printmon/db/connection.hpp"
#include "printmon/proto/uuid.hpp"
#include "storage/schema.hpp"
#include "storage/secret_keys.hpp"
#include "storage/secrets.hpp"
#include "tenancy/console_admin.hpp"
#include "tenancy/tenancy.hpp"

namespace printmon::cloud {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr int kExitFailed = 1;   // the command ran and was refused (unknown tenant, bad file)
constexpr int kExitConfig = 78;  // EX_CONFIG

// A connection for one administrative command, with the schema current and statements ready.
db::Connection admin_connection(const CloudConfig& config) {
    db::Connection conn(config.database.conninfo);
    storage::migrate(conn.raw());
    storage::prepare_all(conn.raw());
    auth::prepare_account_statements(conn.raw());
    return conn;
}

// The password of `user create`: PRINTMON_USER_PASSWORD, else the first line of stdin (never an
// argument: argv is visible to every user of the machine).
std::string read_password() {
    if (const char* env = std::getenv("PRINTMON_USER_PASSWORD"); env != nullptr && *env != 0) {
        return env;
    }
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

bool check_tenant(const std::string& tenant, std::ostream& err) {
    if (proto::is_uuid(tenant)) return true;
    err << "printmon-cloud-api: --tenant must be a tenant id (lower-case UUID), got '" << tenant
        << "'\n";
    return false;
}

int report(const common::Error& error, std::ostream& err) {
    err << "printmon-cloud-api: " << error.message << "\n";
    return kExitFailed;
}

}  // namespace

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    CLI::App cli{"printmon cloud API: multi-tenant ingestion of branch scanner data",
                 "printmon-cloud-api"};
    cli.set_version_flag("--version", std::string("printmon-cloud-api ") + PRINTMON_VERSION);
    cli.require_subcommand(1);
    std::string config_path = "cloud-api.toml";
    cli.add_option("-c,--config", config_path, "configuration file (TOML)");
    auto* check_cmd = cli.add_subcommand("check-config", "validate the configuration and exit");
    // Like the other executables: `check-config --config FILE` also works.
    check_cmd->add_option("-c,--config", config_path, "configuration file (TOML)");
    std::string log_level;
    cli.add_option("--log-level", log_level, "override log.level");

    auto* serve_cmd = cli.add_subcommand("serve", "run the HTTPS API until SIGTERM");
    auto* migrate_cmd = cli.add_subcommand("migrate", "apply pending schema migrations");

    auto* tenant_cmd = cli.add_subcommand("tenant", "tenants");
    tenant_cmd->require_subcommand(1);
    std::string tenant_name;
    auto* tenant_create = tenant_cmd->add_subcommand("create", "create a tenant, print its id");
    tenant_create->add_option("name", tenant_name, "display name")->required();
    // Trial and licence (platform admin): uploads are always stored; reads need one of them.
    std::string licence_tenant;
    std::optional<std::string> licence_until;
    std::optional<long long> licence_devices;
    auto* tenant_licence = tenant_cmd->add_subcommand(
        "licence", "license a tenant until a date and/or for a number of devices");
    tenant_licence->add_option("--tenant", licence_tenant, "tenant id")->required();
    tenant_licence->add_option("--until", licence_until, "licence end (YYYY-MM-DD or RFC 3339)");
    tenant_licence->add_option("--devices", licence_devices, "device limit (-1: no limit)");
    long long trial_days = 0;
    auto* tenant_trial =
        tenant_cmd->add_subcommand("extend-trial", "the trial ends DAYS days from now");
    tenant_trial->add_option("--tenant", licence_tenant, "tenant id")->required();
    tenant_trial->add_option("--days", trial_days, "days from now (1..3650)")->required();
    auto* tenant_show = tenant_cmd->add_subcommand("show", "trial/licence status of a tenant");
    tenant_show->add_option("--tenant", licence_tenant, "tenant id")->required();
    std::string zone_tenant;
    std::string zone;
    auto* tenant_zone = tenant_cmd->add_subcommand(
        "set-time-zone", "set the tenant's time zone (IANA name); rebuilds its page volume");
    tenant_zone->add_option("--tenant", zone_tenant, "tenant id")->required();
    tenant_zone->add_option("--zone", zone, "IANA time zone, e.g. Europe/Moscow")->required();
    std::string retention_tenant;
    std::optional<long long> retention_months;
    std::optional<long long> audit_months;
    auto* tenant_retention = tenant_cmd->add_subcommand(
        "set-retention",
        "months of raw readings (3..600; rollups are kept for ever) and of the audit log "
        "(1..120) kept");
    tenant_retention->add_option("--tenant", retention_tenant, "tenant id")->required();
    // At least one of the two: checked below, with a usage message.
    tenant_retention->add_option("--months", retention_months, "raw readings (default 13)");
    tenant_retention->add_option("--audit-months", audit_months, "audit log (default 24)");

    auto* scanner_cmd = cli.add_subcommand("scanner", "branch scanners and their keys");
    scanner_cmd->require_subcommand(1);
    tenancy::NewScanner scanner;
    auto* scanner_create =
        scanner_cmd->add_subcommand("create", "register a scanner, print its key (once)");
    scanner_create->add_option("--tenant", scanner.tenant_id, "tenant id")->required();
    scanner_create->add_option("--scanner-id", scanner.scanner_id, "the scanner's id")->required();
    scanner_create->add_option("--name", scanner.name, "display name");
    scanner_create->add_option("--site", scanner.site, "site / branch name");
    auto* scanner_revoke = scanner_cmd->add_subcommand("revoke", "revoke a scanner's key");
    scanner_revoke->add_option("--tenant", scanner.tenant_id, "tenant id")->required();
    scanner_revoke->add_option("--scanner-id", scanner.scanner_id, "the scanner's id")->required();

    auto* token_cmd = cli.add_subcommand("token", "tenant API tokens");
    token_cmd->require_subcommand(1);
    std::string token_tenant;
    std::string token_name;
    auto* token_create = token_cmd->add_subcommand("create", "issue a token, print it (once)");
    token_create->add_option("--tenant", token_tenant, "tenant id")->required();
    token_create->add_option("--name", token_name, "what the token is for");

    auto* user_cmd = cli.add_subcommand("user", "users of a tenant (analytics API)");
    user_cmd->require_subcommand(1);
    std::string user_tenant;
    std::string user_email;
    std::string user_role;
    auto* user_create = user_cmd->add_subcommand(
        "create", "create a user; password from PRINTMON_USER_PASSWORD or the first stdin line");
    user_create->add_option("--tenant", user_tenant, "tenant id")->required();
    user_create->add_option("--email", user_email, "login email")->required();
    user_create->add_option("--role", user_role, "admin or viewer")
        ->required()
        ->check(CLI::IsMember({"admin", "viewer"}));

    auto* user_reset = user_cmd->add_subcommand(
        "reset-password",
        "set a user's password (ends their sessions); from PRINTMON_USER_PASSWORD or stdin");
    user_reset->add_option("--tenant", user_tenant, "tenant id")->required();
    user_reset->add_option("--email", user_email, "login email")->required();

    auto* secrets_cmd = cli.add_subcommand("secrets", "the key that seals channel secrets");
    secrets_cmd->require_subcommand(1);
    auto* secrets_status = secrets_cmd->add_subcommand(
        "status", "the key file's id, the database's, and the channels sealed with each");
    auto* secrets_forget = secrets_cmd->add_subcommand(
        "forget-key",
        "make the key file the database's key (a lost key); secrets sealed with the old one "
        "must be entered again");
    auto* secrets_rotate = secrets_cmd->add_subcommand(
        "rotate",
        "replace the key with a fresh one and re-seal every channel secret under it; replicas "
        "sharing the key file take it up without a restart");

    std::string import_file;
    std::string import_tenant;
    auto* import_cmd = cli.add_subcommand("import", "import an offline export file");
    import_cmd->add_option("file", import_file, "export file (JSON)")
        ->required()
        ->check(CLI::ExistingFile);
    import_cmd->add_option("--tenant", import_tenant, "tenant id")->required();

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e, out, err);
    }

    CloudConfig config;
    try {
        config = load_config(config_path);
        common::setup_logging(
            common::parse_log_level(log_level.empty() ? config.log_level : log_level));
    } catch (const std::exception& e) {
        err << "printmon-cloud-api: " << e.what() << "\n";
        return kExitConfig;
    }

    if (*check_cmd) {
        out << config_path << ": ok\n";
        return kExitOk;
    }
    if (*serve_cmd) return serve(std::move(config));
    if (*migrate_cmd) {
        db::Connection conn(config.database.conninfo);
        const auto r = storage::migrate(conn.raw());
        out << "applied " << r.applied.size() << " migration(s), " << r.already_applied
            << " already applied\n";
        return kExitOk;
    }
    if (*tenant_create) {
        auto conn = admin_connection(config);
        out << db::with_transaction(conn, [&](pqxx::work& tx) {
            return tenancy::create_tenant(tx, tenant_name);
        }) << "\n";
        return kExitOk;
    }
    if (*tenant_licence || *tenant_trial || *tenant_show) {
        if (!check_tenant(licence_tenant, err)) return kExitUsage;
        auto conn = admin_connection(config);
        auto done = db::with_transaction(conn, [&](pqxx::work& tx) -> common::Result<void> {
            // The account's audit log shows the operator's changes beside its own admins'.
            const auto named = tenancy::tenant_info(tx, licence_tenant);
            const std::string name = named ? named->name : std::string();
            if (*tenant_licence) {
                auto set = tenancy::set_licence(tx, licence_tenant, licence_until, licence_devices);
                if (set) {
                    api::record_operator_audit(
                        tx, licence_tenant,
                        {"licence_set", licence_tenant, name,
                         fmt::format("until={}{}", licence_until.value_or("-"),
                                     licence_devices ? fmt::format("; devices={}", *licence_devices)
                                                     : std::string())});
                }
                return set;
            }
            if (*tenant_trial) {
                auto set = tenancy::extend_trial(tx, licence_tenant, trial_days);
                if (set) {
                    api::record_operator_audit(tx, licence_tenant,
                                               {"trial_extended", licence_tenant, name,
                                                fmt::format("days={}", trial_days)});
                }
                return set;
            }
            return common::Result<void>{};
        });
        if (!done) return report(done.error(), err);
        const auto info = db::with_transaction(
            conn, [&](pqxx::work& tx) { return tenancy::tenant_info(tx, licence_tenant); });
        if (!info) {
            return report(
                common::Error{common::ErrorCode::kNotFound, "no tenant " + licence_tenant}, err);
        }
        out << "tenant " << info->tenant_id << " status=" << tenancy::to_string(info->status)
            << " trial_ends_at=" << info->trial_ends_at.value_or("-")
            << " licensed_until=" << info->licensed_until.value_or("-") << " device_limit="
            << (info->device_limit ? std::to_string(*info->device_limit) : std::string("-"))
            << " devices=" << info->devices << "\n";
        return kExitOk;
    }
    if (*user_reset) {
        if (!check_tenant(user_tenant, err)) return kExitUsage;
        const auto password = read_password();
        auto conn = admin_connection(config);
        auto done = db::with_transaction(conn, [&](pqxx::work& tx) {
            auto set = auth::reset_password_by_email(tx, user_tenant, user_email, password);
            if (set) {
                api::record_operator_audit(tx, user_tenant,
                                           {"user_password_set", {}, user_email, {}});
            }
            return set;
        });
        if (!done) return report(done.error(), err);
        out << "password set for " << user_email << "; their sessions ended\n";
        return kExitOk;
    }
    if (*tenant_zone) {
        if (!check_tenant(zone_tenant, err)) return kExitUsage;
        auto conn = admin_connection(config);
        auto set = db::with_transaction(conn, [&](pqxx::work& tx) {
            const auto before = tenancy::tenant_info(tx, zone_tenant);
            auto done = tenancy::set_time_zone(tx, zone_tenant, zone);
            if (done && before && before->time_zone != zone) {
                api::record_operator_audit(
                    tx, zone_tenant,
                    {"account_updated", zone_tenant, before->name,
                     fmt::format("time_zone: {} → {}", before->time_zone, zone)});
            }
            return done;
        });
        if (!set) return report(set.error(), err);
        out << "tenant " << zone_tenant << ": time zone " << zone << "\n";
        return kExitOk;
    }
    if (*tenant_retention) {
        if (!check_tenant(retention_tenant, err)) return kExitUsage;
        if (!retention_months && !audit_months) {
            err << "tenant set-retention: give --months, --audit-months or both\n";
            return kExitUsage;
        }
        auto conn = admin_connection(config);
        auto set = db::with_transaction(conn, [&](pqxx::work& tx) -> common::Result<void> {
            const auto before = tenancy::tenant_info(tx, retention_tenant);
            if (retention_months) {
                if (auto done = tenancy::set_raw_retention(tx, retention_tenant, *retention_months);
                    !done) {
                    return done;
                }
            }
            if (audit_months) {
                if (auto done = tenancy::set_audit_retention(tx, retention_tenant, *audit_months);
                    !done) {
                    return done;
                }
            }
            common::ChangeNote changed;
            const auto note = [&changed](std::string_view field, long long from,
                                         const std::optional<long long>& to) {
                if (to) changed.add(field, std::to_string(from), std::to_string(*to));
            };
            if (before) {
                note("raw_retention_months", before->raw_retention_months, retention_months);
                note("audit_retention_months", before->audit_retention_months, audit_months);
            }
            if (!changed.empty()) {
                api::record_operator_audit(
                    tx, retention_tenant,
                    {"account_updated", retention_tenant, before->name, changed.str()});
            }
            return {};
        });
        if (!set) return report(set.error(), err);
        out << "tenant " << retention_tenant << ":";
        if (retention_months) out << " raw readings kept " << *retention_months << " months";
        if (retention_months && audit_months) out << ";";
        if (audit_months) out << " audit log kept " << *audit_months << " months";
        out << "\n";
        return kExitOk;
    }
    if (*scanner_create || *scanner_revoke) {
        if (!check_tenant(scanner.tenant_id, err)) return kExitUsage;
        auto conn = admin_connection(config);
        if (*scanner_create) {
            auto key = db::with_transaction(conn, [&](pqxx::work& tx) {
                auto made = tenancy::create_scanner(tx, scanner);
                if (made) {
                    api::record_operator_audit(
                        tx, scanner.tenant_id,
                        {"scanner_created", scanner.scanner_id, scanner.name,
                         scanner.site.empty() ? std::string() : "site=" + scanner.site});
                }
                return made;
            });
            if (!key) return report(key.error(), err);
            out << *key << "\n";
            err << "printmon-cloud-api: the key is shown only this once; configure it on the "
                   "scanner now\n";
            return kExitOk;
        }
        auto revoked = db::with_transaction(conn, [&](pqxx::work& tx) {
            auto done = tenancy::revoke_scanner(tx, scanner.tenant_id, scanner.scanner_id);
            if (done) {
                api::record_operator_audit(tx, scanner.tenant_id,
                                           {"scanner_revoked", scanner.scanner_id, {}, {}});
            }
            return done;
        });
        if (!revoked) return report(revoked.error(), err);
        out << "revoked " << scanner.scanner_id << "\n";
        return kExitOk;
    }
    if (*token_create) {
        if (!check_tenant(token_tenant, err)) return kExitUsage;
        auto conn = admin_connection(config);
        auto token = db::with_transaction(conn, [&](pqxx::work& tx) {
            auto made = tenancy::create_api_token(tx, token_tenant, token_name);
            if (made)
                api::record_operator_audit(tx, token_tenant, {"token_created", {}, token_name, {}});
            return made;
        });
        if (!token) return report(token.error(), err);
        out << *token << "\n";
        return kExitOk;
    }
    if (*user_create) {
        if (!check_tenant(user_tenant, err)) return kExitUsage;
        auth::NewUser user;
        user.tenant_id = user_tenant;
        user.email = user_email;
        user.role = auth::parse_role(user_role).value_or(auth::Role::viewer);
        user.password = read_password();
        auto conn = admin_connection(config);
        auto id = db::with_transaction(conn, [&](pqxx::work& tx) {
            auto made = auth::create_user(tx, user);
            if (made) {
                api::record_operator_audit(tx, user.tenant_id,
                                           {"user_created", *made, user.email,
                                            fmt::format("role={}", auth::to_string(user.role))});
            }
            return made;
        });
        if (!id) return report(id.error(), err);
        out << *id << "\n";
        return kExitOk;
    }
    if (*secrets_forget) {
        // A lost key file: the key made now (or the file put in place) becomes the database's.
        const auto key = crypto::SecretKey::load_or_create(config.secret_key_file);
        auto conn = admin_connection(config);
        const auto r = storage::forget_secret_key(conn.raw(), key);
        out << "key id " << key.id() << " is now the database's key"
            << (r.previous_key_id.empty() ? std::string() : " (was " + r.previous_key_id + ")")
            << "; channels whose secret must be entered again: " << r.unreadable_channels << "\n";
        return kExitOk;
    }
    if (*secrets_rotate) {
        auto conn = admin_connection(config);
        try {
            const auto r = storage::rotate_secret_key(conn.raw(), config.secret_key_file);
            out << "key id " << r.key_id << " replaced " << r.previous_key_id << " in "
                << config.secret_key_file.string() << "; channels re-sealed: " << r.resealed
                << "; channels whose secret must still be entered again: " << r.unreadable
                << "\nreplicas that share this key file take the new key up themselves; copy "
                   "the file to every other host that runs cloud-api\n";
        } catch (const storage::SecretKeyMismatch& e) {
            err << "printmon-cloud-api: " << e.what() << "\n";
            return kExitFailed;
        }
        return kExitOk;
    }
    if (*secrets_status) {
        std::optional<crypto::SecretKey> key;
        if (std::filesystem::exists(config.secret_key_file)) {
            key = crypto::SecretKey::load_or_create(config.secret_key_file);
        }
        auto conn = admin_connection(config);
        const auto st = storage::secret_status(conn.raw(), key ? key->id() : std::string());
        out << "key file " << config.secret_key_file.string() << ": "
            << (key ? "key id " + key->id() : std::string("missing (made at the first start)"))
            << "\ndatabase key id: "
            << (st.registered_key_id.empty() ? std::string("none yet") : st.registered_key_id)
            << "\nchannels sealed with the key file's key: " << st.sealed_with_key
            << "\nchannels sealed with another key: " << st.sealed_with_other
            << "\nchannels still in plain text: " << st.plain << "\n";
        const bool agree =
            key && (st.registered_key_id.empty() || st.registered_key_id == key->id());
        return agree ? kExitOk : kExitFailed;
    }
    if (*import_cmd) {
        if (!check_tenant(import_tenant, err)) return kExitUsage;
        std::ifstream in(import_file, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        if (!in) {
            err << "printmon-cloud-api: cannot read " << import_file << "\n";
            return kExitFailed;
        }
        auto conn = admin_connection(config);
        const auto summary = ingest::import_export(conn.raw(), import_tenant, text.str(),
                                                   config.limits.import_max_inflated_bytes);
        if (!summary) return report(summary.error(), err);
        out << ingest::to_json(*summary) << "\n";
        return kExitOk;
    }
    return kExitUsage;
}

}  // namespace printmon::cloud
