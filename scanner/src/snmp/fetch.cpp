#include "snmp/fetch.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace printmon::scanner::snmp {
namespace {

// SNMP error-status values (RFC 3416).
constexpr long kTooBig = 1;
constexpr long kNoSuchName = 2;

/// The varbind an SNMPv1 noSuchName names (0-based), when its error-index lies within the
/// `asked` varbinds of the request; nothing for any other answer.
std::optional<std::size_t> no_such_name_at(const Response& resp, std::size_t asked) {
    if (resp.error_status != kNoSuchName || resp.error_index < 1 ||
        static_cast<std::size_t>(resp.error_index) > asked) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(resp.error_index - 1);
}

/// What one GETNEXT taught about a subtree: nothing lies in (from, to), `to` exists; `end`:
/// nothing of the subtree lies after `from` at all.
struct Island {
    Oid from;
    Oid to;
    bool end = false;
};

struct Cursor {
    Oid root;
    Oid last;
    std::size_t count = 0;
    bool done = false;
    /// SNMPv1 only: the parts of the subtree known so far, sorted and disjoint. The walk is
    /// complete when one island runs from the root to the end.
    std::vector<Island> islands;
};

/// Drives one device's fetch as a small state machine; owned by the handlers in flight.
class Fetch : public std::enable_shared_from_this<Fetch> {
  public:
    Fetch(Engine& engine, std::shared_ptr<Session> session, std::vector<Oid> scalars,
          std::vector<Oid> subtrees, FetchOptions options, FetchDone done)
        : engine_(engine),
          session_(std::move(session)),
          pending_(std::move(scalars)),
          options_(options),
          done_(std::move(done)) {
        std::sort(subtrees.begin(), subtrees.end());
        subtrees.erase(std::unique(subtrees.begin(), subtrees.end()), subtrees.end());
        for (auto& s : subtrees) cursors_.push_back({s, s, 0, false, {}});
        use_bulk_ = session_->target().credentials.version != Version::v1;
        result_.answered = options_.device_answered;
    }

    void step() {
        if (finished_) return;
        const bool walking =
            std::any_of(cursors_.begin(), cursors_.end(), [](const Cursor& c) { return !c.done; });
        if (use_bulk_ && !combined_tried_ && walking && !pending_.empty() &&
            pending_.size() <= kMaxNonRepeaters) {
            send_combined();
            return;
        }
        if (!pending_.empty()) {
            send_get();
            return;
        }
        if (std::any_of(cursors_.begin(), cursors_.end(),
                        [](const Cursor& c) { return !c.done; })) {
            if (use_bulk_) {
                send_walk();
            } else {
                send_walk_v1();
            }
            return;
        }
        finish();
    }

  private:
    // Rationale: the scalars and the first rows of every column in ONE GETBULK (scalars as
    // non-repeaters, asked with GETNEXT of their predecessor) saves a round trip per device:
    // 3 requests instead of 4 for a typical full read, 1 instead of 2 for a repeat poll.
    static constexpr std::size_t kMaxNonRepeaters = 48;

    /// The OID whose GETNEXT is `oid` when nothing lies between them: the last arc
    /// decremented, or for an arc 0 the parent (x.0 is the first child of x).
    static Oid predecessor(const Oid& oid) {
        Oid p = oid;
        if (p.back() > 0) {
            --p.back();
        } else if (p.size() > 1) {
            p.pop_back();
        }
        return p;
    }

    void send_combined() {
        combined_tried_ = true;
        std::vector<std::size_t> active;
        for (std::size_t i = 0; i < cursors_.size(); ++i) {
            if (!cursors_[i].done) active.push_back(i);
        }
        std::vector<Oid> scalars = pending_;
        Request req;
        req.type = PduType::get_bulk;
        req.nonrepeaters = static_cast<int>(scalars.size());
        for (const auto& s : scalars) req.oids.push_back(predecessor(s));
        for (auto i : active) req.oids.push_back(cursors_[i].last);
        const std::size_t room =
            options_.bulk_budget > scalars.size() ? options_.bulk_budget - scalars.size() : 1;
        req.max_reps = std::clamp(static_cast<int>(room / active.size()), 1, options_.max_reps_cap);
        if (bulk_reps_limit_ > 0) req.max_reps = std::min(req.max_reps, bulk_reps_limit_);
        ++result_.requests;
        engine_.send(session_, std::move(req),
                     [self = shared_from_this(), scalars = std::move(scalars),
                      active](tl::expected<Response, SnmpError> r) {
                         self->on_combined(scalars, active, std::move(r));
                     });
    }

