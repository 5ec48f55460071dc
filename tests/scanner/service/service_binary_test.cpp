// The real printmon-scanner binary as a child process: SIGTERM in the middle of polling ends
// it with exit code 0 and leaves no half-written poll behind; an install from before V0004 with
// plaintext SNMP secrets is upgraded at its first start (key file made, secrets sealed, used),
// and its key rotated while it runs.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <random>
#include <regex>

#include <pqxx/pqxx>

#include "pg.hpp"
#include "printmon/db/migrator.hpp"
#include "service_support.hpp"
#include "storage/store.hpp"

using namespace std::chrono_literals;
using namespace printmon::test;

namespace {

std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A scanner.toml for `db` with fast SNMP and scheduling; the key file named, not made.
fs::path write_config(const TempDatabase& db, const TempDir& dir, const fs::path& key_file) {
    const auto config = dir.path / "scanner.toml";
    std::ofstream out(config);
    // The password travels through the environment, as in production.
    const auto fixture = pg_fixture();
    const std::string conninfo = "host=" + fixture.host + " port=" + fixture.port +
                                 " user=" + fixture.user + " dbname=" + db.name();
    setenv("PRINTMON_DATABASE_PASSWORD", fixture.password.c_str(), 1);
    out << "[database]\nconninfo = \"" << conninfo << "\"\n"
        << "[snmp]\ntimeout_ms = 300\nretries = 0\ndiscovery_timeout_ms = 300\n"
        << "[scheduler]\ntick_ms = 50\ndevice_refresh_s = 1\n"
        << "[secrets]\nkey_file = \"" << key_file.string() << "\"\n";
    return config;
}

/// `printmon-scanner run --config <config>`, its stderr into `log`.
pid_t spawn_scanner(const fs::path& config, const fs::path& log) {
    return printmon::test::spawn({PRINTMON_SCANNER_BINARY, "run", "--config", config.string()},
                                 {log, false, true, {}});
}

/// SIGTERM, then the exit status (SIGKILL after 30 s; -1 then).
int stop_scanner(pid_t pid) {
    kill(pid, SIGTERM);
    int status = -1;
    if (!wait_until([&] { return waitpid(pid, &status, WNOHANG) == pid; }, 30s)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return -1;
    }
    return status;
}

}  // namespace

TEST_CASE("SIGTERM mid-run: exit 0, every reading whole and counted in the log", "[service]") {
    TempDatabase db;
    TempDir dir;
    LanSim sim(dir.path / "sim", printers_dir(), "127.0.2.21");
    {
        printmon::scanner::storage::Store store(db.conninfo());
        store.connect();
        store.migrate();
        store.put_setting("polling_interval_s", "1");
        store.put_setting("discovery_port", std::to_string(sim.port));
        store.add_range("127.0.2.16/28", false);
    }
    const auto config = write_config(db, dir, dir.path / "secret.key");
    const auto log = dir.path / "scanner.log";
    const pid_t pid = spawn_scanner(config, log);
    REQUIRE(pid >= 0);
    const bool polling = wait_until(
        [&] { return query_count(db.conninfo(), "SELECT count(*) FROM readings") >= 10; });
    // Somewhere inside a poll round, not at a fixed phase.
    std::this_thread::sleep_for(std::chrono::milliseconds(std::random_device{}() % 900));
    const int status = stop_scanner(pid);
    const std::string text = read_text(log);
    INFO(text);
    REQUIRE(polling);
    REQUIRE(status != -1);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);

    std::smatch m;
    REQUIRE(std::regex_search(text, m,
                              std::regex("event=service_stopped .*readings_written=([0-9]+)"
                                         " results_dropped=([0-9]+) clean=true")));
    const long long written = std::stoll(m[1].str());
    CHECK(m[2].str() == "0");
    CHECK(query_count(db.conninfo(), "SELECT count(*) FROM readings") == written);
    // Whole polls only: each reading came with its device update (same transaction).
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM readings r LEFT JOIN devices d USING (device_id) "
                      "WHERE d.device_id IS NULL OR d.last_seen IS NULL OR "
                      "d.last_seen < r.polled_at") == 0);
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM devices d WHERE NOT EXISTS (SELECT 1 FROM readings r "
                      "WHERE r.reading_id = d.last_reading_id AND r.device_id = d.device_id)") ==
          0);
    CHECK(query_count(db.conninfo(), "SELECT count(*) FROM devices") == 4);
}

