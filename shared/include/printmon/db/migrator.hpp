#pragma once
// Forward-only schema migrations: files `V0001__description.sql` in a directory, applied in
// version order, each in its own transaction, recorded with a SHA-256 checksum in
// `schema_migrations`, under an advisory lock so concurrent starts apply each file once.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/logger.h>
#include <pqxx/connection>

namespace printmon::db {

/// A migration directory or database state the migrator refuses to work with; what() names the
/// offending file. Also thrown when a migration's SQL fails (after its rollback).
class MigrationError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// One migration file, read and checksummed.
struct MigrationFile {
    int version = 0;          // from V<digits>
    std::string description;  // from __<description>
    std::filesystem::path path;
    std::string sql;       // the file's bytes
    std::string checksum;  // lowercase hex SHA-256 of the bytes
};

/// Reads every `*.sql` file of `dir`, sorted by version. Throws MigrationError for a `.sql`
/// file whose name is not `V<digits>__<description>.sql` (description: letters, digits, '_'),
/// for version 0, for two files with the same version, and when `dir` cannot be read.
/// Other files (README.md, ...) are ignored.
std::vector<MigrationFile> load_migrations(const std::filesystem::path& dir);

/// The same for migrations held in memory (embedded in a binary at build time): (file name,
/// SQL text) pairs, validated exactly like files. Each MigrationFile::path is `origin / name`,
/// so messages still name the file.
std::vector<MigrationFile> parse_migrations(
    const std::vector<std::pair<std::string_view, std::string_view>>& named_sql,
    const std::filesystem::path& origin);

/// Lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(const std::string& bytes);

/// What a run did.
struct MigrationReport {
    std::vector<int> applied;  // versions applied by this run, in order
    int already_applied = 0;   // versions found recorded (and verified) before applying
};

/// Applies the migrations of one directory to the database of one connection.
class Migrator {
  public:
    /// `conn` must stay open for the Migrator's lifetime; `logger` may be null (uses
    /// common::get_logger("db.migrate")).
    Migrator(pqxx::connection& conn, std::filesystem::path dir,
             std::shared_ptr<spdlog::logger> logger = nullptr);

    /// Applies migrations already loaded (see parse_migrations); `origin` names them in
    /// messages. Rationale: a service binary embeds its migrations so it needs no files.
    Migrator(pqxx::connection& conn, std::vector<MigrationFile> files, std::filesystem::path origin,
             std::shared_ptr<spdlog::logger> logger = nullptr);

    /// Verifies the recorded history against the files, then applies the pending ones.
    /// Throws MigrationError, before applying anything, when a recorded migration's file changed
    /// (checksum) or is missing, or a pending file's version is older than one already applied.
    /// A failing migration is rolled back whole, left unrecorded, and reported by MigrationError;
    /// the migrations before it stay applied. Running again when nothing is pending changes
    /// nothing.
    MigrationReport run();

    /// Advisory lock key shared by every printmon migrator ("printmon" in ASCII).
    static constexpr long long kLockKey = 0x7072696e746d6f6e;

  private:
    pqxx::connection& conn_;
    std::filesystem::path dir_;
    std::optional<std::vector<MigrationFile>> files_;  // set: in memory, dir_ only names them
    std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace printmon::db
