#pragma once
// TOML configuration: parsing with exact FILE:LINE:COLUMN errors, and a reader that validates a
// table into a typed struct (wrong type, missing key, unknown key) with the same precision.
//
// Rationale: a bad config is a fatal startup error (STYLE.md §3, §7), so everything here throws
// ConfigError whose what() is the complete message to print, e.g.
//   scanner.toml:12:1: unknown key 'polling.intervall'

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <toml++/toml.h>

namespace printmon::common {

/// A configuration error; what() is the full user-facing message with its location.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Parses TOML text. `source_name` names the text in messages (usually the file path).
/// Throws ConfigError "SOURCE:LINE:COLUMN: reason" on a syntax error.
toml::table parse_config(std::string_view text, std::string_view source_name);

/// Reads and parses a file; messages name the path as given. Throws ConfigError on a syntax
/// error ("PATH:LINE:COLUMN: reason") or when the file cannot be read ("PATH: reason").
toml::table parse_config_file(const std::filesystem::path& path);

/// Looks up an environment variable; injectable so tests need not touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// std::getenv, as an EnvLookup.
std::optional<std::string> system_env(const std::string& name);

/// Name of the variable that overrides a dotted key: "database.password" ->
/// "PRINTMON_DATABASE_PASSWORD" (upper case; '.', '-' and '[i]' become '_').
std::string env_override_name(std::string_view dotted_key);

/// Reads one TOML table into typed values, remembering which keys were read so that finish()
/// can reject the rest as unknown. Sub-readers (table(), tables()) share that record.
/// The reader refers to the parsed table: keep the table alive while reading.
class ConfigReader {
  public:
    /// Reader of a whole document. `source_name` prefixes every message.
    ConfigReader(const toml::table& root, std::string source_name, EnvLookup env = system_env);

    /// Value of a key that must be present. T: bool, std::string, double, an integral type
    /// (range-checked), or std::vector of those.
    template <class T>
    T required(std::string_view key) const;

    /// Value of a key, or nullopt when absent (present with the wrong type is an error).
    template <class T>
    std::optional<T> optional(std::string_view key) const;

    /// Value of a key, or `fallback` when absent.
    template <class T>
    T get_or(std::string_view key, T fallback) const {
        auto value = optional<T>(key);
        return value ? std::move(*value) : std::move(fallback);
    }

    /// A secret string: the environment variable env_override_name(path) wins over the file,
    /// so secrets need not be written into config files.
    std::string required_secret(std::string_view key) const;
    std::optional<std::string> optional_secret(std::string_view key) const;

    /// Reader of a sub-table; an absent table reads as empty (so its keys fall back to defaults).
    ConfigReader table(std::string_view key) const;
    /// Reader of a sub-table, or nullopt when absent.
    std::optional<ConfigReader> optional_table(std::string_view key) const;
    /// Readers of an array of tables ([[key]]); empty when absent.
    std::vector<ConfigReader> tables(std::string_view key) const;

    /// Whether the key is present (does not count as reading it).
    bool contains(std::string_view key) const;

    /// Throws ConfigError for a value that has the right type but is invalid, located at the
    /// key's value: "SOURCE:LINE:COLUMN: 'polling.interval_ms' <message>".
    [[noreturn]] void fail(std::string_view key, std::string_view message) const;

    /// Throws ConfigError for the first key (in file order) of the whole document that no reader
    /// has read: "SOURCE:LINE:COLUMN: unknown key 'polling.intervall'". Call once on the root
    /// reader after reading everything.
    void finish() const;

    /// Dotted path of a key of this table, e.g. "polling.interval_ms", for messages.
    std::string path_of(std::string_view key) const;

    /// Name given to the document in messages.
    const std::string& source_name() const;

  private:
    struct State;
    ConfigReader(std::shared_ptr<State> state, const toml::table& table, std::string path);

    // Marks the key as read and returns its node, or nullptr when absent.
    const toml::node* lookup(std::string_view key) const;
    [[noreturn]] void type_error(std::string_view key, const toml::node& node,
                                 std::string_view expected) const;
    [[noreturn]] void missing(std::string_view key) const;
    // "SOURCE:LINE:COLUMN" of this table's header, or "SOURCE" for the root.
    std::string table_location() const;
    [[noreturn]] void out_of_range(std::string_view key, const toml::node& node,
                                   std::int64_t value) const;

    template <class T>
    T convert(std::string_view key, const toml::node& node) const;

    std::shared_ptr<State> state_;
    const toml::table* table_;
    std::string path_;  // dotted path of this table, "" for the root
};

namespace detail {
template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {
    using Element = T;
};
}  // namespace detail

template <class T>
T ConfigReader::convert(std::string_view key, const toml::node& node) const {
    if constexpr (std::is_same_v<T, bool>) {
        if (const auto* v = node.as_boolean()) return v->get();
        type_error(key, node, "a boolean");
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (const auto* v = node.as_string()) return v->get();
        type_error(key, node, "a string");
    } else if constexpr (std::is_same_v<T, double>) {
        if (const auto* v = node.as_floating_point()) return v->get();
        // An integer where a float is expected is what the user meant ("timeout = 2").
        if (const auto* v = node.as_integer()) return static_cast<double>(v->get());
        type_error(key, node, "a number");
    } else if constexpr (std::is_integral_v<T>) {
        if (const auto* v = node.as_integer()) {
            const std::int64_t raw = v->get();
            if (!std::in_range<T>(raw)) out_of_range(key, node, raw);
            return static_cast<T>(raw);
        }
        type_error(key, node, "an integer");
    } else if constexpr (detail::IsVector<T>::value) {
        const auto* array = node.as_array();
        if (array == nullptr) type_error(key, node, "an array");
        T out;
        out.reserve(array->size());
        std::size_t index = 0;
        for (const auto& element : *array) {
            const std::string element_key = std::string(key) + "[" + std::to_string(index++) + "]";
            out.push_back(convert<typename detail::IsVector<T>::Element>(element_key, element));
        }
        return out;
    } else {
        static_assert(sizeof(T) == 0, "unsupported config value type");
    }
}

template <class T>
T ConfigReader::required(std::string_view key) const {
    const toml::node* node = lookup(key);
    if (node == nullptr) missing(key);
    return convert<T>(key, *node);
}

template <class T>
std::optional<T> ConfigReader::optional(std::string_view key) const {
    const toml::node* node = lookup(key);
    if (node == nullptr) return std::nullopt;
    return convert<T>(key, *node);
}

}  // namespace printmon::common
