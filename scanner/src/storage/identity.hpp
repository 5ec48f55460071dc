#pragma once
// Device identity on the branch, as a pure function: which device row a poll answer belongs
// to. Rationale: printers change address (DHCP) but not serial number, so a device is the same
// when vendor + serial match, else when the MAC matches; a different printer answering at a
// known address is a new device, and the old one loses that address until it is seen again.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace printmon::scanner::storage {

/// What identifies a device (either side of the comparison).
struct IdentityKey {
    std::string vendor;
    std::string serial;
    std::string mac;
    bool has_serial() const { return !vendor.empty() && !serial.empty(); }
    bool has_mac() const { return !mac.empty(); }
    bool empty() const { return !has_serial() && !has_mac(); }
};

/// True when both keys name the same device: vendor (case-insensitive) + serial when both
/// have them, else MAC when both have one.
bool same_device(const IdentityKey& a, const IdentityKey& b);

/// A device row that may be the one observed.
struct Candidate {
    std::string device_id;
    std::optional<std::string> address;
    std::uint16_t port = 161;
    IdentityKey key;
    bool deleted = false;
};

/// A device that answered.
struct Observation {
    std::optional<std::string> polled_device_id;  ///< the device polled; none: discovery
    std::string address;
    std::uint16_t port = 161;
    IdentityKey key;
};

struct IdentityDecision {
    enum class Kind {
        existing,  ///< the answer belongs to `device_id`
        create,    ///< a new device
        ignore,    ///< the answer belongs to a deleted device: it stays deleted
    };
    Kind kind = Kind::create;
    std::string device_id;  ///< for existing and ignore
    /// Live devices at the observed address that are not the observed device: they moved away.
    std::vector<std::string> displaced;
};

/// Decides which device an observation belongs to among the candidates (devices polled, at the
/// same address, or with the same serial or MAC, deleted ones included).
IdentityDecision decide_identity(const Observation& observed,
                                 const std::vector<Candidate>& candidates);

}  // namespace printmon::scanner::storage
