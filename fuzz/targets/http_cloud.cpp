#include "console/console.hpp"
#include "http_target.hpp"

namespace printmon::fuzz {

const net::Router& cloud_router() {
    quiet_logs();
    static const net::Router router = [] {
        net::Router r;
        net::RouteOptions health;
        health.run_inline = true;
        r.get(
            "/healthz", [](net::Request&) { return net::Response::json(R"({"status":"ok"})"); },
            health);
        cloud::console::register_console_routes(r);
        return r;
    }();
    return router;
}

}  // namespace printmon::fuzz
