#pragma once
// Who made a device, and whose MIB its agent speaks, from every naming object it answers:
// the system group, hrDeviceDescr, prtGeneralPrinterName, the printer's own IEEE 1284 device
// ID (Printer Port Monitor MIB or a vendor's private copy) and vendor private identity objects.
// Each piece of evidence has a strength; the strongest names the vendor, so a partial agent
// without a system group is still identified, and a loose guess never beats a precise one.

#include <string>
#include <vector>

#include "profiles/profile.hpp"
#include "snmp/value.hpp"

namespace printmon::scanner {

/// One object that names a vendor, strongest kind first.
struct VendorEvidence {
    enum class Kind {
        ieee1284_mfg,     ///< MFG/MANUFACTURER key of the printer's 1284 device ID
        sys_descr,        ///< brand word at the start of sysDescr
        hr_device_descr,  ///< brand word at the start of hrDeviceDescr
        ieee1284_mdl,     ///< brand word at the start of a 1284 MDL without a usable MFG
        printer_name,     ///< brand word at the start of prtGeneralPrinterName
        enterprise,       ///< sysObjectID under 1.3.6.1.4.1.<PEN> of a known vendor
        private_object,   ///< an identity object answered inside a vendor's private subtree
    };
    Kind kind = Kind::enterprise;
    const Brand* brand = nullptr;  ///< null only for an unknown 1284 manufacturer
    std::string vendor;            ///< brand->vendor, or the 1284 MFG text itself
    std::string where;             ///< "sysDescr", "1.3.6.1.4.1.11.2.3.9.1.1.7.0 MFG", ...
    int strength() const;
};

const char* to_string(VendorEvidence::Kind kind);

/// Identity facts of one device; a pure function of a MibView.
struct DeviceIdentity {
    std::string sys_descr;
    std::string sys_object_id;  ///< ".1.3.6..." or empty
    std::string hr_descr;       ///< hrDeviceDescr of the printer's hrDevice row (1 if unknown)
    std::string printer_name;   ///< prtGeneralPrinterName.1
    std::string device_id;      ///< the first IEEE 1284 device ID string answered
    std::string device_id_oid;
    std::vector<VendorEvidence> evidence;  ///< strongest first
    const Brand* brand = nullptr;          ///< the winning evidence's brand
    std::string vendor;                    ///< reported vendor ("" when nothing names one)
    std::string vendor_source;             ///< for CollectResult::sources
    std::vector<std::string> conflicts;    ///< weaker evidence naming another vendor
    const Profile* profile = nullptr;      ///< whose private MIB the agent speaks
    std::string profile_reason;
};

/// Standard identity objects every device is asked for after phase 1: the Printer Port
/// Monitor MIB's 1284 device ID and prtGeneralPrinterName.
const std::vector<snmp::Oid>& standard_identity_oids();

/// Every profile's identity objects (device ID, model, serial, firmware): asked when the
/// system group names no vendor, so a partial agent is still recognised.
std::vector<snmp::Oid> all_profile_identity_oids(const ProfileSet& profiles);

/// Identity objects of one profile (device ID, model, serial, firmware, MAC).
std::vector<snmp::Oid> profile_identity_oids(const Profile& profile);

DeviceIdentity identify(const snmp::MibView& view, const ProfileSet& profiles);

}  // namespace printmon::scanner
