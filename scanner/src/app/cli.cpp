#include "app/cli.hpp"

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include "app/probe.hpp"
#include "app/service_cmd.hpp"
#include "app/service_config.hpp"
#include "discovery/discover.hpp"
#include "discovery/targets.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/enums.hpp"
#include "snmp/redact.hpp"
#include "snmp/snmprec.hpp"

namespace printmon::scanner {
namespace {

/// SNMP options shared by every command.
struct SnmpArgs {
    std::vector<std::string> communities{"public"};
    std::string version = "2c";
    std::string user;
    std::string auth_protocol;
    std::string auth_password;
    std::string priv_protocol;
    std::string priv_password;
    std::string context;
    int timeout_ms = 1000;
    int retries = 1;
    std::string profiles_dir;

    void add_to(CLI::App& app, bool many_communities) {
        if (many_communities) {
            app.add_option("-c,--community", communities,
                           "community strings, tried in order (repeat the option)");
        } else {
            app.add_option("-c,--community", communities.front(), "community string");
        }
        app.add_option("-v,--snmp-version", version, "SNMP version: 1, 2c or 3")
            ->check(CLI::IsMember({"1", "2c", "3"}));
        app.add_option("-u,--user", user, "SNMPv3 user name");
        app.add_option("-a,--auth-protocol", auth_protocol,
                       "SNMPv3 auth: MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512");
        app.add_option("-A,--auth-password", auth_password,
                       "SNMPv3 auth password (or env PRINTMON_SNMP_AUTH_PASSWORD)");
        app.add_option("-x,--priv-protocol", priv_protocol,
                       "SNMPv3 privacy: DES, AES, AES-192, AES-256");
        app.add_option("-X,--priv-password", priv_password,
                       "SNMPv3 privacy password (or env PRINTMON_SNMP_PRIV_PASSWORD)");
        app.add_option("-n,--context", context, "SNMPv3 context name");
        app.add_option("-t,--timeout", timeout_ms, "timeout per request in milliseconds")
            ->check(CLI::Range(10, 60000));
        app.add_option("-r,--retries", retries, "retries per request")->check(CLI::Range(0, 10));
        app.add_option("--profiles-dir", profiles_dir,
                       "directory of extra vendor profile files (*.toml) overriding built-ins");
    }

    std::vector<snmp::Credentials> credentials() const {
        std::vector<snmp::Credentials> out;
        const auto v = snmp::parse_version(version).value_or(snmp::Version::v2c);
        const auto env_or = [](const std::string& value, const char* env) {
            const char* e = std::getenv(env);
            return value.empty() && e != nullptr ? std::string(e) : value;
        };
        if (v == snmp::Version::v3) {
            snmp::Credentials c;
            c.version = v;
            c.user = user;
            c.auth_protocol = auth_protocol;
            c.auth_password = env_or(auth_password, "PRINTMON_SNMP_AUTH_PASSWORD");
            c.priv_protocol = priv_protocol;
            c.priv_password = env_or(priv_password, "PRINTMON_SNMP_PRIV_PASSWORD");
            c.context = context;
            if (!c.auth_password.empty() && c.auth_protocol.empty()) c.auth_protocol = "SHA";
            if (!c.priv_password.empty() && c.priv_protocol.empty()) c.priv_protocol = "AES";
            out.push_back(std::move(c));
            return out;
        }
        for (const auto& community : communities) {
            snmp::Credentials c;
            c.version = v;
            c.community = community;
            out.push_back(std::move(c));
        }
        return out;
    }
};

/// "host", "host:port", "[v6]:port".
bool split_host_port(const std::string& text, std::string& host, std::uint16_t& port) {
    std::string rest;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos) return false;
        host = text.substr(1, close - 1);
        rest = text.substr(close + 1);
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        const auto colon = text.find(':');
        host = text.substr(0, colon);
        rest = text.substr(colon);
    } else {
        host = text;
    }
    if (!rest.empty()) {
        if (rest.front() != ':' || rest.size() < 2) return false;
        try {
            const int p = std::stoi(rest.substr(1));
            if (p < 1 || p > 65535) return false;
            port = static_cast<std::uint16_t>(p);
        } catch (const std::exception&) {
            return false;
        }
    }
    return !host.empty();
}

