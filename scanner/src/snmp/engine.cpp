#include "snmp/engine.hpp"
#include "snmp/varbind.hpp"

// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
// clang-format on

#include <poll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace printmon::scanner::snmp {
namespace {

// net-snmp reads config files and MIBs and writes persistent state unless told not to; we
// want none of that in a service (numeric OIDs only, nothing under /etc/snmp or /var/lib).
void init_netsnmp_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        setenv("MIBS", "", 1);
        setenv("MIBDIRS", "", 1);
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_QUICK_PRINT, 1);
        snmp_disable_log();
        init_snmp("printmon");
    });
}

}  // namespace

// Declared in varbind.hpp (the fuzzer calls it too).
Value to_value(const netsnmp_variable_list* v) {
    Value out;
    switch (v->type) {
        case ASN_INTEGER:
            out.type = ValueType::integer;
            out.number = v->val.integer != nullptr ? *v->val.integer : 0;
            break;
        case ASN_COUNTER:
        case ASN_GAUGE:
        case ASN_TIMETICKS: {
            out.type = v->type == ASN_COUNTER ? ValueType::counter32
                       : v->type == ASN_GAUGE ? ValueType::gauge32
                                              : ValueType::timeticks;
            // net-snmp stores these unsigned 32-bit values in a long; mask sign extension.
            const auto raw = v->val.integer != nullptr ? *v->val.integer : 0;
            out.number = static_cast<std::int64_t>(static_cast<std::uint32_t>(raw));
            break;
        }
        case ASN_COUNTER64: {
            out.type = ValueType::counter64;
            if (v->val.counter64 != nullptr) {
                const std::uint64_t u = (static_cast<std::uint64_t>(v->val.counter64->high) << 32) |
                                        (v->val.counter64->low & 0xffffffffUL);
                out.number = u > static_cast<std::uint64_t>(INT64_MAX)
                                 ? INT64_MAX
                                 : static_cast<std::int64_t>(u);
            }
            break;
        }
        case ASN_OCTET_STR:
        case ASN_OPAQUE:
        case ASN_IPADDRESS:
            out.type = v->type == ASN_OCTET_STR ? ValueType::octets
                       : v->type == ASN_OPAQUE  ? ValueType::opaque
                                                : ValueType::ip_address;
            if (v->val.string != nullptr) {
                out.bytes.assign(reinterpret_cast<const char*>(v->val.string), v->val_len);
            }
            break;
        case ASN_OBJECT_ID:
            out.type = ValueType::object_id;
            if (v->val.objid != nullptr) {
                const std::size_t n = v->val_len / sizeof(oid);
                for (std::size_t i = 0; i < n; ++i) {
                    out.oid.push_back(static_cast<std::uint32_t>(v->val.objid[i]));
                }
            }
            break;
        case SNMP_NOSUCHOBJECT:
            out.type = ValueType::no_such_object;
            break;
        case SNMP_NOSUCHINSTANCE:
            out.type = ValueType::no_such_instance;
            break;
        case SNMP_ENDOFMIBVIEW:
            out.type = ValueType::end_of_mib_view;
            break;
        default:
            // ASN_NULL and anything exotic (opaque floats, NsapAddress): no usable value.
            out.type = ValueType::null;
            break;
    }
    return out;
}

