-- printmon cloud schema, version 7: what the cloud console needs. Forward-only.

-- Trial and licence of a tenant. A new tenant gets a 60-day trial. When neither the trial nor a
-- licence is current, or the tenant has more devices than its licence allows, uploads are still
-- stored (branch data is never lost) while console and analytics reads answer 402 until a
-- platform admin extends or licenses the tenant (printmon-cloud-api tenant licence ...).
-- Tenants that exist before this migration start their 60 days now: an upgrade cuts nobody off.
ALTER TABLE tenants
    ADD COLUMN trial_ends_at  timestamptz,
    ADD COLUMN licensed_until timestamptz,
    ADD COLUMN device_limit   integer CHECK (device_limit IS NULL OR device_limit >= 0);
UPDATE tenants SET trial_ends_at = now() + interval '60 days';
ALTER TABLE tenants ALTER COLUMN trial_ends_at SET DEFAULT now() + interval '60 days';

-- A scanner added in the console exists before anyone knows its id: it gets a placeholder id
-- ('pending-<uuid>') and enrolled = false; its first upload with the key binds the id the
-- scanner sends (nobody copies ids between machines). Nothing references a pending scanner
-- yet, so the binding is a plain UPDATE of the key column.
ALTER TABLE scanners ADD COLUMN enrolled boolean NOT NULL DEFAULT true;

-- Sign-in by e-mail alone: the accounts of one address across tenants (each with its own
-- password). The one lookup in the schema without a tenant predicate, by design.
CREATE INDEX users_login_email ON users (lower(email));

-- "Sign out everywhere" ends every session of a user.
CREATE INDEX user_sessions_user ON user_sessions (tenant_id, user_id) WHERE revoked_at IS NULL;

