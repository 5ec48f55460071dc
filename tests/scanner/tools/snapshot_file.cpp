// printmon-snapshot-file: what printmon would report for a recorded printer, offline.
// Loads an snmpsim .snmprec, keeps only what identity_plan(), collection_plan() and
// completion_plan() would fetch (so the result equals what the network engine produces), builds the
// snapshot and prints it as JSON on stdout. Problems noticed while interpreting go to stderr with
// --notes.
//
// usage: printmon-snapshot-file FILE.snmprec [--address A] [--profiles DIR] [--notes]

#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "polling/collector.hpp"
#include "printmon/proto/codec.hpp"
#include "profiles/profile.hpp"
#include "snmp/snmprec.hpp"

int main(int argc, char** argv) {
    using namespace printmon::scanner;
    std::string file;
    std::string address = "127.0.0.1";
    std::string profile_dir;
    bool notes = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--address" && i + 1 < argc) {
            address = argv[++i];
        } else if (arg == "--profiles" && i + 1 < argc) {
            profile_dir = argv[++i];
        } else if (arg == "--notes") {
            notes = true;
        } else if (file.empty() && arg.rfind("--", 0) != 0) {
            file = arg;
        } else {
            std::cerr << "usage: printmon-snapshot-file FILE.snmprec [--address A] "
                         "[--profiles DIR] [--notes]\n";
            return 2;
        }
    }
    if (file.empty()) {
        std::cerr << "usage: printmon-snapshot-file FILE.snmprec [--address A] [--profiles DIR] "
                     "[--notes]\n";
        return 2;
    }
    try {
        const ProfileSet profiles =
            profile_dir.empty() ? ProfileSet::embedded() : ProfileSet::with_overrides(profile_dir);
        auto recording = snmp::read_snmprec_file(file);
        if (!recording) {
            std::cerr << file << ':' << recording.error().line << ": " << recording.error().message
                      << '\n';
            return 1;
        }
        const auto phase1_plan = identity_plan();
        const auto phase1 = restrict_to(*recording, {phase1_plan});
        const auto phase2_plan = collection_plan(phase1, profiles);
        const auto phase3_plan =
            completion_plan(phase1, restrict_to(*recording, {phase1_plan, phase2_plan}), profiles);
        const auto fetched = restrict_to(*recording, {phase1_plan, phase2_plan, phase3_plan});
        const auto result = build_snapshot(fetched, profiles, address, "1970-01-01T00:00:00Z");
        std::cout << printmon::proto::to_json(result.snapshot) << '\n';
        if (notes) {
            for (const auto& [field, source] : result.sources) {
                std::cerr << "source " << field << " <- " << source << '\n';
            }
            for (const auto& n : result.notes) std::cerr << "note: " << n << '\n';
        }
    } catch (const std::exception& e) {
        std::cerr << "printmon-snapshot-file: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
