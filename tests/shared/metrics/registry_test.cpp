// The Prometheus text exposition format as printmon::metrics writes it: escaping, histogram
// series, names, listen addresses. Pure unit tests (no I/O except the /proc reads of the
// process metrics, which are the point of those).

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "printmon/metrics/registry.hpp"

using namespace printmon::metrics;

namespace {

bool has_line(const std::string& text, const std::string& line) {
    return text.find(line + "\n") != std::string::npos &&
           (text.rfind(line + "\n", 0) == 0 || text.find("\n" + line + "\n") != std::string::npos);
}

}  // namespace

TEST_CASE("label values escape backslash, double quote and line feed") {
    CHECK(escape_label_value(R"(a\b)") == R"(a\\b)");
    CHECK(escape_label_value(R"(say "hi")") == R"(say \"hi\")");
    CHECK(escape_label_value("two\nlines") == R"(two\nlines)");
    CHECK(escape_label_value("tab\tstays") == "tab\tstays");
    CHECK(escape_help("back\\slash \"quotes\"\nnext") == "back\\\\slash \"quotes\"\\nnext");

    Registry r;
    auto& c = r.counter_family("odd_total", "Odd labels.", {"name"});
    c.with({"C:\\dir \"x\"\n"}).inc(3);
    CHECK(has_line(r.render(), R"(odd_total{name="C:\\dir \"x\"\n"} 3)"));
}

TEST_CASE("counters and gauges render HELP, TYPE and samples") {
    Registry r;
    r.counter("jobs_total", "Jobs done.\nSecond line.").inc(2);
    auto& g = r.gauge_family("depth", "Queue depth.", {"queue", "shard"});
    g.with({"db", "1"}).set(7.5);
    g.with({"db", "2"}).add(-1);
    const auto text = r.render();
    CHECK(has_line(text, "# HELP jobs_total Jobs done.\\nSecond line."));
    CHECK(has_line(text, "# TYPE jobs_total counter"));
    CHECK(has_line(text, "jobs_total 2"));
    CHECK(has_line(text, "# TYPE depth gauge"));
    CHECK(has_line(text, R"(depth{queue="db",shard="1"} 7.5)"));
    CHECK(has_line(text, R"(depth{queue="db",shard="2"} -1)"));
    // Families in registration order.
    CHECK(text.find("jobs_total") < text.find("depth"));
}

TEST_CASE("a histogram writes cumulative _bucket series up to le=\"+Inf\", _sum and _count") {
    Registry r;
    auto& h = r.histogram_family("latency_seconds", "Latency.", {0.1, 1, 2.5}, {"route"});
    auto& api = h.with({"api"});
    for (const double v : {0.05, 0.1, 0.5, 2.0, 100.0}) api.observe(v);
    const auto text = r.render();
    CHECK(has_line(text, "# TYPE latency_seconds histogram"));
    // le is "less than or equal": 0.1 falls into the 0.1 bucket.
    CHECK(has_line(text, R"(latency_seconds_bucket{route="api",le="0.1"} 2)"));
    CHECK(has_line(text, R"(latency_seconds_bucket{route="api",le="1"} 3)"));
    CHECK(has_line(text, R"(latency_seconds_bucket{route="api",le="2.5"} 4)"));
    CHECK(has_line(text, R"(latency_seconds_bucket{route="api",le="+Inf"} 5)"));
    CHECK(has_line(text, R"(latency_seconds_sum{route="api"} 102.65)"));
    CHECK(has_line(text, R"(latency_seconds_count{route="api"} 5)"));

    Registry plain;
    plain.histogram("h", "No labels.", {1}).observe(3);
    const auto t2 = plain.render();
    CHECK(has_line(t2, R"(h_bucket{le="1"} 0)"));
    CHECK(has_line(t2, R"(h_bucket{le="+Inf"} 1)"));
    CHECK(has_line(t2, "h_count 1"));
}