namespace {

Oid to_oid(const oid* name, std::size_t len) {
    Oid out;
    out.reserve(len);
    for (std::size_t i = 0; i < len; ++i) out.push_back(static_cast<std::uint32_t>(name[i]));
    return out;
}

struct AuthProto {
    const char* name;
    const oid* proto;
    std::size_t len;
};

const oid* auth_oid(const std::string& name, std::size_t& len) {
    static const std::array<AuthProto, 6> kProtos = {{
        {"MD5", usmHMACMD5AuthProtocol, 10},
        {"SHA", usmHMACSHA1AuthProtocol, 10},
        {"SHA-224", usmHMAC128SHA224AuthProtocol, 10},
        {"SHA-256", usmHMAC192SHA256AuthProtocol, 10},
        {"SHA-384", usmHMAC256SHA384AuthProtocol, 10},
        {"SHA-512", usmHMAC384SHA512AuthProtocol, 10},
    }};
    for (const auto& p : kProtos) {
        if (strcasecmp(p.name, name.c_str()) == 0) {
            len = p.len;
            return p.proto;
        }
    }
    return nullptr;
}

const oid* priv_oid(const std::string& name, std::size_t& len) {
    if (strcasecmp(name.c_str(), "DES") == 0) {
        len = 10;
        return usmDESPrivProtocol;
    }
    if (strcasecmp(name.c_str(), "AES") == 0 || strcasecmp(name.c_str(), "AES-128") == 0) {
        len = 10;
        return usmAESPrivProtocol;
    }
    if (strcasecmp(name.c_str(), "AES-192") == 0) {
        len = 9;
        return usmAES192PrivProtocol;
    }
    if (strcasecmp(name.c_str(), "AES-256") == 0) {
        len = 9;
        return usmAES256PrivProtocol;
    }
    return nullptr;
}

// net-snmp hands out malloc'd memory in a few places (errors, duplicated OIDs).
template <typename T>
void free_c(T*& p) {
    // NOLINTNEXTLINE(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory)
    std::free(p);
    p = nullptr;
}

std::string snmp_error_text(int err) {
    const char* s = snmp_api_errstring(err);
    return s != nullptr ? s : "unknown net-snmp error";
}

}  // namespace

// Bridges net-snmp's C callback to the engine's private members.
struct CallbackAccess {
    static int on_callback(int op, netsnmp_session* /*sess*/, int /*reqid*/, netsnmp_pdu* pdu,
                           void* magic) {
        auto* session = static_cast<Session*>(magic);
        // Exceptions must never cross into net-snmp's C stack.
        try {
            switch (op) {
                case NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE: {
                    if (pdu == nullptr) {
                        session->engine_.complete(
                            session, tl::unexpected(SnmpError{ErrorCode::internal, "empty pdu"}));
                        break;
                    }
                    if (pdu->command == SNMP_MSG_REPORT) {
                        session->engine_.complete(
                            session,
                            tl::unexpected(SnmpError{
                                ErrorCode::auth,
                                "SNMPv3 report: " + snmp_error_text(snmpv3_get_report_type(pdu))}));
                        break;
                    }
                    Response r;
                    r.error_status = pdu->errstat;
                    r.error_index = pdu->errindex;
                    for (auto* v = pdu->variables; v != nullptr; v = v->next_variable) {
                        r.varbinds.push_back({to_oid(v->name, v->name_length), to_value(v)});
                    }
                    session->engine_.complete(session, std::move(r));
                    break;
                }
                case NETSNMP_CALLBACK_OP_TIMED_OUT:
                    session->engine_.complete(
                        session, tl::unexpected(SnmpError{ErrorCode::timeout, "no response"}));
                    break;
                case NETSNMP_CALLBACK_OP_SEND_FAILED:
                case NETSNMP_CALLBACK_OP_DISCONNECT:
                    session->engine_.complete(
                        session, tl::unexpected(SnmpError{ErrorCode::unreachable,
                                                          "send failed or connection lost"}));
                    break;
                case NETSNMP_CALLBACK_OP_SEC_ERROR:
                    session->engine_.complete(
                        session, tl::unexpected(SnmpError{ErrorCode::auth, "security error"}));
                    break;
                default:
                    // NETSNMP_CALLBACK_OP_RESEND fires before each retry: not a final result.
                    break;
            }
        } catch (...) {
            // complete() only moves data; reaching here means memory exhaustion. Dropping the
            // result is safer than unwinding through C frames.
        }
        return 1;
    }
};

std::string to_string(Version v) {
    switch (v) {
        case Version::v1:
            return "1";
        case Version::v2c:
            return "2c";
        case Version::v3:
            return "3";
    }
    return "?";
}

