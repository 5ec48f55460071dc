-- printmon cloud schema, version 16: "forgot password", a self-service password reset by an
-- e-mailed link (POST /api/v1/auth/password-reset and .../confirm). Forward-only.
--
-- A reset token is "pmr.<tenant>.<secret>" (cloud-api/src/auth/password_reset.hpp): the tenant
-- id inside lets the lookup lead with tenant_id, and only SHA-256(token) is stored. A token is
-- used once (used_at); asking again revokes the user's older unused tokens (revoked_at); past
-- expires_at it is refused. Rows stay a day past their expiry (who asked, when, whether it was
-- used), then the tenant's next request deletes them.
CREATE TABLE password_resets (
    tenant_id  uuid        NOT NULL,
    token_hash bytea       NOT NULL CHECK (length(token_hash) = 32),
    user_id    uuid        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX password_resets_unused ON password_resets (tenant_id, user_id)
    WHERE used_at IS NULL AND revoked_at IS NULL;
CREATE INDEX password_resets_expiry ON password_resets (tenant_id, expires_at);

-- The outbox also carries messages to one person rather than to a channel (the reset link): no
-- channel, the address in `recipient`. The sender delivers them like any e-mail (same leases,
-- retries, idempotency key); the delivery log does not list them (it lists channel messages, and
-- a tenant admin must not read a user's reset link), and their body is blanked once delivered or
-- given up (cloud-api/src/alerts/sender.cpp), so the link does not outlive its use in the table.
ALTER TABLE notifications
    ALTER COLUMN channel_id DROP NOT NULL,
    ADD COLUMN recipient text CHECK (recipient IS NULL OR length(recipient) BETWEEN 3 AND 254),
    ADD CONSTRAINT notifications_one_target CHECK ((channel_id IS NULL) <> (recipient IS NULL)),
    DROP CONSTRAINT notifications_event_check,
    ADD CONSTRAINT notifications_event_check
        CHECK (event IN ('opened', 'resolved', 'digest', 'test', 'password_reset'));
