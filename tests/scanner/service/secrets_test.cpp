// SNMP secrets at rest (storage/secrets.hpp): the key file, AES-256-GCM sealing, what the
// database holds (a SELECT shows no plaintext), the migration of plaintext rows written before
// V0004, a wrong key file, and credential sets per discovery range.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <spdlog/sinks/ostream_sink.h>
#include <pqxx/pqxx>

#include "pg.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/db/migrator.hpp"
#include "printmon/proto/uuid.hpp"
#include "sim.hpp"
#include "storage/secrets.hpp"
#include "storage/store.hpp"

namespace fs = std::filesystem;
using namespace printmon::scanner::storage;
using printmon::scanner::snmp::Credentials;
using printmon::scanner::snmp::Version;
using printmon::test::TempDatabase;
using printmon::test::TempDir;

namespace {

std::shared_ptr<const SecretKey> key_of(char fill) {
    return std::make_shared<const SecretKey>(SecretKey::from_bytes(std::string(32, fill)));
}

Credentials v3_set() {
    Credentials c;
    c.version = Version::v3;
    c.user = "monitor";
    c.auth_protocol = "SHA-256";
    c.auth_password = "auth-Sekret-41";
    c.priv_protocol = "AES";
    c.priv_password = "priv-Sekret-42";
    c.context = "Jetdirect";
    return c;
}

Credentials community_set(const std::string& community) {
    Credentials c;
    c.community = community;
    return c;
}

/// Every text column of every credentials row, joined: what a dump of the table would show.
std::string credentials_dump(const std::string& conninfo) {
    pqxx::connection c(conninfo);
    pqxx::work tx(c);
    std::string out;
    for (const auto& r : tx.exec("SELECT credentials::text FROM credentials")) {
        out += r[0].as<std::string>() + "\n";
    }
    return out;
}

/// Runs one statement with one parameter in its own transaction.
void exec1(const std::string& conninfo, const std::string& sql, const std::string& param) {
    pqxx::connection c(conninfo);
    pqxx::work tx(c);
    tx.exec_params(sql, param);
    tx.commit();
}

long long count(const std::string& conninfo, const std::string& sql) {
    pqxx::connection c(conninfo);
    pqxx::work tx(c);
    return tx.exec(sql)[0][0].as<long long>();
}

/// What the store's logger writes while this lives.
struct LogCapture {
    std::ostringstream text;
    std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink =
        std::make_shared<spdlog::sinks::ostream_sink_mt>(text);
    std::shared_ptr<spdlog::logger> logger = printmon::common::get_logger("scanner.store");
    LogCapture() { logger->sinks().push_back(sink); }
    ~LogCapture() {
        auto& sinks = logger->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), sink), sinks.end());
    }
    std::string str() {
        logger->flush();
        return text.str();
    }
};

}  // namespace

TEST_CASE("the key file: created 0600 once, read back, refused when malformed", "[secrets]") {
    TempDir dir;
    const auto path = dir.path / "secret.key";
    bool created = false;
    const auto first = SecretKey::load_or_create(path, &created);
    CHECK(created);
    struct stat st {};
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777U) == 0600U);
    CHECK(fs::file_size(path) == 65);  // 64 hex digits and a newline

    const auto again = SecretKey::load_or_create(path, &created);
    CHECK_FALSE(created);
    CHECK(again.id() == first.id());
    // Same key: what one seals the other opens.
    CHECK(again.decrypt(first.encrypt("public", "aad"), "aad").value() == "public");

    std::ofstream(dir.path / "short.key") << "abcd\n";
    CHECK_THROWS_WITH(SecretKey::load_or_create(dir.path / "short.key"),
                      Catch::Contains("short.key") && Catch::Contains("64 hexadecimal"));
    std::ofstream(dir.path / "nothex.key") << std::string(64, 'z') << "\n";
    CHECK_THROWS_WITH(SecretKey::load_or_create(dir.path / "nothex.key"),
                      Catch::Contains("64 hexadecimal"));
    CHECK_THROWS_WITH(SecretKey::load_or_create(dir.path / "no-such-dir" / "k"),
                      Catch::Contains("no-such-dir") && Catch::Contains("cannot create"));
}

