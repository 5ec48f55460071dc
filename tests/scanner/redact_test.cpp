// A support walk leaves the site without the office around the printer (snmp/redact.hpp), and
// without losing anything the collector reads: every recording we have, and the public corpus
// when PRINTMON_CORPUS_DIR names it, gives the same snapshot before and after.
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <catch2/catch.hpp>

#include "collector_support.hpp"
#include "printmon/proto/codec.hpp"
#include "snmp/redact.hpp"

using namespace printmon;
using namespace printmon::scanner;
namespace fs = std::filesystem;

namespace {

snmp::Oid oid(const char* text) { return *snmp::parse_oid(text); }

snmp::Value text_value(std::string s) {
    snmp::Value v;
    v.type = snmp::ValueType::octets;
    v.bytes = std::move(s);
    return v;
}

snmp::Value number(snmp::ValueType type, std::int64_t n) {
    snmp::Value v;
    v.type = type;
    v.number = n;
    return v;
}

snmp::Value address(std::string octets) {
    snmp::Value v;
    v.type = snmp::ValueType::ip_address;
    v.bytes = std::move(octets);
    return v;
}

/// An office printer's walk with everything a customer would not want to send.
snmp::MibView office_walk() {
    snmp::MibView w;
    w[oid("1.3.6.1.2.1.1.1.0")] = text_value("KYOCERA Document Solutions Printing System");
    w[oid("1.3.6.1.2.1.1.4.0")] = text_value("Иван Петров, ivan.petrov@corp.example.ru");
    w[oid("1.3.6.1.2.1.1.5.0")] = text_value("KM-ACCOUNTING");
    w[oid("1.3.6.1.2.1.1.6.0")] = text_value("Бухгалтерия, каб. 305");
    // The ARP table: other hosts of the office, their addresses in the index and the value.
    w[oid("1.3.6.1.2.1.4.22.1.2.1.10.1.2.31")] =
        text_value(std::string("\x00\x1b\x21\x3a\x4b\x5c", 6));
    w[oid("1.3.6.1.2.1.4.22.1.3.1.10.1.2.31")] = address(std::string("\x0a\x01\x02\x1f", 4));
    w[oid("1.3.6.1.2.1.4.20.1.1.10.1.2.30")] = address(std::string("\x0a\x01\x02\x1e", 4));
    w[oid("1.3.6.1.2.1.6.13.1.1.10.1.2.30.9100.10.1.2.77.50123")] =
        number(snmp::ValueType::integer, 5);
    w[oid("1.3.6.1.2.1.2.2.1.6.1")] = text_value(std::string("\x00\x17\xc8\x01\x02\x03", 6));
    w[oid("1.3.6.1.2.1.43.5.1.1.4.1")] = text_value("Мария Сидорова");
    w[oid("1.3.6.1.2.1.43.5.1.1.5.1")] = text_value("Сервис-центр, +7 495 000-00-00");
    w[oid("1.3.6.1.2.1.43.5.1.1.17.1")] = text_value("VCF4Z01234");
    w[oid("1.3.6.1.2.1.43.16.5.1.2.1.1")] =
        text_value("Scan to ivan@corp.example.ru failed / Toner low");
    // Job Monitoring MIB: a job's owner.
    w[oid("1.3.6.1.4.1.2699.1.1.1.4.1.1.1.34.1")] = text_value("petrov");
    // A vendor object holding the device's own address and one holding the community.
    w[oid("1.3.6.1.4.1.1347.40.1.1.1.5.1")] = address(std::string("\x0a\x01\x02\x1e", 4));
    w[oid("1.3.6.1.4.1.1347.40.1.1.1.6.1")] = address(std::string("\x0a\x01\x02\x01", 4));
    w[oid("1.3.6.1.4.1.1347.40.1.1.1.7.1")] = address(std::string("\x00\x00\x00\x00", 4));
    w[oid("1.3.6.1.4.1.1347.40.1.1.1.9.1")] = text_value("office-ro-2024");
    return w;
}

std::string snapshot_json(const snmp::MibView& view) {
    return proto::to_json(test::collect(view).snapshot);
}

}  // namespace

