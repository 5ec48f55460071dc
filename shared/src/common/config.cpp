#include "printmon/common/config.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace printmon::common {

namespace {

// "SOURCE:LINE:COLUMN" when the region is known, else "SOURCE".
std::string location(std::string_view source_name, const toml::source_region& region) {
    if (region.begin.line == 0) return std::string(source_name);
    return fmt::format("{}:{}:{}", source_name, region.begin.line, region.begin.column);
}

std::string_view type_name(toml::node_type type) {
    switch (type) {
        case toml::node_type::table:
            return "table";
        case toml::node_type::array:
            return "array";
        case toml::node_type::string:
            return "string";
        case toml::node_type::integer:
            return "integer";
        case toml::node_type::floating_point:
            return "float";
        case toml::node_type::boolean:
            return "boolean";
        case toml::node_type::date:
            return "date";
        case toml::node_type::time:
            return "time";
        case toml::node_type::date_time:
            return "date-time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

bool before(const toml::source_position& a, const toml::source_position& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
}

}  // namespace

toml::table parse_config(std::string_view text, std::string_view source_name) {
    try {
        return toml::parse(text, source_name);
    } catch (const toml::parse_error& e) {
        throw ConfigError(
            fmt::format("{}: {}", location(source_name, e.source()), e.description()));
    }
}

toml::table parse_config_file(const std::filesystem::path& path) {
    // Read the bytes ourselves: toml::parse_file's open failure carries no errno reason.
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw ConfigError(fmt::format("{}: read error", path.string()));
    return parse_config(text, path.string());
}

std::optional<std::string> system_env(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
}

std::string env_override_name(std::string_view dotted_key) {
    std::string name = "PRINTMON_";
    for (const char c : dotted_key) {
        if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
            name.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        } else if (c == ']') {
            continue;  // "printers[2].password" -> PRINTMON_PRINTERS_2_PASSWORD
        } else {
            name.push_back('_');
        }
    }
    return name;
}

// Shared by a root reader and all its sub-readers: which dotted paths were read.
struct ConfigReader::State {
    std::string source_name;
    EnvLookup env;
    std::set<std::string, std::less<>> read;
    toml::table empty;  // stands in for absent sub-tables
};

ConfigReader::ConfigReader(const toml::table& root, std::string source_name, EnvLookup env)
    : state_(std::make_shared<State>()), table_(&root) {
    state_->source_name = std::move(source_name);
    state_->env = std::move(env);
}

ConfigReader::ConfigReader(std::shared_ptr<State> state, const toml::table& table, std::string path)
    : state_(std::move(state)), table_(&table), path_(std::move(path)) {}

const std::string& ConfigReader::source_name() const { return state_->source_name; }

std::string ConfigReader::path_of(std::string_view key) const {
    if (path_.empty()) return std::string(key);
    return path_ + "." + std::string(key);
}

bool ConfigReader::contains(std::string_view key) const { return table_->contains(key); }

const toml::node* ConfigReader::lookup(std::string_view key) const {
    state_->read.insert(path_of(key));
    return table_->get(key);
}

void ConfigReader::type_error(std::string_view key, const toml::node& node,
                              std::string_view expected) const {
    throw ConfigError(fmt::format("{}: '{}' must be {}, got {}",
                                  location(state_->source_name, node.source()), path_of(key),
                                  expected, type_name(node.type())));
}

std::string ConfigReader::table_location() const {
    // The root's region is 1:1, which would point at an unrelated first line: name the file only.
    if (path_.empty()) return state_->source_name;
    return location(state_->source_name, table_->source());
}

void ConfigReader::missing(std::string_view key) const {
    throw ConfigError(fmt::format("{}: missing required key '{}'", table_location(), path_of(key)));
}

void ConfigReader::out_of_range(std::string_view key, const toml::node& node,
                                std::int64_t value) const {
    throw ConfigError(fmt::format("{}: '{}' value {} is out of range",
                                  location(state_->source_name, node.source()), path_of(key),
                                  value));
}

void ConfigReader::fail(std::string_view key, std::string_view message) const {
    const toml::node* node = table_->get(key);
    const std::string where =
        node != nullptr ? location(state_->source_name, node->source()) : table_location();
    throw ConfigError(fmt::format("{}: '{}' {}", where, path_of(key), message));
}

std::optional<std::string> ConfigReader::optional_secret(std::string_view key) const {
    const std::string var = env_override_name(path_of(key));
    if (auto from_env = state_->env ? state_->env(var) : std::nullopt) {
        lookup(key);  // a value in the file too is overridden, not unknown
        return from_env;
    }
    return optional<std::string>(key);
}

std::string ConfigReader::required_secret(std::string_view key) const {
    if (auto value = optional_secret(key)) return std::move(*value);
    throw ConfigError(fmt::format("{}: missing required key '{}' (or set {})", table_location(),
                                  path_of(key), env_override_name(path_of(key))));
}

std::optional<ConfigReader> ConfigReader::optional_table(std::string_view key) const {
    const toml::node* node = lookup(key);
    if (node == nullptr) return std::nullopt;
    const toml::table* sub = node->as_table();
    if (sub == nullptr) type_error(key, *node, "a table");
    return ConfigReader(state_, *sub, path_of(key));
}

ConfigReader ConfigReader::table(std::string_view key) const {
    if (auto sub = optional_table(key)) return std::move(*sub);
    return ConfigReader(state_, state_->empty, path_of(key));
}

std::vector<ConfigReader> ConfigReader::tables(std::string_view key) const {
    std::vector<ConfigReader> out;
    const toml::node* node = lookup(key);
    if (node == nullptr) return out;
    const toml::array* array = node->as_array();
    if (array == nullptr) type_error(key, *node, "an array of tables");
    std::size_t index = 0;
    for (const toml::node& element : *array) {
        const std::string element_key = fmt::format("{}[{}]", key, index++);
        const toml::table* sub = element.as_table();
        if (sub == nullptr) type_error(element_key, element, "a table");
        state_->read.insert(path_of(element_key));
        out.push_back(ConfigReader(state_, *sub, path_of(element_key)));
    }
    return out;
}

void ConfigReader::finish() const {
    // Find the unread key that comes first in the file, so the message points at the first
    // mistake a person would see reading top to bottom.
    struct Unknown {
        std::string path;
        toml::source_region region;
    };
    std::optional<Unknown> first;
    const auto consider = [&](std::string path, const toml::source_region& region) {
        if (!first || before(region.begin, first->region.begin)) {
            first = Unknown{std::move(path), region};
        }
    };
    const auto joined = [](const std::string& prefix, std::string_view key) {
        return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
    };
    // Recursion through a std::function keeps the walk local to finish().
    std::function<void(const toml::table&, const std::string&)> walk_table;
    std::function<void(const toml::node&, const std::string&)> walk_node =
        [&](const toml::node& node, const std::string& path) {
            if (const auto* sub = node.as_table()) {
                walk_table(*sub, path);
            } else if (const auto* array = node.as_array()) {
                std::size_t index = 0;
                for (const toml::node& element : *array) {
                    const std::string element_path = fmt::format("{}[{}]", path, index++);
                    // Only arrays of tables are read element by element.
                    if (element.is_table() && state_->read.count(element_path) != 0) {
                        walk_table(*element.as_table(), element_path);
                    }
                }
            }
        };
    walk_table = [&](const toml::table& table, const std::string& prefix) {
        for (const auto& [key, node] : table) {
            const std::string path = joined(prefix, key.str());
            if (state_->read.count(path) == 0) {
                // A [table] header's key starts after the '[': point at the header instead.
                const bool header_first = node.source().begin.line != 0 &&
                                          before(node.source().begin, key.source().begin);
                consider(path, header_first ? node.source() : key.source());
            } else {
                walk_node(node, path);
            }
        }
    };
    walk_table(*table_, path_);
    if (first) {
        throw ConfigError(fmt::format("{}: unknown key '{}'",
                                      location(state_->source_name, first->region), first->path));
    }
}

}  // namespace printmon::common