TEST_CASE("the key file: made by root, it belongs to the owner of its folder (the service's)",
          "[secrets]") {
    TempDir dir;
    // load() never makes one; create() never replaces one.
    CHECK_THROWS_WITH(SecretKey::load(dir.path / "missing.key"),
                      Catch::Contains("missing.key") && Catch::Contains("No such file"));
    const auto own = SecretKey::create(dir.path / "own.key");
    CHECK(SecretKey::load(dir.path / "own.key").id() == own.id());
    CHECK_THROWS_WITH(SecretKey::create(dir.path / "own.key"), Catch::Contains("exists already"));
    CHECK(SecretKey::load(dir.path / "own.key").id() == own.id());
    if (::geteuid() != 0) {
        WARN("not root: the ownership of keys made by root is not checked");
        return;
    }
    // `secrets rotate` or `forget-key` run with sudo make the key for the service account that
    // owns the state folder (nobody here), else the service could not read its own key.
    const auto state = dir.path / "state";
    fs::create_directory(state);
    REQUIRE(::chown(state.c_str(), 65534, 65534) == 0);
    const auto made = SecretKey::create(state / "cloud-secret.key");
    struct stat st {};
    REQUIRE(::stat((state / "cloud-secret.key").c_str(), &st) == 0);
    CHECK(st.st_uid == 65534U);
    CHECK(st.st_gid == 65534U);
    CHECK((st.st_mode & 0777U) == 0600U);
    bool created = false;
    (void)SecretKey::load_or_create(state / "scanner-secret.key", &created);
    CHECK(created);
    REQUIRE(::stat((state / "scanner-secret.key").c_str(), &st) == 0);
    CHECK(st.st_uid == 65534U);
    // A folder of root's keeps root's.
    REQUIRE(::stat((dir.path / "own.key").c_str(), &st) == 0);
    CHECK(st.st_uid == 0U);
}

TEST_CASE("the key file: processes starting at once on a shared folder get one key", "[secrets]") {
    // Two cloud-api replicas on one volume (or a scanner started twice): the file appears only
    // whole, so the loser reads the winner's key, never a half-written file or a second key.
    TempDir dir;
    for (int round = 0; round < 40; ++round) {  // bounded: a race needs a few tries to show
        const auto path = dir.path / ("race-" + std::to_string(round) + ".key");
        std::string ids[2];
        bool made[2] = {false, false};
        std::string errors[2];
        std::thread racers[2];
        for (int i = 0; i < 2; ++i) {
            racers[i] = std::thread([&, i] {
                try {
                    ids[i] = SecretKey::load_or_create(path, &made[i]).id();
                } catch (const std::exception& e) {
                    errors[i] = e.what();
                }
            });
        }
        for (auto& r : racers) r.join();
        INFO("round " << round << ": " << errors[0] << " / " << errors[1]);
        REQUIRE(errors[0].empty());
        REQUIRE(errors[1].empty());
        CHECK(ids[0] == ids[1]);
        CHECK(made[0] != made[1]);  // exactly one made it
    }
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++files;
    CHECK(files == 40);  // no temporary file left behind
}

TEST_CASE("AES-256-GCM: a fresh nonce each time, bound to its place, tampering detected",
          "[secrets]") {
    const auto key = key_of('k');
    const auto a = key->encrypt("s3cret-community", "row1/community");
    const auto b = key->encrypt("s3cret-community", "row1/community");
    CHECK(a != b);  // random nonce: equal secrets do not show as equal ciphertexts
    CHECK(a.find("s3cret") == std::string::npos);
    CHECK(key->decrypt(a, "row1/community").value() == "s3cret-community");
    CHECK_FALSE(key->decrypt(a, "row2/community"));  // moved to another row
    CHECK_FALSE(key_of('x')->decrypt(a, "row1/community"));
    auto flipped = a;
    flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
    CHECK_FALSE(key->decrypt(flipped, "row1/community"));
    CHECK_FALSE(key->decrypt("not base64!", "row1/community"));
    CHECK_FALSE(key->decrypt("", "row1/community"));
    CHECK_FALSE(key->decrypt("AAAA", "row1/community"));  // shorter than nonce + tag
    CHECK(key->decrypt(key->encrypt("", "x"), "x").value().empty());
    CHECK(key->id().size() == 16);
    CHECK(key->id() != key_of('x')->id());
}

