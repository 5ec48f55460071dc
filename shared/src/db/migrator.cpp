#include "printmon/db/migrator.hpp"
#include "printmon/crypto/crypto.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "printmon/common/logging.hpp"

namespace printmon::db {

namespace {

// The migrator's own table: the one piece of schema that cannot live in a migration file,
// because it records which migration files ran.
constexpr const char* kCreateTable = R"sql(
CREATE TABLE public.schema_migrations (
    version      integer     PRIMARY KEY,
    description  text        NOT NULL,
    script       text        NOT NULL,
    checksum     text        NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now(),
    execution_ms bigint      NOT NULL
))sql";
constexpr const char* kTableExists = "SELECT to_regclass('public.schema_migrations') IS NOT NULL";
constexpr const char* kSessionLock = "SELECT pg_advisory_lock($1)";
constexpr const char* kSessionUnlock = "SELECT pg_advisory_unlock($1)";
constexpr const char* kXactLock = "SELECT pg_advisory_xact_lock($1)";
constexpr const char* kSelectApplied =
    "SELECT version, script, checksum FROM public.schema_migrations ORDER BY version";
constexpr const char* kSelectChecksum =
    "SELECT checksum FROM public.schema_migrations WHERE version = $1";
constexpr const char* kInsertApplied =
    "INSERT INTO public.schema_migrations (version, description, script, checksum, execution_ms) "
    "VALUES ($1, $2, $3, $4, $5)";

struct Applied {
    std::string script;
    std::string checksum;
};

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw MigrationError(fmt::format("cannot read migration file {}", path.string()));
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw MigrationError(fmt::format("cannot read migration file {}", path.string()));
    return bytes;
}

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// Holds the session-level advisory lock for the whole run, so a second migrator waits until the
// first has finished and then finds nothing pending.
class SessionLock {
  public:
    SessionLock(pqxx::connection& conn, spdlog::logger& logger) : conn_(conn), logger_(logger) {
        pqxx::nontransaction tx(conn_, "migrator_lock");
        tx.exec_params(kSessionLock, Migrator::kLockKey);
    }
    SessionLock(const SessionLock&) = delete;
    SessionLock& operator=(const SessionLock&) = delete;
    ~SessionLock() {
        // Never throw from a destructor; the server drops the lock with the session anyway.
        try {
            pqxx::nontransaction tx(conn_, "migrator_unlock");
            tx.exec_params(kSessionUnlock, Migrator::kLockKey);
        } catch (const std::exception& e) {
            logger_.warn("event=migration_unlock_failed error={}", common::log_value(e.what()));
        }
    }

  private:
    pqxx::connection& conn_;
    spdlog::logger& logger_;
};

}  // namespace

std::string sha256_hex(const std::string& bytes) { return crypto::sha256_hex(bytes); }

namespace {

// Validates one migration's name and fills a MigrationFile from its bytes.
MigrationFile make_migration(const std::filesystem::path& path, std::string sql) {
    static const std::regex kName(R"(^V([0-9]+)__([A-Za-z0-9_]+)\.sql$)");
    const std::string name = path.filename().string();
    std::smatch match;
    if (!std::regex_match(name, match, kName)) {
        throw MigrationError(
            fmt::format("bad migration file name {}: expected V<version>__<description>.sql "
                        "(description of letters, digits and '_')",
                        path.string()));
    }
    MigrationFile file;
    const std::string digits = match[1].str();
    const auto [end, parse_ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), file.version);
    if (parse_ec != std::errc{} || end != digits.data() + digits.size() || file.version <= 0) {
        throw MigrationError(fmt::format("bad migration version in {}: must be 1..{}",
                                         path.string(), std::numeric_limits<int>::max()));
    }
    file.description = match[2].str();
    file.path = path;
    file.sql = std::move(sql);
    file.checksum = sha256_hex(file.sql);
    return file;
}

// Sorts by version and rejects duplicates.
std::vector<MigrationFile> sorted_unique(std::vector<MigrationFile> files) {
    std::sort(files.begin(), files.end(), [](const MigrationFile& a, const MigrationFile& b) {
        return a.version != b.version ? a.version < b.version : a.path < b.path;
    });
    for (std::size_t i = 1; i < files.size(); ++i) {
        if (files[i].version == files[i - 1].version) {
            throw MigrationError(fmt::format("duplicate migration version {}: {} and {}",
                                             files[i].version, files[i - 1].path.string(),
                                             files[i].path.string()));
        }
    }
    return files;
}

}  // namespace

