// The HTTP request parser and the routers, in process and without sockets: the bytes a client
// sends are parsed by Beast's request parser with the server's limits, turned into a Request
// the way net::Server does (headers joined, path and query split and decoded, gzip inflated
// for routes that accept it), then answered by the scanner web app's router and the cloud's
// (console, health) router. Routers promise to never throw and to answer with a real status.
// An input that starts with a PROXY protocol header has it parsed first, as from a trusted
// balancer, and the request after it comes from the client it names.

#include <limits>
#include <optional>

#include "http_target.hpp"
#include "printmon/net/asio.hpp"
#include "printmon/net/gzip.hpp"
#include "printmon/net/proxy_protocol.hpp"
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

// A trusted balancer's PROXY protocol header (net::Server reads it before the request): the
// parser's promises, checked on every input. Returns the header when the input starts with a
// complete one.
std::optional<net::ProxyHeader> proxy_header(std::string_view bytes) {
    using Status = net::ProxyParse::Status;
    const auto whole = net::parse_proxy_header(bytes);
    // The server reads exactly `need` more bytes each time: that must reach the same answer
    // as parsing everything at once, and never read past a header.
    std::size_t read = 0;
    auto step = net::parse_proxy_header(bytes.substr(0, read));
    while (step.status == Status::incomplete && read + step.need <= bytes.size()) {
        if (step.need == 0) fail("http", "PROXY parser asked for 0 more bytes");
        read += step.need;
        step = net::parse_proxy_header(bytes.substr(0, read));
    }
    // Out of input before deciding is fine unless everything at once found a header (a
    // header is never complete before the parser has asked for all of it).
    if (step.status == Status::incomplete ? whole.status == Status::complete
                                          : step.status != whole.status) {
        fail("http", "PROXY parse differs read in steps");
    }
    if (whole.status == Status::incomplete && whole.need == 0) fail("http", "PROXY need 0");
    if (whole.status != Status::complete) return std::nullopt;
    const auto& h = whole.header;
    if (h.length == 0 || h.length > bytes.size() || h.length > net::kMaxProxyHeaderBytes)
        fail("http", "PROXY header length " + std::to_string(h.length));
    if (read != h.length) fail("http", "PROXY header read past its end in steps");
    if (step.header.source != h.source || step.header.source_port != h.source_port)
        fail("http", "PROXY source differs read in steps");
    if (h.source.size() > 45) fail("http", "PROXY source is no address: " + h.source);
    return h;
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
    std::string_view whole(reinterpret_cast<const char*>(data), size);
    std::string client = "127.0.0.1";
    if (const auto header = proxy_header(whole)) {
        whole.remove_prefix(header->length);
        if (!header->source.empty()) client = header->source;
    }
    const std::size_t split = whole.empty() ? 0 : data[0] % whole.size();
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
    request.remote_address = client;
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