tl::expected<Version, std::string> parse_version(const std::string& text) {
    if (text == "1" || text == "v1") return Version::v1;
    if (text == "2c" || text == "v2c" || text == "2") return Version::v2c;
    if (text == "3" || text == "v3") return Version::v3;
    return tl::unexpected("unknown SNMP version '" + text + "' (expected 1, 2c or 3)");
}

std::string to_string(ErrorCode code) {
    switch (code) {
        case ErrorCode::timeout:
            return "timeout";
        case ErrorCode::unreachable:
            return "unreachable";
        case ErrorCode::bad_target:
            return "bad_target";
        case ErrorCode::auth:
            return "auth";
        case ErrorCode::agent_error:
            return "agent_error";
        case ErrorCode::internal:
            return "internal";
    }
    return "?";
}

Session::~Session() {
    if (handle_ != nullptr) snmp_sess_close(handle_);
}

Engine::Engine(EngineOptions options) : options_(options) {
    init_netsnmp_once();
    if (options_.max_in_flight == 0) options_.max_in_flight = 1;
}

Engine::~Engine() = default;

tl::expected<std::shared_ptr<Session>, SnmpError> Engine::open(const Target& target) {
    std::shared_ptr<Session> session(new Session(*this, target));  // NOLINT: private ctor
    netsnmp_session s;
    snmp_sess_init(&s);
    // "udp:" forces IPv4/UDP; IPv6 literals need "udp6:[addr]".
    const bool v6 = target.host.find(':') != std::string::npos;
    std::string peer = (v6 ? "udp6:[" + target.host + "]" : "udp:" + target.host) + ":" +
                       std::to_string(target.port);
    s.peername = peer.data();
    s.timeout = static_cast<long>(
        std::chrono::duration_cast<std::chrono::microseconds>(target.timeout).count());
    s.retries = target.retries;
    s.callback = &CallbackAccess::on_callback;
    s.callback_magic = session.get();
    const Credentials& c = target.credentials;
    std::string community = c.community;
    std::string user = c.user;
    std::string context = c.context;
    std::vector<u_char> auth_key(USM_AUTH_KU_LEN);
    std::vector<u_char> priv_key(USM_PRIV_KU_LEN);
    switch (c.version) {
        case Version::v1:
        case Version::v2c:
            s.version = c.version == Version::v1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
            s.community = reinterpret_cast<u_char*>(community.data());
            s.community_len = community.size();
            break;
        case Version::v3: {
            s.version = SNMP_VERSION_3;
            if (user.empty()) {
                return tl::unexpected(SnmpError{ErrorCode::bad_target, "SNMPv3 needs a user"});
            }
            s.securityName = user.data();
            s.securityNameLen = user.size();
            s.contextName = context.data();
            s.contextNameLen = context.size();
            s.securityLevel = SNMP_SEC_LEVEL_NOAUTH;
            if (!c.auth_protocol.empty()) {
                std::size_t len = 0;
                const oid* proto = auth_oid(c.auth_protocol, len);
                if (proto == nullptr) {
                    return tl::unexpected(
                        SnmpError{ErrorCode::bad_target,
                                  "unknown SNMPv3 auth protocol '" + c.auth_protocol +
                                      "' (MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512)"});
                }
                if (c.auth_password.size() < 8) {
                    return tl::unexpected(
                        SnmpError{ErrorCode::bad_target,
                                  "SNMPv3 auth password must be at least 8 characters"});
                }
                s.securityAuthProto = snmp_duplicate_objid(proto, len);
                s.securityAuthProtoLen = len;
                s.securityAuthKeyLen = USM_AUTH_KU_LEN;
                if (generate_Ku(proto, static_cast<u_int>(len),
                                reinterpret_cast<const u_char*>(c.auth_password.data()),
                                c.auth_password.size(), s.securityAuthKey,
                                &s.securityAuthKeyLen) != SNMPERR_SUCCESS) {
                    return tl::unexpected(
                        SnmpError{ErrorCode::bad_target, "cannot derive SNMPv3 auth key"});
                }
                s.securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
                if (!c.priv_protocol.empty()) {
                    std::size_t plen = 0;
                    const oid* pproto = priv_oid(c.priv_protocol, plen);
                    if (pproto == nullptr) {
                        return tl::unexpected(
                            SnmpError{ErrorCode::bad_target, "unknown SNMPv3 privacy protocol '" +
                                                                 c.priv_protocol +
                                                                 "' (DES, AES, AES-192, AES-256)"});
                    }
                    if (c.priv_password.size() < 8) {
                        return tl::unexpected(
                            SnmpError{ErrorCode::bad_target,
                                      "SNMPv3 privacy password must be at least 8 characters"});
                    }
                    s.securityPrivProto = snmp_duplicate_objid(pproto, plen);
                    s.securityPrivProtoLen = plen;
                    s.securityPrivKeyLen = USM_PRIV_KU_LEN;
                    if (generate_Ku(proto, static_cast<u_int>(len),
                                    reinterpret_cast<const u_char*>(c.priv_password.data()),
                                    c.priv_password.size(), s.securityPrivKey,
                                    &s.securityPrivKeyLen) != SNMPERR_SUCCESS) {
                        return tl::unexpected(
                            SnmpError{ErrorCode::bad_target, "cannot derive SNMPv3 privacy key"});
                    }
                    s.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
                }
            }
            break;
        }
    }
    // snmp_sess_open copies what it needs from `s`; for v3 it probes the engine ID
    // synchronously (bounded by timeout x retries).
    session->handle_ = snmp_sess_open(&s);
    // snmp_sess_open duplicated the protocol OIDs; release our copies.
    free_c(s.securityAuthProto);
    free_c(s.securityPrivProto);
    if (session->handle_ == nullptr) {
        int liberr = 0;
        int syserr = 0;
        char* errstr = nullptr;
        snmp_error(&s, &liberr, &syserr, &errstr);
        std::string detail = errstr != nullptr ? errstr : "cannot open session";
        free_c(errstr);
        const auto code = c.version == Version::v3 && liberr != SNMPERR_BAD_ADDRESS
                              ? ErrorCode::timeout
                              : ErrorCode::bad_target;
        return tl::unexpected(SnmpError{code, target.host + ": " + detail});
    }
    return session;
}

