#include <catch2/catch.hpp>

#include "snmp/snmprec.hpp"

using namespace printmon::scanner::snmp;

TEST_CASE("snmprec: every tag parses", "[snmprec]") {
    const auto view = parse_snmprec(
        "# comment\r\n"
        "1.3.6.1.2.1.1.1.0|4|Printer | with bar\r\n"
        ".1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.11\n"
        "1.3.6.1.2.1.1.3.0|67|12345\n"
        "1.3.6.1.2.1.2.2.1.6.1|4x|0021B743F581\n"
        "1.3.6.1.2.1.4.20.1.1.10.0.0.1|64|10.0.0.1\n"
        "1.3.6.1.2.1.43.10.2.1.4.1.1|65|4294967295\n"
        "1.3.6.1.2.1.43.10.2.1.5.1.1|70|18446744073709551615\n"
        "1.3.6.1.2.1.43.11.1.1.9.1.1|2|-3\n"
        "1.3.6.1.2.1.99.1|5|\n"
        "1.3.6.1.2.1.99.2|128|\n");
    REQUIRE(view);
    CHECK(view->size() == 10);
    CHECK(view->at(*parse_oid("1.3.6.1.2.1.1.1.0")).bytes == "Printer | with bar");
    CHECK(view->at(*parse_oid("1.3.6.1.2.1.1.2.0")).oid == *parse_oid("1.3.6.1.4.1.11"));
    CHECK(view->at(*parse_oid("1.3.6.1.2.1.2.2.1.6.1")).bytes ==
          std::string("\x00\x21\xB7\x43\xF5\x81", 6));
    CHECK(view->at(*parse_oid("1.3.6.1.2.1.4.20.1.1.10.0.0.1")).bytes ==
          std::string("\x0A\x00\x00\x01", 4));
    CHECK(view->at(*parse_oid("1.3.6.1.2.1.43.10.2.1.4.1.1")).number == 4294967295);
    CHECK(view->at(*parse_oid("1.3.6.1.2.1.43.10.2.1.5.1.1")).number == INT64_MAX);  // clamped
    CHECK(view->at(*parse_oid("1.3.6.1.2.1.43.11.1.1.9.1.1")).number == -3);
    CHECK(view->at(*parse_oid("1.3.6.1.2.1.99.2")).is_missing());
}

TEST_CASE("snmprec: errors name the line", "[snmprec]") {
    auto bad = parse_snmprec("1.3.6.1.2.1.1.1.0|4|ok\n1.3.6|2|abc\n");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().line == 2);
    bad = parse_snmprec("\n1.3.6.x|4|a\n");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().line == 2);
    CHECK_FALSE(parse_snmprec("1.3.6|4x|abc\n"));  // odd hex
    CHECK_FALSE(parse_snmprec("1.3.6|99|1\n"));    // unknown tag
    CHECK_FALSE(parse_snmprec("1.3.6 no bars\n"));
}

TEST_CASE("snmprec: write then read is the identity; binary octets use 4x", "[snmprec]") {
    MibView view;
    view[*parse_oid("1.3.6.1.2.1.1.1.0")] = {ValueType::octets, 0, "HP LaserJet", {}};
    view[*parse_oid("1.3.6.1.2.1.1.2.0")] = {ValueType::object_id, 0, "",
                                             *parse_oid("1.3.6.1.4.1.11")};
    view[*parse_oid("1.3.6.1.2.1.1.5.0")] = {ValueType::octets, 0, "a|b\nc", {}};
    view[*parse_oid("1.3.6.1.2.1.2.2.1.6.1")] = {
        ValueType::octets, 0, std::string("\x00\x21", 2), {}};
    view[*parse_oid("1.3.6.1.2.1.25.1.1.0")] = {ValueType::timeticks, 42, "", {}};
    view[*parse_oid("1.3.6.1.2.1.43.10.2.1.4.1.1")] = {ValueType::counter32, 7, "", {}};
    view[*parse_oid("1.3.6.1.2.1.43.10.2.1.5.1.1")] = {ValueType::counter64, 8, "", {}};
    view[*parse_oid("1.3.6.1.2.1.43.11.1.1.9.1.1")] = {ValueType::integer, -2, "", {}};
    view[*parse_oid("1.3.6.1.2.1.43.11.1.1.9.1.2")] = {ValueType::gauge32, 5, "", {}};
    view[*parse_oid("1.3.6.1.2.1.4.20.1.1.10.0.0.1")] = {
        ValueType::ip_address, 0, std::string("\x0A\x00\x00\x01", 4), {}};
    view[*parse_oid("1.3.6.1.2.1.99.1")] = {ValueType::opaque, 0, "\x9f\x78", {}};
    view[*parse_oid("1.3.6.1.2.1.99.2")] = {ValueType::null, 0, "", {}};
    const std::string text = write_snmprec(view);
    CHECK(text.find("1.3.6.1.2.1.2.2.1.6.1|4x|0021\n") != std::string::npos);
    CHECK(text.find("1.3.6.1.2.1.1.5.0|4x|") != std::string::npos);
    CHECK(text.find("1.3.6.1.2.1.1.1.0|4|HP LaserJet\n") != std::string::npos);
    const auto back = parse_snmprec(text);
    REQUIRE(back);
    CHECK(*back == view);
    // Missing values are not recorded.
    MibView missing;
    missing[*parse_oid("1.3.6.1")] = {ValueType::no_such_object, 0, "", {}};
    CHECK(write_snmprec(missing).empty());
}