tl::expected<ProfileSet, std::string> load_profiles(const std::string& dir) {
    try {
        return ProfileSet::load(dir);
    } catch (const std::exception& e) {
        return tl::unexpected(std::string(e.what()));
    }
}

/// What probe and walk say of a device that did not answer, with the hint an SNMPv1-only agent
/// needs: it drops v2c requests unanswered (discovery asks both versions; these commands ask
/// the one given).
void report_no_answer(const std::string& host, const snmp::SnmpError& err,
                      const snmp::Credentials& credentials) {
    std::cerr << "printmon-scanner: " << host << " did not answer (" << snmp::to_string(err.code)
              << ": " << err.detail << ")\n";
    if (err.code == snmp::ErrorCode::timeout && credentials.version == snmp::Version::v2c) {
        std::cerr << "printmon-scanner: if its agent speaks SNMPv1 only, try -v 1\n";
    }
}

int cmd_probe(const std::vector<std::string>& hosts, const SnmpArgs& args, bool json, bool verbose,
              int repeat, bool v1_only) {
    std::vector<snmp::Target> targets;
    for (const auto& host_port : hosts) {
        snmp::Target target;
        if (!split_host_port(host_port, target.host, target.port)) {
            std::cerr << "printmon-scanner: '" << host_port << "' is not HOST or HOST:PORT\n";
            return 2;
        }
        target.credentials = args.credentials().front();
        target.timeout = std::chrono::milliseconds(args.timeout_ms);
        target.retries = args.retries;
        targets.push_back(std::move(target));
    }
    auto profiles = load_profiles(args.profiles_dir);
    if (!profiles) {
        std::cerr << "printmon-scanner: " << profiles.error() << "\n";
        return 2;
    }
    // What the service does for an agent its discovery found over SNMPv1 only: support reads
    // such a device with the same requests as the branch's scanner.
    snmp::FetchOptions options;
    options.v1_only_agent = v1_only;
    std::vector<ProbeOutcome> outcomes(targets.size());
    snmp::Engine engine;
    // Round 0 reads every device in full; rounds 1..repeat are repeat polls of known devices.
    for (int round = 0; round <= repeat; ++round) {
        const auto t0 = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < targets.size(); ++i) {
            auto store = [&outcomes, i](ProbeOutcome o) { outcomes[i] = std::move(o); };
            if (round == 0 || !outcomes[i].result) {
                probe_device(engine, targets[i], *profiles, store, options);
            } else {
                poll_known_device(engine, targets[i], *profiles, std::move(outcomes[i].view), store,
                                  options);
            }
        }
        engine.run();
        if (verbose) {
            int requests = 0;
            for (const auto& o : outcomes) requests += o.requests;
            const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - t0;
            std::cerr << (round == 0 ? "full read" : "repeat poll") << ": " << targets.size()
                      << " device(s), " << requests << " requests, " << wall.count() << " s\n";
        }
    }
    int failures = 0;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        if (!outcomes[i].result) {
            const auto err = outcomes[i].error.value_or(snmp::SnmpError{});
            report_no_answer(hosts[i], err, targets[i].credentials);
            ++failures;
            continue;
        }
        if (verbose) {
            std::cerr << hosts[i] << ": requests " << outcomes[i].requests << "\n";
            for (const auto& n : outcomes[i].result->notes) std::cerr << "  note: " << n << "\n";
            for (const auto& [field, source] : outcomes[i].result->sources) {
                std::cerr << "  source: " << field << " <- [" << provenance(source) << "] "
                          << source << "\n";
            }
        }
    }
    if (json) {
        // One host: one snapshot object (what support tools and the scorer expect); several:
        // an array in the order given.
        if (hosts.size() > 1) std::cout << "[\n";
        bool first = true;
        for (const auto& o : outcomes) {
            if (!o.result) continue;
            if (!first) std::cout << ",\n";
            first = false;
            std::cout << proto::to_json(o.result->snapshot, proto::JsonStyle::pretty);
        }
        std::cout << (hosts.size() > 1 ? "\n]\n" : "\n");
    } else {
        for (const auto& o : outcomes) {
            if (!o.result) continue;
            std::cout << snapshot_text(o.result->snapshot);
        }
    }
    return failures == 0 ? 0 : 1;
}

