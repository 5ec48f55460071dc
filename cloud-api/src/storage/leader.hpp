#pragma once
// "One at a time over every replica" for background work (the read-model refresh, the timed
// alert sweep): a PostgreSQL session advisory lock held by the connection of the worker that
// does it. The holder keeps it as long as its session lives; when the process dies or loses
// its connection the server releases it, and the next replica to ask takes over (within one
// of its rounds). Rationale: no lease to renew or expire, no clock involved, and after a
// failover the new primary starts with no locks, so the first replica to ask leads again.

#include <cstdint>
#include <string>

#include <pqxx/connection>

namespace printmon::cloud::storage {

/// Background roles that one replica at a time performs.
enum class LeaderRole : std::int32_t {
    refresh = 1,      ///< the analytics read model's background refresh
    alerts_sweep = 2  ///< the alert evaluation of every tenant on the timer
};

std::string to_string(LeaderRole role);

/// Tracks whether this process leads `role` on one connection. Not thread-safe: used by the
/// one thread that owns the connection.
class Leadership {
  public:
    explicit Leadership(LeaderRole role) : role_(role) {}

    /// Takes the lock when it is free or confirms it is still held by this session, in one
    /// round trip. The check, not a remembered flag, decides: libpqxx 6.4 reconnects silently,
    /// and a new session holds no lock. Logs the transitions (acquired, lost). Throws pqxx
    /// errors (a lost connection: the caller reconnects and asks again).
    bool acquire(pqxx::connection& conn);

    /// What the last acquire() answered; false after lost() until the next acquire().
    bool leading() const { return leading_; }

    /// The caller's connection broke: the lock went with the session.
    void lost();

    LeaderRole role() const { return role_; }

  private:
    LeaderRole role_;
    bool leading_ = false;
};

/// The backend pid that holds `role` on this database, or 0 when no session holds it
/// (operators, tests).
int leader_pid(pqxx::connection& conn, LeaderRole role);

}  // namespace printmon::cloud::storage