    void on_combined(const std::vector<Oid>& scalars, const std::vector<std::size_t>& active,
                     tl::expected<Response, SnmpError> r) {
        if (!r) {
            if (handle_failure(r.error(), "GETBULK failed")) return;
            step();  // the plain GET/walk path takes over
            return;
        }
        answered();
        Response& resp = *r;
        if (resp.error_status != 0 || resp.varbinds.size() < scalars.size()) {
            step();  // agent refused the combined form: plain GETs and walks instead
            return;
        }
        std::vector<Oid> unresolved;
        for (std::size_t i = 0; i < scalars.size(); ++i) {
            const VarBind& vb = resp.varbinds[i];
            if (vb.oid == scalars[i]) {
                store(vb);
            } else if (vb.value.type != ValueType::end_of_mib_view && vb.oid < scalars[i]) {
                // Something lies between predecessor and scalar: ask for it exactly.
                unresolved.push_back(scalars[i]);
            }
            // Otherwise the next OID is past the scalar: the device does not have it.
        }
        pending_ = std::move(unresolved);
        resp.varbinds.erase(resp.varbinds.begin(),
                            resp.varbinds.begin() + static_cast<long>(scalars.size()));
        absorb_rows(active, resp.varbinds);
        step();
    }

    void finish() {
        finished_ = true;
        auto done = std::move(done_);
        done(std::move(result_));
    }

    /// An agent that drops a request too large for it instead of answering tooBig (some
    /// SNMPv1 agents do): once the device has answered, a timed-out request of `asked`
    /// varbinds makes `budget` a quarter of it and is asked again in smaller requests. A
    /// device gone costs a few more timeouts, once. False when there is nothing to shrink.
    bool smaller_after_timeout(const SnmpError& err, std::size_t asked, std::size_t& budget) {
        if (!result_.answered || err.code != ErrorCode::timeout || asked <= 1 ||
            timeouts_in_a_row_ + 1 >= kMaxTimeoutsInARow) {
            return false;
        }
        ++timeouts_in_a_row_;
        budget = std::max<std::size_t>(1, asked / 4);
        result_.notes.push_back("a request of " + std::to_string(asked) +
                                " varbinds timed out; asking " + std::to_string(budget) +
                                " at a time");
        return true;
    }

    /// A transport failure: fatal when the device never answered, else a note.
    bool handle_failure(const SnmpError& err, const std::string& what) {
        if (!result_.answered) {
            result_.error = err;
            finish();
            return true;
        }
        result_.notes.push_back(what + ": " + to_string(err.code) + " (" + err.detail + ")");
        if (err.code == ErrorCode::timeout && ++timeouts_in_a_row_ >= kMaxTimeoutsInARow) {
            // The device stopped answering: what was read stands, the rest is not asked (one
            // timeout per remaining request would hold the poller for nothing).
            result_.notes.emplace_back("device stopped answering; the rest was not read");
            pending_.clear();
            singles_ = 0;
            for (auto& c : cursors_) c.done = true;
        }
        return false;
    }

    /// A response arrived (whatever its error-status): the device answers, and the run of
    /// timeouts that would end the read is over.
    void answered() {
        result_.answered = true;
        timeouts_in_a_row_ = 0;
    }

    void send_get() {
        const std::size_t n = singles_ > 0 ? 1 : std::min(chunk_, pending_.size());
        std::vector<Oid> oids(pending_.begin(), pending_.begin() + static_cast<long>(n));
        ++result_.requests;
        engine_.send(session_, Request{PduType::get, oids, 0, 0},
                     [self = shared_from_this(), oids](tl::expected<Response, SnmpError> r) {
                         self->on_get(oids, std::move(r));
                     });
    }

    void drop_pending(std::size_t n) {
        n = std::min(n, pending_.size());
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(n));
    }

