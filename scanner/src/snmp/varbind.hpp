#pragma once
// The one place a net-snmp varbind becomes a printmon Value: what the engine does with every
// answer. Declared apart from engine.hpp (which stays net-snmp-free) so the fuzzer can feed it
// varbinds of any type and length without a network.

#include "snmp/value.hpp"

struct variable_list;  // net-snmp's netsnmp_variable_list

namespace printmon::scanner::snmp {

/// Converts one varbind; unknown types become ValueType::null.
Value to_value(const variable_list* v);

}  // namespace printmon::scanner::snmp
