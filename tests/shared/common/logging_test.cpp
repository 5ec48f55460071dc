#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <stdexcept>

#include <spdlog/sinks/ostream_sink.h>

#include "printmon/common/logging.hpp"

using printmon::common::log_value;
using printmon::common::parse_log_level;

TEST_CASE("log levels parse from config/CLI text", "[logging]") {
    CHECK(parse_log_level("debug") == spdlog::level::debug);
    CHECK(parse_log_level("warning") == spdlog::level::warn);
    CHECK(parse_log_level("off") == spdlog::level::off);
    CHECK_THROWS_WITH(parse_log_level("verbose"),
                      Catch::Contains("invalid log level 'verbose'") && Catch::Contains("trace"));
}

TEST_CASE("log values are quoted only when they would break key=value parsing", "[logging]") {
    CHECK(log_value("10.0.0.5") == "10.0.0.5");
    CHECK(log_value("") == "\"\"");
    CHECK(log_value("no route") == "\"no route\"");
    CHECK(log_value("a=b") == "\"a=b\"");
    CHECK(log_value("say \"hi\"\n") == "\"say \\\"hi\\\"\\n\"");
}

TEST_CASE("named loggers share the default logger's sink and format", "[logging]") {
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("printmon", sink));
    spdlog::set_pattern("level=%l logger=%n %v");
    spdlog::set_level(spdlog::level::info);

    auto logger = printmon::common::get_logger("test.named");
    CHECK(logger == printmon::common::get_logger("test.named"));  // one per name
    logger->info("event=printer_offline host={}", log_value("10.0.0.5"));
    logger->debug("event=hidden");
    CHECK(out.str() == "level=info logger=test.named event=printer_offline host=10.0.0.5\n");

    spdlog::drop("test.named");
    spdlog::set_default_logger(previous);
}
