#pragma once
// Asynchronous SNMP client on net-snmp's single-session API, driven by one poll() loop on the
// calling thread. Rationale: Debian's net-snmp is not reentrant, so every net-snmp call
// happens on the thread that calls Engine::run(); concurrency comes from many sessions with
// requests in flight at once, bounded overall.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <tl/expected.hpp>
#include <unordered_map>
#include <vector>

#include "snmp/value.hpp"

namespace printmon::scanner::snmp {

enum class Version { v1, v2c, v3 };

/// One credential set. v3 fields are ignored for v1/v2c.
struct Credentials {
    Version version = Version::v2c;
    std::string community = "public";
    std::string user;
    std::string auth_protocol;  ///< "", MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512
    std::string auth_password;
    std::string priv_protocol;  ///< "", DES, AES, AES-192, AES-256
    std::string priv_password;
    std::string context;  ///< HP answers under "Jetdirect", Toshiba under "MFP"
    bool operator==(const Credentials&) const = default;
};

std::string to_string(Version v);
tl::expected<Version, std::string> parse_version(const std::string& text);

/// Where and how to ask.
struct Target {
    std::string host;
    std::uint16_t port = 161;
    Credentials credentials;
    std::chrono::milliseconds timeout{1000};
    int retries = 1;
};

enum class ErrorCode {
    timeout,      ///< no answer after all retries
    unreachable,  ///< send or receive failed (closed port on loopback, no route)
    bad_target,   ///< host name does not resolve, bad credentials config
    auth,         ///< SNMPv3 authentication/decryption/unknown user/engine errors
    agent_error,  ///< the agent answered with a non-zero error-status
    internal
};

struct SnmpError {
    ErrorCode code = ErrorCode::internal;
    std::string detail;
};
std::string to_string(ErrorCode code);

enum class PduType { get, get_next, get_bulk };

struct Request {
    PduType type = PduType::get;
    std::vector<Oid> oids;
    // Not named non_repeaters/max_repetitions: net-snmp #defines those tokens.
    int nonrepeaters = 0;
    int max_reps = 10;
};

struct VarBind {
    Oid oid;
    Value value;
};

struct Response {
    std::vector<VarBind> varbinds;
    long error_status = 0;  ///< SNMP error-status (0 = noError)
    long error_index = 0;   ///< 1-based, as on the wire
};

using ResponseHandler = std::function<void(tl::expected<Response, SnmpError>)>;

struct EngineOptions {
    /// Requests outstanding at once, all targets together. 512: a /24 swept in one window, each
    /// host asked over v2c and v1 together (discovery::DiscoverOptions).
    std::size_t max_in_flight = 512;
};

/// Counters for benchmarks and logs.
struct EngineStats {
    std::uint64_t requests_sent = 0;
    std::uint64_t responses = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t errors = 0;
};

class Engine;
struct CallbackAccess;

/// One target's session. Requests on one session run one at a time (printers are slow agents).
class Session {
  public:
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const Target& target() const { return target_; }

  private:
    friend class Engine;
    friend struct CallbackAccess;
    struct Pending {
        Request request;
        ResponseHandler handler;
    };
    Session(Engine& engine, Target target) : engine_(engine), target_(std::move(target)) {}

    Engine& engine_;
    Target target_;
    void* handle_ = nullptr;  ///< net-snmp single-session handle, closed in the destructor
    bool busy_ = false;
    std::deque<Pending> queue_;
    ResponseHandler current_;
};

class Engine {
  public:
    explicit Engine(EngineOptions options = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// Opens a session (no network traffic for v1/v2c; SNMPv3 engine discovery happens on the
    /// first request). Fails for unresolvable hosts or unusable v3 settings.
    tl::expected<std::shared_ptr<Session>, SnmpError> open(const Target& target);

    /// Queues a request; the handler runs on the engine thread inside run().
    void send(const std::shared_ptr<Session>& session, Request request, ResponseHandler handler);

    /// Runs a callable on the engine thread at the next loop turn (used to start work).
    void post(std::function<void()> fn);

    /// Processes I/O until no request is outstanding or queued and nothing is posted.
    void run();

    const EngineStats& stats() const { return stats_; }

  private:
    friend class Session;
    void pump();
    void start(const std::shared_ptr<Session>& session);
    void complete(Session* session, tl::expected<Response, SnmpError> result);
    friend struct CallbackAccess;

    EngineOptions options_;
    EngineStats stats_;
    std::size_t in_flight_ = 0;
    std::deque<std::shared_ptr<Session>> ready_;  ///< sessions waiting for an in-flight slot
    std::unordered_map<Session*, std::shared_ptr<Session>>
        active_;  ///< sessions with a request out
    std::deque<std::function<void()>> posted_;
    /// Results collected inside net-snmp callbacks, dispatched after snmp_sess_read returns:
    /// a handler may start the next request or drop the last reference to its session, and
    /// net-snmp must not see its session closed from inside its own callback.
    std::vector<std::pair<std::shared_ptr<Session>, tl::expected<Response, SnmpError>>> done_;
};

}  // namespace printmon::scanner::snmp
