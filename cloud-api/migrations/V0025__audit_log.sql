-- printmon cloud schema, version 25: the account's audit log. Forward-only.
--
-- An account with several admins (a dealer's staff, an office's IT) had no answer to "who
-- revoked this scanner's key, who changed the toner rule": the cloud-api log said it, but
-- customers do not read our logs. Each change an account's user or token makes through the API
-- writes one row here, in the transaction of the change: a row exists exactly when the change
-- committed. Rows name their actor by id (the list shows the user's current e-mail or the
-- token's name) and their target by id and the label it had then (a user's e-mail, a scanner's
-- name), never a secret: no password, key, token or webhook secret is ever written here.
-- Kept as long as the account; admins read it (GET /api/v1/audit).
CREATE TABLE audit_log (
    entry_id   bigserial   PRIMARY KEY,
    tenant_id  uuid        NOT NULL REFERENCES tenants (tenant_id),
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_kind text        NOT NULL CHECK (actor_kind IN ('user', 'token', 'admin', 'scanner')),
    actor_id   text        NOT NULL CHECK (length(actor_id) <= 128),
    action     text        NOT NULL CHECK (action ~ '^[a-z_]{1,48}$'),
    target_id  text        NOT NULL DEFAULT '' CHECK (length(target_id) <= 128),
    target     text        NOT NULL DEFAULT '' CHECK (length(target) <= 400),
    detail     text        NOT NULL DEFAULT '' CHECK (length(detail) <= 400),
    address    text        NOT NULL DEFAULT '' CHECK (length(address) <= 64)
);
-- The list reads one tenant's newest first.
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at DESC, entry_id DESC);