void Engine::send(const std::shared_ptr<Session>& session, Request request,
                  ResponseHandler handler) {
    session->queue_.push_back({std::move(request), std::move(handler)});
    if (!session->busy_) {
        session->busy_ = true;
        ready_.push_back(session);
    }
}

void Engine::post(std::function<void()> fn) { posted_.push_back(std::move(fn)); }

void Engine::start(const std::shared_ptr<Session>& session) {
    auto pending = std::move(session->queue_.front());
    session->queue_.pop_front();
    const Request& req = pending.request;
    const int command = static_cast<int>(req.type == PduType::get        ? SNMP_MSG_GET
                                         : req.type == PduType::get_next ? SNMP_MSG_GETNEXT
                                                                         : SNMP_MSG_GETBULK);
    netsnmp_pdu* pdu = snmp_pdu_create(command);
    if (req.type == PduType::get_bulk) {
        pdu->non_repeaters = req.nonrepeaters;
        pdu->max_repetitions = req.max_reps;
    }
    std::vector<oid> buf;
    for (const auto& o : req.oids) {
        buf.assign(o.begin(), o.end());
        snmp_add_null_var(pdu, buf.data(), buf.size());
    }
    session->current_ = std::move(pending.handler);
    ++stats_.requests_sent;
    if (snmp_sess_async_send(session->handle_, pdu, &CallbackAccess::on_callback, session.get()) ==
        0) {
        // Ownership of the PDU passes to net-snmp only on success.
        snmp_free_pdu(pdu);
        int liberr = 0;
        int syserr = 0;
        char* errstr = nullptr;
        snmp_sess_error(session->handle_, &liberr, &syserr, &errstr);
        std::string detail = errstr != nullptr ? errstr : "send failed";
        free_c(errstr);
        done_.emplace_back(session, tl::unexpected(SnmpError{ErrorCode::unreachable, detail}));
        return;
    }
    ++in_flight_;
    active_[session.get()] = session;
}

