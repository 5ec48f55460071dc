-- printmon cloud schema, version 14: state that several cloud-api replicas share. Forward-only.
--
-- The login brake (POST /api/v1/auth/login, POST /api/v1/auth/password) counted failures in
-- each process's memory, so N replicas behind a balancer gave a guesser N times the budget and a
-- restart forgot every lockout. Its failures live here now, one row per failure and key:
--   'p:' || account || E'\n' || address   an account at one client address
--   'r:' || address                       one address over all accounts
-- (see cloud-api/src/auth/login_limiter.hpp). Not tenant data: the key names an e-mail as typed
-- at the sign-in, which may match no tenant or several, so it has no tenant_id to lead with.
-- Rows older than the brake's window are deleted by the next failure; nothing else reads them.
--
-- Who runs the background refresh and the timed alert sweep is decided by session advisory
-- locks (cloud-api/src/storage/leader.hpp), not by a table: a replica that dies loses its
-- session and with it the lock, with no lease to expire.
CREATE TABLE login_failures (
    key        text        NOT NULL CHECK (length(key) <= 600),
    failed_at  timestamptz NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, failed_at DESC);
CREATE INDEX login_failures_age ON login_failures (failed_at);
