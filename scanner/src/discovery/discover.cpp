#include "discovery/discover.hpp"

#include <algorithm>
#include <memory>

#include "snmp/fetch.hpp"

namespace printmon::scanner::discovery {
namespace {

const snmp::Oid kSysDescr{1, 3, 6, 1, 2, 1, 1, 1, 0};
const snmp::Oid kSysObjectId{1, 3, 6, 1, 2, 1, 1, 2, 0};

struct Shared {
    snmp::Engine& engine;
    const std::vector<std::string>& hosts;
    const std::vector<snmp::Credentials>& credentials;
    const ProfileSet& profiles;
    const DiscoverOptions& options;
    const std::function<void(std::size_t, std::size_t)>& progress;
    std::vector<std::optional<Found>> slots;
    DiscoverReport report;
    std::size_t finished = 0;
};

void try_host(Shared& sh, std::size_t host, std::size_t cred) {
    const auto next = [&sh, host, cred] {
        if (cred + 1 < sh.credentials.size()) {
            try_host(sh, host, cred + 1);
        } else {
            ++sh.finished;
            if (sh.progress) sh.progress(sh.finished, sh.hosts.size());
        }
    };
    snmp::Target t;
    t.host = sh.hosts[host];
    t.port = sh.options.port;
    t.credentials = sh.credentials[cred];
    t.retries = std::max(0, sh.options.retries);
    t.timeout = sh.options.timeout / (1 + t.retries);
    auto session = sh.engine.open(t);
    if (!session) {
        next();
        return;
    }
    const CollectionPlan plan = identity_plan();
    snmp::fetch(sh.engine, *session, plan.scalars, plan.subtrees, {},
                [&sh, host, cred, next](snmp::FetchResult r) {
                    sh.report.requests += r.requests;
                    if (!r.answered) {
                        next();
                        return;
                    }
                    ++sh.report.answered;
                    Found f;
                    f.address = sh.hosts[host];
                    f.credential_index = cred;
                    f.classification = classify(r.view, sh.profiles);
                    if (auto it = r.view.find(kSysDescr); it != r.view.end()) {
                        f.sys_descr = it->second.bytes;
                    }
                    if (auto it = r.view.find(kSysObjectId); it != r.view.end()) {
                        f.sys_object_id = "." + snmp::to_string(it->second.oid);
                    }
                    if (f.classification.is_printer || sh.options.include_non_printers) {
                        sh.slots[host] = std::move(f);
                    }
                    ++sh.finished;
                    if (sh.progress) sh.progress(sh.finished, sh.hosts.size());
                });
}

}  // namespace

DiscoverReport discover(snmp::Engine& engine, const std::vector<std::string>& hosts,
                        const std::vector<snmp::Credentials>& credentials,
                        const ProfileSet& profiles, const DiscoverOptions& options,
                        const std::function<void(std::size_t, std::size_t)>& progress) {
    Shared sh{engine, hosts, credentials, profiles, options, progress, {}, {}, 0};
    sh.slots.resize(hosts.size());
    sh.report.hosts_scanned = hosts.size();
    if (credentials.empty()) return sh.report;
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
