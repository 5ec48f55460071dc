// Routing, URL decoding and the JSON error mapping (no sockets).
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "printmon/net/router.hpp"

using printmon::net::error_response;
using printmon::net::HttpError;
using printmon::net::Request;
using printmon::net::Response;
using printmon::net::RouteInfo;
using printmon::net::RouteMatch;
using printmon::net::Router;

namespace {

Request make_request(std::string method, std::string target) {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    return r;
}

Response echo_params(Request& r) {
    std::string body;
    for (const auto& [k, v] : r.params) body += k + "=" + v + ";";
    for (const auto& [k, v] : r.query) body += "q." + k + "=" + v + ";";
    return Response::text(body);
}

}  // namespace

TEST_CASE("percent_decode and parse_query", "[net][router]") {
    using printmon::net::parse_query;
    using printmon::net::percent_decode;
    CHECK(percent_decode("a%20b%2Fc", false) == "a b/c");
    CHECK(percent_decode("a+b", false) == "a+b");
    CHECK(percent_decode("a+b", true) == "a b");
    CHECK(percent_decode("%e2%82%AC", false) == "\xE2\x82\xAC");
    CHECK_FALSE(percent_decode("%4", false));
    CHECK_FALSE(percent_decode("%zz", false));
    CHECK_FALSE(percent_decode("abc%", false));

    const auto q = parse_query("name=J%C3%BCrgen+M&flag&empty=&dup=1&dup=2&&x%3Dy=%26");
    REQUIRE(q);
    CHECK(q->at("name") == "J\xC3\xBCrgen M");
    CHECK(q->at("flag").empty());
    CHECK(q->at("empty").empty());
    CHECK(q->at("dup") == "1");
    CHECK(q->at("x=y") == "&");
    CHECK(q->size() == 5);
    CHECK_FALSE(parse_query("a=%G1"));
    CHECK(printmon::net::percent_encode("a b/ü~") == "a%20b%2F%C3%BC~");
}

TEST_CASE("routes match with parameters; literals beat parameters", "[net][router]") {
    Router router;
    router.get("/api/v1/devices/{id}", echo_params);
    router.get("/api/v1/devices/new", [](Request&) { return Response::text("new"); });
    router.get("/api/v1/devices/{id}/counters/{name}", echo_params);
    router.get("/", [](Request&) { return Response::text("root"); });

    auto r1 = make_request("GET", "/api/v1/devices/printer%2042?from=2024-01-01T00%3A00%3A00Z");
    Response resp = router.handle(r1);
    CHECK(resp.status == 200);
    CHECK(resp.body == "id=printer 42;q.from=2024-01-01T00:00:00Z;");
    CHECK(r1.route_pattern == "/api/v1/devices/{id}");
    CHECK(r1.query_param("from") == "2024-01-01T00:00:00Z");

    auto r2 = make_request("GET", "/api/v1/devices/new");
    CHECK(router.handle(r2).body == "new");

    auto r3 = make_request("GET", "/api/v1/devices/7/counters/total");
    CHECK(router.handle(r3).body == "id=7;name=total;");

    auto r4 = make_request("GET", "/");
    CHECK(router.handle(r4).body == "root");

    // An empty segment does not bind a parameter; a trailing slash is a different path.
    CHECK(router.match("GET", "/api/v1/devices/").kind == RouteMatch::Kind::kNotFound);
    CHECK(router.match("GET", "/api/v1/devices/7/").kind == RouteMatch::Kind::kNotFound);
    CHECK(router.match("GET", "/api/v1/devices/%zz").kind == RouteMatch::Kind::kBadPath);
}

TEST_CASE("404, 405 and 400 are JSON errors", "[net][router]") {
    Router router;
    router.get("/items/{id}", echo_params);
    router.put("/items/{id}", echo_params);

    auto missing = make_request("GET", "/nothing/here");
    Response r404 = router.handle(missing);
    CHECK(r404.status == 404);
    CHECK(r404.headers.at("content-type") == "application/json");
    CHECK(r404.body == R"({"error":{"code":"not_found","message":"no such resource"}})");

    auto wrong = make_request("POST", "/items/3");
    Response r405 = router.handle(wrong);
    CHECK(r405.status == 405);
    CHECK(r405.headers.at("Allow") == "GET, PUT");
    CHECK(r405.body.find(R"("code":"method_not_allowed")") != std::string::npos);

    auto bad_query = make_request("GET", "/items/3?x=%Q");
    CHECK(router.handle(bad_query).status == 400);
    auto bad_path = make_request("GET", "/items/%");
    CHECK(router.handle(bad_path).status == 400);
}

TEST_CASE("HttpError becomes its JSON body; other exceptions a 500 without details",
          "[net][router]") {
    Router router;
    router.get("/conflict", [](Request&) -> Response {
        throw HttpError(409, "duplicate_device", "serial \"X1\" already registered");
    });
    router.get("/boom", [](Request&) -> Response {
        throw std::runtime_error("password=hunter2 connection refused");
    });
    router.get("/int", [](Request&) -> Response { throw 42; });

    auto r1 = make_request("GET", "/conflict");
    const Response conflict = router.handle(r1);
    CHECK(conflict.status == 409);
    CHECK(conflict.body ==
          R"({"error":{"code":"duplicate_device","message":"serial \"X1\" already registered"}})");

    for (const char* target : {"/boom", "/int"}) {
        auto r = make_request("GET", target);
        const Response boom = router.handle(r);
        CHECK(boom.status == 500);
        CHECK(boom.body.find("hunter2") == std::string::npos);
        CHECK(boom.body.find(R"("code":"internal")") != std::string::npos);
        CHECK(boom.body.find(R"("correlation_id":")") != std::string::npos);
    }
}

