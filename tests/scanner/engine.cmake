# SNMP engine tests against a real snmpsim on loopback (fixture "snmpsim").
printmon_add_test(NAME scanner_engine_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/engine_test.cpp
  LIBS scanner_lib printmon_test_support
  LABELS integration
  FIXTURES snmpsim)

printmon_add_test(NAME scanner_targets_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/targets_test.cpp
  LIBS scanner_lib
  LABELS unit)

# Misbehaving devices (crafted recordings in a private snmpsim, plus tests/support/bad_agent).
printmon_add_test(NAME scanner_badinput_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/badinput_test.cpp
  LIBS scanner_lib printmon_test_support
  LABELS integration)

# Full reads vs repeat polls through snmpsim (private instance), with the corpus when present;
# events from covers, device status and console text (tests/data/snmprec/events).
printmon_add_test(NAME scanner_poll_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/poll_test.cpp ${CMAKE_CURRENT_SOURCE_DIR}/events_test.cpp
  LIBS scanner_lib printmon_test_support
  LABELS integration)

# Discovery over a simulated LAN and the walk command (private snmpsim instances).
printmon_add_test(NAME scanner_discovery_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/discovery_test.cpp
  LIBS scanner_lib printmon_test_support
  LABELS integration)
