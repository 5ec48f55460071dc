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
    /// Asks each host over SNMPv1 too, beside every community set of version 2c (same
    /// community, same wait: the two requests go out together). Rationale: an SNMPv1-only agent
    /// (older print servers) drops a v2c message unanswered (RFC 3584), so without this it is
    /// invisible to the default "public" set; an agent answering both is kept on v2c.
    bool v1_fallback = true;
    /// Hosts being asked at once; the next starts when one is settled. Rationale: each host in
    /// progress holds one socket (two with the v1 twin), and a sweep of a /16 must not need
    /// 65,536 descriptors where a process may open 1,024: opening them all at once left every
    /// host past the limit unasked, silently.
    std::size_t max_hosts_at_once = 256;
};

struct Found {
    std::string address;
    std::size_t host_index = 0;        ///< its position in `hosts`
    std::size_t credential_index = 0;  ///< which credential set answered (remembered for polls)
    /// The set is of version 2c and the host answered only over SNMPv1 with its community.
    bool v1_fallback = true;
    Classification classification;
    std::string sys_descr;
    std::string sys_object_id;
};

struct DiscoverReport {
    std::vector<Found> found;  ///< in the order of `hosts`
    std::size_t hosts_scanned = 0;
    std::size_t answered = 0;  ///< SNMP agents that answered, printers or not
    int requests = 0;
    /// Credential attempts whose session could not be opened (no descriptor left, a name that
    /// does not resolve): those hosts went unasked with that set. The first reason is kept.
    std::size_t open_failures = 0;
    std::string open_error;
    /// Hosts not asked at all: no credential set's session could be opened for them.
    std::size_t hosts_unasked = 0;
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
