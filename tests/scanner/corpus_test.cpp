// Runs every corpus recording that has an expected.json through the collector. The corpus is
// third-party data kept outside the repository: PRINTMON_CORPUS_DIR names its recordings
// folder; without it the test passes with a warning (Catch2 v2 has no SKIP).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "collector_support.hpp"

namespace fs = std::filesystem;
using namespace printmon::scanner;

TEST_CASE("corpus recordings: no crash, a vendor for every printer", "[corpus]") {
    const char* dir = std::getenv("PRINTMON_CORPUS_DIR");
    if (dir == nullptr || *dir == '\0') {
        WARN("PRINTMON_CORPUS_DIR not set: corpus recordings not checked");
        return;
    }
    REQUIRE(fs::is_directory(dir));
    int checked = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        const auto path = entry.path();
        if (path.extension() != ".snmprec") continue;
        auto expected = path;
        expected.replace_extension(".expected.json");
        if (!fs::exists(expected)) continue;
        INFO(path.string());
        const auto recording = snmp::read_snmprec_file(path.string());
        REQUIRE(recording);
        const auto result = test::collect(*recording);
        std::ifstream in(expected);
        std::stringstream json;
        json << in.rdbuf();
        // Every expected file names the vendor; printers must come out with one.
        if (json.str().find("\"vendor\"") != std::string::npos) {
            CHECK_FALSE(result.snapshot.identity.vendor.empty());
        }
        // Discovery sees the same vendor from phase 1 alone.
        const auto c =
            classify(restrict_to(*recording, {identity_plan()}), test::builtin_profiles());
        CHECK(c.vendor == result.snapshot.identity.vendor);
        ++checked;
    }
    CHECK(checked > 0);
}