TEST_CASE("a support walk is written without the office around the printer", "[redact]") {
    const auto walk = office_walk();
    snmp::RedactReport report;
    const auto out = snmp::redact(walk, {"office-ro-2024", ""}, report);
    const std::string file = snmp::write_snmprec(out);
    for (const char* gone : {"Иван", "ivan", "Петров", "305", "Мария", "+7 495", "petrov",
                             "office-ro-2024", "corp.example"}) {
        INFO(gone);
        CHECK(file.find(gone) == std::string::npos);
    }
    // Whole subtrees naming other hosts and jobs are left out.
    CHECK(out.count(oid("1.3.6.1.2.1.4.22.1.2.1.10.1.2.31")) == 0);
    CHECK(out.count(oid("1.3.6.1.2.1.4.20.1.1.10.1.2.30")) == 0);
    CHECK(out.count(oid("1.3.6.1.2.1.6.13.1.1.10.1.2.30.9100.10.1.2.77.50123")) == 0);
    CHECK(out.count(oid("1.3.6.1.4.1.2699.1.1.1.4.1.1.1.34.1")) == 0);
    CHECK(report.dropped == 5);
    // People: kept as objects, their text replaced.
    CHECK(out.at(oid("1.3.6.1.2.1.1.4.0")).bytes == "redacted");
    CHECK(out.at(oid("1.3.6.1.2.1.1.6.0")).bytes == "redacted");
    CHECK(out.at(oid("1.3.6.1.2.1.43.5.1.1.4.1")).bytes == "redacted");
    CHECK(out.at(oid("1.3.6.1.2.1.43.5.1.1.5.1")).bytes == "redacted");
    // E-mail inside text; the rest of the text stays.
    CHECK(out.at(oid("1.3.6.1.2.1.43.16.5.1.2.1.1")).bytes ==
          "Scan to redacted@example.invalid failed / Toner low");
    // Addresses: the same one maps to the same documentation address; 0.0.0.0 stays.
    const auto& own = out.at(oid("1.3.6.1.4.1.1347.40.1.1.1.5.1"));
    const auto& gateway = out.at(oid("1.3.6.1.4.1.1347.40.1.1.1.6.1"));
    CHECK(own.type == snmp::ValueType::ip_address);
    CHECK(own.bytes.substr(0, 3) == std::string("\xC0\x00\x02", 3));
    CHECK(gateway.bytes.substr(0, 3) == std::string("\xC0\x00\x02", 3));
    CHECK(own.bytes != gateway.bytes);
    CHECK(out.at(oid("1.3.6.1.4.1.1347.40.1.1.1.7.1")).bytes == std::string(4, '\0'));
    CHECK(out.at(oid("1.3.6.1.4.1.1347.40.1.1.1.9.1")).bytes == "redacted");
    // The printer itself is untouched: its name, model text, serial, MAC.
    for (const char* kept : {"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.43.5.1.1.17.1",
                             "1.3.6.1.2.1.2.2.1.6.1"}) {
        INFO(kept);
        CHECK(out.at(oid(kept)) == walk.at(oid(kept)));
    }
    CHECK(report.masked == 8);  // four people, one mail, two addresses, the community
    // What was removed, by kind, for the UI; in English for the command line.
    std::vector<std::string> items;
    for (const auto& item : report.items)
        items.push_back(item.kind + " " + std::to_string(item.count));
    CHECK(items == std::vector<std::string>{"arp 2", "addresses 1", "connections 1", "jobs 1",
                                            "contact 1", "location 1", "people 2", "ip_values 2",
                                            "emails 1", "secrets 1"});
    const auto lines = report.lines();
    CHECK(lines.size() == items.size());
    CHECK(lines.front() == "2 ARP table entries dropped");
    CHECK(std::find(lines.begin(), lines.end(),
                    "1 e-mail address(es) replaced by redacted@example.invalid") != lines.end());
    // A walk with nothing private is written as it came.
    snmp::RedactReport none;
    auto plain = walk;
    for (const auto& o : {"1.3.6.1.2.1.1.4.0", "1.3.6.1.2.1.1.6.0", "1.3.6.1.2.1.43.5.1.1.4.1",
                          "1.3.6.1.2.1.43.5.1.1.5.1", "1.3.6.1.2.1.43.16.5.1.2.1.1",
                          "1.3.6.1.4.1.1347.40.1.1.1.5.1", "1.3.6.1.4.1.1347.40.1.1.1.6.1"}) {
        plain.erase(oid(o));
    }
    for (auto it = plain.begin(); it != plain.end();) {
        it = snmp::starts_with(it->first, oid("1.3.6.1.2.1.4")) ||
                     snmp::starts_with(it->first, oid("1.3.6.1.2.1.6")) ||
                     snmp::starts_with(it->first, oid("1.3.6.1.4.1.2699"))
                 ? plain.erase(it)
                 : std::next(it);
    }
    CHECK(snmp::redact(plain, {}, none) == plain);
    CHECK(none.items.empty());
}