    void on_get(const std::vector<Oid>& oids, tl::expected<Response, SnmpError> r) {
        // Every outcome of a one-OID GET removes it from the front of pending_.
        if (oids.size() == 1 && singles_ > 0) --singles_;
        if (!r) {
            if (smaller_after_timeout(r.error(), oids.size(), chunk_)) {
                step();  // the same scalars, fewer at a time
                return;
            }
            if (handle_failure(r.error(), "GET failed")) return;
            drop_pending(oids.size());  // give up on these scalars, keep walking
            step();
            return;
        }
        answered();
        const Response& resp = *r;
        if (resp.error_status == 0) {
            for (const auto& vb : resp.varbinds) store(vb);
            drop_pending(oids.size());
        } else if (resp.error_status == kTooBig && oids.size() > 1) {
            chunk_ = std::max<std::size_t>(1, oids.size() / 2);
        } else if (resp.error_status == kNoSuchName && oids.size() > 1 &&
                   session_->target().credentials.version == Version::v1) {
            // Rationale: SNMPv1 fails the whole GET for one missing object, and dropping them
            // one at a time costs a request per missing object (a partial agent asked for
            // every vendor's identity objects lacks dozens). A GETNEXT of each object's
            // predecessor answers them all at once: the object when present, something past
            // it when not.
            drop_pending(oids.size());
            std::vector<Probe> probes;
            probes.reserve(oids.size());
            for (const auto& oid : oids) probes.push_back({oid, predecessor(oid)});
            send_next_resolve(std::move(probes), 0);
            return;
        } else if (const auto missing = no_such_name_at(resp, oids.size())) {
            // SNMPv1 fails the whole PDU for one missing OID: drop it and ask again.
            pending_.erase(pending_.begin() + static_cast<long>(*missing));
        } else if (oids.size() > 1) {
            // Some agents answer genErr for the whole PDU: retry the OIDs one by one.
            chunk_ = 1;
        } else {
            result_.notes.push_back("GET " + to_string(oids.front()) + ": error-status " +
                                    std::to_string(resp.error_status));
            drop_pending(1);
        }
        step();
    }

    /// A scalar looked for with GETNEXT (SNMPv1), from `from` on.
    struct Probe {
        Oid scalar;
        Oid from;
    };
    static constexpr int kMaxNextRounds = 3;

    void send_next_resolve(std::vector<Probe> probes, int round) {
        // In OID order: an agent reports the first varbind that fails, then the lowest.
        std::sort(probes.begin(), probes.end(),
                  [](const Probe& a, const Probe& b) { return a.from < b.from; });
        Request req;
        req.type = PduType::get_next;
        for (const auto& p : probes) req.oids.push_back(p.from);
        ++result_.requests;
        engine_.send(session_, std::move(req),
                     [self = shared_from_this(), probes = std::move(probes),
                      round](tl::expected<Response, SnmpError> r) mutable {
                         self->on_next_resolve(std::move(probes), round, std::move(r));
                     });
    }

    /// Scalars whose GETNEXT did not settle go back to plain GETs, one at a time.
    void get_one_by_one(const std::vector<Probe>& probes) {
        std::vector<Oid> back;
        back.reserve(probes.size());
        for (const auto& p : probes) back.push_back(p.scalar);
        pending_.insert(pending_.begin(), back.begin(), back.end());
        singles_ += back.size();
    }

