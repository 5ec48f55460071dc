// docs/protocol.md and the schemas describe the same fields.

#include <set>
#include <string>

#include <rapidjson/document.h>
#include <catch2/catch.hpp>

#include "golden.hpp"

namespace printmon::proto {
namespace {

/// Every key of every "properties" object in a schema, at any depth.
void collect_property_names(const rapidjson::Value& value, std::set<std::string>& out) {
    if (value.IsObject()) {
        for (const auto& member : value.GetObject()) {
            if (std::string(member.name.GetString()) == "properties" && member.value.IsObject()) {
                for (const auto& property : member.value.GetObject()) {
                    out.emplace(property.name.GetString(), property.name.GetStringLength());
                }
            }
            collect_property_names(member.value, out);
        }
    } else if (value.IsArray()) {
        for (const auto& item : value.GetArray()) {
            collect_property_names(item, out);
        }
    }
}

TEST_CASE("docs/protocol.md names every schema property", "[proto][docs]") {
    const std::string doc = test::read_source_file("docs/protocol.md");
    std::set<std::string> names;
    for (const char* file :
         {"shared/schemas/device-snapshot.v1.schema.json", "shared/schemas/batch.v1.schema.json"}) {
        const std::string text = test::read_source_file(file);
        rapidjson::Document schema;
        schema.Parse(text.data(), text.size());
        REQUIRE_FALSE(schema.HasParseError());
        collect_property_names(schema, names);
    }
    names.erase("");  // the forbidden empty counter name, not a field
    REQUIRE(names.size() > 40);
    for (const auto& name : names) {
        INFO("property `" << name << "` is not described in docs/protocol.md");
        CHECK(doc.find("`" + name + "`") != std::string::npos);
    }
}

}  // namespace
}  // namespace printmon::proto