int cmd_discover(const std::vector<std::string>& ranges, const std::vector<std::string>& excludes,
                 const SnmpArgs& args, std::uint16_t port, bool json, bool all, bool v1_fallback) {
    auto hosts = discovery::expand_targets(ranges, excludes);
    if (!hosts) {
        std::cerr << "printmon-scanner: " << hosts.error() << "\n";
        return 2;
    }
    auto profiles = load_profiles(args.profiles_dir);
    if (!profiles) {
        std::cerr << "printmon-scanner: " << profiles.error() << "\n";
        return 2;
    }
    discovery::DiscoverOptions opts;
    opts.port = port;
    opts.timeout = std::chrono::milliseconds(args.timeout_ms);
    opts.retries = args.retries;
    opts.include_non_printers = all;
    opts.v1_fallback = v1_fallback;
    snmp::Engine engine;
    const auto creds = args.credentials();
    const auto report = discovery::discover(engine, *hosts, creds, *profiles, opts);
    if (report.open_failures > 0) {
        std::cerr << "printmon-scanner: warning: " << report.hosts_unasked << " host(s) not asked, "
                  << report.open_failures
                  << " credential attempt(s) could not open: " << report.open_error << "\n";
    }
    if (json) {
        rapidjson::StringBuffer buf;
        rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
        w.StartObject();
        w.Key("hosts_scanned");
        w.Uint64(report.hosts_scanned);
        w.Key("answered");
        w.Uint64(report.answered);
        w.Key("requests");
        w.Int(report.requests);
        w.Key("devices");
        w.StartArray();
        for (const auto& f : report.found) {
            w.StartObject();
            w.Key("address");
            w.String(f.address.c_str());
            w.Key("printer");
            w.Bool(f.classification.is_printer);
            w.Key("vendor");
            w.String(f.classification.vendor.c_str());
            w.Key("model");
            w.String(f.classification.model.c_str());
            w.Key("sys_object_id");
            w.String(f.sys_object_id.c_str());
            w.Key("sys_descr");
            w.String(f.sys_descr.c_str());
            w.Key("credential");
            w.Uint64(f.credential_index);
            // The version that answered: the set's own, or v1 for a v2c set's community.
            w.Key("snmp_version");
            const auto version = f.v1_fallback
                                     ? std::string("1")
                                     : snmp::to_string(creds.at(f.credential_index).version);
            w.String(version.c_str());
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
        std::cout << buf.GetString() << "\n";
    } else {
        for (const auto& f : report.found) {
            std::cout << f.address << "\t" << f.classification.vendor << "\t"
                      << f.classification.model << (f.v1_fallback ? "\t(SNMPv1)" : "") << "\n";
        }
        std::cerr << report.found.size() << " printer(s) among " << report.answered
                  << " SNMP agent(s) on " << report.hosts_scanned << " host(s)\n";
    }
    return 0;
}

int cmd_walk(const std::string& host_port, const SnmpArgs& args, const std::string& out,
             const std::string& root, bool keep_private) {
    snmp::Target target;
    if (!split_host_port(host_port, target.host, target.port)) {
        std::cerr << "printmon-scanner: '" << host_port << "' is not HOST or HOST:PORT\n";
        return 2;
    }
    const auto root_oid = snmp::parse_oid(root);
    if (!root_oid) {
        std::cerr << "printmon-scanner: '" << root << "' is not a numeric OID\n";
        return 2;
    }
    target.credentials = args.credentials().front();
    target.timeout = std::chrono::milliseconds(args.timeout_ms);
    target.retries = args.retries;
    snmp::Engine engine;
    auto session = engine.open(target);
    if (!session) {
        std::cerr << "printmon-scanner: " << session.error().detail << "\n";
        return 1;
    }
    snmp::FetchResult result;
    snmp::fetch(engine, *session, {}, {*root_oid}, snmp::whole_device_walk(),
                [&](snmp::FetchResult r) { result = std::move(r); });
    engine.run();
    if (!result.answered) {
        report_no_answer(host_port, result.error.value_or(snmp::SnmpError{}), target.credentials);
        return 1;
    }
    // The capture leaves the site: what describes the office rather than the printer goes
    // first (snmp/redact.hpp), unless support asked for everything.
    snmp::MibView view = std::move(result.view);
    if (!keep_private) {
        snmp::RedactReport report;
        view = snmp::redact(view, snmp::credential_secrets(target.credentials), report);
        for (const auto& line : report.lines()) std::cerr << "redacted: " << line << "\n";
    }
    // Atomic: a support file is either complete or absent.
    const std::string tmp = out + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << snmp::write_snmprec(view);
        if (!f.flush()) {
            std::cerr << "printmon-scanner: cannot write " << tmp << "\n";
            return 1;
        }
    }
    if (std::rename(tmp.c_str(), out.c_str()) != 0) {
        std::cerr << "printmon-scanner: cannot rename " << tmp << " to " << out << "\n";
        return 1;
    }
    for (const auto& n : result.notes) std::cerr << "note: " << n << "\n";
    std::cerr << "wrote " << view.size() << " values to " << out << " (" << result.requests
              << " requests)\n";
    return 0;
}

}  // namespace