void Engine::complete(Session* session, tl::expected<Response, SnmpError> result) {
    auto it = active_.find(session);
    if (it == active_.end()) return;  // late duplicate
    auto keep = std::move(it->second);
    active_.erase(it);
    --in_flight_;
    if (result) {
        ++stats_.responses;
    } else if (result.error().code == ErrorCode::timeout) {
        ++stats_.timeouts;
    } else {
        ++stats_.errors;
    }
    done_.emplace_back(std::move(keep), std::move(result));
}

void Engine::pump() {
    while (in_flight_ < options_.max_in_flight && !ready_.empty()) {
        auto s = std::move(ready_.front());
        ready_.pop_front();
        start(s);
    }
}

void Engine::run() {
    netsnmp_large_fd_set fdset;
    netsnmp_large_fd_set_init(&fdset, FD_SETSIZE);
    std::vector<pollfd> pfds;
    std::vector<Session*> by_index;
    for (;;) {
        while (!posted_.empty()) {
            auto fn = std::move(posted_.front());
            posted_.pop_front();
            fn();
        }
        pump();
        if (!done_.empty()) {
            auto batch = std::move(done_);
            done_.clear();
            for (auto& [session, result] : batch) {
                auto handler = std::move(session->current_);
                session->current_ = nullptr;
                if (session->queue_.empty()) {
                    session->busy_ = false;
                } else {
                    ready_.push_back(session);
                }
                if (handler) handler(std::move(result));
            }
            continue;
        }
        if (active_.empty()) {
            if (posted_.empty() && ready_.empty()) break;
            continue;
        }
        // Earliest retransmission/timeout deadline over all sessions.
        pfds.clear();
        by_index.clear();
        timeval tv{1, 0};
        for (auto& [raw, session] : active_) {
            int numfds = 0;
            int block = 0;
            NETSNMP_LARGE_FD_ZERO(&fdset);
            snmp_sess_select_info2(raw->handle_, &numfds, &fdset, &tv, &block);
            netsnmp_transport* t = snmp_sess_transport(raw->handle_);
            if (t != nullptr && t->sock >= 0) {
                pfds.push_back({t->sock, POLLIN, 0});
                by_index.push_back(raw);
            }
        }
        const long ms = tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
        const int rc = poll(pfds.data(), pfds.size(), static_cast<int>(std::clamp(ms, 0L, 1000L)));
        if (rc < 0 && errno != EINTR) {
            netsnmp_large_fd_set_cleanup(&fdset);
            throw std::runtime_error(std::string("poll failed: ") + std::strerror(errno));
        }
        for (std::size_t i = 0; i < pfds.size(); ++i) {
            if ((pfds[i].revents & (POLLIN | POLLERR | POLLHUP)) == 0) continue;
            Session* raw = by_index[i];
            if (active_.find(raw) == active_.end()) continue;
            NETSNMP_LARGE_FD_ZERO(&fdset);
            NETSNMP_LARGE_FD_SET(pfds[i].fd, &fdset);
            snmp_sess_read2(raw->handle_, &fdset);
        }
        // Retransmit or time out whatever is due; cheap for sessions with nothing due.
        std::vector<Session*> snapshot;
        snapshot.reserve(active_.size());
        for (auto& [raw, s] : active_) snapshot.push_back(raw);
        for (Session* raw : snapshot) {
            if (active_.count(raw) != 0) snmp_sess_timeout(raw->handle_);
        }
    }
    netsnmp_large_fd_set_cleanup(&fdset);
}

}  // namespace printmon::scanner::snmp
