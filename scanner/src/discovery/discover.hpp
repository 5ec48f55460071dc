#pragma once
// Discovery: which hosts of a range are printers, with which credential set, vendor and model.

#include <functional>
#include <string>
#include <vector>

#include "polling/collector.hpp"
#include "profiles/profile.hpp"
#include "snmp/engine.hpp"

namespace printmon::scanner::discovery {

struct DiscoverOptions {
    std::uint16_t port = 161;
    /// Total wait per host and credential set, retries included (as braa and onesixtyone
    /// count it): each of the 1 + retries attempts waits timeout / (1 + retries). Rationale: a
    /// sweep is bounded by its slowest silent host, and a printer that answers slower than
    /// that is found by the next discovery round.
    std::chrono::milliseconds timeout{1000};
    int retries = 1;
    bool include_non_printers = false;  ///< also report SNMP agents that are not printers
};

struct Found {
    std::string address;
    std::size_t host_index = 0;        ///< its position in `hosts`
    std::size_t credential_index = 0;  ///< which credential set answered (remembered for polls)
    Classification classification;
    std::string sys_descr;
    std::string sys_object_id;
};

struct DiscoverReport {
    std::vector<Found> found;  ///< in the order of `hosts`
    std::size_t hosts_scanned = 0;
    std::size_t answered = 0;  ///< SNMP agents that answered, printers or not
    int requests = 0;
};

/// Tries each credential set in order on every host (all hosts concurrently, bounded by the
/// engine's in-flight limit) and classifies what answers. `progress` (optional) is called
/// with (done, total) as hosts finish.
DiscoverReport discover(snmp::Engine& engine, const std::vector<std::string>& hosts,
                        const std::vector<snmp::Credentials>& credentials,
                        const ProfileSet& profiles, const DiscoverOptions& options,
                        const std::function<void(std::size_t, std::size_t)>& progress = {});

/// The same with credential sets per host: host i tries credential_lists[list_of_host[i]] in
/// order (a host whose list is empty is skipped); Found::credential_index indexes that list.
/// Discovery ranges name their own sets this way.
DiscoverReport discover(snmp::Engine& engine, const std::vector<std::string>& hosts,
                        const std::vector<std::vector<snmp::Credentials>>& credential_lists,
                        const std::vector<std::size_t>& list_of_host, const ProfileSet& profiles,
                        const DiscoverOptions& options,
                        const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace printmon::scanner::discovery
