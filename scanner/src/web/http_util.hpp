#pragma once
// HTTP details of the web UI: cookies, security headers, redirects, Host names, media types.

#include <optional>
#include <string>
#include <string_view>

#include "printmon/net/router.hpp"

namespace printmon::scanner::web {

/// The headers every answer carries (pages, API, errors).
net::Headers security_header_set();
void security_headers(net::Response& r);

/// 303 to `location`, not cached.
net::Response redirect(const std::string& location);

/// A method that may change state (anything but GET, HEAD, OPTIONS).
bool is_unsafe(const std::string& method);

/// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);
/// The name in a Host header, lower case, without the port or an IPv6 literal's brackets:
/// "Scanner:8080" -> "scanner", "[::1]:8080" -> "::1".
std::string host_name(std::string_view host);

/// An IPv4 or IPv6 address literal (cannot be rebound by DNS).
bool is_ip_literal(const std::string& name);

/// The query parameter `name` as a whole number in [lo, hi] (digits only, at most 9); nullopt
/// when absent; HttpError 400 invalid_query "name must be lo..hi" otherwise.
std::optional<long long> query_int(const net::Request& request, const char* name, long long lo,
                                   long long hi);

/// Content-Type of an embedded asset, by its file extension.
std::string content_type_of(std::string_view name);

}  // namespace printmon::scanner::web
