#include "analytics_support.hpp"

#include <stdexcept>

#include "printmon/proto/uuid.hpp"

namespace printmon::cloud::test {

proto::Batch batch_of(const std::string& scanner_id, const FakeDevice& device,
                      const std::vector<Point>& points) {
    proto::Batch b = fresh_batch(scanner_id);
    proto::BatchDevice d = b.devices.front();
    d.device_id = device.branch_id;
    d.address = device.address;
    d.location = device.location;
    d.identity.vendor = device.vendor;
    d.identity.model = device.model;
    d.identity.serial = device.serial;
    d.identity.mac = device.mac;
    const proto::Reading base = b.readings.front();
    b.readings.clear();
    for (const auto& p : points) {
        proto::Reading r = base;
        r.reading_id = proto::new_uuid();
        r.device_id = device.branch_id;
        r.snapshot.polled_at = p.polled_at;
        r.snapshot.address = device.address;
        r.snapshot.identity = d.identity;
        if (!p.serial.empty()) r.snapshot.identity.serial = p.serial;
        r.snapshot.counters = p.counters;
        if (p.black_percent && !r.snapshot.supplies.empty()) {
            r.snapshot.supplies.front().level_percent = *p.black_percent;
            r.snapshot.supplies.front().level = *p.black_percent;
        }
        b.readings.push_back(std::move(r));
    }
    if (!points.empty()) {
        d.first_seen = points.front().polled_at;
        d.last_seen = points.back().polled_at;
        if (!points.back().serial.empty()) d.identity.serial = points.back().serial;
    }
    b.devices = {d};
    b.events.clear();
    return b;
}

ApiResponse api_request(const CloudServer& s, const std::string& method, const std::string& path,
                        const std::string& bearer, const std::string& body,
                        const net::Headers& extra) {
    net::Headers headers = extra;
    if (!bearer.empty()) headers.insert_or_assign("Authorization", "Bearer " + bearer);
    if (!body.empty()) headers.insert_or_assign("Content-Type", "application/json");
    auto r = s.client().request(method, s.url(path), headers, body);
    if (!r) throw std::runtime_error("request failed: " + r.error().message);
    ApiResponse out;
    out.status = r->status;
    out.headers = r->headers;
    out.body = r->body;
    out.json.Parse(out.body.c_str());
    if (out.json.HasParseError()) out.json.SetNull();
    return out;
}

std::string str(const rapidjson::Value& v, const char* name) {
    if (!v.IsObject()) return "";
    const auto it = v.FindMember(name);
    if (it == v.MemberEnd() || !it->value.IsString()) return "";
    return it->value.GetString();
}

std::optional<long long> num(const rapidjson::Value& v, const char* name) {
    if (!v.IsObject()) return std::nullopt;
    const auto it = v.FindMember(name);
    if (it == v.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
    return it->value.GetInt64();
}

}  // namespace printmon::cloud::test