    void on_next_resolve(std::vector<Probe> probes, int round,
                         tl::expected<Response, SnmpError> r) {
        if (!r) {
            if (smaller_after_timeout(r.error(), probes.size(), chunk_)) {
                // Back to GETs of fewer at a time: a chunk that fails settles by a GETNEXT of
                // that chunk alone.
                std::vector<Oid> back;
                back.reserve(probes.size());
                for (const auto& p : probes) back.push_back(p.scalar);
                pending_.insert(
                    pending_.begin() + static_cast<long>(std::min(singles_, pending_.size())),
                    back.begin(), back.end());
                step();
                return;
            }
            if (handle_failure(r.error(), "GETNEXT failed")) return;
            step();  // give up on these scalars, keep walking
            return;
        }
        answered();
        const Response& resp = *r;
        if (const auto missing = no_such_name_at(resp, probes.size())) {
            // Nothing after that one's predecessor: it is absent. Usually the end of the MIB,
            // where every probe past it fails too, one per request: a partial agent is asked
            // for every vendor's private objects, and those of vendors numbered above its own
            // lie past its last object (a Canon printer's full read took 70 requests over v1).
            // An agent known to speak only SNMPv1 has nothing it cannot send over v1, so there
            // this is the end of its MIB and every probe past it goes at once. Any other agent
            // may answer noSuchName for an object it cannot send over SNMPv1 (a Counter64) in
            // the middle of its MIB, and the objects after it would be lost: one at a time.
            const auto failed_at = probes.begin() + static_cast<long>(*missing);
            if (options_.v1_only_agent) {
                const Oid end = failed_at->from;
                probes.erase(std::remove_if(probes.begin(), probes.end(),
                                            [&end](const Probe& p) { return !(p.from < end); }),
                             probes.end());
            } else {
                probes.erase(failed_at);
            }
            if (probes.empty()) {
                step();
            } else {
                send_next_resolve(std::move(probes), round);
            }
            return;
        }
        if (resp.error_status != 0 || resp.varbinds.size() < probes.size()) {
            get_one_by_one(probes);
            step();
            return;
        }
        std::vector<Probe> again;
        for (std::size_t i = 0; i < probes.size(); ++i) {
            const VarBind& vb = resp.varbinds[i];
            if (vb.oid == probes[i].scalar) {
                store(vb);
            } else if (vb.value.type != ValueType::end_of_mib_view && vb.oid < probes[i].scalar &&
                       probes[i].from < vb.oid) {
                // Something lies between: step on from it.
                again.push_back({probes[i].scalar, vb.oid});
            }
            // Otherwise the next OID is past the scalar: the device does not have it.
        }
        if (!again.empty() && round + 1 < kMaxNextRounds) {
            send_next_resolve(std::move(again), round + 1);
            return;
        }
        get_one_by_one(again);
        step();
    }

    void send_walk() {
        std::vector<std::size_t> active;
        for (std::size_t i = 0; i < cursors_.size(); ++i) {
            if (!cursors_[i].done) active.push_back(i);
        }
        std::vector<Oid> oids;
        oids.reserve(active.size());
        for (auto i : active) oids.push_back(cursors_[i].last);
        Request req;
        if (use_bulk_) {
            req.type = PduType::get_bulk;
            req.max_reps = std::clamp(static_cast<int>(options_.bulk_budget / active.size()), 1,
                                      options_.max_reps_cap);
            if (bulk_reps_limit_ > 0) req.max_reps = std::min(req.max_reps, bulk_reps_limit_);
        } else {
            req.type = PduType::get_next;
        }
        req.oids = std::move(oids);
        ++result_.requests;
        engine_.send(session_, std::move(req),
                     [self = shared_from_this(), active](tl::expected<Response, SnmpError> r) {
                         self->on_walk(active, std::move(r));
                     });
    }

    void on_walk(const std::vector<std::size_t>& active, tl::expected<Response, SnmpError> r) {
        if (!r) {
            if (handle_failure(r.error(), "walk failed")) return;
            for (auto i : active) cursors_[i].done = true;
            step();
            return;
        }
        answered();
        const Response& resp = *r;
        if (resp.error_status != 0) {
            if (use_bulk_ && resp.error_status == kTooBig && bulk_reps_limit_ != 1) {
                bulk_reps_limit_ = bulk_reps_limit_ == 0 ? 8 : std::max(1, bulk_reps_limit_ / 2);
            } else if (use_bulk_) {
                // An agent that cannot do GETBULK: fall back to GETNEXT (SNMPv1 style).
                use_bulk_ = false;
                result_.notes.push_back("GETBULK refused (error-status " +
                                        std::to_string(resp.error_status) + "), using GETNEXT");
            } else if (const auto missing = no_such_name_at(resp, active.size())) {
                // v1 end of MIB for the column at error-index.
                cursors_[active[*missing]].done = true;
            } else if (resp.error_status == kNoSuchName) {
                // The same without a usable error-index: every column of the request ends.
                for (auto i : active) cursors_[i].done = true;
            } else {
                result_.notes.push_back("walk: error-status " + std::to_string(resp.error_status));
                for (auto i : active) cursors_[i].done = true;
            }
            step();
            return;
        }
        absorb_rows(active, resp.varbinds);
        step();
    }

