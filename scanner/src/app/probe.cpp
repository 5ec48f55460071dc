#include "app/probe.hpp"

#include <chrono>
#include <sstream>

#include "printmon/proto/enums.hpp"
#include "printmon/proto/time.hpp"

namespace printmon::scanner {

void probe_device(snmp::Engine& engine, const snmp::Target& target, const ProfileSet& profiles,
                  std::function<void(ProbeOutcome)> done, snmp::FetchOptions options) {
    auto session = engine.open(target);
    if (!session) {
        ProbeOutcome out;
        out.error = session.error();
        done(std::move(out));
        return;
    }
    const CollectionPlan phase1 = identity_plan();
    auto on_identity = [&engine, &profiles, target, options, session = *session,
                        done = std::move(done)](snmp::FetchResult first) mutable {
        if (!first.answered) {
            ProbeOutcome out;
            out.requests = first.requests;
            out.error = first.error.value_or(
                snmp::SnmpError{snmp::ErrorCode::timeout, "the device did not answer"});
            done(std::move(out));
            return;
        }
        const CollectionPlan phase2 = collection_plan(first.view, profiles);
        auto phase2_options = options;
        phase2_options.device_answered = true;
        auto on_collect = [&engine, &profiles, target, session, phase2_options,
                           first = std::move(first),
                           done = std::move(done)](snmp::FetchResult second) mutable {
            snmp::MibView view = first.view;
            for (auto& [oid, value] : second.view) view.insert_or_assign(oid, std::move(value));
            // Phase 3 only when phase 2 identified a device phase 1 could not place.
            const CollectionPlan phase3 = completion_plan(first.view, view, profiles);
            auto finish = [&profiles, target, requests = first.requests + second.requests,
                           notes = std::move(first.notes), notes2 = std::move(second.notes),
                           view = std::move(view),
                           done = std::move(done)](snmp::FetchResult third) mutable {
                for (auto& [oid, value] : third.view) {
                    view.insert_or_assign(oid, std::move(value));
                }
                ProbeOutcome out;
                out.requests = requests + third.requests;
                CollectResult result =
                    build_snapshot(view, profiles, target.host,
                                   proto::format_rfc3339(std::chrono::system_clock::now()));
                result.notes.insert(result.notes.begin(), third.notes.begin(), third.notes.end());
                result.notes.insert(result.notes.begin(), notes2.begin(), notes2.end());
                result.notes.insert(result.notes.begin(), notes.begin(), notes.end());
                out.result = std::move(result);
                out.view = std::move(view);
                done(std::move(out));
            };
            if (phase3.scalars.empty() && phase3.subtrees.empty()) {
                finish(snmp::FetchResult{});
                return;
            }
            snmp::fetch(engine, session, phase3.scalars, phase3.subtrees, phase2_options,
                        std::move(finish));
        };
        snmp::fetch(engine, session, phase2.scalars, phase2.subtrees, phase2_options,
                    std::move(on_collect));
    };
    snmp::fetch(engine, *session, phase1.scalars, phase1.subtrees, options, std::move(on_identity));
}

void poll_known_device(snmp::Engine& engine, const snmp::Target& target, const ProfileSet& profiles,
                       snmp::MibView previous, std::function<void(ProbeOutcome)> done,
                       snmp::FetchOptions options) {
    auto session = engine.open(target);
    if (!session) {
        ProbeOutcome out;
        out.error = session.error();
        done(std::move(out));
        return;
    }
    CollectionPlan plan = repeat_plan(previous, profiles);
    auto scalars = plan.scalars;
    auto subtrees = plan.subtrees;
    auto on_poll = [&profiles, target, plan = std::move(plan), previous = std::move(previous),
                    done = std::move(done)](snmp::FetchResult r) mutable {
        ProbeOutcome out;
        out.requests = r.requests;
        if (!r.answered) {
            out.error = r.error.value_or(
                snmp::SnmpError{snmp::ErrorCode::timeout, "the device did not answer"});
            done(std::move(out));
            return;
        }
        out.view = merge_repeat(previous, plan, r.view);
        CollectResult result =
            build_snapshot(out.view, profiles, target.host,
                           proto::format_rfc3339(std::chrono::system_clock::now()));
        result.notes.insert(result.notes.begin(), r.notes.begin(), r.notes.end());
        out.result = std::move(result);
        done(std::move(out));
    };
    snmp::fetch(engine, *session, std::move(scalars), std::move(subtrees), options,
                std::move(on_poll));
}

std::string snapshot_text(const proto::DeviceSnapshot& snap) {
    std::ostringstream out;
    const auto& id = snap.identity;
    out << (id.vendor.empty() ? "(no vendor)" : id.vendor) << " "
        << (id.model.empty() ? "(no model)" : id.model) << " serial "
        << (id.serial.empty() ? "-" : id.serial) << " at " << snap.address << "\n";
    if (!id.firmware.empty() || !id.mac.empty()) {
        out << "  firmware " << (id.firmware.empty() ? "-" : id.firmware) << ", MAC "
            << (id.mac.empty() ? "-" : id.mac) << "\n";
    }
    const auto& st = snap.status;
    out << "  status " << proto::to_string(st.device) << ", printer "
        << proto::to_string(st.printer);
    if (!st.errors.empty()) {
        out << ", errors:";
        for (const auto& e : st.errors) out << " " << e;
    }
    out << "\n";
    if (!st.console.empty()) out << "  panel \"" << st.console << "\"\n";
    for (const auto& a : st.alerts) {
        out << "  alert " << a.severity << " " << a.group << ":" << a.code;
        if (!a.description.empty()) out << " \"" << a.description << "\"";
        out << "\n";
    }
    for (const auto& [name, value] : snap.counters) out << "  " << name << " " << value << "\n";
    const auto level = [](const std::optional<int>& pct) {
        return pct ? std::to_string(*pct) + "%" : std::string("-");
    };
    for (const auto& sup : snap.supplies) {
        out << "  " << sup.description << ": " << level(sup.level_percent) << " ("
            << proto::to_string(sup.state);
        if (sup.pages_remaining) out << ", " << *sup.pages_remaining << " pages left";
        out << ")\n";
    }
    for (const auto& t : snap.trays) {
        out << "  tray " << t.description << ": " << level(t.level_percent) << " ("
            << proto::to_string(t.state) << (proto::fed_by_hand(t) ? ", fed by hand" : "") << ")\n";
    }
    for (const auto& c : snap.covers) {
        out << "  cover " << c.description << ": " << proto::to_string(c.state) << "\n";
    }
    return out.str();
}

}  // namespace printmon::scanner