TEST_CASE("e-mail addresses are found in text, not guessed", "[redact]") {
    const auto once = [](const std::string& s) {
        snmp::MibView w;
        w[oid("1.3.6.1.2.1.43.16.5.1.2.1.1")] = text_value(s);
        snmp::RedactReport r;
        return snmp::redact(w, {}, r).begin()->second.bytes;
    };
    CHECK(once("a.b-c+d@mail.example.org") == "redacted@example.invalid");
    CHECK(once("x@y.ru, z@w.com.") == "redacted@example.invalid, redacted@example.invalid.");
    CHECK(once("<ivan@corp.ru>") == "<redacted@example.invalid>");
    // Not addresses: no local part, no domain with a top level of two letters or more.
    for (const char* same : {"user@host", "a@b.c", "@example.com", "x@@y.com", "Tray 1 @ 50%",
                             "ftp@", "", "Toner low"}) {
        INFO(same);
        CHECK(once(same) == same);
    }
    // Binary octets around an address.
    CHECK(once(std::string("\x00\xff", 2) + "a@b.cd" + std::string("\x01", 1)) ==
          std::string("\x00\xff", 2) + "redacted@example.invalid" + std::string("\x01", 1));
}

TEST_CASE("redacting a walk changes nothing the collector reads", "[redact][corpus]") {
    std::vector<fs::path> files;
    for (const char* dir :
         {PRINTMON_COLLECTOR_DATA, PRINTMON_PARTIAL_DATA, PRINTMON_SUPPORT_DATA}) {
        for (const auto& e : fs::directory_iterator(dir)) {
            if (e.path().extension() == ".snmprec") files.push_back(e.path());
        }
    }
    if (const char* corpus = std::getenv("PRINTMON_CORPUS_DIR")) {
        for (const auto& e : fs::recursive_directory_iterator(corpus)) {
            if (e.path().extension() == ".snmprec") files.push_back(e.path());
        }
    } else {
        WARN("PRINTMON_CORPUS_DIR not set: only the project's recordings are checked");
    }
    REQUIRE(files.size() > 80);
    std::size_t changed = 0;
    for (const auto& f : files) {
        INFO(f.string());
        auto view = snmp::read_snmprec_file(f.string());
        REQUIRE(view);
        snmp::RedactReport report;
        const auto redacted = snmp::redact(*view, {"public"}, report);
        if (!report.items.empty()) ++changed;
        CHECK(snapshot_json(redacted) == snapshot_json(*view));
    }
    // The check is not empty: one of ours with what a real office's walk carries (the corpus,
    // when given, has 19 such recordings of its own).
    {
        auto view = snmp::read_snmprec_file(files.front().string());
        REQUIRE(view);
        view->insert_or_assign(snmp::Oid{1, 3, 6, 1, 2, 1, 1, 4, 0},
                               text_value("Ivan Petrov <ivan.petrov@corp.example>"));
        view->insert_or_assign(snmp::Oid{1, 3, 6, 1, 2, 1, 1, 6, 0}, text_value("Room 312"));
        view->insert_or_assign(snmp::Oid{1, 3, 6, 1, 2, 1, 4, 22, 1, 3, 1, 10, 0, 0, 7},
                               address(std::string("\x0a\x00\x00\x07", 4)));
        snmp::RedactReport report;
        const auto redacted = snmp::redact(*view, {"public"}, report);
        if (!report.items.empty()) ++changed;
        CHECK(snapshot_json(redacted) == snapshot_json(*view));
    }
    CHECK(changed > 0);
}