TEST_CASE(
    "an install from before V0004: the first start makes the key, seals plaintext "
    "secrets and polls with them; `secrets rotate` while it runs, and it polls on",
    "[service][secrets]") {
    TempDatabase db;
    TempDir dir;
    // One MFP that answers only SNMPv3 in its context (snmpsim: context = recording path).
    const auto data = dir.path / "data";
    fs::create_directories(data / "mfp");
    const auto expected = recordings(printers_dir());
    const auto hp = std::find_if(expected.begin(), expected.end(),
                                 [](const Recording& r) { return r.file == "hp-m477.snmprec"; });
    REQUIRE(hp != expected.end());
    fs::copy_file(printers_dir() / hp->file, data / "mfp" / hp->file);
    const auto state = dir.path / "sim";
    REQUIRE(std::system((source_dir() + "/tests/support/snmpsim start " + state.string() + " " +
                         data.string() + " 127.0.2.91")
                            .c_str()) == 0);
    struct StopSim {
        fs::path state;
        ~StopSim() {
            std::system((source_dir() + "/tests/support/snmpsim stop " + state.string()).c_str());
        }
    } stop_sim{state};
    const auto port = read_env(state / "env", "SNMPSIM_PORT");
    {
        // The database as the release before V0004 left it: its schema, its rows.
        pqxx::connection c(db.conninfo());
        std::vector<std::pair<std::string_view, std::string_view>> before;
        for (const auto& m : printmon::scanner::storage::embedded_migrations()) {
            if (m.first < std::string_view("V0004")) before.push_back(m);
        }
        REQUIRE(before.size() == 3);
        const fs::path origin = "embedded:scanner/migrations";
        printmon::db::Migrator(c, printmon::db::parse_migrations(before, origin), origin).run();
        pqxx::work tx(c);
        tx.exec(
            "INSERT INTO credentials (name, ordinal, version, v3_user, auth_protocol, "
            "auth_password, priv_protocol, priv_password, context) VALUES ('mfp v3', 1, '3', "
            "'simulator', 'MD5', 'auctoritas', 'DES', 'privatus', 'mfp/hp-m477')");
        tx.exec("UPDATE settings SET value = '1' WHERE key = 'polling_interval_s'");
        tx.exec_params("UPDATE settings SET value = to_jsonb($1::int) WHERE key = 'discovery_port'",
                       port);
        tx.exec("INSERT INTO discovery_ranges (target) VALUES ('127.0.2.91')");
        tx.commit();
    }
    // The package made no key yet (postinst makes one when missing; so does the service).
    const auto key = dir.path / "state" / "scanner-secret.key";
    fs::create_directories(key.parent_path());
    const auto config = write_config(db, dir, key);
    const auto log = dir.path / "scanner.log";
    const pid_t pid = spawn_scanner(config, log);
    REQUIRE(pid >= 0);
    const bool polling = wait_until(
        [&] { return query_count(db.conninfo(), "SELECT count(*) FROM readings") >= 2; });
    // `secrets rotate` while it runs: every set re-sealed under a fresh key, which the running
    // scanner takes up from the file at its next settings reload, polling on without a restart.
    bool rotated = false;
    bool adopted = false;
    bool polled_after = false;
    std::string rotate_out;
    if (polling) {
        const auto out = dir.path / "rotate.out";
        rotated = std::system((std::string(PRINTMON_SCANNER_BINARY) + " secrets rotate --config " +
                               config.string() + " > " + out.string() + " 2>&1")
                                  .c_str()) == 0;
        rotate_out = read_text(out);
        const auto after = query_count(db.conninfo(), "SELECT count(*) FROM readings");
        adopted = wait_until(
            [&] { return read_text(log).find("event=secret_key_adopted") != std::string::npos; });
        polled_after = wait_until([&] {
            return query_count(db.conninfo(), "SELECT count(*) FROM readings") >= after + 2;
        });
    }
    const int status = stop_scanner(pid);
    const std::string text = read_text(log);
    INFO(text);
    INFO(rotate_out);
    REQUIRE(polling);
    CHECK(rotated);
    CHECK(rotate_out.find("credential sets re-sealed: 2") != std::string::npos);
    CHECK(adopted);
    CHECK(polled_after);
    REQUIRE(status != -1);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);

    // Both rows (the seed community "public" and the SNMPv3 set) sealed at that start, once.
    CHECK(text.find("event=credential_secrets_encrypted rows=2 ") != std::string::npos);
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM credentials WHERE secret_scheme <> 'aes-256-gcm'") ==
          0);
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM credentials WHERE credentials::text LIKE "
                      "'%auctoritas%' OR credentials::text LIKE '%privatus%' OR "
                      "community = 'public'") == 0);
    // The key file: made by this start, 64 hex digits, readable by the service alone.
    CHECK(text.find("event=secret_key_created") != std::string::npos);
    struct stat st {};
    REQUIRE(::stat(key.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(std::regex_match(read_text(key), std::regex("[0-9a-f]{64}\n?")));
    CHECK_FALSE(fs::exists(key.string() + ".next"));
    const auto key_id = printmon::scanner::storage::SecretKey::load(key).id();
    CHECK(rotate_out.find("key id " + key_id + " replaced") != std::string::npos);
    CHECK(query_count(db.conninfo(), "SELECT count(*) FROM credentials WHERE secret_key_id = '" +
                                         key_id + "'") == 2);
    // The sealed SNMPv3 set still works: the MFP was found and polled with it.
    CHECK(query_count(db.conninfo(),
                      "SELECT count(*) FROM devices d JOIN credentials c USING (credential_id) "
                      "WHERE c.name = 'mfp v3' AND d.serial = '" +
                          hp->serial + "'") == 1);
}
