# Warnings flow through one INTERFACE target so every printmon target gets the same set.
add_library(printmon_warnings INTERFACE)
target_compile_options(printmon_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
# Rationale: no -Wnull-dereference: at -O2 it fires on inlined libstdc++ and RapidJSON code.
if(PRINTMON_WERROR)
  target_compile_options(printmon_warnings INTERFACE -Werror)
endif()
add_library(printmon::warnings ALIAS printmon_warnings)