    // ---- SNMPv1 walks ------------------------------------------------------------------------
    // Rationale: SNMPv1 has no GETBULK, so a plain GETNEXT walk reads one row of each subtree
    // per request, and a table entry walked whole one cell per request: a large MFP's full
    // read took 141 requests over v1 against 6 over v2c. Each request now also asks GETNEXT of
    // OIDs guessed ahead of what is known (the next rows, the next columns of an entry). Every
    // answer is a real object and is kept; what a guess found becomes an island that joins the
    // walk once the walk reaches it, and a guess that found nothing new costs a varbind, not a
    // request. Only an unbroken run from the root counts as read: a wrong guess never hides
    // an object.

    /// One varbind of a v1 walk request: GETNEXT of `from` for cursor `cursor`.
    struct Ask {
        std::size_t cursor = 0;
        Oid from;
        bool guess = false;  ///< a guessed OID, not the end of what is known
    };
    static constexpr std::uint32_t kMaxRowGuesses = 16;
    static constexpr std::uint32_t kMaxColumnGuesses = 4;

    /// Sorts and joins the islands; an island whose end is known absorbs those after it.
    static void merge_islands(std::vector<Island>& islands) {
        std::sort(islands.begin(), islands.end(),
                  [](const Island& a, const Island& b) { return a.from < b.from; });
        std::vector<Island> out;
        for (auto& isl : islands) {
            if (!out.empty() && (out.back().end || !(out.back().to < isl.from))) {
                Island& cur = out.back();
                if (cur.end) continue;
                if (isl.end) {
                    cur.end = true;
                } else if (cur.to < isl.to) {
                    cur.to = std::move(isl.to);
                }
                continue;
            }
            out.push_back(std::move(isl));
        }
        islands = std::move(out);
    }

    /// Joins a cursor's islands; one running from the root to the end completes its walk.
    static void settle(Cursor& c) {
        merge_islands(c.islands);
        if (c.islands.size() == 1 && c.islands.front().end) c.done = true;
    }

    /// OIDs whose GETNEXT may find what lies after `e` in `root` before `limit` (the next
    /// island, if any): the next rows (the last arc counted on) and the next few columns (the
    /// arc under the root counted on), interleaved, most likely first.
    static std::vector<Oid> guesses_after(const Oid& root, const Oid& e, const Oid* limit) {
        std::vector<Oid> out;
        if (e.size() <= root.size()) return out;
        const std::size_t col = root.size();
        const std::size_t last = e.size() - 1;
        const auto add = [&](std::size_t at, std::uint32_t j) {
            if (e[at] > UINT32_MAX - j) return false;
            Oid g(e.begin(), e.begin() + static_cast<long>(at) + 1);
            g[at] += j;
            if (limit && !(g < *limit)) return false;
            out.push_back(std::move(g));
            return true;
        };
        bool rows = true;
        bool cols = last != col;  // a single arc under the root: rows and columns are one
        // The next columns first: a table entry walked whole opens all its columns at once,
        // and its short columns waste no varbinds on rows past their end.
        for (std::uint32_t j = 1; j <= kMaxRowGuesses && (rows || cols); ++j) {
            cols = cols && j <= kMaxColumnGuesses && add(col, j);
            rows = rows && add(last, j);
        }
        return out;
    }

