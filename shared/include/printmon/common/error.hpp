#pragma once
// Expected failures as values: a small Error type for tl::expected (STYLE.md §3).

#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <tl/expected.hpp>

namespace printmon::common {

/// What kind of expected failure happened; callers branch on this, humans read the message.
enum class ErrorCode {
    kInvalidArgument,  // input failed validation (config value, payload field)
    kNotFound,         // the thing asked for does not exist
    kTimeout,          // a deadline passed (SNMP, HTTP)
    kUnavailable,      // the peer could not be reached; retrying later may work
    kConflict,         // the request contradicts existing state
    kInternal,         // a bug or an unexpected state: log it with context
};

/// Stable snake_case name of a code, for logs (`code=timeout`) and JSON error bodies.
std::string_view to_string(ErrorCode code) noexcept;

/// An expected failure: a machine-readable code plus a human-readable message.
struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;

    friend bool operator==(const Error&, const Error&) = default;
};

/// Result of an operation whose failure is an expected outcome.
template <class T>
using Result = tl::expected<T, Error>;

/// `return make_error(ErrorCode::kTimeout, "host={} after {}ms", host, ms);`
template <class... Args>
tl::unexpected<Error> make_error(ErrorCode code, fmt::format_string<Args...> format,
                                 Args&&... args) {
    return tl::unexpected<Error>(Error{code, fmt::format(format, std::forward<Args>(args)...)});
}

/// "code: message", for logs and exception texts.
std::string describe(const Error& error);

}  // namespace printmon::common
