#pragma once
// The routers the HTTP target answers with, built once per process (http_*.cpp: each program's
// private headers stay in its own file).

#include "printmon/net/router.hpp"

namespace printmon::fuzz {

/// The scanner web app's router over a database that is never there: routing, the
/// authentication hook, cookies, bodies and static pages run; what needs the database fails
/// as it does during an outage.
const net::Router& scanner_router();

/// The cloud's routes that need no database: /healthz and the console.
const net::Router& cloud_router();

/// Logging off: the routers log every 500, which would swamp the fuzzer's output.
void quiet_logs();

}  // namespace printmon::fuzz
