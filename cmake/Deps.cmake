# Every dependency comes from Debian 12 (scripts/setup installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(ARGON2 REQUIRED IMPORTED_TARGET libargon2)
# cloud-api's .xlsx exports (Debian libxlsxwriter-dev 1.1.4).
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
# cloud-api's alert notifications: SMTP (STARTTLS) and webhooks (Debian libcurl4-openssl-dev).
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)

# net-snmp ships net-snmp-config rather than a pkg-config file.
find_program(NETSNMP_CONFIG net-snmp-config REQUIRED)
execute_process(COMMAND ${NETSNMP_CONFIG} --libs OUTPUT_VARIABLE _snmp_libs
                OUTPUT_STRIP_TRAILING_WHITESPACE)
separate_arguments(_snmp_libs)
add_library(netsnmp INTERFACE)
target_link_libraries(netsnmp INTERFACE ${_snmp_libs})
add_library(printmon::netsnmp ALIAS netsnmp)

find_path(RAPIDJSON_INCLUDE_DIR rapidjson/document.h REQUIRED)
find_path(TL_EXPECTED_INCLUDE_DIR tl/expected.hpp REQUIRED)
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
