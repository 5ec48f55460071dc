#pragma once
// PostgreSQL array literals for bound parameters. libpqxx 6.4 cannot bind a container, and one
// statement over `unnest($n::text[], ...)` replaces a round trip per row.

#include <string>
#include <vector>

namespace printmon::db {

/// The text form of a one-dimensional array of non-NULL strings ('{"a","b\\"c"}'). Every
/// element is double-quoted with '"' and '\\' escaped, so any text (commas, braces, spaces,
/// the word NULL) round-trips. Bind it as a parameter and cast it in SQL ($1::text[]).
std::string array_literal(const std::vector<std::string>& items);

}  // namespace printmon::db
