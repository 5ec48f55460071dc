#include "printmon/proto/ack.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "document.hpp"

namespace printmon::proto {

std::string to_json(const IngestAck& ack) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("batch_id");
    w.String(ack.batch_id.c_str(), static_cast<rapidjson::SizeType>(ack.batch_id.size()));
    w.Key("status");
    w.String(ack.duplicate ? "duplicate" : "stored");
    const auto count = [&w](const char* key, std::int64_t value) {
        w.Key(key);
        w.Int64(value);
    };
    count("readings_stored", ack.readings_stored);
    count("readings_duplicate", ack.readings_duplicate);
    count("events_stored", ack.events_stored);
    count("events_duplicate", ack.events_duplicate);
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

tl::expected<IngestAck, DecodeError> parse_ack(std::string_view json, std::size_t max_bytes) {
    rapidjson::Document doc;
    if (auto loaded = detail::load_document(json, max_bytes, detail::DocumentKind::ack, doc);
        !loaded) {
        return tl::make_unexpected(loaded.error());
    }
    // The schema has checked every required member's presence and type; an integer past int64
    // passes "integer" though, and is no count of ours.
    for (const char* key :
         {"readings_stored", "readings_duplicate", "events_stored", "events_duplicate"}) {
        if (!doc[key].IsInt64()) {
            return tl::make_unexpected(DecodeError{DecodeErrorCode::invalid_value,
                                                   std::string("/") + key, "count out of range"});
        }
    }
    IngestAck out;
    out.batch_id.assign(doc["batch_id"].GetString(), doc["batch_id"].GetStringLength());
    out.duplicate = std::string_view(doc["status"].GetString()) == "duplicate";
    out.readings_stored = doc["readings_stored"].GetInt64();
    out.readings_duplicate = doc["readings_duplicate"].GetInt64();
    out.events_stored = doc["events_stored"].GetInt64();
    out.events_duplicate = doc["events_duplicate"].GetInt64();
    return out;
}

std::string_view ack_schema_json() { return detail::embedded_ack_schema(); }

}  // namespace printmon::proto
