#include <memory>

#include "http_target.hpp"
#include "polling/service.hpp"
#include "printmon/common/clock.hpp"
#include "printmon/common/logging.hpp"
#include "profiles/profile.hpp"
#include "web/web_app.hpp"
#include "web/web_store.hpp"

namespace printmon::fuzz {

void quiet_logs() {
    static const bool kDone = [] {
        common::setup_logging(spdlog::level::off);
        return true;
    }();
    (void)kDone;
}

const net::Router& scanner_router() {
    quiet_logs();
    // A Unix socket path that cannot exist: every connection attempt fails at once, locally.
    static const std::string kConninfo =
        "host=/nonexistent/printmon-fuzz dbname=printmon connect_timeout=1";
    static common::SystemClock clock;
    static scanner::Service service(
        [] {
            scanner::ServiceOptions o;
            o.conninfo = kConninfo;
            return o;
        }(),
        clock, scanner::ProfileSet::embedded());
    static scanner::web::WebStorePool pool(kConninfo, 1);
    static scanner::web::WebApp app(scanner::web::WebOptions{}, pool, service, clock);
    static const net::Router router = app.router();
    return router;
}

}  // namespace printmon::fuzz
