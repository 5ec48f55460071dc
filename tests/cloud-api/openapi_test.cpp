// docs/openapi.yaml matches the router: every registered route is documented and every
// documented operation is registered.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <regex>
#include <set>

#include "api/columns.hpp"
#include "cloud_support.hpp"
#include "state.hpp"

using namespace printmon::cloud::test;

namespace {

std::set<std::string> documented_operations() {
    std::ifstream in(printmon::test::source_dir() + "/docs/openapi.yaml");
    REQUIRE(in);
    const std::regex path_line(R"(^  (/[^:\s]*):\s*$)");
    const std::regex method_line(R"(^    (get|post|put|delete|patch):\s*$)");
    std::set<std::string> out;
    std::string line;
    std::string path;
    bool in_paths = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] != ' ' && line[0] != '#') in_paths = line == "paths:";
        if (!in_paths) continue;
        std::smatch m;
        if (std::regex_match(line, m, path_line)) {
            path = m[1];
        } else if (std::regex_match(line, m, method_line) && !path.empty()) {
            std::string method = m[1];
            for (auto& c : method)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            out.insert(method + " " + path);
        }
    }
    return out;
}

// Operations ("GET /api/v1/devices") that reference the component parameter `name`.
std::set<std::string> operations_with_parameter(const std::string& name) {
    std::ifstream in(printmon::test::source_dir() + "/docs/openapi.yaml");
    REQUIRE(in);
    const std::regex path_line(R"(^  (/[^:\s]*):\s*$)");
    const std::regex method_line(R"(^    (get|post|put|delete|patch):\s*$)");
    const std::string ref = "#/components/parameters/" + name + "\"";
    std::set<std::string> out;
    std::string line;
    std::string path;
    std::string op;
    bool in_paths = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] != ' ' && line[0] != '#') in_paths = line == "paths:";
        if (!in_paths) continue;
        std::smatch m;
        if (std::regex_match(line, m, path_line)) {
            path = m[1];
            op.clear();
        } else if (std::regex_match(line, m, method_line) && !path.empty()) {
            op = std::string(m[1]) + " " + path;
        } else if (!op.empty() && line.find(ref) != std::string::npos) {
            out.insert(op);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("docs/openapi.yaml documents format and lang on every list", "[cloud][openapi]") {
    const auto with_format = operations_with_parameter("format");
    CHECK(with_format == operations_with_parameter("lang"));
    CHECK(with_format.size() == printmon::cloud::api::list_specs().size());
    std::ifstream in(printmon::test::source_dir() + "/docs/openapi.yaml");
    const std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(yaml.find("format: {name: format, in: query, schema: {type: string, enum: [json, csv, "
                    "xlsx]}") != std::string::npos);
    CHECK(yaml.find("lang: {name: lang, in: query, schema: {type: string, enum: [en, ru], "
                    "default: en}") != std::string::npos);
}

TEST_CASE("docs/openapi.yaml documents exactly the router's routes", "[cloud][openapi]") {
    CloudServer s;
    std::set<std::string> routed;
    for (const auto& route : s.app().routes()) routed.insert(route.method + " " + route.pattern);
    const auto documented = documented_operations();
    for (const auto& op : routed) {
        INFO(op);
        CHECK(documented.count(op) == 1);
    }
    for (const auto& op : documented) {
        INFO(op);
        CHECK(routed.count(op) == 1);
    }
    CHECK(routed.size() > 25);
}
