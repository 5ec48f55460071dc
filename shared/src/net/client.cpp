// Blocking HTTP(S) client: each request runs one coroutine on its own io_context.
#include "printmon/net/client.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "printmon/net/asio.hpp"

namespace printmon::net {
namespace {

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

bool istarts_with(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    return !CaseInsensitiveLess{}(text.substr(0, prefix.size()), prefix) &&
           !CaseInsensitiveLess{}(prefix, text.substr(0, prefix.size()));
}

tl::unexpected<ClientError> fail(ClientErrorCode code, std::string message) {
    return tl::unexpected(ClientError{code, std::move(message)});
}

bool is_tls_error(const boost::system::error_code& ec) {
    return ec.category() == asio::error::get_ssl_category() ||
           ec.category() == asio::ssl::error::get_stream_category();
}

bool is_ip_address(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

}  // namespace

std::optional<Url> parse_url(std::string_view text) {
    Url url;
    if (istarts_with(text, "https://")) {
        url.https = true;
        text.remove_prefix(8);
    } else if (istarts_with(text, "http://")) {
        text.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    const auto end = text.find_first_of("/?#");
    std::string_view authority = text.substr(0, end);
    std::string_view rest = end == std::string_view::npos ? std::string_view{} : text.substr(end);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
    std::string_view port;
    if (authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        url.host = std::string(authority.substr(1, close - 1));
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port = after.substr(1);
        }
    } else {
        const auto colon = authority.rfind(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (url.host.empty()) return std::nullopt;
    if (!port.empty()) {
        if (port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return std::nullopt;
        }
        const int number = std::stoi(std::string(port));
        if (number < 1 || number > 65535) return std::nullopt;
        url.port = std::string(port);
    } else {
        url.port = url.https ? "443" : "80";
    }
    url.authority = std::string(authority);
    if (port.empty()) {
        url.authority = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    }
    const auto fragment = rest.find('#');
    rest = rest.substr(0, fragment);
    url.target =
        rest.empty() ? "/" : (rest.front() == '?' ? "/" + std::string(rest) : std::string(rest));
    return url;
}

bool is_loopback_host(std::string_view host) {
    if (host.size() == 9 && istarts_with(host, "localhost")) return true;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(std::string(host), ec);
    return !ec && address.is_loopback();  // 127.0.0.0/8 or ::1
}

std::string_view to_string(ClientErrorCode code) noexcept {
    switch (code) {
        case ClientErrorCode::kInvalidRequest:
            return "invalid_request";
        case ClientErrorCode::kConnectFailed:
            return "connect_failed";
        case ClientErrorCode::kProxyFailed:
            return "proxy_failed";
        case ClientErrorCode::kTlsFailed:
            return "tls_failed";
        case ClientErrorCode::kTimeout:
            return "timeout";
        case ClientErrorCode::kProtocol:
            return "protocol";
    }
    return "unknown";
}

struct HttpClient::Impl {
    HttpClientOptions options;
    // Rationale: one SSL_CTX shared by all requests (SSL_new on a shared context is
    // thread-safe); Asio wants it non-const to create streams.
    mutable asio::ssl::context tls{asio::ssl::context::tls_client};
    std::optional<Url> proxy;

    explicit Impl(HttpClientOptions opts) : options(std::move(opts)) {
        tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1);
        SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
        boost::system::error_code ec;
        if (options.ca_file.empty()) {
            tls.set_default_verify_paths(ec);
            if (ec)
                throw std::runtime_error("tls: cannot load the system CA store: " + ec.message());
        } else {
            tls.load_verify_file(options.ca_file, ec);
            if (ec) {
                throw std::runtime_error(fmt::format("tls: cannot load CA file '{}': {}",
                                                     options.ca_file, ec.message()));
            }
        }
        tls.set_verify_mode(options.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
        if (options.client_cert_file.empty() != options.client_key_file.empty()) {
            throw std::runtime_error("tls: client certificate and key must be given together");
        }
        if (!options.client_cert_file.empty()) {
            tls.use_certificate_chain_file(options.client_cert_file, ec);
            if (ec) {
                throw std::runtime_error(fmt::format("tls: cannot load client certificate '{}': {}",
                                                     options.client_cert_file, ec.message()));
            }
            tls.use_private_key_file(options.client_key_file, asio::ssl::context::pem, ec);
            if (ec) {
                throw std::runtime_error(fmt::format("tls: cannot load client key '{}': {}",
                                                     options.client_key_file, ec.message()));
            }
        }
        if (!options.proxy.empty()) {
            proxy = parse_url(options.proxy);
            if (!proxy || proxy->https) {
                throw std::runtime_error(
                    fmt::format("proxy '{}' must look like http://host:port", options.proxy));
            }
        }
    }

    // Connects to the server, through the proxy when configured.
    Awaitable<tl::expected<void, ClientError>> connect(beast::tcp_stream& stream, Url url) {
        const Url& first_hop = proxy ? *proxy : url;
        const char* what = proxy ? "proxy " : "";
        auto executor = stream.get_executor();
        tcp::resolver resolver(executor);
        asio::steady_timer timer(executor, options.connect_timeout);
        bool resolve_timed_out = false;
        auto on_timer = [&resolver, &resolve_timed_out](boost::system::error_code ec) {
            if (!ec) {
                resolve_timed_out = true;
                resolver.cancel();
            }
        };
        timer.async_wait(std::move(on_timer));
        boost::system::error_code ec;
        const auto endpoints = co_await resolver.async_resolve(
            first_hop.host, first_hop.port, asio::redirect_error(asio::use_awaitable, ec));
        timer.cancel();
        if (resolve_timed_out) {
            co_return fail(ClientErrorCode::kTimeout,
                           fmt::format("resolving {}{} timed out", what, first_hop.host));
        }
        if (ec) {
            co_return fail(
                ClientErrorCode::kConnectFailed,
                fmt::format("cannot resolve {}{}: {}", what, first_hop.host, ec.message()));
        }
        stream.expires_after(options.connect_timeout);
        co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == beast::error::timeout) {
            co_return fail(ClientErrorCode::kTimeout,
                           fmt::format("connecting to {}{} timed out", what, first_hop.authority));
        }
        if (ec) {
            co_return fail(
                ClientErrorCode::kConnectFailed,
                fmt::format("cannot connect to {}{}: {}", what, first_hop.authority, ec.message()));
        }
        if (!proxy) co_return tl::expected<void, ClientError>{};

        // HTTP CONNECT tunnel (RFC 9110 9.3.6).
        const std::string authority = url.host.find(':') != std::string::npos
                                          ? fmt::format("[{}]:{}", url.host, url.port)
                                          : fmt::format("{}:{}", url.host, url.port);
        http::request<http::empty_body> request{http::verb::connect, authority, 11};
        request.set(http::field::host, authority);
        request.set(http::field::user_agent, "printmon");
        co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
        beast::flat_buffer buffer;
        http::response_parser<http::empty_body> parser;
        parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel starts after it
        if (!ec) {
            co_await http::async_read(stream, buffer, parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
        }
        if (ec == beast::error::timeout) {
            co_return fail(ClientErrorCode::kTimeout, "proxy CONNECT timed out");
        }
        if (ec) {
            co_return fail(ClientErrorCode::kProxyFailed,
                           fmt::format("proxy CONNECT failed: {}", ec.message()));
        }
        const unsigned status = parser.get().result_int();
        if (status / 100 != 2) {
            co_return fail(ClientErrorCode::kProxyFailed,
                           fmt::format("proxy refused CONNECT {}: status {}", authority, status));
        }
        if (buffer.size() != 0) {
            co_return fail(ClientErrorCode::kProtocol, "proxy sent data before the tunnel opened");
        }
        co_return tl::expected<void, ClientError>{};
    }

    template <class Stream>
    Awaitable<ClientResult> exchange(Stream& stream, http::verb verb, Url url, Headers headers,
                                     std::string body) {
        http::request<http::string_body> request{verb, url.target, 11};
        request.set(http::field::host, url.authority);
        request.set(http::field::user_agent, "printmon");
        for (const auto& [name, value] : headers) request.set(name, value);
        request.body() = std::move(body);
        request.keep_alive(false);
        request.prepare_payload();
        auto& tcp_layer = beast::get_lowest_layer(stream);
        tcp_layer.expires_after(options.request_timeout);
        boost::system::error_code ec;
        co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(options.max_response_bytes);
        parser.header_limit(64 * 1024);
        if (verb == http::verb::head) parser.skip(true);
        // Rationale: header first, then the body. Beast 1.74's response parser, when eager (as
        // http::async_read makes it) and handed the header together with the first body bytes,
        // resets the body_limit error of a too-large Content-Length and reads the whole body
        // anyway: a server could make us allocate whatever it announced.
        if (!ec) {
            co_await http::async_read_header(stream, buffer, parser,
                                             asio::redirect_error(asio::use_awaitable, ec));
        }
        if (!ec && !parser.is_done()) {
            co_await http::async_read(stream, buffer, parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
        }
        if (ec == beast::error::timeout) {
            co_return fail(ClientErrorCode::kTimeout,
                           fmt::format("request to {} timed out", url.authority));
        }
        if (ec == asio::ssl::error::stream_truncated) {
            // The TLS session was fine; the connection was lost mid-answer (kProtocol's case).
            co_return fail(ClientErrorCode::kProtocol,
                           fmt::format("connection to {} closed before the response was complete",
                                       url.authority));
        }
        if (ec && is_tls_error(ec)) {
            co_return fail(ClientErrorCode::kTlsFailed,
                           fmt::format("TLS error talking to {}: {}", url.authority, ec.message()));
        }
        if (ec) {
            co_return fail(ClientErrorCode::kProtocol,
                           fmt::format("request to {} failed: {}", url.authority, ec.message()));
        }
        auto message = parser.release();
        ClientResponse response;
        response.status = message.result_int();
        for (const auto& field : message) {
            auto [it, inserted] = response.headers.emplace(std::string(sv(field.name_string())),
                                                           std::string(sv(field.value())));
            if (!inserted) it->second.append(", ").append(sv(field.value()));
        }
        response.body = std::move(message.body());
        beast::error_code ignored;
        tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return response;
    }

    Awaitable<ClientResult> run(http::verb verb, Url url, Headers headers, std::string body) {
        auto executor = co_await asio::this_coro::executor;
        beast::tcp_stream stream(executor);
        auto connected = co_await connect(stream, url);
        if (!connected) co_return tl::unexpected(std::move(connected.error()));
        if (!url.https) {
            co_return co_await exchange(stream, verb, std::move(url), std::move(headers),
                                        std::move(body));
        }
        beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(stream), tls);
        SSL* ssl = tls_stream.native_handle();
        const bool ip = is_ip_address(url.host);
        if (!ip) {
            // SNI. SSL_set_tlsext_host_name is a macro with a C cast: call SSL_ctrl directly.
            SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(url.host.c_str()));
        }
        if (options.verify_peer) {
            // Host name / IP verification by OpenSSL (RFC 6125 rules), checked during the
            // handshake so a mismatch is reported as a verification failure.
            X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            const int ok =
                ip ? X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str())
                   : X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), url.host.size());
            if (ok != 1) {
                co_return fail(ClientErrorCode::kInvalidRequest,
                               fmt::format("cannot verify host '{}'", url.host));
            }
        }
        boost::system::error_code ec;
        beast::get_lowest_layer(tls_stream).expires_after(options.tls_timeout);
        co_await tls_stream.async_handshake(asio::ssl::stream_base::client,
                                            asio::redirect_error(asio::use_awaitable, ec));
        if (ec == beast::error::timeout) {
            co_return fail(ClientErrorCode::kTimeout,
                           fmt::format("TLS handshake with {} timed out", url.authority));
        }
        if (ec) {
            const long verify = SSL_get_verify_result(ssl);
            if (verify != X509_V_OK) {
                co_return fail(ClientErrorCode::kTlsFailed,
                               fmt::format("certificate verification of {} failed: {}",
                                           url.authority, X509_verify_cert_error_string(verify)));
            }
            co_return fail(
                ClientErrorCode::kTlsFailed,
                fmt::format("TLS handshake with {} failed: {}", url.authority, ec.message()));
        }
        co_return co_await exchange(tls_stream, verb, std::move(url), std::move(headers),
                                    std::move(body));
    }
};

