# The fuzz preset: clang with libFuzzer, ASan and UBSan over everything the fuzzers link
# (coverage feedback needs the libraries instrumented too, not only the fuzz targets).
# Debian 12: clang + libclang-rt-14-dev (libFuzzer and the sanitizer runtimes).
if(PRINTMON_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "PRINTMON_FUZZ needs clang (cmake --preset fuzz)")
  endif()
  set(_ignorelist ${PROJECT_SOURCE_DIR}/fuzz/ubsan.ignorelist)
  # ccache does not hash the ignorelist: its hash on the command line keeps cached objects
  # from outliving a change to it.
  file(MD5 ${_ignorelist} _ignorelist_md5)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_ignorelist})
  # -fno-sanitize=function: clang 14's function-type check puts a prologue in front of every
  # function that points at its type info; for the split parts of a C++20 coroutine (net/
  # client.cpp, server.cpp) the two land in different sections and the assembler stops with
  # "Cannot represent a difference across sections". The check only catches calls through
  # a mistyped function pointer, which printmon's C++ does not make.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                      -fno-omit-frame-pointer -fno-sanitize-recover=undefined -fsanitize-ignorelist=${_ignorelist}
                      -DPRINTMON_UBSAN_IGNORELIST=${_ignorelist_md5})
  add_link_options(-fsanitize=address,undefined)
  # Boost 1.74's Asio detects coroutines only with g++ or libc++; clang 14 has them with
  # libstdc++ 12 too (the same definitions as .clang-tidy's ExtraArgs).
  add_compile_definitions(BOOST_ASIO_HAS_CO_AWAIT=1 BOOST_ASIO_HAS_STD_COROUTINE=1)
endif()