TEST_CASE("before-hook authenticates and passes context to the handler", "[net][router]") {
    Router router;
    router.get("/health", [](Request&) { return Response::text("ok"); },
               {.run_inline = true, .tag = "public"});
    router.get("/me",
               [](Request& r) { return Response::text(std::any_cast<std::string>(r.context)); });
    router.before([](Request& r, const RouteInfo& route) {
        if (route.options.tag == "public") return;
        const auto token = r.header("AUTHORIZATION");
        if (!token || *token != "Bearer good") {
            throw HttpError(401, "unauthorized", "missing or bad token");
        }
        r.context = std::string("tenant-1");
    });

    auto health = make_request("GET", "/health");
    CHECK(router.handle(health).status == 200);

    auto anonymous = make_request("GET", "/me");
    const Response denied = router.handle(anonymous);
    CHECK(denied.status == 401);
    CHECK(denied.body.find("unauthorized") != std::string::npos);

    auto authed = make_request("GET", "/me");
    authed.headers.emplace("authorization", "Bearer good");
    const Response ok = router.handle(authed);
    CHECK(ok.status == 200);
    CHECK(ok.body == "tenant-1");
}

TEST_CASE("routes() lists registrations; bad registrations throw", "[net][router]") {
    Router router;
    router.get("/a", echo_params);
    printmon::net::RouteOptions upload;
    upload.max_body_bytes = 10;
    upload.accept_gzip = true;
    router.post("/a", echo_params, upload);
    router.del("/b/{id}", echo_params);
    const auto routes = router.routes();
    REQUIRE(routes.size() == 3);
    CHECK(routes[0].method == "GET");
    CHECK(routes[1].method == "POST");
    CHECK(routes[1].options.accept_gzip);
    CHECK(routes[1].options.max_body_bytes == 10);
    CHECK(routes[2].method == "DELETE");
    CHECK(routes[2].pattern == "/b/{id}");

    CHECK_THROWS_AS(router.get("/a", echo_params), std::invalid_argument);
    CHECK_THROWS_AS(router.get("no-slash", echo_params), std::invalid_argument);
    CHECK_THROWS_AS(router.get("/x/{}", echo_params), std::invalid_argument);
    CHECK_THROWS_AS(router.get("/x/{id}/{id}", echo_params), std::invalid_argument);
    CHECK_THROWS_AS(router.get("/x/a{id}", echo_params), std::invalid_argument);
    CHECK_THROWS_AS(router.add("GE T", "/y", echo_params), std::invalid_argument);
}

TEST_CASE("headers are case-insensitive; error_response escapes", "[net][router]") {
    printmon::net::Headers headers;
    headers.emplace("Content-Type", "text/plain");
    CHECK(headers.count("content-type") == 1);
    CHECK(headers.count("CONTENT-TYPE") == 1);
    CHECK_FALSE(headers.emplace("content-TYPE", "x").second);

    const Response r = error_response(422, "bad\nline", "tab\there \\ \"q\"", "abc");
    CHECK(r.status == 422);
    CHECK(
        r.body ==
        R"({"error":{"code":"bad\nline","message":"tab\there \\ \"q\"","correlation_id":"abc"}})");
}

TEST_CASE("media_type is the type alone, for an exact comparison", "[net][router]") {
    CHECK(printmon::net::media_type("application/json") == "application/json");
    CHECK(printmon::net::media_type(" Application/JSON ; charset=utf-8") == "application/json");
    CHECK(printmon::net::media_type("text/plain;charset=application/json") == "text/plain");
    CHECK(printmon::net::media_type("") == "");
}

TEST_CASE("default headers go on every answer the router makes", "[net][router]") {
    printmon::net::Router router;
    router.get("/x", [](printmon::net::Request&) { return printmon::net::Response::text("x"); });
    router.get("/own", [](printmon::net::Request&) {
        auto r = printmon::net::Response::text("x");
        r.headers["X-Frame-Options"] = "SAMEORIGIN";
        return r;
    });
    router.get("/fail", [](printmon::net::Request&) -> printmon::net::Response {
        throw std::runtime_error("boom");
    });
    router.default_headers({{"X-Frame-Options", "DENY"}});
    for (const auto& [target, status] : std::vector<std::pair<std::string, unsigned>>{
             {"/x", 200}, {"/nope", 404}, {"/fail", 500}, {"/x?%zz", 400}}) {
        printmon::net::Request request;
        request.method = "GET";
        request.target = target;
        const auto r = router.handle(request);
        CHECK(r.status == status);
        CHECK(r.headers.at("X-Frame-Options") == "DENY");
    }
    printmon::net::Request own;
    own.method = "GET";
    own.target = "/own";
    CHECK(router.handle(own).headers.at("X-Frame-Options") == "SAMEORIGIN");
}
