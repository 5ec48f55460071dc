-- The branch's own audit log: who changed the scanner's settings from its web UI or API, and
-- when, from which address. A dealer's technician and an office's IT share the scanner's
-- admin password; when the community string, a discovery range or the cloud key changes, the
-- branch had no answer to "who did it, from where" (the cloud's audit log sees only the
-- cloud). One row per change that succeeded (written right after it commits: a crash between
-- the two loses the row, never the change), one per failed sign-in of a known user. Never a
-- secret: no password, community, SNMPv3 pass phrase, token or cloud key. Pruned with the
-- events, past scanner.toml [retention] events_age_s (400 days by default).
CREATE TABLE web_audit_log (
    entry_id   bigserial   PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_kind text        NOT NULL CHECK (actor_kind IN ('user', 'token', 'anonymous')),
    actor      text        NOT NULL DEFAULT '' CHECK (length(actor) <= 200),
    action     text        NOT NULL CHECK (action ~ '^[a-z_]{1,48}$'),
    target     text        NOT NULL DEFAULT '' CHECK (length(target) <= 400),
    detail     text        NOT NULL DEFAULT '' CHECK (length(detail) <= 400),
    address    text        NOT NULL DEFAULT '' CHECK (length(address) <= 64)
);
-- The list reads newest first; the pruner oldest first.
CREATE INDEX web_audit_log_at ON web_audit_log (at, entry_id);