    void send_walk_v1() {
        std::vector<Ask> asks;
        std::vector<std::vector<Oid>> guess_lists;  // per (cursor, island end)
        std::vector<std::size_t> guess_owner;
        for (std::size_t i = 0; i < cursors_.size(); ++i) {
            Cursor& c = cursors_[i];
            if (c.done) continue;
            // Also where a GETBULK walk fell back to GETNEXT: what it read is the first island.
            if (c.islands.empty()) c.islands.push_back({c.root, c.last, false});
            for (std::size_t k = 0; k < c.islands.size(); ++k) {
                const Island& isl = c.islands[k];
                if (isl.end) continue;
                asks.push_back({i, isl.to, false});
                const Oid* limit = k + 1 < c.islands.size() ? &c.islands[k + 1].from : nullptr;
                auto g = guesses_after(c.root, isl.to, limit);
                if (guess_ceiling_) {
                    g.erase(std::remove_if(g.begin(), g.end(),
                                           [this](const Oid& o) { return !(o < *guess_ceiling_); }),
                            g.end());
                }
                if (!g.empty()) {
                    guess_lists.push_back(std::move(g));
                    guess_owner.push_back(i);
                }
            }
        }
        if (asks.empty()) {
            step();
            return;
        }
        if (asks.size() > v1_budget_) asks.resize(v1_budget_);
        // The guesses share what is left of the budget, one round at a time.
        for (std::size_t round = 0; asks.size() < v1_budget_; ++round) {
            bool any = false;
            for (std::size_t g = 0; g < guess_lists.size() && asks.size() < v1_budget_; ++g) {
                if (round < guess_lists[g].size()) {
                    asks.push_back({guess_owner[g], guess_lists[g][round], true});
                    any = true;
                }
            }
            if (!any) break;
        }
        Request req;
        req.type = PduType::get_next;
        req.oids.reserve(asks.size());
        for (const auto& a : asks) req.oids.push_back(a.from);
        ++result_.requests;
        engine_.send(session_, std::move(req),
                     [self = shared_from_this(),
                      asks = std::move(asks)](tl::expected<Response, SnmpError> r) mutable {
                         self->on_walk_v1(asks, std::move(r));
                     });
    }

    void on_walk_v1(const std::vector<Ask>& asks, tl::expected<Response, SnmpError> r) {
        if (!r) {
            // An agent that drops a request too large for it instead of answering tooBig:
            // smaller requests before the walk is given up (a device gone costs a few
            // timeouts more, once).
            if (smaller_after_timeout(r.error(), asks.size(), v1_budget_)) {
                step();
                return;
            }
            if (handle_failure(r.error(), "walk failed")) return;
            for (const auto& a : asks) cursors_[a.cursor].done = true;
            step();
            return;
        }
        answered();
        const Response& resp = *r;
        if (const auto missing = no_such_name_at(resp, asks.size())) {
            // Nothing after that OID (the end of the MIB, or an object the agent cannot send
            // over SNMPv1). A guess: no more guesses from there on, the walk itself will find
            // whatever lies beyond. The walk: the end of that subtree, as a plain GETNEXT walk
            // would take it. Then the same request again without it.
            const Ask& failed = asks[*missing];
            if (failed.guess) {
                if (!guess_ceiling_ || failed.from < *guess_ceiling_) guess_ceiling_ = failed.from;
            } else {
                Cursor& c = cursors_[failed.cursor];
                for (auto& isl : c.islands) {
                    if (isl.to == failed.from) isl.end = true;
                }
                settle(c);
            }
            step();
            return;
        }
        if (resp.error_status == kTooBig && v1_budget_ > 1) {
            v1_budget_ = std::max<std::size_t>(1, v1_budget_ / 2);
            step();
            return;
        }
        if (resp.error_status != 0 && asks.size() > 1) {
            // Some agents answer genErr to a request with more varbinds than they handle (the
            // GET path retries such a PDU one OID at a time): fewer at a time, down to one.
            v1_budget_ = std::max<std::size_t>(1, asks.size() / 4);
            result_.notes.push_back("GETNEXT of " + std::to_string(asks.size()) +
                                    " varbinds: error-status " + std::to_string(resp.error_status) +
                                    "; asking " + std::to_string(v1_budget_) + " at a time");
            step();
            return;
        }
        if (resp.error_status != 0 || resp.varbinds.empty()) {
            result_.notes.push_back("walk: error-status " + std::to_string(resp.error_status) +
                                    (resp.varbinds.empty() ? ", no varbinds" : ""));
            for (const auto& a : asks) cursors_[a.cursor].done = true;
            step();
            return;
        }
        const std::size_t n = std::min(asks.size(), resp.varbinds.size());
        for (std::size_t k = 0; k < n; ++k) {
            Cursor& c = cursors_[asks[k].cursor];
            if (c.done) continue;
            const Oid& from = asks[k].from;
            const VarBind& vb = resp.varbinds[k];
            Island learnt{from, {}, false};
            if (vb.value.type == ValueType::end_of_mib_view || !starts_with(vb.oid, c.root)) {
                learnt.end = true;
            } else if (!(from < vb.oid)) {
                result_.notes.push_back("agent returned non-increasing OID " + to_string(vb.oid) +
                                        " after " + to_string(from) + "; stopped walking " +
                                        to_string(c.root));
                c.done = true;
                continue;
            } else {
                learnt.to = vb.oid;
                // A value not kept (NULL from a broken agent) counts each time, so an endless
                // run of them still meets the guard.
                if (vb.value.is_missing() || result_.view.emplace(vb.oid, vb.value).second) {
                    ++c.count;
                }
            }
            c.islands.push_back(std::move(learnt));
        }
        for (Cursor& c : cursors_) {
            if (c.done || c.islands.empty()) continue;
            settle(c);
            if (!c.done) guard_subtree(c);
        }
        guard_total();
        step();
    }

