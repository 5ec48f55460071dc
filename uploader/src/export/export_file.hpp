#pragma once
// `printmon-uploader export`: the outbox written to one file for offline delivery
// ({"format":"printmon-export","version":1,"batches":[...]}, imported by POST /api/v1/import).
//
// Batches are claimed exactly as for online upload, so a batch exported and later uploaded too
// carries the same batch_id and the cloud stores it once.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>

#include "outbox/outbox.hpp"

namespace printmon::uploader {

struct ExportOptions {
    std::filesystem::path out;
    /// Only rows at or after this time are claimed; existing batches are included when they
    /// hold at least one such row (a batch is never split for an export).
    std::optional<std::chrono::system_clock::time_point> since;
    bool include_sent = false;  ///< --all: batches already delivered too
    /// Mark exported pending batches sent once the file is durable. Without it they stay
    /// pending and are also uploaded online (the cloud deduplicates).
    bool mark_sent = false;
};

struct ExportReport {
    std::size_t batches = 0;
    std::size_t readings = 0;
    std::size_t events = 0;
    std::size_t marked_sent = 0;
    std::size_t bytes = 0;
};

/// Writes the file atomically (temporary file in the same directory, fsync, rename, fsync of
/// the directory): readers see the old file or the complete new one, never a partial one.
/// Throws std::runtime_error (disk full, unwritable directory) or a pqxx error; on any error no
/// batch is marked sent and the target file is left untouched.
ExportReport export_outbox(Outbox& outbox, const CloudSettings& settings,
                           const ExportOptions& options);

}  // namespace printmon::uploader