TEST_CASE("secrets are stored encrypted: a SELECT shows no plaintext, the store reads them",
          "[secrets]") {
    TempDatabase db;
    Store store(db.conninfo(), fixed_key(*key_of('k')));
    store.connect();
    store.migrate();
    const auto v3 = store.add_credential("fleet v3", 1, v3_set());
    const auto v2 = store.add_credential("branch", 2, community_set("Branch-Community-77"));

    const auto dump = credentials_dump(db.conninfo());
    for (const char* secret : {"auth-Sekret-41", "priv-Sekret-42", "Branch-Community-77"}) {
        CAPTURE(secret);
        CHECK(dump.find(secret) == std::string::npos);
    }
    CHECK(count(db.conninfo(),
                "SELECT count(*) FROM credentials WHERE secret_scheme = 'aes-256-gcm' AND "
                "secret_key_id = '" +
                    key_of('k')->id() + "'") == 2);
    // Non-secret fields stay readable for the UI and for support.
    CHECK(dump.find("monitor") != std::string::npos);
    CHECK(dump.find("Jetdirect") != std::string::npos);

    // The seed "public" row is still plain until the service seals it at start.
    CHECK(store.encrypt_plaintext_secrets() == 1);
    CHECK(store.encrypt_plaintext_secrets() == 0);

    const auto creds = store.load_credentials();
    REQUIRE(creds.size() == 3);
    CHECK(creds[0].name == "public");
    CHECK(creds[0].credentials.community == "public");
    CHECK(creds[1].credential_id == v3);
    CHECK(creds[1].credentials == v3_set());
    CHECK(creds[2].credential_id == v2);
    CHECK(creds[2].credentials.community == "Branch-Community-77");

    // Without a key nothing is stored in plain text.
    Store keyless(db.conninfo());
    keyless.connect();
    CHECK_THROWS_AS(keyless.add_credential("x", 1, community_set("leak")), std::logic_error);
    CHECK(count(db.conninfo(), "SELECT count(*) FROM credentials") == 3);
}

TEST_CASE("plaintext rows written before V0004 are encrypted at first start, once", "[secrets]") {
    TempDatabase db;
    {
        // The schema as it was before V0004, with rows written by that version.
        pqxx::connection c(db.conninfo());
        std::vector<std::pair<std::string_view, std::string_view>> before;
        for (const auto& m : embedded_migrations()) {
            if (m.first < std::string_view("V0004")) before.push_back(m);
        }
        REQUIRE(before.size() == 3);
        const fs::path origin = "embedded:scanner/migrations";
        printmon::db::Migrator(c, printmon::db::parse_migrations(before, origin), origin).run();
        pqxx::work tx(c);
        tx.exec(
            "INSERT INTO credentials (name, ordinal, version, v3_user, auth_protocol, "
            "auth_password, priv_protocol, priv_password, context) VALUES ('old v3', 1, '3', "
            "'olduser', 'SHA', 'Old-Auth-Pass-1', 'AES', 'Old-Priv-Pass-2', 'MFP')");
        tx.exec("UPDATE credentials SET community = 'Old-Community-3' WHERE name = 'public'");
        tx.commit();
    }
    const auto key = key_of('k');
    Store store(db.conninfo(), fixed_key(*key));
    store.connect();
    const auto applied = store.migrate().applied;  // V0004 and every later migration
    REQUIRE_FALSE(applied.empty());
    CHECK(applied.front() == 4);
    CHECK(count(db.conninfo(), "SELECT count(*) FROM credentials WHERE secret_scheme = 'plain'") ==
          2);
    // Plain rows are usable before they are sealed (nothing is lost during the upgrade).
    CHECK(store.load_credentials().size() == 2);

    CHECK(store.encrypt_plaintext_secrets() == 2);
    const auto dump = credentials_dump(db.conninfo());
    for (const char* secret : {"Old-Auth-Pass-1", "Old-Priv-Pass-2", "Old-Community-3"}) {
        CAPTURE(secret);
        CHECK(dump.find(secret) == std::string::npos);
    }
    CHECK(count(db.conninfo(), "SELECT count(*) FROM credentials WHERE secret_scheme = 'plain'") ==
          0);
    // Idempotent: a second start changes nothing (ciphertexts stay as they are).
    const auto sealed = credentials_dump(db.conninfo());
    CHECK(store.encrypt_plaintext_secrets() == 0);
    CHECK(credentials_dump(db.conninfo()) == sealed);

    const auto creds = store.load_credentials();
    REQUIRE(creds.size() == 2);
    CHECK(creds[0].credentials.community == "Old-Community-3");
    CHECK(creds[1].credentials.auth_password == "Old-Auth-Pass-1");
    CHECK(creds[1].credentials.priv_password == "Old-Priv-Pass-2");
    CHECK(creds[1].credentials.context == "MFP");
}