    /// The endless-table guard: a subtree past max_per_subtree values stops with a note.
    void guard_subtree(Cursor& c) {
        if (c.count < options_.max_per_subtree) return;
        result_.notes.push_back("subtree " + to_string(c.root) + " truncated at " +
                                std::to_string(c.count) + " values");
        c.done = true;
    }

    /// The per-device guard: past max_total values every walk stops with a note.
    void guard_total() {
        if (result_.view.size() < options_.max_total) return;
        result_.notes.push_back("device returned more than " + std::to_string(options_.max_total) +
                                " values; stopped");
        for (auto& c : cursors_) c.done = true;
    }

    /// Column rows of a GETBULK (rows of active.size() varbinds) or a GETNEXT (one row).
    void absorb_rows(const std::vector<std::size_t>& active, const std::vector<VarBind>& rows) {
        const std::size_t width = active.size();
        if (rows.empty()) {
            for (auto i : active) cursors_[i].done = true;
        }
        for (std::size_t k = 0; k < rows.size(); ++k) {
            Cursor& c = cursors_[active[k % width]];
            if (c.done) continue;
            const VarBind& vb = rows[k];
            if (vb.value.type == ValueType::end_of_mib_view || !starts_with(vb.oid, c.root)) {
                c.done = true;
                continue;
            }
            if (vb.oid <= c.last) {
                result_.notes.push_back("agent returned non-increasing OID " + to_string(vb.oid) +
                                        " after " + to_string(c.last) + "; stopped walking " +
                                        to_string(c.root));
                c.done = true;
                continue;
            }
            c.last = vb.oid;
            store(vb);
            ++c.count;
            guard_subtree(c);
        }
        guard_total();
    }

    void store(const VarBind& vb) {
        if (vb.value.is_missing()) return;
        result_.view[vb.oid] = vb.value;
    }

    Engine& engine_;
    std::shared_ptr<Session> session_;
    std::vector<Oid> pending_;
    std::vector<Cursor> cursors_;
    FetchOptions options_;
    FetchDone done_;
    FetchResult result_;
    std::size_t chunk_ = options_.get_chunk;
    std::size_t singles_ = 0;  ///< OIDs at the front of pending_ to GET one at a time
    bool use_bulk_ = true;
    int bulk_reps_limit_ = 0;
    /// SNMPv1 walks: varbinds per GETNEXT (halved on tooBig), and the OID from which on no
    /// more guesses are asked (a guess there got noSuchName: usually the end of the MIB).
    std::size_t v1_budget_ = std::min<std::size_t>(options_.get_chunk, 48);
    std::optional<Oid> guess_ceiling_;
    static constexpr int kMaxTimeoutsInARow = 3;
    int timeouts_in_a_row_ = 0;  ///< requests timed out since the device last answered
    bool finished_ = false;
    bool combined_tried_ = false;
};

}  // namespace

void fetch(Engine& engine, std::shared_ptr<Session> session, std::vector<Oid> scalars,
           std::vector<Oid> subtrees, FetchOptions options, FetchDone done) {
    auto f = std::make_shared<Fetch>(engine, std::move(session), std::move(scalars),
                                     std::move(subtrees), options, std::move(done));
    f->step();
}

}  // namespace printmon::scanner::snmp
