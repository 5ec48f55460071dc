#pragma once
// Where CTest fixtures publish what they started (ports, connection strings).

#include <map>
#include <optional>
#include <string>

namespace printmon::test {

/// Reads $PRINTMON_TEST_STATE/<fixture>/env (KEY=VALUE lines). nullopt when the fixture did not
/// run, so a test can SKIP with a clear reason instead of failing obscurely.
std::optional<std::map<std::string, std::string>> fixture_env(const std::string& fixture);

/// $PRINTMON_SOURCE_DIR (the repository root), for test data.
std::string source_dir();

}  // namespace printmon::test