TEST_CASE("a wrong key file: that set is left out with a clear error, never tried empty",
          "[secrets]") {
    TempDatabase db;
    std::string sealed_id;
    {
        Store store(db.conninfo(), fixed_key(*key_of('a')));
        store.connect();
        store.migrate();
        store.encrypt_plaintext_secrets();
        sealed_id = store.add_credential("fleet v3", 1, v3_set());
    }
    LogCapture log;
    Store other(db.conninfo(), fixed_key(*key_of('b')));
    other.connect();
    // Sets sealed with the other key are left out, not returned with empty secrets; a set
    // written with this key still works.
    const auto mine = other.add_credential("mine", 5, community_set("Mine-Community"));
    auto creds = other.load_credentials();
    REQUIRE(creds.size() == 1);
    CHECK(creds[0].credential_id == mine);
    CHECK(creds[0].credentials.community == "Mine-Community");
    const auto text = log.str();
    CHECK(text.find("event=credential_unreadable credential_id=" + sealed_id) != std::string::npos);
    CHECK(text.find("encrypted with another key") != std::string::npos);
    CHECK(text.find(key_of('a')->id()) != std::string::npos);
    // Reported once, not at every reload.
    other.load_credentials();
    const auto again = log.str();
    std::size_t n = 0;
    for (auto p = again.find("credential_id=" + sealed_id); p != std::string::npos;
         p = again.find("credential_id=" + sealed_id, p + 1)) {
        ++n;
    }
    CHECK(n == 1);
    CHECK(again.find("auth-Sekret-41") == std::string::npos);

    // A damaged value under the right key id: also left out, and said so.
    exec1(db.conninfo(),
          "UPDATE credentials SET community = (SELECT community FROM credentials WHERE "
          "credential_id = $1) WHERE name = 'public'",
          mine);
    LogCapture log2;
    Store right(db.conninfo(), fixed_key(*key_of('a')));
    right.connect();
    creds = right.load_credentials();
    REQUIRE(creds.size() == 1);  // "fleet v3"; "public" now holds another row's ciphertext
    CHECK(creds[0].credential_id == sealed_id);
    CHECK(creds[0].credentials == v3_set());
    CHECK(log2.str().find("community does not authenticate") != std::string::npos);
}