std::vector<MigrationFile> load_migrations(const std::filesystem::path& dir) {
    std::vector<MigrationFile> files;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
        throw MigrationError(
            fmt::format("cannot read migration directory {}: {}", dir.string(), ec.message()));
    }
    for (const auto& entry : it) {
        if (!entry.is_regular_file()) continue;
        // Compare the extension case-insensitively so "V2__x.SQL" is an error, not skipped.
        if (lower(entry.path().extension().string()) != ".sql") continue;
        files.push_back(make_migration(entry.path(), read_file(entry.path())));
    }
    return sorted_unique(std::move(files));
}

std::vector<MigrationFile> parse_migrations(
    const std::vector<std::pair<std::string_view, std::string_view>>& named_sql,
    const std::filesystem::path& origin) {
    std::vector<MigrationFile> files;
    files.reserve(named_sql.size());
    for (const auto& [name, sql] : named_sql) {
        files.push_back(make_migration(origin / std::string(name), std::string(sql)));
    }
    return sorted_unique(std::move(files));
}

Migrator::Migrator(pqxx::connection& conn, std::filesystem::path dir,
                   std::shared_ptr<spdlog::logger> logger)
    : conn_(conn),
      dir_(std::move(dir)),
      logger_(logger ? std::move(logger) : common::get_logger("db.migrate")) {}

Migrator::Migrator(pqxx::connection& conn, std::vector<MigrationFile> files,
                   std::filesystem::path origin, std::shared_ptr<spdlog::logger> logger)
    : conn_(conn),
      dir_(std::move(origin)),
      files_(sorted_unique(std::move(files))),
      logger_(logger ? std::move(logger) : common::get_logger("db.migrate")) {}

MigrationReport Migrator::run() {
    // Read and validate the files before touching the database.
    const std::vector<MigrationFile> files = files_ ? *files_ : load_migrations(dir_);
    const SessionLock lock(conn_, *logger_);

    std::map<int, Applied> applied;
    {
        pqxx::work tx(conn_, "migrator_bootstrap");
        tx.exec_params(kXactLock, kLockKey);
        if (!tx.exec(kTableExists)[0][0].as<bool>()) tx.exec(kCreateTable);
        for (const auto& row : tx.exec(kSelectApplied)) {
            applied.emplace(row[0].as<int>(),
                            Applied{row[1].as<std::string>(), row[2].as<std::string>()});
        }
        tx.commit();
    }

    // Refuse to start on a history that does not match the files: the schema would no longer be
    // what the files describe.
    std::map<int, const MigrationFile*> by_version;
    for (const auto& file : files) by_version.emplace(file.version, &file);
    for (const auto& [version, record] : applied) {
        const auto found = by_version.find(version);
        if (found == by_version.end()) {
            throw MigrationError(fmt::format(
                "migration {} (version {}) is recorded as applied but its file is missing from {}",
                record.script, version, dir_.string()));
        }
        if (found->second->checksum != record.checksum) {
            throw MigrationError(fmt::format(
                "migration file {} (version {}) was changed after it was applied "
                "(recorded sha256 {}, file sha256 {}); add a new migration instead",
                found->second->path.string(), version, record.checksum, found->second->checksum));
        }
    }
    const int newest_applied = applied.empty() ? 0 : applied.rbegin()->first;
    for (const auto& file : files) {
        if (!applied.contains(file.version) && file.version < newest_applied) {
            throw MigrationError(fmt::format(
                "migration file {} (version {}) is older than the newest applied migration "
                "(version {}); give it a higher version",
                file.path.string(), file.version, newest_applied));
        }
    }

    MigrationReport report;
    report.already_applied = static_cast<int>(applied.size());
    for (const auto& file : files) {
        if (applied.contains(file.version)) continue;
        const auto started = std::chrono::steady_clock::now();
        try {
            pqxx::work tx(conn_, "migration");
            // Re-checked under the transaction lock: if the session lock was lost to a silent
            // reconnect, another migrator may have applied this version meanwhile.
            tx.exec_params(kXactLock, kLockKey);
            if (!tx.exec_params(kSelectChecksum, file.version).empty()) continue;
            tx.exec(file.sql);
            const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - started)
                                        .count();
            tx.exec_params(kInsertApplied, file.version, file.description,
                           file.path.filename().string(), file.checksum,
                           static_cast<long long>(elapsed_ms));
            tx.commit();
            logger_->info("event=migration_applied version={} file={} ms={}", file.version,
                          common::log_value(file.path.filename().string()), elapsed_ms);
        } catch (const pqxx::sql_error& e) {
            throw MigrationError(
                fmt::format("migration file {} (version {}) failed and was "
                            "rolled back: {}",
                            file.path.string(), file.version, e.what()));
        }
        report.applied.push_back(file.version);
    }
    logger_->info("event=migrations_done dir={} applied={} already_applied={}",
                  common::log_value(dir_.string()), report.applied.size(), report.already_applied);
    return report;
}

}  // namespace printmon::db
