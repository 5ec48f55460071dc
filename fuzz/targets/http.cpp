// The HTTP request parser and the routers, in process and without sockets: the bytes a client
// sends are parsed by Beast's request parser with the server's limits, turned into a Request
// the way net::Server does (headers joined, path and query split and decoded, gzip inflated
// for routes that accept it), then answered by the scanner web app's router and the cloud's
// (console, health) router. Routers promise to never throw and to answer with a real status.

#include <limits>

#include "http_target.hpp"
#include "printmon/net/asio.hpp"
#include "printmon/net/gzip.hpp"
#include "support.hpp"

namespace printmon::fuzz {
namespace {

namespace beast = net::beast;
namespace http = net::http;

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && beast::iequals(beast::string_view(a.data(), a.size()),
                                                  beast::string_view(b.data(), b.size()));
}

/// What net::Server does between routing and the handler (decode_body).
std::optional<net::Response> decode_body(const net::RouteInfo& route, net::Request& request) {
    const auto encoding = request.header("Content-Encoding");
    if (!encoding || encoding->empty() || iequals(*encoding, "identity")) return std::nullopt;
    if (!iequals(*encoding, "gzip") || !route.options.accept_gzip)
        return net::error_response(415, "unsupported_encoding", "not accepted here");
    auto inflated = net::gzip_decompress(request.body, route.options.max_inflated_bytes);
    if (!inflated) return net::error_response(400, "bad_encoding", "body is not valid gzip");
    request.body = std::move(*inflated);
    request.headers.erase("Content-Encoding");
    request.headers.erase("Content-Length");
    return std::nullopt;
}

void answer(const char* which, const net::Router& router, net::Request request) {
    net::Response response;
    try {
        const auto match = router.match(request.method, request.path);
        // The server's order for a found route: headers' authorization, the body cap (413
        // before the handler), the body's decoding; anything else is the router's answer.
        bool answered = false;
        if (match.kind == net::RouteMatch::Kind::kFound) {
            if (auto refused = router.authorize_headers(match, request)) {
                response = std::move(*refused);
                answered = true;
            } else if (request.body.size() > match.route->options.max_body_bytes) {
                return;
            } else if (auto bad = decode_body(*match.route, request)) {
                response = std::move(*bad);
                answered = true;
            }
        }
        if (!answered) response = router.invoke(match, request);
    } catch (const std::exception& e) {
        fail("http", std::string(which) + " router threw: " + e.what());
    }
    if (response.status < 100 || response.status > 599)
        fail("http", std::string(which) + " answered status " + std::to_string(response.status));
}

}  // namespace

int fuzz_http(const std::uint8_t* data, std::size_t size) {
    http::request_parser<http::string_body> parser;
    parser.eager(true);
    parser.header_limit(16 * 1024);  // ServerOptions::max_header_bytes
    parser.body_limit(std::size_t{1} << 20);
    boost::system::error_code ec;
    // Fed in two parts, as a socket may deliver it: the split point is the first byte. This is
    // what http::async_read does with its flat_buffer: consume what put() used, present the
    // rest again followed by the next read's bytes. Dropping the rest, or presenting used
    // bytes again, trips the parser's asserts on a chunk header split across reads.
    const std::size_t split = size == 0 ? 0 : data[0] % size;
    const std::string_view whole(reinterpret_cast<const char*>(data), size);
    std::string pending;
    for (const std::string_view part : {whole.substr(0, split), whole.substr(split)}) {
        pending.append(part);
        while (!pending.empty() && !parser.is_done()) {
            const std::size_t n =
                parser.put(boost::asio::buffer(pending.data(), pending.size()), ec);
            // A put() that parsed the header and then ran out in the body says need_more
            // *and* consumed bytes; they are gone from the buffer either way.
            pending.erase(0, n);
            if (ec == http::error::need_more) {
                ec = {};
                break;
            }
            if (ec) return 0;  // the server answers 400/431 and closes
            if (n == 0) break;
        }
        if (parser.is_done()) break;
    }
    if (!parser.is_header_done()) return 0;
    if (!parser.is_done()) parser.put_eof(ec);
    if (ec) return 0;

    const auto& fields = parser.get();
    net::Request request;
    request.method = std::string(sv(fields.method_string()));
    request.target = std::string(sv(fields.target()));
    request.remote_address = "127.0.0.1";
    request.remote_port = 40000;
    for (const auto& field : fields) {
        auto [it, inserted] = request.headers.emplace(std::string(sv(field.name_string())),
                                                      std::string(sv(field.value())));
        if (!inserted) it->second.append(", ").append(sv(field.value()));
    }
    request.body = parser.get().body();
    const auto question = request.target.find('?');
    request.path = request.target.substr(0, question);
    if (question != std::string::npos) {
        auto query = net::parse_query(std::string_view(request.target).substr(question + 1));
        if (!query) return 0;  // 400 malformed query string
        request.query = std::move(*query);
    }
    answer("scanner", scanner_router(), request);
    answer("cloud", cloud_router(), std::move(request));
    return 0;
}

}  // namespace printmon::fuzz
