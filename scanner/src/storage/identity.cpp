#include "storage/identity.hpp"

#include <algorithm>
#include <cctype>

namespace printmon::scanner::storage {
namespace {

bool iequals(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

bool same_device(const IdentityKey& a, const IdentityKey& b) {
    if (a.has_serial() && b.has_serial()) {
        return iequals(a.vendor, b.vendor) && a.serial == b.serial;
    }
    if (a.has_mac() && b.has_mac()) return iequals(a.mac, b.mac);
    return false;
}

IdentityDecision decide_identity(const Observation& observed,
                                 const std::vector<Candidate>& candidates) {
    const auto find = [&](auto&& pred) -> const Candidate* {
        const auto it = std::find_if(candidates.begin(), candidates.end(), pred);
        return it == candidates.end() ? nullptr : &*it;
    };
    const Candidate* polled =
        observed.polled_device_id
            ? find([&](const Candidate& c) { return c.device_id == *observed.polled_device_id; })
            : nullptr;
    const auto at_address = [&](const Candidate& c) {
        return !c.deleted && c.address && *c.address == observed.address && c.port == observed.port;
    };

    const Candidate* chosen = nullptr;
    if (!observed.key.empty()) {
        // The polled device first (the common case), then any live match, then a deleted one.
        if (polled != nullptr && same_device(polled->key, observed.key)) chosen = polled;
        if (chosen == nullptr) {
            chosen = find(
                [&](const Candidate& c) { return !c.deleted && same_device(c.key, observed.key); });
        }
        if (chosen == nullptr) {
            chosen = find(
                [&](const Candidate& c) { return c.deleted && same_device(c.key, observed.key); });
        }
        if (chosen == nullptr) {
            // A device never read before (added by hand) takes the identity it answers with.
            if (polled != nullptr && !polled->deleted && polled->key.empty()) {
                chosen = polled;
            } else if (polled == nullptr) {
                chosen = find([&](const Candidate& c) { return at_address(c) && c.key.empty(); });
            }
        }
    } else {
        // No serial and no MAC (a transient read failure, or a device without either): the
        // address is all there is, so it cannot tell devices apart.
        if (polled != nullptr && !polled->deleted) {
            chosen = polled;
        } else {
            chosen = find(at_address);
        }
    }

    IdentityDecision decision;
    if (chosen == nullptr) {
        decision.kind = IdentityDecision::Kind::create;
    } else if (chosen->deleted) {
        decision.kind = IdentityDecision::Kind::ignore;
        decision.device_id = chosen->device_id;
        return decision;
    } else {
        decision.kind = IdentityDecision::Kind::existing;
        decision.device_id = chosen->device_id;
    }
    for (const auto& c : candidates) {
        if (at_address(c) && c.device_id != decision.device_id) {
            decision.displaced.push_back(c.device_id);
        }
    }
    return decision;
}

}  // namespace printmon::scanner::storage
