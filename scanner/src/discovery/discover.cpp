#include "discovery/discover.hpp"

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
    DiscoverReport report;
    std::size_t finished = 0;
};

void try_host(Shared& sh, std::size_t host, std::size_t cred);

/// What one credential set's answer (`view`, classified as `c`) says of a host: a printer, a
/// device reported anyway, or a reason to try the next set.
void settle(Shared& sh, std::size_t host, std::size_t cred, const snmp::MibView& view,
            Classification c) {
    const std::size_t count = sh.lists[sh.list_of_host[host]].size();
    Found f;
    f.address = sh.hosts[host];
    f.host_index = host;
    f.credential_index = cred;
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
    ++sh.finished;
    if (sh.progress) sh.progress(sh.finished, sh.hosts.size());
}

void try_host(Shared& sh, std::size_t host, std::size_t cred) {
    const auto& credentials = sh.lists[sh.list_of_host[host]];
    const auto next = [&sh, host, cred, count = credentials.size()] {
        if (cred + 1 < count) {
            try_host(sh, host, cred + 1);
        } else {
            ++sh.finished;
            if (sh.progress) sh.progress(sh.finished, sh.hosts.size());
        }
    };
    if (credentials.empty()) {
        // A range whose every named set is disabled or unreadable: nothing to try.
        ++sh.finished;
        if (sh.progress) sh.progress(sh.finished, sh.hosts.size());
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
        next();
        return;
    }
    const CollectionPlan plan = identity_plan();
    snmp::fetch(sh.engine, *session, plan.scalars, plan.subtrees, {},
                [&sh, host, cred, next, session = *session](snmp::FetchResult r) {
                    sh.report.requests += r.requests;
                    if (!r.answered) {
                        next();
                        return;
                    }
                    if (!sh.answered[host]) ++sh.report.answered;
                    sh.answered[host] = true;
                    auto c = classify(r.view, sh.profiles);
                    if (!c.other_device_first) {
                        settle(sh, host, cred, r.view, std::move(c));
                        return;
                    }
                    // hrDevice row 1 is a processor or a network card: the table's walk (one
                    // GETBULK) says whether the printer is another row.
                    const CollectionPlan table = device_table_plan();
                    snmp::FetchOptions opts;
                    opts.device_answered = true;
                    // A printer's agent lists a few devices; a server may list hundreds
                    // (disks, partitions), which are no printer's either way.
                    opts.max_per_subtree = 128;
                    snmp::fetch(sh.engine, session, table.scalars, table.subtrees, opts,
                                [&sh, host, cred, view = std::move(r.view)](
                                    const snmp::FetchResult& walked) mutable {
                                    sh.report.requests += walked.requests;
                                    for (const auto& [oid, value] : walked.view) {
                                        view.insert_or_assign(oid, value);
                                    }
                                    settle(sh, host, cred, view, classify(view, sh.profiles));
                                });
                });
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
    Shared sh{engine, hosts, credential_lists, list_of_host, profiles, options, progress, {}, {},
              {},     0};
    sh.slots.resize(hosts.size());
    sh.answered.assign(hosts.size(), false);
    sh.report.hosts_scanned = hosts.size();
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        engine.post([&sh, i] { try_host(sh, i, 0); });
    }
    engine.run();
    for (auto& s : sh.slots) {
        if (s) sh.report.found.push_back(std::move(*s));
    }
    return std::move(sh.report);
}

}  // namespace printmon::scanner::discovery