TEST_CASE("histogram counts stay consistent under concurrent observers") {
    Histogram h({1, 2});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&h] {
            for (int i = 0; i < 10'000; ++i) h.observe(i % 3 == 0 ? 0.5 : 1.5);
        });
    }
    for (auto& t : threads) t.join();
    const auto s = h.snapshot();
    CHECK(s.count == 40'000);
    CHECK(s.counts.back() == s.count);
    CHECK(s.counts[0] == 4 * 3334);
    CHECK(s.counts[1] == 40'000);
}

TEST_CASE("special values are written as the format spells them") {
    CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
    CHECK(format_value(std::nan("")) == "NaN");
    CHECK(format_value(0.25) == "0.25");
    CHECK(format_value(1e21) == "1e+21");
}

TEST_CASE("invalid names, duplicate registrations and bad buckets are refused") {
    Registry r;
    CHECK_THROWS_AS(r.counter("1abc", "x"), std::invalid_argument);
    CHECK_THROWS_AS(r.counter("a-b", "x"), std::invalid_argument);
    CHECK_THROWS_AS(r.counter_family("ok_total", "x", {"__reserved"}), std::invalid_argument);
    CHECK_THROWS_AS(r.histogram_family("h", "x", {1}, {"le"}), std::invalid_argument);
    CHECK_THROWS_AS(r.histogram("h2", "x", {2, 1}), std::invalid_argument);
    r.counter("dup_total", "x");
    CHECK_THROWS_AS(r.gauge("dup_total", "x"), std::invalid_argument);
    auto& f = r.counter_family("two_total", "x", {"a", "b"});
    CHECK_THROWS_AS(f.with({"only one"}), std::invalid_argument);
    CHECK(valid_metric_name("printmon:ingest_rate"));
    CHECK(valid_label_name("route_class"));
}

TEST_CASE("callback families are computed at render time; a throwing one is left out") {
    Registry r;
    double depth = 3;
    r.callback("queue_depth", "Depth.", Type::kGauge, {"queue"}, [&depth] {
        return std::vector<Sample>{{{"db"}, depth}};
    });
    r.callback("broken", "Throws.", Type::kGauge, {},
               []() -> std::vector<Sample> { throw std::runtime_error("no /proc"); });
    CHECK(has_line(r.render(), R"(queue_depth{queue="db"} 3)"));
    depth = 4;
    const auto text = r.render();
    CHECK(has_line(text, R"(queue_depth{queue="db"} 4)"));
    CHECK(has_line(text, "# TYPE broken gauge"));
    CHECK(text.find("\nbroken ") == std::string::npos);
}

TEST_CASE("removed children disappear from the output") {
    Registry r;
    auto& f = r.counter_family("timeouts_total", "x", {"device_id"});
    f.with({"a"}).inc();
    f.with({"b"}).inc();
    f.remove({"a"});
    const auto text = r.render();
    CHECK_FALSE(has_line(text, R"(timeouts_total{device_id="a"} 1)"));
    CHECK(has_line(text, R"(timeouts_total{device_id="b"} 1)"));
}

TEST_CASE("process metrics read /proc/self") {
    Registry r;
    register_process_metrics(r);
    const auto text = r.render();
    for (const char* name : {"process_resident_memory_bytes", "process_open_fds", "process_threads",
                             "process_start_time_seconds", "process_cpu_seconds_total"}) {
        INFO(name);
        const auto at = text.find(std::string("\n") + name + " ");
        REQUIRE(at != std::string::npos);
        const double v = std::stod(text.substr(at + std::string(name).size() + 2));
        CHECK(v >= 0);
        if (std::string(name) != "process_cpu_seconds_total") CHECK(v > 0);
    }
}

TEST_CASE("listen addresses: HOST:PORT, [IPv6]:PORT, empty is off") {
    CHECK_FALSE(parse_listen("").has_value());
    const auto v4 = parse_listen("127.0.0.1:9464");
    REQUIRE(v4);
    CHECK(v4->host == "127.0.0.1");
    CHECK(v4->port == 9464);
    const auto v6 = parse_listen("[::1]:9465");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == 9465);
    for (const char* bad : {"9464", ":9464", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000",
                            "127.0.0.1:94a", "::1:9464", "[::1:9464"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_listen(bad), std::invalid_argument);
    }
}
