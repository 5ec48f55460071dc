#pragma once
// Helpers of the analytics API tests: batches with chosen counters, authenticated GETs and
// JSON access.

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cloud_support.hpp"

namespace printmon::cloud::test {

/// One reading to put in a batch.
struct Point {
    std::string polled_at;
    std::map<std::string, std::int64_t> counters;
    std::optional<int> black_percent;  ///< level of the first supply
    std::string serial;                ///< empty: the device's serial
};

/// A device as a scanner reports it.
struct FakeDevice {
    std::string branch_id;  ///< the scanner's own device id (UUID)
    std::string vendor = "HP";
    std::string model = "LaserJet M404";
    std::string serial;
    std::string mac;
    std::string address = "10.0.0.5";
    std::string location = "Floor 1";
};

/// A batch of `points` of `device` from `scanner_id` (fresh ids; the golden snapshot's other
/// fields).
proto::Batch batch_of(const std::string& scanner_id, const FakeDevice& device,
                      const std::vector<Point>& points);

/// A response and its parsed JSON body (null document when not JSON).
struct ApiResponse {
    unsigned status = 0;
    net::Headers headers;
    std::string body;
    rapidjson::Document json;
};

ApiResponse api_request(const CloudServer& s, const std::string& method, const std::string& path,
                        const std::string& bearer, const std::string& body = "",
                        const net::Headers& extra = {});
inline ApiResponse api_get(const CloudServer& s, const std::string& path, const std::string& bearer,
                           const net::Headers& extra = {}) {
    return api_request(s, "GET", path, bearer, "", extra);
}

/// String member of a JSON object ("" when absent or not a string).
std::string str(const rapidjson::Value& v, const char* name);
/// Integer member (nullopt when absent or not an integer).
std::optional<long long> num(const rapidjson::Value& v, const char* name);

}  // namespace printmon::cloud::test
