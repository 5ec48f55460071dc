#include "state.hpp"

#include <cstdlib>
#include <fstream>

namespace printmon::test {

std::optional<std::map<std::string, std::string>> fixture_env(const std::string& fixture) {
    const char* root = std::getenv("PRINTMON_TEST_STATE");
    if (root == nullptr) return std::nullopt;
    std::ifstream in(std::string(root) + "/" + fixture + "/env");
    if (!in) return std::nullopt;
    std::map<std::string, std::string> env;
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        env[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return env;
}

std::string source_dir() {
    const char* dir = std::getenv("PRINTMON_SOURCE_DIR");
    return dir != nullptr ? dir : ".";
}

}  // namespace printmon::test
