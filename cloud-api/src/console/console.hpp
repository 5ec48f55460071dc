#pragma once
// The cloud console's static side: `/` (index.html) and `/console/{file}`, served from the
// embedded files with a strict Content-Security-Policy, ETags and gzip. Everything the pages
// show comes from /api/v1 (cookie session + CSRF header), so every page is also scriptable.

#include <string>

#include "printmon/net/router.hpp"

namespace printmon::cloud::console {

/// Security headers of every console answer (pages, files, and the API's JSON to the pages).
void security_headers(net::Response& response);

/// Content-Type of an embedded file by its extension.
std::string content_type_of(std::string_view name);

/// Registers GET / and GET /console/{file} (public: the files hold no tenant data).
void register_console_routes(net::Router& router);

}  // namespace printmon::cloud::console
