// The collector over a recorded device: any snmprec text (what `printmon-scanner walk` writes
// and tests replay) read as the MIB view of a fake in-process agent, then the same three-phase
// plan the network engine follows (each phase sees only what it asked for), the snapshot, a
// repeat poll over it, and discovery's classification. The snapshot the scanner stores and
// uploads must be a document the protocol accepts. Then the support capture's redaction of it.

#include "polling/collector.hpp"
#include "printmon/proto/codec.hpp"
#include "profiles/profile.hpp"
#include "snmp/redact.hpp"
#include "snmp/snmprec.hpp"
#include "support.hpp"

namespace printmon::fuzz {
namespace {

const scanner::ProfileSet& profiles() {
    static const scanner::ProfileSet kProfiles = scanner::ProfileSet::embedded();
    return kProfiles;
}

}  // namespace

/// Shared with the varbinds target: a whole poll of `agent`, with the protocol's invariant.
void poll_fake_agent(const char* target, const scanner::snmp::MibView& agent) {
    using scanner::restrict_to;
    const auto p1 = scanner::identity_plan();
    const auto phase1 = restrict_to(agent, {p1});
    (void)scanner::classify(phase1, profiles());
    const auto p2 = scanner::collection_plan(phase1, profiles());
    const auto p3 = scanner::completion_plan(phase1, restrict_to(agent, {p1, p2}), profiles());
    const auto full = restrict_to(agent, {p1, p2, p3});
    const auto result =
        scanner::build_snapshot(full, profiles(), "192.0.2.7", "2026-01-01T00:00:00Z");
    const std::string json = proto::to_json(result.snapshot);
    if (auto back = proto::parse_snapshot(json); !back)
        fail(target, "collected snapshot rejected by the protocol: " + back.error().message());

    // A repeat poll against the same agent: only what changes, merged into the full view.
    const auto repeat = scanner::repeat_plan(full, profiles());
    const auto merged = scanner::merge_repeat(full, repeat, restrict_to(agent, {repeat}));
    const auto again =
        scanner::build_snapshot(merged, profiles(), "192.0.2.7", "2026-01-01T00:05:00Z");
    if (auto back = proto::parse_snapshot(proto::to_json(again.snapshot)); !back)
        fail(target, "repeat-poll snapshot rejected by the protocol: " + back.error().message());
}

int fuzz_collector(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto view = scanner::snmp::parse_snmprec(text);
    if (!view) return 0;
    // What the reader accepted, the writer writes back and the reader reads the same.
    auto again = scanner::snmp::parse_snmprec(scanner::snmp::write_snmprec(*view));
    if (!again) fail("collector", "written snmprec unreadable: " + again.error().message);
    poll_fake_agent("collector", *view);
    // A support capture of the same agent (snmp/redact.hpp): redacting what is redacted changes
    // nothing, and the file it makes is readable.
    scanner::snmp::RedactReport report;
    const auto once = scanner::snmp::redact(*view, {"public", "s3cret"}, report);
    scanner::snmp::RedactReport again_report;
    if (scanner::snmp::redact(once, {"public", "s3cret"}, again_report) != once) {
        fail("collector", "redacting a redacted walk changed it");
    }
    if (auto reread = scanner::snmp::parse_snmprec(scanner::snmp::write_snmprec(once)); !reread)
        fail("collector", "a redacted walk unreadable: " + reread.error().message);
    return 0;
}

}  // namespace printmon::fuzz
