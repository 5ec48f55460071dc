#pragma once
// Private to the net test supports' .cpp files (the only ones that include Beast): a parsed
// Beast answer as the Beast-free ClientResponse the tests read. One copy for the raw client and
// the fault-injecting client.

#include <string>
#include <utility>

#include <boost/beast/http.hpp>

#include "printmon/net/client.hpp"

namespace printmon::net::test {

inline ClientResponse to_client_response(
    boost::beast::http::response<boost::beast::http::string_body>&& message) {
    ClientResponse response;
    response.status = message.result_int();
    for (const auto& field : message) {
        const auto name = field.name_string();
        const auto value = field.value();
        response.headers.emplace(std::string(name.data(), name.size()),
                                 std::string(value.data(), value.size()));
    }
    response.body = std::move(message.body());
    return response;
}

}  // namespace printmon::net::test
