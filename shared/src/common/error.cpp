#include "printmon/common/error.hpp"

namespace printmon::common {

std::string_view to_string(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "invalid_argument";
        case ErrorCode::kNotFound:
            return "not_found";
        case ErrorCode::kTimeout:
            return "timeout";
        case ErrorCode::kUnavailable:
            return "unavailable";
        case ErrorCode::kConflict:
            return "conflict";
        case ErrorCode::kInternal:
            return "internal";
    }
    return "internal";
}

std::string describe(const Error& error) {
    return fmt::format("{}: {}", to_string(error.code), error.message);
}

}  // namespace printmon::common
