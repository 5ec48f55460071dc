#include "discovery/discover.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <utility>

#include "snmp/fetch.hpp"

namespace printmon::scanner::discovery {
namespace {

const snmp::Oid kSysDescr{1, 3, 6, 1, 2, 1, 1, 1, 0};
const snmp::Oid kSysObjectId{1, 3, 6, 1, 2, 1, 1, 2, 0};

struct Shared {
    snmp::Engine& engine;
    const std::vector<std::string>& hosts;
    const std::vector<std::vector<snmp::Credentials>>& lists;
    const std::vector<std::size_t>& list_of_host;
    const ProfileSet& profiles;
    const DiscoverOptions& options;
    const std::function<void(std::size_t, std::size_t)>& progress;
    std::vector<std::optional<Found>> slots;
    std::vector<bool> answered;  ///< per host: some credential set got an answer
    std::vector<bool> opened;    ///< per host: some credential set's session opened
    DiscoverReport report;
    std::size_t finished = 0;
    std::size_t next_host = 0;    ///< the first host not started yet
    std::size_t in_progress = 0;  ///< hosts started and not finished
    std::size_t window = 1;       ///< hosts_at_once()
};

void try_host(Shared& sh, std::size_t host, std::size_t cred);

/// `wanted` hosts at once, or fewer when the process may not open that many sockets (one per
/// host, two with the v1 twin) beside what it already holds. Rationale: a session that cannot
/// open leaves its host unasked, so the window follows the descriptor limit (1,024 by default
/// outside containers).
std::size_t hosts_at_once(std::size_t wanted, bool twins) {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return wanted;
    constexpr rlim_t kReserve = 128;  // database, web server, logs, concurrent polls
    const rlim_t per_host = twins ? 2 : 1;
    if (rl.rlim_cur <= kReserve + per_host) return 1;
    return std::min<std::size_t>(wanted, (rl.rlim_cur - kReserve) / per_host);
}

/// Starts hosts until `max_hosts_at_once` are in progress. Posted, not called: a host that
/// ends at once (its session cannot open) must not recurse through the whole range.
void start_more(Shared& sh) {
    const std::size_t window = std::max<std::size_t>(1, sh.window);
    while (sh.in_progress < window && sh.next_host < sh.hosts.size()) {
        ++sh.in_progress;
        const std::size_t host = sh.next_host++;
        sh.engine.post([&sh, host] { try_host(sh, host, 0); });
    }
}

/// A host is settled (found, reported or given up): count it and start the next one.
void host_done(Shared& sh) {
    ++sh.finished;
    if (sh.progress) sh.progress(sh.finished, sh.hosts.size());
    --sh.in_progress;
    start_more(sh);
}

/// What one credential set's answer (`view`, classified as `c`) says of a host: a printer, a
/// device reported anyway, or a reason to try the next set.
void settle(Shared& sh, std::size_t host, std::size_t cred, bool v1_fallback,
            const snmp::MibView& view, Classification c) {
    const std::size_t count = sh.lists[sh.list_of_host[host]].size();
    Found f;
    f.address = sh.hosts[host];
    f.host_index = host;
    f.credential_index = cred;
    f.v1_fallback = v1_fallback;
    f.classification = std::move(c);
    if (auto it = view.find(kSysDescr); it != view.end()) f.sys_descr = it->second.bytes;
    if (auto it = view.find(kSysObjectId); it != view.end()) {
        f.sys_object_id = "." + snmp::to_string(it->second.oid);
    }
    if (!f.classification.is_printer && cred + 1 < count) {
        // Rationale: some MFPs answer only their system group in the default SNMPv3 context
        // and the Printer-MIB in a named one; a later set (same user, with that context) may
        // show the printer. The first answer is kept for include_non_printers if none does.
        if (sh.options.include_non_printers && !sh.slots[host]) sh.slots[host] = std::move(f);
        try_host(sh, host, cred + 1);
        return;
    }
    if (f.classification.is_printer || sh.options.include_non_printers) {
        if (f.classification.is_printer || !sh.slots[host]) sh.slots[host] = std::move(f);
    }
    host_done(sh);
}

/// A host answered credential set `cred` (over SNMPv1 when `v1_fallback`): classify it.
void identified(Shared& sh, std::size_t host, std::size_t cred, bool v1_fallback,
                const std::shared_ptr<snmp::Session>& session, snmp::MibView view) {
    if (!sh.answered[host]) ++sh.report.answered;
    sh.answered[host] = true;
    auto c = classify(view, sh.profiles);
    if (!c.other_device_first) {
        settle(sh, host, cred, v1_fallback, view, std::move(c));
        return;
    }
    // hrDevice row 1 is a processor or a network card: the table's walk (one GETBULK) says
    // whether the printer is another row.
    const CollectionPlan table = device_table_plan();
    snmp::FetchOptions opts;
    opts.device_answered = true;
    // A printer's agent lists a few devices; a server may list hundreds (disks, partitions),
    // which are no printer's either way.
    opts.max_per_subtree = 128;
    snmp::fetch(sh.engine, session, table.scalars, table.subtrees, opts,
                [&sh, host, cred, v1_fallback,
                 view = std::move(view)](const snmp::FetchResult& walked) mutable {
                    sh.report.requests += walked.requests;
                    for (const auto& [oid, value] : walked.view) view.insert_or_assign(oid, value);
                    settle(sh, host, cred, v1_fallback, view, classify(view, sh.profiles));
                });
}

/// One credential set's identity read over its own version and, for a community set of version
/// 2c, a one-object GET over SNMPv1 at the same time. Decided when both are in; the identity is
/// read over v1 only when v2c got no answer. Rationale: the twin costs one request per host, not
/// the several an SNMPv1 read of the whole identity takes (v1 fails a GET per missing object).
struct Attempt {
    std::shared_ptr<snmp::Session> own_session;
    std::shared_ptr<snmp::Session> v1_session;  ///< none: no v1 twin
    bool own_answered = false;
    bool v1_answered = false;
    snmp::MibView own_view;
    int pending = 0;
};

void try_host(Shared& sh, std::size_t host, std::size_t cred) {
    const auto& credentials = sh.lists[sh.list_of_host[host]];
    const auto next = [&sh, host, cred, count = credentials.size()] {
        if (cred + 1 < count) {
            try_host(sh, host, cred + 1);
        } else {
            host_done(sh);
        }
    };
    if (credentials.empty()) {
        // A range whose every named set is disabled or unreadable: nothing to try.
        host_done(sh);
        return;
    }
    snmp::Target t;
    t.host = sh.hosts[host];
    t.port = sh.options.port;
    t.credentials = credentials[cred];
    t.retries = std::max(0, sh.options.retries);
    t.timeout = sh.options.timeout / (1 + t.retries);
    auto session = sh.engine.open(t);
    if (!session) {
        ++sh.report.open_failures;
        if (sh.report.open_error.empty()) sh.report.open_error = session.error().detail;
        if (cred + 1 == credentials.size() && !sh.opened[host]) ++sh.report.hosts_unasked;
        next();
        return;
    }
    sh.opened[host] = true;
    auto attempt = std::make_shared<Attempt>();
    attempt->own_session = *session;
    if (sh.options.v1_fallback && t.credentials.version == snmp::Version::v2c) {
        snmp::Target v1 = t;
        v1.credentials.version = snmp::Version::v1;
        if (auto s = sh.engine.open(v1)) attempt->v1_session = *s;
    }
    attempt->pending = attempt->v1_session ? 2 : 1;
    const CollectionPlan plan = identity_plan();
    const auto decide = [&sh, host, cred, next, attempt, plan] {
        if (--attempt->pending > 0) return;
        if (attempt->own_answered) {
            identified(sh, host, cred, false, attempt->own_session, std::move(attempt->own_view));
        } else if (attempt->v1_answered) {
            snmp::fetch(sh.engine, attempt->v1_session, plan.scalars, plan.subtrees, {},
                        [&sh, host, cred, attempt, next](snmp::FetchResult r) {
                            sh.report.requests += r.requests;
                            if (!r.answered) {
                                next();
                                return;
                            }
                            identified(sh, host, cred, true, attempt->v1_session,
                                       std::move(r.view));
                        });
        } else {
            next();
        }
    };
    snmp::fetch(sh.engine, *session, plan.scalars, plan.subtrees, {},
                [&sh, attempt, decide](snmp::FetchResult r) {
                    sh.report.requests += r.requests;
                    attempt->own_answered = r.answered;
                    attempt->own_view = std::move(r.view);
                    decide();
                });
    if (attempt->v1_session) {
        snmp::fetch(sh.engine, attempt->v1_session, {kSysObjectId}, {}, {},
                    [&sh, attempt, decide](const snmp::FetchResult& r) {
                        sh.report.requests += r.requests;
                        attempt->v1_answered = r.answered;
                        decide();
                    });
    }
}

}  // namespace

DiscoverReport discover(snmp::Engine& engine, const std::vector<std::string>& hosts,
                        const std::vector<snmp::Credentials>& credentials,
                        const ProfileSet& profiles, const DiscoverOptions& options,
                        const std::function<void(std::size_t, std::size_t)>& progress) {
    if (credentials.empty()) {
        DiscoverReport report;
        report.hosts_scanned = hosts.size();
        return report;
    }
    const std::vector<std::vector<snmp::Credentials>> lists{credentials};
    const std::vector<std::size_t> list_of_host(hosts.size(), 0);
    return discover(engine, hosts, lists, list_of_host, profiles, options, progress);
}

DiscoverReport discover(snmp::Engine& engine, const std::vector<std::string>& hosts,
                        const std::vector<std::vector<snmp::Credentials>>& credential_lists,
                        const std::vector<std::size_t>& list_of_host, const ProfileSet& profiles,
                        const DiscoverOptions& options,
                        const std::function<void(std::size_t, std::size_t)>& progress) {
    if (list_of_host.size() != hosts.size()) {
        throw std::invalid_argument("discover: one credential list index per host");
    }
    for (const auto i : list_of_host) {
        if (i >= credential_lists.size()) throw std::invalid_argument("discover: bad list index");
    }
    Shared sh{engine,
              hosts,
              credential_lists,
              list_of_host,
              profiles,
              options,
              progress,
              {},
              {},
              {},
              {},
              0,
              0,
              0,
              1};
    sh.window = hosts_at_once(options.max_hosts_at_once, options.v1_fallback);
    sh.slots.resize(hosts.size());
    sh.answered.assign(hosts.size(), false);
    sh.opened.assign(hosts.size(), false);
    sh.report.hosts_scanned = hosts.size();
    start_more(sh);
    engine.run();
    for (auto& s : sh.slots) {
        if (s) sh.report.found.push_back(std::move(*s));
    }
    return std::move(sh.report);
}

}  // namespace printmon::scanner::discovery
