// libFuzzer's entry point for one target; PRINTMON_FUZZ_FUNCTION names it (fuzz/CMakeLists.txt).
#include "targets/support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return printmon::fuzz::PRINTMON_FUZZ_FUNCTION(data, size);
}