namespace {

/// Raises the soft limit on open files to the hard one (at most 65,536). Rationale: every SNMP
/// target is a socket; a sweep asks up to 256 hosts at once, two sockets each, and the usual
/// soft limit of 1,024 (a shell, a systemd unit) would narrow it. Discovery still fits its
/// window to whatever limit remains.
void raise_open_files_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    const rlim_t want = rl.rlim_max == RLIM_INFINITY ? 65536 : std::min<rlim_t>(rl.rlim_max, 65536);
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = want;
        setrlimit(RLIMIT_NOFILE, &rl);  // best effort: the window adapts if this fails
    }
}

}  // namespace

int run_cli(int argc, char** argv) {
    raise_open_files_limit();
    CLI::App app{"printmon-scanner: printer discovery and monitoring over SNMP"};
    app.set_version_flag("--version", std::string("printmon-scanner ") + PRINTMON_VERSION);
    app.require_subcommand(1);

    SnmpArgs probe_args;
    std::vector<std::string> probe_hosts;
    bool probe_json = false;
    bool verbose = false;
    int repeat = 0;
    auto* probe = app.add_subcommand("probe", "read devices and print their snapshots");
    probe->add_option("host", probe_hosts, "HOST[:PORT] (several: read concurrently)")->required();
    probe
        ->add_option("--repeat", repeat,
                     "after the full read, poll again N times as known devices (benchmarks)")
        ->check(CLI::Range(0, 1000));
    probe->add_flag("--json", probe_json, "print the v1 device snapshot as JSON");
    probe->add_flag("--verbose", verbose, "print requests, notes and value sources to stderr");
    bool probe_v1_only = false;
    probe->add_flag("--v1-only-agent", probe_v1_only,
                    "the agent speaks SNMPv1 and not v2c, as discovery records it: objects past "
                    "the end of its MIB are settled at once, as the service does (needs -v 1)");
    probe_args.add_to(*probe, false);

    SnmpArgs disc_args;
    std::vector<std::string> ranges;
    std::vector<std::string> excludes;
    int disc_port = 161;
    bool disc_json = false;
    bool disc_all = false;
    auto* disc = app.add_subcommand("discover", "find printers on address ranges");
    disc->add_option("ranges", ranges, "CIDR, a.b.c.d-e.f.g.h, address or host name")->required();
    disc->add_option("-e,--exclude", excludes, "addresses or ranges to skip");
    disc->add_option("-p,--port", disc_port, "SNMP port")->check(CLI::Range(1, 65535));
    disc->add_flag("--json", disc_json, "print the result as JSON");
    disc->add_flag("--all", disc_all, "also list SNMP agents that are not printers");
    bool disc_v2c_only = false;
    disc->add_flag("--no-v1-fallback", disc_v2c_only,
                   "do not also ask each host over SNMPv1 with a v2c community (by default "
                   "SNMPv1-only agents, which drop v2c requests, are found too)");
    disc_args.add_to(*disc, true);

    SnmpArgs walk_args;
    std::string walk_host;
    std::string walk_out;
    std::string walk_root = "1.3.6.1";
    auto* walk = app.add_subcommand("walk", "record a device into an .snmprec file for support");
    walk->add_option("host", walk_host, "HOST[:PORT]")->required();
    walk->add_option("-o,--output", walk_out, "output .snmprec file")->required();
    walk->add_option("--root", walk_root, "subtree to record");
    bool walk_keep_private = false;
    walk->add_flag("--no-redact", walk_keep_private,
                   "keep contacts, locations, addresses, e-mail, jobs and neighbours (by default "
                   "they are removed: the file is for support)");
    walk_args.add_to(*walk, false);

    std::string run_config = "scanner.toml";
    std::string run_log_level;
    auto* run = app.add_subcommand(
        "run", "run the branch service: discovery, scheduled polling, storage in PostgreSQL");
    run->add_option("--config", run_config, "bootstrap configuration (see scanner.example.toml)")
        ->check(CLI::ExistingFile);
    run->add_option("--log-level", run_log_level, "override log.level of the configuration");

    std::string check_config = "scanner.toml";
    auto* check = app.add_subcommand("check-config", "validate the configuration file and exit");
    check->add_option("--config", check_config, "bootstrap configuration")
        ->check(CLI::ExistingFile);

    std::string secrets_config = "scanner.toml";
    auto* secrets = app.add_subcommand("secrets", "the key that seals the SNMP secrets");
    secrets->require_subcommand(1);
    auto* secrets_rotate = secrets->add_subcommand(
        "rotate",
        "replace the key with a fresh one and re-seal every credential set under it; a running "
        "scanner takes it up by itself");
    secrets_rotate->add_option("--config", secrets_config, "bootstrap configuration")
        ->check(CLI::ExistingFile);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (*secrets_rotate) return rotate_secrets_command(secrets_config);
    if (*check) {
        try {
            (void)load_service_config(check_config);
        } catch (const std::exception& e) {
            std::cerr << "printmon-scanner: " << e.what() << "\n";
            return 78;  // EX_CONFIG, as `run` does
        }
        std::cout << check_config << ": ok\n";
        return 0;
    }
    if (*run) return run_service_command(run_config, run_log_level);
    if (*probe) {
        if (probe_v1_only && probe_args.version != "1") {
            std::cerr << "printmon-scanner: --v1-only-agent needs -v 1\n";
            return 2;
        }
        return cmd_probe(probe_hosts, probe_args, probe_json, verbose, repeat, probe_v1_only);
    }
    if (*disc) {
        return cmd_discover(ranges, excludes, disc_args, static_cast<std::uint16_t>(disc_port),
                            disc_json, disc_all, !disc_v2c_only);
    }
    return cmd_walk(walk_host, walk_args, walk_out, walk_root, walk_keep_private);
}

}  // namespace printmon::scanner
