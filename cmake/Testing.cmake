find_path(CATCH2_INCLUDE_DIR catch2/catch.hpp REQUIRED)

# Catch2 v2's main is slow to compile: build it once and link it into every test binary.
add_library(printmon_catch_main STATIC ${CMAKE_SOURCE_DIR}/tests/support/catch_main.cpp)
target_include_directories(printmon_catch_main SYSTEM PUBLIC ${CATCH2_INCLUDE_DIR})

# printmon_add_test(NAME name SOURCES ... LIBS ... LABELS unit|integration [FIXTURES ...])
function(printmon_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS;FIXTURES" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE printmon_catch_main printmon::warnings ${T_LIBS})
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}"
    ENVIRONMENT "PRINTMON_SOURCE_DIR=${CMAKE_SOURCE_DIR};PRINTMON_TEST_STATE=${CMAKE_BINARY_DIR}/test-state")
  if(T_FIXTURES)
    set_tests_properties(${T_NAME} PROPERTIES FIXTURES_REQUIRED "${T_FIXTURES}")
  endif()
endfunction()
