# The scanner web UI driven in headless chromium (tests/browser/run): the real binary against a
# private PostgreSQL and snmpsim. Needs chromium and node (scripts/setup); npm packages are
# installed on first run.
add_test(NAME scanner_web_browser_test
  COMMAND ${CMAKE_SOURCE_DIR}/tests/browser/run $<TARGET_FILE:printmon-scanner>)
set_tests_properties(scanner_web_browser_test PROPERTIES LABELS "e2e;browser" TIMEOUT 600
  ENVIRONMENT "PRINTMON_SOURCE_DIR=${CMAKE_SOURCE_DIR}")

# The cloud console driven in headless chromium (tests/browser/console_run) against the real
# pipeline: snmpsim printers, scanners, uploaders, cloud-api and PostgreSQL clusters.
add_test(NAME console_browser_test
  COMMAND ${CMAKE_SOURCE_DIR}/tests/browser/console_run ${CMAKE_BINARY_DIR})
set_tests_properties(console_browser_test PROPERTIES LABELS "e2e;browser" TIMEOUT 900
  ENVIRONMENT "PRINTMON_SOURCE_DIR=${CMAKE_SOURCE_DIR}")

# "Forgot password?" in the cloud console (tests/browser/reset_run): headless chromium against
# the real cloud-api, PostgreSQL and an SMTP server on loopback.
add_test(NAME console_reset_browser_test
  COMMAND ${CMAKE_SOURCE_DIR}/tests/browser/reset_run ${CMAKE_BINARY_DIR})
set_tests_properties(console_reset_browser_test PROPERTIES LABELS "e2e;browser" TIMEOUT 300
  ENVIRONMENT "PRINTMON_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
