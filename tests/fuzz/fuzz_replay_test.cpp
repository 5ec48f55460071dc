// The fuzz targets' own entry points (fuzz/targets) over files: each input that once crashed a
// fuzzer (tests/data/fuzz/<target>/, kept with its fix) and the golden files that seed the
// fuzzers. A broken invariant aborts inside the target, as under libFuzzer, and fails the test.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "state.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

using Target = int (*)(const std::uint8_t*, std::size_t);

std::vector<fs::path> files_in(const fs::path& dir, const std::string& extension = {}) {
    std::vector<fs::path> out;
    if (!fs::is_directory(dir)) return out;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.is_regular_file() &&
            (extension.empty() || entry.path().extension() == extension)) {
            out.push_back(entry.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t replay(Target target, const std::vector<fs::path>& files) {
    for (const auto& file : files) {
        INFO(file.string());
        std::ifstream in(file, std::ios::binary);
        REQUIRE(in);
        const std::string bytes{std::istreambuf_iterator<char>(in), {}};
        CHECK(target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == 0);
    }
    return files.size();
}

fs::path root() { return printmon::test::source_dir(); }

/// The inputs that once crashed `name`'s fuzzer.
std::vector<fs::path> regressions(const std::string& name) {
    return files_in(root() / "tests/data/fuzz" / name);
}

}  // namespace

using namespace printmon::fuzz;

TEST_CASE("fuzz targets accept their golden seeds", "[fuzz]") {
    auto proto = files_in(root() / "tests/data/proto", ".json");
    const auto invalid = files_in(root() / "tests/data/proto/invalid", ".json");
    proto.insert(proto.end(), invalid.begin(), invalid.end());
    CHECK(replay(fuzz_batch, proto) >= 5);
    CHECK(replay(fuzz_export, {root() / "tests/data/proto/export.json"}) >= 1);
    std::vector<fs::path> recordings;
    for (const char* dir : {"tests/data/collector", "tests/data/printers",
                            "tests/data/snmprec/partial", "tests/data/snmprec/engine"}) {
        const auto found = files_in(root() / dir, ".snmprec");
        recordings.insert(recordings.end(), found.begin(), found.end());
    }
    CHECK(replay(fuzz_collector, recordings) >= 10);
    CHECK(replay(fuzz_config, {root() / "scanner/scanner.example.toml",
                               root() / "uploader/uploader.example.toml",
                               root() / "cloud-api/cloud-api.example.toml"}) == 3);
}

TEST_CASE("inputs that crashed a fuzzer are handled", "[fuzz]") {
#define PRINTMON_FUZZ_REPLAY(name) \
    SECTION(#name) { replay(fuzz_##name, regressions(#name)); }
    PRINTMON_FUZZ_TARGETS(PRINTMON_FUZZ_REPLAY)
#undef PRINTMON_FUZZ_REPLAY
}
