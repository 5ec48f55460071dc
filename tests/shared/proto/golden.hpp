#pragma once
// Access to the repository's files (golden documents, schemas, docs) for the proto tests.

#include <string>

#include "printmon/proto/snapshot.hpp"

namespace printmon::proto::test {

/// Contents of `relative` under $PRINTMON_SOURCE_DIR (set by printmon_add_test); fails the
/// test when the file cannot be read.
std::string read_source_file(const std::string& relative);

/// Re-serialises `json` compactly with RapidJSON (member order kept): the canonical form the
/// compact encoder output is compared against.
std::string minify(const std::string& json);

/// A batch built in code, with the edge cases the golden files do not carry.
Batch sample_batch();

}  // namespace printmon::proto::test