TEST_CASE("ranges name their credential sets; unknown ids save nothing", "[secrets]") {
    TempDatabase db;
    Store store(db.conninfo(), fixed_key(*key_of('k')));
    store.connect();
    store.migrate();
    const auto a = store.add_credential("a", 1, community_set("ca"));
    const auto b = store.add_credential("b", 2, community_set("cb"));
    const auto r1 = store.add_range("10.0.0.0/24", false, {b, a});
    store.add_range("10.0.1.0/24", false);
    auto ranges = store.load_ranges();
    REQUIRE(ranges.size() == 2);
    CHECK(ranges[0].credential_ids == std::vector<std::string>{b, a});
    CHECK(ranges[1].credential_ids.empty());

    CHECK_THROWS_AS(store.add_range("10.0.2.0/24", false, {a, printmon::proto::new_uuid()}),
                    pqxx::foreign_key_violation);
    CHECK(count(db.conninfo(), "SELECT count(*) FROM discovery_ranges") == 2);
    CHECK(count(db.conninfo(), "SELECT count(*) FROM range_credentials") == 2);

    CHECK(store.set_range_credentials(r1, {a}));
    CHECK(store.load_ranges()[0].credential_ids == std::vector<std::string>{a});
    CHECK_THROWS_AS(store.set_range_credentials(r1, {printmon::proto::new_uuid()}),
                    pqxx::foreign_key_violation);
    CHECK(store.load_ranges()[0].credential_ids == std::vector<std::string>{a});  // kept
    CHECK_FALSE(store.set_range_credentials(printmon::proto::new_uuid(), {a}));

    // A set a range names cannot be deleted from under it.
    pqxx::connection c(db.conninfo());
    pqxx::work tx(c);
    CHECK_THROWS_AS(tx.exec_params("DELETE FROM credentials WHERE credential_id = $1", a),
                    pqxx::foreign_key_violation);
}

TEST_CASE("the context name is limited to 32 octets in the database too", "[secrets]") {
    TempDatabase db;
    Store store(db.conninfo(), fixed_key(*key_of('k')));
    store.connect();
    store.migrate();
    auto c = v3_set();
    c.context = std::string(32, 'c');
    store.add_credential("ok", 1, c);
    c.context = std::string(33, 'c');
    CHECK_THROWS_AS(store.add_credential("long", 1, c), pqxx::check_violation);
}

