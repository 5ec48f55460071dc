// Exports of the analytics lists over real HTTPS on a throwaway database: .xlsx workbooks read
// back by openpyxl (tests/cloud-api/read_export.py, not by our own code), CSV for a Russian
// Excel (BOM, ';', Russian titles) read back by Python's csv module, lang validation, tenant
// isolation of exports, and character (not byte) limits of free text with Cyrillic input.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "analytics_support.hpp"
#include "api/columns.hpp"
#include "api/params.hpp"
#include "printmon/proto/time.hpp"
#include "printmon/proto/uuid.hpp"
#include "state.hpp"

using namespace printmon;
using namespace printmon::cloud::test;
namespace api = printmon::cloud::api;
namespace fs = std::filesystem;

namespace {

constexpr const char* kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
constexpr const char* kBom = "\xEF\xBB\xBF";
// Text that breaks naive CSV: the separators of both languages, quotes, a line break.
const std::string kTrickyLocation = "Офис; \"Северный\" корпус, 2 этаж\nкомната 5";
const std::string kFormulaModel = "=HYPERLINK(\"http://evil.example\",\"x\")";

std::string day(int d, int hour = 12) {
    char text[32];
    std::snprintf(text, sizeof text, "2026-01-%02dT%02d:00:00Z", d, hour);
    return text;
}

std::string repeat(std::string_view piece, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += piece;
    return out;
}

// A private directory, removed with everything in it.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "printmon-export-test-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::set<std::string> entries(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

// Runs read_export.py with Debian's interpreter (the one python3-openpyxl installs into; a
// python3 earlier on PATH may lack it) on `body` and parses its JSON answer.
rapidjson::Document read_back(const std::string& body, const std::string& mode,
                              const std::string& separator = "") {
    TempDir dir;
    const fs::path file = dir.path / ("export." + mode);
    {
        std::ofstream out(file, std::ios::binary);
        out << body;
    }
    const std::string command = "/usr/bin/python3 '" + test::source_dir() +
                                "/tests/cloud-api/read_export.py' " + mode + " '" + file.string() +
                                "'" + (separator.empty() ? "" : " '" + separator + "'") + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
        output.append(buffer, n);
    }
    const int status = ::pclose(pipe);
    INFO("read_export.py (python3-openpyxl, scripts/setup installs it): " << output);
    REQUIRE(status == 0);
    rapidjson::Document doc;
    doc.Parse(output.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

std::vector<std::string> split(const std::string& line, char sep) {
    std::vector<std::string> out;
    std::string cell;
    std::istringstream in(line);
    while (std::getline(in, cell, sep)) out.push_back(cell);
    return out;
}

// The header fields of an English CSV answer (field names have neither ',' nor quotes).
std::vector<std::string> csv_header(const std::string& body) {
    return split(body.substr(0, body.find("\r\n")), ',');
}

std::string header_of(const ApiResponse& r, const char* name) {
    const auto it = r.headers.find(name);
    return it == r.headers.end() ? "" : it->second;
}

// Tenant A: two printers of site "lab", one with text that breaks naive CSV, one with
// spreadsheet formulas in its fields; events and a counter reset. Tenant B: one printer.
struct ExportFleet {
    CloudServer s;
    std::string tenant_a, tenant_b, token_a, token_b;
    std::string device_b;

    ExportFleet() {
        tenant_a = s.create_tenant("Acme");
        tenant_b = s.create_tenant("Other");
        const auto key_a = s.create_scanner(tenant_a, "branch-a");
        const auto key_b = s.create_scanner(tenant_b, "branch-b");
        token_a = s.create_token(tenant_a);
        token_b = s.create_token(tenant_b);

        FakeDevice office;
        office.branch_id = proto::new_uuid();
        office.vendor = "Kyocera";
        office.model = "ECOSYS P3145dn";
        office.serial = "KY1";
        office.mac = "aa:bb:cc:00:01:01";
        office.address = "10.0.0.1";
        office.location = kTrickyLocation;
        auto batch = batch_of("branch-a", office,
                              {{day(1), {{"total", 1000}}, 60, ""},
                               {day(2), {{"total", 1250}}, 40, ""},
                               {day(3), {{"total", 30}}, 95, ""}});
        batch.events = {
            {proto::new_uuid(), office.branch_id, day(2, 10), "error", "jammed", "appeared",
             "Замятие; лоток \"2\""},
            {proto::new_uuid(), office.branch_id, day(2, 11), "error", "jammed", "cleared", ""}};
        REQUIRE(s.ingest(key_a, batch).status == 200);

        FakeDevice formula;
        formula.branch_id = proto::new_uuid();
        formula.vendor = "HP";
        formula.model = kFormulaModel;
        formula.serial = "HP2";
        formula.mac = "aa:bb:cc:00:01:02";
        formula.address = "10.0.0.2";
        formula.location = "+cmd|' /C calc'!A0";
        REQUIRE(s.ingest(key_a, batch_of("branch-a", formula,
                                         {{day(1), {{"total", 4294967000}}, 10, ""},
                                          {day(2), {{"total", 4294967200}}, 10, ""}}))
                    .status == 200);

        FakeDevice other;
        other.branch_id = proto::new_uuid();
        other.serial = "SECRET-B";
        other.mac = "aa:bb:cc:00:02:01";
        REQUIRE(s.ingest(key_b, batch_of("branch-b", other, {{day(1), {{"total", 1}}, 10, ""}}))
                    .status == 200);
        device_b = s.query_value("SELECT device_id::text FROM devices WHERE tenant_id = $1::uuid",
                                 tenant_b)
                       .value();
    }

    std::string device(const std::string& serial) const {
        return s.query_value("SELECT device_id::text FROM devices WHERE serial = $1", serial)
            .value();
    }
};

// Every list route of tenant A, with the parameters it needs and each variant of its columns.
std::vector<std::pair<std::string_view, std::string>> list_paths(const ExportFleet& f) {
    const auto id = f.device("KY1");
    const std::string pv = "/api/v1/page-volume?period=month&date=2026-01-15&group_by=";
    return {{api::lists::kDevices, "/api/v1/devices?sort=serial"},
            {api::lists::kSites, "/api/v1/sites"},
            {api::lists::kScanners, "/api/v1/scanners"},
            {api::lists::kUsers, "/api/v1/users"},
            {api::lists::kTokens, "/api/v1/tokens"},
            {api::lists::kPageVolume, pv + "tenant"},
            {api::lists::kPageVolume, pv + "site"},
            {api::lists::kPageVolume, pv + "device"},
            {api::lists::kPageVolume, pv + "device&site=lab"},
            {api::lists::kMeterReads, "/api/v1/meter-reads?at=2026-01-02T18:00:00Z&interpolate=1"},
            {api::lists::kSupplies, "/api/v1/supplies"},
            {api::lists::kSupplies, "/api/v1/supplies?forecast=true&limit=1000"},
            {api::lists::kSupplyChanges, "/api/v1/supply-changes"},
            {api::lists::kCounterEpochs, "/api/v1/counter-epochs"},
            {api::lists::kAlerts, "/api/v1/alerts"},
            {api::lists::kEvents, "/api/v1/events"},
            {api::lists::kReadings, "/api/v1/devices/" + id + "/readings"},
            {api::lists::kCounters, "/api/v1/devices/" + id + "/counters"},
            {api::lists::kCounters, "/api/v1/devices/" + id + "/counters?interval=day"},
            {api::lists::kCartridges, "/api/v1/devices/" + id + "/cartridges"},
            {api::lists::kAudit, "/api/v1/audit"}};
}

std::string with(const std::string& path, const std::string& query) {
    return path + (path.find('?') == std::string::npos ? "?" : "&") + query;
}

const api::ListSpec& spec_of(std::string_view list) {
    for (const auto& spec : api::list_specs()) {
        if (spec.name == list) return spec;
    }
    FAIL("no list spec " << list);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("the device list as .xlsx: typed cells, bold frozen header, no formulas",
          "[cloud][export][xlsx]") {
    // The server's temporary files go to a private TMPDIR (set before its threads start): the
    // export must leave nothing behind.
    TempDir tmp;
    const char* old_tmp = std::getenv("TMPDIR");
    const std::string saved = old_tmp != nullptr ? old_tmp : "";
    ::setenv("TMPDIR", tmp.path.c_str(), 1);
    struct Restore {
        std::string value;
        bool had;
        ~Restore() { had ? ::setenv("TMPDIR", value.c_str(), 1) : ::unsetenv("TMPDIR"); }
    } restore{saved, old_tmp != nullptr};

    ExportFleet f;
    const auto before = entries(tmp.path);  // the test's own PKI and such
    const auto json = api_get(f.s, "/api/v1/devices?sort=serial", f.token_a);
    REQUIRE(json.status == 200);
    const auto& items = json.json["items"];
    REQUIRE(items.Size() == 2);

    const auto xlsx = api_get(f.s, "/api/v1/devices?sort=serial&format=xlsx", f.token_a);
    INFO(xlsx.body.substr(0, 200));
    REQUIRE(xlsx.status == 200);
    CHECK(header_of(xlsx, "Content-Type") == kXlsxType);
    CHECK(header_of(xlsx, "Content-Disposition") ==
          "attachment; filename=\"devices-" + api::today_utc() + ".xlsx\"");
    CHECK(header_of(xlsx, "X-Total-Count") == "2");
    CHECK(xlsx.body.rfind("PK\x03\x04", 0) == 0);  // a zip container
    CHECK(entries(tmp.path) == before);            // temporary files removed

    const auto book = read_back(xlsx.body, "xlsx");
    REQUIRE(book["sheets"].Size() == 1);
    CHECK(std::string(book["sheets"][0].GetString()) == "devices");
    CHECK(std::string(book["freeze"].GetString()) == "A2");
    const auto& rows = book["rows"];
    REQUIRE(rows.Size() == 3);  // header + 2 devices
    const auto& spec = spec_of(api::lists::kDevices);
    const auto& header = rows[0];
    REQUIRE(header.Size() == spec.fields.size());
    CHECK(std::string(book["auto_filter"].GetString()) == "A1:R3");  // 18 columns
    std::vector<std::string> fields;
    for (rapidjson::SizeType c = 0; c < header.Size(); ++c) {
        CHECK(std::string(header[c]["t"].GetString()) == "s");
        CHECK(header[c]["bold"].GetBool());
        fields.emplace_back(header[c]["v"].GetString());
        CHECK(fields.back() == spec.fields[c]);
    }

    // Every cell against the JSON answer of the same list.
    for (rapidjson::SizeType r = 0; r < items.Size(); ++r) {
        const auto& item = items[r];
        const auto& row = rows[r + 1];
        for (rapidjson::SizeType c = 0; c < row.Size(); ++c) {
            const auto& cell = row[c];
            const std::string type = cell["t"].GetString();
            const auto& expected = item[fields[c].c_str()];
            INFO("row " << r << " " << fields[c] << " type " << type);
            CHECK_FALSE(cell["bold"].GetBool());
            if (expected.IsNull()) {
                CHECK(cell["v"].IsNull());
            } else if (expected.IsInt64()) {
                CHECK(type == "n");
                REQUIRE(cell["v"].IsInt64());
                CHECK(cell["v"].GetInt64() == expected.GetInt64());
            } else if (expected.IsString() && api::cell_hint(fields[c]) == api::CellHint::time) {
                // A real date-time (UTC), shown with a date format.
                CHECK(type == "d");
                CHECK(std::string(cell["fmt"].GetString()) == "yyyy-mm-dd hh:mm:ss");
                const std::string rfc3339 = expected.GetString();
                REQUIRE(rfc3339.back() == 'Z');
                CHECK(std::string(cell["v"].GetString()) == rfc3339.substr(0, 19));
            } else if (expected.IsString()) {
                CHECK(type == "s");  // never "f": text is never a formula
                CHECK(std::string(cell["v"].GetString()) == expected.GetString());
            } else {  // errors: JSON, kept as its text
                CHECK(type == "s");
                rapidjson::Document parsed;
                parsed.Parse(cell["v"].GetString());
                CHECK(parsed == expected);
            }
        }
    }
    const auto& hp = rows[1];  // sort=serial: HP2 first
    CHECK(std::string(hp[2]["v"].GetString()) == kFormulaModel);
    CHECK(std::string(rows[2][5]["v"].GetString()) == kTrickyLocation);
    CHECK(rows[2][16]["v"].GetInt64() == 30);  // total, a number

    // Russian titles; the same cells.
    const auto ru = api_get(f.s, "/api/v1/devices?sort=serial&format=xlsx&lang=ru", f.token_a);
    REQUIRE(ru.status == 200);
    const auto ru_book = read_back(ru.body, "xlsx");
    REQUIRE(ru_book["rows"].Size() == 3);
    for (rapidjson::SizeType c = 0; c < ru_book["rows"][0].Size(); ++c) {
        CHECK(std::string(ru_book["rows"][0][c]["v"].GetString()) ==
              api::russian_title(api::lists::kDevices, spec.fields[c]));
    }
    CHECK(std::string(ru_book["rows"][2][5]["v"].GetString()) == kTrickyLocation);

    // Paging as for JSON and CSV; the limit's cap holds.
    const auto page =
        api_get(f.s, "/api/v1/devices?sort=serial&format=xlsx&limit=1&offset=1", f.token_a);
    REQUIRE(page.status == 200);
    CHECK(header_of(page, "X-Total-Count") == "2");
    const auto page_book = read_back(page.body, "xlsx");
    REQUIRE(page_book["rows"].Size() == 2);
    CHECK(std::string(page_book["rows"][1][3]["v"].GetString()) == "KY1");
    // A file may hold the whole list (up to kMaxExportLimit rows), not only a JSON page's 1,000.
    CHECK(api_get(f.s, "/api/v1/devices?format=xlsx&limit=100001", f.token_a).status == 400);
    CHECK(api_get(f.s, "/api/v1/devices?format=xlsx&limit=1001", f.token_a).status == 200);

    // The same data is the same ETag (the file's bytes carry its creation time); 304 without a
    // body. Another language is another answer.
    const auto etag = header_of(xlsx, "ETag");
    CHECK_FALSE(etag.empty());
    const auto again = api_get(f.s, "/api/v1/devices?sort=serial&format=xlsx", f.token_a,
                               {{"If-None-Match", etag}});
    CHECK(again.status == 304);
    CHECK(header_of(ru, "ETag") != etag);
    // Accept picks XLSX too (a download link).
    const auto accepted = api_get(f.s, "/api/v1/devices", f.token_a, {{"Accept", kXlsxType}});
    CHECK(header_of(accepted, "Content-Type") == kXlsxType);
    CHECK(entries(tmp.path) == before);
}

TEST_CASE("a tenant in Vladivostok reads its own wall clock in .xlsx; JSON and CSV keep UTC",
          "[cloud][export][xlsx]") {
    ExportFleet f;
    const auto utc_book = api_get(f.s, "/api/v1/devices?sort=serial&format=xlsx", f.token_a);
    REQUIRE(utc_book.status == 200);
    {
        auto conn = f.s.database().connect();
        pqxx::work tx(conn.raw());
        tx.exec_params("UPDATE tenants SET time_zone = 'Asia/Vladivostok' WHERE tenant_id = $1",
                       f.tenant_a);
        tx.commit();
    }
    const auto json = api_get(f.s, "/api/v1/devices?sort=serial", f.token_a);
    REQUIRE(json.status == 200);
    const auto csv = api_get(f.s, "/api/v1/devices?sort=serial&format=csv", f.token_a);
    const auto xlsx = api_get(f.s, "/api/v1/devices?sort=serial&format=xlsx", f.token_a);
    REQUIRE(xlsx.status == 200);
    // The same data in another zone is another workbook: a cached UTC copy is not reused.
    CHECK(header_of(xlsx, "ETag") != header_of(utc_book, "ETag"));
    CHECK(api_get(f.s, "/api/v1/devices?sort=serial&format=xlsx", f.token_a,
                  {{"If-None-Match", header_of(utc_book, "ETag")}})
              .status == 200);

    const auto book = read_back(xlsx.body, "xlsx");
    const auto& rows = book["rows"];
    const auto& items = json.json["items"];
    REQUIRE(rows.Size() == items.Size() + 1);
    const auto& spec = spec_of(api::lists::kDevices);
    int times = 0;
    for (rapidjson::SizeType r = 0; r < items.Size(); ++r) {
        for (std::size_t c = 0; c < spec.fields.size(); ++c) {
            if (api::cell_hint(spec.fields[c]) != api::CellHint::time) continue;
            const std::string field(spec.fields[c]);
            const auto& expected = items[r][field.c_str()];
            const auto& cell = rows[r + 1][static_cast<rapidjson::SizeType>(c)];
            if (expected.IsNull()) continue;
            const std::string utc = expected.GetString();
            REQUIRE(utc.back() == 'Z');                      // JSON stays an instant in UTC
            CHECK(csv.body.find(utc) != std::string::npos);  // so does CSV
            // Vladivostok is UTC+10 all year (no summer time since 2014).
            const auto instant = proto::parse_rfc3339(utc);
            REQUIRE(instant);
            const std::string local = proto::format_rfc3339(*instant + std::chrono::hours(10));
            INFO(spec.fields[c] << " " << utc);
            CHECK(std::string(cell["t"].GetString()) == "d");
            CHECK(std::string(cell["v"].GetString()) == local.substr(0, 19));
            ++times;
        }
    }
    CHECK(times >= 4);  // first_seen and last_seen of both devices
}

TEST_CASE("every list exports .xlsx and Russian CSV; its columns are the declared ones",
          "[cloud][export]") {
    ExportFleet f;
    const std::string admin = std::string(kAdminToken);
    const std::string tenant = "tenant=" + f.tenant_a;
    std::map<std::string_view, std::set<std::string>> seen;
    std::set<std::string> routes_covered;
    for (const auto& [list, path] : list_paths(f)) {
        INFO(path);
        const auto en = api_get(f.s, with(path, tenant + "&format=csv"), admin);
        REQUIRE(en.status == 200);
        CHECK(en.body.rfind(kBom, 0) != 0);  // English CSV unchanged: no BOM
        const auto fields = csv_header(en.body);
        const auto& spec = spec_of(list);
        for (const auto& field : fields) {
            INFO(field);
            // A field the table does not declare would have no Russian title.
            CHECK(std::find(spec.fields.begin(), spec.fields.end(), field) != spec.fields.end());
            seen[list].insert(field);
        }

        const auto ru = api_get(f.s, with(path, tenant + "&format=csv&lang=ru"), admin);
        REQUIRE(ru.status == 200);
        CHECK(header_of(ru, "Content-Type").rfind("text/csv", 0) == 0);
        REQUIRE(ru.body.rfind(kBom, 0) == 0);
        const auto titles = split(ru.body.substr(3, ru.body.find("\r\n") - 3), ';');
        REQUIRE(titles.size() == fields.size());
        for (std::size_t i = 0; i < fields.size(); ++i) {
            CHECK(titles[i] == api::russian_title(list, fields[i]));
        }
        const auto csv_rows = read_back(ru.body, "csv", ";");
        CHECK(csv_rows["bom"].GetBool());

        const auto xlsx = api_get(f.s, with(path, tenant + "&format=xlsx&lang=ru"), admin);
        REQUIRE(xlsx.status == 200);
        CHECK(header_of(xlsx, "Content-Type") == kXlsxType);
        CHECK(header_of(xlsx, "Content-Disposition") ==
              "attachment; filename=\"" + std::string(list) + "-" + api::today_utc() + ".xlsx\"");
        CHECK(header_of(xlsx, "X-Total-Count") == header_of(en, "X-Total-Count"));
        const auto book = read_back(xlsx.body, "xlsx");
        CHECK(std::string(book["sheets"][0].GetString()) == list);
        // As many rows as the CSV, the same titles.
        REQUIRE(book["rows"].Size() == csv_rows["rows"].Size());
        for (rapidjson::SizeType c = 0; c < book["rows"][0].Size(); ++c) {
            CHECK(std::string(book["rows"][0][c]["v"].GetString()) == titles[c]);
        }
        std::string pattern = path.substr(0, path.find('?'));
        const auto id = pattern.find(f.device("KY1"));
        if (id != std::string::npos) pattern.replace(id, 36, "{device_id}");
        routes_covered.insert(pattern);
    }
    // Variants together answer every declared field (the table has no stale field).
    for (const auto& spec : api::list_specs()) {
        INFO(spec.name);
        const std::set<std::string> declared(spec.fields.begin(), spec.fields.end());
        CHECK(seen[spec.name] == declared);
    }
    // Every GET route that answers CSV is a list covered here (a new list needs its columns in
    // api/columns.cpp); the others are single objects.
    std::set<std::string> routes;
    for (const auto& route : f.s.app().routes()) {
        if (route.method != "GET" || route.pattern.rfind("/api/v1/", 0) != 0) continue;
        routes.insert(route.pattern);
        if (routes_covered.count(route.pattern) == 1) continue;
        std::string path = route.pattern;
        for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
            path.replace(open, path.find('}', open) - open + 1, f.device("KY1"));
        }
        const auto r = api_get(f.s, with(path, tenant + "&format=csv"), admin);
        INFO(route.pattern << " -> " << r.status << " " << header_of(r, "Content-Type"));
        CHECK(header_of(r, "Content-Type").rfind("text/csv", 0) != 0);
    }
    for (const auto& p : routes_covered) CHECK(routes.count(p) == 1);
    CHECK(routes_covered.size() == api::list_specs().size());
}

TEST_CASE("Russian CSV round-trips ';', quotes and line breaks; English CSV is unchanged",
          "[cloud][export][csv]") {
    ExportFleet f;
    const auto json = api_get(f.s, "/api/v1/devices?sort=serial", f.token_a);
    REQUIRE(json.status == 200);
    const auto& items = json.json["items"];
    const auto ru = api_get(f.s, "/api/v1/devices?sort=serial&format=csv&lang=ru", f.token_a);
    REQUIRE(ru.status == 200);
    REQUIRE(ru.body.rfind(kBom, 0) == 0);
    CHECK(ru.body.substr(3).rfind("ID устройства;Производитель;Модель;Серийный номер;", 0) == 0);
    CHECK(header_of(ru, "X-Total-Count") == "2");

    const auto parsed = read_back(ru.body, "csv", ";");
    CHECK(parsed["bom"].GetBool());
    const auto& rows = parsed["rows"];
    REQUIRE(rows.Size() == 3);
    const auto& spec = spec_of(api::lists::kDevices);
    REQUIRE(rows[0].Size() == spec.fields.size());
    for (rapidjson::SizeType r = 0; r < items.Size(); ++r) {
        for (rapidjson::SizeType c = 0; c < rows[r + 1].Size(); ++c) {
            const std::string field(spec.fields[c]);
            const auto& expected = items[r][field.c_str()];
            const std::string cell = rows[r + 1][c].GetString();
            INFO(field << " = " << cell);
            if (expected.IsString()) {
                const std::string text = expected.GetString();
                const bool formula =
                    !text.empty() && std::string("=+-@").find(text[0]) != std::string::npos;
                CHECK(cell == (formula ? "'" + text : text));
            } else if (expected.IsInt64()) {
                CHECK(cell == std::to_string(expected.GetInt64()));
            } else if (expected.IsNull()) {
                CHECK(cell.empty());
            }
        }
    }
    CHECK(std::string(rows[2][5].GetString()) == kTrickyLocation);
    CHECK(std::string(rows[1][2].GetString()) == "'" + kFormulaModel);  // formula neutralised

    // English: exactly today's CSV (comma, no BOM, field names), and the tricky text survives.
    const auto en = api_get(f.s, "/api/v1/devices?sort=serial&format=csv&lang=en", f.token_a);
    const auto plain = api_get(f.s, "/api/v1/devices?sort=serial&format=csv", f.token_a);
    CHECK(en.body == plain.body);
    CHECK(en.body.rfind("device_id,vendor,model,serial,mac,location,address,", 0) == 0);
    const auto en_rows = read_back(en.body, "csv", ",");
    CHECK_FALSE(en_rows["bom"].GetBool());
    CHECK(std::string(en_rows["rows"][2][5].GetString()) == kTrickyLocation);

    // Events: detail with ';' and quotes, through the same path.
    const auto events = api_get(f.s, "/api/v1/events?format=csv&lang=ru", f.token_a);
    const auto ev = read_back(events.body, "csv", ";");
    bool found = false;
    for (const auto& row : ev["rows"].GetArray()) {
        for (const auto& cell : row.GetArray()) {
            found = found || std::string(cell.GetString()) == "Замятие; лоток \"2\"";
        }
    }
    CHECK(found);
}

TEST_CASE("lang is validated on every list route", "[cloud][export]") {
    ExportFleet f;
    for (const auto& [list, path] : list_paths(f)) {
        for (const char* q : {"lang=xx", "lang=RU", "lang=", "lang=ru-RU", "format=xls"}) {
            INFO(path << " " << q);
            const auto r = api_get(f.s, with(with(path, q), "tenant=" + f.tenant_a), kAdminToken);
            CHECK(r.status == 400);
            CHECK(str(r.json["error"], "code") == "invalid_parameter");
        }
        for (const char* q : {"lang=ru", "lang=en", "lang=ru&format=json"}) {
            INFO(path << " " << q);
            CHECK(api_get(f.s, with(with(path, q), "tenant=" + f.tenant_a), kAdminToken).status ==
                  200);
        }
    }
    // JSON ignores lang: field names never change.
    const auto ru_json = api_get(f.s, "/api/v1/devices?lang=ru", f.token_a);
    CHECK(ru_json.body == api_get(f.s, "/api/v1/devices", f.token_a).body);
}

TEST_CASE("exports are scoped to the caller's tenant", "[cloud][export]") {
    ExportFleet f;
    // B's token exports only B's device, in every format.
    const auto b_xlsx = api_get(f.s, "/api/v1/devices?format=xlsx", f.token_b);
    REQUIRE(b_xlsx.status == 200);
    CHECK(header_of(b_xlsx, "X-Total-Count") == "1");
    const auto b_book = read_back(b_xlsx.body, "xlsx");
    REQUIRE(b_book["rows"].Size() == 2);
    CHECK(std::string(b_book["rows"][1][3]["v"].GetString()) == "SECRET-B");
    const auto b_csv = api_get(f.s, "/api/v1/devices?format=csv&lang=ru", f.token_b);
    CHECK(b_csv.body.find("KY1") == std::string::npos);
    CHECK(b_csv.body.find("HP2") == std::string::npos);
    // Naming tenant A is refused, and A's device is not B's to export.
    for (const char* format : {"xlsx", "csv"}) {
        INFO(format);
        CHECK(api_get(f.s,
                      "/api/v1/devices?format=" + std::string(format) + "&tenant=" + f.tenant_a,
                      f.token_b)
                  .status == 403);
        for (const char* tail : {"/readings", "/counters", "/counters?interval=day"}) {
            const auto path = "/api/v1/devices/" + f.device("KY1") + tail;
            CHECK(api_get(f.s, with(path, "format=" + std::string(format)), f.token_b).status ==
                  404);
        }
    }
    // None of A's exports holds anything of B.
    for (const auto& [list, path] : list_paths(f)) {
        INFO(path);
        const auto xlsx = api_get(f.s, with(path, "format=xlsx&tenant=" + f.tenant_a), kAdminToken);
        REQUIRE(xlsx.status == 200);
        const auto book = read_back(xlsx.body, "xlsx");
        rapidjson::StringBuffer text;
        rapidjson::Writer<rapidjson::StringBuffer> w(text);
        book.Accept(w);
        const std::string cells = text.GetString();
        CHECK(cells.find("SECRET-B") == std::string::npos);
        CHECK(cells.find(f.device_b) == std::string::npos);
        CHECK(cells.find("branch-b") == std::string::npos);
        if (list == api::lists::kDevices) CHECK(cells.find("KY1") != std::string::npos);
    }
}

TEST_CASE("free text limits count characters: Cyrillic input", "[cloud][export][params]") {
    ExportFleet f;
    const auto q = [&](const std::string& name, const std::string& value) {
        return api_get(f.s, "/api/v1/devices?" + name + "=" + net::percent_encode(value),
                       f.token_a);
    };
    // 100 Cyrillic letters are 200 bytes: within a 100- and a 200-character limit.
    const auto cyr100 = repeat("ж", 100);
    CHECK(q("q", cyr100).status == 200);
    CHECK(q("site", repeat("ж", 200)).status == 200);
    const auto too_long = q("site", repeat("ж", 201));
    CHECK(too_long.status == 400);
    CHECK(str(too_long.json["error"], "message").find("200 characters") != std::string::npos);
    CHECK(api_get(f.s,
                  "/api/v1/devices/" + f.device("KY1") +
                      "/counters?name=" + net::percent_encode(repeat("ё", 64)),
                  f.token_a)
              .status == 200);
    CHECK(api_get(f.s,
                  "/api/v1/devices/" + f.device("KY1") +
                      "/counters?name=" + net::percent_encode(repeat("ё", 65)),
                  f.token_a)
              .status == 400);
    // A search finds Cyrillic text by its characters.
    const auto found = q("q", "Северный");
    REQUIRE(found.status == 200);
    CHECK(found.json["items"].Size() == 1);
    // Not UTF-8: a clear 400.
    const auto latin1 = api_get(f.s, "/api/v1/devices?q=caf%E9", f.token_a);
    CHECK(latin1.status == 400);
    CHECK(str(latin1.json["error"], "code") == "invalid_parameter");
    CHECK(str(latin1.json["error"], "message").find("UTF-8") != std::string::npos);
    CHECK(api_get(f.s, "/api/v1/devices?q=%C2%85", f.token_a).status == 400);  // C1 control

    // JSON bodies: names of 200 characters, ids of 128, passwords of 256.
    const std::string admin = std::string(kAdminToken);
    const std::string scoped = "?tenant=" + f.tenant_a;
    const auto token = [&](const std::string& name) {
        return api_request(f.s, "POST", "/api/v1/tokens" + scoped, admin,
                           R"({"name":")" + name + R"("})");
    };
    CHECK(token(repeat("ж", 200)).status == 201);
    const auto long_name = token(repeat("ж", 201));
    CHECK(long_name.status == 400);
    CHECK(str(long_name.json["error"], "message") == "name: longer than 200 characters");
    // Not UTF-8 anywhere in a JSON body: the shared reader's 400 (net/json_body.hpp).
    const auto bad = token("caf\xE9");
    CHECK(bad.status == 400);
    CHECK(str(bad.json["error"], "code") == "invalid_json");
    CHECK(str(bad.json["error"], "message").find("the body is not valid UTF-8") == 0);

    const auto scanner = [&](const std::string& id, const std::string& name) {
        return api_request(
            f.s, "POST", "/api/v1/scanners" + scoped, admin,
            R"({"scanner_id":")" + id + R"(","name":")" + name + R"(","site":"Склад"})");
    };
    CHECK(scanner(repeat("я", 128), repeat("ш", 200)).status == 201);
    CHECK(scanner(repeat("ю", 129), "x").status == 400);
    CHECK(scanner("branch-z", repeat("ш", 201)).status == 400);

    const auto user = [&](const std::string& email, const std::string& password) {
        return api_request(
            f.s, "POST", "/api/v1/users" + scoped, admin,
            R"({"email":")" + email + R"(","role":"viewer","password":")" + password + R"("})");
    };
    const auto password = repeat("п", 256);  // 512 bytes
    REQUIRE(user("ru@acme.test", password).status == 201);
    CHECK(user("ru2@acme.test", repeat("п", 257)).status == 400);
    CHECK(user("ru3@acme.test", repeat("п", 7)).status == 400);  // 14 bytes, 7 characters
    const auto login =
        api_request(f.s, "POST", "/api/v1/auth/login", "",
                    R"({"tenant_id":")" + f.tenant_a + R"(","email":"ru@acme.test","password":")" +
                        password + R"("})");
    CHECK(login.status == 200);
    CHECK(f.s.count("devices", f.tenant_a) == 2);  // nothing else was touched
}