HttpClient::HttpClient(HttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

ClientResult HttpClient::request(std::string_view method, std::string_view url,
                                 const Headers& headers, std::string_view body) const {
    auto parsed = parse_url(url);
    if (!parsed) return fail(ClientErrorCode::kInvalidRequest, fmt::format("bad URL '{}'", url));
    const http::verb verb = http::string_to_verb(beast::string_view(method.data(), method.size()));
    if (verb == http::verb::unknown) {
        return fail(ClientErrorCode::kInvalidRequest, fmt::format("bad method '{}'", method));
    }
    asio::io_context ioc(1);
    ClientResult result = fail(ClientErrorCode::kProtocol, "request did not complete");
    auto on_done = [&result](const std::exception_ptr& e, ClientResult outcome) {
        if (!e) {
            result = std::move(outcome);
            return;
        }
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            result = fail(ClientErrorCode::kProtocol, ex.what());
        } catch (...) {
            result = fail(ClientErrorCode::kProtocol, "unknown error");
        }
    };
    asio::co_spawn(ioc, impl_->run(verb, std::move(*parsed), headers, std::string(body)),
                   std::move(on_done));
    ioc.run();
    return result;
}

ClientResult HttpClient::get(std::string_view url, const Headers& headers) const {
    return request("GET", url, headers);
}

ClientResult HttpClient::post(std::string_view url, std::string_view body,
                              const Headers& headers) const {
    return request("POST", url, headers, body);
}

}  // namespace printmon::net