TEST_CASE(
    "a planned rotation re-seals every set under a fresh key; a running scanner takes it up; a "
    "set added meanwhile waits for the rotation and is sealed with the new key",
    "[secrets]") {
    TempDatabase db;
    TempDir dir;
    const auto file = dir.path / "scanner-secret.key";
    const auto keys = std::make_shared<SecretKeyHolder>(file, SecretKey::load_or_create(file));
    const SecretKey old_key = *keys->current();
    Store running(db.conninfo(), keys);  // the service's store: the old key in memory
    running.connect();
    running.migrate();
    CHECK(running.claim_secret_key().empty());
    CHECK(running.registered_key_id() == old_key.id());
    const auto v3 = running.add_credential("fleet v3", 1, v3_set());
    const auto v2 = running.add_credential("branch", 2, community_set("Branch-Community-77"));
    const auto lost = running.add_credential("lost", 3, community_set("Lost-Community"));
    // Sealed under a key lost long ago; the seed "public" set is still plain.
    exec1(db.conninfo(),
          "UPDATE credentials SET secret_key_id = '00000000deadbeef' WHERE credential_id = $1",
          lost);

    // A UI write holds the key record FOR SHARE: the rotation waits for it, then re-seals the
    // set it added too.
    Store cli(db.conninfo());  // as `printmon-scanner secrets rotate` opens it: no key of its own
    cli.connect();
    std::optional<Store::KeyRotation> report;
    std::string rotation_error;
    const std::string late = printmon::proto::new_uuid();
    {
        pqxx::connection c(db.conninfo());
        pqxx::work tx(c);
        REQUIRE(tx.exec("SELECT value #>> '{}' FROM settings WHERE key = 'secret_key_id' "
                        "FOR SHARE")[0][0]
                    .as<std::string>() == old_key.id());
        std::thread rotation([&] {
            try {
                report = cli.rotate_secret_key(file);
            } catch (const std::exception& e) {
                rotation_error = e.what();
            }
        });
        bool waiting = false;
        for (int i = 0; i < 200 && !waiting; ++i) {  // bounded: 10 s
            waiting = count(db.conninfo(),
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                            "'Lock' AND query LIKE '%secret_key_id'' FOR UPDATE%'") > 0;
            if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        CHECK(waiting);
        tx.exec_params0(
            "INSERT INTO credentials (credential_id, name, ordinal, version, community, "
            "secret_scheme, secret_key_id) VALUES ($1, 'late', 4, '2c', $2, 'aes-256-gcm', $3)",
            late, old_key.encrypt("Late-Community", "printmon/credentials/" + late + "/community"),
            old_key.id());
        tx.commit();
        rotation.join();
    }
    INFO(rotation_error);
    REQUIRE(report);
    const auto new_key = SecretKey::load(file);
    CHECK(report->previous_key_id == old_key.id());
    CHECK(report->key_id == new_key.id());
    CHECK(new_key.id() != old_key.id());
    CHECK(report->resealed == 4);  // public (plain before), v3, branch, late
    CHECK(report->unreadable == 1);
    CHECK_FALSE(fs::exists(file.string() + ".next"));
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777U) == 0600U);
    CHECK(cli.registered_key_id() == new_key.id());
    CHECK(count(db.conninfo(), "SELECT count(*) FROM credentials WHERE secret_key_id = '" +
                                   new_key.id() + "' AND secret_scheme = 'aes-256-gcm'") == 4);
    const auto dump = credentials_dump(db.conninfo());
    for (const char* secret :
         {"auth-Sekret-41", "priv-Sekret-42", "Branch-Community-77", "Late-Community"}) {
        CAPTURE(secret);
        CHECK(dump.find(secret) == std::string::npos);
    }

    // The running store still holds the old key: it reads every set by taking the new key up
    // from the file; the lost set stays out, as before.
    const auto creds = running.load_credentials();
    REQUIRE(creds.size() == 4);
    CHECK(keys->current()->id() == new_key.id());
    std::map<std::string, std::string> communities;
    for (const auto& c : creds) communities[c.credential_id] = c.credentials.community;
    CHECK(communities.at(v2) == "Branch-Community-77");
    CHECK(communities.at(late) == "Late-Community");
    CHECK(communities.count(lost) == 0);
    CHECK(std::find_if(creds.begin(), creds.end(), [&](const CredentialRow& c) {
              return c.credential_id == v3 && c.credentials == v3_set();
          }) != creds.end());

    // Another store that has not met the new key (the web UI's) seals what it adds with it.
    Store ui(db.conninfo(), std::make_shared<SecretKeyHolder>(file, old_key));
    ui.connect();
    const auto added = ui.add_credential("added", 5, community_set("Added-Community"));
    CHECK(count(db.conninfo(), "SELECT count(*) FROM credentials WHERE credential_id = '" + added +
                                   "' AND secret_key_id = '" + new_key.id() + "'") == 1);
    // One whose key file does not hold the recorded key (not copied yet) stores nothing.
    Store stale(db.conninfo(), fixed_key(old_key));
    stale.connect();
    CHECK_THROWS_WITH(stale.add_credential("stale", 6, community_set("Stale")),
                      Catch::Contains(new_key.id()) && Catch::Contains("nothing stored"));
    CHECK(count(db.conninfo(), "SELECT count(*) FROM credentials WHERE name = 'stale'") == 0);
    // A start with the rotated key finds nothing plain to seal with the old one.
    CHECK(running.encrypt_plaintext_secrets() == 0);

    // A rotation starts from the database's key: another key file changes nothing.
    const auto other_file = dir.path / "other.key";
    (void)SecretKey::load_or_create(other_file);
    CHECK_THROWS_WITH(cli.rotate_secret_key(other_file),
                      Catch::Contains("a rotation starts from the database's key"));
    CHECK(cli.registered_key_id() == new_key.id());
    CHECK_FALSE(fs::exists(other_file.string() + ".next"));
}
